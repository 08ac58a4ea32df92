"""A small risk register for the GUI tests of the Risks page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TODAY = dt.date.today()


def seed_register(path: Path) -> dict:
    """Create a workspace at ``path`` with people, processes, steps, 12 risks (5×5, FMEA and
    both), actions (one overdue) and overdue reviews; returns the ids by name."""
    from qms_desktop.services import actions, records, risks
    from qms_desktop.storage.workspace import create_workspace

    ws = create_workspace(path, organization="Acme Precision", user="tester")
    try:
        people = {n: records.create(ws, "person", {"name": n}).result
                  for n in ("Ada Lovelace", "Ben Carter", "Chen Keller")}
        procs = {n: records.create(ws, "process", {"name": n}).result
                 for n in ("Purchasing", "Machining")}
        steps = {
            "Order material": records.create(ws, "process_node", {
                "process_id": procs["Purchasing"], "name": "Order material", "kind": "step"}).result,
            "Turn parts": records.create(ws, "process_node", {
                "process_id": procs["Machining"], "name": "Turn parts", "kind": "step"}).result,
        }
        specs = [
            # title, owner, process, method, inherent (L, I), residual (L, I), (S, O, D), review
            ("Late supplier delivery", "Ada Lovelace", "Purchasing", "5x5", (4, 3), (2, 3),
             None, -10),
            ("Wrong material grade", "Ben Carter", "Purchasing", "both", (3, 5), (2, 4),
             (8, 4, 3), 30),
            ("Tool wear drifts diameter", "Chen Keller", "Machining", "fmea", None, None,
             (7, 6, 5), 60),
            ("Burrs in cross holes", "Chen Keller", "Machining", "5x5", (5, 5), (4, 5), None,
             -1),
            ("Operator misreads drawing", "Ada Lovelace", "Machining", "5x5", (2, 2), (1, 2),
             None, 90),
            ("Gauge out of calibration", "Ben Carter", "Machining", "fmea", None, None,
             (9, 3, 7), 45),
            ("Key customer leaves", "Ada Lovelace", None, "5x5", (3, 5), (3, 4), None, 120),
            ("Energy price spike", None, None, "5x5", (4, 2), (4, 2), None, 200),
            ("New export market", "Ben Carter", None, "5x5", (2, 4), None, None, 150),
            ("Data loss on CAM server", "Chen Keller", "Machining", "both", (2, 5), (1, 5),
             (10, 2, 4), 15),
            ("Spindle failure", None, "Machining", "5x5", (3, 4), (2, 4), None, None),
            ("Unrated idea", None, None, "5x5", None, None, None, None),
        ]
        ids = {}
        for title, owner, proc, method, inh, res, fmea, review in specs:
            values = {"title": title, "method": method,
                      "owner_id": people.get(owner), "process_id": procs.get(proc)}
            if inh:
                values.update(inherent_likelihood=inh[0], inherent_impact=inh[1])
            if res:
                values.update(residual_likelihood=res[0], residual_impact=res[1])
            if fmea:
                values.update(severity=fmea[0], occurrence=fmea[1], detection=fmea[2])
            if review is not None:
                values["review_date"] = TODAY + dt.timedelta(days=review)
            if title == "New export market":
                values["kind"] = "opportunity"
            ids[title] = risks.add_risk(ws, values).result
        actions.add_action(ws, "risk", ids["Late supplier delivery"], {
            "title": "Second source for bar stock", "owner_id": people["Ada Lovelace"],
            "due_date": TODAY - dt.timedelta(days=5), "status": "open"})
        actions.add_action(ws, "risk", ids["Late supplier delivery"], {
            "title": "Safety stock", "due_date": TODAY + dt.timedelta(days=20),
            "status": "in_progress"})
        actions.add_action(ws, "risk", ids["Tool wear drifts diameter"], {
            "title": "Tool life counter", "due_date": TODAY + dt.timedelta(days=10)})
        return {"people": people, "processes": procs, "steps": steps, "risks": ids}
    finally:
        ws.close()
