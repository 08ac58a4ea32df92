"""Training compliance charts drawn with matplotlib, without Qt: the share of required training
that is current, per department and per course (horizontal bars with the figures written on
them, so the chart reads in black and white). The GUI wraps the same :class:`Figure`; PNG and
SVG files come from :func:`write_chart`.

matplotlib is imported lazily (inside the functions), never at module import.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ...core.palette import TRAINING_COLOURS


def compliance_figure(matrix: Any, group: str = "department", *, dark: bool = False,
                      figure: Any = None, limit: int = 40):
    """Bars of compliant / required per department or per course (worst first for courses)."""
    from matplotlib.figure import Figure

    rows = matrix.compliance(group)
    if group == "course":
        rows = sorted(rows, key=lambda t: (t[1] / t[2], t[0]))[:limit]
    fig = figure if figure is not None else Figure(figsize=(8, 0.8 + 0.32 * max(len(rows), 3)),
                                                  dpi=100, layout="constrained")
    fig.clear()
    ink = "#E8E8E8" if dark else "#202020"
    fig.set_facecolor("#2B2B2B" if dark else "#FFFFFF")
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor(fig.get_facecolor())
    labels = [r[0] for r in rows][::-1]
    share = [100.0 * r[1] / r[2] for r in rows][::-1]
    good, _ = TRAINING_COLOURS[dark]["current"]
    bad, _ = TRAINING_COLOURS[dark]["missing"]
    ax.barh(labels, [100] * len(labels), color=bad, edgecolor=ink, linewidth=0.4)
    ax.barh(labels, share, color=good, edgecolor=ink, linewidth=0.4)
    for y, (r, s) in enumerate(zip(rows[::-1], share)):
        ax.text(101, y, f"{s:.0f} %  ({r[1]} of {r[2]})", va="center", ha="left",
                fontsize=8, color=ink)
    ax.set_xlim(0, 130)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("current training, % of what is required", color=ink)
    ax.set_title("Training compliance per " + ("course" if group == "course" else "department")
                 + f" on {matrix.today.isoformat()}", color=ink, fontsize=10)
    ax.tick_params(colors=ink, labelsize=8)
    for spine in ax.spines.values():
        spine.set_color(ink)
    if not rows:
        ax.text(50, 0, "nothing is required yet", ha="center", color=ink)
    return fig


def chart_bytes(matrix: Any, group: str, fmt: str) -> bytes:
    fig = compliance_figure(matrix, group)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


def write_chart(path: str | Path, matrix: Any, group: str = "department") -> Path:
    """The chart as PNG or SVG (by the file's suffix), written whole or not at all."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError("Charts are written as .png or .svg files.")
    data = chart_bytes(matrix, group, fmt)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
