"""The import wizard: pick a file → its sheet and header row (both chosen by the reader,
legend sheets passed over) → the column mapping (guessed, editable: the same column → field
table the command line's dry run prints) → how text ratings read (words, H/M/L, letters,
percentages) → a dry run with a per-row report → import in the background, with progress and
Cancel: all or nothing, or, with "Skip rows with errors", the good rows in one transaction.

Reading and checking are ``services.imports.table``/``risk_table`` and
``services.risks.import_risks``; the wizard only collects the choices and shows the reports.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from . import style
from .delegates import ValueCombo, rating_items

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

tr = style.tr

FILE_FILTER = "Registers (*.xlsx *.xlsm *.csv *.tsv *.txt);;All files (*)"
PREVIEW_ROWS = 15
MAX_PREVIEW_COLUMNS = 40


def _rt():
    from ...services.imports import risk_table

    return risk_table


def column_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (the reader's column letters)."""
    from ...services.imports.table import column_letter

    return column_letter(index)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


# ====================================================================== pages


class FilePage(QWizardPage):
    def __init__(self, wizard: "RiskImportWizard"):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(tr("Choose the register file"))
        self.setSubTitle(tr("An Excel workbook (.xlsx) or a CSV file. Headers in English, "
                            "French or German are recognised; nothing is changed until the last "
                            "step."))
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit(self)
        self.path.setPlaceholderText(tr("Path of the .xlsx or .csv file"))
        self.path.textChanged.connect(lambda _t: (self.error.clear(), self.completeChanged.emit()))
        browse = QPushButton(tr("Browse…"), self)
        browse.clicked.connect(self.browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        lay.addLayout(row)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: %s;" % style.Palette().overdue.color().name())
        lay.addWidget(self.error)
        lay.addStretch(1)

    def browse(self) -> None:
        start = self.path.text() or self.w.start_dir
        path, _f = QFileDialog.getOpenFileName(self, tr("Import risk register"), start,
                                               FILE_FILTER)
        if path:
            self.path.setText(path)

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:  # noqa: N802
        rt = _rt()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.w.source = rt.open_table(Path(self.path.text().strip()))
        except rt.ImportFileError as e:
            self.error.setText(str(e))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        return True


class SheetPage(QWizardPage):
    def __init__(self, wizard: "RiskImportWizard"):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(tr("Sheet and header row"))
        self.setSubTitle(tr("Choose the sheet holding the register and the row with the column "
                            "titles. Both are guessed: legend, key and instruction sheets are "
                            "passed over, and the header is the row that names the most "
                            "fields."))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.sheet = ValueCombo([], self)
        self.sheet.currentIndexChanged.connect(self._sheet_changed)
        form.addRow(tr("Sheet"), self.sheet)
        self.header_row = QSpinBox(self)
        self.header_row.setRange(1, 1)
        self.header_row.valueChanged.connect(self._show_preview)
        form.addRow(tr("Header row"), self.header_row)
        lay.addLayout(form)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.preview = QTableWidget(self)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setWordWrap(False)
        lay.addWidget(self.preview, 1)
        self._ok = False

    def initializePage(self) -> None:  # noqa: N802
        rt = _rt()
        src = self.w.source
        why = {}
        try:
            choice = src.choose_sheet()
            why = dict(choice.passed_over)
            chosen = choice.sheet
        except (rt.ImportFileError, ValueError) as e:
            self.error.setText(str(e))
            visible = [n for n in src.sheets if n not in src.hidden_sheets]
            chosen = (visible or src.sheets)[0]
        items = [(name + (tr(" (hidden)") if name in src.hidden_sheets else "")
                  + (f" — {tr('not read')}: {why[name]}" if name in why else ""), name,
                  why.get(name, "")) for name in src.sheets]
        self.sheet.blockSignals(True)
        self.sheet.set_items(items)
        self.sheet.set_value(chosen)
        self.sheet.blockSignals(False)
        self._sheet_changed()

    def _sheet_changed(self, *_a) -> None:
        rt = _rt()
        name = self.sheet.value()
        if name is None:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            rows = self.w.source.rows(name)
            guessed = self.w.source.guess_header_row(name) if rows else 1
        except (rt.ImportFileError, ValueError) as e:
            self.error.setText(str(e))
            self._ok = False
            self.preview.clear()
            self.completeChanged.emit()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.error.setText("" if rows else tr("This sheet is empty; choose another one."))
        self._ok = bool(rows)
        self.w.sheet = name
        self.header_row.blockSignals(True)
        self.header_row.setRange(1, max(1, min(len(rows), 30)))
        self.header_row.setValue(guessed)
        self.header_row.blockSignals(False)
        self._show_preview()
        self.completeChanged.emit()

    def _show_preview(self, *_a) -> None:
        name = self.sheet.value()
        if name is None or not self._ok:
            return
        rows = self.w.source.rows(name)
        header = self.header_row.value()
        shown = rows[: max(PREVIEW_ROWS, header + 5)]
        width = min(max((len(r) for r in shown), default=0), MAX_PREVIEW_COLUMNS)
        self.preview.clear()
        self.preview.setRowCount(len(shown))
        self.preview.setColumnCount(width)
        self.preview.setHorizontalHeaderLabels([column_name(i) for i in range(width)])
        self.preview.setVerticalHeaderLabels([str(i + 1) for i in range(len(shown))])
        bold = QFont(self.preview.font())
        bold.setBold(True)
        for r, row in enumerate(shown):
            for c in range(min(width, len(row))):
                item = QTableWidgetItem(_cell_text(row[c]))
                if r + 1 == header:
                    item.setFont(bold)
                    item.setBackground(self.palette().highlight())
                    item.setForeground(self.palette().highlightedText())
                elif r + 1 < header:
                    item.setForeground(style.Palette().muted)
                self.preview.setItem(r, c, item)
        self.w.header_row = header

    def isComplete(self) -> bool:  # noqa: N802
        return self._ok


class MappingPage(QWizardPage):
    COLUMNS = (tr("Column"), tr("Header"), tr("Examples"), tr("Imported as"), tr("Fill down"))
    NOT_IMPORTED = tr("— not imported")

    def __init__(self, wizard: "RiskImportWizard"):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(tr("Map the columns"))
        self.setSubTitle(tr("Each column is matched to a field from its title; change any that "
                            "are wrong. Computed columns (scores, levels, RPN) are never "
                            "imported; other unmatched columns go to the notes. “Fill down” "
                            "repeats a value into the empty cells below it (merged cells need "
                            "no help)."))
        lay = QVBoxLayout(self)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        options = QFormLayout()
        self.dayfirst = QCheckBox(tr("Dates like 03/04/2026 mean 3 April (day first)"), self)
        self.dayfirst.setChecked(True)
        options.addRow(self.dayfirst)
        self.extra_notes = QCheckBox(tr("Copy the other columns into the notes"), self)
        self.extra_notes.setChecked(True)
        options.addRow(self.extra_notes)
        self.existing = ValueCombo([
            (tr("Report it as an error"), "error", ""),
            (tr("Give it a new ID (keep its own in the notes)"), "renumber",
             tr("For a register whose IDs clash with risks already here: the row is imported "
                "under the next free number of its own prefix (R-, O-…) and its own ID is kept "
                "in the notes.")),
            (tr("Update the existing risk (overwrites it)"), "update",
             tr("The row overwrites the risk that has its ID, even if it is an unrelated "
                "risk from another register."))], self)
        options.addRow(tr("A row whose ID already exists:"), self.existing)
        lay.addLayout(options)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        lay.addWidget(self.problems)
        self.combos: list[ValueCombo] = []
        self.fill: list[QCheckBox] = []
        self.headers: list[str] = []
        self._problems: list[str] = []

    @classmethod
    def field_items(cls, unmapped: str = "") -> list[tuple[str, Any, str]]:
        rt = _rt()
        return [(unmapped or cls.NOT_IMPORTED, None, "")] + [
            (rt.FIELD_LABELS[f], f, "") for f in rt.MAPPABLE_FIELDS]

    def initializePage(self) -> None:  # noqa: N802
        rt = _rt()
        src, sheet, header = self.w.source, self.w.sheet, self.w.header_row
        headers = src.headers(sheet, header)
        samples = src.sample_rows(sheet, header)
        mapping = rt.guess_mapping(headers, samples, sheet_name=sheet)
        computed = rt.computed_columns(headers)
        self.computed = computed
        width = max([len(headers)] + [len(r) for r in samples])
        self.headers = [" ".join(str(h).split()) for h in headers] + [""] * (width - len(headers))
        self.table.setRowCount(width)
        self.combos, self.fill = [], []
        for c in range(width):
            if c in computed:
                items = self.field_items(tr("— computed, not imported"))
            elif self.headers[c]:
                items = self.field_items(tr("— copied into the notes"))
            else:
                items = self.field_items()
            self.table.setItem(c, 0, QTableWidgetItem(column_name(c)))
            self.table.setItem(c, 1, QTableWidgetItem(self.headers[c]))
            examples = [_cell_text(r[c]) for r in samples[:4] if c < len(r) and r[c] is not None]
            ex_item = QTableWidgetItem(" | ".join(examples))
            ex_item.setToolTip("\n".join(examples))
            self.table.setItem(c, 2, ex_item)
            combo = ValueCombo(items, self.table)
            combo.set_value(mapping.get(c))
            if c in computed:
                combo.setToolTip(tr("A computed column (score, level, RPN, AP): it is worked out "
                                    "again from the ratings."))
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.table.setCellWidget(c, 3, combo)
            self.combos.append(combo)
            check = QCheckBox(self.table)
            check.setToolTip(tr("Repeat the value above into empty cells of this column"))
            self.table.setCellWidget(c, 4, check)
            self.fill.append(check)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._mapping_changed()

    def mapping(self) -> dict[int, str]:
        return {c: combo.value() for c, combo in enumerate(self.combos)
                if combo.value() is not None}

    def set_mapping(self, mapping: dict[int, str]) -> None:
        for c, combo in enumerate(self.combos):
            combo.set_value(mapping.get(c))
        self._mapping_changed()

    def fill_down(self) -> frozenset[str]:
        return frozenset(combo.value() for combo, check in zip(self.combos, self.fill)
                         if check.isChecked() and combo.value() is not None)

    def _mapping_changed(self, *_a) -> None:
        rt = _rt()
        mapping = self.mapping()
        problems = rt.validate_mapping(mapping, len(self.combos))
        if not set(mapping.values()) & {"title", "description", "failure_mode"}:
            problems.append(tr("Map a column to Title (or Description) so every risk gets a "
                               "title."))
        self.problems.setText("\n".join(problems))
        self._problems = problems
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.combos) and not self._problems

    def validatePage(self) -> bool:  # noqa: N802
        rt = _rt()
        self.w.mapping = self.mapping()
        self.w.options = rt.ImportOptions(
            header_row=self.w.header_row, dayfirst=self.dayfirst.isChecked(),
            fill_down=self.fill_down(),
            extra_columns="notes" if self.extra_notes.isChecked() else "ignore")
        self.w.on_existing = self.existing.value()
        return True

    def rows_text(self) -> list[tuple[str, str, str]]:
        """(column, header, imported as) of every column: the table the dry run prints."""
        out = []
        for c, combo in enumerate(self.combos):
            if self.headers[c] or combo.value() is not None:
                out.append((column_name(c), self.headers[c], combo.currentText()))
        return out


class RatingsPage(QWizardPage):
    """How each text (or percentage) found in a rating column reads as a number."""

    def __init__(self, wizard: "RiskImportWizard"):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(tr("Text ratings"))
        self.setSubTitle(tr("Ratings written as words (“Very High”, “faible”), H/M/L, letters "
                            "A–E or percentages are read as numbers. Check each one; a text left "
                            "at “—” makes its rows fail (a placeholder such as “TBD” is left "
                            "empty)."))
        lay = QVBoxLayout(self)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels([tr("Column"), tr("Text"), tr("Rows"),
                                              tr("Read as"), tr("Rule")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        self.entries: list[tuple[int, str, ValueCombo]] = []
        self.columns = []

    def initializePage(self) -> None:  # noqa: N802
        rt = _rt()
        w = self.w
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.columns = rt.scan_ratings(w.source, w.sheet, w.header_row, w.mapping)
        finally:
            QGuiApplication.restoreOverrideCursor()
        found = [(column, text, entry) for column in self.columns
                 for text, entry in column.entries.items()]
        self.table.setRowCount(len(found))
        self.entries = []
        headers = self.w.page(RiskImportWizard.MAPPING).headers
        for i, (column, text, entry) in enumerate(found):
            col, name = column.column, column.field
            header = headers[col] if col < len(headers) else ""
            label = f"{column_name(col)} · {header or rt.FIELD_LABELS[name]}"
            self.table.setItem(i, 0, QTableWidgetItem(label))
            self.table.setItem(i, 1, QTableWidgetItem(text))
            self.table.setItem(i, 2, QTableWidgetItem(str(entry.count)))
            items = rating_items(name)
            items[0] = ((tr("— left empty (a placeholder)") if entry.how == "placeholder"
                         else tr("— not a rating (rows fail)")), None, "")
            combo = ValueCombo(items, self.table)
            previous = w.rating_overrides.get(col, {}).get(text)
            combo.set_value(previous if previous is not None else entry.number)
            self.table.setCellWidget(i, 3, combo)
            rule = QTableWidgetItem(column.rule())
            rule.setToolTip(column.rule())
            self.table.setItem(i, 4, rule)
            self.entries.append((col, text, combo))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.info.setText(tr("{n} different texts were found in the rating columns.").format(
            n=len(found)) if found else
            tr("Every rating in the mapped columns is a number; nothing to check here."))

    def overrides(self) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        for col, text, combo in self.entries:
            if combo.value() is not None:
                out.setdefault(col, {})[text] = combo.value()
        return out

    def set_override(self, text: str, value: int | None) -> None:
        for _col, t, combo in self.entries:
            if t == text:
                combo.set_value(value)

    def validatePage(self) -> bool:  # noqa: N802
        self.w.rating_overrides = self.overrides()
        if self.w.options is not None:
            self.w.options = dataclasses.replace(self.w.options,
                                                 rating_overrides=self.w.rating_overrides)
        return True


class PreviewPage(QWizardPage):
    """The dry run: every row checked against the file and the workspace; nothing written."""

    MESSAGES = 4
    #: the status of the line naming the treatment-actions sheet, above its rows
    HEADING = "heading"
    #: the widest a data column (row, result, ID, title) gets, so the messages stay in view
    MAX_DATA_WIDTH = 260

    def __init__(self, wizard: "RiskImportWizard"):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(tr("Check (dry run)"))
        self.setSubTitle(tr("Every row is checked; nothing has been imported yet. Rows with "
                            "errors block the import (fix them in the file or the mapping) "
                            "unless you choose to skip them."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, tr("Import"))
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.show_filter = ValueCombo([(tr("All rows"), "all", ""),
                                       (tr("Errors"), "error", ""),
                                       (tr("Warnings"), "warning", ""),
                                       (tr("Errors and warnings"), "problems", "")], self)
        self.show_filter.currentIndexChanged.connect(self._apply_filter)
        top.addWidget(self.show_filter)
        lay.addLayout(top)
        self.skip_invalid = QCheckBox(tr("Skip rows with errors (import the other rows and "
                                         "list the skipped ones)"), self)
        self.skip_invalid.setToolTip(tr("Without this, a single row with an error imports "
                                        "nothing."))
        self.skip_invalid.toggled.connect(self._skip_toggled)
        lay.addWidget(self.skip_invalid)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels([tr("Row"), tr("Result"), tr("ID"), tr("Title"),
                                              tr("Messages")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # the messages take the room left by the data columns and wrap, never off-screen
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(self.MESSAGES,
                                                           QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        self.why_not = QLabel(self)
        self.why_not.setWordWrap(True)
        self.why_not.setStyleSheet("color: %s;" % style.Palette().overdue.color().name())
        lay.addWidget(self.why_not)
        self.report = None
        self.task = None
        self.error: BaseException | None = None

    def initializePage(self) -> None:  # noqa: N802
        self.report = None
        self.error = None
        self.table.setRowCount(0)
        self.why_not.clear()
        self.summary.setText(tr("Checking every row…"))
        self.completeChanged.emit()
        w = self.w
        ws = w.controller.workspace
        source = w.source
        sheet, mapping, options, existing = w.sheet, dict(w.mapping), w.import_options(), \
            w.on_existing

        def check(ctx):
            from ...services import risks

            ctx.check()
            return risks.import_risks(ws, source, sheet=sheet, mapping=mapping,
                                      options=options, dry_run=True, on_existing=existing)

        self.task = w.controller.runner.run(check, on_result=self._checked,
                                            on_error=self._failed)

    def _checked(self, report) -> None:
        self.report = report
        pal = style.Palette(style.is_dark(self.palette()))
        actions = report.action_rows
        self.table.clearSpans()
        self.table.setRowCount(len(report.rows) + (1 + len(actions) if actions else 0))
        labels = {"ok": tr("✓ OK"), "warning": tr("⚠ Warning"), "error": tr("✗ Error"),
                  "skipped": tr("↷ Skipped")}

        def put(i: int, rows: str, status: str, ref: str, title_text: str,
                messages: list[str]) -> None:
            self.table.setItem(i, 0, QTableWidgetItem(rows))
            result_item = QTableWidgetItem(labels.get(status, status))
            result_item.setData(Qt.ItemDataRole.UserRole, status)
            if status in ("error", "warning"):
                result_item.setForeground(pal.overdue)
                bold = QFont(result_item.font())
                bold.setBold(status == "error")
                result_item.setFont(bold)
            self.table.setItem(i, 1, result_item)
            self.table.setItem(i, 2, QTableWidgetItem(ref))
            title = QTableWidgetItem(title_text)
            title.setToolTip(title_text)
            self.table.setItem(i, 3, title)
            message = QTableWidgetItem("\n".join(messages))
            message.setToolTip("\n".join(messages))
            self.table.setItem(i, self.MESSAGES, message)

        for i, row in enumerate(report.rows):
            rows = str(row.row_number) if row.last_row in (0, row.row_number) else \
                f"{row.row_number}–{row.last_row}"
            put(i, rows, row.status, row.ref, row.title, row.messages)
        if actions:
            # the rows of the "Treatment actions" sheet under a line naming it (the row
            # numbers are that sheet's; the ID column shows the action and its risk)
            at = len(report.rows)
            heading = QTableWidgetItem(
                tr("Sheet “{sheet}”: {n} treatment-action rows (rows of that sheet)").format(
                    sheet=report.action_sheet, n=len(actions)))
            heading.setData(Qt.ItemDataRole.UserRole, self.HEADING)
            heading.setToolTip(report.actions_read())
            bold = QFont(heading.font())
            bold.setBold(True)
            heading.setFont(bold)
            self.table.setItem(at, 0, heading)
            self.table.setItem(at, 1, QTableWidgetItem())
            self.table.item(at, 1).setData(Qt.ItemDataRole.UserRole, self.HEADING)
            self.table.setSpan(at, 0, 1, self.table.columnCount())
            for i, row in enumerate(actions, at + 1):
                put(i, str(row.row_number), row.status,
                    f"{row.ref or '—'} → {row.risk_ref or '—'}", row.title, row.messages)
        header = self.table.horizontalHeader()
        for column in range(self.MESSAGES):
            # (the spanning heading row is not measured: resizeColumnToContents skips spans)
            self.table.resizeColumnToContents(column)
            if self.table.columnWidth(column) > self.MAX_DATA_WIDTH:
                self.table.setColumnWidth(column, self.MAX_DATA_WIDTH)
        header.setSectionResizeMode(self.MESSAGES, QHeaderView.ResizeMode.Stretch)
        if len(report.rows) <= 2000:  # measuring rows is slow for huge files
            self.table.resizeRowsToContents()
        self._show_summary()
        self._apply_filter()
        self.completeChanged.emit()

    def _show_summary(self) -> None:
        report = self.report
        if report is None:
            return
        report.skip_invalid = self.skip_invalid.isChecked()
        text = tr("Sheet “{sheet}”, header row {row}.").format(sheet=report.sheet,
                                                               row=report.header_row)
        if report.action_sheet:  # the treatment actions read with the risks
            line = report.actions_read()
            text += "\n" + line[:1].upper() + line[1:] + "."
        # why nothing would be imported is said once, under the table (blocked_reason)
        text += "\n" + report.summary(blocked=False)
        if report.clash_hint:  # once for all the rows whose ID exists
            text += "\n" + report.clash_hint
        if report.notes:
            text += "\n" + "\n".join(report.notes)
        for skipped in report.skipped:
            rows = (tr("Rows {a}–{b}").format(a=skipped["row"], b=skipped["last_row"])
                    if skipped["last_row"] != skipped["row"] else
                    tr("Row {a}").format(a=skipped["row"]))
            text += "\n" + tr("{rows}: no risk ({reason}).").format(rows=rows,
                                                                     reason=skipped["reason"])
        if report.people_added:
            text += "\n" + tr("New people: {names}.").format(names=", ".join(report.people_added))
        if report.errors and self.skip_invalid.isChecked() and report.created + report.updated:
            text += "\n" + tr("The {n} rows with errors will be skipped.").format(n=report.errors)
        self.summary.setText(text)
        self.why_not.setText(self.blocked_reason())

    def blocked_reason(self) -> str:
        """Why Import is greyed out ("" when it is not)."""
        report = self.report
        if report is None:
            return ""
        if not report.rows:
            return tr("No risk rows were found in the sheet; nothing would be imported. Check "
                      "the sheet and the header row.")
        if report.errors and not self.skip_invalid.isChecked():
            return tr("Import is not available while a row has an error: fix the rows, or "
                      "tick “Skip rows with errors”.")
        if report.created + report.updated == 0:
            return tr("Every row has an error; nothing would be imported.")
        return ""

    def _skip_toggled(self, on: bool) -> None:
        self.w.skip_invalid = on
        self._show_summary()
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.error = error
        self.summary.setText(tr("The file could not be checked: {reason}").format(reason=error))
        self.completeChanged.emit()

    def _apply_filter(self, *_a) -> None:
        wanted = self.show_filter.value()
        heading = None
        for i in range(self.table.rowCount()):
            status = self.table.item(i, 1).data(Qt.ItemDataRole.UserRole)
            if status == self.HEADING:
                heading = i
                continue
            hide = (wanted == "error" and status != "error"
                    or wanted == "warning" and status != "warning"
                    or wanted == "problems" and status == "ok")
            self.table.setRowHidden(i, hide)
        if heading is not None:  # the sheet's line shows when one of its rows does
            self.table.setRowHidden(heading, all(
                self.table.isRowHidden(i) for i in range(heading + 1, self.table.rowCount())))

    def isComplete(self) -> bool:  # noqa: N802
        r = self.report
        return r is not None and (not r.errors or self.skip_invalid.isChecked()) and \
            (r.created + r.updated) > 0

    def validatePage(self) -> bool:  # noqa: N802
        return self.w.start_import() is not None


class DonePage(QWizardPage):
    def __init__(self, wizard: "RiskImportWizard"):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(tr("Importing"))
        lay = QVBoxLayout(self)
        self.label = QLabel(tr("Importing…"), self)
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        lay.addStretch(1)
        self.is_done = False

    def isComplete(self) -> bool:  # noqa: N802
        return self.is_done


# ====================================================================== wizard


class RiskImportWizard(QWizard):
    FILE, SHEET, MAPPING, RATINGS, PREVIEW, DONE = range(6)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(tr("Import risk register"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        ws = controller.workspace
        self.start_dir = str(ws.path.parent) if ws is not None else ""
        self.source = None
        self.sheet: str | None = None
        self.header_row = 1
        self.mapping: dict[int, str] = {}
        self.options = None
        self.on_existing = "error"
        self.rating_overrides: dict[int, dict[str, int]] = {}
        self.skip_invalid = False
        self.import_task = None
        self.result_report = None
        self.import_error: BaseException | None = None
        self.setPage(self.FILE, FilePage(self))
        self.setPage(self.SHEET, SheetPage(self))
        self.setPage(self.MAPPING, MappingPage(self))
        self.setPage(self.RATINGS, RatingsPage(self))
        self.setPage(self.PREVIEW, PreviewPage(self))
        self.setPage(self.DONE, DonePage(self))
        self.resize(900, 620)

    def import_options(self):
        """The reading options with the user's reading of the rating texts."""
        options = self.options or _rt().ImportOptions(header_row=self.header_row)
        return dataclasses.replace(options, rating_overrides=dict(self.rating_overrides))

    def start_import(self):
        """Write the checked rows in the background (one transaction; Cancel rolls back)."""
        try:
            self.controller.require_writable()
        except Exception as e:  # noqa: BLE001 - shown to the user
            QMessageBox.warning(self, self.windowTitle(), str(e))
            return None
        ws = self.controller.workspace
        source = self.source
        sheet, mapping, options, existing = self.sheet, dict(self.mapping), \
            self.import_options(), self.on_existing
        skip = self.skip_invalid

        def run(ctx):
            from ...services import risks

            return risks.import_risks(ws, source, sheet=sheet, mapping=mapping, options=options,
                                      on_existing=existing, skip_invalid=skip,
                                      progress=ctx.callback, cancelled=lambda: ctx.cancelled)

        done_page: DonePage = self.page(self.DONE)

        def finished(report) -> None:
            self.result_report = report
            if report.committed:
                name = Path(str(getattr(source, "path", "") or "")).name
                self.controller.record(tr("Import risks from {file}").format(
                    file=name or tr("a spreadsheet")), report.change)
                done_page.label.setText(tr("Imported: {summary}").format(
                    summary=report.summary()))
            else:
                done_page.label.setText(tr("Nothing was imported: {summary}").format(
                    summary=report.summary()))
            done_page.is_done = True
            done_page.completeChanged.emit()

        def failed(error: BaseException) -> None:
            self.import_error = error
            done_page.label.setText(tr("Nothing was imported: {reason}").format(reason=error))
            done_page.is_done = True
            done_page.completeChanged.emit()

        def cancelled(_result) -> None:
            done_page.label.setText(tr("The import was cancelled; nothing was imported."))
            done_page.is_done = True
            done_page.completeChanged.emit()

        self.import_task = self.controller.runner.run(
            run, label=tr("Importing risks…"), parent=self, on_result=finished,
            on_error=failed, on_cancelled=cancelled)
        return self.import_task
