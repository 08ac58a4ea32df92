"""The management review pack on the large workspace (issue 14): the inputs of ISO 9001 9.3.2
collected from the workspace (``services.review``: a review made, its items written) and the
pack written as .docx with its charts (``services/exports/review_docx``: a run chart per
objective and KPI, the risks by level) — target ≤ 3 s.

Baseline: the same texts written to a bare python-docx document (one paragraph per line, no
template, no charts), so the ratio shows what collecting, the template and the charts add.
The first (cold) run, with matplotlib and the template loaded for the first time, is in the
note.

    python -m bench review_pack
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

PACK_LIMIT_S = 3.0


def bench_review_pack_figures(workspace: Path | None = None, quick: bool = False,
                              scale: float = 1.0) -> list[Figure]:
    from bench.large import cached_large
    from qms_desktop.services import review
    from qms_desktop.services.exports.review_docx import export_review
    from qms_desktop.storage.workspace import open_workspace

    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        folder = Path(folder)
        path = folder / "large.qms"
        shutil.copyfile(Path(workspace) if workspace else cached_large(scale=scale), path)
        out = folder / "pack.docx"
        today = dt.date.today()
        start = today - dt.timedelta(days=365)
        with open_workspace(path) as ws:
            def pack() -> int:
                rid = review.create_review(ws, "Bench review", start, today).result
                export_review(ws, rid, out)
                return rid

            t = time.perf_counter()
            rid = pack()
            cold = time.perf_counter() - t
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                pack()
                best = min(best, time.perf_counter() - t)
            got = review.get_review(ws, rid)
            charts = len({k["id"] for i in got.items for key in ("kpis", "objectives")
                          for k in (i.figures.get(key) or []) if k.get("points")})
            texts = [i.text for i in got.inputs()]

        def bare() -> None:
            from docx import Document

            doc = Document()
            doc.add_heading("Bench review", 0)
            for text in texts:
                for line in text.split("\n"):
                    doc.add_paragraph(line)
            doc.save(str(folder / "bare.docx"))

        bare()
        t_bare = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            bare()
            t_bare = min(t_bare, time.perf_counter() - t)
        size = out.stat().st_size
    return [Figure("review_pack.pack", f"review pack: collect + .docx with {charts + 1} charts",
                   best, "s", baseline=t_bare,
                   baseline_label="same text, bare python-docx, no charts",
                   target=PACK_LIMIT_S,
                   note=f"cold first run {cold:.2f} s; {size / 1e6:.2f} MB")]
