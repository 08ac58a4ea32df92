"""Hand-edit geometry (core.mapedit) and storing it (services.map_geometry)."""

from __future__ import annotations

import json

import pytest

from qms_desktop.core import mapedit as E
from qms_desktop.services import map_geometry as G
from qms_desktop.services import processes as P
from qms_desktop.services.records import RecordError, get

# --------------------------------------------------------------------------- resizing shapes


def test_corner_handle_keeps_the_opposite_corner():
    assert E.resize_box((100, 100, 120, 60), "se", (260, 190)) == (100, 100, 160, 90)
    assert E.resize_box((100, 100, 120, 60), "nw", (80, 70)) == (80, 70, 140, 90)


def test_side_handles_change_one_dimension():
    assert E.resize_box((100, 100, 120, 60), "e", (300, 999)) == (100, 100, 200, 60)
    assert E.resize_box((100, 100, 120, 60), "n", (0, 90)) == (100, 90, 120, 70)


def test_never_below_the_minimum_and_never_inside_out():
    x, y, w, h = E.resize_box((100, 100, 120, 60), "se", (0, 0))
    assert (x, y) == (100, 100) and (w, h) == E.DEFAULT_MIN
    x, y, w, h = E.resize_box((100, 100, 120, 60), "nw", (500, 500))
    assert (w, h) == E.DEFAULT_MIN and (x + w, y + h) == (220, 160)


def test_grid_snaps_the_moved_sides():
    assert E.resize_box((100, 100, 120, 60), "se", (263, 187), grid=10) == (100, 100, 160, 90)


def test_events_stay_round():
    x, y, w, h = E.resize_box((100, 100, 36, 36), "se", (160, 140), kind="start")
    assert w == h == 60 and (x, y) == (100, 100)
    x, y, w, h = E.resize_box((100, 100, 36, 36), "e", (150, 0), kind="end")
    assert w == h == 50 and y == 100 + 18 - 25  # grows about the middle of the other axis


def test_keep_aspect_for_any_shape():
    x, y, w, h = E.resize_box((0, 0, 120, 60), "se", (240, 70), keep_aspect=True)
    assert w / h == pytest.approx(2.0) and w == 240


def test_unknown_handle():
    with pytest.raises(ValueError):
        E.resize_box((0, 0, 10, 10), "middle", (0, 0))


def test_handle_points():
    pts = E.handle_points((0, 0, 100, 50))
    assert pts["se"] == (100, 50) and pts["n"] == (50, 0) and set(pts) == set(E.HANDLES)


# --------------------------------------------------------------------------- lanes

ROWS = {1: (0, 0, 800, 100), 2: (0, 100, 800, 150), 3: (0, 250, 800, 100)}
NODES = {10: ((100, 20, 120, 60), 1), 20: ((100, 130, 120, 60), 2), 30: ((300, 270, 120, 60), 3),
         40: ((600, 500, 40, 40), None)}


def test_taller_lane_pushes_the_lanes_after_it_with_their_shapes():
    plan = E.resize_lane(ROWS, NODES, 2, "breadth", 300)
    assert plan.lanes == {2: (0, 100, 800, 200), 3: (0, 300, 800, 100)}
    assert plan.nodes == {30: (300, 320)}  # the lane's own and lane-less shapes stay


def test_lane_never_shrinks_past_its_shapes():
    plan = E.resize_lane(ROWS, NODES, 2, "breadth", 120)
    assert plan.lanes[2] == (0, 100, 800, 130 + 60 - 100 + E.LANE_PADDING)
    assert plan.nodes[30][1] == 270 - (150 - plan.lanes[2][3])


def test_longer_lane_takes_the_whole_band_along():
    plan = E.resize_lane(ROWS, NODES, 1, "length", 1000)
    assert plan.lanes == {i: (0, b[1], 1000, b[3]) for i, b in ROWS.items()}
    # not shorter than the shapes in the band
    plan = E.resize_lane(ROWS, NODES, 1, "length", 100)
    assert all(b[2] == 420 + E.LANE_PADDING for b in plan.lanes.values())


def test_no_change_gives_an_empty_plan():
    assert not E.resize_lane(ROWS, NODES, 2, "breadth", 250)


def test_columns_work_like_rows_turned():
    cols = {i: (b[1], b[0], b[3], b[2]) for i, b in ROWS.items()}
    nodes = {n: ((b[1], b[0], b[3], b[2]), lane) for n, (b, lane) in NODES.items()}
    plan = E.resize_lane(cols, nodes, 2, "breadth", 300)
    assert plan.lanes == {2: (100, 0, 200, 800), 3: (300, 0, 100, 800)}
    assert plan.nodes == {30: (320, 300)}


def test_lane_in_a_pool_grows_the_pool():
    lanes = {9: (0, 0, 800, 250), 1: (30, 0, 770, 100), 2: (30, 100, 770, 150)}
    nodes = {10: ((100, 20, 120, 60), 1)}
    plan = E.resize_lane(lanes, nodes, 1, "breadth", 150)
    assert plan.lanes[9] == (0, 0, 800, 300)
    assert plan.lanes[2] == (30, 150, 770, 150)


def test_moving_a_lane_up_swaps_it_with_its_neighbour():
    plan = E.move_lane(ROWS, NODES, 2, -1, {1: 0, 2: 1, 3: 2})
    assert plan.lanes == {2: (0, 0, 800, 150), 1: (0, 150, 800, 100)}
    assert plan.nodes == {20: (100, 30), 10: (100, 170)}
    assert plan.orders == {1: 1, 2: 0}
    assert not E.move_lane(ROWS, NODES, 1, -1)  # already first
    assert not E.move_lane(ROWS, NODES, 3, 1)  # already last
    down = E.move_lane(ROWS, NODES, 2, 1, {1: 0, 2: 0, 3: 0})
    assert down.lanes == {3: (0, 100, 800, 100), 2: (0, 200, 800, 150)}
    assert down.orders[3] < down.orders[2]  # equal orders become distinct


# --------------------------------------------------------------------------- routes


def test_segment_moves_across_its_direction_only():
    pts = [(0, 0), (50, 0), (50, 100), (100, 100)]
    assert E.move_segment(pts, 1, (30, 999)) == [(0, 0), (80, 0), (80, 100), (100, 100)]


def test_end_stretch_slides_along_the_shape_side():
    source = (-120, -30, 120, 60)  # the route leaves its right side at y 0
    pts = [(0, 0), (50, 0), (50, 100), (100, 100)]
    got = E.move_segment(pts, 0, (0, 20), source=source)
    assert got[:2] == [(0, 20), (50, 20)]
    got = E.move_segment(pts, 0, (0, 200), source=source)
    assert got[0] == (0, 26)  # kept 4 px from the corner


def test_segment_handles_skip_short_stretches_and_tidy_route():
    pts = [(0, 0), (50, 0), (50, 5), (100, 5)]
    assert [i for i, _ in E.segment_handles(pts)] == [0, 2]
    assert E.tidy_route([(0, 0), (0, 0), (50, 0), (100, 0), (100, 50)]) == [(0, 0), (100, 0), (100, 50)]
    with pytest.raises(IndexError):
        E.move_segment(pts, 3, (0, 0))


# --------------------------------------------------------------------------- storing


def test_set_geometry_is_one_transaction_and_refuses_bad_values(ws):
    pid = P.add_process(ws, {"name": "G"}).result
    a = P.add_node(ws, pid, "step", 0, 0).result
    b = P.add_node(ws, pid, "step", 300, 0).result
    e = P.add_edge(ws, pid, a, b).result
    lane = P.add_lane(ws, pid, "Clerk").result
    G.set_geometry(ws, edges={e: G.route_text([(120, 30), (200, 30), (200, 40), (300, 40)])})
    G.set_geometry(ws, nodes={a: (10, 20, 200, 80)}, lanes={lane: (0, 0, 900, 120)},
                   orders={lane: 4}, clear_routes_of=[a])
    na, ln, ed = get(ws, "process_node", a), get(ws, "process_lane", lane), get(ws, "process_edge", e)
    assert (na["x"], na["y"], na["w"], na["h"]) == (10, 20, 200, 80)
    assert (ln["w"], ln["h"], ln["order"]) == (900, 120, 4)
    assert ed["waypoints"] == ""  # its shape was resized: routed again
    # a route set in the same call wins over clearing
    G.set_geometry(ws, edges={e: G.route_text([(1, 2), (3, 4)])}, clear_routes_of=[a])
    assert json.loads(get(ws, "process_edge", e)["waypoints"]) == [[1, 2], [3, 4]]
    # all or nothing: a bad size stores nothing of the call
    with pytest.raises(RecordError):
        G.set_geometry(ws, nodes={a: (0, 0, 50, 50), b: (0, 0, -1, 5)})
    assert get(ws, "process_node", a)["w"] == 200
    with pytest.raises(RecordError):
        G.set_geometry(ws, nodes={a: (float("nan"), 0)})
    with pytest.raises(RecordError):
        G.set_geometry(ws, lanes={999: (0, 0, 1, 1)})
    with pytest.raises(RecordError):
        G.route_text([(1, 2)])


# --------------------------------------------------------------------------- review cases

POOLS = {-100: (0, 0, 800, 300), 1: (30, 0, 770, 150), 2: (30, 150, 770, 150),
         -200: (0, 300, 800, 300), 3: (30, 300, 770, 150), 4: (30, 450, 770, 150)}
POOL_NODES = {10: ((100, 40, 120, 60), 1), 30: ((100, 340, 120, 60), 3),
              31: ((300, 480, 120, 60), 4), 40: ((500, 200, 40, 40), -100)}


def test_a_lane_in_a_pool_grows_its_pool_and_pushes_the_next_pool():
    plan = E.resize_lane(POOLS, POOL_NODES, 1, "breadth", 250)
    assert plan.lanes[1] == (30, 0, 770, 250)
    assert plan.lanes[2] == (30, 250, 770, 150)
    assert plan.lanes[-100] == (0, 0, 800, 400)  # the pool grows with its lane
    assert plan.lanes[-200] == (0, 400, 800, 300) and plan.lanes[3][1] == 400
    assert plan.nodes[30] == (100, 440) and plan.nodes[31] == (300, 580)
    assert 40 not in plan.nodes  # a shape in the first pool, not in a later lane


def test_moving_the_last_lane_of_a_pool_does_not_cross_into_the_next_pool():
    assert not E.move_lane(POOLS, POOL_NODES, 2, 1)
    assert not E.move_lane(POOLS, POOL_NODES, 3, -1)
    plan = E.move_lane(POOLS, POOL_NODES, 4, -1)
    assert plan.lanes == {4: (30, 300, 770, 150), 3: (30, 450, 770, 150)}


def test_length_of_a_lane_in_a_pool_takes_the_pool_and_its_lanes_only():
    plan = E.resize_lane(POOLS, POOL_NODES, 1, "length", 1000)
    assert plan.lanes == {-100: (0, 0, 1000, 300), 1: (30, 0, 970, 150),
                          2: (30, 150, 970, 150)}
    parent_first = E.resize_lane(POOLS, POOL_NODES, -200, "length", 900)
    assert parent_first.lanes[3] == (30, 300, 870, 150) and -100 not in parent_first.lanes


def test_a_slanted_route_gets_a_bend_and_keeps_its_ends():
    src, tgt = (0, 0, 100, 60), (300, 200, 100, 60)
    pts = [(100, 30), (300, 230)]
    got = E.move_segment(pts, 0, (0, -100), src, tgt)
    assert got == [(100, 30), (200, 30), (300, 230)]
    # a slanted end stretch of a longer route: its attached end stays
    got = E.move_segment([(100, 30), (200, 100), (300, 100)], 0, (10, 10), src, tgt)
    assert got[0] == (100, 30) and got[1] == (210, 110)


def test_an_end_on_a_diamond_or_circle_stays_on_its_outline():
    diamond = (0, 0, 80, 80)  # centre (40, 40), right tip (80, 40)
    pts = [(80, 40), (200, 40), (200, 200)]
    got = E.move_segment(pts, 0, (0, 10), diamond, None, source_kind="decision")
    (x, y), (x2, y2) = got[0], got[1]
    assert y == y2 == 50 and x == pytest.approx(40 + 40 * (1 - 10 / 40))
    got = E.move_segment(pts, 0, (0, 500), diamond, None, source_kind="decision")
    assert got[0][1] <= 40 + 80 * 0.3 + 1e-9  # kept to the middle part of the side
    circle = (0, 0, 80, 80)
    got = E.move_segment(pts, 0, (0, 20), circle, None, source_kind="start")
    x, y = got[0]
    assert (x - 40) ** 2 + (y - 40) ** 2 == pytest.approx(40 ** 2)


def test_set_geometry_loads_rows_in_bulk(ws):
    """Thousands of rows are stored with a handful of statements (no flush per row)."""
    from sqlalchemy import event

    pid = P.add_process(ws, {"name": "Big"}).result
    from qms_desktop.storage import models as m

    with ws.session() as s:
        nodes = [m.ProcessNode(process_id=pid, kind="step", x=i * 10.0, y=0.0) for i in range(600)]
        s.add_all(nodes)
        s.flush()
        ids = [n.id for n in nodes]
    selects = []

    def count(conn, cursor, statement, *a):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = ws.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        G.set_geometry(ws, nodes={i: (1.0, 2.0) for i in ids}, clear_routes_of=ids)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(selects) < 20, len(selects)
    assert get(ws, "process_node", ids[-1])["y"] == 2.0


def test_a_stretch_cannot_be_pushed_into_its_shapes():
    src, tgt = (0, 0, 100, 60), (300, 100, 100, 60)
    pts = [(100, 30), (200, 30), (200, 130), (300, 130)]  # right, down, right into the target
    got = E.move_segment(pts, 1, (500, 0), src, tgt)
    assert got[1][0] == got[2][0] == 300 - E.STUB  # the last stretch keeps a stub
    got = E.move_segment(pts, 1, (-500, 0), src, tgt)
    assert got[1][0] == 100 + E.STUB
    # a stretch leaving leftwards keeps going left
    back = [(0, 30), (-50, 30), (-50, 200), (350, 200), (350, 160)]
    got = E.move_segment(back, 1, (80, 0), src, tgt)
    assert got[1][0] == -E.STUB


def test_why_not_written_names_the_reason(tmp_path):
    import errno

    from qms_desktop.services.filewrite import why_not_written

    assert "does not exist" in why_not_written(tmp_path / "nope" / "x.pdf")
    assert "is a folder" in why_not_written(tmp_path)
    assert "disk is full" in why_not_written(tmp_path / "x.pdf", OSError(errno.ENOSPC, "full"))
    assert "read-only disk" in why_not_written(tmp_path / "x.pdf", OSError(errno.EROFS, "ro"))


def test_hand_drawn_routes_follow_their_moving_shapes():
    route = [(100, 30), (200, 30), (200, 300), (300, 300)]  # right, down, right
    # the target moves down 40: the last stretch and its bend go with it
    assert E.follow_ends(route, (0, 0), (0, 40)) == [(100, 30), (200, 30), (200, 340), (300, 340)]
    # the source moves right 30 and up 10
    assert E.follow_ends(route, (30, -10), (0, 0)) == [(130, 20), (200, 20), (200, 300), (300, 300)]
    # an end stretch that would turn round, or a straight route: not kept
    assert E.follow_ends(route, (150, 0), (0, 0)) is None
    assert E.follow_ends([(0, 0), (100, 0)], (0, 10), (0, 0)) is None
    assert E.follow_ends([(0, 0), (50, 40), (100, 0)], (0, 10), (0, 0)) is None
    # three points, both ends moving
    assert E.follow_ends([(0, 0), (100, 0), (100, 100)], (0, 5), (5, 0)) == [
        (0, 5), (105, 5), (105, 100)]
