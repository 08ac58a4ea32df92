"""Checklists on paper: a blank for the shop floor and a completed run, as PDF (QPdfWriter) or
printed.

Qt only because it paints; ``qms export checklist … -o FILE.pdf`` imports it lazily and works
headless (an offscreen application is started when none runs). The content comes from
``services.exports.checklist_xlsx.load_checklist`` (no Qt).

Portrait A4. Every page carries the template's name and version, the workspace's name, the run
code (when printed for a run, so the sheet can be typed back by item number) and the result
legend at the top; the table header is repeated; the footer holds the print date, the audit
head and "Page X of Y". The item table has the columns no., clause, question (the item's
guidance question under its title, expected evidence below it in small type), result boxes
C / P / NC / N/A (on a blank each with the digit that types it back in Fast entry beside it),
evidence and signature; a
completed run ticks its box, fills in evidence, notes and evidence links, and is followed by
its findings with their actions, the ISO 19011 steps and the sign-off.

Every row is measured before it is placed (text laid out with ``QTextLayout``, wrapped at word
boundaries, a word longer than its column broken inside), so no text is clipped and a row never
splits across pages — except a row taller than a whole page, which continues on the next page
under the repeated header, marked "(continued)".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextOption,
)

from ...services.exports.checklist_xlsx import (
    RESULT_BOXES,
    RESULT_LEGEND,
    STEP_LABELS,
    ChecklistDoc,
    action_line,
    answered_text,
    finding_status,
    finding_text,
    load_checklist,
    result_key,
    score_lines,
)

__all__ = ["COLUMNS_MM", "MARGIN_MM", "PrintError", "paint_checklist", "print_checklist",
           "write_checklist_pdf"]

MARGIN_MM = 12.0
#: the item table's columns and their widths in millimetres (they fill the 186 mm between the
#: margins of portrait A4)
COLUMNS_MM = (("no", 8.0), ("clause", 15.0), ("question", 68.0), ("conform", 8.0),
              ("partial", 8.0), ("nonconform", 8.0), ("na", 8.0), ("evidence", 44.0),
              ("signature", 19.0))
FINDING_COLUMNS_MM = (("ref", 26.0), ("kind", 24.0), ("clause", 14.0), ("description", 63.0),
                      ("actions", 45.0), ("status", 14.0))
STEP_COLUMNS_MM = (("step", 40.0), ("planned", 24.0), ("done", 24.0), ("notes", 98.0))
PAD_MM = 1.0
FOOTER_MM = 6.0
#: a blank's row leaves room to write by hand
BLANK_ROW_MM = 13.0
ROW_MM = 6.0
BOX_MM = 4.0
#: room for the digit beside a blank's box
KEY_MM = 2.6


def tr(text: str) -> str:
    return QCoreApplication.translate("ChecklistPrint", text)


class PrintError(ValueError):
    """A PDF could not be written or the printer could not start; the message says why."""


# --------------------------------------------------------------------------- text kit

class _Kit:
    """Fonts and millimetres for one paint device."""

    def __init__(self, painter: QPainter, device: Any, dpi: float):
        self.p = painter
        self.device = device
        self.mm = dpi / 25.4
        self.pt = dpi / 72.0
        base = QFont()
        base.setStyleHint(QFont.StyleHint.SansSerif)
        for tag in ("liga", "clig"):  # the audit head copies out of the PDF as written
            base.setFeature(QFont.Tag(tag), 0)
        self.fonts = {"text": self._font(base, 8.0), "bold": self._font(base, 8.0, True),
                      "small": self._font(base, 6.8), "head": self._font(base, 7.2, True),
                      "title": self._font(base, 12.0, True),
                      "heading": self._font(base, 10.0, True),
                      "code": self._font(base, 13.0, True)}
        self.ink = QColor("#000000")
        self.grey = QColor("#4a4a4a")
        self.line = QPen(QColor("#8c8c8c"), 0.18 * self.mm)
        self.strong = QPen(QColor("#000000"), 0.3 * self.mm)

    def _font(self, base: QFont, points: float, bold: bool = False) -> QFont:
        f = QFont(base)
        f.setPixelSize(max(1, round(points * self.pt)))
        f.setBold(bold)
        return f


@dataclass
class _Para:
    text: str
    font: str = "text"
    grey: bool = False
    align: str = "left"  # "left", "right", "centre"


@dataclass
class _Cell:
    x: float  # mm from the left margin
    w: float  # mm
    paras: list[_Para] = field(default_factory=list)
    box: bool | None = None  # a result box: None no box, False empty, True ticked
    key: str = ""  # the digit printed beside a blank's box (Fast entry)
    # laid out
    layouts: list[tuple[QTextLayout, float, bool]] = field(default_factory=list)
    bottoms: list[float] = field(default_factory=list)  # line bottoms (px) within the cell
    height: float = 0.0


@dataclass
class _Row:
    cells: list[_Cell]
    style: str = "grid"  # "grid", "header", "section", "plain", "heading", "gap"
    min_mm: float = 0.0
    keep_with_next: bool = False
    header: "_Row | None" = None  # the table header repeated above it on a new page
    height: float = 0.0  # px


@dataclass
class _Piece:
    row: _Row
    spans: list[tuple[float, float]]  # per cell: the part (px, from the cell's top) shown
    height: float
    continued: bool = False


def _layout(kit: _Kit, para: _Para, width: float) -> tuple[QTextLayout, list[float]]:
    text = para.text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\u2028")
    lay = QTextLayout(text, kit.fonts[para.font], kit.device)
    align = {"left": Qt.AlignmentFlag.AlignLeft, "right": Qt.AlignmentFlag.AlignRight,
             "centre": Qt.AlignmentFlag.AlignHCenter}[para.align]
    opt = QTextOption(align)
    opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    lay.setTextOption(opt)
    lay.setCacheEnabled(True)
    lay.beginLayout()
    y = 0.0
    bottoms = []
    while True:
        line = lay.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1.0, width))
        line.setPosition(QPointF(0, y))
        y += line.height()
        bottoms.append(y)
    lay.endLayout()
    return lay, bottoms


def _measure(kit: _Kit, row: _Row) -> None:
    pad = PAD_MM * kit.mm
    h = 0.0
    for c in row.cells:
        c.layouts, c.bottoms = [], []
        y = 0.0
        for k, para in enumerate(c.paras):
            if not para.text:
                continue
            if k and c.layouts:
                y += 0.6 * kit.mm  # a little air between paragraphs
            lay, bottoms = _layout(kit, para, c.w * kit.mm - 2 * pad)
            c.layouts.append((lay, y, para.grey))
            c.bottoms += [y + b for b in bottoms]
            y += bottoms[-1] if bottoms else 0.0
        if c.box is not None:
            y = max(y, BOX_MM * kit.mm)
            c.bottoms.append(y)
        c.height = y
        h = max(h, y)
    row.height = max(h + 2 * pad, row.min_mm * kit.mm)
    if row.style == "gap":
        row.height = row.min_mm * kit.mm


# --------------------------------------------------------------------------- content

def _cells(columns: tuple[tuple[str, float], ...], values: dict[str, Any]) -> list[_Cell]:
    out, x = [], 0.0
    for key, w in columns:
        v = values.get(key)
        cell = _Cell(x, w)
        if isinstance(v, bool):
            cell.box = v
        elif isinstance(v, list):
            cell.paras = v
        elif v:
            cell.paras = [_Para(str(v))]
        out.append(cell)
        x += w
    return out


def _full(paras: list[_Para], style: str = "plain", **kw: Any) -> _Row:
    return _Row([_Cell(0.0, sum(w for _, w in COLUMNS_MM), paras)], style, **kw)


def _pairs(label: str, value: str, style: str = "plain", min_mm: float = 0.0) -> _Row:
    return _Row([_Cell(0.0, 32.0, [_Para(label, "bold")]), _Cell(32.0, 154.0, [_Para(value)])],
                style, min_mm=min_mm)


def _header(columns: tuple[tuple[str, float], ...], titles: dict[str, str]) -> _Row:
    boxes = {r for r, _ in RESULT_BOXES}
    return _Row(_cells(columns, {k: [_Para(t, "head", align="centre" if k in boxes
                                           else "left")] for k, t in titles.items()}),
                "header")


def build_rows(doc: ChecklistDoc) -> list[_Row]:
    """The content of ``doc`` as rows, in order (pure of painting; measured later)."""
    rows: list[_Row] = []
    # details of the run (a blank without a run: lines to fill in)
    for label, value in doc.run_details():
        rows.append(_pairs(tr(label), value, "fill" if not value else "plain",
                           min_mm=7.0 if not value else 0.0))
    if doc.blank:
        code = doc.code
        text = tr("Tick one box per item: C conform, P partly conform, NC nonconform, N/A not "
                  "applicable. Note the evidence you saw and sign each item. The digit beside "
                  "each box is the key that types it back in Fast entry.")
        if code:
            text += " " + tr("Type the results back under run code {code} by item "
                             "number.").format(code=code)
        rows.append(_Row([], "gap", min_mm=2.0))
        rows.append(_full([_Para(text, "small", grey=True)]))
    else:
        rows.append(_Row([], "gap", min_mm=2.0))
        rows.append(_full([_Para(tr("Results"), "heading")], "heading", keep_with_next=True))
        for label, value in score_lines(doc):
            rows.append(_pairs(tr(label), value))
    rows.append(_Row([], "gap", min_mm=3.0))
    # the items
    signature = tr("Signature") if doc.blank else tr("By, on")
    header = _header(COLUMNS_MM, {"no": tr("No."), "clause": tr("Clause"),
                                  "question": tr("Question · expected evidence"),
                                  "conform": "C", "partial": "P", "nonconform": "NC",
                                  "na": "N/A", "evidence": tr("Evidence"),
                                  "signature": signature})
    rows.append(header)
    section = None
    for it in doc.items:
        if it.section and it.section != section:
            rows.append(_Row(_cells((("s", 186.0),), {"s": [_Para(it.section, "bold")]}),
                             "section", keep_with_next=True, header=header))
        section = it.section
        question = [_Para(it.topic, "bold")] if it.topic else []
        question.append(_Para(it.question))
        if it.expected_evidence:
            question.append(_Para(tr("Evidence: {e}").format(e=it.expected_evidence), "small",
                                  grey=True))
        values: dict[str, Any] = {"no": [_Para(str(it.number), "bold")], "clause": it.clause,
                                  "question": question}
        for result, _short in RESULT_BOXES:
            values[result] = (it.result == result) if not doc.blank else False
        if not doc.blank:
            ev = [_Para(it.evidence)] if it.evidence else []
            if it.notes:
                ev.append(_Para(tr("Note: {n}").format(n=it.notes), "small"))
            if it.links:
                ev.append(_Para(tr("Linked: {l}").format(l="; ".join(it.links)), "small",
                                grey=True))
            values["evidence"] = ev
            values["signature"] = [_Para(answered_text(it), "small")]
        row = _Row(_cells(COLUMNS_MM, values), "grid",
                   min_mm=BLANK_ROW_MM if doc.blank else ROW_MM, header=header)
        if doc.blank:
            for c, (key, _w) in zip(row.cells, COLUMNS_MM):
                if c.box is not None:
                    c.key = result_key(key)
        rows.append(row)
    if not doc.items:
        rows.append(_full([_Para(tr("This checklist has no items."))], "grid"))
    rows.append(_Row([], "gap", min_mm=4.0))
    # findings, steps
    if not doc.blank:
        rows.append(_full([_Para(tr("Findings"), "heading")], "heading", keep_with_next=True))
        if doc.findings:
            fh = _header(FINDING_COLUMNS_MM, {"ref": tr("Ref"), "kind": tr("Kind"),
                                              "clause": tr("Clause"),
                                              "description": tr("Finding"),
                                              "actions": tr("Actions"),
                                              "status": tr("Status")})
            rows.append(fh)
            for f in doc.findings:
                fr = f.row
                acts = [_Para(action_line(a), "small") for a in f.actions] or \
                    [_Para(tr("(no action yet)"), "small", grey=True)]
                desc = [_Para(fr.description)]
                rest = finding_text(fr)[len(fr.description):].strip()
                if rest:
                    desc.append(_Para(rest, "small"))
                rows.append(_Row(_cells(FINDING_COLUMNS_MM, {
                    "ref": [_Para(fr.ref, "bold")], "kind": fr.kind_label, "clause": fr.clause,
                    "description": desc, "actions": acts,
                    "status": finding_status(fr)}), "grid", min_mm=ROW_MM, header=fh))
        else:
            rows.append(_full([_Para(tr("No findings were recorded."))]))
        rows.append(_Row([], "gap", min_mm=4.0))
    if doc.steps and not doc.blank:
        rows.append(_full([_Para(tr("Audit steps (ISO 19011)"), "heading")], "heading",
                          keep_with_next=True))
        sh = _header(STEP_COLUMNS_MM, {"step": tr("Step"), "planned": tr("Planned"),
                                       "done": tr("Done"), "notes": tr("Notes")})
        rows.append(sh)
        for s in doc.steps:
            rows.append(_Row(_cells(STEP_COLUMNS_MM, {
                "step": tr(STEP_LABELS.get(s.step, s.step)),
                "planned": s.planned_on.isoformat() if s.planned_on else "",
                "done": s.done_on.isoformat() if s.done_on else "", "notes": s.notes}),
                "grid", min_mm=ROW_MM, header=sh))
        rows.append(_Row([], "gap", min_mm=4.0))
    # sign-off
    rows.append(_full([_Para(tr("Sign-off"), "heading")], "heading", keep_with_next=True))
    auditor = doc.run.auditor if doc.run else ""
    auditee = doc.run.auditee if doc.run else ""
    rows.append(_Row(_cells((("a", 93.0), ("b", 93.0)), {
        "a": [_Para(tr("Auditor"), "bold"), _Para(auditor),
              _Para(tr("Signature and date:"), "small", grey=True)],
        "b": [_Para(tr("Auditee"), "bold"), _Para(auditee),
              _Para(tr("Signature and date:"), "small", grey=True)]}), "grid", min_mm=24.0))
    return rows


def _page_head(doc: ChecklistDoc) -> _Row:
    kind = doc.status_text
    meta = " · ".join(x for x in (doc.version_text and tr("Version {v}").format(
        v=doc.template_version), doc.standard, doc.workspace) if x)
    left = [_Para(doc.title, "title"), _Para(meta, "small", grey=True),
            _Para(RESULT_LEGEND, "small", grey=True)]
    code = (tr("Run {code}").format(code=doc.code) if doc.code
            else tr("Run code: ________"))
    right = [_Para(code, "code" if doc.code else "bold", align="right"),
             _Para(kind, "small", align="right")]
    return _Row([_Cell(0.0, 136.0, left), _Cell(136.0, 50.0, right)], "plain")


# --------------------------------------------------------------------------- pages

def plan_pieces(rows: list[_Row], body: float, pad: float) -> list[list[_Piece]]:
    """Rows (measured, heights in px) onto pages of ``body`` px: a row goes whole to the next
    page when it does not fit (with the next row when it keeps with it), the table header is
    repeated above a table's rows on a new page; only a row taller than a page is split at
    line boundaries (``pad``: a cell's inner margin, px)."""
    pages: list[list[_Piece]] = [[]]
    y = 0.0

    def new_page(header: _Row | None) -> None:
        nonlocal y
        pages.append([])
        y = 0.0
        if header is not None:
            pages[-1].append(_Piece(header, [(0.0, c.height) for c in header.cells],
                                    header.height))
            y = header.height

    def content() -> bool:
        return any(p.row.style not in ("header", "gap") for p in pages[-1])

    for i, row in enumerate(rows):
        if row.style == "gap" and not content():
            continue
        need = row.height
        if row.keep_with_next and i + 1 < len(rows):
            need += rows[i + 1].height
            if rows[i + 1].style == "header" and i + 2 < len(rows):
                need += rows[i + 2].height
        if y + need > body and content():
            new_page(row.header)
        if y + row.height <= body:
            pages[-1].append(_Piece(row, [(0.0, c.height) for c in row.cells], row.height))
            y += row.height
            continue
        # taller than the room left on a fresh page: split at line boundaries
        starts = [0.0 for _ in row.cells]
        continued = False
        while True:
            room = body - y - 2 * pad
            spans, done = [], True
            for c, s in zip(row.cells, starts):
                ends = [b for b in c.bottoms if s < b <= s + room]
                e = ends[-1] if ends else s
                if not ends and any(b > s for b in c.bottoms) and not content():
                    e = min(b for b in c.bottoms if b > s)  # at least one line a page
                spans.append((s, e))
                done = done and all(b <= e for b in c.bottoms)
            h = max((e - s for s, e in spans), default=0.0) + 2 * pad
            pages[-1].append(_Piece(row, spans, h, continued))
            y += h
            if done:
                break
            starts = [e for _, e in spans]
            continued = True
            new_page(row.header)
    return [p for p in pages if p] or [[]]


def _paint_piece(kit: _Kit, piece: _Piece, left: float, y: float, page_w: float) -> None:
    p = kit.p
    row = piece.row
    pad = PAD_MM * kit.mm
    width = page_w
    if row.style == "header":
        p.fillRect(QRectF(left, y, width, piece.height), QColor("#dde5ee"))
    elif row.style == "section":
        p.fillRect(QRectF(left, y, width, piece.height), QColor("#eeeeee"))
    elif row.style == "fill":
        pass
    for c, (s, e) in zip(row.cells, piece.spans):
        x = left + c.x * kit.mm
        w = c.w * kit.mm
        if c.box is not None:
            size = BOX_MM * kit.mm
            bx = QRectF(x + (w - size) / 2, y + pad, size, size)
            if c.key:  # the box and its Fast entry digit side by side, centred together
                digit = KEY_MM * kit.mm
                bx.moveLeft(x + (w - size - digit) / 2)
                p.setFont(kit.fonts["small"])
                p.setPen(kit.grey)
                p.drawText(QRectF(bx.right(), bx.top(), digit, size),
                           int(Qt.AlignmentFlag.AlignCenter), c.key)
            p.setPen(kit.strong)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(bx)
            if c.box:
                inner = bx.adjusted(0.7 * kit.mm, 0.7 * kit.mm, -0.7 * kit.mm, -0.7 * kit.mm)
                p.setPen(QPen(kit.ink, 0.5 * kit.mm))
                p.drawLine(inner.topLeft(), inner.bottomRight())
                p.drawLine(inner.topRight(), inner.bottomLeft())
            continue
        if e <= s:
            continue
        for lay, top, grey in c.layouts:
            p.setPen(kit.grey if grey else kit.ink)
            origin = QPointF(x + pad, y + pad + top - s)
            if s <= top and top + lay.boundingRect().height() <= e + 0.01:
                lay.draw(p, origin)  # the whole paragraph
                continue
            for k in range(lay.lineCount()):  # only the lines of this part of the row
                line = lay.lineAt(k)
                if s - 0.01 <= top + line.y() and top + line.y() + line.height() <= e + 0.01:
                    line.draw(p, origin)
    if row.style == "fill":  # a line to write on
        p.setPen(kit.line)
        p.drawLine(QPointF(left + 32 * kit.mm, y + piece.height - 0.5 * kit.mm),
                   QPointF(left + width, y + piece.height - 0.5 * kit.mm))
    if row.style in ("grid", "header"):
        p.setPen(kit.line)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(left, y, sum(c.w for c in row.cells) * kit.mm, piece.height))
        for c in row.cells[1:]:
            x = left + c.x * kit.mm
            p.drawLine(QPointF(x, y), QPointF(x, y + piece.height))
    if row.style == "section":
        p.setPen(kit.line)
        p.drawRect(QRectF(left, y, width, piece.height))
    if piece.continued:
        f = kit.fonts["small"]
        p.setFont(f)
        p.setPen(kit.grey)
        p.drawText(QRectF(left, y - 3.2 * kit.mm, width, 3 * kit.mm),
                   int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                   tr("(continued)"))


def _paint(device: Any, painter: QPainter, doc: ChecklistDoc) -> int:
    dpi = float(device.resolution())
    r = device.pageLayout().paintRectPixels(int(dpi))
    page = QRectF(0, 0, r.width(), r.height())
    kit = _Kit(painter, device, dpi)
    head = _page_head(doc)
    _measure(kit, head)
    rows = build_rows(doc)
    for row in rows:
        _measure(kit, row)
    top = page.top() + head.height + 2 * kit.mm
    body = page.bottom() - FOOTER_MM * kit.mm - 1 * kit.mm - top
    pages = plan_pieces(rows, body, PAD_MM * kit.mm)
    total = len(pages)
    small = kit.fonts["small"]
    for number, pieces in enumerate(pages, start=1):
        if number > 1:
            device.newPage()
        _paint_piece(kit, _Piece(head, [(0.0, c.height) for c in head.cells], head.height),
                     page.left(), page.top(), page.width())
        painter.setPen(kit.strong)
        painter.drawLine(QPointF(page.left(), top - 1 * kit.mm),
                         QPointF(page.right(), top - 1 * kit.mm))
        y = top
        for piece in pieces:
            _paint_piece(kit, piece, page.left(), y, page.width())
            y += piece.height
        # footer
        fy = page.bottom() - FOOTER_MM * kit.mm
        painter.setPen(kit.line)
        painter.drawLine(QPointF(page.left(), fy + 0.8 * kit.mm),
                         QPointF(page.right(), fy + 0.8 * kit.mm))
        line = QRectF(page.left(), fy + 1.2 * kit.mm, page.width(),
                      FOOTER_MM * kit.mm - 1.2 * kit.mm)
        right = tr("Page {x} of {y}").format(x=number, y=total)
        if doc.code:
            right = f"{doc.code} · {right}"
        painter.setFont(small)
        painter.setPen(kit.ink)
        painter.drawText(line, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                         right)
        left = tr("Printed {day} · {stamp}").format(day=doc.printed_on.isoformat(),
                                                    stamp=doc.stamp)
        painter.drawText(line, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         left)
    return total


# --------------------------------------------------------------------------- entry points

def _set_layout(device: Any) -> None:
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))


def _begin(device: Any, painter: QPainter, what: str) -> None:
    if not painter.begin(device):
        raise PrintError(what)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing)


def _not_written(path: Path) -> str:
    return tr("“{path}” could not be written; check that the folder is writable and the file "
              "is not open in another program.").format(path=path)


def paint_checklist(doc: ChecklistDoc, path: str | Path) -> tuple[Path, int]:
    """Write ``doc`` as a PDF; returns the path and the number of pages."""
    from ..flowchart.render import ensure_app

    ensure_app()
    path = Path(path)
    if not path.parent.is_dir():
        raise PrintError(tr("The folder “{folder}” does not exist; create it or choose another "
                            "folder.").format(folder=path.parent))
    tmp = path.with_name(f".{path.name}.part.pdf")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(300)
    writer.setTitle(" · ".join(x for x in (doc.title, doc.version_text, doc.code) if x))
    writer.setCreator(f"QMS Workbench · {doc.stamp}")
    _set_layout(writer)
    painter = QPainter()
    try:
        _begin(writer, painter, _not_written(path))
        try:
            total = _paint(writer, painter, doc)
        finally:
            painter.end()
        del writer
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise PrintError(_not_written(path))
        try:
            tmp.replace(path)
        except OSError:
            raise PrintError(_not_written(path)) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return path, total


def write_checklist_pdf(ws: Any, template_id: int | None = None, run_id: int | None = None, *,
                        path: str | Path, blank: bool | None = None) -> Path:
    """A template's blank, a run's blank (``blank=True``, with its code) or a run's completed
    form (the default for a run) as a PDF of portrait A4 pages."""
    doc = load_checklist(ws, template_id, run_id, blank=blank)
    return paint_checklist(doc, path)[0]


def print_checklist(ws: Any, template_id: int | None = None, run_id: int | None = None, *,
                    printer: Any, blank: bool | None = None,
                    doc: ChecklistDoc | None = None) -> int:
    """Paint the checklist on ``printer`` (a QPrinter, or the one a print preview hands over);
    returns the number of pages."""
    doc = doc or load_checklist(ws, template_id, run_id, blank=blank)
    _set_layout(printer)
    painter = QPainter()
    _begin(printer, painter, tr("The printer could not be started; check that it is connected "
                                "and try again."))
    try:
        return _paint(printer, painter, doc)
    finally:
        painter.end()
