"""Undo commands over the generic record services — every editor reuses these.

A command changes data only through ``services.records`` (one unit of work per call, audited by
the storage layer) and reports what changed through ``on_change(Change)``; views listen to the
controller and refresh themselves, commands never touch widgets.

Push commands through :meth:`WorkspaceController.push`, which runs the first execution *before*
the command enters the undo stack: a refused change (read-only workspace, invalid value, full
disk) shows its message and leaves no undo step behind. Later undo/redo failures report through
``on_error`` and mark the command obsolete (Qt drops it from the stack).

* :class:`FieldEditCommand` — one field of one record. Consecutive edits of the same field merge
  into one undo step (``id()``/``mergeWith()``) until :meth:`~FieldEditCommand.seal` is called
  (an editor seals when the user leaves the field); an edit merged back to its original value
  becomes obsolete and disappears from the stack.
* :class:`CreateCommand` — a new record; undo deletes it, redo restores it with the same id.
* :class:`DeleteCommand` — a record and everything its delete rules remove or clear; undo
  restores all of it (same ids, same links).
* :class:`MacroCommand` — several of the above as one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from .labels import entity_label, field_label

if TYPE_CHECKING:  # pragma: no cover
    from ..services.records import Change, Deleted
    from ..storage.workspace import Workspace

#: ``QUndoCommand.id()`` of field edits (any constant other than -1; merging checks the record)
FIELD_EDIT_ID = 0x514D01


def tr(text: str) -> str:
    return QCoreApplication.translate("commands", text)


def _records():
    from ..services import records

    return records


class RecordCommand(QUndoCommand):
    """Base class: subclasses implement :meth:`apply` (do/redo) and :meth:`revert` (undo)."""

    def __init__(self, ws: "Workspace", text: str):
        super().__init__(text)
        self.ws = ws
        #: called with the Change after every successful do/undo/redo
        self.on_change: Callable[["Change"], None] | None = None
        #: called with the exception when an undo/redo fails (the command becomes obsolete)
        self.on_error: Callable[[BaseException], None] | None = None
        self._skip_redo = False

    # -- to implement
    def apply(self) -> "Change":
        raise TypeError(f"{type(self).__name__} must implement apply()")

    def revert(self) -> "Change":
        raise TypeError(f"{type(self).__name__} must implement revert()")

    # -- running
    def execute(self) -> "Change":
        """First execution; raises on failure. The next ``redo()`` (QUndoStack.push's) is skipped."""
        change = self.apply()
        self._skip_redo = True
        self._notify(change)
        return change

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, fn: Callable[[], "Change"]) -> None:
        try:
            change = fn()
        except Exception as e:
            self.setObsolete(True)
            if self.on_error is None:
                raise
            self.on_error(e)
        else:
            self._notify(change)

    def _notify(self, change: "Change") -> None:
        if self.on_change is not None:
            self.on_change(change)


class FieldEditCommand(RecordCommand):
    """Set ``field`` of record ``rid`` of ``entity`` from ``old`` to ``new``."""

    def __init__(self, ws: "Workspace", entity: str, rid: int, field: str, old: Any, new: Any,
                 *, text: str | None = None):
        super().__init__(ws, text or self.default_text(entity, field))
        self.entity = entity
        self.rid = rid
        self.field = field
        self.old = old
        self.new = new
        self.sealed = False

    @staticmethod
    def default_text(entity: str, field: str) -> str:
        if field in ("name", "title"):
            return tr("Rename {entity}").format(entity=entity_label(entity))
        return tr("Change {entity} {field}").format(entity=entity_label(entity),
                                                    field=field_label(field))

    def seal(self) -> None:
        """Stop merging: the next edit of this field becomes its own undo step."""
        self.sealed = True

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return FIELD_EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if (self.sealed or not isinstance(other, FieldEditCommand) or other.ws is not self.ws
                or (other.entity, other.rid, other.field) != (self.entity, self.rid, self.field)):
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)  # typed back to where it started: no undo step
        return True

    def apply(self) -> "Change":
        return _records().update_field(self.ws, self.entity, self.rid, self.field, self.new)

    def revert(self) -> "Change":
        return _records().update_field(self.ws, self.entity, self.rid, self.field, self.old)


class CreateCommand(RecordCommand):
    """Create a record of ``entity`` with ``values``; ``rid`` is its id once executed."""

    def __init__(self, ws: "Workspace", entity: str, values: dict[str, Any], *,
                 text: str | None = None):
        super().__init__(ws, text or tr("Add {entity}").format(entity=entity_label(entity)))
        self.entity = entity
        self.values = dict(values)
        self.rid: int | None = None
        self._deleted: "Deleted | None" = None

    def apply(self) -> "Change":
        if self._deleted is not None:  # redo: bring back the very same record
            change = _records().restore(self.ws, self._deleted)
            self._deleted = None
            return change
        self.rid, change = _records().create(self.ws, self.entity, self.values)
        return change

    def revert(self) -> "Change":
        self._deleted = _records().delete(self.ws, self.entity, self.rid)
        return self._deleted.change()


class DeleteCommand(RecordCommand):
    """Delete record ``rid`` of ``entity`` (with what its delete rules remove or clear)."""

    def __init__(self, ws: "Workspace", entity: str, rid: int, *, text: str | None = None):
        super().__init__(ws, text or tr("Delete {entity}").format(entity=entity_label(entity)))
        self.entity = entity
        self.rid = rid
        self.deleted: "Deleted | None" = None

    def apply(self) -> "Change":
        self.deleted = _records().delete(self.ws, self.entity, self.rid)
        return self.deleted.change()

    def revert(self) -> "Change":
        return _records().restore(self.ws, self.deleted)


class MacroCommand(RecordCommand):
    """Several record commands as one undo step, applied in order and reverted in reverse.

    If one part fails, the parts already applied are reverted before the error is raised, so the
    data is left as it was.
    """

    def __init__(self, ws: "Workspace", text: str, parts: Sequence[RecordCommand]):
        super().__init__(ws, text)
        self.parts = list(parts)

    def _each(self, parts: Sequence[RecordCommand], forward: bool) -> "Change":
        from ..services.records import Change

        total = Change()
        done: list[RecordCommand] = []
        try:
            for part in parts:
                total = total | (part.apply() if forward else part.revert())
                done.append(part)
        except Exception:
            for part in reversed(done):
                try:
                    part.revert() if forward else part.apply()
                except Exception:  # keep the first error; the later ones follow from it
                    pass
            raise
        return total

    def apply(self) -> "Change":
        return self._each(self.parts, True)

    def revert(self) -> "Change":
        return self._each(list(reversed(self.parts)), False)
