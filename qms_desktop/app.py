"""``qms-desktop``: start the GUI.

    qms-desktop [WORKSPACE] [--demo] [--read-only]
                [--exit-after-first-paint | --exit-when-ready]

The window paints first and opens the workspace right after (in the background), so it appears
as fast as a bare Qt window: this module and the UI modules it imports load only QtCore, QtGui
and QtWidgets; the storage layer is imported by the task that opens the workspace.

``--exit-after-first-paint`` quits with code 0 right after the main window's first paint (the
start-up benchmark); ``--exit-when-ready`` quits after the first paint that shows the opened
workspace (code 1 when it cannot be opened).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from . import __version__

ORGANIZATION = "QMS Workbench"
APPLICATION = "qms-desktop"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qms-desktop",
        description="QMS Workbench: an offline quality-management workbench.")
    p.add_argument("workspace", nargs="?", help="a workspace file (.qms) to open")
    p.add_argument("--demo", action="store_true",
                   help="open the demo workspace (created in your data folder once a day)")
    p.add_argument("--read-only", action="store_true", help="open the workspace read-only")
    exits = p.add_mutually_exclusive_group()
    exits.add_argument("--exit-after-first-paint", action="store_true",
                       help="quit right after the main window first painted (benchmarks)")
    exits.add_argument("--exit-when-ready", action="store_true",
                       help="quit after the opened workspace was painted (benchmarks)")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


class PaintWatcher(QObject):
    """Calls ``callback`` once, after the first paint of ``window`` (or a widget inside it)."""

    def __init__(self, window: QWidget, callback):
        super().__init__(window)
        self.window = window
        self.callback = callback
        self.armed = True
        QCoreApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if (self.armed and event.type() == QEvent.Type.Paint and obj.isWidgetType()
                and (obj is self.window or self.window.isAncestorOf(obj))):
            self.armed = False
            QCoreApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self, self.callback)  # after this paint has finished
        return False


def setup_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APPLICATION)
    return app


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else [sys.argv[0], *argv])
    args, qt_args = build_parser().parse_known_args(argv[1:])
    app = setup_application([argv[0], *qt_args])

    from .ui.errors import ExceptionHook
    from .ui.main_window import MainWindow
    from .ui.settings import Settings

    hook = ExceptionHook(app)
    hook.install()
    # let Ctrl+C in a terminal quit (Python runs signal handlers only between Qt events)
    signal.signal(signal.SIGINT, lambda *_a: app.quit())
    heartbeat = QTimer(app)
    heartbeat.start(500)
    heartbeat.timeout.connect(lambda: None)

    window = MainWindow(Settings())
    hook.window = window
    path = Path(args.workspace) if args.workspace else None
    if path is not None:
        window.welcome.set_busy(
            QCoreApplication.translate("app", "Opening “{name}”…").format(name=path.name))

    def start() -> None:
        if args.demo:
            window.open_demo(read_only=args.read_only)
        elif path is not None:
            window.open_path(path, read_only=args.read_only)

    if args.exit_after_first_paint:
        PaintWatcher(window, lambda: app.exit(0))
    else:
        PaintWatcher(window, start)
    if args.exit_when_ready:
        if path is None and not args.demo:
            print("qms-desktop: --exit-when-ready needs a WORKSPACE or --demo", file=sys.stderr)
            return 2
        window.controller.openFailed.disconnect(window._on_open_failed)

        def failed(p, error, _ro) -> None:
            print(f"qms-desktop: {error}", file=sys.stderr)
            app.exit(1)

        window.controller.openFailed.connect(failed)
        window.controller.opened.connect(
            lambda _ws: PaintWatcher(window, lambda: app.exit(0)))

    window.show()
    try:
        code = app.exec()
    finally:
        window.close()  # saves the window state, closes the workspace (backup if edited)
        window.controller.close()
        hook.uninstall()
    return code


if __name__ == "__main__":
    sys.exit(main())
