"""Errors the user sees: friendly dialogs for known problems, a safety net for bugs.

* :func:`show_error` shows a known problem (a ``WorkspaceError``: its text is a full sentence).
* :class:`ExceptionHook` replaces ``sys.excepthook`` (and ``threading.excepthook``): a bug is
  written with its traceback to a rotating log file in the user's data folder, a dialog names that
  file, and the app keeps running. Nothing is lost: every edit was committed when it was made.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

LOG_NAME = "qms-desktop.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5


def tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def is_known_error(error: BaseException) -> bool:
    """True for problems the user can act on (``WorkspaceError`` and its kinds)."""
    ws_mod = sys.modules.get("qms_desktop.storage.workspace")
    return ws_mod is not None and isinstance(error, ws_mod.WorkspaceError)


def log_path() -> Path:
    from .settings import data_dir

    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / LOG_NAME


def logger():
    """The app's logger, writing to the rotating log file (set up on first use)."""
    import logging
    import logging.handlers

    log = logging.getLogger("qms_desktop")
    path = log_path()
    for h in log.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and \
                Path(h.baseFilename) == path.absolute():
            return log
    for h in list(log.handlers):  # the data folder moved (tests): drop the old file
        if isinstance(h, logging.handlers.RotatingFileHandler):
            log.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return log


def log_exception(error: BaseException, tb: TracebackType | None = None) -> Path:
    """Write ``error`` with its traceback to the log file; return the file's path."""
    text = "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))
    try:
        log = logger()
        log.error("unexpected error\n%s", text.rstrip())
        for h in log.handlers:
            h.flush()
        return log_path()
    except OSError:  # the data folder cannot be written: keep the report on stderr at least
        sys.stderr.write(text)
        return Path()


def show_error(parent: QWidget | None, error: BaseException | str, title: str | None = None) -> None:
    """Show a known problem; ``error``'s text is already a full sentence."""
    from PySide6.QtWidgets import QMessageBox  # imported when needed: keeps start-up fast

    QMessageBox.warning(parent, title or tr("QMS Workbench"), str(error))


def show_bug_dialog(parent: QWidget | None, error: BaseException, path: Path) -> None:
    """Tell the user an unexpected error happened, where it was logged, and that work is safe."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(tr("Unexpected problem"))
    box.setText(tr("Something went wrong inside QMS Workbench. Your work is safe: every change "
                   "was saved when you made it."))
    where = str(path) if str(path) not in ("", ".") else tr("(the log could not be written)")
    box.setInformativeText(
        tr("The details were written to {path}. Please send that file to your support contact "
           "with a note of what you were doing.").format(path=where))
    box.setDetailedText("".join(traceback.format_exception(type(error), error,
                                                           error.__traceback__)))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    open_button = box.addButton(tr("Open Log Folder"), QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is open_button and where == str(path):
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def report_exception(error: BaseException, parent: QWidget | None = None) -> None:
    """Show ``error``: a friendly message for known problems, the bug dialog for the rest."""
    if is_known_error(error):
        show_error(parent, error)
        return
    path = log_exception(error)
    show_bug_dialog(parent, error, path)


class ExceptionHook(QObject):
    """``sys.excepthook`` for the GUI: log, tell the user, keep running."""

    _from_thread = Signal(object)

    #: at most this many bug dialogs per minute; more bugs are only logged (a paint loop bug
    #: would otherwise bury the user in dialogs)
    MAX_DIALOGS_PER_MINUTE = 3

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._prev_sys = None
        self._prev_thread = None
        self._showing = False
        self._shown: list[float] = []
        self.window: QWidget | None = None
        self._from_thread.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._prev_sys = sys.excepthook
        self._prev_thread = threading.excepthook
        sys.excepthook = self
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._prev_sys or sys.__excepthook__
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._prev_thread or threading.__excepthook__

    def __call__(self, etype, value, tb) -> None:
        if value is None:
            value = etype()
        if isinstance(value, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        if value.__traceback__ is None and tb is not None:
            value = value.with_traceback(tb)
        if threading.current_thread() is not threading.main_thread():
            self._thread_hook_value(value)
            return
        self._show(value)

    def _thread_hook(self, args) -> None:
        if args.exc_value is not None:
            self._thread_hook_value(args.exc_value)

    def _thread_hook_value(self, value: BaseException) -> None:
        log_exception(value)
        value.__dict__["_qms_logged"] = True
        self._from_thread.emit(value)

    @Slot(object)
    def _show(self, value: BaseException) -> None:
        known = is_known_error(value)
        path = log_path() if value.__dict__.get("_qms_logged") else (
            Path() if known else log_exception(value))
        if QApplication.instance() is None:
            return
        now = time.monotonic()
        self._shown = [t for t in self._shown if now - t < 60]
        if self._showing or len(self._shown) >= self.MAX_DIALOGS_PER_MINUTE:
            return
        self._showing = True
        self._shown.append(now)
        try:
            parent = self.window if self.window is not None and self.window.isVisible() else None
            if known:
                show_error(parent, value)
            else:
                show_bug_dialog(parent, value, path)
        finally:
            self._showing = False
