"""Risk register use cases: rows for the register, validated edits, re-rating, banding,
treatment actions, heat-map counts, import and export.

Rows are plain dataclasses with their computed scores, so the UI never queries while painting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping

from sqlalchemy import String, and_, case, func, select, type_coerce

from ..core import risk as rules
from ..storage import models as m
from ..storage.workspace import Workspace
from .records import Change, RecordError, coerce, next_free_ref

BANDING_KEY = "risk.banding"

#: fields a user edits, with their kind for validation and delegates
RATING_5 = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
RATING_10 = ("severity", "occurrence", "detection")
CHOICES = {"kind": rules.KINDS, "status": rules.STATUSES, "method": rules.METHODS}
TEXT_FIELDS = ("ref", "title", "category", "cause", "effect", "controls", "treatment",
               "failure_mode", "notes")
DATE_FIELDS = ("review_date", "identified_on")
LINK_FIELDS = ("process_id", "node_id", "owner_id")
EDITABLE = TEXT_FIELDS + DATE_FIELDS + LINK_FIELDS + RATING_5 + RATING_10 + tuple(CHOICES)


@dataclass
class RiskRow:
    id: int
    ref: str
    title: str
    kind: str
    category: str
    process_id: int | None
    process: str
    node_id: int | None
    step: str
    cause: str
    effect: str
    owner_id: int | None
    owner: str
    controls: str
    treatment: str
    status: str
    review_date: dt.date | None
    identified_on: dt.date | None
    method: str
    inherent_likelihood: int | None
    inherent_impact: int | None
    residual_likelihood: int | None
    residual_impact: int | None
    failure_mode: str
    severity: int | None
    occurrence: int | None
    detection: int | None
    notes: str
    # computed
    inherent_score: int | None = None
    inherent_level: str = ""
    residual_score: int | None = None
    residual_level: str = ""
    rpn: int | None = None
    ap: str = ""
    open_actions: int = 0
    overdue_actions: int = 0
    review_overdue: bool = False

    @property
    def level(self) -> str:
        """The level that counts now: residual when rated, otherwise inherent."""
        return self.residual_level or self.inherent_level

    @property
    def overdue(self) -> bool:
        return self.review_overdue or self.overdue_actions > 0


STORED = [f.name for f in fields(RiskRow)][: [f.name for f in fields(RiskRow)].index("notes") + 1]


def _cells(banding: rules.Banding) -> dict[tuple[int, int], tuple[int, str]]:
    """(likelihood, impact) -> (score, level) for the 25 cells of the grid."""
    return {(lk, im): (rules.score(lk, im), banding.level(lk, im))
            for lk in range(1, 6) for im in range(1, 6)}


_NO_SCORE = (None, "")


def compute(row: RiskRow, banding: rules.Banding, today: dt.date,
            cells: dict[tuple[int, int], tuple[int, str]] | None = None) -> RiskRow:
    """Fill the computed fields of ``row`` (scores, levels, RPN, AP, review overdue);
    ``cells`` (:func:`_cells`) saves working the grid out again for every row."""
    cells = cells if cells is not None else _cells(banding)
    row.inherent_score, row.inherent_level = cells.get(
        (row.inherent_likelihood, row.inherent_impact), _NO_SCORE)
    row.residual_score, row.residual_level = cells.get(
        (row.residual_likelihood, row.residual_impact), _NO_SCORE)
    s, o, d = row.severity, row.occurrence, row.detection
    if s and o and d:
        try:
            row.rpn = rules.rpn(s, o, d)
            row.ap = rules.action_priority(s, o, d)
        except ValueError:
            row.rpn, row.ap = None, ""
    else:
        row.rpn, row.ap = None, ""
    row.review_overdue = bool(
        row.review_date and row.review_date < today and row.status != "closed")
    return row


# --------------------------------------------------------------------------- queries


def get_banding(ws: Workspace) -> rules.Banding:
    with ws.connect() as c:
        text = c.execute(select(m.Setting.value).where(m.Setting.key == BANDING_KEY)).scalar()
    if not text:
        return rules.Banding.default()
    try:
        return rules.Banding.from_json(text)
    except rules.BandingError:
        return rules.Banding.default()


def set_banding(ws: Workspace, banding: rules.Banding) -> Change:
    with ws.session() as s:
        row = s.scalars(select(m.Setting).where(m.Setting.key == BANDING_KEY)).first()
        if row is None:
            s.add(m.Setting(key=BANDING_KEY, value=banding.to_json()))
        else:
            row.value = banding.to_json()
    return Change.of(s)


def _row_query(today: dt.date):
    r = m.Risk
    open_states = ("open", "in_progress")
    acts = (
        select(
            m.Action.risk_id.label("rid"),
            func.count().label("n_open"),
            func.sum(case((m.Action.due_date < today, 1), else_=0)).label("n_overdue"),
        )
        .where(m.Action.risk_id.is_not(None), m.Action.status.in_(open_states))
        .group_by(m.Action.risk_id)
        .subquery()
    )
    # dates read as stored text and converted by read_date: a date another program wrote as
    # something else is shown blank (date_problems names it) instead of failing the register
    cols = [type_coerce(getattr(r, n), String).label(n) if n in DATE_FIELDS else getattr(r, n)
            for n in STORED if hasattr(r, n)]
    return (
        select(*cols, m.Process.name.label("process_name"), m.ProcessNode.name.label("step_name"),
               m.Person.name.label("owner_name"), acts.c.n_open, acts.c.n_overdue)
        .outerjoin(m.Process, m.Process.id == r.process_id)
        .outerjoin(m.ProcessNode, m.ProcessNode.id == r.node_id)
        .outerjoin(m.Person, m.Person.id == r.owner_id)
        .outerjoin(acts, acts.c.rid == r.id)
    )


_JOINED = {"process": "process_name", "step": "step_name", "owner": "owner_name"}
_DATE_AT = [i for i, n in enumerate(STORED) if n in DATE_FIELDS]


def read_date(value: Any) -> dt.date | None:
    """A date as stored (ISO text, or a date the driver made); None when it is no date at all
    (another program wrote e.g. “banana” into the column)."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def date_problems(ws: Workspace) -> list[str]:
    """One sentence for each stored risk date that is no date: the register shows it blank
    until the right date is entered."""
    r, t = m.Risk, m.RiskRating
    checks = [(r.review_date, "review date", r.ref, r.id, None),
              (r.identified_on, "date identified", r.ref, r.id, None),
              (t.rated_on, "date of a rating", r.ref, r.id, r.id == t.risk_id)]
    out = []
    with ws.connect() as c:
        for column, label, ref, rid, join in checks:
            raw = type_coerce(column, String)
            stmt = select(ref, rid, raw).where(column.is_not(None),
                                               func.date(raw).is_distinct_from(raw))
            if join is not None:
                stmt = stmt.select_from(t).join(r, join)
            for ref_, rid_, value in c.execute(stmt.order_by(rid)):
                if read_date(value) is None:
                    out.append(f"Risk {ref_ or rid_}: the {label} holds “{value}”, which is not "
                               "a date; it is shown blank until you enter the right date.")
    return out


def _rows(result, banding: rules.Banding, today: dt.date) -> list[RiskRow]:
    """RiskRows from a ``_row_query`` result: fields taken by position, computed fields from
    the grid worked out once (the register reads thousands of rows)."""
    pos = {k: i for i, k in enumerate(result.keys())}
    idx = [pos[_JOINED.get(n, n)] for n in STORED]
    texts = [i for i, n in enumerate(STORED) if n in _JOINED]
    n_open, n_over = pos["n_open"], pos["n_overdue"]
    cells = _cells(banding)
    out = []
    for rec in result.all():
        vals = [rec[i] for i in idx]
        for i in texts:
            vals[i] = vals[i] or ""
        for i in _DATE_AT:
            vals[i] = read_date(vals[i])
        row = RiskRow(*vals)
        row.open_actions = rec[n_open] or 0
        row.overdue_actions = rec[n_over] or 0
        out.append(compute(row, banding, today, cells))
    return out


#: the rule behind every count of risks by level (dashboard, management review), in words
LEVEL_BASIS = "by current level: residual where rated, else inherent"


@dataclass(frozen=True)
class LevelCounts:
    """Open risks and open opportunities by their current level (:attr:`RiskRow.level`: the
    register's rule, residual when rated, otherwise inherent; "" = no 5×5 rating). Closed
    entries are only counted in ``closed``."""

    risks: dict[str, int]
    opportunities: dict[str, int]
    closed: int = 0

    @property
    def open_risks(self) -> int:
        return sum(self.risks.values())

    @property
    def open_opportunities(self) -> int:
        return sum(self.opportunities.values())

    @property
    def high(self) -> int:
        """Open risks (not opportunities) at high or critical."""
        return self.risks.get("high", 0) + self.risks.get("critical", 0)


def level_counts(rows: list[RiskRow]) -> LevelCounts:
    """Count ``rows`` (:func:`list_risks`) the one way the dashboard and the management review
    do: open entries (status not closed) by current level, risks and opportunities apart."""
    risks = {level: 0 for level in rules.LEVELS}
    risks[""] = 0
    opps = dict(risks)
    closed = 0
    for r in rows:
        if r.status == "closed":
            closed += 1
            continue
        into = opps if r.kind == "opportunity" else risks
        level = r.level if r.level in into else ""
        into[level] += 1
    return LevelCounts(risks, opps, closed)


def list_risks(ws: Workspace, today: dt.date | None = None) -> list[RiskRow]:
    today = today or dt.date.today()
    banding = get_banding(ws)
    with ws.connect() as c:
        return _rows(c.execute(_row_query(today).order_by(m.Risk.id)), banding, today)


def get_risk(ws: Workspace, rid: int, today: dt.date | None = None) -> RiskRow:
    today = today or dt.date.today()
    banding = get_banding(ws)
    with ws.connect() as c:
        rows = _rows(c.execute(_row_query(today).where(m.Risk.id == rid)), banding, today)
    if not rows:
        raise RecordError(f"Risk {rid} no longer exists.")
    return rows[0]


@dataclass
class Choice:
    id: int
    name: str


def lookups(ws: Workspace) -> dict[str, list[Choice]]:
    """People, processes and steps offered by the register's pickers."""
    with ws.connect() as c:
        people = [Choice(i, n) for i, n in c.execute(
            select(m.Person.id, m.Person.name).where(m.Person.active.is_(True))
            .order_by(m.Person.name))]
        procs = [Choice(i, n) for i, n in c.execute(
            select(m.Process.id, m.Process.name).order_by(m.Process.name))]
    return {"owner_id": people, "process_id": procs}


def steps_of(ws: Workspace, process_id: int) -> list[Choice]:
    with ws.connect() as c:
        return [Choice(i, n or f"step {i}") for i, n in c.execute(
            select(m.ProcessNode.id, m.ProcessNode.name)
            .where(m.ProcessNode.process_id == process_id,
                   m.ProcessNode.kind.in_(("step", "decision", "subprocess", "document",
                                           "record")))
            .order_by(m.ProcessNode.name))]


# --------------------------------------------------------------------------- edits


def validate(field_: str, value: Any) -> Any:
    """The stored value for one edit, or RecordError with a sentence saying what is wrong."""
    if field_ not in EDITABLE:
        raise RecordError(f"“{field_}” cannot be edited in the register.")
    if value == "" and field_ not in TEXT_FIELDS:
        value = None
    if field_ in RATING_5 or field_ in RATING_10:
        if value is None:
            return None
        top = 5 if field_ in RATING_5 else 10
        number = rules.text_rating_to_number(value, top) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= top:
            label = field_.replace("_", " ")
            raise RecordError(f"{label.capitalize()} must be a whole number from 1 to {top}.")
        return number
    if field_ in CHOICES:
        if value not in CHOICES[field_]:
            raise RecordError(
                f"{field_.capitalize()} must be one of: {', '.join(CHOICES[field_])}.")
        return value
    return coerce(m.Risk, field_, value)


def next_ref(ws: Workspace, prefix: str = "R-") -> str:
    with ws.connect() as c:
        return next_free_ref(c, m.Risk.ref, prefix)


def add_risk(ws: Workspace, values: dict[str, Any] | None = None) -> Change:
    """A new risk; ``result`` is its id."""
    values = dict(values or {})
    clean = {k: validate(k, v) for k, v in values.items()}
    clean.setdefault("title", "New risk")
    clean.setdefault("identified_on", dt.date.today())
    with ws.session() as s:
        clean.setdefault("ref", next_free_ref(s.connection(), m.Risk.ref, "R-"))
        r = m.Risk(**clean)
        s.add(r)
        s.flush()
    return Change.of(s, result=r.id)


def update_risks(ws: Workspace, ids: list[int], values: dict[str, Any]) -> Change:
    """Set the same values on one or many risks, in one transaction (bulk edit)."""
    clean = {k: validate(k, v) for k, v in values.items()}
    with ws.session() as s:
        for rid in ids:
            r = s.get(m.Risk, rid)
            if r is None:
                raise RecordError(f"Risk {rid} no longer exists.")
            for k, v in clean.items():
                setattr(r, k, v)
            if "process_id" in clean and r.node_id is not None and "node_id" not in clean:
                node = s.get(m.ProcessNode, r.node_id)
                if node is not None and node.process_id != r.process_id:
                    r.node_id = None  # the step belonged to the old process
    return Change.of(s)


def rerate(ws: Workspace, rid: int, *, stage: str = "residual", note: str = "",
           on: dt.date | None = None, **ratings) -> Change:
    """Record a new rating (after actions): the risk's current values change and the rating is
    kept in its history (``risk_rating``)."""
    allowed = {"likelihood", "impact", "severity", "occurrence", "detection"}
    unknown = set(ratings) - allowed
    if unknown:
        raise RecordError(f"Unknown rating {', '.join(sorted(unknown))}.")
    if stage not in ("inherent", "residual"):
        raise RecordError("A rating is either inherent or residual.")
    target = {
        "likelihood": f"{stage}_likelihood", "impact": f"{stage}_impact",
        "severity": "severity", "occurrence": "occurrence", "detection": "detection"}
    clean = {k: validate(target[k], v) for k, v in ratings.items()}
    with ws.session() as s:
        r = s.get(m.Risk, rid)
        if r is None:
            raise RecordError(f"Risk {rid} no longer exists.")
        for k, v in clean.items():
            setattr(r, target[k], v)
        s.add(m.RiskRating(risk_id=rid, rated_on=on or dt.date.today(), stage=stage, note=note,
                           likelihood=getattr(r, f"{stage}_likelihood"),
                           impact=getattr(r, f"{stage}_impact"),
                           severity=r.severity, occurrence=r.occurrence, detection=r.detection))
    return Change.of(s)


@dataclass
class RatingRow:
    id: int
    rated_on: dt.date
    stage: str
    likelihood: int | None
    impact: int | None
    severity: int | None
    occurrence: int | None
    detection: int | None
    note: str


def rating_history(ws: Workspace, rid: int) -> list[RatingRow]:
    t = m.RiskRating
    with ws.connect() as c:
        return [RatingRow(rec[0], read_date(rec[1]), *rec[2:]) for rec in c.execute(
            select(t.id, type_coerce(t.rated_on, String), t.stage, t.likelihood, t.impact,
                   t.severity, t.occurrence, t.detection, t.note)
            .where(t.risk_id == rid).order_by(t.rated_on, t.id))]


# --------------------------------------------------------------------------- heat map


def heat_counts(rows: list[RiskRow], stage: str = "inherent") -> list[list[int]]:
    """5x5 counts, [likelihood-1][impact-1], of rated risks at ``stage``."""
    grid = [[0] * 5 for _ in range(5)]
    for r in rows:
        lk = getattr(r, f"{stage}_likelihood")
        im = getattr(r, f"{stage}_impact")
        if lk and im and 1 <= lk <= 5 and 1 <= im <= 5:
            grid[lk - 1][im - 1] += 1
    return grid


def overdue_summary(ws: Workspace, today: dt.date | None = None) -> dict[str, int]:
    """Counts for the dashboard: risks with an overdue review, overdue treatment actions."""
    today = today or dt.date.today()
    with ws.connect() as c:
        reviews = c.execute(select(func.count()).select_from(m.Risk).where(
            m.Risk.review_date < today, m.Risk.status != "closed")).scalar_one()
        acts = c.execute(select(func.count()).select_from(m.Action).where(and_(
            m.Action.risk_id.is_not(None), m.Action.due_date < today,
            m.Action.status.in_(("open", "in_progress"))))).scalar_one()
    return {"risk_reviews_overdue": reviews, "risk_actions_overdue": acts}


ProgressFn = Callable[[int, int], None]


def export_rows(rows: list[RiskRow]) -> list[dict]:
    """Rows as the field dicts the xlsx writer and the importer share."""
    out = []
    for r in rows:
        d = {n: getattr(r, n) for n in STORED if not n.endswith("_id") and n != "id"}
        d.update(score=r.inherent_score, level=r.inherent_level,
                 residual_score=r.residual_score, residual_level=r.residual_level,
                 rpn=r.rpn, ap=r.ap)
        out.append(d)
    return out



# --------------------------------------------------------------------------- import / export


@dataclass
class ImportRow:
    row_number: int
    status: str  # ok / warning / error
    messages: list[str]
    ref: str = ""
    action: str = ""  # "create" / "update" / "" (not imported)
    title: str = ""
    last_row: int = 0  # when merged cells spread the risk over several rows
    risk_ref: str = ""  # an action row's risk, by the ID it has in the file


@dataclass
class ImportReport:
    """The per-row report of :func:`import_risks`, with what the reader chose: the sheet,
    header row, column → field mapping (``columns``), the table of ratings read from text, the
    rows holding no risk (``skipped``) and the sheets passed over. ``change`` is the
    :class:`Change` of the commit (None when nothing was written)."""

    rows: list[ImportRow]
    dry_run: bool
    committed: bool = False
    created: int = 0
    updated: int = 0
    people_added: list[str] = field(default_factory=list)
    sheet: str = ""
    notes: list[str] = field(default_factory=list)
    header_row: int = 0
    columns: list[dict] = field(default_factory=list)
    ratings: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    passed_over: list[dict] = field(default_factory=list)
    skip_invalid: bool = False
    #: the workbook's "Treatment actions" sheet when it was read ("" when it has none) and
    #: its rows (``ref`` is the action's ID, ``risk_ref`` the ID of its risk in the file)
    action_sheet: str = ""
    action_rows: list[ImportRow] = field(default_factory=list)
    actions_created: int = 0
    actions_updated: int = 0
    #: rows whose values already match the workspace (nothing to write): not updates
    unchanged: int = 0
    actions_unchanged: int = 0
    #: rows refused because their ID already exists (``on_existing="error"``): risk rows and
    #: action rows; :attr:`clash_hint` says once what to do about them
    clashes: int = 0
    action_clashes: int = 0
    #: risk IDs named on the treatment-actions sheet that are neither in the file nor in the
    #: workspace (their rows are errors)
    unknown_risks: list[str] = field(default_factory=list)
    change: Any = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.status == "error") + \
            sum(1 for r in self.action_rows if r.status == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.rows if r.status == "warning") + \
            sum(1 for r in self.action_rows if r.status == "warning")

    @property
    def clash_hint(self) -> str:
        """What to do about rows whose ID already exists, said once for all of them ("" when
        there are none), in the import dialog's words."""
        n = self.clashes + self.action_clashes
        if not n:
            return ""
        return (f"{_count(n, 'row')} {'has' if n == 1 else 'have'} an ID that already exists "
                "in the workspace: choose “give new IDs” to import "
                f"{'it' if n == 1 else 'them'} under new IDs, or “update existing” to "
                f"overwrite the existing {'record' if n == 1 else 'records'} with "
                f"{'it' if n == 1 else 'them'}.")

    def summary(self, blocked: bool = True) -> str:
        """One sentence: "would …" only in a dry run, what was done after an import, and
        "nothing was imported" (with the reason) when nothing was. Rows that match the
        workspace already are "unchanged", not updates. ``blocked`` False leaves out why
        nothing would be imported (for a caller that says it once elsewhere)."""
        if not self.rows:
            return "No risk rows were found, so nothing was imported."

        def same(n: int) -> str:
            return f" ({n} unchanged)" if n else ""

        # the rows of the treatment-actions sheet count too (errors and warnings)
        rows = f"{len(self.rows)} rows" if not self.action_rows else \
            f"{len(self.rows)} risk rows and {_count(len(self.action_rows), 'action row')}"
        head = f"{rows}: {self.errors} with errors, {self.warnings} with warnings"
        if self.dry_run:
            head += (f"; would create {self.created} risks and update {self.updated}"
                     + same(self.unchanged))
            if self.action_rows:
                head += (f", create {self.actions_created} treatment actions and update "
                         f"{self.actions_updated}" + same(self.actions_unchanged))
            if self.errors and self.skip_invalid:
                if self.created + self.updated:
                    head += f"; the {self.errors} rows with errors would be skipped"
                elif blocked:
                    head += "; nothing would be imported because every row has an error"
            elif self.errors and blocked:
                head += "; nothing would be imported while a row has an error"
        elif self.committed:
            head += (f"; created {self.created} risks and updated {self.updated}"
                     + same(self.unchanged))
            if self.action_rows:
                head += (f", created {self.actions_created} treatment actions and updated "
                         f"{self.actions_updated}" + same(self.actions_unchanged))
            if self.errors:
                head += f"; the {self.errors} rows with errors were skipped"
        elif self.errors and self.skip_invalid:
            head += "; nothing was imported because every row has an error"
        elif self.errors:
            head += "; nothing was imported because of the errors"
        elif self.unchanged or self.actions_unchanged:
            head += "; nothing was imported: every row matches the workspace already"
        else:
            head += "; nothing was imported"
        return head + "."

    def actions_read(self, most: int = 10) -> str:
        """What the treatment-actions sheet held, in one line: its name, its rows, the risks
        they belong to and the rows in trouble ("" when the workbook has no such sheet)::

            sheet “Treatment actions”: 12 action rows for 7 risks (R-001 ×2, R-004, …)
        """
        if not self.action_sheet:
            return ""
        head = f"sheet “{self.action_sheet}”: "
        rows = self.action_rows
        if not rows:
            return head + ("no action rows read (it needs “Risk ID” and “Action” columns "
                           "and rows under them)")
        counts: dict[str, int] = {}
        unknown: dict[str, list[int]] = {ref: [] for ref in self.unknown_risks}
        for r in rows:
            if r.risk_ref in unknown:
                unknown[r.risk_ref].append(r.row_number)
            elif r.risk_ref:
                counts[r.risk_ref] = counts.get(r.risk_ref, 0) + 1
        refs = sorted(counts, key=natural_key)
        shown = [f"{ref} ×{counts[ref]}" if counts[ref] > 1 else ref for ref in refs[:most]]
        if len(refs) > most:
            shown.append(f"… {len(refs) - most} more")
        text = head + _count(len(rows), "action row") + " for " + _count(len(refs), "risk")
        if shown:
            text += f" ({', '.join(shown)})"
        no_ref = sum(1 for r in rows if not r.risk_ref)
        if no_ref:
            text += f", {no_ref} without a risk ID"
        if unknown:
            n = sum(map(len, unknown.values()))
            text += (f", {n} for {'a risk' if len(unknown) == 1 else 'risks'} in neither the "
                     "file nor the workspace ("
                     + ", ".join(f"{ref}: row{'s' if len(rows_) > 1 else ''} "
                                 + ", ".join(map(str, rows_[:most]))
                                 for ref, rows_ in sorted(unknown.items(),
                                                          key=lambda kv: natural_key(kv[0])))
                     + "; errors)")
        parts = []
        for status, what in (("error", "with errors"), ("skipped", "skipped with their risk"),
                             ("warning", "with warnings")):
            numbers = [r.row_number for r in rows if r.status == status]
            if numbers:
                parts.append(f"{len(numbers)} {what} ("
                             + ("row " if len(numbers) == 1 else "rows ")
                             + ", ".join(map(str, numbers[:most]))
                             + (", …" if len(numbers) > most else "") + ")")
        return text + ("; " + ", ".join(parts) if parts else "")

    def as_dict(self) -> dict[str, Any]:
        """Everything but the change, as plain data (the CLI's --json)."""
        from dataclasses import asdict

        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "change"}
        out["rows"] = [asdict(r) for r in self.rows]
        out["action_rows"] = [asdict(r) for r in self.action_rows]
        out["errors"], out["warnings"] = self.errors, self.warnings
        out["clash_hint"] = self.clash_hint
        out["summary"] = self.summary()
        return out


def import_risks(ws: Workspace, source, *, sheet=None, mapping: dict[int, str] | None = None,
                 options=None, dry_run: bool = False, on_existing: str = "error",
                 column_map=(), skip_invalid: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ImportReport:
    """Import a register (an opened ``TableSource`` or a path).

    Every row is checked first (the per-row report). Without ``skip_invalid`` the import is
    all or nothing: if any row has an error, or ``dry_run``, nothing is written; otherwise every
    row is written in one transaction. With ``skip_invalid`` the rows without errors are
    written in one transaction and the others are reported with their reasons. ``sheet`` None
    lets the reader choose the sheet; ``mapping`` None guesses the columns, and ``column_map``
    ("Column=field" texts) overrides single guesses. Process and step are matched by name (or
    process code); an unknown one is kept in the notes with a warning. Owners are matched by
    name; unknown owners are added to the people list (warning). ``on_existing``: a row whose
    ID already exists is an "error", an "update" of that risk, or "renumber": the row is
    imported under a new ID (the next free R-number) and keeps its own in the notes.
    """
    from .imports import risk_table as rt

    if on_existing not in ("error", "update", "renumber"):
        raise ValueError("on_existing must be 'error', 'update' or 'renumber'")
    if not hasattr(source, "rows"):
        source = rt.open_table(Path(source))
    if column_map:
        import dataclasses

        mapping, ignored = rt.resolve_columns(source, sheet, getattr(options, "header_row", None),
                                              mapping, column_map)
        if ignored:  # "Column=-": not imported at all, not even into the notes
            options = options or rt.ImportOptions()
            options = dataclasses.replace(
                options, ignore_columns=frozenset(options.ignore_columns) | frozenset(ignored))
    preview = rt.parse_rows(source, sheet, mapping, options)
    with ws.connect() as c:
        procs: dict[str, int] = {}
        for pid, name, code in c.execute(select(m.Process.id, m.Process.name, m.Process.code)):
            procs.setdefault(name.strip().casefold(), pid)
            if code:
                procs.setdefault(code.strip().casefold(), pid)
        steps: dict[tuple[int, str], int] = {}
        for nid, pid, name in c.execute(
                select(m.ProcessNode.id, m.ProcessNode.process_id, m.ProcessNode.name)):
            if name:
                steps.setdefault((pid, name.strip().casefold()), nid)
        people = {n.strip().casefold(): i for i, n in c.execute(select(m.Person.id, m.Person.name))}
        existing = {r: i for i, r in c.execute(select(m.Risk.id, m.Risk.ref)) if r}
        first_free = {"R-": int(next_free_ref(c, m.Risk.ref, "R-")[2:])}
        # what an "update" would write over, to tell an unchanged row from an update
        current = {row["id"]: row for row in c.execute(select(m.Risk.__table__)).mappings()} \
            if on_existing == "update" else {}
    # new IDs (rows without one, renumbered clashes) never repeat an ID of the workspace or
    # of the file
    taken = set(existing) | {(row.values.get("ref") or "").strip() for row in preview.rows}

    def new_ref(prefix: str = "R-") -> str:
        """The next free ID with ``prefix`` (a renumbered O-001 stays an O-number)."""
        if prefix not in first_free:
            with ws.connect() as c:
                first_free[prefix] = int(next_free_ref(c, m.Risk.ref, prefix)[len(prefix):])
        while f"{prefix}{first_free[prefix]:03d}" in taken:
            first_free[prefix] += 1
        ref = f"{prefix}{first_free[prefix]:03d}"
        taken.add(ref)
        return ref

    report = ImportReport(
        [], dry_run, sheet=preview.sheet, notes=list(preview.notes),
        header_row=preview.header_row, columns=preview.columns(),
        ratings=[column.as_dict() for column in preview.ratings],
        skipped=[{"row": s.row_number, "last_row": s.last_row or s.row_number,
                  "reason": s.reason} for s in preview.skipped],
        passed_over=[{"sheet": name, "reason": why} for name, why in preview.passed_over],
        skip_invalid=skip_invalid)
    planned: list[tuple[str, int | None, dict]] = []
    owner_names: dict[str, str] = {}  # unknown owners, by key
    for row in preview.rows:
        msgs = list(row.messages)
        status = row.status
        v = dict(row.values)
        out = ImportRow(row.row_number, status, msgs, ref=v.get("ref") or "",
                        title=v.get("title") or "", last_row=row.last_row or row.row_number)
        report.rows.append(out)
        if status == "error":
            continue
        values = {k: v[k] for k in v if k in EDITABLE}
        extra_notes = []
        pname = (v.get("process") or "").strip()
        pid = procs.get(pname.casefold()) if pname else None
        if pname and pid is None:
            msgs.append(f"process “{pname}” is not in the workspace: kept in the notes")
            extra_notes.append(f"Process: {pname}")
        values["process_id"] = pid
        sname = (v.get("step") or "").strip()
        nid = steps.get((pid, sname.casefold())) if (sname and pid) else None
        if sname and nid is None:
            msgs.append(f"step “{sname}” is not on that process map: kept in the notes")
            extra_notes.append(f"Step: {sname}")
        values["node_id"] = nid
        oname = (v.get("owner") or "").strip()
        if oname:
            if oname.casefold() in people:
                values["owner_id"] = people[oname.casefold()]
            else:
                if oname.casefold() not in owner_names:
                    owner_names[oname.casefold()] = oname
                    msgs.append(f"owner “{oname}” will be added to the people list")
                values["owner_id"] = ("new", oname.casefold())
        else:
            values["owner_id"] = None
        if extra_notes:
            values["notes"] = "\n".join(filter(None, [values.get("notes", ""), *extra_notes]))
        ref = values.get("ref") or ""
        rid = existing.get(ref) if ref else None
        if rid is not None and on_existing == "error":
            # what to do about it is said once for all such rows (clash_hint)
            msgs.append(f"ID {ref} already exists in the workspace")
            report.clashes += 1
            out.status = "error"
            continue
        if rid is not None and on_existing == "renumber":
            values["ref"] = out.ref = new_ref(_ref_prefix(ref))
            values["notes"] = "\n".join(filter(None, [values.get("notes", ""),
                                                      f"ID in the imported file: {ref}"]))
            msgs.append(f"ID {ref} already exists in the workspace: imported as {out.ref} (its "
                        "own ID is kept in the notes)")
            rid = None
        try:
            for k in list(values):
                if k != "owner_id":
                    values[k] = validate(k, values[k]) if k in EDITABLE else values[k]
        except RecordError as e:
            msgs.append(str(e))
            out.status = "error"
            continue
        if len(msgs) > len(row.messages) and out.status == "ok":
            out.status = "warning"
        out.action = "update" if rid is not None else "create"
        if rid is not None and _matches(current.get(rid), values):
            out.action = "unchanged"
        planned.append((out.action, rid, values))
    planned_actions = _plan_actions(ws, source, preview.sheet, report, planned, existing,
                                    people, owner_names, on_existing,
                                    dayfirst=getattr(options, "dayfirst", True))
    # only the owners of rows that are written join the people list
    new_people = {key: owner_names[key] for _, _, values in planned
                  if isinstance(values["owner_id"], tuple)
                  for key in [values["owner_id"][1]]}
    new_people.update({values["owner_id"][1]: owner_names[values["owner_id"][1]]
                       for _, _, _, values in planned_actions
                       if isinstance(values.get("owner_id"), tuple)})
    report.created = sum(1 for a, _, _ in planned if a == "create")
    report.updated = sum(1 for a, _, _ in planned if a == "update")
    report.unchanged = sum(1 for a, _, _ in planned if a == "unchanged")
    report.people_added = sorted(new_people.values())
    planned = [p for p in planned if p[0] != "unchanged"]
    planned_actions = [p for p in planned_actions if p[0] != "unchanged"]
    if dry_run or (report.errors and not skip_invalid) or not (planned or planned_actions):
        return report

    total = len(planned)
    with ws.session() as s:
        person_ids = {}
        for key, name in new_people.items():
            p = m.Person(name=name)
            s.add(p)
            s.flush()
            person_ids[key] = p.id
        for i, (action, rid, values) in enumerate(planned, 1):
            if cancelled and cancelled():
                raise RecordError("The import was cancelled; nothing was imported.")
            if isinstance(values.get("owner_id"), tuple):
                values["owner_id"] = person_ids[values["owner_id"][1]]
            if action == "update":
                r = s.get(m.Risk, rid)
                for k, val in values.items():
                    setattr(r, k, val)
            else:
                if not values.get("ref"):
                    values["ref"] = new_ref("R-")
                s.add(m.Risk(**values))
            if progress and (i % 200 == 0 or i == total):
                progress(i, total)
        if planned_actions:
            s.flush()
            risk_ids = dict(s.execute(select(m.Risk.ref, m.Risk.id)).all())
            for action, aid, risk_ref, values in planned_actions:
                if cancelled and cancelled():
                    raise RecordError("The import was cancelled; nothing was imported.")
                if isinstance(values.get("owner_id"), tuple):
                    values["owner_id"] = person_ids[values["owner_id"][1]]
                values["risk_id"] = risk_ids[risk_ref]
                if action == "update":
                    a = s.get(m.Action, aid)
                    for k in ("finding_id", "nonconformity_id", "review_id"):
                        setattr(a, k, None)
                    for k, val in values.items():
                        setattr(a, k, val)
                else:
                    s.add(m.Action(**values))
    report.committed = True
    report.change = Change.of(s, result=report)
    return report


def export_risks(ws: Workspace, path: Path | str, *, with_heatmap: bool = True,
                 today: dt.date | None = None) -> Path:
    """The formatted .xlsx register (with the inherent heat map and the audit head hash)."""
    from .exports.risks_xlsx import write_risk_register

    rows = list_risks(ws, today)
    banding = get_banding(ws)
    png = None
    if with_heatmap:
        try:
            from .exports.risk_charts import heatmap_png
        except ImportError:  # charts module not available: export without the picture
            heatmap_png = None
        if heatmap_png is not None:
            png = heatmap_png(rows, banding, "both")
    from .audit_trail import head_stamp

    head, n = head_stamp(ws)
    return write_risk_register(Path(path), export_rows(rows), banding,
                               head_hash=head, head_event=n, heatmap_png=png,
                               actions=export_actions(ws, today))


def export_actions(ws: Workspace, today: dt.date | None = None) -> list[dict]:
    """The treatment actions of every risk, as the xlsx writer's dicts (``risk_ref`` links
    each to its risk), by risk ID and then soonest due."""
    from .actions import list_actions

    rows = [a for a in list_actions(ws, today) if a.source_kind == "risk"]
    rows.sort(key=lambda a: (natural_key(a.source_ref), a.due_date is None,
                             a.due_date or dt.date.min, a.ref))
    return [{"risk_ref": a.source_ref, "ref": a.ref, "title": a.title, "owner": a.owner,
             "due_date": a.due_date, "status": a.status, "completed_on": a.completed_on,
             "effectiveness_check": a.effectiveness_check,
             "effectiveness_due": a.effectiveness_due, "effective": a.effective,
             "kind": a.kind, "description": a.description} for a in rows]


def natural_key(text: str) -> tuple:
    """"R-10" after "R-9": digits compare as numbers."""
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", text or "") if part)


def _plan_actions(ws: Workspace, source, sheet, report: ImportReport, planned: list,
                  existing: dict[str, int], people: dict[str, int], owner_names: dict[str, str],
                  on_existing: str, *, dayfirst: bool = True
                  ) -> list[tuple[str, int | None, str, dict]]:
    """The treatment actions of a workbook exported by the register ("Treatment actions"
    sheet): each checked and linked to its risk by risk ID (a risk of the file, as imported,
    or of the workspace); their rows join ``report.action_rows``. Returns (action, action id,
    risk ID, values) to write. An action whose ID exists is an error, an update or imported
    under a new ID, as ``on_existing`` says for risks. Dates are read as on the Risks sheet
    (``dayfirst``, the same warnings). An action row names the risk it will belong to by the
    ID that risk gets (a renumbered risk's new ID)."""
    from . import actions as acts
    from .imports import risk_table as rt

    if getattr(source, "format", "") != "xlsx":
        return []
    name = rt.action_sheet(source)
    if name is None or name == sheet:
        return []
    report.action_sheet = name
    rows = rt.read_actions(source, name, dayfirst=dayfirst)
    if not rows:
        return []
    # a risk of the file is known by the ID it had in the file (renumbered ones included)
    file_refs: dict[str, str | None] = {}
    for out in report.rows:
        if out.status == "error":
            file_refs.setdefault(_file_ref(out), None)
    for (action, _rid, values), out in zip(planned, [r for r in report.rows
                                                     if r.status != "error" and r.action]):
        file_refs[_file_ref(out)] = values.get("ref") or None
    with ws.connect() as c:
        taken = {r: i for i, r in c.execute(select(m.Action.id, m.Action.ref)) if r}
        first_free = int(next_free_ref(c, m.Action.ref, "A-")[2:])
        current = {row["id"]: row for row in c.execute(select(m.Action.__table__)).mappings()} \
            if on_existing == "update" else {}
    in_file = {(row.values.get("ref") or "").strip() for row in rows}
    used = set(taken) | in_file
    out_rows: list[tuple[str, int | None, str, dict]] = []
    for row in rows:
        v = row.values
        ref = (v.get("ref") or "").strip()
        msgs = list(row.errors)
        item = ImportRow(row.row_number, "error" if msgs else "ok", msgs, ref=ref,
                         title=(v.get("title") or "").strip(),
                         risk_ref=str(v.get("risk_ref") or "").strip())
        report.action_rows.append(item)
        risk_ref = item.risk_ref
        if risk_ref and risk_ref not in file_refs and risk_ref not in existing:
            if risk_ref not in report.unknown_risks:
                report.unknown_risks.append(risk_ref)
            if not msgs:
                msgs.append(f"risk {risk_ref} is neither in the file nor in the workspace")
                item.status = "error"
        if msgs:
            continue
        msgs.extend(row.warnings)
        if risk_ref in file_refs:
            target = file_refs[risk_ref]
            if target is None:
                msgs.append(f"its risk {risk_ref} is not imported, so the action is not either")
                item.status = "skipped"  # the risk's row carries the error
                continue
            item.risk_ref = target  # the ID the risk is imported under (renumbered or not)
        else:
            target = risk_ref
        values: dict[str, Any] = {}
        try:
            for key in ("title", "description", "kind", "status", "due_date", "completed_on",
                        "effectiveness_check", "effectiveness_due", "effective"):
                if key in v:
                    values[key] = acts.clean_value(key, v[key])
        except RecordError as exc:
            msgs.append(str(exc).rstrip("."))
            item.status = "error"
            continue
        if values.get("status") not in acts.FINISHED and (values.get("completed_on")
                                                            or values.get("effective") is not None):
            msgs.append("an action that is not done has no completion date or verdict")
            item.status = "error"
            continue
        owner = (v.get("owner") or "").strip()
        if owner:
            key = owner.casefold()
            if key in people:
                values["owner_id"] = people[key]
            else:
                if key not in owner_names:
                    owner_names[key] = owner
                    msgs.append(f"owner “{owner}” will be added to the people list")
                values["owner_id"] = ("new", key)
        else:
            values["owner_id"] = None
        aid = taken.get(ref) if ref else None
        if aid is not None and on_existing == "error":
            # what to do about it is said once for all such rows (clash_hint)
            msgs.append(f"action ID {ref} already exists in the workspace")
            report.action_clashes += 1
            item.status = "error"
            continue
        if not ref or (aid is not None and on_existing == "renumber"):
            while f"A-{first_free:03d}" in used:
                first_free += 1
            new = f"A-{first_free:03d}"
            used.add(new)
            if ref:
                msgs.append(f"action ID {ref} already exists in the workspace: imported as {new}")
            item.ref = ref = new
            aid = None
        values["ref"] = ref
        if msgs and item.status == "ok":
            item.status = "warning"
        item.action = "update" if aid is not None else "create"
        if aid is not None and target in existing and _matches(
                current.get(aid), {**values, "risk_id": existing[target], "finding_id": None,
                                   "nonconformity_id": None, "review_id": None}):
            item.action = "unchanged"
        out_rows.append((item.action, aid, target, values))
    report.actions_created = sum(1 for a, *_ in out_rows if a == "create")
    report.actions_updated = sum(1 for a, *_ in out_rows if a == "update")
    report.actions_unchanged = sum(1 for a, *_ in out_rows if a == "unchanged")
    return out_rows


def _ref_prefix(ref: str) -> str:
    """The prefix of an ID ("O-" of "O-001"); "R-" when it has no number at its end."""
    import re

    found = re.match(r"^(.*\D)\d+$", ref.strip())
    return found.group(1) if found else "R-"


def _matches(stored: Any, values: Mapping[str, Any]) -> bool:
    """Whether a stored row (a mapping, None when unknown) holds ``values`` already (an empty
    text is no value); an owner still to be added to the people list never matches."""
    if stored is None:
        return False
    for key, value in values.items():
        if isinstance(value, tuple):
            return False
        old = stored.get(key)
        if value in (None, "") and old in (None, ""):
            continue
        if old != value:
            return False
    return True


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _file_ref(row: ImportRow) -> str:
    """The ID a risk row had in the file (a renumbered row keeps it in its message)."""
    import re

    for msg in row.messages:
        found = re.match(r"ID (.+?) already exists in the workspace: imported as ", msg)
        if found:
            return found.group(1)
    return row.ref
