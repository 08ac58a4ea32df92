"""Benchmark BPMN export + import of a 2,000-step process map (process-map issue).

    .venv/bin/python bench/bpmn_roundtrip.py [N]      or      python -m bench bpmn

The map mirrors the large workspace's big map (``bench/large.py``): N nodes on a grid of 10 role
lanes, a decision every 10 nodes with a "no" loop back, a call activity now and then, every
connector with waypoints. Target (issue 3): export + import <= 2 s. Same-run baseline: lxml alone
parsing and re-serialising the exported document. Each timing is the best of ``repeat``; the
automatic layout and the validation of the same map are timed too (layout target 0.5 s).
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qms_desktop.core.processmap import Edge, Lane, Node, ProcessMap  # noqa: E402

TARGET_S = 2.0
LAYOUT_TARGET_S = 0.5
_VERBS = ("Check", "Record", "Approve", "Inspect", "Release", "Pack", "Ship", "Review", "Plan")
_OBJECTS = ("order", "drawing", "batch", "label", "invoice", "supplier", "sample", "report")


def make_big_map(n: int = 2000, seed: int = 3, lanes: int = 10) -> ProcessMap:
    """A grid map like the large workspace's: ``n`` nodes, ``lanes`` lanes, ~1.1 n flows."""
    rng = random.Random(seed)
    cols = -(-n // lanes)
    lane_h, col_w = 140.0, 180.0
    pm = ProcessMap(lanes=[Lane(f"Lane_{k + 1}", f"Role {k + 1}", 0.0, lane_h * k,
                                200.0 + col_w * cols, lane_h, k) for k in range(lanes)])
    for i in range(n):
        col, lane = divmod(i, lanes)
        if i == 0:
            kind, name = "start", "Start"
        elif i == n - 1:
            kind, name = "end", "Done"
        elif i % 10 == 9:
            kind, name = "decision", f"{rng.choice(_OBJECTS).capitalize()} OK?"
        elif i % 97 == 50:
            kind, name = "subprocess", "Run purchasing"
        else:
            kind, name = "step", f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        small = kind in ("start", "end")
        pm.nodes.append(Node(
            f"Activity_{i + 1:04d}", kind, "callActivity" if kind == "subprocess" else "", name,
            120.0 + col_w * col + (42.0 if small else 0.0), lane_h * lane + (52.0 if small else 40.0),
            36.0 if small else 120.0, 36.0 if small else 60.0, f"Lane_{lane + 1}", None,
            {"description": f"Step {i + 1} of the order-to-delivery flow."}))

    def edge(a: Node, b: Node, label: str = "", cond: str = "") -> None:
        x1, y1 = a.x + a.w, a.y + a.h / 2
        x2, y2 = b.x, b.y + b.h / 2
        pts = [(x1, y1), (x2, y2)] if y1 == y2 else \
            [(x1, y1), ((x1 + x2) / 2, y1), ((x1 + x2) / 2, y2), (x2, y2)]
        pm.edges.append(Edge(f"Flow_{a.key}_{b.key}", a.key, b.key, "sequence", label, cond, pts))

    nodes = pm.nodes
    for i in range(n - 1):
        decision = nodes[i].kind == "decision"
        edge(nodes[i], nodes[i + 1], "yes" if decision else "", "result == 'ok'" if decision else "")
        if decision:
            edge(nodes[i], nodes[max(1, i - rng.randint(1, 12))], "no", "result != 'ok'")
    return pm


def _best_of(repeat: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_bpmn(n: int = 2000, repeat: int = 3, quick: bool = False) -> dict[str, Any]:
    """Time BPMN export + import of an ``n``-step map; returns a benchmark figure as a dict
    (``value`` = export + import seconds, ``baseline`` = bare lxml parse + serialise)."""
    from lxml import etree

    from qms_desktop.core.processmap import layout_map, validate
    from qms_desktop.services.exports.bpmn import write_bpmn
    from qms_desktop.services.imports.bpmn import read_bpmn

    if quick:
        repeat = 1
    pm = make_big_map(n)
    out: dict[str, bytes] = {}
    back: list[ProcessMap] = []

    def export() -> None:
        out["xml"] = write_bpmn(pm, name="Order to delivery")

    def import_() -> None:
        back.append(read_bpmn(out["xml"]).map)

    def bare() -> None:
        etree.tostring(etree.fromstring(out["xml"]), xml_declaration=True, encoding="UTF-8")

    export_s = _best_of(repeat, export)
    import_s = _best_of(repeat, import_)
    bare_s = _best_of(repeat, bare)
    layout_s = _best_of(repeat, lambda: layout_map(pm, "LR"))
    validate_s = _best_of(repeat, lambda: validate(pm))
    got = back[-1]
    flows = sum(1 for n_ in got.nodes if n_.kind != "pool")
    if flows != len(pm.nodes) or len(got.edges) != len(pm.edges):
        raise RuntimeError(f"round trip lost elements: {flows}/{len(pm.nodes)} nodes, "
                           f"{len(got.edges)}/{len(pm.edges)} flows")
    total = export_s + import_s
    return {
        "name": "bpmn",
        "label": f"BPMN export + import of a {n}-step map",
        "value": round(total, 4),
        "unit": "s",
        "baseline": round(bare_s, 4),
        "baseline_label": "lxml alone parsing and re-serialising the same document",
        "target": TARGET_S,
        "target_on": "value",
        "note": (f"best of {repeat}; export {export_s:.3f} s, import {import_s:.3f} s, "
                 f"{len(out['xml']) / 1e6:.1f} MB; auto-layout {layout_s:.3f} s "
                 f"(target {LAYOUT_TARGET_S} s), validation {validate_s:.3f} s"),
        "n": n,
        "nodes": len(pm.nodes),
        "edges": len(pm.edges),
        "bytes": len(out["xml"]),
        "export_s": round(export_s, 4),
        "import_s": round(import_s, 4),
        "total_s": round(total, 4),
        "lxml_baseline_s": round(bare_s, 4),
        "layout_s": round(layout_s, 4),
        "layout_target_s": LAYOUT_TARGET_S,
        "validate_s": round(validate_s, 4),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 2000
    result = bench_bpmn(n)
    print(json.dumps(result, indent=2))
    print(f"export {result['export_s']:.3f} s + import {result['import_s']:.3f} s = "
          f"{result['total_s']:.3f} s (target {TARGET_S} s); lxml baseline "
          f"{result['lxml_baseline_s']:.3f} s; layout {result['layout_s']:.3f} s; "
          f"validation {result['validate_s']:.3f} s")
    ok = result["total_s"] <= TARGET_S and result["layout_s"] <= LAYOUT_TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
