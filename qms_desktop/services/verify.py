"""``qms verify``: SQLite integrity, the audit chain, and records against their trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select, type_coerce
from sqlalchemy.types import NullType

from ..core.audit_chain import GENESIS, check_chain, encode_value, fold_state
from ..storage.audit import iter_events
from ..storage.models import audited_tables
from ..storage.workspace import Workspace


@dataclass
class VerifyReport:
    integrity: str = "ok"
    events: int = 0
    records: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> str | None:
        return self.problems[0] if self.problems else None


def _show(v) -> str:
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def verify(ws: Workspace, *, progress: Callable[[str], None] | None = None,
           max_problems: int = 20) -> VerifyReport:
    """Check the file, the chain and every record; never raises on a damaged file."""
    from sqlalchemy.exc import DatabaseError

    rep = VerifyReport()
    try:
        return _verify(ws, rep, progress, max_problems)
    except DatabaseError as e:
        rep.problems.append(f"the workspace file is damaged ({e.orig}); restore it from a backup")
        return rep


def _verify(ws, rep, progress, max_problems) -> VerifyReport:
    say = progress or (lambda _m: None)
    with ws.connect() as conn:
        say("checking the file")
        rows = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
        rep.integrity = "; ".join(r[0] for r in rows[:5])
        if rep.integrity != "ok":
            rep.problems.append(f"the workspace file is damaged: {rep.integrity}")
            return rep
        say("checking the audit chain")
        state: dict = {}
        batch: list = []

        def folding(rows):
            # fold each event into the expected record state while the chain is checked
            for row in rows:
                batch.append(row[3:9])  # op, entity, record_id, field, old, new
                if len(batch) >= 10000:
                    fold_state(batch, state)
                    batch.clear()
                yield row

        backwards: list = []  # events whose time runs backwards: chained, but back-dated?
        rep.head_hash, rep.events, problem = check_chain(folding(iter_events(conn)), backwards)
        if problem is not None:
            rep.problems.append(str(problem))
        rep.problems.extend(str(p) for p in backwards[:max_problems])
        if problem is not None or len(rep.problems) >= max_problems:
            return rep
        fold_state(batch, state)

        say("checking records against the trail")
        for table in audited_tables():
            cols = list(table.c)
            names = [c.name for c in cols]
            # values are read as stored and converted here, one by one, so a value that cannot
            # be read (a date that is no date) names its record and field instead of ending the
            # check
            convert = [c.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
                       for c in cols]
            stored = select(*[type_coerce(c, NullType()).label(c.name) for c in cols])
            at_id = names.index("id")
            # a column a later schema revision added is absent from older records' history:
            # it must still hold the default that revision filled in
            added = {c.name: encode_value(c.default.arg if c.default is not None
                                          and c.default.is_scalar else None) for c in cols}
            for raw in conn.execute(stored.order_by(table.c.id)):
                rep.records += 1
                row, bad = _converted(raw, names, convert)
                rid = raw[at_id]
                key = (table.name, rid)
                if bad is not None:
                    state.pop(key, None)
                    name, value, why = bad
                    rep.problems.append(
                        f"{table.name} {rid}: {name} holds {_show(value)}, which is not "
                        f"{why} (changed outside the application)")
                    if len(rep.problems) >= max_problems:
                        return rep
                    continue
                expect = state.pop(key, None)
                if expect is None:
                    rep.problems.append(
                        f"{table.name} {rid}{_about(conn, table.name, dict(zip(names, row)))}"
                        " has no audit history: it was added outside "
                        "the application")
                else:
                    for name, value in zip(names, row):
                        ev = encode_value(value)
                        if expect.get(name, added[name]) != ev:
                            rep.problems.append(
                                f"{table.name} {rid}{_about(conn, table.name, expect)}: "
                                f"{name} is {_show(ev)} but the audit "
                                f"trail says {_show(expect.get(name, added[name]))} (changed "
                                "outside the "
                                "application)")
                            break
                if len(rep.problems) >= max_problems:
                    return rep
            # records the trail says exist but the table lacks
        for (entity, rid), rec in state.items():
            if rec is not None:
                rep.problems.append(
                    f"{entity} {rid}{_about(conn, entity, rec)} is missing, but the audit trail "
                    "never recorded its deletion")
                if len(rep.problems) >= max_problems:
                    return rep
        # signatures: each seal covers its own fields and the content hash it was made over,
        # so a signature row edited or copied to another record is caught even with forged
        # events (a content change after signing is shown in the app, not a fault here)
        if not rep.problems:
            _check_seals(conn, rep, max_problems)
        # dangling references are a symptom of the above; reported after the cause
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        for t, rowid, parent, _ in fk[:max_problems]:
            rep.problems.append(f"{t} {rowid} refers to a missing {parent} record")

    return rep


def _about(conn, entity: str, values: dict) -> str:
    """A few words naming a record an auditor can find ("" when there is nothing to add):
    a signature says who signed what — " (approved by Helen Marsh on QP-03 rev. C)"."""
    if entity != "signature":
        return ""
    target = ""
    if values.get("entity") == "revision":
        from ..storage.models import Document, Revision

        row = conn.execute(select(Document.number, Revision.number)
                           .join(Revision, Revision.document_id == Document.id)
                           .where(Revision.id == values.get("record_id"))).first()
        if row is not None:
            target = f" on {row[0]} rev. {row[1]}"
    return f" ({values.get('meaning', '')} by {values.get('signer_name', '')}{target})"


def _check_seals(conn, rep, max_problems) -> None:
    from ..core.signatures import seal
    from ..storage.models import Signature as S

    rows = conn.execute(select(S.id, S.entity, S.record_id, S.meaning, S.user, S.signer_name,
                               S.signed_at, S.record_hash, S.seal).where(S.seal != "")).all()
    for r in rows:
        want = seal(entity=r.entity, record_id=r.record_id, meaning=r.meaning, user=r.user,
                    signer_name=r.signer_name, signed_at=r.signed_at, record_hash=r.record_hash)
        if want != r.seal:
            rep.problems.append(
                f"signature {r.id}{_about(conn, 'signature', r._asdict())}: its seal does not "
                "match its record and signer (a signature changed or copied outside the "
                "application)")
            if len(rep.problems) >= max_problems:
                return


def _converted(raw, names, convert):
    """(values as the application reads them, None) or (None, (field, stored value, what it
    should be)) for the first value that cannot be read."""
    out = []
    for name, value, conv in zip(names, raw, convert):
        if conv is not None and value is not None:
            try:
                value = conv(value)
            except (ValueError, TypeError, OverflowError) as e:
                return None, (name, value, _kind_of(e, conv))
        out.append(value)
    return out, None


def _kind_of(_e: Exception, conv) -> str:
    name = getattr(conv, "__qualname__", "") + " " + getattr(conv, "__name__", "")
    text = str(_e).lower()
    if "datetime" in name.lower() or "datetime" in text:
        return "a date and time"
    if "date" in name.lower() or "isoformat" in text or "date" in text:
        return "a date"
    if "time" in name.lower():
        return "a time"
    return "a value of this field's kind"


def _short(h: str) -> str:
    return h[:16] + "…"


def check_expected(ws: Workspace, expectations) -> list[str]:
    """Check that the audit chain holds heads noted elsewhere (``qms verify --expect``).

    ``expectations``: stamp texts (``HASH``, ``HASH@N``, ``audit head HASH @ event N``) or
    (hash, n or None) pairs. A head with a number must be the chain's event at that position; a
    bare hash must be anywhere in it. Returns one sentence per expectation that fails, the first
    divergence first (empty: every head is there). Stored hashes are compared: ``verify`` checks
    that they chain, so the two together prove the history up to each head is the one noted.
    Raises ValueError (one sentence) for an expectation that is not a head.
    """
    from ..services.audit_trail import parse_stamp
    from ..storage.audit import AUDIT_TABLE

    wanted: list[tuple[str, int | None]] = []
    for e in expectations:
        wanted.append(parse_stamp(e) if isinstance(e, str) else (str(e[0]).lower(), e[1]))
    at_pos: dict[int, list[str]] = {}
    anywhere: set[str] = set()
    for h, n in wanted:
        if n is None:
            anywhere.add(h)
        else:
            at_pos.setdefault(n, []).append(h)
    held: dict[int, str] = {0: GENESIS}  # position -> hash, only for the positions asked
    found: set[str] = {GENESIS} & anywhere
    numbered = {h for hs in at_pos.values() for h in hs}
    where: dict[str, int] = {}  # where a numbered head really is (a mistyped number)
    total = 0
    c = AUDIT_TABLE.c
    with ws.connect() as conn:
        for (h,) in conn.execute(select(c.hash).order_by(c.id)):
            total += 1
            if total in at_pos:
                held[total] = h
            if h in anywhere:
                found.add(h)
            if h in numbered:
                where.setdefault(h, total)
    problems: list[tuple[int, str]] = []
    matched = sorted(n for n, hs in at_pos.items() if all(held.get(n) == h for h in hs))
    for n in sorted(at_pos):
        for h in at_pos[n]:
            if held.get(n) == h:
                continue
            before = [m for m in matched if m < n]
            since = (f" (it matches the head noted at event {before[-1]:,}, so the change lies "
                     f"between events {before[-1] + 1:,} and {n:,})") if before and before[-1] \
                else ""
            if h in where:  # the head is there, under another number: not tampering
                problems.append((n, f"head {_short(h)} is event {where[h]:,} of this audit "
                                    f"trail, not event {n:,}; check the number you noted"))
            elif n > total:
                problems.append((n, f"the audit trail has only {total:,} events, but head "
                                    f"{_short(h)} was noted at event {n:,}: its last events "
                                    f"were removed (rolled back), or this is an older copy{since}"))
            else:
                problems.append((n, f"the audit trail does not hold head {_short(h)} at event "
                                    f"{n:,} (it holds {_short(held[n])} there): its history was "
                                    f"rewritten at or before event {n:,}{since}"))
    for h, n in wanted:
        if n is None and h not in found:
            problems.append((total + 1, f"the audit trail never held head {_short(h)}: its "
                                        "history was rewritten or rolled back since that head "
                                        "was noted"))
    return [p for _n, p in sorted(problems, key=lambda t: t[0])]
