"""KPI run chart: five years of weekly points (260) drawn as the Objectives page draws them.

``bench_kpi_chart_figures()`` measures

* the run chart (``services.exports.kpi_chart.run_chart_figure``: measurements, target line,
  XmR centre line and limits with the signals ringed, date axis, legend) built and rendered
  into the Qt canvas the page embeds (``FigureCanvasQTAgg``, ``draw()``), against a bare
  matplotlib line plot of the very same points on the same canvas class and size — interleaved,
  warm (matplotlib already imported, as after the page's first chart), best of 9 (3 with
  ``--quick``); target ≤ 200 ms absolute, the ratio is printed beside it;
* the page's refresh path: an ``ObjectivesPage`` over a workspace holding that KPI, timing a
  switch of the selected objective to it — measurements re-read, detail panel filled, the chart
  built and rendered (``RunChart.draw_now`` and the canvas's ``draw()``, which the page
  otherwise leaves to the next paint); target ≤ 200 ms.

    python -m bench kpi_chart
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

TARGET_MS = 200.0
POINTS = 260
SIZE = (7.0, 2.8)  # inches at 100 dpi: the chart pane of the page at 1280 × 800
DPI = 100


def _points(n: int = POINTS) -> list[tuple[dt.date, float]]:
    rng = random.Random(7)
    start = dt.date(2021, 1, 4)
    value, out = 92.0, []
    for i in range(n):
        value = min(100.0, max(80.0, value + rng.gauss(0.05, 1.2)))
        out.append((start + dt.timedelta(weeks=i), round(value, 1)))
    return out


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def _spread(runs: list[float]) -> str:
    return (f"min {min(runs):.1f} / median {statistics.median(runs):.1f} / "
            f"max {max(runs):.1f} ms")


def bench_kpi_chart_figures(quick: bool = False) -> list[Figure]:
    _app()
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure as MplFigure

    from qms_desktop.services.exports.kpi_chart import run_chart_figure

    points = _points()
    days = [d for d, _v in points]
    values = [v for _d, v in points]
    repeat = 3 if quick else 9

    def ours() -> None:
        fig = run_chart_figure(points, target=95.0, direction=">=", unit="%",
                               title="OBJ-01 On-time delivery", size=SIZE, dpi=DPI)
        FigureCanvasQTAgg(fig).draw()

    def bare() -> None:
        fig = MplFigure(figsize=SIZE, dpi=DPI)
        fig.add_subplot().plot(days, values)
        FigureCanvasQTAgg(fig).draw()

    ours(), bare()  # warm: imports, fonts, caches (the page pays these once)
    runs: dict = {ours: [], bare: []}
    for _ in range(repeat):
        for fn in (bare, ours):
            gc.collect()
            t = time.perf_counter()
            fn()
            runs[fn].append((time.perf_counter() - t) * 1000)
    figures = [Figure(
        "kpi_chart", f"KPI run chart, {POINTS} weekly points (target, XmR limits, signals, "
        "legend) built and rendered in the page's Qt canvas", min(runs[ours]), "ms",
        min(runs[bare]), "bare matplotlib line plot of the same points, same canvas and size",
        TARGET_MS, "value",
        f"best of {repeat} interleaved, warm; ours {_spread(runs[ours])}, bare "
        f"{_spread(runs[bare])}; ratio {min(runs[ours]) / min(runs[bare]):.2f}",
        details={"ours_ms": runs[ours], "bare_ms": runs[bare]})]
    figures.append(_page_refresh(points, repeat))
    return figures


def _page_refresh(points, repeat: int) -> Figure:
    from PySide6.QtGui import QUndoGroup
    from PySide6.QtWidgets import QApplication

    from qms_desktop.services import objectives
    from qms_desktop.storage.workspace import create_workspace
    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.objectives import ObjectivesPage
    from qms_desktop.ui.pages import page_specs
    from qms_desktop.ui.tasks import TaskRunner

    app = QApplication.instance()
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        ws = create_workspace(Path(folder) / "kpi.qms", organization="Bench", user="bench")
        big = objectives.add_objective(ws, {"title": "On-time delivery", "kind": "kpi",
                                            "target": 95, "unit": "%", "tolerance": 1.5,
                                            "frequency": "weekly"}).result
        objectives.paste_measurements(ws, big, "\n".join(f"{d.isoformat()}\t{v}"
                                                         for d, v in points))
        small = objectives.add_objective(ws, {"title": "Scrap", "target": 1.5}).result
        ctl = WorkspaceController(TaskRunner(), QUndoGroup())
        ctl.adopt(ws)
        spec = next(s for s in page_specs() if s.key == "objectives")
        page = ObjectivesPage(ctl, spec)
        page.resize(1280, 760)
        page.show()
        app.processEvents()
        runs = []
        try:
            for i in range(repeat + 1):
                page.select_ids([small])
                page.chart.draw_now()
                app.processEvents()
                gc.collect()
                t = time.perf_counter()
                page.select_ids([big])  # measurements, detail, chart series
                page.chart.draw_now()
                page.chart.canvas.draw()
                took = (time.perf_counter() - t) * 1000
                if i:  # the first switch warms the page's own caches
                    runs.append(took)
            shown = page.measurement_model.rowCount()
        finally:
            page.close()
            page.deleteLater()
            ctl.close()
            app.processEvents()
            ws.close()
    return Figure("kpi_chart", f"Objectives page: selecting a KPI with {shown} measurements "
                  "(measurements re-read, detail filled, run chart built and rendered)",
                  min(runs), "ms", target=TARGET_MS, target_on="value",
                  note=f"best of {repeat}, warm; {_spread(runs)}",
                  details={"runs_ms": runs})


if __name__ == "__main__":  # pragma: no cover
    for fig in bench_kpi_chart_figures(quick="--quick" in sys.argv):
        print(fig.line())
