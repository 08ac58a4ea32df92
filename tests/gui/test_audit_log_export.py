"""The Audit trail page's "Export to Excel…": the events its filters show, in the background."""

from __future__ import annotations

import openpyxl
import pytest


@pytest.fixture
def trail_ws(tmp_path):
    from qms_desktop.services import records
    from qms_desktop.storage.workspace import create_workspace, open_workspace

    path = tmp_path / "trail.qms"
    ws = create_workspace(path, organization="Trail Ltd", user="setup")
    try:
        owner = records.create(ws, "person", {"name": "Priya Raman"}).result
        records.create(ws, "risk", {"ref": "R-001", "title": "Late delivery",
                                    "owner_id": owner})
    finally:
        ws.close()
    with open_workspace(path, user="alice") as ws:
        records.create(ws, "person", {"name": "Ben Carter"})
    return path


def show_audit(window, qtbot):
    window.show_page("audit_trail")
    page = window.page("audit_trail")
    qtbot.waitExposed(page)
    return page


def rows_of(path):
    sheet = openpyxl.load_workbook(path)["Audit trail"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_the_button_exports_the_events_the_filters_show(window, trail_ws, open_ws, qtbot,
                                                        tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QPushButton

    open_ws(window, trail_ws)
    page = show_audit(window, qtbot)
    button = page.findChild(QPushButton, "auditExportButton")
    assert button is not None and button.isVisible() and "Excel" in button.text()

    out = tmp_path / "all.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "")))
    button.click()
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    assert page.last_export == out and button.isEnabled()
    assert len(rows_of(out)) == page.model.rowCount()

    page.set_filters(entity="person", user="alice")
    assert page.model.rowCount() == 1
    page.last_export = None
    filtered = tmp_path / "alice"  # .xlsx is added
    task = page.export_to_excel(str(filtered))
    assert task is not None
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    assert page.last_export == tmp_path / "alice.xlsx"
    rows = rows_of(page.last_export)
    assert [(r["User"], r["Record kind"], r["Record"]) for r in rows] == [
        ("alice", "person", "Ben Carter")]
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(page.last_export)["Cover"].iter_rows(
        values_only=True) if r[0]}
    assert "user: alice" in cover["Filters"] and "record kind: person" in cover["Filters"]
