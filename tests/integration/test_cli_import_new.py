"""``qms new`` and the risk import's ``--skip-invalid`` / ``--map`` on the command line."""

from __future__ import annotations

import json

from qms_desktop.cli import main as qms


def test_new_creates_an_empty_workspace(tmp_path, capsys):
    from qms_desktop.services.overview import overview
    from qms_desktop.services.verify import verify
    from qms_desktop.storage.workspace import open_workspace

    target = tmp_path / "acme"
    assert qms(["new", str(target), "--organization", "ACME  Precision Ltd"]) == 0
    out = capsys.readouterr().out
    assert out == f"created empty workspace {target}.qms for ACME Precision Ltd\n"
    with open_workspace(tmp_path / "acme.qms", read_only=True) as ws:
        ov = overview(ws)
        assert ov.organization == "ACME Precision Ltd"
        assert {k: n for k, n in ov.counts.items() if n and "audit" not in k} == {}
        assert verify(ws).ok
    # never over an existing file without --force; a one-line reason, exit 1
    assert qms(["new", str(target) + ".qms"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert qms(["new", str(target), "--force"]) == 0
    capsys.readouterr()
    with open_workspace(tmp_path / "acme.qms", read_only=True) as ws:
        assert overview(ws).organization == ""
    assert qms(["new", str(tmp_path / "nope" / "x.qms")]) == 1
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "folder.qms").mkdir()
    assert qms(["new", str(tmp_path / "folder.qms")]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_new_help(capsys):
    import pytest

    with pytest.raises(SystemExit) as done:
        qms(["new", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "--organization NAME" in out and "--force" in out and "WS" in out


def _register(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("ID,Title,Likelihood,Impact,Owner\n"
                    "X-1,Good row,2,3,Zoe Brandt\n"
                    "X-2,Bad rating,banana,3,Yann Abel\n"
                    "X-3,Another good row,H,L,Anna / Ben; Carl\n"
                    "X-4,,2,2,\n", encoding="utf-8")
    return path


def test_skip_invalid_imports_the_good_rows_and_reports_the_others(ws_path, tmp_path, capsys):
    from qms_desktop.services import risks as RS
    from qms_desktop.storage.workspace import create_workspace, open_workspace

    create_workspace(ws_path).close()
    reg = _register(tmp_path)
    before = ws_path.read_bytes()
    # without the flag: all or nothing
    assert qms(["import", "risks", str(ws_path), str(reg)]) == 1
    got = capsys.readouterr()
    assert "nothing was imported" in got.err and "--skip-invalid" in got.err
    assert got.err.count("\n") == 1
    assert ws_path.read_bytes() == before
    # a dry run with the flag says what would happen
    assert qms(["import", "risks", str(ws_path), str(reg), "--dry-run", "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "the 2 rows with errors would be skipped" in out
    assert "(skipped)" in out
    # the real thing: one transaction with the two good rows
    assert qms(["import", "risks", str(ws_path), str(reg), "--skip-invalid", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["committed"] and report["created"] == 2 and report["errors"] == 2
    skipped = {r["row_number"]: r["messages"] for r in report["rows"] if r["status"] == "error"}
    assert set(skipped) == {3, 5}
    assert any("banana" in m for m in skipped[3]) and any("Title is empty" in m
                                                          for m in skipped[5])
    assert report["people_added"] == ["Anna", "Zoe Brandt"]  # not Yann Abel (row skipped)
    with open_workspace(ws_path, read_only=True) as ws:
        rows = {r.ref: r for r in RS.list_risks(ws)}
        assert set(rows) == {"X-1", "X-3"}
        assert (rows["X-3"].inherent_likelihood, rows["X-3"].inherent_impact) == (4, 2)
        assert rows["X-3"].owner == "Anna" and "Also responsible: Ben, Carl" in rows["X-3"].notes
        people = {c.name for c in RS.lookups(ws)["owner_id"]}
        assert "Yann Abel" not in people
    # every row invalid: nothing to import is a failure even with the flag
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,Title,Likelihood,Impact\nY-1,,1,1\nY-2,T,banana,1\n", encoding="utf-8")
    assert qms(["import", "risks", str(ws_path), str(bad), "--skip-invalid"]) == 1
    assert "all 2 rows have errors" in capsys.readouterr().err


def test_import_help_names_the_new_options(capsys):
    import pytest

    with pytest.raises(SystemExit):
        qms(["import", "risks", "--help"])
    out = capsys.readouterr().out
    assert "--map COLUMN=FIELD" in out and "--skip-invalid" in out and "--dry-run" in out
