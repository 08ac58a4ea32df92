"""Hand edits in the map editor, driven with the mouse and keyboard: resizing a shape and a lane
by their handles, moving a lane up or down, dragging a stretch of a connector's route, routing it
automatically again, Escape during a drag, the right-click menu — each one undo step."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.services import records  # noqa: E402
from test_flowchart import demo_map, drag, editor, stack, vpos  # noqa: E402,F401 (fixtures)


def handle_pos(ed, key) -> QPoint:
    h = ed.scene.handles
    assert h is not None and h.isVisible(), "no handles shown"
    for k, p in h.points:
        if k == key:
            return vpos(ed, p.x(), p.y())
    raise AssertionError(f"no handle {key!r} among {[k for k, _ in h.points]}")


def select(ed, *, nodes=(), edges=(), lanes=()):
    ed.scene.select_ids(nodes, edges, lanes)
    QApplication.processEvents()


def geometry(ws, entity, rid):
    r = records.get(ws, entity, rid)
    return (r["x"], r["y"], r["w"], r["h"])


def test_resize_a_shape_by_its_corner_is_one_undo_step(qtbot, editor, demo_map, ws):
    nid = demo_map["nodes"]["check"]
    before = geometry(ws, "process_node", nid)
    select(editor, nodes=[nid])
    assert {k for k, _ in editor.scene.handles.points} == set("nw n ne e se s sw w".split())
    start = handle_pos(editor, "se")
    n = stack(editor).count()
    drag(qtbot, editor, start, start + QPoint(60, 40))
    after = geometry(ws, "process_node", nid)
    assert after[:2] == before[:2]  # the opposite corner stays
    assert after[2] == pytest.approx(before[2] + 60, abs=10)
    assert after[3] == pytest.approx(before[3] + 40, abs=10)
    assert stack(editor).count() == n + 1 and stack(editor).undoText() == "Resize shape"
    item = editor.scene.nodes[nid]
    assert (item.w, item.h) == after[2:]
    # the handles follow the new size
    assert editor.scene.handles.points[4][1] == QPointF(after[0] + after[2], after[1] + after[3])
    stack(editor).undo()
    assert geometry(ws, "process_node", nid) == before
    assert (editor.scene.nodes[nid].w, editor.scene.nodes[nid].h) == before[2:]
    stack(editor).redo()
    assert geometry(ws, "process_node", nid) == after


def test_shrinking_stops_at_the_minimum_size(qtbot, editor, demo_map, ws):
    nid = demo_map["nodes"]["check"]
    select(editor, nodes=[nid])
    start = handle_pos(editor, "se")
    drag(qtbot, editor, start, start - QPoint(400, 400))
    x, y, w, h = geometry(ws, "process_node", nid)
    assert (w, h) == (80, 40)


def test_resizing_reroutes_connectors_that_had_bends(qtbot, editor, demo_map, ws):
    nid = demo_map["nodes"]["make"]
    e4 = demo_map["edges"]["e4"]
    records.update_fields(ws, "process_edge", e4, {"waypoints": "[[580, 230], [600, 230], [600, 240], [642, 240]]"})
    editor.reload()
    select(editor, nodes=[nid])
    start = handle_pos(editor, "e")
    drag(qtbot, editor, start, start + QPoint(30, 0))
    assert records.get(ws, "process_edge", e4)["waypoints"] == ""
    stack(editor).undo()
    assert json.loads(records.get(ws, "process_edge", e4)["waypoints"])[0] == [580, 230]


def test_escape_during_a_resize_puts_it_back(qtbot, editor, demo_map, ws):
    nid = demo_map["nodes"]["check"]
    before = geometry(ws, "process_node", nid)
    select(editor, nodes=[nid])
    vp = editor.view.viewport()
    start = handle_pos(editor, "se")
    n = stack(editor).count()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    qtbot.mouseMove(vp, start + QPoint(40, 40))
    qtbot.mouseMove(vp, start + QPoint(80, 60))
    assert editor.scene.nodes[nid].w > before[2]  # the preview
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    assert editor.scene.nodes[nid].w == before[2]
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(80, 60))
    assert geometry(ws, "process_node", nid) == before and stack(editor).count() == n


def test_lane_taller_pushes_the_next_lane_and_its_shapes(qtbot, editor, demo_map, ws):
    lane1, lane2 = demo_map["lanes"]
    make = demo_map["nodes"]["make"]
    l1, l2 = geometry(ws, "process_lane", lane1), geometry(ws, "process_lane", lane2)
    make_y = records.get(ws, "process_node", make)["y"]
    select(editor, lanes=[lane1])
    start = handle_pos(editor, "breadth")
    drag(qtbot, editor, start, start + QPoint(0, 50))
    n1, n2 = geometry(ws, "process_lane", lane1), geometry(ws, "process_lane", lane2)
    grow = n1[3] - l1[3]
    assert grow == pytest.approx(50, abs=10)
    assert n2[1] == pytest.approx(l2[1] + grow)
    assert records.get(ws, "process_node", make)["y"] == pytest.approx(make_y + grow)
    assert stack(editor).undoText() == "Resize lane"
    stack(editor).undo()
    assert geometry(ws, "process_lane", lane1) == l1 and geometry(ws, "process_lane", lane2) == l2
    assert records.get(ws, "process_node", make)["y"] == make_y


def test_lane_longer_takes_every_lane_along(qtbot, editor, demo_map, ws):
    lane1, lane2 = demo_map["lanes"]
    l1 = geometry(ws, "process_lane", lane1)
    select(editor, lanes=[lane2])
    start = handle_pos(editor, "length")
    drag(qtbot, editor, start, start + QPoint(100, 0))
    assert geometry(ws, "process_lane", lane1)[2] == pytest.approx(l1[2] + 100, abs=10)
    assert geometry(ws, "process_lane", lane2)[2] == geometry(ws, "process_lane", lane1)[2]


def test_move_lane_down_with_the_keyboard_and_undo(qtbot, editor, demo_map, ws):
    lane1, lane2 = demo_map["lanes"]
    check, make = demo_map["nodes"]["check"], demo_map["nodes"]["make"]
    before = {i: geometry(ws, "process_lane", i) for i in (lane1, lane2)}
    ys = {i: records.get(ws, "process_node", i)["y"] for i in (check, make)}
    select(editor, lanes=[lane1])
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Down,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    after = {i: geometry(ws, "process_lane", i) for i in (lane1, lane2)}
    assert after[lane2][1] == before[lane1][1]  # the second lane is now on top
    assert after[lane1][1] == before[lane1][1] + before[lane2][3]
    # the shapes went with their lanes: the step of lane 1 is now below the one of lane 2
    assert records.get(ws, "process_node", check)["y"] > records.get(ws, "process_node", make)["y"]
    rows = P.load_map_data(ws, demo_map["pid"]).lanes
    assert [r["id"] for r in rows] == [lane2, lane1]  # stored order follows
    assert editor.scene.selected_ids()[2] == [lane1]  # still selected: press again to go on
    assert not editor.move_lane(1) and "last" in editor.last_status
    stack(editor).undo()
    assert {i: geometry(ws, "process_lane", i) for i in (lane1, lane2)} == before
    assert {i: records.get(ws, "process_node", i)["y"] for i in (check, make)} == ys
    assert [r["id"] for r in P.load_map_data(ws, demo_map["pid"]).lanes] == [lane1, lane2]


def test_drag_a_stretch_of_a_route_then_route_automatically(qtbot, editor, demo_map, ws):
    e3 = demo_map["edges"]["e3"]  # decision → step in the other lane: a route with a bend
    edge = editor.scene.edges[e3]
    assert len(edge.points) >= 3
    select(editor, edges=[e3])
    keys = [k for k, _ in editor.scene.handles.points]
    assert keys and all(isinstance(k, int) for k in keys)
    # a vertical stretch if there is one (it moves sideways), else the first
    pts = edge.points
    idx = next((i for i in keys if abs(pts[i][0] - pts[i + 1][0]) < 1e-6), keys[0])
    vertical = abs(pts[idx][0] - pts[idx + 1][0]) < 1e-6
    start = handle_pos(editor, idx)
    move = QPoint(40, 0) if vertical else QPoint(0, 40)
    drag(qtbot, editor, start, start + move)
    stored = json.loads(records.get(ws, "process_edge", e3)["waypoints"])
    assert stored and len(stored) >= 2
    new_pts = editor.scene.edges[e3].points
    if vertical:  # moved right (an end on the diamond slides only along its middle part)
        assert any(pts[idx][0] + 10 <= x <= pts[idx][0] + 40 for x, _ in new_pts)
    assert stack(editor).undoText() == "Change connector route"
    # still orthogonal
    for (x0, y0), (x1, y1) in zip(new_pts, new_pts[1:]):
        assert x0 == pytest.approx(x1) or y0 == pytest.approx(y1)
    select(editor, edges=[e3])
    assert editor.actions["auto_route"].isEnabled()
    editor.actions["auto_route"].trigger()
    assert records.get(ws, "process_edge", e3)["waypoints"] == ""
    assert editor.scene.edges[e3].points == pts
    stack(editor).undo()
    assert json.loads(records.get(ws, "process_edge", e3)["waypoints"]) == stored
    stack(editor).undo()
    assert records.get(ws, "process_edge", e3)["waypoints"] == ""
    assert not editor.route_automatically()  # nothing drawn by hand any more


def test_no_handles_when_several_are_selected_or_read_only(qtbot, editor, demo_map):
    a, b = demo_map["nodes"]["check"], demo_map["nodes"]["make"]
    select(editor, nodes=[a, b])
    assert editor.scene.handles is None or not editor.scene.handles.isVisible()
    select(editor, nodes=[a])
    assert editor.scene.handles.isVisible()
    editor.scene.set_editable(False)
    assert not editor.scene.handles.isVisible()


def test_handles_are_not_in_exports(qtbot, editor, demo_map, tmp_path):
    select(editor, nodes=[demo_map["nodes"]["check"]])
    svg = editor.export_image("svg", tmp_path / "m.svg")
    # the handles are white squares with a blue outline; the map has no white-filled rect
    text = svg.read_text(encoding="utf-8")
    assert 'fill="#ffffff" fill-opacity="1" stroke="#1a73e8"' not in text


def test_context_menu_offers_what_the_selection_allows(qtbot, editor, demo_map, monkeypatch):
    lane1, _ = demo_map["lanes"]
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMenu.popup",
                        lambda self, pos, *a: shown.append(
                            [a.objectName() for a in self.actions() if not a.isSeparator()]))
    r = editor.scene.lanes[lane1].scene_rect()
    head = QPointF(r.left() + 10, r.center().y())
    editor.context_menu(editor.view.mapToGlobal(vpos(editor, head.x(), head.y())), head)
    assert editor.scene.selected_ids()[2] == [lane1]
    assert "flowchart_lane_up" in shown[-1] and "flowchart_lane_down" in shown[-1]
    c = editor.scene.nodes[demo_map["nodes"]["check"]].center()
    editor.context_menu(editor.view.mapToGlobal(vpos(editor, c.x(), c.y())), c)
    assert editor.scene.selected_ids()[0] == [demo_map["nodes"]["check"]]
    assert "flowchart_rename" in shown[-1] and "flowchart_lane_up" not in shown[-1]


def test_data_changing_under_a_lane_drag_ends_it_cleanly(qtbot, editor, demo_map, ws):
    """An undo (or any change) arriving mid-drag cancels the drag: later moves and the release
    store nothing and raise nothing."""
    lane1, lane2 = demo_map["lanes"]
    P.add_node(ws, demo_map["pid"], "step", 300, 60, name="Extra")  # something to undo
    editor.reload()
    l1 = geometry(ws, "process_lane", lane1)
    select(editor, lanes=[lane1])
    vp = editor.view.viewport()
    start = handle_pos(editor, "breadth")
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    qtbot.mouseMove(vp, start + QPoint(0, 30))
    assert editor.scene.dragging
    # keys wait while the mouse is held (Delete would remove the lane under the drag)
    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)
    assert lane1 in editor.scene.lanes
    editor.reload()  # the data changed (what an undo or another command does)
    assert not editor.scene.dragging
    qtbot.mouseMove(vp, start + QPoint(0, 60))
    n = stack(editor).count()
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(0, 60))
    assert stack(editor).count() == n and geometry(ws, "process_lane", lane1) == l1


def test_a_lone_lane_keeps_its_direction_during_a_drag(qtbot, controller, ws):
    from qms_desktop.ui.flowchart.editor import FlowchartEditor

    pid = P.add_process(ws, {"name": "Lone"}).result
    lane = P.add_lane(ws, pid, "Clerk").result
    records.update_fields(ws, "process_lane", lane, {"x": 0, "y": 0, "w": 300, "h": 200})
    ed = FlowchartEditor(controller)
    qtbot.addWidget(ed)
    ed.resize(1000, 700)
    ed.show()
    qtbot.waitExposed(ed)
    ed.open_process(pid)
    ed.view.zoom_actual()
    ed.view.centerOn(QPointF(150, 150))
    select(ed, lanes=[lane])
    start = handle_pos(ed, "breadth")
    vp = ed.view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    heights = []
    for dy in (50, 100, 150, 200):
        qtbot.mouseMove(vp, start + QPoint(0, dy))
        heights.append(ed.scene.lanes[lane].rect().height())
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(0, 200))
    assert heights == sorted(heights) and heights[-1] == pytest.approx(400, abs=10)
    assert geometry(ws, "process_lane", lane)[3] == pytest.approx(400, abs=10)


def test_loops_offer_no_route_handles(qtbot, editor, demo_map, ws):
    check = demo_map["nodes"]["check"]
    # (the editor draws no loops; imported maps may have them)
    loop = records.create(ws, "process_edge", {"process_id": demo_map["pid"],
                                                  "source_id": check, "target_id": check}).result
    editor.reload()
    select(editor, edges=[loop])
    assert editor.scene.handles is None or not editor.scene.handles.points


def test_shapes_without_a_lane_move_with_the_lane_they_sit_in(qtbot, editor, demo_map, ws):
    lane1, lane2 = demo_map["lanes"]
    l2 = geometry(ws, "process_lane", lane2)
    note = P.add_node(ws, demo_map["pid"], "annotation", 300, l2[1] + 40, name="Note").result
    records.update_fields(ws, "process_node", note, {"lane_id": None})
    editor.reload()
    y0 = records.get(ws, "process_node", note)["y"]
    select(editor, lanes=[lane1])
    start = handle_pos(editor, "breadth")
    drag(qtbot, editor, start, start + QPoint(0, 50))
    grow = geometry(ws, "process_lane", lane1)[3] - geometry(ws, "process_lane", lane1)[3] + \
        geometry(ws, "process_lane", lane2)[1] - l2[1]
    assert grow > 0
    assert records.get(ws, "process_node", note)["y"] == pytest.approx(y0 + grow)


def _grab(ed, scene_rect):
    from PySide6.QtCore import QRect

    QApplication.processEvents()
    ed.view.viewport().repaint()
    tl = ed.view.mapFromScene(scene_rect.topLeft())
    br = ed.view.mapFromScene(scene_rect.bottomRight())
    return ed.view.viewport().grab(QRect(tl, br)).toImage()


def test_a_rename_shows_at_once_on_the_map(qtbot, editor, demo_map, ws):
    """Labels are cached as pixmaps on screen: a new text must replace the old picture."""
    nid = demo_map["nodes"]["check"]
    item = editor.scene.nodes[nid]
    area = item.sceneBoundingRect()
    before = _grab(editor, area)
    assert _grab(editor, area) == before  # (the same picture when nothing changed)
    editor.label_edited(item, "Check the order against the quotation")
    assert records.get(ws, "process_node", nid)["name"].startswith("Check the order")
    assert _grab(editor, area) != before
    lane1, _ = demo_map["lanes"]
    lane = editor.scene.lanes[lane1]
    head = lane.mapRectToScene(lane.header_rect())
    before = _grab(editor, head)
    editor.label_edited(lane, "Customer service")
    assert _grab(editor, head) != before


def test_escape_cancels_a_shape_drag_and_a_connector_being_drawn(qtbot, editor, demo_map, ws):
    make = demo_map["nodes"]["make"]
    before = records.get(ws, "process_node", make)
    vp = editor.view.viewport()
    c = editor.scene.nodes[make].center()
    start = vpos(editor, c.x(), c.y())
    n = stack(editor).count()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        qtbot.mouseMove(vp, start + QPoint(0, -30 * i))
    assert editor.scene.nodes[make].pos().y() < before["y"]
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    assert editor.scene.nodes[make].pos().y() == before["y"]
    qtbot.mouseMove(vp, start + QPoint(0, -150))  # moves after Escape do nothing
    assert editor.scene.nodes[make].pos().y() == before["y"]
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(0, -150))
    assert stack(editor).count() == n
    row = records.get(ws, "process_node", make)
    assert (row["x"], row["y"], row["lane_id"], row["role_id"]) == (
        before["x"], before["y"], before["lane_id"], before["role_id"])
    # Alt+drag from one shape to another, Escape, release: no connector
    edges = len(P.load_map_data(ws, demo_map["pid"]).edges)
    a = editor.scene.nodes[demo_map["nodes"]["start"]].center()
    b = editor.scene.nodes[demo_map["nodes"]["end"]].center()
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, alt, vpos(editor, a.x(), a.y()))
    qtbot.mouseMove(vp, vpos(editor, b.x(), b.y()))
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, alt, vpos(editor, b.x(), b.y()))
    assert len(P.load_map_data(ws, demo_map["pid"]).edges) == edges
    assert stack(editor).count() == n


def test_a_second_identical_connector_is_refused_with_a_reason(qtbot, editor, demo_map, ws):
    start, check = demo_map["nodes"]["start"], demo_map["nodes"]["check"]
    n = len(P.load_map_data(ws, demo_map["pid"]).edges)
    assert editor.connect_nodes(start, check) is None
    assert len(P.load_map_data(ws, demo_map["pid"]).edges) == n
    assert "already leads to" in editor.last_status
    assert editor.connect_nodes(check, start) is not None  # the other way is another flow


def test_deleting_a_lane_says_where_its_shapes_went(qtbot, editor, demo_map, ws):
    _lane1, lane2 = demo_map["lanes"]
    select(editor, lanes=[lane2])
    assert editor.delete_selected()
    assert "2 shapes stay on the map" in editor.last_status
    assert records.get(ws, "process_node", demo_map["nodes"]["make"])["lane_id"] is None


def test_the_validation_list_follows_the_map(qtbot, editor, demo_map, ws):
    node = P.add_node(ws, demo_map["pid"], "step", 300, 300, name="Stray").result  # unreachable
    editor.reload()
    issues = editor.validate()
    assert any(i.node_id == node for i in issues)
    select(editor, nodes=[node])
    editor.delete_selected()
    assert all(i.node_id != node for i in editor.validation.issues)
    stack(editor).undo()
    assert any(i.node_id == node for i in editor.validation.issues)


def test_lane_and_route_actions_follow_the_selection(qtbot, editor, demo_map):
    lane1, lane2 = demo_map["lanes"]
    select(editor, lanes=[lane1])
    assert not editor.actions["lane_up"].isEnabled() and editor.actions["lane_down"].isEnabled()
    select(editor, lanes=[lane2])
    assert editor.actions["lane_up"].isEnabled() and not editor.actions["lane_down"].isEnabled()
    select(editor, nodes=[demo_map["nodes"]["check"]])
    assert not editor.actions["lane_up"].isEnabled()
    assert not editor.actions["auto_route"].isEnabled()
    # menus show the keys the map answers to
    assert editor.actions["rename"].shortcut().toString() == "F2"
    assert editor.actions["print"].shortcut().toString() == "Ctrl+P"


def test_palette_double_click_finds_a_free_spot(qtbot, editor, demo_map, ws):
    check = editor.scene.nodes[demo_map["nodes"]["check"]]
    editor.view.centerOn(check.center())  # a shape right in the middle of the view
    nid = editor.add_kind_center("step")
    new = editor.scene.nodes[nid]
    assert not new.sceneBoundingRect().intersects(check.sceneBoundingRect())
    assert new.row["lane_id"] == check.row["lane_id"]  # in the same lane, next to it


def test_paste_and_menus_follow_what_can_be_done(qtbot, editor, demo_map, controller,
                                                 monkeypatch):
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().clear()
    editor._clipboard = None
    editor._update_actions()
    assert not editor.actions["paste"].isEnabled()
    editor.scene.select_ids(nodes=[demo_map["nodes"]["check"]])
    editor.copy()
    QApplication.processEvents()
    assert editor.actions["paste"].isEnabled()
    assert editor._menu_buttons["arrange"].isEnabled()
    monkeypatch.setattr(type(controller), "read_only", property(lambda self: True))
    editor._update_actions()
    assert not editor._menu_buttons["arrange"].isEnabled()
    assert not editor._menu_buttons["layout"].isEnabled()
    assert not editor.actions["paste"].isEnabled()


def test_labels_settle_right_after_a_map_opens(qtbot, editor, demo_map):
    editor.open_process(demo_map["pid"])
    assert editor.scene.settling
    qtbot.waitUntil(lambda: not editor.scene.settling, timeout=2000)
    assert not editor.scene.rough_labels


def test_a_route_drawn_by_hand_follows_its_shapes(qtbot, editor, demo_map, ws):
    make, end = demo_map["nodes"]["make"], demo_map["nodes"]["end"]
    e4 = demo_map["edges"]["e4"]
    mx, my, mw, mh = editor.scene.nodes[make].box()
    ex, ey, ew, eh = editor.scene.nodes[end].box()
    bx = (mx + mw + ex) / 2
    route = [[mx + mw, my + mh / 2], [bx, my + mh / 2], [bx, ey + eh / 2], [ex, ey + eh / 2]]
    records.update_fields(ws, "process_edge", e4, {"waypoints": json.dumps(route)})
    editor.reload()
    c = editor.scene.nodes[end].center()
    start = vpos(editor, c.x(), c.y())
    drag(qtbot, editor, start, start + QPoint(0, 40))
    dy = records.get(ws, "process_node", end)["y"] - ey
    assert dy == pytest.approx(40, abs=10)
    kept = json.loads(records.get(ws, "process_edge", e4)["waypoints"])
    assert kept[:2] == route[:2]  # the part at the other end stays as drawn
    assert kept[2] == [bx, route[2][1] + dy] and kept[3] == [ex, route[3][1] + dy]
    assert [list(p) for p in editor.scene.edges[e4].points] == kept
    stack(editor).undo()
    assert json.loads(records.get(ws, "process_edge", e4)["waypoints"]) == route
    # a nudge keeps it too
    select(editor, nodes=[end])
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Down)
    kept = json.loads(records.get(ws, "process_edge", e4)["waypoints"])
    assert kept[:2] == route[:2] and kept[3][1] == route[3][1] + 10
