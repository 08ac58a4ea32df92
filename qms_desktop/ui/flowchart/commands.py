"""Undo commands of the map editor. Each changes the data through the process services and
reports a Change; the scene follows the data (it never gets moved by a command directly).

Every user gesture is one command: a drag of several shapes, a lane change with the role it
implies, a delete with the connectors it takes along, a paste, an automatic layout. Runs of
arrow-key nudges of the same shapes merge into one step (``id()``/``mergeWith()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from ..commands import RecordCommand

if TYPE_CHECKING:  # pragma: no cover
    from ...core.processmap import ProcessMap
    from ...services.processes import MapSnapshot, MapUpdateReport
    from ...services.records import Change, Deleted
    from ...storage.workspace import Workspace

#: ``QUndoCommand.id()`` of keyboard nudges (merged while the same shapes are nudged)
NUDGE_ID = 0x514D20


def tr(text: str) -> str:
    return QCoreApplication.translate("flowchart", text)


def _procs():
    from ...services import processes

    return processes


def _records():
    from ...services import records

    return records


def _change(kinds) -> "Change":
    from ...services.records import Change

    return Change(frozenset(kinds))


MAP_KINDS = ("process_node", "process_edge", "process_lane")


class _Created(RecordCommand):
    """Creates something the first time; undo deletes it; redo restores the very same rows."""

    def __init__(self, ws: "Workspace", text: str):
        super().__init__(ws, text)
        self._deleted: "Deleted | None" = None

    def create(self) -> "Change":
        raise TypeError(f"{type(self).__name__} must implement create()")

    def remove(self) -> "Deleted":
        raise TypeError(f"{type(self).__name__} must implement remove()")

    def apply(self) -> "Change":
        if self._deleted is not None:
            change = _records().restore(self.ws, self._deleted)
            self._deleted = None
            return change | _change(MAP_KINDS)
        return self.create()

    def revert(self) -> "Change":
        self._deleted = self.remove()
        return self._deleted.change() | _change(MAP_KINDS)


class AddNodeCommand(_Created):
    def __init__(self, ws: "Workspace", process_id: int, kind: str, x: float, y: float, *,
                 name: str = "", lane_id: int | None = None, text: str | None = None):
        from .style import kind_titles

        super().__init__(ws, text or tr("Add {kind}").format(
            kind=kind_titles().get(kind, kind).lower()))
        self.process_id = process_id
        self.kind = kind
        self.x, self.y = x, y
        self.name = name
        self.lane_id = lane_id
        self.node_id: int | None = None

    def create(self) -> "Change":
        self.node_id, change = _procs().add_node(self.ws, self.process_id, self.kind, self.x,
                                                 self.y, name=self.name, lane_id=self.lane_id)
        return change

    def remove(self) -> "Deleted":
        return _procs().delete_items(self.ws, node_ids=[self.node_id])


class AddEdgeCommand(_Created):
    def __init__(self, ws: "Workspace", process_id: int, source_id: int, target_id: int, *,
                 label: str = "", kind: str = "sequence"):
        super().__init__(ws, tr("Connect shapes"))
        self.process_id = process_id
        self.source_id, self.target_id = source_id, target_id
        self.label = label
        self.kind = kind
        self.edge_id: int | None = None

    def create(self) -> "Change":
        self.edge_id, change = _procs().add_edge(self.ws, self.process_id, self.source_id,
                                                 self.target_id, label=self.label, kind=self.kind)
        return change

    def remove(self) -> "Deleted":
        return _procs().delete_items(self.ws, edge_ids=[self.edge_id])


class AddLaneCommand(_Created):
    def __init__(self, ws: "Workspace", process_id: int, name: str, role_id: int | None = None):
        super().__init__(ws, tr("Add lane"))
        self.process_id = process_id
        self.name = name
        self.role_id = role_id
        self.lane_id: int | None = None

    def create(self) -> "Change":
        self.lane_id, change = _procs().add_lane(self.ws, self.process_id, self.name,
                                                 self.role_id)
        return change

    def remove(self) -> "Deleted":
        return _procs().delete_items(self.ws, lane_ids=[self.lane_id])


class PasteCommand(_Created):
    """Copies of shapes (and the connectors among them), offset from the originals."""

    def __init__(self, ws: "Workspace", process_id: int, nodes: list[dict], edges: list[dict],
                 dx: float = 20.0, dy: float = 20.0, *, text: str | None = None):
        super().__init__(ws, text or tr("Paste"))
        self.process_id = process_id
        self.nodes = [dict(n) for n in nodes]
        self.edges = [dict(e) for e in edges]
        self.dx, self.dy = dx, dy
        self.node_ids: list[int] = []
        self.edge_ids: list[int] = []

    def create(self) -> "Change":
        self.node_ids, self.edge_ids, change = _procs().paste_items(
            self.ws, self.process_id, self.nodes, self.edges, self.dx, self.dy)
        return change

    def remove(self) -> "Deleted":
        return _procs().delete_items(self.ws, node_ids=self.node_ids, edge_ids=self.edge_ids)


class DeleteItemsCommand(RecordCommand):
    """Delete shapes, connectors and lanes; the connectors of deleted shapes go with them and
    come back with them on undo (same ids, same links)."""

    def __init__(self, ws: "Workspace", node_ids=(), edge_ids=(), lane_ids=(), *,
                 text: str | None = None):
        n = len(node_ids) + len(edge_ids) + len(lane_ids)
        super().__init__(ws, text or (tr("Delete {n} items").format(n=n) if n > 1
                                      else tr("Delete item")))
        self.node_ids = list(node_ids)
        self.edge_ids = list(edge_ids)
        self.lane_ids = list(lane_ids)
        self.deleted: "Deleted | None" = None

    def apply(self) -> "Change":
        self.deleted = _procs().delete_items(self.ws, self.node_ids, self.edge_ids, self.lane_ids)
        return self.deleted.change() | _change(MAP_KINDS)

    def revert(self) -> "Change":
        return _records().restore(self.ws, self.deleted) | _change(MAP_KINDS)


class MoveNodesCommand(RecordCommand):
    """Move shapes; a shape that lands in another lane gets that lane and its role.

    ``old``/``new`` map node ids to (x, y); ``lanes`` maps the ids whose lane changes to
    (old lane, new lane); ``roles`` holds their roles before; ``waypoints`` the stored bends of
    the connectors touching them (the move clears them, undo puts them back)."""

    def __init__(self, ws: "Workspace", old: dict[int, tuple[float, float]],
                 new: dict[int, tuple[float, float]], *,
                 lanes: dict[int, tuple[int | None, int | None]] | None = None,
                 roles: dict[int, int | None] | None = None,
                 waypoints: dict[int, str] | None = None, nudge: bool = False,
                 text: str | None = None, kept: dict[int, str] | None = None):
        lanes = lanes or {}
        if text is None:
            if lanes:
                text = tr("Move to another lane")
            elif len(new) > 1:
                text = tr("Move {n} shapes").format(n=len(new))
            else:
                text = tr("Move shape")
        super().__init__(ws, text)
        self.old = dict(old)
        self.new = dict(new)
        self.lanes = dict(lanes)
        self.roles = dict(roles or {})
        self.waypoints = dict(waypoints or {})
        #: routes drawn by hand that follow the move (the others touching it are cleared)
        self.kept = dict(kept or {})
        self.nudge = nudge
        self.sealed = False

    def seal(self) -> None:
        self.sealed = True

    def apply(self) -> "Change":
        lanes = {nid: new for nid, (old, new) in self.lanes.items() if old != new}
        return _procs().move_nodes(self.ws, self.new, lanes or None, self.kept)

    def revert(self) -> "Change":
        # one transaction: positions, lanes with their roles, and the connectors' bends
        lanes_roles = {nid: (old_lane, self.roles.get(nid))
                       for nid, (old_lane, new_lane) in self.lanes.items() if old_lane != new_lane}
        return _procs().restore_moves(self.ws, self.old, lanes_roles, self.waypoints)

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return NUDGE_ID if self.nudge else -1

    def mergeWith(self, other) -> bool:  # noqa: N802 (Qt's name)
        if (self.sealed or not isinstance(other, MoveNodesCommand) or not other.nudge
                or not self.nudge or other.ws is not self.ws or set(other.new) != set(self.new)):
            return False
        self.new = dict(other.new)
        for nid, (old_lane, new_lane) in other.lanes.items():
            first = self.lanes.get(nid, (old_lane, old_lane))[0]
            self.lanes[nid] = (first, new_lane)
            self.roles.setdefault(nid, other.roles.get(nid))
        for eid, wps in other.waypoints.items():
            self.waypoints.setdefault(eid, wps)
        self.kept = dict(other.kept)  # (worked out from where the last nudge left them)
        if self.new == self.old and all(a == b for a, b in self.lanes.values()):
            self.setObsolete(True)
        return True


class LayoutCommand(RecordCommand):
    """Automatic layout of the whole map; undo puts every shape, lane and bend back."""

    def __init__(self, ws: "Workspace", process_id: int, direction: str = "LR"):
        super().__init__(ws, tr("Automatic layout"))
        self.process_id = process_id
        self.direction = direction
        self.before: dict | None = None
        self.after: dict | None = None

    def apply(self) -> "Change":
        p = _procs()
        if self.after is None:
            self.before, change = p.layout(self.ws, self.process_id, self.direction)
            self.after = p.snapshot_geometry(self.ws, self.process_id)
            return change
        return p.restore_geometry(self.ws, self.after)

    def revert(self) -> "Change":
        return _procs().restore_geometry(self.ws, self.before)


class SetLinkCommand(RecordCommand):
    """Link or unlink a step to a document, record, risk or objective (KPI)."""

    def __init__(self, ws: "Workspace", node_id: int, kind: str, target_id: int, linked: bool):
        labels = {"document": tr("document"), "record": tr("record"), "risk": tr("risk"),
                  "objective": tr("KPI")}
        what = labels.get(kind, kind)
        super().__init__(ws, (tr("Link {what}") if linked else tr("Unlink {what}")).format(
            what=what))
        self.node_id = node_id
        self.kind = kind
        self.target_id = target_id
        self.linked = linked
        self._risk_before: dict[str, Any] | None = None

    def apply(self) -> "Change":
        if self.kind == "risk" and self._risk_before is None:
            row = _records().get(self.ws, "risk", self.target_id)
            self._risk_before = {"node_id": row["node_id"], "process_id": row["process_id"]}
        return _procs().set_link(self.ws, self.node_id, self.kind, self.target_id, self.linked)

    def revert(self) -> "Change":
        if self.kind == "risk":
            return _records().update_fields(self.ws, "risk", self.target_id, self._risk_before)
        return _procs().set_link(self.ws, self.node_id, self.kind, self.target_id,
                                 not self.linked)


class SaveMapCommand(RecordCommand):
    """Store an imported map as a new process; undo removes that process with its map."""

    def __init__(self, ws: "Workspace", pm: "ProcessMap", name: str, *, text: str | None = None):
        super().__init__(ws, text or tr("Import “{name}”").format(name=name))
        self.pm = pm
        self.name = name
        self.process_id: int | None = None
        self._deleted: "Deleted | None" = None

    def apply(self) -> "Change":
        if self._deleted is not None:
            change = _records().restore(self.ws, self._deleted)
            self._deleted = None
            return change
        self.process_id, change = _procs().save_map(self.ws, self.pm, name=self.name)
        return change

    def revert(self) -> "Change":
        self._deleted = _records().delete(self.ws, "process", self.process_id)
        return self._deleted.change()


class UpdateMapCommand(RecordCommand):
    """Update the map of an existing process from a re-imported file (matched by interchange
    key; links and Workbench fields of kept steps stay). Undo puts the previous map back
    exactly — deleted shapes with their ids and links included — and redo the updated one,
    each in one transaction."""

    def __init__(self, ws: "Workspace", process_id: int, pm: "ProcessMap", *,
                 source_name: str = "", warnings: list[str] | None = None,
                 text: str | None = None):
        super().__init__(ws, text or tr("Update map from “{name}”").format(
            name=source_name or tr("file")))
        self.process_id = process_id
        self.pm = pm
        self.source_name = source_name
        self.warnings = list(warnings or [])
        self.report: "MapUpdateReport | None" = None
        self.before: "MapSnapshot | None" = None
        self.after: "MapSnapshot | None" = None

    def apply(self) -> "Change":
        p = _procs()
        if self.after is not None:
            return p.restore_map(self.ws, self.after)
        report = p.merge_map(self.ws, self.process_id, self.pm, warnings=self.warnings,
                             source_name=self.source_name)
        self.report, self.before, self.after = report, report.before, report.after
        return _change(("process", *MAP_KINDS, "node_document", "node_objective", "risk"))

    def revert(self) -> "Change":
        return _procs().restore_map(self.ws, self.before)
