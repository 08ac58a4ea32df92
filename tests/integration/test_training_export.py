"""Training exports: the matrix and a person's record as .xlsx (reopened with openpyxl) and PDF
(pages counted with pdfinfo, text read with pdftotext), and the two `qms export` verbs.

The workspaces are small and built through the training service; people, departments and
courses carry formula payloads (``=1+1``, full-width ``＝1+1``, ``@SUM(A1)``), which must come
back as plain text, never as formulas."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from qms_desktop.cli import main
from qms_desktop.core import training as rules
from qms_desktop.services import training
from qms_desktop.services.audit_trail import head_stamp, stamp_text
from qms_desktop.services.exports import training_xlsx
from qms_desktop.services.records import RecordError
from qms_desktop.storage.workspace import create_workspace, open_workspace

openpyxl = pytest.importorskip("openpyxl")

TODAY = dt.date.today()
PAYLOADS = ("=1+1", "＝1+1", "@SUM(A1)")
COURSES = 30  # wider than one landscape A4 page


def build(path: Path, courses: int = COURSES) -> Path:
    """Five people holding one role that requires ``courses`` courses; some current, one
    expired, the rest missing. Three people and one course are named with formula payloads."""
    ws = create_workspace(path)
    try:
        role = training.add_role(ws, "Operator").result
        names = ["Ann Able", "Bob Baker", *PAYLOADS]
        people = [training.add_person(ws, {"name": n, "employee_no": f"E{i + 1}",
                                           "department": "-2+3" if i == 4 else "Production"}
                                      ).result for i, n in enumerate(names)]
        for pid in people:
            training.assign_role(ws, pid, role, TODAY - dt.timedelta(days=400))
        ids = []
        for j in range(courses):
            title = "@SUM(A1)" if j == 1 else f"Course number {j + 1} with a longish title"
            cid = training.add_course(ws, {"code": f"C-{j + 1:02d}", "title": title,
                                           "kind": "classroom", "validity_months": 12}).result
            training.set_requirement(ws, role, cid)
            ids.append(cid)
        # everyone current on the first course; Ann current on the second too
        training.add_records(ws, ids[0], people, {"completed_on": TODAY - dt.timedelta(days=30),
                                                  "trainer": "=cmd|' /C calc'!A0"})
        training.add_records(ws, ids[1], people[:1], {"completed_on": TODAY})
        # Bob's third course expired
        training.add_records(ws, ids[2], people[1:2],
                             {"completed_on": TODAY - dt.timedelta(days=500)})
    finally:
        ws.close()
    return path


@pytest.fixture
def small(tmp_path) -> Path:
    return build(tmp_path / "train.qms")


def stamp_of(path: Path) -> tuple[str, int]:
    with open_workspace(path, read_only=True) as ws:
        return head_stamp(ws)


def all_cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet, cell


# --------------------------------------------------------------------------- xlsx

def test_matrix_xlsx_reopened(small, tmp_path):
    out = tmp_path / "matrix.xlsx"
    with open_workspace(small, read_only=True) as ws:
        got = training_xlsx.export_matrix(ws, out)
        head, n = head_stamp(ws)
    assert got == out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Matrix", "Summary", "Records"]
    sheet = wb["Matrix"]
    # names (A:C) and the header row stay in view
    assert sheet.freeze_panes == "D3"
    assert [sheet.cell(2, k).value for k in (1, 2, 3)] == ["Name", "Employee no.",
                                                            "Department"]
    headers = [sheet.cell(2, 3 + j).value for j in range(1, COURSES + 1)]
    assert headers[0].startswith("C-01 ") and headers[1] == "C-02 @SUM(A1)"
    assert all(sheet.cell(2, 3 + j).alignment.text_rotation == 90
               for j in range(1, COURSES + 1))
    rows = {sheet.cell(r, 1).value: [sheet.cell(r, c).value for c in range(4, 4 + COURSES)]
            for r in range(3, 8)}
    assert set(rows) == {"Ann Able", "Bob Baker", *PAYLOADS}
    expiry = rules.add_months(TODAY - dt.timedelta(days=30), 12).isoformat()
    assert rows["Ann Able"][0] == f"✓ {expiry}"
    assert rows["Ann Able"][1] == f"✓ {rules.add_months(TODAY, 12).isoformat()}"
    assert rows["Bob Baker"][2].startswith("✗ ")
    assert rows["Bob Baker"][3] == "○ missing"
    # a fill per status (conditional, keyed on the symbol) beside the symbol itself
    rules_text = " ".join(r.formula[0] for cf in sheet.conditional_formatting
                          for r in cf.rules)
    for s in (rules.CURRENT, rules.EXPIRED, rules.MISSING):
        assert f'"{rules.SYMBOLS[s]}"' in rules_text
    assert all(r.dxf.fill is not None for cf in sheet.conditional_formatting for r in cf.rules)
    # the legend below the matrix
    column_a = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    assert any(str(v).startswith("Legend") for v in column_a) and "✗ expired" in column_a
    # the audit head, full, with its event number: footer and Summary sheet
    assert head in sheet.oddFooter.left.text and f"@ event {n}" in sheet.oddFooter.left.text
    summary = [c.value for _s, c in all_cells(wb) if _s.title == "Summary"]
    assert stamp_text(head, n) in summary
    assert "Per department" in summary and "Per course" in summary
    # compliance: 5 of 5 on C-01
    course_rows = {r[0]: r for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert course_rows["C-01"][2:5] == (5, 5, 100)


def export(ws_path: Path, out: Path) -> "openpyxl.Workbook":
    with open_workspace(ws_path, read_only=True) as ws:
        training_xlsx.export_matrix(ws, out)
    return openpyxl.load_workbook(out)


def test_one_font_family_everywhere(small, tmp_path):
    """A style without a font name shows in the office suite's default font (a serif in
    LibreOffice) beside the Calibri body: every written cell names the body's family."""
    wb = export(small, tmp_path / "m.xlsx")
    fonts = {(sheet.title, cell.font.name) for sheet, cell in all_cells(wb)}
    assert {name for _t, name in fonts} == {"Calibri"}, sorted(fonts, key=str)
    assert {t for t, _n in fonts} == {"Matrix", "Summary", "Records"}


def test_rotated_course_headers_fit_their_row(tmp_path):
    """Each rotated course header fits the header row: its longest word along the row's
    height, and all of it in the few lines a course column holds; a title too long for any
    sensible row is shortened with "…" rather than cut off."""
    path = build(tmp_path / "long.qms", courses=3)
    with open_workspace(path) as ws:
        cid = training.add_course(ws, {"code": "LONG-01", "title": "Very long title " * 20,
                                       "kind": "classroom"}).result
        training.set_requirement(ws, training.roles(ws)[0].id, cid)
    sheet = export(path, tmp_path / "m.xlsx")["Matrix"]
    height = sheet.row_dimensions[2].height
    assert 60 <= height <= 200
    heads = [sheet.cell(2, k) for k in range(4, sheet.max_column + 1)
             if sheet.cell(2, k).value]
    assert any(h.value.startswith("LONG-01") for h in heads)
    for cell in heads:
        text, size = cell.value, cell.font.sz
        advance = 0.6 * size  # a wide sans serif, bold (DejaVu Sans Bold: 0.6 em)
        across = 74 / (1.2 * size)  # lines across a 13.5-wide column (74 pt)
        assert cell.alignment.text_rotation == 90 and cell.alignment.wrap_text
        assert max(len(word) for word in text.split()) * advance <= height, text
        assert len(text) * advance <= height * int(across), (text, height)
        if text.startswith("LONG-01"):
            assert text.endswith("…") and text.startswith("LONG-01 Very long title")


def test_matrix_legend_stays_in_the_name_columns(small, tmp_path):
    """The name columns A:C are printed on every page; the legend's text must stay within
    them (text running on into the course columns is cut on pages 2 and later)."""
    sheet = export(small, tmp_path / "m.xlsx")["Matrix"]
    first = next(r for r in range(1, sheet.max_row + 1)
                 if str(sheet.cell(r, 1).value).startswith("Legend"))
    merged = {str(m) for m in sheet.merged_cells.ranges}
    rows = range(first + 1, first + 1 + len(rules.STATUSES))
    assert [sheet.cell(r, 1).value for r in rows][-2:] == ["○ missing", "(blank)"]
    for r in rows:
        meaning = sheet.cell(r, 2)
        assert meaning.value and meaning.alignment.wrap_text, r
        assert f"B{r}:C{r}" in merged, r
        width = 12 + 21  # columns B and C, in characters
        lines = -(-len(meaning.value) // width)
        height = sheet.row_dimensions[r].height or 15
        assert height >= 15 * lines - 1, (meaning.value, height)
        assert all(sheet.cell(r, c).value is None for c in range(4, sheet.max_column + 1))


def test_records_sheet_has_real_dates(small, tmp_path):
    """One row per required cell, its date a real date cell, with an autofilter: the list a
    quality lead sorts and filters by date."""
    wb = export(small, tmp_path / "m.xlsx")
    sheet = wb["Records"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Name", "Employee no.", "Department", "Course", "Title", "Status",
                       "Completed", "Trainer", "Expires / due", "Meaning")
    assert len(rows) - 1 == 5 * COURSES  # everyone holds the role requiring every course
    assert sheet.auto_filter.ref == f"A1:J{len(rows)}"
    assert sheet.freeze_panes == "A2"
    bob = {r[3]: r for r in rows[1:] if r[0] == "Bob Baker"}
    expired = bob["C-03"]
    assert expired[5] == "✗ expired" and expired[9] == "expired on"
    date_cell = sheet.cell(1 + rows.index(expired), 9)
    assert date_cell.is_date and "yyyy" in date_cell.number_format.lower()
    assert date_cell.value.date() == rules.add_months(TODAY - dt.timedelta(days=500), 12)
    # the status column is coloured by one conditional format per symbol over all its rows
    # (the cells themselves carry no fill: a style per cell would cost more than the rest)
    status_rules = {r.formula[0]: r for cf in sheet.conditional_formatting
                    for r in cf.rules if str(cf.sqref) == f"F2:F{len(rows)}"}
    for s in (rules.CURRENT, rules.EXPIRED, rules.MISSING):
        rule = status_rules[f'LEFT(F2,1)="{rules.SYMBOLS[s]}"']
        fill = rule.dxf.fill
        assert fill is not None and fill.fgColor.rgb.endswith(
            training_xlsx.status_colours(s)[0]), s
    status_cell = sheet.cell(1 + rows.index(expired), 6)
    assert status_cell.fill.fill_type is None and status_cell.font.name == "Calibri"
    ann = {r[3]: r for r in rows[1:] if r[0] == "Ann Able"}
    assert ann["C-02"][4] == "@SUM(A1)" and ann["C-02"][9] == "expiry"
    assert ann["C-02"][8].date() == rules.add_months(TODAY, 12)
    # the matrix cell shows the same date as text
    matrix = wb["Matrix"]
    bob_row = next(r for r in range(3, 8) if matrix.cell(r, 1).value == "Bob Baker")
    assert matrix.cell(bob_row, 6).value == f"✗ {expired[8].date().isoformat()}"


def test_records_sheet_shows_when_and_by_whom(small, tmp_path):
    """An auditor reads when each person was trained and by whom: the latest completion (the
    one the status judges) as a real date, and its trainer, also for a course valid for good,
    whose "Expires / due" is empty."""
    with open_workspace(small) as ws:
        cid = training.add_course(ws, {"code": "ONCE", "title": "Valid for good",
                                       "kind": "classroom"}).result
        training.set_requirement(ws, training.roles(ws)[0].id, cid)
        ann = training_xlsx.person_id_by_ref(ws, "Ann Able")
        training.add_records(ws, cid, [ann], {"completed_on": TODAY - dt.timedelta(days=700),
                                              "trainer": "Tess Trainer"})
        training.add_records(ws, cid, [ann], {"completed_on": TODAY - dt.timedelta(days=9),
                                              "trainer": "Tom Trainer"})
    sheet = export(small, tmp_path / "m.xlsx")["Records"]
    rows = {(r[0].value, r[3].value): r for r in sheet.iter_rows(min_row=2)}
    head = [c.value for c in next(sheet.iter_rows(max_row=1))]
    done, trainer, due, means = (head.index(h) for h in
                                 ("Completed", "Trainer", "Expires / due", "Meaning"))
    once = rows["Ann Able", "ONCE"]
    assert once[5].value == "✓ current"
    assert once[done].is_date and once[done].value.date() == TODAY - dt.timedelta(days=9)
    assert "yyyy" in once[done].number_format.lower()
    assert once[trainer].value == "Tom Trainer"
    assert once[due].value is None and once[means].value == "no expiry"
    first = rows["Bob Baker", "C-01"]  # its trainer is a formula payload: kept as text
    assert first[done].value.date() == TODAY - dt.timedelta(days=30)
    assert first[trainer].value == "=cmd|' /C calc'!A0" and first[trainer].data_type == "s"
    assert first[trainer].quotePrefix
    expired = rows["Bob Baker", "C-03"]
    assert expired[done].value.date() == TODAY - dt.timedelta(days=500)
    missing = rows["Bob Baker", "C-04"]
    assert missing[5].value == "○ missing"
    assert missing[done].value is None and missing[trainer].value is None
    assert rows["Ann Able", "C-02"][trainer].value is None  # completed with no trainer


def test_records_dates_read_apart_from_their_neighbours(small, tmp_path):
    """A right-aligned date beside left-aligned text runs into it ("2027-01-22expiry"): the
    dates are flush left in columns wider than a date, so a gap always follows them."""
    sheet = export(small, tmp_path / "m.xlsx")["Records"]
    head = [c.value for c in next(sheet.iter_rows(max_row=1))]
    for name in ("Completed", "Expires / due"):
        k = head.index(name) + 1
        letter = openpyxl.utils.get_column_letter(k)
        assert sheet.column_dimensions[letter].width >= len("2027-01-22") + 3, name
        dates = [sheet.cell(r, k) for r in range(2, sheet.max_row + 1)
                 if sheet.cell(r, k).value is not None]
        assert dates, name
        assert all(c.is_date and c.alignment.horizontal == "left" for c in dates), name


def test_no_formula_cells_even_with_payloads(small, tmp_path):
    for out, export in ((tmp_path / "m.xlsx", None), (tmp_path / "r.xlsx", "=1+1")):
        with open_workspace(small, read_only=True) as ws:
            if export is None:
                training_xlsx.export_matrix(ws, out)
            else:
                training_xlsx.export_record(ws, training_xlsx.person_id_by_ref(ws, export),
                                            out)
        wb = openpyxl.load_workbook(out)
        seen = set()
        for _sheet, cell in all_cells(wb):
            assert cell.data_type != "f", (out.name, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                seen.add(cell.value)
                if cell.value in PAYLOADS or cell.value == "-2+3":
                    assert cell.quotePrefix, cell.value
        if export is None:
            assert set(PAYLOADS) | {"-2+3"} <= seen
        else:
            assert "=1+1" in seen and "=cmd|' /C calc'!A0" in seen


def test_record_xlsx(small, tmp_path):
    out = tmp_path / "record.xlsx"
    with open_workspace(small, read_only=True) as ws:
        pid = training_xlsx.person_id_by_ref(ws, "Bob Baker")
        training_xlsx.export_record(ws, pid, out)
        head, n = head_stamp(ws)
    values = [v for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
              for v in row if v is not None]
    assert "Training record: Bob Baker" in values and "E2" in values and "Operator" in values
    assert "required for the role Operator" in values
    assert "✗ expired" in values and "○ missing" in values and "✓ current" in values
    assert sum(v == "passed" for v in values) == 2  # two completions in the history
    assert any(isinstance(v, str) and stamp_text(head, n) in v for v in values)


def record_sheet(small: Path, tmp_path: Path, who: str = "Bob Baker"):
    out = tmp_path / "record.xlsx"
    with open_workspace(small, read_only=True) as ws:
        training_xlsx.export_record(ws, training_xlsx.person_id_by_ref(ws, who), out)
    return openpyxl.load_workbook(out).active


def test_record_table_rows_read_from_the_top(small, tmp_path):
    """In the required-training and history tables, every cell of a row (the status too)
    starts at the top, where the wrapped title and reasons start."""
    sheet = record_sheet(small, tmp_path)
    column_a = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    checked = statuses = 0
    for title in ("Required training", "History (newest first)"):
        r = column_a.index(title) + 3  # (the title, then the header row)
        while r <= sheet.max_row and any(c.value is not None for c in sheet[r]):
            for cell in sheet[r]:
                if cell.value is not None:
                    assert cell.alignment.vertical == "top", (title, cell.coordinate,
                                                              cell.value)
                    checked += 1
                    statuses += str(cell.value).startswith(tuple(rules.SYMBOLS.values()))
            r += 1
    assert statuses >= 3 and checked > 20  # ✗ expired, ○ missing, ✓ current, …
    assert "=cmd|' /C calc'!A0" in [c.value for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("where", ["record", "summary"])
def test_legend_names_each_status_once(small, tmp_path, where):
    """The legend reads "✓ current — what it means", not "✓ current | current | …"."""
    if where == "record":
        sheet = record_sheet(small, tmp_path)
    else:
        sheet = export(small, tmp_path / "m.xlsx")["Summary"]
    rows = [[v for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]
    first = next(k for k, row in enumerate(rows) if row == ["Legend"])
    legend = rows[first + 1:first + 1 + len(rules.STATUSES)]
    for s, row in zip(rules.STATUSES, legend):
        label = rules.LABELS[s]
        key = "(blank)" if s == rules.NOT_REQUIRED else f"{rules.SYMBOLS[s]} {label}"
        assert row[0] == key and len(row) == 2, row
        assert row[1] not in (label, key) and not row[1].startswith("(blank)"), row


def test_person_lookup(small):
    with open_workspace(small, read_only=True) as ws:
        by_name = training_xlsx.person_id_by_ref(ws, "Ann Able")
        assert training_xlsx.person_id_by_ref(ws, "E1") == by_name
        assert training_xlsx.person_id_by_ref(ws, str(by_name)) == by_name
        assert training_xlsx.person_id_by_ref(ws, "ann  able") == by_name
        with pytest.raises(RecordError, match="no person “Zed”"):
            training_xlsx.person_id_by_ref(ws, "Zed")


# --------------------------------------------------------------------------- PDF

def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return unicodedata.normalize("NFKC", out)


poppler = pytest.mark.skipif(not (shutil.which("pdfinfo") and shutil.which("pdftotext")),
                             reason="poppler's pdfinfo and pdftotext are not installed")


@pytest.mark.gui
def test_plan_pages_rows_first_then_bands():
    pytest.importorskip("PySide6")
    from qms_desktop.ui.training.print import plan_matrix

    pages = plan_matrix(70, 25, 30, 12)  # 3 blocks of people × 3 bands of courses
    assert [(p.rows, p.cols) for p in pages[:4]] == [
        ((0, 30), (0, 12)), ((30, 60), (0, 12)), ((60, 70), (0, 12)), ((0, 30), (12, 24))]
    assert len(pages) == 9 and pages[-1].cols == (24, 25) and pages[-1].number == 9
    assert len(plan_matrix(0, 0, 30, 12)) == 1


@pytest.mark.gui
@poppler
def test_matrix_pdf_pages(small, tmp_path):
    pytest.importorskip("PySide6")
    from qms_desktop.ui.training.print import write_matrix_pdf

    out = tmp_path / "matrix.pdf"
    with open_workspace(small, read_only=True) as ws:
        mx = training.load_matrix(ws)
        head, n = head_stamp(ws)
    write_matrix_pdf(mx, out, title="Training matrix", head_text=stamp_text(head, n))
    pages = page_count(out)
    assert pages >= 2  # 30 courses do not fit across one landscape A4 page
    for k in range(1, pages + 1):
        text = page_text(out, k)
        assert f"Page {k} of {pages}" in text
        assert head in text.replace("\n", "") and f"@ event {n}" in text
        # the name column and the header are on every page
        assert "Name" in text and "Ann Able" in text and "@SUM(A1)" in text
        assert "✓" in text
    first, last = page_text(out, 1), page_text(out, pages)
    assert "C-01" in first and "C-30" not in first
    assert "C-30" in last and "C-01" not in last


@pytest.mark.gui
@poppler
def test_print_matrix_on_a_printer(small, tmp_path):
    """What Print and Print Preview do: paint on a QPrinter (here one printing to a file)."""
    pytest.importorskip("PySide6")
    from PySide6.QtPrintSupport import QPrinter

    from qms_desktop.ui.flowchart.render import ensure_app
    from qms_desktop.ui.training.print import print_matrix

    ensure_app()
    with open_workspace(small, read_only=True) as ws:
        mx = training.load_matrix(ws)
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    sheets = print_matrix(mx, printer, title="Training matrix", head_text="audit head x")
    assert sheets == page_count(out) >= 2
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+842(\.\d+)? x 595", info)  # landscape A4
    assert f"Page {sheets} of {sheets}" in page_text(out, sheets)


@pytest.mark.gui
@poppler
def test_record_pdf(small, tmp_path):
    pytest.importorskip("PySide6")
    from qms_desktop.ui.training.print import write_record_pdf

    out = tmp_path / "record.pdf"
    with open_workspace(small, read_only=True) as ws:
        record = training_xlsx.load_record(ws, training_xlsx.person_id_by_ref(ws, "E2"))
        head, n = head_stamp(ws)
    write_record_pdf(record, out, head_text=stamp_text(head, n))
    text = "".join(page_text(out, k) for k in range(1, page_count(out) + 1))
    assert "Training record: Bob Baker" in text and "Page 1 of" in text
    assert "required for the role Operator" in text and "✗ expired" in text


# --------------------------------------------------------------------------- the CLI

def test_cli_matrix_xlsx_and_record(small, tmp_path, capsys):
    head, n = stamp_of(small)
    out = tmp_path / "m.xlsx"
    assert main(["export", "training-matrix", str(small), "-o", str(out), "--window", "90"]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and stamp_text(head, n) in printed
    assert "window 90 days" in openpyxl.load_workbook(out)["Matrix"]["A1"].value
    rec = tmp_path / "r.xlsx"
    assert main(["export", "training-record", str(small), "E1", "-o", str(rec)]) == 0
    assert f"wrote {rec}" in capsys.readouterr().out and rec.is_file()


@pytest.mark.gui
@poppler
def test_cli_pdfs(small, tmp_path, capsys):
    pytest.importorskip("PySide6")
    head, n = stamp_of(small)
    out = tmp_path / "m.pdf"
    assert main(["export", "training-matrix", str(small), "-o", str(out)]) == 0
    assert stamp_text(head, n) in capsys.readouterr().out
    assert f"Page 1 of {page_count(out)}" in page_text(out, 1)
    rec = tmp_path / "r.pdf"
    assert main(["export", "training-record", str(small), "Ann Able", "-o", str(rec)]) == 0
    assert "Training record: Ann Able" in page_text(rec, 1)


@pytest.mark.parametrize("argv, code, message", [
    (["training-record", "{ws}", "Nobody", "-o", "{tmp}/r.pdf"], 1, "no person “Nobody”"),
    (["training-matrix", "{ws}", "-o", "{tmp}/m.csv"], 2, "must end with .xlsx or .pdf"),
    (["training-record", "{ws}", "E1", "-o", "{tmp}/r.docx"], 2, "must end with .pdf or .xlsx"),
    (["training-matrix", "{ws}", "-o", "{tmp}/m.xlsx", "--window", "0"], 2, "--window"),
    (["training-matrix", "{ws}", "-o", "{tmp}/missing/m.xlsx"], 1, "does not exist"),
    (["training-matrix", "{tmp}/none.qms", "-o", "{tmp}/m.xlsx"], 1, ""),
])
def test_cli_errors_are_one_line(small, tmp_path, capsys, argv, code, message):
    args = [a.format(ws=small, tmp=tmp_path) for a in argv]
    assert main(["export", *args]) == code
    err = capsys.readouterr().err
    assert err.startswith("qms: ") and err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert not (tmp_path / "m.xlsx").exists() and not (tmp_path / "r.pdf").exists()


def test_cli_xlsx_does_not_load_qt(small, tmp_path):
    out = tmp_path / "m.xlsx"
    code = ("import sys\nfrom qms_desktop.cli import main\n"
            f"rc = main(['export', 'training-matrix', {str(small)!r}, '-o', {str(out)!r}])\n"
            f"rc2 = main(['export', 'training-record', {str(small)!r}, 'E1', '-o', "
            f"{str(tmp_path / 'r.xlsx')!r}])\n"
            "assert rc == rc2 == 0, (rc, rc2)\n"
            "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
            "assert not loaded, loaded\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.is_file()
