"""draw.io pages with thousands of nested vertices import in linear time, in any order."""

from __future__ import annotations

import time

import pytest

from qms_desktop.services.imports.drawio import read_drawio


def nested_page(count: int, *, children_first: bool, lanes: bool = False) -> bytes:
    """A page whose vertex i sits inside vertex i-1 (a chain ``count`` deep); with ``lanes``,
    the outermost vertex is a pool holding a lane that holds the chain."""
    cells = []
    for index in range(count):
        parent = f"v{index - 1}" if index else ("lane" if lanes else "1")
        cells.append(f'<mxCell id="v{index}" value="S{index}" style="rounded=1;" vertex="1" '
                     f'parent="{parent}"><mxGeometry x="1" y="2" width="10" height="10" '
                     'as="geometry"/></mxCell>')
    if children_first:
        cells.reverse()
    head = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>']
    if lanes:
        head += ['<mxCell id="pool" value="Pool" style="swimlane;" vertex="1" parent="1">'
                 '<mxGeometry x="0" y="0" width="900" height="900" as="geometry"/></mxCell>',
                 '<mxCell id="lane" value="Lane" style="swimlane;" vertex="1" parent="pool">'
                 '<mxGeometry x="30" y="0" width="870" height="900" as="geometry"/></mxCell>']
    return ("<mxGraphModel><root>" + "".join(head + cells) + "</root></mxGraphModel>").encode()


def test_children_first_chain_does_not_exhaust_the_stack():
    got = read_drawio(nested_page(3000, children_first=True))
    nodes = {n.key: n for n in got.map.nodes}
    assert len(nodes) == 3000
    assert (nodes["v2999"].x, nodes["v2999"].y) == (3000.0, 6000.0)


@pytest.mark.parametrize("children_first", [False, True])
def test_deep_chain_in_a_lane_is_linear(children_first):
    data = nested_page(20000, children_first=children_first, lanes=True)
    started = time.perf_counter()
    got = read_drawio(data)
    elapsed = time.perf_counter() - started
    nodes = {n.key: n for n in got.map.nodes}
    assert nodes["v19999"].lane == "lane" and nodes["v0"].lane == "lane"
    assert (nodes["v19999"].x, nodes["v19999"].y) == (30.0 + 20000, 40000.0)
    # Linear: about 1 s on a busy machine; the quadratic walk took over 20 s here.
    assert elapsed < 8, f"{elapsed:.1f} s"


def test_cycle_of_parents_is_survived():
    cells = ('<mxCell id="0"/><mxCell id="1" parent="0"/>'
             '<mxCell id="a" value="A" vertex="1" parent="b"><mxGeometry x="1" y="1" '
             'width="5" height="5" as="geometry"/></mxCell>'
             '<mxCell id="b" value="B" vertex="1" parent="a"><mxGeometry x="2" y="2" '
             'width="5" height="5" as="geometry"/></mxCell>')
    got = read_drawio(f"<mxGraphModel><root>{cells}</root></mxGraphModel>".encode())
    assert len(got.map.nodes) <= 2
