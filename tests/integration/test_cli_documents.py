"""`qms export procedure|manual`, `qms import docx`, `qms users add|list`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.services import documents as docs
from qms_desktop.services import processes
from qms_desktop.storage.workspace import create_workspace, open_workspace

PW = {"dan": "dan's long password", "eve": "eve reviews things", "max": "max approves all"}


def _docx_text(path: Path) -> str:
    from docx import Document

    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@pytest.fixture
def wsfile(tmp_path):
    """A workspace with SOP-001 in force at revision A (map linked) and draft B being written,
    and a draft-only SOP-002."""
    path = tmp_path / "plant.qms"
    ws = create_workspace(path, organization="Acme Precision")
    pid = processes.add_process(ws, {"name": "Order intake"}).result
    a = processes.add_node(ws, pid, "start", 0, 0, name="Order received").result
    b = processes.add_node(ws, pid, "step", 120, 0, name="Check the drawing").result
    processes.add_edge(ws, pid, a, b)
    did = docs.add_document(ws, {"title": "Order review", "process_id": pid}).result
    docs.edit_section(ws, did, "purpose", "Accept only orders we can **deliver**.")
    docs.add_user(ws, "dan", "Daniel Okafor", PW["dan"])
    admin = ("dan", PW["dan"])
    docs.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"], admin=admin)
    docs.add_user(ws, "max", "Max Brandt", PW["max"], rights=["approved"], admin=admin)
    rid = docs.get_document(ws, did).pending_id
    docs.sign(ws, rid, "authored", "dan", PW["dan"])
    docs.sign(ws, rid, "reviewed", "eve", PW["eve"])
    docs.sign(ws, rid, "approved", "max", PW["max"])
    docs.make_effective(ws, rid)
    docs.edit_section(ws, did, "purpose", "Revision B text.")
    docs.add_document(ws, {"title": "Not yet approved"})
    ws.close()
    return path


def test_export_procedure_by_number_title_and_revision(wsfile, tmp_path, capsys):
    out = tmp_path / "sop.docx"
    assert qms(["export", "procedure", str(wsfile), "SOP-001", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    text = _docx_text(out)
    assert "Accept only orders we can deliver." in text and "Revision B text." not in text
    from docx import Document

    assert Document(str(out)).inline_shapes  # the map
    by_title = tmp_path / "b.docx"
    assert qms(["export", "procedure", str(wsfile), "order review", "--revision", "B", "-o",
                str(by_title)]) == 0
    assert "Revision B text." in _docx_text(by_title)
    assert qms(["export", "procedure", str(wsfile), "SOP-001", "--revision", "Q", "-o",
                str(tmp_path / "q.docx")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no revision “Q”" in err and "A, B" in err
    assert qms(["export", "procedure", str(wsfile), "SOP-404", "-o", str(out)]) == 1
    assert "There is no document “SOP-404”" in capsys.readouterr().err
    assert qms(["export", "procedure", str(wsfile), "SOP-001", "-o",
                str(tmp_path / "x.pdf")]) == 2


def test_export_with_template(wsfile, tmp_path, capsys):
    letterhead = tmp_path / "letterhead.docx"
    assert qms(["export", "procedure", str(wsfile), "1", "-o", str(letterhead)]) == 0
    out = tmp_path / "on-letterhead.docx"
    assert qms(["export", "procedure", str(wsfile), "SOP-001", "--template", str(letterhead),
                "-o", str(out)]) == 0
    assert "Order review" in _docx_text(out)
    bad = tmp_path / "bad.docx"
    bad.write_text("no")
    capsys.readouterr()
    assert qms(["export", "procedure", str(wsfile), "SOP-001", "--template", str(bad), "-o",
                str(out)]) == 1
    assert "cannot be used" in capsys.readouterr().err
    assert qms(["export", "manual", str(wsfile), "--template", str(tmp_path / "none.docx"),
                "-o", str(out)]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_export_manual_progress_on_stderr(wsfile, tmp_path, capsys):
    out = tmp_path / "manual.docx"
    assert qms(["export", "manual", str(wsfile), "-o", str(out), "--title", "Acme QMS"]) == 0
    got = capsys.readouterr()
    assert "qms: 1/1 SOP-001 Order review" in got.err
    text = _docx_text(out)
    assert "Acme QMS" in text and "SOP-001" in text and "Not yet approved" not in text
    empty = tmp_path / "empty.qms"
    create_workspace(empty).close()
    assert qms(["export", "manual", str(empty), "-o", str(out)]) == 1
    assert "no manual" in capsys.readouterr().err


def test_import_docx_dry_run_skip_and_register(wsfile, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    assert qms(["export", "procedure", str(wsfile), "SOP-001", "-o",
                str(folder / "SOP-001 Order review.docx")]) == 0
    (folder / "broken.docx").write_text("not a zip")
    target = tmp_path / "new.qms"
    create_workspace(target).close()
    capsys.readouterr()
    assert qms(["import", "docx", str(target), str(folder), "--dry-run"]) == 1
    got = capsys.readouterr()
    assert "broken.docx: cannot be registered" in got.out
    assert "nothing was registered" in got.err and "--skip" in got.err
    assert qms(["import", "docx", str(target), str(folder), "--skip", "broken.docx",
                "--dry-run"]) == 0
    assert "would register 1 document" in capsys.readouterr().out
    with open_workspace(target, read_only=True) as ws:
        assert docs.list_documents(ws) == []
    assert qms(["import", "docx", str(target), str(folder), "--skip", "nope.docx"]) == 2
    assert qms(["import", "docx", str(target), str(folder), "--skip", "broken.docx"]) == 0
    assert "registered 1 document in force from today: SOP-001" in capsys.readouterr().out
    with open_workspace(target, read_only=True) as ws:
        (row,) = docs.list_documents(ws)
        assert (row.number, row.status, row.revision) == ("SOP-001", "effective", "A")
        assert any(s.text for s in docs.sections(ws, row.in_force_id))
    # again: the number is registered already
    assert qms(["import", "docx", str(target), str(folder / "SOP-001 Order review.docx")]) == 1
    assert "already registered" in capsys.readouterr().out
    # --no-sections
    other = tmp_path / "other.qms"
    create_workspace(other).close()
    assert qms(["import", "docx", str(other), str(folder / "SOP-001 Order review.docx"),
                "--no-sections"]) == 0
    with open_workspace(other, read_only=True) as ws:
        (row,) = docs.list_documents(ws)
        assert all(not s.text for s in docs.sections(ws, row.in_force_id))


def test_users_add_and_list(tmp_path, capsys, monkeypatch):
    path = tmp_path / "u.qms"
    create_workspace(path).close()
    monkeypatch.setattr("sys.stdin", io.StringIO("dan's long password\n"))
    assert qms(["users", "add", str(path), "dan", "--full-name", "Daniel  Okafor",
                "--password-stdin"]) == 0
    assert "administrator" in capsys.readouterr().out
    # a later user needs an administrator
    assert qms(["users", "add", str(path), "eve", "--full-name", "Eve Park",
                "--password-stdin"]) == 1
    assert "--admin" in capsys.readouterr().err
    # asked twice with getpass: they differ
    answers = iter(["eve reviews things", "eve reviews thing"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert qms(["users", "add", str(path), "eve", "--full-name", "Eve Park", "--admin",
                "dan"]) == 1
    assert "differ" in capsys.readouterr().err
    answers = iter(["eve reviews things", "eve reviews things", "wrong admin password"])
    assert qms(["users", "add", str(path), "eve", "--full-name", "Eve Park", "--admin",
                "dan"]) == 1
    assert "administrator's user name or password is wrong" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("eve reviews things\ndan's long password\n"))
    assert qms(["users", "add", str(path), "eve", "--full-name", "Eve Park", "--admin", "dan",
                "--rights", "reviewed", "--password-stdin"]) == 0
    assert qms(["users", "list", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Daniel Okafor" in out and "eve" in out and "reviewed" in out
    with open_workspace(path, read_only=True) as ws:
        assert docs.authenticate(ws, "eve", "eve reviews things").rights == ("reviewed",)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert qms(["users", "add", str(path), "max", "--full-name", "Max", "--admin", "dan",
                "--password-stdin"]) == 1
    assert capsys.readouterr().err.startswith("qms: A password needs")
