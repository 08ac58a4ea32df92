"""Checklist score charts (services/exports/checklist_charts.py): figures built with the right
values written on them, N/A out of the denominator, the rule beside the score, the previous run
drawn and the change in points, the in-place redraw, PNG/SVG written whole."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.core import checklists as rules
from qms_desktop.services import checklists as C
from qms_desktop.services.checklists import ItemSpec, TemplateSpec
from qms_desktop.services.exports import checklist_charts as K


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_xticklabels()]
        out.append(ax.get_title())
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    return out


def _joined(fig) -> str:
    return "\n".join(_texts(fig)).replace("\n", " ")


@pytest.fixture
def runs(ws):
    """A template with items in chapters 4, 7 and 8; an earlier run and a later one."""
    items = [ItemSpec("4 Context", "4.1", "Issues"), ItemSpec("4 Context", "4.2", "Parties"),
             ItemSpec("7 Support", "7.2", "Competence"),
             ItemSpec("7 Support", "7.5", "Documents"),
             ItemSpec("8 Operation", "8.4", "Suppliers", weight=2.0),
             ItemSpec("8 Operation", "8.5", "Production")]
    tid = C.create_template(ws, TemplateSpec("fam", "Gap", "1", "gap_analysis", "ISO 9001", "",
                                             items)).result
    before = C.start_run(ws, tid, {"started_on": dt.date(2024, 3, 1)}).result
    now = C.start_run(ws, tid, {"started_on": dt.date(2025, 3, 1)}).result

    def fill(run, results):
        for it, res in zip(C.run_items(ws, run), results):
            C.answer(ws, it.response_id, result=res)

    fill(before, ["partial", "nonconform", "nonconform", "conform", "nonconform", None])
    # chapter 4: conform + na → 100 % (na out); 7: conform + partial → 75 %;
    # 8: nonconform (weight 2) + open → 0 %
    fill(now, ["conform", "na", "conform", "partial", "nonconform", None])
    return tid, before, now


def test_chart_data_and_values(ws, runs):
    _tid, before, now = runs
    data = K.chart_data(ws, now)
    assert data.previous is not None and data.previous_label.startswith("GA")
    rows = {k: (s, b, d) for k, s, b, d in K.chapter_rows(data)}
    assert list(rows)[:7] == list(rules.CHAPTERS)
    assert rows["4"][0].percent == pytest.approx(100.0)  # the N/A item is out of the sums
    assert rows["4"][0].na == 1
    assert rows["7"][0].percent == pytest.approx(75.0)
    assert rows["8"][0].percent == pytest.approx(0.0)
    assert rows["5"][0].percent is None  # nothing assessed: no score, not 0 %
    # before: ch 4 = (0.5 + 0) / 2 = 25 %, ch 7 = 50 %, ch 8 = 0 %
    assert rows["4"][2] == pytest.approx(75.0)
    assert rows["7"][2] == pytest.approx(25.0)
    assert rows["8"][2] == pytest.approx(0.0)
    assert rows["5"][2] is None
    no_cmp = K.chart_data(ws, now, compare_with=None)
    assert no_cmp.previous is None and all(r[3] is None for r in K.chapter_rows(no_cmp))


def test_chapter_figure_writes_values_rule_and_trend(ws, runs):
    data = K.chart_data(ws, runs[2])
    fig = K.chapter_figure(data)
    text = _joined(fig)
    for want in ("100 %", "75 %", "0 %", "no score", "+75 pts", "+25 pts", "±0 pts",
                 "this run", "previous run", "4 Context", "10 Improvement"):
        assert want in text, want
    assert " ".join(rules.SCORE_RULE.split()) in " ".join(text.split())
    assert "Overall" in text and "1 not applicable" in text
    ax = fig._qms_chapters["ax"]
    # two series: the previous run is hatched (readable without colour)
    hatched = [p for p in ax.patches if p.get_hatch()]
    solid = [p for p in ax.patches if not p.get_hatch()]
    assert len(hatched) == len(solid) == 7
    heights = {k: b.get_height() for k, b in zip(fig._qms_chapters["keys"],
                                                  fig._qms_chapters["bars"])}
    assert heights["4"] == pytest.approx(100) and heights["7"] == pytest.approx(75)


def test_without_previous_run_one_series(ws, runs):
    data = K.chart_data(ws, runs[1])  # the earliest run has nothing before it
    assert data.previous is None
    fig = K.chapter_figure(data)
    ax = fig._qms_chapters["ax"]
    assert not [p for p in ax.patches if p.get_hatch()]
    assert "pts" not in _joined(fig)


def test_pdca_and_radar(ws, runs):
    data = K.chart_data(ws, runs[2])
    text = _joined(K.pdca_figure(data))
    assert "Plan" in text and "Do" in text and "+75 pts" in text  # plan = chapter 4 here
    radar = K.radar_figure(data)
    assert radar.axes[0].name == "polar"
    rt = _joined(radar)
    assert "100 % (+75 pts)" in rt and "previous run" in rt
    assert " ".join(rules.SCORE_RULE.split()) in " ".join(rt.split())
    lines = radar.axes[0].get_lines()
    assert {ln.get_marker() for ln in lines} == {"o", "s"}  # told apart without colour
    assert "Conformity per PDCA phase" in _joined(K.overview_figure(data))


def test_update_in_place(ws, runs):
    _tid, _before, now = runs
    data = K.chart_data(ws, now)
    fig = K.chapter_figure(data, compact=True)
    bars = list(fig._qms_chapters["bars"])
    first = C.run_items(ws, now)[4]  # the nonconform item of chapter 8
    C.answer(ws, first.response_id, result="conform")
    assert K.update_chapter_figure(fig, K.chart_data(ws, now))
    assert list(fig._qms_chapters["bars"]) == bars  # same artists, moved
    h = dict(zip(fig._qms_chapters["keys"], (b.get_height() for b in bars)))
    assert h["8"] == pytest.approx(100.0)
    assert "100 %" in [t.get_text() for t in fig._qms_chapters["values"]]
    # without the comparison the figure must be rebuilt
    assert not K.update_chapter_figure(fig, K.chart_data(ws, now, compare_with=None))


@pytest.mark.parametrize("kind", K.KINDS)
def test_write_png_and_svg(ws, runs, tmp_path, kind):
    data = K.chart_data(ws, runs[2])
    png = K.write_chart(tmp_path / f"{kind}.png", data, kind)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = K.write_chart(tmp_path / f"{kind}.svg", data, kind)
    body = svg.read_text(encoding="utf-8")
    assert body.lstrip().startswith("<?xml") and "</svg>" in body
    assert not list(tmp_path.glob(".*.part"))


def test_write_refuses_other_formats_and_kinds(ws, runs, tmp_path):
    data = K.chart_data(ws, runs[2])
    with pytest.raises(ValueError):
        K.write_chart(tmp_path / "c.jpg", data)
    with pytest.raises(ValueError):
        K.write_chart(tmp_path / "c.png", data, "pie")
    assert not list(tmp_path.glob("c.*")) and not list(tmp_path.glob(".c.*"))
