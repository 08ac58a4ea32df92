"""Start-up: the command line, the first paint, a lean import path, the demo workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_app(args, home, timeout=120):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    return subprocess.run([sys.executable, "-m", "qms_desktop.app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_exit_after_first_paint(make_ws, tmp_path):
    path = make_ws("bench.qms")
    proc = run_app([str(path), "--exit-after-first-paint"], tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert not path.with_name("bench.qms.lock").exists()


def test_exit_when_ready_opens_the_workspace(make_ws, tmp_path):
    path = make_ws("ready.qms")
    before = path.read_bytes()
    proc = run_app([str(path), "--exit-when-ready"], tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert not path.with_name("ready.qms.lock").exists()  # closed cleanly
    assert path.read_bytes() == before
    assert not path.with_name("ready-backups").exists()  # nothing edited, no backup


def test_exit_when_ready_fails_cleanly_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.qms"
    bad.write_bytes(b"\x00" * 4096)
    proc = run_app([str(bad), "--exit-when-ready"], tmp_path / "home")
    assert proc.returncode == 1
    assert "not a QMS workspace" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_and_version():
    proc = subprocess.run([sys.executable, "-m", "qms_desktop.app", "--help"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    for opt in ("--demo", "--read-only", "--exit-after-first-paint", "WORKSPACE".lower()):
        assert opt in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "qms_desktop", "--version"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "qms-desktop" in proc.stdout


def test_start_up_imports_only_qt_basics():
    code = ("import sys, qms_desktop.app, qms_desktop.ui.main_window\n"
            "heavy = [m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'alembic', 'matplotlib', 'openpyxl', 'docx', 'lxml', 'numpy')"
            " or m.startswith(('qms_desktop.storage', 'qms_desktop.services'))"
            " or m.startswith('PySide6.Qt') and m.split('.')[1] not in "
            "('QtCore', 'QtGui', 'QtWidgets')]\n"
            "print(','.join(sorted(heavy)))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_demo_is_created_once_a_day_and_reused(window, qtbot, isolated_user):
    from qms_desktop.ui.settings import data_dir

    window.open_demo()
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=60_000)
    ws = window.controller.workspace
    assert ws.path.parent == data_dir() / "demo"
    assert ws.path.is_relative_to(isolated_user)
    ov = window.controller.current_overview()
    assert ov.counts["people"] >= 20 and ov.counts["risks"] >= 30
    mtime = ws.path.stat().st_mtime_ns
    window.close_workspace()
    window.open_demo()
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=60_000)
    assert window.controller.path == ws.path
    assert ws.path.stat().st_mtime_ns == mtime  # reused, not rebuilt


def test_demo_replaces_an_older_day(window, qtbot):
    from qms_desktop.ui.settings import data_dir

    folder = data_dir() / "demo"
    folder.mkdir(parents=True)
    old = folder / "QMS demo 2001-01-01.qms"
    old.write_bytes(b"yesterday")
    window.open_demo()
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=60_000)
    assert not old.exists()


def test_todays_demo_made_by_an_older_build_is_made_again(window, qtbot):
    """A demo of today left by an older build (an earlier schema) is rebuilt, not upgraded:
    upgraded, it would lack what the newer modules put in the demo."""
    import datetime as dt
    import shutil
    from pathlib import Path

    from qms_desktop.ui.settings import data_dir

    folder = data_dir() / "demo"
    folder.mkdir(parents=True)
    today = folder / f"QMS demo {dt.date.today().isoformat()}.qms"
    old = Path(__file__).resolve().parents[1] / "fixtures" / "workspace-0003.qms"
    shutil.copyfile(old, today)
    window.open_demo()
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=60_000)
    assert window.controller.path == today
    assert window.controller.workspace.info.upgraded_from is None  # made afresh
    assert window.controller.current_overview().counts["people"] >= 20


@pytest.mark.parametrize("read_only", [False, True])
def test_command_line_read_only(make_ws, tmp_path, read_only):
    path = make_ws("cli.qms")
    args = [str(path), "--exit-when-ready"] + (["--read-only"] if read_only else [])
    proc = run_app(args, tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
