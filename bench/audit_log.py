"""Audit log export: the whole workbook against a bare openpyxl loop over the same rows, and
its peak memory.

``bench_audit_log_figures(workspace)`` takes a workspace with 200,000 audit events (the large
workspace, ``bench/large.py``: records written with ``bulk_insert``, which writes their insert
events, and chained field updates up to exactly 200,000 events), then

* times ``services.exports.audit_log_xlsx.export_audit_log`` on it — the whole workbook as
  users get it: names resolved, values summarised, the chain checked while the events stream
  by, every text through ``cells.py``, the Cover, Internal-audit findings and Document
  approvals sheets — against a bare openpyxl write-only loop that appends the very same trail
  rows (read beforehand with ``audit_log_xlsx.trail_values``: the same values, the time as a
  datetime, empty values as no cell) to one sheet and saves. Interleaved, best of 3 (1 with
  ``--quick``), same run; target ratio ≤ 1.2 (issue 13). Reading, naming and summarising the
  events is inside the export's time and outside the bare loop's;
* the peak resident memory of ``qms export audit-log`` on it, in a subprocess
  (``bench/peak_rss.py``); target ≤ 200 MB.

    python -m bench audit_log
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

RATIO_LIMIT = 1.2
MEMORY_LIMIT_MB = 200.0
EVENTS = 200_000


def _events(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    finally:
        conn.close()


def bench_audit_log_figures(workspace: Path | None = None, quick: bool = False,
                            scale: float = 1.0) -> list[Figure]:
    from openpyxl import Workbook

    from qms_desktop.services.exports.audit_log_xlsx import (
        _TRAIL_COLUMNS,
        export_audit_log,
        trail_values,
    )
    from qms_desktop.storage.workspace import open_workspace

    if workspace is None:
        from bench.large import cached_large

        workspace = cached_large(scale=scale)
    n = _events(workspace)
    note = "" if n == EVENTS else f"{n:,} events, not the {EVENTS:,} of the target"
    repeat = 1 if quick else 3
    with open_workspace(workspace, read_only=True) as ws:
        rows = list(trail_values(ws))
    header = [h for h, _ in _TRAIL_COLUMNS]
    cells = sum(v is not None for r in rows for v in r)
    figures = []
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        ours_path = Path(folder) / "audit-log.xlsx"
        bare_path = Path(folder) / "bare.xlsx"

        def ours() -> None:
            with open_workspace(workspace, read_only=True) as ws:
                export_audit_log(ws, ours_path)

        def bare() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Audit trail")
            sheet.append(header)
            for row in rows:
                sheet.append(row)
            workbook.save(bare_path)

        wall: dict = {ours: [], bare: []}
        cpu: dict = {ours: [], bare: []}
        for _ in range(repeat):  # interleaved, so drift affects both alike
            for fn in (bare, ours):
                gc.collect()
                w, c = time.perf_counter(), time.process_time()
                fn()
                cpu[fn].append(time.process_time() - c)
                wall[fn].append(time.perf_counter() - w)

        def spread(runs: list) -> str:
            return (f"min {min(runs):.2f} / median {statistics.median(runs):.2f} / "
                    f"max {max(runs):.2f} s")

        figures.append(Figure(
            "audit_log", f"audit log to .xlsx, the whole workbook ({len(rows):,} events; "
            "cover, trail, findings, approvals; chain checked)", min(wall[ours]), "s",
            min(wall[bare]), f"bare openpyxl write-only loop over the same trail rows "
            f"({cells:,} cells)", RATIO_LIMIT, "ratio",
            "; ".join(x for x in (
                f"best of {repeat} interleaved, wall clock: ours {spread(wall[ours])}, bare "
                f"{spread(wall[bare])}; CPU time best: ours {min(cpu[ours]):.2f} s, bare "
                f"{min(cpu[bare]):.2f} s, ratio {min(cpu[ours]) / min(cpu[bare]):.2f}",
                note) if x),
            details={"ours_s": wall[ours], "bare_s": wall[bare], "events": len(rows)}))
        rows.clear()  # (the memory run below starts afresh in a subprocess)
        gc.collect()

        mem = Figure("audit_log", f"peak memory of `qms export audit-log` ({n:,} events)",
                     None, "MB", target=MEMORY_LIMIT_MB, target_on="value")
        cmd = [sys.executable, "-m", "qms_desktop.cli", "export", "audit-log", str(workspace),
               "-o", str(Path(folder) / "cli.xlsx")]
        proc = subprocess.run([sys.executable, "-m", "bench.peak_rss", "--", *cmd],
                              cwd=Path(__file__).resolve().parents[1], capture_output=True,
                              text=True, timeout=600)
        try:
            out = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            mem.unavailable = f"the memory probe failed: {proc.stderr.strip()[-200:]}"
        else:
            if out["rc"] != 0:
                mem.unavailable = f"the export exited with {out['rc']}: {proc.stderr[-200:]}"
            elif out["peak_rss_mb"] is None:
                mem.unavailable = "peak memory cannot be read on this platform"
            else:
                mem.value = float(out["peak_rss_mb"])
                mem.note = "; ".join(x for x in (
                    f"VmHWM of the command via getrusage; it ran {out['seconds']:.1f} s",
                    note) if x)
        figures.append(mem)
    return figures


if __name__ == "__main__":  # pragma: no cover
    for fig in bench_audit_log_figures(quick="--quick" in sys.argv):
        print(fig.line())
