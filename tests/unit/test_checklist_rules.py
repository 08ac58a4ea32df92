"""Checklist rules (core.checklists): scores at their boundaries, trends, proposed findings,
the closure rule, versions and codes."""

import datetime as dt

import pytest

from qms_desktop.core import checklists as cl
from qms_desktop.core.checklists import ActionState, Answer


def A(clause, result, weight=1.0, pdca=""):
    return Answer(clause, result, weight, pdca)


def test_partial_counts_half_and_na_leaves_the_denominator():
    s = cl.score([A("4.1", "conform"), A("4.2", "partial"), A("4.3", "nonconform"),
                  A("4.4", "na")])
    assert (s.earned, s.possible) == (1.5, 3.0)
    assert s.percent == pytest.approx(50.0)
    assert (s.total, s.assessed, s.na, s.open) == (4, 4, 1, 0)


def test_weights_scale_each_item():
    s = cl.score([A("8.1", "conform", 3), A("8.2", "nonconform", 1)])
    assert s.percent == pytest.approx(75.0)
    s = cl.score([A("8.1", "partial", 2), A("8.2", "conform", 0)])  # weight 0 moves nothing
    assert s.percent == pytest.approx(50.0) and s.total == 2


def test_unanswered_items_are_counted_apart_not_as_zero():
    s = cl.score([A("7.1", "conform"), A("7.2", None), A("7.3", None)])
    assert s.percent == pytest.approx(100.0)
    assert s.open == 2 and s.assessed == 1 and s.progress == pytest.approx(1 / 3)


def test_nothing_scorable_means_no_score_not_zero():
    assert cl.score([]).percent is None and cl.score([]).progress == 1.0
    assert cl.score([A("4.1", "na"), A("4.2", None)]).percent is None
    assert cl.score([A("4.1", "nonconform")]).percent == 0.0
    assert "no score" in cl.score([A("4.1", "na")]).text()
    assert cl.score([A("4.1", "conform"), A("4.2", "na"), A("4.3", None)]).text() == \
        "100 % (2 of 3 assessed, 1 not applicable)"


def test_groups_by_clause_chapter_and_pdca():
    answers = [A("10.2", "conform"), A("8.10", "partial"), A("8.9", "nonconform"),
               A("4.1", "conform"), A("", "conform"), A("9.1", "partial", pdca="act")]
    by_clause = cl.scores_by_clause(answers)
    assert list(by_clause)[:4] == ["4.1", "8.9", "8.10", "9.1"]
    by_chapter = cl.scores_by_chapter(answers)
    assert list(by_chapter) == ["4", "5", "6", "7", "8", "9", "10", ""]
    assert by_chapter["5"].total == 0 and by_chapter["5"].percent is None
    assert by_chapter["8"].percent == pytest.approx(25.0)
    by_pdca = cl.scores_by_pdca(answers)
    assert list(by_pdca)[:4] == ["plan", "do", "check", "act"]
    assert by_pdca["check"].total == 0  # 9.1 says it is "act"
    assert by_pdca["act"].total == 2 and by_pdca[""].total == 1


def test_trend_in_percentage_points():
    now = cl.scores_by_chapter([A("4.1", "conform"), A("5.1", "partial"), A("6.1", "na")])
    before = cl.scores_by_chapter([A("4.1", "partial"), A("5.1", "partial")])
    t = cl.trend(now, before)
    assert t["4"] == pytest.approx(50.0) and t["5"] == 0.0
    assert t["6"] is None and t["7"] is None


@pytest.mark.parametrize("text, result", [
    ("1", "conform"), ("2", "partial"), ("3", "nonconform"), ("4", "na"), ("5", None),
    (" N/A ", "na"), ("NC", "nonconform"), ("", None), ("✓", "conform"), (None, None)])
def test_parse_result(text, result):
    assert cl.parse_result(text) == result


def test_parse_result_refuses_other_text():
    with pytest.raises(cl.ChecklistRuleError, match="not a result"):
        cl.parse_result("6")
    with pytest.raises(cl.ChecklistRuleError):
        cl.check_result("maybe")


@pytest.mark.parametrize("value, ok", [("0", 0.0), (100, 100.0), ("1,5", 1.5)])
def test_weight_bounds(value, ok):
    assert cl.check_weight(value) == ok


@pytest.mark.parametrize("value", [-0.1, 100.01, "x", float("nan"), None])
def test_weight_refused(value):
    with pytest.raises(cl.ChecklistRuleError):
        cl.check_weight(value)


def test_proposed_finding_kinds():
    assert cl.proposed_finding_kind("nonconform") == "minor"
    assert cl.proposed_finding_kind("partial") == "observation"
    assert cl.proposed_finding_kind("conform", "could be faster") == "ofi"
    assert cl.proposed_finding_kind("conform") is None
    assert cl.proposed_finding_kind("na", "x") is None and cl.proposed_finding_kind(None) is None


def _closure(**kw):
    base = dict(correction="fixed", root_cause="why", actions=[ActionState("verified")],
                effectiveness_check="checked 20 cards", effective=True)
    base.update(kw)
    return cl.closure_problems("minor", **base)


def test_a_complete_nonconformity_may_close():
    assert _closure() == []
    assert _closure(actions=[ActionState("done"), ActionState("cancelled")]) == []


@pytest.mark.parametrize("change, words", [
    ({"correction": " "}, "correction"), ({"root_cause": ""}, "root cause"),
    ({"actions": []}, "corrective action"), ({"actions": [ActionState("cancelled")]},
                                             "corrective action"),
    ({"actions": [ActionState("done"), ActionState("open")]}, "Finish every action"),
    ({"effectiveness_check": ""}, "effectiveness"), ({"effective": None}, "Judge"),
    ({"effective": False}, "not effective")])
def test_each_missing_piece_keeps_a_nonconformity_open(change, words):
    problems = _closure(**change)
    assert len(problems) == 1 and words in problems[0]


def test_observations_close_freely():
    assert cl.closure_problems("observation", correction="", root_cause="", actions=[],
                               effectiveness_check="", effective=None) == []
    assert len(cl.closure_problems("major", correction="", root_cause="", actions=[],
                                   effectiveness_check="", effective=None)) == 4


def test_versions_and_codes():
    assert [cl.next_version(v) for v in ("1", "2.3", "v9", "A", "", "1.9")] == [
        "2", "2.4", "v10", "A.2", "2", "1.10"]
    assert cl.run_code("internal_audit", 2026, 3) == "IA26-03"
    assert cl.run_code("other", 2100, 120) == "CL00-120"


def test_programme_states():
    today = dt.date(2026, 6, 15)
    assert cl.programme_state(dt.date(2026, 6, 14), None, today) == "overdue"
    assert cl.programme_state(dt.date(2026, 6, 15), None, today) == "planned"
    assert cl.programme_state(dt.date(2026, 1, 1), dt.date(2026, 1, 2), today) == "done"
    assert cl.programme_state(None, None, today) == "unplanned"


def test_a_completed_audit_with_a_late_step_is_overdue():
    today = dt.date(2026, 12, 5)
    steps = [("follow_up", dt.date(2027, 2, 1), None),       # ahead: not late
             ("report", dt.date(2026, 11, 28), None),         # past, not done: late
             ("closing_meeting", dt.date(2026, 11, 20), dt.date(2026, 11, 21)),
             ("plan", dt.date(2026, 12, 5), None)]            # today: not late yet
    late = cl.late_steps(steps, today)
    assert late == ["report"]
    completed = dt.date(2026, 11, 21)
    assert cl.programme_state(dt.date(2026, 11, 14), completed, today, late) == "overdue"
    assert cl.programme_state(dt.date(2026, 11, 14), completed, today, []) == "done"
    assert cl.late_steps([("follow_up", dt.date(2026, 1, 1), None),
                          ("plan", dt.date(2026, 1, 1), None)], today) == ["plan", "follow_up"]


def test_step_done_days_are_not_ahead_and_keep_the_order():
    today = dt.date(2026, 12, 5)
    d = dt.date
    assert cl.step_date_problem({}, "plan", d(2026, 12, 5), today) is None
    ahead = cl.step_date_problem({}, "report", d(2026, 12, 6), today)
    assert ahead and "audit report" in ahead and "ahead" in ahead
    done = {"plan": d(2026, 11, 1), "opening_meeting": d(2026, 11, 14),
            "evidence": d(2026, 11, 1)}
    early = cl.step_date_problem(done, "closing_meeting", d(2026, 10, 30), today)
    assert early == ("The closing meeting cannot be done on 2026-10-30, before the audit plan "
                     "that comes first (done on 2026-11-01).")
    early = cl.step_date_problem(done, "closing_meeting", d(2026, 11, 10), today)
    assert "opening meeting" in early and "closing meeting" in early
    assert cl.step_date_problem(done, "closing_meeting", d(2026, 11, 14), today) is None
    late = cl.step_date_problem({"plan": d(2026, 11, 1), "closing_meeting": d(2026, 11, 20)},
                                "opening_meeting", d(2026, 11, 21), today)
    assert "opening meeting" in late and "closing meeting" in late and "after" in late
    assert cl.step_date_problem(done, "closing_meeting", None, today) is None


def test_a_step_waits_for_every_earlier_step_and_plans_keep_the_order():
    d = dt.date
    today = d(2026, 12, 5)
    done = {"plan": d(2026, 11, 1), "opening_meeting": d(2026, 11, 2),
            "evidence": d(2026, 11, 3), "closing_meeting": d(2026, 11, 4), "report": None}
    assert cl.step_date_problem(done, "follow_up", d(2026, 11, 5), today) == (
        "The follow-up cannot be done before the audit report that comes first is done.")
    assert cl.step_date_problem(done, "report", d(2026, 11, 5), today) is None
    undo = cl.step_date_problem({**done, "report": d(2026, 11, 5)}, "closing_meeting", None,
                                today)
    assert undo and "closing meeting cannot be undone while the audit report" in undo
    assert cl.step_plan_problem({"report": d(2026, 12, 1)}, "follow_up", d(2026, 11, 30)) == (
        "The follow-up cannot be planned on 2026-11-30, before the audit report that comes "
        "first (planned on 2026-12-01).")
    assert cl.step_plan_problem({"report": d(2026, 12, 1)}, "follow_up", d(2026, 12, 1)) is None
    assert "after the follow-up" in cl.step_plan_problem({"follow_up": d(2026, 12, 1)}, "plan",
                                                         d(2026, 12, 2))


def test_run_dates_problem_names_the_run_and_both_dates():
    d = dt.date
    today = d(2026, 12, 5)
    assert cl.run_dates_problem("Run IA26-03", d(2026, 3, 2), d(2026, 3, 1), today) == (
        "Run IA26-03 cannot be completed on 2026-03-01, before it started on 2026-03-02.")
    ahead = cl.run_dates_problem("Run IA26-03", d(2026, 12, 6), None, today)
    assert ahead and "2026-12-06" in ahead and "2026-12-05" in ahead and "IA26-03" in ahead
    assert cl.run_dates_problem("Run X", d(2026, 3, 2), d(2026, 3, 2), today) is None
    assert cl.run_dates_problem("Run X", None, None, today) is None
