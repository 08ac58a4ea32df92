"""The procedure editor: a controlled document's sections as rich text boxes.

:class:`ProcedureEditor` shows the sections of the document's current text — the revision
being worked on when there is one, else the revision in force — each in a :class:`SectionEdit`
(a QTextEdit that reads the section's light Markdown with ``setMarkdown`` and writes it back
with :func:`document_markdown`). A small toolbar formats (bold, italic, bullets, numbering, a
table), adds a section of the document's own, regenerates from the process map
(``generate.py``) and exports to Word (``exporting.py``).

Saving follows the other editors (``ui/binding.py``): typing is committed after a pause and when
the focus leaves the section, as ``documents.edit_section`` under one undo step per section
visit (``merge_key=("section", doc_id, key)``, sealed when the focus leaves). Editing an
effective document starts a new draft (the service does it); the banner above the sections
says which revision is edited and whether it can be. The view reloads from
``controller.changed``, so undo and redo show here.

Undo inside a section: loading a section's text (opening the document, a reload after the
app's Undo / Redo or any other change) is never an undo step of its text box — the box's own
undo history is cleared after every load and when the focus leaves (the visit's typing is then
one step of the app's history). Ctrl+Z in a section undoes what was typed in this visit, key by
key as the box groups it; once the box has nothing left to undo, Ctrl+Z falls through to the
window's Undo (the Edit menu's action, ``controller.undo``), which undoes the previous step
of the history as a whole. Ctrl+Y / Ctrl+Shift+Z likewise.

Markdown out is written here rather than by ``QTextDocument.toMarkdown``, which wraps lines at
80 columns and drops escapes: :func:`document_markdown` writes exactly the light Markdown of
``core.richtext`` (paragraphs, headings, ``- `` and ``1. `` lists one level deep, pipe tables,
``**bold**`` / ``*italic*``), one line per paragraph, escaping what would otherwise read as
markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (QAction, QFont, QKeySequence, QTextBlock, QTextCharFormat,
                           QTextCursor, QTextDocument, QTextLength, QTextListFormat,
                           QTextTableFormat)
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QInputDialog, QLabel, QMenu,
                               QScrollArea, QSizePolicy, QTextEdit, QToolBar, QToolButton,
                               QVBoxLayout, QWidget)

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: milliseconds of no typing after which a section's text is committed
COMMIT_DELAY_MS = 1500
#: kinds of the workspace's tables whose changes may change what the editor shows
WATCHED = ("document", "revision", "document_section", "signature")


def tr(text: str) -> str:
    return QCoreApplication.translate("documents", text)


# --------------------------------------------------------------------------- Markdown out

_ORDERED = {QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
            QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
            QTextListFormat.Style.ListUpperRoman}
#: a line start that would read as a block (heading, quote, table, list item)
_LINE_START = re.compile(r"^( *)(?:([#>|])|([-+*])(?=\s|$)|(\d{1,9})([.)])(?=\s|$))")


def _escape(text: str, in_table: bool) -> str:
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in "\\*`" or (ch == "|" and in_table) or (
                ch == "~" and "~~" in text[max(0, i - 1):i + 2]):
            out.append("\\" + ch)
        elif ch == "_" and not (0 < i < n - 1 and text[i - 1].isalnum()
                                and text[i + 1].isalnum()):
            out.append("\\_")
        else:
            out.append(ch)
    return "".join(out)


def _escape_start(line: str) -> str:
    m = _LINE_START.match(line)
    if not m:
        return line
    if m.group(4):  # "1." → "1\."
        cut = m.end(4)
        return line[:cut] + "\\" + line[cut:]
    cut = len(m.group(1))
    return line[:cut] + "\\" + line[cut:]


def _runs(block: QTextBlock, *, in_table: bool = False, header: bool = False) -> str:
    """The inline Markdown of one block: bold, italic and code runs, escaped text."""
    pieces: list[list[Any]] = []
    it = block.begin()
    while not it.atEnd():
        frag = it.fragment()
        it += 1
        if not frag.isValid():
            continue
        f = frag.charFormat()
        if f.isImageFormat():
            continue
        text = frag.text().replace("\u2028", "\n").replace("\u2029", "\n").replace("\ufffc", "")
        style = (f.fontWeight() >= QFont.Weight.DemiBold and not header, f.fontItalic(),
                 f.fontFixedPitch())
        if pieces and pieces[-1][1] == style:
            pieces[-1][0] += text
        else:
            pieces.append([text, style])
    out = []
    for text, (bold, italic, code) in pieces:
        for k, part in enumerate(text.split("\n")):
            if k:
                out.append(" " if in_table else "\\\n")
            core = part.strip()
            if not core:
                out.append(part)
                continue
            lead = part[:len(part) - len(part.lstrip())]
            trail = part[len(part.rstrip()):]
            if code and "`" not in core:
                shown = f"`{core}`"
            else:
                mark = "***" if bold and italic else "**" if bold else "*" if italic else ""
                shown = f"{mark}{_escape(core, in_table)}{mark}"
            out.append(lead + shown + trail)
    return "".join(out)


def _table(table) -> str:
    rows = []
    for r in range(table.rows()):
        cells = []
        for c in range(table.columns()):
            cell = table.cellAt(r, c)
            parts = []
            b = cell.firstCursorPosition().block()
            last = cell.lastCursorPosition().block()
            while b.isValid():
                s = _runs(b, in_table=True, header=(r == 0)).strip()
                if s:
                    parts.append(s)
                if b == last:
                    break
                b = b.next()
            cells.append(" ".join(parts))
        if r and not any(cells):  # an empty row (a new table's, one Tab too many): left out
            continue
        rows.append("| " + " | ".join(cells) + " |")
    rows.insert(1, "|" + "|".join("---" for _ in range(table.columns())) + "|")
    return "\n".join(rows)


def document_markdown(doc: QTextDocument) -> str:
    """The light Markdown (``core.richtext``) of ``doc``: one line per paragraph or list
    item, blank lines between blocks, lists one level deep, pipe tables (first row the
    header)."""
    out: list[tuple[str, str]] = []   # (kind, text)
    parent_marker = ""
    b = doc.begin()
    while b.isValid():
        table = QTextCursor(b).currentTable()
        if table is not None:
            out.append(("table", _table(table)))
            end = table.lastPosition()
            while b.isValid() and b.position() <= end:
                b = b.next()
            continue
        text = _runs(b)
        lst = b.textList()
        if not text.strip():
            b = b.next()
            continue
        text = "\n".join(_escape_start(line) for line in text.split("\n"))
        if lst is not None:
            lf = lst.format()
            level = 1 if lf.indent() > 1 else 0
            if lf.style() in _ORDERED:
                marker = f"{lf.start() + lst.itemNumber(b)}. "
            else:
                marker = "- "
            indent = " " * len(parent_marker or "- ") if level else ""
            if not level:
                parent_marker = marker
            body = text.replace("\\\n", "\\\n" + indent + " " * len(marker))
            out.append(("item", indent + marker + body))
        else:
            level = b.blockFormat().headingLevel()
            out.append(("para", ("#" * min(level, 3) + " " + text) if level else text))
        b = b.next()
    lines: list[str] = []
    prev = ""
    for kind, text in out:
        if lines:
            lines.append("\n" if kind == "item" and prev == "item" else "\n\n")
        lines.append(text)
        prev = kind
    return "".join(lines)


def load_markdown(doc: QTextDocument, text: str) -> None:
    """Show the light Markdown ``text`` in ``doc``: GitHub's dialect (pipe tables) without
    HTML, so that ``<b>`` or ``<!--`` typed in a procedure stay text."""
    f = QTextDocument.MarkdownFeature
    doc.setMarkdown(text or "", f.MarkdownDialectGitHub | f.MarkdownNoHTML)


# --------------------------------------------------------------------------- one section


class SectionEdit(QTextEdit):
    """One section's rich text box; grows with its text (the page scrolls, not the box)."""

    #: the user asked to go to the next (+1) or previous (-1) section
    moveRequested = Signal(int)
    #: typing paused, or the focus left (True): commit
    commitRequested = Signal(bool)
    focused = Signal()

    def __init__(self, key: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.title = title
        #: the text last read from (or written to) the workspace
        self.stored: str | None = None
        #: document_markdown() of what was loaded or committed: typing differs from it
        self.baseline = ""
        #: the fewest text lines the box shows (an empty policy invites writing a page)
        self.min_lines = 2
        self.setTabChangesFocus(True)
        self.setAcceptRichText(True)
        self.setAccessibleName(title)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self._loading = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(COMMIT_DELAY_MS)
        self.timer.timeout.connect(lambda: self.commitRequested.emit(False))
        self.textChanged.connect(self._typed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    # -- text
    def load(self, text: str) -> None:
        """Show ``text`` from the workspace (no commit)."""
        self._loading = True
        doc = self.document()
        try:
            self.timer.stop()
            # never an undo step of the box: Ctrl+Z must not take the loaded text away
            doc.setUndoRedoEnabled(False)
            load_markdown(doc, text)
            self.stored = text
            self.baseline = document_markdown(doc)
        finally:
            doc.setUndoRedoEnabled(True)
            doc.clearUndoRedoStacks()
            self._loading = False
        self._fit()

    def end_visit(self) -> None:
        """The visit ended (the focus left): what was typed in it is one step of the app's
        undo history now, so the box forgets its own undo steps."""
        self.document().clearUndoRedoStacks()

    def markdown(self) -> str:
        return document_markdown(self.document())

    @property
    def dirty(self) -> bool:
        return self.markdown() != self.baseline

    def _typed(self) -> None:
        if not self._loading and not self.isReadOnly():
            self.timer.start()

    # -- size
    def _fit(self, *_args) -> None:
        lines = self.fontMetrics().lineSpacing()
        h = int(self.document().size().height()) + 2 * self.frameWidth() + 4
        self.setFixedHeight(max(self.min_lines * lines + 16, h))

    # -- formatting
    def toggle_bold(self) -> None:
        fmt = QTextCharFormat()
        bold = self.fontWeight() < QFont.Weight.DemiBold
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        self.mergeCurrentCharFormat(fmt)

    def toggle_italic(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self.fontItalic())
        self.mergeCurrentCharFormat(fmt)

    def toggle_list(self, style: QTextListFormat.Style) -> None:
        cur = self.textCursor()
        lst = cur.currentList()
        cur.beginEditBlock()
        if lst is not None and lst.format().style() == style:
            for i in reversed(range(lst.count())):  # leave the list: plain paragraphs
                blk = lst.item(i)
                if cur.block() == blk or (cur.selectionStart() <= blk.position()
                                          <= cur.selectionEnd()):
                    lst.remove(blk)
                    c2 = QTextCursor(blk)
                    bf = c2.blockFormat()
                    bf.setIndent(0)
                    c2.setBlockFormat(bf)
        elif lst is not None:
            fmt = lst.format()
            fmt.setStyle(style)
            lst.setFormat(fmt)
        else:
            fmt = QTextListFormat()
            fmt.setStyle(style)
            fmt.setIndent(1)
            cur.createList(fmt)
        cur.endEditBlock()

    def insert_table(self, rows: int = 3, columns: int = 2) -> None:
        cur = self.textCursor()
        fmt = QTextTableFormat()
        fmt.setBorder(1)
        fmt.setCellPadding(4)
        fmt.setCellSpacing(0)
        fmt.setBorderCollapse(True)
        fmt.setHeaderRowCount(1)
        fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
        cur.beginEditBlock()
        if cur.block().text().strip():
            cur.movePosition(QTextCursor.MoveOperation.EndOfBlock)
            cur.insertBlock()
        table = cur.insertTable(rows, columns, fmt)
        cur.endEditBlock()
        self.setTextCursor(table.cellAt(0, 0).firstCursorPosition())

    # -- keys
    def _local_undo(self, e) -> bool | None:
        """For an Undo / Redo key: True when the box itself has it to do (typing of this
        visit), False when it falls through to the window's Undo / Redo; None for other keys."""
        if e.matches(QKeySequence.StandardKey.Undo):
            return not self.isReadOnly() and self.document().isUndoAvailable()
        if e.matches(QKeySequence.StandardKey.Redo):
            return not self.isReadOnly() and self.document().isRedoAvailable()
        return None

    def event(self, e) -> bool:  # noqa: N802 (Qt's name)
        if e.type() == QEvent.Type.ShortcutOverride:
            local = self._local_undo(e)
            if local is False:   # nothing of this visit to undo: the window's Undo acts
                e.ignore()
                return False
            if local:
                e.accept()
                return True
        if e.type() == QEvent.Type.ShortcutOverride and (
                e.matches(QKeySequence.StandardKey.Bold)
                or e.matches(QKeySequence.StandardKey.Italic)
                or (e.modifiers() & Qt.KeyboardModifier.ControlModifier
                    and e.key() in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp))):
            e.accept()  # ours, not a window shortcut's
            return True
        return super().event(e)

    def keyPressEvent(self, e) -> None:  # noqa: N802
        ctrl = bool(e.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl and e.key() == Qt.Key.Key_PageDown:
            self.moveRequested.emit(1)
            return
        if ctrl and e.key() == Qt.Key.Key_PageUp:
            self.moveRequested.emit(-1)
            return
        if self._local_undo(e) is False:
            e.ignore()
            return
        if not self.isReadOnly():
            if e.matches(QKeySequence.StandardKey.Bold):
                self.toggle_bold()
                return
            if e.matches(QKeySequence.StandardKey.Italic):
                self.toggle_italic()
                return
            if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._new_paragraph(e)
                return
        super().keyPressEvent(e)

    def _new_paragraph(self, e) -> None:
        """Enter at the end of a bold or italic run (``**off target**``) starts the new
        paragraph in normal weight and upright, as in a word processor's new line."""
        cur = self.textCursor()
        fmt = cur.charFormat()
        styled = cur.atBlockEnd() and not cur.hasSelection() and (
            fmt.fontWeight() > QFont.Weight.Normal or fmt.fontItalic())
        super().keyPressEvent(e)
        if styled:
            plain = QTextCharFormat()
            plain.setFontWeight(QFont.Weight.Normal)
            plain.setFontItalic(False)
            self.mergeCurrentCharFormat(plain)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        """Tab in a table moves between its cells (a new row after the last); elsewhere it
        leaves the section."""
        cur = self.textCursor()
        table = cur.currentTable()
        if table is not None and not self.isReadOnly():
            cell = table.cellAt(cur)
            index = cell.row() * table.columns() + cell.column() + (1 if forward else -1)
            if index >= table.rows() * table.columns():
                table.appendRows(1)
            if 0 <= index:
                nxt = table.cellAt(index // table.columns(), index % table.columns())
                self.setTextCursor(nxt.firstCursorPosition())
                return True
        return super().focusNextPrevChild(forward)

    def focusInEvent(self, e) -> None:  # noqa: N802
        super().focusInEvent(e)
        self.focused.emit()

    def focusOutEvent(self, e) -> None:  # noqa: N802
        super().focusOutEvent(e)
        if e.reason() != Qt.FocusReason.PopupFocusReason:
            self.commitRequested.emit(True)
            self.end_visit()


# --------------------------------------------------------------------------- the editor


class ProcedureEditor(QWidget):
    """The text of one controlled document, section by section (see the module docstring)."""

    #: the document shown changed (its id, or None)
    documentChanged = Signal(object)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.doc_id: int | None = None
        self.row = None                     # services.documents.DocumentRow
        self.revision_id: int | None = None
        self.read_only = True
        self.edits: list[SectionEdit] = []
        self._current: SectionEdit | None = None
        self._layout_keys: list[tuple[str, str]] = []

        self.toolbar = QToolBar(tr("Text"), self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_bold = self._action(tr("Bold"), tr("Bold (Ctrl+B)"), lambda e: e.toggle_bold())
        f = self.act_bold.font()
        f.setBold(True)
        self.act_bold.setFont(f)
        self.act_italic = self._action(tr("Italic"), tr("Italic (Ctrl+I)"),
                                       lambda e: e.toggle_italic())
        f = self.act_italic.font()
        f.setItalic(True)
        self.act_italic.setFont(f)
        self.act_bullets = self._action(tr("• List"), tr("Bulleted list"),
                                        lambda e: e.toggle_list(QTextListFormat.Style.ListDisc))
        self.act_numbers = self._action(
            tr("1. List"), tr("Numbered list"),
            lambda e: e.toggle_list(QTextListFormat.Style.ListDecimal))
        self.act_table = self._action(tr("Table"), tr("Insert a table (Tab moves between its "
                                                      "cells and adds a row after the last)"),
                                      lambda e: e.insert_table())
        self.format_actions = [self.act_bold, self.act_italic, self.act_bullets,
                               self.act_numbers, self.act_table]
        self.toolbar.addSeparator()
        self.act_add = self.toolbar.addAction(tr("Add section…"), self.add_section)
        self.act_add.setToolTip(tr("Add a section of this document's own after the others"))
        self.toolbar.addSeparator()
        self.act_generate = self.toolbar.addAction(tr("Generate from process map…"),
                                                   self.generate)
        self.export_button = QToolButton(self)
        self.export_button.setText(tr("Word"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.act_export = self.export_menu.addAction(tr("Export to Word…"), self.export_word)
        self.export_menu.aboutToShow.connect(self._fill_export_menu)
        self.export_button.setMenu(self.export_menu)
        self.toolbar.addWidget(self.export_button)

        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setObjectName("documentBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setMargin(6)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)

        self.body = QWidget()
        self.sections_layout = QVBoxLayout(self.body)
        self.sections_layout.setContentsMargins(8, 8, 8, 8)
        self.sections_layout.setSpacing(4)
        self.placeholder = QLabel(tr("Choose a document to see and edit its text."))
        self.placeholder.setWordWrap(True)
        self.sections_layout.addWidget(self.placeholder)
        self.sections_box = QWidget(self.body)
        self.sections_box_layout = QVBoxLayout(self.sections_box)
        self.sections_layout.addWidget(self.sections_box)
        self.sections_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.body)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.banner)
        lay.addWidget(self.scroll, 1)

        controller.changed.connect(self._on_changed)
        controller.flushRequested.connect(self.flush)
        controller.closed.connect(lambda: self.set_document(None))
        controller.opened.connect(lambda _ws: self.set_document(None))
        self._update_state()

    def _action(self, text: str, tip: str, fn) -> QAction:
        act = self.toolbar.addAction(text)
        act.setToolTip(tip)

        def run() -> None:
            e = self._current
            if e is not None and not e.isReadOnly():
                fn(e)
                e.setFocus()
        act.triggered.connect(run)
        return act

    # ------------------------------------------------------------------ loading
    def set_document(self, doc_id: int | None) -> None:
        """Show document ``doc_id`` (None: nothing); pending typing is committed first."""
        self.flush()
        if doc_id != self.doc_id:
            self._clear_sections()
        self.doc_id = doc_id
        self.reload()
        self.documentChanged.emit(doc_id)

    def reload(self) -> None:
        """Read the document's current text and state again (after any change)."""
        from ...services import documents
        from ...services.records import RecordError

        ws = self.controller.workspace
        self.row = None
        self.revision_id = None
        secs = []
        revs = []
        if ws is not None and self.doc_id is not None:
            try:
                self.row = documents.get_document(ws, self.doc_id)
                revs = documents.revisions(ws, self.doc_id)
                rid = self.row.pending_id or self.row.in_force_id or (revs[0].id if revs
                                                                       else None)
                self.revision_id = rid
                secs = documents.sections(ws, rid) if rid else []
            except RecordError:
                self.row = None
        if self.row is None:
            self._clear_sections()
            self.placeholder.setText(tr("Choose a document to see and edit its text.")
                                     if self.doc_id is None or ws is None
                                     else tr("This document no longer exists."))
            self.placeholder.show()
            self._update_state()
            return
        self._set_banner(self.row, revs)
        keys = [(s.key, s.title) for s in secs]
        if keys != self._layout_keys:
            self._build_sections(secs)
        else:
            for edit, s in zip(self.edits, secs):
                if edit.stored != s.text:
                    edit.load(s.text)
        self.placeholder.setVisible(not secs)
        if not secs:
            self.placeholder.setText(tr("This document has no sections yet. Add one, or keep "
                                        "its text in the attached file."))
        for edit in self.edits:
            edit.setReadOnly(self.read_only)
            # a revision that cannot change looks it: the window's colour, not a field's
            edit.setStyleSheet("QTextEdit { background: palette(window); }" if self.read_only
                               else "")
        self._update_state()

    @staticmethod
    def _read_only_banner(row, revs) -> str:
        """What a read-only workspace shows: which revision, and nothing about editing."""
        if row.pending and row.pending_status == "draft":
            if row.revision:
                return tr("Read-only: showing draft {new} (revision {old} in force).").format(
                    new=row.pending, old=row.revision)
            return tr("Read-only: showing draft {new} (not yet in force).").format(
                new=row.pending)
        if row.pending:
            state = (tr("in review") if row.pending_status == "in_review" else tr("approved"))
            if row.revision:
                return tr("Read-only: showing revision {rev} ({state}; revision {old} in "
                          "force).").format(rev=row.pending, state=state, old=row.revision)
            return tr("Read-only: showing revision {rev} ({state}).").format(
                rev=row.pending, state=state)
        if row.revision:
            return tr("Read-only: showing revision {old} (in force).").format(old=row.revision)
        last = revs[0].number if revs else ""
        return tr("Read-only: showing revision {rev} ({number} is withdrawn).").format(
            rev=last, number=row.number)

    def _set_banner(self, row, revs) -> None:
        from ...core import documents as rules

        ws = self.controller.workspace
        self.read_only = False
        tone = "edit"
        if row.pending and row.pending_status == "draft":
            if row.revision:
                text = tr("Editing draft {new} — revision {old} stays in force until {new} "
                          "takes effect.").format(new=row.pending, old=row.revision)
            else:
                text = tr("Editing draft {new} — not yet in force.").format(new=row.pending)
        elif row.pending:
            self.read_only = True
            tone = "locked"
            if row.pending_status == "in_review":
                text = tr("Revision {rev} is in review: return it to draft to change it.")
            else:
                text = tr("Revision {rev} is approved: return it to draft to change it, or "
                          "make it effective.")
            text = text.format(rev=row.pending)
        elif row.revision:
            numbers = [r.number for r in reversed(revs)]
            nxt = rules.next_revision_number(numbers)
            text = tr("Revision {old} is in force. Your first change starts draft {new}; "
                      "{old} stays in force until {new} takes effect.").format(
                old=row.revision, new=nxt)
        else:
            self.read_only = True
            tone = "locked"
            last = revs[0].number if revs else ""
            text = tr("{number} is withdrawn; revision {rev} is shown and can no longer be "
                      "changed.").format(number=row.number, rev=last)
        if ws is not None and ws.read_only:
            self.read_only = True
            tone = "locked"
            text = self._read_only_banner(row, revs)
        self.banner.setText(text)
        self.banner.setProperty("tone", tone)
        colours = {"edit": ("#e8f1fb", "#1d4f86"), "locked": ("#fdf3dc", "#6b4a00")}
        bg, fg = colours[tone]
        self.banner.setStyleSheet(f"QLabel#documentBanner {{ background: {bg}; color: {fg}; "
                                  f"border: 1px solid {fg}; border-radius: 3px; }}")

    def _clear_sections(self) -> None:
        for e in self.edits:
            e.timer.stop()
        old = self.sections_box
        self.sections_box = QWidget(self.body)
        self.sections_box_layout = QVBoxLayout(self.sections_box)
        self.sections_box_layout.setContentsMargins(0, 0, 0, 0)
        self.sections_box_layout.setSpacing(4)
        self.sections_layout.replaceWidget(old, self.sections_box)
        self.sections_box.show()
        old.hide()
        old.deleteLater()
        self.edits = []
        self._current = None
        self._layout_keys = []

    def _build_sections(self, secs) -> None:
        from ...core import documents as rules

        had_focus = self._current.key if self._current is not None and \
            self._current.hasFocus() else None
        self.flush()
        self._clear_sections()
        for s in secs:
            head = QWidget(self.sections_box)
            hl = QHBoxLayout(head)
            hl.setContentsMargins(0, 8, 0, 0)
            label = QLabel(s.title, head)
            f = label.font()
            f.setBold(True)
            f.setPointSizeF(f.pointSizeF() * 1.15)
            label.setFont(f)
            hl.addWidget(label)
            hl.addStretch(1)
            edit = SectionEdit(s.key, s.title, self.sections_box)
            label.setBuddy(edit)
            if s.key not in rules.SECTION_KEYS:
                rm = QToolButton(head)
                rm.setText(tr("Remove section"))
                rm.setToolTip(tr("Remove the section “{title}” from this draft").format(
                    title=s.title))
                rm.clicked.connect(lambda _=False, k=s.key, t=s.title: self.remove_section(k, t))
                rm.setEnabled(not self.read_only)
                hl.addWidget(rm)
            edit.load(s.text)
            edit.commitRequested.connect(lambda seal, e=edit: self.commit(e, seal=seal))
            edit.moveRequested.connect(lambda step, e=edit: self.focus_section(
                self.edits.index(e) + step))
            edit.focused.connect(lambda e=edit: self._focused(e))
            edit.cursorPositionChanged.connect(lambda e=edit: self._show_cursor(e))
            self.sections_box_layout.addWidget(head)
            self.sections_box_layout.addWidget(edit)
            self.edits.append(edit)
        self._layout_keys = [(s.key, s.title) for s in secs]
        if had_focus is not None:
            for e in self.edits:
                if e.key == had_focus:
                    e.setFocus()

    def section(self, key: str) -> SectionEdit | None:
        return next((e for e in self.edits if e.key == key), None)

    # ------------------------------------------------------------------ focus
    def _focused(self, edit: SectionEdit) -> None:
        self._current = edit
        self.scroll.ensureWidgetVisible(edit, 0, 24)
        self._update_state()

    def _show_cursor(self, edit: SectionEdit) -> None:
        if not edit.hasFocus():
            return
        r = edit.cursorRect()
        p = edit.viewport().mapTo(self.body, r.center())
        self.scroll.ensureVisible(p.x(), p.y(), 0, r.height() + 24)
        self.act_bold.setChecked(edit.fontWeight() >= QFont.Weight.DemiBold)
        self.act_italic.setChecked(edit.fontItalic())

    def focus_section(self, index: int) -> None:
        if 0 <= index < len(self.edits):
            e = self.edits[index]
            e.setFocus(Qt.FocusReason.TabFocusReason)
            e.moveCursor(QTextCursor.MoveOperation.Start)

    def _update_state(self) -> None:
        has_doc = self.row is not None
        writable = has_doc and not self.read_only
        for a in (self.act_bold, self.act_italic):
            a.setCheckable(True)
        for a in self.format_actions:
            a.setEnabled(writable and bool(self.edits))
        self.act_add.setEnabled(writable)
        self.banner.setVisible(has_doc)
        self.export_button.setEnabled(self.controller.workspace is not None)
        self.act_export.setEnabled(has_doc)
        if not has_doc:
            self.act_generate.setEnabled(False)
            self.act_generate.setToolTip(tr("Choose a document first."))
        elif self.row.process_id is None:
            self.act_generate.setEnabled(False)
            self.act_generate.setToolTip(tr("This document is not linked to a process; choose "
                                            "its process in the register to generate its "
                                            "text from the map."))
        elif self.read_only:
            self.act_generate.setEnabled(False)
            self.act_generate.setToolTip(tr("This revision cannot be changed."))
        else:
            self.act_generate.setEnabled(True)
            self.act_generate.setToolTip(tr("Fill the sections from the map of {process}; "
                                            "you choose for every section you edited.")
                                         .format(process=self.row.process))

    # ------------------------------------------------------------------ saving
    def commit(self, edit: SectionEdit, *, seal: bool = False) -> bool:
        """Write ``edit``'s text when it changed (one undo step per visit of the section);
        ``seal`` ends that step (the focus left). False when refused."""
        from ...services import documents

        edit.timer.stop()
        ok = True
        if (self.doc_id is not None and not edit.isReadOnly() and edit in self.edits
                and self.controller.workspace is not None):
            text = edit.markdown()
            if text != edit.baseline:
                doc_id, key = self.doc_id, edit.key
                old_stored, old_base = edit.stored, edit.baseline
                # marked as stored first: the reload this edit causes finds nothing to change
                edit.stored, edit.baseline = text, text
                number = self.row.number if self.row is not None else ""
                got = self.controller.edit(
                    (tr("Edit {section} of {doc}").format(section=edit.title, doc=number)
                     if number else tr("Edit {section}").format(section=edit.title)),
                    lambda ws: documents.edit_section(ws, doc_id, key, text),
                    merge_key=("section", doc_id, key))
                if got is None:  # refused (the user was told): show what is stored
                    edit.stored, edit.baseline = old_stored, old_base
                    ok = False
                    self.reload()
        if seal:
            top = self.controller.top_command()
            if top is not None and getattr(top, "merge_key", None) == ("section", self.doc_id,
                                                                       edit.key):
                self.controller.flush_undo_merges()
        return ok

    def flush(self) -> None:
        """Commit every section's pending typing now (before undo, closing, another
        document)."""
        for e in list(self.edits):
            if e.timer.isActive() or (not e.isReadOnly() and e.dirty):
                self.commit(e)

    def _on_changed(self, change) -> None:
        if self.doc_id is None or not change.touches(*WATCHED):
            return
        self.reload()

    # ------------------------------------------------------------------ sections
    def add_section(self) -> None:
        from ...services import documents

        if self.doc_id is None or self.read_only:
            return
        title, ok = QInputDialog.getText(self, tr("Add section"), tr("Title of the new section:"))
        title = " ".join((title or "").split())
        if not ok or not title:
            return
        self.flush()
        doc_id = self.doc_id
        key = self.controller.edit(tr("Add section {title}").format(title=title),
                                   lambda ws: documents.add_section(ws, doc_id, title))
        if key:
            self.reload()
            e = self.section(key)
            if e is not None:
                e.setFocus()

    def remove_section(self, key: str, title: str) -> None:
        from ...services import documents

        if self.doc_id is None or self.read_only:
            return
        self.flush()
        doc_id = self.doc_id
        self.controller.edit(tr("Remove section {title}").format(title=title),
                             lambda ws: documents.remove_section(ws, doc_id, key))

    # ------------------------------------------------------------------ generate & export
    def generate(self) -> None:
        from .generate import generate_from_map

        if self.doc_id is None:
            return
        self.flush()
        generate_from_map(self.controller, self.doc_id, self)

    def export_word(self) -> None:
        from .exporting import export_procedure

        if self.doc_id is not None:
            self.flush()
            export_procedure(self, self.doc_id)

    def _fill_export_menu(self) -> None:
        from .exporting import add_export_actions

        menu = self.export_menu
        for a in menu.actions()[1:]:
            menu.removeAction(a)
        add_export_actions(menu, self)
