"""Dialogs laid out in Qt Designer (``forms/*.ui``), used by composition."""

from __future__ import annotations

import datetime as dt
import platform
import sqlite3

from PySide6.QtCore import QCoreApplication, QLocale, QSize, Qt, qVersion
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QStyle, QWidget

from .forms.ui_about import Ui_AboutDialog
from .forms.ui_workspace_locked import Ui_WorkspaceLockedDialog


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


def last_dir() -> str:
    """The folder the user last chose a file in (their home folder at first): where every
    file dialog starts."""
    from pathlib import Path

    from .settings import Settings

    folder = Settings().last_directory
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def remember_dir(folder) -> None:
    """Remember ``folder`` as where the next file dialog starts."""
    from .settings import Settings

    Settings().last_directory = str(folder)


def versions() -> dict[str, str]:
    """Versions of the app and what it runs on (About dialog, bug reports)."""
    import PySide6
    import sqlalchemy

    from .. import __version__

    return {
        "app": __version__,
        "python": platform.python_version(),
        "qt": qVersion(),
        "pyside6": PySide6.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, head_hash: str = "",
                 workspace_name: str = "", head_event: int | None = None):
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        self.ui.setupUi(self)
        f = QFont(self.ui.titleLabel.font())
        f.setPointSizeF(max(f.pointSizeF(), 6.0) * 1.5)
        f.setBold(True)
        self.ui.titleLabel.setFont(f)
        v = versions()
        self.ui.appVersionLabel.setText(v["app"])
        self.ui.pythonVersionLabel.setText(v["python"])
        self.ui.qtVersionLabel.setText(v["qt"])
        self.ui.pysideVersionLabel.setText(v["pyside6"])
        self.ui.sqlalchemyVersionLabel.setText(v["sqlalchemy"])
        self.ui.sqliteVersionLabel.setText(v["sqlite"])
        if head_hash:
            self.ui.headHashLabel.setText(head_hash)
            self.ui.headHashLabel.setFont(
                QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            if workspace_name:
                self.ui.headHashLabel.setToolTip(
                    tr("The audit trail's latest hash in {name}").format(name=workspace_name))
            if head_event is not None:  # the event the head belongs to, beside the whole hash
                from PySide6.QtWidgets import QLabel

                self.headEventLabel = QLabel(str(head_event), self)
                self.headEventLabel.setObjectName("headEventLabel")
                self.headEventLabel.setTextInteractionFlags(
                    Qt.TextInteractionFlag.TextSelectableByMouse)
                self.ui.versionsLayout.addRow(tr("Audit trail event:"), self.headEventLabel)
        else:
            self.ui.headHashLabel.setText(tr("No workspace is open."))
        self._versions = v
        self._head = head_hash
        self._event = head_event
        self.ui.copyButton.clicked.connect(self.copy_details)

    def details(self) -> str:
        v = self._versions
        lines = [f"QMS Workbench {v['app']}", f"Python {v['python']}", f"Qt {v['qt']}",
                 f"PySide6 {v['pyside6']}", f"SQLAlchemy {v['sqlalchemy']}",
                 f"SQLite {v['sqlite']}", f"{platform.system()} {platform.release()}"]
        if self._head:
            lines.append(f"Audit trail head {self._head}" + (
                f" @ event {self._event}" if self._event is not None else ""))
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())


class InterruptedWriteDialog(QMessageBox):
    """A read-only open met a change a stopped writer left unfinished (a hot journal): says so
    and offers “Recover Now”, which opens the workspace for writing — that open finishes
    SQLite's recovery under the workspace lock, keeping every saved change."""

    def __init__(self, parent: QWidget | None, error: Exception):
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(tr("Workspace Not Closed Properly"))
        self.setText(str(error))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recover_button = self.addButton(tr("&Recover Now"),
                                             QMessageBox.ButtonRole.AcceptRole)
        self.addButton(QMessageBox.StandardButton.Close)
        self.setDefaultButton(self.recover_button)

    def recover_now(self) -> bool:
        """Show the dialog; True when the user chose to recover the workspace now."""
        self.exec()
        return self.clickedButton() is self.recover_button


class WorkspaceLockedDialog(QDialog):
    """“The workspace is in use by … — open it read-only?” (also for read-only files)."""

    def __init__(self, parent: QWidget | None, error: Exception):
        super().__init__(parent)
        self.ui = Ui_WorkspaceLockedDialog()
        self.ui.setupUi(self)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 44)
        open_button = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Open)
        open_button.setText(tr("Open &Read-Only"))
        open_button.setDefault(True)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize, None, self)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning, None, self)
        self.ui.iconLabel.setPixmap(icon.pixmap(QSize(size, size), self.devicePixelRatioF()))
        self.ui.messageLabel.setText(str(error))
        holder = getattr(error, "holder", None) or {}
        if holder.get("user") and not holder.get("garbled"):
            # the form below says who, where and since when: the sentence does not repeat it
            self.ui.messageLabel.setText(tr("The workspace is already open for editing:"))
        if holder:
            self.ui.userLabel.setText(str(holder.get("user") or tr("unknown")))
            self.ui.hostLabel.setText(str(holder.get("host") or tr("unknown")))
            self.ui.sinceLabel.setText(self._since(holder.get("since") or ""))
        else:
            self.setWindowTitle(tr("Read-Only Workspace"))
            self.ui.holderWidget.hide()
            self.ui.adviceLabel.setText(tr("Open it read-only to look at it, search it and save "
                                           "copies. To edit it, copy it to a folder you can "
                                           "write to, or ask for write access."))

    @staticmethod
    def _since(text: str, locale: QLocale | None = None) -> str:
        """The lock's start as an unambiguous local date and time: the locale's long date
        (with the month's name) and its short time, or ISO ``2026-11-25 09:30`` under the C
        locale, whose dates ("25 11 2026") do not say which number is the month."""
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return text or tr("unknown")
        from PySide6.QtCore import QDateTime

        qdt = QDateTime.fromSecsSinceEpoch(int(when.timestamp()))
        loc = locale if locale is not None else QLocale()
        if loc.language() == QLocale.Language.C:
            return qdt.toString("yyyy-MM-dd HH:mm")
        return (f"{loc.toString(qdt.date(), QLocale.FormatType.LongFormat)} "
                f"{loc.toString(qdt.time(), QLocale.FormatType.ShortFormat)}")

    def open_read_only(self) -> bool:
        """Show the dialog; True when the user chose to open read-only."""
        return self.exec() == QDialog.DialogCode.Accepted
