"""One writer, for real: the lock is keyed on the file itself (symlinks and hard links lead to the
same lock), it is taken atomically with an OS lock that dies with its process (a killed holder
frees it without any guess about process ids), and racing openers on a stale lock never both
become writers. Other processes are real processes, synchronised through pipes."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from qms_desktop.storage.workspace import (
    WorkspaceLockedError,
    create_workspace,
    open_workspace,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32",
                                reason="symlinks, hard links and SIGKILL are tested on POSIX")

#: A process that obeys one command per line on stdin and answers one line on stdout:
#: ``open`` → ``ok`` / ``locked MESSAGE`` / ``error MESSAGE``; ``close`` → ``closed``.
OPENER = textwrap.dedent("""
    import sys
    from qms_desktop.storage.workspace import WorkspaceError, WorkspaceLockedError, open_workspace
    path, user = sys.argv[1], sys.argv[2]
    if sys.argv[3:] == ["pause-after-reading-a-stale-lock"]:
        import json
        real_loads, paused = json.loads, []

        def loads(*args, **kw):  # stop right after reading the dead holder's lock file
            value = real_loads(*args, **kw)
            if isinstance(value, dict) and value.get("user") == "ghost" and not paused:
                paused.append(True)
                print("paused", flush=True)
                sys.stdin.readline()
            return value
        json.loads = loads
    ws = None
    print("ready", flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "open":
            try:
                ws = open_workspace(path, user=user)
                print("ok", flush=True)
            except WorkspaceLockedError as e:
                print("locked " + str(e), flush=True)
            except WorkspaceError as e:
                print("error " + str(e), flush=True)
        elif cmd == "close":
            if ws is not None:
                ws.close()
                ws = None
            print("closed", flush=True)
""")


class Opener:
    """A separate process that opens the workspace when told to."""

    def __init__(self, path, user="anna", *options):
        self.proc = subprocess.Popen([sys.executable, "-c", OPENER, str(path), user, *options],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.expect("ready")

    def send(self, cmd: str) -> None:
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def answer(self) -> str:
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read()
        return line.rstrip("\n")

    def expect(self, what: str) -> str:
        got = self.answer()
        assert got.startswith(what), got
        return got

    def open(self) -> str:
        self.send("open")
        return self.answer()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def workspace(tmp_path):
    path = tmp_path / "real" / "ws.qms"
    path.parent.mkdir()
    create_workspace(path, organization="Org", user="setup").close()
    return path


def in_use_by(user: str, message: str) -> bool:
    return re.fullmatch(
        rf"The workspace is in use by {re.escape(user)} on {re.escape(socket.gethostname())} "
        r"since \d{4}-\d\d-\d\d \d\d:\d\d\. You can open it read-only\.", message) is not None


def assert_refused(path, holder: str) -> None:
    with pytest.raises(WorkspaceLockedError) as ei:
        ws = open_workspace(path, user="bert")
        ws.close()  # a second writer got in: release it before failing
    assert in_use_by(holder, str(ei.value)), str(ei.value)


def test_symlink_and_real_path_lead_to_one_lock(workspace, tmp_path):
    link = tmp_path / "link.qms"
    link.symlink_to(workspace)
    holder = Opener(workspace)
    try:
        assert holder.open() == "ok"
        assert_refused(link, "anna")
    finally:
        holder.stop()
    # and the other way round: the holder came through the link
    holder = Opener(link)
    try:
        assert holder.open() == "ok"
        assert workspace.with_name("ws.qms.lock").exists()  # beside the real file
        assert not tmp_path.joinpath("link.qms.lock").exists()
        assert_refused(workspace, "anna")
    finally:
        holder.stop()
    ws = open_workspace(link)  # both gone: free again
    ws.close()


def test_hard_links_lead_to_one_lock(workspace, tmp_path):
    same_folder = workspace.with_name("alias.qms")
    os.link(workspace, same_folder)
    other = tmp_path / "elsewhere"
    other.mkdir()
    other_folder = other / "copy.qms"
    os.link(workspace, other_folder)
    holder = Opener(workspace)
    try:
        assert holder.open() == "ok"
        assert_refused(same_folder, "anna")  # the holder is found beside the other name
        with pytest.raises(WorkspaceLockedError, match="in use under another name"):
            open_workspace(other_folder).close()
    finally:
        holder.stop()
    for p in (same_folder, other_folder, workspace):
        open_workspace(p).close()
    assert sorted(x.name for x in workspace.parent.iterdir()) == ["alias.qms", "ws.qms"]


def test_killed_holder_frees_the_lock_without_guessing(workspace):
    holder = Opener(workspace)
    assert holder.open() == "ok"
    holder.proc.send_signal(signal.SIGKILL)
    holder.proc.wait()
    holder.stop()
    lock = workspace.with_name("ws.qms.lock")
    # the dead holder's process id now belongs to a live process (ids are reused):
    # no guess about ids may keep the workspace locked
    live = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                            stdin=subprocess.PIPE)
    try:
        info = json.loads(lock.read_text(encoding="utf-8"))
        info["pid"] = live.pid
        lock.write_text(json.dumps(info), encoding="utf-8")
        ws = open_workspace(workspace, user="bert")
        assert json.loads(lock.read_text(encoding="utf-8"))["user"] == "bert"
        ws.close()
    finally:
        live.stdin.close()
        live.wait()
    assert not lock.exists()


def test_live_holder_is_named(workspace):
    holder = Opener(workspace, user="anna")
    try:
        assert holder.open() == "ok"
        assert_refused(workspace, "anna")
        other = Opener(workspace, user="carl")  # another process is told the same
        try:
            answer = other.open()
            assert answer.startswith("locked ") and in_use_by("anna", answer[7:]), answer
        finally:
            other.stop()
    finally:
        holder.stop()


def ghost_lock(workspace) -> None:
    """A lock file left by a process that is gone (its id is no process's now)."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    workspace.with_name("ws.qms.lock").write_text(json.dumps(
        {"user": "ghost", "host": socket.gethostname(), "pid": dead.pid,
         "since": "2026-01-01T00:00:00"}), encoding="utf-8")


def test_opener_paused_after_reading_a_stale_lock_cannot_displace_another(workspace):
    """The race, made certain: one opener stops right after reading the dead holder's lock
    file; another opens meanwhile; then the first goes on. They never both become writers."""
    slow = Opener(workspace, "bert", "pause-after-reading-a-stale-lock")
    quick = Opener(workspace, "anna")
    try:
        ghost_lock(workspace)
        slow.send("open")
        first = slow.answer()
        if first == "paused":
            quick_answer = quick.open()
            slow.send("go")
            slow_answer = slow.answer()
        else:
            slow_answer, quick_answer = first, quick.open()
        answers = sorted([slow_answer, quick_answer])
        assert answers[0].startswith("locked ") and answers[1] == "ok", answers
    finally:
        slow.stop()
        quick.stop()


@pytest.mark.slow
def test_racing_opens_on_a_stale_lock_give_one_writer(workspace):
    """200 opens: 10 rounds of 20 processes racing for a stale lock left by a dead process."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = workspace.with_name("ws.qms.lock")
    openers = [Opener(workspace, user=f"w{i}") for i in range(20)]
    writers_per_round = []
    try:
        for round_ in range(10):
            lock.write_text(json.dumps(
                {"user": "ghost", "host": socket.gethostname(), "pid": dead.pid,
                 "since": "2026-01-01T00:00:00"}), encoding="utf-8")
            for o in openers:
                o.send("open")
            answers = [o.answer() for o in openers]
            assert all(a == "ok" or a.startswith("locked ") for a in answers), answers
            winners = [o for o, a in zip(openers, answers) if a == "ok"]
            writers_per_round.append(len(winners))
            for o in winners:
                o.send("close")
                o.expect("closed")
    finally:
        for o in openers:
            o.stop()
    assert writers_per_round == [1] * 10, writers_per_round


def test_lock_file_cut_short_by_a_crash_is_taken_over(workspace):
    lock = workspace.with_name("ws.qms.lock")
    lock.write_text('{"user": "anna", "host": "', encoding="utf-8")  # killed while writing it
    ws = open_workspace(workspace, user="bert")
    assert json.loads(lock.read_text(encoding="utf-8"))["user"] == "bert"
    ws.close()


def test_lock_of_an_older_build_still_running_is_respected(workspace):
    """An older build takes no OS lock: its file, naming a live process here, still counts."""
    live = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                            stdin=subprocess.PIPE)
    try:
        workspace.with_name("ws.qms.lock").write_text(json.dumps(
            {"user": "anna", "host": socket.gethostname(), "pid": live.pid,
             "since": "2026-11-24T09:30:00"}), encoding="utf-8")
        assert_refused(workspace, "anna")
    finally:
        live.stdin.close()
        live.wait()
    open_workspace(workspace).close()  # its process gone: taken over


def test_without_os_locks_the_file_decides_as_before(workspace, monkeypatch):
    """Where no OS lock can be taken (some network shares), the lock file's host and process
    decide, as they did before OS locks."""
    from qms_desktop.storage import lock as lock_module

    monkeypatch.setattr(lock_module, "_try_lock", lambda fd, lock_file: None)
    lock = workspace.with_name("ws.qms.lock")
    lock.write_text(json.dumps({"user": "anna", "host": "qa-laptop-7", "pid": 1,
                                "since": "2026-11-24T09:30:00"}), encoding="utf-8")
    with pytest.raises(WorkspaceLockedError, match="anna on qa-laptop-7 since 2026-11-24 09:30"):
        open_workspace(workspace)
    lock.unlink()
    first = open_workspace(workspace, user="anna")
    try:
        assert_refused(workspace, "anna")  # this process is alive
    finally:
        first.close()
    assert not lock.exists()


def test_a_new_workspace_may_replace_one_through_a_symlink(tmp_path):
    """The lock file sits beside the real file; replacing a workspace named by a symlink takes
    and gives back that lock (it used to look for a lock beside the link)."""
    real = tmp_path / "real.qms"
    create_workspace(real, organization="Old").close()
    link = tmp_path / "link.qms"
    link.symlink_to(real)
    ws = create_workspace(link, organization="New", overwrite=True)
    try:
        assert ws.path.name == "link.qms"
    finally:
        ws.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".lock")]
