"""A writer killed in the middle of a stream of edits loses nothing acknowledged, and the journal
it leaves is recovery, never damage.

The writer is a child process. It is killed (or frozen) at each chosen point of an SQLite
commit — before, inside and after the journal's sync, while the database is half written, before
and after the journal is deleted (tests/crashpoints.py) — and at random moments, also while
every CPU is busy. After each kill:

* the read-only openers (``qms info``, ``qms verify``, ``qms backup``) never say "damaged" or
  "restore": meeting a journal that needs rolling back they say the file was not closed properly
  and how to finish (open it normally, or ``qms recover``), and change no byte of either file;
* a writable open (or ``qms recover``) finishes the recovery under the workspace lock and says so
  in one line; every acknowledged edit is there, the file and its trail verify, and nothing is
  left beside it once it is closed.
"""

import hashlib
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from qms_desktop import cli
from qms_desktop.services.verify import verify
from qms_desktop.storage.models import Risk, Role
from qms_desktop.storage.workspace import create_workspace, open_workspace

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]

TESTS = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(TESTS)!r})
    import crashpoints
    crashpoints.install_from_env()  # QMS_TEST_CRASH=POINT:N[:ACTION], when a test sets it
    from qms_desktop.services import records as R
    from qms_desktop.storage.workspace import open_workspace
    ws = open_workspace(sys.argv[1])
    rid = int(sys.argv[2])
    n = 0
    while True:
        n += 1
        R.create(ws, "role", {{"name": f"role {{n}}", "description": "x" * (n % 500)}})
        R.update_fields(ws, "risk", rid, {{"title": f"edit {{n}}", "severity": n % 10 + 1}})
        print(n, flush=True)
""")

#: what a journal left at each point is: "hot" (a change to undo); "cold" (SQLite ignores it:
#: empty, or its header not yet written — SQLite writes the header's magic only once the pages
#: in it are synced); None (no journal: the commit was complete)
LEFT = {"journal-write": "cold", "journal-sync": "cold", "journal-synced": "cold",
        "db-write": "hot", "db-written": "hot", "db-sync": "hot", "journal-delete": "hot",
        "journal-deleted": None}


def sha(p: Path) -> str | None:
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None


def _workspace(tmp_path) -> tuple[Path, int]:
    (tmp_path / "ws").mkdir()
    p = tmp_path / "ws" / "k.qms"
    w = create_workspace(p)
    with w.session() as s:
        r = Risk(title="start")
        s.add(r)
        s.flush()
        rid = r.id
    w.close()
    return p, rid


def _writer(p: Path, rid: int, crash: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("QMS_TEST_CRASH", None)
    if crash:
        env["QMS_TEST_CRASH"] = crash
    return subprocess.Popen([sys.executable, "-c", WRITER, str(p), str(rid)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _acked(proc: subprocess.Popen) -> int:
    out, err = proc.communicate(timeout=120)
    lines = out.split()
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, err[-2000:])
    return int(lines[-1]) if lines else 0


def _side_files(p: Path) -> list[str]:
    return sorted(x.name for x in p.parent.iterdir() if x.name != p.name)


def _read_only_openers(p: Path, left: str | None, capsys, tmp_path) -> None:
    """info, verify and backup: no "damaged", no "restore", no byte changed, no file added."""
    journal = p.with_name(p.name + "-journal")
    before = (sha(p), sha(journal), _side_files(p))
    for argv in (["info", str(p)], ["verify", str(p)],
                 ["backup", str(p), str(tmp_path / "copies" / "k.qms"), "--force"]):
        (tmp_path / "copies").mkdir(exist_ok=True)
        code = cli.main(argv)
        out, err = capsys.readouterr()
        said = (out + err).lower()
        assert "damaged" not in said and "restore" not in said, (argv, out, err)
        if left == "hot":
            assert code == 1, (argv, out, err)
            assert "was not closed properly" in err and f"qms recover {p.name}" in err, err
            assert "Open it normally" in err
            assert err.count("\n") == 1  # one sentence on one line
        else:
            assert code == 0, (argv, out, err)
        assert (sha(p), sha(journal), _side_files(p)) == before, argv


def _check_recovered(ws, rid: int, acked: int) -> None:
    with ws.connect() as c:
        assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    rep = verify(ws)
    assert rep.ok, rep.problems
    with ws.session() as s:
        names = set(s.scalars(select(Role.name)))
        title = s.get(Risk, rid).title
    assert {f"role {i}" for i in range(1, acked + 1)} <= names
    done = int(title.split()[1]) if title != "start" else 0
    assert done >= acked  # the acknowledged edit (or the one in flight) is there


# --------------------------------------------------------------------------- chosen points


@pytest.mark.parametrize("n", [1, 6])
@pytest.mark.parametrize("point", list(LEFT))
def test_kill_at_a_chosen_point_of_the_commit(tmp_path, capsys, point, n):
    p, rid = _workspace(tmp_path)
    acked = _acked(_writer(p, rid, f"{point}:{n}"))
    assert acked == (n - 1) // 2  # two commits per acknowledged round
    journal = p.with_name(p.name + "-journal")
    left = LEFT[point]
    assert journal.exists() == (left is not None)
    if left is not None:
        head = journal.read_bytes()[:8]
        assert (head[:1] not in (b"", b"\0")) == (left == "hot")
        assert (head == b"") == (point == "journal-write")
    _read_only_openers(p, left, capsys, tmp_path)

    # recovery: by a writable open (the app) or by `qms recover`, alternately
    if n % 2:
        ws = open_workspace(p)
        assert ws.info.recovered == (left == "hot")
        if left == "hot":
            assert ws.info.notice.startswith("“k.qms” was not closed properly last time")
            assert "every saved change is kept" in ws.info.notice
        else:
            assert not ws.info.notice
    else:
        assert cli.main(["recover", str(p)]) == 0
        out, err = capsys.readouterr()
        assert err == "" and out.count("\n") == 1
        assert ("was not closed properly" in out) == (left is not None), out
        assert ("with its journal, is kept in" in out) == (left == "hot"), out
        assert "damaged" not in out.lower() and "restore" not in out.lower()
        ws = open_workspace(p)
        assert not ws.info.recovered and not ws.info.notice
    assert not journal.exists()
    _check_recovered(ws, rid, acked)
    ws.close()
    kept = n % 2 == 0 and left == "hot"  # qms recover keeps the file as it was, beside it
    assert _side_files(p) == (["k-backups"] if kept else [])


@pytest.mark.parametrize("point", ["journal-write", "db-written"])
def test_frozen_writer_is_not_called_unfinished(tmp_path, capsys, point):
    """While a live writer is inside a change (its journal on disk, its lock held), readers read
    the last commit (it holds SQLite's RESERVED lock: its change is being prepared) or say it is
    being written right now (EXCLUSIVE: it is writing the file); never "not closed properly",
    never damage. Once it is killed there, the journal is what a kill at that point leaves."""
    p, rid = _workspace(tmp_path)
    proc = _writer(p, rid, f"{point}:5:stop")
    _pid, status = os.waitpid(proc.pid, os.WUNTRACED)
    try:
        assert os.WIFSTOPPED(status)
        journal = p.with_name(p.name + "-journal")
        assert journal.exists()
        for argv in (["info", str(p)], ["verify", str(p)])[:1 if point == "db-written" else 2]:
            code = cli.main(argv)
            out, err = capsys.readouterr()
            said = (out + err).lower()
            assert "not closed properly" not in said and "damaged" not in said, said
            if point == "db-written":  # (after SQLite's busy timeout)
                assert code == 1 and "being written by another program right now" in err
            else:
                assert code == 0, err
    finally:
        proc.kill()
    acked = _acked(proc)
    _read_only_openers(p, LEFT[point], capsys, tmp_path)
    ws = open_workspace(p)
    assert ws.info.recovered == (LEFT[point] == "hot")
    _check_recovered(ws, rid, acked)
    ws.close()
    assert _side_files(p) == []


def test_read_only_file_with_a_hot_journal(tmp_path, capsys):
    """Nobody may write the file: the sentence says how to recover a copy, never "restore"."""
    p, rid = _workspace(tmp_path)
    _acked(_writer(p, rid, "db-written:3"))
    os.chmod(p, 0o444)
    try:
        before = sha(p)
        assert cli.main(["info", str(p)]) == 1
        err = capsys.readouterr().err
        assert "was not closed properly" in err and "read-only" in err
        assert "k.qms-journal" in err and "restore" not in err.lower()
        assert sha(p) == before
    finally:
        os.chmod(p, 0o644)
    assert cli.main(["recover", str(p)]) == 0
    assert "was not closed properly" in capsys.readouterr().out


def test_recover_keeps_the_file_and_its_journal_as_they_were(tmp_path, capsys):
    """Before SQLite rolls the journal back, `qms recover` copies both, byte for byte, into the
    automatic backups folder and says where; the pair opens to the same recovered workspace."""
    p, rid = _workspace(tmp_path)
    acked = _acked(_writer(p, rid, "db-written:5"))
    journal = p.with_name(p.name + "-journal")
    before = (sha(p), sha(journal))
    assert cli.main(["recover", str(p)]) == 0
    out = capsys.readouterr().out
    (copy,) = (p.parent / "k-backups").glob("k.before-recovery-*.qms")
    assert out.count("\n") == 1 and f"is kept in “{copy}”" in out, out
    assert (sha(copy), sha(copy.with_name(copy.name + "-journal"))) == before
    assert sorted(x.name for x in copy.parent.iterdir()) == [copy.name, copy.name + "-journal"]
    assert not journal.exists()
    ws = open_workspace(p)
    _check_recovered(ws, rid, acked)
    ws.close()
    with open_workspace(copy) as again:  # the pair left as it was: it recovers the same way
        assert again.info.recovered
        _check_recovered(again, rid, acked)


# --------------------------------------------------------------------------- random moments


@pytest.fixture
def cpus_busy():
    """Every CPU kept busy by a spinning process for the length of the test."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for s in spinners:
            s.kill()
            s.wait()


def _kill_at_random(tmp_path, round_: int) -> None:
    p, rid = _workspace(tmp_path)
    proc = _writer(p, rid)
    stop_after = random.Random(round_).randint(20, 200)
    acked = 0
    for line in proc.stdout:
        acked = int(line)
        if acked >= stop_after:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert acked >= stop_after, proc.stderr.read()

    ws = open_workspace(p)  # takes over the lock, finishes any recovery
    _check_recovered(ws, rid, acked)
    ws.close()
    assert _side_files(p) == []  # no journal, no lock


@pytest.mark.parametrize("round_", range(4))
def test_sigkill_mid_edits(tmp_path, round_):
    _kill_at_random(tmp_path, round_)


@pytest.mark.parametrize("round_", range(4, 8))
def test_sigkill_mid_edits_with_every_cpu_busy(tmp_path, cpus_busy, round_):
    _kill_at_random(tmp_path, round_)
