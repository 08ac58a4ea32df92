"""Generate from process map (ui/documents/generate.py): untouched sections are updated, an
edited section whose map part changed is a conflict the user decides, one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from qms_desktop.services import documents as docs
from qms_desktop.services import processes, records
from qms_desktop.ui.documents import generate
from qms_desktop.ui.documents.generate import (KEEP, MARKS, MERGE, TAKE, GenerateDialog,
                                               generate_from_map)


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


def _marks(browser):
    """(text, background) of the rendered paragraphs of a comparison pane."""
    out = []
    b = browser.document().begin()
    while b.isValid():
        if b.text().strip():
            bg = b.blockFormat().background()
            out.append((b.text().replace("\xa0", " "), bg.color().name() if bg.style() else ""))
        b = b.next()
    return out


def test_conflict_merges_both_by_default_and_untouched_sections_updated(
        ws, controller, answer, dialogs):
    pid, check = _map(ws)
    did = docs.add_document(ws, {"title": "Order intake", "process_id": pid}).result
    assert generate_from_map(controller, did) is True
    first = _sections(ws, did)
    assert "Check the drawing" in first["procedure"].text
    assert first["procedure"].generated == first["procedure"].text
    assert controller.undo_stack.count() == 1
    assert controller.undo_stack.text(0) == "Generate from map"
    # the user adds a paragraph at the end; the map's step is renamed
    mine = first["procedure"].text + "\n\nAsk sales when in doubt."
    docs.edit_section(ws, did, "procedure", mine)
    records.update_field(ws, "process_node", check, "name", "Check the drawing revision")
    assert generate_from_map(controller, did) is True
    dialog = answer.seen[-1]
    states = {m.key: m.status for m in dialog.merges}
    assert states["procedure"] == "conflict"
    row = [m.key for m in dialog.merges].index("procedure")
    assert "⚠" in dialog.list.item(row).text()
    assert dialog.choices["procedure"] == MERGE         # clean: neither change is lost
    assert "merging both" in dialog.list.item(row).text()
    dialog.list.setCurrentRow(row)
    assert dialog.merge.isVisibleTo(dialog) and dialog.merge.isChecked()
    # rendered, never raw Markdown; the user's own change and the map's marked apart
    shown = dialog.mine.toPlainText()
    assert "**" not in shown and "Ask sales when in doubt." in shown
    mine_marks = dict(_marks(dialog.mine))
    assert mine_marks["✎ Ask sales when in doubt."] == MARKS["mine"][0]
    assert not any(bg == MARKS["theirs"][0] for bg in mine_marks.values())
    theirs_marks = _marks(dialog.theirs)
    assert any("Check the drawing revision" in t and bg == MARKS["theirs"][0]
               for t, bg in theirs_marks)
    assert any("Check the drawing" in t and "revision" not in t and bg == MARKS["gone"][0]
               for t, bg in theirs_marks)
    result = dialog.result.toPlainText()
    assert "Check the drawing revision" in result and "Ask sales when in doubt." in result
    after = _sections(ws, did)
    assert "Check the drawing revision" in after["procedure"].text     # the map's change
    assert after["procedure"].text.endswith("Ask sales when in doubt.")  # and the user's
    assert "Check the drawing revision" in after["procedure"].generated  # seen
    assert controller.undo_stack.count() == 2            # one step
    updated = [k for k, s in states.items() if s == "update"]
    for key in updated:                                  # untouched sections follow the map
        assert after[key].text == after[key].generated
    controller.undo()
    assert _sections(ws, did)["procedure"].text == mine
    assert _sections(ws, did)["procedure"].generated == first["procedure"].generated
    assert not controller.errors


def test_keep_mine_then_generate_again_says_what_is_true(ws, controller, answer, dialogs):
    pid, check = _map(ws)
    did = docs.add_document(ws, {"title": "Order intake", "process_id": pid}).result
    generate_from_map(controller, did)
    mine = _sections(ws, did)["procedure"].text + "\n\nAsk sales when in doubt."
    docs.edit_section(ws, did, "procedure", mine)
    records.update_field(ws, "process_node", check, "name", "Check the drawing revision")
    answer.choices = {"procedure": KEEP}
    assert generate_from_map(controller, did) is True
    assert _sections(ws, did)["procedure"].text == mine                  # kept
    steps = controller.undo_stack.count()
    # again: the map has not changed, but the section differs from it — said so, and offered
    answer.choices = {}
    assert generate_from_map(controller, did) is False   # nothing chosen: nothing written
    assert not any("nothing changes" in m for m in dialogs.messages("information"))
    dialog = answer.seen[-1]
    assert dialog.summary.text() == ("The map has not changed since the last generation; "
                                     "section Procedure keeps your own text (it differs from "
                                     "the map's).")
    proc = next(m for m in dialog.merges if m.key == "procedure")
    assert proc.status == "kept" and dialog.choices["procedure"] == KEEP
    assert not dialog.apply_button.isEnabled() and dialog.chosen() == {}
    assert dialog.take.isVisibleTo(dialog) and not dialog.merge.isVisibleTo(dialog)
    assert controller.undo_stack.count() == steps
    answer.choices = {"procedure": TAKE}
    assert generate_from_map(controller, did) is True
    assert "Ask sales" not in _sections(ws, did)["procedure"].text
    assert "Check the drawing revision" in _sections(ws, did)["procedure"].text


def test_take_the_maps_warns_and_edit_marks_only_real_edits(qapp):
    from qms_desktop.core.procedure_merge import merge_regenerated

    old = "1. **Sales Engineer** checks.\n2. Ship."
    merges = merge_regenerated([("procedure", old + "\n\n*Yes:* call back.", old)],
                               {"procedure": old.replace("Ship.", "Ship it.")})
    d = GenerateDialog(merges)
    assert d.choices["procedure"] == MERGE
    assert "Sales Engineer" in d.mine.toPlainText() and "**" not in d.mine.toPlainText()
    d.set_choice("procedure", TAKE)
    assert d.warning.isVisibleTo(d) and "drops your own changes" in d.warning.text()
    assert "drops your edits" in d.list.item(0).text()
    d.edit.setChecked(True)                               # chosen, nothing edited yet
    assert "edited here" not in d.list.item(0).text()
    assert "not changed yet" in d.list.item(0).text()
    assert d.result_stack.currentWidget() is d.editor
    d.editor.setPlainText(d.editor.toPlainText() + " Today.")
    assert "✎ edited here" in d.list.item(0).text()
    assert d.chosen()["procedure"][0].endswith("call back. Today.")
    d.merge.setChecked(True)
    assert d.chosen()["procedure"][0] == old.replace("Ship.", "Ship it.") + \
        "\n\n*Yes:* call back."
    d.deleteLater()


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
    assert d.choices["procedure"] == KEEP and not d.merge.isVisibleTo(d)  # no clean merge
    assert d.chosen() == {"procedure": ("mine", "new")}
    d.set_choice("procedure", generate.EDIT, "mine and new")
    assert d.chosen() == {"procedure": ("mine and new", "new")}
    d.deleteLater()


def _in_view(browser, text: str) -> bool:
    """The rendered paragraph holding ``text`` lies wholly inside the pane's viewport."""
    doc = browser.document()
    top = browser.verticalScrollBar().value()
    b = doc.begin()
    while b.isValid():
        if text in b.text():
            r = doc.documentLayout().blockBoundingRect(b)
            return r.top() >= top and r.bottom() <= top + browser.viewport().height()
        b = b.next()
    raise AssertionError(f"{text!r} is not in the pane")


@pytest.mark.parametrize("where", [3, 30, 57])
def test_the_first_changes_new_text_is_scrolled_into_view(qtbot, where):
    """A change below the fold: the pane shows the struck-out old line and the new line after
    it, not the old line alone at the bottom edge."""
    from qms_desktop.core.procedure_merge import merge_regenerated

    old = "\n".join(f"{k}. Step number {k} of the order review is done." for k in range(1, 61))
    fresh = old.replace(f"{where}. Step number {where} of",
                        f"{where}. Step number {where} (reworded by the map) of")
    merges = merge_regenerated([("procedure", old, old)], {"procedure": fresh})
    assert merges[0].status == "update"
    d = GenerateDialog(merges)
    qtbot.addWidget(d)
    d.resize(900, 600)
    d.show()
    qtbot.waitExposed(d)
    d.list.setCurrentRow(-1)
    d.list.setCurrentRow(0)
    pane = d.theirs
    assert pane.verticalScrollBar().maximum() > 0  # the text is longer than the pane
    assert _in_view(pane, f"Step number {where} (reworded by the map) of")
    assert _in_view(pane, f"Step number {where} of the order")  # the old line, struck out
