"""Reading the audit trail page by page (the app's audit-trail view, later the audit-log export).

Events are returned newest first with keyset paging (``before_id``), so any page of a trail of
hundreds of thousands of events costs one indexed range scan. A search string narrows the events:

* ``user:NAME``   events by users whose login contains NAME
* ``entity:KIND`` events on one kind of record (``risk``, ``training record`` or ``training_record``)
* ``op:OP``       ``insert``/``update``/``delete`` (also ``created``/``changed``/``deleted``)
* ``record:N``    events on record id N; ``record:TEXT`` events on the records whose reference,
  code, number, name or title contains TEXT (deleted ones too)
* ``field:NAME``  changes of one field
* ``since:DATE``, ``until:DATE`` events on or after, on or before a day (``YYYY-MM-DD``, UTC)
* any other word must appear in the user, entity, field, old or new value (case-insensitive).

Values that refer to other records (``owner_id: 10``) are resolved for display by
:func:`record_names`, one query per kind of record per page of events (:func:`references`
collects what a page needs): the audit trail shows "owner: Priya Raman", never a bare id.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from dataclasses import dataclass
from typing import Any, Iterable

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
    #: the user's login exactly (``user`` matches a part of it)
    exact_user: str = ""
    #: events on records whose reference, code, number, name or title contains this
    record_text: str = ""
    #: first and last day (ISO ``YYYY-MM-DD``, UTC, inclusive); "" = open
    since: str = ""
    until: str = ""
    #: set when the search text had a problem the user should see (e.g. ``record:abc``)
    problem: str = ""

    @property
    def empty(self) -> bool:
        return not (self.user or self.entity or self.op or self.record_id is not None
                    or self.field or self.words or self.exact_user or self.record_text
                    or self.since or self.until)


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
        if sep and val and key in ("user", "entity", "op", "record", "field", "since", "until",
                                   "from", "to"):
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
                    values["record_text"] = val
            elif key in ("since", "until", "from", "to"):
                try:
                    day = dt.date.fromisoformat(val).isoformat()
                except ValueError:
                    problem = f"“{val}” is not a date; write it as YYYY-MM-DD."
                else:
                    values["since" if key in ("since", "from") else "until"] = day
            else:
                values[key] = val
        else:
            values["words"].append(tok)
    values["words"] = tuple(values["words"])
    return AuditFilter(problem=problem, **values)


def _like(value: str) -> str:
    esc = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{esc}%"


def _where(flt: AuditFilter | None, conn) -> list:
    c = AUDIT_TABLE.c
    conds: list = []
    if flt is None:
        return conds
    if flt.user:
        conds.append(c.user.like(_like(flt.user), escape="\\"))
    if flt.exact_user:
        conds.append(c.user == flt.exact_user)
    if flt.entity:
        conds.append(c.entity == flt.entity)
    if flt.op:
        conds.append(c.op == flt.op)
    if flt.record_id is not None:
        conds.append(c.record_id == flt.record_id)
    if flt.record_text:
        conds.append(_records_matching(conn, flt.record_text, flt.entity))
    if flt.field:
        conds.append(c.field == flt.field)
    if flt.since:  # times are stored as ISO text in UTC, so text order is time order
        conds.append(c.at >= flt.since)
    if flt.until:
        try:
            after = (dt.date.fromisoformat(flt.until) + dt.timedelta(days=1)).isoformat()
        except (ValueError, OverflowError):
            after = "9999"
        conds.append(c.at < after)
    for w in flt.words:
        pat = _like(w)
        conds.append(or_(*(col.like(pat, escape="\\")
                           for col in (c.user, c.entity, c.field, c.old, c.new))))
    return conds


def count_events(ws: Workspace, flt: AuditFilter | None = None) -> int:
    """How many events match ``flt`` (all events when it is None or empty)."""
    stmt = select(func.count()).select_from(AUDIT_TABLE)
    with ws.connect() as conn:
        conds = _where(flt, conn)
        if conds:
            stmt = stmt.where(and_(*conds))
        return conn.execute(stmt).scalar_one()


def fetch_events(ws: Workspace, *, before_id: int | None = None, limit: int = 500,
                 flt: AuditFilter | None = None) -> list[AuditRow]:
    """Up to ``limit`` events matching ``flt``, newest first, all older than ``before_id``."""
    c = AUDIT_TABLE.c
    stmt = select(c.id, c.at, c.user, c.op, c.entity, c.record_id, c.field, c.old, c.new)
    with ws.connect() as conn:
        conds = _where(flt, conn)
        if before_id is not None:
            conds.append(c.id < before_id)
        if conds:
            stmt = stmt.where(and_(*conds))
        stmt = stmt.order_by(c.id.desc()).limit(max(1, int(limit)))
        return [AuditRow(r.id, r.at, r.user, r.op, r.entity, r.record_id, r.field or "",
                         *redact(r.entity, r.field or "", r.old, r.new))
                for r in conn.execute(stmt)]


#: (entity, field) whose values the trail keeps (``qms verify`` needs them) but never shows:
#: a password hash, however slow, is not for auditors' spreadsheets
SECRET_FIELDS = frozenset({("app_user", "password_hash")})
SECRET_TEXT = "(password hash, not shown)"


def redact(entity: str, field: str, old: str | None, new: str | None
           ) -> tuple[str | None, str | None]:
    """An event's old and new values as they may be shown: secret fields replaced, in an
    update's values and inside an insert's or delete's record (canonical JSON)."""
    secret = {f for e, f in SECRET_FIELDS if e == entity}
    if not secret:
        return old, new
    if field:
        if field in secret:
            return (None if old is None else json.dumps(SECRET_TEXT),
                    None if new is None else json.dumps(SECRET_TEXT))
        return old, new

    def clean(text: str | None) -> str | None:
        values = _decode(text)
        if not isinstance(values, dict) or not secret & set(values):
            return text
        return json.dumps({k: (SECRET_TEXT if k in secret and v else v)
                           for k, v in values.items()}, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))

    return clean(old), clean(new)


def users(ws: Workspace) -> list[str]:
    """Every login that made a change, sorted (for a filter's choices)."""
    with ws.connect() as conn:
        names = conn.execute(select(AUDIT_TABLE.c.user).distinct()).scalars()
        return sorted((n for n in names if n), key=str.casefold)


# --------------------------------------------------------------------------- names for ids
#
# A record is named by its identifier (reference, code or number) and its text (name, title,
# file name, key), e.g. "RISK-0007 Late delivery of bar stock", "Priya Raman". Link records
# (a person's role, a training record) have neither and are named by their id.

_IDENT_COLUMNS = ("ref", "code", "number")
_TEXT_COLUMNS = ("name", "title", "label", "file_name", "key")
_CHUNK = 500


_TABLES: dict[str, Any] | None = None


def _tables() -> dict[str, Any]:
    global _TABLES
    if _TABLES is None:
        from ..storage.models import audited_tables

        _TABLES = {t.name: t for t in audited_tables()}
    return _TABLES


def label_columns(entity: str) -> tuple[str, ...]:
    """The columns that may name a record of ``entity`` (identifiers first), () when none."""
    table = _tables().get(entity)
    if table is None:
        return ()
    return tuple(n for n in _IDENT_COLUMNS + _TEXT_COLUMNS if n in table.c)


def label_of(entity: str, values: dict) -> str:
    """The name of a record of ``entity`` with these column values: its first identifier and
    first text that are not empty ("RISK-0007 Late delivery"; "" when it has none)."""
    def first(names) -> str:
        for n in names:
            v = values.get(n)
            if v not in (None, "") and str(v).strip():
                return " ".join(str(v).split())
        return ""

    cols = label_columns(entity)
    parts = (first(n for n in _IDENT_COLUMNS if n in cols),
             first(n for n in _TEXT_COLUMNS if n in cols))
    return " ".join(p for p in parts if p)


def foreign_keys() -> dict[tuple[str, str], str]:
    """(table, column) → the table the column refers to, for every audited table."""
    out = {}
    for name, table in _tables().items():
        for col in table.c:
            for fk in col.foreign_keys:
                out[(name, col.name)] = fk.column.table.name
    return out


def reference_of(entity: str, field: str, values: dict | None = None) -> str | None:
    """The kind of record ``field`` of an ``entity`` refers to: a foreign key's table, or for
    records attached to any record (an ``entity`` and a ``record_id`` column, as attachments and
    signatures have) the kind ``values`` names."""
    if field == "record_id" and values is not None and entity in _polymorphic():
        kind = values.get("entity")
        return kind if isinstance(kind, str) and kind in _tables() else None
    return _fk_map().get((entity, field))


_POLY_CACHE: frozenset[str] | None = None


def _polymorphic() -> frozenset[str]:
    global _POLY_CACHE
    if _POLY_CACHE is None:
        _POLY_CACHE = frozenset(n for n, t in _tables().items()
                                if "entity" in t.c and "record_id" in t.c)
    return _POLY_CACHE


_FK_CACHE: dict[tuple[str, str], str] | None = None


def _fk_map() -> dict[tuple[str, str], str]:
    global _FK_CACHE
    if _FK_CACHE is None:
        _FK_CACHE = foreign_keys()
    return _FK_CACHE


def _decode(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def references(rows: Iterable[AuditRow]) -> dict[str, set[int]]:
    """Kind → ids of the records these events name: the records changed and every record
    their values refer to (owner, process, step…)."""
    out: dict[str, set[int]] = {}

    def add(kind: str | None, value: Any) -> None:
        if kind and isinstance(value, int) and not isinstance(value, bool):
            out.setdefault(kind, set()).add(value)

    for r in rows:
        if label_columns(r.entity) or _link_columns(r.entity):
            add(r.entity, r.record_id)
        if r.field:
            kind = reference_of(r.entity, r.field)
            if kind:
                add(kind, _decode(r.old))
                add(kind, _decode(r.new))
            continue
        for text in (r.old, r.new):
            values = _decode(text)
            if isinstance(values, dict):
                for key, value in values.items():
                    add(reference_of(r.entity, key, values), value)
    return out


@dataclass(frozen=True)
class RecordName:
    text: str
    #: the record no longer exists (its name is the one it had when deleted)
    deleted: bool = False


def record_names(ws: Workspace, refs: dict[str, set[int]]) -> dict[tuple[str, int], RecordName]:
    """(kind, id) → the record's name for every id in ``refs`` that has one: the current name,
    or for a deleted record its name when deleted (from the audit trail). A link record with no
    name of its own (a training record, a person's role) is named by the records it links
    ("Priya Raman · CAM-01 CMM programming"). A few queries per kind of record, whatever the
    number of ids."""
    tables = _tables()
    with ws.connect() as conn:
        links = {k: ids for k, ids in refs.items()
                 if k in tables and not label_columns(k) and _link_columns(k)}
        link_values = {k: _values(conn, k, ids, _link_columns(k)) for k, ids in links.items()}
        wanted: dict[str, set[int]] = {k: set(v) for k, v in refs.items() if k not in links}
        fk = _fk_map()
        for kind, found in link_values.items():
            for values, _deleted in found.values():
                for col in _link_columns(kind):
                    target, v = fk[(kind, col)], values.get(col)
                    if isinstance(v, int) and label_columns(target):
                        wanted.setdefault(target, set()).add(v)
        out: dict[tuple[str, int], RecordName] = {}
        for kind, ids in wanted.items():
            cols = label_columns(kind)
            if not cols or not ids:
                continue
            for rid, (values, deleted) in _values(conn, kind, ids, cols).items():
                label = label_of(kind, values)
                if label:
                    out[(kind, rid)] = RecordName(label, deleted)
        for kind, found in link_values.items():
            for rid, (values, deleted) in found.items():
                names = [out.get((fk[(kind, col)], values.get(col)))
                         for col in _link_columns(kind)]
                label = " · ".join(n.text for n in names if n is not None)
                if label:
                    out[(kind, rid)] = RecordName(label, deleted)
        return {k: v for k, v in out.items() if k[1] in refs.get(k[0], ())}


def _link_columns(kind: str) -> tuple[str, ...]:
    """The columns that name a link record: its references to records that have names."""
    table = _tables().get(kind)
    if table is None:
        return ()
    fk = _fk_map()
    return tuple(c.name for c in table.c
                 if (kind, c.name) in fk and label_columns(fk[(kind, c.name)]))


def _values(conn, kind: str, ids: set[int], cols: tuple[str, ...]
            ) -> dict[int, tuple[dict, bool]]:
    """id → (values of ``cols``, deleted?) for records of ``kind``: the live rows, and for the
    ids no longer there the values their last insert or delete event holds."""
    table = _tables()[kind]
    c = AUDIT_TABLE.c
    out: dict[int, tuple[dict, bool]] = {}
    wanted = sorted(ids)
    for i in range(0, len(wanted), _CHUNK):
        stmt = select(table.c.id, *(table.c[n] for n in cols)).where(
            table.c.id.in_(wanted[i:i + _CHUNK]))
        for row in conn.execute(stmt):
            out[row[0]] = (dict(zip(cols, row[1:])), False)
    gone = [i for i in wanted if i not in out]
    for i in range(0, len(gone), _CHUNK):
        stmt = select(c.record_id, c.old, c.new, c.op).where(
            c.entity == kind, c.record_id.in_(gone[i:i + _CHUNK]),
            c.op.in_(("insert", "delete")), c.field == "").order_by(c.id)
        for row in conn.execute(stmt):  # the last state wins: the delete's
            values = _decode(row.old if row.op == "delete" else row.new)
            if isinstance(values, dict):
                out[row.record_id] = (values, True)
    return out


def _records_matching(conn, text: str, entity: str = ""):
    """A condition on events: their record is one whose name contains ``text`` (now, or when it
    was deleted)."""
    c = AUDIT_TABLE.c
    tables = _tables()
    kinds = [entity] if entity else [k for k in tables if label_columns(k)]
    pat = _like(text)
    matches: dict[str, set[int]] = {}
    for kind in kinds:
        cols = label_columns(kind)
        if not cols:
            continue
        table = tables[kind]
        stmt = select(table.c.id).where(or_(*(table.c[n].like(pat, escape="\\")
                                              for n in cols)))
        matches.setdefault(kind, set()).update(conn.execute(stmt).scalars())
    # deleted records: their last values are in their delete event
    stmt = select(c.entity, c.record_id, c.old).where(
        c.op == "delete", c.old.like(pat, escape="\\"),
        c.entity.in_([k for k in kinds if label_columns(k)]))
    needle = text.casefold()
    for row in conn.execute(stmt):
        values = _decode(row.old)
        if isinstance(values, dict) and needle in label_of(row.entity, values).casefold():
            matches.setdefault(row.entity, set()).add(row.record_id)
    conds = [and_(c.entity == kind, c.record_id.in_(sorted(ids)))
             for kind, ids in matches.items() if ids]
    return or_(*conds) if conds else c.id < 0


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


__all__ = ["AuditFilter", "AuditRow", "RecordName", "count_events", "fetch_events",
           "foreign_keys", "head_stamp", "head_stamp_of", "label_columns", "label_of",
           "latest_event_id", "parse_filter", "parse_stamp", "record_names", "reference_of",
           "references", "stamp_text", "users", "ws_stamp_text"]
