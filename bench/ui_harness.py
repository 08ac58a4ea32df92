"""What the page benchmarks share: a private settings folder, a controller on the workspace, and
a paint that always paints once (so every figure includes one repaint)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def start_page_bench(ws_path: str | Path, key: str) -> tuple:
    """(controller on ``ws_path``, the spec of page ``key``, a function that closes both and
    removes the temporary settings folder the run uses)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QUndoGroup

    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.pages import page_specs
    from qms_desktop.ui.tasks import TaskRunner

    settings_dir = tempfile.mkdtemp(prefix="qms-bench-settings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    spec = next(s for s in page_specs() if s.key == key)
    controller = WorkspaceController(TaskRunner(), QUndoGroup(), backup_minutes=0)
    controller.open(Path(ws_path))

    def done() -> None:
        controller.close()
        shutil.rmtree(settings_dir, ignore_errors=True)

    return controller, spec, done


class Painter:
    """``painter.watch(view)`` once per view; ``painter.paint(view)`` lets Qt process pending
    events (the repaint they cause included) and paints now if nothing was painted."""

    def __init__(self, app):
        from PySide6.QtCore import QEvent, QObject

        class Counter(QObject):
            count = 0

            def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint:
                    self.count += 1
                return False

        self.app = app
        self.counter = Counter()

    def watch(self, view) -> None:
        view.viewport().installEventFilter(self.counter)

    def paint(self, view) -> None:
        before = self.counter.count
        self.app.processEvents()
        if self.counter.count == before:
            view.viewport().repaint()
