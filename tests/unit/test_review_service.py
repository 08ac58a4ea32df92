"""services.review: each input of ISO 9001 9.3.2 from known data and from an empty workspace,
the period, refreshing that keeps the team's edits, outputs that become actions, closing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from qms_desktop.services import actions, records, review
from qms_desktop.services.records import RecordError
from qms_desktop.storage import models as m

TODAY = dt.date(2026, 12, 5)
START = dt.date(2026, 1, 1)
END = dt.date(2026, 11, 30)


def make(ws, entity, **values) -> int:
    return records.create(ws, entity, values).result


def collect(ws, **kw):
    return review.collect_inputs(ws, START, END, TODAY, **kw)


# --------------------------------------------------------------------------- empty


EMPTY = {
    "previous_actions": "No earlier management review is recorded",
    "context": "No internal or external issues or interested parties were added or changed",
    "customer": "No customer complaints were recorded",
    "objectives": "No quality objectives are defined",
    "processes": "No processes are recorded yet",
    "nonconformities": "No nonconformities were recorded",
    "monitoring": "No KPIs (indicators followed without an end date) are defined",
    "audits": "No internal audits took place",
    "suppliers": "No nonconformities of external providers were recorded",
    "resources": "No resource needs from earlier reviews are still open",
    "risks": "No open risks or opportunities are recorded",
    "improvement": "No open opportunities are recorded",
}


def test_every_section_says_so_in_an_empty_workspace(ws):
    got = collect(ws)
    assert list(got) == list(review.INPUTS)
    for section, sentence in EMPTY.items():
        assert sentence in got[section].text, section
        assert got[section].figures["period"] == [START.isoformat(), END.isoformat()]
    assert "No training requirements are defined" in got["monitoring"].text
    assert "Climate change: **not yet determined**" in got["context"].text
    assert "No customer KPIs" in got["customer"].text
    assert "No gap analysis has been run" in got["audits"].text


def test_the_period_must_run_forwards(ws):
    with pytest.raises(RecordError, match="start before it ends"):
        review.collect_inputs(ws, END, START, TODAY)


# --------------------------------------------------------------------------- known data


@pytest.fixture
def data(ws):
    ids = {}
    ids["ann"] = make(ws, "person", name="Ann Smith", hired_on=dt.date(2026, 3, 1))
    ids["bob"] = make(ws, "person", name="Bob Jones", left_on=dt.date(2026, 6, 1),
                      active=False)
    ids["proc"] = make(ws, "process", name="Sales", status="active")

    def obj(ref, title, kind, category, target, direction, values):
        oid = make(ws, "objective", ref=ref, title=title, kind=kind, category=category,
                   target=target, direction=direction, unit="%", frequency="monthly")
        for k, v in enumerate(values):
            make(ws, "measurement", objective_id=oid, value=v,
                 measured_on=dt.date(2026, 1 + k, 28))
        return oid

    ids["otd"] = obj("OBJ-1", "On-time delivery", "objective", "customer", 95, ">=",
                     [90, 93, 96])
    ids["scrap"] = obj("OBJ-2", "Scrap", "objective", "quality", 2, "<=", [3, 2.5, 3.5])
    ids["sat"] = obj("KPI-1", "Satisfaction", "kpi", "customer", 8, ">=", [8.5])
    ids["sup"] = obj("KPI-2", "Supplier OTD", "kpi", "supplier", 92, ">=", [88])

    def nc(ref, source, detected, **kw):
        return make(ws, "nonconformity", ref=ref, title=f"{ref} title", source=source,
                    detected_on=detected, **kw)

    ids["c1"] = nc("NC-1", "customer complaint", dt.date(2026, 3, 2), customer="Hydra",
                   severity="major")
    ids["c2"] = nc("NC-2", "customer complaint", dt.date(2026, 4, 2), customer="Hydra",
                   status="closed", closed_on=dt.date(2026, 5, 1))
    ids["s1"] = nc("NC-3", "supplier", dt.date(2026, 6, 2), supplier="Steel Ltd")
    ids["old"] = nc("NC-0", "process", dt.date(2025, 6, 2))  # before the period
    ids["ca"] = make(ws, "action", ref="A-1", title="Fix it", kind="corrective",
                     nonconformity_id=ids["c1"], due_date=dt.date(2026, 11, 1))

    tpl = make(ws, "checklist_template", name="Audit", kind="internal_audit")
    run = make(ws, "checklist_run", template_id=tpl, kind="internal_audit", code="IA-1",
               title="Sales audit", stage="report", started_on=dt.date(2026, 9, 1),
               completed_on=dt.date(2026, 9, 3))
    make(ws, "finding", run_id=run, ref="F1", kind="minor", description="No record")
    make(ws, "finding", run_id=run, ref="F2", kind="ofi", description="Display KPIs")
    make(ws, "checklist_run", template_id=tpl, kind="internal_audit", code="IA-0",
         title="Old audit", started_on=dt.date(2025, 3, 1), completed_on=dt.date(2025, 3, 2))

    ids["r1"] = make(ws, "risk", ref="R-1", title="Late steel", kind="risk",
                     inherent_likelihood=5, inherent_impact=5)
    ids["r2"] = make(ws, "risk", ref="R-2", title="Typo", kind="risk",
                     inherent_likelihood=1, inherent_impact=1)
    ids["o1"] = make(ws, "risk", ref="O-1", title="New market", kind="opportunity",
                     inherent_likelihood=3, inherent_impact=3)
    make(ws, "action", ref="A-2", title="Second source", kind="treatment", risk_id=ids["r1"],
         status="done", completed_on=dt.date(2026, 8, 1), effective=True)
    make(ws, "action", ref="A-3", title="Buffer stock", kind="treatment", risk_id=ids["r1"],
         status="done", completed_on=dt.date(2026, 8, 2), effective=False)
    make(ws, "action", ref="A-4", title="Open one", kind="treatment", risk_id=ids["r1"],
         due_date=dt.date(2026, 10, 1))
    return ids


def test_sections_from_known_data(ws, data):
    got = collect(ws)
    cust = got["customer"]
    assert cust.figures["complaints"] == 2 and cust.figures["open"] == 1
    assert cust.figures["by_customer"] == {"Hydra": 2}
    assert "2 customer complaints recorded" in cust.text and "NC-1" in cust.text
    assert [k["ref"] for k in cust.figures["kpis"]] == ["KPI-1", "OBJ-1"]  # category customer
    assert "KPI-1 Satisfaction: 8.5 %" in cust.text and "on target" in cust.text

    obj = got["objectives"]
    assert obj.figures["on"] == 1 and obj.figures["off"] == 1
    assert "1 of 2 quality objectives met" in obj.text
    otd = next(k for k in obj.figures["objectives"] if k["ref"] == "OBJ-1")
    # the points are kept, so the chart is drawn as on the day
    assert otd["points"] == [["2026-01-28", 90.0], ["2026-02-28", 93.0], ["2026-03-28", 96.0]]
    assert otd["status"] == "on" and otd["latest"] == 96.0

    assert "1 process (1 active); 0 of them mapped" in got["processes"].text
    assert [k["ref"] for k in got["processes"].figures["kpis"]] == ["OBJ-2"]  # quality

    ncs = got["nonconformities"]
    assert ncs.figures["raised"] == 3  # NC-0 lies before the period
    assert ncs.figures["by_source"] == {"customer complaint": 2, "supplier": 1}
    assert ncs.figures["closed_in_period"] == 1 and ncs.figures["corrective_overdue"] == 1
    assert "NC-0" not in ncs.text

    assert got["monitoring"].figures["measurements"] == 2
    assert "2 KPIs" in got["monitoring"].text

    audits = got["audits"]
    assert audits.figures["audits"] == 1 and audits.figures["findings"] == {"minor": 1, "ofi": 1}
    assert "IA-1 Sales audit" in audits.text and "Old audit" not in audits.text

    sup = got["suppliers"]
    assert sup.figures["by_supplier"] == {"Steel Ltd": 1}
    assert "KPI-2 Supplier OTD: 88 %" in sup.text and "off target" in sup.text

    res = got["resources"].figures
    assert (res["joined"], res["left"]) == (1, 1)

    risks = got["risks"].figures
    assert risks["by_level"]["critical"] + risks["by_level"]["high"] == 1
    assert risks["by_level"]["low"] == 1 and risks["opportunities"] == 1
    assert risks["effectiveness"] == {"effective": 1, "not effective": 1}
    assert risks["actions_overdue"] == 1

    imp = got["improvement"]
    assert "O-1 New market" in imp.text and "F2 Display KPIs" in imp.text


def test_previous_actions_are_those_of_the_latest_earlier_review(ws):
    old = make(ws, "management_review", title="Review 2025", held_on=dt.date(2025, 12, 1),
               status="held")
    last = make(ws, "management_review", title="Review 2026", held_on=dt.date(2026, 6, 1),
                status="held")
    actions.add_action(ws, "review", old, {"title": "Old action"})
    actions.add_action(ws, "review", last, {"title": "Buy a CMM", "due_date": "2026-09-01"})
    done = actions.add_action(ws, "review", last, {"title": "Hire"}).result
    actions.update_actions(ws, [done], {"status": "done", "completed_on": "2026-07-01"},
                           today=TODAY)
    got = collect(ws)["previous_actions"]
    assert got.figures["review_id"] == last and got.figures["total"] == 2
    assert "Review 2026" in got.text and "Old action" not in got.text
    assert "1 finished" in got.text and "1 of them overdue" in got.text
    # a review does not count as its own previous review
    assert collect(ws, review_id=last)["previous_actions"].figures["review_id"] == old


def test_context_changes_in_the_period_and_climate(ws):
    make(ws, "context_issue", kind="external", category="climate", text="Heatwaves")
    make(ws, "interested_party", name="Customers")
    with ws.session() as s:
        s.scalars(select(m.Organization)).first().climate_relevant = True
        s.scalars(select(m.Organization)).first().climate_note = "Heat in inspection"
    today = dt.date.today()
    got = review.collect_inputs(ws, today - dt.timedelta(days=30), today, today)["context"]
    assert "Added external issue (climate): Heatwaves" in got.text
    assert "Added interested party: Customers" in got.text
    assert "climate change determination" in got.text
    assert "Climate change: determined **relevant** — Heat in inspection" in got.text
    # a period that ended before the changes: nothing changed in it
    past = review.collect_inputs(ws, START, END, TODAY)["context"]
    assert "No internal or external issues" in past.text
    assert past.figures["issues"] == 1 and past.figures["climate_relevant"] is True


# --------------------------------------------------------------------------- the pack


def test_create_review_collects_one_item_per_input(ws, data):
    rid = review.create_review(ws, "MR 2026", START, END, chair="Ann", today=TODAY).result
    r = review.get_review(ws, rid, TODAY)
    assert r.row.status == "planned" and r.row.chair == "Ann"
    assert [i.section for i in r.inputs()] == list(review.INPUTS)
    assert all(i.text == i.generated and not i.edited for i in r.inputs())
    assert r.item("objectives").figures["objectives"]


def test_refresh_keeps_edited_items_and_says_which(ws, data):
    rid = review.create_review(ws, "MR", START, END, today=TODAY).result
    r = review.get_review(ws, rid, TODAY)
    edited = r.item("customer")
    review.update_item(ws, edited.id, edited.text + "\n\nThe team's note.")
    make(ws, "nonconformity", ref="NC-9", title="New complaint", source="customer complaint",
         detected_on=dt.date(2026, 10, 1))
    make(ws, "nonconformity", ref="NC-8", title="Another", source="process",
         detected_on=dt.date(2026, 10, 2))
    change = review.refresh_inputs(ws, rid, today=TODAY)
    report = change.result
    assert report.kept == ["customer"] and "nonconformities" in report.replaced
    assert "Customer satisfaction" in report.sentence()
    r = review.get_review(ws, rid, TODAY)
    assert r.item("customer").text.endswith("The team's note.") and r.item("customer").edited
    assert "NC-9" not in r.item("customer").text
    assert "NC-8" in r.item("nonconformities").text
    assert not r.item("nonconformities").edited


def test_refresh_refused_once_held(ws):
    rid = review.create_review(ws, "MR", START, END, held_on=END, chair="Ann",
                               today=TODAY).result
    review.add_output(ws, rid, "decision", review.NO_CHANGES, make_action=False, today=TODAY)
    review.close_review(ws, rid, today=TODAY)
    with pytest.raises(RecordError, match="has been held"):
        review.refresh_inputs(ws, rid, today=TODAY)


def test_outputs_become_actions_of_the_review(ws, data):
    rid = review.create_review(ws, "MR", START, END, today=TODAY).result
    change = review.add_output(ws, rid, "resource_need", "Second CMM operator",
                               owner_id=data["ann"], due_date="2027-03-01", today=TODAY)
    assert change.touches("action", "review_item")
    item = next(i for i in review.get_review(ws, rid, TODAY).items if i.id == change.result)
    assert item.action_ref and item.owner == "Ann Smith" and item.due_date == dt.date(2027, 3, 1)
    rows = actions.actions_for(ws, "management_review", rid)
    assert [(a.title, a.kind, a.source_kind) for a in rows] == [
        ("Second CMM operator", "review", "review")]
    imp = review.add_output(ws, rid, "improvement_action", "Shop-floor KPI board",
                            today=TODAY).result
    kinds = {a.title: a.kind for a in actions.actions_for(ws, "management_review", rid)}
    assert kinds["Shop-floor KPI board"] == "improvement"
    # editing the output's text renames its action; owner and due go to the action
    review.update_item(ws, imp, "Shop-floor KPI boards", due_date="2027-01-15")
    a = next(a for a in actions.actions_for(ws, "management_review", rid)
             if a.title == "Shop-floor KPI boards")
    assert a.due_date == dt.date(2027, 1, 15)
    review.update_item(ws, imp, section="decision")
    assert next(a for a in actions.actions_for(ws, "management_review", rid)
                if a.title == "Shop-floor KPI boards").kind == "review"


def test_output_rules(ws, data):
    rid = review.create_review(ws, "MR", START, END, today=TODAY).result
    with pytest.raises(RecordError, match="decision, a resource need"):
        review.add_output(ws, rid, "customer", "x")
    with pytest.raises(RecordError, match="needs its text"):
        review.add_output(ws, rid, "decision", "  ")
    with pytest.raises(RecordError, match="no longer active"):
        review.add_output(ws, rid, "decision", "x", owner_id=data["bob"])
    with pytest.raises(RecordError, match="without an action has no owner"):
        review.add_output(ws, rid, "decision", "x", owner_id=data["ann"], make_action=False)
    plain = review.add_output(ws, rid, "decision", review.NO_CHANGES, make_action=False).result
    assert actions.actions_for(ws, "management_review", rid) == []
    with pytest.raises(RecordError, match="has no action"):
        review.update_item(ws, plain, owner_id=data["ann"])
    inp = review.get_review(ws, rid).item("risks").id
    with pytest.raises(RecordError, match="Only an output"):
        review.update_item(ws, inp, due_date="2027-01-01")
    with pytest.raises(RecordError, match="cannot be removed"):
        review.delete_output(ws, inp)


def test_delete_output_takes_its_open_action_but_not_a_done_one(ws):
    rid = review.create_review(ws, "MR", START, END, today=TODAY).result
    a = review.add_output(ws, rid, "decision", "Do A", today=TODAY).result
    b = review.add_output(ws, rid, "decision", "Do B", today=TODAY).result
    review.delete_output(ws, a)
    assert [x.title for x in actions.actions_for(ws, "management_review", rid)] == ["Do B"]
    aid = next(i.action_id for i in review.get_review(ws, rid).items if i.id == b)
    actions.update_actions(ws, [aid], {"status": "done"})
    with pytest.raises(RecordError, match="already done"):
        review.delete_output(ws, b)


def test_close_needs_the_day_the_chair_and_an_output(ws):
    rid = review.create_review(ws, "MR", START, END, today=TODAY).result
    problems = review.close_problems(ws, rid, TODAY)
    assert len(problems) == 3
    with pytest.raises(RecordError, match="cannot be closed yet"):
        review.close_review(ws, rid, today=TODAY)
    review.update_review(ws, rid, {"held_on": "2026-12-10", "chair": "Ann"}, today=TODAY)
    review.add_output(ws, rid, "decision", review.NO_CHANGES, make_action=False)
    assert review.close_problems(ws, rid, TODAY) == [
        "The day it was held cannot lie in the future."]
    review.update_review(ws, rid, {"held_on": "2026-12-01"}, today=TODAY)
    review.close_review(ws, rid, "completed", today=TODAY)
    assert review.get_review(ws, rid).row.status == "completed"
    with pytest.raises(RecordError, match="held or completed"):
        review.close_review(ws, rid, "planned", today=TODAY)
    with pytest.raises(RecordError, match="Close review"):
        review.update_review(ws, rid, {"status": "held"})
    with pytest.raises(RecordError, match="needs a title"):
        review.update_review(ws, rid, {"title": "  "})


def test_list_find_default_period_and_delete(ws):
    assert review.default_period(ws, TODAY) == (dt.date(2025, 12, 6), TODAY)
    rid = review.create_review(ws, "MR 2026", START, END, today=TODAY).result
    review.add_output(ws, rid, "decision", "Do A", today=TODAY)
    assert review.default_period(ws, TODAY) == (END + dt.timedelta(days=1), TODAY)
    assert review.default_title(TODAY) == "Management review December 2026"
    row = review.find_review(ws, "mr 2026")
    assert row.id == rid and row.outputs == 1 and row.actions == 1
    assert review.find_review(ws, str(rid)).id == rid
    with pytest.raises(RecordError, match="No management review"):
        review.find_review(ws, "nope")
    change = review.delete_review(ws, rid)
    assert change.deleted("action") and review.list_reviews(ws) == []
    with pytest.raises(RecordError, match="no longer exists"):
        review.get_review(ws, rid)


def test_figures_are_json(ws, data):
    rid = review.create_review(ws, "MR", START, END, today=TODAY).result
    with ws.connect() as c:
        for (text,) in c.execute(select(m.ReviewItem.figures)
                                 .where(m.ReviewItem.review_id == rid)):
            assert isinstance(json.loads(text), dict)


# --------------------------------------------------------------------------- trial fixes


def _held(ws, data=None):
    rid = review.create_review(ws, "MR", START, END, held_on=dt.date(2026, 8, 7), chair="Ann",
                               today=TODAY).result
    out = review.add_output(ws, rid, "decision", "Do A", owner_id=(data or {}).get("ann"),
                            due_date="2027-01-10", today=TODAY).result if data else \
        review.add_output(ws, rid, "decision", review.NO_CHANGES, make_action=False).result
    review.close_review(ws, rid, today=TODAY)
    return rid, out


def test_a_held_review_refuses_changes_but_its_minutes(ws, data):
    rid, out = _held(ws, data)
    r = review.get_review(ws, rid, TODAY)
    said = "The review of 7 Aug 2026 has been held: reopen it to change it."
    for change in (lambda: review.update_item(ws, r.item("customer").id, "EDITED AFTER CLOSE"),
                   lambda: review.update_item(ws, out, "Other text"),
                   lambda: review.add_output(ws, rid, "decision", review.NO_CHANGES,
                                             make_action=False),
                   lambda: review.delete_output(ws, out),
                   lambda: review.update_review(ws, rid, {"title": "Renamed"})):
        with pytest.raises(RecordError) as e:
            change()
        assert str(e.value) == said
    review.update_review(ws, rid, {"minutes": "Signed."})
    assert review.get_review(ws, rid).row.minutes == "Signed."
    # completed needs every output's action finished
    aid = review.get_review(ws, rid).outputs()[0]
    with pytest.raises(RecordError, match=rf"{aid.action_ref} \(open\) is not finished\."):
        review.complete_review(ws, rid, today=TODAY)
    actions.update_actions(ws, [aid.action_id], {"status": "cancelled"})
    review.complete_review(ws, rid, today=TODAY)
    with pytest.raises(RecordError, match="has been completed"):
        review.update_review(ws, rid, {"minutes": "Again."})
    # reopen: one step back each time
    review.reopen_review(ws, rid)
    assert review.get_review(ws, rid).row.status == "held"
    review.reopen_review(ws, rid)
    assert review.get_review(ws, rid).row.status == "planned"
    review.update_item(ws, r.item("customer").id, "Edited again")
    with pytest.raises(RecordError, match="open already"):
        review.reopen_review(ws, rid)


def test_closing_needs_owner_and_due_and_no_changes_stands_alone(ws, data):
    rid = review.create_review(ws, "MR", START, END, held_on=END, chair="Ann",
                               today=TODAY).result
    review.add_output(ws, rid, "decision", review.NO_CHANGES, make_action=False)
    # a real decision replaces "no changes needed"
    review.add_output(ws, rid, "decision", "Add a second shift", today=TODAY)
    texts = [o.text for o in review.get_review(ws, rid).outputs()]
    assert texts == ["Add a second shift"]
    with pytest.raises(RecordError, match="cannot stand beside"):
        review.add_output(ws, rid, "decision", review.NO_CHANGES, make_action=False)
    ref = review.get_review(ws, rid).outputs()[0].action_ref
    with pytest.raises(RecordError, match=rf"an owner and a due date: “Add a second shift” "
                                          rf"\({ref}\): no owner, no due date\."):
        review.close_review(ws, rid, today=TODAY)
    o = review.get_review(ws, rid).outputs()[0]
    review.update_item(ws, o.id, owner_id=data["ann"], due_date="2027-02-01")
    review.close_review(ws, rid, today=TODAY)


def test_a_stale_edited_input_is_flagged_and_can_take_the_collected_text(ws, data):
    rid = review.create_review(ws, "MR", START, END, today=TODAY).result
    item = review.get_review(ws, rid, TODAY).item("customer")
    review.update_item(ws, item.id, item.text + "\n\nThe team's note.", today=TODAY)
    review.refresh_inputs(ws, rid, today=TODAY)  # nothing changed: not stale
    assert not review.get_review(ws, rid).item("customer").stale
    make(ws, "nonconformity", ref="NC-9", title="New complaint", source="customer complaint",
         detected_on=dt.date(2026, 10, 1))
    report = review.refresh_inputs(ws, rid, today=TODAY).result
    assert report.stale == ["customer"] and "figures changed" in report.sentence()
    got = review.get_review(ws, rid).item("customer")
    assert got.stale and "NC-9" in got.fresh_text and "NC-9" not in got.text
    assert got.text.endswith("The team's note.") and got.edited_on == TODAY.isoformat()
    review.take_collected(ws, got.id)
    got = review.get_review(ws, rid).item("customer")
    assert "NC-9" in got.text and not got.edited and not got.stale
    assert got.figures["complaints"] == item.figures["complaints"] + 1


def test_audit_code_once_and_no_double_full_stop(ws):
    assert review._run_name("IA26-03", "IA-2026-03 Order to delivery") == \
        "IA26-03 Order to delivery"
    assert review._run_name("IA26-03", "Order to delivery") == "IA26-03 Order to delivery"
    with ws.session() as s:
        org = s.execute(select(m.Organization).order_by(m.Organization.id)).scalars().first()
        if org is None:
            org = m.Organization(name="Acme")
            s.add(org)
        org.climate_relevant, org.climate_note = True, "Heat affects the inspection data."
    text = collect(ws, sections=["context"])["context"].text
    assert "inspection data." in text and "data.." not in text
