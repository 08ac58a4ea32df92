"""Import a training matrix: one dialog over ``services.imports.training``.

The file is read and checked in the background (a dry run): the detected shape, the column
mapping (each column's field editable), the proposed person / course / role matches and the
per-row report with its problems. Changing the mapping, the shape, the day/month order or the
date for undated marks checks again. Import writes in the background — all or nothing, or
with "Skip rows with errors" the other rows — and the commit becomes one undo step
(``controller.record``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

FILE_FILTER = "Training matrices (*.xlsx *.xlsm *.csv *.tsv *.txt);;All files (*)"


def tr(text: str) -> str:
    return QCoreApplication.translate("training_import", text)


def _service():
    from ...services.imports import training

    return training


def _table(headers: list[str], parent: QWidget) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setWordWrap(True)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _item(text: Any) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setToolTip(item.text())
    return item


class TrainingImportDialog(QDialog):
    """The import of one file (``path``) into the controller's workspace."""

    def __init__(self, controller: "WorkspaceController", path: str | Path,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.path = Path(path)
        self.setWindowTitle(tr("Import training records"))
        self.source = None
        #: the latest dry-run report (None while checking), and why checking failed
        self.report = None
        self.error: BaseException | None = None
        #: the import's report once it ran, and why it failed
        self.result_report = None
        self.import_error: BaseException | None = None
        self.importing = False
        self.mapping: dict[int, str] | None = None  # None: the reader's guess
        #: names (as the file writes them) the user ticked as new although they look like a
        #: person or course of the workspace
        self.new_people: set[str] = set()
        self.new_courses: set[str] = set()
        self._generation = 0
        self._filling = False

        lay = QVBoxLayout(self)
        self.file_label = QLabel(tr("File: {name}").format(name=self.path.name), self)
        self.file_label.setToolTip(str(self.path))
        lay.addWidget(self.file_label)

        form = QFormLayout()
        self.shape = QComboBox(self)
        for text, value in ((tr("Detect"), None),
                            (tr("Matrix: people in rows, courses in columns"), "matrix"),
                            (tr("One row per training record"), "records")):
            self.shape.addItem(text, value)
        self.shape.currentIndexChanged.connect(self._options_changed)
        form.addRow(tr("Shape"), self.shape)
        self.order = QComboBox(self)
        for text, value in ((tr("Detect from the file (flag dates that could be either)"),
                             None),
                            (tr("Day first (31/12/2025)"), "dmy"),
                            (tr("Month first (12/31/2025)"), "mdy")):
            self.order.addItem(text, value)
        self.order.currentIndexChanged.connect(self._options_changed)
        form.addRow(tr("Dates like 03/04/2025"), self.order)
        undated = QHBoxLayout()
        self.use_undated = QCheckBox(tr("Record marks such as “x” or “✓” without a date as "
                                        "completed on"), self)
        self.use_undated.setToolTip(tr("A training record needs the day it was completed. "
                                       "Without this, such cells are flagged as errors."))
        from .dialogs import _date_edit

        self.undated_date = _date_edit(self, late_why=tr(
            "{day} is in the future: undated marks can be recorded as completed today "
            "({latest}) at the latest."))
        self.undated_date.setObjectName("undatedAs")
        self.undated_date.setEnabled(False)
        #: the day the last check used (a typed day is taken when Enter is pressed or the
        #: field is left; a refused one keeps the last day taken)
        self._undated_checked = self.undated_date.value()
        self.use_undated.toggled.connect(self.undated_date.setEnabled)
        self.use_undated.toggled.connect(self._options_changed)
        self.undated_date.dateChanged.connect(self._undated_changed)
        self.undated_date.editingFinished.connect(self._undated_typed)
        undated.addWidget(self.use_undated)
        undated.addWidget(self.undated_date)
        undated.addStretch(1)
        form.addRow(undated)
        lay.addLayout(form)

        self.summary = QLabel(tr("Reading the file…"), self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)

        self.tabs = QTabWidget(self)
        self.columns = _table([tr("Column"), tr("Header"), tr("Read as")], self)
        self.columns.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Interactive)
        self.combos: dict[int, QComboBox] = {}
        self.matches = _table([tr("Kind"), tr("In the file"), tr("Proposed")], self)
        self.matches.itemChanged.connect(self._near_toggled)
        self.rows = _table([tr("Row"), tr("Result"), tr("Person"), tr("What it does"),
                            tr("Problems")], self)
        self.tabs.addTab(self.rows, tr("Rows"))
        self.tabs.addTab(self.columns, tr("Columns"))
        self.tabs.addTab(self.matches, tr("People and courses"))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.tabs)
        lay.addWidget(splitter, 1)

        self.skip_errors = QCheckBox(tr("Skip rows with errors (import the other rows and list "
                                        "the skipped ones)"), self)
        self.skip_errors.setToolTip(tr("Without this, a single row with an error imports "
                                       "nothing."))
        self.skip_errors.toggled.connect(self._show_summary)
        lay.addWidget(self.skip_errors)
        self.why_not = QLabel(self)
        self.why_not.setWordWrap(True)
        lay.addWidget(self.why_not)

        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton(tr("Import"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.import_button.setEnabled(False)
        self.resize(980, 680)
        self.check()

    # ------------------------------------------------------------------ options
    def options(self):
        svc = _service()
        undated = None
        if self.use_undated.isChecked():
            undated = self.undated_date.value()
        return svc.ImportOptions(shape=self.shape.currentData(),
                                 date_order=self.order.currentData(), undated_as=undated,
                                 new_people=sorted(self.new_people),
                                 new_courses=sorted(self.new_courses))

    def confirm_new(self, kind: str, name: str, new: bool = True) -> None:
        """Say that ``name`` ("person" or "course", as the file writes it) really is new
        although it looks like one in the workspace (``new`` False takes it back); checks
        again."""
        names = self.new_people if kind == "person" else self.new_courses
        (names.add if new else names.discard)(name)
        self.check()

    def _near_toggled(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        data = item.data(Qt.ItemDataRole.UserRole)
        if not data:
            return
        kind, name = data
        self.confirm_new(kind, name, item.checkState() == Qt.CheckState.Checked)

    def _options_changed(self, *_a) -> None:
        if not self._filling:
            self.check()

    def _undated_typed(self) -> None:
        if not self.undated_date.accept_text():
            if self.report is not None:
                self._show_summary()  # Import is greyed out, saying why
            return
        if self.undated_date.value() != self._undated_checked:
            self._undated_changed()
        elif self.report is not None:
            self._show_summary()

    def _undated_changed(self, *_a) -> None:
        self._undated_checked = self.undated_date.value()
        if self.use_undated.isChecked():
            self.check()

    def set_field(self, column: int, name: str | None) -> None:
        """Read ``column`` (0-based) as the field ``name`` (None: not imported), check again."""
        combo = self.combos[column]
        combo.setCurrentIndex(max(0, combo.findData(name)))

    def _field_changed(self, *_a) -> None:
        if self._filling:
            return
        mapping = {}
        for column, combo in self.combos.items():
            name = combo.currentData()
            if name:
                mapping[column] = name
        self.mapping = mapping
        self.check()

    # ------------------------------------------------------------------ checking
    def check(self) -> None:
        """Read and check the file again in the background (a dry run; nothing written)."""
        self._generation += 1
        generation = self._generation
        self.report = None
        self.error = None
        self.import_button.setEnabled(False)
        self.summary.setText(tr("Checking every row…"))
        ws = self.controller.workspace
        path, source, mapping, options = self.path, self.source, \
            (dict(self.mapping) if self.mapping is not None else None), self.options()

        def run(ctx):
            svc = _service()
            src = source if source is not None else svc.open_table(path)
            ctx.check()
            report = svc.import_training(ws, src, mapping=mapping, options=options,
                                         dry_run=True)
            return src, report

        def done(result) -> None:
            if generation != self._generation:
                return
            self.source, report = result
            self._checked(report)

        def failed(error: BaseException) -> None:
            if generation != self._generation:
                return
            self.error = error
            self.summary.setText(tr("The file could not be read: {reason}").format(
                reason=error))
            self.why_not.setText("")

        self.controller.runner.run(run, on_result=done, on_error=failed)

    def _checked(self, report) -> None:
        self.report = report
        self._fill_columns(report)
        self._fill_matches(report)
        self._fill_rows(report)
        self._show_summary()

    def _fill_columns(self, report) -> None:
        svc = _service()
        self._filling = True
        try:
            self.columns.setRowCount(len(report.columns))
            self.combos.clear()
            for i, c in enumerate(report.columns):
                self.columns.setItem(i, 0, _item(c["column"]))
                self.columns.setItem(i, 1, _item(" ".join(c["header"].split())))
                combo = QComboBox(self.columns)
                combo.addItem(tr("not imported"), None)
                for name in svc.FIELDS:
                    combo.addItem(tr(svc.FIELD_LABELS[name]), name)
                combo.setCurrentIndex(max(0, combo.findData(c["field"])))
                if c["field"] is None and c["label"] != "not imported":
                    # why the column was left out ("not imported: 1 of 2 cells is not a date …")
                    combo.setItemText(0, c["label"])
                combo.setToolTip(c["label"])
                combo.currentIndexChanged.connect(self._field_changed)
                self.columns.setCellWidget(i, 2, combo)
                self.combos[c["index"]] = combo
            self.columns.resizeColumnsToContents()
            if self.shape.currentData() is None and report.shape:
                self.shape.setItemText(0, tr("Detect (found: {shape})").format(
                    shape=tr("matrix") if report.shape == "matrix" else
                    tr("one row per record")))
        finally:
            self._filling = False

    def _fill_matches(self, report) -> None:
        # (kind, in the file, proposed, near: (kind, name) or None, confirmed)
        entries = [(tr("Person"), p.name, self._person_text(p),
                    ("person", p.name) if p.near and p.person_id is None else None,
                    p.confirmed) for p in report.people]
        entries += [(tr("Course"), c.name or c.code, self._course_text(c),
                     ("course", c.name or c.code) if c.near and c.course_id is None else None,
                     c.confirmed) for c in report.courses]
        entries += [(tr("Role"), r.name, tr("existing role") if r.role_id is not None
                     else tr("new role"), None, False) for r in report.roles]
        self._filling = True
        try:
            self.matches.setRowCount(len(entries))
            for i, (kind, name, proposed, near, confirmed) in enumerate(entries):
                self.matches.setItem(i, 0, _item(kind))
                self.matches.setItem(i, 1, _item(name))
                item = _item(proposed)
                if near is not None:
                    # ticking it says "yes, it is new" (the row is an error until then)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked if confirmed
                                       else Qt.CheckState.Unchecked)
                    item.setData(Qt.ItemDataRole.UserRole, near)
                self.matches.setItem(i, 2, item)
        finally:
            self._filling = False
        self.matches.resizeColumnsToContents()

    @staticmethod
    def _not_imported(text: str, rows: list[int], ok_rows: list[int]) -> str:
        if not rows:
            return text
        shown = ", ".join(str(n) for n in rows[:10]) + (" …" if len(rows) > 10 else "")
        if ok_rows:
            return text + " " + tr("(rows with errors: {rows})").format(rows=shown)
        return text + " " + tr("(not imported: rows with errors: {rows})").format(rows=shown)

    @classmethod
    def _person_text(cls, p) -> str:
        if p.person_id is None and p.near and p.confirmed:
            text = tr("new person (you confirmed it is not {near})").format(near=p.near)
        elif p.person_id is None and p.near:
            text = tr("nobody in the workspace, but looks like {near}: tick if it really is "
                      "a new person").format(near=p.near)
        elif p.person_id is None:
            text = tr("new person")
        else:
            how = tr("employee no.") if p.how == "employee no." else tr("name")
            text = tr("matches “{name}” by {how}").format(name=p.workspace_name, how=how)
        return cls._not_imported(text, p.error_rows, p.rows)

    @staticmethod
    def _course_text(c) -> str:
        if c.course_id is None and c.near and c.confirmed:
            return tr("new course (you confirmed it is not {near})").format(near=c.near)
        if c.course_id is None and c.near:
            return tr("not in the workspace, but looks like {near}: tick if it really is a new "
                      "course").format(near=c.near)
        if c.course_id is None:
            return tr("new course")
        return tr("matches “{name}” by {how}").format(name=c.workspace_name or c.name,
                                                      how=tr(c.how))

    def _fill_rows(self, report) -> None:
        labels = {"ok": tr("✓ OK"), "warning": tr("⚠ Warning"), "error": tr("✗ Error")}
        self.rows.setRowCount(len(report.rows))
        for i, row in enumerate(report.rows):
            self.rows.setItem(i, 0, _item(row.row_number))
            status = _item(labels.get(row.status, row.status))
            status.setData(Qt.ItemDataRole.UserRole, row.status)
            if row.status == "error":
                font = QFont(status.font())
                font.setBold(True)
                status.setFont(font)
            self.rows.setItem(i, 1, status)
            self.rows.setItem(i, 2, _item(row.person))
            self.rows.setItem(i, 3, _item("\n".join(row.actions)))
            self.rows.setItem(i, 4, _item("\n".join(row.messages)))
        for column in range(4):
            self.rows.resizeColumnToContents(column)
            if self.rows.columnWidth(column) > 320:
                self.rows.setColumnWidth(column, 320)
        if len(report.rows) <= 2000:
            self.rows.resizeRowsToContents()

    def _show_summary(self, *_a) -> None:
        report = self.report
        if report is None:
            return
        report.skip_errors = self.skip_errors.isChecked()
        shape = {"matrix": tr("a matrix (people in rows, courses in columns)"),
                 "records": tr("one row per training record")}.get(report.shape or "",
                                                                   tr("not recognised"))
        text = tr("Sheet “{sheet}”, header row {row}; shape: {shape}.").format(
            sheet=report.sheet, row=report.header_row, shape=shape)
        text += "\n" + report.summary()
        if report.notes:
            text += "\n" + "\n".join(report.notes)
        self.summary.setText(text)
        reason = self.blocked_reason()
        self.why_not.setText(reason)
        self.import_button.setEnabled(not reason and not self.importing)

    def blocked_reason(self) -> str:
        """Why Import is greyed out ("" when it is not)."""
        report = self.report
        if report is None:
            return ""
        if report.problem:
            return report.problem
        if self.use_undated.isChecked() and self.undated_date.problem:
            return self.undated_date.problem
        if not report.rows:
            return tr("No rows with people or training were found; check the sheet and the "
                      "mapping.")
        if report.errors and not self.skip_errors.isChecked():
            near = any(p.near and not p.confirmed and p.person_id is None
                       for p in report.people) or any(c.blocked for c in report.courses)
            if near:
                return tr("Import is not available while a row has an error: fix the file, "
                          "tick under “People and courses” the names that look like one in "
                          "the workspace but really are new, or tick “Skip rows with "
                          "errors”.")
            return tr("Import is not available while a row has an error: fix the file, change "
                      "the mapping or the options, or tick “Skip rows with errors”.")
        if not (report.records_added or report.people_added or report.courses_added
                or report.assignments_added):
            return tr("Nothing new to import: every row has an error or is already in the "
                      "workspace.")
        return ""

    # ------------------------------------------------------------------ importing
    def start_import(self):
        """Write the checked rows in the background (one transaction; Cancel rolls back)."""
        if self.report is None or self.blocked_reason():
            return None
        if self.use_undated.isChecked() and not self.undated_date.accept_text():
            return None
        try:
            self.controller.require_writable()
        except Exception as e:  # noqa: BLE001 - shown to the user
            QMessageBox.warning(self, self.windowTitle(), str(e))
            return None
        ws = self.controller.workspace
        source, mapping, options = self.source, \
            (dict(self.mapping) if self.mapping is not None else None), self.options()
        skip = self.skip_errors.isChecked()
        self.importing = True
        self.import_button.setEnabled(False)

        def run(ctx):
            svc = _service()
            return svc.import_training(ws, source, mapping=mapping, options=options,
                                       skip_errors=skip, progress=ctx.callback,
                                       cancelled=lambda: ctx.cancelled)

        def finished(report) -> None:
            self.importing = False
            self.result_report = report
            if report.committed:
                self.controller.record(tr("Import training from {file}").format(
                    file=self.path.name), report.change)
                self.accept()
                return
            self.report = report
            self._show_summary()
            self.why_not.setText(tr("Nothing was imported: {summary}").format(
                summary=report.summary()))

        def failed(error: BaseException) -> None:
            self.importing = False
            self.import_error = error
            self.why_not.setText(tr("Nothing was imported: {reason}").format(reason=error))
            self.import_button.setEnabled(True)

        def cancelled(_result) -> None:
            self.importing = False
            self.why_not.setText(tr("The import was cancelled; nothing was imported."))
            self.import_button.setEnabled(True)

        return self.controller.runner.run(
            run, label=tr("Importing training records…"), parent=self, on_result=finished,
            on_error=failed, on_cancelled=cancelled)

    def reject(self) -> None:  # noqa: D401 - Qt override
        if self.importing:
            return  # the progress dialog's Cancel stops a running import
        super().reject()


def import_training(parent: QWidget | None, controller: "WorkspaceController") -> None:
    """Choose a file, then show the import dialog for it."""
    ws = controller.workspace
    if ws is None:
        return
    start = str(ws.path.parent) if getattr(ws, "path", None) is not None else ""
    path, _f = QFileDialog.getOpenFileName(parent, tr("Import training records"), start,
                                           FILE_FILTER)
    if not path:
        return
    dialog = TrainingImportDialog(controller, path, parent)
    dialog.exec()
