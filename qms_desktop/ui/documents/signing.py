"""The signing dialog: what is signed, what the signature means, and the password asked again.

The layout is ``forms/sign.ui``. Signing is one ``controller.edit(..., final=True)``: an act on
record, not an edit, so the undo history is cleared. A wrong password keeps the dialog open
with the service's sentence in red; after three wrong passwords it closes and says so. The
password is never kept: the field is cleared at every attempt and the service call reads it
once from a holder emptied as it is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

from ..forms.ui_sign import Ui_SignDialog
from .model import meaning_sentence, meaning_words, status_words, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: wrong passwords before the dialog gives up
MAX_ATTEMPTS = 3


def error_colour() -> str:
    from ...core.palette import OVERDUE
    from ..table.marks import dark_window

    return OVERDUE[dark_window()]


class SignDialog(QDialog):
    """Sign revision ``rid`` as ``meaning`` (``authored``, ``reviewed``, ``approved``)."""

    def __init__(self, controller: "WorkspaceController", rid: int, meaning: str,
                 parent: QWidget | None = None):
        from ...services import documents

        super().__init__(parent)
        self.controller = controller
        self.rid = rid
        self.meaning = meaning
        self.attempts = 0
        #: the new signature's id once signed
        self.signature_id: int | None = None
        self.ui = Ui_SignDialog()
        self.ui.setupUi(self)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)  # scales with the font
        ws = controller.workspace
        rev = documents.get_revision(ws, rid)
        doc = documents.get_document(ws, rev.document_id)
        self.document_number, self.revision_number = doc.number, rev.number
        heading = QFont(self.ui.headingLabel.font())
        heading.setBold(True)
        heading.setPointSizeF(heading.pointSizeF() * 1.2 if heading.pointSizeF() > 0 else 12)
        self.ui.headingLabel.setFont(heading)
        meaning_word = meaning_words().get(meaning, meaning)
        self.ui.headingLabel.setText(tr("Sign {doc} rev. {rev} as {meaning}").format(
            doc=doc.number, rev=rev.number, meaning=meaning_word.lower()))
        self.ui.documentLabel.setText(f"{doc.number} — {doc.title}")
        self.ui.revisionLabel.setText(tr("{rev} ({status})").format(
            rev=rev.number, status=status_words().get(rev.status, rev.status).lower()))
        self.ui.hashLabel.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.ui.hashLabel.setText(documents.revision_hash(ws, rid)[:12])
        self.ui.meaningLabel.setText(tr("<b>{meaning}</b>: {sentence}").format(
            meaning=meaning_word, sentence=meaning_sentence(meaning)))
        self.ui.messageLabel.setStyleSheet(f"color: {error_colour()};")
        self.ui.messageLabel.hide()
        self.sign_button = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText(tr("&Sign"))
        self.sign_button.clicked.connect(self.try_sign)
        # shown when the only way on is another person: a second signing user
        self.users_button = self.ui.buttonBox.addButton(
            tr("Signing &users…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.users_button.setObjectName("signingUsers")
        self.users_button.setToolTip(tr("Add a second signing user to review or approve"))
        self.users_button.setAutoDefault(False)
        self.users_button.clicked.connect(lambda _c=False: self.open_users())
        self.users_button.hide()
        self.ui.usernameEdit.setText(documents.default_username(ws))
        (self.ui.passwordEdit if self.ui.usernameEdit.text() else
         self.ui.usernameEdit).setFocus()
        #: why nobody can sign now ("" when someone can): said before any password is asked
        self.blocker = ""
        self.check_blocker()
        self.fit_height()

    def check_blocker(self) -> str:
        """Refuse up front when no active signing user other than the author(s) may sign this
        meaning: the sentence in red, the "Signing users…" button, no password asked."""
        from ...services import documents

        ws = self.controller.workspace
        text = documents.signing_blocker(ws, self.rid, self.meaning) if ws is not None else ""
        if text:
            text += " " + self.second_user_hint()
        self.blocker = text
        for w in (self.ui.usernameEdit, self.ui.passwordEdit):
            w.setEnabled(not text)
        self.sign_button.setEnabled(not text)
        self.users_button.setVisible(bool(text))
        if text:
            self.users_button.setFocus()
        self.show_message(text)
        return text

    def second_user_hint(self) -> str:
        return (tr("Add a second signing user (Signing users…) to review it.")
                if self.meaning == "reviewed" else
                tr("Add a second signing user (Signing users…) to approve it.")
                if self.meaning == "approved" else
                tr("Add or change a signing user (Signing users…)."))

    def fit_height(self) -> None:
        """As tall as the fields and the message need, no empty band above the buttons."""
        layout = self.layout()
        width = max(self.width(), self.minimumWidth())
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        self.resize(width, height if height > 0 else self.sizeHint().height())

    def show_message(self, text: str) -> None:
        self.ui.messageLabel.setText(text)
        self.ui.messageLabel.setVisible(bool(text))
        self.fit_height()

    def try_sign(self) -> bool:
        """Check the password and sign; True when signed (the dialog is accepted)."""
        from ...services import documents
        from ...services.records import RecordError

        user = self.ui.usernameEdit.text().strip()
        secret = [self.ui.passwordEdit.text()]
        self.ui.passwordEdit.clear()
        if not user or not secret[0]:
            secret.clear()
            self.show_message(tr("Enter your user name and your password."))
            return False
        ws = self.controller.workspace
        if ws is None:
            self.reject()
            return False
        try:
            documents.authenticate(ws, user, secret[0])
        except documents.SigningError as e:
            secret.clear()
            self.attempts += 1
            if self.attempts >= MAX_ATTEMPTS:
                QMessageBox.warning(self, tr("Signing Cancelled"), tr(
                    "The password was wrong {n} times, so signing was cancelled. Nothing was "
                    "signed.").format(n=self.attempts))
                self.reject()
                return False
            left = MAX_ATTEMPTS - self.attempts
            self.show_message(str(e) + " " + (tr("One attempt left.") if left == 1 else
                                              tr("{n} attempts left.").format(n=left)))
            self.ui.passwordEdit.setFocus()
            return False
        refused: list[Exception] = []
        rid, meaning = self.rid, self.meaning

        def run(ws):
            password = secret.pop() if secret else ""
            try:
                return documents.sign(ws, rid, meaning, user, password)
            except (documents.SigningError, RecordError) as e:
                refused.append(e)  # shown here in red, not in a message box
                return None

        label = tr("Sign {doc} rev. {rev} as {meaning}").format(
            doc=self.document_number, rev=self.revision_number,
            meaning=meaning_words().get(meaning, meaning).lower())
        try:
            result = self.controller.edit(label, run, final=True)
        finally:
            secret.clear()
        if refused:
            text = str(refused[0])
            duty = self.duty_refusal(text, user)
            if duty:
                text += " " + self.second_user_hint()
            self.users_button.setVisible(duty)
            self.show_message(text)
            return False
        if result is None:  # refused by the controller (the user was told)
            self.reject()
            return False
        self.signature_id = result if isinstance(result, int) and result is not True else None
        self.accept()
        return True

    def duty_refusal(self, text: str, user: str) -> bool:
        """True when ``text`` is the separation-of-duties refusal: someone else must sign."""
        from ...core.documents import DUTY_TAIL

        return f"this revision; {DUTY_TAIL} " in text

    def open_users(self) -> int:
        """The Signing users dialog, to add the second person; then sign as them."""
        from .users import UsersDialog

        dialog = UsersDialog(self.controller, self)
        result = dialog.exec()
        if self.blocker and not self.check_blocker():
            self.ui.usernameEdit.clear()  # the author cannot sign: the new person types theirs
        self.ui.usernameEdit.selectAll()
        self.ui.usernameEdit.setFocus()
        return result

    def done(self, r: int) -> None:  # noqa: D401 (Qt's name)
        self.ui.passwordEdit.clear()
        super().done(r)
