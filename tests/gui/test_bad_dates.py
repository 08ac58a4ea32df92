"""A date column holding something that is no date (written by another program) never brings
up the bug dialog: the pages show the date as invalid and a one-line warning names the record."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest


@pytest.fixture
def bad_dates(make_ws):
    """A workspace with a risk, its rating, a process and an action, then garbage written into
    their date columns with sqlite3 directly."""
    from qms_desktop.services import actions, risks
    from qms_desktop.storage.workspace import open_workspace

    p = make_ws("dates.qms")
    with open_workspace(p) as ws:
        rid = risks.add_risk(ws, {"ref": "R-7", "title": "Supplier late", "severity": 6}).result
        risks.rerate(ws, rid, likelihood=4, impact=3)
        risks.add_risk(ws, {"ref": "R-8", "title": "Scrap rate",
                            "review_date": dt.date(2026, 1, 5)})
        actions.add_action(ws, "risk", rid, {"title": "Second source", "due_date":
                                             dt.date(2026, 3, 1)})
    c = sqlite3.connect(p)
    c.execute("update risk set review_date='banana', identified_on='2026-13-45' where ref='R-7'")
    c.execute("update risk_rating set rated_on='soon'")
    c.execute("update action set due_date='banana', completed_on='31/02/2026'")
    c.commit()
    c.close()
    return p


@pytest.mark.parametrize("page", ["dashboard", "processes", "risks", "actions"])
def test_pages_show_a_workspace_with_dates_that_are_no_dates(window, open_ws, bad_dates, dialogs,
                                                             qtbot, page):
    """Used to bring up the bug dialog (“Invalid isoformat string: 'banana'”) on the Risks and
    Actions pages; now the dates show blank and one warning on opening names the record."""
    ws = open_ws(window, bad_dates)
    (msg,) = dialogs.messages("warning")
    assert msg.count("\n") == 0
    assert msg.startswith("Risk R-7: the review date holds “banana”, which is not a date; it "
                          "is shown blank")
    assert msg.endswith(" 4 more dates are not dates either.")
    window.show_page(page)
    shown = window.page(page)
    if page in ("risks", "actions"):
        ids = [1] if page == "risks" else [a.id for a in _actions(ws)]
        shown.select_ids(ids)  # the detail panel reads the row (and the rating history) too
    assert dialogs.bugs == []


def _actions(ws):
    from qms_desktop.services import actions

    return actions.list_actions(ws)


def test_the_rows_read_a_date_that_is_no_date_as_blank(bad_dates):
    from qms_desktop.services import actions, risks
    from qms_desktop.storage.workspace import open_workspace

    with open_workspace(bad_dates, read_only=True) as ws:
        bad, good = risks.list_risks(ws)
        assert (bad.review_date, bad.identified_on) == (None, None)
        assert good.review_date == dt.date(2026, 1, 5) and not bad.review_overdue
        assert [r.rated_on for r in risks.rating_history(ws, bad.id)] == [None]
        assert risks.get_risk(ws, bad.id).review_date is None
        (action,) = actions.list_actions(ws)
        assert (action.due_date, action.completed_on) == (None, None) and not action.overdue
        assert risks.date_problems(ws) + actions.date_problems(ws) == [
            "Risk R-7: the review date holds “banana”, which is not a date; it is shown blank "
            "until you enter the right date.",
            "Risk R-7: the date identified holds “2026-13-45”, which is not a date; it is shown "
            "blank until you enter the right date.",
            "Risk R-7: the date of a rating holds “soon”, which is not a date; it is shown blank "
            "until you enter the right date.",
            f"Action {action.ref}: the due date holds “banana”, which is not a date; it is "
            "shown blank until you enter the right date.",
            f"Action {action.ref}: the completion date holds “31/02/2026”, which is not a "
            "date; it is shown blank until you enter the right date."]
