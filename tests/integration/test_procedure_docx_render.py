"""The Word procedure as LibreOffice lays it out: the page count of the PDF equals the
"Page X of Y" the NUMPAGES field shows, with the shipped template and a foreign letterhead."""

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


def long_procedure(number: str = "SOP-031") -> ProcedureExport:
    return ProcedureExport(
        number=number, title="Incoming inspection", kind="procedure", revision="D",
        status="effective", effective_on=dt.date(2026, 11, 1), owner="Quality manager",
        process="Goods-in", organization="Nordwerk GmbH", next_review_on=dt.date(2028, 11, 1),
        sections=[Section("purpose", "Purpose", "Only conforming goods are used."),
                  Section("procedure", "Procedure", STEPS + "\n\n" + TABLE)],
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


@pytest.mark.parametrize("foreign", [False, True], ids=["shipped", "letterhead"])
def test_numpages_matches_the_pdf(tmp_path, foreign):
    template = letterhead(tmp_path / "acme.docx") if foreign else None
    out = write_procedure(long_procedure(), tmp_path / "sop.docx", template=template)
    pages, texts = to_pdf(out, tmp_path)
    assert pages >= 3
    for k in range(1, pages + 1):
        assert f"Page {k} of {pages}" in texts[k - 1], (k, texts[k - 1][:400])
    assert "SOP-031" in texts[0] and "Step 60" in "".join(texts)
    assert ("ab" * 32) in texts[-2 if texts[-1].strip() == "" else -1].replace(" ", "")
    if foreign:
        assert "ACME Quality Ltd" in texts[0]


def test_manual_register_pages_match_the_pdf(tmp_path):
    docs = [long_procedure(f"SOP-{k:03d}") for k in (31, 32)]
    out = write_manual(docs, tmp_path / "manual.docx", title="Quality manual")
    pages, texts = to_pdf(out, tmp_path)
    assert f"Page 1 of {pages}" in texts[0]
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
