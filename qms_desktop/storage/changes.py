"""Change sets: what one unit of work inserted, updated and deleted, row by row.

The audit listener (:mod:`storage.audit`) already sees every row a transaction touches — cascades,
cleared references and :func:`~storage.audit.bulk_insert` included. It also appends each of them,
with its Python values, to the session's change set. When :meth:`Workspace.session` commits, the
change set becomes a :class:`Change`: the kinds (table names) and ids touched, which the UI uses
to refresh exactly what changed, and the operations themselves, which :func:`apply` can play
backwards (undo) or forwards again (redo) — exactly, with the same ids, and with fresh audit
events of their own.

A writing service ends with ``return Change.of(s, result=...)`` after its ``with ws.session() as
s:`` block; ``result`` carries what the service made (a new id, a report).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping

from ..core.audit_chain import encode_value

#: session.info key of the list of RowOps collected during a unit of work
OPS_KEY = "qms_changeset"
#: session.info key of the Change made on commit
CHANGE_KEY = "qms_change"


@dataclass(frozen=True, slots=True)
class RowOp:
    """One row-level change, with Python values keyed by column name."""

    op: str  # "insert" | "update" | "delete"
    entity: str
    id: int
    #: insert: every value of the new row; delete: every value of the row before it went
    values: Mapping[str, Any] | None = None
    #: update: the column, its value before and after
    field: str = ""
    old: Any = None
    new: Any = None


def _same(a: Any, b: Any) -> bool:
    return encode_value(a) == encode_value(b)


@dataclass(slots=True)
class NetRow:
    """What a change set did to one row in all: ``before``/``after`` are None (no row) or the
    values known before/after (all columns for inserted/deleted rows, the changed columns for
    updated ones)."""

    entity: str
    id: int
    before: dict | None
    after: dict | None

    def inverted(self) -> "NetRow":
        return NetRow(self.entity, self.id, self.after, self.before)


class ChangeSet:
    """An ordered, immutable list of :class:`RowOp` s; ``a + b`` is ``a`` then ``b``."""

    __slots__ = ("ops",)

    def __init__(self, ops: Iterable[RowOp] = ()):
        self.ops: tuple[RowOp, ...] = tuple(ops)

    def __add__(self, other: "ChangeSet") -> "ChangeSet":
        return ChangeSet(self.ops + other.ops)

    def __bool__(self) -> bool:
        return bool(self.ops)

    def __len__(self) -> int:
        return len(self.ops)

    def __iter__(self) -> Iterator[RowOp]:
        return iter(self.ops)

    def __repr__(self) -> str:
        return f"ChangeSet({len(self.ops)} ops)"

    def ids(self) -> dict[str, frozenset[int]]:
        out: dict[str, set[int]] = {}
        for op in self.ops:
            out.setdefault(op.entity, set()).add(op.id)
        return {k: frozenset(v) for k, v in out.items()}

    def net(self) -> list[NetRow]:
        """The net effect per row, in the order rows were first touched; rows whose net effect is
        nothing (inserted then deleted, a field set back to where it was) are left out."""
        rows: dict[tuple[str, int], NetRow] = {}
        # True when ``before`` holds every column (a deleted row) rather than the changed ones
        full: dict[tuple[str, int], bool] = {}
        for op in self.ops:
            key = (op.entity, op.id)
            row = rows.get(key)
            if row is None:
                if op.op == "insert":
                    rows[key] = NetRow(op.entity, op.id, None, dict(op.values or {}))
                    full[key] = True
                elif op.op == "update":
                    rows[key] = NetRow(op.entity, op.id, {op.field: op.old}, {op.field: op.new})
                    full[key] = False
                else:
                    rows[key] = NetRow(op.entity, op.id, dict(op.values or {}), None)
                    full[key] = True
                continue
            if op.op == "update":
                if row.after is None:  # an update of a row we deleted: keep the trail's order
                    row.after = {}
                row.after[op.field] = op.new
                if row.before is not None and not full[key] and op.field not in row.before:
                    row.before[op.field] = op.old
            elif op.op == "delete":
                if row.before is not None and not full[key]:
                    merged = dict(op.values or {})
                    merged.update(row.before)  # the earliest values win
                    row.before = merged
                    full[key] = True
                row.after = None
            else:  # insert (after a delete of the same id)
                row.after = dict(op.values or {})
        out = []
        for row in rows.values():
            if row.before is None and row.after is None:
                continue
            if row.before is not None and row.after is not None:
                changed = {k: v for k, v in row.after.items()
                           if k not in row.before or not _same(row.before[k], v)}
                if not changed:
                    continue
                if not full[(row.entity, row.id)] or len(changed) < len(row.after):
                    row.before = {k: row.before.get(k) for k in changed}
                    row.after = changed
            out.append(row)
        return out

    def is_noop(self) -> bool:
        return not self.net()


_EMPTY_IDS: Mapping[str, frozenset[int]] = MappingProxyType({})


@dataclass(frozen=True, eq=False)
class Change:
    """What a writing service changed: the ids touched per kind (table name), the change set
    that undo and redo replay, and ``result``, what the service made (a new id, a report)."""

    ids: Mapping[str, frozenset[int]] = field(default_factory=lambda: _EMPTY_IDS)
    changeset: ChangeSet = field(default_factory=ChangeSet)
    result: Any = None

    @classmethod
    def from_changeset(cls, cs: ChangeSet, result: Any = None) -> "Change":
        return cls(MappingProxyType(cs.ids()), cs, result)

    @classmethod
    def of(cls, session, result: Any = None) -> "Change":
        """The Change of a committed ``ws.session()``, with ``result`` attached."""
        change = session.info.get(CHANGE_KEY)
        if change is None:
            change = cls()
        return change.with_result(result)

    def with_result(self, result: Any) -> "Change":
        return Change(self.ids, self.changeset, result)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self.ids)

    def touches(self, *kinds: str) -> bool:
        return any(k in self.ids for k in kinds)

    def ids_of(self, kind: str) -> frozenset[int]:
        return self.ids.get(kind, frozenset())

    def _net_ids(self, kind: str, keep: str) -> list[int]:
        """Ids of ``kind`` whose last insert/delete in this change is ``keep``, in order."""
        out: dict[int, None] = {}
        for op in self.changeset.ops:
            if op.entity == kind and op.op in ("insert", "delete"):
                if op.op == keep:
                    out[op.id] = None
                else:
                    out.pop(op.id, None)
        return list(out)

    def created(self, kind: str) -> list[int]:
        """Ids of ``kind`` inserted by this change (in insertion order), still there after it."""
        return self._net_ids(kind, "insert")

    def deleted(self, kind: str) -> list[int]:
        """Ids of ``kind`` deleted by this change (and not inserted again)."""
        return self._net_ids(kind, "delete")

    def __or__(self, other: "Change") -> "Change":
        ids = dict(self.ids)
        for k, v in other.ids.items():
            ids[k] = ids.get(k, frozenset()) | v
        return Change(MappingProxyType(ids), self.changeset + other.changeset,
                      other.result if other.result is not None else self.result)

    def __bool__(self) -> bool:
        return bool(self.ids)

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}: {len(v)}" for k, v in sorted(self.ids.items()))
        return f"Change({parts}; result={self.result!r})"


# --------------------------------------------------------------------------- recording

class Recorder:
    """Collects the change sets committed on this thread while it is active (see
    :meth:`Workspace.recording`)."""

    def __init__(self) -> None:
        self.changeset = ChangeSet()

    def add(self, cs: ChangeSet) -> None:
        if cs:
            self.changeset = self.changeset + cs

    @property
    def change(self) -> Change:
        return Change.from_changeset(self.changeset)


_local = threading.local()


def active_recorders() -> list[Recorder]:
    stack = getattr(_local, "recorders", None)
    if stack is None:
        stack = _local.recorders = []
    return stack


def committed(session) -> Change:
    """Turn the session's collected ops into its Change (called once the commit succeeded)."""
    ops = session.info.pop(OPS_KEY, None) or ()
    cs = ChangeSet(ops)
    change = Change.from_changeset(cs)
    session.info[CHANGE_KEY] = change
    for rec in active_recorders():
        rec.add(cs)
    return change


class ChangeConflict(Exception):
    """A change set cannot be replayed: a row is no longer as the change left it."""

    def __init__(self, entity: str, rid: int, what: str):
        super().__init__(f"{entity} {rid}: {what}")
        self.entity = entity
        self.id = rid
        self.what = what
