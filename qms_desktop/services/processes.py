"""Process use cases: the process list (with SIPOC/turtle fields), maps as data, map edits for
the flowchart editor, validation, automatic layout, BPMN/draw.io interchange.

The database keeps one row per node/edge/lane (``process_node`` …); :func:`load_map` turns them
into the pure :class:`~qms_desktop.core.processmap.ProcessMap` the rules, layout and mappers use.
Node keys are the imported BPMN/draw.io ids; items created in the app get ``<Kind>_<id>`` keys
so exports have stable ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import func, select

from ..core import processmap as pmod
from ..core.processmap import Edge, Lane, Node, ProcessMap
from ..storage import models as m
from ..storage.workspace import Workspace
from .records import Change, Deleted, RecordError, coerce

MAP = frozenset({"process_node", "process_edge", "process_lane"})
PROCESS = frozenset({"process"})
SIPOC_FIELDS = ("suppliers", "inputs", "outputs", "customers", "resources", "kpis")
PROCESS_FIELDS = ("code", "name", "owner_role_id", "purpose", "status") + SIPOC_FIELDS


# --------------------------------------------------------------------------- process list


@dataclass
class ProcessRow:
    id: int
    code: str
    name: str
    owner_role_id: int | None
    owner_role: str
    purpose: str
    status: str
    suppliers: str
    inputs: str
    outputs: str
    customers: str
    resources: str
    kpis: str
    steps: int = 0
    risks: int = 0
    documents: int = 0


def list_processes(ws: Workspace) -> list[ProcessRow]:
    p = m.Process
    steps = (select(m.ProcessNode.process_id.label("pid"), func.count().label("n"))
             .where(m.ProcessNode.kind.in_(("step", "subprocess", "decision")))
             .group_by(m.ProcessNode.process_id).subquery())
    risks = (select(m.Risk.process_id.label("pid"), func.count().label("n"))
             .group_by(m.Risk.process_id).subquery())
    docs = (select(m.Document.process_id.label("pid"), func.count().label("n"))
            .group_by(m.Document.process_id).subquery())
    q = (select(p.id, p.code, p.name, p.owner_role_id, m.Role.name, p.purpose, p.status,
                *[getattr(p, f) for f in SIPOC_FIELDS], steps.c.n, risks.c.n, docs.c.n)
         .outerjoin(m.Role, m.Role.id == p.owner_role_id)
         .outerjoin(steps, steps.c.pid == p.id)
         .outerjoin(risks, risks.c.pid == p.id)
         .outerjoin(docs, docs.c.pid == p.id)
         .order_by(p.code, p.name, p.id))
    out = []
    with ws.connect() as c:
        for rec in c.execute(q):
            *head, n_steps, n_risks, n_docs = rec
            head[4] = head[4] or ""
            out.append(ProcessRow(*head, steps=n_steps or 0, risks=n_risks or 0,
                                  documents=n_docs or 0))
    return out


def get_process(ws: Workspace, pid: int) -> ProcessRow:
    for row in list_processes(ws):
        if row.id == pid:
            return row
    raise RecordError(f"Process {pid} no longer exists.")


def add_process(ws: Workspace, values: dict[str, Any] | None = None) -> tuple[int, Change]:
    values = dict(values or {})
    values.setdefault("name", "New process")
    with ws.session() as s:
        proc = m.Process(**{k: coerce(m.Process, k, v) for k, v in values.items()
                            if k in PROCESS_FIELDS})
        s.add(proc)
        s.flush()
        return proc.id, Change(PROCESS)


def unique_name(ws: Workspace, base: str) -> str:
    with ws.connect() as c:
        names = set(c.execute(select(m.Process.name)).scalars())
    if base not in names:
        return base
    n = 2
    while f"{base} ({n})" in names:
        n += 1
    return f"{base} ({n})"


def duplicate_process(ws: Workspace, pid: int) -> tuple[int, Change]:
    """A copy of the process with its whole map (new ids; imported ids are kept as keys)."""
    src = get_process(ws, pid)
    data = load_map_data(ws, pid)
    values = {f: getattr(src, f) for f in PROCESS_FIELDS}
    values["name"] = unique_name(ws, f"Copy of {src.name}")
    with ws.session() as s:
        proc = m.Process(**values, map_extra=data.extra_json)
        s.add(proc)
        s.flush()
        _write_rows(s, proc.id, data)
        return proc.id, Change(PROCESS | MAP)


# --------------------------------------------------------------------------- map rows


@dataclass
class MapData:
    """A map as database rows (ids) — what the editor shows."""

    process_id: int
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    lanes: list[dict] = field(default_factory=list)
    extra_json: str = ""


def _rows(conn, table, pid):
    result = conn.execute(select(table).where(table.c.process_id == pid).order_by(table.c.id))
    keys = list(result.keys())
    return [dict(zip(keys, r)) for r in result.all()]  # (plain tuples: cheaper than mappings)


def load_map_data(ws: Workspace, pid: int) -> MapData:
    with ws.connect() as c:
        extra = c.execute(select(m.Process.map_extra).where(m.Process.id == pid)).scalar()
        if extra is None:
            raise RecordError(f"Process {pid} no longer exists.")
        return MapData(pid, _rows(c, m.ProcessNode.__table__, pid),
                       _rows(c, m.ProcessEdge.__table__, pid),
                       sorted(_rows(c, m.ProcessLane.__table__, pid),
                              key=lambda r: (r["order"], r["id"])), extra)


def _json(text: str) -> Any:
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return {}


def node_key(row: dict) -> str:
    if row["key"]:
        return row["key"]
    t = pmod.default_bpmn_type(row["kind"])
    return f"{t[0].upper()}{t[1:]}_{row['id']}"


def edge_key(row: dict) -> str:
    return row["key"] or f"Flow_{row['id']}"


def lane_key(row: dict) -> str:
    return row["key"] or f"Lane_{row['id']}"


def to_processmap(data: MapData) -> tuple[ProcessMap, dict[str, int]]:
    """The pure map and a key -> database id index (nodes, edges and lanes share it)."""
    ids: dict[str, int] = {}
    lane_keys = {r["id"]: lane_key(r) for r in data.lanes}
    node_keys = {r["id"]: node_key(r) for r in data.nodes}
    lanes = []
    for r in data.lanes:
        lanes.append(Lane(lane_keys[r["id"]], r["name"], r["x"], r["y"], r["w"], r["h"],
                          r["order"], _json(r["extra"])))
        ids[lane_keys[r["id"]]] = r["id"]
    nodes = []
    for r in data.nodes:
        extra = _json(r["extra"])
        if r["role_id"] is not None:
            extra["role"] = r["role_id"]
        nodes.append(Node(node_keys[r["id"]], r["kind"],
                          r["bpmn_type"] or pmod.default_bpmn_type(r["kind"]), r["name"],
                          r["x"], r["y"], r["w"], r["h"], lane_keys.get(r["lane_id"]),
                          node_keys.get(r["parent_node_id"]), extra))
        ids[node_keys[r["id"]]] = r["id"]
    edges = []
    for r in data.edges:
        wps = [tuple(p) for p in _json(r["waypoints"]) or []] if r["waypoints"] else []
        if r["source_id"] not in node_keys or r["target_id"] not in node_keys:
            continue
        edges.append(Edge(edge_key(r), node_keys[r["source_id"]], node_keys[r["target_id"]],
                          r["kind"], r["label"], r["condition"], wps, _json(r["extra"])))
        ids[edge_key(r)] = r["id"]
    return ProcessMap(nodes, edges, lanes, _json(data.extra_json)), ids


def load_map(ws: Workspace, pid: int) -> tuple[ProcessMap, dict[str, int]]:
    return to_processmap(load_map_data(ws, pid))


def _dump(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, sort_keys=True) if d else ""


def _write_rows(s, pid: int, data: MapData) -> None:
    """Copy MapData rows into process ``pid`` with new ids (used by duplicate)."""
    lane_ids, node_ids = {}, {}
    for r in data.lanes:
        lane = m.ProcessLane(**{k: v for k, v in r.items() if k not in ("id", "process_id")},
                             process_id=pid)
        s.add(lane)
        s.flush()
        lane_ids[r["id"]] = lane.id
    for r in data.nodes:
        vals = {k: v for k, v in r.items() if k not in ("id", "process_id")}
        vals["key"] = node_key(r)
        vals["lane_id"] = lane_ids.get(r["lane_id"])
        vals["parent_node_id"] = None
        node = m.ProcessNode(**vals, process_id=pid)
        s.add(node)
        s.flush()
        node_ids[r["id"]] = node
    for r in data.nodes:
        if r["parent_node_id"] in node_ids:
            node_ids[r["id"]].parent_node_id = node_ids[r["parent_node_id"]].id
    for r in data.edges:
        vals = {k: v for k, v in r.items() if k not in ("id", "process_id")}
        vals["key"] = edge_key(r)
        vals["source_id"] = node_ids[r["source_id"]].id
        vals["target_id"] = node_ids[r["target_id"]].id
        s.add(m.ProcessEdge(**vals, process_id=pid))


def save_map(ws: Workspace, pm: ProcessMap, *, process_id: int | None = None,
             name: str = "Imported process") -> tuple[int, Change]:
    """Store a whole map in one transaction: into a new process, or replacing the map of
    ``process_id``. All or nothing."""
    with ws.session() as s:
        if process_id is None:
            proc = m.Process(name=name, map_extra=_dump(pm.extra))
            s.add(proc)
            s.flush()
        else:
            proc = s.get(m.Process, process_id)
            if proc is None:
                raise RecordError(f"Process {process_id} no longer exists.")
            for model in (m.ProcessEdge, m.ProcessNode, m.ProcessLane):
                for obj in s.scalars(select(model).where(model.process_id == proc.id)):
                    s.delete(obj)
            s.flush()
            proc.map_extra = _dump(pm.extra)
        roles = {r.name.casefold(): r.id for r in s.scalars(select(m.Role))}
        lane_ids: dict[str, int] = {}
        for lane in pm.lanes:
            row = m.ProcessLane(process_id=proc.id, key=lane.key, name=lane.name, x=lane.x,
                                y=lane.y, w=lane.w, h=lane.h, order=lane.order,
                                extra=_dump(lane.extra),
                                role_id=roles.get((lane.name or "").strip().casefold()))
            s.add(row)
            s.flush()
            lane_ids[lane.key] = row.id
        node_rows: dict[str, m.ProcessNode] = {}
        for n in pm.nodes:
            extra = dict(n.extra)
            role = extra.pop("role", None)
            row = m.ProcessNode(process_id=proc.id, key=n.key, kind=n.kind,
                                bpmn_type=n.bpmn_type, name=n.name, x=n.x, y=n.y, w=n.w, h=n.h,
                                lane_id=lane_ids.get(n.lane) if n.lane else None,
                                role_id=role if isinstance(role, int) else None,
                                extra=_dump(extra))
            s.add(row)
            node_rows[n.key] = row
        s.flush()
        for n in pm.nodes:
            if n.parent and n.parent in node_rows:
                node_rows[n.key].parent_node_id = node_rows[n.parent].id
            if node_rows[n.key].role_id is None and n.lane in lane_ids:
                lane_row = s.get(m.ProcessLane, lane_ids[n.lane])
                node_rows[n.key].role_id = lane_row.role_id
        for e in pm.edges:
            if e.source not in node_rows or e.target not in node_rows:
                continue
            s.add(m.ProcessEdge(process_id=proc.id, key=e.key, kind=e.kind,
                                source_id=node_rows[e.source].id,
                                target_id=node_rows[e.target].id, label=e.label,
                                condition=e.condition,
                                waypoints=json.dumps([list(p) for p in e.waypoints])
                                if e.waypoints else "",
                                extra=_dump(e.extra)))
        return proc.id, Change(PROCESS | MAP)


# --------------------------------------------------------------------------- editor operations


def add_node(ws: Workspace, pid: int, kind: str, x: float, y: float, *, name: str = "",
             lane_id: int | None = None, w: float | None = None, h: float | None = None
             ) -> tuple[int, Change]:
    if kind not in pmod.NODE_KINDS:
        raise RecordError(f"“{kind}” is not a kind of map element.")
    dw, dh = pmod.DEFAULT_SIZES[kind]
    with ws.session() as s:
        role_id = None
        if lane_id is not None:
            lane = s.get(m.ProcessLane, lane_id)
            role_id = lane.role_id if lane else None
        node = m.ProcessNode(process_id=pid, kind=kind, bpmn_type=pmod.default_bpmn_type(kind),
                             name=name, x=x, y=y, w=w or dw, h=h or dh, lane_id=lane_id,
                             role_id=role_id)
        s.add(node)
        s.flush()
        return node.id, Change(frozenset({"process_node"}))


def add_edge(ws: Workspace, pid: int, source_id: int, target_id: int, *, label: str = "",
             kind: str = "sequence") -> tuple[int, Change]:
    if source_id == target_id:
        raise RecordError("A connector needs two different shapes.")
    with ws.session() as s:
        for nid in (source_id, target_id):
            node = s.get(m.ProcessNode, nid)
            if node is None or node.process_id != pid:
                raise RecordError("A connector can only join shapes of the same map.")
        e = m.ProcessEdge(process_id=pid, source_id=source_id, target_id=target_id,
                          label=label, kind=kind)
        s.add(e)
        s.flush()
        return e.id, Change(frozenset({"process_edge"}))


def positions(ws: Workspace, node_ids: Iterable[int]) -> dict[int, tuple[float, float]]:
    ids = list(node_ids)
    with ws.connect() as c:
        return {i: (x, y) for i, x, y in c.execute(
            select(m.ProcessNode.id, m.ProcessNode.x, m.ProcessNode.y)
            .where(m.ProcessNode.id.in_(ids)))}


def move_nodes(ws: Workspace, moves: dict[int, tuple[float, float]],
               lanes: dict[int, int | None] | None = None) -> Change:
    """Move nodes (and optionally change their lane, which changes their responsible role)
    in one transaction. Waypoints of the connectors touching them are re-routed by the view."""
    lanes = lanes or {}
    with ws.session() as s:
        for nid, (x, y) in moves.items():
            node = s.get(m.ProcessNode, nid)
            if node is None:
                raise RecordError(f"Map element {nid} no longer exists.")
            node.x, node.y = float(x), float(y)
        for nid, lane_id in lanes.items():
            node = s.get(m.ProcessNode, nid)
            if node is None:
                continue
            node.lane_id = lane_id
            lane = s.get(m.ProcessLane, lane_id) if lane_id else None
            if lane is not None and lane.role_id is not None:
                node.role_id = lane.role_id
        if moves:
            ids = list(moves)
            for e in s.scalars(select(m.ProcessEdge).where(
                    (m.ProcessEdge.source_id.in_(ids)) | (m.ProcessEdge.target_id.in_(ids)))):
                e.waypoints = ""  # stale bends: the view routes it again
    return Change(frozenset({"process_node", "process_edge"}))


def node_lanes(ws: Workspace, node_ids: Iterable[int]) -> dict[int, int | None]:
    with ws.connect() as c:
        return {i: lane for i, lane in c.execute(
            select(m.ProcessNode.id, m.ProcessNode.lane_id)
            .where(m.ProcessNode.id.in_(list(node_ids))))}


def delete_items(ws: Workspace, node_ids: Iterable[int] = (), edge_ids: Iterable[int] = (),
                 lane_ids: Iterable[int] = ()) -> Deleted:
    """Delete map items in one transaction; connectors of deleted nodes go with them.
    ``records.restore(ws, result)`` undoes it exactly."""
    with ws.session() as s:
        for model, ids in ((m.ProcessEdge, edge_ids), (m.ProcessNode, node_ids),
                           (m.ProcessLane, lane_ids)):
            for i in ids:
                obj = s.get(model, i)
                if obj is not None:
                    s.delete(obj)
        s.flush()
        return Deleted(list(s.info.pop("deleted_records", [])),
                       list(s.info.pop("cleared_refs", [])))


def paste_items(ws: Workspace, pid: int, nodes: list[dict], edges: list[dict],
                dx: float = 20.0, dy: float = 20.0) -> tuple[list[int], list[int], Change]:
    """Copies of node rows (and the edges among them), offset by (dx, dy), in one transaction."""
    keep = ("kind", "bpmn_type", "name", "description", "role_id", "duration_minutes",
            "w", "h", "lane_id")
    with ws.session() as s:
        new_ids: dict[int, int] = {}
        for r in nodes:
            lane_id = r.get("lane_id")
            if lane_id is not None:
                lane = s.get(m.ProcessLane, lane_id)
                if lane is None or lane.process_id != pid:
                    lane_id = None
            vals = {k: r[k] for k in keep if k in r}
            vals["lane_id"] = lane_id
            node = m.ProcessNode(process_id=pid, x=r["x"] + dx, y=r["y"] + dy, **vals)
            s.add(node)
            s.flush()
            new_ids[r["id"]] = node.id
        edge_ids = []
        for e in edges:
            if e["source_id"] in new_ids and e["target_id"] in new_ids:
                row = m.ProcessEdge(process_id=pid, source_id=new_ids[e["source_id"]],
                                    target_id=new_ids[e["target_id"]], kind=e.get("kind", "sequence"),
                                    label=e.get("label", ""), condition=e.get("condition", ""))
                s.add(row)
                s.flush()
                edge_ids.append(row.id)
        return list(new_ids.values()), edge_ids, Change(MAP)


def add_lane(ws: Workspace, pid: int, name: str, role_id: int | None = None) -> tuple[int, Change]:
    with ws.session() as s:
        lanes = list(s.scalars(select(m.ProcessLane).where(m.ProcessLane.process_id == pid)))
        order = max((ln.order for ln in lanes), default=-1) + 1
        y = max((ln.y + ln.h for ln in lanes), default=0.0)
        x = min((ln.x for ln in lanes), default=0.0)
        w = max((ln.w for ln in lanes), default=1200.0)
        lane = m.ProcessLane(process_id=pid, name=name, role_id=role_id, order=order,
                             x=x, y=y, w=w, h=160.0)
        s.add(lane)
        s.flush()
        return lane.id, Change(frozenset({"process_lane"}))


# --------------------------------------------------------------------------- rules, layout


@dataclass
class MapIssue:
    code: str
    message: str
    node_id: int | None
    edge_id: int | None
    severity: str


def validate_map(ws: Workspace, pid: int) -> list[MapIssue]:
    pm, ids = load_map(ws, pid)

    def has_role(node: Node) -> bool:
        return node.extra.get("role") is not None

    issues = pmod.validate(pm, roles=has_role)
    return [MapIssue(i.code, i.message, ids.get(i.node) if i.node else None,
                     ids.get(i.edge) if i.edge else None, i.severity) for i in issues]


def layout(ws: Workspace, pid: int, direction: str = "LR") -> tuple[dict, Change]:
    """Apply automatic layout; returns the previous geometry (for undo) and the change."""
    pm, ids = load_map(ws, pid)
    result = pmod.layout_map(pm, direction)
    before = snapshot_geometry(ws, pid)
    with ws.session() as s:
        for key, (x, y) in result.nodes.items():
            node = s.get(m.ProcessNode, ids[key])
            node.x, node.y = float(x), float(y)
            if key in result.sizes:
                node.w, node.h = result.sizes[key]
        for key, (x, y, w, h) in result.lanes.items():
            lane = s.get(m.ProcessLane, ids[key])
            lane.x, lane.y, lane.w, lane.h = x, y, w, h
        for key, pts in result.edges.items():
            edge = s.get(m.ProcessEdge, ids[key])
            edge.waypoints = json.dumps([list(p) for p in pts])
    return before, Change(MAP)


def snapshot_geometry(ws: Workspace, pid: int) -> dict:
    data = load_map_data(ws, pid)
    return {
        "nodes": {r["id"]: (r["x"], r["y"], r["w"], r["h"]) for r in data.nodes},
        "lanes": {r["id"]: (r["x"], r["y"], r["w"], r["h"]) for r in data.lanes},
        "edges": {r["id"]: r["waypoints"] for r in data.edges},
    }


def restore_geometry(ws: Workspace, snap: dict) -> Change:
    with ws.session() as s:
        for model, rows in ((m.ProcessNode, snap["nodes"]), (m.ProcessLane, snap["lanes"])):
            for i, (x, y, w, h) in rows.items():
                obj = s.get(model, i)
                if obj is not None:
                    obj.x, obj.y, obj.w, obj.h = x, y, w, h
        for i, wps in snap["edges"].items():
            obj = s.get(m.ProcessEdge, i)
            if obj is not None:
                obj.waypoints = wps
    return Change(MAP)


# --------------------------------------------------------------------------- step links


@dataclass
class StepLinks:
    documents: list[tuple[int, str]]  # (document id, "number title")
    records: list[tuple[int, str]]
    risks: list[tuple[int, str]]
    objectives: list[tuple[int, str]]


def step_links(ws: Workspace, node_id: int) -> StepLinks:
    nd, d = m.NodeDocument, m.Document
    with ws.connect() as c:
        docs = c.execute(select(d.id, d.number, d.title, nd.kind)
                         .join(nd, nd.document_id == d.id).where(nd.node_id == node_id)
                         .order_by(d.number)).all()
        risks = c.execute(select(m.Risk.id, m.Risk.ref, m.Risk.title)
                          .where(m.Risk.node_id == node_id).order_by(m.Risk.ref)).all()
        objs = c.execute(select(m.Objective.id, m.Objective.ref, m.Objective.title)
                         .join(m.NodeObjective, m.NodeObjective.objective_id == m.Objective.id)
                         .where(m.NodeObjective.node_id == node_id)).all()
    label = lambda a, b: f"{a} {b}".strip()  # noqa: E731
    return StepLinks(
        [(i, label(n, t)) for i, n, t, k in docs if k == "document"],
        [(i, label(n, t)) for i, n, t, k in docs if k == "record"],
        [(i, label(r, t)) for i, r, t in risks],
        [(i, label(r, t)) for i, r, t in objs])


def link_choices(ws: Workspace) -> dict[str, list[tuple[int, str]]]:
    with ws.connect() as c:
        docs = [(i, f"{n} {t}".strip()) for i, n, t in c.execute(
            select(m.Document.id, m.Document.number, m.Document.title).order_by(m.Document.number))]
        risks = [(i, f"{r} {t}".strip()) for i, r, t in c.execute(
            select(m.Risk.id, m.Risk.ref, m.Risk.title).order_by(m.Risk.ref))]
        objs = [(i, f"{r} {t}".strip()) for i, r, t in c.execute(
            select(m.Objective.id, m.Objective.ref, m.Objective.title))]
        roles = [(i, n) for i, n in c.execute(select(m.Role.id, m.Role.name).order_by(m.Role.name))]
    return {"documents": docs, "records": docs, "risks": risks, "objectives": objs,
            "roles": roles}


def set_link(ws: Workspace, node_id: int, kind: str, target_id: int, linked: bool) -> Change:
    """Link or unlink a step to a document/record/risk/objective."""
    with ws.session() as s:
        node = s.get(m.ProcessNode, node_id)
        if node is None:
            raise RecordError(f"Map element {node_id} no longer exists.")
        if kind in ("document", "record"):
            row = s.scalars(select(m.NodeDocument).where(
                m.NodeDocument.node_id == node_id, m.NodeDocument.document_id == target_id,
                m.NodeDocument.kind == kind)).first()
            if linked and row is None:
                s.add(m.NodeDocument(node_id=node_id, document_id=target_id, kind=kind))
            elif not linked and row is not None:
                s.delete(row)
            return Change(frozenset({"node_document"}))
        if kind == "risk":
            risk = s.get(m.Risk, target_id)
            if risk is None:
                raise RecordError(f"Risk {target_id} no longer exists.")
            if linked:
                risk.node_id, risk.process_id = node_id, node.process_id
            elif risk.node_id == node_id:
                risk.node_id = None
            return Change(frozenset({"risk"}))
        if kind == "objective":
            row = s.scalars(select(m.NodeObjective).where(
                m.NodeObjective.node_id == node_id,
                m.NodeObjective.objective_id == target_id)).first()
            if linked and row is None:
                s.add(m.NodeObjective(node_id=node_id, objective_id=target_id))
            elif not linked and row is not None:
                s.delete(row)
            return Change(frozenset({"node_objective"}))
    raise RecordError(f"“{kind}” cannot be linked to a step.")


# --------------------------------------------------------------------------- interchange


def process_id_by_ref(ws: Workspace, ref: str) -> int:
    """A process by id, exact name or code (CLI arguments)."""
    with ws.connect() as c:
        if ref.isdigit():
            got = c.execute(select(m.Process.id).where(m.Process.id == int(ref))).scalar()
            if got:
                return got
        got = c.execute(select(m.Process.id).where(
            (m.Process.name == ref) | (m.Process.code == ref))).scalars().all()
        if not got:  # forgiving about case and spaces
            want = " ".join(ref.split()).casefold()
            got = [i for i, n, code in c.execute(
                select(m.Process.id, m.Process.name, m.Process.code))
                if " ".join(n.split()).casefold() == want or (code or "").casefold() == want]
    if len(got) == 1:
        return got[0]
    if len(got) > 1:
        raise RecordError(f"Several processes are called “{ref}”; give its id instead.")
    raise RecordError(f"There is no process “{ref}” (give an id, an exact name or a code).")


@dataclass
class MapImport:
    process_id: int
    name: str
    nodes: int
    edges: int
    lanes: int
    warnings: list[str]


def _read_file(path, what: str) -> bytes:
    from pathlib import Path

    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise RecordError(f"The {what} “{p.name}” does not exist.") from None
    except IsADirectoryError:
        raise RecordError(f"“{p.name}” is a folder, not a {what}.") from None
    except OSError as e:
        raise RecordError(f"The {what} “{p.name}” cannot be read ({e.strerror}).") from None


def import_map_file(ws: Workspace, path, fmt: str, *, name: str | None = None) -> MapImport:
    """Import a BPMN 2.0 or draw.io file as a new process, all or nothing."""
    from pathlib import Path

    data = _read_file(path, "BPMN file" if fmt == "bpmn" else "draw.io file")
    if fmt == "bpmn":
        from .imports.bpmn import read_bpmn

        got = read_bpmn(data)
    elif fmt == "drawio":
        from .imports.drawio import read_drawio

        got = read_drawio(data)
    else:
        raise ValueError(f"unknown map format {fmt!r}")
    title = name or got.name or Path(path).stem
    pid, _ = save_map(ws, got.map, name=unique_name(ws, title))
    pm = got.map
    return MapImport(pid, title, len(pm.nodes), len(pm.edges), len(pm.lanes), list(got.warnings))


def export_bpmn_file(ws: Workspace, pid: int, path) -> "Path":
    from pathlib import Path

    from .exports.bpmn import write_bpmn

    pm, _ids = load_map(ws, pid)
    data = write_bpmn(pm, name=get_process(ws, pid).name)
    out = Path(path)
    tmp = out.with_name(f".{out.name}.part")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise RecordError(f"“{out}” could not be written ({e.strerror}).") from None
    return out
