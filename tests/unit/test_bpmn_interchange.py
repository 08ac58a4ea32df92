"""BPMN interchange with files other tools wrote (issue 10, items 1-6): data associations (and the process inputs and outputs they join, drawn as data shapes),
QName references, extension elements in their own namespace, zero-size pools and elements
without a diagram entry, namespace names that are not valid URIs; and round trips of the
shared reference corpus (read in place) through a workspace."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from lxml import etree

from bench.bpmn_roundtrip import compare_facts, corpus_facts, roundtrip_file
from qms_desktop.services import processes
from qms_desktop.services.exports.bpmn import write_bpmn
from qms_desktop.services.imports.bpmn import MODEL_NS, is_note, read_bpmn
from qms_desktop.services.xmlsafe import XmlFormatError, parse_xml

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "bpmn"
SHARED_FILES = sorted(p.name for p in SHARED.glob("*.bpmn")) if SHARED.is_dir() else []
M = "{%s}" % MODEL_NS
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
      'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"')


def _through_workspace(ws, data: bytes):
    got = read_bpmn(data)
    pid = processes.save_map(ws, got.map, name="Imported").result
    pm, _ids = processes.load_map(ws, pid)
    return got, pm, write_bpmn(pm)


def _lost_or_added(data: bytes, out: bytes) -> dict:
    cmp = compare_facts(corpus_facts(data), corpus_facts(out))
    return {c: (v["lost"], v["added"]) for c, v in cmp.items() if v["lost"] or v["added"]}


# --------------------------------------------------------------------------------------------
# The shared reference corpus, read in place
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_FILES, reason="../shared/corpus/bpmn is not there (the shared "
                    "reference corpus sits beside the project's checkout)")
@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_corpus_round_trip_through_a_workspace_keeps_everything_and_adds_nothing(
        tmp_path, name):
    data = (SHARED / name).read_bytes()
    out, warnings = roundtrip_file(data, workspace=tmp_path / "w.qms")
    assert _lost_or_added(data, out) == {}
    # and a second round trip gives the same file
    again, _w = roundtrip_file(out, workspace=tmp_path / "w2.qms")
    assert again == out
    assert all("refers to" not in w for w in warnings), warnings


@pytest.mark.skipif(not SHARED_FILES, reason="../shared/corpus/bpmn is not there")
def test_shared_corpus_data_associations_are_drawn_where_the_file_draws_them():
    drawn = undrawn = 0
    for name in SHARED_FILES:
        data = (SHARED / name).read_bytes()
        got = read_bpmn(data)
        root = etree.fromstring(data)
        with_edge = {e.get("bpmnElement") for e in root.iter(
            "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
        edges = {e.key: e for e in got.map.edges}
        nodes = {n.key for n in got.map.nodes}
        for el in root.iter(M + "dataInputAssociation", M + "dataOutputAssociation"):
            e = edges.get(el.get("id"))
            if e is not None:
                assert e.source in nodes and e.target in nodes
                drawn += el.get("id") in with_edge
            else:
                undrawn += 1
                assert any("data association" in w and "not shown on the map" in w
                           for w in got.warnings), (name, got.warnings)
    assert drawn >= 40 and undrawn <= 40


# --------------------------------------------------------------------------------------------
# 1. Data associations
# --------------------------------------------------------------------------------------------

DATA_ASSOC = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="D" targetNamespace="urn:t">
  <bpmn:process id="P">
    <bpmn:ioSpecification id="IO">
      <bpmn:dataInput id="PIn" name="Order"/>
      <bpmn:inputSet id="IS"><bpmn:dataInputRefs>PIn</bpmn:dataInputRefs></bpmn:inputSet>
      <bpmn:outputSet id="OS"/>
    </bpmn:ioSpecification>
    <bpmn:dataObject id="DO" name="Invoice"/>
    <bpmn:dataObjectReference id="DOR" name="Invoice" dataObjectRef="DO"/>
    <bpmn:task id="T" name="Bill">
      <bpmn:ioSpecification id="TIO">
        <bpmn:dataInput id="TIn"/><bpmn:dataOutput id="TOut"/>
        <bpmn:inputSet id="TIS"><bpmn:dataInputRefs>TIn</bpmn:dataInputRefs></bpmn:inputSet>
        <bpmn:outputSet id="TOS"><bpmn:dataOutputRefs>TOut</bpmn:dataOutputRefs></bpmn:outputSet>
      </bpmn:ioSpecification>
      <bpmn:dataInputAssociation id="DIA">
        <bpmn:sourceRef>PIn</bpmn:sourceRef><bpmn:targetRef>TIn</bpmn:targetRef>
        <bpmn:transformation>order.total</bpmn:transformation>
      </bpmn:dataInputAssociation>
      <bpmn:dataOutputAssociation id="DOA">
        <bpmn:sourceRef>TOut</bpmn:sourceRef><bpmn:targetRef>DO</bpmn:targetRef>
        <bpmn:assignment id="A1"><bpmn:from>a</bpmn:from><bpmn:to>b</bpmn:to></bpmn:assignment>
      </bpmn:dataOutputAssociation>
    </bpmn:task>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="P">
      <bpmndi:BPMNShape id="T_di" bpmnElement="T"><dc:Bounds x="100" y="100" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="DOR_di" bpmnElement="DOR"><dc:Bounds x="300" y="100" width="36" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="PIn_di" bpmnElement="PIn"><dc:Bounds x="0" y="100" width="36" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="DOA_di" bpmnElement="DOA" targetElement="DOR_di"><di:waypoint x="200" y="140"/><di:waypoint x="300" y="125"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="DIA_di" bpmnElement="DIA"><di:waypoint x="36" y="125"/><di:waypoint x="100" y="140"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


def test_data_associations_to_data_objects_and_io_specifications_survive_a_workspace(ws):
    data = DATA_ASSOC
    got, pm, out = _through_workspace(ws, data)
    assert _lost_or_added(data, out) == {}
    # the output association is drawn on the map, from the task to the data object reference
    edges = {e.key: e for e in pm.edges}
    assert (edges["DOA"].source, edges["DOA"].target) == ("T", "DOR")
    assert len(edges["DOA"].waypoints) == 2
    # the input association from the process's own input (which the diagram draws) is drawn
    # from that input's data shape to the task
    assert (edges["DIA"].source, edges["DIA"].target) == ("PIn", "T")
    assert not any("data association" in w for w in got.warnings), got.warnings
    assert not any("refers to" in w for w in got.warnings)
    root = etree.fromstring(out)
    doa = root.find(f".//{M}dataOutputAssociation")
    assert doa.get("id") == "DOA"
    assert [r.text for r in doa.iter(M + "targetRef")] == ["DO"]
    assert doa.find(f"{M}assignment/{M}from").text == "a"
    dia = root.find(f".//{M}dataInputAssociation")
    assert dia.find(M + "transformation").text == "order.total"


def test_a_data_association_to_a_process_input_the_diagram_does_not_draw_is_kept_not_drawn(ws):
    data = DATA_ASSOC.replace(b'<bpmndi:BPMNShape id="PIn_di"', b'<bpmndi:BPMNShape id="PIn_di_x"'
                              ).replace(b'bpmnElement="PIn"', b'bpmnElement="Elsewhere"')
    got, pm, out = _through_workspace(ws, data)
    assert _lost_or_added(data, out) == {}
    assert "DIA" not in {e.key for e in pm.edges}
    assert "PIn" not in {n.key for n in pm.nodes}
    assert any("1 data association is not shown" in w and "kept and exported again" in w
               and "does not draw the inputs, outputs or data objects it links" in w
               for w in got.warnings), got.warnings
    assert not any("ioSpecification" in w for w in got.warnings), got.warnings


def test_a_data_association_reconnected_on_the_map_refers_to_its_new_end():
    got = read_bpmn(DATA_ASSOC)
    pm = got.map
    from qms_desktop.core.processmap import Node

    pm.nodes.append(Node("Other", "document", "dataObjectReference", "Other", 400, 100, 36, 50))
    e = next(e for e in pm.edges if e.key == "DOA")
    e.target = "Other"
    root = etree.fromstring(write_bpmn(pm))
    doa = root.find(f".//{M}dataOutputAssociation")
    assert [r.text for r in doa.iter(M + "targetRef")] == ["Other"]


ON_CONNECTOR = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="D" targetNamespace="urn:t">
  <bpmn:process id="P">
    <bpmn:task id="T1" name="Check"><bpmn:outgoing>F</bpmn:outgoing></bpmn:task>
    <bpmn:task id="T2" name="Ship"><bpmn:incoming>F</bpmn:incoming></bpmn:task>
    <bpmn:sequenceFlow id="F" sourceRef="T1" targetRef="T2"/>
    <bpmn:textAnnotation id="N"><bpmn:text>Only when paid</bpmn:text></bpmn:textAnnotation>
    <bpmn:association id="A" sourceRef="N" targetRef="F" associationDirection="None"/>
    <bpmn:textAnnotation id="N2"><bpmn:text>On a task</bpmn:text></bpmn:textAnnotation>
    <bpmn:association id="A2" sourceRef="N2" targetRef="T2"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="P">
      <bpmndi:BPMNShape id="T1_di" bpmnElement="T1"><dc:Bounds x="100" y="100" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="T2_di" bpmnElement="T2"><dc:Bounds x="300" y="100" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="F_di" bpmnElement="F"><di:waypoint x="200" y="140"/><di:waypoint x="300" y="140"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNShape id="N_di" bpmnElement="N"><dc:Bounds x="200" y="20" width="100" height="30"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="A_di" bpmnElement="A"><di:waypoint x="250" y="50"/><di:waypoint x="250" y="140"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNShape id="N2_di" bpmnElement="N2"><dc:Bounds x="420" y="20" width="100" height="30"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="A2_di" bpmnElement="A2"><di:waypoint x="450" y="50"/><di:waypoint x="380" y="100"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


def test_an_association_attached_to_a_connector_survives_a_workspace_and_is_reported(ws):
    got, pm, out = _through_workspace(ws, ON_CONNECTOR)
    assert _lost_or_added(ON_CONNECTOR, out) == {}
    root = etree.fromstring(out)
    a = next(el for el in root.iter(M + "association") if el.get("id") == "A")
    assert (a.get("sourceRef"), a.get("targetRef"), a.get("associationDirection")) == \
        ("N", "F", "None")
    assert a.getparent().get("id") == "P"
    # the annotation and the association to a task are on the map as before
    assert {e.key for e in pm.edges} >= {"F", "A2"}
    assert "N" in {n.key for n in pm.nodes}
    assert any("1 association joins" in w and "connector" in w and "kept and exported again" in w
               for w in got.warnings), got.warnings
    # and a second round trip gives the same file
    assert _through_workspace(ws, out)[2] == out


# --------------------------------------------------------------------------------------------
# 2. QName references
# --------------------------------------------------------------------------------------------

PREFIXED = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn2:definitions xmlns:bpmn2="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="_d" targetNamespace="urn:gmm">
  <bpmn2:collaboration id="_c">
    <bpmn2:participant id="_pa" name="A" processRef="bpmn2:_p1"/>
    <bpmn2:participant id="_pb" name="B"/>
    <bpmn2:messageFlow id="_mf" sourceRef="bpmn2:_t1" targetRef="bpmn2:_pb"/>
  </bpmn2:collaboration>
  <bpmn2:process id="_p1">
    <bpmn2:startEvent id="_s"><bpmn2:outgoing>bpmn2:_f1</bpmn2:outgoing></bpmn2:startEvent>
    <bpmn2:task id="_t1" name="Send"><bpmn2:incoming>bpmn2:_f1</bpmn2:incoming></bpmn2:task>
    <bpmn2:sequenceFlow id="_f1" sourceRef="bpmn2:_s" targetRef="bpmn2:_t1"/>
    <bpmn2:textAnnotation id="_ta"><bpmn2:text>Note</bpmn2:text></bpmn2:textAnnotation>
    <bpmn2:association id="_as" sourceRef="bpmn2:_ta" targetRef="bpmn2:_t1"/>
  </bpmn2:process>
  <bpmndi:BPMNDiagram id="_bd">
    <bpmndi:BPMNPlane id="_bp" bpmnElement="bpmn2:_c">
      <bpmndi:BPMNShape id="_pa_di" bpmnElement="bpmn2:_pa" isHorizontal="true"><dc:Bounds x="0" y="0" width="600" height="200"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="_pb_di" bpmnElement="bpmn2:_pb" isHorizontal="true"><dc:Bounds x="0" y="250" width="600" height="100"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="_s_di" bpmnElement="bpmn2:_s"><dc:Bounds x="60" y="80" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="_t1_di" bpmnElement="bpmn2:_t1"><dc:Bounds x="150" y="60" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="_ta_di" bpmnElement="bpmn2:_ta"><dc:Bounds x="300" y="10" width="100" height="30"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="_f1_di" bpmnElement="bpmn2:_f1"><di:waypoint x="96" y="98"/><di:waypoint x="150" y="100"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="_mf_di" bpmnElement="bpmn2:_mf"><di:waypoint x="200" y="140"/><di:waypoint x="200" y="250"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="_as_di" bpmnElement="bpmn2:_as"><di:waypoint x="300" y="25"/><di:waypoint x="250" y="60"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn2:definitions>
""".encode()


def test_prefixed_references_are_resolved_by_namespace(ws):
    got, pm, out = _through_workspace(ws, PREFIXED)
    assert got.warnings == []
    nodes = {n.key: n for n in got.map.nodes}
    assert (nodes["_t1"].x, nodes["_t1"].y) == (150, 60)  # the file's layout, not a new one
    kinds = {e.key: (e.kind, e.source, e.target) for e in pm.edges}
    assert kinds["_mf"] == ("message", "_t1", "_pb")
    assert kinds["_as"] == ("association", "_ta", "_t1")
    assert _lost_or_added(PREFIXED, out) == {}
    shapes = [el.get("bpmnElement") for el in etree.fromstring(out).iter(
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")]
    assert len(shapes) == len(set(shapes)) == 5  # every shape once


def test_a_prefix_of_another_namespace_is_not_taken_for_a_local_id():
    data = PREFIXED.replace(b'processRef="bpmn2:_p1"', b'processRef="other:_p1" xmlns:other="urn:else"')
    got = read_bpmn(data)
    pool = next(n for n in got.map.nodes if n.key == "_pa")
    assert pool.extra["bpmn"]["attrs"]["processRef"] == "other:_p1"


# --------------------------------------------------------------------------------------------
# 3. Extension elements keep their namespace (or none)
# --------------------------------------------------------------------------------------------

UNQUALIFIED = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} xmlns:w4="urn:w4" id="D" targetNamespace="urn:t">
  <bpmn:process id="P">
    <bpmn:task id="T" name="Do"><bpmn:extensionElements><Props a="1"/><w4:Style c="red"/></bpmn:extensionElements></bpmn:task>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="P">
      <bpmndi:BPMNShape id="T_di" bpmnElement="T"><dc:Bounds x="10" y="10" width="100" height="80"/></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
    <Grid spacing="10"><VerticalRuler visible="true"/></Grid>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


def test_unqualified_and_foreign_extension_elements_keep_their_namespace(ws):
    _got, _pm, out = _through_workspace(ws, UNQUALIFIED)
    tags = {el.tag for el in ET.fromstring(out).iter()}
    assert {"Grid", "VerticalRuler", "Props", "{urn:w4}Style"} <= tags
    assert not any(t.endswith(("}Grid", "}VerticalRuler", "}Props")) for t in tags)
    assert ET.fromstring(out).tag == M + "definitions"
    assert write_bpmn(read_bpmn(out).map) == out


# --------------------------------------------------------------------------------------------
# 4. Zero-size pools and elements without a diagram entry
# --------------------------------------------------------------------------------------------

HIDDEN_POOL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="D" targetNamespace="urn:t">
  <bpmn:collaboration id="C"><bpmn:participant id="Pool" name="Hidden" processRef="P"/></bpmn:collaboration>
  <bpmn:process id="P">
    <bpmn:task id="T1" name="Drawn"><bpmn:outgoing>F</bpmn:outgoing></bpmn:task>
    <bpmn:task id="T2" name="Not drawn"><bpmn:incoming>F</bpmn:incoming></bpmn:task>
    <bpmn:sequenceFlow id="F" sourceRef="T1" targetRef="T2"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="C">
      <bpmndi:BPMNShape id="Pool_di" bpmnElement="Pool" isHorizontal="true"><dc:Bounds x="0" y="0" width="0" height="0"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="T1_di" bpmnElement="T1"><dc:Bounds x="100" y="100" width="100" height="80"/></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


def test_a_zero_size_pool_stays_zero_and_no_shape_is_added(ws):
    got, pm, out = _through_workspace(ws, HIDDEN_POOL)
    assert _lost_or_added(HIDDEN_POOL, out) == {}
    assert any("1 element has no shape" in w and "unless you move it" in w
               for w in got.warnings), got.warnings
    # the element is on the map (placed below the drawing) ...
    assert any(n.key == "T2" for n in pm.nodes)
    # ... and once moved there, the export draws it where it is
    t2 = next(n for n in pm.nodes if n.key == "T2")
    t2.x += 40
    facts = corpus_facts(write_bpmn(pm))
    assert facts["bounds"]["T2"][0] == pytest.approx(t2.x)
    assert facts["bounds"]["Pool"] == (0, 0, 0, 0)


def test_a_zero_size_pool_stays_zero_when_the_map_is_reloaded_and_stored_again(ws):
    pid = processes.save_map(ws, read_bpmn(HIDDEN_POOL).map, name="Imported").result
    for _ in range(2):  # reloaded (Node gives a zero-size shape its default size), stored again
        pm, _ids = processes.load_map(ws, pid)
        pool = next(n for n in pm.nodes if n.key == "Pool")
        assert (pool.w, pool.h) == (0, 0)
        processes.save_map(ws, pm, process_id=pid)
    row = next(r for r in processes.load_map_data(ws, pid).nodes if r["kind"] == "pool")
    assert (row["w"], row["h"]) == (0, 0)
    assert corpus_facts(write_bpmn(processes.load_map(ws, pid)[0]))["bounds"]["Pool"] == (0, 0, 0, 0)


def test_a_hidden_pool_stored_at_the_default_size_by_an_earlier_version_is_zero_again(ws):
    from qms_desktop.core.processmap import DEFAULT_SIZES
    from qms_desktop.storage import models as m

    pid = processes.save_map(ws, read_bpmn(HIDDEN_POOL).map, name="Imported").result
    with ws.session() as s:  # (what load_map + save_map stored before)
        row = next(r for r in s.query(m.ProcessNode).filter_by(process_id=pid) if r.kind == "pool")
        row.w, row.h = DEFAULT_SIZES["pool"]
    row = next(r for r in processes.load_map_data(ws, pid).nodes if r["kind"] == "pool")
    assert (row["w"], row["h"]) == (0, 0)
    pool = next(n for n in processes.load_map(ws, pid)[0].nodes if n.kind == "pool")
    assert (pool.w, pool.h) == (0, 0)
    # moved or resized since: it keeps the size it has
    with ws.session() as s:
        row = next(r for r in s.query(m.ProcessNode).filter_by(process_id=pid) if r.kind == "pool")
        row.w, row.h = 500.0, 300.0
    row = next(r for r in processes.load_map_data(ws, pid).nodes if r["kind"] == "pool")
    assert (row["w"], row["h"]) == (500, 300)


def test_a_resized_zero_size_pool_gets_its_new_size():
    pm = read_bpmn(HIDDEN_POOL).map
    pool = next(n for n in pm.nodes if n.key == "Pool")
    pool.w, pool.h = 500.0, 300.0
    assert corpus_facts(write_bpmn(pm))["bounds"]["Pool"] == (0, 0, 500, 300)


def test_a_lane_set_without_an_id_stays_without_one():
    data = HIDDEN_POOL.replace(
        b'<bpmn:task id="T1"',
        b'<bpmn:laneSet><bpmn:lane id="L" name="Team"><bpmn:flowNodeRef>T1</bpmn:flowNodeRef>'
        b'</bpmn:lane></bpmn:laneSet><bpmn:task id="T1"')
    root = etree.fromstring(write_bpmn(read_bpmn(data).map))
    ls = root.find(f".//{M}laneSet")
    assert ls is not None and ls.get("id") is None


# --------------------------------------------------------------------------------------------
# 5. Lenient but safe parsing
# --------------------------------------------------------------------------------------------

ODD_NS = UNQUALIFIED.replace(b'xmlns:w4="urn:w4"',
                             b'xmlns:w4="http://www.ibm.com/xmlns/prod/bpm/process designer"')


def test_a_namespace_name_with_a_space_is_accepted_and_written_back(ws):
    got, _pm, out = _through_workspace(ws, ODD_NS)
    assert got.warnings == []
    assert b'xmlns:w4="http://www.ibm.com/xmlns/prod/bpm/process designer"' in out
    tags = {el.tag for el in ET.fromstring(out).iter()}
    assert "{http://www.ibm.com/xmlns/prod/bpm/process designer}Style" in tags
    assert write_bpmn(read_bpmn(out).map) == out


@pytest.mark.parametrize("data", [
    b'<a xmlns:x="http://a b/c"><x:b></a>',
    b'<a xmlns:x="http://a b/c"><x:b/>&amp;<</a>',
    b'<a xmlns:x="http://a b/c"><x:b/></a><c/>',
])
def test_a_namespace_name_with_a_space_does_not_excuse_broken_xml(data):
    with pytest.raises(XmlFormatError, match="not well-formed") as exc:
        parse_xml(data)
    assert "valid URI" not in str(exc.value)


def test_a_namespace_name_with_a_space_does_not_excuse_entities():
    from qms_desktop.services.xmlsafe import UnsafeXmlError

    with pytest.raises(UnsafeXmlError):
        parse_xml(b'<a xmlns:x="http://a b/c"><x:b>&foo;</x:b></a>')


# --------------------------------------------------------------------------------------------
# 6. A process's own inputs and outputs (its ioSpecification) drawn on the map
# --------------------------------------------------------------------------------------------

PROCESS_IO = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} xmlns:x="urn:x" id="D" targetNamespace="urn:t">
  <bpmn:itemDefinition id="Item" structureRef="xsd:string"/>
  <bpmn:process id="P">
    <bpmn:ioSpecification id="IO">
      <bpmn:dataInput id="PIn" name="Order" itemSubjectRef="Item" isCollection="false" x:hint="a">
        <bpmn:extensionElements><x:note>kept</x:note></bpmn:extensionElements>
      </bpmn:dataInput>
      <bpmn:dataInput id="PIn2" name="Not drawn"/>
      <bpmn:dataOutput id="POut" name="Invoice"/>
      <bpmn:inputSet id="IS">
        <bpmn:dataInputRefs>PIn</bpmn:dataInputRefs><bpmn:dataInputRefs>PIn2</bpmn:dataInputRefs>
      </bpmn:inputSet>
      <bpmn:outputSet id="OS"><bpmn:dataOutputRefs>POut</bpmn:dataOutputRefs></bpmn:outputSet>
    </bpmn:ioSpecification>
    <bpmn:task id="T" name="Bill">
      <bpmn:ioSpecification id="TIO">
        <bpmn:dataInput id="TIn"/><bpmn:dataOutput id="TOut"/>
        <bpmn:inputSet id="TIS"><bpmn:dataInputRefs>TIn</bpmn:dataInputRefs></bpmn:inputSet>
        <bpmn:outputSet id="TOS"><bpmn:dataOutputRefs>TOut</bpmn:dataOutputRefs></bpmn:outputSet>
      </bpmn:ioSpecification>
      <bpmn:dataInputAssociation id="DIA">
        <bpmn:sourceRef>PIn</bpmn:sourceRef><bpmn:targetRef>TIn</bpmn:targetRef>
      </bpmn:dataInputAssociation>
      <bpmn:dataOutputAssociation id="DOA">
        <bpmn:sourceRef>TOut</bpmn:sourceRef><bpmn:targetRef>POut</bpmn:targetRef>
      </bpmn:dataOutputAssociation>
    </bpmn:task>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="P">
      <bpmndi:BPMNShape id="T_di" bpmnElement="T"><dc:Bounds x="100" y="100" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="PIn_di" bpmnElement="PIn"><dc:Bounds x="0" y="100" width="36" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="POut_di" bpmnElement="POut"><dc:Bounds x="300" y="100" width="36" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="DIA_di" bpmnElement="DIA"><di:waypoint x="36" y="125"/><di:waypoint x="100" y="140"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="DOA_di" bpmnElement="DOA"><di:waypoint x="200" y="140"/><di:waypoint x="300" y="125"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()

BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
#: BPMN XSD rules a deletion can break: references typed xsd:IDREF (element text and
#: attributes), the DI's bpmnElement, and the ioSpecification's content sequence
_IDREF_TEXT = ("sourceRef", "targetRef", "dataInputRefs", "dataOutputRefs", "optionalInputRefs",
               "optionalOutputRefs", "whileExecutingInputRefs", "whileExecutingOutputRefs",
               "inputSetRefs", "outputSetRefs", "incoming", "outgoing", "flowNodeRef")
_IO_SEQUENCE = ("documentation", "extensionElements", "dataInput", "dataOutput", "inputSet",
                "outputSet")


def _schema_problems(root) -> list[str]:
    ids = [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")
           and el.tag.startswith((M, BPMNDI))]  # (other namespaces' ids are theirs)
    problems = [f"id {i} twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    idset = set(ids)
    for el in root.iter(*(M + t for t in _IDREF_TEXT)):
        if (el.text or "").strip() not in idset:
            problems.append(f"{etree.QName(el).localname} {el.text!r} refers to nothing")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for a in ("sourceRef", "targetRef", "bpmnElement"):
            if el.get(a) is not None and el.get(a) not in idset:
                problems.append(f"{a}={el.get(a)!r} refers to nothing")
    for spec in root.iter(M + "ioSpecification"):
        names = [etree.QName(c).localname for c in spec if isinstance(c.tag, str)]
        ranks = [_IO_SEQUENCE.index(n) if n in _IO_SEQUENCE else -1 for n in names]
        if -1 in ranks or ranks != sorted(ranks) or "inputSet" not in names \
                or "outputSet" not in names:
            problems.append(f"ioSpecification content {names}")
    for assoc in root.iter(M + "dataInputAssociation", M + "dataOutputAssociation"):
        if len(assoc.findall(M + "targetRef")) != 1:
            problems.append(f"{assoc.get('id')} has no single targetRef")
    return problems


def _tree(el):
    """An element as nested tuples (tag, attributes, text, children), prefixes and layout aside."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_tree(c) for c in el if isinstance(c.tag, str)))


def _process_io(data: bytes, pid: str):
    proc = etree.fromstring(data).find(f".//{M}process[@id='{pid}']")
    return proc.find(M + "ioSpecification")


def test_process_inputs_and_outputs_the_diagram_draws_are_data_shapes_with_connectors(ws):
    got, pm, out = _through_workspace(ws, PROCESS_IO)
    nodes = {n.key: n for n in pm.nodes}
    pin, pout = nodes["PIn"], nodes["POut"]
    assert (pin.kind, pin.bpmn_type, pin.name) == ("document", "dataInput", "Order")
    assert (pout.kind, pout.bpmn_type, pout.name) == ("document", "dataOutput", "Invoice")
    assert (pin.x, pin.y, pin.w, pin.h) == (0, 100, 36, 50)
    assert "PIn2" not in nodes  # (no shape in the diagram: stays in the file only)
    edges = {e.key: e for e in pm.edges}
    assert (edges["DIA"].source, edges["DIA"].target) == ("PIn", "T")
    assert (edges["DOA"].source, edges["DOA"].target) == ("T", "POut")
    assert edges["DIA"].waypoints == [(36, 125), (100, 140)]
    assert any(w.startswith("2 process inputs and outputs are shown as data input and data "
                            "output shapes") and is_note(w) for w in got.warnings), got.warnings
    assert not any("data association" in w or "diagram element" in w
                   for w in got.warnings), got.warnings
    # the export writes them back in the ioSpecification, as the file had it, not as data objects
    assert _lost_or_added(PROCESS_IO, out) == {}
    assert _tree(_process_io(out, "P")) == _tree(_process_io(PROCESS_IO, "P"))
    root = etree.fromstring(out)
    assert root.find(f".//{M}dataObjectReference") is None
    assert root.find(f".//{M}dataObject") is None
    assert {s.get("bpmnElement") for s in root.iter(BPMNDI + "BPMNShape")} == {"T", "PIn", "POut"}
    assert {s.get("bpmnElement") for s in root.iter(BPMNDI + "BPMNEdge")} == {"DIA", "DOA"}
    assert _schema_problems(root) == []
    assert write_bpmn(read_bpmn(out).map) == out


def test_a_moved_process_input_stays_in_the_io_specification(ws):
    got = read_bpmn(PROCESS_IO)
    pid = processes.save_map(ws, got.map, name="Imported").result
    _pm, ids = processes.load_map(ws, pid)
    processes.move_nodes(ws, {ids["PIn"]: (10.0, 300.0)})
    pm, _ids = processes.load_map(ws, pid)
    out = write_bpmn(pm)
    assert _tree(_process_io(out, "P")) == _tree(_process_io(PROCESS_IO, "P"))
    root = etree.fromstring(out)
    assert root.find(f".//{M}dataObjectReference") is None
    bounds = root.find(f".//{BPMNDI}BPMNShape[@bpmnElement='PIn']/" + "{%s}Bounds" % (
        "http://www.omg.org/spec/DD/20100524/DC"))
    assert (bounds.get("x"), bounds.get("y")) == ("10", "300")
    assert root.find(f".//{BPMNDI}BPMNEdge[@bpmnElement='DIA']") is not None
    assert _schema_problems(root) == []
    assert "PIn" in {n.key for n in read_bpmn(out).map.nodes}


def test_a_deleted_process_input_and_output_leave_a_valid_io_specification(ws):
    got = read_bpmn(PROCESS_IO)
    pid = processes.save_map(ws, got.map, name="Imported").result
    _pm, ids = processes.load_map(ws, pid)
    processes.delete_items(ws, node_ids=[ids["PIn"], ids["POut"]])
    pm, _ids = processes.load_map(ws, pid)
    assert not {"DIA", "DOA"} & {e.key for e in pm.edges}  # (their connectors went with them)
    out = write_bpmn(pm)
    root = etree.fromstring(out)
    assert _schema_problems(root) == []
    spec = _process_io(out, "P")
    assert [(etree.QName(c).localname, c.get("id")) for c in spec] == [
        ("dataInput", "PIn2"), ("inputSet", "IS"), ("outputSet", "OS")]
    assert [r.text for r in spec.iter(M + "dataInputRefs")] == ["PIn2"]
    assert list(spec.find(M + "outputSet")) == []
    for gone in ("PIn", "POut", "DIA", "DOA", "PIn_di", "POut_di", "DIA_di", "DOA_di"):
        assert root.find(f".//*[@id='{gone}']") is None, gone
    # the task keeps its own inputs and outputs
    assert _tree(root.find(f".//{M}task/{M}ioSpecification")) == _tree(
        etree.fromstring(PROCESS_IO).find(f".//{M}task/{M}ioSpecification"))


IO_FILES = ("C.6.0.bpmn", "C.7.0.bpmn", "C.8.0.bpmn")


@pytest.mark.skipif(not SHARED_FILES, reason="../shared/corpus/bpmn is not there")
def test_shared_corpus_process_inputs_and_outputs_are_drawn_and_written_back(ws):
    drawn_assocs = 0
    for name in IO_FILES:
        data = (SHARED / name).read_bytes()
        root = etree.fromstring(data)
        shapes = {s.get("bpmnElement"): s for s in root.iter(BPMNDI + "BPMNShape")}
        with_edge = {e.get("bpmnElement") for e in root.iter(BPMNDI + "BPMNEdge")}
        got, pm, out = _through_workspace(ws, data)
        nodes = {n.key: n for n in pm.nodes}
        edges = {e.key: e for e in pm.edges}
        io_ids = set()
        for proc in root.iter(M + "process"):
            spec = proc.find(M + "ioSpecification")
            if spec is None:
                continue
            for el in spec.iterchildren(M + "dataInput", M + "dataOutput"):
                if el.get("id") in shapes:
                    io_ids.add(el.get("id"))
                    n = nodes[el.get("id")]
                    assert (n.kind, n.bpmn_type) == ("document", etree.QName(el).localname)
            assert _tree(_process_io(out, proc.get("id"))) == _tree(spec), name
        for el in root.iter(M + "dataInputAssociation", M + "dataOutputAssociation"):
            refs = {r.text for r in el if etree.QName(r).localname in ("sourceRef", "targetRef")}
            if refs & io_ids and el.get("id") in with_edge:
                e = edges[el.get("id")]
                assert (refs & io_ids) & {e.source, e.target}, (name, el.get("id"))
                drawn_assocs += 1
        assert not any("data association" in w for w in got.warnings), (name, got.warnings)
        assert _lost_or_added(data, out) == {}, name
    assert drawn_assocs == 8


@pytest.mark.skipif(not SHARED_FILES, reason="../shared/corpus/bpmn is not there")
def test_shared_corpus_deleting_every_process_input_and_output_gives_valid_bpmn(ws):
    data = (SHARED / "C.8.0.bpmn").read_bytes()
    assert _schema_problems(etree.fromstring(data)) == []
    got = read_bpmn(data)
    pid = processes.save_map(ws, got.map, name="Imported").result
    pm, ids = processes.load_map(ws, pid)
    io = [n.key for n in pm.nodes if n.bpmn_type in ("dataInput", "dataOutput")]
    assert len(io) == 5
    processes.delete_items(ws, node_ids=[ids[k] for k in io])
    out = write_bpmn(processes.load_map(ws, pid)[0])
    root = etree.fromstring(out)
    assert _schema_problems(root) == []
    spec = _process_io(out, "VacationRequestProcess")
    assert [etree.QName(c).localname for c in spec if isinstance(c.tag, str)] == [
        "inputSet", "outputSet"]
    assert not any(root.find(f".//*[@id='{k}']") is not None for k in io)
