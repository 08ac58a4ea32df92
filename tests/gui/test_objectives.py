"""The Objectives & KPIs page (ui/objectives): the table-kit models, filters (the dashboard's
openList status "off" included), the status and run chart following a new measurement and its
undo, keys, record jumps and the paste-from-Excel preview."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from qms_desktop.services import objectives as O
from qms_desktop.services import records as R

pytestmark = pytest.mark.usefixtures("shown")

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)


def populate(ws) -> dict:
    """Ann and Bob; OTD near target (Ann), rejects off target (Bob), scrap on target, a late
    supplier KPI off target, and one not measured."""
    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    bob = R.create(ws, "person", {"name": "Bob Stone"}).result

    def obj(title, points, **values):
        oid = O.add_objective(ws, {"title": title, **values}).result
        for days_ago, value in points:
            O.add_measurement(ws, oid, {"measured_on": TODAY - days_ago * DAY, "value": value})
        return oid

    ids = {
        "otd": obj("On-time delivery", [(70, 91), (40, 92.5), (10, 94)], kind="kpi",
                   target=95, unit="%", tolerance=1.5, owner_id=ann),
        "rejects": obj("Customer rejects", [(40, 900), (10, 1200)], kind="kpi", target=800,
                       unit="ppm", direction="<=", tolerance=100, owner_id=bob),
        "scrap": obj("Scrap rate", [(10, 1.2)], target=1.5, unit="%", direction="<=",
                     due_date=TODAY + 90 * DAY),
        "supplier": obj("Supplier OTD", [(120, 80)], kind="kpi", target=92, unit="%"),
        "new": obj("Energy per part", [], unit="kWh"),
    }
    return dict(ann=ann, bob=bob, ids=ids)


@pytest.fixture
def world(ws):
    return populate(ws)


@pytest.fixture
def page(qtbot, controller, world):
    from qms_desktop.ui.objectives import ObjectivesPage
    from qms_desktop.ui.pages import page_specs

    spec = next(s for s in page_specs() if s.key == "objectives")
    p = ObjectivesPage(controller, spec)
    qtbot.addWidget(p)
    p.resize(1280, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


def shown_ids(page) -> list[int]:
    return [r.id for r in page.proxy.visible_rows()]


def select(page, qtbot, oid: int) -> None:
    page.select_ids([oid])
    qtbot.waitUntil(lambda: page.chart.drawn_key is not None and not page.chart.pending)


def chart_values(page) -> list[float]:
    line = page.chart.figure.axes[0].get_lines()[0]
    return [float(v) for v in line.get_ydata()]


# --------------------------------------------------------------------------- the list


def test_models_pass_the_model_tester(page, world, qtbot, qtmodeltester):
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    select(page, qtbot, world["ids"]["otd"])
    assert page.measurement_model.rowCount() == 3
    qtmodeltester.check(page.measurement_model)


def test_status_is_said_with_symbol_words_and_colour(page, world):
    m = page.model
    col = m.column_of["kpi"]

    def text(key, role=Qt.ItemDataRole.DisplayRole):
        return m.index(m.row_of(world["ids"][key]), col).data(role)

    assert text("otd") == "≈ near target"
    assert text("rejects") == "✗ off target"
    assert text("scrap") == "✓ on target"
    assert text("supplier") == "✗ off target · late"
    assert text("supplier", Qt.ItemDataRole.DecorationRole) is not None  # the late icon
    assert text("new") == "○ not measured"
    assert text("otd", Qt.ItemDataRole.BackgroundRole) is not None
    assert "≥ 95 %" in text("otd", Qt.ItemDataRole.ToolTipRole)
    target = m.index(m.row_of(world["ids"]["rejects"]), m.column_of["target"])
    assert target.data() == "≤ 800 ppm"


def test_filters(page, world):
    ids = world["ids"]
    page.set_filters(status="off")
    assert shown_ids(page) == [ids["rejects"], ids["supplier"]]
    page.set_filters(status="late")
    assert shown_ids(page) == [ids["supplier"]]
    page.set_filters(status="none")
    assert shown_ids(page) == [ids["new"]]
    page.clear_filters()
    page.set_filters(kind="kpi")
    assert shown_ids(page) == [ids["otd"], ids["rejects"], ids["supplier"]]
    page.clear_filters()
    page.filters.widgets["owner"].set_value(world["bob"])
    assert shown_ids(page) == [ids["rejects"]]
    page.clear_filters()
    page.search.setText("scrap")
    assert shown_ids(page) == [ids["scrap"]]


def test_open_list_status_off_from_the_dashboard(make_window, make_ws, open_ws):
    from qms_desktop.storage.workspace import open_workspace

    path = make_ws("kpis.qms")
    ws = open_workspace(path)
    world = populate(ws)
    ws.close()
    window = make_window()
    open_ws(window, path)
    window.open_list("objectives", {"status": "off"})
    page = window.page("objectives")
    assert window.current_page_key() == "objectives"
    assert page.status_filter.value() == "off"
    assert shown_ids(page) == [world["ids"]["rejects"], world["ids"]["supplier"]]
    window.open_record("measurement", O.measurements(window.controller.workspace,
                                                     world["ids"]["otd"])[0].id)
    assert page.current_row().id == world["ids"]["otd"]  # the filter made way for it
    assert page.status_filter.value() is None


# --------------------------------------------------------------------------- measurements


def test_adding_a_measurement_updates_status_and_chart_and_undo_restores(page, world, qtbot,
                                                                        controller):
    oid = world["ids"]["otd"]
    select(page, qtbot, oid)
    assert chart_values(page) == [91, 92.5, 94]
    draws = page.chart.draws
    mid = page.add_measurement(value=96)
    assert mid is not None
    if page.measurements.state() == page.measurements.State.EditingState:
        page.measurements.closePersistentEditor(page.measurements.currentIndex())
    assert page.model.get(oid).kpi.status == "on"
    assert page.model.get(oid).measurement_count == 4
    assert "on target" in page.detail.status_label.text()
    qtbot.waitUntil(lambda: page.chart.draws > draws and not page.chart.pending)
    assert chart_values(page) == [91, 92.5, 94, 96]
    assert page.measurement_model.rowCount() == 4

    controller.undo_stack.undo()
    assert page.model.get(oid).kpi.status == "near"
    assert page.measurement_model.rowCount() == 3
    qtbot.waitUntil(lambda: chart_values(page) == [91, 92.5, 94])
    # redrawn only when the shown series changes: selecting another objective and back
    draws = page.chart.draws
    select(page, qtbot, world["ids"]["rejects"])
    select(page, qtbot, oid)
    assert page.chart.draws == draws + 2


def test_inline_value_edit_reads_a_decimal_comma(page, world, qtbot):
    oid = world["ids"]["otd"]
    select(page, qtbot, oid)
    mm = page.measurement_model
    index = mm.index(mm.rowCount() - 1, mm.column_of["value"])
    assert index.data(Qt.ItemDataRole.EditRole) == "94"
    assert mm.setData(index, "95,5")
    assert mm.row_at(mm.rowCount() - 1).value == 95.5
    assert page.model.get(oid).kpi.status == "on"
    assert not mm.setData(index, "lots")  # refused, with a message; nothing changed
    assert "not a number" in str(page.controller.errors[-1])
    assert mm.row_at(mm.rowCount() - 1).value == 95.5


def test_insert_on_a_measured_day_selects_that_day(page, world, qtbot, controller):
    oid = world["ids"]["scrap"]
    select(page, qtbot, oid)
    first = page.add_measurement(value=1.1)
    assert first is not None
    steps = controller.undo_stack.count()
    assert page.add_measurement(value=1.0) is None  # today is measured: edit it instead
    assert page.selected_measurement_ids() == [first]
    assert controller.undo_stack.count() == steps


def test_delete_measurements_key(page, world, qtbot):
    oid = world["ids"]["otd"]
    select(page, qtbot, oid)
    first = page.measurement_model.row_at(0).id
    page.measurements.setFocus()
    page.select_record("measurement", first)
    qtbot.keyClick(page.measurements, Qt.Key.Key_Delete)
    assert [r.id for r in page.measurement_model.rows if r.id == first] == []
    assert page.model.get(oid).measurement_count == 2


# --------------------------------------------------------------------------- objectives


def test_insert_adds_and_delete_asks_naming_the_measurements(page, world, qtbot, dialogs,
                                                            controller):
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: page.model.rowCount() == 6)
    new = page.current_row()
    assert new.ref == "OBJ-06" and new.title == "New objective"
    page.table.closePersistentEditor(page.table.currentIndex())
    page.select_ids([world["ids"]["otd"], world["ids"]["rejects"]])
    assert page.delete_selected()
    assert "5 measurement(s)" in dialogs.messages("question")[-1]
    assert page.model.row_of(world["ids"]["otd"]) is None
    controller.undo_stack.undo()
    assert page.model.get(world["ids"]["otd"]).measurement_count == 3


def test_detail_fields_go_through_the_service(page, world, qtbot, controller):
    oid = world["ids"]["otd"]
    select(page, qtbot, oid)
    d = page.detail
    d.target.setText("93,5")
    d.bindings["target"].finish()
    assert page.model.get(oid).target == 93.5
    assert page.model.get(oid).kpi.status == "on"
    d.tolerance.setText("-2")
    d.bindings["tolerance"].finish()
    assert "negative" in str(controller.errors[-1])
    assert page.model.get(oid).tolerance == 1.5
    assert d.tolerance.text() == "1.5"
    d.direction.set_value("<=")
    d._commit("direction")
    assert page.model.get(oid).kpi.status == "near"  # 94 is 0.5 above "at most 93.5"
    assert "lower is better" in d.status_label.text()


def test_select_record(page, world):
    assert page.select_record("objective", world["ids"]["scrap"])
    assert page.current_row().id == world["ids"]["scrap"]
    assert not page.select_record("objective", 9999)
    assert not page.select_record("measurement", 9999)


# --------------------------------------------------------------------------- paste


def test_paste_preview_names_the_bad_row_and_skips_it(page, world, qtbot, controller):
    from qms_desktop.ui.objectives.paste import SKIP

    oid = world["ids"]["new"]
    select(page, qtbot, oid)
    text = "Datum\tWert\n31.01.2026\t12,5\n31.02.2026\t13\n31.03.2026\t1.234,5\n"
    seen = {}

    def answer(dialog):
        seen["paste"] = dialog.paste_button.isEnabled()
        seen["skip"] = dialog.skip_button.isEnabled()
        seen["summary"] = dialog.summary.text()
        seen["problem"] = dialog.table.item(1, 4).text()
        seen["rows"] = dialog.table.rowCount()
        dialog.choice = SKIP
        return QDialog.DialogCode.Accepted

    page.run_dialog = answer
    before = controller.undo_stack.count()
    assert page.paste_measurements(text)
    assert seen["rows"] == 3 and not seen["paste"] and seen["skip"]
    assert "row 3" in seen["summary"] and "header" in seen["summary"]
    assert "31.02.2026" in seen["problem"] and "not a real date" in seen["problem"]
    assert [r.value for r in page.measurement_model.rows] == [12.5, 1234.5]
    assert controller.undo_stack.count() == before + 1  # one step
    assert page.model.get(oid).measurement_count == 2


def test_paste_cancel_writes_nothing_and_ctrl_v_opens_it(page, world, qtbot):
    from PySide6.QtWidgets import QApplication

    oid = world["ids"]["new"]
    select(page, qtbot, oid)
    QApplication.clipboard().setText("2026-01-31\t5\n")
    seen = []

    def cancel(dialog):
        seen.append(dialog.paste_button.isEnabled())
        return QDialog.DialogCode.Rejected

    page.run_dialog = cancel
    page.measurements.setFocus()
    qtbot.keyClick(page.measurements, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert seen == [True]
    assert page.measurement_model.rowCount() == 0


def test_dark_palette_draws_a_dark_chart(page, world, qtbot):
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    try:
        select(page, qtbot, world["ids"]["otd"])
        assert page.chart.figure.get_facecolor()[0] > 0.5
        app.setPalette(dark)  # switched while the page is shown: the chart follows
        qtbot.waitUntil(lambda: page.chart.figure.get_facecolor()[0] < 0.5)
    finally:
        app.setPalette(old)


# --------------------------------------------------------------------------- trial findings


def test_empty_clipboard_is_told_plainly_not_as_a_crash(page, world, qtbot, controller):
    from PySide6.QtWidgets import QApplication

    from qms_desktop.ui import errors

    select(page, qtbot, world["ids"]["new"])
    QApplication.clipboard().clear()
    assert not page.paste_measurements()
    error = controller.errors[-1]
    assert errors.is_known_error(error)  # the known-error message, never the bug dialog
    assert str(error) == ("The clipboard holds no text: copy the cells of dates and values in "
                          "Excel first.")
    # text the csv reader cannot take is a sentence too
    assert not page.paste_measurements("2026-01-31\t\"" + "9" * 200_000 + "\"\n")
    assert errors.is_known_error(controller.errors[-1])
    assert page.measurement_model.rowCount() == 0


def test_a_target_with_two_points_is_refused(page, world, qtbot, controller):
    oid = world["ids"]["otd"]
    select(page, qtbot, oid)
    page.detail.target.setText("95.3.2")
    page.detail.bindings["target"].finish()
    assert "not a number" in str(controller.errors[-1])
    assert page.model.get(oid).target == 95


def test_paste_preview_warns_but_lets_paste(page, world, qtbot, controller):
    oid = world["ids"]["scrap"]
    select(page, qtbot, oid)
    future = TODAY.replace(year=TODAY.year + 1, day=1)
    text = (f"Date\tValue\n2026-01-31\t1.234,5\n2026-02-28\t-0,02 %\n"
            f"{future.isoformat()}\t1,1\n")
    seen = {}

    def answer(dialog):
        seen["paste"] = dialog.paste_button.isEnabled()
        seen["summary"] = dialog.summary.text()
        seen["problems"] = [dialog.table.item(i, 4).text() for i in range(3)]
        dialog.choice = "paste"
        return QDialog.DialogCode.Accepted

    page.run_dialog = answer
    assert page.paste_measurements(text)
    assert seen["paste"]
    assert "row 4: " + f"{future.day} {future:%B %Y} is in the future" in seen["summary"]
    assert "outside 0–100 %" in seen["problems"][0] and "outside" in seen["problems"][1]
    assert seen["problems"][2].startswith("check:")
    assert page.model.get(oid).measurement_count == 4


def test_a_typed_measurement_that_looks_wrong_is_noted(page, world, qtbot, controller):
    oid = world["ids"]["otd"]
    select(page, qtbot, oid)
    notices = []
    controller.notice.connect(notices.append)
    mm = page.measurement_model
    index = mm.index(mm.rowCount() - 1, mm.column_of["value"])
    assert mm.setData(index, "120")  # stored: a note, not a refusal
    assert mm.row_at(mm.rowCount() - 1).value == 120
    assert "120 % is outside 0–100 %" in notices[-1]
    day = mm.index(mm.rowCount() - 1, mm.column_of["measured_on"])
    assert mm.setData(day, TODAY + 30 * DAY)
    assert "is in the future" in notices[-1]
    notices.clear()
    select(page, qtbot, world["ids"]["new"])  # kWh: any value goes
    assert page.add_measurement(value=-5) is not None
    assert notices == []
    select(page, qtbot, world["ids"]["rejects"])
    page.add_measurement(value=-5)
    assert "below zero" in notices[-1]


def test_single_row_is_said_in_the_singular(page, world, qtbot):
    select(page, qtbot, world["ids"]["new"])
    seen = []

    def cancel(dialog):
        seen.append(dialog.summary.text())
        return QDialog.DialogCode.Rejected

    page.run_dialog = cancel
    page.paste_measurements("2026-01-31\t5\n")
    assert "1 row is ready to paste." in seen[0]


def test_wording_search_and_owner_filter(page, world, qtbot, ws):
    ids = world["ids"]
    m = page.model
    tip = m.index(m.row_of(ids["otd"]), m.column_of["kpi"]).data(Qt.ItemDataRole.ToolTipRole)
    assert "within 1.5 percentage points of it" in tip
    select(page, qtbot, ids["supplier"])
    assert "Late: last measured" in page.detail.status_label.text()
    assert "measured monthly" in page.detail.status_label.text()
    page.search.setText("ppm")
    assert shown_ids(page) == [ids["rejects"]]
    page.search.setText("kwh")
    assert shown_ids(page) == [ids["new"]]
    page.clear_filters()
    R.create(ws, "person", {"name": "Cleo Owns-Nothing"})
    page.refresh()
    combo = page.filters.widgets["owner"]
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "Cleo Owns-Nothing" not in labels
    assert labels[2:] == ["Ann Lee", "Bob Stone"]


def test_f2_on_a_measurement_date_stores_the_typed_iso_date(page, world, qtbot, ws):
    """The measurements table uses the kit's DATE editor (the trial typed 2026-11-28 and got
    2026-12-11 stored)."""
    from qms_desktop.ui.table import DateEditor

    oid = world["ids"]["otd"]
    select(page, qtbot, oid)
    mm, view = page.measurement_model, page.measurements
    last = mm.row_at(mm.rowCount() - 1).id
    view.setFocus()
    view.setCurrentIndex(mm.index(mm.row_of(last), mm.column_of["measured_on"]))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: view.findChild(DateEditor) is not None)
    editor = view.findChild(DateEditor)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "2026-11-28")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [m.measured_on for m in O.measurements(ws, oid) if m.id == last]
                    == [dt.date(2026, 11, 28)])


def test_paste_words_are_singular_and_the_comma_note_needs_a_comma(page, world, qtbot,
                                                                   controller):
    from qms_desktop.ui.objectives.paste import SKIP

    oid = world["ids"]["new"]
    select(page, qtbot, oid)
    seen = {}

    def answer(dialog):
        seen.setdefault("skip", dialog.skip_button.text())
        seen.setdefault("summary", dialog.summary.text())
        dialog.choice = SKIP
        return QDialog.DialogCode.Accepted

    page.run_dialog = answer
    assert page.paste_measurements("2026-01-31\t95.3.2\n2026-02-28\t5\n")
    assert seen["skip"].replace("&", "") == "Skip row 1"
    assert "comma" not in seen["summary"]
    assert controller.undo_stack.undoText() == "Paste 1 measurement"
    seen.clear()
    page.run_dialog = answer
    assert page.paste_measurements("2026-03-31\tx\n2026-04-30\ty\n2026-05-31\t7\n")
    assert seen["skip"].replace("&", "") == "Skip rows 1, 2"
