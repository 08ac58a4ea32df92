"""Re-importing a BPMN / draw.io file INTO an existing process (services.processes.merge_map,
update_map_from_file, undone and redone by records.invert / reapply), `qms import bpmn|drawio
--into`, and the one-transaction undo of a move into another lane."""

from __future__ import annotations

import json

import pytest
from dumps import geometry, map_dump
from map_update_helpers import (
    END,
    F_3E,
    F_12,
    F_14,
    F_23,
    F_43,
    F_S1,
    START,
    T1,
    T2,
    T3,
    T4,
    seed_a1,
    two_lane_map,
    write_modified,
)

from qms_desktop.cli import main as qms
from qms_desktop.services import processes as P
from qms_desktop.services import records
from qms_desktop.services.map_geometry import set_geometry
from qms_desktop.services.verify import verify
from qms_desktop.storage import models as m
from qms_desktop.storage.workspace import create_workspace, open_workspace

BPMN_FILES = ["A.1.0.bpmn", "A.2.0.bpmn", "A.3.0.bpmn", "A.4.0.bpmn",
              "A.1.0.bpmnio-roundtrip.bpmn", "A.2.0.bpmnio-roundtrip.bpmn",
              "A.4.0.bpmnio-roundtrip.bpmn"]

DRAWIO = """<mxfile><diagram name="Order handling"><mxGraphModel><root>
<mxCell id="0"/><mxCell id="1" parent="0"/>
<mxCell id="L1" value="Sales clerk" style="swimlane;horizontal=0;" vertex="1" parent="1">
  <mxGeometry x="0" y="0" width="600" height="150" as="geometry"/></mxCell>
<mxCell id="L2" value="Machinist" style="swimlane;horizontal=0;" vertex="1" parent="1">
  <mxGeometry x="0" y="150" width="600" height="150" as="geometry"/></mxCell>
<mxCell id="a" value="Start" style="ellipse;" vertex="1" parent="L1">
  <mxGeometry x="60" y="50" width="40" height="40" as="geometry"/></mxCell>
<mxCell id="b" value="Check order" style="rounded=1;" vertex="1" parent="{b_parent}">
  <mxGeometry x="160" y="40" width="120" height="60" as="geometry"/></mxCell>
<mxCell id="c" value="Make parts" style="rounded=1;" vertex="1" parent="L2">
  <mxGeometry x="360" y="40" width="120" height="60" as="geometry"/></mxCell>
<mxCell id="e1" edge="1" source="a" target="b" parent="1"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e2" edge="1" source="b" target="c" parent="1"><mxGeometry relative="1" as="geometry"/></mxCell>
</root></mxGraphModel></diagram></mxfile>"""


def head(ws) -> str:
    return ws.head_hash()


def actions(rep, entity: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for it in rep.items:
        if it.entity == entity:
            out.setdefault(it.action, set()).add(it.key)
    return out


# --------------------------------------------------------------------------- no-op re-import


@pytest.mark.parametrize("name", BPMN_FILES)
def test_reimport_of_a_corpus_file_into_its_own_process_changes_nothing(ws, corpus_dir, name):
    path = corpus_dir / "bpmn" / name
    pid = P.import_map_file(ws, path, "bpmn").result.process_id
    before, trail = map_dump(ws, pid), head(ws)
    dry = P.update_map_from_file(ws, pid, path, "bpmn", dry_run=True).result
    rep = P.update_map_from_file(ws, pid, path, "bpmn").result
    for r in (dry, rep):
        assert r.items and {it.action for it in r.items} == {"unchanged"}
        assert all(not it.fields for it in r.items)
        assert not r.changed and not r.writes and not r.map_extra_changed
        n, e, ln = r.nodes, r.edges, r.lanes
        assert (n.unchanged, e.unchanged, ln.unchanged) == (
            len(before.rows["process_node"]), len(before.rows["process_edge"]),
            len(before.rows["process_lane"]))
        assert n.added == n.updated == n.removed == n.kept == 0
    assert "already matches" in rep.summary()
    assert map_dump(ws, pid) == before
    assert head(ws) == trail  # not one audit event: nothing was written


def test_reimport_of_an_exported_workbench_map_matches_the_shapes_drawn_in_the_app(ws, tmp_path):
    """Shapes drawn in Workbench have no stored key; the export names them Task_12 & co and a
    re-import of that file matches them (and from then on knows them by that key)."""
    pid = P.add_process(ws, {"name": "Drawn here"}).result
    a = P.add_node(ws, pid, "start", 0, 0).result
    b = P.add_node(ws, pid, "step", 100, 0, name="Do it").result
    P.add_edge(ws, pid, a, b)
    records.update_fields(ws, "process_node", b, {"description": "kept"})
    out = P.export_bpmn_file(ws, pid, tmp_path / "drawn.bpmn")
    rep = P.update_map_from_file(ws, pid, out, "bpmn").result
    nodes = actions(rep, "node")
    assert nodes.get("removed") is None and nodes.get("kept") is None
    assert {P.node_key({"id": a, "key": "", "kind": "start"}),
            P.node_key({"id": b, "key": "", "kind": "step"})} <= nodes["unchanged"]
    assert records.get(ws, "process_node", b)["description"] == "kept"
    assert records.get(ws, "process_node", b)["key"] == f"Task_{b}"  # adopted: as exported
    again = P.update_map_from_file(ws, pid, out, "bpmn").result
    assert not again.writes and {it.action for it in again.items} == {"unchanged"}
    assert verify(ws).ok


# --------------------------------------------------------------------------- a modified file


def test_a_modified_copy_gives_exactly_the_expected_report_and_rows(ws, corpus_dir, tmp_path):
    seed = seed_a1(ws, corpus_dir)
    pid, ids, links = seed["pid"], seed["ids"], seed["links"]
    path = write_modified(corpus_dir, tmp_path / "A.1.0-edited.bpmn")
    trail = head(ws)
    dry = P.update_map_from_file(ws, pid, path, "bpmn", dry_run=True).result
    assert head(ws) == trail
    rep = P.update_map_from_file(ws, pid, path, "bpmn").result
    for r in (dry, rep):
        assert actions(r, "node") == {"added": {T4}, "updated": {T1, T3}, "removed": {T2},
                                      "unchanged": {START, END},
                                      "kept": {P.node_key({"id": seed["hand"], "key": "",
                                                           "kind": "step"})}}
        edges = actions(r, "edge")
        assert edges["added"] == {F_14, F_43}
        assert edges["unchanged"] == {F_S1, F_3E}
        assert edges["removed"] == {F_12, F_23, f"Flow_{seed['edge_gone']}"}
        assert edges["kept"] == {f"Flow_{seed['edge_kept']}"}
        assert (r.nodes.added, r.nodes.updated, r.nodes.removed, r.nodes.unchanged,
                r.nodes.kept) == (1, 2, 1, 2, 1)
        assert (r.edges.added, r.edges.updated, r.edges.removed, r.edges.unchanged,
                r.edges.kept) == (2, 0, 3, 2, 1)
        assert r.lanes.text("lanes") == "lanes: none"
        by_key = {(it.entity, it.key): it for it in r.items}
        assert by_key[("node", T1)].fields == ["name"]
        assert set(by_key[("node", T3)].fields) == {"y", "extra"}
        assert [(it.name, it.links) for it in r.removed_with_links] == [
            ("Task 2", {"documents": 1, "records": 1, "risks": 1, "objectives": 1})]
        assert r.changed and r.warnings == []
    assert [(it.action, it.entity, it.key, it.fields) for it in dry.items] == \
        [(it.action, it.entity, it.key, it.fields) for it in rep.items]
    assert next(it for it in rep.items if it.key == T4).id is not None

    rows = {r["key"]: r for r in P.load_map_data(ws, pid).nodes}
    assert T2 not in rows
    t1, t3, t4 = rows[T1], rows[T3], rows[T4]
    assert t1["id"] == ids[T1] and t1["name"] == "Task 1 (revised)"
    assert (t1["role_id"], t1["description"], t1["duration_minutes"]) == (
        seed["role"], "Check the order against the quotation.", 15.0)
    assert t3["id"] == ids[T3] and t3["y"] == 417.0
    assert t4["name"] == "Task 4" and (t4["x"], t4["y"]) == (390.0, 317.0)
    hand = records.get(ws, "process_node", seed["hand"])
    assert hand["name"] == "Hand-drawn check"
    edges = {r["key"] or f"Flow_{r['id']}": r for r in P.load_map_data(ws, pid).edges}
    assert (edges[F_14]["source_id"], edges[F_14]["target_id"]) == (ids[T1], t4["id"])
    assert (edges[F_43]["source_id"], edges[F_43]["target_id"]) == (t4["id"], ids[T3])
    assert f"Flow_{seed['edge_gone']}" not in edges and f"Flow_{seed['edge_kept']}" in edges

    # links of kept steps survive; the removed step's links went with it (the risk stays)
    for key in (T1, T3):
        got = P.step_links(ws, ids[key])
        assert [i for i, _ in got.documents] == [links[key]["document"]]
        assert [i for i, _ in got.records] == [links[key]["record"]]
        assert [i for i, _ in got.risks] == [links[key]["risk"]]
        assert [i for i, _ in got.objectives] == [links[key]["objective"]]
    with ws.connect() as c:
        nd = c.execute(m.NodeDocument.__table__.select().where(
            m.NodeDocument.node_id == ids[T2])).all()
    assert nd == []
    risk = records.get(ws, "risk", links[T2]["risk"])
    assert risk["node_id"] is None and risk["process_id"] == pid
    assert records.get(ws, "document", links[T2]["document"])["title"] == "Doc 2"
    ok = verify(ws)
    assert ok.ok, ok.first_problem


def test_lane_move_rename_and_removal_from_a_drawio_file(ws, tmp_path):
    with ws.session() as s:
        sales, mach = m.Role(name="Sales clerk"), m.Role(name="Machinist")
        s.add_all([sales, mach])
        s.flush()
        roles = (sales.id, mach.id)
    first = tmp_path / "order.drawio"
    first.write_text(DRAWIO.format(b_parent="L1"), encoding="utf-8")
    pid = P.import_map_file(ws, first, "drawio").result.process_id
    _pm, ids = P.load_map(ws, pid)
    assert records.get(ws, "process_node", ids["b"])["role_id"] == roles[0]
    records.update_fields(ws, "process_node", ids["b"], {"description": "see SOP-7"})
    edited = DRAWIO.format(b_parent="L2").replace('value="Machinist"', 'value="Machining"')
    edited = edited.replace('<mxCell id="e1" edge="1" source="a" target="b" parent="1">'
                            '<mxGeometry relative="1" as="geometry"/></mxCell>', "")
    second = tmp_path / "order-2.drawio"
    second.write_text(edited, encoding="utf-8")
    rep = P.update_map_from_file(ws, pid, second, "drawio").result
    by_key = {(it.entity, it.key): it for it in rep.items}
    assert by_key[("node", "b")].action == "updated"
    assert {"lane_id", "y", "role_id"} <= set(by_key[("node", "b")].fields)
    assert by_key[("lane", "L2")].fields == ["name"]  # no role called "Machining": role kept
    assert by_key[("edge", "e1")].action == "removed"
    row = records.get(ws, "process_node", ids["b"])
    assert (row["lane_id"], row["role_id"], row["description"]) == (ids["L2"], roles[1],
                                                                    "see SOP-7")
    assert records.get(ws, "process_lane", ids["L2"])["role_id"] == roles[1]
    assert verify(ws).ok


# --------------------------------------------------------------------------- all or nothing


def test_a_malformed_or_foreign_file_changes_nothing(ws, corpus_dir, tmp_path):
    seed = seed_a1(ws, corpus_dir)
    pid = seed["pid"]
    before, trail = map_dump(ws, pid), head(ws)
    text = tmp_path / "notes.bpmn"
    text.write_text("these are meeting notes, not a model", encoding="utf-8")
    with pytest.raises(ValueError, match="not well-formed XML"):
        P.update_map_from_file(ws, pid, text, "bpmn").result
    good = (corpus_dir / "drawio" / "cross_functional_flowchart_1.drawio").read_bytes()
    i = good.index(b"<diagram") + good[good.index(b"<diagram"):].index(b">") + 1 + 1479
    damaged = tmp_path / "damaged.drawio"  # one base64 character off: the page is garbled
    damaged.write_bytes(good[:i] + (b"P" if good[i:i + 1] != b"P" else b"W") + good[i + 1:])
    with pytest.raises(ValueError, match="draw.io"):
        P.update_map_from_file(ws, pid, damaged, "drawio").result
    drawio = tmp_path / "d.drawio"
    drawio.write_text(DRAWIO.format(b_parent="L1"), encoding="utf-8")
    with pytest.raises(ValueError, match="draw.io diagram, not BPMN"):
        P.update_map_from_file(ws, pid, drawio, "bpmn").result
    with pytest.raises(records.RecordError, match="does not exist"):
        P.update_map_from_file(ws, pid, tmp_path / "missing.bpmn", "bpmn").result
    with pytest.raises(records.RecordError, match="no longer exists"):
        P.update_map_from_file(ws, 999, corpus_dir / "bpmn" / "A.1.0.bpmn", "bpmn").result
    assert map_dump(ws, pid) == before
    assert head(ws) == trail


def test_a_failure_while_writing_rolls_the_whole_update_back(ws, corpus_dir, tmp_path,
                                                             monkeypatch):
    seed = seed_a1(ws, corpus_dir)
    pid = seed["pid"]
    path = write_modified(corpus_dir, tmp_path / "edited.bpmn")
    before, trail = map_dump(ws, pid), head(ws)
    real = P._apply_update

    def then_fail(s, pid_, plan):
        real(s, pid_, plan)  # everything written (and flushed) ...
        s.flush()
        raise OSError(28, "No space left on device")  # ... then the disk fills up

    monkeypatch.setattr(P, "_apply_update", then_fail)
    with pytest.raises(OSError):
        P.update_map_from_file(ws, pid, path, "bpmn").result
    assert map_dump(ws, pid) == before
    assert head(ws) == trail


# --------------------------------------------------------------------------- undo / redo


def test_invert_undoes_and_reapply_redoes_the_update_exactly(ws, corpus_dir, tmp_path):
    seed = seed_a1(ws, corpus_dir)
    pid = seed["pid"]
    before = map_dump(ws, pid)
    assert before.rows["node_document"] and before.rows["node_objective"]
    change = P.update_map_from_file(ws, pid, write_modified(corpus_dir, tmp_path / "e.bpmn"),
                                    "bpmn")
    after = map_dump(ws, pid)
    assert after != before
    undo = records.invert(ws, change.changeset)
    assert undo.touches("process_node", "node_document", "risk")
    assert map_dump(ws, pid) == before  # same ids, same values, same links
    risk = records.get(ws, "risk", seed["links"][T2]["risk"])
    assert risk["node_id"] == seed["ids"][T2]
    records.reapply(ws, change.changeset)
    assert map_dump(ws, pid) == after
    records.invert(ws, change.changeset)
    assert map_dump(ws, pid) == before
    ok = verify(ws)
    assert ok.ok, ok.first_problem


# --------------------------------------------------------------------------- matching


def test_matching_processes_by_name_code_and_shared_ids(ws, corpus_dir):
    a1 = P.import_map_file(ws, corpus_dir / "bpmn" / "A.1.0.bpmn", "bpmn").result.process_id
    a2 = P.import_map_file(ws, corpus_dir / "bpmn" / "A.2.0.bpmn", "bpmn").result.process_id
    records.update_fields(ws, "process", a2, {"name": "Renamed in Workbench"})
    coded = P.add_process(ws, {"name": "Other", "code": "a.2.0"}).result
    got = P.read_map(corpus_dir / "bpmn" / "A.2.0.bpmn", "bpmn")
    ranked = P.matching_processes(ws, got.map, got.name)
    assert [pid for pid, _ in ranked] == [coded, a2]  # code match first, then shared ids
    assert a1 not in dict(ranked)
    assert P.matching_processes(ws, got.map, "") == [(a2, 8)]


# --------------------------------------------------------------------------- lane move undo


def _map_rows(ws, pid) -> tuple:
    data = P.load_map_data(ws, pid)
    return data.nodes, data.edges, data.lanes


def test_undo_of_a_move_is_one_transaction_and_restores_rows_exactly(ws, monkeypatch):
    from sqlalchemy import event

    m_ = two_lane_map(ws, with_make=True)
    pid, roles, (l1, l2) = m_["pid"], m_["roles"], m_["lanes"]
    a, b, e1, e2 = m_["a"], m_["b"], m_["e1"], m_["e2"]
    before = _map_rows(ws, pid)
    moved = P.move_nodes(ws, {a: (110, 210), b: (320, 60)}, {a: l2})
    assert _map_rows(ws, pid) != before
    assert records.get(ws, "process_node", a)["role_id"] == roles[1]

    sessions, commits = [], []
    real_session = ws.session
    monkeypatch.setattr(ws, "session", lambda: sessions.append(1) or real_session())

    def on_commit(conn):
        commits.append(1)

    event.listen(ws.engine, "commit", on_commit)
    try:
        records.invert(ws, moved.changeset)
    finally:
        event.remove(ws.engine, "commit", on_commit)
    assert len(sessions) == 1 and len(commits) == 1
    assert _map_rows(ws, pid) == before
    assert verify(ws).ok


def test_undo_of_a_move_is_all_or_nothing(ws):
    pid = P.add_process(ws, {"name": "Order"}).result
    a = P.add_node(ws, pid, "step", 100, 40).result
    b = P.add_node(ws, pid, "step", 300, 40).result
    moved = P.move_nodes(ws, {a: (5, 5), b: (6, 6)})
    records.delete(ws, "process_node", b)  # gone behind the undo's back
    before, trail = _map_rows(ws, pid), head(ws)
    with pytest.raises(records.RecordError, match="no longer exists"):
        records.invert(ws, moved.changeset)
    assert _map_rows(ws, pid) == before and head(ws) == trail


# --------------------------------------------------------------------------- command line


@pytest.fixture
def wsfile(tmp_path, corpus_dir):
    p = tmp_path / "m.qms"
    ws = create_workspace(p)
    seed_a1(ws, corpus_dir)
    ws.close()
    return p


def _snapshot_file(path, pid: int = 1):
    with open_workspace(path, read_only=True) as ws:
        return map_dump(ws, pid), ws.head_hash()


def test_cli_into_dry_run_reports_and_writes_nothing(wsfile, corpus_dir, tmp_path, capsys):
    edited = write_modified(corpus_dir, tmp_path / "A.1.0.bpmn")
    before = _snapshot_file(wsfile)
    assert qms(["import", "bpmn", str(wsfile), str(edited), "--into", "A.1.0", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would update process 1 “A.1.0”" in out and "dry run: nothing was changed" in out
    assert "shapes: 1 added, 2 updated, 1 removed, 2 unchanged, 1 kept (not in the file)" in out
    assert "the removed step “Task 2” had 1 document, 1 record, 1 risk, 1 KPI" in out
    assert _snapshot_file(wsfile) == before


def test_cli_into_updates_the_process(wsfile, corpus_dir, tmp_path, capsys):
    edited = write_modified(corpus_dir, tmp_path / "A.1.0.bpmn")
    assert qms(["import", "bpmn", str(wsfile), str(edited), "--into", "1", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["dry_run"] is False and got["changed"] is True
    assert got["counts"]["node"] == {"added": 1, "updated": 2, "removed": 1, "unchanged": 2,
                                     "kept": 1}
    assert [r["name"] for r in got["removed_with_links"]] == ["Task 2"]
    with open_workspace(wsfile, read_only=True) as ws:
        names = sorted(r["name"] for r in P.load_map_data(ws, 1).nodes)
    assert "Task 1 (revised)" in names and "Task 2" not in names
    assert qms(["verify", str(wsfile)]) == 0
    capsys.readouterr()
    # the same file again: nothing left to do
    assert qms(["import", "bpmn", str(wsfile), str(edited), "--into", "A.1.0"]) == 0
    assert "the map already matches the file" in capsys.readouterr().out


def test_cli_into_errors_are_one_sentence(wsfile, corpus_dir, tmp_path, capsys):
    before = _snapshot_file(wsfile)
    src = str(corpus_dir / "bpmn" / "A.1.0.bpmn")
    assert qms(["import", "bpmn", str(wsfile), src, "--into", "Nope"]) == 1
    assert capsys.readouterr().err.startswith("qms: There is no process “Nope”")
    notes = tmp_path / "notes.bpmn"
    notes.write_text("not a model", encoding="utf-8")
    assert qms(["import", "bpmn", str(wsfile), str(notes), "--into", "1"]) == 1
    assert "not well-formed XML" in capsys.readouterr().err
    assert qms(["import", "drawio", str(wsfile), src, "--into", "1"]) == 1
    assert "BPMN model, not a draw.io diagram" in capsys.readouterr().err
    assert qms(["import", "bpmn", str(wsfile), src, "--into", "1", "--name", "X"]) == 2
    assert "--name cannot be used with --into" in capsys.readouterr().err
    assert _snapshot_file(wsfile) == before


def test_cli_without_into_still_creates_and_dry_run_creates_nothing(wsfile, corpus_dir, capsys):
    src = str(corpus_dir / "bpmn" / "A.2.0.bpmn")
    assert qms(["import", "bpmn", str(wsfile), src, "--dry-run"]) == 0
    assert "would create process “A.2.0”: 8 shapes" in capsys.readouterr().out
    assert qms(["info", str(wsfile), "--json"]) == 0
    assert '"processes": 1' in capsys.readouterr().out
    assert qms(["import", "bpmn", str(wsfile), src]) == 0
    assert "created process 2 “A.2.0”" in capsys.readouterr().out


# --------------------------------------------------------------------------- bulk map edits


def test_adopting_keys_alone_is_a_write_and_then_a_no_op(ws, tmp_path):
    pid = P.add_process(ws, {"name": "Drawn here"}).result
    a = P.add_node(ws, pid, "start", 0, 0).result
    b = P.add_node(ws, pid, "step", 100, 0, name="Do it").result
    P.add_edge(ws, pid, a, b)
    out = P.export_bpmn_file(ws, pid, tmp_path / "drawn.bpmn")
    P.update_map_from_file(ws, pid, out, "bpmn").result  # stores the exported route (and keys)
    with ws.session() as s:  # keys forgotten: as drawn in Workbench
        for row in s.query(m.ProcessNode).filter_by(process_id=pid):
            row.key = ""
    dry = P.update_map_from_file(ws, pid, out, "bpmn", dry_run=True).result
    assert not dry.changed and dry.keys_adopted == 2 and dry.writes
    assert dry.as_dict()["writes"] is True and dry.as_dict()["keys_adopted"] == 2
    trail = head(ws)
    rep = P.update_map_from_file(ws, pid, out, "bpmn").result
    assert rep.keys_adopted == 2 and head(ws) != trail  # the keys were stored (audited)
    again = P.update_map_from_file(ws, pid, out, "bpmn").result
    assert again.keys_adopted == 0 and not again.writes
    assert verify(ws).ok


def _big_map(ws, n: int):
    from qms_desktop.core.processmap import Edge, Lane, Node, ProcessMap

    lanes = [Lane("L1", "One", 0, 0, n * 10.0 + 200, 150, 0),
             Lane("L2", "Two", 0, 150, n * 10.0 + 200, 150, 1)]
    nodes = [Node(f"n{i}", "step", name=f"Step {i}", x=i * 10.0, y=20, w=100, h=50, lane="L1")
             for i in range(n)]
    edges = [Edge(f"e{i}", f"n{i}", f"n{i + 1}") for i in range(n - 1)]
    pid = P.save_map(ws, ProcessMap(nodes, edges, lanes), name="Big").result
    data = P.load_map_data(ws, pid)
    lanes_by = {r["key"]: r["id"] for r in data.lanes}
    return pid, [r["id"] for r in data.nodes], [r["id"] for r in data.edges], lanes_by


class _Counter:
    """Flushes (before_flush of any session) and SQL statements on the workspace's engine."""

    def __init__(self, ws):
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        self.ws, self.flushes, self.statements = ws, 0, 0
        self._event, self._session = event, Session

    def _flush(self, *_a) -> None:
        self.flushes += 1

    def _statement(self, *_a) -> None:
        self.statements += 1

    def __enter__(self):
        self._event.listen(self._session, "before_flush", self._flush)
        self._event.listen(self.ws.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *_exc):
        self._event.remove(self._session, "before_flush", self._flush)
        self._event.remove(self.ws.engine, "before_cursor_execute", self._statement)


def test_bulk_map_edits_flush_once_and_load_rows_in_bulk(ws):
    """Moving 1,200 shapes, undoing and redoing the move: a few bulk SELECTs (500 ids each) and
    at most ONE flush, not one get() (and one autoflush) per row; the audit trail still records
    every change."""
    n = 1200
    pid, nids, eids, lanes = _big_map(ws, n)
    set_geometry(ws, edges={eids[0]: "[[1, 2], [3, 4]]", eids[-1]: "[[5, 6], [7, 8]]"})
    before = geometry(ws, pid)
    old = P.positions(ws, nids)

    with _Counter(ws) as c:
        moved = P.move_nodes(ws, {i: (5.0, 200.0) for i in nids}, {nids[0]: lanes["L2"]})
    assert c.flushes == 1 and c.statements < 30
    assert set(P.positions(ws, nids).values()) == {(5.0, 200.0)}
    assert {r["waypoints"] for r in P.load_map_data(ws, pid).edges} == {""}

    with _Counter(ws) as c:
        records.invert(ws, moved.changeset)
    assert c.flushes <= 1 and c.statements < 30
    assert P.positions(ws, nids) == old
    rows = {r["id"]: r for r in P.load_map_data(ws, pid).edges}
    assert rows[eids[0]]["waypoints"] == "[[1, 2], [3, 4]]"
    assert rows[eids[-1]]["waypoints"] == "[[5, 6], [7, 8]]"
    assert geometry(ws, pid) == before

    with _Counter(ws) as c:
        records.reapply(ws, moved.changeset)
    assert c.flushes <= 1 and c.statements < 30
    assert set(P.positions(ws, nids).values()) == {(5.0, 200.0)}
    records.invert(ws, moved.changeset)
    assert geometry(ws, pid) == before
    ok = verify(ws)  # every change is in the audit trail, chained
    assert ok.ok, ok.first_problem


def test_undo_of_a_move_with_a_missing_shape_among_many_changes_nothing(ws):
    pid, nids, _eids, _lanes = _big_map(ws, 600)
    moved = P.move_nodes(ws, {i: (3.0, 3.0) for i in nids})
    records.delete(ws, "process_node", nids[300])
    before, trail = _map_rows(ws, pid), head(ws)
    with pytest.raises(records.RecordError, match=f"{nids[300]} no longer exists"):
        records.invert(ws, moved.changeset)
    assert _map_rows(ws, pid) == before and head(ws) == trail
    moves = {i: (1.0, 1.0) for i in nids if i != nids[300]}
    moves[999_999] = (2.0, 2.0)
    with pytest.raises(records.RecordError, match="no longer exists"):
        P.move_nodes(ws, moves)
    assert _map_rows(ws, pid) == before and head(ws) == trail


# --------------------------------------------------------------------------- own exports


def _laned_process(ws, code: str = "CP-02", name: str = "Order to delivery") -> int:
    """A map as made in Workbench (the demo's shape): lanes, no pool, keyed rows."""
    from qms_desktop.core.processmap import Edge, Lane, Node, ProcessMap

    pm = ProcessMap(
        nodes=[Node("start", "start", name="Order in", x=60, y=50, w=36, h=36, lane="sales"),
               Node("enter", "step", name="Enter order", x=160, y=40, w=120, h=60, lane="sales"),
               Node("make", "step", name="Make parts", x=360, y=190, w=120, h=60, lane="prod"),
               Node("end", "end", name="Shipped", x=560, y=200, w=36, h=36, lane="prod")],
        edges=[Edge("f1", "start", "enter"), Edge("f2", "enter", "make"),
               Edge("f3", "make", "end")],
        lanes=[Lane("sales", "Sales", 0, 0, 700, 150, 0),
               Lane("prod", "Production", 0, 150, 700, 150, 1)])
    pid = P.save_map(ws, pm, name=name).result
    records.update_fields(ws, "process", pid, {"code": code})
    return pid


def test_reimporting_an_unchanged_export_adds_no_pool_and_writes_nothing(ws, tmp_path):
    """The export puts a pool around the lanes (BPMN tools expect one); re-importing that file
    into its process must not add it: the map already matches, nothing is written."""
    pid = _laned_process(ws)
    out = P.export_bpmn_file(ws, pid, tmp_path / "x.bpmn")
    assert b"<participant" in out.read_bytes()  # the made-up pool is in the file
    before, trail = map_dump(ws, pid), head(ws)
    for dry in (True, False):
        rep = P.update_map_from_file(ws, pid, out, "bpmn", dry_run=dry).result
        assert {it.action for it in rep.items} == {"unchanged"}
        assert not any(it.kind == "pool" for it in rep.items)
        assert all(not it.fields for it in rep.items)
        assert not rep.changed and not rep.writes and not rep.map_extra_changed
        assert "already matches" in rep.summary()
    assert map_dump(ws, pid) == before and head(ws) == trail
    # the same map exported under another title (as the map editor did) matches too
    from qms_desktop.services.exports.bpmn import write_bpmn

    pm, _ids = P.load_map(ws, pid)
    titled = tmp_path / "titled.bpmn"
    titled.write_bytes(write_bpmn(pm, name="CP-02 Order to delivery"))
    assert not P.update_map_from_file(ws, pid, titled, "bpmn").result.writes
    assert head(ws) == trail


def test_export_names_the_file_after_the_bare_process_name(ws):
    from lxml import etree

    pid = _laned_process(ws)
    root = etree.fromstring(P.export_bpmn_bytes(ws, pid))
    ns = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    assert root.get("name") == "Order to delivery"
    assert root.find(f"{ns}collaboration/{ns}participant").get("name") == "Order to delivery"
    assert root.find(f"{ns}process").get("name") == "Order to delivery"


def test_an_edited_export_updates_and_still_adds_no_pool(ws, tmp_path):
    pid = _laned_process(ws)
    out = P.export_bpmn_file(ws, pid, tmp_path / "x.bpmn")
    out.write_bytes(out.read_bytes().replace(b'name="Make parts"', b'name="Machine parts"'))
    rep = P.update_map_from_file(ws, pid, out, "bpmn").result
    assert [(it.action, it.name) for it in rep.items
            if it.action != "unchanged" and it.entity != "edge"] == [("updated", "Machine parts")]
    assert not rep.of("added")
    kinds = [r["kind"] for r in P.load_map_data(ws, pid).nodes]
    assert "pool" not in kinds
    # exported again, the file has its pool back (marked), and re-imports as a no-op
    again = P.export_bpmn_file(ws, pid, tmp_path / "y.bpmn")
    assert b'qms:generated="true"' in again.read_bytes()
    assert not P.update_map_from_file(ws, pid, again, "bpmn").result.writes
    assert verify(ws).ok


def test_a_real_pool_from_another_tool_is_still_added(ws, tmp_path):
    """A pool without Workbench's mark (drawn in bpmn.io / Camunda) is imported as a pool."""
    pid = _laned_process(ws)
    out = P.export_bpmn_file(ws, pid, tmp_path / "x.bpmn")
    out.write_bytes(out.read_bytes().replace(b' qms:generated="true"', b""))
    rep = P.update_map_from_file(ws, pid, out, "bpmn").result
    added = [it for it in rep.items if it.action == "added"]
    assert [(it.entity, it.kind, it.name) for it in added] == [
        ("node", "pool", "Order to delivery")]
    assert "pool" in [r["kind"] for r in P.load_map_data(ws, pid).nodes]
    assert verify(ws).ok


def test_report_fields_are_user_words():
    assert P.fields_text(["name", "extra"]) == "name, layout details"
    assert P.fields_text(["target_id", "extra"]) == "target, layout details"
    assert P.fields_text(["x", "y", "w", "source_id"]) == "position, size, source"
    assert "extra" not in P.fields_text(list(P.FIELD_LABELS))
    assert "_" not in P.fields_text(["some_new_id"])


def test_cli_report_of_an_update_shows_user_words(wsfile, corpus_dir, tmp_path, capsys):
    edited = write_modified(corpus_dir, tmp_path / "A.1.0.bpmn")
    assert qms(["import", "bpmn", str(wsfile), str(edited), "--into", "A.1.0", "--dry-run"]) == 0
    out = capsys.readouterr().out
    updated = [ln for ln in out.splitlines() if ln.startswith("updated")]
    assert updated and all("extra" not in ln and "_id" not in ln for ln in updated)
    assert "Task 3  (position, layout details)" in out and "Task 1 (revised)  (name)" in out
