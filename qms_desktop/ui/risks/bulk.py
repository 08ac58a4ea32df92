"""Bulk edit: set the same values on every selected risk, in one transaction and one undo step."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..table import editor_value, make_editor, set_editor_value
from . import style
from .columns import risk_columns
from .delegates import Choices

tr = style.tr

#: the fields offered, in this order
BULK_FIELDS = ("owner_id", "process_id", "status", "review_date", "kind", "category", "method",
               "inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact",
               "severity", "occurrence", "detection")


def bulk_fields() -> tuple[tuple[str, str], ...]:
    """(field, label) offered by the dialog."""
    labels = {"inherent_likelihood": tr("Inherent likelihood"),
              "inherent_impact": tr("Inherent impact"),
              "residual_likelihood": tr("Residual likelihood"),
              "residual_impact": tr("Residual impact"), "severity": tr("Severity (S)"),
              "occurrence": tr("Occurrence (O)"), "detection": tr("Detection (D)")}
    columns = {c.key: c for c in risk_columns(Choices(dict, list))}
    return tuple((k, labels.get(k) or columns[k].title) for k in BULK_FIELDS)


class BulkEditDialog(QDialog):
    """Tick the fields to change and give their new value; :meth:`values` returns them."""

    def __init__(self, count: int, choices: Choices, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Edit {n} risks").format(n=count))
        lay = QVBoxLayout(self)
        intro = QLabel(tr("Tick each field to set on all {n} selected risks. Fields left "
                          "unticked keep their values. One Undo reverts the whole change.")
                       .format(n=count), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(scroll)
        grid = QGridLayout(inner)
        columns = {c.key: c for c in risk_columns(choices)}
        self.checks: dict[str, QCheckBox] = {}
        self.editors: dict[str, QWidget] = {}
        for r, (key, label) in enumerate(bulk_fields()):
            column = columns[key]
            check = QCheckBox(label, inner)
            editor = make_editor(column.editor, inner,
                                 column.items(None) if column.items is not None else ())
            editor.setEnabled(False)
            check.toggled.connect(editor.setEnabled)
            check.toggled.connect(self._update_ok)
            grid.addWidget(check, r, 0)
            grid.addWidget(editor, r, 1)
            self.checks[key] = check
            self.editors[key] = editor
        grid.setColumnStretch(1, 1)
        scroll.setWidget(inner)
        lay.addWidget(scroll, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._update_ok()
        self.resize(520, 560)

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(any(c.isChecked() for c in self.checks.values()))

    def set_field(self, key: str, value: Any) -> None:
        """Tick ``key`` and set its value (for tests and scripted use)."""
        self.checks[key].setChecked(True)
        set_editor_value(self.editors[key], value)

    def values(self) -> dict[str, Any]:
        return {key: editor_value(self.editors[key])
                for key, check in self.checks.items() if check.isChecked()}
