"""The main window's pages, one per navigation entry (design.md §4).

``page_specs()`` lists them in navigation order. A page whose editor is not built yet is a
:class:`~.placeholder.PlaceholderPage` saying what the module will hold. Pages are built lazily
the first time they are shown, so start-up builds only the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("pages", text)


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    #: what the module holds (shown on placeholder pages and as the navigation tooltip)
    description: str
    #: overview count keys that measure this module (placeholders show them)
    counts: tuple[str, ...] = ()
    #: module:Class of the page, imported when the page is first shown; "" = placeholder
    factory: str = ""


def page_specs() -> list[PageSpec]:
    return [
        PageSpec("dashboard", tr("Dashboard"),
                 tr("The cockpit: overdue actions, risks by level, training compliance, the "
                    "audit programme, the gap analysis by chapter, objectives on or off target, "
                    "documents due for review and open nonconformities, each opening its list, "
                    "with the workspace's counts and the organization profile."),
                 factory="qms_desktop.ui.pages.dashboard:DashboardPage"),
        PageSpec("roadmap", tr("Roadmap"),
                 tr("The ten steps of implementing a quality management system, from "
                    "commitment and scope to certification, checked against the workspace: "
                    "what is done, what is next and where to do it."),
                 factory="qms_desktop.ui.roadmap:RoadmapPage"),
        PageSpec("context", tr("Context & policy"),
                 tr("The quality policy and its approval, the scope of the QMS with its "
                    "exclusions, interested parties and their needs, and internal and external "
                    "issues, climate change included."),
                 counts=("context_issues", "interested_parties"),
                 factory="qms_desktop.ui.context:ContextPage"),
        PageSpec("processes", tr("Processes"),
                 tr("The process map editor: each process with its owner, purpose, inputs, "
                    "outputs and KPIs, drawn as a flowchart with swimlanes for roles. Steps link "
                    "to risks, documents and records; maps import from and export to BPMN and "
                    "draw.io."),
                 counts=("processes", "process_steps"),
                 factory="qms_desktop.ui.processes:ProcessesPage"),
        PageSpec("risks", tr("Risks"),
                 tr("The register of risks and opportunities: cause and effect, 5×5 or FMEA "
                    "ratings (severity, occurrence, detection, RPN, action priority) before and "
                    "after controls, owners, review dates and treatment actions, each linked to "
                    "its process and step."),
                 counts=("risks",),
                 factory="qms_desktop.ui.risks:RisksPage"),
        PageSpec("training", tr("Training"),
                 tr("The training matrix: the courses each role requires, who completed which "
                    "course and when, what expires soon or is overdue, and the evidence."),
                 counts=("people", "roles", "courses", "training_records"),
                 factory="qms_desktop.ui.training:TrainingPage"),
        PageSpec("checklists", tr("Checklists & Audits"),
                 tr("Checklist templates with clause references and guidance, gap analyses and "
                    "internal audits with conform, partial and nonconform results, evidence and "
                    "findings that raise actions."),
                 counts=("checklist_templates", "checklist_runs", "findings"),
                 factory="qms_desktop.ui.checklists:ChecklistsPage"),
        PageSpec("documents", tr("Documents"),
                 tr("Controlled documents (procedures, work instructions, forms) with number, "
                    "owner and status, their revisions, approvals and signatures, and Word "
                    "export."),
                 counts=("documents",),
                 factory="qms_desktop.ui.documents:DocumentsPage"),
        PageSpec("actions", tr("Actions"),
                 tr("Every action in one list, whether it came from a risk, an audit finding, a "
                    "nonconformity or a management review: owner, due date, status and the "
                    "check that it worked."),
                 counts=("actions", "nonconformities"),
                 factory="qms_desktop.ui.actions:ActionsPage"),
        PageSpec("nonconformities", tr("Nonconformities"),
                 tr("Nonconformities from complaints, audits, processes and suppliers: "
                    "containment, root cause (5 Whys, fishbone), corrective actions and the "
                    "check that they worked, with 8D reports."),
                 counts=("nonconformities",),
                 factory="qms_desktop.ui.nonconformities:NonconformitiesPage"),
        PageSpec("objectives", tr("Objectives & KPIs"),
                 tr("SMART quality objectives and KPIs with targets, measurements and run "
                    "charts, on or off target."),
                 counts=("objectives",),
                 factory="qms_desktop.ui.objectives:ObjectivesPage"),
        PageSpec("reviews", tr("Management review"),
                 tr("Management reviews: packs whose inputs fill themselves from the "
                    "workspace, the team's notes, and decisions that become actions."),
                 counts=("management_reviews",),
                 factory="qms_desktop.ui.reviews:ReviewsPage"),
        PageSpec("audit_trail", tr("Audit trail"),
                 tr("Every change ever made to the workspace, who made it and when, in a "
                    "tamper-evident chain you can verify."),
                 factory="qms_desktop.ui.pages.audit_trail:AuditTrailPage"),
    ]


def load_factory(spec: PageSpec) -> Callable:
    import importlib

    module, _, name = spec.factory.partition(":")
    return getattr(importlib.import_module(module), name)
