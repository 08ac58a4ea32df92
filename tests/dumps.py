"""What a workspace holds, as plain data, for tests that compare before and after."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from qms_desktop.storage.models import Base


def table_dump(ws, *, skip: tuple[str, ...] = ("audit_event",)) -> dict[str, list[tuple]]:
    """Every row of every table (but the audit trail), sorted, by table name."""
    out = {}
    with ws.connect() as c:
        for t in Base.metadata.sorted_tables:
            if t.name in skip:
                continue
            out[t.name] = sorted((tuple(r) for r in c.execute(select(t))), key=repr)
    return out


@dataclass
class MapDump:
    #: table name -> sorted rows
    rows: dict[str, list[tuple]]


def map_dump(ws, pid: int) -> MapDump:
    """The rows of one process's map (lanes, shapes, connectors), the links of its shapes and
    the risks that point at them: what an exact undo of a map edit must bring back."""
    dump = table_dump(ws)
    t = {name: Base.metadata.tables[name] for name in dump}

    def col(name, column):
        return [c.name for c in t[name].columns].index(column)

    out = {"process": [r for r in dump["process"] if r[col("process", "id")] == pid]}
    for name in ("process_lane", "process_node", "process_edge"):
        out[name] = [r for r in dump[name] if r[col(name, "process_id")] == pid]
    nodes = {r[col("process_node", "id")] for r in out["process_node"]}
    for name in ("node_document", "node_objective"):
        out[name] = [r for r in dump[name] if r[col(name, "node_id")] in nodes]
    out["risk"] = [r for r in dump["risk"] if r[col("risk", "node_id")] in nodes
                   or r[col("risk", "process_id")] == pid]
    return MapDump(out)


def geometry(ws, pid: int) -> dict:
    """Positions and sizes of a map's shapes and lanes and its connectors' stored bends."""
    from qms_desktop.services.processes import load_map_data

    data = load_map_data(ws, pid)
    return {
        "nodes": {r["id"]: (r["x"], r["y"], r["w"], r["h"]) for r in data.nodes},
        "lanes": {r["id"]: (r["x"], r["y"], r["w"], r["h"]) for r in data.lanes},
        "edges": {r["id"]: r["waypoints"] for r in data.edges},
    }
