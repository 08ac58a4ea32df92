"""The graphics items of a map: shapes (nodes), connectors (edges), swimlanes and labels.

Items are views of the rows :func:`qms_desktop.services.processes.load_map_data` returns; they
keep the row they show and never touch the database. Undo commands change the data and the scene
updates the items from the new rows (:meth:`MapScene.sync`), never the other way round.

Performance (a map may hold thousands of shapes):

* Shapes are ``QGraphicsPathItem`` s: Qt paints them in C++ with shared, cached outlines, pens
  and brushes; no ``paint()`` runs in Python for them.
* A connector keeps its route as one polygon, painted with ``drawPolyline`` and a shared
  arrowhead moved into place; its bounding box comes from the points, so building one creates no
  painter path. Its route is recomputed only when one of its ends moves.
* The wide hit area of a connector (:meth:`EdgeItem.shape`) is stroked only when Qt first needs
  it for a click or a rubber band near it.
* Labels are painted from a cached ``QStaticText``; the scene hides them when the view is zoomed
  out too far to read them.
"""

from __future__ import annotations

import json
import math
import re

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPolygonF,
    QStaticText,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from ...core.mapedit import follow_ends
from ...core.processmap import route_candidates, route_edge
from .style import (
    DETAIL_SCALE,
    LABEL_BELOW,
    LANE_HEADER,
    PROCESS_IO,
    Paints,
    arrow_head,
    border_point,
    io_marker_path,
    shape_path,
)

GIC = QGraphicsItem.GraphicsItemChange
GIF = QGraphicsItem.GraphicsItemFlag

Z_POOL, Z_LANE, Z_EDGE, Z_NODE, Z_EDIT = -30.0, -20.0, 1.0, 2.0, 1000.0
_NODE_Z = {"pool": Z_POOL, "annotation": 2.5}
Z_EXPANDED = 0.5
#: (a picture drawn at exactly the smallest zoom that shows labels still shows them)
_MIN_LABEL_LOD = DETAIL_SCALE * 0.999

# Combining Qt enum flags goes through Python's enum machinery (slow per call): the combinations
# used for every item are built once here.
_AF = Qt.AlignmentFlag
NODE_FLAGS = GIF.ItemIsSelectable | GIF.ItemIsMovable
EDGE_FLAGS = GIF.ItemIsSelectable
LANE_FLAGS = GIF.ItemIsSelectable | GIF.ItemUsesExtendedStyleOption
ALIGN_RIGHT_BOTTOM = _AF.AlignRight | _AF.AlignBottom
ALIGN_HCENTER_TOP = _AF.AlignHCenter | _AF.AlignTop
ALIGN_LEFT_VCENTER = _AF.AlignLeft | _AF.AlignVCenter
ALIGN_LEFT_TOP = _AF.AlignLeft | _AF.AlignTop
ALIGN_LEFT_BOTTOM = _AF.AlignLeft | _AF.AlignBottom
ALIGN_RIGHT_TOP = _AF.AlignRight | _AF.AlignTop
ALIGN_RIGHT_VCENTER = _AF.AlignRight | _AF.AlignVCenter


def parse_points(text: str) -> list[tuple[float, float]]:
    """Waypoints stored as JSON ``[[x, y], ...]`` (an empty list when absent or broken)."""
    if not text:
        return []
    try:
        pts = json.loads(text)
        return [(float(p[0]), float(p[1])) for p in pts]
    except (ValueError, TypeError, IndexError):
        return []


def near_box(box: tuple[float, float, float, float], p: tuple[float, float],
          tol: float = 30.0) -> bool:
    """Whether ``p`` is on or near the box: a route's end on its shape (files from other tools
    may end a connector a little short of the border; one that ends far away was meant for
    another shape)."""
    x, y, w, h = box
    return x - tol <= p[0] <= x + w + tol and y - tol <= p[1] <= y + h + tol


def parse_all_points(texts: dict[int, str | None]) -> dict[int, list[tuple[float, float]]]:
    """:func:`parse_points` for many connectors at once (one JSON parse for a whole map; any
    text that is not a list of points falls back to being parsed, or dropped, on its own)."""
    keys = [k for k, t in texts.items() if t]
    if not keys:
        return {}
    try:
        got = json.loads("[" + ",".join(texts[k] for k in keys) + "]")
    except ValueError:
        got = None
    if got is None or len(got) != len(keys):
        return {k: parse_points(texts[k]) for k in keys}
    out = {}
    for k, pts in zip(keys, got):
        try:
            out[k] = [(float(x), float(y)) for x, y in pts]
        except (ValueError, TypeError):
            out[k] = parse_points(texts[k])
    return out


_SHAPES: dict[tuple, QPainterPath] = {}


_DEFINITION = re.compile(r"(message|timer|escalation|error|signal|conditional|link|compensate|"
                         r"cancel|terminate)EventDefinition")


def pool_header(row: dict) -> str:
    """``"top"`` when a pool's title band is along its top (an imported draw.io pool whose
    lanes are columns), else "" (the band on the left)."""
    extra = row.get("extra") or ""
    return "top" if '"header": "top"' in extra else ""


def event_marker(row: dict) -> str:
    """The definition of an event shape (message, timer …) as the importer kept it, or ""."""
    extra = row.get("extra") or ""
    if "EventDefinition" not in extra:
        return ""
    m = _DEFINITION.search(extra)
    return m.group(1) if m else ""


def label_bounds(row: dict) -> tuple[float, float, float, float] | None:
    """The label box an imported BPMN file gave a shape (scene coordinates), or None. It is
    placed as the BPMN export places it: the stored box, moved by how far the shape's corner
    is from the shape box stored with it (``di.bounds``)."""
    extra = row.get("extra") or ""
    if '"label"' not in extra:
        return None
    try:
        di = json.loads(extra).get("di", {})
        b = di.get("label", {}).get("bounds")
        x, y, w, h = (float(v) for v in b)
    except (ValueError, TypeError, AttributeError):
        return None
    ob = di.get("bounds")
    try:
        x += float(row.get("x") or 0) - float(ob[0])
        y += float(row.get("y") or 0) - float(ob[1])
    except (TypeError, ValueError, IndexError, KeyError):
        pass
    return (x, y, w, h) if w > 0 and h > 0 else None


def cached_shape(kind: str, w: float, h: float, bpmn_type: str, expanded: bool,
                 marker: str = "") -> QPainterPath:
    """Shape outlines are shared between shapes of the same kind and size (QPainterPath is
    implicitly shared, so a thousand steps hold one path)."""
    key = (kind, w, h, bpmn_type, expanded, marker)
    path = _SHAPES.get(key)
    if path is None:
        if len(_SHAPES) > 4096:
            _SHAPES.clear()
        path = _SHAPES[key] = shape_path(kind, w, h, bpmn_type=bpmn_type, expanded=expanded,
                                         marker=marker)
    return path


_IO_MARKERS: dict[tuple[float, float], QPainterPath] = {}


def cached_io_marker(w: float, h: float) -> QPainterPath:
    """The arrow of a process input or output, shared by data shapes of the same size."""
    path = _IO_MARKERS.get((w, h))
    if path is None:
        if len(_IO_MARKERS) > 1024:
            _IO_MARKERS.clear()
        path = _IO_MARKERS[(w, h)] = io_marker_path(w, h)
    return path


def straighten(pts: list[tuple[float, float]], sb: tuple[float, float, float, float],
               tb: tuple[float, float, float, float], tolerance: float = 6.0
               ) -> list[tuple[float, float]]:
    """A route with a tiny jog (two shapes almost in line) becomes one straight segment,
    provided the straight line still meets both shapes."""
    if len(pts) != 4:
        return pts
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
    if y0 == y1 and x1 == x2 and y2 == y3 and abs(y3 - y0) <= tolerance:
        y = y0
        if tb[1] + 4 <= y <= tb[1] + tb[3] - 4:
            return [(x0, y), (x3, y)]
    if x0 == x1 and y1 == y2 and x2 == x3 and abs(x3 - x0) <= tolerance:
        x = x0
        if tb[0] + 4 <= x <= tb[0] + tb[2] - 4:
            return [(x, y0), (x, y3)]
    return pts


def shared_start(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """How far two routes leaving the same place run together (along ``a``) before they part."""
    if not a or not b or abs(a[0][0] - b[0][0]) > 0.5 or abs(a[0][1] - b[0][1]) > 0.5:
        return 0.0
    run = 0.0
    for (a0, a1), b1 in zip(zip(a, a[1:]), b[1:]):
        ax, ay = a1[0] - a0[0], a1[1] - a0[1]
        bx, by = b1[0] - a0[0], b1[1] - a0[1]
        la, lb = math.hypot(ax, ay), math.hypot(bx, by)
        if la == 0 or lb == 0 or abs(ax * by - ay * bx) > 0.5 * max(la, lb) \
                or ax * bx + ay * by <= 0:
            break  # they part here (or a degenerate segment)
        if abs(la - lb) > 0.5:
            return run + min(la, lb)  # one turns off along this segment
        run += la
    return run


_ANYWHERE = QTextOption()
_ANYWHERE.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)


def text_size(font, text: str, width: float, align=Qt.AlignmentFlag.AlignCenter
              ) -> tuple[float, float]:
    """Width and height of ``text`` wrapped to ``width`` (as a label lays it out: at word
    boundaries, and inside a word that is wider than ``width``)."""
    width = max(width, 10.0)
    flags = int(Qt.TextFlag.TextWordWrap) | int(align & Qt.AlignmentFlag.AlignHorizontal_Mask)
    bound = QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 1e6), flags, text)
    if bound.width() <= width + 0.5:
        return min(width, bound.width() + 1), bound.height()
    # a word does not fit: the label breaks it (QStaticText's layout, line by line)
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    layout.setTextOption(_ANYWHERE)
    layout.beginLayout()
    high = wide = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLeadingIncluded(True)
        line.setLineWidth(width)
        line.setPosition(QPointF(0.0, high))
        high += line.height()
        wide = max(wide, line.naturalTextWidth())
    layout.endLayout()
    return min(width, wide + 1), high


def aligned_rect(area: QRectF, align, tw: float, th: float) -> QRectF:
    """Where a text of size ``tw`` x ``th`` sits in ``area`` with ``align``."""
    if align & Qt.AlignmentFlag.AlignLeft:
        x = area.left()
    elif align & Qt.AlignmentFlag.AlignRight:
        x = area.right() - tw
    else:
        x = area.center().x() - tw / 2
    if align & Qt.AlignmentFlag.AlignTop:
        y = area.top()
    elif align & Qt.AlignmentFlag.AlignBottom:
        y = area.bottom() - th
    else:
        y = area.center().y() - th / 2
    return QRectF(x, y, tw, th)


def segment_meets_rect(a: tuple[float, float], b: tuple[float, float],
                       rect: tuple[float, float, float, float]) -> bool:
    """Whether the segment ``a``-``b`` touches the box ``(left, top, right, bottom)``
    (Liang-Barsky clipping)."""
    left, top, right, bottom = rect
    x0, y0 = a
    dx, dy = b[0] - x0, b[1] - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return False  # parallel to this side and outside it
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return False
            t0 = max(t0, t)
        else:
            if t < t0:
                return False
            t1 = min(t1, t)
    return t0 <= t1


def decision_label_spots(w: float, h: float) -> tuple[tuple[QRectF, Qt.AlignmentFlag], ...]:
    """Where a decision's name may sit, in order of preference: off the diamond's upper left
    side (flows usually come in from the left and leave right, up or down), upper right, lower
    left, lower right; each an area (the shape's coordinates) and the text's alignment in it."""
    width = 120.0
    return ((QRectF(w * 0.3 - width, -64, width, 64 + h * 0.25), ALIGN_RIGHT_BOTTOM),
            (QRectF(w * 0.7, -64, width, 64 + h * 0.25), ALIGN_LEFT_BOTTOM),
            (QRectF(w * 0.3 - width, h * 0.75, width, 64), ALIGN_RIGHT_TOP),
            (QRectF(w * 0.7, h * 0.75, width, 64), ALIGN_LEFT_TOP))


class LabelItem(QGraphicsItem):
    """Text of a shape, connector or lane, wrapped to the width of the area it is given and
    aligned in it. The text is measured when it is set and its bounding box is that area grown
    to hold the whole text: the picture the item is cached as (and what an exported image
    draws, with no cache) shows every line. The glyphs are laid out on the first paint (into a
    cached QStaticText); labels of a map opened zoomed out are not built at all."""

    def __init__(self, parent: QGraphicsItem, paints: Paints):
        super().__init__(parent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # text is the dearest thing to paint: keep it as a pixmap while the zoom stays the same
        # (drags, scrolling and repaints then blit it instead of calling back into Python)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.paints = paints
        self.text = ""
        self._area = QRectF()
        self._align = Qt.AlignmentFlag.AlignCenter
        self._static: QStaticText | None = None
        self._rect = QRectF()
        self._bounds = QRectF()
        #: ((text, width, align), font, size) of the last text measured: a connector's label
        #: set again in another spot (same width) while it is placed or dragged is not measured
        #: again
        self._measured: tuple | None = None
        self._color = paints.text
        self._font = paints.font
        self._background = None

    def set_text(self, text: str, area: QRectF, *, align: Qt.AlignmentFlag =
                 Qt.AlignmentFlag.AlignCenter, color=None, font=None, background=None) -> None:
        """Show ``text`` wrapped to the width of ``area`` and aligned inside it (a text longer
        than the area is high runs past it, as the alignment says: down when aligned to the
        top, both ways when centred)."""
        self.prepareGeometryChange()
        self.text = text
        self._area = QRectF(area) if text else QRectF()
        self._align = align
        self._font = font = font or self.paints.font
        self._color = color or self.paints.text
        self._background = background
        self._static = None
        if text:
            key = (text, self._area.width(), align)
            kept = self._measured
            if kept is None or kept[0] != key or kept[1] is not font:
                kept = self._measured = (key, font, text_size(font, text, key[1], align))
            tw, th = kept[2]
            self._rect = aligned_rect(self._area, align, tw, th)
            bounds = self._area.united(self._rect)
            self._bounds = bounds.adjusted(-2, -1, 2, 1) if background is not None else bounds
        else:
            self._rect = QRectF()
            self._bounds = QRectF()
        self.update()  # (the cached picture of the old text must go too)

    def _layout(self) -> None:
        opt = QTextOption(self._align & Qt.AlignmentFlag.AlignHorizontal_Mask)
        opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        st = QStaticText(self.text)
        st.setTextFormat(Qt.TextFormat.PlainText)
        st.setTextOption(opt)
        st.setTextWidth(self._rect.width())
        self._static = st

    def text_rect(self) -> QRectF:
        """Where the text is drawn (item coordinates; empty without text)."""
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:
        if not self.text:
            return
        if widget is None and option.levelOfDetailFromTransform(
                painter.worldTransform()) < _MIN_LABEL_LOD:
            return  # a tiny picture (a thumbnail): text below MIN_LABEL_PX is left out
        if self._static is None:
            self._layout()
        if self._background is not None:
            painter.fillRect(self._rect.adjusted(-2, -1, 2, 1), self._background)
        painter.setFont(self._font)
        painter.setPen(self._color)
        painter.drawStaticText(self._rect.topLeft(), self._static)


class NodeItem(QGraphicsPathItem):
    """One shape. ``pos()`` is the top-left corner (the stored ``x, y``)."""

    def __init__(self, row: dict, paints: Paints, *, expanded: bool = False):
        super().__init__()
        self.nid: int = row["id"]
        self.row: dict = {}
        self.paints = paints
        self.edges: list[EdgeItem] = []
        #: shapes drawn inside this one (an expanded sub-process); they move with it
        self.inner: list[NodeItem] = []
        self.expanded = expanded
        self._geometry_key = None
        #: created when first shown: a big map opened zoomed out never builds its labels
        self._label: LabelItem | None = None
        #: the arrow of a process's data input or output (a child path item; None for others)
        self.io_marker: QGraphicsPathItem | None = None
        self.w = self.h = 0.0
        self.setFlags(NODE_FLAGS)
        self.setZValue(Z_NODE)
        self.apply(row, expanded=expanded)

    # -- data
    @property
    def kind(self) -> str:
        return self.row.get("kind", "step")

    def box(self) -> tuple[float, float, float, float]:
        p = self.pos()
        return (p.x(), p.y(), self.w, self.h)

    def row_box(self) -> tuple[float, float, float, float]:
        """The box the row stores (equal to :meth:`box` except while a drag moves the shape)."""
        row = self.row
        return (float(row.get("x") or 0), float(row.get("y") or 0), self.w, self.h)

    def center(self) -> QPointF:
        p = self.pos()
        return QPointF(p.x() + self.w / 2, p.y() + self.h / 2)

    def apply(self, row: dict, *, expanded: bool | None = None) -> None:
        """Show ``row`` (a process_node row)."""
        if expanded is not None:
            self.expanded = expanded
        old = self.row
        self.row = row = dict(row)
        kind = row["kind"]
        #: size, read once from the row (hot: routing asks for it all the time)
        self.w = w = float(row.get("w") or 0)
        self.h = h = float(row.get("h") or 0)
        bpmn_type = row.get("bpmn_type")
        marker = (event_marker(row) if kind in ("start", "end", "event")
                  else pool_header(row) if kind == "pool" else "")
        key = (kind, bpmn_type, w, h, self.expanded, marker)
        if key != self._geometry_key:
            self._geometry_key = key
            self.setPath(cached_shape(kind, w, h, bpmn_type or "", self.expanded, marker))
            self._apply_paint()
            if (kind == "document" and bpmn_type in PROCESS_IO) or self.io_marker is not None:
                self._apply_io_marker(kind, bpmn_type, w, h)
            # an expanded sub-process lies under the connectors of its content (and the ones
            # ending on it), its inner shapes over them
            z = Z_EXPANDED if self.expanded else _NODE_Z.get(kind, Z_NODE)
            if z != Z_NODE or old:
                self.setZValue(z)
            old = {}
        # a shape of no size (a pool its file hides: Bizagi's 0×0 pool) is drawn as nothing
        shown = w > 0 or h > 0
        if shown != self.isVisible():
            self.setVisible(shown)
        x, y = float(row.get("x") or 0), float(row.get("y") or 0)
        p = self.pos()
        if x != p.x() or y != p.y():
            self.setPos(x, y)
        if not old or old.get("name") != row.get("name"):
            self.update_label()

    def _apply_io_marker(self, kind: str, bpmn_type: str | None, w: float, h: float) -> None:
        """Show (or drop) the input/output arrow of a process's data input or output."""
        if kind != "document" or bpmn_type not in PROCESS_IO:
            if self.io_marker is not None:
                self.io_marker.setParentItem(None)
                sc = self.io_marker.scene()
                if sc is not None:
                    sc.removeItem(self.io_marker)
                self.io_marker = None
            return
        item = self.io_marker
        if item is None:
            item = self.io_marker = QGraphicsPathItem(self)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            item.setPen(self.paints.io_pen)
        item.setPath(cached_io_marker(w, h))
        item.setBrush(self.paints.io_brush[bpmn_type])

    def _apply_paint(self) -> None:
        kind = self.row.get("kind", "step")
        if kind not in self.paints.node_pen:
            kind = "step"
        if self.isSelected():
            self.setPen(self.paints.selected_pen[kind])
        else:
            self.setPen(self.paints.node_pen[kind])
        brush = self.paints.node_brush[kind]
        self.setBrush(brush)

    @property
    def label(self) -> LabelItem:
        """The shape's label (built on first use, hidden when the scene shows no detail)."""
        if self._label is None:
            self._label = LabelItem(self, self.paints)
            sc = self.scene()
            if sc is not None and not getattr(sc, "detail", True):
                self._label.setVisible(False)
            self._fill_label()
        return self._label

    def has_label(self) -> bool:
        return self._label is not None

    def update_label(self) -> None:
        if self._label is not None:
            self._fill_label()

    def _fill_label(self) -> None:
        label = self._label
        name = (self.row.get("name") or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        kind, w, h = self.kind, self.w, self.h
        if w <= 0 and h <= 0:
            name = ""  # (not drawn: nor is its name)
        p = self.paints
        placed = label_bounds(self.row) if kind in LABEL_BELOW else None
        if placed is not None:  # where the file's author put it (BPMN label bounds)
            lx, ly, lw, lh = placed
            x0, y0 = float(self.row.get("x") or 0), float(self.row.get("y") or 0)
            label.set_text(name, QRectF(lx - x0, ly - y0, max(lw, 40.0), max(lh, 14.0)),
                           align=ALIGN_HCENTER_TOP, color=p.text)
        elif kind == "decision":
            area, align = self._decision_spot(name)
            label.set_text(name, area, align=align, color=p.text)
        elif kind in LABEL_BELOW:
            width = max(w * 2.4, 110.0)
            label.set_text(name, QRectF(w / 2 - width / 2, h + 3, width, 60),
                                align=ALIGN_HCENTER_TOP,
                                color=p.text)
        elif kind == "annotation":
            label.set_text(name, QRectF(6, 2, max(w - 8, 20), max(h - 4, 10)),
                                align=ALIGN_LEFT_VCENTER,
                                color=p.text, font=p.small_font)
        elif kind == "pool" and pool_header(self.row) == "top":  # lanes are columns
            label.setRotation(0)
            label.setPos(0, 0)
            label.set_text(name, QRectF(0, 0, w, LANE_HEADER), color=p.text, font=p.title_font)
        elif kind == "pool":
            label.setRotation(-90)
            label.setPos(0, h)
            label.set_text(name, QRectF(0, 0, h, LANE_HEADER),
                                color=p.text, font=p.title_font)
        elif kind == "subprocess" and self.expanded:
            label.set_text(name, QRectF(8, 4, max(w - 16, 20), 20),
                                align=ALIGN_LEFT_TOP,
                                color=p.text_on_shape, font=p.title_font)
        else:
            bottom = 18 if kind == "subprocess" else 4
            label.set_text(name, QRectF(5, 4, max(w - 10, 10), max(h - 4 - bottom, 10)),
                                color=p.text_on_shape)

    def _decision_spot(self, name: str) -> tuple[QRectF, Qt.AlignmentFlag]:
        """The first of :func:`decision_label_spots` whose text crosses no connector coming
        in (and, if it can, covers no other shape or exit's label and crosses no exit); when
        every spot does, the least bad."""
        spots = decision_label_spots(self.w, self.h)
        if not name or not self.edges:
            return spots[0]
        tw, th = text_size(self.paints.font, name, spots[0][0].width(), spots[0][1])
        p = self.pos()
        sc = self.scene()
        best, least = spots[0], None
        for spot in spots:
            r = aligned_rect(spot[0], spot[1], tw, th).translated(p.x(), p.y())
            box = (r.left() - 2, r.top() - 1, r.right() + 2, r.bottom() + 1)
            score = 0
            for e in self.edges:
                pts = e.points
                if any(segment_meets_rect(a, b, box) for a, b in zip(pts, pts[1:])):
                    score += 100 if e.target is self else 1
                if e.source is self and e._label is not None and e._label.text and \
                        e._label.mapRectToScene(e._label.text_rect()).intersects(r):
                    score += 10
            if sc is not None:
                for item in sc.items(r, Qt.ItemSelectionMode.IntersectsItemBoundingRect):
                    if isinstance(item, NodeItem) and item is not self and not item.expanded \
                            and item.kind not in ("pool", "annotation"):
                        score += 10
                        break
            if score == 0:
                return spot
            if least is None or score < least:
                best, least = spot, score
        return best

    def place_decision_label(self) -> None:
        """A connector of this decision was routed anew: move its name off the connectors
        when it now lies across one (nothing is laid out again when it stays put)."""
        label = self._label
        if label is None or self.kind != "decision" or label_bounds(self.row) is not None:
            return
        name = label.text
        area, align = self._decision_spot(name)
        if area != label._area or align != label._align:
            label.set_text(name, area, align=align, color=self.paints.text)

    # -- moving (the scene moves shapes itself: no per-change Python callbacks)
    def move_to(self, x: float, y: float) -> None:
        """Put the shape at (x, y) and re-route its connectors."""
        self.setPos(x, y)
        for e in self.edges:
            e.ends_moved()

    def restyle(self) -> None:
        """The selection changed: show it."""
        self._apply_paint()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        sc = self.scene()
        if sc is not None and event.button() == Qt.MouseButton.LeftButton:
            sc.node_double_clicked(self)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


_HIT_STROKER = QPainterPathStroker()
_HIT_STROKER.setWidth(10.0)
_HIT_STROKER.setCapStyle(Qt.PenCapStyle.RoundCap)

#: room around a connector's points that its bounding box keeps: half the hit width (the widest
#: of pen, arrowhead and hit area), plus a pixel for antialiasing
EDGE_MARGIN = 6.0


def _head_shapes(length: float, half: float) -> dict[tuple[int, int], QPolygonF]:
    """Arrowheads pointing along each axis, tip at (0, 0): moved into place with one call."""
    out = {}
    for ux, uy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        bx, by = -ux * length, -uy * length
        out[(ux, uy)] = QPolygonF([QPointF(0, 0), QPointF(bx - uy * half, by + ux * half),
                                   QPointF(bx + uy * half, by - ux * half)])
    return out


_HEADS = {(10.0, 4.5): _head_shapes(10.0, 4.5), (9.0, 4.5): _head_shapes(9.0, 4.5)}


def head_polygon(tip: tuple[float, float], frm: tuple[float, float], length: float = 10.0,
                 half: float = 4.5) -> QPolygonF:
    """The arrowhead ending at ``tip`` coming from ``frm`` (routes are mostly orthogonal: those
    heads are shared shapes moved into place)."""
    dx, dy = tip[0] - frm[0], tip[1] - frm[1]
    if dx == 0 or dy == 0:
        axis = ((dx > 0) - (dx < 0), (dy > 0) - (dy < 0))
        shapes = _HEADS.get((length, half))
        if shapes is not None and axis in shapes:
            return shapes[axis].translated(tip[0], tip[1])
    return QPolygonF(arrow_head(tip, frm, length, half))


_SOLID: dict[int, tuple] = {}


def _solid(pen):
    """``pen`` drawing solid lines (shared: one per pen)."""
    if pen.style() == Qt.PenStyle.SolidLine:
        return pen
    kept = _SOLID.get(id(pen))
    if kept is None or kept[0] is not pen:
        solid = type(pen)(pen)
        solid.setStyle(Qt.PenStyle.SolidLine)
        kept = _SOLID[id(pen)] = (pen, solid)  # (the pen kept too: its id stays its own)
    return kept[1]


class EdgeItem(QGraphicsItem):
    """A connector between two shapes; it follows them when they move.

    It keeps its route as one polygon and paints it with ``drawPolyline`` (plus the arrowhead):
    building a connector creates no painter path, and its bounding box comes from the points.
    The wide hit area (:meth:`shape`) is stroked only when Qt first asks for it (a click or a
    rubber band nearby), never while a map opens."""

    HIT_WIDTH = 10.0

    def __init__(self, row: dict, source: NodeItem, target: NodeItem, paints: Paints,
                 direction: str = "LR", fixed: list | None = None, owner=None):
        super().__init__()
        #: whose ``detail`` flag says whether arrowheads are big enough to draw (the scene:
        #: zoomed out until labels are hidden, arrowheads are specks too)
        self._owner = owner
        self.eid: int = row["id"]
        self.row: dict = dict(row)
        self.source = source
        self.target = target
        self.paints = paints
        self.direction = direction
        self.points: list[tuple[float, float]] = []
        #: stored bends (from an import or the automatic layout) until an end moves;
        #: ``fixed`` hands them over already parsed (the scene parses a whole map at once)
        if fixed is None:
            wp = row.get("waypoints")
            fixed = parse_points(wp) if wp else []
        self.fixed: list[tuple[float, float]] = fixed
        self._shape: QPainterPath | None = None
        self._poly = QPolygonF()
        self._head: QPolygonF | None = None
        self._head_open = False
        self._dot: QPointF | None = None
        self._rect = QRectF()
        self.extent = (0.0, 0.0, 0.0, 0.0)
        self._pen = paints.edge_pen["sequence"]
        self._brush = paints.edge_brush
        #: created when first needed (see :attr:`label`): a map opened zoomed out builds none
        self._label: LabelItem | None = None
        self.setFlags(EDGE_FLAGS)
        self.setZValue(Z_EDGE)
        source.edges.append(self)
        if target is not source:
            target.edges.append(self)
        self._apply_pen()
        self.reroute()

    @property
    def kind(self) -> str:
        return self.row.get("kind") or "sequence"

    def detach(self) -> None:
        for n in (self.source, self.target):
            if self in n.edges:
                n.edges.remove(self)

    def apply(self, row: dict, *, ends_moved: bool = False) -> None:
        """Show ``row`` (a process_edge row); ``ends_moved``: a shape it joins moved."""
        old = self.row
        self.row = dict(row)
        if old.get("kind") != row.get("kind"):
            self._apply_pen()
        if ends_moved or old.get("waypoints") != row.get("waypoints") or \
                old.get("kind") != row.get("kind"):
            wp = row.get("waypoints")
            self.fixed = parse_points(wp) if wp else []
            self.reroute()
        elif old.get("label") != row.get("label"):
            self._place_label()

    def pen(self):
        """The pen the connector is drawn with."""
        return self._pen

    def _apply_pen(self) -> None:
        sel = self.isSelected()
        pens = self.paints.edge_pen_selected if sel else self.paints.edge_pen
        self._pen = pens.get(self.kind, pens["sequence"])
        self._brush = self.paints.edge_brush_selected if sel else self.paints.edge_brush
        self.update()

    def ends_moved(self) -> None:
        """One of its shapes moved: bends drawn by hand follow (the bend next to each end
        slides with it) when the route can be kept that way; otherwise it is routed anew."""
        s, t = self.source, self.target
        if len(self.fixed) >= 3 and s is not t:
            sr, tr_ = s.row_box(), t.row_box()  # where the shapes were when it was stored
            sb, tb = s.box(), t.box()
            if sr[2:] == sb[2:] and tr_[2:] == tb[2:]:
                kept = follow_ends(self.fixed, (sb[0] - sr[0], sb[1] - sr[1]),
                                   (tb[0] - tr_[0], tb[1] - tr_[1]))
                if kept is not None and near_box(sb, kept[0]) and near_box(tb, kept[-1]):
                    self.set_points(kept)
                    return
        self.route_anew()

    def route_anew(self) -> None:
        """Forget the stored bends (its shape was resized, its lane moved) and route again."""
        self.fixed = []
        self.reroute()

    def restore_route(self) -> None:
        """Show the route stored in the row again (after a preview changed it)."""
        wp = self.row.get("waypoints")
        self.fixed = parse_points(wp) if wp else []
        self.reroute()

    def route(self) -> list[tuple[float, float]]:
        s, t = self.source, self.target
        if s is t:
            x, y, w, h = s.box()
            top = y - 25
            return [(x + w * 0.65, y), (x + w * 0.65, top), (x + w * 0.35, top), (x + w * 0.35, y)]
        fixed = self.fixed
        # (the rows' geometry: while stored bends apply, no end has moved from its row)
        if len(fixed) >= 2 and near_box(s.row_box(), fixed[0]) and near_box(t.row_box(), fixed[-1]):
            return list(fixed)
        sb, tb = s.box(), t.box()
        # (stored bends that no longer reach their shapes — an edited file, a retargeted
        # connector — are ignored: routed automatically instead of ending in the void)
        if self.kind == "association" or "annotation" in (s.kind, t.kind):
            sc = (sb[0] + sb[2] / 2, sb[1] + sb[3] / 2)
            tc = (tb[0] + tb[2] / 2, tb[1] + tb[3] / 2)
            return [border_point(s.kind, sb, tc), border_point(t.kind, tb, sc)]
        direction = "TB" if self.kind == "message" else self.direction
        pts = straighten(route_edge(sb, tb, direction), sb, tb)
        sc = self._owner
        if sc is None or not hasattr(sc, "dragging"):
            return pts
        if sc.dragging:
            sc.rough_routes.add(self)  # routed round other shapes once the drag ends
            return pts
        if not self._blocked(pts):
            return pts
        # the straight way runs through another shape: the first detour that does not
        for cand in route_candidates(sb, tb, direction,
                                     from_decision=s.kind == "decision")[1:]:
            if not self._blocked(cand):
                return cand
        return pts

    def _blocked(self, pts: list[tuple[float, float]]) -> bool:
        """Whether the route crosses a shape other than its two ends (and what holds them)."""
        sc = self._owner
        s, t = self.source, self.target
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            r = QRectF(min(x0, x1) - 0.5, min(y0, y1) - 0.5, abs(x1 - x0) + 1, abs(y1 - y0) + 1)
            for item in sc.items(r):
                if isinstance(item, NodeItem) and item is not s and item is not t \
                        and not item.expanded and item.kind not in ("pool", "annotation"):
                    return True
        return False

    def reroute(self) -> None:
        self.set_points(self.route())

    def set_points(self, pts: list[tuple[float, float]]) -> None:
        if len(pts) < 2:
            pts = [pts[0], pts[0]] if pts else [(0.0, 0.0), (0.0, 0.0)]
        self.points = pts
        poly = QPolygonF([QPointF(x, y) for x, y in pts])
        kind = self.kind
        head = dot = None
        is_open = False
        if kind == "sequence":
            head = head_polygon(pts[-1], pts[-2])
        elif kind == "message" or (kind == "association" and "annotation" not in (
                self.source.kind, self.target.kind)):
            tip, left, right = head_polygon(pts[-1], pts[-2], 9.0, 4.5)
            head = QPolygonF([left, tip, right])  # open: one wing, the tip, the other wing
            is_open = True
            if kind == "message":
                dot = QPointF(pts[0][0], pts[0][1])
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        #: (left, top, right, bottom) of the route's points
        self.extent = (min(xs), min(ys), max(xs), max(ys))
        rect = poly.boundingRect().adjusted(-EDGE_MARGIN, -EDGE_MARGIN, EDGE_MARGIN, EDGE_MARGIN)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        else:
            self.update()
        self._poly, self._head, self._head_open, self._dot = poly, head, is_open, dot
        self._shape = None
        self._place_label()
        for end in (self.source, self.target):  # a decision's name keeps off its connectors
            if end.kind == "decision" and end._label is not None:
                end.place_decision_label()
        if self.source.kind == "decision":  # the exits' labels keep clear of each other
            for e in self.source.edges:
                if e is not self and e.source is self.source and e._label is not None:
                    e._place_label()

    def path(self) -> QPainterPath:
        """The route as an open path, with the arrowhead as a second subpath (built on demand:
        for exports and measurements, not for painting)."""
        path = QPainterPath()
        path.addPolygon(self._poly)
        if self._head is not None:
            path.addPolygon(self._head)
        return path

    def bounds(self) -> QRectF:
        """The rectangle the route's points span (scene coordinates)."""
        return self._poly.boundingRect()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._rect

    def shape(self) -> QPainterPath:  # noqa: D401 (Qt's name)
        if self._shape is None:
            line = QPainterPath()
            line.addPolygon(self._poly)  # open polyline
            self._shape = _HIT_STROKER.createStroke(line)
        return self._shape

    def paint(self, painter, option, widget=None) -> None:
        painter.setPen(self._pen)
        painter.drawPolyline(self._poly)
        head = self._head
        # (hot: a map at fit-to-window paints thousands of connectors; the scene's flag is
        # cheaper to read than the painter's transform)
        if head is None or not getattr(self._owner, "detail", True):
            return
        if self._head_open:
            painter.setPen(_solid(self._pen))  # (a dashed message flow has a whole arrowhead)
            painter.drawPolyline(head)
            if self._dot is not None:
                painter.setBrush(self.paints.no_brush)
                painter.drawEllipse(self._dot, 3.5, 3.5)
        else:
            painter.setBrush(self._brush)
            painter.drawPolygon(head)

    def restyle(self) -> None:
        """The selection changed: show it."""
        self._apply_pen()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        sc = self.scene()
        if sc is not None and event.button() == Qt.MouseButton.LeftButton:
            sc.edge_double_clicked(self)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # -- label
    def label_anchor(self) -> QPointF:
        """Where the label sits: near the start for a decision's exits — past the stretch it
        shares with the decision's other exits, so two labels never sit on one spot — else
        mid-way."""
        pts = self.points
        lengths = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:])]
        total = sum(lengths) or 1.0
        if self.source.kind == "decision":
            shared = max((shared_start(pts, e.points) for e in self.source.edges
                          if e is not self and e.source is self.source and e.points),
                         default=0.0)
            want = shared + min(24.0, (total - shared) / 2)
        else:
            want = total / 2
        for (a, b), seg in zip(zip(pts, pts[1:]), lengths):
            if want <= seg and seg > 0:
                t = want / seg
                return QPointF(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            want -= seg
        return QPointF(*pts[-1])

    @property
    def label(self) -> LabelItem | None:
        """The connector's label (None without text; built on first use)."""
        if self._label is None and (self.row.get("label") or "").strip():
            self._label = LabelItem(self, self.paints)
            sc = self.scene()
            if sc is not None and not getattr(sc, "detail", True):
                self._label.setVisible(False)
            self._place_label()
        return self._label

    def has_label(self) -> bool:
        return self._label is not None

    def has_text(self) -> bool:
        return bool((self.row.get("label") or "").strip())

    def _place_label(self) -> None:
        label = self._label
        if label is None:
            if self._owner is not None and not getattr(self._owner, "detail", True):
                return  # (hot while a big map opens zoomed out) built when first needed
            sc = self.scene()
            if sc is not None and getattr(sc, "detail", False):
                self.label  # noqa: B018 (shown: built, and placed, now)
            return  # otherwise built (and placed) when first needed
        text = (self.row.get("label") or "").strip()
        if not text:
            label.set_text("", QRectF())
            return
        a = self.label_anchor()
        width = 120.0
        x, y = a.x(), a.y()
        # beside the line, on the first side where it covers no shape: above right, above left,
        # below right, below left, level right, level left (a decision's exit often runs past
        # its neighbour's corner); when every spot covers some, the one covering least
        spots = ((QRectF(x + 4, y - 18, width, 16), ALIGN_LEFT_BOTTOM),
                 (QRectF(x - 4 - width, y - 18, width, 16), ALIGN_RIGHT_BOTTOM),
                 (QRectF(x + 4, y + 2, width, 16), ALIGN_LEFT_TOP),
                 (QRectF(x - 4 - width, y + 2, width, 16), ALIGN_RIGHT_TOP),
                 (QRectF(x + 4, y - 8, width, 16), ALIGN_LEFT_VCENTER),
                 (QRectF(x - 4 - width, y - 8, width, 16), ALIGN_RIGHT_VCENTER))
        sc = self.scene()
        if sc is not None and (getattr(sc, "dragging", False) or getattr(sc, "settling", False)):
            # while shapes are dragged, or a map is being opened: the first spot now, the
            # proper one on the drop (or right after the first paint)
            sc.rough_labels.add(self)
            sc = None
        font, background = self.paints.small_font, self.paints.label_background
        label.set_text(text, spots[0][0], align=spots[0][1], font=font, background=background)
        if sc is None:
            return
        # the text's size is the same in every spot (same width): measure it once
        first = label.text_rect()
        tw, th = first.width(), first.height()
        best, least = spots[0], None
        for spot in spots:
            area, align = spot
            if align & _AF.AlignRight:
                left = area.right() - tw
            else:
                left = area.left()
            if align & _AF.AlignBottom:
                top = area.bottom() - th
            elif align & _AF.AlignTop:
                top = area.top()
            else:
                top = area.center().y() - th / 2
            covered = self._covered_area(sc, QRectF(left, top, tw, th))
            if covered == 0:
                best = spot
                break
            if least is None or covered < least:
                best, least = spot, covered
        if best is not spots[0]:
            label.set_text(text, best[0], align=best[1], font=font, background=background)

    def _covered_area(self, sc, rect: QRectF) -> float:
        """How much of the shapes ``rect`` covers (their bounding boxes; 0 when none)."""
        area = 0.0
        for item in sc.items(rect.adjusted(-2, -1, 2, 1)):
            if isinstance(item, NodeItem) and item.kind not in ("pool", "annotation") \
                    and not item.expanded:
                r = item.sceneBoundingRect().intersected(rect.adjusted(-2, -1, 2, 1))
                area += max(r.width() * r.height(), 1.0)
        return area


class LaneItem(QGraphicsItem):
    """A swimlane: a band for one role, titled in its header, selected by its header.

    A lane may be tens of thousands of pixels long: it paints only the exposed part of itself,
    without antialiasing (its edges are axis-aligned), so dragging a shape over it repaints a
    few hundred pixels of it, not the whole band. Its title is a label child."""

    def __init__(self, row: dict, paints: Paints, index: int = 0):
        super().__init__()
        self.lid: int = row["id"]
        self.row: dict = {}
        self.paints = paints
        self.index = index
        self._rect = QRectF()
        self.setFlags(LANE_FLAGS)
        self.setZValue(Z_LANE)
        self.label = LabelItem(self, paints)
        self.apply(row, index)

    @property
    def horizontal(self) -> bool:
        """Lanes are rows (flow left to right, title on the left) unless taller than wide."""
        return self._rect.width() >= self._rect.height()

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def scene_rect(self) -> QRectF:
        return self._rect.translated(self.pos())

    def header_rect(self) -> QRectF:
        r = self._rect
        if self.horizontal:
            return QRectF(0, 0, LANE_HEADER, r.height())
        return QRectF(0, 0, r.width(), LANE_HEADER)

    def apply(self, row: dict, index: int | None = None) -> None:
        if index is not None:
            self.index = index
        old = self.row
        self.row = dict(row)
        rect = QRectF(0, 0, max(float(row.get("w") or 0), 1.0), max(float(row.get("h") or 0), 1.0))
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
            old = {}
        pos = QPointF(float(row.get("x") or 0), float(row.get("y") or 0))
        if pos != self.pos():
            self.setPos(pos)
        if old.get("name") != row.get("name") or not old:
            name = row.get("name") or ""
            r = self._rect
            if self.horizontal:
                self.label.setRotation(-90)
                self.label.setPos(0, r.height())
                self.label.set_text(name, QRectF(4, 0, max(r.height() - 8, 10), LANE_HEADER),
                                    font=self.paints.title_font)
            else:
                self.label.setRotation(0)
                self.label.setPos(0, 0)
                self.label.set_text(name, QRectF(4, 0, max(r.width() - 8, 10), LANE_HEADER),
                                    font=self.paints.title_font)
        self.update()

    def restyle(self) -> None:
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._rect.adjusted(-1.5, -1.5, 1.5, 1.5)

    def shape(self) -> QPainterPath:
        p = QPainterPath()
        p.addRect(self.header_rect())
        return p

    def paint(self, painter, option, widget=None) -> None:
        p = self.paints
        r = self._rect
        exposed = option.exposedRect.intersected(r) if not option.exposedRect.isEmpty() else r
        if exposed.isEmpty():
            return
        aa = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(exposed, p.lane_fill[self.index % 2])
        head_part = self.header_rect().intersected(exposed)
        if not head_part.isEmpty():
            painter.fillRect(head_part, p.lane_header)
        painter.setPen(p.lane_pen_selected if self.isSelected() else p.lane_pen)
        left, right = exposed.left(), exposed.right()
        top, bottom = exposed.top(), exposed.bottom()
        lines = []
        if top <= r.top() + 2:
            lines.append(QLineF(left, r.top(), right, r.top()))
        if bottom >= r.bottom() - 2:
            lines.append(QLineF(left, r.bottom(), right, r.bottom()))
        if left <= r.left() + 2:
            lines.append(QLineF(r.left(), top, r.left(), bottom))
        if right >= r.right() - 2:
            lines.append(QLineF(r.right(), top, r.right(), bottom))
        if self.horizontal and left <= LANE_HEADER + 2 <= right + 4:
            lines.append(QLineF(LANE_HEADER, top, LANE_HEADER, bottom))
        elif not self.horizontal and top <= LANE_HEADER + 2 <= bottom + 4:
            lines.append(QLineF(left, LANE_HEADER, right, LANE_HEADER))
        if lines:
            painter.drawLines(lines)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)


__all__ = ["EdgeItem", "LabelItem", "LaneItem", "NodeItem", "parse_points", "straighten"]
