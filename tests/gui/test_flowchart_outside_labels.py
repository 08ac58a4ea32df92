"""Shapes whose label is drawn outside them (events, data objects, process inputs) take the label
the BPMN file placed with them when they are moved: the stored label box moves in the same service
call (one undo step), so a reopened map, the diagram image and the BPMN export all draw it beside
the shape, and undo puts it back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from qms_desktop.core.mapedit import label_extra  # noqa: E402
from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.services.imports.bpmn import read_bpmn  # noqa: E402
from qms_desktop.services.map_geometry import set_geometry  # noqa: E402
from qms_desktop.ui.flowchart import render  # noqa: E402

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
      'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"')

FILE = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="D" targetNamespace="urn:t">
  <bpmn:process id="P">
    <bpmn:ioSpecification id="IO">
      <bpmn:dataInput id="In" name="Role required"/>
      <bpmn:inputSet id="IS"><bpmn:dataInputRefs>In</bpmn:dataInputRefs></bpmn:inputSet>
      <bpmn:outputSet id="OS"/>
    </bpmn:ioSpecification>
    <bpmn:startEvent id="S" name="Job vacancy"><bpmn:outgoing>F</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="T" name="Write job posting"><bpmn:incoming>F</bpmn:incoming></bpmn:task>
    <bpmn:sequenceFlow id="F" sourceRef="S" targetRef="T"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="P">
      <bpmndi:BPMNShape id="S_di" bpmnElement="S"><dc:Bounds x="100" y="100" width="36" height="36"/>
        <bpmndi:BPMNLabel><dc:Bounds x="90" y="140" width="60" height="14"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="In_di" bpmnElement="In"><dc:Bounds x="100" y="250" width="36" height="50"/>
        <bpmndi:BPMNLabel><dc:Bounds x="80" y="305" width="80" height="14"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="T_di" bpmnElement="T"><dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="F_di" bpmnElement="F"><di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


def _import(ws) -> tuple[int, dict[str, int]]:
    pid = P.save_map(ws, read_bpmn(FILE).map, name="Hiring").result
    ids = {r["name"]: r["id"] for r in P.load_map_data(ws, pid).nodes}
    return pid, ids


def _stored_label(ws, pid: int, nid: int) -> list[float]:
    row = next(r for r in P.load_map_data(ws, pid).nodes if r["id"] == nid)
    return json.loads(row["extra"])["di"]["label"]["bounds"]


def _drawn_label(ws, pid: int, nid: int) -> tuple[float, float]:
    """Top-left of the label's area as a freshly built scene (reopen, image) draws it."""
    scene = render.build_scene(ws, pid)
    try:
        lab = scene.nodes[nid].label
        r = lab.mapRectToScene(lab.boundingRect())
        return r.x(), r.y()
    finally:
        scene.clear()


def _exported_label(ws, pid: int, bpmn_id: str) -> tuple[float, float]:
    xml = P.export_bpmn_bytes(ws, pid).decode()
    shape = re.search(rf'<bpmndi:BPMNShape[^>]*bpmnElement="{bpmn_id}".*?</bpmndi:BPMNShape>',
                      xml, re.S).group(0)
    label = re.search(r"<bpmndi:BPMNLabel.*?<dc:Bounds ([^>]*)/>", shape, re.S).group(1)
    got = dict(re.findall(r'(\w+)="([^"]*)"', label))
    return float(got["x"]), float(got["y"])


@pytest.mark.parametrize("name,bpmn_id,label", [("Job vacancy", "S", (90, 140)),
                                                 ("Role required", "In", (80, 305))])
def test_a_moved_shape_takes_its_label_along_in_the_stored_data(ws, name, bpmn_id, label):
    pid, ids = _import(ws)
    nid = ids[name]
    assert _drawn_label(ws, pid, nid) == pytest.approx(label, abs=0.01)
    row = next(r for r in P.load_map_data(ws, pid).nodes if r["id"] == nid)
    P.move_nodes(ws, {nid: (row["x"] + 40, row["y"] + 15)})
    want = (label[0] + 40, label[1] + 15)
    assert _stored_label(ws, pid, nid)[:2] == pytest.approx(list(want))
    assert _drawn_label(ws, pid, nid) == pytest.approx(want, abs=0.01)
    assert _exported_label(ws, pid, bpmn_id) == pytest.approx(want)


def test_geometry_edits_lane_moves_and_resizes_carry_the_label(ws):
    pid, ids = _import(ws)
    nid = ids["Job vacancy"]
    set_geometry(ws, nodes={nid: (300.0, 400.0)})  # (what a lane move stores for its shapes)
    assert _stored_label(ws, pid, nid)[:2] == pytest.approx([290, 440])
    assert _drawn_label(ws, pid, nid) == pytest.approx((290, 440), abs=0.01)
    assert _exported_label(ws, pid, "S") == pytest.approx((290, 440))
    # a resize keeps the label under the shape's bottom edge, centred the same
    set_geometry(ws, nodes={nid: (300.0, 400.0, 56.0, 56.0)})
    assert _stored_label(ws, pid, nid)[:2] == pytest.approx([300, 460])
    assert _drawn_label(ws, pid, nid) == pytest.approx((300, 460), abs=0.01)
    assert _exported_label(ws, pid, "S") == pytest.approx((300, 460))


def test_a_label_left_behind_by_an_earlier_version_is_drawn_where_the_export_puts_it(ws):
    """A map moved before labels were stored along: the shape's corner moved away from the
    stored shape box; the map draws the label where the BPMN export writes it."""
    pid, ids = _import(ws)
    nid = ids["Job vacancy"]
    with ws.session() as s:
        from qms_desktop.storage import models as m

        s.get(m.ProcessNode, nid).x = 160.0  # (moved without the label, as before)
    assert _drawn_label(ws, pid, nid) == pytest.approx((150, 140), abs=0.01)
    assert _exported_label(ws, pid, "S") == pytest.approx((150, 140))


def test_label_extra_is_pure_and_leaves_shapes_without_a_file_label_alone():
    assert label_extra("", (0, 0, 10, 10), (5, 5, 10, 10)) is None
    assert label_extra('{"di": {"bounds": [0, 0, 10, 10]}}', (0, 0, 10, 10), (5, 5, 10, 10)) is None
    extra = json.dumps({"di": {"bounds": [0, 0, 36, 36], "label": {"bounds": [-10, 40, 56, 14]}}})
    got = json.loads(label_extra(extra, (0, 0, 36, 36), (20, 30, 36, 36)))
    assert got["di"]["label"]["bounds"] == [10, 70, 56, 14]
    assert got["di"]["bounds"] == [20, 30, 36, 36]


def test_nudge_moves_the_label_in_one_undo_step_and_undo_puts_it_back(qtbot, controller, ws):
    from PySide6.QtCore import Qt

    from qms_desktop.ui.flowchart.editor import FlowchartEditor

    pid, ids = _import(ws)
    nid = ids["Job vacancy"]
    ed = FlowchartEditor(controller)
    qtbot.addWidget(ed)
    ed.resize(1000, 700)
    ed.show()
    qtbot.waitExposed(ed)
    ed.open_process(pid)
    QApplication.processEvents()
    ed.scene.select_ids(nodes=[nid])
    ed.view.setFocus()
    for _ in range(2):
        qtbot.keyClick(ed.view, Qt.Key.Key_Right)
    assert controller.undo_stack.count() == 1
    assert _stored_label(ws, pid, nid)[:2] == pytest.approx([110, 140])
    ed.reload()
    lab = ed.scene.nodes[nid].label
    assert lab.mapRectToScene(lab.boundingRect()).x() == pytest.approx(110)
    controller.undo()
    assert _stored_label(ws, pid, nid)[:2] == pytest.approx([90, 140])
    assert _drawn_label(ws, pid, nid) == pytest.approx((90, 140), abs=0.01)
