"""The detail-panel base: one record's fields, bound the same way in every panel.

* Text (``QLineEdit``, ``QPlainTextEdit``) is bound with :class:`~..binding.FieldBinding`:
  committed after a pause in typing *and* when the user leaves the field, as one undo step per
  visit (``controller.edit_field``).
* Choices, ratings and dates commit when a value is picked (or the date field is left, or Enter
  pressed in it), one undo step each, through :meth:`DetailPanel.commit_value` —
  ``controller.edit_field`` unless a subclass needs a domain service (``risks.update_risks``
  clears a step that no longer belongs to the process, for example). A typed date that is no
  real date is refused in the field (:class:`~.delegates.DateEditor` marks it and says why;
  ``controller.notice`` carries the sentence to the status bar) and nothing is stored.
* :meth:`show_row` loads a row without making commands; the panel never calls back into its page:
  it gets the controller (and whatever lists its pickers offer) and the page gives it rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from ..binding import FieldBinding
from .delegates import DateEditor, ValueCombo, editor_value, set_editor_value

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


class DetailPanel(QWidget):
    def __init__(self, controller: "WorkspaceController", entity: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.entity = entity
        self.row: Any = None
        self.editors: dict[str, QWidget] = {}
        self.bindings: dict[str, FieldBinding] = {}
        self._loading = False

    # ------------------------------------------------------------------ binding
    def bind(self, field: str, editor: QWidget) -> QWidget:
        """Make ``editor`` show and edit ``field`` of the shown row; returns the editor."""
        self.editors[field] = editor
        if isinstance(editor, (QLineEdit, QPlainTextEdit)):
            self.bindings[field] = FieldBinding(self.controller, editor, self.entity, field)
        elif isinstance(editor, DateEditor):
            # typed text on Enter or leaving; Up/Down when left; a calendar pick at once
            editor.editingFinished.connect(lambda: self._commit(field))
            editor.dateChanged.connect(
                lambda _d: None if editor.hasFocus() else self._commit(field))
            editor.refused.connect(self.controller.notice.emit)  # for the status bar
        elif isinstance(editor, QComboBox):
            editor.activated.connect(lambda _i: self._commit(field))
            if editor.isEditable():
                editor.lineEdit().editingFinished.connect(lambda: self._commit(field))
        else:
            raise TypeError(f"cannot bind a {type(editor).__name__}")
        return editor

    def value_of(self, row: Any, field: str) -> Any:
        """The stored value of ``field`` in ``row`` (override for computed rows)."""
        return getattr(row, field)

    def commit_value(self, field: str, value: Any) -> bool:
        """Store a picked value as one undo step; False when refused (the user was told)."""
        ok = self.controller.edit_field(self.entity, self.row.id, field, value)
        if ok:
            self.controller.flush_undo_merges()  # the next pick is a step of its own
        return ok

    def _commit(self, field: str) -> None:
        """Commit what the editor of ``field`` holds now (text: pending typing)."""
        if self._loading or self.row is None:
            return
        binding = self.bindings.get(field)
        if binding is not None:
            binding.finish()
            return
        editor = self.editors[field]
        if isinstance(editor, DateEditor) and not editor.accept_text():
            return  # not a date: refused where it was typed, nothing stored
        value = editor.currentData() if type(editor) is QComboBox else editor_value(editor)
        current = self.value_of(self.row, field)
        if value == current and type(value) is type(current):
            return
        if not self.commit_value(field, value):
            self._load(field, editor, current)

    def flush(self) -> None:
        """Commit typing still waiting for its pause (before undo, another row, closing)."""
        for binding in self.bindings.values():
            binding.flush()

    # ------------------------------------------------------------------ showing
    def show_row(self, row: Any) -> None:
        """Show ``row`` (None: nothing) without making commands; a field the user is typing
        in keeps their text (it is committed after the pause)."""
        if row is None or self.row is None or row.id != self.row.id:
            self.flush()  # commit typing for the row shown so far
        self.row = row
        self._loading = True
        try:
            rid = row.id if row is not None else None
            for field, editor in self.editors.items():
                value = self.value_of(row, field) if row is not None else None
                binding = self.bindings.get(field)
                if binding is not None:
                    binding.set_record(rid, "" if value is None else str(value))
                    if isinstance(editor, QLineEdit) and not editor.hasFocus():
                        editor.setCursorPosition(0)
                else:
                    self._load(field, editor, value)
            self.fill(row)
        finally:
            self._loading = False

    def _load(self, field: str, editor: QWidget, value: Any) -> None:
        was, self._loading = self._loading, True
        try:
            if type(editor) is QComboBox:
                editor.setCurrentIndex(max(0, editor.findData(value)) if value is not None
                                       else 0)
            else:
                set_editor_value(editor, value)
        finally:
            self._loading = was

    def fill(self, row: Any) -> None:
        """Show what is not a bound field (headings, badges, lists) — for subclasses."""

    def set_read_only(self, read_only: bool) -> None:
        for field, editor in self.editors.items():
            binding = self.bindings.get(field)
            if binding is not None:
                binding.set_read_only(read_only)
            else:
                editor.setEnabled(not read_only)


__all__ = ["DetailPanel", "ValueCombo"]
