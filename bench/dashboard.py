"""The dashboard (cockpit) on the large workspace: first paint, all tiles filled, and the GUI
thread's responsiveness while the tiles fill.

``bench_dashboard(ws_path)`` builds the Dashboard page on an open workspace (the controller's
headline figures re-read each time, as after opening) and times, offscreen:

* **first paint**: from building the page to its first paint with every tile's frame and
  headline count — target ≤ 300 ms; baseline in the same run: a bare window with the same
  number of frames (8 tiles and 14 count cards, each a QFrame with three labels) painted once;
* **filled**: from building the page until every tile shows its figures (computed on the
  worker pool, one tile after the other) — target ≤ 1 s; baseline: the same tile computations
  run back to back on one thread (``services.dashboard.tiles``);
* **longest stall**: the longest gap between ticks of a 10 ms QTimer on the GUI thread from the
  first paint until the tiles are filled — target ≤ 100 ms (input is handled within a tenth of
  a second while the tiles fill).

Medians over ``repeat`` runs (the first, cold, run reported beside them). Runs offscreen::

    python -m bench.dashboard [WORKSPACE.qms]   # default: a copy of the cached large workspace
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

FIRST_PAINT_LIMIT_MS = 300.0
FILLED_LIMIT_MS = 1000.0
STALL_LIMIT_MS = 100.0
TICK_MS = 10


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


class _PaintSeen:
    """Notes whether a widget (or any of its children) was painted."""

    def __init__(self):
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            painted = False

            def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint:
                    self.painted = True
                return False

        self.filter = Filter()

    def watch(self, widgets) -> None:
        self.filter.painted = False
        for w in widgets:
            w.installEventFilter(self.filter)

    @property
    def painted(self) -> bool:
        return self.filter.painted


def _bare_window_ms(app, frames: int) -> float:
    """Build and paint a plain widget holding ``frames`` QFrames of three labels in a grid."""
    from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

    seen = _PaintSeen()
    started = time.perf_counter()
    root = QWidget()
    grid = QGridLayout(root)
    boxes = []
    for i in range(frames):
        f = QFrame(root)
        f.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(f)
        for text in (f"Caption {i}", f"{i * 37:,}", "detail line"):
            lay.addWidget(QLabel(text, f))
        grid.addWidget(f, i // 4, i % 4)
        boxes.append(f)
    root.resize(1400, 900)
    seen.watch(boxes)
    root.show()
    deadline = time.perf_counter() + 30
    while not seen.painted and time.perf_counter() < deadline:
        app.processEvents()
    took = _ms(started)
    root.close()
    root.deleteLater()
    app.processEvents()
    return took


def bench_dashboard(ws_path: str | Path, repeat: int = 5) -> dict[str, Any]:
    """Time the Dashboard page on the workspace at ``ws_path`` (read only)."""
    app = _app()
    from PySide6.QtCore import QEventLoop, QTimer

    from bench.ui_harness import start_page_bench
    from qms_desktop.services import dashboard as D
    from qms_desktop.ui.pages.dashboard import DashboardPage

    controller, spec, done = start_page_bench(ws_path, "dashboard")
    ws = controller.workspace
    # warm SQLite's page cache and the imports, as the window's start-up would have
    controller.current_overview()
    D.headline(ws)

    serial = []
    for _ in range(repeat):
        started = time.perf_counter()
        every = D.tiles(ws)
        serial.append(_ms(started))

    first_paint, filled, stall, bare = [], [], [], []
    page = None
    for _ in range(repeat + 1):
        if page is not None:
            page.close()
            page.deleteLater()
            app.processEvents()
        controller._overview_stale = True  # re-read as after opening the workspace
        seen = _PaintSeen()
        started = time.perf_counter()
        page = DashboardPage(controller, spec)
        page.resize(1400, 900)
        seen.watch(page.tiles.values())
        page.show()
        deadline = time.perf_counter() + 60
        while not seen.painted and time.perf_counter() < deadline:
            app.processEvents()
        if not seen.painted:
            raise RuntimeError("the dashboard was not painted within a minute")
        first_paint.append(_ms(started))
        ticks: list[float] = [time.perf_counter()]
        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        # the event loop sleeps between events, as the app's does (a processEvents() spin
        # would fight the worker for the interpreter)
        loop = QEventLoop()
        page.tilesFilled.connect(loop.quit)
        QTimer.singleShot(60_000, loop.quit)
        if not page.filled():
            loop.exec()
        page.tilesFilled.disconnect(loop.quit)
        timer.stop()
        if not page.filled():
            raise RuntimeError("the dashboard's tiles were not filled within a minute")
        filled.append(_ms(started))
        ticks.append(time.perf_counter())
        stall.append(max((b - a) * 1000.0 for a, b in zip(ticks, ticks[1:])))
        bare.append(_bare_window_ms(app, len(page.tiles) + len(page.cards)))
    if page.data["risks"].total != every.risks.total:
        raise RuntimeError("the page's figures differ from the service's")
    page.close()
    done()
    cold = (first_paint.pop(0), filled.pop(0), stall.pop(0))
    bare.pop(0)
    med = statistics.median
    return {
        "risks": every.risks.total,
        "first_paint_ms": round(med(first_paint), 1),
        "first_paint_cold_ms": round(cold[0], 1),
        "bare_frames_ms": round(med(bare), 1),
        "first_paint_limit_ms": FIRST_PAINT_LIMIT_MS,
        "filled_ms": round(med(filled), 1),
        "filled_cold_ms": round(cold[1], 1),
        "serial_tiles_ms": round(med(serial), 1),
        "filled_limit_ms": FILLED_LIMIT_MS,
        "stall_ms": round(med(stall), 1),
        "stall_max_ms": round(max(stall + [cold[2]]), 1),
        "stall_limit_ms": STALL_LIMIT_MS,
        "passed": (med(first_paint) <= FIRST_PAINT_LIMIT_MS and med(filled) <= FILLED_LIMIT_MS
                   and med(stall) <= STALL_LIMIT_MS),
    }


def figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The result as ``bench.figures.Figure`` field dicts (for ``python -m bench``)."""
    return [
        dict(name="dashboard", label="first paint (tile frames and headline counts), median",
             value=result["first_paint_ms"], unit="ms", target=result["first_paint_limit_ms"],
             baseline=result["bare_frames_ms"],
             baseline_label="bare window with as many frames",
             note=f"first (cold) {result['first_paint_cold_ms']} ms"),
        dict(name="dashboard", label="all tiles filled (worker, one tile after the other), "
             "median", value=result["filled_ms"], unit="ms", target=result["filled_limit_ms"],
             baseline=result["serial_tiles_ms"],
             baseline_label="the tiles computed back to back on one thread",
             note=f"first (cold) {result['filled_cold_ms']} ms"),
        dict(name="dashboard", label="longest GUI-thread stall while the tiles fill "
             f"({TICK_MS} ms timer), median", value=result["stall_ms"], unit="ms",
             target=result["stall_limit_ms"], note=f"worst run {result['stall_max_ms']} ms"),
    ]


def bench_dashboard_figures(workspace: str | Path) -> list[dict[str, Any]]:
    """Entry point for ``python -m bench dashboard`` (on a copy of the large workspace)."""
    return figures(bench_dashboard(workspace))


def main(argv: list[str] | None = None) -> int:
    from bench.large import run_on_copy

    return run_on_copy(bench_dashboard, "dashboard", argv)


if __name__ == "__main__":
    raise SystemExit(main())
