"""Undo of the map update (a re-import into an existing process: one undo step restoring rows
and links exactly, redo too) and undo of a move into another lane in ONE transaction — both
through the one undo command (``controller.edit``)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from dumps import map_dump  # noqa: E402
from map_update_helpers import T2, seed_a1, two_lane_map, write_modified  # noqa: E402
from sqlalchemy import event  # noqa: E402

from qms_desktop.services import processes as P  # noqa: E402
from qms_desktop.services import records  # noqa: E402
from qms_desktop.services.verify import verify  # noqa: E402


def test_update_map_command_undo_and_redo_restore_rows_and_links_exactly(
        controller, ws, corpus_dir, tmp_path):
    seed = seed_a1(ws, corpus_dir)
    pid = seed["pid"]
    got = P.read_map(write_modified(corpus_dir, tmp_path / "edited.bpmn"), "bpmn")
    before = map_dump(ws, pid)
    report = controller.edit("Update map", lambda w: P.merge_map(
        w, pid, got.map, source_name=got.name, warnings=got.warnings))
    assert controller.undo_stack.count() == 1
    assert report.process_id == pid and report.changed
    after = map_dump(ws, pid)
    assert after != before
    assert "Task 2" not in {r["name"] for r in P.load_map_data(ws, pid).nodes}

    controller.undo()
    assert map_dump(ws, pid) == before  # rows, ids, links and the risk's step
    assert records.get(ws, "risk", seed["links"][T2]["risk"])["node_id"] == seed["ids"][T2]
    controller.redo()
    assert map_dump(ws, pid) == after  # the very same rows (same ids) again
    controller.undo()
    assert map_dump(ws, pid) == before
    ok = verify(ws)
    assert ok.ok, ok.first_problem
    assert not controller.errors


def test_update_map_command_of_an_identical_file_leaves_no_trace(controller, ws, corpus_dir):
    path = corpus_dir / "bpmn" / "A.4.0.bpmn"
    pid = P.import_map_file(ws, path, "bpmn").result.process_id
    before, trail = map_dump(ws, pid), ws.head_hash()
    got = P.read_map(path, "bpmn")
    report = controller.edit("Update map", lambda w: P.merge_map(w, pid, got.map,
                                                                  source_name=got.name))
    assert not report.changed
    assert controller.undo_stack.count() == 0  # nothing changed: no undo step
    controller.undo()
    controller.redo()
    assert map_dump(ws, pid) == before and ws.head_hash() == trail


def _lane_map(ws):
    t = two_lane_map(ws)
    return t["pid"], t["roles"], t["lanes"], (t["a"], t["b"]), t["e1"]


def _rows(ws, pid):
    d = P.load_map_data(ws, pid)
    return d.nodes, d.edges, d.lanes


def test_undo_of_a_move_into_another_lane_is_one_transaction(controller, ws, monkeypatch):
    pid, roles, (l1, l2), (a, b), e1 = _lane_map(ws)
    before = _rows(ws, pid)
    assert controller.edit("Move", lambda w: P.move_nodes(w, {a: (100, 200), b: (320, 40)},
                                                          {a: l2}))
    row = records.get(ws, "process_node", a)
    assert (row["lane_id"], row["role_id"]) == (l2, roles[1])
    assert records.get(ws, "process_edge", e1)["waypoints"] == ""
    after = _rows(ws, pid)

    sessions, commits = [], []
    real_session = ws.session
    monkeypatch.setattr(ws, "session", lambda: sessions.append(1) or real_session())

    def on_commit(conn):
        commits.append(1)

    event.listen(ws.engine, "commit", on_commit)
    try:
        controller.undo()
    finally:
        event.remove(ws.engine, "commit", on_commit)
    assert len(sessions) == 1 and len(commits) == 1  # one unit of work, one commit
    assert _rows(ws, pid) == before  # positions, lane, role and the connector's bends
    controller.redo()
    assert _rows(ws, pid) == after
    controller.undo()
    assert _rows(ws, pid) == before
    assert verify(ws).ok
    assert not controller.errors


def test_a_refused_undo_of_a_move_changes_nothing(qtbot, controller, ws):
    pid, roles, (l1, l2), (a, b), e1 = _lane_map(ws)
    assert controller.edit("Move", lambda w: P.move_nodes(w, {a: (100, 200), b: (320, 40)},
                                                          {a: l2}))
    records.delete(ws, "process_node", b)  # gone behind the stack's back
    moved, trail = _rows(ws, pid), ws.head_hash()
    controller.undo()
    qtbot.waitUntil(lambda: bool(controller.errors))  # reported, not half-done
    assert _rows(ws, pid) == moved and ws.head_hash() == trail
