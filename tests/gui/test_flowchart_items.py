"""Connector items: route geometry, hit area, painting, batch waypoint parsing, decision-exit
labels kept apart, and the garbage-collector pause while a map is built."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from qms_desktop.services import processes as P
from qms_desktop.ui.flowchart.items import parse_all_points, parse_points, shared_start
from qms_desktop.ui.flowchart.scene import MapScene, gc_paused


def test_shared_start_measures_the_common_stretch():
    down_right = [(0, 0), (0, 100), (50, 100)]
    down_further = [(0, 0), (0, 160), (50, 160)]
    assert shared_start(down_right, down_further) == pytest.approx(100)
    assert shared_start(down_further, down_right) == pytest.approx(100)
    # leaving in different directions: nothing shared
    assert shared_start([(0, 0), (50, 0)], [(0, 0), (0, 50)]) == 0
    # opposite directions along one line: nothing shared
    assert shared_start([(0, 0), (50, 0)], [(0, 0), (-50, 0)]) == 0
    # different start points
    assert shared_start([(0, 0), (50, 0)], [(5, 0), (50, 0)]) == 0
    # identical routes run together all along
    assert shared_start(down_right, list(down_right)) == pytest.approx(150)


def test_parse_all_points_batches_and_falls_back_per_connector():
    got = parse_all_points({1: "[[0, 0], [10, 5.5]]", 2: "", 3: None, 4: "[[1, 2], [3, 4]]"})
    assert got == {1: [(0.0, 0.0), (10.0, 5.5)], 4: [(1.0, 2.0), (3.0, 4.0)]}
    # one broken text: the others still parse, the broken one gives no bends
    got = parse_all_points({1: "[[0, 0], [10, 5]]", 2: "[[0, 0], [1,", 3: '{"a": 1}'})
    assert got[1] == [(0.0, 0.0), (10.0, 5.0)]
    assert got[2] == [] and got[3] == []
    # well-formed JSON of the wrong shape
    got = parse_all_points({1: "[[0, 0, 0], [1, 1, 1]]", 2: '"text"'})
    assert got == {1: parse_points("[[0, 0, 0], [1, 1, 1]]"), 2: []}
    assert parse_all_points({}) == {}


@pytest.fixture
def two_steps(ws):
    pid = P.add_process(ws, {"name": "Edges"}).result
    a = P.add_node(ws, pid, "step", 0, 0, name="A").result
    b = P.add_node(ws, pid, "step", 300, 0, name="B").result
    e = P.add_edge(ws, pid, a, b).result
    scene = MapScene()
    scene.load(P.load_map_data(ws, pid))
    yield scene, scene.edges[e]
    scene.clear_map()


def test_connector_bounds_hit_area_and_paint(qtbot, two_steps):
    scene, edge = two_steps
    start, end = edge.points[0], edge.points[-1]
    r = edge.boundingRect()
    for x, y in edge.points:
        assert r.contains(QPointF(x, y))
    # the arrowhead (10 px long, 4.5 px each side) fits inside
    assert r.top() <= end[1] - 4.5 and r.bottom() >= end[1] + 4.5
    # the hit area is about 10 px wide around the line, not the whole box
    mid = QPointF((start[0] + end[0]) / 2, start[1])
    assert edge.shape().contains(mid + QPointF(0, 4))
    assert not edge.shape().contains(mid + QPointF(0, 20))
    assert edge in scene.items(mid + QPointF(0, 3))
    # painted: the line and a filled arrowhead are dark on white
    img = QImage(400, 120, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    scene.render(p, QRectF(0, 0, 400, 120), QRectF(-20, -20, 400, 120))
    p.end()
    line_px = img.pixelColor(int(mid.x()) + 20, int(mid.y()) + 20)
    head_px = img.pixelColor(int(end[0]) - 4 + 20, int(end[1]) + 20)
    assert line_px.lightness() < 160 and head_px.lightness() < 160
    above = img.pixelColor(int(mid.x()) + 20, int(mid.y()) + 20 - 8)
    assert above.lightness() > 240


def test_moving_a_shape_moves_the_connector_box(qtbot, two_steps):
    scene, edge = two_steps
    before = QRectF(edge.boundingRect())
    edge.target.move_to(300, 200)
    after = edge.boundingRect()
    assert after != before and after.bottom() > 200
    assert edge.shape().contains(QPointF(*edge.points[-1]) + QPointF(-2, 0))


def test_decision_exits_sharing_a_stretch_get_separate_labels(qtbot, ws):
    """Two exits of a decision that leave downwards together: their labels do not overlap."""
    pid = P.add_process(ws, {"name": "Disposition"}).result
    d = P.add_node(ws, pid, "decision", 100, 100, name="Disposition?").result
    rw = P.add_node(ws, pid, "step", 260, 260, name="Rework").result
    sc = P.add_node(ws, pid, "step", 260, 380, name="Scrap").result
    P.add_edge(ws, pid, d, rw, label="rework")
    P.add_edge(ws, pid, d, sc, label="scrap")
    scene = MapScene()
    scene.load(P.load_map_data(ws, pid))
    try:
        labels = [e.label for e in scene.edges.values()]
        rects = [lb.mapRectToScene(lb.text_rect()) for lb in labels]
        assert all(not r.isEmpty() for r in rects)
        assert not rects[0].intersects(rects[1]), rects
        # still near the decision: on the first stretch that is the exit's own
        for e, r in zip(scene.edges.values(), rects):
            assert r.left() < e.target.pos().x()
    finally:
        scene.clear_map()


def test_gc_pause_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_connector_label_moves_off_a_shape_it_would_cover(qtbot, ws):
    pid = P.add_process(ws, {"name": "Labels"}).result
    a = P.add_node(ws, pid, "step", 0, 100, name="A").result
    b = P.add_node(ws, pid, "step", 400, 100, name="B").result
    # a wide note right above the middle of the connector, where its label would go
    P.add_node(ws, pid, "step", 100, 80, name="Above")
    e = P.add_edge(ws, pid, a, b, label="complete").result
    scene = MapScene()
    scene.load(P.load_map_data(ws, pid))
    try:
        above = next(n for n in scene.nodes.values() if n.row["name"] == "Above")
        above.setPos(260 - above.w / 2, 128 - above.h)  # over the middle, 2 px above the line
        scene.edges[e].reroute()
        label = scene.edges[e].label
        r = label.mapRectToScene(label.text_rect())
        assert not r.intersects(above.sceneBoundingRect())
        assert r.top() >= 130  # it went below the line
    finally:
        scene.clear_map()


def test_labels_placed_roughly_while_dragging_are_placed_after(qtbot, two_steps):
    scene, edge = two_steps
    from qms_desktop.services import records

    edge.apply(dict(edge.row, label="ok"))
    scene._drag = [(edge.target, 300, 0, [])]  # a drag in progress
    edge.target.move_to(300, 50)
    assert edge in scene.rough_labels
    scene._drag = None
    scene.place_rough_labels()
    assert not scene.rough_labels
    assert records  # (module used by other tests)


def test_connectors_inside_an_expanded_sub_process_are_drawn(qtbot, ws, corpus_dir):
    r = P.import_map_file(ws, corpus_dir / "bpmn" / "A.4.0.bpmn", "bpmn").result
    scene = MapScene()
    scene.load(P.load_map_data(ws, r.process_id))
    try:
        assert scene.expanded
        for sub in scene.expanded:
            box = scene.nodes[sub]
            inner = {n.nid for n in scene.descendants(box)}
            inside = [e for e in scene.edges.values()
                      if e.source.nid in inner and e.target.nid in inner]
            assert inside
            for e in inside:
                assert e.zValue() > box.zValue()
                # and painted: the middle of the line is dark over the sub-process fill
                (x0, y0), (x1, y1) = e.points[0], e.points[1]
                mid = QPointF((x0 + x1) / 2, (y0 + y1) / 2)
                img = QImage(20, 20, QImage.Format.Format_ARGB32)
                img.fill(QColor("white"))
                p = QPainter(img)
                scene.render(p, QRectF(0, 0, 20, 20), QRectF(mid.x() - 10, mid.y() - 10, 20, 20))
                p.end()
                assert min(img.pixelColor(10, y).lightness() for y in range(8, 13)) < 150
    finally:
        scene.clear_map()


def test_stored_bends_that_miss_their_shapes_are_ignored(qtbot, ws):
    pid = P.add_process(ws, {"name": "Stale"}).result
    a = P.add_node(ws, pid, "step", 0, 0, name="A").result
    b = P.add_node(ws, pid, "step", 300, 0, name="B").result
    e = P.add_edge(ws, pid, a, b).result
    from qms_desktop.services import records

    # bends from a file where the connector went to a shape far away
    records.update_fields(ws, "process_edge", e, {"waypoints": "[[100, 30], [700, 30], [700, 400]]"})
    scene = MapScene()
    scene.load(P.load_map_data(ws, pid))
    try:
        pts = scene.edges[e].points
        bx, by, bw, bh = scene.nodes[b].box()
        assert bx - 1 <= pts[-1][0] <= bx + bw + 1 and by - 1 <= pts[-1][1] <= by + bh + 1
        # bends that do reach both shapes are kept as they are
        records.update_fields(ws, "process_edge", e,
                              {"waypoints": "[[100, 30], [200, 30], [200, 40], [300, 40]]"})
        scene.sync(P.load_map_data(ws, pid))
        assert scene.edges[e].points == [(100, 30), (200, 30), (200, 40), (300, 40)]
    finally:
        scene.clear_map()


def test_automatic_routes_go_round_shapes_in_the_way(qtbot, ws):
    pid = P.add_process(ws, {"name": "Detour"}).result
    a = P.add_node(ws, pid, "step", 0, 0, name="A").result
    b = P.add_node(ws, pid, "step", 500, 0, name="B").result
    c = P.add_node(ws, pid, "step", 250, 0, name="In the way").result
    e = P.add_edge(ws, pid, a, b).result
    scene = MapScene()
    scene.load(P.load_map_data(ws, pid))
    try:
        pts = scene.edges[e].points
        box = scene.nodes[c].sceneBoundingRect()
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            seg = QRectF(min(x0, x1), min(y0, y1), abs(x1 - x0) + 0.1, abs(y1 - y0) + 0.1)
            assert not seg.intersects(box), pts
        # still from A's border to B's border
        ax, ay, aw, ah = scene.nodes[a].box()
        bx, by, bw, bh = scene.nodes[b].box()
        assert ax <= pts[0][0] <= ax + aw and ay <= pts[0][1] <= ay + ah
        assert bx <= pts[-1][0] <= bx + bw and by <= pts[-1][1] <= by + bh
        # with the shape moved away, the straight way is back
        scene.nodes[c].move_to(250, 400)
        scene.edges[e].reroute()
        assert len(scene.edges[e].points) == 2
    finally:
        scene.clear_map()


def test_route_candidates_start_with_the_plain_route():
    from qms_desktop.core.processmap import route_candidates, route_edge

    for src, tgt in (((0, 0, 100, 60), (300, 0, 100, 60)), ((300, 200, 100, 60), (0, 0, 100, 60)),
                     ((0, 0, 100, 60), (20, 300, 100, 60))):
        for d in ("LR", "TB"):
            cands = route_candidates(src, tgt, d)
            assert cands[0] == route_edge(src, tgt, d)
            assert len(cands) >= 3
            for c in cands:
                for (x0, y0), (x1, y1) in zip(c, c[1:]):
                    assert x0 == x1 or y0 == y1  # orthogonal


def test_a_message_flow_ends_in_an_open_arrow(qtbot, ws):
    pid = P.add_process(ws, {"name": "Messages"}).result
    a = P.add_node(ws, pid, "step", 0, 0, name="A").result
    b = P.add_node(ws, pid, "step", 0, 300, name="B").result
    e = P.add_edge(ws, pid, a, b, kind="message").result
    scene = MapScene()
    scene.load(P.load_map_data(ws, pid))
    try:
        edge = scene.edges[e]
        head = [(p.x(), p.y()) for p in edge._head]
        assert head[1] == edge.points[-1]  # wing, tip, wing: a "V", not a closed corner
        assert edge._head_open
    finally:
        scene.clear_map()


def test_imported_events_show_their_definition_and_labels_sit_where_the_file_put_them(
        qtbot, ws, corpus_dir):
    from qms_desktop.ui.flowchart.items import event_marker, label_bounds
    from qms_desktop.ui.flowchart.style import shape_path

    r = P.import_map_file(ws, corpus_dir / "bpmn" / "A.3.0.bpmn", "bpmn").result
    data = P.load_map_data(ws, r.process_id)
    markers = {event_marker(n) for n in data.nodes if n["kind"] in ("start", "end", "event")}
    assert {"message", "escalation"} <= markers
    plain = shape_path("event", 36, 36)
    for m in ("message", "escalation", "timer", "error", "signal", "terminate"):
        assert shape_path("event", 36, 36, marker=m).elementCount() > plain.elementCount(), m
    scene = MapScene()
    scene.load(data)
    try:
        placed = [n for n in scene.nodes.values() if label_bounds(n.row) is not None
                  and n.kind == "event"]
        assert placed
        for n in placed:
            lx, ly, lw, lh = label_bounds(n.row)
            area = n.label.mapRectToScene(n.label.boundingRect())
            assert abs(area.left() - lx) < 1 and abs(area.top() - ly) < 1
    finally:
        scene.clear_map()
