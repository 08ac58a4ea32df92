"""The attachments of one record: a small list any editor embeds.

``AttachmentsWidget(controller)`` then ``set_owner("risk", 12)``. It lists the record's files
(name, size, when added), adds files by drag-and-drop or a file dialog, opens one in the system's
viewer (from a read-only temporary copy), saves one out, and removes the selected ones. Every
change is one undo step through :meth:`WorkspaceController.edit`; the list refreshes whenever the
controller reports a change touching attachments (an undo included). On a read-only workspace
the list still opens and saves files, but adds and removes nothing.

Keyboard: Enter opens the current file, Delete (or Backspace) removes the selected ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QEvent,
    QItemSelectionModel,
    QLocale,
    QObject,
    Qt,
    QTimeZone,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from . import errors
from .table import RIGHT, Column, RowModel, natural

if TYPE_CHECKING:  # pragma: no cover
    from ..services.attachments import AttachmentRow
    from .controller import WorkspaceController

def tr(text: str) -> str:
    return QCoreApplication.translate("attachments", text)


def _service():
    from ..services import attachments

    return attachments


def added_text(when: dt.datetime) -> str:
    """A stored UTC time in the user's locale and time zone, short form."""
    q = QDateTime(when.date(), when.time(), QTimeZone.utc()).toLocalTime()
    return QLocale().toString(q, QLocale.FormatType.ShortFormat)


def _tip(r: "AttachmentRow") -> str:
    size = _service().format_size(r.size)
    return tr("{name}\n{kind}, {size}\nAdded by {user} on {when}\nSHA-256 {sha}").format(
        name=r.file_name, kind=r.media_type, size=size, user=r.added_by or tr("unknown"),
        when=added_text(r.added_at), sha=r.sha256)


def attachment_columns() -> tuple[Column, ...]:
    return (
        Column("file_name", tr("Name"), display=lambda r: r.file_name,
               sort=lambda r: natural(r.file_name), tip=_tip, searchable=True, width=220),
        Column("size", tr("Size"), display=lambda r: _service().format_size(r.size),
               align=RIGHT, tip=_tip, width=70),
        Column("added_at", tr("Added"), display=lambda r: added_text(r.added_at), tip=_tip,
               width=130),
    )


class AttachmentsWidget(QWidget):
    """The attachments of one record (see the module docstring)."""

    #: the number of attachments shown changed (e.g. for a tab title "Attachments (3)")
    countChanged = Signal(int)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.entity: str | None = None
        self.record_id: int | None = None
        self._last_dir = ""
        self.setAcceptDrops(True)

        self.model = RowModel(attachment_columns(), kind="attachment", load=self._load,
                              order=lambda r: (r.added_at, r.id), parent=self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)  # by a click on a header; at first oldest first
        self.view.setObjectName("attachmentsView")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setAcceptDrops(False)  # drops go to this widget
        self.view.viewport().setAcceptDrops(False)
        self.view.doubleClicked.connect(lambda _i: self.open_current())
        self.view.installEventFilter(self)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.view.setToolTip(tr("Drop files here to attach them"))

        self.hint = QLabel(tr("No files attached. Drop files here or use Add."), self)
        self.hint.setObjectName("attachmentsHint")
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)

        self.add_button = QPushButton(tr("&Add…"), self)
        self.open_button = QPushButton(tr("&Open"), self)
        self.save_button = QPushButton(tr("&Save As…"), self)
        self.remove_button = QPushButton(tr("&Remove"), self)
        self.add_button.setToolTip(tr("Attach files to this record (or drop them on the list)"))
        self.open_button.setToolTip(tr("Open the file with the system's viewer (Enter)"))
        self.save_button.setToolTip(tr("Save a copy of the file"))
        self.remove_button.setToolTip(tr("Remove the selected files (Delete)"))
        self.add_button.clicked.connect(self.add_from_dialog)
        self.open_button.clicked.connect(self.open_current)
        self.save_button.clicked.connect(self.save_current)
        self.remove_button.clicked.connect(self.remove_selected)

        buttons = QHBoxLayout()
        for b in (self.add_button, self.open_button, self.save_button, self.remove_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)

        controller.changed.connect(self._on_changed)
        controller.opened.connect(lambda _ws: self.refresh())
        controller.closed.connect(self._on_closed)
        self._update_buttons()

    # ------------------------------------------------------------------ owner and rows
    def set_owner(self, entity: str, rid: int | None) -> None:
        """Show the attachments of record ``rid`` of kind ``entity`` (None: no record)."""
        self.entity, self.record_id = entity, rid
        self.refresh()

    @property
    def writable(self) -> bool:
        return (self.controller.workspace is not None and not self.controller.read_only
                and self.record_id is not None and self.entity is not None)

    def _load(self, ids) -> list["AttachmentRow"]:
        ws = self.controller.workspace
        if ws is None or self.entity is None or self.record_id is None:
            return []
        return _service().list_for(ws, self.entity, self.record_id, ids)

    def refresh(self) -> None:
        """Re-read every row (a new owner, a workspace opened or closed)."""
        try:
            self.model.reload()
        except Exception as e:  # a damaged or closed workspace: show nothing, say why
            self.model.set_rows([])
            self.controller.errorOccurred.emit(e)
        self._rows_changed()

    def _rows_changed(self) -> None:
        n = self.model.rowCount()
        self.hint.setVisible(n == 0 and self.record_id is not None)
        self._update_buttons()
        self.countChanged.emit(n)

    def _select(self, ids: list[int]) -> None:
        sel = self.view.selectionModel()
        sel.clearSelection()
        flags = (QItemSelectionModel.SelectionFlag.Select
                 | QItemSelectionModel.SelectionFlag.Rows)
        for aid in ids:
            row = self.model.row_of(aid)
            if row is not None:
                sel.select(self.model.index(row, 0), flags)
        if ids and self.model.row_of(ids[-1]) is not None:
            sel.setCurrentIndex(self.model.index(self.model.row_of(ids[-1]), 0),
                                QItemSelectionModel.SelectionFlag.NoUpdate)

    def _on_changed(self, change) -> None:
        # one record's files: re-reading them all is one indexed query, and keeps their order
        if self.record_id is not None and change.touches("attachment"):
            self.refresh()

    def _on_closed(self) -> None:
        self.entity = self.record_id = None
        self.refresh()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.row_at(r).id for r in rows]

    def _current_row(self) -> "AttachmentRow | None":
        idx = self.view.currentIndex()
        if idx.isValid():
            return self.model.row_at(idx.row())
        ids = self.selected_ids()
        return self.model.get(ids[0]) if ids else None

    def _update_buttons(self) -> None:
        self.hint.setText(tr("No files attached. Drop files here or use Add.") if self.writable
                          else tr("No files attached."))
        has_owner = self.controller.workspace is not None and self.record_id is not None
        has_current = self._current_row() is not None
        self.add_button.setEnabled(self.writable)
        self.remove_button.setEnabled(self.writable and bool(self.selected_ids()))
        self.open_button.setEnabled(has_owner and has_current)
        self.save_button.setEnabled(has_owner and has_current)
        self.view.setEnabled(has_owner)

    # ------------------------------------------------------------------ adding
    def add_files(self, paths: list[str | Path]) -> list[int]:
        """Attach ``paths`` as one undo step; files that cannot be attached are reported
        together (the others are attached). Returns the new attachment ids."""
        if not self.writable or not paths:
            return []
        entity, rid = self.entity, self.record_id
        paths = [Path(p) for p in paths]
        problems: list[str] = []
        attached: list[str] = []

        def attach(ws):
            svc = _service()
            made = []
            for p in paths:
                try:
                    made.append(svc.add(ws, entity, rid, p).result)
                    attached.append(p.name)
                except svc.AttachmentError as e:
                    problems.append(str(e))
            return made

        def label(_made) -> str:  # named after what was attached, not what was asked
            if len(attached) == 1:
                return tr("Attach “{name}”").format(name=attached[0])
            return tr("Attach {n} files").format(n=len(attached))

        made = self.controller.edit(label, attach)
        made = made if isinstance(made, list) else []
        if problems:
            text = problems[0] if len(problems) == 1 else "\n".join(
                [tr("{n} of {total} files were not attached:").format(
                    n=len(problems), total=len(paths))] + [f"• {p}" for p in problems])
            errors.show_error(self, text, tr("Attachments"))
        if made:
            self._select(made)
            self._update_buttons()
        return made

    def add_from_dialog(self) -> list[int]:
        if not self.writable:
            return []
        names, _filter = QFileDialog.getOpenFileNames(
            self, tr("Attach files"), self._last_dir or str(Path.home()),
            tr("All files (*)"))
        if not names:
            return []
        self._last_dir = str(Path(names[0]).parent)
        return self.add_files(names)

    @staticmethod
    def _local_files(mime) -> list[str]:
        if mime is None or not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt)
        if self.writable and self._local_files(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt)
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt)
        files = self._local_files(event.mimeData()) if self.writable else []
        if not files:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.add_files(files)

    # ------------------------------------------------------------------ open, save, remove
    def open_current(self) -> Path | None:
        """Open the current file with the system's viewer (from a temporary copy)."""
        row = self._current_row()
        ws = self.controller.workspace
        if row is None or ws is None:
            return None
        try:
            path = _service().open_copy(ws, row.id)
        except Exception as e:
            errors.report_exception(e, self)
            return None
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            errors.show_error(self, tr(
                "No program is set up to open “{name}”; use Save As… and open the copy from "
                "there.").format(name=row.file_name), tr("Attachments"))
        return path

    def save_current(self) -> Path | None:
        """Ask where to save the current file, then write it there."""
        row = self._current_row()
        ws = self.controller.workspace
        if row is None or ws is None:
            return None
        svc = _service()
        start = Path(self._last_dir or Path.home()) / svc.disk_name(row.file_name)
        name, _filter = QFileDialog.getSaveFileName(self, tr("Save attachment as"), str(start))
        if not name:
            return None
        self._last_dir = str(Path(name).parent)
        try:
            return svc.save_to(ws, row.id, name)
        except Exception as e:
            errors.report_exception(e, self)
            return None

    def remove_selected(self) -> bool:
        """Remove the selected files as one undo step (after asking when there are several)."""
        ids = self.selected_ids()
        if not ids or not self.writable:
            return False
        if len(ids) == 1:
            label = tr("Remove attachment “{name}”").format(name=self.model.get(ids[0]).file_name)
        else:
            answer = QMessageBox.question(
                self, tr("Remove attachments"),
                tr("Remove the {n} selected files from this record? (Undo brings them back.)")
                .format(n=len(ids)))
            if answer != QMessageBox.StandardButton.Yes:
                return False
            label = tr("Remove {n} attachments").format(n=len(ids))
        row = min(self.model.row_of(i) for i in ids if self.model.row_of(i) is not None)
        if self.controller.edit(label, lambda ws: _service().remove_many(ws, ids)) is None:
            return False
        if self.model.rowCount():  # keep the keyboard where it was
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 0))
        return True

    # ------------------------------------------------------------------ keyboard
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        kind = event.type()
        if obj is self.view and kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)
            key = event.key()
            opens = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            removes = key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            if plain and (opens or removes):
                if kind == QEvent.Type.ShortcutOverride:
                    # the window's own Delete (delete the record) must not fire from this list
                    event.accept()
                elif opens:
                    self.open_current()
                else:
                    self.remove_selected()
                return True
        return super().eventFilter(obj, event)


__all__ = ["AttachmentsWidget", "added_text", "attachment_columns"]
