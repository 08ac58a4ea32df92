"""Generate from process map: fill a procedure's sections from its process map, never
overwriting an edit without the user choosing.

:func:`generate_from_map` asks ``documents.generate_preview`` what regenerating would do
(``core.procedure_merge``: new / unchanged / update / conflict / kept / manual per section) and
shows :class:`GenerateDialog`: every section with its state; sections the user never edited
are updated as they are. Texts are shown rendered (bold, lists, tables — never raw Markdown),
one source line per paragraph, with two kinds of marks against the text generated last time:
the user's own changes (✎, amber) and the map's changes (↻, green); lines taken out are shown
struck through (−). For a section the user edited whose part of the map changed (a conflict)
the choice is Merge both (the default when the changes touch different lines:
``procedure_merge.merge3``) / Keep mine (the default otherwise) / Take the map's (with a
warning that it drops the user's edits) / Edit my text; the pane below shows what the section
will read after Apply. A section whose text differs from an unchanged map ("kept", e.g. after
Keep mine) is still offered: Keep mine (default) / Take the map's / Edit. Applying is one undo
step (``documents.apply_generated``).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QButtonGroup, QDialog,
                               QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QRadioButton,
                               QSplitter, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget)

from ...core import procedure_merge as pm
from ...core.richtext import parse_inline
from .editor import tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: the user's choices for a section whose text differs from the map's
MERGE, KEEP, TAKE, EDIT = "merge", "keep", "take", "edit"

#: line marks: background, symbol (the colour never stands alone)
MARKS = {"mine": ("#fff0bf", "✎"), "theirs": ("#dcf2dc", "↻"), "both": ("#e3ecf8", "✎↻"),
         "gone": ("#f8e0e0", "−"), "base": ("", ""), "same": ("", "")}


def state_text(status: str) -> str:
    return {"new": tr("New from the map"), "unchanged": tr("Unchanged"),
            "update": tr("Updated from the map (you had not edited it)"),
            "conflict": tr("⚠ You edited it and the map changed: choose"),
            "kept": tr("Your own text: it differs from the map's, and the map has not changed "
                       "since the last generation. Keep it, or take the map's."),
            "manual": tr("Written by hand (left alone)")}.get(status, status)


def short_state(status: str) -> str:
    return {"new": tr("new"), "unchanged": tr("unchanged"), "update": tr("updated"),
            "conflict": tr("⚠ edited by you: choose"),
            "kept": tr("your own text (differs from the map's)"),
            "manual": tr("yours, left alone")}.get(status, status)


def _names(titles: list[str]) -> str:
    if len(titles) == 1:
        return titles[0]
    return tr("{first} and {last}").format(first=", ".join(titles[:-1]), last=titles[-1])


def summary_text(merges) -> str:
    """One or two sentences that say what regenerating does — and only what is true."""
    n = {s: 0 for s in pm.STATUSES}
    for mg in merges:
        n[mg.status] = n.get(mg.status, 0) + 1
    kept = [mg.title for mg in merges if mg.status == "kept"]
    clean = sum(1 for mg in merges if mg.status == "conflict" and mg.merged is not None)
    parts = []
    if n["update"]:
        parts.append(tr("{n} updated from the map").format(n=n["update"]))
    if n["new"]:
        parts.append(tr("{n} new").format(n=n["new"]))
    if n["conflict"]:
        if clean == n["conflict"]:
            parts.append(tr("{n} edited by you whose part of the map changed — your changes "
                            "and the map's touch different lines and are merged unless you "
                            "choose otherwise").format(n=n["conflict"]))
        else:
            parts.append(tr("{n} edited by you whose part of the map changed — your text stays "
                            "unless you choose otherwise").format(n=n["conflict"]))
    kept_text = ""
    if kept:
        kept_text = (tr("section {names} keeps your own text (it differs from the map's)")
                     if len(kept) == 1 else
                     tr("sections {names} keep your own text (they differ from the map's)")
                     ).format(names=_names(kept))
    if not parts:
        if kept_text:
            return tr("The map has not changed since the last generation; {kept}.").format(
                kept=kept_text)
        return tr("The sections already match the map; nothing changes.")
    if kept_text:
        parts.append(kept_text)
    return tr("Sections: {what}.").format(what="; ".join(parts))


# --------------------------------------------------------------------------- rendering


def _inline_html(text: str) -> str:
    out = []
    for r in parse_inline(text):
        t = html.escape(r.text)
        if r.code:
            t = f"<code>{t}</code>"
        if r.bold:
            t = f"<b>{t}</b>"
        if r.italic:
            t = f"<i>{t}</i>"
        out.append(t)
    return "".join(out)


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells, buf, i = [], "", 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            buf += body[i:i + 2]
            i += 2
            continue
        if body[i] == "|":
            cells.append(buf.strip())
            buf = ""
        else:
            buf += body[i]
        i += 1
    cells.append(buf.strip())
    return cells


def line_html(line: str, mark: str = "same", *, header: bool = False) -> str:
    """One source line of light Markdown as a rendered paragraph, marked (see :data:`MARKS`);
    "" for a blank line or a table's ``|---|`` line."""
    import re

    stripped = line.strip()
    if not stripped or re.fullmatch(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?", stripped):
        return ""
    indent = 0
    m = re.match(r"^( *)([-*]|\d{1,9}[.)])[ \t]+(.*)$", line)
    h = re.match(r"^ {0,3}(#{1,6})[ \t]+(.*)$", line)
    if stripped.startswith("|"):
        cells = [_inline_html(c) for c in _cells(stripped)]
        if header:
            cells = [f"<b>{c}</b>" for c in cells]
        body = " &nbsp;│&nbsp; ".join(cells)
    elif m:
        indent = 2 if len(m.group(1)) >= 2 else 1
        bullet = "•" if m.group(2) in "-*" else html.escape(m.group(2))
        body = f"{bullet}&nbsp; {_inline_html(m.group(3))}"
    elif h:
        body = f"<b>{_inline_html(h.group(2))}</b>"
    else:
        body = _inline_html(line)
    bg, symbol = MARKS.get(mark, ("", ""))
    if mark == "gone":
        body = f"<s><span style='color:#7a4b4b'>{body}</span></s>"
    style = f"margin-top:3px; margin-bottom:3px; margin-left:{indent * 18}px;"
    if bg:
        style += f" background-color:{bg};"
    sym = (f"<span style='color:#555'>{symbol}&nbsp;</span>" if symbol else "")
    return f"<p style=\"{style}\">{sym}{body}</p>"


def lines_html(entries) -> str:
    """Rendered HTML of ``(mark, line)`` entries (the header row of a table in bold)."""
    out = []
    lines = [ln for _mark, ln in entries]
    for i, (mark, line) in enumerate(entries):
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        header = line.strip().startswith("|") and nxt.startswith("|") and set(nxt) <= set(
            "|-: ")
        out.append(line_html(line, mark, header=header))
    return "".join(out)


def diff_entries(base: str, other: str, side: str, *, show_gone: bool = True):
    """``other`` as ``(mark, line)`` entries against ``base``: its changed lines marked
    ``side``, the lines it took out of ``base`` as "gone" before them."""
    import difflib

    a = pm.normalize(base).split("\n") if pm.normalize(base) else []
    b = pm.normalize(other).split("\n") if pm.normalize(other) else []
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b,
                                                      autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(("same", ln) for ln in b[j1:j2])
            continue
        if show_gone:
            out.extend(("gone", ln) for ln in a[i1:i2] if ln.strip())
        out.extend((side, ln) for ln in b[j1:j2])
    return out


def plain_entries(text: str):
    n = pm.normalize(text)
    return [("same", ln) for ln in (n.split("\n") if n else [])]


def merged_entries(m):
    got = pm.merge3(m.old_generated, m.text, m.fresh)
    lines = got.text.split("\n") if got.text else []
    return list(zip(got.origin, lines))


def _plain(line: str) -> str:
    from ...core.richtext import plain_text

    text = " ".join(plain_text(parse_inline(line.strip().lstrip("#").strip())).split())
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


def changes_text(entries, mark: str) -> str:
    """The lines marked ``mark`` (or taken out), quoted briefly: what changed at a glance,
    wherever it is in the text."""
    lines = [_plain(ln) for k, ln in entries if k in (mark, "both") and ln.strip()]
    gone = sum(1 for k, ln in entries if k == "gone" and ln.strip())
    parts = [f"“{t}”" for t in lines[:2]]
    if len(lines) > 2:
        parts.append(tr("{n} more").format(n=len(lines) - 2))
    if gone and not lines:
        parts.append(tr("{n} line(s) taken out").format(n=gone))
    return ", ".join(parts)


def _scroll_to_first(browser: QTextBrowser, entries) -> None:
    """Show the first change of a pane (a change below the fold is not missed): the first
    marked line and, when that is a struck-out old line, the new text after it."""
    shown = [i for i, (k, ln) in enumerate(entries) if line_html(ln, k)]
    marked = [shown.index(i) for i in shown if entries[i][0] not in ("same", "base")]
    if not marked or not isinstance(browser, _Pane):
        return
    new = next((n for n in marked if entries[shown[n]][0] != "gone"), marked[0])
    browser.show_change(marked[0], new if new >= marked[0] else marked[0])


def legend_html() -> str:
    return (f"<span style='background-color:{MARKS['mine'][0]}'>&nbsp;✎ "
            + html.escape(tr("your changes")) + "&nbsp;</span>&nbsp;&nbsp; "
            f"<span style='background-color:{MARKS['theirs'][0]}'>&nbsp;↻ "
            + html.escape(tr("the map's changes")) + "&nbsp;</span>&nbsp;&nbsp; "
            f"<span style='background-color:{MARKS['gone'][0]}'>&nbsp;− <s>"
            + html.escape(tr("taken out")) + "</s>&nbsp;</span> &nbsp;"
            + html.escape(tr("(each against the text generated last time)")))


class _Pane(QTextBrowser):
    """A comparison pane that keeps its first change in view (:meth:`show_change`) while it is
    laid out again (shown, resized), until the user scrolls it."""

    def __init__(self):
        super().__init__()
        self.setOpenLinks(False)
        self.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self._change: tuple[int, int] | None = None   # (first block, its new text's block)
        self._moving = False
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_a: self._scroll())
        bar.valueChanged.connect(self._scrolled)

    def show_change(self, first: int, new: int) -> None:
        """Scroll so the blocks ``first`` to ``new`` show, with a line of room around them
        (``new`` wins when they do not fit together); the caret goes to ``first``."""
        self._change = (first, new)
        block = self.document().findBlockByNumber(first)
        if block.isValid():
            self._moving = True
            try:
                self.setTextCursor(QTextCursor(block))
            finally:
                self._moving = False
        self._scroll()

    def _scroll(self) -> None:
        if self._change is None:
            return
        doc = self.document()
        first, new = (doc.findBlockByNumber(n) for n in self._change)
        if not first.isValid():
            return
        layout = doc.documentLayout()
        top = layout.blockBoundingRect(first).top()
        bottom = layout.blockBoundingRect(new if new.isValid() else first).bottom()
        room = self.fontMetrics().height()
        value = top - room
        if bottom + room > value + self.viewport().height():
            value = bottom + room - self.viewport().height()
        self._moving = True
        try:
            self.verticalScrollBar().setValue(max(0, round(value)))  # the bar clamps the top
        finally:
            self._moving = False

    def _scrolled(self, _value: int) -> None:
        if not self._moving:   # the user's scrolling (or new text): keep it where it is
            self._change = None


def _browser() -> QTextBrowser:
    return _Pane()


class GenerateDialog(QDialog):
    """The sections and what regenerating does to each; differing sections wait for a
    choice."""

    def __init__(self, merges, parent: QWidget | None = None, *, title: str = ""):
        super().__init__(parent)
        self.setWindowTitle(tr("Generate from process map") + (f" — {title}" if title else ""))
        self.merges = list(merges)
        self.choices: dict[str, str] = {
            m.key: (MERGE if m.status == "conflict" and m.merged is not None else KEEP)
            for m in self.merges if m.differs}
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
        self.legend = QLabel(legend_html())
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.mine_label = QLabel(tr("Your text"))
        self.mine = _browser()
        self.theirs_label = QLabel(tr("The map's new text"))
        self.theirs = _browser()
        self.mine_label.setBuddy(self.mine)
        self.theirs_label.setBuddy(self.theirs)

        self.merge = QRadioButton(tr("&Merge both"))
        self.merge.setToolTip(tr("Your changes and the map's touch different lines: keep "
                                 "both"))
        self.keep = QRadioButton(tr("&Keep mine"))
        self.take = QRadioButton(tr("&Take the map's"))
        self.edit = QRadioButton(tr("&Edit my text"))
        self.group = QButtonGroup(self)
        self.buttons_by_choice = {MERGE: self.merge, KEEP: self.keep, TAKE: self.take,
                                  EDIT: self.edit}
        for key, b in self.buttons_by_choice.items():
            self.group.addButton(b)
            b.toggled.connect(lambda on, k=key: on and self._choose(k))
        choice_row = QHBoxLayout()
        choice_row.setContentsMargins(0, 0, 0, 0)
        for b in self.buttons_by_choice.values():
            choice_row.addWidget(b)
        choice_row.addStretch(1)
        self.choice_box = QWidget()
        self.choice_box.setLayout(choice_row)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setObjectName("generateWarning")
        self.warning.setStyleSheet("QLabel#generateWarning { background: #fdf3dc; color: "
                                   "#6b4a00; border: 1px solid #6b4a00; border-radius: 3px; "
                                   "padding: 4px; }")
        self.result_label = QLabel(tr("After Apply"))
        self.result = _browser()
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(tr("The section's text (Markdown)"))
        self.editor.textChanged.connect(self._editor_changed)
        self.result_stack = QStackedWidget()
        self.result_stack.addWidget(self.result)
        self.result_stack.addWidget(self.editor)
        self.result_label.setBuddy(self.result)

        detail = QWidget()
        grid = QGridLayout(detail)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.detail_title, 0, 0, 1, 2)
        grid.addWidget(self.detail_note, 1, 0, 1, 2)
        grid.addWidget(self.legend, 2, 0, 1, 2)
        grid.addWidget(self.mine_label, 3, 0)
        grid.addWidget(self.theirs_label, 3, 1)
        grid.addWidget(self.mine, 4, 0)
        grid.addWidget(self.theirs, 4, 1)
        grid.addWidget(self.choice_box, 5, 0, 1, 2)
        grid.addWidget(self.warning, 6, 0, 1, 2)
        grid.addWidget(self.result_label, 7, 0, 1, 2)
        grid.addWidget(self.result_stack, 8, 0, 1, 2)
        grid.setRowStretch(4, 3)
        grid.setRowStretch(8, 2)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(detail)
        split.setStretchFactor(1, 3)
        split.setSizes([240, 860])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button.setText(tr("&Apply"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        lay.addWidget(self.buttons)
        self.resize(1100, 760)
        for row, m in enumerate(self.merges):
            if m.differs:
                self._label(row)
        self._update_apply()
        first = next((i for i, m in enumerate(self.merges) if m.status == "conflict"),
                     next((i for i, m in enumerate(self.merges) if m.changes),
                          next((i for i, m in enumerate(self.merges) if m.differs), 0)))
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
        differs = m.differs
        self.choice_box.setVisible(differs)
        self.merge.setVisible(m.status == "conflict" and m.merged is not None)
        self.legend.setVisible(m.status in ("conflict", "kept", "update"))
        self.theirs.setVisible(m.status != "unchanged")
        self.theirs_label.setVisible(m.status != "unchanged")
        if m.status == "conflict":
            self.mine_label.setText(tr("Your text — ✎ what you changed"))
            self.theirs_label.setText(tr("The map's new text — ↻ what the map changed"))
            mine = diff_entries(m.old_generated, m.text, "mine")
            theirs = diff_entries(m.old_generated, m.fresh, "theirs")
        elif m.status == "kept":
            self.mine_label.setText(tr("Your text — ✎ where it differs from the map's"))
            self.theirs_label.setText(tr("The map's text (not changed)"))
            mine = diff_entries(m.old_generated, m.text, "mine")
            theirs = plain_entries(m.fresh)
        elif m.status == "update":
            self.mine_label.setText(tr("Now (generated before, not edited by you)"))
            self.theirs_label.setText(tr("After: the map's new text — ↻ what the map changed"))
            mine = plain_entries(m.text)
            theirs = diff_entries(m.text, m.fresh, "theirs")
        elif m.status == "new":
            self.mine_label.setText(tr("Now"))
            self.theirs_label.setText(tr("The map's new text"))
            mine, theirs = [], plain_entries(m.fresh)
        elif m.status == "manual":
            self.mine_label.setText(tr("Your text"))
            self.theirs_label.setText(tr("The map's text (not used)"))
            mine, theirs = plain_entries(m.text), plain_entries(m.fresh)
        else:
            self.mine_label.setText(tr("Text (as the map gives it)"))
            mine, theirs = plain_entries(m.text), []
        self.mine.setHtml(lines_html(mine) or self._empty())
        self.theirs.setHtml(lines_html(theirs) or self._empty())
        _scroll_to_first(self.mine, mine)
        _scroll_to_first(self.theirs, theirs)
        note = state_text(m.status)
        yours = changes_text(mine, "mine") if m.status in ("conflict", "kept") else ""
        maps = changes_text(theirs, "theirs") if m.status in ("conflict", "update") else ""
        if yours:
            note += "\n" + tr("✎ Your changes: {what}").format(what=yours)
        if maps:
            note += "\n" + tr("↻ The map's changes: {what}").format(what=maps)
        self.detail_note.setText(note)
        for w in (self.result_label, self.result_stack):
            w.setVisible(differs)
        self.warning.setVisible(False)
        self._shown = m
        if differs:
            choice = self.choices[m.key]
            self.buttons_by_choice[choice].setChecked(True)
            self._show_result(m)

    def _empty(self) -> str:
        return "<p style='color:#777'><i>" + html.escape(tr("(empty)")) + "</i></p>"

    def _show_result(self, m) -> None:
        choice = self.choices[m.key]
        self.warning.setVisible(False)
        if choice == EDIT:
            self.result_label.setText(tr("Edit the text to keep (Markdown; **bold**, *italic*, "
                                         "- list):"))
            text = self.edited.get(m.key, m.text)
            if self.editor.toPlainText() != text:
                self.editor.blockSignals(True)
                self.editor.setPlainText(text)
                self.editor.blockSignals(False)
            self.result_stack.setCurrentWidget(self.editor)
            return
        self.result_stack.setCurrentWidget(self.result)
        if choice == MERGE:
            self.result_label.setText(tr("After Apply: both changes, merged"))
            entries = merged_entries(m)
        elif choice == TAKE:
            self.result_label.setText(tr("After Apply: the map's text"))
            entries = plain_entries(m.fresh)
            own = diff_entries(m.old_generated, m.text, "mine")
            n = (sum(1 for k, ln in own if k == "mine" and ln.strip())
                 or sum(1 for k, ln in own if k == "gone"))
            self.warning.setText(tr("⚠ Taking the map's text drops your own changes to this "
                                    "section (✎ on the left: {n} paragraph(s)); only Undo "
                                    "brings them back.").format(n=n))
            self.warning.setVisible(True)
        else:
            self.result_label.setText(tr("After Apply: your text, as it is"))
            entries = plain_entries(m.text)
            if m.status == "conflict":
                self.warning.setText(tr("The map's changes (↻ on the right) are left out. "
                                        "The map's text is recorded as seen: the same map "
                                        "does not ask again, but the section stays offered "
                                        "as your own text."))
                self.warning.setVisible(True)
        self.result.setHtml(lines_html(entries) or self._empty())

    def _label(self, row: int) -> None:
        m = self.merges[row]
        choice = self.choices[m.key]
        if choice == EDIT:
            edited = pm.normalize(self.edited.get(m.key, m.text)) != pm.normalize(m.text)
            words = tr("✎ edited here") if edited else tr("editing (not changed yet)")
        else:
            words = {MERGE: tr("✓ merging both"), KEEP: tr("keeping mine"),
                     TAKE: tr("⚠ taking the map's (drops your edits)")}[choice]
        if m.status == "kept" and choice == KEEP:
            words = short_state("kept")
        if m.status == "conflict":
            words = tr("⚠ you and the map changed it") + "\n" + words
        self.list.item(row).setText(f"{m.title}\n{words}")

    def _choose(self, choice: str) -> None:
        m = self._shown
        if m is None or not m.differs:
            return
        self.choices[m.key] = choice
        self._label(self.merges.index(m))
        self._show_result(m)
        if choice == EDIT:
            self.editor.setFocus()
        self._update_apply()

    def _editor_changed(self) -> None:
        m = self._shown
        if m is not None and m.differs and self.choices.get(m.key) == EDIT:
            self.edited[m.key] = self.editor.toPlainText()
            self._label(self.merges.index(m))
            self._update_apply()

    def _update_apply(self) -> None:
        self.apply_button.setEnabled(bool(self.chosen()))

    # -- the result
    def set_choice(self, key: str, choice: str, text: str | None = None) -> None:
        """Choose for the differing section ``key`` (and its text for EDIT)."""
        self.choices[key] = choice
        if text is not None:
            self.edited[key] = text
        row = next(i for i, m in enumerate(self.merges) if m.key == key)
        self.list.setCurrentRow(row)
        self._show(row)
        self._label(row)
        self._update_apply()

    def chosen(self) -> dict[str, tuple[str, str]]:
        """Section key → (text, generated) to write: updates and new sections as the map has
        them, differing sections as chosen; nothing for a section that stays as it is."""
        out: dict[str, tuple[str, str]] = {}
        for m in self.merges:
            if m.differs:
                choice = self.choices.get(m.key, KEEP)
                if choice == EDIT:
                    got = (self.edited.get(m.key, m.text), m.fresh)
                elif choice == MERGE:
                    got = m.resolve_merged()
                else:
                    got = m.resolve(choice == TAKE)
                if got != (m.text, m.old_generated):
                    out[m.key] = got
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
    if not any(m.changes or m.differs for m in merges):
        from PySide6.QtWidgets import QMessageBox

        own = [m.title for m in merges if m.status == "manual" and pm.normalize(m.text)]
        text = (tr("The generated sections already match the map of {process}; nothing "
                   "changes.") if own else
                tr("The sections already match the map of {process}; nothing changes.")
                ).format(process=doc.process)
        if own:
            text += " " + (tr("Section {names} is written by hand and left alone.")
                           if len(own) == 1 else
                           tr("Sections {names} are written by hand and left alone.")
                           ).format(names=_names(own))
        QMessageBox.information(parent, tr("Generate from process map"), text)
        return False
    dialog = GenerateDialog(merges, parent, title=doc.name)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    chosen = dialog.chosen()
    if not chosen:
        return False
    return controller.edit(tr("Generate from map"),
                           lambda w: documents.apply_generated(w, doc_id, chosen)) is not None
