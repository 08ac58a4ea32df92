"""Many new records of any kinds in one unit of work: the batch form of ``records.create``.

``create_records(ws, [NewRecord("person", {...}, key="helen"), NewRecord("person_role",
{"person_id": Ref("helen"), "role_id": 3})])`` creates every record in one transaction through
the ORM, so the audit trail records each one (one insert event per record) and the returned
:class:`Change` carries the change set that undo replays. Values are checked and converted the
way ``records.create`` does it (:func:`records.coerce`). A :class:`Ref` stands for the id of a
record made earlier in the same batch; ``Change.result`` maps every given ``key`` to its new id.

It exists for data loaders (the demo, later imports of whole registers) that make hundreds of
records at once, where one transaction per record would be slow. Services that apply rules of
their own (``risks.add_risk``, ``processes.add_process`` …) stay the way to make those records
one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable

from sqlalchemy import inspect

from ..storage.models import model_for_table
from ..storage.workspace import Workspace
from .records import Change, RecordError, coerce

__all__ = ["NewRecord", "Ref", "create_records"]


@dataclass(frozen=True)
class Ref:
    """The id of the record given ``key`` earlier in the same batch."""

    key: Hashable


@dataclass
class NewRecord:
    """One record to create: its kind (table name), its values by column name, and an optional
    ``key`` by which later records of the batch refer to it (:class:`Ref`)."""

    entity: str
    values: dict[str, Any] = field(default_factory=dict)
    key: Hashable | None = None


class _Kind:
    """A table's model with its column names mapped to attribute names (looked up once)."""

    __slots__ = ("model", "attrs")

    def __init__(self, entity: str):
        try:
            self.model = model_for_table(entity)
        except KeyError:
            raise RecordError(f"There is no kind of record called “{entity}”.") from None
        self.attrs = {a.columns[0].name: a.key for a in inspect(self.model).column_attrs}


def create_records(ws: Workspace, records: Iterable[NewRecord]) -> Change:
    """Create ``records`` in order, in one transaction; ``result`` maps each key to its id.

    Nothing is written when any value is refused (RecordError names the record), a key is used
    twice, or a :class:`Ref` names a key not given by an earlier record of the batch.
    """
    kinds: dict[str, _Kind] = {}
    made: dict[Hashable, Any] = {}  # key -> ORM object (its id is known once flushed)
    unflushed: set[Hashable] = set()
    with ws.session() as s:
        for n, rec in enumerate(records, start=1):
            kind = kinds.get(rec.entity)
            if kind is None:
                kind = kinds[rec.entity] = _Kind(rec.entity)
            values = {}
            for name, value in rec.values.items():
                if name == "id":
                    raise RecordError("Record ids are given by the workspace, not by a batch.")
                if name not in kind.attrs:
                    raise RecordError(f"{rec.entity} has no field “{name}”.")
                if isinstance(value, Ref):
                    if value.key not in made:
                        raise RecordError(
                            f"Record {n} ({rec.entity}) refers to “{value.key}”, which no "
                            "earlier record of the batch is.")
                    if value.key in unflushed:  # its id is given when it is written
                        s.flush()
                        unflushed.clear()
                    value = made[value.key].id
                try:
                    values[kind.attrs[name]] = coerce(kind.model, name, value)
                except RecordError as e:
                    raise RecordError(f"Record {n} ({rec.entity}): {e}") from None
            obj = kind.model(**values)
            s.add(obj)
            if rec.key is not None:
                if rec.key in made:
                    raise RecordError(f"The key “{rec.key}” is given to two records.")
                made[rec.key] = obj
                unflushed.add(rec.key)
        s.flush()
        ids = {key: obj.id for key, obj in made.items()}
    return Change.of(s, result=ids)
