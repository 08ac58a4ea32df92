"""The checklist service on real workspaces: shipped templates, versioning (runs keep
theirs), a 300-item run answered item by item, scores with N/A, weights and partial answers,
trends, typing a blank back, evidence links, findings → actions and the closure rule, the
audit programme and steps, xlsx round trip, exact undo, the process-map generator on the
demo."""

from __future__ import annotations

import datetime as dt

import pytest
from dumps import table_dump

from qms_desktop.core import checklists as rules
from qms_desktop.services import actions as A
from qms_desktop.services import checklists as C
from qms_desktop.services import records as R
from qms_desktop.services.records import RecordError

TODAY = dt.date(2026, 3, 10)


def _spec(n: int, name="Big audit", family="big") -> C.TemplateSpec:
    chapters = [str(c) for c in range(4, 11)]
    items = [C.ItemSpec(f"Section {i // 50}", f"{chapters[i % 7]}.{i % 5 + 1}", f"Question {i}",
                        "", "", 1.0, "") for i in range(n)]
    return C.TemplateSpec(family, name, "1", "internal_audit", "ISO 9001:2015", "", items,
                          source="user")


def test_shipped_templates_install_once_and_cover_every_leaf_clause(ws):
    from qms_desktop.core.catalogue import load_catalogue

    assert set(C.shipped_templates()) >= {"iso9001_gap", "readiness", "supplier"}
    tid = C.install_template(ws, "iso9001_gap").result
    assert C.install_template(ws, "iso9001_gap").result == tid  # already there
    items = C.template_items(ws, tid)
    cat = load_catalogue("iso9001_2015")
    assert [i["clause"] for i in items] == [c.number for c in cat.leaf_clauses()]
    # every clause and sub-clause is asked about, itself or through its sub-clauses
    asked = {i["clause"] for i in items}
    assert all(any(a == c.number or a.startswith(c.number + ".") for a in asked) for c in cat)
    assert all(i["guidance"] and i["expected_evidence"] and i["pdca"] for i in items)
    assert items[0]["section"].startswith("4 ")
    rows = {r.name: r for r in C.list_templates(ws)}
    assert rows["ISO 9001:2015 gap analysis"].items == len(items)
    ready = C.load_template_file("readiness")
    titles = " ".join(i.title for i in ready.items).lower()
    for check in ("gap analysis", "policy", "processes mapped", "training records",
                  "internal audit"):
        assert check in titles
    with pytest.raises(RecordError, match="no checklist template called"):
        C.load_template_file("nope")


def test_editing_a_template_in_use_makes_a_new_version_and_runs_keep_theirs(ws):
    tid = C.create_template(ws, _spec(3)).result
    items = C.template_items(ws, tid)
    # not in use: edited in place (reordered, one dropped, one added)
    C.save_template(ws, tid, {"name": "Big audit v1"}, items=[
        {**items[2]}, {**items[0], "weight": 2}, {"title": "New question", "clause": "9.1"}])
    got = C.template_items(ws, tid)
    assert [g["title"] for g in got] == ["Question 2", "Question 0", "New question"]
    assert got[0]["id"] == items[2]["id"] and got[1]["weight"] == 2.0
    run = C.start_run(ws, tid, {"planned_on": "2026-02-01"}).result
    ch = C.save_template(ws, tid, {"description": "now with more"},
                         items=[*({k: v for k, v in g.items() if k != "id"} for g in got),
                                {"title": "Fourth", "clause": "10.2"}])
    new = ch.result
    assert new != tid and ch.created("checklist_template")
    rows = {r.id: r for r in C.list_templates(ws)}
    assert (rows[tid].version, rows[tid].status, rows[tid].latest) == ("1", "superseded", False)
    assert (rows[new].version, rows[new].items, rows[new].latest) == ("2", 4, True)
    assert rows[new].family == rows[tid].family == "big"
    assert rows[tid].in_use and not rows[new].in_use
    # the run still has its three questions and version 1
    assert [i.title for i in C.run_items(ws, run)] == ["Question 2", "Question 0",
                                                        "New question"]
    assert C.get_runs(ws, [run])[0].template_version == "1"
    with pytest.raises(RecordError, match="not the newest version"):
        C.save_template(ws, tid, {"name": "x"})
    with pytest.raises(RecordError, match="used by runs"):
        C.delete_template(ws, tid)
    C.delete_template(ws, new)


def test_answering_a_300_item_run(ws):
    tid = C.create_template(ws, _spec(300)).result
    run = C.start_run(ws, tid, {"auditor": "Dana", "process_id": None},
                      today=TODAY).result
    row = C.get_runs(ws, [run], today=TODAY)[0]
    assert (row.items, row.answered, row.code, row.stage) == (300, 0, "IA26-01", "prepare")
    assert C.start_run(ws, tid, today=TODAY).result and \
        C.list_runs(ws, today=TODAY)[0].code in ("IA26-01", "IA26-02")
    items = C.run_items(ws, run)
    assert [i.number for i in items] == list(range(1, 301))
    cycle = ["conform", "partial", "nonconform", "na", None]
    now = dt.datetime(2026, 3, 10, 9, 30)
    for it in items:
        ch = C.answer(ws, it.response_id, result=cycle[it.number % 5], user="dana", now=now)
        assert ch.result == it.response_id
    items = C.run_items(ws, run)
    assert [i.result for i in items] == [cycle[n % 5] for n in range(1, 301)]
    assert {i.answered_by for i in items if i.result} == {"dana"}
    assert all(i.answered_at is None for i in items if i.result is None)
    row = C.get_runs(ws, [run], today=TODAY)[0]
    assert row.answered == 240 and row.percent == pytest.approx(50.0)
    # evidence text and notes alone leave who answered alone
    C.answer(ws, items[0].response_id, evidence="Minutes 3/2026", notes="ok")
    assert C.run_items(ws, run)[0].evidence == "Minutes 3/2026"
    with pytest.raises(RecordError, match="not a result"):
        C.answer(ws, items[0].response_id, result="maybe")


def test_scores_na_weights_partial_and_trend(ws):
    spec = C.TemplateSpec("fam", "Gap", "1", "gap_analysis", "", "", [
        C.ItemSpec("A", "4.1", "q1", weight=3), C.ItemSpec("A", "4.2", "q2"),
        C.ItemSpec("B", "8.1", "q3", weight=2), C.ItemSpec("B", "8.2", "q4"),
        C.ItemSpec("C", "9.1", "q5", pdca="act")])
    tid = C.create_template(ws, spec).result
    first = C.start_run(ws, tid, {"started_on": "2025-01-10"}).result
    second = C.start_run(ws, tid, {"started_on": "2026-01-10"}).result
    f_items = C.run_items(ws, first)
    for it, res in zip(f_items, ["partial", "nonconform", "nonconform", "conform", None]):
        C.answer(ws, it.response_id, result=res)
    s_items = C.run_items(ws, second)
    for it, res in zip(s_items, ["conform", "na", "partial", "nonconform", "conform"]):
        C.answer(ws, it.response_id, result=res)
    sc = C.run_scores(ws, second)
    # 4.x: 3 of 3 (q2 N/A out); 8.x: 1 of 3 (partial = half of weight 2); 9.1: 1 of 1
    assert sc.by_chapter["4"].percent == pytest.approx(100.0)
    assert sc.by_chapter["8"].percent == pytest.approx(100 / 3)
    assert sc.overall.percent == pytest.approx(5 / 7 * 100)
    assert sc.by_pdca["act"].percent == 100.0 and sc.by_pdca["check"].total == 0
    assert sc.by_section["B"].possible == 3.0
    assert sc.rule == rules.SCORE_RULE and "half" in sc.rule
    assert sc.previous_run_id == first
    assert sc.chapter_trend["4"] == pytest.approx(100 - 37.5)  # was 1.5 of 4 points
    assert sc.chapter_trend["10"] is None
    assert C.run_scores(ws, first).previous_run_id is None
    assert C.previous_run(ws, first) is None


def test_typing_back_a_blank_by_code_and_number(ws):
    tid = C.create_template(ws, _spec(5)).result
    run = C.start_run(ws, tid, {"planned_on": "2026-04-02"}).result
    code = C.get_runs(ws, [run])[0].code
    assert C.find_run(ws, code.lower()) == run
    ch = C.enter_results(ws, run, {1: "1", 2: "n/a", 3: "NC", 5: ""})
    assert ch.result == 3 and ch.kinds == {"response"}
    assert [i.result for i in C.run_items(ws, run)] == [
        "conform", "na", "nonconform", None, None]
    with pytest.raises(RecordError, match="no item 9"):
        C.enter_results(ws, run, {9: "1"})
    with pytest.raises(RecordError, match="Item 2"):
        C.enter_results(ws, run, {1: "2", 2: "7"})
    assert C.run_items(ws, run)[0].result == "conform"  # all or nothing
    with pytest.raises(RecordError, match="No checklist run"):
        C.find_run(ws, "ZZ99-01")


def test_evidence_links_and_attachments(ws):
    tid = C.create_template(ws, _spec(2)).result
    run = C.start_run(ws, tid).result
    resp = C.run_items(ws, run)[0].response_id
    doc = R.create(ws, "document", {"number": "QP-04", "title": "Control of records"}).result
    lid = C.add_evidence(ws, resp, "document", doc).result
    assert C.add_evidence(ws, resp, "document", doc).result == lid
    C.attach(ws, resp, b"\x89PNG photo", name="gauge.png")
    item = C.run_items(ws, run)[0]
    assert (item.links, item.attachments) == (1, 1)
    assert [e.label for e in C.evidence_for(ws, resp)] == ["QP-04 Control of records"]
    with pytest.raises(RecordError, match="cannot be linked"):
        C.add_evidence(ws, resp, "audit_event", 1)
    with pytest.raises(RecordError, match="no longer exists"):
        C.add_evidence(ws, resp, "risk", 999)
    R.delete(ws, "document", doc)  # the link goes with the record it names
    assert C.evidence_for(ws, resp) == []


def test_findings_to_actions_and_the_closure_rule(ws):
    tid = C.create_template(ws, _spec(3)).result
    run = C.start_run(ws, tid, {"planned_on": "2026-03-01"}, today=TODAY).result
    items = C.run_items(ws, run)
    C.answer(ws, items[0].response_id, result="nonconform", notes="Gauge overdue")
    C.answer(ws, items[1].response_id, result="partial")
    C.answer(ws, items[2].response_id, result="conform", notes="Could use a board")
    props = C.proposals(ws, run)
    assert [(p.kind, p.response_id) for p in props] == [
        ("minor", items[0].response_id), ("observation", items[1].response_id),
        ("ofi", items[2].response_id)]
    fid = C.add_finding(ws, run, items[0].response_id).result
    assert [p.kind for p in C.proposals(ws, run)] == ["observation", "ofi"]
    f = C.findings(ws, run)[0]
    assert (f.ref, f.kind, f.clause, f.description) == ("IA26-01-F01", "minor", "4.1",
                                                        "Gauge overdue")
    assert len(f.closure_problems) == 4
    with pytest.raises(RecordError, match="cannot be closed yet") as refused:
        C.update_finding(ws, fid, {"status": "closed"}, today=TODAY)
    # every missing item is named, not only the first
    for problem in f.closure_problems:
        assert problem in str(refused.value)
    person = R.create(ws, "person", {"name": "Arjun"}).result
    aid = C.add_action(ws, fid, {"title": "Gauge cabinet", "owner_id": person,
                                 "due_date": "2026-04-01"}, today=TODAY).result
    act = A.get_actions(ws, [aid], today=TODAY)[0]
    assert (act.source_kind, act.source_id, act.kind) == ("finding", fid, "corrective")
    C.update_finding(ws, fid, {"correction": "Calibrated", "root_cause": "No due list"})
    with pytest.raises(RecordError, match="Finish every action"):
        C.update_finding(ws, fid, {"status": "closed"}, today=TODAY)
    A.update_actions(ws, [aid], {"status": "done"}, today=TODAY)
    with pytest.raises(RecordError, match="effectiveness"):
        C.update_finding(ws, fid, {"status": "closed"}, today=TODAY)
    C.update_finding(ws, fid, {"effectiveness_check": "3 spot checks", "effective": False})
    with pytest.raises(RecordError, match="not effective"):
        C.update_finding(ws, fid, {"status": "closed"}, today=TODAY)
    C.update_finding(ws, fid, {"effective": True, "status": "closed"}, today=TODAY)
    f = C.findings(ws, run)[0]
    assert (f.status, f.closed_on, f.closure_problems, f.actions) == (
        "closed", TODAY, [], 1)
    C.update_finding(ws, fid, {"status": "open"})
    assert C.findings(ws, run)[0].closed_on is None
    obs = C.add_finding(ws, run, items[1].response_id).result
    C.update_finding(ws, obs, {"status": "closed"}, today=TODAY)  # observations close freely
    row = C.get_runs(ws, [run], today=TODAY)[0]
    assert (row.findings, row.open_findings) == (2, 1)
    with pytest.raises(RecordError, match="major or minor"):
        C.add_finding(ws, run, None, {"kind": "huge"})


def test_undo_restores_the_tables_exactly(ws):
    tid = C.create_template(ws, _spec(4)).result
    before = table_dump(ws)
    steps = []
    ch = C.start_run(ws, tid, {"planned_on": "2026-03-01"})
    steps.append(ch)
    run = ch.result
    items = C.run_items(ws, run)
    steps.append(C.answer(ws, items[0].response_id, result="nonconform", notes="x"))
    steps.append(C.enter_results(ws, run, {2: "1", 3: "2"}))
    fid_ch = C.add_finding(ws, run, items[0].response_id)
    steps.append(fid_ch)
    steps.append(C.add_action(ws, fid_ch.result, {"title": "Fix"}))
    steps.append(C.set_step(ws, run, "plan", done_on="2026-03-01"))
    doc = R.create(ws, "document", {"number": "D1"})
    steps.append(doc)
    steps.append(C.add_evidence(ws, items[1].response_id, "document", doc.result))
    steps.append(C.save_template(ws, tid, {"name": "Renamed"}))  # a new version
    after = table_dump(ws)
    for ch in reversed(steps):
        R.invert(ws, ch.changeset)
    assert table_dump(ws) == before
    for ch in steps:
        R.reapply(ws, ch.changeset)
    assert table_dump(ws) == after


def test_audit_steps_and_programme(ws):
    p1 = R.create(ws, "process", {"code": "CP-01", "name": "Sales"}).result
    p2 = R.create(ws, "process", {"code": "CP-02", "name": "Production"}).result
    R.create(ws, "process", {"code": "SP-01", "name": "Purchasing"})
    tid = C.create_template(ws, _spec(2)).result
    done = C.start_run(ws, tid, {"process_id": p1, "planned_on": "2026-02-01",
                                 "completed_on": "2026-02-03"}).result
    late = C.start_run(ws, tid, {"process_id": p2, "planned_on": "2026-03-01"}).result
    C.start_run(ws, tid, {"process_id": p2, "planned_on": "2026-09-01"})
    C.start_run(ws, tid, {"process_id": p1, "planned_on": "2025-09-01"})  # other year
    rows = C.programme(ws, 2026, today=TODAY)
    assert [(r.process, r.state) for r in rows] == [
        ("CP-01 Sales", "done"), ("CP-02 Production", "overdue"),
        ("SP-01 Purchasing", "unplanned")]
    assert [a.state for a in rows[1].audits] == ["overdue", "planned"]
    assert rows[0].audits[0].run_id == done and rows[0].audits[0].state_label == "Done"
    sid = C.set_step(ws, late, "plan", done_on="2026-02-20", notes="Plan sent").result
    assert C.set_step(ws, late, "plan", planned_on="2026-02-18").result == sid
    steps = C.audit_steps(ws, late)
    assert [s.step for s in steps] == list(rules_steps())
    assert (steps[0].done_on, steps[0].planned_on, steps[0].notes) == (
        dt.date(2026, 2, 20), dt.date(2026, 2, 18), "Plan sent")
    assert steps[1].id is None
    with pytest.raises(RecordError, match="audit step is one of"):
        C.set_step(ws, late, "party")


def test_a_completed_audit_is_done_in_the_programme_its_late_report_told_apart(ws):
    """One definition with the dashboard's audit tile: a completed run is done; a later
    ISO 19011 step that is late is kept in ``late_steps`` (it made the audit "overdue")."""
    p1 = R.create(ws, "process", {"code": "CP-01", "name": "Sales"}).result
    tid = C.create_template(ws, _spec(2)).result
    run = C.start_run(ws, tid, {"process_id": p1, "planned_on": "2026-02-01",
                                "completed_on": "2026-02-03"}).result
    for step in ("plan", "opening_meeting", "evidence", "closing_meeting"):
        C.set_step(ws, run, step, planned_on="2026-02-03", done_on="2026-02-03", today=TODAY)
    C.set_step(ws, run, "report", planned_on="2026-02-28", today=TODAY)  # past, not done
    C.set_step(ws, run, "follow_up", planned_on="2026-05-01", today=TODAY)  # ahead
    entry = C.programme(ws, 2026, today=TODAY)[0].audits[0]
    assert (entry.state, entry.late_steps, entry.late) == ("done", ["report"], True)
    assert C.programme(ws, 2026, today=TODAY)[0].state == "done"
    C.set_step(ws, run, "report", done_on="2026-03-02", today=TODAY)
    entry = C.programme(ws, 2026, today=TODAY)[0].audits[0]
    assert (entry.state, entry.late_steps) == ("done", [])
    # the follow-up's day passes: still done, the follow-up late
    later = dt.date(2026, 5, 2)
    entry = C.programme(ws, 2026, today=later)[0].audits[0]
    assert (entry.state, entry.late_steps) == ("done", ["follow_up"])


def test_the_runs_list_calls_a_completed_audit_with_a_late_step_done_as_the_programme(ws):
    p1 = R.create(ws, "process", {"code": "CP-01", "name": "Sales"}).result
    tid = C.create_template(ws, _spec(2)).result
    run = C.start_run(ws, tid, {"process_id": p1, "planned_on": "2026-02-01",
                                "completed_on": "2026-02-03"}).result
    C.set_step(ws, run, "follow_up", planned_on="2026-02-28", today=TODAY)  # past, not done
    for step in ("plan", "opening_meeting", "evidence", "closing_meeting", "report"):
        C.set_step(ws, run, step, done_on="2026-02-03", today=TODAY)
    assert C.programme(ws, 2026, today=TODAY)[0].audits[0].state == "done"
    assert C.programme(ws, 2026, today=TODAY)[0].audits[0].late_steps == ["follow_up"]
    assert C.get_runs(ws, [run], today=TODAY)[0].programme_state == "done"
    assert [r.programme_state for r in C.list_runs(ws, today=TODAY)] == ["done"]
    C.set_step(ws, run, "follow_up", done_on="2026-03-02", today=TODAY)
    assert C.get_runs(ws, [run], today=TODAY)[0].programme_state == "done"


def test_a_step_done_day_is_not_ahead_nor_before_an_earlier_step(ws):
    tid = C.create_template(ws, _spec(2)).result
    run = C.start_run(ws, tid, {"planned_on": "2026-03-01"}).result
    # a planned day may lie ahead, a done day may not
    C.set_step(ws, run, "report", planned_on="2026-04-01", today=TODAY)
    with pytest.raises(RecordError, match="audit report cannot be done on 2026-03-11"):
        C.set_step(ws, run, "report", done_on="2026-03-11", today=TODAY)
    assert C.audit_steps(ws, run)[4].done_on is None
    C.set_step(ws, run, "plan", done_on="2026-02-20", today=TODAY)
    C.set_step(ws, run, "opening_meeting", done_on="2026-03-02", today=TODAY)
    C.set_step(ws, run, "evidence", done_on="2026-03-02", today=TODAY)
    with pytest.raises(RecordError) as e:
        C.set_step(ws, run, "closing_meeting", done_on="2026-02-25", today=TODAY)
    assert str(e.value) == ("The closing meeting cannot be done on 2026-02-25, before the "
                            "opening meeting that comes first (done on 2026-03-02).")
    with pytest.raises(RecordError, match="before the audit plan"):
        C.set_step(ws, run, "closing_meeting", done_on="2026-02-19", today=TODAY)
    assert C.audit_steps(ws, run)[3].id is None  # nothing recorded by a refused step
    C.set_step(ws, run, "closing_meeting", done_on="2026-03-02", today=TODAY)
    with pytest.raises(RecordError, match="after the collecting evidence"):
        C.set_step(ws, run, "opening_meeting", done_on="2026-03-03", today=TODAY)
    C.set_step(ws, run, "closing_meeting", done_on=None, today=TODAY)  # emptied: allowed
    assert C.audit_steps(ws, run)[3].done_on is None


def test_a_step_is_not_done_before_every_earlier_step_is_done(ws):
    tid = C.create_template(ws, _spec(2)).result
    run = C.start_run(ws, tid, {"planned_on": "2026-03-01"}).result
    for step in ("plan", "opening_meeting", "evidence", "closing_meeting"):
        C.set_step(ws, run, step, done_on="2026-03-02", today=TODAY)
    with pytest.raises(RecordError) as e:
        C.set_step(ws, run, "follow_up", done_on="2026-03-05", today=TODAY)
    assert str(e.value) == ("The follow-up cannot be done before the audit report that comes "
                            "first is done.")
    assert C.audit_steps(ws, run)[5].id is None
    C.set_step(ws, run, "report", done_on="2026-03-04", today=TODAY)
    C.set_step(ws, run, "follow_up", done_on="2026-03-05", today=TODAY)
    with pytest.raises(RecordError, match="audit report cannot be undone while the follow-up"):
        C.set_step(ws, run, "report", done_on=None, today=TODAY)
    assert C.audit_steps(ws, run)[4].done_on == dt.date(2026, 3, 4)


def test_planned_step_days_keep_the_order_and_bad_days_are_named_in_words(ws):
    tid = C.create_template(ws, _spec(2)).result
    run = C.start_run(ws, tid, {"planned_on": "2026-03-01"}).result
    C.set_step(ws, run, "report", planned_on="2026-04-01", today=TODAY)
    with pytest.raises(RecordError) as e:
        C.set_step(ws, run, "follow_up", planned_on="2026-03-20", today=TODAY)
    assert str(e.value) == ("The follow-up cannot be planned on 2026-03-20, before the audit "
                            "report that comes first (planned on 2026-04-01).")
    with pytest.raises(RecordError, match="after the audit report"):
        C.set_step(ws, run, "plan", planned_on="2026-04-02", today=TODAY)
    C.set_step(ws, run, "follow_up", planned_on="2026-05-01", today=TODAY)
    with pytest.raises(RecordError) as e:
        C.set_step(ws, run, "follow_up", done_on="31.02.2026", today=TODAY)
    assert str(e.value) == "“31.02.2026” is not a date for the follow-up's done date."
    with pytest.raises(RecordError) as e:
        C.set_step(ws, run, "plan", planned_on="soon", today=TODAY)
    assert "done_on" not in str(e.value) and "planned_on" not in str(e.value)
    assert str(e.value) == "“soon” is not a date for the audit plan's planned date."


def test_run_dates_are_in_order_and_not_ahead(ws):
    tid = C.create_template(ws, _spec(2)).result
    with pytest.raises(RecordError) as e:
        C.start_run(ws, tid, {"started_on": "2026-03-05", "completed_on": "2026-03-04"},
                    today=TODAY)
    assert str(e.value).startswith("Run ") and str(e.value).endswith(
        " cannot be completed on 2026-03-04, before it started on 2026-03-05.")
    with pytest.raises(RecordError, match="cannot be started on 2026-03-11.*today is 2026-03-10"):
        C.start_run(ws, tid, {"started_on": "2026-03-11"}, today=TODAY)
    assert C.list_runs(ws, today=TODAY) == []
    run = C.start_run(ws, tid, {"started_on": "2026-03-02"}, today=TODAY).result
    code = C.get_runs(ws, [run], today=TODAY)[0].code
    with pytest.raises(RecordError) as e:
        C.update_run(ws, run, {"completed_on": "2026-03-01"}, today=TODAY)
    assert str(e.value) == (f"Run {code} cannot be completed on 2026-03-01, before it started "
                            "on 2026-03-02.")
    with pytest.raises(RecordError, match=f"Run {code} cannot be completed on 2026-03-11"):
        C.update_run(ws, run, {"completed_on": "2026-03-11"}, today=TODAY)
    with pytest.raises(RecordError, match="cannot be started on 2026-03-12"):
        C.update_run(ws, run, {"started_on": "2026-03-12"}, today=TODAY)
    C.update_run(ws, run, {"completed_on": "2026-03-09"}, today=TODAY)
    assert C.get_runs(ws, [run], today=TODAY)[0].completed_on == dt.date(2026, 3, 9)


def rules_steps():
    from qms_desktop.storage.models import AUDIT_STEPS
    return AUDIT_STEPS


def test_template_xlsx_round_trip(ws, tmp_path):
    spec = C.TemplateSpec("", "Shop floor", "1", "internal_audit", "", "", [
        C.ItemSpec("Machines", "8.5.1", "=SUM(A1) is not a formula", "Look at ＝ this", "",
                   2.0, "do"),
        C.ItemSpec("Machines", "7.1.5", "Gauges calibrated?", "Labels", "Register", 1.0, ""),
        C.ItemSpec("Stores", "8.5.4", "Parts protected?", "", "", 0.5, "")])
    tid = C.create_template(ws, spec).result
    path = C.export_template_xlsx(ws, tid, tmp_path / "t.xlsx")
    from openpyxl import load_workbook

    cell = load_workbook(path).active["D2"]
    assert cell.data_type == "s" and cell.value == "=SUM(A1) is not a formula"
    new = C.import_template_xlsx(ws, path, name="Again").result
    strip = [{k: v for k, v in i.items() if k not in ("id",)} for i in C.template_items(ws, tid)]
    again = [{k: v for k, v in i.items() if k not in ("id",)} for i in C.template_items(ws, new)]
    assert again == strip
    # into a template a run uses: a new version with the sheet's items
    C.start_run(ws, tid)
    v2 = C.import_template_xlsx(ws, path, into=tid).result
    assert v2 not in (tid, new) and len(C.template_items(ws, v2)) == 3


def test_process_audit_generated_from_the_demo_map(tmp_path):
    from sqlalchemy import select

    from qms_desktop.services.demo import create_demo
    from qms_desktop.storage.models import Process
    from qms_desktop.storage.workspace import open_workspace

    ws = open_workspace(create_demo(tmp_path / "demo.qms", today=TODAY))
    try:
        with ws.connect() as c:
            pid = c.execute(select(Process.id).where(Process.code == "CP-02")).scalar_one()
        tid = C.generate_process_audit(ws, pid).result
        items = C.template_items(ws, tid)
        sections = {i["section"] for i in items}
        assert {"Steps", "Roles and competence", "Documents", "Risks",
                "Performance"} <= sections
        assert all(i["title"] and i["guidance"] for i in items)
        rows = {r.id: r for r in C.list_templates(ws)}
        assert rows[tid].source == "process_map" and rows[tid].version == "1"
        again = C.generate_process_audit(ws, pid).result
        rows = {r.id: r for r in C.list_templates(ws)}
        assert rows[again].version == "2" and rows[tid].status == "superseded"
        run = C.start_run(ws, again, {"process_id": pid}).result
        assert len(C.run_items(ws, run)) == len(items)
    finally:
        ws.close()
