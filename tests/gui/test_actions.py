"""The Actions page (ui/actions): every action of the workspace from the table kit — inline edit
and undo, bulk edit as one undo step, filters, overdue marks readable without colour, the jump to
the source record, keys, and a read-only workspace."""

from __future__ import annotations

import datetime as dt

import pytest
from action_helpers import make_sources
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QApplication, QLineEdit

from qms_desktop.services import actions as A
from qms_desktop.services import records as R
from qms_desktop.ui.table import NONE, IdRole

pytestmark = pytest.mark.usefixtures("shown")

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)
_D = Qt.ItemDataRole


def populate(ws) -> dict:
    """Two people, a risk, a finding and a management review, and five actions."""
    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    bob = R.create(ws, "person", {"name": "Bob Stone"}).result
    risk = R.create(ws, "risk", {"ref": "R-007", "title": "Supplier late"}).result
    sources = make_sources(ws)
    fid, rvid = sources["finding"], sources["review"]
    ids = {
        "late": A.add_action(ws, "risk", risk, {"title": "Second source", "owner_id": ann,
                                                "due_date": TODAY - 5 * DAY}).result,
        "soon": A.add_action(ws, "risk", risk, {"title": "Safety stock", "owner_id": bob,
                                                "due_date": TODAY + 9 * DAY}).result,
        "finding": A.add_action(ws, "finding", fid, {"title": "Recalibrate gauges",
                                                     "due_date": TODAY + DAY}).result,
        "review": A.add_action(ws, "review", rvid, {"title": "Hire a planner",
                                                    "owner_id": ann}).result,
        "alone": A.add_action(ws, "", None, {"title": "5S in the stores"}).result,
    }
    return dict(ann=ann, bob=bob, risk=risk, finding=fid, review=rvid, ids=ids)


def make_page(qtbot, controller):
    from qms_desktop.ui.actions import ActionsPage
    from qms_desktop.ui.pages import page_specs

    spec = next(s for s in page_specs() if s.key == "actions")
    page = ActionsPage(controller, spec)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def world(ws):
    return populate(ws)


@pytest.fixture
def page(qtbot, controller, world):
    return make_page(qtbot, controller)


def cell(page, rid: int, key: str):
    """The proxy index of action ``rid`` in column ``key``."""
    model = page.model
    return page.proxy.mapFromSource(model.index(model.row_of(rid), model.column_of[key]))


def stack(page):
    return page.controller.undo_stack


# --------------------------------------------------------------------------- the list


def test_models_pass_the_model_tester(page, qtmodeltester):
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)


def test_every_action_is_listed_with_its_source(page, world):
    ids = world["ids"]
    assert page.model.rowCount() == 5
    assert cell(page, ids["late"], "source").data() == "R-007 Supplier late"
    assert cell(page, ids["late"], "source_kind").data() == "Risk"
    assert cell(page, ids["finding"], "source_kind").data() == "Audit finding"
    assert cell(page, ids["review"], "source").data() == "2025-12-01 Review 2025"
    assert cell(page, ids["alone"], "source_kind").data() == "Stand-alone"
    assert cell(page, ids["late"], "owner_id").data() == "Ann Lee"
    assert cell(page, ids["late"], "status").data() == "Open"
    assert "5 of 5 actions · 1 overdue" in page.count.text()


def test_overdue_is_marked_by_colour_icon_and_words(page, world):
    late = cell(page, world["ids"]["late"], "due_date")
    soon = cell(page, world["ids"]["soon"], "due_date")
    assert late.data().endswith("· overdue")
    assert late.data(_D.AccessibleTextRole).endswith("overdue")
    assert late.data(_D.DecorationRole) is not None
    assert late.data(_D.ForegroundRole) is not None
    assert "Overdue by 5 day(s)" in late.data(_D.ToolTipRole)
    assert "overdue" not in soon.data()
    assert soon.data(_D.DecorationRole) is None and soon.data(_D.ForegroundRole) is None
    # done actions are never overdue
    page.select_ids([world["ids"]["late"]])
    assert page.bulk_edit({"status": "done"})
    late = cell(page, world["ids"]["late"], "due_date")
    assert "overdue" not in late.data() and late.data(_D.DecorationRole) is None


def test_check_overdue_shows_in_the_verdict_column(page, world, controller):
    aid = world["ids"]["soon"]
    controller.edit("t", lambda ws: A.update_actions(
        ws, [aid], {"status": "done", "effectiveness_due": TODAY - DAY}))
    verdict = cell(page, aid, "effective")
    assert verdict.data() == "Check overdue"
    assert verdict.data(_D.DecorationRole) is not None
    page.set_filters(overdue_only=True)
    assert {r.id for r in page.proxy.visible_rows()} == {world["ids"]["late"], aid}
    # the status column (always shown) says it too, and the count agrees with the filter
    status = cell(page, aid, "status")
    assert status.data() == "Done · check overdue" and status.data(_D.DecorationRole) is not None
    assert page.count.text().endswith("· 1 overdue · 1 with the effectiveness check overdue")
    assert page.count.text().startswith("2 of ")


# --------------------------------------------------------------------------- edits and undo


def test_inline_edit_and_undo(page, world, controller):
    aid = world["ids"]["soon"]
    assert page.proxy.setData(cell(page, aid, "title"), "Two weeks of safety stock")
    assert cell(page, aid, "title").data() == "Two weeks of safety stock"
    assert stack(page).count() == 1
    assert stack(page).undoText() == "Rename action"
    controller.undo()
    assert cell(page, aid, "title").data() == "Safety stock"
    assert A.get_actions(controller.workspace, [aid])[0].title == "Safety stock"
    controller.redo()
    assert cell(page, aid, "title").data() == "Two weeks of safety stock"
    # a status change dates the completion, and undo takes both back
    assert page.proxy.setData(cell(page, aid, "status"), "done")
    assert cell(page, aid, "completed_on").data() != ""
    controller.undo()
    assert cell(page, aid, "status").data() == "Open"
    assert cell(page, aid, "completed_on").data() == ""


def test_refresh_reads_only_the_rows_the_change_names(page, world, controller):
    asked = []
    load = page.model.load
    page.model.load = lambda ids: (asked.append(None if ids is None else set(ids)), load(ids))[1]
    aid = world["ids"]["finding"]
    assert page.proxy.setData(cell(page, aid, "due_date"), TODAY + 30 * DAY)
    assert asked == [{aid}]
    # a renamed source record is shown in every row that names it (full re-read)
    controller.edit("t", lambda ws: R.update_field(ws, "risk", world["risk"], "title",
                                                   "Supplier very late"))
    assert asked[-1] is None
    assert cell(page, world["ids"]["late"], "source").data() == "R-007 Supplier very late"


def test_refused_edit_says_why_and_changes_nothing(page, world, controller):
    aid = world["ids"]["late"]
    assert not page.proxy.setData(cell(page, aid, "status"), "verified")
    assert "effectiveness check" in str(controller.errors[-1])
    assert stack(page).count() == 0
    assert cell(page, aid, "status").data() == "Open"
    # only finished actions take a completion date or a verdict
    assert not cell(page, aid, "completed_on").flags() & Qt.ItemFlag.ItemIsEditable
    assert not cell(page, aid, "effective").flags() & Qt.ItemFlag.ItemIsEditable


def test_f2_edits_through_the_kit_delegate(page, world, qtbot):
    aid = world["ids"]["alone"]
    page.table.setFocus()
    page.table.setCurrentIndex(cell(page, aid, "title"))
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    assert page.table.state() == page.table.State.EditingState
    editor = page.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "5S in the stores"
    editor.selectAll()
    qtbot.keyClicks(editor, "5S everywhere")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event turn
    qtbot.waitUntil(lambda: cell(page, aid, "title").data() == "5S everywhere")
    assert stack(page).count() == 1


def test_bulk_edit_is_one_undo_step(page, world, controller):
    ids = [world["ids"][k] for k in ("late", "soon", "finding")]
    page.select_ids(ids)
    assert sorted(page.selected_ids()) == sorted(ids)
    due = TODAY + 14 * DAY
    assert page.bulk_edit({"status": "in_progress", "owner_id": world["bob"], "due_date": due})
    assert stack(page).count() == 1
    assert stack(page).undoText() == "Change 3 actions"
    rows = {r.id: r for r in page.model.rows}
    assert {(rows[i].status, rows[i].owner, rows[i].due_date) for i in ids} == {
        ("in_progress", "Bob Stone", due)}
    controller.undo()
    rows = {r.id: r for r in page.model.rows}
    assert rows[world["ids"]["late"]].owner == "Ann Lee"
    assert rows[world["ids"]["finding"]].owner == ""
    assert {rows[i].status for i in ids} == {"open"}
    # one action breaking a rule refuses the whole bulk edit
    page.select_ids(ids)
    assert not page.bulk_edit({"status": "verified"})
    assert {r.status for r in page.model.rows if r.id in ids} == {"open"}
    assert stack(page).count() == 1 and stack(page).index() == 0


def test_bulk_edit_dialog_sends_only_ticked_fields(page, world, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from qms_desktop.ui.actions.bulk import BulkEditDialog

    dialog = BulkEditDialog(2, page.people_items(), page)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.values() == {}
    dialog.set_field("owner_id", world["ann"])
    assert ok.isEnabled() and dialog.values() == {"owner_id": world["ann"]}
    dialog.set_field("due_date", TODAY)
    assert dialog.values() == {"owner_id": world["ann"], "due_date": TODAY}

    def run(self):
        self.set_field("status", "in_progress")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(BulkEditDialog, "exec", run)
    page.select_ids([world["ids"]["review"], world["ids"]["alone"]])
    assert page.bulk_edit()
    assert {r.status for r in page.model.rows
            if r.id in (world["ids"]["review"], world["ids"]["alone"])} == {"in_progress"}


def test_add_and_delete_with_undo(page, world, controller, qtbot):
    page.set_filters(source_kind="risk")  # hides stand-alone actions: adding shows them again
    aid = page.add()
    assert aid is not None and page.proxy.source_kind is None
    assert page.current_row().id == aid and page.current_row().title == "New action"
    assert page.model.rowCount() == 6
    page.table.closePersistentEditor(page.table.currentIndex())
    QApplication.processEvents()
    page.select_ids([aid, world["ids"]["late"]])
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.row_of(aid) is None and page.model.row_of(world["ids"]["late"]) is None
    assert stack(page).undoText() == "Delete 2 actions"
    before = [page.model.row_at(i).id for i in range(page.model.rowCount())]
    controller.undo()
    assert page.model.row_of(world["ids"]["late"]) is not None
    assert page.model.get(world["ids"]["late"]).title == "Second source"
    # rows brought back take their place in the order, not the bottom of the list
    ids = [page.model.row_at(i).id for i in range(page.model.rowCount())]
    assert ids == sorted(before + [aid, world["ids"]["late"]])
    controller.undo()
    assert page.model.row_of(aid) is None and page.model.rowCount() == 5


# --------------------------------------------------------------------------- filters


def test_filters(page, world):
    ids = world["ids"]

    def shown():
        return {r.id for r in page.proxy.visible_rows()}

    page.search.setText("safety")
    assert shown() == {ids["soon"]}
    page.search.setText("supplier")  # the source's title is searched too
    assert shown() == {ids["late"], ids["soon"]}
    page.search.setText("ann")  # and the owner
    assert shown() == {ids["late"], ids["review"]}
    page.search.clear()
    page.owner_filter.set_value(world["bob"])
    assert shown() == {ids["soon"]}
    page.owner_filter.set_value(NONE)
    assert shown() == {ids["finding"], ids["alone"]}
    page.owner_filter.set_value(None)
    page.source_filter.set_value("review")
    assert shown() == {ids["review"]}
    page.source_filter.set_value("")
    assert shown() == {ids["alone"]}
    page.source_filter.set_value(None)
    page.overdue_only.setChecked(True)
    assert shown() == {ids["late"]}
    assert "1 of 5 actions" in page.count.text()
    page.overdue_only.setChecked(False)
    page.select_ids([ids["soon"]])
    page.bulk_edit({"status": "done"})
    page.status_filter.set_value("finished")
    assert shown() == {ids["soon"]}
    page.status_filter.set_value("unfinished")
    assert ids["soon"] not in shown() and len(shown()) == 4
    page.status_filter.set_value("done")
    assert shown() == {ids["soon"]}


# --------------------------------------------------------------------------- jump


def test_jump_to_the_source_record(page, world, qtbot):
    ids = world["ids"]
    page.select_ids([ids["late"]])
    with qtbot.waitSignal(page.openRecord) as got:
        page.table.setFocus()
        qtbot.keyClick(page.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert got.args == ["risk", world["risk"]]
    page.select_ids([ids["review"]])
    with qtbot.waitSignal(page.openRecord) as got:
        page.table.doubleClicked.emit(cell(page, ids["review"], "source"))
    assert got.args == ["management_review", world["review"]]
    page.select_ids([ids["alone"]])
    assert not page.open_action.isEnabled()
    with qtbot.assertNotEmitted(page.openRecord):
        assert not page.open_source()


# --------------------------------------------------------------------------- read-only


@pytest.fixture
def ro_controller(tmp_path, qtbot):
    from qms_desktop.storage.workspace import create_workspace, open_workspace
    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    path = tmp_path / "ro.qms"
    ws = create_workspace(path, organization="Acme")
    world = populate(ws)
    ws.close()
    ctl = WorkspaceController(TaskRunner(), QUndoGroup(), backup_minutes=0)
    ctl.errors = []
    ctl.errorOccurred.connect(ctl.errors.append)
    ctl.adopt(open_workspace(path, read_only=True))
    ctl.world = world
    yield ctl
    ctl.close()


def test_read_only_workspace_disables_edits_with_a_message(qtbot, ro_controller):
    page = make_page(qtbot, ro_controller)
    ids = ro_controller.world["ids"]
    assert page.model.rowCount() == 5
    assert page.read_only_note.isVisible()
    assert not cell(page, ids["late"], "title").flags() & Qt.ItemFlag.ItemIsEditable
    page.select_ids([ids["late"]])
    assert not page.add_action.isEnabled()
    assert not page.delete_action.isEnabled() and not page.bulk_action.isEnabled()
    assert page.open_action.isEnabled()  # looking is fine
    assert page.add() is None and not page.delete_selected()
    assert not page.bulk_edit({"status": "done"})
    assert "read-only" in str(ro_controller.errors[-1])
    assert page.description.isReadOnly()
    assert page.model.rowCount() == 5 and page.model.get(ids["late"]).status == "open"


# --------------------------------------------------------------------------- in the window


def test_ctrl_f_focuses_the_search_in_the_window(make_window, make_ws, open_ws, qtbot,
                                                 monkeypatch):
    """The page registered as the main window would register it (see the report)."""
    import dataclasses

    from qms_desktop.ui import main_window
    from qms_desktop.ui.pages import page_specs

    def specs():
        return [dataclasses.replace(s, factory="qms_desktop.ui.actions:ActionsPage")
                if s.key == "actions" and not s.factory else s for s in page_specs()]

    monkeypatch.setattr(main_window, "page_specs", specs)
    path = make_ws("win.qms")
    from qms_desktop.storage.workspace import open_workspace

    ws = open_workspace(path)
    populate(ws)
    ws.close()
    window = make_window()
    open_ws(window, path)
    window.show_page("actions")
    page = window.page("actions")
    assert page.model.rowCount() == 5
    page.table.setFocus()
    window.acts["find"].trigger()
    assert page.search.hasFocus()


# --------------------------------------------------------------------------- benchmark


def test_bench_actions_ui_smoke(tmp_path):
    from bench.actions_ui import bench_actions_ui, figures
    from bench.large import make_large

    path = make_large(tmp_path / "tiny.qms", scale=0.02)
    result = bench_actions_ui(path, repeat=1, want=300)  # 200 generated + 100 topped up
    assert result["actions"] == 300
    for key in ("open_ms", "open_baseline_ms", "filter_ms", "filter_baseline_ms", "bulk_edit_ms"):
        assert result[key] > 0
    assert [f["name"] for f in figures(result)] == ["actions_ui"] * 2


def test_delete_key_in_a_cell_editor_edits_text_not_rows(page, world, qtbot):
    aid = world["ids"]["alone"]
    page.table.setFocus()
    page.table.setCurrentIndex(cell(page, aid, "title"))
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    editor = page.table.viewport().findChild(QLineEdit)
    editor.setFocus()
    editor.setCursorPosition(0)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert editor.text() == "S in the stores"
    assert page.model.row_of(aid) is not None and stack(page).count() == 0
