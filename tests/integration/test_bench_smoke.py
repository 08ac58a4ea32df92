"""Small-scale run of the benchmark generator and harness (bench/)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import large  # noqa: E402
from bench.__main__ import Context, main, run  # noqa: E402
from bench.figures import Figure, from_mapping  # noqa: E402

SCALE = 0.02


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory) -> Path:
    return large.make_large(tmp_path_factory.mktemp("bench") / "small.qms", scale=SCALE)


def _count(db: sqlite3.Connection, sql: str) -> int:
    return db.execute(sql).fetchone()[0]


def test_counts_follow_the_full_size_proportions(small_ws):
    n = large.sizes(SCALE)
    db = sqlite3.connect(small_ws)
    try:
        for table, key in (("person", "people"), ("role", "roles"), ("course", "courses"),
                           ("training_record", "training_records"), ("risk", "risks"),
                           ("action", "actions"), ("checklist_run", "checklist_runs"),
                           ("document", "documents"), ("process", "processes")):
            assert _count(db, f"SELECT count(*) FROM {table}") == n[key], table
        # the big tables shrink in proportion to the full size
        for key in ("training_records", "risks", "actions", "checklist_runs", "audit_events"):
            assert n[key] == round(large.FULL_SIZES[key] * SCALE), key
        # every run answers each of its template's 100 items
        assert _count(db, "SELECT count(*) FROM response") == \
            n["checklist_runs"] * large.TEMPLATE_ITEMS
        assert _count(db, "SELECT count(*) FROM checklist_item") == \
            large.TEMPLATES * large.TEMPLATE_ITEMS
        # the big map: its steps on a grid in lanes, ~1.1 edges per node
        big = db.execute("SELECT process_id, count(*) FROM process_node GROUP BY process_id "
                         "ORDER BY 2 DESC LIMIT 1").fetchone()
        assert big[1] == n["big_map_steps"]
        edges = _count(db, f"SELECT count(*) FROM process_edge WHERE process_id={big[0]}")
        assert 1.0 * big[1] <= edges <= 1.2 * big[1]
        lanes = _count(db, f"SELECT count(DISTINCT lane_id) FROM process_node "
                           f"WHERE process_id={big[0]}")
        assert lanes == min(10, n["roles"])
        # the other processes have small maps
        small_maps = db.execute("SELECT count(*) FROM process_node WHERE process_id<>? "
                                "GROUP BY process_id", (big[0],)).fetchall()
        assert len(small_maps) == n["processes"] - 1
        assert all(6 <= c <= 14 for (c,) in small_maps)
        # exactly the target number of events; inserts plus realistic field updates
        assert _count(db, "SELECT count(*) FROM audit_event") == n["audit_events"]
        inserts = _count(db, "SELECT count(*) FROM audit_event WHERE op='insert'")
        updates = _count(db, "SELECT count(*) FROM audit_event WHERE op='update'")
        assert inserts + updates == n["audit_events"] and updates > 0
        answered = _count(db, "SELECT count(*) FROM response WHERE result IS NOT NULL")
        assert answered > 0
        assert _count(db, "SELECT count(*) FROM action WHERE status<>'open'") > 0
    finally:
        db.close()


def test_generated_workspace_verifies(small_ws):
    from qms_desktop.services.verify import verify
    from qms_desktop.storage.workspace import open_workspace

    with open_workspace(small_ws, read_only=True) as ws:
        rep = verify(ws)
    assert rep.ok, rep.problems
    assert rep.events == large.sizes(SCALE)["audit_events"]


def test_generation_is_deterministic_for_a_seed(tmp_path, small_ws):
    again = large.make_large(tmp_path / "again.qms", scale=SCALE)
    sql = "SELECT title, status, due_date, owner_id FROM action ORDER BY id"
    a, b = sqlite3.connect(small_ws), sqlite3.connect(again)
    try:
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall()
    finally:
        a.close()
        b.close()


def test_cache_reuses_the_file(tmp_path):
    first = large.cached_large(scale=SCALE, cache_dir=tmp_path)
    stamp = first.stat().st_mtime_ns
    second = large.cached_large(scale=SCALE, cache_dir=tmp_path)
    assert first == second and second.stat().st_mtime_ns == stamp
    assert f"g{large.GENERATOR_VERSION}" in first.name


def test_scale_must_be_positive():
    with pytest.raises(ValueError):
        large.sizes(0)


def test_harness_measures_edit_and_verify_without_touching_the_cache(tmp_path):
    ctx = Context(quick=True, scale=SCALE, cache_dir=tmp_path / "cache")
    lines: list[str] = []
    try:
        figs = run(["edit", "verify"], ctx, echo=lines.append)
        cached = ctx.large()
    finally:
        ctx.cleanup()
    by_name = {f.name: f for f in figs}
    assert set(by_name) == {"edit", "verify"}
    for f in figs:
        assert not f.unavailable, f.unavailable
        assert f.value > 0 and f.baseline > 0 and f.ratio is not None
        assert f.verdict in ("PASS", "MISS")
    assert "ratio" in lines[0] and "target" in lines[0]
    # the edits went to a copy: the cached workspace still holds exactly its events
    db = sqlite3.connect(cached)
    try:
        assert _count(db, "SELECT count(*) FROM audit_event") == \
            large.sizes(SCALE)["audit_events"]
    finally:
        db.close()


def test_cli_writes_json_and_reports_missing_benchmarks(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QMS_BENCH_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "figures.json"
    assert main(["verify", "--quick", "--scale", str(SCALE), "--json", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["name"] for f in doc["figures"]] == ["verify"]
    assert doc["figures"][0]["verdict"] in ("PASS", "MISS")
    with pytest.raises(SystemExit):
        main(["no-such-benchmark"])


def test_figure_verdicts():
    assert Figure("a", "a", 1.2, "s", baseline=1.0, target=1.5, target_on="ratio").passed
    assert Figure("a", "a", 2.0, "s", baseline=1.0, target=1.5,
                  target_on="ratio").verdict == "MISS"
    assert Figure("a", "a", 4.0, "ms", baseline=1.0, target=5.0).verdict == "PASS"
    assert Figure("a", "a", None, "ms", unavailable="app not available").verdict == "N/A"
    f = from_mapping({"value": 3.0, "unit": "s", "target": 2.0, "files": 4}, "bpmn")
    assert f.name == "bpmn" and f.verdict == "MISS" and f.details == {"files": 4}


def test_ratio_dicts_become_figures():
    from bench.__main__ import _as_figures

    figs = _as_figures({"n": 10, "import_s": 1.2, "bare_read_s": 1.0, "import_ratio": 1.2,
                        "import_limit": 1.5, "export_s": 3.0, "bare_write_s": 1.0,
                        "export_ratio": 3.0, "export_limit": 1.3}, "io")
    by = {f.name: f for f in figs}
    assert by["io.import"].baseline == 1.0 and by["io.import"].verdict == "PASS"
    assert by["io.import"].baseline_label == "bare read"
    assert by["io.export"].verdict == "MISS"
    assert _as_figures({"something": "else"}, "x")[0].verdict == "N/A"


@pytest.mark.gui
def test_memory_runs_the_app_through_its_pages(tmp_path):
    import importlib.util

    if importlib.util.find_spec("qms_desktop.app") is None:
        pytest.skip("the app is not built yet")
    from bench.__main__ import bench_memory

    ctx = Context(quick=True, scale=SCALE, cache_dir=tmp_path / "cache")
    try:
        fig = bench_memory(ctx)
    finally:
        ctx.cleanup()
    assert not fig.unavailable, fig.unavailable
    assert "every navigation page" in fig.note
    assert fig.value > fig.baseline > 10  # MB: the app holds more than a bare window
