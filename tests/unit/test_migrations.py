"""Alembic revisions and the models agree; every older workspace upgrades."""

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine

from qms_desktop.storage import migrate
from qms_desktop.storage.models import Base
from qms_desktop.storage.workspace import (
    KNOWN_REVISIONS, SCHEMA_HEAD, create_workspace, open_workspace)


def test_head_constants_match_scripts():
    assert migrate.script_head() == SCHEMA_HEAD
    assert tuple(migrate.script_revisions()) == KNOWN_REVISIONS


def _diff(path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    eng = create_engine(f"sqlite:///{path}")
    with eng.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                Base.metadata)
    eng.dispose()
    return diff


def test_migrations_build_exactly_the_models(tmp_path):
    p = tmp_path / "m.qms"
    sqlite3.connect(p).close()
    migrate.upgrade_to_head(p)
    assert _diff(p) == []
    c = sqlite3.connect(p)
    assert c.execute("PRAGMA application_id").fetchone()[0] == 0x514D5357
    c.close()


def test_create_all_matches_migrations(tmp_path):
    create_workspace(tmp_path / "c.qms").close()
    assert _diff(tmp_path / "c.qms") == []


def test_every_earlier_revision_upgrades_with_backup(tmp_path):
    """A workspace saved at each earlier revision opens: backed up, upgraded, verified."""
    from qms_desktop.services.verify import verify

    for rev in KNOWN_REVISIONS[:-1]:
        p = tmp_path / f"r{rev}.qms"
        sqlite3.connect(p).close()
        migrate.upgrade_to(p, rev)
        w = open_workspace(p)
        assert w.info.upgraded_from == rev and w.info.backup_path.exists()
        assert verify(w).ok
        w.close()
        assert _diff(p) == []


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _contents(path):
    """Everything a workspace file holds (schema, rows, its application id), read-only."""
    c = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return (c.execute("PRAGMA application_id").fetchone()[0], list(c.iterdump()))
    finally:
        c.close()


def test_workspace_saved_at_0001_upgrades_backs_up_and_verifies(tmp_path):
    """A file written by the release before attachments (tests/fixtures/README.md) opens: a
    backup of it is written first, the schema is upgraded to the head, nothing is lost, the
    trail still verifies, and attachments work in it."""
    from qms_desktop.services import attachments
    from qms_desktop.services.verify import verify

    src = FIXTURES / "workspace-0001.qms"
    p = tmp_path / "old.qms"
    shutil.copyfile(src, p)
    original = _contents(src)
    w = open_workspace(p, user="auditor")
    try:
        assert w.info.upgraded_from == "0001"
        backup = w.info.backup_path
        assert backup.exists() and _contents(backup) == original
        c = sqlite3.connect(p)
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
        risks = c.execute("SELECT ref, title, status, notes FROM risk").fetchall()
        c.close()
        assert risks == [("R-1", "Late supplier delivery", "treating", "Näher prüfen – ümlaut")]
        rep = verify(w)
        assert rep.ok, rep.problems
        # the fixture's 9 events and 5 records, plus the id the first writable open gives it
        assert rep.events == 10 and rep.records == 6 and w.workspace_id
        rid = 1
        aid = attachments.add(w, "risk", rid, b"%PDF-1.4 certificate", name="cert.pdf").result
        assert attachments.read_bytes(w, aid) == b"%PDF-1.4 certificate"
        assert verify(w).ok
    finally:
        w.close()
    assert _diff(p) == []
    # the backup is still the old release's file
    c = sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)
    assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    c.close()


def test_the_0001_fixture_is_really_at_0001():
    c = sqlite3.connect(f"{(FIXTURES / 'workspace-0001.qms').as_uri()}?mode=ro", uri=True)
    try:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        c.close()
    assert "risk" in tables and "attachment" not in tables


def test_workspace_saved_at_0002_upgrades_with_its_training_data(tmp_path):
    """The 0002 fixture (people, a role, courses, records, an attachment) opens: backed up,
    upgraded to the head, every row kept, the new columns at their defaults, the trail
    verifies; a value written into a new column outside the application is still caught."""
    from qms_desktop.services import records
    from qms_desktop.services.verify import verify

    src = FIXTURES / "workspace-0002.qms"
    p = tmp_path / "old2.qms"
    shutil.copyfile(src, p)
    original = _contents(src)
    w = open_workspace(p, user="auditor")
    try:
        assert w.info.upgraded_from == "0002"
        assert _contents(w.info.backup_path) == original
        rep = verify(w)
        assert rep.ok, rep.problems
        assert rep.events == 17 and w.workspace_id  # the fixture already had its id
        c = sqlite3.connect(p)
        assert c.execute("SELECT name, left_on, manager_id FROM person ORDER BY id").fetchall(
            ) == [("Jürgen Weiß", None, None), ("Ana Lima", None, None)]
        assert c.execute("SELECT person_id, role_id, valid_from, valid_to FROM person_role"
                         ).fetchall() == [(1, 1, None, None), (2, 1, None, None)]
        assert c.execute("SELECT code, provider, revised_on FROM course ORDER BY id").fetchall(
            ) == [("RU-QP04", "internal", None), ("SAF-1", "internal", None)]
        assert c.execute("SELECT grace_days FROM role_course").fetchall() == [(None,), (None,)]
        assert c.execute("SELECT result, notes FROM training_record ORDER BY id").fetchall(
            ) == [("passed", "Bestätigt – ok"), ("passed", "")]
        c.close()
        # a role can now be held twice (dated), which 0002 refused
        records.create(w, "person_role", {"person_id": 1, "role_id": 1,
                                          "valid_from": "2026-01-01"})
        assert verify(w).ok
    finally:
        w.close()
    assert _diff(p) == []
    c = sqlite3.connect(p)
    c.execute("UPDATE person SET left_on = '2026-02-01' WHERE id = 2")
    c.commit()
    c.close()
    w = open_workspace(p, read_only=True)
    try:
        rep = verify(w)
        assert not rep.ok and "person 2: left_on" in rep.problems[0]
    finally:
        w.close()


def test_workspace_saved_at_0003_upgrades_with_its_checklists(tmp_path):
    """The 0003 fixture (training data, a checklist template, a run with responses, a finding
    with an action) opens: backed up, upgraded to the head, every row kept, the new checklist
    columns at their defaults, the trail verifies, and the new tables take records."""
    from qms_desktop.services import records
    from qms_desktop.services.verify import verify

    src = FIXTURES / "workspace-0003.qms"
    p = tmp_path / "old3.qms"
    shutil.copyfile(src, p)
    original = _contents(src)
    w = open_workspace(p, user="auditor")
    try:
        assert w.info.upgraded_from == "0003"
        assert _contents(w.info.backup_path) == original
        rep = verify(w)
        assert rep.ok, rep.problems
        assert rep.events == 19
        c = sqlite3.connect(p)
        assert c.execute("SELECT name, family, source FROM checklist_template").fetchall() == [
            ("ISO 9001 gap analysis", "", "user")]
        assert c.execute("SELECT clause, section, weight, pdca FROM checklist_item ORDER BY id"
                         ).fetchall() == [("4.1", "", 1.0, ""), ("8.4", "", 1.0, "")]
        assert c.execute("SELECT title, code, template_version, stage FROM checklist_run"
                         ).fetchall() == [("Audit Einkauf 2025", "", "", "conduct")]
        assert c.execute("SELECT result, notes, answered_at, answered_by FROM response "
                         "ORDER BY id").fetchall() == [
            ("conform", "", None, ""), ("nonconform", "Keine Bewertung – fehlt", None, "")]
        assert c.execute("SELECT ref, correction, effectiveness_check, effective, closed_on "
                         "FROM finding").fetchall() == [
            ("F-001", "Evaluated top 5 suppliers", "", None, None)]
        assert c.execute("SELECT ref, finding_id FROM action").fetchall() == [("A-001", 1)]
        assert c.execute("SELECT name, left_on FROM person ORDER BY id").fetchall() == [
            ("Jürgen Weiß", None), ("Ana Lima", "2025-06-30")]
        c.close()
        records.create(w, "evidence_link", {"response_id": 1, "entity": "training_record",
                                            "record_id": 1})
        records.create(w, "audit_step", {"run_id": 1, "step": "plan", "done_on": "2025-05-01"})
        assert verify(w).ok
    finally:
        w.close()
    assert _diff(p) == []
    c = sqlite3.connect(p)
    c.execute("UPDATE checklist_item SET weight = 3 WHERE id = 2")
    c.commit()
    c.close()
    w = open_workspace(p, read_only=True)
    try:
        rep = verify(w)
        assert not rep.ok and "checklist_item 2: weight" in rep.problems[0]
    finally:
        w.close()


def test_workspace_saved_at_0004_upgrades_with_its_documents(tmp_path):
    """The 0004 fixture (an effective procedure with its text on the document row, two
    revisions, an old unbound signature, an attached source file) opens: backed up, upgraded,
    every row kept, the new document columns at their defaults, the trail verifies, and the new
    tables (sections, users, bound signatures) take records."""
    from qms_desktop.services import records
    from qms_desktop.services.verify import verify

    src = FIXTURES / "workspace-0004.qms"
    p = tmp_path / "old4.qms"
    shutil.copyfile(src, p)
    original = _contents(src)
    w = open_workspace(p, user="auditor")
    try:
        assert w.info.upgraded_from == "0004"
        assert _contents(w.info.backup_path) == original
        rep = verify(w)
        assert rep.ok, rep.problems
        assert rep.events == 12
        c = sqlite3.connect(p)
        assert c.execute("SELECT number, status, current_revision, review_months, "
                         "next_review_on, origin, purpose FROM document ORDER BY id").fetchall() == [
            ("VA-07", "effective", "B", None, None, "", "Zweck: richtige Fassung am Einsatzort"),
            ("F-01", "draft", "", None, None, "", "")]
        assert c.execute("SELECT number, issued_on, status, reviewer, effective_on FROM revision "
                         "ORDER BY id").fetchall() == [
            ("A", "2024-02-29", "obsolete", "", None), ("B", "2025-03-01", "effective", "", None)]
        assert c.execute("SELECT meaning, signer_name, user_id, local_time, seal FROM signature"
                         ).fetchall() == [("approved", "Ana Lima", None, "", "")]
        assert c.execute("SELECT entity, record_id, file_name FROM attachment").fetchall() == [
            ("revision", 2, "va07.docx")]
        c.close()
        uid = records.create(w, "app_user", {"username": "ana", "full_name": "Ana Lima"}).result
        records.create(w, "document_section", {"revision_id": 2, "key": "purpose",
                                               "title": "Purpose", "text": "**Zweck**"})
        records.create(w, "signature", {"entity": "revision", "record_id": 2,
                                        "meaning": "reviewed", "signer_name": "Ana Lima",
                                        "user": "ana", "user_id": uid,
                                        "signed_at": "2026-01-05T10:00:00", "record_hash": "1" * 64})
        assert verify(w).ok
    finally:
        w.close()
    assert _diff(p) == []
    c = sqlite3.connect(p)
    c.execute("UPDATE document SET origin = 'forged' WHERE id = 1")
    c.commit()
    c.close()
    w = open_workspace(p, read_only=True)
    try:
        rep = verify(w)
        assert not rep.ok and "document 1: origin" in rep.problems[0]
    finally:
        w.close()


def test_workspace_saved_at_0005_upgrades_with_its_cockpit_records(tmp_path):
    """The 0005 fixture (an objective with measurements, a nonconformity with an action, a held
    management review) opens: backed up, upgraded, every row kept, the new columns at their
    defaults, the trail verifies, and the new tables (context, causes, review items) take
    records."""
    from qms_desktop.services import records
    from qms_desktop.services.verify import verify

    src = FIXTURES / "workspace-0005.qms"
    p = tmp_path / "old5.qms"
    shutil.copyfile(src, p)
    original = _contents(src)
    w = open_workspace(p, user="auditor")
    try:
        assert w.info.upgraded_from == "0005"
        assert _contents(w.info.backup_path) == original
        rep = verify(w)
        assert rep.ok, rep.problems
        assert rep.events == 14
        c = sqlite3.connect(p)
        assert c.execute("SELECT name, quality_policy, policy_document_id, climate_relevant, "
                         "climate_note FROM organization").fetchall() == [
            ("Müller Präzision GmbH", "Wir liefern pünktlich und fehlerfrei.", None, None, "")]
        assert c.execute("SELECT title, target, direction, kind, measure, category, baseline, "
                         "tolerance, started_on FROM objective").fetchall() == [
            ("On-time delivery ≥ 95 %", 95.0, ">=", "objective", "", "", None, None, None)]
        assert c.execute("SELECT measured_on, value, note FROM measurement ORDER BY id"
                         ).fetchall() == [("2024-02-29", 91.5, ""),
                                          ("2024-03-31", 96.0, "neue Planung")]
        assert c.execute("SELECT source, status, root_cause, severity, owner_id, containment, "
                         "effective, closed_on FROM nonconformity").fetchall() == [
            ("customer complaint", "action", "Worn tool", "minor", None, "", None, None)]
        assert c.execute("SELECT title, status, outputs, period_from, period_to "
                         "FROM management_review").fetchall() == [
            ("Review 2023", "held", "Buy a CMM", None, None)]
        assert c.execute("SELECT ref, nonconformity_id, review_id FROM action ORDER BY id"
                         ).fetchall() == [("A-1", 1, None), ("A-2", None, 1)]
        c.close()
        records.create(w, "nc_cause", {"nonconformity_id": 1, "method": "fishbone",
                                       "category": "machine", "text": "Verschleiß",
                                       "is_root": True})
        records.create(w, "review_item", {"review_id": 1, "section": "objectives",
                                          "text": "1 of 1 on target", "generated": "x"})
        records.create(w, "context_issue", {"kind": "external", "category": "climate",
                                            "text": "Hitzewellen im Sommer"})
        records.create(w, "interested_party", {"name": "Kunden", "needs": "Termintreue"})
        records.create(w, "scope_exclusion", {"clause": "8.3", "justification": "Build to print"})
        records.update_fields(w, "nonconformity", 1, {"effectiveness_check": "no recurrence",
                                                      "effective": True})
        assert verify(w).ok
    finally:
        w.close()
    assert _diff(p) == []
