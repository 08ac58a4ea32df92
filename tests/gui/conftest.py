"""GUI test fixtures (pytest-qt, offscreen).

* Qt runs on the offscreen platform (set before Qt is imported).
* Each test gets its own HOME, data folder (QStandardPaths test mode) and settings file
  (QSettings in INI format under a temporary folder): nothing touches the real user's files.
* Every test here is marked ``gui``; Qt warnings fail it (except known platform noise).
* Message boxes and file dialogs never appear: ``dialogs`` replaces QMessageBox's and
  QFileDialog's static functions with recorders that answer as the test says; an unexpected
  bug dialog fails the test.
* Windows are registered with ``qtbot.addWidget`` and their undo stacks cleared before teardown.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

GUI_DIR = Path(__file__).resolve().parent

#: Qt messages that are platform noise, not problems in our code
QT_LOG_IGNORE = (
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
    r"QFont::setPointSizeF: Point size <= 0",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            inside = Path(str(item.fspath)).resolve().is_relative_to(GUI_DIR)
        except (OSError, ValueError):
            inside = False
        if inside:
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*QT_LOG_IGNORE))


@pytest.fixture(autouse=True)
def isolated_user(tmp_path, monkeypatch, qapp):
    """A private HOME, data folder and settings file for each test."""
    from PySide6.QtCore import QLocale, QSettings, QStandardPaths

    from qms_desktop.app import APPLICATION, ORGANIZATION

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    qapp.setOrganizationName(ORGANIZATION)
    qapp.setApplicationName(APPLICATION)
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    # numbers and dates in a known locale (the app formats them with QLocale())
    previous_locale = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield home
    QLocale.setDefault(previous_locale)
    import gc

    gc.collect()  # collect this test's Qt objects on the GUI thread, not in a later worker


@dataclass
class DialogRecorder:
    """Recorded message boxes / file dialogs, and the answers the test wants them to give."""

    calls: list[tuple[str, str, str]] = field(default_factory=list)
    #: answer of QMessageBox.question
    question_answer: Any = None
    #: file names QFileDialog returns, in order ("" = cancelled)
    open_files: list[str] = field(default_factory=list)
    save_files: list[str] = field(default_factory=list)
    bugs: list[BaseException] = field(default_factory=list)
    allow_bugs: bool = False

    def kinds(self) -> list[str]:
        return [k for k, _t, _m in self.calls]

    def messages(self, kind: str | None = None) -> list[str]:
        return [m for k, _t, m in self.calls if kind is None or k == kind]


@pytest.fixture
def dialogs(monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from qms_desktop.ui import errors

    rec = DialogRecorder(question_answer=QMessageBox.StandardButton.Yes)

    def box(kind, default):
        def show(parent, title, text, *args, **kwargs):
            rec.calls.append((kind, title, text))
            return rec.question_answer if kind == "question" else default
        return staticmethod(show)

    ok = QMessageBox.StandardButton.Ok
    monkeypatch.setattr(QMessageBox, "warning", box("warning", ok))
    monkeypatch.setattr(QMessageBox, "critical", box("critical", ok))
    monkeypatch.setattr(QMessageBox, "information", box("information", ok))
    monkeypatch.setattr(QMessageBox, "question", box("question", None))

    def get_open(parent, *args, **kwargs):
        rec.calls.append(("open-file", "", ""))
        return (rec.open_files.pop(0) if rec.open_files else "", "")

    def get_save(parent, *args, **kwargs):
        rec.calls.append(("save-file", "", ""))
        return (rec.save_files.pop(0) if rec.save_files else "", "")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save))

    def bug(parent, error, path):
        rec.calls.append(("bug", "", f"{error!r} logged to {path}"))
        rec.bugs.append(error)

    monkeypatch.setattr(errors, "show_bug_dialog", bug)
    yield rec
    if not rec.allow_bugs and rec.bugs:
        raise AssertionError(f"unexpected bug dialog(s): {rec.bugs!r}") from rec.bugs[0]


@pytest.fixture
def make_window(qtbot, dialogs):
    """Build MainWindows (shown, registered with qtbot); closed cleanly at teardown."""
    from qms_desktop.ui.main_window import MainWindow
    from qms_desktop.ui.settings import Settings

    made = []

    def make(show: bool = True):
        w = MainWindow(Settings())
        qtbot.addWidget(w)
        made.append(w)
        if show:
            w.show()
            qtbot.waitExposed(w)
        return w

    yield make
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    for w in made:
        for stack in w.undo_group.stacks():
            stack.clear()
        w.close()
        w.controller.close()
        w.deleteLater()
    # Delete the windows here, on the GUI thread: left to Python's cycle collector they could
    # be destroyed later on a worker thread (Qt warns: timers cannot be stopped from there).
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    made.clear()
    gc.collect()


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def open_ws(qtbot):
    """Open a workspace file in a window and wait until it is shown."""

    def do(window, path, *, read_only: bool = False, timeout: int = 10_000):
        window.open_path(path, read_only=read_only)
        qtbot.waitUntil(lambda: window.controller.workspace is not None
                        and window.controller.opening is None, timeout=timeout)
        return window.controller.workspace

    return do


@pytest.fixture
def make_ws(tmp_path):
    """Create a closed workspace file (``make_ws(name, organization=...)``)."""
    from qms_desktop.storage.workspace import create_workspace

    def make(name: str = "test.qms", organization: str = "Acme Precision", **kw) -> Path:
        path = tmp_path / name
        ws = create_workspace(path, organization=organization, **kw)
        ws.close()
        return path

    return make


@pytest.fixture
def controller(qtbot, ws):
    """A workspace controller over the ``ws`` fixture, for testing one page or editor alone;
    Qt errors it reports are collected in ``controller.errors``."""
    from PySide6.QtGui import QUndoGroup

    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    ctl = WorkspaceController(TaskRunner(), QUndoGroup())
    ctl.errors = []
    ctl.errorOccurred.connect(ctl.errors.append)
    ctl.adopt(ws)
    yield ctl
    if ctl.undo_stack is not None:
        ctl.undo_stack.clear()


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    """Error messages the code under test showed, recorded instead of shown (a modal box would
    block the test). Modules use it with ``pytestmark = pytest.mark.usefixtures("shown")``."""
    got: list[str] = []
    monkeypatch.setattr("qms_desktop.ui.errors.show_error",
                        lambda parent, e, title=None: got.append(str(e)))
    monkeypatch.setattr("qms_desktop.ui.errors.report_exception",
                        lambda e, parent=None: got.append(f"{type(e).__name__}: {e}"))
    return got
