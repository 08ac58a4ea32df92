"""Controlled documents as Word files (.docx; python-docx and lxml, imported lazily; no Qt).

* :func:`write_procedure`: one :class:`~.procedure_model.ProcedureExport` as a Word document.
* :func:`write_manual`: many, as one numbered manual: a cover, a contents page (a real Word TOC
  field, and a register of number / title / revision / effective date / page, the page as a
  PAGEREF field, so it reads before any field is updated), then each document from a new page,
  with its own header.

**The template.** Both write into a styles template: the shipped
``qms_desktop/resources/templates/procedure.docx`` (built by ``tools/make_procedure_template.py``)
or a company's own letterhead .docx. Its body is cleared; its page setup, headers and footers
(logo, fonts, colours) and styles are kept. The control lines go where the header holds a
paragraph reading ``[QMS header]`` (the footer: ``[QMS footer]``); a header without one keeps
its content and gets the lines below it (the organization's name is then left out: the
letterhead has it). Missing styles never fail: the QMS styles are added, plainly, to a template
without them; built-in ones fall back (``List Number`` → a typed number, ``QMS Table`` →
``Table Grid`` → drawn borders).

**Content.** The document-control block (number, title, revision, status, effective date,
owner, process, next review), the approval block (each e-signature with printed name, meaning,
UTC and local time; an invalid one marked INVALID with its reason), the revision history, the
sections (``core.richtext`` light Markdown: headings, bold / italic / code runs, bullet and
numbered lists in the list styles, tables with a repeated header row), the process map with
its caption (before the Procedure section), the linked risks (each a threat or an opportunity),
the required training, the records kept. Only revisions up to the exported one are in the
history. The map, risks and training are live data: the caption says the map is drawn "as of"
the export day (``as_of``), a note says when the map changed after the revision took effect
(``map_changed_on``), and the risk and training tables are titled "current … as of" with a
line saying they are not part of the approved text. A tall or square map is fitted to the
text width in the flow; a wide one (width over ``LANDSCAPE_ASPECT`` times its height) is
"Annex A" at the end of the document (a "See Annex A" line where the map would have been, so
no half-empty page is left mid-document): a section with the page turned, the same margins
and the same header and footer (linked to the previous section), the map fitted to its text
width and height, the document's end mark on it. In a manual the header and footer belong to
each document's first section; its landscape annex is linked to it, and the next document
starts in portrait again. The manual's cover and contents say what it holds ("9 procedures in
force"). Every
page's header carries number, title, revision, status and "Page X of Y" (PAGE and NUMPAGES
fields with a cached value); its footer the "Uncontrolled when printed" marking and the audit
trail's head hash and event number. A draft or in-review revision is marked "DRAFT — not for
use" in the header and on the first page.

All user text passes :func:`xml_text` (control characters, lone surrogates and non-characters
removed). Files are written under a temporary name beside the target and moved into place.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core import richtext
from .procedure_model import ProcedureExport, SignatureLine

__all__ = ["FOOTER_MARK", "HEADER_MARK", "UNCONTROLLED", "write_manual", "write_procedure",
           "shipped_template", "xml_text"]

TEMPLATE_PACKAGE = "qms_desktop.resources.templates"
TEMPLATE_NAME = "procedure.docx"
HEADER_MARK = "[QMS header]"
FOOTER_MARK = "[QMS footer]"
UNCONTROLLED = "Uncontrolled when printed — check the revision in QMS Workbench before use."
DRAFT_MARK = "DRAFT — not for use"
TOC_PENDING = ("The table of contents is built when the document's fields are updated (Word "
               "offers it on opening; F9 updates it). The register below lists every document "
               "with its first page.")
MARKINGS = {
    "draft": (DRAFT_MARK, "This revision is a draft: it has not been reviewed and approved."),
    "in_review": (DRAFT_MARK, "This revision is in review: it has not been approved."),
    "approved": ("APPROVED — not yet effective",
                 "This revision is approved; the effective revision applies until its "
                 "effective date."),
    "obsolete": ("OBSOLETE — not for use", "This revision has been withdrawn."),
}
STATUS_TEXT = {"draft": "Draft", "in_review": "In review", "approved": "Approved",
               "effective": "Effective", "obsolete": "Obsolete"}
KIND_TEXT = {"procedure": "Procedure", "work_instruction": "Work instruction", "form": "Form",
             "policy": "Policy", "manual": "Manual", "record": "Records list",
             "external": "External document"}
KIND_PLURAL = {"procedure": ("procedure", "procedures"),
               "work_instruction": ("work instruction", "work instructions"),
               "form": ("form", "forms"), "policy": ("policy", "policies"),
               "manual": ("manual", "manuals"), "record": ("records list", "records lists"),
               "external": ("external document", "external documents")}
#: the cover's line when a manual holds no forms (the app's manuals never do)
NOT_IN_MANUAL = ("Forms and records lists are not included; the document register in QMS "
                 "Workbench lists every controlled document.")
MEANING_TEXT = {"authored": "Authored", "reviewed": "Reviewed", "approved": "Approved"}
RISK_KIND_TEXT = {"risk": "Threat", "threat": "Threat", "opportunity": "Opportunity"}
#: a map wider than this many times its height gets a landscape page of its own
LANDSCAPE_ASPECT = 1.5
#: room kept on the landscape page for the heading, the caption and their spacing (EMU, 3.2 cm)
LANDSCAPE_RESERVE = 1152000
#: and for the "— End of document —" mark (0.9 cm) and the map-changed note (1.2 cm)
ANNEX_END_RESERVE = 324000
ANNEX_NOTE_RESERVE = 432000
#: the name of the annex a wide map goes to
ANNEX = "Annex A"

HEAD_FILL = "DCE3EE"
LABEL_FILL = "F2F2F2"
INVALID_FILL = "FBE3E3"
RED = "C00000"
GREY = "595959"
#: longest run of letters without a break opportunity in a table cell; longer words get
#: zero-width spaces so fixed-width columns wrap them instead of overflowing
LONG_WORD = 40
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LONG = re.compile(r"\S{%d,}" % (LONG_WORD + 1))
#: our own styles: (name, based on, size pt, bold, colour) — added plainly when missing
QMS_STYLES = (("QMS Kind", "Normal", 9, True, GREY), ("QMS Document Title", "Title", 18, True, None),
              ("QMS Table Text", "Normal", 9, None, None), ("QMS Small", "Normal", 7.5, None, GREY),
              ("QMS Marking", "Normal", 11, True, RED))


def xml_text(text: Any) -> str:
    """``text`` as a string Word can hold: control characters (but tab and line feed), lone
    surrogates and non-characters removed; carriage returns become line feeds."""
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_BAD.sub("", s)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _esc(text).replace('"', "&quot;")


def _breakable(text: str) -> str:
    """Very long words with zero-width spaces every LONG_WORD characters (cells wrap them)."""
    if len(text) <= LONG_WORD:
        return text
    return _LONG.sub(lambda m: "\u200b".join(m.group(0)[i:i + LONG_WORD]
                                             for i in range(0, len(m.group(0)), LONG_WORD)),
                     text)


def shipped_template() -> bytes:
    from importlib import resources

    return resources.files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_NAME).read_bytes()


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


def _utc(t: dt.datetime | None) -> str:
    if t is None:
        return "—"
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _local(text: str) -> str:
    if not text:
        return "—"
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return xml_text(text)
    off = t.strftime("%z")
    off = f"UTC{off[:3]}:{off[3:]}" if off else ""
    return f"{t.strftime('%Y-%m-%d %H:%M')} {off}".strip()


# --------------------------------------------------------------------------- runs and paragraphs

@dataclass(frozen=True)
class R:
    """A run to write: text and its formatting."""
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    colour: str | None = None
    size: float | None = None
    caps: bool = False


def _runs_xml(runs: Iterable[R | richtext.Run], *, breakable: bool = False) -> str:
    out = []
    for r in runs:
        text = xml_text(r.text)
        if not text:
            continue
        if breakable:
            text = _breakable(text)
        props = []
        if getattr(r, "code", False):
            props.append('<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" '
                         'w:cs="Courier New"/>')
        if r.bold:
            props.append("<w:b/><w:bCs/>")
        if r.italic:
            props.append("<w:i/><w:iCs/>")
        if getattr(r, "caps", False):
            props.append("<w:caps/>")
        colour = getattr(r, "colour", None)
        if colour:
            props.append(f'<w:color w:val="{colour}"/>')
        size = getattr(r, "size", None)
        if size:
            props.append(f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>')
        if getattr(r, "code", False):
            props.append('<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>')
        rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
        parts = []
        for k, line in enumerate(text.split("\n")):
            if k:
                parts.append("<w:br/>")
            for j, piece in enumerate(line.split("\t")):
                if j:
                    parts.append("<w:tab/>")
                if piece:
                    parts.append(f'<w:t xml:space="preserve">{_esc(piece)}</w:t>')
        out.append(f"<w:r>{rpr}{''.join(parts)}</w:r>")
    return "".join(out)


def _field_xml(code: str, shown: str, *, rpr: str = "") -> str:
    """A complex field: begin, instruction, separate, the cached result, end."""
    r = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return (f'<w:r>{r}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{r}<w:instrText xml:space="preserve"> {_esc(code)} </w:instrText></w:r>'
            f'<w:r>{r}<w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r>{r}<w:t>{_esc(shown)}</w:t></w:r>'
            f'<w:r>{r}<w:fldChar w:fldCharType="end"/></w:r>')


# --------------------------------------------------------------------------- the writer

class _Writer:
    """One python-docx Document opened from the template, its body cleared, written as XML."""

    def __init__(self, template: Path | None):
        import io

        from docx import Document
        from docx.oxml.ns import qn

        try:
            if template is None:
                self.doc = Document(io.BytesIO(shipped_template()))
            else:
                self.doc = Document(str(template))
        except Exception as exc:  # a missing file, not a .docx, a damaged one
            from .risks_xlsx import _export_error

            raise _export_error(
                f"The template “{template}” cannot be used: it is not a Word document that "
                f"can be read ({exc.__class__.__name__}); choose a .docx file.") from None
        self.qn = qn
        body = self.doc.element.body
        self.body = body
        self.sectPr = body.find(qn("w:sectPr"))
        if self.sectPr is None:
            self.sectPr = body.get_or_add_sectPr()
        for child in list(body):
            if child is not self.sectPr:
                body.remove(child)
        self.out: list[Any] = []
        self._styles()
        sec = self.doc.sections[-1]
        emu = 635  # per twip
        page_w = sec.page_width or 7560310
        page_h = sec.page_height or 10692130
        self.width_emu = int(page_w - (sec.left_margin or 0) - (sec.right_margin or 0))
        self.height_emu = int(page_h - (sec.top_margin or 0) - (sec.bottom_margin or 0))
        if self.width_emu <= 0:
            self.width_emu = 6120000
        if self.height_emu <= 0:
            self.height_emu = 9000000
        self.width = self.width_emu // emu
        self._bookmark = 0
        self._shape_id = 70000   # above any id a template's header pictures use
        self._numbering = None
        self._stories = self._snapshot()
        #: the first section of the document being written once a landscape page has split
        #: it (its header and footer are filled there; the later sections link to it)
        self.doc_sectPr = None
        self._portrait: tuple[int, int] | None = None
        pg = self.sectPr.find(qn("w:pgNumType"))
        self._first_page = (sec.different_first_page_header_footer,
                            pg.get(qn("w:start")) if pg is not None else None)

    # ------------------------------------------------------------------ styles
    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        styles = self.doc.styles
        by_name: dict[str, Any] = {}
        for st in styles:
            try:
                by_name[st.name] = st
            except Exception:  # pragma: no cover - a style without a name
                continue
        for name, base, size, bold, colour in QMS_STYLES:
            if name in by_name:
                continue
            try:
                st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                parent = by_name.get(base) or by_name.get("Normal")
                if parent is not None and parent.type == WD_STYLE_TYPE.PARAGRAPH:
                    st.base_style = parent
                st.font.size = Pt(size)
                if bold:
                    st.font.bold = True
                if colour:
                    st.font.color.rgb = RGBColor.from_string(colour)
                st.paragraph_format.space_after = Pt(2 if name != "QMS Marking" else 6)
                if name == "QMS Kind":
                    st.font.all_caps = True
                by_name[name] = st
            except Exception:  # pragma: no cover - a styles part python-docx cannot extend
                continue
        self.style_ids = {name: st.style_id for name, st in by_name.items()
                          if st.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE)}
        self.para_types = {name for name, st in by_name.items()
                           if st.type == WD_STYLE_TYPE.PARAGRAPH}
        self.list_num = {}
        for name in ("List Bullet", "List Bullet 2", "List Number", "List Number 2"):
            st = by_name.get(name)
            self.list_num[name] = self._num_id(st) if st is not None else None

    def _num_id(self, st) -> str | None:
        qn = self.qn
        seen = 0
        while st is not None and seen < 5:
            ppr = st.element.find(qn("w:pPr"))
            num = ppr.find(qn("w:numPr")) if ppr is not None else None
            if num is not None:
                nid = num.find(qn("w:numId"))
                if nid is not None and nid.get(qn("w:val")) not in (None, "0"):
                    return nid.get(qn("w:val"))
            st = st.base_style
            seen += 1
        return None

    def sid(self, *names: str) -> str | None:
        """The style id of the first of ``names`` the document has (None: the default)."""
        for name in names:
            sid = self.style_ids.get(name)
            if sid:
                return sid
        return None

    # ------------------------------------------------------------------ building blocks
    def p(self, runs: Iterable[R | richtext.Run] | str = (), style: str | None = None, *,
          fallback: tuple[str, ...] = (), align: str | None = None, keep_next: bool = False,
          page_break: bool = False, ppr: str = "", extra: str = "",
          breakable: bool = False) -> str:
        if isinstance(runs, str):
            runs = (R(runs),)
        sid = self.sid(*((style,) if style else ()), *fallback) if (style or fallback) else None
        props = []
        if sid:
            props.append(f'<w:pStyle w:val="{_attr(sid)}"/>')
        if keep_next:
            props.append("<w:keepNext/>")
        if page_break:
            props.append("<w:pageBreakBefore/>")
        props.append(ppr)
        if align:
            props.append(f'<w:jc w:val="{align}"/>')
        body = "".join(props)
        return (f"<w:p>{'<w:pPr>' + body + '</w:pPr>' if body else ''}"
                f"{_runs_xml(runs, breakable=breakable)}{extra}</w:p>")

    def add(self, *xml: str) -> None:
        self.out.extend(xml)

    def flush(self) -> None:
        """Parse what was written since the last flush and put it before the body's sectPr."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        if not self.out:
            return
        chunk: list[str] = []
        anchor = self.sectPr

        def put_strings() -> None:
            if chunk:
                root = parse_xml(f'<w:body {nsdecls("w", "r", "wp", "a", "pic")}>'
                                 f'{"".join(chunk)}</w:body>')
                for child in list(root):
                    anchor.addprevious(child)
                chunk.clear()

        for item in self.out:
            if isinstance(item, str):
                chunk.append(item)
            else:
                put_strings()
                anchor.addprevious(item)
        put_strings()
        self.out.clear()

    def heading(self, text: str, level: int = 1, *, number: str = "") -> None:
        label = f"{number}\u2003{text}" if number else text
        names = [f"Heading {level}"] + [f"Heading {k}" for k in range(level - 1, 0, -1)]
        if self.sid(*names):
            self.add(self.p(label, names[0], fallback=tuple(names[1:]), keep_next=True))
        else:  # a template without heading styles
            self.add(self.p((R(label, bold=True, size=13 if level == 1 else 11),),
                            keep_next=True, ppr='<w:spacing w:before="240" w:after="80"/>'))

    def cell_p(self, runs: Iterable[R | richtext.Run] | str, *, align: str | None = None) -> str:
        return self.p(runs, "QMS Table Text", fallback=("Normal",), align=align,
                      ppr='<w:spacing w:before="0" w:after="0"/>'
                      if not self.sid("QMS Table Text") else "", breakable=True)

    def table(self, widths: tuple[float, ...], header: list[str] | None,
              rows: Iterable[list[str | list[str]]], *, fills: list[str | None] | None = None,
              label_cols: tuple[int, ...] = (), align: tuple[str, ...] = ()) -> str:
        """A table as XML: ``widths`` fractions of the text width; each cell a paragraph's
        XML (or a list of them); the header row repeats on every page; rows do not split."""
        total = self.width
        w = [max(300, int(total * f / sum(widths))) for f in widths]
        sid = self.sid("QMS Table", "Table Grid")
        borders = "" if sid else (
            "<w:tblBorders>" + "".join(
                f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
                for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
            + "</w:tblBorders>")
        out = ['<w:tbl><w:tblPr>',
               f'<w:tblStyle w:val="{_attr(sid)}"/>' if sid else "",
               f'<w:tblW w:w="{sum(w)}" w:type="dxa"/>', borders,
               '<w:tblLayout w:type="fixed"/>',
               '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
               '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>',
               '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
               'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
               "".join(f'<w:gridCol w:w="{x}"/>' for x in w), "</w:tblGrid>"]

        def row(cells: list, fill: str | None, head: bool) -> str:
            trpr = "<w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if head else "") + "</w:trPr>"
            tcs = []
            cells = list(cells) + [""] * (len(w) - len(cells))
            for k, (cell, width) in enumerate(zip(cells, w)):
                shade = fill if fill else (LABEL_FILL if k in label_cols else None)
                tcpr = (f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
                        + (f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
                           if shade else "") + "</w:tcPr>")
                if isinstance(cell, list):
                    content = "".join(cell) or self.cell_p("")
                elif cell.startswith("<w:p"):
                    content = cell
                else:
                    content = self.cell_p(cell)
                tcs.append(f"<w:tc>{tcpr}{content}</w:tc>")
            return f"<w:tr>{trpr}{''.join(tcs)}</w:tr>"

        if header is not None:
            out.append(row([self.cell_p((R(h, bold=True),),
                                        align=align[k] if k < len(align) else None)
                            for k, h in enumerate(header)], HEAD_FILL, True))
        for k, cells in enumerate(rows):
            out.append(row(cells, fills[k] if fills and k < len(fills) else None, False))
        out.append("</w:tbl>")
        return "".join(out)

    def spacer(self, pt: float = 4) -> str:
        return (f'<w:p><w:pPr><w:spacing w:before="0" w:after="{int(pt * 20)}" w:line="120" '
                f'w:lineRule="exact"/></w:pPr></w:p>')

    # ------------------------------------------------------------------ rich text
    def blocks(self, text: str, *, skip_lists: bool = False) -> None:
        for block in richtext.parse(xml_text(text)):
            if isinstance(block, richtext.Heading):
                level = min(block.level + 1, 4)
                names = [f"Heading {k}" for k in range(level, 0, -1)]
                if self.sid(*names):
                    self.add(self.p(block.runs, names[0], fallback=tuple(names[1:]),
                                    keep_next=True))
                else:
                    self.add(self.p([R(r.text, True, r.italic, r.code) for r in block.runs],
                                    keep_next=True))
            elif isinstance(block, richtext.Paragraph):
                self.add(self.p(block.runs, "Normal"))
            elif isinstance(block, richtext.ListBlock):
                if not skip_lists:
                    self.list_block(block)
            elif isinstance(block, richtext.Table):
                align = tuple({"center": "center", "right": "right"}.get(a, "left")
                              for a in block.align)
                n = max([len(block.header)] + [len(r) for r in block.rows])
                header = [self.cell_p([R(r.text, True, r.italic, r.code) for r in c],
                                      align=align[k] if k < len(align) else None)
                          for k, c in enumerate(block.header)]
                header += [self.cell_p("")] * (n - len(header))
                rows = [[self.cell_p(c, align=align[k] if k < len(align) else None)
                         for k, c in enumerate(r)] for r in block.rows]
                self.add(self._table_with_cells((1.0,) * n, header, rows))
                self.add(self.spacer())

    def _table_with_cells(self, widths, header_cells, rows) -> str:
        xml = self.table(widths, None, [header_cells] + rows, fills=[HEAD_FILL])
        # the first row is the header: repeat it on every page
        return xml.replace("<w:trPr><w:cantSplit/></w:trPr>",
                           "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>", 1)

    def _new_num(self, num_id: str, start: int) -> str | None:
        """A new numbering instance of ``num_id``'s list, restarting at ``start``."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        qn = self.qn
        try:
            if self._numbering is None:
                self._numbering = self.doc.part.numbering_part.element
            numbering = self._numbering
            abstract = None
            for num in numbering.findall(qn("w:num")):
                if num.get(qn("w:numId")) == num_id:
                    a = num.find(qn("w:abstractNumId"))
                    abstract = a.get(qn("w:val")) if a is not None else None
                    break
            if abstract is None:
                return None
            ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))
                   if (n.get(qn("w:numId")) or "").isdigit()]
            new_id = str(max(ids, default=0) + 1)
            numbering.append(parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{new_id}"><w:abstractNumId w:val="{abstract}"/>'
                f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{max(0, start)}"/>'
                f'</w:lvlOverride></w:num>'))
            return new_id
        except Exception:
            return None

    def list_block(self, block: richtext.ListBlock) -> None:
        counters = {0: 0, 1: 0}
        nums: dict[int, str | None] = {}
        previous: tuple[int, bool] | None = None
        for item in block.items:
            level = min(item.level, 1)
            if level == 0:
                counters[1] = 0
                nums.pop(1, None)
            kind = (level, item.ordered)
            if previous is not None and previous[0] == level and previous[1] != item.ordered:
                counters[level] = 0   # a bullet list after a numbered one at the same level
                nums.pop(level, None)
            previous = kind
            name = ("List Number" if item.ordered else "List Bullet") + (" 2" if level else "")
            style_id = self.sid(name)
            base = self.list_num.get(name)
            if item.ordered:
                if counters[level] == 0:
                    counters[level] = item.number if item.number is not None else 1
                    nums[level] = self._new_num(base, counters[level]) if base else None
                else:
                    counters[level] += 1
            if style_id and base and (not item.ordered or nums.get(level)):
                numpr = (f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{nums[level]}"/>'
                         f'</w:numPr>') if item.ordered else ""
                self.add(self.p(item.runs, name, ppr=numpr))
            else:  # no list style in this template: the marker typed, hanging indent
                marker = f"{counters[level]}." if item.ordered else "•"
                indent = 360 + 360 * level
                self.add(self.p((R(f"{marker}\t"), *item.runs), "List Paragraph",
                                fallback=("Normal",),
                                ppr=f'<w:tabs><w:tab w:val="left" w:pos="{indent}"/></w:tabs>'
                                    f'<w:ind w:left="{indent}" w:hanging="360"/>'
                                    '<w:spacing w:after="40"/>'))

    # ------------------------------------------------------------------ images
    def picture(self, png: bytes, *, max_height_share: float = 0.72,
                box: tuple[int, int] | None = None) -> str | None:
        """A paragraph holding ``png`` fitted to the text width (and to part of the text
        height), or into ``box`` (width, height EMU); None when the bytes are no image
        python-docx can read."""
        import io

        from docx.image.image import Image
        from docx.oxml.shape import CT_Inline
        from lxml import etree

        try:
            img = Image.from_blob(png)
            px_w, px_h = img.px_width, img.px_height
            if px_w <= 0 or px_h <= 0:
                return None
            box_w, max_h = box or (self.width_emu, int(self.height_emu * max_height_share))
            width = int(box_w * 0.98)   # a hair narrower: no overfull line
            height = int(width * px_h / px_w)
            if height > max_h:
                width = int(width * max_h / height)
                height = max_h
            # python-docx's new_pic_inline looks for a free shape id over the whole document
            # (slow in a long manual): the ids come from a counter instead
            rid, image = self.doc.part.get_or_add_image(io.BytesIO(png))
            self._shape_id += 1
            inline = CT_Inline.new_pic_inline(self._shape_id, rid, image.filename, width,
                                              height)
        except Exception:
            return None
        drawing = etree.tostring(inline, encoding="unicode")
        return (f'<w:p><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/>'
                f'<w:jc w:val="center"/></w:pPr><w:r><w:drawing>{drawing}</w:drawing></w:r></w:p>')

    # ------------------------------------------------------------------ landscape pages
    def _break_p(self, sect_pr, paragraph: str | None = None):
        """``paragraph`` (XML; None: an empty 1 pt paragraph) ending a section whose
        properties are ``sect_pr``, as an element for :meth:`add`."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        qn = self.qn
        xml = paragraph or ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" '
                            'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>')
        root = parse_xml(f'<w:body {nsdecls("w", "r", "wp", "a", "pic")}>{xml}</w:body>')
        p = root[0]
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = p.makeelement(qn("w:pPr"), {})
            p.insert(0, ppr)
        ppr.append(sect_pr)
        return p

    def landscape_start(self) -> tuple[int, int] | None:
        """End the section written so far here and go on in a landscape one: the page turned
        (width and height swapped), the same margins, header and footer linked to the
        previous section, no different first page, page numbers running on. Returns the
        landscape text (width, height) in EMU; None (nothing done) when the page is not
        portrait."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.section import Section

        qn = self.qn
        sect = self.sectPr
        sec = Section(sect, self.doc.part)
        pw, ph = sec.page_width, sec.page_height
        if not pw or not ph or pw >= ph:
            return None
        ended = sect.clone()   # the section as it was: its headers, first page, numbering
        self.add(self._break_p(ended))
        if self.doc_sectPr is None:
            self.doc_sectPr = ended
        for ref in sect.xpath("w:headerReference|w:footerReference"):
            sect.remove(ref)
        sec.different_first_page_header_footer = False
        pg = sect.find(qn("w:pgNumType"))
        if pg is not None:
            pg.attrib.pop(qn("w:start"), None)
        sec.start_type = WD_SECTION.NEW_PAGE
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = ph, pw
        self._portrait = (pw, ph)
        width = int(ph - (sec.left_margin or 0) - (sec.right_margin or 0))
        height = int(pw - (sec.top_margin or 0) - (sec.bottom_margin or 0))
        return (width if width > 0 else self.width_emu,
                height if height > 0 else self.width_emu)

    def landscape_end(self, paragraph: str | None = None) -> None:
        """End the landscape section with ``paragraph`` (XML) and go on in portrait (again
        linked to the previous section's header and footer)."""
        from docx.enum.section import WD_ORIENT
        from docx.section import Section

        if self._portrait is None:
            if paragraph:
                self.add(paragraph)
            return
        self.add(self._break_p(self.sectPr.clone(), paragraph))
        sec = Section(self.sectPr, self.doc.part)
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = self._portrait
        self._portrait = None

    def first_section(self, last):
        """The Section whose header and footer the document just written fills: its first
        one when a landscape page split it, else ``last``."""
        from docx.section import Section

        if self.doc_sectPr is None:
            return last
        return Section(self.doc_sectPr, self.doc.part)

    def next_document(self) -> None:
        """After a manual's section break: the new document's section starts as the
        template's (portrait, different first page, page number restart) even when the one
        before was split by, or ended on, a landscape page."""
        if self.doc_sectPr is None:
            return
        from docx.enum.section import WD_ORIENT
        from docx.section import Section

        qn = self.qn
        self.doc_sectPr = None
        if self._portrait is not None:   # the one before ended on its landscape annex
            sec = Section(self.sectPr, self.doc.part)
            sec.orientation = WD_ORIENT.PORTRAIT
            sec.page_width, sec.page_height = self._portrait
            self._portrait = None
        first, start = self._first_page
        if first:
            Section(self.sectPr, self.doc.part).different_first_page_header_footer = True
        pg = self.sectPr.find(qn("w:pgNumType"))
        if start is not None and pg is not None:
            pg.set(qn("w:start"), start)

    def bookmark(self) -> tuple[str, str, str]:
        """(name, start XML, end XML) of a new bookmark."""
        self._bookmark += 1
        n = self._bookmark
        name = f"_QMS_Doc_{n}"
        return (name, f'<w:bookmarkStart w:id="{9000 + n}" w:name="{name}"/>',
                f'<w:bookmarkEnd w:id="{9000 + n}"/>')

    # ------------------------------------------------------------------ headers and footers
    def _snapshot(self) -> dict:
        """The template's header and footer stories of the last section, as found, so each
        section can start from a pristine copy."""
        import copy

        sec = self.doc.sections[-1]
        stories = {}
        for kind, attr in (("default", ""), ("first", "first_page_"), ("even", "even_page_")):
            for which in ("header", "footer"):
                story = getattr(sec, f"{attr}{which}")
                if story.is_linked_to_previous:
                    continue
                stories[(kind, which)] = (copy.deepcopy(story._element), story.part)
        return stories

    def fill_stories(self, sec, header_xml: Callable[[bool], list[str]],
                     footer_xml: Callable[[bool], list[str]], *, fresh: bool) -> None:
        """Fill every header and footer of ``sec``: our lines at the placeholder paragraph
        or after the template's own content (``fresh``: ``sec`` is a new section whose
        stories start as copies of the template's)."""
        kinds = [("default", "")]
        if sec.different_first_page_header_footer:
            kinds.append(("first", "first_page_"))
        if self.doc.settings.odd_and_even_pages_header_footer:
            kinds.append(("even", "even_page_"))
        for kind, attr in kinds:
            for which, make, mark in (("header", header_xml, HEADER_MARK),
                                      ("footer", footer_xml, FOOTER_MARK)):
                story = getattr(sec, f"{attr}{which}")
                pristine = self._stories.get((kind, which))
                if fresh or story.is_linked_to_previous:
                    story.is_linked_to_previous = False
                    self._copy_story(story, pristine)
                self._put_lines(story, make, mark)

    def _copy_story(self, story, pristine) -> None:
        import copy

        el = story._element
        for child in list(el):
            el.remove(child)
        if pristine is None:
            return
        src_el, src_part = pristine
        dst_part = story.part
        clone = copy.deepcopy(src_el)
        if dst_part is not src_part:
            rel_attrs = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
                         + a for a in ("embed", "id", "link", "pict"))
            rel_attrs = tuple(rel_attrs)
            mapping: dict[str, str] = {}
            for node in clone.iter():
                for attr in rel_attrs:
                    rid = node.get(attr)
                    if not rid:
                        continue
                    if rid not in mapping:
                        rel = src_part.rels.get(rid)
                        if rel is None:
                            continue
                        if rel.is_external:
                            mapping[rid] = dst_part.relate_to(rel.target_ref, rel.reltype,
                                                              is_external=True)
                        else:
                            mapping[rid] = dst_part.relate_to(rel.target_part, rel.reltype)
                    node.set(attr, mapping[rid])
        for child in list(clone):
            el.append(child)

    def _put_lines(self, story, make: Callable[[bool], list[str]], mark: str) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        qn = self.qn
        el = story._element
        paragraphs = list(el.iter(qn("w:p")))
        marker = None
        own = False
        for p in paragraphs:
            text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
            if text == mark and marker is None:
                marker = p
            elif text or p.find(".//" + qn("w:drawing")) is not None or \
                    p.find(".//" + qn("w:pict")) is not None:
                own = True
        if not own and el.find(".//" + qn("w:drawing")) is not None:
            own = True
        xml = make(own)
        root = parse_xml(f'<w:hdr {nsdecls("w", "r")}>{"".join(xml)}</w:hdr>')
        new = list(root)
        if marker is not None:
            for child in new:
                marker.addprevious(child)
            marker.getparent().remove(marker)
        else:
            if not own:  # only empty paragraphs: ours replace them
                for p in paragraphs:
                    if p.getparent() is el:
                        el.remove(p)
            for child in new:
                el.append(child)
        if not len(el):  # a story needs a paragraph
            el.append(parse_xml(f'<w:p {nsdecls("w")}/>'))

    # ------------------------------------------------------------------ saving
    def save(self, path: Path, *, update_fields: bool = False) -> Path:
        from .risks_xlsx import save_atomically

        self.flush()
        if update_fields:
            from docx.oxml import parse_xml
            from docx.oxml.ns import nsdecls

            settings = self.doc.settings.element
            if settings.find(self.qn("w:updateFields")) is None:
                settings.append(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))
        props = self.doc.core_properties
        props.revision = max(1, props.revision or 1)
        return save_atomically(self.doc, path, lambda tmp: self.doc.save(str(tmp)))


# --------------------------------------------------------------------------- one document

def _status(data: ProcedureExport) -> str:
    return STATUS_TEXT.get(data.status, xml_text(data.status).replace("_", " ").capitalize())


def _short(text: str, n: int = 90) -> str:
    text = " ".join(xml_text(text).split())
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def _header_lines(w: _Writer, data: ProcedureExport, pages_shown: str) -> Callable[[bool], list[str]]:
    """The header's control lines; ``own`` (the template has its own letterhead): the
    organization's name is left out."""
    tab = f'<w:tabs><w:tab w:val="right" w:pos="{w.width}"/></w:tabs>'

    def make(own: bool) -> list[str]:
        small = 'QMS Small' if own else None
        lines = []
        marking = MARKINGS.get(data.status)
        if marking and data.status != "approved":
            lines.append(w.p((R(marking[0], bold=True, colour=RED, size=10),), "Header",
                             ppr=tab + '<w:spacing w:after="20"/>'))
        left = [R(xml_text(data.number), bold=True), R("  "), R(_short(data.title, 70), bold=True)]
        if not own and data.organization:
            left = [R(_short(data.organization, 50), bold=True), R("  ·  "), *left]
        lines.append(w.p((*left, R("\t"), R(f"Rev {xml_text(data.revision)}", bold=True),
                          R(f"  ·  {_status(data)}")), "Header", fallback=(small or "Normal",),
                         ppr=tab))
        eff = f"Effective {_date(data.effective_on)}"
        owner = f"  ·  Owner {_short(data.owner, 40)}" if data.owner else ""
        lines.append(w.p((R(eff + owner), R("\tPage ")), "Header", fallback=("Normal",),
                         ppr=tab + '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="3" '
                                   'w:color="A6A6A6"/></w:pBdr><w:spacing w:after="0"/>',
                         extra=_field_xml("PAGE", "1") + _runs_xml((R(" of "),))
                         + _field_xml("NUMPAGES", pages_shown)))
        return lines

    return make


def _footer_lines(w: _Writer, data: ProcedureExport) -> Callable[[bool], list[str]]:
    def make(own: bool) -> list[str]:
        head = xml_text(data.audit_head) or "—"
        exported = ""
        if data.exported_at:
            exported = f"Exported {_utc(data.exported_at)}"
            if data.exported_by:
                exported += f" by {xml_text(data.exported_by)}"
        border = ('<w:pBdr><w:top w:val="single" w:sz="4" w:space="3" w:color="A6A6A6"/>'
                  '</w:pBdr>')
        return [
            w.p((R(UNCONTROLLED, bold=True, size=7.5),), "Footer", fallback=("Normal",),
                ppr=border + '<w:spacing w:after="20"/>'),
            w.p((R(f"Audit trail head {head}  ·  event {data.audit_event:,}", size=7),),
                "Footer", fallback=("Normal",), ppr='<w:spacing w:after="0"/>'),
            *([w.p((R(exported + (f"  ·  {xml_text(data.number)} revision "
                                  f"{xml_text(data.revision)}" if data.number else ""),
                       size=7),), "Footer", fallback=("Normal",),
                   ppr='<w:spacing w:after="0"/>')] if exported else []),
        ]

    return make


def _control_block(w: _Writer, data: ProcedureExport, bookmark: tuple[str, str] | None = None,
                   page_break: bool = False) -> None:
    kind = KIND_TEXT.get(data.kind, xml_text(data.kind).replace("_", " ").capitalize())
    w.add(w.p((R(kind, caps=True),), "QMS Kind", page_break=page_break))
    start, end = bookmark or ("", "")
    title = f"{xml_text(data.number)}  {xml_text(data.title)}".strip()
    w.add(w.p((R(title),), "QMS Document Title", fallback=("Title",),
              extra="", ppr="").replace("<w:r>", start + "<w:r>", 1).replace("</w:p>",
                                                                          end + "</w:p>", 1))
    marking = MARKINGS.get(data.status)
    if marking:
        w.add(w.p((R(marking[0] + ".  ", bold=True), R(marking[1])), "QMS Marking",
                  ppr='<w:pBdr><w:top w:val="single" w:sz="8" w:space="2" w:color="C00000"/>'
                      '<w:left w:val="single" w:sz="8" w:space="4" w:color="C00000"/>'
                      '<w:bottom w:val="single" w:sz="8" w:space="2" w:color="C00000"/>'
                      '<w:right w:val="single" w:sz="8" w:space="4" w:color="C00000"/></w:pBdr>'
                      '<w:shd w:val="clear" w:color="auto" w:fill="FDF0F0"/>'
                      '<w:spacing w:before="80" w:after="120"/>'))
    w.add(w.spacer(4))
    lab = lambda s: w.cell_p((R(s, bold=True),))  # noqa: E731
    rows = [
        [lab("Document no."), w.cell_p(data.number), lab("Revision"), w.cell_p(data.revision)],
        [lab("Status"), w.cell_p(_status(data)), lab("Effective date"),
         w.cell_p(_date(data.effective_on))],
        [lab("Owner"), w.cell_p(data.owner or "—"), lab("Next review"),
         w.cell_p(_date(data.next_review_on))],
        [lab("Process"), w.cell_p(data.process or "—"), lab("Organization"),
         w.cell_p(data.organization or "—")],
    ]
    w.add(w.table((3.0, 5.5, 3.0, 5.5), None, rows, label_cols=(0, 2)))


def _approval(w: _Writer, signatures: list[SignatureLine]) -> None:
    w.heading("Approval")
    if not signatures:
        w.add(w.p((R("No electronic signatures are recorded for this revision.",
                     italic=True),)))
        return
    rows, fills = [], []
    for s in signatures:
        name = [w.cell_p((R(xml_text(s.signer_name) or xml_text(s.user) or "—", bold=True),)),
                w.cell_p((R(f"account {xml_text(s.user)}" if s.user else "", colour=GREY,
                            size=7.5),))]
        if s.valid:
            state = w.cell_p((R("Valid"),))
        else:
            state = w.cell_p((R("INVALID", bold=True, colour=RED),
                              R(f" — {xml_text(s.problem) or 'this signature no longer counts'}",
                                colour=RED)))
        rows.append([w.cell_p((R(MEANING_TEXT.get(s.meaning, xml_text(s.meaning).capitalize()),
                                 bold=True),)), name,
                     w.cell_p(_utc(s.signed_at_utc)), w.cell_p(_local(s.local_time)), state])
        fills.append(None if s.valid else INVALID_FILL)
    w.add(w.table((2.3, 3.5, 3.6, 3.6, 4.0),
                  ["Meaning", "Signed by", "Date and time (UTC)", "Signer's local time",
                   "Signature"], rows, fills=fills))
    w.add(w.p((R("Electronic signatures recorded in QMS Workbench; each binds the signer to "
                 "this revision's content.", size=7.5, colour=GREY),),
              ppr='<w:spacing w:before="40" w:after="0"/>'))


def _history(w: _Writer, data: ProcedureExport) -> None:
    w.heading("Revision history")
    if not data.history:
        w.add(w.p((R("No revision history recorded.", italic=True),)))
        return
    rows = []
    for h in data.history:
        people = [w.cell_p((R(f"{label}: ", colour=GREY), R(xml_text(v))))
                  for label, v in (("Author", h.author), ("Reviewer", h.reviewer),
                                   ("Approver", h.approver)) if v]
        rows.append([w.cell_p((R(xml_text(h.number), bold=True),)),
                     w.cell_p(STATUS_TEXT.get(h.status, xml_text(h.status))),
                     w.cell_p(_date(h.issued_on)), w.cell_p(_date(h.effective_on)),
                     w.cell_p(h.change_summary or "—"), people or w.cell_p("—")])
    w.add(w.table((1.2, 2.0, 2.3, 2.3, 5.2, 4.0),
                  ["Rev", "Status", "Issued", "Effective", "Summary of change", "People"],
                  rows))


def _png_size(png: bytes | None) -> tuple[int, int] | None:
    from docx.image.image import Image

    if not png:
        return None
    try:
        img = Image.from_blob(png)
    except Exception:
        return None
    return (img.px_width, img.px_height) if img.px_width > 0 and img.px_height > 0 else None


def _as_of(data: ProcedureExport) -> dt.date | None:
    """The day the live data (map, risks, training) was read."""
    if data.as_of is not None:
        return data.as_of
    return data.exported_at.date() if data.exported_at else None


def _as_of_text(data: ProcedureExport) -> str:
    day = _as_of(data)
    return f" as of {day.isoformat()}" if day else ""


def _is_wide(data: ProcedureExport) -> bool:
    size = _png_size(data.map_png)
    return bool(size and size[0] > LANDSCAPE_ASPECT * size[1])


def _map_paragraphs(w: _Writer, data: ProcedureExport, figure: int, where: str,
                    box: tuple[int, int] | None = None) -> list[str]:
    """The picture, its caption (the map as drawn on the export day) and, when the map
    changed after the revision took effect, the note saying so; ``where`` is where the
    procedure text is from here ("above" or "below")."""
    pic = w.picture(data.map_png, box=box) if data.map_png else None
    if pic is None:
        return [w.p((R("The process map image could not be read; open the map in QMS "
                       "Workbench.", italic=True),))]
    caption = f"Process map{_as_of_text(data)}"
    shows = xml_text(data.map_caption) or xml_text(data.process)
    if shows:
        caption += f": {shows}"
    out = [pic, w.p((R(f"Figure {figure} — "), R(caption)), "Caption", fallback=("Normal",),
                    align="center")]
    if data.map_changed_on is not None:
        out.append(w.p((R(f"The map changed after revision {xml_text(data.revision)} took "
                          f"effect; the procedure text {where} is the revision as approved.",
                          bold=True, colour=RED),
                        R(f"\nLast change to the map: {data.map_changed_on.isoformat()}.",
                          colour=RED)),
                       align="center", ppr='<w:spacing w:before="60" w:after="60"/>'))
    return out


def _map_inline(w: _Writer, data: ProcedureExport, number: str, figure: int,
                where: str) -> None:
    """A tall or square map in the flow, fitted to the text width."""
    w.heading("Process map", number=number)
    w.add(*_map_paragraphs(w, data, figure, where))


def _map_annex(w: _Writer, data: ProcedureExport, figure: int, end: str) -> None:
    """A wide map as Annex A at the end of the document: a landscape page of its own (the
    same header and footer), the map fitted to it, ``end`` (XML) the last paragraph on it.
    The document then ends in that landscape section."""
    box = w.landscape_start()
    if box is not None:   # the heading, caption, note and end mark share the page
        reserve = LANDSCAPE_RESERVE + ANNEX_END_RESERVE
        if data.map_changed_on is not None:
            reserve += ANNEX_NOTE_RESERVE
        box = (box[0], max(box[1] - reserve, box[1] // 2))
        w.heading(f"{ANNEX} — Process map")
    else:   # the template's page is landscape already: a new page
        w.add(w.p(f"{ANNEX} — Process map", "Heading 1", keep_next=True, page_break=True))
    w.add(*_map_paragraphs(w, data, figure, "above", box), end)


def _body(w: _Writer, data: ProcedureExport) -> int:
    """The numbered content of one document; returns a rough count of lines written (for
    the cached page numbers)."""
    lines = 0
    n = 0
    has_map = bool(data.map_png)
    annex = has_map and _is_wide(data)
    sections = list(data.sections)
    map_before = next((k for k, s in enumerate(sections) if s.key == "procedure"), None)
    records_done = False
    listed: dict[str, tuple[int, str]] = {}   # section key: (number, text)

    def map_here(where: str) -> int:
        if annex:   # where the map would have been: a pointer to the annex
            w.heading("Process map", number=str(n))
            w.add(w.p((R(f"See {ANNEX} — Process map, on a landscape page at the end of this "
                         f"document."),)))
            return 4
        _map_inline(w, data, str(n), 1, where)
        return 30

    for k, sec in enumerate(sections):
        if has_map and k == map_before:
            n += 1
            lines += map_here("below")
        n += 1
        title = xml_text(sec.title) or xml_text(sec.key).replace("_", " ").capitalize()
        w.heading(title, number=str(n))
        text = xml_text(sec.text)
        listed.setdefault(sec.key, (n, text))
        if sec.key == "records" and data.records:
            w.blocks(text, skip_lists=True)
            _records(w, data)
            records_done = True
        elif text.strip():
            w.blocks(text)
        else:
            w.add(w.p((R("Not applicable.", italic=True, colour=GREY),)))
        lines += 2 + text.count("\n") + len(text) // 90
    if has_map and map_before is None:
        n += 1
        lines += map_here("above")
    as_of = _as_of_text(data)
    rev = xml_text(data.revision)
    refs = listed.get("references")

    def named(words: list[str], what: str) -> str:
        """Where the approved text already names these items: say so (the table is the
        live view of the same items, the text is what was approved)."""
        if refs and any(x and x in refs[1] for x in words):
            return f" Section {refs[0]} (References) names the {what} as approved."
        return ""

    if data.risks:
        n += 1
        w.heading(f"Linked risks — current ratings{as_of}", number=str(n))
        w.add(_live_note(w, f"Read from the risk register{_on(data)}: live data, not part "
                            f"of the approved text of revision {rev}."
                            + named([xml_text(r.ref) for r in data.risks], "risks")))
        rows = [[w.cell_p((R(xml_text(r.ref), bold=True),)), w.cell_p(r.title),
                 w.cell_p(RISK_KIND_TEXT.get(r.kind, xml_text(r.kind).capitalize())),
                 w.cell_p(r.rating or "—"),
                 w.cell_p(r.residual or "—"), w.cell_p(r.treatment or "—")]
                for r in data.risks]
        w.add(w.table((1.5, 4.2, 2.7, 2.4, 2.4, 3.8),
                      ["Ref", "Risk or opportunity", "Kind", "Rating", "Residual",
                       "Treatment"], rows))
        lines += 4 + 2 * len(data.risks)
    if data.training:
        n += 1
        w.heading(f"Required training — current{as_of}", number=str(n))
        w.add(_live_note(w, f"Read from the training requirements{_on(data)}: live data, "
                            f"not part of the approved text of revision {rev}."
                            + named([xml_text(t.course).split(" ")[0] for t in data.training],
                                    "courses")))
        rows = [[w.cell_p(t.course), w.cell_p(t.roles or "—"), w.cell_p(t.validity or "—")]
                for t in data.training]
        w.add(w.table((7.0, 7.0, 3.0), ["Course", "Roles that complete it", "Valid for"],
                      rows))
        lines += 4 + len(data.training)
    if data.records and not records_done:
        n += 1
        w.heading("Records kept", number=str(n))
        _records(w, data)
    lines += len(data.records)
    end = w.p((R("— End of document —", colour=GREY, size=8),), align="center",
              ppr='<w:spacing w:before="240"/>')
    if annex:
        _map_annex(w, data, 1, end)
        lines += 56   # the annex's page of its own
    else:
        w.add(end)
    return lines


def _on(data: ProcedureExport) -> str:
    day = _as_of(data)
    return f" on {day.isoformat()}" if day else " on the export day"


def _live_note(w: _Writer, text: str) -> str:
    return w.p((R(text, italic=True, colour=GREY, size=8.5),), "Normal", keep_next=True)


def _records(w: _Writer, data: ProcedureExport) -> None:
    rows = [[w.cell_p(str(k)), w.cell_p(rec)] for k, rec in enumerate(data.records, 1)]
    w.add(w.table((1.0, 16.0), ["No.", "Record kept"], rows))


def _document(w: _Writer, data: ProcedureExport, bookmark=None, page_break=False) -> int:
    _control_block(w, data, bookmark, page_break)
    _approval(w, list(data.signatures))
    _history(w, data)
    lines = 30 + 2 * len(data.signatures) + 3 * len(data.history)
    return lines + _body(w, data)


def _pages(lines: int) -> int:
    return max(1, math.ceil(lines / 56))


def write_procedure(data: ProcedureExport, path: str | Path, *,
                    template: Path | None = None) -> Path:
    """Write ``data`` as a Word document at ``path`` (see the module's docstring)."""
    from .risks_xlsx import _check_target

    path = Path(path)
    _check_target(path)
    w = _Writer(Path(template) if template is not None else None)
    lines = _document(w, data)
    sec = w.first_section(w.doc.sections[-1])
    w.fill_stories(sec, _header_lines(w, data, str(_pages(lines))), _footer_lines(w, data),
                   fresh=False)
    kind = KIND_TEXT.get(data.kind, xml_text(data.kind).replace("_", " ").capitalize())
    _core_properties(
        w.doc, author=data.owner or data.organization,
        title=" ".join(x for x in (data.number, data.title) if x),
        subject=f"{kind} {data.number}, revision {data.revision} ({_status(data)})",
        keywords=[data.number, f"revision {data.revision}", _status(data), kind, data.process,
                  data.organization],
        category=kind, status=_status(data), identifier=data.number, version=data.revision,
        data=data)
    return w.save(path)


def _core_properties(doc: Any, *, author: str, title: str, subject: str, keywords: list[str],
                     category: str, status: str, identifier: str, version: str,
                     data: ProcedureExport | None) -> None:
    """The Word file's properties (File ▸ Info): the document owner (or the organization) as
    author, never the login that exported it or a template's own; the export as the last
    change; the audit trail's head in the comments. Nothing of the template's (the shipped
    one was made by python-docx, a letterhead by someone at the company) is left."""
    from ..audit_trail import stamp_text

    props = doc.core_properties
    head = data.audit_head if data is not None else ""
    event = data.audit_event if data is not None else 0
    when = data.exported_at if data is not None and data.exported_at else \
        dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    props.author = _short(author, 250) or "QMS Workbench"
    props.last_modified_by = "QMS Workbench"
    props.title = _short(title, 250)
    props.subject = _short(subject, 250)
    props.keywords = _short(", ".join(x for x in (xml_text(k).strip() for k in keywords) if x),
                            250)
    props.category = _short(category, 250)
    props.content_status = _short(status, 250)
    props.identifier = _short(identifier, 250)
    props.version = _short(version, 250)
    props.comments = _short(f"Exported by QMS Workbench · {stamp_text(head or '—', event)}",
                            250)
    props.created = props.modified = when   # naive UTC: written as UTC


# --------------------------------------------------------------------------- the manual

def write_manual(items: Iterable[ProcedureExport], path: str | Path, *,
                 template: Path | None = None, title: str = "Procedures manual",
                 count: int | None = None,
                 progress: Callable[[int, int], Any] | None = None,
                 cancel: Callable[[], bool] | None = None) -> Path | None:
    """Write every document of ``items`` into one manual at ``path``: a cover, the contents
    (a TOC field over the document titles and a register whose page column is a PAGEREF
    field), then each document from a new page in a section of its own (its own header and
    footer; pages numbered through the manual). ``items`` may be a generator (``count`` then
    gives the total for ``progress``). ``progress(done, total)`` is called after each document;
    ``cancel()`` before each: when it returns True nothing is written (an existing file of
    that name is left as it was) and None is returned."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.section import Section

    from .risks_xlsx import _check_target

    path = Path(path)
    _check_target(path)
    total = count if count is not None else (len(items) if hasattr(items, "__len__") else 0)
    stopped = cancel or (lambda: False)
    report = progress or (lambda _d, _t: None)
    w = _Writer(Path(template) if template is not None else None)
    qn = w.qn
    body = w.body
    title = xml_text(title) or "Procedures manual"

    # the cover and contents: the TOC's cached entries and the register's rows are added as
    # documents are written
    w.add(w.p((R(title),), "Title", fallback=("QMS Document Title",),
              ppr='<w:spacing w:before="2400" w:after="120"/>'))
    w.add(w.p((R("Contents"),), "TOC Heading", fallback=("Heading 1",), page_break=True))
    # the TOC field over the documents' titles; until it is updated (Word asks when the file
    # opens) its cached text points to the register below, whose pages are PAGEREF fields
    w.add(w.p((), "TOC 1", fallback=("Normal",),
              extra=('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
                     'xml:space="preserve"> TOC \\h \\z \\t "QMS Document Title,1" '
                     '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                     + _runs_xml((R(TOC_PENDING, italic=True, colour=GREY, size=8),))
                     + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')))
    w.add(w.p((R("Document register"),), "Heading 2", fallback=("Heading 1",),
              keep_next=True))
    widths = (1.0, 2.6, 7.4, 1.4, 2.4, 1.2)
    w.add(w.table(widths, ["No.", "Number", "Title", "Rev", "Effective", "Page"], [],
                  align=("left", "left", "left", "left", "left", "right")))
    w.flush()
    toc_anchor = w.sectPr.getprevious()
    while toc_anchor is not None and toc_anchor.tag != qn("w:tbl"):
        toc_anchor = toc_anchor.getprevious()
    register = toc_anchor

    def fragment(xml: str) -> list:
        return list(parse_xml(f'<w:body {nsdecls("w", "r")}>{xml}</w:body>'))

    def close_section() -> Section:
        """End the section written so far (a new page follows); its Section."""
        w.doc.add_section()   # new page: the break paragraph holds the closed section
        return Section(w.sectPr.getprevious().find(qn("w:pPr")).find(qn("w:sectPr")),
                       w.doc.part)

    done = 0
    kinds: dict[str, int] = {}   # kind: how many, in the order met
    all_in_force = True
    # the cached page numbers until fields update: a guess (cover, contents and register)
    page = 2 + math.ceil((total + 8) / 42) if total else 3
    first: ProcedureExport | None = None
    previous: ProcedureExport | None = None
    previous_page = page
    previous_first = None   # the previous document's first section when a map split it
    cover_section = None
    report(0, total)
    for data in items:
        if stopped():
            return None
        closed = close_section()
        if previous is None:
            cover_section = closed
        else:
            w.fill_stories(previous_first or closed,
                           _header_lines(w, previous, str(previous_page)),
                           _footer_lines(w, previous), fresh=True)
        w.next_document()
        first = first or data
        name, start, end = w.bookmark()
        lines = _document(w, data, (start, end))
        w.flush()
        previous_first = w.first_section(None)
        done += 1
        kinds[data.kind] = kinds.get(data.kind, 0) + 1
        all_in_force = all_in_force and data.status == "effective"
        pageref = _field_xml(f"PAGEREF {name} \\h", str(page))
        row = fragment(w.table(widths, None, [[
            w.cell_p(str(done)), w.cell_p((R(xml_text(data.number), bold=True),)),
            w.cell_p(data.title), w.cell_p(data.revision), w.cell_p(_date(data.effective_on)),
            w.cell_p((), align="right").replace("</w:p>", pageref + "</w:p>")]]))[0]
        for tr in row.findall(qn("w:tr")):
            register.append(tr)
        page += _pages(lines)
        previous, previous_page = data, page
        report(done, total)
    if stopped():
        return None
    last = (previous_first or w.doc.sections[-1]) if previous is not None else None
    if previous is not None:
        w.fill_stories(last, _header_lines(w, previous, str(previous_page)),
                       _footer_lines(w, previous), fresh=True)
    else:
        w.add(w.p((R("There are no documents in this manual.", italic=True),)))
        w.flush()
    # the cover's facts, now that the first document is known
    org = xml_text(first.organization) if first else ""
    cover = []
    if org:
        cover.append(w.p((R(org, size=14),), "Subtitle", fallback=("Normal",)))
    holds = _manual_holds(kinds, all_in_force)
    cover.append(w.p((R(holds),), "Normal"))
    if done and not kinds.keys() & {"form", "record"}:
        cover.append(w.p((R(NOT_IN_MANUAL, size=9, colour=GREY),), "Normal"))
    if done:
        register.addprevious(fragment(w.p((R(f"{holds}, in the order below."),),
                                          "Normal"))[0])
    if first is not None:
        when = _utc(first.exported_at) if first.exported_at else ""
        who = f" by {xml_text(first.exported_by)}" if first.exported_by else ""
        if when:
            cover.append(w.p((R(f"Exported {when}{who}"),), "Normal"))
        cover.append(w.p((R(f"Audit trail head {xml_text(first.audit_head) or '—'}  ·  event "
                            f"{first.audit_event:,}", size=8, colour=GREY),), "Normal"))
    cover.append(w.p((R(UNCONTROLLED, bold=True),), "Normal", ppr='<w:spacing w:before="480"/>'))
    title_p = body.find(qn("w:p"))
    for child in reversed(fragment("".join(cover))):
        title_p.addnext(child)
    # the cover section's header and footer: the manual's title, no document-control line
    manual = ProcedureExport(number="", title=title, kind="manual", revision="—",
                             status="effective", effective_on=None, owner="", process="",
                             organization=org, next_review_on=None,
                             audit_head=first.audit_head if first else "",
                             audit_event=first.audit_event if first else 0,
                             exported_at=first.exported_at if first else None,
                             exported_by=first.exported_by if first else "")
    w.fill_stories(cover_section or w.doc.sections[-1], _manual_header(w, manual, str(page)),
                   _footer_lines(w, manual), fresh=False)
    _core_properties(
        w.doc, author=org, title=title, subject=f"{title} ({holds})",
        keywords=[title, *(KIND_PLURAL.get(k, (k, k))[1] for k in kinds), org],
        category="Manual", status="In force" if done and all_in_force else "",
        identifier="", version="", data=first)
    return w.save(path, update_fields=True)


def _manual_holds(kinds: dict[str, int], in_force: bool) -> str:
    """What a manual holds, in words: "9 procedures in force", "1 policy, 7 procedures and
    1 work instruction in force"."""
    total = sum(kinds.values())
    if not total:
        return "No documents"
    parts = [f"{n} {KIND_PLURAL.get(k, (k.replace('_', ' '), k.replace('_', ' ') + 's'))[n != 1]}"
             for k, n in kinds.items()]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return xml_text(text + (" in force" if in_force else ""))


def _manual_header(w: _Writer, data: ProcedureExport, pages: str) -> Callable[[bool], list[str]]:
    tab = f'<w:tabs><w:tab w:val="right" w:pos="{w.width}"/></w:tabs>'

    def make(own: bool) -> list[str]:
        left = [R(_short(data.title, 80), bold=True)]
        if not own and data.organization:
            left = [R(_short(data.organization, 50), bold=True), R("  ·  "), *left]
        return [w.p((*left, R("\tPage ")), "Header", fallback=("Normal",),
                    ppr=tab + '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="3" '
                              'w:color="A6A6A6"/></w:pBdr>',
                    extra=_field_xml("PAGE", "1") + _runs_xml((R(" of "),))
                    + _field_xml("NUMPAGES", pages))]

    return make


#: ``text`` on one line, cut to ``n`` characters with "…" (for headers of other Word exports)
short = _short


# --------------------------------------------------------------------------- for other Word exports
# Small public entry points so other packs (the management review) write on the same template
# mechanism without copying it: the writer, fields and the file's properties.

def template_writer(template: str | Path | None = None) -> _Writer:
    """A writer on the shipped template (None) or a letterhead .docx: body cleared, the QMS
    styles added; build with its ``p`` / ``heading`` / ``blocks`` / ``table`` / ``picture``,
    fill headers and footers with ``fill_stories``, write with ``save``."""
    return _Writer(Path(template) if template is not None else None)


def field_xml(code: str, shown: str, *, rpr: str = "") -> str:
    """A Word field (PAGE, NUMPAGES, …) with its cached value, as run XML."""
    return _field_xml(code, shown, rpr=rpr)


def runs_xml(runs: Iterable[R | richtext.Run]) -> str:
    """Runs as XML, for ``extra=`` of a paragraph."""
    return _runs_xml(runs)


def set_core_properties(doc: Any, *, author: str, title: str, subject: str,
                        keywords: list[str], category: str, status: str, audit_head: str,
                        audit_event: int, exported_at: dt.datetime | None = None) -> None:
    """The file's properties as the procedures get them (author, title, audit head…)."""
    @dataclass
    class _Stamp:
        audit_head: str
        audit_event: int
        exported_at: dt.datetime | None

    _core_properties(doc, author=author, title=title, subject=subject, keywords=keywords,
                     category=category, status=status, identifier="", version="",
                     data=_Stamp(audit_head, audit_event, exported_at))  # type: ignore[arg-type]
