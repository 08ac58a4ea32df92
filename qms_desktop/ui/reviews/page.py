"""The Management review page: the reviews on the left, the selected review's pack on the
right (``pack.py``).

"New review…" proposes "Management review <Month YYYY>" and the period from the day after the
previous review's period to today, makes the review and collects its inputs (one undo step).
"Export pack (Word)…" writes ``services/exports/review_docx`` in the background with progress.
Keys in the list: Insert adds a review, Delete deletes the selected one; in the outputs table
Insert adds a decision, Delete deletes the output, F2 edits a cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from ..pages.base import Page, heading
from ..table import ColumnLayout, DateEditor, TableDelegate, format_date, selection
from ..table.choices import command
from ..table.filterbar import FilterBar
from .model import make_review_model, make_review_proxy, status_items, tr
from .pack import PackPanel

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec


class NewReviewDialog(QDialog):
    """Title and period of a new review, with the defaults filled in."""

    def __init__(self, title: str, period: tuple, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("New management review"))
        self.title = QLineEdit(title, self)
        self.start = DateEditor(self)
        self.start.set_value(period[0])
        self.end = DateEditor(self)
        self.end.set_value(period[1])
        form = QFormLayout(self)
        form.addRow(tr("Title"), self.title)
        form.addRow(tr("Period from"), self.start)
        form.addRow(tr("to"), self.end)
        form.addRow(QLabel(tr("Its inputs are collected from the workspace for this period; "
                              "you can edit them and collect them again."), self))
        self.problem = QLabel(self)
        self.problem.setObjectName("newReviewProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(highlight); font-weight: bold;")
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)
        self.title.textChanged.connect(lambda _t: self.validate())
        for d in (self.start, self.end):
            d.lineEdit().textChanged.connect(lambda _t: self.validate())
            d.dateChanged.connect(lambda _d: self.validate())
        self.validate()

    def reason(self) -> str:
        """Why OK is refused, in one sentence ("" when the values are fine)."""
        if not self.title.text().strip():
            return tr("Enter a title for the review.")
        for label, d in ((tr("Period from"), self.start), (tr("to"), self.end)):
            if d.problem:
                return tr("“{label}” is no date: {problem}").format(label=label,
                                                                    problem=d.problem)
        a, b = self.start.value(), self.end.value()
        if a is None:
            return tr("Enter the first day of the period the review looks back on.")
        if b is None:
            return tr("Enter the last day of the period the review looks back on (“to”).")
        if a > b:
            return tr("The period must start before it ends: {a} is after {b}.").format(
                a=format_date(a), b=format_date(b))
        return ""

    def validate(self) -> bool:
        why = self.reason()
        self.problem.setText(why)
        self.problem.setVisible(bool(why))
        self.ok.setEnabled(not why)
        self.ok.setToolTip(why)
        return not why

    def accept(self) -> None:
        if self.validate():  # Enter with a problem keeps the dialog and the typing
            super().accept()

    def values(self) -> tuple:
        return self.title.text().strip(), self.start.value(), self.end.value()


class ReviewsPage(Page):
    kinds = frozenset({"management_review", "review_item", "action", "person"})

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self.model = make_review_model(controller, self)
        self.proxy = make_review_proxy(self)
        self.proxy.setSourceModel(self.model)
        self.filters = FilterBar(self.proxy, tr("Search reviews…"), self)
        self.search = self.filters.search
        self.filters.add_choice("status", [(tr("Any status"), None, "")] + status_items())

        self.table = QTableView(self)
        self.table.setObjectName("reviewsTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.layout_keeper = ColumnLayout(self.table, self.model, "reviews")
        self.layout_keeper.restore()

        self.act_new = self._command(tr("&New review…"), self.new_review,
                                     QKeySequence(Qt.Key.Key_Insert),
                                     tip=tr("A new review with its inputs collected (Insert)"))
        self.act_delete = self._command(tr("&Delete review"), self.delete_selected,
                                        QKeySequence.StandardKey.Delete,
                                        tip=tr("Delete the review with its pack and actions "
                                               "(Delete)"))
        buttons = QHBoxLayout()
        for a in (self.act_new, self.act_delete):
            b = QPushButton(a.text(), self)
            b.setToolTip(a.toolTip())
            b.clicked.connect(a.trigger)
            a.changed.connect(lambda b=b, a=a: b.setEnabled(a.isEnabled()))
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.pack = PackPanel(controller, self)
        self.pack.exportRequested.connect(lambda: self.export_pack())
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.filters)
        ll.addLayout(buttons)
        ll.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.pack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([400, 1000])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.last_export: Path | None = None
        self._update_commands()

    def _command(self, text: str, slot, key=None, *, tip: str = "") -> QAction:
        return command(self.table, text, slot, key, tip=tip)

    def search_widget(self) -> QWidget:
        return self.search

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        current = self.current_id()
        self.model.read_only = True
        self.model.reload()
        if current is None and self.model.rows:
            current = self.model.rows[0].id
        if current is not None and self.model.row_of(current) is not None:
            self.select_ids([current])
        self._show_current()

    def _on_changed(self, change: "Change") -> None:
        if not self.touches(change):
            return
        if self.isVisible() and not self._stale and self.workspace is not None:
            self.model.refresh_ids(change)
            self.pack.reload(change)
            self._update_commands()
        else:
            self._stale = True

    def workspace_closed(self) -> None:
        self.model.set_rows([])
        self.pack.set_review(None)

    def set_filters(self, **values) -> None:
        self.filters.apply(**values)

    # ------------------------------------------------------------------ selection
    def current_id(self) -> int | None:
        row = selection.current_row(self.table, self.model)
        return row.id if row is not None else None

    def select_ids(self, ids: list[int]) -> None:
        selection.select_ids(self.table, self.model, self.proxy, ids, column=0)

    def _show_current(self) -> None:
        rid = self.current_id()
        if rid != self.pack.review_id:
            self.pack.set_review(rid)
        self._update_commands()

    def _update_commands(self) -> None:
        writable = self.workspace is not None and not self.controller.read_only
        self.act_new.setEnabled(writable)
        self.act_delete.setEnabled(writable and self.current_id() is not None)

    def select_record(self, entity: str, rid: int) -> bool:
        """Show a review (``management_review``) or one item of its pack (``review_item``)."""
        from ...services import records

        ws = self.workspace
        if ws is None:
            return False
        section = None
        if entity == "review_item":
            try:
                item = records.get(ws, "review_item", rid)
            except Exception:
                return False
            rid, section = item["review_id"], item["section"]
        elif entity != "management_review":
            return False
        if self._stale:
            self._refresh_now()
        if self.model.row_of(rid) is None:
            return False
        if self.proxy.mapFromSource(self.model.index(self.model.row_of(rid), 0)).row() < 0:
            self.filters.clear()
        self.select_ids([rid])
        self._show_current()
        if section:
            self.pack.focus_section(section)
        return True

    # ------------------------------------------------------------------ commands
    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:
            self.controller.errorOccurred.emit(e)
            return False
        return True

    def new_review(self, values: tuple | None = None) -> int | None:
        from ...services import review

        if not self._writable():
            return None
        ws = self.workspace
        if values is None:
            dialog = NewReviewDialog(review.default_title(), review.default_period(ws), self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
        title, start, end = values
        self.pack.flush()
        rid = self.controller.edit(tr("New management review"), lambda ws: review.create_review(
            ws, title or review.default_title(), start, end))
        if rid is None:
            return None
        self.model.reload()
        if self.proxy.mapFromSource(self.model.index(self.model.row_of(rid), 0)).row() < 0:
            self.filters.clear()
        self.select_ids([rid])
        self._show_current()
        return rid

    def delete_selected(self, ask: bool = True) -> bool:
        from ...services import review

        rid = self.current_id()
        if rid is None or not self._writable():
            return False
        row = self.model.get(rid)
        if ask and QMessageBox.question(
                self, tr("Delete review"),
                tr("Delete “{title}” with its pack and its {n} actions?").format(
                    title=row.title, n=row.actions)) != QMessageBox.StandardButton.Yes:
            return False
        return self.controller.edit(tr("Delete management review"),
                                    lambda ws: review.delete_review(ws, rid)) is not None

    def export_pack(self, path: str | Path | None = None):
        """Write the pack to Word in the background (asks for the file unless ``path``)."""
        from . import exporting

        rid = self.pack.review_id
        if rid is None:
            return None
        self.pack.flush()
        return exporting.export_pack(self, rid, path)
