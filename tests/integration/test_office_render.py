"""Exports opened the way a client opens them: LibreOffice converts, poppler reads the text."""

import os
import shutil
import subprocess

import pytest

from qms_desktop.services import risks as RS
from qms_desktop.services.demo import create_demo
from qms_desktop.storage.workspace import open_workspace

soffice = shutil.which("soffice") or shutil.which("libreoffice")
pdftotext = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (soffice and pdftotext),
                       reason="LibreOffice and poppler are not installed (.ci/run installs them)"),
]


def to_pdf_text(path, tmp_path):
    profile = tmp_path / "lo-profile"
    env = dict(os.environ, HOME=str(profile))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180, env=env)
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
    return subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_risk_register_xlsx_opens_in_libreoffice(tmp_path):
    ws = open_workspace(create_demo(tmp_path / "demo.qms"))
    try:
        out = RS.export_risks(ws, tmp_path / "register.xlsx")
        rows = RS.list_risks(ws)
        head = ws.head_hash()
    finally:
        ws.close()
    text = to_pdf_text(out, tmp_path)
    assert rows[0].ref in text
    assert head[:16] in text.replace("\n", "").replace(" ", "")
