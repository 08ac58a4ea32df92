"""draw.io (diagrams.net) import into a :class:`~qms_desktop.core.processmap.ProcessMap`.

Accepts ``.drawio`` / ``.xml`` files: an ``mxfile`` with plain or compressed pages
(base64 -> raw DEFLATE -> URL-decoding), or a bare ``mxGraphModel``. Vertices become nodes by
their style (rhombus -> decision, ellipse/terminator -> start or end, document -> document,
cylinder/database -> record, predefined process -> sub-process, text/annotation -> annotation,
anything else -> step); swimlanes become lanes (a swimlane holding swimlanes is a pool); edges
become sequence connectors with their labels (associations when they touch a document, record or
annotation). Geometry, relative to the parent cell in draw.io, is made absolute.

Node keys are the draw.io cell ids; each item keeps ``extra["drawio"] = {"id", "style"}``.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import urllib.parse
import zlib
from dataclasses import dataclass, field
from typing import Any

from qms_desktop.core.processmap import Edge, Lane, Node, ProcessMap
from qms_desktop.services.xmlsafe import MAX_XML_BYTES, UnsafeXmlError, XmlFormatError, parse_xml

__all__ = ["DrawioImport", "classify_style", "drawio_pages", "html_to_text", "parse_style",
           "read_drawio"]


@dataclass
class DrawioImport:
    """What :func:`read_drawio` found: the map of one page, its name, all page names, warnings."""

    map: ProcessMap
    name: str = ""
    warnings: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Styles and labels
# --------------------------------------------------------------------------------------------

_DECISION = {"rhombus", "mxgraph.flowchart.decision", "mxgraph.bpmn.gateway", "mxgraph.bpmn.gateway2"}
_ELLIPSE = {"ellipse", "doubleellipse", "mxgraph.flowchart.start_1", "mxgraph.flowchart.start_2",
            "mxgraph.flowchart.terminator", "terminator", "mxgraph.bpmn.event",
            "mxgraph.flowchart.on-page_reference", "mxgraph.bpmn.shape"}
_DOCUMENT = {"document", "mxgraph.flowchart.document", "mxgraph.flowchart.multi-document",
             "note", "mxgraph.bpmn.data"}
_RECORD = {"cylinder", "cylinder2", "cylinder3", "datastore", "mxgraph.flowchart.database",
           "mxgraph.flowchart.stored_data", "mxgraph.flowchart.direct_data",
           "mxgraph.bpmn.data_store", "datastorage"}
_SUBPROCESS = {"process", "mxgraph.flowchart.predefined_process"}
_ANNOTATION = {"text", "mxgraph.flowchart.annotation_1", "mxgraph.flowchart.annotation_2",
               "mxgraph.bpmn.annotation", "callout"}
_START_WORDS = re.compile(r"\b(start|begin|beginn|d[ée]but|inicio|anfang)\b", re.I)
_END_WORDS = re.compile(r"\b(end|ende|stop|finish|finished|done|fin|fine)\b", re.I)


def parse_style(style: str | None) -> tuple[list[str], dict[str, str]]:
    """Split a draw.io style into its bare names (``rhombus``, ``swimlane``...) and its
    ``key=value`` pairs."""
    names: list[str] = []
    pairs: dict[str, str] = {}
    for token in (style or "").split(";"):
        token = token.strip()
        if not token:
            continue
        if "=" in token:
            k, v = token.split("=", 1)
            pairs[k.strip()] = v.strip()
        else:
            names.append(token)
    return names, pairs


def classify_style(style: str | None) -> str:
    """Shape family of a vertex style: ``swimlane``, ``group``, ``edgeLabel``, ``decision``,
    ``ellipse``, ``document``, ``record``, ``subprocess``, ``annotation`` or ``step``."""
    names, pairs = parse_style(style)
    lowered = {n.lower() for n in names}
    shape = pairs.get("shape", "").lower()
    if "swimlane" in lowered or shape in ("swimlane", "mxgraph.bpmn.swimlane", "table"):
        return "swimlane"
    if "group" in lowered and not shape:
        return "group"
    if "edgelabel" in lowered:
        return "edgeLabel"
    tokens = lowered | ({shape} if shape else set())
    if pairs.get("perimeter", "").lower() == "rhombusperimeter":
        tokens.add("rhombus")
    if tokens & _DECISION or "gateway" in shape:
        return "decision"
    if tokens & _ANNOTATION:
        return "annotation"
    if tokens & _DOCUMENT:
        return "document"
    if tokens & _RECORD:
        return "record"
    if tokens & _SUBPROCESS:
        return "subprocess"
    if tokens & _ELLIPSE or pairs.get("perimeter", "").lower() == "ellipseperimeter" or (
            "event" in shape and "mxgraph.bpmn" in shape):
        return "ellipse"
    return "step"


_BREAK = re.compile(r"<\s*(br|/div|/p|/li|/h[1-6]|/tr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(value: str, is_html: bool = True) -> str:
    """Plain text of a draw.io label (HTML tags removed, breaks kept as new lines)."""
    if not value:
        return ""
    if is_html:
        value = _BREAK.sub("\n", value)
        value = _TAG.sub("", value)
        value = html.unescape(value)
    lines = [" ".join(line.split()) for line in value.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _inflate(text: str, page: str, max_bytes: int) -> bytes:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise XmlFormatError(
            f"The draw.io page '{page}' is neither XML nor a valid compressed diagram; "
            "open it in draw.io and save it again."
        ) from None
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(raw, max_bytes + 1)
    except zlib.error:
        raise XmlFormatError(
            f"The compressed draw.io page '{page}' is damaged and cannot be unpacked; "
            "open it in draw.io and save it again."
        ) from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise UnsafeXmlError(
            f"The compressed draw.io page '{page}' unpacks to more than {max_bytes // (1024 * 1024)} MB, "
            "so it was refused."
        )
    text_out = out.decode("utf-8", errors="replace").strip()
    if text_out.startswith("%3C") or text_out.startswith("%3c"):
        text_out = urllib.parse.unquote(text_out)
    return text_out.encode("utf-8")


def _model_of(root: Any, page: int | str | None, max_bytes: int,
              warnings: list[str]) -> tuple[Any, str, list[str]]:
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == "mxGraphModel":
        return root, "", [""]
    if tag != "mxfile":
        local = tag.rsplit("}", 1)[-1]
        if local == "definitions":
            raise XmlFormatError(
                "The file is a BPMN model, not a draw.io diagram; import it with the BPMN import."
            )
        raise XmlFormatError(
            f"The file is XML but not a draw.io diagram (its root element is '{local}'); "
            "export it from draw.io as .drawio or .xml."
        )
    diagrams = [d for d in root if isinstance(d.tag, str) and d.tag == "diagram"]
    if not diagrams:
        raise XmlFormatError("The draw.io file has no page; open it in draw.io and save it again.")
    names = [d.get("name") or f"Page-{i + 1}" for i, d in enumerate(diagrams)]
    if isinstance(page, str) and page not in names and page.strip().isdigit():
        page = int(page.strip()) - 1  # a page number counted from 1, when no page has that name
    if page is None:
        idx = 0
    elif isinstance(page, int):
        if not 0 <= page < len(diagrams):
            raise XmlFormatError(
                f"The draw.io file has {len(diagrams)} page(s), so page {page + 1} does not exist; "
                f"choose a page from 1 to {len(diagrams)} or by name ({', '.join(names)})."
            )
        idx = page
    else:
        if page not in names:
            raise XmlFormatError(
                f"The draw.io file has no page named '{page}'; its pages are {', '.join(names)}."
            )
        idx = names.index(page)
    if len(diagrams) > 1 and page is None:
        others = ", ".join(f"{i + 1} '{n}'" for i, n in enumerate(names) if i != idx)
        warnings.append(
            f"The file has {len(diagrams)} pages; page 1, '{names[idx]}', was imported. The "
            f"others ({others}) can each become a process of their own: choose the page when "
            "importing (in the app, or with --page NAME|N)."
        )
    elif len(diagrams) > 1:
        warnings.append(
            f"The file has {len(diagrams)} pages; page {idx + 1}, '{names[idx]}', was imported "
            "as chosen."
        )
    diagram = diagrams[idx]
    model = diagram.find("mxGraphModel")
    if model is not None:
        return model, names[idx], names
    text = (diagram.text or "").strip()
    if not text:
        raise XmlFormatError(f"The draw.io page '{names[idx]}' is empty; there is nothing to import.")
    xml = text.encode("utf-8") if text.startswith("<") else _inflate(text, names[idx], max_bytes)
    model = parse_xml(xml, max_bytes=max_bytes, what=f"draw.io page '{names[idx]}'")
    if model.tag != "mxGraphModel":
        raise XmlFormatError(
            f"The draw.io page '{names[idx]}' does not hold a diagram model; open it in draw.io and save it again."
        )
    return model, names[idx], names


def drawio_pages(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> list[str]:
    """The page names of a draw.io file (``[""]`` for a bare diagram model), without unpacking
    any page: what a page choice offers. Errors as :func:`read_drawio`'s."""
    root = parse_xml(data, max_bytes=max_bytes, what="draw.io file")
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag != "mxfile":
        return _model_of(root, None, max_bytes, [])[2]
    diagrams = [d for d in root if isinstance(d.tag, str) and d.tag == "diagram"]
    if not diagrams:
        raise XmlFormatError("The draw.io file has no page; open it in draw.io and save it again.")
    return [d.get("name") or f"Page-{i + 1}" for i, d in enumerate(diagrams)]


@dataclass
class _Cell:
    id: str
    value: str
    style: str
    parent: str | None
    vertex: bool
    edge: bool
    source: str | None
    target: str | None
    geo: dict[str, Any]
    props: dict[str, str]
    order: int


def _num(v: Any, default: float = 0.0) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if f == f and abs(f) != float("inf") else default


def _geometry(cell_el: Any) -> dict[str, Any]:
    geo: dict[str, Any] = {"x": 0.0, "y": 0.0, "w": 0.0, "h": 0.0, "relative": False,
                           "points": [], "source_point": None, "target_point": None}
    g = next((c for c in cell_el if isinstance(c.tag, str) and c.tag == "mxGeometry"), None)
    if g is None:
        return geo
    geo.update(x=_num(g.get("x")), y=_num(g.get("y")), w=_num(g.get("width")),
               h=_num(g.get("height")), relative=g.get("relative") == "1")
    for ch in g:
        if not isinstance(ch.tag, str):
            continue
        if ch.tag == "Array" and ch.get("as") == "points":
            geo["points"] = [(_num(p.get("x")), _num(p.get("y"))) for p in ch
                             if isinstance(p.tag, str) and p.tag == "mxPoint"]
        elif ch.tag == "mxPoint" and ch.get("as") == "sourcePoint":
            geo["source_point"] = (_num(ch.get("x")), _num(ch.get("y")))
        elif ch.tag == "mxPoint" and ch.get("as") == "targetPoint":
            geo["target_point"] = (_num(ch.get("x")), _num(ch.get("y")))
    return geo


def _cells(model: Any) -> list[_Cell]:
    root = model.find("root")
    if root is None:
        raise XmlFormatError("The draw.io diagram has no cells; open it in draw.io and save it again.")
    cells: list[_Cell] = []
    for i, el in enumerate(root):
        if not isinstance(el.tag, str):
            continue
        props: dict[str, str] = {}
        if el.tag == "mxCell":
            cell_el, ident, value = el, el.get("id"), el.get("value") or ""
        elif el.tag in ("UserObject", "object"):
            cell_el = el.find("mxCell")
            if cell_el is None:
                continue
            ident = el.get("id") or cell_el.get("id")
            value = el.get("label") or ""
            props = {k: v for k, v in el.attrib.items() if k not in ("id", "label", "placeholders")}
        else:
            continue
        if not ident:
            continue
        cells.append(_Cell(
            id=ident, value=value, style=cell_el.get("style") or "",
            parent=cell_el.get("parent"), vertex=cell_el.get("vertex") == "1",
            edge=cell_el.get("edge") == "1", source=cell_el.get("source"),
            target=cell_el.get("target"), geo=_geometry(cell_el), props=props, order=i,
        ))
    return cells


def read_drawio(data: bytes, *, page: int | str | None = None,
                max_bytes: int = MAX_XML_BYTES) -> DrawioImport:
    """Read one page (the first unless ``page`` gives an index or a name) of a draw.io file.

    Raises :class:`~qms_desktop.services.xmlsafe.XmlFormatError` or
    :class:`~qms_desktop.services.xmlsafe.UnsafeXmlError` (both ``ValueError``) with a
    one-sentence message when the file cannot be imported; nothing is half-imported.
    """
    warnings: list[str] = []
    root = parse_xml(data, max_bytes=max_bytes, what="draw.io file")
    model, page_name, pages = _model_of(root, page, max_bytes, warnings)
    cells = _cells(model)
    by_id: dict[str, _Cell] = {}
    for c in cells:
        if c.id in by_id:
            warnings.append(f"The cell id '{c.id}' is used twice; the second cell was ignored.")
            continue
        by_id[c.id] = c
    cells = list(by_id.values())

    # Layers: the root cell(s) and their direct children.
    roots = {c.id for c in cells if not c.parent or c.parent not in by_id}
    layers = {c.id for c in cells if c.parent in roots and not c.vertex and not c.edge}
    structural = roots | layers

    family = {c.id: classify_style(c.style) for c in cells if c.vertex}
    kids: dict[str, list[_Cell]] = {}
    for c in cells:
        if c.parent:
            kids.setdefault(c.parent, []).append(c)

    # Absolute origin of every cell (children are relative to their parent vertex).
    origin: dict[str, tuple[float, float]] = {}

    def abs_pos(cid: str) -> tuple[float, float]:
        # Iterative (a chain of thousands of nested vertices must not exhaust the stack) and
        # memoised: every cell's origin is computed once, so the whole page is linear.
        got = origin.get(cid)
        if got is not None:
            return got
        chain: list[_Cell] = []
        seen: set[str] = set()
        base = (0.0, 0.0)
        k = cid
        while True:
            got = origin.get(k)
            if got is not None:
                base = got
                break
            c = by_id.get(k)
            if c is None or k in structural or not c.vertex:
                origin[k] = base
                break
            if k in seen:  # a cycle of parents: it starts from the page origin
                break
            seen.add(k)
            chain.append(c)
            parent = c.parent
            if not (parent and parent in by_id and by_id[parent].vertex):
                break
            k = parent
        x, y = base
        for c in reversed(chain):
            x += c.geo["x"]
            y += c.geo["y"]
            origin[c.id] = (x, y)
        return origin[cid]

    # Edge labels held by child vertices of the edge.
    edge_label_parts: dict[str, list[str]] = {}
    for c in cells:
        if c.vertex and c.parent in by_id and by_id[c.parent].edge:
            family[c.id] = "edgeLabel"
            text = html_to_text(c.value, "html=1" in c.style)
            if text:
                edge_label_parts.setdefault(c.parent, []).append(text)

    # Swimlanes: pools hold swimlanes, lanes do not (or sit inside another swimlane).
    swim = [c for c in cells if c.vertex and family.get(c.id) == "swimlane"]
    swim_ids = {c.id for c in swim}
    pools: set[str] = set()
    for c in swim:
        inner = [k for k in kids.get(c.id, []) if k.id in swim_ids]
        parent_is_swim = c.parent in swim_ids
        if inner and not parent_is_swim:
            pools.add(c.id)
    lanes_ids = [c.id for c in swim if c.id not in pools]

    def nearest(cid: str, wanted: Any, memo: dict[str, str | None]) -> str | None:
        # The closest ancestor of ``cid`` in ``wanted``, walking up once and remembering the
        # answer for every cell passed (linear for deep nesting, safe on cycles).
        if cid in memo:
            return memo[cid]
        path = [cid]
        seen: set[str] = set()
        found = None
        k = by_id[cid].parent
        while k and k in by_id and k not in seen:
            if k in wanted:
                found = k
                break
            if k in memo:
                found = memo[k]
                break
            seen.add(k)
            path.append(k)
            k = by_id[k].parent
        for passed in path:
            memo[passed] = found
        return found

    lane_set = {i for i in swim_ids if i not in pools}
    lane_memo: dict[str, str | None] = {}
    pool_memo: dict[str, str | None] = {}

    def lane_of(cid: str) -> str | None:
        return nearest(cid, lane_set, lane_memo)

    def pool_of(cid: str) -> str | None:
        return nearest(cid, pools, pool_memo)

    pm = ProcessMap(extra={"drawio": {"page": page_name, "model_attrs": dict(model.attrib)}})

    # Lanes, ordered by pool then position.
    lane_cells = sorted((by_id[i] for i in lanes_ids),
                        key=lambda c: (pool_of(c.id) or "", round(abs_pos(c.id)[1]),
                                       round(abs_pos(c.id)[0]), c.order))
    for order, c in enumerate(lane_cells):
        x, y = abs_pos(c.id)
        extra: dict[str, Any] = {"drawio": {"id": c.id, "style": c.style}}
        pool = pool_of(c.id)
        if pool:
            extra["pool"] = pool
        parent_lane = lane_of(c.id)
        if parent_lane:
            extra["parent"] = parent_lane
        if c.props:
            extra["drawio"]["props"] = c.props
        pm.lanes.append(Lane(key=c.id, name=html_to_text(c.value, "html=1" in c.style),
                             x=x, y=y, w=c.geo["w"], h=c.geo["h"], order=order, extra=extra))

    # Degrees (for ellipses: start or end).
    out_deg: dict[str, int] = {}
    in_deg: dict[str, int] = {}
    for c in cells:
        if c.edge and c.source and c.target:
            out_deg[c.source] = out_deg.get(c.source, 0) + 1
            in_deg[c.target] = in_deg.get(c.target, 0) + 1

    node_keys: set[str] = set()
    for c in cells:
        if not c.vertex or c.id in structural:
            continue
        fam = family.get(c.id, "step")
        if fam in ("edgeLabel", "group"):
            continue
        if fam == "swimlane" and c.id not in pools:
            continue
        name = html_to_text(c.value, "html=1" in c.style)
        if fam == "swimlane":
            kind = "pool"
        elif fam == "ellipse":
            if _START_WORDS.search(name):
                kind = "start"
            elif _END_WORDS.search(name):
                kind = "end"
            elif out_deg.get(c.id) and not in_deg.get(c.id):
                kind = "start"
            elif in_deg.get(c.id) and not out_deg.get(c.id):
                kind = "end"
            elif not in_deg.get(c.id) and not out_deg.get(c.id):
                kind = "event"
            else:
                kind = "event"
        else:
            kind = fam
        x, y = abs_pos(c.id)
        extra = {"drawio": {"id": c.id, "style": c.style}}
        if c.props:
            extra["drawio"]["props"] = c.props
        parent = c.parent if (c.parent in by_id and family.get(c.parent) == "subprocess") else None
        node = Node(key=c.id, kind=kind, name=name, x=x, y=y, w=c.geo["w"], h=c.geo["h"],
                    lane=lane_of(c.id) if kind != "pool" else None, parent=parent, extra=extra)
        pm.nodes.append(node)
        node_keys.add(c.id)
    pm.nodes.sort(key=lambda n: 0 if n.kind == "pool" else 1)

    # Pools: draw.io writes the title band on top unless the style says horizontal=0 (left).
    for n in pm.nodes:
        if n.kind == "pool":
            _names, pairs = parse_style(by_id[n.key].style)
            n.extra["header"] = "left" if pairs.get("horizontal") == "0" else "top"

    nodes = pm.nodes_by_key()
    shapes = [n for n in pm.nodes if n.kind != "pool"]
    lane_rects = sorted(((ln.w * ln.h, ln) for ln in pm.lanes), key=lambda t: t[0])
    kept = {"anchor": 0, "touch": 0, "lane": 0, "lane_edge": 0}
    dropped = 0

    def lane_at(pt: tuple[float, float]) -> str | None:
        # the smallest lane holding the point (a sub-lane before its parent)
        for _area, ln in lane_rects:
            if ln.x <= pt[0] <= ln.x + ln.w and ln.y <= pt[1] <= ln.y + ln.h:
                return ln.key
        return None

    def shape_at(pt: tuple[float, float], other: str | None) -> Node | None:
        # the smallest shape the point lies on (within a few pixels of it), not the other end
        best: tuple[float, Node] | None = None
        for n in shapes:
            if n.key == other or n.extra.get("drawio", {}).get("anchor"):
                continue
            if (n.x - _TOUCH <= pt[0] <= n.x + n.w + _TOUCH
                    and n.y - _TOUCH <= pt[1] <= n.y + n.h + _TOUCH):
                area = n.w * n.h
                if best is None or area < best[0]:
                    best = (area, n)
        return best[1] if best else None

    def lane_shape(lane_key: str, toward: tuple[float, float], other: str | None) -> Node | None:
        # the shape of the lane (or of a lane inside it) nearest to ``toward``
        inside = {lane_key} | {ln.key for ln in pm.lanes if _under(ln, lane_key, pm)}
        cands = [n for n in shapes if n.lane in inside and n.key != other
                 and not n.extra.get("drawio", {}).get("anchor")]
        if not cands:
            return None
        return min(cands, key=lambda n: (n.center[0] - toward[0]) ** 2 + (n.center[1] - toward[1]) ** 2)

    def anchor(edge_id: str, end: str, pt: tuple[float, float]) -> Node:
        node = Node(key=f"{edge_id}#{end}", kind="event", name="",
                    x=pt[0] - _ANCHOR / 2, y=pt[1] - _ANCHOR / 2, w=_ANCHOR, h=_ANCHOR,
                    lane=lane_at(pt), extra={"drawio": {"anchor": end, "edge": edge_id}})
        pm.nodes.append(node)
        nodes[node.key] = node
        return node

    for c in cells:
        if not c.edge:
            continue
        _names, pairs = parse_style(c.style)
        ox, oy = abs_pos(c.parent) if c.parent in by_id and by_id[c.parent].vertex else (0.0, 0.0)
        points = [(px + ox, py + oy) for px, py in c.geo["points"]]

        def loose_point(end_id: str | None, geo_key: str) -> tuple[float, float] | None:
            pt = c.geo[geo_key]
            if pt is not None:
                return (pt[0] + ox, pt[1] + oy)
            cell = by_id.get(end_id or "")
            if cell is not None and cell.vertex:  # a group or another cell that is no shape
                x, y = abs_pos(cell.id)
                return (x + cell.geo["w"] / 2, y + cell.geo["h"] / 2)
            return None

        ends: list[tuple[Node | None, tuple[float, float] | None, str]] = []
        for end_id, geo_key in ((c.source, "source_point"), (c.target, "target_point")):
            if end_id in node_keys:
                ends.append((nodes[end_id], None, "shape"))
            elif end_id in lane_set:
                ends.append((None, None, "lane"))
            else:
                ends.append((None, loose_point(end_id, geo_key), "point"))
        if any(how == "point" and pt is None for _n, pt, how in ends):
            dropped += 1
            continue
        # Loose ends first: they may touch a shape, else they end at an anchor point.
        notes: set[str] = set()
        for i, end in enumerate(("source", "target")):
            n, pt, how = ends[i]
            if how != "point":
                continue
            other = ends[1 - i][0]
            hit = shape_at(pt, other.key if other else None)
            if hit is not None:
                ends[i] = (hit, pt, "touch")
                notes.add("touch")
            else:
                ends[i] = (anchor(c.id, end, pt), pt, "anchor")
                notes.add("anchor")
        # Ends on a swimlane: the lane's shape nearest to where the connector comes from.
        for i, end in enumerate(("source", "target")):
            n, pt, how = ends[i]
            if how != "lane":
                continue
            lane_key = c.source if i == 0 else c.target
            other_n, other_pt, _h = ends[1 - i]
            if points:
                toward = points[0] if i == 0 else points[-1]
            elif other_pt is not None:
                toward = other_pt
            elif other_n is not None:
                toward = other_n.center
            else:
                toward = pm.lanes_by_key()[lane_key].x, pm.lanes_by_key()[lane_key].y
            hit = lane_shape(lane_key, toward, other_n.key if other_n else None)
            if hit is not None:
                ends[i] = (hit, None, "lane")
                notes.add("lane")
            else:
                ln = pm.lanes_by_key()[lane_key]
                box = Node(key="", kind="step", x=ln.x, y=ln.y, w=ln.w, h=ln.h)
                pt = _port(box, {}, "", toward)
                ends[i] = (anchor(c.id, end, pt), pt, "lane_edge")
                notes.add("lane_edge")
        for note in notes:
            kept[note] += 1

        label_parts = [html_to_text(c.value, "html=1" in c.style)] + edge_label_parts.get(c.id, [])
        label = "\n".join(p for p in label_parts if p)
        (s, s_pt, _sh), (t, t_pt, _th) = ends
        assert s is not None and t is not None
        kind = "sequence"
        if {s.kind, t.kind} & {"document", "record", "annotation"}:
            kind = "association"
        waypoints: list[tuple[float, float]] = []
        if points or s_pt is not None or t_pt is not None:
            start = s_pt if s_pt is not None else _port(
                s, pairs, "exit", points[0] if points else (t_pt if t_pt is not None else t.center))
            end_pt = t_pt if t_pt is not None else _port(
                t, pairs, "entry", points[-1] if points else start)
            waypoints = [start, *points, end_pt]
        extra = {"drawio": {"id": c.id, "style": c.style}}
        if notes:
            extra["drawio"]["ends"] = sorted(notes)
        if c.props:
            extra["drawio"]["props"] = c.props
        pm.edges.append(Edge(key=c.id, source=s.key, target=t.key, kind=kind, label=label,
                             waypoints=waypoints, extra=extra))
    if kept["touch"]:
        warnings.append(
            f"{kept['touch']} connector(s) with a loose end lying on a shape were attached to "
            "that shape."
        )
    if kept["anchor"]:
        warnings.append(
            f"{kept['anchor']} connector(s) with a loose end now end at a small anchor point "
            "where the file left them; connect them to a shape if they matter."
        )
    if kept["lane"]:
        warnings.append(
            f"{kept['lane']} connector(s) attached to a swimlane now go to the nearest shape "
            "in that lane."
        )
    if kept["lane_edge"]:
        warnings.append(
            f"{kept['lane_edge']} connector(s) attached to a swimlane without shapes now end at "
            "an anchor point on the lane's edge."
        )
    if dropped:
        warnings.append(
            f"{dropped} connector(s) with an end that is neither a shape nor a point were left "
            "out; connect them in draw.io if they matter."
        )
    if not pm.nodes and not pm.lanes:
        warnings.append("The page has no shapes to import.")
    return DrawioImport(map=pm, name=page_name, warnings=warnings, pages=pages)


#: how far (px) outside a shape a loose connector end still counts as lying on it
_TOUCH = 6.0
#: size (px) of the anchor point a loose connector end gets
_ANCHOR = 8.0


def _under(lane: Lane, ancestor: str, pm: ProcessMap) -> bool:
    """Whether ``lane`` lies (at any depth) inside the lane ``ancestor``."""
    by_key = pm.lanes_by_key()
    seen: set[str] = set()
    k = lane.extra.get("parent")
    while k and k not in seen:
        if k == ancestor:
            return True
        seen.add(k)
        k = by_key[k].extra.get("parent") if k in by_key else None
    return False


def _port(n: Node, pairs: dict[str, str], prefix: str,
          toward: tuple[float, float]) -> tuple[float, float]:
    """Where a connector leaves/enters a shape: the explicit exit/entry port of the style, else
    the border point facing the neighbouring waypoint."""
    px, py = pairs.get(prefix + "X"), pairs.get(prefix + "Y")
    if px is not None and py is not None:
        return (n.x + _num(px) * n.w, n.y + _num(py) * n.h)
    tx, ty = toward
    cx, cy = n.center
    if n.x <= tx <= n.x + n.w:
        return (tx, n.y + n.h if ty > cy else n.y)
    if n.y <= ty <= n.y + n.h:
        return (n.x + n.w if tx > cx else n.x, ty)
    return (cx, cy)
