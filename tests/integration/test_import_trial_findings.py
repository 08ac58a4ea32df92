"""What a new-user trial of the risk import found: a register's own rating scale, ID clashes
between registers, ``--map`` edge cases, exit codes and wording, ``qms new`` edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.services import risks as RS
from qms_desktop.services.imports import risk_table as rt
from qms_desktop.services.imports import table as T

REGISTERS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "registers"
needs_registers = pytest.mark.skipif(not REGISTERS.is_dir(),
                                     reason="the real registers are absent here")


def _workbook(path, rows, *, merge=()):
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "FMEA"
    for row in rows:
        sheet.append(row)
    for cells in merge:
        sheet.merge_cells(cells)
    wb.save(path)
    return path


# -- 1. a register's own rating scale --------------------------------------------------------

@pytest.mark.parametrize("text, low, high", [
    ("(1 - 6)", 1, 6), ("1-6", 1, 6), ("1 to 5", 1, 5), ("Scale 1-3", 1, 3), ("/6", 1, 6),
    ("[0–4]", 0, 4), ("scale: 1 to 10", 1, 10)])
def test_a_scale_alone_in_a_cell(text, low, high):
    found = T.stated_scale(text, whole=True)
    assert (found.low, found.high) == (low, high) and found.convertible()


@pytest.mark.parametrize("header, low, high", [
    ("Severity (1-6)", 1, 6), ("Severity 1 to 5", 1, 5), ("Likelihood /6", 1, 6),
    ("Impact (scale 1-3)", 1, 3)])
def test_a_scale_written_in_a_header(header, low, high):
    found = T.stated_scale(header)
    assert (found.low, found.high) == (low, high)


@pytest.mark.parametrize("header", ["Qualitative (Phase 1) Likelihood (H/M/L)", "EF #1",
                                    "Detection %\n(mkII)", "Severity", "SLE #2 = (AV x EF#2)",
                                    "Recurrence_Rate_%", "Risk ID#"])
def test_headers_without_a_scale(header):
    assert T.stated_scale(header) is None


def test_a_header_with_its_scale_still_names_its_field():
    mapping = rt.guess_mapping(["Failure mode", "S 1-10", "O 1-6", "D /6"])
    assert mapping == {0: "failure_mode", 1: "severity", 2: "occurrence", 3: "detection"}
    mapping = rt.guess_mapping(["Failure mode", "Severity 1-6", "Occurrence (1 to 5)",
                                "Detection /6"], sheet_name="FMEA")
    assert mapping == {0: "failure_mode", 1: "severity", 2: "occurrence", 3: "detection"}


def test_rescale_puts_ends_onto_ends():
    assert [T.rescale(n, 1, 6, 10) for n in range(1, 7)] == [1, 3, 5, 6, 8, 10]
    assert [T.rescale(n, 1, 3, 5) for n in range(1, 4)] == [1, 3, 5]
    assert [T.rescale(n, 0, 4, 5) for n in range(0, 5)] == [1, 2, 3, 4, 5]


def test_a_scale_above_or_in_the_header_is_converted_with_a_note(tmp_path):
    path = _workbook(tmp_path / "fmea.xlsx", [
        [None, None, "(1 - 6)", None, "Scale 1-3", "Impact"],
        ["Failure mode", "Effect", "Severity", "Occurrence (1 to 5)", "Likelihood",
         "Impact /4"],
        ["Pump stops", "No flow", 6, 5, 3, 4],
        ["Valve leaks", "Loss", 1, 1, 1, 1],
        ["Seal wears", "Drip", 4, 3, 2, 2]])
    preview = rt.parse_rows(rt.open_table(path))
    assert preview.error_count == 0, [r.messages for r in preview.rows]
    values = [r.values for r in preview.rows]
    assert [(v["severity"], v["occurrence"]) for v in values] == [(10, 10), (1, 1), (6, 6)]
    assert [(v["inherent_likelihood"], v["inherent_impact"]) for v in values] == [
        (5, 5), (1, 1), (3, 2)]
    by_field = {c.field: c for c in preview.ratings}
    assert by_field["severity"].stated.where == "above its header"
    assert by_field["severity"].conversion() == "1→1, 2→3, 3→5, 4→6, 5→8, 6→10"
    assert {t: e.number for t, e in by_field["severity"].entries.items()} == {
        "6": 10, "1": 1, "4": 6}
    assert any(n.startswith("Column C “Severity” uses the sheet's own scale 1–6 (stated "
                            "above its header)") for n in preview.notes)
    assert any("Column D “Occurrence (1 to 5)” uses the sheet's own scale 1–5 (stated in "
               "its header)" in n for n in preview.notes)
    # the group word "Impact" above column F is no scale; "/4" in its header is
    assert by_field["inherent_impact"].stated.shown() == "1–4"


def test_numbers_above_our_scale_or_the_stated_one_are_reported(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("Title,Likelihood,Impact\nA,6,2\nB,2,3\nC,1,1\n", encoding="utf-8")
    preview = rt.parse_rows(rt.open_table(path))
    assert ("Column B “Likelihood” holds values up to 6, above our 1–5 scale, so those rows "
            "cannot be imported; write the sheet's scale into the header (for example "
            "“Likelihood (1-6)”) to have its values converted.") in preview.notes
    assert [r.status for r in preview.rows] == ["error", "ok", "ok"]

    path.write_text("Failure mode,Severity (1-6),Occurrence\nA,8,2\nB,3,3\nC,1,1\n",
                    encoding="utf-8")
    preview = rt.parse_rows(rt.open_table(path))
    assert any(n.startswith("Column B “Severity (1-6)” states the scale 1–6 but holds values "
                            "up to 8") for n in preview.notes)
    first = preview.rows[0]
    assert first.status == "error"
    assert any("'8' is not a rating on the sheet's scale 1–6" in m for m in first.errors)
    assert [r.values["severity"] for r in preview.rows[1:]] == [5, 1]  # 3 and 1 of 1–6


def test_a_scale_that_cannot_be_converted_warns_on_every_row(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("Failure mode,Severity (10-1)\nA,3\nB,9\n", encoding="utf-8")
    preview = rt.parse_rows(rt.open_table(path))
    assert any("states its own scale “(10-1)”, which cannot be converted to our 1–10 scale"
               in n for n in preview.notes)
    assert all(r.status == "warning" and any("cannot be converted" in m for m in r.warnings)
               for r in preview.rows)
    assert [r.values["severity"] for r in preview.rows] == [3, 9]


@needs_registers
def test_cubesat_dry_run_shows_the_conversion(ws_path, capsys):
    from qms_desktop.storage.workspace import create_workspace

    create_workspace(ws_path).close()
    assert qms(["import", "risks", str(ws_path), str(REGISTERS / "HASP-UMN+CubeSat__FMEA.xlsx"),
                "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "ratings in F “Severity” (severity, 1–10; the sheet's own scale 1–6 put on 1–10" in out
    assert "6 → 10" in out
    assert "note: Column F “Severity” uses the sheet's own scale 1–6" in out
    # the template rows 14–69 are reported once
    assert out.count("14-69") + out.count("14–69") == 1


# -- 2. ID clashes between registers -----------------------------------------------------------

def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_renumber_gives_clashing_rows_new_ids_and_keeps_theirs(ws, tmp_path):
    first = _csv(tmp_path / "a.csv", "Title,Likelihood,Impact\nFirst,1,1\nSecond,2,2\n")
    assert RS.import_risks(ws, first).created == 2
    second = _csv(tmp_path / "b.csv", "ID,Title\nR-001,Clash one\nR-002,Clash two\n"
                                      "R-004,Own ID\n,No ID\n")
    refused = RS.import_risks(ws, second)
    assert not refused.committed and refused.errors == 2
    message = refused.rows[0].messages[-1]
    assert message == "ID R-001 already exists in the workspace"
    # what to do about it is said once for all the rows
    hint = refused.clash_hint
    assert hint.startswith("2 rows have an ID that already exists")
    assert "“give new IDs”" in hint and "“update existing”" in hint

    dry = RS.import_risks(ws, second, on_existing="renumber", dry_run=True)
    assert [r.ref for r in dry.rows] == ["R-003", "R-005", "R-004", ""]
    assert "imported as R-003" in dry.rows[0].messages[-1]
    report = RS.import_risks(ws, second, on_existing="renumber")
    assert report.committed and report.created == 4 and report.updated == 0
    rows = {r.ref: r for r in RS.list_risks(ws)}
    assert rows["R-001"].title == "First" and rows["R-002"].title == "Second"  # untouched
    assert rows["R-003"].title == "Clash one"
    assert "ID in the imported file: R-001" in rows["R-003"].notes
    assert rows["R-005"].title == "Clash two" and rows["R-004"].title == "Own ID"
    assert rows["R-006"].title == "No ID"  # never an ID the file uses


def test_cli_renumber_and_the_clash_message(ws_path, tmp_path, capsys):
    from qms_desktop.storage.workspace import create_workspace, open_workspace

    create_workspace(ws_path).close()
    plain = _csv(tmp_path / "a.csv", "Title\nFirst\n")
    assert qms(["import", "risks", str(ws_path), str(plain)]) == 0
    capsys.readouterr()
    clash = _csv(tmp_path / "b.csv", "ID,Title\nR-001,Other register\n")
    assert qms(["import", "risks", str(ws_path), str(clash)]) == 1
    got = capsys.readouterr()
    assert "row     2  error    R-001  ID R-001 already exists in the workspace" in got.out
    assert "--renumber" not in got.out  # said once, at the end
    assert "add --renumber to give those rows new IDs" in got.err
    assert "--update-existing would overwrite the existing risks" in got.err
    assert got.err.count("\n") == 1
    assert qms(["import", "risks", str(ws_path), str(clash), "--renumber",
                "--update-existing"]) == 2
    capsys.readouterr()
    assert qms(["import", "risks", str(ws_path), str(clash), "--renumber"]) == 0
    assert "created 1 risks" in capsys.readouterr().out
    with open_workspace(ws_path, read_only=True) as ws:
        titles = {r.ref: r.title for r in RS.list_risks(ws)}
    assert titles == {"R-001": "First", "R-002": "Other register"}


def test_help_documents_renumber(capsys):
    with pytest.raises(SystemExit):
        qms(["import", "risks", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--renumber" in out and "new ID" in out
    assert "\"-\" (or \"ignore\") leaves the column out" in out


# -- 3. --map ----------------------------------------------------------------------------------

def test_map_dash_means_not_imported_not_the_notes(ws, tmp_path):
    path = _csv(tmp_path / "r.csv", "Risk ID,Title,Site\nX-1,Alpha,Plant 2\n")
    for spec in ("Risk ID=-", "Risk ID=ignore", "A=-"):
        report = RS.import_risks(ws, path, column_map=[spec], dry_run=True)
        labels = {c["header"]: c["label"] for c in report.columns}
        assert labels["Risk ID"] == "not imported" and labels["Site"] == \
            "copied into the notes"
        assert not any("Risk ID" in n for n in report.notes), report.notes
    report = RS.import_risks(ws, path, column_map=["Risk ID=-"])
    risk = RS.list_risks(ws)[0]
    assert risk.ref == "R-001" and "X-1" not in risk.notes and risk.notes == "Site: Plant 2"


def test_map_refuses_a_column_past_the_last(tmp_path):
    path = _csv(tmp_path / "r.csv", "ID,Title,Likelihood\nX-1,Alpha,2\n")
    source = rt.open_table(path)
    with pytest.raises(ValueError) as refused:
        rt.resolve_mapping(source, column_map=["Z=title"])
    assert str(refused.value) == ("--map “Z=title”: the sheet has no column Z; its columns end "
                                  "at C (column 3).")
    with pytest.raises(ValueError, match="no column 4"):
        rt.resolve_mapping(source, column_map=["4=title"])
    with pytest.raises(ValueError) as unknown:
        rt.resolve_mapping(source, column_map=["C=nothing"])
    assert "'" not in str(unknown.value)  # no Python repr in the message


# -- 5. wording and exit codes -----------------------------------------------------------------

def test_a_file_without_risk_rows_fails(ws_path, tmp_path, capsys):
    from qms_desktop.storage.workspace import create_workspace

    create_workspace(ws_path).close()
    text = _csv(tmp_path / "hostname", "my-laptop\n")
    for extra in ([], ["--dry-run"]):
        assert qms(["import", "risks", str(ws_path), str(text), *extra]) == 1
        got = capsys.readouterr()
        assert "would" not in got.out
        assert got.err == (f"qms: no risk rows were found in {text}; check that it is the "
                           "register and that its header row names the columns (for example "
                           "ID, Title, Likelihood, Impact)\n")


def test_would_only_in_a_dry_run(ws_path, tmp_path, capsys):
    from qms_desktop.storage.workspace import create_workspace

    create_workspace(ws_path).close()
    bad = _csv(tmp_path / "bad.csv", "ID,Title,Likelihood\nY-1,,1\nY-2,T,banana\n")
    assert qms(["import", "risks", str(ws_path), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "would" not in out and "nothing was imported because of the errors" in out
    assert qms(["import", "risks", str(ws_path), str(bad), "--skip-invalid"]) == 1
    out = capsys.readouterr().out
    assert "would" not in out and "nothing was imported because every row has an error" in out
    assert qms(["import", "risks", str(ws_path), str(bad), "--skip-invalid", "--dry-run"]) == 1
    assert "nothing would be imported because every row has an error" in \
        capsys.readouterr().out


def test_a_missing_file_is_named_by_its_full_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(T.ImportFileError) as missing:
        rt.open_table("nonexistent.xlsx")
    assert str(missing.value) == (f"File not found: {tmp_path / 'nonexistent.xlsx'}; check the "
                                  "name and folder.")


def test_a_title_over_several_lines_is_kept_as_written(tmp_path):
    """The cell's text is the risk's title, line breaks and all (our own export must come back
    exactly); the risk's heading shows it on one line."""
    path = _workbook(tmp_path / "t.xlsx", [
        ["Problem", "Consequence"],
        ["One-way valve leaks\n(not present in the Spartan model)", "Loss of pressure"]])
    rows = rt.parse_rows(rt.open_table(path)).rows
    assert rows[0].values["title"] == "One-way valve leaks\n(not present in the Spartan model)"


# -- 6. qms new --------------------------------------------------------------------------------

def test_new_edge_cases(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert qms(["new", ""]) == 2
    err = capsys.readouterr().err
    assert err == "qms: give the workspace a file name, for example: qms new acme.qms\n"
    folder = tmp_path / "folder"
    folder.mkdir()
    assert qms(["new", str(folder)]) == 1
    assert f"{folder} is a folder" in capsys.readouterr().err
    assert not (tmp_path / "folder.qms").exists()
    a_file = tmp_path / "passwd"
    a_file.write_text("x")
    assert qms(["new", str(a_file / "x.qms")]) == 1
    assert capsys.readouterr().err == (f"qms: {a_file} is a file, not a folder; choose a "
                                       "folder for the workspace\n")
    assert qms(["new", "x.xlsx"]) == 1
    err = capsys.readouterr().err
    assert "a workspace file ends in .qms; name it x.qms" in err and err.count("\n") == 1
    assert not list(tmp_path.glob("x.*"))
    # names with a dot that is not a file type still work
    assert qms(["new", "Smith & Co. KG"]) == 0
    assert (tmp_path / "Smith & Co. KG.qms").is_file()
    assert qms(["new", "acme"]) == 0 and (tmp_path / "acme.qms").is_file()
    capsys.readouterr()
