"""Import of a training matrix (.xlsx/.csv) in both shapes: matching, per-row report, dry run,
all-or-nothing and skip-errors, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from dumps import table_dump
from qms_desktop.services import training as svc
from qms_desktop.services.exports.cells import MAX_CELL_TEXT
from qms_desktop.services.imports.training import ImportOptions, import_training

D = dt.date
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.fixture
def seeded(ws):
    """Ann Lee (employee no. 17), José Müller (no number), the course FS-01 Forklift safety
    (valid 12 months) and the role Operator."""
    ann = svc.add_person(ws, {"name": "Ann Lee", "employee_no": "17",
                              "department": "QA"}).result
    jose = svc.add_person(ws, {"name": "José Müller", "department": "Production"}).result
    fs = svc.add_course(ws, {"code": "FS-01", "title": "Forklift safety",
                             "validity_months": 12}).result
    svc.add_role(ws, "Operator")
    return {"ann": ann, "jose": jose, "fs": fs}


def matrix_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.title = "Training matrix"
    sh.append(["Training matrix — production, 2025"])
    sh.append(["Emp no", "Name", "Department", "Role", "FS-01 Forklift safety", "Hygiene",
               "GMP basics"])
    for r in rows:
        sh.append(r)
    wb.save(path)
    return path


GOOD_MATRIX = [
    [17, "ann  LEE", "QA", "Inspector", dt.datetime(2025, 3, 4), "4. März 2025", "n/a"],
    [None, "Muller, Jose", "Production", "Operator", "04.03.2025", "25/03/2025", "planned"],
    [99, "Bob New", "Production", "Operator", "Mar 4, 2025", "-", 45720],
]


def records_csv(path: Path, rows: list[list], header=None) -> Path:
    header = header or ["Employee", "Employee ID", "Training", "Date completed", "Valid until",
                        "Trainer", "Result", "Certificate"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def people_by_name(ws):
    return {p.name: p.id for p in svc.people(ws, include_leavers=True)}


def records_of(ws, pid):
    return sorted((r.course_id, r.completed_on, r.expires_on, r.result, r.trainer, r.evidence)
                  for r in svc.history(ws, pid))


# --------------------------------------------------------------------------- matrix shape

def test_matrix_matches_people_and_courses_and_imports(ws, seeded, tmp_path):
    path = matrix_xlsx(tmp_path / "matrix.xlsx", GOOD_MATRIX)
    before = table_dump(ws)
    dry = import_training(ws, path, dry_run=True)
    assert table_dump(ws) == before  # a dry run changes nothing
    assert dry.shape == "matrix" and dry.header_row == 2 and not dry.problem
    labels = {c["column"]: c["label"] for c in dry.columns}
    assert labels["A"] == "Employee no." and labels["B"] == "Person (name)"
    assert labels["F"] == "course “Hygiene”"
    people = {p.name: p for p in dry.people}
    # matched by employee number (the name is written differently), by name (accents, case,
    # "Last, First"), and a new person proposed
    assert people["ann  LEE"].person_id == seeded["ann"]
    assert people["ann  LEE"].how == "employee no."
    assert people["Muller, Jose"].person_id == seeded["jose"]
    assert people["Muller, Jose"].how == "name"
    assert people["Bob New"].person_id is None
    courses = {c.name: c for c in dry.courses}
    assert courses["FS-01 Forklift safety"].course_id == seeded["fs"]
    assert courses["Hygiene"].course_id is None and courses["GMP basics"].course_id is None
    assert {r.name: r.role_id is None for r in dry.roles} == {"Inspector": True,
                                                             "Operator": False}
    assert dry.errors == 0 and dry.records_added == 6
    assert [r.row_number for r in dry.rows] == [3, 4, 5]
    assert any("not completed" in a for a in dry.rows[1].actions)  # "planned"
    assert "would create 6 training records" in dry.summary()

    done = import_training(ws, path)
    assert done.committed and done.change is not None
    assert done.change.created("training_record") and done.change.touches("person", "course")
    ids = people_by_name(ws)
    assert set(ids) == {"Ann Lee", "José Müller", "Bob New"}
    course_ids = {c.title: c.id for c in svc.courses(ws)}
    ann = records_of(ws, seeded["ann"])
    # expiry computed from the course's validity; a date cell; a German text month
    assert (seeded["fs"], D(2025, 3, 4), D(2026, 3, 4), "passed", "", "") in ann
    assert (course_ids["Hygiene"], D(2025, 3, 4), None, "passed", "", "") in ann
    bob = records_of(ws, ids["Bob New"])
    assert (course_ids["GMP basics"], D(2025, 3, 4), None, "passed", "", "") in bob
    jose = records_of(ws, seeded["jose"])
    assert (course_ids["Hygiene"], D(2025, 3, 25), None, "passed", "", "") in jose
    # role assignments: Bob (new) and José hold Operator, Ann the new role Inspector
    held = {name for _a, name, _f, _t in svc.assignments(ws, ids["Bob New"])}
    assert held == {"Operator"}
    assert {n for _a, n, _f, _t in svc.assignments(ws, seeded["ann"])} == {"Inspector"}
    # importing the same file again adds nothing
    again = import_training(ws, path, dry_run=True)
    assert again.records_added == 0 and again.people_added == 0


def test_marks_without_a_date_are_flagged_or_take_the_chosen_date(ws, seeded, tmp_path):
    path = matrix_xlsx(tmp_path / "marks.xlsx", [
        [17, "Ann Lee", "QA", "", "x", "✓", "expired"],
        [None, "José Müller", "Production", "", "n/a", "-", ""],
    ])
    rep = import_training(ws, path, dry_run=True)
    row3 = rep.rows[0]
    assert row3.status == "error"
    text = " ".join(row3.messages)
    assert "cell E3" in text and "cell F3" in text and "gives no date" in text
    assert "cell G3" in text and "expired" in text
    assert rep.rows[1].status == "ok" and rep.rows[1].records == 0  # n/a and "-": no record
    chosen = import_training(ws, path, dry_run=True,
                             options=ImportOptions(undated_as=D(2024, 6, 1)))
    row3 = chosen.rows[0]
    # x and ✓ take the chosen date (a warning), "expired" is still flagged
    assert row3.status == "error" and len(row3.messages) == 3
    assert sum("recorded as completed on 2024-06-01" in m for m in row3.messages) == 2


def test_ambiguous_dates_are_flagged_with_row_and_cell_until_the_order_is_chosen(
        ws, seeded, tmp_path):
    path = matrix_xlsx(tmp_path / "slashes.xlsx", [
        [17, "Ann Lee", "QA", "", "03/04/2025", "05/06/2024", ""],
    ])
    rep = import_training(ws, path, dry_run=True)
    assert rep.errors == 1 and rep.rows[0].row_number == 3
    assert any("E3" in m and "3 April 2025" in m for m in rep.rows[0].messages)
    assert any("F3" in m for m in rep.rows[0].messages)
    mdy = import_training(ws, path, dry_run=True, options=ImportOptions(date_order="mdy"))
    assert mdy.errors == 0 and "2025-03-04" in " ".join(mdy.rows[0].actions)
    dmy = import_training(ws, path, dry_run=True, options=ImportOptions(date_order="dmy"))
    assert "2025-04-03" in " ".join(dmy.rows[0].actions)


def test_impossible_and_future_dates_are_flagged(ws, seeded, tmp_path):
    path = matrix_xlsx(tmp_path / "bad.xlsx", [
        [17, "Ann Lee", "QA", "", "2025-13-01", "31.02.2025", "2999-01-01"],
        [None, "José Müller", "", "", 45720, "01.01.2025", 17],  # 17 is no training date
        [None, "Bob New", "", "", "2025-01-02", "2025-01-02", "2025-01-02"],
    ])
    rep = import_training(ws, path, dry_run=True)
    text = " ".join(rep.rows[0].messages)
    assert "no month 13" in text and "February 2025 has 28 days" in text
    assert "G3" in text and "future" in text
    assert rep.rows[1].status == "error" and "G4" in rep.rows[1].messages[0]
    assert "not a plausible training date" in rep.rows[1].messages[0]


def test_a_column_of_small_numbers_is_not_a_course(ws, seeded, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.append(["Name", "Department", "Badge", "Hygiene"])
    sh.append(["Ann Lee", "QA", 4711, "2025-03-04"])
    wb.save(tmp_path / "badge.xlsx")
    rep = import_training(ws, tmp_path / "badge.xlsx", dry_run=True)
    assert rep.mapping == {0: "person", 1: "department", 2: "employee_no",
                           3: "course_column"}
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("Name,Locker,Hygiene\nAnn Lee,12,2025-03-04\n", encoding="utf-8")
    rep = import_training(ws, unknown, dry_run=True)
    assert rep.mapping == {0: "person", 2: "course_column"}


# --------------------------------------------------------------------------- records shape

def test_one_row_per_record_csv(ws, seeded, tmp_path):
    path = records_csv(tmp_path / "records.csv", [
        ["Ann Lee", "17", "FS-01", "2025-01-10", "", "J. Smith", "passed", "=HYPERLINK(\"x\")"],
        # 25/02 shows the file writes the day first, so 10/02/2027 is 10 February
        ["ann lee", "", "Forklift safety", "25/02/2025", "10/02/2027", "", "bestanden",
         "+CERT-1"],
        ["Cara Neu", "55", "Hazmat", "4 mars 2025", "", "", "failed", "@note"],
    ])
    before = table_dump(ws)
    dry = import_training(ws, path, dry_run=True)
    assert table_dump(ws) == before
    assert dry.shape == "records" and dry.errors == 0, dry.lines()
    assert [p.person_id for p in dry.people] == [seeded["ann"], None]  # Ann once
    # "FS-01" and "Forklift safety" are the same course: proposed once, matched
    assert [(c.name, c.course_id) for c in dry.courses] == [("FS-01", seeded["fs"]),
                                                            ("Hazmat", None)]
    rep = import_training(ws, path)
    assert rep.committed and rep.records_added == 3
    ann = records_of(ws, seeded["ann"])
    assert (seeded["fs"], D(2025, 1, 10), D(2026, 1, 10), "passed", "J. Smith",
            '=HYPERLINK("x")') in ann  # formula-like text stays text
    assert (seeded["fs"], D(2025, 2, 25), D(2027, 2, 10), "passed", "", "+CERT-1") in ann
    cara = people_by_name(ws)["Cara Neu"]
    hazmat = next(c.id for c in svc.courses(ws) if c.title == "Hazmat")
    assert records_of(ws, cara) == [(hazmat, D(2025, 3, 4), None, "failed", "", "@note")]


def test_text_over_the_cell_cap_is_refused_with_field_and_row(ws, seeded, tmp_path):
    path = records_csv(tmp_path / "long.csv", [
        ["Ann Lee", "17", "FS-01", "2025-01-10", "", "", "", "E" * (MAX_CELL_TEXT + 1)],
    ])
    rep = import_training(ws, path, dry_run=True)
    assert rep.errors == 1
    msg = rep.rows[0].messages[0]
    assert rep.rows[0].row_number == 2 and "evidence" in msg and "H2" in msg
    assert f"{MAX_CELL_TEXT:,}" in msg


def test_all_or_nothing_and_skip_errors(ws, seeded, tmp_path):
    path = records_csv(tmp_path / "mixed.csv", [
        ["Ann Lee", "17", "FS-01", "2025-01-10", "", "", "", ""],
        ["Bob New", "", "Hygiene", "2025-13-01", "", "", "", ""],       # row 3: bad date
        ["Cara Neu", "", "Hygiene", "2025-02-01", "", "", "maybe", ""],  # row 4: bad result
        ["Dan Ok", "", "Hygiene", "2025-02-02", "", "", "", ""],
    ])
    before = table_dump(ws)
    rep = import_training(ws, path)
    assert not rep.committed and rep.change is None
    assert rep.error_rows == [3, 4] and "nothing was imported" in rep.summary()
    assert table_dump(ws) == before
    rep = import_training(ws, path, skip_errors=True)
    assert rep.committed and rep.error_rows == [3, 4] and rep.records_added == 2
    names = set(people_by_name(ws))
    assert "Dan Ok" in names and "Bob New" not in names and "Cara Neu" not in names
    assert "rows 3, 4 were skipped" in rep.summary()


def test_a_failure_mid_commit_rolls_back_everything(ws, seeded, tmp_path):
    from qms_desktop.services.records import RecordError

    path = matrix_xlsx(tmp_path / "matrix.xlsx", GOOD_MATRIX)
    before = table_dump(ws)
    calls = []

    def cancel_on_second():
        calls.append(1)
        return len(calls) >= 2

    with pytest.raises(RecordError, match="cancelled"):
        import_training(ws, path, cancelled=cancel_on_second)
    assert len(calls) == 2
    assert table_dump(ws) == before  # people, courses and roles made before it are gone too


def test_the_change_undoes_the_import_exactly(ws, seeded, tmp_path):
    from qms_desktop.services import records

    path = matrix_xlsx(tmp_path / "matrix.xlsx", GOOD_MATRIX)
    before = table_dump(ws)
    rep = import_training(ws, path)
    after = table_dump(ws)
    records.invert(ws, rep.change.changeset)
    assert table_dump(ws) == before
    records.reapply(ws, rep.change.changeset)
    assert table_dump(ws) == after


def test_same_name_twice_in_the_workspace_needs_the_employee_number(ws, seeded, tmp_path):
    svc.add_person(ws, {"name": "Ann Lee", "employee_no": "18"})
    path = records_csv(tmp_path / "twins.csv", [
        ["Ann Lee", "", "FS-01", "2025-01-10", "", "", "", ""],
        ["Ann Lee", "18", "FS-01", "2025-01-10", "", "", "", ""],
    ])
    rep = import_training(ws, path, dry_run=True)
    assert rep.rows[0].status == "error" and "2 people" in rep.rows[0].messages[0]
    assert rep.rows[1].status == "ok"


def test_no_people_column_is_refused_with_a_sentence(ws, tmp_path):
    path = records_csv(tmp_path / "odd.csv", [["a", "b"]], header=["Colour", "Shape"])
    rep = import_training(ws, path, dry_run=True)
    assert rep.problem and rep.problem.endswith(".") and not rep.rows


# --------------------------------------------------------------------------- CLI

def test_cli_dry_run_json_and_refusals(ws, seeded, tmp_path, capsys):
    from qms_desktop.cli import main

    path = matrix_xlsx(tmp_path / "matrix.xlsx", [
        [17, "Ann Lee", "QA", "", "03/04/2025", "", ""],
    ])
    wpath = ws.path
    ws.close()
    assert main(["import", "training", str(wpath), str(path), "--dry-run"]) == 1
    out = capsys.readouterr()
    assert "E3" in out.out and "1 row has errors" in out.err and "Traceback" not in out.err
    assert main(["import", "training", str(wpath), str(path), "--dry-run", "--json",
                 "--date-order", "mdy"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["shape"] == "matrix" and data["records_added"] == 1 and data["date_order"] == "mdy"
    assert data["people"][0]["action"] == "match"
    assert main(["import", "training", str(wpath), str(path), "--date-order", "dmy"]) == 0
    assert "created 1 training record," in capsys.readouterr().out
    from qms_desktop.storage.workspace import open_workspace

    with open_workspace(wpath, read_only=True) as again:
        assert [r.completed_on for r in svc.history(again, seeded["ann"])] == [D(2025, 4, 3)]


# --------------------------------------------------------------------------- real files

def test_real_training_matrices_in_the_corpus(ws):
    """Real training matrices, read in place from the shared corpus (none there yet)."""
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus (../shared/corpus) is not available here")
    found = [p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in
             (".xlsx", ".csv") and any(w in p.name.lower() for w in
                                       ("training", "schulung", "formation", "competen"))]
    if not found:
        pytest.skip("the shared corpus holds no training matrix yet")
    for path in found:
        rep = import_training(ws, path, dry_run=True)
        assert rep.problem or rep.rows, path


# --------------------------------------------------------------------------- near matches

def test_a_misspelled_name_is_an_error_naming_the_likely_person(ws, seeded, tmp_path):
    svc.add_person(ws, {"name": "Kevin Price", "employee_no": "N015"})
    path = records_csv(tmp_path / "typo.csv", [
        ["Ann Lee", "17", "FS-01", "2025-01-10", "", "", "", ""],
        ["Kevin Pryce", "", "FS-01", "2025-01-10", "", "", "", ""],   # row 3: a typo
        ["K. Price", "", "FS-01", "2025-01-11", "", "", "", ""],      # row 4: initial
        ["Bob New", "", "FS-01", "2025-01-10", "", "", "", ""],       # nobody alike: new
        ["Kevin Pryce", "", "FS-01", "2025-01-12", "", "", "", ""],   # row 6: again
    ])
    rep = import_training(ws, path, dry_run=True)
    assert rep.error_rows == [3, 4, 6]
    msg = rep.rows[1].messages[0]
    assert msg.startswith("“Kevin Pryce” (cell A3) is nobody in the workspace but looks like "
                          "Kevin Price (employee no. N015)")
    assert "confirm that “Kevin Pryce” is a new person" in msg
    assert "Kevin Price" in rep.rows[2].messages[0] and rep.rows[4].status == "error"
    assert rep.rows[3].status == "ok" and rep.people_added == 1  # Bob only
    # the people of rows with errors are listed, marked
    listed = {p.name: p for p in rep.people}
    assert listed["Kevin Pryce"].action == "error" and listed["Kevin Pryce"].error_rows == [3, 6]
    assert "not imported: rows 3, 6 have errors" in listed["Kevin Pryce"].text()
    assert listed["Bob New"].action == "new"

    # the user says Kevin Pryce really is someone new
    ok = import_training(ws, path, options=ImportOptions(new_people=["kevin pryce"]),
                         skip_errors=True)
    assert ok.committed and ok.error_rows == [4]
    names = set(people_by_name(ws))
    assert {"Kevin Pryce", "Bob New", "Kevin Price"} <= names and "K. Price" not in names
    assert "confirmed" in next(p for p in ok.people if p.name == "Kevin Pryce").text()


def test_another_employee_number_is_not_a_near_match(ws, seeded, tmp_path):
    svc.add_person(ws, {"name": "Kevin Price", "employee_no": "N015"})
    path = records_csv(tmp_path / "other.csv", [
        ["Kevin Pryce", "N099", "FS-01", "2025-01-10", "", "", "", ""],
    ])
    rep = import_training(ws, path, dry_run=True)
    assert rep.errors == 0 and rep.people[0].person_id is None and not rep.people[0].near


def test_a_misspelled_course_is_an_error_naming_the_likely_course(ws, seeded, tmp_path):
    svc.add_course(ws, {"code": "SAF-01", "title": "Site safety induction"})
    path = records_csv(tmp_path / "courses.csv", [
        ["Ann Lee", "17", "Forklift safty", "2025-01-10", "", "", "", ""],
        ["Ann Lee", "17", "SAF-1", "2025-01-10", "", "", "", ""],
        ["Ann Lee", "17", "Hygiene 2", "2025-01-10", "", "", "", ""],
    ])
    rep = import_training(ws, path, dry_run=True)
    assert rep.error_rows == [2, 3]
    assert ("“Forklift safty” (row 2) is no course in the workspace but looks like FS-01 "
            "Forklift safety") in rep.rows[0].messages[0]
    assert "looks like SAF-01 Site safety induction" in rep.rows[1].messages[0]
    assert rep.rows[2].status == "ok"
    assert {c.name: c.action for c in rep.courses} == {"Forklift safty": "error",
                                                      "SAF-1": "error", "Hygiene 2": "new"}
    ok = import_training(ws, path, dry_run=True,
                         options=ImportOptions(new_courses=["Forklift safty", "SAF-1"]))
    assert ok.errors == 0 and ok.courses_added == 3


def test_a_misspelled_matrix_column_flags_the_cells_under_it(ws, seeded, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.append(["Name", "Forklift safty", "Hygiene"])
    sh.append(["Ann Lee", "2025-03-04", "2025-03-04"])
    sh.append(["José Müller", "n/a", "2025-03-05"])
    wb.save(tmp_path / "m.xlsx")
    rep = import_training(ws, tmp_path / "m.xlsx", dry_run=True)
    assert rep.error_rows == [2]
    assert rep.rows[0].messages[0].startswith("cell B2: “Forklift safty” (column B) is no "
                                              "course in the workspace but looks like FS-01")
    assert rep.rows[1].status == "ok"  # "n/a" under it makes no record


# --------------------------------------------------------------------------- the report

def test_huge_cells_are_cut_in_the_report(ws, seeded, tmp_path):
    huge = "A" * 50_000
    path = records_csv(tmp_path / "huge.csv", [
        ["Ann Lee", "17", "FS-01", huge, "", "", huge, ""],
    ])
    rep = import_training(ws, path, dry_run=True, column_map=["D=completed_on"])
    text = "\n".join(rep.lines())
    assert "“" + "A" * 60 + "…” (50,000 characters) in cell D2 is not a date" in text, text
    assert "(50,000 characters) in cell G2" in text
    assert "A" * 61 not in text and len(text) < 5_000


def test_report_wording_problem_first_and_singulars(ws, seeded, tmp_path, capsys):
    from qms_desktop.cli import main

    path = records_csv(tmp_path / "one.csv", [
        ["Ann Lee", "17", "FS-01", "2025-13-01", "", "", "", ""],
        ["José Müller", "", "FS-01", "2025-01-10", "", "", "", ""],
    ])
    rep = import_training(ws, path, dry_run=True)
    lines = rep.lines()
    row2 = next(line for line in lines if line.startswith("row     2"))
    assert "no month 13" in row2 and "matches" not in row2
    after = lines[lines.index(row2) + 1]
    assert "not imported" in after and "matches" in after
    row3 = next(line for line in lines if line.startswith("row     3"))
    assert "1 record: FS-01" in row3 and "1 records" not in row3
    assert "(row 2)" in rep.summary() and "rows 2" not in rep.summary()
    # Ann's row has an error: she is still listed, marked
    ann = next(line for line in lines if line.strip().startswith("Ann Lee"))
    assert "not imported: row 2 has errors" in ann
    wpath = ws.path
    ws.close()
    assert main(["import", "training", str(wpath), str(path), "--dry-run"]) == 1
    assert "1 row has errors" in capsys.readouterr().err


def test_the_cell_that_decided_the_date_order_is_named_where_it_matters(ws, seeded, tmp_path):
    path = matrix_xlsx(tmp_path / "order.xlsx", [
        [17, "Ann Lee", "QA", "", "03/04/2025", "", ""],
        [None, "José Müller", "", "", "15/10/2024", "", ""],
    ])
    rep = import_training(ws, path, dry_run=True)
    assert rep.errors == 0
    said = " ".join(rep.rows[0].actions)
    assert "cell E3: “03/04/2025” read as 3 April 2025 (day first, as cell E4 “15/10/2024” " \
           "shows)" in said
    assert "as cell" not in " ".join(rep.rows[1].actions)  # 15/10 is not ambiguous
    chosen = import_training(ws, path, dry_run=True, options=ImportOptions(date_order="dmy"))
    assert "as cell" not in " ".join(chosen.rows[0].actions)


# --------------------------------------------------------------------------- formulas

def test_a_formula_for_a_name_in_xlsx_says_so(ws, seeded, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.append(["Employee", "Training", "Date completed"])
    sh.append(['=HYPERLINK("http://evil.example","click")', "FS-01", "2025-01-10"])
    sh.append(["Ann Lee", "FS-01", "2025-01-11"])
    wb.save(tmp_path / "records.xlsx")
    rep = import_training(ws, tmp_path / "records.xlsx", dry_run=True)
    assert rep.error_rows == [2]
    assert rep.rows[0].messages == ["cell A2 holds a formula, not a name; type the name as text"]

    # in a matrix such a row looked empty (only dates beside it): it is an error too
    wb = Workbook()
    sh = wb.active
    sh.append(["Name", "Hygiene"])
    sh.append(['=HYPERLINK("http://evil.example","click")', "2025-03-04"])
    sh.append(["Ann Lee", "2025-03-04"])
    wb.save(tmp_path / "matrix.xlsx")
    rep = import_training(ws, tmp_path / "matrix.xlsx", dry_run=True)
    assert rep.error_rows == [2] and not rep.skipped
    assert "cell A2 holds a formula, not a name" in rep.rows[0].messages[0]


def test_formula_text_in_csv_is_a_name_stored_and_exported_as_text(ws, seeded, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from qms_desktop.services.exports import training_xlsx

    payload = '=HYPERLINK("http://evil.example","click")'
    path = records_csv(tmp_path / "formula.csv", [
        [payload, "", "FS-01", "2025-01-10", "", "", "", ""],
    ])
    rep = import_training(ws, path)
    assert rep.committed and rep.warnings == 1
    assert "starts like a spreadsheet formula; it is imported as text" in \
        rep.rows[0].messages[0]
    pid = people_by_name(ws)[payload]  # stored as the text it is
    out = training_xlsx.export_record(ws, pid, tmp_path / "record.xlsx")
    wb = openpyxl.load_workbook(out)
    cells = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row
             if c.value == payload]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


# --------------------------------------------------------------------------- a new user's retry

def test_a_name_that_clashes_with_the_employee_number_is_an_error_naming_both(ws, seeded,
                                                                               tmp_path):
    svc.add_person(ws, {"name": "Kevin Price", "employee_no": "18"})
    path = tmp_path / "clash.csv"
    path.write_text("Name,Employee No,FS-01\nAnn Lee,18,12.03.2025\n", encoding="utf-8")
    rep = import_training(ws, path, dry_run=True)
    assert rep.error_rows == [2], rep.lines()
    assert rep.rows[0].messages[0] == ("employee no. 18 is Kevin Price, but the name says "
                                       "Ann Lee (17): correct one of them")
    assert not any("matches" in a for a in rep.rows[0].actions)
    # the same clash on a later row of a person already matched is caught too
    path.write_text("Name,Employee No,FS-01\nKevin Price,18,12.03.2025\n"
                    "Ann Lee,18,13.03.2025\n", encoding="utf-8")
    rep = import_training(ws, path, dry_run=True)
    assert rep.error_rows == [3], rep.lines()
    assert "employee no. 18 is Kevin Price, but the name says Ann Lee (17)" in \
        rep.rows[1].messages[0]


def test_each_row_shows_its_own_spelling_and_how_it_matched(ws, seeded, tmp_path):
    path = tmp_path / "spell.csv"
    path.write_text("Name,Employee No,FS-01\nAnn Lee,17,12.03.2025\nann  LEE,,13.03.2025\n"
                    "\"Lee, Ann\",17,14.03.2025\n", encoding="utf-8")
    rep = import_training(ws, path, dry_run=True)
    assert rep.errors == 0, rep.lines()
    person = [next(a for a in r.actions if a.startswith("person:")) for r in rep.rows]
    assert person[0] == "person: Ann Lee (employee no. 17): matches by employee no."
    assert person[1] == "person: ann  LEE: matches “Ann Lee” by name"
    assert person[2] == "person: Lee, Ann (employee no. 17): matches “Ann Lee” by employee no."


def test_a_header_naming_an_existing_course_is_never_dropped(ws, seeded, tmp_path):
    svc.add_course(ws, {"code": "COS-01", "title": "Hazardous substances"})
    path = tmp_path / "text.csv"
    path.write_text("Name,Employee No,FS-01,COS-01\nAnn Lee,17,12.03.2025,01.02.2025\n"
                    "José Müller,,12.03.2025,see binder 3 - certificate from Fuchs training "
                    "on 5 March\n", encoding="utf-8")
    rep = import_training(ws, path, dry_run=True)
    assert rep.columns[3]["field"] == "course_column", rep.columns
    assert rep.error_rows == [3], rep.lines()
    assert any("D3" in m and "not a date" in m for m in rep.rows[1].messages)
    assert "COS-01 2025-02-01" in "; ".join(rep.rows[0].actions)
    # by title too
    path.write_text("Name,Hazardous substances\nAnn Lee,01.02.2025\nJosé Müller,see binder\n",
                    encoding="utf-8")
    rep = import_training(ws, path, dry_run=True)
    assert rep.columns[1]["field"] == "course_column", rep.columns


def test_a_column_left_out_says_why(ws, seeded, tmp_path):
    path = tmp_path / "why.csv"
    path.write_text("Name,FS-01,Shoe size notes\nAnn Lee,12.03.2025,01.02.2025\n"
                    "José Müller,12.03.2025,see binder 3 - certificate from Fuchs training "
                    "on 5 March\n", encoding="utf-8")
    rep = import_training(ws, path, dry_run=True)
    assert rep.columns[2]["field"] is None
    assert rep.columns[2]["label"] == "not imported: 1 of 2 cells is not a date or a mark"
    assert "not imported: 1 of 2 cells is not a date or a mark" in "\n".join(rep.lines())
    # a column the user left out is just "not imported"
    rep = import_training(ws, path, dry_run=True, column_map=["C=-"])
    assert rep.columns[2]["label"] == "not imported"


def test_a_huge_name_gives_its_real_length_and_the_cell_cap(ws, seeded, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "huge.csv"
    path.write_text("Name,FS-01\n" + "N" * 50_000 + ",12.03.2025\n", encoding="utf-8")
    text = "\n".join(import_training(ws, path, dry_run=True).lines())
    assert "(50,000 characters)" in text and "(81 characters)" not in text, text[:2000]
    assert "is 50,000 characters long" in text
    wb = Workbook()
    wb.active.append(["Name", "FS-01"])
    wb.active.append(["N" * 50_000, "12.03.2025"])
    wb.save(tmp_path / "huge.xlsx")
    text = "\n".join(import_training(ws, tmp_path / "huge.xlsx", dry_run=True).lines())
    assert "at least 32,767 characters (the most a spreadsheet cell holds)" in text, \
        text[:2000]
    assert "(81 characters)" not in text and " 32,767 characters long" not in text


def test_advice_names_the_flags_and_unused_confirmations_are_warned(ws, seeded, tmp_path,
                                                                      capsys):
    from qms_desktop.cli import main

    path = tmp_path / "advice.csv"
    path.write_text("Name,FS-01\nAnn Lee,x\nJosé Müller,03/04/2025\n", encoding="utf-8")
    rep = import_training(ws, path, dry_run=True)
    text = "\n".join(rep.lines())
    assert "choose a date for undated marks (--undated-as YYYY-MM-DD, or the date box in the " \
        "import dialog)" in text
    assert "--date-order dmy|mdy" in text
    wpath = ws.path
    ws.close()
    assert main(["import", "training", str(wpath), str(path), "--dry-run", "--undated-as",
                 "2025-01-01", "--date-order", "dmy", "--new-person", "Nobody Here",
                 "--new-course", "Ann Lee"]) == 0
    out = capsys.readouterr().out
    assert "warning: --new-person “Nobody Here” matches no name in the file" in out, out
    assert "warning: --new-course “Ann Lee” matches no course in the file" in out, out
