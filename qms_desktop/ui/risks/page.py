"""The Risks page: the register table with its filters, the detail panel, the charts, and the
bulk edit, banding, import and export actions.

Every edit is an undo command pushed through the controller. A command that names the risks it
touched (:class:`~.commands.RiskChange`) makes the page re-read only those rows; any other change
to the kinds it shows reloads the register (which keeps selection, sort and scroll).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.risk import Banding
from ..pages.base import Page, heading
from . import style
from .columns import ACTIONS, AP, CHOICE, DATE, DEFAULT_VISIBLE, LEVEL, NUMBER, RATING5, \
    RATING10, Column
from .commands import AddRiskCommand, DeleteRisksCommand, EditRisksCommand, RiskChange, \
    SetBandingCommand
from .delegates import Choices, RiskDelegate, ValueCombo, edit_triggers
from .detail import RiskDetailPanel
from .model import IdRole, RiskFilterProxy, RiskTableModel

if TYPE_CHECKING:  # pragma: no cover
    from ...services.records import Change
    from ...storage.workspace import Workspace
    from ..commands import RecordCommand

tr = style.tr

SETTINGS_COLUMNS = "risks/columns"
SETTINGS_SPLITTER = "risks/splitter"
#: the default share of the width of the register and of the detail panel
DETAIL_SPLIT = (0.7, 0.3)
#: above this many touched rows a full reload is cheaper than re-reading them one by one
TARGETED_LIMIT = 60


class RisksPage(Page):
    """The risk register page (navigation key "risks")."""

    kinds = frozenset({"risk", "risk_rating", "action", "person", "process", "process_node",
                       "setting"})

    def __init__(self, controller, spec, parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self.banding = Banding.default()
        self.model = RiskTableModel(self)
        self.model.committer = self.edit
        self.proxy = RiskFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.choices = Choices(self._lookups, self._steps)
        self.charts = None  # built the first time the charts tab is shown
        #: asks the user to confirm (tests replace it)
        self.confirm: Callable[[str, str], bool] = self._confirm
        self._current_id: int | None = None
        self._build()
        controller.flushRequested.connect(self.detail_flush)

    # ================================================================== building
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.heading = heading(self.spec.title if self.spec is not None else tr("Risks"),
                               parent=self)
        lay.addWidget(self.heading)

        # -- toolbar
        self.toolbar = QToolBar(tr("Risk register"), self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.acts: dict[str, QAction] = {}

        def act(name: str, text: str, slot, tip: str, shortcut: str | None = None) -> QAction:
            a = QAction(text, self)
            a.setObjectName(f"risks_{name}")
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
                a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
            self.acts[name] = a
            self.toolbar.addAction(a)
            return a

        act("add", tr("Add risk"), self.add_risk, tr("Add a risk to the register (Insert)"),
            "Ins")
        act("delete", tr("Delete"), self.delete_selected,
            tr("Delete the selected risks with their actions (Ctrl+Delete)"), "Ctrl+Del")
        act("bulk", tr("Bulk edit…"), self.bulk_edit,
            tr("Set the same values on every selected risk (Ctrl+Shift+E)"), "Ctrl+Shift+E")
        self.toolbar.addSeparator()
        act("banding", tr("Banding…"), self.edit_banding,
            tr("Choose the level of each likelihood × impact cell"))
        self.toolbar.addSeparator()
        act("import", tr("Import…"), self.import_register,
            tr("Import a risk register from Excel (.xlsx) or CSV"))
        act("export", tr("Export…"), self.export_register,
            tr("Export the register as a formatted Excel workbook"))
        self.toolbar.addSeparator()
        self.columns_button = QToolButton(self)
        self.columns_button.setText(tr("Columns"))
        self.columns_button.setToolTip(tr("Choose the columns to show (drag a column header to "
                                          "move it)"))
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self.columns_button)
        self.columns_menu.aboutToShow.connect(lambda: self._fill_columns_menu(self.columns_menu))
        self.columns_button.setMenu(self.columns_menu)
        self.toolbar.addWidget(self.columns_button)
        lay.addWidget(self.toolbar)

        # -- filters
        filters = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(tr("Search ID, title, cause, effect, owner…"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(tr("Search risks"))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._apply_text_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        filters.addWidget(self.search, 2)
        self.owner_filter = ValueCombo([(tr("Any owner"), None, "")], self, searchable=True)
        self.owner_filter.setAccessibleName(tr("Owner filter"))
        self.owner_filter.currentIndexChanged.connect(self._combo_filters_changed)
        filters.addWidget(self.owner_filter, 1)
        self.process_filter = ValueCombo([(tr("Any process"), None, "")], self, searchable=True)
        self.process_filter.setAccessibleName(tr("Process filter"))
        self.process_filter.currentIndexChanged.connect(self._combo_filters_changed)
        filters.addWidget(self.process_filter, 1)
        self.level_filter = ValueCombo(self._level_items(), self)
        self.level_filter.setAccessibleName(tr("Level filter"))
        self.level_filter.currentIndexChanged.connect(self._combo_filters_changed)
        filters.addWidget(self.level_filter)
        self.overdue_filter = QCheckBox(tr("Overdue only"), self)
        self.overdue_filter.setToolTip(tr("Only risks whose review or a treatment action is "
                                          "overdue"))
        self.overdue_filter.toggled.connect(self._combo_filters_changed)
        filters.addWidget(self.overdue_filter)
        self.cell_chip = QToolButton(self)
        self.cell_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.cell_chip.setToolTip(tr("Heat-map cell filter; click to remove it"))
        self.cell_chip.clicked.connect(lambda: self.set_cell_filter(None))
        self.cell_chip.hide()
        filters.addWidget(self.cell_chip)
        self.clear_filters_button = QToolButton(self)
        self.clear_filters_button.setText(tr("Clear filters"))
        self.clear_filters_button.clicked.connect(self.clear_filters)
        filters.addWidget(self.clear_filters_button)
        lay.addLayout(filters)

        # -- register | detail
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.tabs = QTabWidget(self.splitter)
        self.table = QTableView(self.tabs)
        self.table.setObjectName("riskTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(RiskDelegate(self.choices, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(edit_triggers())
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.table.setSortingEnabled(True)
        self._columns_timer = QTimer(self)
        self._columns_timer.setSingleShot(True)
        self._columns_timer.setInterval(400)
        self._columns_timer.timeout.connect(self.save_columns)
        header.sectionMoved.connect(lambda *_a: self._columns_timer.start())
        header.sectionResized.connect(lambda *_a: self._columns_timer.start())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.tabs.addTab(self.table, tr("Register"))
        self.charts_holder = QWidget(self.tabs)
        QVBoxLayout(self.charts_holder).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.charts_holder, tr("Heat maps && Pareto"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.detail = RiskDetailPanel(self, self.splitter)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self._splitter_placed = False
        #: keep the default split (register 70 %, detail 30 %) until the user moves it
        self._splitter_auto = False
        self.splitter.splitterMoved.connect(self._splitter_moved)
        lay.addWidget(self.splitter, 1)

        self.count_label = QLabel(self)
        lay.addWidget(self.count_label)

        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(0)
        self._detail_timer.timeout.connect(self._update_detail)
        self.restore_columns()
        self._update_actions()

    @staticmethod
    def _level_items() -> list[tuple[str, Any, str]]:
        return [(tr("Any level"), None, ""),
                (tr("Critical"), "critical", ""),
                (tr("High or critical"), "high+", ""),
                (tr("High"), "high", ""),
                (tr("Medium"), "medium", ""),
                (tr("Low"), "low", ""),
                (tr("FMEA: AP High"), "ap:H", ""),
                (tr("FMEA: AP Medium"), "ap:M", ""),
                (tr("FMEA: AP Low"), "ap:L", "")]

    # ================================================================== Page API
    def search_widget(self) -> QWidget | None:
        return self.search

    @property
    def read_only(self) -> bool:
        return self.controller.read_only

    def workspace_closed(self) -> None:
        self.model.set_rows([])
        self.choices.invalidate()
        self._current_id = None
        self.detail.show_risk(None)
        if self.charts is not None:
            self.charts.set_data([], self.banding)
        self._update_counts()

    def refresh(self) -> None:
        """Reload every row (a full re-read; selection, sort and scroll are kept)."""
        from ...services import risks

        ws = self.workspace
        if ws is None:
            return
        self.banding = risks.get_banding(ws)
        rows = risks.list_risks(ws)
        self.model.read_only = ws.read_only
        self.choices.invalidate()
        self._fill_filter_combos()
        self.model.set_rows(rows)
        self._after_rows_changed()

    def _on_changed(self, change: "Change") -> None:
        if not self.touches(change):
            return
        targeted = (isinstance(change, RiskChange) and change.ids
                    and len(change.ids) <= TARGETED_LIMIT and not self._stale
                    and self.isVisible()
                    and not change.touches("setting", "person", "process", "process_node"))
        if targeted:
            self.refresh_ids(change.ids)
            return
        super()._on_changed(change)

    def refresh_ids(self, ids) -> None:
        """Re-read only these risks (edited, added or deleted)."""
        from ...services import risks
        from ...services.records import RecordError

        ws = self.workspace
        if ws is None:
            return
        fresh, gone = [], []
        for rid in ids:
            try:
                fresh.append(risks.get_risk(ws, rid))
            except RecordError:
                gone.append(rid)
        self.model.remove_ids(gone)
        self.model.update_rows(fresh)
        self._after_rows_changed(touched=set(ids))

    def _after_rows_changed(self, touched: set[int] | None = None) -> None:
        self._update_counts()
        if self.charts is not None:
            self.charts.set_data(self.proxy.chart_rows(), self.banding, self.proxy.cell)
        if self._current_id is not None and (touched is None or self._current_id in touched):
            row = self.model.risk(self._current_id)
            if row is None:
                self._current_id = None
            self._update_detail()
        self._update_actions()

    # ================================================================== editing
    def push(self, command: "RecordCommand") -> bool:
        return self.controller.push(command)

    def edit(self, ids: list[int], values: dict[str, Any], text: str | None = None) -> bool:
        """Set ``values`` on the risks ``ids`` as one undo step."""
        ws = self.workspace
        if ws is None or not ids or not values:
            return False
        return self.push(EditRisksCommand(ws, ids, values, text=text))

    def selected_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        return [r.data(IdRole) for r in sorted(rows, key=lambda i: i.row())]

    def select_ids(self, ids: list[int], *, edit_column: str | None = None) -> None:
        sel = self.table.selectionModel()
        sel.clearSelection()
        first = None
        for rid in ids:
            pos = self.model.row_of(rid)
            if pos is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(pos, 0))
            if not index.isValid():
                continue
            sel.select(index, QItemSelectionModel.SelectionFlag.Select
                       | QItemSelectionModel.SelectionFlag.Rows)
            first = first or index
        if first is not None:
            column = self.model.column_of.get(edit_column or "", first.column())
            current = self.proxy.index(first.row(), column)
            sel.setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(current)
            if edit_column:
                self.table.edit(current)

    def add_risk(self) -> None:
        ws = self.workspace
        if ws is None or self.read_only:
            return
        values: dict[str, Any] = {"title": tr("New risk")}
        if self.proxy.process not in (None, RiskFilterProxy.NONE):
            values["process_id"] = self.proxy.process
        if self.proxy.owner not in (None, RiskFilterProxy.NONE):
            values["owner_id"] = self.proxy.owner
        cmd = AddRiskCommand(ws, values)
        if not self.push(cmd):
            return
        pos = self.model.row_of(cmd.rid)
        if pos is not None and not self.proxy.mapFromSource(self.model.index(pos, 0)).isValid():
            self.clear_filters()  # the new risk must be visible
        self.tabs.setCurrentIndex(0)
        self.select_ids([cmd.rid], edit_column="title")

    def delete_selected(self) -> None:
        ws = self.workspace
        ids = self.selected_ids()
        if ws is None or not ids or self.read_only:
            return
        rows = [self.model.risk(i) for i in ids]
        actions = sum(r.open_actions for r in rows if r is not None)
        if len(ids) == 1 and rows[0] is not None:
            text = tr("Delete {ref} “{title}” with its actions and rating history?").format(
                ref=rows[0].ref, title=rows[0].title)
        else:
            text = tr("Delete {n} risks with their actions and rating history?").format(
                n=len(ids))
        if actions:
            text += " " + tr("{n} open action(s) go with them.").format(n=actions)
        if not self.confirm(tr("Delete risks"), text + " " + tr("Undo brings them back.")):
            return
        self.push(DeleteRisksCommand(ws, ids))

    def bulk_edit(self) -> None:
        from .bulk import BulkEditDialog

        ws = self.workspace
        ids = self.selected_ids()
        if ws is None or not ids or self.read_only:
            return
        dialog = BulkEditDialog(len(ids), self.choices, self)
        if dialog.exec() != BulkEditDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        if values:
            self.edit(ids, values, text=tr("Edit {n} risks").format(n=len(ids)))

    def edit_banding(self) -> None:
        from ...services.exports.risk_charts import heatmap_counts
        from .banding import BandingDialog

        ws = self.workspace
        if ws is None:
            return
        rows = self.model.rows
        counts = {s: heatmap_counts(rows, s) for s in ("inherent", "residual")}
        dialog = BandingDialog(self.banding, counts, self, read_only=self.read_only)
        if dialog.exec() != BandingDialog.DialogCode.Accepted or not dialog.changed:
            return
        self.push(SetBandingCommand(ws, self.banding, dialog.banding))

    def detail_flush(self) -> None:
        """Commit a half-typed text in the detail panel (before undo, close...)."""
        focused = self.detail.focusWidget()
        for key, editor in self.detail.editors.items():
            if editor is focused:
                self.detail._commit(key)

    # ================================================================== import / export
    def import_register(self) -> None:
        from .import_wizard import RiskImportWizard

        if self.workspace is None or self.read_only:
            return
        wizard = RiskImportWizard(self.controller, self)
        wizard.exec()

    def export_register(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        start = str(ws.path.with_name(ws.path.stem + "-risks.xlsx"))
        path, _f = QFileDialog.getSaveFileName(self, tr("Export risk register"), start,
                                               tr("Excel workbook (*.xlsx)"))
        if not path:
            return
        self.export_to(Path(path))

    def export_to(self, path: Path, on_done: Callable[[Path], None] | None = None):
        """Write the register to ``path`` in the background (progress dialog with Cancel)."""
        from ...services import risks

        ws = self.workspace
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")

        def done(result: Path) -> None:
            msg = tr("Risk register exported to {path}").format(path=result)
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(msg, 8000)
            if on_done is not None:
                on_done(result)

        return self.controller.runner.run(lambda ctx: risks.export_risks(ws, path),
                                          label=tr("Exporting the risk register…"), parent=self,
                                          on_result=done)

    def export_chart(self, which: str) -> None:
        if self.charts is None:
            return
        ws = self.workspace
        start = str(ws.path.parent) if ws is not None else ""
        try:
            self.charts.export(which, self, start)
        except OSError as e:
            from ..errors import show_error

            show_error(self, tr("The chart could not be written ({reason}); choose another "
                                "folder.").format(reason=e.strerror or e))

    # ================================================================== filters
    def _fill_filter_combos(self) -> None:
        from ...services import risks

        ws = self.workspace
        if ws is None:
            return
        lookups = risks.lookups(ws)
        none = RiskFilterProxy.NONE
        self.owner_filter.set_items([(tr("Any owner"), None, ""), (tr("No owner"), none, "")]
                                    + [(c.name, c.id, "") for c in lookups["owner_id"]])
        self.process_filter.set_items([(tr("Any process"), None, ""),
                                       (tr("No process"), none, "")]
                                      + [(c.name, c.id, "") for c in lookups["process_id"]])

    def _apply_text_filter(self) -> None:
        self.proxy.set_filters(text=self.search.text())
        self._filters_applied()

    def _combo_filters_changed(self, *_a) -> None:
        self.proxy.set_filters(owner=self.owner_filter.value(),
                               process=self.process_filter.value(),
                               level=self.level_filter.value(),
                               overdue_only=self.overdue_filter.isChecked())
        self._filters_applied()

    def set_cell_filter(self, cell: tuple[str, int, int] | None) -> None:
        """Show only the risks in one heat-map cell (None: all cells)."""
        self.proxy.set_filters(cell=cell)
        if cell is None:
            self.cell_chip.hide()
        else:
            stage, lk, im = cell
            name = tr("Inherent") if stage == "inherent" else tr("Residual")
            self.cell_chip.setText(tr("{stage} L{l} × I{i}  ✕").format(stage=name, l=lk, i=im))
            self.cell_chip.show()
        self._filters_applied()

    def clear_filters(self) -> None:
        for w in (self.search, self.owner_filter, self.process_filter, self.level_filter,
                  self.overdue_filter):
            w.blockSignals(True)
        self.search.clear()
        self.owner_filter.set_value(None)
        self.process_filter.set_value(None)
        self.level_filter.set_value(None)
        self.overdue_filter.setChecked(False)
        for w in (self.search, self.owner_filter, self.process_filter, self.level_filter,
                  self.overdue_filter):
            w.blockSignals(False)
        self._search_timer.stop()
        self.proxy.clear_filters()
        self.cell_chip.hide()
        self._filters_applied()

    def _filters_applied(self) -> None:
        self._update_counts()
        if self.charts is not None:
            self.charts.set_data(self.proxy.chart_rows(), self.banding, self.proxy.cell)

    def _update_counts(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        overdue = sum(1 for r in self.model.rows if r.review_overdue or r.overdue_actions)
        parts = [tr("{n} risks").format(n=f"{total:,}")]
        if shown != total:
            parts.append(tr("{n} shown").format(n=f"{shown:,}"))
        if overdue:
            parts.append(tr("⚠ {n} overdue").format(n=f"{overdue:,}"))
        self.count_label.setText(" · ".join(parts))
        self.clear_filters_button.setEnabled(self.proxy.active)

    # ================================================================== selection / detail
    def _selection_changed(self, *_a) -> None:
        self._detail_timer.start()
        self._update_actions()

    def _update_detail(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self._current_id = ids[0]
        elif len(ids) > 1:
            self._current_id = None
            self.detail.show_risk(None, multiple=len(ids))
            return
        row = self.model.risk(self._current_id) if self._current_id is not None else None
        if row is None:
            self._current_id = None
        self.detail.show_risk(row)

    def _update_actions(self) -> None:
        has_ws = self.workspace is not None
        writable = has_ws and not self.read_only
        n = len(self.table.selectionModel().selectedRows()) if has_ws else 0
        self.acts["add"].setEnabled(writable)
        self.acts["delete"].setEnabled(writable and n > 0)
        self.acts["bulk"].setEnabled(writable and n > 0)
        self.acts["banding"].setEnabled(has_ws)
        self.acts["import"].setEnabled(writable)
        self.acts["export"].setEnabled(has_ws)

    # ================================================================== charts
    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.charts_holder and self.charts is None:
            self.show_charts()

    def show_charts(self):
        """Build the charts (imports matplotlib) and show them."""
        from .heatmap import RiskChartsWidget

        if self.charts is None:
            self.charts = RiskChartsWidget(self.charts_holder)
            self.charts_holder.layout().addWidget(self.charts)
            self.charts.cellClicked.connect(self._chart_cell_clicked)
            self.charts.cellCleared.connect(lambda: self.set_cell_filter(None))
            self.charts.exportRequested.connect(self.export_chart)
            self.charts.set_data(self.proxy.chart_rows(), self.banding, self.proxy.cell)
        self.tabs.setCurrentWidget(self.charts_holder)
        return self.charts

    def _chart_cell_clicked(self, stage: str, likelihood: int, impact: int) -> None:
        self.set_cell_filter((stage, likelihood, impact))
        self.tabs.setCurrentIndex(0)

    # ================================================================== columns
    def _fill_columns_menu(self, menu: QMenu) -> None:
        menu.clear()
        header = self.table.horizontalHeader()
        for i, column in enumerate(self.model.columns):
            a = menu.addAction(column.title if column.title == column.tooltip or
                               not column.tooltip else f"{column.title} — {column.tooltip}")
            a.setCheckable(True)
            a.setChecked(not header.isSectionHidden(i))
            a.toggled.connect(lambda on, i=i: self.set_column_visible(i, on))
        menu.addSeparator()
        menu.addAction(tr("Reset columns"), self.reset_columns)

    def _header_menu(self, pos) -> None:
        menu = QMenu(self)
        self._fill_columns_menu(menu)
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def set_column_visible(self, logical: int, visible: bool) -> None:
        header = self.table.horizontalHeader()
        if not visible and header.count() - header.hiddenSectionCount() <= 1:
            return  # keep at least one column
        header.setSectionHidden(logical, not visible)
        if visible and header.sectionSize(logical) < 20:
            header.resizeSection(logical, self.default_width(self.model.columns[logical]))
        self.save_columns()

    def column_layout(self) -> list[tuple[str, int]]:
        """(key, width) of the visible columns in their on-screen order."""
        header = self.table.horizontalHeader()
        out = []
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if not header.isSectionHidden(logical):
                out.append((self.model.columns[logical].key, header.sectionSize(logical)))
        return out

    def apply_column_layout(self, layout: list[tuple[str, int]]) -> None:
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        try:
            keys = [k for k, _w in layout if k in self.model.column_of]
            if not keys:
                layout = [(k, self.default_width(self.model.columns[self.model.column_of[k]]))
                          for k in DEFAULT_VISIBLE]
                keys = [k for k, _w in layout]
            widths = dict(layout)
            for logical, column in enumerate(self.model.columns):
                header.setSectionHidden(logical, column.key not in widths)
            for visual, key in enumerate(keys):
                logical = self.model.column_of[key]
                header.moveSection(header.visualIndex(logical), visual)
                column = self.model.columns[logical]
                header.resizeSection(logical, max(24, int(widths.get(key) or 0)
                                                  or self.default_width(column)))
        finally:
            header.blockSignals(False)

    def default_width(self, column: Column) -> int:
        """A width that shows the column's header and its longest usual value unclipped (in the
        user's font): dates, levels, action counts and choices in full; free text at its
        preset width."""
        import datetime as dt

        header = self.table.horizontalHeader()
        pad = 2 * self.table.style().pixelMetric(
            self.table.style().PixelMetric.PM_FocusFrameHMargin, None, self.table) + 10
        title = header.fontMetrics().horizontalAdvance(column.title) + pad + 10  # sort arrow
        fm = self.table.fontMetrics()
        icon = self.table.iconSize().width() if self.table.iconSize().width() > 0 else 16
        icon += 6

        def widest(texts) -> int:
            return max((fm.horizontalAdvance(t) for t in texts), default=0) + pad

        kind = column.kind
        if kind == DATE:
            content = widest([self.model.format_date(dt.date(2026, 12, 28))]) + icon
        elif kind == LEVEL:
            content = widest(style.level_label(v) for v in
                             ("low", "medium", "high", "critical")) + icon
        elif kind == AP:
            content = widest(style.ap_label(v) for v in ("H", "M", "L")) + icon
        elif kind == ACTIONS:
            content = widest([style.tr("{n} open · {m} overdue").format(n=10, m=10)]) + icon
        elif kind == CHOICE:
            labels = {"status": [style.status_label(v) for v in
                                 ("open", "treating", "monitoring", "closed")],
                      "method": [style.method_label(v) for v in ("5x5", "fmea", "both")]}
            content = widest(labels.get(column.key, [style.kind_label(v) for v in
                                                     ("risk", "opportunity")]))
        elif kind in (RATING5, RATING10, NUMBER):
            content = widest(["100"])
        else:
            content = column.width
        return max(title, content)

    def save_columns(self) -> None:
        QSettings().setValue(SETTINGS_COLUMNS, json.dumps(self.column_layout()))

    def restore_columns(self) -> None:
        raw = QSettings().value(SETTINGS_COLUMNS, "")
        layout: list[tuple[str, int]] = []
        if isinstance(raw, str) and raw:
            try:
                data = json.loads(raw)
                layout = [(str(k), int(w)) for k, w in data]
            except (ValueError, TypeError):
                layout = []
        self.apply_column_layout(layout)

    def reset_columns(self) -> None:
        self.apply_column_layout([])
        self.save_columns()

    # ================================================================== misc
    def _lookups(self) -> dict:
        from ...services import risks

        ws = self.workspace
        return risks.lookups(ws) if ws is not None else {}

    def _steps(self, process_id: int) -> list:
        from ...services import risks

        ws = self.workspace
        return risks.steps_of(ws, process_id) if ws is not None else []

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _splitter_moved(self, *_a) -> None:
        self._splitter_auto = False
        QSettings().setValue(SETTINGS_SPLITTER, self.splitter.saveState())

    def place_splitter(self) -> None:
        """The default split: the register gets 70 % of the width, the detail panel 30 %."""
        width = max(self.splitter.width(), 800)
        self.splitter.setSizes([int(width * DETAIL_SPLIT[0]), int(width * DETAIL_SPLIT[1])])

    def showEvent(self, event) -> None:  # noqa: N802
        if not self._splitter_placed:
            self._splitter_placed = True
            state = QSettings().value(SETTINGS_SPLITTER)
            if not (state and self.splitter.restoreState(state)):
                self._splitter_auto = True
                self.place_splitter()
        super().showEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._splitter_auto:
            self.place_splitter()

    def changeEvent(self, event) -> None:  # noqa: N802
        from PySide6.QtCore import QEvent

        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.model.refresh_palette()
            if self.detail.built:
                self.detail.actions_model.palette = style.Palette()
            if self.charts is not None:
                self.charts.set_data(self.charts.rows, self.banding, self.proxy.cell)

    @property
    def workspace(self) -> "Workspace | None":
        return self.controller.workspace

