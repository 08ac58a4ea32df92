"""The procedure editor (ui/documents/editor.py): sections as rich text, one undo step per
section edit, the banner naming the revision edited, read-only revisions, Markdown out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from qms_desktop.services import documents as docs
from qms_desktop.ui.documents.editor import ProcedureEditor, document_markdown, load_markdown

PW = {"dan": "dan's long password", "eve": "eve reviews things", "max": "max approves all"}


def _users(ws):
    docs.add_user(ws, "dan", "Daniel Okafor", PW["dan"])
    admin = ("dan", PW["dan"])
    docs.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"], admin=admin)
    docs.add_user(ws, "max", "Max Brandt", PW["max"], rights=["reviewed", "approved"],
                  admin=admin)


def _doc(ws):
    did = docs.add_document(ws, {"title": "Control of documents", "kind": "procedure"}).result
    docs.edit_section(ws, did, "purpose", "Keep the **right** revision at the point of use.")
    docs.edit_section(ws, did, "procedure", "1. Draft\n2. Review\n3. Approve")
    return did


def _effective(ws, did):
    _users(ws)
    rid = docs.get_document(ws, did).pending_id
    docs.sign(ws, rid, "authored", "dan", PW["dan"])
    docs.sign(ws, rid, "reviewed", "eve", PW["eve"])
    docs.sign(ws, rid, "approved", "max", PW["max"])
    docs.make_effective(ws, rid)


@pytest.fixture
def editor(qtbot, controller):
    ed = ProcedureEditor(controller)
    qtbot.addWidget(ed)
    ed.resize(900, 700)
    ed.show()
    qtbot.waitExposed(ed)
    return ed


def _texts(ws, did):
    row = docs.get_document(ws, did)
    return {s.key: s.text for s in docs.sections(ws, row.pending_id or row.in_force_id)}


def test_typing_is_one_undo_step_and_undo_restores(ws, controller, editor, qtbot):
    did = _doc(ws)
    editor.set_document(did)
    assert [e.title for e in editor.edits][:3] == ["Purpose", "Scope", "Definitions"]
    assert "**right**" not in editor.section("purpose").toPlainText()  # shown formatted
    scope = editor.section("scope")
    scope.setFocus()
    qtbot.keyClicks(scope, "All controlled ")
    assert scope.timer.isActive()  # committed after a pause, not per key
    editor.flush()                 # (the pause)
    qtbot.keyClicks(scope, "documents.")
    editor.commit(scope, seal=True)  # the focus leaves the section
    stack = controller.undo_stack
    assert stack.count() == 1 and stack.text(0) == "Edit Scope of SOP-001"
    assert _texts(ws, did)["scope"] == "All controlled documents."
    # a second visit is a step of its own
    qtbot.keyClicks(scope, " Forms too.")
    editor.commit(scope, seal=True)
    assert stack.count() == 2
    controller.undo()
    assert _texts(ws, did)["scope"] == "All controlled documents."
    assert scope.toPlainText() == "All controlled documents."
    controller.undo()
    assert _texts(ws, did)["scope"] == ""
    assert editor.section("scope").toPlainText() == ""
    controller.redo()
    assert editor.section("scope").toPlainText() == "All controlled documents."
    assert not controller.errors


def test_editing_effective_document_starts_draft_b(ws, controller, editor, qtbot):
    did = _doc(ws)
    _effective(ws, did)
    editor.set_document(did)
    assert "Revision A is in force" in editor.banner.text()
    assert "starts draft B" in editor.banner.text()
    assert not editor.section("scope").isReadOnly()
    scope = editor.section("scope")
    scope.setFocus()
    qtbot.keyClicks(scope, "Every procedure.")
    editor.commit(scope, seal=True)
    row = docs.get_document(ws, did)
    assert (row.revision, row.pending, row.pending_status) == ("A", "B", "draft")
    assert editor.banner.text() == ("Editing draft B — revision A stays in force until B "
                                    "takes effect.")
    assert editor.revision_id == row.pending_id
    # revision A is as it was
    assert {s.key: s.text for s in docs.sections(ws, row.in_force_id)}["scope"] == ""
    controller.undo()  # the draft goes with the edit
    assert docs.get_document(ws, did).pending == ""
    assert "Revision A is in force" in editor.banner.text()
    assert editor.section("scope").toPlainText() == ""


def test_revision_in_review_is_read_only(ws, controller, editor, qtbot):
    did = _doc(ws)
    _users(ws)
    docs.sign(ws, docs.get_document(ws, did).pending_id, "authored", "dan", PW["dan"])
    editor.set_document(did)
    assert editor.banner.text() == ("Revision A is in review: return it to draft to change "
                                    "it.")
    purpose = editor.section("purpose")
    assert all(e.isReadOnly() for e in editor.edits)
    assert not editor.act_bold.isEnabled() and not editor.act_add.isEnabled()
    purpose.setFocus()
    qtbot.keyClicks(purpose, "zzz")
    editor.commit(purpose, seal=True)
    assert "zzz" not in purpose.toPlainText()
    assert controller.undo_stack.count() == 0
    # returned to draft (elsewhere): the editor follows the change and is editable again
    controller.edit("Return", lambda w: docs.return_to_draft(
        w, docs.get_document(w, did).pending_id))
    assert not purpose.isReadOnly()
    assert editor.banner.text().startswith("Editing draft A")


def test_ctrl_b_bold_round_trips_to_markdown(ws, controller, editor, qtbot):
    did = _doc(ws)
    editor.set_document(did)
    scope = editor.section("scope")
    scope.setFocus()
    qtbot.keyClick(scope, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(scope, "x")
    qtbot.keyClick(scope, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(scope, " and ")
    qtbot.keyClick(scope, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(scope, "y")
    editor.commit(scope, seal=True)
    assert _texts(ws, did)["scope"] == "**x** and *y*"
    editor.set_document(None)
    editor.set_document(did)  # read back: bold again
    frag = editor.section("scope").document().begin().begin().fragment()
    assert frag.text() == "x" and frag.charFormat().fontWeight() >= 600


def test_keyboard_moves_between_sections(ws, controller, editor, qtbot):
    did = _doc(ws)
    editor.set_document(did)
    editor.activateWindow()
    first = editor.edits[0]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(first, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(editor.edits[1].hasFocus)
    qtbot.keyClick(editor.edits[1], Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(first.hasFocus)


def test_add_and_remove_own_section(ws, controller, editor, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    did = _doc(ws)
    editor.set_document(did)
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: ("Calibration records", True)))
    editor.add_section()
    assert editor.edits[-1].title == "Calibration records"
    key = editor.edits[-1].key
    editor.remove_section(key, "Calibration records")
    assert editor.section(key) is None
    controller.undo()
    assert editor.section(key) is not None


def test_generate_disabled_without_process(ws, controller, editor):
    did = _doc(ws)
    editor.set_document(did)
    assert not editor.act_generate.isEnabled()
    assert "not linked to a process" in editor.act_generate.toolTip()


@pytest.mark.parametrize("text", [
    "Keep the **right** revision *always*.",
    "- one\n- two\n  - nested\n- three",
    "1. Draft\n2. Review\n3. Approve",
    "| Role | Duty |\n|---|---|\n| QM | approves \\| signs |",
    "Intro.\n\n- a\n- b\n\nOutro with 2 \\* 3 and a_b and \\_x\\_.",
    "\\# not a heading\n\n1\\. not a list",
    "Use <b>x</b> when a < b & <!-- c --> and \\~\\~not struck\\~\\~, ~5 mm.",
])
def test_markdown_round_trip(qapp, text):
    doc = QTextDocument()
    load_markdown(doc, text)
    assert document_markdown(doc) == text


def test_lists_and_table_from_the_toolbar(ws, controller, editor, qtbot):
    did = _doc(ws)
    editor.set_document(did)
    refs = editor.section("references")
    refs.setFocus()
    editor._focused(refs)
    qtbot.keyClicks(refs, "ISO 9001")
    editor.act_bullets.trigger()
    qtbot.keyClick(refs, Qt.Key.Key_Return)
    qtbot.keyClicks(refs, "SOP-002")
    assert refs.markdown() == "- ISO 9001\n- SOP-002"
    editor.act_numbers.trigger()  # the list becomes numbered
    assert refs.markdown() == "1. ISO 9001\n2. SOP-002"
    editor.act_numbers.trigger()  # and back to paragraphs (the current item)
    assert refs.markdown() == "1. ISO 9001\n\nSOP-002"
    qtbot.keyClick(refs, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    editor.act_table.trigger()
    for text in ("Term", "Meaning", "PO", "purchase order"):
        qtbot.keyClicks(refs, text)
        qtbot.keyClick(refs, Qt.Key.Key_Tab)  # next cell; a new row after the last
    editor.commit(refs, seal=True)
    assert _texts(ws, did)["references"] == (
        "1. ISO 9001\n\nSOP-002\n\n| Term | Meaning |\n|---|---|\n| PO | purchase order |")
    assert controller.undo_stack.count() == 1


def _ctrl_z(qtbot, widget, shift=False):
    mods = Qt.KeyboardModifier.ControlModifier
    if shift:
        mods |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(widget, Qt.Key.Key_Z, mods)


def test_ctrl_z_never_takes_the_loaded_text_away(ws, controller, editor, qtbot):
    """Loading a section is no undo step of its box: Ctrl+Z undoes only this visit's typing."""
    did = _doc(ws)
    _effective(ws, did)
    docs.edit_section(ws, did, "scope", "All controlled documents.")
    row = docs.get_document(ws, did)
    docs.sign(ws, row.pending_id, "authored", "dan", PW["dan"])
    docs.sign(ws, row.pending_id, "reviewed", "eve", PW["eve"])
    docs.sign(ws, row.pending_id, "approved", "max", PW["max"])
    docs.make_effective(ws, row.pending_id)        # B in force, with a Scope
    editor.set_document(did)
    editor.activateWindow()
    scope = editor.section("scope")
    scope.setFocus()
    qtbot.waitUntil(scope.hasFocus)
    _ctrl_z(qtbot, scope)
    assert scope.toPlainText() == "All controlled documents."
    assert not scope.timer.isActive()
    editor.flush()
    assert docs.get_document(ws, did).pending == ""   # nothing saved, no draft C
    assert controller.undo_stack.count() == 0
    # typed text goes, the loaded text stays
    scope.moveCursor(scope.textCursor().MoveOperation.End)
    qtbot.keyClicks(scope, " Forms too.")
    _ctrl_z(qtbot, scope)
    assert scope.toPlainText() == "All controlled documents."
    _ctrl_z(qtbot, scope)
    assert scope.toPlainText() == "All controlled documents."
    editor.flush()
    assert docs.get_document(ws, did).pending == ""
    # after the app's Undo / Redo reloaded the text, Ctrl+Z leaves it too
    scope.moveCursor(scope.textCursor().MoveOperation.End)
    qtbot.keyClicks(scope, " Only.")
    editor.commit(scope, seal=True)
    scope.end_visit()
    assert _texts(ws, did)["scope"] == "All controlled documents. Only."
    controller.undo()
    assert scope.toPlainText() == "All controlled documents."
    _ctrl_z(qtbot, scope)
    assert scope.toPlainText() == "All controlled documents."
    controller.redo()
    assert scope.toPlainText() == "All controlled documents. Only."
    _ctrl_z(qtbot, scope)
    assert scope.toPlainText() == "All controlled documents. Only."
    editor.flush()
    assert _texts(ws, did)["scope"] == "All controlled documents. Only."
    assert controller.undo_stack.count() == 1
    assert not controller.errors


def test_ctrl_z_with_nothing_typed_falls_through_to_the_window_undo(ws, controller, editor,
                                                                    qtbot):
    """An empty box history hands Ctrl+Z to the window's Undo (the Edit menu's action)."""
    from PySide6.QtGui import QAction, QKeySequence

    did = _doc(ws)
    editor.set_document(did)
    undone = []
    act = QAction("Undo", editor)
    act.setShortcut(QKeySequence.StandardKey.Undo)
    act.triggered.connect(lambda: undone.append(True))
    editor.addAction(act)
    editor.activateWindow()
    scope = editor.section("scope")
    scope.setFocus()
    qtbot.waitUntil(scope.hasFocus)
    qtbot.keyClicks(scope, "Typed")
    _ctrl_z(qtbot, scope)                 # the box's own typing first
    assert scope.toPlainText() == "" and not undone
    _ctrl_z(qtbot, scope)                 # then the window's Undo
    assert undone == [True]
    # a new visit: what the last one typed is a step of the app's history, not of the box
    qtbot.keyClicks(scope, "Kept")
    editor.commit(scope, seal=True)
    scope.end_visit()
    _ctrl_z(qtbot, scope)
    assert scope.toPlainText() == "Kept" and undone == [True, True]


def test_read_only_banner_says_what_is_shown_not_editing():
    from qms_desktop.services.documents import DocumentRow

    def row(revision, pending, pending_status):
        return DocumentRow(id=1, number="QP-01", title="t", kind="procedure", owner_id=None,
                           owner="", process_id=None, process="", status="effective",
                           revision=revision, effective_on=None, pending_id=None,
                           pending=pending, pending_status=pending_status, review_months=None,
                           next_review_on=None, review_state="", origin="")

    text = ProcedureEditor._read_only_banner
    assert text(row("B", "C", "draft"), []) == "Read-only: showing draft C (revision B in force)."
    assert text(row("", "A", "draft"), []) == "Read-only: showing draft A (not yet in force)."
    assert text(row("B", "C", "in_review"), []) == (
        "Read-only: showing revision C (in review; revision B in force).")
    assert text(row("", "A", "approved"), []) == "Read-only: showing revision A (approved)."
    assert text(row("B", "", ""), []) == "Read-only: showing revision B (in force)."
    assert not any("Editing" in text(row(*a), []) for a in (("B", "C", "draft"),))
