"""BPMN 2.0 XML import into a :class:`~qms_desktop.core.processmap.ProcessMap`.

One file gives one map (all its processes, pools, lanes and message flows together, because
message flows and the diagram span processes); :attr:`BpmnImport.processes` lists the BPMN
processes it held. Elements are recognised by namespace URI, never by prefix, in any encoding.
Everything the model has no field for (attributes, extension elements, event definitions,
data objects, messages, label styles, diagram details ...) is kept in the ``extra`` dicts so that
:func:`qms_desktop.services.exports.bpmn.write_bpmn` gives the same model back. Flow elements we
do not know are imported as generic steps with a warning, never dropped.

Node keys are the BPMN ids. Positions come from BPMNDI; a file without a diagram is laid out
automatically (with a warning). A process's own data inputs and outputs (its
``ioSpecification``) that the diagram draws become data nodes (kind ``document``, ``bpmn_type``
``dataInput`` / ``dataOutput``), so that the data associations joining them are drawn too; the
export writes them back in that ``ioSpecification``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from qms_desktop.core.processmap import (
    BPMN_TYPE_KIND,
    Edge,
    Lane,
    Node,
    ProcessMap,
    apply_layout,
    layout_map,
)
from qms_desktop.services.xmlsafe import MAX_XML_BYTES, XmlFormatError, parse_xml

__all__ = [
    "BPMNDI_NS",
    "BpmnImport",
    "Note",
    "is_note",
    "DC_NS",
    "DI_NS",
    "MODEL_NS",
    "GENERATED_ATTR",
    "QMS_NS",
    "XSI_NS",
    "read_bpmn",
]

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
#: Workbench's own namespace (extension attributes, allowed on every BPMN element)
QMS_NS = "urn:qms-workbench:bpmn"
#: ``qms:generated="true"`` marks what the exporter made up for BPMN tools and the app's map
#: never had: the pool (participant) around the lanes of a map without one, and the
#: collaboration holding it. The import leaves such a pool out, so that re-importing an export
#: gives the map back as it was (a pool drawn in another tool has no mark and is imported).
GENERATED_ATTR = "{" + QMS_NS + "}generated"

_M = "{" + MODEL_NS + "}"
_BD = "{" + BPMNDI_NS + "}"
_DC = "{" + DC_NS + "}"
_DI = "{" + DI_NS + "}"

#: attributes holding a reference to another element (possibly as a QName)
_REF_ATTRS = frozenset({"bpmnElement", "sourceElement", "targetElement", "sourceRef",
                        "targetRef", "attachedToRef", "processRef", "messageRef", "default",
                        "dataObjectRef", "dataStoreRef", "categoryValueRef", "calledElement",
                        "labelStyle", "choreographyRef", "innerMessageFlowRef",
                        "outerMessageFlowRef"})
#: BPMN elements whose text is a reference
_REF_TEXT = frozenset({"incoming", "outgoing", "flowNodeRef", "sourceRef", "targetRef",
                       "dataInputRefs", "dataOutputRefs", "optionalInputRefs",
                       "optionalOutputRefs", "whileExecutingInputRefs",
                       "whileExecutingOutputRefs", "inputSetRefs", "outputSetRefs",
                       "eventDefinitionRef", "supportedInterfaceRef", "interfaceRef",
                       "messageFlowRef", "participantRef", "resourceRef"})

#: Sub-process elements whose content (flow elements, lanes, artifacts) becomes child nodes.
CONTAINER_TYPES = frozenset({"subProcess", "transaction", "adHocSubProcess"})

#: BPMN children that are legitimately not map elements; they are kept as XML.
NON_VISUAL = frozenset({
    "documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef",
    "incoming", "outgoing", "property", "ioSpecification", "ioBinding", "supportedInterfaceRef",
    "dataObject", "dataInput", "dataOutput", "inputSet", "outputSet", "resourceRole",
    "performer", "humanPerformer", "potentialOwner", "correlationSubscription", "supports",
    "standardLoopCharacteristics", "multiInstanceLoopCharacteristics", "completionCondition",
    "conditionExpression", "eventDefinitionRef", "script", "rendering", "laneSet",
    "flowNodeRef", "childLaneSet", "partitionElement", "participantMultiplicity",
    "interfaceRef", "endPointRef", "conversationLink", "correlationKey", "choreographyRef",
    "participantAssociation", "messageFlowAssociation", "conversationAssociation",
    "dataState", "transformation", "assignment", "sourceRef", "targetRef", "text",
})

# Child element order ranks (BPMN XSD sequences), used by the writer to put regenerated
# children (incoming/outgoing, flowNodeRef, data associations, content) where they belong.
RANK_NODE: dict[str, float] = {
    "documentation": 0, "extensionElements": 1, "auditing": 2, "monitoring": 3,
    "categoryValueRef": 4, "incoming": 5, "outgoing": 6, "conditionExpression": 6.5,
    "text": 6.5, "ioSpecification": 7, "property": 8, "dataInput": 9, "dataOutput": 9,
    "dataInputAssociation": 10, "dataOutputAssociation": 11, "inputSet": 12, "outputSet": 12,
    "eventDefinitionRef": 14, "resourceRole": 15, "performer": 15, "humanPerformer": 15,
    "potentialOwner": 15, "standardLoopCharacteristics": 16,
    "multiInstanceLoopCharacteristics": 16, "laneSet": 17, "@flow": 18, "@artifact": 19,
    "completionCondition": 20, "participantMultiplicity": 2,
    "interfaceRef": 3, "endPointRef": 4,
    "sourceRef": 5, "targetRef": 6, "transformation": 7, "assignment": 8,
    "flowNodeRef": 5, "partitionElement": 4, "childLaneSet": 6,
}
RANK_PROCESS: dict[str, float] = {
    "documentation": 0, "extensionElements": 1, "supportedInterfaceRef": 2,
    "ioSpecification": 3, "ioBinding": 4, "auditing": 5, "monitoring": 6, "property": 7,
    "laneSet": 8, "@flow": 9, "@artifact": 10, "resourceRole": 11, "performer": 11,
    "humanPerformer": 11, "potentialOwner": 11, "correlationSubscription": 12, "supports": 13,
}
RANK_COLLAB: dict[str, float] = {
    "documentation": 0, "extensionElements": 1, "participant": 2, "messageFlow": 3,
    "@artifact": 4, "conversation": 5, "subConversation": 5, "callConversation": 5,
    "conversationAssociation": 6, "participantAssociation": 7, "messageFlowAssociation": 8,
    "correlationKey": 9, "choreographyRef": 10, "conversationLink": 11,
}
ARTIFACTS = frozenset({"textAnnotation", "association", "group"})


def child_rank(local: str, table: dict[str, float]) -> float | None:
    """Rank of a child element by local name (``None`` when unknown)."""
    if local in table:
        return table[local]
    if local.endswith("EventDefinition"):
        return 13 if table is RANK_NODE else None
    if local in BPMN_TYPE_KIND or local in ("sequenceFlow", "dataObject"):
        return table.get("@flow")
    if local in ARTIFACTS:
        return table.get("@artifact")
    return None


class Note(str):
    """An importer remark that only informs (nothing was lost, left out or guessed): shown as a
    note, not as a warning. It is a plain string everywhere else (lists of remarks, JSON)."""

    __slots__ = ()


def is_note(remark: str) -> bool:
    """Whether an importer remark only informs (see :class:`Note`)."""
    return isinstance(remark, Note)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass
class BpmnImport:
    """What :func:`read_bpmn` found: the map, a display name, the processes and warnings."""

    map: ProcessMap
    name: str = ""
    warnings: list[str] = field(default_factory=list)
    processes: list[tuple[str, str]] = field(default_factory=list)  # (id, name)

    @property
    def maps(self) -> list[tuple[str, ProcessMap]]:
        """The map as a one-item list of ``(name, map)``."""
        return [(self.name, self.map)]


def read_bpmn(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> BpmnImport:
    """Read a BPMN 2.0 XML file. Raises :class:`~qms_desktop.services.xmlsafe.XmlFormatError`
    or :class:`~qms_desktop.services.xmlsafe.UnsafeXmlError` (both ``ValueError``) with a
    one-sentence message when the file cannot be imported; nothing is half-imported."""
    root = parse_xml(data, max_bytes=max_bytes, what="BPMN file")
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag != _M + "definitions":
        local = tag.rsplit("}", 1)[-1]
        if local in ("mxfile", "mxGraphModel"):
            raise XmlFormatError(
                "The file is a draw.io diagram, not BPMN 2.0 XML; import it with the draw.io import."
            )
        ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
        if local == "definitions" and ns:
            raise XmlFormatError(
                f"The file uses the namespace {ns}, not BPMN 2.0 ({MODEL_NS}); export it as BPMN 2.0 XML and try again."
            )
        raise XmlFormatError(
            f"The file is XML but not a BPMN 2.0 model (its root element is '{local}'); "
            "export it as BPMN 2.0 XML and try again."
        )
    return _Reader(root).run()


# --------------------------------------------------------------------------------------------


def _ser(el: Any) -> str:
    from lxml import etree

    return etree.tostring(el, encoding="unicode", with_tail=False)


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if f != f or f in (float("inf"), float("-inf")):
        return None
    return f


def _local(el: Any) -> tuple[str, str]:
    tag = el.tag
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


class _Reader:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.lanes: list[Lane] = []
        self.warnings: list[str] = []
        self.keys: set[str] = set()
        self.lane_refs: list[tuple[Lane, list[str]]] = []
        self.di: dict[str, tuple[int, int, Any]] = {}
        self.diagrams: list[dict[str, Any]] = []
        self.processes: list[dict[str, Any]] = []
        self.collaborations: list[dict[str, Any]] = []
        self.referenced: set[str] = set()
        self.categories: dict[str, str] = {}
        self.gen = 0
        self.no_di: list[Node] = []
        self.di_ids: dict[str, str] = {}  # diagram shape id -> model element id
        self.di_taken: dict[str, tuple[int, int, Any]] = {}  # diagram entries read
        self.edge_els: dict[str, Any] = {}  # edge key -> its XML element
        self.data_assocs: list[tuple[Edge, str, str]] = []  # (edge, owner, other end's ref)

    # ---- helpers ---------------------------------------------------------------------------

    def _key(self, el: Any, what: str) -> str:
        key = (el.get("id") or "").strip()
        if key and key not in self.keys:
            self.keys.add(key)
            return key
        self.gen += 1
        new = f"_qms_{self.gen}"
        while new in self.keys:
            self.gen += 1
            new = f"_qms_{self.gen}"
        self.keys.add(new)
        if key:
            self.warnings.append(
                f"The id '{key}' is used twice in the file; the second {what} was given the id '{new}'."
            )
        else:
            self.warnings.append(Note(f"A {what} without an id was given the id '{new}'."))
        return new

    def _attrs(self, el: Any, skip: tuple[str, ...] = ("id", "name")) -> dict[str, str]:
        return {k: v for k, v in el.attrib.items() if k not in skip}

    def _shape(self, key: str) -> dict[str, Any] | None:
        entry = self.di.get(key)
        if entry is None or entry[2].tag != _BD + "BPMNShape":
            return None
        del self.di[key]
        self.di_taken[key] = entry
        idx, order, el = entry
        di: dict[str, Any] = {"diagram": idx, "order": order,
                              "attrs": self._attrs(el, ("bpmnElement",))}
        children = []
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            if ch.tag == _DC + "Bounds" and "bounds" not in di:
                b = [_num(ch.get(a)) for a in ("x", "y", "width", "height")]
                if None in b:
                    self.warnings.append(f"The diagram shape of '{key}' has unreadable bounds; it was placed automatically.")
                    di["bounds"] = None
                else:
                    di["bounds"] = b
                    extra_attrs = self._attrs(ch, ("x", "y", "width", "height"))
                    if extra_attrs:
                        di["bounds_attrs"] = extra_attrs
            elif ch.tag == _BD + "BPMNLabel" and "label" not in di:
                di["label"] = self._label(ch)
            else:
                children.append(_ser(ch))
        if children:
            di["children"] = children
        return di

    def _label(self, el: Any) -> dict[str, Any]:
        label: dict[str, Any] = {"attrs": dict(el.attrib)}
        children = []
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            if ch.tag == _DC + "Bounds" and "bounds" not in label:
                b = [_num(ch.get(a)) for a in ("x", "y", "width", "height")]
                label["bounds"] = None if None in b else b
            else:
                children.append(_ser(ch))
        if children:
            label["children"] = children
        return label

    def _edge_di(self, key: str) -> dict[str, Any] | None:
        entry = self.di.get(key)
        if entry is None or entry[2].tag != _BD + "BPMNEdge":
            return None
        del self.di[key]
        self.di_taken[key] = entry
        idx, order, el = entry
        di: dict[str, Any] = {"diagram": idx, "order": order,
                              "attrs": self._attrs(el, ("bpmnElement",))}
        points: list[list[float]] = []
        children = []
        wp_attrs: dict[str, str] | None = None
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            if ch.tag == _DI + "waypoint":
                x, y = _num(ch.get("x")), _num(ch.get("y"))
                if x is None or y is None:
                    continue
                points.append([x, y])
                if wp_attrs is None:
                    wp_attrs = self._attrs(ch, ("x", "y"))
            elif ch.tag == _BD + "BPMNLabel" and "label" not in di:
                di["label"] = self._label(ch)
            else:
                children.append(_ser(ch))
        di["waypoints"] = points
        if wp_attrs:
            di["waypoint_attrs"] = wp_attrs
        if children:
            di["children"] = children
        return di

    def _place(self, node: Node, di: dict[str, Any] | None) -> None:
        if di is not None:
            node.extra["di"] = di
            b = di.get("bounds")
            if b:
                node.x, node.y, node.w, node.h = b
                return
        self.no_di.append(node)

    # ---- diagram index ---------------------------------------------------------------------

    def _index_di(self) -> None:
        for idx, diag in enumerate(self.root.iterchildren(_BD + "BPMNDiagram")):
            d: dict[str, Any] = {"attrs": dict(diag.attrib), "plane": None, "children": [],
                                 "orphans": []}
            for ch in diag:
                if not isinstance(ch.tag, str):
                    continue
                if ch.tag == _BD + "BPMNPlane" and d["plane"] is None:
                    d["plane"] = {"attrs": dict(ch.attrib)}
                    order = 0
                    for el in ch:
                        if not isinstance(el.tag, str):
                            continue
                        ref = el.get("bpmnElement")
                        if (el.tag in (_BD + "BPMNShape", _BD + "BPMNEdge") and ref
                                and ref not in self.di):
                            self.di[ref] = (idx, order, el)
                            if el.tag == _BD + "BPMNShape" and el.get("id"):
                                self.di_ids[el.get("id")] = ref
                        else:
                            d["orphans"].append([order, _ser(el)])
                        order += 1
                else:
                    d["children"].append(_ser(ch))
            self.diagrams.append(d)

    # ---- semantic model --------------------------------------------------------------------

    def _resolve_qnames(self) -> None:
        """References written as QNames (``bpmnElement="bpmn2:_x"``, as GenMyModel does) become
        plain ids when the prefix stands for this file's target namespace or the BPMN model
        namespace and the file has an element with that id; others are left as they are."""
        root = self.root
        ids = set()
        prefixed = False
        for el in root.iter():
            if isinstance(el.tag, str):
                v = el.get("id")
                if v:
                    ids.add(v)
                if not prefixed:
                    for a, v in el.attrib.items():
                        if ":" in v and (a in _REF_ATTRS or a.endswith("Ref")):
                            prefixed = True
                            break
        if not prefixed:
            return
        own = {MODEL_NS, root.get("targetNamespace") or MODEL_NS}

        def local(el: Any, v: str) -> str | None:
            prefix, _sep, rest = v.strip().partition(":")
            if rest and rest in ids and el.nsmap.get(prefix) in own:
                return rest
            return None

        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for a, v in el.attrib.items():
                if ":" in v and (a in _REF_ATTRS or a.endswith("Ref")):
                    new = local(el, v)
                    if new is not None:
                        el.set(a, new)
            if el.tag.startswith(_M) and el.text and ":" in el.text and len(el) == 0:
                name = el.tag[len(_M):]
                if name in _REF_TEXT or name.endswith(("Ref", "Refs")):
                    new = local(el, el.text)
                    if new is not None:
                        el.text = new

    def run(self) -> BpmnImport:
        root = self.root
        self._resolve_qnames()
        self._index_di()
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for a in ("sourceRef", "targetRef", "attachedToRef"):
                v = el.get(a)
                if v:
                    self.referenced.add(v)
            if el.tag == _M + "flowNodeRef" and el.text:
                self.referenced.add(el.text.strip())
            if el.tag == _M + "categoryValue" and el.get("id"):
                self.categories[el.get("id")] = el.get("value") or ""
        root_items: list[dict[str, Any]] = []
        diag_idx = 0
        for ch in root:
            if not isinstance(ch.tag, str):
                continue
            if ch.tag == _M + "process":
                pid = self._read_process(ch)
                root_items.append({"process": pid})
            elif ch.tag == _M + "collaboration":
                cid = self._read_collaboration(ch)
                root_items.append({"collaboration": cid})
            elif ch.tag == _BD + "BPMNDiagram":
                root_items.append({"diagram": diag_idx})
                diag_idx += 1
            else:
                root_items.append({"xml": _ser(ch)})
                ns, local = _local(ch)
                if ns == MODEL_NS and local in ("choreography", "globalChoreographyTask"):
                    self.warnings.append(
                        f"The {local} '{ch.get('name') or ch.get('id') or ''}' is kept in the file "
                        "but not shown on the map."
                    )
        return self._finish(root_items)

    def _read_process(self, el: Any) -> str:
        pid = self._key(el, "process")
        entry: dict[str, Any] = {"id": pid, "attrs": self._attrs(el, ("id",)), "children": []}
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            if ch.tag == _M + "ioSpecification":
                xml, drawn = self._read_process_io(ch, pid)
                entry["children"].append(xml)
                if drawn:
                    entry.setdefault("io_nodes", []).extend(drawn)
                continue
            if self._read_content(ch, process=pid, container=pid, parent=None):
                continue
            entry["children"].append(_ser(ch))
        self.processes.append(entry)
        return pid

    def _read_process_io(self, el: Any, pid: str) -> tuple[str, list[str]]:
        """A process's ``ioSpecification``: every ``dataInput`` / ``dataOutput`` the diagram
        draws (a BPMNShape) becomes a data node of the map (kind ``document``, ``bpmn_type``
        ``dataInput`` / ``dataOutput``); the rest is kept as XML, where each drawn one is left
        as an empty ``<dataInput id=".."/>`` that holds its place. Returns that XML and the
        keys of the nodes made (listed in the process entry's ``io_nodes``, so that the export
        puts each back in its place, or leaves it out with its references when it was
        deleted from the map)."""
        kept = copy.deepcopy(el)
        drawn: list[str] = []
        for ch in kept:
            if ch.tag not in (_M + "dataInput", _M + "dataOutput"):
                continue
            ident = (ch.get("id") or "").strip()
            entry = self.di.get(ident)
            if (not ident or ident in self.keys or entry is None
                    or entry[2].tag != _BD + "BPMNShape"):
                continue
            local = ch.tag[len(_M):]
            key = self._key(ch, local)
            bpmn: dict[str, Any] = {"type": local, "attrs": self._attrs(ch),
                                    "children": [_ser(c) for c in ch if isinstance(c.tag, str)]}
            if "name" not in ch.attrib:
                bpmn["name_absent"] = True
            for k in ("attrs", "children"):
                if not bpmn[k]:
                    del bpmn[k]
            node = Node(key=key, kind="document", bpmn_type=local, name=ch.get("name") or "",
                        extra={"process": pid, "container": pid, "bpmn": bpmn})
            self.nodes.append(node)
            self._place(node, self._shape(key))
            drawn.append(key)
            for a in list(ch.attrib):
                if a != "id":
                    del ch.attrib[a]
            for c in list(ch):
                ch.remove(c)
            ch.text = None
        return _ser(kept), drawn

    def _read_collaboration(self, el: Any) -> str:
        cid = self._key(el, "collaboration")
        entry: dict[str, Any] = {"id": cid, "attrs": self._attrs(el, ("id",)), "children": []}
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            ns, local = _local(ch)
            if ns == MODEL_NS:
                if local == "participant":
                    self._read_node(ch, local, process=None, container=cid, parent=None)
                    continue
                if local == "messageFlow":
                    self._read_flow(ch, "message", process=None, container=cid)
                    continue
                if local in ("textAnnotation", "group"):
                    self._read_node(ch, local, process=None, container=cid, parent=None)
                    continue
                if local == "association":
                    self._read_flow(ch, "association", process=None, container=cid)
                    continue
            entry["children"].append(_ser(ch))
        self.collaborations.append(entry)
        return cid

    def _read_content(self, ch: Any, *, process: str, container: str, parent: str | None) -> bool:
        """Read one child of a process or sub-process; False if it must be kept as XML."""
        ns, local = _local(ch)
        if ns != MODEL_NS:
            return False
        if local == "laneSet":
            return self._read_laneset(ch, process=process, container=container, parent_lane=None)
        if local in BPMN_TYPE_KIND and local != "participant":
            self._read_node(ch, local, process=process, container=container, parent=parent)
            return True
        if local == "sequenceFlow":
            self._read_flow(ch, "sequence", process=process, container=container)
            return True
        if local == "association":
            self._read_flow(ch, "association", process=process, container=container)
            return True
        ident = ch.get("id")
        if (local not in NON_VISUAL and not local.endswith("EventDefinition") and ident
                and (ident in self.di or ident in self.referenced)):
            self._read_node(ch, local, process=process, container=container, parent=parent)
            return True
        return False

    def _read_node(self, el: Any, local: str, *, process: str | None, container: str,
                   parent: str | None) -> Node:
        kind = BPMN_TYPE_KIND.get(local)
        key = self._key(el, local)
        bpmn: dict[str, Any] = {"type": local, "attrs": self._attrs(el), "children": []}
        if kind is None:
            kind = "step"
            bpmn["tag"] = el.tag
            self.warnings.append(
                f"The BPMN element '{local}' ({key}) is not supported; it was imported as a "
                "generic step and is written back unchanged on export."
            )
        name = el.get("name") or ""
        if local == "textAnnotation":
            text_el = el.find(_M + "text")
            name = (text_el.text or "") if text_el is not None else ""
            if text_el is None:
                bpmn["name_absent"] = True
        elif local == "group":
            name = self.categories.get(el.get("categoryValueRef") or "", "")
        elif "name" not in el.attrib:
            bpmn["name_absent"] = True
        extra: dict[str, Any] = {"container": container, "bpmn": bpmn}
        if process:
            extra["process"] = process
        node = Node(key=key, kind=kind, bpmn_type=local, name=name, parent=parent, extra=extra)
        self.nodes.append(node)
        text_seen = False
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            ns, cl = _local(ch)
            if ns == MODEL_NS:
                if cl in ("incoming", "outgoing"):
                    continue
                if cl in ("dataInputAssociation", "dataOutputAssociation") and self._read_data_assoc(
                        ch, cl, key, process, container):
                    continue
                if local == "textAnnotation" and cl == "text" and not text_seen:
                    text_seen = True
                    continue
                if local in CONTAINER_TYPES and self._read_content(
                        ch, process=process or container, container=key, parent=key):
                    continue
            bpmn["children"].append(_ser(ch))
        if not bpmn["children"]:
            del bpmn["children"]
        if not bpmn["attrs"]:
            del bpmn["attrs"]
        self._place(node, self._shape(key))
        return node

    def _read_flow(self, el: Any, kind: str, *, process: str | None, container: str) -> Edge:
        bt = {"sequence": "sequenceFlow", "message": "messageFlow", "association": "association"}[kind]
        key = self._key(el, bt)
        bpmn: dict[str, Any] = {"attrs": self._attrs(el, ("id", "name", "sourceRef", "targetRef")),
                                "children": []}
        if "name" not in el.attrib:
            bpmn["name_absent"] = True
        condition = ""
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            if (ch.tag == _M + "conditionExpression" and "condition_attrs" not in bpmn
                    and len(ch) == 0):
                condition = ch.text or ""
                bpmn["condition_attrs"] = dict(ch.attrib)
                if not condition:
                    bpmn["condition_empty"] = True
                continue
            bpmn["children"].append(_ser(ch))
        if not bpmn["children"]:
            del bpmn["children"]
        extra: dict[str, Any] = {"bpmn_type": bt, "container": container, "bpmn": bpmn}
        if process:
            extra["process"] = process
        edge = Edge(key=key, source=el.get("sourceRef") or "", target=el.get("targetRef") or "",
                    kind=kind, label=el.get("name") or "", condition=condition, extra=extra)
        self._edge_geometry(edge)
        self.edges.append(edge)
        self.edge_els[key] = el
        return edge

    def _edge_geometry(self, edge: Edge) -> None:
        di = self._edge_di(edge.key)
        if di is not None:
            di["ends"] = [edge.source, edge.target]
            edge.extra["di"] = di
            edge.waypoints = [(p[0], p[1]) for p in di["waypoints"]]
        else:
            edge.extra["di_absent"] = True

    def _read_data_assoc(self, el: Any, local: str, owner: str, process: str | None,
                         container: str) -> bool:
        sources = [(t.text or "").strip() for t in el.iterchildren(_M + "sourceRef")]
        targets = [(t.text or "").strip() for t in el.iterchildren(_M + "targetRef")]
        if not el.get("id"):
            return False
        if local == "dataInputAssociation":
            if not sources:
                return False
            src, tgt = sources[0], owner
        else:
            if not targets:
                return False
            src, tgt = owner, targets[0]
        key = self._key(el, local)
        bpmn: dict[str, Any] = {"attrs": self._attrs(el, ("id",)), "children": []}
        for ch in el:
            if not isinstance(ch.tag, str) or ch.tag in (_M + "sourceRef", _M + "targetRef"):
                continue
            bpmn["children"].append(_ser(ch))
        if not bpmn["children"]:
            del bpmn["children"]
        extra: dict[str, Any] = {"bpmn_type": local, "owner": owner, "container": container,
                                 "refs": {"sourceRef": sources, "targetRef": targets},
                                 "bpmn": bpmn}
        if process:
            extra["process"] = process
        edge = Edge(key=key, source=src, target=tgt, kind="association", extra=extra)
        self.edges.append(edge)
        self.edge_els[key] = el
        # The map end other than the owner is decided when every element is known (_finish).
        self.data_assocs.append((edge, owner, src if local == "dataInputAssociation" else tgt))
        return True

    def _data_end(self, edge: Edge, ref: str, nodes: dict[str, Node]) -> str | None:
        """The map node a data association's far end is drawn at: the element it refers to
        when that is on the map, else the data object or store reference the diagram edge
        joins (its ``sourceElement``/``targetElement``, else the reference whose shape holds
        the edge's far end), else the only reference to that data object; None when the
        association links data the map does not draw (a task's own ``ioSpecification`` input
        or output, or a process's that the diagram does not draw)."""
        if ref in nodes:
            return ref
        inbound = edge.extra["bpmn_type"] == "dataInputAssociation"
        entry = self.di.get(edge.key)
        di_el = entry[2] if entry is not None and entry[2].tag == _BD + "BPMNEdge" else None
        if di_el is not None:
            shape = di_el.get("sourceElement" if inbound else "targetElement")
            key = self.di_ids.get(shape or "")
            if key in nodes and nodes[key].kind in ("document", "record"):
                return key
        refs = [n for n in nodes.values() if n.kind in ("document", "record")
                and ((n.extra.get("bpmn") or {}).get("attrs") or {}).get(
                    "dataObjectRef" if n.kind == "document" else "dataStoreRef") == ref]
        if di_el is not None and refs:
            pts = [(_num(w.get("x")), _num(w.get("y"))) for w in di_el.iter(_DI + "waypoint")]
            pts = [p for p in pts if None not in p]
            if pts:
                x, y = pts[0] if inbound else pts[-1]
                inside = [n for n in refs if n.x - 2 <= x <= n.x + n.w + 2
                          and n.y - 2 <= y <= n.y + n.h + 2]
                if len(inside) == 1:
                    return inside[0].key
        if len(refs) == 1:
            return refs[0].key
        return None

    def _keep_as_xml(self, edge: Edge, nodes: dict[str, Node]) -> bool:
        """Keep a connector the map cannot draw as XML where it was in the file (its owner,
        sub-process, process or collaboration), with its diagram edge: it is written back on
        export unchanged. False when there is no place to keep it."""
        el = self.edge_els.get(edge.key)
        if el is None:
            return False
        owner = edge.extra.get("owner")
        container = edge.extra.get("container")
        holder: list[str] | None = None
        if owner in nodes:
            holder = nodes[owner].extra["bpmn"].setdefault("children", [])
        elif container in nodes:
            holder = nodes[container].extra["bpmn"].setdefault("children", [])
        else:
            for entry in self.processes + self.collaborations:
                if entry["id"] == container:
                    holder = entry["children"]
        if holder is None:
            return False
        holder.append(_ser(el))
        if edge.extra.get("bpmn_type") in ("sequenceFlow", None) and edge.kind == "sequence":
            for end, tag in ((edge.source, "outgoing"), (edge.target, "incoming")):
                if end in nodes:
                    nodes[end].extra["bpmn"].setdefault("kept_refs", []).append([tag, edge.key])
        taken = self.di_taken.pop(edge.key, None)
        if taken is not None and edge.key not in self.di:
            self.di[edge.key] = taken
        return True

    def _read_laneset(self, ls: Any, *, process: str, container: str,
                      parent_lane: str | None) -> bool:
        lanes = list(ls.iterchildren(_M + "lane"))
        if not lanes:
            return False
        info: dict[str, Any] = {"id": ls.get("id")}
        if not ls.get("id"):
            info["id_absent"] = True
        if self._attrs(ls, ("id",)):
            info["attrs"] = self._attrs(ls, ("id",))
        kept = [_ser(ch) for ch in ls if isinstance(ch.tag, str) and ch.tag != _M + "lane"]
        if kept:
            info["children"] = kept
        for lane_el in lanes:
            self._read_lane(lane_el, info, process=process, container=container,
                            parent_lane=parent_lane)
        return True

    def _read_lane(self, el: Any, info: dict[str, Any], *, process: str, container: str,
                   parent_lane: str | None) -> None:
        key = self._key(el, "lane")
        bpmn: dict[str, Any] = {"attrs": self._attrs(el), "children": []}
        if "name" not in el.attrib:
            bpmn["name_absent"] = True
        refs: list[str] = []
        child_sets = []
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            if ch.tag == _M + "flowNodeRef":
                refs.append((ch.text or "").strip())
            elif ch.tag == _M + "childLaneSet" and not child_sets:
                child_sets.append(ch)
            else:
                bpmn["children"].append(_ser(ch))
        for k in ("children", "attrs"):
            if not bpmn[k]:
                del bpmn[k]
        extra: dict[str, Any] = {"process": process, "laneset": copy.deepcopy(info), "bpmn": bpmn}
        if container != process:
            extra["container"] = container
        if parent_lane:
            extra["parent"] = parent_lane
        lane = Lane(key=key, name=el.get("name") or "", order=len(self.lanes), extra=extra)
        di = self._shape(key)
        if di is not None:
            lane.extra["di"] = di
            if di.get("bounds"):
                lane.x, lane.y, lane.w, lane.h = di["bounds"]
        self.lanes.append(lane)
        self.lane_refs.append((lane, refs))
        for cs in child_sets:
            if not self._read_laneset(cs, process=process, container=container, parent_lane=key):
                bpmn.setdefault("children", []).append(_ser(cs))

    # ---- finishing -------------------------------------------------------------------------

    def _drop_generated(self, root_items: list[dict[str, Any]]) -> None:
        """Leave out the pools Workbench's export made up (``qms:generated``) that nothing in
        the file refers to and that were given no content in another tool, and then the made-up
        collaboration when nothing else is left in it: the map comes back as it was in the app
        (whose export makes them again)."""
        def generated(attrs: dict[str, str] | None) -> bool:
            return (attrs or {}).get(GENERATED_ATTR, "").strip().lower() == "true"

        drop = {n.key for n in self.nodes
                if n.kind == "pool" and generated((n.extra.get("bpmn") or {}).get("attrs"))
                and not (n.extra.get("bpmn") or {}).get("children")
                and n.key not in self.referenced}
        if not drop:
            return
        self.nodes = [n for n in self.nodes if n.key not in drop]
        used = {n.extra.get("container") for n in self.nodes}
        used |= {e.extra.get("container") for e in self.edges}
        used |= {ln.extra.get("container") for ln in self.lanes}
        first_process = self.processes[0]["id"] if self.processes else None
        for c in list(self.collaborations):
            if (not generated(c.get("attrs")) or c.get("children") or c["id"] in used
                    or c["id"] in self.referenced or first_process is None):
                continue
            self.collaborations.remove(c)
            root_items[:] = [it for it in root_items if it.get("collaboration") != c["id"]]
            for d in self.diagrams:  # the diagram shows the process (the export puts the
                plane = (d.get("plane") or {}).get("attrs") or {}  # collaboration back)
                if plane.get("bpmnElement") == c["id"]:
                    plane["bpmnElement"] = first_process

    def _finish(self, root_items: list[dict[str, Any]]) -> BpmnImport:
        self._drop_generated(root_items)
        nodes = {n.key: n for n in self.nodes}
        edge_keys = {e.key for e in self.edges}
        for lane, refs in self.lane_refs:
            unresolved = []
            for ref in refs:
                node = nodes.get(ref)
                if node is None:
                    unresolved.append(ref)
                else:
                    node.lane = lane.key
            if unresolved:
                lane.extra["refs_unresolved"] = unresolved
                self.warnings.append(
                    f"Lane '{lane.name or lane.key}' lists {len(unresolved)} element(s) that are not "
                    "in the file; the references are kept as they are."
                )
        pools_by_process = {}
        for n in self.nodes:
            if n.kind == "pool":
                ref = ((n.extra.get("bpmn") or {}).get("attrs") or {}).get("processRef")
                if ref:
                    pools_by_process.setdefault(ref, n.key)
        for lane in self.lanes:
            pool = pools_by_process.get(lane.extra.get("process"))
            if pool:
                lane.extra["pool"] = pool
        undrawn = 0
        for e, owner, ref in self.data_assocs:
            end = self._data_end(e, ref, nodes) if owner in nodes else None
            if end is None:
                continue
            if e.extra["bpmn_type"] == "dataInputAssociation":
                e.source = end
            else:
                e.target = end
            e.extra["ends"] = [e.source, e.target]
            self._edge_geometry(e)
        kept: list[Edge] = []
        on_connector = 0
        for e in self.edges:
            if e.source in nodes and e.target in nodes:
                kept.append(e)
                continue
            held = self._keep_as_xml(e, nodes)
            if held and e.extra.get("bpmn_type") in ("dataInputAssociation",
                                                     "dataOutputAssociation"):
                undrawn += 1
                continue
            if held and e.kind == "association" and all(
                    end in nodes or end in edge_keys for end in (e.source, e.target)):
                # (an annotation attached to a connector: a stored connector joins two shapes)
                on_connector += 1
                continue
            missing = next(end for end in (e.source, e.target) if end not in nodes)
            what = ("a connector" if missing in edge_keys
                    else "an element the map does not show" if missing in self.keys
                    else "nothing in the file")
            self.warnings.append(
                f"The connector '{e.label or e.key}' refers to '{missing}', which is {what}; it "
                + ("is kept in the file and written back on export, but not shown on the map."
                   if held else "is left out of the map and of the export.")
            )
        self.edges = kept
        if undrawn:
            self.warnings.append(
                f"{_count(undrawn, 'data association is', 'data associations are')} not shown "
                "on the map: the diagram does not draw the inputs, outputs or data objects "
                f"{'it links' if undrawn == 1 else 'they link'}. "
                f"{'It is' if undrawn == 1 else 'They are'} kept and exported again."
            )
        io_drawn = sum(len(p.get("io_nodes") or []) for p in self.processes)
        if io_drawn:
            self.warnings.append(Note(
                f"{_count(io_drawn, 'process input or output is', 'process inputs and outputs are')}"
                " shown as data input and data output shapes. The BPMN export writes them back "
                "as the process's inputs and outputs."
            ))
        if on_connector:
            self.warnings.append(
                f"{_count(on_connector, 'association joins', 'associations join')} a note or "
                "other artifact to a connector, which the map cannot draw. "
                f"{'It is' if on_connector == 1 else 'They are'} kept and exported again."
            )
        leftover = 0
        for _ref, (idx, order, el) in sorted(self.di.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            self.diagrams[idx]["orphans"].append([order, _ser(el)])
            leftover += 1
        for d in self.diagrams:
            d["orphans"].sort(key=lambda o: o[0])
        if leftover:
            self.warnings.append(
                f"{_count(leftover, 'diagram element belongs', 'diagram elements belong')} to "
                "parts of the model the map does not show. "
                f"{'It is' if leftover == 1 else 'They are'} kept and exported again."
            )

        defs = self.root
        nsmap = [[p or "", uri] for p, uri in defs.nsmap.items()]
        meta: dict[str, Any] = {
            "definitions": {"attrs": dict(defs.attrib), "nsmap": nsmap},
            "root": root_items,
            "processes": self.processes,
            "collaborations": self.collaborations,
            "diagrams": self.diagrams,
        }
        # Pools first: parents before children, and a scene adding items in order draws them below.
        self.nodes.sort(key=lambda n: n.kind != "pool")
        pm = ProcessMap(nodes=self.nodes, edges=self.edges, lanes=self.lanes, extra={"bpmn": meta})
        self._layout_missing(pm)

        name = defs.get("name") or ""
        if not name:
            name = next((n.name for n in self.nodes if n.kind == "pool" and n.name), "")
        if not name:
            name = next((p["attrs"].get("name", "") for p in self.processes
                         if p["attrs"].get("name")), "")
        processes = [(p["id"], p["attrs"].get("name", "")) for p in self.processes]
        return BpmnImport(map=pm, name=name, warnings=self.warnings, processes=processes)

    def _layout_missing(self, pm: ProcessMap) -> None:
        missing = [n for n in self.no_di]
        if not missing:
            return
        layout = layout_map(pm, "LR")
        if len(missing) == len(pm.nodes):
            apply_layout(pm, layout)
            if self.diagrams:
                self.warnings.append(Note(
                    "The diagram does not show any element of the model, so the map was laid "
                    "out automatically. The export draws it with that layout."
                ))
            else:
                self.warnings.append(Note(
                    "The file has no diagram, so the map was laid out automatically. The export "
                    "adds a diagram with that layout."
                ))
            return
        placed = [n for n in pm.nodes if n not in missing and n.kind != "pool"]
        bottom = max((n.y + n.h for n in placed), default=0.0)
        left = min((n.x for n in placed), default=0.0)
        ys = [layout.nodes[n.key][1] for n in missing if n.key in layout.nodes]
        xs = [layout.nodes[n.key][0] for n in missing if n.key in layout.nodes]
        dy = bottom + 80.0 - min(ys, default=0.0)
        dx = left - min(xs, default=0.0)
        for n in missing:
            if n.key in layout.nodes:
                x, y = layout.nodes[n.key]
                n.x, n.y = x + dx, y + dy
            if n.key in layout.sizes:
                n.w, n.h = layout.sizes[n.key]
            # (the export leaves them out of the diagram as long as they stay where they were
            # put: a round trip adds no shape; moving one on the map gives it a shape)
            n.extra["di_absent"] = [n.x, n.y, n.w, n.h]
        self.warnings.append(
            f"{_count(len(missing), 'element has', 'elements have')} no shape in the file's "
            f"diagram. The map shows {'it' if len(missing) == 1 else 'them'} below the drawing; "
            f"the export leaves {'it' if len(missing) == 1 else 'them'} out of the diagram unless "
            f"you move {'it' if len(missing) == 1 else 'them'}."
        )
