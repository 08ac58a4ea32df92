"""bench/risks_ui.py runs end to end on a tiny large-workspace (checks the harness, not the
targets)."""

from __future__ import annotations


def test_bench_risks_ui_smoke(tmp_path):
    from bench.large import make_large
    from bench.risks_ui import bench_risks_ui, figures

    path = make_large(tmp_path / "tiny.qms", scale=0.02)
    result = bench_risks_ui(path, repeat=1)
    assert result["risks"] == 100
    for key in ("open_ms", "sort_ms", "filter_ms", "edit_commit_ms", "edit_inline_ms",
                "charts_tab_ms", "charts_ready_ms"):
        assert result[key] > 0
    assert [f["name"] for f in figures(result)] == ["risks_ui"] * 5
    assert result["charts_ready_ms"] >= result["charts_tab_ms"]
