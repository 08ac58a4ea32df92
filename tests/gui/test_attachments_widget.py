"""The reusable attachments widget: list, add (dialog, drop), open, save as, remove, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

from qms_desktop.services import attachments as A
from qms_desktop.services import records as R
from qms_desktop.ui.attachments import AttachmentsWidget

PDF = b"%PDF-1.7\n" + b"certificate " * 200 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x10\x20" * 300


@pytest.fixture
def risk(ws) -> int:
    return R.create(ws, "risk", {"title": "Late delivery"}).result


@pytest.fixture
def widget(qtbot, controller, risk):
    w = AttachmentsWidget(controller)
    qtbot.addWidget(w)
    w.set_owner("risk", risk)
    w.resize(500, 300)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    d = tmp_path / "in"
    d.mkdir()
    out = {"cert": d / "Supplier cert.pdf", "photo": d / "evidence.png", "empty": d / "empty.txt"}
    out["cert"].write_bytes(PDF)
    out["photo"].write_bytes(PNG)
    out["empty"].write_bytes(b"")
    return out


@pytest.fixture
def opened(monkeypatch) -> list[Path]:
    """Files handed to the system's viewer (recorded, not opened)."""
    got: list[Path] = []

    def open_url(url: QUrl) -> bool:
        got.append(Path(url.toLocalFile()))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    yield got
    A.remove_temp_copies()


def names(w) -> list[str]:
    m = w.model
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def drop(w, paths, *, enter_only=False) -> bool:
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    at = QPointF(w.rect().center())
    enter = QDragEnterEvent(at.toPoint(), Qt.DropAction.CopyAction, md,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    w.dragEnterEvent(enter)
    if enter_only or not enter.isAccepted():
        return enter.isAccepted()
    ev = QDropEvent(at, Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    w.dropEvent(ev)
    return ev.isAccepted()


def test_add_from_the_dialog_lists_and_undoes(widget, controller, files, monkeypatch,
                                              qtmodeltester, dialogs):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(
        lambda *a, **k: ([str(files["cert"]), str(files["photo"])], "")))
    assert not widget.remove_button.isEnabled() and widget.hint.isVisible()
    made = widget.add_from_dialog()
    assert len(made) == 2 and names(widget) == ["Supplier cert.pdf", "evidence.png"]
    assert not widget.hint.isVisible()
    assert widget.model.index(0, 1).data() == A.format_size(len(PDF))
    assert widget.model.index(0, 2).data()  # the time added, in the locale's short form
    assert "SHA-256" in widget.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert widget.selected_ids() == made  # the new files are selected
    qtmodeltester.check(widget.model)
    stack = controller.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Attach 2 files"
    controller.undo()
    assert names(widget) == []
    controller.redo()
    assert names(widget) == ["Supplier cert.pdf", "evidence.png"]
    assert [r.id for r in widget.model.rows] == made  # the same ids come back
    assert dialogs.calls == []


def test_drop_attaches_and_reports_the_files_it_could_not(widget, controller, files, dialogs):
    assert drop(widget, [files["cert"], files["empty"]])
    assert names(widget) == ["Supplier cert.pdf"]
    assert dialogs.messages("warning") == [
        "“empty.txt” is empty; there is nothing to attach."]
    assert controller.undo_stack.count() == 1
    # the step is named after what was attached, not after what was dropped
    assert controller.undo_stack.undoText() == "Attach “Supplier cert.pdf”"
    # a drop of only bad files changes nothing and leaves no undo step
    assert drop(widget, [files["empty"]])
    assert controller.undo_stack.count() == 1 and names(widget) == ["Supplier cert.pdf"]
    # the same content again is refused with the reason
    assert drop(widget, [files["cert"]])
    assert "already attached here" in dialogs.messages("warning")[-1]
    # non-file drops are not accepted
    md_ok = drop(widget, [], enter_only=True)
    assert not md_ok


def test_open_with_enter_and_double_click(widget, controller, risk, opened, qtbot):
    aid = A.add(controller.workspace, "risk", risk, PDF, name="cert.pdf").result
    widget.refresh()
    widget.view.setFocus()
    widget.view.setCurrentIndex(widget.model.index(0, 0))
    qtbot.keyClick(widget.view, Qt.Key.Key_Return)
    assert len(opened) == 1 and opened[0].name == "cert.pdf" and opened[0].read_bytes() == PDF
    assert opened[0] == A.open_copy(controller.workspace, aid)


def test_open_without_a_viewer_says_so(widget, controller, risk, monkeypatch, dialogs):
    A.add(controller.workspace, "risk", risk, PDF, name="cert.pdf")
    widget.refresh()
    widget.view.setCurrentIndex(widget.model.index(0, 0))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    try:
        widget.open_button.click()
    finally:
        A.remove_temp_copies()
    assert dialogs.messages("warning") == [
        "No program is set up to open “cert.pdf”; use Save As… and open the copy from there."]


def test_save_as(widget, controller, risk, tmp_path, dialogs):
    A.add(controller.workspace, "risk", risk, PNG, name="photo.png")
    widget.refresh()
    widget.view.setCurrentIndex(widget.model.index(0, 0))
    dialogs.save_files = [str(tmp_path / "saved.png")]
    assert widget.save_current() == tmp_path / "saved.png"
    assert (tmp_path / "saved.png").read_bytes() == PNG
    # a folder that does not exist: the reason, nothing written
    dialogs.save_files = [str(tmp_path / "missing" / "x.png")]
    assert widget.save_current() is None
    assert "does not exist" in dialogs.messages("warning")[-1]
    # cancelled
    assert widget.save_current() is None


def test_delete_key_removes_the_selection_as_one_step(widget, controller, risk, qtbot, dialogs):
    ws = controller.workspace
    for i in range(3):
        A.add(ws, "risk", risk, PDF + bytes([i]), name=f"f{i}.pdf")
    widget.refresh()
    widget.view.setFocus()
    widget.view.selectRow(0)
    qtbot.keyClick(widget.view, Qt.Key.Key_Delete)
    assert names(widget) == ["f1.pdf", "f2.pdf"]
    assert controller.undo_stack.undoText() == "Remove attachment “f0.pdf”"
    widget.view.selectAll()
    dialogs.question_answer = None  # "no" to "remove the 2 selected files?"
    qtbot.keyClick(widget.view, Qt.Key.Key_Delete)
    assert names(widget) == ["f1.pdf", "f2.pdf"] and dialogs.kinds() == ["question"]
    from PySide6.QtWidgets import QMessageBox

    dialogs.question_answer = QMessageBox.StandardButton.Yes
    widget.remove_button.click()
    assert names(widget) == [] and controller.undo_stack.count() == 2
    controller.undo()
    assert names(widget) == ["f1.pdf", "f2.pdf"]
    controller.undo()
    assert names(widget) == ["f0.pdf", "f1.pdf", "f2.pdf"]
    from qms_desktop.services.verify import verify

    assert verify(ws).ok


def test_other_records_and_other_widgets(qtbot, controller, widget, risk, files):
    other = R.create(controller.workspace, "risk", {"title": "Other"}).result
    second = AttachmentsWidget(controller)
    qtbot.addWidget(second)
    second.set_owner("risk", risk)
    third = AttachmentsWidget(controller)
    qtbot.addWidget(third)
    third.set_owner("risk", other)
    widget.add_files([files["cert"]])
    assert names(second) == ["Supplier cert.pdf"] and names(third) == []
    third.set_owner("risk", None)
    assert not third.add_button.isEnabled() and not third.view.isEnabled()
    assert not third.hint.isVisible()


def test_read_only_workspace_disables_changes(qtbot, tmp_path, dialogs, opened):
    from PySide6.QtGui import QUndoGroup

    from qms_desktop.storage.workspace import create_workspace, open_workspace
    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    path = tmp_path / "ro.qms"
    ws = create_workspace(path, user="tester")
    rid = R.create(ws, "risk", {"title": "R"}).result
    A.add(ws, "risk", rid, PDF, name="cert.pdf")
    ws.close()
    ctl = WorkspaceController(TaskRunner(), QUndoGroup())
    ctl.adopt(open_workspace(path, read_only=True))
    try:
        w = AttachmentsWidget(ctl)
        qtbot.addWidget(w)
        w.set_owner("risk", rid)
        w.view.selectRow(0)
        assert names(w) == ["cert.pdf"]
        assert w.hint.text() == "No files attached."  # no invitation to drop what cannot be
        assert not w.add_button.isEnabled() and not w.remove_button.isEnabled()
        assert w.open_button.isEnabled() and w.save_button.isEnabled()
        extra = tmp_path / "x.pdf"
        extra.write_bytes(PNG)
        assert not drop(w, [extra], enter_only=True)
        assert w.remove_selected() is False and w.add_files([extra]) == []
        qtbot.keyClick(w.view, Qt.Key.Key_Delete)
        assert names(w) == ["cert.pdf"]
        w.open_current()
        assert opened and opened[0].read_bytes() == PDF
        assert dialogs.calls == []
    finally:
        ctl.close()
    assert names(w) == [] and not w.open_button.isEnabled()


def test_columns_sort_by_name_size_and_time(widget, controller, risk, qtbot):
    ws = controller.workspace
    A.add(ws, "risk", risk, b"x" * 5000, name="b10.bin")
    A.add(ws, "risk", risk, b"y" * 10, name="b9.bin")
    A.add(ws, "risk", risk, b"z" * 700, name="a.bin")
    widget.refresh()
    assert names(widget) == ["b10.bin", "b9.bin", "a.bin"]  # oldest first
    widget.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert names(widget) == ["a.bin", "b9.bin", "b10.bin"]  # natural order of names
    widget.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert names(widget) == ["b10.bin", "a.bin", "b9.bin"]
    assert [widget.model.index(r, 1).data() for r in range(3)] == ["4.9 KB", "700 bytes",
                                                                   "10 bytes"]
    widget.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert names(widget) == ["a.bin", "b9.bin", "b10.bin"]
