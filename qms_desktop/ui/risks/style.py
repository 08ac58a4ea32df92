"""Colours, icons and labels of the risk register, readable without colour and in dark mode.

Every colour comes with text (the level's name, "overdue") and a shape icon, so the register
reads the same for colour-blind users and in grey-scale print. The colours are the one palette
of ``core.palette`` (the xlsx export uses the same): pastel fills with dark text on a light
window, deep fills with light text on a dark one.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap, \
    QPolygonF
from PySide6.QtWidgets import QApplication

from ...core.palette import AP_LEVEL as _AP_LEVEL
from ...core.palette import LEVEL_COLOURS as _LEVEL
from ...core.palette import MUTED as _MUTED
from ...core.palette import OPPORTUNITY_COLOURS as _CHANCE
from ...core.palette import OVERDUE as _OVERDUE
from ...core.risk import IMPACT_LABELS, LIKELIHOOD_LABELS


def tr(text: str) -> str:
    return QCoreApplication.translate("risks", text)


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is dark (dark mode or a dark theme)."""
    if palette is None:
        app = QApplication.instance()
        palette = app.palette() if app is not None else QPalette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def level_label(level: str, kind: str = "risk") -> str:
    """The word of a level; an opportunity's levels have words of their own (never a
    threat's "High" or "Critical")."""
    if kind == "opportunity":
        return {"low": tr("Marginal"), "medium": tr("Worthwhile"), "high": tr("Significant"),
                "critical": tr("Exceptional")}.get(level, level)
    return {"low": tr("Low"), "medium": tr("Medium"), "high": tr("High"),
            "critical": tr("Critical")}.get(level, level)


def ap_label(ap: str) -> str:
    return {"H": tr("H (high)"), "M": tr("M (medium)"), "L": tr("L (low)")}.get(ap, ap)


def kind_label(kind: str) -> str:
    return {"risk": tr("Risk"), "opportunity": tr("Opportunity")}.get(kind, kind)


def status_label(status: str) -> str:
    return {"open": tr("Open"), "treating": tr("Treating"), "monitoring": tr("Monitoring"),
            "closed": tr("Closed")}.get(status, status)


def method_label(method: str) -> str:
    return {"5x5": tr("5×5"), "fmea": tr("FMEA"), "both": tr("5×5 + FMEA")}.get(method, method)


def action_status_label(status: str) -> str:
    return {"open": tr("Open"), "in_progress": tr("In progress"), "done": tr("Done"),
            "verified": tr("Verified"), "cancelled": tr("Cancelled")}.get(status, status)


def likelihood_label(n: int) -> str:
    return {1: tr("Rare"), 2: tr("Unlikely"), 3: tr("Possible"), 4: tr("Likely"),
            5: tr("Almost certain")}.get(n, LIKELIHOOD_LABELS.get(n, str(n)))


def impact_label(n: int) -> str:
    return {1: tr("Insignificant"), 2: tr("Minor"), 3: tr("Moderate"), 4: tr("Major"),
            5: tr("Severe")}.get(n, IMPACT_LABELS.get(n, str(n)))


class Palette:
    """QColors and icons for the current palette; rebuilt when the palette changes."""

    def __init__(self, dark: bool | None = None):
        self.dark = is_dark() if dark is None else dark
        colours = _LEVEL[self.dark]
        self.level_bg = {k: QBrush(QColor(v[0])) for k, v in colours.items()}
        self.level_fg = {k: QBrush(QColor(v[1])) for k, v in colours.items()}
        chances = _CHANCE[self.dark]
        self.chance_bg = {k: QBrush(QColor(v[0])) for k, v in chances.items()}
        self.chance_fg = {k: QBrush(QColor(v[1])) for k, v in chances.items()}
        self.overdue = QBrush(QColor(_OVERDUE[self.dark]))
        self.muted = QBrush(QColor(_MUTED[self.dark]))

    def level_colours(self, level: str, kind: str = "risk"
                      ) -> tuple[QBrush, QBrush] | tuple[None, None]:
        if level not in self.level_bg:
            return None, None
        if kind == "opportunity":
            return self.chance_bg[level], self.chance_fg[level]
        return self.level_bg[level], self.level_fg[level]

    def ap_colours(self, ap: str) -> tuple[QBrush, QBrush] | tuple[None, None]:
        return self.level_colours(_AP_LEVEL.get(ap, ""))

    def level_icon(self, level: str, kind: str = "risk") -> QIcon | None:
        if level not in self.level_bg:
            return None
        return _level_icon(level, self.dark, kind == "opportunity")

    def ap_icon(self, ap: str) -> QIcon | None:
        return self.level_icon(_AP_LEVEL.get(ap, ""))

    def overdue_icon(self) -> QIcon:
        return _overdue_icon(self.dark)


def _pixmap(size: int = 16) -> tuple[QPixmap, QPainter]:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pm, p


@lru_cache(maxsize=32)
def _level_icon(level: str, dark: bool, opportunity: bool = False) -> QIcon:
    """A shape per level (circle, triangle, square, octagon with a bar), so levels differ by
    form as well as colour; an opportunity's in its own colours, its top level a star."""
    fill, _ink = (_CHANCE if opportunity else _LEVEL)[dark][level]
    edge = QColor("#F0F0F0" if dark else "#303030")
    pm, p = _pixmap()
    p.setPen(QPen(edge, 1.2))
    p.setBrush(QColor(fill))
    if level == "low":
        p.drawEllipse(QRectF(3, 3, 10, 10))
    elif level == "medium":
        p.drawPolygon(QPolygonF([QPointF(8, 2.5), QPointF(14, 13.5), QPointF(2, 13.5)]))
    elif level == "high":
        p.drawRect(QRectF(3, 3, 10, 10))
    elif opportunity:
        import math

        star = [QPointF(8 + (7 if i % 2 == 0 else 3) * math.sin(i * math.pi / 5),
                        8.5 - (7 if i % 2 == 0 else 3) * math.cos(i * math.pi / 5))
                for i in range(10)]
        p.drawPolygon(QPolygonF(star))
    else:
        path = QPainterPath()
        pts = [(5, 1.5), (11, 1.5), (14.5, 5), (14.5, 11), (11, 14.5), (5, 14.5), (1.5, 11),
               (1.5, 5)]
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))
        path.closeSubpath()
        p.drawPath(path)
        p.setPen(QPen(QColor("#FFFFFF"), 2))
        p.drawLine(QPointF(5, 8), QPointF(11, 8))
    p.end()
    return QIcon(pm)


@lru_cache(maxsize=2)
def _overdue_icon(dark: bool) -> QIcon:
    """A warning triangle with an exclamation mark."""
    colour = QColor(_OVERDUE[dark])
    pm, p = _pixmap()
    p.setPen(QPen(colour, 1.2))
    p.setBrush(colour)
    p.drawPolygon(QPolygonF([QPointF(8, 1.5), QPointF(15, 14.5), QPointF(1, 14.5)]))
    p.setPen(QPen(QColor("#FFFFFF" if not dark else "#1A1A1A"), 2))
    p.drawLine(QPointF(8, 6), QPointF(8, 10))
    p.drawPoint(QPointF(8, 12.5))
    p.end()
    return QIcon(pm)


def cell_style(level: str, dark: bool, kind: str = "risk") -> str:
    """A style sheet for a button or label showing ``level`` (banding editor, badges) of a
    risk of ``kind``."""
    scale = _CHANCE if kind == "opportunity" else _LEVEL
    fill, ink = scale[dark].get(level, ("transparent", "palette(text)"))
    return f"background-color: {fill}; color: {ink};"
