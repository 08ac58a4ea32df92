"""Hand edits of a map's geometry, each stored in one transaction: shape sizes, lane sizes and
order, and connector routes drawn by hand.

The editor works out the new geometry with :mod:`qms_desktop.core.mapedit`, keeps the old one,
and calls :func:`set_geometry` with either (do / undo), so a gesture is one undo step and one
transaction, audited like every change.
"""

from __future__ import annotations

import json
import math
from typing import Iterable

from ..core.mapedit import label_extra
from ..storage import models as m
from ..storage.workspace import Workspace
from .processes import load_rows, touching_edges
from .records import Change, RecordError

def _number(v, what: str) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise RecordError(f"The {what} must be a number.") from None
    if not math.isfinite(f):
        raise RecordError(f"The {what} must be a finite number.")
    return f


def route_text(points: Iterable[tuple[float, float]] | None) -> str:
    """How a hand-drawn route is stored (an empty text: routed automatically)."""
    if not points:
        return ""
    pts = [[round(_number(x, "route point"), 2), round(_number(y, "route point"), 2)]
           for x, y in points]
    if len(pts) < 2:
        raise RecordError("A connector route needs at least two points.")
    return json.dumps(pts)


def set_geometry(ws: Workspace, *, nodes: dict[int, tuple] | None = None,
                 lanes: dict[int, tuple] | None = None,
                 edges: dict[int, str] | None = None,
                 orders: dict[int, int] | None = None,
                 clear_routes_of: Iterable[int] = ()) -> Change:
    """Store new geometry in one transaction.

    ``nodes``: id → (x, y) or (x, y, w, h); ``lanes``: id → (x, y, w, h); ``edges``: id → stored
    route text (see :func:`route_text`); ``orders``: lane id → order; ``clear_routes_of``: shape
    ids whose connectors lose their stored bends (they no longer fit the moved or resized shape;
    the editor routes them again) unless ``edges`` sets them. Raises RecordError when something
    no longer exists or a size is not positive (nothing is stored then)."""
    nodes, lanes, edges, orders = nodes or {}, lanes or {}, edges or {}, orders or {}
    clear = set(clear_routes_of)
    with ws.session() as s, s.no_autoflush:
        # rows loaded in bulk (a lane edit on a big map touches thousands of shapes; one get()
        # per row would flush, and audit, the previous row each time)
        node_rows = load_rows(s, m.ProcessNode, nodes)
        lane_rows = load_rows(s, m.ProcessLane, set(lanes) | set(orders))
        for nid, geo in nodes.items():
            node = node_rows.get(nid)
            if node is None:
                raise RecordError(f"Map element {nid} no longer exists.")
            before = (node.x, node.y, node.w, node.h)
            node.x, node.y = _number(geo[0], "position"), _number(geo[1], "position")
            if len(geo) >= 4:
                w, h = _number(geo[2], "width"), _number(geo[3], "height")
                if w <= 0 or h <= 0:
                    raise RecordError("A shape's width and height must be above zero.")
                node.w, node.h = w, h
            moved = label_extra(node.extra or "", before, (node.x, node.y, node.w, node.h))
            if moved is not None:  # (a label beside the shape goes with it)
                node.extra = moved
        for lid, (x, y, w, h) in lanes.items():
            lane = lane_rows.get(lid)
            if lane is None:
                raise RecordError(f"Lane {lid} no longer exists.")
            w, h = _number(w, "width"), _number(h, "height")
            if w <= 0 or h <= 0:
                raise RecordError("A lane's width and height must be above zero.")
            lane.x, lane.y = _number(x, "position"), _number(y, "position")
            lane.w, lane.h = w, h
        for lid, order in orders.items():
            lane = lane_rows.get(lid)
            if lane is None:
                raise RecordError(f"Lane {lid} no longer exists.")
            lane.order = int(order)
        edge_rows = load_rows(s, m.ProcessEdge, edges)
        if clear:
            for e in touching_edges(s, sorted(clear)):
                if e.id not in edges and e.waypoints:
                    e.waypoints = ""
        for eid, text in edges.items():
            edge = edge_rows.get(eid)
            if edge is None:
                raise RecordError(f"Connector {eid} no longer exists.")
            edge.waypoints = text or ""
    return Change.of(s)


__all__ = ["route_text", "set_geometry"]
