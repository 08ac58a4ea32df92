"""Drive the real main window through every page: ``python -m bench.app_tour WORKSPACE``.

Used by the memory benchmark (run offscreen under ``bench.peak_rss``): builds the app's main
window, shows it, opens the workspace, lets events run for a second, then shows each navigation
page in turn, waiting after each until the window's background tasks are done, and exits.
Prints one JSON line ``{"pages": [...], "seconds": S}``; exit code 1 (with the reason on stderr)
when the workspace cannot be opened or the tour does not finish.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

SETTLE_MS = 1000
IDLE_POLL_MS = 50
PAGE_TIMEOUT_S = 60.0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m bench.app_tour WORKSPACE", file=sys.stderr)
        return 2
    path = Path(args[0])
    started = time.perf_counter()

    from PySide6.QtCore import Qt, QTimer

    from qms_desktop.app import setup_application

    app = setup_application([sys.argv[0]])
    from qms_desktop.ui.main_window import MainWindow
    from qms_desktop.ui.settings import Settings

    window = MainWindow(Settings())
    keys = [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]
    visited: list[str] = []
    outcome = {"code": 1}

    def finish(code: int, message: str = "") -> None:
        if message:
            print(f"app_tour: {message}", file=sys.stderr)
        outcome["code"] = code
        app.exit(code)

    def busy() -> bool:
        active = window.runner.active
        return bool(active() if callable(active) else active)

    def guarded(fn):
        """Run a step of the tour; a bug ends the run with code 1 instead of hanging it."""
        def run() -> None:
            try:
                fn()
            except Exception as e:  # reported, and the measurement is refused
                finish(1, f"the tour failed: {type(e).__name__}: {e}")
        return run

    def when_idle(then, deadline: float) -> None:
        if busy():
            if time.perf_counter() > deadline:
                finish(1, f"page “{visited[-1] if visited else '?'}” was still busy after "
                          f"{PAGE_TIMEOUT_S:.0f} s")
                return
            QTimer.singleShot(IDLE_POLL_MS, guarded(lambda: when_idle(then, deadline)))
        else:
            QTimer.singleShot(IDLE_POLL_MS, guarded(then))

    def visit(i: int) -> None:
        if i == len(keys):
            finish(0)
            return
        window.show_page(keys[i])
        visited.append(keys[i])
        when_idle(lambda: visit(i + 1), time.perf_counter() + PAGE_TIMEOUT_S)

    def opened(_ws) -> None:
        QTimer.singleShot(SETTLE_MS, guarded(lambda: visit(0)))

    def failed(_path, error, _read_only) -> None:
        finish(1, f"the workspace could not be opened: {error}")

    # report a failed open here instead of in a (modal) message box
    window.controller.openFailed.disconnect(window._on_open_failed)
    window.controller.openFailed.connect(failed)
    window.controller.opened.connect(opened)
    window.show()
    QTimer.singleShot(0, guarded(lambda: window.open_path(path)))
    try:
        app.exec()
    finally:
        window.close()
        window.controller.close()
    print(json.dumps({"pages": visited, "seconds": round(time.perf_counter() - started, 3)}))
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
