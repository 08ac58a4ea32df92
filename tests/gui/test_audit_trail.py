"""The audit trail page: lazy paging model, search, verify in the background."""

from __future__ import annotations

import sqlite3

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
    page.search.setText("since:yesterday")
    page.apply_search()
    assert "not a date" in page.search_problem.text()
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
    page = show_audit(window, qtbot)
    # one page of events read, not the 20,000 (speed itself is for the benchmarks)
    assert page.model.fetches == 1 and page.model.rowCount() == AuditTrailModel.PAGE_SIZE


@pytest.fixture
def named_ws(tmp_path):
    """A risk owned by Priya, then by Sam; Sam deleted afterwards; edits by two users."""
    import datetime as dt

    from qms_desktop.services import records
    from qms_desktop.storage.workspace import create_workspace, open_workspace

    path = tmp_path / "named.qms"
    ws = create_workspace(path, organization="Named Ltd", user="anna")
    priya = records.create(ws, "person", {"name": "Priya Raman"}).result
    sam = records.create(ws, "person", {"name": "Sam Okafor"}).result
    proc = records.create(ws, "process", {"code": "P-02", "name": "Purchasing"}).result
    risk = records.create(ws, "risk", {"ref": "R-007", "title": "Late bar stock",
                                       "owner_id": priya, "process_id": proc}).result
    buyer = records.create(ws, "role", {"name": "Buyer"}).result
    records.create(ws, "person_role", {"person_id": priya, "role_id": buyer})
    ws.close()
    ws = open_workspace(path, user="ben")
    records.update_fields(ws, "risk", risk, {"owner_id": sam})
    records.update_fields(ws, "risk", risk, {"owner_id": None})
    records.delete(ws, "person", sam)
    ws.close()
    return path, {"priya": priya, "sam": sam, "risk": risk, "process": proc,
                  "today": dt.datetime.now(dt.timezone.utc).date()}


def _rows(model):
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_references_are_shown_by_name(window, named_ws, open_ws, qtbot):
    path, ids = named_ws
    open_ws(window, path)
    page = show_audit(window, qtbot)
    rows = _rows(page.model)
    owner_changes = [r for r in rows if r[3] == "risk" and r[2] == "Changed"]
    # newest first: owner Sam → none, then Priya → Sam (Sam deleted since: named as he was)
    assert [r[5:] for r in owner_changes] == [
        ["owner", "Sam Okafor (deleted)", ""],
        ["owner", "Priya Raman", "Sam Okafor (deleted)"]]
    assert owner_changes[0][4] == "R-007 Late bar stock"  # the record by name, not "4"
    created = next(r for r in rows if r[3] == "risk" and r[2] == "Created")
    assert "owner: Priya Raman" in created[7] and "process: P-02 Purchasing" in created[7]
    assert "owner id" not in created[7] and "process id" not in created[7]
    deleted = next(r for r in rows if r[2] == "Deleted")
    assert deleted[4] == "Sam Okafor (deleted)"
    # a link record with no name of its own is named by the records it links
    link = next(r for r in rows if r[3] == "person's role")
    assert link[4] == "Priya Raman · Buyer"
    assert "person: Priya Raman" in link[7] and "role: Buyer" in link[7]


def test_names_are_read_once_per_page_of_events(window, busy_ws, open_ws, qtbot, monkeypatch):
    from qms_desktop.services import audit_trail

    calls = []
    real = audit_trail.record_names
    monkeypatch.setattr(audit_trail, "record_names",
                        lambda ws, refs: calls.append(refs) or real(ws, refs))
    open_ws(window, busy_ws)
    page = show_audit(window, qtbot)
    assert len(calls) == 1 and len(calls[0]["person"]) == AuditTrailModel.PAGE_SIZE
    assert page.model.data(page.model.index(0, 4)) == "Person 1299"
    page.view.viewport().grab()
    page.model.fetchMore()
    assert len(calls) == 2  # one batch per page read, none while painting


def test_filter_by_record_user_and_date(window, named_ws, open_ws, qtbot):
    import datetime as dt

    path, ids = named_ws
    open_ws(window, path)
    page = show_audit(window, qtbot)
    page.set_filters(entity="risk", record=ids["risk"])
    assert {page.model.event(r).entity for r in range(page.model.rowCount())} == {"risk"}
    assert page.model.rowCount() == 3 and page.count_label.text() == "3 matching events"
    page.set_filters(record="late bar")  # by name, in any kind of record
    assert page.model.rowCount() == 3
    page.set_filters(record="okafor")  # a deleted record by the name it had
    assert [page.model.event(r).op for r in range(page.model.rowCount())] == \
        ["delete", "insert"]
    assert page.user_filter.findData("ben") > 0 and page.user_filter.findData("anna") > 0
    page.record_filter.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() > 3)  # typing filters after a pause
    page.user_filter.set_value("ben")  # a choice filters at once
    assert {page.model.event(r).user for r in range(page.model.rowCount())} == {"ben"}
    assert page.model.rowCount() == 3 and page.clear_filters_button.isEnabled()
    today = ids["today"]
    page.set_filters(since=today + dt.timedelta(days=1))
    assert page.model.rowCount() == 0
    page.set_filters(since=today, until=today, user="anna")
    assert page.model.rowCount() > 0
    assert {page.model.event(r).user for r in range(page.model.rowCount())} == {"anna"}
    page.set_filters(until=today - dt.timedelta(days=1))
    assert page.model.rowCount() == 0
    page.clear_filters()
    assert page.count_label.text().endswith(" events") and "matching" not in \
        page.count_label.text()
    assert not page.clear_filters_button.isEnabled()


def test_search_text_filters_by_record_name_and_days():
    from qms_desktop.services.audit_trail import parse_filter

    f = parse_filter("record:R-007 since:2026-01-02 until:2026-02-03 user:ben")
    assert (f.record_text, f.since, f.until, f.user, f.problem) == \
        ("R-007", "2026-01-02", "2026-02-03", "ben", "")
    assert parse_filter("record:12").record_id == 12
