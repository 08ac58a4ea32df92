"""Due-date marks any table can put on a row: an "overdue" colour that never speaks alone — it
comes with a shape (a clock with a bar) and words — in light and dark mode.

``Marks()`` is a palette factory for :class:`~.model.RowModel` (``palette=Marks``); columns use
it in ``colour`` and ``symbol``::

    Column("due_date", tr("Due"), editor=DATE, display=due_text(lambda r: r.overdue),
           colour=lambda r, pal: (None, pal.overdue if r.overdue else None),
           symbol=lambda r, pal: pal.overdue_icon if r.overdue else None)
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from ...core.palette import MUTED, OVERDUE
from .delegates import format_date


def tr(text: str) -> str:
    return QCoreApplication.translate("table", text)


def dark_window() -> bool:
    app = QApplication.instance()
    palette = app.palette() if app is not None else QPalette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class Marks:
    """Brushes and icons of the marks, for the current (light or dark) palette."""

    def __init__(self, dark: bool | None = None):
        self.dark = dark_window() if dark is None else dark
        self.overdue = QBrush(QColor(OVERDUE[self.dark]))
        self.muted = QBrush(QColor(MUTED[self.dark]))
        self.overdue_icon = _late_icon(self.dark)


@lru_cache(maxsize=2)
def _late_icon(dark: bool) -> QIcon:
    """A clock face with an exclamation bar beside it: "late", by shape as well as colour."""
    colour = QColor(OVERDUE[dark])
    pm = QPixmap(16, 16)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(colour, 1.6))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(1.5, 2.5, 10, 10))
    p.drawLine(QPointF(6.5, 7.5), QPointF(6.5, 4.5))
    p.drawLine(QPointF(6.5, 7.5), QPointF(9, 7.5))
    p.setPen(QPen(colour, 2.2))
    p.drawLine(QPointF(14, 2.5), QPointF(14, 10))
    p.drawPoint(QPointF(14, 13.5))
    p.end()
    return QIcon(pm)


def days_late(due: dt.date | None, today: dt.date | None = None) -> int:
    if due is None:
        return 0
    return max(0, ((today or dt.date.today()) - due).days)


def due_text(late: Callable[[Any], bool], due: Callable[[Any], dt.date | None] = (
        lambda r: r.due_date)) -> Callable[[Any], str]:
    """A display function: the date, followed by "overdue" when ``late(row)`` — the words that
    say what the colour and icon say."""
    def text(row: Any) -> str:
        date = format_date(due(row))
        return tr("{date} · overdue").format(date=date) if late(row) else date
    return text


def late_tip(late: Callable[[Any], bool], due: Callable[[Any], dt.date | None] = (
        lambda r: r.due_date)) -> Callable[[Any], str | None]:
    """A tooltip function: "Overdue by 12 days (due …)" for late rows."""
    def tip(row: Any) -> str | None:
        if not late(row):
            return None
        d = due(row)
        n = days_late(d)
        return tr("Overdue by {n} day(s): it was due on {date}.").format(n=n, date=format_date(d))
    return tip
