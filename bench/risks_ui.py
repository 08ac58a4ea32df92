"""Risk register page on a large workspace (5,000 risks): open, sort, filter, one cell edit.

``bench_risks_ui(ws_path)`` times, on a *copy-safe* workspace (it edits risk titles):

* **open**: build the Risks page on an open workspace, show it and paint it once (rows read,
  filter combos filled, table and detail panel painted) — target ≤ 150 ms;
* **sort**: one header click (sort the 5,000 rows by a column and repaint) — target ≤ 50 ms;
* **filter**: one filter change (text, owner, level, overdue) with the repaint — ≤ 50 ms;
* **edit**: one cell edit committed with its audit event (the undo command running
  ``update_risks`` while the workspace records its change set) — target ≤ 10 ms; the full inline
  edit (command + the row re-read + repaint) is reported beside it;
* **charts tab**: the first switch to the "Heat maps & Pareto" tab of a page, from the switch
  to the tab painted — target ≤ 50 ms — and to both chart canvases painted (reported beside it).
  The page imports matplotlib on a worker thread after its first paint; the figure is taken
  once that has finished (a user reads the register before opening the tab), and says whether
  matplotlib was already imported when the page was built.

Medians over ``repeat`` runs (open) or over several columns/filters/edits. Runs offscreen::

    python -m bench.risks_ui [WORKSPACE.qms]   # default: a copy of the cached large workspace
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

OPEN_LIMIT_MS = 150.0
SORT_LIMIT_MS = 50.0
FILTER_LIMIT_MS = 50.0
EDIT_LIMIT_MS = 10.0
CHARTS_TAB_LIMIT_MS = 50.0


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _charts_tab(app, page) -> tuple[float, float]:
    """(ms from the switch to the charts tab to the tab painted, ms to both canvases
    painted) on a page whose charts were never shown."""
    from PySide6.QtCore import QEvent, QObject

    class Seen(QObject):
        def __init__(self):
            super().__init__()
            self.painted: set[int] = set()

        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                self.painted.add(id(obj))
            return False

    def wait(done, what: str) -> None:
        deadline = time.perf_counter() + 60
        while not done():
            app.processEvents()
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{what} was not painted within a minute")

    seen = Seen()
    holder = page.charts_holder
    holder.installEventFilter(seen)
    watched: list = []
    started = time.perf_counter()
    page.tabs.setCurrentWidget(holder)
    wait(lambda: id(holder) in seen.painted, "the charts tab")
    painted = _ms(started)

    def charts_painted() -> bool:
        if page.charts is None:
            return False
        if not watched:
            for canvas in (page.charts.heat_canvas, page.charts.pareto_canvas):
                canvas.installEventFilter(seen)
                watched.append(canvas)
                canvas.update()
        return all(id(c) in seen.painted for c in watched)

    wait(charts_painted, "the charts")
    ready = _ms(started)
    holder.removeEventFilter(seen)
    for canvas in watched:
        canvas.removeEventFilter(seen)
    return painted, ready


def bench_risks_ui(ws_path: str | Path, repeat: int = 5) -> dict[str, Any]:
    """Time the Risks page on the workspace at ``ws_path`` (it is edited: pass a copy)."""
    import sys

    mpl_before = "matplotlib" in sys.modules
    app = _app()
    from PySide6.QtCore import Qt

    from bench.ui_harness import Painter, start_page_bench
    from qms_desktop.services import risks
    from qms_desktop.ui.commands import EditCommand
    from qms_desktop.ui.risks import RisksPage

    controller, spec, done = start_page_bench(ws_path, "risks")
    ws = controller.workspace
    n = len(risks.list_risks(ws))  # warms the connection and SQLite's page cache
    painter = Painter(app)

    def paint(page) -> None:
        """Every figure includes one paint of the table."""
        painter.paint(page.table)

    # -- open
    open_ms: list[float] = []
    page = None
    for _ in range(repeat + 1):
        if page is not None:
            page.close()
            page.deleteLater()
            app.processEvents()
        started = time.perf_counter()
        page = RisksPage(controller, spec)
        painter.watch(page.table)
        page.resize(1400, 850)
        page.show()
        paint(page)
        open_ms.append(_ms(started))
    cold_open = open_ms.pop(0)
    if page.model.rowCount() != n:
        raise RuntimeError(f"the page shows {page.model.rowCount()} of {n} risks")

    # -- the charts tab, first switch (on the last page opened, its charts never shown)
    warm = getattr(page, "_charts_warm_up", None)
    if warm is not None:
        warm.join()
    charts_painted_ms, charts_ready_ms = _charts_tab(app, page)
    page.tabs.setCurrentIndex(0)
    paint(page)

    # -- sort (one header click each: ascending then descending)
    sort_ms: list[float] = []
    for key in ("title", "residual_level", "review_date", "rpn", "owner_id", "ref"):
        column = page.model.column_of[key]
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            started = time.perf_counter()
            page.table.sortByColumn(column, order)
            paint(page)
            sort_ms.append(_ms(started))
    page.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    # -- filter
    owner = next((r.owner_id for r in page.model.rows if r.owner_id is not None), None)
    steps = [dict(text="supplier"), dict(text="supplier late"), dict(text=""),
             dict(owner=owner), dict(owner=None), dict(level="high+"), dict(level=None),
             dict(overdue_only=True), dict(overdue_only=False),
             dict(cell=("inherent", 4, 4)), dict(cell=None)]
    filter_ms: list[float] = []
    shown = []
    for change in steps:
        started = time.perf_counter()
        page.proxy.set_filters(**change)
        paint(page)
        filter_ms.append(_ms(started))
        shown.append(page.proxy.rowCount())
    if shown[-1] != n or min(shown) >= n:
        raise RuntimeError(f"filters did not filter: {shown}")

    # -- edit: the command alone (commit + audit event), then the whole inline edit
    ids = [r.id for r in page.model.rows[:: max(1, n // 40)]][:40]
    commit_ms: list[float] = []
    for i, rid in enumerate(ids):
        values = {"title": f"Bench title {i}"}
        cmd = EditCommand(ws, "Change risk title",
                          lambda w, rid=rid, values=values: risks.update_risks(w, [rid], values))
        started = time.perf_counter()
        cmd.execute()
        commit_ms.append(_ms(started))
    inline_ms: list[float] = []
    title = page.model.column_of["title"]
    for i, rid in enumerate(ids):
        index = page.proxy.mapFromSource(page.model.index(page.model.row_of(rid), title))
        started = time.perf_counter()
        ok = page.proxy.setData(index, f"Edited inline {i}")
        paint(page)
        inline_ms.append(_ms(started))
        if not ok:
            raise RuntimeError("an inline edit was refused")
    if page.model.risk(ids[-1]).title != f"Edited inline {len(ids) - 1}":
        raise RuntimeError("the edited row was not refreshed")

    page.close()
    done()
    med = statistics.median
    return {
        "risks": n,
        "open_ms": round(med(open_ms), 1),
        "open_cold_ms": round(cold_open, 1),
        "open_limit_ms": OPEN_LIMIT_MS,
        "sort_ms": round(med(sort_ms), 1),
        "sort_max_ms": round(max(sort_ms), 1),
        "sort_limit_ms": SORT_LIMIT_MS,
        "filter_ms": round(med(filter_ms), 1),
        "filter_max_ms": round(max(filter_ms), 1),
        "filter_limit_ms": FILTER_LIMIT_MS,
        "edit_commit_ms": round(med(commit_ms), 2),
        "edit_commit_max_ms": round(max(commit_ms), 2),
        "edit_limit_ms": EDIT_LIMIT_MS,
        "edit_inline_ms": round(med(inline_ms), 2),
        "charts_tab_ms": round(charts_painted_ms, 1),
        "charts_ready_ms": round(charts_ready_ms, 1),
        "charts_tab_limit_ms": CHARTS_TAB_LIMIT_MS,
        "matplotlib_preloaded": mpl_before,
        "passed": (med(open_ms) <= OPEN_LIMIT_MS and med(sort_ms) <= SORT_LIMIT_MS
                   and med(filter_ms) <= FILTER_LIMIT_MS and med(commit_ms) <= EDIT_LIMIT_MS
                   and charts_painted_ms <= CHARTS_TAB_LIMIT_MS),
    }


def figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The result as ``bench.figures.Figure`` field dicts (for ``python -m bench``)."""
    n = result["risks"]
    return [
        dict(name="risks_ui", label=f"open the Risks page ({n:,} risks), median",
             value=result["open_ms"], unit="ms", target=result["open_limit_ms"],
             note=f"first open {result['open_cold_ms']} ms"),
        dict(name="risks_ui", label="sort the register (one header click), median",
             value=result["sort_ms"], unit="ms", target=result["sort_limit_ms"],
             note=f"slowest {result['sort_max_ms']} ms"),
        dict(name="risks_ui", label="filter the register (one change), median",
             value=result["filter_ms"], unit="ms", target=result["filter_limit_ms"],
             note=f"slowest {result['filter_max_ms']} ms"),
        dict(name="risks_ui", label="one cell edit committed with its audit event, median",
             value=result["edit_commit_ms"], unit="ms", target=result["edit_limit_ms"],
             note=f"whole inline edit incl. row re-read and repaint "
                  f"{result['edit_inline_ms']} ms"),
        dict(name="risks_ui", label="first switch to the charts tab, until the tab is painted",
             value=result["charts_tab_ms"], unit="ms", target=result["charts_tab_limit_ms"],
             note=f"both charts drawn {result['charts_ready_ms']} ms"
                  + ("" if result["matplotlib_preloaded"] else
                     "; matplotlib imported by the page's worker thread")),
    ]


def main(argv: list[str] | None = None) -> int:
    from bench.large import run_on_copy

    return run_on_copy(bench_risks_ui, "risks-ui", argv)


if __name__ == "__main__":
    raise SystemExit(main())


def bench_risks_ui_figures(workspace: str | Path) -> list[dict[str, Any]]:
    """Entry point for ``python -m bench risks_ui`` (on a copy of the large workspace)."""
    return figures(bench_risks_ui(workspace))
