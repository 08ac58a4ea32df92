"""Generate from process map: fill a procedure's sections from its process map, never
overwriting an edit without the user choosing.

:func:`generate_from_map` asks ``documents.generate_preview`` what regenerating would do
(``core.procedure_merge``: new / unchanged / update / conflict / manual per section) and shows
:class:`GenerateDialog`: every section with its state; sections the user never edited are
updated as they are; for a section the user edited whose part of the map changed (a
conflict) the user's text and the map's new text are shown side by side, the differing lines
marked, with the choice Keep mine (the default) / Take the map's / Edit. Applying is one undo
step (``documents.apply_generated``).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor, QTextFormat
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QButtonGroup, QDialog,
                               QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QRadioButton,
                               QSplitter, QTextEdit, QVBoxLayout, QWidget)

from .editor import tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: the user's choices for a conflict
KEEP, TAKE, EDIT = "keep", "take", "edit"


def state_text(status: str) -> str:
    return {"new": tr("New from the map"), "unchanged": tr("Unchanged"),
            "update": tr("Updated from the map (you had not edited it)"),
            "conflict": tr("⚠ You edited it and the map changed: choose"),
            "manual": tr("Written by hand (left alone)")}.get(status, status)


def short_state(status: str) -> str:
    return {"new": tr("new"), "unchanged": tr("unchanged"), "update": tr("updated"),
            "conflict": tr("⚠ edited by you: choose"), "manual": tr("yours, left alone")
            }.get(status, status)


def summary_text(merges) -> str:
    n = {s: 0 for s in ("new", "unchanged", "update", "conflict", "manual")}
    for mg in merges:
        n[mg.status] = n.get(mg.status, 0) + 1
    parts = []
    if n["update"]:
        parts.append(tr("{n} updated from the map").format(n=n["update"]))
    if n["new"]:
        parts.append(tr("{n} new").format(n=n["new"]))
    if n["conflict"]:
        parts.append(tr("{n} edited by you whose part of the map changed — your text stays "
                        "unless you choose otherwise").format(n=n["conflict"]))
    if not parts:
        return tr("The sections already match the map; nothing changes.")
    return tr("Sections: {what}.").format(what="; ".join(parts))


def _mark_lines(box: QPlainTextEdit, lines: set[int], colour: str) -> None:
    sels = []
    doc = box.document()
    for n in sorted(lines):
        block = doc.findBlockByNumber(n)
        if not block.isValid():
            continue
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor(colour))
        cur = QTextCursor(block)   # the whole paragraph, every line it wraps onto
        cur.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                         QTextCursor.MoveMode.KeepAnchor)
        if not cur.hasSelection():  # an empty line: mark its width
            sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        sel.cursor = cur
        sels.append(sel)
    box.setExtraSelections(sels)


def changed_lines(old: str, new: str) -> tuple[set[int], set[int]]:
    """Line numbers of ``old`` not in ``new`` and of ``new`` not in ``old``."""
    a, b = old.split("\n"), new.split("\n")
    gone, added = set(), set()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            gone.update(range(i1, i2))
            added.update(range(j1, j2))
    return gone, added


class GenerateDialog(QDialog):
    """The sections and what regenerating does to each; conflicts wait for a choice."""

    def __init__(self, merges, parent: QWidget | None = None, *, title: str = ""):
        super().__init__(parent)
        self.setWindowTitle(tr("Generate from process map") + (f" — {title}" if title else ""))
        self.merges = list(merges)
        self.choices: dict[str, str] = {m.key: KEEP for m in self.merges
                                        if m.status == "conflict"}
        self.edited: dict[str, str] = {}
        self._shown = None

        self.summary = QLabel(summary_text(self.merges))
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for m in self.merges:
            item = QListWidgetItem(f"{m.title}\n{short_state(m.status)}")
            item.setData(Qt.ItemDataRole.UserRole, m.key)
            if m.status in ("unchanged", "manual"):
                item.setForeground(self.palette().placeholderText())
            self.list.addItem(item)
        self.list.currentRowChanged.connect(self._show)

        self.detail_title = QLabel()
        f = self.detail_title.font()
        f.setBold(True)
        self.detail_title.setFont(f)
        self.detail_note = QLabel()
        self.detail_note.setWordWrap(True)
        self.mine_label = QLabel(tr("Your text"))
        self.mine = QPlainTextEdit()
        self.mine.setReadOnly(True)
        self.mine.textChanged.connect(self._mine_edited)
        self.theirs_label = QLabel(tr("The map's new text"))
        self.theirs = QPlainTextEdit()
        self.theirs.setReadOnly(True)
        for box in (self.mine, self.theirs):
            box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.mine_label.setBuddy(self.mine)
        self.theirs_label.setBuddy(self.theirs)
        self.keep = QRadioButton(tr("&Keep mine"))
        self.take = QRadioButton(tr("&Take the map's"))
        self.edit = QRadioButton(tr("&Edit my text"))
        self.group = QButtonGroup(self)
        for b, key in ((self.keep, KEEP), (self.take, TAKE), (self.edit, EDIT)):
            self.group.addButton(b)
            b.toggled.connect(lambda on, k=key: on and self._choose(k))
        choice_row = QHBoxLayout()
        for b in (self.keep, self.take, self.edit):
            choice_row.addWidget(b)
        choice_row.addStretch(1)
        self.choice_box = QWidget()
        self.choice_box.setLayout(choice_row)

        detail = QWidget()
        grid = QGridLayout(detail)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.detail_title, 0, 0, 1, 2)
        grid.addWidget(self.detail_note, 1, 0, 1, 2)
        grid.addWidget(self.mine_label, 2, 0)
        grid.addWidget(self.theirs_label, 2, 1)
        grid.addWidget(self.mine, 3, 0)
        grid.addWidget(self.theirs, 3, 1)
        grid.addWidget(self.choice_box, 4, 0, 1, 2)
        grid.setRowStretch(3, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(detail)
        split.setStretchFactor(1, 3)
        split.setSizes([240, 720])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("&Apply"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.chosen()))

        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        lay.addWidget(self.buttons)
        self.resize(1000, 620)
        first = next((i for i, m in enumerate(self.merges) if m.status == "conflict"),
                     next((i for i, m in enumerate(self.merges) if m.changes), 0))
        if self.merges:
            self.list.setCurrentRow(first)

    # -- showing one section
    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.merges):
            return
        m = self.merges[row]
        self._shown = None
        self.detail_title.setText(m.title)
        self.detail_note.setText(state_text(m.status))
        conflict = m.status == "conflict"
        self.choice_box.setVisible(conflict)
        self.mine_label.setText(tr("Your text") if m.status != "new" else tr("Now"))
        mine = self.edited.get(m.key, m.text) if conflict else m.text
        self.mine.setPlainText(mine)
        self.theirs.setPlainText(m.fresh)
        if m.status == "update":
            self.mine_label.setText(tr("Now (generated before, not edited by you)"))
            self.theirs_label.setText(tr("After: the map's new text"))
        elif m.status == "manual":
            self.theirs_label.setText(tr("The map's text (not used)"))
        else:
            self.theirs_label.setText(tr("The map's new text"))
        if conflict:
            choice = self.choices[m.key]
            {KEEP: self.keep, TAKE: self.take, EDIT: self.edit}[choice].setChecked(True)
            self.mine.setReadOnly(choice != EDIT)
        else:
            self.mine.setReadOnly(True)
        self._shown = m
        self._mark(m)

    def _mark(self, m) -> None:
        gone, added = changed_lines(self.mine.toPlainText(), m.fresh)
        _mark_lines(self.mine, gone, "#fbe3e4")
        _mark_lines(self.theirs, added, "#e1f5e1")

    def _choose(self, choice: str) -> None:
        m = self._shown
        if m is None or m.status != "conflict":
            return
        self.choices[m.key] = choice
        self.mine.setReadOnly(choice != EDIT)
        if choice == EDIT:
            self.mine.setFocus()
        row = self.merges.index(m)
        words = {KEEP: tr("⚠ keeping mine"), TAKE: tr("⚠ taking the map's"),
                 EDIT: tr("⚠ edited here")}[choice]
        self.list.item(row).setText(f"{m.title}\n{words}")

    def _mine_edited(self) -> None:
        m = self._shown
        if m is not None and m.status == "conflict" and self.choices.get(m.key) == EDIT:
            self.edited[m.key] = self.mine.toPlainText()
            self._mark(m)

    # -- the result
    def set_choice(self, key: str, choice: str, text: str | None = None) -> None:
        """Choose for the conflict of section ``key`` (and its text for EDIT)."""
        self.choices[key] = choice
        if text is not None:
            self.edited[key] = text
        row = next(i for i, m in enumerate(self.merges) if m.key == key)
        self.list.setCurrentRow(row)
        self._show(row)

    def chosen(self) -> dict[str, tuple[str, str]]:
        """Section key → (text, generated) to write: updates and new sections as the map has
        them, conflicts as chosen."""
        out: dict[str, tuple[str, str]] = {}
        for m in self.merges:
            if m.status == "conflict":
                choice = self.choices.get(m.key, KEEP)
                if choice == EDIT:
                    out[m.key] = (self.edited.get(m.key, m.text), m.fresh)
                else:
                    out[m.key] = m.resolve(choice == TAKE)
            elif m.changes:
                out[m.key] = (m.apply_text, m.apply_generated)
        return out


def generate_from_map(controller: "WorkspaceController", doc_id: int,
                      parent: QWidget | None = None) -> bool:
    """Regenerate document ``doc_id``'s sections from its map after the user has seen and
    chosen; True when something was written (one undo step)."""
    from ...services import documents
    from ..errors import is_known_error, report_exception, show_error

    ws = controller.workspace
    if ws is None:
        return False
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        doc = documents.get_document(ws, doc_id)
        merges = documents.generate_preview(ws, doc_id)
    except Exception as e:
        QApplication.restoreOverrideCursor()
        if is_known_error(e) or isinstance(e, ValueError):  # a refusal: one sentence
            show_error(parent, e, tr("Generate from process map"))
        else:
            report_exception(e, parent)
        return False
    QApplication.restoreOverrideCursor()
    dialog = GenerateDialog(merges, parent, title=doc.name)
    if not dialog.chosen() and not any(m.status == "conflict" for m in merges):
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(parent, tr("Generate from process map"),
                                tr("The sections already match the map of {process}; nothing "
                                   "changes.").format(process=doc.process))
        return False
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    chosen = dialog.chosen()
    if not chosen:
        return False
    return controller.edit(tr("Generate from map"),
                           lambda w: documents.apply_generated(w, doc_id, chosen)) is not None
