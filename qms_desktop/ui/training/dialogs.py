"""Dialogs of the Training page: a matrix cell (its history, why it is required, add a record),
a training session (one course, many attendees: one undo step), what-if for a role, a person's
roles over time, and which roles require a course.

Every change is one ``controller.edit`` call; a dialog never writes by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import training as rules
from ..table import DateEditor, ValueCombo
from .matrix import cell_text, fmt, kind_label, status_label, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def result_items():
    return [(tr("Passed"), "passed", ""), (tr("Attended"), "attended",
                                           tr("Took part; no assessment")),
            (tr("Failed"), "failed", tr("Does not count as a completion"))]


def _date_edit(parent: QWidget, day: dt.date | None = None, *, future: bool = False,
               late_why: str = "") -> DateEditor:
    """A required date (today by default); days after today only with ``future`` — a later
    one is refused with ``late_why`` (the kit's sentence without it), never moved."""
    w = DateEditor(parent)
    w.set_required(True, tr("A date is required here; type one or pick it in the calendar."))
    w.set_value(day or dt.date.today())
    if not future:
        w.set_latest(dt.date.today(), late_why or tr("{day} is in the future; the latest day "
                                                     "allowed is today ({latest})."))
    return w


def _py(date_edit: DateEditor) -> dt.date:
    return date_edit.value()


def date_taken(edit: DateEditor) -> bool:
    """Whether ``edit`` holds a date it takes; if not, it is marked, says why and gets the
    focus (the dialog stays open)."""
    if edit.accept_text():
        return True
    edit.setFocus()
    edit.selectAll()
    return False


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().hide()
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class RecordForm(QGroupBox):
    """The fields of a new training record (date, trainer, result, evidence, revision)."""

    def __init__(self, title: str, revision: str = "", parent: QWidget | None = None):
        super().__init__(title, parent)
        form = QFormLayout(self)
        self.completed = _date_edit(self, late_why=tr(
            "{day} is in the future: a training is recorded once it has been completed "
            "(today, {latest}, at the latest)."))
        self.completed.setObjectName("completedOn")
        form.addRow(tr("&Completed on"), self.completed)
        self.trainer = QLineEdit(self)
        self.trainer.setPlaceholderText(tr("Trainer or provider"))
        form.addRow(tr("&Trainer"), self.trainer)
        self.result = ValueCombo(result_items(), self)
        form.addRow(tr("&Result"), self.result)
        self.evidence = QLineEdit(self)
        self.evidence.setPlaceholderText(tr("Certificate no., attendance sheet… (attach the "
                                            "scan afterwards)"))
        form.addRow(tr("&Evidence"), self.evidence)
        self.revision = QLineEdit(revision, self)
        self.revision.setToolTip(tr("The revision of the linked procedure this training "
                                    "covers"))
        form.addRow(tr("Re&vision"), self.revision)

    def date_ok(self) -> bool:
        """Whether "Completed on" holds a day it takes (if not it says why, keeps the focus)."""
        return date_taken(self.completed)

    def values(self) -> dict[str, Any]:
        out = {"completed_on": _py(self.completed), "trainer": self.trainer.text(),
               "result": self.result.value(), "evidence": self.evidence.text()}
        if self.revision.text().strip():
            out["document_revision"] = self.revision.text()
        return out


class CellDialog(QDialog):
    """One cell of the matrix: status and why, the history, a new record, the evidence."""

    def __init__(self, controller: "WorkspaceController", matrix, person_id: int, course_id: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.matrix = matrix
        self.person = matrix.people[matrix.row_of[person_id]]
        self.course = matrix.courses[matrix.col_of[course_id]]
        self.setWindowTitle(tr("{person} — {course}").format(person=self.person.name,
                                                              course=self.course.label))
        lay = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)
        self.history = _table(self, [tr("Completed"), tr("Expires"), tr("Result"),
                                     tr("Trainer"), tr("Revision"), tr("Evidence")])
        self.history.setObjectName("cellHistory")
        lay.addWidget(QLabel(tr("History"), self))
        lay.addWidget(self.history, 1)
        row = QHBoxLayout()
        self.delete_button = QPushButton(tr("&Delete record"), self)
        self.delete_button.clicked.connect(self.delete_selected)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        lay.addLayout(row)
        from ..attachments import AttachmentsWidget

        self.files = AttachmentsWidget(controller, self)
        self.files_box = QGroupBox(tr("Evidence files of the selected record"), self)
        QVBoxLayout(self.files_box).addWidget(self.files)
        lay.addWidget(self.files_box)
        self.form = RecordForm(tr("Add a record"), self.course.revision
                               if self.course.kind == "read_and_understood" else "", self)
        lay.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.add_button = buttons.addButton(tr("&Add record"),
                                            QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add_record)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.history.itemSelectionChanged.connect(self._selected)
        writable = not controller.read_only
        self.form.setEnabled(writable)
        self.add_button.setEnabled(writable)
        self.resize(720, 640)
        self.reload()

    def reload(self) -> None:
        from ...services import training

        ws = self.controller.workspace
        if ws is None:
            return
        self.records = training.history(ws, self.person.id, self.course.id)
        mx = training.load_matrix(ws, self.matrix.today, self.matrix.window_days,
                                  person_ids=[self.person.id], all_courses=True)
        status, day = (mx.cell(self.person.id, self.course.id)
                       if self.person.id in mx.row_of else (rules.NOT_REQUIRED, None))
        lines = [f"<b>{cell_text(status, day, mx.today)}</b>"]
        for r in mx.reasons.get((self.person.id, self.course.id), ()):
            lines.append(r.text())
        if self.course.document:
            lines.append(tr("Procedure {d}, revision in force: {r}").format(
                d=self.course.document, r=self.course.revision or "—"))
        lines.append(tr("Valid: {v}; method: {m}").format(
            v=self.course.validity_text, m=kind_label(self.course.kind)))
        self.summary.setText("<br>".join(_esc(x) if not x.startswith("<b>") else x
                                         for x in lines))
        self.status = status
        self.history.setRowCount(len(self.records))
        for i, r in enumerate(self.records):
            for j, text in enumerate((fmt(r.completed_on), fmt(r.expires_on), r.result,
                                      r.trainer, r.document_revision, r.evidence)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.history.setItem(i, j, item)
        if self.records:
            self.history.selectRow(0)
        self._selected()

    def _selected(self) -> None:
        rid = self.selected_record()
        self.files.set_owner("training_record", rid)
        self.delete_button.setEnabled(rid is not None and not self.controller.read_only)

    def selected_record(self) -> int | None:
        items = self.history.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def add_record(self) -> int | None:
        from ...services import training

        if not self.form.date_ok():
            return None
        values = self.form.values()
        pid, cid = self.person.id, self.course.id
        ids = self.controller.edit(
            tr("Record training {course} for {person}").format(course=self.course.label,
                                                               person=self.person.name),
            lambda ws: training.add_records(ws, cid, [pid], values))
        if ids:
            self.reload()
            return ids[0]
        return None

    def delete_selected(self) -> bool:
        from ...services import training

        rid = self.selected_record()
        if rid is None:
            return False
        ok = self.controller.edit(tr("Delete training record"),
                                  lambda ws: training.delete_records(ws, [rid])) is not None
        if ok:
            self.reload()
        return ok


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SessionDialog(QDialog):
    """A training session: one course, many attendees, one record each — one undo step."""

    def __init__(self, controller: "WorkspaceController", matrix, course_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        from ...services import training

        self.controller = controller
        self.matrix = matrix
        ws = controller.workspace
        self.setWindowTitle(tr("Record a training session"))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.courses = training.courses(ws)
        self.course = ValueCombo([(f"{c.code} — {c.title}" if c.code else c.title, c.id, "")
                                  for c in self.courses], self, searchable=True)
        if course_id is not None:
            self.course.set_value(course_id)
        form.addRow(tr("&Course"), self.course)
        lay.addLayout(form)
        self.form = RecordForm(tr("Session"), "", self)
        lay.addWidget(self.form)
        pick = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(tr("Find a person…"))
        self.search.textChanged.connect(self._filter)
        pick.addWidget(self.search, 1)
        self.need_button = QPushButton(tr("Tick those who &need it"), self)
        self.need_button.setToolTip(tr("Everyone for whom this course is required and not "
                                       "current"))
        self.need_button.clicked.connect(self.tick_needed)
        pick.addWidget(self.need_button)
        self.clear_button = QPushButton(tr("Untick all"), self)
        self.clear_button.clicked.connect(lambda: self._tick(set()))
        pick.addWidget(self.clear_button)
        lay.addLayout(pick)
        self.people = QListWidget(self)
        self.people.setObjectName("attendees")
        for p in training.people(ws):
            item = QListWidgetItem(f"{p.name}  ({p.extra})" if p.extra else p.name)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people.addItem(item)
        self.people.itemChanged.connect(self._count)
        lay.addWidget(self.people, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept_session)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.course.currentIndexChanged.connect(self._course_changed)
        self._course_changed()
        self.resize(560, 680)

    def _course_changed(self) -> None:
        cid = self.course.value()
        c = next((c for c in self.courses if c.id == cid), None)
        self.form.revision.setText(c.revision if c and c.kind == "read_and_understood" else "")
        self._count()

    def _filter(self, text: str) -> None:
        t = text.strip().casefold()
        for i in range(self.people.count()):
            item = self.people.item(i)
            item.setHidden(bool(t) and t not in item.text().casefold())

    def _tick(self, ids: set[int]) -> None:
        for i in range(self.people.count()):
            item = self.people.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in ids else Qt.CheckState.Unchecked)

    def tick_needed(self) -> int:
        cid = self.course.value()
        mx = self.matrix
        ids = set()
        if mx is not None and cid in mx.col_of:
            j = mx.col_of[cid]
            for i, p in enumerate(mx.people):
                s = mx.status[i][j]
                if s != rules.NOT_REQUIRED and s != rules.CURRENT:
                    ids.add(p.id)
        self._tick(ids)
        return len(ids)

    def attendees(self) -> list[int]:
        return [self.people.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.people.count())
                if self.people.item(i).checkState() == Qt.CheckState.Checked]

    def _count(self, *_a) -> None:
        n = len(self.attendees())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Record for {n} people").format(n=n) if n != 1 else
                   tr("Record for 1 person"))
        ok.setEnabled(n > 0 and self.course.value() is not None)

    def accept_session(self) -> None:
        from ...services import training

        if not self.form.date_ok():
            return
        cid, ids, values = self.course.value(), self.attendees(), self.form.values()
        course = next((c for c in self.courses if c.id == cid), None)
        label = tr("Record {course} for {n} people").format(
            course=course.label if course else "", n=len(ids))
        if self.controller.edit(label, lambda ws: training.add_records(ws, cid, ids, values)):
            self.accept()


class WhatIfDialog(QDialog):
    """Assign a person to a role — or only preview it — and see the training then missing."""

    def __init__(self, controller: "WorkspaceController", person_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        from ...services import training

        self.controller = controller
        ws = controller.workspace
        self.setWindowTitle(tr("What if… a person takes on a role"))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.person = ValueCombo([(p.name, p.id, p.extra) for p in training.people(ws)], self,
                                 searchable=True)
        if person_id is not None:
            self.person.set_value(person_id)
        form.addRow(tr("&Person"), self.person)
        self.role = ValueCombo([(r.name, r.id, "") for r in training.roles(ws)], self,
                               searchable=True)
        form.addRow(tr("&Role"), self.role)
        lay.addLayout(form)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.table = _table(self, [tr("Course"), tr("Status"), tr("Why")])
        self.table.setObjectName("whatIfTable")
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.assign_button = buttons.addButton(tr("&Assign from today"),
                                               QDialogButtonBox.ButtonRole.ActionRole)
        self.assign_button.clicked.connect(self.assign)
        self.assign_button.setEnabled(not controller.read_only)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.person.currentIndexChanged.connect(self.preview)
        self.role.currentIndexChanged.connect(self.preview)
        self.resize(980, 520)
        self.preview()

    def preview(self) -> int:
        from ...services import training
        from ...services.records import RecordError

        pid, rid = self.person.value(), self.role.value()
        ws = self.controller.workspace
        self.table.setRowCount(0)
        if ws is None or pid is None or rid is None:
            return 0
        try:
            lacking = training.what_if(ws, pid, rid)
        except RecordError as e:
            self.note.setText(str(e))
            return 0
        held = training.holds_role(ws, pid, rid)
        p, r, n = self.person.currentText(), self.role.currentText(), len(lacking)
        if held:
            text = tr("{p} holds the role {r} and has all the training it requires.") if not n \
                else tr("{p} holds the role {r}; of the training it requires, {n} is not "
                        "current:") if n == 1 else \
                tr("{p} holds the role {r}; of the training it requires, {n} are not current:")
        else:
            text = tr("{p} already has all the training the role {r} requires.") if not n \
                else tr("As {r}, {p} would need 1 training:") if n == 1 else \
                tr("As {r}, {p} would need {n} trainings:")
        self.note.setText(text.format(p=p, r=r, n=n))
        self.assign_button.setEnabled(not held and not self.controller.read_only)
        self.table.setRowCount(n)
        for i, w in enumerate(lacking):
            why = "; ".join(x.text() for x in w.reasons)
            state = status_label(w.status)
            if w.already and not held:
                state += tr(" (already, through another role)")
            for j, cell in enumerate((f"{w.course.code} {w.course.title}".strip(), state, why)):
                item = QTableWidgetItem(cell)
                item.setToolTip(cell)
                self.table.setItem(i, j, item)
        self.table.resizeRowsToContents()
        return n

    def assign(self) -> bool:
        from ...services import training

        pid, rid = self.person.value(), self.role.value()
        if pid is None or rid is None:
            return False
        label = tr("Assign {p} the role {r}").format(p=self.person.currentText(),
                                                     r=self.role.currentText())
        ok = self.controller.edit(label, lambda ws: training.assign_role(
            ws, pid, rid, dt.date.today())) is not None
        if ok:
            self.preview()
        return ok


class RolesDialog(QDialog):
    """A person's roles over time: add a dated assignment, end one."""

    def __init__(self, controller: "WorkspaceController", person_id: int, name: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        from ...services import training

        self.controller = controller
        self.person_id = person_id
        self.setWindowTitle(tr("Roles of {name}").format(name=name))
        lay = QVBoxLayout(self)
        self.table = _table(self, [tr("Role"), tr("From"), tr("To")])
        lay.addWidget(self.table, 1)
        add = QHBoxLayout()
        self.role = ValueCombo([(r.name, r.id, "") for r in training.roles(controller.workspace)],
                               self, searchable=True)
        add.addWidget(self.role, 1)
        self.start = DateEditor(self)
        self.start.set_required(True, tr("Give the first day in the role."))
        self.start.set_value(dt.date.today())
        self.start.setToolTip(tr("First day in the role"))
        add.addWidget(self.start)
        self.add_button = QPushButton(tr("&Add role"), self)
        self.add_button.clicked.connect(self.add)
        add.addWidget(self.add_button)
        self.end_button = QPushButton(tr("&End selected"), self)
        self.end_button.setToolTip(tr("The selected role ends yesterday"))
        self.end_button.clicked.connect(self.end_selected)
        add.addWidget(self.end_button)
        lay.addLayout(add)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        writable = not controller.read_only
        for w in (self.add_button, self.end_button):
            w.setEnabled(writable)
        self.resize(520, 360)
        self.reload()

    def reload(self) -> None:
        from ...services import training

        self.rows = training.assignments(self.controller.workspace, self.person_id)
        self.table.setRowCount(len(self.rows))
        for i, (aid, role, start, end) in enumerate(self.rows):
            for j, text in enumerate((role, fmt(start) or tr("(from the start)"),
                                      fmt(end) or tr("(open)"))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, aid)
                self.table.setItem(i, j, item)

    def add(self) -> bool:
        from ...services import training

        if not date_taken(self.start):
            return False
        rid, start = self.role.value(), self.start.value()
        if rid is None:
            return False
        ok = self.controller.edit(tr("Assign role"), lambda ws: training.assign_role(
            ws, self.person_id, rid, start)) is not None
        self.reload()
        return ok

    def end_selected(self) -> bool:
        from ...services import training

        items = self.table.selectedItems()
        if not items:
            return False
        aid = items[0].data(Qt.ItemDataRole.UserRole)
        with self.controller.workspace.connect() as c:
            rid = c.exec_driver_sql("SELECT role_id FROM person_role WHERE id = ?",
                                    (aid,)).scalar()
        ok = self.controller.edit(tr("End role"), lambda ws: training.end_role(
            ws, self.person_id, rid)) is not None
        self.reload()
        return ok


class RequirementsDialog(QDialog):
    """Which roles require a course, each with an optional grace period: one undo step."""

    def __init__(self, controller: "WorkspaceController", course_id: int, label: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        from ...services import training

        self.controller = controller
        self.course_id = course_id
        ws = controller.workspace
        self.setWindowTitle(tr("Roles that require {course}").format(course=label))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(tr("Tick the roles whose holders must complete this course. A "
                                "grace period gives a new holder that many days."), self))
        have = {rid: grace for rid, cid, grace in training.requirements(ws) if cid == course_id}
        self.before = dict(have)
        self.rows: list[tuple[int, QCheckBox, QSpinBox]] = []
        grid = QFormLayout()
        for r in training.roles(ws):
            box = QCheckBox(r.name.replace("&", "&&"), self)
            box.setChecked(r.id in have)
            spin = QSpinBox(self)
            spin.setRange(0, 3650)
            spin.setSuffix(tr(" days grace"))
            spin.setSpecialValueText(tr("no grace period"))
            spin.setValue(have.get(r.id) or 0)
            grid.addRow(box, spin)
            self.rows.append((r.id, box, spin))
        lay.addLayout(grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not controller.read_only)
        lay.addWidget(buttons)

    def changes(self) -> list[tuple[int, bool, int | None]]:
        out = []
        for rid, box, spin in self.rows:
            grace = spin.value() or None
            if box.isChecked() != (rid in self.before) or (
                    box.isChecked() and grace != self.before.get(rid)):
                out.append((rid, box.isChecked(), grace))
        return out

    def apply(self) -> None:
        from ...services import training

        todo = self.changes()
        if not todo:
            self.accept()
            return
        cid = self.course_id

        def run(ws):
            for rid, required, grace in todo:
                training.set_requirement(ws, rid, cid, required, grace)
            return True

        if self.controller.edit(tr("Change course requirements"), run) is not None:
            self.accept()


def ask_date(parent: QWidget, title: str, text: str, default: dt.date | None = None, *,
             future: bool = False) -> dt.date | None:
    """A day chosen by the user (today by default; later only with ``future``), or None when
    cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    lay = QVBoxLayout(dialog)
    label = QLabel(text, dialog)
    label.setWordWrap(True)
    lay.addWidget(label)
    edit = _date_edit(dialog, default, future=future)
    lay.addWidget(edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(lambda: date_taken(edit) and dialog.accept())
    buttons.rejected.connect(dialog.reject)
    lay.addWidget(buttons)
    dialog.date_edit = edit
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return _py(edit)
