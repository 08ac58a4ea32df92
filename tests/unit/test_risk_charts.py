"""Risk charts without Qt: heat-map counts, PNG/SVG output, the Pareto order."""

from __future__ import annotations

import sys

import pytest

from qms_desktop.core.risk import Banding, action_priority, rpn
from qms_desktop.services.exports import risk_charts as charts


def row(ref, inh=None, res=None, sod=None):
    d = {"ref": ref, "inherent_likelihood": None, "inherent_impact": None,
         "residual_likelihood": None, "residual_impact": None, "rpn": None, "ap": ""}
    if inh:
        d["inherent_likelihood"], d["inherent_impact"] = inh
    if res:
        d["residual_likelihood"], d["residual_impact"] = res
    if sod:
        d["rpn"], d["ap"] = rpn(*sod), action_priority(*sod)
    return d


ROWS = [row("R-1", (3, 4), (2, 4), (9, 3, 7)), row("R-2", (3, 4), None, (4, 4, 4)),
        row("R-3", (5, 5), (1, 1)), row("R-4", None, None, (10, 10, 10)),
        row("R-5", (3, 9)), row("R-6", (2, 2), (2, 2), (2, 2, 2))]


def test_counts_per_cell_ignore_unrated_and_out_of_range():
    inherent = charts.heatmap_counts(ROWS, "inherent")
    assert inherent[2][3] == 2 and inherent[4][4] == 1 and inherent[1][1] == 1
    assert sum(map(sum, inherent)) == 4  # R-4 unrated, R-5 impact 9 out of range
    residual = charts.heatmap_counts(ROWS, "residual")
    assert sum(map(sum, residual)) == 3
    with pytest.raises(ValueError):
        charts.heatmap_counts(ROWS, "both")


def test_heatmap_figure_axes_know_their_stage_and_cells():
    fig = charts.heatmap_figure(ROWS, Banding.default(), "both", selected=("residual", 2, 4))
    assert [ax.get_gid() for ax in fig.axes] == ["inherent", "residual"]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "2" in texts and "Critical" in texts and "Low" in texts  # counts and level names
    assert "Inherent risk (4 rated)" == fig.axes[0].get_title()
    with pytest.raises(ValueError):
        charts.heatmap_figure(ROWS, stage="sideways")


def test_png_and_svg_are_images():
    png = charts.heatmap_png(ROWS, Banding.default(), "inherent")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.heatmap_svg(ROWS, Banding.default(), dark=True)
    assert b"<svg" in svg[:400]
    assert charts.pareto_png(ROWS)[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in charts.pareto_svg([])[:400]  # an empty Pareto says so, still an image


def test_pareto_orders_by_action_priority_then_rpn():
    by_ap = [r["ref"] for r in charts.pareto_rows(ROWS)]
    assert by_ap == ["R-4", "R-1", "R-2", "R-6"]  # H 1000, H 189, M 64, L 8
    by_rpn = [r["ref"] for r in charts.pareto_rows(ROWS, "rpn")]
    assert by_rpn == ["R-4", "R-1", "R-2", "R-6"]
    rows = [row("A", sod=(9, 2, 2)), row("B", sod=(5, 8, 8))]  # AP H 36 vs AP H 320
    assert [r["ref"] for r in charts.pareto_rows(rows, "rpn")] == ["B", "A"]
    with pytest.raises(ValueError):
        charts.pareto_rows(rows, "alphabetical")


def test_charts_render_without_qt():
    import subprocess

    code = ("import sys; from qms_desktop.services.exports import risk_charts as c; "
            "assert 'matplotlib' not in sys.modules; "
            "c.heatmap_png([{'inherent_likelihood': 2, 'inherent_impact': 3}]); "
            "c.pareto_png([]); "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'PyQt'))]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _fmea_rows(n):
    """``n`` FMEA-rated rows with falling RPN, so the cumulative line climbs to 100 % at the
    top right, where a legend inside the axes used to sit."""
    sods = [(10 - i % 9, 9 - i % 7, 8 - i % 5) for i in range(n)]
    return [row(f"R-{i:03d}", (3, 3), (2, 2), sod) for i, sod in enumerate(sods)]


@pytest.mark.parametrize("n, dark", [(1, False), (8, False), (8, True), (25, False), (60, True)])
def test_pareto_legend_covers_no_data(n, dark):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = charts.pareto_figure(_fmea_rows(n), dark=dark)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert len(legends) == 1
    box = legends[0].get_window_extent()
    line = next(l for ax in fig.axes for l in ax.get_lines() if l.get_gid() == "cumulative")
    points = line.get_transform().transform(line.get_xydata())
    assert len(points) == min(n, 25)
    for x, y in points:
        inside = box.x0 - 4 <= x <= box.x1 + 4 and box.y0 - 4 <= y <= box.y1 + 4
        assert not inside, (x, y, box)
    for ax in fig.axes:  # nor any bar: the legend is outside every plot area
        assert not box.overlaps(ax.get_window_extent())
    for label in fig.axes[0].get_xticklabels():  # nor the risk IDs under the bars
        assert not box.overlaps(label.get_window_extent())


def test_opportunities_get_their_own_heat_maps_in_their_own_scale():
    from matplotlib.colors import to_hex

    from qms_desktop.core.palette import LEVEL_COLOURS, OPPORTUNITY_COLOURS

    rows = ROWS + [dict(row("O-1", (4, 4), (5, 5)), kind="opportunity")]
    assert sum(map(sum, charts.heatmap_counts(rows, "inherent", "risk"))) == 4
    assert charts.heatmap_counts(rows, "inherent", "opportunity")[3][3] == 1
    fig = charts.heatmap_figure(rows, Banding.default(), "both")
    assert [ax.get_gid() for ax in fig.axes] == ["inherent", "residual", "opportunity:inherent",
                                                 "opportunity:residual"]
    threat, chance = fig.axes[0], fig.axes[2]
    assert threat.get_title() == "Inherent risk (4 rated)"  # the opportunity is not counted
    assert chance.get_title() == "Inherent opportunity (1 rated)"
    words = {t.get_text() for t in chance.texts}
    assert "Exceptional" in words and not words & {"Critical", "High", "Medium", "Low"}
    fills = {to_hex(p.get_facecolor()).upper() for p in chance.patches}
    assert fills <= {f for f, _ink in OPPORTUNITY_COLOURS[False].values()}
    assert not fills & {f for f, _ink in LEVEL_COLOURS[False].values()}
    # a register without opportunities keeps its one row of maps
    assert len(charts.heatmap_figure(ROWS).axes) == 2


@pytest.mark.parametrize("dark", [False, True])
def test_pareto_legend_names_the_cumulative_line(dark):
    fig = charts.pareto_figure(_fmea_rows(8), dark=dark)
    legend = fig.legends[0]
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:3] == [f"AP {ap}: {charts.AP_LABELS[ap]}" for ap in ("H", "M", "L")]
    assert any("umulative" in t for t in texts), texts
    line = next(l for ax in fig.axes for l in ax.get_lines() if l.get_gid() == "cumulative")
    entry = legend.get_lines()[-1]
    assert entry.get_color() == line.get_color() and entry.get_marker() == line.get_marker()
