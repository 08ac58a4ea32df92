"""Training page on the large workspace (300 people, 120 courses, 20,000 records): open the
matrix, filter it, scroll it, add one record from a cell.

``bench_training_ui(ws_path)`` times, on a workspace it may edit (pass a copy):

* **open**: build the Training page, show it and paint the matrix once (the matrix computed
  from the file, filters filled) — target ≤ 300 ms;
* **filter**: one filter change (department, role, status, name, course) with the repaint —
  target ≤ 50 ms;
* **scroll**: a page of scrolling both ways with its repaint, while SQLite's statements are
  counted — target: no query at all while painting;
* **add**: one record added from a cell (the undo command, the row recomputed and repainted)
  — target ≤ 20 ms.

Baseline in the same run: a bare ``SELECT * FROM training_record`` fetch. Runs offscreen::

    python -m bench.training_ui [WORKSPACE.qms]   # default: a copy of the cached large one
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path
from typing import Any

OPEN_LIMIT_MS = 300.0
FILTER_LIMIT_MS = 50.0
ADD_LIMIT_MS = 20.0


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def bench_training_ui(ws_path: str | Path, repeat: int = 5) -> dict[str, Any]:
    app = _app()
    from bench.ui_harness import Painter, start_page_bench
    from qms_desktop.core import training as rules
    from qms_desktop.services import training
    from qms_desktop.ui.training import TrainingPage

    controller, spec, done = start_page_bench(ws_path, "training")
    ws = controller.workspace
    painter = Painter(app)

    def baseline() -> float:
        started = time.perf_counter()
        with ws.connect() as c:
            c.exec_driver_sql("SELECT * FROM training_record").fetchall()
        return _ms(started)

    base = [baseline() for _ in range(repeat)]

    def paint(page) -> None:
        painter.paint(page.view)

    # -- open
    open_ms: list[float] = []
    page = None
    for _ in range(repeat + 1):
        if page is not None:
            page.close()
            page.deleteLater()
            app.processEvents()
        started = time.perf_counter()
        page = TrainingPage(controller, spec)
        painter.watch(page.view)
        page.resize(1400, 850)
        page.show()
        paint(page)
        open_ms.append(_ms(started))
    cold = open_ms.pop(0)
    mx = page.matrix
    if page.model.rowCount() == 0 or page.model.columnCount() == 0:
        raise RuntimeError("the matrix is empty")

    # -- filter
    dept = next(p.department for p in mx.people if p.department)
    role = next(r for p in mx.people for r in p.roles)
    steps = [dict(department=dept), dict(department=None), dict(role=role), dict(role=None),
             dict(status=rules.EXPIRED), dict(status=None), dict(text="a"), dict(text=""),
             dict(course="1"), dict(course="")]
    filter_ms: list[float] = []
    for change in steps:
        started = time.perf_counter()
        page.model.set_filters(**change)
        paint(page)
        filter_ms.append(_ms(started))

    # -- scroll, counting the statements SQLite runs meanwhile
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    queries = [0]

    def count(*_a, **_k):
        queries[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    scroll_ms: list[float] = []
    try:
        h, v = page.view.horizontalScrollBar(), page.view.verticalScrollBar()
        for k in range(20):
            started = time.perf_counter()
            v.setValue((k * v.pageStep()) % max(v.maximum(), 1))
            h.setValue((k * h.pageStep()) % max(h.maximum(), 1))
            paint(page)
            scroll_ms.append(_ms(started))
    finally:
        event.remove(Engine, "before_cursor_execute", count)

    # -- add one record from a cell (command + row recomputed + repaint)
    add_ms: list[float] = []
    missing = [(p.id, c.id) for i, p in enumerate(mx.people) for j, c in enumerate(mx.courses)
               if mx.status[i][j] == rules.MISSING][:15]
    day = dt.date.today() - dt.timedelta(days=3)
    for pid, cid in missing:
        # the user adds a record from a cell they see: bring it into view first (untimed)
        page.view.scrollTo(page.model.index_of(pid, cid))
        paint(page)
        started = time.perf_counter()
        controller.edit("Record training", lambda w, pid=pid, cid=cid: training.add_records(
            w, cid, [pid], {"completed_on": day}))
        paint(page)
        add_ms.append(_ms(started))
        if page.matrix.cell(pid, cid)[0] == rules.MISSING:
            raise RuntimeError("the added record did not show")
    page.close()
    if controller.undo_stack is not None:
        controller.undo_stack.clear()
    done()
    med = statistics.median
    return {
        "people": len(mx.people), "courses": len(mx.courses),
        "baseline_ms": round(med(base), 1),
        "open_ms": round(med(open_ms), 1), "open_cold_ms": round(cold, 1),
        "filter_ms": round(med(filter_ms), 1), "filter_max_ms": round(max(filter_ms), 1),
        "scroll_ms": round(med(scroll_ms), 1), "scroll_queries": queries[0],
        "add_ms": round(med(add_ms), 1) if add_ms else None,
        "add_max_ms": round(max(add_ms), 1) if add_ms else None,
        "passed": (med(open_ms) <= OPEN_LIMIT_MS and med(filter_ms) <= FILTER_LIMIT_MS
                   and queries[0] == 0 and (not add_ms or med(add_ms) <= ADD_LIMIT_MS)),
    }


def figures(r: dict[str, Any]) -> list[dict[str, Any]]:
    size = f"{r['people']:,} people × {r['courses']:,} courses"
    base = f"baseline: bare fetch of every training record {r['baseline_ms']} ms"
    out = [
        dict(name="training_ui", label=f"open the Training page to first paint ({size}), median",
             value=r["open_ms"], unit="ms", target=OPEN_LIMIT_MS,
             note=f"first open {r['open_cold_ms']} ms; {base}"),
        dict(name="training_ui", label="filter the matrix (one change, with repaint), median",
             value=r["filter_ms"], unit="ms", target=FILTER_LIMIT_MS,
             note=f"slowest {r['filter_max_ms']} ms"),
        dict(name="training_ui", label="database statements while scrolling 20 pages",
             value=r["scroll_queries"], unit="", target=0,
             note=f"median repaint {r['scroll_ms']} ms"),
    ]
    if r["add_ms"] is not None:
        out.append(dict(name="training_ui", label="one record added from a cell, incl. the "
                        "row recomputed and repainted, median", value=r["add_ms"], unit="ms",
                        target=ADD_LIMIT_MS, note=f"slowest {r['add_max_ms']} ms"))
    return out


def bench_training_ui_figures(workspace: str | Path) -> list[dict[str, Any]]:
    """Entry point for ``python -m bench training_ui`` (on a copy of the large workspace)."""
    return figures(bench_training_ui(workspace))


def main(argv: list[str] | None = None) -> int:
    from bench.large import run_on_copy

    return run_on_copy(bench_training_ui, "training-ui", argv)


if __name__ == "__main__":
    raise SystemExit(main())
