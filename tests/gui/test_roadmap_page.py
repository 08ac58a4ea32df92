"""The Roadmap page (ui/roadmap): builds from the workspace, the current step's next action
opens the page that does it, the confirmations are undoable edits, changes refresh it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton

from qms_desktop.core import roadmap as rules
from qms_desktop.services import records as R
from qms_desktop.services import roadmap as S

pytestmark = pytest.mark.usefixtures("shown")


def open_roadmap(qtbot, window, open_ws, path):
    ws = open_ws(window, path)
    window.page_actions["roadmap"].trigger()
    page = window.page("roadmap")
    qtbot.waitUntil(lambda: len(page.steps) == 10)
    assert window.current_page_key() == "roadmap"
    return ws, page


def scoped(make_ws):
    """A workspace whose step 1 is done (scope written, commitment confirmed)."""
    from sqlalchemy import select

    from qms_desktop.storage import models as m
    from qms_desktop.storage.workspace import open_workspace

    path = make_ws()
    ws = open_workspace(path)
    with ws.connect() as c:
        oid = c.execute(select(m.Organization.id)).scalar()
    R.update_fields(ws, "organization", oid, {"scope": "Machined parts."})
    S.set_commitment(ws, dt.date.today(), "MD")
    ws.close()
    return path


def test_page_builds_with_the_current_step_expanded(qtbot, window, open_ws, make_ws):
    _ws, page = open_roadmap(qtbot, window, open_ws, make_ws())
    assert page.current.number == 1
    assert "Step 1 of 10" in page.summary.text()
    card = page.cards[1]
    assert card.expanded and not page.cards[2].expanded
    assert rules.SYMBOLS[card.step.state] in card.state.text()  # not colour alone
    button = card.findChild(QPushButton, "nextAction")
    assert button.isVisible() and "Context && policy" in button.text()
    # a collapsed card opens with its arrow
    qtbot.mouseClick(page.cards[4].arrow, Qt.MouseButton.LeftButton)
    assert page.cards[4].expanded


def test_next_action_opens_the_page_that_does_it(qtbot, window, open_ws, make_ws,
                                                 monkeypatch):
    _ws, page = open_roadmap(qtbot, window, open_ws, scoped(make_ws))
    assert page.current.number == 2  # the gap analysis
    button = page.cards[2].findChild(QPushButton, "nextAction")
    assert "gap analysis" in button.text()
    checklists = window.page("checklists")
    from PySide6.QtWidgets import QMessageBox

    from qms_desktop.ui.checklists.dialogs import StartRunDialog

    # a new workspace has no gap template: asked, it is installed (one undo step) and the
    # Start run dialog opens with it selected, ready to OK
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or
                        QMessageBox.StandardButton.Yes)
    seen = []

    def answer(dlg):
        seen.append((dlg.template.currentText(), dlg.buttons.button(
            dlg.buttons.StandardButton.Ok).isEnabled(), dlg.install_button.isVisible()))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(StartRunDialog, "exec", answer)
    stack = window.controller.undo_stack
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.current_page_key() == "checklists"
    assert asked and seen and "ISO 9001:2015 gap analysis" in seen[0][0]
    assert seen[0][1] and not seen[0][2]
    assert [stack.text(i) for i in range(stack.count())][-2:] == \
        ["Install checklist template", "Start run"]
    assert checklists.current_run_id() is not None
    assert checklists.tabs.currentIndex() == checklists.run_tab_index


def test_a_record_action_opens_the_record(qtbot, window, open_ws, make_ws):
    ws, page = open_roadmap(qtbot, window, open_ws, make_ws())
    pid = window.controller.edit("Add process", lambda ws: R.create(
        ws, "process", {"code": "P1", "name": "Sales"}))
    page.run_action(rules.NextAction("Map it", "processes", record=("process", pid)))
    assert window.current_page_key() == "processes"


def test_confirmations_are_undoable(qtbot, window, open_ws, make_ws, monkeypatch):
    _ws, page = open_roadmap(qtbot, window, open_ws, scoped(make_ws))
    stack = window.controller.undo_stack
    # the certification dialog, answered by the test
    from qms_desktop.ui.roadmap import dialog

    day = dt.date.today() + dt.timedelta(days=90)

    def answer(self):
        self.date_edit.setDate(day)
        self.text_edit.setText("Cert Body Ltd")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialog.ConfirmDialog, "exec", answer)
    box = page.certification_box
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked() and "Cert Body Ltd" in box.text()
    assert page.facts.certification_on == day
    assert stack.undoText() == "Book certification audit"
    stack.undo()
    qtbot.waitUntil(lambda: page.facts.certification_on is None)
    assert not box.isChecked()
    stack.redo()
    qtbot.waitUntil(lambda: page.facts.certification_on == day)
    # unticking withdraws, as one more undoable step
    qtbot.mouseClick(page.commitment_box, Qt.MouseButton.LeftButton)
    assert page.facts.commitment_on is None and not page.commitment_box.isChecked()
    assert page.current.number == 1
    stack.undo()
    qtbot.waitUntil(lambda: page.facts.commitment_on is not None)
    assert page.commitment_box.isChecked()


def test_a_cancelled_dialog_changes_nothing(qtbot, window, open_ws, make_ws, monkeypatch):
    _ws, page = open_roadmap(qtbot, window, open_ws, make_ws())
    from qms_desktop.ui.roadmap import dialog

    monkeypatch.setattr(dialog.ConfirmDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    qtbot.mouseClick(page.commitment_box, Qt.MouseButton.LeftButton)
    assert not page.commitment_box.isChecked()
    assert window.controller.undo_stack.count() == 0


def test_edits_elsewhere_refresh_the_roadmap(qtbot, window, open_ws, make_ws):
    ws, page = open_roadmap(qtbot, window, open_ws, scoped(make_ws))
    assert not page.cards[4].step.checks[0].done
    window.controller.edit("Add process", lambda ws: R.create(
        ws, "process", {"code": "P1", "name": "Sales"}))
    qtbot.waitUntil(lambda: page.cards[4].step.checks[0].done)
    assert page.cards[4].step.checks[0].progress == "1 process"


def test_read_only_workspace_disables_the_confirmations(qtbot, window, open_ws, make_ws):
    path = make_ws()
    open_ws(window, path, read_only=True)
    window.page_actions["roadmap"].trigger()
    page = window.page("roadmap")
    qtbot.waitUntil(lambda: len(page.steps) == 10)
    assert not page.commitment_box.isEnabled()
    assert page.ask(rules.CONFIRM_COMMITMENT) is False


def test_start_run_dialog_offers_the_shipped_gap_analysis(qtbot, window, open_ws, make_ws):
    ws = open_ws(window, make_ws())
    window.show_page("checklists")
    checklists = window.page("checklists")
    dlg = checklists.start_dialog("gap_analysis")
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(dlg.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and not dlg.install_button.isHidden()
    assert "no checklist templates" in dlg.empty.text()
    qtbot.mouseClick(dlg.install_button, Qt.MouseButton.LeftButton)
    assert ok.isEnabled() and dlg.install_button.isHidden() and dlg.empty.isHidden()
    assert "ISO 9001:2015 gap analysis" in dlg.template.currentText()
    assert window.controller.undo_stack.undoText() == "Install checklist template"


def test_checklists_set_filters_tab_run_and_chapter(qtbot, window, open_ws, make_ws):
    from qms_desktop.services import checklists as C

    ws = open_ws(window, make_ws())
    tid = window.controller.edit("Install", lambda ws: C.install_template(ws, "iso9001_gap"))
    rid = window.controller.edit("Start", lambda ws: C.start_run(ws, tid, {}))
    page = window.page("checklists")
    window.open_list("checklists", {"tab": "programme"})
    assert page.tabs.currentWidget() is page.programme_tab
    window.open_list("checklists", {"tab": "templates"})
    assert page.tabs.currentWidget() is page.templates_tab
    window.open_list("checklists", {"kind": "gap_analysis", "stage": None})
    assert page.tabs.currentWidget() is page.runs_tab
    assert page.filters.widgets["kind"].value() == "gap_analysis"
    window.open_list("checklists", {"run": rid, "chapter": "7"})
    assert page.current_run_id() == rid
    assert page.tabs.currentIndex() == page.run_tab_index
    assert page.run_view.current_item().clause.split(".")[0] == "7"
    assert page.filters.widgets["kind"].value() is None  # the others are cleared


def test_step_8_opens_the_programme_and_steps_1_3_their_context_tab(qtbot, window, open_ws,
                                                                   make_ws):
    _ws, page = open_roadmap(qtbot, window, open_ws, make_ws())
    page.run_action(rules.NextAction("Plan", "checklists", {"tab": "programme"}))
    checklists = window.page("checklists")
    assert checklists.tabs.currentWidget() is checklists.programme_tab
    f = rules.Facts(audits_planned=1, audits_done=1, processes=10, processes_audited=2)
    act = rules.steps(f)[7].next_action
    assert act.filters == {"tab": "programme"} and "8 of 10" in act.text
    context = window.page("context")
    page.run_action(rules.steps(rules.Facts())[0].next_action)  # step 1: the scope
    assert window.current_page_key() == "context"
    assert context.tabs.currentIndex() == 1 and context.scope.hasFocus()
    page.run_action(rules.steps(rules.Facts(organization="X", scope_set=True,
                                            commitment_on=dt.date.today()))[2].next_action)
    assert context.tabs.currentIndex() == 0  # the policy


def test_vacuous_checks_show_a_dash_and_the_count_says_so(qtbot, window, open_ws, make_ws):
    _ws, page = open_roadmap(qtbot, window, open_ws, scoped(make_ws))
    card = page.cards[1]
    syms = [card.checks.itemAtPosition(r, 0).widget().text() for r in range(4)]
    assert syms == ["✓", "✓", "–", "✓"]
    assert card.fraction.text() == "3 of 3 checks (1 not applicable)"
    assert syms.count("✓") == 3


def test_commitment_dialog_requires_who_confirmed(qtbot):
    from qms_desktop.ui.roadmap.dialog import ConfirmDialog

    d = ConfirmDialog("commitment")
    qtbot.addWidget(d)
    assert not d.ok.isEnabled() and "who confirmed" in d.ok.toolTip()
    d.text_edit.setText("The managing director")
    assert d.ok.isEnabled()
