"""Actions page on the large workspace (10,000 actions): open and filter, against same-run
baselines.

``bench_actions_ui(ws_path)`` times, offscreen:

* **open**: build the Actions page on an open workspace, show it and paint it once (every action
  read, owner filter filled, column layout restored, table and detail painted) — target
  ≤ 150 ms. Baseline: the cheapest way to show the same list — the same rows fetched with bare
  ``sqlite3`` into a plain ``QAbstractTableModel`` behind a ``QTableView``, shown and painted.
* **filter**: one filter change (text, status, owner, source, overdue only) with the repaint —
  target ≤ 50 ms. Baseline: ``QSortFilterProxyModel.setFilterFixedString`` over the baseline
  model, with the repaint.
* (informational) **bulk edit**: status of 100 selected actions as one undo step, with the rows
  re-read and repainted.

If the workspace holds fewer than ``want`` actions, the missing ones are added first with
``storage.audit.bulk_insert`` (the large workspace already has 10,000). Medians over ``repeat``
opens and over the filter steps::

    python -m bench.actions_ui [WORKSPACE.qms]   # default: a copy of the cached large workspace
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

OPEN_LIMIT_MS = 150.0
FILTER_LIMIT_MS = 50.0
WANT_ACTIONS = 10_000

BASE_SQL = (
    "SELECT a.id, a.ref, a.title, p.name, a.due_date, a.status, a.completed_on, "
    "a.effectiveness_check, a.effective, r.ref, r.title, f.ref, n.ref, m.title FROM action a "
    "LEFT JOIN person p ON p.id = a.owner_id LEFT JOIN risk r ON r.id = a.risk_id "
    "LEFT JOIN finding f ON f.id = a.finding_id "
    "LEFT JOIN nonconformity n ON n.id = a.nonconformity_id "
    "LEFT JOIN management_review m ON m.id = a.review_id ORDER BY a.id")


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def top_up(path: Path, want: int) -> int:
    """Make sure the workspace at ``path`` holds at least ``want`` actions; returns the count."""
    from sqlalchemy import func, select

    from qms_desktop.storage import models as m
    from qms_desktop.storage.audit import bulk_insert
    from qms_desktop.storage.workspace import open_workspace

    ws = open_workspace(path)
    try:
        with ws.connect() as c:
            have = c.execute(select(func.count()).select_from(m.Action)).scalar_one()
            risks = c.execute(select(m.Risk.id).limit(500)).scalars().all()
            people = c.execute(select(m.Person.id).limit(50)).scalars().all()
        if have < want:
            today = dt.date.today()
            with ws.session() as s:
                bulk_insert(s, m.Action, [
                    {"ref": f"B-{i:05d}", "title": f"Bench action {i}", "kind": "treatment",
                     "status": ("open", "in_progress", "done")[i % 3],
                     "owner_id": people[i % len(people)] if people else None,
                     "due_date": today + dt.timedelta(days=(i % 400) - 200),
                     "risk_id": risks[i % len(risks)] if risks else None}
                    for i in range(want - have)])
        return max(have, want)
    finally:
        ws.close()


def bench_actions_ui(ws_path: str | Path, repeat: int = 5, want: int = WANT_ACTIONS
                     ) -> dict[str, Any]:
    """Time the Actions page on the workspace at ``ws_path`` (it is edited: pass a copy)."""
    ws_path = Path(ws_path)
    n_wanted = top_up(ws_path, want) if want else 0
    app = _app()
    from PySide6.QtCore import QAbstractTableModel, QSortFilterProxyModel, Qt
    from PySide6.QtWidgets import QTableView

    from qms_desktop.services import actions
    from qms_desktop.ui.actions import ActionsPage

    from bench.ui_harness import Painter, start_page_bench

    controller, spec, done = start_page_bench(ws_path, "actions")
    ws = controller.workspace
    n = len(actions.list_actions(ws))  # warms the connection and SQLite's page cache
    if n_wanted and n < n_wanted:
        raise RuntimeError(f"the workspace holds {n} actions, {n_wanted} wanted")
    painter = Painter(app)
    paint = painter.paint

    # -- the baseline: bare sqlite3 rows in a minimal model and a plain view
    class Bare(QAbstractTableModel):
        def __init__(self, rows):
            super().__init__()
            self.rows = rows

        def rowCount(self, parent=None):  # noqa: N802
            return len(self.rows)

        def columnCount(self, parent=None):  # noqa: N802
            return 14

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole:
                v = self.rows[index.row()][index.column()]
                return "" if v is None else str(v)
            return None

    def bare_open():
        started = time.perf_counter()
        db = sqlite3.connect(ws_path)
        rows = db.execute(BASE_SQL).fetchall()
        db.close()
        model = Bare(rows)
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(model)
        proxy.setFilterKeyColumn(-1)
        view = QTableView()
        view.setModel(proxy)
        painter.watch(view)
        view.resize(1400, 850)
        view.show()
        paint(view)
        return _ms(started), view, proxy, model

    # -- open (interleaved with the baseline, so drift affects both alike)
    open_ms: list[float] = []
    base_open_ms: list[float] = []
    page = base = None
    for _ in range(repeat + 1):
        if page is not None:
            page.close()
            page.deleteLater()
            base[1].close()
            base[1].deleteLater()
            app.processEvents()
        base = bare_open()
        base_open_ms.append(base[0])
        started = time.perf_counter()
        page = ActionsPage(controller, spec)
        painter.watch(page.table)
        page.resize(1400, 850)
        page.show()
        paint(page.table)
        open_ms.append(_ms(started))
    cold_open = open_ms.pop(0)
    base_open_ms.pop(0)
    if page.model.rowCount() != n:
        raise RuntimeError(f"the page shows {page.model.rowCount()} of {n} actions")

    # -- filter
    owner = next((r.owner_id for r in page.model.rows if r.owner_id is not None), None)
    steps = [dict(text="calibrate"), dict(text="calibrate gauge"), dict(text=""),
             dict(status="unfinished"), dict(status=None), dict(owner=owner), dict(owner=None),
             dict(source_kind="finding"), dict(source_kind=None), dict(overdue_only=True),
             dict(overdue_only=False)]
    filter_ms: list[float] = []
    shown = []
    for change in steps:
        started = time.perf_counter()
        page.set_filters(**change)
        paint(page.table)
        filter_ms.append(_ms(started))
        shown.append(page.proxy.rowCount())
    if shown[-1] != n or min(shown) >= n:
        raise RuntimeError(f"filters did not filter: {shown}")
    base_filter_ms: list[float] = []
    _t, view, proxy, _model = base
    for text in ("calibrate", "calibrate gauge", "", "in_progress", "", "Silva", "",
                 "F-", "", "2024-", ""):
        started = time.perf_counter()
        proxy.setFilterFixedString(text)
        paint(view)
        base_filter_ms.append(_ms(started))

    # -- bulk edit of 100 rows as one undo step (informational)
    page.table.selectAll()
    ids = page.selected_ids()[:100]
    page.select_ids(ids)
    started = time.perf_counter()
    if not page.bulk_edit({"status": "in_progress"}):
        raise RuntimeError("the bulk edit was refused")
    paint(page.table)
    bulk_ms = _ms(started)
    if controller.undo_stack.count() != 1:
        raise RuntimeError("the bulk edit was not one undo step")

    page.close()
    base[1].close()
    done()
    med = statistics.median
    return {
        "actions": n,
        "open_ms": round(med(open_ms), 1),
        "open_cold_ms": round(cold_open, 1),
        "open_baseline_ms": round(med(base_open_ms), 1),
        "open_limit_ms": OPEN_LIMIT_MS,
        "filter_ms": round(med(filter_ms), 1),
        "filter_max_ms": round(max(filter_ms), 1),
        "filter_baseline_ms": round(med(base_filter_ms), 1),
        "filter_limit_ms": FILTER_LIMIT_MS,
        "bulk_edit_ms": round(bulk_ms, 1),
        "passed": med(open_ms) <= OPEN_LIMIT_MS and med(filter_ms) <= FILTER_LIMIT_MS,
    }


def figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The result as ``bench.figures.Figure`` field dicts (for ``python -m bench``)."""
    n = result["actions"]
    return [
        dict(name="actions_ui", label=f"open the Actions page ({n:,} actions), median",
             value=result["open_ms"], unit="ms", target=result["open_limit_ms"],
             baseline=result["open_baseline_ms"],
             baseline_label="bare sqlite3 rows in a plain QTableView, shown and painted",
             note=f"first open {result['open_cold_ms']} ms"),
        dict(name="actions_ui", label="filter the actions (one change), median",
             value=result["filter_ms"], unit="ms", target=result["filter_limit_ms"],
             baseline=result["filter_baseline_ms"],
             baseline_label="QSortFilterProxyModel fixed-string filter on the plain view",
             note=f"slowest {result['filter_max_ms']} ms; bulk edit of 100 actions (one undo "
                  f"step, rows re-read, repaint) {result['bulk_edit_ms']} ms"),
    ]


def bench_actions_ui_figures(workspace: str | Path, quick: bool = False
                             ) -> list[dict[str, Any]]:
    """Entry point for ``python -m bench actions_ui`` (on a copy of the large workspace)."""
    return figures(bench_actions_ui(workspace, repeat=3 if quick else 5))


def main(argv: list[str] | None = None) -> int:
    from bench.large import run_on_copy

    return run_on_copy(bench_actions_ui, "actions-ui", argv)


if __name__ == "__main__":
    raise SystemExit(main())
