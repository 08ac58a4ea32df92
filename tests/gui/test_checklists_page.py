"""The Checklists & Audits page (ui/checklists): runs in the table kit, a whole run answered
from the keyboard (one undo step per answer), the clause jump, fast entry of a printed blank as
one undo step, a finding raised to an action, closure refused with the rule's sentence, and a
read-only workspace."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from qms_desktop.services import checklists as C
from qms_desktop.services.checklists import ItemSpec, TemplateSpec

pytestmark = pytest.mark.usefixtures("shown")

ITEMS = [ItemSpec("4 Context", "4.1", "Issues known?"),
         ItemSpec("7 Support", "7.1.5", "Measuring equipment calibrated?"),
         ItemSpec("7 Support", "7.5.1", "Documents listed?"),
         ItemSpec("7 Support", "7.5.3", "Current revisions at the point of use?"),
         ItemSpec("8 Operation", "8.5.1", "Work done as planned?")]


def populate(ws) -> dict:
    tid = C.create_template(ws, TemplateSpec("t", "Small audit", "1", "internal_audit",
                                             "ISO 9001", "", list(ITEMS))).result
    rid = C.start_run(ws, tid, {"auditor": "Ann", "planned_on": "2026-03-01"}).result
    return dict(template=tid, run=rid, code=C.get_runs(ws, [rid])[0].code)


def make_page(qtbot, controller):
    from qms_desktop.ui.checklists import ChecklistsPage
    from qms_desktop.ui.pages import page_specs

    spec = next(s for s in page_specs() if s.key == "checklists")
    page = ChecklistsPage(controller, spec)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def world(ws):
    return populate(ws)


@pytest.fixture
def page(qtbot, controller, world):
    return make_page(qtbot, controller)


def results(ws, run_id):
    return [r.result for r in C.run_items(ws, run_id)]


def test_registered_and_models_pass_the_model_tester(qtmodeltester, page, world):
    from qms_desktop.ui.pages import load_factory, page_specs

    spec = next(s for s in page_specs() if s.key == "checklists")
    assert load_factory(spec).__name__ == "ChecklistsPage"
    assert page.runs_model.rowCount() == 1
    page.open_run(world["run"])
    assert page.current_run_id() == world["run"]
    qtmodeltester.check(page.runs_model)
    qtmodeltester.check(page.runs_proxy)
    qtmodeltester.check(page.run_view.model)
    qtmodeltester.check(page.run_view.proxy)
    qtmodeltester.check(page.run_view.findings.model)
    # the templates and programme views
    assert page.templates_tab is not None and page.programme_tab is not None


def test_score_column_carries_the_rule(page):
    from qms_desktop.core.checklists import SCORE_RULE

    col = page.runs_model.column_of["percent"]
    assert page.runs_model.index(0, col).data(Qt.ItemDataRole.ToolTipRole) == SCORE_RULE
    assert page.runs_model.headerData(col, Qt.Orientation.Horizontal,
                                      Qt.ItemDataRole.ToolTipRole) == SCORE_RULE


def test_a_whole_run_answered_from_the_keyboard(page, world, ws, controller, qtbot):
    page.open_run(world["run"])
    view = page.run_view
    table = view.table
    table.setFocus()
    assert view.current_item().number == 1
    stack = controller.undo_stack
    start = stack.count()
    for key in (Qt.Key.Key_1, Qt.Key.Key_3, Qt.Key.Key_2):
        QTest.keyClick(table, key)
    QTest.keyClick(table, Qt.Key.Key_Return)  # item 4 left open: Enter moves on
    QTest.keyClick(table, Qt.Key.Key_4)
    assert results(ws, world["run"]) == ["conform", "nonconform", "partial", None, "na"]
    assert stack.count() == start + 4  # one undo step per answer
    # the table shows the answers it saved
    col = view.model.column_of["result"]
    assert "Nonconform" in view.model.index(1, col).data()
    # back to item 4 and answer it; 5 clears an answer
    assert view.jump_to("#4")
    QTest.keyClick(table, Qt.Key.Key_1)
    assert view.jump_to("4.1")
    QTest.keyClick(table, Qt.Key.Key_5)
    assert results(ws, world["run"]) == [None, "nonconform", "partial", "conform", "na"]
    assert stack.count() == start + 6
    controller.undo()
    assert results(ws, world["run"]) == ["conform", "nonconform", "partial", "conform", "na"]
    assert "Conform" in view.model.index(0, col).data()
    # the heading's score follows (conform 2, partial ½ of 4 scorable)
    assert "62 %" in view.score.text()  # 2.5 of 4 (n/a out), printed as the core prints it


def test_ctrl_f_jumps_to_a_clause_and_ctrl_e_to_the_evidence(page, world, ws, controller,
                                                             qtbot):
    page.open_run(world["run"])
    view = page.run_view
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.jump.hasFocus()
    QTest.keyClicks(view.jump, "7.5")
    QTest.keyClick(view.jump, Qt.Key.Key_Return)
    assert view.current_item().clause == "7.5.1"  # the first item under 7.5
    assert view.table.hasFocus()
    QTest.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    view.jump.selectAll()
    QTest.keyClicks(view.jump, "7.5.3")
    QTest.keyClick(view.jump, Qt.Key.Key_Return)
    assert view.current_item().clause == "7.5.3"
    assert not view.jump_to("9.9") and "9.9" in view.message.text()
    QTest.keyClick(view.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    evidence = view.item_panel.evidence
    assert evidence.hasFocus()
    start = controller.undo_stack.count()
    QTest.keyClicks(evidence, "Rev C at lathe 4")
    QTest.keyClick(evidence, Qt.Key.Key_Escape)  # back to the items, the typing saved
    assert view.table.hasFocus()
    item = C.run_items(ws, world["run"])[3]
    assert item.evidence == "Rev C at lathe 4"
    assert controller.undo_stack.count() == start + 1  # the typing is one step


def test_evidence_link_to_a_workspace_record(page, world, ws, controller):
    from qms_desktop.services import records

    doc = records.create(ws, "document", {"number": "WI-7", "title": "Lathe set-up"}).result
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.links_tab)
    assert view.links.link("document", doc) is not None
    rid = view.current_item().response_id
    assert [e.label for e in C.evidence_for(ws, rid)] == ["WI-7 Lathe set-up"]
    assert view.links.list.count() == 1
    assert view.current_item().links == 1
    view.side.setCurrentIndex(view.files_tab)  # files are read when their tab is shown
    assert view.files.entity == "response" and view.files.record_id == rid


def test_fast_entry_is_one_undo_step(page, world, ws, controller):
    page.tabs.setCurrentWidget(page.fast_entry)
    fe = page.fast_entry
    assert not fe.find("XX99-99") and "XX99-99" in fe.run_label.text()
    assert fe.find(world["code"].lower())
    fe.keys.setText("12 .3x")
    assert "x" in fe.problem.text() and fe.save() is None
    fe.keys.setText("12 .34 4")
    assert "More keys than items" in fe.problem.text()
    fe.keys.setText("12.34")
    start = controller.undo_stack.count()
    assert fe.save() == 4
    assert results(ws, world["run"]) == ["conform", "partial", None, "nonconform", "na"]
    assert controller.undo_stack.count() == start + 1
    controller.undo()
    assert results(ws, world["run"]) == [None] * 5


def test_a_finding_raised_to_an_action_and_closure_refused(page, world, ws, controller):
    from qms_desktop.services import actions

    C.answer(ws, C.run_items(ws, world["run"])[1].response_id, result="nonconform",
             notes="Two gauges overdue")
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.findings_tab)
    panel = view.findings
    assert panel.proposals.count() == 1
    panel.proposals.setCurrentRow(0)
    fid = panel.add_from_proposal()
    assert fid is not None
    (f,) = C.findings(ws, world["run"])
    assert f.kind == "minor" and f.clause == "7.1.5"
    assert panel.proposals.count() == 0 and panel.model.rowCount() == 1
    assert panel.current_finding().id == fid
    aid = panel.raise_action({"title": "Calibrate the gauges"})
    assert aid is not None
    got = actions.get_actions(ws, [aid])[0]
    assert got.source_kind == "finding" and got.title == "Calibrate the gauges"
    controller.errors.clear()
    assert not panel.close_current()
    assert controller.errors
    message = str(controller.errors[-1])
    assert "cannot be closed yet" in message and "correction" in message
    assert C.findings(ws, world["run"])[0].status == "open"
    assert "Before it can close" in panel.detail.missing.text()


def test_start_and_delete_a_run(page, world, ws, controller):
    rid = page.start_run(world["template"], {"title": "Second audit", "auditor": "Bo"})
    assert rid is not None and page.current_run_id() == rid
    assert page.runs_model.rowCount() == 2
    page.runs.setCurrentIndex(page.runs_proxy.mapFromSource(
        page.runs_model.index(page.runs_model.row_of(rid), 0)))
    assert page.delete_selected(confirm=False)
    assert page.current_run_id() is None
    assert [r.id for r in C.list_runs(ws)] == [world["run"]]


def test_workshop_mode_asks_for_the_open_run(page, world, qtbot):
    page.open_run(world["run"])
    with qtbot.waitSignal(page.workshopRequested) as got:
        page.workshop_action.trigger()
    assert got.args == [world["run"]]


def test_read_only_workspace_shows_but_does_not_change(qtbot, world, ws):
    from PySide6.QtGui import QUndoGroup

    from qms_desktop.storage.workspace import open_workspace
    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    path = ws.path
    ws.close()
    ro = open_workspace(path, read_only=True)
    ctl = WorkspaceController(TaskRunner(), QUndoGroup())
    ctl.errors = []
    ctl.errorOccurred.connect(ctl.errors.append)
    ctl.adopt(ro)
    try:
        page = make_page(qtbot, ctl)
        assert page.runs_model.rowCount() == 1
        assert page.read_only_note.isVisible()
        assert not page.start_action.isEnabled() and not page.delete_action.isEnabled()
        page.open_run(world["run"])
        view = page.run_view
        view.table.setFocus()
        QTest.keyClick(view.table, Qt.Key.Key_1)
        assert results(ro, world["run"]) == [None] * 5
        assert view.item_panel.evidence.isReadOnly()
        assert page.start_run(world["template"], {}) is None and ctl.errors
        assert not page.fast_entry.save_button.isEnabled()
    finally:
        ctl.close()


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".xlsx"])
def test_the_open_run_exports_from_the_page(qtbot, page, world, tmp_path, suffix):
    page.open_run(world["run"])
    page.last_export = None
    out = tmp_path / f"run{suffix}"
    page.export_file(str(out))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    assert out.exists() and out.stat().st_size > 1000


def test_audit_report_print_preview_find_and_return_from_workshop(qtbot, page, world,
                                                                  tmp_path, ws):
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    C.update_run(ws, world["run"], {"started_on": "2026-03-01"})  # a report needs a start
    page.open_run(world["run"])
    assert page.search_widget() is page.run_view.jump  # Ctrl+F jumps to a clause here
    page.last_export = None
    page.export_file(str(tmp_path / "report.docx"), report=True)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    from docx import Document

    text = "\n".join(p.text for p in Document(str(page.last_export)).paragraphs)
    assert world["code"] in text
    page.print_preview()
    assert isinstance(page._dialog, QPrintPreviewDialog)
    import gc

    gc.collect()  # the printer must outlive this call (a freed printer crashed the preview)
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    preview = page._dialog.findChild(QPrintPreviewWidget)
    preview.updatePreview()
    qtbot.waitUntil(lambda: preview.pageCount() > 0, timeout=10_000)
    page._dialog.close()
    last = page.run_view.model.rows[-1].response_id
    assert page.select_response(last)
    assert page.run_view.current_item().response_id == last
    page.tabs.setCurrentIndex(0)
    assert page.search_widget() is page.search


def test_the_dashboard_shows_the_audit_programme_and_the_gap_score(ws):
    import datetime as dt

    from qms_desktop.ui.pages.dashboard import DashboardPage

    today = dt.date(2026, 6, 1)
    tid = C.create_template(ws, TemplateSpec("ia", "Process audit", "1", "internal_audit",
                                             "ISO 9001", "", list(ITEMS))).result
    C.start_run(ws, tid, {"auditor": "Ann", "planned_on": "2026-03-01"})  # overdue
    C.start_run(ws, tid, {"auditor": "Ann", "planned_on": "2026-09-01"})  # planned
    text, warning = DashboardPage.audit_detail(ws, today)
    assert text.startswith("Audit programme 2026: ○ 1 planned · ⚠ 1 overdue") and warning
    gap = C.create_template(ws, TemplateSpec("gap", "Gap", "1", "gap_analysis", "ISO 9001",
                                             "", list(ITEMS))).result
    run = C.start_run(ws, gap, {"started_on": "2026-05-01"}).result
    first = C.run_items(ws, run)[0]
    C.answer(ws, first.response_id, result="conform")
    text, _w = DashboardPage.audit_detail(ws, today)
    assert "gap analysis 100 % (1 of 5 assessed)" in text


def test_the_dashboard_counts_a_completed_audit_done_and_names_its_late_report(ws):
    """Done means completed, as the run list says; a later ISO 19011 step that is late (the
    report) is named with the day it was due."""
    import datetime as dt

    from qms_desktop.ui.pages.dashboard import DashboardPage

    today = dt.date(2026, 12, 5)
    tid = C.create_template(ws, TemplateSpec("ia", "Process audit", "1", "internal_audit",
                                             "ISO 9001", "", list(ITEMS))).result
    run = C.start_run(ws, tid, {"planned_on": "2026-11-14", "completed_on": "2026-11-21"})
    text, warning = DashboardPage.audit_detail(ws, today)
    assert text.startswith("Audit programme 2026: ✓ 1 done") and not warning
    C.set_step(ws, run.result, "report", planned_on="2026-11-28", today=today)
    code = C.get_runs(ws, [run.result])[0].code
    text, warning = DashboardPage.audit_detail(ws, today)
    assert text.startswith(f"Audit programme 2026: ✓ 1 done · ⚠ {code}: Audit report overdue "
                           "since 28 Nov") and warning


def test_the_scores_chart_exports_as_png_and_svg(page, world, ws, tmp_path):
    C.answer(ws, C.run_items(ws, world["run"])[0].response_id, result="conform")
    page.open_run(world["run"])
    png = page.export_chart(str(tmp_path / "s.png"))
    assert png and (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    svg = page.export_chart(str(tmp_path / "s.svg"), kind="radar")
    assert svg and b"<svg" in (tmp_path / "s.svg").read_bytes()[:400]
    assert page.export_chart(str(tmp_path / "s.gif")) is None and page.controller.errors


def _nonconform_finding(page, world, ws):
    C.answer(ws, C.run_items(ws, world["run"])[1].response_id, result="nonconform",
             notes="Two gauges overdue")
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.findings_tab)
    panel = view.findings
    panel.proposals.setCurrentRow(0)
    fid = panel.add_from_proposal()
    assert fid is not None
    return panel, fid


def test_refused_closure_names_every_missing_item(page, world, ws, controller):
    panel, fid = _nonconform_finding(page, world, ws)
    problems = C.findings(ws, world["run"])[0].closure_problems
    assert len(problems) == 4
    controller.errors.clear()
    assert not panel.close_current()
    message = str(controller.errors[-1])
    for problem in problems:
        assert problem in message
        assert problem in panel.detail.missing.text()


def test_effectiveness_verdict_lets_a_nonconformity_close(page, world, ws, controller):
    from qms_desktop.services import actions

    panel, fid = _nonconform_finding(page, world, ws)
    aid = panel.raise_action({"title": "Calibrate the gauges"})
    actions.update_actions(ws, [aid], {"status": "done"})
    C.update_finding(ws, fid, {"correction": "Gauges calibrated", "root_cause": "No due list",
                               "effectiveness_check": "Spot check of 5 gauges"})
    panel.refresh()
    verdict = panel.detail.effective
    assert verdict.isEnabled()
    assert [verdict.itemData(i) for i in range(verdict.count())] == [None, True, False]
    assert verdict.value() is None
    before = controller.undo_stack.count()
    verdict.setCurrentIndex(verdict.findData(True))
    verdict.activated.emit(verdict.currentIndex())
    assert C.findings(ws, world["run"])[0].effective is True
    assert controller.undo_stack.count() == before + 1
    controller.undo()
    assert C.findings(ws, world["run"])[0].effective is None
    assert panel.detail.effective.value() is None
    controller.redo()
    panel.select(fid)
    assert panel.detail.effective.value() is True
    assert panel.close_current()
    assert C.findings(ws, world["run"])[0].status == "closed"


def test_raise_action_asks_for_owner_and_due_date(page, world, ws, controller, monkeypatch):
    import datetime as dt

    from qms_desktop.services import actions
    from qms_desktop.services import records as R
    from qms_desktop.ui.checklists import dialogs

    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    R.create(ws, "person", {"name": "Gone Person", "active": False})
    panel, fid = _nonconform_finding(page, world, ws)
    seen = {}

    def accept_with(values):
        def exec_(dialog):
            seen["title"] = dialog.title.text()
            seen["owners"] = [dialog.owner.itemText(i) for i in range(dialog.owner.count())]
            seen["due"] = dialog.due.value()
            for key, value in values.items():
                if key == "title":
                    dialog.title.setText(value)
                elif key == "owner":
                    dialog.owner.set_value(value)
                elif key == "due":
                    dialog.due.set_value(value)
            return dialogs.RaiseActionDialog.DialogCode.Accepted
        return exec_

    monkeypatch.setattr(dialogs.RaiseActionDialog, "exec", accept_with({"owner": ann}))
    aid = panel.raise_action()
    assert aid is not None
    assert "Two gauges overdue" in seen["title"]
    assert "Ann Lee" in seen["owners"] and "Gone Person" not in seen["owners"]
    assert seen["due"] == dt.date.today() + dt.timedelta(days=30)
    got = actions.get_actions(ws, [aid])[0]
    assert (got.owner_id, got.due_date, got.source_kind) == (
        ann, dt.date.today() + dt.timedelta(days=30), "finding")
    # both left empty on purpose
    monkeypatch.setattr(dialogs.RaiseActionDialog, "exec",
                        accept_with({"title": "Check the list", "owner": None, "due": None}))
    aid2 = panel.raise_action()
    got = actions.get_actions(ws, [aid2])[0]
    assert (got.title, got.owner_id, got.due_date) == ("Check the list", None, None)
    # cancelled: nothing raised
    monkeypatch.setattr(dialogs.RaiseActionDialog, "exec",
                        lambda d: dialogs.RaiseActionDialog.DialogCode.Rejected)
    count = controller.undo_stack.count()
    assert panel.raise_action() is None
    assert controller.undo_stack.count() == count


def test_proposals_wrap_and_the_kind_is_picked_when_adding(page, world, ws, controller):
    C.answer(ws, C.run_items(ws, world["run"])[1].response_id, result="partial",
             notes="Some gauges are overdue, the list of gauges is kept on paper by the "
                   "foreman and nobody else knows where the calibration certificates are")
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.findings_tab)
    panel = view.findings
    assert panel.proposals.wordWrap()
    assert panel.proposals.maximumHeight() > panel.fontMetrics().height() * 12
    panel.proposals.setCurrentRow(0)
    assert panel.kind_combo.value() == "observation"  # the proposal is the default
    panel.kind_combo.set_value("minor")
    before = controller.undo_stack.count()
    fid = panel.add_from_proposal()
    assert controller.undo_stack.count() == before + 1
    (f,) = C.findings(ws, world["run"])
    assert f.id == fid and f.kind == "minor" and f.clause == "7.1.5"


def test_findings_table_fits_kind_and_elides_description_at_the_default_width(page, world, ws):
    long = ("Two of the five gauges at the lathes were past their calibration date and "
            "nobody had noticed; the gauge register was last reviewed in January.")
    resp = C.run_items(ws, world["run"])[1].response_id
    C.answer(ws, resp, result="nonconform")
    C.add_finding(ws, world["run"], resp, {"kind": "minor", "description": long})
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.findings_tab)
    panel = view.findings
    table = panel.table
    assert panel.model.rowCount() == 1
    cols = panel.model.column_of
    fm = table.fontMetrics()
    kind_text = panel.model.index(0, cols["kind"]).data()
    assert fm.horizontalAdvance(kind_text) < table.columnWidth(cols["kind"])
    # nothing runs past the right edge: Description takes what is left, on one elided line
    # (a wrapped one made a row so tall that the table showed one finding)
    used = sum(table.columnWidth(i) for i in range(panel.model.columnCount())
               if not table.isColumnHidden(i))
    assert used <= table.viewport().width()
    desc_w = table.columnWidth(cols["description"])
    assert fm.horizontalAdvance(long) > desc_w  # the text needs more than one line
    assert not table.wordWrap()
    assert table.rowHeight(0) <= table.verticalHeader().defaultSectionSize()


def test_blanks_for_the_shop_floor_print_and_export_from_the_page(qtbot, page, world,
                                                                  tmp_path):
    """The blank is reachable in the app: a run's (with its code, to type back) from the
    Runs tab, and a template's from the Templates tab."""
    import subprocess

    from PySide6.QtPrintSupport import QPrintPreviewDialog

    page.tabs.setCurrentIndex(0)
    page.runs.setCurrentIndex(page.runs_proxy.index(0, 0))
    assert page._what_to_print(True) == (None, world["run"], True)
    page.print_blank()
    assert isinstance(page._dialog, QPrintPreviewDialog)
    page._dialog.close()
    page.last_export = None
    page.export_file(str(tmp_path / "run-blank.pdf"), blank=True)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    text = subprocess.run(["pdftotext", str(page.last_export), "-"], capture_output=True,
                          text=True).stdout if _has_pdftotext() else world["code"]
    assert world["code"] in text
    page.tabs.setCurrentWidget(page.templates_tab)
    page.templates_tab.refresh()
    page.templates_tab.select_template(world["template"])
    assert page._what_to_print() == (world["template"], None, True)
    page.last_export = None
    page.export_file(str(tmp_path / "template-blank.docx"))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=20_000)
    from docx import Document

    doc = Document(str(page.last_export))
    cells = " ".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Measuring equipment calibrated?" in cells


def _has_pdftotext() -> bool:
    import shutil

    return shutil.which("pdftotext") is not None


def test_a_nonconformity_raised_from_a_minor_finding_opens_on_its_page(page, world, ws,
                                                                       controller, qtbot):
    """Raise nonconformity: enabled for a major or minor finding only, one undo step, the new
    nonconformity linked to its finding and shown (openRecord); a second one is refused."""
    from qms_desktop.services import nonconformities

    C.answer(ws, C.run_items(ws, world["run"])[1].response_id, result="nonconform",
             notes="Two gauges overdue")
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.findings_tab)
    panel = view.findings
    panel.proposals.setCurrentRow(0)
    fid = panel.add_from_proposal()
    assert panel.nc_button.isEnabled()
    with qtbot.waitSignal(page.openRecord) as opened:
        nid = panel.raise_nonconformity()
    assert nid is not None and opened.args == ["nonconformity", nid]
    (row,) = nonconformities.list_nonconformities(ws)
    assert row.id == nid
    got = nonconformities.get(ws, nid)
    nc = got.row if hasattr(got, "row") else got
    assert nc.source == "internal audit" and nc.severity == "minor"
    # one per finding: the button now opens the one raised
    ref = nc.ref
    assert panel.nc_button.text() == f"Open {ref}" and panel.nc_button.isEnabled()
    with qtbot.waitSignal(page.openRecord) as opened:
        panel.nc_button.click()
    assert opened.args == ["nonconformity", nid]
    assert len(nonconformities.list_nonconformities(ws)) == 1
    controller.undo_stack.undo()
    assert nonconformities.list_nonconformities(ws) == []
    panel.refresh()
    assert panel.nc_button.text() == "Raise &nonconformity"
    C.update_finding(ws, fid, {"kind": "observation"})
    panel.refresh()
    assert not panel.nc_button.isEnabled()


def test_raising_a_nonconformity_takes_the_findings_actions(page, world, ws, controller,
                                                             qtbot):
    """The finding's actions become the new nonconformity's corrective actions (D5–D6)."""
    from qms_desktop.services import nonconformities

    C.answer(ws, C.run_items(ws, world["run"])[1].response_id, result="nonconform",
             notes="Two gauges overdue")
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.findings_tab)
    panel = view.findings
    panel.proposals.setCurrentRow(0)
    panel.add_from_proposal()
    aid = panel.raise_action({"title": "Calibrate the gauges"})
    assert aid is not None
    nid = panel.raise_nonconformity()
    assert [a.id for a in nonconformities.get(ws, nid).actions] == [aid]


def test_the_findings_table_gives_the_description_the_room(page, world, ws, qtbot):
    """At the run view's width the description is one elided line (the whole text in its
    tooltip and in the panel), so rows stay one line high."""
    long = "Batch WO-10871 (flange FL-220, 120 pcs) was shipped without a final inspection " \
           "record or release signature;\ntwo more route cards show the same gap."
    resp = C.run_items(ws, world["run"])[1].response_id
    C.answer(ws, resp, result="nonconform")
    C.add_finding(ws, world["run"], resp, {"kind": "minor", "description": long})
    page.open_run(world["run"])
    view = page.run_view
    view.side.setCurrentIndex(view.findings_tab)
    panel = view.findings
    panel.select(panel.model.row_at(0).id)
    panel.table.resize(540, 200)
    table = panel.table
    col = panel.model.column_of["description"]
    assert not table.wordWrap()
    assert table.rowHeight(0) <= table.verticalHeader().defaultSectionSize()
    assert table.columnWidth(col) >= 0.4 * table.viewport().width()
    index = panel.model.index(0, col)
    assert "\n" not in index.data() and index.data(Qt.ItemDataRole.ToolTipRole) == long
    assert panel.detail.description.toPlainText() == long
    kind = panel.model.index(0, panel.model.column_of["kind"])
    assert index.data() and kind.data() == "Minor NC"
    assert kind.data(Qt.ItemDataRole.ToolTipRole) == "Minor nonconformity"


def test_start_run_dialog_never_proposes_the_os_login(qtbot, ws):
    from qms_desktop.services import documents as D
    from qms_desktop.ui.checklists.dialogs import StartRunDialog

    ws.user = "root"
    d = StartRunDialog(ws)
    qtbot.addWidget(d)
    assert d.auditor.text() == "" and "Who audits" in d.auditor.placeholderText()
    D.add_user(ws, "root", "Karl Maier", "secret-pass-1")
    d = StartRunDialog(ws)
    qtbot.addWidget(d)
    assert d.auditor.text() == "Karl Maier"


def test_a_chapter_opens_at_the_top_and_the_result_reads_whole(qtbot, controller, dialogs):
    """At 1280×800 the Result column was cut ("✓ C") and a chapter's first item was the last
    visible row: the result sits after the clause, the chapter's item is scrolled to the top."""
    from qms_desktop.services import checklists as C
    from qms_desktop.ui.checklists.model import result_text
    from qms_desktop.ui.checklists.run import RunView

    ws = controller.workspace
    items = [C.ItemSpec("", f"{ch}.{k}", f"Question {ch}.{k}") for ch in (4, 5, 6, 7, 8, 9)
             for k in range(1, 9)]
    tid = C.create_template(ws, C.TemplateSpec("", "Gap", "1", "gap_analysis", "", "", items,
                                               source="user")).result
    rid = C.start_run(ws, tid, {}).result
    view = RunView(controller)
    qtbot.addWidget(view)
    view.resize(1100, 560)
    view.show()
    qtbot.waitExposed(view)
    view.set_run(rid)
    qtbot.waitUntil(lambda: view.proxy.rowCount() == len(items))
    assert view.jump_to("6")
    row = view.table.currentIndex().row()
    assert view.table.rowViewportPosition(row) == 0
    header = view.table.horizontalHeader()
    col = view.model.column_of["result"]
    assert header.visualIndex(col) == header.visualIndex(view.model.column_of["clause"]) + 1
    assert view.table.columnWidth(col) >= view.table.fontMetrics().horizontalAdvance(
        result_text("partial"))
    assert view.table.columnViewportPosition(col) + view.table.columnWidth(col) <= \
        view.table.viewport().width()
