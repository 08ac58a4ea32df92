"""The audit log as a formatted .xlsx workbook (``qms export audit-log``, the Audit trail page).

Sheets, in this order:

* **Cover**: the workspace file, the organization, the period and filters, how many events were
  exported, the audit-trail head (hash and event number), the result of the check of the hash
  chain (which check it was is written beside it), when and by whom the file was exported.
* **Audit trail** (then "Audit trail (2)", … when a sheet reaches :data:`MAX_SHEET_ROWS`): one
  row per event, oldest first — time (an Excel date and time, UTC), user, operation (created,
  changed, deleted), record kind in words, the record by its name ("SOP-007 Control of
  documents", "Priya Raman"; a deleted record by the name its deletion recorded), field, old
  and new value (a created or deleted record's values summarised as ``field: value; …``,
  references to other records by name), the meaning of a signature, event number, short hash.
* **Internal-audit findings**: every finding with its run, text, status, correction, root
  cause, effectiveness check, closing date and linked actions (the register as it stands; the
  filters select events only).
* **Document approvals**: every signature on a document revision (number, title, revision,
  meaning, printed name, user, time signed in UTC and as the signer's clock showed it) and
  whether it is still valid (``services.documents.signature_checks``); within the period when
  one is given.

Each table is a real Excel table (filters, unique header names, its range exactly the data),
its header row frozen. Printed, each sheet is landscape, fitted to the page width, its header
row repeated on every page; on the trail every text wraps within its column at the top left
of its row (the default format and the columns' format, not a style per cell: the export's
speed) and a row is as tall as its longest record, field or value needs. Every text goes through :mod:`~qms_desktop.services.exports.cells`
(by the same ``_Sheet`` helper the training export uses), so a text such as ``=HYPERLINK(…)``
or ``@SUM(A1)`` is stored as quoted plain text, never as a formula. One font family throughout
(:data:`~qms_desktop.services.exports.training_xlsx.FONT_NAME`).

Memory stays flat: events are read in keyset-paged chunks of :data:`CHUNK` on a plain
connection (``ws.connect()``; no read lock is held between chunks, so edits are never blocked)
and streamed into openpyxl's write-only workbook; names of records are read once per kind of
record and cached. The chain is checked while the events stream by when the whole trail is
exported (a separate pass over the trail when filtered): every event's hash recomputed and its
link to the one before checked — not the comparison of every record with its history that
``qms verify`` adds (``full_verify=True`` runs that instead). openpyxl is imported lazily.
"""

from __future__ import annotations

import datetime as dt
import json
from copy import copy
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .cells import MAX_CELL_TEXT

__all__ = ["AuditLogResult", "CHUNK", "KIND_WORDS", "MAX_SHEET_ROWS", "OP_WORDS",
           "entity_by_word", "export_audit_log", "trail_values"]

#: rows an Excel sheet holds, its header row included; a longer trail goes on "Audit trail (2)"…
MAX_SHEET_ROWS = 1_048_576
#: events read per query
CHUNK = 5000
#: how many characters of the hash the trail sheet shows
SHORT_HASH = 16
#: how many characters of one value a created or deleted record's summary shows
SUMMARY_VALUE_CHARS = 200
#: how often (events) progress is reported and cancel asked
_REPORT_EVERY = 2000

OP_WORDS = {"insert": "created", "update": "changed", "delete": "deleted"}

#: record kinds in words (the same words the app shows; services cannot use the Qt labels)
KIND_WORDS = {
    "setting": "setting", "organization": "organization", "person": "person", "role": "role",
    "person_role": "person's role", "process": "process", "process_lane": "process lane",
    "process_node": "process step", "process_edge": "process flow",
    "node_document": "step document", "node_objective": "step objective", "risk": "risk",
    "risk_rating": "risk rating", "action": "action", "nonconformity": "nonconformity",
    "document": "document", "revision": "revision", "document_section": "document section",
    "signature": "signature", "app_user": "user account", "course": "course",
    "role_course": "role requirement", "training_record": "training record",
    "checklist_template": "checklist template", "checklist_item": "checklist item",
    "checklist_run": "checklist run", "response": "checklist response", "finding": "finding",
    "audit_step": "audit step", "evidence_link": "evidence link", "objective": "objective",
    "measurement": "measurement", "management_review": "management review",
    "attachment": "attachment", "attachment_blob": "attachment file",
}

#: (header, width in characters): the values that may be long (record, old and new value)
#: wrap within their column and "New value" is the widest; a field or an old value is often
#: empty (a created record), so those columns are narrower — a landscape page fitted to the
#: width prints them at a readable size
_TRAIL_COLUMNS = (("Time (UTC)", 19), ("User", 12), ("Operation", 10), ("Record kind", 15),
                  ("Record", 36), ("Field", 14), ("Old value", 28), ("New value", 52),
                  ("Signature meaning", 11), ("Event no.", 9), ("Hash", 20))
#: the trail's columns whose texts may need more than a line (record, field, old and new
#: value): each row is made as tall as its longest text needs
_TRAIL_FIT = (4, 5, 6, 7)
#: points per line of text (11 pt type) and the most a row may be (Excel's limit)
_LINE_HEIGHT = 15
_MAX_ROW_HEIGHT = 409
_FINDING_COLUMNS = (("Run", 11), ("Run title", 22), ("Run kind", 13), ("Ref", 12),
                    ("Kind", 16), ("Clause", 8), ("Finding", 40), ("Status", 8),
                    ("Correction", 28), ("Root cause", 28), ("Effectiveness check", 28),
                    ("Effective", 9), ("Closed on", 11), ("Linked actions", 34))
_APPROVAL_COLUMNS = (("Document", 14), ("Title", 36), ("Revision", 10), ("Meaning", 11),
                     ("Printed name", 22), ("User", 14), ("Signed at (UTC)", 19),
                     ("Local time", 27), ("Valid", 8), ("Check", 40))
_RUN_KINDS = {"gap_analysis": "gap analysis", "internal_audit": "internal audit",
              "inspection": "inspection"}
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_DATE_FORMAT = "yyyy-mm-dd"


@dataclass
class AuditLogResult:
    """What an export wrote."""

    path: Path
    events: int
    trail_sheets: list[str]
    findings: int
    approvals: int
    head_hash: str
    head_event: int
    chain_ok: bool
    check: str  # the verification sentence on the cover
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- words

def kind_word(kind: str) -> str:
    return KIND_WORDS.get(kind) or kind.replace("_", " ")


def entity_by_word(text: str) -> str:
    """A record kind (table name) from its name or its word ("training record",
    "training_record", "Training-Record"); ValueError with one sentence when there is none."""
    from ..audit_trail import _tables

    key = " ".join(str(text).replace("_", " ").replace("-", " ").split()).casefold()
    tables = [t for t in _tables() if t != "audit_event"]
    for t in tables:
        if key in (t.replace("_", " "), kind_word(t).casefold()):
            return t
    if key.endswith("s"):  # "risks", "training records"
        try:
            return entity_by_word(key[:-1])
        except ValueError:
            pass
    raise ValueError(f"“{text}” is not a kind of record; use one of: "
                     + ", ".join(sorted(kind_word(t) for t in tables)) + ".")


def _field_word(name: str) -> str:
    return name.replace("_", " ")


def _one_line(text: str, limit: int) -> str:
    if "\n" in text or "\r" in text or "\t" in text:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


_MISSING = object()


def _same(value: Any) -> Any:
    return value


def _decode(text: str | None) -> Any:
    if text is None:
        return None
    if text[:1] == '"' and "\\" not in text and text[-1:] == '"':
        return text[1:-1]  # a plain JSON string: most values
    try:
        value, end = _raw_decode(text)  # (json.loads without its whitespace checks)
    except (TypeError, ValueError):
        pass
    else:
        if end == len(text):
            return value
    try:
        return json.loads(text)
    except ValueError:
        return text


_raw_decode = json.JSONDecoder().raw_decode


# --------------------------------------------------------------------------- record names

_IDENTS = frozenset(("ref", "code", "number"))


def _label_of(columns: tuple[str, ...], values: dict) -> str:
    """As ``services.audit_trail.label_of`` (its first identifier and first text that are not
    empty), with the record kind's naming columns given."""
    ident = text = ""
    for col in columns:
        v = values.get(col)
        if v is None or v == "":
            continue
        v = v if v.__class__ is str else str(v)
        if not v.strip():
            continue
        if col in _IDENTS:
            if not ident:
                ident = " ".join(v.split())
        elif not text:
            text = " ".join(v.split())
    return f"{ident} {text}" if ident and text else ident or text

class _Names:
    """Record names by (kind, id): live records read once per kind (one query), deleted ones
    from their delete event (one indexed query per kind and batch), link records named by the
    records they link, revisions by their document, signatures by signer and signed record."""

    def __init__(self, conn: Any, upto: int):
        from ..audit_trail import _fk_map, _tables

        self.conn = conn
        self.upto = upto
        self.tables = _tables()
        self.fk = _fk_map()
        self._live: dict[str, dict[int, Any]] = {}
        self._gone: dict[tuple[str, int], dict | None] = {}
        self._cache: dict[tuple[str, int], str] = {}
        self.meanings: dict[int, str] = {}
        self._columns: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def columns(self, kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the columns that name a record of ``kind``, the columns linking it to named
        records)."""
        got = self._columns.get(kind)
        if got is None:
            from ..audit_trail import _link_columns, label_columns

            got = self._columns[kind] = (label_columns(kind), _link_columns(kind))
        return got

    # -- reading
    def _kind(self, kind: str) -> dict[int, Any]:
        """id → values (a dict of the columns that name it) of the live records of ``kind``."""
        got = self._live.get(kind)
        if got is not None:
            return got
        from sqlalchemy import select

        got = self._live[kind] = {}
        table = self.tables.get(kind)
        if table is None:
            return got
        labels, links = self.columns(kind)
        cols = list(dict.fromkeys(labels + links))
        if kind == "revision":
            cols = ["number", "document_id"]
        elif kind == "signature":
            cols = ["entity", "record_id", "meaning", "signer_name"]
        if not cols:
            return got
        for row in self.conn.execute(select(table.c.id, *(table.c[c] for c in cols))).fetchall():
            got[row[0]] = dict(zip(cols, row[1:]))
        if kind == "signature":
            self.meanings.update((rid, v["meaning"] or "") for rid, v in got.items())
        return got

    def prefetch_gone(self, kind: str, ids: set[int]) -> None:
        """Read the delete events of the records of ``kind`` among ``ids`` that no longer
        exist (one indexed query per 500)."""
        from sqlalchemy import select

        from ...storage.audit import AUDIT_TABLE

        live = self._kind(kind)
        want = sorted(i for i in ids if i not in live and (kind, i) not in self._gone)
        if not want:
            return
        c = AUDIT_TABLE.c
        for i in range(0, len(want), 500):
            part = want[i:i + 500]
            for k in part:
                self._gone[(kind, k)] = None
            stmt = select(c.record_id, c.old).where(
                c.entity == kind, c.record_id.in_(part), c.op == "delete",
                c.id <= self.upto).order_by(c.id)
            for rid, old in self.conn.execute(stmt):
                values = _decode(old)
                if isinstance(values, dict):
                    self._gone[(kind, rid)] = values
                    if kind == "signature":
                        self.meanings.setdefault(rid, str(values.get("meaning") or ""))

    def values(self, kind: str, rid: int) -> tuple[dict | None, bool]:
        """(values naming the record, deleted?)."""
        got = self._kind(kind).get(rid)
        if got is not None:
            return got, False
        key = (kind, rid)
        if key not in self._gone:
            self.prefetch_gone(kind, {rid})
        return self._gone.get(key), True

    # -- naming
    def name(self, kind: str, rid: Any, depth: int = 0) -> str:
        """The record's name; "(deleted)" after the name of one that no longer exists; the
        kind and number ("checklist response #7") when it has no name."""
        if rid.__class__ is not int and (not isinstance(rid, int) or isinstance(rid, bool)):
            return "" if rid is None else str(rid)
        key = (kind, rid)
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = self._compose(kind, rid, depth)
        return got

    def _compose(self, kind: str, rid: int, depth: int) -> str:
        if kind not in self.tables:
            return f"{kind_word(kind)} #{rid}"
        live = self._live.get(kind)
        values = live.get(rid) if live is not None else None
        if values is not None:
            return self._label(kind, values, depth) or f"{kind_word(kind)} #{rid}"
        values, deleted = self.values(kind, rid)
        label = ""
        if values is not None:
            label = self._label(kind, values, depth)
        if not label:
            label = f"{kind_word(kind)} #{rid}"
        return f"{label} (deleted)" if deleted and values is not None else label

    def _label(self, kind: str, values: dict, depth: int) -> str:
        labels, links = self.columns(kind)
        if depth > 2:  # (a chain of links is named by its first records only)
            return _label_of(labels, values)
        if kind == "revision":
            doc = self._ref_name("document", values.get("document_id"), depth)
            number = str(values.get("number") or "").strip()
            return f"{doc} rev {number}".strip() if number else doc
        if kind == "signature":
            target = values.get("entity")
            on = self._ref_name(target, values.get("record_id"), depth) \
                if isinstance(target, str) else ""
            who = " ".join(str(values.get("signer_name") or "").split())
            return " on ".join(p for p in (who, on) if p)
        if labels:
            return _label_of(labels, values)
        parts = [self._ref_name(self.fk[(kind, col)], values.get(col), depth)
                 for col in links]
        return " · ".join(p for p in parts if p)

    def _ref_name(self, kind: str | None, rid: Any, depth: int) -> str:
        if kind is None or not isinstance(rid, int) or isinstance(rid, bool):
            return ""
        return self.name(kind, rid, depth + 1)

    def meaning(self, rid: int) -> str:
        self._kind("signature")
        if rid not in self.meanings:
            self.prefetch_gone("signature", {rid})
        return self.meanings.get(rid, "")


# --------------------------------------------------------------------------- event rows

class _Rows:
    """Turns events into the trail sheet's row values (plain Python values: a datetime for the
    time, texts, the event number)."""

    def __init__(self, names: _Names, protect: Callable[[str], Any] | None = None):
        """``protect``: what a text becomes in a cell (``_Sheet.text``: kept as quoted plain
        text when it could be read as a formula); None: rows of plain values. Texts that repeat
        (users, operations, kinds, fields, record names) are protected once and cached."""
        from ..audit_trail import _fk_map, _polymorphic, _tables
        from .training_xlsx import _RISKY_FIRST

        self.names = names
        self._risky = _RISKY_FIRST
        self.fk = _fk_map()
        self.poly = _polymorphic()
        self.tables = _tables()
        self.protect = protect or _same
        self._fields: dict[tuple[str, str], tuple[str, str | None]] = {}
        self._order: dict[str, list[tuple[str, str, str | None]]] = {}
        self._at: tuple[str, Any] = ("", None)
        # (user, operation, kind) → (user, operation and kind as cells, the kind's record names
        # as cells by id, the kind's fields as (cell, the kind of record referred to) by name)
        self._heads: dict[tuple[Any, Any, Any], tuple[Any, Any, Any, dict, dict]] = {}
        self._words: dict[Any, Any] = {}  # (column, raw value) → cell value
        self._records: dict[str, dict[Any, Any]] = {}  # kind → id → its name as a cell
        self._kind_fields: dict[str, dict[str, tuple[Any, str | None]]] = {}

    def cell(self, text: str) -> Any:
        """What ``text`` becomes in a cell: ``protect(text)`` (see ``__init__``), taken as it
        is without the call when ``protect`` would return it unchanged anyway: a text whose
        first character cannot start a formula, an error value or a blank that hides one
        (``training_xlsx._RISKY_FIRST``, built from ``cells.FORMULA_STARTS``: with such a
        first character ``cells.needs_protection`` is False) and that has no control
        character and fits a cell (``_Sheet.text``'s own test)."""
        if text.__class__ is str and text and text[0] not in self._risky and text.isprintable() \
                and len(text) <= MAX_CELL_TEXT:
            return text
        return self.protect(text)

    def _word(self, column: int, raw: Any, text: str) -> Any:
        key = (column, raw)
        got = self._words.get(key, _MISSING)
        if got is _MISSING:
            got = self.cell(text) if text else None
            if len(self._words) < 50_000:
                self._words[key] = got
        return got

    def _head(self, user: Any, op: Any, entity: Any) -> tuple[Any, Any, Any, dict, dict]:
        got = (self._word(1, user, user or ""), self._word(2, op, OP_WORDS.get(op, op or "")),
               self._word(3, entity, kind_word(entity or "")),
               self._records.setdefault(entity, {}), self._kind_fields.setdefault(entity, {}))
        if len(self._heads) < 50_000:
            self._heads[(user, op, entity)] = got
        return got

    def field(self, entity: str, name: str) -> tuple[str, str | None]:
        """(the field in words, the kind of record it refers to or None)."""
        key = (entity, name)
        got = self._fields.get(key)
        if got is None:
            target = self.fk.get(key)
            word = _field_word(name)
            if target and name.endswith("_id"):
                table = self.tables.get(entity)
                # "owner_id" → "owner"; "user_id" beside a "user" column → "user account"
                word = kind_word(target) if table is not None and name[:-3] in table.c \
                    else _field_word(name[:-3])
            got = self._fields[key] = (word, target)
        return got

    def time(self, at: str) -> Any:
        if at == self._at[0]:
            return self._at[1]
        try:
            t = dt.datetime.fromisoformat(at)
        except (TypeError, ValueError):
            value: Any = at  # not a time (written outside the application): shown as text
        else:
            if t.tzinfo is not None:
                t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
            value = t
        self._at = (at, value)
        return value

    def value(self, entity: str, name: str, raw: Any, values: dict | None = None) -> str:
        if raw is None or raw == "":
            return ""
        target = self.fk.get((entity, name))
        if target is None and name == "record_id" and values is not None \
                and entity in self.poly:
            kind = values.get("entity")
            target = kind if isinstance(kind, str) and kind in self.tables else None
        if target is not None and isinstance(raw, int):
            return self.names.name(target, raw)
        return raw if isinstance(raw, str) else str(raw)

    def _plan(self, entity: str) -> list[tuple[str, str, str | None]]:
        """(column, its word and ": ", the kind it refers to) for the columns of ``entity``, names
        first, then in the table's order; ``record_id`` of a record attached to any record
        refers to the kind its ``entity`` names ("*")."""
        got = self._order.get(entity)
        if got is None:
            from ..audit_trail import label_columns

            table = self.tables.get(entity)
            cols = list(label_columns(entity)) + ([c.name for c in table.c]
                                                  if table is not None else [])
            got = []
            for col in dict.fromkeys(cols):
                if col == "id":
                    continue
                word, target = self.field(entity, col)
                if target is None and entity in self.poly and col in ("record_id", "entity"):
                    # a record attached to any record: the record it belongs to, by name
                    word, target = ("record", "*") if col == "record_id" else ("record kind",
                                                                                "kind")
                got.append((col, word + ": ", target))
            self._order[entity] = got
        return got

    def summary(self, entity: str, values: Any) -> str:
        """A created or deleted record's values: ``field: value; …`` in the table's column
        order (names first), empty values left out, references by name."""
        if values.__class__ is not dict:
            return "" if values is None else str(values)
        name = self.names.name
        parts = []
        seen = 0
        limit = SUMMARY_VALUE_CHARS
        add = parts.append
        get = values.get
        for col, label, target in self._order.get(entity) or self._plan(entity):
            v = get(col, _MISSING)
            if v is _MISSING:
                continue
            seen += 1
            if v.__class__ is str:
                if not v:
                    continue
                if target == "kind":
                    v = kind_word(v)
                add(label + (v if len(v) <= limit and v.isprintable() else _one_line(v, limit)))
                continue
            if v is None or v == "":
                continue
            if v.__class__ is int:
                if target is None:
                    text = str(v)  # (digits: one line)
                    if len(text) > limit:
                        text = _one_line(text, limit)
                elif target == "*":
                    kind = get("entity")
                    text = name(kind, v) if isinstance(kind, str) and kind in self.tables \
                        else str(v)
                else:
                    text = name(target, v)
            else:
                text = _one_line(str(v), limit)
            add(label + text)
        if seen + ("id" in values) < len(values):  # columns the table no longer has
            known = {col for col, _w, _t in self._plan(entity)}
            for k in sorted(values):
                v = values[k]
                if k not in known and k != "id" and v is not None and v != "":
                    parts.append(f"{_field_word(k)}: {_one_line(str(v), limit)}")
        return "; ".join(parts)

    def row(self, ev: Sequence[Any]) -> list[Any]:
        """ev: (id, at, user, op, entity, record_id, field, old, new, prev_hash, hash)."""
        eid, at, user, op, entity, rid, name, old, new, _prev, hsh = ev
        if entity in _SECRET_ENTITIES:  # a password hash is never written out
            old, new = _redact(entity, name or "", old, new)
        head = self._heads.get((user, op, entity))
        if head is None:
            head = self._head(user, op, entity)
        who, what, kind, records, fields = head
        protect = self.protect
        risky = self._risky
        if name:
            got = fields.get(name)
            if got is None:
                word, target = self.field(entity, name)
                got = fields[name] = (self.cell(word), target)
            word, target = got
            # (as _decode, its common case inline: a plain JSON string)
            if old is None:
                o = None
            elif old[:1] == '"' and "\\" not in old and old[-1:] == '"':
                o = old[1:-1]
            else:
                o = _decode(old)
            if new is None:
                n = None
            elif new[:1] == '"' and "\\" not in new and new[-1:] == '"':
                n = new[1:-1]
            else:
                n = _decode(new)
            if target is not None:
                old_text = self.names.name(target, o) if o is not None else ""
                new_text = self.names.name(target, n) if n is not None else ""
            else:
                old_text = "" if o is None else o if o.__class__ is str else str(o)
                new_text = "" if n is None else n if n.__class__ is str else str(n)
        else:
            word = None
            old_text = self.summary(entity, _decode(old)) if old is not None else ""
            new_text = self.summary(entity, _decode(new)) if new is not None else ""
        record = records.get(rid, _MISSING)
        if record is _MISSING:
            record = records[rid] = self.cell(self.names.name(entity, rid))
        meaning = None
        if entity == "signature":
            meaning = self.names.meaning(rid)
            meaning = self.cell(meaning) if meaning else None
        # texts as self.cell(…) would give them, its test inline; an empty value is no cell
        if old_text:
            if old_text[0] in risky or not old_text.isprintable() \
                    or len(old_text) > MAX_CELL_TEXT:
                old_text = protect(old_text)
        else:
            old_text = None
        if new_text:
            if new_text[0] in risky or not new_text.isprintable() \
                    or len(new_text) > MAX_CELL_TEXT:
                new_text = protect(new_text)
        else:
            new_text = None
        if hsh:
            hsh = hsh[:SHORT_HASH] + "…"
            if hsh[0] in risky or not hsh.isprintable():
                hsh = protect(hsh)
        else:
            hsh = None
        at_value = self._at[1] if at == self._at[0] else self.time(at)
        if at_value.__class__ is str and at_value:  # (not a time: a text like any other)
            at_value = self.cell(at_value)
        return [at_value, who, what, kind, record, word, old_text, new_text, meaning, eid, hsh]


def _event_chunks(conn: Any, conds: list, upto: int) -> Iterator[list]:
    """The events matching ``conds`` up to event id ``upto``, oldest first, in lists of
    :data:`CHUNK` (each read by its own short statement: no read lock is held between chunks,
    so an edit meanwhile is never kept waiting; events up to ``upto`` never change). Read on
    the driver's cursor: plain tuples, no per-row result processing."""
    from sqlalchemy import and_, bindparam, select

    from ...storage.audit import AUDIT_TABLE

    c = AUDIT_TABLE.c
    cols = (c.id, c.at, c.user, c.op, c.entity, c.record_id, c.field, c.old, c.new,
            c.prev_hash, c.hash)
    stmt = select(*cols).where(and_(c.id > bindparam("al_last", 0),
                                    c.id <= bindparam("al_upto", 0), *conds)) \
        .order_by(c.id).limit(CHUNK)
    compiled = stmt.compile(dialect=conn.dialect,
                            compile_kwargs={"render_postcompile": True})
    sql, order, fixed = str(compiled), compiled.positiontup, compiled.params
    last = 0
    while True:
        if conn.in_transaction():
            conn.commit()  # (names read since the last chunk)
        params = dict(fixed, al_last=last, al_upto=upto)
        raw = conn.connection.dbapi_connection
        rows = raw.execute(sql, [params[n] for n in order]).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]
        if len(rows) < CHUNK:
            return


def _prefetch(names: _Names, rows: list) -> None:
    """Batch the delete-event reads for the records a chunk of events changed."""
    by_kind: dict[str, set[int]] = {}
    for r in rows:
        by_kind.setdefault(r[4], set()).add(r[5])
    for kind, ids in by_kind.items():
        if kind in names.tables:
            names.prefetch_gone(kind, ids)



def _redact(entity, field, old, new):
    from ..audit_trail import redact

    return redact(entity, field, old, new)


def _secret_entities() -> frozenset:
    from ..audit_trail import SECRET_FIELDS

    return frozenset(e for e, _f in SECRET_FIELDS)


_SECRET_ENTITIES = _secret_entities()


def trail_values(ws: Any, flt: Any = None) -> Iterator[list[Any]]:
    """The trail sheet's rows as plain values (time as a datetime), oldest first: what the
    export writes, for benchmarks and checks."""
    from sqlalchemy import func, select

    from ...storage.audit import AUDIT_TABLE
    from ..audit_trail import _where

    with ws.connect() as conn:
        upto = conn.execute(select(func.max(AUDIT_TABLE.c.id))).scalar() or 0
        conds = _where(flt, conn) if flt is not None and not flt.empty else []
        rows = _Rows(_Names(conn, upto))
        for chunk in _event_chunks(conn, conds, upto):
            _prefetch(rows.names, chunk)
            for ev in chunk:
                yield rows.row(ev)


# --------------------------------------------------------------------------- the chain

class _ChainCheck:
    """Checks links and hashes of events fed in order (the first problem is kept)."""

    def __init__(self) -> None:
        from ...core.audit_chain import GENESIS, OPS, event_hash

        self.prev = GENESIS
        self.n = 0
        self.problem = ""
        self._ops = OPS
        self._hash = event_hash

    def feed_all(self, events: Sequence[Sequence[Any]]) -> None:
        """:meth:`feed` each of ``events`` in turn."""
        if self.problem:
            return
        prev, ops, event_hash = self.prev, self._ops, self._hash
        for ev in events:
            eid, at, user, op, entity, rid, name, old, new, prev_hash, hsh = ev
            if prev_hash != prev or op not in ops or event_hash(
                    prev_hash, at, user, op, entity, rid, name or "", old, new) != hsh:
                self.prev = prev
                self.feed(ev)  # (says what is wrong)
                return
            prev = hsh
            self.n += 1
        self.prev = prev

    def feed(self, ev: Sequence[Any]) -> None:
        if self.problem:
            return
        eid, at, user, op, entity, rid, name, old, new, prev_hash, hsh = ev
        self.n += 1
        if prev_hash != self.prev:
            self.problem = (f"audit event {eid} ({entity} {rid}) does not follow the event "
                            "before it: events were removed, inserted or reordered")
        elif op not in self._ops:
            self.problem = f"audit event {eid} has an unknown operation {op!r}"
        elif self._hash(prev_hash, at, user, op, entity, rid, name or "", old, new) != hsh:
            self.problem = (f"audit event {eid} ({entity} {rid}) was altered: its hash does "
                            "not match its contents")
        self.prev = hsh


# --------------------------------------------------------------------------- the workbook

class _Table:
    """One table spread over as many sheets as it needs (a new one when a sheet is full),
    each a real Excel table with a frozen header row."""

    def __init__(self, workbook: Any, title: str, table_name: str,
                 columns: Sequence[tuple[str, float]], *, styles: dict, date_columns=(),
                 number_format: str = _DATETIME_FORMAT, stamp: str = "",
                 generated_at: dt.datetime | None = None, wrap: bool = False,
                 fit: Sequence[int] = ()):
        """``wrap``: texts wrap within their column, each row as tall as its longest text
        needs, set here (for the small registers; the trail's rows are sized by the
        spreadsheet: every cell without a style of its own wraps, see
        :func:`_wrap_by_default`). ``fit``: the columns
        whose texts may wrap; a row whose text there is longer than a line is made as tall as
        it needs (neither LibreOffice nor Excel sizes a written row to its wrapped text)."""
        self.workbook = workbook
        self.title = title
        self.table_name = table_name
        self.columns = columns
        self.styles = styles
        self.date_columns = tuple(date_columns)
        self.number_format = number_format
        self.stamp = stamp
        self.generated_at = generated_at
        self.wrap = wrap
        #: (column index, characters a line holds) of the ``fit`` columns
        self._fit = [(i, _line_chars(self.columns[i][1])) for i in fit]
        self._heights: dict[int, dict] = {}   # lines: the row's attributes
        self.sheets: list[str] = []
        self.rows = 0  # data rows written in all
        self._in_sheet = 0
        self.sheet: Any = None
        self.w: Any = None
        self._templates: list[tuple[int, Any, list]] = []
        self.per_sheet = max(1, MAX_SHEET_ROWS - 1)
        self._left = 0  # rows the open sheet still takes (append_ready)
        self._sheet_append: Any = None
        from openpyxl.utils.datetime import to_excel

        self._to_excel = to_excel
        self._serials = not getattr(workbook, "iso_dates", False)

    def _open(self) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        from .training_xlsx import _Sheet, _page_setup

        n = len(self.sheets) + 1
        title = self.title if n == 1 else f"{self.title} ({n})"
        sheet = self.workbook.create_sheet(title)
        self.sheet, self._in_sheet = sheet, 0
        self.sheets.append(title)
        self.w = _Sheet(sheet, self.styles)
        # LibreOffice gives a cell without a format of its own its column's (Excel the
        # default format): both wrap, at the top left (see _wrap_by_default)
        plain = self.w.style_of(_column_style())
        for i, (_, width) in enumerate(self.columns, start=1):
            column = sheet.column_dimensions[get_column_letter(i)]
            column.width = width
            column._style = copy(plain)
        sheet.freeze_panes = "A2"
        if self.generated_at is not None:
            _page_setup(sheet, landscape=True, title=title, stamp=self.stamp,
                        generated_at=self.generated_at)
            sheet.page_setup.fitToWidth = 1
            sheet.page_setup.fitToHeight = 0
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
            sheet.print_title_rows = "1:1"
        head = _head_style()
        lines = max(_lines(h, _line_chars(width)) for h, width in self.columns)
        if lines > 1:  # a header wraps (e.g. "Signature meaning" in a narrow column)
            sheet.row_dimensions[1] = self._height(lines)
        sheet.append([self.w.text(h, **head) for h, _ in self.columns])
        sheet.row_dimensions.pop(1, None)
        self._templates = []
        for index in self.date_columns:
            cell = WriteOnlyCell(sheet)
            cell._style = self.w.style_of(_date_style(self.number_format))
            self._templates.append((index, cell, [None, None]))  # (last datetime, its number)
        self._sheet_append = sheet.append
        self._left = self.per_sheet

    def protect(self, text: str) -> Any:
        """What ``text`` becomes in a cell of this table (see ``_Sheet.text``); a text
        stored in a cell of its own (kept as plain text) sits and wraps as the others."""
        if self.sheet is None:
            self._open()
        got = self.w.text(text)
        if got is not None and got.__class__ is not str and not got.alignment.wrap_text:
            got.alignment = _plain_alignment()
        return got

    def append(self, row: list[Any], *, ready: bool = False) -> None:
        """Append one row of plain values (texts go through cells.py, dates as dates);
        ``ready``: its texts went through :meth:`protect` already."""
        if self.sheet is None or self._in_sheet >= self.per_sheet:
            if self.sheet is not None and self._in_sheet:
                self._close_table()
                self.sheet = None
            if self.sheet is None:
                self._open()
        if ready:
            out = row
        elif self.wrap:
            out = self._wrapped(row)
        else:
            text = self.w.text
            out = [v if v is None or v.__class__ is int or v.__class__ is float else text(v)
                   if v.__class__ is str else v for v in row]
        for index, cell, _last in self._templates:
            v = out[index]
            if isinstance(v, dt.datetime) or isinstance(v, dt.date):
                cell._value = v
                cell.data_type = "d"
                out[index] = cell
        self._append_fitted(self.sheet.append, out)
        self._in_sheet += 1
        self.rows += 1

    def _height(self, lines: int) -> dict:
        """The attributes of a row ``lines`` lines high (one dict per height, shared)."""
        got = self._heights.get(lines)
        if got is None:
            got = self._heights[lines] = {
                "ht": str(min(_MAX_ROW_HEIGHT, _LINE_HEIGHT * lines)), "customHeight": "1"}
        return got

    def _append_fitted(self, append: Callable[[list], Any], row: list[Any]) -> None:
        """``append(row)``, the row as tall as its longest text in a ``fit`` column needs.
        (openpyxl's write-only sheet writes a row's attributes from ``row_dimensions`` as it
        appends it; the entry is removed at once, so a long trail keeps no entry per row.)"""
        lines = 1
        for index, chars in self._fit:
            v = row[index]
            if v.__class__ is not str:
                v = getattr(v, "_value", None)   # a text stored as a cell of its own
                if v.__class__ is not str:
                    continue
            if len(v) > chars:
                n = _lines(v, chars)
                if n > lines:
                    lines = n
        if lines == 1:
            append(row)
            return
        number = self._in_sheet + 2   # the header is row 1
        dims = self.sheet.row_dimensions
        dims[number] = self._height(lines)
        try:
            append(row)
        finally:
            del dims[number]

    def append_ready(self, row: list[Any]) -> None:
        """:meth:`append` of a row whose texts went through :meth:`protect` already, the
        common case without the checks: a time (a ``datetime``) written as the number Excel
        keeps for it (what openpyxl writes for a date cell: ``to_excel`` on the workbook's
        epoch; the same number for events of the same time computed once)."""
        if self._left <= 0:
            self.append(row, ready=True)
            self._left = self.per_sheet - self._in_sheet
            return
        for index, cell, last in self._templates:
            v = row[index]
            if v.__class__ is dt.datetime and self._serials:
                if v is not last[0]:
                    last[0], last[1] = v, self._to_excel(v, self.workbook.epoch)
                cell._value = last[1]
                cell.data_type = "n"
                row[index] = cell
            elif isinstance(v, dt.datetime) or isinstance(v, dt.date):
                cell._value = v
                cell.data_type = "d"
                row[index] = cell
        if self._fit:
            self._append_fitted(self._sheet_append, row)
        else:
            self._sheet_append(row)
        self._left -= 1
        self._in_sheet += 1
        self.rows += 1

    def _wrapped(self, row: list[Any]) -> list[Any]:
        top = _wrap_style()
        lines = 1
        out = []
        for v, (_h, width) in zip(row, self.columns):
            if v.__class__ is str and v:
                per_line = max(4, int(width * 1.1) - 2)
                lines = max(lines, sum(-(-len(part) // per_line) or 1
                                       for part in v.split("\n")))
                v = self.w.text(v, **top)
            out.append(v if v != "" else None)
        if lines > 1:
            self.sheet.row_dimensions[self._in_sheet + 2].height = min(409, 15 * lines)
        return out

    def close(self) -> None:
        if self.sheet is None:
            self._open()
        self._close_table()

    def _close_table(self) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.filters import AutoFilter
        from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

        if self._in_sheet == 0:
            self.sheet.append([])  # an Excel table needs a data row
        n = len(self.sheets)
        ref = f"A1:{get_column_letter(len(self.columns))}{max(self._in_sheet, 1) + 1}"
        table = Table(displayName=self.table_name if n == 1 else f"{self.table_name}{n}",
                      ref=ref,
                      tableColumns=[TableColumn(id=i, name=h)
                                    for i, (h, _) in enumerate(self.columns, start=1)],
                      autoFilter=AutoFilter(ref=ref),
                      tableStyleInfo=TableStyleInfo(name="TableStyleLight9",
                                                    showRowStripes=True))
        with warnings.catch_warnings():
            # openpyxl warns that write-only tables need their columns set by hand: done above
            warnings.simplefilter("ignore", UserWarning)
            self.sheet.add_table(table)


_STYLES: dict[str, dict] = {}


def _head_style() -> dict:
    """The header cells' style (made once: styles are cached by the identity of their parts)."""
    got = _STYLES.get("head")
    if got is None:
        from openpyxl.styles import Alignment

        from .training_xlsx import _font

        got = _STYLES["head"] = {"font": _font(bold=True),
                                 "alignment": Alignment(vertical="center", wrap_text=True)}
    return got


def _line_chars(width: float) -> int:
    """About how many characters of text a line of a column ``width`` wide holds (a little
    under: words wrap whole, and a row too tall is better than a text cut off)."""
    return max(4, int(width * 1.2) - 1)


def _lines(text: str, chars: int) -> int:
    """Lines ``text`` takes in a column holding ``chars`` characters a line."""
    return sum(-(-len(part) // chars) or 1 for part in text.split("\n"))


def _plain_alignment() -> Any:
    """Where the value of a cell without a style of its own sits: at the top left of its
    row, wrapped within its column. Left also for numbers: the event number then stands clear
    of the hash beside it."""
    got = _STYLES.get("plain")
    if got is None:
        from openpyxl.styles import Alignment

        got = _STYLES["plain"] = {"alignment": Alignment(horizontal="left", vertical="top",
                                                         wrap_text=True)}
    return got["alignment"]


def _column_style() -> dict:
    """The columns' format (what LibreOffice gives their cells without a style): as
    :func:`_plain_alignment`, with the plain font (so it is a format of its own, not xf 0)."""
    return {"alignment": _plain_alignment(), "font": _plain_font()}


def _wrap_by_default(workbook: Any) -> None:
    """Make the format of every cell without a style of its own (xf 0, what Excel gives
    them: most of the trail's cells) :func:`_plain_alignment`: a long value is printed whole
    on as many lines as it needs, and the row's other values stand beside its first line. A
    column's or a row's style would not reach these cells in Excel, and a style per cell
    would cost the export its speed. Call on a new workbook, before any cell is styled."""
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils.indexed_list import IndexedList

    default = StyleArray()
    default.alignmentId = workbook._alignments.add(_plain_alignment())
    workbook._cell_styles = IndexedList([default])


def _wrap_style() -> dict:
    got = _STYLES.get("wrap")
    if got is None:
        from openpyxl.styles import Alignment

        got = _STYLES["wrap"] = {"alignment": Alignment(wrap_text=True, vertical="top"),
                                 "font": _plain_font()}
    return got


def _date_style(number_format: str) -> dict:
    got = _STYLES.get(number_format)
    if got is None:
        got = _STYLES[number_format] = {"number_format": number_format, "alignment": _left(),
                                        "font": _plain_font()}
    return got


_LEFT = None
_PLAIN_FONT = None


def _plain_font() -> Any:
    global _PLAIN_FONT
    if _PLAIN_FONT is None:
        from .training_xlsx import _font

        _PLAIN_FONT = _font()
    return _PLAIN_FONT


def _left() -> Any:
    global _LEFT
    if _LEFT is None:
        from openpyxl.styles import Alignment

        _LEFT = Alignment(horizontal="left", vertical="top")
    return _LEFT


# --------------------------------------------------------------------------- the export

def _period_text(flt: Any) -> str:
    since = getattr(flt, "since", "") if flt is not None else ""
    until = getattr(flt, "until", "") if flt is not None else ""
    if since and until:
        return f"{since} to {until} (days in UTC, both included)"
    if since:
        return f"from {since} (UTC) to the end of the trail"
    if until:
        return f"from the start of the trail up to {until} (UTC)"
    return "whole trail"


def _filters_text(flt: Any) -> str:
    if flt is None:
        return "none"
    parts = []
    if flt.entity:
        parts.append(f"record kind: {kind_word(flt.entity)}")
    if flt.record_id is not None:
        parts.append(f"record number: {flt.record_id}")
    if flt.record_text:
        parts.append(f"record named like “{flt.record_text}”")
    if flt.exact_user:
        parts.append(f"user: {flt.exact_user}")
    if flt.user:
        parts.append(f"user containing “{flt.user}”")
    if flt.op:
        parts.append(f"operation: {OP_WORDS.get(flt.op, flt.op)}")
    if flt.field:
        parts.append(f"field: {_field_word(flt.field)}")
    if flt.words:
        parts.append("words: " + " ".join(flt.words))
    return "; ".join(parts) or "none"


def export_audit_log(ws: Any, path: str | Path, *, flt: Any = None,
                     progress: Callable[[int, int], Any] | None = None,
                     cancel: Callable[[], bool] | None = None, full_verify: bool = False,
                     generated_at: dt.datetime | None = None) -> AuditLogResult | None:
    """Write the audit log of ``ws`` (the events matching ``flt``, a
    :class:`~qms_desktop.services.audit_trail.AuditFilter`; None: all) to ``path``.

    ``progress(done, total)`` is called as events are written (it may raise to stop the
    export); ``cancel()`` is asked as often: when it returns True the export stops, no file is
    written (an existing file of that name is left as it was) and None is returned. The file
    is written under a temporary name beside ``path`` and moved into place when complete.
    ``full_verify`` runs ``services.verify.verify`` (records against their history too)
    instead of the chain check. Raises ``WorkspaceError`` (one sentence) for a target that
    cannot be written."""
    from openpyxl import Workbook
    from sqlalchemy import and_, func, select

    from ...storage.audit import AUDIT_TABLE, default_user
    from ..audit_trail import _where, stamp_text
    from .risks_xlsx import _check_target, _discard
    from .training_xlsx import _save

    path = Path(path)
    _check_target(path)
    if flt is not None and flt.empty:
        flt = None
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0,
                                                                            tzinfo=None)
    stopped = cancel or (lambda: False)
    report = progress or (lambda _d, _t: None)
    c = AUDIT_TABLE.c
    workbook = Workbook(write_only=True)
    _wrap_by_default(workbook)
    try:
        with ws.connect() as conn:
            with conn.begin():  # the head and its number belong together
                upto, count = conn.execute(select(func.max(c.id), func.count())).one()
                upto = upto or 0
                head = conn.execute(select(c.hash).where(c.id == upto)).scalar() \
                    if upto else None
            from ...core.audit_chain import GENESIS

            head = head or GENESIS
            count = int(count)
            stamp = stamp_text(head, count)
            conds = _where(flt, conn) if flt is not None else []
            total = count if not conds else conn.execute(
                select(func.count()).select_from(AUDIT_TABLE).where(
                    and_(c.id <= upto, *conds))).scalar_one()
            styles: dict = {}
            cover = workbook.create_sheet("Cover")
            trail = _Table(workbook, "Audit trail", "AuditTrail", _TRAIL_COLUMNS,
                           styles=styles, date_columns=(0,), stamp=stamp,
                           generated_at=generated_at, fit=_TRAIL_FIT)
            rows = _Rows(_Names(conn, upto), trail.protect)
            chain = _ChainCheck() if not conds and not full_verify else None
            done = 0
            report(0, total)
            make, append = rows.row, trail.append_ready
            for chunk in _event_chunks(conn, conds, upto):
                _prefetch(rows.names, chunk)
                if chain is not None:
                    chain.feed_all(chunk)
                for ev in chunk:
                    append(make(ev))
                    done += 1
                    if done % _REPORT_EVERY == 0:
                        if stopped():
                            _discard(workbook)
                            return None
                        report(done, total)
            trail.close()
            report(done, total)
            if stopped():
                _discard(workbook)
                return None

            problems: list[str] = []
            if full_verify:
                from ..verify import verify

                rep = verify(ws)
                problems = list(rep.problems)
                method = ("qms verify: the file's integrity, every event's hash and link, and "
                          f"every record against its history ({rep.events:,} events, "
                          f"{rep.records:,} records)")
            else:
                if chain is None:  # filtered: the chain is checked in a pass of its own
                    chain = _ChainCheck()
                    for chunk in _event_chunks(conn, [], upto):
                        chain.feed_all(chunk)
                        if stopped():
                            _discard(workbook)
                            return None
                if chain.problem:
                    problems = [chain.problem]
                method = (f"chain check: every event's hash recomputed and its link to the "
                          f"event before checked ({chain.n:,} events); records were not "
                          "compared with their history (run `qms verify` for that)")
            chain_ok = not problems
            verdict = ("passed: no event was altered, removed, inserted or reordered"
                       if chain_ok else "FAILED: " + problems[0])

            findings = _Table(workbook, "Internal-audit findings", "Findings",
                              _FINDING_COLUMNS, styles=styles, date_columns=(12,),
                              number_format=_DATE_FORMAT, stamp=stamp,
                              generated_at=generated_at, wrap=True)
            _write_findings(conn, findings)
            findings.close()
            approvals = _Table(workbook, "Document approvals", "Approvals", _APPROVAL_COLUMNS,
                               styles=styles, date_columns=(6,), stamp=stamp,
                               generated_at=generated_at)
            approval_note = _write_approvals(ws, conn, approvals, flt)
            approvals.close()

            org = conn.exec_driver_sql(
                "SELECT name FROM organization ORDER BY id LIMIT 1").scalar() or ""
        result = AuditLogResult(path, trail.rows, trail.sheets, findings.rows, approvals.rows,
                                head, count, chain_ok, verdict, problems)
        _write_cover(cover, styles, ws=ws, org=org, flt=flt, result=result, method=method,
                     generated_at=generated_at, user=getattr(ws, "user", "") or default_user(),
                     approval_note=approval_note, stamp=stamp)
        if stopped():
            _discard(workbook)
            return None
    except BaseException:
        _discard(workbook)
        raise
    _save(workbook, path)
    return result


def _write_findings(conn: Any, table: _Table) -> None:
    from sqlalchemy import select

    from ...core.checklists import FINDING_LABELS
    from ...storage.models import Action, ChecklistRun, Finding

    f, r, a = Finding.__table__.c, ChecklistRun.__table__.c, Action.__table__.c
    linked: dict[int, list[str]] = {}
    for fid, ref, title, status in conn.execute(
            select(a.finding_id, a.ref, a.title, a.status).where(a.finding_id.is_not(None))
            .order_by(a.finding_id, a.ref, a.id)):
        name = " ".join(p for p in (ref or "", " ".join((title or "").split())) if p)
        linked.setdefault(fid, []).append(
            f"{name} ({status.replace('_', ' ')})" if status else name)
    stmt = select(r.code, r.title, r.kind, f.ref, f.kind, f.clause, f.description, f.status,
                  f.correction, f.root_cause, f.effectiveness_check, f.effective, f.closed_on,
                  f.id).join_from(Finding.__table__, ChecklistRun.__table__,
                                  f.run_id == r.id).order_by(r.code, r.id, f.ref, f.id)
    for (code, title, run_kind, ref, kind, clause, text, status, correction, cause, check,
         effective, closed, fid) in conn.execute(stmt):
        table.append([code or "", title or "", _RUN_KINDS.get(run_kind, run_kind or ""),
                      ref or "", FINDING_LABELS.get(kind, kind or ""), clause or "",
                      text or "", status or "", correction or "", cause or "", check or "",
                      "" if effective is None else ("yes" if effective else "no"), closed,
                      "; ".join(linked.get(fid, ()))])


def _write_approvals(ws: Any, conn: Any, table: _Table, flt: Any) -> str:
    """The signatures on document revisions; returns how their validity was checked."""
    from sqlalchemy import and_, select

    from ...storage.models import Document, Revision, Signature

    s, r, d = Signature.__table__.c, Revision.__table__.c, Document.__table__.c
    conds = [s.entity == "revision"]
    since = getattr(flt, "since", "") if flt is not None else ""
    until = getattr(flt, "until", "") if flt is not None else ""
    if since:
        conds.append(s.signed_at >= dt.datetime.fromisoformat(since))
    if until:
        conds.append(s.signed_at < dt.datetime.fromisoformat(until) + dt.timedelta(days=1))
    stmt = select(s.id, d.number, d.title, r.number, s.meaning, s.signer_name, s.user,
                  s.signed_at, s.local_time) \
        .join_from(Signature.__table__, Revision.__table__, s.record_id == r.id) \
        .join(Document.__table__, r.document_id == d.id) \
        .where(and_(*conds)).order_by(s.signed_at, s.id)
    rows = conn.execute(stmt).fetchall()  # (the register of approvals: small)
    checks: dict[int, tuple[bool, str]] | None
    try:
        from ..documents import signature_checks
    except ImportError:
        checks = None
        note = ("not checked: this version of the application cannot check signatures "
                "(services.documents.signature_checks is missing)")
    else:
        checks = signature_checks(ws, [row[0] for row in rows]) if rows else {}
        note = "each signature checked against its seal and the signed revision's content"
    for sid, number, title, rev, meaning, name, user, at, local in rows:
        if checks is None:
            valid, why = "", "not checked"
        else:
            ok, why = checks.get(sid, (False, "not checked"))
            valid = "yes" if ok else "no"
            why = why or ("intact" if ok else "")
        if isinstance(at, dt.datetime) and at.tzinfo is not None:
            at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
        table.append([number or "", title or "", rev or "", meaning or "", name or "",
                      user or "", at, local or "", valid, why or ""])
    return note


def _write_cover(sheet: Any, styles: dict, *, ws: Any, org: str, flt: Any,
                 result: AuditLogResult, method: str, generated_at: dt.datetime, user: str,
                 approval_note: str, stamp: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    from .training_xlsx import _font, _page_setup, _Sheet

    w = _Sheet(sheet, styles)
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    _page_setup(sheet, landscape=False, title="Audit log", stamp=stamp,
                generated_at=generated_at)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    bold = {"font": _font(bold=True), "alignment": Alignment(vertical="top")}
    wrap = {"alignment": Alignment(wrap_text=True, vertical="top")}
    sheet.append([w.text("Audit log", font=_font(bold=True, size=14))])
    sheet.append([])
    sheets = ", ".join(f"“{s}”" for s in result.trail_sheets)
    plural = "s" if len(result.trail_sheets) > 1 else ""
    lines: list[tuple[str, Any]] = [
        ("Workspace file", Path(getattr(ws, "path", "") or "").name),
        ("Organization", org or "(not set)"),
        ("Period", _period_text(flt)),
        ("Filters", _filters_text(flt)),
        ("Events exported", f"{result.events:,} (sheet{plural} {sheets}; times in UTC)"),
        ("Audit trail head", result.head_hash),
        ("Last event number", result.head_event),
        ("Verification", result.check),
        ("Verified by", method),
        ("Internal-audit findings", f"{result.findings:,}: every finding as it stands now "
                                    "(the filters select events only)"),
        ("Document approvals", f"{result.approvals:,} signatures on document revisions"
                               + (" signed in the period" if flt is not None and (
                                   flt.since or flt.until) else "")
                               + f"; validity {approval_note}"),
        ("Exported at (UTC)", generated_at),
        ("Exported by", user),
    ]
    stamp_cell = None
    for row, (label, value) in enumerate(lines, start=3):
        if isinstance(value, dt.datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = _DATETIME_FORMAT
            cell.alignment = _left()
            cell.font = _font()
            stamp_cell = cell
        elif isinstance(value, int):
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = _left()
            cell.font = _font()
        else:
            text = str(value)
            cell = w.text(text, **wrap)
            lines_needed = max(1, -(-len(text) // 120))
            if lines_needed > 1:
                sheet.row_dimensions[row].height = 15 * lines_needed
        sheet.append([w.text(label, **bold), cell])
    del stamp_cell
