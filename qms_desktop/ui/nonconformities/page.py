"""The Nonconformities page: the CAPA register from the table kit, and the selected record's 8D.

Filters (text, status — "Not closed" is what the dashboard opens —, source, owner), inline
edits, add (Insert) and delete (Delete), F2 edits the title; the detail below follows 8D
(``detail.NcDetail``); "Export 8D report…" writes the Word report in the background. Every edit
is one ``controller.edit`` line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
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
from .detail import NcDetail
from .model import make_model, make_proxy, source_items, status_filter_items, tr

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec


class NonconformitiesPage(Page):
    kinds = frozenset({"nonconformity", "nc_cause", "action", "person", "process", "finding"})
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self._people: list[Item] | None = None
        self._processes: list[Item] | None = None
        self.last_export: Path | None = None
        self.model = make_model(controller, self.people_items, self.process_items, self)
        self.proxy = make_proxy(self)
        self.proxy.setSourceModel(self.model)

        # -- filters
        self.filters = FilterBar(self.proxy, tr("Search ID, title, source, process, owner…"),
                                 self)
        self.search = self.filters.search
        self.status_filter = self.filters.add_choice("status", status_filter_items())
        self.source_filter = self.filters.add_choice(
            "source", [(tr("Any source"), None, "")] + source_items())
        self.owner_filter = self.filters.add_choice("owner", [(tr("Any owner"), None, "")],
                                                    searchable=True)
        self.filters.changed.connect(self._after_change)
        self.count = QLabel(self)
        self.filters.row.addWidget(self.count, 1, Qt.AlignmentFlag.AlignRight)

        # -- table
        self.table = QTableView(self)
        self.table.setObjectName("nonconformitiesTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setEditTriggers(edit_triggers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.layout_keeper = ColumnLayout(self.table, self.model, "nonconformities")
        self.layout_keeper.restore()

        # -- commands
        self.add_action = self._command(tr("&New nonconformity"), self.add,
                                        QKeySequence(Qt.Key.Key_Insert),
                                        tip=tr("Record a new nonconformity (Insert)"))
        self.delete_action = self._command(tr("&Delete"), self.delete_selected,
                                           QKeySequence.StandardKey.Delete,
                                           tip=tr("Delete the selected nonconformities with "
                                                  "their causes and actions (Delete)"))
        self.rename_action = self._command(tr("Edit &title"), self.edit_title,
                                           QKeySequence(Qt.Key.Key_F2),
                                           tip=tr("Edit the title (F2)"))
        self.export_action = self._command(tr("Export &8D report…"), self.export_8d,
                                           tip=tr("The selected nonconformity's 8D report as a "
                                                  "Word document"))
        buttons = QHBoxLayout()
        for a in (self.add_action, self.delete_action, self.export_action):
            b = QPushButton(a.text(), self)
            b.setToolTip(a.toolTip())
            b.clicked.connect(a.trigger)
            a.changed.connect(lambda b=b, a=a: b.setEnabled(a.isEnabled()))
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.read_only_note = QLabel(tr("The workspace is open read-only: nonconformities can be "
                                        "viewed and exported, not changed."), self)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()

        # -- the 8D of the current one
        self.detail = NcDetail(controller, self.people_items, self.process_items, self)
        self.detail.closeRequested.connect(self.close_current)
        self.detail.reopenRequested.connect(self.reopen_current)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        # the list shows five or six rows at 1280 × 800; the 8D detail (the 5 Whys and the
        # fishbone side by side) gets the rest
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([190, 470])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.filters)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_commands())
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

    def process_items(self) -> list[Item]:
        if self._processes is None:
            self._processes = process_items(self.workspace, none_text="")
        return self._processes

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        self._people = self._processes = None
        self.model.read_only = self.controller.read_only
        self.model.reload()
        self.detail.set_pickers()
        self._fill_owner_filter()
        self._after_change()

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
                self.detail.set_pickers()
                self._fill_owner_filter()
            self._after_change()
        else:
            self._stale = True

    def workspace_closed(self) -> None:
        self._people = self._processes = None
        self.model.set_rows([])
        self._show_current()

    def _fill_owner_filter(self) -> None:
        self.filters.set_items("owner", owner_filter_items(self.people_items(), self.model.rows))

    def clear_filters(self) -> None:
        self.filters.clear()

    def set_filters(self, **values: Any) -> None:
        self.filters.apply(**values)

    def _after_change(self) -> None:
        rows = self.model.rows
        open_ = sum(1 for r in rows if r.status != "closed")
        late = sum(1 for r in rows if r.overdue)
        self.count.setText(tr("{shown} of {total} · {open} not closed · {late} overdue").format(
            shown=self.proxy.rowCount(), total=len(rows), open=open_, late=late))
        self.read_only_note.setVisible(self.controller.read_only)
        self.model.read_only = self.controller.read_only
        self._show_current()

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[int]:
        return selection.selected_ids(self.table)

    def current_row(self) -> Any:
        return selection.current_row(self.table, self.model)

    def select_ids(self, ids: list[int]) -> None:
        selection.select_ids(self.table, self.model, self.proxy, ids, column=1)

    def select_record(self, entity: str, rid: int) -> bool:
        """Show nonconformity ``rid`` (or the one cause ``rid`` belongs to, on its root-cause
        tab); False when it no longer exists."""
        from ...services import nonconformities as N

        if self._stale:
            self._refresh_now()
        tab = None
        if entity == "nc_cause":
            ws = self.workspace
            owners = N.owners_of(ws, "nc_cause", [rid]) if ws is not None else []
            if not owners or owners[0] is None:
                return False
            rid, tab = owners[0], self.detail.root_tab
        elif entity != "nonconformity":
            return False
        if self.model.row_of(rid) is None:
            return False
        pos = self.proxy.mapFromSource(self.model.index(self.model.row_of(rid), 0)).row()
        if pos < 0:
            self.clear_filters()
        self.select_ids([rid])
        if tab is not None:
            self.detail.tabs.setCurrentIndex(tab)
        return True

    def _show_current(self) -> None:
        from ...services import nonconformities as N

        row = self.current_row()
        ws = self.workspace
        detail = None
        if row is not None and ws is not None:
            try:
                detail = N.get(ws, row.id)
            except Exception:  # gone in the meantime: show nothing
                detail = None
        self.detail.show_detail(detail)
        self.detail.set_read_only(self.controller.read_only)
        self._update_commands()

    def _update_commands(self) -> None:
        writable = self.workspace is not None and not self.controller.read_only
        n = len(self.table.selectionModel().selectedRows())
        row = self.current_row()
        self.add_action.setEnabled(writable)
        self.delete_action.setEnabled(writable and n > 0)
        self.rename_action.setEnabled(writable and row is not None)
        self.export_action.setEnabled(row is not None)

    # ------------------------------------------------------------------ commands
    def add(self) -> int | None:
        from ...services import nonconformities as N

        if not self._writable():
            return None
        nid = self.controller.edit(tr("Add nonconformity"), lambda ws: N.add_nonconformity(
            ws, {"title": tr("New nonconformity")}))
        if nid in (None, True):
            return None
        if self.model.row_of(nid) is not None and \
                self.proxy.mapFromSource(self.model.index(self.model.row_of(nid), 0)).row() < 0:
            self.clear_filters()
        self.select_ids([nid])
        self.edit_title()
        return nid

    def edit_title(self) -> None:
        row = self.current_row()
        if row is None or self.controller.read_only:
            return
        src = self.model.index(self.model.row_of(row.id), self.model.column_of["title"])
        index = self.proxy.mapFromSource(src)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def delete_selected(self) -> bool:
        from ...services import nonconformities as N

        ids = self.selected_ids()
        if not ids or not self._writable():
            return False
        label = tr("Delete nonconformity") if len(ids) == 1 else \
            tr("Delete {n} nonconformities").format(n=len(ids))
        return self.controller.edit(label, lambda ws: N.delete_nonconformities(ws, ids)) \
            is not None

    def close_current(self) -> bool:
        return self._set_status("closed", tr("Close nonconformity"))

    def reopen_current(self) -> bool:
        return self._set_status("action", tr("Reopen nonconformity"))

    def _set_status(self, status: str, label: str) -> bool:
        from ...services import nonconformities as N

        row = self.current_row()
        if row is None or not self._writable():
            return False
        rid = row.id
        return self.controller.edit(label, lambda ws: N.update_nonconformities(
            ws, [rid], {"status": status})) is not None

    def export_8d(self, path: str | Path | None = None):
        """Write the current nonconformity's 8D report in the background (asks for the file
        unless ``path`` is given); returns the task, or None when nothing was started."""
        from ...services.exports.eightd_docx import default_name, export_data, write_8d
        from ..documents.exporting import _ask_target, _done, _failed, _template_for_export
        from ..errors import show_error

        row = self.current_row()
        ws = self.workspace
        if row is None or ws is None:
            return None
        try:
            template = _template_for_export()
        except Exception as e:
            show_error(self, e, tr("Export 8D report"))
            return None
        target = Path(path) if path is not None else _ask_target(
            self, tr("Export 8D report"), default_name(row))
        if target is None:
            return None
        rid, name = row.id, f"{row.ref} {row.title}".strip()

        def work(ctx):
            ctx.progress(0, 2, tr("Reading {name}…").format(name=row.ref))
            data = export_data(ws, rid)
            ctx.progress(1, 2, tr("Writing {name}…").format(name=target.name))
            return write_8d(data, target, template=template)

        return self.controller.runner.run(
            work, label=tr("Exporting the 8D report of {name}…").format(name=row.ref),
            parent=self, on_result=lambda out: _done(self, self.controller, Path(out), [],
                                                     tr("The 8D report of {name}").format(
                                                         name=name)),
            on_error=lambda e: _failed(self, e))

    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:
            self.controller.errorOccurred.emit(e)
            return False
        return True
