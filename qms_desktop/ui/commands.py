"""The one undo command: a label and a service call.

Every edit in every editor is one line::

    controller.edit(tr("Move shape"), lambda ws: processes.move_nodes(ws, moves))

:class:`EditCommand` runs the call while the workspace records every change set it commits
(:meth:`Workspace.recording`); undo plays that change set backwards and redo forwards again
(``services.records.invert`` / ``reapply``), exactly — same ids, same links, cascaded rows
included — each in one transaction with audit events of its own. No editor writes snapshot or
restore code.

Commands whose ``merge_key`` is equal (and not ``None``) merge into one undo step — typing into
one field, one drag — until :meth:`EditCommand.seal` is called (an editor seals when the user
leaves the field); a merged step that ends where it started becomes obsolete and disappears.

Push through :meth:`WorkspaceController.edit` (or ``push``), which runs the first execution
*before* the command enters the stack: a refused change (read-only workspace, invalid value, full
disk) shows its message and leaves no undo step behind. Undo/redo failures report through
``on_error`` and mark the command obsolete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Hashable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from .labels import entity_label, field_label

if TYPE_CHECKING:  # pragma: no cover
    from ..services.records import Change
    from ..storage.changes import ChangeSet
    from ..storage.workspace import Workspace

#: ``QUndoCommand.id()`` of mergeable edits (merging then compares the merge keys)
MERGE_ID = 0x514D01


def tr(text: str) -> str:
    return QCoreApplication.translate("commands", text)


def field_edit_text(entity: str, field: str) -> str:
    """The undo label of a change to one field ("Rename risk", "Change risk owner")."""
    if field in ("name", "title"):
        return tr("Rename {entity}").format(entity=entity_label(entity))
    return tr("Change {entity} {field}").format(entity=entity_label(entity),
                                                field=field_label(field))


def field_merge_key(entity: str, rid: int, field: str) -> tuple:
    return ("field", entity, rid, field)


class EditCommand(QUndoCommand):
    """One undo step: ``fn(ws)`` the first time, then its change set undone and redone."""

    def __init__(self, ws: "Workspace", text: str | Callable[[Any], str],
                 fn: Callable[["Workspace"], Any], *, merge_key: Hashable | None = None):
        # ``text`` may be a function of the result, for a label only known afterwards
        # ("Attach 2 files" when one of three was refused)
        super().__init__(text if isinstance(text, str) else "")
        self._label = None if isinstance(text, str) else text
        self.ws = ws
        self.fn = fn
        self.merge_key = merge_key
        self.sealed = False
        #: what ``fn`` returned (the Change's ``result`` when it returned a Change)
        self.result: Any = None
        self.changeset: "ChangeSet | None" = None
        #: called with the Change after every successful do/undo/redo
        self.on_change: Callable[["Change"], None] | None = None
        #: called with the exception when an undo/redo fails (the command becomes obsolete)
        self.on_error: Callable[[BaseException], None] | None = None
        self._skip_redo = False

    @classmethod
    def committed(cls, ws: "Workspace", text: str, change: "Change") -> "EditCommand":
        """A step for work already committed elsewhere (an import that ran in the background):
        its first execution only reports ``change``; undo and redo replay its change set."""
        cmd = cls(ws, text, lambda _ws: change)
        cmd._done = change
        return cmd

    # -- first run
    def execute(self) -> "Change":
        """Run the service call; raises on failure, leaving the data as it was. The next
        ``redo()`` (QUndoStack.push's) is skipped."""
        from ..services import records
        from ..storage.changes import Change

        done = getattr(self, "_done", None)
        if done is not None:  # committed before: nothing to run
            self.result, self.changeset = done.result, done.changeset
            self._skip_redo = True
            self._notify(done)
            return done
        with self.ws.recording() as rec:
            try:
                out = self.fn(self.ws)
            except BaseException:
                if rec.changeset:  # a call of several transactions failed half-way
                    try:
                        records.invert(self.ws, rec.changeset)
                    except Exception:  # keep the first error
                        pass
                raise
        self.result = out.result if isinstance(out, Change) else out
        self.changeset = rec.changeset
        if self._label is not None:
            self.setText(self._label(self.result))
        change = Change.from_changeset(rec.changeset, self.result)
        self._skip_redo = True
        self._notify(change)
        return change

    @property
    def changed_anything(self) -> bool:
        return bool(self.changeset)

    # -- undo stack
    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._run(lambda: self._records().reapply(self.ws, self.changeset))

    def undo(self) -> None:
        self._run(lambda: self._records().invert(self.ws, self.changeset))

    def seal(self) -> None:
        """Stop merging: the next edit becomes its own undo step."""
        self.sealed = True

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if (self.sealed or not isinstance(other, EditCommand) or other.ws is not self.ws
                or other.merge_key != self.merge_key or self.merge_key is None):
            return False
        self.changeset = self.changeset + other.changeset
        self.result = other.result
        if self.changeset.is_noop():
            self.setObsolete(True)  # back where it started: no undo step
        return True

    # -- helpers
    @staticmethod
    def _records():
        from ..services import records

        return records

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
