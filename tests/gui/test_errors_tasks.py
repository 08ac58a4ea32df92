"""The safety nets: the exception hook, friendly errors, background tasks."""

from __future__ import annotations

import threading

import pytest

from qms_desktop.ui import errors
from qms_desktop.ui.tasks import Cancelled, TaskRunner


def test_bug_is_logged_shown_and_the_app_keeps_running(window, dialogs):
    dialogs.allow_bugs = True
    hook = errors.ExceptionHook()
    hook.window = window
    try:
        raise ZeroDivisionError("a bug in a slot")
    except ZeroDivisionError as e:
        hook(type(e), e, e.__traceback__)
    assert [type(b) for b in dialogs.bugs] == [ZeroDivisionError]
    log = errors.log_path()
    assert log.exists() and "ZeroDivisionError: a bug in a slot" in log.read_text()
    assert "Traceback" in log.read_text()
    assert str(log) in dialogs.messages("bug")[0]
    assert window.isVisible()


def test_known_errors_get_the_friendly_dialog(window, dialogs):
    from qms_desktop.storage.workspace import WorkspaceError

    hook = errors.ExceptionHook()
    e = WorkspaceError("The disk is full: the last change was not saved.")
    hook(type(e), e, None)
    assert dialogs.kinds() == ["warning"]
    assert dialogs.messages()[0] == str(e)


def test_hook_limits_dialogs_but_logs_everything(dialogs):
    dialogs.allow_bugs = True
    hook = errors.ExceptionHook()
    for i in range(6):
        e = RuntimeError(f"bug {i}")
        hook(type(e), e, None)
    assert len(dialogs.bugs) == errors.ExceptionHook.MAX_DIALOGS_PER_MINUTE
    assert "bug 5" in errors.log_path().read_text()


def test_thread_exceptions_reach_the_gui_thread(dialogs, qtbot):
    dialogs.allow_bugs = True
    hook = errors.ExceptionHook()
    hook.install()
    try:
        t = threading.Thread(target=lambda: 1 / 0)
        t.start()
        t.join()
        qtbot.waitUntil(lambda: bool(dialogs.bugs))
    finally:
        hook.uninstall()
    assert isinstance(dialogs.bugs[0], ZeroDivisionError)


def test_install_and_uninstall_restore_the_hooks():
    import sys

    before_sys, before_thread = sys.excepthook, threading.excepthook
    hook = errors.ExceptionHook()
    hook.install()
    assert sys.excepthook is hook
    hook.uninstall()
    assert sys.excepthook is before_sys and threading.excepthook is before_thread


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    r.cancel_all()
    r.wait_all(10)


def test_results_arrive_on_the_gui_thread(runner, qtbot):
    seen = {}

    def work(ctx):
        seen["worker"] = threading.current_thread()
        ctx.progress(1, 2, "half")
        return 42

    def done(result):
        seen["result"] = result
        seen["callback"] = threading.current_thread()

    task = runner.run(work, on_result=done)
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    assert seen["result"] == 42
    assert seen["callback"] is threading.main_thread()
    assert seen["worker"] is not threading.main_thread()
    assert task.delivered and not runner.active


def test_errors_arrive_as_errors(runner, qtbot):
    got = []
    runner.run(lambda ctx: {}["missing"], on_error=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], KeyError)


def test_cancel_stops_a_cooperative_task(runner, qtbot):
    started = threading.Event()
    stopped = []

    def work(ctx):
        started.set()
        for i in range(1000):
            ctx.callback(f"step {i}", i, 1000)  # raises Cancelled once cancelled
            threading.Event().wait(0.01)
        return "finished"

    task = runner.run(work, label="Working…", on_result=lambda r: stopped.append(r),
                      on_cancelled=lambda r: stopped.append(("cancelled", r)))
    assert started.wait(5)
    task.dialog.canceled.emit()
    qtbot.waitUntil(lambda: bool(stopped), timeout=5000)
    assert stopped == [("cancelled", None)]
    assert task.dialog is None  # the progress dialog is gone


def test_context_callback_accepts_service_styles(runner, qtbot):
    from qms_desktop.ui.tasks import TaskContext

    class FakeTask:
        def __init__(self):
            self._cancel = threading.Event()
            self.sent = []

            class Sig:
                def emit(_s, *a):
                    self.sent.append(a)
            self._progressed = Sig()

    ft = FakeTask()
    ctx = TaskContext(ft)
    ctx.callback("creating the workspace")
    ctx.callback(0.5)
    ctx.callback(3, 10)
    ctx.callback("people", 10, 10)
    assert ft.sent[0] == (0, 0, "creating the workspace")
    assert ft.sent[-1] == (10, 10, "people")
    ft._cancel.set()
    with pytest.raises(Cancelled):
        ctx.callback("more")


@pytest.mark.parametrize("outcome", ["result", "error"])
def test_a_callback_that_runs_a_dialog_keeps_its_task_alive(runner, qtbot, outcome):
    """A result or error callback may open a modal dialog ("Open it now?"), whose event loop
    processes deferred deletes: the task must still exist when ``finished`` is emitted after
    it (it raised "Signal source has been deleted" on stderr)."""
    import sys

    from PySide6.QtCore import QCoreApplication, QEvent

    seen = []

    def callback(_value):
        # what a dialog's nested event loop does with posted deletes
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        seen.append("callback")

    errors_seen = []
    old_hook = sys.excepthook
    sys.excepthook = lambda *a: errors_seen.append(a[1])
    try:
        fn = (lambda ctx: 1) if outcome == "result" else (lambda ctx: 1 / 0)
        task = runner.run(fn, **{f"on_{outcome}": callback})
        with qtbot.waitSignal(task.finished, timeout=5000):
            pass
        assert seen == ["callback"] and errors_seen == []
        assert not runner.active
    finally:
        sys.excepthook = old_hook
