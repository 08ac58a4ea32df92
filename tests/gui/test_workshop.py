"""Workshop mode (ui/checklists/workshop.py): a run answered by keyboard only, undo from the
window, the section timer with a fake clock, an agreed action captured in place, the type size
on a 1920×1080 screen, and the place handed back to the table view."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontInfo
from shiboken6 import isValid as shiboken_valid

from qms_desktop.services import checklists as C
from qms_desktop.services.checklists import ItemSpec, TemplateSpec

pytestmark = pytest.mark.usefixtures("shown")


def _run(ws, n_per_section=(2, 2)) -> int:
    items = []
    clauses = ("7.5", "8.4")
    for sec, (cl, n) in enumerate(zip(clauses, n_per_section)):
        items += [ItemSpec(f"Section {sec + 1}", cl, f"Question {cl}/{i}", "Ask to see one.",
                           "A record") for i in range(n)]
    tid = C.create_template(ws, TemplateSpec("w", "Workshop", "1", "gap_analysis", "", "",
                                             items)).result
    return C.start_run(ws, tid, {"started_on": dt.date(2025, 1, 1)}).result


@pytest.fixture
def run_id(ws):
    return _run(ws)


@pytest.fixture
def make(qtbot, controller):
    from qms_desktop.ui.checklists.workshop import WorkshopWindow

    made = []

    def build(run_id, parent=None, size=(1280, 720)):
        w = WorkshopWindow(controller, run_id, parent)
        if parent is None:
            qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitActive(w)
        w.setFocus()
        made.append(w)
        return w

    yield build
    for w in made:
        if shiboken_valid(w):
            w._tick.stop()


def results(ws, run_id):
    return [it.result for it in C.run_items(ws, run_id)]


def test_keyboard_only_answers_the_run(qtbot, ws, controller, run_id, make):
    w = make(run_id)
    assert w.place_text() == "Clause 7.5 — item 1 of 4"
    # a rating moves on to the next item, as in the Run tab's table
    qtbot.keyClick(w, Qt.Key.Key_1)
    assert w.place_text().endswith("item 2 of 4")
    for key in (Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4):
        qtbot.keyClick(w, key)
    assert results(ws, run_id) == ["conform", "partial", "nonconform", "na"]
    assert w.place_text() == "Clause 8.4 — item 4 of 4"  # the last item stays
    qtbot.keyClick(w, Qt.Key.Key_Left)
    assert w.place_text().endswith("item 3 of 4")
    qtbot.keyClick(w, Qt.Key.Key_5)  # back to "not yet assessed"
    assert results(ws, run_id)[2] is None
    assert w.place_text().endswith("item 4 of 4")
    qtbot.keyClick(w, Qt.Key.Key_Left)
    assert "1–5 rate and go to the next item" in w.hint_label.text()
    assert "← back" in w.hint_label.text()
    # one undo step per answer
    assert controller.undo_stack.count() == 5
    # progress per chapter and the score follow
    assert w.chapter_bars["7"].value() == 2 and w.chapter_bars["8"].value() == 1
    assert "75 %" in w.score_label.text()
    assert w.result_buttons[None].isChecked()


def test_undo_in_the_window(qtbot, ws, controller, run_id, make):
    w = make(run_id)
    qtbot.keyClick(w, Qt.Key.Key_3)
    assert results(ws, run_id)[0] == "nonconform"
    qtbot.keyClick(w, Qt.Key.Key_Left)  # the rating moved on; back to the item
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert results(ws, run_id)[0] is None
    assert w.items[0].result is None and w.result_buttons[None].isChecked()
    assert w.chapter_bars["7"].value() == 0
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert results(ws, run_id)[0] == "nonconform"
    assert w.result_buttons["nonconform"].isChecked()


def test_typing_does_not_answer_and_evidence_is_saved(qtbot, ws, controller, run_id, make):
    w = make(run_id)
    qtbot.keyClick(w, Qt.Key.Key_E)
    assert w.focusWidget() is w.evidence_edit
    qtbot.keyClicks(w.evidence_edit, "Seen 3 records")
    qtbot.keyClick(w.evidence_edit, Qt.Key.Key_Escape)  # back to the item, window stays
    assert w.isVisible() and w.focusWidget() is w
    assert results(ws, run_id)[0] is None  # the digit went into the text
    assert C.run_items(ws, run_id)[0].evidence == "Seen 3 records"
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert not w.isVisible()


def test_section_timer_and_pause(qtbot, run_id, make):
    w = make(run_id)
    now = [100.0]
    w.clock = lambda: now[0]
    w._section, w._entered, w._section_time = None, None, {}
    w._enter_section(w.current.section)
    now[0] = 130.0
    assert w.section_elapsed() == pytest.approx(30)
    qtbot.keyClick(w, Qt.Key.Key_P)
    assert w.timer_paused and "paused" in w.timer_label.text()
    now[0] = 500.0
    assert w.section_elapsed() == pytest.approx(30)  # a pause does not count
    qtbot.keyClick(w, Qt.Key.Key_P)
    now[0] = 510.0
    assert w.section_elapsed() == pytest.approx(40)
    assert "00:40" in (w._show_timer() or w.timer_label.text())
    qtbot.keyClick(w, Qt.Key.Key_Right)  # same section
    assert w.section_elapsed() == pytest.approx(40)
    qtbot.keyClick(w, Qt.Key.Key_Right)  # section 2 starts at zero
    assert w.current.section == "Section 2"
    assert w.section_elapsed() == pytest.approx(0)
    now[0] = 520.0
    qtbot.keyClick(w, Qt.Key.Key_Left)  # back to section 1: its time goes on
    assert w.section_elapsed() == pytest.approx(40)


def test_action_captured_in_place(qtbot, ws, controller, run_id, make):
    from qms_desktop.services import actions
    from qms_desktop.services import records as R

    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    w = make(run_id)
    qtbot.waitUntil(lambda: w.owner_combo.count() == 2)
    qtbot.keyClick(w, Qt.Key.Key_3)
    qtbot.keyClick(w, Qt.Key.Key_Left)  # the rating moved on; back to the item
    qtbot.keyClick(w, Qt.Key.Key_A)
    assert w.focusWidget() is w.action_edit
    # the due date is proposed a month ahead
    assert w.due_edit.date().toPython() == dt.date.today() + dt.timedelta(days=30)
    qtbot.keyClicks(w.action_edit, "Write the 7.5 procedure")
    qtbot.keyClick(w.action_edit, Qt.Key.Key_Tab)
    assert w.focusWidget() is w.owner_combo
    w.owner_combo.setCurrentIndex(w.owner_combo.findData(ann))
    qtbot.keyClick(w.owner_combo, Qt.Key.Key_Tab)
    assert w.focusWidget() is w.due_edit
    w.due_edit.setDate(QDate(2030, 5, 31))
    before = controller.undo_stack.count()
    qtbot.keyClick(w.due_edit, Qt.Key.Key_Return)  # Enter adds from the due field too
    assert controller.undo_stack.count() == before + 1  # finding + action: one step
    rid = w.current_response_id()
    fs = [f for f in C.findings(ws, run_id) if f.response_id == rid]
    assert len(fs) == 1 and fs[0].kind == "minor" and fs[0].clause == "7.5"
    acts = actions.actions_for(ws, "finding", fs[0].id)
    assert [(a.title, a.owner_id, a.due_date) for a in acts] == [
        ("Write the 7.5 procedure", ann, dt.date(2030, 5, 31))]
    assert "Write the 7.5 procedure" in w.actions_label.text()
    assert w.action_edit.text() == "" and w.place_text().endswith("item 1 of 4")
    assert w.focusWidget() is w.action_edit  # ready for the next one
    assert w.owner_combo.currentData() is None
    assert w.due_edit.date().toPython() == dt.date.today() + dt.timedelta(days=30)
    # a second action goes to the same finding; no owner, the date emptied on purpose
    qtbot.keyClicks(w.action_edit, "Train the team")
    qtbot.keyClick(w.action_edit, Qt.Key.Key_Tab)
    qtbot.keyClick(w.owner_combo, Qt.Key.Key_Tab)
    assert w.focusWidget() is w.due_edit
    qtbot.keyClick(w.due_edit, Qt.Key.Key_Delete)
    assert w.due_edit.date() == w.due_edit.minimumDate()
    w.add_button.click()
    assert len([f for f in C.findings(ws, run_id) if f.response_id == rid]) == 1
    acts = actions.actions_for(ws, "finding", fs[0].id)
    assert sorted(a.title for a in acts) == ["Train the team", "Write the 7.5 procedure"]
    assert [(a.owner_id, a.due_date) for a in acts if a.title == "Train the team"] == [
        (None, None)]
    assert "no owner" in w.actions_label.text()
    controller.undo()
    assert len(actions.actions_for(ws, "finding", fs[0].id)) == 1
    assert "Train the team" not in w.actions_label.text()


def test_type_size_on_a_projector(qtbot, run_id, make):
    w = make(run_id, size=(1920, 1080))
    assert w.height() == 1080
    for lab in (w.question_label, w.guidance_label, w.expected_label, w.place_label,
                w.evidence_edit, w.result_buttons["conform"], w.action_edit, w.section_label):
        assert QFontInfo(lab.font()).pixelSize() >= 28, lab
    assert QFontInfo(w.question_label.font()).pixelSize() >= 40
    small = w.font_px()["body"]
    w.resize(1280, 720)
    qtbot.waitUntil(lambda: w.font_px()["body"] < small)
    assert QFontInfo(w.question_label.font()).pixelSize() < 40  # scales with the screen


def test_place_is_returned(qtbot, ws, controller, run_id, make):
    from PySide6.QtWidgets import QWidget

    class Page(QWidget):
        selected = None

        def select_response(self, rid):
            self.selected = rid

    page = Page()
    qtbot.addWidget(page)
    w = make(run_id, parent=page)
    items = C.run_items(ws, run_id)
    with qtbot.waitSignal(w.placeChanged) as sig:
        qtbot.keyClick(w, Qt.Key.Key_Right)
    assert sig.args == [items[1].response_id] == [w.current_response_id()]
    assert w.go_to(items[3].response_id) and w.current_response_id() == items[3].response_id
    with qtbot.waitSignal(w.closedAt) as sig:
        w.close()
    assert sig.args == [items[3].response_id]
    assert page.selected == items[3].response_id


def test_opens_on_the_first_open_item_and_redraws_the_chart(qtbot, ws, controller, run_id,
                                                           make):
    first = C.run_items(ws, run_id)
    C.answer(ws, first[0].response_id, result="conform")
    w = make(run_id)
    assert w.current_response_id() == first[1].response_id
    qtbot.waitUntil(lambda: w._chart is not None)
    fig, _canvas = w._chart
    keys = fig._qms_chapters["keys"]
    qtbot.keyClick(w, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: "50 %" in [t.get_text() for t in fig._qms_chapters["values"]])
    assert w._chart[0] is fig and fig._qms_chapters["keys"] == keys  # redrawn in place


def test_chart_text_and_rule_readable_on_a_projector(qtbot, run_id, make):
    from matplotlib.text import Text

    w = make(run_id, size=(1920, 1080))
    assert QFontInfo(w.rule_label.font()).pixelSize() >= 24
    qtbot.waitUntil(lambda: w._chart is not None)
    fig, canvas = w._chart
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert texts
    box = fig.bbox
    for t in texts:
        assert t.get_fontsize() * fig.dpi / 72 >= 24 - 0.5, t
        ext = t.get_window_extent(renderer)
        # not crowded off the canvas
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, t
        assert ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, t
    ticks = [t for t in fig._qms_chapters["ax"].get_xticklabels() if t.get_text()]
    exts = [t.get_window_extent(renderer) for t in ticks]
    assert all(a.x1 <= b.x0 for a, b in zip(exts, exts[1:]))  # tick labels do not overlap
