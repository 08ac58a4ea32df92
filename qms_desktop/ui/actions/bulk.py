"""Set status, owner and due date of several actions at once (one undo step)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, \
    QVBoxLayout, QWidget

from ..table import CHOICE, COMBO, DATE, Item, make_editor
from ..table.delegates import editor_value
from .model import status_items, tr


class BulkEditDialog(QDialog):
    """Tick what to change; only ticked fields are written."""

    def __init__(self, count: int, people: list[Item], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Change {n} actions").format(n=count))
        form = QFormLayout()
        self.fields: dict[str, tuple[QCheckBox, QWidget]] = {}
        for key, label, kind, items in (
                ("status", tr("&Status"), CHOICE, status_items()),
                ("owner_id", tr("&Owner"), COMBO, people),
                ("due_date", tr("&Due date"), DATE, ())):
            box = QCheckBox(label, self)
            editor = make_editor(kind, self, items)
            editor.setEnabled(False)
            box.toggled.connect(editor.setEnabled)
            box.toggled.connect(lambda _on: self._update())
            form.addRow(box, editor)
            self.fields[key] = (box, editor)
        note = QLabel(tr("Only the ticked fields change, on all {n} selected actions, as one step "
                         "you can undo. Completing an action dates it.").format(n=count), self)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.values()))

    def set_field(self, key: str, value: Any) -> None:
        """Tick ``key`` and put ``value`` in its editor (used by tests and scripted runs)."""
        from ..table.delegates import set_editor_value

        box, editor = self.fields[key]
        box.setChecked(True)
        set_editor_value(editor, value)

    def values(self) -> dict[str, Any]:
        return {key: editor_value(editor) for key, (box, editor) in self.fields.items()
                if box.isChecked()}
