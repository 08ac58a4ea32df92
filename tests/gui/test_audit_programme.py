"""The audit programme view (ui/checklists/programme.py): states by colour *and* symbol and
word, the ISO 19011 steps with planned / done days set and undone, planning an audit."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from qms_desktop.services import checklists, processes

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def world(controller):
    ws = controller.workspace
    sales = processes.add_process(ws, {"code": "CP-01", "name": "Sales"}).result
    shop = processes.add_process(ws, {"code": "CP-02", "name": "Machining"}).result
    idle = processes.add_process(ws, {"code": "SP-01", "name": "Purchasing"}).result
    spec = checklists.TemplateSpec("", "Process audit", "1", "internal_audit", "", "",
                                   [checklists.ItemSpec("", "8.5.1", "Done as mapped?")],
                                   source="user")
    tid = checklists.create_template(ws, spec).result
    late = checklists.start_run(ws, tid, {"process_id": sales,
                                          "planned_on": dt.date(2026, 3, 10)}).result
    ahead = checklists.start_run(ws, tid, {"process_id": shop,
                                           "planned_on": dt.date(2026, 9, 1)}).result
    done = checklists.start_run(ws, tid, {"process_id": shop,
                                          "planned_on": dt.date(2026, 2, 2)}).result
    checklists.update_run(ws, done, {"completed_on": dt.date(2026, 2, 4)})
    return {"sales": sales, "shop": shop, "idle": idle, "tid": tid, "late": late,
            "ahead": ahead, "done": done}


@pytest.fixture
def view(qtbot, controller, world, dialogs):
    from qms_desktop.ui.checklists.programme import ProgrammeView

    v = ProgrammeView(controller, today=lambda: TODAY)
    qtbot.addWidget(v)
    v.year.setValue(2026)
    v.refresh()
    return v


def cell(view, pid, key):
    m = view.model
    return m.index(m.row_of(pid), m.column_of[key])


def code(ws, run_id):
    return next(r.code for r in checklists.get_runs(ws, [run_id]))


def test_models_pass_the_model_tester(view, world, qtmodeltester):
    view.select_run(world["late"])
    assert len(view.steps.rows) == 6
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.steps)


def test_each_state_has_colour_and_symbol_and_word(view, controller, world):
    ws = controller.workspace
    late, ahead, done = (cell(view, world["sales"], "m3"), cell(view, world["shop"], "m9"),
                         cell(view, world["shop"], "m2"))
    assert late.data() == f"⚠ {code(ws, world['late'])}"
    assert ahead.data() == f"○ {code(ws, world['ahead'])}"
    assert done.data() == f"✓ {code(ws, world['done'])}"
    # the word is spoken and in the tooltip, the colour differs per state
    assert late.data(Qt.ItemDataRole.AccessibleTextRole).endswith("Overdue")
    assert "⚠ Overdue" in late.data(Qt.ItemDataRole.ToolTipRole)
    assert "○ Planned" in ahead.data(Qt.ItemDataRole.ToolTipRole)
    assert "✓ Done" in done.data(Qt.ItemDataRole.ToolTipRole)
    fills = {c.data(Qt.ItemDataRole.BackgroundRole).color().name() for c in (late, ahead, done)}
    assert len(fills) == 3
    assert cell(view, world["sales"], "m4").data() == ""
    assert cell(view, world["sales"], "m4").data(Qt.ItemDataRole.BackgroundRole) is None
    # the year column and the summary say it in words too
    assert cell(view, world["sales"], "state").data() == "⚠ 1 overdue"
    assert cell(view, world["shop"], "state").data() == "○ 1 planned · ✓ 1 done"
    assert cell(view, world["idle"], "state").data() == "– Not planned"
    assert "3 audits" in view.summary.text() and "1 ⚠ overdue" in view.summary.text()
    assert view.legend.text() == "✓ Done · ○ Planned · ⚠ Overdue"


def test_another_year_shows_its_own_audits(view, world):
    view.year.setValue(2025)
    assert all(not r.audits for r in view.model.rows)
    view.year.setValue(2026)
    assert sum(len(r.audits) for r in view.model.rows) == 3


def test_a_step_date_is_set_and_undone(view, controller, world):
    ws = controller.workspace
    view.select_cell(world["sales"], 3)
    assert view.current_entry().run_id == world["late"]
    steps = view.steps
    planned = steps.index(1, steps.column_of["planned_on"])  # the opening meeting
    assert steps.flags(planned) & Qt.ItemFlag.ItemIsEditable
    assert steps.setData(planned, QDate(2026, 3, 9))
    assert controller.undo_stack.count() == 1
    got = {s.step: s for s in checklists.audit_steps(ws, world["late"])}
    assert got["opening_meeting"].planned_on == dt.date(2026, 3, 9)
    state = steps.index(1, steps.column_of["state"])
    assert state.data() == "⚠ Overdue"  # planned in the past, not done
    # the audit plan comes first: without it the opening meeting cannot be done
    done = steps.index(1, steps.column_of["done_on"])
    assert not steps.setData(done, QDate(2026, 3, 10))
    assert "before the audit plan that comes first is done" in str(controller.errors[-1])
    checklists.set_step(ws, world["late"], "plan", done_on=dt.date(2026, 3, 1), today=TODAY)
    assert steps.setData(done, QDate(2026, 3, 10))
    assert steps.index(1, steps.column_of["state"]).data() == "✓ Done"
    assert controller.undo_stack.count() == 2
    controller.undo()
    assert steps.index(1, steps.column_of["state"]).data() == "⚠ Overdue"
    controller.undo()
    got = {s.step: s for s in checklists.audit_steps(ws, world["late"])}
    assert got["opening_meeting"].planned_on is None
    assert steps.index(1, steps.column_of["planned_on"]).data() == ""
    assert steps.index(1, steps.column_of["state"]).data() == "– Not planned"


def test_plan_an_audit_from_a_template(view, controller, world):
    ws = controller.workspace
    rid = view.plan_audit(world["idle"], world["tid"], dt.date(2026, 11, 20), auditor="Ana")
    run = checklists.get_runs(ws, [rid])[0]
    assert (run.kind, run.process_id, run.planned_on, run.auditor) == (
        "internal_audit", world["idle"], dt.date(2026, 11, 20), "Ana")
    assert cell(view, world["idle"], "m11").data() == f"○ {run.code}"
    assert view.current_entry().run_id == rid
    assert view.status.text().startswith(f"Planned {run.code} for ")
    assert controller.undo_stack.count() == 1
    controller.undo()
    assert checklists.get_runs(ws, [rid]) == []
    assert cell(view, world["idle"], "m11").data() == ""


def test_plan_an_audit_with_a_checklist_from_the_map_is_one_step(view, controller, world):
    ws = controller.workspace
    before = len(checklists.list_templates(ws))
    rid = view.plan_audit(world["idle"], None, dt.date(2027, 1, 15))
    assert view.year.value() == 2027
    assert len(checklists.list_templates(ws)) == before + 1
    assert checklists.get_runs(ws, [rid])[0].template_name.startswith("Internal audit: SP-01")
    assert controller.undo_stack.count() == 1
    controller.undo()
    assert len(checklists.list_templates(ws)) == before


def test_the_plan_dialog_offers_the_map_when_the_process_has_no_checklist(view, controller,
                                                                          world):
    from qms_desktop.ui.checklists.programme import PlanAuditDialog

    dlg = PlanAuditDialog(controller.workspace, view, process_id=world["idle"], year=2026,
                          today=TODAY)
    values = dlg.values()
    assert values["process_id"] == world["idle"]
    assert values["template_id"] is None  # generate from the map
    assert values["planned_on"] == TODAY + dt.timedelta(days=30)
    dlg.template.setCurrentIndex(1)
    assert dlg.values()["template_id"] == world["tid"]
    dlg.deleteLater()


def test_a_completed_audit_with_a_late_report_is_done_its_report_named(view, controller,
                                                                        world):
    """One rule with the dashboard's audit tile: a completed run is done ("1 ✓ done (1 with
    its audit report overdue)"), its late report is shown ("✓⚠"), not counted overdue."""
    ws = controller.workspace
    run = code(ws, world["done"])
    done = cell(view, world["shop"], "m2")
    assert done.data() == f"✓ {run}"
    # the report was planned for a day that has passed and is not done
    view.select_run(world["done"])
    assert view.set_step("report", planned_on=dt.date(2026, 5, 1))
    done = cell(view, world["shop"], "m2")
    assert done.data() == f"✓⚠ {run}"
    assert f"⚠ {run} — Audit report overdue" in done.data(Qt.ItemDataRole.ToolTipRole)
    assert done.data(Qt.ItemDataRole.AccessibleTextRole) == f"⚠ {run} — Audit report overdue"
    assert cell(view, world["shop"], "state").data() == \
        "○ 1 planned · ✓ 1 done (1 with its audit report overdue)"
    assert "1 ✓ done (1 with its audit report overdue)" in view.summary.text()
    assert "1 ⚠ overdue" in view.summary.text()
    assert "✓ Done (Audit report overdue)" in view.audit_info.text()
    assert view.audit_pick.currentText().endswith("Audit report overdue")
    # reported: done again (once every earlier step is done)
    for step in ("plan", "opening_meeting", "evidence", "closing_meeting"):
        checklists.set_step(ws, world["done"], step, done_on=dt.date(2026, 2, 4), today=TODAY)
    assert view.set_step("report", done_on=dt.date(2026, 6, 1))
    assert cell(view, world["shop"], "m2").data() == f"✓ {run}"
    controller.undo()
    assert cell(view, world["shop"], "m2").data() == f"✓⚠ {run}"


def test_a_done_day_ahead_or_out_of_order_is_refused(view, controller, world):
    ws = controller.workspace
    view.select_run(world["late"])
    steps = view.steps
    done = steps.index(4, steps.column_of["done_on"])  # the report
    assert not steps.setData(done, QDate(2026, 6, 16))  # tomorrow
    assert controller.undo_stack.count() == 0
    assert "audit report cannot be done on 2026-06-16" in str(controller.errors[-1])
    assert steps.index(4, steps.column_of["state"]).data() == "– Not planned"
    # a planned day may lie ahead
    assert steps.setData(steps.index(4, steps.column_of["planned_on"]), QDate(2026, 7, 1))
    checklists.set_step(ws, world["late"], "plan", done_on=dt.date(2026, 3, 1), today=TODAY)
    assert steps.setData(steps.index(1, steps.column_of["done_on"]), QDate(2026, 3, 10))
    checklists.set_step(ws, world["late"], "evidence", done_on=dt.date(2026, 3, 10),
                        today=TODAY)
    n = controller.undo_stack.count()
    assert not steps.setData(steps.index(3, steps.column_of["done_on"]), QDate(2026, 3, 9))
    assert str(controller.errors[-1]) == (
        "The closing meeting cannot be done on 2026-03-09, before the opening meeting that "
        "comes first (done on 2026-03-10).")
    assert controller.undo_stack.count() == n
    assert checklists.audit_steps(ws, world["late"])[3].done_on is None


def test_process_names_read_and_the_months_fit_their_codes(view, controller, world, qtbot):
    from PySide6.QtWidgets import QHeaderView

    long_name = "Customer complaints, returns and warranty handling"
    pid = processes.add_process(controller.workspace, {"code": "CP-09",
                                                       "name": long_name}).result
    view.refresh()
    view.resize(1500, 700)
    view.show()
    qtbot.waitExposed(view)
    header, table = view.table.horizontalHeader(), view.table
    modes = {c.key: header.sectionResizeMode(i) for i, c in enumerate(view.model.columns)}
    assert modes["process"] == QHeaderView.ResizeMode.Stretch
    # a month is as wide as its audits' codes (an empty one its name): room for the names
    assert {modes[f"m{k}"] for k in range(1, 13)} == {QHeaderView.ResizeMode.ResizeToContents}
    name = view.model.index(view.model.row_of(pid), 0).data()
    assert name == f"CP-09 {long_name}"
    col = view.model.column_of
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance(name) + 8
    assert table.columnWidth(col["state"]) < table.columnWidth(0)
    assert table.columnWidth(col["m3"]) >= table.fontMetrics().horizontalAdvance(
        view.model.index(view.model.row_of(world["sales"]), col["m3"]).data())
    # the Year column is as wide as its words, not the rest of the window
    year = max(table.fontMetrics().horizontalAdvance(view.model.index(r, col["state"]).data())
               for r in range(view.model.rowCount()))
    assert table.columnWidth(col["state"]) <= year + 60


def test_the_process_column_is_not_cut_at_1280(view, world):
    """At 1280×800 the Process column showed "CP-01 …": empty months are narrow now and a
    long name wraps."""
    view.resize(1100, 600)
    view.show()
    view.table.resizeRowsToContents()
    header = view.table.horizontalHeader()
    fm = view.table.fontMetrics()
    assert header.sectionSize(0) >= fm.horizontalAdvance("CP-01 Sales") + 8
    assert header.sectionSize(view.model.column_of["m4"]) < fm.horizontalAdvance("⚠ IA26-00")
