"""Kill (or pause) a process at a chosen point of an SQLite commit, for crash tests.

``install(spec)`` registers a VFS shim as SQLite's default (through ctypes, in the very library
Python's ``sqlite3`` module uses) that watches what every connection of this process does to a
database file and its rollback journal. When the ``n``-th commit reaches the named point, the
process sends itself SIGKILL (``action="kill"``) or SIGSTOP (``"stop"``: the parent can look at
the files while the writer is frozen there, then kill it).

A commit in ``journal_mode=DELETE`` with ``synchronous=FULL`` goes through these points, in
order (each name is the moment *before* that step):

=================  ==========================================================================
journal-write      the journal has been created but nothing written to it (it is empty)
journal-sync       the old pages are in the journal, not yet synced
journal-synced     the journal was synced once (its header not yet final)
db-write           the journal is complete and synced; the database not yet touched
db-written         the first page of the database has been overwritten (it is half new)
db-sync            every changed page is written; the database not yet synced
journal-delete     the database is complete and synced; the journal still there
journal-deleted    the journal is gone (the commit is durable, not yet acknowledged)
=================  ==========================================================================

``install_from_env()`` reads ``QMS_TEST_CRASH=POINT:N[:ACTION]`` so a child process started by a
test needs one line. Counting starts at the first commit after installing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sqlite3  # noqa: F401  (loads the very libsqlite3 the module uses)
import sys

POINTS = ("journal-write", "journal-sync", "journal-synced", "db-write", "db-written",
          "db-sync", "journal-delete", "journal-deleted")

SQLITE_OPEN_MAIN_DB = 0x00000100
SQLITE_OPEN_MAIN_JOURNAL = 0x00000800

c_int, c_int64, c_void_p, c_char_p = ctypes.c_int, ctypes.c_int64, ctypes.c_void_p, ctypes.c_char_p

# names stay raw pointers: SQLite reads URI parameters from the memory after a file name
X_OPEN = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p, c_int, c_void_p)
X_DELETE = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_int)
X_CLOSE = ctypes.CFUNCTYPE(c_int, c_void_p)
X_WRITE = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_int, c_int64)
X_SYNC = ctypes.CFUNCTYPE(c_int, c_void_p, c_int)
X_TRUNCATE = ctypes.CFUNCTYPE(c_int, c_void_p, c_int64)


class Vfs(ctypes.Structure):
    _fields_ = [("iVersion", c_int), ("szOsFile", c_int), ("mxPathname", c_int),
                ("pNext", c_void_p), ("zName", c_char_p), ("pAppData", c_void_p),
                ("xOpen", c_void_p), ("xDelete", c_void_p), ("xAccess", c_void_p),
                ("xFullPathname", c_void_p), ("xDlOpen", c_void_p), ("xDlError", c_void_p),
                ("xDlSym", c_void_p), ("xDlClose", c_void_p), ("xRandomness", c_void_p),
                ("xSleep", c_void_p), ("xCurrentTime", c_void_p), ("xGetLastError", c_void_p),
                ("xCurrentTimeInt64", c_void_p), ("xSetSystemCall", c_void_p),
                ("xGetSystemCall", c_void_p), ("xNextSystemCall", c_void_p)]


class IoMethods(ctypes.Structure):
    _fields_ = [("iVersion", c_int), ("xClose", c_void_p), ("xRead", c_void_p),
                ("xWrite", c_void_p), ("xTruncate", c_void_p), ("xSync", c_void_p),
                ("xFileSize", c_void_p), ("xLock", c_void_p), ("xUnlock", c_void_p),
                ("xCheckReservedLock", c_void_p), ("xFileControl", c_void_p),
                ("xSectorSize", c_void_p), ("xDeviceCharacteristics", c_void_p),
                ("xShmMap", c_void_p), ("xShmLock", c_void_p), ("xShmBarrier", c_void_p),
                ("xShmUnmap", c_void_p), ("xFetch", c_void_p), ("xUnfetch", c_void_p)]


class File(ctypes.Structure):
    _fields_ = [("pMethods", ctypes.POINTER(IoMethods))]


def _library():
    """The libsqlite3 Python's sqlite3 module is linked against (already loaded)."""
    import _sqlite3

    try:  # statically linked into the module: its symbols are there
        lib = ctypes.CDLL(_sqlite3.__file__)
        lib.sqlite3_vfs_find  # noqa: B018
        return lib
    except (OSError, AttributeError):
        pass
    name = ctypes.util.find_library("sqlite3") or "libsqlite3.so.0"
    return ctypes.CDLL(name)


class CrashPoint:
    """The shim; keep the object alive as long as SQLite may call it."""

    def __init__(self, point: str, n: int = 1, action: str = "kill"):
        if point not in POINTS:
            raise ValueError(f"unknown crash point {point!r}; one of {', '.join(POINTS)}")
        if action not in ("kill", "stop"):
            raise ValueError("action is 'kill' or 'stop'")
        self.point, self.n, self.action = point, n, action
        self.commits = 0          # commits that reached journal-write (one per transaction)
        self.kinds: dict[int, str] = {}   # sqlite3_file address -> "db" / "journal"
        self.in_commit = False    # between the journal's first write and its deletion
        self.journal_syncs = 0
        self.db_writes = 0
        self.lib = _library()
        self.lib.sqlite3_vfs_find.restype = ctypes.POINTER(Vfs)
        self.lib.sqlite3_vfs_find.argtypes = [c_char_p]
        self.lib.sqlite3_vfs_register.argtypes = [ctypes.POINTER(Vfs), c_int]
        self.base = self.lib.sqlite3_vfs_find(None).contents
        self.base_ptr = ctypes.pointer(self.base)
        self.base_open = X_OPEN(self.base.xOpen)
        self.base_delete = X_DELETE(self.base.xDelete)
        self.methods: dict[int, tuple] = {}  # original io_methods address -> (copy, originals)
        self.vfs = Vfs()
        ctypes.pointer(self.vfs)[0] = self.base  # copy every field
        self.vfs.zName = b"qms-crashpoint"
        self.vfs.pNext = None
        self._open = X_OPEN(self._x_open)
        self._delete = X_DELETE(self._x_delete)
        self.vfs.xOpen = ctypes.cast(self._open, c_void_p).value
        self.vfs.xDelete = ctypes.cast(self._delete, c_void_p).value

    def register(self) -> None:
        rc = self.lib.sqlite3_vfs_register(ctypes.byref(self.vfs), 1)
        if rc:
            raise RuntimeError(f"sqlite3_vfs_register failed ({rc})")

    # -- reaching a point
    def reached(self, point: str) -> None:
        if point != self.point or self.commits != self.n:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        if self.action == "stop":
            os.kill(os.getpid(), signal.SIGSTOP)
            return  # (continued: carry on)
        os.kill(os.getpid(), signal.SIGKILL)

    # -- the VFS
    def _x_open(self, _vfs, name, file, flags, out_flags):
        rc = self.base_open(self.base_ptr, name, file, flags, out_flags)
        if rc or not file:
            return rc
        kind = ("db" if flags & SQLITE_OPEN_MAIN_DB else
                "journal" if flags & SQLITE_OPEN_MAIN_JOURNAL else None)
        if kind is None:
            return rc
        f = ctypes.cast(file, ctypes.POINTER(File)).contents
        if not f.pMethods:
            return rc
        f.pMethods = ctypes.pointer(self._methods_for(f.pMethods))
        self.kinds[file] = kind
        return rc

    def _x_delete(self, _vfs, name, sync_dir):
        journal = bool(name) and ctypes.string_at(name).endswith(b"-journal")
        if journal and self.in_commit:
            self.reached("journal-delete")
        rc = self.base_delete(self.base_ptr, name, sync_dir)
        if journal and self.in_commit:
            self.in_commit = False
            self.reached("journal-deleted")
        return rc

    def _methods_for(self, orig_ptr) -> IoMethods:
        key = ctypes.addressof(orig_ptr.contents)
        got = self.methods.get(key)
        if got is not None:
            return got[0]
        orig = orig_ptr.contents
        copy = IoMethods()
        ctypes.pointer(copy)[0] = orig
        o_close, o_write = X_CLOSE(orig.xClose), X_WRITE(orig.xWrite)
        o_sync, o_trunc = X_SYNC(orig.xSync), X_TRUNCATE(orig.xTruncate)

        def x_close(file):
            self.kinds.pop(file, None)
            return o_close(file)

        def x_write(file, buf, amount, offset):
            kind = self.kinds.get(file)
            if kind == "journal" and not self.in_commit and offset == 0:
                self.in_commit = True
                self.commits += 1
                self.journal_syncs = 0
                self.db_writes = 0
                self.reached("journal-write")
            elif kind == "db" and self.in_commit and self.journal_syncs:
                if self.db_writes == 0:
                    self.reached("db-write")
                self.db_writes += 1
                rc = o_write(file, buf, amount, offset)
                if self.db_writes == 1:
                    self.reached("db-written")
                return rc
            return o_write(file, buf, amount, offset)

        def x_sync(file, flags):
            kind = self.kinds.get(file)
            if kind == "journal" and self.in_commit:
                if self.journal_syncs == 0:
                    self.reached("journal-sync")
                self.journal_syncs += 1
                rc = o_sync(file, flags)
                if self.journal_syncs == 1:
                    self.reached("journal-synced")
                return rc
            if kind == "db" and self.in_commit and self.db_writes:
                self.reached("db-sync")
            return o_sync(file, flags)

        def x_truncate(file, size):
            return o_trunc(file, size)

        keep = (X_CLOSE(x_close), X_WRITE(x_write), X_SYNC(x_sync), X_TRUNCATE(x_truncate))
        copy.xClose, copy.xWrite, copy.xSync, copy.xTruncate = (
            ctypes.cast(k, c_void_p).value for k in keep)
        self.methods[key] = (copy, keep, (o_close, o_write, o_sync, o_trunc))
        return copy


_installed: CrashPoint | None = None


def install(point: str, n: int = 1, action: str = "kill") -> CrashPoint:
    """Make the ``n``-th commit from now on kill (or stop) this process at ``point``."""
    global _installed
    cp = CrashPoint(point, n, action)
    cp.register()
    _installed = cp
    return cp


def install_from_env(var: str = "QMS_TEST_CRASH") -> CrashPoint | None:
    """``QMS_TEST_CRASH=POINT:N[:ACTION]`` → :func:`install`; nothing when unset."""
    spec = os.environ.get(var)
    if not spec:
        return None
    parts = spec.split(":")
    return install(parts[0], int(parts[1]) if len(parts) > 1 else 1,
                   parts[2] if len(parts) > 2 else "kill")
