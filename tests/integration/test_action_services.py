"""The actions service on a real workspace: rows from every source, the edit rules, bulk edits
all-or-nothing, undo through the change set, and the audit trail still verifying."""

from __future__ import annotations

import datetime as dt

import pytest
from action_helpers import make_sources

from qms_desktop.services import actions as A
from qms_desktop.services import records as R
from qms_desktop.services.verify import verify

TODAY = dt.date(2026, 3, 10)
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(ws):
    """People, one source record of each kind, and actions on each (plus a stand-alone one)."""
    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    bob = R.create(ws, "person", {"name": "Bob Stone"}).result
    gone = R.create(ws, "person", {"name": "Cy Former", "active": False}).result
    risk = R.create(ws, "risk", {"ref": "R-007", "title": "Supplier late"}).result
    ids = make_sources(ws)
    acts = {
        "risk": A.add_action(ws, "risk", risk, {"title": "Second source", "owner_id": ann,
                                                "due_date": TODAY - 3 * DAY}, today=TODAY).result,
        "finding": A.add_action(ws, "finding", ids["finding"],
                                {"due_date": TODAY + DAY}, today=TODAY).result,
        "nonconformity": A.add_action(ws, "nonconformity", ids["nonconformity"],
                                      {"title": "Sort stock"}, today=TODAY).result,
        "review": A.add_action(ws, "management_review", ids["review"],
                               {"title": "Hire planner"}, today=TODAY).result,
        "": A.add_action(ws, "", None, {"title": "5S in stores"}, today=TODAY).result,
    }
    return dict(ann=ann, bob=bob, gone=gone, risk=risk, acts=acts, **ids)


def test_rows_from_every_source(ws, world):
    rows = {r.id: r for r in A.list_actions(ws, TODAY)}
    assert len(rows) == 5
    acts = world["acts"]
    r = rows[acts["risk"]]
    assert (r.ref, r.source_kind, r.source_entity, r.source_id, r.source) == (
        "A-001", "risk", "risk", world["risk"], "R-007 Supplier late")
    assert (r.owner, r.kind, r.status, r.overdue) == ("Ann Lee", "treatment", "open", True)
    f = rows[acts["finding"]]
    assert (f.source_kind, f.source_ref, f.source_title, f.kind, f.overdue) == (
        "finding", "F-12", "Calibration overdue", "corrective", False)
    assert rows[acts["nonconformity"]].source == "NC-3 Scratched housings"
    rv = rows[acts["review"]]
    assert (rv.source_kind, rv.source_entity, rv.source) == (
        "review", "management_review", "2025-12-01 Review 2025")
    alone = rows[acts[""]]
    assert (alone.source_kind, alone.source_id, alone.source, alone.kind) == (
        "", None, "", "improvement")
    assert [a.ref for a in A.actions_for(ws, "risk", world["risk"], TODAY)] == ["A-001"]
    assert [a.id for a in A.actions_for(ws, "management_review", world["review"])] == [
        acts["review"]]
    assert [a.id for a in A.get_actions(ws, [acts["review"], 999, acts["risk"]], TODAY)] == [
        acts["risk"], acts["review"]]
    assert A.next_action_ref(ws) == "A-006"


def test_add_refuses_missing_sources(ws, world):
    with pytest.raises(R.RecordError, match="no longer exists"):
        A.add_action(ws, "risk", 999)
    with pytest.raises(R.RecordError, match="cannot belong"):
        A.add_action(ws, "process", 1)
    with pytest.raises(R.RecordError, match="no source record"):
        A.add_action(ws, "", world["risk"])
    with pytest.raises(R.RecordError, match="already has the ID A-001"):
        A.add_action(ws, "risk", world["risk"], {"ref": "A-001"})
    assert len(A.list_actions(ws)) == 5


def test_completion_dates_and_reopening(ws, world):
    aid = world["acts"]["risk"]
    A.update_actions(ws, [aid], {"status": "done"}, today=TODAY)
    row = A.get_actions(ws, [aid], TODAY)[0]
    assert (row.status, row.completed_on, row.overdue) == ("done", TODAY, False)
    # a later status change inside "finished" keeps the date
    A.update_actions(ws, [aid], {"effectiveness_check": "No late lots for 3 months",
                                 "effective": "yes"}, today=TODAY + 30 * DAY)
    A.update_actions(ws, [aid], {"status": "verified"}, today=TODAY + 30 * DAY)
    row = A.get_actions(ws, [aid])[0]
    assert (row.status, row.completed_on, row.effective) == ("verified", TODAY, True)
    # reopening clears the date and the verdict, keeps the check's description
    A.update_actions(ws, [aid], {"status": "in_progress"}, today=TODAY)
    row = A.get_actions(ws, [aid])[0]
    assert (row.completed_on, row.effective, row.effectiveness_check) == (
        None, None, "No late lots for 3 months")
    # an explicit completion date wins
    A.update_actions(ws, [aid], {"status": "done", "completed_on": "2026-03-01"}, today=TODAY)
    assert A.get_actions(ws, [aid])[0].completed_on == dt.date(2026, 3, 1)


@pytest.mark.parametrize("values, message", [
    ({"status": "closed"}, "status must be one of"),
    ({"kind": "whatever"}, "kind must be one of"),
    ({"due_date": "next week"}, "not a valid value"),
    ({"title": "   "}, "needs a title"),
    ({"ref": ""}, "needs an ID"),
    ({"ref": "A-002"}, "already has the ID"),
    ({"owner_id": 999}, "not in the workspace"),
    ({"owner_id": "Ann"}, "not a person"),
    ({"effective": "maybe"}, "not a verdict"),
    ({"effective": True}, "not done yet"),
    ({"completed_on": TODAY}, "has no completion date"),
    ({"status": "verified"}, "effectiveness check is described"),
    ({"priority": 1}, "cannot be edited"),
])
def test_invalid_edits_are_refused_with_a_reason(ws, world, values, message):
    aid = world["acts"]["risk"]
    before = A.get_actions(ws, [aid])[0]
    with pytest.raises(R.RecordError, match=message):
        A.update_actions(ws, [aid], values, today=TODAY)
    assert A.get_actions(ws, [aid])[0] == before


def test_inactive_owner_and_verification_rules(ws, world):
    aid = world["acts"]["finding"]
    with pytest.raises(R.RecordError, match="no longer active"):
        A.update_actions(ws, [aid], {"owner_id": world["gone"]})
    A.update_actions(ws, [aid], {"status": "done", "effectiveness_check": "Re-audit"},
                     today=TODAY)
    with pytest.raises(R.RecordError, match="effectiveness is judged"):
        A.update_actions(ws, [aid], {"status": "verified"}, today=TODAY)
    A.update_actions(ws, [aid], {"effective": False}, today=TODAY)
    with pytest.raises(R.RecordError, match="found not effective"):
        A.update_actions(ws, [aid], {"status": "verified"}, today=TODAY)
    with pytest.raises(R.RecordError, match="in the future"):
        A.update_actions(ws, [aid], {"completed_on": TODAY + DAY}, today=TODAY)
    with pytest.raises(R.RecordError, match="keeps a completion date"):
        A.update_actions(ws, [aid], {"completed_on": ""}, today=TODAY)


def test_check_overdue(ws, world):
    aid = world["acts"]["nonconformity"]
    A.update_actions(ws, [aid], {"status": "done", "effectiveness_due": TODAY - DAY},
                     today=TODAY)
    row = A.get_actions(ws, [aid], TODAY)[0]
    assert row.check_overdue and not row.overdue
    A.update_actions(ws, [aid], {"effective": True}, today=TODAY)
    assert not A.get_actions(ws, [aid], TODAY)[0].check_overdue


def test_bulk_edit_is_one_transaction_all_or_nothing(ws, world):
    acts = world["acts"]
    ids = [acts["risk"], acts["finding"], acts["review"]]
    change = A.update_actions(ws, ids, {"owner_id": world["bob"], "status": "in_progress",
                                        "due_date": TODAY + 7 * DAY}, today=TODAY)
    assert change.ids_of("action") == frozenset(ids)
    assert change.kinds == {"action"}
    rows = A.get_actions(ws, ids, TODAY)
    assert {(r.owner, r.status, r.due_date) for r in rows} == {
        ("Bob Stone", "in_progress", TODAY + 7 * DAY)}
    # one action breaks a rule: none changes
    A.update_actions(ws, [acts["risk"]], {"status": "done", "effectiveness_check": "ok",
                                          "effective": True}, today=TODAY)
    before = A.list_actions(ws, TODAY)
    with pytest.raises(R.RecordError, match="A-002 cannot be verified"):
        A.update_actions(ws, [acts["risk"], acts["finding"]], {"status": "verified"},
                         today=TODAY)
    assert A.list_actions(ws, TODAY) == before
    with pytest.raises(R.RecordError, match="share one ID"):
        A.update_actions(ws, ids, {"ref": "A-100"})
    with pytest.raises(R.RecordError, match="no longer exists"):
        A.update_actions(ws, [acts["risk"], 999], {"title": "x"})
    assert A.list_actions(ws, TODAY) == before


def test_undo_and_redo_of_bulk_edit_and_delete(ws, world):
    acts = world["acts"]
    start = A.list_actions(ws, TODAY)
    edit = A.update_actions(ws, list(acts.values()), {"status": "done"}, today=TODAY)
    edited = A.list_actions(ws, TODAY)
    assert {r.completed_on for r in edited} == {TODAY}
    R.invert(ws, edit.changeset)
    assert A.list_actions(ws, TODAY) == start
    R.reapply(ws, edit.changeset)
    assert A.list_actions(ws, TODAY) == edited
    gone = A.delete_actions(ws, [acts["risk"], acts[""]])
    assert sorted(gone.deleted("action")) == sorted([acts["risk"], acts[""]])
    assert len(A.list_actions(ws)) == 3
    R.invert(ws, gone.changeset)
    assert A.list_actions(ws, TODAY) == edited
    report = verify(ws)
    assert report.ok, report


def test_deleting_a_source_takes_its_actions(ws, world):
    R.delete(ws, "risk", world["risk"])
    assert world["acts"]["risk"] not in {r.id for r in A.list_actions(ws)}
    assert A.actions_for(ws, "risk", world["risk"]) == []


def test_actions_of_a_risk_and_the_next_id(ws, world):
    aid = A.add_action(ws, "risk", world["risk"], {"title": "Audit supplier"}).result
    assert [a.id for a in A.actions_for(ws, "risk", world["risk"])][-1] == aid
    assert A.next_action_ref(ws) == "A-007"
