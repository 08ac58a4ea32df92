"""Objectives and KPIs: whether a value is on target, and the control limits of a run chart.

Pure functions over numbers and dates; the objectives service, the management review pack, the
dashboard and the roadmap all call these, so every screen and report says the same thing.

Status of a KPI (``kpi_status``), from its **latest** measurement:

* ``on`` — the value meets the target in the KPI's direction (``>=``: at least the target,
  higher is better; ``<=``: at most the target, lower is better). Meeting it exactly is on.
* ``near`` — misses the target by no more than the tolerance (a band in the KPI's unit). A KPI
  without a tolerance is never near: it is on or off.
* ``off`` — misses it by more than the tolerance.
* ``none`` — no measurement yet, or no target set: it cannot be judged.

A KPI whose latest measurement is older than ``LATE_FACTOR`` times its frequency's period is
also ``late`` (a flag beside the status: the figure is stale, measure again).

Control limits (``control_limits``) are those of an individuals chart (XmR): the centre line is
the mean of the points, the limits are the mean ± 2.66 × the mean moving range (Wheeler). They
are drawn only from ``MIN_POINTS_FOR_LIMITS`` points on; with fewer the chart shows the target
line alone. ``signals`` names the points that call for a look: beyond a limit, or a run of
``RUN_LENGTH`` points on one side of the centre line.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

ON = "on"
NEAR = "near"
OFF = "off"
NONE = "none"
STATUSES = (ON, NEAR, OFF, NONE)
LABELS = {ON: "on target", NEAR: "near target", OFF: "off target", NONE: "not measured"}
#: read without colour too (screen, print, Word)
SYMBOLS = {ON: "✓", NEAR: "≈", OFF: "✗", NONE: "○"}

HIGHER = ">="
LOWER = "<="
DIRECTION_WORDS = {HIGHER: "higher is better", LOWER: "lower is better"}

#: days in one period of each measuring frequency
PERIOD_DAYS = {"weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}
#: a latest measurement older than this many periods is late
LATE_FACTOR = 1.5
#: the fewest points from which control limits are drawn
MIN_POINTS_FOR_LIMITS = 12
#: the XmR constant: 3 / d2 for subgroups of two
XMR_FACTOR = 2.66
#: points in a row on one side of the centre line that make a signal
RUN_LENGTH = 8


def value_status(direction: str, target: float | None, tolerance: float | None,
                 value: float | None) -> str:
    """``on``, ``near``, ``off`` or ``none`` for one value (see the module's rules)."""
    if value is None or target is None or _nan(value) or _nan(target):
        return NONE
    miss = (target - value) if direction != LOWER else (value - target)
    if miss <= 0:
        return ON
    if tolerance is not None and tolerance > 0 and miss <= tolerance:
        return NEAR
    return OFF


def rule_text(direction: str, target: float | None, tolerance: float | None,
              unit: str = "") -> str:
    """The rule in words, shown beside a status ("On target when the latest value is ≥ 95 %;
    near target within 2 percentage points of it (higher is better)."; a band in other units
    reads "within 50 ppm of it")."""
    if target is None:
        return "No target set: the KPI is followed but not judged."
    sign = "≥" if direction != LOWER else "≤"
    text = f"On target when the latest value is {sign} {fmt(target, unit)}"
    if tolerance:
        # a band around a percentage is in points: "within 1.5 % of it" reads as 1.5 % of 95
        band = f"{fmt(tolerance)} percentage points" if unit.strip() == "%" else \
            f"{fmt(tolerance, unit)}"
        text += f"; near target within {band} of it"
    return text + f" ({DIRECTION_WORDS.get(direction, DIRECTION_WORDS[HIGHER])})."


def fmt(value: float | None, unit: str = "") -> str:
    """A value as people write it: no trailing ``.0``, at most 2 decimals, with its unit."""
    if value is None or _nan(value):
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


@dataclass(frozen=True)
class KpiStatus:
    status: str
    #: the latest value and its day (None when not measured)
    value: float | None
    measured_on: dt.date | None
    #: the latest measurement is older than the frequency allows
    late: bool
    rule: str
    #: the change against the previous measurement, in the good direction when positive
    trend: float | None = None

    @property
    def label(self) -> str:
        text = LABELS[self.status]
        return f"{text}, late" if self.late else text

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]


def kpi_status(direction: str, target: float | None, tolerance: float | None,
               points: list[tuple[dt.date, float]], *, frequency: str = "monthly",
               unit: str = "", today: dt.date | None = None) -> KpiStatus:
    """The status of a KPI from its measurements (in any order; the latest day counts, and on
    a day measured twice the later-listed value)."""
    rule = rule_text(direction, target, tolerance, unit)
    if not points:
        return KpiStatus(NONE, None, None, False, rule)
    ordered = sorted(enumerate(points), key=lambda ip: (ip[1][0], ip[0]))
    day, value = ordered[-1][1]
    trend = None
    if len(ordered) > 1:
        prev = ordered[-2][1][1]
        trend = (value - prev) if direction != LOWER else (prev - value)
    today = today or dt.date.today()
    period = PERIOD_DAYS.get(frequency, PERIOD_DAYS["monthly"])
    late = (today - day).days > period * LATE_FACTOR
    return KpiStatus(value_status(direction, target, tolerance, value), value, day, late, rule,
                     trend)


@dataclass(frozen=True)
class Limits:
    centre: float
    upper: float
    lower: float
    #: the mean moving range the limits come from
    moving_range: float
    #: indexes (into the values given) of points beyond a limit or in a long run
    signals: tuple[int, ...] = field(default_factory=tuple)


def control_limits(values: list[float]) -> Limits | None:
    """XmR limits of ``values`` in time order, or None below ``MIN_POINTS_FOR_LIMITS``."""
    values = [v for v in values if not _nan(v)]
    if len(values) < MIN_POINTS_FOR_LIMITS:
        return None
    centre = math.fsum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:])]
    mr = math.fsum(ranges) / len(ranges)
    upper, lower = centre + XMR_FACTOR * mr, centre - XMR_FACTOR * mr
    return Limits(centre, upper, lower, mr, tuple(signals(values, centre, upper, lower)))


def signals(values: list[float], centre: float, upper: float, lower: float) -> list[int]:
    """Indexes of points beyond a limit, and of every point of a run of ``RUN_LENGTH`` or more
    on one side of the centre line (a point on the line breaks a run)."""
    out = {i for i, v in enumerate(values) if v > upper or v < lower}
    run: list[int] = []
    side = 0
    for i, v in enumerate(values):
        s = (v > centre) - (v < centre)
        if s != 0 and s == side:
            run.append(i)
        else:
            if len(run) >= RUN_LENGTH:
                out.update(run)
            run, side = ([i], s) if s else ([], 0)
    if len(run) >= RUN_LENGTH:
        out.update(run)
    return sorted(out)


def _nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)
