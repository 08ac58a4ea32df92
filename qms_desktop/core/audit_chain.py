"""Audit-chain rules: how values are written into events and how events are hashed.

Pure Python. Storage writes events with these functions and ``qms verify`` checks them with the
same ones, so the two can never drift apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

GENESIS = "0" * 64
OPS = ("insert", "update", "delete")


def encode_value(value: Any) -> Any:
    """A JSON-compatible, canonical form of one column value."""
    if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, float):
        # repr round-trips exactly; integral floats stay distinguishable from text
        return float(repr(value))
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def encode_field(value: Any) -> str | None:
    """The text stored in an event's ``old``/``new`` for a single field."""
    if value is None:
        return None
    return json.dumps(encode_value(value), ensure_ascii=False)


def encode_record(values: dict[str, Any]) -> str:
    """The text stored in an insert's ``new`` (or a delete's ``old``): every column."""
    return json.dumps(
        {k: encode_value(v) for k, v in values.items()},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def event_hash(
    prev_hash: str,
    at: str,
    user: str,
    op: str,
    entity: str,
    record_id: int,
    field: str,
    old: str | None,
    new: str | None,
) -> str:
    h = hashlib.sha256()
    # Unit separators keep field boundaries unambiguous; None differs from "".
    parts = (prev_hash, at, user, op, entity, str(record_id), field,
             "\x00" if old is None else "\x01" + old,
             "\x00" if new is None else "\x01" + new)
    h.update("\x1f".join(parts).encode("utf-8"))
    return h.hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    entity: str | None
    record_id: int | None
    message: str

    def __str__(self) -> str:
        return self.message


#: how far an event's time may lie before the time of the event before it (a clock set back
#: a little, or two writers' clocks apart) before ``check_chain`` reports it
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def event_time(at: str) -> dt.datetime | None:
    """An event's ``at`` as an aware UTC datetime, or None when it is not a time."""
    try:
        t = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return None
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t


def _shown(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def check_chain(events: Iterable[tuple], backwards: list[ChainProblem] | None = None,
                tolerance: dt.timedelta = CLOCK_TOLERANCE
                ) -> tuple[str, int, ChainProblem | None]:
    """Walk events (tuples: id, at, user, op, entity, record_id, field, old, new, prev_hash,
    hash; ascending id) and check every link.

    Returns (head hash, number of events, first problem or None). When ``backwards`` is a
    list, the events whose time is not a time, or lies more than ``tolerance`` before the
    time of the event before them, are added to it: a correctly chained event may still have
    been appended, back-dated, by someone holding the file (or the clock was set back).
    """
    prev = GENESIS
    n = 0
    last: tuple[int, dt.datetime] | None = None  # the event before: id, time
    for row in events:
        (eid, at, user, op, entity, record_id, field, old, new, prev_hash, hsh) = row
        n += 1
        if backwards is not None:
            t = event_time(at)
            if t is None:
                backwards.append(ChainProblem(
                    eid, entity, record_id,
                    f"audit event {eid} ({entity} {record_id}) has no valid time ({at!r}): "
                    "it was written outside the application"))
            else:
                if last is not None and t < last[1] - tolerance:
                    backwards.append(ChainProblem(
                        eid, entity, record_id,
                        f"audit event {eid} ({entity} {record_id}) is dated {_shown(t)}, "
                        f"earlier than event {last[0]} before it ({_shown(last[1])}): it was "
                        "back-dated by someone holding the file, or the computer's clock was "
                        "set back"))
                last = (eid, t)
        if prev_hash != prev:
            return prev, n, ChainProblem(
                eid, entity, record_id,
                f"audit event {eid} ({entity} {record_id}) does not follow the event before it: "
                "events were removed, inserted or reordered")
        if op not in OPS:
            return prev, n, ChainProblem(eid, entity, record_id,
                                         f"audit event {eid} has an unknown operation {op!r}")
        expect = event_hash(prev_hash, at, user, op, entity, record_id, field or "", old, new)
        if expect != hsh:
            return prev, n, ChainProblem(
                eid, entity, record_id,
                f"audit event {eid} ({entity} {record_id}) was altered after it was written")
        prev = hsh
    return prev, n, None


def fold_state(events: Iterable[tuple], state: dict[tuple[str, int], dict | None]) -> None:
    """Apply events to ``state``: (entity, id) -> {field: encoded JSON value} or None if deleted.

    Events are tuples (op, entity, record_id, field, old, new).
    """
    for op, entity, record_id, field, _old, new in events:
        key = (entity, record_id)
        if op == "insert":
            state[key] = json.loads(new) if new else {}
        elif op == "delete":
            state[key] = None
        else:
            rec = state.get(key)
            if rec is None:
                state[key] = rec = {}
            rec[field] = None if new is None else json.loads(new)
