"""Workshop mode switch on a 300-item run: from asking for the window to its first paint
(target ≤ 100 ms), offscreen at 1920×1080.

A fresh workspace gets a 300-item template (chapters 4–10, half answered) and a run. Each
repetition builds ``WorkshopWindow``, shows it and processes events until the window has
painted once. The first (cold) open is reported apart: it imports the module. The score chart
(matplotlib) is built after the first paint; the time until it is drawn is reported as an
informational figure. Baseline: a bare ``QWidget`` of the same size shown to its first paint.

    python -m bench workshop
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

LIMIT_MS = 100.0
ITEMS = 300


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _make_run(path: Path) -> int:
    from qms_desktop.services import checklists as C
    from qms_desktop.services.checklists import ItemSpec, TemplateSpec
    from qms_desktop.storage.workspace import create_workspace

    ws = create_workspace(path, organization="Bench")
    try:
        chapters = ("4", "5", "6", "7", "8", "9", "10")
        items = [ItemSpec(f"{chapters[i % 7]} Chapter", f"{chapters[i % 7]}.{i % 5 + 1}",
                          f"Question {i + 1}: is the requirement met and shown by records?",
                          "Ask for two recent examples and compare them with the procedure.",
                          "Records; the procedure") for i in range(ITEMS)]
        tid = C.create_template(ws, TemplateSpec("bench", "Bench", "1", "gap_analysis", "",
                                                 "", items)).result
        run = C.start_run(ws, tid, {"started_on": dt.date(2025, 1, 1)}).result
        results = {n: ("1", "2", "3", "4")[n % 4] for n in range(1, ITEMS // 2 + 1)}
        C.enter_results(ws, run, results)
        return run
    finally:
        ws.close()


def bench_workshop(repeat: int = 7) -> dict[str, Any]:
    app = _app()
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QUndoGroup
    from PySide6.QtWidgets import QWidget

    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    tmp = Path(tempfile.mkdtemp(prefix="qms-bench-workshop-"))
    run = _make_run(tmp / "workshop.qms")
    controller = WorkspaceController(TaskRunner(), QUndoGroup(), backup_minutes=0)
    controller.open(tmp / "workshop.qms")

    class Painted(QObject):
        seen = False

        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.seen = True
            return False

    def to_first_paint(make) -> tuple[float, Any]:
        flag = Painted()
        t0 = time.perf_counter()
        w = make()
        w.installEventFilter(flag)
        w.resize(1920, 1080)
        w.show()
        while not flag.seen:
            app.processEvents()
        return (time.perf_counter() - t0) * 1000.0, w

    def workshop():
        from qms_desktop.ui.checklists.workshop import WorkshopWindow

        return WorkshopWindow(controller, run)

    try:
        cold, w = to_first_paint(workshop)
        w.close()
        w.deleteLater()
        app.processEvents()
        times, bare, chart = [], [], []
        for _ in range(repeat):
            ms, w = to_first_paint(workshop)
            times.append(ms)
            t0 = time.perf_counter()
            while w._chart is None:
                app.processEvents()
            w._chart[1].draw()
            chart.append(ms + (time.perf_counter() - t0) * 1000.0)
            w.close()
            w.deleteLater()
            app.processEvents()
            ms, b = to_first_paint(QWidget)
            bare.append(ms)
            b.close()
            b.deleteLater()
            app.processEvents()
        # answering an item and moving on, with the chart redraw that follows
        w = workshop()
        w.resize(1920, 1080)
        w.show()
        while w._chart is None:
            app.processEvents()
        answer = []
        for i in range(20):
            t0 = time.perf_counter()
            w.answer("conform" if i % 2 else "partial")
            w.next_item()
            app.processEvents()
            answer.append((time.perf_counter() - t0) * 1000.0)
        w.close()
    finally:
        for stack in controller.undo_group.stacks() if hasattr(controller, "undo_group") \
                else []:
            stack.clear()
        controller.close()
    return {"open_ms": statistics.median(times), "bare_ms": statistics.median(bare),
            "cold_ms": cold, "chart_ms": statistics.median(chart),
            "answer_ms": statistics.median(answer), "open_runs": times, "repeat": repeat}


def bench_workshop_figures(quick: bool = False) -> list:
    from bench.figures import Figure

    r = bench_workshop(repeat=3 if quick else 7)
    return [
        Figure("workshop.open", f"workshop window on a {ITEMS}-item run to first paint "
               "(1920×1080)", r["open_ms"], "ms", baseline=r["bare_ms"],
               baseline_label="bare QWidget of the same size to first paint",
               target=LIMIT_MS, target_on="value",
               note=f"median of {r['repeat']}; first (cold, module import) {r['cold_ms']:.0f} "
                    f"ms; runs {', '.join(f'{x:.0f}' for x in r['open_runs'])}",
               details=r),
        Figure("workshop.chart", "… until the live score chart is drawn (after first paint)",
               r["chart_ms"], "ms", note="informational, no target"),
        Figure("workshop.answer", "answer an item and move to the next (events processed)",
               r["answer_ms"], "ms", note="median of 20; informational"),
    ]


if __name__ == "__main__":
    for f in bench_workshop_figures():
        print(f.line())
