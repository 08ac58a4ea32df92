"""The process-map model: dataclasses, validation rules and the automatic layout."""

from __future__ import annotations

import json
import random

import pytest

from qms_desktop.core.processmap import (
    ISSUE_CODES,
    DEFAULT_SIZES,
    NODE_KINDS,
    Edge,
    Lane,
    Node,
    ProcessMap,
    apply_layout,
    auto_layout,
    effective_lane,
    layout_map,
    route_edge,
    validate,
)

# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


def test_node_defaults_and_kinds():
    n = Node("a", "decision")
    assert (n.w, n.h) == DEFAULT_SIZES["decision"] and n.bpmn_type == "exclusiveGateway"
    assert Node("b", "step", w=200).w == 200 and Node("b", "step", w=200).h == 80
    assert "pool" in NODE_KINDS and "record" in NODE_KINDS
    with pytest.raises(ValueError, match="Unknown node kind"):
        Node("x", "blob")
    with pytest.raises(ValueError, match="Unknown edge kind"):
        Edge("e", "a", "b", kind="dotted")


def test_map_json_round_trip_and_lookups():
    pm = ProcessMap(
        nodes=[Node("s", "start", x=1, y=2, lane="L", extra={"di": {"x": [1, 2]}}),
               Node("t", "step", name="Tâche", parent=None)],
        edges=[Edge("e", "s", "t", label="go", condition="x > 1", waypoints=[(1, 2), (3.5, 4)])],
        lanes=[Lane("L", "Sales", 0, 0, 500, 100, 0, {"k": None})],
        extra={"bpmn": {"root": []}},
    )
    back = ProcessMap.from_json(pm.to_json())
    assert back == pm
    assert back.edges[0].waypoints == [(1.0, 2.0), (3.5, 4.0)]
    assert pm.node("t").name == "Tâche" and pm.edge("e").label == "go" and pm.lane("L").name == "Sales"
    assert pm.node("zz") is None
    assert pm.bounds() == (0.0, 0.0, 500.0, 100.0)
    json.dumps(pm.to_dict())


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _flow(*pairs: tuple[str, str], kinds: dict[str, str] | None = None, lanes: bool = True,
          labels: dict[str, str] | None = None) -> ProcessMap:
    keys: list[str] = []
    for a, b in pairs:
        for k in (a, b):
            if k not in keys:
                keys.append(k)
    kinds = kinds or {}
    nodes = [Node(k, kinds.get(k, "start" if k == "s" else "end" if k == "e" else "step"),
                  name=(labels or {}).get(k, k.upper()), lane="L" if lanes else None) for k in keys]
    edges = [Edge(f"{a}>{b}", a, b) for a, b in pairs]
    return ProcessMap(nodes=nodes, edges=edges, lanes=[Lane("L", "Clerk")])


def codes(issues):
    return [(i.code, i.node or i.edge) for i in issues]


def test_a_clean_map_has_no_issues():
    pm = _flow(("s", "a"), ("a", "d"), ("d", "b"), ("d", "e"), ("b", "e"), kinds={"d": "decision"})
    assert validate(pm) == []


def test_unreachable_dead_end_and_decision_exits():
    pm = _flow(("s", "a"), ("a", "d"), ("d", "e"), ("x", "y"), kinds={"d": "decision", "y": "end"})
    pm.nodes.append(Node("lonely", "step", name="Lonely", lane="L"))
    found = codes(validate(pm))
    assert ("unreachable", "x") in found and ("unreachable", "lonely") in found
    assert ("dead_end", "lonely") in found
    assert ("decision_exits", "d") in found
    assert ("dead_end", "e") not in found and ("unreachable", "a") not in found
    # 'y' is an end event of the island: unreachable, but not a dead end.
    assert ("unreachable", "y") in found and ("dead_end", "y") not in found
    msg = next(i for i in validate(pm) if i.code == "decision_exits").message
    assert msg.startswith("Decision 'D' has 1 exit;")


def test_merging_gateway_is_not_flagged():
    pm = _flow(("s", "d1"), ("d1", "a"), ("d1", "b"), ("a", "m"), ("b", "m"), ("m", "e"),
               kinds={"d1": "decision", "m": "decision"})
    assert validate(pm) == []


def test_missing_roles_via_lanes_parents_roles_and_extra():
    pm = _flow(("s", "a"), ("a", "b"), ("b", "c"), ("c", "e"), lanes=False)
    assert [c for c in codes(validate(pm)) if c[0] == "no_role"] == [
        ("no_role", "a"), ("no_role", "b"), ("no_role", "c")]
    pm.node("a").lane = "L"
    pm.node("b").extra["role"] = "role-7"
    found = codes(validate(pm, roles={"c": 3}))
    assert not [c for c in found if c[0] == "no_role"]
    assert [c for c in codes(validate(pm, roles=lambda n: n.key == "x")) if c[0] == "no_role"] == [
        ("no_role", "c")]
    # Events and decisions need no role; sub-process content inherits the sub-process lane.
    sub = ProcessMap(
        nodes=[Node("s", "start"), Node("p", "subprocess", lane="L"), Node("e", "end"),
               Node("ps", "start", parent="p"), Node("pt", "step", parent="p"),
               Node("pe", "end", parent="p")],
        edges=[Edge("1", "s", "p"), Edge("2", "p", "e"), Edge("3", "ps", "pt"), Edge("4", "pt", "pe")],
        lanes=[Lane("L", "Lab")],
    )
    assert validate(sub) == []
    assert effective_lane(sub, "pt") == "L"


def test_no_start_dangling_edges_and_ordering():
    pm = ProcessMap(nodes=[Node("a", "step", lane="L"), Node("b", "step", lane="L"),
                           Node("e", "end", lane="L")],
                    edges=[Edge("1", "a", "b"), Edge("2", "b", "e"), Edge("3", "b", "ghost")],
                    lanes=[Lane("L")])
    issues = validate(pm)
    assert codes(issues) == [("dangling_edge", "3"), ("no_start", None)]
    assert issues[0].severity == "error" and "ghost" in issues[0].message
    # Without a start event, nodes without incoming flow act as starts: nothing else flagged.


def test_unreachable_subprocess_reports_only_itself_and_boundary_paths_count():
    pm = ProcessMap(
        nodes=[Node("s", "start"), Node("t", "step", lane="L"), Node("e", "end"),
               Node("p", "subprocess", lane="L"), Node("ps", "start", parent="p"),
               Node("pt", "step", parent="p"), Node("pe", "end", parent="p"),
               Node("b", "event", bpmn_type="boundaryEvent",
                    extra={"bpmn": {"attrs": {"attachedToRef": "t"}}}),
               Node("h", "step", name="Handle delay", lane="L"), Node("he", "end"),
               Node("comp", "step", lane="L", extra={"bpmn": {"attrs": {"isForCompensation": "true"}}})],
        edges=[Edge("1", "s", "t"), Edge("2", "t", "e"), Edge("3", "ps", "pt"), Edge("4", "pt", "pe"),
               Edge("5", "p", "e"), Edge("6", "b", "h"), Edge("7", "h", "he")],
        lanes=[Lane("L")],
    )
    assert codes(validate(pm)) == [("unreachable", "p")]


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


def _overlap(a: Node, b: Node, pos) -> bool:
    ax, ay = pos[a.key]
    bx, by = pos[b.key]
    return ax < bx + b.w and bx < ax + a.w and ay < by + b.h and by < ay + a.h


def _lane_map(n_lanes=3, n=30, seed=7) -> ProcessMap:
    rnd = random.Random(seed)
    lanes = [Lane(f"L{i}", f"Role {i}", order=i) for i in range(n_lanes)]
    nodes = [Node("s", "start", lane="L0")]
    edges = []
    for i in range(n):
        kind = "decision" if i % 7 == 3 else "step"
        nodes.append(Node(f"n{i}", kind, name=f"N{i}", lane=f"L{rnd.randrange(n_lanes)}"))
        src = "s" if i == 0 else f"n{rnd.randrange(max(0, i - 3), i)}"
        edges.append(Edge(f"e{i}", src, f"n{i}"))
    nodes.append(Node("e", "end", lane="L2"))
    edges.append(Edge("last", f"n{n - 1}", "e"))
    edges.append(Edge("back", "n20", "n5", label="rework"))  # a cycle
    return ProcessMap(nodes=nodes, edges=edges, lanes=lanes)


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_layout_layers_follow_the_flow_and_nothing_overlaps(direction):
    pm = _lane_map()
    lay = layout_map(pm, direction)
    pos = lay.nodes
    assert set(pos) == {n.key for n in pm.nodes}
    assert auto_layout(pm, direction) == pos
    axis = 1 if direction == "TB" else 0
    nodes = pm.nodes_by_key()
    for e in pm.edges:
        if e.key == "back":
            continue
        s, t = nodes[e.source], nodes[e.target]
        assert pos[t.key][axis] >= pos[s.key][axis] + (s.h if axis else s.w), e.key
    for i, a in enumerate(pm.nodes):
        for b in pm.nodes[i + 1:]:
            assert not _overlap(a, b, pos), (a.key, b.key)


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_layout_keeps_each_node_inside_its_lane(direction):
    pm = _lane_map()
    lay = layout_map(pm, direction)
    rects = lay.lanes
    assert set(rects) == {"L0", "L1", "L2"}
    # Lanes follow their order: rows (LR) or columns (TB), without overlapping.
    cross = 0 if direction == "TB" else 1
    starts = [rects[f"L{i}"][cross] for i in range(3)]
    assert starts == sorted(starts)
    for i in range(2):
        a, b = rects[f"L{i}"], rects[f"L{i + 1}"]
        assert a[cross] + a[cross + 2] <= b[cross] + 0.01
    for n in pm.nodes:
        x, y, w, h = rects[n.lane]
        nx, ny = lay.nodes[n.key]
        assert x <= nx and nx + n.w <= x + w and y <= ny and ny + n.h <= y + h, n.key


def test_apply_layout_gives_orthogonal_connectors_on_the_borders():
    pm = _lane_map()
    apply_layout(pm, layout_map(pm, "LR"))
    nodes = pm.nodes_by_key()
    for e in pm.edges:
        pts = e.waypoints
        assert len(pts) >= 2
        for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
            assert abs(x1 - x2) < 0.01 or abs(y1 - y2) < 0.01, e.key
        s, t = nodes[e.source], nodes[e.target]
        for (px, py), n in ((pts[0], s), (pts[-1], t)):
            on_x = abs(px - n.x) < 0.01 or abs(px - (n.x + n.w)) < 0.01
            on_y = abs(py - n.y) < 0.01 or abs(py - (n.y + n.h)) < 0.01
            assert (on_x and n.y - 0.01 <= py <= n.y + n.h + 0.01) or (
                on_y and n.x - 0.01 <= px <= n.x + n.w + 0.01), e.key


def test_cycles_only_and_isolated_nodes():
    pm = ProcessMap(nodes=[Node(k, "step") for k in "abcd"],
                    edges=[Edge("1", "a", "b"), Edge("2", "b", "c"), Edge("3", "c", "a")])
    pos = auto_layout(pm, "TB")
    assert len(pos) == 4
    assert len({round(y) for _x, y in (pos[k] for k in "abc")}) == 3  # three layers
    assert auto_layout(ProcessMap(), "LR") == {}
    with pytest.raises(ValueError):
        auto_layout(pm, "diagonal")


def test_subprocess_content_boundary_events_and_pools():
    pm = ProcessMap(
        nodes=[
            Node("pool", "pool", name="Company", w=100, h=100),
            Node("s", "start", lane="A"),
            Node("p", "subprocess", lane="A", extra={"di": {"attrs": {"isExpanded": "true"}}}),
            Node("ps", "start", parent="p"), Node("pt", "step", parent="p"), Node("pe", "end", parent="p"),
            Node("b", "event", bpmn_type="boundaryEvent", x=90, y=60,
                 extra={"bpmn": {"attrs": {"attachedToRef": "t"}}}),
            Node("t", "step", lane="B", x=50, y=20),
            Node("e", "end", lane="B"),
        ],
        edges=[Edge("1", "s", "p"), Edge("2", "p", "t"), Edge("3", "t", "e"),
               Edge("4", "ps", "pt"), Edge("5", "pt", "pe"), Edge("6", "b", "e")],
        lanes=[Lane("A", "Sales", order=0), Lane("B", "QA", order=1)],
    )
    lay = layout_map(pm, "LR")
    pw, ph = lay.sizes["p"]
    px, py = lay.nodes["p"]
    assert pw > 300  # grown to hold three children in a row
    for k in ("ps", "pt", "pe"):
        x, y = lay.nodes[k]
        n = pm.node(k)
        assert px < x and x + n.w < px + pw and py < y and y + n.h < py + ph
    tx, ty = lay.nodes["t"]
    bx, by = lay.nodes["b"]
    assert (bx - tx, by - ty) == (40, 40)  # kept its place on the activity border
    # The pool encloses both lanes.
    qx, qy = lay.nodes["pool"]
    qw, qh = lay.sizes["pool"]
    for r in lay.lanes.values():
        assert qx <= r[0] and r[0] + r[2] <= qx + qw and qy <= r[1] and r[1] + r[3] <= qy + qh


def test_route_edge_is_orthogonal_in_both_directions():
    for direction in ("TB", "LR"):
        for tgt in [(300, 300, 100, 80), (0, 300, 100, 80), (300, 0, 100, 80), (-300, 0, 50, 50),
                    (0, -300, 50, 50), (5, 0, 50, 50)]:
            pts = route_edge((0, 0, 100, 80), tgt, direction)
            assert len(pts) >= 2
            for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
                assert abs(x1 - x2) < 0.01 or abs(y1 - y2) < 0.01, (direction, tgt, pts)


def _big(n: int, seed: int, extra_edges: float) -> ProcessMap:
    rnd = random.Random(seed)
    lanes = [Lane(f"L{i}", f"R{i}", order=i) for i in range(5)]
    nodes = [Node(f"n{i}", "decision" if i % 10 == 9 else "step", lane=f"L{i % 5}") for i in range(n)]
    edges = []
    for i in range(1, n):
        edges.append(Edge(f"a{i}", f"n{rnd.randrange(max(0, i - 5), i)}", f"n{i}"))
        if rnd.random() < extra_edges:
            edges.append(Edge(f"b{i}", f"n{i}", f"n{rnd.randrange(n)}"))
    return ProcessMap(nodes=nodes, edges=edges, lanes=lanes)


@pytest.mark.parametrize("extra", [0.1, 0.3])
def test_layout_of_2000_nodes_is_complete(extra):
    """Speed is measured by bench/bpmn_roundtrip.py; here: every node placed, no overlap."""
    pm = _big(2000, 3, extra)
    for direction in ("TB", "LR"):
        lay = layout_map(pm, direction)
        assert len(lay.nodes) == 2000
        assert len(set(lay.nodes.values())) == 2000


def test_validation_of_2000_nodes_runs():
    pm = _big(2000, 5, 0.2)
    assert all(i.code in ISSUE_CODES for i in validate(pm))


def test_collapsed_subprocess_content_is_laid_out_on_its_own_plane():
    pm = ProcessMap(
        nodes=[Node("s", "start"), Node("p", "subprocess", extra={"di": {"attrs": {"isExpanded": "false"}}}),
               Node("e", "end"), Node("ps", "start", parent="p"), Node("pt", "step", parent="p"),
               Node("pe", "end", parent="p")],
        edges=[Edge("1", "s", "p"), Edge("2", "p", "e"), Edge("3", "ps", "pt"), Edge("4", "pt", "pe")],
    )
    lay = layout_map(pm, "LR")
    assert "p" not in lay.sizes  # a collapsed sub-process keeps its size
    xs = [lay.nodes[k][0] for k in ("ps", "pt", "pe")]
    assert xs == sorted(xs) and min(xs) == 30  # from the drill-down plane's origin
    sx, sy = lay.nodes["p"]
    assert sx > 30 or sy > 30  # the sub-process itself sits after the start event on the main plane
    ys = [lay.nodes[k][1] + pm.node(k).h / 2 for k in ("ps", "pt", "pe")]
    assert max(ys) - min(ys) < 1  # a straight chain, centred on one line


def test_a_pool_only_encloses_the_lanes_of_its_own_process():
    pm = ProcessMap(
        nodes=[Node("pool", "pool", name="Pool", extra={"bpmn": {"attrs": {"processRef": "P1"}}}),
               Node("a", "step", extra={"process": "P1"}), Node("b", "step", extra={"process": "P1"}),
               Node("c", "step", lane="L", extra={"process": "P2"})],
        edges=[Edge("1", "a", "b")],
        lanes=[Lane("L", "Other process", extra={"process": "P2"})],
    )
    for direction in ("LR", "TB"):
        lay = layout_map(pm, direction)
        px, py = lay.nodes["pool"]
        pw, ph = lay.sizes.get("pool", (pm.node("pool").w, pm.node("pool").h))
        lx, ly, lw, lh = lay.lanes["L"]
        assert px + pw <= lx or lx + lw <= px or py + ph <= ly or ly + lh <= py  # apart
        for k in ("a", "b"):
            x, y = lay.nodes[k]
            assert px <= x and x + pm.node(k).w <= px + pw and py <= y and y + pm.node(k).h <= py + ph


def test_layout_and_validation_survive_deep_nesting_and_parent_cycles():
    nodes = [Node("s0", "subprocess")] + [Node(f"s{i}", "subprocess", parent=f"s{i - 1}")
                                           for i in range(1, 1500)]
    nodes += [Node("a", "step", parent="b"), Node("b", "subprocess", parent="a")]
    pm = ProcessMap(nodes=nodes)
    assert len(layout_map(pm, "LR").nodes) == len(nodes)
    assert effective_lane(pm, "a") is None
    validate(pm)
