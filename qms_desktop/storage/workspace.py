"""The workspace file: create, open (checked, locked, upgraded), sessions, copies and backups.

A workspace is one SQLite file (``.qms``). Rules:

* Opening a file never changes a byte of it unless the user edits; a file that is not a
  workspace is recognised from its header *before* SQLite touches it.
* One writer at a time (``storage/lock.py``): an OS lock on the real file, which dies with its
  process, and a lock file beside it naming who holds it.
* Every connection runs with ``PRAGMA foreign_keys=ON``, a rollback journal and
  ``synchronous=FULL``: an acknowledged commit survives a killed process or a power cut, and a
  closed workspace is always one self-contained file.
* Copies use SQLite's online backup API, into a temporary file renamed into place, so a full
  disk never leaves a half-written copy and never touches the workspace; a copy is checked
  before it replaces anything, and the hidden temporary files of a copy killed half-way are
  removed by the next copy into that folder.
* A writer that stopped in the middle of a change leaves a journal: that is recovery, never
  damage. A writable open finishes it under our lock (SQLite's own rollback) and says so in
  ``info.notice``; a read-only one says the file was not closed properly and how to finish.
* Hostile files get a sentence, with the file's bytes unchanged and nothing left beside it: a
  pipe or device is refused before it is opened, a write-ahead-log file before SQLite touches
  it; a missing table or column, or a damaged page (``quick_check``), on opening.
* Every workspace has an id (a ``setting``). Before each write the open file is checked to be
  the one that was opened, unwritten by anyone else since our last commit
  (:class:`_FileGuard`); if not, the edit is refused (:class:`ChangedOnDiskError`) and nothing is
  written, ever, into a file that is not the one the user opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import stat
import struct
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from . import audit, changes
from .lock import Lock
from .models import Base

#: SQLite ``application_id`` of a workspace ("QMSW"), written at creation.
APPLICATION_ID = 0x514D5357
SUFFIX = ".qms"
#: The Alembic revision this build's models correspond to (tests keep it equal to the head).
SCHEMA_HEAD = "0006"
#: Every revision this build can open (oldest first); anything else is from a newer build.
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
SQLITE_MAGIC = b"SQLite format 3\x00"


class WorkspaceError(Exception):
    """A problem the user can act on; ``str(e)`` is a complete sentence for a dialog."""


class NotAWorkspaceError(WorkspaceError):
    pass


class WorkspaceLockedError(WorkspaceError):
    def __init__(self, message: str, holder: dict):
        super().__init__(message)
        self.holder = holder


class WorkspaceTooNewError(WorkspaceError):
    pass


class ReadOnlyFileError(WorkspaceError):
    """The file (or its folder) cannot be written: it can still be opened read-only."""


class CopyError(WorkspaceError):
    pass


class InterruptedWriteError(WorkspaceError):
    """A writer stopped in the middle of a change (a hot journal) and this opener may not finish
    the recovery (read-only request, read-only file or folder). Nothing is damaged or lost."""

    #: the file and its folder may be written: a writable open would finish the recovery
    writable: bool = False


class ChangedOnDiskError(WorkspaceError):
    """The open file was replaced, moved, deleted or written by another program after it was
    opened; the edit was refused and nothing was written."""


# --------------------------------------------------------------------------- checks


def sniff(path: Path) -> None:
    """Raise NotAWorkspaceError unless ``path`` looks like an intact workspace (read-only check).

    Nothing here can block: the file's type is checked before it is opened (a named pipe or a
    device named ``*.qms`` is refused at once), and it is opened without waiting."""
    name = path.name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise NotAWorkspaceError(f"“{name}” does not exist.") from None
    except PermissionError:
        raise NotAWorkspaceError(f"You do not have permission to read “{name}”.") from None
    except OSError as e:
        raise NotAWorkspaceError(f"“{name}” cannot be read: {e.strerror}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise NotAWorkspaceError(f"“{name}” is a folder, not a workspace file.")
    if not stat.S_ISREG(st.st_mode):
        raise NotAWorkspaceError(
            f"“{name}” is not a workspace file: it is {_describe_special(st.st_mode)}, not a "
            "file on disk. It was not opened.")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    except PermissionError:
        raise NotAWorkspaceError(f"You do not have permission to read “{name}”.") from None
    except OSError as e:
        raise NotAWorkspaceError(f"“{name}” cannot be read: {e.strerror}.") from None
    try:
        st = os.fstat(fd)  # (what was opened, should the name have changed in between)
        if not stat.S_ISREG(st.st_mode):
            raise NotAWorkspaceError(
                f"“{name}” is not a workspace file: it is {_describe_special(st.st_mode)}, not "
                "a file on disk. It was not opened.")
        head = os.pread(fd, 100, 0) if hasattr(os, "pread") else os.read(fd, 100)
    except OSError as e:
        raise NotAWorkspaceError(f"“{name}” cannot be read: {e.strerror}.") from None
    finally:
        os.close(fd)
    size = st.st_size
    if size == 0:
        raise NotAWorkspaceError(f"“{name}” is empty: it is not a QMS workspace.")
    if not head.startswith(SQLITE_MAGIC):
        kind = _describe_foreign(head)
        raise NotAWorkspaceError(f"“{name}” is not a QMS workspace: it is {kind}.")
    if len(head) < 100:
        raise NotAWorkspaceError(f"“{name}” is damaged (truncated header): it cannot be opened.")
    (app_id,) = struct.unpack(">I", head[68:72])
    if app_id != APPLICATION_ID:
        raise NotAWorkspaceError(
            f"“{name}” is an SQLite database from another program, not a QMS workspace.")
    if head[18] == 2 or head[19] == 2:
        # Write-ahead logging: SQLite would create “-wal” and “-shm” files beside it, and our
        # writer would switch the file back (changing its bytes) before any edit.
        raise NotAWorkspaceError(
            f"“{name}” was switched to write-ahead logging by another program, a mode QMS "
            f"Workbench does not use; it was not opened and is unchanged. Close that program, "
            f"then run “qms recover {name}” to switch it back (nothing in it is lost).")
    stray = path.with_name(name + "-wal")
    if os.path.lexists(stray):
        # A rollback-journal file never has a write-ahead log of its own: SQLite would still
        # read this one (perhaps another file's) into the workspace, and make a “-shm” beside it.
        raise NotAWorkspaceError(
            f"“{name}” has a write-ahead log “{stray.name}” beside it that it does not use (left "
            f"by another program, or copied there with another file); it was not opened and "
            f"nothing was changed. Move “{stray.name}” (and “{name}-shm”, if present) out of "
            "this folder, then open the workspace again.")
    (page_size,) = struct.unpack(">H", head[16:18])
    page_size = 65536 if page_size == 1 else page_size
    (change_counter,) = struct.unpack(">I", head[24:28])
    (n_pages,) = struct.unpack(">I", head[28:32])
    (valid_for,) = struct.unpack(">I", head[92:96])
    if n_pages and valid_for == change_counter and size < n_pages * page_size:
        raise NotAWorkspaceError(
            f"“{name}” is damaged: the file is shorter than its contents "
            f"({size:,} of {n_pages * page_size:,} bytes). Restore it from a backup.")
    if size % page_size:
        raise NotAWorkspaceError(f"“{name}” is damaged (its size is not whole pages).")


def _describe_special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _describe_foreign(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "a Word, Excel or other zip-based document"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style or encrypted Office document"
    if head.lstrip().startswith(b"<"):
        return "an XML or HTML file"
    return "not a database file"


def is_network_path(path: Path) -> bool:
    """True when ``path`` is on a network file system (SQLite locking is unreliable there)."""
    p = str(path.resolve())
    if sys.platform == "win32":
        if p.startswith("\\\\"):
            return True
        try:
            import ctypes

            drive = os.path.splitdrive(p)[0] + "\\"
            return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
        except Exception:
            return False
    try:
        with open("/proc/mounts", encoding="utf-8") as f:
            mounts = [line.split()[1:3] for line in f if len(line.split()) >= 3]
    except OSError:
        return False
    best, fstype = "", ""
    for mnt, fs in mounts:
        mnt = mnt.replace("\\040", " ")
        if (p == mnt or p.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
            best, fstype = mnt, fs
    return fstype in {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph",
                      "fuse.sshfs", "davfs", "fuse.davfs2", "glusterfs"}


# --------------------------------------------------------------------------- engine


def _file_uri(path: Path, *, read_only: bool, immutable: bool = False,
              create: bool = False) -> str:
    """The ``file:`` URI SQLite opens: read-only, read-write (never creating a file: a workspace
    deleted while open is not silently re-created empty) or, for a new file, create."""
    params = ["mode=ro" if read_only else "mode=rwc" if create else "mode=rw"]
    if immutable:
        params.append("immutable=1")
    return path.resolve().as_uri() + "?" + "&".join(params)


def _sqlite_url(path: Path, *, read_only: bool, immutable: bool = False,
                create: bool = False) -> str:
    uri = _file_uri(path, read_only=read_only, immutable=immutable, create=create)
    return f"sqlite:///{uri}&uri=true"


def _make_engine(path: Path, *, read_only: bool, immutable: bool = False,
                 immediate: bool = True, create: bool = False) -> Engine:
    """An engine with our pragmas; ``immediate`` transactions take the write lock up front
    (sessions), deferred ones only read (queries that must never block a writer)."""
    engine = create_engine(
        _sqlite_url(path, read_only=read_only, immutable=immutable, create=create),
        poolclass=NullPool if read_only else None,
        connect_args={"check_same_thread": False, "timeout": 10},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _rec):
        # let SQLAlchemy's BEGIN control transactions (pysqlite's legacy mode would not)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate and not read_only else "BEGIN")

    return engine


def _errcode(e: BaseException | None) -> int | None:
    """SQLite's extended result code of an error (SQLAlchemy's or the driver's), if any."""
    e = getattr(e, "orig", None) or e
    return getattr(e, "sqlite_errorcode", None)


SQLITE_BUSY = 5
SQLITE_READONLY_ROLLBACK = 776  # (8 | 3 << 8): a hot journal that a read-only opener can't undo
SQLITE_READONLY_DBMOVED = 1032  # (8 | 4 << 8): the file was renamed or deleted while open


# --------------------------------------------------------------------------- the file under us

#: ``setting`` key of the workspace's id (JSON text), given to every workspace
WORKSPACE_ID_KEY = "workspace_id"

#: statements that write (the first write of a transaction is where the file is checked)
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|WITH)\b", re.I)


def _raw(conn):
    """The driver's connection behind whatever SQLAlchemy hands an event or a dialect hook."""
    return getattr(conn, "driver_connection", None) or getattr(conn, "dbapi_connection",
                                                                None) or conn


class _FileGuard:
    """Every write goes into the very file that was opened, unchanged by anyone else since our
    last commit — or nowhere.

    At the first write statement of each transaction (the transaction already holds SQLite's
    RESERVED lock, so no other writer can commit until it ends) it checks that

    * the path still names the file that was opened (device and inode): not deleted, moved,
      renamed or replaced by another file;
    * nobody else wrote to it since our last commit: SQLite's ``data_version`` on a connection
      of our own that only ever reads (it changes with every commit by any other connection,
      ours included, so it is noted again after each of ours), and the file's size and
      modification time (which catch a copy written over it byte by byte);
    * it still holds this workspace (its id).

    A failed check is final for this open: every later write is refused with the same sentence,
    because what this window shows no longer matches the file. After each of our commits (and
    rollbacks) the new state is noted, unless another connection committed in between (our
    connection's own ``data_version`` would have moved), which then counts as a change.
    """

    def __init__(self, path: Path, ws_id: str | None):
        self.path = path
        st = os.stat(path)
        self.ident = (st.st_dev, st.st_ino)
        self.ws_id = ws_id
        self.problem: str | None = None
        self._mutex = threading.Lock()
        self._owner = None          # the driver connection whose transaction was checked
        self._dv_before = None      # its data_version when checked
        self._watch = sqlite3.connect(_file_uri(path, read_only=True), uri=True,
                                      check_same_thread=False, timeout=10,
                                      isolation_level=None)
        self.expected = self._fingerprint(st)

    # -- messages
    def _replaced(self) -> str:
        return (f"“{self.path.name}” was replaced or changed by another program after it was "
                "opened; nothing was written. Save what this window shows as a copy, then "
                "reopen the file.")

    def _overwritten(self) -> str:
        # the same file, changed in place: a copy now would only copy the other program's data
        folder = self.path.with_name(self.path.stem + "-backups")
        try:  # named only when there is a backup in it
            kept = folder.is_dir() and any(folder.glob(f"{self.path.stem}-*{SUFFIX}"))
        except OSError:
            kept = False
        where = f"; automatic backups are in “{folder.name}”" if kept else ""
        return (f"“{self.path.name}” was changed by another program after it was opened; "
                "nothing was written. This window no longer shows what the file holds: reopen "
                f"it (a copy now would hold the other program's changes{where}).")

    def _moved(self) -> str:
        return (f"“{self.path.name}” was moved, renamed or deleted after it was opened; nothing "
                "was written. Save what this window shows as a copy, then open the file where "
                "it is now.")

    # -- the state of the file
    def _fingerprint(self, st: os.stat_result | None = None) -> tuple:
        st = st or os.stat(self.path)
        dv = self._watch.execute("PRAGMA data_version").fetchone()[0]
        return (dv, st.st_size, st.st_mtime_ns)

    def replaced(self) -> bool:
        """True when the path no longer names the file that was opened."""
        return self.why_replaced() is not None

    def why_replaced(self) -> str | None:
        """The sentence when the path no longer names the file that was opened, else None."""
        try:
            st = os.stat(self.path)
        except OSError:
            return self._moved()
        return None if (st.st_dev, st.st_ino) == self.ident else self._replaced()

    def _find_problem(self, raw) -> str | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return self._moved()
        if (st.st_dev, st.st_ino) != self.ident:
            return self._replaced()
        try:
            if self._fingerprint(st) != self.expected:
                return self._overwritten()
            if self.ws_id is not None:
                row = raw.execute("SELECT value FROM setting WHERE key = ?",
                                  (WORKSPACE_ID_KEY,)).fetchone()
                if row is None or _json_or_text(row[0]) != self.ws_id:
                    return self._overwritten()
        except sqlite3.Error as e:
            if _errcode(e) == SQLITE_BUSY:
                raise
            return self._overwritten()
        return None

    # -- hooks
    def before_work(self, raw) -> None:
        """Called at the start of a unit of work, its transaction begun (so no other writer can
        commit until it ends): refuse it at once when the file is not the one opened, before
        anything is read from it. The check at the first write still follows."""
        if self.problem is not None:
            raise ChangedOnDiskError(self.problem)
        if not self._mutex.acquire(timeout=30):
            raise WorkspaceError("The workspace is busy (another change is being saved); "
                                 "try again in a moment.")
        try:
            problem = self._find_problem(raw)
        finally:
            self._mutex.release()
        if problem is not None:
            self.problem = self.problem or problem
            raise ChangedOnDiskError(self.problem)

    def before_write(self, raw) -> None:
        """Called before a write statement; checks once per transaction (raises when the file
        is not the one opened, and then for good)."""
        if self._owner is raw:
            return
        if self.problem is not None:
            raise ChangedOnDiskError(self.problem)
        if not self._mutex.acquire(timeout=30):
            raise WorkspaceError("The workspace is busy (another change is being saved); "
                                 "try again in a moment.")
        try:
            problem = self._find_problem(raw)
            if problem is None:
                self._dv_before = raw.execute("PRAGMA data_version").fetchone()[0]
        except BaseException:
            self._mutex.release()
            raise
        if problem is not None:
            self.problem = problem
            self._mutex.release()
            raise ChangedOnDiskError(problem)
        self._owner = raw

    def after_end(self, raw) -> None:
        """Called after a commit or rollback: note the file's new state as ours."""
        if self._owner is not raw:
            return
        try:
            fp = self._fingerprint()
            if raw.execute("PRAGMA data_version").fetchone()[0] != self._dv_before:
                self.problem = self.problem or self._replaced()
            else:
                self.expected = fp
        except (OSError, sqlite3.Error):
            self.problem = self.problem or self.why_replaced() or self._replaced()
        finally:
            self._owner = None
            self._mutex.release()

    def install(self, engine: Engine) -> None:
        guard = self
        dialect = engine.dialect
        do_commit, do_rollback = dialect.do_commit, dialect.do_rollback

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            if _WRITES.match(statement):
                guard.before_write(_raw(cursor.connection))

        def commit(dbapi_conn):
            try:
                do_commit(dbapi_conn)
            finally:
                guard.after_end(_raw(dbapi_conn))

        def rollback(dbapi_conn):
            try:
                do_rollback(dbapi_conn)
            finally:
                guard.after_end(_raw(dbapi_conn))

        dialect.do_commit = commit
        dialect.do_rollback = rollback

    @contextlib.contextmanager
    def opened_file(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection to the file that was opened, even when the path now names
        another file (a copy of what this window shows)."""
        with self._mutex:
            yield self._watch

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._watch.close()


def _json_or_text(value):
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


# --------------------------------------------------------------------------- workspace


@dataclass
class OpenInfo:
    upgraded_from: str | None = None
    backup_path: Path | None = None
    network_share: bool = False
    #: a change left unfinished by a writer that stopped was undone on opening (the one-line
    #: ``notice`` says so); every saved change is kept
    recovered: bool = False
    #: one line for the user about the open (the recovery), or ""
    notice: str = ""
    #: an empty journal a stopped writer left before it began a change was removed
    journal_removed: bool = False
    #: ``qms recover``: the file as it was before the recovery (its journal beside it)
    safety_copy: Path | None = None


class Workspace:
    """An open workspace. Use :meth:`session` for each unit of work."""

    def __init__(self, path: Path, engine: Engine, *, read_only: bool, user: str,
                 lock: Lock | None, info: OpenInfo):
        self.path = path
        self.engine = engine
        self.read_only = read_only
        self.user = user
        self.lock = lock
        self.info = info
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self._reader: Engine | None = None
        audit.install(self._factory)
        self.closed = False
        #: checks each write goes into the file that was opened (writable opens only)
        self._guard: _FileGuard | None = None
        self.workspace_id: str | None = None

    def _watch_file(self, ws_id: str | None) -> None:
        """Start checking that every write goes into the file that was opened."""
        self.workspace_id = ws_id
        self._guard = _FileGuard(self.path, ws_id)
        self._guard.install(self.engine)

    def _give_id(self) -> None:
        """Give a workspace without an id one (a setting, audited like any record)."""
        from .models import Setting

        new = uuid.uuid4().hex
        with self.session() as s:
            s.add(Setting(key=WORKSPACE_ID_KEY, value=json.dumps(new)))
        self.workspace_id = new
        if self._guard is not None:
            self._guard.ws_id = new

    @property
    def changed_on_disk(self) -> str | None:
        """Why edits are refused because the file changed under this window (one sentence),
        or None."""
        return self._guard.problem if self._guard is not None else None

    # -- sessions
    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        if self.closed:
            raise WorkspaceError("The workspace is closed.")
        s = self._factory()
        s.info["user"] = self.user
        try:
            if self._guard is not None:  # the file is checked before the work reads from it
                self._guard.before_work(_raw(s.connection().connection))
            yield s
            if self.read_only:
                if s.new or s.dirty or s.deleted:
                    raise WorkspaceError("The workspace is open read-only; nothing was changed.")
                s.rollback()
            else:
                s.commit()
                changes.committed(s)
        except sqlite3.OperationalError as e:
            s.rollback()
            raise self._friendly(e) from e
        except Exception as e:
            s.rollback()
            from sqlalchemy.exc import DatabaseError, IntegrityError

            if isinstance(e, DatabaseError) and not isinstance(e, IntegrityError):
                raise self._friendly(e.orig) from e
            if isinstance(e, IntegrityError):
                raise WorkspaceError(
                    "The change was refused because it refers to a record that does not exist "
                    "(or would leave one without its owner); nothing was saved.") from e
            raise
        finally:
            s.close()

    def _friendly(self, e: BaseException) -> WorkspaceError:
        # (SQLite says "readonly" when the file was renamed or deleted under it)
        problem = self._guard.why_replaced() if self._guard is not None else None
        if problem is None and _errcode(e) == SQLITE_READONLY_DBMOVED:
            problem = (f"“{self.path.name}” was moved, renamed or deleted after it was opened; "
                       "nothing was written. Save what this window shows as a copy, then open "
                       "the file where it is now.")
        if problem is not None:
            if self._guard is not None:
                self._guard.problem = self._guard.problem or problem
            return ChangedOnDiskError(problem)
        return _friendly(e)

    @contextlib.contextmanager
    def recording(self) -> Iterator[changes.Recorder]:
        """Collect every change set committed on this thread inside the block (``rec.change``,
        ``rec.changeset``): the one undo command records a service call with it."""
        rec = changes.Recorder()
        stack = changes.active_recorders()
        stack.append(rec)
        try:
            yield rec
        finally:
            stack.remove(rec)

    def connect(self):
        """A connection for queries (use as a context manager); it never takes the write lock,
        so it never blocks an edit. Do not hold it across an edit on the same thread."""
        if self.closed:
            raise WorkspaceError("The workspace is closed.")
        if self._reader is None:
            if self.read_only:
                self._reader = self.engine
            else:
                self._reader = _make_engine(self.path, read_only=False, immediate=False)
        return self._reader.connect()

    def head_hash(self) -> str:
        with self.connect() as c:
            return audit.head_hash(c)

    # -- copies
    def save_copy(self, dest: Path | str) -> Path:
        """Write a consistent copy of the workspace to ``dest`` (online backup API).

        The copy is checked (``PRAGMA quick_check``) before it is renamed into place: a damaged
        workspace never replaces a good copy. When the file was replaced or moved under this
        window, the copy is taken from the file that was opened (what this window shows)."""
        dest = Path(dest)
        if dest.is_dir():
            dest = dest / self.path.name
        if dest.suffix.lower() != SUFFIX:
            dest = dest.with_name(dest.name + SUFFIX)
        if not dest.parent.is_dir():
            raise CopyError(f"The folder “{dest.parent}” does not exist; choose another folder. "
                            "The workspace is unchanged.")
        if dest.resolve() == self.path.resolve():
            raise CopyError("Choose another file name: a copy cannot replace the workspace itself.")
        remove_stale_parts(dest.parent)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        try:
            with self._copy_source() as src:
                dst = sqlite3.connect(tmp)
                try:
                    src.backup(dst)
                    dst.execute("PRAGMA journal_mode=DELETE")
                    damage = _quick_check(dst)
                finally:
                    dst.close()
            if damage is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise CopyError(
                    f"“{self.path.name}” is damaged ({damage}), so no copy was written to "
                    f"“{dest}” (a copy made now would be damaged too, and your earlier copies "
                    "are kept). Restore the workspace from a backup.")
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        except (OSError, sqlite3.Error) as e:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise CopyError(_copy_message(dest, e)) from e
        return dest

    @contextlib.contextmanager
    def _copy_source(self) -> Iterator[sqlite3.Connection]:
        if self._guard is not None and self._guard.replaced():
            with self._guard.opened_file() as conn:
                yield conn
            return
        src = self.engine.raw_connection()
        try:
            yield src.driver_connection
        finally:
            src.close()

    def backup_dir(self) -> Path:
        return self.path.with_name(self.path.stem + "-backups")

    def rotate_backups(self, keep: int = 10) -> Path:
        """Write a time-stamped automatic backup and keep only the newest ``keep``."""
        if self.changed_on_disk:
            # the file is no longer what this window opened: its copies must not push the
            # good ones out of the rotation
            raise CopyError(self.changed_on_disk)
        folder = self.backup_dir()
        try:
            folder.mkdir(exist_ok=True)
        except OSError as e:
            raise CopyError(_copy_message(folder, e)) from e
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        dest = self.save_copy(folder / f"{self.path.stem}-{stamp}{SUFFIX}")
        backups = sorted(folder.glob(f"{self.path.stem}-*{SUFFIX}"))
        for old in backups[:-keep] if keep > 0 else []:
            with contextlib.suppress(OSError):
                old.unlink()
        return dest

    def close(self) -> None:
        if self.closed:
            return
        self.engine.dispose()
        if self._reader is not None:
            self._reader.dispose()
        if self._guard is not None:
            self._guard.close()
        if self.lock:
            self.lock.release()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


#: ``.NAME.PID.part`` (a copy being written) and ``.NAME.PID.new`` (a workspace being created),
#: with the journal SQLite keeps beside such a file while writing it
_PART = re.compile(r"^\..+\.(\d+)\.(part|new)(-journal)?$")


def remove_stale_parts(folder: Path) -> list[Path]:
    """Remove the hidden temporary files that a copy, backup or creation killed half-way left in
    ``folder`` (their process is gone); return what was removed. On a network share, where
    another machine's process cannot be asked, only files untouched for an hour go."""
    from .lock import _pid_alive

    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    shared = None
    for entry in entries:
        m = _PART.match(entry.name)
        if not m:
            continue
        pid = int(m.group(1))
        if pid == os.getpid() or _pid_alive(pid):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if shared is None:
                shared = is_network_path(Path(folder))
            if shared and dt.datetime.now().timestamp() - entry.stat().st_mtime < 3600:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _copy_message(dest: Path, e: Exception) -> str:
    text_ = str(e).lower()
    errno = getattr(e, "errno", None)
    if errno == 28 or "full" in text_ or errno == 27 or "too large" in text_:
        return (f"The copy to “{dest}” could not be written: the disk is full. "
                "The workspace is unchanged; free some space and try again.")
    if isinstance(e, PermissionError) or errno == 13 or "readonly" in text_ \
            or "unable to open" in text_:
        return (f"The copy to “{dest}” could not be written: the folder is not writable. "
                "The workspace is unchanged; choose another folder.")
    return f"The copy to “{dest}” failed ({e}). The workspace is unchanged."


def _friendly(e: BaseException) -> WorkspaceError:
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return WorkspaceError("The workspace is busy (another program is writing to it); "
                              "try again in a moment.")
    if "full" in msg:
        return WorkspaceError("The disk is full: the last change was not saved. "
                              "Free some space and try again.")
    if "readonly" in msg:
        return WorkspaceError("The workspace cannot be written (read-only file or folder).")
    if "malformed" in msg or "not a database" in msg:
        return WorkspaceError("The workspace file is damaged. Restore it from a backup.")
    return WorkspaceError(f"The workspace could not be written: {e}.")


def _stamp_new(conn) -> None:
    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
    conn.exec_driver_sql("DELETE FROM alembic_version")
    conn.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{SCHEMA_HEAD}')")


def create_workspace(path: Path | str, *, organization: str = "", user: str | None = None,
                     overwrite: bool = False) -> Workspace:
    """Create a new, empty workspace file and open it for writing."""
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if path.exists():
        if not overwrite:
            raise WorkspaceError(f"“{path.name}” already exists; choose another name.")
        lock = Lock(path, user or audit.default_user())
        lock.acquire()  # nobody has it open (via any name): it may go
        lock.release()
        path.unlink()
    remove_stale_parts(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        engine = _make_engine(tmp, read_only=False, create=True)
        with engine.begin() as conn:
            _stamp_new(conn)
            Base.metadata.create_all(conn)
        engine.dispose()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WorkspaceError(f"The workspace “{path.name}” could not be created: {e}.") from e
    except Exception:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    ws = open_workspace(path, user=user)
    if organization:
        from .models import Organization

        with ws.session() as s:
            s.add(Organization(name=organization))
    return ws


def _writable(path: Path) -> bool:
    """Writable by us *and* not marked read-only (root may write anything; users mean it)."""
    import stat

    return (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
            and bool(path.stat().st_mode & stat.S_IWUSR))


def _journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def _looks_hot(journal: Path) -> bool:
    """A rollback journal with content (SQLite ignores an empty or zeroed one)."""
    try:
        with open(journal, "rb") as f:
            first = f.read(1)
    except OSError:
        return False
    return first not in (b"", b"\x00")


def interrupted_message(path: Path, *, writable: bool) -> str:
    """What a read-only opener says about a change left unfinished by a stopped writer."""
    name = path.name
    if writable:
        return (f"“{name}” was not closed properly: the program writing it stopped in the "
                "middle of a change. Open it normally (not read-only) once, or run “qms "
                f"recover {name}”, to finish the recovery: every saved change is kept.")
    return (f"“{name}” was not closed properly: the program writing it stopped in the middle "
            "of a change, and the recovery cannot be finished here because the file or its "
            f"folder is read-only. Copy “{name}” together with “{name}-journal” to a folder "
            "you can write to, then open the copy normally (or run “qms recover” on it): every "
            "saved change is kept.")


def recovered_message(path: Path) -> str:
    return (f"“{path.name}” was not closed properly last time: the change being saved when it "
            "stopped was undone, and every saved change is kept.")


def _open_error(path: Path, e: BaseException, *, writable: bool) -> WorkspaceError:
    """The sentence for an error SQLite gave while a workspace was being opened."""
    code = _errcode(e)
    if code == SQLITE_READONLY_ROLLBACK:
        error = InterruptedWriteError(interrupted_message(path, writable=writable))
        error.writable = writable
        return error
    if code is not None and code & 0xFF in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return WorkspaceError(f"“{path.name}” is being written by another program right now; "
                              "try again in a moment.")
    return NotAWorkspaceError(
        f"“{path.name}” is damaged and cannot be read ({_first_line(e)}). "
        "Restore it from a backup.")


def _first_line(e: BaseException) -> str:
    e = getattr(e, "orig", None) or e
    text_ = str(e).strip().splitlines()
    return text_[0] if text_ else e.__class__.__name__


def _finish_interrupted_change(path: Path) -> str | None:
    """Under our lock: let SQLite undo a change a stopped writer left in the journal (its own
    rollback, run by a read), and remove a journal left empty. "undone", "removed" (an empty
    journal: nothing was under way) or None (no journal)."""
    journal = _journal_path(path)
    if not journal.exists():
        return None
    hot = _looks_hot(journal)
    try:
        conn = sqlite3.connect(_file_uri(path, read_only=False), uri=True, timeout=10,
                               isolation_level=None)
    except sqlite3.Error as e:
        raise _open_error(path, e, writable=True) from e
    try:
        conn.execute("BEGIN IMMEDIATE")  # the first read rolls a hot journal back
        try:
            undone = hot and not journal.exists()
            # We hold SQLite's RESERVED lock: no other connection is writing, so a journal
            # still there is a leftover SQLite ignores (empty, or its header never written).
            with contextlib.suppress(FileNotFoundError):
                journal.unlink()
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.Error as e:
        raise _open_error(path, e, writable=True) from e
    finally:
        conn.close()
    return "undone" if undone else "removed"


def _switch_from_wal(path: Path) -> None:
    """Under our lock: switch a file another program put into write-ahead logging back to a
    rollback journal (SQLite moves what waits in ``-wal`` into the file and removes the side
    files)."""
    try:
        conn = sqlite3.connect(_file_uri(path, read_only=False), uri=True, timeout=10,
                               isolation_level=None)
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise WorkspaceError(
            f"“{path.name}” could not be switched back from write-ahead logging "
            f"({_first_line(e)}); close every other program that has it open and try "
            "again.") from e
    if str(mode).lower() != "delete":
        raise WorkspaceError(
            f"“{path.name}” could not be switched back from write-ahead logging; close every "
            "other program that has it open and try again.")


def _is_wal(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return False
    return len(head) == 20 and (head[18] == 2 or head[19] == 2)


#: the longest the check on open may take (a larger or slower file is checked by ``qms verify``)
QUICK_CHECK_SECONDS = 5.0


def _quick_check(conn: sqlite3.Connection, seconds: float | None = None) -> str | None:
    """SQLite's ``quick_check`` (every page and record readable, in order): None when sound
    (or when it ran out of time, or the time allowed is 0), else its first finding in a few
    words."""
    import time

    seconds = QUICK_CHECK_SECONDS if seconds is None else seconds
    if seconds <= 0:
        return None
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 20000)
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.OperationalError as e:
        if "interrupt" in str(e).lower():
            return None
        return _first_line(e)
    except sqlite3.DatabaseError as e:
        return _first_line(e)
    finally:
        conn.set_progress_handler(None, 0)
    found = [ln.strip() for r in rows for ln in str(r[0]).splitlines()
             if ln.strip() and not ln.startswith("***")]
    if found == ["ok"]:
        return None
    first = found[0] if found else "unreadable"
    return first if len(first) <= 100 else first[:97] + "..."


def _check_contents(engine: Engine, path: Path, *, writable: bool) -> str | None:
    """Refuse a workspace whose tables were changed outside the app (a table or column gone) or
    whose pages are damaged; return its id (None when it has none yet)."""
    name = path.name
    try:
        with engine.connect() as c:
            raw = c.connection.driver_connection
            have = {r[0] for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            for table in Base.metadata.sorted_tables:
                if table.name not in have:
                    raise NotAWorkspaceError(
                        f"“{name}” is damaged: its table “{table.name}” is missing (it was "
                        "changed outside QMS Workbench). It was not opened; restore it from a "
                        "backup.")
                cols = {r[1] for r in raw.execute(f'PRAGMA table_info("{table.name}")')}
                for col in table.columns:
                    if col.name not in cols:
                        raise NotAWorkspaceError(
                            f"“{name}” is damaged: the column “{col.name}” of its table "
                            f"“{table.name}” is missing (it was changed outside QMS "
                            "Workbench). It was not opened; restore it from a backup.")
            damage = _quick_check(raw)
            if damage is not None:
                raise NotAWorkspaceError(
                    f"“{name}” is damaged: SQLite's check of its pages found “{damage}”. It "
                    "was not opened, so nothing was written into it; restore it from a backup.")
            row = raw.execute("SELECT value FROM setting WHERE key = ?",
                              (WORKSPACE_ID_KEY,)).fetchone()
    except WorkspaceError:
        raise
    except Exception as e:
        raise _open_error(path, e, writable=writable) from e
    return None if row is None else str(_json_or_text(row[0]))


def _schema_revision(path: Path, *, immutable: bool, writable: bool = True) -> str | None:
    url = _sqlite_url(path, read_only=True, immutable=immutable)
    eng = create_engine(url, poolclass=NullPool, connect_args={"timeout": 10})
    try:
        with eng.connect() as c:
            has = c.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).scalar()
            if not has:
                return None
            return c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except Exception as e:
        raise _open_error(path, e, writable=writable) from e
    finally:
        eng.dispose()


def _keep_before_recovery(path: Path) -> Path | None:
    """Under our lock, before SQLite rolls a hot journal back: copy the file and its journal,
    byte for byte, into the automatic backups folder (``NAME-backups/NAME.before-recovery-
    STAMP.qms`` and its ``-journal``). None when there is no change to undo."""
    journal = _journal_path(path)
    if not _looks_hot(journal):
        return None
    folder = path.with_name(path.stem + "-backups")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = folder / f"{path.stem}.before-recovery-{stamp}{SUFFIX}"
    n = 1
    while dest.exists() or _journal_path(dest).exists():
        n += 1
        dest = folder / f"{path.stem}.before-recovery-{stamp}-{n}{SUFFIX}"
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        folder.mkdir(exist_ok=True)
        shutil.copyfile(path, part)
        shutil.copyfile(journal, _journal_path(dest))
        os.replace(part, dest)
    except OSError as e:
        for left in (part, _journal_path(dest)):
            with contextlib.suppress(OSError):
                left.unlink()
        raise WorkspaceError(
            f"“{path.name}” was not recovered because a copy of it as it is could not be "
            f"kept first ({e.strerror or e}); nothing was changed: make sure the folder "
            f"“{folder.name}” beside it can be written to, with room for a copy, and try "
            "again.") from e
    return dest


def open_workspace(path: Path | str, *, read_only: bool = False, user: str | None = None,
                   upgrade: bool = True, recover: bool = False) -> Workspace:
    """Open an existing workspace; see the module docstring for the rules.

    A writer that stopped in the middle of a change leaves a journal: a writable open undoes
    that change under our lock (``info.notice`` says so); a read-only one refuses with
    :class:`InterruptedWriteError`, saying how to finish the recovery. ``recover`` (``qms
    recover``) also switches a file another program put into write-ahead logging back."""
    path = Path(path)
    wal = recover and not read_only and _is_wal(path)
    if not wal:
        sniff(path)
    user = user or audit.default_user()
    writable = _writable(path)
    if not read_only and not writable:
        raise ReadOnlyFileError(
            f"“{path.name}” is read-only (or its folder is): it can only be opened read-only.")
    journal = _journal_path(path)
    lock = None
    if not read_only:
        lock = Lock(path, user)
        lock.acquire()
    try:
        info = OpenInfo(network_share=is_network_path(path))
        if wal:
            _switch_from_wal(path)
            sniff(path)
            info.notice = (f"“{path.name}” was switched back from write-ahead logging to the "
                           "rollback journal QMS Workbench uses; nothing in it was lost.")
        if recover and not read_only:
            info.safety_copy = _keep_before_recovery(path)
        finished = None if read_only else _finish_interrupted_change(path)
        info.journal_removed = finished == "removed"
        if finished == "undone":
            info.recovered = True
            info.notice = " ".join(filter(None, (info.notice, recovered_message(path))))
        # a read-only file with no journal is opened immutable: no locks, no side files
        immutable = read_only and not writable and not journal.exists()
        rev = _schema_revision(path, immutable=immutable, writable=writable)
        if rev is None:
            raise NotAWorkspaceError(f"“{path.name}” holds no QMS workspace schema.")
        if rev not in KNOWN_REVISIONS:
            raise WorkspaceTooNewError(
                f"“{path.name}” was saved by a newer version of QMS Workbench (schema {rev}). "
                "Update the application to open it.")
        if rev != SCHEMA_HEAD:
            if read_only:
                raise WorkspaceError(
                    f"“{path.name}” uses an older schema ({rev}); open it for writing once so "
                    "it can be upgraded (a backup is made first).")
            info.upgraded_from = rev
            info.backup_path = _backup_before_upgrade(path, rev)
            from .migrate import upgrade_to_head

            try:
                upgrade_to_head(path)
            except Exception as e:
                raise WorkspaceError(
                    f"“{path.name}” could not be upgraded to this version's format "
                    f"({_first_line(e)}); it was not changed. The copy made before the upgrade "
                    f"is “{info.backup_path.name}”.") from e
        engine = _make_engine(path, read_only=read_only, immutable=immutable)
        try:
            ws_id = _check_contents(engine, path, writable=writable)
            ws = Workspace(path, engine, read_only=read_only, user=user, lock=lock, info=info)
        except BaseException:
            engine.dispose()
            raise
        ws.workspace_id = ws_id
        if not read_only:
            try:
                ws._watch_file(ws_id)
                if ws_id is None:
                    ws._give_id()  # (an older workspace: once, on its first writable open)
            except BaseException:
                ws.lock = None  # released below
                ws.close()
                raise
        return ws
    except BaseException:
        if lock:
            lock.release()
        raise


def _backup_before_upgrade(path: Path, rev: str) -> Path:
    dest = path.with_name(f"{path.stem}.before-upgrade-{rev}{SUFFIX}")
    n = 1
    while dest.exists():
        n += 1
        dest = path.with_name(f"{path.stem}.before-upgrade-{rev}-{n}{SUFFIX}")
    src = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    tmp = dest.with_name("." + dest.name + ".part")
    try:
        dst = sqlite3.connect(tmp)
        src.backup(dst)
        dst.close()
        os.replace(tmp, dest)
    except (OSError, sqlite3.Error) as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WorkspaceError(
            f"“{path.name}” needs an upgrade but its backup could not be written ({e}); "
            "nothing was changed.") from e
    finally:
        src.close()
    return dest
