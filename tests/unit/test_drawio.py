"""draw.io import: the corpus template (compressed), hand-made plain and compressed diagrams,
styles, labels, absolute geometry, pages, damaged and hostile input."""

from __future__ import annotations

import base64
import re
import urllib.parse
import zlib

import pytest

from qms_desktop.core.processmap import validate
from qms_desktop.services.exports.bpmn import write_bpmn
from qms_desktop.services.imports.bpmn import read_bpmn
from qms_desktop.services.imports.drawio import (
    classify_style,
    drawio_pages,
    html_to_text,
    read_drawio,
)
from qms_desktop.services.xmlsafe import UnsafeXmlError, XmlFormatError

# jgraph's cross_functional_flowchart_1, byte for byte. A copy once held here differed by one
# base64 character (offset 1479 of the page text: 'P' instead of 'W'), which garbles the
# inflated XML: that damage is made in memory where a test wants a damaged file.
_DAMAGE_AT, _BAD = 1479, "P"


def _page_text(data: bytes) -> tuple[int, str]:
    text = data.decode("ascii")
    m = re.search(r"<diagram[^>]*>([^<]+)</diagram>", text)
    return m.start(1), m.group(1)


def _upstream_template(corpus_dir) -> bytes:
    return (corpus_dir / "drawio" / "cross_functional_flowchart_1.drawio").read_bytes()


def _compress(xml: str) -> str:
    quoted = urllib.parse.quote(xml, safe="-_.!~*'()")
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflater.compress(quoted.encode("ascii")) + deflater.flush()
    return base64.b64encode(raw).decode("ascii")


# --------------------------------------------------------------------------------------------
# The corpus template
# --------------------------------------------------------------------------------------------


def test_corpus_template_compressed_pool_lanes_and_absolute_geometry(corpus_dir):
    r = read_drawio(_upstream_template(corpus_dir))
    pm = r.map
    assert r.warnings == [] and r.pages == ["Page-1"]
    pools = [n for n in pm.nodes if n.kind == "pool"]
    assert [(p.name, p.x, p.y, p.w, p.h) for p in pools] == [("Pool", 70, 40, 960, 750)]
    assert [ln.name for ln in sorted(pm.lanes, key=lambda x: x.order)] == [f"Lane {i}" for i in range(1, 7)]
    # Lanes are relative to the pool in the file (x=0, 160, ...; y=20): absolute here.
    assert [(ln.x, ln.y, ln.w, ln.h) for ln in pm.lanes] == [
        (70 + 160 * i, 60, 160, 730) for i in range(6)]
    assert all(ln.extra["pool"] == pools[0].key for ln in pm.lanes)
    shapes = [n for n in pm.nodes if n.kind != "pool"]
    assert len(shapes) == 17
    assert sum(1 for n in shapes if n.kind == "decision") == 3
    lanes = pm.lanes_by_key()
    for n in shapes:
        ln = lanes[n.lane]
        assert ln.x <= n.x and n.x + n.w <= ln.x + ln.w and ln.y <= n.y and n.y + n.h <= ln.y + ln.h
    first = pm.node("77e6c97f196da883-8")  # x=20, y=65 in Lane 1, which is x=0, y=20 in the pool
    assert (first.x, first.y) == (90, 125) and first.lane == "77e6c97f196da883-2"
    assert len(pm.edges) == 21 and all(e.kind == "sequence" for e in pm.edges)
    # Edge points are relative to the edge's parent (the pool): made absolute, ends on shapes.
    e27 = pm.edge("77e6c97f196da883-27")
    assert e27.waypoints == [(310, 185), (310, 195), (140, 195), (140, 215)]


def test_the_corpus_copy_is_upstream_and_a_damaged_copy_is_refused_clearly(corpus_dir):
    good = _upstream_template(corpus_dir)
    start, page = _page_text(good)
    assert page[_DAMAGE_AT] == "W"  # the upstream character, not the damaged copy's
    i = start + _DAMAGE_AT
    damaged = good[:i] + _BAD.encode() + good[i + 1:]
    with pytest.raises(XmlFormatError, match=r"draw\.io page 'Page-1' is not well-formed XML"):
        read_drawio(damaged)


def test_template_exports_to_bpmn_with_pool_and_lanes(corpus_dir):
    pm = read_drawio(_upstream_template(corpus_dir)).map
    out = write_bpmn(pm, name="Cross-functional")
    back = read_bpmn(out).map
    assert len(back.lanes) == 6 and sum(1 for n in back.nodes if n.kind == "pool") == 1
    assert len(back.edges) == 21
    # Cell ids start with digits: the BPMN ids are generated, stable and valid.
    assert all(re.match(r"^[A-Za-z_]", n.key) for n in back.nodes)
    lane_names = {ln.key: ln.name for ln in back.lanes}
    orig_lanes = {ln.key: ln.name for ln in pm.lanes}
    before = sorted((n.x, n.y, orig_lanes[n.lane]) for n in pm.nodes if n.kind != "pool")
    after = sorted((n.x, n.y, lane_names[n.lane]) for n in back.nodes if n.kind != "pool")
    assert before == after


# --------------------------------------------------------------------------------------------
# Hand-made diagrams
# --------------------------------------------------------------------------------------------

MODEL = """<mxGraphModel dx="800" dy="600" grid="1"><root>
<mxCell id="0"/><mxCell id="1" parent="0"/>
<mxCell id="lane-a" value="Sales" style="swimlane;horizontal=0;html=1;startSize=30;" vertex="1" parent="1">
  <mxGeometry x="40" y="40" width="900" height="200" as="geometry"/></mxCell>
<mxCell id="lane-b" value="&lt;b&gt;Quality&lt;/b&gt;" style="swimlane;horizontal=0;html=1;" vertex="1" parent="1">
  <mxGeometry x="40" y="240" width="900" height="200" as="geometry"/></mxCell>
<mxCell id="s" value="Start" style="ellipse;whiteSpace=wrap;html=1;" vertex="1" parent="lane-a">
  <mxGeometry x="50" y="70" width="40" height="40" as="geometry"/></mxCell>
<mxCell id="t" value="&lt;div&gt;Check&lt;/div&gt;&lt;div&gt;order &amp;amp; stock&lt;/div&gt;" style="rounded=1;whiteSpace=wrap;html=1;" vertex="1" parent="lane-a">
  <mxGeometry x="130" y="60" width="120" height="60" as="geometry"/></mxCell>
<mxCell id="d" value="OK?" style="rhombus;whiteSpace=wrap;html=1;" vertex="1" parent="lane-a">
  <mxGeometry x="300" y="50" width="80" height="80" as="geometry"/></mxCell>
<UserObject label="Fix order" owner="QA" id="fix">
  <mxCell style="rounded=0;whiteSpace=wrap;html=1;" vertex="1" parent="lane-b">
    <mxGeometry x="280" y="60" width="120" height="60" as="geometry"/></mxCell></UserObject>
<mxCell id="grp" value="" style="group" vertex="1" connectable="0" parent="lane-a">
  <mxGeometry x="450" y="40" width="300" height="100" as="geometry"/></mxCell>
<mxCell id="doc" value="SOP-12" style="shape=document;whiteSpace=wrap;html=1;boundedLbl=1;" vertex="1" parent="grp">
  <mxGeometry x="10" y="10" width="60" height="70" as="geometry"/></mxCell>
<mxCell id="db" value="Order log" style="shape=cylinder3;whiteSpace=wrap;html=1;" vertex="1" parent="grp">
  <mxGeometry x="100" y="10" width="60" height="70" as="geometry"/></mxCell>
<mxCell id="e" value="" style="shape=mxgraph.flowchart.terminator;html=1;" vertex="1" parent="lane-a">
  <mxGeometry x="800" y="70" width="60" height="40" as="geometry"/></mxCell>
<mxCell id="note" value="Within 24 h" style="text;html=1;align=center;" vertex="1" parent="1">
  <mxGeometry x="960" y="60" width="100" height="30" as="geometry"/></mxCell>
<mxCell id="sub" value="Ship" style="shape=process;whiteSpace=wrap;html=1;" vertex="1" parent="lane-b">
  <mxGeometry x="600" y="60" width="120" height="60" as="geometry"/></mxCell>
<mxCell id="e1" style="edgeStyle=orthogonalEdgeStyle;html=1;" edge="1" parent="1" source="s" target="t">
  <mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e2" edge="1" parent="1" source="t" target="d" style="html=1;"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e3" value="no" edge="1" parent="1" source="d" target="fix" style="edgeStyle=orthogonalEdgeStyle;exitX=0.5;exitY=1;entryX=0.5;entryY=0;">
  <mxGeometry relative="1" as="geometry"><Array as="points"><mxPoint x="380" y="230"/></Array></mxGeometry></mxCell>
<mxCell id="e4" value="" edge="1" parent="1" source="d" target="e" style="html=1;">
  <mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e4-label" value="yes" style="edgeLabel;html=1;" vertex="1" connectable="0" parent="e4">
  <mxGeometry x="-0.2" relative="1" as="geometry"><mxPoint as="offset"/></mxGeometry></mxCell>
<mxCell id="e5" edge="1" parent="1" source="fix" target="sub" style="html=1;"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e6" edge="1" parent="1" source="sub" target="e" style="html=1;"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e7" style="dashed=1;endArrow=none;" edge="1" parent="1" source="doc" target="t"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e8" edge="1" parent="1" source="t"><mxGeometry relative="1" as="geometry"><mxPoint x="500" y="500" as="targetPoint"/></mxGeometry></mxCell>
</root></mxGraphModel>"""


def _check_handmade(r) -> None:
    pm = r.map
    n = pm.nodes_by_key()
    assert {k: v.kind for k, v in n.items()} == {
        "s": "start", "t": "step", "d": "decision", "fix": "step", "doc": "document", "db": "record",
        "e": "end", "note": "annotation", "sub": "subprocess", "e8#target": "event"}
    assert n["t"].name == "Check\norder & stock"
    assert n["fix"].name == "Fix order" and n["fix"].extra["drawio"]["props"] == {"owner": "QA"}
    lanes = {ln.key: ln for ln in pm.lanes}
    assert [(ln.name, ln.order) for ln in pm.lanes] == [("Sales", 0), ("Quality", 1)]
    assert (n["s"].x, n["s"].y, n["s"].lane) == (90, 110, "lane-a")
    assert (n["fix"].x, n["fix"].y, n["fix"].lane) == (320, 300, "lane-b")
    # Inside a group inside a lane: two levels of relative geometry.
    assert (n["doc"].x, n["doc"].y, n["doc"].lane) == (500, 90, "lane-a")
    assert n["note"].lane is None and lanes["lane-b"].name == "Quality"
    e = pm.edges_by_key()
    assert set(e) == {"e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"}
    assert e["e3"].label == "no" and e["e4"].label == "yes"
    assert e["e7"].kind == "association" and e["e1"].kind == "sequence"
    # Ports from exitX/exitY and entryX/entryY around the absolute control point.
    d, fix = n["d"], n["fix"]
    assert e["e3"].waypoints == [(d.x + d.w / 2, d.y + d.h), (380, 230), (fix.x + fix.w / 2, fix.y)]
    # e8 ends in the void at (500, 500): kept, ending at a small anchor point there.
    anchor = n["e8#target"]
    assert (anchor.x + anchor.w / 2, anchor.y + anchor.h / 2, anchor.name) == (500, 500, "")
    assert anchor.extra["drawio"] == {"anchor": "target", "edge": "e8"}
    assert (e["e8"].source, e["e8"].target) == ("t", "e8#target")
    assert e["e8"].waypoints[-1] == (500, 500)
    assert any("1 connector(s) with a loose end now end at a small anchor point" in w
               for w in r.warnings)
    assert not any("left out" in w for w in r.warnings)
    assert not [i for i in validate(pm) if i.code in ("unreachable", "decision_exits",
                                                         "dangling_edge")]
    assert [i.node for i in validate(pm) if i.code == "dead_end"] == ["e8#target"]


def test_plain_mxfile_with_two_pages():
    data = (f'<mxfile host="app.diagrams.net"><diagram id="a" name="Order">{MODEL}</diagram>'
            f'<diagram id="b" name="Other"><mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
            f'<mxCell id="x" value="Only here" vertex="1" parent="1"><mxGeometry width="80" height="40" as="geometry"/></mxCell>'
            f'</root></mxGraphModel></diagram></mxfile>').encode()
    r = read_drawio(data)
    assert r.name == "Order" and r.pages == ["Order", "Other"] == drawio_pages(data)
    assert ("The file has 2 pages; page 1, 'Order', was imported. The others (2 'Other') can "
            "each become a process of their own: choose the page when importing (in the app, "
            "or with --page NAME|N).") in r.warnings
    assert "was imported as chosen." in " ".join(read_drawio(data, page="Order").warnings)
    assert not any("one by one" in w for w in r.warnings)
    _check_handmade(r)
    other = read_drawio(data, page="Other")
    assert [n.name for n in other.map.nodes] == ["Only here"]
    assert read_drawio(data, page=1).map.nodes[0].key == "x"
    assert read_drawio(data, page="2").map.nodes[0].key == "x"  # a number from 1, as text
    assert read_drawio(data, page="2").warnings[0].startswith("The file has 2 pages; page 2, 'Other'")
    with pytest.raises(XmlFormatError, match="no page named 'Nope'"):
        read_drawio(data, page="Nope")
    with pytest.raises(XmlFormatError, match="page 5 does not exist"):
        read_drawio(data, page=4)


def test_compressed_page_gives_the_same_map_as_plain():
    plain = read_drawio(f'<mxfile><diagram name="Order">{MODEL}</diagram></mxfile>'.encode())
    packed = read_drawio(f'<mxfile><diagram name="Order">{_compress(MODEL)}</diagram></mxfile>'.encode())
    assert packed.map == plain.map
    _check_handmade(packed)


def test_bare_graph_model_file():
    r = read_drawio(MODEL.encode("utf-8"))
    assert r.pages == [""]
    _check_handmade(r)


def test_style_classification_and_html_labels():
    assert classify_style("rhombus;whiteSpace=wrap;") == "decision"
    assert classify_style("shape=mxgraph.flowchart.decision;") == "decision"
    assert classify_style("ellipse;") == "ellipse"
    assert classify_style("shape=mxgraph.flowchart.terminator;") == "ellipse"
    assert classify_style("shape=mxgraph.flowchart.document;") == "document"
    assert classify_style("shape=cylinder3;") == "record"
    assert classify_style("swimlane;childLayout=stackLayout;") == "swimlane"
    assert classify_style("text;html=1;") == "annotation"
    assert classify_style("shape=process;") == "subprocess"
    assert classify_style("rounded=1;whiteSpace=wrap;") == "step"
    assert classify_style("") == "step"
    assert html_to_text("<p>One&nbsp;<i>two</i></p><p>three<br/>four</p>") == "One two\nthree\nfour"
    assert html_to_text("a &lt; b", is_html=False) == "a &lt; b"


# --------------------------------------------------------------------------------------------
# Damaged and hostile input
# --------------------------------------------------------------------------------------------


def test_inflate_bomb_is_refused():
    bomb = "%3C" + "A" * (3 * 1024 * 1024)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflater.compress(bomb.encode()) + deflater.flush()
    data = f"<mxfile><diagram name='P'>{base64.b64encode(raw).decode()}</diagram></mxfile>".encode()
    assert len(data) < 20000
    with pytest.raises(UnsafeXmlError, match="unpacks to more than 1 MB"):
        read_drawio(data, max_bytes=1024 * 1024)


def test_entities_inside_a_compressed_page_are_refused():
    evil = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<mxGraphModel><root><mxCell id="0"/><mxCell id="1" value="&x;" parent="0"/></root></mxGraphModel>')
    data = f"<mxfile><diagram name='P'>{_compress(evil)}</diagram></mxfile>".encode()
    with pytest.raises(UnsafeXmlError, match="entities"):
        read_drawio(data)


@pytest.mark.parametrize("data, pattern", [
    (b"<mxfile><diagram name='P'>not base64 at all!</diagram></mxfile>", "neither XML nor a valid compressed"),
    (b"<mxfile><diagram name='P'>" + base64.b64encode(b"\xff\xfe garbage") + b"</diagram></mxfile>",
     "damaged and cannot be unpacked"),
    (b"<mxfile/>", "has no page"),
    (b"<mxfile><diagram name='P'></diagram></mxfile>", "is empty"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a draw.io diagram"),
    (b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "BPMN import"),
    (b"PK\x03\x04rest-of-a-docx", "ZIP archive"),
])
def test_wrong_or_damaged_files_are_refused_clearly(data, pattern):
    with pytest.raises(XmlFormatError, match=pattern):
        read_drawio(data)


# --------------------------------------------------------------------------------------------
# Connectors without a shape at one end, or attached to a swimlane: kept, and said so
# --------------------------------------------------------------------------------------------

LOOSE = """<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>
<mxCell id="pool" value="Orders" style="swimlane;html=1;startSize=20;" vertex="1" parent="1">
  <mxGeometry x="100" y="100" width="600" height="420" as="geometry"/></mxCell>
<mxCell id="la" value="Sales" style="swimlane;html=1;startSize=20;" vertex="1" parent="pool">
  <mxGeometry y="20" width="300" height="400" as="geometry"/></mxCell>
<mxCell id="lb" value="Customer" style="swimlane;html=1;startSize=20;" vertex="1" parent="pool">
  <mxGeometry x="300" y="20" width="300" height="400" as="geometry"/></mxCell>
<mxCell id="a" value="Take order" style="rounded=1;" vertex="1" parent="la">
  <mxGeometry x="20" y="40" width="100" height="60" as="geometry"/></mxCell>
<mxCell id="b" value="Check stock" style="rounded=1;" vertex="1" parent="la">
  <mxGeometry x="20" y="300" width="100" height="60" as="geometry"/></mxCell>
<mxCell id="c" value="Pack" style="rounded=1;" vertex="1" parent="1">
  <mxGeometry x="800" y="100" width="100" height="60" as="geometry"/></mxCell>
<mxCell id="to-void" edge="1" parent="1" source="c"><mxGeometry relative="1" as="geometry">
  <mxPoint x="1000" y="130" as="targetPoint"/></mxGeometry></mxCell>
<mxCell id="both-void" edge="1" parent="la"><mxGeometry relative="1" as="geometry">
  <mxPoint x="200" y="200" as="sourcePoint"/><mxPoint x="250" y="200" as="targetPoint"/>
  <Array as="points"><mxPoint x="225" y="220"/></Array></mxGeometry></mxCell>
<mxCell id="on-shape" edge="1" parent="1" target="c"><mxGeometry relative="1" as="geometry">
  <mxPoint x="124" y="170" as="sourcePoint"/></mxGeometry></mxCell>
<mxCell id="to-lane" edge="1" parent="1" source="c" target="la"><mxGeometry relative="1" as="geometry">
  <Array as="points"><mxPoint x="760" y="440"/><mxPoint x="200" y="440"/></Array></mxGeometry></mxCell>
<mxCell id="to-empty-lane" edge="1" parent="1" source="a" target="lb"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="nowhere" edge="1" parent="1" source="a"><mxGeometry relative="1" as="geometry"/></mxCell>
</root></mxGraphModel>"""


def test_loose_and_swimlane_ends_are_kept_and_reported():
    r = read_drawio(LOOSE.encode())
    pm = r.map
    n, e = pm.nodes_by_key(), pm.edges_by_key()
    # A loose end in the void: a small anchor point where the file left it.
    assert (e["to-void"].source, e["to-void"].target) == ("c", "to-void#target")
    assert n["to-void#target"].center == (1000, 130) and n["to-void#target"].kind == "event"
    assert e["to-void"].waypoints[-1] == (1000, 130)
    # Both ends loose, points relative to the lane: two anchors, in that lane, route kept.
    s, t = n["both-void#source"], n["both-void#target"]
    assert (s.center, t.center, s.lane, t.lane) == ((300, 320), (350, 320), "la", "la")
    assert e["both-void"].waypoints == [(300, 320), (325, 340), (350, 320)]
    # A loose end lying on a shape's border (a: x 120..220, y 160..220) is attached to it.
    assert e["on-shape"].source == "a" and e["on-shape"].waypoints[0] == (124, 170)
    assert e["on-shape"].extra["drawio"]["ends"] == ["touch"]
    # An end on a lane: the lane's shape nearest to where the connector comes from (b, not a).
    assert (e["to-lane"].source, e["to-lane"].target) == ("c", "b")
    assert e["to-lane"].extra["drawio"]["ends"] == ["lane"]
    # An end on a lane without shapes: an anchor on the lane's edge, facing the other end.
    ln = pm.lanes_by_key()["lb"]
    anchor = n[e["to-empty-lane"].target]
    assert anchor.key == "to-empty-lane#target" and anchor.center[0] == ln.x
    # An end that is neither a shape nor a point cannot be drawn: left out, and said so.
    assert "nowhere" not in e
    assert r.warnings == [
        "1 connector(s) with a loose end lying on a shape were attached to that shape.",
        "2 connector(s) with a loose end now end at a small anchor point where the file left "
        "them; connect them to a shape if they matter.",
        "1 connector(s) attached to a swimlane now go to the nearest shape in that lane.",
        "1 connector(s) attached to a swimlane without shapes now end at an anchor point on "
        "the lane's edge.",
        "1 connector(s) with an end that is neither a shape nor a point were left out; connect "
        "them in draw.io if they matter.",
    ]
    assert not [i for i in validate(pm) if i.code == "dangling_edge"]


def test_pool_title_band_side_follows_the_style():
    pm = read_drawio(LOOSE.encode()).map
    assert pm.node("pool").extra["header"] == "top"  # draw.io's default: title on top
    left = read_drawio(LOOSE.replace('startSize=20;" vertex="1" parent="1"',
                                     'startSize=20;horizontal=0;" vertex="1" parent="1"').encode())
    assert left.map.node("pool").extra["header"] == "left"
