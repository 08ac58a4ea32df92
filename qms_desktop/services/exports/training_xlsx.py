"""The training matrix and a person's training record as formatted .xlsx workbooks.

* :func:`write_matrix_xlsx`: a "Matrix" sheet (people × required courses, the name columns and
  the header row frozen, course headers turned 90°, each cell a symbol and its date — "✓
  2027-03-01", "○ missing" — so it reads without colour, coloured per status by one
  conditional format per symbol: a style on each cell would double the export's time), a
  legend below the matrix (within the name columns, which print on every page) and on the
  "Summary" sheet, which also holds the compliance per department and per course, and a
  "Records" sheet: one row per required cell with the latest completion (the one the status
  judges) and its trainer, and the status's date (expiry or deadline) and what it means, the
  dates as real dates, flush left, under an autofilter, its status column coloured by the
  same conditional formats: below its header no cell has a font, fill or border of its own
  (the dates share one style), so the sheet costs about what a bare write-only loop over the
  same values costs. Every style names the body's font family (:data:`FONT_NAME`).
* :func:`write_record_xlsx`: one person's details, roles, each required course with its status
  and why it is required, and their full history (every cell of a table row top-aligned), and
  a legend naming each status once.

Every text goes through :mod:`~qms_desktop.services.exports.cells` (a name such as ``=1+1`` or
``＠SUM(A1)`` is stored as quoted plain text, never as a formula). The audit-trail head and its
event number (``audit head HASH @ event N``, as ``qms verify --expect`` takes it) are printed
in the page footer and on the sheets.

Written in openpyxl's write-only (streaming) mode; openpyxl is imported lazily. Reading the
workspace for a person's record (:func:`load_record`, :func:`person_id_by_ref`) is plain SQL
through the training service, no Qt.
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Any, Sequence

from ...core import training as rules
from ...core.palette import TRAINING_COLOURS, hex6
from ..audit_trail import stamp_text
from .cells import FORMULA_STARTS, MAX_CELL_TEXT, clean_text, needs_protection
from .risks_xlsx import _check_target, _discard, _footer_text, save_atomically

__all__ = ["FONT_NAME", "PersonRecord", "cell_text", "export_matrix", "export_record",
           "fit_course_headers", "load_record", "person_id_by_ref", "status_colours",
           "wrap_lines", "write_matrix_xlsx", "write_record_xlsx"]

#: what each status means, for the legend (the symbol and label come from core/training.py)
MEANINGS = {
    rules.CURRENT: "trained; the date is the expiry (none: valid for good)",
    rules.EXPIRING: "trained, but it expires within the window; the date is the expiry",
    rules.DUE: "not yet trained, still within the grace period; the date is the deadline",
    rules.RETRAIN: "the procedure or course was revised since; the date is when it became due",
    rules.EXPIRED: "the training expired on the date shown",
    rules.MISSING: "required and never completed",
    rules.NOT_REQUIRED: "not required for this person",
}
#: the one font family of every cell (openpyxl's default for unstyled cells): a style without
#: a font name is shown in the office suite's default font (a serif in LibreOffice)
FONT_NAME = "Calibri"
_NAME_COLUMNS = (("Name", 26), ("Employee no.", 12), ("Department", 21))
_COURSE_WIDTH = 13.5
_PAPER_A4 = 9
_FIRST_DATA_ROW = 3
#: first characters after which :func:`needs_protection` must look closer: formula starts,
#: "#" (error values) and every blank that could hide a formula start
_RISKY_FIRST = FORMULA_STARTS | frozenset("# \u00a0\u1680\u202f\u205f\u3000\ufeff") | frozenset(
    chr(c) for c in range(0x2000, 0x200C))  # row 1: title and audit head, row 2: headers


def _font(**kw: Any) -> Any:
    """A font of :data:`FONT_NAME` (11 pt unless ``size`` is given)."""
    from openpyxl.styles import Font

    kw.setdefault("size", 11)
    return Font(name=FONT_NAME, **kw)


def status_colours(status: str) -> tuple[str, str] | None:
    """(fill, text) as RRGGBB for a status on paper (None: no fill)."""
    pair = TRAINING_COLOURS[False].get(status)
    return None if pair is None else (hex6(pair[0]), hex6(pair[1]))


def cell_text(status: str, date: dt.date | None) -> str:
    """What one matrix cell says: the status's symbol and its date, or its label when there is
    no date ("✓ 2027-03-01", "○ missing", "✓ current" for a course valid for good)."""
    if status == rules.NOT_REQUIRED:
        return ""
    tail = date.isoformat() if date is not None else rules.LABELS[status]
    return f"{rules.SYMBOLS[status]} {tail}"


def course_heading(course: Any) -> str:
    """A course's column title: its code and title ("QP-04 Calibration")."""
    if course.code and course.title:
        return f"{course.code} {course.title}"
    return course.code or course.title


# --------------------------------------------------------------------------- a person's record

@dataclass(frozen=True)
class RoleHeld:
    role: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class RequiredCourse:
    course: Any  # services.training.CourseInfo
    status: str
    date: dt.date | None
    latest: Any  # services.training.RecordInfo or None
    reasons: tuple  # services.training.Reason


@dataclass(frozen=True)
class PersonRecord:
    """Everything a person's training record shows, read once."""

    today: dt.date
    window_days: int
    person: Any  # services.training.PersonInfo (``roles``: held today)
    email: str
    active: bool
    left_on: dt.date | None
    roles: tuple[RoleHeld, ...]  # every assignment, current and past
    required: tuple[RequiredCourse, ...]
    history: tuple[tuple[Any, Any], ...]  # (RecordInfo, CourseInfo or None), newest first


def person_id_by_ref(ws: Any, ref: str) -> int:
    """A person by id, employee number or exact name (command-line arguments); a
    ``RecordError`` with one sentence when there is none or several."""
    from ..records import RecordError

    text = " ".join(str(ref).split())
    with ws.connect() as c:
        rows = c.exec_driver_sql("SELECT id, name, employee_no FROM person").fetchall()
    if text.isdigit():
        got = [r[0] for r in rows if r[0] == int(text)]
        if got:
            return got[0]
    for key in (lambda r: (r[2] or "").strip(), lambda r: " ".join((r[1] or "").split())):
        got = [r[0] for r in rows if key(r) == text]
        if len(got) == 1:
            return got[0]
        if len(got) > 1:
            raise RecordError(f"Several people match “{text}”; give their id or employee "
                              "number instead.")
    folded = text.casefold()
    got = [r[0] for r in rows if " ".join((r[1] or "").split()).casefold() == folded]
    if len(got) == 1:
        return got[0]
    if len(got) > 1:
        raise RecordError(f"Several people are called “{text}”; give their id or employee "
                          "number instead.")
    raise RecordError(f"There is no person “{text}” in this workspace (give an id, an "
                      "employee number or the exact name).")


def load_record(ws: Any, person_id: int, today: dt.date | None = None,
                window: int | None = None) -> PersonRecord:
    """The training record of ``person_id`` (leavers included) on ``today``."""
    from .. import training
    from ..records import RecordError

    today = today or dt.date.today()
    mx = training.load_matrix(ws, today, window, include_leavers=True, person_ids=[person_id])
    if person_id not in mx.row_of:
        raise RecordError("That person is no longer in the workspace.")
    i = mx.row_of[person_id]
    person = mx.people[i]
    required = []
    for j, c in enumerate(mx.courses):
        s = mx.status[i][j]
        if s == rules.NOT_REQUIRED:
            continue
        key = (person_id, c.id)
        required.append(RequiredCourse(c, s, mx.dates[i][j], mx.latest.get(key),
                                       mx.reasons.get(key, ())))
    with ws.connect() as conn:
        q = conn.exec_driver_sql
        email, active, left_on = q("SELECT email, active, left_on FROM person WHERE id = ?",
                                   (person_id,)).fetchone()
        held = q("SELECT r.name, pr.valid_from, pr.valid_to FROM person_role pr "
                 "JOIN role r ON r.id = pr.role_id WHERE pr.person_id = ?",
                 (person_id,)).fetchall()
    roles = sorted((RoleHeld(r or "", training._day(a), training._day(b)) for r, a, b in held),
                   key=lambda h: (h.valid_from or dt.date.min, h.role.casefold()))
    courses = {c.id: c for c in training.courses(ws)}
    history = tuple((r, courses.get(r.course_id)) for r in training.history(ws, person_id))
    return PersonRecord(today, mx.window_days, person, email or "", bool(active),
                        training._day(left_on), tuple(roles), tuple(required), history)


# --------------------------------------------------------------------------- writing helpers

class _Sheet:
    """Cells for one write-only sheet: text always as plain text (quoted when it could be
    read as a formula), one style object per distinct style (a styled cell then costs a
    small object, not a style lookup per attribute)."""

    def __init__(self, sheet: Any, shared: dict | None = None):
        """``shared``: the style cache of another sheet of the same workbook (styles belong to
        the workbook: a style made once serves every sheet)."""
        from openpyxl.cell import WriteOnlyCell

        self.sheet = sheet
        self._cell = WriteOnlyCell
        self._styles: dict[tuple, tuple[Any, tuple]] = {} if shared is None else shared

    def style_of(self, style: dict[str, Any]) -> Any:
        """The shared style array for ``style`` (font=…, fill=…, alignment=…, border=…);
        never changed once made."""
        key = tuple(sorted((k, id(v)) for k, v in style.items()))
        got = self._styles.get(key)
        if got is None:
            cell = self._cell(self.sheet)
            for k, v in style.items():
                setattr(cell, k, v)
            got = self._styles[key] = (cell._style, tuple(style.values()))  # (keep them alive)
        return got[0]

    def text(self, value: Any, **style: Any) -> Any:
        if (not style and type(value) is str and value and value[0] not in _RISKY_FIRST
                and value.isprintable() and len(value) <= MAX_CELL_TEXT):
            return value  # the common case, decided in C: no formula, no control character
        if value is None:
            value = ""
        if not isinstance(value, str):
            value = str(value)
        if not value and not style:
            return None
        value = clean_text(value)
        if len(value) > MAX_CELL_TEXT:
            value = value[:MAX_CELL_TEXT - 1] + "…"
        protect = needs_protection(value)
        if not style and not protect:
            return value  # a plain string: openpyxl keeps it as text (it starts with no "=")
        cell = self._cell(self.sheet)
        cell._value = value
        cell.data_type = "s"  # never "f"
        if style:
            cell._style = self.style_of(style)
        if protect:
            cell._style = copy(cell._style)  # (the shared array stays as it is)
            cell.quotePrefix = True  # Excel keeps it as text when the cell is edited
        return cell

    def value(self, value: Any, **style: Any) -> Any:
        """A number or a date (never text: that goes through :meth:`text`)."""
        if isinstance(value, dt.date):
            style = dict(style, number_format="yyyy-mm-dd")
        elif not isinstance(value, (int, float)) and value is not None:
            raise TypeError("text goes through _Sheet.text")
        if not style:
            return value  # a plain number: nothing to add
        cell = self._cell(self.sheet, value=value)
        cell._style = self.style_of(style)
        return cell


def _page_setup(sheet: Any, *, landscape: bool, title: str, stamp: str,
                generated_at: dt.datetime) -> None:
    sheet.page_setup.paperSize = _PAPER_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    sheet.oddHeader.left.text = _footer_text(title)
    for part in (sheet.oddHeader.left, sheet.oddHeader.right, sheet.oddFooter.left,
                 sheet.oddFooter.right):
        part.font = FONT_NAME
    sheet.oddHeader.right.text = "Page &P of &N"
    # the full stamp is long: small type, alone on the left, so nothing overlaps it
    sheet.oddFooter.left.text = _footer_text(stamp)
    sheet.oddFooter.left.size = 7
    sheet.oddFooter.right.text = _footer_text(f"Exported {generated_at:%Y-%m-%d %H:%M} UTC")
    sheet.oddFooter.right.size = 7


def _save(workbook: Any, path: Path) -> Path:
    """Save to a temporary name, then move into place. Deflate at level 1: the file is a few
    per cent larger than at openpyxl's default level and written in a third of the time."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    def write(tmp: Path) -> None:
        with ZipFile(tmp, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
            workbook.properties.modified = dt.datetime.now(dt.timezone.utc).replace(
                tzinfo=None)
            ExcelWriter(workbook, archive).write_data()

    return save_atomically(workbook, path, write)


def _legend_rows(w: _Sheet, styles: dict, bold: Any) -> list[list[Any]]:
    """The legend: one row per status, its symbol and label once (coloured as in the
    matrix), then what it means."""
    from openpyxl.styles import Alignment

    rows = [[w.text("Legend", font=bold)]]
    clear = Alignment(horizontal="left", indent=1)  # (clear of the coloured key)
    for s in rules.STATUSES:
        key = (w.text("(blank)") if s == rules.NOT_REQUIRED
               else w.text(f"{rules.SYMBOLS[s]} {rules.LABELS[s]}", **styles[s]))
        rows.append([key, w.text(MEANINGS[s], alignment=clear)])
    return rows


def _status_styles(Font: Any, PatternFill: Any, Alignment: Any, Border: Any,
                   Side: Any) -> dict[str, dict[str, Any]]:
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center")
    out = {}
    for s in rules.STATUSES:
        pair = status_colours(s)
        if pair is None:
            continue
        fill, ink = pair
        out[s] = {"fill": PatternFill("solid", fgColor=fill, bgColor=fill),
                  "font": _font(color=ink, bold=s in rules.OVERDUE),
                  "alignment": centre, "border": border}
    return out


def _stamp(head_hash: str, head_event: int | None) -> str:
    return stamp_text(head_hash, head_event) if head_event is not None else \
        f"audit head {head_hash}"


# --------------------------------------------------------------------------- the matrix

#: course headers: bold type of this size, turned 90°, at most this many lines across a
#: course column (13.5 characters ≈ 74 pt; a line of 10 pt text takes 12 to 13 pt)
_HEAD_SIZE = 10
_HEAD_LINES = 5
#: average advance of a character as a share of the type size, wide enough for the fonts an
#: office suite falls back on when Calibri is missing (DejaVu Sans Bold: about 0.6)
_HEAD_EM = 0.65
_HEAD_PAD = 10.0  # points kept free at the ends of a rotated label
_HEAD_MIN, _HEAD_MAX = 60.0, 160.0  # header row height in points (the cap keeps rows on paper)
#: the legend below the matrix: its explanations wrap within columns B:C (the name columns,
#: printed on every page), about this many 11 pt characters a line; short, one line each, so
#: that the legend stays on the page of the people above it (the full meanings are on the
#: Summary sheet)
_LEGEND_LINE = 34
_LINE_PT = 15.0
SHORT_MEANINGS = {
    rules.CURRENT: "trained; date: expiry (if any)",
    rules.EXPIRING: "trained, expiring; date: expiry",
    rules.DUE: "not yet trained; date: deadline",
    rules.RETRAIN: "revised since; date: due since",
    rules.EXPIRED: "expired on the date shown",
    rules.MISSING: "never completed; date: deadline",
    rules.NOT_REQUIRED: "not required for this person",
}
#: what the date of a status is, on the Records sheet
DATE_MEANS = {
    rules.CURRENT: "expiry",
    rules.EXPIRING: "expiry",
    rules.DUE: "deadline",
    rules.RETRAIN: "due since",
    rules.EXPIRED: "expired on",
    rules.MISSING: "deadline",
}
#: (the Title column holds a "Read and understood: QP-04 Control of nonconforming product"
#: whole: a cell with a neighbour is cut at its edge, and a wrapping style per cell would cost
#: more than the rest of the sheet). "Completed": the latest completion, the one the status
#: judges, and its trainer; "Expires / due": the status's date, and "Meaning" what that date
#: is. The dates are flush left (indented by one, clear of the coloured status) in columns a
#: few characters wider than a date, so that a date never runs into the text to its right.
_RECORD_COLUMNS = (("Name", 26), ("Employee no.", 12), ("Department", 21), ("Course", 12),
                   ("Title", 62), ("Status", 17), ("Completed", 14), ("Trainer", 26),
                   ("Expires / due", 14), ("Meaning", 12))


def wrap_lines(text: str, per_line: int) -> list[str]:
    """``text`` broken at blanks into lines of at most ``per_line`` characters (a longer word
    is cut), as a spreadsheet wraps a cell."""
    per_line = max(1, per_line)
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > per_line:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        if not word:
            continue
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= per_line:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


def _abbreviate(text: str, per_line: int, lines: int) -> str:
    """The longest start of ``text``, ended with "…", that wraps into ``lines`` lines."""
    k = min(len(text), per_line * lines)
    while k > 0:
        short = text[:k].rstrip() + "…"
        if len(wrap_lines(short, per_line)) <= lines:
            return short
        k -= 1
    return "…"


def fit_course_headers(labels: Sequence[str], *, size: float = _HEAD_SIZE,
                       lines: int = _HEAD_LINES, cap: float = _HEAD_MAX
                       ) -> tuple[float, list[str]]:
    """The header row height (points) at which every rotated label fits in ``lines`` lines,
    and the labels as written: those that would need more than ``cap`` points are shortened
    with "…" (the full course title is on the Summary and Records sheets)."""
    advance = _HEAD_EM * size
    most = max(1, int((cap - _HEAD_PAD) / advance))  # characters a line at the cap
    need = 1
    out = list(labels)
    for k, label in enumerate(labels):
        # the fewest characters a line with which the label wraps into ``lines`` lines
        per_line = max(need + 1, -(-len(label) // lines))
        if per_line > most:
            per_line = most
        while per_line <= most and len(wrap_lines(label, per_line)) > lines:
            per_line += 1
        if per_line > most:
            out[k] = _abbreviate(label, most, lines)
            per_line = most
        need = max(need, per_line)
    height = min(cap, max(_HEAD_MIN, need * advance + _HEAD_PAD))
    return round(height, 1), out


def write_matrix_xlsx(matrix: Any, path: str | Path, *, head_hash: str,
                      head_event: int | None = None, title: str = "Training matrix",
                      generated_at: dt.datetime | None = None, records: bool = True) -> Path:
    """Write ``matrix`` (a ``services.training.Matrix``) to a formatted .xlsx at ``path``:
    the "Matrix" sheet, the "Summary" sheet and (``records``) the "Records" sheet, one row per
    required cell with its date as a date, to sort and filter.

    Written to a temporary name first and moved into place: a failed export never leaves a
    half-written file. Raises the app's one-sentence error when the file cannot be written."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.dimensions import ColumnDimension

    path = Path(path)
    _check_target(path)
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    stamp = _stamp(head_hash, head_event)
    courses = matrix.courses
    people = matrix.people

    workbook = Workbook(write_only=True)
    try:
        sheet = workbook.create_sheet("Matrix")
        summary_sheet = workbook.create_sheet("Summary")  # written last, from the tallies
        w = _Sheet(sheet)
        bold = _font(bold=True)
        styles = _status_styles(Font, PatternFill, Alignment, Border, Side)
        # conditional formats change colours only (a font name there is not allowed in Excel)
        marks = {s: (style["fill"], Font(color=style["font"].color, bold=style["font"].b),
                     style["border"]) for s, style in styles.items()}
        head_fill = PatternFill("solid", fgColor="1F4E78", bgColor="1F4E78")
        head_font = _font(bold=True, color="FFFFFF", size=_HEAD_SIZE)
        rotated = Alignment(text_rotation=90, wrap_text=True, horizontal="center",
                            vertical="bottom")
        name_head = Alignment(vertical="bottom", wrap_text=True)
        for index, (_, width) in enumerate(_NAME_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        n_fixed = len(_NAME_COLUMNS)
        if courses:  # one <col> element for every course column
            sheet.column_dimensions[get_column_letter(n_fixed + 1)] = ColumnDimension(
                sheet, index=get_column_letter(n_fixed + 1), min=n_fixed + 1,
                max=n_fixed + len(courses), width=_COURSE_WIDTH)
        height, headings = fit_course_headers([course_heading(c) for c in courses])
        sheet.row_dimensions[2].height = height
        first_course = get_column_letter(n_fixed + 1)
        sheet.freeze_panes = f"{first_course}{_FIRST_DATA_ROW}"
        _page_setup(sheet, landscape=True, title=title, stamp=stamp, generated_at=generated_at)
        sheet.page_setup.scale = 70
        sheet.print_title_rows = "2:2"
        sheet.print_title_cols = f"A:{get_column_letter(n_fixed)}"
        sheet.print_options.gridLines = False

        # (the audit head is in the page footer and on the Summary sheet: here it would run
        # off the first printed page)
        sheet.append([w.text(f"{title} on {matrix.today.isoformat()} (expiring window "
                             f"{matrix.window_days} days)", font=_font(bold=True, size=12))])
        sheet.append([w.text(h, font=head_font, fill=head_fill, alignment=name_head)
                      for h, _ in _NAME_COLUMNS]
                     + [w.text(h, font=head_font, fill=head_fill, alignment=rotated)
                        for h in headings])

        rec = None
        if records:
            rec_sheet = workbook.create_sheet("Records")
            rec = _Sheet(rec_sheet, w._styles)
            _records_head(rec, rec_sheet, title=title, stamp=stamp, generated_at=generated_at,
                          font=head_font, fill=head_fill,
                          alignment=Alignment(vertical="bottom", wrap_text=True))
            course_cells = [(rec.text(c.code or c.title), rec.text(c.title if c.code else ""))
                            for c in courses]
            # (status, what its date is, what no date means)
            status_cells = {s: (rec.text(f"{rules.SYMBOLS[s]} {rules.LABELS[s]}"),
                                rec.text(DATE_MEANS[s]),
                                rec.text("no expiry") if s in rules.COMPLIANT else None)
                            for s in DATE_MEANS}
            append_record = rec_sheet.append
            course_ids = [c.id for c in courses]
            latest_of = matrix.latest.get
            trainers: dict[str, Any] = {}  # trainer → its cell, made once
            # a date flush left (one shared style; the cell made here costs what openpyxl's
            # own cell for a date costs)
            date_style = rec.style_of({"number_format": "yyyy-mm-dd",
                                       "alignment": Alignment(horizontal="left",
                                                              indent=1)})
            date_cell = rec._cell

            def day(d: dt.date | None) -> Any:
                if d is None:
                    return None
                cell = date_cell(rec_sheet)
                cell._style = date_style
                cell._value = d
                cell.data_type = "d"
                return cell

        # Each status cell is plain text ("✓ 2027-03-01"); its colours come from one
        # conditional format per status on the first character, the symbol (a style per
        # cell would double the export's time; the text reads the same without colour).
        texts: dict[tuple[str, Any], str] = {}
        nr = rules.NOT_REQUIRED
        blank = [None] * len(courses)
        columns = range(len(courses))
        # the summary's tallies, counted on the way (only required cells are visited)
        compliant = frozenset(rules.COMPLIANT)
        counts = dict.fromkeys(rules.STATUSES, 0)
        col_ok = [0] * len(courses)
        col_req = [0] * len(courses)
        per_dept: dict[str, list[int]] = {}
        for i, p in enumerate(people):
            srow, drow = matrix.status[i], matrix.dates[i]
            who = [w.text(p.name), w.text(p.employee_no), w.text(p.department)]
            row: list[Any] = who + blank
            if rec is not None:  # (a styled cell belongs to one sheet)
                rec_who = [rec.text(p.name), rec.text(p.employee_no), rec.text(p.department)]
            ok = req = 0
            for j in compress(columns, map(nr.__ne__, srow)):  # the required cells
                s = srow[j]
                key = (s, drow[j])
                value = texts.get(key)
                if value is None:
                    value = texts[key] = cell_text(*key)
                row[n_fixed + j] = value  # a symbol first: never read as a formula
                counts[s] += 1
                col_req[j] += 1
                req += 1
                if s in compliant:
                    col_ok[j] += 1
                    ok += 1
                if rec is not None:
                    status_cell, means, undated = status_cells[s]
                    d = drow[j]
                    done = latest_of((p.id, course_ids[j]))
                    if done is None:
                        done_cells = [None, None]
                    else:
                        trainer = trainers.get(done.trainer)
                        if trainer is None and done.trainer:
                            trainer = trainers[done.trainer] = rec.text(done.trainer)
                        done_cells = [day(done.completed_on), trainer]
                    append_record(rec_who + [*course_cells[j], status_cell, *done_cells,
                                             day(d), means if d is not None else undated])
            dept = per_dept.setdefault(p.department or "(no department)", [0, 0])
            dept[0] += ok
            dept[1] += req
            sheet.append(row)
        last_row = _FIRST_DATA_ROW + len(people) - 1
        if courses and people:
            area = (f"{first_course}{_FIRST_DATA_ROW}:"
                    f"{get_column_letter(n_fixed + len(courses))}{last_row}")
            _symbol_colours(sheet, area, f"{first_course}{_FIRST_DATA_ROW}", marks,
                            FormulaRule)
        sheet.append([])
        _matrix_legend(w, sheet, styles, bold, first_row=last_row + 2,
                       records=rec is not None, Alignment=Alignment)
        if rec is not None:
            n = sum(counts.values())
            last = get_column_letter(len(_RECORD_COLUMNS))
            rec_sheet.auto_filter.ref = f"A1:{last}{n + 1}"
            if n:
                _symbol_colours(rec_sheet, f"F2:F{n + 1}", "F2", marks, FormulaRule)
        tallies = (counts, [(k, v[0], v[1]) for k, v in sorted(per_dept.items()) if v[1]],
                   list(zip(col_ok, col_req)))
        _write_summary(summary_sheet, _Sheet(summary_sheet, w._styles), matrix, tallies,
                       title=title, stamp=stamp, generated_at=generated_at, styles=styles,
                       bold=bold, Alignment=Alignment)
    except BaseException:
        _discard(workbook)
        raise
    return _save(workbook, path)


def _symbol_colours(sheet: Any, area: str, first: str, marks: dict, FormulaRule: Any) -> None:
    """One conditional format per status over ``area``, keyed on the cell's first character
    (its symbol)."""
    for s, (fill, font, border) in marks.items():
        sheet.conditional_formatting.add(area, FormulaRule(
            formula=[f'LEFT({first},1)="{rules.SYMBOLS[s]}"'], fill=fill, font=font,
            border=border, stopIfTrue=True))


def _matrix_legend(w: _Sheet, sheet: Any, styles: dict, bold: Any, *, first_row: int,
                   records: bool, Alignment: Any) -> None:
    """The legend below the matrix, kept within the name columns A:C (printed on every page:
    text running on into the course columns would be cut on the second and later pages):
    the symbol in A, its explanation wrapped across B:C (a streamed row gets its height
    before it is written)."""
    top = Alignment(vertical="top", wrap_text=True)
    r = first_row
    sheet.append([w.text("Legend (dates to sort and filter: sheet “Records”)" if records
                         else "Legend", font=bold)])
    for s in rules.STATUSES:
        r += 1
        if s == rules.NOT_REQUIRED:
            key = w.text("(blank)", alignment=top)
        else:
            key = w.text(f"{rules.SYMBOLS[s]} {rules.LABELS[s]}", **styles[s])
        meaning = SHORT_MEANINGS[s]
        lines = len(wrap_lines(meaning, _LEGEND_LINE))
        if lines > 1:
            sheet.row_dimensions[r].height = _LINE_PT * lines
        sheet.merged_cells.add(f"B{r}:C{r}")
        sheet.append([key, w.text(meaning, alignment=top)])


def _records_head(w: _Sheet, sheet: Any, *, title: str, stamp: str, generated_at: dt.datetime,
                  font: Any, fill: Any, alignment: Any) -> None:
    from openpyxl.utils import get_column_letter

    for index, (_, width) in enumerate(_RECORD_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    _page_setup(sheet, landscape=True, title=f"{title}: records", stamp=stamp,
                generated_at=generated_at)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.append([w.text(h, font=font, fill=fill, alignment=alignment)
                  for h, _ in _RECORD_COLUMNS])


def _percent(ok: int, req: int) -> float | None:
    return round(100.0 * ok / req, 1) if req else None


def _write_summary(sheet: Any, w: _Sheet, matrix: Any, tallies: tuple, *, title: str,
                   stamp: str, generated_at: dt.datetime, styles: dict, bold: Any,
                   Alignment: Any) -> None:
    counts, per_dept, per_course = tallies  # (per status, per department, per course)
    for letter, width in zip("ABCDE", (30, 64, 12, 12, 15)):
        sheet.column_dimensions[letter].width = width
    _page_setup(sheet, landscape=False, title=title, stamp=stamp, generated_at=generated_at)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    big = _font(bold=True, size=14)
    right = Alignment(horizontal="right")
    append = sheet.append
    text = w.text
    append([text(f"{title}: compliance summary", font=big)])
    append([text("As of"), w.value(matrix.today)])
    append([text("Expiring window"), text(f"{matrix.window_days} days")])
    append([text("Exported (UTC)"), text(generated_at.strftime("%Y-%m-%d %H:%M:%S"))])
    append([text("Audit trail"), text(stamp)])
    append([text("People in the matrix"), len(matrix.people)])
    append([text("Courses required"), len(matrix.courses)])
    append([])
    required = sum(n for s, n in counts.items() if s != rules.NOT_REQUIRED)
    compliant = sum(counts[s] for s in rules.COMPLIANT)
    append([text("Required cells by status", font=bold), None,
            text("Cells", font=bold, alignment=right)])
    for s in rules.STATUSES:
        if s == rules.NOT_REQUIRED:
            continue
        append([text(f"{rules.SYMBOLS[s]} {rules.LABELS[s]}", **styles[s]),
                text(MEANINGS[s], alignment=Alignment(horizontal="left", indent=1)),
                counts[s]])
    append([text("Compliant (current or expiring)", font=bold), None, compliant, required,
            _percent(compliant, required)])
    append([])
    heads = [text(h, font=bold, alignment=right)
             for h in ("Compliant", "Required", "Compliance %")]
    append([text("Per department", font=bold), None, *heads])
    for dept, ok, req in per_dept:
        append([text(dept), None, ok, req, _percent(ok, req)])
    append([])
    append([text("Per course", font=bold), text("Title", font=bold), *heads])
    for c, (ok, req) in zip(matrix.courses, per_course):
        if req:
            append([text(c.code or c.title), text(c.title) if c.code else None, ok, req,
                    round(100.0 * ok / req, 1)])
    append([])
    for legend_row in _legend_rows(w, styles, bold):
        append(legend_row)


# --------------------------------------------------------------------------- a person's record

def _plain_text_cell(v: Any) -> bool:
    """True for a text cell with no alignment of its own (a quoted formula-like text)."""
    return (getattr(v, "data_type", None) == "s" and isinstance(v._value, str)
            and v.alignment.vertical is None)


def reasons_text(reasons: Sequence[Any]) -> str:
    return "; ".join(r.text() for r in reasons)


def write_record_xlsx(record: PersonRecord, path: str | Path, *, head_hash: str,
                      head_event: int | None = None, title: str | None = None,
                      generated_at: dt.datetime | None = None) -> Path:
    """Write one person's training record (details, roles, required courses with status and
    why, full history) to a formatted .xlsx at ``path``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    path = Path(path)
    _check_target(path)
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    stamp = _stamp(head_hash, head_event)
    p = record.person
    title = title or f"Training record: {p.name}"
    workbook = Workbook(write_only=True)
    try:
        sheet = workbook.create_sheet("Record")
        w = _Sheet(sheet)
        widths = (26, 34, 18, 16, 17, 14, 60, 20)  # (E: "↻ retraining due" in bold)
        for letter, width in zip("ABCDEFGH", widths):
            sheet.column_dimensions[letter].width = width
        _page_setup(sheet, landscape=True, title=title, stamp=stamp, generated_at=generated_at)
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        bold = _font(bold=True)
        head_font = _font(bold=True, color="FFFFFF")
        head_fill = PatternFill("solid", fgColor="1F4E78", bgColor="1F4E78")
        wrap = Alignment(wrap_text=True, vertical="top")
        styles = _status_styles(Font, PatternFill, Alignment, Border, Side)
        # in the tables, a status reads from the top like the rest of its row (the legend
        # keeps the centred ones)
        top_centre = Alignment(horizontal="center", vertical="top")
        row_styles = {s: dict(st, alignment=top_centre) for s, st in styles.items()}

        rows_written = [0]

        def add(row: list[Any], wrapped: Sequence[int] = ()) -> None:
            """Append ``row``; the columns ``wrapped`` wrap, and the row is made tall
            enough for them (a streamed sheet cannot be measured afterwards). Every cell of
            a table row (one with ``wrapped`` columns) reads from the top."""
            rows_written[0] += 1
            lines = 1
            for k in wrapped:
                v = row[k] if k < len(row) else None
                text = v if isinstance(v, str) else getattr(v, "_value", None)
                if isinstance(text, str) and text:
                    per_line = max(4, int(widths[k] * 1.1) - 2)
                    lines = max(lines, sum(-(-len(part) // per_line) or 1
                                           for part in text.split("\n")))
            if lines > 1:
                sheet.row_dimensions[rows_written[0]].height = min(409, 15 * lines)
            if wrapped:  # (dates, statuses and wrapped texts are top-aligned already)
                row = [w.text(v, alignment=top) if isinstance(v, str)
                       else w.text(v._value, alignment=top) if _plain_text_cell(v) else v
                       for v in row]
            sheet.append(row)

        def heading(*names: str) -> list[Any]:
            return [w.text(n, font=head_font, fill=head_fill, alignment=wrap) for n in names]

        flush_left = Alignment(horizontal="left", vertical="top")
        top = Alignment(vertical="top")

        def date(d: dt.date | None) -> Any:
            return w.value(d, alignment=flush_left) if d is not None else None

        add([w.text(title, font=_font(bold=True, size=14))])
        add([w.text(f"As of {record.today.isoformat()} (expiring window "
                             f"{record.window_days} days) — {stamp}")])
        add([])
        status = ("left" + (f" on {record.left_on.isoformat()}" if record.left_on else "")
                  if p.left else "active")
        for label, value in (("Name", p.name), ("Employee no.", p.employee_no),
                             ("Department", p.department), ("Manager", p.manager),
                             ("E-mail", record.email), ("Status", status)):
            add([w.text(label, font=bold), w.text(value)])
        add([w.text("Start date", font=bold), date(p.hired_on)])
        add([w.text("Roles held today", font=bold),
                      w.text(", ".join(p.roles) or "(none)")])
        add([])
        add([w.text("Role assignments", font=bold)])
        add(heading("Role", "From", "To"))
        for h in record.roles:
            add([w.text(h.role), date(h.valid_from),
                          date(h.valid_to) if h.valid_to else w.text("(open)")])
        if not record.roles:
            add([w.text("(none)")])
        add([])
        add([w.text("Required training", font=bold)])
        add(heading("Course", "Title", "Kind", "Validity", "Status", "Date",
                             "Why it is required", "Last completed"))
        from ..training import KIND_LABELS

        for rc in record.required:
            c = rc.course
            last = rc.latest.completed_on if rc.latest else None
            add([w.text(c.code or c.title), w.text(c.title if c.code else "",
                                                            alignment=wrap),
                          w.text(KIND_LABELS.get(c.kind, c.kind)), w.text(c.validity_text),
                          w.text(f"{rules.SYMBOLS[rc.status]} {rules.LABELS[rc.status]}",
                                 **row_styles[rc.status]),
                          date(rc.date), w.text(reasons_text(rc.reasons), alignment=wrap),
                          date(last)], wrapped=(1, 6))
        if not record.required:
            add([w.text("(no training is required)")])
        add([])
        add([w.text("History (newest first)", font=bold)])
        add(heading("Completed", "Course", "Result", "Expires", "Trainer",
                             "Revision", "Evidence / notes"))
        for r, c in record.history:
            course = course_heading(c) if c is not None else f"(course {r.course_id})"
            notes = " — ".join(x for x in (r.evidence, r.notes) if x)
            add([date(r.completed_on), w.text(course, alignment=wrap),
                          w.text(r.result), date(r.expires_on), w.text(r.trainer),
                          w.text(r.document_revision), w.text(notes, alignment=wrap)],
                wrapped=(1, 6))
        if not record.history:
            add([w.text("(no training records)")])
        add([])
        for legend_row in _legend_rows(w, styles, bold):
            add(legend_row)
    except BaseException:
        _discard(workbook)
        raise
    return _save(workbook, path)


# --------------------------------------------------------------------------- from a workspace

def export_matrix(ws: Any, path: str | Path, *, window: int | None = None,
                  today: dt.date | None = None) -> Path:
    """The workspace's training matrix to .xlsx, stamped with the audit head read with it."""
    from ..audit_trail import head_stamp
    from ..training import load_matrix

    head, n = head_stamp(ws)
    return write_matrix_xlsx(load_matrix(ws, today, window), path, head_hash=head,
                             head_event=n)


def export_record(ws: Any, person_id: int, path: str | Path, *,
                  today: dt.date | None = None) -> Path:
    from ..audit_trail import head_stamp

    head, n = head_stamp(ws)
    return write_record_xlsx(load_record(ws, person_id, today), path, head_hash=head,
                             head_event=n)
