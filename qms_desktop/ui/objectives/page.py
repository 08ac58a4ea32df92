"""The Objectives & KPIs page: every quality objective and KPI with its on/off-target status,
built from the table kit.

Top: the list (ID, title, kind, owner, process, target, latest value, status, due) with filters
(status incl. "late", kind, owner, text; the dashboard opens it filtered through
``openList("objectives", {"status": "off"})``). Below: the selected one's SMART fields, its
status with the rule in words, its run chart (matplotlib, drawn after the page painted) and its
measurements (inline edit; Insert adds today's, Delete deletes, Ctrl+V or "Paste from Excel"
previews a pasted block before anything is written). Every edit is one undo step.
Keys on the list: Insert adds an objective, Delete deletes the selected ones (asking first,
naming how many measurements go with them), F2 renames.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..pages.base import Page, heading
from ..table import ColumnLayout, Item, TableDelegate, edit_triggers
from ..table.choices import command, people_items, process_items
from ..table import selection
from ..table.filterbar import FilterBar, owner_filter_items
from .chart import RunChart
from .detail import ObjectiveDetail
from ...services.records import RecordError
from .model import kind_filter_items, make_measurement_model, make_model, make_proxy, \
    status_filter_items, tr, warn_measurement

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec


class _Same:
    """The measurements table has no proxy: its indexes are the model's."""

    @staticmethod
    def mapFromSource(index):  # noqa: N802 (Qt's name)
        return index


_SAME = _Same()


def _service():
    from ...services import objectives

    return objectives


class ObjectivesPage(Page):
    kinds = frozenset({"objective", "measurement", "person", "process"})

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self._people: list[Item] | None = None
        self._processes: list[Item] | None = None
        self._shown_id: int | None = None
        self.model = make_model(controller, self.people_items, self.process_items, self)
        self.proxy = make_proxy(self)
        self.proxy.setSourceModel(self.model)

        # -- filters
        self.filters = FilterBar(self.proxy, tr("Search ID, title, owner, process, measure, "
                                                "target, unit…"), self)
        self.search = self.filters.search
        self.status_filter = self.filters.add_choice("status", status_filter_items())
        self.kind_filter = self.filters.add_choice("kind", kind_filter_items(), chars=16)
        self.owner_filter = self.filters.add_choice("owner", [(tr("Any owner"), None, "")],
                                                    searchable=True)
        self.filters.changed.connect(self._after_change)
        self.count = QLabel(self)
        self.filters.row.addWidget(self.count, 1, Qt.AlignmentFlag.AlignRight)

        # -- the list
        self.table = self._table("objectivesTable", self.proxy)
        self.layout_keeper = ColumnLayout(self.table, self.model, "objectives")
        self.layout_keeper.restore()
        self.add_action = self._command(self.table, tr("&Add objective"), self.add,
                                        QKeySequence(Qt.Key.Key_Insert),
                                        tip=tr("A new objective or KPI (Insert)"))
        self.delete_action = self._command(self.table, tr("&Delete"), self.delete_selected,
                                           QKeySequence.StandardKey.Delete,
                                           tip=tr("Delete the selected objectives and their "
                                                  "measurements (Delete)"))
        self.rename_action = self._command(self.table, tr("&Rename"), self.rename,
                                           QKeySequence(Qt.Key.Key_F2),
                                           tip=tr("Edit the title (F2)"))
        buttons = self._buttons(self.add_action, self.delete_action)
        self.read_only_note = QLabel(tr("The workspace is open read-only: objectives can be "
                                        "viewed and filtered, not changed."), self)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()

        # -- the selected one: SMART fields, chart, measurements
        self.detail = ObjectiveDetail(controller, self.people_items, self.process_items, self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        scroll.setMinimumWidth(280)
        self.chart = RunChart(self)
        self.measurement_model = make_measurement_model(controller, self.current_row, self)
        self.measurements = self._table("measurementsTable", self.measurement_model)
        self.measurements.setSortingEnabled(False)
        self.add_measurement_action = self._command(
            self.measurements, tr("Add &measurement"), self.add_measurement,
            QKeySequence(Qt.Key.Key_Insert), tip=tr("A measurement dated today (Insert)"))
        self.delete_measurement_action = self._command(
            self.measurements, tr("Delete"), self.delete_measurements,
            QKeySequence.StandardKey.Delete, tip=tr("Delete the selected measurements (Delete)"))
        self.paste_action = self._command(
            self.measurements, tr("&Paste from Excel…"), self.paste_measurements,
            QKeySequence.StandardKey.Paste,
            tip=tr("Paste dates and values copied from a spreadsheet (Ctrl+V); you see every "
                   "row before anything is added"))
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel(tr("Measurements"), right))
        rl.addLayout(self._buttons(self.add_measurement_action, self.delete_measurement_action,
                                   self.paste_action))
        rl.addWidget(self.measurements, 1)
        charts = QSplitter(Qt.Orientation.Vertical, self)
        charts.addWidget(self.chart)
        charts.addWidget(right)
        charts.setStretchFactor(0, 3)
        charts.setStretchFactor(1, 2)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(scroll)
        lower.addWidget(charts)
        lower.setStretchFactor(0, 1)
        lower.setStretchFactor(1, 2)
        lower.setSizes([340, 700])
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([230, 470])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.filters)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_commands())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.measurements.selectionModel().selectionChanged.connect(
            lambda *_: self._update_commands())
        self._update_commands()

    # ------------------------------------------------------------------ building blocks
    def _table(self, name: str, model) -> QTableView:
        table = QTableView(self)
        table.setObjectName(name)
        table.setModel(model)
        table.setItemDelegate(TableDelegate(table))
        table.setEditTriggers(edit_triggers())
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.horizontalHeader().setStretchLastSection(True)
        table.setSortingEnabled(True)
        return table

    def _command(self, widget: QWidget, text: str, slot, key=None, *, tip: str = "") -> QAction:
        return command(widget, text, slot, key, tip=tip)

    def _buttons(self, *actions: QAction) -> QHBoxLayout:
        row = QHBoxLayout()
        for a in actions:
            b = QPushButton(a.text(), self)
            b.setToolTip(a.toolTip())
            b.clicked.connect(a.trigger)
            a.changed.connect(lambda b=b, a=a: b.setEnabled(a.isEnabled()))
            row.addWidget(b)
        row.addStretch(1)
        return row

    def search_widget(self) -> QWidget:
        return self.search

    def people_items(self) -> list[Item]:
        if self._people is None:
            self._people = people_items(self.workspace)
        return self._people

    def process_items(self) -> list[Item]:
        if self._processes is None:
            self._processes = process_items(self.workspace, tr("No process"))
        return self._processes

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        self._people = self._processes = None
        self.model.read_only = self.controller.read_only
        self.model.reload()
        self.detail.refill_choices()
        self._fill_owner_filter()
        self._after_change(reload_measurements=True)

    def _on_changed(self, change: "Change") -> None:
        if not self.touches(change):
            return
        if change.touches("person"):
            self._people = None
        if change.touches("process"):
            self._processes = None
        if self.isVisible() and not self._stale and self.workspace is not None:
            self.model.refresh_ids(change)
            if change.touches("person", "process"):
                self.detail.refill_choices()
                self._fill_owner_filter()
            self._after_change(reload_measurements=change.touches("measurement", "objective"))
        else:
            self._stale = True

    def workspace_closed(self) -> None:
        self._people = self._processes = None
        self.model.set_rows([])
        self.measurement_model.set_rows([])
        self._shown_id = None
        self._show_current()

    def _fill_owner_filter(self) -> None:
        # only the people who own an objective (plus "any" and "no owner"), not everyone
        self.filters.set_items("owner", owner_filter_items(self.people_items()[:1],
                                                           self.model.rows))

    def clear_filters(self) -> None:
        self.filters.clear()

    def set_filters(self, **values: Any) -> None:
        self.filters.apply(**values)

    def _after_change(self, reload_measurements: bool = False) -> None:
        rows = self.model.rows
        off = sum(1 for r in rows if r.kpi.status == "off")
        late = sum(1 for r in rows if r.kpi.late)
        self.count.setText(tr("{shown} of {total} · {off} off target · {late} late").format(
            shown=self.proxy.rowCount(), total=len(rows), off=off, late=late))
        ro = self.controller.read_only
        self.read_only_note.setVisible(ro)
        self.model.read_only = self.measurement_model.read_only = ro
        self.detail.set_read_only(ro)
        if self.current_row() is None and self.proxy.rowCount():
            # nothing selected (first show, a filter hid it): show the first one listed
            self.select_ids([self.proxy.row_at(0).id])
        self._show_current(reload_measurements)

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[int]:
        return selection.selected_ids(self.table)

    def current_row(self) -> Any:
        return selection.current_row(self.table, self.model)

    def select_ids(self, ids: list[int]) -> None:
        selection.select_ids(self.table, self.model, self.proxy, ids, column=1)

    def selected_measurement_ids(self) -> list[int]:
        return selection.selected_ids(self.measurements)

    def select_record(self, entity: str, rid: int) -> bool:
        """Show objective ``rid`` (or the objective of measurement ``rid``, with that
        measurement selected); False when it no longer exists."""
        ws = self.workspace
        if ws is None:
            return False
        if self._stale:
            self._refresh_now()
        mid = None
        if entity == "measurement":
            mid, rid = rid, _service().objective_of_measurement(ws, rid)
            if rid is None:
                return False
        elif entity != "objective":
            return False
        row = self.model.row_of(rid)
        if row is None:
            return False
        if self.proxy.mapFromSource(self.model.index(row, 0)).row() < 0:
            self.clear_filters()  # a filter hides it: show everything
        self.select_ids([rid])
        self._show_current()
        if mid is not None:
            if self.measurement_model.row_of(mid) is None:
                return False
            selection.select_ids(self.measurements, self.measurement_model, _SAME, [mid],
                                 column=1)
        return True

    def _show_current(self, reload_measurements: bool = False) -> None:
        row = self.current_row()
        rid = row.id if row is not None else None
        if rid != self._shown_id or reload_measurements:
            self._shown_id = rid
            if rid is None:
                self.measurement_model.set_rows([])
            else:
                self.measurement_model.reload()
                self.measurements.scrollToBottom()  # the latest figures
        self.detail.show_row(row)
        self.detail.setEnabled(row is not None)
        self._draw_chart(row)
        self._update_commands()

    def _draw_chart(self, row) -> None:
        if row is None:
            self.chart.clear()
            return
        points = [(r.measured_on, r.value) for r in self.measurement_model.rows
                  if r.measured_on is not None]
        self.chart.show_series(points, target=row.target, direction=row.direction,
                               unit=row.unit, title=f"{row.ref} {row.title}".strip())

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # dark mode switched while running
            self.model.refresh_palette()
            self.measurement_model.refresh_palette()
            self._draw_chart(self.current_row())

    def _update_commands(self) -> None:
        writable = self.workspace is not None and not self.controller.read_only
        n = len(self.table.selectionModel().selectedRows())
        has = self.current_row() is not None
        self.add_action.setEnabled(writable)
        self.delete_action.setEnabled(writable and n > 0)
        self.rename_action.setEnabled(writable and has)
        self.add_measurement_action.setEnabled(writable and has)
        self.paste_action.setEnabled(writable and has)
        self.delete_measurement_action.setEnabled(
            writable and bool(self.measurements.selectionModel().selectedRows()))

    # ------------------------------------------------------------------ objectives
    def add(self, values: dict | None = None) -> int | None:
        if not self._writable():
            return None
        vals = {"title": tr("New objective"), **(values or {})}
        oid = self.controller.edit(tr("Add objective"),
                                   lambda ws: _service().add_objective(ws, vals))
        if oid is None:
            return None
        row = self.model.row_of(oid)
        if row is not None and self.proxy.mapFromSource(self.model.index(row, 0)).row() < 0:
            self.clear_filters()
        self.select_ids([oid])
        self.rename()
        return oid

    def rename(self) -> None:
        row = self.current_row()
        if row is None or not self._writable():
            return
        index = self.proxy.mapFromSource(self.model.index(self.model.row_of(row.id),
                                                          self.model.column_of["title"]))
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.edit(index)

    def delete_selected(self, confirm: bool = True) -> bool:
        ids = self.selected_ids()
        if not ids or not self._writable():
            return False
        if confirm:
            n = _service().measurement_counts(self.workspace, ids)
            what = tr("the objective") if len(ids) == 1 else \
                tr("{n} objectives").format(n=len(ids))
            text = tr("Delete {what} and its {m} measurement(s)?").format(what=what, m=n) \
                if n else tr("Delete {what}? It has no measurements.").format(what=what)
            answer = QMessageBox.question(self, tr("Delete objectives"), text + " " + tr(
                "You can undo this."))
            if answer != QMessageBox.StandardButton.Yes:
                return False
        label = tr("Delete objective") if len(ids) == 1 else \
            tr("Delete {n} objectives").format(n=len(ids))
        return self.controller.edit(label, lambda ws: _service().delete_objectives(ws, ids)) \
            is not None

    # ------------------------------------------------------------------ measurements
    def add_measurement(self, value: Any = None, day: dt.date | None = None) -> int | None:
        """Add the measurement of ``day`` (today) and start typing its value; when that day is
        measured already, its row is selected instead."""
        row = self.current_row()
        if row is None or not self._writable():
            return None
        day = day or dt.date.today()
        for r in self.measurement_model.rows:
            if r.measured_on == day:
                self._edit_measurement(r.id)
                self.controller.notice.emit(tr("{day} is measured already: change its "
                                               "value.").format(day=day.isoformat()))
                return None
        if value is None:  # start from the latest value: the user types the new one over it
            value = row.kpi.value if row.kpi.value is not None else (
                row.target if row.target is not None else 0)
        oid = row.id
        mid = self.controller.edit(tr("Add measurement"), lambda ws: _service().add_measurement(
            ws, oid, {"measured_on": day, "value": value}))
        if mid is None:
            return None
        self._edit_measurement(mid)
        warn_measurement(self.controller, mid)
        return mid

    def _edit_measurement(self, mid: int) -> None:
        selection.select_ids(self.measurements, self.measurement_model, _SAME, [mid],
                             column=1)
        index = self.measurement_model.index(self.measurement_model.row_of(mid),
                                             self.measurement_model.column_of["value"])
        if index.isValid():
            # move to the value cell keeping the row selection just made: the view's own
            # setCurrentIndex would apply the keyboard modifiers held at that moment (Ctrl
            # toggles the row off again)
            self.measurements.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.measurements.setFocus()
            self.measurements.edit(index)

    def delete_measurements(self) -> bool:
        ids = self.selected_measurement_ids()
        if not ids or not self._writable():
            return False
        label = tr("Delete measurement") if len(ids) == 1 else \
            tr("Delete {n} measurements").format(n=len(ids))
        return self.controller.edit(label, lambda ws: _service().delete_measurements(ws, ids)) \
            is not None

    def paste_measurements(self, text: str | None = None) -> bool:
        """Paste a block copied from Excel (the clipboard's text when ``text`` is None) into
        the selected objective's measurements, after the preview dialog."""
        from .paste import SKIP, PasteDialog, paste_undo_text

        row = self.current_row()
        if row is None or not self._writable():
            return False
        if text is None:
            text = QApplication.clipboard().text()
        if not text.strip():  # a known problem, told plainly (never the crash dialog)
            self.controller.errorOccurred.emit(RecordError(tr(
                "The clipboard holds no text: copy the cells of dates and values in Excel "
                "first.")))
            return False
        ws, oid = self.workspace, row.id

        def preview(order, replace):
            return _service().paste_preview(ws, oid, text, order=order,
                                            replace_same_day=replace)

        try:  # text that cannot be read, an objective deleted meanwhile: said in a sentence
            preview(None, False)
        except RecordError as e:
            self.controller.errorOccurred.emit(e)
            return False
        except ValueError as e:
            self.controller.errorOccurred.emit(RecordError(str(e)))
            return False
        dialog = PasteDialog(f"{row.ref} {row.title}".strip(), preview, row.unit, self)
        if self.run_dialog(dialog) != QDialog.DialogCode.Accepted or dialog.choice is None:
            return False
        skip = dialog.skip_rows() if dialog.choice == SKIP else []
        order, replace = dialog.order_value, dialog.replace_same_day
        done = self.controller.edit(
            paste_undo_text,
            lambda ws: _service().paste_measurements(ws, oid, text, replace_same_day=replace,
                                                     skip_rows=skip, order=order))
        return done is not None

    def run_dialog(self, dialog: QDialog) -> int:
        """Show a dialog modally (tests replace this to answer it)."""
        return dialog.exec()

    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:  # read-only or closed: say so, change nothing
            self.controller.errorOccurred.emit(e)
            return False
        return True
