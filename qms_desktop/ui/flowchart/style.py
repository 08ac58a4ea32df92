"""How a map looks: colours, cached pens and brushes, fonts and the outline of every shape.

Everything here is built once per theme and shared by all items, so painting never creates pens
or brushes. Shapes are plain :class:`QPainterPath` outlines in the item's own coordinates
(``0, 0, w, h``): the node items are C++ ``QGraphicsPathItem`` s that paint them without calling
back into Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPalette, QPen, QPolygonF

#: scene units are CSS pixels (1/96 inch), like BPMN-DI and bpmn.io
SCENE_DPI = 96.0
#: grid spacing for snapping and the background grid
GRID = 10.0
#: width of a lane's (or pool's) title band
LANE_HEADER = 30.0
#: pixel size of the labels' font at 100 % (shapes and lanes; connector labels are 11 px)
LABEL_PX = 12
#: the smallest height, in screen pixels, at which text is still drawn: below it a label is a
#: speck, at it the words of a map at fit can still be told apart
MIN_LABEL_PX = 3.0
#: below this zoom factor labels are not drawn (they would be less than MIN_LABEL_PX high)
DETAIL_SCALE = MIN_LABEL_PX / LABEL_PX
#: kinds whose label sits below the shape (BPMN habit for events, gateways and data)
LABEL_BELOW = frozenset({"start", "end", "event", "decision", "document", "record"})
#: ``bpmn_type`` s of a data shape that stands for an input or output of its whole process
#: (drawn with the BPMN arrow marker; they take no lane and no role)
PROCESS_IO = frozenset({"dataInput", "dataOutput"})


def is_process_io(row: dict) -> bool:
    """Whether a node row is a process's data input or data output."""
    return row.get("kind") == "document" and row.get("bpmn_type") in PROCESS_IO


@dataclass(frozen=True)
class KindStyle:
    fill: str
    line: str
    width: float = 1.5


LIGHT_KINDS = {
    "start": KindStyle("#e8f5e9", "#2e7d32", 2.0),
    "end": KindStyle("#ffebee", "#c62828", 4.0),
    "event": KindStyle("#fff8e1", "#b7791f", 1.5),
    "step": KindStyle("#e3f2fd", "#1f5f99", 1.5),
    "decision": KindStyle("#fff3e0", "#c25e00", 1.5),
    "document": KindStyle("#f3e5f5", "#6a1b9a", 1.5),
    "record": KindStyle("#e0f2f1", "#00695c", 1.5),
    "subprocess": KindStyle("#e8eaf6", "#283593", 2.0),
    "annotation": KindStyle("#00000000", "#5f6368", 1.5),
    "pool": KindStyle("#00000000", "#5f6368", 1.5),
}


@dataclass
class Theme:
    """Colours of the canvas; the node fills stay light (labels inside them stay dark)."""

    name: str
    background: str
    grid: str
    text: str
    text_on_shape: str
    edge: str
    lane_line: str
    lane_header: str
    lane_fill: tuple[str, str]
    selection: str
    label_background: str
    kinds: dict[str, KindStyle] = field(default_factory=lambda: dict(LIGHT_KINDS))

    @property
    def dark(self) -> bool:
        return QColor(self.background).lightness() < 128


LIGHT = Theme("light", background="#ffffff", grid="#eef1f5", text="#202124",
              text_on_shape="#202124", edge="#3c4043", lane_line="#9aa0a6",
              lane_header="#eceff3", lane_fill=("#fbfcfd", "#f4f6f9"), selection="#1a73e8",
              label_background="#ffffff")
DARK = Theme("dark", background="#1f2124", grid="#2a2d31", text="#e8eaed",
             text_on_shape="#202124", edge="#bdc1c6", lane_line="#5f6368",
             lane_header="#2d3035", lane_fill=("#232528", "#26292d"), selection="#8ab4f8",
             label_background="#1f2124")


def theme_for(palette: QPalette | None) -> Theme:
    """The dark theme when the widget palette is dark, else the light one."""
    if palette is None:
        return LIGHT
    return DARK if palette.color(QPalette.ColorRole.Base).lightness() < 128 else LIGHT


class Paints:
    """Pens, brushes and fonts of one theme, created once and shared."""

    def __init__(self, theme: Theme):
        self.theme = theme
        self.node_pen: dict[str, QPen] = {}
        self.node_brush: dict[str, QBrush] = {}
        for kind, ks in theme.kinds.items():
            pen = QPen(QColor(ks.line), ks.width)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            pen.setCosmetic(False)
            self.node_pen[kind] = pen
            self.node_brush[kind] = QBrush(QColor(ks.fill))
        sel = QColor(theme.selection)
        self.selected_pen: dict[str, QPen] = {}
        for kind, ks in theme.kinds.items():
            pen = QPen(sel, max(ks.width, 2.5))
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            self.selected_pen[kind] = pen
        self.edge_pen = {}
        self.edge_pen_selected = {}
        for kind, style in (("sequence", Qt.PenStyle.SolidLine),
                            ("message", Qt.PenStyle.DashLine),
                            ("association", Qt.PenStyle.DotLine)):
            for target, color, width in ((self.edge_pen, QColor(theme.edge), 1.5),
                                         (self.edge_pen_selected, sel, 2.5)):
                pen = QPen(color, width, style, Qt.PenCapStyle.RoundCap,
                           Qt.PenJoinStyle.RoundJoin)
                target[kind] = pen
        self.edge_brush = QBrush(QColor(theme.edge))
        self.edge_brush_selected = QBrush(sel)
        self.no_brush = QBrush(Qt.BrushStyle.NoBrush)
        self.text = QColor(theme.text)
        self.text_on_shape = QColor(theme.text_on_shape)
        self.label_background = QBrush(QColor(theme.label_background))
        self.lane_pen = QPen(QColor(theme.lane_line), 1.0)
        self.lane_pen_selected = QPen(sel, 2.0)
        self.lane_header = QBrush(QColor(theme.lane_header))
        self.lane_fill = tuple(QBrush(QColor(c)) for c in theme.lane_fill)
        self.grid_pen = QPen(QColor(theme.grid), 0)
        self.background = QBrush(QColor(theme.background))
        self.font = QFont()
        self.font.setPixelSize(LABEL_PX)
        self.small_font = QFont(self.font)
        self.small_font.setPixelSize(11)
        self.title_font = QFont(self.font)
        self.title_font.setBold(True)
        # the arrow of a process input (hollow) or output (filled) inside its data shape
        data = theme.kinds.get("document", LIGHT_KINDS["document"])
        self.io_pen = QPen(QColor(data.line), 1.2)
        self.io_pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self.io_brush = {"dataInput": QBrush(QColor(data.fill)),
                         "dataOutput": QBrush(QColor(data.line))}


_PAINTS: dict[str, Paints] = {}


def paints(theme: Theme) -> Paints:
    p = _PAINTS.get(theme.name)
    if p is None or p.theme is not theme:
        p = _PAINTS[theme.name] = Paints(theme)
    return p


# --------------------------------------------------------------------------- shapes


def _marker_plus(path: QPainterPath, cx: float, cy: float, r: float) -> None:
    path.moveTo(cx - r, cy)
    path.lineTo(cx + r, cy)
    path.moveTo(cx, cy - r)
    path.lineTo(cx, cy + r)


#: BPMN event definitions drawn inside an event's circle
EVENT_MARKERS = ("message", "timer", "escalation", "error", "signal", "conditional", "link",
                 "compensate", "cancel", "terminate")


def _poly(p: QPainterPath, pts: list[tuple[float, float]]) -> None:
    p.addPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))
    p.closeSubpath()


def _event_marker(p: QPainterPath, marker: str, w: float, h: float) -> None:
    """The symbol of an event's definition (BPMN 2.0 notation), centred in its circle."""
    cx, cy, r = w / 2, h / 2, min(w, h) * 0.26
    if marker == "message":
        p.addRect(QRectF(cx - r, cy - r * 0.7, 2 * r, r * 1.4))
        p.moveTo(cx - r, cy - r * 0.7)
        p.lineTo(cx, cy + r * 0.1)
        p.lineTo(cx + r, cy - r * 0.7)
    elif marker == "timer":
        p.addEllipse(QPointF(cx, cy), r * 1.1, r * 1.1)
        p.moveTo(cx, cy)
        p.lineTo(cx, cy - r * 0.8)
        p.moveTo(cx, cy)
        p.lineTo(cx + r * 0.6, cy)
    elif marker == "escalation":
        _poly(p, [(cx, cy - r), (cx + r * 0.7, cy + r), (cx, cy + r * 0.3), (cx - r * 0.7, cy + r)])
    elif marker == "error":
        _poly(p, [(cx - r * 0.8, cy + r), (cx - r * 0.3, cy - r * 0.8), (cx + r * 0.2, cy + r * 0.1),
                  (cx + r * 0.8, cy - r), (cx + r * 0.3, cy + r * 0.8), (cx - r * 0.2, cy - r * 0.1)])
    elif marker == "signal":
        _poly(p, [(cx, cy - r), (cx + r, cy + r * 0.75), (cx - r, cy + r * 0.75)])
    elif marker == "conditional":
        p.addRect(QRectF(cx - r * 0.7, cy - r, r * 1.4, r * 2))
        for k in (-0.5, 0.0, 0.5):
            p.moveTo(cx - r * 0.45, cy + r * k)
            p.lineTo(cx + r * 0.45, cy + r * k)
    elif marker == "link":
        _poly(p, [(cx - r, cy - r * 0.35), (cx + r * 0.2, cy - r * 0.35), (cx + r * 0.2, cy - r * 0.8),
                  (cx + r, cy), (cx + r * 0.2, cy + r * 0.8), (cx + r * 0.2, cy + r * 0.35),
                  (cx - r, cy + r * 0.35)])
    elif marker == "compensate":
        _poly(p, [(cx - r, cy), (cx, cy - r * 0.7), (cx, cy + r * 0.7)])
        _poly(p, [(cx, cy), (cx + r, cy - r * 0.7), (cx + r, cy + r * 0.7)])
    elif marker == "cancel":
        p.moveTo(cx - r * 0.7, cy - r * 0.7)
        p.lineTo(cx + r * 0.7, cy + r * 0.7)
        p.moveTo(cx + r * 0.7, cy - r * 0.7)
        p.lineTo(cx - r * 0.7, cy + r * 0.7)
    elif marker == "terminate":
        p.addEllipse(QPointF(cx, cy), r * 1.2, r * 1.2)


def shape_path(kind: str, w: float, h: float, *, bpmn_type: str = "",
               expanded: bool = False, marker: str = "") -> QPainterPath:
    """The outline of a node of ``kind`` and size ``w`` x ``h`` at (0, 0); ``marker``: an
    event's definition (one of :data:`EVENT_MARKERS`) drawn inside it."""
    p = QPainterPath()
    if kind in ("start", "end", "event"):
        p.addEllipse(QRectF(0, 0, w, h))
        if kind == "event":
            p.addEllipse(QRectF(3, 3, max(w - 6, 1), max(h - 6, 1)))
        if marker:
            _event_marker(p, marker, w, h)
    elif kind == "decision":
        p.addPolygon(QPolygonF([QPointF(w / 2, 0), QPointF(w, h / 2), QPointF(w / 2, h),
                                QPointF(0, h / 2)]))
        p.closeSubpath()
        cx, cy, r = w / 2, h / 2, min(w, h) * 0.16
        if bpmn_type == "parallelGateway":
            _marker_plus(p, cx, cy, r * 1.2)
        elif bpmn_type == "inclusiveGateway":
            p.addEllipse(QPointF(cx, cy), r * 1.3, r * 1.3)
        elif bpmn_type in ("exclusiveGateway", ""):
            p.moveTo(cx - r, cy - r)
            p.lineTo(cx + r, cy + r)
            p.moveTo(cx + r, cy - r)
            p.lineTo(cx - r, cy + r)
        elif bpmn_type == "eventBasedGateway":
            p.addEllipse(QPointF(cx, cy), r * 1.4, r * 1.4)
    elif kind == "document":
        f = min(w, h) * 0.3
        p.addPolygon(QPolygonF([QPointF(0, 0), QPointF(w - f, 0), QPointF(w, f),
                                QPointF(w, h), QPointF(0, h)]))
        p.closeSubpath()
        p.moveTo(w - f, 0)
        p.lineTo(w - f, f)
        p.lineTo(w, f)
    elif kind == "record":
        e = min(h * 0.25, 14.0)
        p.moveTo(0, e / 2)
        p.lineTo(0, h - e / 2)
        p.arcTo(QRectF(0, h - e, w, e), 180, 180)
        p.lineTo(w, e / 2)
        p.arcTo(QRectF(0, 0, w, e), 0, 180)
        p.closeSubpath()
        p.addEllipse(QRectF(0, 0, w, e))
    elif kind == "annotation":
        arm = min(15.0, w / 3)
        p.moveTo(arm, 0)
        p.lineTo(0, 0)
        p.lineTo(0, h)
        p.lineTo(arm, h)
    elif kind == "pool":
        p.addRect(QRectF(0, 0, w, h))
        if marker == "top":  # the title band along the top (its lanes are columns)
            p.moveTo(0, LANE_HEADER)
            p.lineTo(w, LANE_HEADER)
        else:
            p.moveTo(LANE_HEADER, 0)
            p.lineTo(LANE_HEADER, h)
    else:  # step, subprocess
        p.addRoundedRect(QRectF(0, 0, w, h), 10, 10)
        if kind == "subprocess" and not expanded:
            s = 12.0
            x0, y0 = w / 2 - s / 2, h - s - 3
            p.addRect(QRectF(x0, y0, s, s))
            _marker_plus(p, x0 + s / 2, y0 + s / 2, s * 0.3)
    return p


def io_marker_path(w: float, h: float) -> QPainterPath:
    """The BPMN marker of a process's data input or output: a small block arrow pointing right
    in the top-left corner of a data shape of size ``w`` x ``h`` (hollow for an input, filled
    for an output: the brush tells them apart, the outline is the same)."""
    length = max(min(w * 0.42, h * 0.32, 16.0), 4.0)
    high = length * 0.8
    x0 = y0 = max(min(w, h) * 0.1, 2.0)
    neck = x0 + length * 0.5
    p = QPainterPath()
    _poly(p, [(x0, y0 + high * 0.3), (neck, y0 + high * 0.3), (neck, y0), (x0 + length, y0 + high / 2),
              (neck, y0 + high), (neck, y0 + high * 0.7), (x0, y0 + high * 0.7)])
    return p


def border_point(kind: str, box: tuple[float, float, float, float],
                 toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the centre of ``box`` to ``toward`` leaves the shape's outline."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    dx, dy = toward[0] - cx, toward[1] - cy
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return cx, cy
    if kind in ("start", "end", "event"):
        a = math.atan2(dy, dx)
        return cx + math.cos(a) * w / 2, cy + math.sin(a) * h / 2
    if kind == "decision":
        t = 1.0 / (abs(dx) / (w / 2) + abs(dy) / (h / 2))
        return cx + dx * t, cy + dy * t
    tx = (w / 2) / abs(dx) if abs(dx) > 1e-9 else math.inf
    ty = (h / 2) / abs(dy) if abs(dy) > 1e-9 else math.inf
    t = min(tx, ty)
    return cx + dx * t, cy + dy * t


def arrow_head(tip: tuple[float, float], frm: tuple[float, float], length: float = 10.0,
               half: float = 4.5) -> list[QPointF]:
    """The three corners of an arrowhead ending at ``tip``, coming from ``frm``."""
    dx, dy = tip[0] - frm[0], tip[1] - frm[1]
    d = math.hypot(dx, dy) or 1.0
    ux, uy = dx / d, dy / d
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    return [QPointF(*tip), QPointF(bx - uy * half, by + ux * half),
            QPointF(bx + uy * half, by - ux * half)]


def kind_titles() -> dict[str, str]:
    from PySide6.QtCore import QCoreApplication

    def t(s: str) -> str:
        return QCoreApplication.translate("flowchart", s)

    return {
        "start": t("Start"),
        "end": t("End"),
        "event": t("Event"),
        "step": t("Step"),
        "decision": t("Decision"),
        "document": t("Document"),
        "record": t("Record"),
        "subprocess": t("Sub-process"),
        "annotation": t("Annotation"),
        "pool": t("Pool"),
    }
