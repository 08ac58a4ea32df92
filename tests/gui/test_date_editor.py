"""The table kit's date editor driven by real key and mouse events, in a detail panel and in a
table cell: a date typed into an empty field (the user's format or ISO) is stored; Up on an
empty field starts from today, never from the minimum date; an impossible date is refused
visibly and nothing is stored; clearing the field stores empty.

The test locale is English (United States): the user's format is M/d/yyyy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout

from qms_desktop.services import records
from qms_desktop.ui.table import DATE, TEXT, Column, DateEditor, DetailPanel, RowModel, \
    TableDelegate, edit_triggers
from qms_desktop.ui.table.delegates import format_date

pytestmark = pytest.mark.usefixtures("shown")


@dataclass
class PersonRow:
    id: int
    name: str
    hired_on: dt.date | None


def person_rows(ws, ids):
    return [PersonRow(r["id"], r["name"], r["hired_on"])
            for r in (records.get(ws, "person", i) for i in ids)]


def hired(ws, rid):
    return records.get(ws, "person", rid)["hired_on"]


@pytest.fixture
def people(ws):
    ada = records.create(ws, "person", {"name": "Ada"}).result
    ben = records.create(ws, "person", {"name": "Ben"}).result
    records.update_field(ws, "person", ben, "hired_on", dt.date(2026, 1, 15))
    return ada, ben


@pytest.fixture
def panel(controller, ws, qtbot, people):
    p = DetailPanel(controller, "person")
    qtbot.addWidget(p)
    lay = QVBoxLayout(p)
    p.date = p.bind("hired_on", DateEditor(p))
    p.other = QLineEdit(p)
    lay.addWidget(p.date)
    lay.addWidget(p.other)
    p.show()
    p.activateWindow()
    qtbot.waitExposed(p)
    p.other.setFocus()  # the user comes to the date from elsewhere
    qtbot.waitUntil(p.other.hasFocus)
    p.show_person = lambda rid: p.show_row(person_rows(ws, [rid])[0])
    return p


def click_into(qtbot, editor: DateEditor, x: int | None = None) -> None:
    """A mouse click into the field's text, as a user would (at its left unless ``x``)."""
    target = editor.findChild(QLineEdit)
    pos = QPoint(x if x is not None else 6, target.height() // 2)
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(editor.hasFocus)
    QTest.qWait(0)  # let the editor react to the click (selecting its text)


def leave(qtbot, panel) -> None:
    panel.other.setFocus()
    qtbot.waitUntil(panel.other.hasFocus)


def test_typing_a_date_into_an_empty_field_stores_it(panel, ws, people, qtbot, controller):
    ada, _ben = people
    panel.show_person(ada)
    assert panel.date.value() is None
    click_into(qtbot, panel.date)
    qtbot.keyClicks(panel.date, "2027-01-20")
    assert "—" not in panel.date.text()
    leave(qtbot, panel)
    assert hired(ws, ada) == dt.date(2027, 1, 20)
    assert panel.date.text() == "1/20/2027"  # shown back in the user's format
    assert controller.undo_stack.count() == 1
    # the user's own format works the same, and Enter commits without leaving
    panel.show_person(ada)
    click_into(qtbot, panel.date, x=panel.date.width() - 40)
    qtbot.keyClicks(panel.date, "3/4/2027")
    qtbot.keyClick(panel.date, Qt.Key.Key_Return)
    assert hired(ws, ada) == dt.date(2027, 3, 4)


def test_up_on_an_empty_field_starts_from_today(panel, ws, people, qtbot):
    ada, _ben = people
    panel.show_person(ada)
    click_into(qtbot, panel.date)
    qtbot.keyClick(panel.date, Qt.Key.Key_Up)
    assert panel.date.value() == dt.date.today()
    qtbot.keyClick(panel.date, Qt.Key.Key_Up)
    assert panel.date.value() == dt.date.today() + dt.timedelta(days=1)
    leave(qtbot, panel)
    assert hired(ws, ada) == dt.date.today() + dt.timedelta(days=1)
    panel.show_person(ada)
    click_into(qtbot, panel.date)
    qtbot.keyClick(panel.date, Qt.Key.Key_Down)
    assert panel.date.value() == dt.date.today()


def test_typing_over_a_date_replaces_it_year_and_all(panel, ws, people, qtbot):
    _ada, ben = people
    panel.show_person(ben)
    assert panel.date.text() == "1/15/2026"
    # a click anywhere in the date selects it, so what is typed replaces it
    click_into(qtbot, panel.date, x=panel.date.width() // 3)
    qtbot.keyClicks(panel.date, "2027-01-20")
    leave(qtbot, panel)
    assert hired(ws, ben) == dt.date(2027, 1, 20)


def test_an_impossible_date_is_refused_visibly_and_nothing_is_stored(panel, ws, people, qtbot,
                                                                     controller):
    _ada, ben = people
    notices = []
    controller.notice.connect(notices.append)
    panel.show_person(ben)
    click_into(qtbot, panel.date)
    qtbot.keyClicks(panel.date, "2027-02-31")
    leave(qtbot, panel)
    assert hired(ws, ben) == dt.date(2026, 1, 15)  # unchanged, not 2026-02-03 or 2027-03-03
    assert controller.undo_stack.count() == 0
    assert panel.date.text() == "2027-02-31"  # what was typed stays, to be corrected
    assert panel.date.problem and "February 2027 has 28 days" in panel.date.problem
    assert panel.date.property("invalid") is True
    assert panel.date.problem in panel.date.toolTip()
    assert notices == [panel.date.problem]
    # Enter on it is refused too; correcting it stores the date and clears the mark
    click_into(qtbot, panel.date)
    qtbot.keyClicks(panel.date, "2/28/2027")
    qtbot.keyClick(panel.date, Qt.Key.Key_Return)
    assert hired(ws, ben) == dt.date(2027, 2, 28)
    assert not panel.date.problem and not panel.date.property("invalid")
    # showing another record drops the mark
    click_into(qtbot, panel.date)
    qtbot.keyClicks(panel.date, "not a date")
    qtbot.keyClick(panel.date, Qt.Key.Key_Return)
    assert panel.date.problem and hired(ws, ben) == dt.date(2027, 2, 28)
    panel.show_person(ben)
    assert not panel.date.problem and panel.date.text() == "2/28/2027"


def test_clearing_the_field_stores_empty(panel, ws, people, qtbot):
    _ada, ben = people
    panel.show_person(ben)
    click_into(qtbot, panel.date)
    qtbot.keyClick(panel.date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.date, Qt.Key.Key_Delete)
    assert panel.date.value() is None
    leave(qtbot, panel)
    assert hired(ws, ben) is None
    panel.show_person(ben)
    assert panel.date.value() is None and panel.date.text() == ""


@pytest.mark.qt_log_ignore(r"This plugin does not support grabbing the keyboard",
                           r"This plugin does not support raise\(\)",
                           r"This plugin does not support propagateSizeHints\(\)")
def test_the_calendar_pick_commits_at_once(panel, ws, people, qtbot):
    ada, _ben = people
    panel.show_person(ada)
    panel.date.show_calendar()
    cal = panel.date.calendar
    qtbot.waitUntil(cal.isVisible)
    assert cal.selectedDate().toPython() == dt.date.today()  # not 1900
    cal.setSelectedDate(cal.selectedDate().addDays(3))
    qtbot.keyClick(cal.findChild(QTableView), Qt.Key.Key_Return)
    assert hired(ws, ada) == dt.date.today() + dt.timedelta(days=3)
    assert not cal.isVisible()


# ---------------------------------------------------------------------- in a table cell
@pytest.fixture
def table(controller, ws, qtbot, people):
    def commit(row, column, value):
        return controller.edit("Change person", lambda w: records.update_field(
            w, "person", row.id, column.key, value))

    model = RowModel((Column("name", "Name", editor=TEXT),
                      Column("hired_on", "Hired", editor=DATE)), kind="person",
                     load=lambda ids: person_rows(ws, ids if ids is not None else people),
                     commit=commit)
    model.reload()
    controller.changed.connect(model.refresh_ids)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegate(TableDelegate(view))
    view.setEditTriggers(edit_triggers())
    view.resize(500, 200)
    view.show()
    view.activateWindow()
    qtbot.waitExposed(view)
    view.setFocus()
    return view, model


def cell_editor(view) -> DateEditor | None:
    return view.findChild(DateEditor)


def type_in_cell(qtbot, view, model, rid, text):
    index = model.index(model.row_of(rid), 1)
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: cell_editor(view) is not None)
    editor = cell_editor(view)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits it queued
    return editor


def stored_then(qtbot, ws, rid, value):
    qtbot.waitUntil(lambda: hired(ws, rid) == value)


def test_typing_a_date_in_an_empty_cell_stores_it(table, ws, people, qtbot):
    view, model = table
    ada, _ben = people
    type_in_cell(qtbot, view, model, ada, "2027-01-20")
    stored_then(qtbot, ws, ada, dt.date(2027, 1, 20))
    qtbot.waitUntil(lambda: cell_editor(view) is None)
    # typing on the cell opens the editor with the first key and keeps it
    view.setCurrentIndex(model.index(model.row_of(ada), 1))
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: cell_editor(view) is not None)
    editor = cell_editor(view)
    qtbot.keyClicks(editor, "2/5/2028")
    assert editor.text() == "12/5/2028"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    stored_then(qtbot, ws, ada, dt.date(2028, 12, 5))


def test_an_impossible_date_in_a_cell_is_refused(table, ws, people, qtbot, qapp):
    view, model = table
    _ada, ben = people
    editor = type_in_cell(qtbot, view, model, ben, "2027-02-31")
    qapp.processEvents()  # what the view would have queued
    assert hired(ws, ben) == dt.date(2026, 1, 15)
    assert cell_editor(view) is editor  # still open, showing what is wrong
    assert editor.property("invalid") is True and "28 days" in editor.toolTip()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # emptied: stored empty
    stored_then(qtbot, ws, ben, None)


def test_up_in_an_empty_cell_starts_from_today(table, ws, people, qtbot):
    view, model = table
    ada, _ben = people
    view.setCurrentIndex(model.index(model.row_of(ada), 1))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: cell_editor(view) is not None)
    editor = cell_editor(view)
    qtbot.keyClick(editor, Qt.Key.Key_Up)
    assert editor.text() == format_date(dt.date.today())
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    stored_then(qtbot, ws, ada, dt.date.today())
