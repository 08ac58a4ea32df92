"""Bad input and bad luck: foreign files, damaged files, full disks, unwritable folders.

Every case must give a clear message, change no byte of the file, and leave the workspace intact.
"""

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from qms_desktop.services.verify import verify
from qms_desktop.storage.workspace import (
    CopyError, NotAWorkspaceError, ReadOnlyFileError, WorkspaceTooNewError, create_workspace,
    open_workspace)


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _filled(path, n=300):
    w = create_workspace(path, organization="Filled")
    for i in range(n // 50):
        with w.session() as s:
            from qms_desktop.storage.audit import bulk_insert
            from qms_desktop.storage.models import Risk
            bulk_insert(s, Risk, [{"title": f"risk {i}-{j} " + "x" * 200} for j in range(50)])
    return w


def _docx(path):
    from docx import Document
    d = Document()
    d.add_paragraph("Procedure")
    d.save(path)


CASES = {
    "random bytes": lambda p: p.write_bytes(random.Random(1).randbytes(8192)),
    "empty file": lambda p: p.write_bytes(b""),
    "renamed docx": _docx,
    "text file": lambda p: p.write_text("hello\n"),
    "foreign sqlite": lambda p: sqlite3.connect(p).execute("create table t(x)").connection.commit(),
}


@pytest.mark.parametrize("case", list(CASES))
def test_foreign_files_refused_untouched(tmp_path, case):
    p = tmp_path / "file.qms"
    CASES[case](p)
    before = sha(p)
    with pytest.raises(NotAWorkspaceError) as ei:
        open_workspace(p)
    msg = str(ei.value)
    assert "file.qms" in msg and msg.endswith(".")
    assert sha(p) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["file.qms"]  # no lock/journal left


def test_truncated_workspace_refused_untouched(tmp_path):
    p = tmp_path / "t.qms"
    _filled(p).close()
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    before = sha(p)
    with pytest.raises(NotAWorkspaceError, match="damaged"):
        open_workspace(p)
    with pytest.raises(NotAWorkspaceError, match="damaged"):
        open_workspace(p, read_only=True)
    assert sha(p) == before


def test_garbled_middle_is_caught_by_verify(tmp_path):
    p = tmp_path / "g.qms"
    _filled(p).close()
    data = bytearray(p.read_bytes())
    for i in range(8192, 8192 + 4096):
        data[i] = 0xAB
    p.write_bytes(bytes(data))
    try:
        w = open_workspace(p, read_only=True)
    except NotAWorkspaceError:
        return  # refused outright: fine
    rep = verify(w)
    w.close()
    assert not rep.ok


def test_newer_schema_refused_untouched(tmp_path):
    p = tmp_path / "new.qms"
    create_workspace(p).close()
    c = sqlite3.connect(p)
    c.execute("update alembic_version set version_num='9999'")
    c.commit()
    c.close()
    before = sha(p)
    with pytest.raises(WorkspaceTooNewError, match="newer version"):
        open_workspace(p)
    assert sha(p) == before and not p.with_name("new.qms.lock").exists()


def test_opening_a_workspace_changes_no_byte(tmp_path):
    p = tmp_path / "ok.qms"
    create_workspace(p, organization="A").close()
    before = sha(p)
    w = open_workspace(p)
    verify(w)
    w.close()
    assert sha(p) == before


def test_read_only_file(tmp_path):
    p = tmp_path / "ro.qms"
    create_workspace(p, organization="A").close()
    os.chmod(p, 0o444)
    before = sha(p)
    with pytest.raises(ReadOnlyFileError, match="read-only"):
        open_workspace(p)
    w = open_workspace(p, read_only=True)
    assert verify(w).ok
    w.close()
    assert sha(p) == before


# --------------------------------------------------------------------------- full / unwritable

def test_copy_onto_full_disk_tmpfs(tmp_path, tmpfs):
    p = tmp_path / "big.qms"
    w = _filled(p, 600)
    head = w.head_hash()
    with tmpfs("size=64k") as d:
        if d is None:
            pytest.skip("cannot mount a small tmpfs here (needs root); see the RLIMIT test")
        with pytest.raises(CopyError, match="disk is full"):
            w.save_copy(d / "copy.qms")
        assert list(d.iterdir()) == []  # no half-written copy left
    assert verify(w).ok and w.head_hash() == head
    w.close()


def test_copy_when_writes_fail_rlimit(tmp_path):
    """Any user: a file-size limit makes every write beyond 64 KiB fail, like a full disk."""
    p = tmp_path / "big.qms"
    _filled(p, 600).close()
    dest = tmp_path / "out"
    dest.mkdir()
    code = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from qms_desktop.storage.workspace import open_workspace, CopyError
        w = open_workspace({str(p)!r}, read_only=True)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        try:
            w.save_copy({str(dest / 'copy.qms')!r})
        except CopyError as e:
            print("COPYERROR", e)
        try:
            w.rotate_backups()
        except CopyError as e:
            print("COPYERROR", e)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.count("COPYERROR") == 2, out.stdout + out.stderr
    assert "workspace is unchanged" in out.stdout
    assert list(dest.iterdir()) == []
    w = open_workspace(p)
    assert verify(w).ok
    w.close()


def test_copy_into_read_only_folder(tmp_path, tmpfs):
    p = tmp_path / "w.qms"
    w = create_workspace(p)
    with tmpfs("ro,size=64k") as d:
        if d is None:
            d = tmp_path / "ro"
            d.mkdir()
            os.chmod(d, 0o555)
        with pytest.raises(CopyError, match="not writable"):
            w.save_copy(d / "copy.qms")
    assert verify(w).ok
    w.close()
