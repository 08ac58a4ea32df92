"""Baseline for the start-up and memory benchmarks: a bare PySide6 main window.

A QMainWindow holding a QListWidget (navigation) beside a QStackedWidget (pages), started the
same way as the app (``python -m bench.bare_window``) and exiting right after its first paint
event. Run with ``QT_QPA_PLATFORM=offscreen`` for a headless measurement.
"""

from __future__ import annotations

import sys

PAGES = ("Dashboard", "Processes", "Risks", "Training", "Checklists & Audits", "Documents",
         "Actions", "Objectives", "Audit trail")


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import (
        QApplication,
        QHBoxLayout,
        QLabel,
        QListWidget,
        QMainWindow,
        QStackedWidget,
        QWidget,
    )

    app = QApplication.instance() or QApplication(list(argv if argv is not None else sys.argv))
    win = QMainWindow()
    win.setWindowTitle("Bare window")
    central = QWidget()
    layout = QHBoxLayout(central)
    nav = QListWidget()
    stack = QStackedWidget()
    for name in PAGES:
        nav.addItem(name)
        stack.addWidget(QLabel(name))
    nav.currentRowChanged.connect(stack.setCurrentIndex)
    nav.setCurrentRow(0)
    layout.addWidget(nav, 1)
    layout.addWidget(stack, 4)
    win.setCentralWidget(central)
    win.resize(1200, 800)

    class FirstPaint(QObject):
        fired = False

        def eventFilter(self, obj, event):  # noqa: N802 (Qt naming)
            if (not self.fired and event.type() == QEvent.Type.Paint
                    and (obj is win or (obj.isWidgetType() and win.isAncestorOf(obj)))):
                self.fired = True
                QTimer.singleShot(0, app.quit)
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    win.show()
    code = app.exec()
    app.removeEventFilter(watcher)
    return code


if __name__ == "__main__":
    sys.exit(main())
