"""The Nonconformities page (ui/nonconformities): the register from the table kit, its filters
(the dashboard's "not closed"), the 8D detail — a cause added by clicking a fishbone bone, the
5 Whys, actions in the workspace-wide list, the Close button enabled only when ISO 9001 10.2 is
met —, each edit one undo step, the jump to a record, and the 8D export in the background."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from qms_desktop.services import actions as A
from qms_desktop.services import nonconformities as N
from qms_desktop.services import records as R

pytestmark = pytest.mark.usefixtures("shown")

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)
_D = Qt.ItemDataRole


def populate(ws) -> dict:
    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    bob = R.create(ws, "person", {"name": "Bob Stone"}).result
    complaint = N.add_nonconformity(ws, {
        "title": "Bore oversize", "source": "customer complaint", "customer": "Hydra",
        "owner_id": ann, "description": "60 rejected", "containment": "Stock blocked",
        "root_cause": "Tool wear", "due_date": TODAY - 2 * DAY, "severity": "major"}).result
    supplier = N.add_nonconformity(ws, {"title": "Wrong certificate", "source": "supplier",
                                        "owner_id": bob}).result
    done = N.add_nonconformity(ws, {"title": "Old one", "source": "process",
                                    "description": "x", "correction": "y",
                                    "root_cause": "z", "effectiveness_check": "ok",
                                    "effective": True}).result
    aid = A.add_action(ws, "nonconformity", done, {"title": "Fix"}).result
    A.update_actions(ws, [aid], {"status": "done"})
    N.update_nonconformities(ws, [done], {"status": "closed"})
    act = A.add_action(ws, "nonconformity", complaint, {"title": "Tool-life counter"}).result
    return dict(ann=ann, bob=bob, complaint=complaint, supplier=supplier, done=done, act=act)


@pytest.fixture
def world(ws):
    return populate(ws)


@pytest.fixture
def page(qtbot, controller, world):
    from qms_desktop.ui.nonconformities import NonconformitiesPage
    from qms_desktop.ui.pages import page_specs

    spec = next(s for s in page_specs() if s.key == "nonconformities")
    page = NonconformitiesPage(controller, spec)
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    qtbot.waitExposed(page)
    return page


def cell(page, rid: int, key: str):
    model = page.model
    return page.proxy.mapFromSource(model.index(model.row_of(rid), model.column_of[key]))


def shown(page) -> set[int]:
    return {r.id for r in page.proxy.visible_rows()}


def test_models_pass_the_model_tester(page, qtmodeltester):
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    qtmodeltester.check(page.detail.why_model)
    qtmodeltester.check(page.detail.action_model)


def test_the_register_shows_what_matters(page, world):
    c = world["complaint"]
    assert page.model.rowCount() == 3
    assert cell(page, c, "source").data() == "Customer complaint: Hydra"
    assert cell(page, c, "severity").data() == "Major"
    assert cell(page, c, "owner_id").data() == "Ann Lee"
    assert cell(page, c, "actions").data() == "0/1 done"
    status = cell(page, c, "status")
    assert status.data() == "Open" and status.data(_D.DecorationRole) is not None
    assert "Before it can close" in status.data(_D.ToolTipRole)
    due = cell(page, c, "due_date")
    assert due.data().endswith("overdue") and due.data(_D.DecorationRole) is not None
    assert cell(page, world["done"], "status").data() == "Closed"
    assert "3 of 3 · 2 not closed · 1 overdue" in page.count.text()


def test_filters_and_open_list_unfinished(page, world):
    page.set_filters(status="unfinished")
    assert shown(page) == {world["complaint"], world["supplier"]}
    page.filters.widgets["source"].set_value("supplier")
    assert shown(page) == {world["supplier"]}
    page.clear_filters()
    page.filters.widgets["owner"].set_value(world["ann"])
    assert shown(page) == {world["complaint"]}
    page.clear_filters()
    page.search.setText("certificate")
    assert shown(page) == {world["supplier"]}
    page.clear_filters()
    assert len(shown(page)) == 3


def test_dashboard_open_list_through_the_main_window(window, make_ws, open_ws):
    ws = open_ws(window, make_ws("nc.qms"))
    window.controller.edit("seed", lambda w: N.add_nonconformity(w, {"title": "Open one"}))
    window.open_list("nonconformities", {"status": "unfinished"})
    page = window.page("nonconformities")
    assert type(page).__name__ == "NonconformitiesPage"
    assert page.filters.widgets["status"].value() == "unfinished"
    assert len(page.proxy.visible_rows()) == 1
    nid = page.model.rows[0].id
    window.open_record("nonconformity", nid)
    assert page.current_row().id == nid
    cid = window.controller.edit("c", lambda w: N.add_cause(w, nid, "why", "because"))
    window.open_record("nc_cause", cid)
    assert page.detail.tabs.currentIndex() == page.detail.root_tab
    assert ws is window.controller.workspace


def test_add_cause_by_clicking_a_bone_then_undo(page, world, controller, qtbot, monkeypatch):
    c = world["complaint"]
    page.select_ids([c])
    page.detail.tabs.setCurrentIndex(page.detail.root_tab)
    view = page.detail.fishbone
    qtbot.waitUntil(lambda: view.isVisible())
    monkeypatch.setattr("qms_desktop.ui.nonconformities.detail.QInputDialog.getText",
                        lambda *a, **k: ("Calliper used for an H7 bore", True))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.scene_pos_of_bone("measurement"))
    causes = N.get(controller.workspace, c).causes
    assert [(x.category, x.text) for x in causes] == [("measurement",
                                                       "Calliper used for an H7 bore")]
    cid = causes[0].id
    assert cid in view.cause_items
    # mark it root: the diagram says so in words
    assert page.detail.toggle_root(cid)
    assert view.cause_items[cid].text().startswith("★ ROOT")
    assert "Calliper used for an H7 bore" in page.current_row().root_summary
    controller.undo()
    assert not view.cause_items[cid].text().startswith("★ ROOT")
    controller.undo()
    assert N.get(controller.workspace, c).causes == [] and view.cause_items == {}


def test_five_whys_add_edit_root_move(page, world, controller):
    c = world["complaint"]
    page.select_ids([c])
    d = page.detail
    w1 = d.add_why("Bar worn")
    w2 = d.add_why("Not changed")
    assert [r.text for r in d.why_model.rows] == ["Bar worn", "Not changed"]
    assert d.why_model.index(1, 0).data() == "2"
    assert d.why_model.setData(d.why_model.index(0, 1), "Bar worn out")
    assert d.why_model.rows[0].text == "Bar worn out"
    d.whys.setCurrentIndex(d.why_model.index(0, 1))
    assert d.move_why(1)
    assert [r.id for r in d.why_model.rows] == [w2, w1]
    assert d.toggle_root(w1)
    assert d.why_model.index(1, 2).data() == "★ ROOT"
    controller.undo()
    controller.undo()
    assert [r.id for r in d.why_model.rows] == [w1, w2]


def test_close_button_only_when_effective_and_undo(page, world, controller):
    c = world["complaint"]
    page.select_ids([c])
    d = page.detail
    assert not d.close_button.isEnabled()
    act = A.list_actions(controller.workspace)
    ref = next(x.ref for x in act if x.id == world["act"])
    assert f"Finish {ref} (open) first." in d.problems.text()
    # every gap at once, the verdict too although no check is described yet
    assert "Judge whether the actions were effective." in d.problems.text()
    controller.edit("done", lambda ws: A.update_actions(ws, [world["act"]], {"status": "done"}))
    assert not d.close_button.isEnabled()
    assert "effectiveness" in d.problems.text()
    controller.edit("check", lambda ws: N.update_nonconformities(
        ws, [c], {"effectiveness_check": "Ten batches fine", "effective": False}))
    assert not d.close_button.isEnabled() and not d.raise_button.isHidden()
    assert "not effective" in d.problems.text()
    controller.edit("ok", lambda ws: N.update_nonconformities(ws, [c], {"effective": True}))
    assert d.close_button.isEnabled()
    assert "Ready to close" in d.problems.text()
    d.close_button.click()
    assert page.current_row().status == "closed"
    assert page.current_row().closed_on == TODAY
    assert not d.close_button.isEnabled() and d.reopen_button.isEnabled()
    assert not d.add_why_button.isEnabled() and d.fishbone.read_only
    controller.undo()
    assert page.current_row().status == "open" and d.close_button.isEnabled()


def test_closing_refused_says_why(page, world, controller):
    page.select_ids([world["supplier"]])
    assert not page.close_current()
    assert any("cannot be closed yet" in str(e) for e in controller.errors)


def test_add_corrective_action_goes_to_the_workspace_list(page, world, controller):
    c = world["complaint"]
    page.select_ids([c])
    aid = page.detail.add_action("Air gauge on the bore")
    rows = {a.id: a for a in A.list_actions(controller.workspace)}
    assert rows[aid].source_kind == "nonconformity" and rows[aid].source_id == c
    assert rows[aid].owner == "Ann Lee"   # the nonconformity's owner
    assert cell(page, c, "actions").data() == "0/2 done"
    controller.undo()
    assert aid not in {a.id for a in A.list_actions(controller.workspace)}
    assert cell(page, c, "actions").data() == "0/1 done"


def test_keys_insert_delete_f2_and_undo(page, world, controller, qtbot):
    page.table.setFocus()
    page.add_action.trigger()
    new = page.current_row()
    assert new is not None and new.ref == "NC-0004" and new.title == "New nonconformity"
    qtbot.keyClick(page.table.focusWidget() or page.table, Qt.Key.Key_Escape)
    assert page.model.rowCount() == 4
    page.select_ids([new.id])
    page.delete_action.trigger()
    assert page.model.rowCount() == 3
    controller.undo()
    assert page.model.rowCount() == 4
    assert page.add_action.shortcut().toString() == "Ins"
    assert page.rename_action.shortcut().toString() == "F2"


def test_inline_edit_and_undo(page, world, controller):
    s = world["supplier"]
    assert page.proxy.setData(cell(page, s, "title"), "Wrong 3.1 certificate")
    assert cell(page, s, "title").data() == "Wrong 3.1 certificate"
    controller.undo()
    assert cell(page, s, "title").data() == "Wrong certificate"


def test_export_8d_in_the_background(page, world, qtbot, tmp_path, dialogs):
    page.select_ids([world["complaint"]])
    from PySide6.QtWidgets import QMessageBox

    dialogs.question_answer = QMessageBox.StandardButton.No   # do not open it
    target = tmp_path / "8d.docx"
    # the pages of earlier tests, left as cyclic garbage, die here on the GUI thread: a
    # collection in the worker would destroy their widgets from the wrong thread (Qt warns)
    import gc

    gc.collect()
    gc.disable()
    try:
        task = page.export_8d(target)
        assert task is not None
        qtbot.waitUntil(lambda: page.last_export is not None, timeout=30_000)
    finally:
        gc.enable()
    assert target.is_file() and target.stat().st_size > 10_000
    assert any("8D report of NC-0001" in m for m in dialogs.messages())


def test_a_closed_nonconformity_is_read_only_until_reopened(page, world, controller):
    done = world["done"]
    page.select_ids([done])
    d = page.detail
    assert page.current_row().status == "closed"
    assert not d.add_action_button.isEnabled() and not d.del_action_button.isEnabled()
    assert "reopen it to add an action" in d.add_action_button.toolTip()
    assert d.action_model.read_only
    # "Verified by" looks like the other fields: greyed out
    assert not d.verified_by.isEnabled() and not d.effective.isEnabled()
    assert not d.title.isEnabled()
    # typed text goes through the service, which refuses: nothing changes, the text returns
    binding = d.bindings["verified_by"]
    d.verified_by.setText("Somebody")
    binding.flush()
    assert any("is closed: reopen it to change it" in str(e) for e in controller.errors)
    assert d.verified_by.text() == "" and N.get(controller.workspace, done).row.verified_by == ""
    assert d.add_action() is None or not d.add_action_button.isEnabled()
    assert len([a for a in A.list_actions(controller.workspace) if a.source_id == done
                and a.source_kind == "nonconformity"]) == 1
    d.reopen_button.click()
    assert page.current_row().status == "action"
    assert d.add_action_button.isEnabled() and not d.action_model.read_only
    assert d.verified_by.isEnabled()


def test_a_closed_nonconformitys_text_boxes_look_read_only_like_the_fields(page, world):
    """Description, containment, effectiveness check: greyed like the line edits (they stay
    selectable), and white again once reopened."""
    from PySide6.QtGui import QPalette
    from qms_desktop.ui.table import TextBox

    base, text = QPalette.ColorRole.Base, QPalette.ColorRole.Text
    d = page.detail
    page.select_ids([world["done"]])
    boxes = [e for e in d.editors.values() if isinstance(e, TextBox)]
    assert len(boxes) >= 3
    grey = d.title.palette().color(QPalette.ColorGroup.Disabled, base)
    assert not d.title.isEnabled()
    for box in boxes:
        assert box.isReadOnly() and box.isEnabled()
        assert box.palette().color(base) == grey
        assert box.palette().color(text) == d.title.palette().color(
            QPalette.ColorGroup.Disabled, text)
    d.reopen_button.click()
    assert page.current_row().status == "action"
    for box in boxes:
        assert not box.isReadOnly()
        assert box.palette().color(base) == d.title.palette().color(base) != grey


def test_the_whole_fishbone_fits_at_1280_by_800_readable(window, make_ws, open_ws, qtbot):
    """Fit is the default: every bone, the head and the causes in view without scrolling,
    a cause at 0.8 of the table font at least; Ctrl+0 shows 100 %, "Fit" fits again."""
    from PySide6.QtGui import QFontInfo
    from PySide6.QtTest import QTest

    from qms_desktop.ui.nonconformities import NonconformitiesPage
    from qms_desktop.ui.nonconformities.fishbone import MIN_SCALE

    ws = open_ws(window, make_ws())
    nid = N.add_nonconformity(ws, {
        "title": "Customer complaint: bore oversize on manifold block HM-120"}).result
    texts = {"man": ["Night shift operator new to HM-120"],
             "machine": ["No tool-life counter on M07", "Boring bar wear on long runs"],
             "method": ["Control plan names no gauge for the bore"],
             "material": ["Harder batch of 6082-T6 (checked: within spec)"],
             "measurement": ["Calliper used for an H7 bore"],
             "environment": ["Hall temperature 6 K above normal in the afternoon"]}
    for cat, causes in texts.items():
        for t in causes:
            N.add_cause(ws, nid, "fishbone", t, category=cat)
    window.resize(1280, 800)
    window.page_actions["nonconformities"].trigger()
    page = window.findChild(NonconformitiesPage)
    page.refresh()
    page.select_ids([nid])
    d = page.detail
    d.tabs.setCurrentIndex(d.root_tab)
    view = d.fishbone
    qtbot.waitUntil(lambda: view.isVisible() and len(view.cause_items) == 7)

    def whole():
        shown = view.mapFromScene(view.sceneRect()).boundingRect()
        return view.viewport().rect().adjusted(-2, -2, 2, 2).contains(shown)

    qtbot.waitUntil(whole)   # once the layout has settled
    assert view.horizontalScrollBar().maximum() == 0 and view.verticalScrollBar().maximum() == 0
    scale = view.zoom()
    assert view.fitting and scale >= MIN_SCALE - 1e-6
    table_px = QFontInfo(d.whys.font()).pixelSize()
    for item in view.cause_items.values():
        assert QFontInfo(item.font()).pixelSize() * scale >= 0.8 * table_px - 0.5
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == 1.0 and not view.fitting
    d.fit_button.click()
    assert view.fitting and abs(view.zoom() - scale) < 1e-6


def test_a_new_nonconformity_is_not_offered_a_step_it_lacks(page, controller):
    """A containment without a description: the banner asks for the description, and
    "Move to: Contained" is not offered."""
    nid = N.add_nonconformity(controller.workspace, {"title": "New"}).result
    controller.notify(N.update_nonconformities(controller.workspace, [nid],
                                               {"containment": "Stock blocked"}))
    page.refresh()
    page.select_ids([nid])
    d = page.detail
    assert d.suggestion() is None and d.suggest_button.isHidden()


def test_text_edits_go_through_the_service_with_named_undo_steps(page, world, controller):
    s = world["supplier"]
    page.select_ids([s])
    d = page.detail
    d.verified_by.setText("Gemma Holt")
    d.bindings["verified_by"].finish()
    assert N.get(controller.workspace, s).row.verified_by == "Gemma Holt"
    assert controller.top_command().text() == "Change nonconformity verified by"
    assert d.commit_value("effective", False)
    assert controller.top_command().text() == "Change nonconformity verdict"
    assert d.commit_value("verified_on", TODAY)
    assert controller.top_command().text() == "Change nonconformity verified on"
    controller.undo()
    assert N.get(controller.workspace, s).row.verified_on is None


def test_nothing_selected_shows_empty_fields(page, world):
    page.select_ids([world["complaint"]])
    d = page.detail
    d.show_detail(None)     # what the page shows with no row current
    assert d.row is None and "Select a nonconformity" in d.banner.text()
    for combo in (d.source, d.severity, d.status, d.effective):
        assert combo.currentText() == ""
    assert d.title.text() == "" and d.suggest_button.isHidden()


def test_the_next_step_is_offered_not_set(page, world, controller):
    c = world["complaint"]     # containment, root cause and an action: corrective action
    controller.notify(N.update_nonconformities(controller.workspace, [c], {"team": "Ann"}))
    page.select_ids([c])
    d = page.detail
    assert page.current_row().status == "open"
    assert not d.suggest_button.isHidden()
    assert d.suggest_button.text() == "Move to: Corrective action"
    d.suggest_button.click()
    assert page.current_row().status == "action" and d.suggest_button.isHidden()
    assert controller.top_command().text() == "Change nonconformity status"
    controller.undo()
    assert page.current_row().status == "open" and not d.suggest_button.isHidden()


def test_fishbone_text_is_readable_and_clear_of_bones_and_each_other(page, world, controller,
                                                                     qtbot):
    from PySide6.QtGui import QFontInfo

    c = world["complaint"]
    long = ("Calliper used for an H7 bore although the control plan asks for an air gauge "
            "on every bore of the block")
    for k in range(4):
        N.add_cause(controller.workspace, c, "fishbone", f"Cause {k} on the machine bone",
                    category="machine")
    root = N.add_cause(controller.workspace, c, "fishbone", long,
                       category="measurement").result
    N.set_root(controller.workspace, root)
    controller.notify(N.update_nonconformities(controller.workspace, [c], {}))
    page.select_ids([c])
    d = page.detail
    d.tabs.setCurrentIndex(d.root_tab)
    page.resize(1280, 800)
    qtbot.waitUntil(lambda: d.fishbone.isVisible() and bool(d.fishbone.cause_items))
    view = d.fishbone
    scale = view.transform().m11()
    table_px = QFontInfo(d.whys.font()).pixelSize()
    items = list(view.cause_items.values())
    assert len(items) == 5
    for item in items:   # on screen at 0.8 of the table font's size at least
        assert QFontInfo(item.font()).pixelSize() * scale >= 0.8 * table_px - 0.5
    item = view.cause_items[root]
    assert item.text().startswith("★ ROOT") and item.text().endswith("…")
    assert item.text().count("\n") == 1 and long in item.toolTip()
    rects = [i.sceneBoundingRect() for i in items]
    for k, r in enumerate(rects):    # no two labels overlap
        assert not any(r.intersects(o) for o in rects[k + 1:])
    for bone in view.bone_items.values():   # no label on a bone
        line = bone.line()
        for r in rects:
            box = r.adjusted(-3, -3, 3, 3)
            assert not any(box.contains(line.pointAt(t / 100)) for t in range(101))


def test_five_whys_show_the_root_at_1280_by_800(window, make_ws, open_ws, qtbot):
    ws = open_ws(window, make_ws())
    nid = N.add_nonconformity(ws, {"title": "Bores"}).result
    for k in range(5):
        N.add_cause(ws, nid, "why", f"Why answer number {k + 1} " * 4)
    window.resize(1280, 800)
    window.page_actions["nonconformities"].trigger()
    from qms_desktop.ui.nonconformities import NonconformitiesPage

    page = window.findChild(NonconformitiesPage)
    page.refresh()
    page.select_ids([nid])
    d = page.detail
    d.tabs.setCurrentIndex(d.root_tab)
    qtbot.waitUntil(lambda: d.whys.isVisible() and d.why_model.rowCount() == 5)
    last = d.whys.visualRect(d.why_model.index(4, 1))
    assert last.isValid() and last.bottom() <= d.whys.viewport().height()
