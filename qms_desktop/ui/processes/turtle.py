"""The process "turtle" / SIPOC panel: suppliers → inputs → process → outputs → customers, with
the resources it needs, how it is measured (KPIs), its risks, purpose, owner and status.

Every text field is bound to its process field (typing is committed after a pause or when the
field is left, as one undo step per field visit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..binding import FieldBinding
from ..commands import FieldEditCommand
from .model import status_labels

if TYPE_CHECKING:  # pragma: no cover
    from ...services.processes import ProcessRow
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("processes", text)


def sipoc_titles() -> dict[str, tuple[str, str]]:
    """field -> (title, the turtle's question)"""
    return {
        "suppliers": (tr("Suppliers"), tr("Who provides the inputs?")),
        "inputs": (tr("Inputs"), tr("What comes in?")),
        "outputs": (tr("Outputs"), tr("What comes out?")),
        "customers": (tr("Customers"), tr("Who receives the outputs?")),
        "resources": (tr("Resources"), tr("With what? (people, equipment, systems)")),
        "kpis": (tr("KPIs"), tr("How is it measured?")),
        "purpose": (tr("Purpose"), tr("Why does the process exist?")),
    }


class TurtlePanel(QWidget):
    """Shows and edits one process's SIPOC/turtle fields."""

    openMapRequested = Signal(int)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("turtlePanel")
        self.controller = controller
        self.row: "ProcessRow | None" = None
        self._loading = False
        self.edits: dict[str, QPlainTextEdit] = {}
        self.bindings: dict[str, FieldBinding] = {}
        titles = sipoc_titles()

        def box(field: str) -> QGroupBox:
            title, question = titles[field]
            g = QGroupBox(title, self)
            g.setObjectName(f"box_{field}")
            g.setToolTip(question)
            edit = QPlainTextEdit(g)
            edit.setObjectName(f"edit_{field}")
            edit.setPlaceholderText(question)
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(54)
            lay = QVBoxLayout(g)
            lay.setContentsMargins(6, 4, 6, 6)
            lay.addWidget(edit)
            self.edits[field] = edit
            self.bindings[field] = FieldBinding(controller, edit, "process", field)
            return g

        # the process in the middle
        self.center = QGroupBox(tr("Process"), self)
        self.center.setObjectName("box_process")
        self.title = QLabel(self.center)
        self.title.setObjectName("turtleTitle")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        f = QFont(self.title.font())
        f.setBold(True)
        f.setPointSizeF(max(f.pointSizeF(), 8.0) * 1.15)
        self.title.setFont(f)
        self.counts = QLabel(self.center)
        self.counts.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.counts.setWordWrap(True)
        self.owner = QComboBox(self.center)
        self.owner.setObjectName("turtleOwner")
        self.status = QComboBox(self.center)
        self.status.setObjectName("turtleStatus")
        for value, label in status_labels().items():
            self.status.addItem(label, value)
        self.open_map = QPushButton(tr("Open map"), self.center)
        self.open_map.setObjectName("openMapButton")
        self.open_map.clicked.connect(lambda: self.row and self.openMapRequested.emit(self.row.id))
        form = QFormLayout()
        form.addRow(tr("Owner"), self.owner)
        form.addRow(tr("Status"), self.status)
        cl = QVBoxLayout(self.center)
        cl.addWidget(self.title)
        cl.addWidget(self.counts)
        cl.addLayout(form)
        cl.addWidget(self.open_map)
        self.owner.activated.connect(self._owner_chosen)
        self.status.activated.connect(self._status_chosen)

        self.risks_box = QGroupBox(tr("Risks"), self)
        self.risks_box.setObjectName("box_risks")
        self.risks_box.setToolTip(tr("What can go wrong? Risks are edited in the risk register."))
        self.risks = QListWidget(self.risks_box)
        self.risks.setObjectName("turtleRisks")
        self.risks.setWordWrap(True)
        self.risks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rl = QVBoxLayout(self.risks_box)
        rl.setContentsMargins(6, 4, 6, 6)
        rl.addWidget(self.risks)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(box("suppliers"), 0, 0)
        grid.addWidget(box("inputs"), 0, 1)
        grid.addWidget(self.center, 0, 2)
        grid.addWidget(box("outputs"), 0, 3)
        grid.addWidget(box("customers"), 0, 4)
        grid.addWidget(box("purpose"), 1, 0, 1, 2)
        grid.addWidget(box("resources"), 1, 2)
        grid.addWidget(box("kpis"), 1, 3)
        grid.addWidget(self.risks_box, 1, 4)
        for c in range(5):
            grid.setColumnStretch(c, 1)
        self.show_process(None)

    # ------------------------------------------------------------------ showing
    def show_process(self, row: "ProcessRow | None", roles: list[tuple[int, str]] = (),
                     risks: list[tuple[int, str]] = ()) -> None:
        if self._showing:  # committing typing below changed data and the page came back here
            self._again = (row, roles, risks)
            return
        self._showing = True
        try:
            if row is None or self.row is None or row.id != self.row.id:
                self.flush()  # commit typing for the process shown so far
            self._show(row, roles, risks)
        finally:
            self._showing = False
        again, self._again = self._again, None
        if again is not None:
            self.show_process(*again)

    _showing = False
    _again = None

    def _show(self, row, roles, risks) -> None:
        self.row = row
        read_only = self.controller.read_only or row is None
        self._loading = True
        try:
            rid = row.id if row else None
            for field, binding in self.bindings.items():
                if binding.rid == rid and binding.pending:
                    continue  # the user is typing here; their text is committed shortly
                binding.set_record(rid, getattr(row, field) if row else "")
                binding.set_read_only(read_only)
            self.owner.clear()
            self.owner.addItem(tr("(none)"), None)
            for rid, name in roles:
                self.owner.addItem(name, rid)
            if row is not None:
                i = self.owner.findData(row.owner_role_id) if row.owner_role_id is not None else 0
                self.owner.setCurrentIndex(max(i, 0))
                self.status.setCurrentIndex(max(self.status.findData(row.status), 0))
                self.title.setText(f"{row.code} {row.name}".strip())
                self.counts.setText(tr("{steps} steps · {risks} risks · {docs} documents").format(
                    steps=row.steps, risks=row.risks, docs=row.documents))
            else:
                self.title.setText(tr("No process selected"))
                self.counts.setText("")
            self.owner.setEnabled(not read_only)
            self.status.setEnabled(not read_only)
            self.open_map.setEnabled(row is not None)
            self.risks.clear()
            for rid, text in risks:
                it = QListWidgetItem(text)
                it.setData(Qt.ItemDataRole.UserRole, rid)
                it.setToolTip(text)
                self.risks.addItem(it)
            if row is not None and not risks:
                it = QListWidgetItem(tr("No risks linked yet"))
                it.setFlags(Qt.ItemFlag.NoItemFlags)
                self.risks.addItem(it)
        finally:
            self._loading = False

    def flush(self) -> None:
        for b in self.bindings.values():
            b.flush()

    # ------------------------------------------------------------------ edits
    def _push(self, field: str, old, new) -> None:
        ws = self.controller.workspace
        if self.row is None or ws is None or old == new:
            return
        cmd = FieldEditCommand(ws, "process", self.row.id, field, old, new)
        self.controller.push(cmd)
        cmd.seal()

    def _owner_chosen(self, index: int) -> None:
        if not self._loading and self.row is not None:
            self._push("owner_role_id", self.row.owner_role_id, self.owner.itemData(index))

    def _status_chosen(self, index: int) -> None:
        if not self._loading and self.row is not None:
            self._push("status", self.row.status, self.status.itemData(index))
