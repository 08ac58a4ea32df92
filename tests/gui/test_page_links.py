"""Pages link to each other: dashboard cards open filtered lists, risks open in the register
from a process's turtle panel and a map step, and a risk's step opens on the map."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from qms_desktop.services.demo import create_demo

    return create_demo(tmp_path_factory.mktemp("demo") / "demo.qms")


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "demo.qms"
    shutil.copy(demo_file, path)
    return path


def risk_rows(ws):
    from qms_desktop.services.risks import list_risks

    return list_risks(ws)


def shown_ids(page):
    from qms_desktop.ui.table import IdRole

    return [page.proxy.index(r, 0).data(IdRole) for r in range(page.proxy.rowCount())]


def test_risks_page_selects_a_hidden_risk_and_takes_filters(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    rows = risk_rows(ws)
    window.show_page("risks")
    page = window.page("risks")
    page.set_filters(level="high+")
    high = {r.id for r in rows if r.level in ("high", "critical")}
    assert set(shown_ids(page)) == high and page.level_filter.value() == "high+"
    other = next(r for r in rows if r.id not in high)
    assert page.select_risk(other.id)  # hidden by the filter: the filter goes
    assert page.selected_ids() == [other.id] and page.level_filter.value() is None
    page.set_filters(overdue_only=True)
    assert page.overdue_filter.isChecked()
    assert set(shown_ids(page)) == {r.id for r in rows
                                    if r.review_overdue or r.overdue_actions}


def test_show_on_map_names_the_step_or_the_process(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    rows = risk_rows(ws)
    window.show_page("risks")
    page = window.page("risks")
    with_step = next(r for r in rows if r.node_id is not None)
    only_process = next((r for r in rows if r.node_id is None and r.process_id is not None),
                        None)
    emitted = []
    page.openRecord.connect(lambda kind, rid: emitted.append((kind, rid)))
    page.select_risk(with_step.id)
    assert page.acts["map"].isEnabled()
    assert page.show_on_map()
    assert emitted == [("process_node", with_step.node_id)]
    if only_process is not None:
        page.select_risk(only_process.id)
        page.show_on_map()
        assert emitted[-1] == ("process", only_process.process_id)
    page.table.clearSelection()
    assert not page.acts["map"].isEnabled() and not page.show_on_map()


def dashboard(window, qtbot):
    window.show_page("dashboard")
    page = window.page("dashboard")
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.filled, timeout=10_000)  # the tiles fill in the background
    return page


def test_overdue_actions_card_opens_the_overdue_list(window, demo, open_ws, qtbot):
    from PySide6.QtCore import Qt

    open_ws(window, demo)
    page = dashboard(window, qtbot)
    ov = window.controller.current_overview()
    assert ov.overdue_actions > 0
    card = page.cards["actions"]
    assert 'href="overdue"' in card.detail.text()
    card.detail.linkActivated.emit("overdue")  # the "7 overdue" link
    assert window.current_page_key() == "actions"
    actions = window.page("actions")
    assert actions.proxy.rowCount() == ov.overdue_actions
    assert actions.overdue_only.isChecked()  # the widgets say what is filtered
    assert actions.status_filter.value() == "unfinished"
    window.show_page("dashboard")
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)  # the card: every open action
    assert window.current_page_key() == "actions"
    assert actions.proxy.rowCount() == ov.open_actions and not actions.overdue_only.isChecked()


def test_risk_and_training_cards_open_their_pages(window, demo, open_ws, qtbot):
    from PySide6.QtCore import Qt

    ws = open_ws(window, demo)
    page = dashboard(window, qtbot)
    rows = risk_rows(ws)
    card = page.cards["risks"]
    # open risks (not opportunities, not closed) at high or critical: services.risks.level_counts
    high = sum(1 for r in rows if r.level in ("high", "critical") and r.kind == "risk"
               and r.status != "closed")
    assert f"{high} high or critical" in card.detail.text()
    card.detail.linkActivated.emit("high")
    assert window.current_page_key() == "risks"
    risks = window.page("risks")
    assert risks.proxy.rowCount() == high and risks.level_filter.value() == "high+"
    assert risks.kind_filter.value() == "risk" and risks.open_filter.isChecked()
    window.show_page("dashboard")
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Return)  # the card itself, from the keyboard
    assert risks.proxy.rowCount() == len(rows) and risks.level_filter.value() is None
    window.show_page("dashboard")
    training = window.page("training")
    qtbot.mouseClick(page.cards["training_records"], Qt.MouseButton.LeftButton)
    assert window.current_page_key() == "training"
    window.show_page("dashboard")
    qtbot.mouseClick(page.cards["audit_events"], Qt.MouseButton.LeftButton)
    assert window.current_page_key() == "audit_trail"
    assert training is window.page("training")


def test_turtle_and_map_risks_open_in_the_register(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    rows = risk_rows(ws)
    risk = next(r for r in rows if r.node_id is not None)
    window.show_page("processes")
    procs = window.page("processes")
    assert procs.select_process(risk.process_id)
    items = [procs.turtle.risks.item(i) for i in range(procs.turtle.risks.count())]
    item = next(i for i in items if i.data(256) == risk.id)  # Qt.UserRole
    procs.turtle.risks.itemActivated.emit(item)
    assert window.current_page_key() == "risks"
    assert window.page("risks").selected_ids() == [risk.id]
    # the register's Show on map: the step's map, the step selected
    assert window.page("risks").show_on_map()
    assert window.current_page_key() == "processes"
    assert procs.stack.currentWidget() is procs.editor
    assert procs.editor.process_id == risk.process_id
    assert procs.editor.scene.selected_ids()[0] == [risk.node_id]
    # the step's linked risks open in the register too
    links = procs.editor.properties.links["risk"].list
    qtbot.waitUntil(lambda: links.count() > 0)
    item = next(links.item(i) for i in range(links.count())
                if links.item(i).data(256) == risk.id)
    links.itemActivated.emit(item)
    assert window.current_page_key() == "risks"
    assert window.page("risks").selected_ids() == [risk.id]


def test_a_deleted_step_says_so(window, demo, open_ws, qtbot):
    open_ws(window, demo)
    window.open_record("process_node", 999_999)
    assert "no longer exists" in window.statusBar().currentMessage()


def test_training_card_links_open_the_matrix_filtered(window, demo, open_ws, qtbot):
    from qms_desktop.core import training as rules

    open_ws(window, demo)
    page = dashboard(window, qtbot)
    card = page.cards["training_records"]
    assert 'href="expiring"' in card.detail.text()
    assert "expiring soon" in card.detail.text()
    card.detail.linkActivated.emit("expiring")
    assert window.current_page_key() == "training"
    training = window.page("training")
    assert training.status.value() == rules.EXPIRING
    model = training.model
    assert model.rowCount() > 0
    assert all(any(model.matrix.status[i][j] == rules.EXPIRING for j in model.cols)
               for i in model.rows)


def test_a_step_shown_from_another_page_unfolds_its_properties(window, demo, open_ws, qtbot):
    from qms_desktop.ui.flowchart.editor import RIGHT_PANE

    ws = open_ws(window, demo)
    window.resize(1440, 900)
    risk = next(r for r in risk_rows(ws) if r.node_id is not None)
    window.show_page("processes")
    editor = window.page("processes").editor
    assert not editor.pane_open(RIGHT_PANE)  # folded, as a map opens
    window.open_record("process_node", risk.node_id)
    assert editor.scene.selected_ids()[0] == [risk.node_id]
    assert editor.pane_open(RIGHT_PANE) and editor.actions["show_properties"].isChecked()
    assert editor.tabs.currentWidget() is editor.properties
    assert editor.tabs.width() > 200
    item = editor.scene.nodes[risk.node_id]
    assert editor.view.visible_scene_rect().contains(item.sceneBoundingRect())
