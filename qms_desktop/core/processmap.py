"""Process maps as data: the in-memory model, validation rules and automatic layout.

Pure Python (no Qt, no SQLAlchemy, no lxml). The BPMN and draw.io mappers in
``qms_desktop.services.imports`` / ``exports`` read and write this model; the storage layer
keeps one row per :class:`Node`, :class:`Edge` and :class:`Lane` with their ``extra`` dict as
JSON text, and :attr:`ProcessMap.extra` as one JSON text column.

Geometry conventions (the BPMN-DI ones): ``x, y`` is the top-left corner, ``w, h`` the size, in
scene pixels; every position is absolute (a node inside a sub-process or a lane is not relative
to it). Edge waypoints are absolute points, the first on the source and the last on the target.

``extra`` dicts only ever hold JSON types (str, int, float, bool, None, list, dict with str keys).
The importers keep there what the model has no field for, so that an export gives the file back:

``Node.extra`` / ``Edge.extra`` / ``Lane.extra`` keys written by the BPMN importer
    ``"process"``    id of the BPMN process the element belongs to (absent for collaboration items)
    ``"container"``  id of the XML element holding it (process, sub-process or collaboration)
    ``"bpmn"``       ``{"attrs": {...}, "children": [xml, ...], ...}`` unknown/unmapped attributes
                     (namespaced ones in ``{uri}local`` form) and child elements as XML strings
    ``"di"``         the diagram shape/edge: ``{"diagram": i, "order": j, "attrs": {...},
                     "bounds"|"waypoints": original geometry, "label": {...}, "children": [...]}``
    ``"bpmn_type"``  (edges) ``sequenceFlow``, ``messageFlow``, ``association``,
                     ``dataInputAssociation`` or ``dataOutputAssociation``
    ``"pool"``       (lanes) key of the pool node whose process holds the lane
    ``"parent"``     (lanes) key of the parent lane for nested lanes, else absent
``Node.extra["drawio"]`` / ``Edge.extra["drawio"]`` / ``Lane.extra["drawio"]``
    ``{"id": cell id, "style": style string}`` from the draw.io importer.
``Node.extra["role"]`` (optional, written by the app) marks a responsible role for validation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "route_candidates",
    "BPMN_TYPE_KIND",
    "DEFAULT_BPMN_TYPE",
    "DEFAULT_SIZES",
    "EDGE_KINDS",
    "FLOW_KINDS",
    "ISSUE_CODES",
    "NESTING_LIMIT",
    "NODE_KINDS",
    "Edge",
    "Issue",
    "Lane",
    "MapLayout",
    "Node",
    "ProcessMap",
    "apply_layout",
    "attached_to",
    "hidden_in_file",
    "auto_layout",
    "default_bpmn_type",
    "effective_lane",
    "is_expanded",
    "kind_for_bpmn_type",
    "layout_map",
    "route_edge",
    "validate",
]

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

#: Node kinds. ``event`` is an intermediate (or boundary) event; ``decision`` is any gateway
#: (the exact BPMN element stays in ``bpmn_type``); ``document`` is a BPMN data object
#: reference, ``record`` a data store reference; ``annotation`` is a text annotation (or a
#: BPMN group); ``pool`` is a BPMN participant (a band that holds lanes, or a black box).
NODE_KINDS = (
    "start",
    "end",
    "event",
    "step",
    "decision",
    "document",
    "record",
    "subprocess",
    "annotation",
    "pool",
)

#: Deepest nesting of sub-processes the layout and the BPMN export handle (an imported file
#: cannot go deeper: the XML depth limit is 128 elements).
NESTING_LIMIT = 100

#: Kinds that take part in the sequence flow (validated for reachability and dead ends).
FLOW_KINDS = frozenset({"start", "end", "event", "step", "decision", "subprocess"})

#: Edge kinds: ``sequence`` (the flow), ``message`` (between pools), ``association`` (a dotted
#: link: annotation to element, or document/record to step).
EDGE_KINDS = ("sequence", "message", "association")

#: BPMN element local name -> node kind.
BPMN_TYPE_KIND: dict[str, str] = {
    "startEvent": "start",
    "endEvent": "end",
    "intermediateCatchEvent": "event",
    "intermediateThrowEvent": "event",
    "boundaryEvent": "event",
    "task": "step",
    "userTask": "step",
    "manualTask": "step",
    "serviceTask": "step",
    "scriptTask": "step",
    "businessRuleTask": "step",
    "sendTask": "step",
    "receiveTask": "step",
    "exclusiveGateway": "decision",
    "inclusiveGateway": "decision",
    "parallelGateway": "decision",
    "complexGateway": "decision",
    "eventBasedGateway": "decision",
    "subProcess": "subprocess",
    "transaction": "subprocess",
    "adHocSubProcess": "subprocess",
    "callActivity": "subprocess",
    "dataObjectReference": "document",
    "dataStoreReference": "record",
    "textAnnotation": "annotation",
    "group": "annotation",
    "participant": "pool",
}

#: Node kind -> BPMN element written for nodes created in the app.
DEFAULT_BPMN_TYPE: dict[str, str] = {
    "start": "startEvent",
    "end": "endEvent",
    "event": "intermediateThrowEvent",
    "step": "task",
    "decision": "exclusiveGateway",
    "document": "dataObjectReference",
    "record": "dataStoreReference",
    "subprocess": "subProcess",
    "annotation": "textAnnotation",
    "pool": "participant",
}

#: Default (w, h) of a new node of each kind (the bpmn.io sizes).
DEFAULT_SIZES: dict[str, tuple[float, float]] = {
    "start": (36.0, 36.0),
    "end": (36.0, 36.0),
    "event": (36.0, 36.0),
    "step": (100.0, 80.0),
    "decision": (50.0, 50.0),
    "document": (36.0, 50.0),
    "record": (50.0, 50.0),
    "subprocess": (100.0, 80.0),
    "annotation": (100.0, 30.0),
    "pool": (600.0, 250.0),
}


def kind_for_bpmn_type(bpmn_type: str) -> str | None:
    """Node kind for a BPMN element local name (``None`` if unsupported)."""
    return BPMN_TYPE_KIND.get(bpmn_type)


def default_bpmn_type(kind: str) -> str:
    """BPMN element written for a node of ``kind`` that has no (matching) ``bpmn_type``."""
    return DEFAULT_BPMN_TYPE[kind]


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Node:
    """A shape on the map. ``lane`` and ``parent`` hold keys (or ``None``)."""

    key: str
    kind: str
    bpmn_type: str = ""
    name: str = ""
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    lane: str | None = None
    parent: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in NODE_KINDS:
            raise ValueError(f"Unknown node kind {self.kind!r}; use one of {', '.join(NODE_KINDS)}.")
        if not self.bpmn_type:
            self.bpmn_type = DEFAULT_BPMN_TYPE[self.kind]
        if self.kind == "pool" and hidden_in_file(self.kind, self.x, self.y, self.w, self.h,
                                                  self.extra):
            self.w = self.h = 0.0  # what the file says (it is not drawn)
        elif self.w <= 0 or self.h <= 0:
            dw, dh = DEFAULT_SIZES[self.kind]
            self.w = self.w if self.w > 0 else dw
            self.h = self.h if self.h > 0 else dh

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2.0, self.y + self.h / 2.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "kind": self.kind, "bpmn_type": self.bpmn_type, "name": self.name,
            "x": self.x, "y": self.y, "w": self.w, "h": self.h, "lane": self.lane,
            "parent": self.parent, "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Node:
        return cls(
            key=str(d["key"]), kind=d["kind"], bpmn_type=d.get("bpmn_type") or "",
            name=d.get("name") or "", x=float(d.get("x") or 0), y=float(d.get("y") or 0),
            w=float(d.get("w") or 0), h=float(d.get("h") or 0), lane=d.get("lane"),
            parent=d.get("parent"), extra=dict(d.get("extra") or {}),
        )


@dataclass(slots=True)
class Edge:
    """A connector. ``source``/``target`` are node keys (an association may also point at an
    edge key, e.g. an annotation attached to a sequence flow)."""

    key: str
    source: str
    target: str
    kind: str = "sequence"
    label: str = ""
    condition: str = ""
    waypoints: list[tuple[float, float]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EDGE_KINDS:
            raise ValueError(f"Unknown edge kind {self.kind!r}; use one of {', '.join(EDGE_KINDS)}.")
        self.waypoints = [(float(p[0]), float(p[1])) for p in self.waypoints]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "source": self.source, "target": self.target, "kind": self.kind,
            "label": self.label, "condition": self.condition,
            "waypoints": [[x, y] for x, y in self.waypoints], "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Edge:
        return cls(
            key=str(d["key"]), source=str(d["source"]), target=str(d["target"]),
            kind=d.get("kind") or "sequence", label=d.get("label") or "",
            condition=d.get("condition") or "",
            waypoints=[(float(p[0]), float(p[1])) for p in d.get("waypoints") or []],
            extra=dict(d.get("extra") or {}),
        )


@dataclass(slots=True)
class Lane:
    """A swimlane (a role). Nodes point at it through ``Node.lane``; ``order`` sorts lanes."""

    key: str
    name: str = ""
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    order: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "name": self.name, "x": self.x, "y": self.y, "w": self.w,
            "h": self.h, "order": self.order, "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Lane:
        return cls(
            key=str(d["key"]), name=d.get("name") or "", x=float(d.get("x") or 0),
            y=float(d.get("y") or 0), w=float(d.get("w") or 0), h=float(d.get("h") or 0),
            order=int(d.get("order") or 0), extra=dict(d.get("extra") or {}),
        )


@dataclass(slots=True)
class ProcessMap:
    """One map: nodes, edges, lanes and file-level data kept for round trips (``extra``)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def nodes_by_key(self) -> dict[str, Node]:
        return {n.key: n for n in self.nodes}

    def edges_by_key(self) -> dict[str, Edge]:
        return {e.key: e for e in self.edges}

    def lanes_by_key(self) -> dict[str, Lane]:
        return {ln.key: ln for ln in self.lanes}

    def node(self, key: str) -> Node | None:
        return next((n for n in self.nodes if n.key == key), None)

    def edge(self, key: str) -> Edge | None:
        return next((e for e in self.edges if e.key == key), None)

    def lane(self, key: str) -> Lane | None:
        return next((ln for ln in self.lanes if ln.key == key), None)

    def children(self, key: str) -> list[Node]:
        """Nodes whose ``parent`` is ``key`` (the content of a sub-process)."""
        return [n for n in self.nodes if n.parent == key]

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(x, y, w, h) enclosing every node and lane, or ``None`` for an empty map."""
        boxes = [(n.x, n.y, n.x + n.w, n.y + n.h) for n in self.nodes]
        boxes += [(ln.x, ln.y, ln.x + ln.w, ln.y + ln.h) for ln in self.lanes if ln.w and ln.h]
        for e in self.edges:
            boxes += [(px, py, px, py) for px, py in e.waypoints]
        if not boxes:
            return None
        x0 = min(b[0] for b in boxes)
        y0 = min(b[1] for b in boxes)
        return (x0, y0, max(b[2] for b in boxes) - x0, max(b[3] for b in boxes) - y0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
            "lanes": [ln.to_dict() for ln in self.lanes],
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ProcessMap:
        return cls(
            nodes=[Node.from_dict(x) for x in d.get("nodes") or []],
            edges=[Edge.from_dict(x) for x in d.get("edges") or []],
            lanes=[Lane.from_dict(x) for x in d.get("lanes") or []],
            extra=dict(d.get("extra") or {}),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_json(cls, text: str) -> ProcessMap:
        return cls.from_dict(json.loads(text))


def hidden_in_file(kind: str, x: float, y: float, w: float, h: float,
                   extra: Mapping[str, Any] | None) -> bool:
    """Whether a shape is a pool its imported file gives no size (Bizagi's hidden 0×0 pool)
    and that was not resized since: its size is still 0×0 (or, as a map stored by an earlier
    version holds it, the default pool size at the file's position). Such a pool keeps its
    zero size: the map does not draw it and the BPMN export writes 0×0 back."""
    if kind != "pool":
        return False
    b = ((extra or {}).get("di") or {}).get("bounds")
    if not isinstance(b, (list, tuple)) or len(b) != 4:
        return False
    try:
        bx, by, bw, bh = (float(v) for v in b)
    except (TypeError, ValueError):
        return False
    if bw or bh:
        return False
    if w <= 0 and h <= 0:
        return True
    return ((w, h) == DEFAULT_SIZES["pool"] and abs(x - bx) < 1e-6 and abs(y - by) < 1e-6)


def attached_to(node: Node) -> str | None:
    """Key of the activity a boundary event is attached to (BPMN ``attachedToRef``)."""
    attrs = (node.extra.get("bpmn") or {}).get("attrs") or {}
    ref = attrs.get("attachedToRef")
    return ref or None


def effective_lane(pm: ProcessMap, key: str, _nodes: Mapping[str, Node] | None = None) -> str | None:
    """The lane of a node, inherited from its enclosing sub-processes when it has none."""
    nodes = _nodes if _nodes is not None else pm.nodes_by_key()
    seen: set[str] = set()
    node = nodes.get(key)
    while node is not None and node.key not in seen:
        if node.lane:
            return node.lane
        seen.add(node.key)
        node = nodes.get(node.parent) if node.parent else None
    return None


def is_expanded(pm: ProcessMap, node: Node, _children: Mapping[str, list[Node]] | None = None) -> bool:
    """Whether a sub-process is drawn open, with its content inside it (BPMN ``isExpanded``)."""
    if node.kind != "subprocess":
        return False
    di = node.extra.get("di") or {}
    flag = (di.get("attrs") or {}).get("isExpanded")
    if flag is not None:
        return str(flag).lower() == "true"
    kids = _children.get(node.key, []) if _children is not None else pm.children(node.key)
    if not kids:
        return False
    diag = di.get("diagram")
    kid_diag = (kids[0].extra.get("di") or {}).get("diagram")
    if diag is not None and kid_diag is not None:
        return diag == kid_diag
    return True


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

#: Codes :func:`validate` can report, in the order they are listed.
ISSUE_CODES = ("dangling_edge", "no_start", "unreachable", "dead_end", "decision_exits", "no_role")


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding of :func:`validate`; ``node``/``edge`` is the key to select in the editor."""

    code: str
    message: str
    node: str | None = None
    edge: str | None = None
    severity: str = "warning"


def _label(node: Node) -> str:
    name = " ".join(node.name.split())
    if name:
        return f"'{name}'"
    return f"The unnamed {node.kind} {node.key}"


def _is_compensation(node: Node) -> bool:
    attrs = (node.extra.get("bpmn") or {}).get("attrs") or {}
    return str(attrs.get("isForCompensation", "")).lower() == "true"


def validate(
    pm: ProcessMap,
    *,
    roles: Mapping[str, Any] | Callable[[Node], bool] | None = None,
) -> list[Issue]:
    """Check a map and list what a quality lead should fix, most serious first.

    * ``dangling_edge`` — a connector whose end is missing (error);
    * ``no_start`` — flow steps but no start event;
    * ``unreachable`` — a flow node that no path from a start reaches (without a start event,
      the nodes that have no incoming flow act as starts);
    * ``dead_end`` — a flow node other than an end event without an outgoing sequence flow;
    * ``decision_exits`` — a decision with fewer than two exits (merging gateways, with two or
      more entries and one exit, are fine);
    * ``no_role`` — a step or sub-process with no lane (itself or via its sub-process) and no
      responsible role.

    ``roles`` tells which nodes have a responsible role outside lanes: a mapping from node key to
    anything truthy, or a predicate; ``Node.extra["role"]`` counts too. Compensation handlers
    (``isForCompensation``) are exempt from the flow checks, as BPMN draws them unconnected.
    """
    nodes = pm.nodes_by_key()
    edge_keys = {e.key for e in pm.edges}
    issues: list[Issue] = []

    out_seq: dict[str, list[Edge]] = {k: [] for k in nodes}
    in_seq: dict[str, list[Edge]] = {k: [] for k in nodes}
    for e in pm.edges:
        src_ok = e.source in nodes or (e.kind == "association" and e.source in edge_keys)
        tgt_ok = e.target in nodes or (e.kind == "association" and e.target in edge_keys)
        if not (src_ok and tgt_ok):
            missing = e.source if not src_ok else e.target
            what = f"'{e.label}'" if e.label else f"{e.key}"
            issues.append(Issue(
                "dangling_edge",
                f"The connector {what} points to {missing}, which is not on the map; reconnect or delete it.",
                edge=e.key, severity="error",
            ))
            continue
        if e.kind == "sequence":
            out_seq[e.source].append(e)
            in_seq[e.target].append(e)

    flow = [n for n in pm.nodes if n.kind in FLOW_KINDS and not _is_compensation(n)]
    starts = [n for n in flow if n.kind == "start"]
    if flow and not starts:
        issues.append(Issue("no_start", "The map has no start event; add one where the process begins."))

    # Reachability over sequence flows, into sub-processes and onto boundary events.
    children: dict[str, list[Node]] = {}
    boundary: dict[str, list[Node]] = {}
    for n in pm.nodes:
        if n.parent:
            children.setdefault(n.parent, []).append(n)
        host = attached_to(n)
        if host:
            boundary.setdefault(host, []).append(n)

    def _roots(members: Iterable[Node]) -> list[Node]:
        members = [m for m in members if m.kind in FLOW_KINDS and not _is_compensation(m)
                   and not attached_to(m)]
        st = [m for m in members if m.kind == "start"]
        if st:
            return st
        return [m for m in members if not in_seq[m.key]]

    top = [n for n in pm.nodes if not n.parent or n.parent not in nodes]
    reached: set[str] = set()
    stack = [n.key for n in _roots(top)]
    while stack:
        k = stack.pop()
        if k in reached:
            continue
        reached.add(k)
        for e in out_seq[k]:
            stack.append(e.target)
        for b in boundary.get(k, ()):
            stack.append(b.key)
        if k in children:
            stack.extend(c.key for c in _roots(children[k]))

    for n in flow:
        if n.key in reached:
            continue
        if n.parent and n.parent in nodes and n.parent not in reached:
            continue  # its sub-process is already reported
        issues.append(Issue(
            "unreachable",
            f"{_label(n)} cannot be reached from a start event; connect it or remove it.",
            node=n.key,
        ))

    for n in flow:
        if n.kind == "end" or out_seq[n.key]:
            continue
        issues.append(Issue(
            "dead_end",
            f"{_label(n)} has no outgoing flow; connect it to the next step or to an end event.",
            node=n.key,
        ))

    for n in pm.nodes:
        if n.kind != "decision":
            continue
        exits = len(out_seq[n.key])
        if exits < 2 and len(in_seq[n.key]) < 2:
            issues.append(Issue(
                "decision_exits",
                f"Decision {_label(n)} has {exits} exit{'s' if exits != 1 else ''}; "
                "a decision needs at least two labelled exits.",
                node=n.key,
            ))

    def _has_role(n: Node) -> bool:
        if effective_lane(pm, n.key, nodes) or n.extra.get("role"):
            return True
        if roles is None:
            return False
        if callable(roles):
            return bool(roles(n))
        return bool(roles.get(n.key))

    for n in pm.nodes:
        if n.kind in ("step", "subprocess") and not _has_role(n):
            issues.append(Issue(
                "no_role",
                f"{_label(n)} has no responsible role; move it into a lane or assign a role.",
                node=n.key,
            ))

    rank = {c: i for i, c in enumerate(ISSUE_CODES)}
    return sorted(issues, key=lambda i: rank.get(i.code, len(rank)))


# --------------------------------------------------------------------------------------------
# Automatic layout (layered, Sugiyama style, lanes respected)
# --------------------------------------------------------------------------------------------

LAYER_GAP = 60.0  # free space between two layers, along the flow
NODE_GAP = 40.0  # free space between two nodes of a layer, across the flow
LANE_HEADER = 30.0  # title band of a lane or pool
LANE_PAD = 30.0  # free space inside a lane, across the flow
FLOW_PAD = 50.0  # free space before the first and after the last layer
CHILD_PAD = 30.0  # free space inside an expanded sub-process
_MAX_DUMMIES = 30000


@dataclass(slots=True)
class MapLayout:
    """Result of :func:`layout_map`: new top-left positions (and sizes where they change)."""

    nodes: dict[str, tuple[float, float]] = field(default_factory=dict)
    sizes: dict[str, tuple[float, float]] = field(default_factory=dict)
    lanes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    edges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


@dataclass(slots=True)
class _Graph:
    """A layered graph of layout units; index-based for speed."""

    ids: list[str]
    width: list[float]  # extent across the flow
    depth: list[float]  # extent along the flow
    band: list[int]  # lane band index
    succ: list[list[int]]
    pred: list[list[int]]


def _break_cycles(n: int, succ: list[list[int]], prefer: list[int]) -> list[list[int]]:
    """Return an acyclic successor list by reversing DFS back edges (iterative DFS)."""
    state = [0] * n  # 0 new, 1 on stack, 2 done
    acyclic: list[list[int]] = [[] for _ in range(n)]
    order = prefer + [i for i in range(n) if i not in set(prefer)]
    for root in order:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, 0)]
        while stack:
            v, i = stack[-1]
            if i < len(succ[v]):
                stack[-1] = (v, i + 1)
                w = succ[v][i]
                if state[w] == 1:
                    acyclic[w].append(v)  # back edge: reverse it
                elif state[w] == 0:
                    acyclic[v].append(w)
                    state[w] = 1
                    stack.append((w, 0))
                else:
                    acyclic[v].append(w)
            else:
                state[v] = 2
                stack.pop()
    for v in range(n):
        acyclic[v] = list(dict.fromkeys(acyclic[v]))
    return acyclic


def _layers(n: int, succ: list[list[int]]) -> list[int]:
    """Longest-path layering of an acyclic graph (sources in layer 0)."""
    indeg = [0] * n
    for v in range(n):
        for w in succ[v]:
            indeg[w] += 1
    layer = [0] * n
    queue = [v for v in range(n) if indeg[v] == 0]
    head = 0
    while head < len(queue):
        v = queue[head]
        head += 1
        for w in succ[v]:
            if layer[v] + 1 > layer[w]:
                layer[w] = layer[v] + 1
            indeg[w] -= 1
            if indeg[w] == 0:
                queue.append(w)
    return layer


def _layout_graph(g: _Graph, n_bands: int, band_order_key: list[int]) -> tuple[
    list[float], list[float], list[float], list[float], dict[tuple[int, int], list[tuple[float, float]]]
]:
    """Layer, order and place the units. Returns (flow pos, cross pos, band starts, band sizes,
    bend points per original (u, v) pair) where positions are the unit's top/left corner along
    the flow and across it, band starts/sizes across the flow, and bends are (flow, cross)."""
    n = len(g.ids)
    sources = [v for v in range(n) if not g.pred[v]]
    dag = _break_cycles(n, g.succ, sources)
    layer = _layers(n, dag)
    n_layers = (max(layer) + 1) if n else 0

    # Real units plus dummies for long edges.
    band = list(g.band)
    width = list(g.width)
    depth = list(g.depth)
    lay = list(layer)
    up: list[list[int]] = [[] for _ in range(n)]
    down: list[list[int]] = [[] for _ in range(n)]
    chains: dict[tuple[int, int], list[int]] = {}
    budget = _MAX_DUMMIES
    for v in range(n):
        for w in dag[v]:
            span = lay[w] - lay[v]
            if span <= 1 or span - 1 > budget:
                if span >= 1:
                    down[v].append(w)
                    up[w].append(v)
                continue
            budget -= span - 1
            prev = v
            chain = []
            for k in range(1, span):
                d = len(band)
                band.append(band[v] if k < span / 2 else band[w])
                width.append(0.0)
                depth.append(0.0)
                lay.append(lay[v] + k)
                up.append([prev])
                down.append([])
                down[prev].append(d)
                chain.append(d)
                prev = d
            down[prev].append(w)
            up[w].append(prev)
            chains[(v, w)] = chain
    total = len(band)

    rows: list[list[int]] = [[] for _ in range(n_layers)]
    for v in range(total):
        rows[lay[v]].append(v)
    bk = [band_order_key[b] for b in band]
    pos = [0.0] * total
    for row in rows:
        row.sort(key=lambda v: (bk[v], v))
        for i, v in enumerate(row):
            pos[v] = float(i)

    # Crossing reduction: barycentre sweeps, lanes kept contiguous by the primary sort key.
    def sweep(rows_iter: Iterable[list[int]], nbrs: list[list[int]]) -> None:
        for row in rows_iter:
            keyed = []
            for v in row:
                ns = nbrs[v]
                if not ns:
                    b = pos[v]
                elif len(ns) == 1:
                    b = pos[ns[0]]
                else:
                    b = sum([pos[u] for u in ns]) / len(ns)
                keyed.append((bk[v], b, v))
            keyed.sort()
            for i, t in enumerate(keyed):
                v = t[2]
                row[i] = v
                pos[v] = float(i)

    # Fewer sweeps on very large graphs keep the layout well under half a second.
    sweeps = 4 if total <= 12000 else (2 if total <= 40000 else 1)
    for _ in range(sweeps):
        sweep(rows[1:], up)
        sweep(reversed(rows[:-1]), down)

    # Coordinates along the flow: one slot per layer, as deep as its deepest unit.
    layer_depth = [0.0] * n_layers
    for v in range(total):
        if depth[v] > layer_depth[lay[v]]:
            layer_depth[lay[v]] = depth[v]
    layer_start = [0.0] * n_layers
    acc = FLOW_PAD
    for i in range(n_layers):
        layer_start[i] = acc
        acc += max(layer_depth[i], 1.0) + LAYER_GAP
    flow = [0.0] * total
    for v in range(total):
        flow[v] = layer_start[lay[v]] + (layer_depth[lay[v]] - depth[v]) / 2.0

    # Coordinates across the flow, inside each band: each unit goes to the barycentre of the
    # units above it (same band), without breaking the order or the spacing; each band is then
    # shifted so that its first unit sits at the lane's inner margin.
    cross = [0.0] * total
    for row in rows:
        by_band: dict[int, list[int]] = {}
        for v in row:
            by_band.setdefault(band[v], []).append(v)
        for b, members in by_band.items():
            cursor: float | None = None
            for v in members:
                ref = [u for u in up[v] if band[u] == b and lay[u] < lay[v]]
                if ref:
                    centre = sum(cross[u] + width[u] / 2.0 for u in ref) / len(ref)
                    want = centre - width[v] / 2.0
                    if cursor is not None and want < cursor:
                        want = cursor
                else:
                    want = cursor if cursor is not None else 0.0
                cross[v] = want
                cursor = want + width[v] + (NODE_GAP if width[v] > 0 else NODE_GAP / 2.0)
    low = [math.inf] * n_bands
    high = [-math.inf] * n_bands
    for v in range(total):
        b = band[v]
        if cross[v] < low[b]:
            low[b] = cross[v]
        if cross[v] + width[v] > high[b]:
            high[b] = cross[v] + width[v]
    band_extent = [0.0] * n_bands
    for b in range(n_bands):
        if low[b] != math.inf:
            band_extent[b] = high[b] - low[b] + 2 * LANE_PAD
    for v in range(total):
        cross[v] += LANE_PAD - low[band[v]]
    band_size = [max(e, 2 * LANE_PAD + 40.0) for e in band_extent]
    band_start = [0.0] * n_bands
    acc = 0.0
    for b in sorted(range(n_bands), key=lambda b: band_order_key[b]):
        band_start[b] = acc
        acc += band_size[b]

    bends: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for (v, w), chain in chains.items():
        bends[(v, w)] = [
            (flow[d], band_start[band[d]] + cross[d]) for d in chain
        ]
    return flow[:n], cross[:n], band_start, band_size, bends


def _edge_units(pm: ProcessMap, unit_of: Mapping[str, str]) -> list[tuple[str, str, str]]:
    out = []
    for e in pm.edges:
        if e.kind == "message":
            continue
        s, t = unit_of.get(e.source), unit_of.get(e.target)
        if s is None or t is None or s == t:
            continue
        out.append((e.key, s, t))
    return out


def _ortho(points: list[tuple[float, float]], vertical: bool) -> list[tuple[float, float]]:
    """Insert corners so that every segment is horizontal or vertical (Z-shaped steps whose
    middle segment runs across the main direction), then drop repeated and collinear points."""
    out: list[tuple[float, float]] = [points[0]]
    for q in points[1:]:
        p = out[-1]
        if abs(p[0] - q[0]) > 0.5 and abs(p[1] - q[1]) > 0.5:
            if vertical:
                m = (p[1] + q[1]) / 2.0
                out += [(p[0], m), (q[0], m)]
            else:
                m = (p[0] + q[0]) / 2.0
                out += [(m, p[1]), (m, q[1])]
        out.append(q)
    clean: list[tuple[float, float]] = []
    for pt in out:
        if clean and abs(clean[-1][0] - pt[0]) < 0.01 and abs(clean[-1][1] - pt[1]) < 0.01:
            continue
        if len(clean) >= 2:
            a, b = clean[-2], clean[-1]
            if (abs(a[0] - b[0]) < 0.01 and abs(b[0] - pt[0]) < 0.01) or (
                abs(a[1] - b[1]) < 0.01 and abs(b[1] - pt[1]) < 0.01
            ):
                clean[-1] = pt
                continue
        clean.append(pt)
    if len(clean) == 1:
        clean.append(clean[0])
    return clean


def route_edge(
    src: tuple[float, float, float, float],
    tgt: tuple[float, float, float, float],
    direction: str = "LR",
    bends: Iterable[tuple[float, float]] = (),
) -> list[tuple[float, float]]:
    """Orthogonal waypoints from box ``src`` to box ``tgt`` (each ``(x, y, w, h)``), through
    optional ``bends`` (absolute points). The first and last points lie on the box borders.
    Forward connectors leave by the side facing the flow; backward ones go around the boxes."""
    sx, sy, sw, sh = src
    tx, ty, tw, th = tgt
    scx, scy = sx + sw / 2.0, sy + sh / 2.0
    tcx, tcy = tx + tw / 2.0, ty + th / 2.0
    tb = direction == "TB"
    if tb:
        if ty >= sy + sh - 0.5:
            return _ortho([(scx, sy + sh), *bends, (tcx, ty)], True)
        if ty < sy + sh and ty + th > sy:  # side by side
            if tcx >= scx:
                return _ortho([(sx + sw, scy), (tx, tcy)], False)
            return _ortho([(sx, scy), (tx + tw, tcy)], False)
        out = max(sx + sw, tx + tw) + 25.0
        return _ortho([(sx + sw, scy), (out, scy), (out, tcy), (tx + tw, tcy)], False)
    if tx >= sx + sw - 0.5:
        return _ortho([(sx + sw, scy), *bends, (tx, tcy)], False)
    if tx < sx + sw and tx + tw > sx:  # one above the other
        if tcy >= scy:
            return _ortho([(scx, sy + sh), (tcx, ty)], True)
        return _ortho([(scx, sy), (tcx, ty + th)], True)
    out = max(sy + sh, ty + th) + 25.0
    return _ortho([(scx, sy + sh), (scx, out), (tcx, out), (tcx, ty + th)], True)


def route_candidates(
    src: tuple[float, float, float, float],
    tgt: tuple[float, float, float, float],
    direction: str = "LR",
    *,
    from_decision: bool = False,
    clearance: float = 18.0,
) -> list[list[tuple[float, float]]]:
    """Orthogonal routes from box ``src`` to box ``tgt``, in order of preference: the one
    :func:`route_edge` draws first, then detours (other sides, round the top or the bottom of
    both boxes) for when it runs through another shape. A decision's exits prefer its top or
    bottom corner over the corner its flow comes in by."""
    if direction == "TB":  # the same routes with the axes swapped
        t = lambda b: (b[1], b[0], b[3], b[2])  # noqa: E731
        return [[(y, x) for x, y in c] for c in route_candidates(
            t(src), t(tgt), "LR", from_decision=from_decision, clearance=clearance)]
    out = [route_edge(src, tgt, "LR")]
    ax, ay, aw, ah = src
    bx, by, bw, bh = tgt
    acx, acy, bcx, bcy = ax + aw / 2, ay + ah / 2, bx + bw / 2, by + bh / 2
    down = bcy > acy
    a_out = ay + ah if down else ay          # src's bottom (or top) towards tgt
    b_in = by if down else by + bh           # tgt's top (or bottom) facing src
    top = min(ay, by) - clearance
    bottom = max(ay + ah, by + bh) + clearance
    if bx >= ax + aw:  # forward
        corner = [(acx, a_out), (acx, bcy), (bx, bcy)]
        if from_decision:
            out.append(corner)
        for mx in (bx - 20.0, ax + aw + 20.0):
            out.append(_ortho([(ax + aw, acy), (mx, acy), (mx, bcy), (bx, bcy)], False))
        if not from_decision:
            out.append(corner)
        out.append([(ax + aw, acy), (bcx, acy), (bcx, b_in)])
    elif bx + bw <= ax:  # backward: a loop
        out.append([(acx, ay + ah), (acx, bottom), (bcx, bottom), (bcx, by + bh)])
        out.append([(acx, ay), (acx, top), (bcx, top), (bcx, by)])
        out.append([(ax, acy), (bcx, acy), (bcx, b_in)])
        out.append([(acx, a_out), (acx, bcy), (bx + bw, bcy)])
    else:  # one above the other
        side = max(ax + aw, bx + bw) + clearance
        out.append([(ax + aw, acy), (side, acy), (side, bcy), (bx + bw, bcy)])
        side = min(ax, bx) - clearance
        out.append([(ax, acy), (side, acy), (side, bcy), (bx, bcy)])
    out.append([(acx, ay), (acx, top), (bcx, top), (bcx, by)])
    out.append([(acx, ay + ah), (acx, bottom), (bcx, bottom), (bcx, by + bh)])
    clean = []
    for c in out:
        c = _ortho([(float(x), float(y)) for x, y in c], False) if len(c) > 1 else c
        if c not in clean:
            clean.append(c)
    return clean


def layout_map(pm: ProcessMap, direction: str = "TB") -> MapLayout:
    """Compute a layered layout of the whole map, lanes respected.

    ``direction`` is ``"TB"`` (flow downward; lanes become columns, titled on top) or ``"LR"``
    (flow to the right; lanes are rows, titled on the left, the BPMN habit). Cycles are broken
    by reversing back edges. Boundary events travel with their activity; expanded sub-processes
    are laid out inside and grown to fit; pools enclose their lanes. Nothing is changed in ``pm``.
    """
    if direction not in ("TB", "LR"):
        raise ValueError("direction must be 'TB' or 'LR'")
    tb = direction == "TB"
    nodes = pm.nodes_by_key()
    kids: dict[str, list[Node]] = {}
    for n in pm.nodes:
        if n.parent and n.parent in nodes:
            kids.setdefault(n.parent, []).append(n)
    result = MapLayout()
    size: dict[str, tuple[float, float]] = {n.key: (n.w, n.h) for n in pm.nodes}

    def host_of(n: Node) -> str | None:
        h = attached_to(n)
        return h if h and h in nodes and h != n.key else None

    # ---- inner layouts of sub-processes, deepest first (positions relative to the parent) ----
    rel: dict[str, tuple[float, float]] = {}

    def layout_children(parent: Node, seen: frozenset[str]) -> None:
        members = kids.get(parent.key, [])
        if len(seen) < NESTING_LIMIT:
            for m in members:
                if m.key in kids and m.key not in seen:
                    layout_children(m, seen | {m.key})
        units = [m for m in members if not host_of(m)]
        if not units:
            return
        unit_of = {m.key: m.key for m in units}
        for m in members:
            h = host_of(m)
            if h and h in unit_of:
                unit_of[m.key] = h
        flow_pos, cross_pos, _bs, _bz, _bends = _place(units, unit_of, {u.key: 0 for u in units}, 1, [0])
        min_f = min(flow_pos.values())
        min_c = min(cross_pos.values())
        ext_w = ext_h = 0.0
        for u in units:
            f = flow_pos[u.key] - min_f + CHILD_PAD
            c = cross_pos[u.key] - min_c + CHILD_PAD
            px, py = (c, f) if tb else (f, c)
            rel[u.key] = (px, py)
            w, h = size[u.key]
            ext_w = max(ext_w, px + w)
            ext_h = max(ext_h, py + h)
        if is_expanded(pm, parent, kids):
            size[parent.key] = (max(ext_w + CHILD_PAD, 100.0), max(ext_h + CHILD_PAD, 80.0))

    def _place(units: list[Node], unit_of: Mapping[str, str], band_of: Mapping[str, int],
               n_bands: int, band_order: list[int]):
        idx = {u.key: i for i, u in enumerate(units)}
        succ: list[list[int]] = [[] for _ in units]
        pred: list[list[int]] = [[] for _ in units]
        for _k, s, t in _edge_units(pm, unit_of):
            if s in idx and t in idx:
                a, b = idx[s], idx[t]
                if b not in succ[a]:
                    succ[a].append(b)
                    pred[b].append(a)
        g = _Graph(
            ids=[u.key for u in units],
            width=[size[u.key][0] if tb else size[u.key][1] for u in units],
            depth=[size[u.key][1] if tb else size[u.key][0] for u in units],
            band=[band_of[u.key] for u in units],
            succ=succ, pred=pred,
        )
        flow, cross, bstart, bsize, bends = _layout_graph(g, n_bands, band_order)
        fp = {u.key: flow[i] for i, u in enumerate(units)}
        cp = {u.key: bstart[g.band[i]] + cross[i] for i, u in enumerate(units)}
        named_bends = {(units[a].key, units[b].key): pts for (a, b), pts in bends.items()}
        return fp, cp, bstart, bsize, named_bends

    for n in pm.nodes:
        if n.kind == "subprocess" and n.key in kids and (not n.parent or n.parent not in nodes):
            layout_children(n, frozenset({n.key}))

    # ---- lane bands for the top level ----
    lanes = sorted(pm.lanes, key=lambda ln: (ln.order, ln.key))
    lane_keys = {ln.key for ln in lanes}
    lane_parent = {ln.key: (ln.extra.get("parent") if ln.extra.get("parent") in lane_keys else None)
                   for ln in lanes}
    lane_kids: dict[str | None, list[str]] = {}
    for ln in lanes:
        lane_kids.setdefault(lane_parent[ln.key], []).append(ln.key)
    pools = [n for n in pm.nodes if n.kind == "pool"]
    pool_keys = [p.key for p in pools]

    def pool_of_lane(key: str) -> str | None:
        root = key
        while lane_parent.get(root):
            root = lane_parent[root]
        ln = next(x for x in lanes if x.key == root)
        p = ln.extra.get("pool")
        if p in pool_keys:
            return p
        proc = ln.extra.get("process")
        refs = {pool.key: ((pool.extra.get("bpmn") or {}).get("attrs") or {}).get("processRef")
                for pool in pools}
        for pool in pools:
            if proc and refs[pool.key] == proc:
                return pool.key
        # A single pool takes lanes that are not bound elsewhere (maps made in the app).
        if len(pools) == 1 and not (proc and refs[pools[0].key]):
            return pools[0].key
        return None

    leaves: list[str] = []
    depth_of: dict[str, int] = {}

    def walk(key: str, d: int) -> None:
        depth_of[key] = d
        ch = lane_kids.get(key, [])
        if not ch:
            leaves.append(key)
        for c in ch:
            walk(c, d + 1)

    top_lanes = lane_kids.get(None, [])
    pool_rank = {k: i for i, k in enumerate(pool_keys)}
    top_lanes.sort(key=lambda k: (pool_rank.get(pool_of_lane(k) or "", len(pool_rank)),))
    for k in top_lanes:
        walk(k, 0)
    first_leaf: dict[str, str] = {}
    for leaf in leaves:
        k: str | None = leaf
        while k is not None:
            first_leaf.setdefault(k, leaf)
            k = lane_parent.get(k)

    band_index = {leaf: i for i, leaf in enumerate(leaves)}
    free_band = len(leaves)
    n_bands = len(leaves) + 1
    band_order = list(range(n_bands))

    top_units = [n for n in pm.nodes
                 if n.kind != "pool" and (not n.parent or n.parent not in nodes) and not host_of(n)]
    unit_of: dict[str, str] = {}
    for n in pm.nodes:
        k = n.key
        seen: set[str] = set()
        while k not in seen:
            seen.add(k)
            node = nodes[k]
            h = host_of(node)
            if h:
                k = h
                continue
            if node.parent and node.parent in nodes:
                k = node.parent
                continue
            break
        unit_of[n.key] = k
    band_of: dict[str, int] = {}
    for u in top_units:
        ln = effective_lane(pm, u.key, nodes)
        band_of[u.key] = band_index[first_leaf[ln]] if ln in first_leaf else free_band

    flow_pos, cross_pos, bstart, bsize, bends = (
        _place(top_units, unit_of, band_of, n_bands, band_order) if top_units
        else ({}, {}, [0.0] * n_bands, [0.0] * n_bands, {})
    )

    # Offsets: lane titles (and the pool title) sit before the content, across the flow axis.
    max_depth = max(depth_of.values(), default=-1) + 1
    title = LANE_HEADER * (max_depth + (1 if pools and leaves else 0))
    flow_len = 0.0
    for u in top_units:
        d = size[u.key][1] if tb else size[u.key][0]
        flow_len = max(flow_len, flow_pos[u.key] + d)
    flow_len += FLOW_PAD
    offset_flow = title  # lane titles sit at the start of the flow axis (top in TB, left in LR)

    for u in top_units:
        f = flow_pos[u.key] + offset_flow
        c = cross_pos[u.key]
        result.nodes[u.key] = (c, f) if tb else (f, c)

    # Lanes: leaf bands, parents enclose their leaves, pools enclose their lanes.
    def band_rect(b: int, lead: float) -> tuple[float, float, float, float]:
        # lead = distance from the map's title edge to where this lane's own title starts
        c0, cs = bstart[b], bsize[b]
        f0, fl = lead, offset_flow - lead + flow_len
        return (c0, f0, cs, fl) if tb else (f0, c0, fl, cs)

    pool_title = LANE_HEADER if (pools and leaves) else 0.0
    for key in leaves:
        result.lanes[key] = band_rect(band_index[key], pool_title + LANE_HEADER * depth_of[key])

    def lane_box(key: str) -> tuple[float, float, float, float]:
        if key in result.lanes:
            return result.lanes[key]
        boxes = [lane_box(c) for c in lane_kids.get(key, [])]
        lead = pool_title + LANE_HEADER * depth_of[key]
        c0 = min(b[0] if tb else b[1] for b in boxes)
        c1 = max((b[0] + b[2]) if tb else (b[1] + b[3]) for b in boxes)
        fl = offset_flow - lead + flow_len
        rect = (c0, lead, c1 - c0, fl) if tb else (lead, c0, fl, c1 - c0)
        result.lanes[key] = rect
        return rect

    for key in top_lanes:
        lane_box(key)

    # Pools: around their lanes (or their process' nodes), else keep a default band.
    cursor_cross = (bstart[free_band] + bsize[free_band]) if n_bands else 0.0
    for p in pools:
        mine = [k for k in top_lanes if pool_of_lane(k) == p.key]
        if mine:
            boxes = [result.lanes[k] for k in mine]
            c0 = min(b[0] if tb else b[1] for b in boxes)
            c1 = max((b[0] + b[2]) if tb else (b[1] + b[3]) for b in boxes)
            fl = offset_flow + flow_len
            rect = (c0, 0.0, c1 - c0, fl) if tb else (0.0, c0, fl, c1 - c0)
        else:
            proc = ((p.extra.get("bpmn") or {}).get("attrs") or {}).get("processRef")
            inside = [u for u in top_units
                      if proc and u.extra.get("process") == proc and u.key in result.nodes]
            if inside:
                xs = [result.nodes[u.key][0] for u in inside]
                ys = [result.nodes[u.key][1] for u in inside]
                x1 = max(result.nodes[u.key][0] + size[u.key][0] for u in inside)
                y1 = max(result.nodes[u.key][1] + size[u.key][1] for u in inside)
                rect = (min(xs) - LANE_PAD - (0 if tb else LANE_HEADER),
                        min(ys) - LANE_PAD - (LANE_HEADER if tb else 0),
                        x1 - min(xs) + 2 * LANE_PAD + (0 if tb else LANE_HEADER),
                        y1 - min(ys) + 2 * LANE_PAD + (LANE_HEADER if tb else 0))
            else:
                w, h = p.w, p.h
                if tb:
                    rect = (cursor_cross + NODE_GAP, 0.0, w, h)
                    cursor_cross += NODE_GAP + w
                else:
                    rect = (0.0, cursor_cross + NODE_GAP, w, h)
                    cursor_cross += NODE_GAP + h
        result.nodes[p.key] = (rect[0], rect[1])
        if (rect[2], rect[3]) != (p.w, p.h):
            result.sizes[p.key] = (rect[2], rect[3])

    # Children follow their expanded sub-process; the content of a collapsed one is drawn on its
    # own plane (BPMN drill-down), from that plane's origin. Boundary events follow their activity.
    def place_children(parent_key: str, depth: int = 1) -> None:
        if depth > NESTING_LIMIT:
            return
        if is_expanded(pm, nodes[parent_key], kids):
            px, py = result.nodes[parent_key]
        else:
            px, py = 0.0, 0.0
        for c in kids.get(parent_key, []):
            if c.key in rel:
                rx, ry = rel[c.key]
                result.nodes[c.key] = (px + rx, py + ry)
            elif c.key not in result.nodes and not host_of(c):
                result.nodes[c.key] = (px + CHILD_PAD, py + CHILD_PAD)
            if c.key in kids:
                place_children(c.key, depth + 1)

    for u in top_units:
        if u.key in kids:
            place_children(u.key)
    for n in pm.nodes:
        if n.key in result.nodes:
            continue
        h = host_of(n)
        if h and h in result.nodes:
            host = nodes[h]
            hx, hy = result.nodes[h]
            dx = n.x - host.x
            dy = n.y - host.y
            hw, hh = size[h]
            dx = min(max(dx, -n.w / 2.0), hw - n.w / 2.0)
            dy = min(max(dy, -n.h / 2.0), hh - n.h / 2.0)
            result.nodes[n.key] = (hx + dx, hy + dy)
        else:
            result.nodes[n.key] = (n.x, n.y)
    for key, wh in size.items():
        node = nodes[key]
        if node.kind != "pool" and wh != (node.w, node.h):
            result.sizes[key] = wh

    # Connectors: orthogonal routes, through the dummy points of long edges.
    def box(key: str) -> tuple[float, float, float, float] | None:
        if key not in result.nodes:
            return None
        x, y = result.nodes[key]
        w, h = result.sizes.get(key, size.get(key, (0.0, 0.0)))
        return (x, y, w, h)

    for e in pm.edges:
        sb, tbx = box(e.source), box(e.target)
        if sb is None or tbx is None:
            continue
        pts: list[tuple[float, float]] = []
        s_unit, t_unit = unit_of.get(e.source), unit_of.get(e.target)
        for key in ((s_unit, t_unit), (t_unit, s_unit)):
            if key in bends:
                raw = bends[key]
                if key[0] != s_unit:
                    raw = list(reversed(raw))
                for f, c in raw:
                    f += offset_flow
                    pts.append((c, f) if tb else (f, c))
                break
        result.edges[e.key] = route_edge(sb, tbx, direction, pts)
    return result


def auto_layout(pm: ProcessMap, direction: str = "TB") -> dict[str, tuple[float, float]]:
    """New top-left ``(x, y)`` of every node for a layered layout (see :func:`layout_map`,
    which also gives lane rectangles, grown sizes and connector routes)."""
    return layout_map(pm, direction).nodes


def apply_layout(pm: ProcessMap, layout: MapLayout) -> None:
    """Write a :class:`MapLayout` into the map (positions, sizes, lanes and waypoints)."""
    for n in pm.nodes:
        if n.key in layout.nodes:
            n.x, n.y = layout.nodes[n.key]
        if n.key in layout.sizes:
            n.w, n.h = layout.sizes[n.key]
    for ln in pm.lanes:
        if ln.key in layout.lanes:
            ln.x, ln.y, ln.w, ln.h = layout.lanes[ln.key]
    for e in pm.edges:
        if e.key in layout.edges:
            e.waypoints = [(float(x), float(y)) for x, y in layout.edges[e.key]]
