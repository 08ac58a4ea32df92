"""services.context: the quality policy as a controlled document, scope exclusions checked
against the clause catalogue, interested parties and issues with positions, climate change."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.services import context as cx
from qms_desktop.services import documents, records
from qms_desktop.services.records import RecordError


def test_empty_workspace_loads(ws):
    c = cx.load_context(ws)
    assert c.name == "Test Org" and c.scope == ""
    assert c.parties == [] and c.issues == [] and c.exclusions == []
    assert c.climate_relevant is None
    assert not c.policy.controlled and c.policy.text == ""


def test_organization_created_when_missing(tmp_path):
    from qms_desktop.storage.workspace import create_workspace

    w = create_workspace(tmp_path / "bare.qms", user="tester")
    try:
        assert cx.load_context(w).organization_id is None
        cx.update_scope(w, "  Machining to print.  ")
        c = cx.load_context(w)
        assert c.organization_id is not None and c.scope == "Machining to print."
    finally:
        w.close()


def test_exclusions_checked_against_the_catalogue(ws):
    xid = cx.add_exclusion(ws, "8.3", "Build to print: customers own every design.").result
    row = cx.list_exclusions(ws)[0]
    assert (row.id, row.clause, row.title) == (xid, "8.3",
                                               "Design and development of products and services")
    refusals = {
        "9.2": "cannot be excluded",            # a requirement every QMS has
        "4.1": "cannot be excluded",
        "8.9": "is not a clause",               # not a requirement of the standard
        "banana": "is not a clause",
        "": "Give the clause",
        "8.3.2": "part of 8.3",                 # already excluded as a whole
        "8.3": "already excluded",
    }
    for clause, words in refusals.items():
        with pytest.raises(RecordError, match=words):
            cx.add_exclusion(ws, clause, "Some reason.")
    with pytest.raises(RecordError, match="justification"):
        cx.add_exclusion(ws, "8.5.5", "   ")
    assert len(cx.list_exclusions(ws)) == 1     # nothing written by the refusals
    cx.add_exclusion(ws, "7.1.5.2", "No measurement needs traceability.")
    with pytest.raises(RecordError, match="justification"):
        cx.update_exclusion(ws, xid, {"justification": ""})
    with pytest.raises(RecordError, match="cannot be excluded"):
        cx.update_exclusion(ws, xid, {"clause": "10.2"})
    cx.update_exclusion(ws, xid, {"clause": "8.5.5"})
    assert [r.clause for r in cx.list_exclusions(ws)] == ["7.1.5.2", "8.5.5"]
    cx.delete_exclusions(ws, [xid])
    assert [r.clause for r in cx.list_exclusions(ws)] == ["7.1.5.2"]


def test_climate_tri_state(ws):
    assert cx.load_context(ws).climate_relevant is None
    cx.set_climate(ws, True, "Heat waves affect measurement.")
    c = cx.load_context(ws)
    assert c.climate_relevant is True and c.climate_note == "Heat waves affect measurement."
    cx.set_climate(ws, False)                     # the note stays
    c = cx.load_context(ws)
    assert c.climate_relevant is False and c.climate_note == "Heat waves affect measurement."
    change = cx.set_climate(ws, None)
    assert cx.load_context(ws).climate_relevant is None
    records.invert(ws, change.changeset)         # undo gives "not relevant" back
    assert cx.load_context(ws).climate_relevant is False
    with pytest.raises(RecordError):
        cx.set_climate(ws, "maybe")  # type: ignore[arg-type]


def test_issue_policy_creates_a_policy_document_and_edits_start_a_draft(ws):
    cx.update_policy_text(ws, "We make parts that fit.")
    assert cx.get_policy(ws).text == "We make parts that fit."
    with pytest.raises(RecordError, match="empty"):
        cx.issue_policy(ws, "  ")
    change = cx.issue_policy(ws, "We make parts that fit.")
    did = change.result
    assert change.created("document")
    doc = documents.get_document(ws, did)
    assert doc.kind == "policy" and doc.number == "POL-001" and doc.status == "draft"
    p = cx.get_policy(ws)
    assert p.controlled and p.document_id == did and p.pending == "A"
    assert p.text == "We make parts that fit." and p.revision == ""
    assert [s.key for s in documents.sections(ws, p.pending_id)] == [cx.POLICY_SECTION]
    with pytest.raises(RecordError, match="already"):
        cx.issue_policy(ws, "Another policy.")
    with pytest.raises(RecordError, match="controlled document"):
        cx.update_policy_text(ws, "old text")

    # approve and put it in force through the documents workflow
    documents.add_user(ws, "daniel", "Daniel Okafor", "pw-daniel-1",
                       rights=["authored", "reviewed", "approved"])
    admin = ("daniel", "pw-daniel-1")
    documents.add_user(ws, "stefan", "Stefan Brandt", "pw-stefan-1",
                       rights=["reviewed", "approved"], admin=admin)
    documents.add_user(ws, "helen", "Helen Marsh", "pw-helen-1",
                       rights=["reviewed", "approved"], admin=admin)
    rid = p.pending_id
    documents.sign(ws, rid, "authored", "daniel", "pw-daniel-1")
    documents.sign(ws, rid, "reviewed", "stefan", "pw-stefan-1")
    documents.sign(ws, rid, "approved", "helen", "pw-helen-1")
    documents.make_effective(ws, rid)
    p = cx.get_policy(ws)
    assert p.revision == "A" and p.status == "effective" and p.pending == ""
    assert p.approved_by.signer_name == "Helen Marsh" and p.approved_by.valid
    assert not p.invalid_signatures and p.effective_on == dt.date.today()

    # editing the policy in force starts draft B; A stays in force with its text
    new_rid = cx.edit_policy(ws, "We make parts that fit, on time.").result
    p = cx.get_policy(ws)
    assert new_rid != rid and p.pending == "B" and p.pending_status == "draft"
    assert p.revision == "A" and p.text_in_force == "We make parts that fit."
    assert p.text == "We make parts that fit, on time."
    assert p.approved_by.valid                   # A's signature still holds


def test_link_existing_policy_document(ws):
    did = documents.add_document(ws, {"title": "Quality policy", "kind": "policy"}).result
    proc = documents.add_document(ws, {"title": "Purchasing", "kind": "procedure"}).result
    assert [i for i, _n in cx.policy_candidates(ws)] == [did]
    with pytest.raises(RecordError, match="not a policy"):
        cx.link_policy_document(ws, proc)
    cx.link_policy_document(ws, did)
    assert cx.get_policy(ws).document_id == did
    assert cx.policy_candidates(ws) == [(did, "POL-001 Quality policy")]


def test_parties_crud_and_moves(ws):
    a = cx.add_party(ws, {"name": "Customers", "needs": "On time"}).result
    b = cx.add_party(ws, {"name": "Employees"}).result
    c = cx.add_party(ws).result
    assert [r.name for r in cx.list_parties(ws)] == ["Customers", "Employees",
                                                    "New interested party"]
    with pytest.raises(RecordError, match="name"):
        cx.update_parties(ws, [b], {"name": " "})
    with pytest.raises(RecordError, match="future"):
        cx.update_parties(ws, [b], {"reviewed_on": dt.date.today() + dt.timedelta(days=1)})
    cx.update_parties(ws, [c], {"name": "Insurers", "relevant": "no",
                                "reviewed_on": "2026-01-05"})
    row = cx.list_parties(ws, [c])[0]
    assert row.relevant is False and row.reviewed_on == dt.date(2026, 1, 5)
    cx.move_party(ws, c, -1)
    assert [r.id for r in cx.list_parties(ws)] == [a, c, b]
    cx.move_party(ws, a, -1)                      # already first: nothing changes
    assert [r.id for r in cx.list_parties(ws)] == [a, c, b]
    change = cx.move_party(ws, a, 1)
    assert [r.id for r in cx.list_parties(ws)] == [c, a, b]
    records.invert(ws, change.changeset)
    assert [r.id for r in cx.list_parties(ws)] == [a, c, b]
    cx.delete_parties(ws, [a, b])
    assert [r.id for r in cx.list_parties(ws)] == [c]


def test_issues_crud_kinds_categories_risk_links_and_moves(ws):
    from qms_desktop.services import risks

    rid = risks.add_risk(ws, {"title": "Heat in the inspection room"}).result
    e1 = cx.add_issue(ws, {"text": "Energy prices", "category": "economic"}).result
    e2 = cx.add_issue(ws, {"text": "Heat waves", "category": "Climate"}).result
    i1 = cx.add_issue(ws, {"kind": "internal", "text": "Know-how in two heads"}).result
    rows = cx.list_issues(ws)
    assert [r.id for r in rows] == [i1, e1, e2]   # internal first
    assert rows[2].category == "climate"
    with pytest.raises(RecordError, match="category"):
        cx.update_issues(ws, [e1], {"category": "weather"})
    with pytest.raises(RecordError, match="internal or external"):
        cx.add_issue(ws, {"kind": "sideways"})
    with pytest.raises(RecordError, match="description"):
        cx.update_issues(ws, [e1], {"text": ""})
    with pytest.raises(RecordError, match="risk"):
        cx.link_issue_risk(ws, e2, 99999)
    cx.link_issue_risk(ws, e2, rid)
    row = cx.list_issues(ws, [e2])[0]
    assert row.risk_id == rid and row.risk.endswith("Heat in the inspection room")
    cx.move_issue(ws, e2, -1)                     # moves among the external ones only
    assert [r.id for r in cx.list_issues(ws)] == [i1, e2, e1]
    cx.move_issue(ws, e2, -1)
    assert [r.id for r in cx.list_issues(ws)] == [i1, e2, e1]
    cx.update_issues(ws, [e1], {"kind": "internal"})  # to the end of the internal ones
    assert [r.id for r in cx.list_issues(ws)] == [i1, e1, e2]
    cx.link_issue_risk(ws, e2, None)
    assert cx.list_issues(ws, [e2])[0].risk_id is None
    cx.delete_issues(ws, [i1])
    assert [r.id for r in cx.list_issues(ws)] == [e1, e2]


def test_demo_like_context(tmp_path):
    """The demo's context file: parties, issues with climate ones linked to risks, 8.3
    excluded, and the policy document signed in the app."""
    from qms_desktop.services.demo import create_demo
    from qms_desktop.storage.workspace import open_workspace

    ws = open_workspace(create_demo(tmp_path / "demo.qms"), user="tester")
    try:
        c = cx.load_context(ws)
        assert 6 <= len(c.parties) <= 8 and 8 <= len(c.issues) <= 10
        assert {r.kind for r in c.issues} == {"internal", "external"}
        climate = [r for r in c.issues if r.category == "climate"]
        assert climate and all(r.risk_id for r in climate)
        assert any("carbon" in r.needs for r in c.parties)
        assert [x.clause for x in c.exclusions] == ["8.3"]
        pol = [i for i, _n in cx.policy_candidates(ws)]
        assert len(pol) == 1
        if c.policy.controlled:
            assert c.policy.revision == "B" and c.policy.approved_by.valid
        else:  # the demo format cannot link it yet: the page offers "Use POL-01"
            cx.link_policy_document(ws, pol[0])
            p = cx.get_policy(ws)
            assert p.revision == "B" and p.approved_by.signer_name == "Helen Marsh"
            assert p.approved_by.valid and not p.invalid_signatures
            assert "climate change" in p.text
    finally:
        ws.close()
