"""Opening workspaces: good ones, hostile files, locked and read-only ones, newer ones."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import stat

import pytest


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def wait_idle(qtbot, window):
    qtbot.waitUntil(lambda: window.controller.opening is None, timeout=10_000)


def test_open_shows_dashboard_with_counts(window, make_ws, open_ws, dialogs):
    path = make_ws("acme.qms", organization="Acme Precision")
    before = sha(path)
    ws = open_ws(window, path)
    assert not ws.read_only
    page = window.page("dashboard")
    assert window.stack.currentWidget() is page
    assert page.title.text() == "Acme Precision"
    assert page.cards["people"].value.text() == "0"
    assert page.cards["audit_events"].value.text() == "2"  # its id, its organization
    assert page.profile.name_edit.text() == "Acme Precision"
    assert dialogs.calls == []
    assert window.settings.recent_files == [str(path)]
    assert sha(path) == before  # opening changes nothing


def test_open_via_file_dialog(window, make_ws, dialogs, qtbot):
    path = make_ws("dialog.qms")
    dialogs.open_files.append(str(path))
    window.acts["open"].trigger()
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=10_000)
    assert window.controller.path == path
    dialogs.open_files.append("")  # cancelled: nothing happens
    window.acts["open"].trigger()
    assert window.controller.path == path


def _docx(p):
    from docx import Document

    d = Document()
    d.add_paragraph("Procedure")
    d.save(p)


def _truncated(p, make_ws):
    src = make_ws("full.qms")
    data = src.read_bytes()
    p.write_bytes(data[: len(data) // 2])


HOSTILE = {
    "random bytes": lambda p, mk: p.write_bytes(random.Random(7).randbytes(8192)),
    "empty file": lambda p, mk: p.write_bytes(b""),
    "renamed docx": lambda p, mk: _docx(p),
    "truncated workspace": _truncated,
    "foreign sqlite": lambda p, mk: sqlite3.connect(p).execute("create table t(x)")
    .connection.commit(),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_shows_message_app_stays_up(window, make_ws, dialogs, qtbot, tmp_path,
                                                 case):
    good = make_ws("good.qms")
    p = tmp_path / "hostile.qms"
    HOSTILE[case](p, make_ws)
    before = sha(p)
    window.open_path(p)
    qtbot.waitUntil(lambda: bool(dialogs.calls), timeout=10_000)
    wait_idle(qtbot, window)
    assert dialogs.kinds() == ["warning"]
    msg = dialogs.messages()[0]
    assert "hostile.qms" in msg and msg.endswith(".")
    assert "Traceback" not in msg
    assert sha(p) == before
    assert sorted(os.listdir(tmp_path)) == sorted(["good.qms", "hostile.qms", "home",
                                                   "settings"]
                                                  + (["full.qms"] if "truncated" in case
                                                     else []))
    assert window.controller.workspace is None
    assert window.stack.currentWidget() is window.welcome
    assert window.welcome.new_button.isEnabled()
    # the app is still fully usable
    dialogs.calls.clear()
    window.open_path(good)
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=10_000)
    assert dialogs.calls == []


def test_hostile_file_keeps_the_open_workspace(window, make_ws, open_ws, dialogs, qtbot,
                                               tmp_path):
    good = make_ws("good.qms")
    open_ws(window, good)
    p = tmp_path / "junk.qms"
    p.write_bytes(b"not a workspace at all\n" * 100)
    window.open_path(p)
    qtbot.waitUntil(lambda: bool(dialogs.calls), timeout=10_000)
    assert window.controller.path == good
    assert window.stack.currentWidget() is window.page("dashboard")


def test_missing_file_is_dropped_from_recent(window, make_ws, open_ws, dialogs, qtbot):
    path = make_ws("gone.qms")
    open_ws(window, path)
    window.close_workspace()
    path.unlink()
    assert window.settings.recent_files == [str(path)]
    window.open_path(path)
    qtbot.waitUntil(lambda: bool(dialogs.calls), timeout=10_000)
    assert "does not exist" in dialogs.messages()[0]
    assert window.settings.recent_files == []


@pytest.fixture
def accept_read_only(monkeypatch):
    from qms_desktop.ui.dialogs import WorkspaceLockedDialog

    shown = []

    def answer(value):
        def fake(self):
            shown.append({"message": self.ui.messageLabel.text(),
                          "user": self.ui.userLabel.text(), "host": self.ui.hostLabel.text(),
                          "holder_visible": not self.ui.holderWidget.isHidden()})
            return value
        monkeypatch.setattr(WorkspaceLockedDialog, "open_read_only", fake)

    answer(True)
    return shown, answer


def test_locked_workspace_opens_read_only_and_refuses_edits(window, make_ws, dialogs, qtbot,
                                                             accept_read_only):
    import socket

    from qms_desktop.services.organization import get_profile
    from qms_desktop.storage.workspace import open_workspace

    shown, _answer = accept_read_only
    path = make_ws("locked.qms")
    holder = open_workspace(path, user="alice")  # another writer holds the lock
    try:
        before = sha(path)
        window.open_path(path)
        qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=10_000)
        assert len(shown) == 1
        assert shown[0]["message"] == "The workspace is already open for editing:"
        assert shown[0]["user"] == "alice" and shown[0]["host"] == socket.gethostname()
        assert shown[0]["holder_visible"]
        ws = window.controller.workspace
        assert ws.read_only and window.controller.read_only
        assert window.read_only_badge.isVisible()
        assert "(read-only)" in window.windowTitle()
        profile = window.page("dashboard").profile
        assert profile.name_edit.isReadOnly() and profile.policy_edit.isReadOnly()
        assert profile.read_only_note.isVisible()
        # an edit pushed anyway is refused with a message, leaves no undo step, changes nothing
        org = get_profile(ws)
        ok = window.controller.edit_field("organization", org.id, "name", "Hacked")
        assert not ok
        assert dialogs.kinds() == ["warning"] and "read-only" in dialogs.messages()[0]
        assert window.undo_group.activeStack().count() == 0
        assert get_profile(ws).name == org.name
        window.close_workspace()
        assert sha(path) == before
        assert holder.lock.held  # the other writer's lock is untouched
    finally:
        holder.close()


def test_locked_workspace_declined_opens_nothing(window, make_ws, dialogs, qtbot,
                                                 accept_read_only):
    from qms_desktop.storage.workspace import open_workspace

    shown, answer = accept_read_only
    answer(False)
    path = make_ws("locked.qms")
    holder = open_workspace(path, user="bob")
    try:
        window.open_path(path)
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
        wait_idle(qtbot, window)
        qtbot.wait(50)
        assert window.controller.workspace is None
        assert window.stack.currentWidget() is window.welcome
    finally:
        holder.close()


def test_read_only_file_offers_read_only(window, make_ws, dialogs, qtbot, accept_read_only):
    shown, _answer = accept_read_only
    path = make_ws("ro.qms")
    before = sha(path)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        window.open_path(path)
        qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=10_000)
        assert "read-only" in shown[0]["message"] and not shown[0]["holder_visible"]
        assert window.controller.read_only
        assert window.page("dashboard").profile.name_edit.isReadOnly()
        window.close_workspace()
        assert sha(path) == before
        assert not path.with_name("ro.qms.lock").exists()
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_newer_workspace_is_refused(window, make_ws, dialogs, qtbot):
    path = make_ws("new.qms")
    with sqlite3.connect(path) as c:
        c.execute("update alembic_version set version_num='9999'")
    c.close()
    before = sha(path)
    window.open_path(path)
    qtbot.waitUntil(lambda: bool(dialogs.calls), timeout=10_000)
    assert "newer version" in dialogs.messages()[0]
    assert window.controller.workspace is None
    assert sha(path) == before


def test_network_share_warns_once_per_open(window, make_ws, open_ws, dialogs, monkeypatch):
    from qms_desktop.storage import workspace as W

    monkeypatch.setattr(W, "is_network_path", lambda p: True)
    path = make_ws("share.qms")
    open_ws(window, path)
    assert dialogs.kinds() == ["warning"]
    assert "network drive" in dialogs.messages()[0]
    # edits and page changes do not repeat it
    window.show_page("risks")
    window.show_page("dashboard")
    assert dialogs.kinds() == ["warning"]
    window.close_workspace()
    open_ws(window, path)
    assert dialogs.kinds() == ["warning", "warning"]


def test_reopening_the_open_file_is_harmless(window, make_ws, open_ws, dialogs):
    path = make_ws("same.qms")
    ws = open_ws(window, path)
    assert not window.open_path(path)
    assert window.controller.workspace is ws
    assert dialogs.calls == []


def test_new_workspace(window, dialogs, qtbot, tmp_path):
    target = tmp_path / "Fresh Start"
    dialogs.save_files.append(str(target))
    window.acts["new"].trigger()
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=10_000)
    ws = window.controller.workspace
    assert ws.path == tmp_path / "Fresh Start.qms"
    assert window.page("dashboard").profile.name_edit.text() == "Fresh Start"
    assert dialogs.calls == [("save-file", "", "")]


def test_new_workspace_refuses_the_open_file(window, make_ws, open_ws, dialogs):
    path = make_ws("busy.qms")
    open_ws(window, path)
    dialogs.save_files.append(str(path))
    window.acts["new"].trigger()
    assert dialogs.kinds() == ["save-file", "warning"]
    assert "open workspace" in dialogs.messages("warning")[0]
    assert window.controller.path == path
