"""Signing through the Documents page's dialogs: setting up the first signing user, a wrong
password kept in the dialog in red, three wrong passwords closing it, submit / review / approve
by three users, making the revision effective — the register following each step and every
signature clearing the undo history."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from qms_desktop.services import documents as D

pytestmark = pytest.mark.usefixtures("shown", "dialogs")

PW = {"tester": "tester signs all day", "eve": "eve reviews things", "max": "max approves all"}


class ModalScript:
    """Answers the modal dialogs a call opens, in order: each handler gets the dialog (of the
    expected class) when it is shown. A zero-interval timer looks for it from inside the
    dialog's own event loop — no sleeping."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.queue: list[tuple[type, Callable]] = []
        self.seen: list[QDialog] = []
        self.timer = QTimer()
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._poll)

    def expect(self, cls: type, handler: Callable) -> "ModalScript":
        self.queue.append((cls, handler))
        self.timer.start()
        return self

    def _poll(self) -> None:
        w = QApplication.activeModalWidget()
        if not self.queue:
            self.timer.stop()
            return
        cls, handler = self.queue[0]
        if isinstance(w, cls) and w not in self.seen and w.isVisible():
            self.queue.pop(0)
            self.seen.append(w)
            handler(w)

    def done(self) -> bool:
        self.timer.stop()
        return not self.queue


@pytest.fixture
def script(qtbot):
    s = ModalScript(qtbot)
    yield s
    s.timer.stop()


@pytest.fixture
def page(qtbot, controller):
    from test_documents_page import make_page

    return make_page(qtbot, controller)


def _written(page, controller, title="Control of documents"):
    did = page.add({"kind": "procedure", "title": title})
    controller.edit("Write", lambda ws: D.edit_section(ws, did, "purpose",
                                                      "Keep the right revision in use."))
    page.select_document(did)
    return did


def _sign_with(password: str, *, user: str | None = None, check: Callable | None = None):
    def handler(d):
        if user is not None:
            d.ui.usernameEdit.setText(user)
        if check is not None:
            check(d)
        d.ui.passwordEdit.setText(password)
        d.sign_button.click()
    return handler


def _add_user(page, controller, qtbot, username, full, rights, admin_pw):
    from qms_desktop.ui.documents.users import UsersDialog

    users = UsersDialog(controller, page)
    qtbot.addWidget(users)
    form = users.form("add")
    qtbot.addWidget(form)
    form.username.setText(username)
    form.full_name.setCurrentText(full)
    form.password.setText(PW[username])
    form.repeat.setText(PW[username])
    for meaning, box in form.rights.items():
        box.setChecked(meaning in rights)
    form.admin_password.setText(admin_pw)
    assert form.admin_name.text() == "tester"
    assert form.save(), form.message.text()
    assert form.password.text() == "" and form.admin_password.text() == ""
    users.reload()
    assert [u.username for u in users.users] == sorted(["tester", username] + [
        u for u in ("eve", "max") if u != username and any(
            x.username == u for x in D.list_users(controller.workspace))])


def test_full_signing_flow_through_the_dialogs(page, controller, qtbot, script, dialogs):
    from qms_desktop.ui.documents.signing import SignDialog
    from qms_desktop.ui.documents.users import UserDialog

    ws = controller.workspace
    did = _written(page, controller)
    stack = controller.undo_stack
    assert stack.count() == 2  # add, write
    assert not D.has_users(ws)

    # -- no users yet: the first signing attempt sets up the first user (preset from ws.user)
    def first_user(d):
        # the login is a placeholder, so typing a name replaces it (not "testeranna")
        assert d.mode == "first" and d.username.text() == "" and \
            d.username.placeholderText() == "tester" and d.entered_username() == "tester"
        d.full_name.setCurrentText("Terry Tester")
        d.password.setText(PW["tester"])
        d.repeat.setText("something else entirely")
        assert not d.save() and "differ" in d.message.text()  # stays open, says why
        assert d.password.text() == ""
        d.password.setText(PW["tester"])
        d.repeat.setText(PW["tester"])
        assert d.save()

    def wrong_then_right(d):
        assert d.ui.usernameEdit.text() == "tester"
        assert d.ui.documentLabel.text() == "SOP-001 — Control of documents"
        assert d.ui.revisionLabel.text().startswith("A")
        assert d.ui.hashLabel.text() == D.revision_hash(ws, d.rid)[:12]
        assert "legally binding" in d.ui.statementLabel.text()
        assert d.ui.passwordEdit.echoMode() == d.ui.passwordEdit.EchoMode.Password
        d.ui.passwordEdit.setText("not my password")
        d.sign_button.click()
        assert d.isVisible() and d.ui.messageLabel.isVisible()
        assert "password is wrong" in d.ui.messageLabel.text()
        assert "2 attempts left" in d.ui.messageLabel.text()
        assert d.ui.passwordEdit.text() == ""  # never kept
        d.ui.passwordEdit.setText(PW["tester"])
        d.sign_button.click()

    script.expect(UserDialog, first_user).expect(SignDialog, wrong_then_right)
    assert page.sign("authored")
    assert script.done()
    users = D.list_users(ws)
    assert [(u.username, u.full_name, u.is_admin) for u in users] == \
        [("tester", "Terry Tester", True)]
    row = page.model.get(did)
    assert row.status == "in_review" and row.pending_status == "in_review"
    assert page.model.data(page.model.index(page.model.row_of(did),
                                            page.model.column_of["status"])) == "In review"
    assert stack.count() == 0  # the signature cleared the undo history
    assert page.steps["review"].isEnabled() and not page.steps["submit"].isEnabled()

    # -- two more users, added by the administrator
    _add_user(page, controller, qtbot, "eve", "Eve Park", ["reviewed"], PW["tester"])
    _add_user(page, controller, qtbot, "max", "Max Brandt", ["reviewed", "approved"],
              PW["tester"])

    # -- the author may not review (separation of duties): said in red, the dialog stays
    def author_reviews(d):
        d.ui.passwordEdit.setText(PW["tester"])
        d.sign_button.click()
        assert d.isVisible() and d.ui.messageLabel.text() == \
            "Terry Tester authored this revision; a different person must review it. Add a " \
            "second signing user (Signing users…) to review it."
        assert d.users_button.isVisible()  # the way on: the Signing users dialog
        d.ui.usernameEdit.setText("eve")
        d.ui.passwordEdit.setText(PW["eve"])
        d.sign_button.click()

    script.expect(SignDialog, author_reviews)
    assert page.sign("reviewed")
    assert script.done()
    assert page.current_row().pending_status == "in_review"
    assert page.steps["approve"].isEnabled()

    script.expect(SignDialog, _sign_with(PW["max"], user="max", check=lambda d: (
        "I approve" in d.ui.meaningLabel.text())))
    assert page.sign("approved")
    assert script.done()
    assert page.current_row().status == "approved"
    assert page.current_row().pending_status == "approved"
    sigs = page.revisions.signature_items(page.current_row().pending_id)
    assert [s.text(0).split(" — ")[1].split(" by ")[0] for s in sigs] == \
        ["Authored", "Reviewed", "Approved"]
    assert all(s.text(0).startswith("✓ valid") for s in sigs)

    # -- make effective: a day picker defaulting to today
    def today(d):
        from qms_desktop.ui.table import DateEditor

        day = d.findChild(DateEditor)
        assert day.value() == dt.date.today()
        d.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    script.expect(QDialog, today)
    assert page.make_effective()
    assert script.done()
    row = page.current_row()
    assert row.status == "effective" and row.revision == "A"
    assert page.model.data(page.model.index(page.model.row_of(did),
                                            page.model.column_of["status"])) == "Effective"
    assert row.next_review_on is not None
    assert stack.count() == 1 and stack.undoText().startswith("Make SOP-001 rev. A effective")


def test_three_wrong_passwords_close_the_dialog(page, controller, qtbot, script, dialogs):
    from qms_desktop.ui.documents.signing import SignDialog

    ws = controller.workspace
    D.add_user(ws, "tester", "Terry Tester", PW["tester"])
    did = _written(page, controller)

    def three_wrong(d):
        for _ in range(3):
            d.ui.passwordEdit.setText("wrong password!")
            d.sign_button.click()

    script.expect(SignDialog, three_wrong)
    assert not page.sign("authored")
    assert script.done()
    assert any("wrong 3 times" in m for m in dialogs.messages("warning"))
    assert page.model.get(did).status == "draft" and page.model.get(did).pending_status == \
        "draft"
    assert controller.undo_stack.count() == 2  # nothing signed: the history stays


def test_cancel_signs_nothing(page, controller, qtbot, script):
    from qms_desktop.ui.documents.signing import SignDialog

    D.add_user(controller.workspace, "tester", "Terry Tester", PW["tester"])
    did = _written(page, controller)
    script.expect(SignDialog, lambda d: d.reject())
    assert not page.sign("authored")
    assert page.model.get(did).pending_status == "draft"


def test_signing_users_dialog_changes_rights_and_passwords(page, controller, qtbot):
    from qms_desktop.ui.documents.users import UserDialog, UsersDialog

    ws = controller.workspace
    D.add_user(ws, "tester", "Terry Tester", PW["tester"])
    D.add_user(ws, "eve", "Eve Park", PW["eve"], admin=("tester", PW["tester"]))
    users = UsersDialog(controller, page)
    qtbot.addWidget(users)
    assert users.table.rowCount() == 2
    assert users.table.item(0, 0).text() == "eve" and users.table.item(1, 3).text() == "Yes"
    users.table.selectRow(0)
    edit = users.form("edit")
    qtbot.addWidget(edit)
    edit.rights["approved"].setChecked(False)
    edit.active.setChecked(False)
    edit.admin_password.setText("wrong password")
    assert not edit.save() and "password is wrong" in edit.message.text()
    edit.admin_password.setText(PW["tester"])
    assert edit.save()
    eve = next(u for u in D.list_users(ws) if u.username == "eve")
    assert eve.rights == ("authored", "reviewed") and not eve.active
    own = UserDialog(controller, "own", eve, page)
    qtbot.addWidget(own)
    own.old_password.setText(PW["eve"])
    own.password.setText("a brand new secret")
    own.repeat.setText("a brand new secret")
    assert own.save()
    assert D.authenticate  # the new password works (the account is inactive: says so)
    with pytest.raises(D.SigningError, match="inactive"):
        D.authenticate(ws, "eve", "a brand new secret")


def test_effective_day_dialog_says_when_it_is_back_dated(page, controller, script, dialogs):
    from PySide6.QtWidgets import QLabel

    from qms_desktop.ui.table import DateEditor, format_date

    ws = controller.workspace
    D.add_user(ws, "tester", "Terry Tester", PW["tester"])
    admin = ("tester", PW["tester"])
    D.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"], admin=admin)
    D.add_user(ws, "max", "Max Brandt", PW["max"], rights=["reviewed", "approved"], admin=admin)
    did = _written(page, controller)
    rid = D.get_document(ws, did).pending_id
    for user, meaning in (("tester", "authored"), ("eve", "reviewed"), ("max", "approved")):
        controller.edit("sign", lambda ws, u=user, m=meaning: D.sign(ws, rid, m, u, PW[u]),
                        final=True)
    page.select_document(did)
    day = dt.date.today() - dt.timedelta(days=1)
    seen = {}

    def back_date(d):
        note = d.findChild(QLabel, "backDatedNote")
        assert not note.isVisible()  # today: nothing to say
        d.findChild(DateEditor).set_value(day)
        seen["note"] = note.isVisible() and note.text()
        d.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    script.expect(QDialog, back_date)
    assert page.make_effective()  # the confirmation (answered Yes) follows the dialog
    assert script.done()
    assert f"on {format_date(day)} (yesterday), not today" in seen["note"]
    assert "audit trail" in seen["note"]
    assert dialogs.calls[-1][:2] == ("question", "Back-Date Revision")
    assert page.current_row().effective_on == day


def test_effective_day_dialog_shows_its_texts_in_full(page, controller, script, dialogs):
    """The explanation and the red back-dated warning wrap inside the dialog: every label is
    as tall as its text needs at its width, and lies inside the dialog."""
    from PySide6.QtWidgets import QLabel

    from qms_desktop.ui.table import DateEditor

    ws = controller.workspace
    D.add_user(ws, "tester", "Terry Tester", PW["tester"])
    admin = ("tester", PW["tester"])
    D.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"], admin=admin)
    D.add_user(ws, "max", "Max Brandt", PW["max"], rights=["reviewed", "approved"], admin=admin)
    did = _written(page, controller, title="Control of documented information and records")
    rid = D.get_document(ws, did).pending_id
    for user, meaning in (("tester", "authored"), ("eve", "reviewed"), ("max", "approved")):
        controller.edit("sign", lambda ws, u=user, m=meaning: D.sign(ws, rid, m, u, PW[u]),
                        final=True)
    page.select_document(did)
    problems: list[str] = []

    def check(d, when):
        QApplication.processEvents()
        shown = [label for label in d.findChildren(QLabel)
                 if label.isVisible() and label.wordWrap() and label.text()]
        assert shown
        for label in shown:
            need = label.heightForWidth(label.width())
            if label.height() < need:
                problems.append(f"{when}: {label.text()[:30]!r} {label.height()} < {need}")
            if not d.rect().contains(label.geometry()):
                problems.append(f"{when}: {label.text()[:30]!r} outside the dialog")
        return len(shown)

    def look(d):
        counts = [check(d, "today")]
        day = dt.date.today() - dt.timedelta(days=12)
        d.findChild(DateEditor).set_value(day)
        counts.append(check(d, "back-dated"))
        d.reject()
        problems.extend(["the warning was not shown"] if counts[1] <= counts[0] else [])

    script.expect(QDialog, look)
    assert not page.make_effective()
    assert script.done()
    assert problems == []


def test_sign_dialog_has_no_empty_band_above_its_buttons(page, controller, qtbot):
    from qms_desktop.ui.documents.signing import SignDialog

    ws = controller.workspace
    D.add_user(ws, "tester", "Terry Tester", PW["tester"])
    did = _written(page, controller)
    d = SignDialog(controller, D.get_document(ws, did).pending_id, "authored", page)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    ui = d.ui
    gap = ui.buttonBox.geometry().top() - ui.passwordEdit.geometry().bottom()
    assert gap < 4 * d.fontMetrics().height()
    d.show_message("tester authored this revision; a different person must review it. "
                   "Two attempts left.")
    assert ui.messageLabel.isVisible()
    assert ui.messageLabel.height() >= ui.messageLabel.heightForWidth(ui.messageLabel.width())
    assert ui.buttonBox.geometry().top() >= ui.messageLabel.geometry().bottom()


def test_first_user_typed_name_replaces_the_login(controller, qtbot):
    from qms_desktop.ui.documents.users import UserDialog

    d = UserDialog(controller, "first")
    qtbot.addWidget(d)
    d.show()
    qtbot.mouseClick(d.username, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(d.username, "anna")
    assert d.entered_username() == "anna"


def test_self_review_refusal_offers_the_signing_users_dialog(page, controller, qtbot, script,
                                                             dialogs, monkeypatch):
    from qms_desktop.ui.documents import users as U
    from qms_desktop.ui.documents.signing import SignDialog

    _written(page, controller)
    D.add_user(controller.workspace, "tester", "Terry Tester", PW["tester"])
    script.expect(SignDialog, _sign_with(PW["tester"]))
    assert page.sign("authored")
    opened = []
    monkeypatch.setattr(U.UsersDialog, "exec", lambda self: opened.append(self) or 0)

    def author_reviews(d):
        # refused before any password: the only signing user authored it
        assert not d.ui.passwordEdit.isEnabled() and not d.sign_button.isEnabled()
        assert d.ui.messageLabel.text().startswith("Terry Tester authored this revision")
        assert "Add a second signing user (Signing users…) to review it." in \
            d.ui.messageLabel.text()
        assert d.users_button.isVisible()
        d.users_button.click()
        assert opened and isinstance(opened[0], U.UsersDialog)
        d.reject()

    script.expect(SignDialog, author_reviews)
    assert not page.sign("reviewed")
    assert script.done()


def test_sign_dialog_refuses_up_front_when_only_the_author_could_review(page, controller,
                                                                         qtbot):
    """One signing user who authored the revision: the review is refused before a password
    is asked, naming the person, with the Signing users… button; a second user lifts it."""
    from qms_desktop.ui.documents.signing import SignDialog

    ws = controller.workspace
    D.add_user(ws, "tester", "Terry Tester", PW["tester"])
    did = _written(page, controller)
    rid = D.get_document(ws, did).pending_id
    controller.edit("sign", lambda ws: D.sign(ws, rid, "authored", "tester", PW["tester"]),
                    final=True)
    d = SignDialog(controller, rid, "reviewed", page)
    qtbot.addWidget(d)
    assert d.ui.messageLabel.text() == (
        "Terry Tester authored this revision; a different person must review it, and no "
        "other active signing user may. Add a second signing user (Signing users…) to "
        "review it.")
    assert not d.ui.passwordEdit.isEnabled() and not d.sign_button.isEnabled()
    assert not d.users_button.isHidden()
    D.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"],
               admin=("tester", PW["tester"]))
    assert d.check_blocker() == ""
    assert d.ui.passwordEdit.isEnabled() and d.sign_button.isEnabled()
    assert d.users_button.isHidden() and d.ui.messageLabel.isHidden()
