"""The Context & policy page (ui/context): builds on an empty and on the demo workspace, edits
go through the undo stack, the kit's models pass the model tester, records are selected from
elsewhere, the policy is issued and shown with its approval state, and nothing scrolls sideways
at 1280×800."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from qms_desktop.services import context as cx
from qms_desktop.services import documents

pytestmark = pytest.mark.usefixtures("shown")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from qms_desktop.services.demo import create_demo

    return create_demo(tmp_path_factory.mktemp("demo") / "demo.qms")


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "demo.qms"
    shutil.copy(demo_file, path)
    return path


def make_page(qtbot, controller):
    from qms_desktop.ui.context import ContextPage
    from qms_desktop.ui.pages import page_specs

    spec = next(s for s in page_specs() if s.key == "context")
    page = ContextPage(controller, spec)
    qtbot.addWidget(page)
    page.resize(1140, 720)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def page(qtbot, controller):
    return make_page(qtbot, controller)


def stack(page):
    return page.controller.undo_stack


def test_registered_in_navigation():
    from qms_desktop.ui.pages import page_specs

    spec = next(s for s in page_specs() if s.key == "context")
    assert spec.factory == "qms_desktop.ui.context:ContextPage"


def test_empty_workspace_builds(page):
    assert page.parties.model.rowCount() == 0 and page.issues.model.rowCount() == 0
    assert page.climate_buttons[None].isChecked()
    assert not page.policy.policy.controlled
    assert page.policy.buttons["issue"].isVisibleTo(page.policy)
    assert not page.policy.buttons["open"].isVisibleTo(page.policy)
    assert "No quality policy yet" in page.policy.state.text()


def test_models_pass_the_model_tester(page, ws, qtmodeltester):
    cx.add_party(ws, {"name": "Customers"})
    cx.add_issue(ws, {"text": "Energy prices", "category": "economic"})
    cx.add_exclusion(ws, "8.3", "Build to print.")
    page.refresh()
    for tab in (page.parties, page.issues, page.exclusions):
        assert tab.model.rowCount() == 1
        qtmodeltester.check(tab.model)
        qtmodeltester.check(tab.proxy)


def test_edits_go_through_undo(page, ws):
    pid = page.add_party()
    assert pid and [r.id for r in cx.list_parties(ws)] == [pid]
    page.parties.table.closePersistentEditor(page.parties.table.currentIndex())
    iid = page.add_issue("internal")
    assert cx.list_issues(ws, [iid])[0].kind == "internal"
    xid = page.add_exclusion("8.3", "Build to print.")
    assert xid and page.exclusions.model.rowCount() == 1
    assert page.set_climate(True)
    assert cx.load_context(ws).climate_relevant is True
    # an inline edit is one step
    model = page.parties.model
    index = page.parties.proxy.mapFromSource(model.index(model.row_of(pid),
                                                         model.column_of["name"]))
    assert page.parties.proxy.setData(index, "Customers", Qt.ItemDataRole.EditRole)
    assert cx.list_parties(ws)[0].name == "Customers"
    n = stack(page).count()
    assert n == 5
    for _ in range(n):
        stack(page).undo()
    c = cx.load_context(ws)
    assert c.parties == [] and c.issues == [] and c.exclusions == []
    assert c.climate_relevant is None
    assert page.parties.model.rowCount() == 0 and page.climate_buttons[None].isChecked()
    stack(page).redo()
    assert page.parties.model.rowCount() == 1


def test_refused_exclusion_says_why_and_writes_nothing(page, ws, controller):
    assert page.add_exclusion("9.2", "We never audit.") is None
    assert controller.errors and "cannot be excluded" in str(controller.errors[-1])
    assert cx.list_exclusions(ws) == [] and stack(page).count() == 0


def test_moves_and_delete_keys(page, ws):
    a = cx.add_party(ws, {"name": "A"}).result
    b = cx.add_party(ws, {"name": "B"}).result
    page.refresh()
    page.parties.select_ids([b])
    assert page.move("parties", -1)
    assert [r.id for r in cx.list_parties(ws)] == [b, a]
    assert [page.parties.model.row_at(i).id for i in range(2)] == [b, a]
    assert page.parties.selected_ids() == [b]
    stack(page).undo()
    assert [r.id for r in cx.list_parties(ws)] == [a, b]
    page.parties.select_ids([a])
    page.delete_party_action.trigger()
    assert [r.id for r in cx.list_parties(ws)] == [b]
    keys = {a.shortcut().toString() for a in page.parties.table.actions()}
    assert {"Ins", "Del", "Alt+Up", "Alt+Down"} <= keys


def test_issue_policy_and_edit_starts_a_draft(page, ws, monkeypatch):
    page.policy.legacy.setFocus()
    page.policy.legacy.load("")
    page.policy.legacy.setPlainText("We make parts that fit.")
    page.policy.flush()
    assert cx.get_policy(ws).legacy_text == "We make parts that fit."
    did = page.policy.issue(confirm=False)
    assert did and cx.get_policy(ws).document_id == did
    assert page.policy.stack.currentWidget() is page.policy.editor
    assert page.policy.editor.doc_id == did
    assert page.policy.buttons["submit"].isEnabled()
    assert not page.policy.buttons["issue"].isVisibleTo(page.policy)
    got = []
    page.openRecord.connect(lambda e, i: got.append((e, i)))
    page.policy.buttons["open"].click()
    assert got == [("document", did)]
    # undo takes the document away again
    stack(page).undo()
    assert cx.get_policy(ws).document_id is None
    assert page.policy.stack.currentWidget() is page.policy.legacy_scroll


def test_demo_page_at_1280_by_800(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    # the demo's policy document, linked as the organization's policy (the link is offered)
    window.resize(1280, 800)
    window.show_page("context")
    page = window.page("context")
    qtbot.waitExposed(page)
    assert page.parties.model.rowCount() >= 6 and page.issues.model.rowCount() >= 8
    if not cx.get_policy(ws).controlled:
        assert page.policy.buttons["link"].isVisibleTo(page.policy)
        assert page.policy.link()
    p = cx.get_policy(ws)
    assert p.controlled and p.revision == "B"
    text = page.policy.state.text()
    assert "rev. B" in text and "Helen Marsh" in text and "✓" in text
    assert page.policy.editor.doc_id == p.document_id
    for key in ("policy", "scope", "climate", "parties", "issues"):
        page.show_tab(key)
        qtbot.wait(1)
        tab = page.tabs.currentWidget()
        table = getattr(tab, "table", None)
        if table is not None:
            assert not table.horizontalScrollBar().isVisible(), key
        assert page.tabs.width() <= page.width()
    # a record selected from elsewhere
    iid = next(r.id for r in cx.list_issues(ws) if r.category == "climate")
    page.set_filters(kind="internal")
    window.open_record("context_issue", iid)
    assert page.tabs.currentWidget() is page.issues
    assert page.issues.selected_ids() == [iid]
    assert page.select_record("interested_party", cx.list_parties(ws)[0].id)
    assert page.tabs.currentWidget() is page.parties
    assert page.select_record("scope_exclusion", cx.list_exclusions(ws)[0].id)
    assert not page.select_record("interested_party", 999999)
    # the linked risk opens in the register
    page.select_record("context_issue", iid)
    assert page.open_risk()
    assert window.current_page_key() == "risks"


def test_editing_the_policy_in_force_starts_a_draft(window, demo, open_ws, qtbot):
    ws = open_ws(window, demo)
    window.show_page("context")
    page = window.page("context")
    if not cx.get_policy(ws).controlled:
        page.policy.link()
    editor = page.policy.editor
    edit = editor.section(cx.POLICY_SECTION)
    assert edit is not None and not edit.isReadOnly()
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    edit.insertPlainText(" Reviewed yearly.")
    editor.flush()
    p = cx.get_policy(ws)
    assert p.pending == "C" and p.pending_status == "draft" and p.revision == "B"
    assert "Reviewed yearly." in p.text and "Reviewed yearly." not in p.text_in_force
    assert "Revision C is draft" in page.policy.state.text()
    assert page.policy.buttons["submit"].isEnabled()
    assert documents.get_document(ws, p.document_id).status == "effective"


def test_set_filters_opens_the_tab_asked_for(page):
    page.set_filters(tab="policy")
    assert page.tabs.currentIndex() == 0
    page.set_filters(tab="scope")
    assert page.tabs.currentIndex() == 1 and page.scope.hasFocus()
    page.set_filters(tab="climate")
    assert page.tabs.currentIndex() == 2
    page.set_filters(category="climate")  # filters alone: the issues, as before
    assert page.tabs.currentIndex() == 4


def test_not_relevant_with_climate_issues_listed_warns(page, ws, controller):
    for title in ("Heat waves stop the paint line", "Flooding of the yard"):
        controller.edit("Add", lambda ws, t=title: cx.add_issue(
            ws, {"kind": "external", "category": "climate", "text": t}))
    page.refresh()
    page._refresh_now()
    assert page.issues.model.rowCount() == 2
    assert page.set_climate(False)
    hint = page.climate_hint.text()
    assert "2 climate issues are listed: explain why climate change is not relevant, or keep " \
        "it relevant." in hint
    assert cx.load_context(ws).climate_relevant is False  # a warning, not a block
    assert page.set_climate(True)
    hint = page.climate_hint.text()
    assert "(s)" not in hint and "2 climate issues, 0 party needs" in hint


def test_the_policy_box_of_a_new_workspace_has_room_to_write(page):
    """A new workspace has no policy yet: its box invites a page of text, not two lines."""
    box = page.policy.legacy
    box._fit()
    assert box.height() >= 14 * box.fontMetrics().lineSpacing()


def test_policy_in_review_can_be_returned_to_draft_from_the_tab(page, ws):
    from qms_desktop.services import documents as D

    page.policy.legacy.setFocus()
    page.policy.legacy.load("")
    page.policy.legacy.setPlainText("We make parts that fit.")
    page.policy.flush()
    did = page.policy.issue(confirm=False)
    D.add_user(ws, "kmaier", "Karl Maier", "karl signs all day")
    rid = D.get_document(ws, did).pending_id
    page.controller.edit("sign", lambda w: D.sign(w, rid, "authored", "kmaier",
                                                  "karl signs all day"), final=True)
    page.policy.refresh()
    button = page.policy.buttons["return"]
    assert button.isVisibleTo(page.policy) and button.isEnabled()
    assert page.policy.return_to_draft("Wording of the second goal")
    assert D.get_revision(ws, rid).status == "draft"
    page.policy.refresh()
    assert not page.policy.buttons["return"].isEnabled()
