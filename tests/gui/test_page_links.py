"""Pages link to each other: dashboard cards open filtered lists, risks open in the register
from a process's turtle panel and a map step, and a risk's step opens on the map."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from qms_desktop.services.demo import create_demo

    return create_demo(tmp_path_factory.mktemp("demo") / "demo.qms")


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "demo.qms"
    shutil.copy(demo_file, path)
    return path


def risk_rows(ws):
    from qms_desktop.services.risks import list_risks

    return list_risks(ws)


def shown_ids(page):
    from qms_desktop.ui.table import IdRole

    return [page.proxy.index(r, 0).data(IdRole) for r in range(page.proxy.rowCount())]


def test_risks_page_selects_a_hidden_risk_and_takes_filters(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    rows = risk_rows(ws)
    window.show_page("risks")
    page = window.page("risks")
    page.set_filters(level="high+")
    high = {r.id for r in rows if r.level in ("high", "critical")}
    assert set(shown_ids(page)) == high and page.level_filter.value() == "high+"
    other = next(r for r in rows if r.id not in high)
    assert page.select_risk(other.id)  # hidden by the filter: the filter goes
    assert page.selected_ids() == [other.id] and page.level_filter.value() is None
    page.set_filters(overdue_only=True)
    assert page.overdue_filter.isChecked()
    assert set(shown_ids(page)) == {r.id for r in rows
                                    if r.review_overdue or r.overdue_actions}


def test_show_on_map_names_the_step_or_the_process(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    rows = risk_rows(ws)
    window.show_page("risks")
    page = window.page("risks")
    with_step = next(r for r in rows if r.node_id is not None)
    only_process = next((r for r in rows if r.node_id is None and r.process_id is not None),
                        None)
    emitted = []
    page.openRecord.connect(lambda kind, rid: emitted.append((kind, rid)))
    page.select_risk(with_step.id)
    assert page.acts["map"].isEnabled()
    assert page.show_on_map()
    assert emitted == [("process_node", with_step.node_id)]
    if only_process is not None:
        page.select_risk(only_process.id)
        page.show_on_map()
        assert emitted[-1] == ("process", only_process.process_id)
    page.table.clearSelection()
    assert not page.acts["map"].isEnabled() and not page.show_on_map()
