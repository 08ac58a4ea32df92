"""Controlled documents: register, revisions, sections, users and bound e-signatures."""

import datetime as dt
import sqlite3

import pytest

from qms_desktop.services import documents as docs
from qms_desktop.services import records
from qms_desktop.services.records import RecordError
from qms_desktop.services.verify import verify
from qms_desktop.storage.workspace import open_workspace

PW = {"dan": "dan's long password", "eve": "eve reviews things", "max": "max approves all"}


def _users(ws):
    docs.add_user(ws, "dan", "Daniel Okafor", PW["dan"])
    admin = ("dan", PW["dan"])
    docs.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"], admin=admin)
    docs.add_user(ws, "max", "Max Brandt", PW["max"], rights=["reviewed", "approved"],
                  admin=admin)


def _written_doc(ws):
    did = docs.add_document(ws, {"title": "Control of documents", "kind": "procedure"}).result
    docs.edit_section(ws, did, "purpose", "Keep the **right** revision at the point of use.")
    docs.edit_section(ws, did, "procedure", "1. Draft\n2. Review\n3. Approve")
    return did


def _approve(ws, did, *, day=None):
    rid = docs.get_document(ws, did).pending_id
    docs.sign(ws, rid, "authored", "dan", PW["dan"])
    docs.sign(ws, rid, "reviewed", "eve", PW["eve"])
    docs.sign(ws, rid, "approved", "max", PW["max"])
    docs.make_effective(ws, rid, day)
    return rid


def test_numbering_and_first_draft(ws):
    d1 = docs.add_document(ws, {"title": "Contract review"}).result
    d2 = docs.add_document(ws, {"title": "Incoming inspection", "kind": "work_instruction"}).result
    d3 = docs.add_document(ws, {"title": "Order review form", "kind": "form"}).result
    rows = {r.id: r for r in docs.list_documents(ws)}
    assert (rows[d1].number, rows[d2].number, rows[d3].number) == ("SOP-001", "WI-001", "F-001")
    assert rows[d1].status == "draft" and rows[d1].pending == "A" and rows[d1].revision == ""
    assert [s.key for s in docs.sections(ws, rows[d1].pending_id)] == list(
        docs.rules.SECTION_KEYS)
    assert docs.sections(ws, rows[d3].pending_id) == []
    assert rows[d1].review_months == 24 and rows[d3].review_months is None
    docs.set_numbering(ws, "QP-{seq:02d}", {"procedure": "QP"})
    assert docs.next_document_number(ws, "procedure") == "QP-01"
    with pytest.raises(RecordError, match="seq"):
        docs.set_numbering(ws, "QP-7")
    with pytest.raises(RecordError, match="already has the number"):
        docs.update_documents(ws, [d2], {"number": "sop-001"})
    with pytest.raises(RecordError, match="needs a title"):
        docs.add_document(ws, {"title": "  "})


def test_users_first_is_admin_and_later_ones_need_one(ws):
    assert not docs.has_users(ws)
    with pytest.raises(RecordError, match="at least 8"):
        docs.add_user(ws, "dan", "Daniel", "short")
    docs.add_user(ws, "dan", "Daniel Okafor", PW["dan"])
    with pytest.raises(docs.SigningError, match="administrator"):
        docs.add_user(ws, "eve", "Eve Park", PW["eve"])
    with pytest.raises(docs.SigningError, match="password is wrong"):
        docs.add_user(ws, "eve", "Eve Park", PW["eve"], admin=("dan", "wrong password"))
    docs.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"], admin=("dan", PW["dan"]))
    users = {u.username: u for u in docs.list_users(ws)}
    assert users["dan"].is_admin and not users["eve"].is_admin
    assert users["eve"].rights == ("reviewed",)
    with sqlite3.connect(ws.path) as c:
        stored = c.execute("SELECT password_hash FROM app_user").fetchall()
    assert all(h.startswith("scrypt$") and PW["dan"] not in h for (h,) in stored)
    with pytest.raises(RecordError, match="at least one active administrator"):
        docs.update_user(ws, users["dan"].id, {"is_admin": False}, admin=("dan", PW["dan"]))
    with pytest.raises(docs.SigningError):
        docs.authenticate(ws, "eve", PW["dan"])
    assert docs.authenticate(ws, "eve", PW["eve"]).full_name == "Eve Park"


def test_full_life_with_signatures_and_supersession(ws):
    _users(ws)
    did = _written_doc(ws)
    rid_a = _approve(ws, did)
    row = docs.get_document(ws, did)
    assert (row.status, row.revision, row.pending) == ("effective", "A", "")
    assert row.next_review_on == docs.rules.next_review(dt.date.today(), 24)
    rev = docs.get_revision(ws, rid_a)
    assert [(s.meaning, s.signer_name, s.valid) for s in rev.signatures] == [
        ("authored", "Daniel Okafor", True), ("reviewed", "Eve Park", True),
        ("approved", "Max Brandt", True)]
    assert (rev.author, rev.reviewer, rev.approver) == ("Daniel Okafor", "Eve Park", "Max Brandt")
    assert all(s.local_time and s.signed_at for s in rev.signatures)
    # editing the effective document starts revision B; A stays in force
    rid_b = docs.edit_section(ws, did, "scope", "All controlled documents.").result
    row = docs.get_document(ws, did)
    assert (row.status, row.revision, row.pending, row.pending_status) == (
        "effective", "A", "B", "draft")
    assert "rev. B draft" in row.status_text
    assert [s.text for s in docs.sections(ws, rid_a) if s.key == "scope"] == [""]
    assert docs.get_revision(ws, rid_a).signatures_valid
    with pytest.raises(RecordError, match="already draft"):
        docs.start_revision(ws, did)
    _approve(ws, did)
    assert docs.get_document(ws, did).revision == "B"
    assert docs.get_revision(ws, rid_a).status == "obsolete"
    assert docs.get_revision(ws, rid_b).status == "effective"
    rep = verify(ws)
    assert rep.ok, rep.problems


def test_who_may_sign_and_wrong_password(ws):
    _users(ws)
    did = _written_doc(ws)
    rid = docs.get_document(ws, did).pending_id
    with pytest.raises(docs.SigningError, match="password is wrong"):
        docs.sign(ws, rid, "authored", "dan", "not it at all")
    with pytest.raises(docs.SigningError, match="may not sign as authored"):
        docs.sign(ws, rid, "authored", "eve", PW["eve"])
    with pytest.raises(docs.SigningError, match="Only a revision in review"):
        docs.sign(ws, rid, "approved", "max", PW["max"])
    docs.sign(ws, rid, "authored", "dan", PW["dan"])
    with pytest.raises(docs.SigningError, match="needs a valid review"):
        docs.sign(ws, rid, "approved", "max", PW["max"])
    docs.sign(ws, rid, "reviewed", "max", PW["max"])
    with pytest.raises(docs.SigningError, match="different person"):
        docs.sign(ws, rid, "approved", "max", PW["max"])
    with pytest.raises(RecordError, match="return it to draft"):
        docs.edit_section(ws, did, "purpose", "sneaky")
    empty = docs.add_document(ws, {"title": "Empty"}).result
    with pytest.raises(docs.SigningError, match="no text"):
        docs.sign(ws, docs.get_document(ws, empty).pending_id, "authored", "dan", PW["dan"])


def test_changed_content_invalidates_signatures_visibly(ws):
    _users(ws)
    did = _written_doc(ws)
    rid = docs.get_document(ws, did).pending_id
    docs.sign(ws, rid, "authored", "dan", PW["dan"])
    docs.sign(ws, rid, "reviewed", "eve", PW["eve"])
    docs.return_to_draft(ws, rid)
    assert docs.get_revision(ws, rid).signatures_valid  # nothing changed yet
    docs.edit_section(ws, did, "procedure", "1. Draft\n2. Review\n3. Approve\n4. Archive")
    rev = docs.get_revision(ws, rid)
    assert [(s.valid, s.problem) for s in rev.signatures] == [
        (False, "The content changed after it was signed.")] * 2
    assert docs.get_document(ws, did).invalid_signatures
    # the invalid review does not count: the author may submit again, approval needs a new review
    docs.sign(ws, rid, "authored", "dan", PW["dan"])
    with pytest.raises(docs.SigningError, match="needs a valid review"):
        docs.sign(ws, rid, "approved", "max", PW["max"])
    # an attached file is part of what is signed
    docs.sign(ws, rid, "reviewed", "eve", PW["eve"])
    from qms_desktop.services import attachments
    with pytest.raises(attachments.AttachmentError, match="part of what was signed"):
        attachments.add(ws, "revision", rid, b"new source", name="source.docx")
    assert [s.valid for s in docs.get_revision(ws, rid).signatures][-2:] == [True, True]
    docs.return_to_draft(ws, rid)
    attachments.add(ws, "revision", rid, b"new source", name="source.docx")
    assert not [s for s in docs.get_revision(ws, rid).signatures if s.valid]


def test_copied_or_edited_signature_fails_verify(ws):
    _users(ws)
    did = _written_doc(ws)
    rid = _approve(ws, did)
    other = _written_doc(ws)
    orid = docs.get_document(ws, other).pending_id
    path = ws.path
    ws.close()
    with sqlite3.connect(path) as c:
        c.execute("INSERT INTO signature (entity, record_id, meaning, signer_name, user, "
                  "signed_at, record_hash, user_id, local_time, seal) SELECT entity, ?, meaning, "
                  "signer_name, user, signed_at, record_hash, user_id, local_time, seal "
                  "FROM signature WHERE meaning = 'approved'", (orid,))
    w = open_workspace(path, read_only=True)
    try:
        rep = verify(w)
        assert not rep.ok and "no audit history" in rep.problems[0]
        assert "(approved by Max Brandt on SOP-002 rev. A)" in rep.problems[0]
        checks = docs.signature_checks(w)
        copied = max(checks)
        assert checks[copied] == (False, "The signature record was altered outside the app.")
        assert docs.get_revision(w, rid).signatures_valid
    finally:
        w.close()


def test_seal_catches_forged_signer(ws):
    _users(ws)
    did = _written_doc(ws)
    _approve(ws, did)
    sid = max(docs.signature_checks(ws))
    # a change made through the ORM (so with audit events) still breaks the seal
    records.update_fields(ws, "signature", sid, {"signer_name": "Someone Else"})
    rep = verify(ws)
    assert not rep.ok and "seal does not match" in rep.problems[0]
    assert "(approved by Someone Else on SOP-001 rev. A)" in rep.problems[0]
    assert docs.signature_checks(ws, [sid])[sid][0] is False


def test_read_only_workspace_refuses_signing(ws):
    _users(ws)
    did = _written_doc(ws)
    rid = docs.get_document(ws, did).pending_id
    path = ws.path
    ws.close()
    w = open_workspace(path, read_only=True)
    try:
        with pytest.raises(docs.SigningError, match="read-only"):
            docs.sign(w, rid, "authored", "dan", PW["dan"])
    finally:
        w.close()


def test_make_effective_dates_and_withdraw(ws):
    _users(ws)
    did = _written_doc(ws)
    rid = docs.get_document(ws, did).pending_id
    docs.sign(ws, rid, "authored", "dan", PW["dan"])
    docs.sign(ws, rid, "reviewed", "eve", PW["eve"])
    docs.sign(ws, rid, "approved", "max", PW["max"])
    with pytest.raises(RecordError, match="today or on a past day"):
        docs.make_effective(ws, rid, dt.date.today() + dt.timedelta(days=3))
    docs.make_effective(ws, rid, dt.date(2026, 1, 31))
    row = docs.get_document(ws, did)
    assert row.effective_on == dt.date(2026, 1, 31) and row.next_review_on == dt.date(2028, 1, 31)
    with pytest.raises(RecordError, match="stays on record"):
        docs.delete_documents(ws, [did])
    docs.withdraw(ws, did)
    row = docs.get_document(ws, did)
    assert (row.status, row.revision) == ("obsolete", "")
    with pytest.raises(RecordError, match="withdrawn"):
        docs.edit_section(ws, did, "purpose", "x")


def test_legacy_text_and_old_signature_from_0004(tmp_path):
    import shutil
    from pathlib import Path
    src = Path(__file__).resolve().parents[1] / "fixtures" / "workspace-0004.qms"
    p = tmp_path / "old.qms"
    shutil.copyfile(src, p)
    w = open_workspace(p, user="qm")
    try:
        row = docs.find_document(w, "va-07")
        assert (row.status, row.revision) == ("effective", "B")
        secs = docs.sections(w, row.in_force_id)
        assert [(s.id, s.key) for s in secs] == [(None, "purpose"), (None, "scope"),
                                                 (None, "procedure")]
        rev = docs.get_revision(w, row.in_force_id)
        assert [(s.valid, s.problem.split(";")[0]) for s in rev.signatures] == [
            (False, "Signed before signatures were bound to content")]
        # editing starts revision C from the legacy text, the old row stays as it was
        rid = docs.edit_section(w, row.id, "scope", "Alle Verfahren und Formblätter").result
        assert docs.get_revision(w, rid).number == "C"
        assert [s.text for s in docs.sections(w, rid)] == [
            "Zweck: richtige Fassung am Einsatzort", "Alle Verfahren und Formblätter",
            "1 Ablauf\nDokumente werden geprüft und freigegeben."]
        assert docs.sections(w, row.in_force_id)[1].text == "Alle Verfahren"
        assert verify(w).ok
    finally:
        w.close()


def test_export_data_collects_the_revision(ws):
    _users(ws)
    did = _written_doc(ws)
    _approve(ws, did)
    data = docs.procedure_export_data(ws, did, map_png=lambda pid: b"png")
    assert (data.number, data.revision, data.status) == ("SOP-001", "A", "effective")
    assert [s.key for s in data.sections][:2] == ["purpose", "scope"]
    assert [s.meaning for s in data.signatures] == ["authored", "reviewed", "approved"]
    assert data.map_png is None  # no process linked
    assert data.audit_event > 0 and len(data.audit_head) == 64
    assert [h.number for h in data.history] == ["A"]


def _docx(path, title, heading_texts):
    from docx import Document

    d = Document()
    d.core_properties.title = title
    for h, body in heading_texts:
        d.add_heading(h, level=1)
        d.add_paragraph(body)
    d.save(path)
    return path


def test_register_word_files_all_or_nothing(ws, tmp_path):
    a = _docx(tmp_path / "SOP-007 Control of documents rev C.docx", "SOP-007 Control of documents",
              [("1 Purpose", "Right revision at the point of use."), ("2 Scope", "All documents.")])
    b = _docx(tmp_path / "Goods receipt.docx", "Goods receipt", [("Ablauf", "Ware prüfen.")])
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(RecordError, match="Nothing was registered.*broken.docx"):
        docs.register_files(ws, [a, b, bad])
    assert docs.list_documents(ws) == []
    ids = docs.register_files(ws, [a, b, bad], skip=["broken.docx"]).result
    rows = {r.id: r for r in docs.get_documents(ws, ids)}
    first = rows[ids[0]]
    assert (first.number, first.title, first.revision, first.status) == (
        "SOP-007", "Control of documents", "C", "effective")
    assert [(s.key, s.text) for s in docs.sections(ws, first.in_force_id)] == [
        ("purpose", "Right revision at the point of use."), ("scope", "All documents.")]
    from qms_desktop.services import attachments
    files = attachments.list_for(ws, "revision", first.in_force_id)
    assert [f.file_name for f in files] == [a.name]
    second = rows[ids[1]]
    assert second.number == "SOP-008" and second.title == "Goods receipt"  # after SOP-007
    with pytest.raises(RecordError, match="already registered as SOP-007 rev. C"):
        docs.register_files(ws, [a])
    assert verify(ws).ok


def test_a_new_effective_revision_makes_read_and_understood_due_again(ws):
    from qms_desktop.services import training

    _users(ws)
    did = _written_doc(ws)
    _approve(ws, did, day=dt.date.today() - dt.timedelta(days=100))
    pid = records.create(ws, "person", {"name": "Ann Operator"}).result
    role = records.create(ws, "role", {"name": "Operator"}).result
    records.create(ws, "person_role", {"person_id": pid, "role_id": role})
    cid = records.create(ws, "course", {"code": "RU-1", "title": "Read SOP-001",
                                        "kind": "read_and_understood", "document_id": did}).result
    records.create(ws, "role_course", {"role_id": role, "course_id": cid})
    records.create(ws, "training_record", {"person_id": pid, "course_id": cid,
                                           "completed_on": dt.date.today() - dt.timedelta(days=90),
                                           "document_revision": "A"})
    assert training.load_matrix(ws).cell(pid, cid)[0] == "current"
    docs.edit_section(ws, did, "scope", "Every controlled document.")
    rid_b = docs.get_document(ws, did).pending_id
    docs.sign(ws, rid_b, "authored", "dan", PW["dan"])
    docs.sign(ws, rid_b, "reviewed", "eve", PW["eve"])
    docs.sign(ws, rid_b, "approved", "max", PW["max"])
    assert training.load_matrix(ws).cell(pid, cid)[0] == "current"  # B approved, not in force
    docs.make_effective(ws, rid_b)
    assert training.load_matrix(ws).cell(pid, cid)[0] == "retrain"


def test_export_data_of_a_demo_procedure_with_its_process(tmp_path):
    from qms_desktop.services.demo import create_demo

    path = create_demo(tmp_path / "demo.qms", today=dt.date(2026, 12, 5))
    w = open_workspace(path, read_only=True)
    try:
        doc = docs.find_document(w, "QP-09")
        now = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.timezone.utc)
        data = docs.procedure_export_data(w, doc.id, map_png=lambda pid: b"\x89PNG" + bytes(pid),
                                          now=now)
        assert data.process and data.map_png and data.map_caption == data.process
        assert data.as_of == now.astimezone().date()
        # the demo's map was drawn before its revisions were recorded as effective
        assert data.map_changed_on is None
        assert data.risks and all(r.rating for r in data.risks)
        names = [t.course for t in data.training]
        # read-and-understood of procedures the map does not use is left to those procedures
        assert not any(n.startswith("RU-QP05") for n in names)
        assert any(n.startswith("RU-QP02") for n in names)  # step 1 uses QP-02
        assert [s.meaning for s in data.signatures] == ["authored", "reviewed", "approved"]
    finally:
        w.close()


def test_audit_trail_never_shows_password_hashes(ws):
    from qms_desktop.services import audit_trail

    _users(ws)
    uid = docs.list_users(ws)[0].id
    docs.set_password(ws, uid, "a brand new password", old_password=PW["dan"])
    rows = [r for r in audit_trail.fetch_events(ws, limit=1000) if r.entity == "app_user"]
    assert rows and not any("scrypt" in (r.old or "") + (r.new or "") for r in rows)
    update = next(r for r in rows if r.field == "password_hash")
    assert audit_trail.SECRET_TEXT in update.new and audit_trail.SECRET_TEXT in update.old
    inserted = [r.new for r in rows if r.op == "insert"]
    assert len(inserted) == 3 and any('"username":"dan"' in x for x in inserted)  # rest shown
    assert verify(ws).ok  # the trail itself keeps the real values


def test_export_of_a_revision_after_its_map_changed_and_a_draft_began(ws):
    from qms_desktop.services import processes

    _users(ws)
    pid = processes.add_process(ws, {"name": "Document control"}).result
    step = processes.add_node(ws, pid, "step", 0, 0, name="Draft the text").result
    did = _written_doc(ws)
    docs.update_documents(ws, [did], {"process_id": pid})
    assert docs.get_document(ws, did).pending is not None
    # a draft made by a login that is no app user has no author until it is signed
    assert docs.revisions(ws, did)[0].author == ""
    rid_a = _approve(ws, did, day=dt.date.today() - dt.timedelta(days=30))
    assert docs.get_revision(ws, rid_a).author == "Daniel Okafor"   # the authored signature
    data = docs.procedure_export_data(ws, did, map_png=lambda p: b"png")
    assert data.map_changed_on is None and data.map_caption == "Document control"
    # after A took effect: a step renamed, then the next draft started
    records.update_fields(ws, "process_node", step, {"name": "Write the text"})
    docs.edit_section(ws, did, "scope", "Every controlled document.")
    assert [(r.number, r.status, r.author) for r in docs.revisions(ws, did)] == [
        ("B", "draft", ""), ("A", "effective", "Daniel Okafor")]
    data = docs.procedure_export_data(ws, did, rid_a, map_png=lambda p: b"png")
    assert data.map_changed_on == dt.date.today()
    # a copy of A lists the revisions up to A, never the draft that came after it
    assert [h.number for h in data.history] == ["A"]
    # the draft's own export lists both
    draft = docs.get_document(ws, did).pending_id
    assert [h.number for h in docs.procedure_export_data(ws, did, draft).history] == ["A", "B"]
    # a shape deleted after the revision took effect counts too (its id is gone)
    pid2 = processes.add_process(ws, {"name": "Filing"}).result
    gone = processes.add_node(ws, pid2, "step", 0, 0, name="File it").result
    did2 = docs.add_document(ws, {"title": "Filing", "process_id": pid2}).result
    docs.edit_section(ws, did2, "purpose", "File.")
    assert docs.procedure_export_data(ws, did2).map_changed_on is None   # a draft: no date
    _approve(ws, did2, day=dt.date.today() - dt.timedelta(days=3))
    assert docs.procedure_export_data(ws, did2).map_changed_on is None
    processes.delete_items(ws, node_ids=[gone])
    assert docs.procedure_export_data(ws, did2).map_changed_on == dt.date.today()


@pytest.mark.parametrize("tamper", ["delete", "move"])
def test_a_signature_removed_or_moved_outside_the_app_shows_as_missing(ws, tamper):
    _users(ws)
    did = _written_doc(ws)
    rid = _approve(ws, did)
    other = docs.get_document(ws, _written_doc(ws)).pending_id
    sid = next(s.id for s in docs.get_revision(ws, rid).signatures if s.meaning == "approved")
    path = ws.path
    ws.close()
    with sqlite3.connect(path) as c:
        if tamper == "delete":
            c.execute("DELETE FROM signature WHERE id = ?", (sid,))
        else:
            c.execute("UPDATE signature SET record_id = ? WHERE id = ?", (other, sid))
    w = open_workspace(path, read_only=True)
    try:
        rev = docs.get_revision(w, rid)
        assert rev.missing == ["approved"] and not rev.signatures_valid
        assert rev.missing_text == [
            "The approval signature is missing: it was removed outside the app."]
        assert docs.get_document(w, did).invalid_signatures
        data = docs.procedure_export_data(w, did)
        gone = [s for s in data.signatures if s.meaning == "approved"]
        assert len(gone) == 1 and not gone[0].valid and "missing" in gone[0].problem
        assert not verify(w).ok
    finally:
        w.close()


def test_revisions_registered_without_signatures_miss_nothing(ws, tmp_path):
    a = _docx(tmp_path / "SOP-100 Old way.docx", "SOP-100 Old way", [("Purpose", "Why.")])
    did = docs.register_files(ws, [a]).result[0]
    row = docs.get_document(ws, did)
    assert not row.invalid_signatures
    assert docs.get_revision(ws, row.in_force_id).missing == []


@pytest.mark.parametrize("tamper,words", [
    ("DELETE FROM signature WHERE meaning = 'approved'", "is missing, but the audit trail"),
    ("UPDATE signature SET record_id = 99 WHERE meaning = 'approved'", "record_id is 99"),
    ("UPDATE signature SET signer_name = 'H. M.' WHERE meaning = 'approved'", "signer_name")])
def test_verify_names_the_signed_document_whatever_was_tampered(ws, tamper, words):
    _users(ws)
    _approve(ws, _written_doc(ws))
    path = ws.path
    ws.close()
    with sqlite3.connect(path) as c:
        c.execute(tamper)
    w = open_workspace(path, read_only=True)
    try:
        rep = verify(w)
        assert not rep.ok
        assert "(approved by Max Brandt on SOP-001 rev. A)" in rep.problems[0]
        assert words in rep.problems[0]
    finally:
        w.close()


def test_the_same_word_file_is_not_registered_twice(ws, tmp_path):
    a = _docx(tmp_path / "customer gauges.docx", "Customer gauges", [("Purpose", "Gauges.")])
    docs.register_files(ws, [a])
    copy = tmp_path / "copy of gauges.docx"
    copy.write_bytes(a.read_bytes())
    with pytest.raises(RecordError, match="already registered as SOP-001 rev. A"):
        docs.register_files(ws, [a])
    with pytest.raises(RecordError, match="already registered as SOP-001"):
        docs.register_files(ws, [copy])
    assert len(docs.list_documents(ws)) == 1



def test_nobody_can_sign_names_people_and_stays_quiet_when_someone_can():
    from qms_desktop.core.documents import Signed, Signer, nobody_can_sign, signing_problem

    karl = Signer("kmaier", "Karl Maier", ("authored", "reviewed", "approved"), True)
    bo = Signer("bo", "Bo Berg", ("reviewed",), True)
    authored = [Signed("authored", "kmaier")]
    assert nobody_can_sign(meaning="reviewed", status="in_review", signed=authored,
                           signers=[karl]) == (
        "Karl Maier authored this revision; a different person must review it, and no other "
        "active signing user may.")
    assert nobody_can_sign(meaning="reviewed", status="in_review", signed=authored,
                           signers=[karl, bo]) == ""
    both = authored + [Signed("reviewed", "bo")]
    assert nobody_can_sign(meaning="approved", status="in_review", signed=both,
                           signers=[karl, bo]) == (
        "Karl Maier authored this revision; a different person must approve it, and no other "
        "active signing user may.")
    assert nobody_can_sign(meaning="approved", status="draft", signed=[],
                           signers=[karl]) == ""  # the workflow says why
    assert signing_problem(meaning="reviewed", status="in_review", user="kmaier",
                           rights=karl.rights, active=True, signed=authored,
                           name="Karl Maier") == \
        "Karl Maier authored this revision; a different person must review it."


def test_signing_blocker_before_any_password(ws):
    docs.add_user(ws, "kmaier", "Karl Maier", "karl signs all day")
    did = _written_doc(ws)
    rid = docs.get_document(ws, did).pending_id
    docs.sign(ws, rid, "authored", "kmaier", "karl signs all day")
    assert docs.signing_blocker(ws, rid, "reviewed").startswith("Karl Maier authored")
    with pytest.raises(docs.SigningError, match="^Karl Maier authored this revision"):
        docs.sign(ws, rid, "reviewed", "kmaier", "karl signs all day")
