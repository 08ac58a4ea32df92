"""Bind a text widget to one field of one record, with real undo.

Typing is committed after a short pause (and when the user leaves the field or presses Enter) as
one field edit (:meth:`WorkspaceController.edit_field`); consecutive commits of the same field merge
into one undo step until the user leaves the field. Values loaded from the workspace (after an
undo, say) replace the text without creating commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from .commands import field_merge_key

if TYPE_CHECKING:  # pragma: no cover
    from .controller import WorkspaceController


class FieldBinding(QObject):
    def __init__(self, controller: "WorkspaceController", widget: QLineEdit | QPlainTextEdit,
                 entity: str, field: str, *, delay_ms: int = 700):
        super().__init__(widget)
        self.controller = controller
        self.widget = widget
        self.entity = entity
        self.field = field
        self.rid: int | None = None
        self.committed = ""
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._edited)
            widget.editingFinished.connect(self.finish)
        else:
            widget.textChanged.connect(self._edited)
        widget.installEventFilter(self)
        controller.flushRequested.connect(self.flush)

    # -- reading
    def text(self) -> str:
        w = self.widget
        return w.text() if isinstance(w, QLineEdit) else w.toPlainText()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    # -- loading
    def set_record(self, rid: int | None, value: str) -> None:
        """Show ``value`` of record ``rid`` (no command); a pending edit of another record is
        committed first."""
        if self.rid != rid:
            self.flush()
        elif self.pending:
            # the user is typing here: keep their text, it is committed after the pause
            self.committed = value
            return
        self.rid = rid
        self.committed = value
        if self.text() != value:
            self._loading = True
            try:
                if isinstance(self.widget, QLineEdit):
                    self.widget.setText(value)
                else:
                    self.widget.setPlainText(value)
            finally:
                self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        self.widget.setReadOnly(read_only)

    # -- editing
    def _edited(self, *_args) -> None:
        if self._loading or self.rid is None:
            return
        self._timer.start()

    def flush(self) -> None:
        """Commit the text now if it differs from the stored value."""
        self._timer.stop()
        ws = self.controller.workspace
        if self.rid is None or ws is None:
            return
        new = self.text()
        if new == self.committed:
            return
        old = self.committed
        # Mark it committed before pushing: the push notifies views, and a refresh that flushes
        # again must find nothing left to commit (no second push, no recursion).
        self.committed = new
        if not self.controller.edit_field(self.entity, self.rid, self.field, new):
            # refused (read-only, invalid): show the stored value
            self.committed = old
            self.set_record(self.rid, old)

    def finish(self) -> None:
        """The user left the field: commit, and start a new undo step next time."""
        self.flush()
        if self._is_top():
            self.controller.flush_undo_merges()

    def _is_top(self) -> bool:
        top = self.controller.top_command()
        return (top is not None and self.rid is not None
                and getattr(top, "merge_key", None) == field_merge_key(self.entity, self.rid,
                                                                        self.field))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if obj is self.widget and event.type() == QEvent.Type.FocusOut:
            self.finish()
        return False
