"""The Training page (ui/training): the computed matrix on screen (statuses readable without
colour, why in the tooltip, filters, frozen names and headers), a record added from a cell and
a whole session as one undo step each, what-if, people and courses lists, read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from qms_desktop.core import training as rules
from qms_desktop.services import training as T

pytestmark = pytest.mark.usefixtures("shown")

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)


def populate(ws) -> dict:
    mach = T.add_role(ws, "Machinist").result
    insp = T.add_role(ws, "Inspector").result
    ann = T.add_person(ws, {"name": "Ann Lee", "employee_no": "E1", "department": "Production",
                            "hired_on": TODAY - 900 * DAY}, [mach]).result
    bob = T.add_person(ws, {"name": "Bob Stone", "employee_no": "E2", "department": "Quality",
                            "hired_on": TODAY - 900 * DAY}, [insp]).result
    cy = T.add_person(ws, {"name": "Cy Young", "department": "Production",
                           "hired_on": TODAY - 400 * DAY}, [mach]).result
    saf = T.add_course(ws, {"code": "SAF-1", "title": "Machine safety", "kind": "classroom",
                            "validity_months": 12}, [mach, insp]).result
    cmm = T.add_course(ws, {"code": "CMM-1", "title": "CMM operation", "kind": "external"},
                       [insp]).result
    T.add_records(ws, saf, [ann], {"completed_on": TODAY - 100 * DAY})  # current
    T.add_records(ws, saf, [bob], {"completed_on": TODAY - 340 * DAY})  # expiring
    T.add_records(ws, saf, [cy], {"completed_on": TODAY - 400 * DAY})  # expired
    return dict(mach=mach, insp=insp, ann=ann, bob=bob, cy=cy, saf=saf, cmm=cmm)


def make_page(qtbot, controller):
    from qms_desktop.ui.pages import page_specs
    from qms_desktop.ui.training import TrainingPage

    spec = next(s for s in page_specs() if s.key == "training")
    page = TrainingPage(controller, spec)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def world(ws):
    return populate(ws)


@pytest.fixture
def page(qtbot, controller, world):
    return make_page(qtbot, controller)


def status_of(page, pid, cid):
    index = page.model.index_of(pid, cid)
    assert index.isValid()
    return index.data(Qt.ItemDataRole.AccessibleTextRole), index.data(Qt.ItemDataRole.DisplayRole)


def test_the_page_is_registered_and_the_models_pass_the_model_tester(qtmodeltester, page):
    from qms_desktop.ui.pages import load_factory, page_specs

    spec = next(s for s in page_specs() if s.key == "training")
    assert load_factory(spec).__name__ == "TrainingPage"
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.people_model)
    qtmodeltester.check(page.courses_model)


def test_matrix_shows_each_status_with_its_symbol_and_why(page, world):
    w = world
    assert page.model.rowCount() == 3 and page.model.columnCount() == 2
    assert status_of(page, w["ann"], w["saf"]) == ("current", rules.SYMBOLS["current"])
    assert status_of(page, w["bob"], w["saf"]) == ("expiring", rules.SYMBOLS["expiring"])
    assert status_of(page, w["cy"], w["saf"]) == ("expired", rules.SYMBOLS["expired"])
    assert status_of(page, w["bob"], w["cmm"]) == ("missing", rules.SYMBOLS["missing"])
    assert status_of(page, w["ann"], w["cmm"]) == ("not required", "")
    tip = page.model.index_of(w["bob"], w["cmm"]).data(Qt.ItemDataRole.ToolTipRole)
    assert "Why: required for the role Inspector" in tip
    # names and course codes are the headers (frozen while scrolling)
    names = [page.model.headerData(r, Qt.Orientation.Vertical) for r in range(3)]
    assert names == ["Ann Lee", "Bob Stone", "Cy Young"]
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "CMM-1"
    assert "3 of 3 people" in page.count.text()


def test_filters_choose_rows_and_columns(page, world):
    page.set_filters(department="Production")
    assert page.model.rowCount() == 2
    assert page.model.columnCount() == 1  # CMM-1 is required of nobody shown
    page.set_filters(department=None, status="missing")
    assert page.model.rowCount() == 1 and page.model.columnCount() == 1
    assert page.model.person(0).name == "Bob Stone"
    page.set_filters(status=None, text="cy")
    assert [page.model.person(r).name for r in range(page.model.rowCount())] == ["Cy Young"]
    page.set_filters(text="", course="cmm")
    assert page.model.columnCount() == 1 and page.model.course(0).code == "CMM-1"


def test_a_record_added_from_a_cell_is_one_undo_step(page, world, controller):
    w = world
    page.open_cell(page.model.index_of(w["bob"], w["cmm"]))
    dialog = page._dialog
    assert "missing" in dialog.summary.text()
    dialog.form.trainer.setText("Zeiss Academy")
    rid = dialog.add_record()
    assert rid is not None
    assert status_of(page, w["bob"], w["cmm"])[0] == "current"
    assert dialog.history.rowCount() == 1 and "current" in dialog.summary.text()
    dialog.close()
    stack = controller.undo_stack
    assert stack.count() == 1
    stack.undo()
    assert status_of(page, w["bob"], w["cmm"])[0] == "missing"
    stack.redo()
    assert status_of(page, w["bob"], w["cmm"])[0] == "current"


def test_a_session_for_those_who_need_it_is_one_undo_step(page, world, controller):
    w = world
    page.view.setCurrentIndex(page.model.index_of(w["cy"], w["saf"]))
    dialog = page.record_session()
    assert dialog.course.value() == w["saf"]
    assert dialog.tick_needed() == 2  # Bob (expiring) and Cy (expired); Ann is current
    dialog.form.trainer.setText("Safety Ltd")
    dialog.accept_session()
    assert status_of(page, w["cy"], w["saf"])[0] == "current"
    assert status_of(page, w["bob"], w["saf"])[0] == "current"
    assert controller.undo_stack.count() == 1
    controller.undo_stack.undo()
    assert status_of(page, w["cy"], w["saf"])[0] == "expired"
    assert status_of(page, w["bob"], w["saf"])[0] == "expiring"


def test_what_if_lists_the_training_a_new_role_brings(page, world, controller):
    w = world
    dialog = page.what_if(w["ann"])
    dialog.role.set_value(w["insp"])
    assert dialog.preview() == 1  # CMM-1; SAF-1 is already current
    assert "CMM-1" in dialog.table.item(0, 0).text()
    assert dialog.note.text() == "As Inspector, Ann Lee would need 1 training:"
    assert dialog.assign()
    assert status_of(page, w["ann"], w["cmm"])[0] == "missing"
    # now that she holds it, the dialog still lists what the role needs and she lacks
    assert dialog.table.rowCount() == 1 and not dialog.assign_button.isEnabled()
    assert dialog.note.text().startswith("Ann Lee holds the role Inspector; of the training")
    controller.undo_stack.undo()
    assert status_of(page, w["ann"], w["cmm"])[0] == "not required"


def test_people_and_courses_lists_edit_through_the_service(page, world, controller):
    w = world
    assert page.people_model.rowCount() == 0  # read when the tab is first shown
    page.tabs.setCurrentWidget(page.people_tab)
    m = page.people_model
    assert m.rowCount() == 3
    assert m.setData(m.index(m.row_of(w["cy"]), m.column_of["department"]), "Quality")
    page.set_filters(department="Quality")
    assert page.model.rowCount() == 2
    page.tabs.setCurrentWidget(page.courses_tab)
    c = page.courses_model
    # a course marked revised makes everyone due again
    page.courses_view.selectRow(page.courses_view.model().mapFromSource(
        c.index(c.row_of(w["saf"]), 0)).row())
    page.set_filters(department=None)
    assert page.mark_revised(TODAY)
    assert status_of(page, w["ann"], w["saf"])[0] == "retraining due"
    controller.undo_stack.undo()
    assert status_of(page, w["ann"], w["saf"])[0] == "current"


def test_the_due_list_puts_overdue_first(page, world):
    assert page.due.rowCount() == 0  # filled when its tab is first shown
    page.tabs.setCurrentWidget(page.due_tab)
    page.due_days.setValue(60)
    texts = [(page.due.item(r, 0).text(), page.due.item(r, 3).text())
             for r in range(page.due.rowCount())]
    assert texts[0] == ("Cy Young", f"{rules.SYMBOLS['expired']} expired")
    assert ("Bob Stone", f"{rules.SYMBOLS['missing']} missing") in texts
    assert ("Bob Stone", f"{rules.SYMBOLS['expiring']} expiring") in texts


def test_read_only_workspace_shows_but_does_not_change(qtbot, tmp_path, world, ws):
    from PySide6.QtGui import QUndoGroup

    from qms_desktop.storage.workspace import open_workspace
    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    path = ws.path
    ws.close()
    ro = open_workspace(path, read_only=True)
    ctl = WorkspaceController(TaskRunner(), QUndoGroup())
    ctl.errors = []
    ctl.errorOccurred.connect(ctl.errors.append)
    ctl.adopt(ro)
    try:
        page = make_page(qtbot, ctl)
        assert page.model.rowCount() == 3
        assert not page.session_action.isEnabled()
        assert page.read_only_note.isVisible()
        assert page.record_session() is None and ctl.errors
    finally:
        ctl.close()


def test_the_dashboard_counts_training_and_retraining(world, ws):
    from qms_desktop.ui.pages.dashboard import DashboardPage

    text, warning = DashboardPage.training_detail(ws)
    # 4 required cells: Ann current, Bob expiring + missing, Cy expired
    assert text.startswith("50 % of required training current") and warning
    assert "2 to train now" in text and "1 expiring soon" in text
    T.mark_course_revised(ws, world["saf"])
    text, _w = DashboardPage.training_detail(ws)
    assert "retraining due after a revision" in text


@pytest.mark.parametrize("suffix", [".xlsx", ".pdf"])
def test_export_from_the_page_writes_the_matrix_and_notes_the_head(qtbot, page, world, ws,
                                                                   tmp_path, suffix):
    from qms_desktop.services.audit_trail import head_stamp

    page.last_export = None
    out = tmp_path / f"matrix{suffix}"
    page.export_file(str(out))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    assert out.exists() and out.stat().st_size > 1000
    head, n = head_stamp(ws)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(out)
        text = " ".join(str(c.value) for ws_ in wb.worksheets for row in ws_.iter_rows()
                        for c in row if c.value is not None)
        assert head in text and "Cy Young" in text
    else:
        assert out.read_bytes().startswith(b"%PDF")


def test_a_persons_record_exports_and_print_preview_opens(qtbot, page, world, tmp_path):
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    page.last_export = None
    out = tmp_path / "ann.pdf"
    page.export_person(world["ann"], str(out))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    assert out.read_bytes().startswith(b"%PDF")
    page.print_matrix()
    assert isinstance(page._dialog, QPrintPreviewDialog)
    import gc

    gc.collect()  # the printer must outlive the call that made it
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    preview = page._dialog.findChild(QPrintPreviewWidget)
    preview.updatePreview()
    qtbot.waitUntil(lambda: preview.pageCount() > 0, timeout=10_000)
    page._dialog.close()


def test_leavers_requirements_and_the_filters_of_each_tab(page, world, controller, ws):
    w = world
    page.tabs.setCurrentWidget(page.people_tab)
    assert not page.filter_row.isVisible()  # the matrix filters do not apply to the lists
    m = page.people_model
    page.people_view.selectRow(page.people_view.model().mapFromSource(
        m.index(m.row_of(w["cy"]), 0)).row())
    assert page.mark_left(TODAY - DAY)
    assert page.model.index_of(w["cy"], w["saf"]).isValid() is False  # left the matrix
    assert T.history(ws, w["cy"])  # records kept
    controller.undo_stack.undo()
    assert page.model.index_of(w["cy"], w["saf"]).isValid()
    page.tabs.setCurrentWidget(page.matrix_tab)
    assert page.filter_row.isVisible()
    # a role name with "&" is shown as written (not taken as a keyboard mnemonic)
    T.add_role(ws, "Purchasing & Logistics")
    page.tabs.setCurrentWidget(page.courses_tab)
    c = page.courses_model
    page.courses_view.selectRow(page.courses_view.model().mapFromSource(
        c.index(c.row_of(w["cmm"]), 0)).row())
    dialog = page.edit_requirements()
    labels = [box.text() for _rid, box, _spin in dialog.rows]
    assert "Purchasing && Logistics" in labels
    dialog.close()


def test_the_head_shown_follows_every_change_incrementally(page, world, controller, ws):
    """After each edit, undo and redo the controller's head and event number equal the
    trail's (read incrementally: only the events appended since)."""
    from qms_desktop.services.audit_trail import head_stamp

    w = world
    for _ in range(2):
        page.open_cell(page.model.index_of(w["bob"], w["cmm"]))
        page._dialog.add_record()
        page._dialog.close()
        assert (controller.head_hash, controller.head_event) == head_stamp(ws)
    controller.undo_stack.undo()
    assert (controller.head_hash, controller.head_event) == head_stamp(ws)
    controller.current_overview()
    controller.undo_stack.redo()
    assert (controller.head_hash, controller.head_event) == head_stamp(ws)


def test_the_late_filter_shows_who_needs_training_now(page, world):
    """"To train now" (the dashboard's overdue link) shows expired and missing cells, not
    current or expiring ones."""
    w = world
    page.set_filters(status="late")
    names = [page.model.person(r).name for r in range(page.model.rowCount())]
    assert names == ["Bob Stone", "Cy Young"]  # Bob's CMM-1 missing, Cy's SAF-1 expired
    assert page.status.value() == "late"
    page.set_filters(status=None)
    assert page.model.rowCount() == 3
