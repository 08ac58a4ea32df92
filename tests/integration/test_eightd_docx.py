"""The 8D report (.docx): written from a workspace, read back with python-docx (D1–D8, the
5 Whys, the fishbone picture and its table, the actions, the audit head), and laid out by
LibreOffice (pages, text, "Page X of Y" agreeing with the PDF)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from qms_desktop.services import actions as A
from qms_desktop.services import nonconformities as N
from qms_desktop.services import records as R
from qms_desktop.services.exports.eightd_docx import export_data, fishbone_png, write_8d

TODAY = dt.date.today()


@pytest.fixture
def nc(ws):
    owner = R.create(ws, "person", {"name": "Gemma Holt"}).result
    nid = N.add_nonconformity(ws, {
        "title": "Bore oversize on HM-120 <&> \"quoted\"", "source": "customer complaint",
        "customer": "Hydra Fluidtechnik", "severity": "major", "owner_id": owner,
        "description": "60 of 400 blocks rejected: bore up to 18.024 mm.",
        "team": "Gemma Holt\nTomasz Nowak", "containment": "Stock blocked",
        "correction": "Sorted with an air gauge", "prevention": "Air gauge on every H7 bore",
        "effectiveness_check": "Ten batches without oversize bores"}).result
    for text in ("Bar worn", "Not changed", "Tool life not counted"):
        N.add_cause(ws, nid, "why", text)
    root = N.add_cause(ws, nid, "fishbone", "Calliper used for an H7 bore",
                       category="measurement").result
    N.set_root(ws, root)
    N.add_cause(ws, nid, "fishbone", "Night shift new", category="man")
    aid = A.add_action(ws, "nonconformity", nid, {"title": "Tool-life counter",
                                                  "owner_id": owner,
                                                  "due_date": TODAY - dt.timedelta(3)}).result
    A.add_action(ws, "nonconformity", nid, {"title": "Control plan: air gauge"})
    return nid, aid


def text_of(path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    for s in d.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts)


def test_write_and_read_back(ws, nc, tmp_path):
    import docx

    nid, _aid = nc
    data = export_data(ws, nid)
    assert data.fishbone_png and data.fishbone_png[:8] == b"\x89PNG\r\n\x1a\n"
    out = write_8d(data, tmp_path / "8d.docx")
    text = text_of(out)
    for code in ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"):
        assert code in text
    for words in ("Bore oversize on HM-120 <&> \"quoted\"", "Hydra Fluidtechnik",
                  "Gemma Holt", "Tomasz Nowak", "Stock blocked", "Why 3",
                  "Tool life not counted", "Calliper used for an H7 bore", "ROOT",
                  "Tool-life counter", "Open — overdue", "Air gauge on every H7 bore",
                  "Ten batches without oversize bores", "Before it can close",
                  "Audit trail head", "8D report"):
        assert words in text, words
    d = docx.Document(str(out))
    assert len(d.inline_shapes) == 1       # the fishbone
    assert d.core_properties.title.startswith("8D report NC-0001")
    assert "audit head" in d.core_properties.comments


def test_template_and_no_fishbone(ws, nc, tmp_path):
    from qms_desktop.services.exports.procedure_docx import shipped_template

    nid, _ = nc
    template = tmp_path / "letterhead.docx"
    template.write_bytes(shipped_template())
    out = write_8d(export_data(ws, nid, fishbone=False), tmp_path / "plain.docx",
                   template=template)
    text = text_of(out)
    assert "Calliper used for an H7 bore" in text    # the causes still read, as a table
    with pytest.raises(Exception, match="cannot be used"):
        write_8d(export_data(ws, nid, fishbone=False), tmp_path / "x.docx",
                 template=tmp_path / "missing.docx")


def test_fishbone_png_alone():
    png = fishbone_png("Problem", {"man": [("a" * 200, True)], "machine": [("b", False)] * 9})
    assert png[:4] == b"\x89PNG"


def test_cli_export_8d(ws_path, ws, nc, tmp_path, capsys):
    from qms_desktop.cli import main

    ws.close()
    out = tmp_path / "cli.docx"
    assert main(["export", "8d", str(ws_path), "NC-0001", "-o", str(out)]) == 0
    assert "8D report" in text_of(out)
    assert main(["export", "8d", str(ws_path), "NC-0999", "-o", str(out)]) != 0
    assert "no nonconformity" in capsys.readouterr().err
    # the ID's number without prefix or zeros; the database id says which it wrote
    assert main(["export", "8d", str(ws_path), "1", "-o", str(out)]) == 0
    assert f"wrote {out} (NC-0001 Bore oversize" in capsys.readouterr().out
    assert main(["nonconformities", str(ws_path)]) == 0
    listing = capsys.readouterr().out
    assert "NC-0001" in listing and "open" in listing and "Bore oversize on HM-120" in listing
    assert main(["nonconformities", str(ws_path), "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)[0]["ref"] == "NC-0001"


soffice = shutil.which("soffice") or shutil.which("libreoffice")
pdfinfo = shutil.which("pdfinfo")
pdftotext = shutil.which("pdftotext")


@pytest.mark.slow
@pytest.mark.skipif(not soffice, reason="LibreOffice (soffice) is not on PATH; the 8D report "
                                        "cannot be laid out")
@pytest.mark.skipif(not (pdfinfo and pdftotext),
                    reason="poppler (pdfinfo, pdftotext) is not installed")
def test_libreoffice_lays_it_out(ws, nc, tmp_path):
    nid, _ = nc
    out = write_8d(export_data(ws, nid), tmp_path / "8d.docx")
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "8d.pdf"
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 4
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    assert "D8" in text and "Effectiveness and closure" in text
    assert f"Page 1 of {pages}" in text.replace("\u00a0", " ")


def _letterhead(path):
    """A company letterhead as python-docx makes it: name and address in the header, the
    Header style's own tabs (centre 4680, right 9360), the body font only the theme's."""
    import docx

    d = docx.Document()
    head = d.sections[0].header
    p = head.paragraphs[0]
    p.style = d.styles["Header"]
    p.add_run("Kessler Präzisionstechnik GmbH").bold = True
    head.add_paragraph("Industriestraße 12 · 73760 Ostfildern")
    d.save(str(path))
    return path


def test_on_a_letterhead_the_header_line_dates_and_fonts_hold(ws, nc, tmp_path):
    import docx
    from docx.oxml.ns import qn

    nid, _ = nc
    template = _letterhead(tmp_path / "letterhead.docx")
    out = write_8d(export_data(ws, nid, fishbone=False), tmp_path / "lh.docx",
                   template=template)
    d = docx.Document(str(out))
    sec = d.sections[0]
    width = str(int((sec.page_width - sec.left_margin - sec.right_margin) / 635))
    header = sec.header
    texts = [p.text for p in header.paragraphs]
    assert texts[0] == "Kessler Präzisionstechnik GmbH"      # the letterhead kept
    line = next(p for p in header.paragraphs if p.text.startswith("8D report"))
    tabs = line._p.find(qn("w:pPr")).find(qn("w:tabs"))
    stops = [(t.get(qn("w:val")), t.get(qn("w:pos"))) for t in tabs]
    # the style's centre tab cleared, the status at the right edge of this page's text
    assert ("clear", "4680") in stops and ("right", width) in stops
    assert line.text.endswith("\tOpen")
    assert len(line.text) < 80                                  # the title shortened
    # the body font named (python-docx's theme default would be a serif)
    fonts = d.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == "Arial" and fonts.get(qn("w:asciiTheme")) is None
    # due dates never break: non-breaking hyphens
    text = text_of(out)
    due = (TODAY - dt.timedelta(3)).isoformat()
    assert due.replace("-", "\u2011") in text and due not in text
    # sub-headings have space before
    sub = next(p for p in d.paragraphs if p.text == "5 Whys")
    assert sub.paragraph_format.space_before is not None and sub.paragraph_format.space_before > 0


def test_small_tables_keep_together():
    from qms_desktop.services.exports.eightd_docx import keep_together

    row = '<w:tr><w:tc><w:p><w:pPr><w:pStyle w:val="T"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>' \
          '<w:p><w:r><w:t>y</w:t></w:r></w:p></w:tc></w:tr>'
    xml = "<w:tbl><w:tblPr/>" + row * 5 + "</w:tbl>"
    kept = keep_together(xml)
    assert kept.count("<w:keepNext/>") == 2 * 4       # every row but the last
    assert '<w:pStyle w:val="T"/><w:keepNext/>' in kept   # in schema order
    last = kept.rsplit("<w:tr>", 1)[1]
    assert "keepNext" not in last
    assert keep_together("<w:tbl>" + row * 40 + "</w:tbl>") == "<w:tbl>" + row * 40 + "</w:tbl>"


def test_the_d8_table_is_kept_on_one_page(ws, nc, tmp_path):
    import docx
    from docx.oxml.ns import qn

    nid, _ = nc
    out = write_8d(export_data(ws, nid, fishbone=False), tmp_path / "8d.docx")
    d = docx.Document(str(out))
    d8 = next(t for t in d.tables if t.rows[0].cells[0].text == "Effectiveness check")
    for k, row in enumerate(d8.rows):
        keep = [p._p.find(qn("w:pPr")).find(qn("w:keepNext")) is not None
                for c in row.cells for p in c.paragraphs]
        assert all(keep) if k < len(d8.rows) - 1 else not any(keep)


def test_on_a_letterhead_the_header_is_small_the_title_whole_and_headings_clear(ws, nc,
                                                                               tmp_path):
    """The header's runs at 8.5 pt (not the letterhead's 11 pt Header style), the title cut
    only by its real width, space below the header's rule, the fishbone kept with its caption
    and its table of causes."""
    import docx
    from docx.oxml.ns import qn

    from qms_desktop.services.exports.eightd_docx import HEADER_PT, fit_title, text_width_pt

    nid, _ = nc
    title = "Customer complaint: bore oversize on manifold block HM-120"
    N.update_nonconformities(ws, [nid], {"title": title})
    template = _letterhead(tmp_path / "letterhead.docx")
    for tpl in (template, None):
        out = write_8d(export_data(ws, nid), tmp_path / "lh.docx", template=tpl)
        d = docx.Document(str(out))
        header = d.sections[0].header
        paras = header.paragraphs
        k = next(i for i, p in enumerate(paras) if p.text.startswith("8D report"))
        ours = paras[k:k + 2]
        assert "Page" in ours[1].text
        for p in ours:
            for r in p._p.iter(qn("w:r")):
                sz = r.find(qn("w:rPr") + "/" + qn("w:sz"))
                assert sz is not None and sz.get(qn("w:val")) == str(round(HEADER_PT * 2))
        assert title in ours[0].text                       # room enough: not cut
        after = ours[1].paragraph_format.space_after
        assert after is not None and after.pt >= 10        # a heading at a page top clears it
        body = d.paragraphs
        k = next(i for i, p in enumerate(body) if p._p.find(".//" + qn("w:drawing")) is not None)
        pic, caption = body[k], body[k + 1]
        assert caption.text.startswith("Figure 1")
        for p in (pic, caption):
            assert p.paragraph_format.keep_with_next
    # a title too long is cut to the room its real width leaves
    long = "Bore oversize " * 12
    cut = fit_title(long, 300.0)
    assert cut.endswith("…") and text_width_pt(cut, HEADER_PT) <= 300.0
    assert text_width_pt(fit_title(long, 300.0) + "xxxxx", HEADER_PT) > 290
