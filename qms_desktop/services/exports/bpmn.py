"""BPMN 2.0 XML export of a :class:`~qms_desktop.core.processmap.ProcessMap`.

The output uses the BPMN model namespace as default namespace, is UTF-8, and always carries a
``BPMNDiagram`` (bpmn.io / Camunda Modeler open it). A map read by
:func:`qms_desktop.services.imports.bpmn.read_bpmn` is written back with its ids, types, names,
references, lanes, bounds, waypoints and every kept extension. Maps made in the app get stable
generated ids: a key that is a valid XML id is used as is, any other gets a type prefix
(``Activity_12``, ``Flow_7`` ...); the same map always gives the same file.

Maps with lanes but no pool get a pool (BPMN participant) around the lanes, as BPMN tools
expect; that pool and the collaboration made to hold it carry ``qms:generated="true"`` so that
the import leaves them out again (re-importing an export does not add a pool the map never had).
A list of maps becomes one collaboration with one pool per map, stacked vertically.

Data nodes with ``bpmn_type`` ``dataInput`` / ``dataOutput`` at the top level of a process are
that process's own inputs and outputs: they are written in its ``ioSpecification`` (in the place
they had in the file), not as data object references, and one deleted from the map is left out
of it together with the input or output set references to it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from xml.sax.saxutils import escape as xml_escape
from collections.abc import Iterable, Sequence
from typing import Any

from qms_desktop.core.processmap import (
    BPMN_TYPE_KIND,
    DEFAULT_BPMN_TYPE,
    DEFAULT_SIZES,
    NESTING_LIMIT,
    Edge,
    Lane,
    Node,
    ProcessMap,
    route_edge,
)
from qms_desktop.services.imports.bpmn import (
    BPMNDI_NS,
    CONTAINER_TYPES,
    DC_NS,
    DI_NS,
    GENERATED_ATTR,
    MODEL_NS,
    QMS_NS,
    RANK_COLLAB,
    RANK_NODE,
    RANK_PROCESS,
    XSI_NS,
    child_rank,
)
from qms_desktop.services.xmlsafe import make_parser, parse_stored

__all__ = ["write_bpmn"]

_M = "{" + MODEL_NS + "}"
_BD = "{" + BPMNDI_NS + "}"
_DC = "{" + DC_NS + "}"
_DI = "{" + DI_NS + "}"

_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")
_ID_ATTR = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")
_STD_NS = {None: MODEL_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "xsi": XSI_NS}
_PREFIX = {
    "start": "Event", "end": "Event", "event": "Event", "step": "Activity",
    "subprocess": "Activity", "decision": "Gateway", "document": "DataObjectReference",
    "record": "DataStoreReference", "annotation": "TextAnnotation", "pool": "Participant",
}
_EDGE_PREFIX = {"sequence": "Flow", "message": "MessageFlow", "association": "Association"}
_DATA = frozenset({"document", "record"})
_ACTIVITIES = frozenset({"step", "subprocess"})
_HEADER = 30.0
_BIG = 10_000_000


def write_bpmn(
    source: ProcessMap | Sequence[ProcessMap | tuple[str, ProcessMap]],
    *,
    name: str | None = None,
    stamp: str | None = None,
) -> bytes:
    """Write one map, or several (``[(name, map), ...]``), as BPMN 2.0 XML bytes (UTF-8).

    ``name`` names the model (and the process of a map made in the app) when the map does not
    carry a name of its own. ``stamp`` (the audit-trail head, ``audit head HASH @ event N``)
    is written as a comment before the root element, where every reader, ours included,
    passes over it. The map is not modified.
    """
    if isinstance(source, ProcessMap):
        pm = source
    else:
        items: list[tuple[str, ProcessMap]] = []
        for i, it in enumerate(source):
            if isinstance(it, ProcessMap):
                items.append((f"Process {i + 1}", it))
            else:
                items.append((str(it[0]), it[1]))
        if not items:
            raise ValueError("write_bpmn() needs at least one map")
        pm = items[0][1] if len(items) == 1 else _merge(items)
        if len(items) == 1 and name is None:
            name = items[0][0]
    odd = _odd_namespaces(pm)
    if odd:  # (lxml builds no element in a namespace whose name is not a valid URI)
        text = pm.to_json()
        for uri, stand_in in odd.items():
            text = text.replace(json.dumps(uri, ensure_ascii=False)[1:-1], stand_in)
        pm = ProcessMap.from_json(text)
    data = _Writer(pm, name).write()
    for uri, stand_in in odd.items():
        data = data.replace(stand_in.encode("utf-8"),
                            xml_escape(uri, {'"': "&quot;"}).encode("utf-8"))
    if stamp:
        text = " ".join(stamp.replace("--", "- -").split())
        decl, sep, rest = data.partition(b"?>\n")
        data = decl + sep + f"<!-- QMS Workbench {text} -->\n".encode("utf-8") + rest
    return data


# --------------------------------------------------------------------------------------------


def _odd_namespaces(pm: ProcessMap) -> dict[str, str]:
    """Namespace names of the file a map was read from that are not valid URIs (a space in
    IBM Process Designer's), each with a stand-in URI used while the document is built."""
    meta = pm.extra.get("bpmn")
    nsmap = ((meta.get("definitions") or {}).get("nsmap") or []) if isinstance(meta, dict) else []
    uris = {uri for _p, uri in nsmap if isinstance(uri, str)}
    if not uris:
        return {}
    from lxml import etree

    out: dict[str, str] = {}
    for uri in sorted(uris):
        try:
            etree.Element("x", nsmap={"p": uri})
        except ValueError:
            out[uri] = f"urn:qms-workbench:namespace-stand-in:{len(out) + 1}:{_stable_suffix(uri)}"
    return out


def _fmt(v: float) -> str:
    # (six decimals at most, trailing zeros dropped: reading and writing the result again
    # gives the same text)
    text = f"{v:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _stable_suffix(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]


def _bpmn(obj: Node | Edge | Lane) -> dict[str, Any]:
    b = obj.extra.get("bpmn")
    return b if isinstance(b, dict) else {}


def _generated(attrs: dict[str, str] | None) -> bool:
    return (attrs or {}).get(GENERATED_ATTR, "").strip().lower() == "true"


def _di(obj: Node | Edge | Lane) -> dict[str, Any] | None:
    d = obj.extra.get("di")
    return d if isinstance(d, dict) else None


class _Writer:
    def __init__(self, pm: ProcessMap, name: str | None) -> None:
        from lxml import etree

        self.etree = etree
        self.parser = make_parser()
        self.pm = pm
        self.name = name
        meta = pm.extra.get("bpmn")
        self.meta: dict[str, Any] = meta if isinstance(meta, dict) else {}
        self.nodes = {n.key: n for n in pm.nodes}
        self.edges = {e.key: e for e in pm.edges}
        self.lanes = {ln.key: ln for ln in pm.lanes}
        self.used: set[str] = set()
        self.nid: dict[str, str] = {}
        self.eid: dict[str, str] = {}
        self.lid: dict[str, str] = {}
        self.preserved_ids: set[str] = set()
        self.frag_ns: dict[str, str] = {}
        self.frag_ns_bad: set[str] = set()

    # ---- ids -------------------------------------------------------------------------------

    def _reserve_preserved_ids(self) -> None:
        def scan(obj: Any) -> None:
            if isinstance(obj, str):
                if "id" in obj and "<" in obj:
                    found = _ID_ATTR.findall(obj)
                    self.used.update(found)
                    self.preserved_ids.update(found)
            elif isinstance(obj, dict):
                for v in obj.values():
                    scan(v)
            elif isinstance(obj, list):
                for v in obj:
                    scan(v)

        scan(self.meta)
        for coll in (self.pm.nodes, self.pm.edges, self.pm.lanes):
            for obj in coll:
                scan(obj.extra)
                di = _di(obj)
                if di and (di.get("attrs") or {}).get("id"):
                    self.used.add(di["attrs"]["id"])
        for p in self.meta.get("processes") or []:
            self.used.add(p.get("id"))
        for c in self.meta.get("collaborations") or []:
            self.used.add(c.get("id"))
        for d in self.meta.get("diagrams") or []:
            self.used.add((d.get("attrs") or {}).get("id"))
            self.used.add(((d.get("plane") or {}).get("attrs") or {}).get("id"))
        defs = (self.meta.get("definitions") or {}).get("attrs") or {}
        self.used.add(defs.get("id"))
        self.used.discard(None)

    def _make_id(self, key: str, prefix: str, own: bool = True) -> str:
        if own and _NCNAME.match(key) and key not in self.used:
            self.used.add(key)
            return key
        clean = re.sub(r"[^\w.\-]", "_", key)
        base = f"{prefix}_{clean}" if clean else prefix
        if clean != key or not clean:
            base = f"{base}_{_stable_suffix(key)}"
        new = base
        i = 2
        while new in self.used:
            new = f"{base}_{i}"
            i += 1
        self.used.add(new)
        return new

    def _check_keys(self) -> None:
        for what, items in (("nodes", self.pm.nodes), ("connectors", self.pm.edges),
                            ("lanes", self.pm.lanes)):
            seen: set[str] = set()
            for obj in items:
                if obj.key in seen:
                    raise ValueError(
                        f"The map has two {what} with the key '{obj.key}'; keys must be unique "
                        "within a map."
                    )
                seen.add(obj.key)

    def _assign_ids(self) -> None:
        self._check_keys()
        self._reserve_preserved_ids()
        # Keys that already are the ids of imported elements come first, so they keep them.
        own_keys = set()
        for n in self.pm.nodes:
            if "bpmn" in n.extra:
                own_keys.add(("n", n.key))
        for e in self.pm.edges:
            if "bpmn" in e.extra:
                own_keys.add(("e", e.key))
        for ln in self.pm.lanes:
            if "bpmn" in ln.extra:
                own_keys.add(("l", ln.key))
        self.used -= {k for _t, k in own_keys}
        for pass_own in (True, False):
            for n in self.pm.nodes:
                if (("n", n.key) in own_keys) == pass_own and n.key not in self.nid:
                    self.nid[n.key] = self._make_id(n.key, _PREFIX[n.kind])
            for e in self.pm.edges:
                if (("e", e.key) in own_keys) == pass_own and e.key not in self.eid:
                    self.eid[e.key] = self._make_id(e.key, _EDGE_PREFIX[e.kind])
            for ln in self.pm.lanes:
                if (("l", ln.key) in own_keys) == pass_own and ln.key not in self.lid:
                    self.lid[ln.key] = self._make_id(ln.key, "Lane")

    def _ref(self, key: str) -> str:
        """Id of whatever a reference points at (node, then edge, then lane, else as is)."""
        if key in self.nid:
            return self.nid[key]
        if key in self.eid:
            return self.eid[key]
        if key in self.lid:
            return self.lid[key]
        return key

    # ---- structure -------------------------------------------------------------------------

    def _node_local(self, n: Node) -> tuple[str, str]:
        """(Clark tag, local name) written for a node."""
        b = _bpmn(n)
        if b.get("tag") and n.kind == "step":
            tag = b["tag"]
            return tag, tag.rsplit("}", 1)[-1]
        t = n.bpmn_type
        if BPMN_TYPE_KIND.get(t) == n.kind:
            return _M + t, t
        t = DEFAULT_BPMN_TYPE[n.kind]
        return _M + t, t

    def _plan(self) -> None:
        """Decide processes, containers, collaboration and generated pools."""
        pm = self.pm
        self.procs: list[dict[str, Any]] = [copy.deepcopy(p) for p in self.meta.get("processes") or []
                                            if p.get("id")]
        self.proc_ids = [p["id"] for p in self.procs]
        self.collabs: list[dict[str, Any]] = [copy.deepcopy(c) for c in
                                              self.meta.get("collaborations") or [] if c.get("id")]
        self.collab_ids = [c["id"] for c in self.collabs]
        self.generated_collab = False
        pools = [n for n in pm.nodes if n.kind == "pool"]

        def new_process() -> str:
            pid = self._make_id("Process_1", "Process", own=True)
            attrs = {"isExecutable": "false"}
            pname = self.name or (pools[0].name if len(pools) == 1 else "")
            if pname:
                attrs = {"name": pname, **attrs}
            self.procs.append({"id": pid, "attrs": attrs, "children": []})
            self.proc_ids.append(pid)
            return pid

        # Top-level process of every non-pool node.
        self.proc_of: dict[str, str] = {}
        self.container: dict[str, tuple[str, str]] = {}
        order = self._parents_first()
        depth: dict[str, int] = {}
        for n in order:
            if n.kind == "pool":
                continue
            parent = self.nodes.get(n.parent) if n.parent else None
            if parent is not None and parent.kind == "subprocess" and parent.key in self.proc_of:
                depth[n.key] = depth.get(parent.key, 0) + 1
                if depth[n.key] > NESTING_LIMIT:
                    raise ValueError(
                        f"Sub-processes are nested more than {NESTING_LIMIT} levels deep (at "
                        f"'{n.name or n.key}'); flatten the map before exporting it."
                    )
                self.container[n.key] = ("node", parent.key)
                self.proc_of[n.key] = self.proc_of[parent.key]
                continue
            c = n.extra.get("container")
            if n.kind == "annotation" and c in self.collab_ids and not n.extra.get("process"):
                self.container[n.key] = ("collab", c)
                continue
            pid = self._guess_process(n, pools)
            if pid is None:
                pid = new_process()
            self.proc_of[n.key] = pid
            self.container[n.key] = ("process", pid)

        self.lane_proc: dict[str, str] = {}
        for ln in pm.lanes:
            p = ln.extra.get("process")
            if p not in self.proc_ids:
                p = next((self.proc_of[n.key] for n in pm.nodes
                          if n.lane == ln.key and n.key in self.proc_of), None)
            if p is None:
                p = self.proc_ids[0] if self.proc_ids else new_process()
            self.lane_proc[ln.key] = p
        if not self.proc_ids and not pools:
            new_process()

        # Pools: their process, and generated pools for app maps with lanes or message flows.
        self.pool_proc: dict[str, str | None] = {}
        claimed = set()
        for p in pools:
            ref = (_bpmn(p).get("attrs") or {}).get("processRef")
            if ref:
                self.pool_proc[p.key] = ref
                claimed.add(ref)
        for p in pools:
            if p.key in self.pool_proc or "bpmn" in p.extra:
                self.pool_proc.setdefault(p.key, None)
                continue
            inside = [self.proc_of[n.key] for n in pm.nodes if n.key in self.proc_of
                      and p.x <= n.center[0] <= p.x + p.w and p.y <= n.center[1] <= p.y + p.h]
            inside += [self.lane_proc[ln.key] for ln in pm.lanes
                       if p.x <= ln.x + ln.w / 2 <= p.x + p.w and p.y <= ln.y + ln.h / 2 <= p.y + p.h]
            pick = next((q for q in inside if q not in claimed), None)
            if pick is None and len(pools) == 1 and self.proc_ids and self.proc_ids[0] not in claimed:
                pick = self.proc_ids[0]
            self.pool_proc[p.key] = pick
            if pick:
                claimed.add(pick)

        has_messages = any(e.kind == "message" for e in pm.edges)
        self.synthetic_pools: list[dict[str, Any]] = []
        # (a collaboration an earlier export made up gets its made-up pools back)
        made_up = not self.collabs or _generated(self.collabs[0].get("attrs"))
        if made_up and (pools or has_messages or pm.lanes):
            for pid in self.proc_ids:
                if pid in claimed:
                    continue
                members = [n for n in pm.nodes if self.proc_of.get(n.key) == pid]
                lanes = [ln for ln in pm.lanes if self.lane_proc.get(ln.key) == pid]
                if not members and not lanes:
                    continue
                if not lanes and not has_messages and not pools:
                    continue
                self.synthetic_pools.append(self._synthetic_pool(pid, members, lanes))
                claimed.add(pid)
        if not self.collabs and (pools or has_messages or self.synthetic_pools):
            cid = self._make_id("Collaboration_1", "Collaboration")
            self.collabs.append({"id": cid, "attrs": {GENERATED_ATTR: "true"}, "children": []})
            self.collab_ids.append(cid)
            self.generated_collab = True

    def _parents_first(self) -> list[Node]:
        """Nodes in map order, except that a parent always comes before its children."""
        done: set[str] = set()
        out: list[Node] = []
        for n in self.pm.nodes:
            chain: list[Node] = []
            seen: set[str] = set()
            cur: Node | None = n
            while cur is not None and cur.key not in done and cur.key not in seen:
                seen.add(cur.key)
                chain.append(cur)
                cur = self.nodes.get(cur.parent) if cur.parent else None
            for m in reversed(chain):
                done.add(m.key)
                out.append(m)
        return out

    def _guess_process(self, n: Node, pools: list[Node]) -> str | None:
        """The process of a top-level node: its lane's (a step dragged into a lane of another
        process moves there), else the one it was imported with, else the pool around it."""
        if n.lane and n.lane in self.lanes:
            lp = self.lanes[n.lane].extra.get("process")
            if lp in self.proc_ids:
                return lp
        p = n.extra.get("process")
        if p in self.proc_ids:
            return p
        cx, cy = n.center
        for pool in pools:
            ref = (_bpmn(pool).get("attrs") or {}).get("processRef")
            if ref in self.proc_ids and pool.x <= cx <= pool.x + pool.w and pool.y <= cy <= pool.y + pool.h:
                return ref
        return self.proc_ids[0] if self.proc_ids else None

    def _synthetic_pool(self, pid: str, members: list[Node], lanes: list[Lane]) -> dict[str, Any]:
        proc = next(p for p in self.procs if p["id"] == pid)
        pname = proc["attrs"].get("name") or self.name or ""
        if lanes:
            x0 = min(ln.x for ln in lanes)
            y0 = min(ln.y for ln in lanes)
            x1 = max(ln.x + ln.w for ln in lanes)
            y1 = max(ln.y + ln.h for ln in lanes)
            horizontal = len({round(ln.x) for ln in lanes}) == 1 and (
                len(lanes) > 1 or lanes[0].w >= lanes[0].h)
            if len({round(ln.x) for ln in lanes}) > 1 and len({round(ln.y) for ln in lanes}) == 1:
                horizontal = False
            box = ((x0 - _HEADER, y0, x1 - x0 + _HEADER, y1 - y0) if horizontal
                   else (x0, y0 - _HEADER, x1 - x0, y1 - y0 + _HEADER))
        else:
            x0 = min(n.x for n in members)
            y0 = min(n.y for n in members)
            x1 = max(n.x + n.w for n in members)
            y1 = max(n.y + n.h for n in members)
            horizontal = True
            box = (x0 - 30 - _HEADER, y0 - 30, x1 - x0 + 60 + _HEADER, y1 - y0 + 60)
        pid_part = self._make_id(f"Participant_{pid}", "Participant")
        return {"id": pid_part, "name": pname, "process": pid, "box": box,
                "horizontal": horizontal}

    # ---- XML helpers -----------------------------------------------------------------------

    def _frag(self, xml: str) -> Any:
        el = parse_stored(xml, self.parser)
        for p, uri in el.nsmap.items():
            if p is None:
                continue
            if p in self.frag_ns and self.frag_ns[p] != uri:
                self.frag_ns_bad.add(p)
            self.frag_ns.setdefault(p, uri)
        return el

    def _emit(self, parent: Any, items: list[tuple[float, int, Any]]) -> None:
        """Append (rank, seq, element-or-xml) items to ``parent`` in rank order."""
        items.sort(key=lambda t: (t[0], t[1]))
        for _r, _s, el in items:
            if isinstance(el, str):
                el = self._frag(el)
            parent.append(el)

    def _ranked(self, xmls: Iterable[str], table: dict[str, float], start: int = 0,
                keep: frozenset[str] | None = None) -> list[tuple[float, int, Any]]:
        out = []
        prev = 0.0
        for i, xml in enumerate(xmls):
            el = self._frag(xml)
            local = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
            if keep is not None and local not in keep:
                continue
            r = child_rank(local, table)
            if r is None:
                r = prev
            prev = r
            out.append((r, start + i, el))
        return out

    def _new(self, tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> Any:
        el = self.etree.Element(tag)
        for k, v in (attrs or {}).items():
            el.set(k, v)
        if text is not None:
            el.text = text
        return el

    # ---- semantic elements -----------------------------------------------------------------

    def _node_el(self, n: Node) -> Any:
        tag, local = self._node_local(n)
        b = _bpmn(n)
        orig = b.get("type") or (b.get("tag", "").rsplit("}", 1)[-1] if b.get("tag") else None)
        same_family = orig is not None and (
            orig == local or (BPMN_TYPE_KIND.get(orig) == BPMN_TYPE_KIND.get(local)
                              and BPMN_TYPE_KIND.get(local) is not None))
        el = self._new(tag)
        el.set("id", self.nid[n.key])
        if local not in ("textAnnotation", "group") and (n.name or (b and not b.get("name_absent"))):
            el.set("name", n.name)
        for k, v in (b.get("attrs") or {}).items():
            if not same_family and not k.startswith("{"):
                continue
            if k == "attachedToRef":
                v = self.nid.get(v, v)
            elif k == "default":
                if v not in self.edges:
                    continue
                v = self.eid[v]
            el.set(k, v)
        if local == "dataObjectReference" and not el.get("dataObjectRef"):
            el.set("dataObjectRef", self._data_object_id(n))
        items: list[tuple[float, int, Any]] = []
        keep = None if same_family else frozenset({"documentation", "extensionElements"})
        items += self._ranked(b.get("children") or [], RANK_NODE, 0, keep)
        seq = 100000
        if local == "textAnnotation" and (n.name or not b.get("name_absent")):
            items.append((RANK_NODE["text"], seq, self._new(_M + "text", text=n.name)))
        if local != "participant":
            for e in self.inc.get(n.key, ()):
                seq += 1
                items.append((RANK_NODE["incoming"], seq, self._new(_M + "incoming", text=self.eid[e.key])))
            for e in self.out.get(n.key, ()):
                seq += 1
                items.append((RANK_NODE["outgoing"], seq, self._new(_M + "outgoing", text=self.eid[e.key])))
            for tag, ref in b.get("kept_refs") or []:  # flows kept as XML (not on the map)
                if tag in ("incoming", "outgoing") and isinstance(ref, str):
                    seq += 1
                    items.append((RANK_NODE[tag], seq, self._new(_M + tag, text=ref)))
        for e in self.data_assoc.get(n.key, ()):
            seq += 1
            items += self._data_assoc_els(e, n, seq)
        if local in CONTAINER_TYPES:
            items += self._content(("node", n.key), RANK_NODE, seq + 1)
        self._emit(el, items)
        return el

    def _data_assoc_els(self, e: Edge, owner: Node, seq: int) -> list[tuple[float, int, Any]]:
        bt = self.edge_type[e.key]
        b = _bpmn(e)
        refs = e.extra.get("refs") or {}
        same_owner = e.extra.get("owner") == owner.key and e.extra.get("bpmn_type") == bt
        el = self._new(_M + bt, {"id": self.eid[e.key]})
        for k, v in (b.get("attrs") or {}).items():
            el.set(k, v)
        sub: list[tuple[float, int, Any]] = self._ranked(b.get("children") or [], RANK_NODE, 0)
        out: list[tuple[float, int, Any]] = []
        if bt == "dataInputAssociation":
            srcs = refs.get("sourceRef") or []
            if same_owner and srcs and self._ends_unchanged(e):
                pass  # the file's references (e.g. a data object behind the drawn reference)
            elif same_owner and srcs and srcs[0] == e.source:
                srcs = [self._ref(s) for s in srcs]
            else:
                srcs = [self._ref(e.source)]
            tgts = refs.get("targetRef") or []
            if not (same_owner and tgts):
                prop = self._make_id(f"Property_{self.eid[e.key]}", "Property")
                out.append((RANK_NODE["property"], seq, self._new(
                    _M + "property", {"id": prop, "name": "__targetRef_placeholder"})))
                tgts = [prop]
        else:
            srcs = (refs.get("sourceRef") or []) if same_owner else []
            tgts = refs.get("targetRef") or []
            if same_owner and tgts and self._ends_unchanged(e):
                pass
            elif same_owner and tgts and tgts[0] == e.target:
                tgts = [self._ref(t) for t in tgts]
            else:
                tgts = [self._ref(e.target)]
        for i, s in enumerate(srcs):
            sub.append((RANK_NODE["sourceRef"], 1000 + i, self._new(_M + "sourceRef", text=s)))
        for i, t in enumerate(tgts):
            sub.append((RANK_NODE["targetRef"], 2000 + i, self._new(_M + "targetRef", text=t)))
        self._emit(el, sub)
        out.append((RANK_NODE[bt], seq, el))
        return out

    def _flow_el(self, e: Edge) -> Any:
        bt = self.edge_type[e.key]
        b = _bpmn(e)
        el = self._new(_M + bt, {"id": self.eid[e.key]})
        if bt != "association" and (e.label or (b and not b.get("name_absent"))):
            el.set("name", e.label)
        el.set("sourceRef", self._ref(e.source))
        el.set("targetRef", self._ref(e.target))
        same = e.extra.get("bpmn_type") in (None, bt)
        for k, v in (b.get("attrs") or {}).items():
            if same or k.startswith("{"):
                el.set(k, v)
        items = self._ranked(b.get("children") or [], RANK_NODE, 0,
                             None if same else frozenset({"documentation", "extensionElements"}))
        if bt == "sequenceFlow" and (e.condition or b.get("condition_empty")):
            attrs = b.get("condition_attrs")
            if attrs is None:
                attrs = {"{%s}type" % XSI_NS: "tFormalExpression"}
            items.append((RANK_NODE["conditionExpression"], 10000,
                          self._new(_M + "conditionExpression", attrs, e.condition)))
        self._emit(el, items)
        return el

    def _content(self, container: tuple[str, str], table: dict[str, float],
                 seq: int) -> list[tuple[float, int, Any]]:
        """Lane sets, flow elements, flows and artifacts of a process or sub-process."""
        items: list[tuple[float, int, Any]] = []
        for ls in self._lanesets(container):
            seq += 1
            items.append((table["laneSet"], seq, ls))
        for oid in self._pending_data_objects(container):
            seq += 1
            items.append((table["@flow"], seq, self._new(_M + "dataObject", {"id": oid})))
        for n in self.members.get(container, ()):
            seq += 1
            _tag, local = self._node_local(n)
            rank = table["@artifact"] if local in ("textAnnotation", "group") else table["@flow"]
            items.append((rank, seq, self._node_el(n)))
        for e in self.flows.get(container, ()):
            seq += 1
            bt = self.edge_type[e.key]
            rank = table["@artifact"] if bt == "association" else table["@flow"]
            items.append((rank, seq, self._flow_el(e)))
        return items

    def _pending_data_objects(self, container: tuple[str, str]) -> list[str]:
        """Ids of the dataObjects to create for document nodes made in the app (BPMN wants a
        dataObject behind every dataObjectReference)."""
        out = []
        for n in self.members.get(container, ()):
            _tag, local = self._node_local(n)
            if local == "dataObjectReference" and not (_bpmn(n).get("attrs") or {}).get("dataObjectRef"):
                out.append(self._data_object_id(n))
        return out

    def _data_object_id(self, n: Node) -> str:
        if n.key not in self.data_object_ids:
            self.data_object_ids[n.key] = self._make_id(f"DataObject_{self.nid[n.key]}", "DataObject")
        return self.data_object_ids[n.key]

    def _lanesets(self, container: tuple[str, str]) -> list[Any]:
        tops = [ln for ln in self.pm.lanes if self.lane_container[ln.key] == container
                and not self._lane_parent(ln)]
        return self._laneset_els(tops, "laneSet", container)

    def _lane_parent(self, ln: Lane) -> str | None:
        p = ln.extra.get("parent")
        return p if p in self.lanes and p != ln.key else None

    def _laneset_els(self, lanes: list[Lane], tag: str, scope: Any) -> list[Any]:
        groups: dict[str, list[Lane]] = {}
        infos: dict[str, dict[str, Any]] = {}
        for ln in sorted(lanes, key=lambda x: (x.order, self.pm.lanes.index(x))):
            info = ln.extra.get("laneset") if isinstance(ln.extra.get("laneset"), dict) else {}
            lsid = info.get("id") or ""
            if lsid not in infos:
                infos[lsid] = info
            groups.setdefault(lsid, []).append(ln)
        out = []
        for lsid, members in groups.items():
            info = infos[lsid]
            if lsid and lsid not in self.laneset_ids_done:
                real = lsid
            else:
                base = f"LaneSet_{scope[1] if isinstance(scope, tuple) else scope}"
                real = self._make_id(base, "LaneSet")
            self.laneset_ids_done.add(real)
            ls = self._new(_M + tag, {} if info.get("id_absent") else {"id": real})
            for k, v in (info.get("attrs") or {}).items():
                ls.set(k, v)
            items = self._ranked(info.get("children") or [], RANK_NODE, 0)
            for i, ln in enumerate(members):
                items.append((RANK_NODE["@flow"], 1000 + i, self._lane_el(ln)))
            self._emit(ls, items)
            out.append(ls)
        return out

    def _lane_el(self, ln: Lane) -> Any:
        b = _bpmn(ln)
        el = self._new(_M + "lane", {"id": self.lid[ln.key]})
        if ln.name or (b and not b.get("name_absent")):
            el.set("name", ln.name)
        for k, v in (b.get("attrs") or {}).items():
            el.set(k, v)
        items = self._ranked(b.get("children") or [], RANK_NODE, 0)
        seq = 1000
        for nkey in self.lane_members.get(ln.key, ()):
            seq += 1
            items.append((RANK_NODE["flowNodeRef"], seq, self._new(_M + "flowNodeRef", text=self.nid[nkey])))
        for ref in ln.extra.get("refs_unresolved") or []:
            seq += 1
            items.append((RANK_NODE["flowNodeRef"], seq, self._new(_M + "flowNodeRef", text=ref)))
        kids = [x for x in self.pm.lanes if self._lane_parent(x) == ln.key]
        if kids:
            for cls in self._laneset_els(kids, "childLaneSet", self.lid[ln.key]):
                seq += 1
                items.append((RANK_NODE["childLaneSet"], seq, cls))
        self._emit(el, items)
        return el

    def _participant_el(self, n: Node) -> Any:
        b = _bpmn(n)
        el = self._new(_M + "participant", {"id": self.nid[n.key]})
        if n.name or (b and not b.get("name_absent")):
            el.set("name", n.name)
        attrs = dict(b.get("attrs") or {})
        proc = self.pool_proc.get(n.key)
        if proc and "processRef" not in attrs:
            el.set("processRef", proc)
        for k, v in attrs.items():
            el.set(k, v)
        self._emit(el, self._ranked(b.get("children") or [], RANK_NODE, 0))
        return el

    def _collab_el(self, c: dict[str, Any]) -> Any:
        el = self._new(_M + "collaboration", {"id": c["id"]})
        for k, v in (c.get("attrs") or {}).items():
            el.set(k, v)
        items = self._ranked(c.get("children") or [], RANK_COLLAB, 0)
        seq = 1000
        first = c["id"] == self.collab_ids[0]
        for n in self.pm.nodes:
            if n.kind == "pool" and (self.pool_collab.get(n.key) == c["id"]):
                seq += 1
                items.append((RANK_COLLAB["participant"], seq, self._participant_el(n)))
        if first:
            for sp in self.synthetic_pools:
                seq += 1
                p = self._new(_M + "participant", {"id": sp["id"]})
                if sp["name"]:
                    p.set("name", sp["name"])
                p.set("processRef", sp["process"])
                p.set(GENERATED_ATTR, "true")
                items.append((RANK_COLLAB["participant"], seq, p))
        for n in self.members.get(("collab", c["id"]), ()):
            seq += 1
            items.append((RANK_COLLAB["@artifact"], seq, self._node_el(n)))
        for e in self.flows.get(("collab", c["id"]), ()):
            seq += 1
            bt = self.edge_type[e.key]
            rank = RANK_COLLAB["messageFlow"] if bt == "messageFlow" else RANK_COLLAB["@artifact"]
            items.append((rank, seq, self._flow_el(e)))
        self._emit(el, items)
        return el

    def _process_el(self, p: dict[str, Any]) -> Any:
        el = self._new(_M + "process", {"id": p["id"]})
        for k, v in (p.get("attrs") or {}).items():
            el.set(k, v)
        items = self._ranked(p.get("children") or [], RANK_PROCESS, 0)
        io_nodes = list(self.io_members.get(p["id"], ()))
        drawn = {k for k in p.get("io_nodes") or [] if isinstance(k, str)}
        specs = [it[2] for it in items if it[2].tag == _M + "ioSpecification"]
        if io_nodes and not specs:
            spec = self._new(_M + "ioSpecification")
            items.append((RANK_PROCESS["ioSpecification"], -1, spec))
            specs.append(spec)
        for i, spec in enumerate(specs):
            self._fill_io(spec, io_nodes if i == 0 else [], drawn)
        items += self._content(("process", p["id"]), RANK_PROCESS, 100000)
        self._emit(el, items)
        return el

    # ---- a process's own inputs and outputs ------------------------------------------------

    @staticmethod
    def _io_node(n: Node) -> bool:
        """A data shape that stands for an input or output of its process (a ``dataInput`` /
        ``dataOutput`` of the process's ``ioSpecification``)."""
        return n.kind == "document" and n.bpmn_type in ("dataInput", "dataOutput")

    def _io_el(self, n: Node) -> Any:
        b = _bpmn(n)
        el = self._new(_M + n.bpmn_type, {"id": self.nid[n.key]})
        if n.name or (b and not b.get("name_absent")):
            el.set("name", n.name)
        same = b.get("type") in (None, n.bpmn_type)
        for k, v in (b.get("attrs") or {}).items():
            if same or k.startswith("{"):
                el.set(k, v)
        self._emit(el, self._ranked(b.get("children") or [], RANK_NODE, 0,
                                    None if same else frozenset({"documentation",
                                                                 "extensionElements"})))
        return el

    def _fill_io(self, spec: Any, nodes: list[Node], drawn: set[str]) -> None:
        """Put the process's input and output nodes in its ``ioSpecification`` (as kept from
        the file): each drawn one in the place it held (``drawn``: the keys read as nodes),
        new ones after the others of their kind with a reference in the first input or output
        set; one no longer on the map is left out, and so are the set references to it."""
        by_key = {n.key: n for n in nodes}
        placed: set[str] = set()
        removed: set[str] = set()
        for ch in list(spec):
            if ch.tag not in (_M + "dataInput", _M + "dataOutput"):
                continue
            ident = ch.get("id")
            if ident not in drawn:
                continue
            n = by_key.get(ident)
            if n is not None and n.key not in placed and _M + n.bpmn_type == ch.tag:
                spec.replace(ch, self._io_el(n))
                placed.add(n.key)
            else:
                spec.remove(ch)
                removed.add(ident)
        set_refs = {"inputSet": ("dataInputRefs", "optionalInputRefs",
                                 "whileExecutingInputRefs"),
                    "outputSet": ("dataOutputRefs", "optionalOutputRefs",
                                  "whileExecutingOutputRefs")}
        if removed:
            for tag, refs in set_refs.items():
                for io_set in spec.iterchildren(_M + tag):
                    for r in list(io_set):
                        if r.tag in {_M + x for x in refs} and (r.text or "").strip() in removed:
                            io_set.remove(r)
        order = ("dataInput", "dataOutput", "inputSet", "outputSet")
        for n in nodes:
            if n.key in placed:
                continue
            new = self._io_el(n)
            rank = order.index(n.bpmn_type)
            at = 0
            for i, ch in enumerate(spec):
                local = ch.tag[len(_M):] if isinstance(ch.tag, str) and ch.tag.startswith(_M) else ""
                if local in order and order.index(local) <= rank:
                    at = i + 1
            spec.insert(at, new)
            set_tag = "inputSet" if n.bpmn_type == "dataInput" else "outputSet"
            io_set = spec.find(_M + set_tag)
            if io_set is None:
                io_set = self._io_set(spec, set_tag)
            ref_tag = set_refs[set_tag][0]
            at = 0
            for i, ch in enumerate(io_set):
                if ch.tag in (_M + "documentation", _M + "extensionElements", _M + ref_tag):
                    at = i + 1
            io_set.insert(at, self._new(_M + ref_tag, text=self.nid[n.key]))
        for set_tag in ("inputSet", "outputSet"):  # (the schema wants one of each)
            if nodes and spec.find(_M + set_tag) is None:
                self._io_set(spec, set_tag)

    def _io_set(self, spec: Any, set_tag: str) -> Any:
        """A new, empty input or output set in ``spec`` (input sets before output sets)."""
        io_set = self._new(_M + set_tag, {"id": self._make_id(
            f"{set_tag[0].upper()}{set_tag[1:]}_1", set_tag[0].upper() + set_tag[1:])})
        first_out = spec.find(_M + "outputSet")
        if set_tag == "inputSet" and first_out is not None:
            first_out.addprevious(io_set)
        else:
            spec.append(io_set)
        return io_set

    # ---- edges: types and containers -------------------------------------------------------

    def _edge_type(self, e: Edge) -> str:
        if e.kind == "sequence":
            return "sequenceFlow"
        if e.kind == "message":
            return "messageFlow"
        bt = e.extra.get("bpmn_type")
        s, t = self.nodes.get(e.source), self.nodes.get(e.target)
        if bt in ("dataInputAssociation", "dataOutputAssociation"):
            owner, other = (t, s) if bt == "dataInputAssociation" else (s, t)
            # (a data association keeps its type while its owner is a task or an event and its
            # other end a data shape, or the element the file joined it to)
            if owner is not None and other is not None \
                    and owner.kind not in _DATA | {"annotation", "pool"} \
                    and (other.kind in _DATA or self._ends_unchanged(e)):
                return bt
            return "association"
        if bt == "association" or s is None or t is None:
            return "association"
        if s.kind in _DATA and t.kind in _ACTIVITIES:
            return "dataInputAssociation"
        if s.kind in _ACTIVITIES and t.kind in _DATA:
            return "dataOutputAssociation"
        return "association"

    @staticmethod
    def _ends_unchanged(e: Edge) -> bool:
        """The connector still joins the elements it joined in the file it was read from."""
        ends = e.extra.get("ends")
        return isinstance(ends, list) and list(ends) == [e.source, e.target]

    def _valid_container(self, c: Any) -> tuple[str, str] | None:
        if not isinstance(c, str):
            return None
        if c in self.proc_ids:
            return ("process", c)
        if c in self.collab_ids:
            return ("collab", c)
        n = self.nodes.get(c)
        if n is not None and n.kind == "subprocess" and n.key in self.proc_of:
            _t, local = self._node_local(n)
            if local in CONTAINER_TYPES:
                return ("node", c)
        return None

    def _distribute(self) -> None:
        pm = self.pm
        self.edge_type = {e.key: self._edge_type(e) for e in pm.edges}
        self.members: dict[tuple[str, str], list[Node]] = {}
        # (a process's own inputs and outputs: written in its ioSpecification)
        self.io_members: dict[str, list[Node]] = {}
        for n in pm.nodes:
            if n.kind == "pool":
                continue
            c = self.container.get(n.key)
            if c and c[0] == "node":
                _t, plocal = self._node_local(self.nodes[c[1]])
                if plocal not in CONTAINER_TYPES:  # parent no longer a sub-process container
                    c = ("process", self.proc_of[n.key])
                    self.container[n.key] = c
            if c and c[0] == "process" and self._io_node(n):
                self.io_members.setdefault(c[1], []).append(n)
                continue
            self.members.setdefault(c, []).append(n)
        self.pool_collab: dict[str, str] = {}
        for n in pm.nodes:
            if n.kind == "pool" and self.collab_ids:
                c = n.extra.get("container")
                self.pool_collab[n.key] = c if c in self.collab_ids else self.collab_ids[0]

        self.inc: dict[str, list[Edge]] = {}
        self.out: dict[str, list[Edge]] = {}
        self.flows: dict[tuple[str, str], list[Edge]] = {}
        self.data_assoc: dict[str, list[Edge]] = {}
        for e in pm.edges:
            bt = self.edge_type[e.key]
            if bt == "sequenceFlow":
                if e.source in self.nodes:
                    self.out.setdefault(e.source, []).append(e)
                if e.target in self.nodes:
                    self.inc.setdefault(e.target, []).append(e)
                c = self._valid_container(e.extra.get("container"))
                src_c = self.container.get(e.source) or self.container.get(e.target)
                if c is None or (src_c is not None and c != src_c):
                    c = src_c
            elif bt == "messageFlow":
                c = ("collab", self.collab_ids[0]) if self.collab_ids else None
                own = self._valid_container(e.extra.get("container"))
                if own and own[0] == "collab":
                    c = own
            elif bt in ("dataInputAssociation", "dataOutputAssociation"):
                owner = e.target if bt == "dataInputAssociation" else e.source
                self.data_assoc.setdefault(owner, []).append(e)
                continue
            else:
                c = self._valid_container(e.extra.get("container"))
                if c is None:
                    for end in (e.source, e.target):
                        n = self.nodes.get(end)
                        if n is not None and n.kind == "annotation" and end in self.container:
                            c = self.container[end]
                            break
                    else:
                        c = self.container.get(e.source) or self.container.get(e.target)
            if c is None:
                c = ("process", self.proc_ids[0]) if self.proc_ids else (
                    ("collab", self.collab_ids[0]) if self.collab_ids else None)
            if c is None:
                continue
            self.flows.setdefault(c, []).append(e)

        # Lanes: their container and members.
        self.lane_container: dict[str, tuple[str, str]] = {}
        for ln in pm.lanes:
            c = self._valid_container(ln.extra.get("container"))
            if c is None or c[0] == "collab":
                c = ("process", self.lane_proc[ln.key])
            self.lane_container[ln.key] = c
        parent_of = {ln.key: self._lane_parent(ln) for ln in pm.lanes}
        self.lane_members: dict[str, list[str]] = {}
        io_keys = {n.key for ns in self.io_members.values() for n in ns}
        for n in pm.nodes:
            k = n.lane if n.lane in self.lanes and n.key not in io_keys else None
            guard = set()
            while k is not None and k not in guard:
                guard.add(k)
                self.lane_members.setdefault(k, []).append(n.key)
                k = parent_of.get(k)

    # ---- diagram ---------------------------------------------------------------------------

    def _box(self, key: str) -> tuple[float, float, float, float] | None:
        n = self.nodes.get(key)
        if n is not None:
            return (n.x, n.y, n.w, n.h)
        e = self.edges.get(key)
        if e is not None and e.waypoints:
            pts = e.waypoints
            mid = pts[len(pts) // 2] if len(pts) % 2 else (
                ((pts[len(pts) // 2 - 1][0] + pts[len(pts) // 2][0]) / 2,
                 (pts[len(pts) // 2 - 1][1] + pts[len(pts) // 2][1]) / 2))
            return (mid[0], mid[1], 0.0, 0.0)
        return None

    @staticmethod
    def _undrawn(n: Node) -> bool:
        """An element that had no shape in the file it came from and is still where the import
        placed it: a round trip must not add a shape for it."""
        placed = n.extra.get("di_absent")
        if _di(n) is not None or not isinstance(placed, list) or len(placed) != 4:
            return False
        try:
            return all(abs(float(a) - b) < 0.5 for a, b in zip(placed, (n.x, n.y, n.w, n.h)))
        except (TypeError, ValueError):
            return False

    def _bounds_el(self, x: float, y: float, w: float, h: float,
                   extra: dict[str, str] | None = None) -> Any:
        el = self._new(_DC + "Bounds", {"x": _fmt(x), "y": _fmt(y), "width": _fmt(w),
                                        "height": _fmt(h)})
        for k, v in (extra or {}).items():
            el.set(k, v)
        return el

    def _label_el(self, label: dict[str, Any], dx: float, dy: float, drop_bounds: bool) -> Any:
        el = self._new(_BD + "BPMNLabel", dict(label.get("attrs") or {}))
        b = label.get("bounds")
        if b and not drop_bounds:
            el.append(self._bounds_el(b[0] + dx, b[1] + dy, b[2], b[3]))
        for xml in label.get("children") or []:
            el.append(self._frag(xml))
        return el

    def _shape_el(self, bid: str, box: tuple[float, float, float, float], di: dict[str, Any] | None,
                  defaults: dict[str, str], kind: str = "") -> Any:
        attrs = dict((di or {}).get("attrs") or {})
        sid = attrs.pop("id", None) or self._make_id(f"{bid}_di", "Shape")
        el = self._new(_BD + "BPMNShape", {"id": sid, "bpmnElement": bid})
        for k, v in {**defaults, **attrs}.items():
            el.set(k, v)
        x, y, w, h = box
        ob = (di or {}).get("bounds")
        if ob and len(ob) == 4 and (not ob[2] or not ob[3]) and abs(ob[0] - x) < 1e-6 \
                and abs(ob[1] - y) < 1e-6:
            # A zero size in the file (Bizagi's hidden pool) stays zero, unless the shape was
            # resized since (the map gives a zero-size element its default size).
            dw, dh = DEFAULT_SIZES.get(kind, (0.0, 0.0))
            if all(abs(o - v) < 1e-6 or (not o and (not v or abs(v - d) < 1e-6))
                   for o, v, d in ((ob[2], w, dw), (ob[3], h, dh))):
                w, h = ob[2], ob[3]
        el.append(self._bounds_el(x, y, w, h, (di or {}).get("bounds_attrs")))
        if di and di.get("label"):
            ob = di.get("bounds")
            dx, dy = (x - ob[0], y - ob[1]) if ob else (0.0, 0.0)
            el.append(self._label_el(di["label"], dx, dy, False))
        for xml in (di or {}).get("children") or []:
            el.append(self._frag(xml))
        return el

    def _edge_di_el(self, e: Edge, direction: str) -> Any:
        di = _di(e) or {}
        attrs = dict(di.get("attrs") or {})
        bid = self.eid[e.key]
        sid = attrs.pop("id", None) or self._make_id(f"{bid}_di", "Edge")
        ends = di.get("ends")
        if ends and list(ends) != [e.source, e.target]:
            attrs.pop("sourceElement", None)
            attrs.pop("targetElement", None)
        el = self._new(_BD + "BPMNEdge", {"id": sid, "bpmnElement": bid})
        for k, v in attrs.items():
            el.set(k, v)
        pts = list(e.waypoints)
        if len(pts) < 2:
            sb, tb = self._box(e.source), self._box(e.target)
            if sb is not None and tb is not None:
                pts = route_edge(sb, tb, direction)
        wp_attrs = di.get("waypoint_attrs") or {}
        for x, y in pts:
            wp = self._new(_DI + "waypoint", dict(wp_attrs))
            wp.set("x", _fmt(x))
            wp.set("y", _fmt(y))
            el.append(wp)
        if di.get("label"):
            old = [tuple(p) for p in di.get("waypoints") or []]
            moved = old != [tuple(p) for p in pts]
            dx = dy = 0.0
            if moved and old and pts:
                ox = sum(p[0] for p in old) / len(old)
                oy = sum(p[1] for p in old) / len(old)
                nx = sum(p[0] for p in pts) / len(pts)
                ny = sum(p[1] for p in pts) / len(pts)
                dx, dy = nx - ox, ny - oy
            el.append(self._label_el(di["label"], dx, dy, moved and not old))
        for xml in di.get("children") or []:
            el.append(self._frag(xml))
        return el

    def _diagrams(self) -> list[Any]:
        diagrams = [copy.deepcopy(d) for d in self.meta.get("diagrams") or []
                    if isinstance(d, dict) and d.get("plane")]
        main_element = self.collab_ids[0] if self.collab_ids else (self.proc_ids[0] if self.proc_ids else "")
        if not diagrams:
            did = self._make_id("BPMNDiagram_1", "BPMNDiagram")
            pid = self._make_id("BPMNPlane_1", "BPMNPlane")
            diagrams = [{"attrs": {"id": did}, "plane": {"attrs": {"id": pid, "bpmnElement": main_element}},
                         "children": [], "orphans": []}]
        elif self.generated_collab:
            plane = diagrams[0]["plane"]["attrs"]
            if plane.get("bpmnElement") in self.proc_ids:
                plane["bpmnElement"] = main_element
        # A drill-down diagram whose element is gone (a deleted sub-process) is folded into the
        # main diagram, so that no plane points at nothing.
        planes_ok = set(self.proc_ids) | set(self.collab_ids) | self.preserved_ids
        planes_ok |= {self.nid[n.key] for n in self.pm.nodes
                      if n.kind == "subprocess" and self._node_local(n)[1] in CONTAINER_TYPES}
        fold = {i for i, d in enumerate(diagrams)
                if i > 0 and (d["plane"].get("attrs") or {}).get("bpmnElement") not in planes_ok}
        remap = {}
        kept = []
        for i, d in enumerate(diagrams):
            if i in fold:
                remap[i] = 0
            else:
                remap[i] = len(kept)
                kept.append(d)
        for i in sorted(fold):
            kept[0].setdefault("orphans", [])
            kept[0]["orphans"] += [[_BIG - 1, xml] for _o, xml in diagrams[i].get("orphans") or []]
        diagrams = kept
        buckets: list[list[tuple[float, int, Any]]] = [[] for _ in diagrams]
        n_diag = len(diagrams)
        direction = "LR"
        lanes_h = [ln for ln in self.pm.lanes if ln.w and ln.h]
        if lanes_h and sum(1 for ln in lanes_h if ln.h > ln.w) > len(lanes_h) / 2:
            direction = "TB"

        def where(obj: Node | Edge | Lane, group: int, seq: int, fallback: int = 0) -> tuple[int, float]:
            di = _di(obj)
            if di is not None and isinstance(di.get("diagram"), int) and di["diagram"] in remap \
                    and isinstance(di.get("order"), (int, float)):
                if di["diagram"] in fold:
                    return 0, float(_BIG + group * 1_000_000 + seq)
                return remap[di["diagram"]], float(di["order"])
            return fallback, float(_BIG + group * 1_000_000 + seq)

        def node_diagram(n: Node) -> int:
            k = n.parent
            guard = set()
            while k and k in self.nodes and k not in guard:
                guard.add(k)
                di = _di(self.nodes[k])
                if di is not None and isinstance(di.get("diagram"), int) and di["diagram"] in remap:
                    return remap[di["diagram"]]
                k = self.nodes[k].parent
            return 0

        seq = 0
        for sp in self.synthetic_pools:
            seq += 1
            x, y, w, h = sp["box"]
            # (first: a pool is drawn below its lanes and shapes)
            buckets[0].append((float(-_BIG + seq), seq, self._shape_el(
                sp["id"], (x, y, w, h), None, {"isHorizontal": "true" if sp["horizontal"] else "false"})))
        for n in self.pm.nodes:
            seq += 1
            if self._undrawn(n):
                continue
            group = 0 if n.kind == "pool" else 2
            d, order = where(n, group, seq, node_diagram(n))
            defaults: dict[str, str] = {}
            if _di(n) is None:
                _t, local = self._node_local(n)
                if n.kind == "pool":
                    defaults["isHorizontal"] = "true" if n.w >= n.h else "false"
                elif local == "exclusiveGateway":
                    defaults["isMarkerVisible"] = "true"
                elif local in CONTAINER_TYPES and self.members.get(("node", n.key)):
                    defaults["isExpanded"] = "true"
            buckets[d].append((order, seq, self._shape_el(self.nid[n.key], (n.x, n.y, n.w, n.h),
                                                          _di(n), defaults, n.kind)))
        for ln in self.pm.lanes:
            seq += 1
            d, order = where(ln, 1, seq)
            defaults = {} if _di(ln) else {"isHorizontal": "true" if ln.w >= ln.h else "false"}
            buckets[d].append((order, seq, self._shape_el(self.lid[ln.key], (ln.x, ln.y, ln.w, ln.h),
                                                          _di(ln), defaults)))
        for e in self.pm.edges:
            seq += 1
            if _di(e) is None and e.extra.get("di_absent") and not e.waypoints:
                continue  # the file did not draw it and nobody has routed it since
            src = self.nodes.get(e.source)
            d, order = where(e, 3, seq, node_diagram(src) if src is not None else 0)
            buckets[d].append((order, seq, self._edge_di_el(e, direction)))
        out = []
        for i, d in enumerate(diagrams):
            for order, xml in d.get("orphans") or []:
                seq += 1
                buckets[i].append((float(order), seq, xml))
            diag = self._new(_BD + "BPMNDiagram", dict(d.get("attrs") or {}))
            plane = self._new(_BD + "BPMNPlane", dict(d["plane"].get("attrs") or {}))
            if not plane.get("bpmnElement") and main_element:
                plane.set("bpmnElement", main_element)
            diag.append(plane)
            self._emit(plane, buckets[i])
            for xml in d.get("children") or []:
                diag.append(self._frag(xml))
            out.append(diag)
        return out

    # ---- document --------------------------------------------------------------------------

    def write(self) -> bytes:
        etree = self.etree
        self._assign_ids()
        self.data_object_ids: dict[str, str] = {}
        self.laneset_ids_done: set[str] = set()
        self._plan()
        self._distribute()

        defs_meta = self.meta.get("definitions") or {}
        nsmap: dict[str | None, str] = dict(_STD_NS)
        root_prefixes = [p for p in _STD_NS if p]
        for p, uri in defs_meta.get("nsmap") or []:
            if not p:
                continue
            if p in nsmap:
                continue
            nsmap[p] = uri
            root_prefixes.append(p)
        if (self.synthetic_pools or self.generated_collab) and QMS_NS not in nsmap.values() \
                and "qms" not in nsmap:
            nsmap["qms"] = QMS_NS
            root_prefixes.append("qms")
        root = etree.Element(_M + "definitions", nsmap=nsmap)
        attrs = dict(defs_meta.get("attrs") or {})
        if not attrs.get("id"):
            attrs["id"] = self._make_id("Definitions_1", "Definitions")
        if not attrs.get("targetNamespace"):
            attrs["targetNamespace"] = "urn:qms-workbench:bpmn"
        if self.name and not attrs.get("name") and not defs_meta:
            attrs["name"] = self.name
        from qms_desktop import __version__

        attrs["exporter"] = "QMS Workbench"
        attrs["exporterVersion"] = __version__
        for k in ("id", "name", "targetNamespace"):
            if k in attrs:
                root.set(k, attrs.pop(k))
        for k, v in attrs.items():
            root.set(k, v)

        emitted_p: set[str] = set()
        emitted_c: set[str] = set()
        flushed = False

        def flush() -> None:
            nonlocal flushed
            if flushed:
                return
            flushed = True
            for c in self.collabs:
                if c["id"] not in emitted_c:
                    emitted_c.add(c["id"])
                    root.append(self._collab_el(c))
            for p in self.procs:
                if p["id"] not in emitted_p:
                    emitted_p.add(p["id"])
                    root.append(self._process_el(p))
            for d in self._diagrams():
                root.append(d)

        procs = {p["id"]: p for p in self.procs}
        collabs = {c["id"]: c for c in self.collabs}
        for item in self.meta.get("root") or []:
            if not isinstance(item, dict):
                continue
            if "xml" in item:
                root.append(self._frag(item["xml"]))
            elif item.get("process") in procs and item["process"] not in emitted_p:
                if self.generated_collab:  # a made-up collaboration comes first, as BPMN tools
                    for c in self.collabs:  # write it
                        if c["id"] not in emitted_c:
                            emitted_c.add(c["id"])
                            root.append(self._collab_el(c))
                emitted_p.add(item["process"])
                root.append(self._process_el(procs[item["process"]]))
            elif item.get("collaboration") in collabs and item["collaboration"] not in emitted_c:
                emitted_c.add(item["collaboration"])
                root.append(self._collab_el(collabs[item["collaboration"]]))
            elif "diagram" in item:
                flush()
        flush()

        if any(isinstance(el.tag, str) and el.tag[:1] != "{" for el in root.iter()):
            # Elements in no namespace (unqualified extensions such as W4's <Grid>) would fall
            # into a default namespace: the model namespace gets a prefix instead.
            root = self._prefixed_root(root, nsmap)
            nsmap = dict(root.nsmap)
            root_prefixes = [p for p in nsmap if p]
        top = {p: u for p, u in self.frag_ns.items()
               if p not in self.frag_ns_bad and (p not in nsmap or nsmap[p] == u)}
        etree.cleanup_namespaces(root, top_nsmap=top,
                                 keep_ns_prefixes=sorted(set(root_prefixes) | set(top)))
        etree.indent(root, space="  ")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def _prefixed_root(self, root: Any, nsmap: dict[str | None, str]) -> Any:
        """``root`` moved under a ``definitions`` element that declares no default namespace
        (the model namespace gets the prefix ``bpmn``, or ``bpmn2`` ... when that is taken)."""
        prefix = next(p for p in ("bpmn", "bpmn2", "semantic", "model", "bpmnm")
                      if p not in nsmap or nsmap[p] == MODEL_NS)
        new_map = {p: u for p, u in nsmap.items() if p is not None}
        new_map[prefix] = MODEL_NS
        new = self.etree.Element(_M + "definitions", nsmap=new_map)
        for k, v in root.attrib.items():
            new.set(k, v)
        new.text = root.text
        new.extend(list(root))
        return new


# --------------------------------------------------------------------------------------------
# Several maps in one file
# --------------------------------------------------------------------------------------------


def _rename_map(pm: ProcessMap, rename: dict[str, str]) -> None:
    def r(k: str | None) -> str | None:
        return rename.get(k, k) if k is not None else None

    for n in pm.nodes:
        n.key = r(n.key)
        n.lane = r(n.lane)
        n.parent = r(n.parent)
        attrs = _bpmn(n).get("attrs")
        if isinstance(attrs, dict):
            for a in ("attachedToRef", "default"):
                if a in attrs:
                    attrs[a] = r(attrs[a])
        for a in ("container",):
            if a in n.extra:
                n.extra[a] = r(n.extra[a])
    for e in pm.edges:
        e.key, e.source, e.target = r(e.key), r(e.source), r(e.target)
        for a in ("container", "owner"):
            if a in e.extra:
                e.extra[a] = r(e.extra[a])
    for ln in pm.lanes:
        ln.key = r(ln.key)
        for a in ("parent", "pool", "container"):
            if a in ln.extra:
                ln.extra[a] = r(ln.extra[a])


def _merge(items: list[tuple[str, ProcessMap]]) -> ProcessMap:
    """Stack several maps into one collaboration: one pool (participant) per map."""
    merged = ProcessMap()
    used: set[str] = set()
    procs: list[dict[str, Any]] = []
    root_xml: list[dict[str, Any]] = []
    xml_ids: set[str] = set()
    defs: dict[str, Any] | None = None
    collab_children: list[str] = []
    y_cursor = 0.0
    lane_order = 0
    for i, (mname, src) in enumerate(items):
        pm = copy.deepcopy(src)
        meta = pm.extra.get("bpmn") if isinstance(pm.extra.get("bpmn"), dict) else {}
        if defs is None and meta.get("definitions"):
            defs = copy.deepcopy(meta["definitions"])
        keys = [n.key for n in pm.nodes] + [e.key for e in pm.edges] + [ln.key for ln in pm.lanes]
        own_procs = [p for p in meta.get("processes") or [] if p.get("id")]
        clash = any(k in used for k in keys) or any(p["id"] in used for p in own_procs)
        rename = {k: f"m{i + 1}_{k}" for k in keys} if clash else {}
        if rename:
            _rename_map(pm, rename)
        # Processes of this map.
        pid_map: dict[str, str] = {}
        for p in own_procs:
            new = p["id"] if p["id"] not in used else f"m{i + 1}_{p['id']}"
            pid_map[p["id"]] = new
            entry = copy.deepcopy(p)
            entry["id"] = new
            procs.append(entry)
            used.add(new)
        default_pid = None
        if not own_procs:
            default_pid = f"Process_{i + 1}"
            while default_pid in used:
                default_pid += "_"
            used.add(default_pid)
            procs.append({"id": default_pid, "attrs": {"name": mname, "isExecutable": "false"},
                          "children": []})
        first_pid = next(iter(pid_map.values()), default_pid)
        for n in pm.nodes:
            if n.kind == "pool":
                attrs = _bpmn(n).get("attrs")
                if isinstance(attrs, dict) and attrs.get("processRef") in pid_map:
                    attrs["processRef"] = pid_map[attrs["processRef"]]
                continue
            p = n.extra.get("process")
            n.extra["process"] = pid_map.get(p, first_pid) if p else first_pid
            if n.extra.get("container") in pid_map:
                n.extra["container"] = pid_map[n.extra["container"]]
        for e in pm.edges:
            if e.extra.get("process") in pid_map:
                e.extra["process"] = pid_map[e.extra["process"]]
            if e.extra.get("container") in pid_map:
                e.extra["container"] = pid_map[e.extra["container"]]
        for ln in pm.lanes:
            p = ln.extra.get("process")
            ln.extra["process"] = pid_map.get(p, first_pid) if p else first_pid
            ln.order = lane_order
            lane_order += 1
        for it in meta.get("root") or []:
            if isinstance(it, dict) and "xml" in it:
                ids = set(_ID_ATTR.findall(it["xml"][:400]))
                if ids and ids <= xml_ids:
                    continue
                xml_ids |= ids
                root_xml.append({"xml": it["xml"]})
        for c in meta.get("collaborations") or []:
            collab_children += c.get("children") or []
        # Geometry: stack the maps, each inside a pool.
        box = pm.bounds() or (0.0, 0.0, 400.0, 200.0)
        pools = [n for n in pm.nodes if n.kind == "pool"]
        dy = y_cursor - box[1] + (0.0 if pools else 30.0)
        for n in pm.nodes:
            n.y += dy
            for obj in (n,):
                di = obj.extra.get("di")
                if isinstance(di, dict):
                    di.pop("diagram", None)
                    di.pop("order", None)
        for ln in pm.lanes:
            ln.y += dy
            if isinstance(ln.extra.get("di"), dict):
                ln.extra["di"].pop("diagram", None)
                ln.extra["di"].pop("order", None)
        for e in pm.edges:
            e.waypoints = [(x, y + dy) for x, y in e.waypoints]
            di = e.extra.get("di")
            if isinstance(di, dict):
                di.pop("diagram", None)
                di.pop("order", None)
                if di.get("waypoints"):
                    di["waypoints"] = [[x, y + dy] for x, y in di["waypoints"]]
        if not pools:
            x0, y0, w, h = box
            pool_key = f"Participant_{first_pid}"
            while pool_key in used:
                pool_key += "_"
            pool = Node(key=pool_key, kind="pool", name=mname,
                        x=x0 - 30 - _HEADER, y=y0 + dy - 30, w=w + 60 + _HEADER, h=h + 60,
                        extra={"bpmn": {"type": "participant", "attrs": {"processRef": first_pid}}})
            merged.nodes.append(pool)
            for ln in pm.lanes:
                ln.extra["pool"] = pool_key
            y_cursor = pool.y + pool.h + 40.0
        else:
            y_cursor = box[1] + dy + box[3] + 40.0
        for k in [n.key for n in pm.nodes] + [e.key for e in pm.edges] + [ln.key for ln in pm.lanes]:
            used.add(k)
        merged.nodes += pm.nodes
        merged.edges += pm.edges
        merged.lanes += pm.lanes
    meta_out: dict[str, Any] = {
        "processes": procs,
        "root": root_xml,
        "collaborations": [{"id": "Collaboration_1", "attrs": {}, "children": collab_children}],
    }
    if defs is not None:
        meta_out["definitions"] = defs
    merged.extra["bpmn"] = meta_out
    return merged
