"""The training service on real workspaces: who the matrix shows, dated role assignments,
requirements derived from the process maps (and following a map edit), retraining on a new
revision, what-if, a session's records as one undo step, the edit checks, the expiring window
and the summary."""

from __future__ import annotations

import datetime as dt

import pytest
from dumps import table_dump

from qms_desktop.core import training as rules
from qms_desktop.services import processes as P
from qms_desktop.services import records as R
from qms_desktop.services import training as T
from qms_desktop.services.records import RecordError

TODAY = dt.date(2026, 3, 10)
DAY = dt.timedelta(days=1)


def status(mx: T.Matrix, pid: int, cid: int) -> str:
    if pid not in mx.row_of:
        return "no row"
    if cid not in mx.col_of:
        return "no column"
    return mx.cell(pid, cid)[0]


@pytest.fixture
def world(ws):
    """Two roles, a safety course the operators need (30 days' grace), a calibration course
    for inspectors, a procedure QP-04 (revision B in force) with its read-and-understood course,
    and three people."""
    op = T.add_role(ws, "Operator").result
    insp = T.add_role(ws, "Inspector").result
    safety = T.add_course(ws, {"code": "SAFE", "title": "Machine safety", "kind": "classroom",
                               "validity_months": 12}).result
    T.set_requirement(ws, op, safety, grace_days=30)
    calib = T.add_course(ws, {"code": "CAL", "title": "Calibration", "kind": "on_the_job",
                              "validity_months": None}, role_ids=[insp]).result
    doc = R.create(ws, "document", {"number": "QP-04", "title": "Production control",
                                    "status": "effective", "current_revision": "B"}).result
    R.create(ws, "revision", {"document_id": doc, "number": "B", "status": "effective",
                              "issued_on": dt.date(2024, 5, 1)})
    ru = T.add_course(ws, {"code": "RU-QP04", "title": "Read and understood: QP-04",
                           "kind": "read_and_understood", "document_id": doc}).result
    ann = T.add_person(ws, {"name": "Ann Lee", "employee_no": "E1", "department": "Production",
                            "hired_on": dt.date(2020, 1, 6)}, role_ids=[op]).result
    bob = T.add_person(ws, {"name": "Bob Stone", "employee_no": "E2", "department": "Quality",
                            "hired_on": dt.date(2021, 4, 1)}, role_ids=[insp]).result
    cy = T.add_person(ws, {"name": "Cy Vance", "employee_no": "E3", "department": "Production",
                           "hired_on": dt.date(2019, 9, 2)}).result
    return dict(op=op, insp=insp, safety=safety, calib=calib, doc=doc, ru=ru, ann=ann, bob=bob,
                cy=cy)


def session(ws, course, people, on, **values):
    return T.add_records(ws, course, people, {"completed_on": on, **values}, today=TODAY)


# --------------------------------------------------------------------------- people

def test_leaver_leaves_the_matrix_but_keeps_records(ws, world):
    ann = world["ann"]
    session(ws, world["safety"], [ann], TODAY - 100 * DAY)
    assert status(T.load_matrix(ws, TODAY), ann, world["safety"]) == rules.CURRENT
    T.mark_left(ws, ann, TODAY - DAY)
    mx = T.load_matrix(ws, TODAY)
    assert ann not in mx.row_of
    assert [r.completed_on for r in T.history(ws, ann)] == [TODAY - 100 * DAY]
    assert T.assignments(ws, ann)[0][3] == TODAY - DAY  # the role ended that day
    mx = T.load_matrix(ws, TODAY, include_leavers=True)
    assert mx.people[mx.row_of[ann]].left
    # the leaving day has not come yet: still in the matrix
    assert ann in T.load_matrix(ws, TODAY - 2 * DAY).row_of


def test_leaving_day_still_to_come(ws, world):
    T.update_people(ws, [world["ann"]], {"left_on": TODAY + DAY})
    assert world["ann"] in T.load_matrix(ws, TODAY).row_of
    assert world["ann"] not in T.load_matrix(ws, TODAY + DAY).row_of


def test_cannot_leave_before_starting(ws, world):
    with pytest.raises(RecordError, match="cannot leave before they started"):
        T.mark_left(ws, world["ann"], dt.date(2019, 1, 1))


@pytest.mark.parametrize("ends, required", [(-1, False), (0, True), (1, True)])
def test_role_assignment_ending_yesterday_today_tomorrow(ws, world, ends, required):
    cy = world["cy"]
    T.assign_role(ws, cy, world["op"], dt.date(2024, 1, 1), TODAY + ends * DAY)
    mx = T.load_matrix(ws, TODAY, all_courses=True)
    want = rules.MISSING if required else rules.NOT_REQUIRED
    assert status(mx, cy, world["safety"]) == want
    assert ("Operator" in mx.people[mx.row_of[cy]].roles) is required


def test_end_role_default_is_yesterday(ws, world):
    T.end_role(ws, world["ann"], world["op"], TODAY - DAY)
    assert status(T.load_matrix(ws, TODAY, all_courses=True), world["ann"],
                  world["safety"]) == rules.NOT_REQUIRED
    with pytest.raises(RecordError):
        T.end_role(ws, world["cy"], world["op"])


def test_role_held_twice(ws, world):
    cy, op, safety = world["cy"], world["op"], world["safety"]
    T.assign_role(ws, cy, op, dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    T.assign_role(ws, cy, op, TODAY - 10 * DAY)
    with pytest.raises(RecordError, match="already holds the role Operator"):
        T.assign_role(ws, cy, op, dt.date(2024, 6, 1), dt.date(2024, 8, 1))
    assert [(a[2], a[3]) for a in T.assignments(ws, cy)] == [
        (dt.date(2024, 1, 1), dt.date(2024, 6, 30)), (TODAY - 10 * DAY, None)]
    # back in the role ten days ago: the grace period counts from the second start
    mx = T.load_matrix(ws, TODAY)
    assert mx.cell(cy, safety) == (rules.DUE, TODAY + 20 * DAY)
    (reason,) = mx.reasons[(cy, safety)]
    assert (reason.kind, reason.role, reason.since, reason.grace_days) == (
        "role", "Operator", TODAY - 10 * DAY, 30)
    assert "Operator" in reason.text() and "30 days" in reason.text()
    # between the two stints: not required
    mx = T.load_matrix(ws, dt.date(2025, 1, 1), all_courses=True)
    assert status(mx, cy, safety) == rules.NOT_REQUIRED
    # during the first: the grace period from its start is long over
    mx = T.load_matrix(ws, dt.date(2024, 3, 1))
    assert mx.cell(cy, safety) == (rules.MISSING, dt.date(2024, 1, 31))


def test_grace_period_counts_from_the_role_start(ws, world):
    cy = world["cy"]
    T.assign_role(ws, cy, world["op"], TODAY - 30 * DAY)
    assert T.load_matrix(ws, TODAY).cell(cy, world["safety"]) == (rules.DUE, TODAY)
    assert T.load_matrix(ws, TODAY + DAY).cell(cy, world["safety"]) == (rules.MISSING, TODAY)


def test_failed_then_passed(ws, world):
    ann, safety = world["ann"], world["safety"]
    session(ws, safety, [ann], TODAY - 20 * DAY, result="failed")
    assert status(T.load_matrix(ws, TODAY), ann, safety) == rules.MISSING
    session(ws, safety, [ann], TODAY - 10 * DAY, result="passed")
    mx = T.load_matrix(ws, TODAY)
    assert mx.cell(ann, safety) == (rules.CURRENT, dt.date(2027, 2, 28))
    # a later failed attempt does not undo the pass
    session(ws, safety, [ann], TODAY - DAY, result="failed")
    assert T.load_matrix(ws, TODAY).latest[(ann, safety)].completed_on == TODAY - 10 * DAY
    assert [r.result for r in T.history(ws, ann, safety)] == ["failed", "passed", "failed"]


# --------------------------------------------------------------------------- derived needs

@pytest.fixture
def mapped(ws, world):
    """A map: an Operator lane with a step “Set up machine” linked to QP-04."""
    pid = P.add_process(ws, {"name": "Production", "status": "active"}).result
    lane = P.add_lane(ws, pid, "Operators", role_id=world["op"])
    lane_id = lane.result
    step = P.add_node(ws, pid, "step", 100, 50, name="Set up machine", lane_id=lane_id).result
    P.set_link(ws, step, "document", world["doc"], True)
    return dict(world, pid=pid, lane=lane_id, step=step)


def test_derived_requirement_from_a_map_step(ws, mapped):
    ann, ru = mapped["ann"], mapped["ru"]
    mx = T.load_matrix(ws, TODAY)
    assert status(mx, ann, ru) == rules.MISSING
    assert status(mx, mapped["bob"], ru) == rules.NOT_REQUIRED
    (reason,) = mx.reasons[(ann, ru)]
    assert (reason.kind, reason.role, reason.process, reason.process_id, reason.step,
            reason.step_id, reason.document) == (
        "map", "Operator", "Production", mapped["pid"], "Set up machine", mapped["step"],
        "QP-04 rev. B")
    assert "Set up machine" in reason.text() and "Production" in reason.text()
    # a completion naming the revision in force satisfies it
    session(ws, ru, [ann], TODAY - 3 * DAY)
    assert T.load_matrix(ws, TODAY).latest[(ann, ru)].document_revision == "B"
    assert status(T.load_matrix(ws, TODAY), ann, ru) == rules.CURRENT


def test_derived_requirement_follows_unlinking(ws, mapped):
    P.set_link(ws, mapped["step"], "document", mapped["doc"], False)
    mx = T.load_matrix(ws, TODAY, all_courses=True)
    assert status(mx, mapped["ann"], mapped["ru"]) == rules.NOT_REQUIRED
    assert (mapped["ann"], mapped["ru"]) not in mx.reasons
    assert mapped["ru"] not in T.load_matrix(ws, TODAY).col_of  # nobody needs it


def test_derived_requirement_moves_with_the_steps_role(ws, mapped):
    R.update_fields(ws, "process_node", mapped["step"], {"role_id": mapped["insp"]})
    mx = T.load_matrix(ws, TODAY, all_courses=True)
    assert status(mx, mapped["ann"], mapped["ru"]) == rules.NOT_REQUIRED
    assert status(mx, mapped["bob"], mapped["ru"]) == rules.MISSING
    assert mx.reasons[(mapped["bob"], mapped["ru"])][0].role == "Inspector"


def test_derived_requirement_from_the_lanes_role(ws, mapped):
    # a step with no role of its own takes its lane's
    R.update_fields(ws, "process_node", mapped["step"], {"role_id": None})
    assert status(T.load_matrix(ws, TODAY), mapped["ann"], mapped["ru"]) == rules.MISSING
    P.set_lane_role(ws, mapped["lane"], mapped["insp"])
    mx = T.load_matrix(ws, TODAY, all_courses=True)
    assert status(mx, mapped["ann"], mapped["ru"]) == rules.NOT_REQUIRED
    assert status(mx, mapped["bob"], mapped["ru"]) == rules.MISSING


def test_derived_requirement_goes_with_the_step_or_a_retired_map(ws, mapped):
    R.update_fields(ws, "process", mapped["pid"], {"status": "retired"})
    assert mapped["ru"] not in T.load_matrix(ws, TODAY).col_of
    R.update_fields(ws, "process", mapped["pid"], {"status": "active"})
    assert mapped["ru"] in T.load_matrix(ws, TODAY).col_of
    P.delete_items(ws, [mapped["step"]])
    assert mapped["ru"] not in T.load_matrix(ws, TODAY).col_of


def test_role_and_map_reasons_side_by_side(ws, mapped):
    T.set_requirement(ws, mapped["op"], mapped["ru"])
    kinds = sorted(r.kind for r in T.load_matrix(ws, TODAY).reasons[(mapped["ann"],
                                                                      mapped["ru"])])
    assert kinds == ["map", "role"]


def test_linked_document_without_a_course_is_reported(ws, mapped):
    other = R.create(ws, "document", {"number": "WI-07", "title": "Deburring",
                                      "status": "effective"}).result
    P.set_link(ws, mapped["step"], "document", other, True)
    mx = T.load_matrix(ws, TODAY)
    assert ("WI-07", "Deburring", "Production", "Set up machine") in mx.uncovered


# --------------------------------------------------------------------------- retraining

def test_new_revision_makes_read_and_understood_due_again(ws, mapped):
    ann, ru, doc = mapped["ann"], mapped["ru"], mapped["doc"]
    session(ws, ru, [ann], dt.date(2025, 1, 10))
    assert status(T.load_matrix(ws, TODAY), ann, ru) == rules.CURRENT
    issued = TODAY - 5 * DAY
    R.create(ws, "revision", {"document_id": doc, "number": "C", "status": "effective",
                              "issued_on": issued})
    R.update_fields(ws, "document", doc, {"current_revision": "C"})
    mx = T.load_matrix(ws, TODAY)
    assert mx.cell(ann, ru) == (rules.RETRAIN, issued)
    assert mx.reasons[(ann, ru)][0].document == "QP-04 rev. C"
    assert T.summary(ws, TODAY).retrain == 1
    # a session now records revision C by itself, and the cell is current again
    session(ws, ru, [ann], TODAY)
    assert T.load_matrix(ws, TODAY).cell(ann, ru) == (rules.CURRENT, None)
    assert T.history(ws, ann, ru)[0].document_revision == "C"


def test_course_marked_revised(ws, world):
    ann, safety = world["ann"], world["safety"]
    session(ws, safety, [ann], TODAY - 40 * DAY)
    T.mark_course_revised(ws, safety, TODAY - 7 * DAY)
    mx = T.load_matrix(ws, TODAY)
    # the role's grace period applies to the retraining too
    assert mx.cell(ann, safety) == (rules.RETRAIN, TODAY + 23 * DAY)
    # ... and while it runs, the retraining is due but not late
    late_before = mx.late()
    assert T.summary(ws, TODAY).late == late_before
    assert T.load_matrix(ws, TODAY + 24 * DAY).late() == late_before + 1
    with pytest.raises(RecordError, match="future"):
        T.mark_course_revised(ws, safety, dt.date.today() + DAY)


# --------------------------------------------------------------------------- what-if

def test_what_if(ws, mapped):
    ann, bob = mapped["ann"], mapped["bob"]
    out = T.what_if(ws, ann, mapped["insp"], today=TODAY)
    assert [(w.course.code, w.status) for w in out] == [("CAL", rules.MISSING)]
    assert out[0].reasons[0].role == "Inspector"
    # nothing is written: Ann is still no inspector
    assert status(T.load_matrix(ws, TODAY, all_courses=True), ann, mapped["calib"]) == \
        rules.NOT_REQUIRED
    # what she already has is not listed
    session(ws, mapped["calib"], [ann], TODAY - DAY)
    assert T.what_if(ws, ann, mapped["insp"], today=TODAY) == []
    # Bob as an operator would need the safety course (within its grace) and QP-04 (map step)
    got = {w.course.code: (w.status, w.date) for w in T.what_if(ws, bob, mapped["op"],
                                                                today=TODAY)}
    assert got == {"SAFE": (rules.DUE, TODAY + 30 * DAY), "RU-QP04": (rules.MISSING, None)}
    T.mark_left(ws, bob, TODAY - DAY)
    with pytest.raises(RecordError):
        T.what_if(ws, bob, mapped["op"], today=TODAY)


def test_what_if_for_a_role_already_held_still_lists_what_it_lacks(ws, mapped):
    """After the role is assigned (or for a role the person holds) the answer is what the role
    requires and they lack — never "nothing more would be needed" while the matrix says
    otherwise."""
    ann = mapped["ann"]
    T.assign_role(ws, ann, mapped["insp"], TODAY)
    assert T.holds_role(ws, ann, mapped["insp"], TODAY)
    out = T.what_if(ws, ann, mapped["insp"], today=TODAY)
    assert [(w.course.code, w.status) for w in out] == [("CAL", rules.MISSING)]
    assert status(T.load_matrix(ws, TODAY), ann, mapped["calib"]) == rules.MISSING


# --------------------------------------------------------------------------- sessions

def test_session_is_one_transaction_and_one_undo_step(ws, world):
    before = table_dump(ws)
    people = [world["ann"], world["bob"], world["cy"]]
    change = session(ws, world["safety"], people + [world["ann"]], TODAY - DAY,
                     trainer="J. Smith")
    assert len(change.result) == 3  # a name twice is one attendee
    assert change.created("training_record") == sorted(change.result)
    assert change.kinds == {"training_record"}
    rows = [r for p in people for r in T.history(ws, p)]
    assert {(r.trainer, r.expires_on) for r in rows} == {("J. Smith", TODAY - DAY + 365 * DAY)}
    after = table_dump(ws)
    R.invert(ws, change.changeset)
    assert table_dump(ws) == before
    R.reapply(ws, change.changeset)
    assert table_dump(ws) == after


def test_session_with_a_missing_person_writes_nothing(ws, world):
    before = table_dump(ws)
    with pytest.raises(RecordError, match="no longer in the workspace"):
        session(ws, world["safety"], [world["ann"], 9999], TODAY - DAY)
    assert table_dump(ws) == before


@pytest.mark.parametrize("values, words", [
    ({"completed_on": TODAY + DAY}, "cannot be completed in the future"),
    ({"completed_on": TODAY, "expires_on": TODAY - DAY}, "cannot expire on or before"),
    ({"completed_on": TODAY, "expires_on": TODAY}, "cannot expire on or before"),
    ({}, "needs the date it was completed"),
    ({"completed_on": "10.03.2026"}, "is not a date"),
    ({"completed_on": TODAY, "result": "so-so"}, "passed, attended or failed"),
    ({"completed_on": TODAY, "grade": "A"}, "has no field"),
])
def test_record_checks(ws, world, values, words):
    before = table_dump(ws)
    with pytest.raises(RecordError, match=words) as e:
        T.add_records(ws, world["safety"], [world["ann"]], values, today=TODAY)
    assert str(e.value).endswith(".")
    assert table_dump(ws) == before


def test_record_update_checks(ws, world):
    (rid,) = session(ws, world["safety"], [world["ann"]], TODAY - 10 * DAY).result
    with pytest.raises(RecordError, match="cannot expire on or before"):
        T.update_records(ws, [rid], {"expires_on": TODAY - 11 * DAY})
    with pytest.raises(RecordError, match="in the future"):
        T.update_records(ws, [rid], {"completed_on": dt.date.today() + DAY})


def test_person_checks(ws, world):
    with pytest.raises(RecordError, match="Employee number E1 is already someone else's."):
        T.add_person(ws, {"name": "Ann Other", "employee_no": "E1"})
    with pytest.raises(RecordError, match="Employee number E2"):
        T.update_people(ws, [world["ann"]], {"employee_no": "E2"})
    T.update_people(ws, [world["ann"]], {"employee_no": "E1"})  # her own number is fine
    with pytest.raises(RecordError, match="Nobody can be their own manager."):
        T.update_people(ws, [world["ann"]], {"manager_id": world["ann"]})
    T.update_people(ws, [world["ann"]], {"manager_id": world["bob"]})
    mx = T.load_matrix(ws, TODAY)
    assert mx.people[mx.row_of[world["ann"]]].manager == "Bob Stone"
    with pytest.raises(RecordError, match="needs a name"):
        T.add_person(ws, {"name": "  "})
    with pytest.raises(RecordError, match="cannot end before it starts"):
        T.assign_role(ws, world["cy"], world["op"], TODAY, TODAY - DAY)


def test_course_and_requirement_checks(ws, world):
    with pytest.raises(RecordError, match="already a course with the code SAFE"):
        T.add_course(ws, {"code": "SAFE", "title": "Again"})
    with pytest.raises(RecordError, match="between 1 and 600"):
        T.update_courses(ws, [world["safety"]], {"validity_months": 0.5})
    with pytest.raises(RecordError, match="internally or externally"):
        T.update_courses(ws, [world["safety"]], {"provider": "elsewhere"})
    with pytest.raises(RecordError, match="grace period"):
        T.set_requirement(ws, world["op"], world["safety"], grace_days=-1)
    T.update_courses(ws, [world["safety"]], {"provider": "external", "validity_months": "once"})
    c = {c.id: c for c in T.courses(ws)}[world["safety"]]
    assert (c.provider, c.validity_months, c.validity_text) == ("external", None, "once")
    T.set_requirement(ws, world["op"], world["safety"], required=False)
    assert (world["op"], world["safety"], 30) not in T.requirements(ws)


# --------------------------------------------------------------------------- window, summary

def test_expiring_window_setting(ws, world):
    ann, safety = world["ann"], world["safety"]
    session(ws, safety, [ann], TODAY - 300 * DAY)  # expires in 65 days
    assert T.window_days(ws) == rules.DEFAULT_WINDOW == 60
    assert status(T.load_matrix(ws, TODAY), ann, safety) == rules.CURRENT
    T.set_window_days(ws, 90)
    assert T.window_days(ws) == 90
    mx = T.load_matrix(ws, TODAY)
    assert (mx.window_days, status(mx, ann, safety)) == (90, rules.EXPIRING)
    assert status(T.load_matrix(ws, TODAY, window=30), ann, safety) == rules.CURRENT
    for bad in (0, 3651, "soon"):
        with pytest.raises(RecordError):
            T.set_window_days(ws, bad)
    assert T.window_days(ws) == 90
    T.set_window_days(ws, 30)
    assert T.window_days(ws) == 30


def test_summary_counts(ws, mapped):
    ann, bob, cy = mapped["ann"], mapped["bob"], mapped["cy"]
    T.assign_role(ws, cy, mapped["op"], TODAY - 5 * DAY)  # new starter: safety due
    session(ws, mapped["safety"], [ann], TODAY - 350 * DAY)  # expiring
    session(ws, mapped["calib"], [bob], TODAY - 2 * DAY)  # current ("once")
    # Ann: SAFE expiring, RU missing; Bob: CAL current; Cy: SAFE due, RU missing
    s = T.summary(ws, TODAY)
    assert (s.required, s.compliant, s.expiring, s.expired, s.missing, s.retrain, s.due) == (
        5, 2, 1, 0, 2, 0, 1)
    assert s.percent == pytest.approx(40.0)
    mx = T.load_matrix(ws, TODAY)
    assert dict((d, (ok, req)) for d, ok, req in mx.compliance()) == {
        "Production": (1, 4), "Quality": (1, 1)}
    assert dict((c, (ok, req)) for c, ok, req in mx.compliance("course")) == {
        "CAL": (1, 1), "RU-QP04": (0, 2), "SAFE": (1, 2)}
    due = [(p.name, c.code, st) for p, c, st, _d in mx.due_within(30)]
    assert due == [("Ann Lee", "RU-QP04", rules.MISSING), ("Cy Vance", "RU-QP04", rules.MISSING),
                   ("Cy Vance", "SAFE", rules.DUE), ("Ann Lee", "SAFE", rules.EXPIRING)]
    session(ws, mapped["safety"], [ann], TODAY - 366 * DAY)  # older: changes nothing
    assert T.summary(ws, TODAY) == s
    T.set_window_days(ws, 30)
    assert T.summary(ws, TODAY).expiring == 1  # expires in 15 days


def test_counts_follow_a_row_refresh(ws, world):
    """replace_rows keeps the totals (and the late count) right without recounting."""
    mx = T.load_matrix(ws, TODAY)
    before = mx.counts()
    session(ws, world["safety"], [world["ann"]], TODAY - DAY)
    part = T.load_matrix(ws, TODAY, person_ids=[world["ann"]], all_courses=True, base=mx)
    assert mx.replace_rows(part)
    fresh = T.load_matrix(ws, TODAY)
    assert mx.counts() == fresh.counts() != before
    assert mx.late() == fresh.late()


def test_a_revision_day_cannot_be_moved_back_over_a_later_one(ws, world):
    """Marking a course revised on an earlier day than it already was would silently clear
    the retraining the later revision made due."""
    T.mark_course_revised(ws, world["safety"], TODAY - 3 * DAY)
    with pytest.raises(RecordError, match="already marked revised on"):
        T.mark_course_revised(ws, world["safety"], TODAY - 30 * DAY)
    T.mark_course_revised(ws, world["safety"], TODAY - DAY)  # a later one is fine


def test_a_leaving_day_still_to_come_keeps_the_person_until_then(ws, world):
    ann = world["ann"]
    T.mark_left(ws, ann, TODAY + 10 * DAY)
    assert ann in T.load_matrix(ws, TODAY).row_of
    assert ann not in T.load_matrix(ws, TODAY + 10 * DAY).row_of
