"""Build the Word styles template procedures are written with:
``qms_desktop/resources/templates/procedure.docx`` (python-docx; run from the repository root).

    python tools/make_procedure_template.py [OUT]

The template holds no content, only what the export keeps: A4 portrait with 2 cm side margins,
the named styles (Arial — Liberation Sans, its metric twin, where Arial is missing — headings,
list styles, the "QMS Table" table style, captions, the QMS paragraph styles) and a header and a
footer that each hold one placeholder paragraph, ``[QMS header]`` and ``[QMS footer]``: the
export puts its document-control lines there. A company template made from this one keeps
those two paragraphs wherever its letterhead wants them; a template without them gets the
lines after its own header and footer content.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "qms_desktop" / "resources" / "templates" / "procedure.docx"

FONT = "Arial"
INK = "1A1A1A"
ACCENT = "1F3864"        # dark blue: titles and headings
GREY = "595959"
RULE = "A6A6A6"
HEAD_FILL = "DCE3EE"

HEADER_MARK = "[QMS header]"
FOOTER_MARK = "[QMS footer]"


def _strip_theme(el) -> None:
    """Remove theme font and colour references so the explicit values apply everywhere."""
    from docx.oxml.ns import qn

    for child in el.iter(qn("w:rFonts"), qn("w:color")):
        for attr in list(child.attrib):
            if "heme" in attr:   # asciiTheme, hAnsiTheme, cstheme, themeColor, themeShade...
                del child.attrib[attr]


def _fonts(rpr, name: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), name)


def _border(ppr, side: str, size: int, colour: str, space: int = 1) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    for old in bdr.findall(qn(f"w:{side}")):
        bdr.remove(old)
    el = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)),
                 ("w:color", colour)):
        el.set(qn(k), v)
    bdr.append(el)


def _no_border(ppr) -> None:
    from docx.oxml.ns import qn

    for bdr in ppr.findall(qn("w:pBdr")):
        ppr.remove(bdr)


def _para_style(doc, name, *, size=None, bold=None, italic=None, colour=None, before=None,
                after=None, keep_next=None, base="Normal", outline=None):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    try:
        st = doc.styles[name]
    except KeyError:
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles[base]
        st.quick_style = True
    _strip_theme(st.element)
    f = st.font
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    if colour is not None:
        f.color.rgb = RGBColor.from_string(colour)
    pf = st.paragraph_format
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if keep_next is not None:
        pf.keep_with_next = keep_next
    if outline is not None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        ppr = st.element.get_or_add_pPr()
        for old in ppr.findall(qn("w:outlineLvl")):
            ppr.remove(old)
        el = OxmlElement("w:outlineLvl")
        el.set(qn("w:val"), str(outline))
        ppr.append(el)
    return st


def _table_style(doc):
    """"QMS Table": thin grey grid, cell margins, a shaded bold header row."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    st = doc.styles.add_style("QMS Table", WD_STYLE_TYPE.TABLE)
    st.base_style = doc.styles["Normal Table"]
    el = st.element
    edges = "".join(f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'
                    for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
    el.append(parse_xml(
        f'<w:pPr {nsdecls("w")}><w:spacing w:before="20" w:after="20" w:line="240" '
        f'w:lineRule="auto"/></w:pPr>'))
    el.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'))
    el.append(parse_xml(
        f'<w:tblPr {nsdecls("w")}><w:tblBorders>{edges}</w:tblBorders>'
        f'<w:tblCellMar><w:top w:w="45" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        f'<w:bottom w:w="45" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        f'</w:tblPr>'))
    el.append(parse_xml(
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/></w:tcPr>'
        f'</w:tblStylePr>'))
    return st


def build(out: Path = OUT) -> Path:
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    # the page: A4 portrait, 2 cm left/right, room for the header's control lines
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.6), Cm(2.2)
    sec.header_distance, sec.footer_distance = Cm(1.0), Cm(0.9)

    # document defaults and Normal: Arial everywhere (no theme fonts)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for rpr in defaults.iter(qn("w:rPr")):
            _fonts(rpr, FONT)
    for st in doc.styles:
        _strip_theme(st.element)
    normal = doc.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), FONT)
    normal.font.size = Pt(10)
    normal.font.color.rgb = RGBColor.from_string(INK)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1

    title = _para_style(doc, "Title", size=20, bold=True, colour=ACCENT, after=2)
    _no_border(title.element.get_or_add_pPr())
    title.font.all_caps = False
    _para_style(doc, "Subtitle", size=11, italic=False, colour=GREY, after=6)
    h1 = _para_style(doc, "Heading 1", size=13, bold=True, colour=ACCENT, before=16, after=6,
                     keep_next=True, outline=0)
    _border(h1.element.get_or_add_pPr(), "bottom", 4, RULE, 2)
    _para_style(doc, "Heading 2", size=11, bold=True, colour=ACCENT, before=10, after=4,
                keep_next=True, outline=1)
    _para_style(doc, "Heading 3", size=10, bold=True, italic=False, colour="262626", before=8,
                after=3, keep_next=True, outline=2)
    _para_style(doc, "Heading 4", size=10, bold=True, italic=True, colour="262626", before=6,
                after=2, keep_next=True, outline=3)
    for name in ("List Bullet", "List Bullet 2", "List Number", "List Number 2"):
        _para_style(doc, name, after=2)
    _para_style(doc, "Caption", size=8.5, bold=False, italic=True, colour=GREY, before=2,
                after=10)
    _para_style(doc, "Header", size=8, colour=GREY, after=0)
    _para_style(doc, "Footer", size=7, colour=GREY, after=0)
    _para_style(doc, "TOC Heading", size=13, bold=True, colour=ACCENT)
    _para_style(doc, "TOC 1", size=10, after=2)

    # the export's own styles (the export creates them, plainer, in templates without them)
    _para_style(doc, "QMS Kind", size=9, bold=True, colour=GREY, after=0).font.all_caps = True
    _para_style(doc, "QMS Document Title", size=18, bold=True, colour=ACCENT, after=2,
                keep_next=True, outline=0)
    _para_style(doc, "QMS Table Text", size=9, after=0).paragraph_format.line_spacing = 1.0
    _para_style(doc, "QMS Small", size=7.5, colour=GREY, after=0)
    _para_style(doc, "QMS Marking", size=11, bold=True, colour="C00000", before=0, after=6)
    _table_style(doc)

    # header and footer: one placeholder paragraph each, a right tab at the text's edge
    width = sec.page_width - sec.left_margin - sec.right_margin
    for story, mark in ((sec.header, HEADER_MARK), (sec.footer, FOOTER_MARK)):
        p = story.paragraphs[0]
        p.text = mark
        p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    for p in doc.paragraphs:   # the body stays empty: the export writes it
        p._p.getparent().remove(p._p)

    props = doc.core_properties
    props.title = "QMS Workbench procedure template"
    props.author = "QMS Workbench"
    props.last_modified_by = "QMS Workbench"
    props.created = props.modified = dt.datetime(2026, 1, 1)
    props.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
