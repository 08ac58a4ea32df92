"""core/roadmap: the ten implementation steps judged from hand-made facts."""

from __future__ import annotations

import datetime as dt

from qms_desktop.core import roadmap as R

TODAY = dt.date(2026, 6, 15)


def done_facts(**changes) -> R.Facts:
    """A workspace where every step is done and the certification audit is booked."""
    values = dict(
        today=TODAY, organization="Acme", scope_set=True, exclusions=1, exclusions_justified=1,
        commitment_on=dt.date(2025, 9, 1), commitment_by="MD",
        gap_started=1, gap_completed=1, gap_score=81.0, gap_answered=57, gap_items=57,
        policy_text=True, policy_document=True, policy_approved=True, policy_effective=True,
        policy_document_id=3, objectives=4, objectives_with_target=4, objectives_measured=4,
        processes=10, processes_mapped=10, processes_with_owner=10,
        roles=6, people=20, people_with_role=20, procedures=8, procedures_effective=8,
        training_required=200, training_current=190, first_record_on=dt.date(2026, 1, 10),
        audits_planned=4, audits_done=2, next_audit_on=dt.date(2026, 9, 1),
        processes_audited=10, reviews_held=1, last_review_on=dt.date(2026, 5, 2),
        ncs_open=2, ncs_closed=3, ncs_checked=3,
        certification_on=dt.date(2026, 10, 5), certification_body="Cert GmbH")
    values.update(changes)
    return R.Facts(**values)


def by_number(steps) -> dict[int, R.Step]:
    return {s.number: s for s in steps}


def check(step: R.Step, label: str) -> R.Check:
    return next(c for c in step.checks if c.label == label)


def test_empty_workspace_starts_at_step_one_with_nothing_done():
    steps = R.steps(R.Facts(today=TODAY))
    assert [s.number for s in steps] == list(range(1, 11))
    assert all(s.state == R.NOT_STARTED for s in steps)
    nxt = R.next_step(steps)
    assert nxt.number == 1
    assert nxt.next_action.page == "context"
    assert R.readiness(steps) == 0
    # nothing to count is "none yet", never a division by zero
    s = by_number(steps)
    assert check(s[4], "Core processes mapped").progress == "none yet"
    assert check(s[6], "Training records up to date").progress == "nothing required yet"
    assert check(s[5], "People assigned to roles").done is False


def test_every_step_has_a_why_and_checks_and_an_action_until_done():
    for step in R.steps(R.Facts(today=TODAY)):
        assert step.why and step.title and step.checks
        assert step.next_action is not None and step.next_action.text


def test_typical_partly_done_workspace():
    f = done_facts(commitment_on=None, gap_completed=0, gap_answered=45, gap_items=57,
                   processes_mapped=7, unmapped_process_id=42, training_current=168,
                   training_late=31,
                   audits_planned=0, audits_done=0, processes_audited=0, next_audit_on=None,
                   certification_on=None, certification_body="")
    steps = R.steps(f)
    s = by_number(steps)
    assert s[1].state == R.IN_PROGRESS
    assert s[1].next_action.page == R.ROADMAP_PAGE
    assert s[1].next_action.filters == {"confirm": R.CONFIRM_COMMITMENT}
    assert "12 of 57" in s[2].next_action.text
    maps = check(s[4], "Core processes mapped")
    assert (maps.done, maps.progress, maps.fraction) == (False, "7 of 10", 0.7)
    assert s[4].next_action.record == ("process", 42)
    assert "3 of 10" in s[4].next_action.text
    training = check(s[6], "Training records up to date")
    assert not training.done and training.progress.startswith("84 %")
    assert s[6].next_action.filters["status"] == "late"
    audit = check(s[8], "First internal audit scheduled")
    assert (audit.done, audit.progress) == (False, "no")
    assert s[3].state == R.DONE and s[3].next_action is None
    assert R.next_step(steps).number == 1
    assert 0 < R.readiness(steps) < 100


def test_everything_done_means_certification_ready_and_no_next_step():
    steps = R.steps(done_facts())
    assert all(s.state == R.DONE for s in steps)
    assert R.next_step(steps) is None
    assert R.readiness(steps) == 100
    cert = check(by_number(steps)[10], "Certification audit booked")
    assert cert.progress == "2026-10-05 · Cert GmbH"


def test_certification_is_next_when_only_the_booking_is_missing():
    steps = R.steps(done_facts(certification_on=None, certification_body=""))
    nxt = R.next_step(steps)
    assert nxt.number == 10
    assert nxt.next_action.filters == {"confirm": R.CONFIRM_CERTIFICATION}
    assert R.readiness(steps) == 100


def test_zero_processes_and_zero_people_divide_by_nothing():
    f = done_facts(processes=0, processes_mapped=0, processes_with_owner=0,
                   processes_audited=0, people=0, people_with_role=0, training_required=0,
                   training_current=0, objectives=0, objectives_with_target=0,
                   objectives_measured=0)
    s = by_number(R.steps(f))
    assert s[4].state == R.NOT_STARTED
    assert "core processes" in s[4].next_action.text
    assert s[5].next_action.page == "training"
    assert check(s[6], "Training records up to date").done is False
    assert s[7].next_action.text.startswith("Set objectives")


def test_training_threshold_is_the_constant():
    at = int(R.TRAINING_CURRENT_PERCENT * 2)
    assert check(by_number(R.steps(done_facts(training_current=at)))[6],
                 "Training records up to date").done
    below = check(by_number(R.steps(done_facts(training_current=at - 1)))[6],
                  "Training records up to date")
    assert not below.done and below.progress.startswith("89 %")  # 89.5 % is not shown as 90


def test_operation_months_rule():
    short = done_facts(first_record_on=TODAY - dt.timedelta(days=60))
    s = by_number(R.steps(short))
    assert s[7].state == R.IN_PROGRESS
    assert "2 more months" in s[7].next_action.text
    one = by_number(R.steps(done_facts(first_record_on=dt.date(2026, 4, 1))))
    assert "one more month to go" in one[7].next_action.text
    assert R.months_between(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 0
    assert R.months_between(dt.date(2026, 1, 15), dt.date(2026, 4, 15)) == 3
    assert R.months_between(None, TODAY) == 0
    assert R.months_between(TODAY + dt.timedelta(days=3), TODAY) == 0


def test_vacuous_checks_are_not_progress():
    f = R.Facts(today=TODAY)  # no exclusions, no closed nonconformities
    s = by_number(R.steps(f))
    assert check(s[9], "Closed nonconformities checked for effectiveness").done
    assert s[9].state == R.NOT_STARTED and s[9].fraction == 0.0
    assert s[9].done_checks == 0 and len(s[9].counted) == 1


def test_policy_typed_only_on_the_profile_is_written_not_approved():
    s = by_number(R.steps(done_facts(policy_document=False, policy_approved=False,
                                     policy_effective=False, policy_document_id=None)))
    assert check(s[3], "Quality policy written").done
    assert not check(s[3], "Quality policy approved").done
    assert s[3].next_action.page == "context"
    draft = by_number(R.steps(done_facts(policy_approved=False, policy_effective=False)))
    assert draft[3].next_action.record == ("document", 3)


def test_texts_go_through_tr():
    seen: list[str] = []

    def tr(text: str) -> str:
        seen.append(text)
        return "»" + text

    steps = R.steps(R.Facts(today=TODAY), tr)
    assert steps[0].title == "»Commitment and scope"
    assert "{n} of {total}" in seen


def test_training_action_counts_as_the_training_page_does():
    """48 not current, one of them *due* in its grace period: "47 to train now", like the
    Training page; with only due ones, nothing is called late."""
    f = R.Facts(training_required=200, training_current=152, training_late=47)
    act = R.steps(f)[5].next_action
    assert "47 to train now" in act.text and act.filters["status"] == "late"
    f = R.Facts(training_required=200, training_current=152, training_late=0)
    act = R.steps(f)[5].next_action
    assert "48 required trainings not current, none late yet" in act.text
    assert act.filters["status"] is None


def test_vacuous_checks_are_shown_as_not_applicable():
    s = R.steps(R.Facts(organization="Acme"))
    one, nine = s[0], s[8]
    assert [R.check_symbol(c) for c in one.checks] == ["✓", "○", "–", "○"]
    assert one.checks_text() == "1 of 3 checks (1 not applicable)"
    assert [R.check_symbol(c) for c in nine.checks] == ["○", "–"]
    assert nine.checks_text() == "0 of 1 check (1 not applicable)"
    # ticks shown = checks counted as done
    assert sum(R.check_symbol(c) == "✓" for c in one.checks) == one.done_checks


def test_checks_text_says_nothing_to_check_when_all_are_not_applicable():
    vacuous = R.Check("Exclusions justified", True, "none claimed", 1.0, vacuous=True)
    step = R.Step(9, "x", "X", "why", (vacuous, vacuous), None)
    assert step.checks_text() == "Nothing to check yet (2 not applicable)"


def test_step_one_button_names_only_what_is_missing():
    named = by_number(R.steps(R.Facts(today=TODAY, organization="Acme")))
    assert named[1].next_action.text == "Write the scope of your QMS"
    scoped = by_number(R.steps(R.Facts(today=TODAY, scope_set=True)))
    assert scoped[1].next_action.text == "Name your organization"
    neither = by_number(R.steps(R.Facts(today=TODAY)))
    assert neither[1].next_action.text == \
        "Name your organization and write the scope of your QMS"
