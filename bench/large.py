"""The **large workspace**: a realistic, big manufacturer used by the benchmarks.

Full size (``scale=1``): 300 people, 60 roles, 120 courses, 20,000 training records, 150
processes (one map of 2,000 steps laid out on a grid in lanes with ~2,200 edges, small maps for
the others), 5,000 risks, 10,000 actions, 300 checklist runs x 100 responses (templates of 100
items), 400 documents, the cockpit's data — 40 objectives and KPIs (a few measured weekly for
five years, the rest monthly), 300 nonconformities with their causes (5 Whys and fishbone), 8
management reviews — and exactly 200,000 audit events.

Records are inserted with :func:`qms_desktop.storage.audit.bulk_insert` (which writes their insert
events). The trail is then topped up to the target with realistic field updates — audits being
conducted, actions progressing, risks re-rated, documents approved, steps moved, risk reviews —
written in big transactions by :class:`_Trail`: each change is an ``UPDATE`` of the row plus an
``update`` event chained with the same rules the ORM listener uses (``core.audit_chain``), so
``qms verify`` passes on the result.

``scale`` shrinks every count (not the 100 items of a template nor the 100 responses of a run),
for quick tests. Generation is deterministic for a given ``seed`` and ``scale`` (apart from event
times). :func:`cached_large` keeps generated files under ``bench/.cache/``, keyed by
:data:`GENERATOR_VERSION` and the schema, so repeated benchmark runs reuse them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import bindparam, func, insert, inspect, select, update

from qms_desktop.core.audit_chain import encode_field, event_hash, utc_now
from qms_desktop.storage import models as m
from qms_desktop.storage.audit import AUDIT_TABLE, bulk_insert, head_hash
from qms_desktop.storage.workspace import SCHEMA_HEAD, create_workspace

#: Bump whenever the generated content changes, so cached files are regenerated.
GENERATOR_VERSION = 2

#: Counts at ``scale=1``.
FULL_SIZES = {
    "people": 300,
    "roles": 60,
    "courses": 120,
    "training_records": 20_000,
    "processes": 150,
    "big_map_steps": 2_000,
    "risks": 5_000,
    "actions": 10_000,
    "checklist_runs": 300,
    "documents": 400,
    "nonconformities": 300,
    "objectives": 40,
    "management_reviews": 8,
    "audit_events": 200_000,
}
#: Fixed structure (not scaled): items per checklist template = responses per run.
TEMPLATE_ITEMS = 100
TEMPLATES = 3
#: Every date in the workspace is placed around this day, so content is reproducible.
ANCHOR = dt.date(2025, 6, 30)

CACHE_DIR = Path(__file__).resolve().parent / ".cache"

Progress = Callable[[str], None]


def sizes(scale: float = 1.0) -> dict[str, int]:
    """The record counts generated at ``scale``."""
    if not scale > 0:
        raise ValueError("scale must be a positive number, e.g. 1 or 0.02.")
    out = {k: max(1, round(v * scale)) for k, v in FULL_SIZES.items()}
    out["roles"] = max(out["roles"], 3)
    out["people"] = max(out["people"], 5)
    out["processes"] = max(out["processes"], 2)
    out["big_map_steps"] = max(out["big_map_steps"], 12)
    out["courses"] = max(out["courses"], 3)
    out["documents"] = max(out["documents"], 6)
    return out


# --------------------------------------------------------------------------- vocabulary

FIRST = ("Anna", "Ben", "Carla", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
         "Katja", "Lars", "Mira", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tariq",
         "Ute", "Viktor", "Wen", "Yusuf", "Zofia", "Amir", "Bianca", "Chen", "Dana", "Emil")
LAST = ("Berg", "Schmidt", "Novak", "Okafor", "Lindqvist", "Rossi", "Kowalski", "Haddad",
        "Meyer", "Tanaka", "Fischer", "Silva", "Jansen", "Horvat", "Petrov", "Nguyen",
        "Keller", "Dubois", "Moreau", "Larsen", "Costa", "Weber", "Brandt", "Yilmaz")
DEPARTMENTS = ("Production", "Quality", "Maintenance", "Purchasing", "Logistics", "Engineering",
               "Sales", "HR", "Finance", "IT", "Warehouse", "Tooling")
ROLE_BASE = ("Machine Operator", "Quality Inspector", "Shift Supervisor", "Maintenance Technician",
             "Process Engineer", "Quality Manager", "Buyer", "Warehouse Clerk", "Planner",
             "Design Engineer", "Sales Engineer", "HR Officer", "Internal Auditor",
             "Toolmaker", "Metrology Technician", "Logistics Coordinator", "Plant Manager",
             "EHS Officer", "Customer Service Agent", "Production Manager")
ROLE_LEVEL = ("", "Senior ", "Lead ")
PROCESS_AREAS = ("Order Handling", "Product Design", "Purchasing", "Incoming Inspection",
                 "CNC Machining", "Assembly", "Final Inspection", "Packaging", "Shipping",
                 "Calibration", "Maintenance", "Training", "Document Control", "Internal Audit",
                 "Corrective Action", "Supplier Evaluation", "Customer Complaints",
                 "Management Review", "Production Planning", "Tool Management")
VERBS = ("Check", "Record", "Approve", "Inspect", "Measure", "Release", "Review", "Prepare",
         "Clean", "Set up", "Load", "Label", "Verify", "Calibrate", "Pack", "Issue", "Store",
         "Plan", "Sign off", "Escalate")
OBJECTS = ("work order", "drawing", "first article", "batch record", "gauge", "fixture",
           "purchase order", "supplier certificate", "pallet", "shipping note", "CNC program",
           "torque setting", "deviation", "sample", "customer order", "tool set",
           "inspection plan", "material lot", "label", "control chart")
HAZARDS = ("wrong revision of the drawing is used", "a gauge is out of calibration",
           "material is mixed up between lots", "the operator is not trained",
           "the supplier delivers late", "a tool breaks during machining",
           "the customer requirement is misread", "parts are damaged in transport",
           "the inspection step is skipped", "data is lost in the ERP system",
           "a key person leaves", "demand rises faster than capacity")
EFFECTS = ("scrap and rework", "a customer complaint", "late delivery", "a product recall",
           "an audit nonconformity", "injury to staff", "lost sales")
OPPORTUNITIES = ("automate the inspection", "qualify a second supplier",
                 "introduce a digital work instruction", "reduce set-up time",
                 "cross-train operators", "offer a new product variant")
CLAUSES = ("4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.2", "6.3", "7.1.1",
           "7.1.5", "7.2", "7.3", "7.4", "7.5", "8.1", "8.2", "8.3", "8.4", "8.5.1", "8.5.2",
           "8.6", "8.7", "9.1", "9.2", "9.3", "10.2", "10.3")
EVIDENCE = ("Record sighted and complete.", "Interviewed the operator; practice matches the "
            "procedure.", "Sample of 5 records checked.", "Calibration labels current.",
            "Training matrix up to date.", "Minutes of the last review available.",
            "Two records lacked a signature.", "Procedure revision B in use at the station.")
DOC_PREFIX = {"manual": "QM", "policy": "POL", "procedure": "SOP", "work_instruction": "WI",
              "form": "FRM", "record": "REC"}


def _d(days: int) -> dt.date:
    return ANCHOR + dt.timedelta(days=days)


# --------------------------------------------------------------------------- generator


class _Generator:
    def __init__(self, ws, session, rng: random.Random, n: dict[str, int], say: Progress):
        self.ws = ws
        self.s = session
        self.rng = rng
        #: the cockpit's data (objectives, nonconformities, reviews) draws from its own
        #: generator, so changing it leaves the rest of the workspace as it was
        self.crng = random.Random(f"cockpit {rng.getstate()[1][:8]}")
        self.n = n
        self.say = say
        #: current values of rows the update phase changes: table -> id -> {column: value}
        self.rows: dict[str, dict[int, dict]] = {}

    # -- inserting
    def ins(self, model, rows: list[dict], *, track: bool = False) -> list[int]:
        if not rows:
            return []
        ids = bulk_insert(self.s, model, rows)
        if track:
            defaults = {}
            for attr in inspect(model).column_attrs:
                col = attr.columns[0]
                if col.default is not None and col.default.is_scalar:
                    defaults[attr.key] = col.default.arg
                else:
                    defaults[attr.key] = None
            store = self.rows.setdefault(model.__tablename__, {})
            for rid, r in zip(ids, rows):
                full = dict(defaults)
                full.update(r)
                full["id"] = rid
                store[rid] = full
        return ids

    def person_name(self, i: int) -> str:
        return f"{FIRST[i % len(FIRST)]} {LAST[(i * 7 + i // len(FIRST)) % len(LAST)]}"

    # -- the content, in dependency order
    def build(self) -> None:
        rng, n = self.rng, self.n
        self.say("organisation, people and roles")
        role_names = []
        for i in range(n["roles"]):
            base = ROLE_BASE[i % len(ROLE_BASE)]
            level = ROLE_LEVEL[(i // len(ROLE_BASE)) % len(ROLE_LEVEL)]
            cycle = i // (len(ROLE_BASE) * len(ROLE_LEVEL))
            role_names.append(f"{level}{base}" + (f" {cycle + 1}" if cycle else ""))
        self.roles = self.ins(m.Role, [
            {"name": name, "description": f"Responsibilities of the {name.lower()}."}
            for name in role_names])
        self.role_names = dict(zip(self.roles, role_names))
        people = []
        for i in range(n["people"]):
            name = self.person_name(i)
            login = name.lower().replace(" ", ".")
            people.append({"name": name, "email": f"{login}{i}@nordwerk.example",
                           "employee_no": f"E{10000 + i}",
                           "department": DEPARTMENTS[i % len(DEPARTMENTS)],
                           "active": rng.random() > 0.04,
                           "hired_on": _d(-rng.randint(30, 9000))})
        self.people = self.ins(m.Person, people)
        self.users = [p["name"].lower().replace(" ", ".") for p in people[:12]]
        pr = set()
        for p in self.people:
            for r in rng.sample(self.roles, min(len(self.roles), rng.choice((1, 1, 2, 2, 3)))):
                pr.add((p, r))
        self.ins(m.PersonRole, [{"person_id": p, "role_id": r} for p, r in sorted(pr)])

        self.say("processes and maps")
        self.build_processes()
        self.say("documents")
        self.build_documents()
        self.say("training")
        self.build_training()
        self.say("checklists and audits")
        self.build_checklists()
        self.say("risks and actions")
        self.build_risks_actions()
        self.say("objectives and reviews")
        self.build_objectives()

    def build_processes(self) -> None:
        rng, n = self.rng, self.n
        procs = []
        top = max(1, min(10, n["processes"] // 10))
        for i in range(n["processes"]):
            area = PROCESS_AREAS[i % len(PROCESS_AREAS)]
            variant = i // len(PROCESS_AREAS)
            procs.append({
                "code": f"P{i + 1:03d}",
                "name": area + (f" – line {variant + 1}" if variant else ""),
                "owner_role_id": rng.choice(self.roles),
                "purpose": f"Deliver {area.lower()} right first time and on schedule.",
                "suppliers": "Upstream processes; external suppliers",
                "inputs": f"{rng.choice(OBJECTS).capitalize()}, {rng.choice(OBJECTS)}",
                "outputs": f"Released {rng.choice(OBJECTS)}",
                "customers": "Downstream processes; customers",
                "resources": "Trained staff, machines, ERP",
                "kpis": "On-time delivery ≥ 95 %; first-pass yield ≥ 98 %",
                "status": rng.choice(("active", "active", "active", "draft", "under_review")),
            })
        # hierarchy: the first few are top-level, the others hang below them
        tops = self.ins(m.Process, procs[:top])
        for i, row in enumerate(procs[top:]):
            row["parent_id"] = tops[i % top]
        self.processes = tops + self.ins(m.Process, procs[top:])
        self.steps_of: dict[int, list[int]] = {}
        self.big_process = self.processes[0]
        self.build_big_map(self.big_process)
        lanes, nodes, edges = [], [], []
        plans = []
        for p in self.processes[1:]:
            n_lanes = rng.randint(2, 4)
            n_steps = rng.randint(6, 14)
            plans.append((p, n_lanes, n_steps))
            for k in range(n_lanes):
                role = self.roles[(k + p) % len(self.roles)]
                lanes.append({"process_id": p, "key": f"Lane_{k + 1}",
                              "name": self.role_names[role], "role_id": role,
                              "order": k, "x": 0.0, "y": 140.0 * k,
                              "w": 200.0 + 180.0 * n_steps, "h": 140.0})
        lane_ids = iter(self.ins(m.ProcessLane, lanes))
        node_plan = []
        for p, n_lanes, n_steps in plans:
            my_lanes = [next(lane_ids) for _ in range(n_lanes)]
            for i in range(n_steps):
                k = rng.randrange(n_lanes)
                kind, btype, name = self.node_kind(i, n_steps, decision_every=5)
                nodes.append({"process_id": p, "key": f"Activity_{p}_{i + 1}", "kind": kind,
                              "bpmn_type": btype, "name": name,
                              "lane_id": my_lanes[k],
                              "role_id": self.roles[(k + p) % len(self.roles)],
                              "duration_minutes": float(rng.choice((5, 10, 15, 30, 60))),
                              "x": 100.0 + 180.0 * i, "y": 140.0 * k + 40.0,
                              "w": 36.0 if kind in ("start", "end") else 120.0,
                              "h": 36.0 if kind in ("start", "end") else 60.0})
                node_plan.append((p, i, kind))
        node_ids = self.ins(m.ProcessNode, nodes, track=True)
        by_proc: dict[int, list[tuple[int, str, dict]]] = defaultdict(list)
        for nid, (p, _i, kind), row in zip(node_ids, node_plan, nodes):
            by_proc[p].append((nid, kind, row))
        for p, seq in by_proc.items():
            self.steps_of[p] = [nid for nid, kind, _ in seq if kind == "step"]
            edges.extend(self.chain_edges(p, seq, loop_every=5))
        self.ins(m.ProcessEdge, edges)

    def node_kind(self, i: int, total: int, *, decision_every: int) -> tuple[str, str, str]:
        if i == 0:
            return "start", "startEvent", "Start"
        if i == total - 1:
            return "end", "endEvent", "Done"
        if i % decision_every == decision_every - 1:
            return "decision", "exclusiveGateway", f"{self.rng.choice(OBJECTS).capitalize()} OK?"
        if i % 97 == 50:
            return "subprocess", "callActivity", f"Run {self.rng.choice(PROCESS_AREAS).lower()}"
        return "step", "task", f"{self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}"

    def chain_edges(self, p: int, seq: list[tuple[int, str, dict]], *, loop_every: int
                    ) -> list[dict]:
        """Sequence flows along the steps, plus a 'no' branch from every decision."""
        rng = self.rng
        out = []

        def edge(a, b, label="", cond=""):
            (sid, _, s), (tid, _, t) = a, b
            x1, y1 = s["x"] + s["w"], s["y"] + s["h"] / 2
            x2, y2 = t["x"], t["y"] + t["h"] / 2
            pts = [[x1, y1], [x2, y2]] if y1 == y2 else \
                [[x1, y1], [(x1 + x2) / 2, y1], [(x1 + x2) / 2, y2], [x2, y2]]
            out.append({"process_id": p, "key": f"Flow_{sid}_{tid}", "kind": "sequence",
                        "source_id": sid, "target_id": tid, "label": label,
                        "condition": cond, "waypoints": json.dumps(pts)})

        for i in range(len(seq) - 1):
            is_decision = seq[i][1] == "decision"
            edge(seq[i], seq[i + 1], "yes" if is_decision else "",
                 "result == 'ok'" if is_decision else "")
            if is_decision:
                back = max(1, i - rng.randint(1, loop_every))
                edge(seq[i], seq[back], "no", "result != 'ok'")
        return out

    def build_big_map(self, p: int) -> None:
        """One map of ``big_map_steps`` nodes on a grid: columns of one node per lane."""
        rng, total = self.rng, self.n["big_map_steps"]
        n_lanes = min(10, len(self.roles))
        cols = -(-total // n_lanes)
        lane_h, col_w = 140.0, 180.0
        lane_ids = self.ins(m.ProcessLane, [
            {"process_id": p, "key": f"Lane_{k + 1}", "name": self.role_names[self.roles[k]],
             "role_id": self.roles[k], "order": k, "x": 0.0, "y": lane_h * k,
             "w": 200.0 + col_w * cols, "h": lane_h} for k in range(n_lanes)])
        nodes = []
        for i in range(total):
            col, lane = divmod(i, n_lanes)
            kind, btype, name = self.node_kind(i, total, decision_every=10)
            small = kind in ("start", "end")
            nodes.append({"process_id": p, "key": f"Activity_{i + 1:04d}", "kind": kind,
                          "bpmn_type": btype, "name": name,
                          "description": f"Step {i + 1} of the order-to-delivery flow.",
                          "lane_id": lane_ids[lane], "role_id": self.roles[lane],
                          "subprocess_id": self.processes[1 + i % (len(self.processes) - 1)]
                          if kind == "subprocess" else None,
                          "duration_minutes": float(rng.choice((2, 5, 10, 20, 45))),
                          "x": 120.0 + col_w * col + (42.0 if small else 0.0),
                          "y": lane_h * lane + (52.0 if small else 40.0),
                          "w": 36.0 if small else 120.0, "h": 36.0 if small else 60.0})
        ids = self.ins(m.ProcessNode, nodes, track=True)
        seq = [(nid, row["kind"], row) for nid, row in zip(ids, nodes)]
        self.big_nodes = ids
        self.steps_of[p] = [nid for nid, kind, _ in seq if kind == "step"]
        self.ins(m.ProcessEdge, self.chain_edges(p, seq, loop_every=12))

    def build_documents(self) -> None:
        rng, n = self.rng, self.n
        kinds = ("manual",) + ("policy",) * 2 + ("procedure",) * 10 + \
            ("work_instruction",) * 14 + ("form",) * 8 + ("record",) * 5
        counters: dict[str, int] = defaultdict(int)
        docs, plan = [], []
        for i in range(n["documents"]):
            kind = kinds[i % len(kinds)]
            counters[kind] += 1
            revs = rng.choice((1, 1, 2, 2, 3, 4))
            status = rng.choice(("effective",) * 6 + ("draft", "approved", "obsolete"))
            area = PROCESS_AREAS[i % len(PROCESS_AREAS)]
            docs.append({"number": f"{DOC_PREFIX[kind]}-{counters[kind]:03d}",
                         "title": f"{area} – {kind.replace('_', ' ')}",
                         "kind": kind, "owner_id": rng.choice(self.people),
                         "process_id": rng.choice(self.processes), "status": status,
                         "current_revision": chr(ord("A") + revs - 1),
                         "purpose": f"Describe how {area.lower()} is carried out.",
                         "scope": "All sites and shifts.",
                         "body": "\n".join(f"{k + 1}. {rng.choice(VERBS)} the "
                                           f"{rng.choice(OBJECTS)}." for k in range(12))})
            plan.append(revs)
        self.documents = self.ins(m.Document, docs, track=True)
        revs = []
        for did, count in zip(self.documents, plan):
            for k in range(count):
                revs.append({"document_id": did, "number": chr(ord("A") + k),
                             "issued_on": _d(-900 + 250 * k + rng.randint(0, 60)),
                             "change_summary": "First issue." if k == 0 else
                             f"Updated step {rng.randint(1, 12)} after an audit finding.",
                             "author": self.person_name(rng.randrange(len(self.people))),
                             "approver": self.person_name(rng.randrange(len(self.people))),
                             "status": "approved" if k < count - 1 else "effective"})
        self.ins(m.Revision, revs)
        links = set()
        for p, steps in self.steps_of.items():
            for nid in steps[::4]:
                links.add((nid, rng.choice(self.documents), rng.choice(("document", "record"))))
        self.ins(m.NodeDocument, [{"node_id": a, "document_id": b, "kind": k}
                                  for a, b, k in sorted(links)])

    def build_training(self) -> None:
        rng, n = self.rng, self.n
        kinds = ("read_and_understood",) * 4 + ("classroom",) * 3 + ("on_the_job",) * 2 + \
            ("external",)
        courses = []
        for i in range(n["courses"]):
            kind = kinds[i % len(kinds)]
            doc = self.documents[i % len(self.documents)] if kind == "read_and_understood" else None
            courses.append({"code": f"TRN-{i + 1:03d}",
                            "title": f"{PROCESS_AREAS[i % len(PROCESS_AREAS)]} "
                                     f"{('basics', 'advanced', 'refresher')[i // 20 % 3]}",
                            "description": "Learning objectives, method and assessment.",
                            "kind": kind,
                            "validity_months": rng.choice((12, 24, 36, None)),
                            "document_id": doc})
        self.courses = self.ins(m.Course, courses)
        validity = {cid: c["validity_months"] for cid, c in zip(self.courses, courses)}
        rc = set()
        for r in self.roles:
            for c in rng.sample(self.courses, min(len(self.courses), rng.randint(3, 8))):
                rc.add((r, c))
        self.ins(m.RoleCourse, [{"role_id": r, "course_id": c} for r, c in sorted(rc)])
        pairs = len(self.people) * len(self.courses)
        want = n["training_records"]
        picks = rng.sample(range(pairs), want) if want <= pairs else \
            [rng.randrange(pairs) for _ in range(want)]
        recs = []
        for k in picks:
            person = self.people[k // len(self.courses)]
            course = self.courses[k % len(self.courses)]
            done = _d(-rng.randint(0, 1400))
            months = validity[course]
            recs.append({"person_id": person, "course_id": course, "completed_on": done,
                         "expires_on": done + dt.timedelta(days=30 * months) if months else None,
                         "trainer": self.person_name(rng.randrange(len(self.people))),
                         "evidence": "", "document_revision": rng.choice(("A", "B", "C")),
                         "notes": ""})
        self.training = self.ins(m.TrainingRecord, recs, track=True)

    def build_checklists(self) -> None:
        rng, n = self.rng, self.n
        specs = (("ISO 9001:2015 gap analysis", "gap_analysis"),
                 ("Internal audit checklist", "internal_audit"),
                 ("Process inspection checklist", "inspection"))
        self.templates = self.ins(m.ChecklistTemplate, [
            {"name": name, "version": "3", "standard": "ISO 9001:2015", "kind": kind,
             "description": f"{name} used across all sites."} for name, kind in specs[:TEMPLATES]])
        items = []
        for t in self.templates:
            for k in range(TEMPLATE_ITEMS):
                clause = CLAUSES[k % len(CLAUSES)]
                items.append({"template_id": t, "order": k + 1, "clause": clause,
                              "title": f"Is the {rng.choice(OBJECTS)} controlled "
                                       f"as required by clause {clause}?",
                              "guidance": "Ask for the current record and one example.",
                              "expected_evidence": f"{rng.choice(OBJECTS).capitalize()} record"})
        item_ids = self.ins(m.ChecklistItem, items)
        items_of = {t: item_ids[i * TEMPLATE_ITEMS:(i + 1) * TEMPLATE_ITEMS]
                    for i, t in enumerate(self.templates)}
        runs, plan = [], []
        stages = ("complete",) * 5 + ("follow_up",) * 2 + ("report", "conduct", "prepare",
                                                            "initiate")
        for i in range(n["checklist_runs"]):
            t_index = i % len(self.templates)
            stage = rng.choice(stages)
            planned = _d(-rng.randint(0, 1000))
            started = planned if stage not in ("initiate", "prepare") else None
            runs.append({"template_id": self.templates[t_index], "kind": specs[t_index][1],
                         "title": f"{specs[t_index][0]} – {PROCESS_AREAS[i % len(PROCESS_AREAS)]}"
                                  f" {planned.year}",
                         "scope": "Processes, records and interviews on site.",
                         "auditor": self.person_name(rng.randrange(len(self.people))),
                         "auditee": self.person_name(rng.randrange(len(self.people))),
                         "process_id": rng.choice(self.processes), "planned_on": planned,
                         "started_on": started,
                         "completed_on": planned + dt.timedelta(days=2)
                         if stage in ("complete", "follow_up") else None,
                         "stage": stage})
            plan.append((t_index, stage))
        self.runs = self.ins(m.ChecklistRun, runs)
        responses, outcome = [], []
        for rid, (t_index, stage) in zip(self.runs, plan):
            conducted = stage not in ("initiate", "prepare")
            for item in items_of[self.templates[t_index]]:
                responses.append({"run_id": rid, "item_id": item, "result": None,
                                  "evidence": "", "notes": ""})
                result = None
                if conducted:
                    result = rng.choices(("conform", "partial", "nonconform", "na"),
                                         (80, 10, 4, 6))[0]
                outcome.append((rid, result))
        self.responses = self.ins(m.Response, responses, track=True)
        #: results the audits will record (applied by the update phase)
        self.planned_results = {resp: res for resp, (_run, res) in zip(self.responses, outcome)
                                if res is not None}
        findings = []
        counter = 0
        for resp, (run, res) in zip(self.responses, outcome):
            if res in ("nonconform", "partial") and rng.random() < 0.25:
                counter += 1
                findings.append({"run_id": run, "response_id": resp, "ref": f"F-{counter:04d}",
                                 "kind": "minor" if res == "nonconform" else "observation",
                                 "clause": rng.choice(CLAUSES),
                                 "description": f"{rng.choice(OBJECTS).capitalize()} not "
                                                "controlled as required.",
                                 "status": rng.choice(("open", "open", "closed"))})
        self.findings = self.ins(m.Finding, findings)
        self.build_nonconformities()

    def build_nonconformities(self) -> None:
        """Nonconformities from every source over two years, most closed with a verified
        effectiveness check, the others in each stage; each investigated one with a 5 Whys
        chain (its last why the root) and a few fishbone causes."""
        rng, n = self.crng, self.n
        sources, severities = m.NC_SOURCES, m.NC_SEVERITIES
        ncs = []
        for i in range(n["nonconformities"]):
            detected = _d(-rng.randint(0, 730))
            status = rng.choice(("open", "contained", "investigating", "action", "closed",
                                 "closed", "closed", "closed"))
            closed = status == "closed"
            source = rng.choice(sources)
            row = {"ref": f"NC-{i + 1:04d}",
                   "title": f"{rng.choice(OBJECTS).capitalize()} nonconforming",
                   "description": f"Detected because {rng.choice(HAZARDS)}.",
                   "detected_on": detected, "source": source,
                   "severity": severities[rng.random() < 0.8],
                   "process_id": rng.choice(self.processes),
                   "owner_id": rng.choice(self.people),
                   "finding_id": (rng.choice(self.findings)
                                  if source == "internal audit" and self.findings else None),
                   "reported_by": self.person_name(rng.randrange(len(self.people))),
                   "customer": "Hydra Pumps AG" if source == "customer complaint" else "",
                   "supplier": "Stahlhandel Ost GmbH" if source == "supplier" else "",
                   "team": "\n".join(self.person_name(rng.randrange(len(self.people)))
                                     for _ in range(3)),
                   "containment": "Stock quarantined and sorted; customer informed.",
                   "correction": "Parts quarantined and sorted.",
                   "root_cause": "" if status in ("open", "contained") else
                   f"{rng.choice(HAZARDS).capitalize()}.",
                   "prevention": "" if not closed else "Same check added to similar processes.",
                   "due_date": detected + dt.timedelta(days=rng.choice((30, 60, 90))),
                   "status": status}
            if closed:
                done = detected + dt.timedelta(days=rng.randint(20, 120))
                row.update(effectiveness_check="No recurrence in the following three months.",
                           effective=rng.random() < 0.92, verified_on=done,
                           verified_by=self.person_name(0), closed_on=done)
            ncs.append(row)
        self.ncs = self.ins(m.Nonconformity, ncs)
        causes = []
        for nc, row in zip(self.ncs, ncs):
            if row["status"] in ("open", "contained"):
                continue
            whys = rng.randint(3, 5)
            for k in range(whys):
                causes.append({"nonconformity_id": nc, "method": "why", "category": "",
                               "position": k, "is_root": k == whys - 1,
                               "text": f"Because {rng.choice(HAZARDS)}."})
            for k in range(rng.randint(0, 3)):
                causes.append({"nonconformity_id": nc, "method": "fishbone",
                               "category": rng.choice(m.CAUSE_CATEGORIES), "position": k,
                               "is_root": False,
                               "text": f"{rng.choice(OBJECTS).capitalize()} not controlled."})
        self.ins(m.NcCause, causes)

    def build_risks_actions(self) -> None:
        rng, n = self.rng, self.n
        risks = []
        for i in range(n["risks"]):
            p = rng.choice(self.processes)
            steps = self.steps_of.get(p) or []
            opportunity = rng.random() < 0.12
            fmea = not opportunity and rng.random() < 0.2
            li, ii = rng.randint(1, 5), rng.randint(1, 5)
            row = {"ref": f"R-{i + 1:05d}",
                   "kind": "opportunity" if opportunity else "risk",
                   "category": rng.choice(("quality", "delivery", "safety", "supply",
                                           "compliance", "people", "IT")),
                   "process_id": p, "node_id": rng.choice(steps) if steps else None,
                   "owner_id": rng.choice(self.people),
                   "status": rng.choice(("open", "open", "treating", "monitoring", "closed")),
                   "identified_on": _d(-rng.randint(30, 1100)),
                   "review_date": _d(rng.randint(-120, 240)),
                   "method": "fmea" if fmea else "5x5",
                   "inherent_likelihood": li, "inherent_impact": ii,
                   "residual_likelihood": li, "residual_impact": ii,
                   "controls": f"{rng.choice(VERBS)} the {rng.choice(OBJECTS)} each shift.",
                   "notes": ""}
            if opportunity:
                row["title"] = f"Opportunity: {rng.choice(OPPORTUNITIES)}"
                row["effect"] = "Lower cost and shorter lead time."
            else:
                hazard = rng.choice(HAZARDS)
                row["title"] = f"Risk that {hazard}"
                row["cause"] = hazard.capitalize() + "."
                row["effect"] = rng.choice(EFFECTS).capitalize() + "."
            if fmea:
                row.update(failure_mode=row["title"][10:], severity=rng.randint(2, 10),
                           occurrence=rng.randint(1, 10), detection=rng.randint(1, 10))
            risks.append(row)
        self.risks = self.ins(m.Risk, risks, track=True)
        self.ins(m.RiskRating, [
            {"risk_id": rid, "rated_on": r["identified_on"], "stage": "inherent",
             "likelihood": r["inherent_likelihood"], "impact": r["inherent_impact"],
             "severity": r.get("severity"), "occurrence": r.get("occurrence"),
             "detection": r.get("detection"), "note": "Initial assessment."}
            for rid, r in zip(self.risks, risks)])
        self.reviews = self.ins(m.ManagementReview, [
            {"title": f"Management review {ANCHOR.year - k}", "held_on": _d(-365 * k - 20),
             "chair": self.person_name(0), "attendees": ", ".join(
                 self.person_name(j) for j in range(1, 7)),
             "inputs": "Audit results, customer feedback, process performance, risks.",
             "outputs": "Improvement actions and resource decisions.",
             "minutes": "Minutes circulated to attendees.", "status": "held" if k else "planned",
             "period_from": _d(-365 * (k + 1) - 20), "period_to": _d(-365 * k - 21)}
            for k in range(n["management_reviews"])])
        total = n["actions"]
        share = {"risk": 0.7, "finding": 0.12, "nc": 0.06, "review": 0.02}
        actions = []
        for i in range(total):
            x = i / total
            link: dict = {}
            if x < share["risk"]:
                link, kind = {"risk_id": self.risks[i % len(self.risks)]}, "treatment"
            elif x < share["risk"] + share["finding"] and self.findings:
                link, kind = {"finding_id": self.findings[i % len(self.findings)]}, "corrective"
            elif x < share["risk"] + share["finding"] + share["nc"]:
                link = {"nonconformity_id": self.ncs[i % len(self.ncs)]}
                kind = rng.choice(("correction", "corrective"))
            elif x < sum(share.values()):
                link, kind = {"review_id": self.reviews[i % len(self.reviews)]}, "review"
            else:
                kind = rng.choice(("improvement", "preventive"))
            actions.append({"ref": f"A-{i + 1:05d}",
                            "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}",
                            "description": "Agreed in the review; see the linked record.",
                            "kind": kind, "owner_id": rng.choice(self.people),
                            "due_date": _d(rng.randint(-500, 300)), "status": "open",
                            "completed_on": None, "effective": None,
                            "effectiveness_check": "", **link})
        self.actions = self.ins(m.Action, actions, track=True)

    #: (title, unit, direction, target, tolerance, baseline, category, typical value, spread)
    KPIS = (("On-time delivery", "%", ">=", 95.0, 2.0, 88.0, "customer", 94.0, 2.5),
            ("First-pass yield", "%", ">=", 98.0, 1.0, 95.0, "process", 97.6, 1.0),
            ("Customer complaints", "per month", "<=", 2.0, 1.0, 5.0, "customer", 2.2, 1.2),
            ("Scrap rate", "%", "<=", 1.5, 0.3, 2.4, "process", 1.6, 0.4),
            ("Supplier on-time delivery", "%", ">=", 92.0, 3.0, 85.0, "supplier", 91.0, 3.0),
            ("Training completion", "%", ">=", 90.0, 5.0, 70.0, "resources", 88.0, 4.0),
            ("Audit finding closure time", "days", "<=", 30.0, 5.0, 45.0, "quality", 31.0,
             6.0),
            ("Machine availability", "%", ">=", 85.0, 3.0, 80.0, "resources", 84.0, 3.0))

    def build_objectives(self) -> None:
        """Objectives and KPIs of every category, measured over five years: the first few
        weekly (about 260 points each), the rest monthly; values wander around the target
        so that some are on, some near and some off it, and a few have no measurement."""
        rng, n = self.crng, self.n
        weekly = max(1, n["objectives"] // 8)
        objs, plans = [], []
        for i in range(n["objectives"]):
            (title, unit, direction, target, tol, base, category, typical,
             spread) = self.KPIS[i % len(self.KPIS)]
            kind = "kpi" if i % 3 else "objective"
            site = f" ({PROCESS_AREAS[i % len(PROCESS_AREAS)]})" if i >= len(self.KPIS) else ""
            freq = "weekly" if i < weekly else "monthly"
            objs.append({"ref": f"OBJ-{i + 1:02d}", "title": title + site, "kind": kind,
                         "category": category, "measure": f"{title} as recorded in the ERP.",
                         "process_id": rng.choice(self.processes),
                         "owner_id": rng.choice(self.people), "target": target, "unit": unit,
                         "direction": direction, "tolerance": tol, "baseline": base,
                         "frequency": freq, "started_on": _d(-5 * 365),
                         "due_date": _d(rng.randint(90, 400)) if kind == "objective" else None,
                         "status": "active"})
            plans.append((freq, typical + rng.uniform(-1.5, 1.5) * spread, spread,
                          i % 13 == 12))
        obj_ids = self.ins(m.Objective, objs)
        rows = []
        month_end = dt.date(ANCHOR.year, ANCHOR.month, 1) - dt.timedelta(days=1)
        for oid, (freq, level, spread, unmeasured) in zip(obj_ids, plans):
            if unmeasured:
                continue
            count = 5 * 52 if freq == "weekly" else 5 * 12
            for k in range(count):
                day = (_d(-7 * k) if freq == "weekly" else
                       month_end - dt.timedelta(days=round(30.44 * k)))
                rows.append({"objective_id": oid, "measured_on": day,
                             "value": round(level + rng.gauss(0, spread) - 0.002 * k * spread,
                                            2)})
        self.ins(m.Measurement, rows)

    # -- the update phase: realistic field changes, in the order they happen in a year
    def changes(self) -> Iterator[tuple[str, int, str, object]]:
        rng = self.rng
        for resp, result in self.planned_results.items():  # audits being conducted
            yield "response", resp, "result", result
            yield "response", resp, "evidence", rng.choice(EVIDENCE)
            if result in ("nonconform", "partial"):
                yield "response", resp, "notes", "Finding raised; see the audit report."
        for aid, a in self.rows["action"].items():  # actions progressing
            yield "action", aid, "status", "in_progress"
            if rng.random() < 0.6:
                done = a["due_date"] - dt.timedelta(days=rng.randint(-20, 40))
                yield "action", aid, "status", "done"
                yield "action", aid, "completed_on", done
                if rng.random() < 0.5:
                    yield "action", aid, "effectiveness_check", "Checked 3 months later."
                    yield "action", aid, "effective", rng.random() < 0.9
                    yield "action", aid, "status", "verified"
        for rid, r in self.rows["risk"].items():  # re-rating after treatment
            if r["status"] == "open" or rng.random() < 0.4:
                continue
            yield "risk", rid, "residual_likelihood", max(1, r["inherent_likelihood"] - rng.randint(1, 2))
            yield "risk", rid, "residual_impact", max(1, r["inherent_impact"] - rng.randint(0, 1))
        for tid, t in self.rows["training_record"].items():  # evidence filed
            if rng.random() < 0.3:
                yield "training_record", tid, "evidence", f"Attendance sheet {t['completed_on']:%Y-%m}"
        for did, d in self.rows["document"].items():  # documents approved
            if d["status"] == "draft":
                yield "document", did, "status", "approved"
                nxt = chr(ord(d["current_revision"] or "A") + 1)
                yield "document", did, "current_revision", nxt
        for nid, node in self.rows["process_node"].items():  # steps moved on the canvas
            if rng.random() < 0.25:
                yield "process_node", nid, "x", node["x"] + 20.0
                yield "process_node", nid, "y", node["y"] + 10.0
        cycle = 0
        while True:  # periodic risk reviews, as many as the target needs
            cycle += 1
            for rid, r in self.rows["risk"].items():
                review = r["review_date"] + dt.timedelta(days=90)
                yield "risk", rid, "review_date", review
                yield "risk", rid, "notes", f"Reviewed {review:%Y-%m-%d}: controls effective."


class _Trail:
    """Field updates plus their chained ``update`` events, written in big batches.

    The same rules as the ORM listener in ``storage.audit``: one event per changed field, old and
    new encoded with ``encode_field``, each event hashed over the previous one.
    """

    def __init__(self, conn, rows: dict[str, dict[int, dict]], users: list[str],
                 rng: random.Random, *, batch: int = 20_000):
        self.conn = conn
        self.rows = rows
        self.users = users or ["qms.admin"]
        self.rng = rng
        self.batch = batch
        self.head = head_hash(conn)
        self.tables = {t.name: t for t in m.Base.metadata.sorted_tables}

    def write(self, changes: Iterator[tuple[str, int, str, object]], count: int) -> int:
        written = 0
        pending: dict[tuple[str, str], list[dict]] = defaultdict(list)
        events: list[dict] = []
        at, user = utc_now(), self.rng.choice(self.users)
        for table, rid, col, new in changes:
            if written >= count:
                break
            rec = self.rows[table][rid]
            old_text, new_text = encode_field(rec.get(col)), encode_field(new)
            if old_text == new_text:
                continue
            rec[col] = new
            if written % 250 == 0:  # a user's working session
                user = self.rng.choice(self.users)
            h = event_hash(self.head, at, user, "update", table, rid, col, old_text, new_text)
            events.append({"at": at, "user": user, "op": "update", "entity": table,
                           "record_id": rid, "field": col, "old": old_text, "new": new_text,
                           "prev_hash": self.head, "hash": h})
            self.head = h
            pending[(table, col)].append({"b_id": rid, "b_value": new})
            written += 1
            if len(events) >= self.batch:
                self.flush(pending, events)
                at = utc_now()
        self.flush(pending, events)
        return written

    def flush(self, pending: dict, events: list) -> None:
        for (table, col), params in pending.items():
            t = self.tables[table]
            self.conn.execute(
                update(t).where(t.c.id == bindparam("b_id")).values({col: bindparam("b_value")}),
                params)
        if events:
            self.conn.execute(insert(AUDIT_TABLE), events)
        pending.clear()
        events.clear()


def make_large(path: Path | str, *, seed: int = 1, scale: float = 1.0,
               progress: Progress | None = None) -> Path:
    """Generate the large workspace at ``path`` (replacing it) and return its path.

    The file is built beside ``path`` and renamed into place only when complete.
    """
    say = progress or (lambda _m: None)
    path = Path(path)
    if path.suffix.lower() != ".qms":
        path = path.with_name(path.name + ".qms")
    n = sizes(scale)
    rng = random.Random(seed)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.building.qms")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        ws = create_workspace(tmp, organization="Nordwerk Precision Components GmbH",
                              user="qms.admin")
        try:
            with ws.session() as s:
                s.connection().exec_driver_sql("PRAGMA cache_size=-65536")
                gen = _Generator(ws, s, rng, n, say)
                gen.build()
                inserted = s.connection().execute(
                    select(func.count()).select_from(AUDIT_TABLE)).scalar_one()
            say(f"{inserted:,} insert events; adding field updates")
            target = max(n["audit_events"], inserted)
            with ws.session() as s:
                trail = _Trail(s.connection(), gen.rows, gen.users, rng)
                trail.write(gen.changes(), target - inserted)
            with ws.connect() as c:
                total = c.execute(select(func.count()).select_from(AUDIT_TABLE)).scalar_one()
            if total != target:
                raise RuntimeError(f"generated {total} audit events instead of {target}")
        finally:
            ws.close()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        with contextlib.suppress(FileNotFoundError):
            tmp.with_name(tmp.name + ".lock").unlink()
        raise
    say(f"wrote {path}")
    return path


def schema_digest() -> str:
    """A short digest of the tables and columns, so a schema change invalidates cached files."""
    h = hashlib.sha256(SCHEMA_HEAD.encode())
    for t in m.Base.metadata.sorted_tables:
        for c in t.c:
            h.update(f"{t.name}.{c.name}:{c.type!r}:{c.nullable};".encode())
    return h.hexdigest()[:10]


def cache_key(*, seed: int = 1, scale: float = 1.0) -> str:
    return f"large-g{GENERATOR_VERSION}-{schema_digest()}-seed{seed}-x{scale:g}"


def cached_large(*, seed: int = 1, scale: float = 1.0, cache_dir: Path | None = None,
                 progress: Progress | None = None) -> Path:
    """The cached large workspace for (seed, scale), generated on first use.

    Benchmarks that write must work on a copy (see ``bench.__main__``) so the cache stays intact.
    """
    folder = Path(cache_dir) if cache_dir else CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{cache_key(seed=seed, scale=scale)}.qms"
    if not path.exists():
        for stale in folder.glob(f"large-*-seed{seed}-x{scale:g}.qms"):
            with contextlib.suppress(OSError):
                stale.unlink()
        make_large(path, seed=seed, scale=scale, progress=progress)
    return path


def run_on_copy(bench, name: str, argv: list[str] | None = None) -> int:
    """``python -m bench.<name> [WORKSPACE]``: run ``bench(copy)`` on a copy of WORKSPACE (the
    cached large workspace by default), print its result dict, exit 0 when it passed."""
    import shutil
    import sys
    import tempfile

    argv = sys.argv[1:] if argv is None else argv
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        source = Path(argv[0]) if argv else cached_large()
        copy = Path(folder) / f"{name}.qms"
        shutil.copyfile(source, copy)
        result = bench(copy)
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    return 0 if result["passed"] else 1
