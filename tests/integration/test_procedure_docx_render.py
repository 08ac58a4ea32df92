"""The Word procedure as LibreOffice lays it out: the page count of the PDF equals the
"Page X of Y" the NUMPAGES field shows, with the shipped template and a foreign letterhead,
and with a wide process map as an annex on a landscape page of its own at the end."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess

import pytest

from qms_desktop.services.exports.procedure_docx import write_manual, write_procedure
from qms_desktop.services.exports.procedure_model import ProcedureExport, Section, SignatureLine

soffice = shutil.which("soffice") or shutil.which("libreoffice")
pdfinfo = shutil.which("pdfinfo")
pdftotext = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not soffice, reason="LibreOffice (soffice) is not on PATH; the Word "
                                           "export cannot be laid out to count its pages"),
    pytest.mark.skipif(not (pdfinfo and pdftotext),
                       reason="poppler (pdfinfo, pdftotext) is not installed"),
]

STEPS = "\n".join(f"{k}. Step {k}: check the **lot** against the order and record the "
                  f"result in the *goods-in log*; escalate deviations to Quality."
                  for k in range(1, 61))
TABLE = "| Characteristic | Method | Acceptance |\n|---|---|---|\n" + "\n".join(
    f"| Dimension {k} | Caliper | AQL 1.0 |" for k in range(1, 41))


def map_png(width: int, height: int) -> bytes:
    """A process-map-like picture: lanes and boxes with labels."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    lanes = 3
    for k in range(lanes):
        y = k * height // lanes
        draw.rectangle((0, y, width - 1, y + height // lanes), outline=(90, 90, 90))
        for j in range(8):
            x = 40 + j * (width - 80) // 8
            draw.rectangle((x, y + 20, x + 90, y + 60), outline=(31, 56, 100), width=2)
            draw.text((x + 6, y + 30), f"Step {k * 8 + j + 1}", fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def long_procedure(number: str = "SOP-031", map_png: bytes | None = None) -> ProcedureExport:
    return ProcedureExport(
        number=number, title="Incoming inspection", kind="procedure", revision="D",
        status="effective", effective_on=dt.date(2026, 11, 1), owner="Quality manager",
        process="Goods-in", organization="Nordwerk GmbH", next_review_on=dt.date(2028, 11, 1),
        sections=[Section("purpose", "Purpose", "Only conforming goods are used."),
                  Section("procedure", "Procedure", STEPS + "\n\n" + TABLE)],
        map_png=map_png, map_caption="Goods-in lanes",
        signatures=[SignatureLine("approved", "Chen Li", "cli", dt.datetime(2026, 10, 5, 7, 5),
                                  "2026-10-05T15:05:00+08:00", True)],
        audit_head="ab" * 32, audit_event=1234, exported_at=dt.datetime(2026, 12, 5, 9, 0),
        exported_by="tester")


def letterhead(path):
    from docx import Document
    from docx.shared import Cm, Pt

    from PIL import Image  # matplotlib's dependency, installed with the app

    buf = io.BytesIO()
    Image.new("RGB", (300, 90), (180, 20, 20)).save(buf, "PNG")
    tpl = Document()
    tpl.styles["Normal"].font.name = "Georgia"
    tpl.styles["Normal"].font.size = Pt(11)
    sec = tpl.sections[0]
    sec.top_margin = Cm(4)
    sec.header.paragraphs[0].add_run().add_picture(io.BytesIO(buf.getvalue()), width=Cm(4))
    sec.header.add_paragraph("ACME Quality Ltd")
    tpl.save(str(path))
    return path


def to_pdf(path, tmp_path):
    profile = tmp_path / "lo-profile"
    env = dict(os.environ, HOME=str(profile))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240, env=env)
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
    info = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return pages, text.split("\f")


def landscape_pages(tmp_path, stem: str, pages: int) -> list[int]:
    """The pages of the PDF laid out wider than high."""
    info = subprocess.run([pdfinfo, "-f", "1", "-l", str(pages), str(tmp_path / f"{stem}.pdf")],
                          check=True, capture_output=True, text=True).stdout
    sizes = re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    assert len(sizes) == pages
    return [int(k) for k, w, h in sizes if float(w) > float(h)]


MAPS = {"no-map": None, "wide-map": (2100, 600), "wide-high-map": (1600, 1000)}


@pytest.mark.parametrize("shape", list(MAPS))
@pytest.mark.parametrize("foreign", [False, True], ids=["shipped", "letterhead"])
def test_numpages_matches_the_pdf(tmp_path, foreign, shape):
    template = letterhead(tmp_path / "acme.docx") if foreign else None
    picture = map_png(*MAPS[shape]) if MAPS[shape] else None
    out = write_procedure(long_procedure(map_png=picture), tmp_path / "sop.docx",
                          template=template)
    pages, texts = to_pdf(out, tmp_path)
    assert pages >= 3
    for k in range(1, pages + 1):
        assert f"Page {k} of {pages}" in texts[k - 1], (k, texts[k - 1][:400])
        assert ("ab" * 32) in texts[k - 1].replace(" ", ""), k   # the footer on every page
    assert "SOP-031" in texts[0] and "Step 60" in "".join(texts)
    if foreign:
        assert "ACME Quality Ltd" in texts[0]
    turned = landscape_pages(tmp_path, "sop", pages)
    if picture is None:
        assert turned == []
        return
    # the map, its heading and caption alone on the last page, a landscape one (Annex A);
    # where the map would have been, a pointer to it and the text running on
    assert turned == [pages]
    page = texts[pages - 1]
    assert "Annex A — Process map" in page and "End of document" in page
    assert "Figure 1 — Process map as of 2026-12-05: Goods-in lanes" in page
    assert "SOP-031" in page and "Incoming inspection" in page
    assert "Only conforming goods" not in page and "Step 1:" not in page
    first = texts[0]
    assert "See Annex A" in first and "Only conforming goods" in first and "Step 1:" in first


def test_manual_register_pages_match_the_pdf(tmp_path):
    docs = [long_procedure(f"SOP-{k:03d}", map_png=map_png(2100, 600) if k == 31 else None)
            for k in (31, 32)]
    out = write_manual(docs, tmp_path / "manual.docx", title="Quality manual")
    pages, texts = to_pdf(out, tmp_path)
    for k in range(1, pages + 1):
        assert f"Page {k} of {pages}" in texts[k - 1], (k, texts[k - 1][:400])
    # the landscape annex carries its own document's header and ends that document
    turned = landscape_pages(tmp_path, "manual", pages)
    assert len(turned) == 1
    assert "SOP-031" in texts[turned[0] - 1] and "Annex A" in texts[turned[0] - 1]
    assert "PROCEDURE" in texts[turned[0]] and "SOP-032" in texts[turned[0]]
    # the register's page column (PAGEREF fields) names the page each document starts on
    starts = {}
    for k, text in enumerate(texts, 1):
        m = re.search(r"PROCEDURE\s+(SOP-\d+)", text)
        if m:
            starts.setdefault(m.group(1), k)
    assert set(starts) == {"SOP-031", "SOP-032"}
    register = texts[1]
    for number, page in starts.items():
        assert re.search(rf"{number}\s+Incoming inspection\s+D\s+2026-11-01\s+{page}\b",
                         register), register
