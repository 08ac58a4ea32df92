"""Quality objectives and KPIs (ISO 9001 6.2, 9.1): targets, measurements and on/off-target
status.

An objective (``storage.models.Objective``) is either a SMART *objective* (a target to reach by
a due date) or a *KPI* (an indicator followed without end); both have a target in a unit, a
direction (``>=`` higher is better, ``<=`` lower is better), an optional tolerance band and a
measuring frequency, and a series of dated measurements. Rows carry everything a view shows —
owner and process names, the status computed by :func:`qms_desktop.core.kpi.kpi_status` from
the latest measurement (on / near / off target / not measured, and *late* when the latest
figure is older than the frequency allows), the number of measurements and the ``overdue``
flag — so the UI never queries while painting.

Rules every edit follows (all-or-nothing: the first broken rule refuses the whole edit with a
sentence saying what is wrong):

* ``kind`` is one of :data:`KINDS`, ``direction`` one of :data:`DIRECTIONS`, ``frequency`` one
  of :data:`FREQUENCIES`, ``category`` one of :data:`CATEGORIES` or empty, ``status`` one of
  :data:`STATUSES`; the title and the ID cannot be empty and no two objectives share an ID.
* Numbers (target, tolerance, baseline, a measured value) are finite; text is read in both
  "1,234.5" and "1.234,5" forms ("95,3 %" is 95.3). The target may be empty: the objective is
  then followed but not judged (status "none"). The tolerance is never negative.
* The owner is an active person of the workspace; the process is a process of it.
* A day has at most one measurement per objective: adding or moving one onto a day already
  measured is refused (a paste may replace it when asked).

An objective is **overdue** when it is active, its due date has passed and it is not on
target. An objective that is not active (achieved, dropped) is never *late*.

Pasting from Excel (:func:`paste_preview`, :func:`paste_measurements`): a block of cells copied
from a spreadsheet arrives as tab-separated text — rows of date, value and an optional note, a
header row recognised and skipped. Dates are read by ``core/dates.py`` (ambiguous slash dates
are flagged, never guessed), numbers by ``services/imports/table.parse_number``. The preview
names each row's problem ("row 3: “31/02/2026” is not a real date …"); the paste writes
nothing while any row has one, unless the user chose to skip those rows.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sqlalchemy import String, func, select, type_coerce

from ..core import kpi
from ..core.dates import DateReader
from ..storage import models as m
from ..storage.workspace import Workspace
from .imports.table import cell_text, detect_decimal, norm_header, parse_number
from .records import Change, RecordError, coerce

KINDS = m.OBJECTIVE_KINDS
DIRECTIONS = m.OBJECTIVE_DIRECTIONS
FREQUENCIES = m.OBJECTIVE_FREQUENCIES
CATEGORIES = m.OBJECTIVE_CATEGORIES
#: the life of an objective: followed (active), reached for good (achieved), given up (dropped)
STATUSES = ("active", "achieved", "dropped")
REF_PREFIX = "OBJ-"

TEXT_FIELDS = ("ref", "title", "description", "measure", "unit")
NUMBER_FIELDS = ("target", "tolerance", "baseline")
DATE_FIELDS = ("due_date", "started_on")
EDITABLE = TEXT_FIELDS + NUMBER_FIELDS + DATE_FIELDS + (
    "kind", "category", "direction", "frequency", "status", "owner_id", "process_id")
MEASUREMENT_FIELDS = ("measured_on", "value", "note")

#: the status filter's values: the KPI statuses, and "late"
FILTER_STATUSES = kpi.STATUSES + ("late",)


@dataclass(slots=True)
class ObjectiveRow:
    id: int
    ref: str
    title: str
    kind: str
    description: str
    measure: str
    category: str
    process_id: int | None
    process: str
    owner_id: int | None
    owner: str
    target: float | None
    unit: str
    direction: str
    tolerance: float | None
    baseline: float | None
    frequency: str
    due_date: dt.date | None
    started_on: dt.date | None
    status: str
    # computed
    kpi: kpi.KpiStatus = field(default_factory=lambda: kpi.KpiStatus(kpi.NONE, None, None,
                                                                      False, ""))
    measurement_count: int = 0
    overdue: bool = False

    @property
    def late(self) -> bool:
        return self.kpi.late

    @property
    def target_text(self) -> str:
        """"≥ 95 %" (empty when no target is set)."""
        if self.target is None:
            return ""
        sign = "≤" if self.direction == kpi.LOWER else "≥"
        return f"{sign} {kpi.fmt(self.target, self.unit)}"

    @property
    def latest_text(self) -> str:
        return "" if self.kpi.value is None else kpi.fmt(self.kpi.value, self.unit)


@dataclass(slots=True)
class MeasurementRow:
    id: int
    objective_id: int
    measured_on: dt.date | None
    value: float
    note: str
    #: the value against the objective's target (kpi.ON, NEAR, OFF or NONE)
    status: str = kpi.NONE


def is_overdue(status: str, due: dt.date | None, kpi_status: str, today: dt.date) -> bool:
    return status == "active" and due is not None and due < today and kpi_status != kpi.ON


# --------------------------------------------------------------------------- queries


def _dates(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _query():
    o = m.Objective
    return (select(o.id, o.ref, o.title, o.kind, o.description, o.measure, o.category,
                   o.process_id, m.Process.name, o.owner_id, m.Person.name, o.target, o.unit,
                   o.direction, o.tolerance, o.baseline, o.frequency,
                   type_coerce(o.due_date, String), type_coerce(o.started_on, String), o.status)
            .outerjoin(m.Person, m.Person.id == o.owner_id)
            .outerjoin(m.Process, m.Process.id == o.process_id))


def _points(c, ids: Sequence[int] | None) -> dict[int, list[tuple[dt.date, float]]]:
    me = m.Measurement
    stmt = select(me.objective_id, type_coerce(me.measured_on, String), me.value)
    if ids is not None:
        stmt = stmt.where(me.objective_id.in_(ids))
    out: dict[int, list[tuple[dt.date, float]]] = {}
    for oid, day, value in c.execute(stmt.order_by(me.id)):
        day = _dates(day)
        if day is not None and value is not None:
            out.setdefault(oid, []).append((day, value))
    return out


def _row(rec, points: list[tuple[dt.date, float]], today: dt.date) -> ObjectiveRow:
    (oid, ref, title, kind, desc, measure, category, pid, process, owner_id, owner, target,
     unit, direction, tolerance, baseline, frequency, due, started, status) = rec
    due, started = _dates(due), _dates(started)
    status = status or "active"
    st = kpi.kpi_status(direction or kpi.HIGHER, target, tolerance, points,
                        frequency=frequency or "monthly", unit=unit or "", today=today)
    if status != "active" and st.late:
        st = dataclasses.replace(st, late=False)
    return ObjectiveRow(
        oid, ref or "", title or "", kind or "objective", desc or "", measure or "",
        category or "", pid, process or "", owner_id, owner or "", target, unit or "",
        direction or kpi.HIGHER, tolerance, baseline, frequency or "monthly", due, started,
        status, st, len(points), is_overdue(status, due, st.status, today))


def list_objectives(ws: Workspace, ids: Iterable[int] | None = None,
                    today: dt.date | None = None) -> list[ObjectiveRow]:
    """Every objective and KPI (``ids``: only those that still exist), in order of creation,
    with its status computed from its measurements."""
    today = today or dt.date.today()
    wanted = None if ids is None else sorted(set(ids))
    out: list[ObjectiveRow] = []
    with ws.connect() as c:
        chunks = [None] if wanted is None else [wanted[i:i + 500]
                                                for i in range(0, len(wanted), 500)]
        for chunk in chunks:
            stmt = _query().order_by(m.Objective.id)
            if chunk is not None:
                stmt = stmt.where(m.Objective.id.in_(chunk))
            recs = c.execute(stmt).all()
            points = _points(c, chunk)
            out += [_row(r, points.get(r[0], []), today) for r in recs]
    return out


def get_objective(ws: Workspace, objective_id: int, today: dt.date | None = None
                  ) -> ObjectiveRow | None:
    rows = list_objectives(ws, [objective_id], today)
    return rows[0] if rows else None


def measurements(ws: Workspace, objective_id: int) -> list[MeasurementRow]:
    """The measurements of one objective, oldest first (a day's one row)."""
    me, o = m.Measurement, m.Objective
    with ws.connect() as c:
        head = c.execute(select(o.direction, o.target, o.tolerance)
                         .where(o.id == objective_id)).first()
        if head is None:
            return []
        direction, target, tolerance = head
        recs = c.execute(select(me.id, me.objective_id, type_coerce(me.measured_on, String),
                                me.value, me.note).where(me.objective_id == objective_id)
                         .order_by(me.measured_on, me.id)).all()
    return [MeasurementRow(i, oid, _dates(day), value, note or "",
                           kpi.value_status(direction or kpi.HIGHER, target, tolerance, value))
            for i, oid, day, value, note in recs]


def measurement_counts(ws: Workspace, ids: Iterable[int]) -> int:
    """How many measurements the objectives ``ids`` hold (what deleting them deletes too)."""
    ids = list(set(ids))
    if not ids:
        return 0
    with ws.connect() as c:
        return c.execute(select(func.count(m.Measurement.id))
                         .where(m.Measurement.objective_id.in_(ids))).scalar_one()


def objective_of_measurement(ws: Workspace, measurement_id: int) -> int | None:
    with ws.connect() as c:
        return c.execute(select(m.Measurement.objective_id)
                         .where(m.Measurement.id == measurement_id)).scalar_one_or_none()


# --------------------------------------------------------------------------- references

_REF_NUMBER = re.compile(re.escape(REF_PREFIX) + r"(\d+)$")


def _next_ref(conn) -> str:
    refs = conn.execute(select(m.Objective.ref).where(
        m.Objective.ref.like(REF_PREFIX + "%"))).scalars()
    found = [x.group(1) for r in refs if r and (x := _REF_NUMBER.match(r))]
    if not found:
        return f"{REF_PREFIX}01"
    width = max(len(x) for x in found)  # keep the numbering's width: OBJ-05 → OBJ-06
    return f"{REF_PREFIX}{max(int(x) for x in found) + 1:0{width}d}"


def next_objective_ref(ws: Workspace) -> str:
    """The next free ID: "OBJ-" and the number after the highest one, as wide as the others."""
    with ws.connect() as c:
        return _next_ref(c)


# --------------------------------------------------------------------------- validation


def read_number(value: Any, what: str) -> float | None:
    """A number typed or stored (text in either decimal form), None for empty, or RecordError."""
    try:
        number = parse_number(value.strip() if isinstance(value, str) else value)
    except ValueError as e:
        raise RecordError(f"The {what}: {e}") from None
    return number


def _date(model, field_: str, value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        value = value.strip()
        if value:
            read = DateReader().read(value)
            if read.date is None:
                raise RecordError(read.problem or f"“{value}” is not a date.")
            return read.date
    return coerce(model, field_, value)


_LABELS = {"due_date": "due date", "started_on": "start date", "target": "target",
           "tolerance": "tolerance", "baseline": "baseline", "process_id": "process",
           "owner_id": "owner"}


def clean_value(field_: str, value: Any) -> Any:
    """The stored value of one field of an objective, or RecordError with a sentence."""
    if field_ not in EDITABLE:
        raise RecordError(f"“{field_.replace('_', ' ')}” of an objective cannot be edited "
                          "here.")
    if field_ == "kind":
        if value not in KINDS:
            raise RecordError("An objective is an “objective” (a target to reach by a date) or "
                              "a “kpi” (an indicator followed without end).")
        return value
    if field_ == "direction":
        if value not in DIRECTIONS:
            raise RecordError("The direction is “>=” (higher is better) or “<=” (lower is "
                              "better).")
        return value
    if field_ == "frequency":
        if value not in FREQUENCIES:
            raise RecordError(f"The measuring frequency must be one of: "
                              f"{', '.join(FREQUENCIES)}.")
        return value
    if field_ == "category":
        value = value or ""
        if value and value not in CATEGORIES:
            raise RecordError(f"The category must be one of: {', '.join(CATEGORIES)} (or none).")
        return value
    if field_ == "status":
        if value not in STATUSES:
            raise RecordError(f"An objective's status must be one of: {', '.join(STATUSES)}.")
        return value
    if field_ in ("owner_id", "process_id"):
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(f"“{value}” is not a {_LABELS[field_]} of the workspace.")
        return value
    if field_ in NUMBER_FIELDS:
        number = read_number(value, _LABELS[field_])
        if field_ == "tolerance" and number is not None and number < 0:
            raise RecordError("The tolerance is how far from the target still counts as near: "
                              "it cannot be negative.")
        return number
    if field_ in DATE_FIELDS:
        return _date(m.Objective, field_, value)
    value = coerce(m.Objective, field_, "" if value is None else value)
    if field_ in ("title", "ref", "unit"):
        value = value.strip()
        if field_ != "unit" and not value:
            raise RecordError("An objective needs a title." if field_ == "title" else
                              "An objective needs an ID.")
    return value


def _check_links(s, clean: dict[str, Any]) -> None:
    owner_id = clean.get("owner_id")
    if owner_id is not None:
        person = s.get(m.Person, owner_id)
        if person is None:
            raise RecordError(f"Person {owner_id} is not in the workspace (any more).")
        if not person.active:
            raise RecordError(f"{person.name} is no longer active, so objectives cannot be "
                              "given to them.")
    pid = clean.get("process_id")
    if pid is not None and s.get(m.Process, pid) is None:
        raise RecordError(f"Process {pid} is not in the workspace (any more).")


def _check_ref(s, ref: str, ids: set[int]) -> None:
    taken = s.execute(select(m.Objective.id).where(m.Objective.ref == ref)).scalars().all()
    if any(i not in ids for i in taken):
        raise RecordError(f"Another objective already has the ID {ref}.")
    if len(ids) > 1:
        raise RecordError("Several objectives cannot share one ID: edit one at a time.")


# --------------------------------------------------------------------------- objectives


def add_objective(ws: Workspace, values: dict[str, Any] | None = None) -> Change:
    """A new objective (``result``: its id) with ``values``; the ID is the next free one, the
    title "New objective", kind objective, direction ``>=``, monthly, active."""
    clean = {k: clean_value(k, v) for k, v in (values or {}).items()}
    with ws.session() as s:
        _check_links(s, clean)
        if "ref" in clean:
            _check_ref(s, clean["ref"], set())
        else:
            clean["ref"] = _next_ref(s.connection())
        o = m.Objective(**{"title": "New objective", "kind": "objective", "direction": ">=",
                           "frequency": "monthly", "status": "active", "description": "",
                           "measure": "", "category": "", "unit": "", **clean})
        s.add(o)
        s.flush()
        oid = o.id
    return Change.of(s, result=oid)


def update_objectives(ws: Workspace, ids: Iterable[int], values: dict[str, Any]) -> Change:
    """Set the same ``values`` on one or many objectives in one transaction; if one breaks a
    rule, none is changed."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the objectives to change.")
    clean = {k: clean_value(k, v) for k, v in values.items()}
    with ws.session() as s:
        _check_links(s, clean)
        if "ref" in clean:
            _check_ref(s, clean["ref"], set(ids))
        for oid in ids:
            o = s.get(m.Objective, oid)
            if o is None:
                raise RecordError(f"Objective {oid} no longer exists.")
            for k, v in clean.items():
                setattr(o, k, v)
    return Change.of(s)


def delete_objectives(ws: Workspace, ids: Iterable[int]) -> Change:
    """Delete objectives with their measurements (and their links to map steps) in one
    transaction; ``result`` is the number of measurements deleted with them."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the objectives to delete.")
    with ws.session() as s:
        gone = 0
        for oid in ids:
            o = s.get(m.Objective, oid)
            if o is None:
                raise RecordError(f"Objective {oid} no longer exists.")
            gone += s.execute(select(func.count(m.Measurement.id))
                              .where(m.Measurement.objective_id == oid)).scalar_one()
            s.delete(o)
    return Change.of(s, result=gone)


# --------------------------------------------------------------------------- measurements


def _day_taken(s, objective_id: int, day: dt.date, but: int | None = None) -> m.Measurement | None:
    stmt = select(m.Measurement).where(m.Measurement.objective_id == objective_id,
                                       m.Measurement.measured_on == day)
    if but is not None:
        stmt = stmt.where(m.Measurement.id != but)
    return s.execute(stmt.limit(1)).scalars().first()


def _clean_measurement(values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for k, v in values.items():
        if k not in MEASUREMENT_FIELDS:
            raise RecordError(f"“{k.replace('_', ' ')}” of a measurement cannot be edited.")
        if k == "value":
            number = read_number(v, "value")
            if number is None:
                raise RecordError("A measurement needs a value.")
            clean[k] = number
        elif k == "measured_on":
            day = _date(m.Measurement, k, v)
            if day is None:
                raise RecordError("A measurement needs the day it was measured.")
            clean[k] = day
        else:
            clean[k] = "" if v is None else str(v)
    return clean


def _objective_name(o: m.Objective) -> str:
    return o.ref or o.title or f"Objective {o.id}"


def add_measurement(ws: Workspace, objective_id: int, values: dict[str, Any], *,
                    today: dt.date | None = None) -> Change:
    """A measurement of ``objective_id`` (``result``: its id): ``value`` required,
    ``measured_on`` (default today), ``note``. A day already measured is refused."""
    clean = _clean_measurement({"measured_on": today or dt.date.today(), **values})
    if "value" not in clean:
        raise RecordError("A measurement needs a value.")
    with ws.session() as s:
        o = s.get(m.Objective, objective_id)
        if o is None:
            raise RecordError("That objective no longer exists, so nothing can be measured "
                              "for it.")
        if _day_taken(s, objective_id, clean["measured_on"]) is not None:
            raise RecordError(f"{_objective_name(o)} already has a measurement on "
                              f"{clean['measured_on'].isoformat()}: change that one instead.")
        me = m.Measurement(objective_id=objective_id, note="", **clean)
        s.add(me)
        s.flush()
        mid = me.id
    return Change.of(s, result=mid)


def update_measurement(ws: Workspace, measurement_id: int, values: dict[str, Any]) -> Change:
    """Change a measurement's day, value or note; moving it onto a day already measured is
    refused."""
    clean = _clean_measurement(values)
    with ws.session() as s:
        me = s.get(m.Measurement, measurement_id)
        if me is None:
            raise RecordError("That measurement no longer exists.")
        day = clean.get("measured_on")
        if day is not None and day != me.measured_on and \
                _day_taken(s, me.objective_id, day, but=me.id) is not None:
            o = s.get(m.Objective, me.objective_id)
            raise RecordError(f"{_objective_name(o)} already has a measurement on "
                              f"{day.isoformat()}.")
        for k, v in clean.items():
            setattr(me, k, v)
    return Change.of(s)


def delete_measurements(ws: Workspace, ids: Iterable[int]) -> Change:
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the measurements to delete.")
    with ws.session() as s:
        for mid in ids:
            me = s.get(m.Measurement, mid)
            if me is None:
                raise RecordError("That measurement no longer exists.")
            s.delete(me)
    return Change.of(s)


# --------------------------------------------------------------------------- paste from Excel

_HEADER_WORDS = {
    "measured_on": {"date", "day", "datum", "tag", "jour", "date de mesure", "measured on",
                    "measurement date", "month", "monat", "mois", "period", "periode",
                    "week", "woche", "semaine", "when", "stichtag", "reporting date"},
    "value": {"value", "values", "wert", "werte", "valeur", "result", "ergebnis", "resultat",
              "measurement", "messwert", "mesure", "actual", "ist", "istwert", "kpi", "figure",
              "amount", "score", "rate", "percent", "percentage"},
    "note": {"note", "notes", "comment", "comments", "remark", "remarks", "bemerkung",
             "kommentar", "notiz", "remarque", "commentaire", "explanation", "reason"},
}


@dataclass(slots=True)
class PasteRow:
    """One pasted row: its number in the pasted block (1 = the first line), the cells as
    pasted, what they read as, and ``problem`` (a sentence, "" when the row can be pasted)."""

    number: int
    cells: tuple[str, ...]
    measured_on: dt.date | None = None
    value: float | None = None
    note: str = ""
    problem: str = ""
    #: the value already stored for that day (the row replaces it when asked)
    replaces: float | None = None
    replaces_id: int | None = None
    #: a remark on a value that was read (a two-digit year, a serial number)
    remark: str = ""
    #: a sentence on a value that can be pasted but looks wrong (a future day, 120 %); it
    #: does not block the paste
    warning: str = ""


@dataclass(slots=True)
class PastePreview:
    rows: list[PasteRow]
    #: the header row skipped (its cells), if any
    header: tuple[str, ...] = ()
    #: how dates and numbers were read, for the dialog ("Slash dates are read day first …")
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[PasteRow]:
        return [r for r in self.rows if r.problem]

    @property
    def replacing(self) -> list[PasteRow]:
        return [r for r in self.rows if r.replaces_id is not None and not r.problem]

    @property
    def warned(self) -> list[PasteRow]:
        return [r for r in self.rows if r.warning and not r.problem]

    def messages(self) -> list[str]:
        """"row 3: …" for every row with a problem."""
        return [f"row {r.number}: {r.problem}" for r in self.problems]

    def warnings(self) -> list[str]:
        """"row 4: 31 May 2027 is in the future" for every row that can be pasted but looks
        wrong."""
        return [f"row {r.number}: {r.warning}" for r in self.warned]


def split_cells(text: str) -> list[list[str]]:
    """Rows of cells from text copied out of a spreadsheet: tab-separated (a cell holding a
    line break or a tab arrives quoted), or semicolon-separated when no line has a tab."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [ln for ln in text.split("\n") if ln.strip()]
    delimiter = "\t"
    if lines and not any("\t" in ln for ln in lines) and all(";" in ln for ln in lines):
        delimiter = ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', strict=False)
    try:
        return [[c.strip() for c in row] for row in reader]
    except csv.Error as e:  # a cell over the csv module's size limit, a NUL character
        raise RecordError(f"The pasted text cannot be read as cells ({e}): copy the cells of "
                          "dates and values in Excel again.") from None


def _header_map(cells: Sequence[str]) -> dict[str, int] | None:
    """{field: column} when ``cells`` is a header row (two of its cells name our fields, or
    one does and no cell holds a number or a date), else None."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        words = norm_header(cell) if cell else ""
        stripped = re.sub(r"\s*\(.*\)\s*$", "", cell).strip()
        plain = norm_header(stripped) if stripped else ""
        for name, synonyms in _HEADER_WORDS.items():
            if name not in found and (words in synonyms or plain in synonyms):
                found[name] = i
                break
    if not found:
        return None
    readable = 0
    for cell in cells:
        if not cell:
            continue
        if DateReader().read(cell).date is not None:
            readable += 1
        elif _is_number(cell):
            readable += 1
    if len(found) < 2 and readable:
        return None
    return found


def _looks_like_header(cells: Sequence[str]) -> bool:
    """Words where the first row's date and value should be ("Period end", "OTD %")."""
    first = [c for c in cells[:2]]
    if len(first) < 2 or not all(c and re.search(r"[^\W\d_]", c) for c in first):
        return False
    if DateReader().read(first[0]).date is not None:
        return False
    return not _is_number(first[1])


def _is_number(text: str) -> bool:
    """``text`` reads as a number with either decimal mark."""
    for mark in ".,":
        try:
            parse_number(text, decimal=mark)
            return True
        except ValueError:
            pass
    return False


def _real_date(value: str) -> bool:
    """A date in some day/month order (ambiguous slash dates included), not "31/02/2026"."""
    read = DateReader().read(value) if value else None
    return read is not None and (read.date is not None or read.ambiguous)


def _unit_of(ws: Workspace, objective_id: int) -> str:
    with ws.connect() as c:
        return c.execute(select(m.Objective.unit).where(m.Objective.id == objective_id)
                         ).scalar() or ""


#: units whose values cannot be below zero (a percentage, a rate per million, a count)
NON_NEGATIVE_UNITS = frozenset({
    "%", "percent", "pct", "ppm", "ppb", "‰", "count", "counts", "pcs", "pcs.", "pieces",
    "parts", "items", "units", "number", "no.", "#", "defects", "complaints", "findings",
    "nonconformities", "audits", "people", "persons", "hours", "h", "days", "d", "minutes",
    "min"})
PERCENT_UNITS = frozenset({"%", "percent", "pct"})


def measurement_warning(value: float | None, unit: str = "", day: dt.date | None = None,
                        today: dt.date | None = None) -> str:
    """A sentence on a measurement that can be stored but looks wrong, "" when it looks fine:
    dated after today, outside 0–100 for a percentage, or below zero for a unit that cannot
    be (%, ppm, a count…). Never a refusal: the caller shows it and stores the value."""
    today = today or dt.date.today()
    if day is not None and day > today:
        return f"{day.day} {day:%B %Y} is in the future."
    u = (unit or "").strip().casefold()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if u in PERCENT_UNITS and not 0 <= value <= 100:
        return f"{kpi.fmt(value, unit.strip())} is outside 0–100 %."
    if u in NON_NEGATIVE_UNITS and value < 0:
        return f"{kpi.fmt(value, unit.strip())} is below zero, which a value in {unit.strip()} " \
               "cannot be."
    return ""


def measurement_warning_of(ws: Workspace, measurement_id: int,
                           today: dt.date | None = None) -> str:
    """:func:`measurement_warning` of a stored measurement ("" when gone or fine)."""
    with ws.connect() as c:
        found = c.execute(select(type_coerce(m.Measurement.measured_on, String),
                                 m.Measurement.value, m.Objective.unit)
                          .join(m.Objective, m.Objective.id == m.Measurement.objective_id)
                          .where(m.Measurement.id == measurement_id)).first()
    if found is None:
        return ""
    day, value, unit = found
    return measurement_warning(value, unit or "", _dates(day), today)


def paste_preview(ws: Workspace, objective_id: int, text: str, *, order: str | None = None,
                  replace_same_day: bool = False, today: dt.date | None = None
                  ) -> PastePreview:
    """What pasting ``text`` into the measurements of ``objective_id`` would do, row by row.

    ``order`` is the day/month order of slash dates ("dmy" / "mdy"; None: found from the
    dates themselves, ambiguous ones flagged). A row whose day is already measured is a
    problem unless ``replace_same_day``; two rows for one day always are."""
    table = split_cells(text)
    numbered = [(i + 1, row) for i, row in enumerate(table) if any(c for c in row)]
    preview = PastePreview([])
    columns = {"measured_on": 0, "value": 1, "note": 2}
    if numbered:
        header = _header_map(numbered[0][1])
        if header is not None:
            preview.header = tuple(numbered[0][1])
            numbered = numbered[1:]
            if "measured_on" in header and "value" in header:
                columns = {"measured_on": header["measured_on"], "value": header["value"]}
                if "note" in header:
                    columns["note"] = header["note"]
        elif _looks_like_header(numbered[0][1]):
            preview.header = tuple(numbered[0][1])
            numbered = numbered[1:]

    def cell(row: Sequence[str], name: str) -> str:
        i = columns.get(name)
        return row[i] if i is not None and i < len(row) else ""

    reader = DateReader(order)
    # the order is learnt from real dates only: "31/02/2026" shows no order, it is no date
    guess = reader.learn(v for v in (cell(r, "measured_on") for _n, r in numbered)
                         if _real_date(v))
    if reader.note and (guess.order or guess.conflict or order):
        preview.notes.append(reader.note)
    values = [cell(r, "value") for _n, r in numbered]
    decimal = detect_decimal(values)
    # said only when a value shows that mark ("95.3.2" implies a comma but shows none)
    if decimal and any(decimal in v for v in values):
        preview.notes.append("Numbers are read with a decimal comma (“95,3” is 95.3)."
                             if decimal == "," else
                             "Numbers are read with a decimal point (“95.3”).")
    with ws.connect() as c:
        if c.execute(select(m.Objective.id).where(m.Objective.id == objective_id)).first() \
                is None:
            raise RecordError("That objective no longer exists.")
        stored: dict[dt.date, tuple[int, float]] = {}
        for mid, day, value in c.execute(
                select(m.Measurement.id, type_coerce(m.Measurement.measured_on, String),
                       m.Measurement.value).where(m.Measurement.objective_id == objective_id)
                .order_by(m.Measurement.id)):
            day = _dates(day)
            if day is not None:
                stored.setdefault(day, (mid, value))
    first_row: dict[dt.date, int] = {}
    unit = _unit_of(ws, objective_id)
    today = today or dt.date.today()
    for number, row in numbered:
        out = PasteRow(number, tuple(row), note=cell(row, "note"))
        preview.rows.append(out)
        day_text, value_text = cell(row, "measured_on"), cell(row, "value")
        if not day_text or not value_text:
            filled = sum(1 for c in row if c)
            out.problem = ("a row needs a date and a value side by side: copy both columns."
                           if filled < 2 else "there is no date: paste rows of date, value "
                           "and note." if not day_text else "there is no value beside the date.")
            continue
        read = reader.read(day_text)
        if read.date is None:
            out.problem = read.problem or f"“{day_text}” is not a date."
            continue
        out.measured_on = read.date
        out.remark = read.note
        try:
            out.value = parse_number(value_text, decimal=decimal)
        except ValueError as e:
            out.problem = str(e)
            continue
        if read.date in first_row:
            out.problem = (f"{read.date.isoformat()} is also on row {first_row[read.date]}; "
                           "a day has one measurement.")
            continue
        first_row[read.date] = number
        out.warning = measurement_warning(out.value, unit, read.date, today)
        if read.date in stored:
            out.replaces_id, out.replaces = stored[read.date]
            if not replace_same_day:
                out.problem = (f"{read.date.isoformat()} already has a measurement "
                               f"({kpi.fmt(out.replaces)}); replace it, or skip this row.")
    if not preview.rows:
        preview.notes.append("The clipboard holds no rows of date and value.")
    return preview


def paste_measurements(ws: Workspace, objective_id: int, text: str, *,
                       replace_same_day: bool = False, skip_rows: Iterable[int] = (),
                       order: str | None = None) -> Change:
    """Add the measurements pasted as ``text`` (see :func:`paste_preview`) in one transaction;
    ``result`` is (added, replaced). Nothing is written while a row not in ``skip_rows`` (row
    numbers as the preview gives them) has a problem; a day already measured is replaced only
    with ``replace_same_day``."""
    skip = set(skip_rows)
    preview = paste_preview(ws, objective_id, text, order=order,
                            replace_same_day=replace_same_day)
    bad = [r for r in preview.problems if r.number not in skip]
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise RecordError(f"Nothing was pasted: row {bad[0].number}: {bad[0].problem}{more}")
    rows = [r for r in preview.rows if not r.problem and r.number not in skip]
    if not rows:
        raise RecordError("Nothing was pasted: there are no rows of date and value to add.")
    added = replaced = 0
    with ws.session() as s:
        if s.get(m.Objective, objective_id) is None:
            raise RecordError("That objective no longer exists.")
        for r in rows:
            if r.replaces_id is not None:
                me = s.get(m.Measurement, r.replaces_id)
                me.value = r.value
                if r.note:
                    me.note = r.note
                replaced += 1
            else:
                s.add(m.Measurement(objective_id=objective_id, measured_on=r.measured_on,
                                    value=r.value, note=r.note))
                added += 1
    return Change.of(s, result=(added, replaced))


def text_value(value: float | None) -> str:
    """A stored number as typed back into a field ("95.3", "1200"; "" for None)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return cell_text(float(value)) if float(value).is_integer() else repr(float(value))
