"""Geometry of hand edits on a map: resizing a shape, resizing and reordering swimlanes, and
moving one stretch of a connector's route.

Pure functions on plain tuples (no Qt, no database): the editor feeds them the map's current
geometry and what the pointer did, and stores what they return as one undoable change.

A box is ``(x, y, w, h)`` with ``(x, y)`` its top-left corner. Lanes are *horizontal* (rows: the
flow runs left to right, the title band on the left) or *vertical* (columns); the lane functions
work on rows and handle columns by swapping the axes. Pools (BPMN participants) take part in lane
edits as lanes with negative ids: lanes nest in them, they grow with their lanes and shift like
any lane after the edited one, but a band of lanes never spreads into another pool.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]
Point = tuple[float, float]

#: the eight resize handles of a shape, clockwise from the top-left corner
HANDLES = ("nw", "n", "ne", "e", "se", "s", "sw", "w")
#: shapes drawn as circles keep equal width and height
ROUND_KINDS = frozenset({"start", "end", "event"})
#: smallest size of a shape, by kind
MIN_SIZE: dict[str, tuple[float, float]] = {
    "start": (20.0, 20.0), "end": (20.0, 20.0), "event": (20.0, 20.0),
    "decision": (30.0, 30.0), "document": (30.0, 30.0), "record": (30.0, 30.0),
    "annotation": (30.0, 20.0), "pool": (120.0, 60.0), "subprocess": (80.0, 40.0),
}
DEFAULT_MIN = (80.0, 40.0)  # (room for a label of a few short words)
#: smallest extent of a lane across the flow, and the room kept around the shapes inside it
LANE_MIN_BREADTH = 40.0
LANE_MIN_LENGTH = 120.0
LANE_PADDING = 10.0
#: shortest first or last stretch a hand-moved route keeps (so its arrowhead shows)
STUB = 12.0


def handle_points(box: Box) -> dict[str, Point]:
    """Where each resize handle of ``box`` sits."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    return {"nw": (x, y), "n": (cx, y), "ne": (x + w, y), "e": (x + w, cy),
            "se": (x + w, y + h), "s": (cx, y + h), "sw": (x, y + h), "w": (x, cy)}


def _snap(v: float, grid: float) -> float:
    return round(v / grid) * grid if grid > 0 else v


def resize_box(box: Box, handle: str, point: Point, *, kind: str = "step", grid: float = 0.0,
               keep_aspect: bool = False) -> Box:
    """``box`` after dragging its ``handle`` to ``point``.

    The opposite side (or corner) stays put; the size never drops below the kind's minimum; with
    ``grid`` the moved sides land on the grid; round shapes (events), and any shape when
    ``keep_aspect``, keep their proportions — a side handle then grows the shape about the
    middle of the other axis."""
    if handle not in HANDLES:
        raise ValueError(f"unknown resize handle {handle!r}")
    x0, y0, w0, h0 = box
    x1, y1 = x0 + w0, y0 + h0
    min_w, min_h = MIN_SIZE.get(kind, DEFAULT_MIN)
    px, py = _snap(point[0], grid), _snap(point[1], grid)
    left, top, right, bottom = x0, y0, x1, y1
    if "w" in handle:
        left = min(px, x1 - min_w)
    if "e" in handle:
        right = max(px, x0 + min_w)
    if "n" in handle:
        top = min(py, y1 - min_h)
    if "s" in handle:
        bottom = max(py, y0 + min_h)
    w, h = right - left, bottom - top
    if kind in ROUND_KINDS or keep_aspect:
        ratio = 1.0 if kind in ROUND_KINDS else (w0 / h0 if h0 > 0 else 1.0)
        if handle in ("n", "s"):
            w = h * ratio
        elif handle in ("e", "w"):
            h = w / ratio
        else:  # a corner: the larger change wins
            if w / ratio >= h:
                h = w / ratio
            else:
                w = h * ratio
        if w < min_w or h < min_h:
            scale = max(min_w / w if w else 1.0, min_h / h if h else 1.0)
            w, h = w * scale, h * scale
        if handle in ("n", "s"):
            left = x0 + w0 / 2 - w / 2
        elif "w" in handle:
            left = x1 - w
        else:
            left = x0
        if handle in ("e", "w"):
            top = y0 + h0 / 2 - h / 2
        elif "n" in handle:
            top = y1 - h
        else:
            top = y0
    return (float(left), float(top), float(w), float(h))


# --------------------------------------------------------------------------- lanes


@dataclass
class LanePlan:
    """New geometry for lanes and shapes after a lane edit (only what changes)."""

    lanes: dict[int, Box] = field(default_factory=dict)
    nodes: dict[int, Point] = field(default_factory=dict)
    orders: dict[int, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.lanes or self.nodes or self.orders)


def _t(b: Box) -> Box:
    return (b[1], b[0], b[3], b[2])


def _transpose(lanes: dict[int, Box], nodes: dict[int, tuple[Box, int | None]]
               ) -> tuple[dict[int, Box], dict[int, tuple[Box, int | None]]]:
    return ({i: _t(b) for i, b in lanes.items()},
            {i: (_t(b), lane) for i, (b, lane) in nodes.items()})


def _plan_back(plan: LanePlan, vertical: bool) -> LanePlan:
    if not vertical:
        return plan
    return LanePlan({i: _t(b) for i, b in plan.lanes.items()},
                    {i: (p[1], p[0]) for i, p in plan.nodes.items()}, dict(plan.orders))


def lane_is_vertical(box: Box) -> bool:
    """A lane taller than wide is a column."""
    return box[3] > box[2]


def _contains(outer: Box, inner: Box, tol: float = 0.5) -> bool:
    return (outer[0] <= inner[0] + tol and outer[1] <= inner[1] + tol
            and outer[0] + outer[2] >= inner[0] + inner[2] - tol
            and outer[1] + outer[3] >= inner[1] + inner[3] - tol)


def _inside(lanes: dict[int, Box], lid: int) -> set[int]:
    """Lanes nested in lane ``lid`` (not itself)."""
    b = lanes[lid]
    return {i for i, o in lanes.items() if i != lid and _contains(b, o)
            and not (_contains(o, b) and i > lid)}


def _parent(lanes: dict[int, Box], lid: int) -> int | None:
    """The smallest lane that holds lane ``lid`` (None at the top level)."""
    b = lanes[lid]
    best, area = None, None
    for i, o in lanes.items():
        if i == lid or not _contains(o, b) or (_contains(b, o) and i > lid):
            continue
        a = o[2] * o[3]
        if area is None or a < area:
            best, area = i, a
    return best


def resize_lane(lanes: dict[int, Box], nodes: dict[int, tuple[Box, int | None]], lane_id: int,
                side: str, value: float, *, grid: float = 0.0) -> LanePlan:
    """Drag the far side of lane ``lane_id`` to ``value`` (a scene coordinate).

    ``side`` is ``"breadth"`` (a row's bottom, a column's right side: the lane gets taller or
    wider and the lanes after it, with their shapes, shift along) or ``"length"`` (the row's
    right end, the column's bottom: every lane side by side with it follows, so the band stays
    aligned). ``nodes`` maps shape ids to (box, lane id). The lane never shrinks past the
    shapes in it."""
    if lane_id not in lanes:
        raise KeyError(lane_id)
    vertical = band_is_vertical(lanes, lane_id)
    if vertical:
        lanes, nodes = _transpose(lanes, nodes)
    value = _snap(value, grid)
    plan = (_resize_breadth if side == "breadth" else _resize_length)(lanes, nodes, lane_id,
                                                                      value)
    return _plan_back(plan, vertical)


def band_is_vertical(lanes: dict[int, Box], lane_id: int) -> bool:
    """Whether lane ``lane_id`` is a column. Lanes of one band share their length (rows share x
    and width, columns y and height); a lane alone is a column when taller than wide."""
    b = lanes[lane_id]
    for i, o in lanes.items():
        if i == lane_id or _contains(o, b) or _contains(b, o):
            continue
        if abs(o[0] - b[0]) < 1 and abs(o[2] - b[2]) < 1:
            return False
        if abs(o[1] - b[1]) < 1 and abs(o[3] - b[3]) < 1:
            return True
    return lane_is_vertical(b)


def _members(nodes: dict[int, tuple[Box, int | None]], lane_ids: set[int]) -> list[int]:
    return [n for n, (_b, lane) in nodes.items() if lane in lane_ids]


def _resize_breadth(lanes, nodes, lane_id, value) -> LanePlan:
    x, y, w, h = lanes[lane_id]
    bottom = y + h
    group = {lane_id} | _inside(lanes, lane_id)
    floor = y + LANE_MIN_BREADTH
    for n in _members(nodes, group):
        b = nodes[n][0]
        floor = max(floor, b[1] + b[3] + LANE_PADDING)
    for i in group - {lane_id}:
        o = lanes[i]
        floor = max(floor, o[1] + o[3])
    new_bottom = max(value, floor)
    delta = new_bottom - bottom
    plan = LanePlan()
    if abs(delta) < 1e-9:
        return plan
    plan.lanes[lane_id] = (x, y, w, h + delta)
    shifted: set[int] = set()
    for i, o in lanes.items():
        if i in group:
            continue
        overlaps = o[0] < x + w and o[0] + o[2] > x
        if _contains(o, lanes[lane_id]):  # a lane around it grows with it
            plan.lanes[i] = (o[0], o[1], o[2], o[3] + delta)
        elif overlaps and o[1] >= bottom - 0.5:  # after it: shifts along
            plan.lanes[i] = (o[0], o[1] + delta, o[2], o[3])
            shifted.add(i)
    for n in _members(nodes, shifted):
        b = nodes[n][0]
        plan.nodes[n] = (b[0], b[1] + delta)
    return plan


def _root(lanes: dict[int, Box], lid: int) -> int:
    """The outermost lane (or pool) holding lane ``lid`` (itself at the top level)."""
    seen = {lid}
    parent = _parent(lanes, lid)
    while parent is not None and parent not in seen:
        seen.add(parent)
        lid, parent = parent, _parent(lanes, parent)
    return lid


def _resize_length(lanes, nodes, lane_id, value) -> LanePlan:
    """Every lane of the same pool (or top-level band) that ends where this one ends follows,
    each keeping its own start (nested lanes start further in)."""
    x, y, w, h = lanes[lane_id]
    right = x + w
    root = _root(lanes, lane_id)
    family = {root} | _inside(lanes, root)
    if root > 0:
        # top-level lanes side by side with no pool around them form one band (pools, with
        # negative ids, each stay their own)
        rx, rw = lanes[root][0], lanes[root][2]
        family |= {i for i, o in lanes.items() if i > 0 and _parent(lanes, i) is None
                   and abs(o[0] - rx) < 1 and abs(o[2] - rw) < 1}
        for i in list(family):
            family |= _inside(lanes, i)
    band = [i for i in family if abs(lanes[i][0] + lanes[i][2] - right) < 1]
    floor = max(lanes[i][0] for i in band) + LANE_MIN_LENGTH
    for n in _members(nodes, family):
        b = nodes[n][0]
        floor = max(floor, b[0] + b[2] + LANE_PADDING)
    for i in family - set(band):
        o = lanes[i]
        floor = max(floor, o[0] + o[2])
    new_right = max(value, floor)
    plan = LanePlan()
    if abs(new_right - right) < 1e-9:
        return plan
    for i in band:
        o = lanes[i]
        plan.lanes[i] = (o[0], o[1], new_right - o[0], o[3])
    return plan


def move_lane(lanes: dict[int, Box], nodes: dict[int, tuple[Box, int | None]], lane_id: int,
              step: int, orders: dict[int, int] | None = None) -> LanePlan:
    """Swap lane ``lane_id`` with its neighbour before (``step`` -1: up, or left for columns)
    or after (+1): both lanes trade places with their shapes and nested lanes, and their
    stored order. An empty plan when there is no neighbour that way."""
    if lane_id not in lanes or step not in (-1, 1):
        raise ValueError("a lane moves one place up or down")
    vertical = band_is_vertical(lanes, lane_id)
    if vertical:
        lanes, nodes = _transpose(lanes, nodes)
    parent = _parent(lanes, lane_id)
    me = lanes[lane_id]
    siblings = [i for i in lanes if _parent(lanes, i) == parent
                and lanes[i][0] < me[0] + me[2] and lanes[i][0] + lanes[i][2] > me[0]]
    siblings.sort(key=lambda i: (lanes[i][1], i))
    k = siblings.index(lane_id)
    j = k + step
    if not 0 <= j < len(siblings):
        return LanePlan()
    other = siblings[j]
    first, second = (other, lane_id) if step < 0 else (lane_id, other)
    a, b = lanes[first], lanes[second]
    gap = b[1] - (a[1] + a[3])
    top = a[1]
    # the second goes first, then the gap, then the first
    moves = {second: top - b[1], first: top + b[3] + gap - a[1]}
    plan = LanePlan()
    for lid, dy in moves.items():
        group = {lid} | _inside(lanes, lid)
        for i in group:
            o = lanes[i]
            plan.lanes[i] = (o[0], o[1] + dy, o[2], o[3])
        for n in _members(nodes, group):
            nb = nodes[n][0]
            plan.nodes[n] = (nb[0], nb[1] + dy)
    if orders is not None:
        plan.orders = {first: orders.get(second, 0), second: orders.get(first, 0)}
        if plan.orders[first] == plan.orders[second]:  # never told apart before: now they are
            base = min(plan.orders.values())
            plan.orders = {second: base, first: base + 1}
    return _plan_back(plan, vertical)


# --------------------------------------------------------------------------- connector routes


def segment_handles(points: list[Point], min_length: float = 16.0) -> list[tuple[int, Point]]:
    """(segment index, midpoint) of each stretch of a route long enough to grab."""
    out = []
    for i, (a, b) in enumerate(zip(points, points[1:])):
        if abs(b[0] - a[0]) + abs(b[1] - a[1]) >= min_length:
            out.append((i, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)))
    return out


def _clamp(v: float, lo: float, hi: float) -> float:
    if lo > hi:
        return (lo + hi) / 2
    return min(max(v, lo), hi)


def _outline_offset(kind: str, half_along: float, half_across: float, d: float) -> float:
    """How far from a shape's centre its outline is, along the stretch's axis, at offset ``d``
    across it: a rectangle's side is straight, a diamond's and a circle's are not."""
    t = min(abs(d) / half_across, 1.0) if half_across > 0 else 0.0
    if kind == "decision":
        return half_along * (1.0 - t)
    if kind in ROUND_KINDS:
        return half_along * math.sqrt(max(0.0, 1.0 - t * t))
    return half_along


def _slide_end(end: Point, other: Point, box: Box, kind: str, horizontal: bool, want: float,
               inset: float) -> Point:
    """``end`` (on ``box``'s outline, its stretch running to ``other``) slid across the stretch
    to ``want``, kept on the outline and away from the corners (round shapes and diamonds keep
    to the middle part of their side)."""
    bx, by, bw, bh = box
    cx, cy = bx + bw / 2, by + bh / 2
    if horizontal:  # the end slides up or down the shape's left or right side
        reach = bh / 2 - inset if kind not in ROUND_KINDS | {"decision"} else bh * 0.3
        y = _clamp(want, cy - max(reach, 0.0), cy + max(reach, 0.0))
        off = _outline_offset(kind, bw / 2, bh / 2, y - cy)
        x = cx + off if other[0] >= end[0] else cx - off
        return (x, y)
    reach = bw / 2 - inset if kind not in ROUND_KINDS | {"decision"} else bw * 0.3
    x = _clamp(want, cx - max(reach, 0.0), cx + max(reach, 0.0))
    off = _outline_offset(kind, bh / 2, bw / 2, x - cx)
    y = cy + off if other[1] >= end[1] else cy - off
    return (x, y)


def move_segment(points: list[Point], index: int, delta: Point, source: Box | None = None,
                 target: Box | None = None, *, inset: float = 4.0, source_kind: str = "step",
                 target_kind: str = "step") -> list[Point]:
    """The route with stretch ``index`` (from ``points[index]`` to ``points[index + 1]``)
    dragged by ``delta``.

    A horizontal stretch moves only up or down, a vertical one only sideways, so the route stays
    orthogonal. The first and last stretches stay attached: their end on a shape slides along
    that shape's outline (``source``/``target`` boxes of ``source_kind``/``target_kind``),
    away from its corners. A slanted stretch keeps its attached ends where they are; a route
    that is one slanted stretch gets a bend where it is dragged."""
    if not 0 <= index < len(points) - 1:
        raise IndexError("no such stretch of the route")
    pts = [(float(x), float(y)) for x, y in points]
    a, b = pts[index], pts[index + 1]
    dx, dy = float(delta[0]), float(delta[1])
    horizontal = abs(a[1] - b[1]) < 1e-6 and abs(a[0] - b[0]) > 1e-6
    vertical = abs(a[0] - b[0]) < 1e-6 and abs(a[1] - b[1]) > 1e-6
    last = len(pts) - 2
    a_fixed = index == 0 and source is not None
    b_fixed = index == last and target is not None
    if not (horizontal or vertical):
        if a_fixed and b_fixed:  # one slanted stretch: bend it where it is grabbed
            mid = ((a[0] + b[0]) / 2 + dx, (a[1] + b[1]) / 2 + dy)
            return pts[:index + 1] + [mid] + pts[index + 1:]
        if not a_fixed:
            pts[index] = (a[0] + dx, a[1] + dy)
        if not b_fixed:
            pts[index + 1] = (b[0] + dx, b[1] + dy)
        return pts
    if horizontal:
        dx = 0.0
    else:
        dy = 0.0
    want = (a[1] if horizontal else a[0]) + (dy if horizontal else dx)
    axis = 1 if horizontal else 0
    # the stretches that leave the source and reach the target keep their direction and a stub
    # of length: the route never doubles back into its shapes
    if index == 1 and source is not None:
        start = pts[0][axis]
        sign = (a[axis] > start) - (a[axis] < start)
        if sign > 0:
            want = max(want, start + STUB)
        elif sign < 0:
            want = min(want, start - STUB)
    if index + 1 == last and target is not None:
        end = pts[-1][axis]
        sign = (end > b[axis]) - (end < b[axis])
        if sign > 0:
            want = min(want, end - STUB)
        elif sign < 0:
            want = max(want, end + STUB)
    # where the stretch may go: both attached ends must stay on their shapes
    na, nb = (a[0] + dx, a[1] + dy), (b[0] + dx, b[1] + dy)
    if a_fixed:
        na = _slide_end(a, b, source, source_kind, horizontal, want, inset)
        want = na[1] if horizontal else na[0]
    if b_fixed:
        nb = _slide_end(b, a, target, target_kind, horizontal, want, inset)
        got = nb[1] if horizontal else nb[0]
        if a_fixed and abs(got - want) > 1e-6:  # both ends cannot agree: it stays
            return pts
        want = got
    if horizontal:
        na = (na[0] if a_fixed else a[0], want)
        nb = (nb[0] if b_fixed else b[0], want)
    else:
        na = (want, na[1] if a_fixed else a[1])
        nb = (want, nb[1] if b_fixed else b[1])
    pts[index], pts[index + 1] = na, nb
    return pts


def follow_ends(points: list[Point], start_delta: Point, end_delta: Point) -> list[Point] | None:
    """A route drawn by hand, kept when its shapes move: the first point moves with the source
    (by ``start_delta``) and the last with the target (``end_delta``); the bend next to each
    end slides with it so the end stretches stay straight. None when the route cannot be kept
    that way (fewer than two bends, a slanted end stretch, or an end stretch that would turn
    round or shrink below :data:`STUB`): then it is routed automatically."""
    if len(points) < 3:
        return None
    pts = [[float(x), float(y)] for x, y in points]
    ends = ((0, 1, start_delta), (len(pts) - 1, len(pts) - 2, end_delta))
    axes = []
    for i, j, _d in ends:
        (xi, yi), (xj, yj) = pts[i], pts[j]
        if abs(yi - yj) < 1e-6 and abs(xi - xj) > 1e-6:
            axes.append(0)  # a horizontal end stretch
        elif abs(xi - xj) < 1e-6 and abs(yi - yj) > 1e-6:
            axes.append(1)
        else:
            return None
    signs = [(pts[j][a] > pts[i][a]) - (pts[j][a] < pts[i][a]) for (i, j, _d), a in zip(ends, axes)]
    for (i, j, d), axis in zip(ends, axes):
        if d[0] == 0 and d[1] == 0:
            continue
        pts[i][0] += d[0]
        pts[i][1] += d[1]
        pts[j][1 - axis] = pts[i][1 - axis]  # the neighbouring bend keeps the stretch straight
    for (i, j, _d), axis, sign in zip(ends, axes, signs):
        run = (pts[j][axis] - pts[i][axis]) * sign
        if run < STUB or abs(pts[j][1 - axis] - pts[i][1 - axis]) > 1e-6:
            return None
    return [(x, y) for x, y in pts]


def tidy_route(points: list[Point], tol: float = 0.5) -> list[Point]:
    """Drop repeated points and points in the middle of a straight run (after a hand edit)."""
    out: list[Point] = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) <= tol and abs(out[-1][1] - p[1]) <= tol:
            continue
        out.append(p)
    changed = True
    while changed and len(out) > 2:
        changed = False
        for i in range(1, len(out) - 1):
            (x0, y0), (x1, y1), (x2, y2) = out[i - 1], out[i], out[i + 1]
            cross = (x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1)
            dot = (x1 - x0) * (x2 - x1) + (y1 - y0) * (y2 - y1)
            if abs(cross) <= tol and dot >= 0:
                del out[i]
                changed = True
                break
    return out if len(out) >= 2 else list(points[:1]) * 2 if points else out


def _follow(lo: float, size: float, old_lo: float, old_size: float, new_lo: float,
            new_size: float) -> float:
    """How far a label spanning [lo, lo + size] on one axis moves when the shape's extent
    goes from [old_lo, +old_size] to [new_lo, +new_size]: a label beyond one side keeps its
    gap to that side, one across the shape keeps its place relative to the middle."""
    if lo + size <= old_lo + 1e-6:
        return new_lo - old_lo
    if lo >= old_lo + old_size - 1e-6:
        return (new_lo + new_size) - (old_lo + old_size)
    return (new_lo + new_size / 2) - (old_lo + old_size / 2)


def label_extra(extra: str, old: Box, new: Box) -> str | None:
    """The node ``extra`` text (the importer's JSON) once its shape went from box ``old`` to
    box ``new``, with the label box the BPMN file gave it (``di.label.bounds``) moved along so
    that it stays where it was beside the shape; None when there is nothing to move.

    The file's shape box (``di.bounds``) moves with the shape's corner: the BPMN export places
    a label at its stored box plus how far the shape's corner is from ``di.bounds`` (and the
    map draws it the same way), so after this both find the label where it was stored."""
    if not extra or '"label"' not in extra or tuple(old) == tuple(new):
        return None
    try:
        data = json.loads(extra)
        di = data.get("di")
        label = di.get("label") if isinstance(di, dict) else None
        b = label.get("bounds") if isinstance(label, dict) else None
        lx, ly, lw, lh = (float(v) for v in b)
    except (ValueError, TypeError, AttributeError):
        return None
    ob = di.get("bounds")
    try:
        bx, by = float(ob[0]), float(ob[1])
        ob_ok = len(ob) == 4
    except (TypeError, ValueError, IndexError, KeyError):
        bx, by, ob_ok = old[0], old[1], False
    # where the label is drawn now (the shape may have moved since the file was read)
    ex, ey = lx + old[0] - bx, ly + old[1] - by
    dx = _follow(ex, lw, old[0], old[2], new[0], new[2])
    dy = _follow(ey, lh, old[1], old[3], new[1], new[3])
    label["bounds"] = [lx + dx, ly + dy, b[2], b[3]]
    if ob_ok:
        ob = list(ob)
        ob[0], ob[1] = bx + new[0] - old[0], by + new[1] - old[1]
        di["bounds"] = ob
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


__all__ = ["Box", "DEFAULT_MIN", "HANDLES", "LanePlan", "MIN_SIZE", "ROUND_KINDS",
           "band_is_vertical", "follow_ends", "handle_points", "label_extra", "lane_is_vertical",
           "move_lane", "move_segment", "resize_box", "resize_lane", "segment_handles",
           "tidy_route"]
