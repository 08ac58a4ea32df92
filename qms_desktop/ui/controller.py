"""The open workspace, owned by one object: opening, closing, edits, undo stack and backups.

Pages never hold a workspace of their own: they ask the controller for it, push edits through
:meth:`WorkspaceController.push`, and refresh when :attr:`~WorkspaceController.changed` says a
kind of record they show was touched.

Opening runs in the background (a workspace may need a schema upgrade, and importing the storage
layer costs time at start-up); the result arrives as :attr:`opened` or :attr:`openFailed`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack

from .tasks import TaskContext, TaskRunner

if TYPE_CHECKING:  # pragma: no cover
    from ..services.overview import Overview
    from ..services.records import Change
    from ..storage.workspace import Workspace
    from .commands import EditCommand


def tr(text: str) -> str:
    return QCoreApplication.translate("controller", text)


@dataclass
class Opened:
    """What a background open delivers: the workspace and its first overview."""

    workspace: "Workspace"
    overview: "Overview"
    #: True when the user asked for read-only (as opposed to a writable open)
    requested_read_only: bool


def open_in_background(path: Path, read_only: bool) -> Opened:
    """Open ``path`` and read its overview (runs on a worker thread)."""
    from ..services.overview import overview
    from ..storage.workspace import open_workspace

    ws = open_workspace(path, read_only=read_only)
    try:
        ov = overview(ws)
    except BaseException:
        ws.close()
        raise
    return Opened(ws, ov, read_only)


def create_in_background(path: Path, organization: str, overwrite: bool) -> Opened:
    """Create a new workspace at ``path`` and read its overview (runs on a worker thread)."""
    from ..services.overview import overview
    from ..storage.workspace import create_workspace

    ws = create_workspace(path, organization=organization, overwrite=overwrite)
    try:
        ov = overview(ws)
    except BaseException:
        ws.close()
        raise
    return Opened(ws, ov, False)


def same_file(a: Path | str, b: Path | str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


class WorkspaceController(QObject):
    #: a workspace was opened (the Workspace); pages reload everything
    opened = Signal(object)
    #: opening ``path`` failed: (path, exception, read_only_was_requested)
    openFailed = Signal(object, object, bool)
    #: the workspace was closed
    closed = Signal()
    #: records changed (a services.records.Change); pages refresh when it touches their kinds
    changed = Signal(object)
    #: the audit trail's head hash after a change ("" when no workspace is open)
    headHashChanged = Signal(str)
    #: the opened workspace's history no longer holds a head this app saw (one sentence)
    historyChanged = Signal(str)
    #: a known problem or bug happened in an edit/undo/redo (the exception)
    errorOccurred = Signal(object)
    #: an automatic backup was written (its path) or failed (the CopyError)
    backupWritten = Signal(object)
    backupFailed = Signal(object)
    #: editors must commit what the user typed now (before undo/redo, copy, close)
    flushRequested = Signal()
    #: a sentence for the status bar (e.g. that a signature cleared the undo history)
    notice = Signal(str)

    def __init__(self, runner: TaskRunner, undo_group: QUndoGroup, parent: QObject | None = None,
                 *, backup_minutes: int = 15):
        super().__init__(parent)
        self.runner = runner
        self.undo_group = undo_group
        self._ws: "Workspace | None" = None
        self._stack: QUndoStack | None = None
        self.overview: "Overview | None" = None
        self._overview_stale = False
        self.head_hash = ""
        #: the number of the event ``head_hash`` belongs to, and that event's id
        self.head_event = 0
        self._head_id: int | None = None
        #: where the log of audit heads seen is kept (the app's data folder; None: no log)
        self.heads_dir: Path | None = None
        self.opening: Path | None = None
        #: edits since the last automatic backup (decides whether closing writes one)
        self.edited_since_backup = False
        #: any edit at all during this session of the workspace
        self.edited = False
        self._backup_task = None
        self._backup_timer = QTimer(self)
        self._backup_timer.setSingleShot(False)
        self._backup_timer.timeout.connect(self._periodic_backup)
        self.set_backup_interval(backup_minutes)

    # ------------------------------------------------------------------ state
    @property
    def workspace(self) -> "Workspace | None":
        return self._ws

    @property
    def path(self) -> Path | None:
        return self._ws.path if self._ws is not None else None

    @property
    def read_only(self) -> bool:
        return self._ws is not None and self._ws.read_only

    @property
    def changed_on_disk(self) -> str | None:
        """Why edits are refused: the file was replaced, moved or written by another program
        after it was opened (one sentence), or None. No automatic backup is written then: it
        would copy a file this window did not open into the rotation."""
        return getattr(self._ws, "changed_on_disk", None) if self._ws is not None else None

    @property
    def undo_stack(self) -> QUndoStack | None:
        return self._stack

    def set_backup_interval(self, minutes: int) -> None:
        self._backup_timer.stop()
        if minutes > 0:
            self._backup_timer.setInterval(minutes * 60_000)
            if self._ws is not None:
                self._backup_timer.start()
        else:
            self._backup_timer.setInterval(0)

    # ------------------------------------------------------------------ open / close
    def open_async(self, path: Path | str, *, read_only: bool = False, label: str | None = None,
                   parent=None) -> bool:
        """Open ``path`` in the background; False when another open is still running."""
        path = Path(path)
        return self._start(path, lambda ctx: open_in_background(path, read_only), read_only,
                           label, parent)

    def create_async(self, path: Path | str, *, organization: str = "", overwrite: bool = False,
                     label: str | None = None, parent=None) -> bool:
        """Create a workspace at ``path`` in the background and open it (like open_async)."""
        path = Path(path)
        return self._start(path, lambda ctx: create_in_background(path, organization, overwrite),
                           False, label, parent)

    def _start(self, path: Path, fn, read_only: bool, label, parent) -> bool:
        if self.opening is not None:
            return False
        self.opening = path

        def done(result: Opened) -> None:
            self.opening = None
            self.adopt(result.workspace, result.overview)

        def failed(error: BaseException) -> None:
            self.opening = None
            self.openFailed.emit(path, error, read_only)

        def cancelled(result: Opened | None) -> None:
            self.opening = None
            if result is not None:
                result.workspace.close()

        self.runner.run(fn, label=label, parent=parent, on_result=done, on_error=failed,
                        on_cancelled=cancelled, show_after_ms=800)
        return True

    def open(self, path: Path | str, *, read_only: bool = False) -> "Workspace":
        """Open ``path`` now (blocking); raises the storage layer's errors."""
        result = open_in_background(Path(path), read_only)
        self.adopt(result.workspace, result.overview)
        return result.workspace

    def adopt(self, ws: "Workspace", ov: "Overview | None" = None) -> None:
        """Make ``ws`` the open workspace (closing the previous one)."""
        if self._ws is not None:
            self.close()
        self._ws = ws
        self.edited = False
        self.edited_since_backup = False
        self._stack = QUndoStack(self)
        self.undo_group.addStack(self._stack)
        self.undo_group.setActiveStack(self._stack)
        if ov is None:
            from ..services.overview import overview

            ov = overview(ws)
        self.overview = ov
        self._overview_stale = False
        self.head_hash = ov.head_hash
        self.head_event = ov.head_event
        self._head_id = self._newest_event_id(ws)  # later changes read only what follows
        if self._backup_timer.interval() > 0 and not ws.read_only:
            self._backup_timer.start()
        self.opened.emit(ws)
        self.headHashChanged.emit(self.head_hash)
        self._check_history(ws)

    # ------------------------------------------------------------------ heads seen
    def _check_history(self, ws: "Workspace") -> None:
        """Compare the opened chain with the heads this app saw before; warn, then note it."""
        if self.heads_dir is None:
            return
        from ..services import heads

        try:
            found = heads.check(self.heads_dir, ws)
            if not found.ok:
                heads.dismiss(self.heads_dir, found)  # told once
            heads.record(self.heads_dir, ws, "open")
        except Exception:  # the log is a safeguard; it never stops a workspace from opening
            import logging

            logging.getLogger(__name__).exception("checking the audit heads seen failed")
            return
        if not found.ok:
            self.historyChanged.emit(found.problem)

    def record_head(self, why: str) -> None:
        """Note the open workspace's audit head in the log of heads seen (close, export,
        backup, copy)."""
        if self.heads_dir is None or self._ws is None:
            return
        from ..services import heads

        try:
            heads.record(self.heads_dir, self._ws, why)
        except Exception:
            import logging

            logging.getLogger(__name__).exception("noting the audit head failed")

    def close(self) -> None:
        """Close the workspace; writes an automatic backup first when it was edited."""
        ws = self._ws
        if ws is None:
            return
        self.flush_edits()
        self._backup_timer.stop()
        self.runner.cancel_all()
        self.runner.wait_all(30.0)
        if self.edited_since_backup and not ws.read_only and not self.changed_on_disk:
            try:
                path = ws.rotate_backups()
            except Exception as e:  # a CopyError: tell the user, close anyway (data is saved)
                self.backupFailed.emit(e)
            else:
                self.edited_since_backup = False
                self.backupWritten.emit(path)
        self.record_head("close")
        if self._stack is not None:
            self._stack.clear()
            self.undo_group.removeStack(self._stack)
            self._stack.deleteLater()
            self._stack = None
        self._ws = None
        self.overview = None
        self.head_hash = ""
        self.head_event = 0
        self._head_id = None
        ws.close()
        self.closed.emit()
        self.headHashChanged.emit("")

    # ------------------------------------------------------------------ edits
    def require_writable(self) -> None:
        from ..storage.workspace import WorkspaceError

        if self._ws is None:
            raise WorkspaceError(tr("No workspace is open."))
        if self._ws.read_only:
            raise WorkspaceError(tr("The workspace is open read-only, so it cannot be changed. "
                                    "Close it and open it again for editing when it is free."))

    def push(self, command: "EditCommand") -> bool:
        """Execute ``command`` and put it on the undo stack (when it changed anything); False
        (after telling the user) when the change was refused."""
        try:
            self.require_writable()
            command.on_change = self.notify
            command.on_error = self._command_failed
            command.execute()
        except Exception as e:
            self.errorOccurred.emit(e)
            return False
        assert self._stack is not None
        if command.changed_anything:
            if getattr(command, "final", False):
                self._stack.clear()
                self.notice.emit(tr("{step} cannot be undone; the undo history was cleared.")
                                 .format(step=command.text()))
            else:
                self._stack.push(command)
        return True

    def edit(self, label: str | Callable[[Any], str], fn: Callable[["Workspace"], Any], *,
             merge_key: Any = None, final: bool = False) -> Any:
        """Run the service call ``fn(ws)`` as one undo step labelled ``label``; return what it
        returned (a Change's ``result``; True when that is None), or None when it was refused
        (the user was told) — so ``if controller.edit(...)`` tests success.

        Calls with the same ``merge_key`` (not None) merge into one step until it is sealed
        (:meth:`flush_undo_merges`): typing into one field, one drag. ``label`` may be a
        function of the result, for a label only known once the call ran.

        ``final`` marks a step that cannot be undone — an electronic signature is an act on
        record, not an edit: it runs through the same command, and when it changed anything
        the undo history is cleared (earlier steps could otherwise change what was signed)."""
        from .commands import EditCommand

        if self._ws is None:
            self.errorOccurred.emit(self._no_workspace())
            return None
        cmd = EditCommand(self._ws, label, fn, merge_key=merge_key)
        if final:
            cmd.final = True
        if not self.push(cmd):
            return None
        return True if cmd.result is None else cmd.result

    def record(self, label: str, change: "Change") -> bool:
        """Put work already committed (a background import's Change) on the undo stack as one
        step labelled ``label`` and tell the pages; False when there is no workspace."""
        from .commands import EditCommand

        if self._ws is None:
            return False
        return self.push(EditCommand.committed(self._ws, label, change))

    def edit_field(self, entity: str, rid: int, field: str, value: Any, *,
                   label: str | None = None) -> bool:
        """Set one field of one record as an undo step that merges with the next edit of the
        same field (until sealed); False when refused."""
        from ..services import records
        from .commands import EditCommand, field_edit_text, field_merge_key

        if self._ws is None:
            self.errorOccurred.emit(self._no_workspace())
            return False
        cmd = EditCommand(self._ws, label or field_edit_text(entity, field),
                          lambda ws: records.update_field(ws, entity, rid, field, value),
                          merge_key=field_merge_key(entity, rid, field))
        return self.push(cmd)

    def _no_workspace(self):
        from ..storage.workspace import WorkspaceError

        return WorkspaceError(tr("No workspace is open."))

    def notify(self, change: "Change") -> None:
        """Record that ``change`` happened and tell the pages."""
        if self._ws is None:
            return
        self.edited = True
        self.edited_since_backup = True
        self._overview_stale = True
        self.changed.emit(change)
        self.refresh_head_hash()

    def current_overview(self) -> "Overview | None":
        """The workspace's headline figures, re-read after changes (None when none is open)."""
        if self._ws is None:
            return None
        if self._overview_stale or self.overview is None:
            from ..services.overview import overview

            self.overview = overview(self._ws)
            self._overview_stale = False
            if self.overview.head_hash != self.head_hash:
                self.head_hash = self.overview.head_hash
                self.head_event = self.overview.head_event
                self._head_id = None  # counted afresh with the next change
                self.headHashChanged.emit(self.head_hash)
        return self.overview

    @staticmethod
    def _newest_event_id(ws) -> int | None:
        """The id of the trail's newest event (None: unknown, counted with the next change)."""
        from sqlalchemy import func, select

        from ..storage.audit import AUDIT_TABLE

        try:
            with ws.connect() as conn:
                return conn.execute(select(func.max(AUDIT_TABLE.c.id))).scalar() or 0
        except Exception:  # the next change counts the trail instead
            return None

    def refresh_head_hash(self) -> None:
        """Bring the head up to date after a change: only the events appended since the head
        last read are looked at (the trail is append-only), not the whole trail."""
        if self._ws is None:
            return
        from ..storage.audit import events_after

        try:
            with self._ws.connect() as conn:
                if self._head_id is None or self.head_event == 0:
                    n, last, head = events_after(conn, 0)
                    n, self.head_event = n, 0
                else:
                    n, last, head = events_after(conn, self._head_id)
        except Exception:  # keep the last known hash; the next change retries
            return
        self._head_id = last
        if n and head != self.head_hash:
            self.head_hash = head
            self.head_event += n
            self.headHashChanged.emit(head)

    def _command_failed(self, error: BaseException) -> None:
        # Called from inside QUndoStack.undo()/redo(): report after it returned, and clear the
        # history, whose later steps assumed the failed one had worked.
        def later():
            if self._stack is not None:
                self._stack.clear()
            self.errorOccurred.emit(error)

        QTimer.singleShot(0, self, later)

    def flush_edits(self) -> None:
        """Ask every editor to commit pending typing (before undo/redo, copies, closing)."""
        self.flushRequested.emit()

    def undo(self) -> None:
        self.flush_edits()
        if self._stack is not None:
            self._stack.undo()

    def redo(self) -> None:
        self.flush_edits()
        if self._stack is not None:
            self._stack.redo()

    def flush_undo_merges(self) -> None:
        """Seal the top command so the next edit starts a new undo step."""
        if self._stack is None or self._stack.index() == 0:
            return
        top = self._stack.command(self._stack.index() - 1)
        seal = getattr(top, "seal", None)
        if seal is not None:
            seal()

    def top_command(self) -> "EditCommand | None":
        """The command the next undo would undo (None when there is none)."""
        if self._stack is None or self._stack.index() == 0:
            return None
        return self._stack.command(self._stack.index() - 1)

    # ------------------------------------------------------------------ backups
    def _periodic_backup(self) -> None:
        if self.edited_since_backup:
            self.backup_now()

    def backup_now(self) -> bool:
        """Write an automatic backup in the background; False when one is already running."""
        ws = self._ws
        if ws is None or ws.read_only or self.changed_on_disk:
            return False
        if self._backup_task is not None and self._backup_task.running:
            return False
        self.edited_since_backup = False

        def failed(e: BaseException) -> None:
            self.edited_since_backup = True
            self.backupFailed.emit(e)

        def run(ctx: TaskContext) -> Any:
            return ws.rotate_backups()

        def written(path) -> None:
            self.backupWritten.emit(path)
            if self._ws is ws:
                self.record_head("backup")

        self._backup_task = self.runner.run(run, on_result=written, on_error=failed)
        return True
