"""The roadmap's two confirmations: leadership commitment (date, by whom) and the booked
certification audit (date, certification body)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...services.roadmap import MAX_NAME
from ..table import DateEditor


def tr(text: str) -> str:
    return QCoreApplication.translate("RoadmapPage", text)


class ConfirmDialog(QDialog):
    """A date and a name; ``what`` is "commitment" or "certification"."""

    def __init__(self, what: str, day: dt.date | None = None, text: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.what = what
        certification = what == "certification"
        self.setWindowTitle(tr("Certification audit booked") if certification
                            else tr("Leadership commitment"))
        lay = QVBoxLayout(self)
        intro = QLabel(
            tr("Record the certification audit you have booked: its first day and the "
               "certification body that will carry it out.") if certification else
            tr("Confirm that top management has committed to the quality management system: "
               "resources, responsibilities and the time to make it work."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.date_edit = DateEditor(self)
        self.date_edit.setObjectName("confirmDate")
        self.date_edit.set_required(True, tr("Give the first day of the audit.") if certification
                                    else tr("Give the day the commitment was confirmed."))
        if not certification:  # confirmed: today at the latest (an audit is booked ahead)
            self.date_edit.set_latest(dt.date.today(), tr(
                "{day} is in the future: record the commitment once it is confirmed (today, "
                "{latest}, at the latest)."))
        self.date_edit.set_value(day or dt.date.today())
        self.text_edit = QLineEdit(text, self)
        self.text_edit.setObjectName("confirmText")
        self.text_edit.setMaxLength(MAX_NAME)
        self.text_edit.setPlaceholderText(
            tr("e.g. the accredited body's name") if certification
            else tr("e.g. the managing director"))
        form.addRow(tr("Audit &date:") if certification else tr("Confirmed &on:"),
                    self.date_edit)
        form.addRow(tr("Certification &body:") if certification else tr("Confirmed &by:"),
                    self.text_edit)
        lay.addLayout(form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.text_edit.textChanged.connect(lambda _t: self._update())
        self.date_edit.lineEdit().textEdited.connect(lambda _t: self._update())
        self.date_edit.editingFinished.connect(self._date_left)
        self._update()
        self.resize(max(self.sizeHint().width(), self.fontMetrics().averageCharWidth() * 60),
                    self.sizeHint().height())

    def problem(self) -> str:
        """Why OK is disabled ("" when it is not): both fields are required, the date must be
        one (a day after today is refused for the commitment)."""
        if self.date_edit.property("invalid"):
            return self.date_edit.problem
        if self.text_edit.text().strip():
            return ""
        return (tr("Name the certification body that will audit you.")
                if self.what == "certification" else
                tr("Say who confirmed the commitment (e.g. the managing director)."))

    def _date_left(self) -> None:
        self.date_edit.accept_text()  # a refused day is marked and said
        self._update()

    def _update(self) -> None:
        problem = self.problem()
        self.ok.setEnabled(not problem)
        self.ok.setToolTip(problem)
        self.message.setText(problem)
        self.message.setVisible(bool(problem))

    def accept(self) -> None:
        if not self.date_edit.accept_text():
            self._update()
            self.date_edit.setFocus()
            self.date_edit.selectAll()
            return
        if self.problem():
            self._update()
            self.text_edit.setFocus()
            return
        super().accept()

    def values(self) -> tuple[dt.date, str]:
        return self.date_edit.value(), self.text_edit.text().strip()
