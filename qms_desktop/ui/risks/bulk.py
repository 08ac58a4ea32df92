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

from . import style
from .columns import CHOICE, DATE, LINK, RATING5, RATING10
from .delegates import Choices, editor_value, make_editor

tr = style.tr


def bulk_fields() -> tuple[tuple[str, str, str], ...]:
    """(field, label, kind) offered by the dialog."""
    return (
        ("owner_id", tr("Owner"), LINK),
        ("process_id", tr("Process"), LINK),
        ("status", tr("Status"), CHOICE),
        ("review_date", tr("Review date"), DATE),
        ("kind", tr("Kind"), CHOICE),
        ("category", tr("Category"), "text"),
        ("method", tr("Method"), CHOICE),
        ("inherent_likelihood", tr("Inherent likelihood"), RATING5),
        ("inherent_impact", tr("Inherent impact"), RATING5),
        ("residual_likelihood", tr("Residual likelihood"), RATING5),
        ("residual_impact", tr("Residual impact"), RATING5),
        ("severity", tr("Severity (S)"), RATING10),
        ("occurrence", tr("Occurrence (O)"), RATING10),
        ("detection", tr("Detection (D)"), RATING10),
    )


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
        self.checks: dict[str, QCheckBox] = {}
        self.editors: dict[str, QWidget] = {}
        for r, (key, label, kind) in enumerate(bulk_fields()):
            check = QCheckBox(label, inner)
            editor = make_editor(kind, key, inner, choices)
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
        from .delegates import set_editor_value

        self.checks[key].setChecked(True)
        set_editor_value(self.editors[key], value)

    def values(self) -> dict[str, Any]:
        return {key: editor_value(self.editors[key])
                for key, check in self.checks.items() if check.isChecked()}
