"""Reading the audit trail page by page (the app's audit-trail view, later the audit-log export).

Events are returned newest first with keyset paging (``before_id``), so any page of a trail of
hundreds of thousands of events costs one indexed range scan. A search string narrows the events:

* ``user:NAME``   events by users whose login contains NAME
* ``entity:KIND`` events on one kind of record (``risk``, ``training record`` or ``training_record``)
* ``op:OP``       ``insert``/``update``/``delete`` (also ``created``/``changed``/``deleted``)
* ``record:N``    events on record id N
* ``field:NAME``  changes of one field
* any other word must appear in the user, entity, field, old or new value (case-insensitive).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from ..storage.audit import AUDIT_TABLE
from ..storage.workspace import Workspace

_OPS = {
    "insert": "insert", "inserted": "insert", "create": "insert", "created": "insert",
    "add": "insert", "added": "insert",
    "update": "update", "updated": "update", "change": "update", "changed": "update",
    "edit": "update", "edited": "update",
    "delete": "delete", "deleted": "delete", "remove": "delete", "removed": "delete",
}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    user: str
    op: str
    entity: str
    record_id: int
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class AuditFilter:
    user: str = ""
    entity: str = ""
    op: str = ""
    record_id: int | None = None
    field: str = ""
    words: tuple[str, ...] = ()
    #: set when the search text had a problem the user should see (e.g. ``record:abc``)
    problem: str = ""

    @property
    def empty(self) -> bool:
        return not (self.user or self.entity or self.op or self.record_id is not None
                    or self.field or self.words)


def parse_filter(text: str) -> AuditFilter:
    """Turn a search box's text into an :class:`AuditFilter` (see the module docstring)."""
    try:
        tokens = shlex.split(text or "")
    except ValueError:  # an unbalanced quote: search for the words as typed
        tokens = (text or "").replace('"', " ").replace("'", " ").split()
    values: dict = {"words": []}
    problem = ""
    for tok in tokens:
        key, sep, val = tok.partition(":")
        key = key.lower()
        if sep and val and key in ("user", "entity", "op", "record", "field"):
            if key == "entity":
                values["entity"] = val.strip().lower().replace(" ", "_").replace("-", "_")
            elif key == "op":
                op = _OPS.get(val.lower())
                if op is None:
                    problem = f"“{val}” is not an operation; use insert, update or delete."
                else:
                    values["op"] = op
            elif key == "record":
                try:
                    values["record_id"] = int(val)
                except ValueError:
                    problem = f"“{val}” is not a record number."
            else:
                values[key] = val
        else:
            values["words"].append(tok)
    values["words"] = tuple(values["words"])
    return AuditFilter(problem=problem, **values)


def _like(value: str) -> str:
    esc = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{esc}%"


def _where(flt: AuditFilter | None):
    c = AUDIT_TABLE.c
    conds = []
    if flt is None:
        return conds
    if flt.user:
        conds.append(c.user.like(_like(flt.user), escape="\\"))
    if flt.entity:
        conds.append(c.entity == flt.entity)
    if flt.op:
        conds.append(c.op == flt.op)
    if flt.record_id is not None:
        conds.append(c.record_id == flt.record_id)
    if flt.field:
        conds.append(c.field == flt.field)
    for w in flt.words:
        pat = _like(w)
        conds.append(or_(*(col.like(pat, escape="\\")
                           for col in (c.user, c.entity, c.field, c.old, c.new))))
    return conds


def count_events(ws: Workspace, flt: AuditFilter | None = None) -> int:
    """How many events match ``flt`` (all events when it is None or empty)."""
    stmt = select(func.count()).select_from(AUDIT_TABLE)
    conds = _where(flt)
    if conds:
        stmt = stmt.where(and_(*conds))
    with ws.connect() as conn:
        return conn.execute(stmt).scalar_one()


def fetch_events(ws: Workspace, *, before_id: int | None = None, limit: int = 500,
                 flt: AuditFilter | None = None) -> list[AuditRow]:
    """Up to ``limit`` events matching ``flt``, newest first, all older than ``before_id``."""
    c = AUDIT_TABLE.c
    stmt = select(c.id, c.at, c.user, c.op, c.entity, c.record_id, c.field, c.old, c.new)
    conds = _where(flt)
    if before_id is not None:
        conds.append(c.id < before_id)
    if conds:
        stmt = stmt.where(and_(*conds))
    stmt = stmt.order_by(c.id.desc()).limit(max(1, int(limit)))
    with ws.connect() as conn:
        return [AuditRow(r.id, r.at, r.user, r.op, r.entity, r.record_id, r.field or "",
                         r.old, r.new) for r in conn.execute(stmt)]


def latest_event_id(ws: Workspace) -> int:
    """The id of the newest event (0 for an empty trail)."""
    with ws.connect() as conn:
        return conn.execute(select(func.max(AUDIT_TABLE.c.id))).scalar() or 0




# --------------------------------------------------------------------------- the head stamp
#
# Every export carries the audit trail's head (the hash of the newest event) and its position
# (how many events the chain has up to it). Someone holding only the workspace file can rewrite
# its history consistently; a head kept elsewhere — an export, an e-mailed stamp, the app's own
# log — reveals that (``qms verify --expect``).

def head_stamp_of(conn) -> tuple[str, int]:
    """(head hash, number of events) read on an open connection, in one read."""
    from ..core.audit_chain import GENESIS

    c = AUDIT_TABLE.c
    n = conn.execute(select(func.count()).select_from(AUDIT_TABLE)).scalar_one()
    head = conn.execute(select(c.hash).order_by(c.id.desc()).limit(1)).scalar()
    return (head or GENESIS), int(n)


def head_stamp(ws: Workspace) -> tuple[str, int]:
    """The audit trail's head hash and the event number it belongs to (0 for an empty trail)."""
    with ws.connect() as conn:
        with conn.begin():  # one snapshot: the count and the head belong together
            return head_stamp_of(conn)


def stamp_text(head: str, n: int) -> str:
    """The text form every export prints: ``audit head <hash> @ event <n>``."""
    return f"audit head {head} @ event {n}"


def ws_stamp_text(ws: Workspace) -> str:
    """:func:`stamp_text` of the workspace's current head."""
    return stamp_text(*head_stamp(ws))


_STAMP = re.compile(
    r"\s*(?:audit(?:[\s-]+trail)?[\s-]+head(?:\s+hash)?\s*:?\s*)?([0-9a-f]{64})"
    r"(?:\s*@\s*(?:event\s*)?(\d[\d,.\u202f\u00a0' ]*))?\s*", re.IGNORECASE)


def parse_stamp(text: str) -> tuple[str, int | None]:
    """(hash, event number or None) from ``HASH``, ``HASH@N`` or the stamp text; ValueError
    with one sentence when ``text`` is none of these."""
    import unicodedata

    # text copied out of a PDF may carry ligatures ("ﬀ") or full-width digits: read them plainly
    m = _STAMP.fullmatch(unicodedata.normalize("NFKC", text or ""))
    if m is None:
        raise ValueError(f"“{(text or '').strip()[:80]}” is not an audit head: give the "
                         "64-character hash, optionally followed by @ and the event number "
                         "(as exports print it: audit head HASH @ event N).")
    n = None
    if m.group(2) is not None:
        n = int(re.sub(r"\D", "", m.group(2)))
    return m.group(1).lower(), n


__all__ = ["AuditFilter", "AuditRow", "count_events", "fetch_events", "head_stamp",
           "head_stamp_of", "latest_event_id", "parse_filter", "parse_stamp", "stamp_text",
           "ws_stamp_text"]
