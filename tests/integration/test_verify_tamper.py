"""`qms verify` catches edits made behind the application's back (sqlite3 shell style)."""

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.core.audit_chain import encode_field, event_hash
from qms_desktop.services import records as R
from qms_desktop.storage.workspace import create_workspace


@pytest.fixture
def sample(tmp_path):
    p = tmp_path / "v.qms"
    w = create_workspace(p, organization="Acme")
    pid = R.create(w, "person", {"name": "Ann Lee"}).result
    rid = R.create(w, "risk", {"title": "Supplier late", "owner_id": pid, "severity": 6}).result
    R.update_field(w, "risk", rid, "title", "Supplier delivers late")
    R.create(w, "risk", {"title": "Scrap rate"})
    w.close()
    return p


def sql(p, *stmts):
    c = sqlite3.connect(p)
    for s in stmts:
        c.execute(s)
    c.commit()
    c.close()


def run(p, capsys):
    code = qms(["verify", str(p)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_intact(sample, capsys):
    code, out = run(sample, capsys)
    assert code == 0 and out.startswith("ok:")


TAMPER = {
    "record edited": ("update risk set title='Nothing to see' where id=1", "risk 1: title"),
    "record inserted": ("insert into risk(ref,title,kind,category,cause,effect,controls,treatment,"
                        "status,method,failure_mode,notes) values('','ghost','risk','','','','','',"
                        "'open','5x5','','')", "risk 3 has no audit history"),
    "record deleted": ("delete from risk where id=2", "risk 2 is missing"),
    "event edited": ("update audit_event set new='\"x\"' where id=(select max(id) from audit_event "
                     "where op='update')", "was altered"),
    "event deleted": ("delete from audit_event where id=3", "does not follow"),
    "trail cut at the end": ("delete from audit_event where id=(select max(id) from audit_event)",
                             "risk 2 has no audit history"),
}


@pytest.mark.parametrize("case", list(TAMPER))
def test_tampering_detected(sample, capsys, case):
    stmt, expect = TAMPER[case]
    sql(sample, stmt)
    code, out = run(sample, capsys)
    assert code == 1
    assert expect in out, out


def test_real_sqlite3_shell_edit_detected(sample, capsys):
    shell = shutil.which("sqlite3")
    if not shell:
        pytest.skip("the sqlite3 shell is not installed (the Python module case is covered)")
    subprocess.run([shell, str(sample), "update person set name='Bob' where id=1;"], check=True)
    code, out = run(sample, capsys)
    assert code == 1 and "person 1: name" in out


def test_cli_exit_codes_and_messages(tmp_path, capsys, sample):
    bad = tmp_path / "x.qms"
    bad.write_bytes(b"nope" * 100)
    assert qms(["verify", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("qms: ") and err.count("\n") == 1
    assert qms(["info", str(sample), "--json"]) == 0
    assert '"risks": 2' in capsys.readouterr().out
    assert qms(["backup", str(sample), str(tmp_path / "b.qms")]) == 0
    assert qms(["verify", str(tmp_path / "b.qms")]) == 0
    with pytest.raises(SystemExit) as e:
        qms(["verify"])
    assert e.value.code == 2


def test_cli_entry_point_runs_without_qt(sample):
    code = ("import sys, runpy; sys.argv=['qms','info',%r];"
            "from qms_desktop.cli import main; rc=main(sys.argv[1:]);"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported';"
            "sys.exit(rc)") % str(sample)
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ----------------------------------------------- an event appended, back-dated, by the file's holder

def noted_head(p, capsys) -> str:
    assert qms(["info", "--json", str(p)]) == 0
    info = json.loads(capsys.readouterr().out)
    return f"{info['head_hash']}@{info['head_event']}"


def append_event(p, at: str, title: str = "Risk accepted by management") -> int:
    """Change risk 1's title and append a correctly chained event for it, dated ``at``."""
    c = sqlite3.connect(p)
    (old,) = c.execute("select title from risk where id=1").fetchone()
    last, head, user = c.execute("select id, hash, user from audit_event order by id desc "
                                 "limit 1").fetchone()
    before, after = encode_field(old), encode_field(title)
    h = event_hash(head, at, user, "update", "risk", 1, "title", before, after)
    c.execute("update risk set title=? where id=1", (title,))
    c.execute("insert into audit_event (id, at, user, op, entity, record_id, field, old, new, "
              "prev_hash, hash) values (?,?,?,?,?,?,?,?,?,?,?)",
              (last + 1, at, user, "update", "risk", 1, "title", before, after, head, h))
    c.commit()
    c.close()
    return last + 1


def last_at(p) -> dt.datetime:
    c = sqlite3.connect(p)
    (at,) = c.execute("select at from audit_event order by id desc limit 1").fetchone()
    c.close()
    return dt.datetime.fromisoformat(at)


def test_a_back_dated_event_after_a_noted_head_is_reported(sample, capsys):
    """A valid extension of the chain, so --expect alone cannot catch it: its time runs
    backwards, and that is reported with the event's number and both times."""
    expect = noted_head(sample, capsys)
    previous = last_at(sample)
    eid = append_event(sample, "2020-01-15T09:30:00.000000Z")
    for argv in (["verify", str(sample)], ["verify", str(sample), "--expect", expect]):
        code, out = run_argv(argv, capsys)
        assert code == 1, out
        first = out.strip().splitlines()[0]
        assert first.startswith(f"qms: verify failed: audit event {eid} (risk 1) is dated "
                                "2020-01-15 09:30:00 UTC, earlier than event "
                                f"{eid - 1} before it ({previous:%Y-%m-%d %H:%M:%S} UTC)"), out
        assert "back-dated" in first and out.count("\n") == 1, out


def test_the_divergence_from_a_noted_head_is_still_named_first(sample, capsys):
    expect = noted_head(sample, capsys)
    c = sqlite3.connect(sample)
    (n,) = c.execute("select max(id) from audit_event").fetchone()
    c.close()
    append_event(sample, "2020-01-15T09:30:00.000000Z")
    wrong = "ab" * 32
    code, out = run_argv(["verify", str(sample), "--expect", expect, "--expect",
                          f"{wrong}@{n + 1}"], capsys)
    lines = out.strip().splitlines()
    assert code == 1 and len(lines) == 2, out
    assert f"does not hold head {wrong[:16]}" in lines[0] and f"event {n + 1}" in lines[0]
    assert lines[1].startswith(f"  also: audit event {n + 1} (risk 1) is dated 2020-01-15")


def test_a_clock_set_back_a_little_is_not_a_problem(sample, capsys):
    """Clock adjustments of a few minutes (tolerance: 5) are normal on a laptop."""
    at = (last_at(sample) - dt.timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    append_event(sample, at)
    code, out = run_argv(["verify", str(sample)], capsys)
    assert code == 0 and out.startswith("ok:"), out


def test_an_event_time_that_is_no_time_is_reported(sample, capsys):
    eid = append_event(sample, "yesterday")
    code, out = run_argv(["verify", str(sample)], capsys)
    assert code == 1 and f"audit event {eid} (risk 1) has no valid time ('yesterday')" in out


def run_argv(argv, capsys):
    code = qms(argv)
    out = capsys.readouterr()
    return code, out.out + out.err
