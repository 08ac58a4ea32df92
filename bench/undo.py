"""Undo and redo through the edit kernel: a move of the 2,000-step map's shapes.

``bench_undo_figures(workspace)`` moves every shape of the large workspace's biggest map in one
service call (``processes.move_nodes``: positions, and the stored bends of their connectors),
then times ``records.invert`` (undo) and ``records.reapply`` (redo) of that change set — each
one transaction that checks every row is as the move left it, writes the rows back and chains an
audit event per field. Baseline: the same positions written back with bare ``sqlite3`` (one
``executemany`` UPDATE and a commit, same file and pragmas), which checks nothing and records
nothing.

    python -m bench undo
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from bench.figures import Figure

#: undo of a 2,000-shape move took 0.37 s before the kernel (per-domain restore_moves)
UNDO_LIMIT_S = 0.5


def _biggest_map(ws) -> int:
    from sqlalchemy import func, select

    from qms_desktop.storage import models as m

    with ws.connect() as c:
        return c.execute(select(m.ProcessNode.process_id).group_by(m.ProcessNode.process_id)
                         .order_by(func.count().desc()).limit(1)).scalar()


def bench_undo_figures(workspace: Path, quick: bool = False) -> list[Figure]:
    from qms_desktop.services import processes, records
    from qms_desktop.storage.workspace import open_workspace

    rounds = 2 if quick else 4
    undo_s, redo_s, base_s = [], [], []
    with open_workspace(workspace) as ws:
        pid = _biggest_map(ws)
        data = processes.load_map_data(ws, pid)
        old = {r["id"]: (r["x"], r["y"]) for r in data.nodes}
        new = {nid: (x + 20.0, y + 10.0) for nid, (x, y) in old.items()}
        for i in range(rounds):
            move = processes.move_nodes(ws, new)
            t = time.perf_counter()
            records.invert(ws, move.changeset)
            undo_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            records.reapply(ws, move.changeset)
            redo_s.append(time.perf_counter() - t)
            records.invert(ws, move.changeset)
        n_nodes = len(old)
        n_ops = len(move.changeset)
    conn = sqlite3.connect(workspace, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    for i in range(rounds):
        rows = [(x + (i % 2), y, nid) for nid, (x, y) in old.items()]
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("UPDATE process_node SET x=?, y=? WHERE id=?", rows)
        conn.execute("COMMIT")
        base_s.append(time.perf_counter() - t)
    conn.close()
    base = statistics.median(base_s)
    note = (f"{n_nodes} shapes, {n_ops} row changes per move; median of {rounds} "
            f"(undo {', '.join(f'{v:.3f}' for v in undo_s)} s)")
    return [
        Figure("undo", f"undo of a {n_nodes}-shape move (records.invert, one transaction)",
               statistics.median(undo_s), "s", base, "bare sqlite3 executemany UPDATE + COMMIT",
               UNDO_LIMIT_S, "value", note),
        Figure("undo", "redo of the same move (records.reapply)", statistics.median(redo_s),
               "s", base, "bare sqlite3 executemany UPDATE + COMMIT", UNDO_LIMIT_S, "value",
               f"median of {rounds}"),
    ]
