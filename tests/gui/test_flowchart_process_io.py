"""A process's data inputs and outputs on the map, and labels the editor shows whole.

* Inputs and outputs (data shapes with ``bpmn_type`` ``dataInput`` / ``dataOutput``) carry the
  BPMN arrow marker — hollow for an input, filled for an output — in the editor and in the
  diagram images; the Properties panel calls them "Data input" / "Data output" and leaves out
  what does not apply to them (role, duration, risks, KPIs).
* They take no lane (nor a role) when moved, and a shape with no lane of its own that is dropped
  in the lane it was in is not "moved to another lane".
* A label shows every line of its text in the editor (where labels are cached as pictures of
  their bounding box), as in the exported image: a label box the BPMN file gives (one line high)
  grows to hold the wrapped text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF, QRectF  # noqa: E402
from PySide6.QtGui import QColor, QFontMetricsF  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsScene, QGraphicsView  # noqa: E402

from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.services.imports.bpmn import read_bpmn  # noqa: E402
from qms_desktop.ui.flowchart import render  # noqa: E402
from qms_desktop.ui.flowchart.items import ALIGN_HCENTER_TOP, LabelItem  # noqa: E402
from qms_desktop.ui.flowchart.style import LIGHT, paints  # noqa: E402

pytestmark = pytest.mark.usefixtures("shown")

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "bpmn"

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
      'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"')

#: two lanes (rows at y 50-250 and 250-450); the input and the output lie in the upper one,
#: the end event's file label is one line high for a name that wraps to three
FILE = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="D" targetNamespace="urn:t">
  <bpmn:process id="P">
    <bpmn:ioSpecification id="IO">
      <bpmn:dataInput id="In" name="Role required"/>
      <bpmn:dataOutput id="Out" name="Advertisement"/>
      <bpmn:inputSet id="IS"><bpmn:dataInputRefs>In</bpmn:dataInputRefs></bpmn:inputSet>
      <bpmn:outputSet id="OS"><bpmn:dataOutputRefs>Out</bpmn:dataOutputRefs></bpmn:outputSet>
    </bpmn:ioSpecification>
    <bpmn:laneSet id="LS">
      <bpmn:lane id="L1" name="Hiring manager"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>T</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="L2" name="Recruitment"><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="S" name="Job vacancy"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="T" name="Write job posting"><bpmn:incoming>F1</bpmn:incoming>
      <bpmn:outgoing>F2</bpmn:outgoing></bpmn:task>
    <bpmn:endEvent id="E" name="Vacancy advertised everywhere"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T"/>
    <bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="E"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="P">
      <bpmndi:BPMNShape id="L1_di" bpmnElement="L1" isHorizontal="true"><dc:Bounds x="50" y="50" width="700" height="200"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="L2_di" bpmnElement="L2" isHorizontal="true"><dc:Bounds x="50" y="250" width="700" height="200"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="In_di" bpmnElement="In"><dc:Bounds x="120" y="70" width="36" height="50"/>
        <bpmndi:BPMNLabel><dc:Bounds x="100" y="125" width="80" height="14"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Out_di" bpmnElement="Out"><dc:Bounds x="600" y="70" width="36" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="S_di" bpmnElement="S"><dc:Bounds x="120" y="172" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="T_di" bpmnElement="T"><dc:Bounds x="250" y="150" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="E_di" bpmnElement="E"><dc:Bounds x="450" y="332" width="36" height="36"/>
        <bpmndi:BPMNLabel><dc:Bounds x="448" y="372" width="40" height="14"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="F1_di" bpmnElement="F1"><di:waypoint x="156" y="190"/><di:waypoint x="250" y="190"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="F2_di" bpmnElement="F2"><di:waypoint x="350" y="190"/><di:waypoint x="468" y="190"/><di:waypoint x="468" y="332"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


def _import(ws) -> tuple[int, dict[str, dict]]:
    pid = P.save_map(ws, read_bpmn(FILE).map, name="Hiring").result
    return pid, _rows(ws, pid)


def _rows(ws, pid: int) -> dict[str, dict]:
    return {(r["name"] or "").replace("\n", " "): r for r in P.load_map_data(ws, pid).nodes}


@pytest.fixture
def hiring(qtbot, controller, ws):
    from qms_desktop.ui.flowchart.editor import FlowchartEditor

    pid, rows = _import(ws)
    ed = FlowchartEditor(controller)
    qtbot.addWidget(ed)
    ed.resize(1200, 800)
    ed.show()
    qtbot.waitExposed(ed)
    ed.open_process(pid)
    ed.view.zoom_actual()
    ed.view.centerOn(QPointF(400, 250))
    QApplication.processEvents()
    return ed, pid, rows


# --------------------------------------------------------------------------- the marker


def test_inputs_and_outputs_carry_the_bpmn_arrow_and_other_data_shapes_none(hiring):
    ed, _pid, rows = hiring
    assert rows["Role required"]["bpmn_type"] == "dataInput"
    assert rows["Advertisement"]["bpmn_type"] == "dataOutput"
    p = paints(ed.scene.paints.theme)
    inp = ed.scene.nodes[rows["Role required"]["id"]]
    out = ed.scene.nodes[rows["Advertisement"]["id"]]
    for item in (inp, out):
        marker = getattr(item, "io_marker", None)
        assert marker is not None and marker.parentItem() is item
        # top-left inside the shape
        r = marker.path().boundingRect()
        assert 0 < r.left() < item.w / 2 and 0 < r.top() < item.h / 2
        assert r.right() < item.w and r.bottom() < item.h / 2
    line = QColor(LIGHT.kinds["document"].line)
    assert out.io_marker.brush().color() == line  # filled
    assert inp.io_marker.brush().color() != line  # hollow: the shape's own fill
    assert inp.io_marker.brush().color() == inp.brush().color()
    # one outline for every input and output of a size (big maps stay cheap)
    from qms_desktop.ui.flowchart.items import cached_io_marker

    assert cached_io_marker(36.0, 50.0) is cached_io_marker(36.0, 50.0)
    for item in ed.scene.nodes.values():
        if item.nid not in (inp.nid, out.nid):
            assert item.io_marker is None


def test_the_marker_goes_when_the_shape_is_no_longer_an_input(hiring):
    ed, _pid, rows = hiring
    item = ed.scene.nodes[rows["Role required"]["id"]]
    row = dict(item.row, bpmn_type="dataObjectReference")
    item.apply(row)
    assert getattr(item, "io_marker", None) is None
    assert not [c for c in item.childItems() if c is not item.label]


def test_the_diagram_image_draws_the_output_arrow_filled(ws, tmp_path):
    pid, _rows_ = _import(ws)
    svg = render.render_map(ws, pid, tmp_path / "map.svg").read_text()
    line = LIGHT.kinds["document"].line.lower()
    # the data shapes' outlines are drawn in the line colour; only the output's arrow is
    # filled with it
    assert f'fill="{line}"' in svg.lower()


# --------------------------------------------------------------------------- properties


def test_properties_call_them_data_input_and_output_and_leave_out_role_and_duration(hiring):
    ed, _pid, rows = hiring
    props = ed.properties
    form = props.node_form
    for name, kind in (("Role required", "Data input"), ("Advertisement", "Data output")):
        ed.scene.select_ids(nodes=[rows[name]["id"]])
        QApplication.processEvents()
        assert props.kind_label.text() == kind
        for widget in (props.role_combo, props.duration, props.links["risk"],
                       props.links["objective"]):
            assert not form.isRowVisible(widget)
        assert form.isRowVisible(props.name_edit) and form.isRowVisible(props.desc_edit)
    ed.scene.select_ids(nodes=[rows["Write job posting"]["id"]])
    QApplication.processEvents()
    assert props.kind_label.text() == "Step (task)"
    for widget in (props.role_combo, props.duration, props.links["risk"]):
        assert form.isRowVisible(widget)


# --------------------------------------------------------------------------- lanes


def test_moving_an_input_within_its_lane_is_a_plain_move(hiring, controller, ws):
    ed, pid, rows = hiring
    nid = rows["Role required"]["id"]
    assert rows["Role required"]["lane_id"] is None
    assert ed.move_nodes_to({nid: (180.0, 80.0)})
    assert controller.undo_stack.undoText() == "Move shape"
    row = _rows(ws, pid)["Role required"]
    assert (row["x"], row["y"]) == (180.0, 80.0)
    assert row["lane_id"] is None and row["role_id"] is None


def test_an_input_takes_no_lane_when_moved_into_another(hiring, controller, ws):
    ed, pid, rows = hiring
    nid = rows["Advertisement"]["id"]
    assert ed.move_nodes_to({nid: (600.0, 300.0)})
    assert controller.undo_stack.undoText() == "Move shape"
    row = _rows(ws, pid)["Advertisement"]
    assert row["lane_id"] is None and row["role_id"] is None


def test_a_shape_with_no_lane_dropped_in_its_lane_keeps_none_and_one_moved_on_takes_it(
        hiring, controller, ws):
    ed, pid, rows = hiring
    lanes = {r["name"]: r["id"] for r in P.load_map_data(ws, pid).lanes}
    nid = P.add_node(ws, pid, "step", 400, 80, name="Loose step").result  # in the upper lane
    ed.reload()
    assert _rows(ws, pid)["Loose step"]["lane_id"] is None
    assert ed.move_nodes_to({nid: (420.0, 90.0)})
    assert controller.undo_stack.undoText() == "Move shape"
    assert _rows(ws, pid)["Loose step"]["lane_id"] is None
    assert ed.move_nodes_to({nid: (420.0, 300.0)})  # into the lower lane: it is done there
    assert controller.undo_stack.undoText() == "Move to another lane"
    assert _rows(ws, pid)["Loose step"]["lane_id"] == lanes["Recruitment"]
    # a shape in a lane moved within it stays a plain move
    step = rows["Write job posting"]["id"]
    assert rows["Write job posting"]["lane_id"] == lanes["Hiring manager"]
    assert ed.move_nodes_to({step: (260.0, 140.0)})
    assert controller.undo_stack.undoText() == "Move shape"


# --------------------------------------------------------------------------- labels


def _lines(label: LabelItem) -> int:
    return round(label.text_rect().height() / QFontMetricsF(label._font).lineSpacing())


def test_a_label_bounding_box_holds_its_wrapped_text(qapp):
    scene = QGraphicsScene()
    holder = scene.addRect(QRectF(0, 0, 36, 36))
    label = LabelItem(holder, paints(LIGHT))
    label.set_text("Vacancy advertised everywhere", QRectF(-2, 40, 40, 14),
                   align=ALIGN_HCENTER_TOP)
    assert _lines(label) >= 3
    assert label.boundingRect().contains(label.text_rect())
    assert label.text_rect().top() == 40  # top-aligned: it runs down from the file's box
    # a label with a background (a connector's) keeps its margin round the whole text
    label.set_text("a long connector label", QRectF(0, 0, 40, 14),
                   background=paints(LIGHT).label_background)
    assert label.boundingRect().contains(label.text_rect().adjusted(-2, -1, 2, 1))
    label.set_text("", QRectF(0, 0, 40, 14))
    assert label.boundingRect().isEmpty() and label.text_rect().isEmpty()
    scene.clear()


def test_the_editor_shows_every_line_of_a_file_placed_label(hiring):
    ed, _pid, rows = hiring
    label = ed.scene.nodes[rows["Vacancy advertised everywhere"]["id"]].label
    assert label.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert _lines(label) >= 3
    assert label.boundingRect().contains(label.text_rect())
    # what the view paints (the cached picture of the bounding box) has text on the last line
    view = QGraphicsView(ed.scene)
    view.resize(900, 600)
    view.show()
    view.centerOn(QPointF(468, 380))
    QApplication.processEvents()
    last = label.mapRectToScene(label.text_rect())
    last.setTop(last.bottom() - QFontMetricsF(label._font).lineSpacing())
    spot = view.mapFromScene(last).boundingRect()
    image = view.viewport().grab(spot).toImage()
    dark = sum(1 for x in range(image.width()) for y in range(image.height())
               if QColor(image.pixel(x, y)).lightness() < 110)
    view.close()
    assert dark > 5


@pytest.mark.skipif(not (SHARED / "C.6.0.bpmn").is_file(),
                    reason="the MIWG corpus (../shared/corpus/bpmn) is not here")
def test_c6_labels_hold_their_text(qtbot, controller, ws):
    from qms_desktop.ui.flowchart.editor import FlowchartEditor

    pid = P.save_map(ws, read_bpmn((SHARED / "C.6.0.bpmn").read_bytes()).map,
                     name="C.6.0").result
    ed = FlowchartEditor(controller)
    qtbot.addWidget(ed)
    ed.resize(1400, 900)
    ed.show()
    qtbot.waitExposed(ed)
    ed.open_process(pid)
    ed.view.zoom_actual()
    QApplication.processEvents()
    ed.scene.flush_labels()
    by_name = {(i.row.get("name") or "").replace("\n", " "): i for i in ed.scene.nodes.values()}
    for name, lines in (("Receive Travel Request", 2), ("Request Cancelled", 2),
                        ("Travel Request", 2), ("Itinerary", 2)):
        label = by_name[name].label
        assert label.text
        assert label.boundingRect().contains(label.text_rect()), name
        assert _lines(label) >= lines, name
