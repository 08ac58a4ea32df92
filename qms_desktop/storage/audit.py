"""The audit trail: every insert, update and delete is recorded by the session itself.

Services never write events. ``install(session_factory)`` hooks the ORM unit of work:

* ``before_flush`` applies our delete rules (cascade / set null, from each foreign key's
  ``info["on_delete"]``) through the ORM, so dependent rows are deleted *with* their events;
  it also snapshots every value of rows about to be deleted.
* ``after_flush`` writes one event per inserted record (all values), one per changed field and
  one per deleted record, each chained to the previous event's hash.
* ``do_orm_execute`` refuses bulk INSERT/UPDATE/DELETE statements on audited tables, which
  would bypass the trail; the only sanctioned bulk path is :func:`bulk_insert`, which writes
  the events itself.
"""

from __future__ import annotations

import getpass
from typing import Any, Iterable

from sqlalchemy import Delete, Insert, Update, event, func, inspect, insert, select, text
from sqlalchemy.orm import Session

from ..core.audit_chain import (
    GENESIS,
    encode_field,
    encode_record,
    encode_value,
    event_hash,
    utc_now,
)
from .changes import OPS_KEY, ChangeConflict, NetRow, RowOp
from .models import AuditEvent, Base, model_for_table

AUDIT_TABLE = AuditEvent.__table__
_SKIP = "qms_audit_skip"


class AuditBypassError(RuntimeError):
    """A statement would change audited rows without recording it."""


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service accounts, containers)
        return "unknown"


def _is_audited(mapper) -> bool:
    return mapper.local_table is not AUDIT_TABLE


def _column_values(obj) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {c.key: getattr(obj, c.key) for c in mapper.column_attrs}


def record_values(obj) -> dict[str, Any]:
    """Every column value of an ORM object, keyed by column name."""
    mapper = inspect(obj).mapper
    return {attr.columns[0].name: getattr(obj, attr.key) for attr in mapper.column_attrs}


class _Chain:
    """Appends events to the trail within one flush."""

    def __init__(self, session: Session):
        self.conn = session.connection()
        self.user = session.info.get("user") or default_user()
        self.at = utc_now()
        self.rows: list[dict] = []
        if self.conn.dialect.name == "postgresql":
            # one chain: concurrent writers take turns appending
            self.conn.execute(text("LOCK TABLE audit_event IN SHARE ROW EXCLUSIVE MODE"))
        self.head = self.conn.execute(
            select(AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id.desc()).limit(1)
        ).scalar() or GENESIS

    def add(self, op: str, entity: str, record_id: int, field: str,
            old: str | None, new: str | None) -> None:
        h = event_hash(self.head, self.at, self.user, op, entity, record_id, field, old, new)
        self.rows.append(dict(at=self.at, user=self.user, op=op, entity=entity,
                              record_id=record_id, field=field, old=old, new=new,
                              prev_hash=self.head, hash=h))
        self.head = h

    def write(self) -> None:
        if self.rows:
            self.conn.execute(insert(AUDIT_TABLE), self.rows)
            self.rows = []


def _fk_children(table):
    """(child table's mapper, child column, rule) for every FK pointing at ``table``."""
    out = []
    for mapper in Base.registry.mappers:
        t = mapper.local_table
        for fk in t.foreign_keys:
            if fk.column.table is table:
                rule = fk.info.get("on_delete", "restrict") if fk.info else "restrict"
                out.append((mapper, fk.parent, rule))
    return out


_children_cache: dict = {}


def _children(table):
    got = _children_cache.get(table)
    if got is None:
        got = _children_cache[table] = _fk_children(table)
    return got


def _generic_children() -> list[tuple]:
    """(mapper, kind column, id column) of tables that belong to any record by (kind, id) —
    attachments — declared by ``__owner_columns__`` on the model."""
    got = _children_cache.get("generic")
    if got is None:
        got = _children_cache["generic"] = [
            (mp, mp.local_table.c[mp.class_.__owner_columns__[0]],
             mp.local_table.c[mp.class_.__owner_columns__[1]])
            for mp in Base.registry.mappers if getattr(mp.class_, "__owner_columns__", None)]
    return got


def _before_flush(session: Session, flush_context, instances) -> None:
    if session.info.get(_SKIP):
        return
    snapshots: dict[int, tuple[str, int, str]] = session.info.setdefault("_audit_deleted", {})
    seen: set[int] = set()
    pending = [o for o in session.deleted]
    # kinds of record that own rows of a generic child (one small query per flush that deletes)
    owners: set[str] = set()
    if pending:
        for _mp, kind_col, _id_col in _generic_children():
            owners.update(session.scalars(select(kind_col).distinct()))
    while pending:
        obj = pending.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        mapper = inspect(obj).mapper
        if not _is_audited(mapper):
            raise AuditBypassError("audit events cannot be deleted")
        table = mapper.local_table
        values = record_values(obj)
        snapshots[id(obj)] = (table.name, obj.id, values)
        for child_mapper, col, rule in _children(table):
            attr = child_mapper.get_property_by_column(col).key
            kids = session.scalars(
                select(child_mapper.class_).where(col == obj.id)
                .execution_options(populate_existing=False)
            ).all() if obj.id is not None else []
            for kid in kids:
                if kid in session.deleted or id(kid) in seen:
                    continue
                if rule == "cascade":
                    session.delete(kid)
                    pending.append(kid)
                elif rule == "set_null":
                    setattr(kid, attr, None)
                # "restrict": the deferred foreign key refuses the commit
        if obj.id is not None and table.name in owners:  # its attachments go with it
            for owned, kind_col, id_col in _generic_children():
                for kid in session.scalars(select(owned.class_).where(
                        kind_col == table.name, id_col == obj.id)).all():
                    if kid not in session.deleted and id(kid) not in seen:
                        session.delete(kid)
                        pending.append(kid)


def _after_flush(session: Session, flush_context) -> None:
    if session.info.get(_SKIP):
        return
    chain = None
    ops = session.info.setdefault(OPS_KEY, [])

    def ch():
        nonlocal chain
        if chain is None:
            chain = _Chain(session)
        return chain

    for obj in session.new:
        mapper = inspect(obj).mapper
        if not _is_audited(mapper):
            continue
        values = record_values(obj)
        ch().add("insert", mapper.local_table.name, obj.id, "", None, encode_record(values))
        ops.append(RowOp("insert", mapper.local_table.name, obj.id, values))
    for obj in session.dirty:
        state = inspect(obj)
        mapper = state.mapper
        if not _is_audited(mapper):
            raise AuditBypassError("audit events are append-only")
        if obj in session.deleted:
            continue
        for attr in mapper.column_attrs:
            hist = state.attrs[attr.key].history
            if not hist.added:
                continue
            new = hist.added[0]
            old = hist.deleted[0] if hist.deleted else None
            if hist.deleted and encode_value(old) == encode_value(new):
                continue
            col = attr.columns[0]
            if col.primary_key:
                raise AuditBypassError("record ids cannot change")
            ch().add("update", mapper.local_table.name, obj.id, col.name,
                     encode_field(old), encode_field(new))
            ops.append(RowOp("update", mapper.local_table.name, obj.id, None, col.name, old, new))
    snaps = session.info.get("_audit_deleted", {})
    for obj in session.deleted:
        if not _is_audited(inspect(obj).mapper):
            continue
        entity, rid, values = snaps.pop(id(obj))
        ch().add("delete", entity, rid, "", encode_record(values), None)
        ops.append(RowOp("delete", entity, rid, values))
    if chain is not None:
        chain.write()


def _guard_bulk(orm_execute_state) -> None:
    stmt = orm_execute_state.statement
    if not isinstance(stmt, (Insert, Update, Delete)):
        return
    if orm_execute_state.execution_options.get("qms_audited_bulk"):
        return
    table = getattr(stmt, "table", None)
    if table is not None and table is not AUDIT_TABLE:
        raise AuditBypassError(
            f"bulk {type(stmt).__name__.lower()} on {table.name} would bypass the audit trail; "
            "change records through the ORM or storage.audit.bulk_insert")
    if table is AUDIT_TABLE and not isinstance(stmt, Insert):
        raise AuditBypassError("audit events are append-only")


def _forget(session: Session) -> None:
    session.info.pop("_audit_deleted", None)
    session.info.pop(OPS_KEY, None)


def install(session_factory) -> None:
    """Attach the audit listeners to a sessionmaker (idempotent)."""
    if getattr(session_factory, "_qms_audit", False):
        return
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "do_orm_execute", _guard_bulk)
    event.listen(session_factory, "after_rollback", _forget)
    session_factory._qms_audit = True


def bulk_insert(session: Session, model, rows: list[dict], *, chunk: int = 5000) -> list[int]:
    """Insert many rows fast, with their audit events, in the session's transaction.

    ``rows`` are dicts keyed by attribute name. Returns the new ids in row order.
    """
    table = model.__table__
    mapper = inspect(model)
    cols = [(attr.key, attr.columns[0]) for attr in mapper.column_attrs]
    conn = session.connection()
    chain = _Chain(session)
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        full = []
        for r in part:
            d = {}
            for key, col in cols:
                if col.primary_key and key not in r:
                    continue
                if key in r:
                    d[col.name] = r[key]
                elif col.default is not None and col.default.is_scalar:
                    d[col.name] = col.default.arg
                else:
                    d[col.name] = None
            full.append(d)
        new_ids = conn.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), full
        ).scalars().all()
        ops = session.info.setdefault(OPS_KEY, [])
        for rid, d in zip(new_ids, full):
            d = dict(d)
            d["id"] = rid
            chain.add("insert", table.name, rid, "", None, encode_record(d))
            ops.append(RowOp("insert", table.name, rid, d))
        chain.write()
        ids.extend(new_ids)
    return ids


def iter_events(conn, *, since_id: int = 0) -> Iterable[tuple]:
    cols = AUDIT_TABLE.c
    return conn.execute(
        select(cols.id, cols.at, cols.user, cols.op, cols.entity, cols.record_id, cols.field,
               cols.old, cols.new, cols.prev_hash, cols.hash)
        .where(cols.id > since_id).order_by(cols.id)
    )


def head_hash(conn) -> str:
    return conn.execute(
        select(AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id.desc()).limit(1)
    ).scalar() or GENESIS


def events_after(conn, after_id: int) -> tuple[int, int, str]:
    """(how many events follow event id ``after_id``, the newest one's id, its hash): what an
    append-only trail gained since a head read earlier, read in time proportional to that
    (``after_id`` 0: the whole trail). With nothing new: (0, after_id, "")."""
    c = AUDIT_TABLE.c
    n, last = conn.execute(select(func.count(), func.max(c.id)).where(c.id > after_id)).one()
    if not n:
        return 0, after_id, ""
    return n, last, conn.execute(select(c.hash).where(c.id == last)).scalar() or GENESIS


# --------------------------------------------------------------------------- replaying changes

_CHUNK = 500


def _current_rows(conn, table, ids: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for start in range(0, len(ids), _CHUNK):
        part = ids[start:start + _CHUNK]
        for row in conn.execute(select(table).where(table.c.id.in_(part))).mappings():
            out[row["id"]] = dict(row)
    return out


def apply_net(session: Session, rows: list[NetRow]) -> None:
    """Make each row go from its ``before`` to its ``after`` state, in the session's transaction,
    with an audit event per change and the ops added to the session's change set.

    Raises :class:`ChangeConflict` (nothing is written) when a row that should exist is gone,
    or one that should not exist is there. A field changed since (outside the undo history) is
    set to its ``after`` value all the same — undo puts back what the edit replaced, as users
    expect. Deletes run first, then updates, then inserts, so an id or a unique value freed by
    one row can be taken by another.
    """
    from sqlalchemy import bindparam, delete, update

    conn = session.connection()
    by_entity: dict[str, list[NetRow]] = {}
    for r in rows:
        by_entity.setdefault(r.entity, []).append(r)
    tables = {e: model_for_table(e).__table__ for e in by_entity}
    current: dict[str, dict[int, dict]] = {}
    for entity, rs in by_entity.items():
        if tables[entity] is AUDIT_TABLE:
            raise AuditBypassError("audit events cannot be replayed")
        cur = current[entity] = _current_rows(conn, tables[entity], [r.id for r in rs])
        for r in rs:
            row = cur.get(r.id)
            if r.before is None:
                if row is not None:
                    raise ChangeConflict(entity, r.id, "exists again")
                continue
            if row is None:
                raise ChangeConflict(entity, r.id, "no longer exists")
            for k in (r.after or {}):
                if k not in row:
                    raise ChangeConflict(entity, r.id, f"has no field {k}")

    chain = _Chain(session)
    ops = session.info.setdefault(OPS_KEY, [])
    opts = {"qms_audited_bulk": True}
    # deletes
    for entity, rs in by_entity.items():
        table, cur = tables[entity], current[entity]
        gone = [r.id for r in rs if r.after is None]
        for rid in gone:
            values = cur[rid]
            chain.add("delete", entity, rid, "", encode_record(values), None)
            ops.append(RowOp("delete", entity, rid, values))
        for start in range(0, len(gone), _CHUNK):
            conn.execute(delete(table).where(table.c.id.in_(gone[start:start + _CHUNK])),
                         execution_options=opts)
    # updates, grouped by the set of columns they set
    for entity, rs in by_entity.items():
        table, cur = tables[entity], current[entity]
        groups: dict[tuple[str, ...], list[dict]] = {}
        for r in rs:
            if r.before is None or r.after is None:
                continue
            row = cur[r.id]
            cols = tuple(sorted(k for k, v in r.after.items()
                                if encode_value(row[k]) != encode_value(v)))
            if not cols:
                continue
            for k in cols:
                chain.add("update", entity, r.id, k, encode_field(row[k]),
                          encode_field(r.after[k]))
                ops.append(RowOp("update", entity, r.id, None, k, row[k], r.after[k]))
            params = {f"v_{k}": r.after[k] for k in cols}
            params["v__id"] = r.id
            groups.setdefault(cols, []).append(params)
        for cols, params in groups.items():
            stmt = (update(table).where(table.c.id == bindparam("v__id"))
                    .values({k: bindparam(f"v_{k}") for k in cols}))
            conn.execute(stmt, params, execution_options=opts)
    # inserts
    for entity, rs in by_entity.items():
        table = tables[entity]
        new = [r for r in rs if r.before is None and r.after is not None]
        if not new:
            continue
        names = [c.name for c in table.columns]
        full = []
        for r in new:
            values = {n: r.after.get(n) for n in names}
            values["id"] = r.id
            chain.add("insert", entity, r.id, "", None, encode_record(values))
            ops.append(RowOp("insert", entity, r.id, values))
            full.append(values)
        conn.execute(insert(table), full, execution_options=opts)
    chain.write()
