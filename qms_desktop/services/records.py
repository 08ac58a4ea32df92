"""Generic record operations, and undo/redo of any unit of work.

Every writing service returns a :class:`Change` (``storage.changes``): the kinds and ids it
touched, its change set, and ``result`` — what it made. :func:`invert` undoes a change set exactly
(same ids, same links, every cascaded row), :func:`reapply` does it again; each is one
transaction with audit events of its own. The one undo command (``ui.commands.EditCommand``) is
built on these two, so no editor writes snapshot or restore code of its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from typing import Any

from sqlalchemy import inspect, select

from ..storage import audit
from .exports.cells import MAX_CELL_TEXT
from ..storage.changes import Change, ChangeConflict, ChangeSet, NetRow
from ..storage.models import model_for_table
from ..storage.workspace import Workspace, WorkspaceError

__all__ = ["Change", "ChangeSet", "RecordError", "coerce", "create", "delete", "get", "invert",
           "next_free_ref", "reapply", "update_field", "update_fields"]


class RecordError(WorkspaceError):
    pass


# Columns holding data the app writes for itself (JSON, geometry), never shown in a cell.
_MACHINE_TEXT = frozenset({"extra", "map_extra", "waypoints"})


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
            if len(value) > MAX_CELL_TEXT and name not in _MACHINE_TEXT and \
                    model.__tablename__ != "setting":
                raise RecordError(
                    f"“{name.replace('_', ' ')}” holds {len(value):,} characters, more than the "
                    f"{MAX_CELL_TEXT:,} a spreadsheet cell can hold (the register could no "
                    "longer be exported); shorten it.")
            return value
    except (TypeError, ValueError):
        raise RecordError(f"“{value}” is not a valid value for “{name}”.") from None
    return value


def next_free_ref(conn, column, prefix: str) -> str:
    """The next reference ``prefix`` + number after the highest one in ``column`` (zero-padded
    to three digits at least)."""
    refs = conn.execute(select(column).where(column.like(prefix + "%"))).scalars()
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    nums = [int(x.group(1)) for r in refs if r and (x := pattern.match(r))]
    return f"{prefix}{(max(nums) + 1) if nums else 1:03d}"


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
    return Change.of(s)


def update_field(ws: Workspace, entity: str, rid: int, name: str, value: Any) -> Change:
    return update_fields(ws, entity, rid, {name: value})


def create(ws: Workspace, entity: str, values: dict[str, Any]) -> Change:
    """A new record; ``result`` is its id."""
    model = _model(entity)
    cols = _columns(model)
    with ws.session() as s:
        obj = model(**{cols[k].key: coerce(model, k, v) for k, v in values.items()})
        s.add(obj)
        s.flush()
        rid = obj.id
    return Change.of(s, result=rid)


def delete(ws: Workspace, entity: str, rid: int) -> Change:
    """Delete a record with everything its delete rules remove or clear."""
    model = _model(entity)
    with ws.session() as s:
        obj = s.get(model, rid)
        if obj is None:
            raise RecordError(f"{entity} {rid} no longer exists.")
        s.delete(obj)
    return Change.of(s)


def _replay(ws: Workspace, rows: list[NetRow], verb: str) -> Change:
    try:
        with ws.session() as s:
            audit.apply_net(s, rows)
    except ChangeConflict as e:
        raise RecordError(
            f"This cannot be {verb}: {e.entity.replace('_', ' ')} {e.id} {e.what}; "
            "nothing was changed.") from e
    return Change.of(s)


def invert(ws: Workspace, changeset: ChangeSet) -> Change:
    """Undo ``changeset`` in one transaction: every row back to what it was before it."""
    return _replay(ws, [r.inverted() for r in changeset.net()], "undone")


def reapply(ws: Workspace, changeset: ChangeSet) -> Change:
    """Redo ``changeset`` (after :func:`invert`) in one transaction."""
    return _replay(ws, changeset.net(), "redone")


@contextlib.contextmanager
def gc_paused():
    """Building thousands of rows (a list, a matrix) allocates far more objects than it frees:
    keep the cyclic garbage collector from scanning the heap over and over meanwhile."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
