"""The training matrix and a person's training record on paper: PDF (QPdfWriter) and printing.

Qt only because it paints; ``qms export training-matrix … -o FILE.pdf`` imports it lazily and
works headless (an offscreen application is started when none runs).

The matrix is laid out on landscape A4 sheets: the name column and the course header (course
codes and titles turned 90°) are repeated on every sheet; when the courses do not fit across
one sheet they are split into column bands. Sheets are ordered rows first (every block of
people of the first band of courses, then the next band). Each cell shows the status's symbol
and its date on the status's fill, so it reads in black and white too; a legend heads every
sheet, and the footer carries the audit head, the date and "Page X of Y".

:func:`plan_matrix` is the pure page arithmetic; :func:`write_matrix_pdf`,
:func:`print_matrix` and :func:`write_record_pdf` paint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from ...core import training as rules
from ...core.palette import TRAINING_COLOURS
from ...services.exports.training_xlsx import cell_text, reasons_text

if TYPE_CHECKING:  # pragma: no cover
    from ...services.exports.training_xlsx import PersonRecord

__all__ = ["MatrixPage", "plan_matrix", "print_matrix", "write_matrix_pdf", "write_record_pdf"]

MARGIN_MM = 10.0
#: point sizes
TITLE_PT = 11.0
TEXT_PT = 6.5
SMALL_PT = 6.0
#: heights in millimetres
TOP_MM = 12.0  # title line, legend line and a gap
HEADER_MM = 36.0  # the turned course titles
ROW_MM = 4.4
FOOTER_MM = 6.0
NAME_MM = 44.0
PAD_MM = 0.8


def tr(text: str) -> str:
    return QCoreApplication.translate("TrainingPrint", text)


class PrintError(ValueError):
    """A PDF could not be written or the printer could not start; the message says why."""


@dataclass(frozen=True)
class MatrixPage:
    number: int  # 1-based
    rows: tuple[int, int]  # people [start, end)
    cols: tuple[int, int]  # courses [start, end)


def plan_matrix(people: int, courses: int, rows_per_page: int, cols_per_page: int
                ) -> list[MatrixPage]:
    """The sheets of a ``people`` × ``courses`` matrix: rows first, then column bands (every
    block of people for the first courses, then the same blocks for the next courses)."""
    rows_per_page = max(1, rows_per_page)
    cols_per_page = max(1, cols_per_page)
    row_blocks = [(r, min(r + rows_per_page, people)) for r in range(0, people, rows_per_page)]
    col_bands = [(c, min(c + cols_per_page, courses)) for c in range(0, courses, cols_per_page)]
    row_blocks = row_blocks or [(0, 0)]
    col_bands = col_bands or [(0, 0)]
    pages = []
    for cols in col_bands:
        for rows in row_blocks:
            pages.append(MatrixPage(len(pages) + 1, rows, cols))
    return pages


# --------------------------------------------------------------------------- painting kit

class _Kit:
    """Fonts, metrics and millimetre conversion for one paint device."""

    def __init__(self, painter: QPainter, dpi: float):
        self.p = painter
        self.mm = dpi / 25.4
        self.pt = dpi / 72.0
        self.device = painter.device()
        base = QFont()
        base.setStyleHint(QFont.StyleHint.SansSerif)
        for tag in ("liga", "clig"):  # the audit head copies out of the PDF as written
            base.setFeature(QFont.Tag(tag), 0)
        self.text = self.font(base, TEXT_PT)
        self.bold = self.font(base, TEXT_PT, bold=True)
        self.small = self.font(base, SMALL_PT)
        self.title = self.font(base, TITLE_PT, bold=True)
        self.heading = self.font(base, 8.5, bold=True)
        self.fm_text = QFontMetricsF(self.text, self.device)
        self.fm_bold = QFontMetricsF(self.bold, self.device)
        self.fm_small = QFontMetricsF(self.small, self.device)
        self.fm_title = QFontMetricsF(self.title, self.device)
        self.fm_heading = QFontMetricsF(self.heading, self.device)
        self.ink = QColor("#000000")
        self.grey = QColor("#555555")
        self.line = QPen(QColor("#9a9a9a"), 0.15 * self.mm)
        self.fills = {s: (QColor(f), QColor(t)) for s, (f, t) in TRAINING_COLOURS[False].items()}

    def font(self, base: QFont, points: float, bold: bool = False) -> QFont:
        f = QFont(base)
        f.setPixelSize(max(1, round(points * self.pt)))
        f.setBold(bold)
        return f

    def draw(self, rect: QRectF, text: str, font: QFont, fm: QFontMetricsF,
             flags: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
             colour: QColor | None = None) -> None:
        self.p.setFont(font)
        self.p.setPen(colour or self.ink)
        self.p.drawText(rect, int(flags), fm.elidedText(text, Qt.TextElideMode.ElideRight,
                                                        max(0.0, rect.width())))


def _footer(kit: _Kit, page: QRectF, number: int, total: int, head_text: str, day: str,
            extra: str = "") -> None:
    y = page.bottom() - FOOTER_MM * kit.mm
    kit.p.setPen(kit.line)
    kit.p.drawLine(QPointF(page.left(), y + 0.8 * kit.mm), QPointF(page.right(), y + 0.8 * kit.mm))
    line = QRectF(page.left(), y + 1.2 * kit.mm, page.width(), FOOTER_MM * kit.mm - 1.2 * kit.mm)
    right = tr("Page {x} of {y}").format(x=number, y=total)
    if extra:
        right = f"{extra} · {right}"
    right_w = kit.fm_small.horizontalAdvance(right) + 2
    kit.draw(line, right, kit.small, kit.fm_small,
             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    left = f"{day} · {head_text}" if head_text else day
    kit.draw(QRectF(line.left(), line.top(), line.width() - right_w - 4 * kit.mm, line.height()),
             left, kit.small, kit.fm_small)


def _legend_text() -> str:
    parts = [f"{rules.SYMBOLS[s]} {tr(rules.LABELS[s])}" for s in rules.STATUSES
             if s != rules.NOT_REQUIRED]
    return ("   ".join(parts) + "   " + tr("(blank) not required") + " — "
            + tr("dates: expiry, or the deadline when due"))


def _heading_lines(kit: _Kit, text: str, width: float, lines: int) -> str:
    """``text`` word-wrapped into at most ``lines`` lines of ``width``, the last elided."""
    words = text.split()
    out: list[str] = []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and kit.fm_text.horizontalAdvance(line + " " + words[0]) <= width:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out[-1] = kit.fm_text.elidedText(out[-1] + " " + " ".join(words),
                                         Qt.TextElideMode.ElideRight, width)
    return "\n".join(kit.fm_text.elidedText(s, Qt.TextElideMode.ElideRight, width)
                     for s in out)


def _page_rect(device: Any) -> tuple[QRectF, float]:
    dpi = device.resolution()
    r = device.pageLayout().paintRectPixels(dpi)
    return QRectF(0, 0, r.width(), r.height()), float(dpi)


def _set_layout(device: Any, landscape: bool) -> None:
    layout = QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                         QPageLayout.Orientation.Landscape if landscape
                         else QPageLayout.Orientation.Portrait,
                         QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                         QPageLayout.Unit.Millimeter)
    device.setPageLayout(layout)


# --------------------------------------------------------------------------- the matrix

def _paint_matrix(device: Any, painter: QPainter, matrix: Any, title: str, head_text: str
                  ) -> int:
    page, dpi = _page_rect(device)
    kit = _Kit(painter, dpi)
    mm = kit.mm
    day = dt.date.today().isoformat()
    cell_w = max(kit.fm_bold.horizontalAdvance(cell_text(s, dt.date(2099, 12, 31)))
                 for s in (rules.CURRENT, rules.EXPIRED))
    cell_w = max(cell_w, kit.fm_bold.horizontalAdvance(cell_text(rules.MISSING, None)))
    col_w = cell_w + 2 * PAD_MM * mm
    name_w = NAME_MM * mm
    row_h = ROW_MM * mm
    body_top = page.top() + (TOP_MM + HEADER_MM) * mm
    body_h = page.bottom() - FOOTER_MM * mm - body_top
    rows_per_page = int(body_h // row_h)
    cols_per_page = int((page.width() - name_w) // col_w)
    people, courses = matrix.people, matrix.courses
    pages = (plan_matrix(len(people), len(courses), rows_per_page, cols_per_page)
             if people and courses else [MatrixPage(1, (0, 0), (0, 0))])
    total = len(pages)
    head_lines = max(1, int(col_w // kit.fm_text.lineSpacing()))
    header_room = HEADER_MM * mm - 2 * PAD_MM * mm
    headings = [_heading_lines(kit, f"{c.code} {c.title}".strip() if c.code else c.title,
                               header_room, head_lines) for c in courses]
    names = [kit.fm_text.elidedText(p.name, Qt.TextElideMode.ElideRight,
                                    name_w - 2 * PAD_MM * mm) for p in people]
    legend = _legend_text()
    subtitle = tr("as of {day} · expiring window {n} days · {people} people, {courses} "
                  "courses").format(day=matrix.today.isoformat(), n=matrix.window_days,
                                    people=len(people), courses=len(courses))
    centre = Qt.AlignmentFlag.AlignCenter
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    nr = rules.NOT_REQUIRED
    texts: dict[tuple, str] = {}
    for pg in pages:
        if pg.number > 1:
            device.newPage()
        # title and legend
        line = QRectF(page.left(), page.top(), page.width(), kit.fm_title.height())
        sub_w = kit.fm_small.horizontalAdvance(subtitle) + 2
        kit.draw(line, subtitle, kit.small, kit.fm_small,
                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, kit.grey)
        kit.draw(QRectF(line.left(), line.top(), line.width() - sub_w - 4 * mm, line.height()),
                 title, kit.title, kit.fm_title)
        kit.draw(QRectF(page.left(), line.bottom() + 1 * mm, page.width(),
                        kit.fm_small.height()), legend, kit.small, kit.fm_small)
        (r0, r1), (c0, c1) = pg.rows, pg.cols
        top = page.top() + TOP_MM * mm
        x0 = page.left() + name_w
        n_rows, n_cols = r1 - r0, c1 - c0
        right = x0 + n_cols * col_w
        bottom = body_top + n_rows * row_h
        if not people or not courses:
            kit.draw(QRectF(page.left(), body_top, page.width(), row_h * 2),
                     tr("No training is required of anyone in this workspace."), kit.text,
                     kit.fm_text)
            _footer(kit, page, pg.number, total, head_text, day)
            continue
        # header: the name column's title and the turned course titles
        painter.fillRect(QRectF(page.left(), top, right - page.left(), HEADER_MM * mm),
                         QColor("#eef2f7"))
        kit.draw(QRectF(page.left() + PAD_MM * mm, body_top - kit.fm_bold.height() - PAD_MM * mm,
                        name_w, kit.fm_bold.height()), tr("Name"), kit.bold, kit.fm_bold)
        painter.setFont(kit.text)
        painter.setPen(kit.ink)
        for k, j in enumerate(range(c0, c1)):
            painter.save()
            painter.translate(x0 + k * col_w, body_top)
            painter.rotate(-90)
            # in the turned frame x runs up the page and y across the column
            painter.drawText(QRectF(PAD_MM * mm, 0, header_room, col_w),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             headings[j])
            painter.restore()
        # cells
        for k, i in enumerate(range(r0, r1)):
            y = body_top + k * row_h
            if k % 2:
                painter.fillRect(QRectF(page.left(), y, right - page.left(), row_h),
                                 QColor("#f7f7f7"))
            kit.draw(QRectF(page.left() + PAD_MM * mm, y, name_w - 2 * PAD_MM * mm, row_h),
                     names[i], kit.text, kit.fm_text, left)
            srow, drow = matrix.status[i], matrix.dates[i]
            for m, j in enumerate(range(c0, c1)):
                s = srow[j]
                if s == nr:
                    continue
                fill, ink = kit.fills[s]
                rect = QRectF(x0 + m * col_w, y, col_w, row_h)
                painter.fillRect(rect, fill)
                key = (s, drow[j])
                text = texts.get(key)
                if text is None:
                    text = texts[key] = cell_text(s, drow[j])
                bold = s in rules.OVERDUE
                painter.setFont(kit.bold if bold else kit.text)
                painter.setPen(ink)
                painter.drawText(rect, int(centre), text)
        # grid
        painter.setPen(kit.line)
        for k in range(n_rows + 1):
            y = body_top + k * row_h
            painter.drawLine(QPointF(page.left(), y), QPointF(right, y))
        for m in range(n_cols + 1):
            x = x0 + m * col_w
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        painter.drawLine(QPointF(page.left(), top), QPointF(page.left(), bottom))
        painter.drawLine(QPointF(page.left(), top), QPointF(right, top))
        where = tr("people {a}–{b} of {n}, courses {c}–{d} of {m}").format(
            a=r0 + 1, b=r1, n=len(people), c=c0 + 1, d=c1, m=len(courses))
        _footer(kit, page, pg.number, total, head_text, day, where)
    return total


def _ensure_app() -> None:
    from ..flowchart.render import ensure_app

    ensure_app()


def _begin(device: Any, painter: QPainter, what: str) -> None:
    if not painter.begin(device):
        raise PrintError(what)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing)


def _pdf_writer(path: Path, title: str, head_text: str, landscape: bool) -> QPdfWriter:
    if not path.parent.is_dir():
        raise PrintError(tr("The folder “{folder}” does not exist; create it or choose another "
                            "folder.").format(folder=path.parent))
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("QMS Workbench" + (f" · {head_text}" if head_text else ""))
    _set_layout(writer, landscape)
    return writer


def _not_written(path: Path) -> str:
    return tr("“{path}” could not be written; check that the folder is writable and the file "
              "is not open in another program.").format(path=path)


def write_matrix_pdf(matrix: Any, path: str | Path, *, title: str = "",
                     head_text: str = "") -> Path:
    """Write ``matrix`` (a ``services.training.Matrix``) as a PDF of landscape A4 sheets;
    ``head_text`` (``audit head HASH @ event N``) is printed in every footer."""
    _ensure_app()
    path = Path(path)
    title = title or tr("Training matrix")
    writer = _pdf_writer(path, title, head_text, landscape=True)
    painter = QPainter()
    _begin(writer, painter, _not_written(path))
    try:
        _paint_matrix(writer, painter, matrix, title, head_text)
    finally:
        painter.end()
    if not path.is_file() or path.stat().st_size == 0:
        raise PrintError(_not_written(path))
    return path


def print_matrix(matrix: Any, printer: Any, *, title: str = "", head_text: str = "") -> int:
    """Paint ``matrix`` on ``printer`` (a QPrinter, or the one a print preview hands over),
    landscape A4; returns the number of sheets."""
    title = title or tr("Training matrix")
    _set_layout(printer, landscape=True)
    painter = QPainter()
    _begin(printer, painter, tr("The printer could not be started; check that it is connected "
                                "and try again."))
    try:
        return _paint_matrix(printer, painter, matrix, title, head_text)
    finally:
        painter.end()


# --------------------------------------------------------------------------- a person's record

@dataclass
class _Block:
    """One line of the record's flow: a heading, a table row or a gap."""

    kind: str  # "heading", "row", "header", "gap"
    cells: Sequence[str] = ()
    status: str = ""
    height: float = 0.0


def _record_blocks(record: "PersonRecord") -> tuple[list[_Block], list[float]]:
    """The record's content as blocks, and the table's column widths (fractions)."""
    from ...services.training import KIND_LABELS

    p = record.person
    status = (tr("left") + (f" {record.left_on.isoformat()}" if record.left_on else "")
              if p.left else tr("active"))
    blocks = [_Block("heading", (tr("Details"),))]
    for label, value in ((tr("Employee no."), p.employee_no), (tr("Department"), p.department),
                         (tr("Manager"), p.manager), (tr("E-mail"), record.email),
                         (tr("Start date"), p.hired_on.isoformat() if p.hired_on else ""),
                         (tr("Status"), status),
                         (tr("Roles held today"), ", ".join(p.roles) or tr("(none)"))):
        blocks.append(_Block("pair", (label, value or "—")))
    blocks.append(_Block("gap"))
    blocks.append(_Block("heading", (tr("Role assignments"),)))
    blocks.append(_Block("header", (tr("Role"), tr("From"), tr("To"))))
    for h in record.roles:
        blocks.append(_Block("row", (h.role, h.valid_from.isoformat() if h.valid_from else "—",
                                     h.valid_to.isoformat() if h.valid_to else tr("(open)"))))
    if not record.roles:
        blocks.append(_Block("row", (tr("(none)"),)))
    blocks.append(_Block("gap"))
    blocks.append(_Block("heading", (tr("Required training"),)))
    blocks.append(_Block("header", (tr("Course"), tr("Status"), tr("Date"), tr("Last done"),
                                    tr("Kind · validity"), tr("Why it is required"))))
    for rc in record.required:
        c = rc.course
        blocks.append(_Block("row", (
            f"{c.code} {c.title}".strip() if c.code else c.title,
            f"{rules.SYMBOLS[rc.status]} {tr(rules.LABELS[rc.status])}",
            rc.date.isoformat() if rc.date else "",
            rc.latest.completed_on.isoformat() if rc.latest and rc.latest.completed_on else "—",
            f"{KIND_LABELS.get(c.kind, c.kind)} · {c.validity_text}",
            reasons_text(rc.reasons)), rc.status))
    if not record.required:
        blocks.append(_Block("row", (tr("(no training is required)"),)))
    blocks.append(_Block("gap"))
    blocks.append(_Block("heading", (tr("History (newest first)"),)))
    blocks.append(_Block("header", (tr("Course"), tr("Result"), tr("Completed"), tr("Expires"),
                                    tr("Trainer · revision"), tr("Evidence · notes"))))
    for r, c in record.history:
        course = (f"{c.code} {c.title}".strip() if c and c.code else (c.title if c else
                                                                     f"#{r.course_id}"))
        blocks.append(_Block("row", (
            course, r.result, r.completed_on.isoformat() if r.completed_on else "",
            r.expires_on.isoformat() if r.expires_on else "—",
            " · ".join(x for x in (r.trainer, r.document_revision and
                                   tr("rev. {r}").format(r=r.document_revision)) if x),
            " · ".join(x for x in (r.evidence, r.notes) if x))))
    if not record.history:
        blocks.append(_Block("row", (tr("(no training records)"),)))
    return blocks, [0.27, 0.13, 0.10, 0.10, 0.15, 0.25]


def write_record_pdf(record: "PersonRecord", path: str | Path, *, title: str = "",
                     head_text: str = "") -> Path:
    """Write one person's training record as a PDF (portrait A4): details, roles, each required
    course with status and why, and the full history, "Page X of Y" and the audit head in the
    footer."""
    _ensure_app()
    path = Path(path)
    title = title or tr("Training record: {name}").format(name=record.person.name)
    writer = _pdf_writer(path, title, head_text, landscape=False)
    painter = QPainter()
    _begin(writer, painter, _not_written(path))
    try:
        _paint_record(writer, painter, record, title, head_text)
    finally:
        painter.end()
    if not path.is_file() or path.stat().st_size == 0:
        raise PrintError(_not_written(path))
    return path


def _paint_record(device: Any, painter: QPainter, record: "PersonRecord", title: str,
                  head_text: str) -> int:
    page, dpi = _page_rect(device)
    kit = _Kit(painter, dpi)
    mm = kit.mm
    pad = PAD_MM * mm
    day = dt.date.today().isoformat()
    blocks, fractions = _record_blocks(record)
    widths = [f * page.width() for f in fractions]
    wrap = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
    label_w = 40 * mm

    def cell_rects(b: _Block) -> list[tuple[float, float]]:
        if b.kind == "pair":
            return [(0, label_w), (label_w, page.width() - label_w)]
        if len(b.cells) == 1:
            return [(0, page.width())]
        if len(b.cells) == 3:  # roles
            return [(0, 0.5 * page.width()), (0.5 * page.width(), 0.2 * page.width()),
                    (0.7 * page.width(), 0.2 * page.width())]
        xs, out = 0.0, []
        for w in widths:
            out.append((xs, w))
            xs += w
        return out

    # measure
    for b in blocks:
        if b.kind == "gap":
            b.height = 3 * mm
        elif b.kind == "heading":
            b.height = kit.fm_heading.height() + 2 * mm
        else:
            fm = kit.fm_bold if b.kind == "header" else kit.fm_text
            h = fm.height()
            for text, (_x, w) in zip(b.cells, cell_rects(b)):
                r = fm.boundingRect(QRectF(0, 0, w - 2 * pad, 10_000), wrap, text)
                h = max(h, r.height())
            b.height = h + 2 * pad
    top = page.top() + kit.fm_title.height() + kit.fm_small.height() + 4 * mm
    bottom = page.bottom() - FOOTER_MM * mm - 1 * mm
    pages: list[list[_Block]] = [[]]
    y = top
    for b in blocks:
        if y + b.height > bottom and pages[-1]:
            pages.append([])
            y = top
        if b.kind == "gap" and not pages[-1]:
            continue
        pages[-1].append(b)
        y += b.height
    total = len(pages)
    subtitle = tr("{name} · as of {day} · expiring window {n} days").format(
        name=record.person.name, day=record.today.isoformat(), n=record.window_days)
    for number, content in enumerate(pages, start=1):
        if number > 1:
            device.newPage()
        kit.draw(QRectF(page.left(), page.top(), page.width(), kit.fm_title.height()), title,
                 kit.title, kit.fm_title)
        kit.draw(QRectF(page.left(), page.top() + kit.fm_title.height() + 0.5 * mm,
                        page.width(), kit.fm_small.height()), subtitle, kit.small, kit.fm_small,
                 colour=kit.grey)
        y = top
        for b in content:
            if b.kind == "heading":
                kit.draw(QRectF(page.left(), y + 1 * mm, page.width(), kit.fm_heading.height()),
                         b.cells[0], kit.heading, kit.fm_heading)
            elif b.kind in ("row", "header", "pair"):
                rects = cell_rects(b)
                if b.kind == "header":
                    painter.fillRect(QRectF(page.left(), y, page.width(), b.height),
                                     QColor("#dde5ee"))
                for k, (text, (x, w)) in enumerate(zip(b.cells, rects)):
                    rect = QRectF(page.left() + x, y, w, b.height)
                    ink = kit.ink
                    if b.status and k == 1 and b.status in kit.fills:
                        fill, ink = kit.fills[b.status]
                        painter.fillRect(rect, fill)
                    bold = b.kind == "header" or (b.kind == "pair" and k == 0) or (
                        b.status in rules.OVERDUE and k == 1)
                    painter.setFont(kit.bold if bold else kit.text)
                    painter.setPen(ink)
                    painter.drawText(rect.adjusted(pad, pad, -pad, -pad), wrap, text)
                if b.kind != "pair":
                    painter.setPen(kit.line)
                    painter.drawLine(QPointF(page.left(), y + b.height),
                                     QPointF(page.right(), y + b.height))
            y += b.height
        _footer(kit, page, number, total, head_text, day)
    return total
