"""A history rewritten or rolled back by someone holding only the file is caught by a head kept
elsewhere: ``qms verify --expect``, the app's log of heads seen, and the stamp every export
carries."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.core.audit_chain import event_hash
from qms_desktop.services import heads
from qms_desktop.services import records as R
from qms_desktop.services.audit_trail import head_stamp, parse_stamp, stamp_text
from qms_desktop.services.verify import check_expected, verify
from qms_desktop.storage.workspace import create_workspace, open_workspace


@pytest.fixture
def history(tmp_path):
    """A workspace with 2 risks and a little over 100 more events after a copy was taken:
    (path, copy of the earlier state, (head, n) of the earlier state, (head, n) now)."""
    p = tmp_path / "ws.qms"
    w = create_workspace(p, organization="Acme", user="bob")
    rid = R.create(w, "risk", {"title": "Supplier late", "severity": 6}).result
    R.create(w, "risk", {"title": "Scrap rate"})
    early = head_stamp(w)
    older = tmp_path / "older.qms"
    w.save_copy(older)
    for i in range(105):
        R.update_field(w, "risk", rid, "title", f"Supplier late ({i})")
    now = head_stamp(w)
    w.close()
    assert now[1] - early[1] >= 100
    return p, older, early, now


def rechain_as_anna(path, event_id: int) -> None:
    """Rewrite event ``event_id`` as made by anna and re-hash every event from it on (its time
    is kept: a back-dated one is flagged by verify alone, see test_verify_tamper.py)."""
    c = sqlite3.connect(path)
    c.execute("update audit_event set user='anna' where id=?", (event_id,))
    rows = c.execute("select id, at, user, op, entity, record_id, field, old, new, prev_hash "
                     "from audit_event where id >= ? order by id", (event_id,)).fetchall()
    prev = rows[0][9]
    for eid, at, user, op, entity, rec, fld, old, new, _ in rows:
        h = event_hash(prev, at, user, op, entity, rec, fld or "", old, new)
        c.execute("update audit_event set prev_hash=?, hash=? where id=?", (prev, h, eid))
        prev = h
    c.commit()
    c.close()


def roll_back(path, older) -> None:
    """Replace the workspace by its older copy (the last 100+ events gone)."""
    shutil.copyfile(older, path)


def run(argv, capsys):
    code = qms(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


# --------------------------------------------------------------------------- the stamp

def test_stamp_text_parses_back_in_every_form():
    h = "ab" * 32
    assert stamp_text(h, 1204) == f"audit head {h} @ event 1204"
    for text in (h, f"{h}@1204", f"audit head {h} @ event 1204", f"  {h.upper()} @ 1,204 ",
                 f"Audit-trail head: {h} @ event 1204"):
        assert parse_stamp(text) in ((h, 1204), (h, None))
    assert parse_stamp(h) == (h, None)
    with pytest.raises(ValueError, match="is not an audit head"):
        parse_stamp("1a2b3c")


# --------------------------------------------------------------------------- verify --expect

def test_verify_passes_the_attacks_alone_but_expect_catches_the_rollback(history, capsys):
    path, older, early, now = history
    roll_back(path, older)
    code, out = run(["verify", str(path)], capsys)
    assert code == 0, out  # the attack: an intact, older chain
    code, out = run(["verify", str(path), "--expect", f"{now[0]}@{now[1]}"], capsys)
    assert code == 1
    assert f"has only {early[1]:,} events" in out and f"event {now[1]:,}" in out
    assert "rolled back" in out and len(out.strip().splitlines()) == 1
    # the earlier head is there; the stamp text as printed on exports is accepted
    code, out = run(["verify", str(path), "--expect", stamp_text(*early)], capsys)
    assert code == 0 and "expected head is in it" in out
    code, out = run(["verify", str(path), "--expect", now[0]], capsys)
    assert code == 1 and "never held head" in out


def test_expect_catches_a_rewrite_and_rechain(history, capsys):
    path, _older, early, now = history
    rechain_as_anna(path, 3)
    code, out = run(["verify", str(path)], capsys)
    assert code == 0, out  # the attack: verify alone passes
    code, out = run(["verify", str(path), "--expect", f"{now[0]}@{now[1]}",
                     "--expect", f"{early[0]}@{early[1]}"], capsys)
    assert code == 1
    first = out.strip().splitlines()[0]
    # the first divergence is named first: the earlier head
    assert f"at event {early[1]:,}" in first and "rewritten at or before" in first, out
    with open_workspace(path, read_only=True) as w:
        problems = check_expected(w, [f"{now[0]}@{now[1]}"])
        assert len(problems) == 1 and f"event {now[1]:,}" in problems[0]
        assert check_expected(w, [stamp_text(*head_stamp(w))]) == []
        assert verify(w).ok


def test_expect_refuses_what_is_not_a_head(history, capsys):
    path, *_ = history
    code, out = run(["verify", str(path), "--expect", "1a2b3c4d"], capsys)
    assert code == 2 and "is not an audit head" in out


def test_info_shows_the_whole_head_and_its_event(history, capsys):
    path, _older, _early, now = history
    code, out = run(["info", str(path)], capsys)
    assert code == 0 and f"audit head     {now[0]} @ event {now[1]}" in out
    code, out = run(["info", str(path), "--json"], capsys)
    data = json.loads(out)
    assert data["head_hash"] == now[0] and data["head_event"] == now[1]


# --------------------------------------------------------------------------- the heads log

def test_heads_log_catches_a_rollback_on_open(history, tmp_path):
    path, older, early, now = history
    app = tmp_path / "appdata"
    with open_workspace(path) as w:
        assert heads.check(app, w).ok
        heads.record(app, w, "close")
    roll_back(path, older)
    with open_workspace(path) as w:
        found = heads.check(app, w)
    assert not found.ok
    assert found.problem.startswith("The history of “ws.qms” was rewritten or rolled back since ")
    assert f"event {now[1]:,}" in found.problem and f"has {early[1]:,} audit events" in found.problem
    # told once: dismissed heads are not reported again
    heads.dismiss(app, found)
    with open_workspace(path) as w:
        assert heads.check(app, w).ok


def test_heads_log_catches_a_rewrite_on_open(history, tmp_path):
    path, *_ = history
    app = tmp_path / "appdata"
    with open_workspace(path) as w:
        heads.record(app, w, "export")
    rechain_as_anna(path, 3)
    with open_workspace(path) as w:
        assert verify(w).ok
        found = heads.check(app, w)
    assert "was rewritten or rolled back" in found.problem and "is not the one" in found.problem


def test_heads_log_catches_a_history_rewritten_from_its_first_event(history, tmp_path):
    path, *_ = history
    app = tmp_path / "appdata"
    with open_workspace(path) as w:
        before = heads.workspace_key(w)
        heads.record(app, w, "backup")
    rechain_as_anna(path, 1)  # a new first event: still known by its workspace id (and path)
    with open_workspace(path) as w:
        assert heads.workspace_key(w) == before and before.startswith("id:")
        assert not heads.check(app, w).ok


def test_a_copy_opened_elsewhere_is_known_by_its_history(history, tmp_path):
    path, older, _early, _now = history
    app = tmp_path / "appdata"
    with open_workspace(path) as w:
        heads.record(app, w, "close")
    mailed = tmp_path / "mail" / "ws.qms"
    mailed.parent.mkdir()
    shutil.copyfile(older, mailed)  # someone sends back an older state under another path
    with open_workspace(mailed, read_only=True) as w:
        assert not heads.check(app, w).ok


def test_heads_log_is_bounded_atomic_and_survives_damage(history, tmp_path):
    path, *_ = history
    app = tmp_path / "appdata"
    app.mkdir()
    heads.log_path(app).write_text("{ not json", encoding="utf-8")
    with open_workspace(path) as w:
        note = heads.record(app, w, "open")
        assert "was damaged, so it was started afresh" in note
        assert heads.check(app, w).ok
        for i in range(heads.PER_WORKSPACE + 10):
            R.create(w, "person", {"name": f"P{i}"})
            heads.record(app, w, "export")
    log = heads.load(app)
    assert log.note == "" and len(log.entries) == heads.PER_WORKSPACE
    assert sorted(p.name for p in app.iterdir()) == ["audit-heads.json",
                                                     "audit-heads.json.corrupt"]


# --------------------------------------------------------------------------- exports

@pytest.fixture
def mapped(tmp_path):
    from qms_desktop.core.processmap import Edge, Node, ProcessMap
    from qms_desktop.services.processes import save_map

    w = create_workspace(tmp_path / "maps.qms", organization="Acme")
    pm = ProcessMap([Node("s", "start", name="Order", x=0, y=0, w=36, h=36),
                     Node("a", "step", name="Make parts", x=100, y=0, w=120, h=60)],
                    [Edge("e1", "s", "a")])
    pid = save_map(w, pm, name="Make to order").result
    R.create(w, "risk", {"title": "Supplier late", "severity": 6})
    yield w, pid
    w.close()


def test_risk_register_carries_the_full_stamp(mapped, tmp_path):
    from openpyxl import load_workbook

    from qms_desktop.services.risks import export_risks

    w, _pid = mapped
    head, n = head_stamp(w)
    out = export_risks(w, tmp_path / "r.xlsx", with_heatmap=False)
    book = load_workbook(out)
    info = {row[0]: row[1] for row in book["Info"].iter_rows(values_only=True) if row}
    assert info["Audit-trail head hash"] == f"{head} @ event {n}"
    assert parse_stamp(info["Audit-trail head hash"]) == (head, n)
    assert f"{head} @ event {n}" in book["Risks"].oddFooter.left.text


def test_bpmn_carries_the_stamp_as_a_comment_that_reimport_ignores(mapped, tmp_path):
    from qms_desktop.services import processes as P

    w, pid = mapped
    head, n = head_stamp(w)
    out = P.export_bpmn_file(w, pid, tmp_path / "m.bpmn")
    data = out.read_bytes()
    assert f"<!-- QMS Workbench audit head {head} @ event {n} -->".encode() in data
    assert data.startswith(b"<?xml")
    assert not P.update_map_from_file(w, pid, out, "bpmn").result.writes
    again = P.export_bpmn_file(w, pid, tmp_path / "again.bpmn")
    assert again.read_bytes().count(b"<!--") == 1


@pytest.mark.parametrize("what", ["risks", "bpmn",
                                  pytest.param("diagram", marks=pytest.mark.gui)])
def test_cli_exports_note_and_print_the_head_they_carry(mapped, tmp_path, capsys, heads_log,
                                                        what):
    w, pid = mapped
    head, n = head_stamp(w)
    out = tmp_path / {"risks": "r.xlsx", "bpmn": "m.bpmn", "diagram": "m.svg"}[what]
    argv = ["export", what, str(w.path)] + ([] if what == "risks" else [str(pid)])
    code, said = run(argv + ["-o", str(out)], capsys)
    assert code == 0, said
    assert said == f"wrote {out} — {stamp_text(head, n)}\n"
    seen = heads.load(heads_log).entries
    assert [(e.hash, e.n, e.why, e.key) for e in seen] == \
        [(head, n, "export", heads.workspace_key(w))]
    R.create(w, "risk", {"title": "Scrap rate"})  # a later head is noted too, and is no rollback
    assert run(argv + ["-o", str(out)], capsys)[0] == 0
    assert sorted(e.n for e in heads.load(heads_log).entries) == [n, head_stamp(w)[1]]
    assert heads.check(heads_log, w).ok


def test_the_log_folder_is_the_apps_data_folder_unless_moved(monkeypatch, tmp_path):
    monkeypatch.delenv(heads.FOLDER_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "share"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert heads.log_folder(tmp_path / "gui") == tmp_path / "gui"
    assert heads.log_folder().parts[-2:] == ("QMS Workbench", "qms-desktop")
    monkeypatch.setenv(heads.FOLDER_ENV, str(tmp_path / "moved"))
    assert heads.log_folder(tmp_path / "gui") == heads.log_folder() == tmp_path / "moved"


def png_text_chunks(data: bytes) -> dict[str, str]:
    """The tEXt/zTXt chunks of a PNG, read without Qt."""
    import struct
    import zlib

    out, i = {}, 8
    while i < len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + size]
        if kind in (b"tEXt", b"zTXt"):
            key, _, value = body.partition(b"\x00")
            if kind == b"zTXt":
                value = zlib.decompress(value[1:])
            out[key.decode("latin-1")] = value.decode("latin-1")
        i += 12 + size
    return out


@pytest.mark.gui
def test_diagrams_carry_the_full_stamp(mapped, tmp_path):
    import shutil as sh
    import subprocess

    from PySide6.QtGui import QImage

    from qms_desktop.ui.flowchart.render import render_map

    w, pid = mapped
    head, n = head_stamp(w)
    stamp = stamp_text(head, n)
    svg = render_map(w, pid, tmp_path / "m.svg").read_text(encoding="utf-8")
    assert f"audit trail head {head} @ event {n}" in svg
    png = render_map(w, pid, tmp_path / "m.png", dpi=50)
    assert QImage(str(png)).text("Audit head") == stamp
    assert png_text_chunks(png.read_bytes())["Audit head"] == stamp
    pdf = render_map(w, pid, tmp_path / "m.pdf")
    if sh.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True, timeout=60).stdout
        assert f"audit trail head {head} @ event {n}" in " ".join(text.split())
    if sh.which("pdfinfo"):
        meta = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                              check=True, timeout=60).stdout
        assert stamp in meta


@pytest.mark.gui
def test_the_app_warns_on_open_after_a_rollback_and_notes_heads_at_close(history, tmp_path,
                                                                        qtbot):
    from PySide6.QtGui import QUndoGroup

    from qms_desktop.ui.controller import WorkspaceController
    from qms_desktop.ui.tasks import TaskRunner

    path, older, early, now = history
    app = tmp_path / "appdata"
    ctl = WorkspaceController(TaskRunner(), QUndoGroup(), backup_minutes=0)
    ctl.heads_dir = app
    warnings: list[str] = []
    ctl.historyChanged.connect(warnings.append)
    ctl.open(path)
    assert (ctl.head_hash, ctl.head_event) == now and warnings == []
    ctl.close()
    assert [(e.hash, e.n) for e in heads.load(app).entries] == [now]
    assert {e.why for e in heads.load(app).entries} == {"open"}  # seen again at close
    roll_back(path, older)
    ctl.open(path)
    assert len(warnings) == 1
    assert warnings[0].startswith("The history of “ws.qms” was rewritten or rolled back since")
    assert (ctl.head_hash, ctl.head_event) == early
    ctl.close()
    ctl.open(path)  # told once
    assert len(warnings) == 1
    ctl.close()


@pytest.mark.gui
def test_about_box_shows_the_whole_head_and_its_event(qtbot):
    from qms_desktop.ui.dialogs import AboutDialog

    h = "cd" * 32
    d = AboutDialog(None, head_hash=h, workspace_name="ws.qms", head_event=1204)
    qtbot.addWidget(d)
    assert d.ui.headHashLabel.text() == h and d.headEventLabel.text() == "1204"
    assert f"Audit trail head {h} @ event 1204" in d.details()
    assert parse_stamp(d.details().splitlines()[-1]) == (h, 1204)


def test_expect_names_a_cut_trail_first_even_when_records_then_disagree(history, capsys):
    """Events cut from the end without putting the records back: the records no longer match
    their trail, and the missing head is said first (it explains the rest)."""
    path, _older, _early, now = history
    c = sqlite3.connect(path)
    c.execute("DELETE FROM audit_event WHERE id > (SELECT max(id) - 5 FROM audit_event)")
    c.commit()
    c.close()
    code, out = run(["verify", str(path), "--expect", f"{now[0]}@{now[1]}"], capsys)
    assert code == 1
    first = out.strip().splitlines()[0]
    assert "rolled back" in first and f"event {now[1]:,}" in first, out


def test_expect_with_a_mistyped_event_number_says_so(history, capsys):
    path, _older, _early, now = history
    code, out = run(["verify", str(path), "--expect", f"{now[0]}@{now[1] - 1}"], capsys)
    assert code == 1
    assert f"is event {now[1]:,} of this audit trail, not event {now[1] - 1:,}" in out
    assert "rewritten" not in out


@pytest.mark.gui
def test_the_pdf_stamp_copies_out_without_ligatures(history, tmp_path, monkeypatch):
    """A head printed on a PDF must copy out as written: "ff" in a hash, never the "ﬀ"
    ligature the font would otherwise use (and a pasted ligature still parses)."""
    import shutil as sh
    import subprocess

    from qms_desktop.services import processes as P
    from qms_desktop.ui.flowchart import render

    if not sh.which("pdftotext"):
        pytest.skip("pdftotext (poppler) is not installed (.ci/run installs it)")
    path, *_ = history
    fake = "ff" * 32
    monkeypatch.setattr(render, "export_subtitle",
                        lambda ws: f"Offset 2026-12-05 · audit trail head {fake} @ event 7")
    with open_workspace(path) as w:
        pid = P.add_process(w, {"name": "Offcuts"}).result
        P.add_node(w, pid, "step", 0, 0, name="Cut")
        pdf = render.render_map(w, pid, tmp_path / "m.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    [line] = [ln for ln in text.splitlines() if "audit trail head" in ln]
    assert fake in line and "\ufb00" not in line
    assert parse_stamp(f"audit head {fake.replace('ff', chr(0xFB00))} @ event 7") == (fake, 7)


def test_two_honest_copies_edited_apart_are_told_as_copies_not_tampering(tmp_path):
    """Copies are encouraged (one file per company, e-mail it): two copies of one workspace
    edited separately share its id and part of its history. Opening the second after the first
    says they went separate ways — it never calls the copy rewritten or untrustworthy."""
    app = tmp_path / "appdata"
    first = tmp_path / "k1.qms"
    w = create_workspace(first, organization="Acme")
    rid = R.create(w, "risk", {"title": "Scrap"}).result
    w.close()
    second = tmp_path / "k2.qms"
    shutil.copyfile(first, second)
    for path, title in ((first, "Scrap at k1"), (second, "Scrap at k2")):
        with open_workspace(path) as w:
            R.update_field(w, "risk", rid, "title", title)
            assert verify(w).ok
    with open_workspace(first) as w:
        heads.record(app, w, "close")
    with open_workspace(second) as w:
        found = heads.check(app, w)
    assert not found.ok
    assert "is a copy of the workspace this app saw as “k1.qms”" in found.problem
    assert "rewritten" not in found.problem and "do not trust" not in found.problem
    # the same file rolled back is still called what it is
    with open_workspace(first) as w:
        R.update_field(w, "risk", rid, "title", "Scrap at k1, later")
        heads.record(app, w, "close")
    shutil.copyfile(second, first)
    with open_workspace(first) as w:
        assert "was rewritten or rolled back" in heads.check(app, w).problem
