"""Companion sheets (``Schema.companion_sheets``): read beside the records, never as them."""

from __future__ import annotations

import pytest

from qms_desktop.services.imports import risk_table as rt
from qms_desktop.services.imports import table as T

RISK_HEADER = ["Risk ID", "Risk title", "Owner", "Likelihood", "Impact"]
ACTION_HEADER = [title for _field, title in rt.ACTION_FIELDS]


def _workbook(path, risks: int, *, actions_first: bool = False, main: str = "Risks"):
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = main
    sheet.append(RISK_HEADER)
    for i in range(risks):
        sheet.append([f"R-{i:03d}", f"Supplier late {i}", "Priya Raman", 3, 4])
    actions = wb.create_sheet(" treatment ACTIONS ", 0 if actions_first else None)
    actions.append(ACTION_HEADER)
    for i in range(3):  # risk-like enough: titles, owners and a "Kind" column
        actions.append([f"R-{i:03d}", f"A-{i}", f"Chase the supplier {i}", "Priya Raman",
                        "2025-03-01", "Open", None, None, None, None, "Risk", "Call weekly"])
    wb.save(path)
    return path


def test_schema_companion_sheets_are_never_chosen(tmp_path):
    schema = T.Schema(fields=("ref", "title"), labels={}, synonyms=T.synonym_table(
        [(("ref",), ["Risk ID", "Action ID"]), (("title",), ["Risk title", "Action"])]),
        companion_sheets=frozenset({"Treatment actions"}))
    assert schema.companion(" treatment ACTIONS ") and not schema.companion("Risks")
    path = _workbook(tmp_path / "r.xlsx", 5, actions_first=True)
    choice = T.open_table(path, schema=schema).choose_sheet()
    assert choice.sheet == "Risks"
    assert "ACTIONS" not in choice.note()  # read with the records, not "not read"


def test_refused_register_sheet_is_not_read_from_the_actions_sheet(tmp_path):
    path = _workbook(tmp_path / "big.xlsx", 40, actions_first=True)
    source = rt.open_table(path, max_rows=20)
    assert "choose_sheet" not in vars(source)  # the reader's own chooser, not a patched one
    with pytest.raises(T.ImportFileError):
        source.choose_sheet()
    assert rt.open_table(path).choose_sheet().sheet == "Risks"  # when it can be read


def test_a_workbook_of_actions_only_still_opens(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Treatment actions"
    wb.active.append(ACTION_HEADER)
    wb.save(tmp_path / "a.xlsx")
    assert rt.open_table(tmp_path / "a.xlsx").choose_sheet().sheet == "Treatment actions"
