"""The open run: its items in order, answered from the keyboard.

Keys in the item table: **1–5** set the result of the current item (conform, partial,
nonconform, not applicable, not yet assessed: ``core.checklists.RESULT_KEYS``) and move to the
next item; **Enter** moves to the next item; **Ctrl+F** jumps to a clause (type "7.5", Enter);
**Ctrl+E** edits the evidence text (Esc goes back to the table). Every answer is saved at once,
one undo step each; evidence typing is one step per visit (the kit's field binding).

Beside the table: the current item (question, guidance, expected evidence, evidence text,
notes), its evidence links to workspace records, its files, and the run's findings.
Only the side tab on show is read from the workspace, so moving from item to item stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core import checklists as rules
from ..table import DetailPanel, IdRole, TextBox, ValueCombo
from .model import RESULT_KEY, item_filter_items, make_item_model, make_item_proxy, \
    percent_text, result_label, result_text, score_rule, tr

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController

_DIGIT_KEYS = {Qt.Key.Key_1: "1", Qt.Key.Key_2: "2", Qt.Key.Key_3: "3", Qt.Key.Key_4: "4",
               Qt.Key.Key_5: "5"}


def keys_legend() -> str:
    return "   ".join(f"{k} {result_label(v)}" for k, v in rules.RESULT_KEYS.items()) + \
        "   " + tr("Enter next   Ctrl+F clause   Ctrl+E evidence")


class ItemPanel(DetailPanel):
    """The current item: its question and guidance, and its evidence text and notes."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(controller, "response", parent)
        self.where = QLabel(self)
        self.question = QLabel(self)
        self.question.setWordWrap(True)
        f = self.question.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.question.setFont(f)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.guidance = QLabel(self)
        self.expected = QLabel(self)
        for label in (self.guidance, self.expected):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result = QLabel(self)
        self.answered = QLabel(self)
        self.evidence = self.bind("evidence", TextBox(self))
        self.evidence.setObjectName("evidenceText")
        self.evidence.setPlaceholderText(tr("What was seen: records, interviews, observations "
                                            "(Ctrl+E; Esc back to the items)"))
        self.notes = self.bind("notes", TextBox(self))
        self.notes.setPlaceholderText(tr("Notes: what to improve, who to ask"))
        self.notes.setMaximumHeight(70)
        self.buttons = QHBoxLayout()
        self.result_buttons: dict[str | None, QPushButton] = {}
        for key, res in rules.RESULT_KEYS.items():
            b = QPushButton(f"&{key} {result_label(res)}", self)
            b.setToolTip(tr("Set the result (key {key})").format(key=key))
            self.result_buttons[res] = b
            self.buttons.addWidget(b)
        form = QFormLayout(self)
        form.addRow(self.where)
        form.addRow(self.question)
        form.addRow(tr("Guidance"), self.guidance)
        form.addRow(tr("Expected evidence"), self.expected)
        form.addRow(tr("Result"), self.result)
        form.addRow(self.buttons)
        form.addRow(tr("&Evidence"), self.evidence)
        form.addRow(tr("&Notes"), self.notes)
        form.addRow(self.answered)

    def fill(self, row: Any) -> None:
        if row is None:
            for label in (self.where, self.question, self.guidance, self.expected, self.result,
                          self.answered):
                label.clear()
            return
        self.where.setText(tr("Item {n} · clause {clause} · {section}").format(
            n=row.number, clause=row.clause or "—", section=row.section or "—"))
        self.question.setText(row.title)
        self.guidance.setText(row.guidance or "—")
        self.expected.setText(row.expected_evidence or "—")
        self.result.setText(result_text(row.result))
        self.answered.setText(tr("Answered by {who} at {when}").format(
            who=row.answered_by or "—", when=row.answered_at.strftime("%Y-%m-%d %H:%M"))
            if row.answered_at else "")

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        for b in self.result_buttons.values():
            b.setEnabled(not read_only)


class LinksPanel(QWidget):
    """The workspace records named as evidence for the current item."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.response_id: int | None = None
        self.list = QListWidget(self)
        self.list.setObjectName("evidenceLinks")
        self.list.itemActivated.connect(self._open)
        self.add_button = QPushButton(tr("&Link record…"), self)
        self.add_button.setToolTip(tr("Name a document, training record, risk, process step… "
                                      "as evidence"))
        self.add_button.clicked.connect(lambda: self.pick())
        self.remove_button = QPushButton(tr("&Remove link"), self)
        self.remove_button.clicked.connect(lambda: self.remove_current())
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.opened: Signal | None = None

    def set_response(self, response_id: int | None) -> None:
        self.response_id = response_id
        self.refresh()

    def refresh(self) -> None:
        from ...services import checklists

        self.list.clear()
        ws = self.controller.workspace
        if ws is None or self.response_id is None:
            return
        for e in checklists.evidence_for(ws, self.response_id):
            item = QListWidgetItem(f"{entity_label(e.entity)}: {e.label}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, (e.id, e.entity, e.record_id))
            if e.note:
                item.setToolTip(e.note)
        ro = self.controller.read_only
        self.add_button.setEnabled(not ro)
        self.remove_button.setEnabled(not ro and self.list.count() > 0)

    def link(self, entity: str, record_id: int, note: str = "") -> int | None:
        from ...services import checklists

        rid = self.response_id
        if rid is None:
            return None
        return self.controller.edit(tr("Link evidence"), lambda ws: checklists.add_evidence(
            ws, rid, entity, record_id, note))

    def pick(self) -> int | None:
        from .dialogs import EvidencePicker

        if self.response_id is None or self.controller.workspace is None:
            return None
        dialog = EvidencePicker(self.controller.workspace, self)
        if dialog.exec() != EvidencePicker.DialogCode.Accepted or dialog.choice() is None:
            return None
        return self.link(*dialog.choice())

    def remove_current(self) -> bool:
        from ...services import checklists

        item = self.list.currentItem()
        if item is None:
            return False
        link_id = item.data(Qt.ItemDataRole.UserRole)[0]
        return self.controller.edit(tr("Remove evidence link"),
                                    lambda ws: checklists.remove_evidence(ws, link_id)) \
            is not None

    def _open(self, item: QListWidgetItem) -> None:
        _lid, entity, record_id = item.data(Qt.ItemDataRole.UserRole)
        view = self.parent()
        while view is not None and not isinstance(view, RunView):
            view = view.parent()
        if view is not None:
            view.openRecord.emit(entity, record_id)


def entity_label(entity: str) -> str:
    return {"document": tr("Document"), "revision": tr("Revision"),
            "training_record": tr("Training record"), "risk": tr("Risk"),
            "process": tr("Process"), "process_node": tr("Process map step"),
            "action": tr("Action"), "nonconformity": tr("Nonconformity"),
            "objective": tr("Objective"), "course": tr("Course"), "person": tr("Person"),
            "management_review": tr("Management review")}.get(entity, entity)


class RunView(QWidget):
    #: the user asked to open a linked record: (entity, id)
    openRecord = Signal(str, int)
    #: the open run changed (its id, or 0 for none)
    runChanged = Signal(int)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.run_id: int | None = None
        self.run_row: Any = None

        self.model = make_item_model(controller, lambda: self.run_id, self)
        self.proxy = make_item_proxy(self)
        self.proxy.setSourceModel(self.model)

        # -- head: what run, its score, the clause jump
        self.title = QLabel(tr("No run is open: choose one on the Runs tab."), self)
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.score = QLabel(self)
        self.score.setToolTip(score_rule())
        self.jump = QLineEdit(self)
        self.jump.setObjectName("clauseJump")
        self.jump.setPlaceholderText(tr("Clause or #item… (Ctrl+F)"))
        self.jump.setToolTip(tr("Type a clause such as 7.5 (or #12 for item 12) and press "
                                "Enter"))
        self.jump.setClearButtonEnabled(True)
        self.jump.returnPressed.connect(self._jump_entered)
        self.jump.installEventFilter(self)
        self.result_filter = ValueCombo(item_filter_items(), self, searchable=False)
        self.result_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_filters(result=self.result_filter.value()))
        self.message = QLabel(self)
        head = QHBoxLayout()
        head.addWidget(self.title, 3)
        head.addWidget(self.score, 2)
        bar = QHBoxLayout()
        bar.addWidget(self.jump, 1)
        bar.addWidget(self.result_filter)
        bar.addWidget(self.message, 2)
        self.legend = QLabel(keys_legend(), self)
        self.legend.setWordWrap(True)

        # -- items
        self.table = QTableView(self)
        self.table.setObjectName("checklistItemsTable")
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(False)
        for i, c in enumerate(self.model.columns):
            self.table.setColumnWidth(i, c.width if c.samples is None else
                                      max(self.table.fontMetrics().horizontalAdvance(s)
                                          for s in c.samples()) + 24)
            self.table.setColumnHidden(i, not c.visible)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.model.column_of["title"], header.ResizeMode.Stretch)
        # the result right after the clause, so a narrow table never cuts it ("✓ C"): the
        # question stretches, the evidence and counts follow it
        header.moveSection(header.visualIndex(self.model.column_of["result"]),
                           header.visualIndex(self.model.column_of["clause"]) + 1)
        self.table.installEventFilter(self)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())

        # -- beside it
        self.item_panel = ItemPanel(controller, self)
        self.item_panel.evidence.installEventFilter(self)
        for res, b in self.item_panel.result_buttons.items():
            b.clicked.connect(lambda _c=False, res=res: self.answer(res))
        self.links = LinksPanel(controller, self)
        from ..attachments import AttachmentsWidget
        from .findings import FindingsPanel

        self.files = AttachmentsWidget(controller, self)
        self.findings = FindingsPanel(controller, self)
        self.findings.openRecord.connect(self.openRecord)
        self.side = QTabWidget(self)
        self.item_tab = self.side.addTab(self.item_panel, tr("Item"))
        self.links_tab = self.side.addTab(self.links, tr("Evidence links"))
        self.files_tab = self.side.addTab(self.files, tr("Files"))
        self.findings_tab = self.side.addTab(self.findings, tr("Findings"))
        self.side.currentChanged.connect(lambda _i: self._fill_side())
        self._side_stale = {self.links_tab: True, self.files_tab: True,
                            self.findings_tab: True}

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.legend)

        self.evidence_action = QAction(tr("Edit &evidence"), self)
        self.evidence_action.setShortcut(QKeySequence("Ctrl+E"))
        self.evidence_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.evidence_action.triggered.connect(lambda _c=False: self.focus_evidence())
        self.addAction(self.evidence_action)

    # ------------------------------------------------------------------ the run
    def set_run(self, run_id: int | None) -> None:
        """Show run ``run_id`` (None: none), its first item not yet assessed current."""
        self.item_panel.flush()
        self.run_id = run_id
        self.jump.clear()
        self.message.clear()
        self.result_filter.setCurrentIndex(0)
        self.refresh()
        first = next((r for r in self.model.rows if r.result is None), None)
        if first is None and self.model.rows:
            first = self.model.rows[0]
        if first is not None:
            self.select_item(first.id)
        self.runChanged.emit(run_id or 0)

    def refresh(self) -> None:
        from ...services import checklists

        ws = self.controller.workspace
        if ws is None or self.run_id is None:
            self.run_row = None
            self.model.set_rows([])
        else:
            got = checklists.get_runs(ws, [self.run_id])
            self.run_row = got[0] if got else None
            if self.run_row is None:
                self.run_id = None
            self.model.read_only = self.controller.read_only
            self.model.reload()
        self.findings.set_run(self.run_id)
        self._head()
        self._mark_side_stale()
        self._show_current()

    def on_change(self, change: "Change") -> None:
        """Bring the view up to date with ``change`` (only the rows it names)."""
        if self.run_id is None:
            return
        if change.touches("checklist_run") and self.run_id in change.ids_of("checklist_run"):
            self.refresh()
            return
        current = self.current_item()
        self.model.refresh_ids(change)
        self._head()
        if change.touches("finding", "action", "response"):
            self.findings.stale = True
        if change.touches("evidence_link", "attachment", "finding", "action", "response"):
            self._mark_side_stale()
        row = self.current_item()
        if row is not None and (current is None or row is not current):
            self.item_panel.show_row(row)
            self.item_panel.fill(row)
        self._fill_side()

    def _head(self) -> None:
        r = self.run_row
        if r is None:
            self.title.setText(tr("No run is open: choose one on the Runs tab."))
            self.score.clear()
            return
        self.title.setText(tr("{code} · {title} · {template} v{version}").format(
            code=r.code, title=r.title, template=r.template_name, version=r.template_version))
        sc = rules.score(rules.Answer(x.clause, x.result, x.weight, x.pdca)
                         for x in self.model.rows)
        self.score.setText(tr("Score {pct} · {done} of {total} assessed · {na} not "
                              "applicable").format(pct=percent_text(sc.percent),
                                                   done=sc.assessed, total=sc.total, na=sc.na))

    # ------------------------------------------------------------------ items
    def current_item(self) -> Any:
        index = self.table.currentIndex()
        return self.model.get(index.data(IdRole)) if index.isValid() else None

    def select_item(self, response_id: int, *, top: bool = False) -> bool:
        """Make item ``response_id`` current; ``top``: scrolled to the top of the table (a
        chapter opened from the dashboard shows its items below it)."""
        pos = self.model.row_of(response_id)
        if pos is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(pos, self._first_column()))
        if not index.isValid():
            self.result_filter.setCurrentIndex(0)  # a filter hides it: show everything
            index = self.proxy.mapFromSource(self.model.index(pos, self._first_column()))
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop if top
                            else QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def _first_column(self) -> int:
        return 0

    def item_by_number(self, number: int) -> Any:
        return next((r for r in self.model.rows if r.number == number), None)

    def next_item(self) -> bool:
        """Move to the next item in the table (False at the last)."""
        index = self.table.currentIndex()
        row = index.row() + 1 if index.isValid() else 0
        if row >= self.proxy.rowCount():
            return False
        nxt = self.proxy.index(row, 0)
        self.table.setCurrentIndex(nxt)
        self.table.scrollTo(nxt)
        return True

    def answer(self, result: str | None, *, advance: bool = True) -> bool:
        """Set the current item's result (one undo step) and, with ``advance``, move on."""
        from ...services import checklists

        row = self.current_item()
        if row is None:
            return False
        self.item_panel.flush()
        if row.result != result:
            rid = row.response_id
            label = tr("Answer item {n}: {result}").format(n=row.number,
                                                           result=result_label(result))
            if self.controller.edit(label, lambda ws: checklists.answer(
                    ws, rid, result=result)) is None:
                return False
        if advance:
            self.next_item()
        return True

    def answer_key(self, key: str) -> bool:
        return self.answer(rules.RESULT_KEYS[key])

    def jump_to(self, text: str) -> bool:
        """Make the item of clause ``text`` current ("7.5": that clause, else the first item
        under it; "#12" or "12": item 12 when no clause is called so)."""
        key = text.strip().rstrip(".")
        self.message.clear()
        if not key:
            return False
        rows = self.model.rows
        found = None
        if not key.startswith("#"):
            found = next((r for r in rows if r.clause == key), None) or next(
                (r for r in rows if r.clause.startswith(key + ".")), None) or next(
                (r for r in rows if r.clause.startswith(key)), None)
        digits = key.lstrip("#")
        if found is None and digits.isdigit():
            found = self.item_by_number(int(digits))
        if found is None:
            self.message.setText(tr("No item has clause “{clause}”.").format(clause=key))
            return False
        self.select_item(found.id, top=True)
        return True

    def _jump_entered(self) -> None:
        if self.jump_to(self.jump.text()):
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_jump(self) -> None:
        self.jump.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.jump.selectAll()

    def focus_evidence(self) -> None:
        if self.current_item() is None:
            return
        self.side.setCurrentIndex(self.item_tab)
        self.item_panel.evidence.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------------ keys
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.KeyPress:
            return False
        key, mods = event.key(), event.modifiers()
        plain = not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                            | Qt.KeyboardModifier.MetaModifier)
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if obj is self.table:
            if plain and key in _DIGIT_KEYS:
                if not self.controller.read_only:
                    self.answer_key(_DIGIT_KEYS[key])
                return True
            if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.next_item()
                return True
            if ctrl and key == Qt.Key.Key_F:
                self.focus_jump()
                return True
            if ctrl and key == Qt.Key.Key_E:
                self.focus_evidence()
                return True
        elif obj is self.item_panel.evidence or obj is self.jump:
            if key == Qt.Key.Key_Escape:
                if obj is self.item_panel.evidence:
                    self.item_panel.flush()
                self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
            if obj is self.item_panel.evidence and ctrl and key == Qt.Key.Key_F:
                self.focus_jump()
                return True
        return False

    # ------------------------------------------------------------------ beside the table
    def _show_current(self) -> None:
        row = self.current_item()
        self.item_panel.show_row(row)
        self.item_panel.set_read_only(self.controller.read_only or row is None)
        self._mark_side_stale(findings=False)
        self._fill_side()

    def _mark_side_stale(self, findings: bool = True) -> None:
        self._side_stale[self.links_tab] = True
        self._side_stale[self.files_tab] = True
        if findings:
            self._side_stale[self.findings_tab] = True

    def _fill_side(self) -> None:
        """Read the side tab on show (the others when they are shown)."""
        tab = self.side.currentIndex()
        if not self._side_stale.get(tab):
            return
        self._side_stale[tab] = False
        row = self.current_item()
        rid = row.response_id if row is not None else None
        if tab == self.links_tab:
            self.links.set_response(rid)
        elif tab == self.files_tab:
            self.files.set_owner("response", rid)
        elif tab == self.findings_tab:
            self.findings.set_current_response(rid)
            self.findings.refresh()


__all__ = ["RESULT_KEY", "RunView", "entity_label", "keys_legend"]
