"""The Documents page (ui/documents): the register from the table kit — statuses with the revision
being worked on, overdue reviews and invalid signatures readable without colour, filters, inline
edit and undo, add and delete, workflow steps enabled by state, the revision history with its
signatures, a read-only workspace, and the page registered in the window."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QMessageBox

from qms_desktop.services import documents as D
from qms_desktop.services import records as R

pytestmark = pytest.mark.usefixtures("shown", "dialogs")

_D = Qt.ItemDataRole
TODAY = dt.date.today()
PW = {"dan": "dan's long password", "eve": "eve reviews things", "max": "max approves all"}


def populate(ws) -> dict:
    """Two people; an effective procedure whose review is overdue, a draft work instruction,
    a form, and a procedure whose signed revision was returned to draft and changed."""
    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    bob = R.create(ws, "person", {"name": "Bob Stone"}).result
    D.add_user(ws, "dan", "Daniel Okafor", PW["dan"])
    admin = ("dan", PW["dan"])
    D.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"], admin=admin)
    D.add_user(ws, "max", "Max Brandt", PW["max"], rights=["reviewed", "approved"], admin=admin)
    old = D.add_document(ws, {"title": "Control of documents", "owner_id": ann}).result
    D.edit_section(ws, old, "purpose", "Keep the right revision at the point of use.")
    rid = D.get_document(ws, old).pending_id
    D.sign(ws, rid, "authored", "dan", PW["dan"])
    D.sign(ws, rid, "reviewed", "eve", PW["eve"])
    D.sign(ws, rid, "approved", "max", PW["max"])
    D.make_effective(ws, rid, TODAY - dt.timedelta(days=800))
    wi = D.add_document(ws, {"title": "Deburring", "kind": "work_instruction",
                             "owner_id": bob}).result
    form = D.add_document(ws, {"title": "Order review form", "kind": "form"}).result
    back = D.add_document(ws, {"title": "Internal audit"}).result
    D.edit_section(ws, back, "purpose", "Audit every process once a year.")
    brid = D.get_document(ws, back).pending_id
    D.sign(ws, brid, "authored", "dan", PW["dan"])
    D.return_to_draft(ws, brid, "Scope missing")
    return dict(ann=ann, bob=bob, old=old, old_rev=rid, wi=wi, form=form, back=back,
                back_rev=brid)


def make_page(qtbot, controller):
    from qms_desktop.ui.documents import DocumentsPage
    from qms_desktop.ui.pages import page_specs

    spec = next(s for s in page_specs() if s.key == "documents")
    page = DocumentsPage(controller, spec)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def world(ws):
    return populate(ws)


@pytest.fixture
def page(qtbot, controller, world):
    return make_page(qtbot, controller)


def cell(page, did: int, key: str):
    model = page.model
    return page.proxy.mapFromSource(model.index(model.row_of(did), model.column_of[key]))


# --------------------------------------------------------------------------- the register


def test_models_pass_the_model_tester(page, qtmodeltester):
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)


def test_the_page_is_registered():
    from qms_desktop.ui.pages import load_factory, page_specs

    spec = next(s for s in page_specs() if s.key == "documents")
    from qms_desktop.ui.documents import DocumentsPage

    assert load_factory(spec) is DocumentsPage


def test_register_shows_status_revision_review_and_signatures(page, world):
    assert page.model.rowCount() == 4
    assert cell(page, world["old"], "number").data() == "SOP-001"
    assert cell(page, world["old"], "status").data() == "Effective"
    assert cell(page, world["old"], "revision").data() == "A"
    assert cell(page, world["wi"], "status").data() == "Draft"
    assert cell(page, world["wi"], "kind").data() == "Work instruction"
    assert cell(page, world["wi"], "owner_id").data() == "Bob Stone"
    # the overdue review: words, a symbol and a colour
    review = cell(page, world["old"], "next_review_on")
    assert review.data().endswith("· overdue")
    assert review.data(_D.DecorationRole) is not None
    assert review.data(_D.ForegroundRole) is not None
    assert "Overdue by" in review.data(_D.ToolTipRole)
    assert cell(page, world["wi"], "next_review_on").data(_D.DecorationRole) is None
    # signatures in words, never blank (blank reads as "unsigned"): not valid, valid, none
    assert cell(page, world["back"], "invalid_signatures").data() == "✗ not valid"
    assert cell(page, world["back"], "invalid_signatures").data(_D.ForegroundRole) is not None
    assert cell(page, world["old"], "invalid_signatures").data() == "✓ valid"
    assert cell(page, world["wi"], "invalid_signatures").data() == "— none yet"
    assert "no electronic signatures" in \
        cell(page, world["wi"], "invalid_signatures").data(_D.ToolTipRole)
    assert "1 overdue for review" in page.count.text()
    assert "1 with signatures not valid" in page.count.text()


def test_status_shows_the_revision_being_worked_on(page, world, controller):
    old = world["old"]
    page.select_document(old)
    assert page.start_revision("Add the retention table") is not None
    assert cell(page, old, "status").data() == "Effective · rev. B draft"
    assert cell(page, old, "revision").data() == "A"  # A stays in force


def test_default_columns_fit_1280_px(page):
    header = page.table.horizontalHeader()
    shown = [page.model.columns[i].key for i in range(header.count())
             if not header.isSectionHidden(i)]
    assert shown[:2] == ["number", "title"] and "next_review_on" in shown
    assert "invalid_signatures" in shown
    assert not page.table.horizontalScrollBar().isVisible()
    # the Signatures column is narrow (the title takes the room left), the last one shown
    header = page.table.horizontalHeader()
    sig, title = page.model.column_of["invalid_signatures"], page.model.column_of["title"]
    assert header.sectionSize(sig) <= page.layout_keeper.default_width(page.model.columns[sig])
    assert header.sectionSize(title) > 2 * header.sectionSize(sig)
    # the register gets most of the height: room for 13 rows at this size
    rows = page.table.viewport().height() // page.table.verticalHeader().defaultSectionSize()
    assert rows >= 13, page.splitter.sizes()


def test_narrow_window_scrolls_no_register_sideways(page, qtbot):
    page.resize(1000, 600)
    page.layout().activate()
    table = page.table
    assert table.horizontalHeader().length() <= table.viewport().width()


def test_details_tab_shows_the_status_in_full(page, world):
    page.select_document(world["old"])
    page.tabs.setCurrentIndex(0)
    status = page.details.status
    assert status.text() == "Effective · Revision A in force"
    assert status.isVisible()
    need = status.heightForWidth(status.width()) if status.hasHeightForWidth() else \
        status.sizeHint().height()
    assert status.height() >= need  # not cut off at the bottom
    assert status.width() >= status.fontMetrics().horizontalAdvance(status.text())


def test_filters(page, world):
    def shown():
        return {r.id for r in page.proxy.visible_rows()}

    page.set_filters(review_overdue=True)
    assert shown() == {world["old"]}
    assert page.overdue_only.isChecked()
    page.set_filters(kind="work_instruction")
    assert shown() == {world["wi"]} and not page.overdue_only.isChecked()
    page.set_filters(status="draft")
    assert shown() == {world["wi"], world["form"], world["back"]}
    page.set_filters(owner=world["ann"])
    assert shown() == {world["old"]}
    page.set_filters(text="deburr")
    assert shown() == {world["wi"]}
    page.clear_filters()
    assert len(shown()) == 4


def test_dashboard_style_open_list_filters_the_register(make_window, make_ws, open_ws):
    from qms_desktop.storage.workspace import open_workspace

    path = make_ws("win.qms")
    ws = open_workspace(path)
    world = populate(ws)
    ws.close()
    window = make_window()
    open_ws(window, path)
    window.open_list("documents", {"review_overdue": True})
    page = window.page("documents")
    assert window.current_page_key() == "documents"
    assert [r.id for r in page.proxy.visible_rows()] == [world["old"]]
    assert page.overdue_only.isChecked()


# --------------------------------------------------------------------------- edits


def test_add_edit_title_inline_and_undo(page, world, controller, qtbot):
    stack = controller.undo_stack
    did = page.add({"kind": "procedure", "title": "Calibration"})
    assert did and page.current_row().id == did
    assert cell(page, did, "number").data() == "SOP-003"
    assert cell(page, did, "status").data() == "Draft"
    assert page.model.setData(cell(page, did, "title"), "Calibration of gauges", _D.EditRole)
    assert cell(page, did, "title").data() == "Calibration of gauges"
    assert stack.undoText() == "Rename document"
    stack.undo()
    assert cell(page, did, "title").data() == "Calibration"
    # a refused edit says why and changes nothing
    assert not page.model.setData(cell(page, did, "number"), "SOP-001", _D.EditRole)
    assert "already has the number" in str(controller.errors[-1])
    stack.undo()  # the new document is gone again
    assert page.model.row_of(did) is None


def test_f2_edits_the_title(page, world, qtbot):
    from PySide6.QtWidgets import QLineEdit

    page.select_document(world["wi"])
    page.table.setFocus()
    page.table.setCurrentIndex(cell(page, world["wi"], "owner_id"))  # F2 goes to the title
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    assert page.table.state() == page.table.State.EditingState
    editor = page.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "Deburring"
    editor.selectAll()
    qtbot.keyClicks(editor, "Deburring of turned parts")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event turn
    qtbot.waitUntil(lambda: page.model.get(world["wi"]).title == "Deburring of turned parts")


def test_details_tab_edits_through_the_service_with_undo(page, world, controller):
    page.select_document(world["wi"])
    details = page.details
    assert details.title.text() == "Deburring"
    details.review_months.setValue(12)
    assert details.commit("review_months", 12)
    assert page.model.get(world["wi"]).review_months == 12
    assert details.owner.value() == world["bob"]
    assert details.commit("owner_id", world["ann"])
    assert cell(page, world["wi"], "owner_id").data() == "Ann Lee"
    controller.undo_stack.undo()
    assert cell(page, world["wi"], "owner_id").data() == "Bob Stone"
    assert details.owner.value() == world["bob"]


def test_delete_draft_and_refusal_for_an_approved_document(page, world, controller):
    page.select_ids([world["form"]])
    assert page.delete_selected()
    assert page.model.row_of(world["form"]) is None
    page.select_ids([world["old"]])
    assert not page.delete_selected()
    assert "stays on record" in str(controller.errors[-1])
    assert page.model.row_of(world["old"]) is not None
    controller.undo_stack.undo()
    assert page.model.row_of(world["form"]) is not None


# --------------------------------------------------------------------------- workflow


def test_workflow_steps_follow_the_state(page, world, controller):
    page.select_document(world["wi"])  # a draft
    steps = page.steps
    assert steps["submit"].isEnabled()
    assert not steps["review"].isEnabled() and "is draft" in steps["review"].toolTip()
    assert not steps["start"].isEnabled() and "finish it first" in steps["start"].toolTip()
    assert not steps["withdraw"].isEnabled()
    page.select_document(world["old"])  # in force, nothing pending
    assert steps["start"].isEnabled() and steps["withdraw"].isEnabled()
    assert steps["reviewed"].isEnabled()
    assert not steps["submit"].isEnabled()
    assert "start a revision first" in steps["submit"].toolTip()
    # the periodic review moves the next review on: no longer overdue
    assert page.mark_reviewed()
    assert not cell(page, world["old"], "next_review_on").data().endswith("overdue")
    controller.undo_stack.undo()
    assert cell(page, world["old"], "next_review_on").data().endswith("· overdue")
    # withdraw (confirmed) makes it obsolete
    assert page.withdraw()
    assert cell(page, world["old"], "status").data() == "Obsolete"
    assert not steps["withdraw"].isEnabled()


def test_revisions_tab_lists_history_and_signatures(page, world):
    page.select_document(world["old"])
    view = page.revisions
    top = view.topLevelItem(0)
    assert top.text(0) == "A" and top.text(1) == "Effective"
    assert top.text(5) == "Daniel Okafor" and top.text(6) == "Eve Park"
    sigs = view.signature_items(world["old_rev"])
    assert len(sigs) == 3
    assert all(s.text(0).startswith("✓ valid") for s in sigs)
    assert "Approved by Max Brandt (max)" in sigs[2].text(0)
    assert " UTC · " in sigs[0].text(0) and "local" in sigs[0].text(0)
    assert not sigs[0].font(0).strikeOut()


def test_a_signature_shows_invalid_after_the_text_changes(page, world, controller):
    # the second document: authored, returned to draft — still valid until its text changes
    ws = controller.workspace
    did = page.add({"kind": "policy", "title": "Quality policy"})
    controller.edit("t", lambda ws: D.edit_section(ws, did, "purpose", "Customers first."))
    rid = D.get_document(ws, did).pending_id
    controller.edit("sign", lambda ws: D.sign(ws, rid, "authored", "dan", PW["dan"]),
                    final=True)
    page.select_document(did)
    assert cell(page, did, "invalid_signatures").data() == "✓ valid"
    assert page.revisions.signature_items(rid)[0].text(0).startswith("✓ valid")
    assert page.return_to_draft("Wording")
    # the reason joined the change summary: the signature no longer holds, and says why
    sig = page.revisions.signature_items(rid)[0]
    assert sig.text(0).startswith("✗ not valid") and sig.font(0).strikeOut()
    why = page.revisions.topLevelItem(0).child(1).text(0)
    assert "The content changed after it was signed." in why
    assert cell(page, did, "invalid_signatures").data() == "✗ not valid"


def test_back_dating_is_confirmed_naming_the_day(page, world, controller, dialogs):
    from qms_desktop.ui.table import format_date

    ws = controller.workspace
    did = page.add({"kind": "policy", "title": "Quality policy"})
    controller.edit("t", lambda ws: D.edit_section(ws, did, "purpose", "Customers first."))
    rid = D.get_document(ws, did).pending_id
    for user, meaning in (("dan", "authored"), ("eve", "reviewed"), ("max", "approved")):
        controller.edit("sign", lambda ws, u=user, m=meaning: D.sign(ws, rid, m, u, PW[u]),
                        final=True)
    page.select_document(did)
    day = TODAY - dt.timedelta(days=3)
    dialogs.question_answer = QMessageBox.StandardButton.No
    assert not page.make_effective(day)
    kind, title, text = dialogs.calls[-1]
    assert kind == "question" and title == "Back-Date Revision"
    assert f"takes effect on {format_date(day)} (3 days ago), not today" in text
    assert "recorded in the audit trail" in text
    assert page.current_row().pending_status == "approved"  # nothing changed
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    assert page.make_effective(day)
    row = page.current_row()
    assert row.status == "effective" and row.effective_on == day


def test_making_effective_today_asks_nothing_more(page, world, controller, dialogs):
    ws = controller.workspace
    did = page.add({"kind": "policy", "title": "Quality policy"})
    controller.edit("t", lambda ws: D.edit_section(ws, did, "purpose", "Customers first."))
    rid = D.get_document(ws, did).pending_id
    for user, meaning in (("dan", "authored"), ("eve", "reviewed"), ("max", "approved")):
        controller.edit("sign", lambda ws, u=user, m=meaning: D.sign(ws, rid, m, u, PW[u]),
                        final=True)
    page.select_document(did)
    asked = len(dialogs.calls)
    assert page.make_effective(TODAY)
    assert len(dialogs.calls) == asked
    assert page.current_row().effective_on == TODAY


def test_files_of_a_signed_revision_cannot_change(page, world):
    page.select_document(world["old"])
    assert page.files.record_id == world["old_rev"]
    assert not page.files.writable and not page.files.add_button.isEnabled()
    page.select_document(world["wi"])
    assert page.files.writable and page.files.add_button.isEnabled()


def test_numbering_dialog_previews_and_saves(page, world, controller, qtbot):
    from qms_desktop.ui.documents.numbering import NumberingDialog

    dialog = NumberingDialog(controller, page)
    qtbot.addWidget(dialog)
    assert dialog.previews["procedure"].text() == "SOP-003"
    dialog.scheme.setText("{prefix}{seq:02d}")
    dialog.prefixes["procedure"].setText("QP")
    assert dialog.previews["procedure"].text() == "QP01"
    dialog.scheme.setText("QP-7")
    assert "{seq}" in dialog.message.text() and dialog.previews["form"].text() == "—"
    dialog.scheme.setText("{prefix}-{seq:02d}")
    assert dialog.save()
    assert page.add({"kind": "procedure", "title": "Calibration"})
    assert page.current_row().number == "QP-01"


# --------------------------------------------------------------------------- read-only


@pytest.fixture
def ro_controller(tmp_path, qtbot):
    from qms_desktop.storage.workspace import create_workspace, open_workspace
    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    path = tmp_path / "ro.qms"
    ws = create_workspace(path, organization="Acme")
    world = populate(ws)
    ws.close()
    ctl = WorkspaceController(TaskRunner(), QUndoGroup(), backup_minutes=0)
    ctl.errors = []
    ctl.errorOccurred.connect(ctl.errors.append)
    ctl.adopt(open_workspace(path, read_only=True))
    ctl.world = world
    yield ctl
    ctl.close()


def test_read_only_workspace_disables_editing_and_signing(qtbot, ro_controller):
    page = make_page(qtbot, ro_controller)
    world = ro_controller.world
    assert page.model.rowCount() == 4
    assert page.read_only_note.isVisible()
    assert not cell(page, world["wi"], "title").flags() & Qt.ItemFlag.ItemIsEditable
    page.select_document(world["wi"])
    assert not page.add_action.isEnabled() and not page.delete_action.isEnabled()
    assert not page.numbering_action.isEnabled()
    assert not any(a.isEnabled() for a in page.steps.values())
    assert "read-only" in page.steps["submit"].toolTip()
    assert page.details.title.isReadOnly() and not page.details.kind.isEnabled()
    # the read-only note takes a line: the columns still fit, nothing scrolls sideways
    assert page.table.horizontalHeader().length() <= page.table.viewport().width()
    assert cell(page, world["old"], "invalid_signatures").data() == "✓ valid"
    assert not page.files.add_button.isEnabled()
    assert page.add({"title": "x"}) is None and not page.delete_selected()
    assert not page.sign("authored")
    assert str(ro_controller.errors[-1]) == \
        "The workspace is open read-only, so nothing can be signed."
    assert page.model.get(world["wi"]).status == "draft"


def test_details_tab_shows_long_choices_from_their_start(qtbot, controller, world):
    """A long process name takes the column's width like the title beside it; where the tab is
    too narrow even so, its start shows (not its end) and the tooltip has it in full."""
    ws = controller.workspace
    name = "CP-01 Sales, quotation and contract review"
    pid = R.create(ws, "process", {"code": "CP-01",
                                   "name": "Sales, quotation and contract review"}).result
    D.update_documents(ws, [world["wi"]], {"process_id": pid})
    page = make_page(qtbot, controller)
    page.resize(1280, 800)
    page.select_document(world["wi"])
    page.tabs.setCurrentIndex(0)
    details = page.details
    details.layout().activate()
    edit = details.process.lineEdit()
    assert details.process.currentText() == name
    assert edit.width() >= edit.fontMetrics().horizontalAdvance(name)
    assert details.process.width() == details.title.width()  # grows like the texts
    page.resize(560, 800)
    page.layout().activate()
    details.layout().activate()
    assert edit.width() < edit.fontMetrics().horizontalAdvance(name)
    assert edit.cursorPosition() == 0  # the start shows
    assert details.process.toolTip() == name


def test_read_only_fields_all_look_greyed(qtbot, ro_controller):
    from PySide6.QtGui import QPalette

    page = make_page(qtbot, ro_controller)
    page.select_document(ro_controller.world["wi"])
    details = page.details
    assert not details.kind.isEnabled()
    disabled = details.kind.palette()
    for field in (details.number, details.title, details.origin):
        assert field.isReadOnly()
        pal = field.palette()
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Text):
            assert pal.color(QPalette.ColorGroup.Active, role) == \
                disabled.color(QPalette.ColorGroup.Disabled, role), (field, role)


def test_text_tab_hosts_the_procedure_editor_when_shown(page, world):
    from qms_desktop.ui.documents.editor import ProcedureEditor

    page.select_document(world["back"])
    assert page.editor is None  # built when the tab is first shown
    page.show_text_tab()
    assert isinstance(page.editor, ProcedureEditor)
    assert page.editor.doc_id == world["back"]
    page.select_document(world["wi"])
    assert page.editor.doc_id == world["wi"]


def test_the_window_routes_documents_and_revisions_to_the_register(make_window, make_ws,
                                                                  open_ws):
    from qms_desktop.storage.workspace import open_workspace

    path = make_ws("route.qms")
    ws = open_workspace(path)
    world = populate(ws)
    ws.close()
    window = make_window()
    open_ws(window, path)
    window.open_record("revision", world["back_rev"])
    page = window.page("documents")
    assert window.current_page_key() == "documents"
    assert page.current_row().id == world["back"]
    assert page.tabs.currentIndex() == page.revisions_tab
    assert page.revisions.selected_revision() == world["back_rev"]
    window.open_record("document", world["wi"])
    assert page.current_row().id == world["wi"]


def test_dashboard_card_opens_the_overdue_reviews(make_window, make_ws, open_ws):
    from qms_desktop.storage.workspace import open_workspace

    path = make_ws("dash.qms")
    ws = open_workspace(path)
    world = populate(ws)
    ws.close()
    window = make_window()
    open_ws(window, path)
    dash = window.page("dashboard")
    text, warn = dash.documents_detail(window.controller.workspace)
    assert "1 overdue for review" in text and "3 being revised" in text and warn
    dash.open_card("documents", "overdue")
    page = window.page("documents")
    assert window.current_page_key() == "documents"
    assert [r.id for r in page.proxy.visible_rows()] == [world["old"]]
    dash.open_card("documents", "revising")
    assert {r.id for r in page.proxy.visible_rows()} == {world["wi"], world["form"],
                                                        world["back"]}


def test_word_menu_in_the_register_and_ctrl_e_exports_the_current_document(page, world, qtbot,
                                                                           monkeypatch):
    from qms_desktop.ui.documents import exporting

    seen = []
    monkeypatch.setattr(exporting, "export_procedure", lambda pg, did: seen.append(did))
    page.word_menu.aboutToShow.emit()
    texts = [a.text().replace("&", "") for a in page.word_menu.actions() if a.text()]
    assert texts[0].startswith("Export to Word")
    assert {"Export manual…", "Word template…", "Register Word files…"} <= set(texts)
    page.word_menu.aboutToShow.emit()  # filled afresh, not twice
    assert len([a for a in page.word_menu.actions() if a.text()]) == len(texts)
    page.table.setFocus()
    page.table.selectRow(page.proxy.mapFromSource(
        page.model.index(page.model.row_of(world["old"]), 0)).row())
    qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen == [world["old"]]


def test_the_text_tab_gets_most_of_the_height_until_the_splitter_is_dragged(page, qtbot):
    from qms_desktop.ui.documents.page import REGISTER_SHARE, TEXT_SHARE

    page.resize(1280, 800)
    page.tabs.setCurrentIndex(0)
    reg, lower = page.splitter.sizes()
    assert reg / (reg + lower) == pytest.approx(REGISTER_SHARE, abs=0.05)
    page.tabs.setCurrentIndex(page.text_index)
    reg, lower = page.splitter.sizes()
    assert lower > reg and reg / (reg + lower) <= TEXT_SHARE + 0.05
    page.tabs.setCurrentIndex(0)
    assert page.splitter.sizes()[0] > page.splitter.sizes()[1]
    page.splitter.splitterMoved.emit(100, 1)  # the user placed it: left alone from now on
    before = page.splitter.sizes()
    page.tabs.setCurrentIndex(page.text_index)
    assert page.splitter.sizes() == before


def test_a_document_in_force_never_e_signed_says_approved_outside(page, ws, tmp_path, controller):
    from docx import Document

    path = tmp_path / "SOP-050 Paper era.docx"
    d = Document()
    d.add_heading("Purpose", level=1)
    d.add_paragraph("Approved on paper in 2019.")
    d.save(path)
    did = controller.edit("Register", lambda w: D.register_files(w, [path]))[0]
    assert cell(page, did, "invalid_signatures").data() == "— approved outside"
