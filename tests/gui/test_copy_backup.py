"""Save a Copy (background, with errors reported) and automatic backups."""

from __future__ import annotations

import hashlib
import sqlite3

from qms_desktop.services.organization import get_profile


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def rename(window, ws, name):
    org = get_profile(ws)
    assert window.controller.edit_field("organization", org.id, "name", name)


def test_save_a_copy_produces_an_openable_workspace(window, make_ws, open_ws, dialogs, qtbot,
                                                    tmp_path):
    from qms_desktop.storage.workspace import open_workspace

    ws = open_ws(window, make_ws(organization="Acme"))
    rename(window, ws, "Acme Copy Test")
    dest = tmp_path / "copies" / "snapshot"
    dest.parent.mkdir()
    dialogs.save_files.append(str(dest))
    window.acts["save_copy"].trigger()
    copy = tmp_path / "copies" / "snapshot.qms"
    qtbot.waitUntil(copy.exists, timeout=10_000)
    qtbot.waitUntil(lambda: not window.runner.active, timeout=10_000)
    assert "Copy saved" in window.statusBar().currentMessage()
    with open_workspace(copy, read_only=True) as c:
        assert get_profile(c).name == "Acme Copy Test"
        assert c.head_hash() == ws.head_hash()
    assert dialogs.kinds() == ["save-file"]
    assert not list((tmp_path / "copies").glob(".*part"))


def test_copy_error_is_reported_and_workspace_untouched(window, make_ws, open_ws, dialogs,
                                                        qtbot, tmp_path):
    path = make_ws()
    open_ws(window, path)
    dialogs.save_files.append(str(tmp_path / "no such folder" / "copy.qms"))
    before = sha(path)
    window.acts["save_copy"].trigger()
    qtbot.waitUntil(lambda: "warning" in dialogs.kinds(), timeout=10_000)
    msg = dialogs.messages("warning")[0]
    assert "does not exist" in msg and "unchanged" in msg
    assert sha(path) == before
    assert window.controller.workspace is not None


def test_copy_onto_itself_is_refused(window, make_ws, open_ws, dialogs, qtbot):
    path = make_ws()
    open_ws(window, path)
    dialogs.save_files.append(str(path))
    window.acts["save_copy"].trigger()
    qtbot.waitUntil(lambda: "warning" in dialogs.kinds(), timeout=10_000)
    assert "cannot replace the workspace itself" in dialogs.messages("warning")[0]


def test_cancelled_copy_leaves_no_new_file(window, make_ws, open_ws, dialogs, qtbot, tmp_path,
                                            monkeypatch):
    import threading

    ws = open_ws(window, make_ws())
    # the dashboard fills its tiles on the same runner: let it finish first
    qtbot.waitUntil(lambda: not window.runner.active, timeout=10_000)
    real = ws.save_copy
    started, go = threading.Event(), threading.Event()

    def slow_copy(dest):  # a copy still running when the user presses Cancel
        started.set()
        go.wait(10)
        return real(dest)

    monkeypatch.setattr(ws, "save_copy", slow_copy)
    dest = tmp_path / "cancelled.qms"
    dialogs.save_files.append(str(dest))
    window.acts["save_copy"].trigger()
    assert started.wait(10)
    (task,) = window.runner.active
    task.dialog.canceled.emit()  # what the progress dialog's Cancel button sends
    go.set()
    qtbot.waitUntil(lambda: task.delivered, timeout=10_000)
    assert not dest.exists()
    assert "cancelled" in window.statusBar().currentMessage()


def test_backup_on_close_only_when_edited(window, make_ws, open_ws):
    path = make_ws("plain.qms")
    open_ws(window, path)
    window.close_workspace()
    assert not path.with_name("plain-backups").exists()

    ws = open_ws(window, path)
    rename(window, ws, "Edited")
    window.close_workspace()
    backups = list(path.with_name("plain-backups").glob("*.qms"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as c:
        assert c.execute("select name from organization").fetchone()[0] == "Edited"
    c.close()


def test_periodic_backup_when_edited(window, make_ws, open_ws, qtbot):
    path = make_ws("timer.qms")
    ws = open_ws(window, path)
    ctl = window.controller
    assert ctl._backup_timer.isActive() and ctl._backup_timer.interval() == 15 * 60_000
    ctl._periodic_backup()  # what the timer does: nothing edited, nothing written
    assert not path.with_name("timer-backups").exists()
    rename(window, ws, "Edited once")
    ctl._periodic_backup()
    folder = path.with_name("timer-backups")
    qtbot.waitUntil(lambda: folder.exists() and len(list(folder.glob("*.qms"))) == 1,
                    timeout=10_000)
    qtbot.waitUntil(lambda: not window.runner.active, timeout=10_000)
    assert not ctl.edited_since_backup
    window.close_workspace()  # nothing edited since: no second backup
    assert len(list(folder.glob("*.qms"))) == 1


def test_read_only_workspace_never_backs_up(window, make_ws, open_ws):
    path = make_ws("ro.qms")
    open_ws(window, path, read_only=True)
    assert not window.controller.backup_now()
    assert not window.controller._backup_timer.isActive()
    window.close_workspace()
    assert not path.with_name("ro-backups").exists()
