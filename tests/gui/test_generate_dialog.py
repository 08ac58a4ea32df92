"""Generate from process map (ui/documents/generate.py): untouched sections are updated, an
edited section whose map part changed is a conflict the user decides, one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from qms_desktop.services import documents as docs
from qms_desktop.services import processes, records
from qms_desktop.ui.documents import generate
from qms_desktop.ui.documents.generate import KEEP, TAKE, GenerateDialog, generate_from_map


def _map(ws):
    pid = processes.add_process(ws, {"code": "CP-01", "name": "Order intake",
                                     "purpose": "Accept only orders we can deliver."}).result
    lane = processes.add_lane(ws, pid, "Sales").result
    start = processes.add_node(ws, pid, "start", 0, 0, name="Order received",
                               lane_id=lane).result
    check = processes.add_node(ws, pid, "step", 100, 0, name="Check the drawing",
                               lane_id=lane).result
    end = processes.add_node(ws, pid, "end", 200, 0, name="Order accepted", lane_id=lane).result
    processes.add_edge(ws, pid, start, check)
    processes.add_edge(ws, pid, check, end)
    return pid, check


def _sections(ws, did):
    row = docs.get_document(ws, did)
    return {s.key: s for s in docs.sections(ws, row.pending_id or row.in_force_id)}


@pytest.fixture
def answer(monkeypatch):
    """Make the dialog answer at once: ``answer.choices`` {key: choice} then Apply."""
    class Answer:
        choices: dict = {}
        seen: list = []
        accept = True

    def exec_(self):
        Answer.seen.append(self)
        for key, choice in Answer.choices.items():
            self.set_choice(key, choice)
        return QDialog.DialogCode.Accepted if Answer.accept else QDialog.DialogCode.Rejected

    monkeypatch.setattr(GenerateDialog, "exec", exec_)
    Answer.choices, Answer.seen = {}, []
    return Answer


def test_conflict_keep_mine_and_untouched_sections_updated(ws, controller, answer, dialogs):
    pid, check = _map(ws)
    did = docs.add_document(ws, {"title": "Order intake", "process_id": pid}).result
    assert generate_from_map(controller, did) is True
    first = _sections(ws, did)
    assert "Check the drawing" in first["procedure"].text
    assert first["procedure"].generated == first["procedure"].text
    assert controller.undo_stack.count() == 1
    assert controller.undo_stack.text(0) == "Generate from map"
    # the user edits the procedure; the map's step is renamed
    mine = first["procedure"].text + "\n\nAsk sales when in doubt."
    docs.edit_section(ws, did, "procedure", mine)
    records.update_field(ws, "process_node", check, "name", "Check the drawing revision")
    assert generate_from_map(controller, did) is True
    dialog = answer.seen[-1]
    states = {m.key: m.status for m in dialog.merges}
    assert states["procedure"] == "conflict"
    row = [m.key for m in dialog.merges].index("procedure")
    assert "⚠" in dialog.list.item(row).text()
    assert dialog.choices["procedure"] == KEEP          # never the map's without a choice
    dialog.list.setCurrentRow(row)
    assert dialog.mine.toPlainText() == mine            # side by side
    assert "Check the drawing revision" in dialog.theirs.toPlainText()
    after = _sections(ws, did)
    assert after["procedure"].text == mine               # kept
    assert "Check the drawing revision" in after["procedure"].generated  # seen: not asked again
    assert controller.undo_stack.count() == 2            # one step
    updated = [k for k, s in states.items() if s == "update"]
    for key in updated:                                  # untouched sections follow the map
        assert after[key].text == after[key].generated
    controller.undo()
    assert _sections(ws, did)["procedure"].generated == first["procedure"].generated
    assert not controller.errors


def test_take_the_maps_text(ws, controller, answer, dialogs):
    pid, check = _map(ws)
    did = docs.add_document(ws, {"title": "Order intake", "process_id": pid}).result
    generate_from_map(controller, did)
    docs.edit_section(ws, did, "procedure", _sections(ws, did)["procedure"].text + " Mine.")
    records.update_field(ws, "process_node", check, "name", "Check the order")
    answer.choices = {"procedure": TAKE}
    assert generate_from_map(controller, did) is True
    sec = _sections(ws, did)["procedure"]
    assert "Mine." not in sec.text and "Check the order" in sec.text


def test_cancel_writes_nothing_and_no_process_is_refused(ws, controller, answer, dialogs):
    pid, _check = _map(ws)
    did = docs.add_document(ws, {"title": "Order intake", "process_id": pid}).result
    answer.accept = False
    assert generate_from_map(controller, did) is False
    assert controller.undo_stack.count() == 0
    assert all(not s.text for s in _sections(ws, did).values())
    other = docs.add_document(ws, {"title": "No map"}).result
    assert generate_from_map(controller, other) is False
    assert any("not linked to a process" in m for m in dialogs.messages("warning"))


def test_nothing_to_change_says_so(ws, controller, answer, dialogs):
    pid, _check = _map(ws)
    did = docs.add_document(ws, {"title": "Order intake", "process_id": pid}).result
    generate_from_map(controller, did)
    assert generate_from_map(controller, did) is False
    assert any("nothing changes" in m for m in dialogs.messages("information"))
    assert len(answer.seen) == 1
    assert controller.undo_stack.count() == 1


def test_edit_choice_uses_the_edited_text(qapp):
    from qms_desktop.core.procedure_merge import merge_regenerated

    merges = merge_regenerated([("procedure", "mine", "old")], {"procedure": "new"})
    d = GenerateDialog(merges)
    assert d.chosen() == {"procedure": ("mine", "new")}
    d.set_choice("procedure", generate.EDIT, "mine and new")
    assert d.chosen() == {"procedure": ("mine and new", "new")}
    d.deleteLater()
