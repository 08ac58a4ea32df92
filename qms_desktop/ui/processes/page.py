"""The Processes page: the process list with its turtle/SIPOC panel, and the map editor.

The list shows every process with owner, status, counts, inputs/outputs and purpose; add,
rename (F2 or type in the cell), duplicate and delete are undoable. Opening a process (double-
click, Enter or "Open map") shows its flowchart in the editor; Back returns to the list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..flowchart.editor import FlowchartEditor
from ..pages.base import Page, heading
from ..table import ColumnLayout, FilterProxy, TableDelegate
from .model import ID_ROLE, ProcessTableModel
from .turtle import TurtlePanel

if TYPE_CHECKING:  # pragma: no cover
    from ...services.records import Change
    from ...storage.workspace import Workspace
    from ..controller import WorkspaceController
    from ..pages import PageSpec


def tr(text: str) -> str:
    return QCoreApplication.translate("ProcessesPage", text)


LIST_KINDS = frozenset({"process", "role", "risk", "document", "process_node"})


class ProcessesPage(Page):
    """Navigation page "Processes" (``factory="qms_desktop.ui.processes:ProcessesPage"``)."""

    kinds = LIST_KINDS | frozenset({"process_edge", "process_lane"})
    #: show a record on its page (a risk in the register), routed by the main window
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec | None" = None,
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self._roles: list[tuple[int, str]] | None = None
        self._risks: dict[int, list[tuple[int, str]]] | None = None
        self._list_stale = True

        self.stack = QStackedWidget(self)
        # -- the list
        self.list_page = QWidget(self.stack)
        self.model = ProcessTableModel(controller, self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self.list_page)
        self.table.setObjectName("processTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setItemDelegate(TableDelegate(self.table))
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        self.columns = ColumnLayout(self.table, self.model, "processes")
        self.columns.restore()
        self.table.doubleClicked.connect(lambda _idx: self.open_selected())
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(self.open_selected)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())

        self.search = QLineEdit(self.list_page)
        self.search.setObjectName("processSearch")
        self.search.setPlaceholderText(tr("Search processes"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.set_filters(text=text))

        def button(name: str, text: str, slot, tip: str = "") -> QPushButton:
            b = QPushButton(text, self.list_page)
            b.setObjectName(name)
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False: slot())
            return b

        self.add_button = button("addProcess", tr("Add"), self.add_process,
                                 tr("Add a new process"))
        self.duplicate_button = button("duplicateProcess", tr("Duplicate"), self.duplicate_selected,
                                       tr("Copy the process with its whole map"))
        self.delete_button = button("deleteProcess", tr("Delete"), self.delete_selected,
                                    tr("Delete the process and its map (Undo brings them back)"))
        self.open_button = button("openProcess", tr("Open map"), self.open_selected,
                                  tr("Show the process's flowchart"))
        self.import_bpmn_button = button(
            "importBpmn", tr("Import BPMN…"), lambda: self.import_map("bpmn"),
            tr("Import a BPMN 2.0 XML file as a new process, or update the process it "
               "came from"))
        self.import_drawio_button = button(
            "importDrawio", tr("Import draw.io…"), lambda: self.import_map("drawio"),
            tr("Import a draw.io diagram as a new process, or update the process it came from"))
        self.update_from_file_button = button(
            "updateFromFile", tr("Update from file…"), self.update_selected_from_file,
            tr("Update the selected process's map from a BPMN or draw.io file; its steps keep "
               "their links"))
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.duplicate_button)
        bar.addWidget(self.delete_button)
        bar.addWidget(self.open_button)
        bar.addSpacing(12)
        bar.addWidget(self.import_bpmn_button)
        bar.addWidget(self.import_drawio_button)
        bar.addWidget(self.update_from_file_button)
        bar.addStretch(1)
        bar.addWidget(self.search, 1)

        self.turtle = TurtlePanel(controller, self.list_page)
        self.turtle.openMapRequested.connect(self.open_map)
        turtle_scroll = QScrollArea(self.list_page)
        turtle_scroll.setWidgetResizable(True)
        turtle_scroll.setWidget(self.turtle)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self.list_page)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(turtle_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        ll = QVBoxLayout(self.list_page)
        ll.addWidget(heading(tr("Processes")))
        self.hint = QLabel(tr("Each process with its owner, purpose, inputs and outputs. "
                              "Select one to edit its turtle below; open it to edit its map."))
        self.hint.setWordWrap(True)
        ll.addWidget(self.hint)
        ll.addLayout(bar)
        ll.addWidget(self.splitter, 1)

        # -- the map
        self.editor = FlowchartEditor(controller, self.stack)
        self.editor.backToList.connect(self.show_list)
        self.editor.mapClosed.connect(self.show_list)
        self.editor.mapOpened.connect(self._map_opened)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.editor)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self._update_buttons()
        self._connect_jumps()

    # ------------------------------------------------------------------ Page
    def refresh(self) -> None:
        if self.stack.currentWidget() is not self.list_page:
            self._list_stale = True
            return
        self.reload_list()

    def _on_changed(self, change: "Change") -> None:
        if change.touches("role"):
            self._roles = None
        if change.touches("risk", "process"):
            self._risks = None
        if (self.touches(change) and not self._stale and self.isVisible()
                and self.stack.currentWidget() is self.list_page):
            self.model.set_roles(self.roles())
            self.model.refresh_ids(change)  # only the processes the change names
            self._list_changed()
            return
        super()._on_changed(change)

    def workspace_opened(self, ws: "Workspace") -> None:
        self._roles = None
        self._risks = None
        self._list_stale = True
        self.show_list()

    def workspace_closed(self) -> None:
        self._roles = None
        self._risks = None
        self.editor.close_map()
        self.model.set_rows([])
        self.turtle.show_process(None)
        self.stack.setCurrentWidget(self.list_page)

    def search_widget(self) -> QWidget | None:
        return self.search if self.stack.currentWidget() is self.list_page else None

    # ------------------------------------------------------------------ data
    def roles(self) -> list[tuple[int, str]]:
        if self._roles is None:
            from ...services.processes import link_choices

            self._roles = link_choices(self.workspace)["roles"]
        return self._roles

    def risks_of(self, pid: int) -> list[tuple[int, str]]:
        if self._risks is None:
            from ...services.risks import list_risks

            by: dict[int, list[tuple[int, str]]] = {}
            for r in list_risks(self.workspace):
                if r.process_id is not None:
                    level = f" [{r.level}]" if r.level else ""
                    by.setdefault(r.process_id, []).append(
                        (r.id, f"{r.ref} {r.title}".strip() + level))
            self._risks = by
        return self._risks.get(pid, [])

    def reload_list(self) -> None:
        if self.workspace is None:
            return
        self._list_stale = False
        self.model.set_roles(self.roles())
        self.model.reload()
        self._list_changed()

    def _list_changed(self) -> None:
        keep = self.selected_process_id()
        if keep is not None and self.model.row_of(keep) is not None:
            self.select_process(keep)
        elif self.proxy.rowCount() and self.selected_process_id() is None:
            self.table.selectRow(0)
        self._show_current()
        self._update_buttons()

    # ------------------------------------------------------------------ selection
    def selected_process_id(self) -> int | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        return idx.data(ID_ROLE)

    def select_process(self, pid: int) -> bool:
        row = self.model.row_of(pid)
        if row is None:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 1))
        if not idx.isValid():
            self.search.clear()
            idx = self.proxy.mapFromSource(self.model.index(row, 1))
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(idx)
        return True

    def _show_current(self) -> None:
        pid = self.selected_process_id()
        row = self.model.get(pid) if pid is not None else None
        if row is None:
            self.turtle.show_process(None, self.roles() if self.workspace else [])
        else:
            self.turtle.show_process(row, self.roles(), self.risks_of(row.id))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_ws = self.workspace is not None
        writable = has_ws and not self.controller.read_only
        selected = self.selected_process_id() is not None
        self.add_button.setEnabled(writable)
        self.duplicate_button.setEnabled(writable and selected)
        self.delete_button.setEnabled(writable and selected)
        self.open_button.setEnabled(has_ws and selected)
        self.import_bpmn_button.setEnabled(writable)
        self.import_drawio_button.setEnabled(writable)
        self.update_from_file_button.setEnabled(writable and selected)

    # ------------------------------------------------------------------ list actions
    def add_process(self) -> int | None:
        from ...services import processes

        if self.workspace is None:
            return None
        name = tr("New process")
        pid = self.controller.edit(tr("Add process"), lambda ws: processes.add_process(
            ws, {"name": processes.unique_name(ws, name)}))
        if not pid:
            return None
        self.reload_list()
        self.select_process(pid)
        self.rename_selected()
        return pid

    def rename_selected(self) -> bool:
        if self.stack.currentWidget() is self.editor:
            return self.editor.rename_selected()
        pid = self.selected_process_id()
        if pid is None:
            return False
        idx = self.proxy.mapFromSource(self.model.index(self.model.row_of(pid),
                                                        self.model.column_of["name"]))
        self.table.setFocus()
        self.table.setCurrentIndex(idx)
        self.table.edit(idx)
        return True

    def duplicate_selected(self) -> int | None:
        from ...services import processes

        pid = self.selected_process_id()
        if self.workspace is None or pid is None:
            return None
        row = self.model.get(pid)
        label = tr("Duplicate “{name}”").format(name=row.name) if row else \
            tr("Duplicate process")
        copy = self.controller.edit(label, lambda ws: processes.duplicate_process(ws, pid))
        if not copy:
            return None
        self.reload_list()
        self.select_process(copy)
        return copy

    def delete_selected(self) -> bool:
        if self.stack.currentWidget() is self.editor:
            return self.editor.delete_selected()
        from ...services import records

        pid = self.selected_process_id()
        if self.workspace is None or pid is None:
            return False
        row = self.model.get(pid)
        label = tr("Delete “{name}”").format(name=row.name) if row else tr("Delete process")
        return bool(self.controller.edit(label, lambda ws: records.delete(ws, "process", pid)))

    def open_selected(self) -> bool:
        pid = self.selected_process_id()
        if pid is None:
            return False
        self.open_map(pid)
        return True

    # ------------------------------------------------------------------ import
    def import_map(self, fmt: str | None, path: Path | None = None, *,
                   always_ask: bool = False) -> int | None:
        """Import a BPMN (``fmt="bpmn"``) or draw.io file: as a new process, or, when the file
        matches an existing process (or ``always_ask``), as an update of the process the user
        chooses. One undo step; the map is opened. Returns the process id (None: cancelled or
        refused, with the reason shown)."""
        from ..errors import report_exception, show_error
        from ..flowchart.import_target import (
            ask_import_target,
            choose_map_file,
            show_import_warnings,
        )

        ws = self.workspace
        if ws is None or self.controller.read_only:
            return None
        if path is None:
            path = choose_map_file(self, fmt)
            if path is None:
                return None
        path = Path(path)
        self.turtle.flush()
        try:
            if fmt is None:
                from ...services.processes import guess_map_format

                fmt = guess_map_format(path, path.read_bytes())
            target = ask_import_target(self, ws, path, fmt, self.selected_process_id(),
                                       always=always_ask)
        except OSError as e:
            show_error(self, tr("{path} could not be read: {reason}. Check the file and try "
                                "again.").format(path=path, reason=e.strerror or e))
            return None
        except ValueError as e:  # not a process map: the reader's one-sentence reason
            show_error(self, e)
            return None
        except Exception as e:
            report_exception(e, self)
            return None
        if target is None:
            return None
        pid = self.controller.edit(target.label(), target.run)
        if not pid:
            return None
        self.reload_list()
        self.open_map(pid)
        show_import_warnings(self, target)
        return pid

    def update_selected_from_file(self, path: Path | None = None) -> int | None:
        """Update the selected process's map from a BPMN or draw.io file (asks which process,
        preselecting the selected one, and shows what would change)."""
        if self.selected_process_id() is None:
            return None
        return self.import_map(None, path, always_ask=True)

    # ------------------------------------------------------------------ switching
    def open_map(self, pid: int) -> None:
        self.turtle.flush()
        self.editor.history.clear()
        self.editor.process_id = None
        self.stack.setCurrentWidget(self.editor)
        try:
            self.editor.open_process(pid)
        except Exception as e:
            self.stack.setCurrentWidget(self.list_page)
            from ..errors import report_exception

            report_exception(e, self)
            return
        self.editor.view.setFocus()

    def _map_opened(self, pid, container) -> None:
        # e.g. an import started from the list opens its new map
        if self.stack.currentWidget() is not self.editor:
            self.stack.setCurrentWidget(self.editor)

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        pid = self.editor.process_id
        if self.workspace is not None:
            self.reload_list()
        if pid is not None:
            self.select_process(pid)

    # -- main window hooks
    def print_preview(self) -> None:
        if self.stack.currentWidget() is self.editor:
            self.editor.print_preview()

    def print_document(self) -> None:
        if self.stack.currentWidget() is self.editor:
            self.editor.print_map()

    # ------------------------------------------------------------------ jumps (other pages)
    def _connect_jumps(self) -> None:
        """A risk in the turtle panel or linked to a map step opens in the register
        (double-click or Enter)."""
        tip = tr("Double-click a risk to open it in the risk register")
        lists = (self.turtle.risks, self.editor.properties.links["risk"].list)
        for widget in lists:
            widget.setToolTip(tip)
            widget.itemActivated.connect(self._risk_activated)

    def _risk_activated(self, item) -> None:
        rid = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(rid, int):
            self.openRecord.emit("risk", rid)

    def show_step(self, process_id: int, node_id: int | None = None) -> bool:
        """Open the map of ``process_id`` (unless it is open) with step ``node_id`` selected
        and in view (inside its collapsed sub-process if need be), its properties unfolded."""
        from ...services.records import RecordError, get

        try:
            get(self.workspace, "process", process_id)
        except RecordError:  # deleted meanwhile
            return False
        if self.stack.currentWidget() is not self.editor or \
                self.editor.process_id != process_id or self.editor.container is not None:
            self.open_map(process_id)
            if self.editor.process_id != process_id:
                return False
        if node_id is not None:
            self.editor.show_step(node_id)
        return True

    def show_node(self, node_id: int) -> bool:
        """Open the map of the process holding step ``node_id``, the step selected."""
        from ...services.records import RecordError, get

        try:
            process_id = get(self.workspace, "process_node", node_id)["process_id"]
        except RecordError:
            return False
        return self.show_step(process_id, node_id)
