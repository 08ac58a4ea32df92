"""Where `qms` writes, and what it says when it cannot."""

from qms_desktop.cli import main as qms
from qms_desktop.storage.workspace import create_workspace


def test_backup_destinations(tmp_path, capsys):
    ws = tmp_path / "plant.qms"
    create_workspace(ws).close()
    folder = tmp_path / "bk"
    folder.mkdir()
    assert qms(["backup", str(ws), str(folder)]) == 0
    assert (folder / "plant.qms").exists()
    assert qms(["backup", str(ws), str(folder)]) == 1
    assert "--force" in capsys.readouterr().err
    assert qms(["backup", str(ws), str(folder), "--force"]) == 0
    assert qms(["backup", str(ws), str(tmp_path / "nope" / "x.qms")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and ".part" not in err
    assert qms(["verify", str(folder / "plant.qms")]) == 0


def test_export_refuses_wrong_suffix(tmp_path, capsys):
    ws = tmp_path / "w.qms"
    create_workspace(ws).close()
    assert qms(["export", "risks", str(ws), "-o", str(tmp_path / "r.csv")]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()
    assert qms(["export", "diagram", str(ws), "1", "-o", str(tmp_path / "d.jpg")]) == 2


# --------------------------------------------------------------------------- why a write fails

import os  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    p = tmp_path_factory.mktemp("demo") / "demo.qms"
    assert qms(["demo", str(p)]) == 0
    return p


def _export_risks_err(ws, out, capsys) -> str:
    capsys.readouterr()
    assert qms(["export", "risks", str(ws), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("qms: ") and err.count("\n") == 1
    return err


def test_export_into_a_folder_that_takes_no_files_says_it_cannot_be_written(demo_ws, capsys):
    """/proc exists for everyone and takes no new files (root included): not “does not exist”."""
    if not Path("/proc").is_dir():
        pytest.skip("no /proc here")
    err = _export_risks_err(demo_ws, Path("/proc/x.xlsx"), capsys)
    assert "“/proc”" in err and "cannot be written" in err and "does not exist" not in err


def test_export_into_a_read_only_folder_says_it_cannot_be_written(demo_ws, tmp_path, capsys,
                                                                  tmpfs):
    with tmpfs("ro,size=64k") as d:
        if d is None:
            if os.geteuid() == 0:
                pytest.skip("root may write a chmod 555 folder, and no tmpfs can be mounted")
            d = tmp_path / "ro"
            d.mkdir()
            os.chmod(d, 0o555)
        err = _export_risks_err(demo_ws, d / "r.xlsx", capsys)
        assert f"“{d}”" in err and "cannot be written" in err and "does not exist" not in err
        assert list(d.iterdir()) == []


def test_export_onto_a_full_disk_says_the_disk_is_full(demo_ws, tmp_path, capsys, tmpfs):
    with tmpfs("size=8k") as d:
        if d is None:
            pytest.skip("cannot mount a small tmpfs here (needs root)")
        err = _export_risks_err(demo_ws, d / "r.xlsx", capsys)
        assert "disk is full" in err and "does not exist" not in err
        assert list(d.iterdir()) == []


def test_export_into_a_missing_folder_says_it_does_not_exist(demo_ws, tmp_path, capsys):
    err = _export_risks_err(demo_ws, tmp_path / "nope" / "r.xlsx", capsys)
    assert f"“{tmp_path / 'nope'}” does not exist" in err


# --------------------------------------------------------------------------- the flag, by name


def test_demo_onto_an_existing_file_names_force(tmp_path, capsys):
    out = tmp_path / "demo.qms"
    out.write_bytes(b"mine")
    for arg in (out, tmp_path / "demo"):  # (.qms is added)
        assert qms(["demo", str(arg)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--force" in err and "allow replacing" not in err
    assert out.read_bytes() == b"mine"


def test_risk_import_of_existing_ids_names_update_existing(demo_ws, tmp_path, capsys):
    import json

    reg = tmp_path / "r.xlsx"
    assert qms(["export", "risks", str(demo_ws), "-o", str(reg)]) == 0
    capsys.readouterr()
    assert qms(["import", "risks", str(demo_ws), str(reg), "--dry-run"]) == 1
    got = capsys.readouterr()
    # the row errors say what clashes; what to do about it is said once, at the end
    assert "--update-existing" not in got.out and "update existing”" not in got.out
    assert got.err.count("--update-existing") == 1 and got.err.count("\n") == 1
    assert qms(["import", "risks", str(demo_ws), str(reg), "--dry-run", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)["rows"]
    msgs = [m for r in rows for m in r["messages"]]
    assert msgs and all("update existing”" not in m for m in msgs)
    assert all(m.endswith("already exists in the workspace") for m in msgs)
    assert qms(["import", "risks", str(demo_ws), str(reg), "--dry-run",
                "--update-existing"]) == 0
