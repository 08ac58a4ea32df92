"""The audit trail page: lazy paging model, search, verify in the background."""

from __future__ import annotations

import sqlite3
import time

import pytest

from qms_desktop.ui.pages.audit_trail import AuditTrailModel, describe_value


@pytest.fixture
def busy_ws(tmp_path):
    """A workspace with 1,302 audit events (its id, an organization and 1,300 people)."""
    from qms_desktop.storage.audit import bulk_insert
    from qms_desktop.storage.models import Person
    from qms_desktop.storage.workspace import create_workspace

    path = tmp_path / "busy.qms"
    ws = create_workspace(path, organization="Busy Ltd", user="setup")
    with ws.session() as s:
        bulk_insert(s, Person, [{"name": f"Person {i:04d}", "department": "Assembly"
                                 if i % 2 else "Machining"} for i in range(1300)])
    ws.close()
    return path


def show_audit(window, qtbot):
    window.show_page("audit_trail")
    page = window.page("audit_trail")
    qtbot.waitExposed(page)
    return page


def test_model_passes_qt_model_tester(window, busy_ws, open_ws, qtbot, qtmodeltester):
    open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    qtmodeltester.check(page.model, force_py=True)
    qtmodeltester.check(page.model)


def test_pages_lazily_and_never_queries_while_painting(window, busy_ws, open_ws, qtbot):
    open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    model = page.model
    assert model.rowCount() == AuditTrailModel.PAGE_SIZE
    assert model.fetches == 1 and model.canFetchMore()
    assert page.count_label.text() == "1,302 events"
    newest = model.event(0)
    assert newest.entity == "person" and newest.op == "insert"
    fetches = model.fetches
    page.view.viewport().repaint()
    page.view.viewport().grab()
    assert model.fetches == fetches  # painting reads the cache only
    page.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > AuditTrailModel.PAGE_SIZE)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 1302
    assert model.event(1300).entity == "organization"  # the oldest come last
    assert model.event(1301).entity == "setting"  # (the workspace's id, given first)
    ids = [model.event(i).id for i in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)


def test_cells_are_readable(window, busy_ws, open_ws, qtbot):
    from PySide6.QtCore import Qt

    open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    m = page.model
    header = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    assert header == ["Time (UTC)", "User", "Operation", "Record kind", "Record", "Field",
                      "Old value", "New value"]
    row = [m.data(m.index(0, c)) for c in range(m.columnCount())]
    assert row[1] == "setup" and row[2] == "Created" and row[3] == "person"
    assert row[7] == "active: 1; department: Assembly; name: Person 1299"
    assert "T" in m.data(m.index(0, 0), Qt.ItemDataRole.ToolTipRole)  # ISO time in the tip
    # the trail stores UTC: shown ISO-like with the zone, whatever the locale
    assert m.format_time("2026-11-25T06:14:23.123456Z") == "2026-11-25 06:14:23 UTC"
    assert m.format_time("2026-11-25T08:14:23+02:00") == "2026-11-25 06:14:23 UTC"
    import re

    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", row[0])
    assert describe_value('"plain"') == "plain"
    assert describe_value(None) == ""


def test_search_runs_as_a_query(window, busy_ws, open_ws, qtbot):
    open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    page.search.setText("entity:organization")
    page.apply_search()
    assert page.model.rowCount() == 1 and page.count_label.text() == "1 matching events"
    page.search.setText('"Person 012"')  # a quoted phrase
    page.apply_search()
    assert page.model.rowCount() == 10  # Person 0120 … 0129
    page.search.setText("Person 012")  # two words, each anywhere: also Person 0012, id 1012…
    page.apply_search()
    assert page.model.rowCount() == 13
    page.search.setText("user:nobody")
    page.apply_search()
    assert page.model.rowCount() == 0 and not page.model.canFetchMore()
    page.search.setText("record:abc")
    page.apply_search()
    assert "not a record number" in page.search_problem.text()
    page.search.clear()
    page.apply_search()
    assert page.model.rowCount() == AuditTrailModel.PAGE_SIZE


def test_search_box_filters_after_a_pause(window, busy_ws, open_ws, qtbot):
    open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    qtbot.keyClicks(page.search, "Machining")
    qtbot.waitUntil(lambda: page.count_label.text() == "650 matching events", timeout=5000)


def test_verify_shows_ok_and_head_hash(window, busy_ws, open_ws, qtbot):
    ws = open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    page.verify_button.click()
    qtbot.waitUntil(lambda: page.verify_label.text().startswith("Verified"), timeout=20_000)
    text = page.verify_label.text()
    assert "1,302 events" in text and ws.head_hash() in text
    assert page.verify_button.isEnabled()


def test_verify_names_the_first_problem(window, busy_ws, open_ws, qtbot):
    with sqlite3.connect(busy_ws) as c:  # an edit behind the application's back
        c.execute("update person set name='Mallory' where id=7")
    c.close()
    open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    page.verify_button.click()
    qtbot.waitUntil(lambda: page.verify_label.text().startswith("Verification failed"),
                    timeout=20_000)
    assert "person 7" in page.verify_label.text()
    assert "Mallory" in page.verify_label.text()


def test_page_follows_edits(window, busy_ws, open_ws, qtbot):
    from qms_desktop.services.organization import get_profile

    ws = open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    org = get_profile(ws)
    window.controller.edit_field("organization", org.id, "name", "New")
    assert page.model.event(0).field == "name" and page.model.event(0).op == "update"
    assert page.count_label.text() == "1,303 events"


def test_large_trail_opens_instantly(tmp_path, window, open_ws, qtbot):
    """20,000 events: the first page is read, nothing else (the same cost at 200,000)."""
    from qms_desktop.storage.audit import bulk_insert
    from qms_desktop.storage.models import Risk
    from qms_desktop.storage.workspace import create_workspace

    path = tmp_path / "large.qms"
    with create_workspace(path, organization="Large") as ws:
        with ws.session() as s:
            bulk_insert(s, Risk, [{"title": f"risk {i}"} for i in range(20_000)])
    open_ws(window, path)
    t0 = time.perf_counter()
    page = show_audit(window, qtbot)
    elapsed = time.perf_counter() - t0
    assert page.model.fetches == 1 and page.model.rowCount() == AuditTrailModel.PAGE_SIZE
    assert elapsed < 1.0, f"opening the audit trail took {elapsed:.2f} s"
