"""The training status rules (core/training.py) at their boundaries: the expiring window's
edge, the expiry day itself, leap days, "once" courses, attempts that do not count, grace
periods and retraining on revision."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.core import training as T

D = dt.date
DAY = dt.timedelta(days=1)
TODAY = D(2026, 3, 10)
WINDOW = 60


def done(on: dt.date, validity: int | None = 12, revision: str = "") -> T.Completion:
    return T.Completion(on, T.expiry(on, validity), revision)


def status(latest, **kw):
    kw.setdefault("required", True)
    return T.cell_status(kw.pop("today", TODAY), kw.pop("window", WINDOW), latest=latest, **kw)


# --------------------------------------------------------------------------- add_months, expiry

@pytest.mark.parametrize("day, months, want", [
    (D(2024, 2, 29), 12, D(2025, 2, 28)),     # leap day + a year: clamped
    (D(2024, 2, 29), 48, D(2028, 2, 29)),     # leap day + four years: a leap day again
    (D(2024, 2, 29), 24, D(2026, 2, 28)),
    (D(2025, 1, 31), 1, D(2025, 2, 28)),      # month end clamped
    (D(2024, 1, 31), 1, D(2024, 2, 29)),      # ... to the leap day in a leap year
    (D(2025, 3, 31), 1, D(2025, 4, 30)),
    (D(2025, 11, 30), 1, D(2025, 12, 30)),    # into December
    (D(2025, 12, 31), 1, D(2026, 1, 31)),     # over the year's end
    (D(2025, 12, 15), 12, D(2026, 12, 15)),   # landing on December
    (D(2025, 1, 31), 11, D(2025, 12, 31)),
    (D(2025, 5, 31), 0, D(2025, 5, 31)),
    (D(2025, 3, 31), -1, D(2025, 2, 28)),     # backwards
    (D(2026, 1, 15), -13, D(2024, 12, 15)),   # backwards over a year's end
    (D(2020, 6, 30), 600, D(2070, 6, 30)),
])
def test_add_months(day, months, want):
    assert T.add_months(day, months) == want


def test_expiry_from_the_course_or_the_record():
    assert T.expiry(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert T.expiry(D(2025, 1, 10), 36) == D(2028, 1, 10)
    assert T.expiry(D(2025, 1, 10), None) is None  # "once"
    assert T.expiry(D(2025, 1, 10), 0) is None
    assert T.expiry(D(2025, 1, 10), 12, D(2025, 6, 1)) == D(2025, 6, 1)  # the record's own
    assert T.expiry(None, 12) is None


# --------------------------------------------------------------------------- expiry statuses

def test_expiring_on_the_windows_edge_and_current_one_day_beyond():
    edge = TODAY + WINDOW * DAY
    assert status(T.Completion(D(2025, 1, 1), edge)) == (T.EXPIRING, edge)
    assert status(T.Completion(D(2025, 1, 1), edge + DAY)) == (T.CURRENT, edge + DAY)
    # the window is a parameter
    assert status(T.Completion(D(2025, 1, 1), TODAY + 30 * DAY), window=30)[0] == T.EXPIRING
    assert status(T.Completion(D(2025, 1, 1), TODAY + 31 * DAY), window=30)[0] == T.CURRENT
    assert status(T.Completion(D(2025, 1, 1), TODAY + 90 * DAY), window=90)[0] == T.EXPIRING


def test_expired_on_the_expiry_day_itself():
    assert status(T.Completion(D(2025, 1, 1), TODAY)) == (T.EXPIRED, TODAY)
    assert status(T.Completion(D(2025, 1, 1), TODAY + DAY)) == (T.EXPIRING, TODAY + DAY)
    assert status(T.Completion(D(2024, 1, 1), TODAY - 400 * DAY)) == (
        T.EXPIRED, TODAY - 400 * DAY)
    # a completion made exactly a validity ago expires today
    assert status(done(T.add_months(TODAY, -12), 12)) == (T.EXPIRED, TODAY)
    assert status(done(T.add_months(TODAY, -12) + DAY, 12))[0] == T.EXPIRING


def test_leap_day_completions():
    leap = D(2024, 2, 29)
    assert status(done(leap, 12), today=D(2025, 2, 27)) == (T.EXPIRING, D(2025, 2, 28))
    assert status(done(leap, 12), today=D(2025, 2, 28)) == (T.EXPIRED, D(2025, 2, 28))
    assert status(done(leap, 48), today=D(2028, 2, 28)) == (T.EXPIRING, D(2028, 2, 29))
    assert status(done(leap, 48), today=D(2028, 2, 29)) == (T.EXPIRED, D(2028, 2, 29))
    assert status(done(leap, 48), today=D(2027, 12, 30)) == (T.CURRENT, D(2028, 2, 29))


def test_once_courses_never_expire():
    old = done(D(1990, 5, 1), None)
    assert old.expires_on is None
    assert status(old) == (T.CURRENT, None)
    assert status(old, today=D(2999, 1, 1), window=90) == (T.CURRENT, None)


# --------------------------------------------------------------------------- what counts

def test_failed_and_future_dated_attempts_do_not_count():
    assert T.counts("passed", TODAY, TODAY)
    assert T.counts("attended", TODAY - DAY, TODAY)
    assert not T.counts("failed", TODAY - DAY, TODAY)
    assert not T.counts("passed", TODAY + DAY, TODAY)
    assert not T.counts("passed", None, TODAY)
    assert not T.counts("", TODAY, TODAY)


def test_not_required_and_missing():
    assert status(None, required=False) == (T.NOT_REQUIRED, None)
    rec = done(TODAY - 10 * DAY)
    assert status(rec, required=False) == (T.NOT_REQUIRED, rec.expires_on)
    assert status(None) == (T.MISSING, None)
    assert status(None, since=TODAY - DAY) == (T.MISSING, None)  # no grace period


# --------------------------------------------------------------------------- grace periods

def test_grace_period_deadline_day_is_still_due():
    start = TODAY - 30 * DAY
    assert status(None, since=start, grace_days=30) == (T.DUE, TODAY)
    assert status(None, since=start, grace_days=31) == (T.DUE, TODAY + DAY)
    assert status(None, since=start, grace_days=29) == (T.MISSING, TODAY - DAY)
    assert status(None, since=TODAY, grace_days=14) == (T.DUE, TODAY + 14 * DAY)
    # a grace period needs a start day to count from
    assert status(None, since=None, grace_days=30) == (T.MISSING, None)


def test_grace_period_of_zero_days_is_no_grace():
    assert status(None, since=TODAY - DAY, grace_days=0)[0] == T.MISSING


def test_a_completion_overrides_the_grace_period():
    rec = done(TODAY - 5 * DAY, 24)
    assert status(rec, since=TODAY - 10 * DAY, grace_days=30) == (T.CURRENT, rec.expires_on)


# --------------------------------------------------------------------------- retraining

def test_record_naming_an_older_revision_is_due_again():
    since = TODAY - 20 * DAY
    rec = done(D(2025, 6, 1), None, "B")
    assert status(rec, revision="C", revision_since=since) == (T.RETRAIN, since)
    assert status(rec, revision="C", revision_since=since, grace_days=30) == (
        T.RETRAIN, since + 30 * DAY)
    # same revision, spelt differently: current
    assert status(done(D(2025, 6, 1), None, " c "), revision="C", revision_since=since) == (
        T.CURRENT, None)
    # trained on the new revision before it took effect: current
    assert status(done(since - 5 * DAY, None, "C"), revision="C", revision_since=since)[0] == \
        T.CURRENT


def test_retraining_wins_over_expiry():
    rec = done(D(2023, 1, 1), 12, "A")  # long expired, and on an old revision
    assert status(rec, revision="B", revision_since=D(2025, 1, 1))[0] == T.RETRAIN


def test_record_naming_no_revision_and_predating_the_effective_date():
    since = TODAY - 20 * DAY
    assert status(done(since - DAY, None), revision="C", revision_since=since) == (
        T.RETRAIN, since)
    assert status(done(since, None), revision="C", revision_since=since) == (T.CURRENT, None)
    assert status(done(since + DAY, None), revision="C", revision_since=since) == (
        T.CURRENT, None)
    # no effective date known: nothing to compare with
    assert status(done(since - DAY, None), revision="C", revision_since=None) == (
        T.CURRENT, None)


def test_no_revision_in_force_means_no_retraining():
    assert status(done(TODAY - DAY, None, "A"), revision="") == (T.CURRENT, None)


def test_course_marked_revised():
    revised = TODAY - 7 * DAY
    assert status(done(revised - DAY, 24), revised_on=revised) == (T.RETRAIN, revised)
    assert status(done(revised - DAY, 24), revised_on=revised, grace_days=14) == (
        T.RETRAIN, revised + 14 * DAY)
    assert status(done(revised, 24), revised_on=revised)[0] == T.CURRENT
    assert status(done(revised + DAY, 24), revised_on=revised)[0] == T.CURRENT
    # both a newer document revision and a later course revision: the later day counts
    rec = done(D(2025, 1, 1), None, "A")
    assert status(rec, revision="B", revision_since=D(2025, 6, 1), revised_on=revised) == (
        T.RETRAIN, revised)


def test_course_marked_revised_in_the_future_changes_nothing_yet():
    later = TODAY + 10 * DAY
    assert status(done(TODAY - DAY, 24), revised_on=later)[0] == T.CURRENT
    assert status(done(TODAY - DAY, 24), revised_on=later, today=later)[0] == T.RETRAIN


# --------------------------------------------------------------------------- roles, leavers

def test_role_assignment_ends_are_inclusive():
    assert T.holds(None, None, TODAY)
    assert T.holds(TODAY, TODAY, TODAY)
    assert T.holds(TODAY - DAY, TODAY, TODAY)
    assert not T.holds(TODAY - 10 * DAY, TODAY - DAY, TODAY)  # ended yesterday
    assert T.holds(None, TODAY + DAY, TODAY)
    assert not T.holds(TODAY + DAY, None, TODAY)  # starts tomorrow


def test_leavers():
    assert T.has_left(False, None, TODAY)
    assert T.has_left(True, TODAY, TODAY)
    assert T.has_left(True, TODAY - DAY, TODAY)
    assert not T.has_left(True, TODAY + DAY, TODAY)
    assert not T.has_left(True, None, TODAY)
    # a leaving day decides when known: inactive, but the day has not come yet
    assert not T.has_left(False, TODAY + DAY, TODAY)
    assert T.has_left(False, TODAY, TODAY)


def test_every_status_has_a_symbol_and_a_label():
    for s in T.STATUSES:
        assert s in T.SYMBOLS and T.LABELS[s]
    assert len({T.SYMBOLS[s] for s in T.STATUSES if s != T.NOT_REQUIRED}) == len(T.STATUSES) - 1
    assert T.DEFAULT_WINDOW in T.WINDOWS
