"""The checklist template editor (ui/checklists/templates.py): models, versioning on save,
reorder by keyboard and by drop as one undo step each, sections, and the xlsx round trip
through the view's file dialogs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from qms_desktop.services import checklists

ITEMS = [
    ("Planning", "6.1", "Are risks of the process known?", "Ask for the register", "Risk list",
     1.0, "plan"),
    ("Planning", "6.2", "Are objectives set?", "", "Objectives", 2.0, ""),
    ("Operation", "8.5.1", "Is work done as mapped?", "Watch one case", "Route card", 1.0,
     "do"),
    ("Operation", "8.7", "Are bad parts kept apart?", "", "=SUM(A1)", 0.5, ""),
]


def make_template(ws, runs: int = 0, name: str = "Shop audit") -> int:
    spec = checklists.TemplateSpec(
        "", name, "1", "internal_audit", "", "",
        [checklists.ItemSpec(*it) for it in ITEMS], source="user")
    tid = checklists.create_template(ws, spec).result
    for _ in range(runs):
        checklists.start_run(ws, tid)
    return tid


@pytest.fixture
def view(qtbot, controller, dialogs):
    from qms_desktop.ui.checklists.templates import TemplatesView

    v = TemplatesView(controller)
    qtbot.addWidget(v)
    return v


def titles(view) -> list[str]:
    return [r.title for r in view.items.rows]


def test_models_pass_the_model_tester(view, controller, qtmodeltester):
    tid = make_template(controller.workspace)
    view.refresh()
    view.select_template(tid)
    assert len(view.items.rows) == 4
    qtmodeltester.check(view.templates)
    qtmodeltester.check(view.proxy)
    qtmodeltester.check(view.items)


def test_list_shows_version_kind_items_and_runs(view, controller):
    tid = make_template(controller.workspace, runs=2)
    view.refresh()
    m = view.templates
    row = m.row_of(tid)
    text = {c.key: m.index(row, i).data() for i, c in enumerate(m.columns)}
    assert text["name"] == "Shop audit"
    assert text["version"] == "1"
    assert text["kind"] == "Internal audit"
    assert text["source"] == "Made here"
    assert text["items"] == "4"
    assert text["runs"] == "2"


def test_an_edit_of_a_template_in_use_saves_a_new_version_and_says_so(view, controller):
    ws = controller.workspace
    tid = make_template(ws, runs=2)
    view.refresh()
    view.select_template(tid)
    assert "Used by 2 runs" in view.version_note.text()
    col = view.items.column_of["title"]
    assert view.items.setData(view.items.index(1, col), "Are objectives measurable?")
    assert view.status.text() == "Saved as version 2; the 2 runs that use version 1 keep it."
    shown = view.current_template()
    assert shown.id != tid and shown.version == "2"
    assert titles(view)[1] == "Are objectives measurable?"
    old = [d["title"] for d in checklists.template_items(ws, tid)]
    assert old[1] == "Are objectives set?"  # the runs' version is untouched
    assert {r.template_version for r in checklists.list_runs(ws)} == {"1"}
    assert controller.undo_stack.count() == 1
    # a second edit changes the new version in place: no third version
    assert view.items.setData(view.items.index(0, col), "Are the risks known?")
    assert view.status.text() == "Saved in version 2."
    assert len(checklists.list_templates(ws)) == 2
    controller.undo()
    controller.undo()
    assert len(checklists.list_templates(ws)) == 1
    assert view.current_template().id == tid
    assert titles(view)[1] == "Are objectives set?"


def test_one_run_is_named_as_one_run(view, controller):
    tid = make_template(controller.workspace, runs=1)
    view.refresh()
    view.select_template(tid)
    col = view.items.column_of["weight"]
    assert view.items.setData(view.items.index(0, col), "3")
    assert view.status.text() == "Saved as version 2; the run that uses version 1 keeps it."
    assert view.items.rows[0].weight == 3.0


def test_an_unused_template_changes_in_place(view, controller):
    ws = controller.workspace
    tid = make_template(ws)
    view.refresh()
    view.select_template(tid)
    col = view.items.column_of["clause"]
    assert view.items.setData(view.items.index(2, col), "8.5.2")
    assert view.current_template().id == tid
    assert checklists.template_items(ws, tid)[2]["clause"] == "8.5.2"
    assert len(checklists.list_templates(ws)) == 1
    assert view.status.text() == "Saved in version 1."


def test_reorder_by_keyboard_is_one_undo_step(view, controller, qtbot):
    tid = make_template(controller.workspace)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    view.refresh()
    view.select_template(tid)
    view.select_item_positions([0])
    view.items_table.setFocus()
    before = titles(view)
    qtbot.keyClick(view.items_table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert titles(view) == [before[1], before[0], before[2], before[3]]
    assert controller.undo_stack.count() == 1
    assert view.items_table.currentIndex().row() == 1  # the moved item stays selected
    qtbot.keyClick(view.items_table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert titles(view) == before
    assert controller.undo_stack.count() == 2
    controller.undo()
    assert titles(view) == [before[1], before[0], before[2], before[3]]
    controller.undo()
    assert titles(view) == before
    assert [r.order for r in view.items.rows] == [1, 2, 3, 4]


def test_a_move_across_a_section_boundary_joins_that_section(view, controller):
    tid = make_template(controller.workspace)
    view.refresh()
    view.select_template(tid)
    view.select_item_positions([2])  # the first "Operation" item
    assert view.move_selected(-1)
    assert [(r.section, r.clause) for r in view.items.rows] == [
        ("Planning", "6.1"), ("Planning", "8.5.1"), ("Planning", "6.2"),
        ("Operation", "8.7")]
    assert controller.undo_stack.count() == 1


def test_a_drop_moves_the_dragged_items_in_one_step(view, controller):
    tid = make_template(controller.workspace, runs=1)
    view.refresh()
    view.select_template(tid)
    before = titles(view)
    mime = view.items.mimeData([view.items.index(3, 0)])
    # the model reorders through a save, never by removing rows itself
    assert view.items.dropMimeData(mime, Qt.DropAction.MoveAction, 2, 0, QModelIndex()) is False
    assert titles(view) == [before[0], before[1], before[3], before[2]]
    assert view.current_template().version == "2"
    assert controller.undo_stack.count() == 1
    assert view.items.flags(view.items.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled


def test_add_item_section_and_delete(view, controller, dialogs):
    tid = make_template(controller.workspace)
    view.refresh()
    view.select_template(tid)
    view.select_item_positions([1])
    assert view.add_item()
    assert [r.title for r in view.items.rows][2] == "New question"
    assert view.items.rows[2].section == "Planning"
    assert view.add_section("Records")
    assert view.items.rows[-1].section == "Records"
    view.select_item_positions([2])
    assert view.delete_items()
    assert "New question" not in titles(view)[:3]
    assert controller.undo_stack.count() == 3
    view.select_item_positions([0])
    assert view.rename_section("Planning and risks")
    assert [r.section for r in view.items.rows][:2] == ["Planning and risks"] * 2
    assert controller.undo_stack.count() == 4


def test_xlsx_round_trip_through_the_view(view, controller, dialogs, tmp_path):
    ws = controller.workspace
    tid = make_template(ws)
    view.refresh()
    view.select_template(tid)
    out = tmp_path / "audit.xlsx"
    dialogs.save_files.append(str(out))
    view.export_button.click()
    assert out.is_file()
    assert "Exported 4 items" in view.status.text()
    dialogs.open_files.append(str(out))
    view.import_button.click()  # unchanged: no new version
    assert dialogs.kinds() == ["save-file", "open-file"]
    assert "nothing changed" in str(controller.errors[-1])
    assert controller.undo_stack.count() == 0
    from openpyxl import load_workbook

    wb = load_workbook(out)
    wb["Checklist"]["D2"] = "Edited question"
    wb.save(out)
    dialogs.open_files.append(str(out))
    view.import_button.click()
    new = view.current_template()
    assert new.id != tid and new.items == 4
    fields = ("section", "clause", "guidance", "expected_evidence", "weight", "pdca")
    a = [{f: d[f] for f in fields} for d in checklists.template_items(ws, tid)]
    b = [{f: d[f] for f in fields} for d in checklists.template_items(ws, new.id)]
    assert a == b
    assert checklists.template_items(ws, new.id)[0]["title"] == "Edited question"
    assert controller.undo_stack.count() == 1
    controller.undo()
    assert view.templates.get(new.id) is None


def test_a_cancelled_file_dialog_does_nothing(view, controller, dialogs):
    make_template(controller.workspace)
    view.refresh()
    view.export_button.click()
    view.import_button.click()
    assert dialogs.kinds() == ["save-file", "open-file"]
    assert controller.undo_stack.count() == 0


def test_install_shipped_template_once(view, controller):
    view.refresh()
    names = [n for n, _label in view.shipped()]
    assert {"iso9001_gap", "readiness", "supplier"} <= set(names)
    assert view.install("supplier")
    assert view.status.text().startswith("Installed ")
    assert view.install("supplier")
    assert "already installed" in view.status.text()
    assert len(view.templates.rows) == 1
    assert controller.undo_stack.count() == 1


def test_a_template_in_use_cannot_be_deleted_an_unused_one_can(view, controller, dialogs):
    ws = controller.workspace
    used = make_template(ws, runs=1, name="Used")
    free = make_template(ws, name="Free")
    view.refresh()
    view.select_template(used)
    assert not view.delete_template_button.isEnabled()
    view.select_template(free)
    assert view.delete_template_button.isEnabled()
    view.delete_template_button.click()
    assert dialogs.kinds() == ["question"]
    assert view.templates.get(free) is None
    assert view.current_template() is not None
