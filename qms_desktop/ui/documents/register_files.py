"""Register Word files…: existing .docx procedures become controlled documents in one step.

:func:`register_word_files` (files) and :func:`register_word_folder` (every Word file of a
folder) read each file with ``imports.docx_procedure`` in the background, then
:class:`RegisterFilesDialog` previews them — file, number, title, revision, kind, sections
found, warnings or the reason a file cannot be read — with a tick per file and "Import
headings as sections". A file that cannot be read, or whose number is already registered (or
given twice), is shown with its reason and unticked. Registering is one undo step
(``documents.register_files``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox,
                               QFileDialog, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from .editor import tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

COLUMNS = ("file", "number", "title", "revision", "kind", "sections", "notes")


@dataclass
class FileRow:
    """One file as previewed: what was read (``info``) or why it could not be (``problem``)."""

    path: Path
    info: object | None = None          # imports.docx_procedure.DocxProcedure
    problem: str = ""                   # the file cannot be registered (unticked, locked)
    notes: list[str] = field(default_factory=list)   # warnings: registered all the same
    #: offered unticked (its number is also an earlier file's: tick one of them)
    unticked: bool = False

    @property
    def ok(self) -> bool:
        return self.info is not None and not self.problem


def read_files(paths, progress=None) -> list[FileRow]:
    """Read ``paths`` (files, or folders: their Word files) without raising for one file."""
    from ...services.imports.docx_procedure import DocxProblem, read_folder, read_procedure

    rows: list[FileRow] = []
    paths = [Path(p) for p in paths]
    for i, p in enumerate(paths):
        if progress is not None:
            progress(i, len(paths), p.name)
        try:
            if p.is_dir():
                for got in read_folder(p):
                    if isinstance(got, DocxProblem):
                        rows.append(FileRow(got.path, problem=got.message))
                    else:
                        rows.append(FileRow(got.path, got, notes=list(got.warnings)))
            else:
                info = read_procedure(p)
                rows.append(FileRow(p, info, notes=list(info.warnings)))
        except (ValueError, OSError) as e:  # DocxReadError is a ValueError: its sentence
            text = str(e) if isinstance(e, ValueError) else f"{p.name}: {e.strerror or e}"
            rows.append(FileRow(p, problem=text))
    return rows


def check_numbers(rows: list[FileRow], registered) -> None:
    """Mark files whose number is already registered (they cannot be registered), or given
    by an earlier file (offered unticked: one of them may be registered)."""
    used = {n.casefold() for n in registered if n}
    seen: dict[str, str] = {}
    for r in rows:
        if not r.ok:
            continue
        number = (getattr(r.info, "number", "") or "").strip()
        if not number:
            r.notes.append(tr("No number was found; the next free number is given."))
            continue
        key = number.casefold()
        if key in used:
            r.problem = tr("The number {number} is already registered.").format(number=number)
        elif key in seen:
            r.unticked = True
            r.notes.insert(0, tr("{file} has the same number {number}; tick only one of them.")
                           .format(file=seen[key], number=number))
        else:
            seen[key] = r.path.name


class RegisterFilesDialog(QDialog):
    """The files read, a tick per file, and whether headings become sections."""

    def __init__(self, rows: list[FileRow], parent: QWidget | None = None):
        from ...core import documents as rules

        super().__init__(parent)
        self.setWindowTitle(tr("Register Word files"))
        self.rows = rows
        bad = sum(1 for r in rows if not r.ok)
        intro = tr("Each ticked file becomes a controlled document in force from today (it was "
                   "approved outside QMS Workbench), with the file attached as its source.")
        if bad:
            intro += " " + tr("{n} file(s) cannot be registered; the reason is shown beside "
                              "each.").format(n=bad)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr("File"), tr("Number"), tr("Title"),
                                              tr("Revision"), tr("Kind"), tr("Sections"),
                                              tr("Warnings and problems")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for i, r in enumerate(rows):
            info = r.info
            name = QTableWidgetItem(r.path.name)
            name.setToolTip(str(r.path))
            if r.ok:
                name.setFlags(name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                name.setCheckState(Qt.CheckState.Unchecked if r.unticked
                                   else Qt.CheckState.Checked)
            else:
                name.setFlags((name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                              & ~Qt.ItemFlag.ItemIsEnabled)
                name.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(i, 0, name)
            if info is not None:
                values = [info.number or "—", info.title or r.path.stem, info.revision or "A",
                          rules.KIND_TEXT.get(info.kind, info.kind),
                          str(len(info.sections))]
            else:
                values = ["", "", "", "", ""]
            for c, v in enumerate(values, start=1):
                self.table.setItem(i, c, QTableWidgetItem(v))
            notes = ([tr("✗ Not registered: {why}").format(why=r.problem)] if r.problem
                     else []) + r.notes
            cell = QTableWidgetItem("\n".join(notes))
            cell.setToolTip("\n".join(notes))
            self.table.setItem(i, 6, cell)
        head = self.table.horizontalHeader()
        self.table.resizeColumnsToContents()
        for c in (0, 2):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 260))
        head.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _item: self._update())

        self.sections = QCheckBox(tr("Import headings as &sections"))
        self.sections.setChecked(True)
        self.sections.setToolTip(tr("Each top-level heading of a file starts a section of the "
                                    "document (Purpose, Scope, … or one of its own); unticked, "
                                    "the text stays in the attached file only."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.sections)
        lay.addWidget(self.buttons)
        self.resize(1100, 480)
        self._update()

    def showEvent(self, e) -> None:  # noqa: N802
        super().showEvent(e)
        self.table.resizeRowsToContents()  # (the columns have their widths now)

    def set_ticked(self, name: str, ticked: bool) -> None:
        for i, r in enumerate(self.rows):
            if r.path.name == name and r.ok:
                self.table.item(i, 0).setCheckState(Qt.CheckState.Checked if ticked
                                                    else Qt.CheckState.Unchecked)

    def ticked(self) -> list[Path]:
        return [r.path for i, r in enumerate(self.rows)
                if r.ok and self.table.item(i, 0).checkState() == Qt.CheckState.Checked]

    def skipped(self) -> list[str]:
        chosen = set(self.ticked())
        return [r.path.name for r in self.rows if r.path not in chosen]

    def _update(self) -> None:
        n = len(self.ticked())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("&Register {n} file(s)").format(n=n))
        ok.setEnabled(n > 0)


def _ask_files(parent: QWidget) -> list[str]:
    from ..dialogs import last_dir, remember_dir

    paths, _ = QFileDialog.getOpenFileNames(parent, tr("Register Word files"), last_dir(),
                                            tr("Word documents (*.docx)"))
    if paths:
        remember_dir(Path(paths[0]).parent)
    return list(paths)


def _ask_folder(parent: QWidget) -> list[str]:
    from ..dialogs import last_dir, remember_dir

    path = QFileDialog.getExistingDirectory(parent, tr("Register the Word files of a folder"),
                                            last_dir())
    if path:
        remember_dir(path)
    return [path] if path else []


def register_word_files(page: QWidget, paths=None):
    """Ask for .docx files (unless ``paths`` are given: files or folders), read them in the
    background, preview, register. Returns the reading task (None when nothing started)."""
    controller: "WorkspaceController" = page.controller
    if controller.workspace is None:
        return None
    paths = list(paths) if paths is not None else _ask_files(page)
    if not paths:
        return None
    ws = controller.workspace

    def work(ctx):
        from ...services import documents

        rows = read_files(paths, lambda i, n, name: ctx.progress(
            i, n, tr("Reading {name}…").format(name=name)))
        check_numbers(rows, [d.number for d in documents.list_documents(ws)])
        return rows

    def failed(e: BaseException) -> None:
        from ..errors import show_error

        show_error(page, e, tr("Register Word files"))

    return controller.runner.run(work, label=tr("Reading the Word files…"), parent=page,
                                 on_result=lambda rows: preview_and_register(page, rows),
                                 on_error=failed)


def register_word_folder(page: QWidget):
    """Register the Word files of a folder the user chooses."""
    paths = _ask_folder(page)
    return register_word_files(page, paths) if paths else None


def preview_and_register(page: QWidget, rows: list[FileRow]) -> list[int] | None:
    """Show the preview; on Register, one undo step. The new documents' ids (None: none)."""
    from ...services import documents

    controller = page.controller
    if not rows:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(page, tr("Register Word files"),
                                tr("No Word file (.docx) was found there."))
        return None
    dialog = RegisterFilesDialog(rows, page)
    page._register_dialog = dialog   # (tests reach it)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    paths = dialog.ticked()
    if not paths:
        return None
    with_sections = dialog.sections.isChecked()
    label = (tr("Register 1 Word file") if len(paths) == 1
             else tr("Register {n} Word files").format(n=len(paths)))
    ids = controller.edit(label,
                          lambda ws: documents.register_files(ws, paths,
                                                              import_sections=with_sections))
    if not ids:
        return None
    window = page.window()
    if hasattr(window, "statusBar"):
        window.statusBar().showMessage(tr("Registered {n} documents.").format(n=len(ids)), 8000)
    holder = page   # the register (the page, or the page holding this editor) shows them
    while holder is not None and not hasattr(holder, "select_ids"):
        holder = holder.parentWidget()
    if holder is not None:
        holder.select_ids(list(ids))
    return list(ids)
