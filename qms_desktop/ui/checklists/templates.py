"""The checklist template editor: every template (name, version, kind, family, source, items,
runs using it) and the items of the selected one — sections, questions, clause refs, guidance,
expected evidence, weight, PDCA phase — added, deleted, edited in place and reordered by drag
or Ctrl+Up / Ctrl+Down.

Every change is one ``controller.edit`` step calling ``services.checklists.save_template`` with
the whole item list, so the versioning rule lives in the service: a template no run uses
changes in place; one in use gets a new version (the status line says so and the editor moves
to it) and its runs keep the version they were made from. Undo of that step removes the new
version and the editor goes back to the one before.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QItemSelectionModel, QMimeData, \
    Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..table import CHOICE, LONGTEXT, RIGHT, TEXT, Column, FilterProxy, IdRole, Item, RowModel, \
    TableDelegate, edit_triggers, flag, natural
from ..table.filterbar import FilterBar

if TYPE_CHECKING:  # pragma: no cover
    from ...services.checklists import TemplateRow
    from ...storage.changes import Change
    from ..controller import WorkspaceController

#: the drag-and-drop format of checklist items moved inside the editor (their ids)
ITEM_MIME = "application/x-qms-checklist-items"
_MOVE_KEYS = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}
_TOUCHES = ("checklist_template", "checklist_item", "checklist_run")


def tr(text: str) -> str:
    return QCoreApplication.translate("checklists", text)


def kind_items() -> list[Item]:
    return [(tr("Gap analysis"), "gap_analysis", ""),
            (tr("Internal audit"), "internal_audit", ""),
            (tr("Inspection"), "inspection", "")]


def source_items() -> list[Item]:
    return [(tr("Shipped"), "catalogue", tr("Shipped with the application")),
            (tr("Process map"), "process_map", tr("Generated from a process map")),
            (tr("Made here"), "user", tr("Made or imported in this workspace"))]


def pdca_items() -> list[Item]:
    return [("—", "", tr("Taken from the clause's chapter")), (tr("Plan"), "plan", ""),
            (tr("Do"), "do", ""), (tr("Check"), "check", ""), (tr("Act"), "act", "")]


def _label(items) -> Any:
    table = {value: label for label, value, _t in items()}
    return lambda value: table.get(value, value or "")


@dataclass(slots=True)
class EditItem:
    """One item of the template being edited (what the items table shows)."""

    id: int
    order: int
    section: str
    clause: str
    title: str
    guidance: str
    expected_evidence: str
    weight: float
    pdca: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("order")
        return d


def template_columns() -> tuple[Column, ...]:
    kind, source = _label(kind_items), _label(source_items)
    superseded = lambda r: r.status == "superseded"  # noqa: E731

    def muted(r):
        if not superseded(r):
            return None
        f = QFont()
        f.setItalic(True)
        return f
    return (
        Column("name", tr("Template"), editor=TEXT, searchable=True, width=260, font=muted,
               tip=lambda r: r.description or None),
        Column("version", tr("Version"), sort=lambda r: natural(r.version), align=RIGHT,
               display=lambda r: r.version if r.latest else
               tr("{version} (superseded)").format(version=r.version),
               samples=lambda: [tr("{version} (superseded)").format(version="10")], font=muted),
        Column("kind", tr("Kind"), display=lambda r: kind(r.kind),
               samples=lambda: [tr("Internal audit")]),
        Column("family", tr("Family"), searchable=True, width=150,
               tooltip=tr("Versions of one template share a family"),
               display=lambda r: r.family or "—"),
        Column("source", tr("Source"), display=lambda r: source(r.source),
               samples=lambda: [tr("Process map")]),
        Column("items", tr("Items"), align=RIGHT, samples=lambda: ["000"]),
        Column("runs", tr("Runs"), align=RIGHT, samples=lambda: ["000"],
               tooltip=tr("Runs made from this version (they keep it when the template "
                          "changes)")),
    )


def item_columns() -> tuple[Column, ...]:
    pdca = _label(pdca_items)
    long = lambda key: (lambda r: getattr(r, key) or None)  # noqa: E731
    return (
        Column("order", tr("No."), align=RIGHT, samples=lambda: ["000"],
               tooltip=tr("Drag rows, or press Ctrl+Up / Ctrl+Down, to reorder")),
        Column("section", tr("Section"), editor=TEXT, width=170, tip=long("section")),
        Column("clause", tr("Clause"), editor=TEXT, samples=lambda: ["10.2.1, 8.5"],
               tooltip=tr("Clause references, e.g. 8.5.1")),
        Column("title", tr("Question"), editor=LONGTEXT, width=320, tip=long("title")),
        Column("guidance", tr("Guidance"), editor=LONGTEXT, width=220, tip=long("guidance")),
        Column("expected_evidence", tr("Expected evidence"), editor=LONGTEXT, width=200,
               tip=long("expected_evidence")),
        Column("weight", tr("Weight"), editor=TEXT, align=RIGHT,
               value=lambda r: f"{r.weight:g}", sort=attrgetter("weight"),
               samples=lambda: ["100"]),
        Column("pdca", tr("PDCA"), editor=CHOICE, items=lambda r: pdca_items(),
               display=lambda r: pdca(r.pdca) if r.pdca else "—",
               tooltip=tr("Plan-Do-Check-Act phase (empty: the clause's chapter decides)")),
    )


def move_block(rows: Sequence[EditItem], ids: Sequence[int], dest: int) -> list[EditItem]:
    """``rows`` with the rows of ``ids`` taken out and put, in their order, before the row at
    position ``dest`` of the original list (``len(rows)``: at the end). A moved item that lands
    among items of other sections joins the section it lands in (that of the item below it,
    else the one above), so a move across a section boundary moves it into that section."""
    moving = set(ids)
    block = [r for r in rows if r.id in moving]
    rest = [r for r in rows if r.id not in moving]
    at = sum(1 for r in rows[:max(0, dest)] if r.id not in moving)
    above = rest[at - 1] if at > 0 else None
    below = rest[at] if at < len(rest) else None
    near = {r.section for r in (above, below) if r is not None}
    target = below.section if below is not None else (above.section if above else None)
    out = []
    for r in block:
        copy = EditItem(**asdict(r))
        if near and copy.section not in near and target is not None:
            copy.section = target
        out.append(copy)
    return rest[:at] + out + rest[at:]


class ItemModel(RowModel):
    """The items table's model: the kit's RowModel, in the template's order, with rows that
    can be dragged to a new place. A drop never moves rows itself: it calls ``on_move(ids,
    dest)``, which saves the new order as one undo step; the saved rows come back through
    the controller's ``changed``."""

    def __init__(self, columns, **kw):
        super().__init__(columns, kind="checklist_item", order=attrgetter("order"), **kw)
        self.on_move = None

    def flags(self, index):
        base = super().flags(index)
        if self.read_only or self.on_move is None:
            return base
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self):  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self):  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self):  # noqa: N802
        return [ITEM_MIME]

    def mimeData(self, indexes):  # noqa: N802
        ids = sorted({i.data(IdRole) for i in indexes if i.isValid()},
                     key=lambda rid: self.row_of(rid) or 0)
        data = QMimeData()
        data.setData(ITEM_MIME, QByteArray(json.dumps(ids).encode()))
        return data

    def canDropMimeData(self, data, action, row, column, parent):  # noqa: N802
        return (data is not None and data.hasFormat(ITEM_MIME) and not self.read_only
                and self.on_move is not None)

    def dropMimeData(self, data, action, row, column, parent):  # noqa: N802
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            ids = [int(i) for i in json.loads(bytes(data.data(ITEM_MIME)).decode())]
        except (ValueError, TypeError):
            return False
        if parent.isValid():  # dropped onto a row: before it
            row = parent.row()
        if row < 0:
            row = self.rowCount()
        self.on_move(ids, row)
        return False  # the save brings the rows back; the view must not remove any


class TemplatesView(QWidget):
    """Checklist templates and the editor of the selected one (see the module docstring)."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self._template_id: int | None = None
        self._family: str | None = None
        self._shipped: list[tuple[str, str]] | None = None

        # -- the templates
        self.templates = RowModel(template_columns(), kind="checklist_template",
                                  load=self._load_templates, commit=self._commit_template,
                                  order=lambda r: (r.name.casefold(), r.id), parent=self)
        self.proxy = FilterProxy(self, filters={"latest": (False, flag(lambda r: r.latest))})
        self.proxy.setSourceModel(self.templates)
        self.filters = FilterBar(self.proxy, tr("Search templates and families…"), self)
        self.latest_only = self.filters.add_flag(
            "latest", tr("&Newest versions only"),
            tr("Hide versions that a newer version of the same template replaced"))
        self.table = QTableView(self)
        self.table.setObjectName("templatesTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setEditTriggers(edit_triggers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._size_columns(self.table, self.templates)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._template_moved())

        self.new_button = self._button(tr("&New template"), self.new_template,
                                       tr("An empty internal-audit template with one question"))
        self.install_button = QToolButton(self)
        self.install_button.setText(tr("&Install shipped template…"))
        self.install_button.setToolTip(tr("Add a template shipped with the application: the "
                                          "ISO 9001 gap analysis, implementation readiness, "
                                          "supplier checklist"))
        self.install_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.install_menu = QMenu(self.install_button)
        self.install_menu.aboutToShow.connect(self._fill_install_menu)
        self.install_button.setMenu(self.install_menu)
        self.generate_button = QToolButton(self)
        self.generate_button.setText(tr("&Generate from process map…"))
        self.generate_button.setToolTip(tr("An internal-audit checklist made from a process's "
                                           "map: its steps, roles, documents, records and "
                                           "risks become questions"))
        self.generate_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.generate_menu = QMenu(self.generate_button)
        self.generate_menu.aboutToShow.connect(self._fill_generate_menu)
        self.generate_button.setMenu(self.generate_menu)
        self.import_button = self._button(tr("I&mport .xlsx…"), self.import_xlsx,
                                          tr("A new template from a spreadsheet of questions"))
        self.export_button = self._button(tr("E&xport .xlsx…"), self.export_xlsx,
                                          tr("The selected template's items as a spreadsheet"))
        self.delete_template_button = self._button(
            tr("Delete template"), self.delete_template,
            tr("Delete the selected template (only one no run uses)"))
        top = QHBoxLayout()
        for w in (self.new_button, self.install_button, self.generate_button,
                  self.import_button, self.export_button, self.delete_template_button):
            top.addWidget(w)
        top.addStretch(1)

        # -- the items of the selected template
        self.items = ItemModel(item_columns(), load=self._load_items, commit=self._commit_item,
                               parent=self)
        self.items.on_move = self.move_items
        self.items_table = QTableView(self)
        self.items_table.setObjectName("templateItemsTable")
        self.items_table.setModel(self.items)
        self.items_table.setItemDelegate(TableDelegate(self.items_table))
        self.items_table.setEditTriggers(edit_triggers())
        self.items_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.items_table.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.items_table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.items_table.setDragDropOverwriteMode(False)
        self.items_table.setDropIndicatorShown(True)
        self.items_table.setDragEnabled(True)
        self.items_table.setWordWrap(False)
        self.items_table.verticalHeader().hide()
        self._size_columns(self.items_table, self.items)
        self.items_table.horizontalHeader().setSectionResizeMode(
            self.items.column_of["title"], QHeaderView.ResizeMode.Stretch)
        self.items_table.selectionModel().selectionChanged.connect(lambda *_: self._update())

        self.editor_title = QLabel(self)
        self.editor_title.setWordWrap(True)
        f = QFont(self.editor_title.font())
        f.setBold(True)
        self.editor_title.setFont(f)
        self.version_note = QLabel(self)
        self.version_note.setWordWrap(True)

        self.add_item_action = self._command(tr("&Add item"), self.add_item,
                                             QKeySequence(Qt.Key.Key_Insert),
                                             tr("A new question after the current one (Insert)"))
        self.add_section_action = self._command(tr("Add &section…"), self.add_section, None,
                                                tr("A new section at the end, with one "
                                                   "question"))
        self.rename_section_action = self._command(
            tr("&Rename section…"), self.rename_section, None,
            tr("Rename the current item's section in all its items"))
        self.delete_item_action = self._command(tr("&Delete item"), self.delete_items,
                                                QKeySequence.StandardKey.Delete,
                                                tr("Delete the selected items (Delete)"))
        # Ctrl+Up / Ctrl+Down are item-view navigation keys, so the table's key filter
        # (eventFilter) takes them before the view does, rather than action shortcuts
        self.up_action = self._command(tr("Move &up"), lambda: self.move_selected(-1), None,
                                       tr("Move the selected items up (Ctrl+Up)"))
        self.down_action = self._command(tr("Move do&wn"), lambda: self.move_selected(1), None,
                                         tr("Move the selected items down (Ctrl+Down)"))
        self.items_table.installEventFilter(self)
        item_buttons = QHBoxLayout()
        for a in (self.add_item_action, self.add_section_action, self.rename_section_action,
                  self.delete_item_action, self.up_action, self.down_action):
            b = QPushButton(a.text(), self)
            b.setToolTip(a.toolTip())
            b.clicked.connect(a.trigger)
            a.changed.connect(lambda b=b, a=a: b.setEnabled(a.isEnabled()))
            b.setEnabled(a.isEnabled())
            item_buttons.addWidget(b)
        item_buttons.addStretch(1)

        self.status = QLabel(self)
        self.status.setObjectName("templatesStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        upper = QWidget(self)
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addLayout(top)
        ul.addWidget(self.filters)
        ul.addWidget(self.table, 1)
        lower = QWidget(self)
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.editor_title)
        ll.addWidget(self.version_note)
        ll.addLayout(item_buttons)
        ll.addWidget(self.items_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        controller.changed.connect(self._on_changed)
        controller.closed.connect(self._clear)
        self._update()

    # ------------------------------------------------------------------ building blocks
    def _button(self, text: str, slot, tip: str) -> QPushButton:
        b = QPushButton(text, self)
        b.setToolTip(tip)
        b.clicked.connect(lambda _c=False: slot())
        return b

    def _command(self, text: str, slot, key, tip: str) -> QAction:
        action = QAction(text, self.items_table)
        action.setToolTip(tip)
        if key is not None:
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.items_table.addAction(action)
        action.triggered.connect(lambda _c=False: slot())
        return action

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.items_table and event.type() in (QEvent.Type.ShortcutOverride,
                                                        QEvent.Type.KeyPress):
            step = _MOVE_KEYS.get(event.key())
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if step is not None and mods == Qt.KeyboardModifier.ControlModifier:
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    self.move_selected(step)
                return True
        return super().eventFilter(obj, event)

    @staticmethod
    def _size_columns(view: QTableView, model: RowModel) -> None:
        fm = view.fontMetrics()
        for i, c in enumerate(model.columns):
            texts = [c.title] + (list(c.samples()) if c.samples else [])
            width = max([fm.horizontalAdvance(t) + 24 for t in texts] + [c.width])
            view.setColumnWidth(i, width if c.samples else max(c.width, width))

    @property
    def workspace(self):
        return self.controller.workspace

    # ------------------------------------------------------------------ loading
    def _load_templates(self, ids=None) -> list["TemplateRow"]:
        from ...services import checklists

        ws = self.workspace
        return checklists.list_templates(ws) if ws is not None else []

    def _load_items(self, ids=None) -> list[EditItem]:
        from ...services import checklists

        ws = self.workspace
        if ws is None or self._template_id is None:
            return []
        return [EditItem(d["id"], d["order"], d["section"], d["clause"], d["title"],
                         d["guidance"], d["expected_evidence"], d["weight"], d["pdca"])
                for d in checklists.template_items(ws, self._template_id)]

    def refresh(self) -> None:
        """Re-read the templates and the selected one's items."""
        read_only = self.controller.read_only
        self.templates.read_only = read_only
        self.templates.reload()
        if self.templates.get(self._template_id) is None:
            self._template_id = None
            rows = self.proxy.visible_rows()
            if rows:
                self.select_template(rows[0].id)
                return
        self._show_template()

    def _clear(self) -> None:
        self._template_id = None
        self.templates.set_rows([])
        self.items.set_rows([])
        self.status.clear()
        self._update()

    def _on_changed(self, change: "Change") -> None:
        if self.workspace is None or not change.touches(*_TOUCHES):
            return
        self.templates.reload()
        if self._template_id is not None and self.templates.get(self._template_id) is None:
            # gone (an undone new version, a deleted template): back to its family's newest
            same = [r for r in self.templates.rows if self._family is not None
                    and r.family and r.family == self._family]
            rows = same or self.proxy.visible_rows()
            self._template_id = None
            if rows:
                self.select_template(max(same, key=attrgetter("id")).id if same
                                     else rows[0].id)
                return
        self._show_template()

    # ------------------------------------------------------------------ selection
    def current_template(self) -> "TemplateRow | None":
        return self.templates.get(self._template_id) if self._template_id is not None else None

    def select_template(self, tid: int) -> None:
        """Show template ``tid`` in the editor and select it in the list."""
        pos = self.templates.row_of(tid)
        if pos is None:
            return
        index = self.proxy.mapFromSource(self.templates.index(pos, 0))
        if not index.isValid():  # hidden by the filter: show every version
            self.filters.clear()
            index = self.proxy.mapFromSource(self.templates.index(pos, 0))
        self._template_id = tid
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        self._show_template()

    def _template_moved(self) -> None:
        index = self.table.currentIndex()
        tid = index.data(IdRole) if index.isValid() else None
        if tid != self._template_id:
            self._template_id = tid
            self._show_template()

    def _show_template(self) -> None:
        row = self.current_template()
        self._family = row.family if row is not None else None
        self.items.read_only = (row is None or self.controller.read_only
                                or (row.in_use and not row.latest))
        self.items.reload()
        if not self.items.rows:
            self.items.set_rows([])
        self._update()

    def item_rows(self) -> list[EditItem]:
        return list(self.items.rows)

    def selected_item_ids(self) -> list[int]:
        rows = self.items_table.selectionModel().selectedRows()
        ids = [i.data(IdRole) for i in rows]
        if not ids and self.items_table.currentIndex().isValid():
            ids = [self.items_table.currentIndex().data(IdRole)]
        return sorted(ids, key=lambda rid: self.items.row_of(rid) or 0)

    def select_item_positions(self, positions: Sequence[int], column: int = 3) -> None:
        sel = self.items_table.selectionModel()
        sel.clearSelection()
        n = self.items.rowCount()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        good = [p for p in positions if 0 <= p < n]
        for k, p in enumerate(good):
            index = self.items.index(p, column)
            if k == 0:
                sel.setCurrentIndex(index, flags)
            else:
                sel.select(index, flags)
        if good:
            self.items_table.scrollTo(self.items.index(good[0], column))

    def _update(self) -> None:
        row = self.current_template()
        ws = self.workspace
        writable = ws is not None and not self.controller.read_only
        editable = row is not None and not self.items.read_only
        has_items = editable and bool(self.items_table.selectionModel().selectedRows()
                                      or self.items_table.currentIndex().isValid())
        for w in (self.new_button, self.install_button, self.generate_button,
                  self.import_button):
            w.setEnabled(writable)
        self.export_button.setEnabled(row is not None)
        self.delete_template_button.setEnabled(writable and row is not None and not row.in_use)
        self.add_item_action.setEnabled(editable)
        self.add_section_action.setEnabled(editable)
        for a in (self.rename_section_action, self.delete_item_action, self.up_action,
                  self.down_action):
            a.setEnabled(has_items)
        if row is None:
            self.editor_title.setText(tr("Select a template to see and edit its items."))
            self.version_note.clear()
            return
        self.editor_title.setText(tr("{name} · version {version} · {n} items").format(
            name=row.name, version=row.version, n=len(self.items.rows)))
        if row.in_use and not row.latest:
            note = tr("Version {version} has been replaced by a newer version; its {n} run(s) "
                      "keep it. Edit the newest version instead.").format(
                version=row.version, n=row.runs)
        elif row.in_use:
            from ...core.checklists import next_version

            note = (tr("Used by one run: a change saves version {next}, and the run keeps "
                       "version {version}.") if row.runs == 1 else
                    tr("Used by {n} runs: a change saves version {next}, and those runs keep "
                       "version {version}.")).format(n=row.runs, next=next_version(row.version),
                                                     version=row.version)
        else:
            note = tr("No run uses this version yet: changes are saved in it. Drag rows or "
                      "press Ctrl+Up / Ctrl+Down to reorder.")
        self.version_note.setText(note)

    # ------------------------------------------------------------------ saving
    def save(self, label: str, *, items: list[dict] | None = None,
             values: dict[str, Any] | None = None, tid: int | None = None,
             select: Sequence[int] | None = None) -> bool:
        """Save ``values`` and/or the whole ``items`` list of template ``tid`` (the one shown)
        as one undo step; a template in use becomes a new version, which the editor then
        shows and the status line names. ``select``: item positions to select afterwards."""
        from ...services import checklists

        tid = self._template_id if tid is None else tid
        before = self.templates.get(tid) if tid is not None else None
        if before is None:
            return False
        got = self.controller.edit(label, lambda ws: checklists.save_template(
            ws, tid, values, items))
        if got is None:
            return False
        new_id = got if isinstance(got, int) and not isinstance(got, bool) else tid
        if new_id != tid:
            after = self.templates.get(new_id)
            version = after.version if after is not None else "?"
            if before.runs == 1:
                text = tr("Saved as version {new}; the run that uses version {old} keeps it.")
            else:
                text = tr("Saved as version {new}; the {n} runs that use version {old} keep "
                          "it.")
            self.status.setText(text.format(new=version, old=before.version, n=before.runs))
            if tid == self._template_id:
                self.select_template(new_id)
        else:
            self.status.setText(tr("Saved in version {version}.").format(
                version=before.version))
        if select is not None:
            self.select_item_positions(select)
        self._update()
        return True

    def _dicts(self, rows: Sequence[EditItem] | None = None) -> list[dict]:
        return [r.as_dict() for r in (self.items.rows if rows is None else rows)]

    def _commit_template(self, row, column: Column, value) -> bool:
        return self.save(tr("Rename checklist template"), values={column.key: value},
                         tid=row.id)

    def _commit_item(self, row: EditItem, column: Column, value) -> bool:
        items = self._dicts()
        pos = self.items.row_of(row.id)
        for d in items:
            if d["id"] == row.id:
                d[column.key] = value
        return self.save(tr("Edit checklist item"), items=items,
                         select=None if pos is None else [pos])

    # ------------------------------------------------------------------ item commands
    def _insert(self, at: int, item: dict, label: str) -> bool:
        items = self._dicts()
        at = max(0, min(at, len(items)))
        items.insert(at, item)
        if not self.save(label, items=items, select=[at]):
            return False
        if self.items_table.isVisible():
            self.items_table.edit(self.items.index(at, self.items.column_of["title"]))
        return True

    def add_item(self) -> bool:
        """A new question after the current item, in its section (one undo step)."""
        rows = self.items.rows
        ids = self.selected_item_ids()
        pos = (self.items.row_of(ids[-1]) + 1) if ids else len(rows)
        section = rows[pos - 1].section if 0 < pos <= len(rows) else ""
        return self._insert(pos, {"id": None, "section": section, "clause": "",
                                  "title": tr("New question"), "guidance": "",
                                  "expected_evidence": "", "weight": 1.0, "pdca": ""},
                            tr("Add checklist item"))

    def add_section(self, name: str | None = None) -> bool:
        """A new section at the end with one question (asks for its name)."""
        if name is None:
            name, ok = QInputDialog.getText(self, tr("Add section"),
                                            tr("Name of the new section:"))
            if not ok:
                return False
        name = (name or "").strip()
        if not name:
            return False
        return self._insert(len(self.items.rows),
                            {"id": None, "section": name, "clause": "",
                             "title": tr("New question"), "guidance": "",
                             "expected_evidence": "", "weight": 1.0, "pdca": ""},
                            tr("Add checklist section"))

    def rename_section(self, name: str | None = None) -> bool:
        """Rename the current item's section in every item of it (one undo step)."""
        ids = self.selected_item_ids()
        if not ids:
            return False
        old = self.items.get(ids[0]).section
        if name is None:
            name, ok = QInputDialog.getText(self, tr("Rename section"),
                                            tr("New name of the section “{name}”:").format(
                                                name=old), text=old)
            if not ok:
                return False
        name = (name or "").strip()
        if name == old:
            return False
        items = self._dicts()
        for d in items:
            if d["section"] == old:
                d["section"] = name
        return self.save(tr("Rename checklist section"), items=items,
                         select=[self.items.row_of(i) for i in ids])

    def delete_items(self) -> bool:
        ids = set(self.selected_item_ids())
        if not ids:
            return False
        first = min(self.items.row_of(i) for i in ids)
        items = [d for d in self._dicts() if d["id"] not in ids]
        if not items:
            QMessageBox.information(self, tr("Delete items"), tr(
                "A template needs at least one item; add another before deleting this one."))
            return False
        return self.save(tr("Delete checklist items") if len(ids) > 1
                         else tr("Delete checklist item"), items=items,
                         select=[min(first, len(items) - 1)])

    def move_items(self, ids: Sequence[int], dest: int) -> bool:
        """Move the items of ``ids`` before position ``dest`` (a drop; one undo step)."""
        rows = self.items.rows
        ids = [i for i in ids if self.items.row_of(i) is not None]
        if not ids or self.items.read_only:
            return False
        moved = move_block(rows, ids, dest)
        if [(r.id, r.section) for r in moved] == [(r.id, r.section) for r in rows]:
            return False
        at = [k for k, r in enumerate(moved) if r.id in set(ids)]
        return self.save(tr("Move checklist items") if len(ids) > 1
                         else tr("Move checklist item"), items=self._dicts(moved), select=at)

    def move_selected(self, step: int) -> bool:
        """Ctrl+Up (``step`` -1) / Ctrl+Down (+1): the selected items one place up or down."""
        ids = self.selected_item_ids()
        if not ids:
            return False
        positions = [self.items.row_of(i) for i in ids]
        if step < 0:
            if min(positions) == 0:
                return False
            dest = min(positions) - 1
        else:
            last = max(positions)
            if last >= len(self.items.rows) - 1:
                return False
            dest = last + 2
        return self.move_items(ids, dest)

    # ------------------------------------------------------------------ template commands
    def new_template(self) -> bool:
        from ...services import checklists

        spec = checklists.TemplateSpec(
            "", tr("New checklist"), "1", "internal_audit", "", "",
            [checklists.ItemSpec("", "", tr("New question"))], source="user")
        tid = self.controller.edit(tr("New checklist template"),
                                   lambda ws: checklists.create_template(ws, spec))
        if tid is None:
            return False
        self.select_template(tid)
        self.status.setText(tr("A new template; rename it in the list and add its questions."))
        return True

    def shipped(self) -> list[tuple[str, str]]:
        """(file name, "Name · version") of every template shipped with the application."""
        if self._shipped is None:
            from ...services import checklists

            out = []
            for name in checklists.shipped_templates():
                try:
                    spec = checklists.load_template_file(name)
                except Exception:  # a broken shipped file must not hide the others
                    continue
                out.append((name, tr("{name} · version {version} · {n} items").format(
                    name=spec.name, version=spec.version, n=len(spec.items))))
            self._shipped = out
        return self._shipped

    def _fill_install_menu(self) -> None:
        self.install_menu.clear()
        for name, label in self.shipped():
            self.install_menu.addAction(label, lambda n=name: self.install(n))

    def install(self, name: str) -> bool:
        """Add the shipped template ``name`` (one undo step; nothing when already there)."""
        from ...services import checklists

        had = {r.id for r in self.templates.rows}
        tid = self.controller.edit(tr("Install checklist template"),
                                   lambda ws: checklists.install_template(ws, name))
        if tid is None:
            return False
        self.select_template(tid)
        row = self.templates.get(tid)
        what = f"{row.name} · {row.version}" if row is not None else name
        self.status.setText((tr("{template} was already installed; it is selected.")
                             if tid in had else tr("Installed {template}.")
                             ).format(template=what))
        return True

    def _fill_generate_menu(self) -> None:
        from ...services.processes import list_processes

        self.generate_menu.clear()
        ws = self.workspace
        procs = list_processes(ws) if ws is not None else []
        if not procs:
            a = self.generate_menu.addAction(tr("No process has a map yet"))
            a.setEnabled(False)
        for p in procs:
            label = " ".join(x for x in (p.code, p.name) if x) or tr("(unnamed process)")
            a = self.generate_menu.addAction(
                tr("{process} ({n} steps)").format(process=label, n=p.steps),
                lambda pid=p.id: self.generate(pid))
            a.setEnabled(p.steps > 0)

    def generate(self, process_id: int) -> bool:
        """An internal-audit template from the process's map (one undo step)."""
        from ...services import checklists

        tid = self.controller.edit(tr("Generate audit checklist"),
                                   lambda ws: checklists.generate_process_audit(ws, process_id))
        if tid is None:
            return False
        self.select_template(tid)
        row = self.templates.get(tid)
        if row is not None:
            self.status.setText(tr("Generated {name}, version {version}, with {n} questions "
                                   "from the map.").format(name=row.name, version=row.version,
                                                          n=row.items))
        return True

    def import_xlsx(self, path: str | None = None) -> bool:
        """A new template from a spreadsheet (asks for the file; one undo step)."""
        from ...services import checklists
        from ..dialogs import last_dir, remember_dir

        if path is None:
            path, _f = QFileDialog.getOpenFileName(
                self, tr("Import checklist template"), last_dir(),
                tr("Excel workbooks (*.xlsx);;All files (*)"))
            if not path:
                return False
        remember_dir(Path(path).parent)
        tid = self.controller.edit(tr("Import checklist template"),
                                   lambda ws: checklists.import_template_xlsx(ws, path))
        if tid is None:
            return False
        self.select_template(tid)
        row = self.templates.get(tid)
        self.status.setText(tr("Imported {n} items from {file} as “{name}”.").format(
            n=row.items if row else 0, file=Path(path).name, name=row.name if row else ""))
        return True

    def export_xlsx(self, path: str | None = None) -> bool:
        """The selected template's items as an .xlsx file (asks where)."""
        from ...services import checklists
        from ..dialogs import last_dir, remember_dir
        from ..errors import show_error

        row = self.current_template()
        if row is None or self.workspace is None:
            return False
        if path is None:
            safe = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in row.name)
            suggested = str(Path(last_dir()) / f"{safe.strip() or 'checklist'} "
                                               f"v{row.version}.xlsx")
            path, _f = QFileDialog.getSaveFileName(
                self, tr("Export checklist template"), suggested,
                tr("Excel workbooks (*.xlsx)"))
            if not path:
                return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            out = checklists.export_template_xlsx(self.workspace, row.id, path)
        except Exception as e:
            from ..errors import report_exception

            if isinstance(e, OSError):
                show_error(self, tr("The file could not be written: {error}").format(
                    error=e.strerror or e))
            else:
                report_exception(e, self)
            return False
        remember_dir(Path(out).parent)
        self.status.setText(tr("Exported {n} items of {name} version {version} to {file}.")
                            .format(n=row.items, name=row.name, version=row.version,
                                    file=Path(out).name))
        return True

    def delete_template(self) -> bool:
        from ...services import checklists

        row = self.current_template()
        if row is None:
            return False
        answer = QMessageBox.question(
            self, tr("Delete template"),
            tr("Delete {name} version {version} and its {n} items?").format(
                name=row.name, version=row.version, n=row.items))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        tid = row.id
        if self.controller.edit(tr("Delete checklist template"),
                                lambda ws: checklists.delete_template(ws, tid)) is None:
            return False
        self.status.setText(tr("Deleted {name} version {version}.").format(
            name=row.name, version=row.version))
        return True
