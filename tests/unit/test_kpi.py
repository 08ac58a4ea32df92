"""KPI status rules and run-chart control limits (core/kpi.py)."""

import datetime as dt

import pytest

from qms_desktop.core import kpi

D = dt.date


@pytest.mark.parametrize("direction,target,tol,value,expected", [
    (">=", 95, None, 95, "on"),          # meeting the target exactly is on
    (">=", 95, None, 94.99, "off"),
    (">=", 95, 2, 93, "near"),           # the band's edge is near
    (">=", 95, 2, 92.9, "off"),
    ("<=", 2, None, 2, "on"),
    ("<=", 2, None, 1, "on"),
    ("<=", 2, 0.5, 2.5, "near"),
    ("<=", 2, 0.5, 2.6, "off"),
    (">=", None, None, 3, "none"),       # no target: followed, not judged
    (">=", 95, None, None, "none"),
    (">=", 95, 0, 94, "off"),            # a zero band is no band
])
def test_value_status(direction, target, tol, value, expected):
    assert kpi.value_status(direction, target, tol, value) == expected


def test_status_takes_the_latest_day_not_the_listed_order():
    pts = [(D(2026, 3, 1), 99.0), (D(2026, 1, 1), 80.0), (D(2026, 2, 1), 90.0)]
    st = kpi.kpi_status(">=", 95, None, pts, today=D(2026, 3, 10))
    assert (st.status, st.value, st.measured_on, st.late) == ("on", 99.0, D(2026, 3, 1), False)
    assert st.trend == pytest.approx(9.0)
    low = kpi.kpi_status("<=", 2, None, [(D(2026, 1, 1), 3.0), (D(2026, 2, 1), 2.5)],
                         today=D(2026, 2, 2))
    assert low.status == "off" and low.trend == pytest.approx(0.5)  # falling is better


def test_late_after_one_and_a_half_periods():
    pts = [(D(2026, 1, 1), 99.0)]
    assert not kpi.kpi_status(">=", 95, None, pts, frequency="monthly",
                              today=D(2026, 2, 16)).late  # 46 days ≤ 46.5
    assert kpi.kpi_status(">=", 95, None, pts, frequency="monthly", today=D(2026, 2, 17)).late
    assert kpi.kpi_status(">=", 95, None, pts, frequency="weekly", today=D(2026, 1, 12)).late
    st = kpi.kpi_status(">=", 95, None, [], today=D(2026, 1, 1))
    assert st.status == "none" and not st.late and st.label == "not measured"


def test_rule_text_names_target_band_and_direction():
    assert kpi.rule_text(">=", 95, 2, "%") == (
        "On target when the latest value is ≥ 95 %; near target within 2 percentage points "
        "of it (higher is better).")
    # a band in any other unit keeps its unit
    assert kpi.rule_text("<=", 500, 50, "ppm") == (
        "On target when the latest value is ≤ 500 ppm; near target within 50 ppm of it "
        "(lower is better).")
    assert kpi.rule_text("<=", 1.5, None, "ppm") == (
        "On target when the latest value is ≤ 1.5 ppm (lower is better).")
    assert kpi.rule_text(">=", None, None).startswith("No target set")


def test_control_limits_need_enough_points_and_follow_xmr():
    assert kpi.control_limits([1.0] * (kpi.MIN_POINTS_FOR_LIMITS - 1)) is None
    values = [10, 12] * 6  # mean 11, every moving range 2
    lim = kpi.control_limits(values)
    assert lim.centre == pytest.approx(11)
    assert lim.moving_range == pytest.approx(2)
    assert lim.upper == pytest.approx(11 + 2.66 * 2)
    assert lim.lower == pytest.approx(11 - 2.66 * 2)
    assert lim.signals == ()


def test_signals_beyond_limits_and_long_runs():
    values = [10.0, 10.5, 9.5, 10.0] * 3 + [30.0]
    lim = kpi.control_limits(values)
    assert len(values) - 1 in lim.signals
    run = [9.0] * 4 + [11.0] * 8 + [9.0] * 4  # eight above the centre line in a row
    assert kpi.signals(run, 10.0, 100, -100) == list(range(4, 12))
    short = [9.0] * 4 + [11.0] * 7 + [9.0] * 4
    assert kpi.signals(short, 10.0, 100, -100) == []


def test_fmt():
    assert kpi.fmt(95.0, "%") == "95 %"
    assert kpi.fmt(1234.5) == "1,234.5"
    assert kpi.fmt(None) == "—"
