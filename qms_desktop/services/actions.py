"""Actions: one list for the whole workspace, whatever raised them.

An action (``storage.models.Action``) belongs to at most one *source* — a risk it treats, an
audit finding or a nonconformity it corrects, a management review that decided it — or to none
(a stand-alone improvement). A finding's action that the nonconformity raised from the finding
took over has both links; its source shows the nonconformity (where it is worked). Rows carry
everything a view shows, the source's reference and title and the computed ``overdue`` flags
included, so the UI never queries while painting.

Rules every edit follows (:func:`update_actions`, :func:`add_action`; all-or-nothing — the first
broken rule refuses the whole edit with a sentence saying what is wrong):

* ``status`` is one of :data:`STATUSES`, ``kind`` one of :data:`KINDS`; the title cannot be empty;
  an ID (``ref``) cannot be empty and no two actions share one.
* Dates are dates (``date`` objects or ISO text, "" clears them); a completion date cannot lie in
  the future.
* The owner must be a person in the workspace who is still active.
* Completing an action (status *done* or *verified* from an unfinished status) dates it: the
  ``completed_on`` given, else the one it had, else today. Any unfinished status (*open*, *in
  progress*, *cancelled*) clears ``completed_on`` and the verdict ``effective`` — both belonged to
  the finished work; the description of the effectiveness check stays.
* Only a finished action has a completion date or an effectiveness verdict.
* *verified* — the action is closed — needs the effectiveness check described and the verdict
  "effective". An action found not effective stays *done*: reopen it or raise a new one.
* An action is **overdue** when it is open or in progress and its due date has passed; its
  **check is overdue** when it is done, not yet judged, and the check's due date has passed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Integer, String, func, select, type_coerce

from ..storage import models as m
from ..storage.workspace import Workspace
from .records import Change, RecordError, coerce, gc_paused as _gc_paused, next_free_ref

STATUSES = m.ACTION_STATUSES
KINDS = m.ACTION_KINDS
#: statuses of finished work (dated, may be judged effective)
FINISHED = ("done", "verified")
#: statuses of work still to do (may be overdue)
OPEN = ("open", "in_progress")

#: source kind → (the action's link column, the source's model); "" is a stand-alone action
SOURCES: dict[str, tuple[str, type]] = {
    "risk": ("risk_id", m.Risk),
    "finding": ("finding_id", m.Finding),
    "nonconformity": ("nonconformity_id", m.Nonconformity),
    "review": ("review_id", m.ManagementReview),
}
SOURCE_KINDS = ("risk", "finding", "nonconformity", "review", "")
#: the kind a new action gets from its source
DEFAULT_KIND = {"risk": "treatment", "finding": "corrective", "nonconformity": "corrective",
                "review": "review", "": "improvement"}

TEXT_FIELDS = ("ref", "title", "description", "effectiveness_check")
DATE_FIELDS = ("due_date", "completed_on", "effectiveness_due")
EDITABLE = TEXT_FIELDS + DATE_FIELDS + ("kind", "status", "owner_id", "effective")


def source_kind_of(entity: str) -> str:
    """The source kind for a table name or kind ("management_review" → "review")."""
    if entity in SOURCES or entity == "":
        return entity
    for kind, (_col, model) in SOURCES.items():
        if model.__tablename__ == entity:
            return kind
    raise RecordError(f"Actions cannot belong to a “{entity.replace('_', ' ')}”.")


def source_entity(kind: str) -> str:
    """The table name of a source kind ("review" → "management_review"); "" for none."""
    return SOURCES[kind][1].__tablename__ if kind else ""


@dataclass(slots=True)
class ActionRow:
    id: int
    ref: str
    title: str
    description: str
    kind: str
    owner_id: int | None
    owner: str
    due_date: dt.date | None
    status: str
    completed_on: dt.date | None
    effectiveness_check: str
    effectiveness_due: dt.date | None
    effective: bool | None
    #: "risk", "finding", "nonconformity", "review" or "" (stand-alone)
    source_kind: str = ""
    source_id: int | None = None
    source_ref: str = ""
    source_title: str = ""
    # computed
    overdue: bool = False
    check_overdue: bool = False

    @property
    def source_entity(self) -> str:
        return source_entity(self.source_kind)

    @property
    def source(self) -> str:
        """The source as one line: "R-004 Supplier late" (empty for a stand-alone action)."""
        return " ".join(x for x in (self.source_ref, self.source_title) if x)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def is_overdue(status: str, due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today and status in OPEN


def is_check_overdue(status: str, effective: bool | None, check_due: dt.date | None,
                     today: dt.date) -> bool:
    return status == "done" and effective is None and check_due is not None and check_due < today


# --------------------------------------------------------------------------- queries


def _first_line(text: str | None, limit: int = 120) -> str:
    line = (text or "").strip().split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _raw(column, type_):
    """``column`` read as ``type_``: skips SQLAlchemy's per-value conversion (10,000 rows × 4
    dates cost more than the query); :func:`_date` and :data:`_BOOL` convert, with a cache."""
    return type_coerce(column, type_).label(column.name)


def _query():
    a, r = m.Action, m.ManagementReview
    return (
        select(a.id, a.ref, a.title, a.description, a.kind, a.owner_id, m.Person.name,
               _raw(a.due_date, String), a.status, _raw(a.completed_on, String),
               a.effectiveness_check, _raw(a.effectiveness_due, String),
               _raw(a.effective, Integer), a.risk_id, m.Risk.ref, m.Risk.title, a.finding_id,
               m.Finding.ref, m.Finding.description, a.nonconformity_id, m.Nonconformity.ref,
               m.Nonconformity.title, a.review_id, r.title, _raw(r.held_on, String))
        .outerjoin(m.Person, m.Person.id == a.owner_id)
        .outerjoin(m.Risk, m.Risk.id == a.risk_id)
        .outerjoin(m.Finding, m.Finding.id == a.finding_id)
        .outerjoin(m.Nonconformity, m.Nonconformity.id == a.nonconformity_id)
        .outerjoin(r, r.id == a.review_id)
    )


#: stored booleans as the driver returns them (SQLite: 0/1, others: bool) → bool
_BOOL = {None: None, 0: False, 1: True}


class _Dates(dict):
    """ISO text (or a date the driver made) → date, each distinct value parsed once."""

    def __missing__(self, key):
        if isinstance(key, dt.date) or key is None:
            value = key
        else:
            try:
                value = dt.date.fromisoformat(key)
            except (TypeError, ValueError):  # no date (another program wrote it): blank;
                value = None                 # date_problems names it
        self[key] = value
        return value


def date_problems(ws: Workspace) -> list[str]:
    """One sentence for each stored action date that is no date: the list shows it blank
    until the right date is entered."""
    a = m.Action
    out = []
    with ws.connect() as c:
        for column, label in ((a.due_date, "due date"), (a.completed_on, "completion date"),
                              (a.effectiveness_due, "effectiveness check date")):
            raw = type_coerce(column, String)
            stmt = select(a.ref, a.id, raw).where(
                column.is_not(None), func.date(raw).is_distinct_from(raw)).order_by(a.id)
            for ref, aid, value in c.execute(stmt):
                if _Dates()[value] is None:
                    out.append(f"Action {ref or aid}: the {label} holds “{value}”, which is not "
                               "a date; it is shown blank until you enter the right date.")
    return out


def _rows(recs, today: dt.date) -> list[ActionRow]:
    out = []
    append = out.append
    date = _Dates()
    for (aid, ref, title, desc, kind, owner_id, owner, due, status, done_on, check, check_due,
         effective, risk_id, risk_ref, risk_title, finding_id, finding_ref, finding_desc,
         nc_id, nc_ref, nc_title, review_id, review_title, review_held) in recs:
        due, check_due, effective = date[due], date[check_due], _BOOL[effective]
        if risk_id is not None:
            src = ("risk", risk_id, risk_ref or "", risk_title or "")
        elif nc_id is not None:  # before the finding: a finding's action taken over by the
            # nonconformity raised from it is worked (and closed) there
            src = ("nonconformity", nc_id, nc_ref or "", nc_title or "")
        elif finding_id is not None:
            src = ("finding", finding_id, finding_ref or "", _first_line(finding_desc))
        elif review_id is not None:
            held = date[review_held]
            src = ("review", review_id, held.isoformat() if held else "", review_title or "")
        else:
            src = ("", None, "", "")
        append(ActionRow(
            aid, ref or "", title or "", desc or "", kind or "", owner_id, owner or "", due,
            status, date[done_on], check or "", check_due, effective, *src,
            due is not None and due < today and status in OPEN,
            status == "done" and effective is None and check_due is not None
            and check_due < today))
    return out


def _fetch(ws: Workspace, stmt, today: dt.date) -> list[ActionRow]:
    with _gc_paused():
        with ws.connect() as c:
            recs = c.execute(stmt).all()
        rows = _rows(recs, today)
        del recs  # freed before the collector runs again: it then finds only the new rows
    return rows


def list_actions(ws: Workspace, today: dt.date | None = None) -> list[ActionRow]:
    """Every action in the workspace (in ID order of creation), one row each."""
    today = today or dt.date.today()
    return _fetch(ws, _query().order_by(m.Action.id), today)


def get_actions(ws: Workspace, ids: Iterable[int], today: dt.date | None = None
                ) -> list[ActionRow]:
    """The rows of the actions ``ids`` that still exist (to refresh only those)."""
    today = today or dt.date.today()
    wanted = sorted(set(ids))
    out: list[ActionRow] = []
    for i in range(0, len(wanted), 500):  # SQLite caps the number of bound parameters
        chunk = wanted[i:i + 500]
        out += _fetch(ws, _query().where(m.Action.id.in_(chunk)).order_by(m.Action.id), today)
    return out


def actions_for(ws: Workspace, entity: str, rid: int, today: dt.date | None = None
                ) -> list[ActionRow]:
    """The actions of one source record (what a risk's detail panel shows), soonest due first."""
    today = today or dt.date.today()
    kind = source_kind_of(entity)
    if not kind:
        raise RecordError("Choose the record whose actions to list.")
    column = getattr(m.Action, SOURCES[kind][0])
    a = m.Action
    return _fetch(ws, _query().where(column == rid)
                  .order_by(a.due_date.is_(None), a.due_date, a.id), today)


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str


def owners(ws: Workspace) -> list[Person]:
    """The people an action can be given to (active people, by name)."""
    with ws.connect() as c:
        return [Person(i, n) for i, n in c.execute(
            select(m.Person.id, m.Person.name).where(m.Person.active.is_(True))
            .order_by(m.Person.name, m.Person.id))]


# --------------------------------------------------------------------------- references


def next_action_ref(ws: Workspace) -> str:
    with ws.connect() as c:
        return next_free_ref(c, m.Action.ref, "A-")


# --------------------------------------------------------------------------- validation

_YES = {"yes", "y", "true", "1", "effective"}
_NO = {"no", "n", "false", "0", "not effective", "ineffective"}


def _effective(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().casefold()
        if not text:
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise RecordError(f"“{value}” is not a verdict: an action is effective (yes), "
                      "not effective (no) or not judged yet (empty).")


def clean_value(field_: str, value: Any) -> Any:
    """The stored value for one field, or RecordError with a sentence saying what is wrong.
    (Rules that need the rest of the action are checked by :func:`_check_row`.)"""
    if field_ not in EDITABLE:
        raise RecordError(f"“{field_.replace('_', ' ')}” of an action cannot be edited here.")
    if field_ == "status":
        if value not in STATUSES:
            raise RecordError(f"An action's status must be one of: {', '.join(STATUSES)}.")
        return value
    if field_ == "kind":
        if value not in KINDS:
            raise RecordError(f"An action's kind must be one of: {', '.join(KINDS)}.")
        return value
    if field_ == "effective":
        return _effective(value)
    if field_ == "owner_id":
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(f"“{value}” is not a person of the workspace.")
        return value
    if field_ in DATE_FIELDS:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            value = value.strip()
        return coerce(m.Action, field_, value)
    value = coerce(m.Action, field_, "" if value is None else value)
    if field_ in ("title", "ref"):
        value = value.strip()
        if not value:
            what = "a title" if field_ == "title" else "an ID"
            raise RecordError(f"An action needs {what}.")
    return value


def _check_owner(s, owner_id: int | None) -> None:
    if owner_id is None:
        return
    person = s.get(m.Person, owner_id)
    if person is None:
        raise RecordError(f"Person {owner_id} is not in the workspace (any more), so the action "
                          "cannot be given to them.")
    if not person.active:
        raise RecordError(f"{person.name} is no longer active, so actions cannot be given to "
                          "them.")


def _check_ref(s, ref: str, ids: set[int]) -> None:
    taken = s.execute(select(m.Action.id).where(m.Action.ref == ref)).scalars().all()
    if any(i not in ids for i in taken):
        raise RecordError(f"Another action already has the ID {ref}.")
    if len(ids) > 1:
        raise RecordError("Several actions cannot share one ID: edit the ID of one at a time.")


def _apply(a: m.Action, clean: dict[str, Any], today: dt.date) -> None:
    """Set ``clean`` on ``a`` with the completion rules, then check what the edit touched
    (an edit of, say, the owner never refuses because of older data it did not touch)."""
    for k, v in clean.items():
        setattr(a, k, v)
    name = a.ref or "The action"
    if a.status in FINISHED:
        if "status" in clean and "completed_on" not in clean:
            a.completed_on = a.completed_on or today
        elif "completed_on" in clean and a.completed_on is None:
            raise RecordError(f"{name} is done, so it keeps a completion date: set its status "
                              "back to open to clear it.")
    else:
        if "completed_on" in clean and clean["completed_on"] is not None:
            raise RecordError(f"{name} is not done, so it has no completion date: set its "
                              "status to done first.")
        if "effective" in clean and clean["effective"] is not None:
            raise RecordError(f"{name} is not done yet, so its effectiveness cannot be judged: "
                              "set its status to done first.")
        if "status" in clean:
            a.completed_on = None
            a.effective = None
    if "completed_on" in clean and a.completed_on is not None and a.completed_on > today:
        raise RecordError("An action cannot be completed in the future.")
    if a.status == "verified" and {"status", "effective", "effectiveness_check"} & set(clean):
        if not (a.effectiveness_check or "").strip():
            raise RecordError(f"{name} cannot be verified before its effectiveness check is "
                              "described: fill in how its effect was checked.")
        if a.effective is None:
            raise RecordError(f"{name} cannot be verified before its effectiveness is judged: "
                              "mark it effective first.")
        if a.effective is False:
            raise RecordError(f"{name} was found not effective, so it cannot be verified: keep "
                              "it done and raise a new action, or reopen it.")


# --------------------------------------------------------------------------- edits


def add_action(ws: Workspace, source_kind: str, source_id: int | None,
               values: dict[str, Any] | None = None, *, today: dt.date | None = None) -> Change:
    """A new action of the record ``source_kind``/``source_id`` (a kind of :data:`SOURCES`, or
    "" and None for a stand-alone action); ``result`` is its id. Values follow the rules above;
    the ID, title, kind and status get defaults."""
    today = today or dt.date.today()
    kind = source_kind_of(source_kind or "")
    clean = {k: clean_value(k, v) for k, v in (values or {}).items()}
    with ws.session() as s:
        link: dict[str, int] = {}
        if kind:
            column, model = SOURCES[kind]
            if source_id is None or s.get(model, source_id) is None:
                raise RecordError(f"That {model.__tablename__.replace('_', ' ')} no longer "
                                  "exists, so no action can be added to it.")
            if kind == "nonconformity":
                nc = s.get(model, source_id)
                if nc.status == "closed":
                    raise RecordError(f"{nc.ref or 'The nonconformity'} is closed: reopen it "
                                      "to add an action.")
            link[column] = source_id
        elif source_id is not None:
            raise RecordError("A stand-alone action has no source record.")
        if "ref" in clean:
            _check_ref(s, clean["ref"], set())
        else:
            clean["ref"] = next_free_ref(s.connection(), m.Action.ref, "A-")
        _check_owner(s, clean.get("owner_id"))
        a = m.Action(ref=clean.pop("ref"), title=clean.pop("title", "New action"),
                     kind=clean.pop("kind", DEFAULT_KIND[kind]),
                     status="open", description="",
                     effectiveness_check="", **link)
        _apply(a, clean, today)
        s.add(a)
        s.flush()
        aid = a.id
    return Change.of(s, result=aid)


def update_actions(ws: Workspace, ids: Iterable[int], values: dict[str, Any], *,
                   today: dt.date | None = None) -> Change:
    """Set the same ``values`` on one or many actions in one transaction (a bulk edit), with
    the rules above; if one action breaks a rule, none is changed."""
    today = today or dt.date.today()
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the actions to change.")
    clean = {k: clean_value(k, v) for k, v in values.items()}
    with ws.session() as s:
        if "owner_id" in clean:
            _check_owner(s, clean["owner_id"])
        if "ref" in clean:
            _check_ref(s, clean["ref"], set(ids))
        for aid in ids:
            a = s.get(m.Action, aid)
            if a is None:
                raise RecordError(f"Action {aid} no longer exists.")
            _apply(a, clean, today)
    return Change.of(s)


def delete_actions(ws: Workspace, ids: Iterable[int]) -> Change:
    """Delete actions (with their attachment links) in one transaction."""
    ids = list(dict.fromkeys(ids))
    with ws.session() as s:
        for aid in ids:
            a = s.get(m.Action, aid)
            if a is None:
                raise RecordError(f"Action {aid} no longer exists.")
            s.delete(a)
    return Change.of(s)
