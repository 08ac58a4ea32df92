"""Checklist score charts drawn with matplotlib, without Qt: conformity per chapter (4–10) as
bars, per PDCA phase as bars, and a radar of the chapters — each compared with the previous run
of the same template family when there is one (both series drawn, the change in points written).

Scores follow ``core.checklists`` (not-applicable items are out of the denominator, items not
yet assessed are counted apart); every figure writes :data:`core.checklists.SCORE_RULE` under
the score. The charts read without colour: the value is written on each bar and point, the
previous run is hatched (bars) or dashed with square markers (radar), and a group with nothing
assessed says "no score" rather than showing 0 %.

The GUI embeds the same :class:`Figure` (the workshop view redraws it in place with
:func:`update_chapter_figure`, which only moves bars and texts); PNG and SVG files come from
:func:`write_chart`. matplotlib is imported lazily (inside the functions), never at module
import.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ...core import checklists as rules

__all__ = [
    "CHAPTER_NAMES", "KINDS", "PDCA_NAMES", "ChartData", "chapter_figure", "chapter_rows",
    "chart_bytes", "chart_data", "overview_figure", "pdca_figure", "pdca_rows", "radar_figure",
    "update_chapter_figure", "write_chart",
]

#: short names of ISO 9001's chapters (our own words, for the axis labels)
CHAPTER_NAMES = {"4": "Context", "5": "Leadership", "6": "Planning", "7": "Support",
                 "8": "Operation", "9": "Performance", "10": "Improvement"}
PDCA_NAMES = {"plan": "Plan", "do": "Do", "check": "Check", "act": "Act"}
#: the charts :func:`write_chart` can write
KINDS = ("chapters", "pdca", "radar", "overview")

_THEME = {
    False: {"face": "#FFFFFF", "ink": "#1A1A1A", "muted": "#555555", "now": "#2E6DA4",
            "before": "#FFFFFF", "grid": "#D0D0D0"},
    True: {"face": "#2B2B2B", "ink": "#EEEEEE", "muted": "#B0B0B0", "now": "#7FB2E5",
           "before": "#2B2B2B", "grid": "#555555"},
}


@dataclass(slots=True)
class ChartData:
    """What a chart shows: the run's scores and, when there is one, the previous run's.

    ``current`` and ``previous`` need ``overall``, ``by_chapter`` and ``by_pdca`` (a
    ``services.checklists.RunScores`` has them)."""

    title: str
    current: Any
    previous: Any = None
    #: how the previous run is named in the legend ("GA25-01")
    previous_label: str = ""
    rule: str = rules.SCORE_RULE


def chart_data(ws, run_id: int, *, compare_with: int | None | Any = ...) -> ChartData:
    """The scores of run ``run_id`` and of the previous run of its family (or ``compare_with``;
    None: no comparison) from the workspace."""
    from .. import checklists

    now = checklists.run_scores(ws, run_id, compare_with=compare_with)
    runs = {r.id: r for r in checklists.get_runs(ws, [run_id] + (
        [now.previous_run_id] if now.previous_run_id is not None else []))}
    run = runs.get(run_id)
    title = " ".join(x for x in ((run.code, run.title) if run else ()) if x) or f"Run {run_id}"
    before = label = None
    if now.previous_run_id is not None:
        before = checklists.run_scores(ws, now.previous_run_id, compare_with=None)
        prev = runs.get(now.previous_run_id)
        label = (prev.code or prev.title) if prev else f"run {now.previous_run_id}"
    return ChartData(title, now, before, label or "")


# --------------------------------------------------------------------------- values


def _pct(score) -> float | None:
    return None if score is None else score.percent


def _delta(now, before) -> float | None:
    a, b = _pct(now), _pct(before)
    return None if a is None or b is None else a - b


def chapter_rows(data: ChartData) -> list[tuple[str, Any, Any, float | None]]:
    """(chapter, score now, score before or None, change in points or None) per chapter with a
    number (4–10 always, others found after); items without a clause are left out."""
    before = data.previous.by_chapter if data.previous is not None else {}
    return [(k, s, before.get(k), _delta(s, before.get(k)))
            for k, s in data.current.by_chapter.items() if k]


def pdca_rows(data: ChartData) -> list[tuple[str, Any, Any, float | None]]:
    before = data.previous.by_pdca if data.previous is not None else {}
    return [(k, s, before.get(k), _delta(s, before.get(k)))
            for k, s in data.current.by_pdca.items() if k]


def pct_text(score) -> str:
    p = _pct(score)
    return "no score" if p is None else f"{p:.0f} %"


def delta_text(delta: float | None) -> str:
    if delta is None:
        return ""
    return "±0 pts" if round(delta) == 0 else f"{delta:+.0f} pts"


def _counts(score) -> str:
    text = f"{score.assessed}/{score.total}"
    return text + (f", {score.na} N/A" if score.na else "")


def _headline(data: ChartData) -> str:
    text = f"Overall {data.current.overall.text()}"
    d = _delta(data.current.overall,
               data.previous.overall if data.previous is not None else None)
    if data.previous is not None:
        text += f"; {delta_text(d) or 'no change to show'} since {data.previous_label or 'the previous run'}"
    return text


# --------------------------------------------------------------------------- figures


def _new_figure(width: float, height: float, dark: bool, figure=None, layout="constrained"):
    if figure is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width, height), dpi=100, layout=layout)
    else:
        figure.clear()
        figure.set_layout_engine(layout)
    figure.set_facecolor(_THEME[dark]["face"])
    return figure


def _style_axes(ax, theme, size: float) -> None:
    ax.set_facecolor(theme["face"])
    ax.tick_params(colors=theme["ink"], labelsize=size)
    for spine in ax.spines.values():
        spine.set_color(theme["ink"])


def _rule_text(fig, data: ChartData, theme, size: float, width: int = 120) -> None:
    fig.text(0.01, 0.005, "\n".join(textwrap.wrap(data.rule, width)), ha="left", va="bottom",
             fontsize=size, color=theme["muted"])


def _bars(ax, rows, labels: Mapping[str, str], *, theme, size: float, title: str,
          with_counts: bool = True, floor: float = 0.0) -> dict:
    """Grouped bars (now solid, before hatched) with the values written above them; returns
    the artists :func:`update_chapter_figure` moves. No text is smaller than ``floor`` pt."""
    def fs(k: float) -> float:
        return max(floor, size * k)

    n = len(rows)
    xs = list(range(n))
    compare = any(r[2] is not None for r in rows)
    width = 0.38 if compare else 0.62
    off = width / 2 if compare else 0.0
    now = [(_pct(r[1]) or 0.0) for r in rows]
    bars = ax.bar([x + off for x in xs], now, width, color=theme["now"],
                  edgecolor=theme["ink"], linewidth=0.8, label="this run", zorder=3)
    before_bars = None
    if compare:
        before = [(_pct(r[2]) or 0.0) for r in rows]
        before_bars = ax.bar([x - off for x in xs], before, width, color=theme["before"],
                             edgecolor=theme["ink"], hatch="//", linewidth=0.8,
                             label="previous run", zorder=3)
        for x, r, h in zip(xs, rows, before):
            ax.text(x - off, h + 1.5, pct_text(r[2]) if r[2] is not None else "–",
                    ha="center", va="bottom", fontsize=fs(0.8), color=theme["muted"],
                    rotation=90 if _pct(r[2]) is None else 0)
    values, deltas = [], []
    for x, r, h in zip(xs, rows, now):
        values.append(ax.text(x + off, h + 1.5, pct_text(r[1]), ha="center", va="bottom",
                              fontsize=fs(1.0), fontweight="bold", color=theme["ink"],
                              rotation=90 if _pct(r[1]) is None else 0, zorder=4))
        deltas.append(ax.text(x, 112, delta_text(r[3]), ha="center", va="center",
                              fontsize=fs(0.85), color=theme["ink"]))
    ticks = []
    for r in rows:
        name = labels.get(r[0], r[0])
        head = f"{r[0]} {name}" if r[0] in CHAPTER_NAMES and r[0] in labels else name
        ticks.append(f"{head}\n{_counts(r[1])}" if with_counts else head)
    ax.set_xticks(xs, ticks)
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, 120)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("conformity, %", color=theme["ink"], fontsize=fs(0.85))
    ax.yaxis.grid(True, color=theme["grid"], linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_title(title, color=theme["ink"], fontsize=fs(1.05))
    if compare:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=fs(0.8),
                  frameon=False, labelcolor=theme["ink"], borderaxespad=0.2)
    return {"bars": bars, "before": before_bars, "values": values, "deltas": deltas,
            "keys": [r[0] for r in rows], "off": off, "compare": compare}


def chapter_figure(data: ChartData, *, dark: bool = False, figure=None, compact: bool = False,
                   font_size: float | None = None, min_font_size: float = 0.0):
    """Conformity per chapter as bars (4–10), with the previous run beside each when there is
    one. ``compact`` (the workshop's live chart) drops the rule text and uses a fixed layout so
    :func:`update_chapter_figure` redraws cheaply. No text is smaller than ``min_font_size``
    pt (a projector's floor)."""
    theme = _THEME[dark]
    size = font_size or (14.0 if compact else 9.0)
    fig = _new_figure(9, 5, dark, figure, layout=None if compact else "constrained")
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, theme, max(min_font_size, size * 0.9))
    rows = chapter_rows(data)
    title = "" if compact else \
        f"{data.title}: conformity per chapter\n{_headline(data)}"
    art = _bars(ax, rows, {} if compact else CHAPTER_NAMES, theme=theme, size=size,
                title=title, with_counts=not compact, floor=min_font_size)
    art["ax"] = ax
    fig._qms_chapters = art
    if compact:
        # margins in points, from the text sizes, so large type keeps its room at any size
        tick, label = max(min_font_size, size * 0.9), max(min_font_size, size * 0.85)
        legend = max(min_font_size, size * 0.8) if art["compare"] else 0.0
        art["margins_pt"] = (label * 1.4 + tick * 1.9 + 10, 10,
                             legend * 1.6 + 10, tick * 1.4 + 8)
        fit_compact_margins(fig)
    else:
        _rule_text(fig, data, theme, size * 0.85)
        fig.get_layout_engine().set(rect=(0, 0.07, 1, 0.93))
    return fig


def fit_compact_margins(figure) -> None:
    """Set a compact :func:`chapter_figure`'s margins for the figure's current size (call it
    again when the canvas is resized): the axis and tick labels keep their room."""
    art = getattr(figure, "_qms_chapters", None)
    if art is None or "margins_pt" not in art:
        return
    w, h = figure.get_size_inches() * 72
    if w < 1 or h < 1:
        return
    left, right, top, bottom = art["margins_pt"]
    figure.subplots_adjust(left=min(0.45, left / w), right=1 - min(0.2, right / w),
                           top=1 - min(0.3, top / h), bottom=min(0.4, bottom / h))


def update_chapter_figure(figure, data: ChartData) -> bool:
    """Move the bars and texts of a :func:`chapter_figure` to ``data``'s values, in place (no
    new artists, no layout); False when the chapters differ and the figure must be rebuilt."""
    art = getattr(figure, "_qms_chapters", None)
    rows = chapter_rows(data)
    if art is None or [r[0] for r in rows] != art["keys"] \
            or any(r[2] is not None for r in rows) != art["compare"]:
        return False
    for bar, text, dtext, r in zip(art["bars"], art["values"], art["deltas"], rows):
        h = _pct(r[1]) or 0.0
        bar.set_height(h)
        text.set_y(h + 1.5)
        text.set_text(pct_text(r[1]))
        text.set_rotation(90 if _pct(r[1]) is None else 0)
        dtext.set_text(delta_text(r[3]))
    return True


def pdca_figure(data: ChartData, *, dark: bool = False, figure=None):
    """Conformity per PDCA phase as bars, with the previous run beside each."""
    theme = _THEME[dark]
    size = 9.0
    fig = _new_figure(7, 4.6, dark, figure)
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, theme, size * 0.9)
    _bars(ax, pdca_rows(data), PDCA_NAMES, theme=theme, size=size,
          title=f"{data.title}: conformity per PDCA phase\n{_headline(data)}")
    _rule_text(fig, data, theme, size * 0.85, width=95)
    fig.get_layout_engine().set(rect=(0, 0.09, 1, 0.91))
    return fig


def _radar(ax, data: ChartData, theme, size: float) -> None:
    import math

    rows = chapter_rows(data)
    n = len(rows)
    angles = [2 * math.pi * i / n for i in range(n)]
    ax.set_theta_offset(math.pi / 2)  # the first chapter at the top, then clockwise
    ax.set_theta_direction(-1)

    def closed(vals):
        return angles + angles[:1], vals + vals[:1]

    now = [_pct(r[1]) for r in rows]
    nan = float("nan")
    if data.previous is not None:
        before = [_pct(r[2]) for r in rows]
        a, v = closed([nan if x is None else x for x in before])
        ax.plot(a, v, linestyle="--", marker="s", markersize=6, color=theme["muted"],
                linewidth=1.4, label="previous run")
    a, v = closed([nan if x is None else x for x in now])
    ax.plot(a, v, linestyle="-", marker="o", markersize=7, color=theme["now"], linewidth=2.2,
            label="this run")
    ax.fill(a, [0 if x != x else x for x in v], color=theme["now"], alpha=0.15)
    ax.set_thetalim(0, 2 * math.pi)
    for ang, r, val in zip(angles, rows, now):
        text = pct_text(r[1]) + (f" ({delta_text(r[3])})" if r[3] is not None else "")
        ax.text(ang, 108 if val is None else min(val + 12, 118), text, ha="center", va="center",
                fontsize=size * 0.85, fontweight="bold", color=theme["ink"])
    ax.set_xticks(angles, [f"{r[0]} {CHAPTER_NAMES.get(r[0], '')}".strip() for r in rows])
    ax.set_ylim(0, 120)
    ax.set_yticks([25, 50, 75, 100], ["25", "50", "75", "100 %"])
    ax.tick_params(colors=theme["ink"], labelsize=size * 0.85)
    ax.set_facecolor(theme["face"])
    ax.spines["polar"].set_color(theme["ink"])
    ax.grid(color=theme["grid"])
    if data.previous is not None:
        ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), fontsize=size * 0.8,
                  frameon=False, labelcolor=theme["ink"])


def radar_figure(data: ChartData, *, dark: bool = False, figure=None):
    """A radar of conformity per chapter (this run solid with round markers, the previous run
    dashed with square ones), the value and change written at each chapter."""
    theme = _THEME[dark]
    size = 9.0
    fig = _new_figure(7, 6.4, dark, figure)
    ax = fig.add_subplot(1, 1, 1, projection="polar")
    _radar(ax, data, theme, size)
    ax.set_title(f"{data.title}: conformity per chapter\n{_headline(data)}", color=theme["ink"],
                 fontsize=size * 1.05, pad=18)
    _rule_text(fig, data, theme, size * 0.85, width=95)
    fig.get_layout_engine().set(rect=(0, 0.08, 1, 0.92))
    return fig


def overview_figure(data: ChartData, *, dark: bool = False, figure=None):
    """The three charts on one page: chapters and PDCA phases as bars, the radar, the rule."""
    theme = _THEME[dark]
    size = 9.0
    fig = _new_figure(13, 8.5, dark, figure)
    grid = fig.add_gridspec(2, 2, width_ratios=(1.5, 1))
    ax = fig.add_subplot(grid[0, :])
    _style_axes(ax, theme, size * 0.9)
    _bars(ax, chapter_rows(data), CHAPTER_NAMES, theme=theme, size=size,
          title="Conformity per chapter")
    ax2 = fig.add_subplot(grid[1, 0])
    _style_axes(ax2, theme, size * 0.9)
    _bars(ax2, pdca_rows(data), PDCA_NAMES, theme=theme, size=size,
          title="Conformity per PDCA phase")
    ax3 = fig.add_subplot(grid[1, 1], projection="polar")
    _radar(ax3, data, theme, size * 0.9)
    fig.suptitle(f"{data.title}\n{_headline(data)}", color=theme["ink"], fontsize=size * 1.2)
    _rule_text(fig, data, theme, size * 0.85, width=170)
    fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))
    return fig


_BUILDERS = {"chapters": chapter_figure, "pdca": pdca_figure, "radar": radar_figure,
             "overview": overview_figure}


def chart_bytes(data: ChartData, kind: str, fmt: str) -> bytes:
    if kind not in _BUILDERS:
        raise ValueError(f"A checklist chart is one of: {', '.join(KINDS)}.")
    fig = _BUILDERS[kind](data)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, facecolor=fig.get_facecolor())
    return buf.getvalue()


def write_chart(path: str | Path, data: ChartData, kind: str = "chapters") -> Path:
    """The chart ``kind`` (:data:`KINDS`) as PNG or SVG (by the file's suffix), written whole
    or not at all."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError("Charts are written as .png or .svg files.")
    data_bytes = chart_bytes(data, kind, fmt)
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_bytes(data_bytes)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
