"""The Context & policy page (ISO 9001 4.1–4.3, 5.2): the quality policy and its approval, the
scope with its exclusions, climate change, interested parties, and internal and external issues
— one tab each, built from the table kit.

Every edit is one ``controller.edit`` line (text fields through ``controller.edit_field``);
Insert adds a row, Delete deletes the selected ones, F2 edits a cell, Alt+Up / Alt+Down move a
party or an issue, Ctrl+Enter opens an issue's linked risk. :meth:`ContextPage.select_record`
shows a party, an issue or an exclusion (the main window routes ``open_record`` here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QDialog, QDialogButtonBox,
                               QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton,
                               QRadioButton, QTableView, QTabWidget, QVBoxLayout, QWidget)

from ...services import context as cx
from ..binding import FieldBinding
from ..pages.base import Page, heading
from ..table import ColumnLayout, FilterProxy, Item, TableDelegate, ValueCombo, edit_triggers, selection
from ..table.filterbar import FilterBar
from .model import (category_items, clause_items, kind_items, make_exclusion_model,
                    make_issue_model, make_issue_proxy, make_party_model, make_party_proxy,
                    relevant_items, tr)
from .policy import WATCHED as POLICY_WATCHED, PolicyTab

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec

TABS = ("policy", "scope", "climate", "parties", "issues")


def _count(n: int, one: str, many: str) -> str:
    """"1 climate issue", "2 climate issues", "0 climate issues" (``many`` has {n})."""
    return one if n == 1 else many.format(n=n)


class TableTab(QWidget):
    """A table of the kit with its filter bar and command buttons."""

    def __init__(self, model, proxy, key: str, placeholder: str, parent: QWidget):
        super().__init__(parent)
        self.model, self.proxy = model, proxy
        proxy.setSourceModel(model)
        self.filters = FilterBar(proxy, placeholder, self)
        self.count = QLabel(self)
        self.filters.row.addWidget(self.count, 1, Qt.AlignmentFlag.AlignRight)
        self.table = QTableView(self)
        self.table.setObjectName(f"{key}Table")
        self.table.setModel(proxy)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setEditTriggers(edit_triggers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # short lists of sentences: wrapped in full, each row as tall as its text
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.layout_keeper = ColumnLayout(self.table, model, f"context.{key}")
        self.layout_keeper.restore()
        self.buttons = QHBoxLayout()
        self.actions: list[QAction] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addLayout(self.buttons)
        layout.addWidget(self.table, 1)

    def command(self, text: str, slot, key=None, tip: str = "") -> QAction:
        action = QAction(text, self.table)
        action.setToolTip(tip)
        if key is not None:
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.table.addAction(action)
        action.triggered.connect(lambda _c=False: slot())
        b = QPushButton(action.text(), self)
        b.setToolTip(tip)
        b.clicked.connect(action.trigger)
        action.changed.connect(lambda b=b, a=action: b.setEnabled(a.isEnabled()))
        self.buttons.addWidget(b)
        self.actions.append(action)
        return action

    def finish(self, extra: QWidget | None = None) -> None:
        self.buttons.addStretch(1)
        if extra is not None:
            self.buttons.addWidget(extra)

    def selected_ids(self) -> list[int]:
        return selection.selected_ids(self.table)

    def current_row(self) -> Any:
        return selection.current_row(self.table, self.model)

    def select_ids(self, ids: list[int], column: int = 0) -> bool:
        shown = [i for i in ids if self.model.row_of(i) is not None]
        if not shown:
            return False
        pos = self.model.row_of(shown[0])
        if self.proxy.mapFromSource(self.model.index(pos, 0)).row() < 0:
            self.filters.clear()  # a filter hides it: show everything
        selection.select_ids(self.table, self.model, self.proxy, shown, column=column)
        return True


class ExclusionDialog(QDialog):
    """Asks which requirement does not apply, and why."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Exclude a Requirement"))
        self.clause = ValueCombo(clause_items(), self)
        self.justification = QPlainTextEdit(self)
        self.justification.setPlaceholderText(tr("Why it does not apply, and why that does not "
                                                 "affect conformity of products and services"))
        self.justification.setTabChangesFocus(True)
        rule = QLabel(tr(cx.EXCLUSION_RULE), self)
        rule.setWordWrap(True)
        rule.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                               QDialogButtonBox.StandardButton.Cancel, self)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(tr("&Clause:"), self.clause)
        form.addRow(tr("&Justification:"), self.justification)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addLayout(form)
        layout.addWidget(box)


class ContextPage(Page):
    kinds = frozenset({"organization", "context_issue", "interested_party", "scope_exclusion",
                       "risk"}) | frozenset(POLICY_WATCHED)
    #: the user asked to see a record on another page: (entity / table name, id)
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self._risks: list[Item] | None = None
        self.org_id: int | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)

        # -- policy
        self.policy = PolicyTab(controller, self)
        self.policy.openRecord.connect(self.openRecord)

        # -- scope and exclusions
        self.scope_tab = QWidget(self)
        self.scope = QPlainTextEdit(self.scope_tab)
        self.scope.setObjectName("scopeText")
        self.scope.setPlaceholderText(tr("The products and services, sites and boundaries of "
                                         "the quality management system (ISO 9001 4.3)"))
        self.scope_binding = FieldBinding(controller, self.scope, "organization", "scope")
        self.exclusions = TableTab(make_exclusion_model(controller, self),
                                   FilterProxy(self), "exclusions",
                                   tr("Search clause, requirement, justification…"),
                                   self.scope_tab)
        self.exclusions.filters.hide()  # one or two rows: nothing to search
        ex = self.exclusions
        self.add_exclusion_action = ex.command(
            tr("&Exclude a requirement…"), self.add_exclusion, QKeySequence(Qt.Key.Key_Insert),
            tr("A requirement of the standard that does not apply, with its justification "
               "(Insert)"))
        self.delete_exclusion_action = ex.command(
            tr("&Delete"), lambda: self.delete_selected("exclusions"),
            QKeySequence.StandardKey.Delete, tr("Delete the selected exclusions (Delete)"))
        rule = QLabel(tr(cx.EXCLUSION_RULE), self.scope_tab)
        rule.setWordWrap(True)
        ex.finish(ex.count)
        sl = QVBoxLayout(self.scope_tab)
        sl.addWidget(QLabel(tr("<b>Scope of the quality management system</b>"), self))
        sl.addWidget(self.scope, 1)
        sl.addWidget(QLabel(tr("<b>Requirements that do not apply</b>"), self))
        sl.addWidget(rule)
        sl.addWidget(ex, 1)

        # -- climate change
        self.climate_tab = QWidget(self)
        intro = QLabel(tr("ISO 9001 as amended in 2024: the organization determines whether "
                          "climate change is a relevant issue (4.1), and its interested parties "
                          "may have requirements related to climate change (4.2)."),
                       self.climate_tab)
        intro.setWordWrap(True)
        self.climate_group = QButtonGroup(self)
        self.climate_buttons: dict[Any, QRadioButton] = {}
        radios = QHBoxLayout()
        for value, text in ((None, tr("Not yet determined")),
                            (True, tr("Relevant")), (False, tr("Not relevant"))):
            r = QRadioButton(text, self.climate_tab)
            self.climate_group.addButton(r)
            self.climate_buttons[value] = r
            r.clicked.connect(lambda _c=False, v=value: self.set_climate(v))
            radios.addWidget(r)
        radios.addStretch(1)
        self.climate_note = QPlainTextEdit(self.climate_tab)
        self.climate_note.setObjectName("climateNote")
        self.climate_note.setPlaceholderText(tr("Why: how climate change (heat, floods, energy "
                                                "prices, customers' carbon requirements) does or "
                                                "does not bear on the QMS"))
        self.note_binding = FieldBinding(controller, self.climate_note, "organization",
                                         "climate_note")
        self.climate_hint = QLabel(self.climate_tab)
        self.climate_hint.setWordWrap(True)
        self.climate_hint.setObjectName("climateHint")
        self.show_climate = QPushButton(tr("Show climate issues"), self.climate_tab)
        self.show_climate.clicked.connect(lambda: self.set_filters(category="climate"))
        cl = QVBoxLayout(self.climate_tab)
        cl.addWidget(intro)
        cl.addLayout(radios)
        cl.addWidget(QLabel(tr("<b>Determination and reasons</b>"), self))
        self.climate_note.setMaximumHeight(self.fontMetrics().lineSpacing() * 9)
        cl.addWidget(self.climate_note)
        cl.addWidget(self.climate_hint)
        hl = QHBoxLayout()
        hl.addWidget(self.show_climate)
        hl.addStretch(1)
        cl.addLayout(hl)
        cl.addStretch(1)

        # -- interested parties
        self.parties = TableTab(make_party_model(controller, self), make_party_proxy(self),
                                "parties", tr("Search party, needs, monitoring…"), self)
        pt = self.parties
        pt.filters.add_choice("relevant", [(tr("Relevant or not"), None, "")] + relevant_items())
        self.add_party_action = pt.command(tr("&Add party"), self.add_party,
                                           QKeySequence(Qt.Key.Key_Insert),
                                           tr("A new interested party after the others "
                                              "(Insert)"))
        self.delete_party_action = pt.command(tr("&Delete"),
                                              lambda: self.delete_selected("parties"),
                                              QKeySequence.StandardKey.Delete,
                                              tr("Delete the selected parties (Delete)"))
        self.party_up = pt.command(tr("Move &up"), lambda: self.move("parties", -1),
                                   QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Up),
                                   tr("One place up (Alt+Up)"))
        self.party_down = pt.command(tr("Move do&wn"), lambda: self.move("parties", 1),
                                     QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Down),
                                     tr("One place down (Alt+Down)"))
        pt.finish()

        # -- issues
        self.issues = TableTab(make_issue_model(controller, self.risk_items, self),
                               make_issue_proxy(self), "issues",
                               tr("Search issue, effect, risk…"), self)
        it = self.issues
        it.filters.add_choice("kind", [(tr("Internal and external"), None, "")] + kind_items())
        it.filters.add_choice("category", [(tr("Any category"), None, "")]
                              + category_items()[1:])
        self.add_issue_action = it.command(tr("&Add issue"), self.add_issue,
                                           QKeySequence(Qt.Key.Key_Insert),
                                           tr("A new issue — internal or external as the filter "
                                              "shows, else external (Insert)"))
        self.delete_issue_action = it.command(tr("&Delete"),
                                              lambda: self.delete_selected("issues"),
                                              QKeySequence.StandardKey.Delete,
                                              tr("Delete the selected issues (Delete)"))
        self.issue_up = it.command(tr("Move &up"), lambda: self.move("issues", -1),
                                   QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Up),
                                   tr("One place up among the issues of its kind (Alt+Up)"))
        self.issue_down = it.command(tr("Move do&wn"), lambda: self.move("issues", 1),
                                     QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Down),
                                     tr("One place down among the issues of its kind "
                                        "(Alt+Down)"))
        self.open_risk_action = it.command(tr("&Open risk"), self.open_risk,
                                           QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return),
                                           tr("Show the linked risk in the register "
                                              "(Ctrl+Enter)"))
        it.finish()
        it.table.doubleClicked.connect(self._issue_double_clicked)

        for w, text in ((self.policy, tr("Quality policy")), (self.scope_tab, tr("Scope")),
                        (self.climate_tab, tr("Climate change")),
                        (self.parties, tr("Interested parties")),
                        (self.issues, tr("Internal and external issues"))):
            self.tabs.addTab(w, text)
        self.read_only_note = QLabel(tr("The workspace is open read-only: the context can be "
                                        "viewed, not changed."), self)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.tabs, 1)
        for tab in (self.parties, self.issues, self.exclusions):
            tab.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
            tab.filters.changed.connect(self._update)
            tab.model.modelReset.connect(self._update)
        self._update()

    # ------------------------------------------------------------------ items
    def risk_items(self) -> list[Item]:
        """The linked-risk picker: "—" then the register's risks and opportunities."""
        if self._risks is None:
            from ...services import risks

            ws = self.workspace
            rows = risks.list_risks(ws) if ws is not None else []
            self._risks = [("—", None, tr("No linked risk"))] + [
                (f"{r.ref} {r.title}", r.id, "") for r in rows]
        return self._risks

    def search_widget(self) -> QWidget | None:
        tab = self.tabs.currentWidget()
        return tab.filters.search if isinstance(tab, TableTab) else None

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        self._risks = None
        ws = self.workspace
        ctx = cx.load_context(ws)
        self.org_id = ctx.organization_id
        for tab in (self.parties, self.issues, self.exclusions):
            tab.model.read_only = self.controller.read_only
            tab.model.reload()
        self.policy.refresh()
        self._show_org(ctx)
        self._update()

    def _show_org(self, ctx: cx.Context) -> None:
        self.scope_binding.set_record(self.org_id, ctx.scope)
        self.note_binding.set_record(self.org_id, ctx.climate_note)
        self.climate_buttons[ctx.climate_relevant].setChecked(True)
        self._climate = ctx.climate_relevant

    def _on_changed(self, change: "Change") -> None:  # targeted: what the change names
        if not self.touches(change):
            return
        if change.touches("risk"):
            self._risks = None
        if not (self.isVisible() and not self._stale and self.workspace is not None):
            self._stale = True
            return
        for tab in (self.parties, self.issues, self.exclusions):
            tab.model.refresh_ids(change)
        if change.touches(*POLICY_WATCHED):
            self.policy.refresh()
        if change.touches("organization"):
            self._show_org(cx.load_context(self.workspace))
        self._update()

    def workspace_closed(self) -> None:
        self._risks = None
        self.org_id = None
        for tab in (self.parties, self.issues, self.exclusions):
            tab.model.set_rows([])
        self.scope_binding.set_record(None, "")
        self.note_binding.set_record(None, "")
        self.policy.refresh()
        self._update()

    def _update(self) -> None:
        writable = self.workspace is not None and not self.controller.read_only
        self.read_only_note.setVisible(self.controller.read_only)
        for binding in (self.scope_binding, self.note_binding):
            binding.set_read_only(not writable or self.org_id is None)
        for r in self.climate_buttons.values():
            r.setEnabled(writable)
        for tab, noun in ((self.parties, tr("parties")), (self.issues, tr("issues")),
                          (self.exclusions, tr("exclusions"))):
            tab.model.read_only = not writable
            n = len(tab.table.selectionModel().selectedRows())
            tab.actions[0].setEnabled(writable)
            tab.actions[1].setEnabled(writable and n > 0)
            tab.count.setText(tr("{shown} of {total} {noun}").format(
                shown=tab.proxy.rowCount(), total=len(tab.model.rows), noun=noun))
        for up, down, tab in ((self.party_up, self.party_down, self.parties),
                              (self.issue_up, self.issue_down, self.issues)):
            one = writable and len(tab.table.selectionModel().selectedRows()) == 1
            up.setEnabled(one)
            down.setEnabled(one)
        row = self.issues.current_row()
        self.open_risk_action.setEnabled(row is not None and row.risk_id is not None)
        # climate: the hint and the counts beside it
        issues = [r for r in self.issues.model.rows if r.category == "climate"]
        parties = [r for r in self.parties.model.rows
                   if "climate" in (r.needs + " " + r.monitoring).casefold()
                   or "carbon" in r.needs.casefold()]
        relevant = self.climate_buttons[True].isChecked()
        if relevant:
            hint = tr("Climate change is relevant: list its issues (category Climate) under "
                      "Internal and external issues, and the climate-related requirements of "
                      "interested parties (e.g. a customer's carbon footprint request) under "
                      "Interested parties.")
        elif self.climate_buttons[False].isChecked():
            hint = tr("Climate change is not relevant: the reasons above are the record of "
                      "that determination; review it at the next management review.")
        else:
            hint = tr("Not yet determined: decide whether climate change is a relevant issue "
                      "and write why.")
        listed = [_count(len(issues), tr("1 climate issue"), tr("{n} climate issues")),
                  _count(len(parties), tr("1 party need mentioning climate or carbon"),
                         tr("{n} party needs mentioning climate or carbon"))]
        if self.climate_buttons[False].isChecked() and (issues or parties):
            # a warning, not a block: the determination is the user's, but it must hold
            if issues and parties:
                what = tr("{issues} and {needs} are listed").format(issues=listed[0],
                                                                    needs=listed[1])
            else:
                n = len(issues or parties)
                what = (tr("{what} is listed") if n == 1 else tr("{what} are listed")).format(
                    what=listed[0] if issues else listed[1])
            hint = "⚠ " + tr("{what}: explain why climate change is not relevant, or keep it "
                             "relevant.").format(what=what)
        else:
            hint += " " + tr("Listed now: {issues}, {needs}.").format(
                issues=listed[0], needs=listed[1])
        self.climate_hint.setText(hint)
        self.show_climate.setEnabled(bool(issues))
        self.tabs.setTabText(TABS.index("parties"), tr("Interested parties ({n})").format(
            n=len(self.parties.model.rows)))
        self.tabs.setTabText(TABS.index("issues"), tr("Internal and external issues ({n})")
                             .format(n=len(self.issues.model.rows)))

    # ------------------------------------------------------------------ selecting
    def select_record(self, entity: str, rid: int) -> bool:
        """Show party, issue or exclusion ``rid`` selected on its tab (False when it is not
        there)."""
        tabs = {"interested_party": ("parties", self.parties),
                "context_issue": ("issues", self.issues),
                "scope_exclusion": ("scope", self.exclusions)}
        if entity not in tabs:
            return False
        if self._stale and self.workspace is not None:
            self._refresh_now()
        key, tab = tabs[entity]
        self.tabs.setCurrentIndex(TABS.index(key))
        if not tab.select_ids([rid]):
            return False
        tab.table.setFocus()
        return True

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(key))

    def set_filters(self, **values: Any) -> None:
        """``tab`` ("policy", "scope", "climate", "parties", "issues") shows that tab (on
        Scope with the cursor in the scope box); the issues' filters (``kind``,
        ``category``, ``text``) filter the issues and show them (the default tab)."""
        tab = values.pop("tab", None)
        if tab not in TABS:
            tab = "issues"
        if self._stale and self.workspace is not None:
            self._refresh_now()
        self.show_tab(tab)
        if values:
            self.issues.filters.apply(**values)
        if tab == "scope":
            self.scope.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scope.moveCursor(QTextCursor.MoveOperation.End)

    def clear_filters(self) -> None:
        for tab in (self.parties, self.issues, self.exclusions):
            tab.filters.clear()

    # ------------------------------------------------------------------ commands
    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:  # read-only or closed: say so, change nothing
            self.controller.errorOccurred.emit(e)
            return False
        return True

    def set_climate(self, relevant: bool | None) -> bool:
        if not self._writable():
            self.climate_buttons[self._climate].setChecked(True)
            return False
        self.note_binding.flush()
        ok = self.controller.edit(tr("Set climate change relevance"),
                                  lambda ws: cx.set_climate(ws, relevant)) is not None
        if not ok:
            self.climate_buttons[self._climate].setChecked(True)
        self._update()
        return ok

    def add_exclusion(self, clause: str | None = None, justification: str | None = None
                      ) -> int | None:
        if not self._writable():
            return None
        if clause is None:
            dialog = ExclusionDialog(self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            clause, justification = dialog.clause.value(), dialog.justification.toPlainText()
        xid = self.controller.edit(tr("Exclude clause {clause}").format(clause=clause),
                                   lambda ws: cx.add_exclusion(ws, clause, justification or ""))
        if xid:
            self.exclusions.select_ids([xid])
        return xid

    def add_party(self) -> int | None:
        if not self._writable():
            return None
        name = tr("New interested party")
        pid = self.controller.edit(tr("Add interested party"),
                                   lambda ws: cx.add_party(ws, {"name": name}))
        if pid:
            self.parties.select_ids([pid])
            self.parties.table.edit(self.parties.table.currentIndex())
        return pid

    def add_issue(self, kind: str | None = None) -> int | None:
        if not self._writable():
            return None
        kind = kind or self.issues.proxy.kind or "external"
        values = {"kind": kind, "text": tr("New issue")}
        if self.issues.proxy.category:
            values["category"] = self.issues.proxy.category
        iid = self.controller.edit(tr("Add issue"), lambda ws: cx.add_issue(ws, values))
        if iid:
            self.issues.select_ids([iid], column=2)
            self.issues.table.edit(self.issues.table.currentIndex())
        return iid

    def delete_selected(self, which: str) -> bool:
        tab = {"parties": self.parties, "issues": self.issues,
               "exclusions": self.exclusions}[which]
        ids = tab.selected_ids()
        if not ids or not self._writable():
            return False
        fn, one, many = {
            "parties": (cx.delete_parties, tr("Delete interested party"),
                        tr("Delete {n} interested parties")),
            "issues": (cx.delete_issues, tr("Delete issue"), tr("Delete {n} issues")),
            "exclusions": (cx.delete_exclusions, tr("Delete exclusion"),
                           tr("Delete {n} exclusions"))}[which]
        label = one if len(ids) == 1 else many.format(n=len(ids))
        return self.controller.edit(label, lambda ws: fn(ws, ids)) is not None

    def move(self, which: str, step: int) -> bool:
        tab = self.parties if which == "parties" else self.issues
        ids = tab.selected_ids()
        if len(ids) != 1 or not self._writable():
            return False
        rid = ids[0]
        fn = cx.move_party if which == "parties" else cx.move_issue
        tab.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        tab.model.sort(-1)  # positions show only unsorted
        label = tr("Move up") if step < 0 else tr("Move down")
        ok = self.controller.edit(label, lambda ws: fn(ws, rid, step)) is not None
        tab.model.reload()  # neighbours changed places: the order is re-read
        tab.select_ids([rid])
        return ok

    def open_risk(self) -> bool:
        row = self.issues.current_row()
        if row is None or row.risk_id is None:
            return False
        self.openRecord.emit("risk", row.risk_id)
        return True

    def _issue_double_clicked(self, index) -> None:
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.open_risk()


__all__ = ["ContextPage", "ExclusionDialog", "TableTab"]
