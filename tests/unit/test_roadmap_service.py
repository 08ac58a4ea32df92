"""services/roadmap: the facts read from a workspace, and the two confirmations (audited,
undoable settings)."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.core import roadmap as rules
from qms_desktop.services import records as R
from qms_desktop.services import roadmap as S
from qms_desktop.services.records import RecordError

TODAY = dt.date(2026, 6, 15)
D = dt.timedelta(days=1)


def org_id(ws) -> int:
    from sqlalchemy import select

    from qms_desktop.storage import models as m

    with ws.connect() as c:
        return c.execute(select(m.Organization.id)).scalar()


def build(ws) -> dict:
    """A small workspace: 3 core processes (2 mapped, 1 owned) and a sub-process, 3 people (2
    in roles, 1 left), 2 procedures (1 in force), a policy document in force, objectives,
    training, a gap analysis, audits, a review and nonconformities."""
    ids = {}
    R.update_fields(ws, "organization", org_id(ws), {"scope": "Machining of parts."})
    R.create(ws, "scope_exclusion", {"clause": "8.3", "justification": "Build to print."})
    R.create(ws, "scope_exclusion", {"clause": "7.1.5.2", "justification": ""})
    qm = R.create(ws, "role", {"name": "Quality manager"}).result
    op = R.create(ws, "role", {"name": "Operator"}).result
    ann = R.create(ws, "person", {"name": "Ann"}).result
    bob = R.create(ws, "person", {"name": "Bob"}).result
    R.create(ws, "person", {"name": "Cy"})  # no role
    R.create(ws, "person", {"name": "Dee", "left_on": TODAY - 10 * D})  # a leaver
    R.create(ws, "person_role", {"person_id": ann, "role_id": qm})
    R.create(ws, "person_role", {"person_id": bob, "role_id": op,
                                 "valid_to": TODAY + 30 * D})
    p1 = R.create(ws, "process", {"code": "P1", "name": "Sales", "owner_role_id": qm}).result
    p2 = R.create(ws, "process", {"code": "P2", "name": "Production"}).result
    p3 = R.create(ws, "process", {"code": "P3", "name": "Purchasing"}).result
    R.create(ws, "process", {"code": "P4", "name": "Old", "status": "retired"})
    R.create(ws, "process", {"code": "P2.1", "name": "Turning", "parent_id": p2})
    for pid in (p1, p2):
        R.create(ws, "process_node", {"process_id": pid, "kind": "start"})
        R.create(ws, "process_node", {"process_id": pid, "kind": "step", "name": "Do"})
    R.create(ws, "process_node", {"process_id": p3, "kind": "start"})  # no step: unmapped
    ids["unmapped"] = p3
    pol = R.create(ws, "document", {"number": "POL-01", "kind": "policy",
                                    "status": "effective"}).result
    R.update_fields(ws, "organization", org_id(ws), {"policy_document_id": pol})
    d1 = R.create(ws, "document", {"number": "QP-01", "kind": "procedure",
                                   "status": "effective"}).result
    R.create(ws, "revision", {"document_id": d1, "number": "A", "status": "effective"})
    d2 = R.create(ws, "document", {"number": "WI-01", "kind": "work_instruction"}).result
    R.create(ws, "revision", {"document_id": d2, "number": "A", "status": "draft"})
    R.create(ws, "document", {"number": "QP-09", "kind": "procedure", "status": "obsolete"})
    o1 = R.create(ws, "objective", {"title": "OTD", "target": 95.0}).result
    R.create(ws, "objective", {"title": "Happier customers"})
    R.create(ws, "measurement", {"objective_id": o1, "measured_on": TODAY - 100 * D,
                                 "value": 93.0})
    course = R.create(ws, "course", {"code": "C1", "title": "Safety"}).result
    R.create(ws, "role_course", {"role_id": qm, "course_id": course})
    R.create(ws, "role_course", {"role_id": op, "course_id": course})
    R.create(ws, "training_record", {"person_id": ann, "course_id": course,
                                     "completed_on": TODAY - 20 * D})
    R.create(ws, "checklist_run", {"kind": "gap_analysis", "title": "Gap",
                                   "started_on": TODAY - 200 * D,
                                   "completed_on": TODAY - 150 * D, "stage": "complete"})
    R.create(ws, "checklist_run", {"kind": "internal_audit", "title": "Audit P1",
                                   "process_id": p1, "planned_on": TODAY - 40 * D,
                                   "completed_on": TODAY - 35 * D})
    R.create(ws, "checklist_run", {"kind": "internal_audit", "title": "Audit P2",
                                   "process_id": p2, "planned_on": TODAY + 20 * D})
    R.create(ws, "management_review", {"title": "MR", "held_on": TODAY - 5 * D,
                                       "status": "held"})
    R.create(ws, "management_review", {"title": "Next", "held_on": TODAY + 90 * D,
                                       "status": "planned"})
    R.create(ws, "nonconformity", {"title": "Scratch", "status": "open",
                                   "detected_on": TODAY - 300 * D})
    R.create(ws, "nonconformity", {"title": "Burr", "status": "closed", "effective": True})
    R.create(ws, "nonconformity", {"title": "Dent", "status": "closed"})
    return ids


def test_facts_of_a_small_workspace_are_exact(ws):
    ids = build(ws)
    f = S.facts(ws, TODAY)
    assert f.organization == "Test Org" and f.scope_set
    assert (f.exclusions, f.exclusions_justified) == (2, 1)
    assert (f.processes, f.processes_mapped, f.processes_with_owner) == (3, 2, 1)
    assert f.unmapped_process_id == ids["unmapped"]
    assert (f.roles, f.people, f.people_with_role) == (2, 3, 2)
    assert (f.procedures, f.procedures_effective) == (2, 1)
    assert f.policy_document and f.policy_approved and f.policy_effective
    assert (f.objectives, f.objectives_with_target, f.objectives_measured) == (2, 1, 1)
    # Ann is trained, Bob is not: 1 of 2 required cells current
    assert (f.training_required, f.training_current) == (2, 1)
    assert f.training_percent == 50.0
    assert (f.gap_started, f.gap_completed) == (1, 1)
    assert (f.audits_planned, f.audits_done, f.processes_audited) == (2, 1, 2)
    assert f.next_audit_on == TODAY + 20 * D
    assert (f.reviews_held, f.last_review_on) == (1, TODAY - 5 * D)
    assert (f.ncs_open, f.ncs_closed, f.ncs_checked) == (1, 2, 1)
    # the first record is the oldest nonconformity
    assert f.first_record_on == TODAY - 300 * D
    assert f.operation_months == 9
    steps = rules.steps(f)
    by = {s.number: s for s in steps}
    assert by[4].next_action.record == ("process", ids["unmapped"])
    assert rules.next_step(steps).number == 1  # an exclusion without a reason
    assert "1 without a reason" in by[1].next_action.text


def test_empty_workspace(tmp_path):
    from qms_desktop.storage.workspace import create_workspace

    ws = create_workspace(tmp_path / "empty.qms")
    try:
        f = S.facts(ws, TODAY)
    finally:
        ws.close()
    assert f.organization == "" and not f.scope_set
    assert f.processes == f.people == f.training_required == f.audits_planned == 0
    assert f.training_percent is None and f.first_record_on is None
    assert f.gap_score is None and f.commitment_on is None
    steps = rules.steps(f)
    assert rules.next_step(steps).number == 1 and rules.readiness(steps) == 0


def test_gap_analysis_in_progress_gives_its_score_and_answers(ws):
    from qms_desktop.services import checklists as C

    tid = C.create_template(ws, C.TemplateSpec(
        family="gap", name="Gap", version="1", kind="gap_analysis", standard="ISO 9001",
        description="", source="user",
        items=[C.ItemSpec("", c, f"Q {c}") for c in ("4.1", "4.2", "5.1", "6.1")])).result
    run = C.start_run(ws, tid, {"title": "Gap run", "started_on": TODAY}).result
    items = C.run_items(ws, run)
    C.answer(ws, items[0].response_id, result="conform")
    C.answer(ws, items[1].response_id, result="nonconform")
    f = S.facts(ws, TODAY)
    assert (f.gap_started, f.gap_completed) == (1, 0)
    assert (f.gap_answered, f.gap_items, f.gap_score) == (2, 4, 50.0)
    assert f.gap_run_id == run
    for it in items[2:]:
        C.answer(ws, it.response_id, result="conform")
    assert S.facts(ws, TODAY).gap_completed == 1  # every question answered


def test_confirmations_are_settings_that_undo(ws):
    change = S.set_commitment(ws, dt.date(2026, 3, 1), "Helen Marsh")
    assert "setting" in change.kinds
    f = S.facts(ws, TODAY)
    assert (f.commitment_on, f.commitment_by) == (dt.date(2026, 3, 1), "Helen Marsh")
    R.invert(ws, change.changeset)
    assert S.facts(ws, TODAY).commitment_on is None
    R.reapply(ws, change.changeset)
    assert S.facts(ws, TODAY).commitment_on == dt.date(2026, 3, 1)
    S.set_certification(ws, "2026-11-02", "Cert Body Ltd")
    commitment, cert = S.confirmations(ws)
    assert (cert.on, cert.text) == (dt.date(2026, 11, 2), "Cert Body Ltd")
    withdraw = S.set_commitment(ws, None)
    assert S.facts(ws, TODAY).commitment_on is None
    assert withdraw.deleted("setting")


def test_bad_confirmations_are_refused_in_one_sentence(ws):
    with pytest.raises(RecordError, match="date"):
        S.set_commitment(ws, "31.03.2026")
    with pytest.raises(RecordError, match="certification body"):
        S.set_certification(ws, TODAY, "  ")
    with pytest.raises(RecordError, match="too long"):
        S.set_certification(ws, TODAY, "x" * (S.MAX_NAME + 1))
    assert S.confirmations(ws) == (S.Confirmation(None), S.Confirmation(None))


def test_garbage_in_the_setting_reads_as_unconfirmed(ws):
    R.create(ws, "setting", {"key": S.COMMITMENT_KEY, "value": "not json"})
    R.create(ws, "setting", {"key": S.CERTIFICATION_KEY, "value": "[1, 2]"})
    f = S.facts(ws, TODAY)
    assert f.commitment_on is None and f.certification_on is None


@pytest.mark.slow
def test_the_demo_workspace(tmp_path):
    from qms_desktop.services.demo import create_demo
    from qms_desktop.storage.workspace import open_workspace

    path = create_demo(tmp_path / "demo.qms", today=TODAY)
    ws = open_workspace(path)
    from qms_desktop.services import training

    try:
        f = S.facts(ws, TODAY)
        late = training.summary(ws, TODAY).late
    finally:
        ws.close()
    # the roadmap's "to train now" is the Training page's figure, not required − current
    assert f.training_late == late
    assert f.organization and f.scope_set
    assert f.processes >= 5 and f.processes_mapped == f.processes
    assert f.people > 10 and f.training_required > 0
    assert f.gap_started >= 1 and f.gap_items > 0
    assert f.audits_planned >= 1 and f.reviews_held >= 1
    steps = rules.steps(f)
    nxt = rules.next_step(steps)
    assert nxt is not None and nxt.next_action is not None
    assert 30 <= rules.readiness(steps) < 100
