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
there too.

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

from ..core.audit_chain import GENESIS
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
    """One head seen: hash, event number, when (local time, ISO), why, where."""

    key: str
    hash: str
    n: int
    at: str
    why: str = ""
    path: str = ""
    dismissed: bool = False

    def as_dict(self) -> dict:
        return {"key": self.key, "hash": self.hash, "n": self.n, "at": self.at, "why": self.why,
                "path": self.path, "dismissed": self.dismissed}


@dataclass
class Log:
    entries: list[Seen] = field(default_factory=list)
    #: set when the file could not be read and was started afresh
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """What :func:`check` found: ``problem`` (one sentence) or empty, and the heads concerned."""

    problem: str = ""
    missing: tuple[Seen, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


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
                                dismissed=bool(d.get("dismissed", False))))
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


def record(folder: Path | str, ws: Workspace, why: str, *,
           now: dt.datetime | None = None, stamp: tuple[str, int] | None = None) -> str:
    """Note the workspace's current head (``why``: open, close, export, backup), or ``stamp``
    (head hash, event number: the one an exported file carries); returns the note of a log
    that had to be started afresh (usually empty)."""
    from .audit_trail import head_stamp

    head, n = stamp if stamp is not None else head_stamp(ws)
    key = workspace_key(ws)
    log = load(folder)
    at = (now or dt.datetime.now()).isoformat(timespec="seconds")
    where = _where(ws)
    for e in log.entries:  # a head seen again keeps the time it was first seen
        if e.key == key and e.hash == head and e.n == n:
            e.path = where
            if not e.dismissed:
                break
            e.dismissed = False
            break
    else:
        log.entries.append(Seen(key, head, n, at, why, where))
    save(folder, log)
    return log.note


def _shown_time(at: str) -> str:
    try:
        return dt.datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


def check(folder: Path | str, ws: Workspace) -> Finding:
    """Compare the workspace's chain with the heads seen before (for its id, or at its path).

    A head seen is still there when the chain's event at its number has its hash. Heads
    dismissed with :func:`dismiss` are not checked again."""
    log = load(folder)
    key = workspace_key(ws)
    where = _where(ws)
    seen = [e for e in log.entries if not e.dismissed and (e.key == key or e.path == where)]
    if not seen:
        return Finding(note=log.note)
    c = AUDIT_TABLE.c
    with ws.connect() as conn:
        n_events = conn.execute(select(func.count()).select_from(AUDIT_TABLE)).scalar_one()
        first = conn.execute(select(func.min(c.id))).scalar() or 0
        last = conn.execute(select(func.max(c.id))).scalar() or 0
        held: dict[int, str | None] = {}
        if first in (0, 1) and last == n_events:  # ids 1..n: the event at position n has id n
            for n in {e.n for e in seen if 0 < e.n <= n_events}:
                held[n] = conn.execute(select(c.hash).where(c.id == n)).scalar()
        else:  # ids with gaps: walk the chain once
            wanted = {e.n for e in seen}
            pos = 0
            for (h,) in conn.execute(select(c.hash).order_by(c.id)):
                pos += 1
                if pos in wanted:
                    held[pos] = h
    held[0] = GENESIS
    missing = tuple(e for e in seen if held.get(e.n) != e.hash)
    if not missing:
        return Finding(note=log.note)
    name = Path(ws.path).name
    here = [e for e in missing if e.path == where]
    if not here:  # only heads seen in another copy (same workspace id, another file)
        newest = max(missing, key=lambda e: (e.n, e.at))
        problem = (f"“{name}” is a copy of the workspace this app saw as "
                   f"“{Path(newest.path).name}” on {_shown_time(newest.at)}, and the two have "
                   f"been changed separately since (that file had reached event {newest.n:,}). "
                   "That is expected when copies are edited apart; if this file should hold "
                   "everything that one did, check it with qms verify --expect.")
        return Finding(problem, missing, log.note)
    newest = max(here, key=lambda e: (e.n, e.at))
    when = _shown_time(newest.at)
    if newest.n > n_events:
        what = (f"it has {n_events:,} audit events, but this app saw event {newest.n:,} "
                f"(head {newest.hash[:16]}…) on {when}")
    else:
        what = (f"its audit event {newest.n:,} is not the one this app saw on {when} "
                f"(head {newest.hash[:16]}…)")
    problem = (f"The history of “{name}” was rewritten or rolled back since {when}: {what}; "
               "unless you restored an older copy on purpose, do not trust its records, and "
               "check it against an export or a noted head with qms verify --expect.")
    return Finding(problem, missing, log.note)


def dismiss(folder: Path | str, finding: Finding) -> None:
    """Stop reporting the heads of ``finding`` (the user was told once)."""
    if not finding.missing:
        return
    log = load(folder)
    gone = {(e.key, e.hash, e.n, e.at) for e in finding.missing}
    for e in log.entries:
        if (e.key, e.hash, e.n, e.at) in gone:
            e.dismissed = True
    save(folder, log)


__all__ = ["Finding", "LOG_NAME", "Log", "Seen", "check", "dismiss", "load", "log_path",
           "record", "save", "workspace_key"]
