"""exports.procedure_docx: procedures and manuals as Word files, reopened with python-docx."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib

import pytest

from qms_desktop.services.exports.procedure_docx import (
    DRAFT_MARK,
    UNCONTROLLED,
    write_manual,
    write_procedure,
    xml_text,
)
from qms_desktop.services.exports.procedure_model import (
    ProcedureExport,
    RevisionLine,
    RiskLine,
    Section,
    SignatureLine,
    TrainingLine,
)
from qms_desktop.storage.workspace import WorkspaceError

HEAD = "9f2c4e1a7b3d5f60c8e2a4b6d8f0e1c3a5b7d9f1e3c5a7b9d1f3e5c7a9b1d3f5"


def png(width: int = 40, height: int = 20, rgb=(31, 56, 100)) -> bytes:
    """A plain PNG made by hand (no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def sample(status: str = "effective", number: str = "SOP-012", **over) -> ProcedureExport:
    data = dict(
        number=number, title="Incoming inspection of purchased goods", kind="procedure",
        revision="C", status=status, effective_on=dt.date(2026, 10, 15),
        owner="Anna Schmidt", process="Purchasing", organization="Nordwerk GmbH",
        next_review_on=dt.date(2028, 10, 15),
        sections=[Section("purpose", "Purpose", "Only **conforming** goods are used."),
                  Section("responsibilities", "Responsibilities",
                          "| Role | Duty |\n|---|---|\n| Inspector | Releases lots |"),
                  Section("procedure", "Procedure",
                          "1. Receive\n2. *Inspect*\n   - visual\n3. Release\n\n- a bullet"),
                  Section("records", "Records", "Keep:\n\n- Goods-in log")],
        signatures=[
            SignatureLine("authored", "Anna Schmidt", "aschmidt", dt.datetime(2026, 10, 2, 8, 15),
                          "2026-10-02T10:15:00+02:00", True),
            SignatureLine("reviewed", "Bob Okafor", "bokafor", dt.datetime(2026, 10, 3, 13, 40),
                          "", True),
            SignatureLine("approved", "Chen Li", "cli", dt.datetime(2026, 10, 5, 7, 5),
                          "2026-10-05T15:05:00+08:00", False, "content changed after signing")],
        history=[RevisionLine("A", "obsolete", dt.date(2024, 3, 1), dt.date(2024, 3, 15),
                              "First issue.", "Anna Schmidt", "Bob Okafor", "Chen Li"),
                 RevisionLine("C", status, dt.date(2026, 10, 5), None, "ERP step added.",
                              "Anna Schmidt", "", "")],
        map_png=png(40, 30), map_caption="Goods-in process",
        risks=[RiskLine("R-014", "Bad lot released", "threat", "12 High", "6 Medium",
                        "Sampling plan")],
        training=[TrainingLine("TR-101 Incoming inspection", "Inspector", "24 months")],
        records=["Goods-in log", "Inspection record"],
        audit_head=HEAD, audit_event=48213, exported_at=dt.datetime(2026, 12, 5, 9, 30),
        exported_by="aschmidt")
    data.update(over)
    return ProcedureExport(**data)


def open_docx(path):
    from docx import Document

    return Document(str(path))


def story_xml(doc, which: str) -> str:
    from lxml import etree

    out = []
    for sec in doc.sections:
        for attr in ("", "first_page_", "even_page_"):
            story = getattr(sec, f"{attr}{which}")
            if not story.is_linked_to_previous:
                out.append(etree.tostring(story._element, encoding="unicode"))
    return "".join(out)


def body_text(doc) -> str:
    return "\n".join(p.text for p in doc.element.body.iter()
                     if p.tag.endswith("}p") for p in [_P(p)])


class _P:
    def __init__(self, el):
        self.text = "".join("\t" if t.tag.endswith("}tab") and t.getparent().tag.endswith("}r")
                            else (t.text or "") if t.tag.endswith("}t") else ""
                            for t in el.iter())


def test_sections_in_order_tables_and_signatures(tmp_path):
    out = write_procedure(sample(), tmp_path / "sop.docx")
    doc = open_docx(out)
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert heads[:2] == ["Approval", "Revision history"]
    numbered = [h.split("\u2003", 1)[1] for h in heads[2:]]
    assert numbered == ["Purpose", "Responsibilities", "Process map", "Procedure", "Records",
                        "Linked risks — current ratings as of 2026-12-05",
                        "Required training — current as of 2026-12-05"]
    assert [h.split("\u2003")[0] for h in heads[2:]] == [str(k) for k in range(1, 8)]
    # control block, approval, history, responsibilities, records, risks, training
    assert len(doc.tables) == 7
    sign = doc.tables[1]
    texts = [[c.text for c in r.cells] for r in sign.rows]
    assert texts[0][0] == "Meaning"
    assert [r[0] for r in texts[1:]] == ["Authored", "Reviewed", "Approved"]
    assert "Anna Schmidt" in texts[1][1] and "aschmidt" in texts[1][1]
    assert texts[1][2] == "2026-10-02 08:15 UTC" and texts[1][3] == "2026-10-02 10:15 UTC+02:00"
    assert texts[2][3] == "—"
    assert texts[3][4].startswith("INVALID") and "content changed after signing" in texts[3][4]
    assert "Valid" == texts[1][4]
    # the header row repeats on every page; rows do not split
    xml = sign._tbl.xml
    assert "<w:tblHeader/>" in xml and "<w:cantSplit/>" in xml
    # lists in the list styles, the numbered list restarted at 1
    styles = [p.style.name for p in doc.paragraphs]
    assert styles.count("List Number") == 3 and "List Bullet 2" in styles
    assert "List Bullet" in styles
    # the map picture with its caption
    assert len(doc.inline_shapes) == 1
    assert any(p.text == "Figure 1 — Process map as of 2026-12-05: Goods-in process"
               for p in doc.paragraphs)
    # the records section: its text, the consolidated list instead of its own list
    text = body_text(doc)
    assert "Keep:" in text and "Inspection record" in text
    assert text.count("Goods-in log") == 1


def test_control_header_fields_and_footer_audit_head(tmp_path):
    doc = open_docx(write_procedure(sample(), tmp_path / "sop.docx"))
    header = story_xml(doc, "header")
    footer = story_xml(doc, "footer")
    for code in ("PAGE", "NUMPAGES"):
        assert re.search(rf"<w:instrText[^>]*> {code} </w:instrText>", header)
    assert header.count('w:fldCharType="begin"') == 2
    assert header.count('w:fldCharType="separate"') == header.count('w:fldCharType="end"') == 2
    flat = re.sub(r"<[^>]+>", "", header)
    for part in ("SOP-012", "Incoming inspection of purchased goods", "Rev C", "Effective",
                 "2026-10-15", "Anna Schmidt", "Page "):
        assert part in flat
    assert "[QMS header]" not in flat
    ftext = re.sub(r"<[^>]+>", "", footer)
    assert HEAD in ftext and "48,213" in ftext
    assert UNCONTROLLED in ftext and "[QMS footer]" not in ftext
    assert DRAFT_MARK not in flat


def test_draft_is_marked(tmp_path):
    doc = open_docx(write_procedure(sample("in_review"), tmp_path / "d.docx"))
    assert DRAFT_MARK in re.sub(r"<[^>]+>", "", story_xml(doc, "header"))
    assert any(p.text.startswith(DRAFT_MARK) for p in doc.paragraphs)


def test_template_body_cleared_section_kept(tmp_path):
    from docx import Document
    from docx.shared import Cm

    tpl = Document()
    tpl.add_paragraph("LETTERHEAD BODY TEXT THAT MUST GO")
    tpl.sections[0].left_margin = Cm(3.3)
    tpl.save(str(tmp_path / "t.docx"))
    doc = open_docx(write_procedure(sample(), tmp_path / "o.docx",
                                    template=tmp_path / "t.docx"))
    assert "LETTERHEAD BODY TEXT" not in body_text(doc)
    assert abs(doc.sections[0].left_margin - Cm(3.3)) < Cm(0.01)


def foreign_template(path):
    """A company letterhead: a logo in the header, its own font, no QMS styles or markers."""
    from docx import Document
    from docx.shared import Cm, Pt

    tpl = Document()
    tpl.styles["Normal"].font.name = "Georgia"
    tpl.styles["Normal"].font.size = Pt(11)
    for name in ("List Number", "List Bullet"):   # a template without list styles
        el = tpl.styles[name].element
        el.getparent().remove(el)
    header = tpl.sections[0].header
    run = header.paragraphs[0].add_run()
    run.add_picture(io.BytesIO(png(120, 40, (200, 30, 30))), width=Cm(3))
    header.add_paragraph("ACME Quality Ltd · 1 Harbour Road")
    tpl.sections[0].footer.paragraphs[0].text = "ACME registered in England"
    tpl.save(str(path))
    return path


def test_foreign_letterhead_keeps_logo_and_its_text(tmp_path):
    tpl = foreign_template(tmp_path / "acme.docx")
    out = write_procedure(sample(), tmp_path / "sop.docx", template=tpl)
    doc = open_docx(out)
    header = doc.sections[0].header
    xml = story_xml(doc, "header")
    assert "<w:drawing>" in xml or "<w:drawing" in xml
    rid = re.search(r'r:embed="([^"]+)"', xml).group(1)
    assert header.part.related_parts[rid].content_type == "image/png"
    texts = [p.text for p in header.paragraphs]
    assert texts[1] == "ACME Quality Ltd · 1 Harbour Road"
    assert any("SOP-012" in t for t in texts[2:])
    assert "Nordwerk GmbH" not in "".join(texts)   # their letterhead names the company
    assert "ACME registered in England" in story_xml(doc, "footer")
    assert doc.styles["Normal"].font.name == "Georgia"
    # numbered items without a list style: typed numbers, nothing lost
    text = body_text(doc)
    assert "1.\tReceive" in text and "•\ta bullet" in text


def test_manual_of_foreign_template_copies_logo_into_each_section(tmp_path):
    tpl = foreign_template(tmp_path / "acme.docx")
    docs = [sample(number=f"SOP-{k:03d}") for k in range(1, 4)]
    out = write_manual(docs, tmp_path / "m.docx", template=tpl, title="ACME manual")
    doc = open_docx(out)
    assert len(doc.sections) == 4
    for sec in doc.sections:
        xml = story_xml_one(sec.header)
        rid = re.search(r'r:embed="([^"]+)"', xml).group(1)
        assert sec.header.part.related_parts[rid].content_type == "image/png"
    assert "SOP-002" in story_xml_one(doc.sections[2].header)


def story_xml_one(story) -> str:
    from lxml import etree

    return etree.tostring(story._element, encoding="unicode")


def test_manual_contents_toc_register_and_new_pages(tmp_path):
    docs = [sample(number=f"SOP-{k:03d}", title=f"Procedure {k}") for k in range(1, 6)]
    seen = []
    out = write_manual(iter(docs), tmp_path / "manual.docx", count=5,
                       progress=lambda d, t: seen.append((d, t)), title="Quality manual")
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    doc = open_docx(out)
    xml = doc.element.body.xml
    assert re.search(r'<w:instrText[^>]*> TOC \\h \\z \\t "QMS Document Title,1" ', xml)
    assert len(re.findall(r"PAGEREF _QMS_Doc_\d+ \\h", xml)) == 5
    assert len(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="_QMS_Doc_\d+"/>', xml)) == 5
    register = doc.tables[0]
    assert [r.cells[1].text for r in register.rows] == ["Number"] + [d.number for d in docs]
    assert register.rows[1].cells[2].text == "Procedure 1"
    assert len(doc.sections) == 6               # the cover and contents, then one per document
    for k, sec in enumerate(doc.sections[1:], 1):
        assert f"SOP-{k:03d}" in story_xml_one(sec.header)
        assert "PAGE" in story_xml_one(sec.header)
    assert "Quality manual" in story_xml_one(doc.sections[0].header)
    settings = doc.settings.element.xml
    assert "updateFields" in settings


def test_manual_cancel_leaves_no_file_and_keeps_an_old_one(tmp_path):
    docs = [sample(number=f"SOP-{k:03d}") for k in range(1, 6)]
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    target = tmp_path / "manual.docx"
    assert write_manual(docs, target, cancel=cancel) is None
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
    target.write_bytes(b"old")
    assert write_manual(docs, target, cancel=lambda: True) is None
    assert target.read_bytes() == b"old"


HOSTILE = ("nul\x00 vt\x0b esc\x1b ff\x0c bell\x07 \ufffe\uffff lone\ud800 "
           + "W" * 3000 + " עברית مرحبا 😀🧪 <w:t>&amp;</w:t> \"quotes\" 'x' ]]> \r\n\r line")


def test_hostile_text_everywhere(tmp_path):
    sig = SignatureLine(HOSTILE, HOSTILE, HOSTILE, dt.datetime(2026, 1, 1), HOSTILE, False,
                        HOSTILE)
    data = sample(number=HOSTILE[:60], title=HOSTILE, owner=HOSTILE, process=HOSTILE,
                  organization=HOSTILE, kind=HOSTILE, status=HOSTILE, revision=HOSTILE,
                  sections=[Section(HOSTILE, HOSTILE, HOSTILE + "\n\n| a | b |\n|---|---|\n| "
                                    + HOSTILE.replace("|", "") + " | x |")],
                  signatures=[sig], map_caption=HOSTILE,
                  history=[RevisionLine(HOSTILE, HOSTILE, None, None, HOSTILE, HOSTILE,
                                        HOSTILE, HOSTILE)],
                  risks=[RiskLine(*(HOSTILE,) * 6)], training=[TrainingLine(*(HOSTILE,) * 3)],
                  records=[HOSTILE], audit_head=HOSTILE, exported_by=HOSTILE)
    out = write_procedure(data, tmp_path / "h.docx")
    doc = open_docx(out)
    text = body_text(doc)
    assert "😀🧪" in text and "עברית" in text and "<w:t>&amp;</w:t>" in text
    assert "\x00" not in text and "\x0b" not in text
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                from lxml import etree

                etree.fromstring(z.read(name))   # every part is well-formed XML
    # very long words get break opportunities in table cells
    assert "\u200b" in doc.tables[0].rows[0].cells[1].text or \
        any("\u200b" in c.text for t in doc.tables for r in t.rows for c in r.cells)
    write_manual([data, data], tmp_path / "hm.docx", title=HOSTILE)


def test_a_damaged_map_and_empty_document_do_not_fail(tmp_path):
    data = sample(map_png=b"\x89PNG not really", sections=[], signatures=[], history=[],
                  risks=[], training=[], records=[], audit_head="", exported_at=None)
    doc = open_docx(write_procedure(data, tmp_path / "e.docx"))
    text = body_text(doc)
    assert "could not be read" in text
    assert "No electronic signatures" in text


def test_xml_text():
    assert xml_text("a\x00b\x0bc\r\nd\re\tf") == "abc\nd\ne\tf"
    assert xml_text(None) == "" and xml_text(5) == "5"


def test_bad_template_and_bad_target_are_sentences(tmp_path):
    bad = tmp_path / "not.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(WorkspaceError, match="cannot be used"):
        write_procedure(sample(), tmp_path / "o.docx", template=bad)
    with pytest.raises(WorkspaceError, match="does not exist"):
        write_procedure(sample(), tmp_path / "missing" / "o.docx")
    assert not (tmp_path / "o.docx").exists()


def test_shipped_template_is_package_data():
    from importlib import resources

    from docx import Document

    data = resources.files("qms_desktop.resources.templates").joinpath(
        "procedure.docx").read_bytes()
    doc = Document(io.BytesIO(data))
    names = {s.name for s in doc.styles}
    assert {"QMS Table", "QMS Document Title", "List Number", "Heading 1", "Caption"} <= names
    assert doc.sections[0].header.paragraphs[0].text == "[QMS header]"
    assert abs(doc.sections[0].page_width.cm - 21.0) < 0.01


def _section_of_each_block(doc):
    """[(section index, block element)] in body order: a paragraph holding a sectPr ends
    its section."""
    out, k = [], 0
    for el in doc.element.body:
        out.append((k, el))
        if el.find("./" + "{%s}pPr/{%s}sectPr" % (W, W)) is not None:
            k += 1
    return out


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter("{%s}t" % W))


@pytest.mark.parametrize("foreign", [False, True], ids=["shipped", "letterhead"])
def test_wide_map_is_an_annex_on_a_landscape_page_at_the_end(tmp_path, foreign):
    from docx.enum.section import WD_ORIENT

    tpl = foreign_template(tmp_path / "acme.docx") if foreign else None
    out = write_procedure(sample(map_png=png(330, 100)), tmp_path / "sop.docx", template=tpl)
    doc = open_docx(out)
    secs = list(doc.sections)
    # no landscape page mid-document (it left a half-empty portrait page before it): the
    # text in portrait, then the annex on the last, landscape, page
    assert len(secs) == 2
    first, land = secs
    assert first.orientation == WD_ORIENT.PORTRAIT and first.page_height > first.page_width
    assert land.orientation == WD_ORIENT.LANDSCAPE and land.page_width > land.page_height
    assert (land.page_width, land.page_height) == (first.page_height, first.page_width)
    for name in ("top_margin", "bottom_margin", "left_margin", "right_margin",
                 "header_distance", "footer_distance"):
        assert getattr(land, name) == getattr(first, name), name
    # the same header and footer as the rest: linked to the previous section
    assert land.header.is_linked_to_previous and land.footer.is_linked_to_previous
    assert not land.different_first_page_header_footer
    assert not first.header.is_linked_to_previous and not first.footer.is_linked_to_previous
    header = story_xml_one(first.header)
    assert "SOP-012" in header and " NUMPAGES " in header and " PAGE " in header
    assert HEAD in story_xml_one(first.footer)
    if foreign:
        assert "ACME Quality Ltd" in header and "<w:drawing" in header
    blocks = _section_of_each_block(doc)
    texts = {k: [_text(el) for j, el in blocks if j == k and _text(el)] for k in (0, 1)}
    # where the map would have been: a pointer to the annex; the sections run on
    body = texts[0]
    at = body.index("3\u2003Process map")
    assert body[at + 1].startswith("See Annex A — Process map")
    assert body[at + 2] == "4\u2003Procedure"
    assert "— End of document —" not in body
    assert not any(el.find(".//{%s}drawing" % W) is not None for k, el in blocks if k == 0)
    # the annex: after every section and table, alone in the landscape section
    assert texts[1] == ["Annex A — Process map",
                        "Figure 1 — Process map as of 2026-12-05: Goods-in process",
                        "— End of document —"]
    assert any(el.find(".//{%s}drawing" % W) is not None for k, el in blocks if k == 1)
    # fitted to the landscape text width and height, wider than the portrait text
    shape = doc.inline_shapes[0]
    text_w = land.page_width - land.left_margin - land.right_margin
    text_h = land.page_height - land.top_margin - land.bottom_margin
    assert first.page_width - first.left_margin - first.right_margin < shape.width <= text_w
    assert shape.width >= 0.95 * text_w
    assert shape.height < text_h


def test_wide_and_high_map_is_fitted_to_the_landscape_height(tmp_path):
    doc = open_docx(write_procedure(sample(map_png=png(170, 100)), tmp_path / "sop.docx"))
    land = doc.sections[1]
    shape = doc.inline_shapes[0]
    text_w = land.page_width - land.left_margin - land.right_margin
    text_h = land.page_height - land.top_margin - land.bottom_margin
    assert shape.width < text_w
    # room for the heading and caption on the same page
    assert 0.6 * text_h < shape.height < text_h - 900000
    assert abs(shape.width / shape.height - 1.7) < 0.01


def test_tall_or_square_map_stays_inline_in_portrait(tmp_path):
    from docx.enum.section import WD_ORIENT

    for k, (w, h) in enumerate(((40, 60), (40, 40), (45, 30))):
        doc = open_docx(write_procedure(sample(map_png=png(w, h)), tmp_path / f"s{k}.docx"))
        assert len(doc.sections) == 1
        sec = doc.sections[0]
        assert sec.orientation == WD_ORIENT.PORTRAIT
        assert doc.inline_shapes[0].width <= sec.page_width - sec.left_margin - sec.right_margin
        assert "<w:sectPr" not in "".join(
            p._p.xml for p in doc.paragraphs)   # no section break in the body


def test_manual_with_wide_maps_keeps_each_documents_header(tmp_path):
    from docx.enum.section import WD_ORIENT

    tpl = foreign_template(tmp_path / "acme.docx")
    docs = [sample(number="SOP-001", map_png=png(330, 100)),
            sample(number="SOP-002"),
            sample(number="SOP-003", map_png=png(330, 100))]
    doc = open_docx(write_manual(docs, tmp_path / "m.docx", template=tpl, title="Manual"))
    secs = list(doc.sections)
    # cover; SOP-001 portrait and its landscape annex; SOP-002; SOP-003 portrait and annex
    assert len(secs) == 6
    land = [k for k, s in enumerate(secs) if s.orientation == WD_ORIENT.LANDSCAPE]
    assert land == [2, 5]
    assert all(secs[k].page_width > secs[k].page_height for k in land)
    # the document after an annex starts in portrait again
    assert secs[3].page_height > secs[3].page_width
    owners = {1: "SOP-001", 3: "SOP-002", 4: "SOP-003"}
    for k, sec in enumerate(secs):
        if k in owners:
            xml = story_xml_one(sec.header)
            assert owners[k] in xml and " PAGE " in xml
            assert not sec.header.is_linked_to_previous
            rid = re.search(r'r:embed="([^"]+)"', xml).group(1)
            assert sec.header.part.related_parts[rid].content_type == "image/png"
        elif k:
            assert sec.header.is_linked_to_previous and sec.footer.is_linked_to_previous
            assert sec.start_type == 2   # WD_SECTION.NEW_PAGE
    # one register row per document, each document's bookmark once
    assert [r.cells[1].text for r in doc.tables[0].rows][1:] == ["SOP-001", "SOP-002",
                                                                 "SOP-003"]


def test_risk_kinds_in_words(tmp_path):
    risks = [RiskLine("R-1", "A", "risk", "12 High", "6 Medium", "x"),
             RiskLine("R-2", "B", "threat", "9 Medium", "4 Low", "y"),
             RiskLine("O-1", "C", "opportunity", "12 High", "16 High", "z")]
    doc = open_docx(write_procedure(sample(risks=risks), tmp_path / "r.docx"))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Ref"
                 and t.rows[0].cells[2].text == "Kind")
    assert [r.cells[2].text for r in table.rows[1:]] == ["Threat", "Threat", "Opportunity"]


@pytest.mark.parametrize("size,where", [((330, 100), "above"), ((40, 60), "below")],
                         ids=["annex", "inline"])
def test_map_is_todays_and_says_when_it_changed_after_the_revision(tmp_path, size, where):
    # the map is drawn on the export day, not as it was approved: the caption says so
    doc = open_docx(write_procedure(sample(map_png=png(*size), as_of=dt.date(2026, 12, 4)),
                                    tmp_path / "same.docx"))
    text = body_text(doc)
    assert "Figure 1 — Process map as of 2026-12-04: Goods-in process" in text
    assert "The map changed" not in text
    # changed after revision C took effect: a visible note beside the map
    doc = open_docx(write_procedure(sample(map_png=png(*size), as_of=dt.date(2026, 12, 4),
                                           map_changed_on=dt.date(2026, 11, 20)),
                                    tmp_path / "changed.docx"))
    text = body_text(doc)
    note = (f"The map changed after revision C took effect; the procedure text {where} is "
            "the revision as approved.")
    assert note in text and "Last change to the map: 2026-11-20." in text
    assert text.index("Figure 1 — Process map as of") < text.index(note)


def test_live_tables_are_labelled_as_current_data(tmp_path):
    refs = Section("references", "References",
                   "**Risks**\n\n- R-014 Bad lot released (High)\n\n**Required training**\n\n"
                   "- TR-101 Incoming inspection — Inspector")
    data = sample(sections=[*sample().sections, refs], as_of=dt.date(2026, 12, 4))
    doc = open_docx(write_procedure(data, tmp_path / "live.docx"))
    heads = [p.text.split("\u2003", 1)[-1] for p in doc.paragraphs
             if p.style.name.startswith("Heading")]
    assert "Linked risks — current ratings as of 2026-12-04" in heads
    assert "Required training — current as of 2026-12-04" in heads
    text = body_text(doc)
    assert ("Read from the risk register on 2026-12-04: live data, not part of the approved "
            "text of revision C. Section 6 (References) names the risks as approved.") in text
    assert ("Read from the training requirements on 2026-12-04: live data, not part of the "
            "approved text of revision C. Section 6 (References) names the courses as "
            "approved.") in text
    # without a References section naming them, no pointer to one
    text = body_text(open_docx(write_procedure(sample(), tmp_path / "plain.docx")))
    assert "Read from the risk register on 2026-12-05: live data" in text
    assert "names the risks" not in text


def test_manual_cover_says_what_it_holds(tmp_path):
    docs = [sample(number="POL-01", kind="policy"), sample(number="SOP-001"),
            sample(number="SOP-002"), sample(number="WI-001", kind="work_instruction")]
    doc = open_docx(write_manual(docs, tmp_path / "m.docx", title="Manual"))
    text = body_text(doc)
    assert "1 policy, 2 procedures and 1 work instruction in force" in text
    assert "controlled documents" not in text.split("Contents")[0]
    assert "Forms and records lists are not included" in text
    assert "1 policy, 2 procedures and 1 work instruction in force, in the order below." in text
    one = body_text(open_docx(write_manual([sample()], tmp_path / "one.docx")))
    assert "1 procedure in force" in one


def test_word_properties_name_the_owner_and_the_audit_head_never_the_login(tmp_path):
    """File ▸ Info of an export: the document owner (the organization for a manual) is the
    author, never the login that exported it; never python-docx's defaults."""
    stamp = f"Exported by QMS Workbench · audit head {HEAD} @ event 48213"
    for data in (sample(), sample(owner="")):
        props = open_docx(write_procedure(data, tmp_path / "p.docx")).core_properties
        assert props.author == (data.owner or "Nordwerk GmbH")
        assert props.last_modified_by == "QMS Workbench"
        assert props.title == "SOP-012 Incoming inspection of purchased goods"
        assert props.subject == "Procedure SOP-012, revision C (Effective)"
        assert props.keywords.startswith("SOP-012, revision C, Effective, Procedure")
        assert props.comments == stamp
        assert props.created.replace(tzinfo=None) == dt.datetime(2026, 12, 5, 9, 30)
    docs = [sample(number=f"SOP-{k:03d}", title=f"Procedure {k}") for k in range(1, 3)]
    props = open_docx(write_manual(docs, tmp_path / "m.docx",
                                   title="Quality manual")).core_properties
    assert props.author == "Nordwerk GmbH"
    assert props.last_modified_by == "QMS Workbench"
    assert props.title == "Quality manual" and "2 procedures in force" in props.subject
    assert props.comments == stamp
    for p in (props, open_docx(write_procedure(sample(), tmp_path / "p.docx")).core_properties):
        texts = [p.author, p.last_modified_by, p.title, p.subject, p.keywords, p.comments,
                 p.category]
        assert not any("python-docx" in t or "aschmidt" in t for t in texts), texts
