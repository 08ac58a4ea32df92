"""Attachments stored in the workspace: dedup, cap, remove, audit, verify, undo, hostile names."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qms_desktop.services import attachments as A
from qms_desktop.services import records as R
from qms_desktop.services.verify import verify
from qms_desktop.storage import models as m
from qms_desktop.storage.workspace import WorkspaceError, open_workspace

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500


def new_risk(ws, title="Late delivery") -> int:
    return R.create(ws, "risk", {"title": title}).result


def count(ws, model) -> int:
    with ws.connect() as c:
        return c.execute(select(func.count()).select_from(model.__table__)).scalar()


def dump(ws) -> dict:
    """Every audited table's rows (values encoded as the audit trail encodes them)."""
    from qms_desktop.core.audit_chain import encode_value

    out = {}
    with ws.connect() as c:
        for t in m.audited_tables():
            out[t.name] = [tuple(encode_value(v) for v in row)
                           for row in c.execute(select(t).order_by(t.c.id))]
    return out


@pytest.fixture
def risk(ws) -> int:
    return new_risk(ws)


# --------------------------------------------------------------------------- add, list, read

def test_add_from_a_path_lists_and_reads_back(ws, risk, tmp_path):
    f = tmp_path / "Supplier certificate.pdf"
    f.write_bytes(PDF)
    ch = A.add(ws, "risk", risk, f)
    assert ch.touches("attachment") and ch.touches("attachment_blob")
    [row] = A.list_for(ws, "risk", risk)
    assert row.id == ch.result
    assert (row.file_name, row.media_type, row.size, row.added_by) == (
        "Supplier certificate.pdf", "application/pdf", len(PDF), "tester")
    assert row.entity == "risk" and row.record_id == risk and len(row.sha256) == 64
    assert A.read_bytes(ws, row.id) == PDF
    assert A.count_for(ws, "risk", [risk, risk + 1]) == {risk: 1}
    assert verify(ws).ok


def test_media_type_from_content_when_the_name_says_nothing(ws, risk):
    aid = A.add(ws, "risk", risk, PNG, name="photo").result
    assert A.get(ws, aid).media_type == "image/png"
    aid = A.add(ws, "risk", risk, b"\x00just bytes", name="blob").result
    assert A.get(ws, aid).media_type == "application/octet-stream"


def test_identical_content_is_stored_once(ws, tmp_path):
    r1, r2 = new_risk(ws, "one"), new_risk(ws, "two")
    a1 = A.add(ws, "risk", r1, PDF, name="cert.pdf").result
    a2 = A.add(ws, "risk", r2, PDF, name="certificate copy.pdf").result
    assert a1 != a2 and count(ws, m.AttachmentBlob) == 1 and count(ws, m.Attachment) == 2
    assert A.read_bytes(ws, a2) == PDF
    # different content: a second blob
    A.add(ws, "risk", r2, PNG, name="photo.png")
    assert count(ws, m.AttachmentBlob) == 2
    assert verify(ws).ok


def test_same_content_twice_on_one_record_is_refused(ws, risk):
    A.add(ws, "risk", risk, PDF, name="cert.pdf")
    with pytest.raises(A.AttachmentError, match=r"“cert \(2\)\.pdf” is already attached here "
                                                r"\(as “cert\.pdf”\)"):
        A.add(ws, "risk", risk, PDF, name="cert (2).pdf")
    assert count(ws, m.Attachment) == 1


# --------------------------------------------------------------------------- refused input

def test_cap_names_the_size_and_the_limit(ws, risk, tmp_path):
    big = tmp_path / "scan.tiff"
    big.write_bytes(b"x" * 3000)
    with pytest.raises(A.AttachmentError) as e:
        A.add(ws, "risk", risk, big, max_bytes=2048)
    assert str(e.value) == ("“scan.tiff” is 2.9 KB, more than the 2 KB an attachment may hold; "
                            "nothing was attached.")
    # the default cap is 25 MB; one byte more is refused with exact figures
    with pytest.raises(A.AttachmentError, match=r"26,214,401 bytes, more than the 26,214,400 "
                                                r"bytes an attachment may hold"):
        A.add(ws, "risk", risk, b"y" * (A.DEFAULT_MAX_BYTES + 1), name="huge.bin")
    with pytest.raises(A.AttachmentError, match=r"is 30 MB, more than the 25 MB"):
        A.add(ws, "risk", risk, b"y" * (30 * 1024 * 1024), name="huge.bin")
    assert count(ws, m.Attachment) == 0 and count(ws, m.AttachmentBlob) == 0
    # exactly at the cap is fine
    A.add(ws, "risk", risk, b"z" * 2048, name="ok.bin", max_bytes=2048)


def test_empty_missing_folder_and_special_files_are_refused(ws, risk, tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(A.AttachmentError, match=r"^“empty\.pdf” is empty; there is nothing"):
        A.add(ws, "risk", risk, empty)
    with pytest.raises(A.AttachmentError, match=r"is empty"):
        A.add(ws, "risk", risk, b"", name="nothing.txt")
    with pytest.raises(A.AttachmentError, match=r"does not exist; nothing was attached\.$"):
        A.add(ws, "risk", risk, tmp_path / "gone.pdf")
    with pytest.raises(A.AttachmentError, match=r"is a folder; choose a file"):
        A.add(ws, "risk", risk, tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        with pytest.raises(A.AttachmentError, match=r"is not an ordinary file"):
            A.add(ws, "risk", risk, fifo)
    assert count(ws, m.Attachment) == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permissions do not stop root from reading a file")
def test_unreadable_file_is_refused(ws, risk, tmp_path):
    f = tmp_path / "secret.pdf"
    f.write_bytes(PDF)
    f.chmod(0)
    try:
        with pytest.raises(A.AttachmentError, match=r"cannot be read: you do not have permission"):
            A.add(ws, "risk", risk, f)
    finally:
        f.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_read_error_is_reported_as_a_sentence(ws, risk, tmp_path, monkeypatch):
    f = tmp_path / "flaky.pdf"
    f.write_bytes(PDF)
    import builtins

    real_open = builtins.open

    def failing_open(path, *a, **kw):
        if Path(path) == f:
            raise OSError(5, "Input/output error")
        return real_open(path, *a, **kw)

    monkeypatch.setattr(builtins, "open", failing_open)
    with pytest.raises(A.AttachmentError, match=r"cannot be read \(Input/output error\); "
                                                r"nothing was attached\."):
        A.add(ws, "risk", risk, f)


def test_owner_must_exist_and_be_a_record_kind(ws, risk):
    with pytest.raises(A.AttachmentError, match=r"^Risk 999 no longer exists; “a\.pdf” was not"):
        A.add(ws, "risk", 999, PDF, name="a.pdf")
    with pytest.raises(A.AttachmentError, match=r"no kind of record called “gizmo”"):
        A.add(ws, "gizmo", 1, PDF, name="a.pdf")
    with pytest.raises(A.AttachmentError, match=r"cannot be attached to attachment blob"):
        A.add(ws, "attachment_blob", 1, PDF, name="a.pdf")
    assert count(ws, m.Attachment) == 0


def test_read_only_workspace_refuses_every_change(ws, ws_path, risk, tmp_path):
    aid = A.add(ws, "risk", risk, PDF, name="cert.pdf").result
    ws.close()
    ro = open_workspace(ws_path, read_only=True)
    try:
        with pytest.raises(WorkspaceError, match="read-only; nothing was changed"):
            A.add(ro, "risk", risk, PNG, name="photo.png")
        with pytest.raises(WorkspaceError, match="read-only; nothing was changed"):
            A.remove(ro, aid)
        with pytest.raises(WorkspaceError, match="read-only"):
            A.remove_all_for(ro, "risk", [risk])
        # reading still works
        assert A.read_bytes(ro, aid) == PDF
        assert A.save_to(ro, aid, tmp_path / "out.pdf").read_bytes() == PDF
        assert [a.id for a in A.list_for(ro, "risk", risk)] == [aid]
    finally:
        ro.close()


# --------------------------------------------------------------------------- remove, owners

def test_remove_takes_the_content_with_its_last_link(ws):
    r1, r2 = new_risk(ws, "one"), new_risk(ws, "two")
    a1 = A.add(ws, "risk", r1, PDF, name="a.pdf").result
    a2 = A.add(ws, "risk", r2, PDF, name="b.pdf").result
    ch = A.remove(ws, a1)
    assert ch.touches("attachment") and not ch.touches("attachment_blob")
    assert count(ws, m.AttachmentBlob) == 1 and A.read_bytes(ws, a2) == PDF
    ch = A.remove(ws, a2)
    assert ch.touches("attachment_blob")
    assert count(ws, m.AttachmentBlob) == 0 and count(ws, m.Attachment) == 0
    with pytest.raises(A.AttachmentError, match="no longer exists; nothing was removed"):
        A.remove(ws, a2)
    assert verify(ws).ok


def test_remove_many_is_all_or_nothing(ws, risk):
    a1 = A.add(ws, "risk", risk, PDF, name="a.pdf").result
    a2 = A.add(ws, "risk", risk, PNG, name="b.png").result
    with pytest.raises(A.AttachmentError, match="no longer exists; nothing was removed"):
        A.remove_many(ws, [a1, 999])
    assert count(ws, m.Attachment) == 2
    ch = A.remove_many(ws, [a1, a2, a1])
    assert ch.ids_of("attachment") == {a1, a2} and len(ch.ids_of("attachment_blob")) == 2
    assert count(ws, m.Attachment) == 0 and count(ws, m.AttachmentBlob) == 0


def test_deleting_an_owner_with_its_attachments_undoes_and_redoes_exactly(ws):
    rid = new_risk(ws)
    aid = A.add(ws, "risk", rid, PDF, name="evidence.pdf").result
    before = dump(ws)

    def delete_risk(w):
        with w.session() as s:
            A.remove_links(s, "risk", [rid])
            s.delete(s.get(m.Risk, rid))
        return R.Change.of(s)

    ch = delete_risk(ws)
    assert ch.touches("risk", "attachment", "attachment_blob")
    assert count(ws, m.Attachment) == 0 and count(ws, m.AttachmentBlob) == 0
    after = dump(ws)
    R.invert(ws, ch.changeset)
    assert dump(ws) == before and A.read_bytes(ws, aid) == PDF
    R.reapply(ws, ch.changeset)
    assert dump(ws) == after
    assert verify(ws).ok


def test_deleting_a_record_takes_its_attachments_and_undo_brings_them_back(ws):
    r1, r2 = new_risk(ws, "one"), new_risk(ws, "two")
    A.add(ws, "risk", r1, PDF, name="a.pdf")
    keep = A.add(ws, "risk", r2, PNG, name="b.png").result
    gone = R.delete(ws, "risk", r1)
    assert gone.deleted("attachment") and A.orphans(ws) == []
    assert A.list_for(ws, "risk", r1) == [] and [a.id for a in A.list_for(ws, "risk", r2)] == [keep]
    assert verify(ws).ok
    R.invert(ws, gone.changeset)
    assert [a.file_name for a in A.list_for(ws, "risk", r1)] == ["a.pdf"]
    assert A.read_bytes(ws, A.list_for(ws, "risk", r1)[0].id) == PDF
    assert verify(ws).ok


def test_orphans_left_by_rows_deleted_outside_the_app_are_found(ws):
    r1 = new_risk(ws, "one")
    A.add(ws, "risk", r1, PDF, name="a.pdf")
    with ws.session() as s:  # the owner goes without its delete rules (as an old build did)
        s.info["qms_audit_skip"] = False
        s.execute(m.Risk.__table__.delete().where(m.Risk.id == r1),
                  execution_options={"qms_audited_bulk": True})
    [orphan] = A.orphans(ws)
    assert orphan.record_id == r1 and orphan.file_name == "a.pdf"
    A.remove_all_for(ws, "risk", [r1])
    assert A.orphans(ws) == []


def test_content_left_without_links_can_be_removed(ws, risk):
    aid = A.add(ws, "risk", risk, PDF, name="a.pdf").result
    keep = A.add(ws, "risk", risk, PNG, name="b.png").result
    with ws.session() as s:  # a link going without the service (as a delete rule would do it)
        s.delete(s.get(m.Attachment, aid))
    assert count(ws, m.AttachmentBlob) == 2
    ch = A.remove_unused_content(ws)
    assert ch.touches("attachment_blob") and count(ws, m.AttachmentBlob) == 1
    assert A.read_bytes(ws, keep) == PNG
    assert not A.remove_unused_content(ws).touches("attachment_blob")
    R.invert(ws, ch.changeset)
    assert count(ws, m.AttachmentBlob) == 2
    assert verify(ws).ok


# --------------------------------------------------------------------------- undo and redo

def test_add_and_remove_undo_and_redo_with_the_same_ids(ws, risk):
    start = dump(ws)
    add = A.add(ws, "risk", risk, PDF, name="cert.pdf")
    added = dump(ws)
    R.invert(ws, add.changeset)
    assert dump(ws) == start
    R.reapply(ws, add.changeset)
    assert dump(ws) == added and A.read_bytes(ws, add.result) == PDF
    rem = A.remove(ws, add.result)
    R.invert(ws, rem.changeset)  # the content comes back from the change set
    assert dump(ws) == added and A.read_bytes(ws, add.result) == PDF
    assert verify(ws).ok


# --------------------------------------------------------------------------- audit and verify

def test_blob_events_record_the_hash_and_size_not_the_bytes(ws, risk):
    content = os.urandom(200_000)
    aid = A.add(ws, "risk", risk, content, name="photo.jpg").result
    sha = A.get(ws, aid).sha256
    with ws.connect() as c:
        ev = c.execute(select(m.AuditEvent.__table__).where(
            m.AuditEvent.entity == "attachment_blob")).mappings().one()
    assert ev["op"] == "insert" and len(ev["new"]) < 300
    assert json.loads(ev["new"]) == {"id": 1, "sha256": sha, "size": 200_000,
                                     "data": f"sha256:{sha}"}
    A.remove(ws, aid)
    with ws.connect() as c:
        gone = c.execute(select(m.AuditEvent.old).where(
            m.AuditEvent.entity == "attachment_blob", m.AuditEvent.op == "delete")).scalar()
    assert json.loads(gone)["data"] == f"sha256:{sha}"
    assert verify(ws).ok


def test_verify_finds_content_changed_outside_the_application(ws, ws_path, risk):
    aid = A.add(ws, "risk", risk, PDF, name="cert.pdf").result
    assert verify(ws).ok
    forged = PDF.replace(b"%%EOF", b"%%EOX")
    c = sqlite3.connect(ws_path)
    c.execute("UPDATE attachment_blob SET data = ?", (forged,))
    c.commit()
    c.close()
    rep = verify(ws)
    assert not rep.ok
    assert rep.first_problem.startswith("attachment_blob 1: data is 'sha256:")
    assert "changed outside the application" in rep.first_problem
    with pytest.raises(A.AttachmentError, match=r"“cert\.pdf” is damaged in the workspace"):
        A.read_bytes(ws, aid)


# --------------------------------------------------------------------------- files out

def test_save_to_a_file_or_a_folder(ws, risk, tmp_path):
    aid = A.add(ws, "risk", risk, PDF, name="cert.pdf").result
    out = tmp_path / "out"
    out.mkdir()
    assert A.save_to(ws, aid, out) == out / "cert.pdf"
    target = out / "renamed.pdf"
    target.write_bytes(b"old")
    assert A.save_to(ws, aid, target).read_bytes() == PDF
    assert sorted(p.name for p in out.iterdir()) == ["cert.pdf", "renamed.pdf"]  # no leftovers


def test_save_to_a_missing_folder_is_a_sentence(ws, risk, tmp_path):
    aid = A.add(ws, "risk", risk, PDF, name="cert.pdf").result
    dest = tmp_path / "nowhere" / "cert.pdf"
    with pytest.raises(A.AttachmentError, match=r"^“cert\.pdf” could not be saved as “cert\.pdf”: "
                                                r"the folder “.*nowhere” does not exist"):
        A.save_to(ws, aid, dest)


def test_save_to_a_full_disk_keeps_the_old_file(ws, risk, tmpfs):
    aid = A.add(ws, "risk", risk, os.urandom(96 * 1024), name="big.bin").result
    with tmpfs("size=64k") as d:
        if d is None:
            pytest.skip("cannot mount a small tmpfs here (needs root)")
        old = d / "big.bin"
        old.write_bytes(b"keep me")
        with pytest.raises(A.AttachmentError, match=r"could not be saved as “big\.bin”: the disk "
                                                    r"is full"):
            A.save_to(ws, aid, old)
        assert old.read_bytes() == b"keep me" and [p.name for p in d.iterdir()] == ["big.bin"]


def test_temporary_copy_for_the_viewer(ws, risk):
    aid = A.add(ws, "risk", risk, PDF, name="Audit 2026: line 3/4.pdf").result
    p = A.open_copy(ws, aid)
    try:
        assert p.name == "4.pdf"  # a name from a path keeps only its last part
        assert p.read_bytes() == PDF
        assert stat.S_IMODE(p.stat().st_mode) == stat.S_IRUSR  # read-only, for us alone
        assert stat.S_IMODE(p.parent.parent.stat().st_mode) & 0o077 == 0  # private folder
        assert A.open_copy(ws, aid) == p  # reused
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)
        p.write_bytes(b"changed by a viewer")
        assert A.open_copy(ws, aid) == p and p.read_bytes() == PDF  # written again
    finally:
        A.remove_temp_copies()
    assert not p.exists()


# --------------------------------------------------------------------------- hostile names

@pytest.mark.parametrize("given, listed, on_disk", [
    ("../../etc/passwd", "passwd", "passwd"),
    ("..\\..\\Windows\\system.ini", "system.ini", "system.ini"),
    ("/", "attachment", "attachment"),
    ("..", "attachment", "attachment"),
    ("", "attachment", "attachment"),
    ("CON", "CON", "_CON"),
    ("lpt1.txt", "lpt1.txt", "_lpt1.txt"),
    ("nul .tar.gz", "nul .tar.gz", "_nul .tar.gz"),
    (".bashrc", ".bashrc", "bashrc"),
    ("report. ", "report.", "report"),
    ("a<b>c:d\"e|f?g*.pdf", "a<b>c:d\"e|f?g*.pdf", "a_b_c_d_e_f_g_.pdf"),
    ("line\nbreak\x00nul\x1b[31m.pdf", "linebreaknul[31m.pdf", "linebreaknul[31m.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe", "invoicefdp.exe"),
    ("e\u0301te\u0301.txt", "été.txt", "été.txt"),
])
def test_hostile_file_names(ws, risk, tmp_path, given, listed, on_disk):
    aid = A.add(ws, "risk", risk, PDF + given.encode("utf-8", "surrogatepass"), name=given).result
    assert A.get(ws, aid).file_name == listed
    out = tmp_path / "out"
    out.mkdir()
    written = A.save_to(ws, aid, out)
    assert written.parent == out and written.name == on_disk
    copy = A.open_copy(ws, aid)
    try:
        assert copy.name == on_disk and copy.parent.parent == A._temp_dir()
    finally:
        A.remove_temp_copies()


def test_long_names_keep_their_extension(ws, risk, tmp_path):
    name = "Ä" * 400 + ".pdf"
    aid = A.add(ws, "risk", risk, PDF, name=name).result
    listed = A.get(ws, aid).file_name
    assert len(listed) == 255 and listed.endswith("Ä.pdf")
    on_disk = A.save_to(ws, aid, tmp_path).name
    assert on_disk.endswith(".pdf") and len(on_disk.encode("utf-8")) <= 200


def test_format_size():
    assert [A.format_size(n) for n in (0, 1, 999, 1024, 1536, 25 * 1024 * 1024,
                                       int(2.25 * 1024 ** 3))] == [
        "0 bytes", "1 byte", "999 bytes", "1 KB", "1.5 KB", "25 MB", "2.2 GB"]
