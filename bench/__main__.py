"""``python -m bench [NAMES...] [--json FILE] [--quick] [--scale X] [--strict]``

Runs the named benchmarks (default: all) on the large workspace (``bench/large.py``, generated
once and cached under ``bench/.cache/``) and prints each figure with its same-run baseline, the
ratio, the target and PASS/MISS. Benchmarks that could change the workspace get a fresh copy.
See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from .figures import Figure, from_mapping

ROOT = Path(__file__).resolve().parents[1]
APP_MODULE = "qms_desktop.app"
FIRST_PAINT_FLAG = "--exit-after-first-paint"
READY_FLAG = "--exit-when-ready"
SUBPROCESS_TIMEOUT = 180


class Context:
    """What every benchmark needs: the large workspace, scratch space, options."""

    def __init__(self, *, quick: bool, scale: float, seed: int = 1,
                 cache_dir: Path | None = None):
        self.quick = quick
        #: where generated workspaces are kept (default bench/.cache, or $QMS_BENCH_CACHE)
        self.cache_dir = cache_dir or (Path(os.environ["QMS_BENCH_CACHE"])
                                       if os.environ.get("QMS_BENCH_CACHE") else None)
        self.scale = scale
        self.seed = seed
        self._large: Path | None = None
        self.tmp = Path(tempfile.mkdtemp(prefix="qms-bench-"))
        self._app_help: str | None = None

    def large(self) -> Path:
        """The cached large workspace (generated on first use; never written by benchmarks)."""
        if self._large is None:
            from .large import cache_key, cached_large

            t0 = time.perf_counter()
            print(f"large workspace: {cache_key(seed=self.seed, scale=self.scale)}",
                  file=sys.stderr)
            self._large = cached_large(
                seed=self.seed, scale=self.scale, cache_dir=self.cache_dir,
                progress=lambda msg: print(f"  generating: {msg}", file=sys.stderr))
            took = time.perf_counter() - t0
            if took > 1:
                print(f"  ready in {took:.1f} s", file=sys.stderr)
        return self._large

    def copy(self, name: str) -> Path:
        """A private copy of the large workspace for a benchmark that may write to it."""
        dest = self.tmp / f"{name}.qms"
        shutil.copyfile(self.large(), dest)
        return dest

    def env(self) -> dict[str, str]:
        """Environment for GUI subprocesses: offscreen, settings kept out of the user's."""
        env = dict(os.environ)
        env["QT_QPA_PLATFORM"] = "offscreen"
        env["XDG_CONFIG_HOME"] = str(self.tmp / "config")
        env["XDG_DATA_HOME"] = str(self.tmp / "data")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def note(self) -> str:
        return "" if self.scale == 1 else \
            f"scale {self.scale:g}: smaller than the large workspace, not comparable to the target"

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the application, when it exists
    def app_missing(self) -> str:
        """Why the app cannot be benchmarked, or "" when it can."""
        try:
            spec = importlib.util.find_spec(APP_MODULE)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            return f"app not available ({APP_MODULE} does not exist yet)"
        if FIRST_PAINT_FLAG not in self.app_help():
            return f"app not available ({APP_MODULE} has no {FIRST_PAINT_FLAG} option yet)"
        return ""

    def app_help(self) -> str:
        if self._app_help is None:
            try:
                proc = subprocess.run([sys.executable, "-m", APP_MODULE, "--help"], cwd=ROOT,
                                      env=self.env(), capture_output=True, text=True,
                                      timeout=60)
                self._app_help = proc.stdout + proc.stderr
            except (OSError, subprocess.TimeoutExpired) as e:
                self._app_help = f"failed: {e}"
        return self._app_help


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def _spread(xs: list[float], fmt: str = "{:.3f}") -> str:
    return f"min {fmt.format(min(xs))}, max {fmt.format(max(xs))}, n={len(xs)}"


def _last_line(text: str) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "no output"


def _timed_run(cmd: list[str], env: dict) -> float:
    """Wall time from Popen to exit; raises RuntimeError when the process fails."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        _out, err = proc.communicate(timeout=SUBPROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{' '.join(cmd[2:4])} did not exit within "
                           f"{SUBPROCESS_TIMEOUT} s") from None
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:4])} exited with {proc.returncode}: "
                           f"{_last_line(err)}")
    return took


def bare_command() -> list[str]:
    return [sys.executable, "-m", "bench.bare_window"]


def app_command(ws: Path, *, flag: str = FIRST_PAINT_FLAG) -> list[str]:
    return [sys.executable, "-m", APP_MODULE, str(ws), flag]


# --------------------------------------------------------------------------- (a) startup


def bench_startup(ctx: Context) -> list[Figure]:
    """(a) first paint, plus (informational) first paint showing the opened workspace."""
    fig = Figure("startup", "cold start to first painted main window (large workspace)", None,
                 "s", baseline_label="bare PySide6 window started the same way", target=1.5,
                 target_on="ratio")
    ready = Figure("ready", "cold start to first paint showing the opened large workspace",
                   None, "s", baseline_label="bare PySide6 window started the same way")
    why = ctx.app_missing()
    if why:
        fig.unavailable = why
        return [fig]
    ws = ctx.copy("startup")
    env = ctx.env()
    runs = 3 if ctx.quick else 5
    has_ready = READY_FLAG in ctx.app_help()
    app_times, bare_times, ready_times = [], [], []
    try:
        # one untimed run of each so all find Python, Qt and the file in the OS cache
        _timed_run(bare_command(), env)
        _timed_run(app_command(ws), env)
        if has_ready:
            _timed_run(app_command(ws, flag=READY_FLAG), env)
        for _ in range(runs):  # interleaved, so drift affects all alike
            bare_times.append(_timed_run(bare_command(), env))
            app_times.append(_timed_run(app_command(ws), env))
            if has_ready:
                ready_times.append(_timed_run(app_command(ws, flag=READY_FLAG), env))
    except RuntimeError as e:
        fig.unavailable = str(e)
        return [fig]
    fig.value, fig.baseline = _median(app_times), _median(bare_times)
    fig.note = "; ".join(x for x in (
        f"{FIRST_PAINT_FLAG}: medians of {runs} interleaved runs; app {_spread(app_times)}; "
        f"bare {_spread(bare_times)}", ctx.note()) if x)
    fig.details = {"app_runs": app_times, "bare_runs": bare_times}
    if not has_ready:
        ready.unavailable = f"app not available ({APP_MODULE} has no {READY_FLAG} option)"
        return [fig, ready]
    ready.value, ready.baseline = _median(ready_times), fig.baseline
    ready.note = "; ".join(x for x in (
        f"{READY_FLAG}: the workspace opened, its page painted; no target (informational); "
        f"{_spread(ready_times)}", ctx.note()) if x)
    ready.details = {"runs": ready_times}
    return [fig, ready]


# --------------------------------------------------------------------------- (b) edit


def bench_edit(ctx: Context) -> Figure:
    from qms_desktop.services.records import update_field
    from qms_desktop.storage.workspace import open_workspace

    fig = Figure("edit", "one field edit committed with its audit event", None, "ms",
                 baseline_label="bare sqlite3 UPDATE+COMMIT, same file and pragmas",
                 target=5.0, target_on="value")
    path = ctx.copy("edit")
    n = 50 if ctx.quick else 200
    ws = open_workspace(path)
    try:
        with ws.connect() as c:
            ids = [r[0] for r in c.exec_driver_sql(
                "SELECT id FROM action ORDER BY id").fetchall()]
            events_before = c.exec_driver_sql("SELECT count(*) FROM audit_event").scalar()
        step = max(1, len(ids) // n)
        targets = [ids[(i * step) % len(ids)] for i in range(n)]
        update_field(ws, "action", targets[0], "title", "warm-up edit")
        app_ms = []
        for i, rid in enumerate(targets):
            t0 = time.perf_counter()
            update_field(ws, "action", rid, "title", f"Benchmark edit {i}")
            app_ms.append((time.perf_counter() - t0) * 1000)
        with ws.connect() as c:
            events_after = c.exec_driver_sql("SELECT count(*) FROM audit_event").scalar()
    finally:
        ws.close()
    # every edit must have left exactly one event
    if events_after - events_before != n + 1:
        fig.unavailable = (f"{n + 1} edits left {events_after - events_before} audit events "
                           "instead of one each")
        return fig

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("foreign_keys=ON", "journal_mode=DELETE", "synchronous=FULL"):
            conn.execute(f"PRAGMA {pragma}")
        bare_ms = []
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE action SET title=? WHERE id=?", ("warm-up", targets[0]))
        conn.execute("COMMIT")
        for i, rid in enumerate(targets):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE action SET title=? WHERE id=?", (f"Bare edit {i}", rid))
            conn.execute("COMMIT")
            bare_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        conn.close()
    fig.value, fig.baseline = _median(app_ms), _median(bare_ms)
    p95 = sorted(app_ms)[int(0.95 * (len(app_ms) - 1))]
    fig.note = "; ".join(x for x in (
        f"median of {n} edits via services.records.update_field (p95 {p95:.2f} ms, "
        f"{_spread(app_ms, '{:.2f}')}); bare {_spread(bare_ms, '{:.2f}')}", ctx.note()) if x)
    fig.details = {"app_ms": app_ms, "bare_ms": bare_ms}
    return fig


# --------------------------------------------------------------------------- (c) memory


def _peak_rss(cmd: list[str], env: dict) -> float:
    wrapped = [sys.executable, "-m", "bench.peak_rss", "--", *cmd]
    proc = subprocess.run(wrapped, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=SUBPROCESS_TIMEOUT)
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise RuntimeError(f"the memory probe failed: {_last_line(proc.stderr)}") from None
    if out["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd[2:4])} exited with {out['rc']}: "
                           f"{_last_line(proc.stderr)}")
    if out["peak_rss_mb"] is None:
        raise RuntimeError("peak memory cannot be read on this platform")
    return float(out["peak_rss_mb"])


def memory_command(ctx: Context, ws: Path) -> tuple[list[str], str]:
    """The command for the memory run and a description of what it exercises."""
    if not ctx.app_missing():
        return ([sys.executable, "-m", "bench.app_tour", str(ws)],
                "app main window offscreen: open, show, 1 s of events, every navigation page")
    return ([sys.executable, "-m", "bench.open_probe", str(ws)],
            "app missing: headless open + services.overview only")


def bench_memory(ctx: Context) -> Figure:
    fig = Figure("memory", "peak memory with the large workspace open", None, "MB",
                 baseline_label="bare PySide6 window", target=300.0, target_on="value")
    ws = ctx.copy("memory")
    env = ctx.env()
    cmd, what = memory_command(ctx, ws)
    runs = 1 if ctx.quick else 3
    try:
        app_mb = [_peak_rss(cmd, env) for _ in range(runs)]
        bare_mb = [_peak_rss(bare_command(), env) for _ in range(runs)]
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        fig.unavailable = str(e)
        return fig
    fig.value, fig.baseline = _median(app_mb), _median(bare_mb)
    fig.note = "; ".join(x for x in (f"{what}; median of {runs} (VmHWM via getrusage)",
                                      ctx.note()) if x)
    fig.details = {"runs_mb": app_mb, "bare_runs_mb": bare_mb, "command": cmd[2:]}
    return fig


# --------------------------------------------------------------------------- (d) verify


def bench_verify(ctx: Context) -> Figure:
    from qms_desktop.services.verify import verify
    from qms_desktop.storage.workspace import open_workspace

    fig = Figure("verify", "qms verify (integrity, chain, records vs trail)", None, "s",
                 baseline_label="sqlite3 full scan of audit_event + integrity_check",
                 target=3.0, target_on="value")
    path = ctx.copy("verify")
    runs = 1 if ctx.quick else 3
    times, base = [], []
    rep = None
    for _ in range(runs):
        t0 = time.perf_counter()
        with open_workspace(path, read_only=True) as ws:
            rep = verify(ws)
        times.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        conn = sqlite3.connect(path)
        try:
            for _row in conn.execute("SELECT * FROM audit_event"):
                pass
            conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
        base.append(time.perf_counter() - t0)
    if rep is None or not rep.ok:
        fig.unavailable = f"verify failed on the large workspace: {rep and rep.first_problem}"
        return fig
    fig.value, fig.baseline = _median(times), _median(base)
    fig.note = "; ".join(x for x in (
        f"{rep.events:,} events, {rep.records:,} records; median of {runs} "
        f"({_spread(times)})", ctx.note()) if x)
    fig.details = {"runs_s": times, "baseline_runs_s": base, "events": rep.events}
    return fig


# --------------------------------------------------------------------------- other issues'


def _external(module: str, func: str, name: str) -> Callable[[Context], list[Figure]]:
    """A benchmark written in another module: ``bench.<module>.<func>()``, if it exists."""

    def run(ctx: Context) -> list[Figure]:
        try:
            mod = importlib.import_module(f"bench.{module}")
            fn = getattr(mod, func)
        except ModuleNotFoundError as e:
            if e.name not in (f"bench.{module}",):
                raise
            return [Figure(name, f"bench/{module}.py", None, "",
                           unavailable=f"not available (bench/{module}.py does not exist yet)")]
        except AttributeError:
            return [Figure(name, f"bench/{module}.py", None, "",
                           unavailable=f"not available (bench/{module}.py has no {func}())")]
        kwargs = {}
        params = inspect.signature(fn).parameters
        if "quick" in params:
            kwargs["quick"] = ctx.quick
        if "scale" in params:
            kwargs["scale"] = ctx.scale
        if "workspace" in params:
            kwargs["workspace"] = ctx.copy(name)
        return _as_figures(fn(**kwargs), name)

    return run


def _as_figures(result, name: str) -> list[Figure]:
    if result is None:
        return []
    if isinstance(result, (Figure, dict)) or not isinstance(result, (list, tuple)):
        result = [result]
    out = []
    for i, r in enumerate(result):
        if isinstance(r, Figure):
            out.append(r)
        elif isinstance(r, dict) and "value" not in r and _ratio_pairs(r):
            out.extend(_ratio_pairs(r, name))
        elif isinstance(r, dict):
            out.append(from_mapping(r, name if len(result) == 1 else f"{name}.{i + 1}"))
        elif all(hasattr(r, a) for a in ("name", "value")):
            out.append(from_mapping({k: getattr(r, k) for k in Figure.__dataclass_fields__
                                     if hasattr(r, k)}, name))
        else:
            out.append(Figure(name, repr(r)[:120], None, "",
                              unavailable="returned a result this runner cannot read"))
    return out


def _ratio_pairs(d: dict, name: str = "") -> list[Figure]:
    """Figures from a flat dict of ``X_s``, ``X_ratio`` and ``X_limit`` (a ratio target).

    The baseline is the other ``*_s`` entry matching ``X_s / X_ratio``; everything else in the
    dict is kept in each figure's details.
    """
    figs = []
    for key in sorted(d):
        if not key.endswith("_ratio"):
            continue
        stem = key[:-len("_ratio")]
        value, ratio, limit = d.get(f"{stem}_s"), d.get(key), d.get(f"{stem}_limit")
        if not isinstance(value, (int, float)) or not isinstance(ratio, (int, float)) \
                or not ratio:
            continue
        want = value / ratio
        others = [(k, v) for k, v in d.items() if k.endswith("_s") and k != f"{stem}_s"
                  and isinstance(v, (int, float))]
        base_key, base = min(others, key=lambda kv: abs(kv[1] - want), default=(None, want))
        label = stem.replace("_", " ")
        if "n" in d:
            label += f" of {d['n']:,} rows"
        figs.append(Figure(f"{name}.{stem}", label, float(value), "s", baseline=float(base),
                           baseline_label=(base_key[:-2].replace("_", " ") if base_key
                                           else "baseline"),
                           target=limit if isinstance(limit, (int, float)) else None,
                           target_on="ratio", details=dict(d)))
    return figs


BENCHMARKS: dict[str, Callable[[Context], Figure | list[Figure]]] = {
    "startup": bench_startup,
    "edit": bench_edit,
    "memory": bench_memory,
    "verify": bench_verify,
    "bpmn": _external("bpmn_roundtrip", "bench_bpmn", "bpmn"),
    "risk_io": _external("risk_io", "bench_risk_io", "risk_io"),
    "flowchart": _external("flowchart", "bench_flowchart_figures", "flowchart"),
    "risks_ui": _external("risks_ui", "bench_risks_ui_figures", "risks_ui"),
    "actions_ui": _external("actions_ui", "bench_actions_ui_figures", "actions_ui"),
    "undo": _external("undo", "bench_undo_figures", "undo"),
    "training_export": _external("training_export", "bench_training_export_figures",
                                 "training_export"),
    "training": _external("training", "bench_training_figures", "training"),
    "training_ui": _external("training_ui", "bench_training_ui_figures", "training_ui"),
    "workshop": _external("workshop", "bench_workshop_figures", "workshop"),
    "checklist_export": _external("checklist_export", "bench_checklist_export_figures",
                                  "checklist_export"),
    "checklists_ui": _external("checklists_ui", "bench_checklists_ui_figures", "checklists_ui"),
    "procedure_export": _external("procedure_export", "bench_procedure_export_figures",
                                  "procedure_export"),
    "audit_log": _external("audit_log", "bench_audit_log_figures", "audit_log"),
    "review_pack": _external("review_pack", "bench_review_pack_figures", "review_pack"),
    "procedure_workspace": _external("procedure_workspace",
                                     "bench_procedure_workspace_figures",
                                     "procedure_workspace"),
    "kpi_chart": _external("kpi_chart", "bench_kpi_chart_figures", "kpi_chart"),
    "dashboard": _external("dashboard", "bench_dashboard_figures", "dashboard"),
}


def run(names: list[str], ctx: Context, *, echo: Callable[[str], None] = print) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        try:
            got = BENCHMARKS[name](ctx)
        except Exception as e:  # a broken benchmark must not hide the others' figures
            got = Figure(name, name, None, "", unavailable=f"failed: {type(e).__name__}: {e}")
        for fig in got if isinstance(got, list) else [got]:
            figures.append(fig)
            echo(fig.line())
    return figures


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["attacks"]:  # the hostile-user campaign (bench/attacks.py), run on request only
        from .attacks import main as attacks_main

        return attacks_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[2])
    ap.add_argument("names", nargs="*", metavar="NAME",
                    help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    ap.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    ap.add_argument("--quick", action="store_true",
                    help="fewer repetitions (same workspace, noisier figures)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="size of the generated workspace (1 = the large workspace)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a figure misses its target or cannot be measured")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if not args.scale > 0:
        ap.error("--scale must be a positive number, e.g. 1 or 0.02")
    names = args.names or list(BENCHMARKS)
    ctx = Context(quick=args.quick, scale=args.scale)
    started = time.time()
    try:
        figures = run(names, ctx)
    finally:
        ctx.cleanup()
    if args.json:
        doc = {"started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
               "seconds": round(time.time() - started, 1),
               "python": sys.version.split()[0], "platform": platform.platform(),
               "machine": {"cpus": os.cpu_count()}, "scale": args.scale, "quick": args.quick,
               "figures": [f.as_dict() for f in figures]}
        with contextlib.suppress(Exception):
            from PySide6 import __version__ as pyside

            doc["pyside6"] = pyside
        Path(args.json).write_text(json.dumps(doc, indent=2), encoding="utf-8")
        print(f"figures written to {args.json}", file=sys.stderr)
    if args.strict and any(f.passed is not True for f in figures):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
