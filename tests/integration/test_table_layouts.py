"""Layouts of real registers, built as workbooks: the reader finds the sheet and the header,
folds a record merged over several rows, fills group values down, stops at footers, skips
formula residue, template rows and section headings — and never lets them block good rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms_desktop.services import risks as RS
from qms_desktop.services.imports import risk_table as rt


def _book(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] = {}) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
        for ref in merges.get(name, []):
            sheet.merge_cells(ref)
    workbook.save(path)
    return path


def test_legend_first_register_second_and_title_banner(tmp_path):
    path = _book(tmp_path / "r.xlsx", {
        "Legend": [["Rating", "Meaning"], ["H", "High"], ["M", "Medium"], ["L", "Low"]],
        "Lists": [["Owner", "Status"], ["Anna", "Open"]],
        "Register": [["Supplier risk register 2026"], [],
                     ["ID", "Risk", "Cause", "Effect", "Likelihood", "Impact", "Score"],
                     ["R-1", "Late steel", "One supplier", "Line stops", "H", "M", "=E4*F4"],
                     ["R-2", "Wrong grade", "No check", "Scrap", "L", "H", None]],
    }, {"Register": ["A1:G1"]})
    source = rt.open_table(path)
    choice = source.choose_sheet()
    assert choice.sheet == "Register" and choice.header_row == 3
    assert dict(choice.passed_over) == {"Legend": "a legend or instructions",
                                        "Lists": "a legend or instructions"}
    preview = rt.parse_rows(source)
    assert preview.sheet == "Register" and preview.headers[:2] == ["ID", "Risk"]
    assert [r.values["title"] for r in preview.rows] == ["Late steel", "Wrong grade"]
    first = preview.rows[0].values
    assert (first["cause"], first["effect"]) == ("One supplier", "Line stops")
    assert (first["inherent_likelihood"], first["inherent_impact"]) == (4, 3)
    assert 6 in preview.computed and 6 not in preview.mapping
    table = {c.column: {t: e.number for t, e in c.entries.items()} for c in preview.ratings}
    assert table == {4: {"H": 4, "L": 2}, 5: {"M": 3, "H": 4}}
    # the named sheet is still read when asked for
    assert rt.parse_rows(source, "Legend").sheet == "Legend"


def test_record_merged_over_rows_is_one_risk_group_values_are_filled(tmp_path):
    rows = [
        ["ID", "Process", "Risk", "Likelihood", "Impact", "Existing controls", "Owner"],
        ["R-1", "Purchasing", "Late steel", 4, 3, "Two suppliers", "Anna, Ben"],
        [None, None, None, None, None, "Safety stock", None],
        [None, None, None, None, None, "Weekly call", None],
        ["R-2", None, "Wrong grade", 2, 5, "Certificates", "Carl"],
        ["R-3", "Machining", "Tool wear", 3, 3, "Tool life counter", "Dora"],
    ]
    merges = ["A2:A4", "C2:C4", "D2:D4", "E2:E4", "G2:G4", "B2:B5"]
    source = rt.open_table(_book(tmp_path / "g.xlsx", {"Risks": rows}, {"Risks": merges}))
    preview = rt.parse_rows(source)
    assert [(r.row_number, r.last_row) for r in preview.rows] == [(2, 4), (5, 5), (6, 6)]
    r1, r2, r3 = (r.values for r in preview.rows)
    assert r1["controls"] == "Two suppliers\nSafety stock\nWeekly call"
    assert r1["owner"] == "Anna" and "Also responsible: Ben" in r1["notes"]
    assert r2["process"] == "Purchasing"  # the process merged over: filled down
    assert r3["process"] == "Machining"
    assert preview.error_count == 0
    assert any("continue a record" in n for n in preview.notes)
    # read as it is (fill_merged=False): R-1 loses its further controls, R-2 its process
    raw = rt.parse_rows(rt.open_table(tmp_path / "g.xlsx", fill_merged=False))
    assert [r.row_number for r in raw.rows] == [2, 5, 6]
    assert raw.rows[0].values["controls"] == "Two suppliers"
    assert raw.rows[1].values["process"] == ""


def test_fmea_failure_mode_merged_over_its_causes_is_filled_down(tmp_path):
    rows = [
        ["Process step", "Potential failure mode", "Potential effect(s) of failure", "Severity",
         "Potential cause(s) of failure", "Occurrence", "Detection", "RPN"],
        ["Turn shaft", "Diameter too large", "Does not fit", 7, "Tool wear", 5, 4, 140],
        [None, None, None, None, "Wrong offset", 3, 6, 126],
        ["Deburr", "Burr left", "Injury", 8, "Worn brush", 4, 7, 224],
    ]
    merges = ["A2:A3", "B2:B3", "C2:C3", "D2:D3"]
    preview = rt.parse_rows(rt.open_table(_book(tmp_path / "f.xlsx", {"PFMEA": rows},
                                                {"PFMEA": merges})))
    assert [r.values["failure_mode"] for r in preview.rows] == [
        "Diameter too large", "Diameter too large", "Burr left"]
    second = preview.rows[1].values
    assert (second["cause"], second["occurrence"], second["detection"]) == ("Wrong offset", 3, 6)
    assert second["severity"] == 7 and second["effect"] == "Does not fit"
    assert second["step"] == "Turn shaft" and 7 not in preview.mapping


def test_footers_residue_templates_and_headings_never_block_good_rows(tmp_path, ws):
    rows = [
        ["ID", "Title", "Cause", "Likelihood", "Impact", "Status", "Score"],
        ["1. Purchasing"],
        ["R-1", "Late steel", "One supplier", 4, 3, "Open", 12],
        [None, None, None, None, None, "Open", 0],  # a template row with a default status
        [None, None, None, "#VALUE!", "#REF!", None, "#DIV/0!"],
        ["R-2", "Wrong grade", "No check", "bad", 5, "Open", None],  # a real error
        ["R-3", "Scale drift", "No calibration", 2, 2, "Closed", 4],
        ["Total", None, None, None, None, None, 16],
        ["R-9", "Below the total", None, 1, 1, None, None],
    ]
    path = _book(tmp_path / "t.xlsx", {"Risks": rows}, {"Risks": ["A2:G2"]})
    preview = rt.parse_rows(rt.open_table(path))
    assert [r.values["ref"] for r in preview.rows] == ["R-1", "R-2", "R-3"]
    assert [r.status for r in preview.rows] == ["ok", "error", "ok"]
    reasons = {s.row_number: s.reason for s in preview.skipped}
    assert set(reasons) == {2, 4, 5}
    assert "heading" in reasons[2] and "template" in reasons[4] and "residue" in reasons[5]
    assert any("Reading stopped at row 8" in n for n in preview.notes)
    # all or nothing by default, the good rows with skip_invalid
    report = RS.import_risks(ws, path)
    assert not report.committed and RS.list_risks(ws) == []
    report = RS.import_risks(ws, path, skip_invalid=True)
    assert report.committed and report.created == 2 and report.errors == 1
    assert [r.ref for r in RS.list_risks(ws)] == ["R-1", "R-3"]
    assert report.change is not None and report.change.touches("risk")
    assert "were skipped" in report.summary()


def test_footers_in_csv(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("ID,Title,Likelihood,Impact\nR-1,A,1,2\nR-2,B,3,3\n\n"
                    "© 2026 ACME Ltd — confidential\nR-3,Not a risk,1,1\n", encoding="utf-8")
    preview = rt.parse_rows(rt.open_table(path))
    assert [r.values["ref"] for r in preview.rows] == ["R-1", "R-2"]
    assert preview.skipped_blank_rows == 1


def test_column_map_and_a_wrong_guess(tmp_path, ws):
    path = tmp_path / "m.csv"
    path.write_text("Ref,Problem,Details,Rating\nP-1,Noise,Bearing worn,H\n", encoding="utf-8")
    preview = rt.parse_rows(rt.open_table(path))
    assert preview.mapping == {0: "ref", 1: "title", 2: "description"}
    report = RS.import_risks(ws, path, dry_run=True,
                             column_map=["Details=cause", "Rating=inherent_impact"])
    fields = {c["header"]: c["field"] for c in report.columns}
    assert fields == {"Ref": "ref", "Problem": "title", "Details": "cause",
                      "Rating": "inherent_impact"}
    with pytest.raises(ValueError, match="no column is called"):
        RS.import_risks(ws, path, dry_run=True, column_map=["Whatever=cause"])


def test_a_damaged_or_oversized_other_sheet_is_passed_over(tmp_path):
    rows = [["ID", "Title", "Likelihood", "Impact"]] + [[f"R-{i}", f"T{i}", 1, 1]
                                                         for i in range(3)]
    big = [["ID", "Title"]] + [[f"B-{i}", f"B{i}"] for i in range(30)]
    path = _book(tmp_path / "two.xlsx", {"Register": rows, "Archive": big})
    source = rt.open_table(path, max_rows=10)
    choice = source.choose_sheet()
    assert choice.sheet == "Register"
    assert "more than 10 rows" in dict(choice.passed_over)["Archive"]
    assert len(rt.parse_rows(source).rows) == 3
    # the only readable candidate too big: that is the answer
    only = _book(tmp_path / "one.xlsx", {"Archive": big, "Legend": [["Key", "Meaning"]]})
    with pytest.raises(rt.ImportFileError, match="more than 10 rows"):
        rt.parse_rows(rt.open_table(only, max_rows=10))
