"""The import target dialog: new process vs update of an existing one, the dry-run report,
and the Processes page's Import / Update-from-file buttons using it."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from map_update_helpers import T1, T2, seed_a1, write_modified  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QDialogButtonBox  # noqa: E402

from sqlalchemy import select  # noqa: E402

from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.services.verify import verify  # noqa: E402
from qms_desktop.storage import models as m  # noqa: E402
from qms_desktop.ui.flowchart import import_target as IT  # noqa: E402


# messages shown are recorded instead (the shared ``shown`` fixture in conftest.py)
pytestmark = pytest.mark.usefixtures("shown")


@pytest.fixture
def answer(monkeypatch):
    """Replace the dialog's exec(): ``answer.script(dlg)`` runs with the dialog shown, then it is
    accepted (or rejected when the script returns False). Seen dialogs are in ``answer.seen``."""

    class Answer:
        seen: list = []
        script = staticmethod(lambda dlg: True)

    def fake_exec(dlg):
        dlg.show()
        Answer.seen.append(dlg)
        ok = Answer.script(dlg)
        return QDialog.DialogCode.Accepted if ok is not False else QDialog.DialogCode.Rejected

    Answer.seen = []
    monkeypatch.setattr(IT.ImportTargetDialog, "exec", fake_exec)
    return Answer


@pytest.fixture
def seeded(ws, corpus_dir):
    seed = seed_a1(ws, corpus_dir)  # process "A.1.0" with links on its steps
    other = P.add_process(ws, {"name": "Purchasing", "code": "SP-01"}).result
    seed["other"] = other
    return seed


def test_the_dialog_preselects_the_matching_process_and_shows_the_dry_run(
        qtbot, ws, seeded, corpus_dir, tmp_path, answer, controller):
    path = write_modified(corpus_dir, tmp_path / "A.1.0-edited.bpmn")
    trail = ws.head_hash()
    looked = {}

    def script(dlg):
        qtbot.addWidget(dlg)
        looked["update"] = dlg.update_radio.isChecked()
        looked["pid"] = dlg.combo.currentData()
        looked["combo"] = [dlg.combo.itemText(i) for i in range(dlg.combo.count())]
        looked["text"] = dlg.report_view.toPlainText()
        looked["ok"] = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).text()
        looked["name_enabled"] = dlg.name_edit.isEnabled()
        return True

    answer.script = script
    target = IT.ask_import_target(None, ws, path, "bpmn", None)
    assert len(answer.seen) == 1
    assert looked["update"] and looked["pid"] == seeded["pid"]
    assert looked["combo"] == ["A.1.0", "SP-01 — Purchasing"]
    assert looked["ok"] == "Update process" and not looked["name_enabled"]
    text = looked["text"]
    assert "Update A.1.0 from the file" in text
    assert "Task 2 — 1 document, 1 record, 1 risk, 1 KPI" in text
    assert "Added: Task 4 (shape)" in text and "Task 1 (revised) (shape: name)" in text
    assert "Kept (not in the file): Hand-drawn check (shape)" in text
    assert "Task 3 (shape: position, layout details)" in text  # user words, never "extra"
    assert "extra" not in text and "file details" not in text
    assert ws.head_hash() == trail  # the dry run wrote nothing

    assert target.mode == "update" and target.process_id == seeded["pid"]
    assert target.name == "A.1.0" and target.report is not None
    assert [it.name for it in target.report.removed_with_links] == ["Task 2"]
    html = IT.report_html(target.report)
    assert f"color:{IT.WARNING_COLOR}" in html and "<b>Task 2</b>" in html

    assert target.label() == "Update “A.1.0” from A.1.0-edited.bpmn"
    assert controller.edit(target.label(), target.run) == seeded["pid"]
    assert controller.undo_stack.undoText() == "Update “A.1.0” from A.1.0-edited.bpmn"
    names = {r["name"] for r in P.load_map_data(ws, seeded["pid"]).nodes}
    assert "Task 1 (revised)" in names and "Task 2" not in names
    assert P.step_links(ws, seeded["ids"][T1]).documents
    controller.undo()
    assert "Task 2" in {r["name"] for r in P.load_map_data(ws, seeded["pid"]).nodes}
    assert verify(ws).ok


def test_choosing_new_process_in_the_dialog(qtbot, ws, seeded, corpus_dir, answer, controller):
    def script(dlg):
        qtbot.addWidget(dlg)
        qtbot.mouseClick(dlg.new_radio, Qt.MouseButton.LeftButton)
        assert dlg.name_edit.isEnabled() and not dlg.combo.isEnabled()
        assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Create process"
        assert "Creates the new process A.1.0 (2) with 5 shapes" in dlg.report_view.toPlainText()
        dlg.name_edit.clear()
        assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        qtbot.keyClicks(dlg.name_edit, "Order handling")
        return True

    answer.script = script
    target = IT.ask_import_target(None, ws, corpus_dir / "bpmn" / "A.1.0.bpmn", "bpmn", None)
    assert target.mode == "new" and target.name == "Order handling"
    assert target.process_id is None
    count = len(P.list_processes(ws))
    pid = controller.edit(target.label(), target.run)
    assert P.get_process(ws, pid).name == "Order handling"
    assert len(P.list_processes(ws)) == count + 1


def test_cancel_returns_none_and_writes_nothing(qtbot, ws, seeded, corpus_dir, answer):
    answer.script = lambda dlg: qtbot.addWidget(dlg) or False
    trail = ws.head_hash()
    assert IT.ask_import_target(None, ws, corpus_dir / "bpmn" / "A.1.0.bpmn", "bpmn",
                                None) is None
    assert len(answer.seen) == 1 and ws.head_hash() == trail


def test_no_question_when_no_process_could_be_updated(ws, seeded, corpus_dir, answer):
    target = IT.ask_import_target(None, ws, corpus_dir / "bpmn" / "A.2.0.bpmn", "bpmn",
                                  seeded["other"])
    assert answer.seen == []
    assert target.mode == "new" and target.name == "A.2.0"


def test_always_asks_and_preselects_the_current_process(qtbot, ws, seeded, corpus_dir, answer):
    looked = {}

    def script(dlg):
        qtbot.addWidget(dlg)
        looked["update"] = dlg.update_radio.isChecked()
        looked["pid"] = dlg.combo.currentData()
        looked["text"] = dlg.report_view.toPlainText()
        return True

    answer.script = script
    target = IT.ask_import_target(None, ws, corpus_dir / "bpmn" / "A.2.0.bpmn", "bpmn",
                                  seeded["other"], always=True)
    assert looked["update"] and looked["pid"] == seeded["other"]
    assert "Shapes" in looked["text"] and "Added:" in looked["text"]
    assert target.mode == "update" and target.process_id == seeded["other"]


def test_unreadable_or_foreign_files_raise_before_any_question(ws, seeded, tmp_path, answer):
    notes = tmp_path / "notes.bpmn"
    notes.write_text("meeting notes", encoding="utf-8")
    with pytest.raises(ValueError, match="not well-formed XML"):
        IT.ask_import_target(None, ws, notes, "bpmn", None)
    with pytest.raises(OSError):
        IT.ask_import_target(None, ws, tmp_path / "missing.bpmn", "bpmn", None)
    assert answer.seen == []


# --------------------------------------------------------------------------- the page


@pytest.fixture
def page(qtbot, controller, seeded):
    from qms_desktop.ui.pages import PageSpec
    from qms_desktop.ui.processes import ProcessesPage

    p = ProcessesPage(controller, PageSpec("processes", "Processes", ""))
    qtbot.addWidget(p)
    p.resize(1300, 850)
    p.show()
    qtbot.waitExposed(p)
    return p


def test_page_import_button_updates_the_matching_process(qtbot, page, controller, ws, seeded,
                                                         corpus_dir, tmp_path, dialogs, answer):
    answer.script = lambda dlg: qtbot.addWidget(dlg) or True
    dialogs.open_files.append(str(write_modified(corpus_dir, tmp_path / "A.1.0.bpmn")))
    count = len(P.list_processes(ws))
    qtbot.mouseClick(page.import_bpmn_button, Qt.MouseButton.LeftButton)
    assert dialogs.kinds() == ["open-file"] and len(answer.seen) == 1
    assert len(P.list_processes(ws)) == count  # updated, not created
    assert page.stack.currentWidget() is page.editor
    assert page.editor.process_id == seeded["pid"]
    names = {i.row["name"] for i in page.editor.scene.nodes.values()}
    assert "Task 4" in names and "Task 2" not in names
    assert controller.undo_stack.count() == 1
    controller.undo()
    assert seeded["ids"][T2] in page.editor.scene.nodes
    assert not controller.errors


def test_page_update_from_file_preselects_the_selected_process(qtbot, page, controller, ws,
                                                               seeded, corpus_dir, dialogs,
                                                               answer, shown):
    page.reload_list()
    assert page.select_process(seeded["other"])
    assert page.update_from_file_button.isEnabled()
    picked = []
    answer.script = lambda dlg: qtbot.addWidget(dlg) or picked.append(dlg.combo.currentData())
    dialogs.open_files.append(str(corpus_dir / "bpmn" / "A.2.0.bpmn"))
    qtbot.mouseClick(page.update_from_file_button, Qt.MouseButton.LeftButton)
    assert picked == [seeded["other"]]
    assert page.editor.process_id == seeded["other"]
    assert len(P.load_map_data(ws, seeded["other"]).nodes) == 8
    assert not shown
    # a file that is not a map: one sentence, nothing stored
    bad = corpus_dir / "registers" / "risk_register_ericjoye.csv"
    page.show_list()
    dialogs.open_files.append(str(bad))
    qtbot.mouseClick(page.update_from_file_button, Qt.MouseButton.LeftButton)
    assert shown and "XML" in shown[0]
    assert controller.undo_stack.count() == 1


def test_editor_update_this_map_from_a_file(qtbot, page, controller, ws, seeded, corpus_dir,
                                            tmp_path, answer, shown):
    """Import ▸ Update this map from a file…: always asks, preselects the open map, tells the
    format by the file, one undo step."""
    ed = page.editor
    ed.open_process(seeded["other"])
    picked = []
    answer.script = lambda dlg: qtbot.addWidget(dlg) or picked.append(dlg.combo.currentData())
    pid = ed.update_from_file(corpus_dir / "bpmn" / "A.2.0.bpmn")
    assert picked == [seeded["other"]] and pid == seeded["other"]
    assert len(P.load_map_data(ws, seeded["other"]).nodes) == 8
    assert controller.undo_stack.count() == 1
    controller.undo()
    assert len(P.load_map_data(ws, seeded["other"]).nodes) == 0
    assert not shown
    # not a map: a clear sentence, nothing stored
    assert ed.update_from_file(corpus_dir / "registers" / "risk_register_ericjoye.csv") is None
    assert shown and controller.undo_stack.count() == 1


# --------------------------------------------------------------------------- nothing to update


def _info_boxes() -> list:
    from PySide6.QtWidgets import QApplication, QMessageBox

    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "nothingToUpdate"
            and w.isVisible()]


def _close_boxes(qtbot) -> list[str]:
    texts = []
    for box in _info_boxes():
        texts.append(box.text())
        box.close()
    return texts


def test_a_second_reimport_of_the_same_file_pushes_no_undo_step(
        qtbot, page, controller, ws, seeded, corpus_dir, tmp_path, answer, shown):
    path = write_modified(corpus_dir, tmp_path / "A.1.0-edited.bpmn")
    ed = page.editor
    ed.open_process(seeded["pid"])
    looked = []

    def script(dlg):
        qtbot.addWidget(dlg)
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        looked.append({"ok_visible": ok.isVisible(), "ok_enabled": ok.isEnabled(),
                       "cancel": cancel.text(), "text": dlg.report_view.toPlainText(),
                       "nothing": dlg.nothing_to_do()})
        return True  # as if OK (or Enter) were pressed anyway

    answer.script = script
    assert ed.import_file("bpmn", path) == seeded["pid"]
    assert controller.undo_stack.count() == 1
    assert looked[0]["ok_visible"] and looked[0]["ok_enabled"] and not looked[0]["nothing"]
    trail = ws.head_hash()

    # the same file again: the dialog says nothing would change and offers only Close
    assert ed.import_file("bpmn", path) is None
    again = looked[1]
    assert again["nothing"] and not again["ok_visible"] and not again["ok_enabled"]
    assert again["cancel"] == "Close"
    assert "“A.1.0” already matches the file: updating it would change nothing." in again["text"]
    assert controller.undo_stack.count() == 1  # no empty “Update map from …” step
    assert ws.head_hash() == trail
    assert _close_boxes(qtbot) == [
        "“A.1.0” already matches the file: updating it would change nothing."]
    # the Processes page's Import button neither
    page.show_list()
    assert page.import_map("bpmn", path) is None
    assert controller.undo_stack.count() == 1 and ws.head_hash() == trail
    assert len(_close_boxes(qtbot)) == 1
    assert not shown


def test_choosing_new_process_brings_ok_back_when_the_update_is_a_no_op(
        qtbot, ws, seeded, corpus_dir, tmp_path, answer, controller):
    path = write_modified(corpus_dir, tmp_path / "A.1.0-edited.bpmn")
    first = IT.ask_import_target(None, ws, path, "bpmn", None)
    assert controller.edit(first.label(), first.run)

    def script(dlg):
        qtbot.addWidget(dlg)
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isVisible()
        qtbot.mouseClick(dlg.new_radio, Qt.MouseButton.LeftButton)
        assert ok.isVisible() and ok.isEnabled() and ok.text() == "Create process"
        assert dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
        return True

    answer.script = script
    target = IT.ask_import_target(None, ws, path, "bpmn", None)
    assert target is not None and target.mode == "new"
    assert not IT.is_no_op(target)


def test_adopting_keys_counts_as_a_write(qtbot, ws, controller, tmp_path, answer):
    """Shapes drawn in Workbench, exported and re-imported: the first update only saves the ids
    the file knows them by (the map looks the same) — a real update; the second is a no-op."""
    pid = P.add_process(ws, {"name": "Drawn here"}).result
    a = P.add_node(ws, pid, "start", 0, 0).result
    b = P.add_node(ws, pid, "step", 100, 0, name="Do it").result
    P.add_edge(ws, pid, a, b)
    out = P.export_bpmn_file(ws, pid, tmp_path / "drawn.bpmn")
    rep = P.update_map_from_file(ws, pid, out, "bpmn").result
    # the file is the map's own export: the map already matches it, only the keys are stored
    assert not rep.changed and rep.keys_adopted == 3 and rep.writes
    with ws.session() as s:  # as drawn in Workbench again: no stored keys
        for model in (m.ProcessNode, m.ProcessEdge):
            for row in s.scalars(select(model).where(model.process_id == pid)):
                row.key = ""
    seen = []

    def script(dlg):
        qtbot.addWidget(dlg)
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.append((ok.isVisible(), dlg.report_view.toPlainText()))
        return True

    answer.script = script
    first = IT.ask_import_target(None, ws, out, "bpmn", pid, always=True)
    assert first is not None and first.report.keys_adopted > 0
    assert not first.report.changed and first.report.writes and not IT.is_no_op(first)
    assert seen[0][0] and "only the ids" in seen[0][1]
    assert controller.edit(first.label(), first.run)
    assert controller.undo_stack.count() == 1
    assert IT.ask_import_target(None, ws, out, "bpmn", pid, always=True) is None
    assert not seen[1][0] and "would change nothing" in seen[1][1]
    assert controller.undo_stack.count() == 1
    assert {r["key"] for r in P.load_map_data(ws, pid).nodes} == {
        P.node_key({"id": a, "key": "", "kind": "start"}),
        P.node_key({"id": b, "key": "", "kind": "step"})}
    assert verify(ws).ok
    for box in _info_boxes():
        box.close()


def test_changed_fields_are_named_in_user_words(qtbot):
    assert IT._fields_text(["name", "extra"]) == "name, layout details"
    assert IT._fields_text(["target_id", "extra"]) == "target, layout details"
    assert IT._fields_text(["source_id", "waypoints"]) == "source, route"


def test_a_drawio_file_of_several_pages_asks_which_page(ws, tmp_path, monkeypatch):
    page = ('<diagram name="{name}"><mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
            '<mxCell id="{key}" value="{label}" style="rounded=1;" vertex="1" parent="1">'
            '<mxGeometry x="10" y="10" width="120" height="60" as="geometry"/></mxCell>'
            '</root></mxGraphModel></diagram>')
    f = tmp_path / "two.drawio"
    f.write_text("<mxfile>" + page.format(name="Order", key="a", label="Take order")
                 + page.format(name="Returns", key="b", label="Take return") + "</mxfile>")
    asked = []

    def choose(parent, path, pages):
        asked.append((path.name, pages))
        return 1

    monkeypatch.setattr(IT, "choose_drawio_page", choose)
    target = IT.ask_import_target(None, ws, f, "drawio", None)
    assert asked == [("two.drawio", ["Order", "Returns"])]
    assert target.mode == "new" and target.name == "Returns"
    assert [n.name for n in target.map.nodes] == ["Take return"]
    monkeypatch.setattr(IT, "choose_drawio_page", lambda parent, path, pages: None)
    assert IT.ask_import_target(None, ws, f, "drawio", None) is None  # cancelled: nothing
    one = tmp_path / "one.drawio"
    one.write_text("<mxfile>" + page.format(name="Order", key="a", label="Take order") + "</mxfile>")
    monkeypatch.setattr(IT, "choose_drawio_page", lambda *a: pytest.fail("asked for one page"))
    assert IT.ask_import_target(None, ws, one, "drawio", None).name == "Order"


def test_the_page_choice_lists_the_pages_by_number(qtbot, monkeypatch):
    from pathlib import Path

    from PySide6.QtWidgets import QInputDialog

    seen = {}

    def get_item(parent, title, label, items, current, editable):
        seen.update(title=title, label=label, items=items)
        return items[1], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    assert IT.choose_drawio_page(None, Path("f.drawio"), ["Order", "Returns"]) == 1
    assert seen["items"] == ["1. Order", "2. Returns"]
    assert seen["label"] == "f.drawio has 2 pages; choose the one to import as a process:"
    monkeypatch.setattr(QInputDialog, "getItem",
                        staticmethod(lambda *a: ("", False)))
    assert IT.choose_drawio_page(None, Path("f.drawio"), ["Order", "Returns"]) is None
