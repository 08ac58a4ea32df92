"""Benchmark BPMN export + import of a 2,000-step process map (process-map issue).

    .venv/bin/python bench/bpmn_roundtrip.py [N]      or      python -m bench bpmn
    .venv/bin/python bench/bpmn_roundtrip.py --corpus ../shared/corpus/bpmn [--direct]

The map mirrors the large workspace's big map (``bench/large.py``): N nodes on a grid of 10 role
lanes, a decision every 10 nodes with a "no" loop back, a call activity now and then, every
connector with waypoints. Target (issue 3): export + import <= 2 s. Same-run baseline: lxml alone
parsing and re-serialising the exported document. Each timing is the best of ``repeat``; the
automatic layout and the validation of the same map are timed too (layout target 0.5 s).

``--corpus DIR`` measures instead what survives a round trip of every ``*.bpmn`` file in DIR
(:func:`measure_corpus`): each file is imported, stored in a scratch workspace, loaded back
and exported (``--direct``: exported straight from the import), and the ids, types, names,
references, bounds and waypoints of the original are looked for in the export with lxml alone;
what the export holds that the original did not (shapes, edges, elements) is counted as added.
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


# --------------------------------------------------------------------------------------------
# What survives a round trip of real files
# --------------------------------------------------------------------------------------------

_MODEL = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
_DCNS = "{http://www.omg.org/spec/DD/20100524/DC}"
_DINS = "{http://www.omg.org/spec/DD/20100524/DI}"
_REF_ATTRS = ("sourceRef", "targetRef", "attachedToRef", "processRef", "messageRef",
              "dataObjectRef", "dataStoreRef", "default", "categoryValueRef", "calledElement")
_REF_CHILDREN = ("incoming", "outgoing", "flowNodeRef", "sourceRef", "targetRef")
CATEGORIES = ("elements", "references", "bounds", "waypoints")


def _local_ref(v: str | None) -> str | None:
    """A reference without its QName prefix (``bpmn2:_x`` -> ``_x``)."""
    return v.rsplit(":", 1)[-1] if v else v


def corpus_facts(data: bytes) -> dict[str, dict[str, Any]]:
    """What a round trip must keep, read with lxml alone: ``elements`` (id -> (type, name)),
    ``references`` ((id, reference) -> value), ``bounds`` (element -> (x, y, w, h)) and
    ``waypoints`` (element -> points)."""
    from lxml import etree

    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    elements: dict[str, Any] = {}
    refs: dict[Any, Any] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(_MODEL) or not el.get("id"):
            continue
        ident = el.get("id")
        local = el.tag[len(_MODEL):]
        name = el.get("name")
        if local == "textAnnotation":
            t = el.find(_MODEL + "text")
            name = t.text if t is not None else None
        elements[ident] = (local, name)
        for a in _REF_ATTRS:
            if el.get(a) is not None:
                refs[(ident, a)] = _local_ref(el.get(a))
        kids: dict[str, set[str]] = {}
        for ch in el:
            if isinstance(ch.tag, str) and ch.tag[len(_MODEL):] in _REF_CHILDREN \
                    and ch.tag.startswith(_MODEL):
                kids.setdefault(ch.tag[len(_MODEL):], set()).add(
                    _local_ref((ch.text or "").strip()))
        for k, v in kids.items():
            refs[(ident, k)] = frozenset(v)
    bounds: dict[str, Any] = {}
    for el in root.iter(_BPMNDI + "BPMNShape"):
        b = el.find(_DCNS + "Bounds")
        if b is not None:
            bounds[_local_ref(el.get("bpmnElement"))] = tuple(
                float(b.get(a) or 0) for a in ("x", "y", "width", "height"))
    waypoints: dict[str, Any] = {}
    for el in root.iter(_BPMNDI + "BPMNEdge"):
        waypoints[_local_ref(el.get("bpmnElement"))] = [
            (float(w.get("x")), float(w.get("y"))) for w in el.iter(_DINS + "waypoint")]
    return {"elements": elements, "references": refs, "bounds": bounds, "waypoints": waypoints}


def _same(cat: str, a: Any, b: Any) -> bool:
    if cat == "bounds":
        return all(abs(x - y) <= 1.0 for x, y in zip(a, b))
    if cat == "waypoints":
        return len(a) == len(b) and all(abs(p[0] - q[0]) <= 1.0 and abs(p[1] - q[1]) <= 1.0
                                        for p, q in zip(a, b))
    return a == b


def compare_facts(orig: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
                  ) -> dict[str, dict[str, Any]]:
    """Per category: ``total`` in the original, ``kept`` unchanged in the new file, ``lost``
    (keys missing or changed) and ``added`` (keys only the new file has)."""
    out = {}
    for cat in CATEGORIES:
        o, n = orig[cat], new[cat]
        lost = [k for k, v in o.items() if k not in n or not _same(cat, v, n[k])]
        added = [k for k in n if k not in o]
        out[cat] = {"total": len(o), "kept": len(o) - len(lost), "lost": lost, "added": added}
    return out


def roundtrip_file(data: bytes, *, workspace: Path | None = None) -> tuple[bytes, list[str]]:
    """Import ``data``, store it in the workspace at ``workspace`` (created; None: no storage)
    and load it back, export it; returns the exported bytes and the import warnings."""
    from qms_desktop.services.exports.bpmn import write_bpmn
    from qms_desktop.services.imports.bpmn import read_bpmn

    got = read_bpmn(data)
    pm = got.map
    if workspace is not None:
        from qms_desktop.services import processes
        from qms_desktop.storage.workspace import create_workspace

        ws = create_workspace(workspace, organization="Bench", user="bench")
        try:
            pid = processes.save_map(ws, pm, name=got.name or "Imported").result
            pm, _ids = processes.load_map(ws, pid)
        finally:
            ws.close()
    return write_bpmn(pm), list(got.warnings)


def measure_corpus(folder: Path, *, through_workspace: bool = True) -> dict[str, Any]:
    """Round-trip every ``*.bpmn`` file of ``folder``; per file and in total, how many
    elements, references, bounds and waypoints were kept, lost and added."""
    import tempfile

    files: dict[str, Any] = {}
    totals = {c: {"total": 0, "kept": 0, "added": 0} for c in CATEGORIES}
    with tempfile.TemporaryDirectory(prefix="qms-bpmn-corpus-") as tmp:
        for i, path in enumerate(sorted(Path(folder).glob("*.bpmn"))):
            data = path.read_bytes()
            ws = Path(tmp) / f"w{i}.qms" if through_workspace else None
            out, warnings = roundtrip_file(data, workspace=ws)
            cmp = compare_facts(corpus_facts(data), corpus_facts(out))
            files[path.name] = {"compare": cmp, "warnings": warnings}
            for c in CATEGORIES:
                for k in ("total", "kept"):
                    totals[c][k] += cmp[c][k]
                totals[c]["added"] += len(cmp[c]["added"])
    total = sum(t["total"] for t in totals.values())
    kept = sum(t["kept"] for t in totals.values())
    return {"files": files, "totals": totals, "kept_pct": 100.0 * kept / total if total else 100.0,
            "added": sum(t["added"] for t in totals.values())}


def corpus_main(folder: Path, through_workspace: bool) -> int:
    res = measure_corpus(folder, through_workspace=through_workspace)
    for name, f in res["files"].items():
        bad = [f"{c} {v['kept']}/{v['total']}" + (f" +{len(v['added'])}" if v["added"] else "")
               for c, v in f["compare"].items() if v["lost"] or v["added"]]
        print(f"{name:32} {'; '.join(bad) or 'all kept'}"
              + (f"  [{len(f['warnings'])} warning(s)]" if f["warnings"] else ""))
    for c, t in res["totals"].items():
        print(f"{c:10} kept {t['kept']}/{t['total']}  added {t['added']}")
    print(f"kept {res['kept_pct']:.2f} % of what the originals hold; {res['added']} added "
          f"({'through a workspace' if through_workspace else 'import + export only'})")
    return 0 if res["kept_pct"] == 100.0 and not res["added"] else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--corpus":
        return corpus_main(Path(argv[1]), "--direct" not in argv)
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
