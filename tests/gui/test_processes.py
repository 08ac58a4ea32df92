"""The Processes page: the list (add, rename, duplicate, delete with undo), the turtle/SIPOC panel
and opening a map; qtmodeltester on the table model."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.services import records  # noqa: E402


# messages shown are recorded instead (the shared ``shown`` fixture in conftest.py)
pytestmark = pytest.mark.usefixtures("shown")



@pytest.fixture
def seeded(ws):
    from qms_desktop.storage import models as m

    with ws.session() as s:
        owner = m.Role(name="Quality manager")
        other = m.Role(name="Buyer")
        s.add_all([owner, other])
        s.flush()
        roles = (owner.id, other.id)
    a = P.add_process(ws, {"code": "P1", "name": "Purchasing", "owner_role_id": roles[1],
                              "status": "active", "suppliers": "Vendors",
                              "inputs": "Requisitions", "outputs": "Purchase orders",
                              "customers": "Production", "kpis": "On-time delivery"}).result
    b = P.add_process(ws, {"code": "P2", "name": "Internal audit",
                           "owner_role_id": roles[0]}).result
    lane = P.add_lane(ws, a, "Buyer", roles[1]).result
    s1 = P.add_node(ws, a, "start", 60, 60, lane_id=lane).result
    s2 = P.add_node(ws, a, "step", 160, 40, lane_id=lane, name="Order goods").result
    P.add_edge(ws, a, s1, s2)
    with ws.session() as s:
        s.add(m.Risk(ref="R-1", title="Late supplier", process_id=a))
    return {"a": a, "b": b, "roles": roles, "steps": (s1, s2)}


@pytest.fixture
def page(qtbot, controller, seeded):
    from qms_desktop.ui.pages import PageSpec
    from qms_desktop.ui.processes import ProcessesPage

    spec = PageSpec("processes", "Processes", "")
    p = ProcessesPage(controller, spec)
    qtbot.addWidget(p)
    p.resize(1300, 850)
    p.show()
    qtbot.waitExposed(p)
    return p


def names(page) -> list[str]:
    return [page.model.rows[i].name for i in range(len(page.model.rows))]


def test_model_passes_qtmodeltester(qtmodeltester, controller, seeded, ws):
    from qms_desktop.ui.processes.model import ProcessTableModel

    model = ProcessTableModel(controller)
    model.set_rows(P.list_processes(ws))
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_list_shows_processes_with_counts_and_turtle(page, seeded):
    assert names(page) == ["Purchasing", "Internal audit"]
    row = page.model.rows[0]
    assert (row.steps, row.risks, row.owner_role) == (1, 1, "Buyer")
    page.select_process(seeded["a"])
    t = page.turtle
    assert t.edits["suppliers"].toPlainText() == "Vendors"
    assert t.edits["kpis"].toPlainText() == "On-time delivery"
    assert t.owner.currentText() == "Buyer"
    assert [t.risks.item(i).text() for i in range(t.risks.count())][0].startswith("R-1 Late supplier")
    assert "1 steps" in t.counts.text() or "1 step" in t.counts.text()


def test_add_rename_duplicate_delete_with_undo(qtbot, page, controller, seeded, ws):
    pid = page.add_process()
    assert pid is not None and "New process" in names(page)
    editor = QApplication.focusWidget()
    assert editor is not None  # the name cell is being edited
    qtbot.keyClicks(editor, "Calibration")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits on the next turn of the event loop
    assert records.get(ws, "process", pid)["name"] == "Calibration"
    assert "Calibration" in names(page)

    page.select_process(seeded["a"])
    copy = page.duplicate_selected()
    assert records.get(ws, "process", copy)["name"] == "Copy of Purchasing"
    assert len(P.load_map_data(ws, copy).nodes) == 2
    assert page.selected_process_id() == copy

    page.select_process(seeded["b"])
    assert page.delete_selected()
    assert "Internal audit" not in names(page)

    stack = controller.undo_stack
    assert stack.count() == 4
    controller.undo()  # delete
    assert "Internal audit" in names(page)
    controller.undo()  # duplicate
    assert "Copy of Purchasing" not in names(page)
    controller.undo()  # rename
    assert records.get(ws, "process", pid)["name"] == "New process"
    controller.undo()  # add
    assert "New process" not in names(page)
    for _ in range(4):
        controller.redo()
    assert sorted(names(page)) == sorted(["Purchasing", "Calibration", "Copy of Purchasing"])


def test_rename_with_f2_in_the_table(qtbot, page, controller, seeded, ws):
    page.select_process(seeded["b"])
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Audits")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert records.get(ws, "process", seeded["b"])["name"] == "Audits"
    controller.undo()
    assert records.get(ws, "process", seeded["b"])["name"] == "Internal audit"


def test_empty_name_is_refused(page, seeded, ws, shown):
    from qms_desktop.ui.processes.model import COLUMNS

    col = [c for c, _ in COLUMNS].index("name")
    idx = page.model.index(page.model.row_of(seeded["a"]), col)
    assert not page.model.setData(idx, "   ")
    assert shown and "name" in shown[0]
    assert records.get(ws, "process", seeded["a"])["name"] == "Purchasing"


def test_turtle_fields_commit_on_leaving_and_undo(qtbot, page, controller, seeded, ws):
    page.select_process(seeded["a"])
    edit = page.turtle.edits["resources"]
    edit.setFocus()
    qtbot.keyClicks(edit, "Two buyers, ERP")
    page.table.setFocus()  # leaving the field commits it
    assert records.get(ws, "process", seeded["a"])["resources"] == "Two buyers, ERP"
    assert controller.undo_stack.count() == 1
    controller.undo()
    assert records.get(ws, "process", seeded["a"])["resources"] == ""
    assert page.turtle.edits["resources"].toPlainText() == ""


def test_turtle_owner_and_status(page, controller, seeded, ws):
    page.select_process(seeded["b"])
    t = page.turtle
    i = t.owner.findData(seeded["roles"][1])
    t.owner.setCurrentIndex(i)
    t.owner.activated.emit(i)
    j = t.status.findData("under_review")
    t.status.setCurrentIndex(j)
    t.status.activated.emit(j)
    row = records.get(ws, "process", seeded["b"])
    assert (row["owner_role_id"], row["status"]) == (seeded["roles"][1], "under_review")
    assert page.model.rows[page.model.row_of(seeded["b"])].owner_role == "Buyer"
    controller.undo()
    controller.undo()
    row = records.get(ws, "process", seeded["b"])
    assert (row["owner_role_id"], row["status"]) == (seeded["roles"][0], "draft")


def test_open_map_by_double_click_and_back(qtbot, page, seeded):
    page.select_process(seeded["a"])
    idx = page.table.currentIndex()
    rect = page.table.visualRect(idx)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.stack.currentWidget() is page.editor
    assert page.editor.process_id == seeded["a"]
    assert set(page.editor.scene.nodes) == set(seeded["steps"])
    assert page.search_widget() is None
    qtbot.mouseClick(page.editor.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.list_page
    assert page.selected_process_id() == seeded["a"]


def test_map_edits_update_the_step_count(page, controller, seeded, ws):
    page.open_map(seeded["a"])
    page.editor.add_kind_center("step")
    page.show_list()
    assert page.model.rows[page.model.row_of(seeded["a"])].steps == 2


def test_deleting_the_open_process_returns_to_the_list(page, controller, seeded, ws):
    page.open_map(seeded["a"])
    controller.edit("Delete process", lambda w: records.delete(w, "process", seeded["a"]))
    assert page.stack.currentWidget() is page.list_page
    assert "Purchasing" not in names(page)
    controller.undo()
    assert "Purchasing" in names(page)


def test_search_filters_the_list(qtbot, page):
    qtbot.keyClicks(page.search, "audit")
    assert page.proxy.rowCount() == 1
    assert page.search_widget() is page.search


def test_workspace_closed_clears_the_page(page, controller):
    page.open_map(page.model.rows[0].id)
    controller.close()
    assert page.model.rowCount() == 0
    assert page.editor.process_id is None
    assert page.stack.currentWidget() is page.list_page


def test_typing_then_choosing_another_process_commits_once(qtbot, page, controller, seeded, ws):
    page.select_process(seeded["a"])
    edit = page.turtle.edits["customers"]
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, "; Sales")
    assert page.turtle.bindings["customers"].pending
    page.select_process(seeded["b"])  # before the pause commits the typing
    assert records.get(ws, "process", seeded["a"])["customers"] == "Production; Sales"
    assert controller.undo_stack.count() == 1
    assert page.turtle.row.id == seeded["b"]
    assert page.turtle.edits["customers"].toPlainText() == ""


def test_import_button_asks_for_a_file_and_opens_the_new_map(qtbot, page, controller, ws,
                                                              corpus_dir, dialogs):
    dialogs.open_files.append(str(corpus_dir / "bpmn" / "A.1.0.bpmn"))
    qtbot.mouseClick(page.import_bpmn_button, Qt.MouseButton.LeftButton)
    assert dialogs.kinds() == ["open-file"]
    assert page.stack.currentWidget() is page.editor
    pid = page.editor.process_id
    assert pid is not None and page.editor.scene.nodes
    assert controller.undo_stack.count() == 1
    controller.undo()
    assert page.stack.currentWidget() is page.list_page
    assert pid not in [r.id for r in page.model.rows]


def test_export_actions_ask_for_a_file(qtbot, page, seeded, tmp_path, dialogs, monkeypatch):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QInputDialog

    page.open_map(seeded["a"])
    ed = page.editor
    dialogs.save_files += [str(tmp_path / "map.svg"), str(tmp_path / "map"),
                           str(tmp_path / "map.bpmn")]
    ed.actions["export_svg"].trigger()
    assert (tmp_path / "map.svg").read_text(encoding="utf-8").count("<svg") == 1
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (300, True)))
    ed.actions["export_png"].trigger()
    img = QImage(str(tmp_path / "map.png"))  # the suffix was added
    assert round(img.dotsPerMeterX() * 0.0254) == 300
    ed.actions["export_bpmn"].trigger()
    assert b"Order goods" in (tmp_path / "map.bpmn").read_bytes()
    assert dialogs.kinds() == ["save-file"] * 3
