"""Opening the files the reliability attack found: a sentence in a dialog (never the bug dialog,
never a hang), the file's bytes unchanged and nothing left beside it; a journal a stopped writer
left is recovery, not damage."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _fifo(p: Path, make_ws) -> None:
    os.mkfifo(p)


def _wal(p: Path, make_ws) -> None:
    make_ws(p.name)
    c = sqlite3.connect(p)
    c.execute("PRAGMA journal_mode=WAL")
    c.close()


def _dropped(p: Path, make_ws) -> None:
    make_ws(p.name)
    c = sqlite3.connect(p)
    c.execute("DROP TABLE nonconformity")
    c.commit()
    c.close()


def _garbled(p: Path, make_ws) -> None:
    from qms_desktop.storage.audit import bulk_insert
    from qms_desktop.storage.models import Risk
    from qms_desktop.storage.workspace import create_workspace

    with create_workspace(p) as w, w.session() as s:
        bulk_insert(s, Risk, [{"title": f"risk {i} " + "x" * 200} for i in range(300)])
    data = bytearray(p.read_bytes())
    data[8192:8192 + 4096] = b"\xab" * 4096
    p.write_bytes(bytes(data))


HOSTILE = {
    "named pipe": (_fifo, "is not a workspace file: it is a named pipe"),
    "write-ahead log": (_wal, "write-ahead logging"),
    "dropped table": (_dropped, "its table “nonconformity” is missing"),
    "garbled page": (_garbled, "is damaged"),
}


@pytest.mark.parametrize("read_only", [False, True])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_gets_a_sentence(window, make_ws, dialogs, qtbot, tmp_path, case,
                                      read_only):
    if case == "named pipe" and not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are POSIX")
    make, words = HOSTILE[case]
    p = tmp_path / "hostile.qms"
    make(p, make_ws)
    before = (None if case == "named pipe" else sha(p), sorted(os.listdir(tmp_path)))
    window.open_path(p, read_only=read_only)
    qtbot.waitUntil(lambda: bool(dialogs.calls), timeout=10_000)
    qtbot.waitUntil(lambda: window.controller.opening is None, timeout=10_000)
    assert dialogs.kinds() == ["warning"] and dialogs.bugs == []
    msg = dialogs.messages()[0]
    assert "hostile.qms" in msg and words in msg and msg.endswith(".")
    assert (None if case == "named pipe" else sha(p), sorted(os.listdir(tmp_path))) == before
    assert window.controller.workspace is None


def _stopped_writer(p: Path) -> None:
    """A writer killed half-way through writing a change into ``p`` (a hot journal)."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        import crashpoints
        crashpoints.install("db-written", 2)
        from qms_desktop.services import records as R
        from qms_desktop.storage.workspace import open_workspace
        ws = open_workspace({str(p)!r})
        for n in range(5):
            R.create(ws, "role", {{"name": f"role {{n}}"}})
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr


@pytest.fixture
def recover_dialog(monkeypatch):
    """The “not closed properly” dialog, answered without showing it: records its text and
    buttons, then clicks “Recover Now” when ``answer["recover"]`` is true, else Close."""
    from PySide6.QtWidgets import QMessageBox

    from qms_desktop.ui.dialogs import InterruptedWriteDialog

    answer = {"recover": False, "shown": []}

    def exec_(self):
        answer["shown"].append((self.text(), [b.text() for b in self.buttons()]))
        button = self.recover_button if answer["recover"] else \
            self.button(QMessageBox.StandardButton.Close)
        button.click()
        return 0

    monkeypatch.setattr(InterruptedWriteDialog, "exec", exec_)
    return answer


def test_read_only_open_of_an_unfinished_change(window, make_ws, open_ws, dialogs, qtbot,
                                                recover_dialog):
    """Used to say "damaged … Restore it from a backup" (which throws away every change since
    that backup); says how to finish the recovery instead, then a normal open finishes it."""
    p = make_ws("k.qms")
    _stopped_writer(p)
    journal = p.with_name("k.qms-journal")
    assert journal.exists()
    before = (sha(p), sha(journal))
    window.open_path(p, read_only=True)
    qtbot.waitUntil(lambda: bool(recover_dialog["shown"]), timeout=20_000)
    qtbot.waitUntil(lambda: window.controller.opening is None, timeout=10_000)
    assert dialogs.calls == [] and window.controller.workspace is None  # closed: nothing done
    ((msg, buttons),) = recover_dialog["shown"]
    assert "&Recover Now" in buttons
    assert "was not closed properly" in msg and "Open it normally" in msg
    assert "damaged" not in msg and "restore" not in msg.lower()
    assert (sha(p), sha(journal)) == before
    ws = open_ws(window, p)
    assert not ws.read_only and ws.info.recovered and not journal.exists()
    assert "every saved change is kept" in ws.info.notice


def test_recover_now_reopens_the_workspace_for_writing(window, make_ws, dialogs, qtbot,
                                                       recover_dialog):
    """The dialog's “Recover Now” opens the file for writing, which finishes the recovery under
    the lock and says so in the status bar."""
    p = make_ws("k.qms")
    _stopped_writer(p)
    journal = p.with_name("k.qms-journal")
    recover_dialog["recover"] = True
    window.open_path(p, read_only=True)
    qtbot.waitUntil(lambda: window.controller.workspace is not None
                    and window.controller.opening is None, timeout=20_000)
    ws = window.controller.workspace
    assert len(recover_dialog["shown"]) == 1 and dialogs.calls == []
    assert not ws.read_only and ws.info.recovered and not journal.exists()
    assert "every saved change is kept" in window.statusBar().currentMessage()

