"""What a new user found on checklist paper and templates (issue 12): the real question (the
item's guidance) is printed, the result keys stand beside the tick boxes, an unfinished run is
not called completed, the run .xlsx keeps No. apart from Section, an audit report refuses a gap
analysis, a template .xlsx keeps its name, kind, family and version, and a process's generated
checklist cites the clauses of that process, grouped by section."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qms_desktop.cli import main
from qms_desktop.core import checklists as rules
from qms_desktop.services.records import RecordError

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler is not installed")
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("paper") / "demo.qms"
    assert main(["demo", str(path)]) == 0
    return path


def _open(path: Path, read_only: bool = True):
    from qms_desktop.storage.workspace import open_workspace

    return open_workspace(path, read_only=read_only)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _first_question(guidance: str) -> str:
    return _norm(guidance.split("\n", 1)[0])


def _squash(text: str) -> str:
    """Text without blanks and hyphens: a line wrapped after a hyphen (which pdftotext joins
    without it) compares equal."""
    return "".join(text.split()).replace("-", "")


def _gap_template(ws) -> int:
    from qms_desktop.services import checklists

    return next(t.id for t in checklists.list_templates(ws) if t.kind == "gap_analysis")


def _gap_run(ws) -> int:
    from qms_desktop.services import checklists

    return next(r.id for r in checklists.list_runs(ws) if r.kind == "gap_analysis")


# --------------------------------------------------------------------------- the content


def test_doc_items_carry_the_question_and_the_status_tells_an_unfinished_run(demo):
    from qms_desktop.services import checklists
    from qms_desktop.services.exports.checklist_xlsx import load_checklist

    with _open(demo) as ws:
        blank = load_checklist(ws, template_id=_gap_template(ws))
        run = load_checklist(ws, run_id=_gap_run(ws))
        audit = load_checklist(ws, run_id=checklists.find_run(ws, "IA26-03"))
    first = blank.items[0]
    assert first.title == "Understanding the organization and its context"
    assert first.question == first.guidance and first.question.startswith("Is there a current")
    assert blank.status_text == "Blank for the shop floor"
    open_items = sum(it.result is None for it in run.items)
    assert run.run.stage == "conduct" and open_items
    assert run.status_text == (f"Run in progress ({open_items} of {len(run.items)} not yet "
                               "assessed)")
    assert audit.run.completed_on and audit.status_text == "Completed run"


def test_result_keys_are_the_fast_entry_digits():
    from qms_desktop.services.exports.checklist_xlsx import RESULT_BOXES, result_key

    for result, _short in RESULT_BOXES:
        assert rules.RESULT_KEYS[result_key(result)] == result
    assert [result_key(r) for r, _ in RESULT_BOXES] == ["1", "2", "3", "4"]


# --------------------------------------------------------------------------- PDF


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _column_text(path: Path, x_mm: float, w_mm: float) -> str:
    pt = 72 / 25.4
    return subprocess.run(["pdftotext", "-x", str(int(x_mm * pt)), "-y", "0", "-W",
                           str(int(w_mm * pt) + 1), "-H", "900", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.gui
@needs_poppler
def test_blank_pdf_prints_the_question_and_the_keys(demo, tmp_path):
    from qms_desktop.services import checklists
    from qms_desktop.services.exports.checklist_xlsx import load_checklist
    from qms_desktop.ui.checklists.print import COLUMNS_MM, MARGIN_MM, paint_checklist

    with _open(demo) as ws:
        tid = _gap_template(ws)
        items = checklists.template_items(ws, tid)
        doc = load_checklist(ws, template_id=tid)
    path, _total = paint_checklist(doc, tmp_path / "blank.pdf")
    x = {k: MARGIN_MM + sum(w for _, w in COLUMNS_MM[:i]) for i, (k, _) in
         enumerate(COLUMNS_MM)}
    widths = dict(COLUMNS_MM)
    questions = _squash(_column_text(path, x["question"], widths["question"]))
    for it in items:
        assert _squash(_first_question(it["guidance"])) in questions, it["clause"]
        assert _squash(it["expected_evidence"].split("\n")[0]) in questions, it["clause"]
    for key, (result, _short) in zip("1234", (("conform", 0), ("partial", 0),
                                              ("nonconform", 0), ("na", 0))):
        column = _column_text(path, x[result], widths[result]).split()
        assert column.count(key) >= len(items), (result, column[:20])
    assert "C 1 conform" in _norm(_pdf_text(path))


@pytest.mark.gui
@needs_poppler
def test_pdf_of_an_unfinished_run_is_not_completed(demo, tmp_path):
    from qms_desktop.services.exports.checklist_xlsx import load_checklist
    from qms_desktop.ui.checklists.print import paint_checklist

    with _open(demo) as ws:
        doc = load_checklist(ws, run_id=_gap_run(ws))
    path, _total = paint_checklist(doc, tmp_path / "run.pdf")
    text = _norm(_pdf_text(path))
    assert "Completed run" not in text
    assert re.search(r"Run in progress \(\d+ of 57 not yet assessed\)", text)
    assert _squash(_first_question(doc.items[0].guidance)) in _squash(text)


# --------------------------------------------------------------------------- .docx, .xlsx


def test_docx_blank_and_run_print_the_question_keys_and_status(demo, tmp_path):
    import docx

    from qms_desktop.services.exports.checklist_docx import export_checklist_docx

    with _open(demo) as ws:
        from qms_desktop.services import checklists

        tid = _gap_template(ws)
        items = checklists.template_items(ws, tid)
        blank = export_checklist_docx(ws, tmp_path / "blank.docx", template_id=tid)
        run = export_checklist_docx(ws, tmp_path / "run.docx", run_id=_gap_run(ws))
    d = docx.Document(str(blank))
    table = [t for t in d.tables if t.rows[0].cells[0].text == "No."][0]
    rows = [r for r in table.rows[1:] if r.cells[0].text.strip().isdigit()]
    assert len(rows) == len(items)
    for row, it in zip(rows, items):
        assert _first_question(it["guidance"]) in _norm(row.cells[2].text)
        assert [row.cells[k].text.split()[-1] for k in range(3, 7)] == ["1", "2", "3", "4"]
    body = "\n".join(p.text for p in docx.Document(str(run)).paragraphs)
    assert "Completed run" not in body and "not yet assessed" in body


def test_run_xlsx_question_and_a_no_column_apart_from_section(demo, tmp_path):
    import openpyxl

    from qms_desktop.services.exports.checklist_xlsx import export_checklist_xlsx

    with _open(demo) as ws:
        out = export_checklist_xlsx(ws, tmp_path / "run.xlsx", run_id=_gap_run(ws))
    sheet = openpyxl.load_workbook(out)["Items"]
    head = [c.value for c in sheet[2]]
    q = head.index("Question") + 1
    assert sheet.cell(3, q).value.startswith("Is there a current list")
    assert sheet.cell(3, 1).value == 1
    assert sheet.cell(3, 1).alignment.horizontal == "center"
    assert head[0] == "No." and head[1] == "Section"
    summary = {r[0].value: r[1].value for r in openpyxl.load_workbook(out)["Summary"].iter_rows()}
    assert "not yet assessed" in summary["Status"]


# --------------------------------------------------------------------------- audit report


def test_audit_report_refuses_a_gap_analysis(demo, tmp_path, capsys):
    out = tmp_path / "r.docx"
    assert main(["export", "audit-report", str(demo), "GA26-01", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("qms: ") and err.count("\n") == 1
    assert "gap analysis" in err and "internal audit" in err
    assert not out.exists()


# --------------------------------------------------------------------------- template .xlsx


def test_template_xlsx_keeps_name_kind_family_and_version(demo, tmp_path, ws):
    from qms_desktop.services import checklists as C

    copy = tmp_path / "demo.qms"
    shutil.copy(demo, copy)
    with _open(copy, read_only=False) as w:
        tid = _gap_template(w)
        before = {t.id: t for t in C.list_templates(w)}[tid]
        run = _gap_run(w)
        n_before = len(C.list_templates(w))
        path = C.export_template_xlsx(w, tid, tmp_path / "gap.xlsx")
        info = C.read_template_info(path)
        assert (info["name"], info["kind"], info["family"], info["version"]) == (
            before.name, "gap_analysis", before.family, before.version)
        # imported unchanged: no new version
        with pytest.raises(RecordError, match="nothing changed, so no new version was made"):
            C.import_template_xlsx(w, path)
        assert len(C.list_templates(w)) == n_before
        # edited in a spreadsheet: a new version of the same template, the run keeps its own
        from openpyxl import load_workbook

        wb = load_workbook(path)
        sheet = wb["Checklist"]
        sheet["D2"] = "Context of the organization (edited)"
        wb.save(path)
        new = C.import_template_xlsx(w, path).result
        rows = {t.id: t for t in C.list_templates(w)}
        assert new != tid
        assert rows[new].name == before.name and rows[new].kind == "gap_analysis"
        assert rows[new].family == before.family and rows[new].standard == before.standard
        assert rows[new].version == rules.next_version(before.version)
        assert rows[tid].status == "superseded"
        assert C.get_runs(w, [run])[0].template_id == tid
        assert C.template_items(w, new)[0]["title"] == "Context of the organization (edited)"
    # another workspace: a new template with the stored name, kind, family and version
    other = C.import_template_xlsx(ws, path).result
    row = {t.id: t for t in C.list_templates(ws)}[other]
    assert (row.name, row.kind, row.family, row.version, row.standard) == (
        before.name, "gap_analysis", before.family, before.version, before.standard)


def test_template_xlsx_without_info_still_imports(ws, tmp_path):
    from openpyxl import Workbook

    from qms_desktop.services import checklists as C

    wb = Workbook()
    wb.active.append(["Section", "Clause", "Question"])
    wb.active.append(["Stores", "8.5.4", "Parts protected?"])
    wb.save(tmp_path / "Stores walk.xlsx")
    tid = C.import_template_xlsx(ws, tmp_path / "Stores walk.xlsx").result
    row = {t.id: t for t in C.list_templates(ws)}[tid]
    assert (row.name, row.kind, row.version) == ("Stores walk", "internal_audit", "1")


# --------------------------------------------------------------------------- process audits


@pytest.mark.parametrize("name, code, clause", [
    ("Purchasing and supplier control", "SP-01", "8.4"),
    ("Sales, quotation and contract review", "CP-01", "8.2"),
    ("Order to delivery", "CP-02", "8.5.1"),
    ("Product design and development", "CP-09", "8.3"),
    ("Calibration of measuring equipment", "SP-05", "7.1.5"),
    ("Training and competence", "SP-04", "7.2"),
    ("Document control", "SP-07", "7.5"),
    ("Internal audit", "SP-03", "9.2"),
    ("Corrective action (CAPA)", "SP-08", "10.2"),
    ("Control of nonconforming product", "SP-02", "8.7"),
    ("Widget handling", "XX-1", "4.4"),
])
def test_process_clause_is_chosen_from_the_process(name, code, clause):
    from qms_desktop.services.checklists import process_clause

    assert process_clause(name, code)[0] == clause


def test_purchasing_checklist_cites_8_4_and_groups_sections(tmp_path):
    from sqlalchemy import select

    from qms_desktop.services import checklists as C
    from qms_desktop.services.demo import create_demo
    from qms_desktop.storage.models import Process
    from qms_desktop.storage.workspace import open_workspace

    ws = open_workspace(create_demo(tmp_path / "demo.qms", today=TODAY))
    try:
        with ws.connect() as c:
            pid = c.execute(select(Process.id).where(Process.code == "SP-01")).scalar_one()
        items = C.template_items(ws, C.generate_process_audit(ws, pid).result)
    finally:
        ws.close()
    steps = [i for i in items if i["section"] == "Steps"]
    assert steps and all(i["clause"] == "8.4" for i in steps)
    assert not any(i["clause"].startswith("8.5") for i in items)
    order = [i["section"] for i in items]
    runs = [s for k, s in enumerate(order) if k == 0 or order[k - 1] != s]
    assert len(runs) == len(set(runs)), runs  # each section once, its items together
