"""Risk register import (.xlsx/.csv) and export (.xlsx) against real and hostile files."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

from qms_desktop.core.risk import Banding
from qms_desktop.services.exports.risks_xlsx import COLUMNS, write_risk_register
from qms_desktop.services.imports.risk_table import (
    FIELD_LABELS,
    RISK_FIELDS,
    ImportFileError,
    ImportOptions,
    guess_mapping,
    open_table,
    parse_date,
    parse_rows,
    validate_mapping,
)

CORPUS_REGISTER = Path("registers") / "risk_register_ericjoye.csv"


def _by_field(mapping: dict[int, str], headers: list[str]) -> dict[str, str]:
    """{field: header} for readable assertions."""
    return {name: headers[index] for index, name in mapping.items()}


def _write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- the real register from the corpus ------------------------------------------------------

def test_corpus_register_imports(corpus_dir):
    source = open_table(corpus_dir / CORPUS_REGISTER)
    assert source.format == "csv" and source.delimiter == ","
    preview = parse_rows(source)
    mapped = _by_field(preview.mapping, preview.headers)
    assert mapped["ref"] == "Risk_ID"
    assert mapped["treatment"] == "Mitigation_Strategy"
    assert mapped["review_date"] == "Review_Date"
    assert mapped["inherent_likelihood"] == "Likelihood"
    assert mapped["inherent_impact"] == "Impact"
    assert mapped["description"] == "Risk_Description"
    assert "Risk_Score" not in mapped.values() and "Risk_Level" not in mapped.values()

    assert not preview.has_errors
    assert len(preview.records) == 2
    first, second = preview.rows
    assert first.row_number == 2
    values = first.values
    assert set(values) == set(RISK_FIELDS)
    assert values["ref"] == "RISK-001"
    assert values["category"] == "Data Security"
    assert (values["inherent_likelihood"], values["inherent_impact"]) == (5, 5)  # Very High, Severe
    assert (second.values["inherent_likelihood"], second.values["inherent_impact"]) == (4, 3)
    assert values["title"].startswith("Elevated incident rate in Data Security category")
    assert values["title"].endswith("recurrence rate).")
    assert values["cause"].startswith("Average resolution time of 50.1 hours")
    assert values["treatment"].startswith("Conduct root cause analysis")
    assert values["treatment"].count(";") == 2  # several mitigations kept together
    assert values["review_date"] == dt.date(2026, 1, 13)
    assert values["status"] == "open" and values["method"] == "5x5" and values["kind"] == "risk"
    assert first.status == "warning"
    assert any("Active - Mitigation Required" in message and "guess" in message
               for message in first.messages)
    # Columns we have no field for are kept in the notes, computed ones are dropped.
    assert "Incident_Count: 11" in values["notes"]
    assert "Risk_Score" not in values["notes"]
    assert any("split" in note for note in preview.notes)


# -- mapping guesses -------------------------------------------------------------------------

def test_guess_mapping_english_register():
    headers = ["Risk ID", "Risk", "Cause", "Consequence", "Likelihood", "Impact", "Risk Score",
               "Residual Likelihood", "Residual Impact", "Risk Owner", "Mitigation", "Status",
               "Next review date", "Date raised", "Comments"]
    mapped = _by_field(guess_mapping(headers), headers)
    assert mapped == {
        "ref": "Risk ID", "title": "Risk", "cause": "Cause",
        "inherent_impact": "Impact", "inherent_likelihood": "Likelihood",
        "residual_likelihood": "Residual Likelihood", "residual_impact": "Residual Impact",
        "owner": "Risk Owner", "treatment": "Mitigation", "status": "Status",
        "review_date": "Next review date", "identified_on": "Date raised", "notes": "Comments",
        "effect": "Consequence",
    }


def test_guess_mapping_french_register():
    headers = ["N° risque", "Risque", "Processus", "Cause", "Conséquences", "Probabilité",
               "Gravité", "Criticité", "Mesures existantes", "Plan d'action", "Responsable",
               "Statut", "Date de revue"]
    mapped = _by_field(guess_mapping(headers), headers)
    assert mapped == {
        "ref": "N° risque", "title": "Risque", "process": "Processus", "cause": "Cause",
        "effect": "Conséquences", "inherent_likelihood": "Probabilité",
        "inherent_impact": "Gravité", "controls": "Mesures existantes",
        "treatment": "Plan d'action", "owner": "Responsable", "status": "Statut",
        "review_date": "Date de revue",
    }


def test_guess_mapping_german_register():
    headers = ["Risiko-Nr", "Risikobeschreibung", "Prozess", "Prozessschritt", "Ursache",
               "Folgen", "Wahrscheinlichkeit", "Auswirkung", "Risikowert",
               "Bestehende Maßnahmen", "Maßnahmen", "Verantwortlich", "Status",
               "Wiedervorlage", "Restwahrscheinlichkeit", "Restauswirkung", "Bemerkungen"]
    mapped = _by_field(guess_mapping(headers), headers)
    assert mapped == {
        "ref": "Risiko-Nr", "description": "Risikobeschreibung", "process": "Prozess",
        "step": "Prozessschritt", "cause": "Ursache", "effect": "Folgen",
        "inherent_likelihood": "Wahrscheinlichkeit", "inherent_impact": "Auswirkung",
        "controls": "Bestehende Maßnahmen", "treatment": "Maßnahmen",
        "owner": "Verantwortlich", "status": "Status", "review_date": "Wiedervorlage",
        "residual_likelihood": "Restwahrscheinlichkeit", "residual_impact": "Restauswirkung",
        "notes": "Bemerkungen",
    }


def test_guess_mapping_fmea_sheets():
    headers = ["Process Step", "Potential Failure Mode", "Potential Effect(s) of Failure",
               "Severity", "Potential Cause(s) of Failure", "Occurrence",
               "Current Prevention Controls", "Current Detection Controls", "Detection", "RPN",
               "Recommended Action(s)"]
    mapping = guess_mapping(headers)
    assert [mapping.get(i) for i in range(len(headers))] == [
        "step", "failure_mode", "effect", "severity", "cause", "occurrence", "controls",
        "controls", "detection", None, "treatment"]
    assert validate_mapping(mapping) == []  # two columns may feed the controls

    french = ["Étape", "Mode de défaillance", "Effet", "Gravité", "Cause", "Fréquence",
              "Détection", "Criticité"]
    mapping = guess_mapping(french)
    assert [mapping.get(i) for i in range(len(french))] == [
        "step", "failure_mode", "effect", "severity", "cause", "occurrence", "detection", None]


def test_guess_mapping_uses_samples_for_ambiguous_headers():
    headers = ["ID", "Title", "Type", "Impact"]
    samples = [["R1", "A", "Risk", "Customers are unhappy"],
               ["R2", "B", "Opportunity", "Orders are delayed"]]
    assert guess_mapping(headers, samples) == {0: "ref", 1: "title", 2: "kind", 3: "effect"}
    samples = [["R1", "A", "Financial", "High"], ["R2", "B", "Legal", "3"]]
    assert guess_mapping(headers, samples) == {0: "ref", 1: "title", 2: "category",
                                               3: "inherent_impact"}
    # A second plain likelihood/impact pair is the residual one.
    headers = ["Risk", "Likelihood", "Impact", "Controls", "Likelihood", "Impact"]
    assert guess_mapping(headers) == {0: "title", 1: "inherent_likelihood",
                                      2: "inherent_impact", 3: "controls",
                                      4: "residual_likelihood", 5: "residual_impact"}


def test_export_headers_are_recognised():
    headers = [header for _, header, _ in COLUMNS]
    mapping = guess_mapping(headers)
    expected = {index: key for index, (key, _, _) in enumerate(COLUMNS)
                if not key.startswith("=")}
    assert mapping == expected
    assert set(mapping.values()) == set(RISK_FIELDS)


def test_validate_mapping_reports_problems():
    assert validate_mapping({0: "title", 1: "title"}) != []
    assert validate_mapping({0: "nonsense"}) != []
    assert validate_mapping({5: "title"}, column_count=3) != []
    assert validate_mapping({0: "notes", 1: "notes"}) == []


# -- xlsx layouts: title rows, merged cells, blank rows, dates as text ------------------------

def _messy_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Notes"
    sheet["A1"] = "Instructions: fill in the register on the next sheet."
    sheet = workbook.create_sheet("Register")
    sheet["A1"] = "Risk register 2026"
    sheet.merge_cells("A1:I1")
    for col, header in zip("ABCHI", ("ID", "Risk", "Process", "Review date", "Statut")):
        sheet[f"{col}3"] = header
        sheet.merge_cells(f"{col}3:{col}4")
    sheet["D3"] = "Inherent"
    sheet.merge_cells("D3:E3")
    sheet["F3"] = "Residual"
    sheet.merge_cells("F3:G3")
    for col, header in zip("DEFG", ("Likelihood", "Impact", "Likelihood", "Impact")):
        sheet[f"{col}4"] = header
    rows = {
        5: ["R-1", "Late supplier delivery", "Purchasing", 4, "Major", 2, 2, "13/01/2026",
            "ouvert"],
        6: ["R-2", "Wrong price on order", None, "3", "3", None, None, "2026-02-01", "Clos"],
        8: ["R-3", "Calibration overdue", "Metrology", "Possible", "Severe", None, None,
            "31.12.2026", "en cours"],
        10: ["R-4", "Scale drift", "Metrology", "élevé", "sehr hoch", "faible", "gering",
             "46035", None],
        11: ["R-5", "Date typed as a date", "Metrology", 1, 1, None, None,
             dt.datetime(2026, 5, 4), "monitoring"],
    }
    for row_number, values in rows.items():
        for col, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row_number, col, value)
    sheet.merge_cells("C5:C7")  # the process, written once for a block of rows
    workbook.save(path)
    return path


def test_messy_workbook_with_merged_cells_and_blank_rows(tmp_path):
    source = open_table(_messy_workbook(tmp_path / "messy.xlsx"))
    assert source.sheets == ["Notes", "Register"]
    assert source.guess_header_row("Register") == 4
    headers = source.headers("Register", 4)
    assert headers[:7] == ["ID", "Risk", "Process", "Inherent Likelihood", "Inherent Impact",
                           "Residual Likelihood", "Residual Impact"]
    preview = parse_rows(source, "Register")
    assert preview.header_row == 4
    assert [row.row_number for row in preview.rows] == [5, 6, 8, 10, 11]
    assert preview.skipped_blank_rows == 2  # row 7 (only a merged cell) and row 9
    assert preview.error_count == 0
    r1, r2, r3, r4, r5 = (row.values for row in preview.rows)
    assert r2["process"] == "Purchasing"  # filled down from the merged cell
    assert (r1["inherent_likelihood"], r1["inherent_impact"]) == (4, 4)
    assert (r1["residual_likelihood"], r1["residual_impact"]) == (2, 2)
    assert (r3["inherent_likelihood"], r3["inherent_impact"]) == (3, 5)
    assert (r4["inherent_likelihood"], r4["inherent_impact"]) == (4, 5)
    assert (r4["residual_likelihood"], r4["residual_impact"]) == (2, 2)
    assert r1["review_date"] == dt.date(2026, 1, 13)
    assert r2["review_date"] == dt.date(2026, 2, 1)
    assert r3["review_date"] == dt.date(2026, 12, 31)
    assert r4["review_date"] == dt.date(2026, 1, 13)  # serial 46035 typed as text
    assert r5["review_date"] == dt.date(2026, 5, 4)
    assert any("serial" in message for message in preview.rows[3].messages)
    assert [r["status"] for r in (r1, r2, r3, r4, r5)] == [
        "open", "closed", "treating", "open", "monitoring"]


def test_fill_down_option_for_grouped_layouts(tmp_path):
    path = _write_csv(tmp_path / "grouped.csv",
                      "Process,Risk,Likelihood,Impact\n"
                      "Purchasing,A,1,2\n,B,2,2\nSales,C,3,3\n,D,1,1\n")
    plain = parse_rows(open_table(path))
    assert [row.values["process"] for row in plain.rows] == ["Purchasing", "", "Sales", ""]
    filled = parse_rows(open_table(path), options=ImportOptions(fill_down=frozenset({"process"})))
    assert [row.values["process"] for row in filled.rows] == [
        "Purchasing", "Purchasing", "Sales", "Sales"]


@pytest.mark.parametrize("text, expected", [
    ("2026-01-13", dt.date(2026, 1, 13)),
    ("2026-01-13T08:30:00", dt.date(2026, 1, 13)),
    ("13/01/2026", dt.date(2026, 1, 13)),
    ("13.01.2026", dt.date(2026, 1, 13)),
    ("13-01-26", dt.date(2026, 1, 13)),
    ("03/04/2026", dt.date(2026, 4, 3)),
    ("20260113", dt.date(2026, 1, 13)),
    ("46035", dt.date(2026, 1, 13)),
    (46035, dt.date(2026, 1, 13)),
    ("13 Jan 2026", dt.date(2026, 1, 13)),
    ("13. Januar 2026", dt.date(2026, 1, 13)),
    ("13 janvier 2026", dt.date(2026, 1, 13)),
    ("January 13, 2026", dt.date(2026, 1, 13)),
    ("", None),
])
def test_dates_as_text(text, expected):
    assert parse_date(text)[0] == expected


def test_dates_ambiguity_and_errors():
    assert parse_date("03/04/2026", dayfirst=False)[0] == dt.date(2026, 3, 4)
    date, warning = parse_date("01/13/2026")
    assert date == dt.date(2026, 1, 13) and "month/day" in warning
    for bad in ("31/02/2026", "next week", "2026-13-01"):
        with pytest.raises(ValueError):
            parse_date(bad)


# -- CSV dialects and languages ---------------------------------------------------------------

def test_csv_semicolon_cp1252_french(tmp_path):
    text = ("Réf;Risque;Processus;Probabilité;Gravité;Responsable;Statut;Date de revue\r\n"
            "R-10;Rupture de stock;Achats;élevé;très élevé;Émilie;ouvert;13/01/2026\r\n"
            ";;;;;;;\r\n"
            "R-11;Erreur d'étiquetage;Production;faible;moyen;Jörg;clos;01.02.2026\r\n")
    source = open_table(_write_csv(tmp_path / "registre.csv", text, "cp1252"))
    assert source.encoding == "cp1252" and source.delimiter == ";"
    preview = parse_rows(source)
    assert preview.error_count == 0 and preview.skipped_blank_rows == 1
    first, second = (row.values for row in preview.rows)
    assert first["title"] == "Rupture de stock" and first["owner"] == "Émilie"
    assert (first["inherent_likelihood"], first["inherent_impact"]) == (4, 5)
    assert (second["inherent_likelihood"], second["inherent_impact"]) == (2, 3)
    assert second["owner"] == "Jörg" and second["status"] == "closed"
    assert second["review_date"] == dt.date(2026, 2, 1)


def test_csv_tab_delimited_german_with_bom(tmp_path):
    text = ("Risiko-Nr\tRisiko\tWahrscheinlichkeit\tAuswirkung\tMaßnahmen\tStatus\n"
            "R-1\tLieferverzug\tsehr hoch\tmittel\tZweitlieferant; Sicherheitsbestand\toffen\n"
            "R-2\tMessmittel\tgering\tSehr gering\tKalibrierung\terledigt\n")
    source = open_table(_write_csv(tmp_path / "risiken.txt", text, "utf-8-sig"))
    assert source.delimiter == "\t"
    preview = parse_rows(source)
    assert preview.ok_count == 2
    first, second = (row.values for row in preview.rows)
    assert first["ref"] == "R-1"  # the BOM is not part of the first header
    assert (first["inherent_likelihood"], first["inherent_impact"]) == (5, 3)
    assert first["treatment"] == "Zweitlieferant; Sicherheitsbestand"
    assert (second["inherent_likelihood"], second["inherent_impact"]) == (2, 1)
    assert second["status"] == "closed"


def test_csv_excel_sep_line_and_title_rows(tmp_path):
    text = ("sep=,\nRisk register of ACME,,,\n\nID,Title,Likelihood,Impact\n"
            "R-1,\"Quoted, with comma\",2,3\n")
    source = open_table(_write_csv(tmp_path / "sep.csv", text))
    preview = parse_rows(source)
    assert preview.header_row == 3
    assert preview.rows[0].values["title"] == "Quoted, with comma"


def test_row_errors_and_warnings(tmp_path):
    text = ("ID,Title,Likelihood,Impact,Severity,Occurrence,Detection,Status,Review date,Kind\n"
            "R-1,Good,2,3,,,,open,2026-01-01,Risk\n"
            "R-1,Duplicate ID,2,3,,,,open,,Risk\n"
            "R-3,,2,3,,,,open,,Risk\n"
            "R-4,Bad rating,7,Very Hgh,,,,open,,Risk\n"
            "R-5,Bad date,1,1,,,,open,someday,Risk\n"
            "R-6,Half FMEA,,,8,6,,open,,Opportunity\n"
            "R-7,Strange status,1,1,,,,banana,,Risk\n"
            "R-8,Bad kind,1,1,,,,open,,Maybe\n"
            "R-9,Words on 10 scale,,,High,Low,Very low,open,,Risk\n")
    preview = parse_rows(open_table(_write_csv(tmp_path / "errors.csv", text)))
    by_ref = {row.values["ref"] or row.row_number: row for row in preview.rows}
    status = {key: row.status for key, row in by_ref.items()}
    assert preview.rows[0].status == "ok"
    assert preview.rows[1].status == "error" and "used twice" in preview.rows[1].messages[0]
    assert status["R-3"] == "error" and "Title is empty" in by_ref["R-3"].messages[0]
    assert status["R-4"] == "error" and len(by_ref["R-4"].errors) == 2
    assert status["R-5"] == "error" and "not a date" in by_ref["R-5"].errors[0]
    assert status["R-6"] == "warning" and by_ref["R-6"].values["method"] == "fmea"
    assert by_ref["R-6"].values["kind"] == "opportunity"
    assert status["R-7"] == "warning" and by_ref["R-7"].values["status"] == "open"
    assert status["R-8"] == "error"
    nine = by_ref["R-9"]
    assert nine.status == "warning"
    assert (nine.values["severity"], nine.values["occurrence"], nine.values["detection"]) == (
        7, 3, 1)
    assert any("hard to detect" in message for message in nine.warnings)
    assert preview.has_errors and len(preview.records) == 4


# -- hostile files ------------------------------------------------------------------------------

def _docx_renamed(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize("name, content, fragment", [
    ("report.xlsx", None, "Word document"),
    ("random.xlsx", bytes(range(256)) * 40, "not a valid Excel workbook"),
    ("random.csv", bytes(range(256)) * 40, "does not look like a text"),
    ("encrypted.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000,
     "password-protected"),
    ("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, "97-2003"),
    ("empty.csv", b"", "is empty"),
    ("truncated.xlsx", b"PK\x03\x04" + b"\x00" * 100, "damaged"),
    ("register.pdf", b"%PDF-1.7\n", "not a valid Excel workbook"),
    ("register.docx.bin", b"hello", "unsupported type"),
])
def test_hostile_files_give_clear_errors(tmp_path, name, content, fragment):
    path = tmp_path / name
    if content is None:
        _docx_renamed(path)
    else:
        path.write_bytes(content)
    with pytest.raises(ImportFileError) as info:
        source = open_table(path)
        parse_rows(source)
    message = str(info.value)
    assert fragment in message
    assert isinstance(info.value, ValueError)
    assert message.endswith(".") and "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(ImportFileError, match="not found"):
        open_table(tmp_path / "nope.xlsx")


def test_huge_files_are_refused(tmp_path):
    lines = ["ID,Title"] + [f"R-{i},Risk {i}" for i in range(150)]
    path = _write_csv(tmp_path / "big.csv", "\n".join(lines))
    with pytest.raises(ImportFileError, match="more than 100 rows"):
        open_table(path, max_rows=100)
    with pytest.raises(ImportFileError, match="import limit"):
        open_table(path, max_bytes=1000)
    assert len(parse_rows(open_table(path, max_rows=200)).rows) == 150

    xlsx = tmp_path / "big.xlsx"
    write_risk_register(xlsx, [{"ref": f"R-{i}", "title": f"T{i}"} for i in range(150)],
                        Banding(), head_hash="0" * 64)
    source = open_table(xlsx, max_rows=100)
    with pytest.raises(ImportFileError, match="more than 100 rows"):
        parse_rows(source)


def _patch_sheet_xml(path: Path, member: str, patch) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    parts[member] = patch(parts[member].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_formula_cells_use_saved_results_or_fail_the_row(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "formulas.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Title", "Likelihood", "Impact", "Notes"])
    sheet.append(["R-1", "Saved result", 2, "=C2*2", "=\"x\"&\"y\""])
    sheet.append(["R-2", "No saved result", 2, "=C3*2", None])
    sheet.append(["R-3", "Error result", 2, "=1/0", None])
    sheet.append(["R-4", "Formula outside the mapping", 1, 1, None, "=NOW()"])
    workbook.save(path)

    def add_results(xml: str) -> str:
        xml = xml.replace("<f>C2*2</f><v></v>", "<f>C2*2</f><v>4</v>")
        xml = xml.replace('<c r="E2"><f>"x"&amp;"y"</f><v></v>',
                          '<c r="E2" t="str"><f>"x"&amp;"y"</f><v>xy</v>')
        return xml.replace('<c r="D4"><f>1/0</f><v></v>',
                           '<c r="D4" t="e"><f>1/0</f><v>#DIV/0!</v>')

    _patch_sheet_xml(path, "xl/worksheets/sheet1.xml", add_results)
    preview = parse_rows(open_table(path))
    one, two, three, four = preview.rows
    assert one.status == "ok" and one.values["inherent_impact"] == 4
    assert one.values["notes"] == "xy"
    assert two.status == "error" and "D3 holds a formula with no saved result" in two.errors[0]
    assert three.status == "error" and "#DIV/0!" in three.errors[0]
    assert four.status == "ok"


# -- export -------------------------------------------------------------------------------------

TRICKY_TEXTS = ["=SUM(A1)", "+1+2", "-3", "@cmd", "\tTabbed", "\rReturn", "#N/A",
                "=HYPERLINK(\"http://x\")", "multi\nline", "ünïcødé ✓", "0042", "- dash item",
                "\uff1dSUM(A1)", "\uff0b1", "\uff0d3", "\uff20cmd"]


def _sample_risks() -> list[dict]:
    risks = []
    for index, text in enumerate(TRICKY_TEXTS, start=1):
        risks.append({
            "ref": f"R-{index:03d}", "title": text, "kind": "risk" if index % 3 else "opportunity",
            "category": "Supply", "process": "Purchasing", "step": "Order release",
            "cause": f"Cause {text}", "effect": text, "owner": "A. Martin",
            "controls": "Incoming inspection", "treatment": text, "status": "treating",
            "review_date": dt.date(2026, 1, index), "identified_on": dt.date(2025, 6, index),
            "method": "both" if index % 2 else "5x5",
            "inherent_likelihood": 1 + index % 5, "inherent_impact": 1 + (index * 2) % 5,
            "residual_likelihood": 1, "residual_impact": min(1 + index % 3, 1 + (index * 2) % 5),
            "failure_mode": "Wrong part" if index % 2 else "",
            "severity": 1 + index % 10 if index % 2 else None,
            "occurrence": 1 + (index * 3) % 10 if index % 2 else None,
            "detection": 1 + (index * 7) % 10 if index % 2 else None,
            "notes": text,
        })
    risks.append({"ref": "R-100", "title": "Sparse", "kind": "risk", "status": "open",
                  "method": "5x5"})
    return risks


def _expected(risk: dict) -> dict:
    values = {name: ("" if name not in {
        "review_date", "identified_on", "inherent_likelihood", "inherent_impact",
        "residual_likelihood", "residual_impact", "severity", "occurrence", "detection",
        "status", "kind", "method"} else None) for name in RISK_FIELDS}
    values.update(risk)
    return values


@pytest.fixture
def png_bytes() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2))
    figure.add_subplot().imshow([[1, 2], [3, 4]])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@pytest.fixture
def exported(tmp_path, png_bytes) -> Path:
    return write_risk_register(tmp_path / "register.xlsx", _sample_risks(),
                               Banding().with_cell(1, 1, "medium"), head_hash="ab" * 32,
                               heatmap_png=png_bytes, title="ACME & Co risks")


def test_export_round_trip_is_lossless(exported):
    preview = parse_rows(open_table(exported))
    assert preview.error_count == 0 and preview.warning_count == 0, [
        row.messages for row in preview.rows if row.messages]
    assert preview.notes == []
    assert [row.values for row in preview.rows] == [_expected(r) for r in _sample_risks()]


def test_exported_cells_never_hold_formulas(exported):
    from lxml import etree

    with zipfile.ZipFile(exported) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            root = etree.fromstring(archive.read(name))
            assert [el for el in root.iter() if etree.QName(el).localname == "f"] == [], name
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="B2"[^>]*t="inlineStr"><is><t>=SUM\(A1\)</t>', xml)

    from openpyxl import load_workbook

    workbook = load_workbook(exported)
    sheet = workbook["Risks"]
    assert sheet["B2"].value == "=SUM(A1)" and sheet["B2"].data_type == "s"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r\uff1d\uff0b\uff0d\uff20":
                assert cell.quotePrefix, cell.coordinate  # kept as text when edited


def test_hostile_title_is_text_on_every_sheet(tmp_path, png_bytes):
    title = "=cmd|' /C calc'!A0"
    path = write_risk_register(tmp_path / "t.xlsx", [{"ref": "R-1", "title": title}], Banding(),
                               head_hash="=1+1", heatmap_png=png_bytes, title=title)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(r"<(\w+:)?f[\s>/]", archive.read(name).decode()), name
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    assert workbook["Info"]["A1"].value == title
    assert workbook["Heat map"]["A1"].value.startswith(title)


def test_user_edited_mapping(corpus_dir):
    source = open_table(corpus_dir / CORPUS_REGISTER)
    headers = source.headers()
    mapping = guess_mapping(headers)
    description = headers.index("Risk_Description")
    mapping[description] = "title"  # keep the whole description as the title
    mapping[headers.index("Risk_Level")] = "notes"
    preview = parse_rows(source, mapping=mapping, options=ImportOptions(extra_columns="ignore"))
    values = preview.rows[0].values
    assert values["title"].endswith("process constraints.")
    assert values["cause"] == ""
    assert values["notes"] == "Critical"
    with pytest.raises(ValueError, match="keep only one"):
        parse_rows(source, mapping={**mapping, 0: "title"})


def test_export_formatting(exported):
    from openpyxl import load_workbook

    workbook = load_workbook(exported)
    assert workbook.sheetnames == ["Risks", "Treatment actions", "Heat map", "Info"]
    sheet = workbook["Risks"]
    assert sheet.freeze_panes == "C2"
    headers = [cell.value for cell in sheet[1]]
    assert headers == [header for _, header, _ in COLUMNS]
    assert sheet["A1"].font.b

    table = sheet.tables["RiskRegister"]
    last_row = len(_sample_risks()) + 1
    assert table.ref == f"A1:AD{last_row}"
    assert table.autoFilter.ref == table.ref
    assert [column.name for column in table.tableColumns] == headers

    # Computed values: R-001 has likelihood 2 x impact 3, S2 O4 D8.
    row = {header: cell.value for header, cell in zip(headers, sheet[2])}
    assert row["Inherent score"] == 6 and row["Inherent level"] == "Medium"
    assert row["RPN"] == 2 * 4 * 8 and row["Action priority (AP)"] == "L"
    assert sheet["M2"].is_date and sheet["M2"].number_format == "yyyy-mm-dd"

    ranges = {str(cf.sqref): [rule.type for rule in cf.rules]
              for cf in sheet.conditional_formatting}
    # inherent level: four colours for threats, four of their own for opportunities
    assert ranges[f"S2:S{last_row}"] == ["cellIs"] * 8
    assert ranges[f"R2:R{last_row}"] == ["expression"] * 8  # score coloured by its level
    assert ranges[f"AC2:AC{last_row}"] == ["cellIs"] * 3  # AP H/M/L
    assert ranges[f"AB2:AB{last_row}"] == ["colorScale"]  # RPN

    validations = {dv.formula1: str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    assert validations['"1,2,3,4,5"'] == (f"P2:P{last_row} Q2:Q{last_row} T2:T{last_row} "
                                          f"U2:U{last_row}")
    assert validations['"1,2,3,4,5,6,7,8,9,10"'].startswith(f"Y2:Y{last_row}")
    assert validations['"Open,Treating,Monitoring,Closed"'] == f"L2:L{last_row}"
    assert validations['"Risk,Opportunity"'] == f"C2:C{last_row}"
    assert validations['"5×5,FMEA,5×5 + FMEA"'] == f"O2:O{last_row}"
    # Codes are written as the labels the dropdowns offer.
    assert {row["Kind"], row["Status"], row["Method"]} <= {
        "Risk", "Opportunity", "Open", "Treating", "Monitoring", "Closed", "5×5", "FMEA",
        "5×5 + FMEA"}
    assert all(dv.type == "list" and dv.showErrorMessage
               for dv in sheet.data_validations.dataValidation)

    assert "ab" * 32 in sheet.oddFooter.left.text
    assert sheet.oddHeader.center.text == "ACME && Co risks"
    info = [[cell.value for cell in row] for row in workbook["Info"].iter_rows()]
    assert ["Audit-trail head hash", "ab" * 32] in [row[:2] for row in info]
    assert info[0][0] == "ACME & Co risks"
    # the banding edit shows on the Info sheet, in the threats' and the opportunities' words
    assert ["1 Rare", "Medium"] in [row[:2] for row in info]
    assert ["1 Rare", "Worthwhile"] == info[-1][:2]
    with zipfile.ZipFile(exported) as archive:
        assert any(name.startswith("xl/media/") and name.endswith(".png")
                   for name in archive.namelist())
    assert len(workbook["Heat map"]._images) == 1


def test_export_without_risks_and_without_heatmap(tmp_path):
    path = write_risk_register(tmp_path / "empty.xlsx", [], Banding(), head_hash="0" * 64)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Risks", "Treatment actions", "Info"]
    assert workbook["Risks"].tables["RiskRegister"].ref == "A1:AD2"
    assert workbook["Treatment actions"].tables["TreatmentActions"].ref == "A1:L2"
    preview = parse_rows(open_table(path))
    assert preview.rows == [] and preview.header_row == 1


@pytest.mark.parametrize("change, fragment", [
    ({"inherent_likelihood": 6, "inherent_impact": 1}, "whole numbers 1-5"),
    ({"severity": 11, "occurrence": 1, "detection": 1}, "Severity"),
    ({"review_date": "tomorrow"}, "not a date"),
    ({"notes": "x" * 40000}, "32,767"),
])
def test_export_rejects_invalid_risks(tmp_path, change, fragment):
    risk = {"ref": "R-1", "title": "T", **change}
    target = tmp_path / "bad.xlsx"
    with pytest.raises(ValueError, match=fragment):
        write_risk_register(target, [risk], Banding(), head_hash="0" * 64)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no half-written temporary file either


def test_export_rejects_a_non_png_heatmap(tmp_path):
    with pytest.raises(ValueError, match="PNG"):
        write_risk_register(tmp_path / "x.xlsx", [], Banding(), head_hash="0",
                            heatmap_png=b"GIF89a....")


def test_field_labels_cover_every_field():
    assert set(FIELD_LABELS) >= set(RISK_FIELDS)


def test_benchmark_smoke():
    import importlib.util

    bench_path = Path(__file__).resolve().parents[2] / "bench" / "risk_io.py"
    spec = importlib.util.spec_from_file_location("risk_io_bench", bench_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.bench_risk_io(n=100, repeat=1)
    assert result["n"] == 100
    assert result["import_ratio"] > 0 and result["export_ratio"] > 0


# -- readability of the export (new-user trial) ---------------------------------------------

def test_codes_are_written_as_labels_and_read_back(tmp_path):
    from openpyxl import load_workbook

    from qms_desktop.core.risk import KINDS, METHODS, STATUSES

    risks = [{"ref": f"R-{index}", "title": f"T{index}", "kind": KINDS[index % 2],
              "status": STATUSES[index % 4], "method": METHODS[index % 3]}
             for index in range(12)]
    path = write_risk_register(tmp_path / "labels.xlsx", risks, Banding(), head_hash="0")
    sheet = load_workbook(path)["Risks"]
    shown = {(row[2], row[11], row[14]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ("Risk", "Open", "5×5") in shown and ("Opportunity", "Treating", "FMEA") in shown
    assert any(method == "5×5 + FMEA" for _, _, method in shown)
    values = [row.values for row in parse_rows(open_table(path)).rows]
    assert [(v["kind"], v["status"], v["method"]) for v in values] == [
        (r["kind"], r["status"], r["method"]) for r in risks]


def test_residual_above_inherent_is_fine_for_an_opportunity(tmp_path):
    source = _write_csv(tmp_path / "o.csv",
                        "ID,Title,Kind,Inherent likelihood,Inherent impact,Residual likelihood,"
                        "Residual impact\n"
                        "O-1,Grow exports,Opportunity,2,2,4,4\n"
                        "R-1,Late parts,Risk,2,2,4,4\n"
                        "R-1,Duplicate,Risk,2,2,4,4\n")
    rows = parse_rows(open_table(source)).rows
    assert rows[0].status == "ok" and rows[0].messages == ()
    assert rows[1].status == "warning" and "higher than the inherent" in rows[1].messages[0]
    joined = "; ".join(rows[2].messages)
    assert "used twice" in joined and "higher than the inherent" in joined
    assert ".;" not in joined and not joined.endswith(".")


def test_export_to_a_missing_folder_says_so(tmp_path):
    from qms_desktop.storage.workspace import WorkspaceError

    folder = tmp_path / "nonexist"
    with pytest.raises(WorkspaceError) as caught:
        write_risk_register(folder / "r.xlsx", [], Banding(), head_hash="0")
    assert str(caught.value) == (f"The folder “{folder}” does not exist; create it or choose "
                                 "another folder.")
    assert ".tmp" not in str(caught.value)


def test_export_to_a_read_only_folder_says_so(tmp_path, monkeypatch):
    import os

    from qms_desktop.services.exports import risks_xlsx
    from qms_desktop.storage.workspace import WorkspaceError

    real_access = os.access
    monkeypatch.setattr(risks_xlsx.os, "access",
                        lambda where, mode: False if Path(where) == tmp_path
                        else real_access(where, mode))
    with pytest.raises(WorkspaceError, match="cannot be written; choose another folder"):
        write_risk_register(tmp_path / "r.xlsx", [], Banding(), head_hash="0")
    monkeypatch.undo()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".r.xlsx.1.tmp"))

    monkeypatch.setattr(risks_xlsx.os, "replace", refuse)
    with pytest.raises(WorkspaceError) as caught:
        write_risk_register(tmp_path / "r.xlsx", [], Banding(), head_hash="0")
    assert "cannot be written" in str(caught.value) and ".tmp" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_print_setup_is_readable(exported):
    from openpyxl import load_workbook

    workbook = load_workbook(exported)
    sheet = workbook["Risks"]
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation) in ((8, "landscape"), ("8", "landscape"))
    # two pages across at a scale that holds them (split at a column break), the rows
    # shared out over the pages by manual breaks (print_plan): not fit-to-page, which would
    # make Excel ignore the breaks
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert 10 <= int(setup.scale) <= 100 and len(sheet.col_breaks.brk) == 1
    assert sheet.print_title_cols == "$A:$B" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_margins.left < 0.5
    assert sheet.row_dimensions[1].height >= 45  # three header lines fit
    headers = [cell.value for cell in sheet[1]]
    for header in ("Title", "Cause", "Effect", "Existing controls", "Treatment", "Notes"):
        cell = sheet.cell(2, headers.index(header) + 1)
        assert cell.alignment.wrap_text, header
    assert sheet["M2"].alignment.horizontal == "center"  # dates stay clear of the method
    # Rows are as tall as their longest wrapped text (spreadsheets do not grow them alone).
    tall = write_risk_register(
        exported.with_name("tall.xlsx"),
        [{"ref": "R-1", "title": "Short"},
         {"ref": "R-2", "title": "A title that is far too long for one line of its column",
          "cause": "First line\nSecond line\nThird line\nFourth line"}],
        Banding(), head_hash="0")
    rows = load_workbook(tall)["Risks"].row_dimensions
    assert rows[2].height in (None, 15) and rows[3].height == 4 * 15
    # ID and title plus the rest fit two pages at a legible scale (about 90 %).
    widths = [width for _, _, width in COLUMNS]
    assert sum(widths) + sum(widths[:2]) < 2 * 215 / 0.85

    info = workbook["Info"]
    assert info.page_setup.orientation == "portrait"
    assert int(info.page_setup.fitToWidth) == 1 and int(info.page_setup.fitToHeight) == 1
    assert info.sheet_properties.pageSetUpPr.fitToPage
    assert "B5:F5" in {str(r) for r in info.merged_cells.ranges}


def test_side_by_side_heatmap_keeps_its_aspect_ratio(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from openpyxl import load_workbook

    figure = Figure(figsize=(12, 5), dpi=200)  # inherent and residual maps side by side
    for index in (1, 2):
        figure.add_subplot(1, 2, index).imshow([[1, 2], [3, 4]])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    path = write_risk_register(tmp_path / "h.xlsx", [], Banding(), head_hash="0",
                               heatmap_png=buffer.getvalue())
    image = load_workbook(path)["Heat map"]._images[0]
    anchor = image.anchor.ext
    width, height = anchor.width, anchor.height  # EMU
    assert abs(width / height - 12 / 5) < 0.02
    assert width <= 1100 * 9525 and height <= 620 * 9525


def test_heatmap_without_a_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no size"):
        write_risk_register(tmp_path / "x.xlsx", [], Banding(), head_hash="0",
                            heatmap_png=b"\x89PNG\r\n\x1a\n")
    assert list(tmp_path.iterdir()) == []


def test_every_style_names_the_body_font(exported):
    """LibreOffice shows a font without a name in its own default (a serif): every font of a
    cell format names the body's, at a size."""
    import re as _re

    from qms_desktop.services.exports.risks_xlsx import FONT_NAME

    with zipfile.ZipFile(exported) as archive:
        styles = archive.read("xl/styles.xml").decode()
    fonts = _re.search(r"<fonts[^>]*>(.*?)</fonts>", styles, _re.S).group(1)
    faces = _re.findall(r"<font>(.*?)</font>|<font/>", fonts, _re.S)
    assert len(faces) > 1
    for face in faces:
        assert f'<name val="{FONT_NAME}"/>' in face and "<sz " in face, face


def test_opportunity_levels_have_their_own_words(tmp_path):
    from openpyxl import load_workbook

    from qms_desktop.core.palette import OPPORTUNITY_WORDS

    path = write_risk_register(
        tmp_path / "o.xlsx",
        [{"ref": "O-1", "title": "New market", "kind": "opportunity",
          "inherent_likelihood": 5, "inherent_impact": 5},
         {"ref": "R-1", "title": "Late supplier", "kind": "risk",
          "inherent_likelihood": 5, "inherent_impact": 5}], Banding(), head_hash="0" * 64)
    sheet = load_workbook(path)["Risks"]
    levels = [row[18] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert levels == [OPPORTUNITY_WORDS["critical"], "Critical"]


# -- the "Treatment actions" sheet in the import report ------------------------------------------

def _register_with_actions(path: Path) -> Path:
    """Three risks and a "Treatment actions" sheet: two actions of R-001, one of R-002 with a
    status that is no status, one of R-004, one of a risk that is nowhere."""
    from openpyxl import Workbook

    workbook = Workbook()
    risks = workbook.active
    risks.title = "Risks"
    risks.append(["ID", "Title", "Likelihood", "Impact"])
    risks.append(["R-001", "Supplier late", 3, 4])
    risks.append(["R-002", "Wrong grade", 2, 5])
    risks.append(["R-004", "Setter leaves", 2, 3])
    acts = workbook.create_sheet("Treatment actions")
    acts.append(["Risk ID", "Action ID", "Action", "Status"])
    acts.append(["R-001", "A-001", "Second source", "Open"])
    acts.append(["R-001", "A-002", "Audit supplier", "Done"])
    acts.append(["R-002", "A-003", "Check certificates", "Finished-ish"])
    acts.append(["R-004", "A-004", "Train a second setter", "In progress"])
    acts.append(["R-009", "A-005", "Spare spindle", "Open"])
    workbook.save(path)
    return path


def test_import_report_names_the_action_sheet_and_the_risks_of_its_rows(ws, tmp_path):
    from qms_desktop.services import risks

    report = risks.import_risks(ws, _register_with_actions(tmp_path / "reg.xlsx"),
                                dry_run=True)
    assert report.sheet == "Risks" and report.action_sheet == "Treatment actions"
    assert [(r.row_number, r.ref, r.risk_ref, r.status) for r in report.action_rows] == [
        (2, "A-001", "R-001", "ok"), (3, "A-002", "R-001", "ok"),
        (4, "A-003", "R-002", "error"), (5, "A-004", "R-004", "ok"),
        (6, "A-005", "R-009", "error")]
    line = report.actions_read()
    # R-009 is in neither the file nor the workspace: not counted as a risk, named apart
    assert line.startswith("sheet “Treatment actions”: 5 action rows for 3 risks "
                           "(R-001 ×2, R-002, R-004), 1 for a risk in neither the file nor "
                           "the workspace (R-009: row 6; errors)"), line
    assert "2 with errors (rows 4, 6)" in line, line
    # the summary counts the sheet's rows apart from the risks' (its errors are not theirs)
    assert report.summary().startswith("3 risk rows and 5 action rows: 2 with errors"), \
        report.summary()
    as_dict = report.as_dict()
    assert as_dict["action_sheet"] == "Treatment actions"
    assert as_dict["action_rows"][0]["risk_ref"] == "R-001"


def test_import_report_without_an_action_sheet_says_nothing_of_it(ws, tmp_path):
    from openpyxl import Workbook

    from qms_desktop.services import risks

    workbook = Workbook()
    workbook.active.append(["ID", "Title"])
    workbook.active.append(["R-001", "Supplier late"])
    workbook.save(tmp_path / "plain.xlsx")
    report = risks.import_risks(ws, tmp_path / "plain.xlsx", dry_run=True)
    assert report.action_sheet == "" and report.actions_read() == ""


def test_cli_dry_run_shows_the_action_sheet_up_front_and_its_rows(ws, ws_path, tmp_path,
                                                                   capsys):
    from qms_desktop.cli import main as qms

    ws.close()
    path = _register_with_actions(tmp_path / "reg.xlsx")
    assert qms(["import", "risks", str(ws_path), str(path), "--dry-run"]) == 1
    lines = capsys.readouterr().out.splitlines()
    sheet_line = next(i for i, line in enumerate(lines)
                      if line.startswith("sheet “Treatment actions”: 5 action rows for 3 risks"))
    columns = lines.index("columns:")
    assert sheet_line < columns  # said with how the file was read, before any row
    rows = [line for line in lines if line.startswith("row ")]
    assert rows, lines
    heading = lines.index("rows of sheet “Treatment actions”:")
    assert heading > columns
    after = lines[heading + 1:]
    bad_status = next(line for line in after if line.startswith("row     4"))
    assert re.match(r"row +4 +error +A-003 → R-002 +Status: ", bad_status), bad_status
    nowhere = next(line for line in after if line.startswith("row     6"))
    assert re.match(r"row +6 +error +A-005 → R-009 +risk R-009 is neither in the file", nowhere)
    assert not any(line.startswith("row     2") for line in after)  # fine rows are quiet


def test_cli_names_its_flags_for_an_action_id_that_exists(ws, ws_path, tmp_path, capsys):
    from openpyxl import Workbook

    from qms_desktop.cli import main as qms
    from qms_desktop.services import actions, risks

    rid = risks.add_risk(ws, {"title": "Supplier late"}).result
    actions.add_action(ws, "risk", rid, {"title": "Second source"})
    ws.close()
    workbook = Workbook()
    workbook.active.title = "Risks"
    workbook.active.append(["ID", "Title"])
    workbook.active.append(["R-010", "Setter leaves"])
    sheet = workbook.create_sheet("Treatment actions")
    sheet.append(["Risk ID", "Action ID", "Action"])
    sheet.append(["R-010", "A-001", "Train a second setter"])
    workbook.save(tmp_path / "r.xlsx")
    assert qms(["import", "risks", str(ws_path), str(tmp_path / "r.xlsx"), "--dry-run"]) == 1
    got = capsys.readouterr()
    line = next(line for line in got.out.splitlines() if line.startswith("row     2  error"))
    assert "A-001 → R-010" in line and "already exists" in line and "“give new" not in line
    err = got.err
    assert err.count("--renumber") == 1, err  # what to do about it: once, at the end
