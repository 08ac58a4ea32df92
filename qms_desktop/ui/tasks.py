"""Background work: run a function on a thread pool, show progress with Cancel, deliver on the GUI.

Usage::

    runner.run(lambda ctx: ws.save_copy(dest), label=tr("Saving a copy…"), parent=window,
               on_result=done, on_error=failed)

The function receives a :class:`TaskContext`: ``ctx.progress(done, total, text)`` updates the
dialog, ``ctx.cancelled`` tells whether the user pressed Cancel (``ctx.check()`` raises
:class:`Cancelled`), and ``ctx.callback`` adapts the ``progress=`` callbacks services accept.
Results, errors and cancellation are delivered on the GUI thread (queued signals), so the
callbacks may touch widgets. Functions must not touch widgets themselves, and each opens its own
database connections (``ws.connect()`` / ``ws.session()``), never sharing them across threads.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget


class Cancelled(Exception):
    """Raised inside a task (by :meth:`TaskContext.check`) when the user pressed Cancel."""


class TaskContext:
    """What a running task sees: progress reporting and the cancel flag (thread-safe)."""

    _MIN_INTERVAL = 0.05  # seconds between progress signals (the dialog cannot show more)

    def __init__(self, task: "Task"):
        self._task = task
        self._last = 0.0
        self._done = 0
        self._total = 0

    @property
    def cancelled(self) -> bool:
        return self._task._cancel.is_set()

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()

    def progress(self, done: int | None = None, total: int | None = None,
                 text: str | None = None) -> None:
        """Report progress (``total`` 0 = unknown amount). Raises Cancelled once cancelled."""
        self.check()
        if done is not None:
            self._done = int(done)
        if total is not None:
            self._total = int(total)
        now = time.monotonic()
        if text is None and now - self._last < self._MIN_INTERVAL and self._done < self._total:
            return
        self._last = now
        self._task._progressed.emit(self._done, self._total, text if text is not None else "")

    def callback(self, *args: Any) -> None:
        """A ``progress=`` callback for services, whatever they pass.

        Accepts ``(text)``, ``(fraction)`` (0..1), ``(done, total)``, ``(done, total, text)`` or
        ``(text, done, total)``; raises :class:`Cancelled` when the user pressed Cancel, which
        stops the service at its next report.
        """
        texts = [a for a in args if isinstance(a, str)]
        nums = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
        text = texts[0] if texts else None
        if len(nums) >= 2:
            self.progress(int(nums[0]), int(nums[1]), text)
        elif len(nums) == 1 and isinstance(nums[0], float) and 0.0 <= nums[0] <= 1.0:
            self.progress(int(nums[0] * 1000), 1000, text)
        elif len(nums) == 1:
            self.progress(int(nums[0]), None, text)
        else:
            self.progress(None, None, text)


class _Runnable(QRunnable):
    def __init__(self, task: "Task"):
        super().__init__()
        self.setAutoDelete(False)
        self._task = task

    def run(self) -> None:  # worker thread
        self._task._execute()


class Task(QObject):
    """One piece of background work. Lives on the GUI thread; its function runs on the pool."""

    #: emitted on the GUI thread after the result/error/cancel callback ran
    finished = Signal()

    _progressed = Signal(int, int, str)
    _succeeded = Signal(object)
    _failed = Signal(object)
    _stopped = Signal(object)

    def __init__(self, runner: "TaskRunner", fn: Callable[[TaskContext], Any], *,
                 on_result: Callable[[Any], None] | None,
                 on_error: Callable[[BaseException], None] | None,
                 on_cancelled: Callable[[Any], None] | None):
        super().__init__(runner)
        self._runner = runner
        self._fn = fn
        self._on_result = on_result
        self._on_error = on_error
        self._on_cancelled = on_cancelled
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.context = TaskContext(self)
        self.dialog = None  # a QProgressDialog while one is shown
        self.result: Any = None
        self.error: BaseException | None = None
        self.delivered = False
        self._runnable = _Runnable(self)
        self._progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._succeeded.connect(self._on_success, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self._on_failure, Qt.ConnectionType.QueuedConnection)
        self._stopped.connect(self._on_stopped, Qt.ConnectionType.QueuedConnection)

    # -- any thread
    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the function returned (its callbacks run later, on the event loop)."""
        return self._done.wait(timeout)

    # -- worker thread
    def _execute(self) -> None:
        try:
            if self._cancel.is_set():
                raise Cancelled()
            result = self._fn(self.context)
        except Cancelled:
            self._done.set()
            self._stopped.emit(None)
        except BaseException as e:  # delivered to the GUI thread, never lost
            self._done.set()
            self._failed.emit(e)
        else:
            self._done.set()
            if self._cancel.is_set():
                self._stopped.emit(result)
            else:
                self._succeeded.emit(result)

    # -- GUI thread
    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        d = self.dialog
        if d is None or self._cancel.is_set():
            return
        if text:
            d.setLabelText(text)
        if total > 0:
            if d.maximum() != total:
                d.setRange(0, total)
            d.setValue(max(0, min(done, total)))
        elif d.maximum() != 0:
            d.setRange(0, 0)

    def _finish(self) -> None:
        self.delivered = True
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self._runner._active.discard(self)

    def _release(self) -> None:
        """Deleted once its callbacks and ``finished`` have run: a callback may open a modal
        dialog ("Open it now?") whose event loop would otherwise delete the task under it."""
        self.finished.emit()
        self._runner._forget(self)

    @Slot(object)
    def _on_success(self, result: Any) -> None:
        self.result = result
        self._finish()
        try:
            if self._on_result is not None:
                self._on_result(result)
        finally:
            self._release()

    @Slot(object)
    def _on_failure(self, error: BaseException) -> None:
        self.error = error
        self._finish()
        try:
            if self._on_error is not None:
                self._on_error(error)
            else:
                self._runner.report_error(error, self.dialog_parent)
        finally:
            self._release()

    @Slot(object)
    def _on_stopped(self, result: Any) -> None:
        self.result = result
        self._finish()
        try:
            if self._on_cancelled is not None:
                self._on_cancelled(result)
        finally:
            self._release()

    dialog_parent: QWidget | None = None


class TaskRunner(QObject):
    """Runs :class:`Task` s on its own thread pool; one per main window."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._active: set[Task] = set()
        #: called with (error, parent widget) for errors of tasks without ``on_error``
        self.error_handler: Callable[[BaseException, QWidget | None], None] | None = None

    def run(self, fn: Callable[[TaskContext], Any], *, label: str | None = None,
            title: str | None = None, parent: QWidget | None = None,
            on_result: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_cancelled: Callable[[Any], None] | None = None,
            cancellable: bool = True, show_after_ms: int = 400) -> Task:
        """Start ``fn(ctx)`` in the background; with ``label``, show a progress dialog with Cancel
        once it has run for ``show_after_ms``."""
        task = Task(self, fn, on_result=on_result, on_error=on_error, on_cancelled=on_cancelled)
        task.dialog_parent = parent
        if label is not None:
            from PySide6.QtWidgets import QProgressDialog  # only when needed (start-up time)

            d = QProgressDialog(label, self.tr("Cancel") if cancellable else None, 0, 0, parent)
            d.setWindowTitle(title or self.tr("QMS Workbench"))
            d.setWindowModality(Qt.WindowModality.WindowModal if parent is not None
                                else Qt.WindowModality.ApplicationModal)
            d.setAutoClose(False)
            d.setAutoReset(False)
            d.setMinimumDuration(max(0, show_after_ms))
            d.setValue(0)
            d.canceled.connect(task.cancel)
            task.dialog = d
        self._active.add(task)
        self.pool.start(task._runnable)
        return task

    def _forget(self, task: Task) -> None:
        self._active.discard(task)
        task.deleteLater()

    @property
    def active(self) -> list[Task]:
        return list(self._active)

    def cancel_all(self) -> None:
        for t in list(self._active):
            t.cancel()

    def wait_all(self, timeout: float = 30.0) -> bool:
        """Block until every started function returned (True) or ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        for t in list(self._active):
            if not t.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    def report_error(self, error: BaseException, parent: QWidget | None) -> None:
        if self.error_handler is not None:
            self.error_handler(error, parent)
        else:
            from .errors import report_exception

            report_exception(error, parent)
