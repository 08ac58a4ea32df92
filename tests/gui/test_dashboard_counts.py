"""The dashboard's figures carry the locale's digit grouping, under the C locale too."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale


@pytest.mark.parametrize("name, shown", [("C", "2,169"), ("en_US", "2,169"),
                                         ("de_DE", "2.169")])
def test_card_counts_are_grouped_in_every_locale(qtbot, name, shown):
    """The C locale leaves the grouping out by default: a card showed “2169”."""
    from qms_desktop.ui.pages.dashboard import StatCard

    QLocale.setDefault(QLocale.c() if name == "C" else QLocale(name))  # (reset by conftest)
    card = StatCard("risks", "Risks")
    qtbot.addWidget(card)
    card.set_value(2169)
    assert card.value.text() == shown
    assert card.accessibleName() == f"Risks: {shown}"
