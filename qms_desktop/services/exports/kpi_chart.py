"""KPI run charts drawn with matplotlib, without Qt: the measurements in time order, the target
line, and — from ``core.kpi.MIN_POINTS_FOR_LIMITS`` points on — the XmR centre line and control
limits, with the points that signal ringed.

The same figure is embedded in the GUI (a Qt canvas wraps the :class:`Figure` built here),
written into the management review pack and the objectives' exports. matplotlib is imported
lazily, inside the functions.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from ...core import kpi

__all__ = ["run_chart_figure", "run_chart_png"]

_THEME = {
    False: {"face": "#FFFFFF", "text": "#1A1A1A", "muted": "#666666", "line": "#1F4E79",
            "target": "#2E7D32", "limit": "#B85C00", "signal": "#C00000", "grid": "#DDDDDD"},
    True: {"face": "#2B2B2B", "text": "#E8E8E8", "muted": "#A0A0A0", "line": "#8FC1FF",
           "target": "#81C784", "limit": "#FFB74D", "signal": "#FF8A80", "grid": "#444444"},
}


def run_chart_figure(points: Sequence[tuple[dt.date, float]], *, target: float | None = None,
                     direction: str = kpi.HIGHER, unit: str = "", title: str = "",
                     limits: bool = True, dark: bool = False, size: tuple[float, float] = (6.4, 3.2),
                     dpi: int = 100, legend: bool = True):
    """A matplotlib ``Figure`` (not registered with pyplot) of the run chart of ``points``
    (date, value) in any order; ``limits`` draws the XmR lines when there are enough points.
    ``legend=False`` leaves the legend out (a report that explains the lines once, and names
    each chart in its caption, draws many charts a third faster)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    t = _THEME[bool(dark)]
    pts = sorted(points, key=lambda p: p[0])
    days = [p[0] for p in pts]
    values = [p[1] for p in pts]
    fig = Figure(figsize=size, dpi=dpi, facecolor=t["face"], layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor(t["face"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(t["muted"])
    ax.tick_params(colors=t["text"], labelsize=8)
    ax.grid(True, axis="y", color=t["grid"], linewidth=0.6)
    if title:
        ax.set_title(title, color=t["text"], fontsize=10, loc="left")
    if unit:
        ax.set_ylabel(unit, color=t["muted"], fontsize=8)
    if not pts:
        ax.text(0.5, 0.5, "No measurements yet", transform=ax.transAxes, ha="center",
                va="center", color=t["muted"])
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    many = len(pts) > 60
    ax.plot(days, values, color=t["line"], linewidth=1.0 if many else 1.4,
            marker=None if many else "o", markersize=3.5, label="Measured", zorder=3)
    lim = kpi.control_limits(values) if limits else None
    if lim is not None:
        ax.axhline(lim.centre, color=t["muted"], linewidth=0.9, linestyle="-",
                   label=f"Mean {kpi.fmt(lim.centre)}")
        ax.axhline(lim.upper, color=t["limit"], linewidth=0.9, linestyle=(0, (4, 3)),
                   label=f"Control limits {kpi.fmt(lim.lower)} to {kpi.fmt(lim.upper, unit)}")
        ax.axhline(lim.lower, color=t["limit"], linewidth=0.9, linestyle=(0, (4, 3)))
        if lim.signals:
            ax.scatter([days[i] for i in lim.signals], [values[i] for i in lim.signals],
                       s=42, facecolors="none", edgecolors=t["signal"], linewidths=1.2,
                       zorder=4, label="Signal")
    if target is not None:
        sign = "≥" if direction != kpi.LOWER else "≤"
        ax.axhline(target, color=t["target"], linewidth=1.6,
                   label=f"Target {sign} {kpi.fmt(target, unit)}", zorder=2)
    loc = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))
    if legend:
        leg = fig.legend(loc="outside lower center", ncol=4, fontsize=7, frameon=False)
        for text in leg.get_texts():
            text.set_color(t["text"])
    return fig


def run_chart_png(points: Sequence[tuple[dt.date, float]], *, dpi: int = 150, **kw) -> bytes:
    """The run chart as PNG bytes (for Word and Excel files)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = run_chart_figure(points, dpi=dpi, **kw)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor=fig.get_facecolor())
    return buf.getvalue()
