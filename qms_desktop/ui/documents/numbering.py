"""The numbering scheme of new documents, with a live preview of the next number per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .model import kind_items, tr
from .signing import error_colour

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


class NumberingDialog(QDialog):
    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        from sqlalchemy import select

        from ...services import documents
        from ...storage import models as m

        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(tr("Document Numbering"))
        ws = controller.workspace
        scheme, prefixes = documents.numbering(ws)
        with ws.connect() as c:
            self.used = list(c.execute(select(m.Document.number)).scalars())
        note = QLabel(tr("New documents are numbered by this scheme: {prefix} is the kind's "
                         "prefix, {seq} the running number ({seq:03d}: three digits). Numbers "
                         "already given stay as they are."), self)
        note.setWordWrap(True)
        self.scheme = QLineEdit(scheme, self)
        grid = QGridLayout()
        grid.addWidget(QLabel(tr("&Scheme:"), self), 0, 0)
        grid.itemAtPosition(0, 0).widget().setBuddy(self.scheme)
        grid.addWidget(self.scheme, 0, 1, 1, 2)
        grid.addWidget(QLabel(tr("<b>Kind</b>"), self), 1, 0)
        grid.addWidget(QLabel(tr("<b>Prefix</b>"), self), 1, 1)
        grid.addWidget(QLabel(tr("<b>Next number</b>"), self), 1, 2)
        self.prefixes: dict[str, QLineEdit] = {}
        self.previews: dict[str, QLabel] = {}
        for i, (label, kind, _t) in enumerate(kind_items(), start=2):
            grid.addWidget(QLabel(label, self), i, 0)
            edit = QLineEdit(prefixes.get(kind, ""), self)
            edit.setMaxLength(12)
            edit.textChanged.connect(lambda _t: self.update_preview())
            grid.addWidget(edit, i, 1)
            preview = QLabel(self)
            grid.addWidget(preview, i, 2)
            self.prefixes[kind] = edit
            self.previews[kind] = preview
        grid.setColumnStretch(2, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {error_colour()};")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.scheme.textChanged.connect(lambda _t: self.update_preview())
        self.update_preview()

    def values(self) -> tuple[str, dict[str, str]]:
        return self.scheme.text().strip(), {k: e.text().strip()
                                           for k, e in self.prefixes.items()}

    def update_preview(self) -> str:
        """Show the next number of each kind; returns why the scheme cannot be used, or ""."""
        from ...core import documents as rules

        scheme, prefixes = self.values()
        problem = rules.scheme_problem(scheme)
        if not problem:
            bad = [k for k, v in prefixes.items() if not v or any(ch.isspace() for ch in v)]
            if bad:
                problem = tr("Every prefix needs 1 to 12 characters without spaces.")
        for kind, label in self.previews.items():
            label.setText("—" if problem else
                          rules.next_number(self.used, kind, scheme, prefixes))
        self.message.setText(problem)
        self.message.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
        return problem

    def save(self) -> bool:
        from ...services import documents

        scheme, prefixes = self.values()
        ok = self.controller.edit(tr("Change document numbering"),
                                  lambda ws: documents.set_numbering(ws, scheme, prefixes))
        if ok is None:
            return False
        self.accept()
        return True
