"""The detail panel at 1280 px wide: the Risk tab never scrolls sideways, the Actions tab's
columns end inside the table (the action's text included), and the evidence of effectiveness of
the current action is edited under the table rather than in columns off to the right."""

from __future__ import annotations

import datetime as dt

import pytest

from risks_helpers import seed_register

LONG_ACTION = "Introduce setup checklist with second-person offset check"


@pytest.fixture
def register(tmp_path):
    """The seeded register as long as the demo's (a vertical scroll bar in the register), a
    long process name, and a risk rated both ways with actions like the demo's."""
    from qms_desktop.services import actions, records, risks
    from qms_desktop.storage.workspace import open_workspace

    path = tmp_path / "fit.qms"
    ids = seed_register(path)
    ws = open_workspace(path)
    try:
        for i in range(30):
            risks.add_risk(ws, {"title": f"Parts from different heat-treatment batches mixed {i}",
                                "method": "5x5", "inherent_likelihood": 3,
                                "inherent_impact": 4})
        records.update_fields(ws, "process", ids["processes"]["Purchasing"],
                              {"name": "Purchasing and incoming inspection of bar stock"})
        rid = ids["risks"]["Wrong material grade"]
        ben = ids["people"]["Ben Carter"]
        first = actions.add_action(ws, "risk", rid, {
            "title": LONG_ACTION, "owner_id": ben, "status": "done",
            "due_date": dt.date.today() + dt.timedelta(days=30)}).result
        actions.add_action(ws, "risk", rid, {
            "title": "Transfer presetter data to machines via DNC", "owner_id": ben,
            "status": "in_progress", "due_date": dt.date.today() + dt.timedelta(days=60)})
    finally:
        ws.close()
    return path, ids, first


def _panel(window, open_ws, qtbot, path, rid, size):
    window.resize(*size)
    open_ws(window, path)
    window.show_page("risks")
    page = window._pages["risks"]
    qtbot.waitExposed(page)
    page.select_ids([rid])
    qtbot.waitUntil(lambda: page.detail.row is not None and page.detail.row.id == rid)
    return page, page.detail


def _visible_columns(view):
    header = view.horizontalHeader()
    return [i for i in range(header.count()) if not header.isSectionHidden(i)]


@pytest.mark.parametrize("size", [(1280, 720), (1280, 800), (1440, 900)])
def test_risk_tab_does_not_scroll_sideways(window, open_ws, qtbot, register, size):
    from PySide6.QtCore import QPoint

    path, ids, _first = register
    page, detail = _panel(window, open_ws, qtbot, path, ids["risks"]["Wrong material grade"],
                          size)
    detail.tabs.setCurrentIndex(0)
    scroll = detail.tabs.currentWidget()
    qtbot.waitUntil(lambda: scroll.isVisible() and scroll.viewport().width() > 0)
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.widget().width() <= scroll.viewport().width()
    right = scroll.viewport().width()
    for key in ("title", "process_id", "node_id", "owner_id", "review_date", "cause"):
        editor = detail.editors[key]
        assert editor.mapTo(scroll.viewport(), QPoint(editor.width(), 0)).x() <= right, key


@pytest.mark.parametrize("size", [(1280, 720), (1280, 800), (1440, 900)])
def test_action_columns_end_inside_the_table(window, open_ws, qtbot, register, size):
    path, ids, _first = register
    page, detail = _panel(window, open_ws, qtbot, path, ids["risks"]["Wrong material grade"],
                          size)
    detail.tabs.setCurrentIndex(detail.actions_tab_index)
    view, model = detail.actions_view, detail.actions_model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and view.isVisible())
    header = view.horizontalHeader()
    shown = _visible_columns(view)
    # nothing to scroll to: every column shown ends inside the viewport
    assert sum(header.sectionSize(i) for i in shown) <= view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()
    title = model.column_of["title"]
    assert title in shown
    assert header.sectionViewportPosition(title) + header.sectionSize(title) \
        <= view.viewport().width()
    for key in ("owner_id", "due_date", "status"):  # read first, always there
        assert model.column_of[key] in shown, key
    # the action's text shows whole, on as many lines as it needs
    from PySide6.QtCore import QRect, Qt

    fm = view.fontMetrics()
    for r in range(model.rowCount()):
        text = model.index(r, title).data()
        need = fm.boundingRect(QRect(0, 0, header.sectionSize(title) - 8, 10_000),
                               int(Qt.TextFlag.TextWordWrap), text)
        assert need.width() <= header.sectionSize(title) - 8, text
        assert need.height() <= view.rowHeight(r), text
    if size[0] >= 1440:
        assert model.column_of["ref"] in shown  # room for the ID too


def test_effectiveness_of_the_current_action_is_edited_under_the_table(
        window, open_ws, qtbot, register):
    from qms_desktop.services import actions

    path, ids, first = register
    rid = ids["risks"]["Wrong material grade"]
    page, detail = _panel(window, open_ws, qtbot, path, rid, (1280, 720))
    detail.tabs.setCurrentIndex(detail.actions_tab_index)
    view, model = detail.actions_view, detail.actions_model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and view.isVisible())
    view.setCurrentIndex(model.index(model.row_of(first), model.column_of["title"]))
    box = detail.evidence_box
    assert box.isVisible() and box.isEnabled()
    assert model.rows[model.row_of(first)].ref in box.title()
    assert detail.completed_label.text() != ""  # done: it has a completion date
    detail.effectiveness_edit.setText("No wrong grade in 3 months of incoming checks")
    detail.effectiveness_edit.editingFinished.emit()
    detail.effective_combo.set_value(True)
    detail.effective_combo.activated.emit(detail.effective_combo.currentIndex())

    def stored():
        return next(a for a in actions.actions_for(page.controller.workspace, "risk", rid)
                    if a.id == first)

    assert stored().effectiveness_check == "No wrong grade in 3 months of incoming checks"
    assert stored().effective is True
    page.controller.undo_stack.undo()
    assert stored().effective is None
    assert detail.effective_combo.value() is None  # the box follows undo


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)])
def test_rating_badges_show_whole_inside_the_panel(window, open_ws, qtbot, register, size):
    """Under the heading, the inherent, residual, RPN · AP and overdue badges are never cut:
    each text fits its badge, every badge ends inside the panel, above the tabs."""
    from PySide6.QtCore import QPoint

    from qms_desktop.services import risks
    from qms_desktop.storage.workspace import open_workspace

    path, ids, _first = register
    rid = ids["risks"]["Wrong material grade"]  # rated 5×5 and FMEA
    ws = open_workspace(path)
    try:  # a review overdue too: all four badges show
        risks.update_risks(ws, [rid], {"review_date": dt.date.today() - dt.timedelta(days=3)})
    finally:
        ws.close()
    page, detail = _panel(window, open_ws, qtbot, path, rid, size)
    badges = (detail.inherent_badge, detail.residual_badge, detail.fmea_badge,
              detail.overdue_badge)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in badges))
    assert detail.fmea_badge.text().startswith("RPN ")
    tabs_top = detail.tabs.mapTo(detail, QPoint(0, 0)).y()
    for badge in badges:
        text = badge.text()
        assert badge.fontMetrics().horizontalAdvance(text) <= badge.contentsRect().width(), text
        assert "…" not in text, text
        left = badge.mapTo(detail, QPoint(0, 0))
        assert left.x() >= 0, text
        assert left.x() + badge.width() <= detail.width(), text
        assert left.y() + badge.height() <= tabs_top, text  # not under the tabs
    # colour is always paired with words: the level is in the badge's own text
    assert "High" in detail.inherent_badge.text() or "Critical" in detail.inherent_badge.text()
    assert "Medium" in detail.residual_badge.text()


def test_effectiveness_box_follows_undo_and_redo_while_it_has_focus(
        window, open_ws, qtbot, register):
    """Typed text committed with Enter, then Edit ▸ Undo with the box still focused: the box
    shows the stored value again (and the typed text after Redo)."""
    from PySide6.QtCore import Qt

    from qms_desktop.services import actions

    path, ids, first = register
    rid = ids["risks"]["Wrong material grade"]
    page, detail = _panel(window, open_ws, qtbot, path, rid, (1280, 720))
    window.activateWindow()
    detail.tabs.setCurrentIndex(detail.actions_tab_index)
    view, model = detail.actions_view, detail.actions_model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and view.isVisible())
    view.setCurrentIndex(model.index(model.row_of(first), model.column_of["title"]))
    edit = detail.effectiveness_edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)

    def stored():
        return next(a for a in actions.actions_for(page.controller.workspace, "risk", rid)
                    if a.id == first).effectiveness_check

    edit.end(False)
    qtbot.keyClicks(edit, "Checked Q4.")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored() == "Checked Q4."
    assert edit.hasFocus()
    page.controller.undo()
    assert not stored()
    assert edit.hasFocus() and edit.text() == ""
    page.controller.redo()
    assert stored() == "Checked Q4."
    assert edit.text() == "Checked Q4."
    # typing not yet committed is committed before an undo (like every other field): the
    # undo then takes back exactly that typing
    qtbot.keyClicks(edit, " Again.")
    page.controller.undo()
    assert stored() == "Checked Q4."
    assert edit.text() == "Checked Q4."


def test_ctrl_z_in_the_effectiveness_box_after_enter_never_splits_box_and_file(
        window, open_ws, qtbot, register):
    """Once Enter saved the text, it is a step of the app's undo history: the box keeps no
    undo of its own, so Ctrl+Z there cannot show one text while the file holds another."""
    from PySide6.QtCore import Qt

    from qms_desktop.services import actions

    path, ids, first = register
    rid = ids["risks"]["Wrong material grade"]
    page, detail = _panel(window, open_ws, qtbot, path, rid, (1280, 720))
    detail.tabs.setCurrentIndex(detail.actions_tab_index)
    view, model = detail.actions_view, detail.actions_model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and view.isVisible())
    view.setCurrentIndex(model.index(model.row_of(first), model.column_of["title"]))
    edit = detail.effectiveness_edit
    edit.setFocus()
    edit.end(False)
    qtbot.keyClicks(edit, "Checked")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, " again in Q4.")  # a text the store keeps exactly as typed
    qtbot.keyClick(edit, Qt.Key.Key_Return)

    def stored():
        return next(a for a in actions.actions_for(page.controller.workspace, "risk", rid)
                    if a.id == first).effectiveness_check or ""

    assert stored() == "Checked again in Q4." and edit.text() == stored()
    assert not edit.isUndoAvailable()
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == stored()
