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
