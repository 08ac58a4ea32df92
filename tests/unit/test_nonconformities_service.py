"""services.nonconformities: the CAPA register — add, edit, delete, causes (5 Whys and
fishbone), raising one from an audit finding, closing refused until ISO 9001 10.2 is met, and
undo of every edit through records.invert of its change set."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.services import actions as A
from qms_desktop.services import nonconformities as N
from qms_desktop.services import records as R
from qms_desktop.services.records import RecordError
from qms_desktop.storage import models as m

TODAY = dt.date(2026, 6, 15)
DAY = dt.timedelta(days=1)


def tables(ws) -> dict:
    """Every row of the tables the service writes, for exact comparisons."""
    out = {}
    with ws.connect() as c:
        for model in (m.Nonconformity, m.NcCause, m.Action):
            t = model.__table__
            out[t.name] = sorted(tuple(r) for r in c.execute(t.select()))
    return out


@pytest.fixture
def gemma(ws):
    return R.create(ws, "person", {"name": "Gemma Holt"}).result


def make_closable(ws, owner) -> int:
    nid = N.add_nonconformity(ws, {"title": "Bore oversize", "description": "60 rejected",
                                   "source": "customer complaint", "customer": "Hydra",
                                   "owner_id": owner, "detected_on": TODAY - 20 * DAY},
                              today=TODAY).result
    N.update_nonconformities(ws, [nid], {"containment": "Stock blocked",
                                         "root_cause": "Tool wear"}, today=TODAY)
    aid = A.add_action(ws, "nonconformity", nid, {"title": "Tool-life counter"},
                       today=TODAY).result
    A.update_actions(ws, [aid], {"status": "done"}, today=TODAY)
    return nid


def test_add_list_and_numbering(ws, gemma):
    assert N.next_nc_ref(ws) == "NC-0001"
    with ws.session() as s:
        s.add(m.Nonconformity(ref="NC-0147", title="Old one"))
    assert N.next_nc_ref(ws) == "NC-0148"
    ch = N.add_nonconformity(ws, {"title": "Chips in threads", "source": "process",
                                  "owner_id": gemma, "due_date": TODAY - DAY}, today=TODAY)
    assert list(ch.created("nonconformity")) == [ch.result]
    rows = {r.ref: r for r in N.list_nonconformities(ws, today=TODAY)}
    row = rows["NC-0148"]
    assert (row.title, row.source, row.owner, row.status, row.severity, row.detected_on) == (
        "Chips in threads", "process", "Gemma Holt", "open", "minor", TODAY)
    assert row.age_days == 0 and row.overdue  # due yesterday, not closed
    assert row.source_text == "Process"
    assert (row.actions_total, row.actions_done) == (0, 0)
    assert "Describe the nonconformity." in row.closure_problems
    assert [r.id for r in N.list_nonconformities(ws, ids=[row.id])] == [row.id]
    assert N.find(ws, "nc-0148").id == row.id and N.find(ws, str(row.id)).id == row.id
    with pytest.raises(RecordError, match="no nonconformity"):
        N.find(ws, "NC-9999")


@pytest.mark.parametrize("values, words", [
    ({"title": " "}, "needs a title"), ({"source": "gossip"}, "source must be one of"),
    ({"severity": "critical"}, "major or minor"), ({"status": "done"}, "status must be"),
    ({"effective": "maybe"}, "not a verdict"), ({"due_date": "31/12/2026"}, "not a valid"),
    ({"owner_id": 999}, "not in the workspace"), ({"colour": "red"}, "cannot be edited"),
])
def test_bad_input_is_refused_with_a_sentence_and_nothing_changes(ws, values, words):
    nid = N.add_nonconformity(ws, {"title": "X"}).result
    before = tables(ws)
    with pytest.raises(RecordError, match=words):
        N.update_nonconformities(ws, [nid], values)
    assert tables(ws) == before


def test_ids_are_unique(ws):
    a = N.add_nonconformity(ws).result
    N.add_nonconformity(ws)
    with pytest.raises(RecordError, match="already has the ID NC-0001"):
        N.update_nonconformities(ws, [N.list_nonconformities(ws)[1].id], {"ref": "NC-0001"})
    assert N.list_nonconformities(ws)[0].id == a


def test_closing_is_refused_until_effective_then_allowed(ws, gemma):
    nid = make_closable(ws, gemma)
    with pytest.raises(RecordError) as e:
        N.update_nonconformities(ws, [nid], {"status": "closed"}, today=TODAY)
    text = str(e.value)
    assert text.startswith("NC-0001 cannot be closed yet: ") and text.count(".") == 1
    assert "effectiveness" in text
    N.update_nonconformities(ws, [nid], {"effectiveness_check": "Ten batches OK",
                                         "effective": "no"}, today=TODAY)
    row = N.list_nonconformities(ws, today=TODAY)[0]
    assert row.closure_problems == [
        "The actions were found not effective: raise a new action."]
    N.update_nonconformities(ws, [nid], {"effective": True}, today=TODAY)
    ch = N.update_nonconformities(ws, [nid], {"status": "closed"}, today=TODAY)
    row = N.get(ws, nid, today=TODAY).row
    assert (row.status, row.closed_on, row.closure_problems, row.overdue) == (
        "closed", TODAY, [], False)
    # undo the closure: open again, no closing date
    R.invert(ws, ch.changeset)
    row = N.get(ws, nid, today=TODAY).row
    assert (row.status, row.closed_on) == ("open", None)
    # reopening clears the date
    N.update_nonconformities(ws, [nid], {"status": "closed"}, today=TODAY)
    N.update_nonconformities(ws, [nid], {"status": "action"}, today=TODAY)
    assert N.get(ws, nid).row.closed_on is None


def test_a_new_one_cannot_be_closed(ws):
    with pytest.raises(RecordError, match="cannot be closed"):
        N.add_nonconformity(ws, {"status": "closed"})


def test_causes_whys_and_fishbone(ws):
    nid = N.add_nonconformity(ws, {"title": "Bore oversize"}).result
    w1 = N.add_cause(ws, nid, "why", "Bar worn").result
    w2 = N.add_cause(ws, nid, "why", "Not changed").result
    w3 = N.add_cause(ws, nid, "why", "No counter", position=0).result
    assert [c.id for c in N.get(ws, nid).whys] == [w3, w1, w2]
    N.move_cause(ws, w3, 2)
    assert [(c.id, c.position) for c in N.get(ws, nid).whys] == [(w1, 0), (w2, 1), (w3, 2)]
    f1 = N.add_cause(ws, nid, "fishbone", "Calliper for H7", category="measurement").result
    f2 = N.add_cause(ws, nid, "fishbone", "Tool wear", category="machine").result
    with pytest.raises(RecordError, match="one of the bones"):
        N.add_cause(ws, nid, "fishbone", "Bad luck", category="fate")
    N.set_root(ws, w1)
    N.set_root(ws, w2)     # one root why at a time
    N.set_root(ws, f1)
    N.set_root(ws, f2)     # several fishbone roots are fine
    d = N.get(ws, nid)
    assert [c.is_root for c in d.whys] == [False, True, False]
    assert {c.id for c in d.causes if c.is_root} == {w2, f1, f2}
    assert "Calliper for H7" in d.row.root_summary
    N.update_cause(ws, f2, {"category": "measurement", "text": "Worn gauge"})
    assert [c.text for c in N.get(ws, nid).bone("measurement")] == ["Calliper for H7",
                                                                     "Worn gauge"]
    N.delete_causes(ws, [w1])
    assert [(c.id, c.position) for c in N.get(ws, nid).whys] == [(w2, 0), (w3, 1)]
    for k in range(5):
        N.add_cause(ws, nid, "why", f"why {k}")
    with pytest.raises(RecordError, match="at most 7 whys"):
        N.add_cause(ws, nid, "why", "one too many")


def test_a_marked_cause_counts_as_the_root_cause_for_closing(ws, gemma):
    nid = make_closable(ws, gemma)
    N.update_nonconformities(ws, [nid], {"root_cause": "", "effectiveness_check": "OK",
                                         "effective": True})
    with pytest.raises(RecordError, match="root cause"):
        N.update_nonconformities(ws, [nid], {"status": "closed"})
    cid = N.add_cause(ws, nid, "fishbone", "Tool wear", category="machine").result
    N.set_root(ws, cid)
    N.update_nonconformities(ws, [nid], {"status": "closed"})
    with pytest.raises(RecordError, match="closed: reopen"):
        N.add_cause(ws, nid, "why", "late why")


def test_raise_from_finding(ws):
    with ws.session() as s:
        t = m.ChecklistTemplate(name="Audit")
        s.add(t)
        s.flush()
        run = m.ChecklistRun(template_id=t.id, title="IA-03")
        s.add(run)
        s.flush()
        f = m.Finding(run_id=run.id, ref="IA26-03-F01", kind="major", clause="8.6",
                      description="Batch shipped without release.\nTwo more route cards.",
                      correction="Re-inspected", root_cause="ERP lets it ship")
        s.add(f)
        s.flush()
        fid = f.id
    ch = N.raise_from_finding(ws, fid, today=TODAY)
    row = N.get(ws, ch.result).row
    assert (row.source, row.finding_id, row.finding_ref, row.severity, row.title) == (
        "internal audit", fid, "IA26-03-F01", "major", "Batch shipped without release.")
    assert row.description.startswith("Batch shipped") and row.correction == "Re-inspected"
    assert row.source_text == "Internal audit: IA26-03-F01"
    with pytest.raises(RecordError, match="already has its nonconformity"):
        N.raise_from_finding(ws, fid)
    with pytest.raises(RecordError, match="no longer exists"):
        N.raise_from_finding(ws, 999)


def test_raise_from_finding_takes_the_findings_actions_along(ws, gemma):
    with ws.session() as s:
        t = m.ChecklistTemplate(name="Audit")
        s.add(t)
        s.flush()
        run = m.ChecklistRun(template_id=t.id, title="IA-03")
        s.add(run)
        s.flush()
        f = m.Finding(run_id=run.id, ref="IA26-03-F01", kind="minor", description="No release")
        other = m.Finding(run_id=run.id, ref="IA26-03-F02", kind="minor", description="Other")
        s.add_all([f, other])
        s.flush()
        fid, oid = f.id, other.id
    a1 = A.add_action(ws, "finding", fid, {"title": "Block ERP"}, today=TODAY).result
    a2 = A.add_action(ws, "finding", fid, {"title": "Train"}, today=TODAY).result
    a3 = A.add_action(ws, "finding", oid, {"title": "Not this one"}, today=TODAY).result
    assert N.nc_of_findings(ws) == {}
    before = tables(ws)
    ch = N.raise_from_finding(ws, fid, today=TODAY)
    nid = ch.result
    detail = N.get(ws, nid, today=TODAY)
    assert sorted(a.id for a in detail.actions) == sorted([a1, a2])
    with ws.session() as s:
        assert s.get(m.Action, a1).finding_id == fid          # the finding keeps them
        assert s.get(m.Action, a3).nonconformity_id is None
    # the Actions page names the nonconformity as their source
    src = {r.id: (r.source_kind, r.source_id) for r in A.list_actions(ws, today=TODAY)}
    assert src[a1] == ("nonconformity", nid) and src[a3] == ("finding", oid)
    assert N.nc_of_findings(ws) == {fid: (nid, detail.row.ref)}
    assert N.nc_of_findings(ws, [oid]) == {}
    # deleting the nonconformity leaves the finding its actions
    gone = N.delete_nonconformities(ws, [nid])
    with ws.session() as s:
        assert s.get(m.Action, a1).finding_id == fid and s.get(m.Action, a1).nonconformity_id \
            is None
    R.invert(ws, gone.changeset)
    assert sorted(a.id for a in N.get(ws, nid, today=TODAY).actions) == sorted([a1, a2])
    R.invert(ws, ch.changeset)                       # one undo step
    assert tables(ws) == before


def test_delete_takes_causes_and_actions_and_every_edit_undoes(ws, gemma):
    start = tables(ws)
    changes = [N.add_nonconformity(ws, {"title": "A", "owner_id": gemma})]
    nid = changes[0].result
    changes.append(N.add_cause(ws, nid, "why", "one"))
    changes.append(N.add_cause(ws, nid, "fishbone", "two", category="method"))
    changes.append(N.set_root(ws, changes[-1].result))
    changes.append(A.add_action(ws, "nonconformity", nid, {"title": "fix"}))
    changes.append(N.update_nonconformities(ws, [nid], {"team": "Gemma\nTomasz"}))
    full = tables(ws)
    assert len(full["nc_cause"]) == 2 and len(full["action"]) == 1
    ch = N.delete_nonconformities(ws, [nid])
    assert list(ch.deleted("nonconformity")) == [nid]
    assert tables(ws) == start
    R.invert(ws, ch.changeset)
    assert tables(ws) == full
    for c in reversed(changes):
        R.invert(ws, c.changeset)
    assert tables(ws) == start
    with pytest.raises(RecordError):
        N.delete_nonconformities(ws, [nid])
    with pytest.raises(RecordError, match="no longer exists"):
        N.get(ws, nid)


def test_counts_and_related_ids(ws, gemma):
    nid = N.add_nonconformity(ws, {"title": "A"}).result
    a1 = A.add_action(ws, "nonconformity", nid, {"title": "one"}).result
    a2 = A.add_action(ws, "nonconformity", nid, {"title": "two"}).result
    A.add_action(ws, "nonconformity", nid, {"title": "three"})
    A.update_actions(ws, [a1], {"status": "done"})
    A.update_actions(ws, [a2], {"status": "cancelled"})
    row = N.list_nonconformities(ws)[0]
    assert (row.actions_done, row.actions_total, row.actions_open) == (1, 2, 1)
    cid = N.add_cause(ws, nid, "why", "x").result
    assert N.owners_of(ws, "action", [a1, a2]) == [nid, nid]
    assert N.owners_of(ws, "nc_cause", [cid]) == [nid]


def test_a_closed_nonconformity_refuses_actions_and_edits_until_reopened(ws, gemma):
    nid = make_closable(ws, gemma)
    N.update_nonconformities(ws, [nid], {"effectiveness_check": "Ten batches fine",
                                         "effective": True}, today=TODAY)
    N.update_nonconformities(ws, [nid], {"status": "closed"}, today=TODAY)
    before = tables(ws)
    with pytest.raises(RecordError) as e:
        A.add_action(ws, "nonconformity", nid, {"title": "Late idea"}, today=TODAY)
    assert str(e.value) == "NC-0001 is closed: reopen it to add an action."
    for values in ({"title": "Renamed"}, {"verified_by": "Gemma"}, {"effective": False},
                   {"severity": "major"}, {"status": "closed", "prevention": "x"}):
        with pytest.raises(RecordError, match="NC-0001 is closed: reopen it to change it"):
            N.update_nonconformities(ws, [nid], values, today=TODAY)
    assert tables(ws) == before
    # setting what it already holds is no change; other sources are not concerned
    N.update_nonconformities(ws, [nid], {"title": "Bore oversize"}, today=TODAY)
    assert A.add_action(ws, "", None, {"title": "Stand-alone"}, today=TODAY).result
    # reopened, it takes actions and edits again
    N.update_nonconformities(ws, [nid], {"status": "action"}, today=TODAY)
    assert A.add_action(ws, "nonconformity", nid, {"title": "Late idea"}, today=TODAY).result
    N.update_nonconformities(ws, [nid], {"title": "Renamed"}, today=TODAY)


def test_find_accepts_the_id_its_number_or_the_database_id(ws):
    with ws.session() as s:
        s.add(m.Nonconformity(ref="NC-0147", title="Bores"))
        s.add(m.Nonconformity(ref="NC-0003", title="Chips"))
    rows = {r.ref: r for r in N.list_nonconformities(ws)}
    assert N.find(ws, "147").ref == "NC-0147"
    assert N.find(ws, "0147").ref == "NC-0147"
    assert N.find(ws, "nc-0147").ref == "NC-0147"
    assert N.find(ws, "3").ref == "NC-0003"        # the number wins over the database id
    assert N.find(ws, str(rows["NC-0147"].id)).ref == "NC-0147"   # database id 1
    with pytest.raises(RecordError) as e:
        N.find(ws, "148")
    assert "give its ID (e.g. NC-0003), the number of its ID or its database id" in str(e.value)


def test_rows_name_unfinished_actions_and_suggest_the_next_step(ws, gemma):
    nid = N.add_nonconformity(ws, {"title": "Bores", "description": "60 rejected"},
                              today=TODAY).result
    assert N.get(ws, nid).row.suggested_status is None
    N.update_nonconformities(ws, [nid], {"containment": "Stock blocked",
                                         "root_cause": "Tool wear"}, today=TODAY)
    assert N.get(ws, nid).row.suggested_status == "contained"   # no team: not investigating
    N.update_nonconformities(ws, [nid], {"team": "Gemma"}, today=TODAY)
    assert N.get(ws, nid).row.suggested_status == "investigating"
    aid = A.add_action(ws, "nonconformity", nid, {"title": "Counter"}, today=TODAY).result
    A.update_actions(ws, [aid], {"status": "in_progress"}, today=TODAY)
    row = N.get(ws, nid).row
    assert row.suggested_status == "action" and row.status == "open"   # offered, not set
    assert "Finish A-001 (in progress) first." in row.closure_problems
    assert "Judge whether the actions were effective." in row.closure_problems
