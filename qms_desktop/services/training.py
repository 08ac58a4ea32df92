"""Training records: people, roles, courses, requirements and the competence matrix.

The matrix is computed, never stored: :func:`load_matrix` reads every row it needs in a few
plain queries and applies the rules of ``core/training.py`` once per required cell. It knows
*why* each cell is required:

* a **role** requirement (``role_course``): the person holds the role today (dated
  assignments, both ends inclusive);
* a **derived** requirement from the process maps: a step whose responsible role (the step's
  own, else its lane's) the person holds links a controlled document; the document's
  read-and-understood course is then required, with the map, the step and the document's
  revision as the reason.

Retraining on revision: a read-and-understood course linked to a document whose revision in
force (status *effective*) is newer than the one a completion names — or, with no revision
named, that took effect after the completion — is due again; so is any course completed before
the day it was marked revised (:func:`mark_course_revised`).

Leavers (inactive, or their leaving day has come) keep their records and leave the matrix.

Every edit validates, writes in one ``ws.session()`` and returns ``Change.of(s, result=…)``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Any, Iterable

from sqlalchemy import select

from ..core.dates import stored_date as _day
from ..core import training as rules
from ..storage import models as m
from ..storage.workspace import Workspace
from .exports.cells import MAX_CELL_TEXT
from .records import Change, RecordError, gc_paused as _gc_paused

WINDOW_KEY = "training.expiring_days"
#: the counts' key for cells needing training now (see :meth:`Matrix.late`)
LATE = "late"
KINDS = m.COURSE_KINDS
PROVIDERS = m.COURSE_PROVIDERS
RESULTS = m.TRAINING_RESULTS

KIND_LABELS = {"read_and_understood": "read and understood", "classroom": "classroom",
               "on_the_job": "on the job", "external": "external certificate"}


# --------------------------------------------------------------------------- reading helpers

def window_days(ws: Workspace) -> int:
    """The expiring window (days) kept in the workspace, or the default."""
    with ws.connect() as c:
        text = c.execute(select(m.Setting.value).where(m.Setting.key == WINDOW_KEY)).scalar()
    try:
        value = int(json.loads(text)) if text else rules.DEFAULT_WINDOW
    except (ValueError, TypeError):
        value = rules.DEFAULT_WINDOW
    return value if 1 <= value <= 3650 else rules.DEFAULT_WINDOW


def set_window_days(ws: Workspace, days: int) -> Change:
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise RecordError("The expiring window is a number of days.") from None
    if not 1 <= days <= 3650:
        raise RecordError("The expiring window must be between 1 and 3650 days.")
    with ws.session() as s:
        row = s.scalars(select(m.Setting).where(m.Setting.key == WINDOW_KEY)).first()
        if row is None:
            s.add(m.Setting(key=WINDOW_KEY, value=json.dumps(days)))
        else:
            row.value = json.dumps(days)
    return Change.of(s, result=days)


# --------------------------------------------------------------------------- the matrix

@dataclass(frozen=True)
class Reason:
    """Why a course is required for a person."""

    kind: str  # "role" or "map"
    role: str
    since: dt.date | None = None
    grace_days: int | None = None
    process: str = ""
    process_id: int | None = None
    step: str = ""
    step_id: int | None = None
    document: str = ""  # number and revision, e.g. "QP-04 rev. D"

    def text(self) -> str:
        if self.kind == "map":
            return (f"{self.role}: step “{self.step}” in the map “{self.process}” uses "
                    f"{self.document}")
        grace = f" (within {self.grace_days} days)" if self.grace_days else ""
        return f"required for the role {self.role}{grace}"


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    employee_no: str
    department: str
    manager: str
    roles: tuple[str, ...]
    hired_on: dt.date | None
    left: bool


@dataclass(frozen=True)
class CourseInfo:
    id: int
    code: str
    title: str
    kind: str
    provider: str
    validity_months: int | None
    document_id: int | None
    document: str  # number of the linked document, "" for none
    revision: str  # revision in force of the linked document, "" for none
    revision_since: dt.date | None
    revised_on: dt.date | None

    @property
    def label(self) -> str:
        return self.code or self.title

    @property
    def validity_text(self) -> str:
        if not self.validity_months:
            return "once"
        if self.validity_months % 12 == 0:
            years = self.validity_months // 12
            return "1 year" if years == 1 else f"{years} years"
        return f"{self.validity_months} months"


@dataclass(frozen=True)
class RecordInfo:
    id: int
    person_id: int
    course_id: int
    completed_on: dt.date | None
    expires_on: dt.date | None  # resolved from the course when the record has none
    trainer: str
    result: str
    document_revision: str
    evidence: str
    notes: str


@dataclass
class Matrix:
    """People (rows) × courses (columns) with a status and a date per cell.

    ``status[r][c]`` and ``dates[r][c]`` are plain lists, filled once; nothing here queries the
    database, so views paint from it directly.
    """

    today: dt.date
    window_days: int
    people: list[PersonInfo]
    courses: list[CourseInfo]
    status: list[list[str]]
    dates: list[list[dt.date | None]]
    #: (person id, course id) → why the course is required
    reasons: dict[tuple[int, int], tuple[Reason, ...]]
    #: (person id, course id) → the latest completion (the one the status judges)
    latest: dict[tuple[int, int], RecordInfo]
    #: documents linked on a map step whose role someone holds but that have no
    #: read-and-understood course: (document number, title, process, step)
    uncovered: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: the rows it was computed from (a row refresh reuses the ones about courses and roles)
    source: Any = field(default=None, repr=False, compare=False)
    row_of: dict[int, int] = field(default_factory=dict)
    col_of: dict[int, int] = field(default_factory=dict)

    def __post_init__(self):
        self._cached: dict[str, int] | None = None
        self.reindex()

    def reindex(self) -> None:
        self.row_of = {p.id: i for i, p in enumerate(self.people)}
        self.col_of = {c.id: j for j, c in enumerate(self.courses)}

    def replace_rows(self, part: "Matrix") -> bool:
        """Take the rows of ``part`` (computed for some people with ``all_courses``) into this
        matrix: their cells, reasons and latest records. False when the columns would change
        (a course newly required or no longer required by anyone): reload the whole matrix."""
        for pid in part.row_of:
            if pid not in self.row_of:
                return False
        pcols = part.col_of
        for (pid, cid) in part.reasons:
            if cid not in self.col_of:
                return False
        tot = self._totals()
        for i_new, p in enumerate(part.people):
            i = self.row_of[p.id]
            for k, v in self._row_counts(i).items():
                tot[k] -= v
            self.people[i] = p
            self.status[i] = [part.status[i_new][pcols[c.id]] if c.id in pcols
                              else rules.NOT_REQUIRED for c in self.courses]
            self.dates[i] = [part.dates[i_new][pcols[c.id]] if c.id in pcols else None
                             for c in self.courses]
            for c in self.courses:
                key = (p.id, c.id)
                self.reasons.pop(key, None)
                self.latest.pop(key, None)
                if key in part.reasons:
                    self.reasons[key] = part.reasons[key]
                if key in part.latest:
                    self.latest[key] = part.latest[key]
            for k, v in self._row_counts(i).items():
                tot[k] += v
        return True

    def cell(self, person_id: int, course_id: int) -> tuple[str, dt.date | None]:
        r, c = self.row_of[person_id], self.col_of[course_id]
        return self.status[r][c], self.dates[r][c]

    def _row_counts(self, i: int) -> dict[str, int]:
        out = dict.fromkeys(rules.STATUSES + (LATE,), 0)
        today = self.today
        for s, d in zip(self.status[i], self.dates[i]):
            out[s] += 1
            if s in rules.OVERDUE and not (s == rules.RETRAIN and d is not None
                                           and d >= today):
                out[LATE] += 1
        return out

    def _totals(self) -> dict[str, int]:
        if self._cached is None:
            tot = dict.fromkeys(rules.STATUSES + (LATE,), 0)
            for i in range(len(self.people)):
                for k, v in self._row_counts(i).items():
                    tot[k] += v
            self._cached = tot
        return self._cached

    def counts(self) -> dict[str, int]:
        """How many cells have each status (not required ones excluded); kept between calls
        and brought up to date by :meth:`replace_rows`."""
        out = dict(self._totals())
        out.pop(rules.NOT_REQUIRED)
        out.pop(LATE)
        return out

    def late(self) -> int:
        """Cells needing training now: expired, missing, and retraining whose grace period
        (if any) has run out — a retraining still within its grace period is not late yet."""
        return self._totals()[LATE]

    def compliance(self, group: str = "department") -> list[tuple[str, int, int]]:
        """(group, compliant cells, required cells) per department or per course."""
        tot: dict[str, list[int]] = {}
        if group == "course":
            for j, c in enumerate(self.courses):
                req = ok = 0
                for row in self.status:
                    s = row[j]
                    if s != rules.NOT_REQUIRED:
                        req += 1
                        ok += s in rules.COMPLIANT
                if req:
                    tot[c.label] = [ok, req]
        else:
            for i, p in enumerate(self.people):
                key = p.department or "(no department)"
                t = tot.setdefault(key, [0, 0])
                for s in self.status[i]:
                    if s != rules.NOT_REQUIRED:
                        t[1] += 1
                        t[0] += s in rules.COMPLIANT
        return [(k, v[0], v[1]) for k, v in sorted(tot.items()) if v[1]]

    def due_within(self, days: int) -> list[tuple[PersonInfo, CourseInfo, str, dt.date | None]]:
        """Cells needing training now or within ``days``: overdue ones first, then by date."""
        limit = self.today + dt.timedelta(days=days)
        out = []
        for i, p in enumerate(self.people):
            for j, c in enumerate(self.courses):
                s, d = self.status[i][j], self.dates[i][j]
                if s in rules.OVERDUE or s == rules.DUE or (
                        s == rules.EXPIRING and d is not None and d <= limit):
                    out.append((p, c, s, d))
        order = {s: k for k, s in enumerate((rules.EXPIRED, rules.RETRAIN, rules.MISSING,
                                            rules.DUE, rules.EXPIRING))}
        out.sort(key=lambda t: (order[t[2]], t[3] or dt.date.min, t[0].name, t[1].label))
        return out


@dataclass
class _Data:
    people: list[tuple]
    roles: dict[int, str]
    assignments: list[tuple]
    courses: list[tuple]
    role_courses: list[tuple]
    steps: list[tuple]
    documents: dict[int, tuple]
    effective: dict[int, tuple[str, dt.date | None]]
    records: list[tuple]


def _read(ws: Workspace, person_ids: Iterable[int] | None = None,
          base: _Data | None = None) -> _Data:
    """Every row the matrix needs; only those of ``person_ids`` when given (a row refresh),
    and with ``base`` (read earlier) its courses, roles, requirements and map steps reused —
    right as long as none of those changed since."""
    where = ""
    if person_ids is not None:
        where = " IN (" + ",".join(str(int(i)) for i in person_ids) + ")"
        if where == " IN ()":
            where = " IN (NULL)"
    with ws.connect() as c:
        # the driver's cursor: plain tuples, several times faster than SQLAlchemy's rows
        q = c.connection.driver_connection.execute
        people = q("SELECT p.id, p.name, p.employee_no, p.department, p.active, p.left_on, "
                   "p.hired_on, mg.name FROM person p LEFT JOIN person mg ON mg.id = p.manager_id"
                   + (" WHERE p.id" + where if where else "")).fetchall()
        assignments = q("SELECT person_id, role_id, valid_from, valid_to FROM person_role"
                        + (" WHERE person_id" + where if where else "")).fetchall()
        records = q("SELECT id, person_id, course_id, completed_on, expires_on, trainer, result, "
                    "document_revision, evidence, notes FROM training_record"
                    + (" WHERE person_id" + where if where else "")).fetchall()
        if base is not None:
            return _Data(people, base.roles, assignments, base.courses, base.role_courses,
                         base.steps, base.documents, base.effective, records)
        roles = dict(q("SELECT id, name FROM role").fetchall())
        courses = q("SELECT id, code, title, kind, provider, validity_months, document_id, "
                    "revised_on FROM course").fetchall()
        role_courses = q("SELECT role_id, course_id, grace_days FROM role_course").fetchall()
        steps = q("SELECT COALESCE(n.role_id, l.role_id), nd.document_id, p.name, p.id, n.name, "
                  "n.id FROM node_document nd JOIN process_node n ON n.id = nd.node_id "
                  "JOIN process p ON p.id = n.process_id "
                  "LEFT JOIN process_lane l ON l.id = n.lane_id "
                  "WHERE nd.kind = 'document' AND p.status != 'retired' "
                  "AND COALESCE(n.role_id, l.role_id) IS NOT NULL").fetchall()
        documents = {r[0]: r[1:] for r in q(
            "SELECT id, number, title, status, current_revision FROM document").fetchall()}
        effective: dict[int, tuple[str, dt.date | None]] = {}
        for did, number, issued in q(
                "SELECT document_id, number, COALESCE(effective_on, issued_on) FROM revision "
                "WHERE status = 'effective' "
                "ORDER BY COALESCE(effective_on, issued_on), id").fetchall():
            effective[did] = (number, _day(issued))
    return _Data(people, roles, assignments, courses, role_courses, steps, documents, effective,
                 records)


def _revision_in_force(data: _Data, document_id: int | None) -> tuple[str, dt.date | None]:
    if document_id is None or document_id not in data.documents:
        return "", None
    _number, _title, status, current = data.documents[document_id]
    if document_id in data.effective:
        return data.effective[document_id]
    if status == "effective" and current:
        return current, None
    return "", None


def course_info(ws: Workspace, course_id: int) -> CourseInfo | None:
    """One course with the revision in force of its procedure (a few rows read, not all)."""
    with ws.connect() as c:
        q = c.connection.driver_connection.execute
        courses = q("SELECT id, code, title, kind, provider, validity_months, document_id, "
                    "revised_on FROM course WHERE id = ?", (course_id,)).fetchall()
        if not courses:
            return None
        doc = courses[0][6]
        documents = {r[0]: r[1:] for r in q(
            "SELECT id, number, title, status, current_revision FROM document WHERE id = ?",
            (doc,)).fetchall()} if doc is not None else {}
        effective: dict[int, tuple[str, dt.date | None]] = {}
        if doc is not None:
            for did, number, issued in q(
                    "SELECT document_id, number, COALESCE(effective_on, issued_on) FROM revision "
                    "WHERE status = 'effective' AND document_id = ? "
                    "ORDER BY COALESCE(effective_on, issued_on), id", (doc,)).fetchall():
                effective[did] = (number, _day(issued))
    data = _Data([], {}, [], courses, [], [], documents, effective, [])
    return _courses(data).get(course_id)


def _courses(data: _Data) -> dict[int, CourseInfo]:
    out = {}
    for cid, code, title, kind, provider, validity, doc, revised in data.courses:
        rev, since = _revision_in_force(data, doc)
        number = data.documents[doc][0] if doc in data.documents else ""
        out[cid] = CourseInfo(cid, code or "", title or "", kind or "", provider or "internal",
                              validity, doc, number, rev, since, _day(revised))
    return out


def _latest(data: _Data, courses: dict[int, CourseInfo], today: dt.date
            ) -> dict[tuple[int, int], RecordInfo]:
    best: dict[tuple[int, int], tuple] = {}
    days: dict[Any, dt.date | None] = {}  # each stored date text parsed once

    def day(raw):
        got = days.get(raw, False)
        if got is False:
            got = days[raw] = _day(raw)
        return got

    counts = rules.counts
    for r in data.records:
        done = days.get(r[3], False)
        if done is False:
            done = day(r[3])
        if not counts(r[6] or "passed", done, today):
            continue
        key = (r[1], r[2])
        prev = best.get(key)
        if prev is None or done > prev[0] or (done == prev[0] and r[0] > prev[1][0]):
            best[key] = (done, r)
    out = {}
    validity = {cid: c.validity_months for cid, c in courses.items()}
    expiry, make = rules.expiry, _record_info
    for key, (done, r) in best.items():
        out[key] = make((r[0], r[1], r[2], done, expiry(done, validity.get(r[2]), day(r[4])),
                         r[5] or "", r[6] or "passed", r[7] or "", r[8] or "", r[9] or ""))
    return out


_RECORD_FIELDS = tuple(f.name for f in fields(RecordInfo))


def _record_info(values: tuple) -> RecordInfo:
    """``RecordInfo(*values)`` without the frozen dataclass's per-field ``__setattr__`` calls
    (the same object, made several times faster: the matrix makes one per pair)."""
    obj = object.__new__(RecordInfo)
    obj.__dict__.update(zip(_RECORD_FIELDS, values))
    return obj


def load_matrix(ws: Workspace, today: dt.date | None = None, window: int | None = None, *,
                extra_roles: dict[int, Iterable[int]] | None = None,
                all_courses: bool = False, include_leavers: bool = False,
                person_ids: Iterable[int] | None = None, base: Matrix | None = None
                ) -> Matrix:
    """The competence matrix on ``today``.

    ``extra_roles`` adds role assignments (person id → role ids) starting today, for a
    what-if preview; ``all_courses`` keeps columns nobody is required to take; ``person_ids``
    computes only those people's rows (a view refreshing the rows an edit touched); ``base``,
    a matrix computed earlier, lends its rows about courses, roles, requirements and maps
    (pass it only when the edit touched none of those).
    """
    today = today or dt.date.today()
    window = window if window is not None else window_days(ws)
    with _gc_paused():
        source = base.source if base is not None else None
        return compute_matrix(_read(ws, person_ids, source), today, window,
                              extra_roles=extra_roles,
                              all_courses=all_courses, include_leavers=include_leavers)


def compute_matrix(data: _Data, today: dt.date, window: int, *,
                   extra_roles: dict[int, Iterable[int]] | None = None,
                   all_courses: bool = False, include_leavers: bool = False) -> Matrix:
    with _gc_paused():
        return _compute_matrix(data, today, window, extra_roles=extra_roles,
                               all_courses=all_courses, include_leavers=include_leavers)


def _compute_matrix(data: _Data, today: dt.date, window: int, *,
                    extra_roles: dict[int, Iterable[int]] | None = None,
                    all_courses: bool = False, include_leavers: bool = False) -> Matrix:
    courses = _courses(data)
    latest = _latest(data, courses, today)
    # roles held today, with the day each started
    held: dict[int, dict[int, dt.date | None]] = defaultdict(dict)
    people_rows = []
    for pid, name, emp, dept, active, left_on, hired, manager in data.people:
        left = rules.has_left(bool(active), _day(left_on), today)
        if left and not include_leavers:
            continue
        people_rows.append((pid, name or "", emp or "", dept or "", manager or "", _day(hired),
                            left))
    hired_of = {r[0]: r[5] for r in people_rows}
    for pid, rid, vf, vt in data.assignments:
        if pid not in hired_of:
            continue
        start, end = _day(vf), _day(vt)
        if rules.holds(start, end, today):
            since = start or hired_of[pid]
            have = held[pid]
            if rid not in have or (since and (have[rid] is None or since < have[rid])):
                have[rid] = since
    for pid, rids in (extra_roles or {}).items():
        for rid in rids:
            if pid in hired_of:
                held[pid].setdefault(rid, today)
    by_role: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for rid, cid, grace in data.role_courses:
        if cid in courses:
            by_role[rid].append((cid, grace))
    # read-and-understood course per document (the first one made)
    ru_course: dict[int, int] = {}
    for c in sorted(courses.values(), key=lambda c: c.id):
        if c.kind == "read_and_understood" and c.document_id is not None:
            ru_course.setdefault(c.document_id, c.id)
    steps_by_role: dict[int, list[tuple]] = defaultdict(list)
    for rid, did, pname, procid, sname, sid in data.steps:
        steps_by_role[rid].append((did, pname or "", procid, sname or "", sid))

    reasons: dict[tuple[int, int], list[Reason]] = defaultdict(list)
    grace_of: dict[tuple[int, int], tuple[dt.date | None, int | None]] = {}
    uncovered: dict[tuple, None] = {}
    for pid, roles_held in held.items():
        for rid, since in roles_held.items():
            rname = data.roles.get(rid, f"role {rid}")
            shared: dict[int | None, Reason] = {}  # one (frozen) reason per grace period
            for cid, grace in by_role.get(rid, ()):
                key = (pid, cid)
                reason = shared.get(grace)
                if reason is None:
                    reason = shared[grace] = Reason("role", rname, since, grace)
                reasons[key].append(reason)
                prev = grace_of.get(key)
                if prev is None or (since and (prev[0] is None or since < prev[0])):
                    grace_of[key] = (since, grace if prev is None else max(prev[1] or 0,
                                                                           grace or 0) or None)
            for did, pname, procid, sname, sid in steps_by_role.get(rid, ()):
                doc = data.documents.get(did)
                if doc is None:
                    continue
                cid = ru_course.get(did)
                if cid is None:
                    uncovered[(doc[0] or "", doc[1] or "", pname, sname)] = None
                    continue
                c = courses[cid]
                docname = f"{doc[0]} rev. {c.revision}" if c.revision else (doc[0] or "")
                reason = Reason("map", rname, since, None, pname, procid, sname, sid, docname)
                key = (pid, cid)
                if reason not in reasons[key]:
                    reasons[key].append(reason)
                grace_of.setdefault(key, (since, None))

    required_courses = {cid for (_pid, cid) in reasons}
    cols = sorted((c for c in courses.values() if all_courses or c.id in required_courses),
                  key=lambda c: (c.code.casefold() or c.title.casefold(), c.id))
    people_rows.sort(key=lambda r: (r[1].casefold(), r[0]))
    people = [PersonInfo(pid, name, emp, dept, manager,
                         tuple(sorted(data.roles.get(r, "") for r in held.get(pid, {}))),
                         hired, left)
              for pid, name, emp, dept, manager, hired, left in people_rows]
    status: list[list[str]] = []
    dates: list[list[dt.date | None]] = []
    nr = rules.NOT_REQUIRED
    # each row starts "not required" (with the expiry of any completion) and only its
    # required cells are judged: the work follows the records, not people × courses
    col_index = {c.id: j for j, c in enumerate(cols)}
    ncols = len(cols)
    done_by_person: dict[int, list[tuple[int, RecordInfo]]] = defaultdict(list)
    for (pid, cid), rec in latest.items():
        j = col_index.get(cid)
        if j is not None:
            done_by_person[pid].append((j, rec))
    required_by_person: dict[int, list[int]] = defaultdict(list)
    for pid, cid in reasons:
        required_by_person[pid].append(cid)
    for p in people:
        srow: list[str] = [nr] * ncols
        drow: list[dt.date | None] = [None] * ncols
        for j, rec in done_by_person.get(p.id, ()):
            drow[j] = rec.expires_on
        for cid in required_by_person.get(p.id, ()):
            j = col_index[cid]  # a required course is always a column
            c = cols[j]
            key = (p.id, cid)
            rec = latest.get(key)
            since, grace = grace_of.get(key, (None, None))
            comp = (rules.Completion(rec.completed_on, rec.expires_on, rec.document_revision)
                    if rec else None)
            s, d = rules.cell_status(
                today, window, required=True, latest=comp, since=since, grace_days=grace,
                revision=c.revision if c.kind == "read_and_understood" else "",
                revision_since=c.revision_since, revised_on=c.revised_on)
            srow[j] = s
            drow[j] = d
        status.append(srow)
        dates.append(drow)
    return Matrix(today, window, people, cols, status, dates,
                  {k: tuple(v) for k, v in reasons.items()}, latest, list(uncovered),
                  source=data)


@dataclass(frozen=True)
class WhatIf:
    course: CourseInfo
    status: str
    date: dt.date | None
    reasons: tuple[Reason, ...]
    #: lacking already, through another role the person holds
    already: bool = False


def holds_role(ws: Workspace, person_id: int, role_id: int, today: dt.date | None = None
               ) -> bool:
    today = today or dt.date.today()
    with ws.connect() as c:
        rows = c.exec_driver_sql("SELECT valid_from, valid_to FROM person_role WHERE "
                                 "person_id = ? AND role_id = ?", (person_id, role_id)).fetchall()
    return any(rules.holds(_day(a), _day(b), today) for a, b in rows)


def what_if(ws: Workspace, person_id: int, role_id: int, today: dt.date | None = None
            ) -> list[WhatIf]:
    """The training a person lacks for ``role_id`` (as if they held it from today, or as they
    do): every course the role requires — by hand or through a map step — that would not be
    current, with why. ``WhatIf.already`` marks courses already lacking through another role."""
    today = today or dt.date.today()
    data = _read(ws)
    window = window_days(ws)
    role = data.roles.get(role_id)
    if role is None:
        raise RecordError("That role is no longer in the workspace.")
    before = compute_matrix(data, today, window, all_courses=True)
    after = compute_matrix(data, today, window, extra_roles={person_id: [role_id]},
                           all_courses=True)
    if person_id not in after.row_of:
        raise RecordError("Only people still with the company can take on a role.")
    i = after.row_of[person_id]
    b = before.row_of.get(person_id)
    out = []
    for j, c in enumerate(after.courses):
        s = after.status[i][j]
        if s in rules.COMPLIANT or s == rules.NOT_REQUIRED:
            continue
        reasons = after.reasons.get((person_id, c.id), ())
        if not any(r.role == role for r in reasons):
            continue  # lacking, but not because of this role
        others = tuple(r for r in reasons if r.role != role)
        was = before.status[b][before.col_of[c.id]] if b is not None else rules.NOT_REQUIRED
        out.append(WhatIf(c, s, after.dates[i][j], reasons,
                          already=bool(others) and was != rules.NOT_REQUIRED))
    return out


# --------------------------------------------------------------------------- lists for views

def history(ws: Workspace, person_id: int, course_id: int | None = None) -> list[RecordInfo]:
    """A person's training records (one course's, or all), newest first, failed ones too."""
    data_courses = {}
    with ws.connect() as c:
        for cid, validity in c.exec_driver_sql("SELECT id, validity_months FROM course"):
            data_courses[cid] = validity
        sql = ("SELECT id, person_id, course_id, completed_on, expires_on, trainer, result, "
               "document_revision, evidence, notes FROM training_record WHERE person_id = ?")
        args: tuple = (person_id,)
        if course_id is not None:
            sql += " AND course_id = ?"
            args += (course_id,)
        rows = c.exec_driver_sql(sql, args).fetchall()
    out = []
    for r in rows:
        done = _day(r[3])
        out.append(RecordInfo(r[0], r[1], r[2], done,
                              rules.expiry(done, data_courses.get(r[2]), _day(r[4])),
                              r[5] or "", r[6] or "passed", r[7] or "", r[8] or "", r[9] or ""))
    out.sort(key=lambda r: (r.completed_on or dt.date.min, r.id), reverse=True)
    return out


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    extra: str = ""


def people(ws: Workspace, include_leavers: bool = False) -> list[Named]:
    today = dt.date.today()
    with ws.connect() as c:
        rows = c.exec_driver_sql(
            "SELECT id, name, department, active, left_on FROM person").fetchall()
    return sorted((Named(r[0], r[1] or "", r[2] or "") for r in rows
                   if include_leavers or not rules.has_left(bool(r[3]), _day(r[4]), today)),
                  key=lambda n: n.name.casefold())


def roles(ws: Workspace) -> list[Named]:
    with ws.connect() as c:
        rows = c.exec_driver_sql("SELECT id, name FROM role").fetchall()
    return sorted((Named(r[0], r[1] or "") for r in rows), key=lambda n: n.name.casefold())


def courses(ws: Workspace) -> list[CourseInfo]:
    return sorted(_courses(_read(ws)).values(), key=lambda c: (c.code.casefold(), c.id))


def departments(ws: Workspace) -> list[str]:
    with ws.connect() as c:
        rows = c.exec_driver_sql("SELECT DISTINCT department FROM person").fetchall()
    return sorted({r[0] for r in rows if r[0]}, key=str.casefold)


# --------------------------------------------------------------------------- edits

def _text(value: Any, what: str, limit: int = MAX_CELL_TEXT) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise RecordError(f"The {what} is {len(text):,} characters long; at most {limit:,} fit.")
    return text


def _date(value: Any, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise RecordError(f"The {what} “{value}” is not a date (write it as YYYY-MM-DD)."
                          ) from None


PERSON_FIELDS = ("name", "employee_no", "department", "email", "hired_on", "left_on",
                 "active", "manager_id")


def _clean_person(s, values: dict[str, Any], pid: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k not in PERSON_FIELDS:
            raise RecordError(f"A person has no field “{k}”.")
        if k in ("hired_on", "left_on"):
            out[k] = _date(v, k.replace("_", " "))
        elif k == "active":
            out[k] = bool(v)
        elif k == "manager_id":
            out[k] = None if v in (None, "") else int(v)
            if out[k] is not None and out[k] == pid:
                raise RecordError("Nobody can be their own manager.")
            if out[k] is not None and s.get(m.Person, out[k]) is None:
                raise RecordError("That manager is no longer in the workspace.")
        else:
            out[k] = _text(v, k.replace("_", " "), 200)
    if "name" in out and not out["name"]:
        raise RecordError("A person needs a name.")
    emp = out.get("employee_no")
    if emp:
        q = select(m.Person.id).where(m.Person.employee_no == emp)
        other = [i for i in s.scalars(q) if i != pid]
        if other:
            raise RecordError(f"Employee number {emp} is already someone else's.")
    return out


def add_person(ws: Workspace, values: dict[str, Any], role_ids: Iterable[int] = ()) -> Change:
    with ws.session() as s:
        clean = _clean_person(s, values, None)
        if not clean.get("name"):
            raise RecordError("A person needs a name.")
        p = m.Person(**clean)
        s.add(p)
        s.flush()
        for rid in role_ids:
            s.add(m.PersonRole(person_id=p.id, role_id=rid, valid_from=clean.get("hired_on")))
        pid = p.id
    return Change.of(s, result=pid)


def update_people(ws: Workspace, ids: Iterable[int], values: dict[str, Any]) -> Change:
    ids = list(ids)
    with ws.session() as s:
        for pid in ids:
            p = s.get(m.Person, pid)
            if p is None:
                raise RecordError("That person is no longer in the workspace.")
            clean = _clean_person(s, values, pid)
            left = clean.get("left_on", p.left_on)
            hired = clean.get("hired_on", p.hired_on)
            if left and hired and left < hired:
                raise RecordError(f"{p.name} cannot leave before they started.")
            for k, v in clean.items():
                setattr(p, k, v)
    return Change.of(s)


def mark_left(ws: Workspace, person_id: int, on: dt.date | str | None = None) -> Change:
    """A leaver: their role assignments end on that day, their records stay."""
    day = _date(on, "leaving date") or dt.date.today()
    with ws.session() as s:
        p = s.get(m.Person, person_id)
        if p is None:
            raise RecordError("That person is no longer in the workspace.")
        if p.hired_on and day < p.hired_on:
            raise RecordError(f"{p.name} cannot leave before they started.")
        p.left_on = day
        p.active = False
        for a in s.scalars(select(m.PersonRole).where(m.PersonRole.person_id == person_id)):
            if a.valid_to is None or a.valid_to > day:
                a.valid_to = day
    return Change.of(s)


def delete_people(ws: Workspace, ids: Iterable[int]) -> Change:
    with ws.session() as s:
        for pid in ids:
            p = s.get(m.Person, pid)
            if p is not None:
                s.delete(p)
    return Change.of(s)


def add_role(ws: Workspace, name: str, description: str = "") -> Change:
    name = _text(name, "role name", 200)
    if not name:
        raise RecordError("A role needs a name.")
    with ws.session() as s:
        if s.scalars(select(m.Role.id).where(m.Role.name == name)).first() is not None:
            raise RecordError(f"There is already a role called “{name}”.")
        r = m.Role(name=name, description=_text(description, "description"))
        s.add(r)
        s.flush()
        rid = r.id
    return Change.of(s, result=rid)


def assign_role(ws: Workspace, person_id: int, role_id: int,
                valid_from: Any = None, valid_to: Any = None) -> Change:
    start, end = _date(valid_from, "start date"), _date(valid_to, "end date")
    if start and end and end < start:
        raise RecordError("A role assignment cannot end before it starts.")
    with ws.session() as s:
        p, r = s.get(m.Person, person_id), s.get(m.Role, role_id)
        if p is None or r is None:
            raise RecordError("That person or role is no longer in the workspace.")
        for a in s.scalars(select(m.PersonRole).where(m.PersonRole.person_id == person_id,
                                                      m.PersonRole.role_id == role_id)):
            a_end = a.valid_to or dt.date.max
            n_end = end or dt.date.max
            if (a.valid_from or dt.date.min) <= n_end and (start or dt.date.min) <= a_end:
                raise RecordError(f"{p.name} already holds the role {r.name} then.")
        a = m.PersonRole(person_id=person_id, role_id=role_id, valid_from=start, valid_to=end)
        s.add(a)
        s.flush()
        aid = a.id
    return Change.of(s, result=aid)


def end_role(ws: Workspace, person_id: int, role_id: int, on: Any = None) -> Change:
    """End every open assignment of the role for the person on ``on`` (default yesterday, so
    the role no longer holds today)."""
    day = _date(on, "end date") or dt.date.today() - dt.timedelta(days=1)
    with ws.session() as s:
        found = False
        for a in s.scalars(select(m.PersonRole).where(m.PersonRole.person_id == person_id,
                                                      m.PersonRole.role_id == role_id)):
            if a.valid_to is None or a.valid_to > day:
                if a.valid_from and a.valid_from > day:
                    s.delete(a)
                else:
                    a.valid_to = day
                found = True
        if not found:
            raise RecordError("That person does not hold that role.")
    return Change.of(s)


def assignments(ws: Workspace, person_id: int) -> list[tuple[int, str, dt.date | None,
                                                              dt.date | None]]:
    """(assignment id, role, from, to) for a person, oldest first."""
    with ws.connect() as c:
        rows = c.exec_driver_sql(
            "SELECT a.id, r.name, a.valid_from, a.valid_to FROM person_role a JOIN role r "
            "ON r.id = a.role_id WHERE a.person_id = ?", (person_id,)).fetchall()
    out = [(r[0], r[1], _day(r[2]), _day(r[3])) for r in rows]
    out.sort(key=lambda t: (t[2] or dt.date.min, t[0]))
    return out


COURSE_FIELDS = ("code", "title", "description", "kind", "provider", "validity_months",
                 "document_id", "revised_on")


def _clean_course(s, values: dict[str, Any], cid: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k not in COURSE_FIELDS:
            raise RecordError(f"A course has no field “{k}”.")
        if k == "kind":
            if v not in KINDS:
                raise RecordError(f"The method “{v}” is not one of: "
                                  + ", ".join(KIND_LABELS[k] for k in KINDS) + ".")
            out[k] = v
        elif k == "provider":
            if v not in PROVIDERS:
                raise RecordError("A course is given internally or externally.")
            out[k] = v
        elif k == "validity_months":
            if v in (None, "", 0, "once"):
                out[k] = None
            else:
                try:
                    out[k] = int(v)
                except (TypeError, ValueError):
                    raise RecordError("The validity is a number of months, or “once”."
                                      ) from None
                if not 1 <= out[k] <= 600:
                    raise RecordError("The validity must be between 1 and 600 months.")
        elif k == "document_id":
            out[k] = None if v in (None, "") else int(v)
            if out[k] is not None and s.get(m.Document, out[k]) is None:
                raise RecordError("That document is no longer in the workspace.")
        elif k == "revised_on":
            out[k] = _date(v, "revision date")
        else:
            out[k] = _text(v, k, 40 if k == "code" else MAX_CELL_TEXT)
    if "title" in out and not out["title"] and not out.get("code"):
        raise RecordError("A course needs a title.")
    code = out.get("code")
    if code:
        other = [i for i in s.scalars(select(m.Course.id).where(m.Course.code == code))
                 if i != cid]
        if other:
            raise RecordError(f"There is already a course with the code {code}.")
    return out


def add_course(ws: Workspace, values: dict[str, Any], role_ids: Iterable[int] = ()) -> Change:
    with ws.session() as s:
        clean = _clean_course(s, values, None)
        if not clean.get("title"):
            raise RecordError("A course needs a title.")
        c = m.Course(**clean)
        s.add(c)
        s.flush()
        for rid in role_ids:
            s.add(m.RoleCourse(role_id=rid, course_id=c.id))
        cid = c.id
    return Change.of(s, result=cid)


def update_courses(ws: Workspace, ids: Iterable[int], values: dict[str, Any]) -> Change:
    with ws.session() as s:
        for cid in ids:
            c = s.get(m.Course, cid)
            if c is None:
                raise RecordError("That course is no longer in the workspace.")
            for k, v in _clean_course(s, values, cid).items():
                setattr(c, k, v)
    return Change.of(s)


def mark_course_revised(ws: Workspace, course_id: int, on: Any = None) -> Change:
    """The course changed: everyone required to take it is due again from ``on`` (today)."""
    day = _date(on, "revision date") or dt.date.today()
    if day > dt.date.today():
        raise RecordError("A course cannot be marked revised in the future.")
    with ws.connect() as c:
        row = c.exec_driver_sql("SELECT code, title, revised_on FROM course WHERE id = ?",
                                (course_id,)).first()
    if row is None:
        raise RecordError("That course is no longer in the workspace.")
    before = _day(row[2])
    if before is not None and day < before:
        raise RecordError(
            f"{row[0] or row[1]} was already marked revised on {before.isoformat()}; an "
            f"earlier day would clear the retraining that revision made due.")
    return update_courses(ws, [course_id], {"revised_on": day})


def delete_courses(ws: Workspace, ids: Iterable[int]) -> Change:
    with ws.session() as s:
        for cid in ids:
            c = s.get(m.Course, cid)
            if c is not None:
                s.delete(c)
    return Change.of(s)


def set_requirement(ws: Workspace, role_id: int, course_id: int, required: bool = True,
                    grace_days: Any = None) -> Change:
    """Require a course for a role (with an optional grace period in days), or stop it."""
    if grace_days in (None, ""):
        grace = None
    else:
        try:
            grace = int(grace_days)
        except (TypeError, ValueError):
            raise RecordError("The grace period is a number of days.") from None
        if not 0 <= grace <= 3650:
            raise RecordError("The grace period must be between 0 and 3650 days.")
    with ws.session() as s:
        if s.get(m.Role, role_id) is None or s.get(m.Course, course_id) is None:
            raise RecordError("That role or course is no longer in the workspace.")
        row = s.scalars(select(m.RoleCourse).where(m.RoleCourse.role_id == role_id,
                                                   m.RoleCourse.course_id == course_id)).first()
        if required:
            if row is None:
                s.add(m.RoleCourse(role_id=role_id, course_id=course_id, grace_days=grace))
            else:
                row.grace_days = grace
        elif row is not None:
            s.delete(row)
    return Change.of(s)


def requirements(ws: Workspace) -> list[tuple[int, int, int | None]]:
    """(role id, course id, grace days) for every requirement entered by hand."""
    with ws.connect() as c:
        return [tuple(r) for r in c.exec_driver_sql(
            "SELECT role_id, course_id, grace_days FROM role_course").fetchall()]


RECORD_FIELDS = ("completed_on", "expires_on", "trainer", "result", "evidence", "notes",
                 "document_revision")


def _clean_record(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k not in RECORD_FIELDS:
            raise RecordError(f"A training record has no field “{k}”.")
        if k in ("completed_on", "expires_on"):
            out[k] = _date(v, "completion date" if k == "completed_on" else "expiry date")
        elif k == "result":
            if v not in RESULTS:
                raise RecordError("The result is passed, attended or failed.")
            out[k] = v
        else:
            out[k] = _text(v, k.replace("_", " "), 20 if k == "document_revision"
                           else MAX_CELL_TEXT)
    if out.get("completed_on") and out["completed_on"] > today:
        raise RecordError("A training cannot be completed in the future.")
    return out


def add_records(ws: Workspace, course_id: int, person_ids: Iterable[int],
                values: dict[str, Any], today: dt.date | None = None) -> Change:
    """One training session: the same course for many people, one transaction (one undo
    step). The expiry is computed from the course unless given; a read-and-understood course
    records the revision in force unless one is given. ``result`` is the new records' ids."""
    today = today or dt.date.today()
    clean = _clean_record(values, today)
    if not clean.get("completed_on"):
        raise RecordError("A training record needs the date it was completed.")
    person_ids = list(dict.fromkeys(person_ids))
    if not person_ids:
        raise RecordError("Choose at least one person who took part.")
    course = course_info(ws, course_id)
    if course is None:
        raise RecordError("That course is no longer in the workspace.")
    if "expires_on" not in clean or clean["expires_on"] is None:
        clean["expires_on"] = rules.expiry(clean["completed_on"], course.validity_months)
    if clean["expires_on"] and clean["expires_on"] <= clean["completed_on"]:
        raise RecordError("A training cannot expire on or before the day it was completed.")
    if not clean.get("document_revision") and course.revision:
        clean["document_revision"] = course.revision
    with ws.session() as s:
        new = []
        for pid in person_ids:
            if s.get(m.Person, pid) is None:
                raise RecordError("One of those people is no longer in the workspace.")
            r = m.TrainingRecord(person_id=pid, course_id=course_id, **clean)
            s.add(r)
            new.append(r)
        s.flush()
        ids = [r.id for r in new]
    return Change.of(s, result=ids)


def update_records(ws: Workspace, ids: Iterable[int], values: dict[str, Any]) -> Change:
    today = dt.date.today()
    clean = _clean_record(values, today)
    with ws.session() as s:
        for rid in ids:
            r = s.get(m.TrainingRecord, rid)
            if r is None:
                raise RecordError("That training record is no longer in the workspace.")
            for k, v in clean.items():
                setattr(r, k, v)
            if r.completed_on is None:
                raise RecordError("A training record needs the date it was completed.")
            if r.expires_on and r.expires_on <= r.completed_on:
                raise RecordError("A training cannot expire on or before the day it was "
                                  "completed.")
    return Change.of(s)


def delete_records(ws: Workspace, ids: Iterable[int]) -> Change:
    with ws.session() as s:
        for rid in ids:
            r = s.get(m.TrainingRecord, rid)
            if r is not None:
                s.delete(r)
    return Change.of(s)


# --------------------------------------------------------------------------- dashboard

@dataclass(frozen=True)
class Summary:
    required: int
    compliant: int
    expiring: int
    expired: int
    missing: int
    retrain: int
    due: int
    #: needing training now: expired, missing, retraining past its grace period
    late: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.compliant / self.required if self.required else 100.0


def summary(ws: Workspace, today: dt.date | None = None) -> Summary:
    mx = load_matrix(ws, today)
    n = mx.counts()
    return Summary(sum(n.values()), n[rules.CURRENT] + n[rules.EXPIRING], n[rules.EXPIRING],
                   n[rules.EXPIRED], n[rules.MISSING], n[rules.RETRAIN], n[rules.DUE],
                   mx.late())



# --------------------------------------------------------------------------- rows for lists

@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    employee_no: str
    department: str
    email: str
    manager_id: int | None
    manager: str
    hired_on: dt.date | None
    left_on: dt.date | None
    active: bool
    roles: str  # roles held today, comma-separated
    left: bool


def list_people(ws: Workspace, ids: Iterable[int] | None = None,
                today: dt.date | None = None) -> list[PersonRow]:
    """Everyone (leavers included, marked), or the people ``ids``."""
    today = today or dt.date.today()
    where = ""
    if ids is not None:
        where = " WHERE p.id IN (" + ",".join(str(int(i)) for i in ids) + ")"
        if where.endswith("()"):
            return []
    with ws.connect() as c:
        q = c.exec_driver_sql
        rows = q("SELECT p.id, p.name, p.employee_no, p.department, p.email, p.manager_id, "
                 "mg.name, p.hired_on, p.left_on, p.active FROM person p LEFT JOIN person mg "
                 "ON mg.id = p.manager_id" + where).fetchall()
        held: dict[int, list[str]] = defaultdict(list)
        for pid, name, vf, vt in q("SELECT a.person_id, r.name, a.valid_from, a.valid_to FROM "
                                   "person_role a JOIN role r ON r.id = a.role_id"):
            if rules.holds(_day(vf), _day(vt), today):
                held[pid].append(name)
    out = []
    for r in rows:
        left_on = _day(r[8])
        out.append(PersonRow(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5],
                             r[6] or "", _day(r[7]), left_on, bool(r[9]),
                             ", ".join(sorted(set(held.get(r[0], ())))),
                             rules.has_left(bool(r[9]), left_on, today)))
    return out


@dataclass(frozen=True)
class CourseRow:
    id: int
    code: str
    title: str
    description: str
    kind: str
    provider: str
    validity_months: int | None
    document_id: int | None
    document: str
    revision: str
    revised_on: dt.date | None
    roles: str  # roles requiring it (by hand), comma-separated

    @property
    def validity_text(self) -> str:
        return CourseInfo(self.id, "", "", "", "", self.validity_months, None, "", "", None,
                          None).validity_text


def list_courses(ws: Workspace, ids: Iterable[int] | None = None) -> list[CourseRow]:
    data = _read(ws, person_ids=())
    infos = _courses(data)
    wanted = None if ids is None else set(ids)
    req: dict[int, list[str]] = defaultdict(list)
    for rid, cid, grace in data.role_courses:
        name = data.roles.get(rid, "")
        req[cid].append(f"{name} ({grace} d)" if grace else name)
    with ws.connect() as c:
        desc = dict(c.exec_driver_sql("SELECT id, description FROM course").fetchall())
    out = []
    for cid, ci in infos.items():
        if wanted is not None and cid not in wanted:
            continue
        out.append(CourseRow(cid, ci.code, ci.title, desc.get(cid) or "", ci.kind, ci.provider,
                             ci.validity_months, ci.document_id, ci.document, ci.revision,
                             ci.revised_on, ", ".join(sorted(req.get(cid, ()),
                                                             key=str.casefold))))
    return out


def documents(ws: Workspace) -> list[Named]:
    """Documents a course can link to: (id, "NUMBER title")."""
    with ws.connect() as c:
        rows = c.exec_driver_sql("SELECT id, number, title FROM document").fetchall()
    return sorted((Named(r[0], f"{r[1] or ''} {r[2] or ''}".strip()) for r in rows),
                  key=lambda n: n.name.casefold())
