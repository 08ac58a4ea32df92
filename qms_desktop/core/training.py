"""Training status rules: when a completion expires, and what one cell of the matrix says.

Pure functions over dates; the service (``services/training.py``) gathers the rows and calls
them once per required cell.

A cell of the matrix (one person, one course) has one status:

* ``current`` — a passed completion that has not expired and covers the revision in force;
* ``expiring`` — current, but it expires within the window (the window's last day included);
* ``expired`` — the latest completion expired (on its expiry day itself, it is expired);
* ``retrain`` — the latest completion is for an earlier revision of the linked procedure, or
  predates the day the course was marked revised: due again (by the grace period's end, if any);
* ``due`` — never completed, but the person is still within the grace period of the
  requirement (a new holder of the role); the date is the deadline;
* ``missing`` — required and never completed (or only failed / future-dated attempts);
* ``not_required`` — nobody asks this person for this course (a completion may still exist).

Expiry: the date a record gives, else its completion date plus the course's validity in months
(the day clamped to the month's end: 29 Feb + 12 months is 28 Feb), else never ("once").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CURRENT = "current"
EXPIRING = "expiring"
EXPIRED = "expired"
RETRAIN = "retrain"
DUE = "due"
MISSING = "missing"
NOT_REQUIRED = "not_required"

#: every status, from best to worst for a required cell, then not required
STATUSES = (CURRENT, EXPIRING, DUE, RETRAIN, EXPIRED, MISSING, NOT_REQUIRED)
#: statuses that satisfy a requirement today
COMPLIANT = (CURRENT, EXPIRING)
#: statuses that need training now (due is not late yet)
OVERDUE = (EXPIRED, MISSING, RETRAIN)

#: a symbol per status, so the matrix reads without colour (and prints in black and white)
SYMBOLS = {CURRENT: "✓", EXPIRING: "!", DUE: "◷", RETRAIN: "↻", EXPIRED: "✗", MISSING: "○",
           NOT_REQUIRED: ""}
LABELS = {CURRENT: "current", EXPIRING: "expiring", DUE: "due", RETRAIN: "retraining due",
          EXPIRED: "expired", MISSING: "missing", NOT_REQUIRED: "not required"}

#: the expiring window's choices in days, and its default
WINDOWS = (30, 60, 90)
DEFAULT_WINDOW = 60
#: results that count as a completion
PASSING = ("passed", "attended")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, the day clamped to the last day of the target month."""
    y, mo = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, mo + 1
    if month == 12:
        last = 31
    else:
        last = (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def expiry(completed_on: dt.date | None, validity_months: int | None,
           expires_on: dt.date | None = None) -> dt.date | None:
    """The day a completion stops counting (it is expired from that day on); None = never."""
    if expires_on is not None:
        return expires_on
    if completed_on is None or not validity_months:
        return None
    return add_months(completed_on, validity_months)


def same_revision(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


@dataclass(frozen=True)
class Completion:
    """What the rules need of a training record."""

    completed_on: dt.date
    expires_on: dt.date | None  # already resolved with :func:`expiry`
    document_revision: str = ""


def counts(result: str, completed_on: dt.date | None, today: dt.date) -> bool:
    """Whether a record is a completion on ``today`` (passed or attended, dated, not later)."""
    return completed_on is not None and completed_on <= today and result in PASSING


def cell_status(today: dt.date, window_days: int, *, required: bool,
                latest: Completion | None, since: dt.date | None = None,
                grace_days: int | None = None, revision: str = "",
                revision_since: dt.date | None = None, revised_on: dt.date | None = None,
                ) -> tuple[str, dt.date | None]:
    """The status of one cell and the date that goes with it.

    ``latest`` is the person's latest completion of the course; ``since`` the day the
    requirement started for them (role assignment or start date); ``revision`` and
    ``revision_since`` the revision of the linked procedure in force and the day it took
    effect; ``revised_on`` the day the course itself was marked revised. The date is the
    expiry (current, expiring, expired), the deadline (due, retrain, missing within a grace
    period) or None.
    """
    grace = dt.timedelta(days=grace_days) if grace_days else None
    if latest is None:
        if not required:
            return NOT_REQUIRED, None
        if grace is not None and since is not None:
            deadline = since + grace
            return (DUE if today <= deadline else MISSING), deadline
        return MISSING, None
    if not required:
        return NOT_REQUIRED, latest.expires_on
    outdated: dt.date | None = None
    if revision:
        if latest.document_revision:
            if not same_revision(latest.document_revision, revision):
                outdated = revision_since or latest.completed_on
        elif revision_since is not None and latest.completed_on < revision_since:
            outdated = revision_since
    # a revision day still to come changes nothing yet (update_courses accepts any date)
    if revised_on is not None and revised_on <= today and latest.completed_on < revised_on:
        outdated = max(outdated, revised_on) if outdated else revised_on
    if outdated is not None:
        return RETRAIN, (outdated + grace) if grace is not None else outdated
    exp = latest.expires_on
    if exp is None:
        return CURRENT, None
    if today >= exp:
        return EXPIRED, exp
    if (exp - today).days <= window_days:
        return EXPIRING, exp
    return CURRENT, exp


def holds(valid_from: dt.date | None, valid_to: dt.date | None, today: dt.date) -> bool:
    """Whether a role assignment holds on ``today`` (both ends inclusive, open when None)."""
    return (valid_from is None or valid_from <= today) and (valid_to is None or today <= valid_to)


def has_left(active: bool, left_on: dt.date | None, today: dt.date) -> bool:
    """A leaver: their leaving day has come, or (no leaving day known) marked inactive.

    A leaving day decides when there is one, so the matrix of a day before it still shows
    the person (``mark_left`` marks them inactive at once, even for a day still to come)."""
    if left_on is not None:
        return left_on <= today
    return not active
