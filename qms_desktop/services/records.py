"""Generic record operations used by every editor's undo commands.

Each call is one unit of work (commit or roll back) and returns a :class:`Change` naming the
entity kinds (table names) it touched, so the UI refreshes only those views. Deleting returns a
:class:`Deleted` snapshot of every row removed or cleared by the delete rules; passing it to
:func:`restore` undoes the delete exactly (same ids, same links) — with its own audit events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select

from ..storage.models import model_for_table
from ..storage.workspace import Workspace, WorkspaceError


@dataclass(frozen=True)
class Change:
    kinds: frozenset[str] = frozenset()

    def __or__(self, other: "Change") -> "Change":
        return Change(self.kinds | other.kinds)

    def touches(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))


@dataclass
class Deleted:
    records: list[tuple[str, dict]] = field(default_factory=list)
    cleared: list[tuple[str, int, str, int]] = field(default_factory=list)

    def change(self) -> Change:
        return Change(frozenset([t for t, _ in self.records] + [t for t, *_ in self.cleared]))


class RecordError(WorkspaceError):
    pass


def _model(entity: str):
    try:
        return model_for_table(entity)
    except KeyError:
        raise RecordError(f"There is no kind of record called “{entity}”.") from None


def _columns(model) -> dict[str, Any]:
    return {a.columns[0].name: a for a in inspect(model).column_attrs}


def coerce(model, name: str, value: Any) -> Any:
    """Convert ``value`` to the column's Python type, or raise RecordError with a clear reason."""
    cols = _columns(model)
    if name not in cols:
        raise RecordError(f"{model.__tablename__} has no field “{name}”.")
    col = cols[name].columns[0]
    if value is None or value == "" and col.nullable and col.type.python_type is not str:
        if not col.nullable:
            raise RecordError(f"“{name}” cannot be empty.")
        return None
    py = col.type.python_type
    try:
        if py is bool:
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "y")
            return bool(value)
        if py is int:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if py is float:
            return float(value)
        if py is dt.date and not isinstance(value, dt.date):
            return dt.date.fromisoformat(str(value))
        if py is dt.datetime and not isinstance(value, dt.datetime):
            return dt.datetime.fromisoformat(str(value))
        if py is str:
            value = str(value)
            length = getattr(col.type, "length", None)
            if length and len(value) > length:
                raise RecordError(f"“{name}” is limited to {length} characters.")
            return value
    except (TypeError, ValueError):
        raise RecordError(f"“{value}” is not a valid value for “{name}”.") from None
    return value


def get(ws: Workspace, entity: str, rid: int) -> dict:
    model = _model(entity)
    with ws.connect() as c:
        row = c.execute(select(model.__table__).where(model.__table__.c.id == rid)).mappings().first()
    if row is None:
        raise RecordError(f"{entity} {rid} no longer exists.")
    return dict(row)


def update_fields(ws: Workspace, entity: str, rid: int, values: dict[str, Any]) -> Change:
    model = _model(entity)
    cols = _columns(model)
    with ws.session() as s:
        obj = s.get(model, rid)
        if obj is None:
            raise RecordError(f"{entity} {rid} no longer exists.")
        for name, value in values.items():
            if name == "id":
                raise RecordError("Record ids cannot change.")
            setattr(obj, cols[name].key if name in cols else name, coerce(model, name, value))
    return Change(frozenset([entity]))


def update_field(ws: Workspace, entity: str, rid: int, name: str, value: Any) -> Change:
    return update_fields(ws, entity, rid, {name: value})


def create(ws: Workspace, entity: str, values: dict[str, Any]) -> tuple[int, Change]:
    model = _model(entity)
    cols = _columns(model)
    with ws.session() as s:
        obj = model(**{cols[k].key: coerce(model, k, v) for k, v in values.items()})
        s.add(obj)
        s.flush()
        rid = obj.id
    return rid, Change(frozenset([entity]))


def delete(ws: Workspace, entity: str, rid: int) -> Deleted:
    model = _model(entity)
    with ws.session() as s:
        obj = s.get(model, rid)
        if obj is None:
            raise RecordError(f"{entity} {rid} no longer exists.")
        s.delete(obj)
        s.flush()
        out = Deleted(list(s.info.pop("deleted_records", [])),
                      list(s.info.pop("cleared_refs", [])))
    return out


def restore(ws: Workspace, deleted: Deleted) -> Change:
    """Undo :func:`delete`: re-create every removed record with its id, re-link cleared refs."""
    with ws.session() as s:
        for entity, values in deleted.records:
            model = _model(entity)
            cols = _columns(model)
            s.add(model(**{cols[k].key: v for k, v in values.items()}))
        s.flush()
        for entity, rid, col, old in deleted.cleared:
            model = _model(entity)
            obj = s.get(model, rid)
            if obj is not None:
                setattr(obj, _columns(model)[col].key, old)
    return deleted.change()
