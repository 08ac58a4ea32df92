"""The one rule for text written into spreadsheet cells (services/exports/cells.py)."""

from __future__ import annotations

import zipfile

import pytest

from qms_desktop.core.risk import Banding
from qms_desktop.services.exports.cells import csv_text, needs_protection
from qms_desktop.services.exports.risks_xlsx import write_risk_register

# Every payload a spreadsheet could evaluate: ASCII and full-width starts, CSV control
# characters, leading blanks before a trigger, error values in any case.
PAYLOADS = [
    "=SUM(A1)", "+1+2", "-3", "@cmd", "\tTabbed", "\rReturn", "\nNewline",
    "\uff1dSUM(A1)", "\uff0b1", "\uff0d3", "\uff20cmd", "\uff1dcmd|' /C calc'!A0",
    " =1+1", "\u3000\uff1d1", "\u00a0@x", "#N/A", "#n/a", "#DIV/0!", "#SPILL!",
]
HARMLESS = ["Weld seam", "0042", "ünïcødé ✓", "a=b", "x - y", "#1 priority", "50%", ""]


@pytest.mark.parametrize("text", PAYLOADS)
def test_payloads_need_protection(text):
    assert needs_protection(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_plain_text_is_left_alone(text):
    assert not needs_protection(text)
    assert csv_text(text) == text


def test_cells_module_is_pure():
    import ast
    from pathlib import Path

    import qms_desktop.services.exports.cells as cells

    tree = ast.parse(Path(cells.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "re"}, imported


def _formula_cells(path) -> list[str]:
    """Cells a spreadsheet program would evaluate: formula cells, and text cells starting
    with a trigger (or holding an error value) that are not kept as text by a quote prefix."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    workbook = load_workbook(path)
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate}")
                elif isinstance(cell.value, str) and needs_protection(cell.value) and not (
                        cell.data_type == "s" and cell.quotePrefix):
                    found.append(f"{sheet.title}!{cell.coordinate} {cell.value!r}")
    return found


def test_risk_export_has_no_formula_cells_full_width_included(tmp_path):
    text_fields = ("ref", "title", "category", "process", "step", "cause", "effect", "owner",
                   "controls", "treatment", "failure_mode", "notes")
    risks = [{key: payload for key in text_fields} | {"ref": f"R-{i}"}
             for i, payload in enumerate(PAYLOADS)]
    risks.append({key: PAYLOADS[7] for key in text_fields})  # the ID too
    path = write_risk_register(tmp_path / "r.xlsx", risks, Banding(), head_hash="ab" * 32,
                               title="\uff1dcmd|' /C calc'!A0")
    assert _formula_cells(path) == []
    from openpyxl import load_workbook

    sheet = load_workbook(path)["Risks"]
    assert sheet["B9"].value == "\uff1dSUM(A1)" and sheet["B9"].quotePrefix
