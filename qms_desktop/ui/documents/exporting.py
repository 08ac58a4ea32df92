"""Word exports of controlled documents: one procedure, the manual, and the letterhead template.

* :func:`export_procedure` — one document as .docx ("NUMBER rev X Title.docx"): its process
  map is drawn first, on the GUI thread, by ``ui/flowchart/render.py`` (the renderer of
  ``qms export diagram``) at print resolution; reading the workspace and writing the file run
  in the background with progress. A map that cannot be drawn is left out with a note, never
  failing the export. When done, the user may open the file.
* :func:`export_manual` — every effective procedure, work instruction and policy as one
  numbered manual with contents (``procedure_docx.write_manual``), with progress and Cancel.
* The **letterhead template** (:func:`choose_template`, :func:`reset_template`): a company .docx
  chosen once, kept in the app's settings and used by both; it is tried when chosen, so a bad
  file is refused with a clear message then, not at the next export.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QWidget

from .editor import tr

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.workspace import Workspace

#: the settings key of the letterhead template (a path; "" = the built-in template)
TEMPLATE_KEY = "documents/word_template"
#: resolution of the process map in a procedure (dots per inch), and what is tried when the
#: map is too large for it
PRINT_DPI = (300, 200, 150, 96)
#: the largest a map is printed in a Word procedure (inches: a landscape A4 page's text width,
#: a portrait page's text height)
MAX_PRINT_IN = (10.2, 9.5)
#: kinds of document in the manual, in this order
MANUAL_KINDS = ("policy", "procedure", "work_instruction")


# --------------------------------------------------------------------------- the template


def _settings():
    from ..settings import Settings

    return Settings()


def template_path() -> str:
    """The chosen letterhead template ("" for the built-in one)."""
    v = _settings().qsettings.value(TEMPLATE_KEY, "")
    return v if isinstance(v, str) else ""


def _template_for_export() -> Path | None:
    """The template to write with; a chosen file that is gone is an error the user can act
    on."""
    from ...storage.workspace import WorkspaceError

    chosen = template_path()
    if not chosen:
        return None
    p = Path(chosen)
    if not p.is_file():
        raise WorkspaceError(tr("The Word template “{path}” is no longer there. Choose it again "
                                "with Word template…, or use the built-in template.")
                             .format(path=chosen))
    return p


def check_template(path: str | Path) -> None:
    """Write a small procedure with ``path`` as template (into a temporary folder); raises the
    writer's error when the file cannot serve as one."""
    import datetime as dt
    import tempfile

    from ...services.exports import procedure_model as pm
    from ...services.exports.procedure_docx import write_procedure

    data = pm.ProcedureExport(number="SOP-000", title="Template check", kind="procedure",
                              revision="A", status="draft", effective_on=None, owner="",
                              process="", organization="", next_review_on=None,
                              sections=[pm.Section("purpose", "Purpose", "A **check**.")],
                              exported_at=dt.datetime(2000, 1, 1))
    with tempfile.TemporaryDirectory() as folder:
        write_procedure(data, Path(folder) / "check.docx", template=Path(path))


def choose_template(parent: QWidget | None) -> bool:
    """Ask for the company's .docx letterhead, try it, keep it; True when one was kept."""
    from ..dialogs import last_dir, remember_dir
    from ..errors import show_error

    path, _ = QFileDialog.getOpenFileName(parent, tr("Word template"), last_dir(),
                                          tr("Word documents (*.docx)"))
    if not path:
        return False
    remember_dir(Path(path).parent)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        check_template(path)
    except Exception as e:  # the writer's sentence, whatever failed inside the file
        QApplication.restoreOverrideCursor()
        reason = str(e).strip() or type(e).__name__
        show_error(parent, tr("“{name}” cannot be used as the Word template: {reason} The "
                              "template in use is unchanged.").format(
            name=Path(path).name, reason=reason if reason.endswith(".") else reason + "."),
                   tr("Word template"))
        return False
    QApplication.restoreOverrideCursor()
    _settings().qsettings.setValue(TEMPLATE_KEY, str(Path(path).absolute()))
    QMessageBox.information(parent, tr("Word template"),
                            tr("Procedures and the manual are now written on “{name}”.")
                            .format(name=Path(path).name))
    return True


def reset_template(parent: QWidget | None = None) -> None:
    """Go back to the built-in template."""
    _settings().qsettings.setValue(TEMPLATE_KEY, "")


def add_export_actions(menu: QMenu, page: QWidget) -> None:
    """The manual, template and registering actions, for a page's or the editor's Word
    menu."""
    menu.addAction(tr("Export manual…"), lambda: export_manual(page))
    menu.addSeparator()
    current = template_path()
    act = menu.addAction(tr("Word template…"), lambda: choose_template(page))
    act.setToolTip(tr("Template in use: {name}").format(
        name=Path(current).name if current else tr("built-in")))
    reset = menu.addAction(tr("Use the built-in template"), lambda: reset_template(page))
    reset.setCheckable(True)
    reset.setChecked(not current)
    reset.setEnabled(bool(current))
    menu.addSeparator()
    from . import register_files

    menu.addAction(tr("Register Word files…"),
                   lambda: register_files.register_word_files(page))
    menu.addAction(tr("Register a folder of Word files…"),
                   lambda: register_files.register_word_folder(page))


# --------------------------------------------------------------------------- the map


def map_png(ws: "Workspace", process_id: int, dpi: tuple[int, ...] = PRINT_DPI) -> bytes | None:
    """The map of ``process_id`` as PNG bytes at the first resolution of ``dpi`` it fits
    (None for a map without shapes). GUI thread (or a headless run) only."""
    import tempfile

    from ...services.processes import load_map_data
    from ..flowchart import render

    if not load_map_data(ws, process_id).nodes:
        return None
    render.ensure_app()
    scene = render.build_scene(ws, process_id)
    try:
        # print resolution at the size the figure is printed: a map wider than the page is
        # scaled down to fit it, so pixels beyond 300 per printed inch only cost time
        src = scene.map_rect(tight=True)
        fit = min(MAX_PRINT_IN[0] * 96 / max(src.width(), 1),
                  MAX_PRINT_IN[1] * 96 / max(src.height(), 1))
        dpi = tuple(dict.fromkeys(max(24, min(d, round(d * fit))) for d in dpi))
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "map.png"
            for i, d in enumerate(dpi):
                try:
                    render.render_png(scene, target, d)
                    break
                except render.DiagramExportError:
                    if i == len(dpi) - 1:
                        raise
            return target.read_bytes()
    finally:
        scene.clear_map()
        scene.deleteLater()


def map_images(ws: "Workspace", process_ids, notes: list[str],
               names: dict[int, str] | None = None) -> dict[int, bytes | None]:
    """PNG bytes per process; a map that cannot be drawn is None and a note says why."""
    out: dict[int, bytes | None] = {}
    for pid in process_ids:
        if pid is None or pid in out:
            continue
        try:
            out[pid] = map_png(ws, pid)
        except Exception as e:  # the map is left out of the document, never the export
            out[pid] = None
            name = (names or {}).get(pid) or str(pid)
            notes.append(tr("The map of {process} could not be drawn ({reason}); it was left "
                            "out.").format(process=name, reason=str(e).rstrip(".") or
                                           type(e).__name__))
    return out


# --------------------------------------------------------------------------- exports


def safe_file_name(text: str) -> str:
    """``text`` usable as a file name on every system."""
    text = re.sub(r'[<>:"/\\|?*\x00-\x1f]', " ", text)
    return " ".join(text.split()).strip(" .")[:150] or "document"


def default_name(row) -> str:
    rev = row.revision or row.pending
    parts = [row.number, f"rev {rev}" if rev else "", row.title]
    return safe_file_name(" ".join(p for p in parts if p)) + ".docx"


def open_file(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _ask_target(parent: QWidget, title: str, name: str) -> Path | None:
    from ..dialogs import last_dir, remember_dir

    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(last_dir()) / name),
                                          tr("Word document (*.docx)"))
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() != ".docx":
        target = target.with_name(target.name + ".docx")
    remember_dir(target.parent)
    return target


def _failed(parent: QWidget, error: BaseException) -> None:
    from ..errors import is_known_error, report_exception, show_error

    if is_known_error(error) or isinstance(error, (ValueError, OSError)):
        show_error(parent, error, tr("Export to Word"))
    else:
        report_exception(error, parent)


def _done(page: QWidget, controller, path: Path, notes: list[str], what: str) -> None:
    controller.record_head("export")
    window = page.window()
    if hasattr(window, "statusBar"):
        window.statusBar().showMessage(tr("Exported to {path}").format(path=path), 8000)
    page.last_export = path
    text = tr("{what} was written to {path}.").format(what=what, path=path)
    if notes:
        text += "\n\n" + "\n".join(notes)
    answer = QMessageBox.question(page, tr("Export to Word"), text + "\n\n" + tr("Open it now?"))
    if answer == QMessageBox.StandardButton.Yes:
        open_file(path)


def export_procedure(page: QWidget, doc_id: int, path: str | Path | None = None,
                     revision_id: int | None = None):
    """Export document ``doc_id`` (the revision in force, else the one being worked on) to
    Word; asks for the file unless ``path`` is given. Returns the background task (None when
    nothing was started)."""
    from ...services import documents
    from ...services.exports.procedure_docx import write_procedure
    from ..errors import show_error

    controller = page.controller
    ws = controller.workspace
    if ws is None:
        return None
    try:
        row = documents.get_document(ws, doc_id)
        template = _template_for_export()
    except Exception as e:
        show_error(page, e, tr("Export to Word"))
        return None
    target = Path(path) if path is not None else _ask_target(page, tr("Export to Word"),
                                                              default_name(row))
    if target is None:
        return None
    notes: list[str] = []
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        images = map_images(ws, [row.process_id], notes, {row.process_id: row.process})
    finally:
        QApplication.restoreOverrideCursor()

    def work(ctx):
        ctx.progress(0, 2, tr("Reading {name}…").format(name=row.name))
        data = documents.procedure_export_data(ws, doc_id, revision_id,
                                               map_png=lambda pid: images.get(pid))
        ctx.progress(1, 2, tr("Writing {name}…").format(name=target.name))
        return write_procedure(data, target, template=template)

    return controller.runner.run(
        work, label=tr("Exporting {name}…").format(name=row.name), parent=page,
        on_result=lambda out: _done(page, controller, Path(out), notes, row.name),
        on_error=lambda e: _failed(page, e))


def manual_documents(ws: "Workspace") -> list:
    """The documents of the manual: effective policies, procedures and work instructions, by
    kind and number."""
    from ...services import documents

    rows = [r for r in documents.list_documents(ws)
            if r.status == "effective" and r.kind in MANUAL_KINDS and r.in_force_id]
    return sorted(rows, key=lambda r: (MANUAL_KINDS.index(r.kind), r.number.casefold()))


def export_manual(page: QWidget, path: str | Path | None = None):
    """Export every effective policy, procedure and work instruction as one manual (progress
    with Cancel; a cancelled export writes nothing). Returns the task (None: not started)."""
    from ...services import documents
    from ...services.exports.procedure_docx import write_manual
    from ..errors import show_error

    controller = page.controller
    ws = controller.workspace
    if ws is None:
        return None
    try:
        template = _template_for_export()
    except Exception as e:
        show_error(page, e, tr("Export manual"))
        return None
    rows = manual_documents(ws)
    if not rows:
        QMessageBox.information(page, tr("Export manual"),
                                tr("No policy, procedure or work instruction is in force yet, "
                                   "so there is no manual to export."))
        return None
    ov = controller.current_overview()
    org = getattr(ov, "organization", "") if ov is not None else ""
    title = tr("Quality management system manual")
    target = Path(path) if path is not None else _ask_target(
        page, tr("Export manual"), safe_file_name(f"{org} {title}".strip()) + ".docx")
    if target is None:
        return None
    notes: list[str] = []
    pids = [r.process_id for r in rows if r.process_id is not None]
    images = _draw_maps(page, ws, pids, {r.process_id: r.process for r in rows}, notes)
    if images is None:
        return None

    def work(ctx):
        total = len(rows)

        def items():
            for i, r in enumerate(rows):
                ctx.progress(i, total, tr("{name} ({i} of {n})").format(name=r.name, i=i + 1,
                                                                        n=total))
                yield documents.procedure_export_data(ws, r.id,
                                                      map_png=lambda pid: images.get(pid))

        out = write_manual(items(), target, template=template, title=title, count=total,
                           progress=lambda d, t: ctx.progress(d, t),
                           cancel=lambda: ctx.cancelled)
        return out

    def done(out) -> None:
        if out is None:  # cancelled inside the writer: nothing was written
            return
        _done(page, controller, Path(out), notes, tr("The manual ({n} documents)").format(
            n=len(rows)))

    return controller.runner.run(work, label=tr("Exporting the manual…"), parent=page,
                                 on_result=done, on_error=lambda e: _failed(page, e),
                                 show_after_ms=0)


def _draw_maps(page: QWidget, ws, pids: list[int], names: dict[int, str],
               notes: list[str]) -> dict[int, bytes | None] | None:
    """Draw the maps of the manual on the GUI thread with a progress dialog (Cancel: None)."""
    from PySide6.QtWidgets import QProgressDialog

    pids = list(dict.fromkeys(pids))
    if not pids:
        return {}
    dialog = QProgressDialog(tr("Drawing the process maps…"), tr("Cancel"), 0, len(pids), page)
    dialog.setWindowTitle(tr("Export manual"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    out: dict[int, bytes | None] = {}
    try:
        for i, pid in enumerate(pids):
            dialog.setValue(i)
            if dialog.wasCanceled():
                return None
            out.update(map_images(ws, [pid], notes, names))
        dialog.setValue(len(pids))
    finally:
        dialog.close()
        dialog.deleteLater()
    return out
