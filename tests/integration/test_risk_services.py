"""Risk register services on a real workspace: edits, re-rating, import all-or-nothing, export."""

import datetime as dt
import hashlib
from dataclasses import asdict

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.core.risk import Banding
from qms_desktop.services import actions
from qms_desktop.services import records as R
from qms_desktop.services import risks as RS
from qms_desktop.services.verify import verify

TODAY = dt.date(2026, 11, 25)


def test_rows_carry_scores_and_overdue_flags(ws):
    pid = R.create(ws, "person", {"name": "Ann Lee"}).result
    rid = RS.add_risk(ws, {"title": "Supplier late", "inherent_likelihood": "Likely",
                              "inherent_impact": 5, "severity": 8, "occurrence": 6,
                              "detection": 2, "owner_id": pid,
                              "review_date": TODAY - dt.timedelta(days=1)}).result
    actions.add_action(ws, "risk", rid, {"title": "Second source",
                                         "due_date": TODAY - dt.timedelta(days=3)})
    row = RS.get_risk(ws, rid, TODAY)
    assert (row.ref, row.inherent_score, row.inherent_level) == ("R-001", 20, "critical")
    assert (row.rpn, row.ap) == (96, "H")
    assert row.review_overdue and row.overdue_actions == 1 and row.owner == "Ann Lee"
    assert RS.overdue_summary(ws, TODAY) == {"risk_reviews_overdue": 1, "risk_actions_overdue": 1}


def test_validation_messages(ws):
    rid = RS.add_risk(ws).result
    for field, value, msg in [("severity", 11, "1 to 10"), ("inherent_impact", 0, "1 to 5"),
                              ("status", "done", "one of"), ("review_date", "soon", "valid")]:
        with pytest.raises(R.RecordError, match=msg):
            RS.update_risks(ws, [rid], {field: value})


def test_bulk_edit_and_undo_values(ws):
    ids = [RS.add_risk(ws, {"title": f"r{i}"}).result for i in range(3)]
    change = RS.update_risks(ws, ids, {"status": "treating", "category": "Supply"})
    assert change.ids_of("risk") == set(ids)
    assert {r.status for r in RS.list_risks(ws)} == {"treating"}
    R.invert(ws, change.changeset)
    assert {r.status for r in RS.list_risks(ws)} == {"open"}
    assert verify(ws).ok


def test_rerate_keeps_history(ws):
    rid = RS.add_risk(ws, {"inherent_likelihood": 4, "inherent_impact": 4}).result
    RS.rerate(ws, rid, stage="residual", likelihood=2, impact=3, note="after poka-yoke")
    RS.rerate(ws, rid, stage="residual", likelihood=1, impact=3, note="after audit")
    hist = RS.rating_history(ws, rid)
    assert [(h.likelihood, h.note) for h in hist] == [(2, "after poka-yoke"), (1, "after audit")]
    assert RS.get_risk(ws, rid).residual_likelihood == 1


def test_banding_is_per_cell_and_persists(ws):
    rid = RS.add_risk(ws, {"inherent_likelihood": 1, "inherent_impact": 1}).result
    assert RS.get_risk(ws, rid).inherent_level == "low"
    RS.set_banding(ws, Banding().with_cell(1, 1, "critical"))
    assert RS.get_risk(ws, rid).inherent_level == "critical"
    assert RS.get_banding(ws).level(1, 2) == Banding().level(1, 2)


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_import_corpus_dry_run_changes_nothing(ws, ws_path, corpus_dir):
    before = RS.list_risks(ws)
    rep = RS.import_risks(ws, corpus_dir / "registers" / "risk_register_ericjoye.csv",
                          dry_run=True)
    assert rep.created == 2 and not rep.committed and RS.list_risks(ws) == before
    rep = RS.import_risks(ws, corpus_dir / "registers" / "risk_register_ericjoye.csv")
    assert rep.committed
    rows = {r.ref: r for r in RS.list_risks(ws)}
    assert rows["RISK-001"].inherent_likelihood == 5 and rows["RISK-001"].inherent_impact == 5
    assert "root cause analysis" in rows["RISK-001"].treatment


def test_import_is_all_or_nothing(ws, tmp_path):
    csv = tmp_path / "reg.csv"
    csv.write_text("ID;Title;Likelihood;Impact;Owner\n"
                   "X-1;Good row;2;3;Zoe Brandt\n"
                   "X-2;Bad rating;banana;3;Zoe Brandt\n", encoding="utf-8")
    events_before = ws.head_hash()
    rep = RS.import_risks(ws, csv)
    assert rep.errors == 1 and not rep.committed
    assert RS.list_risks(ws) == [] and ws.head_hash() == events_before
    assert [r.status for r in rep.rows] == ["warning", "error"]  # new owner is a warning
    csv.write_text("ID;Title;Likelihood;Impact;Owner\nX-1;Good row;2;3;Zoe Brandt\n")
    rep = RS.import_risks(ws, csv)
    assert rep.committed and rep.people_added == ["Zoe Brandt"]
    assert RS.list_risks(ws)[0].owner == "Zoe Brandt"
    rep = RS.import_risks(ws, csv)
    assert rep.errors == 1 and "already exists" in rep.rows[0].messages[-1]
    rep = RS.import_risks(ws, csv, on_existing="update")  # the same values: unchanged
    assert (rep.updated, rep.unchanged) == (0, 1) and not rep.committed
    csv.write_text("ID;Title;Likelihood;Impact;Owner\nX-1;Better row;2;3;Zoe Brandt\n")
    rep = RS.import_risks(ws, csv, on_existing="update")
    assert rep.updated == 1 and len(RS.list_risks(ws)) == 1
    assert verify(ws).ok


def test_export_reimports_losslessly(ws, tmp_path):
    from qms_desktop.storage.workspace import create_workspace

    pid = R.create(ws, "process", {"name": "Machining"}).result
    node = R.create(ws, "process_node", {"process_id": pid, "name": "Turn shaft"}).result
    RS.add_risk(ws, {"title": "=HYPERLINK(\"x\")", "process_id": pid, "node_id": node,
                     "cause": "-tool wear", "severity": 7, "occurrence": 3, "detection": 4,
                     "inherent_likelihood": 3, "inherent_impact": 4, "status": "monitoring",
                     "review_date": dt.date(2027, 1, 31), "kind": "risk", "method": "both"})
    RS.add_risk(ws, {"title": "Automate deburring", "kind": "opportunity"})
    out = RS.export_risks(ws, tmp_path / "reg.xlsx")
    other = create_workspace(tmp_path / "b.qms")
    R.create(other, "process", {"name": "Machining"})
    R.create(other, "process_node", {"process_id": 1, "name": "Turn shaft"})
    rep = RS.import_risks(other, out)
    assert rep.errors == 0 and rep.warnings == 0, [r.messages for r in rep.rows]
    skip = {"id", "owner_id", "identified_on"}
    a = [{k: v for k, v in vars(r).items() if k not in skip} for r in RS.list_risks(ws)]
    b = [{k: v for k, v in vars(r).items() if k not in skip} for r in RS.list_risks(other)]
    assert a == b
    other.close()


def test_cli_import_export(ws_path, tmp_path, capsys, corpus_dir):
    from qms_desktop.storage.workspace import create_workspace

    create_workspace(ws_path).close()
    csv = corpus_dir / "registers" / "risk_register_ericjoye.csv"
    before = _sha(ws_path)
    assert qms(["import", "risks", str(ws_path), str(csv), "--dry-run"]) == 0
    assert _sha(ws_path) == before
    assert "would create 2 risks" in capsys.readouterr().out
    assert qms(["import", "risks", str(ws_path), str(csv)]) == 0
    assert qms(["export", "risks", str(ws_path), "-o", str(tmp_path / "o.xlsx")]) == 0
    assert qms(["import", "risks", str(ws_path), str(tmp_path / "o.xlsx")]) == 1
    assert "already exists" in capsys.readouterr().out
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert qms(["import", "risks", str(ws_path), str(bad)]) == 1
    assert "qms: " in capsys.readouterr().err


def _action_view(ws):
    """Every treatment action as the register shows it (risk ID, not database ids)."""
    skip = {"id", "owner_id", "source_id", "overdue", "check_overdue"}
    return sorted(({k: v for k, v in asdict(a).items() if k not in skip}
                   for a in actions.list_actions(ws, TODAY) if a.source_kind == "risk"),
                  key=lambda a: a["ref"])


def test_export_carries_treatment_actions_and_reimports_them(ws, tmp_path):
    from openpyxl import load_workbook

    from qms_desktop.storage.workspace import create_workspace

    ann = R.create(ws, "person", {"name": "Ann Lee"}).result
    r1 = RS.add_risk(ws, {"title": "Supplier late", "kind": "risk"}).result
    r2 = RS.add_risk(ws, {"title": "New market", "kind": "opportunity"}).result
    actions.add_action(ws, "risk", r1, {"title": "Second source", "owner_id": ann,
                                        "due_date": dt.date(2026, 12, 1),
                                        "description": "=two quotes\nthen order"},
                       today=TODAY)
    done = actions.add_action(ws, "risk", r1, {"title": "Audit supplier", "owner_id": ann,
                                               "due_date": dt.date(2026, 10, 1)},
                              today=TODAY).result
    actions.update_actions(ws, [done], {"status": "done", "completed_on": "2026-10-05",
                                        "effectiveness_check": "No late lot in 3 months",
                                        "effectiveness_due": "2027-01-05"}, today=TODAY)
    actions.add_action(ws, "risk", r2, {"title": "Trade fair", "kind": "improvement",
                                        "status": "in_progress"}, today=TODAY)
    out = RS.export_risks(ws, tmp_path / "reg.xlsx", today=TODAY)

    sheet = load_workbook(out)["Treatment actions"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("Risk ID", "Action ID", "Action", "Owner", "Due date", "Status",
                           "Completed on")
    assert ("R-001", "A-002", "Audit supplier", "Ann Lee") == rows[1][:4]
    assert rows[1][5] == "Done" and rows[1][7] == "No late lot in 3 months"
    assert sheet.tables["TreatmentActions"].autoFilter.ref == f"A1:L{len(rows)}"

    other = create_workspace(tmp_path / "b.qms")
    rep = RS.import_risks(other, out)
    assert rep.errors == 0, [(r.row_number, r.messages) for r in rep.action_rows]
    assert (rep.actions_created, rep.actions_updated) == (3, 0)
    assert "created 3 treatment actions" in rep.summary()
    assert _action_view(other) == _action_view(ws)
    # again, over the same risks: the actions are matched, not doubled (and, equal, unchanged)
    rep = RS.import_risks(other, out, on_existing="update")
    assert (rep.actions_created, rep.actions_updated, rep.actions_unchanged) == (0, 0, 3)
    assert _action_view(other) == _action_view(ws)
    assert verify(other).ok
    other.close()


def test_reimported_action_follows_its_renumbered_risk(ws, tmp_path):
    r1 = RS.add_risk(ws, {"title": "Supplier late"}).result
    actions.add_action(ws, "risk", r1, {"title": "Second source"}, today=TODAY)
    out = RS.export_risks(ws, tmp_path / "reg.xlsx", today=TODAY)
    rep = RS.import_risks(ws, out, on_existing="renumber")
    assert rep.errors == 0, [r.messages for r in rep.action_rows]
    new = [a for a in actions.list_actions(ws, TODAY) if a.ref != "A-001"]
    assert [(a.source_ref, a.title) for a in new] == [("R-002", "Second source")]
