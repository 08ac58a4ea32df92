"""Export and print from the Training page: the matrix or one person's record as .xlsx or PDF,
written in the background (progress with Cancel), and Print / Print Preview of the matrix.
The files carry the audit head they were made from, which is noted in the log of heads seen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .matrix import tr

if TYPE_CHECKING:  # pragma: no cover
    from .page import TrainingPage


def _stamp_text(ws) -> str:
    from ...services.audit_trail import head_stamp, stamp_text

    head, n = head_stamp(ws)
    return stamp_text(head, n)


def export(page: "TrainingPage", path: str, person_id: int | None = None):
    """Write ``path`` (.xlsx, else PDF) in the background; returns the task."""
    ws = page.workspace
    if ws is None:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".xlsx", ".pdf"):
        target = target.with_suffix(".xlsx")
    matrix = page.matrix
    org = page.controller.current_overview()
    title_org = getattr(org, "organization", "") if org is not None else ""

    def work(_ctx):
        from ...services.exports import training_xlsx

        if target.suffix.lower() == ".xlsx":
            if person_id is None:
                return training_xlsx.export_matrix(ws, target, window=matrix.window_days)
            return training_xlsx.export_record(ws, person_id, target)
        from . import print as printing

        head = _stamp_text(ws)
        if person_id is None:
            title = tr("Training matrix") + (f" — {title_org}" if title_org else "")
            return printing.write_matrix_pdf(matrix, target, title=title, head_text=head)
        record = training_xlsx.load_record(ws, person_id)
        return printing.write_record_pdf(record, target, head_text=head)

    def done(result) -> None:
        page.controller.record_head("export")
        window = page.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(tr("Exported to {path}").format(path=result), 8000)
        page.last_export = Path(result)

    return page.controller.runner.run(work, label=tr("Exporting training…"), parent=page,
                                      on_result=done)


def print_preview(page: "TrainingPage") -> None:
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    from . import print as printing

    if page.matrix is None or page.workspace is None:
        return
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    head = _stamp_text(page.workspace)
    dialog = QPrintPreviewDialog(printer, page)
    dialog.setWindowTitle(tr("Print the training matrix"))
    def paint(device) -> None:
        try:
            printing.print_matrix(page.matrix, device, title=tr("Training matrix"),
                                  head_text=head)
        except Exception as e:  # a sentence, never a crash inside Qt's painting
            page.controller.errorOccurred.emit(e)

    dialog.paintRequested.connect(paint)
    # the preview paints on the printer long after this returns: keep both alive
    page._dialog, page._printer = dialog, printer
    dialog.open()
