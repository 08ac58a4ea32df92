"""services/dashboard: the headline counts and each tile's figures, on a small workspace with
known data and on an empty one; the rules are those of the lists the tiles open."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.core.risk import Banding
from qms_desktop.services import checklists as C
from qms_desktop.services import dashboard as D
from qms_desktop.services import records as R
from qms_desktop.services import risks
from qms_desktop.services import training as T
from qms_desktop.services.checklists import ItemSpec, TemplateSpec

#: the day the figures are computed for (dates of runs, actions, documents… around it)
DAY0 = dt.date(2026, 6, 15)
D1 = dt.timedelta(days=1)

ITEMS = [ItemSpec("4 Context", "4.1", "Issues known?"),
         ItemSpec("5 Leadership", "5.2", "Policy issued?"),
         ItemSpec("7 Support", "7.1.5", "Measuring equipment calibrated?"),
         ItemSpec("8 Operation", "8.5.1", "Work done as planned?")]


def populate(ws) -> dict:
    w: dict = {}
    # -- actions: overdue, due later, done with its check overdue, no due date, cancelled
    for ref, status, due, extra in (
            ("A-1", "open", DAY0 - 10 * D1, {}),
            ("A-2", "in_progress", DAY0 + 5 * D1, {}),
            ("A-3", "done", DAY0 - 30 * D1, {"completed_on": DAY0 - 20 * D1,
                                             "effectiveness_due": DAY0 - D1}),
            ("A-4", "open", None, {}),
            ("A-5", "cancelled", DAY0 - 40 * D1, {})):
        R.create(ws, "action", {"ref": ref, "title": ref, "status": status, "due_date": due,
                                **extra})
    # -- risks: two rated the same, one low, one not rated
    for ref, li, im in (("R-1", 5, 5), ("R-2", 5, 5), ("R-3", 1, 1), ("R-4", None, None)):
        risks.add_risk(ws, {"ref": ref, "title": ref, "inherent_likelihood": li,
                            "inherent_impact": im, "review_date": DAY0 + 30 * D1})
    # -- the audit programme of 2026: one overdue, one done, one to come; a process without
    w["proc"] = R.create(ws, "process", {"name": "Purchasing", "code": "P-01"}).result
    ia = C.create_template(ws, TemplateSpec("ia", "Process audit", "1", "internal_audit",
                                            "ISO 9001", "", list(ITEMS))).result
    C.start_run(ws, ia, {"planned_on": DAY0 - 30 * D1}, today=DAY0)
    C.start_run(ws, ia, {"planned_on": DAY0 - 60 * D1, "completed_on": DAY0 - 50 * D1},
                today=DAY0)
    w["next"] = C.start_run(ws, ia, {"planned_on": DAY0 + 20 * D1, "title": "Stores audit"},
                            today=DAY0).result
    # -- gap analyses: an older one and the latest (4.1 conform, 5.2 partial)
    gap = C.create_template(ws, TemplateSpec("gap", "Gap", "1", "gap_analysis", "ISO 9001", "",
                                             list(ITEMS))).result
    C.start_run(ws, gap, {"started_on": DAY0 - 300 * D1}, today=DAY0)
    w["gap"] = C.start_run(ws, gap, {"started_on": DAY0 - 5 * D1}, today=DAY0).result
    items = C.run_items(ws, w["gap"])
    C.answer(ws, items[0].response_id, result="conform")
    C.answer(ws, items[1].response_id, result="partial")
    # -- objectives: on, near, off (measured too long ago), not measured; one dropped and off
    for ref, values, status in (("O-1", [97.0], "active"), ("O-2", [93.5], "active"),
                                ("O-3", [80.0], "active"), ("O-4", [], "active"),
                                ("O-5", [50.0], "dropped")):
        oid = R.create(ws, "objective", {"ref": ref, "title": ref, "target": 95.0,
                                         "tolerance": 2.0, "direction": ">=",
                                         "frequency": "monthly", "status": status}).result
        for v in values:
            age = 100 if ref in ("O-3", "O-5") else 10
            R.create(ws, "measurement", {"objective_id": oid, "value": v,
                                         "measured_on": DAY0 - age * D1})
        if ref == "O-1":  # an older value first: the latest counts
            R.create(ws, "measurement", {"objective_id": oid, "value": 10.0,
                                         "measured_on": DAY0 - 40 * D1})
    # -- documents: in force and overdue for review, in force and due soon, a draft only
    for number, review, rev_status in (("SOP-1", DAY0 - 3 * D1, "effective"),
                                       ("SOP-2", DAY0 + 10 * D1, "effective"),
                                       ("SOP-3", DAY0 - 90 * D1, "draft")):
        did = R.create(ws, "document", {"number": number, "title": number,
                                        "next_review_on": review, "status": rev_status}).result
        R.create(ws, "revision", {"document_id": did, "number": "A", "status": rev_status,
                                  "effective_on": DAY0 - 400 * D1
                                  if rev_status == "effective" else None})
    # -- nonconformities: open and overdue (major), investigating, closed (overdue date)
    for ref, status, due, severity in (("NC-1", "open", DAY0 - D1, "major"),
                                       ("NC-2", "investigating", DAY0 + 9 * D1, "minor"),
                                       ("NC-3", "closed", DAY0 - 50 * D1, "major")):
        R.create(ws, "nonconformity", {"ref": ref, "title": ref, "status": status,
                                       "due_date": due, "severity": severity})
    return w


@pytest.fixture
def world(ws):
    return populate(ws)


def test_headline_counts_exactly(ws, world):
    h = D.headline(ws, DAY0)
    assert (h.open_actions, h.overdue_actions) == (3, 1)
    assert h.risks == 4 and h.documents == 3
    assert h.reviews_overdue == 1  # SOP-3's date passed too, but it is not in force
    assert (h.nc_open, h.nc_overdue) == (2, 1)
    assert h.objectives == 5 and h.audits_this_year == 3 and h.gap_analyses == 2


def test_actions_tile(ws, world):
    t = D.actions_tile(ws, DAY0)
    assert (t.open, t.overdue, t.check_overdue) == (3, 1, 1)
    assert t.next_due == DAY0 + 5 * D1 and t.oldest_overdue == DAY0 - 10 * D1


def test_risks_tile_counts_levels_as_the_register(ws, world):
    t = D.risks_tile(ws, DAY0)
    banding = Banding.default()
    assert t.total == 4
    assert t.by_level[banding.level(5, 5)] == 2 and t.by_level[banding.level(1, 1)] == 1
    assert t.by_level[""] == 1 and sum(t.by_level.values()) == 4
    rows = risks.list_risks(ws, DAY0)
    assert t.high == sum(1 for r in rows if r.level in ("high", "critical")) == 2


def test_risks_tile_and_review_count_open_risks_alike(ws, world):
    """One rule for the dashboard and the management review: open risks (not opportunities,
    not closed) by current level — residual where rated, else inherent."""
    from qms_desktop.services import review

    banding = Banding.default()
    # a high opportunity, a closed critical risk and a risk high before treatment, low after
    risks.add_risk(ws, {"ref": "OP-1", "title": "OP-1", "kind": "opportunity",
                        "inherent_likelihood": 5, "inherent_impact": 5})
    risks.add_risk(ws, {"ref": "R-C", "title": "R-C", "status": "closed",
                        "inherent_likelihood": 5, "inherent_impact": 5})
    risks.add_risk(ws, {"ref": "R-T", "title": "R-T", "inherent_likelihood": 5,
                        "inherent_impact": 5, "residual_likelihood": 1,
                        "residual_impact": 1})
    t = D.risks_tile(ws, DAY0)
    assert t.total == 5 and t.opportunities == 1
    assert t.high == 2 and t.by_level[banding.level(1, 1)] == 2
    n = risks.level_counts(risks.list_risks(ws, DAY0))
    assert (n.open_risks, n.high, n.open_opportunities, n.closed) == (5, 2, 1, 1)
    got = review.collect_inputs(ws, DAY0 - 300 * D1, DAY0, DAY0, sections=["risks"])["risks"]
    assert got.figures["by_level"] == {k: v for k, v in t.by_level.items() if k}
    assert sum(got.figures["by_level"].values()) + got.figures["unrated"] == t.total + 0
    assert "5 open risks by current level: residual where rated, else inherent" in got.text


def test_training_tile_follows_the_matrix(ws):
    today = dt.date.today()
    role = T.add_role(ws, "Machinist").result
    ann = T.add_person(ws, {"name": "Ann", "hired_on": today - 900 * D1}, [role]).result
    T.add_person(ws, {"name": "Bob", "hired_on": today - 900 * D1}, [role])
    saf = T.add_course(ws, {"code": "SAF", "title": "Safety", "kind": "classroom",
                            "validity_months": 12}, [role]).result
    T.add_records(ws, saf, [ann], {"completed_on": today - 340 * D1})  # expiring
    t = D.training_tile(ws, today)
    assert (t.required, t.compliant, t.expiring, t.late, t.missing) == (2, 1, 1, 1, 1)
    assert t.percent == 50.0 and t.window_days == T.window_days(ws)
    s = T.summary(ws, today)
    assert (t.required, t.compliant, t.late) == (s.required, s.compliant, s.late)


def test_audits_tile_programme_and_next_audit(ws, world):
    t = D.audits_tile(ws, DAY0)
    assert t.year == 2026 and len(t.audits) == 3
    assert (t.count("done"), t.count("planned"), t.count("overdue")) == (1, 1, 1)
    assert t.next_on == DAY0 + 20 * D1 and t.next_title == "Stores audit"
    assert t.next_code.startswith("IA26")
    assert t.processes_without == 1


def test_audits_tile_counts_a_completed_run_done_and_names_its_late_report(ws, world):
    """A completed run is done, as the run list says, even when a later ISO 19011 step (the
    audit report) is overdue — that step is told apart, with the day it was due (the tile said
    "0 / 1 done · 1 overdue" for a completed audit whose report was late)."""
    done = next(a for a in D.audits_tile(ws, DAY0).audits if a.completed_on is not None)
    C.set_step(ws, done.run_id, "report", planned_on=DAY0 - 45 * D1, today=DAY0)
    C.set_step(ws, done.run_id, "follow_up", planned_on=DAY0 + 45 * D1, today=DAY0)
    t = D.audits_tile(ws, DAY0)
    (entry,) = [a for a in t.audits if a.run_id == done.run_id]
    assert entry.state == "done"  # the programme counts by the same rule now
    assert entry.status == "done" and entry.late_steps == ("report",)
    assert entry.late_since == DAY0 - 45 * D1
    assert (t.count("done"), t.count("planned"), t.count("overdue")) == (1, 1, 1)
    assert t.late == (entry,)


def test_gap_tile_scores_the_latest_gap_analysis_by_chapter(ws, world):
    t = D.gap_tile(ws, DAY0)
    assert t.run_id == world["gap"] and t.day == DAY0 - 5 * D1
    assert (t.answered, t.items) == (2, 4) and t.percent == 75.0
    assert list(t.by_chapter) == ["4", "5", "6", "7", "8", "9", "10"]
    assert t.by_chapter["4"] == 100.0 and t.by_chapter["5"] == 50.0
    assert t.by_chapter["7"] is None and t.by_chapter["10"] is None


def test_objectives_tile(ws, world):
    t = D.objectives_tile(ws, DAY0)
    assert t.total == 5
    assert t.counts == {"on": 1, "near": 1, "off": 2, "none": 1}
    assert t.late == 1  # O-3; the dropped O-5 is no longer measured, so not late


def test_objectives_tile_agrees_with_the_objectives_list(ws, world):
    from qms_desktop.services import objectives

    rows = objectives.list_objectives(ws, today=DAY0)
    t = D.objectives_tile(ws, DAY0)
    for status in ("on", "near", "off", "none"):
        assert t.counts[status] == sum(1 for r in rows if r.kpi.status == status)
    assert t.late == sum(1 for r in rows if r.kpi.late)


def test_documents_tile(ws, world):
    t = D.documents_tile(ws, DAY0)
    assert (t.overdue, t.due_soon, t.revising, t.in_force, t.total) == (1, 1, 1, 2, 3)
    assert t.oldest_overdue == DAY0 - 3 * D1


def test_nonconformities_tile(ws, world):
    t = D.nonconformities_tile(ws, DAY0)
    assert (t.open, t.overdue, t.major, t.closed) == (2, 1, 1, 1)
    assert t.by_status == {"open": 1, "contained": 0, "investigating": 1, "action": 0}


def test_tiles_gathers_every_tile(ws, world):
    every = D.tiles(ws, DAY0)
    assert every.headline.overdue_actions == every.actions.overdue == 1
    assert every.documents.overdue == every.headline.reviews_overdue
    assert every.nonconformities.open == every.headline.nc_open
    for key in D.TILE_KEYS:
        assert D.tile(key, ws, DAY0) == getattr(every, key)


def test_an_empty_workspace(ws):
    every = D.tiles(ws, DAY0)
    h = every.headline
    assert (h.open_actions, h.overdue_actions, h.risks, h.nc_open, h.objectives) == (0,) * 5
    assert every.actions.next_due is None and every.risks.high == 0
    assert every.training.required == 0 and every.training.percent == 100.0
    assert every.audits.audits == () and every.audits.next_on is None
    assert every.gap.run_id is None and every.gap.by_chapter == {}
    assert every.objectives.counts == {"on": 0, "near": 0, "off": 0, "none": 0}
    assert every.documents.total == 0 and every.nonconformities.open == 0


def test_dates_that_are_no_dates_read_blank(ws, world):
    """Another program wrote text where dates belong: the figures skip them, never raise."""
    with ws.connect() as c:
        for table, column in (("action", "due_date"), ("nonconformity", "due_date"),
                              ("document", "next_review_on"), ("checklist_run", "planned_on"),
                              ("measurement", "measured_on")):
            c.exec_driver_sql(f"UPDATE {table} SET {column} = 'banana'")
        c.commit()
    h = D.headline(ws, DAY0)
    assert h.overdue_actions == 0 and h.nc_overdue == 0 and h.reviews_overdue == 0
    t = D.nonconformities_tile(ws, DAY0)
    assert t.open == 2 and t.overdue == 0
    assert D.audits_tile(ws, DAY0).next_on is None
    assert D.objectives_tile(ws, DAY0).counts["none"] == 5


def test_kinds_to_tiles():
    assert D.kinds_to_tiles({"action"}) == ["actions", "risks"]
    assert D.kinds_to_tiles({"measurement"}) == ["objectives"]
    assert D.kinds_to_tiles({"audit_event"}) == []
    assert D.kinds_to_tiles({"response", "nonconformity"}) == ["gap", "nonconformities"]
    assert set(D.TILE_KINDS) == set(D.TILE_KEYS) == set(D.TILES)
