"""The demo as data: the data files, their date syntax, the batch service the builder uses, and
the rule that the builder writes no rows itself (everything goes through the services)."""

from __future__ import annotations

import ast
import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qms_desktop.services import bulk, demo, records
from qms_desktop.services.bulk import NewRecord, Ref
from qms_desktop.services.demo import DemoDataError, create_demo, fill_dates, relative_date
from qms_desktop.services.processes import list_processes, load_map_data
from qms_desktop.services.records import RecordError
from qms_desktop.services.verify import verify
from qms_desktop.storage import models as m
from qms_desktop.storage.workspace import open_workspace

TODAY = dt.date(2025, 3, 14)
DEMO_PY = Path(demo.__file__)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("text, day", [
    ("today", TODAY),
    ("+14d", dt.date(2025, 3, 28)),
    ("-3m", dt.date(2024, 12, 14)),
    ("-2y", dt.date(2023, 3, 14)),
    ("+1w", dt.date(2025, 3, 21)),
    ("-180m -4d", dt.date(2010, 3, 10)),
    ("-400d +12m", dt.date(2025, 2, 8)),
    ("-1m month-end", dt.date(2025, 2, 28)),
    ("-12m month-end", dt.date(2024, 3, 31)),
    ("year-end", dt.date(2025, 12, 31)),
    ("month-start", dt.date(2025, 3, 1)),
    ("2024-02-29", dt.date(2024, 2, 29)),
])
def test_relative_dates(text, day):
    assert relative_date(text, TODAY) == day


def test_months_clamp_to_the_last_day():
    assert relative_date("-1m", dt.date(2025, 3, 31)) == dt.date(2025, 2, 28)
    assert relative_date("+1y", dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


@pytest.mark.parametrize("text", ["", "yesterday", "+3x", "14d", "-3m soon"])
def test_bad_dates_are_refused(text):
    with pytest.raises(DemoDataError):
        relative_date(text, TODAY)


def test_dates_in_text():
    assert fill_dates("Management review {-120d:%B %Y}", TODAY) == "Management review November 2024"
    assert fill_dates("IA-{-14d:%Y}-03-F01", dt.date(2025, 1, 5)) == "IA-2024-03-F01"
    # braces that hold no relative date stay as they are
    assert fill_dates('{"a": 1} and {x:y}', TODAY) == '{"a": 1} and {x:y}'


# --------------------------------------------------------------------------- the batch service


def _count(ws, model):
    with ws.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar_one()


def test_batch_creates_records_with_references_in_one_transaction(ws):
    before = verify(ws).events
    change = bulk.create_records(ws, [
        NewRecord("role", {"name": "Inspector"}, key="insp"),
        NewRecord("person", {"name": "Ada", "hired_on": "2020-01-02"}, key="ada"),
        NewRecord("person_role", {"person_id": Ref("ada"), "role_id": Ref("insp")}),
        NewRecord("person", {"name": "Bo", "active": "no"}, key="bo"),
    ])
    ids = change.result
    assert set(ids) == {"insp", "ada", "bo"}
    assert change.created("person") == [ids["ada"], ids["bo"]]
    assert change.kinds == {"role", "person", "person_role"}
    ada = records.get(ws, "person", ids["ada"])
    assert ada["hired_on"] == dt.date(2020, 1, 2)
    assert records.get(ws, "person", ids["bo"])["active"] is False
    rep = verify(ws)
    assert rep.ok and rep.events == before + 4
    # one unit of work: undone as one
    records.invert(ws, change.changeset)
    assert _count(ws, m.Person) == 0 and _count(ws, m.PersonRole) == 0
    assert verify(ws).ok


@pytest.mark.parametrize("batch, message", [
    ([NewRecord("person", {"name": "A"}), NewRecord("person", {"nmae": "B"})], "no field"),
    ([NewRecord("person", {"name": "A", "hired_on": "soon"})], "not a valid value"),
    ([NewRecord("person_role", {"person_id": Ref("x"), "role_id": Ref("y")})], "refers to"),
    ([NewRecord("person", {"name": "A"}, key="a"), NewRecord("person", {"name": "B"}, key="a")],
     "two records"),
    ([NewRecord("nothing", {})], "no kind of record"),
    ([NewRecord("person", {"id": 7, "name": "A"})], "ids are given"),
])
def test_batch_is_all_or_nothing(ws, batch, message):
    people = _count(ws, m.Person)
    events = verify(ws).events
    with pytest.raises(RecordError, match=message):
        bulk.create_records(ws, batch)
    assert _count(ws, m.Person) == people and verify(ws).events == events


# --------------------------------------------------------------------------- the data files


def test_every_data_file_is_listed_and_readable():
    folder = resources.files(demo.DATA_PACKAGE)
    present = {p.name for p in folder.iterdir() if p.name.endswith(".json")}
    listed = demo.data_files()
    assert len(listed) == len(set(listed))
    assert present == set(listed) | {demo.MANIFEST}
    for name in listed:
        data = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
        assert data["format"] == demo.FORMAT, name


def test_the_builder_writes_no_rows_itself():
    """No Session, no bulk_insert, no models to add: every record goes through a service."""
    tree = ast.parse(DEMO_PY.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.Attribute):
            assert node.attr not in ("session", "add_all", "bulk_insert", "execute"), node.attr
    assert not any(name.startswith("sqlalchemy.orm") or "audit" in name for name in imported)
    storage = {name for name in imported if "storage" in name}
    assert storage <= {"storage.models.model_for_table", "storage.workspace.SUFFIX",
                       "storage.workspace.Lock", "storage.workspace.Workspace",
                       "storage.workspace.WorkspaceError",
                       "storage.workspace.create_workspace"}, storage
    assert "edge_waypoints" not in DEMO_PY.read_text(encoding="utf-8")


def _with_extra_file(monkeypatch, name: str, data: dict):
    """The demo's data plus one more file (what a later module adds)."""
    read, files = demo._read, demo.data_files

    def fake_read(n):
        return data if n == name else read(n)

    monkeypatch.setattr(demo, "_read", fake_read)
    monkeypatch.setattr(demo, "data_files", lambda: files() + [name])


def test_a_later_module_adds_data_not_code(tmp_path, monkeypatch):
    extra = {"format": 1, "progress": "suppliers", "records": {
        "role": [{"id": "buyer", "name": "Buyer", "description": "Buys things."}],
        "person": [{"id": "zoe", "name": "Zoe Quill", "hired_on": "-2y", "active": True,
                    "person_role": ["buyer", "purch"]}],
        "action": [{"ref": "A-900", "title": "Audit the new supplier", "owner": "zoe",
                    "due_date": "-1w", "status": "open", "risk": "R-006"}],
        "document": [{"number": "F-03-02", "title": "Supplier questionnaire", "kind": "form",
                      "owner": "zoe", "process": "SP-01", "status": "effective",
                      "current_revision": "A",
                      "revision": [{"number": "A", "issued_on": "-30d",
                                    "change_summary": "First issue {-30d:%d %b %Y}.",
                                    "status": "effective"}]}],
    }}
    _with_extra_file(monkeypatch, "suppliers.json", extra)
    seen = []
    path = create_demo(tmp_path / "plus.qms", today=TODAY, progress=seen.append)
    assert "suppliers" in seen
    with open_workspace(path, read_only=True) as ws:
        assert verify(ws).ok
        with ws.session() as s:
            zoe = s.scalars(select(m.Person).where(m.Person.name == "Zoe Quill")).one()
            assert zoe.hired_on == dt.date(2023, 3, 14)
            assert len(s.scalars(select(m.PersonRole).where(
                m.PersonRole.person_id == zoe.id)).all()) == 2
            act = s.scalars(select(m.Action).where(m.Action.ref == "A-900")).one()
            assert act.owner_id == zoe.id and act.due_date == dt.date(2025, 3, 7)
            assert s.get(m.Risk, act.risk_id).ref == "R-006"
            rev = s.scalars(select(m.Revision).where(
                m.Revision.change_summary.like("First issue %"))).one()
            assert rev.change_summary == "First issue 12 Feb 2025."


@pytest.mark.parametrize("records_, message", [
    ({"person": [{"name": "X", "shoe_size": 42}]}, "no field “shoe_size”"),
    ({"person": [{"name": "X", "hired_on": "last week"}]}, "not a relative date"),
    ({"action": [{"title": "X", "owner": "nobody"}]}, "no person “nobody”"),
    ({"person": [{"id": "helen", "name": "Another Helen"}]}, "two person records"),
])
def test_bad_data_names_the_file_and_leaves_nothing(tmp_path, monkeypatch, records_, message):
    _with_extra_file(monkeypatch, "broken.json", {"format": 1, "records": records_})
    with pytest.raises(DemoDataError, match=f"broken.json: .*{message}"):
        create_demo(tmp_path / "broken.qms", today=TODAY)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the maps


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    path = create_demo(tmp_path_factory.mktemp("demo") / "demo.qms", today=TODAY)
    with open_workspace(path, read_only=True) as ws:
        yield ws


def test_connectors_go_round_shapes_and_never_along_each_other(demo_ws):
    """Tidy maps: no connector runs through a shape (its own two included) or along a stretch
    of another connector, except flows merging into one shape or splitting from one."""
    checked = 0
    for p in list_processes(demo_ws):
        data = load_map_data(demo_ws, p.id)
        boxes = {n["id"]: (n["x"], n["y"], n["w"], n["h"]) for n in data.nodes}
        edges = [(e["source_id"], e["target_id"], json.loads(e["waypoints"]))
                 for e in data.edges]
        for s, t, pts in edges:
            assert not demo._blocked(pts, boxes.values()), (p.code, s, t, pts)
            others = [r for a, b, r in edges if a != s and b != t]
            assert not demo._overlaps(pts, others), (p.code, s, t, pts)
            for x, y in pts[1:-1]:  # every bend is a right angle
                assert all(isinstance(v, float) for v in (x, y))
            assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(pts, pts[1:])), pts
            checked += 1
    assert checked == 135


def test_the_register_shows_each_risks_latest_rating(demo_ws):
    """The ratings are history as the data states it: the latest of each stage is what the
    register shows (an FMEA's occurrence and detection before its actions are history)."""
    with demo_ws.session() as s:
        for risk in s.scalars(select(m.Risk)):
            ratings = s.scalars(select(m.RiskRating).where(m.RiskRating.risk_id == risk.id)
                                .order_by(m.RiskRating.rated_on, m.RiskRating.id)).all()
            last = {r.stage: r for r in ratings}
            assert set(last) == {"inherent", "residual"}, risk.ref
            for stage, r in last.items():
                assert (r.likelihood, r.impact) == (getattr(risk, f"{stage}_likelihood"),
                                                    getattr(risk, f"{stage}_impact")), risk.ref
                assert r.severity == risk.severity, risk.ref
            res = last["residual"]
            assert (res.occurrence, res.detection) == (risk.occurrence, risk.detection), risk.ref
            assert last["inherent"].rated_on == risk.identified_on <= res.rated_on <= TODAY


def test_a_new_finding_in_the_demo_audit_continues_its_numbers(tmp_path):
    from qms_desktop.services import checklists

    path = create_demo(tmp_path / "demo.qms", today=TODAY)
    with open_workspace(path) as ws:
        code = f"IA{(TODAY - dt.timedelta(days=14)):%y}-03"
        run = checklists.find_run(ws, code)
        refs = [f.ref for f in checklists.findings(ws, run)]
        assert refs and all(r.startswith(f"{code}-F") for r in refs), refs
        fid = checklists.add_finding(ws, run, None, {"description": "New"}).result
        new = [f.ref for f in checklists.findings(ws, run) if f.id == fid][0]
        assert new == f"{code}-F{len(refs) + 1:02d}"
        refs = [f.ref for f in checklists.findings(ws, run)]
        assert len(set(refs)) == len(refs)
