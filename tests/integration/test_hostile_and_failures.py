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
from pathlib import Path

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


# --------------------------------------------------------------------------- hostile files
# Each gets a sentence (no traceback, no hang, no bug dialog), the file's bytes stay as they
# were, and nothing is left beside it: no -journal, -wal, -shm, .lock or .part.

def _listing(folder):
    return sorted(x.name for x in folder.iterdir())


def _openers_refuse(p, *, match, capsys=None, cli_too=True):
    """The writable and read-only opens, and `qms info/verify/backup`, all refuse with a sentence
    matching ``match``; no byte of the file changes and no file appears beside it."""
    from qms_desktop import cli
    from qms_desktop.storage.workspace import WorkspaceError

    before = (sha(p), _listing(p.parent))
    for read_only in (False, True):
        with pytest.raises(WorkspaceError, match=match) as ei:
            open_workspace(p, read_only=read_only)
        msg = str(ei.value)
        assert p.name in msg and msg.endswith(".") and "\n" not in msg
        assert (sha(p), _listing(p.parent)) == before
    if not cli_too:
        return
    out_dir = p.parent.parent / "copies"
    out_dir.mkdir(exist_ok=True)
    for argv in (["info", str(p)], ["verify", str(p)], ["backup", str(p), str(out_dir)]):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith("qms: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
        assert (sha(p), _listing(p.parent)) == before
    assert list(out_dir.iterdir()) == []


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "ws"
    d.mkdir()
    return d


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("kind", ["named pipe", "device"])
def test_non_regular_file_refused_at_once(folder, kind):
    """A FIFO (or a device) named *.qms: every opener used to hang; refused before it is opened.
    Run in a child process, so a regression fails on the timeout instead of hanging the run."""
    p = folder / "pipe.qms"
    if kind == "named pipe":
        os.mkfifo(p)
    else:
        p.symlink_to("/dev/zero")
    code = textwrap.dedent(f"""
        import sys
        from qms_desktop import cli
        from qms_desktop.storage.workspace import NotAWorkspaceError, open_workspace
        for ro in (False, True):
            try:
                open_workspace({str(p)!r}, read_only=ro)
            except NotAWorkspaceError as e:
                print("REFUSED", e)
        for verb in ("info", "verify"):
            print("EXIT", cli.main([verb, {str(p)!r}]))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.count("REFUSED “pipe.qms” is not a workspace file: it is a "
                            f"{kind}") == 2, out.stdout + out.stderr
    assert out.stdout.count("EXIT 1") == 2
    assert f"it is a {kind}, not a file on disk" in out.stderr
    assert _listing(folder) == ["pipe.qms"]


def test_wal_mode_refused_untouched_and_recovered(folder, capsys):
    """A file another program switched to write-ahead logging: refused without a byte changed
    or a -wal/-shm file made; `qms recover` switches it back."""
    from qms_desktop import cli

    p = folder / "wal.qms"
    create_workspace(p, organization="A").close()
    c = sqlite3.connect(p)
    assert c.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    c.close()
    assert _listing(folder) == ["wal.qms"] and p.read_bytes()[18:20] == b"\x02\x02"
    _openers_refuse(p, match="write-ahead logging", capsys=capsys)
    with pytest.raises(NotAWorkspaceError) as ei:
        open_workspace(p)
    assert "qms recover wal.qms" in str(ei.value)
    assert cli.main(["recover", str(p)]) == 0
    assert "switched back from write-ahead logging" in capsys.readouterr().out
    assert p.read_bytes()[18:20] == b"\x01\x01"
    w = open_workspace(p)
    assert verify(w).ok
    w.close()
    assert _listing(folder) == ["wal.qms"]


def test_garbled_page_refused_on_open(folder, capsys):
    """A page garbled in the middle used to open for writing without a word."""
    p = folder / "g.qms"
    _filled(p).close()
    data = bytearray(p.read_bytes())
    data[8192:8192 + 4096] = b"\xab" * 4096
    p.write_bytes(bytes(data))
    _openers_refuse(p, match="is damaged", capsys=capsys)
    with pytest.raises(NotAWorkspaceError) as ei:
        open_workspace(p)
    assert "SQLite's check of its pages" in str(ei.value) and "restore" in str(ei.value)


def test_damaged_workspace_is_never_copied(folder, tmp_path, monkeypatch):
    """A copy (backup, Save a Copy) of a damaged file is refused: it must not push good copies
    out of the rotation. (The check on open is turned off to get such a file open.)"""
    from qms_desktop.storage import workspace as W

    p = folder / "g.qms"
    _filled(p).close()
    data = bytearray(p.read_bytes())
    data[8192:8192 + 4096] = b"\xab" * 4096
    p.write_bytes(bytes(data))
    monkeypatch.setattr(W, "QUICK_CHECK_SECONDS", 0)
    w = open_workspace(p, read_only=True)
    monkeypatch.setattr(W, "QUICK_CHECK_SECONDS", 5.0)
    out = tmp_path / "copies"
    out.mkdir()
    with pytest.raises(CopyError, match="is damaged") as ei:
        w.save_copy(out / "copy.qms")
    assert "no copy was written" in str(ei.value)
    w.close()
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("what", ["table", "column"])
def test_dropped_table_or_column_gets_a_sentence(folder, capsys, what):
    """`qms info` used to end in a traceback, the GUI in the bug dialog."""
    p = folder / "d.qms"
    create_workspace(p, organization="A").close()
    c = sqlite3.connect(p)
    if what == "table":
        c.execute("DROP TABLE nonconformity")
        match = "its table “nonconformity” is missing"
    else:
        c.execute("ALTER TABLE risk DROP COLUMN notes")
        match = "the column “notes” of its table “risk” is missing"
    c.commit()
    c.close()
    _openers_refuse(p, match=match, capsys=capsys)


def test_dropped_table_while_open_gets_a_sentence(folder):
    from qms_desktop.services.overview import overview
    from qms_desktop.storage.workspace import WorkspaceError

    p = folder / "d.qms"
    w = create_workspace(p, organization="A")
    c = sqlite3.connect(p)
    c.execute("DROP TABLE nonconformity")
    c.commit()
    c.close()
    with pytest.raises(WorkspaceError, match="its table “nonconformity” is missing"):
        overview(w)
    w.close()


def test_garbage_in_a_date_names_table_record_and_field(folder, capsys):
    """verify used to stop at "Invalid isoformat string" naming nothing."""
    import datetime as dt

    from qms_desktop import cli
    from qms_desktop.services import records as R

    p = folder / "d.qms"
    w = create_workspace(p, organization="A")
    R.create(w, "action", {"title": "first", "due_date": dt.date(2025, 1, 1)})
    R.create(w, "action", {"title": "second", "due_date": dt.date(2025, 2, 1)})
    w.close()
    c = sqlite3.connect(p)
    c.execute("UPDATE action SET due_date = '31.02.2025 soon' WHERE title = 'first'")
    c.commit()
    c.close()
    assert cli.main(["verify", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("qms: verify failed: action 1: due_date holds '31.02.2025 soon', "
                          "which is not a date (changed outside the application)"), err
    assert "isoformat" not in err
    assert cli.main(["info", str(p)]) == 0  # the counts do not read it
    capsys.readouterr()


def test_killed_backup_leaves_no_part_files(folder, tmp_path, capsys):
    """A `qms backup` killed half-way left hidden .DEST.PID.part files the size of the workspace
    that nothing removed; the next copy into that folder removes those of dead processes."""
    from qms_desktop import cli

    p = folder / "w.qms"
    _filled(p).close()
    out = tmp_path / "copies"
    out.mkdir()
    tests = Path(__file__).resolve().parents[1]
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tests)!r})
        import crashpoints
        crashpoints.install("db-written", 1)  # the copy's first commit, half written
        from qms_desktop import cli
        sys.exit(cli.main(["backup", {str(p)!r}, {str(out)!r}]))
    """)
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert killed.returncode == -9, killed.stderr
    left = _listing(out)
    assert left and all(n.startswith(".w.qms.") and ".part" in n for n in left), left
    # a part file of a live process (another backup under way) is left alone
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = out / f".other.qms.{live.pid}.part"
        busy.write_bytes(b"being written")
        assert cli.main(["backup", str(p), str(out)]) == 0
        capsys.readouterr()
        assert _listing(out) == [busy.name, "w.qms"]
    finally:
        live.kill()
        live.wait()
    assert cli.main(["backup", str(p), str(out / "again.qms")]) == 0
    assert _listing(out) == ["again.qms", "w.qms"]
