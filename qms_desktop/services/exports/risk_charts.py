"""Risk charts drawn with matplotlib, without Qt: 5x5 heat maps (inherent and residual, counts
per cell, coloured by the banding in force) and the FMEA Pareto of RPN coloured by Action
Priority.

The same figures are embedded in the GUI (the Qt canvas wraps the :class:`Figure` built here),
written into the xlsx export and produced by the CLI. Rows may be ``services.risks.RiskRow``
objects or the dicts of ``services.risks.export_rows`` (the same field names).

matplotlib is imported lazily (inside the functions), never at module import.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from qms_desktop.core.palette import LEVEL_COLOURS as PALETTE_LEVELS
from qms_desktop.core.palette import OPPORTUNITY_COLOURS, OPPORTUNITY_WORDS
from qms_desktop.core.risk import (
    AP_LABELS,
    IMPACT_LABELS,
    LEVEL_LABELS,
    LIKELIHOOD_LABELS,
    Banding,
)

__all__ = [
    "AP_COLOURS",
    "LEVEL_COLOURS",
    "STAGES",
    "heatmap_counts",
    "heatmap_figure",
    "heatmap_png",
    "heatmap_svg",
    "pareto_figure",
    "pareto_png",
    "pareto_rows",
    "pareto_svg",
]

STAGES = ("inherent", "residual")

#: (fill, text) colours per level, light and dark: the one palette (core/palette.py) that the
#: register on screen and the xlsx export use too
LEVEL_COLOURS = PALETTE_LEVELS
#: Bar colours and hatches for the Action Priority (the hatch keeps them apart without colour).
AP_COLOURS = {"H": "#C00000", "M": "#E0A100", "L": "#4E9A5B"}
AP_HATCHES = {"H": "xx", "M": "//", "L": ""}
AP_EDGES = {"H": "#5A0000", "M": "#6B4D00", "L": "#24502C"}

_THEME = {
    False: {"face": "#FFFFFF", "text": "#1A1A1A", "grid": "#FFFFFF", "muted": "#666666",
            "line": "#1F4E79", "frame": "#1A1A1A"},
    True: {"face": "#2B2B2B", "text": "#E8E8E8", "grid": "#2B2B2B", "muted": "#A0A0A0",
           "line": "#8FC1FF", "frame": "#F0F0F0"},
}


def _get(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _stage_names(stage: str) -> list[str]:
    if stage == "both":
        return list(STAGES)
    if stage not in STAGES:
        raise ValueError(f"The heat-map stage must be inherent, residual or both, not {stage!r}.")
    return [stage]


def _is_opportunity(row: Any) -> bool:
    return _get(row, "kind") == "opportunity"


def heatmap_counts(rows: Sequence[Any], stage: str = "inherent",
                   kind: str | None = None) -> list[list[int]]:
    """5x5 counts, ``[likelihood-1][impact-1]``, of the rows rated at ``stage``; ``kind``
    "risk" counts threats only, "opportunity" opportunities only, None both."""
    if stage not in STAGES:
        raise ValueError(f"The heat-map stage must be inherent or residual, not {stage!r}.")
    if kind is not None:
        wanted = kind == "opportunity"
        rows = [r for r in rows if _is_opportunity(r) == wanted]
    grid = [[0] * 5 for _ in range(5)]
    for row in rows:
        lk = _get(row, f"{stage}_likelihood")
        im = _get(row, f"{stage}_impact")
        if isinstance(lk, int) and isinstance(im, int) and 1 <= lk <= 5 and 1 <= im <= 5:
            grid[lk - 1][im - 1] += 1
    return grid


def _new_figure(width: float, height: float, dark: bool, figure=None):
    """A new Figure, or ``figure`` cleared for redrawing (an embedded canvas keeps its own)."""
    if figure is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    else:
        figure.clear()
        figure.set_layout_engine("constrained")
    figure.set_facecolor(_THEME[dark]["face"])
    return figure


def _draw_heatmap(ax, counts: list[list[int]], banding: Banding, title: str, dark: bool,
                  selected: tuple[int, int] | None, opportunity: bool = False) -> None:
    from matplotlib.patches import Rectangle

    theme = _THEME[dark]
    colours = (OPPORTUNITY_COLOURS if opportunity else LEVEL_COLOURS)[dark]
    words = OPPORTUNITY_WORDS if opportunity else LEVEL_LABELS
    ax.set_facecolor(theme["face"])
    total = sum(map(sum, counts))
    for lk in range(1, 6):
        for im in range(1, 6):
            level = banding.level(lk, im)
            fill, ink = colours[level]
            ax.add_patch(Rectangle((im - 0.5, lk - 0.5), 1, 1, facecolor=fill,
                                   edgecolor=theme["grid"], linewidth=2))
            n = counts[lk - 1][im - 1]
            ax.text(im, lk + 0.08, str(n) if n else "·", ha="center", va="center",
                    fontsize=15 if n else 12, fontweight="bold" if n else "normal", color=ink)
            ax.text(im, lk - 0.3, words[level], ha="center", va="center", fontsize=7,
                    color=ink, alpha=0.85)
    if selected is not None:
        lk, im = selected
        ax.add_patch(Rectangle((im - 0.5, lk - 0.5), 1, 1, fill=False,
                               edgecolor=theme["frame"], linewidth=3.5, zorder=5))
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(1, 6))
    ax.set_xticklabels([f"{i}\n{IMPACT_LABELS[i]}" for i in range(1, 6)], fontsize=7,
                       color=theme["text"])
    ax.set_yticks(range(1, 6))
    ax.set_yticklabels([f"{LIKELIHOOD_LABELS[i]} {i}" for i in range(1, 6)], fontsize=7,
                       color=theme["text"])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Impact", color=theme["text"], fontsize=9)
    ax.set_ylabel("Likelihood", color=theme["text"], fontsize=9)
    ax.set_title(f"{title} ({total} rated)", color=theme["text"], fontsize=10)


def heatmap_figure(rows: Sequence[Any], banding: Banding | None = None, stage: str = "both", *,
                   dark: bool = False, selected: tuple[str, int, int] | None = None,
                   width: float | None = None, height: float = 4.2, figure=None):
    """A matplotlib Figure with the 5x5 heat map of ``stage`` ("inherent", "residual" or
    "both" side by side). Each axes' ``get_gid()`` is its stage, so a click can be mapped to a
    cell: impact = round(xdata), likelihood = round(ydata). ``selected`` = (stage, likelihood,
    impact) outlines one cell. ``figure``: draw into this Figure instead of a new one.

    Opportunities are never counted with threats: when ``rows`` hold any, a second row of
    heat maps counts them in their own blue scale and level words (``core.palette``), with
    the gid "opportunity:<stage>". A threat and an opportunity in the same cell call for
    opposite responses (reduce one, pursue the other), so one count and one colour could not
    tell a quality lead what to do; ``height`` is per row of maps."""
    banding = banding or Banding.default()
    stages = _stage_names(stage)
    kinds = ["risk"] + (["opportunity"] if any(_is_opportunity(r) for r in rows) else [])
    fig = _new_figure(width or 4.6 * len(stages), height * len(kinds), dark, figure)
    grid = fig.subplots(len(kinds), len(stages), squeeze=False)
    for kind, axes in zip(kinds, grid):
        chance = kind == "opportunity"
        for ax, name in zip(axes, stages):
            ax.set_gid(f"opportunity:{name}" if chance else name)
            cell = ((selected[1], selected[2]) if selected and selected[0] == name and not chance
                    else None)
            title = ("Inherent" if name == "inherent" else "Residual") + \
                (" opportunity" if chance else " risk")
            _draw_heatmap(ax, heatmap_counts(rows, name, kind), banding, title, dark, cell,
                          chance)
    return fig


def _render(fig, fmt: str, dpi: int) -> bytes:
    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    fig.savefig(buffer, format=fmt, dpi=dpi, facecolor=fig.get_facecolor(), metadata=metadata)
    return buffer.getvalue()


def heatmap_png(rows: Sequence[Any], banding: Banding | None = None, stage: str = "both", *,
                dpi: int = 120, dark: bool = False) -> bytes:
    """The heat map(s) as PNG bytes."""
    return _render(heatmap_figure(rows, banding, stage, dark=dark), "png", dpi)


def heatmap_svg(rows: Sequence[Any], banding: Banding | None = None, stage: str = "both", *,
                dark: bool = False) -> bytes:
    """The heat map(s) as SVG bytes (UTF-8 text)."""
    return _render(heatmap_figure(rows, banding, stage, dark=dark), "svg", 72)


# --------------------------------------------------------------------------------------------
# FMEA Pareto
# --------------------------------------------------------------------------------------------

_AP_RANK = {"H": 0, "M": 1, "L": 2}


def pareto_rows(rows: Sequence[Any], order: str = "ap") -> list[Any]:
    """FMEA-rated rows (with an RPN), most urgent first: by Action Priority (H, M, L) then
    RPN with ``order="ap"`` (AIAG-VDA ranks by AP, not RPN), by RPN then AP with "rpn"."""
    if order not in ("ap", "rpn"):
        raise ValueError(f"The Pareto order must be 'ap' or 'rpn', not {order!r}.")
    rated = [r for r in rows if isinstance(_get(r, "rpn"), int) and _get(r, "ap")]

    def key(r):
        ap, value = _AP_RANK.get(_get(r, "ap"), 3), -_get(r, "rpn")
        return ((ap, value) if order == "ap" else (value, ap)), str(_get(r, "ref") or "")

    rated.sort(key=key)
    return rated


def pareto_figure(rows: Sequence[Any], *, top: int = 25, order: str = "ap", dark: bool = False,
                  width: float = 9.2, height: float = 4.2, figure=None):
    """Bars of the ``top`` most urgent FMEA risks' RPN (coloured and hatched by Action Priority,
    ordered as :func:`pareto_rows`) with the cumulative share of all FMEA risks' RPN as a
    line. ``figure``: draw into this Figure instead of a new one."""
    from matplotlib.patches import Patch

    theme = _THEME[dark]
    fig = _new_figure(width, height, dark, figure)
    ax = fig.add_subplot()
    ax.set_facecolor(theme["face"])
    rated = pareto_rows(rows, order)
    counts = {ap: sum(1 for r in rated if _get(r, "ap") == ap) for ap in ("H", "M", "L")}
    ranked = "Action Priority, then RPN" if order == "ap" else "RPN, then Action Priority"
    title = (f"FMEA Pareto by {ranked} "
             f"(AP H {counts['H']} · M {counts['M']} · L {counts['L']})")
    ax.set_title(title, color=theme["text"], fontsize=10)
    for spine in ax.spines.values():
        spine.set_color(theme["muted"])
    ax.tick_params(colors=theme["text"], labelsize=7)
    if not rated:
        ax.text(0.5, 0.5, "No risk has severity, occurrence and detection ratings yet.",
                ha="center", va="center", transform=ax.transAxes, color=theme["muted"])
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    shown = rated[:top]
    total = sum(_get(r, "rpn") for r in rated)
    xs = list(range(len(shown)))
    for x, r in zip(xs, shown):
        ap = _get(r, "ap")
        ax.bar(x, _get(r, "rpn"), color=AP_COLOURS.get(ap, "#888888"),
               hatch=AP_HATCHES.get(ap, ""), edgecolor=AP_EDGES.get(ap, "#444444"),
               linewidth=0.6)
    ax.set_xticks(xs)
    ax.set_xticklabels([str(_get(r, "ref") or _get(r, "id") or "") for r in shown],
                       rotation=60, ha="right")
    ax.set_ylabel("RPN (S × O × D)", color=theme["text"], fontsize=9)
    ax.set_xlim(-0.6, len(shown) - 0.4)

    running, cumulative = 0, []
    for r in shown:
        running += _get(r, "rpn")
        cumulative.append(100.0 * running / total)
    ax2 = ax.twinx()
    (line,) = ax2.plot(xs, cumulative, color=theme["line"], marker="o", markersize=3,
                       linewidth=1.4, gid="cumulative", label="Cumulative share of RPN (%)")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("Cumulative share of all RPN (%)", color=theme["text"], fontsize=9)
    ax2.tick_params(colors=theme["text"], labelsize=7)
    for spine in ax2.spines.values():
        spine.set_color(theme["muted"])
    handles = [Patch(facecolor=AP_COLOURS[ap], hatch=AP_HATCHES[ap], edgecolor=AP_EDGES[ap],
                     label=f"AP {ap}: {AP_LABELS[ap]}") for ap in ("H", "M", "L")]
    handles.append(line)  # the line says what it is, next to the bars' priorities
    # Outside the axes, in one row under the plot: bars can reach the top on the left and the
    # cumulative line always ends at the top on the right, so no corner inside the axes is free
    # for every register.
    legend = fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                        fontsize=7, frameon=False)
    legend.set_gid("ap-legend")
    for text in legend.get_texts():
        text.set_color(theme["text"])
    if len(rated) > len(shown):
        note = f"Top {len(shown)} of {len(rated)} FMEA risks"
    else:
        note = f"{len(rated)} FMEA risk{'s' if len(rated) != 1 else ''}"
    ax.set_xlabel(note, color=theme["muted"], fontsize=7)
    return fig


def pareto_png(rows: Sequence[Any], *, top: int = 25, order: str = "ap", dpi: int = 120,
               dark: bool = False) -> bytes:
    """The FMEA Pareto as PNG bytes."""
    return _render(pareto_figure(rows, top=top, order=order, dark=dark), "png", dpi)


def pareto_svg(rows: Sequence[Any], *, top: int = 25, order: str = "ap",
               dark: bool = False) -> bytes:
    """The FMEA Pareto as SVG bytes."""
    return _render(pareto_figure(rows, top=top, order=order, dark=dark), "svg", 72)

