"""Checklists page: a 300-item run opened and answered from the keyboard.

``bench_checklists_ui(ws_path)`` adds (untimed) a 300-item template and a run of it to a
workspace it may edit (pass a copy), then times:

* **open**: the run shown in the Run tab with its first paint (items read, heading scored,
  the current item's panel filled) — target ≤ 150 ms;
* **answer**: one key (1–5) on the item table — the answer saved as its undo step, the row
  re-read, the heading re-scored, the next item current, repainted — target ≤ 20 ms.

Baseline in the same run: a bare fetch of the run's responses. Runs offscreen::

    python -m bench.checklists_ui [WORKSPACE.qms]   # default: a copy of the cached large one
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

OPEN_LIMIT_MS = 150.0
ANSWER_LIMIT_MS = 20.0
ITEMS = 300


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _big_run(ws) -> int:
    from qms_desktop.services import checklists as C

    items = [C.ItemSpec(f"{4 + n // 50} Chapter", f"{4 + n // 50}.{n % 50 // 10 + 1}.{n % 10 + 1}",
                        f"Question {n + 1}: is the requirement met and recorded?",
                        "Ask for two recent examples and look at the records.",
                        "Records, procedures, interviews") for n in range(ITEMS)]
    tid = C.create_template(ws, C.TemplateSpec("bench-300", "Bench checklist", "1",
                                               "gap_analysis", "ISO 9001", "", items)).result
    return C.start_run(ws, tid, {"auditor": "Bench"}).result


def bench_checklists_ui(ws_path: str | Path, repeat: int = 7) -> dict[str, Any]:
    app = _app()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from bench.ui_harness import Painter, start_page_bench
    from qms_desktop.ui.checklists import ChecklistsPage

    controller, spec, done = start_page_bench(ws_path, "checklists")
    ws = controller.workspace
    run_id = _big_run(ws)
    painter = Painter(app)

    def baseline() -> float:
        started = time.perf_counter()
        with ws.connect() as c:
            c.exec_driver_sql("SELECT * FROM response WHERE run_id = ?", (run_id,)).fetchall()
        return _ms(started)

    base = [baseline() for _ in range(repeat)]

    page = ChecklistsPage(controller, spec)
    page.resize(1400, 850)
    page.show()
    app.processEvents()
    view = page.run_view
    painter.watch(view.table)

    # -- open (another run shown in between, so each open reads the run again)
    open_ms: list[float] = []
    for _ in range(repeat + 1):
        view.set_run(None)
        app.processEvents()
        started = time.perf_counter()
        page.open_run(run_id)
        painter.paint(view.table)
        open_ms.append(_ms(started))
    cold = open_ms.pop(0)
    if view.model.rowCount() != ITEMS:
        raise RuntimeError(f"the run shows {view.model.rowCount()} items, not {ITEMS}")

    # -- answer and move on, from the keyboard
    view.table.setFocus()
    answer_ms: list[float] = []
    keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_1, Qt.Key.Key_4)
    start = controller.undo_stack.count()
    for k in range(40):
        before = view.current_item().number
        started = time.perf_counter()
        QTest.keyClick(view.table, keys[k % len(keys)])
        painter.paint(view.table)
        answer_ms.append(_ms(started))
        if view.current_item().number != before + 1:
            raise RuntimeError("the answer did not move to the next item")
    if controller.undo_stack.count() != start + 40:
        raise RuntimeError("an answer was not one undo step")
    page.close()
    controller.undo_stack.clear()
    done()
    med = statistics.median
    return {
        "items": ITEMS, "baseline_ms": round(med(base), 2),
        "open_ms": round(med(open_ms), 1), "open_cold_ms": round(cold, 1),
        "answer_ms": round(med(answer_ms), 1), "answer_max_ms": round(max(answer_ms), 1),
        "passed": med(open_ms) <= OPEN_LIMIT_MS and med(answer_ms) <= ANSWER_LIMIT_MS,
    }


def figures(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        dict(name="checklists_ui", label=f"open a {r['items']}-item run to first paint, median",
             value=r["open_ms"], unit="ms", target=OPEN_LIMIT_MS,
             note=f"first open {r['open_cold_ms']} ms; baseline: bare fetch of its responses "
                  f"{r['baseline_ms']} ms"),
        dict(name="checklists_ui", label="answer an item from the keyboard and move to the "
             "next (undo step, row, score, repaint), median", value=r["answer_ms"], unit="ms",
             target=ANSWER_LIMIT_MS, note=f"slowest {r['answer_max_ms']} ms"),
    ]


def bench_checklists_ui_figures(workspace: str | Path) -> list[dict[str, Any]]:
    """Entry point for ``python -m bench checklists_ui`` (on a copy of the large workspace)."""
    return figures(bench_checklists_ui(workspace))


def main(argv: list[str] | None = None) -> int:
    from bench.large import run_on_copy

    return run_on_copy(bench_checklists_ui, "checklists-ui", argv)


if __name__ == "__main__":
    raise SystemExit(main())
