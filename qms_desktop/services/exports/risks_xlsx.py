"""Export the risk register to a formatted .xlsx workbook.

The workbook has a "Risks" sheet (a real Excel table with filters, frozen header, computed
score/level/RPN/AP columns written as values, conditional colours and dropdown validation),
a "Treatment actions" sheet (one row per action — owner, due date, status, effectiveness
check and verdict — linked to its risk by the risk ID, so an auditor sees the evidence of
treatment and the importer reads them back), an optional "Heat map" sheet with the heat-map
image, and an "Info" sheet with the title,
time of export, audit-trail head hash and the banding in force.

Every text that could be read as a formula or as an Excel error (the one rule of
:mod:`~qms_desktop.services.exports.cells`, full-width ``＝ ＋ － ＠`` included) is written as a
plain text cell with the quote prefix; the register never holds a formula.
The column titles are the importer's :data:`FIELD_LABELS` (and :data:`ACTION_FIELDS`), so the
file re-imports losslessly. Every style names the body's font (:data:`FONT_NAME`): a style
without one is shown in the spreadsheet program's own default (a serif font in LibreOffice).
An opportunity's levels have their own words and colours (``core.palette.OPPORTUNITY_*``).

Written in openpyxl's write-only (streaming) mode; openpyxl is imported lazily.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qms_desktop.core.palette import LEVEL_COLOURS as PALETTE_LEVELS
from qms_desktop.core.palette import OPPORTUNITY_COLOURS as PALETTE_OPPORTUNITIES
from qms_desktop.core.palette import OPPORTUNITY_WORDS, hex6
from qms_desktop.core.risk import (
    IMPACT_LABELS,
    KINDS,
    LEVEL_LABELS,
    LEVELS,
    LIKELIHOOD_LABELS,
    METHODS,
    STATUSES,
    Banding,
    action_priority,
    rpn,
)
from qms_desktop.services.exports.cells import MAX_CELL_TEXT, clean_text, needs_protection
from qms_desktop.services.imports.risk_table import (
    ACTION_FIELDS,
    ACTION_KIND_LABELS,
    ACTION_SHEET,
    ACTION_STATUS_LABELS,
    EFFECTIVE_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    STATUS_LABELS,
)

__all__ = ["ACTION_COLUMNS", "COLUMNS", "FONT_NAME", "LEVEL_COLOURS", "OPPORTUNITY_COLOURS",
           "write_risk_register"]

#: the body's font (openpyxl's default cell format): every style names it
FONT_NAME = "Calibri"

# (key, header, width). Keys starting with "=" are computed columns. The widths keep every
# header on at most three lines and let the sheet print on two A3 landscape pages across.
COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("ref", FIELD_LABELS["ref"], 9),
    ("title", FIELD_LABELS["title"], 30),
    ("kind", FIELD_LABELS["kind"], 12),
    ("category", FIELD_LABELS["category"], 13),
    ("process", FIELD_LABELS["process"], 14),
    ("step", FIELD_LABELS["step"], 16),
    ("cause", FIELD_LABELS["cause"], 28),
    ("effect", FIELD_LABELS["effect"], 28),
    ("owner", FIELD_LABELS["owner"], 14),
    ("controls", FIELD_LABELS["controls"], 28),
    ("treatment", FIELD_LABELS["treatment"], 30),
    ("status", FIELD_LABELS["status"], 12),
    ("identified_on", FIELD_LABELS["identified_on"], 13),
    ("review_date", FIELD_LABELS["review_date"], 13),
    ("method", FIELD_LABELS["method"], 12),
    ("inherent_likelihood", FIELD_LABELS["inherent_likelihood"], 10.5),
    ("inherent_impact", FIELD_LABELS["inherent_impact"], 10),
    ("=inherent_score", "Inherent score", 9),
    ("=inherent_level", "Inherent level", 10),
    ("residual_likelihood", FIELD_LABELS["residual_likelihood"], 10.5),
    ("residual_impact", FIELD_LABELS["residual_impact"], 10),
    ("=residual_score", "Residual score", 9),
    ("=residual_level", "Residual level", 10),
    ("failure_mode", FIELD_LABELS["failure_mode"], 22),
    ("severity", FIELD_LABELS["severity"], 9),
    ("occurrence", FIELD_LABELS["occurrence"], 11.5),
    ("detection", FIELD_LABELS["detection"], 10),
    ("=rpn", "RPN", 8),
    ("=ap", "Action priority (AP)", 10),
    ("notes", FIELD_LABELS["notes"], 30),
)

#: Fill and font colours per level (fill, font), also used for AP H/M/L: the one palette of
#: ``core.palette`` (light pairs), as spreadsheet styles write them.
LEVEL_COLOURS = {level: (hex6(fill), hex6(ink))
                 for level, (fill, ink) in PALETTE_LEVELS[False].items()}
#: the same for an opportunity's levels (its own blue scale), by level
OPPORTUNITY_COLOURS = {level: (hex6(fill), hex6(ink))
                       for level, (fill, ink) in PALETTE_OPPORTUNITIES[False].items()}
#: (key, header, width) of the "Treatment actions" sheet
_ACTION_WIDTHS = {"risk_ref": 9, "ref": 10, "title": 36, "owner": 16, "due_date": 12,
                  "status": 12, "completed_on": 13, "effectiveness_check": 36,
                  "effectiveness_due": 12, "effective": 10, "kind": 12, "description": 36}
ACTION_COLUMNS: tuple[tuple[str, str, float], ...] = tuple(
    (key, header, _ACTION_WIDTHS[key]) for key, header in ACTION_FIELDS)
_ACTION_DATES = ("due_date", "completed_on", "effectiveness_due")
_ACTION_TABLE = "TreatmentActions"
_AP_COLOURS = {"H": LEVEL_COLOURS["critical"], "M": LEVEL_COLOURS["medium"],
               "L": LEVEL_COLOURS["low"]}

_TEXT_KEYS = frozenset({"ref", "title", "category", "process", "step", "cause", "effect",
                        "owner", "controls", "treatment", "failure_mode", "notes", "kind",
                        "status", "method"})
#: Coded fields written as their labels (the importer reads the labels back).
_LABELLED = {"kind": KIND_LABELS, "status": STATUS_LABELS, "method": METHOD_LABELS}
_DATE_KEYS = ("identified_on", "review_date")
_HEADER_HEIGHT = 48  # points: three lines of bold 11 pt text
_LINE_HEIGHT = 15  # points per line of 11 pt text
_MAX_LINES = 27  # Excel's highest row is 409 points
# Print set-up of the "Risks" sheet: A3 landscape, two pages across, ID and title repeated.
_PAPER_A3 = 8
_PAPER_A4 = 9
_PAGES_ACROSS = 2
_REPEATED_COLUMNS = "A:B"
#: the size of an A3 page in points (landscape: width, height), and the margins (inches)
_A3_POINTS = (1190.55, 841.89)
_SIDE_MARGIN = 0.3
_END_MARGIN = 0.55
#: a last page holding less than this share of a page is pulled onto the pages before (the
#: print is scaled a little smaller) rather than printed with a row or two on it
_LEAST_LAST_PAGE = 0.35
#: the columns whose numbers and letters are centred (RPN beside AP read apart: "84  M")
_CENTRED_KEYS = ("=rpn", "=ap")
# The heat-map picture is shown at most this size (pixels at 96 dpi), at its aspect ratio.
_HEATMAP_MAX = (1100, 620)
_EXCEL_TEXT_LIMIT = MAX_CELL_TEXT
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TABLE_NAME = "RiskRegister"


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_points(width: float) -> float:
    """How wide a column of ``width`` characters may print, in points: 7 px a character and
    5 px of padding at 96 px to the inch (Calibri 11), times 1.3 for a spreadsheet program
    that draws Calibri's widths with a wider font (LibreOffice without Carlito): a page
    planned with these widths holds its columns in either."""
    return (width * 7 * 1.3 + 5) * 0.75


@dataclass(frozen=True)
class PrintPlan:
    """How a sheet prints: at ``scale`` per cent, a column break after column
    ``column_break`` (1-based; 0 for none) and row breaks after the rows ``row_breaks``
    (1-based sheet rows), so every page is about as full as the others."""

    scale: int
    column_break: int
    row_breaks: tuple[int, ...]


def print_plan(row_heights: Sequence[float], widths: Sequence[float], *, pages_across: int,
               repeated: int = 0, header_height: float = _HEADER_HEIGHT,
               page: tuple[float, float] = _A3_POINTS) -> PrintPlan:
    """The print of a sheet ``pages_across`` pages wide (1 or 2; the first ``repeated``
    columns printed on each) whose rows are ``row_heights`` points high under a header row
    repeated on every page: the columns split where the two pages are most even, the scale
    that fits the wider page, and rows shared out evenly over the pages they need (never a
    last page holding a row or two). Row heights are written in points, so this is where
    every spreadsheet program breaks the pages."""
    printable_w = page[0] - 2 * 72 * _SIDE_MARGIN
    printable_h = page[1] - 2 * 72 * _END_MARGIN
    points = [_column_points(w) for w in widths]
    column_break, widest = 0, sum(points)
    if pages_across > 1 and len(points) > repeated + 1:
        rep_w = sum(points[:repeated])
        for k in range(repeated + 1, len(points)):
            wider = max(sum(points[:k]), rep_w + sum(points[k:]))
            if wider < widest:
                column_break, widest = k, wider
    scale = max(10, min(100, int(100 * printable_w / widest)))
    room = printable_h * 100 / scale - header_height  # sheet points of rows on a page
    total = sum(row_heights)
    pages = max(1, math.ceil(total / room)) if room > 0 else 1
    if pages > 1 and total - (pages - 1) * room < _LEAST_LAST_PAGE * room:
        # a row or two over: one page fewer, printed a little smaller
        pages -= 1
        need = total / pages + max(row_heights) + header_height
        scale = max(10, min(scale, int(100 * printable_h / need)))
        room = printable_h * 100 / scale - header_height
    breaks: list[int] = []
    if pages > 1:
        share = total / pages
        used, done = 0.0, 0.0
        for number, height in enumerate(row_heights, start=2):
            # break before this row when the page is at its share (or full)
            if used and (used + height > room or used + height / 2 > share) \
                    and len(breaks) < pages - 1:
                breaks.append(number - 1)
                done += used
                used = 0.0
                share = (total - done) / (pages - len(breaks))
            used += height
    return PrintPlan(scale, column_break, tuple(breaks))


def _line_capacity(width: float) -> int:
    """About how many characters of 11 pt text one line of a column ``width`` wide holds,
    leaving room for the words a line break pushes to the next line."""
    return max(4, int(width * 0.9) - 2)


def _line_count(text: str, capacity: int) -> int:
    """The number of lines ``text`` takes when wrapped at ``capacity`` characters."""
    return sum(max(1, -(-len(line) // capacity)) for line in text.split("\n"))


def _font(**kw: Any) -> Any:
    """A font of :data:`FONT_NAME`, 11 pt unless ``size`` is given."""
    from openpyxl.styles import Font

    kw.setdefault("size", 11)
    return Font(name=FONT_NAME, **kw)


def _footer_text(text: str) -> str:
    """Escape a text for an Excel header/footer (where & starts a code)."""
    return text.replace("&", "&&")


def write_risk_register(path: str | Path, risks: Sequence[Mapping[str, Any]],
                        banding: Banding, *, head_hash: str,
                        heatmap_png: bytes | None = None, title: str = "Risk register",
                        generated_at: dt.datetime | None = None,
                        head_event: int | None = None,
                        actions: Sequence[Mapping[str, Any]] = ()) -> Path:
    """Write ``risks`` (dicts with the risk field names) to a formatted .xlsx at ``path``.

    Scores, levels (from ``banding``), RPN and AP are computed and written as values. The
    audit-trail ``head_hash`` (with ``head_event``, the number of the event it belongs to,
    when given: ``HASH @ event N``) is printed in the page footer and on the Info sheet.
    ``actions`` (dicts with the fields of :data:`ACTION_COLUMNS`: ``risk_ref``, ``ref``,
    ``title``, ``owner``, dates, status and kind codes, ``effective`` True/False/None) fill the
    "Treatment actions" sheet. Raises
    ValueError for a rating out of range, a text longer than Excel allows or a
    ``heatmap_png`` that is not a PNG image. The file is written to a temporary name first
    and moved into place, so a failed export never leaves a half-written file.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.dimensions import RowDimension
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    if heatmap_png is not None and not bytes(heatmap_png[:8]) == _PNG_SIGNATURE:
        raise ValueError("The heat-map image is not a PNG file; render it as PNG and export "
                         "again.")
    picture_size = None if heatmap_png is None else _picture_size(heatmap_png, _HEATMAP_MAX)
    if not isinstance(banding, Banding):
        raise ValueError("banding must be a Banding.")
    path = Path(path)
    _check_target(path)
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    workbook = Workbook(write_only=True)
    _wrap_by_default(workbook, Alignment(wrap_text=True, vertical="top"))
    sheet = workbook.create_sheet("Risks")

    header_font = _font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    header_alignment = Alignment(wrap_text=True, vertical="top")
    wrap_alignment = Alignment(wrap_text=True, vertical="top")  # as the workbook default
    date_alignment = Alignment(horizontal="center", vertical="top")

    # Everything written before the rows: widths, frozen header, page set-up.
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[_column_letter(index)]
        dimension.width = width
        dimension.alignment = wrap_alignment  # the column's format is the default one too
    sheet.row_dimensions[1].height = _HEADER_HEIGHT
    sheet.freeze_panes = "C2"
    # About 30 columns cannot be read on one page: two A3 landscape pages across (scaled to
    # fit them, split where the pages are most even), with the ID and title columns and the
    # header row repeated on every page; the rows are shared out evenly over the pages
    # (print_plan, once the rows' heights are known).
    sheet.page_setup.paperSize = _PAPER_A3
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = False
    sheet.page_margins.left = sheet.page_margins.right = _SIDE_MARGIN
    sheet.page_margins.top = sheet.page_margins.bottom = _END_MARGIN
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    sheet.print_options.horizontalCentered = False
    sheet.print_title_rows = "1:1"
    sheet.print_title_cols = _REPEATED_COLUMNS
    sheet.oddHeader.center.text = _footer_text(title)
    if head_event is not None:  # the full stamp, as `qms verify --expect` takes it
        head_hash = f"{head_hash} @ event {head_event}"
    sheet.oddFooter.left.text = _footer_text(f"Audit-trail head: {head_hash}")
    sheet.oddFooter.center.text = "Page &P of &N"
    sheet.oddFooter.right.text = _footer_text(f"Exported {generated_at:%Y-%m-%d %H:%M} UTC")

    header_cells = []
    for _, header, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = header_alignment
        header_cells.append(cell)

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(sheet)
        cell._value = value
        cell.data_type = "s"  # never "f": written as an inline string
        cell.quotePrefix = True  # Excel keeps it as text when the cell is edited
        cell.alignment = wrap_alignment  # its own style: so the default's alignment, again
        return cell

    def safe_text(value: Any, key: str, ref: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            value = str(value)
        if not value:
            return None
        value = clean_text(value)  # control characters an xlsx cannot hold are dropped
        if len(value) > _EXCEL_TEXT_LIMIT:
            raise ValueError(f"The {key} of risk {ref or '(no ID)'} is longer than the "
                             f"{_EXCEL_TEXT_LIMIT:,} characters an Excel cell can hold; shorten "
                             "it and export again.")
        if needs_protection(value):
            return text_cell(value)
        return value

    def date_value(value: Any, key: str, ref: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raise ValueError(f"The {key} of risk {ref or '(no ID)'} is not a date ({value!r}).")

    level_label = {level: LEVEL_LABELS[level] for level in LEVELS}
    chance_label = {level: OPPORTUNITY_WORDS[level] for level in LEVELS}
    cells = banding.cells
    rating5 = range(1, 6)

    def level_of(likelihood: Any, impact: Any, stage: str, ref: Any,
                 words: Mapping[str, str] = level_label) -> tuple[Any, Any]:
        if likelihood is None or impact is None:
            return None, None
        if (type(likelihood) is not int or type(impact) is not int
                or likelihood not in rating5 or impact not in rating5):
            raise ValueError(f"Risk {ref or '(no ID)'} has {stage} ratings {likelihood!r} x "
                             f"{impact!r}; likelihood and impact must be whole numbers 1-5.")
        return likelihood * impact, words[cells[likelihood - 1][impact - 1]]

    # Build (and so validate) every row before streaming: a bad risk fails the export before
    # anything is written.
    text_keys = [key for key, _, _ in COLUMNS if key in _TEXT_KEYS]
    labelled = tuple(_LABELLED.items())
    prepared = []
    add_row = prepared.append
    for risk in risks:
        get = risk.get
        ref = get("ref")
        text = {key: safe_text(get(key), key, ref) for key in text_keys}
        for key, labels in labelled:
            value = text[key]
            if value.__class__ is str:
                text[key] = labels.get(value, value)
        il, ii = get("inherent_likelihood"), get("inherent_impact")
        rl, ri = get("residual_likelihood"), get("residual_impact")
        s, o, d = get("severity"), get("occurrence"), get("detection")
        words = chance_label if get("kind") == "opportunity" else level_label
        inherent_score, inherent_level = level_of(il, ii, "inherent", ref, words)
        residual_score, residual_level = level_of(rl, ri, "residual", ref, words)
        try:
            if s is None or o is None or d is None:
                for value in (s, o, d):
                    if value is not None:
                        rpn(value, 1, 1)  # validates the one given
                risk_rpn = ap = None
            else:
                risk_rpn = rpn(s, o, d)
                ap = action_priority(s, o, d)
        except ValueError as exc:
            raise ValueError(f"Risk {ref or '(no ID)'}: {exc}") from None
        add_row([
            text["ref"], text["title"], text["kind"], text["category"], text["process"],
            text["step"], text["cause"], text["effect"], text["owner"], text["controls"],
            text["treatment"], text["status"],
            date_value(get("identified_on"), "identification date", ref),
            date_value(get("review_date"), "review date", ref),
            text["method"], il, ii, inherent_score, inherent_level, rl, ri, residual_score,
            residual_level, text["failure_mode"], s, o, d, risk_rpn, ap, text["notes"],
        ])
    action_rows = _prepare_actions(actions, safe_text)
    count = len(prepared)
    if count == 0:
        prepared.append([])  # an Excel table needs at least one data row
    # Long texts wrap through the workbook's default format (no per-cell cost); dates are
    # centred: one styled cell per date column is filled with each row's value in turn (a row
    # is written out before the next is appended).
    dated = []
    for index, (key, _, _) in enumerate(COLUMNS):
        if key in _DATE_KEYS:
            template = WriteOnlyCell(sheet)
            template.alignment = date_alignment
            template.number_format = "yyyy-mm-dd"
            dated.append((index, template))
        elif key in _CENTRED_KEYS:
            template = WriteOnlyCell(sheet)
            template.alignment = Alignment(horizontal="center", vertical="top")
            dated.append((index, template))
    # Spreadsheet programs do not grow a row to fit its wrapped text by themselves: each row
    # gets the height its longest text needs (estimated from the column widths).
    wrapped = [(index, _line_capacity(width)) for index, (key, _, width) in enumerate(COLUMNS)
               if key in _TEXT_KEYS]
    row_dimensions = sheet.row_dimensions
    # One dimension object per height, shared by the rows of that height (the writer reads
    # only its height fields; the row number is written separately).
    heights = {lines: RowDimension(sheet, index=0, ht=lines * _LINE_HEIGHT)
               for lines in range(2, _MAX_LINES + 1)}
    row_heights: list[float] = []
    try:
        sheet.append(header_cells)  # the stream opens here, once every row is known to be valid
        for row_number, row in enumerate(prepared, start=2):
            if row:  # (not the empty table's placeholder row)
                lines = 1
                for index, capacity in wrapped:
                    value = row[index]
                    if value is None:
                        continue
                    if value.__class__ is not str:
                        value = value._value  # a text cell
                    if len(value) > capacity or "\n" in value:
                        lines = max(lines, _line_count(value, capacity))
                if lines > 1:
                    row_dimensions[row_number] = heights[min(lines, _MAX_LINES)]
                row_heights.append(min(lines, _MAX_LINES) * _LINE_HEIGHT)
                for index, template in dated:
                    value = row[index]
                    if value is not None:
                        template._value = value
                        template.data_type = "s" if value.__class__ is str else \
                            "n" if isinstance(value, (int, float)) else "d"
                        row[index] = template
            sheet.append(row)
    except BaseException:
        _discard(workbook)
        raise
    del prepared
    # the page breaks, from the rows' heights: pages about as full as each other, never a
    # last page with a row or two (the page set-up and breaks are written after the rows)
    plan = print_plan(row_heights, [width for _, _, width in COLUMNS],
                      pages_across=_PAGES_ACROSS, repeated=2)
    sheet.page_setup.scale = plan.scale
    if plan.column_break:
        sheet.col_breaks.append(Break(id=plan.column_break))
    for row in plan.row_breaks:
        sheet.row_breaks.append(Break(id=row))

    last_row = max(count, 1) + 1
    last_col = _column_letter(len(COLUMNS))
    ref_range = f"A1:{last_col}{last_row}"
    table = Table(
        displayName=_TABLE_NAME,
        ref=ref_range,
        tableColumns=[TableColumn(id=index, name=header)
                      for index, (_, header, _) in enumerate(COLUMNS, start=1)],
        autoFilter=AutoFilter(ref=ref_range),
        tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True,
                                      showColumnStripes=False, showFirstColumn=False,
                                      showLastColumn=False),
    )
    with warnings.catch_warnings():
        # openpyxl warns that write-only tables need their columns set by hand: done above.
        warnings.simplefilter("ignore", UserWarning)
        sheet.add_table(table)

    column_of = {key: _column_letter(index) for index, (key, _, _) in enumerate(COLUMNS, 1)}

    def col_range(key: str) -> str:
        letter = column_of[key]
        return f"{letter}2:{letter}{last_row}"

    fills = {level: PatternFill("solid", fgColor=fill, bgColor=fill)
             for level, (fill, _) in LEVEL_COLOURS.items()}
    fonts = {level: Font(color=font, bold=level == "critical")
             for level, (_, font) in LEVEL_COLOURS.items()}
    chance_fills = {level: PatternFill("solid", fgColor=fill, bgColor=fill)
                    for level, (fill, _) in OPPORTUNITY_COLOURS.items()}
    chance_fonts = {level: Font(color=font, bold=level == "critical")
                    for level, (_, font) in OPPORTUNITY_COLOURS.items()}
    for stage in ("inherent", "residual"):
        level_col = column_of[f"={stage}_level"]
        for words, fill_of, font_of in ((level_label, fills, fonts),
                                        (chance_label, chance_fills, chance_fonts)):
            for level in LEVELS:
                label = words[level]
                sheet.conditional_formatting.add(
                    col_range(f"={stage}_level"),
                    CellIsRule(operator="equal", formula=[f'"{label}"'], fill=fill_of[level],
                               font=font_of[level]))
                sheet.conditional_formatting.add(
                    col_range(f"={stage}_score"),
                    FormulaRule(formula=[f'${level_col}2="{label}"'], fill=fill_of[level],
                                font=font_of[level]))
    for letter, (fill, font) in _AP_COLOURS.items():
        level = {"H": "critical", "M": "medium", "L": "low"}[letter]
        sheet.conditional_formatting.add(
            col_range("=ap"),
            CellIsRule(operator="equal", formula=[f'"{letter}"'], fill=fills[level],
                       font=fonts[level]))
    sheet.conditional_formatting.add(
        col_range("=rpn"),
        ColorScaleRule(start_type="num", start_value=1, start_color="FFFFFF",
                       mid_type="num", mid_value=100, mid_color="FFEB9C",
                       end_type="num", end_value=1000, end_color="F8696B"))

    def dropdown(values: Sequence[Any], keys: Sequence[str], what: str) -> None:
        listed = ",".join(str(value) for value in values)
        validation = DataValidation(
            type="list", formula1=f'"{listed}"', allow_blank=True, showErrorMessage=True,
            errorStyle="stop", errorTitle=f"Invalid {what}",
            error=f"Choose a {what} from the list: {listed}.",
            promptTitle=what.capitalize(), prompt=f"Choose from {listed}.",
            showInputMessage=False)
        for key in keys:
            validation.add(col_range(key))
        sheet.data_validations.append(validation)

    dropdown(range(1, 6), ("inherent_likelihood", "inherent_impact", "residual_likelihood",
                           "residual_impact"), "rating (1-5)")
    dropdown(range(1, 11), ("severity", "occurrence", "detection"), "rating (1-10)")
    dropdown([STATUS_LABELS[code] for code in STATUSES], ("status",), "status")
    dropdown([KIND_LABELS[code] for code in KINDS], ("kind",), "kind")
    dropdown([METHOD_LABELS[code] for code in METHODS], ("method",), "method")

    try:
        action_count = _write_actions_sheet(
            workbook, action_rows, title=title, head_hash=head_hash, generated_at=generated_at,
            header_style=(header_font, header_fill, header_alignment),
            cell_factory=WriteOnlyCell)
        if heatmap_png is not None:
            _write_heatmap_sheet(workbook, heatmap_png, picture_size, title, WriteOnlyCell)
        _write_info_sheet(workbook, title=title, head_hash=head_hash, generated_at=generated_at,
                          count=count, banding=banding, cell_factory=WriteOnlyCell,
                          fills=fills, fonts=fonts, Font=Font, Alignment=Alignment,
                          Border=Border, Side=Side, action_count=action_count,
                          chance_fills=chance_fills, chance_fonts=chance_fonts)
    except BaseException:
        _discard(workbook)
        raise

    return save_atomically(workbook, path)


def save_atomically(workbook: Any, path: Path, write: Any = None) -> Path:
    """Write ``workbook`` to a temporary name beside ``path`` (with ``write(tmp)``, default
    ``workbook.save``), then move it into place: a failed export leaves no half-written file
    and an earlier file of that name intact; a disk error becomes one sentence."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        (write or workbook.save)(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(workbook)
        raise _write_error(path, exc) from None
    except BaseException:
        _discard(workbook)
        raise
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _wrap_by_default(workbook: Any, alignment: Any) -> None:
    """Make ``alignment`` part of the workbook's default cell format (xf 0) and of its
    "Normal" style, which every cell written without a style of its own uses: long texts wrap
    and rows read from the top, at no cost per cell (a style on each of the many text cells
    would slow the export by a quarter). openpyxl (pinned to 3.1) keeps the default format as
    the first entry of these lists."""
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils.indexed_list import IndexedList

    if len(workbook._cell_styles) != 1:
        raise RuntimeError("The default cell format must be set before any cell is styled.")
    default = StyleArray()
    default.alignmentId = workbook._alignments.add(alignment)
    workbook._cell_styles = IndexedList([default])
    # LibreOffice gives cells without a format the "Normal" cell style instead: that too.
    workbook._named_styles["Normal"].alignment = alignment


def _export_error(message: str) -> Exception:
    """The app's error for a problem the user can act on (shown as a plain message)."""
    from qms_desktop.storage.workspace import WorkspaceError

    return WorkspaceError(message)


def _check_target(path: Path) -> None:
    """Refuse a target whose folder is missing or read-only, before any work is done."""
    folder = path.parent
    if not folder.is_dir():
        raise _export_error(f"The folder “{folder}” does not exist; create it or choose "
                            "another folder.")
    if path.is_dir():
        raise _export_error(f"“{path}” is a folder; choose a file name for the register.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _export_error(f"The folder “{folder}” exists but you may not create files in "
                            "it, so it cannot be written; choose another folder.")


def _write_error(path: Path, exc: OSError) -> Exception:
    """A one-sentence message for a failed save that names no temporary file and the real
    reason: a full disk, a read-only disk, a folder that is not writable or does not exist."""
    import errno

    code = exc.errno
    folder = path.parent
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return _export_error(f"The disk is full, so “{path}” could not be written; free "
                             "some space and export again.")
    if code == errno.EROFS:
        return _export_error(f"The folder “{folder}” is on a read-only disk, so it cannot be "
                             "written; choose another folder.")
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return _export_error(f"The folder “{folder}” exists but you may not create files in "
                             "it, so it cannot be written; choose another folder.")
    if isinstance(exc, FileNotFoundError):
        if folder.is_dir():  # it exists, but takes no new files (e.g. /proc)
            return _export_error(f"The folder “{folder}” exists but takes no new files, so it "
                                 "cannot be written; choose another folder.")
        return _export_error(f"The folder “{folder}” does not exist; create it or "
                             "choose another folder.")
    reason = exc.strerror or exc.__class__.__name__
    return _export_error(f"“{path}” could not be written ({reason.lower()}); close it if "
                         "another program has it open, or choose another file.")


def _discard(workbook: Any) -> None:
    """Close the streams of an abandoned write-only workbook and delete its temporary files."""
    for sheet in getattr(workbook, "_sheets", ()):
        try:
            if not sheet.closed:
                sheet.close()
        except Exception:  # already broken: nothing more to save
            pass
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            try:
                writer.cleanup()
            except Exception:
                pass


def _write_heatmap_sheet(workbook: Any, png: bytes, size: tuple[int, int], title: str,
                         cell_factory: Any) -> None:
    import io

    from openpyxl.drawing.image import Image

    sheet = workbook.create_sheet("Heat map")
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.sheet_view.showGridLines = False
    heading = cell_factory(sheet, value=f"{title}: heat map")
    if heading.data_type != "s":
        heading.data_type = "s"
    if needs_protection(heading.value):
        heading.quotePrefix = True
    heading.font = _font(bold=True, size=14)
    sheet.append([heading])
    image = Image(io.BytesIO(png))
    # One map or inherent and residual side by side: shown whole, at its aspect ratio.
    image.width, image.height = size
    sheet.add_image(image, "A3")


def _picture_size(png: bytes, limit: tuple[int, int]) -> tuple[int, int]:
    """(width, height) in screen pixels to show ``png`` at, within ``limit``, ratio kept."""
    width = int.from_bytes(png[16:20], "big") if png[12:16] == b"IHDR" else 0
    height = int.from_bytes(png[20:24], "big") if width else 0
    if width <= 0 or height <= 0:
        raise ValueError("The heat-map image has no size; render it again and export again.")
    scale = min(limit[0] / width, limit[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _write_info_sheet(workbook: Any, *, title: str, head_hash: str, generated_at: dt.datetime,
                      count: int, banding: Banding, cell_factory: Any, fills: dict,
                      fonts: dict, Font: Any, Alignment: Any, Border: Any, Side: Any,
                      action_count: int = 0, chance_fills: dict | None = None,
                      chance_fonts: dict | None = None) -> None:
    sheet = workbook.create_sheet("Info")
    sheet.column_dimensions["A"].width = 24
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 13.5
    sheet.sheet_view.showGridLines = False
    # One portrait page: the head hash and the banding table are never cut.
    sheet.page_setup.paperSize = _PAPER_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.oddFooter.left.text = _footer_text(title)
    sheet.oddFooter.right.text = "Page &P of &N"
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    def text(value: str, **style: Any) -> Any:
        cell = cell_factory(sheet)
        cell._value = value
        cell.data_type = "s"
        if needs_protection(value):
            cell.quotePrefix = True
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    bold = _font(bold=True)
    body = _font()
    label = {"font": bold, "alignment": top}
    sheet.append([text(title, font=_font(bold=True, size=14))])
    sheet.merged_cells.add("A1:F1")
    sheet.append([])
    sheet.append([text("Exported (UTC)", **label),
                  text(generated_at.strftime("%Y-%m-%d %H:%M:%S"), alignment=top, font=body)])
    sheet.append([text("Risks and opportunities", **label), count])
    # The long values span B:F and wrap; their rows are tall enough for two lines.
    sheet.row_dimensions[5].height = 30
    sheet.append([text("Audit-trail head hash", **label),
                  text(head_hash, alignment=wrap, font=body)])
    sheet.merged_cells.add("B5:F5")
    sheet.row_dimensions[6].height = 30
    sheet.append([text("Computed columns", **label),
                  text("Scores, levels, RPN and action priority (AIAG-VDA 2019) are values "
                       "computed at export time.", alignment=wrap, font=body)])
    sheet.merged_cells.add("B6:F6")
    sheet.append([text("Treatment actions", **label), action_count])
    sheet.append([])
    sheet.append([text("Banding (rows: likelihood, columns: impact)", font=bold)])
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # The cells' own fonts (conditional-format fonts carry only colour and weight).
    cell_fonts = {level: _font(color=font.color, bold=font.b) for level, font in fonts.items()}
    chance_cell_fonts = {level: _font(color=font.color, bold=font.b)
                         for level, font in (chance_fonts or {}).items()}

    def banding_table(words: Mapping[str, str], fill_of: dict, font_of: dict) -> None:
        sheet.append([text("", font=body)] + [text(f"{i} {IMPACT_LABELS[i]}", font=bold,
                                                   alignment=centre) for i in range(1, 6)])
        for likelihood in range(5, 0, -1):
            row = [text(f"{likelihood} {LIKELIHOOD_LABELS[likelihood]}", font=bold)]
            for impact in range(1, 6):
                level = banding.level(likelihood, impact)
                row.append(text(words[level], fill=fill_of[level], font=font_of[level],
                                alignment=centre, border=border))
            sheet.append(row)

    banding_table(LEVEL_LABELS, fills, cell_fonts)
    if chance_fills:
        sheet.append([])
        sheet.append([text("Opportunities: the same banding, in their own words and colours",
                           font=bold)])
        banding_table(OPPORTUNITY_WORDS, chance_fills, chance_cell_fonts)


def _prepare_actions(actions: Sequence[Mapping[str, Any]], safe_text: Any) -> list[list[Any]]:
    """The rows of the "Treatment actions" sheet (validated before anything is written), sorted
    by risk ID and due date: codes become the labels the importer reads back."""
    rows = []
    for action in actions:
        get = action.get
        ref = get("ref") or "(no ID)"
        row: list[Any] = []
        for key, _, _ in ACTION_COLUMNS:
            value = get(key)
            if key in _ACTION_DATES:
                if isinstance(value, dt.datetime):
                    value = value.date()
                if value is not None and not isinstance(value, dt.date):
                    raise ValueError(f"The {key.replace('_', ' ')} of action {ref} is not a "
                                     f"date ({value!r}).")
            elif key == "status":
                value = ACTION_STATUS_LABELS.get(value, value)
            elif key == "kind":
                value = ACTION_KIND_LABELS.get(value, value)
            elif key == "effective":
                value = EFFECTIVE_LABELS.get(value)
            if isinstance(value, str) or (value is not None and key not in _ACTION_DATES):
                value = safe_text(value, f"action {ref} {key.replace('_', ' ')}", get("risk_ref"))
            row.append(value)
        rows.append(row)
    return rows


def _write_actions_sheet(workbook: Any, rows: list[list[Any]], *, title: str, head_hash: str,
                         generated_at: dt.datetime, header_style: tuple[Any, Any, Any],
                         cell_factory: Any) -> int:
    """The "Treatment actions" sheet: a table with filters, frozen header, dates as dates;
    returns the number of actions written."""
    import warnings as _warnings

    from openpyxl.styles import Alignment
    from openpyxl.worksheet.dimensions import RowDimension
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    sheet = workbook.create_sheet(ACTION_SHEET)
    header_font, header_fill, header_alignment = header_style
    wrap = Alignment(wrap_text=True, vertical="top")  # as the workbook default
    for index, (_, _, width) in enumerate(ACTION_COLUMNS, start=1):
        dimension = sheet.column_dimensions[_column_letter(index)]
        dimension.width = width
        dimension.alignment = wrap  # LibreOffice reads unstyled cells from their column
    sheet.row_dimensions[1].height = _HEADER_HEIGHT * 2 / 3
    sheet.freeze_panes = "C2"
    sheet.page_setup.paperSize = _PAPER_A3
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.3
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = _footer_text(f"{title}: treatment actions")
    sheet.oddFooter.left.text = _footer_text(f"Audit-trail head: {head_hash}")
    sheet.oddFooter.center.text = "Page &P of &N"
    sheet.oddFooter.right.text = _footer_text(f"Exported {generated_at:%Y-%m-%d %H:%M} UTC")
    header = []
    for _, name, _ in ACTION_COLUMNS:
        cell = cell_factory(sheet, value=name)
        cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
        header.append(cell)
    sheet.append(header)
    centre = Alignment(horizontal="center", vertical="top")
    date_columns = [index for index, (key, _, _) in enumerate(ACTION_COLUMNS)
                    if key in _ACTION_DATES]
    wrapped = [(index, _line_capacity(width)) for index, (key, _, width)
               in enumerate(ACTION_COLUMNS) if key not in _ACTION_DATES]
    row_heights: list[float] = []
    for row_number, row in enumerate(rows, start=2):
        lines = 1
        for index, capacity in wrapped:
            value = row[index]
            if value is not None:
                text = value if value.__class__ is str else getattr(value, "_value", "")
                if isinstance(text, str) and (len(text) > capacity or "\n" in text):
                    lines = max(lines, _line_count(text, capacity))
        row_heights.append(min(lines, _MAX_LINES) * _LINE_HEIGHT)
        if lines > 1:
            sheet.row_dimensions[row_number] = RowDimension(
                sheet, index=0, ht=min(lines, _MAX_LINES) * _LINE_HEIGHT)
        out = list(row)
        for index in date_columns:
            if out[index] is not None:
                cell = cell_factory(sheet, value=out[index])
                cell.number_format = "yyyy-mm-dd"
                cell.alignment = centre
                out[index] = cell
        sheet.append(out)
    count = len(rows)
    if not count:
        sheet.append([])  # a table needs a data row
    ref = f"A1:{_column_letter(len(ACTION_COLUMNS))}{max(count, 1) + 1}"
    table = Table(displayName=_ACTION_TABLE, ref=ref,
                  tableColumns=[TableColumn(id=index, name=name)
                                for index, (_, name, _) in enumerate(ACTION_COLUMNS, start=1)],
                  autoFilter=AutoFilter(ref=ref),
                  tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True))
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", UserWarning)
        sheet.add_table(table)
    return count
