"""Process use cases: the process list (with SIPOC/turtle fields), maps as data, map edits for
the flowchart editor, validation, automatic layout, BPMN/draw.io interchange.

The database keeps one row per node/edge/lane (``process_node`` …); :func:`load_map` turns them
into the pure :class:`~qms_desktop.core.processmap.ProcessMap` the rules, layout and mappers use.
Node keys are the imported BPMN/draw.io ids; items created in the app get ``<Kind>_<id>`` keys
so exports have stable ids. Those keys let a file edited in a modeller update the process it came
from (:func:`merge_map`, :func:`update_map_from_file`): matched rows keep their ids, links and
Workbench-only fields. Undo and redo of every edit here come from the transaction's change set
(``records.invert`` / ``reapply``), so nothing here snapshots or restores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import func, select

from ..core import processmap as pmod
from ..core.mapedit import label_extra
from ..core.processmap import Edge, Lane, Node, ProcessMap
from ..storage import models as m
from ..storage.workspace import Workspace
from .records import Change, RecordError, coerce

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


def add_process(ws: Workspace, values: dict[str, Any] | None = None) -> Change:
    """A new process; ``result`` is its id."""
    values = dict(values or {})
    values.setdefault("name", "New process")
    with ws.session() as s:
        proc = m.Process(**{k: coerce(m.Process, k, v) for k, v in values.items()
                            if k in PROCESS_FIELDS})
        s.add(proc)
        s.flush()
    return Change.of(s, result=proc.id)


def unique_name(ws: Workspace, base: str) -> str:
    with ws.connect() as c:
        names = set(c.execute(select(m.Process.name)).scalars())
    if base not in names:
        return base
    n = 2
    while f"{base} ({n})" in names:
        n += 1
    return f"{base} ({n})"


def duplicate_process(ws: Workspace, pid: int) -> Change:
    """A copy of the process with its whole map (new ids; imported ids are kept as keys);
    ``result`` is the copy's id."""
    src = get_process(ws, pid)
    data = load_map_data(ws, pid)
    values = {f: getattr(src, f) for f in PROCESS_FIELDS}
    values["name"] = unique_name(ws, f"Copy of {src.name}")
    with ws.session() as s:
        proc = m.Process(**values, map_extra=data.extra_json)
        s.add(proc)
        s.flush()
        _write_rows(s, proc.id, data)
    return Change.of(s, result=proc.id)


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
        nodes = _rows(c, m.ProcessNode.__table__, pid)
        for r in nodes:
            if r["kind"] == "pool" and (r["w"], r["h"]) == pmod.DEFAULT_SIZES["pool"] \
                    and pmod.hidden_in_file("pool", r["x"], r["y"], r["w"], r["h"],
                                            _json(r["extra"])):
                # a hidden pool (0×0 in its file) that an earlier version stored at the default
                # size when it reloaded the map: it keeps the file's size, and is not drawn
                r["w"] = r["h"] = 0.0
        return MapData(pid, nodes,
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
             name: str = "Imported process") -> Change:
    """Store a whole map in one transaction: into a new process, or replacing the map of
    ``process_id``. All or nothing; ``result`` is the process id."""
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
    return Change.of(s, result=proc.id)


# --------------------------------------------------------------------------- editor operations


def add_node(ws: Workspace, pid: int, kind: str, x: float, y: float, *, name: str = "",
             lane_id: int | None = None, w: float | None = None, h: float | None = None
             ) -> Change:
    """A new shape; ``result`` is its id."""
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
    return Change.of(s, result=node.id)


def add_edge(ws: Workspace, pid: int, source_id: int, target_id: int, *, label: str = "",
             kind: str = "sequence") -> Change:
    """A new connector; ``result`` is its id."""
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
    return Change.of(s, result=e.id)


def positions(ws: Workspace, node_ids: Iterable[int]) -> dict[int, tuple[float, float]]:
    ids = list(node_ids)
    with ws.connect() as c:
        return {i: (x, y) for i, x, y in c.execute(
            select(m.ProcessNode.id, m.ProcessNode.x, m.ProcessNode.y)
            .where(m.ProcessNode.id.in_(ids)))}


#: ids per ``IN (...)`` when rows are loaded in bulk (well below SQLite's variable limit)
_CHUNK = 500


def load_rows(s, model, ids: Iterable[int]) -> dict[int, Any]:
    """The ORM rows of ``model`` with these ids, by id, in a few bulk SELECTs (one per
    :data:`_CHUNK` ids) instead of one ``get`` (and one autoflush) per row; missing ids are
    absent. Rows already in the session are reused."""
    want = sorted({i for i in ids if i is not None})
    got: dict[int, Any] = {}
    with s.no_autoflush:
        for i in range(0, len(want), _CHUNK):
            chunk = want[i:i + _CHUNK]
            for obj in s.scalars(select(model).where(model.id.in_(chunk))):
                got[obj.id] = obj
    return got


def touching_edges(s, node_ids: list[int]) -> list[Any]:
    """The connectors that start or end at one of ``node_ids`` (bulk, in chunks)."""
    found: dict[int, Any] = {}
    e = m.ProcessEdge
    with s.no_autoflush:
        for i in range(0, len(node_ids), _CHUNK):
            chunk = node_ids[i:i + _CHUNK]
            for obj in s.scalars(select(e).where(e.source_id.in_(chunk)
                                                 | e.target_id.in_(chunk))):
                found[obj.id] = obj
    return list(found.values())


def move_nodes(ws: Workspace, moves: dict[int, tuple[float, float]],
               lanes: dict[int, int | None] | None = None,
               waypoints: dict[int, str] | None = None) -> Change:
    """Move nodes (and optionally change their lane, which changes their responsible role)
    in one transaction. The connectors touching them get the bends in ``waypoints`` (routes
    drawn by hand that follow the move) or lose their stored bends (the view routes them)."""
    lanes = lanes or {}
    waypoints = waypoints or {}
    with ws.session() as s:
        nodes = load_rows(s, m.ProcessNode, [*moves, *lanes])
        lane_rows = load_rows(s, m.ProcessLane, [lid for lid in lanes.values() if lid])
        with s.no_autoflush:
            for nid, (x, y) in moves.items():
                node = nodes.get(nid)
                if node is None:
                    raise RecordError(f"Map element {nid} no longer exists.")
                moved = label_extra(node.extra or "", (node.x, node.y, node.w, node.h),
                                    (float(x), float(y), node.w, node.h))
                node.x, node.y = float(x), float(y)
                if moved is not None:  # (a label beside the shape goes with it)
                    node.extra = moved
            for nid, lane_id in lanes.items():
                node = nodes.get(nid)
                if node is None:
                    continue
                node.lane_id = lane_id
                lane = lane_rows.get(lane_id) if lane_id else None
                if lane is not None and lane.role_id is not None:
                    node.role_id = lane.role_id
            for e in touching_edges(s, list(moves)):
                e.waypoints = waypoints.get(e.id, "")  # (else stale: the view routes it again)
    return Change.of(s)


def node_lanes(ws: Workspace, node_ids: Iterable[int]) -> dict[int, int | None]:
    with ws.connect() as c:
        return {i: lane for i, lane in c.execute(
            select(m.ProcessNode.id, m.ProcessNode.lane_id)
            .where(m.ProcessNode.id.in_(list(node_ids))))}


def delete_items(ws: Workspace, node_ids: Iterable[int] = (), edge_ids: Iterable[int] = (),
                 lane_ids: Iterable[int] = ()) -> Change:
    """Delete map items in one transaction; connectors of deleted nodes go with them."""
    with ws.session() as s:
        for model, ids in ((m.ProcessEdge, edge_ids), (m.ProcessNode, node_ids),
                           (m.ProcessLane, lane_ids)):
            for i in ids:
                obj = s.get(model, i)
                if obj is not None:
                    s.delete(obj)
    return Change.of(s)


def paste_items(ws: Workspace, pid: int, nodes: list[dict], edges: list[dict],
                dx: float = 20.0, dy: float = 20.0) -> Change:
    """Copies of node rows (and the edges among them), offset by (dx, dy), in one transaction;
    ``result`` is (new node ids, new edge ids)."""
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
    return Change.of(s, result=(list(new_ids.values()), edge_ids))


def add_lane(ws: Workspace, pid: int, name: str, role_id: int | None = None) -> Change:
    """A new lane below the others; ``result`` is its id."""
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
    return Change.of(s, result=lane.id)


def set_lane_role(ws: Workspace, lane_id: int, role_id: int | None) -> Change:
    """Give a lane a role; the shapes in it that had the lane's old role (or none) take the new
    one — the lane says who does the work in it. One transaction."""
    with ws.session() as s:
        lane = s.get(m.ProcessLane, lane_id)
        if lane is None:
            raise RecordError(f"Lane {lane_id} no longer exists.")
        old = lane.role_id
        lane.role_id = coerce(m.ProcessLane, "role_id", role_id)
        for node in s.scalars(select(m.ProcessNode).where(m.ProcessNode.lane_id == lane_id)):
            if node.role_id in (old, None):
                node.role_id = lane.role_id
    return Change.of(s)


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


def layout(ws: Workspace, pid: int, direction: str = "LR") -> Change:
    """Apply automatic layout to the map of ``pid`` in one transaction."""
    pm, ids = load_map(ws, pid)
    result = pmod.layout_map(pm, direction)
    with ws.session() as s:
        nodes = load_rows(s, m.ProcessNode, [ids[k] for k in result.nodes])
        lanes = load_rows(s, m.ProcessLane, [ids[k] for k in result.lanes])
        edges = load_rows(s, m.ProcessEdge, [ids[k] for k in result.edges])
        for key, (x, y) in result.nodes.items():
            node = nodes[ids[key]]
            node.x, node.y = float(x), float(y)
            if key in result.sizes:
                node.w, node.h = result.sizes[key]
        for key, (x, y, w, h) in result.lanes.items():
            lane = lanes[ids[key]]
            lane.x, lane.y, lane.w, lane.h = x, y, w, h
        for key, pts in result.edges.items():
            edge = edges[ids[key]]
            edge.waypoints = json.dumps([list(p) for p in pts])
    return Change.of(s)


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
        elif kind == "risk":
            risk = s.get(m.Risk, target_id)
            if risk is None:
                raise RecordError(f"Risk {target_id} no longer exists.")
            if linked:
                risk.node_id, risk.process_id = node_id, node.process_id
            elif risk.node_id == node_id:
                risk.node_id = None
        elif kind == "objective":
            row = s.scalars(select(m.NodeObjective).where(
                m.NodeObjective.node_id == node_id,
                m.NodeObjective.objective_id == target_id)).first()
            if linked and row is None:
                s.add(m.NodeObjective(node_id=node_id, objective_id=target_id))
            elif not linked and row is not None:
                s.delete(row)
        else:
            raise RecordError(f"“{kind}” cannot be linked to a step.")
    return Change.of(s)


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


def _read_file(path, what: str, limit: int | None = None) -> bytes:
    """The file's bytes for an import — never more than the XML limit (a bigger file is refused
    before it is read whole) — or its first ``limit`` bytes."""
    from pathlib import Path

    from .xmlsafe import UnsafeXmlError, read_xml_file

    p = Path(path)
    try:
        if limit is not None:
            with open(p, "rb") as handle:
                return handle.read(limit)
        return read_xml_file(p, what=f"{what} “{p.name}”")
    except UnsafeXmlError as e:
        raise RecordError(str(e)) from None
    except FileNotFoundError:
        raise RecordError(f"The {what} “{p.name}” does not exist.") from None
    except IsADirectoryError:
        raise RecordError(f"“{p.name}” is a folder, not a {what}.") from None
    except OSError as e:
        raise RecordError(f"The {what} “{p.name}” cannot be read ({e.strerror}).") from None


@dataclass
class MapFile:
    """A map read from a BPMN or draw.io file (nothing stored yet)."""

    map: ProcessMap
    name: str
    warnings: list[str]
    fmt: str


MAP_FORMATS = ("bpmn", "drawio")


def _what(fmt: str) -> str:
    return "BPMN file" if fmt == "bpmn" else "draw.io file"


def parse_map(data: bytes, fmt: str, *, fallback_name: str = "",
              page: int | str | None = None) -> MapFile:
    """Read the bytes of a BPMN 2.0 (``fmt="bpmn"``) or draw.io (``"drawio"``) file; ``page``
    (draw.io only) is a page's index from 0, its name, or its number from 1 as text. The
    readers' errors are ``ValueError`` subclasses with a one-sentence message."""
    if fmt == "bpmn":
        from .imports.bpmn import read_bpmn

        got = read_bpmn(data)
    elif fmt == "drawio":
        from .imports.drawio import read_drawio

        got = read_drawio(data, page=page)
    else:
        raise ValueError(f"“{fmt}” is not a process map format; use bpmn or drawio.")
    return MapFile(got.map, got.name or fallback_name, list(got.warnings), fmt)


def read_map(path, fmt: str, *, page: int | str | None = None) -> MapFile:
    """:func:`parse_map` of a file; a missing or unreadable file is a :class:`RecordError`."""
    from pathlib import Path

    if fmt not in MAP_FORMATS:
        raise ValueError(f"“{fmt}” is not a process map format; use bpmn or drawio.")
    data = _read_file(path, _what(fmt))
    return parse_map(data, fmt, fallback_name=Path(path).stem, page=page)


def guess_map_format(path, data: bytes | None = None) -> str:
    """``"bpmn"`` or ``"drawio"`` from the file name, else from the first bytes."""
    from pathlib import Path

    suffix = Path(path).suffix.lower()
    if suffix in (".drawio", ".dio"):
        return "drawio"
    if suffix in (".bpmn", ".bpmn2"):
        return "bpmn"
    head = data[:4096] if data is not None else _read_file(path, "process map file", 4096)
    return "drawio" if b"<mxfile" in head or b"<mxGraphModel" in head else "bpmn"


def import_map_file(ws: Workspace, path, fmt: str, *, name: str | None = None,
                    page: int | str | None = None) -> Change:
    """Import a BPMN 2.0 or draw.io file (``page``: which draw.io page) as a new process, all
    or nothing; ``result`` is a :class:`MapImport`."""
    got = read_map(path, fmt, page=page)
    title = unique_name(ws, name or got.name)
    change = save_map(ws, got.map, name=title)
    pm = got.map
    return change.with_result(MapImport(change.result, title, len(pm.nodes), len(pm.edges),
                                        len(pm.lanes), list(got.warnings)))


# --------------------------------------------------------------------------- update from a file
#
# Re-importing a file into the process it came from: rows are matched by their interchange key
# (node_key / edge_key / lane_key: the BPMN id or draw.io cell id, or the ``Task_12`` style id
# Workbench exports for shapes drawn in the app). Matched rows are updated in place, so their
# id, their links (documents, records, risks, KPIs) and the Workbench-only fields (description,
# role, duration, linked sub-process) stay. Rows the file no longer has are deleted with their
# links (the delete rules, audited); rows drawn in Workbench that the file never had (no stored
# key) are kept.

MAP_ENTITIES = ("node", "edge", "lane")
_ENTITY_MODEL = {"node": m.ProcessNode, "edge": m.ProcessEdge, "lane": m.ProcessLane}
_KEY_OF = {"node": node_key, "edge": edge_key, "lane": lane_key}
#: fields a file sets (the rest of a row is Workbench's: description, role, duration, ...)
_FILE_FIELDS = {
    "lane": ("name", "x", "y", "w", "h", "order", "extra"),
    "node": ("kind", "bpmn_type", "name", "x", "y", "w", "h", "lane_id", "parent_node_id",
             "extra"),
    "edge": ("kind", "source_id", "target_id", "label", "condition", "waypoints", "extra"),
}
_LINK_LABELS = {"documents": "document", "records": "record", "risks": "risk",
                "objectives": "KPI"}
#: the words a change report uses for the stored fields a file changes (``extra``: the ids,
#: order and drawing details the file keeps for its elements)
FIELD_LABELS = {"name": "name", "x": "position", "y": "position", "w": "size", "h": "size",
                "lane_id": "lane", "parent_node_id": "container", "kind": "type",
                "bpmn_type": "type", "extra": "layout details", "role_id": "role",
                "source_id": "source", "target_id": "target", "label": "label",
                "condition": "condition", "waypoints": "route", "order": "order"}


def import_remarks_headline(remarks: Iterable[str]) -> str:
    """One sentence saying how a map import went, built from the importer's remarks (notes
    only inform; warnings say something was left out, guessed or changed)."""
    from .imports.bpmn import is_note

    remarks = list(remarks)
    notes = sum(1 for r in remarks if is_note(r))
    warns = len(remarks) - notes
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in (
        (warns, "warning", "warnings"), (notes, "note", "notes")) if n]
    if not parts:
        return "The map was imported."
    return f"The map was imported with {' and '.join(parts)}."


def remark_prefix(remark: str) -> str:
    """How the command line labels an importer remark: ``note:`` or ``warning:``."""
    from .imports.bpmn import is_note

    return "note:" if is_note(remark) else "warning:"


def fields_text(fields: Iterable[str], labels: dict[str, str] | None = None) -> str:
    """The changed fields of a report item in user words (``name, layout details``), each
    word once; ``labels`` (e.g. translated) override :data:`FIELD_LABELS`."""
    labels = {**FIELD_LABELS, **(labels or {})}
    out: list[str] = []
    for f in fields:
        label = labels.get(f) or f.removesuffix("_id").replace("_", " ")
        if label not in out:
            out.append(label)
    return ", ".join(out)


@dataclass
class ItemCounts:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept: int = 0  # drawn in Workbench, not in the file: kept

    def text(self, what: str) -> str:
        parts = [f"{n} {label}" for n, label in (
            (self.added, "added"), (self.updated, "updated"), (self.removed, "removed"),
            (self.unchanged, "unchanged"), (self.kept, "kept (not in the file)")) if n]
        return f"{what}: " + (", ".join(parts) if parts else "none")


@dataclass
class MapItemChange:
    """What an update does to one shape, connector or lane."""

    action: str  # "added" | "updated" | "removed" | "unchanged" | "kept"
    entity: str  # "node" | "edge" | "lane"
    key: str
    name: str
    kind: str = ""
    id: int | None = None  # database id (None until an added row is written)
    #: matched rows: the stored fields the file changes ("unchanged" rows may list "extra",
    #: the file's bookkeeping, which is stored without changing what the map shows)
    fields: list[str] = field(default_factory=list)
    links: dict[str, int] = field(default_factory=dict)  # "removed" nodes: what goes with them

    def links_text(self) -> str:
        return ", ".join(f"{n} {_LINK_LABELS[k]}{'s' if n > 1 else ''}"
                         for k, n in self.links.items() if n)


@dataclass
class MapUpdateReport:
    """What updating a process from a file does (``dry_run``) or did."""

    process_id: int
    process_name: str
    source_name: str
    dry_run: bool
    items: list[MapItemChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    map_extra_changed: bool = False
    #: rows drawn in Workbench that the file knows by their exported id (``Task_12``): the
    #: update stores that id as their key (a write, though the map looks the same)
    keys_adopted: int = 0

    def counts(self, entity: str) -> ItemCounts:
        c = ItemCounts()
        for it in self.items:
            if it.entity == entity:
                setattr(c, it.action, getattr(c, it.action) + 1)
        return c

    @property
    def nodes(self) -> ItemCounts:
        return self.counts("node")

    @property
    def edges(self) -> ItemCounts:
        return self.counts("edge")

    @property
    def lanes(self) -> ItemCounts:
        return self.counts("lane")

    def of(self, action: str, entity: str | None = None) -> list[MapItemChange]:
        return [it for it in self.items
                if it.action == action and (entity is None or it.entity == entity)]

    @property
    def removed_with_links(self) -> list[MapItemChange]:
        """Removed shapes that had documents, records, risks or KPIs linked (warn the user)."""
        return [it for it in self.of("removed", "node") if any(it.links.values())]

    @property
    def changed(self) -> bool:
        """Something the map shows is added, updated or removed."""
        return any(it.action in ("added", "updated", "removed") for it in self.items)

    @property
    def writes(self) -> bool:
        """The update writes something (visible changes, or only the file's bookkeeping or the
        keys of shapes drawn in Workbench); when False, updating from the file is a no-op."""
        return (self.changed or self.map_extra_changed or self.keys_adopted > 0
                or any(it.fields for it in self.items))

    def summary(self) -> str:
        lines = [self.nodes.text("shapes"), self.edges.text("connectors"),
                 self.lanes.text("lanes")]
        if not self.changed:
            lines.append("the map already matches the file")
        return "; ".join(lines)

    def as_dict(self) -> dict:
        """Plain data (for ``--json``)."""
        from dataclasses import asdict

        return {
            "process_id": self.process_id, "process_name": self.process_name,
            "source_name": self.source_name, "dry_run": self.dry_run,
            "changed": self.changed, "writes": self.writes, "keys_adopted": self.keys_adopted,
            "counts": {e: asdict(self.counts(e)) for e in MAP_ENTITIES},
            "items": [asdict(it) for it in self.items if it.action != "unchanged"],
            "removed_with_links": [{"key": it.key, "name": it.name, "links": it.links}
                                   for it in self.removed_with_links],
            "warnings": list(self.warnings),
        }


@dataclass
class _New:
    """A row the update adds (its id is known once written)."""

    entity: str
    key: str
    id: int | None = None


@dataclass
class _Plan:
    report: MapUpdateReport
    #: entity -> [(row id, {field: value})] for matched rows whose file fields change
    updates: dict[str, list[tuple[int, dict]]]
    #: entity -> [(_New, {field: value})]
    inserts: dict[str, list[tuple[_New, dict]]]
    #: entity -> row ids to delete
    deletes: dict[str, list[int]]
    #: matched rows whose stored key is empty: adopt the key the file knows them by
    adopt_keys: dict[str, list[tuple[int, str]]]
    map_extra: str


def _index(rows: list[dict], entity: str) -> tuple[dict[str, dict], list[dict]]:
    """Rows by interchange key (the first of duplicates) and the duplicates."""
    key_of = _KEY_OF[entity]
    by: dict[str, dict] = {}
    dupes = []
    for r in rows:
        k = key_of(r)
        if k in by:
            dupes.append(r)
        else:
            by[k] = r
    return by, dupes


def _edge_name(e, names: dict[str, str]) -> str:
    if e.label:
        return " ".join(e.label.split())
    return f"{names.get(e.source) or e.source} → {names.get(e.target) or e.target}"


def _is_own_export(cur: MapData, pm: ProcessMap, name: str) -> bool:
    """The file's map is exactly what Workbench's BPMN export of the stored map reads back as
    (under the process name, or the name the file was exported under): it holds nothing the
    stored map does not, so updating from it must write nothing."""
    meta = pm.extra.get("bpmn")
    if not isinstance(meta, dict):
        return False
    attrs = (meta.get("definitions") or {}).get("attrs") or {}
    if attrs.get("exporter") != "QMS Workbench":
        return False
    from .exports.bpmn import write_bpmn
    from .imports.bpmn import read_bpmn

    stored, _ids = to_processmap(cur)
    names = [name] + [n for n in (attrs.get("name"),) if n and n != name]
    for n in names:
        try:
            again = read_bpmn(write_bpmn(stored, name=n)).map
        except ValueError:
            return False
        if again == pm:
            return True
    return False


def _plan_update(cur: MapData, pm: ProcessMap, roles: dict[str, int], role_ids: set[int],
                 links: Callable[[list[int]], dict[int, dict[str, int]]],
                 report: MapUpdateReport, *, own_export: bool = False) -> _Plan:
    """Compare the stored map with the file's; pure apart from ``links(node_ids)``.
    ``own_export``: the file is Workbench's export of the stored map (:func:`_is_own_export`),
    so matched rows and the map's file data stay as stored (the same file comes out of them)."""
    plan = _Plan(report, {e: [] for e in MAP_ENTITIES}, {e: [] for e in MAP_ENTITIES},
                 {e: [] for e in MAP_ENTITIES}, {e: [] for e in MAP_ENTITIES},
                 (cur.extra_json or "") if own_export else _dump(pm.extra))
    items = report.items

    def compare(entity: str, row: dict, values: dict, name: str, kind: str = "") -> None:
        changed = [] if own_export else [f for f, v in values.items() if row.get(f) != v]
        if not row["key"]:
            plan.adopt_keys[entity].append((row["id"], _KEY_OF[entity](row)))
        if changed:
            plan.updates[entity].append((row["id"], values))
        # only the file's bookkeeping ("extra": diagram ids, element order, attributes) differs:
        # it is stored, but nothing the map shows changes
        action = "updated" if any(f != "extra" for f in changed) else "unchanged"
        items.append(MapItemChange(action, entity, _KEY_OF[entity](row), name, kind, row["id"],
                                   changed))

    # -- lanes
    lanes_by, lane_dupes = _index(cur.lanes, "lane")
    lane_ref: dict[str, int | _New] = {}
    lane_role: dict[str, int | None] = {}
    seen: set[str] = set()
    for lane in pm.lanes:
        if lane.key in seen:
            continue
        seen.add(lane.key)
        values = {"name": lane.name, "x": float(lane.x), "y": float(lane.y), "w": float(lane.w),
                  "h": float(lane.h), "order": int(lane.order), "extra": _dump(lane.extra)}
        by_name = roles.get((lane.name or "").strip().casefold())
        row = lanes_by.pop(lane.key, None)
        if row is None:
            new = _New("lane", lane.key)
            plan.inserts["lane"].append((new, dict(values, key=lane.key, role_id=by_name)))
            items.append(MapItemChange("added", "lane", lane.key, lane.name))
            lane_ref[lane.key], lane_role[lane.key] = new, by_name
            continue
        role = row["role_id"]
        if lane.name != row["name"] and by_name is not None:
            values["role_id"] = role = by_name
        compare("lane", row, values, lane.name)
        lane_ref[lane.key], lane_role[lane.key] = row["id"], role
    # not in the file: imported rows (a stored key) go, rows drawn in Workbench stay
    for r in [*lanes_by.values(), *lane_dupes]:
        if r["key"]:
            plan.deletes["lane"].append(r["id"])
            items.append(MapItemChange("removed", "lane", lane_key(r), r["name"], "", r["id"]))
        else:
            items.append(MapItemChange("kept", "lane", lane_key(r), r["name"], "", r["id"]))

    # -- nodes
    nodes_by, node_dupes = _index(cur.nodes, "node")
    node_ref: dict[str, int | _New] = {}
    file_nodes = []
    seen = set()
    for n in pm.nodes:
        if n.key not in seen:
            seen.add(n.key)
            file_nodes.append(n)
    matched: dict[str, dict] = {}
    for n in file_nodes:
        row = nodes_by.pop(n.key, None)
        if row is None:
            node_ref[n.key] = _New("node", n.key)
        else:
            node_ref[n.key] = row["id"]
            matched[n.key] = row
    for n in file_nodes:
        extra = dict(n.extra)
        role = extra.pop("role", None)
        lane_id = lane_ref.get(n.lane) if n.lane else None
        values = {"kind": n.kind, "bpmn_type": n.bpmn_type, "name": n.name, "x": float(n.x),
                  "y": float(n.y), "w": float(n.w), "h": float(n.h), "lane_id": lane_id,
                  "parent_node_id": node_ref.get(n.parent) if n.parent else None,
                  "extra": _dump(extra)}
        lane_role_id = lane_role.get(n.lane) if n.lane else None
        row = matched.get(n.key)
        if row is None:
            role_id = role if isinstance(role, int) and role in role_ids else lane_role_id
            plan.inserts["node"].append((node_ref[n.key], dict(values, key=n.key,
                                                              role_id=role_id)))
            items.append(MapItemChange("added", "node", n.key, n.name, n.kind))
            continue
        if row["lane_id"] != lane_id and lane_role_id is not None:
            values["role_id"] = lane_role_id  # a step moved to another lane takes its role
        compare("node", row, values, n.name, n.kind)
    gone = [r for r in [*nodes_by.values(), *node_dupes] if r["key"]]
    kept = [r for r in [*nodes_by.values(), *node_dupes] if not r["key"]]
    removed_nodes = {r["id"] for r in gone}
    link_counts = links(sorted(removed_nodes)) if removed_nodes else {}
    for r in gone:
        plan.deletes["node"].append(r["id"])
        items.append(MapItemChange("removed", "node", node_key(r), r["name"], r["kind"], r["id"],
                                   links=link_counts.get(r["id"], {})))
    for r in kept:
        items.append(MapItemChange("kept", "node", node_key(r), r["name"], r["kind"], r["id"]))

    # -- edges
    names = {n.key: " ".join((n.name or "").split()) for n in file_nodes}
    edges_by, edge_dupes = _index(cur.edges, "edge")
    seen = set()
    for e in pm.edges:
        if e.key in seen or e.source not in node_ref or e.target not in node_ref:
            continue  # (as save_map: a connector needs a shape at both ends)
        seen.add(e.key)
        values = {"kind": e.kind, "source_id": node_ref[e.source],
                  "target_id": node_ref[e.target], "label": e.label, "condition": e.condition,
                  "waypoints": json.dumps([list(p) for p in e.waypoints]) if e.waypoints else "",
                  "extra": _dump(e.extra)}
        row = edges_by.pop(e.key, None)
        if row is None:
            plan.inserts["edge"].append((_New("edge", e.key), dict(values, key=e.key)))
            items.append(MapItemChange("added", "edge", e.key, _edge_name(e, names), e.kind))
            continue
        compare("edge", row, values, _edge_name(e, names), e.kind)
    row_names = {r["id"]: " ".join((r["name"] or "").split()) or node_key(r) for r in cur.nodes}
    for r in [*edges_by.values(), *edge_dupes]:
        name = " ".join((r["label"] or "").split()) or (
            f"{row_names.get(r['source_id'], '?')} → {row_names.get(r['target_id'], '?')}")
        if r["key"]:
            plan.deletes["edge"].append(r["id"])
            items.append(MapItemChange("removed", "edge", edge_key(r), name, r["kind"], r["id"]))
        elif r["source_id"] in removed_nodes or r["target_id"] in removed_nodes:
            # drawn in Workbench, but its shape goes: it goes with it (delete rules)
            items.append(MapItemChange("removed", "edge", edge_key(r), name, r["kind"], r["id"]))
        else:
            items.append(MapItemChange("kept", "edge", edge_key(r), name, r["kind"], r["id"]))
    report.map_extra_changed = plan.map_extra != (cur.extra_json or "")
    report.keys_adopted = sum(len(v) for v in plan.adopt_keys.values())
    for it in items:  # names on one line (BPMN names may hold line breaks)
        it.name = " ".join((it.name or "").split())
    return plan


def _link_counts(conn, node_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}

    def bump(nid: int, what: str, n: int) -> None:
        out.setdefault(nid, {k: 0 for k in _LINK_LABELS})[what] += n

    for i in range(0, len(node_ids), 500):
        chunk = node_ids[i:i + 500]
        nd = m.NodeDocument
        for nid, kind, n in conn.execute(
                select(nd.node_id, nd.kind, func.count()).where(nd.node_id.in_(chunk))
                .group_by(nd.node_id, nd.kind)):
            bump(nid, "records" if kind == "record" else "documents", n)
        for nid, n in conn.execute(select(m.Risk.node_id, func.count())
                                   .where(m.Risk.node_id.in_(chunk)).group_by(m.Risk.node_id)):
            bump(nid, "risks", n)
        no = m.NodeObjective
        for nid, n in conn.execute(select(no.node_id, func.count())
                                   .where(no.node_id.in_(chunk)).group_by(no.node_id)):
            bump(nid, "objectives", n)
    return out


def _load_for_update(conn, pid: int) -> tuple[MapData, str, dict[str, int], set[int]]:
    proc = conn.execute(select(m.Process.name, m.Process.map_extra)
                        .where(m.Process.id == pid)).first()
    if proc is None:
        raise RecordError(f"Process {pid} no longer exists; choose another process or import "
                          "the file as a new one.")
    data = MapData(pid, _rows(conn, m.ProcessNode.__table__, pid),
                   _rows(conn, m.ProcessEdge.__table__, pid),
                   _rows(conn, m.ProcessLane.__table__, pid), proc.map_extra or "")
    roles: dict[str, int] = {}
    ids: set[int] = set()
    for rid, name in conn.execute(select(m.Role.id, m.Role.name)):
        roles.setdefault((name or "").strip().casefold(), rid)
        ids.add(rid)
    return data, proc.name, roles, ids


def _attr(model, column: str) -> str:
    return model.__mapper__.get_property_by_column(model.__table__.c[column]).key


def _set(obj, values: dict) -> None:
    model = type(obj)
    for col, v in values.items():
        setattr(obj, _attr(model, col), v)


def _apply_update(s, pid: int, plan: _Plan) -> None:
    """Write a plan in the session: adds first (so no deleted id is reused within the update),
    then updates, then deletes (their delete rules see the final references)."""
    objs = {e: {o.id: o for o in s.scalars(select(_ENTITY_MODEL[e])
                                            .where(_ENTITY_MODEL[e].process_id == pid))}
            for e in MAP_ENTITIES}

    def ref(v):
        return v.id if isinstance(v, _New) else v

    for entity in ("lane", "node", "edge"):
        model = _ENTITY_MODEL[entity]
        added = []
        for new, values in plan.inserts[entity]:
            obj = model(process_id=pid)
            _set(obj, {k: ref(v) for k, v in values.items()})
            s.add(obj)
            added.append((new, obj))
        s.flush()
        for new, obj in added:
            new.id = obj.id
    for entity in ("lane", "node", "edge"):
        for rid, values in plan.updates[entity]:
            _set(objs[entity][rid], {k: ref(v) for k, v in values.items()})
        for rid, key in plan.adopt_keys[entity]:
            objs[entity][rid].key = key
    for new, values in plan.inserts["node"]:  # parents added in the same update
        if isinstance(values.get("parent_node_id"), _New):
            s.get(m.ProcessNode, new.id).parent_node_id = values["parent_node_id"].id
    s.flush()
    for entity in ("edge", "node", "lane"):
        for rid in plan.deletes[entity]:
            obj = objs[entity].get(rid)
            if obj is not None:
                s.delete(obj)
        s.flush()
    proc = s.get(m.Process, pid)
    if proc.map_extra != plan.map_extra:
        proc.map_extra = plan.map_extra


def merge_map(ws: Workspace, pid: int, pm: ProcessMap, *, dry_run: bool = False,
              warnings: Iterable[str] = (), source_name: str = "") -> Change:
    """Update the map of process ``pid`` to the map read from a file, in ONE transaction (all
    or nothing). Rows are matched by interchange key and updated in place (ids, links and
    Workbench-only fields stay); new ones are added; rows the file no longer has are deleted
    with their links (audited); shapes drawn in Workbench that the file never knew are kept.
    ``dry_run`` computes the report without writing anything. ``result`` is the
    :class:`MapUpdateReport`."""
    if dry_run:
        with ws.connect() as c:
            data, pname, roles, role_ids = _load_for_update(c, pid)
            report = MapUpdateReport(pid, pname, source_name, True, warnings=list(warnings))
            _plan_update(data, pm, roles, role_ids, lambda ids: _link_counts(c, ids), report,
                         own_export=_is_own_export(data, pm, pname))
        return Change(result=report)
    with ws.session() as s:
        data, pname, roles, role_ids = _load_for_update(s, pid)
        report = MapUpdateReport(pid, pname, source_name, False, warnings=list(warnings))
        plan = _plan_update(data, pm, roles, role_ids, lambda ids: _link_counts(s, ids), report,
                            own_export=_is_own_export(data, pm, pname))
        if report.writes:
            _apply_update(s, pid, plan)
    ids = {(it.entity, it.key): it for it in report.items}
    for entity, rows in plan.inserts.items():
        for new, _values in rows:
            item = ids.get((entity, new.key))
            if item is not None:
                item.id = new.id
    return Change.of(s, result=report)


def update_map_from_file(ws: Workspace, pid: int, path, fmt: str, *,
                         dry_run: bool = False, page: int | str | None = None) -> Change:
    """Read a BPMN or draw.io file and :func:`merge_map` it into process ``pid``; a file that
    cannot be read or is not a process map changes nothing. ``result`` is the report."""
    got = read_map(path, fmt, page=page)
    return merge_map(ws, pid, got.map, dry_run=dry_run, warnings=got.warnings,
                     source_name=got.name)


def matching_processes(ws: Workspace, pm: ProcessMap, name: str = "") -> list[tuple[int, int]]:
    """Processes a file could update, best first, as (process id, score): a process whose name
    or code is the file's name, then the most shapes known by the same interchange key."""
    want = " ".join((name or "").split()).casefold()
    keys = {n.key for n in pm.nodes}
    score: dict[int, int] = {}
    with ws.connect() as c:
        if want:
            for pid, pname, code in c.execute(select(m.Process.id, m.Process.name,
                                                     m.Process.code)):
                if want in (" ".join((pname or "").split()).casefold(),
                            (code or "").strip().casefold()):
                    score[pid] = 1_000_000
        if keys:
            t = m.ProcessNode.__table__
            for nid, pid, key, kind in c.execute(select(t.c.id, t.c.process_id, t.c.key,
                                                        t.c.kind)):
                if node_key({"id": nid, "key": key, "kind": kind}) in keys:
                    score[pid] = score.get(pid, 0) + 1
    return sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))


def export_bpmn_bytes(ws: Workspace, pid: int) -> bytes:
    """The BPMN 2.0 XML of the map of process ``pid``, named after the process (its bare
    name, the same from the command line and the map editor: a re-import matches it)."""
    from .exports.bpmn import write_bpmn

    from .audit_trail import ws_stamp_text

    pm, _ids = load_map(ws, pid)
    return write_bpmn(pm, name=get_process(ws, pid).name, stamp=ws_stamp_text(ws))


def export_bpmn_file(ws: Workspace, pid: int, path) -> "Path":
    """Write :func:`export_bpmn_bytes` to ``path`` (atomically); a folder that cannot be
    written is a :class:`RecordError` naming the reason."""
    from pathlib import Path

    data = export_bpmn_bytes(ws, pid)
    out = Path(path)
    tmp = out.with_name(f".{out.name}.part")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        from .filewrite import why_not_written

        raise RecordError(f"The BPMN file could not be written to {out}: "
                          f"{why_not_written(out, e)}.") from None
    return out
