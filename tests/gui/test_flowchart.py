"""The map editor driven with the mouse and keyboard: add, connect, move, lane change, undo/redo
chains, copy/paste, delete with connectors, rename, validation, layout, exports."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.services import records  # noqa: E402
from qms_desktop.services.map_geometry import set_geometry  # noqa: E402
from dumps import geometry  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- fixtures



# messages shown are recorded instead (the shared ``shown`` fixture in conftest.py)
pytestmark = pytest.mark.usefixtures("shown")


@pytest.fixture
def demo_map(ws):
    """Two lanes (Sales, Production, each with a role), a flow with a decision and a loop."""
    with ws.session() as s:
        from qms_desktop.storage import models as m

        sales, prod = m.Role(name="Sales clerk"), m.Role(name="Machinist")
        s.add_all([sales, prod])
        s.flush()
        roles = {"sales": sales.id, "prod": prod.id}
    pid = P.add_process(ws, {"name": "Order to delivery", "code": "P1"}).result
    lane1 = P.add_lane(ws, pid, "Sales clerk", roles["sales"]).result
    lane2 = P.add_lane(ws, pid, "Machinist", roles["prod"]).result
    ids = {}
    for key, kind, x, y, lane, name in (
            ("start", "start", 82, 62, lane1, "Order in"),
            ("check", "step", 200, 40, lane1, "Check order"),
            ("ok", "decision", 355, 55, lane1, "OK?"),
            ("make", "step", 460, 200, lane2, "Make parts"),
            ("end", "end", 642, 222, lane2, "Shipped")):
        ids[key] = P.add_node(ws, pid, kind, x, y, lane_id=lane, name=name).result
    edges = {}
    for key, a, b, label in (("e1", "start", "check", ""), ("e2", "check", "ok", ""),
                             ("e3", "ok", "make", "yes"), ("e4", "make", "end", ""),
                             ("e5", "ok", "check", "no")):
        edges[key] = P.add_edge(ws, pid, ids[a], ids[b], label=label).result
    return {"pid": pid, "lanes": (lane1, lane2), "roles": roles, "nodes": ids, "edges": edges}


@pytest.fixture
def editor(qtbot, controller, demo_map):
    from qms_desktop.ui.flowchart.editor import FlowchartEditor

    ed = FlowchartEditor(controller)
    qtbot.addWidget(ed)
    ed.resize(1300, 800)
    ed.show()
    qtbot.waitExposed(ed)
    ed.open_process(demo_map["pid"])
    ed.view.zoom_actual()
    ed.view.centerOn(QPointF(350, 160))
    QApplication.processEvents()
    return ed


def node_row(ws, nid):
    return records.get(ws, "process_node", nid)


def vpos(ed, x, y) -> QPoint:
    """Viewport coordinates of scene point (x, y)."""
    return ed.view.mapFromScene(QPointF(x, y))


def center_of(ed, nid) -> QPoint:
    c = ed.scene.nodes[nid].center()
    return vpos(ed, c.x(), c.y())


def drag(qtbot, ed, start: QPoint, end: QPoint, steps: int = 6, modifier=Qt.KeyboardModifier.NoModifier):
    vp = ed.view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, modifier, start)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        qtbot.mouseMove(vp, p)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, modifier, end)


def stack(ed):
    return ed.controller.undo_stack


# --------------------------------------------------------------------------- adding, connecting


def drop_kind(ed, kind: str, at: QPoint) -> None:
    md = ed.palette_list.mime_for(kind)
    vp = ed.view.viewport()
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(at, actions, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(at, actions, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, move)
    drop = QDropEvent(QPointF(at), actions, md, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, drop)


def test_add_from_palette_drop_into_lane_and_undo(editor, controller, demo_map, ws):
    before = set(editor.scene.nodes)
    drop_kind(editor, "step", vpos(editor, 300, 230))
    added = set(editor.scene.nodes) - before
    assert len(added) == 1
    nid = added.pop()
    row = node_row(ws, nid)
    assert row["kind"] == "step"
    assert (row["x"] + row["w"] / 2, row["y"] + row["h"] / 2) == (300, 230)  # snapped centre
    assert row["lane_id"] == demo_map["lanes"][1]
    assert row["role_id"] == demo_map["roles"]["prod"]
    assert editor.scene.nodes[nid].isSelected()
    controller.undo()
    assert nid not in editor.scene.nodes
    with pytest.raises(records.RecordError):
        node_row(ws, nid)
    controller.redo()
    assert nid in editor.scene.nodes and node_row(ws, nid)["lane_id"] == demo_map["lanes"][1]


def test_palette_double_click_adds_in_the_middle(qtbot, editor):
    before = set(editor.scene.nodes)
    item = editor.palette_list.item(2)
    assert item.data(Qt.ItemDataRole.UserRole) == "decision"
    rect = editor.palette_list.visualItemRect(item)
    vp = editor.palette_list.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click
    qtbot.mouseDClick(vp, Qt.MouseButton.LeftButton, pos=rect.center())  # starts with a click
    added = set(editor.scene.nodes) - before
    assert len(added) == 1
    item = editor.scene.nodes[added.pop()]
    assert item.kind == "decision"
    # in the middle of the view, or the nearest free spot (no shape under the new one)
    centre = editor.view.mapToScene(editor.view.viewport().rect().center())
    assert abs(item.center().x() - centre.x()) <= 250 and abs(item.center().y() - centre.y()) <= 250
    assert not any(o.sceneBoundingRect().intersects(item.sceneBoundingRect())
                   for o in editor.scene.nodes.values() if o is not item)


def test_connect_mode_draws_a_connector(qtbot, editor, controller, demo_map, ws):
    n = demo_map["nodes"]
    editor.actions["connect"].setChecked(True)
    drag(qtbot, editor, center_of(editor, n["start"]), center_of(editor, n["end"]))
    new = [e for e in editor.scene.edges.values()
           if (e.source.nid, e.target.nid) == (n["start"], n["end"])]
    assert len(new) == 1
    eid = new[0].eid
    assert records.get(ws, "process_edge", eid)["kind"] == "sequence"
    assert stack(editor).count() == 1
    controller.undo()
    assert eid not in editor.scene.edges


def test_alt_drag_from_decision_labels_exits(qtbot, editor, demo_map, ws):
    n = demo_map["nodes"]
    p = P.add_node(ws, demo_map["pid"], "step", 460, 40, name="Reject").result
    editor.reload()
    drag(qtbot, editor, center_of(editor, n["ok"]), center_of(editor, p),
         modifier=Qt.KeyboardModifier.AltModifier)
    edge = [e for e in editor.scene.edges.values() if e.target.nid == p][0]
    assert edge.row["label"] == ""  # "yes" and "no" exist: a third exit gets no default label
    assert edge.source.nid == n["ok"]


# --------------------------------------------------------------------------- moving


def test_drag_of_two_shapes_is_one_undo_step(qtbot, editor, controller, demo_map, ws):
    n = demo_map["nodes"]
    a, b = n["check"], n["make"]
    before = {i: (node_row(ws, i)["x"], node_row(ws, i)["y"]) for i in (a, b)}
    editor.scene.select_ids(nodes=[a, b])
    start = center_of(editor, a)
    drag(qtbot, editor, start, start + QPoint(60, 0), steps=8)
    after = {i: (node_row(ws, i)["x"], node_row(ws, i)["y"]) for i in (a, b)}
    assert after[a][0] == pytest.approx(before[a][0] + 60, abs=10)
    assert after[b][0] - before[b][0] == pytest.approx(after[a][0] - before[a][0])
    assert stack(editor).count() == 1
    # the connectors followed their shapes
    e1 = editor.scene.edges[demo_map["edges"]["e1"]]
    assert e1.points[-1][0] == pytest.approx(editor.scene.nodes[a].pos().x(), abs=0.5)
    controller.undo()
    assert {i: (node_row(ws, i)["x"], node_row(ws, i)["y"]) for i in (a, b)} == before
    assert (editor.scene.nodes[a].pos().x(), editor.scene.nodes[a].pos().y()) == before[a]
    controller.redo()
    assert {i: (node_row(ws, i)["x"], node_row(ws, i)["y"]) for i in (a, b)} == after


def test_dragging_a_step_into_another_lane_changes_its_role(qtbot, editor, controller, demo_map, ws):
    n, lanes, roles = demo_map["nodes"], demo_map["lanes"], demo_map["roles"]
    set_geometry(ws, edges={demo_map["edges"]["e1"]: "[[118, 80], [200, 80]]"})
    editor.reload()
    start = center_of(editor, n["check"])
    drag(qtbot, editor, start, start + QPoint(0, 160))
    row = node_row(ws, n["check"])
    assert row["lane_id"] == lanes[1]
    assert row["role_id"] == roles["prod"]
    assert records.get(ws, "process_edge", demo_map["edges"]["e1"])["waypoints"] == ""
    assert stack(editor).count() == 1
    assert "lane" in stack(editor).undoText().lower()
    controller.undo()
    row = node_row(ws, n["check"])
    assert (row["lane_id"], row["role_id"]) == (lanes[0], roles["sales"])
    assert records.get(ws, "process_edge", demo_map["edges"]["e1"])["waypoints"] == \
        "[[118, 80], [200, 80]]"
    controller.redo()
    assert node_row(ws, n["check"])["role_id"] == roles["prod"]


def test_arrow_nudges_merge_into_one_step(qtbot, editor, controller, demo_map, ws):
    nid = demo_map["nodes"]["make"]
    x0 = node_row(ws, nid)["x"]
    editor.scene.select_ids(nodes=[nid])
    editor.view.setFocus()
    for _ in range(3):
        qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    qtbot.keyClick(editor.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    row = node_row(ws, nid)
    assert row["x"] == x0 + 30 and row["y"] == 201
    assert stack(editor).count() == 1
    controller.undo()
    row = node_row(ws, nid)
    assert (row["x"], row["y"]) == (x0, 200)


def test_align_and_distribute(editor, controller, demo_map, ws):
    n = demo_map["nodes"]
    editor.scene.select_ids(nodes=[n["check"], n["make"], n["end"]])
    assert editor.align("top")
    ys = {node_row(ws, i)["y"] for i in (n["check"], n["make"], n["end"])}
    assert ys == {40}
    assert editor.distribute("h")
    cx = sorted(node_row(ws, i)["x"] + node_row(ws, i)["w"] / 2
                for i in (n["check"], n["make"], n["end"]))
    assert cx[1] - cx[0] == pytest.approx(cx[2] - cx[1])
    controller.undo()
    controller.undo()
    assert node_row(ws, n["make"])["y"] == 200


# --------------------------------------------------------------------------- delete, clipboard


def test_delete_takes_connectors_and_undo_brings_both_back(qtbot, editor, controller, demo_map, ws):
    n, e = demo_map["nodes"], demo_map["edges"]
    touching = {e["e2"], e["e3"], e["e5"]}
    editor.scene.select_ids(nodes=[n["ok"]])
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)
    assert n["ok"] not in editor.scene.nodes
    assert not touching & set(editor.scene.edges)
    for eid in touching:
        with pytest.raises(records.RecordError):
            records.get(ws, "process_edge", eid)
    assert stack(editor).count() == 1
    controller.undo()
    assert n["ok"] in editor.scene.nodes and touching <= set(editor.scene.edges)
    assert records.get(ws, "process_edge", e["e3"])["label"] == "yes"
    controller.redo()
    assert n["ok"] not in editor.scene.nodes


def test_copy_paste_with_keyboard(qtbot, editor, controller, demo_map, ws):
    n = demo_map["nodes"]
    editor.scene.select_ids(nodes=[n["make"], n["end"]])
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    before_nodes, before_edges = set(editor.scene.nodes), set(editor.scene.edges)
    qtbot.keyClick(editor.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    new_nodes = set(editor.scene.nodes) - before_nodes
    new_edges = set(editor.scene.edges) - before_edges
    assert len(new_nodes) == 2 and len(new_edges) == 1
    names = sorted(node_row(ws, i)["name"] for i in new_nodes)
    assert names == ["Make parts", "Shipped"]
    copy = [i for i in new_nodes if node_row(ws, i)["name"] == "Make parts"][0]
    assert node_row(ws, copy)["x"] == node_row(ws, n["make"])["x"] + 20
    assert {i.nid for i in editor.scene.selectedItems() if hasattr(i, "nid")} == new_nodes
    assert stack(editor).count() == 1
    controller.undo()
    assert not new_nodes & set(editor.scene.nodes)
    controller.redo()
    assert new_nodes <= set(editor.scene.nodes)


def test_cut_is_copy_plus_delete(qtbot, editor, controller, demo_map):
    nid = demo_map["nodes"]["end"]
    editor.scene.select_ids(nodes=[nid])
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert nid not in editor.scene.nodes
    qtbot.keyClick(editor.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert any(i.row["name"] == "Shipped" for i in editor.scene.nodes.values())


# --------------------------------------------------------------------------- labels


def test_f2_renames_in_place(qtbot, editor, controller, demo_map, ws):
    nid = demo_map["nodes"]["make"]
    editor.scene.select_ids(nodes=[nid])
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_F2)
    assert editor.scene.editor is not None
    qtbot.keyClicks(editor.view, "Machine parts")
    qtbot.keyClick(editor.view, Qt.Key.Key_Return)
    assert node_row(ws, nid)["name"] == "Machine parts"
    assert editor.scene.nodes[nid].label.text == "Machine parts"
    assert editor.scene.editor is None
    controller.undo()
    assert node_row(ws, nid)["name"] == "Make parts"
    assert editor.scene.nodes[nid].label.text == "Make parts"


def test_escape_cancels_rename_and_double_click_edits(qtbot, editor, demo_map, ws):
    nid = demo_map["nodes"]["check"]
    qtbot.mouseDClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=center_of(editor, nid))
    assert editor.scene.editor is not None and editor.scene.editor.target.nid == nid
    qtbot.keyClicks(editor.view, "zzz")
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    assert editor.scene.editor is None
    assert node_row(ws, nid)["name"] == "Check order"
    assert editor.controller.undo_stack.count() == 0


def test_edge_label_rename(qtbot, editor, controller, demo_map, ws):
    eid = demo_map["edges"]["e3"]
    editor.scene.select_ids(edges=[eid])
    assert editor.rename_selected()
    editor.scene.editor.setPlainText("accepted")
    editor.scene.editor.finish(True)
    assert records.get(ws, "process_edge", eid)["label"] == "accepted"
    assert editor.scene.edges[eid].label.text == "accepted"


# --------------------------------------------------------------------------- undo chain


def test_undo_redo_chain_returns_to_each_state(qtbot, editor, controller, demo_map, ws):
    def state():
        data = P.load_map_data(ws, demo_map["pid"])
        nodes = sorted((r["id"], r["name"], r["x"], r["y"], r["lane_id"], r["role_id"])
                       for r in data.nodes)
        edges = sorted((r["id"], r["source_id"], r["target_id"], r["label"]) for r in data.edges)
        return nodes, edges

    states = [state()]
    nid = editor.add_kind_at("step", QPointF(300, 250))
    states.append(state())
    editor.scene.select_ids(nodes=[nid])
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_F2)
    qtbot.keyClicks(editor.view, "Deburr")
    qtbot.keyClick(editor.view, Qt.Key.Key_Return)
    states.append(state())
    editor.connect_nodes(demo_map["nodes"]["make"], nid)
    states.append(state())
    start = center_of(editor, nid)
    drag(qtbot, editor, start, start + QPoint(0, -150))  # into the Sales lane
    states.append(state())
    editor.scene.select_ids(nodes=[demo_map["nodes"]["make"]])
    editor.delete_selected()
    states.append(state())
    assert stack(editor).count() == 5
    for want in reversed(states[:-1]):
        controller.undo()
        assert state() == want
    for want in states[1:]:
        controller.redo()
        assert state() == want
    # and the scene mirrors the data
    data = P.load_map_data(ws, demo_map["pid"])
    assert set(editor.scene.nodes) == {r["id"] for r in data.nodes}
    assert set(editor.scene.edges) == {r["id"] for r in data.edges}


# --------------------------------------------------------------------------- validation, layout


def test_validation_lists_issues_and_click_selects(qtbot, editor, demo_map, ws):
    lonely = P.add_node(ws, demo_map["pid"], "step", 700, 40, name="Lonely step").result
    editor.reload()
    qtbot.mouseClick(editor.validation.button, Qt.MouseButton.LeftButton)
    lst = editor.validation.list
    texts = [lst.item(i).text() for i in range(lst.count())]
    assert any("Lonely step" in t and "reached" in t for t in texts)
    row = next(i for i, t in enumerate(texts) if "Lonely step" in t)
    item = lst.item(row)
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(item).center())
    assert [i.nid for i in editor.scene.selectedItems()] == [lonely]


def test_auto_layout_is_undoable(editor, controller, demo_map, ws):
    snap = geometry(ws, demo_map["pid"])
    assert editor.auto_layout("LR")
    assert geometry(ws, demo_map["pid"]) != snap
    assert stack(editor).count() == 1
    controller.undo()
    assert geometry(ws, demo_map["pid"]) == snap
    item = editor.scene.nodes[demo_map["nodes"]["make"]]
    assert (item.pos().x(), item.pos().y()) == snap["nodes"][demo_map["nodes"]["make"]][:2]
    controller.redo()
    assert geometry(ws, demo_map["pid"]) != snap


# --------------------------------------------------------------------------- view


def test_zoom_wheel_fit_and_actual_size(qtbot, editor):
    from PySide6.QtGui import QWheelEvent

    view = editor.view
    z0 = view.zoom()
    vp = view.viewport()
    pos = QPointF(vp.rect().center())
    ev = QWheelEvent(pos, vp.mapToGlobal(pos), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, ev)
    assert view.zoom() == pytest.approx(z0 * 1.2)
    view.set_zoom(0.1)
    assert not editor.scene.detail  # labels are not drawn when too small to read
    assert not next(iter(editor.scene.nodes.values())).label.isVisible()
    view.zoom_actual()
    assert view.zoom() == 1.0 and editor.scene.detail
    view.zoom_fit()
    vis = view.visible_scene_rect()
    for item in editor.scene.nodes.values():
        assert vis.contains(item.sceneBoundingRect())


def test_subprocess_double_click_opens_its_map_and_back(qtbot, editor, controller, demo_map, ws):
    sub_pid = P.add_process(ws, {"name": "Machining"}).result
    P.add_node(ws, sub_pid, "step", 100, 100, name="Mill")
    sp = P.add_node(ws, demo_map["pid"], "subprocess", 460, 40, name="Machining").result
    records.update_fields(ws, "process_node", sp, {"subprocess_id": sub_pid})
    editor.reload()
    qtbot.mouseDClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=center_of(editor, sp))
    assert editor.process_id == sub_pid
    assert [i.row["name"] for i in editor.scene.nodes.values()] == ["Mill"]
    qtbot.mouseClick(editor.back_button, Qt.MouseButton.LeftButton)
    assert editor.process_id == demo_map["pid"]


def test_nested_subprocess_content_opens_in_place(qtbot, editor, demo_map, ws):
    sp = P.add_node(ws, demo_map["pid"], "subprocess", 460, 40, name="Pack").result
    inner = P.add_node(ws, demo_map["pid"], "step", 900, 900, name="Wrap").result
    records.update_fields(ws, "process_node", inner, {"parent_node_id": sp})
    records.update_fields(ws, "process_node", sp, {"extra": json.dumps(
        {"di": {"attrs": {"isExpanded": "false"}}})})
    editor.reload()
    assert inner not in editor.scene.nodes
    editor.node_double_clicked(editor.scene.nodes[sp])
    assert (editor.process_id, editor.container) == (demo_map["pid"], sp)
    assert set(editor.scene.nodes) == {inner}
    assert "Pack" in editor.title_label.text()
    editor.go_back()
    assert editor.container is None and inner not in editor.scene.nodes


def test_properties_panel_edits_role_duration_and_links(qtbot, editor, controller, demo_map, ws,
                                                        monkeypatch):
    from qms_desktop.storage import models as m
    from qms_desktop.ui.flowchart import properties

    with ws.session() as s:
        doc = m.Document(number="WI-7", title="Machining instruction")
        s.add(doc)
        s.flush()
        doc_id = doc.id
    nid = demo_map["nodes"]["make"]
    editor.scene.select_ids(nodes=[nid])
    panel = editor.properties
    assert panel.stack.currentWidget() is panel.node_page
    assert panel.name_edit.text() == "Make parts"
    i = panel.role_combo.findData(demo_map["roles"]["sales"])
    panel.role_combo.setCurrentIndex(i)
    panel.role_combo.activated.emit(i)
    assert node_row(ws, nid)["role_id"] == demo_map["roles"]["sales"]
    panel.duration.setValue(45)
    panel.duration.editingFinished.emit()
    assert node_row(ws, nid)["duration_minutes"] == 45
    panel.forget_choices()
    monkeypatch.setattr(properties.ChooserDialog, "choose",
                        classmethod(lambda cls, parent, title, choices: choices[0][0]))
    qtbot.mouseClick(panel.links["document"].add, Qt.MouseButton.LeftButton)
    assert panel.links["document"].ids() == [doc_id]
    assert P.step_links(ws, nid).documents == [(doc_id, "WI-7 Machining instruction")]
    controller.undo()
    assert P.step_links(ws, nid).documents == []
    assert panel.links["document"].ids() == []
    controller.undo()
    controller.undo()
    assert node_row(ws, nid)["role_id"] == demo_map["roles"]["prod"]


def test_refused_move_is_put_back_and_leaves_no_undo_step(qtbot, editor, controller, demo_map,
                                                          ws, monkeypatch):
    monkeypatch.setattr(ws, "read_only", True)  # the controller refuses every change
    nid = demo_map["nodes"]["make"]
    start = center_of(editor, nid)
    x0 = node_row(ws, nid)["x"]
    drag(qtbot, editor, start, start + QPoint(80, 0))
    assert controller.errors  # told the user
    assert node_row(ws, nid)["x"] == x0
    assert editor.scene.nodes[nid].pos().x() == x0  # put back where the data says
    assert stack(editor).count() == 0


def test_read_only_workspace_shapes_do_not_move(qtbot, editor, controller, demo_map, ws,
                                                monkeypatch):
    monkeypatch.setattr(ws, "read_only", True)
    editor.open_process(demo_map["pid"])
    editor.view.zoom_actual()
    editor.view.centerOn(QPointF(350, 160))
    nid = demo_map["nodes"]["make"]
    assert not editor.actions["delete"].isEnabled()
    assert not editor.palette_list.isEnabled()
    start = center_of(editor, nid)
    drag(qtbot, editor, start, start + QPoint(80, 0))
    assert editor.scene.nodes[nid].pos().x() == node_row(ws, nid)["x"]
    assert not controller.errors and stack(editor).count() == 0


# --------------------------------------------------------------------------- export, import


def png_dpi(path: Path) -> float:
    data = path.read_bytes()
    i = data.index(b"pHYs")
    ppm_x, _ppm_y, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1
    return ppm_x * 0.0254


def test_export_png_svg_pdf(editor, demo_map, tmp_path, shown):
    from qms_desktop.ui.flowchart import render

    rect = render.build_scene(editor.ws, demo_map["pid"]).map_rect(tight=True)
    png = editor.export_image("png", tmp_path / "map.png", dpi=200)
    img = QImage(str(png))
    assert (img.width(), img.height()) == (math.ceil(rect.width() * 200 / 96),
                                           math.ceil(rect.height() * 200 / 96))
    assert png_dpi(png) == pytest.approx(200, abs=0.5)
    # not blank: some pixels are darker than the background
    assert any(img.pixelColor(x, img.height() // 2).lightness() < 200
               for x in range(0, img.width(), 3))
    svg = editor.export_image("svg", tmp_path / "map.svg")
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Make parts" in text
    pdf = editor.export_image("pdf", tmp_path / "map.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    assert not shown


def test_png_too_large_is_refused_with_advice(editor, tmp_path, monkeypatch, shown):
    from qms_desktop.ui.flowchart import render

    monkeypatch.setattr(render, "MAX_PIXELS", 10_000)
    assert editor.export_image("png", tmp_path / "big.png", dpi=600) is None
    assert shown and "dpi" in shown[0] and "SVG" in shown[0]
    assert not (tmp_path / "big.png").exists()


def test_render_map_works_headless(ws, demo_map, tmp_path):
    """``qms export diagram`` calls render_map in a process without any Qt application."""
    ws_path = str(ws.path)
    ws.close()
    out = tmp_path / "headless.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY",
                                                           "WAYLAND_DISPLAY")}
    code = ("import sys; from qms_desktop.storage.workspace import open_workspace; "
            "from qms_desktop.ui.flowchart.render import render_map; "
            f"ws = open_workspace({ws_path!r}, read_only=True); "
            f"p = render_map(ws, {demo_map['pid']}, {str(out)!r}, dpi=96); print(p)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    img = QImage(str(out))
    assert img.width() > 300 and img.height() > 150


def test_render_map_rejects_unknown_format(ws, demo_map, tmp_path):
    from qms_desktop.ui.flowchart.render import DiagramExportError, render_map

    with pytest.raises(DiagramExportError, match=r"\.png, \.svg or \.pdf"):
        render_map(ws, demo_map["pid"], tmp_path / "map.gif")


def test_import_bpmn_as_new_process_and_undo(qtbot, editor, controller, corpus_dir, ws, shown):
    count = len(P.list_processes(ws))
    pid = editor.import_file("bpmn", corpus_dir / "bpmn" / "A.2.0.bpmn")
    assert pid is not None and editor.process_id == pid
    assert len(editor.scene.nodes) > 5 and editor.scene.edges
    assert len(P.list_processes(ws)) == count + 1
    controller.undo()
    assert len(P.list_processes(ws)) == count
    assert editor.process_id is None  # the shown process went away with the undo
    assert not shown


DRAWIO = """<mxfile><diagram name="Page-1"><mxGraphModel><root>
<mxCell id="0"/><mxCell id="1" parent="0"/>
<mxCell id="L" value="Sales clerk" style="swimlane;horizontal=0;" vertex="1" parent="1">
  <mxGeometry x="0" y="0" width="600" height="150" as="geometry"/></mxCell>
<mxCell id="a" value="Start" style="ellipse;" vertex="1" parent="L">
  <mxGeometry x="60" y="50" width="40" height="40" as="geometry"/></mxCell>
<mxCell id="b" value="Check order" style="rounded=1;" vertex="1" parent="L">
  <mxGeometry x="160" y="40" width="120" height="60" as="geometry"/></mxCell>
<mxCell id="e" edge="1" source="a" target="b" parent="1"><mxGeometry relative="1" as="geometry"/></mxCell>
</root></mxGraphModel></diagram></mxfile>"""


def test_import_drawio(qtbot, editor, controller, demo_map, ws, tmp_path, shown):
    path = tmp_path / "order.drawio"
    path.write_text(DRAWIO, encoding="utf-8")
    pid = editor.import_file("drawio", path)
    assert pid is not None and editor.process_id == pid
    assert [i.row["name"] for i in editor.scene.lanes.values()] == ["Sales clerk"]
    step = next(i for i in editor.scene.nodes.values() if i.row["name"] == "Check order")
    assert step.row["role_id"] == demo_map["roles"]["sales"]  # the lane named a known role
    assert len(editor.scene.edges) == 1
    assert not shown


def test_hostile_import_shows_the_message_and_stores_nothing(qtbot, editor, ws, tmp_path, shown):
    bomb = tmp_path / "bomb.bpmn"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;'
                    '</definitions>', encoding="utf-8")
    count = len(P.list_processes(ws))
    assert editor.import_file("bpmn", bomb) is None
    assert shown and len(shown[0]) > 20
    assert len(P.list_processes(ws)) == count
    shown.clear()
    assert editor.import_file("bpmn", tmp_path / "missing.bpmn") is None
    assert shown and "could not be read" in shown[0]


def test_export_bpmn(editor, demo_map, tmp_path):
    path = editor.export_bpmn(tmp_path / "map.bpmn")
    data = path.read_bytes()
    assert b"definitions" in data and b"Make parts" in data and b"BPMNDiagram" in data


# --------------------------------------------------------------------------- items follow


def test_connectors_follow_moving_shapes_without_touching_the_data(editor, demo_map, ws):
    item = editor.scene.nodes[demo_map["nodes"]["end"]]
    edge = editor.scene.edges[demo_map["edges"]["e4"]]
    item.move_to(item.pos().x(), item.pos().y() + 80)
    x, y, w, h = item.box()
    ex, ey = edge.points[-1]
    assert x - 0.5 <= ex <= x + w + 0.5 and y - 0.5 <= ey <= y + h + 0.5
    assert node_row(ws, item.nid)["y"] == 222  # the scene never writes
    editor.reload()
    assert item.pos().y() == 222  # and the data wins on the next sync


def test_middle_button_pans_and_overview_click_moves_the_view(qtbot, editor):
    view = editor.view
    view.set_zoom(2.0)
    h0, v0 = view.horizontalScrollBar().value(), view.verticalScrollBar().value()
    vp = view.viewport()
    c = vp.rect().center()
    qtbot.mousePress(vp, Qt.MouseButton.MiddleButton, pos=c)
    qtbot.mouseMove(vp, c + QPoint(-60, -40))
    qtbot.mouseRelease(vp, Qt.MouseButton.MiddleButton, pos=c + QPoint(-60, -40))
    assert view.horizontalScrollBar().value() == h0 + 60
    assert view.verticalScrollBar().value() == v0 + 40
    ov = editor.overview
    ov.render_now()
    target = ov._target
    qtbot.mouseClick(ov, Qt.MouseButton.LeftButton, pos=target.bottomRight().toPoint() - QPoint(3, 3))
    centre = view.mapToScene(vp.rect().center())
    src = ov._source
    assert centre.x() > src.center().x() and centre.y() > src.center().y()


def test_lane_role_change_reassigns_the_lane_shapes_in_one_step(editor, controller, demo_map, ws):
    lane1 = demo_map["lanes"][0]
    editor.scene.select_ids(lanes=[lane1])
    panel = editor.properties
    assert panel.stack.currentWidget() is panel.lane_page
    i = panel.lane_role.findData(demo_map["roles"]["prod"])
    panel.lane_role.setCurrentIndex(i)
    panel.lane_role.activated.emit(i)
    in_lane = [demo_map["nodes"][k] for k in ("start", "check", "ok")]
    assert records.get(ws, "process_lane", lane1)["role_id"] == demo_map["roles"]["prod"]
    assert {node_row(ws, n)["role_id"] for n in in_lane} == {demo_map["roles"]["prod"]}
    assert stack(editor).count() == 1
    controller.undo()
    assert {node_row(ws, n)["role_id"] for n in in_lane} == {demo_map["roles"]["sales"]}


def test_dark_palette_gives_a_dark_canvas(qtbot, ws, demo_map):
    from PySide6.QtGui import QColor, QPalette

    from qms_desktop.ui.flowchart.scene import MapScene
    from qms_desktop.ui.flowchart.style import DARK, LIGHT, theme_for
    from qms_desktop.ui.flowchart.view import MapView

    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Base, QColor("#202124"))
    assert theme_for(pal) is DARK
    pal.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    assert theme_for(pal) is LIGHT
    scene = MapScene(DARK)
    scene.load(P.load_map_data(ws, demo_map["pid"]))
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    img = view.viewport().grab().toImage()
    assert img.pixelColor(2, 2).lightness() < 80  # the canvas is dark
    edge = next(iter(scene.edges.values()))
    assert edge.pen().color().lightness() > 150  # connectors are light on it


def test_benchmark_runs_on_a_small_map(ws, demo_map):
    """bench/flowchart.py measures the real editor (here on a small map, quick mode)."""
    import sys

    sys.path.insert(0, str(ROOT))
    from bench.flowchart import bench_flowchart, figures

    path = ws.path
    ws.close()
    r = bench_flowchart(path, demo_map["pid"], quick=True)
    assert r["nodes"] == 5 and r["edges"] == 5
    assert r["undo_steps_after_drag"] == 1 and r["dragged_px"] != 0
    assert r["open_first_paint_s"] > 0 and r["repaint_fit_ms"] > 0 and r["drag_move_ms"] > 0
    assert r["repaint_labels_ms"] > 0 and r["labels_shown"] > 0  # (with labels, at 25 %)
    assert len(figures(r)) == 7


def test_add_lane_for_a_role_then_drop_a_step_into_it(qtbot, editor, controller, demo_map, ws,
                                                      monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getItem",
                        staticmethod(lambda *a, **k: ("Machinist", True)))
    lid = editor.add_lane()
    lane = records.get(ws, "process_lane", lid)
    assert lane["role_id"] == demo_map["roles"]["prod"] and lane["y"] == 320
    assert lid in editor.scene.lanes
    nid = editor.add_kind_at("step", QPointF(300, 400))
    assert node_row(ws, nid)["lane_id"] == lid
    assert node_row(ws, nid)["role_id"] == demo_map["roles"]["prod"]
    controller.undo()
    controller.undo()
    assert lid not in editor.scene.lanes


def test_a_wide_map_opens_readable_and_fit_still_fits(qtbot, editor, demo_map, ws):
    from qms_desktop.ui.flowchart.style import DETAIL_SCALE
    from qms_desktop.ui.flowchart.view import READABLE_SCALE

    pid = demo_map["pid"]
    for i in range(30):  # a long flow: fitting all of it would hide every label
        P.add_node(ws, pid, "step", 800 + i * 160, 40, name=f"Step {i}")
    editor.open_process(pid)
    QApplication.processEvents()
    view = editor.view
    assert view.zoom() == pytest.approx(READABLE_SCALE)
    assert editor.scene.detail  # labels are drawn
    start = editor.scene.nodes[demo_map["nodes"]["start"]]
    assert view.visible_scene_rect().contains(start.sceneBoundingRect())
    assert editor.zoom_label.text() == "Zoom: 75 %"
    editor.resize(1200, 700)  # a resize before the user touches the view keeps it readable
    QApplication.processEvents()
    assert view.zoom() == pytest.approx(READABLE_SCALE)
    editor.actions["zoom_fit"].trigger()  # Fit shows the whole map, however small
    assert view.zoom() < DETAIL_SCALE
    vis = view.visible_scene_rect()
    for item in editor.scene.nodes.values():
        assert vis.contains(item.sceneBoundingRect())
