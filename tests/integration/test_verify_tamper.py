"""`qms verify` catches edits made behind the application's back (sqlite3 shell style)."""

import shutil
import sqlite3
import subprocess
import sys

import pytest

from qms_desktop.cli import main as qms
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
