"""Imported BPMN maps as the editor and the diagram images draw them (issue 10): a pool the
file gives no size (Bizagi's hidden 0×0 pool) is not drawn after the map is reloaded from the
workspace; pools with a size, and a hidden pool once resized, still are."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from qms_desktop.services import processes
from qms_desktop.services.imports.bpmn import read_bpmn
from qms_desktop.ui.flowchart import render

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "bpmn"
SHARED_FILES = sorted(p.name for p in SHARED.glob("*.bpmn")) if SHARED.is_dir() else []
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
      'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"')


def _pool_file(bounds: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="D" targetNamespace="urn:t">
  <bpmn:collaboration id="C"><bpmn:participant id="Pool" name="Hidden pool" processRef="P"/></bpmn:collaboration>
  <bpmn:process id="P">
    <bpmn:task id="T1" name="First"><bpmn:outgoing>F</bpmn:outgoing></bpmn:task>
    <bpmn:task id="T2" name="Second"><bpmn:incoming>F</bpmn:incoming></bpmn:task>
    <bpmn:sequenceFlow id="F" sourceRef="T1" targetRef="T2"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BD">
    <bpmndi:BPMNPlane id="BP" bpmnElement="C">
      <bpmndi:BPMNShape id="Pool_di" bpmnElement="Pool" isHorizontal="true"><dc:Bounds {bounds}/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="T1_di" bpmnElement="T1"><dc:Bounds x="100" y="100" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="T2_di" bpmnElement="T2"><dc:Bounds x="260" y="100" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="F_di" bpmnElement="F"><di:waypoint x="200" y="140"/><di:waypoint x="260" y="140"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


HIDDEN = _pool_file('x="0" y="0" width="0" height="0"')
SIZED = _pool_file('x="40" y="60" width="400" height="160"')


def _import(ws, data: bytes) -> int:
    return processes.save_map(ws, read_bpmn(data).map, name="Imported").result


def _pool_row(ws, pid: int) -> dict:
    return next(r for r in processes.load_map_data(ws, pid).nodes if r["kind"] == "pool")


def test_a_zero_size_pool_is_not_drawn_after_the_map_is_reloaded(ws):
    pid = _import(ws, HIDDEN)
    scene = render.build_scene(ws, pid)
    try:
        pool = _pool_row(ws, pid)
        drawn = scene.nodes.get(pool["id"])
        assert drawn is None or (drawn.boundingRect().isEmpty() or not drawn.isVisible())
        # the tasks are drawn, and the map's area is theirs (not a 600×250 box from 0, 0)
        assert {r["id"] for r in processes.load_map_data(ws, pid).nodes if r["kind"] == "step"} \
            <= set(scene.nodes)
        rect = scene.map_rect(tight=True)
        assert rect.left() > 50 and rect.top() > 50
        assert rect.right() < 420 and rect.bottom() < 240
        geometry = render.map_geometry(scene)
        assert all(x >= 50 and y >= 50 for x, y, _w, _h in geometry.content)
    finally:
        scene.clear_map()


def test_a_zero_size_pool_is_not_in_the_diagram_image(ws, tmp_path):
    hidden = render.render_map(ws, _import(ws, HIDDEN), tmp_path / "hidden.png", dpi=96)
    sized = render.render_map(ws, _import(ws, SIZED), tmp_path / "sized.png", dpi=96)
    hidden_img, sized_img = QImage(str(hidden)), QImage(str(sized))
    assert not hidden_img.isNull() and not sized_img.isNull()
    # the hidden pool's default 600×250 would make the image at least that big
    assert hidden_img.width() < 600 and hidden_img.height() < 250
    assert hidden_img.width() < sized_img.width()


def test_a_pool_with_a_size_and_a_resized_hidden_pool_are_drawn(ws):
    sized = _import(ws, SIZED)
    scene = render.build_scene(ws, sized)
    try:
        item = scene.nodes[_pool_row(ws, sized)["id"]]
        assert item.isVisible() and (item.w, item.h) == (400, 160)
    finally:
        scene.clear_map()
    pm = read_bpmn(HIDDEN).map
    pool = next(n for n in pm.nodes if n.kind == "pool")
    pool.w, pool.h = 500.0, 300.0
    resized = processes.save_map(ws, pm, name="Resized").result
    scene = render.build_scene(ws, resized)
    try:
        item = scene.nodes[_pool_row(ws, resized)["id"]]
        assert item.isVisible() and (item.w, item.h) == (500, 300)
    finally:
        scene.clear_map()


@pytest.mark.skipif(not SHARED_FILES, reason="../shared/corpus/bpmn is not there (the shared "
                    "reference corpus sits beside the project's checkout)")
def test_every_pool_of_the_reference_corpus_is_drawn_as_its_file_says(ws):
    """No reference file holds a zero-size pool: every pool is drawn at its file's size."""
    pools = 0
    for name in SHARED_FILES:
        pid = _import(ws, (SHARED / name).read_bytes())
        scene = render.build_scene(ws, pid)
        try:
            for r in processes.load_map_data(ws, pid).nodes:
                if r["kind"] != "pool" or r["id"] not in scene.nodes:
                    continue
                pools += 1
                item = scene.nodes[r["id"]]
                assert item.isVisible() and (item.w, item.h) == (r["w"], r["h"]), name
        finally:
            scene.clear_map()
    assert pools > 0


@pytest.mark.skipif(not SHARED_FILES, reason="../shared/corpus/bpmn is not there")
@pytest.mark.parametrize("name", ["C.6.0.bpmn", "C.7.0.bpmn", "C.8.0.bpmn"])
def test_process_inputs_and_outputs_are_drawn_with_their_connectors(ws, name):
    """The process's own data inputs and outputs that the file's diagram draws are data shapes
    on the map, where the file puts them, and their data associations are connectors."""
    from lxml import etree

    data = (SHARED / name).read_bytes()
    di = "{http://www.omg.org/spec/BPMN/20100524/DI}"
    model = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    root = etree.fromstring(data)
    shapes = {s.get("bpmnElement") for s in root.iter(di + "BPMNShape")}
    io = {el.get("id") for p in root.iterchildren(model + "process")
          for spec in p.iterchildren(model + "ioSpecification")
          for el in spec.iterchildren(model + "dataInput", model + "dataOutput")} & shapes
    assert io
    pid = _import(ws, data)
    rows = processes.load_map_data(ws, pid)
    io_rows = {r["key"]: r for r in rows.nodes if r["key"] in io}
    assert set(io_rows) == io
    assert all(r["kind"] == "document" for r in io_rows.values())
    io_ids = {r["id"] for r in io_rows.values()}
    joined = [r["id"] for r in rows.edges if {r["source_id"], r["target_id"]} & io_ids]
    scene = render.build_scene(ws, pid)
    try:
        assert io_ids <= set(scene.nodes)
        for r in io_rows.values():
            pos = scene.nodes[r["id"]].scenePos()
            assert (round(pos.x()), round(pos.y())) == (round(r["x"]), round(r["y"]))
        assert joined and set(joined) <= set(scene.edges)
    finally:
        scene.clear_map()
