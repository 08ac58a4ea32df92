"""The preview of measurements pasted from Excel: every row as read, the rows with a problem
named, the rows that look wrong but can be pasted warned of (a future day, 120 %), and the
choice — Paste (only when no row has a problem), Skip the named rows, or Cancel.
Nothing is written here: the page pastes what the user chose as one undo step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import kpi
from ..table import ValueCombo, format_date
from ..table.marks import Marks
from .model import tr

if TYPE_CHECKING:  # pragma: no cover
    from ...services.objectives import PastePreview

PASTE, SKIP = "paste", "skip"


def skip_text(rows: list[int]) -> str:
    """The Skip button's words: "Skip row 1", "Skip rows 1, 2", "Skip rows 1, 2, …"."""
    if not rows:
        return tr("&Skip rows")
    if len(rows) == 1:
        return tr("&Skip row {row}").format(row=rows[0])
    return tr("&Skip rows {rows}").format(
        rows=", ".join(str(n) for n in rows[:8]) + ("…" if len(rows) > 8 else ""))


def paste_undo_text(result: tuple[int, int] | None) -> str:
    """The undo step's name after a paste: "Paste 1 measurement", "Paste 3 measurements"."""
    n = sum(result or (0, 0))
    return tr("Paste 1 measurement") if n == 1 else \
        tr("Paste {n} measurements").format(n=n)


class PasteDialog(QDialog):
    """``preview(order, replace) -> PastePreview`` reads the pasted text again when the user
    changes the date order or the replace choice; ``choice`` is PASTE, SKIP or None."""

    def __init__(self, title: str, preview: Callable[[str | None, bool], "PastePreview"],
                 unit: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Paste measurements into {title}").format(title=title))
        self.resize(760, 460)
        self._preview_of = preview
        self.unit = unit
        self.choice: str | None = None
        self.preview: PastePreview | None = None
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels([tr("Row"), tr("Date"), tr("Value"), tr("Note"),
                                              tr("Problem")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.order = ValueCombo([(tr("Slash dates: as the dates show"), None, ""),
                                 (tr("Slash dates are day/month/year"), "dmy", ""),
                                 (tr("Slash dates are month/day/year"), "mdy", "")], self)
        self.order.currentIndexChanged.connect(lambda _i: self.refresh())
        self.replace = QCheckBox(tr("&Replace the measurement of a day already measured"), self)
        self.replace.toggled.connect(lambda _on: self.refresh())
        options = QHBoxLayout()
        options.addWidget(self.order)
        options.addWidget(self.replace, 1)
        self.buttons = QDialogButtonBox(self)
        self.paste_button = QPushButton(tr("&Paste"), self)
        self.skip_button = QPushButton(self)
        self.buttons.addButton(self.paste_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.skip_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.paste_button.clicked.connect(lambda: self._done(PASTE))
        self.skip_button.clicked.connect(lambda: self._done(SKIP))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(options)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.refresh()

    @property
    def order_value(self) -> str | None:
        return self.order.value()

    @property
    def replace_same_day(self) -> bool:
        return self.replace.isChecked()

    def skip_rows(self) -> list[int]:
        return [r.number for r in self.preview.problems] if self.preview else []

    def refresh(self) -> None:
        p = self._preview_of(self.order_value, self.replace_same_day)
        self.preview = p
        self.order.setVisible(any("could be" in r.problem for r in p.rows)
                              or self.order_value is not None)
        self.replace.setVisible(any(r.replaces_id is not None for r in p.rows))
        overdue = Marks().overdue
        self.table.setRowCount(len(p.rows))
        for i, r in enumerate(p.rows):
            cells = (str(r.number),
                     format_date(r.measured_on) if r.measured_on else (r.cells[0] if r.cells
                                                                       else ""),
                     kpi.fmt(r.value, self.unit) if r.value is not None else
                     (r.cells[1] if len(r.cells) > 1 else ""),
                     r.note, r.problem or "; ".join(t for t in (
                         r.warning and tr("check: {warning}").format(warning=r.warning),
                         r.replaces_id and tr("replaces {value}").format(
                             value=kpi.fmt(r.replaces, self.unit))) if t))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if (r.problem or r.warning) and j == 4:
                    if r.problem:
                        item.setForeground(QBrush(QColor(overdue.color())))
                    item.setToolTip(text)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        bad, good = len(p.problems), len(p.rows) - len(p.problems)
        lines = []
        if p.header:
            lines.append(tr("The first row is a header (“{cells}”) and is not pasted.").format(
                cells=" | ".join(p.header)))
        lines += p.notes
        if bad:
            lines.append((tr("{bad} of {n} rows cannot be pasted: {first}") if len(p.rows) > 1
                          else tr("The row cannot be pasted: {first}")).format(
                bad=bad, n=len(p.rows), first=p.messages()[0]))
        elif p.rows:
            lines.append(tr("1 row is ready to paste.") if good == 1 else
                         tr("{n} rows are ready to paste.").format(n=good))
        warned = p.warnings()
        if warned:
            lines.append((tr("Check before pasting (it can be pasted): {rows}") if len(warned) == 1
                          else tr("Check before pasting (they can be pasted): {rows}")).format(
                rows="; ".join(warned[:4]) + ("…" if len(warned) > 4 else "")))
        self.summary.setText("\n".join(lines))
        self.paste_button.setEnabled(bad == 0 and good > 0)
        self.skip_button.setText(skip_text(self.skip_rows()))
        self.skip_button.setEnabled(bad > 0 and good > 0)
        self.skip_button.setVisible(bad > 0)

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.accept()
