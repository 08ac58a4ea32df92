"""A write-ahead log beside a workspace that does not use one (a rollback-journal file) is
refused before SQLite touches anything: SQLite would otherwise read it — even one copied from
another file — into the workspace, and create a “-shm” file beside it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.services import records
from qms_desktop.storage.workspace import NotAWorkspaceError, create_workspace, open_workspace


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ws_file(tmp_path):
    p = tmp_path / "x.qms"
    w = create_workspace(p, organization="Acme")
    records.create(w, "risk", {"ref": "R-1", "title": "Late supplier"})
    w.close()
    return p


def _foreign_wal(tmp_path, src):
    """The -wal of a copy of ``src`` changed by another program in WAL mode (left unmerged)."""
    other = tmp_path / "other.qms"
    shutil.copyfile(src, other)
    code = ("import os,sqlite3,sys; c=sqlite3.connect(sys.argv[1],isolation_level=None); "
            "c.execute('PRAGMA journal_mode=WAL'); "
            "c.execute(\"UPDATE risk SET title='written by another program'\"); os._exit(0)")
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", code, str(other)], check=True)
    wal = other.with_name(other.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    return wal


@pytest.mark.parametrize("kind", ["garbage", "foreign"])
@pytest.mark.parametrize("read_only", [True, False])
def test_a_stray_wal_is_refused_and_nothing_changes(tmp_path, ws_file, kind, read_only):
    wal = ws_file.with_name("x.qms-wal")
    if kind == "garbage":
        wal.write_bytes(os.urandom(4096))
    else:
        shutil.copyfile(_foreign_wal(tmp_path, ws_file), wal)
    before, wal_before = _digest(ws_file), _digest(wal)
    with pytest.raises(NotAWorkspaceError, match="write-ahead log “x.qms-wal” beside it"):
        open_workspace(ws_file, read_only=read_only)
    assert _digest(ws_file) == before and _digest(wal) == wal_before
    assert not ws_file.with_name("x.qms-shm").exists()
    # moved away, the workspace opens as it was
    wal.rename(tmp_path / "moved-away.wal")
    w = open_workspace(ws_file, read_only=True)
    try:
        with w.connect() as c:
            assert c.exec_driver_sql("SELECT title FROM risk").scalar() == "Late supplier"
    finally:
        w.close()


@pytest.mark.parametrize("verb", [["info"], ["verify"], ["backup", "COPY"]])
def test_readers_say_so_in_one_line_and_leave_no_side_files(tmp_path, ws_file, verb, capsys):
    shutil.copyfile(_foreign_wal(tmp_path, ws_file), ws_file.with_name("x.qms-wal"))
    before = _digest(ws_file)
    args = [a if a != "COPY" else str(tmp_path / "copy.qms") for a in verb]
    rc = qms([args[0], str(ws_file), *args[1:]])
    err = capsys.readouterr().err
    assert rc != 0 and "beside it that it does not use" in err and "Traceback" not in err
    assert _digest(ws_file) == before
    assert not ws_file.with_name("x.qms-shm").exists()
    assert not (tmp_path / "copy.qms").exists()


def test_a_workspace_without_side_files_still_opens(ws_file):
    w = open_workspace(ws_file)
    w.close()
    assert sqlite3.connect(ws_file).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
