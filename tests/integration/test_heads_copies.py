"""The log of heads seen (issue 9, item 7) with copies about: a copy's warning never silences the
original's heads, an older copy, a copy edited apart and a rewritten copy are told apart, and
`qms verify` / `info` / `backup` use the same log as the app."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.core.audit_chain import event_hash
from qms_desktop.services import heads
from qms_desktop.services import records as R
from qms_desktop.services.audit_trail import head_stamp
from qms_desktop.storage.workspace import create_workspace, open_workspace



def rechain_as_anna(path, event_id: int) -> None:
    """Event ``event_id`` rewritten as made by anna and every event from it re-hashed."""
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


@pytest.fixture
def trial(tmp_path):
    """T.qms with a risk, an archive copy taken before 5 more edits, and T.qms's head after
    them noted in the log (as `qms export` notes it): (T path, archive path, archive's stamp,
    T's stamp)."""
    path = tmp_path / "T.qms"
    w = create_workspace(path, organization="Acme", user="bob")
    rid = R.create(w, "risk", {"title": "Supplier late", "severity": 6}).result
    early = head_stamp(w)
    archive = tmp_path / "archive.qms"
    w.save_copy(archive)
    for i in range(5):
        R.update_field(w, "risk", rid, "title", f"Supplier late ({i})")
    now = head_stamp(w)
    heads.record(heads.log_folder(), w, "export")
    w.close()
    return path, archive, early, now


def open_in_app(path, folder=None):
    """What the app does on opening: check, dismiss what was told, note the head."""
    folder = folder or heads.log_folder()
    with open_workspace(path) as w:
        found = heads.check(folder, w)
        if not found.ok:
            heads.dismiss(folder, found)
        heads.record(folder, w, "open")
    return found


def cut_last_events(path, k: int) -> None:
    """The trial's rollback: the last ``k`` audit events deleted (the record put back aside)."""
    c = sqlite3.connect(path)
    c.execute("DELETE FROM audit_event WHERE id > (SELECT max(id) - ? FROM audit_event)", (k,))
    c.commit()
    c.close()


def run(argv, capsys):
    code = qms([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# --------------------------------------------------------------------------- A


def test_opening_an_older_copy_never_silences_the_originals_heads(trial):
    path, archive, _early, now = trial
    found = open_in_app(archive)
    assert not found.ok
    noted = [e for e in heads.load(heads.log_folder()).entries if e.path.endswith("T.qms")]
    assert [(e.hash, e.n, e.dismissed) for e in noted] == [(now[0], now[1], False)]
    assert open_in_app(archive).ok  # the copy was told once
    cut_last_events(path, 3)
    found = open_in_app(path)
    assert found.problem.startswith("The history of “T.qms” was rewritten or rolled back since")
    assert f"this app saw event {now[1]:,}" in found.problem


def test_a_copy_whose_head_was_seen_at_the_original_does_not_take_that_entry(trial, tmp_path):
    path, archive, early, now = trial
    with open_workspace(path) as w:  # the archive's head was also seen at T.qms (earlier)
        heads.record(heads.log_folder(), w, "export", stamp=early)
    open_in_app(archive)
    at_t = {(e.hash, e.n) for e in heads.load(heads.log_folder()).entries
            if e.path.endswith("T.qms")}
    assert at_t == {early, now}
    shutil.copyfile(archive, path)  # T.qms itself rolled back to the archive
    assert "rolled back" in open_in_app(path).problem


# --------------------------------------------------------------------------- B


def test_an_older_copy_is_called_an_older_copy(trial):
    _path, archive, early, now = trial
    with open_workspace(archive, read_only=True) as w:
        found = heads.check(heads.log_folder(), w)
    seen = heads.load(heads.log_folder()).entries[0].at
    when = seen.replace("T", " ")[:16]
    assert found.problem == (
        f"“archive.qms” is an older copy of “T.qms”: its history stops at event {early[1]:,} "
        f"of the {now[1]:,} seen on {when}; nothing in it contradicts what was seen.")
    assert not found.untrusted


def test_a_copy_edited_apart_is_a_fork(trial):
    _path, archive, _early, _now = trial
    with open_workspace(archive) as w:
        for i in range(7):  # more events than T.qms, none of them T's
            R.create(w, "role", {"name": f"role {i}"})
        found = heads.check(heads.log_folder(), w)
    assert "edited apart" in found.problem and "rewritten" not in found.problem
    assert "is a copy of the workspace this app saw as “T.qms”" in found.problem
    assert not found.untrusted


@pytest.mark.parametrize("from_event", [1, 3])
def test_a_rewritten_history_under_a_new_name_is_called_rewritten(trial, from_event):
    path, _archive, _early, _now = trial
    renamed = path.with_name("T (1).qms")
    shutil.copyfile(path, renamed)
    rechain_as_anna(renamed, from_event)
    with open_workspace(renamed, read_only=True) as w:
        found = heads.check(heads.log_folder(), w)
    assert "rewritten" in found.problem and "T.qms" in found.problem, found.problem
    assert "edited apart" not in found.problem and "expected" not in found.problem
    assert found.untrusted


def test_the_seen_head_itself_altered_under_a_new_name_is_rewritten(trial):
    path, _archive, _early, now = trial
    renamed = path.with_name("T (1).qms")
    shutil.copyfile(path, renamed)
    rechain_as_anna(renamed, now[1])
    with open_workspace(renamed, read_only=True) as w:
        found = heads.check(heads.log_folder(), w)
    assert "rewritten" in found.problem and found.untrusted


# --------------------------------------------------------------------------- C


def test_verify_checks_the_log_of_heads_seen(trial, capsys):
    path, _archive, _early, _now = trial
    assert run(["verify", path], capsys)[0] == 0
    cut_last_events(path, 3)
    with open_workspace(path, read_only=True) as w:
        sentence = heads.check(heads.log_folder(), w).problem
    assert sentence.startswith("The history of “T.qms” was rewritten or rolled back")
    code, out, err = run(["verify", path], capsys)
    assert code == 1 and out == ""
    assert err.splitlines()[0] == f"qms: verify failed: {sentence}"
    code, out, err = run(["info", path], capsys)
    assert code == 0 and f"qms: {sentence}" in err.splitlines()
    code, out, err = run(["verify", path], capsys)  # the command line dismisses nothing
    assert code == 1


def test_verify_of_an_older_copy_says_so_and_passes(trial, capsys):
    _path, archive, _early, _now = trial
    code, out, err = run(["verify", archive], capsys)
    assert code == 0 and out.startswith("ok:")
    assert "is an older copy of “T.qms”" in err


def test_backup_notes_the_head_it_copied(trial, tmp_path, capsys):
    path, _archive, _early, now = trial
    with open_workspace(path) as w:
        R.create(w, "role", {"name": "later"})
        later = head_stamp(w)
    code, _out, err = run(["backup", path, tmp_path / "bk.qms"], capsys)
    assert code == 0, err
    noted = [(e.hash, e.n, e.why) for e in heads.load(heads.log_folder()).entries
             if e.path.endswith("T.qms")]
    assert (later[0], later[1], "backup") in noted and later != now
    cut_last_events(path, 1)
    assert run(["verify", path], capsys)[0] == 1
