"""The demo workspace: Nordwind Precision Components, a small contract machining shop.

``create_demo(path)`` writes a complete, realistic workspace (``qms demo``, ``qms-desktop --demo``):
organisation, people and roles, ten mapped processes with flowcharts, a risk register with 5x5
and FMEA ratings, actions in every state, a training matrix with gaps, a gap analysis in
progress, an internal audit at the report stage with findings, procedures with revisions,
objectives with monthly measurements, a nonconformity and a management review.

The contents are data, not code: JSON files in ``qms_desktop/resources/demo`` listed, in the order
they are loaded, by ``demo.json``. This module only reads them and makes the records through the
services — ``processes.add_process`` and ``risks.add_risk`` where a service applies rules of its
own, and ``bulk.create_records`` (one transaction for a whole batch of plain records, each with
its audit event) for the rest. A later module adds its demo records by adding a file, not code.

Data file format (``"format": 1``), one object with these keys, taken in order:

``"progress"``
    the words shown while the file loads (``progress`` callback of :func:`create_demo`).
``"records"``
    ``{table: [record, ...]}``. A record is an object of column values, plus:

    * ``"id"``: the record's key (any string), by which other records refer to it;
    * a foreign key, written as a key of the table it points to: ``"owner_id": "helen"``, or
      without ``_id``: ``"owner": "helen"``;
    * children: ``"revision": [...]`` under a document holds records of the table ``revision``,
      whose foreign key to their parent is filled in. A child of a link table (two foreign keys)
      may be written as just the key of its other end: ``"person_role": ["md", "qm"]``;
    * dates relative to the day the demo is made (``today``), so a demo made any day still has
      overdue actions and expiring training: ``"today"``, ``"+14d"``, ``"-3m"``, ``"-2y"``,
      ``"-1w"``, terms applied left to right (``"-400d +12m"``: twelve months after 400 days
      ago), optionally ending in ``month-end``, ``month-start``, ``year-end`` or ``year-start``
      (``"-1m month-end"``: the last day of last month). An ISO date (``"2025-01-31"``) is kept
      as it is.
    * in text, ``{DATE:FORMAT}`` is replaced by that relative date in ``strftime`` format:
      ``"Management review {-120d:%B %Y}"``.
``"process_maps"``
    flowcharts on a grid (lanes stacked top to bottom, flow left to right in columns): lanes with
    their role, nodes by lane, column and row, edges as ``[source, target, label]``. Node and lane
    geometry follow from the grid; connector routes come from ``core.processmap``'s router.
``"catalogue_checklists"``
    checklist templates made from a clause catalogue (``core.catalogue``), one item per leaf
    clause, with runs whose responses are given by clause.
``"reviews"``
    management reviews made through ``services.review`` after everything listed before them
    is loaded: ``title``, ``period_from`` / ``period_to`` / ``held_on`` (relative dates),
    ``chair``, ``attendees``, ``minutes``; the inputs are collected from the demo data as on
    ``held_on``; ``edit`` (``{section: text}``) adds the team's words to an input (so it
    reads as edited); ``outputs`` (``section``, ``text``, ``owner``, ``due_date``, ``action``:
    the action's state as action columns such as ``status``, ``completed_on``,
    ``effectiveness_check``, ``effective`` — or ``false`` for an output without an action);
    ``status`` ``held`` or ``completed`` closes the review, ``planned`` leaves it open.
``"quality_policy"``
    the key of a document of kind "policy" made earlier: linked as the organization's quality
    policy through ``services.context.link_policy_document``.
``"shipped_checklists"``
    templates shipped with the application (``resources/checklists``), each as
    ``{"id": KEY, "template": NAME}``, made as installing it from the Templates view would.

Everything is deterministic: the same data and the same ``today`` give the same records.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Date, inspect

from ..core import processmap as pmap
from ..core.catalogue import load_catalogue
from ..storage.models import model_for_table
from ..storage.workspace import SUFFIX, Lock, Workspace, WorkspaceError, create_workspace
from . import bulk, checklists, processes, records, risks
from .bulk import NewRecord, Ref
from .records import RecordError

#: the name the audit trail records as the author of the demo data
DEMO_USER = "demo"
ORG_NAME = "Nordwind Precision Components Ltd"
DATA_PACKAGE = "qms_desktop.resources.demo"
MANIFEST = "demo.json"
FORMAT = 1

Progress = Callable[[str], None]


class DemoDataError(ValueError):
    """A demo data file is malformed (a developer's error: names the file and the record)."""


# =========================================================================== dates


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (clamped to the month's last day)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


_TERM = re.compile(r"\s*(?:(today)|([+-]\d+)([dwmy])|(month-end|month-start|year-end|year-start))")
_ISO = re.compile(r"\s*(\d{4}-\d{2}-\d{2})")


def relative_date(text: str, today: dt.date) -> dt.date:
    """The day ``text`` names relative to ``today`` (see the module's doc for the syntax)."""
    iso = _ISO.fullmatch(text)
    if iso:
        return dt.date.fromisoformat(iso.group(1))
    day, pos, text = today, 0, text.rstrip()
    if not text.strip():
        raise DemoDataError("an empty date")
    while pos < len(text):
        m = _TERM.match(text, pos)
        if m is None:
            raise DemoDataError(f"“{text}” is not a relative date")
        pos = m.end()
        if m.group(2):
            n, unit = int(m.group(2)), m.group(3)
            if unit == "d":
                day += dt.timedelta(days=n)
            elif unit == "w":
                day += dt.timedelta(weeks=n)
            else:
                day = add_months(day, n * (12 if unit == "y" else 1))
        elif m.group(4) == "month-end":
            day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        elif m.group(4) == "month-start":
            day = day.replace(day=1)
        elif m.group(4) == "year-end":
            day = dt.date(day.year, 12, 31)
        elif m.group(4) == "year-start":
            day = dt.date(day.year, 1, 1)
    return day


_PLACEHOLDER = re.compile(r"\{([^{}:]+):([^{}]+)\}")


def fill_dates(text: str, today: dt.date) -> str:
    """``text`` with each ``{DATE:FORMAT}`` replaced by the formatted relative date (braces that
    hold no relative date are left alone)."""
    def one(m: re.Match) -> str:
        try:
            day = relative_date(m.group(1), today)
        except DemoDataError:
            return m.group(0)
        return day.strftime(m.group(2))
    return _PLACEHOLDER.sub(one, text) if "{" in text else text


# =========================================================================== data files


def _read(name: str) -> Any:
    res = resources.files(DATA_PACKAGE).joinpath(name)
    try:
        data = json.loads(res.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DemoDataError(f"demo data {name}: {e}") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DemoDataError(f"demo data {name}: not a format {FORMAT} demo data file")
    return data


def data_files() -> list[str]:
    """The demo's data files, in the order they are loaded."""
    return list(_read(MANIFEST)["files"])


# =========================================================================== building


def create_demo(path: Path | str, *, overwrite: bool = False, today: dt.date | None = None,
                progress: Progress | None = None) -> Path:
    """Write the demo workspace to ``path`` (``.qms`` added if missing) and return its path.

    The workspace is built in a temporary file beside ``path`` and moved into place when
    complete, so a failure never leaves a half-built demo or touches an existing file.
    Raises WorkspaceError when ``path`` exists and ``overwrite`` is false, or when an existing
    workspace at ``path`` is open in another program.
    """
    today = today or dt.date.today()
    say = progress or (lambda _m: None)
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if path.is_dir():
        raise WorkspaceError(f"“{path.name}” is a folder; choose a file name for the demo.")
    if path.exists() and not overwrite:
        raise WorkspaceError(
            f"“{path.name}” already exists; choose another name or allow replacing it.")
    if not path.parent.is_dir():
        raise WorkspaceError(f"The folder “{path.parent}” does not exist; create it first.")
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.demo{SUFFIX}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    say("creating the workspace")
    ws = create_workspace(tmp, user=DEMO_USER)
    try:
        _Builder(ws, today, say).build()
    except BaseException:
        ws.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    ws.close()
    say("moving the demo into place")
    try:
        if path.exists():
            lock = Lock(path, DEMO_USER)
            lock.acquire()  # refuses when the workspace is open elsewhere
            try:
                os.replace(tmp, path)
            finally:
                lock.release()
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    say("done")
    return path


class _Table:
    """What the loader needs to know of a table: its columns, date columns, foreign keys."""

    _cache: dict[str, "_Table"] = {}

    def __init__(self, name: str):
        self.name = name
        try:
            model = model_for_table(name)
        except KeyError:
            raise DemoDataError(f"there is no table “{name}”") from None
        cols = [a.columns[0] for a in inspect(model).column_attrs]
        self.columns = {c.name for c in cols}
        self.dates = {c.name for c in cols if isinstance(c.type, Date)}
        self.texts = {c.name for c in cols if c.type.python_type is str}
        #: foreign key column -> table it points to
        self.fks = {c.name: next(iter(c.foreign_keys)).column.table.name
                    for c in cols if c.foreign_keys}

    @classmethod
    def of(cls, name: str) -> "_Table":
        t = cls._cache.get(name)
        if t is None:
            t = cls._cache[name] = cls(name)
        return t

    def fk_to(self, table: str) -> str | None:
        """The one foreign key column pointing at ``table`` (None when there is none)."""
        cols = [c for c, t in self.fks.items() if t == table]
        if len(cols) > 1:
            raise DemoDataError(f"{self.name} points to {table} in {len(cols)} ways; "
                                "write its records on their own, not as children")
        return cols[0] if cols else None


def _is_table(name: str) -> bool:
    try:
        model_for_table(name)
    except KeyError:
        return False
    return True


class _Builder:
    """Reads the data files and makes their records through the services."""

    def __init__(self, ws: Workspace, today: dt.date, say: Progress):
        self.ws = ws
        self.today = today
        self.say = say
        #: (table, key) -> id of every record made so far
        self.ids: dict[tuple[str, str], int] = {}
        #: plain records waiting to be written in one transaction (bulk.create_records)
        self.batch: list[NewRecord] = []
        self.queued: set[tuple[str, str]] = set()
        self.anonymous = 0
        self.where = ""

    # ------------------------------------------------------------------ the files
    def build(self) -> None:
        for name in data_files():
            self.where = name
            data = _read(name)
            for section, body in data.items():
                if section == "format":
                    continue
                if section == "progress":
                    self.flush()
                    self.say(body)
                elif section == "records":
                    for table, rows in body.items():
                        self.table(table, rows)
                elif section == "process_maps":
                    self.process_maps(body)
                elif section == "catalogue_checklists":
                    for spec in body:
                        self.catalogue_checklist(spec)
                elif section == "shipped_checklists":
                    for spec in body:
                        self.shipped_checklist(spec)
                elif section == "document_control":
                    self.flush()
                    self.document_control(body)
                elif section == "quality_policy":
                    from . import context

                    self.flush()
                    context.link_policy_document(self.ws, self.ref("document", body))
                elif section == "reviews":
                    self.flush()
                    for spec in body:
                        self.review(spec)
                else:
                    raise DemoDataError(f"demo data {name}: unknown section “{section}”")
        self.where = ""
        self.batch.append(NewRecord("setting", {"key": "demo", "value": json.dumps(
            {"generator": __name__, "format": FORMAT, "files": data_files(),
             "today": self.today.isoformat()}, sort_keys=True)}))
        self.flush()

    # ------------------------------------------------------------------ signatures
    def document_control(self, body: dict) -> None:
        """Signing users, then each listed document's workflow through the documents service:
        real signatures (password checked, content bound) made at the given days."""
        from . import documents

        password = body["password"]
        admin = None
        names = {}
        for u in body["users"]:
            pid = self.ref("person", u["person"])
            full = records.get(self.ws, "person", pid)["name"]
            documents.add_user(self.ws, u["username"], full, password, rights=u["rights"],
                               person_id=pid, admin=admin)
            admin = admin or (u["username"], password)
            names[u["username"]] = full
        for spec in body["documents"]:
            if "new" in spec:
                new = dict(spec["new"])
                values = {"number": new["number"], "title": new["title"], "kind": new["kind"],
                          "owner_id": self.ref("person", new["owner"]),
                          "process_id": self.ref("process", new["process"])}
                did = documents.add_document(self.ws, values,
                                             change_summary=spec.get("summary", "")).result
                self.ids[("document", new["number"])] = did
            else:
                did = self.ref("document", spec["document"])
            rid = None
            if "revision" in spec:
                rid = next(r.id for r in documents.revisions(self.ws, did)
                           if r.number == spec["revision"])
            if spec.get("generate"):
                doc = documents.get_document(self.ws, did)
                from .procedure_gen import generate_sections

                fresh = generate_sections(self.ws, doc.process_id)
                rid = documents.apply_generated(
                    self.ws, did, {k: (t, t) for k, t in fresh.items() if t}).result
            for key, text in spec.get("edit", {}).items():
                rid = documents.edit_section(self.ws, did, key, text).result
            if rid is None:
                raise self.error(f"{spec}: nothing to sign")
            if spec.get("summary") and "new" not in spec:
                documents.update_revision(self.ws, rid, {"change_summary": spec["summary"]})
            if "review_months" in spec:
                documents.update_documents(self.ws, [did], {"review_months": spec["review_months"]})
            for step in spec.get("steps", []):
                if step[0] == "effective":
                    documents.make_effective(self.ws, rid, relative_date(step[1], self.today),
                                             today=self.today)
                    continue
                meaning, user, day = step
                at = dt.datetime.combine(relative_date(day, self.today), dt.time(9, 30))
                documents.sign(self.ws, rid, meaning, user, password, now=at.replace(
                    tzinfo=dt.timezone.utc))
        # documents in force from the data (forms) get their next periodic review as well
        for row in documents.list_documents(self.ws, today=self.today):
            if row.in_force_id and row.review_months and row.next_review_on is None:
                rev = documents.get_revision(self.ws, row.in_force_id)
                start = rev.effective_on or rev.issued_on
                if start is not None:
                    documents.update_documents(self.ws, [row.id], {
                        "next_review_on": documents.rules.next_review(start, row.review_months)})

    def error(self, text: str) -> DemoDataError:
        return DemoDataError(f"demo data {self.where}: {text}")

    # ------------------------------------------------------------------ generic records
    def table(self, table: str, rows: list, parent: tuple[str, str] | None = None) -> None:
        """Make ``rows`` of ``table`` (children of ``parent`` = (table, key) when given), then
        their children, table by table (so a batch needs few flushes)."""
        t = _Table.of(table)
        parent_fk = None
        if parent is not None:
            parent_fk = t.fk_to(parent[0])
            if parent_fk is None:
                raise self.error(f"{table} records cannot be children of {parent[0]}")
        children: dict[str, list[tuple[list, tuple[str, str]]]] = {}
        for row in rows:
            if isinstance(row, str):  # a link record written as the key of its other end
                other = [c for c in t.fks if c != parent_fk]
                if parent is None or len(other) != 1:
                    raise self.error(f"“{row}”: only a link record can be written as a key")
                row = {other[0]: row}
            if not isinstance(row, dict):
                raise self.error(f"a {table} record must be an object")
            key = row.get("id")
            values: dict[str, Any] = {}
            kids = []
            for name, value in row.items():
                if name == "id":
                    continue
                if name in t.columns:
                    col = name
                elif f"{name}_id" in t.fks:
                    col = f"{name}_id"
                elif _is_table(name) and isinstance(value, list):
                    kids.append((name, value))
                    continue
                else:
                    raise self.error(f"{table} has no field “{name}” (record {key or row})")
                values[col] = self.value(t, col, value)
            if parent is not None:
                values[parent_fk] = self.ref(parent[0], parent[1])
            if kids and key is None:
                self.anonymous += 1
                key = f"#{self.anonymous}"
            self.create(table, values, key)
            for child, child_rows in kids:
                children.setdefault(child, []).append((child_rows, (table, key)))
        for child, groups in children.items():
            for child_rows, owner in groups:
                self.table(child, child_rows, parent=owner)

    def value(self, t: _Table, col: str, value: Any) -> Any:
        if value is None:
            return None
        if col in t.fks:
            if not isinstance(value, str):
                raise self.error(f"{t.name}.{col} refers to a record by its key, not {value!r}")
            return self.ref(t.fks[col], value)
        if col in t.dates:
            if not isinstance(value, str):
                raise self.error(f"{t.name}.{col}: a date is written as text, not {value!r}")
            try:
                return relative_date(value, self.today)
            except DemoDataError as e:
                raise self.error(f"{t.name}.{col}: {e}") from None
        if col in t.texts and isinstance(value, str):
            return fill_dates(value, self.today)
        return value

    def ref(self, table: str, key: str) -> int | Ref:
        got = self.ids.get((table, key))
        if got is not None:
            return got
        if (table, key) in self.queued:
            return Ref((table, key))
        raise self.error(f"there is no {table} “{key}” (records are read in order: is it "
                         "made later?)")

    def create(self, table: str, values: dict[str, Any], key: str | None) -> None:
        if key is not None and ((table, key) in self.queued or (table, key) in self.ids):
            raise self.error(f"two {table} records have the key “{key}”")
        service = self.service(table, values)
        if service is None:
            self.batch.append(NewRecord(table, values, (table, key) if key is not None else None))
            if key is not None:
                self.queued.add((table, key))
            return
        self.flush()  # what it refers to, and everything before it, is written first
        values = {k: self.ids[v.key] if isinstance(v, Ref) else v for k, v in values.items()}
        rid = service(values)
        if key is not None:
            self.ids[(table, key)] = rid

    # ------------------------------------------------------------------ management reviews
    def review(self, spec: dict) -> None:
        """A management review made as the app makes one: its inputs collected from the data
        loaded so far, as on the day it was held (``held_on``, else today); edits of inputs;
        outputs that become actions, given their state; then closed as the spec's status."""
        from . import actions, review

        day = lambda key: relative_date(spec[key], self.today) if spec.get(key) else None  # noqa: E731
        held = day("held_on")
        on = held or self.today
        rid = review.create_review(
            self.ws, fill_dates(spec["title"], self.today), day("period_from"),
            day("period_to"), held_on=held, chair=spec.get("chair", ""),
            attendees=spec.get("attendees", ""), today=on).result
        if spec.get("key"):
            self.ids[("management_review", spec["key"])] = rid
        items = {i.section: i for i in review.get_review(self.ws, rid, on).items}
        for section, extra in spec.get("edit", {}).items():
            if section not in items:
                raise self.error(f"review “{spec['title']}”: no input “{section}”")
            review.update_item(self.ws, items[section].id,
                               items[section].text + "\n\n" + fill_dates(extra, self.today))
        if spec.get("minutes"):
            review.update_review(self.ws, rid, {"minutes": fill_dates(spec["minutes"],
                                                                      self.today)})
        for out in spec.get("outputs", []):
            act = out.get("action", True)
            iid = review.add_output(
                self.ws, rid, out["section"], fill_dates(out["text"], self.today),
                owner_id=self.ref("person", out["owner"]) if out.get("owner") else None,
                due_date=relative_date(out["due_date"], self.today) if out.get("due_date")
                else None, make_action=bool(act), today=on).result
            if isinstance(act, dict) and act:
                t = _Table.of("action")
                values = {k: self.value(t, k, v) for k, v in act.items()}
                aid = next(i.action_id for i in review.get_review(self.ws, rid).items
                           if i.id == iid)
                actions.update_actions(self.ws, [aid], values, today=self.today)
        if spec.get("status", "planned") in review.CLOSED:
            review.close_review(self.ws, rid, spec["status"], today=self.today)

    def flush(self) -> None:
        if not self.batch:
            return
        made = bulk.create_records(self.ws, self.batch).result
        self.ids.update(made)
        self.batch = []
        self.queued.clear()

    # ------------------------------------------------------------------ services
    def service(self, table: str, values: dict[str, Any]) -> Callable[[dict], int] | None:
        """The service that makes a record of ``table`` with rules of its own (None: a plain
        record, made in the batch like ``records.create`` makes one).

        Processes and risks go through their services (field checks, the register's choices
        and rating ranges). Their ratings are history as the data states it, and actions are
        plain records until the Actions service lands; both are made in the batch, so the demo
        needs few transactions (each commit waits for the disk)."""
        if table == "process":
            return lambda v: processes.add_process(self.ws, v).result
        if table == "risk":
            return lambda v: risks.add_risk(self.ws, v).result
        return None

    # ------------------------------------------------------------------ process maps
    def process_maps(self, body: dict) -> None:
        grid = body["grid"]
        sizes = {k: tuple(v) for k, v in body["sizes"].items()}
        bpmn = body.get("bpmn_types", {})
        header, col_w = float(grid["lane_header"]), float(grid["column_width"])
        lane_h, rows_cy = float(grid["lane_height"]), [float(y) for y in grid["row_centres"]]
        for code, flow in body["maps"].items():
            lanes, nodes, links = [], [], []
            ncols = max(n["column"] for n in flow["nodes"]) + 1
            lane_at: dict[str, tuple[float, str | None]] = {}
            for i, ln in enumerate(flow["lanes"]):
                lane_at[ln["key"]] = (i * lane_h, ln.get("role"))
                lanes.append({"id": f"{code}/{ln['key']}", "process": code,
                              "key": f"lane_{ln['key']}", "name": ln["name"],
                              "role": ln.get("role"), "order": i, "x": 0.0, "y": i * lane_h,
                              "w": header + ncols * col_w, "h": lane_h})
            boxes: dict[str, tuple[float, float, float, float]] = {}
            kinds: dict[str, str] = {}
            for n in flow["nodes"]:
                key, kind = n["key"], n["kind"]
                if n["lane"] not in lane_at:
                    raise self.error(f"{code}: node {key} is in no lane “{n['lane']}”")
                lane_y, role = lane_at[n["lane"]]
                w, h = sizes[kind]
                cx = header + n["column"] * col_w + col_w / 2
                cy = lane_y + rows_cy[n.get("row", 0)]
                boxes[key], kinds[key] = (cx - w / 2, cy - h / 2, w, h), kind
                node = {"id": f"{code}/{key}", "process": code, "key": key, "kind": kind,
                        "bpmn_type": n.get("bpmn_type") or bpmn.get(kind)
                        or pmap.default_bpmn_type(kind),
                        "name": n["name"], "description": n.get("description", ""),
                        "lane": f"{code}/{n['lane']}",
                        "role": role,  # a shape's role is its lane's
                        "subprocess": n.get("subprocess"),
                        "duration_minutes": n.get("minutes"),
                        "x": boxes[key][0], "y": boxes[key][1], "w": w, "h": h}
                nodes.append(node)
                for number, link in n.get("documents", {}).items():
                    links.append({"node": f"{code}/{key}", "document": number, "kind": link})
            if any(not 2 <= len(e) <= 3 for e in flow["edges"]):
                raise self.error(f"{code}: an edge is [source, target] or [source, target, "
                                 "label]")
            edges = [(e[0], e[1], e[2] if len(e) == 3 else "") for e in flow["edges"]]
            for s, t, _label in edges:
                if s not in boxes or t not in boxes:
                    raise self.error(f"{code}: edge {s} → {t} joins a node that is not there")
            routes = route_map(boxes, kinds, [(s, t) for s, t, _ in edges])
            self.table("process_lane", lanes)
            self.table("process_node", nodes)
            self.table("process_edge", [{
                "process": code, "key": f"flow_{s}_{t}",
                "kind": "association" if "document" in (kinds[s], kinds[t]) else "sequence",
                "source": f"{code}/{s}", "target": f"{code}/{t}", "label": label,
                "waypoints": json.dumps([list(p) for p in routes[(s, t)]])}
                for s, t, label in edges])
            self.table("node_document", links)

    # ------------------------------------------------------------------ checklists
    def shipped_checklist(self, spec: dict) -> None:
        """A template shipped with the application (``resources/checklists``), as installed
        from the Templates view, keyed ``spec["id"]``."""
        try:
            t = checklists.load_template_file(spec["template"])
        except RecordError as e:
            raise self.error(str(e)) from None
        key = spec["id"]
        self.table("checklist_template", [{
            "id": key, "name": t.name, "version": t.version, "standard": t.standard,
            "kind": t.kind, "description": t.description, "status": "active",
            "family": t.family, "source": t.source,
            "checklist_item": [
                {"id": f"{key}/{n}", "order": n, "section": i.section, "clause": i.clause,
                 "title": i.title, "guidance": i.guidance,
                 "expected_evidence": i.expected_evidence, "weight": i.weight, "pdca": i.pdca}
                for n, i in enumerate(t.items, start=1)]}])

    def catalogue_checklist(self, spec: dict) -> None:
        cat = load_catalogue(spec["catalogue"])
        items = cat.checklist_items()
        tid = spec["id"]
        template = {k: v for k, v in spec.items() if k not in ("catalogue", "runs")}
        template.update(version=cat.version, standard=cat.standard, description=cat.notice)
        chapters = {c.number: c.title for c in cat.top_clauses()}
        template["checklist_item"] = [
            {"id": f"{tid}/{i.clause}", "order": i.order, "clause": i.clause, "title": i.title,
             "guidance": i.guidance, "expected_evidence": i.expected_evidence,
             "section": f"{i.clause.split('.')[0]} {chapters[i.clause.split('.')[0]]}",
             "pdca": cat.clause(i.clause).pdca} for i in items]
        self.table("checklist_template", [template])
        clauses = {i.clause for i in items}
        for run in spec.get("runs", []):
            answers = run.get("responses", {})
            unknown = set(answers) - clauses
            if unknown:
                raise self.error(f"responses for clauses not in {spec['catalogue']}: "
                                 f"{sorted(unknown)}")
            row = {k: v for k, v in run.items() if k != "responses"}
            row["template"] = tid
            row.setdefault("template_version", cat.version)
            row["response"] = [{"item": f"{tid}/{i.clause}", "result": None,
                                **answers.get(i.clause, {})} for i in items]
            self.table("checklist_run", [row])


# =========================================================================== connector routes

#: how far a route going round shapes keeps from them
CLEARANCE = 12.0


def _blocked(points, boxes) -> bool:
    """Whether the route runs through one of ``boxes`` (x, y, w, h)."""
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        lx, hx, ly, hy = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        for bx, by, bw, bh in boxes:
            if lx < bx + bw - 1 and hx > bx + 1 and ly < by + bh - 1 and hy > by + 1:
                return True
    return False


def _facing_corner(a, b, loop: bool) -> tuple[float, float]:
    """The corner of decision ``a`` facing box ``b``: right (or left) for a box in its row, bottom
    or top for one below or above; a loop back leaves by the bottom (and goes round, coming in
    from below)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    acx, acy, bcy = ax + aw / 2, ay + ah / 2, by + bh / 2
    if loop or bcy > acy + 0.5:
        return (acx, ay + ah)
    if bcy < acy - 0.5:
        return (acx, ay)
    return (ax + aw, acy) if bx >= ax else (ax, acy)


def _overlaps(points, routes) -> int:
    """How many stretches of ``points`` run along a stretch of one of ``routes``."""
    n = 0
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        for other in routes:
            for (u1, v1), (u2, v2) in zip(other, other[1:]):
                if abs(x1 - x2) < 0.5 and abs(u1 - u2) < 0.5 and abs(x1 - u1) < 0.5:
                    lo, hi = max(min(y1, y2), min(v1, v2)), min(max(y1, y2), max(v1, v2))
                elif abs(y1 - y2) < 0.5 and abs(v1 - v2) < 0.5 and abs(y1 - v1) < 0.5:
                    lo, hi = max(min(x1, x2), min(u1, u2)), min(max(x1, x2), max(u1, u2))
                else:
                    continue
                n += hi - lo > 1
    return n


def _length(points) -> float:
    return sum(abs(x2 - x1) + abs(y2 - y1) for (x1, y1), (x2, y2) in zip(points, points[1:]))


def route_map(boxes: dict[str, tuple[float, float, float, float]], kinds: dict[str, str],
              edges: list[tuple[str, str]]) -> dict[tuple[str, str], list]:
    """A route for each edge of a left-to-right map, chosen among ``core.processmap``'s
    candidates (:func:`~qms_desktop.core.processmap.route_candidates`). In order of importance:
    through no other shape; a decision's ways out each by a corner of their own, not one a flow
    comes in by; not through its own two shapes; not along another connector (flows that merge
    into a shape or split from one may share their stretch); a decision's way out by the corner
    facing its target (a loop back by the bottom, round to its target's bottom); the shortest;
    the router's first. Flows into decisions are routed first,
    then decisions' loops back, then the rest in order."""
    outs: dict[str, set] = {}  # a decision's corners used by its ways out
    ins: dict[str, set] = {}   # … and by the flows coming in

    def loop(s, t) -> bool:
        return kinds[s] == "decision" and boxes[t][0] + boxes[t][2] <= boxes[s][0]

    def order(e):
        s, t = e
        if kinds[t] == "decision" and kinds[s] != "decision":
            return 0
        return 1 if loop(s, t) else 2

    routes: dict[tuple[str, str], list] = {}
    for s, t in sorted(edges, key=order):
        ends = [boxes[s], boxes[t]]
        others = [b for k, b in boxes.items() if k not in (s, t)]
        unrelated = [r for (a, b), r in routes.items() if a != s and b != t]
        from_decision = kinds[s] == "decision"
        avoid_start = outs.get(s, set()) | ins.get(s, set()) if from_decision else set()
        avoid_end = outs.get(t, set()) if kinds[t] == "decision" else set()
        facing = _facing_corner(boxes[s], boxes[t], loop(s, t)) if from_decision else None
        bx, by, bw, bh = boxes[t]
        below = (bx + bw / 2, by + bh) if loop(s, t) else None  # a loop back comes in from below

        def score(item):
            i, c = item
            return (_blocked(c, others),
                    c[0] in avoid_start or c[-1] in avoid_end,
                    _blocked(c, ends),
                    _overlaps(c, unrelated),
                    (facing is not None and c[0] != facing)
                    + (below is not None and c[-1] != below),
                    _length(c), i)

        cands = [[(round(x, 1), round(y, 1)) for x, y in c] for c in pmap.route_candidates(
            boxes[s], boxes[t], "LR", from_decision=from_decision, clearance=CLEARANCE)]
        route = min(enumerate(cands), key=score)[1]
        routes[(s, t)] = route
        if from_decision:
            outs.setdefault(s, set()).add(route[0])
        if kinds[t] == "decision":
            ins.setdefault(t, set()).add(route[-1])
    return routes
