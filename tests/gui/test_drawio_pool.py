"""An imported draw.io pool whose lanes are columns shows its title in a band along its top."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.gui


def _pool(header: str | None) -> dict:
    extra = {"drawio": {"id": "p"}} | ({"header": header} if header else {})
    return {"id": 1, "kind": "pool", "bpmn_type": "participant", "name": "Orders", "x": 0,
            "y": 0, "w": 600, "h": 400, "extra": json.dumps(extra, ensure_ascii=False,
                                                             sort_keys=True)}


def test_pool_title_along_the_top_or_the_left(qtbot):
    from qms_desktop.services.imports.drawio import read_drawio
    from qms_desktop.ui.flowchart.items import NodeItem, pool_header
    from qms_desktop.ui.flowchart.style import LANE_HEADER, LIGHT, Paints

    model = ('<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
             '<mxCell id="p" value="Orders" style="swimlane;startSize=20;" vertex="1" parent="1">'
             '<mxGeometry width="600" height="400" as="geometry"/></mxCell>'
             '<mxCell id="l" value="Sales" style="swimlane;startSize=20;" vertex="1" parent="p">'
             '<mxGeometry y="20" width="300" height="380" as="geometry"/></mxCell>'
             '</root></mxGraphModel>')
    stored = json.dumps(read_drawio(model.encode()).map.node("p").extra, sort_keys=True)
    assert pool_header({"extra": stored}) == "top"
    paints = Paints(LIGHT)
    top = NodeItem(_pool("top"), paints)
    assert top.label.rotation() == 0 and top.label.text == "Orders"
    # the band's line runs across the top, not down the left side
    line = [top.path().elementAt(i) for i in range(top.path().elementCount())]
    assert any(e.isMoveTo() and (e.x, e.y) == (0, LANE_HEADER) for e in line)
    left = NodeItem(_pool(None), paints)  # a BPMN pool, or a draw.io one with horizontal=0
    assert left.label.rotation() == -90
    line = [left.path().elementAt(i) for i in range(left.path().elementCount())]
    assert any(e.isMoveTo() and (e.x, e.y) == (LANE_HEADER, 0) for e in line)
