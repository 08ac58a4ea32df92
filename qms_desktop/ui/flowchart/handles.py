"""Grab handles for hand edits: resizing the selected shape or lane, and moving a stretch of the
selected connector's route.

:class:`Handles` is one item that paints the handles of the single selected item at a fixed
size on screen and tells which handle is under the pointer. :class:`HandleDrag` follows one drag
of a handle: it works out the new geometry with :mod:`qms_desktop.core.mapedit`, shows it on the
items as a preview while the mouse moves, and on release gives the old and new geometry for
:func:`qms_desktop.services.map_geometry.set_geometry` — the editor makes that one undo step.
Cancelled (Escape) or a drag that changed nothing puts the items back as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem

from ...core import mapedit
from .items import Z_EDIT, EdgeItem, LaneItem, NodeItem

if TYPE_CHECKING:  # pragma: no cover
    from .scene import MapScene

#: half the side of a handle square, in screen pixels
HALF = 4.0
#: how close (screen pixels) the pointer must come to a handle to grab it
REACH = 7.0
#: a lane drag moves at most this many shapes along while the mouse moves (more: on release)
LIVE_SHAPES = 400

_CURSORS = {
    "nw": Qt.CursorShape.SizeFDiagCursor, "se": Qt.CursorShape.SizeFDiagCursor,
    "ne": Qt.CursorShape.SizeBDiagCursor, "sw": Qt.CursorShape.SizeBDiagCursor,
    "n": Qt.CursorShape.SizeVerCursor, "s": Qt.CursorShape.SizeVerCursor,
    "e": Qt.CursorShape.SizeHorCursor, "w": Qt.CursorShape.SizeHorCursor,
}


def tr(text: str) -> str:
    return QCoreApplication.translate("flowchart", text)


class Handles(QGraphicsItem):
    """The handles of one item: ``(key, scene point)`` pairs, painted as small squares."""

    def __init__(self, color: str):
        super().__init__()
        self.setZValue(Z_EDIT - 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.target: QGraphicsItem | None = None
        self.points: list[tuple[object, QPointF]] = []
        self._rect = QRectF()
        self._pen = QPen(QColor(color), 1.0)
        self._pen.setCosmetic(True)
        self._brush = QBrush(QColor("#ffffff"))
        self._round_brush = QBrush(QColor(color))
        #: cursor shape for each handle key (lanes and routes say it by their direction)
        self.cursors: dict[object, Qt.CursorShape] = {}

    def show_for(self, target: QGraphicsItem | None, points: list[tuple[object, tuple]],
                 cursors: dict[object, Qt.CursorShape] | None = None) -> None:
        self.prepareGeometryChange()
        self.target = target
        self.points = [(k, QPointF(x, y)) for k, (x, y) in points]
        self.cursors = cursors or {}
        if self.points:
            xs = [p.x() for _, p in self.points]
            ys = [p.y() for _, p in self.points]
            m = HALF / 0.2 + 2  # enough room down to the smallest zoom handles show at
            self._rect = QRectF(min(xs) - m, min(ys) - m, max(xs) - min(xs) + 2 * m,
                                max(ys) - min(ys) + 2 * m)
        else:
            self._rect = QRectF()
        self.setVisible(bool(self.points))
        self.update()

    def clear(self) -> None:
        self.show_for(None, [])

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        if scale <= 0 or widget is None:
            return  # not in exports or prints
        h = HALF / scale
        painter.setPen(self._pen)
        for key, p in self.points:
            painter.setBrush(self._round_brush if isinstance(key, int) else self._brush)
            painter.drawRect(QRectF(p.x() - h, p.y() - h, 2 * h, 2 * h))

    def hit(self, pos: QPointF, scale: float) -> object | None:
        """The handle within reach of ``pos`` (scene coordinates at view zoom ``scale``)."""
        if not self.isVisible() or not self.points:
            return None
        reach = REACH / max(scale, 1e-6)
        best, dist = None, None
        for key, p in self.points:
            d = max(abs(p.x() - pos.x()), abs(p.y() - pos.y()))
            if d <= reach and (dist is None or d < dist):
                best, dist = key, d
        return best

    def cursor_for(self, key: object) -> Qt.CursorShape:
        return self.cursors.get(key, _CURSORS.get(key, Qt.CursorShape.SizeAllCursor))


def handles_of(scene: "MapScene", item: QGraphicsItem, *, vertical: bool | None = None
               ) -> tuple[list, dict]:
    """The handles ``item`` offers: (points, cursors). ``vertical`` tells a lane's direction
    when known (during a drag of it, where the preview must not change it)."""
    if isinstance(item, NodeItem):
        return list(mapedit.handle_points(item.box()).items()), {}
    if isinstance(item, LaneItem):
        r = item.scene_rect()
        if vertical is None:
            vertical = lane_band_vertical(scene, item)
        if vertical:  # a column: its right side sets its breadth, its bottom its length
            return ([("breadth", (r.right(), r.center().y())),
                     ("length", (r.center().x(), r.bottom()))],
                    {"breadth": Qt.CursorShape.SizeHorCursor,
                     "length": Qt.CursorShape.SizeVerCursor})
        return ([("breadth", (r.center().x(), r.bottom())),
                 ("length", (r.right(), r.center().y()))],
                {"breadth": Qt.CursorShape.SizeVerCursor,
                 "length": Qt.CursorShape.SizeHorCursor})
    if isinstance(item, EdgeItem):
        if item.source is item.target:
            return [], {}  # a loop is always drawn over its shape's top
        pts = item.points
        out, cursors = [], {}
        for i, mid in mapedit.segment_handles(pts):
            a, b = pts[i], pts[i + 1]
            out.append((i, mid))
            if abs(a[1] - b[1]) < 1e-6:
                cursors[i] = Qt.CursorShape.SizeVerCursor
            elif abs(a[0] - b[0]) < 1e-6:
                cursors[i] = Qt.CursorShape.SizeHorCursor
            else:
                cursors[i] = Qt.CursorShape.SizeAllCursor
        return out, cursors
    return [], {}


def lane_boxes(scene: "MapScene") -> dict[int, tuple]:
    """Boxes of the lanes by id — and of the pools (BPMN participants, stored as shapes) under
    their negated shape id: lanes sit in pools, so a lane edit grows or moves them too."""
    out = {}
    for lid, lane in scene.lanes.items():
        r = lane.scene_rect()
        out[lid] = (r.x(), r.y(), r.width(), r.height())
    for nid, n in scene.nodes.items():
        if n.kind == "pool":
            out[-nid] = n.box()
    return out


def node_boxes(scene: "MapScene") -> dict[int, tuple]:
    """(box, lane) of every shape but pools. A shape with no lane of its own (a note, a shape
    dropped beside the lanes, the content of an expanded sub-process) belongs to the lane — or
    else the pool — its centre is in, so it moves with it."""
    pools = [(nid, n.box()) for nid, n in scene.nodes.items() if n.kind == "pool"]
    out = {}
    for nid, n in scene.nodes.items():
        if n.kind == "pool":
            continue
        box = n.box()
        lane = n.row.get("lane_id")
        if lane not in scene.lanes:
            cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
            lane = scene.lane_at(QPointF(cx, cy))
            if lane is None:
                inside = [(b[2] * b[3], -pid) for pid, b in pools
                          if b[0] <= cx <= b[0] + b[2] and b[1] <= cy <= b[1] + b[3]]
                lane = min(inside)[1] if inside else None
        out[nid] = (box, lane)
    return out


def lane_band_vertical(scene: "MapScene", lane: LaneItem) -> bool:
    return mapedit.band_is_vertical(lane_boxes(scene), lane.lid)


def plan_geometry(plan: mapedit.LanePlan, lanes0: dict, nodes0: dict, scene: "MapScene",
                  orders0: dict[int, int] | None = None) -> tuple[dict, dict]:
    """(old, new) ``set_geometry`` arguments for a lane plan: pools (negative ids) are shapes;
    connectors of moved shapes lose their stored bends (undo puts them back)."""
    new_lanes = {i: b for i, b in plan.lanes.items() if i > 0}
    new_nodes: dict = {-i: b for i, b in plan.lanes.items() if i < 0}
    new_nodes.update(plan.nodes)
    moved = [i for i in plan.nodes]
    routes = {}
    for nid in moved:
        for e in scene.nodes[nid].edges:
            if e.row.get("waypoints"):
                routes[e.eid] = e.row["waypoints"]
    old_nodes: dict = {-i: lanes0[i] for i in plan.lanes if i < 0}
    old_nodes.update({i: nodes0[i][0][:2] for i in plan.nodes})
    old = {"lanes": {i: lanes0[i] for i in new_lanes}, "nodes": old_nodes, "edges": routes}
    new = {"lanes": new_lanes, "nodes": new_nodes, "clear_routes_of": moved}
    orders = {i: o for i, o in plan.orders.items() if i > 0}
    if orders:
        new["orders"] = orders
        old["orders"] = {i: (orders0 or {}).get(i, 0) for i in orders}
    return old, new


class HandleDrag:
    """One drag of a handle, from press to release."""

    def __init__(self, scene: "MapScene", target: QGraphicsItem, key: object, start: QPointF):
        self.scene = scene
        self.target = target
        self.key = key
        self.start = QPointF(start)
        self.changed = False
        #: what the drag would store (set_geometry keyword arguments), and what was there
        self.new: dict = {}
        self.old: dict = {}
        self.text = ""
        self.vertical: bool | None = None
        if isinstance(target, NodeItem):
            self.box0 = target.box()
            self.row0 = dict(target.row)
            self.text = tr("Resize shape")
        elif isinstance(target, LaneItem):
            self.lanes0 = lane_boxes(scene)
            self.nodes0 = node_boxes(scene)
            self.vertical = mapedit.band_is_vertical(self.lanes0, target.lid)
            #: what the preview shows now, where it differs from the start
            self._lanes_shown: dict[int, tuple] = {}
            self._nodes_shown: dict[int, tuple] = {}
            self._edges_touched: set[EdgeItem] = set()
            self.text = tr("Resize lane")
        elif isinstance(target, EdgeItem):
            self.points0 = list(target.points)
            self.text = tr("Change connector route")
        else:
            raise TypeError("only shapes, lanes and connectors have handles")

    def handles(self) -> tuple[list, dict]:
        """The handles of the dragged item as the preview shows it."""
        return handles_of(self.scene, self.target, vertical=self.vertical)

    # -- preview
    def move(self, pos: QPointF, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        t = self.target
        grid = mapedit_grid(self.scene)
        if isinstance(t, NodeItem):
            keep = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            box = mapedit.resize_box(self.box0, self.key, (pos.x(), pos.y()),
                                     kind=t.kind, grid=grid, keep_aspect=keep)
            self._show_node(box)
            self.changed = box != self.box0
            self.new = {"nodes": {t.nid: box}, "clear_routes_of": [t.nid]}
            self.old = {"nodes": {t.nid: self.box0},
                        "edges": {e.eid: e.row.get("waypoints") or "" for e in t.edges
                                  if e.row.get("waypoints")}}
        elif isinstance(t, LaneItem):
            along = pos.x() if (self.key == "breadth") == self.vertical else pos.y()
            plan = mapedit.resize_lane(self.lanes0, self.nodes0, t.lid, str(self.key), along,
                                       grid=grid)
            self._show_plan(plan)
            self.changed = bool(plan)
            self.old, self.new = plan_geometry(plan, self.lanes0, self.nodes0, self.scene)
        else:
            d = pos - self.start
            src, tgt = t.source.box(), t.target.box()
            kinds = {"source_kind": t.source.kind, "target_kind": t.target.kind}
            pts = mapedit.move_segment(self.points0, int(self.key), (d.x(), d.y()), src, tgt,
                                       **kinds)
            if grid:
                pts = _snap_moved(self.points0, pts, int(self.key), grid, src, tgt, kinds)
            t.set_points(pts)
            self.changed = pts != [(float(x), float(y)) for x, y in self.points0]
            from ...services.map_geometry import route_text

            self.new = {"edges": {t.eid: route_text(mapedit.tidy_route(pts))}}
            self.old = {"edges": {t.eid: t.row.get("waypoints") or ""}}

    def _show_node(self, box) -> None:
        t = self.target
        x, y, w, h = box
        t.apply(dict(self.row0, x=x, y=y, w=w, h=h))
        for e in t.edges:
            e.route_anew()  # (a resize clears the stored bends)

    def _show_plan(self, plan: mapedit.LanePlan) -> None:
        """Show ``plan``, touching only what differs from what is shown (a drag on a big map
        moves thousands of shapes: a connector whose two ends move alike is moved, not routed
        again; routes are redone once, when the drag ends)."""
        sc = self.scene
        if len(plan.nodes) > LIVE_SHAPES:
            # too many shapes to move on every mouse move: the lanes show the new geometry,
            # the shapes join them when the drag ends
            plan = mapedit.LanePlan(plan.lanes, {}, plan.orders)
        touched = set()
        for lid in set(plan.lanes) | set(self._lanes_shown):
            box = plan.lanes.get(lid, self.lanes0[lid])
            if self._lanes_shown.get(lid, self.lanes0[lid]) == box:
                continue
            x, y, w, h = box
            if lid > 0:
                lane = sc.lanes[lid]
                lane.apply(dict(lane.row, x=x, y=y, w=w, h=h))
            else:
                pool = sc.nodes[-lid]
                pool.apply(dict(pool.row, x=x, y=y, w=w, h=h))
                touched.update(pool.edges)  # (message flows may end on a pool)
            if box == self.lanes0[lid]:
                self._lanes_shown.pop(lid, None)
            else:
                self._lanes_shown[lid] = box
        for nid in set(plan.nodes) | set(self._nodes_shown):
            start = self.nodes0[nid][0][:2]
            at = plan.nodes.get(nid, start)
            if self._nodes_shown.get(nid, start) == at:
                continue
            n = sc.nodes[nid]
            n.setPos(at[0], at[1])
            touched.update(n.edges)
            if at == start:
                self._nodes_shown.pop(nid, None)
            else:
                self._nodes_shown[nid] = at
        for e in touched:
            self._edges_touched.add(e)
            ds = self._shift(e.source.nid)
            dt = self._shift(e.target.nid)
            if ds == dt:
                e.setPos(ds[0], ds[1])  # both ends moved alike: the route moves as it is
            else:
                e.setPos(0, 0)
                e.route_anew()  # (a lane edit clears the stored bends)

    def _shift(self, nid: int) -> tuple[float, float]:
        """How far the preview moved shape ``nid`` (a pool moves as a lane)."""
        if nid in self.nodes0:
            start = self.nodes0[nid][0]
            at = self._nodes_shown.get(nid, start[:2])
        else:
            start = self.lanes0.get(-nid, (0.0, 0.0))
            at = self._lanes_shown.get(-nid, start)
        return (at[0] - start[0], at[1] - start[1])

    # -- end
    def finish(self) -> None:
        """The drag ended with a change: connectors moved as a whole get their real route."""
        for e in getattr(self, "_edges_touched", ()):
            if e.scene() is self.scene and (e.pos().x(), e.pos().y()) != (0.0, 0.0):
                e.setPos(0, 0)
                e.route_anew()

    def cancel(self) -> None:
        """Put every item back as it was before the drag."""
        t = self.target
        if isinstance(t, NodeItem):
            t.apply(self.row0)
            for e in t.edges:
                e.restore_route()
        elif isinstance(t, LaneItem):
            self._show_plan(mapedit.LanePlan())
            for e in self._edges_touched:
                if e.scene() is self.scene:
                    e.setPos(0, 0)
                    e.restore_route()
            self._edges_touched = set()
        else:
            t.set_points(list(self.points0))


def mapedit_grid(scene: "MapScene") -> float:
    from .style import GRID

    return GRID if scene.snap_enabled else 0.0


def _snap_moved(before, after, index, grid, src, tgt, kinds):
    """Snap the moved stretch of a route to the grid (its ends stay on their shapes)."""
    a0, b0 = before[index], before[index + 1]
    a = after[index]
    dx, dy = a[0] - a0[0], a[1] - a0[1]
    if abs(a0[1] - b0[1]) < 1e-6:  # horizontal: snap its y
        target = round(a[1] / grid) * grid
        dy += target - a[1]
        dx = 0.0
    elif abs(a0[0] - b0[0]) < 1e-6:
        target = round(a[0] / grid) * grid
        dx += target - a[0]
        dy = 0.0
    else:
        return after
    return mapedit.move_segment(before, index, (dx, dy), src, tgt, **kinds)


__all__ = ["HALF", "HandleDrag", "Handles", "handles_of", "lane_boxes", "node_boxes",
           "plan_geometry"]
