"""The Risks page: model (qtmodeltester), inline edits with undo/redo, filters, sorting, bulk
edit, add/delete, detail panel and actions, re-rating, banding editor, heat-map click filter,
column layout, read-only workspaces and dark mode."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from risks_helpers import TODAY, seed_register

from qms_desktop.services import actions


@pytest.fixture
def seeded(tmp_path):
    path = tmp_path / "register.qms"
    ids = seed_register(path)
    return path, ids


@pytest.fixture
def make_page(window, open_ws, qtbot):
    """A RisksPage on the main window's controller, shown."""
    from qms_desktop.ui.pages import page_specs
    from qms_desktop.ui.risks import RisksPage

    spec = next(s for s in page_specs() if s.key == "risks")
    made = []

    def make(path, *, read_only: bool = False):
        if window.controller.workspace is None or window.controller.path != path:
            open_ws(window, path, read_only=read_only)
        page = RisksPage(window.controller, spec)
        qtbot.addWidget(page)
        page.resize(1300, 800)
        page.show()
        qtbot.waitExposed(page)
        made.append(page)
        return page

    yield make
    for p in made:
        p.close()


@pytest.fixture
def page(make_page, seeded):
    return make_page(seeded[0])


def ws_of(page):
    return page.controller.workspace


def stack_of(page):
    return page.controller.undo_stack


def proxy_index(page, rid, key):
    pos = page.model.row_of(rid)
    return page.proxy.mapFromSource(page.model.index(pos, page.model.column_of[key]))


def risk_db(page, rid):
    from qms_desktop.services import risks

    return risks.get_risk(ws_of(page), rid)


def audit_count(page):
    from sqlalchemy import func, select

    from qms_desktop.storage.audit import AUDIT_TABLE

    with ws_of(page).connect() as c:
        return c.execute(select(func.count()).select_from(AUDIT_TABLE)).scalar_one()


# ----------------------------------------------------------------------------- the model


def test_models_pass_qtmodeltester(page, qtmodeltester):
    assert page.model.rowCount() == 12
    qtmodeltester.check(page.model)
    page.proxy.set_filters(text="machining")
    qtmodeltester.check(page.proxy)
    page.select_ids([page.proxy.risk_at(0).id])
    page._update_detail()
    qtmodeltester.check(page.detail.actions_model)


def test_cells_show_levels_with_text_icon_and_colour(page, seeded):
    rid = seeded[1]["risks"]["Burrs in cross holes"]
    index = proxy_index(page, rid, "inherent_level")
    assert index.data() == "Critical"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None  # shape icon
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    # overdue review: icon + tooltip on the ID and the review date, and accessible text
    ref = proxy_index(page, rid, "ref")
    assert ref.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "review is overdue" in ref.data(Qt.ItemDataRole.ToolTipRole)
    assert "overdue" in proxy_index(page, rid, "review_date").data(
        Qt.ItemDataRole.AccessibleTextRole)
    # FMEA columns of a 5×5-only risk are greyed with an explanation
    rpn = proxy_index(page, rid, "rpn")
    assert "Not used" in rpn.data(Qt.ItemDataRole.ToolTipRole)
    # actions column: counts with overdue in words
    late = seeded[1]["risks"]["Late supplier delivery"]
    assert proxy_index(page, late, "actions").data() == "2 open · 1 overdue"
    # rating tooltips carry the scale's help text
    tool = seeded[1]["risks"]["Tool wear drifts diameter"]
    assert "primary function" in proxy_index(page, tool, "severity").data(
        Qt.ItemDataRole.ToolTipRole)


# ----------------------------------------------------------------------------- editing + undo


def test_inline_edit_commits_with_audit_and_undoes(page, seeded):
    rid = seeded[1]["risks"]["Late supplier delivery"]
    before = audit_count(page)
    index = proxy_index(page, rid, "title")
    assert page.proxy.setData(index, "Late delivery of bar stock")
    assert risk_db(page, rid).title == "Late delivery of bar stock"
    assert index.data() == "Late delivery of bar stock"  # row re-read in place
    assert audit_count(page) == before + 1
    stack = stack_of(page)
    assert stack.undoText() == "Change risk title"
    stack.undo()
    assert risk_db(page, rid).title == "Late supplier delivery"
    assert proxy_index(page, rid, "title").data() == "Late supplier delivery"
    stack.redo()
    assert proxy_index(page, rid, "title").data() == "Late delivery of bar stock"


def test_rating_edit_recomputes_score_and_level(page, seeded):
    rid = seeded[1]["risks"]["Operator misreads drawing"]
    assert proxy_index(page, rid, "inherent_level").data() == "Low"
    assert page.proxy.setData(proxy_index(page, rid, "inherent_likelihood"), 5)
    assert proxy_index(page, rid, "inherent_score").data() == "10"
    assert proxy_index(page, rid, "inherent_level").data() == "High"
    stack_of(page).undo()
    assert proxy_index(page, rid, "inherent_level").data() == "Low"


def test_invalid_value_is_refused_without_an_undo_step(page, seeded, dialogs):
    rid = seeded[1]["risks"]["Operator misreads drawing"]
    errors = []
    page.controller.errorOccurred.connect(errors.append)
    assert not page.proxy.setData(proxy_index(page, rid, "inherent_likelihood"), 7)
    assert errors and "1 to 5" in str(errors[0])
    assert stack_of(page).count() == 0
    assert risk_db(page, rid).inherent_likelihood == 2


def test_delegates_offer_labelled_ratings_and_pickers(page, seeded, qtbot):
    from qms_desktop.ui.risks.delegates import DateEditor, ValueCombo

    rid = seeded[1]["risks"]["Tool wear drifts diameter"]
    view = page.table
    delegate = view.itemDelegate()
    index = proxy_index(page, rid, "severity")
    editor = delegate.createEditor(view.viewport(), _option(view), index)
    assert isinstance(editor, ValueCombo)
    assert editor.count() == 11  # "—" and 1..10
    assert editor.itemText(10).startswith("10 – Endangers the safety")
    assert "primary function" in editor.itemData(7, Qt.ItemDataRole.ToolTipRole)
    delegate.setEditorData(editor, index)
    assert editor.value() == 7
    editor.set_value(9)
    delegate.setModelData(editor, page.proxy, index)
    assert risk_db(page, rid).severity == 9
    assert proxy_index(page, rid, "rpn").data() == str(9 * 6 * 5)
    editor.deleteLater()

    owner = delegate.createEditor(view.viewport(), _option(view),
                                  proxy_index(page, rid, "owner_id"))
    names = [owner.itemText(i) for i in range(owner.count())]
    assert names == ["—", "Ada Lovelace", "Ben Carter", "Chen Keller"]
    owner.deleteLater()
    step = delegate.createEditor(view.viewport(), _option(view),
                                 proxy_index(page, rid, "node_id"))
    assert [step.itemText(i) for i in range(step.count())] == ["—", "Turn parts"]
    step.set_value(seeded[1]["steps"]["Turn parts"])
    delegate.setModelData(step, page.proxy, proxy_index(page, rid, "node_id"))
    assert risk_db(page, rid).step == "Turn parts"
    step.deleteLater()

    date = delegate.createEditor(view.viewport(), _option(view),
                                 proxy_index(page, rid, "review_date"))
    assert isinstance(date, DateEditor)
    date.set_value(None)
    delegate.setModelData(date, page.proxy, proxy_index(page, rid, "review_date"))
    assert risk_db(page, rid).review_date is None
    date.deleteLater()


def _option(view):
    from PySide6.QtWidgets import QStyleOptionViewItem

    opt = QStyleOptionViewItem()
    opt.initFrom(view)
    return opt


def test_typing_in_a_cell_edits_it(page, seeded, qtbot):
    rid = seeded[1]["risks"]["Energy price spike"]
    index = proxy_index(page, rid, "title")
    page.table.setCurrentIndex(index)
    page.table.setFocus()
    page.table.edit(index)
    editor = page.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "Energy price spike"
    editor.selectAll()
    qtbot.keyClicks(editor, "Energy cost spike")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # commits on the event loop
    qtbot.waitUntil(lambda: risk_db(page, rid).title == "Energy cost spike")
    assert proxy_index(page, rid, "title").data() == "Energy cost spike"


def test_process_change_clears_the_old_step_and_undo_restores_it(page, seeded):
    rid = seeded[1]["risks"]["Tool wear drifts diameter"]
    ids = seeded[1]
    page.edit([rid], {"node_id": ids["steps"]["Turn parts"]})
    assert page.proxy.setData(proxy_index(page, rid, "process_id"),
                              ids["processes"]["Purchasing"])
    row = risk_db(page, rid)
    assert (row.process, row.step) == ("Purchasing", "")
    stack_of(page).undo()
    row = risk_db(page, rid)
    assert (row.process, row.step) == ("Machining", "Turn parts")


# ----------------------------------------------------------------------------- filters, sorting


def visible_titles(page):
    return sorted(r.title for r in page.proxy.visible_rows())


def test_filters_text_owner_process_level_overdue(page, seeded, qtbot):
    ids = seeded[1]
    page.search.setText("cross holes")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1)
    assert visible_titles(page) == ["Burrs in cross holes"]
    page.search.setText("cam SERVER data")  # every word, any order, any case
    qtbot.waitUntil(lambda: visible_titles(page) == ["Data loss on CAM server"])
    page.clear_filters()
    assert page.proxy.rowCount() == 12

    page.owner_filter.set_value(ids["people"]["Ben Carter"])
    assert visible_titles(page) == ["Gauge out of calibration", "New export market",
                                    "Wrong material grade"]
    page.process_filter.set_value(ids["processes"]["Machining"])
    assert visible_titles(page) == ["Gauge out of calibration"]
    page.owner_filter.set_value(page.proxy.NONE)  # no owner
    assert visible_titles(page) == ["Spindle failure"]
    page.clear_filters()

    page.level_filter.set_value("critical")
    assert visible_titles(page) == ["Burrs in cross holes"]  # residual 4×5 is critical
    page.level_filter.set_value("high+")
    assert "Burrs in cross holes" in visible_titles(page)
    assert "Operator misreads drawing" not in visible_titles(page)
    page.level_filter.set_value("ap:H")
    assert visible_titles(page) == ["Gauge out of calibration", "Tool wear drifts diameter"]
    page.clear_filters()

    page.overdue_filter.setChecked(True)
    assert visible_titles(page) == ["Burrs in cross holes", "Late supplier delivery"]
    assert "2 shown" in page.count_label.text()
    page.search.setText("burrs")
    qtbot.waitUntil(lambda: visible_titles(page) == ["Burrs in cross holes"])
    page.clear_filters()
    assert page.proxy.rowCount() == 12 and not page.clear_filters_button.isEnabled()


def test_kind_open_and_not_rated_filters_list_what_the_dashboard_counts(page, seeded):
    """The register can list exactly what the dashboard counts (services.risks.level_counts):
    open risks, opportunities apart, by current level, "not rated" included."""
    from qms_desktop.services.risks import level_counts

    rows = list(page.model.rows)
    n = level_counts(rows)
    shown = lambda: [page.proxy.risk_at(i) for i in range(page.proxy.rowCount())]  # noqa: E731
    for level in ("critical", "high", "medium", "low", "none"):
        page.set_filters(kind="risk", open_only=True, level=level)
        assert page.kind_filter.value() == "risk" and page.open_filter.isChecked()
        assert page.proxy.rowCount() == n.risks["" if level == "none" else level], level
    page.set_filters(kind="opportunity", open_only=True)
    assert page.proxy.rowCount() == n.open_opportunities
    assert all(r.kind == "opportunity" and r.status != "closed" for r in shown())
    page.open_filter.setChecked(False)
    assert page.proxy.rowCount() == sum(1 for r in rows if r.kind == "opportunity")
    page.level_filter.set_value("none")
    assert all(not r.level for r in shown())
    page.set_filters(level="high+")  # the filters not named are cleared
    assert page.kind_filter.value() is None and not page.open_filter.isChecked()
    page.clear_filters()
    assert page.proxy.rowCount() == len(rows)


def test_sorting_keeps_selection_and_puts_empty_last(page, seeded):
    ids = seeded[1]["risks"]
    page.select_ids([ids["Spindle failure"]])
    col = page.model.column_of["residual_level"]
    page.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    levels = [page.proxy.index(i, col).data() for i in range(page.proxy.rowCount())]
    assert levels[0] == "Critical"
    assert levels[-1] == ""  # unrated last, whatever the order
    page.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    levels = [page.proxy.index(i, col).data() for i in range(page.proxy.rowCount())]
    assert levels[0] == "Low" and levels[-1] == ""
    assert page.selected_ids() == [ids["Spindle failure"]]
    ref = page.model.column_of["ref"]
    page.table.sortByColumn(ref, Qt.SortOrder.DescendingOrder)
    refs = [page.proxy.index(i, ref).data() for i in range(page.proxy.rowCount())]
    assert refs[:3] == ["R-012", "R-011", "R-010"]  # natural order, not text order


# ----------------------------------------------------------------------------- bulk edit


def test_bulk_edit_is_one_transaction_and_one_undo_step(page, seeded, monkeypatch, qtbot):
    from qms_desktop.ui.risks.bulk import BulkEditDialog

    ids = seeded[1]
    chosen = [ids["risks"][t] for t in ("Late supplier delivery", "Energy price spike",
                                        "Spindle failure")]
    before = {rid: risk_db(page, rid) for rid in chosen}
    page.select_ids(chosen)
    assert sorted(page.selected_ids()) == sorted(chosen)
    qtbot.waitUntil(lambda: "3 risks selected" in page.detail.empty.text())
    review = TODAY + dt.timedelta(days=400)

    def fake_exec(dialog):
        dialog.set_field("owner_id", ids["people"]["Chen Keller"])
        dialog.set_field("status", "monitoring")
        dialog.set_field("review_date", review)
        dialog.set_field("residual_impact", 2)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(BulkEditDialog, "exec", fake_exec)
    page.acts["bulk"].trigger()
    for rid in chosen:
        row = risk_db(page, rid)
        assert (row.owner, row.status, row.review_date, row.residual_impact) == \
            ("Chen Keller", "monitoring", review, 2)
        assert page.model.risk(rid).owner == "Chen Keller"
    stack = stack_of(page)
    assert stack.count() == 1 and stack.undoText() == "Edit 3 risks"
    stack.undo()
    for rid in chosen:
        row, old = risk_db(page, rid), before[rid]
        assert (row.owner_id, row.status, row.review_date, row.residual_impact) == \
            (old.owner_id, old.status, old.review_date, old.residual_impact)


def test_bulk_edit_rolls_back_when_one_risk_is_gone(page, seeded):
    from qms_desktop.services import records

    ids = seeded[1]["risks"]
    a, b = ids["Energy price spike"], ids["Spindle failure"]
    records.delete(ws_of(page), "risk", b)  # deleted behind the page's back
    errors = []
    page.controller.errorOccurred.connect(errors.append)
    assert not page.edit([a, b], {"status": "closed"})
    assert errors and "no longer exists" in str(errors[0])
    assert risk_db(page, a).status == "open"


# ----------------------------------------------------------------------------- add / delete


def test_add_risk_then_undo_redo_keeps_the_id(page, qtbot):
    page.acts["add"].trigger()
    stack = stack_of(page)
    assert stack.undoText() == "Add risk"
    rid = page.selected_ids()[0]
    row = page.model.risk(rid)
    assert row.title == "New risk" and row.ref == "R-013"
    assert page.table.state() == page.table.State.EditingState  # title editor open
    page.table.closePersistentEditor(page.table.currentIndex())
    stack.undo()
    assert page.model.risk(rid) is None and page.model.rowCount() == 12
    stack.redo()
    assert page.model.risk(rid).ref == "R-013"


def test_add_risk_while_filtered_takes_the_filter_and_shows_the_row(page, seeded):
    ids = seeded[1]
    page.owner_filter.set_value(ids["people"]["Ben Carter"])
    page.search.setText("zzz no match")
    page._apply_text_filter()
    page.acts["add"].trigger()
    rid = page.selected_ids()[0]
    assert page.model.risk(rid).owner == "Ben Carter"
    assert page.proxy.rowCount() == 13  # filters cleared so the new risk is visible


def test_delete_with_actions_and_undo_restores_everything(page, seeded, dialogs):
    from qms_desktop.services import risks

    ids = seeded[1]["risks"]
    late = ids["Late supplier delivery"]
    page.select_ids([late, ids["Energy price spike"]])
    page.acts["delete"].trigger()
    assert dialogs.kinds() == ["question"]
    assert "2 open action(s)" in dialogs.messages("question")[0]
    assert page.model.risk(late) is None and page.model.rowCount() == 10
    assert stack_of(page).undoText() == "Delete 2 risks"
    stack_of(page).undo()
    assert page.model.risk(late) is not None
    assert len(actions.actions_for(ws_of(page), "risk", late)) == 2


def test_delete_cancelled_changes_nothing(page, seeded, dialogs):
    from PySide6.QtWidgets import QMessageBox

    dialogs.question_answer = QMessageBox.StandardButton.No
    page.select_ids([seeded[1]["risks"]["Energy price spike"]])
    page.acts["delete"].trigger()
    assert page.model.rowCount() == 12 and stack_of(page).count() == 0


# ----------------------------------------------------------------------------- detail panel


def test_detail_panel_edits_fields_and_shows_ratings(page, seeded):
    ids = seeded[1]
    rid = ids["risks"]["Wrong material grade"]
    page.select_ids([rid])
    page._update_detail()
    d = page.detail
    assert d.heading.text().endswith("Wrong material grade")
    assert d.editors["owner_id"].value() == ids["people"]["Ben Carter"]
    assert d.fmea_badge.text() == "RPN 96 · AP M (medium)"
    assert "primary function is lost" in d.help_labels["severity"].text()
    d.editors["cause"].setPlainText("Mill certificate not checked")
    d._commit("cause")
    assert risk_db(page, rid).cause == "Mill certificate not checked"
    d.editors["status"].set_value("treating")
    d._commit("status")
    assert risk_db(page, rid).status == "treating"
    assert stack_of(page).count() == 2
    stack_of(page).undo()
    assert d.editors["status"].value() == "open"  # panel follows undo


def test_actions_add_edit_status_and_effectiveness(page, seeded):
    from qms_desktop.services import risks

    rid = seeded[1]["risks"]["Energy price spike"]
    page.select_ids([rid])
    page._update_detail()
    d = page.detail
    d.add_action()
    assert d.actions_view.state() == d.actions_view.State.EditingState
    d.actions_view.closePersistentEditor(d.actions_view.currentIndex())
    m = d.actions_model
    assert m.rowCount() == 1 and m.rows[0].title == "New action"
    assert page.model.risk(rid).open_actions == 1
    status = m.index(0, [c.key for c in m.columns].index("status"))
    assert m.setData(status, "done")
    action = actions.actions_for(ws_of(page), "risk", rid)[0]
    assert action.status == "done" and action.completed_on == TODAY
    assert page.model.risk(rid).open_actions == 0
    effective = m.index(0, [c.key for c in m.columns].index("effective"))
    assert m.setData(effective, True)
    assert actions.actions_for(ws_of(page), "risk", rid)[0].effective is True
    stack_of(page).undo()
    stack_of(page).undo()
    action = actions.actions_for(ws_of(page), "risk", rid)[0]
    assert action.status == "open" and action.completed_on is None
    d.actions_view.setCurrentIndex(m.index(0, 1))
    d.delete_action()
    assert actions.actions_for(ws_of(page), "risk", rid) == []
    stack_of(page).undo()
    assert len(actions.actions_for(ws_of(page), "risk", rid)) == 1


def test_overdue_action_is_highlighted_in_the_detail(page, seeded):
    rid = seeded[1]["risks"]["Late supplier delivery"]
    page.select_ids([rid])
    page._update_detail()
    d = page.detail
    assert "overdue" in d.overdue_badge.text()
    assert "1 overdue" in d.tabs.tabText(d.actions_tab_index)
    m = d.actions_model
    due = [c.key for c in m.columns].index("due_date")
    overdue_rows = [i for i in range(m.rowCount()) if m.rows[i].overdue]
    assert overdue_rows
    assert m.index(overdue_rows[0], due).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Overdue" in m.index(overdue_rows[0], due).data(Qt.ItemDataRole.ToolTipRole)


def test_rerate_keeps_history_and_undo_removes_the_entry(page, seeded):
    from qms_desktop.services import risks

    rid = seeded[1]["risks"]["Burrs in cross holes"]
    ws = ws_of(page)
    assert risks.rating_history(ws, rid) == []
    page.detail.rerate_risk(rid, stage="residual", ratings={"likelihood": 2, "impact": 3},
                            note="after deburring station")
    risks.rerate(ws, rid, stage="residual", likelihood=2, impact=2, note="second")  # outside
    page.refresh()
    history = risks.rating_history(ws, rid)
    assert [h.note for h in history] == ["after deburring station", "second"]
    assert page.model.risk(rid).residual_level == "low"
    stack = stack_of(page)
    assert stack.undoText() == "Re-rate risk"
    stack.undo()
    assert [h.note for h in risks.rating_history(ws, rid)] == ["second"]
    row = risk_db(page, rid)
    assert (row.residual_likelihood, row.residual_impact) == (4, 5)


# ----------------------------------------------------------------------------- banding


def test_banding_dialog_cycles_cells_and_warns_on_non_monotonic(qtbot):
    from qms_desktop.core.risk import Banding
    from qms_desktop.ui.risks.banding import BandingDialog

    dialog = BandingDialog(Banding.default())
    qtbot.addWidget(dialog)
    assert "at least as serious" in dialog.warning.text()
    cell = dialog.cells[(3, 3)]
    assert cell.text().startswith("Medium")
    qtbot.mouseClick(cell, Qt.MouseButton.LeftButton)
    assert dialog.banding.level(3, 3) == "high" and dialog.changed
    dialog.cycle(3, 3, -1)
    dialog.cycle(3, 3, -1)
    assert dialog.banding.level(3, 3) == "low"
    assert (3, 3) in dialog.banding.non_monotonic_cells()
    assert "L3×I3" in dialog.warning.text() and dialog.cells[(3, 3)].text().startswith("⚠")
    dialog.reset()
    assert dialog.banding == Banding.default() and not dialog.changed


def test_banding_edit_relevels_the_register_and_undoes(page, seeded, monkeypatch):
    from qms_desktop.services import risks
    from qms_desktop.ui.risks.banding import BandingDialog

    rid = seeded[1]["risks"]["Operator misreads drawing"]  # inherent 2×2 = low
    assert page.model.risk(rid).inherent_level == "low"

    def fake_exec(dialog):
        assert dialog.counts["inherent"][1][1] == 1  # counts shown per cell
        dialog.cycle(2, 2, 2)  # low → high
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(BandingDialog, "exec", fake_exec)
    page.acts["banding"].trigger()
    assert risks.get_banding(ws_of(page)).level(2, 2) == "high"
    assert page.model.risk(rid).inherent_level == "high"
    assert stack_of(page).undoText() == "Change risk banding"
    stack_of(page).undo()
    assert risks.get_banding(ws_of(page)).level(2, 2) == "low"
    assert page.model.risk(rid).inherent_level == "low"


# ----------------------------------------------------------------------------- heat maps


def test_heatmap_click_filters_the_register(page, seeded, qtbot):
    charts = page.show_charts()
    qtbot.waitUntil(lambda: charts.isVisible())
    charts.redraw()
    charts.heat_canvas.draw()
    assert charts.counts("inherent")[2][4] == 2  # L3 × I5: two risks
    ax = next(a for a in charts.heat_figure.axes if a.get_gid() == "inherent")
    x, y = ax.transData.transform((5, 3))  # impact 5, likelihood 3 (display pixels)
    ratio = charts.heat_canvas.devicePixelRatioF()
    pos = QPoint(int(x / ratio), int(charts.heat_canvas.height() - y / ratio))
    qtbot.mouseClick(charts.heat_canvas, Qt.MouseButton.LeftButton, pos=pos)
    assert page.proxy.cell == ("inherent", 3, 5)
    assert visible_titles(page) == ["Key customer leaves", "Wrong material grade"]
    assert page.tabs.currentIndex() == 0 and page.cell_chip.isVisible()
    assert "Inherent L3 × I5" in page.cell_chip.text()
    # the heat maps count what the other filters let through
    page.owner_filter.set_value(seeded[1]["people"]["Ada Lovelace"])
    assert charts.counts("inherent")[2][4] == 1
    charts.click_cell("inherent", 3, 5)  # clicking the selected cell again clears it
    assert page.proxy.cell is None and not page.cell_chip.isVisible()


def test_chart_export_png_and_svg(page, tmp_path, dialogs):
    charts = page.show_charts()
    png, svg = tmp_path / "heat.png", tmp_path / "pareto.svg"
    dialogs.save_files = [str(png), str(svg)]
    charts.export_heatmap_button.click()
    charts.export_pareto_button.click()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]


# ----------------------------------------------------------------------------- columns


def test_columns_chosen_ordered_and_persisted(make_page, seeded):
    page = make_page(seeded[0])
    header = page.table.horizontalHeader()
    cause = page.model.column_of["cause"]
    assert header.isSectionHidden(cause)
    page.set_column_visible(cause, True)
    header.moveSection(header.visualIndex(cause), 1)
    page.set_column_visible(page.model.column_of["process_id"], False)
    page.save_columns()
    layout = page.column_layout()
    assert layout[1][0] == "cause" and "process_id" not in [k for k, _w in layout]

    again = make_page(seeded[0])
    assert again.column_layout() == layout
    again.reset_columns()
    assert [k for k, _w in again.column_layout()][:4] == ["ref", "title", "inherent_level",
                                                          "residual_level"]


# ----------------------------------------------------------------------------- modes


def test_read_only_workspace_cannot_be_edited(make_page, seeded):
    page = make_page(seeded[0], read_only=True)
    rid = seeded[1]["risks"]["Spindle failure"]
    index = proxy_index(page, rid, "title")
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    assert not page.proxy.setData(index, "x")
    assert not page.acts["add"].isEnabled() and page.acts["export"].isEnabled()


def test_dark_palette_changes_colours_not_text(page, seeded, qapp):
    from PySide6.QtGui import QColor, QPalette

    rid = seeded[1]["risks"]["Burrs in cross holes"]
    index = proxy_index(page, rid, "inherent_level")
    light = index.data(Qt.ItemDataRole.BackgroundRole).color().name()
    old = qapp.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    try:
        qapp.setPalette(dark)
        page.model.refresh_palette()
        assert page.model.palette.dark
        bg = index.data(Qt.ItemDataRole.BackgroundRole).color()
        fg = index.data(Qt.ItemDataRole.ForegroundRole).color()
        assert bg.name() != light and bg.lightness() < fg.lightness()
        assert index.data() == "Critical"
    finally:
        qapp.setPalette(old)
        page.model.refresh_palette()


def test_changes_from_elsewhere_refresh_the_page(page, seeded):
    from qms_desktop.services import records
    from qms_desktop.services.records import Change

    pid = seeded[1]["people"]["Ada Lovelace"]
    records.update_field(ws_of(page), "person", pid, "name", "Ada King")
    page.controller.notify(Change(frozenset({"person"})))
    rid = seeded[1]["risks"]["Late supplier delivery"]
    assert page.model.risk(rid).owner == "Ada King"
    assert "Ada King" in [page.owner_filter.itemText(i)
                          for i in range(page.owner_filter.count())]


def test_export_register_in_background(page, tmp_path, qtbot, dialogs):
    out = tmp_path / "export.xlsx"
    dialogs.save_files = [str(out)]
    done = []
    page.export_register()
    qtbot.waitUntil(lambda: out.exists(), timeout=20_000)
    task = page.export_to(tmp_path / "again.xlsx", on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    assert done[0].name == "again.xlsx" and not task.running


def test_default_layout_gives_the_register_the_width_and_fits_values(make_page, seeded):
    from qms_desktop.ui.risks import style as risk_style

    page = make_page(seeded[0])
    page.reset_columns()
    assert page.heading.text() == "Risks"
    register, detail = page.splitter.sizes()
    assert register > 2 * detail  # the register gets ~70 % at first
    header = page.table.horizontalHeader()
    fm = page.table.fontMetrics()
    hfm = header.fontMetrics()
    for key, sample in (("review_date", page.model.format_date(__import__("datetime").date(
            2026, 11, 25))), ("ap", risk_style.ap_label("M")),
            ("actions", "1 open · 1 overdue"), ("inherent_level", "Critical")):
        col = page.model.column_of[key]
        width = header.sectionSize(col)
        assert width > fm.horizontalAdvance(sample) + 16, key  # text and icon fit
        assert width > hfm.horizontalAdvance(page.model.columns[col].title), key
    # the levels come right after what the risk is, so they are on screen without scrolling
    keys = [k for k, _w in page.column_layout()]
    assert keys.index("residual_level") < keys.index("owner_id")


def test_a_risk_carries_files_and_deleting_it_takes_them_with_undo(page, seeded, qtbot,
                                                                    dialogs):
    from qms_desktop.services import attachments
    from qms_desktop.services.verify import verify

    rid = seeded[1]["risks"]["Burrs in cross holes"]
    page.select_ids([rid])
    detail = page.detail
    qtbot.waitUntil(lambda: detail.built and detail.row is not None and detail.row.id == rid)
    assert detail.tabs.tabText(detail.attachments_tab_index) == "Files"
    assert (detail.attachments.entity, detail.attachments.record_id) == ("risk", rid)
    ws = ws_of(page)
    assert page.controller.edit("Attach", lambda w: attachments.add(
        w, "risk", rid, b"%PDF-1.4 scan of the deburring check", name="check.pdf"))
    assert detail.tabs.tabText(detail.attachments_tab_index) == "Files (1)"
    assert [a.file_name for a in attachments.list_for(ws, "risk", rid)] == ["check.pdf"]
    page.select_ids([rid])
    page.delete_selected()
    assert "Its attached file goes too." in dialogs.calls[-1][2]
    assert attachments.list_for(ws, "risk", rid) == []
    page.controller.undo()
    assert [a.file_name for a in attachments.list_for(ws, "risk", rid)] == ["check.pdf"]
    page.select_ids([rid])
    qtbot.waitUntil(lambda: detail.row is not None and detail.row.id == rid)
    assert detail.tabs.tabText(detail.attachments_tab_index) == "Files (1)"
    assert verify(ws).ok


def test_a_title_written_over_lines_heads_the_detail_on_one_line(page, seeded, qtbot):
    from qms_desktop.services import records

    rid = seeded[1]["risks"]["Burrs in cross holes"]
    records.update_field(ws_of(page), "risk", rid, "title", "Burrs left\nin cross holes")
    page.refresh()
    page.select_ids([rid])
    qtbot.waitUntil(lambda: page.detail.built and page.detail.row is not None
                    and page.detail.row.id == rid)
    assert page.detail.heading.text().endswith("— Burrs left in cross holes")


def test_charts_tab_paints_first_and_builds_the_charts_after(page, qtbot):
    """The first switch to the charts tab does not wait for matplotlib: the tab shows its
    placeholder, and the charts are built once that has been painted."""
    assert page._charts_warm_up is None  # nothing competes with the register at first
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(page.tabs.tabBar(), QEvent(QEvent.Type.Enter))  # pointer on tabs
    assert page._charts_warm_up is not None
    page._charts_warm_up.join()
    page.tabs.setCurrentWidget(page.charts_holder)
    assert page.charts is None  # not built inside the switch
    assert page.charts_placeholder.isVisibleTo(page.charts_holder)
    qtbot.waitUntil(lambda: page.charts is not None)
    assert page.charts.isVisible() and not page.charts_placeholder.isVisible()
    assert sum(map(sum, page.charts.counts("inherent"))) > 0


def test_a_click_on_an_opportunity_map_filters_the_same_cell():
    from qms_desktop.ui.risks.heatmap import cell_at

    assert cell_at("opportunity:residual", 4.2, 2.9) == ("residual", 3, 4)
    assert cell_at("opportunity:sideways", 3, 3) is None


def test_fmea_only_risks_have_no_5x5_level_and_show_their_rating_as_rpn_and_ap(page, seeded):
    """An FMEA-only risk's rating is its RPN and Action Priority: the Inherent and Residual
    (5×5) cells stay empty and greyed, never "AP L", and say where the rating is; the RPN and
    AP columns show it."""
    from PySide6.QtCore import Qt

    rid = seeded[1]["risks"]["Tool wear drifts diameter"]  # FMEA only: S7 O6 D5
    row = page.model.risk(rid)
    assert row.method == "fmea" and row.ap and not row.inherent_level
    r = page.model.row_of(rid)
    for key in ("inherent_level", "residual_level"):
        index = page.model.index(r, page.model.column_of[key])
        assert index.data() == "", key
        assert "AP" not in index.data(), key
        assert index.data(Qt.ItemDataRole.DecorationRole) is None, key  # no level shape
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        assert f"RPN {row.rpn}" in tip and "FMEA only" in tip, key
    assert page.model.index(r, page.model.column_of["rpn"]).data() == str(row.rpn)
    assert page.model.index(r, page.model.column_of["ap"]).data()
    # sorted by inherent level, it goes with the risks that have none
    column = page.model.columns[page.model.column_of["inherent_level"]]
    assert column.sort(row) is None
    # a 5×5 risk keeps its level words
    other = seeded[1]["risks"]["Late supplier delivery"]
    index = page.model.index(page.model.row_of(other), page.model.column_of["inherent_level"])
    assert index.data() == "High"


class _FakeWarmUp:
    """A warm-up thread the test finishes when it chooses."""

    def __init__(self):
        self.done = False

    def is_alive(self):
        return not self.done

    def join(self, timeout=None):
        pass


@pytest.mark.parametrize("how", ["code", "keyboard"])
def test_charts_opened_without_the_warm_up_wait_for_it_off_the_gui_thread(
        page, qtbot, monkeypatch, how):
    """Opened by Ctrl+Tab or by code (no pointer over the tabs), the charts tab starts the
    warm-up and keeps its placeholder until the warm-up has finished: matplotlib is not
    imported on the GUI thread."""
    from PySide6.QtCore import Qt

    from qms_desktop.ui.risks import heatmap

    fake = _FakeWarmUp()
    started = []
    monkeypatch.setattr(heatmap, "start_warm_up", lambda: started.append(fake) or fake)
    assert page._charts_warm_up is None
    if how == "keyboard":
        page.table.setFocus()
        qtbot.keyClick(page.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    else:
        page.tabs.setCurrentWidget(page.charts_holder)
    assert page.tabs.currentWidget() is page.charts_holder
    qtbot.waitUntil(lambda: bool(started))
    # the placeholder is painted and polled past; still no charts while the warm-up runs
    polls = page._charts_polls
    qtbot.waitUntil(lambda: page._charts_polls > polls + 2)
    assert page.charts is None and page.charts_placeholder.isVisible()
    fake.done = True
    qtbot.waitUntil(lambda: page.charts is not None)
    assert page.charts.isVisible() and not page.charts_placeholder.isVisible()
    assert len(started) == 1


def test_keyboard_focus_on_the_tabs_starts_the_warm_up(page, monkeypatch):
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    from qms_desktop.ui.risks import heatmap

    fake = _FakeWarmUp()
    monkeypatch.setattr(heatmap, "start_warm_up", lambda: fake)
    assert page._charts_warm_up is None
    QApplication.sendEvent(page.tabs.tabBar(), QFocusEvent(QEvent.Type.FocusIn,
                                                           Qt.FocusReason.TabFocusReason))
    assert page._charts_warm_up is fake
