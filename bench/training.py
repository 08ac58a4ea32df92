"""Training matrix on the large workspace (300 people, 120 courses, 20,000 records).

``bench_training_figures(workspace)`` times, read-only:

* **matrix**: ``services.training.load_matrix`` — every row read and every required cell
  judged (status, date, why) — target ≤ 200 ms; baseline: a bare ``sqlite3``
  ``SELECT * FROM training_record`` fetch of the same file, same run;
* **filter**: the matrix shown for one department: its rows and the columns any of them needs,
  picked from the computed matrix (what a filter does, no database) — target ≤ 50 ms;
* **subset**: ``load_matrix(person_ids=…)`` recomputing that department's rows from the
  database (what a view does after an edit touching them) — target ≤ 50 ms; baseline: a bare
  fetch of the department's training records;
* **dense**: the matrix computed with every role requiring 15–30 courses (added in memory, the
  file is not changed), so most people need 20–60 courses as in a real plant — the generated
  workspace asks far fewer (its figures are in the details) — target ≤ 200 ms.

Medians over several runs (fewer with ``quick``)::

    python -m bench training
    python -m bench.training [WORKSPACE.qms]   # default: the cached large workspace
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import Figure  # noqa: E402

MATRIX_LIMIT_MS = 200.0
FILTER_LIMIT_MS = 50.0
#: the large workspace's dates are placed around its anchor day; judge the matrix there
TODAY = dt.date(2025, 6, 30)


def _median_ms(fn, repeat: int) -> tuple[float, list[float]]:
    fn()  # warm: connection, page cache, imports
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), times


def _spread(times: list[float]) -> str:
    return f"min {min(times):.1f} / max {max(times):.1f} ms over {len(times)} runs"


def _per_person(mx) -> tuple[int, float, int]:
    from qms_desktop.core.training import NOT_REQUIRED

    per = [sum(s != NOT_REQUIRED for s in row) for row in mx.status] or [0]
    return min(per), statistics.median(per), max(per)


def _department_filter(mx, department: str):
    """The rows of one department and the columns any of them needs (a filter's work)."""
    from qms_desktop.core.training import NOT_REQUIRED

    rows = [i for i, p in enumerate(mx.people) if p.department == department]
    cols = [j for j in range(len(mx.courses))
            if any(mx.status[i][j] != NOT_REQUIRED for i in rows)]
    return [[mx.status[i][j] for j in cols] for i in rows], rows, cols


def _dense(data, seed: int = 11):
    """A copy of the matrix's input where each role requires 15–30 courses."""
    import copy

    rng = random.Random(seed)
    dense = copy.copy(data)
    course_ids = sorted(c[0] for c in data.courses)
    have = {(r[0], r[1]) for r in data.role_courses}
    extra = []
    for rid in sorted(data.roles):
        for cid in rng.sample(course_ids, min(len(course_ids), rng.randint(15, 30))):
            if (rid, cid) not in have:
                have.add((rid, cid))
                extra.append((rid, cid, rng.choice((None, None, 30))))
    dense.role_courses = list(data.role_courses) + extra
    return dense


def bench_training_figures(workspace: str | Path, quick: bool = False,
                           scale: float = 1.0) -> list[Figure]:
    from qms_desktop.services import training as T
    from qms_desktop.storage.workspace import open_workspace

    repeat = 5 if quick else 15
    note = "" if scale == 1 else f"scale {scale:g}: not comparable to the target"
    ws = open_workspace(workspace, read_only=True)
    db = sqlite3.connect(f"file:{Path(workspace)}?mode=ro", uri=True)
    try:
        window = T.window_days(ws)
        mx = T.load_matrix(ws, TODAY)
        lo, med, hi = _per_person(mx)
        cells = len(mx.people) * len(mx.courses)
        n = mx.counts()
        facts = {"people": len(mx.people), "columns": len(mx.courses), "cells": cells,
                 "required_cells": sum(n.values()), "statuses": n,
                 "required_per_person": {"min": lo, "median": med, "max": hi},
                 "derived_reasons": sum(1 for v in mx.reasons.values() for r in v
                                        if r.kind == "map"),
                 "records": db.execute("SELECT count(*) FROM training_record").fetchone()[0],
                 "dated_assignments": db.execute(
                     "SELECT count(*) FROM person_role WHERE valid_from IS NOT NULL "
                     "OR valid_to IS NOT NULL").fetchone()[0],
                 "grace_periods": db.execute(
                     "SELECT count(*) FROM role_course WHERE grace_days IS NOT NULL"
                 ).fetchone()[0]}

        def bare_all():
            db.execute("SELECT * FROM training_record").fetchall()

        bare_ms, bare_t = _median_ms(bare_all, repeat)
        matrix_ms, matrix_t = _median_ms(lambda: T.load_matrix(ws, TODAY), repeat)

        # the biggest department
        depts = sorted({p.department for p in mx.people},
                       key=lambda d: (-sum(p.department == d for p in mx.people), d))
        dept = depts[0] if depts else ""
        ids = [p.id for p in mx.people if p.department == dept]
        filter_ms, filter_t = _median_ms(lambda: _department_filter(mx, dept), repeat)
        sql = ("SELECT * FROM training_record WHERE person_id IN "
               "(SELECT id FROM person WHERE department = ?)")
        bare_dept_ms, _ = _median_ms(lambda: db.execute(sql, (dept,)).fetchall(), repeat)
        subset_ms, subset_t = _median_ms(
            lambda: T.load_matrix(ws, TODAY, person_ids=ids), repeat)
        part = T.load_matrix(ws, TODAY, person_ids=ids)
        if [p.id for p in part.people] != ids:
            raise RuntimeError("the department's rows differ from the whole matrix's")

        data = T._read(ws)
        dense = _dense(data)
        dmx = T.compute_matrix(dense, TODAY, window)
        dlo, dmed, dhi = _per_person(dmx)
        def dense_matrix():  # what load_matrix does, with the denser requirements
            d = T._read(ws)
            d.role_courses = dense.role_courses
            return T.compute_matrix(d, TODAY, window)

        dense_ms, dense_t = _median_ms(dense_matrix, repeat)
    finally:
        db.close()
        ws.close()
    dense_facts = {"required_per_person": {"min": dlo, "median": dmed, "max": dhi},
                   "required_cells": sum(dmx.counts().values())}
    return [
        Figure("training.matrix",
               f"competence matrix computed ({len(mx.people)} people × {len(mx.courses)} "
               f"courses, {facts['records']:,} records)",
               matrix_ms, "ms", baseline=bare_ms,
               baseline_label="bare sqlite3 SELECT * FROM training_record",
               target=MATRIX_LIMIT_MS,
               note="; ".join(x for x in (_spread(matrix_t), note) if x),
               details=dict(facts, baseline_spread=_spread(bare_t))),
        Figure("training.filter",
               f"department filter ({dept}: {len(ids)} people) over the computed matrix",
               filter_ms, "ms", baseline=bare_dept_ms,
               baseline_label="bare SELECT of that department's records",
               target=FILTER_LIMIT_MS, note=_spread(filter_t)),
        Figure("training.subset",
               f"matrix rows of one department recomputed from the file ({len(ids)} people)",
               subset_ms, "ms", baseline=bare_dept_ms,
               baseline_label="bare SELECT of that department's records",
               target=FILTER_LIMIT_MS, note=_spread(subset_t)),
        Figure("training.dense",
               f"matrix with realistic needs (each role 15–30 courses, in memory: "
               f"{dmed:g} courses per person)",
               dense_ms, "ms", baseline=bare_ms,
               baseline_label="bare sqlite3 SELECT * FROM training_record",
               target=MATRIX_LIMIT_MS, note="; ".join(x for x in (_spread(dense_t), note) if x),
               details=dense_facts),
    ]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        path = Path(argv[0])
    else:
        from bench.large import cached_large

        path = cached_large()
    for fig in bench_training_figures(path):
        ratio = f" | ratio {fig.ratio:.2f}" if fig.ratio else ""
        print(f"{fig.name:18} {fig.label}: {fig.value:.1f} ms | baseline {fig.baseline:.1f} ms "
              f"({fig.baseline_label}){ratio} | {fig.target_text()} | {fig.verdict} | {fig.note}")
        if fig.details:
            print(f"{'':18} {fig.details}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
