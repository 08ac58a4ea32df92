"""A document's revision history, newest first, each revision with its signatures under it.

A signature shows its meaning, the printed name and user, the time in UTC and in the signer's
local time, and whether it still holds: ✓ valid, or ✗ with the reason (struck through and
greyed) — readable without colour.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, \
    QWidget

from ..table import format_date
from .model import meaning_words, status_words, tr

if TYPE_CHECKING:  # pragma: no cover
    from ...services.documents import RevisionRow, SignatureRow

RevisionRole = Qt.ItemDataRole.UserRole + 1
SignatureRole = Qt.ItemDataRole.UserRole + 2


def utc_text(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def local_text(local: str) -> str:
    """The signer's local time as stored (ISO 8601 with offset), shown plainly."""
    try:
        t = dt.datetime.fromisoformat(local)
    except ValueError:
        return local
    off = t.strftime("%z")
    off = f"{off[:3]}:{off[3:]}" if off else ""
    return tr("{time} local (UTC{offset})").format(time=t.strftime("%Y-%m-%d %H:%M:%S"),
                                                  offset=off)


def signature_text(s: "SignatureRow") -> str:
    meaning = meaning_words().get(s.meaning, s.meaning)
    mark = tr("✓ valid") if s.valid else tr("✗ not valid")
    text = tr("{mark} — {meaning} by {name} ({user}) · {utc} · {local}").format(
        mark=mark, meaning=meaning, name=s.signer_name, user=s.user, utc=utc_text(s.signed_at),
        local=local_text(s.local_time))
    return text


class RevisionsView(QTreeWidget):
    #: the revision the user selected (its id; None: none)
    revisionSelected = Signal(object)

    COLUMNS = ("number", "status", "issued", "effective", "summary", "author", "reviewer",
               "approver")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("revisionsView")
        self.setColumnCount(len(self.COLUMNS))
        self.setHeaderLabels([tr("Revision"), tr("Status"), tr("Issued"), tr("Effective"),
                              tr("Change summary"), tr("Author"), tr("Reviewer"),
                              tr("Approver")])
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(False)
        self.setWordWrap(False)
        header = self.header()
        header.setStretchLastSection(False)
        for i in range(len(self.COLUMNS)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.revisions: list["RevisionRow"] = []
        self.itemSelectionChanged.connect(self._selected)

    def set_revisions(self, revs: list["RevisionRow"], select: int | None = None) -> None:
        """Show ``revs`` (newest first) and select revision ``select`` (else keep the
        selection, else the first)."""
        keep = select if select is not None else self.selected_revision()
        self.blockSignals(True)
        try:
            self.clear()
            self.revisions = list(revs)
            words = status_words()
            from ..table.marks import Marks

            marks = Marks()
            target = None
            for r in revs:
                summary = " ".join(r.change_summary.split())
                item = QTreeWidgetItem([r.number, words.get(r.status, r.status),
                                        format_date(r.issued_on), format_date(r.effective_on),
                                        summary, r.author, r.reviewer, r.approver])
                item.setData(0, RevisionRole, r.id)
                item.setToolTip(4, r.change_summary or None)
                if r.status == "obsolete":
                    for c in range(len(self.COLUMNS)):
                        item.setForeground(c, marks.muted)
                self.addTopLevelItem(item)
                for s in r.signatures:
                    child = QTreeWidgetItem([signature_text(s)])
                    child.setData(0, RevisionRole, r.id)
                    child.setData(0, SignatureRole, s.id)
                    child.setToolTip(0, signature_text(s) + (f"\n{s.problem}" if s.problem
                                                             else ""))
                    if not s.valid:
                        f = QFont(child.font(0))
                        f.setStrikeOut(True)
                        child.setFont(0, f)
                        child.setForeground(0, QBrush(QColor(marks.muted.color())))
                    child.setData(0, Qt.ItemDataRole.AccessibleTextRole, signature_text(s))
                    item.addChild(child)
                    child.setFirstColumnSpanned(True)
                    if not s.valid and s.problem:  # the reason stays readable (not struck)
                        why = QTreeWidgetItem(["      " + tr("Why not valid: {reason}").format(
                            reason=s.problem)])
                        why.setData(0, RevisionRole, r.id)
                        why.setForeground(0, marks.overdue)
                        item.addChild(why)
                        why.setFirstColumnSpanned(True)
                for text in r.missing_text:  # a signature removed outside the app
                    gone = QTreeWidgetItem(["✗ " + tr(text)])
                    gone.setData(0, RevisionRole, r.id)
                    gone.setForeground(0, marks.overdue)
                    item.addChild(gone)
                    gone.setFirstColumnSpanned(True)
                if not r.signatures and not r.missing:
                    child = QTreeWidgetItem([tr("No signatures")])
                    child.setData(0, RevisionRole, r.id)
                    child.setForeground(0, marks.muted)
                    item.addChild(child)
                    child.setFirstColumnSpanned(True)
                item.setExpanded(r.status != "obsolete")
                if r.id == keep:
                    target = item
            if target is None and self.topLevelItemCount():
                target = self.topLevelItem(0)
            if target is not None:
                self.setCurrentItem(target)
        finally:
            self.blockSignals(False)
        self._selected()

    def selected_revision(self) -> int | None:
        item = self.currentItem()
        return item.data(0, RevisionRole) if item is not None else None

    def signature_items(self, rid: int) -> list[QTreeWidgetItem]:
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item.data(0, RevisionRole) == rid:
                return [item.child(k) for k in range(item.childCount())
                        if item.child(k).data(0, SignatureRole) is not None]
        return []

    def _selected(self) -> None:
        self.revisionSelected.emit(self.selected_revision())
