"""Training matrix export: .xlsx against a bare openpyxl loop, and the PDF of the whole matrix.

``bench_training_export_figures(workspace)`` loads the competence matrix of the large
workspace (300 people × 120 courses, 20,000 records) once, then times

* ``services.exports.training_xlsx.write_matrix_xlsx``, the whole workbook as users get it
  (formatted "Matrix" sheet, "Summary" sheet, "Records" sheet: one row per required cell with
  its date as a date, under an autofilter), against a bare openpyxl write-only loop that
  appends the very same cells with no style and saves: the matrix (header row, three name
  columns, "✓ 2027-03-01" per required cell) on one sheet and the Records rows (header, then
  name, employee no., department, course, title, status, the latest completion as a Python
  date and its trainer, the status's date as a Python date, what that date is) on another —
  interleaved, best of 15 each by the wall clock (issue 11: ratio ≤ 1.3), the CPU time of
  each run reported beside it. The Summary sheet's few hundred cells, the legend, the
  formats and the dates' one alignment are not in the bare loop: the export pays for them
  within the ratio;
* an extra line: the export without the "Records" sheet (``records=False``: the Matrix and
  Summary sheets) against the bare loop over the matrix cells alone;
* ``ui.training.print.write_matrix_pdf``: every page of the matrix (issue 11: ≤ 5 s).

    python -m bench training_export
"""

from __future__ import annotations

import gc
import re
import statistics
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

    from qms_desktop.core import training as rules
    from qms_desktop.services import training
    from qms_desktop.services.exports.training_xlsx import (
        DATE_MEANS,
        cell_text,
        course_heading,
        write_matrix_xlsx,
    )
    from qms_desktop.storage.workspace import open_workspace

    repeat = 3 if quick else 15  # small timings on a busy machine: the best of many
    with open_workspace(workspace, read_only=True) as ws:
        mx = training.load_matrix(ws)
    size = (f"{len(mx.people)} people × {len(mx.courses)} courses, "
            f"{sum(mx.counts().values()):,} required cells")
    header = ["Name", "Employee no.", "Department"] + [course_heading(c) for c in mx.courses]
    rows = [[p.name, p.employee_no, p.department]
            + [cell_text(s, d) or None for s, d in zip(mx.status[i], mx.dates[i])]
            for i, p in enumerate(mx.people)]
    # the Records sheet's cells as plain values: one row per required cell, the date a date
    record_header = ["Name", "Employee no.", "Department", "Course", "Title", "Status",
                     "Completed", "Trainer", "Expires / due", "Meaning"]

    def done(person_id: int, course_id: int) -> list:
        latest = mx.latest.get((person_id, course_id))
        return [None, None] if latest is None else [latest.completed_on,
                                                    latest.trainer or None]

    records = [[p.name, p.employee_no, p.department, c.code or c.title,
                c.title if c.code else None, f"{rules.SYMBOLS[s]} {rules.LABELS[s]}",
                *done(p.id, c.id), d,
                DATE_MEANS[s] if d is not None
                else ("no expiry" if s in rules.COMPLIANT else None)]
               for i, p in enumerate(mx.people)
               for c, s, d in zip(mx.courses, mx.status[i], mx.dates[i])
               if s != rules.NOT_REQUIRED]
    assert len(records) == sum(mx.counts().values())  # the export's Records rows
    cells = (f"{len(rows) + 1 + len(records) + 1:,} rows, "
             f"{sum(v is not None for r in rows for v in r) + len(header):,} matrix cells and "
             f"{sum(v is not None for r in records for v in r) + len(record_header):,} "
             f"Records cells")
    figures = []
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        ours_path = Path(folder) / "matrix.xlsx"
        bare_path = Path(folder) / "bare.xlsx"

        def ours() -> None:
            write_matrix_xlsx(mx, ours_path, head_hash="0" * 64, head_event=200_000,
                              records=False)

        def whole() -> None:
            write_matrix_xlsx(mx, ours_path, head_hash="0" * 64, head_event=200_000)

        def bare_sheets(with_records: bool) -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Matrix")
            sheet.append(header)
            for row in rows:
                sheet.append(row)
            if with_records:
                sheet = workbook.create_sheet("Records")
                sheet.append(record_header)
                for row in records:
                    sheet.append(row)
            workbook.save(bare_path)

        def bare() -> None:
            bare_sheets(False)

        def bare_whole() -> None:
            bare_sheets(True)

        for fn in (ours, whole, bare, bare_whole):  # warm-up: imports, caches
            fn()
        wall: dict = {fn: [] for fn in (whole, bare_whole, ours, bare)}
        cpu: dict = {fn: [] for fn in wall}
        for _ in range(repeat):  # interleaved, so drift affects all alike
            for fn in wall:
                gc.collect()
                w, c = time.perf_counter(), time.process_time()
                fn()
                cpu[fn].append(time.process_time() - c)
                wall[fn].append(time.perf_counter() - w)

        def note(a, b) -> str:
            """The spread of the wall-clock runs, and the CPU time of this process (user and
            system), which other processes on a busy machine barely disturb."""
            def spread(runs: list) -> str:
                return (f"min {min(runs):.3f} / median {statistics.median(runs):.3f} / "
                        f"max {max(runs):.3f} s")

            return (f"best of {repeat} interleaved, wall clock: ours {spread(wall[a])}, "
                    f"bare {spread(wall[b])}; CPU time best of {repeat}: ours "
                    f"{min(cpu[a]):.3f} s, bare {min(cpu[b]):.3f} s, ratio "
                    f"{min(cpu[a]) / min(cpu[b]):.2f}")

        figures.append(Figure(
            "training_export", f"training matrix to .xlsx, the whole workbook: Matrix, "
            f"Summary and Records sheets ({size})", min(wall[whole]), "s",
            min(wall[bare_whole]),
            f"bare openpyxl write-only loop over the same cells, plain values: {cells}",
            XLSX_RATIO_LIMIT, "ratio", note(whole, bare_whole)))
        figures.append(Figure(
            "training_export", f"training matrix to .xlsx, Matrix + Summary sheets only "
            f"({size})", min(wall[ours]), "s", min(wall[bare]),
            "bare openpyxl write-only loop over the same cell texts of the matrix",
            None, "ratio", note(ours, bare)))  # extra line: the target is on the whole

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
