"""Procedure sections generated from a process map (services/procedure_gen.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.services import processes, procedure_gen, records, risks, training
from qms_desktop.services.procedure_gen import generate_sections, md_escape
from qms_desktop.services.records import RecordError
from qms_desktop.storage.workspace import create_workspace


def _doc(ws, number, title, kind="procedure", revision=""):
    did = records.create(ws, "document", {"number": number, "title": title, "kind": kind,
                                          "status": "effective" if revision else "draft",
                                          "current_revision": revision}).result
    if revision:
        records.create(ws, "revision", {"document_id": did, "number": revision,
                                        "status": "effective",
                                        "issued_on": dt.date(2026, 1, 5),
                                        "effective_on": dt.date(2026, 1, 10)})
    return did


def build_order_map(ws):
    """Order intake: start → check drawing → decision (Yes → inspect → end; No → request
    missing data → back to check drawing); inspect makes a record shape; one step on its
    own; a risk on a step; a course for a lane's role and one for the procedure used."""
    sales = training.add_role(ws, "Sales Engineer").result
    insp = training.add_role(ws, "Quality Inspector").result
    pid = processes.add_process(ws, {
        "code": "CP-09", "name": "Order intake", "owner_role_id": sales,
        "purpose": "Accept only orders we can deliver.",
        "inputs": "Customer orders, drawings", "outputs": "Accepted orders"}).result
    lane_s = processes.add_lane(ws, pid, "Sales", sales).result
    lane_q = processes.add_lane(ws, pid, "Quality", insp).result

    def node(kind, name, lane, x):
        return processes.add_node(ws, pid, kind, x, 0.0, name=name, lane_id=lane).result

    start = node("start", "Order received", lane_s, 0)
    check = node("step", "Check the drawing revision", lane_s, 100)
    complete = node("decision", "Order complete?", lane_s, 200)
    request = node("step", "Request missing data", lane_s, 300)
    inspect = node("step", "Inspect sample", lane_q, 300)
    report = node("record", "Inspection report", lane_q, 400)
    end = node("end", "Order accepted", lane_q, 500)
    node("step", "Archive old orders", lane_s, 600)
    for s, t, label in [(start, check, ""), (check, complete, ""),
                        (complete, inspect, "Yes"), (complete, request, "No"),
                        (request, check, ""), (inspect, end, "")]:
        processes.add_edge(ws, pid, s, t, label=label)
    processes.add_edge(ws, pid, inspect, report, kind="association")
    sop = _doc(ws, "SOP-004", "Order review", revision="C")
    form = _doc(ws, "F-004-1", "Order checklist", kind="form")
    processes.set_link(ws, check, "document", sop, True)
    processes.set_link(ws, check, "record", form, True)
    rid = risks.add_risk(ws, {"ref": "R-012", "title": "Wrong material",
                              "inherent_likelihood": 4, "inherent_impact": 4}).result
    processes.set_link(ws, check, "risk", rid, True)
    training.add_course(ws, {"code": "TR-01", "title": "Drawing reading"}, [sales])
    training.add_course(ws, {"code": "RU-004", "title": "Read SOP-004",
                             "kind": "read_and_understood", "document_id": sop})
    other = _doc(ws, "SOP-099", "Unrelated procedure", revision="A")
    training.add_course(ws, {"code": "RU-099", "title": "Read SOP-099",
                             "kind": "read_and_understood", "document_id": other}, [insp])
    training.add_course(ws, {"code": "CMM-01", "title": "CMM operation"}, [insp])
    return pid


EXPECTED = {
    "purpose": "Accept only orders we can deliver.",
    "scope": (
        "This procedure covers the process CP-09 Order intake, from “Order received” to "
        "“Order accepted”.\n"
        "\n"
        "- **Inputs:** Customer orders, drawings\n"
        "- **Outputs:** Accepted orders"),
    "responsibilities": (
        "R = carries out the step (its lane on the map); A = accountable for the process as "
        "its owner. Numbers are the steps in section Procedure.\n"
        "\n"
        "| Role | Carries out (R) | Decides | Accountable (A) |\n"
        "|---|---|---|---|\n"
        "| Sales Engineer | 1, 4, 5 | 2 | A |\n"
        "| Quality Inspector | 3 | — |  |"),
    "procedure": (
        "The procedure starts when: *Order received*.\n"
        "\n"
        "1. **Sales Engineer** — Check the drawing revision (uses SOP-004 rev. C). "
        "Record: F-004-1.\n"
        "2. **Decision: Order complete?** (Sales Engineer) — *Yes:* continue with step 3; "
        "*No:* go to step 4 (Request missing data).\n"
        "3. **Quality Inspector** — Inspect sample. Record: Inspection report. "
        "The process ends (*Order accepted*).\n"
        "4. **Sales Engineer** — Request missing data. "
        "Then go back to step 1 (Check the drawing revision).\n"
        "\n"
        "**Other steps** (on the map, but not reached from its start):\n"
        "\n"
        "5. **Sales Engineer** — Archive old orders. The map shows no next step."),
    "records": (
        "- **Inspection report** — made at step 3 (Inspect sample)\n"
        "- **F-004-1 Order checklist** — made at step 1 (Check the drawing revision)"),
    "references": (
        "**Documents**\n"
        "\n"
        "- F-004-1 Order checklist — step 1\n"
        "- SOP-004 rev. C Order review — step 1\n"
        "\n"
        "**Risks and opportunities**\n"
        "\n"
        "- R-012 Wrong material (High) — step 1 (Check the drawing revision)\n"
        "\n"
        "**Required training**\n"
        "\n"
        "- CMM-01 CMM operation — Quality Inspector\n"
        "- RU-004 Read SOP-004 — Sales Engineer\n"
        "- TR-01 Drawing reading — Sales Engineer"),
}


def test_sections_of_a_map_read_as_a_procedure(ws):
    got = generate_sections(ws, build_order_map(ws))
    assert list(got) == list(procedure_gen.GENERATED_KEYS)
    assert "definitions" not in got
    assert got == EXPECTED


def test_same_map_same_text_byte_for_byte(ws, tmp_path):
    pid = build_order_map(ws)
    first = generate_sections(ws, pid)
    assert generate_sections(ws, pid) == first
    other = create_workspace(tmp_path / "other.qms", organization="Other", user="tester")
    try:
        assert generate_sections(other, build_order_map(other)) == first
    finally:
        other.close()
    # moving shapes does not change the text: the order follows the flow, not positions
    nodes = processes.load_map_data(ws, pid).nodes
    processes.move_nodes(ws, {n["id"]: (1000.0 - n["x"], 50.0) for n in nodes})
    assert generate_sections(ws, pid) == first


def test_unknown_process_is_refused(ws):
    with pytest.raises(RecordError):
        generate_sections(ws, 999)


def test_empty_map(ws):
    pid = processes.add_process(ws, {"name": "Nothing yet"}).result
    got = generate_sections(ws, pid)
    assert got == {"purpose": "", "scope": "This procedure covers the process Nothing yet.",
                   "responsibilities": "", "procedure": "", "records": "",
                   "references": ""}


def _plain(ws, name="Plain"):
    pid = processes.add_process(ws, {"name": name}).result
    return pid, (lambda kind, label="": processes.add_node(
        ws, pid, kind, 0.0, 0.0, name=label).result)


def test_map_without_start_events_starts_where_nothing_flows_in(ws):
    pid, node = _plain(ws)
    b = node("step", "Second")
    a = node("step", "First")
    processes.add_edge(ws, pid, a, b)
    text = generate_sections(ws, pid)["procedure"]
    assert text == "1. First.\n2. Second. The map shows no next step."


def test_a_pure_cycle_is_listed_once_with_a_reference_back(ws):
    pid, node = _plain(ws)
    a, b, c = node("step", "Measure"), node("step", "Adjust"), node("step", "Check")
    for s, t in [(a, b), (b, c), (c, a)]:
        processes.add_edge(ws, pid, s, t)
    assert generate_sections(ws, pid)["procedure"] == (
        "1. Measure.\n2. Adjust.\n3. Check. Then go back to step 1 (Measure).")


def test_decisions_without_labels_merges_and_parallel_work(ws):
    pid, node = _plain(ws)
    start = node("start")
    d = node("decision", "Urgent?")
    fast, slow = node("step", "Ship by courier"), node("step", "Ship by post")
    merge = node("decision")           # an unnamed merging gateway gets no number
    split = processes.add_node(ws, pid, "decision", 0, 0).result
    records.update_fields(ws, "process_node", split, {"bpmn_type": "parallelGateway"})
    inv, mail = node("step", "Invoice"), node("step", "Mail confirmation")
    end = node("end")
    for s, t in [(start, d), (d, fast), (d, slow), (fast, merge), (slow, merge),
                 (merge, split), (split, inv), (split, mail), (inv, end), (mail, end)]:
        processes.add_edge(ws, pid, s, t)
    assert generate_sections(ws, pid)["procedure"] == (
        "1. **Decision: Urgent?** — *Option 1:* continue with step 2; "
        "*Option 2:* go to step 3 (Ship by post).\n"
        "2. Ship by courier. Then carry out step 4 (Invoice) and "
        "step 5 (Mail confirmation) in parallel.\n"
        "3. Ship by post. Then carry out step 4 (Invoice) and "
        "step 5 (Mail confirmation) in parallel.\n"
        "4. Invoice. The process ends.\n"
        "5. Mail confirmation. The process ends.")


def test_hostile_labels_never_become_formatting(ws):
    role = training.add_role(ws, "QA | *Lead*").result
    pid = processes.add_process(ws, {"name": "# Heading_like", "owner_role_id": role,
                                      "purpose": "- not a bullet\n1. not a list"}).result
    lane = processes.add_lane(ws, pid, "L", role).result
    long = "Check " + "very " * 40 + "long label"
    a = processes.add_node(ws, pid, "step", 0, 0, name="1. *bold* _x_ | `code`",
                           lane_id=lane).result
    d = processes.add_node(ws, pid, "decision", 0, 0, name="## OK?", lane_id=lane).result
    b = processes.add_node(ws, pid, "step", 0, 0, name=long, lane_id=lane).result
    c = processes.add_node(ws, pid, "step", 0, 0, name="- dash\nnew line", lane_id=lane).result
    processes.add_edge(ws, pid, a, d)
    processes.add_edge(ws, pid, d, b, label="*yes*")
    processes.add_edge(ws, pid, d, c)
    processes.add_edge(ws, pid, c, a)
    got = generate_sections(ws, pid)
    assert got["purpose"] == "\\- not a bullet\n\n1\\. not a list"
    proc = got["procedure"].split("\n")
    assert proc[0] == "1. **QA \\| \\*Lead\\*** — 1\\. \\*bold\\* \\_x\\_ \\| \\`code\\`."
    assert proc[1].startswith("2. **Decision: \\## OK?** (QA \\| \\*Lead\\*) — "
                              "*\\*yes\\*:* continue with step 3; *Otherwise:* go to step 4 "
                              "(\\- dash new line).")
    assert proc[2] == f"3. **QA \\| \\*Lead\\*** — {long}. The map shows no next step."
    assert proc[3] == ("4. **QA \\| \\*Lead\\*** — \\- dash new line. "
                       "Then go back to step 1 (1\\. \\*bold\\* \\_x\\_ \\| \\`code\\`).")
    table = got["responsibilities"].split("\n")
    assert table[-1] == "| QA \\| \\*Lead\\* | 1, 3, 4 | 2 | A |"
    assert "This procedure covers the process \\# Heading\\_like." == got["scope"]
    # read back by the section parser: one numbered list, every label as typed
    from qms_desktop.core import richtext

    blocks = richtext.parse(got["procedure"])
    assert len(blocks) == 1 and [i.number for i in blocks[0].items] == [1, 2, 3, 4]
    first = richtext.plain_text(blocks[0].items[0].runs)
    assert first == "QA | *Lead* — 1. *bold* _x_ | `code`."


def test_long_labels_are_cut_only_where_another_step_refers_to_them(ws):
    pid, node = _plain(ws)
    long = "Word " * 30 + "end"
    a, b = node("step", long), node("step", "Then")
    processes.add_edge(ws, pid, a, b)
    processes.add_edge(ws, pid, b, a)
    text = generate_sections(ws, pid)["procedure"]
    assert f"1. {long}." in text
    assert text.endswith("2. Then. Then go back to step 1 (" + "Word " * 11 + "Word…).")


@pytest.mark.parametrize("text,escaped", [
    ("plain words", "plain words"), ("a*b", "a\\*b"), ("# x", "\\# x"), ("## x", "\\## x"),
    ("12. x", "12\\. x"), ("3) x", "3\\) x"), ("+ x", "\\+ x"), ("> x", "\\> x"),
    ("x - y 1. z", "x - y 1. z"), ("back\\slash", "back\\\\slash"),
    ("  many\n  lines ", "many lines"), ("[link](x)", "\\[link\\](x)"),
])
def test_md_escape(text, escaped):
    assert md_escape(text) == escaped


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    from qms_desktop.services.demo import create_demo
    from qms_desktop.storage.workspace import open_workspace

    path = create_demo(tmp_path_factory.mktemp("demo") / "demo.qms",
                       today=dt.date(2026, 12, 5))
    w = open_workspace(path, read_only=True)
    yield w
    w.close()


def test_every_demo_process_gives_a_procedure(demo_ws):
    rows = processes.list_processes(demo_ws)
    assert rows
    for row in rows:
        got = generate_sections(demo_ws, row.id)
        assert got["procedure"], row.code
        assert got["responsibilities"].count("| A |") == 1, row.code
        assert "Other steps" not in got["procedure"], row.code
        assert got == generate_sections(demo_ws, row.id)


def test_demo_loops_and_sub_processes(demo_ws):
    pid = processes.process_id_by_ref(demo_ws, "CP-02")
    text = generate_sections(demo_ws, pid)["procedure"]
    assert ("5. **Decision: First-off OK?** (Quality Inspector) — *Yes:* continue with step 6; "
            "*No:* go back to step 4 (Set up machine and produce first-off).") in text
    assert ("11. **Quality Inspector** — Control of nonconforming product (sub-process: see "
            "process SP-02 Control of nonconforming product). Then go back to step 7 "
            "(Final inspection).") in text
