"""The yearly internal-audit programme: a row per process, the months as columns, each audit
marked done / planned / overdue by colour *and* a symbol and word (✓ done, ○ planned,
⚠ overdue) by one rule with the dashboard (``services.checklists.audit_state``: a completed
run is done; a late report or follow-up shows as "✓⚠" and is named); the ISO 19011 steps of the selected audit (plan, opening meeting, evidence, closing
meeting, report, follow-up) with their planned and done dates, each date one undo step
(``services.checklists.set_step``); "Plan an audit…" starts an internal-audit run with a planned
day (``start_run``), from a process's checklist or one generated from its map.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core import checklists as rules
from ...core.palette import TRAINING_COLOURS
from ..table import CENTER, DATE, TEXT, Column, DateEditor, IdRole, Item, RowModel, \
    TableDelegate, ValueCombo, edit_triggers, format_date
from ..table.marks import dark_window

if TYPE_CHECKING:  # pragma: no cover
    from ...services.checklists import ProgrammeEntry
    from ...storage.changes import Change
    from ..controller import WorkspaceController

_TOUCHES = ("checklist_run", "audit_step", "process", "checklist_template")

#: a symbol per state, so the programme reads without colour
SYMBOLS = rules.PROGRAMME_SYMBOLS
#: (fill, text) per state: the training palette's green, blue and orange (contrast-checked)
_COLOUR_OF = {"done": "current", "planned": "due", "overdue": "retrain"}
_RANK = {"overdue": 0, "planned": 1, "done": 2, "unplanned": 3}


def tr(text: str) -> str:
    return QCoreApplication.translate("checklists", text)


def state_label(state: str) -> str:
    return {"done": tr("Done"), "planned": tr("Planned"), "overdue": tr("Overdue"),
            "unplanned": tr("Not planned")}.get(state, state)


def state_text(state: str) -> str:
    """A state as the programme writes it: its symbol and its word ("⚠ Overdue")."""
    return f"{SYMBOLS.get(state, '')} {state_label(state)}".strip()


def step_label(step: str) -> str:
    return {"plan": tr("Audit plan"), "opening_meeting": tr("Opening meeting"),
            "evidence": tr("Collecting evidence"), "closing_meeting": tr("Closing meeting"),
            "report": tr("Audit report"), "follow_up": tr("Follow-up")}.get(step, step)


class StateBrushes:
    """(background, text) brushes of the programme states for the current palette."""

    def __init__(self, dark: bool | None = None):
        dark = dark_window() if dark is None else dark
        self.pairs = {state: (QBrush(QColor(TRAINING_COLOURS[dark][key][0])),
                              QBrush(QColor(TRAINING_COLOURS[dark][key][1])))
                      for state, key in _COLOUR_OF.items()}

    def of(self, state: str | None) -> tuple[Any, Any]:
        return self.pairs.get(state or "", (None, None))


@dataclass(slots=True)
class ProgrammeLine:
    """A process's row of the programme (``id``: the process's id, 0 for audits of none)."""

    id: int
    process_id: int | None
    process: str
    audits: list = field(default_factory=list)
    state: str = "unplanned"

    def in_month(self, month: int) -> list["ProgrammeEntry"]:
        return [a for a in self.audits if _month_of(a) == month]

    def worst(self, month: int) -> str | None:
        got = self.in_month(month)
        return min((a.state for a in got), key=_RANK.__getitem__) if got else None


def _month_of(a: "ProgrammeEntry") -> int | None:
    day = a.planned_on or a.completed_on
    return day.month if day is not None else None


def late_text(a: "ProgrammeEntry") -> str:
    """What makes an audit overdue through its steps ("⚠ IA26-03 — Audit report overdue");
    empty when no step is late."""
    if not a.late_steps:
        return ""
    return f"{SYMBOLS['overdue']} {a.code} — {late_steps_text(a)}"


def late_steps_text(a: "ProgrammeEntry") -> str:
    """The late steps of an audit in words ("Audit report overdue"); empty when none."""
    if not a.late_steps:
        return ""
    return tr("{steps} overdue").format(steps=", ".join(step_label(st) for st in a.late_steps))


def entry_text(a: "ProgrammeEntry") -> str:
    """An audit in its month's cell: its state's symbol and its code, "⚠" after the symbol
    when a later step of it is late ("✓⚠ IA26-03": done, its report overdue)."""
    late = SYMBOLS["overdue"] if a.late_steps and a.state != "overdue" else ""
    return f"{SYMBOLS[a.state]}{late} {a.code}"


def late_note(audits: "list[ProgrammeEntry]") -> str:
    """How many of ``audits`` have a late step ("1 with its audit report overdue"); empty
    when none."""
    late = [a for a in audits if a.late_steps]
    if not late:
        return ""
    steps = {st for a in late for st in a.late_steps}
    if len(steps) == 1:
        return tr("{n} with its {step} overdue").format(
            n=len(late), step=step_label(next(iter(steps))).lower())
    return tr("{n} with a step overdue").format(n=len(late))


def _entry_tip(a: "ProgrammeEntry") -> str:
    lines = [f"{a.code} {a.title}".strip(), state_text(a.state)]
    if a.late_steps:
        lines.append(late_text(a))
    if a.planned_on:
        lines.append(tr("Planned for {date}").format(date=format_date(a.planned_on)))
    if a.completed_on:
        lines.append(tr("Completed on {date}").format(date=format_date(a.completed_on)))
    return "\n".join(lines)


def month_name(month: int) -> str:
    return QLocale().standaloneMonthName(month, QLocale.FormatType.ShortFormat)


def programme_columns() -> tuple[Column, ...]:
    def month(k: int) -> Column:
        def display(r: ProgrammeLine) -> str:
            return "  ".join(entry_text(a) for a in r.in_month(k))

        def spoken(r: ProgrammeLine) -> str:
            return "; ".join(late_text(a) or f"{a.code} {state_label(a.state)}"
                             for a in r.in_month(k))

        return Column(f"m{k}", month_name(k), display=display, spoken=spoken, align=CENTER,
                      sort=lambda r: _RANK.get(r.worst(k) or "", None),
                      value=lambda r: r.worst(k),
                      tip=lambda r: "\n\n".join(_entry_tip(a) for a in r.in_month(k)) or None,
                      colour=lambda r, pal: pal.of(r.worst(k)),
                      samples=lambda: ["✓⚠ IA26-00"])

    def counts(r: ProgrammeLine) -> str:
        if not r.audits:
            return state_text("unplanned")
        parts = []
        for s in ("overdue", "planned", "done"):
            got = [a for a in r.audits if a.state == s]
            if got:
                note = late_note(got) if s != "overdue" else ""
                parts.append(f"{SYMBOLS[s]} {len(got)} {state_label(s).lower()}"
                             + (f" ({note})" if note else ""))
        return " · ".join(parts)

    return (
        Column("process", tr("Process"), width=200, searchable=True,
               display=lambda r: r.process or tr("(no process)"),
               tip=lambda r: r.process or None),
        *(month(k) for k in range(1, 13)),
        Column("state", tr("Year"), display=counts, sort=lambda r: _RANK[r.state], tip=counts,
               colour=lambda r, pal: pal.of(r.state),
               tooltip=tr("The process's audits this year: overdue, planned, done (a "
                          "completed audit is done; a late report or follow-up is named)"),
               samples=lambda: ["⚠ 1 overdue · ○ 1 planned · ✓ 1 done"]),
    )


@dataclass(slots=True)
class StepLine:
    """One ISO 19011 step of the selected audit (``id``: its place in the order)."""

    id: int
    step: str
    planned_on: dt.date | None
    done_on: dt.date | None
    notes: str
    late: bool = False

    @property
    def state(self) -> str:
        if self.done_on is not None:
            return "done"
        if self.planned_on is None:
            return "unplanned"
        return "overdue" if self.late else "planned"


def step_columns() -> tuple[Column, ...]:
    return (
        Column("step", tr("Step (ISO 19011)"), display=lambda r: f"{r.id + 1}. "
               f"{step_label(r.step)}", width=190),
        Column("planned_on", tr("Planned"), editor=DATE, width=110),
        Column("done_on", tr("Done"), editor=DATE, width=110),
        Column("state", tr("State"), display=lambda r: state_text(r.state),
               colour=lambda r, pal: pal.of(r.state), width=110),
        Column("notes", tr("Notes"), editor=TEXT, width=260),
    )


class ProgrammeView(QWidget):
    """The audit programme of one year (see the module docstring)."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.controller = controller
        self.today = today
        self._run_id: int | None = None

        self.year = QSpinBox(self)
        self.year.setRange(1990, 2200)
        self.year.setValue(today().year)
        self.year.setAccelerated(True)
        self.year.setToolTip(tr("The year of the programme"))
        self.year.valueChanged.connect(lambda _y: self.refresh())
        year_label = QLabel(tr("&Year:"), self)
        year_label.setBuddy(self.year)
        self.plan_button = QPushButton(tr("&Plan an audit…"), self)
        self.plan_button.setToolTip(tr("An internal audit of a process on a planned day"))
        self.plan_button.clicked.connect(lambda _c=False: self.open_plan_dialog())
        self.legend = QLabel(" · ".join(state_text(s) for s in ("done", "planned", "overdue")),
                             self)
        self.legend.setToolTip(tr("Done: its run is completed. Planned: its day is still "
                                  "ahead. Overdue: its day has passed and it is not completed. "
                                  "⚠ after ✓ or ○ (“✓⚠”): a step of it (report, follow-up…) "
                                  "was planned for a day that has passed and is not done."))
        self.summary = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(year_label)
        top.addWidget(self.year)
        top.addWidget(self.plan_button)
        top.addSpacing(16)
        top.addWidget(self.legend)
        top.addStretch(1)
        top.addWidget(self.summary)

        self.model = RowModel(programme_columns(), kind="process", load=self._load,
                              palette=StateBrushes, order=None, parent=self)
        self.table = QTableView(self)
        self.table.setObjectName("auditProgrammeTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # a process's name wraps onto a second line when the months leave it little room
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(
            self.table.verticalHeader().ResizeMode.ResizeToContents)
        fm = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        # the process names take the room left; a month is as wide as its audits' codes (an
        # empty month its name only), the year its counts' width
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(fm.horizontalAdvance("Mmm") + 12)
        for i, c in enumerate(self.model.columns):
            if c.key.startswith("m") or c.key == "state":
                header.setSectionResizeMode(i, header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._cell_moved())

        # -- the selected audit and its steps
        self.audit_pick = ValueCombo([], self)
        self.audit_pick.setToolTip(tr("The audits of the selected process this year"))
        self.audit_pick.currentIndexChanged.connect(lambda _i: self._audit_picked())
        pick_label = QLabel(tr("&Audit:"), self)
        pick_label.setBuddy(self.audit_pick)
        self.audit_info = QLabel(self)
        self.audit_info.setWordWrap(True)
        self.steps = RowModel(step_columns(), kind="audit_step", load=self._load_steps,
                              commit=self._commit_step, palette=StateBrushes, order=None,
                              parent=self)
        self.steps_table = QTableView(self)
        self.steps_table.setObjectName("auditStepsTable")
        self.steps_table.setModel(self.steps)
        self.steps_table.setItemDelegate(TableDelegate(self.steps_table))
        self.steps_table.setEditTriggers(edit_triggers())
        self.steps_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.steps_table.verticalHeader().hide()
        self.steps_table.horizontalHeader().setStretchLastSection(True)
        for i, c in enumerate(self.steps.columns):
            self.steps_table.setColumnWidth(i, max(c.width, fm.horizontalAdvance(c.title) + 24))
        pick_row = QHBoxLayout()
        pick_row.addWidget(pick_label)
        pick_row.addWidget(self.audit_pick, 1)
        lower = QWidget(self)
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(pick_row)
        ll.addWidget(self.audit_info)
        ll.addWidget(self.steps_table, 1)

        self.status = QLabel(self)
        self.status.setObjectName("programmeStatus")
        self.status.setWordWrap(True)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        controller.changed.connect(self._on_changed)
        controller.closed.connect(self._clear)
        self._show_audit()

    @property
    def workspace(self):
        return self.controller.workspace

    # ------------------------------------------------------------------ loading
    def _load(self, ids=None) -> list[ProgrammeLine]:
        from ...services import checklists

        ws = self.workspace
        if ws is None:
            return []
        out = []
        for k, r in enumerate(checklists.programme(ws, self.year.value(), today=self.today())):
            rid = r.process_id if r.process_id is not None else 0
            name = r.process or (tr("(no process)") if r.process_id is None else
                                 tr("Sub-process {id}").format(id=r.process_id))
            out.append(ProgrammeLine(rid, r.process_id, name, list(r.audits), r.state))
        return out

    def _load_steps(self, ids=None) -> list[StepLine]:
        from ...services import checklists

        ws = self.workspace
        if ws is None or self._run_id is None:
            return []
        today = self.today()
        return [StepLine(k, s.step, s.planned_on, s.done_on, s.notes,
                         s.done_on is None and s.planned_on is not None and s.planned_on < today)
                for k, s in enumerate(checklists.audit_steps(ws, self._run_id))]

    def refresh(self) -> None:
        """Re-read the programme of the chosen year and the selected audit's steps."""
        self.model.read_only = True
        self.model.reload()
        self._summarise()
        if not self.table.currentIndex().isValid():  # start on the first audit of the year
            first = next(((line, a) for line in self.model.rows for a in line.audits), None)
            if first is not None:
                self.select_cell(first[0].process_id, _month_of(first[1]))
                return
        self._cell_moved(keep=True)

    def _clear(self) -> None:
        self._run_id = None
        self.model.set_rows([])
        self.steps.set_rows([])
        self.audit_pick.set_items([])
        self.status.clear()
        self._summarise()
        self._show_audit()

    def _on_changed(self, change: "Change") -> None:
        if self.workspace is not None and change.touches(*_TOUCHES):
            self.refresh()

    def _summarise(self) -> None:
        audits = [a for r in self.model.rows for a in r.audits]
        part = {}
        for s in ("done", "planned", "overdue"):
            got = [a for a in audits if a.state == s]
            note = late_note(got) if s != "overdue" else ""
            part[s] = f"{len(got)} {state_text(s).lower()}" + (f" ({note})" if note else "")
        text = (tr("{year}: one audit · {done} · {planned} · {overdue}") if len(audits) == 1
                else tr("{year}: {total} audits · {done} · {planned} · {overdue}"))
        self.summary.setText(text.format(year=self.year.value(), total=len(audits), **part))
        self.plan_button.setEnabled(self.workspace is not None and not self.controller.read_only)

    # ------------------------------------------------------------------ selection
    def current_line(self) -> ProgrammeLine | None:
        index = self.table.currentIndex()
        return self.model.get(index.data(IdRole)) if index.isValid() else None

    def select_cell(self, process_id: int | None, month: int | None = None) -> None:
        pos = self.model.row_of(process_id if process_id is not None else 0)
        if pos is None:
            return
        column = self.model.column_of[f"m{month}"] if month else 0
        self.table.setCurrentIndex(self.model.index(pos, column))

    def _cell_moved(self, keep: bool = False) -> None:
        line = self.current_line()
        audits = line.audits if line is not None else []
        index = self.table.currentIndex()
        key = self.model.columns[index.column()].key if index.isValid() else ""
        month = int(key[1:]) if key.startswith("m") else None
        wanted = self._run_id if keep else None
        if wanted is None or wanted not in {a.run_id for a in audits}:
            in_month = [a for a in audits if month is not None and _month_of(a) == month]
            wanted = (in_month or audits or [None])[0]
            wanted = wanted.run_id if wanted is not None else None
        items: list[Item] = [(f"{entry_text(a)} · {a.title} · "
                              f"{format_date(a.planned_on) or '—'} · "
                              f"{late_steps_text(a) or state_label(a.state)}",
                              a.run_id, _entry_tip(a)) for a in audits]
        self.audit_pick.blockSignals(True)
        self.audit_pick.set_items(items or [(tr("No audit of this process this year"), None,
                                             "")])
        self.audit_pick.set_value(wanted)
        self.audit_pick.blockSignals(False)
        self._set_run(wanted)

    def _audit_picked(self) -> None:
        self._set_run(self.audit_pick.value())

    def select_run(self, run_id: int) -> None:
        """Select audit ``run_id`` (its process's row, its month) and show its steps."""
        for line in self.model.rows:
            for a in line.audits:
                if a.run_id == run_id:
                    self._run_id = run_id
                    self.select_cell(line.process_id, _month_of(a))
                    self._cell_moved(keep=True)
                    return

    def _set_run(self, run_id: int | None) -> None:
        self._run_id = run_id
        self.steps.reload()
        if run_id is None:
            self.steps.set_rows([])
        self._show_audit()

    def current_entry(self) -> "ProgrammeEntry | None":
        for line in self.model.rows:
            for a in line.audits:
                if a.run_id == self._run_id:
                    return a
        return None

    def _show_audit(self) -> None:
        a = self.current_entry()
        self.steps.read_only = a is None or self.controller.read_only
        if a is None:
            self.audit_info.setText(tr("Select a process, or a month with an audit, to see its "
                                       "ISO 19011 steps."))
            return
        done = sum(1 for s in self.steps.rows if s.done_on is not None)
        state = state_text(a.state)
        if a.late_steps:
            state = f"{state} ({late_steps_text(a)})"
        self.audit_info.setText(tr("{code} {title}: {state}. Steps done: {done} of {n}. Set "
                                   "the planned and done day of each step (F2 or a double "
                                   "click; Delete empties a day).").format(
            code=a.code, title=a.title, state=state, done=done, n=len(self.steps.rows)))

    # ------------------------------------------------------------------ edits
    def _commit_step(self, row: StepLine, column: Column, value) -> bool:
        return self.set_step(row.step, **{column.key: value})

    def set_step(self, step: str, **values: Any) -> bool:
        """Set the planned / done day or notes of a step of the selected audit (one undo
        step)."""
        from ...services import checklists

        run_id = self._run_id
        if run_id is None:
            return False
        name = step_label(step)
        if "done_on" in values:
            label = tr("Set when “{step}” was done").format(step=name)
        elif "planned_on" in values:
            label = tr("Plan “{step}”").format(step=name)
        else:
            label = tr("Change notes of “{step}”").format(step=name)
        today = self.today()
        ok = self.controller.edit(label, lambda ws: checklists.set_step(ws, run_id, step,
                                                                        today=today, **values))
        return ok is not None

    def open_plan_dialog(self) -> bool:
        ws = self.workspace
        if ws is None:
            return False
        line = self.current_line()
        dialog = PlanAuditDialog(ws, self, process_id=line.process_id if line else None,
                                 year=self.year.value(), today=self.today())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.plan_audit(**dialog.values()) is not None

    def plan_audit(self, process_id: int | None, template_id: int | None,
                   planned_on: dt.date | None, auditor: str = "", auditee: str = "",
                   title: str = "") -> int | None:
        """Plan an internal audit of ``process_id`` on ``planned_on`` from template
        ``template_id`` (None: a checklist generated from the process's map first), one undo
        step; returns the run's id."""
        from ...services import checklists

        def do(ws):
            tid = template_id
            if tid is None:
                if process_id is None:
                    raise checklists.RecordError(
                        "Choose a checklist, or a process whose map makes one.")
                tid = checklists.generate_process_audit(ws, process_id).result
            values: dict[str, Any] = {"process_id": process_id, "planned_on": planned_on,
                                      "auditor": auditor, "auditee": auditee}
            if title.strip():
                values["title"] = title
            return checklists.start_run(ws, tid, values, today=self.today())

        run_id = self.controller.edit(tr("Plan audit"), do)
        if run_id is None:
            return None
        if planned_on is not None and planned_on.year != self.year.value():
            self.year.setValue(planned_on.year)  # refreshes
        self.select_run(run_id)
        a = self.current_entry()
        if a is not None:
            self.status.setText(tr("Planned {code} for {date}.").format(
                code=a.code, date=format_date(planned_on) or "—"))
        return run_id


class PlanAuditDialog(QDialog):
    """Process, checklist, planned day, auditor and auditee of a new internal audit."""

    GENERATE = -1

    def __init__(self, ws, parent: QWidget | None = None, *, process_id: int | None = None,
                 year: int | None = None, today: dt.date | None = None):
        super().__init__(parent)
        from ...services import checklists
        from ...services.processes import list_processes

        self.setWindowTitle(tr("Plan an audit"))
        today = today or dt.date.today()
        self._templates = [t for t in checklists.list_templates(ws)
                           if t.kind == "internal_audit" and t.latest]
        procs = list_processes(ws)
        self.process = ValueCombo([(tr("(no process)"), None, "")] + [
            (" ".join(x for x in (p.code, p.name) if x) or tr("(unnamed process)"), p.id, "")
            for p in procs], self, searchable=True)
        self.process.set_value(process_id)
        self.template = ValueCombo([], self)
        self.planned = DateEditor(self)
        day = today + dt.timedelta(days=30)
        if year is not None and year != day.year:
            day = dt.date(year, 6, 1) if year != today.year else day
        self.planned.set_value(day)
        self.auditor = QLineEdit(self)
        self.auditee = QLineEdit(self)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText(tr("The checklist's name"))
        form = QFormLayout()
        form.addRow(tr("&Process:"), self.process)
        form.addRow(tr("&Checklist:"), self.template)
        form.addRow(tr("Planned &day:"), self.planned)
        form.addRow(tr("A&uditor:"), self.auditor)
        form.addRow(tr("Audit&ee:"), self.auditee)
        form.addRow(tr("&Title:"), self.title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Plan"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.process.currentIndexChanged.connect(lambda _i: self._fill_templates())
        self._fill_templates()

    def _fill_templates(self) -> None:
        pid = self.process.value()
        own = f"process-audit-{pid}" if pid is not None else None
        items: list[Item] = []
        mine = [t for t in self._templates if own and t.family == own]
        for t in mine + [t for t in self._templates if t not in mine]:
            items.append((tr("{name} · version {version}").format(name=t.name,
                                                                  version=t.version), t.id, ""))
        if pid is not None and not mine:
            items.insert(0, (tr("Generate from the process's map"), self.GENERATE,
                             tr("A new checklist made from the map's steps, roles, documents "
                                "and risks")))
        self.template.set_items(items)
        self.template.setCurrentIndex(0)

    def values(self) -> dict[str, Any]:
        tid = self.template.value()
        return {"process_id": self.process.value(),
                "template_id": None if tid == self.GENERATE else tid,
                "planned_on": self.planned.value(), "auditor": self.auditor.text().strip(),
                "auditee": self.auditee.text().strip(), "title": self.title.text().strip()}


__all__ = ["PlanAuditDialog", "ProgrammeLine", "ProgrammeView", "StepLine", "entry_text",
           "late_note", "late_steps_text", "late_text", "state_text"]
