"""The Management review page (ui/reviews): a new review with its inputs collected, an input
edited (marked, kept when collecting again, undone), an output that becomes an action on the
Actions page (and goes with undo), closing, jumps to a review's item, the models under
qtmodeltester."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QTextCursor

from qms_desktop.services import actions as A
from qms_desktop.services import records as R
from qms_desktop.services import review as RV

pytestmark = pytest.mark.usefixtures("shown")

TODAY = dt.date.today()


@pytest.fixture
def page(make_window, make_ws, open_ws, qtbot):
    path = make_ws()
    window = make_window()
    ws = open_ws(window, path)
    R.create(ws, "person", {"name": "Ann Lee"})
    R.create(ws, "nonconformity", {"ref": "NC-1", "title": "Bore oversize",
                                   "source": "customer complaint",
                                   "detected_on": TODAY - dt.timedelta(days=3)})
    window.show_page("reviews")
    p = window.page("reviews")
    qtbot.waitUntil(lambda: p.isVisible())
    p.window_ = window
    return p


def type_into(edit, text: str) -> None:
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.insertPlainText(text)


def test_new_review_collects_its_inputs(page, qtmodeltester):
    assert page.pack.review_id is None
    rid = page.new_review(("MR test", TODAY - dt.timedelta(days=30), TODAY))
    assert rid is not None and page.current_id() == rid
    assert page.pack.review_id == rid
    assert "1 customer complaint" in page.pack.sections["customer"].stored
    assert "as collected" in page.pack.markers["customer"].text()
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    qtmodeltester.check(page.pack.outputs)
    # one undo step takes the review away again
    page.window_.controller.undo()
    assert page.model.rows == [] and RV.list_reviews(page.workspace) == []


def test_edit_an_input_then_collect_again_keeps_it_and_undo(page):
    rid = page.new_review(("MR test", TODAY - dt.timedelta(days=30), TODAY))
    edit = page.pack.sections["customer"]
    type_into(edit, " The team's note.")
    assert page.pack.commit_section(edit, seal=True)
    item = RV.get_review(page.workspace, rid).item("customer")
    assert item.edited and item.text.endswith("The team's note.")
    assert "edited" in page.pack.markers["customer"].text()
    R.create(page.workspace, "nonconformity", {"ref": "NC-2", "title": "Second",
                                               "source": "customer complaint",
                                               "detected_on": TODAY})
    report = page.pack.collect_again()
    assert report.kept == ["customer"]
    assert "Customer satisfaction" in page.pack.note.text()
    assert "NC-2" not in page.pack.sections["customer"].stored
    ctl = page.window_.controller
    ctl.undo()   # collecting again
    ctl.undo()   # the edit
    item = RV.get_review(page.workspace, rid).item("customer")
    assert not item.edited and "as collected" in page.pack.markers["customer"].text()
    assert page.pack.sections["customer"].stored == item.text


def test_an_output_becomes_an_action_on_the_actions_page(page, qtmodeltester):
    rid = page.new_review(("MR test", TODAY - dt.timedelta(days=30), TODAY))
    iid = page.pack.add_output("resource_need", text="Second CMM operator")
    assert iid is not None and page.pack.outputs.rowCount() == 1
    row = page.pack.outputs.rows[0]
    assert row.action_ref.startswith("A-") and row.action_status == "open"
    qtmodeltester.check(page.pack.outputs)
    window = page.window_
    window.show_page("actions")
    actions_page = window.page("actions")
    titles = {(r.title, r.source_kind) for r in actions_page.model.rows}
    assert ("Second CMM operator", "review") in titles
    # the review's row counts it
    window.show_page("reviews")
    assert page.model.get(rid).outputs == 1 and page.model.get(rid).actions == 1
    window.controller.undo()
    assert page.pack.outputs.rowCount() == 0
    assert A.actions_for(page.workspace, "management_review", rid) == []
    window.show_page("actions")
    assert all(r.title != "Second CMM operator" for r in actions_page.model.rows)


def test_close_review_needs_chair_day_and_output(page):
    rid = page.new_review(("MR test", TODAY - dt.timedelta(days=30), TODAY))
    assert not page.pack.close_review(ask=False)
    assert "cannot be closed yet" in page.pack.note.text()
    page.pack.fields["chair"].setText("Ann Lee")
    page.pack._commit_field("chair")
    page.pack.fields["held_on"].set_value(TODAY)
    page.pack._commit_field("held_on")
    page.pack.no_changes.click()
    assert page.pack.outputs.rows[0].text == RV.NO_CHANGES
    assert page.pack.close_review(ask=False)
    assert RV.get_review(page.workspace, rid).row.status == "held"
    assert not page.pack.act_collect.isEnabled()


def test_select_record_shows_the_review_and_its_item(page):
    a = page.new_review(("MR one", TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=31)))
    b = page.new_review(("MR two", TODAY - dt.timedelta(days=30), TODAY))
    assert page.current_id() == b
    assert page.select_record("management_review", a) and page.current_id() == a
    item = RV.get_review(page.workspace, b).item("risks")
    assert page.select_record("review_item", item.id) and page.current_id() == b
    assert not page.select_record("risk", 1)
