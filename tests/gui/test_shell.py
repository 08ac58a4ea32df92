"""The main window's shell: menus, shortcuts, navigation, status bar, About."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from qms_desktop.ui.pages import page_specs


def texts(menu):
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_menus_and_shortcuts(window):
    assert texts(window.file_menu) == ["New…", "Open…", "Open Recent", "Save a Copy…", "Close",
                                       "Quit"]
    assert texts(window.edit_menu) == ["Undo", "Redo", "Find…"]
    assert texts(window.help_menu) == ["About QMS Workbench"]
    a = window.acts
    assert a["new"].shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert a["open"].shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert a["save_copy"].shortcut() == QKeySequence("Ctrl+Shift+S")
    assert a["undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert a["redo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)
    assert a["quit"].shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert a["find"].shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    # without a workspace: nothing to copy, close, undo or find
    for name in ("save_copy", "close", "undo", "redo", "find"):
        assert not a[name].isEnabled(), name
    for name in ("new", "open", "quit", "about"):
        assert a[name].isEnabled(), name
    toolbar = [x.objectName() for x in window.toolbar.actions() if not x.isSeparator()]
    assert toolbar == ["new", "open", "save_copy", "undo", "redo"]


def test_view_menu_lists_every_page_with_ctrl_number(window):
    specs = page_specs()
    assert [s.title for s in specs] == [
        "Dashboard", "Roadmap", "Context & policy", "Processes", "Risks", "Training",
        "Checklists & Audits", "Documents", "Actions", "Nonconformities", "Objectives & KPIs",
        "Management review", "Audit trail"]
    view = [a for a in window.view_menu.actions() if not a.isSeparator()]
    assert [a.text().replace("&&", "&") for a in view] == [s.title for s in specs]
    for i, a in enumerate(view):
        assert a.shortcut() == (QKeySequence(f"Ctrl+{i + 1}") if i < 9 else QKeySequence())
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == \
        [s.title for s in specs]


def test_navigation_switches_pages(window, make_ws, open_ws, qtbot):
    open_ws(window, make_ws())
    assert window.current_page_key() == "dashboard"
    window.page_actions["risks"].trigger()
    assert window.current_page_key() == "risks"
    assert window.nav.currentRow() == 4
    window.page_actions["training"].trigger()
    assert window.current_page_key() == "training"
    assert type(window.page("training")).__name__ == "TrainingPage"
    window.page_actions["checklists"].trigger()
    assert window.current_page_key() == "checklists"
    assert type(window.page("checklists")).__name__ == "ChecklistsPage"
    window.page_actions["documents"].trigger()
    assert window.current_page_key() == "documents"
    assert type(window.page("documents")).__name__ == "DocumentsPage"
    window.page_actions["objectives"].trigger()
    assert window.current_page_key() == "objectives"
    for key in ("roadmap", "context", "nonconformities", "reviews"):
        window.page_actions[key].trigger()
        assert window.current_page_key() == key
    window.nav.setCurrentRow(12)
    assert window.current_page_key() == "audit_trail"
    assert window.acts["find"].isEnabled()  # the audit trail has a search box
    window.acts["find"].trigger()
    qtbot.waitUntil(lambda: window.page("audit_trail").search.hasFocus())
    window.nav.setCurrentRow(0)
    assert not window.acts["find"].isEnabled()


def test_status_bar_shows_file_and_head_hash(window, make_ws, open_ws):
    path = make_ws("status.qms")
    ws = open_ws(window, path)
    assert window.file_label.text() == "status.qms"
    from qms_desktop.services.audit_trail import head_stamp

    head, n = head_stamp(ws)
    assert window.head_label.text() == f"Audit head {head[:12]}… @ {n:,}"
    assert head not in window.head_label.text()
    assert head in window.head_label.toolTip()
    assert not window.read_only_badge.isVisible()
    assert "status.qms" in window.windowTitle()
    assert window.acts["save_copy"].isEnabled() and window.acts["close"].isEnabled()
    window.acts["close"].trigger()
    assert window.controller.workspace is None
    assert window.file_label.text() == ""
    assert window.stack.currentWidget() is window.welcome
    assert not (path.parent / "status.qms.lock").exists()


def test_about_dialog_shows_versions_and_head_hash(window, make_ws, open_ws, qtbot):
    import platform
    import sqlite3

    import PySide6
    import sqlalchemy
    from PySide6.QtCore import qVersion

    from qms_desktop import __version__
    from qms_desktop.ui.dialogs import AboutDialog

    ws = open_ws(window, make_ws())
    d = AboutDialog(window, head_hash=window.controller.head_hash, workspace_name="x")
    qtbot.addWidget(d)
    assert d.ui.appVersionLabel.text() == __version__
    assert d.ui.pythonVersionLabel.text() == platform.python_version()
    assert d.ui.qtVersionLabel.text() == qVersion()
    assert d.ui.pysideVersionLabel.text() == PySide6.__version__
    assert d.ui.sqlalchemyVersionLabel.text() == sqlalchemy.__version__
    assert d.ui.sqliteVersionLabel.text() == sqlite3.sqlite_version
    assert d.ui.headHashLabel.text() == ws.head_hash()
    d.copy_details()
    from PySide6.QtGui import QGuiApplication
    assert ws.head_hash() in QGuiApplication.clipboard().text()


def test_about_action_runs_the_dialog(window, monkeypatch):
    from qms_desktop.ui import dialogs

    shown = []
    monkeypatch.setattr(dialogs.AboutDialog, "exec",
                        lambda self: shown.append(self.ui.headHashLabel.text()) or 0)
    window.acts["about"].trigger()
    assert shown == ["No workspace is open."]


def test_welcome_buttons_start_the_file_actions(window, dialogs, make_ws, qtbot):
    window.welcome.new_button.click()
    window.welcome.open_button.click()
    assert dialogs.kinds() == ["save-file", "open-file"]  # both cancelled
    path = make_ws("from-welcome.qms")
    window.settings.add_recent_file(path)
    window.welcome.set_recent(window.settings.recent_files)
    item = window.welcome.recent.item(0)
    assert item.text() == "from-welcome.qms" and item.toolTip() == str(path)
    window.welcome.recent.itemActivated.emit(item)
    qtbot.waitUntil(lambda: window.controller.workspace is not None, timeout=10_000)
    assert window.controller.path == path
