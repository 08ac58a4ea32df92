"""One nonconformity's 8D, in tabs: D1–D2 problem, D3 containment, D4 root cause (5 Whys and
fishbone), D5–D6 actions, D7 prevention, D8 effectiveness and closure.

Text fields are bound with the kit's :class:`DetailPanel` (typing commits after a pause, one
undo step per visit); typed text and picks (status, source, owner, dates, verdict) alike go
through ``services.nonconformities.update_nonconformities`` so its rules hold (a closed
nonconformity is changed only by reopening it); causes and actions are one ``controller.edit``
line each. A closed nonconformity shows every field greyed out, its actions read-only. Beside
the status, "Move to: …" offers the step the data has reached (``core.capa.suggested_status``,
one undo step; never set on its own). The panel never calls back into its page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core import capa
from ..table import CHOICE, COMBO, DATE, TEXT, Column, DateEditor, DetailPanel, Item, RowModel, \
    TableDelegate, TextBox, ValueCombo, edit_triggers, format_date
from ..table import selection
from ..binding import FieldBinding
from ..commands import field_merge_key
from ..table.marks import Marks, due_text, late_tip
from .fishbone import FishboneView, category_label
from .model import severity_items, source_items, status_items, status_label, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: fields picked (not typed): committed through the service, one undo step each
PICKED = ("status", "source", "severity", "owner_id", "process_id", "detected_on", "due_date",
          "effective", "verified_on")


def field_undo_label(field: str) -> str:
    """The undo label of a change to one field of a nonconformity."""
    return {
        "title": tr("Rename nonconformity"), "status": tr("Change nonconformity status"),
        "source": tr("Change nonconformity source"),
        "severity": tr("Change nonconformity severity"),
        "owner_id": tr("Change nonconformity owner"),
        "process_id": tr("Change nonconformity process"),
        "detected_on": tr("Change nonconformity detection date"),
        "due_date": tr("Change nonconformity due date"),
        "effective": tr("Change nonconformity verdict"),
        "verified_on": tr("Change nonconformity verified on"),
        "verified_by": tr("Change nonconformity verified by"),
        "description": tr("Change nonconformity description"),
        "team": tr("Change nonconformity team"),
        "customer": tr("Change nonconformity customer"),
        "supplier": tr("Change nonconformity supplier"),
        "reported_by": tr("Change nonconformity reported by"),
        "containment": tr("Change nonconformity containment"),
        "correction": tr("Change nonconformity correction"),
        "root_cause": tr("Change nonconformity root cause"),
        "prevention": tr("Change nonconformity prevention"),
        "effectiveness_check": tr("Change nonconformity effectiveness check"),
    }.get(field, tr("Change nonconformity"))


class NcFieldBinding(FieldBinding):
    """Typing in a nonconformity's text field: committed through
    ``update_nonconformities`` (its rules: a closed one refuses) as one undo step per visit."""

    def flush(self) -> None:
        from ...services import nonconformities as N

        self._timer.stop()
        if self.rid is None or self.controller.workspace is None:
            return
        new = self.text()
        if new == self.committed:
            return
        old, rid, field = self.committed, self.rid, self.field
        self.committed = new
        ok = self.controller.edit(field_undo_label(field), lambda ws: N.update_nonconformities(
            ws, [rid], {field: new}), merge_key=field_merge_key(self.entity, rid, field))
        if ok is None:
            self.committed = old
            self.set_record(rid, old)


def effective_items() -> list[Item]:
    return [("—", None, tr("Not judged yet")), (tr("Effective"), True, ""),
            (tr("Not effective"), False, tr("Raise a new action"))]


# --------------------------------------------------------------------------- the 5 Whys


def grey_look(box: QWidget, on: bool) -> None:
    """Give a read-only text box the colours of a disabled field (the greyed line edits)
    while it stays enabled, so its text can still be selected, copied and scrolled."""
    if not on:
        box.setPalette(QPalette())   # nothing set: the inherited palette again
        return
    pal = QPalette(box.parentWidget().palette() if box.parentWidget() else box.palette())
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Text):
        disabled = pal.color(QPalette.ColorGroup.Disabled, role)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            pal.setColor(group, role, disabled)
    box.setPalette(pal)


def why_columns() -> tuple[Column, ...]:
    return (
        Column("position", tr("Why"), display=lambda c: str(c.position + 1),
               samples=lambda: ["10"]),
        Column("text", tr("Answer"), editor=TEXT, width=420,
               tooltip=tr("Each why answers the one before"),
               tip=lambda c: c.text or None),
        Column("is_root", tr("Root"), display=lambda c: tr("★ ROOT") if c.is_root else "",
               tooltip=tr("The root cause of the chain (Space marks the selected why)"),
               samples=lambda: [tr("★ ROOT")]),
    )


def action_columns(people: Callable[[], list[Item]]) -> tuple[Column, ...]:
    from ..actions.model import EFFECTIVE_ITEMS, effective_text, kind_items, status_items as st

    status = {v: label for label, v, _t in st()}
    kind = {v: label for label, v, _t in kind_items()}
    late = lambda r: r.overdue  # noqa: E731
    return (
        Column("ref", tr("ID")),
        Column("title", tr("Action"), editor=TEXT, width=260),
        Column("kind", tr("Kind"), editor=CHOICE, items=lambda r: kind_items(),
               display=lambda r: kind.get(r.kind, r.kind)),
        Column("owner_id", tr("Owner"), editor=COMBO, items=lambda r: people(),
               display=lambda r: r.owner, width=130),
        Column("due_date", tr("Due"), editor=DATE, display=due_text(late), tip=late_tip(late),
               colour=lambda r, pal: (None, pal.overdue if r.overdue else None),
               symbol=lambda r, pal: pal.overdue_icon if r.overdue else None, icon=True),
        Column("status", tr("Status"), editor=CHOICE, items=lambda r: st(),
               display=lambda r: status.get(r.status, r.status)),
        Column("effectiveness_check", tr("Effectiveness check"), editor=TEXT, width=200,
               tip=lambda r: r.effectiveness_check or None),
        Column("effective", tr("Effective?"), editor=CHOICE, items=lambda r: EFFECTIVE_ITEMS(),
               display=effective_text,
               editable=lambda r: r.status in ("done", "verified")),
    )


class NcDetail(DetailPanel):
    """The tabs of the shown nonconformity (``show_detail`` gives it the row, causes and
    actions); ``closeRequested`` / ``reopenRequested`` ask the page to change the status."""

    closeRequested = Signal()
    reopenRequested = Signal()

    def __init__(self, controller: "WorkspaceController", people: Callable[[], list[Item]],
                 processes: Callable[[], list[Item]], parent: QWidget | None = None):
        super().__init__(controller, "nonconformity", parent)
        self.people = people
        self.processes = processes
        self.detail = None
        self.tabs = QTabWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.banner = QLabel(self)
        self.banner.setObjectName("ncBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        head.addWidget(self.banner, 1)
        self.suggest_button = QPushButton(self)
        self.suggest_button.setObjectName("suggestStatusButton")
        self.suggest_button.clicked.connect(lambda: self.apply_suggestion())
        self.suggest_button.hide()
        head.addWidget(self.suggest_button)
        outer.addLayout(head)
        outer.addWidget(self.tabs, 1)
        self._problem_tab()
        self._containment_tab()
        self._root_tab()
        self._actions_tab()
        self._prevention_tab()
        self._closure_tab()

    # ------------------------------------------------------------------ building
    def bind(self, field: str, editor: QWidget) -> QWidget:
        if isinstance(editor, (QLineEdit, QPlainTextEdit)):
            self.editors[field] = editor
            self.bindings[field] = NcFieldBinding(self.controller, editor, self.entity, field)
            return editor
        return super().bind(field, editor)

    def _text(self, field: str, placeholder: str, lines: int = 0) -> TextBox:
        box = self.bind(field, TextBox(self, lines))
        box.setPlaceholderText(placeholder)
        return box

    def _line(self, field: str, placeholder: str = "") -> QLineEdit:
        edit = self.bind(field, QLineEdit(self))
        edit.setPlaceholderText(placeholder)
        return edit

    def _problem_tab(self) -> None:
        page = QWidget(self)
        grid = QGridLayout(page)
        form = QFormLayout()
        self.title = self._line("title", tr("A short title"))
        form.addRow(tr("&Title"), self.title)
        self.source = self.bind("source", ValueCombo(source_items(), self))
        form.addRow(tr("&Source"), self.source)
        self.customer = self._line("customer", tr("The customer who complained"))
        form.addRow(tr("Customer"), self.customer)
        self.supplier = self._line("supplier", tr("The supplier concerned"))
        form.addRow(tr("Supplier"), self.supplier)
        self.finding = QLabel(self)
        form.addRow(tr("Audit finding"), self.finding)
        self.reported_by = self._line("reported_by", tr("Who found or reported it"))
        form.addRow(tr("Reported by"), self.reported_by)
        self.severity = self.bind("severity", ValueCombo(severity_items(), self))
        form.addRow(tr("Se&verity"), self.severity)
        self.process = self.bind("process_id", ValueCombo([("—", None, "")], self,
                                                          searchable=True))
        form.addRow(tr("&Process"), self.process)
        self.owner = self.bind("owner_id", ValueCombo([("—", None, "")], self,
                                                      searchable=True))
        form.addRow(tr("&Owner"), self.owner)
        dates = QHBoxLayout()
        self.detected_on = self.bind("detected_on", DateEditor(self))
        self.due_date = self.bind("due_date", DateEditor(self))
        dates.addWidget(self.detected_on)
        dates.addWidget(QLabel(tr("due"), self))
        dates.addWidget(self.due_date)
        form.addRow(tr("Detected"), dates)
        self.status = self.bind("status", ValueCombo(status_items(), self))
        form.addRow(tr("Stat&us"), self.status)
        grid.addLayout(form, 0, 0, 2, 1)
        d2 = QGroupBox(tr("D2 Problem description"), page)
        QVBoxLayout(d2).addWidget(self._text("description", tr(
            "What is wrong, where, when and how much: the facts")))
        d1 = QGroupBox(tr("D1 Team (one name per line)"), page)
        QVBoxLayout(d1).addWidget(self._text("team", tr("Lead, members and their roles")))
        grid.addWidget(d2, 0, 1)
        grid.addWidget(d1, 1, 1)
        grid.setColumnStretch(1, 1)
        self.tabs.addTab(page, tr("D1–D2 Problem"))

    def _containment_tab(self) -> None:
        page = QWidget(self)
        row = QHBoxLayout(page)
        for field, title, hint in (
                ("containment", tr("Containment"),
                 tr("What protects the customer until the cause is removed")),
                ("correction", tr("Correction"),
                 tr("What was done about the nonconforming output itself"))):
            box = QGroupBox(title, page)
            QVBoxLayout(box).addWidget(self._text(field, hint))
            row.addWidget(box)
        self.tabs.addTab(page, tr("D3 Containment"))

    def _root_tab(self) -> None:
        page = QWidget(self)
        split = QSplitter(Qt.Orientation.Horizontal, page)
        left = QWidget(split)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel(tr("Root cause (as concluded)"), left))
        self.root_cause = self._text("root_cause", tr(
            "The root cause in words; or mark a why or a fishbone cause as the root"), 3)
        lv.addWidget(self.root_cause)
        whys_label = QLabel(tr("5 Whys — each why answers the one before; the last why or the "
                               "one marked is the root"), left)
        whys_label.setWordWrap(True)
        lv.addWidget(whys_label)
        self.why_model = RowModel(why_columns(), kind="nc_cause", commit=self._commit_why,
                                  order=lambda c: c.position, parent=self)
        self.whys = QTableView(left)
        self.whys.setObjectName("whysTable")
        self.whys.setModel(self.why_model)
        self.whys.setItemDelegate(TableDelegate(self.whys))
        self.whys.setEditTriggers(edit_triggers())
        self.whys.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.whys.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.whys.verticalHeader().hide()
        header = self.whys.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.whys.setWordWrap(True)
        # room for five whys (the method's name) without scrolling; the root is scrolled to
        rows = self.whys.verticalHeader().defaultSectionSize()
        self.whys.setMinimumHeight(header.sizeHint().height() + 5 * rows + 4)
        lv.addWidget(self.whys, 1)
        buttons = QHBoxLayout()
        self.add_why_button = QPushButton(tr("Add &why"), left)
        self.add_why_button.clicked.connect(lambda: self.add_why())
        self.root_why_button = QPushButton(tr("Mark &root"), left)
        self.root_why_button.clicked.connect(lambda: self.toggle_root(self._current_why()))
        self.up_button = QPushButton("▲", left)
        self.up_button.setToolTip(tr("Move the why up"))
        self.up_button.setAccessibleName(tr("Up"))
        self.up_button.clicked.connect(lambda: self.move_why(-1))
        self.down_button = QPushButton("▼", left)
        self.down_button.setToolTip(tr("Move the why down"))
        self.down_button.setAccessibleName(tr("Down"))
        self.down_button.clicked.connect(lambda: self.move_why(1))
        for b in (self.up_button, self.down_button):
            b.setMaximumWidth(b.fontMetrics().horizontalAdvance("▲") + 24)
        self.del_why_button = QPushButton(tr("Delete"), left)
        self.del_why_button.setToolTip(tr("Delete the selected why"))
        self.del_why_button.clicked.connect(lambda: self.delete_cause(self._current_why()))
        for b in (self.add_why_button, self.root_why_button, self.up_button, self.down_button,
                  self.del_why_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lv.addLayout(buttons)
        self.why_note = QLabel(left)
        self.why_note.setWordWrap(True)
        lv.addWidget(self.why_note)
        right = QWidget(split)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel(tr("Fishbone (6M) — click a bone to add a cause"), right), 1)
        self.bone_pick = ValueCombo([(category_label(c), c, "") for c in capa.CATEGORIES],
                                    right)
        self.add_cause_button = QPushButton(tr("Add &cause"), right)
        self.add_cause_button.setToolTip(tr("Add a cause on the chosen bone"))
        self.add_cause_button.clicked.connect(lambda: self.add_cause(self.bone_pick.value()))
        self.fit_button = QPushButton(tr("Fit"), right)
        self.fit_button.setObjectName("fishboneFit")
        self.fit_button.setToolTip(tr("Fit the whole diagram in view (Ctrl+0: 100 %; "
                                      "Ctrl+wheel zooms)"))
        head.addWidget(self.bone_pick)
        head.addWidget(self.add_cause_button)
        head.addWidget(self.fit_button)
        rv.addLayout(head)
        self.fishbone = FishboneView(right)
        self.fit_button.clicked.connect(self.fishbone.fit)
        actual = QShortcut(QKeySequence("Ctrl+0"), page, self.fishbone.actual_size)
        actual.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.fishbone.boneClicked.connect(lambda cat: self.add_cause(cat))
        self.fishbone.causeActivated.connect(self.edit_cause)
        self.fishbone.rootToggled.connect(self.toggle_root)
        self.fishbone.deleteRequested.connect(self.delete_cause)
        rv.addWidget(self.fishbone, 1)
        split.addWidget(left)
        split.addWidget(right)
        # the diagram gets the larger share: at 1280 × 800 the whole fishbone fits at a
        # readable size (MIN_SCALE) beside the 5 Whys
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 7)
        split.setSizes([345, 755])
        split.setChildrenCollapsible(False)
        self.root_split = split
        QVBoxLayout(page).addWidget(split)
        self.root_tab = self.tabs.addTab(page, tr("D4 Root cause"))

    def _actions_tab(self) -> None:
        page = QWidget(self)
        v = QVBoxLayout(page)
        v.addWidget(QLabel(tr("Corrective actions (D5 chosen, D6 implemented) — they are in the "
                              "workspace-wide action list too"), page))
        self.action_model = RowModel(action_columns(self.people), kind="action",
                                     commit=self._commit_action, palette=Marks, order=None,
                                     parent=self)
        self.actions = QTableView(page)
        self.actions.setObjectName("ncActionsTable")
        self.actions.setModel(self.action_model)
        self.actions.setItemDelegate(TableDelegate(self.actions))
        self.actions.setEditTriggers(edit_triggers())
        self.actions.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actions.verticalHeader().hide()
        self.actions.setWordWrap(False)
        header = self.actions.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for key in ("title", "effectiveness_check"):
            header.setSectionResizeMode(self.action_model.column_of[key],
                                        QHeaderView.ResizeMode.Stretch)
        v.addWidget(self.actions, 1)
        row = QHBoxLayout()
        self.add_action_button = QPushButton(tr("Add corrective &action"), page)
        self.add_action_button.clicked.connect(lambda: self.add_action())
        self.del_action_button = QPushButton(tr("Delete action"), page)
        self.del_action_button.clicked.connect(lambda: self.delete_actions())
        row.addWidget(self.add_action_button)
        row.addWidget(self.del_action_button)
        row.addStretch(1)
        v.addLayout(row)
        self.actions_tab = self.tabs.addTab(page, tr("D5–D6 Actions"))

    def _prevention_tab(self) -> None:
        page = QWidget(self)
        v = QVBoxLayout(page)
        v.addWidget(QLabel(tr("What keeps it from happening elsewhere: similar products, "
                              "processes, procedures"), page))
        v.addWidget(self._text("prevention", tr("Systemic prevention")))
        self.tabs.addTab(page, tr("D7 Prevention"))

    def _closure_tab(self) -> None:
        page = QWidget(self)
        grid = QGridLayout(page)
        box = QGroupBox(tr("Effectiveness check (ISO 9001 10.2.1 d)"), page)
        bv = QVBoxLayout(box)
        self.effectiveness_check = self._text("effectiveness_check", tr(
            "How the effect of the actions was checked: data, period, result"))
        bv.addWidget(self.effectiveness_check)
        form = QFormLayout()
        self.effective = self.bind("effective", ValueCombo(effective_items(), self))
        form.addRow(tr("&Verdict"), self.effective)
        self.verified_by = self._line("verified_by", tr("Who checked it"))
        form.addRow(tr("Verified by"), self.verified_by)
        self.verified_on = self.bind("verified_on", DateEditor(self))
        form.addRow(tr("Verified on"), self.verified_on)
        bv.addLayout(form)
        grid.addWidget(box, 0, 0)
        right = QGroupBox(tr("Closure"), page)
        rv = QVBoxLayout(right)
        self.problems = QLabel(right)
        self.problems.setObjectName("closureProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setAlignment(Qt.AlignmentFlag.AlignTop)
        rv.addWidget(self.problems, 1)
        self.raise_button = QPushButton(tr("Raise a new action"), right)
        self.raise_button.setToolTip(tr("The actions were not effective: add a new corrective "
                                        "action"))
        self.raise_button.clicked.connect(lambda: self.add_action())
        self.close_button = QPushButton(tr("C&lose nonconformity"), right)
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.closeRequested)
        self.reopen_button = QPushButton(tr("Reopen"), right)
        self.reopen_button.clicked.connect(self.reopenRequested)
        for b in (self.raise_button, self.close_button, self.reopen_button):
            rv.addWidget(b)
        grid.addWidget(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.closure_tab = self.tabs.addTab(page, tr("D8 Effectiveness && closure"))

    # ------------------------------------------------------------------ showing
    def set_pickers(self) -> None:
        self.owner.set_items(self.people())
        self.process.set_items(self.processes())

    def show_detail(self, detail) -> None:
        """Show ``detail`` (``services.nonconformities.NcDetail``; None: nothing)."""
        self.detail = detail
        self.show_row(detail.row if detail is not None else None)

    def commit_value(self, field: str, value: Any) -> bool:
        from ...services import nonconformities as N

        rid = self.row.id
        ok = self.controller.edit(field_undo_label(field), lambda ws: N.update_nonconformities(
            ws, [rid], {field: value})) is not None
        if ok:
            self.controller.flush_undo_merges()
        return ok

    def suggestion(self) -> str | None:
        """The status the data has reached, offered beside the status (None: none)."""
        row = self.row
        if row is None or getattr(self, "_read_only", False) or self.controller.read_only:
            return None
        return row.suggested_status

    def apply_suggestion(self) -> bool:
        """Move the status to the suggested step: one undo step."""
        from ...services import nonconformities as N

        step = self.suggestion()
        if step is None:
            return False
        rid = self.row.id
        return self.controller.edit(tr("Change nonconformity status"), lambda ws:
                                    N.update_nonconformities(ws, [rid], {"status": step})
                                    ) is not None

    def fill(self, row: Any) -> None:
        d = self.detail
        self.setEnabled(row is not None)
        if row is None or d is None:
            self.banner.setText(tr("Select a nonconformity to see its 8D."))
            for editor in self.editors.values():   # empty, not the first choice of each list
                if isinstance(editor, ValueCombo):
                    editor.setCurrentIndex(-1)
            self.finding.setText("")
            self.why_note.setText("")
            self.suggest_button.hide()
            self.why_model.set_rows([])
            self.action_model.set_rows([])
            self.fishbone.set_data("", {})
            self.problems.setText("")
            self._buttons()
            return
        self.finding.setText(row.finding_ref or "—")
        state = f"{row.ref} · {capa.STATUS_SYMBOLS.get(row.status, '')} " + \
            status_label(row.status)
        if row.closed:
            state += " · " + tr("closed on {date}: reopen it to change it").format(
                date=format_date(row.closed_on))
        elif row.step_problems:
            state += " · " + tr("still needed for this step: ") + " ".join(
                tr(p) for p in row.step_problems)
        self.banner.setText(state)
        self.why_model.set_rows(d.whys)
        if d.whys:   # the root (else the last why) in sight
            k = capa.whys_root([c.state() for c in d.whys])
            self.whys.scrollTo(self.why_model.index(len(d.whys) - 1 if k is None else k, 0))
        self.action_model.set_rows(d.actions)
        self.fishbone.set_data(row.title or row.ref, {c: d.bone(c) for c in capa.CATEGORIES})
        whys = [c.state() for c in d.whys]
        notes = [tr(p) for p in capa.why_problems(whys)]
        k = capa.whys_root(whys)
        if k is not None and not any(c.is_root for c in d.whys):
            notes.append(tr("No why is marked: the last one, why {n}, is taken as the root.")
                         .format(n=k + 1))
        self.why_note.setText(" ".join(notes))
        if row.closed:
            self.problems.setText(tr("Closed on {date}. The corrective actions were found "
                                     "effective.").format(date=format_date(row.closed_on)))
        elif row.closure_problems:
            self.problems.setText(tr("Before it can close, all of:") + "\n" + "\n".join(
                f"• {tr(p)}" for p in row.closure_problems))
        else:
            self.problems.setText(tr("✓ Ready to close: every requirement of ISO 9001 10.2 is "
                                     "met."))
        self._buttons()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        closed = self.row is not None and self.row.closed
        super().set_read_only(read_only or closed)
        for editor in self.editors.values():   # one look: greyed like the picks
            if isinstance(editor, QLineEdit):
                editor.setEnabled(not (read_only or closed))
            elif isinstance(editor, TextBox):   # read-only (its text stays selectable and
                grey_look(editor, read_only or closed)   # scrolls) but greyed the same
        self.status.setEnabled(not read_only)  # reopening stays possible
        self.why_model.read_only = read_only or closed
        self.action_model.read_only = read_only or closed
        self.fishbone.read_only = read_only or closed
        self._buttons()

    def _buttons(self) -> None:
        row = self.row
        ro = getattr(self, "_read_only", False) or self.controller.read_only
        live = row is not None and not ro
        open_ = live and not row.closed
        self.close_button.setEnabled(open_ and not row.closure_problems)
        self.reopen_button.setEnabled(live and row.closed)
        self.raise_button.setVisible(row is not None and row.effective is False)
        self.raise_button.setEnabled(open_)
        for b in (self.add_why_button, self.root_why_button, self.up_button, self.down_button,
                  self.del_why_button, self.add_cause_button):
            b.setEnabled(open_)
        self.add_why_button.setEnabled(
            open_ and self.detail is not None and capa.can_add_why(self.detail.whys))
        self.add_action_button.setEnabled(open_)
        self.del_action_button.setEnabled(open_)
        closed_tip = tr("{ref} is closed: reopen it to add an action.").format(
            ref=row.ref) if row is not None and row.closed else ""
        self.add_action_button.setToolTip(closed_tip)
        step = self.suggestion()
        self.suggest_button.setVisible(step is not None)
        if step is not None:
            self.suggest_button.setText(tr("Move to: {status}").format(
                status=status_label(step)))
            self.suggest_button.setToolTip(tr("The data of this step is there: set the status "
                                              "to {status} (one undo step)").format(
                status=status_label(step)))

    # ------------------------------------------------------------------ causes
    def _nc_id(self) -> int | None:
        return self.row.id if self.row is not None else None

    def _current_why(self) -> int | None:
        row = selection.current_row(self.whys, self.why_model)
        return row.id if row is not None else None

    def add_why(self, text: str = "") -> int | None:
        from ...services import nonconformities as N

        nid = self._nc_id()
        if nid is None:
            return None
        cid = self.controller.edit(tr("Add why"), lambda ws: N.add_cause(ws, nid, "why", text))
        if cid is not None and cid is not True:
            self._edit_why(cid)
        return cid if cid is not True else None

    def _edit_why(self, cid: int) -> None:
        row = self.why_model.row_of(cid)
        if row is None:
            return
        index = self.why_model.index(row, 1)
        self.whys.setCurrentIndex(index)
        if not text_of(self.why_model, row):
            self.whys.edit(index)

    def _commit_why(self, row, column: Column, value: Any) -> bool:
        from ...services import nonconformities as N

        return self.controller.edit(tr("Change why"), lambda ws: N.update_cause(
            ws, row.id, {column.key: value})) is not None

    def move_why(self, step: int) -> bool:
        from ...services import nonconformities as N

        cid = self._current_why()
        if cid is None:
            return False
        row = self.why_model.get(cid)
        ok = self.controller.edit(tr("Move why"), lambda ws: N.move_cause(
            ws, cid, row.position + step)) is not None
        if ok and self.why_model.row_of(cid) is not None:
            self.whys.setCurrentIndex(self.why_model.index(self.why_model.row_of(cid), 1))
        return ok

    def add_cause(self, category: str | None, text: str | None = None) -> int | None:
        """A cause on the bone ``category`` (asks for its text unless given)."""
        from ...services import nonconformities as N

        nid = self._nc_id()
        if nid is None or not category:
            return None
        if text is None:
            text, ok = QInputDialog.getText(
                self, tr("Add cause"), tr("Cause on the {bone} bone:").format(
                    bone=category_label(category)))
            if not ok or not text.strip():
                return None
        cid = self.controller.edit(tr("Add cause"), lambda ws: N.add_cause(
            ws, nid, "fishbone", text.strip(), category=category))
        return cid if cid not in (None, True) else None

    def edit_cause(self, cid: int, text: str | None = None) -> bool:
        from ...services import nonconformities as N

        cause = next((c for c in (self.detail.causes if self.detail else []) if c.id == cid),
                     None)
        if cause is None:
            return False
        if text is None:
            text, ok = QInputDialog.getText(self, tr("Edit cause"), tr("Cause:"),
                                            text=cause.text)
            if not ok:
                return False
        return self.controller.edit(tr("Change cause"), lambda ws: N.update_cause(
            ws, cid, {"text": text})) is not None

    def toggle_root(self, cid: int | None) -> bool:
        from ...services import nonconformities as N

        cause = next((c for c in (self.detail.causes if self.detail else []) if c.id == cid),
                     None)
        if cause is None:
            return False
        label = tr("Unmark root cause") if cause.is_root else tr("Mark root cause")
        return self.controller.edit(label, lambda ws: N.set_root(
            ws, cid, not cause.is_root)) is not None

    def delete_cause(self, cid: int | None) -> bool:
        from ...services import nonconformities as N

        if cid is None:
            return False
        return self.controller.edit(tr("Delete cause"), lambda ws: N.delete_causes(
            ws, [cid])) is not None

    # ------------------------------------------------------------------ actions
    def add_action(self, title: str | None = None) -> int | None:
        from ...services import actions

        nid = self._nc_id()
        if nid is None:
            return None
        values = {"title": title or tr("New corrective action")}
        if self.row.owner_id is not None:
            values["owner_id"] = self.row.owner_id
        aid = self.controller.edit(tr("Add corrective action"), lambda ws: actions.add_action(
            ws, "nonconformity", nid, values))
        if aid in (None, True):
            return None
        self.tabs.setCurrentIndex(self.actions_tab)
        pos = self.action_model.row_of(aid)
        if pos is not None:
            index = self.action_model.index(pos, 1)
            self.actions.setCurrentIndex(index)
            if title is None:
                self.actions.edit(index)
        return aid

    def _commit_action(self, row, column: Column, value: Any) -> bool:
        from ...services import actions

        return self.controller.edit(tr("Change action"), lambda ws: actions.update_actions(
            ws, [row.id], {column.key: value})) is not None

    def delete_actions(self) -> bool:
        from ...services import actions

        ids = selection.selected_ids(self.actions)
        if not ids:
            return False
        return self.controller.edit(tr("Delete action"), lambda ws: actions.delete_actions(
            ws, ids)) is not None


def text_of(model: RowModel, pos: int) -> str:
    return model.row_at(pos).text


__all__ = ["NcDetail", "PICKED"]
