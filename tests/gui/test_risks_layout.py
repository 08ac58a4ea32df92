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


@pytest.fixture
def long_register(tmp_path):
    """The seeded register with enough risks for a vertical scroll bar at 720 px, as in the
    demo (the scroll bar takes its width from the register after the first layout)."""
    from qms_desktop.services import risks
    from qms_desktop.storage.workspace import open_workspace

    path = tmp_path / "long.qms"
    ids = seed_register(path)
    ws = open_workspace(path)
    try:
        for i in range(30):
            risks.add_risk(ws, {"title": f"Parts from different heat-treatment batches mixed {i}",
                                "method": "5x5", "inherent_likelihood": 3,
                                "inherent_impact": 4, "residual_likelihood": 2,
                                "residual_impact": 4})
    finally:
        ws.close()
    return path, ids


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
                                                            long_register, size):
    path, ids = long_register
    page = _risks_page(window, open_ws, qtbot, path, size)
    page.select_ids([ids["risks"]["Wrong material grade"]])
    qtbot.waitUntil(lambda: page.detail.built)
    assert page.table.verticalScrollBar().isVisible()  # as many rows as the demo
    qtbot.waitUntil(lambda: max(_right_edges(page).values())
                    <= page.table.viewport().width())
    viewport = page.table.viewport().width()
    header = page.table.horizontalHeader()
    fm = page.table.fontMetrics()
    # the review date, last of what a user reads first, ends inside the register
    assert _right_edges(page)["review_date"] <= viewport
    # the ID is as narrow as its content (the refs and the overdue mark)
    assert header.sectionSize(page.model.column_of["ref"]) <= fm.horizontalAdvance("R-000") + 40
    # the levels are compact: a shape and a short word, not the width of a long header
    for key in ("inherent_level", "residual_level"):
        assert header.sectionSize(page.model.column_of[key]) <= fm.horizontalAdvance(
            "Worthwhile") + 40, key
    # the title takes the rest: at least 200 px at 1280 px
    assert header.sectionSize(page.model.column_of["title"]) >= 200
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


def _scroll_of(widget):
    from PySide6.QtWidgets import QScrollArea

    while widget is not None and not isinstance(widget, QScrollArea):
        widget = widget.parentWidget()
    return widget


def test_ratings_tab_fits_the_panel_at_1280(window, open_ws, qtbot, long_register):
    from PySide6.QtCore import QPoint

    path, ids = long_register
    page = _risks_page(window, open_ws, qtbot, path, (1280, 720))
    detail = page.detail
    for name in ("Wrong material grade", "Late supplier delivery"):  # both; 5×5 only
        page.select_ids([ids["risks"][name]])
        qtbot.waitUntil(lambda: detail.row is not None
                        and detail.row.id == ids["risks"][name])
        detail.tabs.setCurrentIndex(1)
        scroll = _scroll_of(detail.box_5x5)
        qtbot.waitUntil(lambda: scroll.viewport().width() > 0)
        assert not scroll.horizontalScrollBar().isVisible(), name
        right = scroll.viewport().width()
        for key in ("inherent_likelihood", "residual_impact", "severity", "detection"):
            combo = detail.editors[key]
            edge = combo.mapTo(scroll.viewport(), QPoint(combo.width(), 0)).x()
            assert edge <= right, (name, key)
        for stage in ("inherent", "residual"):
            badge = detail.level_labels[stage]
            assert badge.mapTo(scroll.viewport(), QPoint(badge.width(), 0)).x() <= right


def test_fmea_block_is_greyed_and_tight_on_a_5x5_only_risk(window, open_ws, qtbot,
                                                           seeded_path):
    path, ids = seeded_path
    page = _risks_page(window, open_ws, qtbot, path, (1280, 720))
    detail = page.detail
    page.select_ids([ids["risks"]["Late supplier delivery"]])  # 5×5 only
    qtbot.waitUntil(lambda: detail.row is not None and detail.row.method == "5x5")
    detail.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: detail.box_fmea.isVisible())
    assert not detail.box_fmea.isEnabled()
    assert not detail.editors["severity"].isEnabled()
    assert detail.box_5x5.isEnabled()
    # no empty help lines between Severity, Occurrence and Detection
    sev, occ = detail.editors["severity"], detail.editors["occurrence"]
    assert occ.y() - (sev.y() + sev.height()) < sev.height() // 2
    page.select_ids([ids["risks"]["Wrong material grade"]])  # 5×5 and FMEA
    qtbot.waitUntil(lambda: detail.row is not None and detail.row.method == "both")
    assert detail.box_fmea.isEnabled() and detail.editors["severity"].isEnabled()
    page.select_ids([ids["risks"]["Tool wear drifts diameter"]])  # FMEA only
    qtbot.waitUntil(lambda: detail.row is not None and detail.row.method == "fmea")
    assert detail.box_fmea.isEnabled() and not detail.box_5x5.isEnabled()


def test_action_text_is_readable_in_the_narrow_panel(window, open_ws, qtbot, seeded_path):
    from PySide6.QtCore import QRect, Qt

    path, ids = seeded_path
    page = _risks_page(window, open_ws, qtbot, path, (1280, 720))
    page.select_ids([ids["risks"]["Late supplier delivery"]])
    qtbot.waitUntil(lambda: page.detail.row is not None)
    detail = page.detail
    detail.tabs.setCurrentIndex(detail.actions_tab_index)
    view, model = detail.actions_view, detail.actions_model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and view.isVisible())
    header = view.horizontalHeader()
    title = model.column_of["title"]
    assert header.sectionViewportPosition(title) < view.viewport().width()  # it starts on screen
    fm = view.fontMetrics()
    for r in range(model.rowCount()):
        text = model.index(r, title).data()
        need = fm.boundingRect(QRect(0, 0, header.sectionSize(title) - 8, 10_000),
                               int(Qt.TextFlag.TextWordWrap), text)
        assert need.width() <= header.sectionSize(title) - 8, text  # no word cut
        assert need.height() <= view.rowHeight(r), text  # every line shows
