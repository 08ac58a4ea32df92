"""The Actions page: every action in the workspace in one list, built from the table kit.

Filters (text, status, owner, source, overdue only), inline edits through the kit's delegates,
bulk edit of the selected rows, add and delete — each one undo step — and a jump to the record
that raised an action (:attr:`ActionsPage.openRecord`, routed by the main window).
Keys: Delete deletes the selected actions, F2 edits a cell, Ctrl+Enter opens the source,
Ctrl+F (the window's Find) focuses the search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..pages.base import Page, heading
from ..table import ColumnLayout, DetailPanel, Item, TableDelegate, TextBox, \
    edit_triggers
from ..table.choices import command, people_items
from ..table import selection
from ..table.filterbar import FilterBar, owner_filter_items
from .model import make_model, make_proxy, source_items, status_filter_items, tr

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec


class ActionsPage(Page):
    kinds = frozenset({"action", "person", "risk", "finding", "nonconformity",
                       "management_review"})
    #: the user asked to see the record an action came from: (entity / table name, id)
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self._people: list[Item] | None = None
        self.model = make_model(controller, self.people_items, self)
        self.proxy = make_proxy(self)
        self.proxy.setSourceModel(self.model)

        # -- filters
        self.filters = FilterBar(self.proxy, tr("Search ID, action, source, owner, check…"), self)
        self.search = self.filters.search
        self.status_filter = self.filters.add_choice("status", status_filter_items())
        self.owner_filter = self.filters.add_choice("owner", [(tr("Any owner"), None, "")],
                                                    searchable=True)
        self.source_filter = self.filters.add_choice(
            "source_kind", [(tr("Any source"), None, "")] + source_items())
        self.overdue_only = self.filters.add_flag(
            "overdue_only", tr("&Overdue only"), tr("Actions past their due date, or whose "
                                                    "effectiveness check is past its date"))
        self.filters.changed.connect(self._after_change)
        self.count = QLabel(self)
        self.filters.row.addWidget(self.count, 1, Qt.AlignmentFlag.AlignRight)

        # -- table
        self.table = QTableView(self)
        self.table.setObjectName("actionsTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setEditTriggers(edit_triggers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._double_clicked)
        self.layout_keeper = ColumnLayout(self.table, self.model, "actions")
        self.layout_keeper.restore()

        # -- commands
        self.add_action = self._command(tr("&Add action"), self.add, tip=tr(
            "A new stand-alone action (actions of a risk are added from the risk)"))
        self.delete_action = self._command(tr("&Delete"), self.delete_selected,
                                           QKeySequence.StandardKey.Delete,
                                           tip=tr("Delete the selected actions (Delete)"))
        self.bulk_action = self._command(tr("&Change selected…"), self.bulk_edit, tip=tr(
            "Set status, owner or due date of all selected actions in one step"))
        self.open_action = self._command(tr("&Open source"), self.open_source,
                                         QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return),
                                         tip=tr("Show the record that raised the action "
                                                "(Ctrl+Enter)"))
        buttons = QHBoxLayout()
        for a in (self.add_action, self.delete_action, self.bulk_action, self.open_action):
            b = QPushButton(a.text(), self)
            b.setToolTip(a.toolTip())
            b.clicked.connect(a.trigger)
            a.changed.connect(lambda b=b, a=a: b.setEnabled(a.isEnabled()))
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.read_only_note = QLabel(tr("The workspace is open read-only: actions can be viewed "
                                        "and filtered, not changed."), self)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()

        # -- the current action's description and files
        self.detail = DetailPanel(controller, "action", self)
        self.description = self.detail.bind("description", TextBox(self.detail))
        self.description.setPlaceholderText(tr("What is to be done, and why"))
        QVBoxLayout(self.detail).addWidget(self.description)
        from ..attachments import AttachmentsWidget

        self.attachments = AttachmentsWidget(controller, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.detail, tr("Description"))
        self.files_tab = self.tabs.addTab(self.attachments, tr("Files"))
        m = self.attachments.model
        for sig in (m.modelReset, m.rowsInserted, m.rowsRemoved):
            sig.connect(self._files_label)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.filters)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_moved())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self._update_commands()

    # ------------------------------------------------------------------ building blocks
    def _command(self, text: str, slot, key=None, *, tip: str = "") -> QAction:
        return command(self.table, text, slot, key, tip=tip)

    def search_widget(self) -> QWidget:
        return self.search

    def people_items(self) -> list[Item]:
        if self._people is None:
            self._people = people_items(self.workspace)
        return self._people

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        self._people = None
        self.model.read_only = self.controller.read_only
        self.model.reload()
        self._fill_owner_filter()
        self._after_change()

    def _on_changed(self, change: "Change") -> None:  # targeted: only the rows it names
        if not self.touches(change):
            return
        if change.touches("person"):
            self._people = None
        if self.isVisible() and not self._stale and self.workspace is not None:
            self.model.refresh_ids(change)
            if change.touches("person"):
                self._fill_owner_filter()
            self._after_change()
        else:
            self._stale = True

    def workspace_closed(self) -> None:
        self._people = None
        self.model.set_rows([])
        self._show_current()

    def _fill_owner_filter(self) -> None:
        self.filters.set_items("owner", owner_filter_items(self.people_items(), self.model.rows))

    def clear_filters(self) -> None:
        self.filters.clear()

    def set_filters(self, **values: Any) -> None:
        self.filters.apply(**values)

    def _files_label(self, *_args) -> None:
        n = self.attachments.model.rowCount()
        self.tabs.setTabText(self.files_tab, tr("Files ({n})").format(n=n) if n else tr("Files"))

    def _after_change(self) -> None:
        rows = self.model.rows
        late = sum(1 for r in rows if r.overdue)
        checks = sum(1 for r in rows if r.check_overdue and not r.overdue)
        text = tr("{shown} of {total} actions · {late} overdue").format(
            shown=f"{self.proxy.rowCount():,}", total=f"{len(rows):,}", late=f"{late:,}")
        if checks:  # "Overdue only" shows these too: say so, so the counts agree
            text += " " + tr("· {n} with the effectiveness check overdue").format(n=f"{checks:,}")
        self.count.setText(text)
        self.read_only_note.setVisible(self.controller.read_only)
        self.model.read_only = self.controller.read_only
        self.detail.set_read_only(self.controller.read_only)
        self._show_current()

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[int]:
        return selection.selected_ids(self.table)

    def current_row(self) -> Any:
        return selection.current_row(self.table, self.model)

    def select_ids(self, ids: list[int]) -> None:
        selection.select_ids(self.table, self.model, self.proxy, ids, column=1)

    def _selection_moved(self) -> None:
        self._update_commands()

    def _show_current(self) -> None:
        row = self.current_row()
        self.detail.show_row(row)
        self.detail.setEnabled(row is not None)
        self.attachments.set_owner("action", row.id if row is not None else None)
        self._update_commands()

    def _update_commands(self) -> None:
        writable = self.workspace is not None and not self.controller.read_only
        n = len(self.table.selectionModel().selectedRows())
        row = self.current_row()
        self.add_action.setEnabled(writable)
        self.delete_action.setEnabled(writable and n > 0)
        self.bulk_action.setEnabled(writable and n > 0)
        self.open_action.setEnabled(row is not None and bool(row.source_kind))

    # ------------------------------------------------------------------ commands
    def add(self) -> int | None:
        from ...services import actions

        if not self._writable():
            return None
        aid = self.controller.edit(tr("Add action"), lambda ws: actions.add_action(
            ws, "", None, {"title": tr("New action")}))
        if aid is None:
            return None
        if self.model.row_of(aid) is not None and \
                self.proxy.mapFromSource(self.model.index(self.model.row_of(aid), 0)).row() < 0:
            self.clear_filters()  # a filter hides the new action: show everything
        self.select_ids([aid])
        self.table.edit(self.table.currentIndex())
        return aid

    def delete_selected(self) -> bool:
        from ...services import actions

        ids = self.selected_ids()
        if not ids or not self._writable():
            return False
        label = tr("Delete action") if len(ids) == 1 else \
            tr("Delete {n} actions").format(n=len(ids))
        return self.controller.edit(label, lambda ws: actions.delete_actions(ws, ids)) \
            is not None

    def bulk_edit(self, values: dict[str, Any] | None = None) -> bool:
        """Set ``values`` (asked in a dialog when None) on the selected actions: one undo step."""
        from ...services import actions
        from .bulk import BulkEditDialog

        ids = self.selected_ids()
        if not ids or not self._writable():
            return False
        if values is None:
            dialog = BulkEditDialog(len(ids), self.people_items(), self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            values = dialog.values()
        if not values:
            return False
        label = tr("Change {n} actions").format(n=len(ids)) if len(ids) > 1 else \
            tr("Change action")
        ok = self.controller.edit(label, lambda ws: actions.update_actions(ws, ids, values))
        return ok is not None

    def open_source(self) -> bool:
        row = self.current_row()
        if row is None or not row.source_kind or row.source_id is None:
            return False
        self.openRecord.emit(row.source_entity, row.source_id)
        return True

    def _double_clicked(self, index) -> None:
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.open_source()

    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:  # read-only or closed: say so, change nothing
            self.controller.errorOccurred.emit(e)
            return False
        return True
