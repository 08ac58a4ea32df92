"""Why a file could not be written, in words a user can act on (for export error messages)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


def why_not_written(path: Path, exc: OSError | None = None) -> str:
    """The reason ``path`` could not be written, as the end of a sentence: a missing folder, a
    folder given as the file, a folder that cannot be written, a read-only or full disk."""
    path = Path(path)
    folder = path.parent
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "the disk is full; free some space or choose another folder"
    if code == errno.EROFS:
        return f"the folder “{folder}” is on a read-only disk; choose another folder"
    if not folder.is_dir():
        return f"the folder “{folder}” does not exist; create it or choose another folder"
    if path.is_dir():
        return f"“{path}” is a folder; choose a file name"
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"the folder “{folder}” cannot be written; choose another folder"
    try:
        usage = shutil.disk_usage(folder)
        full = usage.total > 0 and usage.free < 1024 * 1024  # (total 0: /proc and such)
    except OSError:
        full = False
    if full:
        return "the disk is full; free some space or choose another folder"
    return f"the folder “{folder}” does not accept new files; choose another folder"


__all__ = ["why_not_written"]
