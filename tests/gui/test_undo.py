"""Undo/redo: the organization profile through the Edit menu, and the generic commands."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from qms_desktop.services import records as R
from qms_desktop.services.organization import get_profile
from qms_desktop.ui.commands import EditCommand, field_edit_text, field_merge_key


def plain(action):
    return action.text().replace("&", "")


def type_name(qtbot, edit, text):
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # leaving the field commits and seals


def test_undo_redo_chain_on_organization_name(window, make_ws, open_ws, qtbot, dialogs):
    ws = open_ws(window, make_ws(organization="Acme"))
    profile = window.page("dashboard").profile
    undo, redo = window.acts["undo"], window.acts["redo"]
    assert not undo.isEnabled() and plain(undo) == "Undo"

    type_name(qtbot, profile.name_edit, "Acme Precision")
    assert get_profile(ws).name == "Acme Precision"
    assert undo.isEnabled() and plain(undo) == "Undo Rename organization"
    assert window.page("dashboard").title.text() == "Acme Precision"

    type_name(qtbot, profile.name_edit, "Acme Precision Ltd")
    stack = window.undo_group.activeStack()
    assert stack.count() == 2  # a new edit after leaving the field is a new step

    profile.policy_edit.setFocus()
    profile.policy_edit.setPlainText("Parts that fit, on time.")
    profile.bindings["quality_policy"].flush()
    assert plain(undo) == "Undo Change organization quality policy"
    assert get_profile(ws).quality_policy == "Parts that fit, on time."

    undo.trigger()
    assert get_profile(ws).quality_policy == ""
    assert profile.policy_edit.toPlainText() == ""
    assert plain(undo) == "Undo Rename organization"
    assert plain(redo) == "Redo Change organization quality policy"

    undo.trigger()
    assert get_profile(ws).name == "Acme Precision"
    assert profile.name_edit.text() == "Acme Precision"
    undo.trigger()
    assert get_profile(ws).name == "Acme"
    assert profile.name_edit.text() == "Acme"
    assert window.page("dashboard").title.text() == "Acme"
    assert not undo.isEnabled() and plain(undo) == "Undo"

    redo.trigger()
    redo.trigger()
    assert get_profile(ws).name == "Acme Precision Ltd"
    assert profile.name_edit.text() == "Acme Precision Ltd"
    redo.trigger()
    assert get_profile(ws).quality_policy == "Parts that fit, on time."
    assert not redo.isEnabled()
    # every step is in the audit trail, and the status bar follows its head
    assert ws.head_hash()[:12] in window.head_label.text()
    assert dialogs.calls == []


def test_typing_merges_into_one_step(window, make_ws, open_ws, qtbot):
    ws = open_ws(window, make_ws(organization="Acme"))
    binding = window.page("dashboard").profile.bindings["scope"]
    edit = binding.widget
    edit.setFocus()
    for text in ("M", "Ma", "Mac", "Machining"):
        edit.setPlainText(text)
        binding.flush()  # each pause in typing commits
    stack = window.undo_group.activeStack()
    assert stack.count() == 1
    assert get_profile(ws).scope == "Machining"
    window.acts["undo"].trigger()
    assert get_profile(ws).scope == ""
    window.acts["redo"].trigger()
    assert get_profile(ws).scope == "Machining"


def test_undo_commits_pending_typing_first(window, make_ws, open_ws, qtbot):
    ws = open_ws(window, make_ws(organization="Acme"))
    binding = window.page("dashboard").profile.bindings["sites"]
    binding.widget.setFocus()
    binding.widget.setPlainText("Plant 2")
    assert binding.pending
    window.controller.undo()  # commits the typing, then undoes it
    assert get_profile(ws).sites == ""
    window.controller.redo()
    assert get_profile(ws).sites == "Plant 2"


def test_typing_back_to_the_original_leaves_no_step(window, make_ws, open_ws, qtbot):
    ws = open_ws(window, make_ws(organization="Acme"))
    binding = window.page("dashboard").profile.bindings["name"]
    binding.widget.setFocus()
    binding.widget.setText("Acme X")
    binding.flush()
    binding.widget.setText("Acme")
    binding.flush()
    assert window.undo_group.activeStack().count() == 0
    assert get_profile(ws).name == "Acme"


def test_create_profile_when_missing(window, make_ws, open_ws, qtbot):
    ws = open_ws(window, make_ws(organization=""))
    profile = window.page("dashboard").profile
    assert get_profile(ws) is None
    assert profile.empty.isVisible() and not profile.form_widget.isVisible()
    profile.create_button.click()
    assert get_profile(ws).name == "My organization"
    assert profile.form_widget.isVisible()
    assert plain(window.acts["undo"]) == "Undo Create organization profile"
    window.acts["undo"].trigger()
    assert get_profile(ws) is None
    assert profile.empty.isVisible()
    window.acts["redo"].trigger()
    assert get_profile(ws).name == "My organization"


# --------------------------------------------------------------------------- generic commands


@pytest.fixture
def stack_ws(ws, qtbot):
    stack = QUndoStack()
    changes = []

    def push(cmd):
        cmd.on_change = changes.append
        cmd.execute()
        stack.push(cmd)

    yield ws, stack, push, changes
    stack.clear()


def create(ws, entity, values, text=None):
    return EditCommand(ws, text or f"Add {entity}", lambda w: R.create(w, entity, values))


def field(ws, entity, rid, name, value):
    return EditCommand(ws, field_edit_text(entity, name),
                       lambda w: R.update_field(w, entity, rid, name, value),
                       merge_key=field_merge_key(entity, rid, name))


def test_create_undo_redo_keeps_the_id(stack_ws):
    ws, stack, push, changes = stack_ws
    cmd = create(ws, "person", {"name": "Ann"})
    push(cmd)
    rid = cmd.result
    assert R.get(ws, "person", rid)["name"] == "Ann"
    assert cmd.text() == "Add person"
    stack.undo()
    with pytest.raises(R.RecordError):
        R.get(ws, "person", rid)
    stack.redo()
    assert R.get(ws, "person", rid)["name"] == "Ann"
    assert all(c.touches("person") for c in changes) and len(changes) == 3
    assert all(c.ids_of("person") == {rid} for c in changes)


def test_delete_restores_cascaded_records(stack_ws):
    ws, stack, push, changes = stack_ws
    pid = R.create(ws, "person", {"name": "Ben"}).result
    role = R.create(ws, "role", {"name": "Inspector"}).result
    link = R.create(ws, "person_role", {"person_id": pid, "role_id": role}).result
    push(EditCommand(ws, "Delete person", lambda w: R.delete(w, "person", pid)))
    assert changes[-1].touches("person", "person_role")
    assert changes[-1].ids_of("person_role") == {link}
    with pytest.raises(R.RecordError):
        R.get(ws, "person_role", link)
    stack.undo()
    assert R.get(ws, "person", pid)["name"] == "Ben"
    assert R.get(ws, "person_role", link)["role_id"] == role
    stack.redo()
    with pytest.raises(R.RecordError):
        R.get(ws, "person", pid)


def test_field_edits_merge_only_for_the_same_field(stack_ws):
    ws, stack, push, _ = stack_ws
    pid = R.create(ws, "person", {"name": "Cy"}).result
    push(field(ws, "person", pid, "name", "Cyr"))
    push(field(ws, "person", pid, "name", "Cyril"))
    assert stack.count() == 1
    push(field(ws, "person", pid, "email", "c@x.example"))
    assert stack.count() == 2
    top = stack.command(1)
    top.seal()
    push(field(ws, "person", pid, "email", "cyril@x.example"))
    assert stack.count() == 3
    stack.undo()
    stack.undo()
    stack.undo()
    assert R.get(ws, "person", pid)["name"] == "Cy"
    assert R.get(ws, "person", pid)["email"] == ""


def test_invalid_value_is_refused_before_the_stack(stack_ws):
    ws, stack, push, _ = stack_ws
    pid = R.create(ws, "course", {"title": "Gauges", "validity_months": 12}).result
    with pytest.raises(R.RecordError):
        push(field(ws, "course", pid, "validity_months", "often"))
    assert stack.count() == 0


def test_a_call_of_several_transactions_is_one_step_and_all_or_nothing(stack_ws):
    ws, stack, push, _ = stack_ws

    def two(names):
        def run(w):
            return [R.create(w, "role", {"name": n}).result for n in names]
        return run

    a = EditCommand(ws, "Add two roles", two(["Welder", "Fitter"]))
    push(a)
    assert stack.count() == 1
    stack.undo()
    for rid in a.result:
        with pytest.raises(R.RecordError):
            R.get(ws, "role", rid)
    stack.redo()
    assert R.get(ws, "role", a.result[0])["name"] == "Welder"
    # the second part fails (duplicate name): the first is rolled back
    with pytest.raises(Exception):
        push(EditCommand(ws, "Add roles", two(["Painter", "Welder"])))
    from sqlalchemy import select

    from qms_desktop.storage.models import Role
    with ws.connect() as conn:
        names = sorted(conn.execute(select(Role.name)).scalars())
    assert names == ["Fitter", "Welder"]


def test_failed_undo_is_reported_and_history_cleared(window, make_ws, open_ws, qtbot, dialogs):
    ws = open_ws(window, make_ws(organization="Acme"))
    pid = R.create(ws, "person", {"name": "Dee"}).result
    assert window.controller.edit_field("person", pid, "name", "Dora")
    R.delete(ws, "person", pid)  # the record vanished behind the stack's back
    window.acts["undo"].trigger()
    qtbot.waitUntil(lambda: bool(dialogs.calls))
    assert "no longer exists" in dialogs.messages()[0]
    assert window.undo_group.activeStack().count() == 0


def test_refresh_keeps_text_being_typed(window, make_ws, open_ws, qtbot):
    ws = open_ws(window, make_ws(organization="Acme"))
    profile = window.page("dashboard").profile
    sites = profile.bindings["sites"]
    sites.widget.setFocus()
    sites.widget.setPlainText("Plant 3, half typed")
    assert sites.pending
    profile.name_edit.setText("Acme Two")  # another field commits: the page refreshes
    profile.bindings["name"].flush()
    assert get_profile(ws).name == "Acme Two"
    assert sites.pending and sites.widget.toPlainText() == "Plant 3, half typed"
    sites.flush()
    assert get_profile(ws).sites == "Plant 3, half typed"


def test_undo_and_redo_say_what_they_did_in_the_status_bar(window, make_ws, open_ws, qtbot):
    open_ws(window, make_ws(organization="Acme"))
    type_name(qtbot, window.page("dashboard").profile.name_edit, "Acme Two")
    window.acts["undo"].trigger()
    assert window.statusBar().currentMessage() == "Undone: Rename organization"
    window.acts["redo"].trigger()
    assert window.statusBar().currentMessage() == "Redone: Rename organization"


def test_a_final_step_clears_the_undo_history(window, make_ws, open_ws, qtbot):
    """A signature is an act on record: it runs through the one command but cannot be undone,
    and the steps before it go too (undoing them could change what was signed)."""
    ws = open_ws(window, make_ws(organization="Acme"))
    c = window.controller
    c.edit("Add person", lambda w: R.create(w, "person", {"name": "Ann"}))
    stack = window.undo_group.activeStack()
    assert stack.count() == 1
    with qtbot.waitSignal(c.notice) as seen:
        assert c.edit("Sign", lambda w: R.create(w, "person", {"name": "Bob"}), final=True)
    assert stack.count() == 0 and not window.acts["undo"].isEnabled()
    assert "Sign cannot be undone" in seen.args[0]
    assert "cannot be undone" in window.statusBar().currentMessage()
    # a final call that changed nothing leaves the history alone
    c.edit("Add person", lambda w: R.create(w, "person", {"name": "Cy"}))
    assert c.edit("Sign", lambda w: None, final=True)
    assert stack.count() == 1
