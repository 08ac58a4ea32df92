"""The workspace file: creation, locking, read-only, audit capture, delete rules, copies."""

import json
import os
import socket
import sqlite3

import pytest
from sqlalchemy import select, update

from qms_desktop.services import records as R
from qms_desktop.services.verify import verify
from qms_desktop.storage import models as m
from qms_desktop.storage.audit import AuditBypassError, bulk_insert
from qms_desktop.storage.workspace import (
    APPLICATION_ID, SCHEMA_HEAD, CopyError, Lock, ReadOnlyFileError, WorkspaceError,
    WorkspaceLockedError, create_workspace, is_network_path, open_workspace)


def events(ws):
    with ws.session() as s:
        return [(e.op, e.entity, e.record_id, e.field, e.old, e.new)
                for e in s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id))]


def test_new_workspace_is_marked_and_stamped(ws, ws_path):
    c = sqlite3.connect(ws_path)
    assert c.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
    c.close()
    with ws.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"


def test_create_refuses_existing(ws, ws_path):
    with pytest.raises(WorkspaceError, match="already exists"):
        create_workspace(ws_path)


def test_every_change_is_audited(ws):
    rid = R.create(ws, "risk", {"title": "Late delivery", "severity": 7}).result
    R.update_field(ws, "risk", rid, "title", "Late delivery to customer")
    R.update_field(ws, "risk", rid, "title", "Late delivery to customer")  # no-op: no event
    R.delete(ws, "risk", rid)
    ev = [e for e in events(ws) if e[1] == "risk"]
    assert [e[0] for e in ev] == ["insert", "update", "delete"]
    assert json.loads(ev[0][5])["severity"] == 7
    assert ev[1][3:] == ("title", '"Late delivery"', '"Late delivery to customer"')
    assert json.loads(ev[2][4])["title"] == "Late delivery to customer"
    assert verify(ws).ok


def test_events_carry_user_and_utc_time(ws):
    R.create(ws, "role", {"name": "Operator"})
    with ws.session() as s:
        e = s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id.desc())).first()
    assert e.user == "tester" and e.at.endswith("Z")


def test_bulk_statements_cannot_bypass_the_trail(ws):
    R.create(ws, "risk", {"title": "a"})
    with pytest.raises(AuditBypassError):
        with ws.session() as s:
            s.execute(update(m.Risk).values(title="b"))
    with pytest.raises(AuditBypassError):
        with ws.session() as s:
            s.delete(s.scalars(select(m.AuditEvent)).first())
    with pytest.raises(AuditBypassError):
        with ws.session() as s:
            s.scalars(select(m.AuditEvent)).first().new = "x"
    assert verify(ws).ok


def test_bulk_insert_writes_events(ws):
    with ws.session() as s:
        ids = bulk_insert(s, m.Person, [{"name": f"P{i}"} for i in range(50)])
    assert len(ids) == 50
    assert sum(1 for e in events(ws) if e[1] == "person") == 50
    assert verify(ws).ok


def test_delete_cascades_and_restore_is_exact(ws):
    pid = R.create(ws, "process", {"name": "Purchasing"}).result
    a = R.create(ws, "process_node", {"process_id": pid, "name": "Request"}).result
    b = R.create(ws, "process_node", {"process_id": pid, "name": "Approve"}).result
    e = R.create(ws, "process_edge", {"process_id": pid, "source_id": a, "target_id": b}).result
    rk = R.create(ws, "risk", {"title": "Wrong supplier", "node_id": a, "process_id": pid}).result
    before = {t: R.get(ws, t, i) for t, i in
              [("process", pid), ("process_node", a), ("process_node", b),
               ("process_edge", e), ("risk", rk)]}
    gone = R.delete(ws, "process", pid)
    assert set(gone.changeset.ids()) == {"process", "process_node", "process_edge", "risk"}
    assert {k for k in gone.ids if gone.deleted(k)} == {"process", "process_node",
                                                         "process_edge"}
    assert R.get(ws, "risk", rk)["node_id"] is None
    assert R.get(ws, "risk", rk)["process_id"] is None
    with pytest.raises(R.RecordError):
        R.get(ws, "process_edge", e)
    R.invert(ws, gone.changeset)
    after = {t: R.get(ws, t, i) for t, i in before and
             [("process", pid), ("process_node", a), ("process_node", b),
              ("process_edge", e), ("risk", rk)]}
    assert after == before
    assert verify(ws).ok


def test_foreign_keys_enforced_at_commit(ws):
    with pytest.raises(WorkspaceError):
        with ws.session() as s:
            s.add(m.ProcessNode(process_id=999, name="orphan"))
    assert R.create(ws, "role", {"name": "x"}).result
    assert verify(ws).ok


def test_coerce_rejects_bad_values(ws):
    rid = R.create(ws, "risk", {"title": "x"}).result
    with pytest.raises(R.RecordError, match="not a valid value"):
        R.update_field(ws, "risk", rid, "severity", "high")
    with pytest.raises(R.RecordError, match="no field"):
        R.update_field(ws, "risk", rid, "nope", 1)
    R.update_field(ws, "risk", rid, "review_date", "2026-12-01")
    assert str(R.get(ws, "risk", rid)["review_date"]) == "2026-12-01"


def test_second_writer_gets_in_use_message(ws, ws_path):
    with pytest.raises(WorkspaceLockedError) as ei:
        open_workspace(ws_path, user="other")
    msg = str(ei.value)
    assert "in use by tester on " + socket.gethostname() in msg and "since" in msg
    ro = open_workspace(ws_path, read_only=True)
    with ro.session() as s:
        assert s.scalars(select(m.Organization)).one().name == "Test Org"
    with pytest.raises(WorkspaceError, match="read-only"):
        with ro.session() as s:
            s.add(m.Role(name="x"))
    ro.close()


def test_stale_lock_is_taken_over(ws_path):
    create_workspace(ws_path).close()
    lock = ws_path.with_name(ws_path.name + ".lock")
    lock.write_text(json.dumps({"user": "ghost", "host": socket.gethostname(),
                                "pid": 2**22 + 12345, "since": "2026-01-01T00:00:00"}))
    w = open_workspace(ws_path)
    assert json.loads(lock.read_text())["pid"] == os.getpid()
    w.close()
    assert not lock.exists()


def test_lock_of_other_host_is_respected(ws_path):
    create_workspace(ws_path).close()
    Lock(ws_path, "x").path.write_text(json.dumps(
        {"user": "anna", "host": "qa-laptop-7", "pid": 1, "since": "2026-11-24T09:30:00"}))
    with pytest.raises(WorkspaceLockedError, match="anna on qa-laptop-7 since 2026-11-24 09:30"):
        open_workspace(ws_path)


def test_read_only_file_refused_for_writing_but_opens_read_only(ws_path):
    create_workspace(ws_path, organization="RO").close()
    os.chmod(ws_path, 0o444)
    try:
        with pytest.raises(ReadOnlyFileError):
            open_workspace(ws_path)
        w = open_workspace(ws_path, read_only=True)
        assert verify(w).ok
        w.close()
    finally:
        os.chmod(ws_path, 0o644)


def test_save_copy_and_rotating_backups(ws, tmp_path):
    R.create(ws, "role", {"name": "Inspector"})
    dest = ws.save_copy(tmp_path / "copy")
    assert dest.suffix == ".qms"
    c = open_workspace(dest, read_only=True)
    assert verify(c).ok and c.head_hash() == ws.head_hash()
    c.close()
    with pytest.raises(CopyError):
        ws.save_copy(ws.path)
    made = [ws.rotate_backups(keep=3) for _ in range(5)]
    kept = sorted(ws.backup_dir().glob("*.qms"))
    assert len(kept) == 3 and kept == sorted(made[-3:])


def test_copy_to_unwritable_folder_is_clear(ws, tmp_path):
    d = tmp_path / "locked"
    d.mkdir()
    os.chmod(d, 0o555)
    try:
        if os.access(d, os.W_OK):
            pytest.skip("running as a user who can write read-only folders")
        with pytest.raises(CopyError, match="not writable"):
            ws.save_copy(d / "x.qms")
    finally:
        os.chmod(d, 0o755)
    assert verify(ws).ok


def test_network_path_detection(tmp_path):
    assert is_network_path(tmp_path) is False
