"""The heads this app has seen, kept outside the workspace (the user's application data).

Anyone holding a workspace file can rewrite its audit trail and re-chain it so that
``qms verify`` passes; what they cannot change is a head noted somewhere else. This log is the
app's own such note: at every open, close, export and backup it records the head hash, the
event number it belongs to and when it was seen, per workspace. Opening a workspace whose chain
no longer holds a head seen before (or that has fewer events than seen) is reported by
:func:`check` in one sentence naming when that head was seen.

A workspace is known by its id (a ``setting`` row, when the workspace has one) or else by the
hash of its first audit event, which identifies the beginning of its history; heads seen at the
same file path are checked as well, so a history rewritten from its first event is caught
there too. Each head is noted for the file it was seen in; another file of the same workspace
(a copy) is told apart as an older copy, a copy edited apart or a rewritten one, and what is
dismissed there never silences the heads noted for the original.

Pure file I/O: one small JSON file, written atomically (temporary file, then rename), bounded
in size; a log that cannot be read is set aside and started afresh, with a note saying so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from ..core.audit_chain import GENESIS, event_hash
from ..storage.audit import AUDIT_TABLE
from ..storage.workspace import Workspace

LOG_NAME = "audit-heads.json"
VERSION = 1
#: heads kept per workspace (the newest), and entries kept in all
PER_WORKSPACE = 40
TOTAL = 4000
#: setting keys under which a workspace may carry its id (the first present is used)
ID_KEYS = ("workspace_id", "workspace.id", "workspace-id")


@dataclass
class Seen:
    """One head seen: hash, event number, when (local time, ISO), why, where.

    ``first`` is the hash of the workspace's first event then, ``body`` the digest of the head
    event's own content (its chain left out) and ``event_at`` its time: they tell a copy edited
    apart from a rewritten history. ``dismissed``: its absence was reported at its own path;
    ``told``: the other paths (copies) at which its absence was reported."""

    key: str
    hash: str
    n: int
    at: str
    why: str = ""
    path: str = ""
    dismissed: bool = False
    first: str = ""
    body: str = ""
    event_at: str = ""
    told: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"key": self.key, "hash": self.hash, "n": self.n, "at": self.at, "why": self.why,
                "path": self.path, "dismissed": self.dismissed, "first": self.first,
                "body": self.body, "event_at": self.event_at, "told": list(self.told)}


@dataclass
class Log:
    entries: list[Seen] = field(default_factory=list)
    #: set when the file could not be read and was started afresh
    note: str = ""


#: what a :class:`Finding` is about
ROLLED_BACK = "rolled back"   # the file at a path where heads were seen lost one of them
REWRITTEN = "rewritten"       # a copy that claims to be the workspace but whose history changed
FORKED = "forked"             # a copy edited apart from the one seen (same start, other events)
OLDER = "older copy"          # a copy whose history stops before the heads seen


@dataclass(frozen=True)
class Finding:
    """What :func:`check` found: ``problem`` (one sentence) or empty, the heads concerned,
    what kind of finding it is and the file it was found in (its resolved path)."""

    problem: str = ""
    missing: tuple[Seen, ...] = ()
    note: str = ""
    kind: str = ""
    path: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def untrusted(self) -> bool:
        """The file's history contradicts what was seen of it (not merely an older or a
        separately edited copy): ``qms verify`` fails on it."""
        return self.kind in (ROLLED_BACK, REWRITTEN)


# --------------------------------------------------------------------------- the file


#: when set, the folder of the log for the app and for ``qms`` alike (tests, or a user who keeps
#: it somewhere else)
FOLDER_ENV = "QMS_HEADS_DIR"
#: the app's organisation and application names (``app.py``), which name its data folder
_ORGANIZATION, _APPLICATION = "QMS Workbench", "qms-desktop"


def log_folder(app_data: Path | None = None) -> Path:
    """Where the log lives: ``$QMS_HEADS_DIR`` when set, else ``app_data`` (the GUI passes its
    data folder), else that same folder found without Qt (Qt's AppDataLocation), so that
    ``qms`` and the app keep one log."""
    chosen = os.environ.get(FOLDER_ENV)
    if chosen:
        return Path(chosen)
    if app_data is not None:
        return Path(app_data)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / _ORGANIZATION / _APPLICATION


def log_path(folder: Path | str) -> Path:
    return Path(folder) / LOG_NAME


def load(folder: Path | str) -> Log:
    """The log in ``folder``; an unreadable one is renamed ``*.corrupt`` and a fresh log
    returned with a note."""
    path = log_path(folder)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Log()
    except OSError as e:
        return Log(note=f"The log of audit heads seen ({path}) could not be read "
                        f"({e.strerror or e}), so it was started afresh.")
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("unknown format")
        entries = []
        for d in data.get("entries", []):
            entries.append(Seen(key=str(d["key"]), hash=str(d["hash"]), n=int(d["n"]),
                                at=str(d["at"]), why=str(d.get("why", "")),
                                path=str(d.get("path", "")),
                                dismissed=bool(d.get("dismissed", False)),
                                first=str(d.get("first", "")), body=str(d.get("body", "")),
                                event_at=str(d.get("event_at", "")),
                                told=[str(t) for t in d.get("told", [])]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        aside = path.with_name(path.name + ".corrupt")
        try:
            os.replace(path, aside)
        except OSError:
            pass
        return Log(note=f"The log of audit heads seen ({path}) was damaged, so it was started "
                        f"afresh (the damaged copy is {aside.name}).")
    return Log(entries)


def save(folder: Path | str, log: Log) -> None:
    """Write ``log`` atomically, keeping the newest :data:`PER_WORKSPACE` heads per workspace
    and :data:`TOTAL` in all."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kept: list[Seen] = []
    per: dict[str, int] = {}
    for e in sorted(log.entries, key=lambda e: e.at, reverse=True):
        if per.get(e.key, 0) >= PER_WORKSPACE or len(kept) >= TOTAL:
            continue
        per[e.key] = per.get(e.key, 0) + 1
        kept.append(e)
    kept.reverse()
    log.entries = kept
    text = json.dumps({"version": VERSION, "entries": [e.as_dict() for e in kept]},
                      ensure_ascii=False, indent=0)
    path = log_path(folder)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- the workspace


def workspace_key(ws: Workspace) -> str:
    """The workspace's id (from its settings) or else the hash of its first audit event."""
    from ..storage.models import Setting

    with ws.connect() as conn:
        try:
            for k in ID_KEYS:
                v = conn.execute(select(Setting.value).where(Setting.key == k)).scalar()
                if v:
                    try:
                        v = json.loads(v)
                    except ValueError:
                        pass
                    return f"id:{v}"
        except Exception:  # no setting table in a damaged file: the trail still names it
            pass
        first = conn.execute(select(AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id)
                             .limit(1)).scalar()
    return f"first:{first or ''}"


def _where(ws: Workspace) -> str:
    try:
        return str(Path(ws.path).resolve())
    except OSError:
        return str(ws.path)


@dataclass(frozen=True)
class _Event:
    pos: int
    hash: str
    body: str
    at: str


_COLS = ("id", "hash", "at", "user", "op", "entity", "record_id", "field", "old", "new")


def _event(pos: int, row) -> _Event:
    _id, h, at, user, op, entity, rec, fld, old, new = row
    # the event's own content, its chain left out: the same event re-chained keeps it
    body = event_hash("", at, user, op, entity, rec, fld or "", old, new)
    return _Event(pos, h, body, at)


def _events_at(conn, positions: set[int]) -> dict[int, _Event]:
    """The events at these positions (1 = the first) of the chain read on ``conn``."""
    c = AUDIT_TABLE.c
    cols = [getattr(c, k) for k in _COLS]
    wanted = {p for p in positions if p > 0}
    if not wanted:
        return {}
    n_events = conn.execute(select(func.count()).select_from(AUDIT_TABLE)).scalar_one()
    lo = conn.execute(select(func.min(c.id))).scalar() or 0
    hi = conn.execute(select(func.max(c.id))).scalar() or 0
    out: dict[int, _Event] = {}
    if lo in (0, 1) and hi == n_events:  # ids 1..n: the event at position n has id n
        for row in conn.execute(select(*cols).where(c.id.in_(wanted))):
            out[row[0]] = _event(row[0], row)
    else:  # ids with gaps: walk the chain once
        for pos, row in enumerate(conn.execute(select(*cols).order_by(c.id)), start=1):
            if pos in wanted:
                out[pos] = _event(pos, row)
    return out


def _events_timed(conn, at: str) -> list[_Event]:
    """The events of the chain made at the time ``at`` (with their positions)."""
    c = AUDIT_TABLE.c
    out = []
    for row in conn.execute(select(*[getattr(c, k) for k in _COLS]).where(c.at == at)):
        pos = conn.execute(select(func.count()).select_from(AUDIT_TABLE)
                           .where(c.id <= row[0])).scalar_one()
        out.append(_event(pos, row))
    return out


def _first_hash(conn) -> str:
    c = AUDIT_TABLE.c
    return conn.execute(select(c.hash).order_by(c.id).limit(1)).scalar() or ""


def record(folder: Path | str, ws: Workspace, why: str, *,
           now: dt.datetime | None = None, stamp: tuple[str, int] | None = None) -> str:
    """Note the workspace's current head (``why``: open, close, export, backup), or ``stamp``
    (head hash, event number: the one an exported file carries); returns the note of a log
    that had to be started afresh (usually empty).

    A head is noted for the file it was seen in: the same head seen in a copy is noted again
    for the copy, never taken from the file it was first seen in."""
    from .audit_trail import head_stamp_of

    key = workspace_key(ws)
    with ws.connect() as conn:
        with conn.begin():  # one snapshot
            head, n = stamp if stamp is not None else head_stamp_of(conn)
            first = _first_hash(conn)
            ev = _events_at(conn, {n}).get(n)
    body, event_at = (ev.body, ev.at) if ev is not None and ev.hash == head else ("", "")
    log = load(folder)
    at = (now or dt.datetime.now()).isoformat(timespec="seconds")
    where = _where(ws)
    for e in log.entries:  # a head seen again in the same file keeps the time it was first seen
        if e.key == key and e.hash == head and e.n == n and e.path == where:
            e.dismissed = False  # it is there again
            e.first, e.body, e.event_at = e.first or first, e.body or body, \
                e.event_at or event_at
            break
    else:
        log.entries.append(Seen(key, head, n, at, why, where, first=first, body=body,
                                event_at=event_at))
    save(folder, log)
    return log.note


def _shown_time(at: str) -> str:
    try:
        return dt.datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


def _newest(entries) -> Seen:
    return max(entries, key=lambda e: (e.n, e.at))


def check(folder: Path | str, ws: Workspace) -> Finding:
    """Compare the workspace's chain with the heads seen before (for its id, or at its path).

    A head seen is still there when the chain's event at its number has its hash. Heads seen
    in this very file that are gone mean its history was rewritten or rolled back. Heads seen
    only in another copy of the workspace tell an older copy (its history stops before them and
    nothing in it contradicts them), a copy edited apart (other events after a common start)
    and a rewritten one (the file claims to be the workspace, but an event seen in it is there
    re-chained or altered, or its first event is not the one seen) apart. What was reported
    once with :func:`dismiss` at this path is not reported again here."""
    log = load(folder)
    key = workspace_key(ws)
    where = _where(ws)
    related = [e for e in log.entries if e.key == key or e.path == where]
    if not related:
        return Finding(note=log.note, path=where)
    with ws.connect() as conn:
        with conn.begin():
            n_events = conn.execute(select(func.count()).select_from(AUDIT_TABLE)).scalar_one()
            first = _first_hash(conn)
            held = _events_at(conn, {e.n for e in related})

            def holds(e: Seen) -> bool:
                if e.n == 0:
                    return e.hash == GENESIS
                return e.n in held and held[e.n].hash == e.hash

            own = [e for e in related if e.path == where]
            others = [e for e in related if e.path != where and e.key == key]
            own_missing = [e for e in own if not e.dismissed and not holds(e)]
            others_missing = [e for e in others if where not in e.told and not holds(e)]
            if not own_missing and not others_missing:
                return Finding(note=log.note, path=where)
            contradicting = [e for e in others if e.n <= n_events and not holds(e)]

            def rewritten(e: Seen) -> bool:
                if key.startswith("id:") and e.first and first and e.first != first:
                    return True  # the same workspace id on another beginning
                if not e.event_at:
                    return False
                # the event seen is here re-chained, or its place holds it altered
                return any(x.body == e.body or x.pos == e.n
                           for x in _events_timed(conn, e.event_at))

            rewrites = [e for e in contradicting if rewritten(e)]
    name = Path(ws.path).name
    missing = tuple(own_missing + others_missing)
    if own_missing:
        newest = _newest(own_missing)
        when = _shown_time(newest.at)
        if newest.n > n_events:
            what = (f"it has {n_events:,} audit events, but this app saw event {newest.n:,} "
                    f"(head {newest.hash[:16]}…) on {when}")
        else:
            what = (f"its audit event {newest.n:,} is not the one this app saw on {when} "
                    f"(head {newest.hash[:16]}…)")
        problem = (f"The history of “{name}” was rewritten or rolled back since {when}: {what}; "
                   "unless you restored an older copy on purpose, do not trust its records, "
                   "and check it against an export or a noted head with qms verify --expect.")
        return Finding(problem, missing, log.note, ROLLED_BACK, where)
    if rewrites:
        e = _newest(rewrites)
        problem = (f"“{name}” claims to be the workspace this app saw as “{Path(e.path).name}” "
                   f"on {_shown_time(e.at)}, but its history was rewritten: its audit event "
                   f"{e.n:,} is not the one seen then (head {e.hash[:16]}…), so do not trust "
                   "its records, and check it against an export or a noted head with qms "
                   "verify --expect.")
        return Finding(problem, missing, log.note, REWRITTEN, where)
    if not contradicting:
        e = _newest(others_missing)
        problem = (f"“{name}” is an older copy of “{Path(e.path).name}”: its history stops at "
                   f"event {n_events:,} of the {e.n:,} seen on {_shown_time(e.at)}; nothing in "
                   "it contradicts what was seen.")
        return Finding(problem, missing, log.note, OLDER, where)
    e = _newest(contradicting)
    problem = (f"“{name}” is a copy of the workspace this app saw as “{Path(e.path).name}” on "
               f"{_shown_time(e.at)}, and the two were edited apart after a common start "
               f"(that file had reached event {_newest(others).n:,}); if this file should hold "
               "everything that one did, check it with qms verify --expect.")
    return Finding(problem, missing, log.note, FORKED, where)


#: copies at which one head's absence is remembered as told (the newest)
TOLD_KEPT = 20


def dismiss(folder: Path | str, finding: Finding) -> None:
    """Stop reporting the heads of ``finding`` in the file it was found in (the user was told
    once): a head seen in that file is marked dismissed; a head seen in another file (the
    original of a copy) is only marked as told at this file, and is still checked everywhere
    else, its own file above all."""
    if not finding.missing:
        return
    log = load(folder)
    gone = {(e.key, e.hash, e.n, e.at, e.path) for e in finding.missing}
    for e in log.entries:
        if (e.key, e.hash, e.n, e.at, e.path) not in gone:
            continue
        if finding.path and e.path != finding.path:
            if finding.path not in e.told:
                e.told = (e.told + [finding.path])[-TOLD_KEPT:]
        else:
            e.dismissed = True
    save(folder, log)


__all__ = ["FORKED", "OLDER", "REWRITTEN", "ROLLED_BACK", "Finding", "LOG_NAME", "Log", "Seen",
           "check", "dismiss", "load", "log_path",
           "record", "save", "workspace_key"]
