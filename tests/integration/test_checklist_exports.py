"""Checklist exports: the PDF (text, pages, "Page k of N"), .docx (tables, repeated header,
unsplit rows, footer with the audit head), .xlsx (no formulas) and the command line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qms_desktop.cli import main

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler (pdftotext, pdfinfo) is not "
                                                       "installed")
PAYLOAD = "=1+1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.qms"
    assert main(["demo", str(path)]) == 0
    from qms_desktop.services import checklists
    from qms_desktop.storage.workspace import open_workspace

    with open_workspace(path) as ws:  # evidence typed as a formula, a very long question
        run = checklists.find_run(ws, "IA26-03")
        items = checklists.run_items(ws, run)
        checklists.answer(ws, items[0].response_id, evidence=PAYLOAD)
    return path


def _open(path: Path):
    from qms_desktop.storage.workspace import open_workspace

    return open_workspace(path, read_only=True)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def _column_text(path: Path, page: int, x_mm: float, w_mm: float) -> str:
    """The text of one column of one page (pdftotext cropped at 72 dpi: 1 px = 1 pt)."""
    pt = 72 / 25.4
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-x", str(int(x_mm * pt)), "-y", "0",
         "-W", str(int(w_mm * pt) + 1), "-H", "900", str(path), "-"],
        capture_output=True, text=True, check=True)
    return out.stdout


def _page_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.gui
@needs_poppler
def test_blank_iso9001_pdf_holds_every_question_and_clause(demo, tmp_path):
    from qms_desktop.services import checklists
    from qms_desktop.services.exports.checklist_xlsx import checklist_ref, load_checklist
    from qms_desktop.ui.checklists.print import COLUMNS_MM, MARGIN_MM, paint_checklist

    with _open(demo) as ws:
        kind, tid = checklist_ref(ws, "ISO 9001:2015 gap analysis")
        assert kind == "template"
        items = checklists.template_items(ws, tid)
        doc = load_checklist(ws, template_id=tid)
    path, total = paint_checklist(doc, tmp_path / "blank.pdf")
    assert _pdf_pages(path) == total > 1
    x = {k: MARGIN_MM + sum(w for _, w in COLUMNS_MM[:i]) for i, (k, _) in
         enumerate(COLUMNS_MM)}
    widths = dict(COLUMNS_MM)
    questions = clauses = ""
    for k in range(1, total + 1):
        text = _page_text(path, k)
        assert f"Page {k} of {total}" in text
        assert doc.stamp in _norm(text)
        assert "ISO 9001:2015 gap analysis" in text
        questions += " " + _column_text(path, k, x["question"], widths["question"])
        clauses += " " + _column_text(path, k, x["clause"], widths["clause"])
    questions, clause_words = _norm(questions), set(clauses.split())
    for it in items:
        assert _norm(it["title"]) in questions, it["title"]
        assert it["clause"] in clause_words, it["clause"]


@pytest.mark.gui
@needs_poppler
def test_completed_run_pdf_and_long_rows(demo, tmp_path):
    from qms_desktop.services.exports.checklist_xlsx import DocItem, load_checklist
    from qms_desktop.ui.checklists.print import paint_checklist

    with _open(demo) as ws:
        doc = load_checklist(ws, run_id=2)
    path, total = paint_checklist(doc, tmp_path / "run.pdf")
    text = _norm(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                check=True).stdout)
    assert "Run IA26-03" in text and "Findings" in text
    for f in doc.findings:
        assert f.row.ref.split("-")[-1] in text
    # a question longer than a page and a word longer than its column: nothing is lost
    word = "Z" * 300
    doc.items.insert(1, DocItem(99, doc.items[0].section, "8.5", " ".join(
        f"w{n}" for n in range(1500)) + " " + word, "", "", 1.0))
    path, total = paint_checklist(doc, tmp_path / "long.pdf")
    assert _pdf_pages(path) == total
    text = "".join(_page_text(path, k) for k in range(1, total + 1))
    assert "w1499" in text and "(continued)" in text
    assert "".join(re.findall(r"Z+", text)) == word


@pytest.mark.gui
def test_write_checklist_pdf_entry_point(demo, tmp_path):
    from qms_desktop.ui.checklists.print import write_checklist_pdf

    with _open(demo) as ws:
        out = write_checklist_pdf(ws, run_id=2, path=tmp_path / "b.pdf", blank=True)
    assert out.read_bytes().startswith(b"%PDF")


def test_docx_tables_header_and_footer(demo, tmp_path):
    import docx
    from docx.oxml.ns import qn

    from qms_desktop.services.exports.checklist_docx import (
        export_audit_report,
        export_checklist_docx,
    )
    from qms_desktop.services.exports.checklist_xlsx import load_checklist

    with _open(demo) as ws:
        stamp = load_checklist(ws, run_id=2).stamp
        blank = export_checklist_docx(ws, tmp_path / "blank.docx", template_id=1)
        run = export_checklist_docx(ws, tmp_path / "run.docx", run_id=2)
        report = export_audit_report(ws, 2, tmp_path / "report.docx")
    for path in (blank, run, report):
        d = docx.Document(str(path))
        footer = d.sections[0].footer
        text = " ".join(p.text for p in footer.paragraphs)
        assert stamp in text and "Page" in text and " of " in text
        xml = footer._element.xml
        assert "NUMPAGES" in xml and "PAGE" in xml
        tables = [t for t in d.tables if t.rows and t.rows[0].cells[0].text == "No."]
        assert tables, path
        for t in tables:
            first = t.rows[0]._tr.trPr
            assert first is not None and first.find(qn("w:tblHeader")) is not None
            assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows)
    d = docx.Document(str(blank))
    items = [t for t in d.tables if t.rows[0].cells[0].text == "No."][0]
    with _open(demo) as ws:
        from qms_desktop.services import checklists

        questions = [it["title"] for it in checklists.template_items(ws, 1)]
    cells = " ".join(r.cells[2].text for r in items.rows)
    assert all(q in cells for q in questions)
    body = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    for heading in ("Audit steps (ISO 19011)", "Results summary", "Findings and actions",
                    "Sign-off"):
        assert heading in body
    rtext = " ".join(c.text for t in docx.Document(str(report)).tables for r in t.rows
                     for c in r.cells)
    assert "Score = points earned" in rtext and "IA26-03-F01" in rtext


def test_docx_properties_are_the_runs_not_python_docx_defaults(demo, tmp_path):
    import docx

    from qms_desktop.services.exports.checklist_docx import (
        export_audit_report,
        export_checklist_docx,
    )
    from qms_desktop.services.exports.checklist_xlsx import load_checklist

    with _open(demo) as ws:
        doc = load_checklist(ws, run_id=2)
        blank = export_checklist_docx(ws, tmp_path / "blank.docx", template_id=1)
        run = export_checklist_docx(ws, tmp_path / "run.docx", run_id=2)
        report = export_audit_report(ws, 2, tmp_path / "report.docx")
    org = doc.workspace.rsplit(" (", 1)[0]
    for path, author in ((blank, org), (run, doc.run.auditor), (report, doc.run.auditor)):
        props = docx.Document(str(path)).core_properties
        assert author and props.author == author, path
        assert props.last_modified_by == "QMS Workbench"
        assert props.comments == f"Exported by QMS Workbench · {doc.stamp}"
        assert props.created.year >= 2026
        texts = [props.author, props.last_modified_by, props.title, props.subject,
                 props.keywords, props.comments]
        assert all(texts) and not any("python-docx" in t for t in texts), texts
    assert docx.Document(str(run)).core_properties.identifier == "IA26-03"


def test_xlsx_keeps_payloads_as_text(demo, tmp_path):
    import openpyxl

    from qms_desktop.services.exports.checklist_xlsx import export_checklist_xlsx

    with _open(demo) as ws:
        out = export_checklist_xlsx(ws, tmp_path / "run.xlsx", run_id=2)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Items", "Findings", "Summary"]
    items = wb["Items"]
    assert items.freeze_panes == "A3" and items.auto_filter.ref
    found = False
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
                if c.value == PAYLOAD:
                    found = True
                    assert c.quotePrefix
                if c.value is not None and c.font is not None:
                    assert c.font.name == "Calibri"
    assert found
    assert "audit head" in wb["Items"].oddFooter.left.text
    assert wb["Findings"].max_row == 8


@pytest.mark.parametrize("argv, code, message", [
    (["checklist", "{ws}", "1", "-o", "{tmp}/c.pdf"], 1, "write template:1 or run:1"),
    (["checklist", "{ws}", "Nothing", "-o", "{tmp}/c.pdf"], 1, "no checklist template or run"),
    (["checklist", "{ws}", "IA26-03", "-o", "{tmp}/c.txt"], 2, "must end with"),
    (["checklist", "{ws}", "IA26-03", "-o", "{tmp}/missing/c.docx"], 1, "does not exist"),
    (["audit-report", "{ws}", "template:1", "-o", "{tmp}/c.docx"], 1, "is a checklist template"),
    (["audit-report", "{ws}", "IA26-03", "-o", "{tmp}/c.pdf"], 2, "must end with .docx"),
])
def test_cli_errors_are_one_line(demo, tmp_path, capsys, argv, code, message):
    args = [a.format(ws=demo, tmp=tmp_path) for a in argv]
    assert main(["export", *args]) == code
    err = capsys.readouterr().err
    assert err.startswith("qms: ") and err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert not list(tmp_path.glob("c.*"))


def test_cli_docx_and_xlsx_without_qt(demo, tmp_path):
    outs = [tmp_path / "c.docx", tmp_path / "c.xlsx", tmp_path / "r.docx"]
    code = ("import sys\nfrom qms_desktop.cli import main\n"
            f"rcs = [main(['export', 'checklist', {str(demo)!r}, 'IA26-03', '-o', "
            f"{str(outs[0])!r}]),\n"
            f"       main(['export', 'checklist', {str(demo)!r}, 'template:1', '-o', "
            f"{str(outs[1])!r}]),\n"
            f"       main(['export', 'audit-report', {str(demo)!r}, 'IA26-03', '-o', "
            f"{str(outs[2])!r}])]\n"
            "assert rcs == [0, 0, 0], rcs\n"
            "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
            "assert not loaded, loaded\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert all(p.is_file() for p in outs)
    assert proc.stdout.count("wrote ") == 3 and "audit head" in proc.stdout


@pytest.mark.gui
def test_cli_pdf_of_a_runs_blank(demo, tmp_path, capsys):
    out = tmp_path / "blank.pdf"
    assert main(["export", "checklist", str(demo), "IA26-03", "--blank", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    if POPPLER:
        text = _page_text(out, 1)
        assert "Run IA26-03" in text and "Blank for the shop floor" in text


def test_no_audit_report_for_an_audit_that_never_started(demo, tmp_path, capsys):
    import datetime as dt

    code = f"IA{(dt.date.today() + dt.timedelta(days=35)):%y}-04"  # the demo's planned audit
    out = tmp_path / "r.docx"
    assert main(["export", "audit-report", str(demo), code, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (f"qms: {code} has not started (no start date and no answer yet), so it "
                   "has no audit report to write.\n")
    assert not out.exists()
