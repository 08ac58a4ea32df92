"""Dialogs of the Checklists page: start a run from a template, pick a record as evidence,
raise an action from a finding (title, owner, due date)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..table import DateEditor, ValueCombo, editor_value, set_editor_value

#: how far ahead the due date of a new action is proposed
ACTION_DUE_DAYS = 30
#: the shipped template a new workspace's gap analysis starts from
GAP_TEMPLATE = "iso9001_gap"
from .model import kind_items, tr

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.workspace import Workspace


def signed_in_name(ws: "Workspace") -> str:
    """The full name of the active signing user whose login is the computer's login, "" when
    the workspace knows none — never the login itself ("root" is nobody's name)."""
    from ...services import documents

    try:
        users = documents.list_users(ws)
    except Exception:  # an old workspace without users: nothing to propose
        return ""
    return next((u.full_name for u in users
                 if u.active and u.username == ws.user and u.full_name), "")


class StartRunDialog(QDialog):
    """Template, title, scope, planned date, auditor(s), auditee, process.

    ``kind`` ("gap_analysis", "internal_audit") selects the first template of that kind. When
    no template fits (none at all, or none of ``kind``) and ``install`` is given, a button
    offers the shipped ISO 9001:2015 gap analysis: ``install()`` adds it (one undo step, the
    Templates tab's service) and returns its id, which is then listed and selected."""

    def __init__(self, ws: "Workspace", parent: QWidget | None = None, *,
                 kind: str | None = None,
                 install: Callable[[], int | None] | None = None):
        super().__init__(parent)
        from ...services import processes

        self.ws = ws
        self.kind = kind
        self._install = install
        self.setWindowTitle(tr("Start run"))
        self.template = ValueCombo([], self)
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.install_button = QPushButton(tr("&Install the ISO 9001:2015 gap analysis"), self)
        self.install_button.setObjectName("installGap")
        self.install_button.setToolTip(tr("Add the gap analysis template shipped with the "
                                          "application (one step, undoable) and select it"))
        self.install_button.setAutoDefault(False)
        self.install_button.clicked.connect(lambda _c=False: self.install_gap())
        self.title = QLineEdit(self)
        self.title.setPlaceholderText(tr("The template's name"))
        self.scope = QLineEdit(self)
        self.planned = DateEditor(self)
        set_editor_value(self.planned, dt.date.today())
        self.auditor = QLineEdit(self)
        self.auditor.setPlaceholderText(tr("Who audits (one or more names, separated by "
                                           "commas)"))
        self.auditor.setText(signed_in_name(ws))
        self.auditee = QLineEdit(self)
        self.process = ValueCombo([("—", None, tr("No process"))] + [
            (" ".join(x for x in (p.code, p.name) if x), p.id, "")
            for p in processes.list_processes(ws)], self)
        form = QFormLayout()
        form.addRow(tr("&Template"), self.template)
        form.addRow(tr("T&itle"), self.title)
        form.addRow(tr("&Scope"), self.scope)
        form.addRow(tr("&Planned on"), self.planned)
        form.addRow(tr("&Auditor(s)"), self.auditor)
        form.addRow(tr("Audit&ee"), self.auditee)
        form.addRow(tr("P&rocess"), self.process)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.install_button)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.fill()

    def fill(self, select: int | None = None) -> None:
        """List the latest template of every family (``select`` one, else the first of
        ``kind``) and say when none fits."""
        from ...services import checklists

        kinds = {v: t for t, v, _ in kind_items()}
        templates = [t for t in checklists.list_templates(self.ws) if t.latest and t.items]
        self.template.set_items([(tr("{name} v{version} · {kind} · {n} items").format(
            name=t.name, version=t.version, kind=kinds.get(t.kind, t.kind), n=t.items), t.id,
            t.description) for t in templates])
        fitting = [t for t in templates if self.kind is None or t.kind == self.kind]
        if select is None and fitting:
            select = fitting[0].id
        if select is not None:
            self.template.set_value(select)
        if not templates:
            text = tr("The workspace has no checklist templates yet.")
        elif not fitting:
            text = tr("The workspace has no {kind} template yet.").format(
                kind=kinds.get(self.kind, self.kind).lower())
        else:
            text = ""
        offer = bool(text) and self._install is not None and self.kind in (None, "gap_analysis")
        if offer:
            text += " " + tr("Install the ISO 9001:2015 gap analysis shipped with the "
                             "application to start one.")
        self.empty.setText(text)
        self.empty.setVisible(bool(text))
        self.install_button.setVisible(offer)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(templates))

    def install_gap(self) -> int | None:
        """Install the shipped gap analysis (through ``install``) and select it."""
        if self._install is None:
            return None
        tid = self._install()
        if tid is not None:
            self.fill(select=tid)
        return tid

    def template_id(self) -> int | None:
        return self.template.value()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scope": self.scope.text().strip(),
                               "planned_on": editor_value(self.planned),
                               "auditor": self.auditor.text().strip(),
                               "auditee": self.auditee.text().strip(),
                               "process_id": self.process.value()}
        if self.title.text().strip():
            out["title"] = self.title.text().strip()
        return out


def evidence_kinds() -> list[tuple[str, str, str]]:
    from .run import entity_label

    order = ("document", "revision", "training_record", "risk", "process_node", "process",
             "action", "nonconformity", "objective", "course", "person", "management_review")
    return [(entity_label(e), e, "") for e in order]


class EvidencePicker(QDialog):
    """Choose a kind of record, then one record (type to narrow the list)."""

    def __init__(self, ws: "Workspace", parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(tr("Link a record as evidence"))
        self.kind = ValueCombo(evidence_kinds(), self, searchable=False)
        self.kind.currentIndexChanged.connect(lambda _i: self._fill())
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(tr("Type to narrow the list…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._narrow)
        self.list = QListWidget(self)
        self.list.itemActivated.connect(lambda _i: self.accept())
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(tr("What it shows (optional)"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(tr("&Kind"), self.kind)
        form.addRow(tr("&Find"), self.search)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.resize(520, 480)
        self._fill()

    def _fill(self) -> None:
        from ...services import checklists

        self.list.clear()
        for rid, label in checklists.evidence_candidates(self.ws, self.kind.value()):
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, rid)
        self._narrow(self.search.text())

    def _narrow(self, text: str) -> None:
        key = text.casefold().strip()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = bool(key) and key not in item.text().casefold()
            item.setHidden(hide)
            if not hide and first is None:
                first = item
        if first is not None:
            self.list.setCurrentItem(first)

    def set_choice(self, entity: str, record_id: int) -> None:
        """Choose ``record_id`` of ``entity`` (tests and scripted use)."""
        self.kind.setCurrentIndex(self.kind.findData(entity))
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == record_id:
                self.list.setCurrentRow(i)

    def choice(self) -> tuple[str, int, str] | None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return None
        return self.kind.value(), item.data(Qt.ItemDataRole.UserRole), self.note.text().strip()


class RaiseActionDialog(QDialog):
    """Title (prefilled), owner (the active people, or nobody) and due date (a month ahead
    by default) of an action raised from a finding; owner and due date may be left empty."""

    def __init__(self, ws: "Workspace", title: str, parent: QWidget | None = None, *,
                 today: dt.date | None = None):
        super().__init__(parent)
        from ...services import actions

        today = today or dt.date.today()
        self.setWindowTitle(tr("Raise action"))
        self.title = QLineEdit(title, self)
        self.title.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.title.selectAll()
        self.owner = ValueCombo([(tr("— nobody yet —"), None, tr("Give it an owner later"))] + [
            (p.name, p.id, "") for p in actions.owners(ws)], self, searchable=True)
        self.due = DateEditor(self)
        self.due.setSpecialValueText(tr("no due date"))
        self.due.set_value(today + dt.timedelta(days=ACTION_DUE_DAYS))
        self.due.setToolTip(tr("Delete empties it: no due date"))
        form = QFormLayout()
        form.addRow(tr("&Title"), self.title)
        form.addRow(tr("&Owner"), self.owner)
        form.addRow(tr("&Due on"), self.due)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.title.textChanged.connect(lambda t: self.buttons.button(
            QDialogButtonBox.StandardButton.Ok).setEnabled(bool(t.strip())))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        """The action's title, and owner and due date (None: left empty on purpose)."""
        return {"title": self.title.text().strip(), "owner_id": self.owner.value(),
                "due_date": self.due.value()}
