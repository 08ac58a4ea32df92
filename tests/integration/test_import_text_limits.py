"""Text longer than a spreadsheet cell holds is refused at the door: in imports (naming the
field and the row) and in edits (naming the field), so a register can always be exported."""

from __future__ import annotations

import pytest

from qms_desktop.services import actions, records, risks
from qms_desktop.services.exports.cells import MAX_CELL_TEXT
from qms_desktop.services.imports.risk_table import open_table, parse_rows
from qms_desktop.storage.workspace import create_workspace

LONG = "x" * 50_000


def test_import_refuses_a_cell_longer_than_an_export_can_hold(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(f"ID,Title,Notes\nR-1,Weld seam,short\nR-2,Paint,{LONG}\n", encoding="utf-8")
    preview = parse_rows(open_table(path))
    ok, bad = preview.rows
    assert ok.status == "ok"
    assert bad.status == "error"
    assert any("Notes in row 3 holds 50,000 characters" in e and "32,767" in e
               for e in bad.errors), bad.errors


def test_import_accepts_a_cell_at_the_limit(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(f"ID,Title,Notes\nR-1,Weld seam,{'y' * MAX_CELL_TEXT}\n", encoding="utf-8")
    (row,) = parse_rows(open_table(path)).rows
    assert row.status == "ok", row.messages


@pytest.fixture
def ws(tmp_path):
    workspace = create_workspace(tmp_path / "w.qms")
    yield workspace
    workspace.close()


def test_edits_refuse_text_longer_than_a_cell(ws):
    rid = risks.add_risk(ws, {"title": "Weld seam"}).result
    with pytest.raises(records.RecordError, match="“notes” holds 50,000 characters"):
        risks.update_risks(ws, [rid], {"notes": LONG})
    with pytest.raises(records.RecordError, match="“title” holds 50,000 characters"):
        risks.add_risk(ws, {"title": LONG})
    with pytest.raises(records.RecordError, match="“description” holds 50,000 characters"):
        actions.clean_value("description", LONG)
    risks.update_risks(ws, [rid], {"notes": "z" * MAX_CELL_TEXT})  # at the limit: fine
