"""Word procedures from a real workspace, end to end (issue 13): reading the revision, the
map drawn by the app's renderer at print resolution, and the .docx written.

* a procedure generated from a 200-step map (the large workspace's big map at scale 0.1),
  exported with its map — target ≤ 2 s; baseline: writing the same export data once it is
  read and drawn (so the ratio shows what reading and drawing add);
* the policies, procedures and work instructions in force of the large workspace as one
  manual through ``qms export manual``, and all 400 documents (every kind) as one set
  through ``write_manual`` — target ≤ 60 s; baseline: reading the documents' export data
  without maps or writing.

    python -m bench procedure_workspace
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

PROCEDURE_LIMIT_S = 2.0
MANUAL_LIMIT_S = 60.0


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_procedure_workspace_figures(workspace: Path | None = None, quick: bool = False,
                                      scale: float = 1.0) -> list[Figure]:
    from sqlalchemy import text

    from bench.large import cached_large, make_large
    from qms_desktop.cli import main as qms
    from qms_desktop.services import documents
    from qms_desktop.services.exports.procedure_docx import write_procedure
    from qms_desktop.services.procedure_gen import generate_sections
    from qms_desktop.storage.workspace import open_workspace
    from qms_desktop.ui.documents.exporting import map_png

    repeat = 1 if quick else 3
    figures = []
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        folder = Path(folder)
        small = folder / "steps.qms"
        make_large(small, scale=0.1)
        with open_workspace(small) as ws:
            with ws.connect() as c:
                pid, steps = c.execute(text(
                    "SELECT process_id, COUNT(*) n FROM process_node GROUP BY process_id "
                    "ORDER BY n DESC LIMIT 1")).first()
            did = documents.add_document(ws, {"title": "Big procedure",
                                              "process_id": pid}).result
            fresh = generate_sections(ws, pid)
            documents.apply_generated(ws, did, {k: (t, t) for k, t in fresh.items() if t})
            out = folder / "big.docx"

            def whole() -> None:
                data = documents.procedure_export_data(ws, did,
                                                       map_png=lambda p: map_png(ws, p))
                write_procedure(data, out)

            data = documents.procedure_export_data(ws, did, map_png=lambda p: map_png(ws, p))
            whole()  # warm: Qt, fonts, the template
            t_whole = _best(whole, repeat)
            t_write = _best(lambda: write_procedure(data, out), repeat)
        figures.append(Figure(
            "procedure_workspace.procedure", f"procedure of {steps} steps with its map",
            t_whole, "s", baseline=t_write, baseline_label="writing the same data, read",
            target=PROCEDURE_LIMIT_S, note=f"map PNG {len(data.map_png or b'') / 1e6:.1f} MB"))

        source = Path(workspace) if workspace else cached_large(scale=scale)
        big = folder / "large.qms"
        shutil.copyfile(source, big)
        with open_workspace(big, read_only=True) as ws:
            rows = [r for r in documents.list_documents(ws) if r.in_force_id
                    and r.kind in ("policy", "procedure", "work_instruction")]
            t = time.perf_counter()
            for r in rows:
                documents.procedure_export_data(ws, r.id)
            t_read = time.perf_counter() - t
        t = time.perf_counter()
        rc = qms(["export", "manual", str(big), "-o", str(folder / "manual.docx")])
        t_manual = time.perf_counter() - t
        figures.append(Figure(
            "procedure_workspace.manual", f"manual of {len(rows)} documents (qms export manual)",
            t_manual if rc == 0 else None, "s", baseline=t_read,
            baseline_label="reading their export data", target=MANUAL_LIMIT_S,
            unavailable="" if rc == 0 else f"qms export manual exited {rc}"))

        # the figure: all 400 documents of the workspace as one set, whatever their
        # kind (the app's manual leaves forms and records lists out), maps drawn once each
        from qms_desktop.services.exports.procedure_docx import write_manual

        with open_workspace(big, read_only=True) as ws:
            every = [r for r in documents.list_documents(ws) if r.in_force_id]
            drawn: dict = {}

            def draw(pid):
                if pid not in drawn:
                    drawn[pid] = map_png(ws, pid)
                return drawn[pid]

            t = time.perf_counter()
            write_manual((documents.procedure_export_data(ws, r.id, map_png=draw)
                          for r in every), folder / "all.docx", count=len(every))
            t_all = time.perf_counter() - t
        figures.append(Figure(
            "procedure_workspace.all", f"all {len(every)} documents as one set",
            t_all, "s", baseline=t_read * len(every) / max(len(rows), 1),
            baseline_label="reading their export data (scaled)", target=MANUAL_LIMIT_S))
    return figures
