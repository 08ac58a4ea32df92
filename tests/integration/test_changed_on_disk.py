"""The file changed under the app: every workspace has an id, and before each write the open file
is checked to be the very file that was opened, unchanged by anyone else since our last commit.
If not, the edit is refused with one sentence and nothing is written — never into another file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import threading

import pytest
from sqlalchemy import select

from qms_desktop.services import records as R
from qms_desktop.services.verify import verify
from qms_desktop.storage.models import AuditEvent, Role, Setting
from qms_desktop.storage.workspace import (
    WORKSPACE_ID_KEY, ChangedOnDiskError, CopyError, WorkspaceError, create_workspace,
    open_workspace)

REPLACED = ("“ws.qms” was replaced or changed by another program after it was opened; nothing "
            "was written. Save what this window shows as a copy, then reopen the file.")
OVERWRITTEN = ("“ws.qms” was changed by another program after it was opened; nothing was "
               "written. This window no longer shows what the file holds: reopen it (a copy now "
               "would hold the other program's changes).")
#: the same, when automatic backups of the file exist
OVERWRITTEN_BACKED_UP = OVERWRITTEN[:-2] + "; automatic backups are in “ws-backups”)."
MOVED = ("“ws.qms” was moved, renamed or deleted after it was opened; nothing was written. Save "
         "what this window shows as a copy, then open the file where it is now.")


def sha(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def two(tmp_path):
    """(open workspace ws.qms with one role, path of another closed workspace)."""
    other = tmp_path / "other.qms"
    w = create_workspace(other, organization="Other")
    R.create(w, "role", {"name": "their role"})
    w.close()
    ws = create_workspace(tmp_path / "ws.qms", organization="Mine")
    R.create(ws, "role", {"name": "r0"})
    yield ws, other
    ws.close()


def _refused(ws, sentence: str, times: int = 5) -> None:
    for i in range(times):
        with pytest.raises(ChangedOnDiskError) as ei:
            R.create(ws, "role", {"name": f"after {i}"})
        assert str(ei.value) == sentence
    assert ws.changed_on_disk == sentence


# --------------------------------------------------------------------------- the id


def test_every_workspace_has_an_id_recorded_in_its_trail(tmp_path):
    p = tmp_path / "ws.qms"
    ws = create_workspace(p)
    wid = ws.workspace_id
    assert wid and len(wid) == 32
    with ws.session() as s:
        assert s.scalars(select(Setting.value).where(Setting.key == WORKSPACE_ID_KEY)).one() \
            == f'"{wid}"'
        assert s.scalars(select(AuditEvent).where(AuditEvent.entity == "setting")).one().op \
            == "insert"
    assert verify(ws).ok
    ws.close()
    assert open_workspace(p, read_only=True).workspace_id == wid
    with open_workspace(p) as again:
        assert again.workspace_id == wid
    other = create_workspace(tmp_path / "other.qms")
    assert other.workspace_id != wid
    other.close()


def test_a_workspace_without_an_id_gets_one_on_its_first_writable_open(tmp_path):
    p = tmp_path / "old.qms"
    with create_workspace(p) as ws, ws.session() as s:
        s.delete(s.scalars(select(Setting).where(Setting.key == WORKSPACE_ID_KEY)).one())
    before = sha(p)
    with open_workspace(p, read_only=True) as ro:
        assert ro.workspace_id is None
    assert sha(p) == before  # a read-only open writes nothing
    with open_workspace(p) as ws:
        wid = ws.workspace_id
        assert wid
        rep = verify(ws)
        assert rep.ok, rep.problems
    with open_workspace(p) as ws:
        assert ws.workspace_id == wid


# --------------------------------------------------------------------------- changed under us


def test_overwritten_in_place(two):
    """Another workspace copied over the open one, byte by byte (same inode): the edits that
    used to be acknowledged and written into the other file's data are refused."""
    ws, other = two
    shutil.copyfile(other, ws.path)
    after = sha(ws.path)
    _refused(ws, OVERWRITTEN)
    assert sha(ws.path) == after == sha(other)


def test_an_empty_workspace_over_the_open_one_refuses_edits_before_any_lookup(tmp_path):
    """The check comes first in each unit of work: an edit of a record the other file lacks is
    refused as a changed file, not as a record that no longer exists."""
    empty = tmp_path / "empty.qms"
    create_workspace(empty).close()
    ws = create_workspace(tmp_path / "ws.qms")
    rid = R.create(ws, "risk", {"title": "Supplier late"}).result
    shutil.copyfile(empty, ws.path)
    after = sha(ws.path)
    for i in range(3):
        with pytest.raises(ChangedOnDiskError) as ei:
            R.update_field(ws, "risk", rid, "title", f"edit {i}")
        assert str(ei.value) == OVERWRITTEN
    with pytest.raises(ChangedOnDiskError):
        R.delete(ws, "risk", rid)
    assert sha(ws.path) == after
    ws.close()


def test_the_backups_folder_is_named_only_when_it_holds_backups(two):
    ws, other = two
    ws.rotate_backups()
    shutil.copyfile(other, ws.path)
    _refused(ws, OVERWRITTEN_BACKED_UP)


def test_replaced_by_another_file(two, tmp_path):
    ws, other = two
    shutil.copyfile(other, tmp_path / "new.qms")
    os.replace(tmp_path / "new.qms", ws.path)
    _refused(ws, REPLACED)
    assert sha(ws.path) == sha(other)
    # "Save a copy": what this window shows, from the file that was opened
    copy = ws.save_copy(tmp_path / "saved.qms")
    with open_workspace(copy, read_only=True) as saved, saved.connect() as c:
        assert {r for (r,) in c.execute(select(Role.name))} == {"r0"}
        assert verify(saved).ok
    with pytest.raises(CopyError) as ei:  # no automatic backup of the other file
        ws.rotate_backups()
    assert str(ei.value) == REPLACED
    assert not ws.backup_dir().exists()


def test_deleted_while_open(two, tmp_path):
    ws, _other = two
    ws.path.unlink()
    _refused(ws, MOVED)
    assert not ws.path.exists()  # not re-created empty
    assert "read-only" not in MOVED
    copy = ws.save_copy(tmp_path / "saved.qms")
    with open_workspace(copy, read_only=True) as saved:
        assert verify(saved).ok


def test_renamed_while_open(two, tmp_path):
    ws, _other = two
    moved = tmp_path / "moved.qms"
    os.rename(ws.path, moved)
    before = sha(moved)
    _refused(ws, MOVED)
    assert sha(moved) == before


def test_written_by_another_program(two):
    ws, _other = two
    c = sqlite3.connect(ws.path)
    c.execute("UPDATE role SET description = 'sneaky'")
    c.commit()
    c.close()
    after = sha(ws.path)
    _refused(ws, OVERWRITTEN)
    assert sha(ws.path) == after


def test_rewritten_with_its_own_bytes_is_refused_too(two):
    """Same content written back (another program saved it unchanged): refused too, since
    nobody can tell what it wrote; the window's data is never mixed with another's."""
    ws, _other = two
    data = ws.path.read_bytes()
    with open(ws.path, "r+b") as f:
        f.write(data)
        f.write(b"\0" * 4096)  # (and grew it)
        f.truncate(len(data))
    with pytest.raises(ChangedOnDiskError):
        R.create(ws, "role", {"name": "after"})


# --------------------------------------------------------------------------- no false alarms


def test_no_false_alarm_across_edits_copies_readers_and_threads(tmp_path):
    ws = create_workspace(tmp_path / "ws.qms")
    for i in range(30):
        R.create(ws, "role", {"name": f"role {i}"})
        with ws.connect() as c:
            c.execute(select(Role.name)).all()
    ws.save_copy(tmp_path / "copy.qms")
    ws.rotate_backups()
    with open_workspace(ws.path, read_only=True) as reader:  # another opener reading
        assert verify(reader).ok
    with pytest.raises(WorkspaceError):  # a refused edit is no change under us
        R.create(ws, "role", {"name": "role 1"})
    errors: list[BaseException] = []

    def edits(tag: str) -> None:
        for i in range(15):
            for _try in range(50):
                try:
                    R.create(ws, "role", {"name": f"{tag} {i}"})
                    break
                except ChangedOnDiskError as e:
                    errors.append(e)
                    return
                except WorkspaceError as e:
                    if "busy" not in str(e):
                        errors.append(e)
                        return

    threads = [threading.Thread(target=edits, args=(t,)) for t in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ws.changed_on_disk is None
    R.create(ws, "role", {"name": "last"})
    assert verify(ws).ok
    ws.close()
