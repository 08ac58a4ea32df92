"""The dashboard's cockpit: tiles painted at once with their headline counts, filled on a worker
thread, each opening its filtered list (click, Enter, a bar, a link), refreshed after an edit —
only the tiles the edit touched."""

from __future__ import annotations

import shutil
import threading

import pytest
from PySide6.QtCore import QPoint, Qt


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from qms_desktop.services.demo import create_demo

    return create_demo(tmp_path_factory.mktemp("demo") / "demo.qms")


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "demo.qms"
    shutil.copy(demo_file, path)
    return path


def dashboard(window, qtbot):
    window.show_page("dashboard")
    page = window.page("dashboard")
    qtbot.waitUntil(page.filled, timeout=10_000)
    return page


def test_tiles_show_headline_counts_first_and_fill_from_a_worker(window, demo, open_ws, qtbot,
                                                                 monkeypatch):
    """While the tiles' figures are being computed the page shows each tile's frame and its
    headline count, and the GUI thread keeps running; the figures come when the worker ends."""
    from qms_desktop.services import dashboard as D

    release = threading.Event()
    threads = []
    real = D.tile

    def slow(key, ws, today=None):
        threads.append(threading.current_thread())
        release.wait(10)
        return real(key, ws, today)

    monkeypatch.setattr(D, "tile", slow)
    ws = open_ws(window, demo)
    window.show_page("dashboard")
    page = window.page("dashboard")
    qtbot.waitUntil(lambda: bool(threads))  # the first tile is being computed
    h = D.headline(ws)
    assert page.tiles["actions"].value.text() == str(h.overdue_actions)
    assert page.tiles["nonconformities"].value.text() == str(h.nc_open)
    assert "Calculating" in page.tiles["risks"].detail.text()
    assert page.pending() and not page.filled()
    ticks = []
    qtbot.waitUntil(lambda: ticks.append(1) or len(ticks) > 3)  # the event loop runs
    assert threads[0] is not threading.main_thread()
    assert not page.tiles["risks"].filled
    release.set()
    qtbot.waitUntil(page.filled, timeout=10_000)
    assert all(t is not threading.main_thread() for t in threads)
    assert len(threads) == len(D.TILE_KEYS)  # one computation per tile
    every = real("risks", ws)
    assert page.tiles["risks"].value.text() == str(every.high)
    assert [b.text for b in page.tiles["risks"].chart.bars][:4] == [
        str(every.by_level[lv]) for lv in ("critical", "high", "medium", "low")]


def test_tiles_show_the_service_figures(window, demo, open_ws, qtbot):
    from qms_desktop.core import kpi
    from qms_desktop.services import dashboard as D

    ws = open_ws(window, demo)
    page = dashboard(window, qtbot)
    every = D.tiles(ws)
    t = page.tiles
    assert t["actions"].value.text() == str(every.actions.overdue)
    assert f"of {every.actions.open} unfinished" in t["actions"].unit.text()
    assert t["training"].value.text() == f"{every.training.percent:.0f} %"
    assert f"{every.training.late} to train now" in t["training"].detail.text()
    assert t["objectives"].value.text() == str(every.objectives.counts[kpi.OFF])
    assert [b.label for b in t["objectives"].chart.bars] == [
        "✓ On target", "≈ Near target", "✗ Off target", "○ Not measured"]
    assert [b.label.split()[0] for b in t["gap"].chart.bars] == list(D.GAP_CHAPTERS)
    assert t["gap"].value.text() == f"{every.gap.percent:.0f} %"
    assert t["documents"].value.text() == str(every.documents.overdue)
    assert t["nonconformities"].value.text() == str(every.nonconformities.open)
    done = every.audits.count("done")
    assert t["audits"].value.text() == f"{done} / {len(every.audits.audits)}"
    if every.audits.next_on is None:
        assert "no internal audit scheduled" in t["audits"].detail.text()
    # readable without colour: every bar carries its figure as text, every tile a name
    for tile in t.values():
        assert tile.accessibleName().startswith(tile.caption.text())
        if tile.chart is not None:
            assert all(b.text for b in tile.chart.bars)


def _filters(page) -> dict:
    return {name: (w.isChecked() if hasattr(w, "isChecked") else
                   w.text() if hasattr(w, "setPlaceholderText") else w.value())
            for name, w in page.filters.widgets.items()}


def test_each_tile_opens_its_list_filtered(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    page = dashboard(window, qtbot)

    def click(key):
        window.show_page("dashboard")
        qtbot.mouseClick(page.tiles[key], Qt.MouseButton.LeftButton, pos=QPoint(4, 4))

    click("actions")
    assert window.current_page_key() == "actions"
    actions = window.page("actions")
    assert actions.status_filter.value() == "unfinished" and actions.overdue_only.isChecked()
    assert actions.proxy.rowCount() == page.data["actions"].overdue

    click("risks")
    assert window.current_page_key() == "risks"
    risks = window.page("risks")
    assert risks.level_filter.value() == "high+"
    # the tile counts open risks (services.risks.level_counts): the list it opens says so
    assert risks.kind_filter.value() == "risk" and risks.open_filter.isChecked()
    assert risks.proxy.rowCount() == page.data["risks"].high

    click("training")
    assert window.current_page_key() == "training"
    assert window.page("training").status.value() == "late"

    click("audits")  # the programme (emitted as {"tab": "programme"}: see below)
    assert window.current_page_key() == "checklists"
    checklists = window.page("checklists")
    click("gap")
    assert checklists.filters.widgets["kind"].value() == "gap_analysis"
    from qms_desktop.services.checklists import list_runs

    assert checklists.runs_proxy.rowCount() == sum(
        1 for r in list_runs(ws) if r.kind == "gap_analysis")

    click("documents")
    assert window.current_page_key() == "documents"
    docs = window.page("documents")
    assert docs.overdue_only.isChecked()
    assert docs.proxy.rowCount() == page.data["documents"].overdue

    click("objectives")
    assert window.current_page_key() == "objectives"
    objectives = window.page("objectives")
    assert objectives.status_filter.value() == "off"
    assert objectives.proxy.rowCount() == page.data["objectives"].counts["off"]

    click("nonconformities")
    assert window.current_page_key() == "nonconformities"
    ncs = window.page("nonconformities")
    assert ncs.status_filter.value() == "unfinished"
    assert ncs.proxy.rowCount() == page.data["nonconformities"].open


def test_tiles_emit_their_targets_from_the_keyboard_bars_and_links(window, demo, open_ws,
                                                                   qtbot):
    open_ws(window, demo)
    page = dashboard(window, qtbot)
    emitted = []
    page.openList.connect(lambda key, filters: emitted.append((key, filters)))
    for key in page.tiles:
        window.show_page("dashboard")
        tile = page.tiles[key]
        tile.setFocus()
        assert tile.hasFocus()
        qtbot.keyClick(tile, Qt.Key.Key_Return)
    assert [e[0] for e in emitted] == ["actions", "risks", "training", "checklists",
                                       "checklists", "objectives", "documents",
                                       "nonconformities"]
    assert emitted[5] == ("objectives", {"status": "off"})
    assert emitted[7] == ("nonconformities", {"status": "unfinished"})
    emitted.clear()
    # Tab moves from tile to tile
    window.show_page("dashboard")
    page.tiles["actions"].setFocus()
    qtbot.keyClick(page.tiles["actions"], Qt.Key.Key_Tab)
    assert page.focusWidget() is not page.tiles["actions"]
    # a bar opens its level / status / chapter
    chart = page.tiles["risks"].chart
    row = [b.key for b in chart.bars].index("level:critical")
    y = int((row + 0.5) * chart._row_height())
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() // 2, y))
    assert emitted[-1] == ("risks", {"kind": "risk", "open_only": True, "level": "critical"})
    window.show_page("dashboard")
    chart = page.tiles["objectives"].chart
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton,
                     pos=QPoint(chart.width() // 2, int(0.5 * chart._row_height())))
    assert emitted[-1] == ("objectives", {"status": "on"})
    window.show_page("dashboard")
    chart = page.tiles["nonconformities"].chart
    assert [b.key for b in chart.bars] == ["status:open", "status:contained",
                                           "status:investigating", "status:action"]
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton,
                     pos=QPoint(chart.width() // 2, int(2.5 * chart._row_height())))
    assert emitted[-1] == ("nonconformities", {"status": "investigating"})
    # a link in a tile's detail
    window.show_page("dashboard")
    page.tiles["training"].detail.linkActivated.emit("expiring")
    assert emitted[-1][0] == "training" and emitted[-1][1]["status"] == "expiring"
    page.tiles["documents"].detail.linkActivated.emit("revising")
    assert emitted[-1] == ("documents", {"status": "pending"})


def test_each_risk_bar_opens_a_list_of_its_figure(window, demo, open_ws, qtbot):
    """The tile said "1 high or critical of 33" and opened 6 rows (opportunities and closed
    entries too); High 1 opened 6, Medium 26 opened 27, "Not rated 2" opened High or critical:
    now the tile, every bar, the opportunities link and the count card open exactly their
    figure."""
    ws = open_ws(window, demo)
    page = dashboard(window, qtbot)
    d = page.data["risks"]
    risks = window.page("risks")
    bars = page.tiles["risks"].chart.bars
    assert "level:none" in [b.key for b in bars]  # the demo has unrated risks
    for bar in bars:
        window.show_page("dashboard")
        page.tiles["risks"].chart.barActivated.emit(bar.key)
        assert window.current_page_key() == "risks"
        assert risks.proxy.rowCount() == bar.value, bar.label
    window.show_page("dashboard")
    page.open_tile("risks")
    assert risks.proxy.rowCount() == d.high == int(page.tiles["risks"].value.text())
    window.show_page("dashboard")
    page.tiles["risks"].detail.linkActivated.emit("opportunities")
    assert risks.kind_filter.value() == "opportunity" and risks.open_filter.isChecked()
    assert risks.proxy.rowCount() == d.opportunities > 0
    window.show_page("dashboard")
    page.cards["risks"].detail.linkActivated.emit("high")
    assert risks.proxy.rowCount() == d.high and risks.level_filter.value() == "high+"
    # the whole register again from the card: every filter cleared
    window.show_page("dashboard")
    page.open_card("risks")
    assert risks.proxy.rowCount() == len(risks.model.rows)
    assert risks.kind_filter.value() is None and not risks.open_filter.isChecked()


def test_audit_tile_counts_the_completed_run_done_and_says_what_is_late(window, demo, open_ws,
                                                                        qtbot):
    """The demo's IA26-03 is completed, its report late: the tile said "0 / 1 done · ⚠ 1
    overdue"; now 1 done, the late report named with its day, and it opens the Programme tab."""
    ws = open_ws(window, demo)
    page = dashboard(window, qtbot)
    d = page.data["audits"]
    ia = next(a for a in d.audits if a.code == "IA26-03")
    assert ia.completed_on is not None and ia.late_steps  # the demo as the tester saw it
    t = page.tiles["audits"]
    assert t.value.text() == f"{d.count('done')} / {len(d.audits)}"
    assert d.count("done") >= 1
    from qms_desktop.ui.pages.dashboard import short_date

    assert f"IA26-03: Audit report overdue since {short_date(ia.late_since)}" \
        in t.detail.text()
    emitted = []
    page.openList.connect(lambda key, filters: emitted.append((key, filters)))
    page.open_tile("audits")
    t.detail.linkActivated.emit("programme")
    assert emitted == [("checklists", {"tab": "programme"})] * 2
    checklists = window.page("checklists")
    assert window.current_page_key() == "checklists"
    assert checklists.tabs.currentWidget() is checklists.programme_tab


def test_gap_chapter_bars_open_the_latest_run_at_that_chapter(window, demo, open_ws, qtbot):
    open_ws(window, demo)
    page = dashboard(window, qtbot)
    run = page.data["gap"].run_id
    assert run is not None
    emitted = []
    page.openList.connect(lambda key, filters: emitted.append((key, filters)))
    chart = page.tiles["gap"].chart
    row = [b.key for b in chart.bars].index("chapter:7")
    y = int((row + 0.5) * chart._row_height())
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() // 2, y))
    assert emitted == [("checklists", {"tab": "runs", "run": run, "chapter": "7"})]
    checklists = window.page("checklists")
    assert window.current_page_key() == "checklists"
    assert checklists.current_run_id() == run
    assert checklists.tabs.currentIndex() == checklists.run_tab_index
    assert checklists.run_view.current_item().clause.startswith("7")


def test_profile_shows_the_policy_in_force_read_only(window, demo, open_ws, make_ws, qtbot):
    """With a policy document the profile's policy box was a second, editable policy: now the
    text of the revision in force, read-only, with "Edit on Context & policy"."""
    from qms_desktop.services.context import get_policy

    ws = open_ws(window, demo)
    policy = get_policy(ws)
    assert policy.document_id is not None and policy.text_in_force  # the demo has one
    page = dashboard(window, qtbot)
    p = page.profile
    assert p.policy_view.isVisible() and p.policy_view.isReadOnly()
    assert not p.policy_edit.isVisible()
    assert p.policy_view.toPlainText() == policy.text_in_force
    assert policy.number in p.policy_note.text()
    emitted = []
    page.openList.connect(lambda key, filters: emitted.append((key, filters)))
    assert p.policy_link.isVisible()
    p.policy_link.linkActivated.emit("policy")
    assert emitted == [("context", {"tab": "policy"})]
    from qms_desktop.ui.context.page import TABS

    assert window.current_page_key() == "context"
    assert TABS[window.page("context").tabs.currentIndex()] == "policy"
    # without a policy document: the organization's text, editable, and the same link
    open_ws(window, make_ws("plain.qms"))
    page = dashboard(window, qtbot)
    assert p.policy_edit.isVisible() and not p.policy_edit.isReadOnly()
    assert not p.policy_view.isVisible() and p.policy_link.isVisible()
    emitted.clear()
    p.policy_link.linkActivated.emit("policy")
    assert emitted == [("context", {"tab": "policy"})]


def test_an_empty_workspace_links_no_empty_list(window, make_ws, open_ws, qtbot):
    """An empty workspace showed a link "all 0 unfinished": no link for a zero count."""
    open_ws(window, make_ws("empty.qms"))
    page = dashboard(window, qtbot)
    for key, tile in page.tiles.items():
        assert "<a " not in tile.detail.text(), key
    for key, card in page.cards.items():
        assert "<a " not in card.detail.text(), key


def test_an_edit_refreshes_only_the_tiles_it_touched(window, demo, open_ws, qtbot,
                                                     monkeypatch):
    import datetime as dt

    from qms_desktop.services import dashboard as D
    from qms_desktop.services import records

    open_ws(window, demo)
    page = dashboard(window, qtbot)
    before = page.data["nonconformities"]
    computed = []
    real = D.tile
    monkeypatch.setattr(D, "tile", lambda key, ws, today=None: computed.append(key) or
                        real(key, ws, today))
    late = dt.date.today() - dt.timedelta(days=3)
    assert window.controller.edit("Add NC", lambda ws: records.create(
        ws, "nonconformity", {"ref": "NC-99", "title": "Burrs", "status": "open",
                              "due_date": late}))
    # the headline figure follows at once
    assert page.tiles["nonconformities"].value.text() == str(before.open + 1)
    qtbot.waitUntil(lambda: bool(computed) and page.filled(), timeout=10_000)
    assert computed == ["nonconformities"]
    assert page.data["nonconformities"].overdue == before.overdue + 1
    assert f"{before.overdue + 1} overdue" in page.tiles["nonconformities"].unit.text()
    # undo brings the figures back, again recomputing that tile alone
    computed.clear()
    window.acts["undo"].trigger()
    qtbot.waitUntil(lambda: bool(computed) and page.filled(), timeout=10_000)
    assert computed == ["nonconformities"]
    assert page.data["nonconformities"] == before


def test_a_burst_of_edits_costs_one_pass(window, demo, open_ws, qtbot, monkeypatch):
    import datetime as dt

    from qms_desktop.services import dashboard as D
    from qms_desktop.services import records

    open_ws(window, demo)
    page = dashboard(window, qtbot)
    computed = []
    real = D.tile
    monkeypatch.setattr(D, "tile", lambda key, ws, today=None: computed.append(key) or
                        real(key, ws, today))
    oid = window.controller.edit("Add objective", lambda w: records.create(
        w, "objective", {"title": "Scrap", "target": 2.0, "direction": "<="}))
    for days, v in ((2, 1.0), (1, 3.0), (0, 5.0)):
        window.controller.edit("Measure", lambda w, days=days, v=v: records.create(
            w, "measurement", {"objective_id": oid, "value": v,
                               "measured_on": dt.date.today() - dt.timedelta(days=days)}))
    qtbot.waitUntil(lambda: bool(computed) and page.filled(), timeout=10_000)
    assert computed == ["objectives"]


def test_a_hidden_dashboard_catches_up_when_shown(window, demo, open_ws, qtbot, monkeypatch):
    from qms_desktop.services import dashboard as D
    from qms_desktop.services import records

    open_ws(window, demo)
    page = dashboard(window, qtbot)
    window.show_page("actions")
    computed = []
    real = D.tile
    monkeypatch.setattr(D, "tile", lambda key, ws, today=None: computed.append(key) or
                        real(key, ws, today))
    window.controller.edit("Add action", lambda ws: records.create(
        ws, "action", {"ref": "A-999", "title": "Deburr", "status": "open"}))
    qtbot.waitUntil(lambda: not page._debounce.isActive())  # the pause after edits ended
    assert computed == [] and page.pending()  # hidden: nothing computed until shown
    window.show_page("dashboard")
    qtbot.waitUntil(lambda: bool(computed) and page.filled(), timeout=10_000)
    assert sorted(computed) == ["actions", "risks"]


def test_empty_workspace_and_closing(window, make_ws, open_ws, qtbot):
    open_ws(window, make_ws("empty.qms"))
    page = dashboard(window, qtbot)
    t = page.tiles
    assert t["actions"].value.text() == "0"
    assert t["gap"].value.text() == "–" and "no gap analysis yet" in t["gap"].unit.text()
    assert "no internal audit scheduled" in t["audits"].detail.text()
    assert t["training"].unit.text() == "no training required yet"
    window.controller.close()
    qtbot.waitUntil(lambda: window.controller.workspace is None)
    assert all(tile.value.text() == "–" and not tile.filled for tile in t.values())


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_nothing_is_cut_at_common_window_sizes(window, demo, open_ws, qtbot, size):
    open_ws(window, demo)
    window.resize(*size)
    page = dashboard(window, qtbot)
    qtbot.waitUntil(lambda: page.tiles["actions"].width() > 0)
    for _ in range(3):
        qtbot.wait(1)  # let the layout settle after the tiles filled
    content = page.scroll.widget()
    assert content.width() <= page.scroll.viewport().width()  # no sideways scrolling
    for tile in page.tiles.values():
        for label in (tile.caption, tile.unit, tile.detail):
            if label.text():
                assert label.height() >= label.heightForWidth(label.width()), (
                    tile.key, label.objectName(), label.text())
        if tile.chart is not None and tile.chart.bars:
            assert tile.chart.height() >= tile.chart.minimumSizeHint().height()
            assert tile.chart.width() >= 120
