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
  disk never leaves a half-written copy and never touches the workspace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select, text
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
SCHEMA_HEAD = "0002"
#: Every revision this build can open (oldest first); anything else is from a newer build.
KNOWN_REVISIONS = ("0001", "0002")
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


# --------------------------------------------------------------------------- checks


def sniff(path: Path) -> None:
    """Raise NotAWorkspaceError unless ``path`` looks like an intact workspace (read-only check)."""
    name = path.name
    if not path.exists():
        raise NotAWorkspaceError(f"“{name}” does not exist.")
    if path.is_dir():
        raise NotAWorkspaceError(f"“{name}” is a folder, not a workspace file.")
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except PermissionError:
        raise NotAWorkspaceError(f"You do not have permission to read “{name}”.") from None
    except OSError as e:
        raise NotAWorkspaceError(f"“{name}” cannot be read: {e.strerror}.") from None
    size = path.stat().st_size
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


def _sqlite_url(path: Path, *, read_only: bool, immutable: bool = False) -> str:
    uri = path.resolve().as_uri()
    params = []
    if read_only:
        params.append("mode=ro")
    if immutable:
        params.append("immutable=1")
    q = ("?" + "&".join(params)) if params else ""
    return f"sqlite:///{uri}{q}" + ("&uri=true" if q else "?uri=true")


def _make_engine(path: Path, *, read_only: bool, immutable: bool = False,
                 immediate: bool = True) -> Engine:
    """An engine with our pragmas; ``immediate`` transactions take the write lock up front
    (sessions), deferred ones only read (queries that must never block a writer)."""
    engine = create_engine(
        _sqlite_url(path, read_only=read_only, immutable=immutable),
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


# --------------------------------------------------------------------------- workspace


@dataclass
class OpenInfo:
    upgraded_from: str | None = None
    backup_path: Path | None = None
    network_share: bool = False


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

    # -- sessions
    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        if self.closed:
            raise WorkspaceError("The workspace is closed.")
        s = self._factory()
        s.info["user"] = self.user
        try:
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
            raise _friendly(e) from e
        except Exception as e:
            s.rollback()
            from sqlalchemy.exc import DatabaseError, IntegrityError

            if isinstance(e, DatabaseError) and not isinstance(e, IntegrityError):
                raise _friendly(e.orig) from e
            if isinstance(e, IntegrityError):
                raise WorkspaceError(
                    "The change was refused because it refers to a record that does not exist "
                    "(or would leave one without its owner); nothing was saved.") from e
            raise
        finally:
            s.close()

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
        """Write a consistent copy of the workspace to ``dest`` (online backup API)."""
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
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        try:
            src = self.engine.raw_connection()
            try:
                dst = sqlite3.connect(tmp)
                try:
                    src.driver_connection.backup(dst)
                    dst.execute("PRAGMA journal_mode=DELETE")
                finally:
                    dst.close()
            finally:
                src.close()
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        except (OSError, sqlite3.Error) as e:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise CopyError(_copy_message(dest, e)) from e
        return dest

    def backup_dir(self) -> Path:
        return self.path.with_name(self.path.stem + "-backups")

    def rotate_backups(self, keep: int = 10) -> Path:
        """Write a time-stamped automatic backup and keep only the newest ``keep``."""
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
        if self.lock:
            self.lock.release()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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
        Lock(path, user or audit.default_user()).acquire()
        path.with_name(path.name + ".lock").unlink()
        path.unlink()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        engine = _make_engine(tmp, read_only=False)
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


def _schema_revision(path: Path, *, immutable: bool) -> str | None:
    url = _sqlite_url(path, read_only=True, immutable=immutable)
    eng = create_engine(url, poolclass=NullPool)
    try:
        with eng.connect() as c:
            has = c.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).scalar()
            if not has:
                return None
            return c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except Exception as e:
        raise NotAWorkspaceError(
            f"“{path.name}” is damaged and cannot be read ({e.__class__.__name__}). "
            "Restore it from a backup.") from e
    finally:
        eng.dispose()


def open_workspace(path: Path | str, *, read_only: bool = False, user: str | None = None,
                   upgrade: bool = True) -> Workspace:
    """Open an existing workspace; see the module docstring for the rules."""
    path = Path(path)
    sniff(path)
    user = user or audit.default_user()
    writable = _writable(path)
    if not read_only and not writable:
        raise ReadOnlyFileError(
            f"“{path.name}” is read-only (or its folder is): it can only be opened read-only.")
    journal = path.with_name(path.name + "-journal")
    lock = None
    if not read_only:
        lock = Lock(path, user)
        lock.acquire()
    try:
        # A hot journal (a killed writer) must be rolled back by a writer before reading.
        immutable = read_only and not writable and not journal.exists()
        rev = _schema_revision(path, immutable=immutable) if not (
            journal.exists() and not read_only) else None
        info = OpenInfo(network_share=is_network_path(path))
        if rev is None and not (journal.exists() and not read_only):
            raise NotAWorkspaceError(f"“{path.name}” holds no QMS workspace schema.")
        engine = _make_engine(path, read_only=read_only, immutable=immutable)
        if rev is None:
            with engine.connect() as c:  # recovers the hot journal
                rev = c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        if rev not in KNOWN_REVISIONS:
            engine.dispose()
            raise WorkspaceTooNewError(
                f"“{path.name}” was saved by a newer version of QMS Workbench (schema {rev}). "
                "Update the application to open it.")
        if rev != SCHEMA_HEAD:
            if read_only:
                engine.dispose()
                raise WorkspaceError(
                    f"“{path.name}” uses an older schema ({rev}); open it for writing once so "
                    "it can be upgraded (a backup is made first).")
            engine.dispose()
            info.upgraded_from = rev
            info.backup_path = _backup_before_upgrade(path, rev)
            from .migrate import upgrade_to_head

            upgrade_to_head(path)
            engine = _make_engine(path, read_only=False)
        return Workspace(path, engine, read_only=read_only, user=user, lock=lock, info=info)
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
