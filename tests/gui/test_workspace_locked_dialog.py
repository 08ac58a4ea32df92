"""The “workspace in use” dialog says since when, unambiguously, in any locale."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QLocale  # noqa: E402

from qms_desktop.storage.workspace import WorkspaceLockedError  # noqa: E402
from qms_desktop.ui.dialogs import WorkspaceLockedDialog  # noqa: E402


@pytest.fixture
def default_locale():
    """Set QLocale's default for one test, and put the old one back."""
    before = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(before)


def _since_shown(qtbot, since: str) -> str:
    err = WorkspaceLockedError("The workspace is in use by dana on lab-pc since 2026-11-25 "
                               "09:30. You can open it read-only.",
                               {"user": "dana", "host": "lab-pc", "since": since})
    d = WorkspaceLockedDialog(None, err)
    qtbot.addWidget(d)
    return d.ui.sinceLabel.text()


def test_c_locale_shows_an_iso_date_and_time(qtbot, default_locale):
    default_locale(QLocale.c())  # its short format is "25 11 2026": which is the month?
    assert _since_shown(qtbot, "2026-11-25T09:30:00") == "2026-11-25 09:30"


@pytest.mark.parametrize("name, month", [("en_GB", "November"), ("en_US", "November"),
                                         ("de_DE", "November"), ("fr_FR", "novembre")])
def test_other_locales_name_the_month(qtbot, default_locale, name, month):
    default_locale(QLocale(name))
    text = _since_shown(qtbot, "2026-11-25T09:30:00")
    assert month in text and "2026" in text and "25" in text and "9:30" in text
    assert "11" not in text.replace("2026", "")  # the month by name, not by number


def test_an_unreadable_time_is_shown_as_it_is(qtbot):
    assert _since_shown(qtbot, "yesterday") == "yesterday"
    assert _since_shown(qtbot, "") not in ("", "0")


def test_the_holder_is_named_once(qtbot):
    """The sentence used to say “in use by dana on lab-pc since …” above the form that says
    the same: the form names the holder, the sentence does not repeat it."""
    from PySide6.QtWidgets import QLabel

    err = WorkspaceLockedError("The workspace is in use by dana on lab-pc since 2026-11-25 "
                               "09:30. You can open it read-only.",
                               {"user": "dana", "host": "lab-pc", "since": "2026-11-25T09:30:00"})
    d = WorkspaceLockedDialog(None, err)
    qtbot.addWidget(d)
    texts = " ".join(label.text() for label in d.findChildren(QLabel) if label.isVisibleTo(d))
    assert texts.count("dana") == 1 and texts.count("lab-pc") == 1, texts
    assert d.ui.userLabel.text() == "dana" and d.ui.hostLabel.text() == "lab-pc"
    assert d.ui.messageLabel.text() == "The workspace is already open for editing:"


def test_a_lock_without_a_holder_keeps_its_sentence(qtbot):
    err = WorkspaceLockedError("The workspace is in use by another program; you can open it "
                               "read-only.", {"garbled": True})
    d = WorkspaceLockedDialog(None, err)
    qtbot.addWidget(d)
    assert d.ui.messageLabel.text() == err.args[0]

