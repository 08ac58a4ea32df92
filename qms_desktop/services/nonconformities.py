"""Nonconformities and corrective action (CAPA): the register, its causes and its closure.

A nonconformity (``storage.models.Nonconformity``) comes from a customer complaint, an internal
audit finding, a process or a supplier (:data:`SOURCES`). Its causes are ``nc_cause`` rows: the
5 Whys chain (method "why", in ``position`` order, each answering the one before) and the
fishbone's causes (method "fishbone", on one of the 6M bones ``CAUSE_CATEGORIES``); any may be
marked as the root. Its corrective actions live in the workspace-wide action list
(``services.actions``, source kind "nonconformity").

The rules are ``core.capa``'s: the lifecycle open → contained → investigating → action → closed,
and the closure rule of ISO 9001 10.2 (shared with the audit findings). Rows carry everything a
view shows (owner and process names, age, overdue, action counts, the root cause in one line,
what keeps it from closing), so the UI never queries while painting.

Edits (all-or-nothing, the first broken rule refuses the whole edit with one sentence):

* ``status`` one of ``NC_STATUSES``, ``source`` one of ``NC_SOURCES``, ``severity`` one of
  ``NC_SEVERITIES``; the title and the ID cannot be empty and no two nonconformities share an
  ID; the owner is an active person; dates are dates.
* Closing needs :func:`core.capa.closure_problems` to be empty — else the refusal names what is
  missing — and dates the closure (``closed_on``: the day given, else today); any other status
  clears ``closed_on``. A closed nonconformity's fields stay as they are until it is reopened.
* The 5 Whys chain holds at most ``core.capa.MAX_WHYS`` whys; one why is the root at a time
  (fishbone causes may be several).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import select

from ..core import capa
from ..storage import models as m
from ..storage.changes import Change
from ..storage.workspace import Workspace
from .actions import ActionRow, actions_for
from .actions import _effective as _verdict
from .records import RecordError, coerce

SOURCES = m.NC_SOURCES
STATUSES = m.NC_STATUSES
SEVERITIES = m.NC_SEVERITIES
CATEGORIES = m.CAUSE_CATEGORIES
METHODS = m.CAUSE_METHODS
REF_PREFIX = "NC-"
#: the digits of a new reference (the demo's "NC-0147")
REF_DIGITS = 4

TEXT_FIELDS = ("ref", "title", "description", "correction", "root_cause", "reported_by",
               "customer", "supplier", "team", "containment", "prevention",
               "effectiveness_check", "verified_by")
DATE_FIELDS = ("detected_on", "verified_on", "due_date", "closed_on")
EDITABLE = TEXT_FIELDS + DATE_FIELDS + ("source", "status", "severity", "owner_id",
                                        "process_id", "finding_id", "effective")


@dataclass(slots=True)
class CauseRow:
    id: int
    nonconformity_id: int
    method: str
    category: str
    position: int
    text: str
    is_root: bool

    def state(self) -> capa.Cause:
        return capa.Cause(self.method, self.text, self.is_root, self.category, self.position)


@dataclass(slots=True)
class NcRow:
    id: int
    ref: str
    title: str
    description: str
    detected_on: dt.date | None
    source: str
    process_id: int | None
    process: str
    owner_id: int | None
    owner: str
    severity: str
    status: str
    finding_id: int | None
    finding_ref: str
    reported_by: str
    customer: str
    supplier: str
    team: str
    containment: str
    correction: str
    root_cause: str
    prevention: str
    effectiveness_check: str
    effective: bool | None
    verified_on: dt.date | None
    verified_by: str
    due_date: dt.date | None
    closed_on: dt.date | None
    # computed
    age_days: int | None = None
    overdue: bool = False
    actions_total: int = 0
    actions_done: int = 0
    root_summary: str = ""
    closure_problems: list[str] = field(default_factory=list)
    step_problems: list[str] = field(default_factory=list)
    #: the later step the data has reached (``core.capa.suggested_status``), offered to the
    #: user beside the status; None: none
    suggested_status: str | None = None

    @property
    def source_text(self) -> str:
        """The source as shown: "Customer complaint: Hydra Fluidtechnik" / "Internal audit:
        IA25-03-F01"."""
        label = capa.SOURCE_LABELS.get(self.source, self.source.capitalize())
        who = {"customer complaint": self.customer, "supplier": self.supplier,
               "internal audit": self.finding_ref}.get(self.source, "")
        return f"{label}: {who}" if who else label

    @property
    def actions_open(self) -> int:
        return self.actions_total - self.actions_done

    @property
    def closed(self) -> bool:
        return self.status == "closed"


@dataclass(slots=True)
class NcDetail:
    """One nonconformity with its causes (whys in order, then fishbone causes by bone) and
    its actions (soonest due first)."""
    row: NcRow
    causes: list[CauseRow]
    actions: list[ActionRow]

    @property
    def whys(self) -> list[CauseRow]:
        return sorted((c for c in self.causes if c.method == "why"), key=lambda c: c.position)

    def bone(self, category: str) -> list[CauseRow]:
        return sorted((c for c in self.causes if c.method == "fishbone"
                       and c.category == category), key=lambda c: c.position)


# --------------------------------------------------------------------------- queries


def _query():
    n = m.Nonconformity
    return (select(*n.__table__.c, m.Process.name.label("process_name"),
                   m.Person.name.label("owner_name"), m.Finding.ref.label("finding_ref"))
            .outerjoin(m.Process, m.Process.id == n.process_id)
            .outerjoin(m.Person, m.Person.id == n.owner_id)
            .outerjoin(m.Finding, m.Finding.id == n.finding_id))


def _row(nc: Any, process: str | None, owner: str | None, finding: str | None,
         causes: list[CauseRow], action_states: list[tuple[str, str]], today: dt.date
         ) -> NcRow:
    row = NcRow(
        nc.id, nc.ref or "", nc.title or "", nc.description or "", nc.detected_on,
        nc.source or "", nc.process_id, process or "", nc.owner_id, owner or "",
        nc.severity or "minor", nc.status or "open", nc.finding_id, finding or "",
        nc.reported_by or "", nc.customer or "", nc.supplier or "", nc.team or "",
        nc.containment or "", nc.correction or "", nc.root_cause or "", nc.prevention or "",
        nc.effectiveness_check or "", nc.effective, nc.verified_on, nc.verified_by or "",
        nc.due_date, nc.closed_on)
    end = nc.closed_on if row.closed and nc.closed_on else today
    row.age_days = (end - nc.detected_on).days if nc.detected_on else None
    row.overdue = nc.due_date is not None and nc.due_date < today and not row.closed
    live = [s for s, _ref in action_states if s != "cancelled"]
    row.actions_total = len(live)
    row.actions_done = sum(1 for s in live if s in ("done", "verified"))
    states = [c.state() for c in causes]
    row.root_summary = capa.root_cause_summary(row.root_cause, states)
    state = nc_state(row, causes, action_states)
    row.closure_problems = [] if row.closed else capa.closure_problems(state)
    row.step_problems = [] if row.closed else capa.step_problems(row.status, state)
    row.suggested_status = capa.suggested_status(row.status, state)
    return row


def _action_state(x: str | tuple[str, str]) -> capa.ActionState:
    if isinstance(x, tuple):
        return capa.ActionState(x[0], ref=x[1] or "")
    return capa.ActionState(x)


def nc_state(row: NcRow, causes: Iterable[CauseRow],
             action_states: Iterable[str | tuple[str, str]]) -> capa.NcState:
    """The rules' view of ``row``; ``action_states``: statuses, or (status, action ID)."""
    return capa.NcState(
        description=row.description, containment=row.containment, correction=row.correction,
        team=row.team, root_cause=row.root_cause, causes=tuple(c.state() for c in causes),
        actions=tuple(_action_state(x) for x in action_states),
        effectiveness_check=row.effectiveness_check, effective=row.effective)


def _cause_rows(s, ids: list[int] | None) -> dict[int, list[CauseRow]]:
    c = m.NcCause
    stmt = select(c.id, c.nonconformity_id, c.method, c.category, c.position, c.text,
                  c.is_root).order_by(c.nonconformity_id, c.method, c.category, c.position, c.id)
    if ids is not None:
        stmt = stmt.where(c.nonconformity_id.in_(ids))
    out: dict[int, list[CauseRow]] = {}
    for r in s.execute(stmt):
        out.setdefault(r[1], []).append(CauseRow(r[0], r[1], r[2] or "why", r[3] or "",
                                                 r[4] or 0, r[5] or "", bool(r[6])))
    return out


def _action_states(s, ids: list[int] | None) -> dict[int, list[tuple[str, str]]]:
    """Each nonconformity's actions as (status, ID), by ID."""
    a = m.Action
    stmt = select(a.nonconformity_id, a.status, a.ref).where(
        a.nonconformity_id.is_not(None)).order_by(a.ref, a.id)
    if ids is not None:
        stmt = stmt.where(a.nonconformity_id.in_(ids))
    out: dict[int, list[tuple[str, str]]] = {}
    for nid, status, ref in s.execute(stmt):
        out.setdefault(nid, []).append((status, ref or ""))
    return out


def _load(s, ids: list[int] | None, today: dt.date) -> list[NcRow]:
    stmt = _query().order_by(m.Nonconformity.id)
    if ids is not None:
        stmt = stmt.where(m.Nonconformity.id.in_(ids))
    recs = s.execute(stmt).all()
    causes = _cause_rows(s, ids)
    states = _action_states(s, ids)
    return [_row(r, r.process_name, r.owner_name, r.finding_ref, causes.get(r.id, []),
                 states.get(r.id, []), today) for r in recs]


def list_nonconformities(ws: Workspace, ids: Iterable[int] | None = None,
                         today: dt.date | None = None) -> list[NcRow]:
    """Every nonconformity (``ids``: only those that still exist), in order of creation."""
    today = today or dt.date.today()
    wanted = None if ids is None else sorted(set(ids))
    with ws.connect() as s:
        if wanted is None:
            return _load(s, None, today)
        out: list[NcRow] = []
        for i in range(0, len(wanted), 500):
            out += _load(s, wanted[i:i + 500], today)
        return out


def get(ws: Workspace, nc_id: int, today: dt.date | None = None) -> NcDetail:
    """One nonconformity with its causes and actions; RecordError when it is gone."""
    today = today or dt.date.today()
    with ws.connect() as s:
        rows = _load(s, [nc_id], today)
        if not rows:
            raise RecordError(f"Nonconformity {nc_id} no longer exists.")
        causes = _cause_rows(s, [nc_id]).get(nc_id, [])
    return NcDetail(rows[0], causes, actions_for(ws, "nonconformity", nc_id, today))


def find(ws: Workspace, key: str | int) -> NcRow:
    """A nonconformity for the command line: by its ID (ref, any case: "nc-0147"), by the
    number of its ID without prefix or zeros ("147", when exactly one ID has that number),
    else by its database id ("3")."""
    text = str(key).strip()
    rows = list_nonconformities(ws)
    hit = [r for r in rows if r.ref.casefold() == text.casefold()]
    if not hit and text.isdigit():
        number = int(text)
        by_number = [r for r in rows if (x := re.search(r"(\d+)$", r.ref))
                     and int(x.group(1)) == number]
        if len(by_number) > 1:
            raise RecordError(f"“{text}” is the number of several nonconformities ("
                              + ", ".join(r.ref for r in by_number) + "): give the full ID.")
        hit = by_number or [r for r in rows if r.id == number]
    if not hit:
        example = rows[-1].ref if rows else f"{REF_PREFIX}{1:0{REF_DIGITS}d}"
        raise RecordError(f"There is no nonconformity “{text}”: give its ID (e.g. {example}), "
                          "the number of its ID or its database id.")
    return hit[0]


def causes_of(ws: Workspace, nc_id: int) -> list[CauseRow]:
    with ws.connect() as s:
        return _cause_rows(s, [nc_id]).get(nc_id, [])


# --------------------------------------------------------------------------- references


def _next_ref(s) -> str:
    refs = s.execute(select(m.Nonconformity.ref).where(
        m.Nonconformity.ref.like(REF_PREFIX + "%"))).scalars()
    pattern = re.compile(re.escape(REF_PREFIX) + r"(\d+)$")
    found = [x.group(1) for r in refs if r and (x := pattern.match(r))]
    if not found:
        return f"{REF_PREFIX}{1:0{REF_DIGITS}d}"
    digits = max(REF_DIGITS, max(len(x) for x in found))
    return f"{REF_PREFIX}{max(int(x) for x in found) + 1:0{digits}d}"


def next_nc_ref(ws: Workspace) -> str:
    """The next free ID: "NC-0148" after "NC-0147" (four digits at least)."""
    with ws.connect() as s:
        return _next_ref(s)


# --------------------------------------------------------------------------- validation


def clean_value(name: str, value: Any) -> Any:
    """The stored value of one field, or RecordError with a sentence saying what is wrong."""
    if name not in EDITABLE:
        raise RecordError(f"“{name.replace('_', ' ')}” of a nonconformity cannot be edited "
                          "here.")
    if name == "status":
        if value not in STATUSES:
            raise RecordError(f"A nonconformity's status must be one of: "
                              f"{', '.join(STATUSES)}.")
        return value
    if name == "source":
        if value not in SOURCES:
            raise RecordError(f"A nonconformity's source must be one of: {', '.join(SOURCES)}.")
        return value
    if name == "severity":
        if value not in SEVERITIES:
            raise RecordError("A nonconformity is major or minor.")
        return value
    if name == "effective":
        try:
            return _verdict(value)
        except RecordError:
            raise RecordError(f"“{value}” is not a verdict: the corrective actions were "
                              "effective (yes), not effective (no) or not judged yet "
                              "(empty).") from None
    if name in ("owner_id", "process_id", "finding_id"):
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(f"“{value}” is not a record of the workspace.")
        return value
    if name in DATE_FIELDS:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            value = value.strip()
        return coerce(m.Nonconformity, name, value)
    value = coerce(m.Nonconformity, name, "" if value is None else value)
    if name in ("title", "ref"):
        value = value.strip()
        if not value:
            raise RecordError("A nonconformity needs " + ("a title." if name == "title"
                                                          else "an ID."))
    return value


def _check_links(s, clean: dict[str, Any], ids: set[int]) -> None:
    owner = clean.get("owner_id")
    if owner is not None:
        person = s.get(m.Person, owner)
        if person is None:
            raise RecordError(f"Person {owner} is not in the workspace (any more).")
        if not person.active:
            raise RecordError(f"{person.name} is no longer active, so nonconformities cannot "
                              "be given to them.")
    if clean.get("process_id") is not None and s.get(m.Process, clean["process_id"]) is None:
        raise RecordError("That process is no longer in the workspace.")
    if clean.get("finding_id") is not None and s.get(m.Finding, clean["finding_id"]) is None:
        raise RecordError("That audit finding is no longer in the workspace.")
    if "ref" in clean:
        taken = s.execute(select(m.Nonconformity.id).where(
            m.Nonconformity.ref == clean["ref"])).scalars().all()
        if any(i not in ids for i in taken):
            raise RecordError(f"Another nonconformity already has the ID {clean['ref']}.")
        if len(ids) > 1:
            raise RecordError("Several nonconformities cannot share one ID: edit the ID of "
                              "one at a time.")


def _state_in(s, nc: m.Nonconformity) -> capa.NcState:
    causes = _cause_rows(s, [nc.id]).get(nc.id, [])
    states = _action_states(s, [nc.id]).get(nc.id, [])
    return capa.NcState(
        description=nc.description or "", containment=nc.containment or "",
        correction=nc.correction or "", team=nc.team or "", root_cause=nc.root_cause or "",
        causes=tuple(c.state() for c in causes),
        actions=tuple(_action_state(x) for x in states),
        effectiveness_check=nc.effectiveness_check or "", effective=nc.effective)


#: what may be set on a closed nonconformity: its status (reopening) — and, together with
#: reopening or on the closing day itself, the closing date
CLOSED_EDITABLE = frozenset({"status", "closed_on"})


def _apply(s, nc: m.Nonconformity, clean: dict[str, Any], today: dt.date) -> None:
    was = nc.status
    if was == "closed" and clean.get("status", "closed") == "closed":
        changed = [k for k in clean if k not in CLOSED_EDITABLE
                   and getattr(nc, k) != clean[k]]
        if changed:
            raise RecordError(f"{nc.ref or 'The nonconformity'} is closed: reopen it to "
                              "change it.")
    for k, v in clean.items():
        setattr(nc, k, v)
    if nc.status == "closed":
        if was != "closed" or {"effective", "effectiveness_check", "description"} & set(clean):
            s.flush()
            problems = capa.closure_problems(_state_in(s, nc))
            if problems:
                raise RecordError(capa.closure_refusal(nc.ref, problems))
        if was != "closed" and "closed_on" not in clean:
            nc.closed_on = today
        if nc.closed_on is None:
            raise RecordError(f"{nc.ref or 'The nonconformity'} is closed, so it keeps its "
                              "closing date: reopen it to clear the date.")
        if nc.closed_on > today:
            raise RecordError("A nonconformity cannot be closed in the future.")
    else:
        if "closed_on" in clean and clean["closed_on"] is not None:
            raise RecordError(f"{nc.ref or 'The nonconformity'} is not closed, so it has no "
                              "closing date: close it instead.")
        nc.closed_on = None


# --------------------------------------------------------------------------- edits


def add_nonconformity(ws: Workspace, values: dict[str, Any] | None = None, *,
                      today: dt.date | None = None) -> Change:
    """A new nonconformity (``result``: its id); ID, title, detection day, source, severity
    and status get defaults. It cannot be created closed."""
    today = today or dt.date.today()
    clean = {k: clean_value(k, v) for k, v in (values or {}).items()}
    if clean.get("status") == "closed":
        raise RecordError("A new nonconformity cannot be closed: record it, then close it "
                          "when its actions are found effective.")
    with ws.session() as s:
        _check_links(s, clean, set())
        nc = m.Nonconformity(
            ref=clean.pop("ref", None) or _next_ref(s),
            title=clean.pop("title", "New nonconformity"),
            detected_on=clean.pop("detected_on", today),
            source=clean.pop("source", "process"),
            severity=clean.pop("severity", "minor"), status=clean.pop("status", "open"))
        s.add(nc)
        s.flush()
        _apply(s, nc, clean, today)
        nid = nc.id
    return Change.of(s, result=nid)


def update_nonconformities(ws: Workspace, ids: Iterable[int], values: dict[str, Any], *,
                           today: dt.date | None = None) -> Change:
    """Set the same ``values`` on one or many nonconformities in one transaction, with the
    rules above; closing is refused with what is missing (one sentence)."""
    today = today or dt.date.today()
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the nonconformities to change.")
    clean = {k: clean_value(k, v) for k, v in values.items()}
    with ws.session() as s:
        _check_links(s, clean, set(ids))
        for nid in ids:
            nc = s.get(m.Nonconformity, nid)
            if nc is None:
                raise RecordError(f"Nonconformity {nid} no longer exists.")
            _apply(s, nc, dict(clean), today)
    return Change.of(s)


def delete_nonconformities(ws: Workspace, ids: Iterable[int]) -> Change:
    """Delete nonconformities with their causes and actions, in one transaction; an action
    that is an audit finding's too stays with its finding."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the nonconformities to delete.")
    with ws.session() as s:
        for nid in ids:
            nc = s.get(m.Nonconformity, nid)
            if nc is None:
                raise RecordError(f"Nonconformity {nid} no longer exists.")
            for a in s.execute(select(m.Action).where(
                    m.Action.nonconformity_id == nid,
                    m.Action.finding_id.is_not(None))).scalars():
                a.nonconformity_id = None
            s.flush()
            s.delete(nc)
    return Change.of(s)


def raise_from_finding(ws: Workspace, finding_id: int, *, today: dt.date | None = None
                       ) -> Change:
    """A nonconformity raised from an internal-audit finding: source "internal audit", the
    finding linked, its description (and correction and root cause, when written) copied, the
    severity of a major or minor finding kept, and the finding's actions linked to it (they
    keep their finding too). ``result``: the new id."""
    today = today or dt.date.today()
    with ws.session() as s:
        f = s.get(m.Finding, finding_id)
        if f is None:
            raise RecordError("That audit finding no longer exists.")
        taken = s.execute(select(m.Nonconformity.ref).where(
            m.Nonconformity.finding_id == finding_id)).scalars().first()
        if taken is not None:
            raise RecordError(f"Finding {f.ref or finding_id} already has its nonconformity "
                              f"{taken}.")
        run = s.get(m.ChecklistRun, f.run_id)
        first = " ".join((f.description or "").split("\n", 1)[0].split())
        title = first if len(first) <= 100 else first[:99].rstrip() + "…"
        nc = m.Nonconformity(
            ref=_next_ref(s), title=title or f"Audit finding {f.ref}".strip(),
            description=f.description or "", detected_on=today, source="internal audit",
            finding_id=f.id, severity=f.kind if f.kind in SEVERITIES else "minor",
            correction=f.correction or "", root_cause=f.root_cause or "", status="open",
            process_id=getattr(run, "process_id", None))
        s.add(nc)
        s.flush()
        nid = nc.id
        # the finding's actions are the nonconformity's corrective actions too (its D5–D6):
        # linked, not copied; the finding keeps them for its own closure rule
        for a in s.execute(select(m.Action).where(m.Action.finding_id == f.id,
                                                  m.Action.nonconformity_id.is_(None))
                           ).scalars():
            a.nonconformity_id = nid
    return Change.of(s, result=nid)


def nc_of_findings(ws: Workspace, finding_ids: Iterable[int] | None = None
                   ) -> dict[int, tuple[int, str]]:
    """The nonconformity raised from each finding that has one: finding id → (id, ref)."""
    n = m.Nonconformity
    stmt = select(n.finding_id, n.id, n.ref).where(n.finding_id.is_not(None)).order_by(n.id)
    if finding_ids is not None:
        stmt = stmt.where(n.finding_id.in_(list(finding_ids)))
    out: dict[int, tuple[int, str]] = {}
    with ws.connect() as c:
        for fid, nid, ref in c.execute(stmt):
            out.setdefault(fid, (nid, ref or ""))
    return out


# --------------------------------------------------------------------------- causes


def _siblings(s, nc_id: int, method: str, category: str) -> list[m.NcCause]:
    c = m.NcCause
    stmt = select(c).where(c.nonconformity_id == nc_id, c.method == method)
    if method == "fishbone":
        stmt = stmt.where(c.category == category)
    return list(s.execute(stmt.order_by(c.position, c.id)).scalars())


def _renumber(items: list[m.NcCause]) -> None:
    for k, c in enumerate(items):
        if c.position != k:
            c.position = k


def _cause_values(method: str, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k == "text":
            out[k] = coerce(m.NcCause, "text", "" if v is None else v)
        elif k == "category":
            if method == "fishbone" and v not in CATEGORIES:
                raise RecordError(f"A fishbone cause sits on one of the bones: "
                                  f"{', '.join(CATEGORIES)}.")
            out[k] = v if method == "fishbone" else ""
        elif k == "is_root":
            out[k] = bool(v)
        else:
            raise RecordError(f"“{k.replace('_', ' ')}” of a cause cannot be edited here.")
    return out


def _only_root(s, cause: m.NcCause) -> None:
    """A why marked root is the only root of its chain."""
    if cause.method == "why" and cause.is_root:
        for other in _siblings(s, cause.nonconformity_id, "why", ""):
            if other.id != cause.id and other.is_root:
                other.is_root = False


def add_cause(ws: Workspace, nc_id: int, method: str = "why", text: str = "", *,
              category: str = "", is_root: bool = False, position: int | None = None
              ) -> Change:
    """A cause of ``nc_id``: the next why of its chain (``method`` "why") or a cause on the
    bone ``category`` of its fishbone; ``position`` inserts it there (default: last).
    ``result``: its id."""
    if method not in METHODS:
        raise RecordError("A cause is a why of the 5 Whys or a cause on the fishbone.")
    clean = _cause_values(method, {"text": text, "category": category, "is_root": is_root})
    with ws.session() as s:
        nc = s.get(m.Nonconformity, nc_id)
        if nc is None:
            raise RecordError("That nonconformity no longer exists, so no cause can be added "
                              "to it.")
        if nc.status == "closed":
            raise RecordError(f"{nc.ref} is closed: reopen it to change its causes.")
        items = _siblings(s, nc_id, method, clean["category"])
        if method == "why" and not capa.can_add_why(items):
            raise RecordError(f"A 5 Whys chain has at most {capa.MAX_WHYS} whys: mark the "
                              "root among them, or split the problem.")
        at = len(items) if position is None else max(0, min(int(position), len(items)))
        cause = m.NcCause(nonconformity_id=nc_id, method=method, position=at, **clean)
        s.add(cause)
        items.insert(at, cause)
        _renumber(items)
        s.flush()
        _only_root(s, cause)
        cid = cause.id
    return Change.of(s, result=cid)


def _cause(s, cause_id: int) -> m.NcCause:
    cause = s.get(m.NcCause, cause_id)
    if cause is None:
        raise RecordError("That cause no longer exists.")
    nc = s.get(m.Nonconformity, cause.nonconformity_id)
    if nc is not None and nc.status == "closed":
        raise RecordError(f"{nc.ref} is closed: reopen it to change its causes.")
    return cause


def update_cause(ws: Workspace, cause_id: int, values: dict[str, Any]) -> Change:
    """Change a cause's text, bone (``category``, which moves it to the end of that bone) or
    root mark."""
    with ws.session() as s:
        cause = _cause(s, cause_id)
        clean = _cause_values(cause.method, values)
        old_category = cause.category
        for k, v in clean.items():
            setattr(cause, k, v)
        if cause.method == "fishbone" and cause.category != old_category:
            others = [c for c in _siblings(s, cause.nonconformity_id, "fishbone",
                                           cause.category) if c.id != cause.id]
            cause.position = len(others)
            s.flush()
            _renumber([c for c in _siblings(s, cause.nonconformity_id, "fishbone",
                                            old_category) if c.id != cause.id])
        s.flush()
        _only_root(s, cause)
    return Change.of(s)


def set_root(ws: Workspace, cause_id: int, root: bool = True) -> Change:
    """Mark a cause as (one of) the root cause(s), or unmark it; a why marked root is the only
    root of its chain."""
    return update_cause(ws, cause_id, {"is_root": root})


def move_cause(ws: Workspace, cause_id: int, position: int) -> Change:
    """Move a why (or a cause along its bone) to ``position`` (0 = first)."""
    with ws.session() as s:
        cause = _cause(s, cause_id)
        items = [c for c in _siblings(s, cause.nonconformity_id, cause.method, cause.category)
                 if c.id != cause.id]
        at = max(0, min(int(position), len(items)))
        items.insert(at, cause)
        _renumber(items)
    return Change.of(s)


def delete_causes(ws: Workspace, ids: Iterable[int]) -> Change:
    """Delete causes; the rest of each chain or bone closes up."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the causes to delete.")
    with ws.session() as s:
        groups = set()
        for cid in ids:
            cause = _cause(s, cid)
            groups.add((cause.nonconformity_id, cause.method, cause.category))
            s.delete(cause)
        s.flush()
        for nid, method, category in groups:
            _renumber(_siblings(s, nid, method, category))
    return Change.of(s)


__all__ = ["CauseRow", "NcDetail", "NcRow", "add_cause", "add_nonconformity", "causes_of",
           "delete_causes", "delete_nonconformities", "find", "get", "list_nonconformities",
           "move_cause", "nc_of_findings", "next_nc_ref", "nc_state", "raise_from_finding",
           "set_root", "update_cause", "update_nonconformities"]


def owners_of(ws: Workspace, entity: str, ids: Iterable[int]) -> list[int | None]:
    """The nonconformity ids the actions or causes ``ids`` belong to (for a view that
    refreshes only the nonconformities an edit of their actions or causes touched)."""
    model = {"action": m.Action, "nc_cause": m.NcCause}[entity]
    wanted = sorted(set(ids))
    out: list[int | None] = []
    with ws.connect() as c:
        for i in range(0, len(wanted), 500):
            out += c.execute(select(model.nonconformity_id).where(
                model.id.in_(wanted[i:i + 500]))).scalars().all()
    return out
