"""Headline figures of a workspace (dashboard, ``qms info``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from ..storage import models as m
from ..storage.audit import head_hash
from ..storage.workspace import Workspace

#: (label, model) in display order
COUNTED = (
    ("people", m.Person),
    ("roles", m.Role),
    ("processes", m.Process),
    ("process_steps", m.ProcessNode),
    ("risks", m.Risk),
    ("actions", m.Action),
    ("courses", m.Course),
    ("training_records", m.TrainingRecord),
    ("checklist_templates", m.ChecklistTemplate),
    ("checklist_runs", m.ChecklistRun),
    ("findings", m.Finding),
    ("documents", m.Document),
    ("objectives", m.Objective),
    ("nonconformities", m.Nonconformity),
    ("management_reviews", m.ManagementReview),
    ("context_issues", m.ContextIssue),
    ("interested_parties", m.InterestedParty),
    ("audit_events", m.AuditEvent),
)


@dataclass
class Overview:
    path: str
    organization: str
    counts: dict[str, int]
    open_actions: int
    overdue_actions: int
    head_hash: str
    read_only: bool
    #: the number of the event ``head_hash`` belongs to (the trail's length)
    head_event: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def overview(ws: Workspace, today: dt.date | None = None) -> Overview:
    """The headline figures; a table or column removed by another program (after the check on
    opening) is a WorkspaceError naming it, not a traceback."""
    from sqlalchemy.exc import OperationalError

    try:
        return _overview(ws, today)
    except OperationalError as e:
        raise _missing(ws, e) from e


def _missing(ws: Workspace, e) -> Exception:
    import re

    from ..storage.workspace import WorkspaceError

    found = re.search(r"no such (table|column): ([\w.]+)", str(e.orig))
    if found is None:
        return e
    return WorkspaceError(
        f"“{ws.path.name}” is damaged: its {found.group(1)} “{found.group(2)}” is missing (it "
        "was changed outside QMS Workbench). Restore it from a backup.")


def _overview(ws: Workspace, today: dt.date | None) -> Overview:
    today = today or dt.date.today()
    with ws.connect() as c:
        counts = {}
        for label, model in COUNTED:
            counts[label] = c.execute(select(func.count()).select_from(model)).scalar_one()
        org = c.execute(select(m.Organization.name).order_by(m.Organization.id).limit(1)).scalar()
        open_states = ("open", "in_progress")
        open_actions = c.execute(
            select(func.count()).select_from(m.Action).where(m.Action.status.in_(open_states))
        ).scalar_one()
        overdue = c.execute(
            select(func.count()).select_from(m.Action).where(
                m.Action.status.in_(open_states), m.Action.due_date < today)
        ).scalar_one()
        head = head_hash(c)
    return Overview(str(ws.path), org or "", counts, open_actions, overdue, head, ws.read_only,
                    counts["audit_events"])
