"""The single-writer lock of a workspace.

* **Keyed on the file itself.** The lock file sits beside the *real* file (symlinks resolved),
  named after it (``NAME.qms.lock``), so every path to the workspace meets the same lock file.
  Hard links have no real name to share: the workspace file itself carries an OS lock on one
  byte far beyond anything SQLite reads, writes or locks, taken per open file (Linux: an
  open-file-description lock; Windows: a byte-range lock) so SQLite closing its own handles
  never drops it.
* **Atomic, and it dies with its process.** The writer holds an OS lock (``flock`` on POSIX,
  ``msvcrt.locking`` on Windows) on the open lock file for as long as the workspace is open. A
  lock file whose OS lock nobody holds was left by a process that is gone: it is taken over
  under the OS lock, with no guess about process ids. After taking the OS lock the holder checks
  that the path still names the file it locked (a releasing writer deletes it while holding it).
* **The file's text is for people.** The JSON (user, host, pid, since) gives the "in use by USER
  on HOST since TIME" message. Where the OS lock cannot be trusted or taken it still decides: a
  lock written on another host (a network share may not pass OS locks between machines), or by
  an older build that took no OS lock, is respected unless its process is known to be gone on
  this host.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import socket
import struct
import sys
import time
from pathlib import Path

#: Written into the lock file by holders that keep an OS lock on it (older builds did not).
OS_LOCK_MARK = "os-lock-1"
#: The byte locked in the workspace file (hard links) and, on Windows, in the lock file: far
#: beyond the largest SQLite database, so no read, write or SQLite lock ever touches it.
LOCK_OFFSET = 1 << 62

_HELD = (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)


class Lock:
    """One writer per workspace file; see the module docstring."""

    def __init__(self, ws_path: Path, user: str):
        self.ws_path = Path(ws_path)
        real = Path(os.path.realpath(self.ws_path))
        self.real_path = real
        self.path = real.with_name(real.name + ".lock")
        self.user = user
        self.held = False
        self._fd: int | None = None  # the lock file, OS-locked
        self._file_fd: int | None = None  # the workspace file, OS-locked (hard links)

    # -- reading
    def read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"user": "unknown", "host": "unknown", "pid": 0, "since": ""}

    def _holder(self, fd: int) -> dict:
        """The details in the lock file open as ``fd`` whose OS lock another process holds; that
        holder may be a moment from writing them."""
        holder = None
        for _ in range(50):
            holder = self._read_fd(fd)
            if holder and not holder.get("garbled") and _alive(holder):
                return holder  # not the details left by a holder now gone
            time.sleep(0.02)
        return holder if holder and not holder.get("garbled") else {}

    # -- taking and giving back
    def acquire(self) -> None:
        from .workspace import ReadOnlyFileError, WorkspaceLockedError

        if self.held:
            return
        for _attempt in range(20):
            try:
                fd, created = self._open_lock_file()
            except FileNotFoundError:
                continue  # deleted between our two opens: try again
            except PermissionError:
                raise ReadOnlyFileError(
                    "The workspace's folder cannot be written, so it can only be opened "
                    "read-only.") from None
            except OSError as e:
                raise WorkspaceLockedError(
                    f"The workspace lock “{self.path.name}” could not be taken "
                    f"({e.strerror or e}).", {}) from None
            state = _try_lock(fd, lock_file=True)
            if state is False:  # a live writer holds it
                try:
                    holder = self._holder(fd)
                finally:
                    os.close(fd)
                raise self._locked(holder)
            if state is None:  # no OS lock here: trust the file, as older builds did
                if created:
                    self._take(fd)
                    break
                try:
                    holder = self._read_fd(fd)
                    for _ in range(50):  # its writer may be a moment from writing it
                        if holder is not None:
                            break
                        time.sleep(0.02)
                        holder = self._read_fd(fd)
                finally:
                    os.close(fd)
                if holder is None or _alive(holder):
                    raise self._locked(holder or {})
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                continue
            if not _same_file(fd, self.path):  # a releasing writer deleted it meanwhile
                os.close(fd)
                continue
            holder = None if created else self._read_fd(fd)
            if holder and not _stale(holder):
                os.close(fd)  # the file's holder is elsewhere or predates OS locks
                raise self._locked(holder)
            self._take(fd)
            break
        else:
            raise WorkspaceLockedError("The workspace lock could not be taken; try again.", {})
        self._lock_workspace_file()

    def _open_lock_file(self) -> tuple[int, bool]:
        nofollow = getattr(os, "O_NOFOLLOW", 0)
        binary = getattr(os, "O_BINARY", 0)
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | binary, 0o644), True
        except FileExistsError:
            return os.open(self.path, os.O_RDWR | nofollow | binary), False

    def _read_fd(self, fd: int) -> dict | None:
        """The JSON in the open lock file; None when it is empty (a holder killed at birth)."""
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
            if sum(map(len, chunks)) > 1 << 20:
                break
        data = b"".join(chunks)
        if not data.strip():
            return None
        try:
            holder = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            holder = None
        if not isinstance(holder, dict):  # cut short by a crash, or not ours
            return {"user": "unknown", "host": "unknown", "pid": 0, "since": "", "garbled": True}
        return holder

    def _info(self) -> dict:
        info = {"user": self.user, "host": socket.gethostname(), "pid": os.getpid(),
                "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "lock": OS_LOCK_MARK}
        with contextlib.suppress(OSError):
            st = os.stat(self.real_path)
            info["file"] = f"{st.st_dev}:{st.st_ino}"
        return info

    def _take(self, fd: int) -> None:
        data = json.dumps(self._info()).encode("utf-8")
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self.held = True

    def _lock_workspace_file(self) -> None:
        """The OS lock on the workspace file itself, which every hard link shares."""
        from .workspace import WorkspaceLockedError

        try:
            fd = os.open(self.real_path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError:
            return  # missing or not ours to write: nothing to guard by this name
        state = _try_lock(fd, lock_file=False)
        if state is False:
            os.close(fd)
            holder = self._other_name_holder()
            self.release()
            raise self._locked(holder) if holder else WorkspaceLockedError(
                "The workspace is in use under another name (a hard link to the same file); "
                "you can open it read-only.", {})
        if state is None:
            os.close(fd)
            return
        self._file_fd = fd

    def _other_name_holder(self) -> dict | None:
        """The holder's details from a lock file of another name for this file in its folder."""
        with contextlib.suppress(OSError):
            st = os.stat(self.real_path)
            key = f"{st.st_dev}:{st.st_ino}"
            for entry in os.scandir(self.real_path.parent):
                if not entry.name.endswith(".lock") or entry.name == self.path.name:
                    continue
                with contextlib.suppress(OSError, ValueError):
                    holder = json.loads(Path(entry.path).read_text(encoding="utf-8"))
                    if isinstance(holder, dict) and holder.get("file") == key:
                        return holder
        return None

    def _locked(self, holder: dict):
        from .workspace import WorkspaceLockedError

        if not holder.get("user") or holder.get("garbled"):
            return WorkspaceLockedError(
                "The workspace is in use by another program; you can open it read-only.", holder)
        since = holder.get("since", "")
        with contextlib.suppress(ValueError, TypeError):
            since = dt.datetime.fromisoformat(since).strftime("%Y-%m-%d %H:%M")
        return WorkspaceLockedError(
            f"The workspace is in use by {holder.get('user', 'unknown')} on "
            f"{holder.get('host', 'unknown')} since {since}. "
            "You can open it read-only.", holder)

    def release(self) -> None:
        if self._file_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._file_fd)
            self._file_fd = None
        fd, self._fd = self._fd, None
        if fd is not None:
            if sys.platform == "win32":  # an open file cannot be deleted there
                with contextlib.suppress(OSError):
                    os.close(fd)
                with contextlib.suppress(OSError):
                    self.path.unlink()
            else:  # delete while still holding it, so nobody takes over a deleted file
                with contextlib.suppress(OSError):
                    if _same_file(fd, self.path):
                        self.path.unlink()
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.held = False

    def __del__(self):
        # a workspace dropped without close(): give the OS locks back (the file stays, and the
        # next opener takes it over since nobody holds it)
        for fd in (self._file_fd, self._fd):
            if fd is not None:
                try:
                    os.close(fd)
                except Exception:  # noqa: BLE001 - also at interpreter exit, when modules are gone
                    pass
        self._fd = self._file_fd = None


# --------------------------------------------------------------------------- OS locks


def _try_lock(fd: int, *, lock_file: bool) -> bool | None:
    """Take an exclusive OS lock without waiting: True taken, False held by someone else,
    None when this system or file system cannot lock (or, for the workspace file, this kind
    of lock is not available here)."""
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError as e:  # held: EACCES, or EDEADLOCK once its retries run out
                if e.errno in (errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)):
                    return False
                return None
            return True
        if lock_file:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        return _ofd_lock(fd)
    except OSError as e:
        if e.errno in _HELD:
            return False
        return None


def _ofd_lock(fd: int) -> bool | None:
    """An exclusive open-file-description lock on LOCK_OFFSET (Linux): unlike a classic POSIX
    lock, SQLite closing its own handle on the same file does not drop it."""
    import fcntl

    cmd = getattr(fcntl, "F_OFD_SETLK", None)
    if not sys.platform.startswith("linux") or cmd is None:
        return None
    # struct flock: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid
    arg = struct.pack("@hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, LOCK_OFFSET, 1, 0)
    try:
        fcntl.fcntl(fd, cmd, arg)
    except OSError as e:
        if e.errno in _HELD:
            return False
        return None
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stale(holder: dict) -> bool:
    """Under our OS lock: may this lock file be taken over?"""
    if holder.get("garbled"):
        return True  # no holder writes garbage: one was killed while writing
    if holder.get("host") != socket.gethostname():
        return False  # its OS lock may not reach us over a network share
    if holder.get("lock") == OS_LOCK_MARK:
        return True  # its holder kept an OS lock, and we hold it: the holder is gone
    return not _alive(holder)  # written by an older build: its process may still run


def _alive(holder: dict) -> bool:
    """Whether the holder may still be running (always, for another host)."""
    if holder.get("host") != socket.gethostname():
        return True
    try:
        pid = int(holder.get("pid") or 0)
    except (TypeError, ValueError):
        return True
    return _pid_alive(pid)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        h = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if h:
            ctypes.windll.kernel32.CloseHandle(h)
            return True
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
