"""The edit kernel against random edits: whatever a sequence of service calls did — creates,
field edits, moves into other lanes, deletes with their cascades (files attached to a deleted
record included), links, layouts, imports, attachments —
undoing every change set (``records.invert``, newest first) gives back exactly the tables we
started from, and redoing them (``records.reapply``) gives exactly the tables after the edits;
``qms verify`` passes at both ends (every undo and redo is in the audit trail)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from dumps import table_dump
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from qms_desktop.services import actions, attachments, processes, records, risks
from qms_desktop.services.verify import verify
from qms_desktop.storage.workspace import WorkspaceError, create_workspace

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
KINDS = ("step", "decision", "document", "start", "end")
TEXT = st.text(alphabet="abcdefgh ÄéØ-", min_size=1, max_size=12)


class KernelMachine(RuleBasedStateMachine):
    """Random edits through the services; each one's change set is kept for undo/redo."""

    @initialize()
    def start(self):
        self.dir = tempfile.TemporaryDirectory(prefix="qms-kernel-")
        self.ws = create_workspace(Path(self.dir.name) / "k.qms", organization="Kernel",
                                   user="machine")
        self.people = [records.create(self.ws, "person", {"name": n}).result
                       for n in ("Ann", "Ben")]
        self.roles = [records.create(self.ws, "role", {"name": n}).result
                      for n in ("Clerk", "Welder")]
        # a map with two lanes (with roles) and a few steps, so moves can change lanes
        pid = processes.add_process(self.ws, {"name": "Order"}).result
        lanes = [processes.add_lane(self.ws, pid, n, r).result
                 for n, r in zip(("Clerk", "Welder"), self.roles)]
        for i, lane in enumerate(lanes * 2):
            processes.add_node(self.ws, pid, "step", 100 + 150 * i, 40, name=f"S{i}",
                               lane_id=lane)
        risks.add_risk(self.ws, {"title": "Late", "inherent_likelihood": 3,
                                 "inherent_impact": 4})
        self.start_dump = table_dump(self.ws)
        self.history = []

    def teardown(self):
        ws = getattr(self, "ws", None)
        if ws is None:
            return
        try:
            if self.history:
                after = table_dump(ws)
                for cs in reversed(self.history):
                    records.invert(ws, cs)
                assert table_dump(ws) == self.start_dump
                ok = verify(ws)
                assert ok.ok, ok.first_problem
                for cs in self.history:
                    records.reapply(ws, cs)
                assert table_dump(ws) == after
                ok = verify(ws)
                assert ok.ok, ok.first_problem
        finally:
            ws.close()
            self.dir.cleanup()

    # -- helpers
    def _do(self, fn):
        """Run one service call; keep its change set (a refused call changes nothing)."""
        before = table_dump(self.ws)
        with self.ws.recording() as rec:
            try:
                fn(self.ws)
            except WorkspaceError:  # refused with a reason (RecordError, AttachmentError)
                assert table_dump(self.ws) == before  # all or nothing
                return
        if rec.changeset:
            self.history.append(rec.changeset)

    def _ids(self, table: str) -> list[int]:
        return [r[0] for r in table_dump(self.ws)[table]]

    def _pick(self, data, table: str):
        ids = self._ids(table)
        return data.draw(st.sampled_from(ids)) if ids else None

    # -- processes and maps
    def op_add_process(self, data):
        name = data.draw(TEXT)
        self._do(lambda ws: processes.add_process(ws, {"name": name}))

    def op_add_node(self, data):
        kind = data.draw(st.sampled_from(KINDS))
        x, y = data.draw(st.integers(0, 800)), data.draw(st.integers(0, 400))
        pid = self._pick(data, "process")
        if pid is None:
            return
        lanes = [r[0] for r in table_dump(self.ws)["process_lane"] if r[1] == pid]
        lane = data.draw(st.sampled_from([None, *lanes]))
        self._do(lambda ws: processes.add_node(ws, pid, kind, x, y, name=kind, lane_id=lane))

    def op_add_lane(self, data):
        pid = self._pick(data, "process")
        if pid is not None:
            role = data.draw(st.sampled_from(self.roles))
            self._do(lambda ws: processes.add_lane(ws, pid, "Lane", role))

    def op_add_edge(self, data):
        nodes = processes.load_map_data
        pid = self._pick(data, "process")
        if pid is None:
            return
        ids = [r["id"] for r in nodes(self.ws, pid).nodes]
        if len(ids) < 2:
            return
        a, b = data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        self._do(lambda ws: processes.add_edge(ws, pid, a, b, label="yes"))

    def op_move(self, data):
        dx, dy = data.draw(st.integers(-50, 50)), data.draw(st.integers(-200, 200))
        pid = self._pick(data, "process")
        if pid is None:
            return
        md = processes.load_map_data(self.ws, pid)
        if not md.nodes:
            return
        chosen = data.draw(st.lists(st.sampled_from(md.nodes), min_size=1, max_size=4,
                                    unique_by=lambda r: r["id"]))
        moves = {r["id"]: (r["x"] + dx, r["y"] + dy) for r in chosen}
        lanes = {}
        if md.lanes and data.draw(st.booleans()):
            lanes[chosen[0]["id"]] = data.draw(st.sampled_from([ln["id"] for ln in md.lanes]))
        self._do(lambda ws: processes.move_nodes(ws, moves, lanes or None))

    def op_delete_map_items(self, data):
        pid = self._pick(data, "process")
        if pid is None:
            return
        md = processes.load_map_data(self.ws, pid)
        nodes = data.draw(st.lists(st.sampled_from([r["id"] for r in md.nodes] or [0]),
                                   max_size=2, unique=True))
        lanes = data.draw(st.lists(st.sampled_from([r["id"] for r in md.lanes] or [0]),
                                   max_size=1, unique=True))
        self._do(lambda ws: processes.delete_items(ws, [n for n in nodes if n],
                                                   lane_ids=[ln for ln in lanes if ln]))

    def op_delete_process(self, data):
        pid = self._pick(data, "process")
        if pid is not None:
            self._do(lambda ws: records.delete(ws, "process", pid))

    def op_layout(self, data):
        pid = self._pick(data, "process")
        if pid is not None:
            self._do(lambda ws: processes.layout(ws, pid))

    def op_rename(self, data):
        name = data.draw(TEXT)
        table = data.draw(st.sampled_from(["process", "process_node", "risk", "action"]))
        rid = self._pick(data, table)
        if rid is not None:
            field = "title" if table in ("risk", "action") else "name"
            self._do(lambda ws: records.update_field(ws, table, rid, field, name))

    def op_import_map(self, data):
        if not (CORPUS / "bpmn").is_dir():
            return
        file = data.draw(st.sampled_from(["A.1.0.bpmn", "A.2.0.bpmn"]))
        self._do(lambda ws: processes.import_map_file(ws, CORPUS / "bpmn" / file, "bpmn"))

    # -- risks and actions
    def op_add_risk(self, data):
        title = data.draw(TEXT)
        lk, im = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
        node = self._pick(data, "process_node")
        values = {"title": title, "inherent_likelihood": lk, "inherent_impact": im}
        if node is not None and data.draw(st.booleans()):
            pid = records.get(self.ws, "process_node", node)["process_id"]
            values.update(process_id=pid, node_id=node)
        self._do(lambda ws: risks.add_risk(ws, values))

    def _some(self, data, table: str) -> list[int]:
        """One to three ids of ``table`` (none when it is empty)."""
        ids = self._ids(table)
        return data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3,
                                  unique=True)) if ids else []

    def op_edit_risks(self, data):
        status = data.draw(st.sampled_from(["open", "treating", "accepted", "closed"]))
        chosen = self._some(data, "risk")
        if chosen:
            self._do(lambda ws: risks.update_risks(ws, chosen, {"status": status}))

    def op_rerate(self, data):
        lk = data.draw(st.integers(1, 5))
        rid = self._pick(data, "risk")
        if rid is not None:
            self._do(lambda ws: risks.rerate(ws, rid, likelihood=lk, impact=2, note="re"))

    def op_link_risk_to_step(self, data):
        rid, node = self._pick(data, "risk"), self._pick(data, "process_node")
        if rid is not None and node is not None:
            linked = data.draw(st.booleans())
            self._do(lambda ws: processes.set_link(ws, node, "risk", rid, linked))

    def op_add_action(self, data):
        days = data.draw(st.integers(-30, 30))
        rid = self._pick(data, "risk")
        owner = data.draw(st.sampled_from([None, *self.people]))
        values = {"title": "Fix it", "owner_id": owner,
                  "due_date": dt.date(2026, 6, 1) + dt.timedelta(days=days)}
        self._do(lambda ws: actions.add_action(ws, "risk" if rid else "", rid, values))

    def op_edit_actions(self, data):
        status = data.draw(st.sampled_from(["open", "in_progress", "done", "cancelled"]))
        chosen = self._some(data, "action")
        if chosen:
            self._do(lambda ws: actions.update_actions(ws, chosen, {"status": status}))

    def op_delete_risk(self, data):
        rid = self._pick(data, "risk")
        if rid is not None:
            self._do(lambda ws: records.delete(ws, "risk", rid))

    def op_attach(self, data):
        table = data.draw(st.sampled_from(["risk", "action"]))
        rid = self._pick(data, table)
        if rid is not None:
            content = data.draw(st.sampled_from([b"%PDF-1 scan", b"photo bytes", b"x" * 300]))
            self._do(lambda ws: attachments.add(ws, table, rid, content, name="evidence.pdf"))

    def op_detach(self, data):
        aid = self._pick(data, "attachment")
        if aid is not None:
            self._do(lambda ws: attachments.remove(ws, aid))

    def op_delete_person(self, data):
        pid = self._pick(data, "person")
        if pid is not None:
            self._do(lambda ws: records.delete(ws, "person", pid))

    OPS = ("op_add_process", "op_add_node", "op_add_lane", "op_add_edge", "op_move",
           "op_delete_map_items", "op_delete_process", "op_layout", "op_rename",
           "op_import_map", "op_add_risk", "op_edit_risks", "op_rerate",
           "op_link_risk_to_step", "op_add_action", "op_edit_actions", "op_delete_risk",
           "op_delete_person", "op_attach", "op_detach")

    @rule(data=st.data())
    def step(self, data):
        """One service call, chosen evenly among all of them."""
        getattr(self, data.draw(st.sampled_from(self.OPS)))(data)

    @invariant()
    def history_is_reversible_so_far(self):
        # cheap check between steps: the newest change set undoes and redoes cleanly
        if getattr(self, "history", None):
            now = table_dump(self.ws)
            records.invert(self.ws, self.history[-1])
            records.reapply(self.ws, self.history[-1])
            assert table_dump(self.ws) == now


KernelMachine.TestCase.settings = settings(
    max_examples=12, stateful_step_count=30, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_random_edits_undo_and_redo_exactly = KernelMachine.TestCase
