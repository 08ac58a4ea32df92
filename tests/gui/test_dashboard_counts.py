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


def test_count_cards_fill_their_rows_and_the_policy_in_force_reads_as_a_label(
        window, make_ws, open_ws, qtbot):
    """The count cards were staggered (a card with a long detail made its neighbours float
    in the middle of the row); the read-only policy box looked like the editable Scope box."""
    from PySide6.QtWidgets import QFrame

    from qms_desktop.ui.pages.dashboard import DashboardPage, StatCard

    open_ws(window, make_ws())
    window.show_page("dashboard")
    page = window.page("dashboard")
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(page.filled, timeout=10_000)
    cards = list(page.cards.values())
    cards[0].set_detail("a long detail " * 12)
    page.resize(1100, 900)
    page.show()
    page.grid.activate()
    grid = page.grid
    rows: dict[int, list[StatCard]] = {}
    for card in cards:
        r, _c, _rs, _cs = grid.getItemPosition(grid.indexOf(card))
        rows.setdefault(r, []).append(card)
    for same in rows.values():
        assert len({(c.geometry().top(), c.geometry().height()) for c in same}) == 1
    view = page.profile.policy_view
    assert view.frameShape() == QFrame.Shape.NoFrame
    assert view.viewport().autoFillBackground()
    assert view.viewport().backgroundRole() != page.profile.scope_edit.viewport().backgroundRole()
