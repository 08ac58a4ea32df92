"""Shared by the map-update tests: a modified copy of the corpus file A.1.0 and a process
imported from it with Workbench data on its steps (links, role, description, hand-drawn shapes).

A.1.0 is Start Event -> Task 1 -> Task 2 -> Task 3 -> End Event. The modified copy, as a
modeller would save it: Task 1 renamed, Task 2 removed (with its two flows), Task 4 added
between Task 1 and Task 3, Task 3 moved 100 px down.
"""

from __future__ import annotations

from pathlib import Path

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

START = "_93c466ab-b271-4376-a427-f4c353d55ce8"
T1 = "_ec59e164-68b4-4f94-98de-ffb1c58a84af"
T2 = "_820c21c0-45f3-473b-813f-06381cc637cd"
T3 = "_e70a6fcb-913c-4a7b-a65d-e83adc73d69c"
END = "_a47df184-085b-49f7-bb82-031c84625821"
F_S1 = "_e16564d7-0c4c-413e-95f6-f668a3f851fb"
F_12 = "_d77dd5ec-e4e7-420e-bbe7-8ac9cd1df599"
F_23 = "_2aa47410-1b0e-4f8b-ad54-d6f798080cb4"
F_3E = "_8e8fe679-eb3b-4c43-a4d6-891e7087ff80"
T4, F_14, F_43 = "Task_new4", "Flow_new14", "Flow_new43"


def modified_a1(data: bytes) -> bytes:
    """The A.1.0 file after the edits described above."""
    from lxml import etree

    root = etree.fromstring(data)
    by_id = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    di = {e.get("bpmnElement"): e
          for e in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")}
    by_id[T1].set("name", "Task 1 (revised)")
    for gone in (T2, F_12, F_23):
        by_id[gone].getparent().remove(by_id[gone])
        di[gone].getparent().remove(di[gone])
    for ref in list(root.iter(f"{{{MODEL}}}incoming", f"{{{MODEL}}}outgoing")):
        if ref.text in (F_12, F_23):
            ref.getparent().remove(ref)
    bounds = di[T3].find(f"{{{DC}}}Bounds")
    bounds.set("y", str(float(bounds.get("y")) + 100))
    proc = by_id[T1].getparent()
    etree.SubElement(proc, f"{{{MODEL}}}task", id=T4, name="Task 4")
    etree.SubElement(proc, f"{{{MODEL}}}sequenceFlow", id=F_14, sourceRef=T1, targetRef=T4)
    etree.SubElement(proc, f"{{{MODEL}}}sequenceFlow", id=F_43, sourceRef=T4, targetRef=T3)
    plane = di[T1].getparent()
    shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=T4 + "_di", bpmnElement=T4)
    etree.SubElement(shape, f"{{{DC}}}Bounds", x="390", y="317", width="83", height="68")
    for fid, pts in ((F_14, [(341, 351), (390, 351)]), (F_43, [(473, 351), (522, 451)])):
        e = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=fid + "_di", bpmnElement=fid)
        for x, y in pts:
            etree.SubElement(e, f"{{{DI}}}waypoint", x=str(x), y=str(y))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def write_modified(corpus_dir: Path, out: Path) -> Path:
    out.write_bytes(modified_a1((corpus_dir / "bpmn" / "A.1.0.bpmn").read_bytes()))
    return out


def seed_a1(ws, corpus_dir: Path) -> dict:
    """A.1.0 imported as a process, then enriched in Workbench: Task 1, 2 and 3 each linked to
    a document, a record, a risk and a KPI; Task 1 given a role, a description and a duration;
    a hand-drawn step connected to Task 1 and to Task 2."""
    from qms_desktop.services import processes as P
    from qms_desktop.services import records
    from qms_desktop.storage import models as m

    pid = P.import_map_file(ws, corpus_dir / "bpmn" / "A.1.0.bpmn", "bpmn").result.process_id
    _pm, ids = P.load_map(ws, pid)
    with ws.session() as s:
        role = m.Role(name="Planner")
        s.add(role)
        s.flush()
        role_id = role.id
    links: dict[str, dict[str, int]] = {}
    for key in (T1, T2, T3):
        nid = ids[key]
        short = {T1: "1", T2: "2", T3: "3"}[key]
        doc = records.create(ws, "document", {"number": f"SOP-{short}", "title": f"Doc {short}"}).result
        rec = records.create(ws, "document", {"number": f"REC-{short}", "title": f"Rec {short}"}).result
        risk = records.create(ws, "risk", {"ref": f"R-{short}", "title": f"Risk {short}"}).result
        obj = records.create(ws, "objective", {"ref": f"K-{short}", "title": f"KPI {short}"}).result
        P.set_link(ws, nid, "document", doc, True)
        P.set_link(ws, nid, "record", rec, True)
        P.set_link(ws, nid, "risk", risk, True)
        P.set_link(ws, nid, "objective", obj, True)
        links[key] = {"document": doc, "record": rec, "risk": risk, "objective": obj}
    records.update_fields(ws, "process_node", ids[T1], {
        "role_id": role_id, "description": "Check the order against the quotation.",
        "duration_minutes": 15.0})
    hand = P.add_node(ws, pid, "step", 300, 500, name="Hand-drawn check").result
    e_keep = P.add_edge(ws, pid, ids[T1], hand).result
    e_gone = P.add_edge(ws, pid, hand, ids[T2]).result
    return {"pid": pid, "ids": ids, "role": role_id, "links": links, "hand": hand,
            "edge_kept": e_keep, "edge_gone": e_gone}


def two_lane_map(ws, *, with_make: bool = False) -> dict:
    """A map "Order" with two lanes (roles Sales clerk, Machinist): steps Check → Quote in the
    first lane (the connector with stored bends), and with ``with_make`` a step Make in the
    second lane joined from Quote (bends stored too)."""
    from qms_desktop.services import processes as P
    from qms_desktop.services.map_geometry import set_geometry
    from qms_desktop.storage import models as m

    with ws.session() as s:
        r1, r2 = m.Role(name="Sales clerk"), m.Role(name="Machinist")
        s.add_all([r1, r2])
        s.flush()
        roles = (r1.id, r2.id)
    pid = P.add_process(ws, {"name": "Order"}).result
    l1 = P.add_lane(ws, pid, "Sales clerk", roles[0]).result
    l2 = P.add_lane(ws, pid, "Machinist", roles[1]).result
    a = P.add_node(ws, pid, "step", 100, 40, name="Check", lane_id=l1).result
    b = P.add_node(ws, pid, "step", 300, 40, name="Quote", lane_id=l1).result
    out = {"pid": pid, "roles": roles, "lanes": (l1, l2), "a": a, "b": b}
    if with_make:
        out["c"] = P.add_node(ws, pid, "step", 300, 200, name="Make", lane_id=l2).result
    out["e1"] = P.add_edge(ws, pid, a, b).result
    bends = {out["e1"]: "[[220, 70], [300, 70]]"}
    if with_make:
        out["e2"] = P.add_edge(ws, pid, b, out["c"]).result
        bends[out["e2"]] = "[[350, 120], [350, 200]]"
    set_geometry(ws, edges=bends)
    return out
