"""The register at real window sizes: the columns a user reads first on screen without
scrolling, a detail panel of stable width that folds away, combos that show the start of long
values, opportunities in their own words and colours."""

from __future__ import annotations

import pytest

from risks_helpers import seed_register

FIRST_READ = ("ref", "title", "inherent_level", "residual_level", "owner_id", "status",
              "review_date")


@pytest.fixture
def seeded_path(tmp_path):
    path = tmp_path / "register.qms"
    return path, seed_register(path)


def _risks_page(window, open_ws, qtbot, path, size):
    window.resize(*size)
    open_ws(window, path)
    window.show_page("risks")
    page = window._pages["risks"]
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.table.horizontalHeader().sectionSize(
        page.model.column_of["title"]) != page.columns.default_width(
        page.model.columns[page.model.column_of["title"]]) or page.table.viewport().width() > 0)
    return page


def _right_edges(page):
    header = page.table.horizontalHeader()
    return {key: header.sectionViewportPosition(page.model.column_of[key])
            + header.sectionSize(page.model.column_of[key]) for key in FIRST_READ}


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)])
def test_first_read_columns_are_on_screen_without_scrolling(window, open_ws, qtbot,
                                                            seeded_path, size):
    path, ids = seeded_path
    page = _risks_page(window, open_ws, qtbot, path, size)
    page.select_ids([ids["risks"]["Wrong material grade"]])
    qtbot.waitUntil(lambda: page.detail.built)
    viewport = page.table.viewport().width()
    qtbot.waitUntil(lambda: max(_right_edges(page).values()) <= viewport)
    header = page.table.horizontalHeader()
    assert page.table.horizontalScrollBar().value() == 0
    for key, right in _right_edges(page).items():
        assert not header.isSectionHidden(page.model.column_of[key]), key
        assert right <= viewport, key
    # the title gets what is left: far more than 30 characters' room at 1440 px
    title = header.sectionSize(page.model.column_of["title"])
    if size[0] >= 1440:
        assert title > page.table.fontMetrics().averageCharWidth() * 36


def test_detail_panel_keeps_its_width_and_folds_away(window, open_ws, qtbot, seeded_path):
    path, ids = seeded_path
    page = _risks_page(window, open_ws, qtbot, path, (1440, 900))
    risks = ids["risks"]
    page.select_ids([risks["Late supplier delivery"]])  # 5×5 only
    qtbot.waitUntil(lambda: page.detail.row is not None)
    page.detail.tabs.setCurrentIndex(1)
    before = page.splitter.sizes()
    page.select_ids([risks["Data loss on CAM server"]])  # 5×5 and FMEA, long help texts
    qtbot.waitUntil(lambda: page.detail.row is not None
                    and page.detail.row.id == risks["Data loss on CAM server"])
    assert page.splitter.sizes() == before

    page.details_action.trigger()
    assert page.splitter.sizes()[1] == 0 and not page.detail_visible()
    page.details_action.trigger()
    assert page.splitter.sizes()[1] > 0 and page.details_action.isChecked()


def test_combos_show_the_start_of_long_values(window, open_ws, qtbot, seeded_path):
    from qms_desktop.services import records

    path, ids = seeded_path
    page = _risks_page(window, open_ws, qtbot, path, (1280, 720))
    long_name = "Sales, quotation and contract review for every new customer"
    pid = ids["processes"]["Purchasing"]
    page.controller.edit("rename", lambda ws: records.update_fields(
        ws, "process", pid, {"name": long_name}))
    page.select_ids([ids["risks"]["Late supplier delivery"]])
    qtbot.waitUntil(lambda: page.detail.row is not None
                    and page.detail.editors["process_id"].currentText() == long_name)
    line = page.detail.editors["process_id"].lineEdit()
    assert line.cursorPosition() == 0


def test_actions_tab_shows_owner_due_and_status_first(window, open_ws, qtbot, seeded_path):
    path, ids = seeded_path
    page = _risks_page(window, open_ws, qtbot, path, (1280, 720))
    page.select_ids([ids["risks"]["Late supplier delivery"]])
    qtbot.waitUntil(lambda: page.detail.row is not None)
    detail = page.detail
    detail.tabs.setCurrentIndex(detail.actions_tab_index)
    view, model = detail.actions_view, detail.actions_model
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    header = view.horizontalHeader()
    for key in ("ref", "owner_id", "due_date", "status"):
        logical = model.column_of[key]
        right = header.sectionViewportPosition(logical) + header.sectionSize(logical)
        assert right <= view.viewport().width(), key


def test_opportunities_have_their_own_level_words_and_colours(window, open_ws, qtbot,
                                                              seeded_path):
    from PySide6.QtCore import Qt

    from qms_desktop.core.palette import LEVEL_COLOURS, OPPORTUNITY_COLOURS

    path, ids = seeded_path
    page = _risks_page(window, open_ws, qtbot, path, (1440, 900))
    rid = ids["risks"]["New export market"]  # an opportunity rated 2 × 4: medium
    index = page.model.index(page.model.row_of(rid), page.model.column_of["inherent_level"])
    assert index.data() == "Worthwhile"
    fill = index.data(Qt.ItemDataRole.BackgroundRole).color().name().upper()
    dark = page.model.palette.dark if hasattr(page.model, "palette") else False
    assert fill == OPPORTUNITY_COLOURS[dark]["medium"][0]
    assert fill != LEVEL_COLOURS[dark]["medium"][0]
