"""The review pack to Word, in the background with progress and Cancel (``ui/tasks.py``), on the
letterhead template chosen for the procedures (``ui/documents/exporting.py``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from .model import tr


def export_pack(page: QWidget, review_id: int, path: str | Path | None = None):
    """Export review ``review_id``'s pack; returns the background task (None: not started)."""
    from ...services import review
    from ...services.exports.review_docx import export_review
    from ..documents.exporting import (_ask_target, _done, _failed, _template_for_export,
                                       safe_file_name)
    from ..errors import show_error

    controller = page.controller
    ws = controller.workspace
    if ws is None:
        return None
    try:
        row = review.get_reviews(ws, [review_id])[0]
        template = _template_for_export()
    except Exception as e:
        show_error(page, e, tr("Export to Word"))
        return None
    target = Path(path) if path is not None else _ask_target(
        page, tr("Export pack (Word)"), safe_file_name(row.title) + ".docx")
    if target is None:
        return None

    def work(ctx):
        ctx.progress(0, 13, tr("Writing {name}…").format(name=target.name))
        return export_review(ws, review_id, target, template=template,
                             progress=lambda d, t: ctx.progress(d, t),
                             cancel=lambda: ctx.cancelled)

    return controller.runner.run(
        work, label=tr("Exporting {name}…").format(name=row.title), parent=page,
        on_result=lambda out: _done(page, controller, Path(out), [], row.title)
        if out is not None else None,
        on_error=lambda e: _failed(page, e))
