"""The process "turtle" / SIPOC panel: suppliers → inputs → process → outputs → customers, with
the resources it needs, how it is measured (KPIs), its risks, purpose, owner and status.

Built on the table kit's ``DetailPanel``: every text field is bound to its process field (typing
is committed after a pause and when the field is left, as one undo step per field visit); owner
and status commit when picked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
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

from ..table import DetailPanel, ValueCombo
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


class TurtlePanel(DetailPanel):
    """Shows and edits one process's SIPOC/turtle fields."""

    openMapRequested = Signal(int)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(controller, "process", parent)
        self.setObjectName("turtlePanel")
        self.edits: dict[str, QPlainTextEdit] = {}
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
            self.edits[field] = self.bind(field, edit)
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
        self.owner = self.bind("owner_role_id", ValueCombo([(tr("(none)"), None, "")],
                                                           self.center))
        self.owner.setObjectName("turtleOwner")
        self.status = self.bind("status", ValueCombo(
            [(label, value, "") for value, label in status_labels().items()], self.center))
        self.status.setObjectName("turtleStatus")
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
        for field, r, c, span in (("suppliers", 0, 0, 1), ("inputs", 0, 1, 1),
                                  ("outputs", 0, 3, 1), ("customers", 0, 4, 1),
                                  ("purpose", 1, 0, 2), ("resources", 1, 2, 1),
                                  ("kpis", 1, 3, 1)):
            grid.addWidget(box(field), r, c, 1, span)
        grid.addWidget(self.center, 0, 2)
        grid.addWidget(self.risks_box, 1, 4)
        for c in range(5):
            grid.setColumnStretch(c, 1)
        self._risk_items: list[tuple[int, str]] = []
        self.show_process(None)

    # ------------------------------------------------------------------ showing
    def show_process(self, row: "ProcessRow | None", roles: list[tuple[int, str]] = (),
                     risks: list[tuple[int, str]] = ()) -> None:
        self.owner.set_items([(tr("(none)"), None, "")] + [(name, rid, "") for rid, name in roles])
        self._risk_items = list(risks)
        self.show_row(row)

    def fill(self, row: "ProcessRow | None") -> None:
        self.set_read_only(self.controller.read_only or row is None)
        if row is not None:
            self.title.setText(f"{row.code} {row.name}".strip())
            self.counts.setText(tr("{steps} steps · {risks} risks · {docs} documents").format(
                steps=row.steps, risks=row.risks, docs=row.documents))
        else:
            self.title.setText(tr("No process selected"))
            self.counts.setText("")
        self.open_map.setEnabled(row is not None)
        self.risks.clear()
        for rid, text in self._risk_items:
            it = QListWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, rid)
            it.setToolTip(text)
            self.risks.addItem(it)
        if row is not None and not self._risk_items:
            it = QListWidgetItem(tr("No risks linked yet"))
            it.setFlags(Qt.ItemFlag.NoItemFlags)
            self.risks.addItem(it)
