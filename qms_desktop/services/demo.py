"""The demo workspace: Nordwind Precision Components, a small contract machining shop.

``create_demo(path)`` writes a complete, realistic workspace (``qms demo``, ``qms-desktop --demo``):
organisation, people and roles, ten mapped processes with flowcharts, a risk register with 5x5
and FMEA ratings, actions in every state, a training matrix with gaps, a gap analysis in
progress, an internal audit at the report stage with findings, procedures with revisions,
objectives with monthly measurements, a nonconformity and a management review.

Everything is deterministic: a fixed random seed, and every date is relative to ``today``
(so a demo made today always has overdue actions and expiring training). All rows are written
through ``Workspace.session()`` in one transaction, so the audit trail records every one of them
and ``qms verify`` passes on the result.

Process maps follow the storage conventions: node and lane geometry is absolute (x, y = top-left
corner, like BPMN bounds), lanes are horizontal bands stacked top to bottom, flow runs left to
right. Edges between flow nodes have kind ``"sequence"``; an edge from a step to a ``document``
node (the record it produces) has kind ``"association"``.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from ..core.catalogue import load_catalogue
from ..storage import models as m
from ..storage.audit import bulk_insert
from ..storage.workspace import SUFFIX, Lock, WorkspaceError, create_workspace

#: the name the audit trail records as the author of the demo data
DEMO_USER = "demo"
SEED = 9001
ORG_NAME = "Nordwind Precision Components Ltd"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (clamped to the month's last day)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


# =========================================================================== organisation

SCOPE = (
    "Contract CNC turning and milling of precision metal components in carbon steel, stainless "
    "steel, aluminium and brass to customer drawings, including purchase of material and "
    "subcontracted heat treatment and surface finishing, for customers in hydraulics, pumps, "
    "food-processing machinery and general engineering. Site: Northfield Business Park.\n"
    "Clause 8.3 (design and development) does not apply: all parts are made to designs owned "
    "and controlled by our customers; this does not affect our ability to supply conforming parts."
)

QUALITY_POLICY = (
    "Nordwind Precision Components makes parts that fit first time and arrive when promised.\n\n"
    "To do this we commit to:\n"
    "- understand each customer's drawing, specification and expectations before we accept an "
    "order, and meet them together with all legal requirements;\n"
    "- run our machining, inspection and purchasing as controlled processes, with risks assessed "
    "and measurable objectives for delivery, quality and cost;\n"
    "- give every employee the training, tools and information to do the job right, and the "
    "authority to stop a job when quality is at risk;\n"
    "- choose suppliers that share our standards and work with them to improve;\n"
    "- learn from every complaint, nonconformity and audit finding, and keep improving our "
    "quality management system;\n"
    "- consider the effects of climate change and energy use on our business and our customers.\n\n"
    "This policy is reviewed at every management review.\n"
    "Helen Marsh, Managing Director"
)

SITES = ("Main plant: 7 Kestrel Way, Northfield Business Park (machining hall, inspection room, "
         "stores and dispatch, offices)")

#: key, name, description
ROLES = [
    ("md", "Managing Director",
     "Leads the company; owns the quality policy, objectives and management review; approves "
     "quotations above the approval limit and major investments."),
    ("qm", "Quality Manager",
     "Runs the quality management system: documents, nonconformities, corrective actions, "
     "internal audits, calibration and customer quality contacts. Reports QMS performance to "
     "the Managing Director."),
    ("pm", "Production Manager",
     "Plans and runs production and maintenance, allocates people and machines, owns the "
     "order-to-delivery process and the training of shop-floor staff."),
    ("prog", "CNC Programmer",
     "Writes and proves CAM programs, prepares setup sheets, supports feasibility reviews and "
     "first-article approval."),
    ("mach", "CNC Machinist",
     "Sets up and operates CNC lathes and machining centres, performs in-process checks and "
     "keeps the workplace in order."),
    ("insp", "Quality Inspector",
     "Performs first-article, goods-in and final inspection, operates the CMM, manages the "
     "calibration of measuring equipment."),
    ("purch", "Purchasing & Logistics Coordinator",
     "Buys material and subcontract services, evaluates suppliers, runs stores, packing and "
     "dispatch."),
    ("sales", "Sales Engineer",
     "Handles enquiries, quotations, contract review, order entry and customer communication."),
]

#: key, name, employee no., department, roles, months employed, active
PEOPLE = [
    ("helen", "Helen Marsh", "N001", "Management", ("md",), 180, True),
    ("daniel", "Daniel Okafor", "N014", "Quality", ("qm",), 74, True),
    ("stefan", "Stefan Brandt", "N006", "Production", ("pm",), 131, True),
    ("priya", "Priya Raman", "N027", "Engineering", ("prog",), 41, True),
    ("tomasz", "Tomasz Nowak", "N009", "Engineering", ("prog", "mach"), 118, True),
    ("gemma", "Gemma Holt", "N019", "Quality", ("insp",), 62, True),
    ("arjun", "Arjun Mehta", "N031", "Quality", ("insp",), 29, True),
    ("laura", "Laura Fischer", "N022", "Purchasing & Logistics", ("purch",), 55, True),
    ("ben", "Ben Carter", "N035", "Purchasing & Logistics", ("purch",), 20, True),
    ("sophie", "Sophie Lang", "N017", "Sales", ("sales",), 66, True),
    ("marcus", "Marcus Reid", "N029", "Sales", ("sales",), 38, True),
    ("jake", "Jake Turner", "N011", "Production", ("mach", "insp"), 104, True),
    ("olga", "Olga Petrova", "N015", "Production", ("mach",), 71, True),
    ("ryan", "Ryan O'Neill", "N018", "Production", ("mach",), 64, True),
    ("mateusz", "Mateusz Kowalski", "N021", "Production", ("mach",), 57, True),
    ("chloe", "Chloe Evans", "N024", "Production", ("mach",), 49, True),
    ("liam", "Liam Doyle", "N026", "Production", ("mach",), 44, True),
    ("ahmed", "Ahmed Hassan", "N030", "Production", ("mach",), 33, True),
    ("kevin", "Kevin Price", "N012", "Production", ("mach",), 97, True),
    ("nina", "Nina Sorensen", "N033", "Production", ("mach",), 25, True),
    ("callum", "Callum Fraser", "N036", "Production", ("mach",), 14, True),
    ("rosa", "Rosa Martins", "N037", "Production", ("mach",), 9, True),
    ("ethan", "Ethan Webb", "N039", "Production", ("mach",), 5, True),
    ("maria", "Maria Rossi", "N038", "Production", ("mach",), 7, True),
    ("owen", "Owen Hughes", "N008", "Production", ("mach",), 126, False),
]


# =========================================================================== processes

PROCESSES = [
    dict(code="MP-01", name="Management review and planning", owner="md", status="active",
         purpose="Set direction, policy and objectives, review how the quality system performs "
                 "and decide on changes and resources.",
         suppliers="All process owners; customers; external auditors",
         inputs="KPI reports, audit results, complaints, supplier ratings, risk register, "
                "changes in context (market, regulation, climate, energy)",
         outputs="Management review minutes, decisions and actions, updated objectives and "
                 "policy, resource plan",
         customers="All employees; customers; certification body",
         resources="Managing Director, management team, QMS Workbench",
         kpis="Review held as planned (2 per year); review actions closed on time (%)"),
    dict(code="CP-01", name="Sales, quotation and contract review", owner="sales",
         status="active",
         purpose="Turn customer enquiries into orders we can fulfil: understand requirements, "
                 "quote correctly and confirm only what we can deliver.",
         suppliers="Customers; CNC programming (feasibility and estimates)",
         inputs="Enquiries, drawings and specifications, customer quality requirements",
         outputs="Quotations, reviewed and acknowledged orders",
         customers="Customers; production planning",
         resources="Sales engineers, ERP system, estimating sheet",
         kpis="Quotation turnaround (days); quote hit rate (%); orders changed after "
              "acknowledgement (count)"),
    dict(code="CP-02", name="Order to delivery", owner="pm", status="active",
         purpose="Make and deliver the ordered parts on time and to specification.",
         suppliers="Sales (orders); purchasing (material); programming (released programs)",
         inputs="Acknowledged orders, material with certificates, CNC programs, tooling",
         outputs="Conforming parts delivered with delivery note and certificate of conformity",
         customers="Customers",
         resources="12 CNC machines (4 lathes, 6 machining centres, 2 mill-turn), machinists, "
                   "ERP, DNC server, CMM",
         kpis="On-time delivery (%); internal scrap (%); customer rejects (ppm)"),
    dict(code="CP-03", name="CNC programming and first-article approval", owner="prog",
         status="active",
         purpose="Provide proven CNC programs and setup sheets and approve the first part "
                 "before series production starts.",
         suppliers="Customers (drawings, 3D models); sales; production planning",
         inputs="Released works order, drawing and model at current revision",
         outputs="Released program on the DNC server, setup sheet, first-article inspection "
                 "report",
         customers="Production; quality inspection",
         resources="CAM software, machine simulation, DNC server, CNC programmers",
         kpis="First-article pass rate (%); programs released on schedule (%)"),
    dict(code="CP-04", name="Final inspection and release", owner="qm", status="active",
         purpose="Release only conforming parts to the customer, with the records and "
                 "certificates the customer requires.",
         suppliers="Production; goods-in inspection",
         inputs="Finished batches, route cards, in-process inspection records, control plans",
         outputs="Released batches, certificates of conformity, packed consignments",
         customers="Customers; dispatch",
         resources="Quality inspectors, inspection room, CMM, hand gauges, packing area",
         kpis="Customer rejects (ppm); batches released without complete records (count)"),
    dict(code="SP-01", name="Purchasing and supplier control", owner="purch",
         status="active",
         purpose="Buy material and subcontract services that meet our requirements, from "
                 "suppliers we have evaluated and monitor.",
         suppliers="Material stockholders, heat treaters, platers, tooling suppliers, "
                   "calibration laboratories",
         inputs="Purchase requisitions, specifications, approved supplier list",
         outputs="Purchase orders, accepted goods with certificates, supplier ratings",
         customers="Production; quality",
         resources="Purchasing coordinator, ERP, goods-in inspection",
         kpis="Supplier on-time delivery (%); supplier rejects (count); supplier evaluations "
              "up to date (%)"),
    dict(code="SP-02", name="Control of nonconforming product", owner="qm", status="active",
         purpose="Stop nonconforming parts from being used or shipped, decide what happens to "
                 "them and trigger corrective action where needed.",
         suppliers="Any process that finds a nonconformity; customers (complaints)",
         inputs="Nonconforming parts, inspection results, customer complaints",
         outputs="NCRs with disposition, concessions, corrective action requests",
         customers="Production; customers; corrective action process",
         resources="Quarantine cage, NCR log, quality manager",
         kpis="NCRs open longer than 30 days (count); cost of scrap and rework per month"),
    dict(code="SP-03", name="Internal audit", owner="qm", status="active",
         purpose="Check at planned intervals that the quality system works as intended and "
                 "meets ISO 9001 and customer requirements.",
         suppliers="Audit programme; process owners",
         inputs="Audit programme, previous audit results, procedures, process performance",
         outputs="Audit reports, findings, corrective and improvement actions",
         customers="Management review; process owners",
         resources="Trained internal auditors, audit checklists",
         kpis="Audits completed as planned (%); findings closed on time (%)"),
    dict(code="SP-04", name="Training and competence", owner="pm", status="active",
         purpose="Make sure everyone is competent for their role and that training records are "
                 "complete and current.",
         suppliers="Process owners (role requirements); document control (new revisions); "
                   "external trainers",
         inputs="Role requirements, new starters, procedure revisions, expiring certificates",
         outputs="Training records, competence sign-offs, training matrix",
         customers="All employees; customers and auditors (evidence of competence)",
         resources="Training matrix, internal trainers, external courses",
         kpis="Training matrix completion (%); expired safety training (count)"),
    dict(code="SP-05", name="Calibration of measuring equipment", owner="qm",
         status="under_review",
         purpose="Keep every instrument used to accept product calibrated, traceable and fit "
                 "for use.",
         suppliers="Accredited calibration laboratories; instrument suppliers",
         inputs="Gauge register, calibration due list, reference standards",
         outputs="Calibrated and labelled instruments, calibration records, impact assessments",
         customers="Production; inspection",
         resources="Reference gauge blocks and setting rings, calibration bench, external lab",
         kpis="Instruments overdue for calibration (count); out-of-tolerance findings (count)"),
]

#: Process maps: lanes (key, name, role key or None); nodes (key, kind, lane, column, name,
#: options: row, desc, docs [(document number, link kind)], sub (process code), minutes);
#: edges (source, target, label).
FLOWS: dict[str, dict] = {
    "CP-02": dict(
        lanes=[("sales", "Sales & customer service", "sales"),
               ("prod", "Production", "pm"),
               ("qa", "Quality & dispatch", "insp")],
        nodes=[
            ("start", "start", "sales", 0, "Customer order received", {}),
            ("enter", "step", "sales", 1, "Enter order and confirm delivery date",
             dict(docs=[("QP-02", "document")], minutes=20,
                  desc="Check capacity and material availability before confirming the date.")),
            ("plan", "step", "prod", 2, "Plan job and release works order",
             dict(minutes=30, desc="Works order with route card, program number and control "
                                   "plan reference.")),
            ("prep", "step", "prod", 3, "Issue material, tooling and program", dict(minutes=45)),
            ("setup", "step", "prod", 4, "Set up machine and produce first-off",
             dict(minutes=120, desc="Setup sheet, offsets double-checked by a second person.")),
            ("firstoff", "decision", "qa", 5, "First-off OK?", {}),
            ("run", "step", "prod", 6, "Run batch with in-process checks",
             dict(desc="Check frequency as stated on the route card; record results.")),
            ("final", "step", "qa", 7, "Final inspection",
             dict(docs=[("QP-04", "document")], minutes=40)),
            ("ok", "decision", "qa", 8, "Conforming?", {}),
            ("ncp", "subprocess", "qa", 8, "Control of nonconforming product",
             dict(row=1, sub="SP-02")),
            ("pack", "step", "qa", 9, "Pack, label and issue certificate", dict(minutes=30)),
            ("coc", "document", "qa", 10, "Delivery note and certificate of conformity",
             dict(row=1)),
            ("invoice", "step", "sales", 10, "Invoice and confirm delivery", dict(minutes=10)),
            ("end", "end", "sales", 11, "Order delivered", {}),
        ],
        edges=[("start", "enter", ""), ("enter", "plan", ""), ("plan", "prep", ""),
               ("prep", "setup", ""), ("setup", "firstoff", ""), ("firstoff", "run", "yes"),
               ("firstoff", "setup", "no"), ("run", "final", ""), ("final", "ok", ""),
               ("ok", "pack", "yes"), ("ok", "ncp", "no"), ("ncp", "final", "after rework"),
               ("pack", "coc", ""), ("pack", "invoice", ""), ("invoice", "end", "")],
    ),
    "CP-01": dict(
        lanes=[("sales", "Sales engineer", "sales"),
               ("prog", "CNC programming", "prog"),
               ("md", "Managing director", "md")],
        nodes=[
            ("start", "start", "sales", 0, "Enquiry received", {}),
            ("log", "step", "sales", 1, "Log enquiry, check drawing and revision",
             dict(docs=[("QP-02", "document")], minutes=15)),
            ("feasibility", "step", "prog", 2, "Review feasibility: material, tolerances, "
                                               "capacity", dict(minutes=45)),
            ("can", "decision", "prog", 3, "Can we make it?", {}),
            ("decline", "step", "sales", 3, "Decline or propose an alternative",
             dict(row=1)),
            ("closed", "end", "sales", 4, "Enquiry closed", dict(row=1)),
            ("estimate", "step", "prog", 4, "Estimate cycle time and cost", dict(minutes=60)),
            ("limit", "decision", "sales", 5, "Above approval limit or new material?", {}),
            ("approve", "step", "md", 6, "Approve quotation", dict(minutes=10)),
            ("quote", "step", "sales", 7, "Send quotation", dict(minutes=10)),
            ("order_review", "step", "sales", 8, "Review order against quotation",
             dict(docs=[("QP-02", "document"), ("F-02-01", "record")], minutes=20)),
            ("diff", "decision", "sales", 9, "Differences?", {}),
            ("resolve", "step", "sales", 9, "Clarify differences with customer",
             dict(row=1)),
            ("ack", "step", "sales", 10, "Send order acknowledgement", dict(minutes=5)),
            ("end", "end", "sales", 11, "Order accepted", {}),
        ],
        edges=[("start", "log", ""), ("log", "feasibility", ""), ("feasibility", "can", ""),
               ("can", "estimate", "yes"), ("can", "decline", "no"), ("decline", "closed", ""),
               ("estimate", "limit", ""), ("limit", "approve", "yes"), ("limit", "quote", "no"),
               ("approve", "quote", ""), ("quote", "order_review", ""),
               ("order_review", "diff", ""), ("diff", "resolve", "yes"),
               ("resolve", "order_review", ""), ("diff", "ack", "no"), ("ack", "end", "")],
    ),
    "CP-03": dict(
        lanes=[("prog", "CNC programmer", "prog"),
               ("mach", "CNC machinist", "mach"),
               ("insp", "Quality inspector", "insp")],
        nodes=[
            ("start", "start", "prog", 0, "Works order released", {}),
            ("check", "step", "prog", 1, "Check drawing and model revision", dict(minutes=15)),
            ("cam", "step", "prog", 2, "Write or revise CAM program", dict(minutes=240)),
            ("simulate", "step", "prog", 3, "Simulate toolpaths with fixture", dict(minutes=30)),
            ("collision", "decision", "prog", 4, "Collision-free?", {}),
            ("transfer", "step", "prog", 5, "Release program to DNC server",
             dict(docs=[("QP-01", "document")], minutes=10)),
            ("setup", "step", "mach", 6, "Set up tools and work offsets", dict(minutes=90)),
            ("machine", "step", "mach", 7, "Machine first article", dict(minutes=60)),
            ("fai", "step", "insp", 8, "Inspect first article against ballooned drawing",
             dict(minutes=90)),
            ("fai_report", "document", "insp", 8, "First-article inspection report",
             dict(row=1)),
            ("pass", "decision", "insp", 9, "All characteristics in tolerance?", {}),
            ("correct", "step", "prog", 9, "Correct program or offsets", dict(minutes=30)),
            ("approve", "step", "prog", 10, "Approve program for production", dict(minutes=5)),
            ("end", "end", "prog", 11, "Program released", {}),
        ],
        edges=[("start", "check", ""), ("check", "cam", ""), ("cam", "simulate", ""),
               ("simulate", "collision", ""), ("collision", "transfer", "yes"),
               ("collision", "cam", "no"), ("transfer", "setup", ""), ("setup", "machine", ""),
               ("machine", "fai", ""), ("fai", "fai_report", ""), ("fai", "pass", ""),
               ("pass", "approve", "yes"), ("pass", "correct", "no"),
               ("correct", "machine", ""), ("approve", "end", "")],
    ),
    "CP-04": dict(
        lanes=[("insp", "Quality inspector", "insp"),
               ("qm", "Quality manager", "qm"),
               ("log", "Dispatch", "purch")],
        nodes=[
            ("start", "start", "insp", 0, "Batch complete at machine", {}),
            ("records", "step", "insp", 1, "Check route card and in-process records",
             dict(minutes=10)),
            ("sample", "step", "insp", 2, "Inspect sample to control plan",
             dict(minutes=45, desc="CMM or hand gauges; inspection room at 20 °C ± 2 °C.")),
            ("conforming", "decision", "insp", 3, "Conforming?", {}),
            ("quarantine", "step", "insp", 4, "Quarantine and raise NCR",
             dict(row=1, docs=[("QP-04", "document"), ("F-04-01", "record")])),
            ("nc_end", "end", "insp", 5, "Handled under SP-02", dict(row=1)),
            ("release", "step", "insp", 4, "Sign release on route card", dict(minutes=5)),
            ("cocreq", "decision", "qm", 5, "Certificate of conformity required?", {}),
            ("coc", "step", "qm", 6, "Issue certificate of conformity", dict(minutes=10)),
            ("pack", "step", "log", 7, "Pack and label to customer instructions",
             dict(minutes=30)),
            ("ship", "step", "log", 8, "Book dispatch and send delivery note", dict(minutes=10)),
            ("end", "end", "log", 9, "Released and dispatched", {}),
        ],
        edges=[("start", "records", ""), ("records", "sample", ""),
               ("sample", "conforming", ""), ("conforming", "release", "yes"),
               ("conforming", "quarantine", "no"), ("quarantine", "nc_end", ""),
               ("release", "cocreq", ""), ("cocreq", "coc", "yes"), ("cocreq", "pack", "no"),
               ("coc", "pack", ""), ("pack", "ship", ""), ("ship", "end", "")],
    ),
    "SP-01": dict(
        lanes=[("req", "Production planning", "pm"),
               ("purch", "Purchasing", "purch"),
               ("insp", "Goods-in inspection", "insp")],
        nodes=[
            ("start", "start", "req", 0, "Material or service needed", {}),
            ("requisition", "step", "req", 1, "Raise purchase requisition", dict(minutes=10)),
            ("select", "step", "purch", 2, "Select supplier from approved list",
             dict(docs=[("QP-03", "document")])),
            ("approved", "decision", "purch", 3, "Supplier approved?", {}),
            ("evaluate", "step", "purch", 3, "Evaluate and approve new supplier",
             dict(row=1, docs=[("QP-03", "document")])),
            ("po", "step", "purch", 4, "Place purchase order with specification",
             dict(minutes=20, desc="Material grade, certificate type (EN 10204 3.1), "
                                   "dimensions, delivery date.")),
            ("po_doc", "document", "purch", 5, "Purchase order", dict(row=1)),
            ("receive", "step", "purch", 5, "Receive goods and check delivery note",
             dict(minutes=15)),
            ("goods_in", "step", "insp", 6, "Goods-in inspection and 3.1 certificate check",
             dict(minutes=20)),
            ("accept", "decision", "insp", 7, "Accept?", {}),
            ("reject", "step", "insp", 7, "Reject, return and record supplier NC",
             dict(row=1, docs=[("F-04-01", "record")])),
            ("returned", "end", "insp", 8, "Goods returned", dict(row=1)),
            ("stock", "step", "purch", 8, "Book into stock with heat number", dict(minutes=10)),
            ("rate", "step", "purch", 9, "Rate supplier delivery and quality", dict(minutes=5)),
            ("end", "end", "purch", 10, "Material available", {}),
        ],
        edges=[("start", "requisition", ""), ("requisition", "select", ""),
               ("select", "approved", ""), ("approved", "po", "yes"),
               ("approved", "evaluate", "no"), ("evaluate", "po", ""), ("po", "po_doc", ""),
               ("po", "receive", ""), ("receive", "goods_in", ""), ("goods_in", "accept", ""),
               ("accept", "stock", "yes"), ("accept", "reject", "no"),
               ("reject", "returned", ""), ("stock", "rate", ""), ("rate", "end", "")],
    ),
    "SP-02": dict(
        lanes=[("det", "Inspector or operator", "insp"),
               ("qm", "Quality manager", "qm"),
               ("prod", "Production", "pm")],
        nodes=[
            ("start", "start", "det", 0, "Nonconformity detected", {}),
            ("quarantine", "step", "det", 1, "Stop, red-tag and quarantine parts",
             dict(minutes=10)),
            ("ncr", "step", "det", 2, "Raise nonconformance report (NCR)",
             dict(docs=[("QP-04", "document"), ("F-04-01", "record")], minutes=15)),
            ("ncr_form", "document", "det", 3, "NCR form", dict(row=1)),
            ("assess", "step", "qm", 3, "Assess extent and contain (stock, WIP, shipped)",
             dict(minutes=60)),
            ("disposition", "decision", "qm", 4, "Disposition?", {}),
            ("rework", "step", "prod", 5, "Rework and re-inspect", {}),
            ("scrap", "step", "prod", 5, "Scrap and record cost", dict(row=1)),
            ("concession", "step", "qm", 5, "Request customer concession",
             dict(docs=[("QP-04", "document")])),
            ("ca_needed", "decision", "qm", 6, "Corrective action needed?", {}),
            ("ca", "step", "qm", 7, "Open corrective action",
             dict(docs=[("QP-06", "document")])),
            ("close", "step", "qm", 7, "Close NCR", dict(row=1)),
            ("end", "end", "qm", 8, "NCR closed", {}),
        ],
        edges=[("start", "quarantine", ""), ("quarantine", "ncr", ""), ("ncr", "ncr_form", ""),
               ("ncr", "assess", ""), ("assess", "disposition", ""),
               ("disposition", "rework", "rework"), ("disposition", "scrap", "scrap"),
               ("disposition", "concession", "use as is"), ("rework", "ca_needed", ""),
               ("scrap", "ca_needed", ""), ("concession", "ca_needed", ""),
               ("ca_needed", "ca", "yes"), ("ca_needed", "close", "no"), ("ca", "end", ""),
               ("close", "end", "")],
    ),
    "SP-03": dict(
        lanes=[("qm", "Audit programme manager", "qm"),
               ("aud", "Internal auditor", None),
               ("owner", "Process owner", "pm")],
        nodes=[
            ("start", "start", "qm", 0, "Audit due in annual programme", {}),
            ("plan", "step", "qm", 1, "Plan audit and appoint independent auditor",
             dict(docs=[("QP-05", "document")])),
            ("prepare", "step", "aud", 2, "Review documents and prepare checklist",
             dict(minutes=120)),
            ("opening", "step", "aud", 3, "Opening meeting", dict(minutes=15)),
            ("evidence", "step", "aud", 4, "Collect and verify evidence", dict(minutes=300)),
            ("grade", "step", "aud", 5, "Grade findings (major, minor, observation, OFI)",
             dict(minutes=30)),
            ("report", "step", "aud", 6, "Closing meeting and audit report", dict(minutes=60)),
            ("report_doc", "document", "aud", 7, "Audit report",
             dict(row=1, docs=[("F-05-01", "record")])),
            ("actions", "step", "owner", 7, "Plan corrections and corrective actions",
             dict(docs=[("QP-06", "document")])),
            ("verify", "step", "aud", 8, "Verify effectiveness of actions", {}),
            ("effective", "decision", "aud", 9, "Effective?", {}),
            ("close", "step", "qm", 10, "Close audit and update programme", {}),
            ("end", "end", "qm", 11, "Audit closed", {}),
        ],
        edges=[("start", "plan", ""), ("plan", "prepare", ""), ("prepare", "opening", ""),
               ("opening", "evidence", ""), ("evidence", "grade", ""), ("grade", "report", ""),
               ("report", "report_doc", ""), ("report", "actions", ""),
               ("actions", "verify", ""), ("verify", "effective", ""),
               ("effective", "close", "yes"), ("effective", "actions", "no"),
               ("close", "end", "")],
    ),
    "SP-04": dict(
        lanes=[("pm", "Production manager", "pm"),
               ("qm", "Quality manager", "qm"),
               ("emp", "Employee", "mach")],
        nodes=[
            ("start", "start", "pm", 0, "New starter, new role or new document revision", {}),
            ("need", "step", "pm", 1, "Identify training need from role matrix",
             dict(docs=[("QP-07", "document")])),
            ("plan", "step", "qm", 2, "Plan training and assign trainer", {}),
            ("attend", "step", "emp", 3, "Attend training or read and sign procedure", {}),
            ("assess", "step", "pm", 4, "Assess competence on the job", dict(minutes=60)),
            ("competent", "decision", "pm", 5, "Competent?", {}),
            ("record", "step", "qm", 6, "Record training and set expiry date",
             dict(docs=[("QP-07", "document")], minutes=5)),
            ("record_doc", "document", "qm", 7, "Training record",
             dict(row=1, docs=[("F-07-01", "record")])),
            ("end", "end", "qm", 8, "Training matrix up to date", {}),
        ],
        edges=[("start", "need", ""), ("need", "plan", ""), ("plan", "attend", ""),
               ("attend", "assess", ""), ("assess", "competent", ""),
               ("competent", "record", "yes"), ("competent", "attend", "no"),
               ("record", "record_doc", ""), ("record", "end", "")],
    ),
    "SP-05": dict(
        lanes=[("insp", "Quality inspector", "insp"),
               ("lab", "External calibration laboratory", None),
               ("qm", "Quality manager", "qm")],
        nodes=[
            ("start", "start", "insp", 0, "Calibration due", {}),
            ("due_list", "step", "insp", 1, "Review monthly calibration due list",
             dict(docs=[("QP-08", "document")], minutes=20)),
            ("withdraw", "step", "insp", 2, "Withdraw instrument from use", dict(minutes=5)),
            ("inhouse", "decision", "insp", 3, "Calibrate in-house?", {}),
            ("calibrate", "step", "insp", 4, "Calibrate against reference standards",
             dict(docs=[("QP-08", "document")], minutes=30)),
            ("external", "step", "lab", 4, "Calibrate with accredited certificate",
             dict(desc="Laboratory accredited to ISO/IEC 17025 for the quantity measured.")),
            ("review", "step", "insp", 5, "Review results against acceptance limits",
             dict(minutes=10)),
            ("within", "decision", "insp", 6, "Within tolerance?", {}),
            ("impact", "step", "qm", 7, "Assess impact on product measured since last "
                                        "calibration", dict(docs=[("F-04-01", "record")])),
            ("adjust", "step", "qm", 8, "Adjust, repair or scrap instrument", {}),
            ("label", "step", "insp", 9, "Label and return to use", dict(minutes=5)),
            ("cal_record", "document", "insp", 10, "Calibration record", dict(row=1)),
            ("end", "end", "insp", 11, "Instrument in use", {}),
        ],
        edges=[("start", "due_list", ""), ("due_list", "withdraw", ""),
               ("withdraw", "inhouse", ""), ("inhouse", "calibrate", "yes"),
               ("inhouse", "external", "no"), ("calibrate", "review", ""),
               ("external", "review", ""), ("review", "within", ""),
               ("within", "label", "yes"), ("within", "impact", "no"),
               ("impact", "adjust", ""), ("adjust", "label", "repaired"),
               ("label", "cal_record", ""), ("label", "end", "")],
    ),
    "MP-01": dict(
        lanes=[("md", "Managing director", "md"),
               ("qm", "Quality manager", "qm"),
               ("team", "Management team", None)],
        nodes=[
            ("start", "start", "qm", 0, "Review due (twice a year)", {}),
            ("compile", "step", "qm", 1, "Compile inputs: KPIs, audits, complaints, risks",
             dict(minutes=240)),
            ("pack", "step", "qm", 2, "Circulate review pack", dict(minutes=15)),
            ("meeting", "step", "team", 3, "Hold management review meeting",
             dict(minutes=180)),
            ("change", "decision", "md", 4, "Changes to the QMS needed?", {}),
            ("assign", "step", "md", 5, "Assign actions, owners and resources", {}),
            ("confirm", "step", "md", 5, "Confirm policy and objectives", dict(row=1)),
            ("update", "step", "qm", 6, "Update objectives, risk register and documents",
             dict(docs=[("QP-01", "document")])),
            ("minutes", "step", "qm", 7, "Publish minutes and track actions", {}),
            ("minutes_doc", "document", "qm", 8, "Management review minutes", dict(row=1)),
            ("end", "end", "qm", 9, "Review closed", {}),
        ],
        edges=[("start", "compile", ""), ("compile", "pack", ""), ("pack", "meeting", ""),
               ("meeting", "change", ""), ("change", "assign", "yes"),
               ("change", "confirm", "no"), ("assign", "update", ""),
               ("update", "minutes", ""), ("confirm", "minutes", ""),
               ("minutes", "minutes_doc", ""), ("minutes", "end", "")],
    ),
}

# geometry of generated maps (scene units = pixels at 100 %)
LANE_HEADER = 40.0
COL_W = 180.0
LANE_H = 200.0
ROW_CY = (60.0, 150.0)
NODE_SIZE = {"start": (36.0, 36.0), "end": (36.0, 36.0), "step": (140.0, 60.0),
             "decision": (120.0, 80.0), "document": (120.0, 56.0),
             "subprocess": (140.0, 60.0)}
BPMN_TYPE = {"start": "startEvent", "end": "endEvent", "step": "task",
             "decision": "exclusiveGateway", "document": "dataObjectReference",
             "subprocess": "callActivity"}


# =========================================================================== documents

#: number, title, kind, owner, process, purpose, scope, body,
#: revisions [(number, days before today, change summary, author, approver, status)]
DOCUMENTS = [
    dict(number="QP-01", title="Control of documented information", kind="procedure",
         owner="daniel", process=None,
         purpose="Make sure the right version of every document is available where it is used "
                 "and that records are kept safe and retrievable.",
         scope="All QMS procedures, work instructions, forms, setup sheets and CNC programs, "
               "customer drawings and external standards, and all quality records.",
         body=(
             "1 Responsibilities\n"
             "Quality Manager: document register, numbering, approval workflow, retention.\n"
             "Process owners: content of their documents, review at least every two years.\n"
             "CNC Programmers: release of programs and setup sheets on the DNC server.\n\n"
             "2 Creating and changing documents\n"
             "2.1 Any employee may request a change; the request goes to the document owner.\n"
             "2.2 The owner drafts the change in QMS Workbench; the change summary says what "
             "changed and why.\n"
             "2.3 A competent reviewer checks the draft; the Quality Manager approves and sets "
             "the effective date. Approval is an electronic signature.\n"
             "2.4 When a revision becomes effective, the previous one is marked obsolete and "
             "read-and-understood training is assigned to the roles concerned.\n\n"
             "3 Availability\n"
             "Shop-floor terminals show the current revision only. Printed copies are stamped "
             "UNCONTROLLED and valid on the day of printing.\n\n"
             "4 Customer drawings and programs\n"
             "Customer drawings are registered with their revision on receipt; superseded "
             "revisions are moved to the archive folder. Released programs are read-only.\n\n"
             "5 Records\n"
             "Quality records are kept for at least 10 years or longer where the customer "
             "requires it; the server is backed up daily with a weekly offline copy."),
         revisions=[("A", 1460, "First issue.", "Daniel Okafor", "Helen Marsh"),
                    ("B", 700, "Added control of CNC programs on the DNC server.",
                     "Daniel Okafor", "Helen Marsh"),
                    ("C", 220, "Electronic approval in QMS Workbench; read-and-understood "
                               "training on new revisions.", "Daniel Okafor", "Helen Marsh")]),
    dict(number="QP-02", title="Contract review and order processing", kind="procedure",
         owner="sophie", process="CP-01",
         purpose="Confirm before we quote and before we accept an order that we understand the "
                 "requirements and can meet them.",
         scope="All enquiries, quotations, orders and order changes.",
         body=(
             "1 Responsibilities\n"
             "Sales Engineers: enquiry log, quotation, order review and acknowledgement.\n"
             "CNC Programmers: feasibility and cycle-time estimates for new parts.\n"
             "Managing Director: approval of quotations above 25,000 or involving new "
             "materials or processes.\n\n"
             "2 Enquiry and quotation\n"
             "2.1 Log the enquiry; check that the drawing has a revision and all referenced "
             "specifications are available.\n"
             "2.2 For new parts, the programmer reviews material, tolerances, surface finish and "
             "capacity and estimates the cycle time.\n"
             "2.3 Quotations state the drawing revision, material, certificate type, quantity, "
             "price and lead time.\n\n"
             "3 Order review\n"
             "3.1 Compare every order with the quotation using form F-02-01; resolve "
             "differences with the customer before acknowledging.\n"
             "3.2 Confirm the delivery date only after checking capacity in the ERP plan.\n\n"
             "4 Order changes\n"
             "Changes (quantity, date, drawing revision) are accepted in writing only; the order "
             "is reviewed again and production is informed the same day."),
         revisions=[("A", 1400, "First issue.", "Sophie Lang", "Helen Marsh"),
                    ("B", 380, "Capacity check before confirming delivery dates; approval "
                               "limit raised.", "Sophie Lang", "Helen Marsh")]),
    dict(number="QP-03", title="Purchasing and supplier evaluation", kind="procedure",
         owner="laura", process="SP-01",
         purpose="Buy only from suppliers able to meet our requirements and keep them under "
                 "control.",
         scope="Material, subcontracted processes (heat treatment, plating, grinding), "
               "tooling that affects product, and calibration services.",
         body=(
             "1 Responsibilities\n"
             "Purchasing & Logistics Coordinator: supplier selection, purchase orders, ratings.\n"
             "Quality Manager: approval of new suppliers of material and special processes.\n\n"
             "2 Supplier approval\n"
             "New suppliers complete a questionnaire; ISO 9001 certification or an on-site "
             "assessment is required for material and special processes.\n\n"
             "3 Purchase orders\n"
             "Orders state material grade and standard, dimensions, certificate type "
             "(EN 10204 3.1 for all bar stock), quantity, delivery date and any customer "
             "flow-down requirements.\n\n"
             "4 Goods-in\n"
             "Goods are checked against the delivery note and order; certificates are checked "
             "against the heat number marked on the bar before booking into stock.\n\n"
             "5 Supplier rating\n"
             "Each delivery is rated for punctuality and quality; suppliers below 85 % for "
             "three months are reviewed with the Quality Manager. Approved suppliers are "
             "re-evaluated every year."),
         revisions=[("A", 1380, "First issue.", "Laura Fischer", "Daniel Okafor"),
                    ("B", 160, "Heat-number-specific certificates required; annual "
                               "re-evaluation.", "Laura Fischer", "Daniel Okafor")]),
    dict(number="QP-04", title="Control of nonconforming product", kind="procedure",
         owner="daniel", process="SP-02",
         purpose="Prevent nonconforming parts from being used or delivered and decide their "
                 "disposition in a controlled way.",
         scope="Nonconforming material, work in progress, finished parts and customer returns.",
         body=(
             "1 Responsibilities\n"
             "Every employee: stop, tag and segregate suspect parts.\n"
             "Quality Manager: disposition, concessions, decision on corrective action.\n\n"
             "2 Identification and segregation\n"
             "Suspect parts get a red tag and go into the locked quarantine cage; the NCR "
             "number is written on the tag.\n\n"
             "3 Nonconformance report\n"
             "Raise an NCR (form F-04-01) with part number, batch, quantity, description and "
             "photographs. The Quality Manager checks whether other batches, stock or shipped "
             "parts are affected and contains them.\n\n"
             "4 Disposition\n"
             "Rework (re-inspected 100 %), scrap (cost recorded), or use as is / repair only "
             "with the customer's written concession.\n\n"
             "5 Corrective action\n"
             "Repeat problems, customer complaints and any major issue lead to a corrective "
             "action under QP-06."),
         revisions=[("A", 1350, "First issue.", "Daniel Okafor", "Helen Marsh"),
                    ("B", 540, "Locked quarantine cage; concessions only with written customer "
                               "approval.", "Daniel Okafor", "Helen Marsh")]),
    dict(number="QP-05", title="Internal audit", kind="procedure", owner="daniel",
         process="SP-03",
         purpose="Plan, conduct, report and follow up internal audits of the quality system.",
         scope="All processes of the QMS at the Northfield site.",
         body=(
             "1 Audit programme\n"
             "The Quality Manager keeps a three-year programme; every process is audited at "
             "least once a year, more often where performance or earlier findings call for it.\n\n"
             "2 Auditors\n"
             "Auditors have completed internal auditor training and do not audit their own "
             "work.\n\n"
             "3 Conducting the audit\n"
             "Prepare a checklist from procedures and earlier results; hold an opening meeting; "
             "collect evidence by interview, observation and records; grade findings as major "
             "nonconformity, minor nonconformity, observation or opportunity for improvement; "
             "present them at the closing meeting.\n\n"
             "4 Report and follow-up\n"
             "The report (F-05-01) is issued within five working days. Process owners plan "
             "corrections and corrective actions within ten working days; the auditor verifies "
             "their effectiveness before the finding is closed."),
         revisions=[("A", 1300, "First issue.", "Daniel Okafor", "Helen Marsh"),
                    ("B", 420, "Finding grades aligned with ISO 19011; report deadline.",
                     "Daniel Okafor", "Helen Marsh")]),
    dict(number="QP-06", title="Corrective action", kind="procedure", owner="daniel",
         process="SP-02",
         purpose="Eliminate the causes of nonconformities so they do not happen again.",
         scope="Customer complaints, internal nonconformities, supplier problems and audit "
               "findings.",
         body=(
             "1 When\n"
             "A corrective action is opened for every customer complaint, every major or minor "
             "audit finding, and internal nonconformities that repeat or cost more than 1,000.\n\n"
             "2 Steps\n"
             "2.1 Correction: contain and fix the immediate problem.\n"
             "2.2 Root cause: use 5 Whys or a fishbone diagram with the people who do the work.\n"
             "2.3 Action: remove the cause; update documents, FMEA and the risk register.\n"
             "2.4 Effectiveness: set a check date when the action is planned; the Quality "
             "Manager verifies the result before closing.\n\n"
             "3 Records\n"
             "All steps are recorded in QMS Workbench; overdue actions are reviewed in the "
             "weekly production meeting."),
         revisions=[("A", 1290, "First issue.", "Daniel Okafor", "Helen Marsh"),
                    ("B", 600, "Root cause methods; link to the risk register.",
                     "Daniel Okafor", "Helen Marsh"),
                    ("C", 21, "Effectiveness check date mandatory when an action is planned.",
                     "Daniel Okafor", "Helen Marsh")]),
    dict(number="QP-07", title="Training and competence", kind="procedure", owner="stefan",
         process="SP-04",
         purpose="Define, provide and record the training each role needs.",
         scope="All employees, temporary staff and apprentices.",
         body=(
             "1 Role requirements\n"
             "Each role has a list of required courses in QMS Workbench; the matrix shows for "
             "every person whether each course is current, expiring, expired or missing.\n\n"
             "2 New starters\n"
             "Induction on day one (safety, quality policy, QP-04). No solo machine work before "
             "the Production Manager has signed off competence on that machine.\n\n"
             "3 Document revisions\n"
             "A new effective revision of a procedure makes its read-and-understood training due "
             "again for the roles concerned.\n\n"
             "4 Records\n"
             "Training is recorded with date, trainer, evidence and expiry (form F-07-01 for "
             "on-the-job sign-offs). The matrix is reviewed monthly."),
         revisions=[("A", 1250, "First issue.", "Stefan Brandt", "Helen Marsh"),
                    ("B", 300, "Competence sign-off before solo machine work.",
                     "Stefan Brandt", "Helen Marsh")]),
    dict(number="QP-08", title="Calibration of measuring equipment", kind="procedure",
         owner="gemma", process="SP-05",
         purpose="Keep measuring equipment used for product acceptance calibrated, traceable "
                 "and fit for use.",
         scope="All gauges, instruments and the CMM used to accept product, including "
               "personal instruments.",
         body=(
             "1 Gauge register\n"
             "Every instrument has a number, location, calibration interval and status in the "
             "register; a label shows the next due date.\n\n"
             "2 Calibration\n"
             "Hand instruments are calibrated in-house against reference gauge blocks and "
             "setting rings with accredited certificates; the CMM and reference standards are "
             "calibrated by an ISO/IEC 17025 accredited laboratory.\n\n"
             "3 Out of tolerance\n"
             "The Quality Manager assesses the effect on product measured since the last "
             "calibration and raises an NCR where parts may be affected.\n\n"
             "4 Due list\n"
             "The monthly due list is reviewed in the production meeting; instruments past due "
             "are withdrawn."),
         revisions=[("A", 1200, "First issue.", "Gemma Holt", "Daniel Okafor"),
                    ("B", 480, "CMM calibrated by accredited laboratory.", "Gemma Holt",
                     "Daniel Okafor"),
                    ("C", 140, "Monthly due list in production meeting.", "Gemma Holt",
                     "Daniel Okafor"),
                    ("D", 6, "Draft: locked gauge cabinet with check-out (audit finding).",
                     "Gemma Holt", "")]),
    dict(number="F-02-01", title="Order review checklist", kind="form", owner="sophie",
         process="CP-01", purpose="Record the review of each order against the quotation.",
         scope="All customer orders.",
         body="Fields: order number, customer, drawing and revision, material, quantity, "
              "certificate type, delivery date, differences found, resolved by, signature.",
         revisions=[("A", 1400, "First issue.", "Sophie Lang", "Daniel Okafor")]),
    dict(number="F-04-01", title="Nonconformance report (NCR)", kind="form", owner="daniel",
         process="SP-02", purpose="Record a nonconformity, its containment and disposition.",
         scope="All nonconformities.",
         body="Fields: NCR number, date, part and batch, quantity, description, photographs, "
              "containment, disposition, approved by, corrective action reference.",
         revisions=[("A", 1350, "First issue.", "Daniel Okafor", "Helen Marsh"),
                    ("B", 540, "Concession approval field.", "Daniel Okafor", "Helen Marsh")]),
    dict(number="F-05-01", title="Internal audit report", kind="form", owner="daniel",
         process="SP-03", purpose="Report the scope, findings and conclusion of an audit.",
         scope="All internal audits.",
         body="Fields: audit number, process, criteria, auditors, auditees, dates, summary, "
              "findings with grade and clause, conclusion, distribution.",
         revisions=[("A", 1300, "First issue.", "Daniel Okafor", "Helen Marsh")]),
    dict(number="F-07-01", title="Training record and competence sign-off", kind="form",
         owner="stefan", process="SP-04",
         purpose="Record training given and the assessment of competence.",
         scope="All training.",
         body="Fields: employee, course, date, trainer, method, evidence, competence "
              "assessment, signatures of trainee and assessor.",
         revisions=[("A", 1250, "First issue.", "Stefan Brandt", "Helen Marsh"),
                    ("B", 300, "Competence sign-off section.", "Stefan Brandt",
                     "Helen Marsh")]),
]


# =========================================================================== training

#: code, title, kind, validity months, linked document, roles, description
COURSES = [
    ("RU-QP01", "Read and understood: QP-01 Control of documented information",
     "read_and_understood", None, "QP-01", ("md", "qm", "pm", "prog", "insp", "purch", "sales"),
     "Read the current revision and confirm understanding."),
    ("RU-QP02", "Read and understood: QP-02 Contract review and order processing",
     "read_and_understood", None, "QP-02", ("md", "sales", "pm", "prog"), ""),
    ("RU-QP03", "Read and understood: QP-03 Purchasing and supplier evaluation",
     "read_and_understood", None, "QP-03", ("purch", "qm", "insp"), ""),
    ("RU-QP04", "Read and understood: QP-04 Control of nonconforming product",
     "read_and_understood", None, "QP-04",
     ("md", "qm", "pm", "prog", "mach", "insp", "purch", "sales"), ""),
    ("RU-QP05", "Read and understood: QP-05 Internal audit", "read_and_understood", None,
     "QP-05", ("md", "qm", "pm"), ""),
    ("RU-QP06", "Read and understood: QP-06 Corrective action", "read_and_understood", None,
     "QP-06", ("md", "qm", "pm", "insp"), ""),
    ("RU-QP07", "Read and understood: QP-07 Training and competence", "read_and_understood",
     None, "QP-07", ("md", "qm", "pm"), ""),
    ("RU-QP08", "Read and understood: QP-08 Calibration of measuring equipment",
     "read_and_understood", None, "QP-08", ("qm", "insp"), ""),
    ("IND-01", "Company induction and quality policy", "classroom", None, None,
     ("md", "qm", "pm", "prog", "mach", "insp", "purch", "sales"),
     "Site rules, safety basics, quality policy, how our QMS works, who to ask."),
    ("ISO-01", "ISO 9001:2015 for managers", "classroom", None, None, ("md", "qm", "pm"),
     "Structure and intent of the standard, process approach, risk-based thinking."),
    ("IA-01", "Internal auditor (ISO 19011)", "external", 36, None, ("qm",),
     "Two-day course with exam; refresher every three years."),
    ("RCA-01", "Root cause analysis: 5 Whys and fishbone", "classroom", None, None,
     ("qm", "pm", "insp", "prog"), "Half-day workshop using real NCRs."),
    ("GDT-01", "Drawing reading and GD&T basics", "classroom", None, None,
     ("mach", "prog", "insp", "sales"), "Tolerances, fits, datums, form and position symbols."),
    ("MEA-01", "Hand measuring instruments", "on_the_job", 24, None, ("mach", "insp"),
     "Micrometers, callipers, bore gauges, height gauge; care and handling; reading "
     "uncertainty."),
    ("CMM-01", "CMM operation (Calypso)", "external", None, None, ("insp",),
     "Supplier course: alignments, probing strategies, reports."),
    ("SPC-01", "SPC and process capability", "classroom", None, None, ("qm", "insp", "pm"),
     "Control charts, Cp/Cpk, reaction plans."),
    ("FAI-01", "First-article inspection and reporting", "on_the_job", None, None,
     ("insp", "prog"), "Ballooned drawings, FAI report, release."),
    ("LAT-01", "Operating CNC lathes (Mazak QT, DMG Mori NLX)", "on_the_job", None, None,
     ("mach",), "Machine-specific sign-off by the Production Manager."),
    ("MIL-01", "Operating machining centres (3-axis and 5-axis)", "on_the_job", None, None,
     ("mach",), "Machine-specific sign-off by the Production Manager."),
    ("SET-01", "Machine setting and first-off approval", "on_the_job", None, None,
     ("mach", "prog"), "Setup sheets, offsets, double check, first-off request."),
    ("CAM-01", "CAM programming and post-processors", "external", None, None, ("prog",),
     "Vendor course for the CAM system in use."),
    ("DNC-01", "Program transfer and version control (DNC)", "on_the_job", None, None,
     ("prog", "mach"), "Released folder, program numbering, no USB transfer."),
    ("SAF-01", "Machine safety and lockout", "classroom", 12, None,
     ("mach", "prog", "pm", "insp"), "Guards, interlocks, lockout before maintenance."),
    ("COS-01", "Hazardous substances: coolants and oils", "classroom", 24, None,
     ("mach", "prog", "pm", "insp"), "Skin protection, concentration checks, spills."),
    ("FLT-01", "Forklift truck licence", "external", 36, None, ("purch",),
     "Counterbalance truck, accredited provider."),
    ("FAW-01", "First aid at work", "external", 36, None, ("pm", "purch"),
     "Three-day first aid at work course."),
    ("FIR-01", "Fire warden", "classroom", 24, None, ("pm", "purch", "qm"),
     "Evacuation, extinguishers, roll call."),
    ("MAN-01", "Manual handling", "classroom", 36, None, ("mach", "purch"),
     "Safe lifting, use of hoists for heavy bar and fixtures."),
    ("CR-01", "Contract review and quotation", "on_the_job", None, None, ("sales", "md"),
     "Using the enquiry log, estimating sheet and order review checklist."),
    ("SUP-01", "Supplier evaluation and goods-in checks", "on_the_job", None, None,
     ("purch", "insp"), "Approved supplier list, 3.1 certificates, heat numbers."),
]

TRAINERS = {
    "classroom": ["Daniel Okafor", "Stefan Brandt", "Northfield Training Services"],
    "on_the_job": ["Stefan Brandt", "Tomasz Nowak", "Jake Turner", "Gemma Holt"],
    "external": ["Northfield Training Services", "Midlands Quality Academy",
                 "Metrology Solutions Ltd"],
    "read_and_understood": ["self-study"],
}

#: (person, course) -> state, to make sure the matrix shows every status
TRAINING_OVERRIDES = {
    ("kevin", "SAF-01"): "expired",
    ("olga", "SAF-01"): "expiring",
    ("ben", "FLT-01"): "expired",
    ("laura", "FAW-01"): "expiring",
    ("arjun", "CMM-01"): "missing",
    ("ethan", "MIL-01"): "missing",
    ("ethan", "SET-01"): "missing",
    ("maria", "LAT-01"): "missing",
    ("daniel", "IA-01"): "current",
    ("chloe", "MEA-01"): "expired",
    ("stefan", "FIR-01"): "expiring",
}


# =========================================================================== risks

def _r(ref, title, kind, category, process, node, cause, effect, controls, treatment, owner,
       status, inherent, residual, ident, review, fmea=None, notes=""):
    return dict(ref=ref, title=title, kind=kind, category=category, process=process,
                node=node, cause=cause, effect=effect, controls=controls, treatment=treatment,
                owner=owner, status=status, inherent=inherent, residual=residual,
                ident=ident, review=review, fmea=fmea, notes=notes)


#: inherent/residual: (likelihood, impact) or None; fmea: (mode, S, O before, D before,
#: O now, D now); ident: days before today; review: days from today (negative = overdue)
RISKS = [
    _r("R-001", "Wrong drawing revision used for quotation or production", "risk",
       "Customer requirements", "CP-01", "log",
       "Customers e-mail drawings without a clear revision; superseded drawings stay in the "
       "shared folder.", "Parts made to an obsolete design: scrap, late delivery, complaint.",
       "Order review checklist asks for the drawing revision.",
       "Drawing register with revision check at order entry; superseded revisions archived.",
       "sophie", "treating", (3, 4), (2, 4), 420, 40),
    _r("R-002", "Tolerances accepted that the process cannot hold", "risk",
       "Customer requirements", "CP-01", "feasibility",
       "Quotations under time pressure without programmer review.",
       "High scrap and rework, late deliveries, complaints.",
       "Feasibility review by a programmer for all new parts.",
       "Capability (Cpk) summary per machine made available to estimators.",
       "marcus", "treating", (3, 4), (2, 3), 390, 55),
    _r("R-003", "Underestimated cycle times erode margin", "risk", "Financial", "CP-01",
       "estimate", "Estimates based on experience, not on CAM simulation times.",
       "Loss-making orders and overloaded machines.",
       "Post-calculation of every job above 5,000.",
       "Monthly comparison of estimated and actual hours per customer.",
       "priya", "monitoring", (4, 3), (3, 2), 500, 20),
    _r("R-004", "Dependence on one key hydraulics customer (38 % of turnover)", "risk",
       "Strategic", "MP-01", None,
       "Growth concentrated on one customer's product lines.",
       "Loss of over a third of turnover if the customer re-sources or insources.",
       "Quarterly account review with the customer.",
       "Diversify into food-processing machinery; target no customer above 30 %.",
       "helen", "treating", (3, 5), (3, 4), 600, 75),
    _r("R-005", "Material certificate missing or not matching the heat number", "risk",
       "Supplier", "SP-01", "goods_in",
       "Stockholders send generic certificates; certificates not compared with bar marking.",
       "Material not traceable; customer rejects the batch.",
       "Goods-in check of 3.1 certificates.",
       "Heat-number-specific certificates in the supplier quality agreement; goods-in "
       "checklist.", "laura", "treating", (3, 4), (2, 3), 350, -5),
    _r("R-006", "Single approved heat-treatment subcontractor", "risk", "Supplier", "SP-01",
       "select", "Only one approved heat treater within reach.",
       "Production stops for hardened parts if the subcontractor fails.",
       "Safety stock of hardened blanks for two repeat parts.",
       "Qualify a second heat-treatment subcontractor.",
       "laura", "treating", (2, 4), (2, 3), 300, 60),
    _r("R-007", "Late deliveries of stainless bar stock", "risk", "Supplier", "SP-01", "po",
       "Mill lead times of 10 to 14 weeks for less common diameters.",
       "Customer delivery dates missed.",
       "Minimum stock for the 12 most used diameters.",
       "Framework agreement with monthly call-offs.",
       "ben", "monitoring", (4, 3), (3, 3), 480, 30),
    _r("R-008", "Wrong tool or work offset entered at setup", "risk", "Production", "CP-02",
       "setup", "Manual entry of offsets; interruptions during setup.",
       "Whole batch out of tolerance; possible collision.",
       "First-off inspection before the batch runs.",
       "Setup checklist with second-person check; presetter data transferred via DNC.",
       "stefan", "treating", (4, 4), (2, 4), 410, 45,
       fmea=("Dimension shifted by an offset error", 7, 6, 4, 4, 3)),
    _r("R-009", "Tool wear causes bore diameter to drift oversize", "risk", "Production",
       "CP-02", "run", "Tool life not monitored on long runs.",
       "Oversize bores delivered; leak at the customer's assembly.",
       "In-process check every 25 parts.",
       "Tool-life counters in the control; SPC on critical bores.",
       "tomasz", "monitoring", (3, 4), (2, 3), 380, 25,
       fmea=("Bore oversize from worn boring bar", 8, 5, 5, 3, 4)),
    _r("R-010", "Burrs left in cross holes", "risk", "Production", "CP-02", "run",
       "Manual deburring of intersecting holes that cannot be seen.",
       "Contamination of the customer's hydraulic system; complaint.",
       "Visual check at final inspection.",
       "Back-deburring tool for cross holes; borescope check on a sample.",
       "priya", "treating", (3, 4), (2, 3), 260, 30,
       fmea=("Burr remains at cross-hole intersection", 7, 6, 6, 6, 6)),
    _r("R-011", "Parts from different batches mixed in one container", "risk", "Logistics",
       "CP-04", "pack", "Similar-looking parts; unlabelled containers at the machine.",
       "Wrong parts or untraceable parts shipped.",
       "Batch label on every container.",
       "One batch per bay; colour-coded bins per work order.",
       "ben", "monitoring", (2, 4), (1, 4), 330, 90,
       fmea=("Mixed batches in one container", 8, 3, 5, 2, 5)),
    _r("R-012", "Plating thickness out of specification after subcontract plating", "risk",
       "Supplier", "SP-01", "goods_in", "Variation in the plater's process.",
       "Customer rejects parts; corrosion in service.",
       "Visual check at goods-in.",
       "Thickness measurement on a sample of each lot (XRF).",
       "laura", "open", None, None, 150, 20,
       fmea=("Coating too thin", 6, 4, 6, 4, 6)),
    _r("R-013", "CAM program error not caught in simulation", "risk", "Production", "CP-03",
       "simulate", "Post-processor differences; fixtures not modelled in the simulation.",
       "Collision, machine damage, scrapped part.",
       "Toolpath simulation in CAM.",
       "Full machine simulation including fixtures for all 5-axis jobs.",
       "priya", "treating", (2, 5), (1, 5), 280, 50,
       fmea=("Collision due to unverified post-processed code", 9, 3, 5, 3, 4)),
    _r("R-014", "Wrong program version loaded at the machine", "risk", "Production", "CP-03",
       "transfer", "Programs kept on USB sticks and in machine memory.",
       "Batch made with an old program: scrap or escape.",
       "Program number contains the revision.",
       "Read-only released folder on the DNC server; USB ports disabled.",
       "tomasz", "treating", (3, 4), (1, 4), 240, 10,
       fmea=("Superseded program run", 7, 4, 6, 4, 6)),
    _r("R-015", "Characteristics missed at first-article inspection", "risk", "Production",
       "CP-03", "fai", "No ballooned drawing; inspector works from memory.",
       "Nonconforming characteristic goes unnoticed into series production.",
       "FAI report form.", "Ballooned drawing generated for every new part number.",
       "gemma", "monitoring", None, None, 400, 35,
       fmea=("Characteristic not inspected", 7, 5, 6, 2, 4)),
    _r("R-016", "Quarantined parts used or shipped", "risk", "Production", "SP-02",
       "quarantine", "Quarantine area not lockable; night shift moves parts.",
       "Nonconforming parts reach the customer.", "Red tags.",
       "Lockable quarantine cage, key held by quality.",
       "daniel", "closed", (2, 5), (1, 4), 700, 180),
    _r("R-017", "Concessions granted without customer approval", "risk", "Compliance",
       "SP-02", "concession", "Pressure to ship at month end.",
       "Breach of contract; loss of customer trust.",
       "QP-04 requires written approval.",
       "Only the Quality Manager may release parts under concession.",
       "daniel", "monitoring", (2, 4), (1, 4), 650, 120),
    _r("R-018", "Gauges used after their calibration due date", "risk", "Measurement",
       "SP-05", "due_list", "Due list kept in a spreadsheet by one person.",
       "Product accepted with a faulty gauge.", "Calibration labels.",
       "Due list reviewed in the weekly production meeting; gauges in a locked cabinet.",
       "arjun", "treating", (3, 4), (2, 3), 310, -12),
    _r("R-019", "CMM out of service with no backup", "risk", "Measurement", "SP-05", None,
       "Single CMM with an ageing controller.",
       "Release of parts delayed; deliveries late.",
       "Service contract with the manufacturer.",
       "Agreement with a local measuring laboratory for overflow work.",
       "gemma", "open", (2, 4), (2, 3), 200, 40),
    _r("R-020", "Inspection room above 23 °C during summer heatwaves", "risk",
       "Climate and environment", "CP-04", "sample",
       "No air conditioning in the inspection room; more frequent hot summers.",
       "Measurement errors on tight tolerances through thermal expansion.",
       "Temperature log; critical measurements moved to early morning.",
       "Air conditioning installed; temperature compensation in CMM programs.",
       "daniel", "treating", (3, 4), (1, 3), 330, 15,
       notes="Climate change judged relevant to our context (ISO 9001 Amd 1:2024)."),
    _r("R-021", "Programming know-how concentrated in two people", "risk", "People", "CP-03",
       None, "Complex 5-axis jobs programmed only by two programmers.",
       "Jobs cannot be programmed during absence or after a resignation.",
       "Setup sheets and program comments.",
       "Program template library; cross-training on 5-axis jobs.",
       "stefan", "treating", (3, 4), (2, 3), 450, 60),
    _r("R-022", "Skilled machinists hard to recruit", "risk", "People", "SP-04", None,
       "Tight regional labour market.",
       "Overtime, capacity limits, late deliveries.",
       "Apprenticeships with the local college.",
       "Two apprentices per year; referral bonus.",
       "helen", "monitoring", (4, 3), (3, 3), 520, 100),
    _r("R-023", "New employees run machines before competence sign-off", "risk", "People",
       "SP-04", "assess", "Urgent orders; sign-off not recorded.",
       "Errors, scrap, injuries.", "Training matrix.",
       "Sign-off required before solo work; matrix reviewed weekly.",
       "stefan", "monitoring", (3, 4), (2, 3), 340, 45),
    _r("R-024", "Training not repeated after a procedure revision", "risk", "Compliance",
       "SP-04", "record", "No trigger when a document changes.",
       "People follow an outdated procedure.", "None.",
       "New effective revisions trigger read-and-understood training in QMS Workbench.",
       "daniel", "treating", (3, 3), (2, 2), 230, 30),
    _r("R-025", "Internal audits not completed as scheduled", "risk", "Compliance", "SP-03",
       "plan", "The Quality Manager is the only trained auditor.",
       "Processes not audited; finding at the certification audit.", "Audit programme.",
       "Train two more internal auditors.", "daniel", "treating", (3, 3), (2, 3), 260, -20),
    _r("R-026", "Corrective actions closed without an effectiveness check", "risk",
       "Compliance", "SP-02", "ca", "Pressure to close NCRs quickly.",
       "Problems come back.", "QP-06.",
       "Effectiveness check date mandatory in the action log.",
       "daniel", "monitoring", (3, 3), (2, 2), 210, 60),
    _r("R-027", "Spindle failure on the 5-axis machining centre", "risk", "Equipment",
       "CP-02", "run", "High spindle hours; no vibration monitoring.",
       "Weeks of downtime; 5-axis work must be subcontracted.",
       "Preventive maintenance to the maker's schedule.",
       "Vibration analysis twice a year; quotation for a spare spindle.",
       "stefan", "open", (2, 5), (2, 4), 120, 30),
    _r("R-028", "Ransomware attack on the CAM and ERP server", "risk",
       "Information security", "MP-01", None, "Phishing e-mail; unpatched server.",
       "Loss of programs, orders and quality records; production stops.",
       "Daily backup to a NAS.",
       "Weekly offline backup; phishing awareness; multi-factor remote access.",
       "helen", "treating", (3, 5), (2, 4), 280, -3),
    _r("R-029", "Customer drawings passed to third parties", "risk", "Information security",
       "CP-01", None, "Drawings e-mailed to subcontractors without confidentiality terms.",
       "Loss of customer trust; contractual penalties.",
       "NDA with key suppliers.",
       "Send only the views needed; NDA check in supplier approval.",
       "marcus", "monitoring", (2, 4), (1, 4), 360, 90),
    _r("R-030", "Heavy parts damaged in transit", "risk", "Logistics", "CP-04", "pack",
       "Packaging not suited to flanges above 20 kg.",
       "Damaged parts, rework, complaint.", "Packing instruction.",
       "Wooden crates and VCI film for parts above 20 kg.",
       "ben", "closed", (3, 3), (2, 2), 560, 200),
    _r("R-031", "Energy price rise increases machining cost", "risk",
       "Climate and environment", "MP-01", None,
       "Energy-intensive machining; compressed-air leaks.",
       "Margins shrink on fixed-price contracts.", "Annual fixed-price energy contract.",
       "Compressed-air leak survey; standby modes on idle machines.",
       "helen", "open", (4, 3), (3, 3), 180, 45),
    _r("R-032", "Coolant concentration drift causes rust on steel parts", "risk",
       "Production", "CP-02", "run", "Concentration checked only weekly.",
       "Corrosion on parts; rejection.", "Weekly refractometer check.",
       "Daily concentration check logged at each machine.",
       "stefan", "monitoring", (3, 3), (2, 2), 300, 70),
    _r("R-033", "Delivery dates confirmed without a capacity check", "risk", "Customer",
       "CP-02", "enter", "Order entry without a view of machine load.",
       "Late deliveries; on-time delivery objective missed.",
       "Weekly planning meeting.", "Capacity view in the ERP before confirming dates.",
       "sophie", "treating", (4, 3), (3, 3), 250, 20),
    _r("R-034", "Drawing changes after order placement not formally notified", "risk",
       "Customer requirements", "CP-01", "order_review",
       "Engineering changes agreed by phone.",
       "Parts made to the wrong revision.", "None.",
       "Change acknowledgement form; order reviewed again on every change.",
       "marcus", "treating", (3, 4), (2, 3), 90, 30),
    _r("R-035", "Flooding of the machining hall after heavy rain", "risk",
       "Climate and environment", "MP-01", None,
       "Site near a stream; surface drains undersized for heavier rainfall.",
       "Damage to machine controls; extended downtime.", "Insurance cover.",
       "Drain survey; raised plinths for control cabinets; flood response plan.",
       "helen", "open", (2, 5), (2, 3), 100, 60,
       notes="Climate change judged relevant to our context (ISO 9001 Amd 1:2024)."),
    _r("O-001", "Offer deburring and cleaning as a service", "opportunity", "Growth",
       "CP-01", None, "Customers ask for ready-to-assemble parts.",
       "Higher value per part; stronger customer ties.", "",
       "Pilot with two existing customers.", "marcus", "open", (3, 3), (4, 3), 140, 60),
    _r("O-002", "Unmanned overnight running with bar feeders", "opportunity", "Productivity",
       "CP-02", "run", "Lathes idle overnight.", "About 20 % more lathe capacity without "
       "hiring.", "", "Bar feeder for the Mazak QT-250 as a pilot.",
       "stefan", "treating", (3, 4), (4, 4), 210, 45),
    _r("O-003", "Enter the food-processing machinery sector", "opportunity", "Strategic",
       "MP-01", None, "Stainless steel expertise; regional food machinery makers.",
       "New customers; less dependence on hydraulics (see R-004).", "",
       "Trade fair visit and three targeted quotations.", "helen", "treating", (3, 4),
       (3, 4), 330, 90),
    _r("O-004", "Solar panels on the factory roof", "opportunity", "Climate and environment",
       "MP-01", None, "Large flat roof; high daytime electricity use.",
       "Lower energy cost; answers customers' carbon questions.", "",
       "Obtain quotations and a structural survey.", "helen", "open", (3, 3), (4, 3), 160,
       120),
    _r("O-005", "Send digital inspection data with each delivery", "opportunity",
       "Customer", "CP-04", "coc", "Customers want measurement data for their own incoming "
       "inspection.", "Customers reduce incoming checks; preferred-supplier status.", "",
       "Export CMM results with the certificate of conformity.", "gemma", "open", (3, 3),
       (4, 3), 75, 75),
]


# =========================================================================== actions

def _a(link, title, kind, owner, due, status, done=None, check="", check_due=None,
       effective=None, description=""):
    """link: ("risk", ref) | ("finding", n) | ("nc", 0) | ("review", 0); days relative to
    today (negative = in the past)."""
    return dict(link=link, title=title, kind=kind, owner=owner, due=due, status=status,
                done=done, check=check, check_due=check_due, effective=effective,
                description=description)


RISK_ACTIONS = [
    _a(("risk", "R-001"), "Set up drawing register with revision check at order entry",
       "treatment", "sophie", -40, "done", done=-44,
       check="No order entered against a superseded drawing revision for three months.",
       check_due=50),
    _a(("risk", "R-002"), "Publish machine capability (Cpk) summary for estimators",
       "treatment", "priya", 30, "in_progress"),
    _a(("risk", "R-004"), "Win two customers in the food-processing machinery sector",
       "treatment", "helen", 120, "in_progress"),
    _a(("risk", "R-005"), "Add heat-number certificate clause to supplier quality agreements",
       "treatment", "laura", -12, "in_progress",
       description="Agreements with the four bar-stock suppliers to be re-signed."),
    _a(("risk", "R-006"), "Qualify a second heat-treatment subcontractor", "treatment",
       "laura", 60, "open"),
    _a(("risk", "R-008"), "Introduce setup checklist with second-person offset check",
       "treatment", "stefan", -90, "verified", done=-100,
       check="Offset-related scrap events per quarter fall from 6 to at most 1.",
       check_due=-10, effective=True),
    _a(("risk", "R-008"), "Transfer presetter data to machines via DNC", "treatment",
       "stefan", 75, "open"),
    _a(("risk", "R-009"), "Activate tool-life counters on lathes L01 to L04", "treatment",
       "tomasz", -30, "done", done=-35,
       check="No oversize bores in the next 20 batches of HM-120.", check_due=40),
    _a(("risk", "R-010"), "Add back-deburring tool to cross-hole operations", "treatment",
       "priya", -5, "in_progress"),
    _a(("risk", "R-013"), "Pilot full machine simulation for 5-axis jobs", "treatment",
       "priya", 45, "in_progress"),
    _a(("risk", "R-014"), "Read-only released folder on DNC server; disable USB ports",
       "treatment", "tomasz", -20, "open"),
    _a(("risk", "R-015"), "Generate ballooned drawings for all new part numbers", "treatment",
       "gemma", -60, "verified", done=-75,
       check="Next ten FAIs audited: every characteristic ballooned and reported.",
       check_due=-15, effective=True),
    _a(("risk", "R-018"), "Review calibration due list in the weekly production meeting",
       "treatment", "arjun", -70, "done", done=-74,
       check="No instrument found past due in two consecutive monthly checks.",
       check_due=-7),
    _a(("risk", "R-019"), "Buy a second-hand backup CMM", "treatment", "gemma", -30,
       "cancelled",
       description="Cancelled: overflow agreement with a local measuring laboratory is "
                   "cheaper and sufficient."),
    _a(("risk", "R-020"), "Add temperature compensation to CMM measurement programs",
       "treatment", "gemma", 20, "open"),
    _a(("risk", "R-021"), "Build program template library and cross-train on 5-axis jobs",
       "treatment", "stefan", 90, "in_progress"),
    _a(("risk", "R-023"), "Require competence sign-off before solo machine work", "treatment",
       "stefan", -150, "verified", done=-160,
       check="All machinists hired in the last six months have a sign-off on file.",
       check_due=-30, effective=True),
    _a(("risk", "R-024"), "Trigger read-and-understood training on new procedure revisions",
       "treatment", "daniel", -10, "done", done=-14),
    _a(("risk", "R-028"), "Weekly offline backup and phishing awareness session",
       "treatment", "helen", -3, "in_progress"),
    _a(("risk", "R-031"), "Compressed-air leak survey", "treatment", "stefan", 30, "open"),
    _a(("risk", "R-033"), "Capacity view in the ERP before confirming delivery dates",
       "treatment", "sophie", 14, "in_progress"),
    _a(("risk", "R-034"), "Introduce customer change acknowledgement form", "treatment",
       "marcus", -25, "open"),
    _a(("risk", "R-035"), "Commission drain survey and flood response plan", "treatment",
       "helen", 100, "open"),
    _a(("risk", "O-001"), "Pilot deburring and cleaning service with two customers",
       "improvement", "marcus", 40, "open"),
    _a(("risk", "O-002"), "Obtain quotation for a bar feeder on the Mazak QT-250",
       "improvement", "stefan", -8, "done", done=-9),
    _a(("risk", "O-004"), "Obtain solar installation quotations and roof survey",
       "improvement", "helen", 60, "open"),
]

# ---------------------------------------------------------------------- gap analysis

#: clause -> (result, evidence, notes); leaf clauses not listed are not assessed yet
GAP_RESPONSES = {
    "4.1": ("partial", "SWOT from the strategy day lists market, staffing and energy issues.",
            "Not reviewed for two years; no decision recorded on climate change."),
    "4.2": ("partial", "Customer list with main requirements kept by sales.",
            "Other interested parties (owners, staff, authorities, neighbours) not listed."),
    "4.3": ("conform", "Scope in quality manual draft 0.3; 8.3 not applicable (build to "
                       "print) with reason.", ""),
    "4.4": ("partial", "Process map with ten processes; turtle diagrams for four.",
            "Indicators defined for core processes only."),
    "5.1.1": ("conform", "Monthly management meeting minutes include quality KPIs; "
                         "chaired by the MD.", ""),
    "5.1.2": ("conform", "Scorecards of the two key customers reviewed monthly by the MD.", ""),
    "5.2.1": ("conform", "Quality policy revision 2 signed by the MD.", ""),
    "5.2.2": ("partial", "Policy on the canteen notice board and in the induction.",
              "Two machinists interviewed could not say what it means for their work."),
    "5.3": ("partial", "Organisation chart is current.",
            "No job descriptions for programmers and inspectors."),
    "6.1": ("partial", "Risk register with 35 risks and 5 opportunities; FMEA on key "
                       "machining operations.",
            "Effectiveness of completed actions not yet reviewed."),
    "6.2": ("conform", "Five objectives with targets, owners and monthly charts.", ""),
    "6.3": ("nonconform", "", "No planning record for last year's move of the inspection "
                              "room."),
    "7.1.1": ("conform", "Capacity plan in the ERP; make-or-buy list for surface "
                         "treatments.", ""),
    "7.1.2": ("conform", "Shift plan with cover matrix.", ""),
    "7.1.3": ("partial", "Preventive maintenance plan for all CNC machines.",
              "Compressor and forklift not in the plan; no IT restore test."),
    "7.1.4": ("partial", "Temperature logger in the inspection room.",
              "Above 23 °C on 14 days last summer without recorded action."),
    "7.1.5.1": ("conform", "Gauge register with 212 instruments; gauge R&R for CMM and air "
                           "gauges.", ""),
    "7.1.5.2": ("partial", "Certificates from an accredited laboratory.",
                "3 of 40 sampled instruments past their due date."),
    "7.1.6": ("nonconform", "", "No lessons-learned log; setup know-how held by individuals."),
    "7.2": ("partial", "Training matrix kept in a spreadsheet.",
            "Several expired safety courses; sign-off of new starters not recorded."),
    "7.3": ("partial", "Induction covers the policy.", "Toolbox talks not recorded."),
    "7.4": ("conform", "Weekly production meeting; customer contact through sales.", ""),
    "7.5.1": ("conform", "Master document list.", ""),
    "7.5.2": ("conform", "Procedures carry header, revision and approval.", ""),
    "7.5.3": ("partial", "Read-only document folders for the shop floor.",
              "Printed superseded setup sheets found at two machines."),
    "8.1": ("conform", "Works orders with route cards and control plans for repeat parts.", ""),
    "8.2.1": ("conform", "Complaint log; correspondence filed per order.", ""),
    "8.2.2": ("conform", "Enquiry checklist used for new parts.", ""),
    "8.2.3": ("partial", "Order review checklist in use.",
              "Not signed for repeat orders with changed quantities."),
    "8.2.4": ("nonconform", "", "Drawing change for HP-3310 accepted by phone; no amendment "
                                "record."),
    "8.3.1": ("na", "Build to print only; exclusion justified in the scope.", ""),
    "8.3.2": ("na", "", "Not applicable: no design responsibility (see 8.3.1)."),
    "8.3.3": ("na", "", "Not applicable: no design responsibility (see 8.3.1)."),
    "8.3.4": ("na", "", "Not applicable: no design responsibility (see 8.3.1)."),
    "8.3.5": ("na", "", "Not applicable: no design responsibility (see 8.3.1)."),
    "8.3.6": ("na", "", "Not applicable: no design responsibility (see 8.3.1)."),
    "8.4.1": ("partial", "Approved supplier list with ratings.",
              "Re-evaluation overdue for six suppliers."),
    "8.4.2": ("conform", "Goods-in inspection with 3.1 certificate check.", ""),
}

# ---------------------------------------------------------------------- internal audit

#: clause, title, guidance, expected evidence, (result, evidence, notes)
AUDIT_ITEMS = [
    ("8.2.3", "Order review",
     "Take three recent orders: was each compared with the quotation and drawing revision "
     "before it was acknowledged?", "Signed order review checklists; acknowledgements",
     ("conform", "Sales orders SO-4815, SO-4832 and SO-4850 reviewed and signed.", "")),
    ("8.1", "Works order and route card",
     "Does the works order state material, operations, program number and inspection plan?",
     "Works orders; route cards",
     ("conform", "Route cards complete for the five jobs on the floor.", "")),
    ("8.5.1", "Setup and first-off approval",
     "Is the first-off approved and recorded before the batch runs?",
     "First-off records; setup sheets",
     ("conform", "First-off approvals signed on all sampled jobs.",
      "Offsets entered by hand from the presetter printout.")),
    ("7.5.3", "Current documents at the machine",
     "Are the drawing, setup sheet and program at the machine the current revisions?",
     "Documents at the machine compared with the register",
     ("nonconform", "Machine M04, part HP-3310 rev C.",
      "Setup sheet still references program O3310 rev B.")),
    ("7.1.5.2", "Measuring equipment in use",
     "Are the gauges in use at the machines calibrated and labelled?",
     "Calibration labels; gauge register",
     ("nonconform", "Bore gauge BG-014 at machine M07.", "Three weeks past its due date.")),
    ("8.5.1", "In-process checks",
     "Are in-process checks done and recorded at the stated frequency?",
     "Inspection records; SPC charts",
     ("partial", "Checks recorded on all sampled jobs.",
      "Frequency not stated on the route card for two jobs on lathe L03.")),
    ("8.5.2", "Traceability",
     "Can a finished batch be traced to its material certificate and heat number?",
     "Batch labels; certificates",
     ("conform", "Batch WO-10790 traced to heat 4471823 and its 3.1 certificate.", "")),
    ("8.7", "Nonconforming parts",
     "Are rejected parts tagged, in quarantine and covered by an NCR?",
     "Quarantine cage; NCR log",
     ("partial", "NCR log up to date.", "Quarantine cage found unlocked (empty).")),
    ("8.6", "Final inspection and release",
     "Is every batch released by an authorised inspector before dispatch?",
     "Release signature on route cards; final inspection records",
     ("nonconform", "Dispatch records of the last four weeks.",
      "Batch WO-10871 shipped without final inspection record or release signature.")),
    ("8.5.4", "Packing and preservation",
     "Are parts protected and packed to customer instructions?",
     "Packing instructions; consignments ready for dispatch",
     ("conform", "Crates with VCI film for flanges; labels correct.", "")),
    ("7.2", "Operator competence",
     "Are the operators on the audited jobs signed off for their machines?",
     "Training matrix; sign-off records",
     ("conform", "All five operators signed off.", "")),
    ("9.1.1", "Process performance",
     "Are on-time delivery and scrap measured for the process and discussed?",
     "KPI charts; meeting minutes",
     ("partial", "Monthly KPI report exists.", "Figures not visible to the shop floor.")),
]

#: item index (0-based), kind, description, correction, root cause, status, actions
AUDIT_FINDINGS = [
    (8, "major", "Batch WO-10871 (flange FL-220, 120 pcs) was shipped without a final "
                 "inspection record or release signature; two further route cards from the "
                 "same week are incomplete. Release before dispatch is not assured.",
     "Customer informed; batch re-inspected at the customer's site by our inspector; missing "
     "records completed.",
     "Dispatch is possible in the ERP without a booked release; at month end the packer "
     "shipped on the planner's instruction.", "open",
     [("correction", "Re-inspect batch WO-10871 at customer and complete records", "gemma",
       -10, "done", -11, "", None, None),
      ("corrective", "Block dispatch in the ERP until the final release is booked", "daniel",
       21, "in_progress", None,
       "Audit 20 route cards two months after go-live: all released before dispatch.", 80,
       None)]),
    (4, "minor", "Bore gauge BG-014 in use at machine M07 was three weeks past its "
                 "calibration due date.",
     "Gauge withdrawn and calibrated (found within tolerance); no product affected.",
     "Due list reviewed only when the inspector has time; gauges are kept at the machines.",
     "open",
     [("correction", "Withdraw and calibrate BG-014; assess parts measured with it", "arjun",
       -12, "done", -13, "", None, None),
      ("corrective", "Gauge cabinet with due-date check-out", "arjun", 14, "open", None,
       "No gauge past due found in three monthly spot checks.", 100, None)]),
    (3, "minor", "Setup sheet for HP-3310 rev C at machine M04 references program O3310 "
                 "rev B; the operator used the correct program from the DNC server.",
     "Setup sheet corrected and reissued.",
     "Setup sheets are separate files not linked to the program revision.", "open",
     [("correction", "Correct and reissue the setup sheet for HP-3310", "tomasz", -11,
       "verified", -12, "Setup sheet matches program revision at the machine.", -5, True),
      ("corrective", "Link setup sheets to the program revision on the DNC server", "priya",
       45, "open", None, "Ten random setup sheets match their program revision.", 110,
       None)]),
    (7, "observation", "The quarantine cage was unlocked during the audit (no parts inside).",
     "", "", "open",
     [("preventive", "Fit a padlock to the quarantine cage; key held by quality", "daniel",
       -2, "open", None, "", None, None)]),
    (5, "observation", "The in-process check frequency is not stated on the route card for "
                       "two jobs on lathe L03; operators checked every 20 parts by habit.",
     "", "", "open", []),
    (2, "ofi", "Presetter data could be transferred to the machines over DNC to remove "
               "manual offset entry (see risk R-008).", "", "", "open",
     [("improvement", "Evaluate direct presetter-to-machine data transfer", "stefan", 75,
       "open", None, "", None, None)]),
    (11, "ofi", "On-time delivery and scrap could be displayed on the shop floor to involve "
                "operators.", "", "", "open",
     [("improvement", "Install a shop-floor KPI board for OTD and scrap", "stefan", 30,
       "open", None, "", None, None)]),
]

# ---------------------------------------------------------------------- objectives

#: ref, title, process, owner, target, unit, direction, start value, end value, noise,
#: decimals, description
OBJECTIVES = [
    ("OBJ-01", "On-time delivery", "CP-02", "stefan", 95.0, "%", ">=", 89.0, 93.8, 1.6, 1,
     "Order lines delivered on or before the confirmed date, per month."),
    ("OBJ-02", "Customer rejects", "CP-04", "daniel", 800.0, "ppm", "<=", 1450.0, 760.0,
     160.0, 0, "Parts rejected by customers per million parts delivered."),
    ("OBJ-03", "Internal scrap rate", "CP-02", "stefan", 1.5, "%", "<=", 2.4, 1.7, 0.25, 2,
     "Scrapped parts as a share of parts produced."),
    ("OBJ-04", "Supplier on-time delivery", "SP-01", "laura", 92.0, "%", ">=", 86.0, 91.0,
     2.0, 1, "Purchase order lines received on time."),
    ("OBJ-05", "Training matrix completion", "SP-04", "stefan", 95.0, "%", ">=", 82.0, 91.0,
     1.5, 1, "Required courses current for active employees."),
]

#: objective ref -> (process code, node key) where the objective is measured
OBJECTIVE_NODES = [("OBJ-01", "CP-02", "invoice"), ("OBJ-03", "CP-02", "run"),
                   ("OBJ-04", "SP-01", "rate"), ("OBJ-02", "CP-04", "sample"),
                   ("OBJ-05", "SP-04", "record")]

# ---------------------------------------------------------------------- NC and review

NONCONFORMITY = dict(
    title="Customer complaint: bore oversize on manifold block HM-120",
    description="The customer rejected 60 of 400 manifold blocks HM-120 (batch WO-10844): bore "
                "Ø18H7 measured up to 18.024 mm (limit 18.018 mm). Found at the customer's "
                "leak test.",
    source="customer complaint", process="CP-02", status="action", detected=-19,
    correction="Stock and WIP sorted with an air gauge (12 further parts rejected); 60 "
               "replacement blocks delivered within five days.",
    root_cause="Boring bar wear on long runs: tool life not monitored and the in-process check "
               "every 25 parts measured with a calliper unsuited to an H7 tolerance.",
    actions=[("correction", "Sort stock and WIP; replace 60 blocks at the customer", "gemma",
              -17, "verified", -16, "Customer confirmed receipt and acceptance.", -12, True),
             ("corrective", "Tool-life counter and SPC chart for bore Ø18H7 on HM-120",
              "tomasz", 10, "in_progress", None,
              "No oversize bores in the next ten batches.", 70, None),
             ("corrective", "Control plan: air-gauge check of the bore for the next five "
                            "batches", "gemma", -4, "done", -5, "", None, None)],
)

REVIEW = dict(
    held=-120, chair="Helen Marsh", status="held",
    attendees="Helen Marsh (Managing Director), Daniel Okafor (Quality Manager), Stefan Brandt "
              "(Production Manager), Sophie Lang (Sales), Laura Fischer (Purchasing)",
    inputs=(
        "Actions from the previous review: 5 of 6 closed; auditor training still open.\n"
        "Changes in context: main hydraulics customer's volumes down 8 %; energy prices up; "
        "two heatwave periods affected the inspection room. Climate change judged relevant.\n"
        "Customer satisfaction: scorecards 'B' from both key customers; 3 complaints in six "
        "months.\n"
        "Objectives: on-time delivery 91.8 % (target 95 %), customer rejects 1,050 ppm "
        "(target 800), scrap 2.0 % (target 1.5 %).\n"
        "Nonconformities and corrective actions: 14 NCRs; 2 corrective actions overdue.\n"
        "Audit results: 3 internal audits, 5 minor findings; certification body surveillance "
        "with 1 minor finding.\n"
        "Suppliers: on-time delivery 89 %; stainless bar supplier below 85 % for three months.\n"
        "Resources: one machinist vacancy; inspection room needs air conditioning.\n"
        "Risks and opportunities: register reviewed; 4 risks rated high.\n"
        "Improvement opportunities: bar feeders for unmanned running; food machinery "
        "sector."),
    outputs=(
        "Quality policy confirmed; climate commitment added.\n"
        "Objectives for the next period unchanged; OTD action plan led by Production.\n"
        "Invest in air conditioning for the inspection room.\n"
        "Train two further internal auditors.\n"
        "Recruit an apprentice machinist.\n"
        "Monthly customer scorecard review in the sales meeting."),
    minutes=(
        "The MD opened the review and confirmed that the QMS remains suitable for the "
        "business. Discussion focused on late deliveries: most were caused by material lead "
        "times and machine capacity on the lathes. The team agreed that climate-related "
        "risks (heat in the inspection room, flooding) belong in the risk register. The "
        "next review is planned in six months."),
    actions=[("review", "Install air conditioning in the inspection room before summer",
              "helen", -30, "done", -35, "Inspection room below 22 °C on all summer days.",
              60, None),
             ("review", "Train two further internal auditors (ISO 19011 course)", "daniel",
              -15, "open", None, "", None, None),
             ("review", "Recruit an apprentice machinist", "stefan", -60, "verified", -70,
              "Apprentice started and enrolled at college.", -40, True),
             ("review", "Monthly customer scorecard review in the sales meeting", "sophie",
              20, "in_progress", None, "", None, None)],
)


# =========================================================================== building

Progress = Callable[[str], None]


def create_demo(path: Path | str, *, overwrite: bool = False, today: dt.date | None = None,
                progress: Progress | None = None) -> Path:
    """Write the demo workspace to ``path`` (``.qms`` added if missing) and return its path.

    The workspace is built in a temporary file beside ``path`` and moved into place when
    complete, so a failure never leaves a half-built demo or touches an existing file.
    Raises WorkspaceError when ``path`` exists and ``overwrite`` is false, or when an existing
    workspace at ``path`` is open in another program.
    """
    today = today or dt.date.today()
    say = progress or (lambda _m: None)
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if path.is_dir():
        raise WorkspaceError(f"“{path.name}” is a folder; choose a file name for the demo.")
    if path.exists() and not overwrite:
        raise WorkspaceError(
            f"“{path.name}” already exists; choose another name or allow replacing it.")
    if not path.parent.is_dir():
        raise WorkspaceError(f"The folder “{path.parent}” does not exist; create it first.")
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.demo{SUFFIX}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    say("creating the workspace")
    ws = create_workspace(tmp, user=DEMO_USER)
    try:
        with ws.session() as s:
            _Builder(s, today, say).build()
    except BaseException:
        ws.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    ws.close()
    say("moving the demo into place")
    try:
        if path.exists():
            lock = Lock(path, DEMO_USER)
            lock.acquire()  # refuses when the workspace is open elsewhere
            try:
                os.replace(tmp, path)
            finally:
                lock.release()
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    say("done")
    return path


@dataclass
class _Box:
    """Geometry of a placed node (top-left corner, size)."""
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _crosses(points: list[list[float]], box: _Box) -> bool:
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        lx, hx, ly, hy = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        if lx < box.x + box.w - 1 and hx > box.x + 1 and ly < box.y + box.h - 1 \
                and hy > box.y + 1:
            return True
    return False


def edge_waypoints(a: _Box, b: _Box, *, from_decision: bool = False,
                   obstacles: list[_Box] = (),
                   taken: frozenset = frozenset()) -> list[list[float]]:
    """Orthogonal route from box ``a`` to box ``b`` for a left-to-right flowchart.

    Candidate routes are tried in order of preference and the first that passes through none
    of ``obstacles`` (the other nodes) is used. A branch leaving a decision for another row
    prefers the diamond's top or bottom corner, so each branch has its own exit; routes leaving
    by a corner in ``taken`` (the one the flow comes in by, or another exit's) come last.
    """
    down = b.cy > a.cy
    a_out_v = a.y + a.h if down else a.y     # a's bottom (or top) towards b
    b_in_v = b.y if down else b.y + b.h      # b's top (or bottom) facing a
    cands: list[list[list[float]]] = []
    if abs(a.cx - b.cx) < 1:  # same column: straight up or down
        cands.append([[a.cx, a_out_v], [b.cx, b_in_v]])
    elif b.x >= a.x + a.w:  # forward
        if abs(a.cy - b.cy) < 1:
            cands.append([[a.x + a.w, a.cy], [b.x, b.cy]])
        decision_l = [[a.cx, a_out_v], [a.cx, b.cy], [b.x, b.cy]]
        if from_decision:
            cands.append(decision_l)
        for mx in ((a.x + a.w + b.x) / 2, b.x - 20.0, a.x + a.w + 20.0):
            mx = round(mx, 1)
            cands.append([[a.x + a.w, a.cy], [mx, a.cy], [mx, b.cy], [b.x, b.cy]])
        if not from_decision:
            cands.append(decision_l)
    top = min(a.y, b.y) - 18.0
    bottom = max(a.y + a.h, b.y + b.h) + 18.0
    if b.x < a.x + a.w and not abs(a.cx - b.cx) < 1:  # backward: a loop
        if from_decision:  # the diamond's left corner is where its flow comes in: go round
            cands.append([[a.cx, a.y + a.h], [a.cx, bottom], [b.cx, bottom], [b.cx, b.y + b.h]])
        cands.append([[a.x, a.cy], [b.cx, a.cy], [b.cx, b_in_v]])
        cands.append([[a.cx, a_out_v], [a.cx, b.cy], [b.x + b.w, b.cy]])
    cands.append([[a.cx, a.y], [a.cx, top], [b.cx, top], [b.cx, b.y]])
    cands.append([[a.cx, a.y + a.h], [a.cx, bottom], [b.cx, bottom], [b.cx, b.y + b.h]])
    # routes leaving by a corner another connector already uses come last (``taken``)
    free = [c for c in cands if tuple(c[0]) not in taken]
    for c in free + [c for c in cands if tuple(c[0]) in taken]:
        if not any(_crosses(c, o) for o in obstacles):
            return c
    return free[0] if free else cands[0]


class _Builder:
    def __init__(self, s: Session, today: dt.date, say: Progress):
        self.s = s
        self.today = today
        self.say = say
        self.rng = random.Random(SEED)
        self.roles: dict[str, m.Role] = {}
        self.people: dict[str, m.Person] = {}
        self.processes: dict[str, m.Process] = {}
        self.nodes: dict[tuple[str, str], m.ProcessNode] = {}
        self.documents: dict[str, m.Document] = {}
        self.courses: dict[str, m.Course] = {}
        self.risks: dict[str, m.Risk] = {}
        self.objectives: dict[str, m.Objective] = {}
        self.action_no = 0

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def pid(self, key: str | None) -> int | None:
        return self.people[key].id if key else None

    def add(self, *objs):
        self.s.add_all(objs)
        return objs[0] if len(objs) == 1 else objs

    def build(self) -> None:
        self.say("organisation, roles and people")
        self.organisation()
        self.say("processes and process maps")
        self.process_records()
        self.document_records()
        self.process_maps()
        self.say("training matrix")
        self.training()
        self.say("risk register")
        self.risk_register()
        self.say("gap analysis")
        self.gap_analysis()
        self.say("internal audit")
        self.internal_audit()
        self.say("objectives, nonconformity and management review")
        self.objective_records()
        self.nonconformity()
        self.management_review()
        self.add(m.Setting(key="demo", value=json.dumps(
            {"generator": "qms_desktop.services.demo", "seed": SEED,
             "today": self.today.isoformat()}, sort_keys=True)))
        self.s.flush()

    # ------------------------------------------------------------------ organisation
    def organisation(self) -> None:
        self.add(m.Organization(name=ORG_NAME, scope=SCOPE, quality_policy=QUALITY_POLICY,
                                sites=SITES))
        for key, name, desc in ROLES:
            self.roles[key] = self.add(m.Role(name=name, description=desc))
        for key, name, no, dept, _roles, months, active in PEOPLE:
            first, last = name.lower().replace("'", "").split(" ", 1)
            self.people[key] = self.add(m.Person(
                name=name, email=f"{first}.{last.replace(' ', '')}@nordwind-pc.example",
                employee_no=no, department=dept, active=active,
                hired_on=add_months(self.today, -months) - dt.timedelta(days=months % 11)))
        self.s.flush()
        for key, *_rest in PEOPLE:
            for role in _rest[3]:
                self.add(m.PersonRole(person_id=self.people[key].id,
                                      role_id=self.roles[role].id))

    # ------------------------------------------------------------------ processes
    def process_records(self) -> None:
        for p in PROCESSES:
            self.processes[p["code"]] = self.add(m.Process(
                code=p["code"], name=p["name"], owner_role_id=self.roles[p["owner"]].id,
                purpose=p["purpose"], suppliers=p["suppliers"], inputs=p["inputs"],
                outputs=p["outputs"], customers=p["customers"], resources=p["resources"],
                kpis=p["kpis"], status=p["status"]))
        self.s.flush()

    def document_records(self) -> None:
        for d in DOCUMENTS:
            revs = d["revisions"]
            effective = [r for r in revs if r[4]]
            current = effective[-1][0]
            doc = self.add(m.Document(
                number=d["number"], title=d["title"], kind=d["kind"],
                owner_id=self.pid(d["owner"]),
                process_id=self.processes[d["process"]].id if d["process"] else None,
                status="effective", current_revision=current, purpose=d["purpose"],
                scope=d["scope"], body=d["body"]))
            self.documents[d["number"]] = doc
        self.s.flush()
        for d in DOCUMENTS:
            doc = self.documents[d["number"]]
            current = doc.current_revision
            for number, days, summary, author, approver in d["revisions"]:
                if not approver:
                    status = "draft"
                elif number == current:
                    status = "effective"
                else:
                    status = "obsolete"
                self.add(m.Revision(document_id=doc.id, number=number,
                                    issued_on=self.day(-days) if approver else None,
                                    change_summary=summary, author=author, approver=approver,
                                    status=status))

    def process_maps(self) -> None:
        boxes: dict[tuple[str, str], _Box] = {}
        for code, flow in FLOWS.items():
            proc = self.processes[code]
            ncols = max(n[3] for n in flow["nodes"]) + 1
            width = LANE_HEADER + ncols * COL_W
            lanes = {}
            for i, (key, name, role) in enumerate(flow["lanes"]):
                lanes[key] = self.add(m.ProcessLane(
                    process_id=proc.id, key=f"lane_{key}", name=name,
                    role_id=self.roles[role].id if role else None, order=i,
                    x=0.0, y=i * LANE_H, w=width, h=LANE_H))
            self.s.flush()
            for key, kind, lane_key, col, name, opt in flow["nodes"]:
                lane = lanes[lane_key]
                w, h = NODE_SIZE[kind]
                cx = LANE_HEADER + col * COL_W + COL_W / 2
                cy = lane.y + ROW_CY[opt.get("row", 0)]
                box = _Box(cx - w / 2, cy - h / 2, w, h)
                boxes[(code, key)] = box
                sub = opt.get("sub")
                self.nodes[(code, key)] = self.add(m.ProcessNode(
                    process_id=proc.id, key=key, kind=kind, bpmn_type=BPMN_TYPE[kind],
                    name=name, description=opt.get("desc", ""), lane_id=lane.id,
                    role_id=lane.role_id,
                    subprocess_id=self.processes[sub].id if sub else None,
                    duration_minutes=float(opt["minutes"]) if "minutes" in opt else None,
                    x=box.x, y=box.y, w=box.w, h=box.h))
            self.s.flush()
            # corners of each decision already taken: the one its flow comes in by (from the
            # left), then each exit's, so no two connectors share a corner
            taken: dict[str, set[tuple[float, float]]] = {}
            for src, dst, _label in flow["edges"]:
                d = boxes[(code, dst)]
                if self.nodes[(code, dst)].kind == "decision" and boxes[(code, src)].cx < d.cx:
                    taken.setdefault(dst, set()).add((d.x, d.cy))
            # a decision's loops back are routed first: they get the bottom corner, the way
            # forward leaves by the right one
            routes: dict[tuple[str, str], list] = {}
            for src, dst, _label in sorted(
                    flow["edges"], key=lambda e: not (
                        self.nodes[(code, e[0])].kind == "decision"
                        and boxes[(code, e[1])].x < boxes[(code, e[0])].x)):
                route = routes[(src, dst)] = edge_waypoints(
                    boxes[(code, src)], boxes[(code, dst)],
                    from_decision=self.nodes[(code, src)].kind == "decision",
                    obstacles=[bx for (c, k), bx in boxes.items()
                               if c == code and k not in (src, dst)],
                    taken=frozenset(taken.get(src, ())))
                if self.nodes[(code, src)].kind == "decision":
                    taken.setdefault(src, set()).add(tuple(route[0]))
            for src, dst, label in flow["edges"]:
                a, b = self.nodes[(code, src)], self.nodes[(code, dst)]
                assoc = a.kind == "document" or b.kind == "document"
                route = routes[(src, dst)]
                self.add(m.ProcessEdge(
                    process_id=proc.id, key=f"flow_{src}_{dst}",
                    kind="association" if assoc else "sequence",
                    source_id=a.id, target_id=b.id, label=label,
                    waypoints=json.dumps(route)))
            for key, _kind, _lane, _col, _name, opt in flow["nodes"]:
                for number, link in opt.get("docs", []):
                    self.add(m.NodeDocument(node_id=self.nodes[(code, key)].id,
                                            document_id=self.documents[number].id, kind=link))
        self.s.flush()

    # ------------------------------------------------------------------ training
    def training(self) -> None:
        for code, title, kind, validity, doc, roles, desc in COURSES:
            self.courses[code] = self.add(m.Course(
                code=code, title=title, description=desc, kind=kind, validity_months=validity,
                document_id=self.documents[doc].id if doc else None))
        self.s.flush()
        required: dict[str, list[str]] = {}
        for code, _t, _k, _v, _d, roles, _desc in COURSES:
            for role in roles:
                self.add(m.RoleCourse(role_id=self.roles[role].id,
                                      course_id=self.courses[code].id))
                required.setdefault(role, []).append(code)
        rows: list[dict] = []
        order = [c[0] for c in COURSES]
        for key, _name, _no, _dept, roles, months, active in PEOPLE:
            person = self.people[key]
            needed = sorted({c for r in roles for c in required[r]}, key=order.index)
            if not active:  # a leaver keeps the history of what they had done
                needed = [c for c in needed if c in ("IND-01", "LAT-01", "SAF-01", "MEA-01")]
            for code in needed:
                rows.extend(self.training_rows(person, key, code, months, active))
        ids = bulk_insert(self.s, m.TrainingRecord, rows)
        assert len(ids) == len(rows)

    def training_rows(self, person: m.Person, key: str, code: str, months: int,
                      active: bool) -> list[dict]:
        rng = self.rng
        course = self.courses[code]
        validity = course.validity_months
        hired = person.hired_on
        doc = self.documents[next(c[4] for c in COURSES if c[0] == code) or ""] \
            if course.document_id else None
        roll = rng.random()
        state = TRAINING_OVERRIDES.get((key, code))
        if state is None:
            new_starter = months <= 9 and course.kind in ("on_the_job", "external")
            # nobody misses the induction, and authors have read their own procedures
            essential = code == "IND-01" or (doc is not None and key == next(
                d["owner"] for d in DOCUMENTS if d["number"] == doc.number))
            if new_starter and roll < 0.5 or (roll < 0.06 and not essential):
                state = "missing"
            elif validity and roll > 0.93:
                state = "expired"
            elif validity and roll > 0.86:
                state = "expiring"
            else:
                state = "current"
        if not active:
            state = "expired" if validity else "current"
        if state == "missing":
            return []
        if not validity and state in ("expired", "expiring"):
            state = "current"
        earliest = hired + dt.timedelta(days=3)
        latest = self.today - dt.timedelta(days=2)
        if not active:
            latest = add_months(self.today, -3)
        if state == "current" and validity:
            span = max(1, (latest - max(earliest, add_months(self.today, -validity)
                                        + dt.timedelta(days=70))).days)
            done = latest - dt.timedelta(days=rng.randrange(span))
        elif state == "expiring":
            expires = self.today + dt.timedelta(days=rng.randint(5, 55))
            done = add_months(expires, -validity)
        elif state == "expired":
            expires = self.today - dt.timedelta(days=rng.randint(10, 200))
            done = add_months(expires, -validity)
        else:
            span = max(1, (latest - earliest).days)
            done = earliest + dt.timedelta(days=rng.randrange(span))
        if done < earliest and course.kind != "external":
            # only external certificates may predate joining; otherwise trained since
            state = "current"
            span = max(1, (latest - earliest).days)
            done = earliest + dt.timedelta(days=rng.randrange(span))
        revision = ""
        if doc is not None:
            revs = [r for r in next(d for d in DOCUMENTS if d["number"] == doc.number)
                    ["revisions"] if r[4]]
            issued = {r[0]: self.day(-r[1]) for r in revs}
            current = revs[-1][0]
            recent = (self.today - issued[current]).days < 30
            if recent and len(revs) > 1 and key not in ("daniel", "helen"):
                revision = revs[-2][0]  # not yet read the new revision: due again
            else:
                revision = current
            done = max(done, issued[revision] + dt.timedelta(days=rng.randint(1, 12)))
            done = min(done, latest)
        done = max(done, earliest) if state == "current" else done
        trainer = rng.choice(TRAINERS[course.kind])
        if course.kind == "read_and_understood":
            evidence = "Confirmed in QMS Workbench (read and understood)"
        elif course.kind == "external":
            evidence = f"Certificate no. {rng.randint(10000, 99999)}"
        elif course.kind == "on_the_job":
            evidence = "Competence sign-off on form F-07-01"
        else:
            evidence = f"Attendance sheet {done:%Y-%m}"
        row = dict(person_id=person.id, course_id=course.id, completed_on=done,
                   expires_on=add_months(done, validity) if validity else None,
                   trainer=trainer, evidence=evidence, document_revision=revision, notes="")
        rows = [row]
        if validity and state in ("current", "expiring") and rng.random() < 0.35:
            prev = add_months(done, -validity) - dt.timedelta(days=rng.randint(3, 20))
            if prev >= earliest:
                rows.insert(0, dict(row, completed_on=prev, expires_on=add_months(prev, validity),
                                    evidence=evidence if course.kind != "external"
                                    else f"Certificate no. {rng.randint(10000, 99999)}",
                                    notes="Superseded by refresher"))
        return rows

    # ------------------------------------------------------------------ risks
    def risk_register(self) -> None:
        for r in RISKS:
            ident = self.day(-r["ident"])
            fmea = r["fmea"]
            inh, res = r["inherent"], r["residual"]
            method = "5x5" if not fmea else ("both" if inh else "fmea")
            node = self.nodes.get((r["process"], r["node"])) if r["node"] else None
            if r["node"] and node is None:
                raise LookupError(f"demo data: no node {r['node']} in {r['process']}")
            risk = self.add(m.Risk(
                ref=r["ref"], title=r["title"], kind=r["kind"], category=r["category"],
                process_id=self.processes[r["process"]].id,
                node_id=node.id if node else None, cause=r["cause"], effect=r["effect"],
                owner_id=self.pid(r["owner"]), controls=r["controls"],
                treatment=r["treatment"], status=r["status"],
                review_date=self.day(r["review"]), identified_on=ident, method=method,
                inherent_likelihood=inh[0] if inh else None,
                inherent_impact=inh[1] if inh else None,
                residual_likelihood=res[0] if res else None,
                residual_impact=res[1] if res else None,
                failure_mode=fmea[0] if fmea else "",
                severity=fmea[1] if fmea else None,
                occurrence=fmea[4] if fmea else None,
                detection=fmea[5] if fmea else None, notes=r["notes"]))
            self.risks[r["ref"]] = risk
        self.s.flush()
        for r in RISKS:
            risk = self.risks[r["ref"]]
            fmea, inh, res = r["fmea"], r["inherent"], r["residual"]
            ident = risk.identified_on
            self.add(m.RiskRating(
                risk_id=risk.id, rated_on=ident, stage="inherent",
                likelihood=inh[0] if inh else None, impact=inh[1] if inh else None,
                severity=fmea[1] if fmea else None, occurrence=fmea[2] if fmea else None,
                detection=fmea[3] if fmea else None, note="Initial assessment"))
            rated = min(self.today - dt.timedelta(days=3),
                        ident + dt.timedelta(days=self.rng.randint(20, 120)))
            done = r["status"] in ("monitoring", "closed")
            self.add(m.RiskRating(
                risk_id=risk.id, rated_on=rated, stage="residual",
                likelihood=res[0] if res else None, impact=res[1] if res else None,
                severity=fmea[1] if fmea else None, occurrence=fmea[4] if fmea else None,
                detection=fmea[5] if fmea else None,
                note="After treatment" if done else "Expected after planned treatment"))
        for a in RISK_ACTIONS:
            self.action(a, risk_id=self.risks[a["link"][1]].id)

    def action(self, a: dict, **link) -> m.Action:
        self.action_no += 1
        day = self.day
        return self.add(m.Action(
            ref=f"A-{self.action_no:03d}", title=a["title"], description=a["description"],
            kind=a["kind"], owner_id=self.pid(a["owner"]), due_date=day(a["due"]),
            status=a["status"], completed_on=day(a["done"]) if a["done"] is not None else None,
            effectiveness_check=a["check"],
            effectiveness_due=day(a["check_due"]) if a["check_due"] is not None else None,
            effective=a["effective"], **link))

    def tuple_action(self, t: tuple, **link) -> m.Action:
        kind, title, owner, due, status, done, check, check_due, effective = t
        return self.action(_a(None, title, kind, owner, due, status, done=done, check=check,
                              check_due=check_due, effective=effective), **link)

    # ------------------------------------------------------------------ checklists
    def gap_analysis(self) -> None:
        cat = load_catalogue()
        items = cat.checklist_items()
        unknown = set(GAP_RESPONSES) - {i.clause for i in items}
        if unknown:
            raise LookupError(f"demo data: gap responses for unknown clauses {sorted(unknown)}")
        tpl = self.add(m.ChecklistTemplate(
            name=f"{cat.standard} gap analysis", version=cat.version, standard=cat.standard,
            kind="gap_analysis", description=cat.notice, status="active"))
        self.s.flush()
        item_ids = bulk_insert(self.s, m.ChecklistItem, [
            dict(template_id=tpl.id, order=i.order, clause=i.clause, title=i.title,
                 guidance=i.guidance, expected_evidence=i.expected_evidence) for i in items])
        run = self.add(m.ChecklistRun(
            template_id=tpl.id, kind="gap_analysis",
            title="Initial ISO 9001 gap analysis",
            scope="Whole quality management system at the Northfield site, all processes.",
            auditor="Daniel Okafor", auditee="Management team", planned_on=self.day(-50),
            started_on=self.day(-42), stage="conduct"))
        self.s.flush()
        rows = []
        for item, item_id in zip(items, item_ids):
            result, evidence, notes = GAP_RESPONSES.get(item.clause, (None, "", ""))
            rows.append(dict(run_id=run.id, item_id=item_id, result=result,
                             evidence=evidence, notes=notes))
        bulk_insert(self.s, m.Response, rows)

    def internal_audit(self) -> None:
        tpl = self.add(m.ChecklistTemplate(
            name="Internal audit checklist: order to delivery", version="2",
            standard="ISO 9001:2015", kind="internal_audit",
            description="Process audit of CP-02 on the shop floor: trace recent orders from "
                        "order review to dispatch.", status="active"))
        self.s.flush()
        items = []
        for i, (clause, title, guidance, evidence, _resp) in enumerate(AUDIT_ITEMS, start=1):
            items.append(self.add(m.ChecklistItem(
                template_id=tpl.id, order=i, clause=clause, title=title, guidance=guidance,
                expected_evidence=evidence)))
        started = self.day(-14)
        number = f"IA-{started.year}-03"
        run = self.add(m.ChecklistRun(
            template_id=tpl.id, kind="internal_audit",
            title=f"{number} Order to delivery",
            scope="Process CP-02 order to delivery, day and night shift, all machines; "
                  "criteria ISO 9001:2015 clauses 7 and 8, QP-02, QP-04, QP-08.",
            auditor="Daniel Okafor (lead); Gemma Holt (auditor in training)",
            auditee="Stefan Brandt, Production Manager",
            process_id=self.processes["CP-02"].id, planned_on=self.day(-21),
            started_on=started, stage="report"))
        self.s.flush()
        responses = []
        for item, (_c, _t, _g, _e, (result, evidence, notes)) in zip(items, AUDIT_ITEMS):
            responses.append(self.add(m.Response(run_id=run.id, item_id=item.id,
                                                 result=result, evidence=evidence,
                                                 notes=notes)))
        self.s.flush()
        for n, (idx, kind, desc, correction, cause, status, actions) in enumerate(
                AUDIT_FINDINGS, start=1):
            finding = self.add(m.Finding(
                run_id=run.id, response_id=responses[idx].id, ref=f"{number}-F{n:02d}",
                kind=kind, clause=AUDIT_ITEMS[idx][0], description=desc,
                correction=correction, root_cause=cause, status=status))
            self.s.flush()
            for t in actions:
                self.tuple_action(t, finding_id=finding.id)
        nxt = self.day(35)
        self.add(m.ChecklistRun(
            template_id=None, kind="internal_audit",
            title=f"IA-{nxt.year}-04 Purchasing and supplier control",
            scope="Process SP-01: supplier approval and re-evaluation, purchase orders, "
                  "goods-in; criteria ISO 9001:2015 clause 8.4 and QP-03.",
            auditor="Gemma Holt", auditee="Laura Fischer, Purchasing & Logistics",
            process_id=self.processes["SP-01"].id, planned_on=nxt, stage="initiate"))

    # ------------------------------------------------------------------ objectives etc.
    def objective_records(self) -> None:
        rng = self.rng
        month_end = self.today.replace(day=1) - dt.timedelta(days=1)
        months = [add_months(month_end.replace(day=1), -i) for i in range(11, -1, -1)]
        months = [d.replace(day=calendar.monthrange(d.year, d.month)[1]) for d in months]
        rows = []
        for (ref, title, proc, owner, target, unit, direction, start, end, noise, decimals,
             desc) in OBJECTIVES:
            obj = self.add(m.Objective(
                ref=ref, title=title, description=desc, process_id=self.processes[proc].id,
                owner_id=self.pid(owner), target=target, unit=unit, direction=direction,
                frequency="monthly", due_date=dt.date(self.today.year, 12, 31),
                status="active"))
            self.objectives[ref] = obj
            self.s.flush()
            for i, day in enumerate(months):
                value = start + (end - start) * i / (len(months) - 1) + rng.gauss(0, noise)
                if unit == "%":
                    value = min(value, 100.0)
                value = round(max(value, 0.0), decimals)
                rows.append(dict(objective_id=obj.id, measured_on=day, value=float(value),
                                 note=""))
        # one explained outlier, as real data has
        rows[8]["note"] = "Two lathes down for four days (spindle bearing)"
        bulk_insert(self.s, m.Measurement, rows)
        for ref, proc, node in OBJECTIVE_NODES:
            self.add(m.NodeObjective(node_id=self.nodes[(proc, node)].id,
                                     objective_id=self.objectives[ref].id))

    def nonconformity(self) -> None:
        nc = NONCONFORMITY
        rec = self.add(m.Nonconformity(
            ref="NC-0147", title=nc["title"], description=nc["description"],
            detected_on=self.day(nc["detected"]), source=nc["source"],
            process_id=self.processes[nc["process"]].id, correction=nc["correction"],
            root_cause=nc["root_cause"], status=nc["status"]))
        self.s.flush()
        for t in nc["actions"]:
            self.tuple_action(t, nonconformity_id=rec.id)

    def management_review(self) -> None:
        r = REVIEW
        held = self.day(r["held"])
        rec = self.add(m.ManagementReview(
            title=f"Management review {held:%B %Y}", held_on=held, chair=r["chair"],
            attendees=r["attendees"], inputs=r["inputs"], outputs=r["outputs"],
            minutes=r["minutes"], status=r["status"]))
        self.s.flush()
        for t in r["actions"]:
            self.tuple_action(t, review_id=rec.id)
