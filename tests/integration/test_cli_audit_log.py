"""``qms export audit-log``: the workbook, its filters, and one-line errors."""

from __future__ import annotations

import datetime as dt
import sqlite3

import openpyxl
import pytest

from qms_desktop.cli import main
from qms_desktop.services import records
from qms_desktop.services.audit_trail import head_stamp, stamp_text
from qms_desktop.storage.workspace import create_workspace, open_workspace


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.qms"
    ws = create_workspace(path, organization="Small Ltd", user="tester")
    try:
        owner = records.create(ws, "person", {"name": "Priya Raman"}).result
        records.create(ws, "risk", {"ref": "R-001", "title": "Late delivery",
                                    "owner_id": owner})
    finally:
        ws.close()
    with open_workspace(path, user="alice") as ws:
        records.create(ws, "person", {"name": "Ben Carter"})
    return path


def trail_rows(out):
    sheet = openpyxl.load_workbook(out)["Audit trail"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[9] is not None]


def test_cli_writes_the_audit_log_and_prints_the_head(small, tmp_path, capsys):
    with open_workspace(small, read_only=True) as ws:
        head, n = head_stamp(ws)
    out = tmp_path / "log.xlsx"
    assert main(["export", "audit-log", str(small), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and stamp_text(head, n) in printed
    assert f"{n:,} events" in printed and "passed" in printed
    assert len(trail_rows(out)) == n


def test_cli_filters(small, tmp_path, capsys):
    con = sqlite3.connect(small)
    day = dt.datetime.fromisoformat(con.execute("SELECT max(at) FROM audit_event")
                                    .fetchone()[0]).date()
    con.close()
    out = tmp_path / "risks.xlsx"
    assert main(["export", "audit-log", str(small), "-o", str(out), "--entity", "risks"]) == 0
    rows = trail_rows(out)
    assert rows and {r["Record kind"] for r in rows} == {"risk"}
    out = tmp_path / "alice.xlsx"
    assert main(["export", "audit-log", str(small), "-o", str(out), "--user", "ALICE",
                 "--since", day.isoformat(), "--until", day.strftime("%d.%m.%Y")]) == 0
    rows = trail_rows(out)
    assert [r["Record"] for r in rows] == ["Ben Carter"]
    out = tmp_path / "none.xlsx"
    tomorrow = (day + dt.timedelta(days=1)).isoformat()
    assert main(["export", "audit-log", str(small), "-o", str(out), "--since", tomorrow]) == 0
    assert trail_rows(out) == [] and "0 events" in capsys.readouterr().out


@pytest.mark.parametrize("argv, code, message", [
    (["-o", "{tmp}/log.csv"], 2, "must end with .xlsx"),
    (["-o", "{tmp}/log.xlsx", "--since", "yesterday-ish"], 2, "--since"),
    (["-o", "{tmp}/log.xlsx", "--until", "03/04/2026"], 2, "--until"),
    (["-o", "{tmp}/log.xlsx", "--since", "2026-05-02", "--until", "2026-05-01"], 2,
     "is after --until"),
    (["-o", "{tmp}/log.xlsx", "--entity", "unicorn"], 2, "not a kind of record"),
    (["-o", "{tmp}/log.xlsx", "--user", "mallory"], 1, "made no change"),
    (["-o", "{tmp}/missing/log.xlsx"], 1, "does not exist"),
])
def test_cli_errors_are_one_line(small, tmp_path, capsys, argv, code, message):
    args = [a.format(tmp=tmp_path) for a in argv]
    assert main(["export", "audit-log", str(small), *args]) == code
    err = capsys.readouterr().err
    assert err.startswith("qms: ") and err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert not (tmp_path / "log.xlsx").exists()


def test_cli_on_a_missing_workspace(tmp_path, capsys):
    assert main(["export", "audit-log", str(tmp_path / "none.qms"), "-o",
                 str(tmp_path / "log.xlsx")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("qms: ") and err.count("\n") == 1
