"""Signing users: the first user's set-up, the list of users and what administrators do with it.

The service decides everything (``services.documents``: the first user is the administrator and
needs no confirmation; later changes need an administrator's user name and password, given as
``admin=(username, password)``). Passwords are read from their fields once, handed to the
service through a holder that is emptied as it is read, and the fields are cleared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .model import meaning_words, tr
from .signing import error_colour

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def _password_edit(parent: QWidget) -> QLineEdit:
    e = QLineEdit(parent)
    e.setEchoMode(QLineEdit.EchoMode.Password)
    return e


def suggest_person(ws, username: str) -> tuple[str, int | None]:
    """The full name to suggest for ``username``: the person whose e-mail, first name or name
    without spaces matches it, else ""."""
    from sqlalchemy import select

    from ...storage import models as m

    key = username.strip().casefold()
    if not key:
        return "", None
    with ws.connect() as c:
        people = c.execute(select(m.Person.id, m.Person.name, m.Person.email)
                           .where(m.Person.active.is_(True))).all()
    for pid, name, email in people:
        local = (email or "").split("@")[0].casefold()
        words = (name or "").casefold().split()
        if key in (local, "".join(words), ".".join(words)) or (words and key == words[0]):
            return name, pid
    return "", None


class UserDialog(QDialog):
    """One form for every user change; ``mode`` picks its fields:

    * ``first`` — set up the first signing user (becomes the administrator);
    * ``add`` — an administrator adds a user;
    * ``edit`` — an administrator changes a user's name, rights, administrator and active flags;
    * ``reset`` — an administrator sets a new password for a user;
    * ``own`` — a user changes their own password (with the current one).
    """

    def __init__(self, controller: "WorkspaceController", mode: str, user: Any = None,
                 parent: QWidget | None = None):
        from ...services import documents

        super().__init__(parent)
        self.controller = controller
        self.mode = mode
        self.user = user
        ws = controller.workspace
        titles = {"first": tr("Set Up the First Signing User"), "add": tr("Add Signing User"),
                  "edit": tr("Change Signing User"), "reset": tr("Reset Password"),
                  "own": tr("Change My Password")}
        self.setWindowTitle(titles[mode])
        layout = QVBoxLayout(self)
        intro = {
            "first": tr("Nobody in this workspace can sign yet. The first signing user becomes "
                        "its administrator, who adds the others. The full name is printed on "
                        "every signature."),
            "add": tr("The new user can sign with the rights ticked here. An administrator "
                      "confirms with their password."),
            "edit": tr("An administrator confirms the change with their password."),
            "reset": tr("Set a new password for {user}; an administrator confirms.").format(
                user=user.username if user else ""),
            "own": tr("Change the password of {user}.").format(
                user=user.username if user else ""),
        }[mode]
        note = QLabel(intro, self)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        layout.addLayout(form)
        self.username = self.full_name = self.old_password = None
        self.password = self.repeat = None
        self.rights: dict[str, QCheckBox] = {}
        self.is_admin = self.active = None
        self.person_id: int | None = None
        if mode in ("first", "add"):
            self.username = QLineEdit(self)
            form.addRow(tr("&User name:"), self.username)
        if mode in ("first", "add", "edit"):
            self.full_name = QComboBox(self)
            self.full_name.setEditable(True)
            self.full_name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            from sqlalchemy import select

            from ...storage import models as m

            with ws.connect() as c:
                self._people = list(c.execute(select(m.Person.id, m.Person.name)
                                              .where(m.Person.active.is_(True))
                                              .order_by(m.Person.name)).all())
            self.full_name.addItems([n for _i, n in self._people])
            self.full_name.setToolTip(tr("As it should be printed on signatures"))
            form.addRow(tr("&Full name:"), self.full_name)
        if mode == "own":
            self.old_password = _password_edit(self)
            form.addRow(tr("&Current password:"), self.old_password)
        if mode in ("first", "add", "reset", "own"):
            self.password = _password_edit(self)
            self.repeat = _password_edit(self)
            form.addRow(tr("&Password:") if mode in ("first", "add") else
                        tr("&New password:"), self.password)
            form.addRow(tr("&Repeat it:"), self.repeat)
        if mode in ("first", "add", "edit"):
            box = QWidget(self)
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            for meaning, word in meaning_words().items():
                check = QCheckBox(word, box)
                check.setChecked(True if user is None else meaning in user.rights)
                row.addWidget(check)
                self.rights[meaning] = check
            row.addStretch(1)
            form.addRow(tr("May sign as:"), box)
        if mode in ("add", "edit"):
            self.is_admin = QCheckBox(tr("&Administrator (adds and changes users)"), self)
            self.is_admin.setChecked(bool(user and user.is_admin))
            form.addRow("", self.is_admin)
        if mode == "edit":
            self.active = QCheckBox(tr("A&ctive (may sign)"), self)
            self.active.setChecked(bool(user is None or user.active))
            form.addRow("", self.active)
        self.admin_name = self.admin_password = None
        if mode in ("add", "edit", "reset"):
            group = QGroupBox(tr("Administrator"), self)
            admin_form = QFormLayout(group)
            self.admin_name = QLineEdit(group)
            self.admin_password = _password_edit(group)
            admin_form.addRow(tr("User &name:"), self.admin_name)
            admin_form.addRow(tr("Pass&word:"), self.admin_password)
            admins = [u for u in documents.list_users(ws) if u.is_admin and u.active]
            me = documents.default_username(ws)
            self.admin_name.setText(me if any(u.username == me for u in admins) else
                                    (admins[0].username if len(admins) == 1 else ""))
            layout.addWidget(group)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {error_colour()};")
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # presets
        if self.username is not None and mode == "first":
            # the login as a suggestion, not as text: typing a name replaces it ("anna", not
            # "rootanna"); left empty, the login is used
            self.username.setPlaceholderText(ws.user or "")
            name, self.person_id = suggest_person(ws, ws.user)
            self.full_name.setCurrentText(name)
        elif self.full_name is not None:
            self.full_name.setCurrentText(user.full_name if user is not None else "")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def entered_username(self) -> str:
        """The user name typed, else (first user) the login shown as its placeholder."""
        text = self.username.text().strip() if self.username is not None else ""
        if not text and self.mode == "first" and self.username is not None:
            text = self.username.placeholderText().strip()
        return text

    def _clear_passwords(self) -> None:
        for e in (self.password, self.repeat, self.old_password, self.admin_password):
            if e is not None:
                e.clear()

    def done(self, r: int) -> None:  # noqa: D401 (Qt's name)
        self._clear_passwords()
        super().done(r)

    def save(self) -> bool:
        """Hand the form to the service as one step; False (and a red sentence) when refused."""
        from ...services import documents
        from ...services.records import RecordError

        secret: dict[str, str] = {}
        if self.password is not None:
            if self.password.text() != self.repeat.text():
                self._clear_passwords()
                self.show_message(tr("The two passwords differ; type them again."))
                return False
            secret["new"] = self.password.text()
        if self.old_password is not None:
            secret["old"] = self.old_password.text()
        admin = None
        if self.admin_name is not None:
            secret["admin"] = self.admin_password.text()
            admin_user = self.admin_name.text().strip()
        self._clear_passwords()
        rights = [k for k, c in self.rights.items() if c.isChecked()]
        full = self.full_name.currentText() if self.full_name is not None else ""
        person = next((i for i, n in getattr(self, "_people", []) if n == full), None)
        mode, user = self.mode, self.user
        refused: list[Exception] = []

        def take(key: str) -> str:
            return secret.pop(key, "")

        def run(ws):
            nonlocal admin
            if "admin" in secret:
                admin = (admin_user, take("admin"))
            try:
                if mode in ("first", "add"):
                    return documents.add_user(
                        ws, self.entered_username(), full, take("new"), rights=rights,
                        is_admin=bool(self.is_admin and self.is_admin.isChecked()),
                        person_id=person, admin=admin)
                if mode == "edit":
                    return documents.update_user(ws, user.id, {
                        "full_name": full, "rights": rights,
                        "is_admin": self.is_admin.isChecked(),
                        "active": self.active.isChecked()}, admin=admin)
                if mode == "reset":
                    return documents.set_password(ws, user.id, take("new"), admin=admin)
                return documents.set_password(ws, user.id, take("new"),
                                              old_password=take("old"))
            except (documents.SigningError, RecordError) as e:
                refused.append(e)
                return None
            finally:
                secret.clear()
                admin = None

        labels = {"first": tr("Set up the first signing user"), "add": tr("Add signing user"),
                  "edit": tr("Change signing user"), "reset": tr("Reset password"),
                  "own": tr("Change password")}
        result = self.controller.edit(labels[mode], run)
        if refused:
            self.show_message(str(refused[0]))
            return False
        if result is None:
            self.reject()
            return False
        self.accept()
        return True


class UsersDialog(QDialog):
    """Every signing user: name, rights, administrator, active; and what can be done to them."""

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(tr("Signing Users"))
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels([tr("User name"), tr("Full name"),
                                              tr("May sign as"), tr("Administrator"),
                                              tr("Active")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for i in range(4):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, tip in (
                ("add", tr("&Add user…"), tr("An administrator adds a signing user")),
                ("edit", tr("&Change…"), tr("Change the user's name, rights, administrator "
                                            "or active flag (an administrator confirms)")),
                ("reset", tr("&Reset password…"), tr("An administrator sets a new password")),
                ("own", tr("Change &my password…"), tr("Change the selected user's password "
                                                       "with the current one"))):
            b = QPushButton(text, self)
            b.setToolTip(tip)
            b.setAutoDefault(False)
            b.clicked.connect(lambda _c=False, k=key: self.open_form(k))
            row.addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._update)
        self.resize(self.fontMetrics().averageCharWidth() * 110,
                    self.fontMetrics().height() * 22)
        self.reload()

    def reload(self) -> None:
        from ...services import documents

        ws = self.controller.workspace
        self.users = documents.list_users(ws) if ws is not None else []
        words = meaning_words()
        self.table.setRowCount(len(self.users))
        for i, u in enumerate(self.users):
            cells = (u.username, u.full_name,
                     ", ".join(words.get(r, r) for r in u.rights) or "—",
                     tr("Yes") if u.is_admin else tr("No"),
                     tr("Yes") if u.active else tr("No — may not sign"))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, u.id)
                self.table.setItem(i, j, item)
        self._update()

    def current_user(self):
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) and \
            self.table.selectionModel().hasSelection() else None

    def _update(self) -> None:
        writable = self.controller.workspace is not None and not self.controller.read_only
        has = self.current_user() is not None
        self.buttons["add"].setEnabled(writable)
        for k in ("edit", "reset", "own"):
            self.buttons[k].setEnabled(writable and has)

    def form(self, key: str) -> UserDialog:
        """The form ``key`` would open (for the selected user)."""
        return UserDialog(self.controller, "first" if key == "add" and not self.users else key,
                          self.current_user() if key != "add" else None, self)

    def open_form(self, key: str) -> bool:
        dialog = self.form(key)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        self.reload()
        return ok


def ensure_signing_user(controller: "WorkspaceController", parent: QWidget | None = None) -> bool:
    """True when the workspace has signing users — after setting up the first one when it has
    none (False when the user cancelled that)."""
    from ...services import documents

    ws = controller.workspace
    if ws is None:
        return False
    if documents.has_users(ws):
        return True
    dialog = UserDialog(controller, "first", None, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted and documents.has_users(ws)
