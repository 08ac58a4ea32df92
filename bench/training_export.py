"""Training matrix export: .xlsx against a bare openpyxl loop, and the PDF of the whole matrix.

``bench_training_export_figures(workspace)`` loads the competence matrix of the large
workspace (300 people × 120 courses, 20,000 records) once, then times

* ``services.exports.training_xlsx.write_matrix_xlsx`` (formatted: fills per status, rotated
  headers, frozen panes, legend, summary sheet) against a bare openpyxl write-only loop that
  appends the very same cell texts of the matrix (header row, three name columns, "✓
  2027-03-01" per required cell) with no style and saves — interleaved, best of 11 each
  (issue 11: ratio ≤ 1.3). Two figures against the same bare loop: the export without the
  "Records" sheet (``records=False``: the Matrix and Summary sheets, what the target was set
  for) and the whole workbook (with "Records": one more row per required cell, cells the
  bare loop does not write);
* ``ui.training.print.write_matrix_pdf``: every page of the matrix (issue 11: ≤ 5 s).

    python -m bench training_export
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

XLSX_RATIO_LIMIT = 1.3
PDF_LIMIT_S = 5.0


def _best(fn, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return min(runs), runs


def bench_training_export_figures(workspace: Path, quick: bool = False) -> list[Figure]:
    from openpyxl import Workbook

    from qms_desktop.services import training
    from qms_desktop.services.exports.training_xlsx import (
        cell_text,
        course_heading,
        write_matrix_xlsx,
    )
    from qms_desktop.storage.workspace import open_workspace

    repeat = 3 if quick else 11  # small timings on a busy machine: the best of many
    with open_workspace(workspace, read_only=True) as ws:
        mx = training.load_matrix(ws)
    size = (f"{len(mx.people)} people × {len(mx.courses)} courses, "
            f"{sum(mx.counts().values()):,} required cells")
    header = ["Name", "Employee no.", "Department"] + [course_heading(c) for c in mx.courses]
    rows = [[p.name, p.employee_no, p.department]
            + [cell_text(s, d) or None for s, d in zip(mx.status[i], mx.dates[i])]
            for i, p in enumerate(mx.people)]
    figures = []
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        ours_path = Path(folder) / "matrix.xlsx"
        bare_path = Path(folder) / "bare.xlsx"

        def ours() -> None:
            write_matrix_xlsx(mx, ours_path, head_hash="0" * 64, head_event=200_000,
                              records=False)

        def whole() -> None:
            write_matrix_xlsx(mx, ours_path, head_hash="0" * 64, head_event=200_000)

        def bare() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Matrix")
            sheet.append(header)
            for row in rows:
                sheet.append(row)
            workbook.save(bare_path)

        ours()  # warm-up: imports, caches
        whole()
        bare()
        ours_runs, whole_runs, bare_runs = [], [], []
        for _ in range(repeat):  # interleaved, so drift affects all alike
            ours_runs.append(_best(ours, 1)[0])
            bare_runs.append(_best(bare, 1)[0])
            whole_runs.append(_best(whole, 1)[0])
        bare_text = f"bare {', '.join(f'{v:.3f}' for v in bare_runs)} s"
        figures.append(Figure(
            "training_export", f"training matrix to .xlsx, Matrix + Summary sheets ({size})",
            min(ours_runs), "s", min(bare_runs),
            "bare openpyxl write-only loop over the same cell texts of the matrix",
            XLSX_RATIO_LIMIT, "ratio",
            f"best of {repeat} interleaved; ours {', '.join(f'{v:.3f}' for v in ours_runs)} s; "
            + bare_text))
        figures.append(Figure(
            "training_export", f"training matrix to .xlsx, whole workbook with the Records "
            f"sheet ({size})", min(whole_runs), "s", min(bare_runs),
            "the same bare loop over the matrix cells only (Records adds a row per required "
            "cell)", None, "ratio",  # reported, no target: its cells are not the loop's
            f"best of {repeat} interleaved; ours {', '.join(f'{v:.3f}' for v in whole_runs)} "
            f"s; " + bare_text))

        pdf = Figure("training_export", f"training matrix to PDF, every page ({size})", None,
                     "s", target=PDF_LIMIT_S, target_on="value")
        try:
            from qms_desktop.ui.flowchart.render import ensure_app
            from qms_desktop.ui.training.print import write_matrix_pdf
        except ImportError as e:
            pdf.unavailable = f"PDF printing not importable ({e})"
        else:
            ensure_app()
            pdf_path = Path(folder) / "matrix.pdf"

            def pdf_run() -> None:
                write_matrix_pdf(mx, pdf_path, title="Training matrix",
                                 head_text="audit head " + "0" * 64 + " @ event 200000")

            pdf_run()  # warm-up: fonts
            best, runs = _best(pdf_run, 2 if quick else 3)
            pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_path.read_bytes()))
            pdf.value = best
            pdf.note = (f"{pages} A4 landscape pages; best of {len(runs)}: "
                        f"{', '.join(f'{v:.2f}' for v in runs)} s")
        figures.append(pdf)
    return figures


if __name__ == "__main__":  # pragma: no cover
    import sys

    from bench.large import cached_large

    for fig in bench_training_export_figures(cached_large(), quick="--quick" in sys.argv):
        print(fig.line())
