"""The Risks page: the register table with its filters, the detail panel, the charts, and the
bulk edit, banding, import and export actions — built from the table kit (``ui/table``).

Every edit is one ``controller.edit(label, lambda ws: service(ws, …))`` line. The controller's
Change names the rows it touched: the page re-reads only those (``RowModel.refresh_ids``), or the
whole register when names, steps or the banding changed (which keeps selection, sort and scroll).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, Signal
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
from ..table import ColumnLayout, IdRole, TableDelegate, ValueCombo, edit_triggers
from . import style
from .columns import DEFAULT_VISIBLE, FIRST_READ, edit_label
from .delegates import workspace_choices
from .detail import RiskDetailPanel
from .model import RiskFilterProxy, RiskTableModel

if TYPE_CHECKING:  # pragma: no cover
    from ...services.records import Change
    from ...storage.workspace import Workspace

tr = style.tr

#: the default share of the width of the register and of the detail panel
DETAIL_SPLIT = (0.71, 0.29)
#: the first-read columns as wide as their content in the default layout (the title takes
#: the rest); the owner at most this many average characters
CONTENT_FIT = ("ref", "inherent_level", "residual_level", "owner_id")
CONTENT_CAP = {"owner_id": 18}


def _risks():
    from ...services import risks

    return risks


class RisksPage(Page):
    """The risk register page (navigation key "risks")."""

    kinds = frozenset({"risk", "risk_rating", "action", "person", "process", "process_node",
                       "setting"})
    #: show a record on its page (a risk's process or step on the map), routed by the window
    openRecord = Signal(str, int)

    def __init__(self, controller, spec, parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self.banding = Banding.default()
        self.choices = workspace_choices(controller)
        self.model = RiskTableModel(self.choices, self._load, self._commit, self._action_risks,
                                    self)
        self.proxy = RiskFilterProxy(self)
        self.proxy.setSourceModel(self.model)
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

        self.toolbar = QToolBar(tr("Risk register"), self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.acts: dict[str, QAction] = {}
        for spec in (
                ("add", tr("Add risk"), self.add_risk, tr("Add a risk to the register (Insert)"),
                 "Ins"),
                ("delete", tr("Delete"), self.delete_selected,
                 tr("Delete the selected risks with their actions (Ctrl+Delete)"), "Ctrl+Del"),
                ("bulk", tr("Bulk edit…"), self.bulk_edit,
                 tr("Set the same values on every selected risk (Ctrl+Shift+E)"), "Ctrl+Shift+E"),
                None,
                ("banding", tr("Banding…"), self.edit_banding,
                 tr("Choose the level of each likelihood × impact cell"), None),
                None,
                ("import", tr("Import…"), self.import_register,
                 tr("Import a risk register from Excel (.xlsx) or CSV"), None),
                ("export", tr("Export…"), self.export_register,
                 tr("Export the register as a formatted Excel workbook"), None),
                None):
            if spec is None:
                self.toolbar.addSeparator()
                continue
            name, text, slot, tip, key = spec
            a = QAction(text, self)
            a.setObjectName(f"risks_{name}")
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            if key:
                a.setShortcut(QKeySequence(key))
                a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
            self.acts[name] = a
            self.toolbar.addAction(a)
        self.columns_button = QToolButton(self)
        self.columns_button.setText(tr("Columns"))
        self.columns_button.setToolTip(tr("Choose the columns to show (drag a column header to "
                                          "move it)"))
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self.columns_button)
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
        self.process_filter = ValueCombo([(tr("Any process"), None, "")], self, searchable=True)
        self.kind_filter = ValueCombo(self._kind_items(), self)
        self.level_filter = ValueCombo(self._level_items(), self)
        for combo, name, stretch in ((self.owner_filter, tr("Owner filter"), 1),
                                     (self.process_filter, tr("Process filter"), 1),
                                     (self.kind_filter, tr("Kind filter"), 0),
                                     (self.level_filter, tr("Level filter"), 0)):
            combo.setAccessibleName(name)
            combo.currentIndexChanged.connect(self._combo_filters_changed)
            filters.addWidget(combo, stretch)
        self.overdue_filter = QCheckBox(tr("Overdue only"), self)
        self.overdue_filter.setToolTip(tr("Only risks whose review or a treatment action is "
                                          "overdue"))
        self.overdue_filter.toggled.connect(self._combo_filters_changed)
        filters.addWidget(self.overdue_filter)
        self.open_filter = QCheckBox(tr("Open only"), self)
        self.open_filter.setToolTip(tr("Leave out closed risks and opportunities"))
        self.open_filter.toggled.connect(self._combo_filters_changed)
        filters.addWidget(self.open_filter)
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
        self.table.setItemDelegate(TableDelegate(self.table))
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
        header.setHighlightSections(False)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.columns = ColumnLayout(self.table, self.model, "risks", default=DEFAULT_VISIBLE)
        self.columns_menu.aboutToShow.connect(lambda: self.columns.fill_menu(self.columns_menu))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.tabs.addTab(self.table, tr("Register"))
        self.charts_holder = QWidget(self.tabs)
        QVBoxLayout(self.charts_holder).setContentsMargins(0, 0, 0, 0)
        #: shown (and painted) at once when the tab opens; the charts replace it right after
        self.charts_placeholder = QLabel(tr("Preparing the heat maps and the Pareto…"),
                                         self.charts_holder)
        self.charts_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.charts_holder.layout().addWidget(self.charts_placeholder)
        self.charts_holder.installEventFilter(self)
        self.table.viewport().installEventFilter(self)
        self.tabs.tabBar().installEventFilter(self)
        self._charts_pending = False
        # the thread importing matplotlib, started when the pointer reaches the tabs (a user
        # about to open the charts): not at once, where it would slow the register's first
        # seconds of sorting and filtering by competing with them
        self._charts_warm_up = None
        #: checks whether the warm-up has finished while the charts tab waits for it
        self._charts_poll = QTimer(self)
        self._charts_poll.setSingleShot(True)
        self._charts_poll.setInterval(30)
        self._charts_poll.timeout.connect(self._build_pending_charts)
        self._charts_polls = 0
        self.tabs.addTab(self.charts_holder, tr("Heat maps && Pareto"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.detail = RiskDetailPanel(self.controller, self.choices, self.splitter)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, True)  # the panel folds away: the register gets it all
        self.details_action = QAction(tr("Details"), self)
        self.details_action.setObjectName("risks_details")
        self.details_action.setCheckable(True)
        self.details_action.setChecked(True)
        self.details_action.setToolTip(tr("Show or hide the detail panel of the selected risk "
                                          "(F6)"))
        self.details_action.setShortcut(QKeySequence("F6"))
        self.details_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.details_action.toggled.connect(self.set_detail_visible)
        self.addAction(self.details_action)
        self.toolbar.addAction(self.details_action)
        self._splitter_placed = False
        #: keep the default split (register 70 %, detail 30 %) until the user moves it
        self._splitter_auto = False
        self.splitter.splitterMoved.connect(self._splitter_moved)
        self.splitter.splitterMoved.connect(lambda *_a: self.fit_title())
        lay.addWidget(self.splitter, 1)

        self.count_label = QLabel(self)
        lay.addWidget(self.count_label)
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(0)
        self._detail_timer.timeout.connect(self._update_detail)
        #: the title takes the width the other columns read first leave, until the user lays
        #: the columns out (a saved layout keeps its widths)
        self._fit_title = not self._settings().column_layout("risks")
        self._user_sized: set[str] = set()
        self._content_widths: dict[str, int] = {}
        self.columns.restore()
        self.table.horizontalHeader().sectionResized.connect(self._section_resized)
        self._update_actions()
        self._build_jumps()

    @staticmethod
    def _kind_items() -> list[tuple[str, Any, str]]:
        return [(tr("Risks and opportunities"), None, ""), (tr("Risks"), "risk", ""),
                (tr("Opportunities"), "opportunity", "")]

    @staticmethod
    def _level_items() -> list[tuple[str, Any, str]]:
        return [(tr("Any level"), None, ""), (tr("Critical"), "critical", ""),
                (tr("High or critical"), "high+", ""), (tr("High"), "high", ""),
                (tr("Medium"), "medium", ""), (tr("Low"), "low", ""),
                (tr("Not rated"), "none", ""),
                (tr("FMEA: AP High"), "ap:H", ""), (tr("FMEA: AP Medium"), "ap:M", ""),
                (tr("FMEA: AP Low"), "ap:L", "")]

    # ================================================================== data
    def _load(self, ids) -> list:
        """The rows of ``ids`` (None: every risk) — the model's loader."""
        from ...services.records import RecordError

        ws, risks = self.workspace, _risks()
        if ws is None:
            return []
        if ids is None:
            return risks.list_risks(ws)
        out = []
        for rid in ids:
            try:
                out.append(risks.get_risk(ws, rid))
            except RecordError:  # deleted
                pass
        return out

    def _action_risks(self, action_ids: set[int]) -> list[int] | None:
        """The risks of these (existing) actions; None when too many to look up one by one."""
        from ...services import records

        ws = self.workspace
        if ws is None or len(action_ids) > self.model.targeted_limit:
            return None
        out = []
        for aid in action_ids:
            try:
                out.append(records.get(ws, "action", aid)["risk_id"])
            except records.RecordError:
                pass
        return out

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
        ws = self.workspace
        if ws is None:
            return
        self.banding = _risks().get_banding(ws)
        self.model.read_only = ws.read_only
        self.choices.invalidate()
        self._fill_filter_combos()
        self.model.reload()
        self._after_rows_changed()

    def _on_changed(self, change: "Change") -> None:
        if not self.touches(change):
            return
        ids = None if self._stale or not self.isVisible() else self.model.targeted_ids(change)
        if ids is None:  # hidden (refreshed when shown), or names/banding changed: everything
            super()._on_changed(change)
        elif ids:
            self.model.reload_ids(ids)
            self._after_rows_changed(touched=ids)

    def _after_rows_changed(self, touched: set[int] | None = None) -> None:
        self._update_counts()
        self._content_widths.clear()  # new refs, names or levels: fit them again
        QTimer.singleShot(0, self.fit_title)
        if self.charts is not None:
            self.charts.set_data(self.proxy.chart_rows(), self.banding, self.proxy.cell)
        if self._current_id is not None and (touched is None or self._current_id in touched):
            if self.model.risk(self._current_id) is None:
                self._current_id = None
            self._update_detail()
        self._update_actions()

    # ================================================================== editing
    def _commit(self, row, column, value) -> bool:
        return self.edit([row.id], {column.key: value})

    def edit(self, ids: list[int], values: dict[str, Any], text: str | None = None) -> bool:
        """Set ``values`` on the risks ``ids`` as one undo step."""
        if self.workspace is None or not ids or not values:
            return False
        return bool(self.controller.edit(text or edit_label(ids, values),
                                         lambda ws: _risks().update_risks(ws, ids, values)))

    def selected_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        return [r.data(IdRole) for r in sorted(rows, key=lambda i: i.row())]

    def select_ids(self, ids: list[int], *, edit_column: str | None = None) -> None:
        sel = self.table.selectionModel()
        sel.clearSelection()
        first = None
        for rid in ids:
            pos = self.model.row_of(rid)
            index = self.proxy.mapFromSource(self.model.index(pos, 0)) if pos is not None \
                else None
            if index is None or not index.isValid():
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
        if self.workspace is None or self.read_only:
            return
        values: dict[str, Any] = {"title": tr("New risk")}
        if self.proxy.process not in (None, RiskFilterProxy.NONE):
            values["process_id"] = self.proxy.process
        if self.proxy.owner not in (None, RiskFilterProxy.NONE):
            values["owner_id"] = self.proxy.owner
        rid = self.controller.edit(tr("Add risk"), lambda ws: _risks().add_risk(ws, values))
        if not rid:
            return
        pos = self.model.row_of(rid)
        if pos is not None and not self.proxy.mapFromSource(self.model.index(pos, 0)).isValid():
            self.clear_filters()  # the new risk must be visible
        self.tabs.setCurrentIndex(0)
        self.select_ids([rid], edit_column="title")

    def delete_selected(self) -> None:
        from ...services import records

        ids = self.selected_ids()
        if self.workspace is None or not ids or self.read_only:
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
        from ...services import attachments

        files = sum(attachments.count_for(self.workspace, "risk", ids).values())
        if files:
            text += " " + (tr("Its attached file goes too.") if files == 1 else
                           tr("{n} attached files go too.").format(n=files))
        if not self.confirm(tr("Delete risks"), text + " " + tr("Undo brings them back.")):
            return
        label = tr("Delete risk") if len(ids) == 1 else tr("Delete {n} risks").format(n=len(ids))
        self.controller.edit(label, lambda ws: [records.delete(ws, "risk", i) for i in ids])

    def bulk_edit(self) -> None:
        from .bulk import BulkEditDialog

        ids = self.selected_ids()
        if self.workspace is None or not ids or self.read_only:
            return
        dialog = BulkEditDialog(len(ids), self.choices, self)
        if dialog.exec() == BulkEditDialog.DialogCode.Accepted and dialog.values():
            self.edit(ids, dialog.values(), text=tr("Edit {n} risks").format(n=len(ids)))

    def edit_banding(self) -> None:
        from ...services.exports.risk_charts import heatmap_counts
        from .banding import BandingDialog

        if self.workspace is None:
            return
        counts = {s: heatmap_counts(self.model.rows, s) for s in ("inherent", "residual")}
        dialog = BandingDialog(self.banding, counts, self, read_only=self.read_only)
        if dialog.exec() != BandingDialog.DialogCode.Accepted or not dialog.changed:
            return
        banding = dialog.banding
        self.controller.edit(tr("Change risk banding"),
                             lambda ws: _risks().set_banding(ws, banding))

    def detail_flush(self) -> None:
        """Commit a half-typed text in the detail panel (before undo, close...)."""
        self.detail.flush()

    # ================================================================== import / export
    def import_register(self) -> None:
        from .import_wizard import RiskImportWizard

        if self.workspace is None or self.read_only:
            return
        RiskImportWizard(self.controller, self).exec()

    def export_register(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        start = str(ws.path.with_name(ws.path.stem + "-risks.xlsx"))
        path, _f = QFileDialog.getSaveFileName(self, tr("Export risk register"), start,
                                               tr("Excel workbook (*.xlsx)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path, on_done: Callable[[Path], None] | None = None):
        """Write the register to ``path`` in the background (progress dialog with Cancel)."""
        ws = self.workspace
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")

        def done(result: Path) -> None:
            self.controller.record_head("export")  # the head the file carries, kept
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(
                    tr("Risk register exported to {path}").format(path=result), 8000)
            if on_done is not None:
                on_done(result)

        return self.controller.runner.run(lambda ctx: _risks().export_risks(ws, path),
                                          label=tr("Exporting the risk register…"), parent=self,
                                          on_result=done)

    def export_chart(self, which: str) -> None:
        if self.charts is None:
            return
        ws = self.workspace
        try:
            self.charts.export(which, self, str(ws.path.parent) if ws is not None else "")
        except OSError as e:
            from ..errors import show_error

            show_error(self, tr("The chart could not be written ({reason}); choose another "
                                "folder.").format(reason=e.strerror or e))

    # ================================================================== filters
    def _fill_filter_combos(self) -> None:
        none = RiskFilterProxy.NONE
        self.owner_filter.set_items([(tr("Any owner"), None, ""), (tr("No owner"), none, "")]
                                    + self.choices.items("owner_id")[1:])
        self.process_filter.set_items([(tr("Any process"), None, ""),
                                       (tr("No process"), none, "")]
                                      + self.choices.items("process_id")[1:])

    def _apply_text_filter(self) -> None:
        self.proxy.set_filters(text=self.search.text())
        self._filters_applied()

    def _combo_filters_changed(self, *_a) -> None:
        self.proxy.set_filters(owner=self.owner_filter.value(),
                               process=self.process_filter.value(),
                               kind=self.kind_filter.value(),
                               level=self.level_filter.value(),
                               open_only=self.open_filter.isChecked(),
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
        widgets = (self.search, self.owner_filter, self.process_filter, self.kind_filter,
                   self.level_filter, self.overdue_filter, self.open_filter)
        for w in widgets:
            w.blockSignals(True)
        self.search.clear()
        for combo in (self.owner_filter, self.process_filter, self.kind_filter,
                      self.level_filter):
            combo.set_value(None)
        self.overdue_filter.setChecked(False)
        self.open_filter.setChecked(False)
        for w in widgets:
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
        total, shown = self.model.rowCount(), self.proxy.rowCount()
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
        if len(ids) > 1:
            self._current_id = None
            self.detail.show_risk(None, multiple=len(ids))
            return
        if ids:
            self._current_id = ids[0]
        row = self.model.risk(self._current_id) if self._current_id is not None else None
        if row is None:
            self._current_id = None
        self.detail.show_risk(row)

    def _update_actions(self) -> None:
        has_ws = self.workspace is not None
        writable = has_ws and not self.read_only
        n = len(self.table.selectionModel().selectedRows()) if has_ws else 0
        for name, on in (("add", writable), ("delete", writable and n > 0),
                         ("bulk", writable and n > 0), ("banding", has_ws),
                         ("import", writable), ("export", has_ws)):
            self.acts[name].setEnabled(on)

    # ================================================================== charts
    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.charts_holder and self.charts is None:
            # The tab paints its placeholder first; the charts are built once it has been
            # painted (eventFilter), so the switch itself never waits for matplotlib.
            self._charts_pending = True
            self.charts_holder.update()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and obj is self.table.viewport():
            # e.g. the vertical scroll bar came with the rows: the title gives its width back
            QTimer.singleShot(0, self.fit_title)
        elif event.type() == QEvent.Type.Paint:
            if obj is self.charts_holder and self._charts_pending:
                self._charts_pending = False
                QTimer.singleShot(0, self._build_pending_charts)
        elif event.type() in (QEvent.Type.Enter, QEvent.Type.FocusIn) \
                and self._charts_warm_up is None and obj is self.tabs.tabBar():
            self.warm_up_charts()  # the pointer or the keyboard is on the tabs
        return super().eventFilter(obj, event)

    def warm_up_charts(self):
        """Import matplotlib on a worker thread (once), so the charts tab fills sooner."""
        if self._charts_warm_up is None and self.charts is None:
            from .heatmap import start_warm_up

            self._charts_warm_up = start_warm_up()
        return self._charts_warm_up

    def _build_pending_charts(self) -> None:
        """Build the charts once matplotlib is imported: a tab opened by the keyboard or by
        code, before any warm-up, starts it and keeps "Preparing…" while it runs (polled),
        so the GUI thread never waits for the import."""
        if self.charts is not None or self.tabs.currentWidget() is not self.charts_holder:
            return
        warm = self.warm_up_charts()
        if warm is not None and warm.is_alive():
            self._charts_polls += 1
            self._charts_poll.start()
            return
        self.show_charts()

    def show_charts(self):
        """Build the charts (imports matplotlib unless the warm-up did) and show them."""
        from .heatmap import RiskChartsWidget

        self._charts_pending = False
        if self.charts is None:
            self.charts_placeholder.hide()
            self.charts = RiskChartsWidget(self.charts_holder)
            self.charts_holder.layout().addWidget(self.charts)
            self.charts.show()  # now, not when the layout's queued show comes
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
    def set_column_visible(self, logical: int, visible: bool) -> None:
        self.columns.set_visible(logical, visible)

    def column_layout(self) -> list[tuple[str, int]]:
        """(key, width) of the visible columns in their on-screen order."""
        return self.columns.column_layout()

    def save_columns(self) -> None:
        self.columns.save()

    def reset_columns(self) -> None:
        self.columns.reset()
        self._fit_title = True
        self._user_sized.clear()
        self.fit_title()

    def _section_resized(self, logical: int, _old: int, _new: int) -> None:
        key = self.model.columns[logical].key
        if key == "title":  # the user's own width from now on
            self._fit_title = False
        elif key in CONTENT_FIT:
            self._user_sized.add(key)

    def _content_width(self, key: str) -> int:
        """The width that shows the header and every value of column ``key`` in the register
        (the longest few texts are measured, so a big register costs little)."""
        cache = self._content_widths
        if key not in cache:
            column = self.model.columns[self.model.column_of[key]]
            display = column.display_of()
            texts = sorted({display(r) or "" for r in self.model.rows}, key=len)[-40:]
            texts += list(column.samples()) if column.samples is not None else []
            fm = self.table.fontMetrics()
            style_ = self.table.style()
            pad = 2 * style_.pixelMetric(style_.PixelMetric.PM_FocusFrameHMargin, None,
                                         self.table) + 10
            content = max((fm.horizontalAdvance(t) for t in texts), default=0) + pad
            if column.icon:
                size = self.table.iconSize().width()
                content += (size if size > 0 else 16) + 6
            title = self.table.horizontalHeader().fontMetrics().horizontalAdvance(
                column.title) + pad + 10  # the sort arrow
            width = max(title, content)
            if key in CONTENT_CAP:  # a long name is elided (whole in the detail panel)
                width = min(width, max(title, fm.averageCharWidth() * CONTENT_CAP[key]))
            cache[key] = width
        return cache[key]

    def fit_title(self) -> None:
        """In the default layout the ID, both levels and the owner are as wide as their
        content, and the title gets the width they, the status and the review date leave in
        the register, so they all stay on screen and long titles show as much as fits."""
        if not getattr(self, "_fit_title", False):
            return
        header = self.table.horizontalHeader()
        column_of = self.model.column_of
        title = column_of["title"]
        if header.isSectionHidden(title):
            return
        header.blockSignals(True)  # not the user's resize: nothing to save
        try:
            for key in CONTENT_FIT:
                if key not in self._user_sized and not header.isSectionHidden(column_of[key]):
                    header.resizeSection(column_of[key], self._content_width(key))
        finally:
            header.blockSignals(False)
        others = sum(header.sectionSize(column_of[k]) for k in FIRST_READ
                     if k != "title" and not header.isSectionHidden(column_of[k]))
        room = self.table.viewport().width() - others - 2
        fm = self.table.fontMetrics()
        width = max(fm.averageCharWidth() * 16, min(room, fm.averageCharWidth() * 70))
        header.blockSignals(True)  # not the user's resize: nothing to save
        try:
            header.resizeSection(title, width)
        finally:
            header.blockSignals(False)
        header.viewport().update()
        self.table.viewport().update()

    # ================================================================== misc
    def _confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _settings(self):
        from ..settings import Settings

        return Settings()

    def _splitter_moved(self, *_a) -> None:
        self._splitter_auto = False
        self._settings().set_splitter("risks", self.splitter.saveState())
        shown = self.splitter.sizes()[1] > 0
        if self.details_action.isChecked() != shown:
            self.details_action.blockSignals(True)
            self.details_action.setChecked(shown)
            self.details_action.blockSignals(False)

    def set_detail_visible(self, visible: bool) -> None:
        """Fold the detail panel away (the register takes the whole width) or bring it back
        at its default share."""
        if self.details_action.isChecked() != visible:
            self.details_action.setChecked(visible)  # calls back here once
            return
        width = max(self.splitter.width(), 800)
        if visible:
            self.splitter.setSizes([int(width * DETAIL_SPLIT[0]), int(width * DETAIL_SPLIT[1])])
        else:
            self.splitter.setSizes([width, 0])
        self._splitter_auto = False
        self._settings().set_splitter("risks", self.splitter.saveState())
        self.fit_title()

    def detail_visible(self) -> bool:
        return self.splitter.sizes()[1] > 0

    def place_splitter(self) -> None:
        """The default split: the register gets 70 % of the width, the detail panel 30 %."""
        width = max(self.splitter.width(), 800)
        self.splitter.setSizes([int(width * DETAIL_SPLIT[0]), int(width * DETAIL_SPLIT[1])])

    def showEvent(self, event) -> None:  # noqa: N802
        if not self._splitter_placed:
            self._splitter_placed = True
            state = self._settings().splitter("risks")
            if not (state and self.splitter.restoreState(state)):
                self._splitter_auto = True
                self.place_splitter()
        super().showEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._splitter_auto:
            self.place_splitter()
        QTimer.singleShot(0, self.fit_title)  # once the splitter has laid the register out

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.model.refresh_palette()
            if self.detail.built:
                self.detail.actions_model.refresh_palette()
            if self.charts is not None:
                self.charts.set_data(self.charts.rows, self.banding, self.proxy.cell)

    @property
    def workspace(self) -> "Workspace | None":
        return self.controller.workspace

    # ================================================================== jumps (other pages)
    def _build_jumps(self) -> None:
        a = QAction(tr("Show on map"), self)
        a.setObjectName("risks_map")
        a.setToolTip(tr("Open the process map of the selected risk with its step selected "
                        "(Ctrl+M)"))
        a.setStatusTip(a.toolTip())
        a.setShortcut(QKeySequence("Ctrl+M"))
        a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        a.triggered.connect(self.show_on_map)
        self.addAction(a)
        self.acts["map"] = a
        self.toolbar.addAction(a)
        self.table.selectionModel().selectionChanged.connect(self._update_map_action)
        self._update_map_action()

    def _map_target(self) -> tuple[str, int] | None:
        ids = self.selected_ids()
        row = self.model.risk(ids[0]) if len(ids) == 1 else None
        if row is None:
            return None
        if row.node_id is not None:
            return "process_node", row.node_id
        if row.process_id is not None:
            return "process", row.process_id
        return None

    def _update_map_action(self, *_a) -> None:
        self.acts["map"].setEnabled(self._map_target() is not None)

    def show_on_map(self) -> bool:
        """Open the selected risk's step (or process) on the map."""
        target = self._map_target()
        if target is not None:
            self.openRecord.emit(*target)
        return target is not None

    def select_risk(self, rid: int) -> bool:
        """Show risk ``rid`` selected in the register (filters that hide it are cleared)."""
        if self._stale and self.workspace is not None:
            self._refresh_now()
        if self.model.row_of(rid) is None:
            return False
        pos = self.proxy.mapFromSource(self.model.index(self.model.row_of(rid), 0))
        if not pos.isValid():
            self.clear_filters()
        self.tabs.setCurrentIndex(0)
        self.select_ids([rid])
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def set_filters(self, **values: Any) -> None:
        """Show the register filtered as the filter widgets would: text, owner, process, kind
        (``"risk"``, ``"opportunity"``), level (``"high+"``, ``"none"`` = not rated…),
        open_only (not closed), overdue_only; the filters not named are cleared."""
        self.clear_filters()
        combos = {"owner": self.owner_filter, "process": self.process_filter,
                  "kind": self.kind_filter, "level": self.level_filter}
        widgets = list(combos.values()) + [self.overdue_filter, self.open_filter]
        for w in widgets:
            w.blockSignals(True)
        try:
            for name, combo in combos.items():
                if name in values:
                    combo.set_value(values[name])
            self.overdue_filter.setChecked(bool(values.get("overdue_only")))
            self.open_filter.setChecked(bool(values.get("open_only")))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._combo_filters_changed()
        if values.get("text"):
            self.search.blockSignals(True)
            self.search.setText(values["text"])
            self.search.blockSignals(False)
            self._apply_text_filter()
