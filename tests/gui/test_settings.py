"""Settings: recent files and window state survive a restart; versioned upgrades."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize

from qms_desktop.ui import settings as S


def test_recent_files_persist_across_windows(make_window, make_ws, open_ws, qtbot):
    a, b = make_ws("a.qms"), make_ws("b.qms")
    w1 = make_window()
    open_ws(w1, a)
    open_ws(w1, b)
    w1.close()
    w2 = make_window()
    assert w2.settings.recent_files == [str(b), str(a)]
    w2.recent_menu.aboutToShow.emit()
    entries = [x for x in w2.recent_menu.actions() if not x.isSeparator()]
    assert [x.text() for x in entries] == ["&1 b.qms", "&2 a.qms", "&Clear Menu"]
    assert [w2.welcome.recent.item(i).text() for i in range(w2.welcome.recent.count())] == \
        ["b.qms", "a.qms"]
    entries[1].trigger()  # opens a.qms
    qtbot.waitUntil(lambda: w2.controller.path == a, timeout=10_000)
    entries = [x for x in w2.recent_menu.actions() if not x.isSeparator()]
    w2.recent_menu.aboutToShow.emit()
    [x for x in w2.recent_menu.actions() if x.objectName() == "clearRecent"][0].trigger()
    assert w2.settings.recent_files == []


def test_window_state_restored(make_window, make_ws, open_ws):
    w1 = make_window()
    w1.resize(700, 500)  # within the offscreen screen (800×800)
    open_ws(w1, make_ws())
    w1.show_page("training")
    w1.splitter.setSizes([300, 600])
    sizes = w1.splitter.sizes()
    w1.close()
    w2 = make_window()
    assert w2.size() == QSize(700, 500)
    assert w2.splitter.sizes() == sizes
    assert w2.settings.last_page == "training"


def test_first_start_uses_the_default_size(make_window):
    from PySide6.QtGui import QGuiApplication

    w = make_window()
    avail = QGuiApplication.primaryScreen().availableGeometry().size()
    expected = QSize(1280, 800).boundedTo(QSize(int(avail.width() * 0.95),
                                                int(avail.height() * 0.95)))
    assert w.size() == expected


def test_recent_list_is_bounded_and_deduplicated(tmp_path):
    s = S.Settings()
    for i in range(S.MAX_RECENT + 3):
        s.add_recent_file(tmp_path / f"{i}.qms")
    s.add_recent_file(tmp_path / "5.qms")
    items = s.recent_files
    assert len(items) == S.MAX_RECENT
    assert items[0] == str(tmp_path / "5.qms") and items.count(str(tmp_path / "5.qms")) == 1
    s.remove_recent_file(tmp_path / "5.qms")
    assert str(tmp_path / "5.qms") not in s.recent_files


def test_settings_version_written_and_upgrades_run_once(monkeypatch):
    q = QSettings()
    assert q.value("meta/version") is None
    S.Settings(q)
    assert int(q.value("meta/version")) == S.SETTINGS_VERSION
    # a later build renames a key: its upgrade step runs once, in order
    ran = []

    def to_next(qs):
        ran.append(1)
        qs.setValue("files/recent_v2", qs.value("files/recent", "[]"))
        qs.remove("files/recent")

    monkeypatch.setattr(S, "SETTINGS_VERSION", S.SETTINGS_VERSION + 1)
    monkeypatch.setitem(S._UPGRADES, S.SETTINGS_VERSION, to_next)
    q.setValue("files/recent", '["x.qms"]')
    S.Settings(q)
    S.Settings(q)
    assert ran == [1]
    assert q.value("files/recent_v2") == '["x.qms"]' and q.value("files/recent") is None


def test_settings_from_a_newer_build_are_left_alone():
    q = QSettings()
    q.setValue("meta/version", S.SETTINGS_VERSION + 5)
    q.setValue("files/recent", "not json")
    s = S.Settings(q)
    assert s.recent_files == []
    assert int(q.value("meta/version")) == S.SETTINGS_VERSION + 5


def test_data_dir_is_isolated(isolated_user):
    assert S.data_dir().is_relative_to(isolated_user)
