"""Every date field of a dialog refuses an impossible date instead of turning it into another
day (Qt's plain date box made 2026-11-31 the 30th and could not be emptied): the training
record's "Completed on", the roadmap's commitment and certification, "Make effective" and the
audit trail's day filters — driven by real key presses. And the sentences a refused date gets:
said for a form field, slash dates read either way under an ISO display, dotted dates day
first, the example never twice.

The test locale is English (United States): the user's format is M/d/yyyy."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from qms_desktop.ui.table import delegates
from qms_desktop.ui.table.delegates import DateEditor, format_date, read_typed_date

pytestmark = pytest.mark.usefixtures("shown")

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)
LAST_YEAR = TODAY.year - 1


def type_into(qtbot, edit: DateEditor, text: str, enter: bool = True) -> None:
    """Select the field's text and type ``text`` over it (then Enter)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit.lineEdit(), Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit.lineEdit(), text)
    if enter:
        qtbot.keyClick(edit.lineEdit(), Qt.Key.Key_Return)


# ---------------------------------------------------------------------- the sentences
@pytest.fixture
def iso_display(monkeypatch):
    monkeypatch.setattr(delegates, "date_format", lambda: "yyyy-MM-dd")


def test_under_an_iso_display_slash_dates_read_either_way_when_only_one_is_a_date(iso_display):
    assert delegates.slash_order() is None
    assert read_typed_date("20/01/2027").date == dt.date(2027, 1, 20)
    assert read_typed_date("01/20/2027").date == dt.date(2027, 1, 20)
    assert read_typed_date("04/04/2027").date == dt.date(2027, 4, 4)
    got = read_typed_date("03/04/2027")
    assert got.date is None and got.problem == (
        "“03/04/2027” could be 3 April or 4 March: type it as 2027-04-03 or 2027-03-04.")
    got = read_typed_date("31/02/2027")
    assert got.date is None and "February 2027 has 28 days" in got.problem
    assert "file" not in got.problem


def test_dotted_dates_are_day_first_and_the_example_is_never_repeated(iso_display):
    assert read_typed_date("20.01.2027").date == dt.date(2027, 1, 20)
    assert read_typed_date("5.3.2027").date == dt.date(2027, 3, 5)
    got = read_typed_date("15")
    iso = TODAY.isoformat()
    assert got.problem == f"“15” is not a date; type it as {iso}."
    assert got.problem.count(iso) == 1


def test_in_the_users_order_a_refused_slash_date_speaks_of_the_field_not_a_file():
    assert delegates.slash_order() == "mdy"
    assert read_typed_date("20.01.2027").date == dt.date(2027, 1, 20)  # not a bare number
    got = read_typed_date("31/02/2027")
    assert got.date is None
    assert got.problem == (f"“31/02/2027” is not a date written month/day/year (there is no "
                           f"month 31); type it as {format_date(TODAY)} or {TODAY.isoformat()}.")
    assert "file" not in got.problem


def test_a_field_with_rules_refuses_what_they_do_not_allow(qtbot, iso_display):
    edit = DateEditor()
    qtbot.addWidget(edit)
    edit.set_required(True, "Give the day.")
    edit.set_latest(TODAY, "{day} is after {latest}.")
    edit.set_value(TODAY - DAY)
    edit.show()
    qtbot.waitExposed(edit)
    type_into(qtbot, edit, (TODAY + DAY).isoformat())
    assert edit.property("invalid") and edit.value() == TODAY - DAY
    assert edit.problem == f"{(TODAY + DAY).isoformat()} is after {TODAY.isoformat()}."
    type_into(qtbot, edit, "")
    assert edit.problem == "Give the day." and edit.value() == TODAY - DAY
    qtbot.keyClick(edit.lineEdit(), Qt.Key.Key_Up)  # Up never goes past the latest day
    edit.set_value(TODAY)
    qtbot.keyClick(edit.lineEdit(), Qt.Key.Key_Up)
    assert edit.value() == TODAY
    type_into(qtbot, edit, "20/01/2020")  # day first: the only way it is a date
    assert not edit.property("invalid") and edit.value() == dt.date(2020, 1, 20)
    assert edit.text() == "2020-01-20"


# ---------------------------------------------------------------------- training
def test_the_training_record_refuses_an_impossible_or_future_completion(qtbot, controller):
    from qms_desktop.services import training as T
    from qms_desktop.ui.pages import page_specs
    from qms_desktop.ui.training import TrainingPage

    ws = controller.workspace
    role = T.add_role(ws, "Machinist").result
    ann = T.add_person(ws, {"name": "Ann Lee", "hired_on": TODAY - 900 * DAY}, [role]).result
    saf = T.add_course(ws, {"code": "SAF-1", "title": "Machine safety", "kind": "classroom"},
                       [role]).result
    spec = next(s for s in page_specs() if s.key == "training")
    page = TrainingPage(controller, spec)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.open_cell(page.model.index_of(ann, saf))
    dialog = page._dialog
    qtbot.waitExposed(dialog)
    field = dialog.form.completed
    assert isinstance(field, DateEditor) and field.value() == TODAY

    type_into(qtbot, field, f"{LAST_YEAR}-11-31")  # Qt's box made it the 30th
    assert field.property("invalid") and "November" in field.toolTip()
    assert dialog.add_record() is None and T.history(ws, ann, saf) == []
    assert field.text() == f"{LAST_YEAR}-11-31"  # what was typed stays, marked

    type_into(qtbot, field, (TODAY + DAY).strftime("%d.%m.%Y"))
    assert dialog.add_record() is None and T.history(ws, ann, saf) == []
    assert "in the future" in field.problem

    type_into(qtbot, field, "")  # a completion day is required
    assert dialog.add_record() is None and "required" in field.problem

    type_into(qtbot, field, f"20.01.{LAST_YEAR}")  # Enter: the default button adds it
    assert [r.completed_on for r in T.history(ws, ann, saf)] == [dt.date(LAST_YEAR, 1, 20)]
    dialog.close()


def test_ask_date_stays_open_on_a_refused_day(qtbot, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from qms_desktop.ui.training import dialogs

    seen = {}

    def run(dialog):
        edit = dialog.date_edit
        dialog.show()
        type_into(qtbot, edit, f"{LAST_YEAR}-02-30", enter=False)
        dialog.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Ok).click()
        seen["open"] = dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
        seen["problem"] = edit.problem
        type_into(qtbot, edit, f"{LAST_YEAR}-02-28", enter=False)
        dialog.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Ok).click()
        return dialog.result()

    def exec_(self):
        self.date_edit = self.findChild(DateEditor)
        return run(self)

    monkeypatch.setattr(QDialog, "exec", exec_)
    assert dialogs.ask_date(None, "Mark as left", "Last day") == dt.date(LAST_YEAR, 2, 28)
    assert seen["open"] and "February" in seen["problem"]


# ---------------------------------------------------------------------- roadmap
def test_the_commitment_refuses_an_impossible_or_future_day(qtbot):
    from qms_desktop.ui.roadmap.dialog import ConfirmDialog

    dialog = ConfirmDialog("commitment", TODAY - 3 * DAY, "The managing director")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.date_edit
    assert isinstance(field, DateEditor)
    type_into(qtbot, field, f"{LAST_YEAR}-02-31")  # Qt's box made it 3 March
    assert dialog.isVisible() and not dialog.ok.isEnabled()
    assert "February" in dialog.message.text() and dialog.message.isVisibleTo(dialog)
    assert dialog.values()[0] == TODAY - 3 * DAY  # nothing else taken
    type_into(qtbot, field, (TODAY + DAY).isoformat())
    assert dialog.isVisible() and "in the future" in dialog.problem()
    type_into(qtbot, field, f"{LAST_YEAR}-03-01", enter=False)
    assert dialog.ok.isEnabled()  # corrected: OK again as soon as it reads
    qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.values() == (dt.date(LAST_YEAR, 3, 1), "The managing director")


def test_the_certification_audit_may_be_ahead_but_not_impossible(qtbot):
    from qms_desktop.ui.roadmap.dialog import ConfirmDialog

    dialog = ConfirmDialog("certification", None, "Cert Body Ltd")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    ahead = TODAY.year + 1
    type_into(qtbot, dialog.date_edit, f"{ahead}-11-31")
    assert dialog.isVisible() and "November" in dialog.problem()
    type_into(qtbot, dialog.date_edit, f"{ahead}-01-20")  # Qt's box read it as this year
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.values()[0] == dt.date(ahead, 1, 20)


# ---------------------------------------------------------------------- make effective
def test_make_effective_refuses_a_future_or_impossible_day(qtbot):
    from qms_desktop.ui.documents.page import EffectiveDayDialog

    dialog = EffectiveDayDialog("B", "QP-001")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.day
    assert isinstance(field, DateEditor) and field.value() == TODAY
    type_into(qtbot, field, (TODAY + 2 * DAY).strftime("%m/%d/%Y"))
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert "in the future" in field.problem and field.property("invalid")
    type_into(qtbot, field, f"{LAST_YEAR}-02-30")
    assert dialog.isVisible() and "February" in field.problem
    assert field.date().toPython() == TODAY  # the callers' read: never another day
    back = TODAY - 3 * DAY
    type_into(qtbot, field, back.isoformat(), enter=False)  # said as soon as it reads
    assert dialog.back.isVisibleTo(dialog) and "3 days ago" in dialog.back.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert field.date().toPython() == back


# ---------------------------------------------------------------------- audit trail
def test_the_audit_trail_day_filters_refuse_an_impossible_day_and_may_be_emptied(
        window, make_ws, open_ws, qtbot):
    open_ws(window, make_ws())
    window.show_page("audit_trail")
    page = window.page("audit_trail")
    qtbot.waitExposed(page)
    since = page.since_filter
    assert isinstance(since, DateEditor) and since.value() is None
    assert since.specialValueText() == "any day"
    total = page.model.rowCount()
    assert total > 0
    type_into(qtbot, since, f"{TODAY.year}-02-30")
    assert since.property("invalid") and "February" in since.problem
    assert page.model.rowCount() == total and "matching" not in page.count_label.text()
    type_into(qtbot, since, (TODAY + 2 * DAY).strftime("%d.%m.%Y"))
    assert since.value() == TODAY + 2 * DAY
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.clear_filters_button.isEnabled()
    type_into(qtbot, since, "")  # emptied: any day again
    assert since.value() is None
    qtbot.waitUntil(lambda: page.model.rowCount() == total)
    page.set_filters(until=TODAY - 400 * DAY)
    assert page.until_filter.value() == TODAY - 400 * DAY and page.model.rowCount() == 0
