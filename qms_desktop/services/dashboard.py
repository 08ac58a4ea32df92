"""The dashboard's figures: a fast headline for the first paint, then one tile at a time.

``headline(ws)`` counts what a few plain ``COUNT`` queries give exactly (overdue actions, risks,
documents overdue for review, open and overdue nonconformities, objectives, internal audits of
the year) — fast enough to paint with. Each tile's full figures come from its own function in
:data:`TILES` (``tile(key, ws)``), each opening its own connection, so a view computes them one
by one on a worker thread and shows each as it arrives; ``tiles(ws)`` computes them all.

The rules are those of the lists a tile opens, so a tile's count is the length of its filtered
list: actions (``services.actions``: unfinished = open or in progress, overdue = due before
today), risks (``services.risks.level_counts``: open risks, not opportunities, by the level that
counts now — residual where rated, else inherent — the management review's rule; the register
lists the same with its kind "risks", "open only" and level filters), training
(``services.training``'s matrix), the audit programme (``services.checklists.programme``; an
audit is done once its run is completed, as the run list says — a later ISO 19011 step overdue,
the report or the follow-up, is told apart with the day it was due), the
latest gap analysis (``core.checklists`` scores by chapter), documents (the register's review
state), objectives (``core.kpi.kpi_status`` of the latest measurement) and nonconformities
(unfinished = not closed; overdue = due before today and not closed).

:data:`TILE_KINDS` names the tables whose changes move each tile, so a view recomputes only
those an edit touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import String, exists, func, select, type_coerce

from ..core.dates import stored_date as _day
from ..core import checklists as check_rules
from ..core import kpi
from ..storage import models as m
from ..storage.workspace import Workspace

TILE_KEYS = ("actions", "risks", "training", "audits", "gap", "objectives", "documents",
             "nonconformities")

#: tile → the tables (change kinds) whose edits can move its figures
TILE_KINDS: dict[str, frozenset[str]] = {
    "actions": frozenset({"action"}),
    "risks": frozenset({"risk", "risk_rating", "setting", "action"}),
    "training": frozenset({"person", "person_role", "role", "course", "role_course",
                           "training_record", "node_document", "process_node", "process",
                           "process_lane", "document", "revision", "setting"}),
    "audits": frozenset({"checklist_run", "audit_step", "process"}),
    "gap": frozenset({"checklist_run", "response", "checklist_item", "checklist_template"}),
    "objectives": frozenset({"objective", "measurement"}),
    "documents": frozenset({"document", "revision", "signature"}),
    "nonconformities": frozenset({"nonconformity"}),
}

#: chapters of ISO 9001 a gap analysis is scored on
GAP_CHAPTERS = ("4", "5", "6", "7", "8", "9", "10")


def _text(column):
    """A date column read as its stored text (converted by :func:`_day`, never raising)."""
    return type_coerce(column, String)


# =========================================================================== headline


@dataclass(frozen=True)
class Headline:
    """Exact counts for the first paint (each tile's big figure before its details arrive)."""

    today: dt.date
    open_actions: int = 0
    overdue_actions: int = 0
    risks: int = 0
    documents: int = 0
    reviews_overdue: int = 0
    nc_open: int = 0
    nc_overdue: int = 0
    objectives: int = 0
    audits_this_year: int = 0
    gap_analyses: int = 0


def headline(ws: Workspace, today: dt.date | None = None) -> Headline:
    """A handful of ``COUNT`` queries on one connection (a few ms on the large workspace)."""
    today = today or dt.date.today()
    iso = today.isoformat()
    a, d, r, nc, o, run = (m.Action, m.Document, m.Revision, m.Nonconformity, m.Objective,
                           m.ChecklistRun)

    def count(c, model, *where) -> int:
        return c.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

    start, end = dt.date(today.year, 1, 1).isoformat(), dt.date(today.year, 12, 31).isoformat()
    with ws.connect() as c:
        open_states = a.status.in_(("open", "in_progress"))
        in_force = exists().where(r.document_id == d.id, r.status == "effective")
        return Headline(
            today,
            open_actions=count(c, a, open_states),
            overdue_actions=count(c, a, open_states, _text(a.due_date) < iso,
                                  func.date(_text(a.due_date)).is_not(None)),
            risks=count(c, m.Risk),
            documents=count(c, d),
            reviews_overdue=count(c, d, in_force, _text(d.next_review_on) < iso,
                                  func.date(_text(d.next_review_on)).is_not(None)),
            nc_open=count(c, nc, nc.status != "closed"),
            nc_overdue=count(c, nc, nc.status != "closed", _text(nc.due_date) < iso,
                             func.date(_text(nc.due_date)).is_not(None)),
            objectives=count(c, o),
            audits_this_year=count(c, run, run.kind == "internal_audit", func.coalesce(
                _text(run.planned_on), _text(run.started_on)).between(start, end)),
            gap_analyses=count(c, run, run.kind == "gap_analysis"),
        )


# =========================================================================== tiles


@dataclass(frozen=True)
class ActionsTile:
    open: int
    overdue: int
    #: the earliest due date of an unfinished action not yet overdue (None: none)
    next_due: dt.date | None
    #: the earliest due date among the overdue ones
    oldest_overdue: dt.date | None
    #: done actions whose effectiveness check is past its date
    check_overdue: int


def actions_tile(ws: Workspace, today: dt.date | None = None) -> ActionsTile:
    from . import actions

    today = today or dt.date.today()
    rows = [r for r in actions.list_actions(ws, today) if r.status in actions.OPEN]
    overdue = [r.due_date for r in rows if r.overdue]
    coming = [r.due_date for r in rows if r.due_date is not None and not r.overdue]
    with ws.connect() as c:
        a = m.Action
        check = 0
        for due, effective in c.execute(
                select(_text(a.effectiveness_due), a.effective).where(a.status == "done")):
            day = _day(due)
            check += effective is None and day is not None and day < today
    return ActionsTile(len(rows), len(overdue), min(coming, default=None),
                       min(overdue, default=None), check)


@dataclass(frozen=True)
class RisksTile:
    #: open risks (not opportunities, not closed): ``services.risks.level_counts``
    total: int
    #: open risks per current level (``services.risks.LEVEL_BASIS``); "" = not rated
    by_level: dict[str, int]
    #: risks whose review date has passed or with an overdue action
    overdue: int
    #: open opportunities (counted apart from the risks)
    opportunities: int = 0

    @property
    def high(self) -> int:
        """Open risks at high or critical (by current level)."""
        return self.by_level.get("high", 0) + self.by_level.get("critical", 0)


def risks_tile(ws: Workspace, today: dt.date | None = None) -> RisksTile:
    from . import risks

    rows = risks.list_risks(ws, today)
    n = risks.level_counts(rows)  # the management review's input counts the same way
    return RisksTile(n.open_risks, dict(n.risks),
                     sum(1 for r in rows if r.review_overdue or r.overdue_actions),
                     n.open_opportunities)


@dataclass(frozen=True)
class TrainingTile:
    required: int
    compliant: int
    expiring: int
    #: to train now: expired, missing, retraining past its grace period
    late: int
    retrain: int
    expired: int
    missing: int
    window_days: int

    @property
    def percent(self) -> float:
        return 100.0 * self.compliant / self.required if self.required else 100.0


def training_tile(ws: Workspace, today: dt.date | None = None) -> TrainingTile:
    from ..core import training as rules
    from . import training

    mx = training.load_matrix(ws, today)
    n = mx.counts()
    return TrainingTile(sum(n.values()), n[rules.CURRENT] + n[rules.EXPIRING], n[rules.EXPIRING],
                        mx.late(), n[rules.RETRAIN], n[rules.EXPIRED], n[rules.MISSING],
                        mx.window_days)


@dataclass(frozen=True)
class AuditEntry:
    run_id: int
    code: str
    title: str
    planned_on: dt.date | None
    #: the programme's state (``services.checklists.audit_state``: a completed run is done,
    #: a late report or follow-up is told apart in :attr:`late_steps`)
    state: str
    #: ISO 19011 steps planned before today and not done (report, follow-up…)
    late_steps: tuple[str, ...] = ()
    completed_on: dt.date | None = None
    #: the earliest planned day of the late steps
    late_since: dt.date | None = None
    #: the same as :attr:`state` (kept for callers): the programme, the run list and this
    #: tile count by one rule
    status: str = ""


@dataclass(frozen=True)
class AuditsTile:
    year: int
    #: this year's internal audits (the programme), in plan order
    audits: tuple[AuditEntry, ...]
    #: processes (top level) without an audit this year
    processes_without: int
    #: the next internal audit not completed, planned today or later (any year)
    next_on: dt.date | None = None
    next_code: str = ""
    next_title: str = ""

    def count(self, status: str) -> int:
        """This year's audits in ``status`` (:attr:`AuditEntry.status`: completed = done)."""
        return sum(1 for a in self.audits if a.status == status)

    @property
    def late(self) -> tuple[AuditEntry, ...]:
        """Audits with a step overdue (done ones too: their report, follow-up…)."""
        return tuple(a for a in self.audits if a.late_steps)


def audits_tile(ws: Workspace, today: dt.date | None = None) -> AuditsTile:
    from . import checklists

    today = today or dt.date.today()
    rows = checklists.programme(ws, today.year, today)
    entries = [a for row in rows for a in row.audits]
    bare = sum(1 for row in rows if row.process_id is not None and not row.audits)
    r, st = m.ChecklistRun, m.AuditStep
    nxt = None
    since: dict[int, dt.date] = {}
    with ws.connect() as c:
        late_runs = [a.run_id for a in entries if a.late_steps]
        if late_runs:
            late = {(a.run_id, s) for a in entries for s in a.late_steps}
            for rid, step, planned in c.execute(
                    select(st.run_id, st.step, _text(st.planned_on))
                    .where(st.run_id.in_(late_runs))):
                day = _day(planned)
                if (rid, step) in late and day is not None:
                    since[rid] = min(since.get(rid, day), day)
        for rid, code, title, planned in c.execute(
                select(r.id, r.code, r.title, _text(r.planned_on))
                .where(r.kind == "internal_audit", r.completed_on.is_(None),
                       _text(r.planned_on) >= today.isoformat())):
            day = _day(planned)
            if day is not None and day >= today and (nxt is None or (day, rid) < nxt[:2]):
                nxt = (day, rid, code or "", title or "")
    audits = tuple(AuditEntry(a.run_id, a.code, a.title, a.planned_on, a.state,
                              tuple(a.late_steps), a.completed_on, since.get(a.run_id),
                              a.state)
                   for a in entries)
    if nxt is None:
        return AuditsTile(today.year, audits, bare)
    return AuditsTile(today.year, audits, bare, nxt[0], nxt[2], nxt[3])


@dataclass(frozen=True)
class GapTile:
    """The latest gap analysis (by start or planned day, then id); ``run_id`` None: none yet."""

    run_id: int | None = None
    code: str = ""
    title: str = ""
    day: dt.date | None = None
    percent: float | None = None
    answered: int = 0
    items: int = 0
    #: chapter "4" … "10" → score in % (None: no item of it assessed)
    by_chapter: dict[str, float | None] = field(default_factory=dict)


def gap_tile(ws: Workspace, today: dt.date | None = None) -> GapTile:
    r = m.ChecklistRun
    with ws.connect() as c:
        runs = c.execute(select(r.id, r.code, r.title, _text(r.started_on), _text(r.planned_on))
                         .where(r.kind == "gap_analysis")).all()
        if not runs:
            return GapTile()
        rid, code, title, started, planned = max(
            runs, key=lambda x: (_day(x[3]) or _day(x[4]) or dt.date.min, x[0]))
        answers = [check_rules.Answer(cl, res, w, p, sec) for cl, res, w, p, sec in c.execute(
            select(m.ChecklistItem.clause, m.Response.result, m.ChecklistItem.weight,
                   m.ChecklistItem.pdca, m.ChecklistItem.section)
            .join(m.ChecklistItem, m.ChecklistItem.id == m.Response.item_id)
            .where(m.Response.run_id == rid))]
    overall = check_rules.score(answers)
    chapters = check_rules.scores_by_chapter(answers, GAP_CHAPTERS)
    return GapTile(rid, code or "", title or "", _day(started) or _day(planned), overall.percent,
                   overall.assessed, overall.total,
                   {ch: (chapters[ch].percent if ch in chapters else None)
                    for ch in GAP_CHAPTERS})


@dataclass(frozen=True)
class ObjectivesTile:
    """Every objective and KPI, as the Objectives page lists them."""

    total: int
    #: core.kpi status (on, near, off, none) → objectives and KPIs
    counts: dict[str, int]
    #: of them, measured too long ago for their frequency
    late: int


def objectives_tile(ws: Workspace, today: dt.date | None = None) -> ObjectivesTile:
    today = today or dt.date.today()
    o, ms = m.Objective, m.Measurement
    with ws.connect() as c:
        objs = c.execute(select(o.id, o.direction, o.target, o.tolerance, o.frequency, o.unit,
                                o.status)).all()
        # each objective's latest two measurements are all kpi_status reads (value and trend)
        points: dict[int, list[tuple[dt.date, float]]] = {}
        for oid, day, value in c.execute(
                select(ms.objective_id, _text(ms.measured_on), ms.value)
                .order_by(ms.objective_id, _text(ms.measured_on), ms.id)):
            d = _day(day)
            if d is not None and value is not None:
                points.setdefault(oid, []).append((d, value))
    counts = {s: 0 for s in kpi.STATUSES}
    late = 0
    for oid, direction, target, tolerance, frequency, unit, status in objs:
        st = kpi.kpi_status(direction or kpi.HIGHER, target, tolerance,
                            points.get(oid, [])[-2:], frequency=frequency or "monthly",
                            unit=unit or "", today=today)
        counts[st.status] += 1
        # one achieved or dropped is no longer measured, so never late (the objectives list)
        late += st.late and (status or "active") == "active"
    return ObjectivesTile(len(objs), counts, late)


@dataclass(frozen=True)
class DocumentsTile:
    #: documents in force whose periodic review date has passed
    overdue: int
    #: … falls within the next 30 days
    due_soon: int
    #: documents with a revision being worked on (draft, in review, approved)
    revising: int
    in_force: int
    total: int
    #: the earliest review date overdue
    oldest_overdue: dt.date | None = None


def documents_tile(ws: Workspace, today: dt.date | None = None) -> DocumentsTile:
    from . import documents

    rows = documents.list_documents(ws, today)
    late = [r.next_review_on for r in rows if r.review_state == "overdue"]
    return DocumentsTile(len(late), sum(1 for r in rows if r.review_state == "due_soon"),
                         sum(1 for r in rows if r.pending_status),
                         sum(1 for r in rows if r.status == "effective"), len(rows),
                         min(late, default=None))


@dataclass(frozen=True)
class NonconformitiesTile:
    #: not closed
    open: int
    #: not closed and due before today
    overdue: int
    #: open ones of severity major
    major: int
    #: status → open nonconformities in it (closed left out)
    by_status: dict[str, int]
    closed: int = 0


def nonconformities_tile(ws: Workspace, today: dt.date | None = None) -> NonconformitiesTile:
    today = today or dt.date.today()
    nc = m.Nonconformity
    with ws.connect() as c:
        rows = c.execute(select(nc.status, nc.severity, _text(nc.due_date))).all()
    by_status = {s: 0 for s in m.NC_STATUSES if s != "closed"}
    open_ = overdue = major = closed = 0
    for status, severity, due in rows:
        if status == "closed":
            closed += 1
            continue
        open_ += 1
        by_status[status] = by_status.get(status, 0) + 1
        major += severity == "major"
        day = _day(due)
        overdue += day is not None and day < today
    return NonconformitiesTile(open_, overdue, major, by_status, closed)


#: tile key → its function (ws, today) → figures
TILES: dict[str, Callable[..., Any]] = {
    "actions": actions_tile,
    "risks": risks_tile,
    "training": training_tile,
    "audits": audits_tile,
    "gap": gap_tile,
    "objectives": objectives_tile,
    "documents": documents_tile,
    "nonconformities": nonconformities_tile,
}


def tile(key: str, ws: Workspace, today: dt.date | None = None) -> Any:
    """The figures of tile ``key`` (one of :data:`TILE_KEYS`)."""
    return TILES[key](ws, today or dt.date.today())


@dataclass(frozen=True)
class Tiles:
    headline: Headline
    actions: ActionsTile
    risks: RisksTile
    training: TrainingTile
    audits: AuditsTile
    gap: GapTile
    objectives: ObjectivesTile
    documents: DocumentsTile
    nonconformities: NonconformitiesTile


def tiles(ws: Workspace, today: dt.date | None = None) -> Tiles:
    """Everything the dashboard's tiles show (each tile from its own queries)."""
    today = today or dt.date.today()
    return Tiles(headline(ws, today), **{k: tile(k, ws, today) for k in TILE_KEYS})


def kinds_to_tiles(kinds) -> list[str]:
    """The tiles (in display order) an edit of tables ``kinds`` can move."""
    kinds = set(kinds)
    return [k for k in TILE_KEYS if TILE_KINDS[k] & kinds]
