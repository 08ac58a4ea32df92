"""The training import dialog: reads the file in the background, shows the shape, mapping,
matches and per-row problems, imports as one undo step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from dumps import table_dump  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.usefixtures("shown")


def matrix(path: Path, ann_hygiene="4. März 2025") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.append(["Emp no", "Name", "Department", "FS-01 Forklift safety", "Hygiene"])
    sh.append([17, "Ann Lee", "QA", dt.datetime(2025, 3, 4), ann_hygiene])
    sh.append([None, "Bob New", "Production", "04.03.2025", "n/a"])
    wb.save(path)
    return path


@pytest.fixture
def seeded(ws):
    from qms_desktop.services import training as svc

    svc.add_person(ws, {"name": "Ann Lee", "employee_no": "17"})
    svc.add_course(ws, {"code": "FS-01", "title": "Forklift safety"})
    return ws


def open_dialog(controller, qtbot, path):
    from qms_desktop.ui.training.import_dialog import TrainingImportDialog

    dialog = TrainingImportDialog(controller, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.report is not None or dialog.error is not None,
                    timeout=20_000)
    assert dialog.error is None, dialog.error
    return dialog


def test_dialog_shows_the_plan_imports_and_one_undo_restores(controller, seeded, qtbot,
                                                              tmp_path):
    ws = controller.workspace
    before = table_dump(ws)
    dialog = open_dialog(controller, qtbot, matrix(tmp_path / "m.xlsx"))
    report = dialog.report
    assert report.shape == "matrix" and report.errors == 0
    assert "matrix" in dialog.summary.text()
    # the mapping: one editable combo per column; the course columns are courses
    assert dialog.combos[1].currentData() == "person"
    assert dialog.combos[4].currentData() == "course_column"
    # the proposed matches: Ann by employee number, Bob new, FS-01 matched, Hygiene new
    shown = [(dialog.matches.item(i, 1).text(), dialog.matches.item(i, 2).text())
             for i in range(dialog.matches.rowCount())]
    assert ("Ann Lee", "matches “Ann Lee” by employee no.") in shown
    assert ("Bob New", "new person") in shown and ("Hygiene", "new course") in shown
    assert dialog.rows.rowCount() == 2 and dialog.import_button.isEnabled()
    assert table_dump(ws) == before  # checking wrote nothing

    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.import_button.click()
    assert dialog.result_report.committed and dialog.result_report.records_added == 3
    after = table_dump(ws)
    assert after != before
    stack = controller.undo_stack
    assert stack.count() == 1 and "m.xlsx" in stack.text(0)
    stack.undo()
    assert table_dump(ws) == before
    stack.redo()
    assert table_dump(ws) == after


def test_errors_block_until_skipped_and_the_mapping_is_editable(controller, seeded, qtbot,
                                                                tmp_path):
    ws = controller.workspace
    dialog = open_dialog(controller, qtbot, matrix(tmp_path / "m.xlsx", ann_hygiene="x"))
    assert dialog.report.errors == 1
    assert not dialog.import_button.isEnabled() and "Skip rows" in dialog.why_not.text()
    problems = dialog.rows.item(0, 4).text()
    assert "E2" in problems and "no date" in problems
    dialog.skip_errors.setChecked(True)
    assert dialog.import_button.isEnabled()
    # leave the Hygiene column out: Ann's row has no error any more
    dialog.set_field(4, None)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    assert dialog.report.errors == 0 and 4 not in dialog.report.mapping
    before = table_dump(ws)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.import_button.click()
    assert dialog.result_report.records_added == 2
    controller.undo_stack.undo()
    assert table_dump(ws) == before


def test_import_training_asks_for_a_file(controller, seeded, qtbot, dialogs, monkeypatch):
    from qms_desktop.ui.training import import_dialog

    opened = []
    monkeypatch.setattr(import_dialog.TrainingImportDialog, "exec",
                        lambda self: opened.append(self.path))
    dialogs.open_files = [""]  # cancelled: no dialog
    import_dialog.import_training(None, controller)
    assert opened == []


def test_a_near_match_blocks_until_ticked_as_new(controller, seeded, qtbot, tmp_path):
    from openpyxl import Workbook

    from qms_desktop.services import training as svc

    ws = controller.workspace
    svc.add_person(ws, {"name": "Kevin Price", "employee_no": "N015"})
    wb = Workbook()
    sh = wb.active
    sh.append(["Name", "Hygiene"])
    sh.append(["Kevin Pryce", "2025-03-04"])
    wb.save(tmp_path / "near.xlsx")
    dialog = open_dialog(controller, qtbot, tmp_path / "near.xlsx")
    assert dialog.report.errors == 1 and not dialog.import_button.isEnabled()
    assert "looks like Kevin Price" in dialog.rows.item(0, 4).text()
    assert "People and courses" in dialog.why_not.text()
    proposed = next(dialog.matches.item(i, 2) for i in range(dialog.matches.rowCount())
                    if dialog.matches.item(i, 1).text() == "Kevin Pryce")
    assert "looks like Kevin Price (employee no. N015)" in proposed.text()
    assert proposed.checkState() == Qt.CheckState.Unchecked
    proposed.setCheckState(Qt.CheckState.Checked)  # "yes, it is a new person"
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    assert dialog.report.errors == 0 and dialog.new_people == {"Kevin Pryce"}
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.import_button.click()
    names = {p.name for p in svc.people(ws, include_leavers=True)}
    assert {"Kevin Pryce", "Kevin Price"} <= names


def test_a_known_course_column_stays_and_a_left_out_column_says_why(controller, seeded, qtbot,
                                                                     tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.append(["Name", "FS-01", "Remarks 2024"])
    sh.append(["Ann Lee", "see binder 3 - certificate from the supplier's training", "4.3.2025"])
    sh.append(["Bob New", "2025-03-04", "see binder 3"])
    wb.save(tmp_path / "text.xlsx")
    dialog = open_dialog(controller, qtbot, tmp_path / "text.xlsx")
    # FS-01 names a course of the workspace: a course column, its text cell an error
    assert dialog.combos[1].currentData() == "course_column"
    assert dialog.report.error_rows == [2]
    assert "not a date" in dialog.rows.item(0, 4).text()
    # the unknown column left out says why, in the combo itself
    assert dialog.combos[2].currentData() is None
    assert dialog.combos[2].currentText() == "not imported: 1 of 2 cells is not a date or a mark"
