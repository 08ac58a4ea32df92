"""KPI run charts (services/exports/kpi_chart.py): lines drawn from the rules in core/kpi."""

import datetime as dt

from qms_desktop.core import kpi
from qms_desktop.services.exports.kpi_chart import run_chart_figure, run_chart_png


def _pts(n, start=dt.date(2025, 1, 6)):
    return [(start + dt.timedelta(weeks=i), 90.0 + (i % 5)) for i in range(n)]


def _labels(fig):
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()]


def test_limits_only_from_enough_points():
    few = run_chart_figure(_pts(kpi.MIN_POINTS_FOR_LIMITS - 1), target=95, unit="%")
    assert not any(x.startswith("Control limits") for x in _labels(few))
    assert "Target ≥ 95 %" in _labels(few)
    many = run_chart_figure(_pts(kpi.MIN_POINTS_FOR_LIMITS), target=95, unit="%")
    lim = kpi.control_limits([v for _d, v in _pts(kpi.MIN_POINTS_FOR_LIMITS)])
    assert f"Control limits {kpi.fmt(lim.lower)} to {kpi.fmt(lim.upper, '%')}" in _labels(many)
    off = run_chart_figure(_pts(30), target=2, direction="<=", limits=False)
    assert _labels(off) == ["Measured", "Target ≤ 2"]


def test_points_in_time_order_and_empty_chart():
    pts = _pts(5)
    fig = run_chart_figure(list(reversed(pts)))
    xs = fig.axes[0].lines[0].get_xdata()
    assert list(xs) == sorted(xs)
    empty = run_chart_figure([])
    assert [t.get_text() for t in empty.axes[0].texts] == ["No measurements yet"]


def test_png_bytes():
    data = run_chart_png(_pts(260), target=92, unit="%", title="On-time delivery", dpi=80)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
