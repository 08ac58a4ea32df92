"""Checklists, gap analyses and internal audits: templates, runs, answers, scores, findings,
the audit programme.

Rules are in ``core/checklists.py``; this module reads and writes the workspace. Rows are
dataclasses with everything a view shows (counts and scores included) so views never query
while painting. Every edit is one ``ws.session()`` and returns ``Change.of(s, result=…)``;
undo is the generic ``records.invert``.

* **Templates** are data: shipped ones in ``qms_desktop/resources/checklists/*.json``
  (:func:`shipped_templates`, :func:`install_template`), a process's internal-audit checklist
  generated from its map (:func:`generate_process_audit`), or made here and imported from a
  spreadsheet (:func:`import_template_xlsx`). The file format (``"format": 1``): ``family``,
  ``name``, ``version``, ``kind``, ``standard``, ``description`` and either ``"catalogue"`` (one
  item per leaf clause of a clause catalogue, the chapters as sections) or ``"sections"``:
  ``[{"title": …, "items": [{"clause", "title", "guidance", "expected_evidence", "weight",
  "pdca"}]}]``.
* **Versions.** Versions of one template share a ``family`` (a template with none is its own
  family, :func:`family_key`). :func:`save_template` edits a template in place while no run
  uses it; once one does, the save makes a new version (next number, items copied with the
  changes) and marks the old one ``superseded``: runs keep the version they were made from.
* **Runs** (:func:`start_run`) get a response row per item at once, a short code printed on
  blanks (``IA26-03``) and the template's version. :func:`answer` writes one response (the
  keyboard path: one small transaction); :func:`enter_results` types back a printed blank by
  item number.
* **Findings** (:func:`add_finding`, :func:`proposals`) link to the response and clause;
  actions come from ``services.actions.add_action(ws, "finding", id, …)`` (:func:`add_action`);
  :func:`update_finding` refuses to close a nonconformity before the ISO 9001 10.2 rule holds.
* **Audit programme** (:func:`programme`): audits per process and year, planned / done /
  overdue; the ISO 19011 steps of each audit (:func:`set_step`, :func:`audit_steps`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import func, select

from ..core import checklists as rules
from ..core.catalogue import load_catalogue
from ..storage import models as m
from ..storage.workspace import Workspace
from . import actions as actions_service
from . import attachments
from .records import Change, RecordError, coerce

__all__ = [
    "EVIDENCE_ENTITIES", "TEMPLATE_FORMAT", "AuditStepRow", "EvidenceRow", "FindingRow",
    "ItemRow", "ProgrammeEntry", "ProgrammeRow", "Proposal", "RunRow", "RunScores",
    "TemplateRow", "add_action", "add_evidence", "add_finding", "answer", "attach",
    "audit_steps", "create_template", "delete_run", "delete_template", "enter_results",
    "evidence_candidates", "evidence_for", "export_template_xlsx", "family_key", "find_run",
    "findings",
    "generate_process_audit", "get_runs", "import_template_xlsx", "install_template",
    "list_runs", "list_templates", "load_template_file", "previous_run", "process_clause",
    "programme", "read_template_info",
    "proposals", "remove_evidence", "run_items", "run_scores", "save_template", "set_step",
    "shipped_templates", "start_run", "template_items", "update_finding", "update_run",
]

TEMPLATE_FORMAT = 1
_PACKAGE = "qms_desktop.resources.checklists"

#: records a response may name as evidence: entity → (model, how it is labelled)
EVIDENCE_ENTITIES: dict[str, type] = {
    "document": m.Document, "revision": m.Revision, "training_record": m.TrainingRecord,
    "risk": m.Risk, "process": m.Process, "process_node": m.ProcessNode, "action": m.Action,
    "nonconformity": m.Nonconformity, "objective": m.Objective, "course": m.Course,
    "person": m.Person, "management_review": m.ManagementReview,
}

_ITEM_FIELDS = ("section", "clause", "title", "guidance", "expected_evidence", "weight", "pdca")
_TEMPLATE_FIELDS = ("name", "standard", "kind", "description", "status")
_RUN_FIELDS = ("title", "scope", "auditor", "auditee", "process_id", "planned_on",
               "started_on", "completed_on", "stage")
_FINDING_FIELDS = ("ref", "kind", "clause", "description", "correction", "root_cause",
                   "status", "effectiveness_check", "effective")


def _err(text: str) -> RecordError:
    return RecordError(text)


# =========================================================================== template data


@dataclass(frozen=True, slots=True)
class ItemSpec:
    section: str
    clause: str
    title: str
    guidance: str = ""
    expected_evidence: str = ""
    weight: float = 1.0
    pdca: str = ""


@dataclass
class TemplateSpec:
    family: str
    name: str
    version: str
    kind: str
    standard: str
    description: str
    items: list[ItemSpec]
    source: str = "catalogue"


def shipped_templates() -> list[str]:
    """Names of the templates shipped with the application ("iso9001_gap", …)."""
    return sorted(p.name[:-5] for p in resources.files(_PACKAGE).iterdir()
                  if p.name.endswith(".json"))


def _clean_item(raw: dict, section: str, where: str) -> ItemSpec:
    if not isinstance(raw, dict) or not str(raw.get("title", "")).strip():
        raise _err(f"The checklist template {where} has an item without a question.")
    try:
        weight = rules.check_weight(raw.get("weight", 1.0))
    except rules.ChecklistRuleError as e:
        raise _err(f"The checklist template {where}: {e}") from None
    pdca = str(raw.get("pdca", "") or "").strip().casefold()
    if pdca and pdca not in rules.PDCA_PHASES:
        raise _err(f"The checklist template {where} gives the PDCA phase “{pdca}”; use plan, "
                   "do, check or act.")
    return ItemSpec(str(raw.get("section", section) or section).strip(),
                    str(raw.get("clause", "") or "").strip(), str(raw["title"]).strip(),
                    str(raw.get("guidance", "") or "").strip(),
                    str(raw.get("expected_evidence", "") or "").strip(), weight, pdca)


def parse_template(data: Any, where: str = "file") -> TemplateSpec:
    """A template file's data (see the module docstring) as a :class:`TemplateSpec`."""
    if not isinstance(data, dict) or data.get("format") != TEMPLATE_FORMAT:
        raise _err(f"The checklist template {where} is not a format-1 template file.")
    kind = data.get("kind", "gap_analysis")
    if kind not in m.CHECKLIST_KINDS:
        raise _err(f"The checklist template {where} has the unknown kind “{kind}”.")
    items: list[ItemSpec] = []
    if "catalogue" in data:
        cat = load_catalogue(data["catalogue"])
        titles = {c.number: c.title for c in cat.top_clauses()}
        for spec in cat.checklist_items():
            top = spec.clause.split(".", 1)[0]
            items.append(ItemSpec(f"{top} {titles[top]}", spec.clause, spec.title,
                                  spec.guidance, spec.expected_evidence, 1.0,
                                  cat.clause(spec.clause).pdca))
    for section in data.get("sections", []):
        title = str(section.get("title", "")).strip()
        items += [_clean_item(raw, title, where) for raw in section.get("items", [])]
    if not items:
        raise _err(f"The checklist template {where} has no items.")
    name = str(data.get("name", "")).strip()
    if not name:
        raise _err(f"The checklist template {where} has no name.")
    return TemplateSpec(str(data.get("family", "")).strip(), name,
                        str(data.get("version", "1")).strip() or "1", kind,
                        str(data.get("standard", "")).strip(),
                        str(data.get("description", "")).strip(), items)


def load_template_file(name: str) -> TemplateSpec:
    """A shipped template by name (see :func:`shipped_templates`)."""
    res = resources.files(_PACKAGE).joinpath(f"{name}.json")
    if name not in shipped_templates() or not res.is_file():
        raise _err(f"There is no checklist template called “{name}”; choose one of: "
                   f"{', '.join(shipped_templates())}.")
    return parse_template(json.loads(res.read_text(encoding="utf-8")), f"“{name}”")


# =========================================================================== rows


@dataclass(slots=True)
class TemplateRow:
    id: int
    name: str
    version: str
    family: str
    standard: str
    kind: str
    source: str
    status: str
    description: str
    items: int = 0
    runs: int = 0
    #: the newest version of its family
    latest: bool = True

    @property
    def in_use(self) -> bool:
        return self.runs > 0


@dataclass(slots=True)
class RunRow:
    id: int
    code: str
    title: str
    kind: str
    template_id: int | None
    template_name: str
    template_version: str
    scope: str
    auditor: str
    auditee: str
    process_id: int | None
    process: str
    planned_on: dt.date | None
    started_on: dt.date | None
    completed_on: dt.date | None
    stage: str
    # computed
    items: int = 0
    answered: int = 0
    percent: float | None = None
    findings: int = 0
    open_findings: int = 0
    programme_state: str = "unplanned"

    @property
    def progress(self) -> float:
        return self.answered / self.items if self.items else 1.0


@dataclass(slots=True)
class ItemRow:
    """One item of a run with its answer: what the run table and the workshop view show."""

    number: int
    item_id: int
    response_id: int
    section: str
    clause: str
    title: str
    guidance: str
    expected_evidence: str
    weight: float
    pdca: str
    result: str | None
    evidence: str
    notes: str
    answered_at: dt.datetime | None
    answered_by: str
    links: int = 0
    attachments: int = 0
    findings: int = 0

    @property
    def id(self) -> int:
        """The row's id in a table: its response's."""
        return self.response_id


@dataclass(slots=True)
class FindingRow:
    id: int
    run_id: int
    response_id: int | None
    ref: str
    kind: str
    clause: str
    description: str
    correction: str
    root_cause: str
    status: str
    effectiveness_check: str
    effective: bool | None
    closed_on: dt.date | None
    item: str = ""
    actions: int = 0
    open_actions: int = 0
    #: what keeps it from closing (empty: it may close)
    closure_problems: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return rules.FINDING_LABELS.get(self.kind, self.kind)


@dataclass(slots=True)
class EvidenceRow:
    id: int
    response_id: int
    entity: str
    record_id: int
    label: str
    note: str


@dataclass(slots=True)
class RunScores:
    overall: rules.Score
    by_clause: dict[str, rules.Score]
    by_chapter: dict[str, rules.Score]
    by_pdca: dict[str, rules.Score]
    by_section: dict[str, rules.Score]
    previous_run_id: int | None = None
    chapter_trend: dict[str, float | None] = field(default_factory=dict)
    pdca_trend: dict[str, float | None] = field(default_factory=dict)
    overall_trend: float | None = None
    rule: str = rules.SCORE_RULE


@dataclass(slots=True)
class Proposal:
    response_id: int
    clause: str
    kind: str
    description: str


@dataclass(slots=True)
class AuditStepRow:
    step: str
    id: int | None
    planned_on: dt.date | None
    done_on: dt.date | None
    notes: str


@dataclass(slots=True)
class ProgrammeEntry:
    run_id: int
    code: str
    title: str
    planned_on: dt.date | None
    completed_on: dt.date | None
    state: str
    #: its steps planned before today and not done (a completed audit stays done: its late
    #: report or follow-up is told apart, see :func:`audit_state`)
    late_steps: list[str] = field(default_factory=list)

    @property
    def late(self) -> bool:
        """A step of it is late (the report, the follow-up…), done or not."""
        return bool(self.late_steps)

    @property
    def state_label(self) -> str:
        return rules.PROGRAMME_LABELS[self.state]


@dataclass(slots=True)
class ProgrammeRow:
    process_id: int | None
    process: str
    audits: list[ProgrammeEntry]

    @property
    def state(self) -> str:
        """The process's state for the year: overdue beats planned beats done; none planned
        is "unplanned"."""
        states = {a.state for a in self.audits}
        for s in ("overdue", "planned", "done"):
            if s in states:
                return s
        return "unplanned"


# =========================================================================== templates


def family_key(family: str, template_id: int) -> str:
    """The key shared by every version of a template ("" family: its own, "#<id>")."""
    return family or f"#{template_id}"


def list_templates(ws: Workspace) -> list[TemplateRow]:
    t = m.ChecklistTemplate
    with ws.connect() as c:
        items = dict(c.execute(select(m.ChecklistItem.template_id, func.count())
                               .group_by(m.ChecklistItem.template_id)).all())
        runs = dict(c.execute(select(m.ChecklistRun.template_id, func.count())
                              .group_by(m.ChecklistRun.template_id)).all())
        rows = [TemplateRow(r.id, r.name, r.version, r.family, r.standard, r.kind, r.source,
                            r.status, r.description, items.get(r.id, 0), runs.get(r.id, 0))
                for r in c.execute(select(t).order_by(t.name, t.id))]
    newest: dict[str, int] = {}
    for r in rows:
        newest[family_key(r.family, r.id)] = max(newest.get(family_key(r.family, r.id), 0), r.id)
    for r in rows:
        r.latest = newest[family_key(r.family, r.id)] == r.id
    return rows


def template_items(ws: Workspace, template_id: int) -> list[dict]:
    """The items of a template in order, as dicts with ``id`` and :data:`_ITEM_FIELDS`."""
    i = m.ChecklistItem
    with ws.connect() as c:
        return [dict(r) for r in c.execute(
            select(i.id, i.order, *(getattr(i, f) for f in _ITEM_FIELDS))
            .where(i.template_id == template_id).order_by(i.order, i.id)).mappings()]


def _add_items(s, template_id: int, items: Iterable[ItemSpec | dict]) -> None:
    for n, it in enumerate(items, start=1):
        if isinstance(it, dict):
            it = _clean_item(it, it.get("section", ""), "being saved")
        s.add(m.ChecklistItem(template_id=template_id, order=n, section=it.section,
                              clause=it.clause, title=it.title, guidance=it.guidance,
                              expected_evidence=it.expected_evidence, weight=it.weight,
                              pdca=it.pdca))


def _new_template(s, spec: TemplateSpec) -> int:
    t = m.ChecklistTemplate(name=spec.name, version=spec.version, standard=spec.standard,
                            kind=spec.kind, description=spec.description, status="active",
                            family=spec.family, source=spec.source)
    s.add(t)
    s.flush()
    _add_items(s, t.id, spec.items)
    return t.id


def create_template(ws: Workspace, spec: TemplateSpec) -> Change:
    """A new template from ``spec``; ``result`` is its id."""
    with ws.session() as s:
        tid = _new_template(s, spec)
    return Change.of(s, result=tid)


def install_template(ws: Workspace, name: str) -> Change:
    """Add a shipped template (:func:`shipped_templates`) to the workspace; ``result`` is its
    id. If that family and version is already there, nothing is written and ``result`` is the
    existing template's id."""
    spec = load_template_file(name)
    t = m.ChecklistTemplate
    with ws.session() as s:
        got = s.execute(select(t.id).where(t.family == spec.family,
                                           t.version == spec.version)).scalar()
        tid = got if got is not None else _new_template(s, spec)
    return Change.of(s, result=tid)


def _runs_of(s, template_id: int) -> int:
    return s.execute(select(func.count()).select_from(m.ChecklistRun)
                     .where(m.ChecklistRun.template_id == template_id)).scalar_one()


def save_template(ws: Workspace, template_id: int, values: dict[str, Any] | None = None,
                  items: list[dict] | None = None) -> Change:
    """Save a template's fields (``values``) and, when given, its whole item list in order
    (``items``: dicts of item fields, with ``id`` for an item kept). A template no run uses
    changes in place; one in use gets a new version instead (``result`` is the id of the
    template that now holds the edit)."""
    values = dict(values or {})
    for k in values:
        if k not in _TEMPLATE_FIELDS:
            raise _err(f"“{k.replace('_', ' ')}” of a checklist template cannot be edited.")
    if "kind" in values and values["kind"] not in m.CHECKLIST_KINDS:
        raise _err(f"A checklist is one of: {', '.join(m.CHECKLIST_KINDS)}.")
    if "name" in values and not str(values["name"]).strip():
        raise _err("A checklist template needs a name.")
    cleaned = None
    if items is not None:
        cleaned = [(it.get("id"), _clean_item(it, it.get("section", ""), "being saved"))
                   for it in items]
        if not cleaned:
            raise _err("A checklist template needs at least one item.")
    with ws.session() as s:
        t = s.get(m.ChecklistTemplate, template_id)
        if t is None:
            raise _err(f"Checklist template {template_id} no longer exists.")
        if _runs_of(s, template_id):
            tid = _new_version(s, t, values, cleaned)
        else:
            _edit_in_place(s, t, values, cleaned)
            tid = t.id
    return Change.of(s, result=tid)


def _new_version(s, t: m.ChecklistTemplate, values: dict[str, Any],
                 cleaned: list[tuple[int | None, ItemSpec]] | None) -> int:
    family = family_key(t.family, t.id)
    newer = s.execute(select(func.max(m.ChecklistTemplate.id)).where(
        m.ChecklistTemplate.family == family)).scalar()
    if newer is not None and newer != t.id:
        raise _err(f"{t.name} version {t.version} is not the newest version; edit the newest "
                   "one.")
    if cleaned is None:
        old = s.execute(select(m.ChecklistItem).where(m.ChecklistItem.template_id == t.id)
                        .order_by(m.ChecklistItem.order, m.ChecklistItem.id)).scalars()
        items = [ItemSpec(*(getattr(o, f) for f in _ITEM_FIELDS)) for o in old]
    else:
        items = [c for _, c in cleaned]
    if not t.family:
        t.family = family
    t.status = "superseded"
    tid = _new_template(s, TemplateSpec(family, t.name, rules.next_version(t.version), t.kind,
                                        t.standard, t.description, items, source=t.source))
    nt = s.get(m.ChecklistTemplate, tid)
    for k, v in values.items():
        setattr(nt, k, str(v).strip() if k == "name" else v)
    return tid


def _edit_in_place(s, t: m.ChecklistTemplate, values: dict[str, Any],
                   cleaned: list[tuple[int | None, ItemSpec]] | None) -> None:
    for k, v in values.items():
        setattr(t, k, str(v).strip() if k == "name" else v)
    if cleaned is None:
        return
    kept = {i: it for i, it in cleaned if i is not None}
    current = {i.id: i for i in s.execute(select(m.ChecklistItem).where(
        m.ChecklistItem.template_id == t.id)).scalars()}
    for iid in set(kept) - set(current):
        raise _err(f"Item {iid} is not an item of this template.")
    for iid, obj in current.items():
        if iid not in kept:
            s.delete(obj)
    for n, (iid, it) in enumerate(cleaned, start=1):
        obj = current[iid] if iid is not None else m.ChecklistItem(template_id=t.id)
        for f in _ITEM_FIELDS:
            if getattr(obj, f, None) != getattr(it, f):
                setattr(obj, f, getattr(it, f))
        if obj.order != n:
            obj.order = n
        if iid is None:
            s.add(obj)



def delete_template(ws: Workspace, template_id: int) -> Change:
    """Delete a template no run uses (a used one is kept for its runs)."""
    with ws.session() as s:
        t = s.get(m.ChecklistTemplate, template_id)
        if t is None:
            raise _err(f"Checklist template {template_id} no longer exists.")
        if _runs_of(s, template_id):
            raise _err(f"{t.name} version {t.version} is used by runs, so it cannot be "
                       "deleted; mark it retired instead.")
        s.delete(t)
    return Change.of(s)


# =========================================================================== xlsx


_XLSX_HEADERS = ("No.", "Section", "Clause", "Question", "Guidance", "Expected evidence",
                 "Weight", "PDCA")


def _schema():
    from .imports.table import Schema

    syn = {
        "section": ("section",), "chapter": ("section",), "group": ("section",),
        "clause": ("clause",), "clause ref": ("clause",), "clauses": ("clause",),
        "requirement": ("clause",), "iso clause": ("clause",),
        "question": ("title",), "item": ("title",), "title": ("title",),
        "checkpoint": ("title",), "audit question": ("title",),
        "guidance": ("guidance",), "how to check": ("guidance",), "notes": ("guidance",),
        "expected evidence": ("expected_evidence",), "evidence": ("expected_evidence",),
        "objective evidence": ("expected_evidence",),
        "weight": ("weight",), "weighting": ("weight",), "pdca": ("pdca",),
        "pdca phase": ("pdca",), "phase": ("pdca",),
    }
    return Schema(
        fields=("section", "clause", "title", "guidance", "expected_evidence", "weight",
                "pdca"),
        labels={"section": "Section", "clause": "Clause", "title": "Question",
                "guidance": "Guidance", "expected_evidence": "Expected evidence",
                "weight": "Weight", "pdca": "PDCA"},
        synonyms=syn, key_fields=("title",), content_fields=frozenset({"title"}),
        sheet_words=frozenset({"checklist", "items", "questions", "template"}),
        companion_sheets=frozenset({_INFO_SHEET}))


#: the sheet of an exported template that names it: (label, field) rows read back on import
_INFO_SHEET = "Info"
_INFO_ROWS = (("Name", "name"), ("Kind", "kind"), ("Standard", "standard"),
              ("Family", "family"), ("Version", "version"), ("Description", "description"),
              ("Workspace", "workspace_id"), ("Template id", "template_id"))
_KIND_WORDS = {"gap analysis": "gap_analysis", "internal audit": "internal_audit",
               "inspection": "inspection"}


def _kind_label(kind: str) -> str:
    return {v: k for k, v in _KIND_WORDS.items()}.get(kind, kind).capitalize()


def _text_cell(cell, v) -> None:
    """Write ``v`` into ``cell``; a text a spreadsheet would read as a formula stays text."""
    from .exports.cells import clean_text, needs_protection

    if isinstance(v, str):
        v = clean_text(v)
        if not v:
            return
        if needs_protection(v):
            cell._value = v
            cell.data_type = "s"
            cell.quotePrefix = True
            return
    cell.value = v


def export_template_xlsx(ws: Workspace, template_id: int, path: str | Path) -> Path:
    """Write a template's items to an .xlsx file (one row per item on "Checklist", texts that
    a spreadsheet would read as formulas kept as plain text) and what the template is on
    "Info": name, kind, standard, family, version, description and where it came from, so
    that :func:`import_template_xlsx` brings it back as itself."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .exports.cells import MAX_CELL_TEXT, clean_text, needs_protection

    with ws.connect() as c:
        t = c.execute(select(m.ChecklistTemplate).where(
            m.ChecklistTemplate.id == template_id)).first()
    if t is None:
        raise _err(f"Checklist template {template_id} no longer exists.")
    items = template_items(ws, template_id)
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Checklist"
    wb.properties.title = f"{t.name} version {t.version}"
    sheet.append(list(_XLSX_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, it in enumerate(items, start=1):
        values = [n, it["section"], it["clause"], it["title"], it["guidance"],
                  it["expected_evidence"], it["weight"], it["pdca"]]
        sheet.append([None] * len(values))
        for col, v in enumerate(values, start=1):
            cell = sheet.cell(row=n + 1, column=col)
            if isinstance(v, str):
                v = clean_text(v)
                if len(v) > MAX_CELL_TEXT:
                    raise _err(f"Item {n} holds a text longer than a spreadsheet cell can "
                               "hold; shorten it and export again.")
                if not v:
                    continue
                if needs_protection(v):
                    cell._value = v
                    cell.data_type = "s"
                    cell.quotePrefix = True
                else:
                    cell.value = v
            else:
                cell.value = v
            cell.alignment = wrap
    for col, width in zip("ABCDEFGH", (6, 24, 10, 50, 50, 40, 8, 8)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A2"
    info = wb.create_sheet(_INFO_SHEET)
    values = {"name": t.name, "kind": _kind_label(t.kind), "standard": t.standard,
              "family": t.family, "version": t.version, "description": t.description,
              "workspace_id": ws.workspace_id or "", "template_id": t.id}
    for r, (label, key) in enumerate(_INFO_ROWS, start=1):
        info.cell(row=r, column=1, value=label).font = Font(bold=True)
        _text_cell(info.cell(row=r, column=2), values[key])
        info.cell(row=r, column=2).alignment = wrap
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 90
    path = Path(path)
    wb.save(path)
    return path


def read_template_info(path: str | Path) -> dict[str, Any]:
    """What an exported template's "Info" sheet says it is: ``name``, ``kind`` (a kind code),
    ``standard``, ``family``, ``version``, ``description``, ``workspace_id``, ``template_id``
    (an int or None); an empty dict for a workbook without one (any other spreadsheet)."""
    from openpyxl import load_workbook

    from .imports.table import cell_text

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook openpyxl reads: the table reader says why
        return {}
    try:
        name = next((n for n in wb.sheetnames if n.strip().casefold() == _INFO_SHEET.lower()),
                    None)
        if name is None:
            return {}
        labels = {label.casefold(): key for label, key in _INFO_ROWS}
        out: dict[str, Any] = {}
        for row in wb[name].iter_rows(min_row=1, max_row=40, max_col=2, values_only=True):
            if not row or row[0] is None:
                continue
            key = labels.get(cell_text(row[0]).strip().casefold())
            if key:
                out[key] = "" if len(row) < 2 or row[1] is None else cell_text(row[1]).strip()
    finally:
        wb.close()
    kind = str(out.get("kind", "")).casefold().replace("_", " ")
    out["kind"] = _KIND_WORDS.get(kind, "") if kind else ""
    tid = str(out.get("template_id", "")).split(".")[0]
    out["template_id"] = int(tid) if tid.isdigit() else None
    return out


def read_template_xlsx(path: str | Path) -> list[ItemSpec]:
    """The items of a checklist spreadsheet, read through the shared table reader."""
    from .imports.table import cell_text, open_table, read_records, resolve_mapping

    schema = _schema()
    source = open_table(path, schema=schema)
    choice = source.choose_sheet()
    mapping = resolve_mapping(source, choice.sheet, choice.header_row, schema)
    if "title" not in mapping.values():
        raise _err(f"{Path(path).name} has no column of questions; name one “Question”.")
    read = read_records(source, choice.sheet, choice.header_row, mapping, schema)
    items = []
    for rec in read.records:
        raw = {f: "" if rec.get(col) is None else cell_text(rec.get(col)).strip()
               for col, f in mapping.items()}
        if not raw.get("title"):
            continue
        if raw.get("weight", "") == "":
            raw.pop("weight", None)
        items.append(_clean_item(raw, raw.get("section", ""),
                                 f"{Path(path).name} (row {rec.row_number})"))
    if not items:
        raise _err(f"{Path(path).name} holds no checklist questions.")
    return items


def _imported_template(ws: Workspace, info: dict[str, Any]) -> int | None:
    """The newest template of the family an exported template's file names: by its family,
    or (a template of no family) by its id in the workspace it was exported from."""
    rows = list_templates(ws)
    if info.get("family"):
        got = [r.id for r in rows if r.family == info["family"]]
        return max(got) if got else None
    tid = info.get("template_id")
    if tid is not None and info.get("workspace_id") and \
            info["workspace_id"] == (ws.workspace_id or ""):
        row = next((r for r in rows if r.id == tid), None)
        if row is not None:
            key = family_key(row.family, row.id)
            return max(r.id for r in rows if family_key(r.family, r.id) == key)
    return None


def _unchanged(s, t: m.ChecklistTemplate, values: dict[str, Any],
               items: list[ItemSpec]) -> bool:
    """Whether ``values`` and ``items`` equal template ``t``'s fields and items."""
    if any(getattr(t, k) != (str(v).strip() if k == "name" else v) for k, v in values.items()):
        return False
    rows = s.execute(select(m.ChecklistItem).where(m.ChecklistItem.template_id == t.id)
                     .order_by(m.ChecklistItem.order, m.ChecklistItem.id)).scalars().all()
    return len(rows) == len(items) and all(
        getattr(r, f) == getattr(i, f) for r, i in zip(rows, items) for f in _ITEM_FIELDS)


def import_template_xlsx(ws: Workspace, path: str | Path, *, name: str | None = None,
                         kind: str | None = None, into: int | None = None) -> Change:
    """A template from a spreadsheet; ``result`` is the id of the template holding it.

    * ``into``: the items of template ``into`` replaced by the spreadsheet's (a new version
      when runs use it).
    * A file exported by :func:`export_template_xlsx` names its template ("Info"): when that
      template's family is in this workspace, the file becomes a new version of its newest
      template (runs keep theirs), with the file's name, kind, standard and description.
      Otherwise, a new template with the stored name, kind, standard, family and version.
    * Any other spreadsheet: a new template named after the file, an internal audit.

    ``name`` / ``kind`` given: a new template of that name and kind, whatever the file says."""
    items = read_template_xlsx(path)
    if into is not None:
        return save_template(ws, into, items=[{f: getattr(i, f) for f in _ITEM_FIELDS}
                                              for i in items])
    info = read_template_info(path) if name is None else {}
    kind = kind or info.get("kind") or "internal_audit"
    if kind not in m.CHECKLIST_KINDS:
        raise _err(f"A checklist is one of: {', '.join(m.CHECKLIST_KINDS)}.")
    stored_name = (info.get("name") or "").strip()
    existing = _imported_template(ws, info) if info else None
    if existing is not None:
        values = {"name": stored_name or None, "kind": kind,
                  "standard": info.get("standard"), "description": info.get("description")}
        values = {k: v for k, v in values.items() if v is not None}
        with ws.session() as s:
            t = s.get(m.ChecklistTemplate, existing)
            if _unchanged(s, t, values, items):
                raise _err(f"{Path(path).name} holds the same items and fields as {t.name} "
                           f"version {t.version}: nothing changed, so no new version was made.")
            tid = _new_version(s, t, values, [(None, i) for i in items])
        return Change.of(s, result=tid)
    spec = TemplateSpec(
        (info.get("family") or "").strip(),
        (name or stored_name or Path(path).stem).strip() or "Imported checklist",
        (info.get("version") or "").strip() or "1", kind, (info.get("standard") or ""),
        info.get("description") or f"Imported from {Path(path).name}.", items,
        source="user")
    return create_template(ws, spec)


# =========================================================================== process maps

#: ISO 9001 clauses a process's own work is audited against, found from words of its name
#: (then of its purpose): the first rule whose word starts a word of the text wins, so the
#: more specific rules come first. (clause, what the clause covers)
_PROCESS_CLAUSES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("calibrat", "measuring equipment", "metrolog", "gauge", "gage"), "7.1.5",
     "monitoring and measuring resources"),
    (("nonconforming product", "nonconforming output", "nonconforming part",
      "nonconforming material", "quarantine"), "8.7", "control of nonconforming outputs"),
    (("corrective", "capa", "nonconformit", "complaint"), "10.2",
     "nonconformity and corrective action"),
    (("internal audit", "audit"), "9.2", "internal audit"),
    (("management review",), "9.3", "management review"),
    (("purchas", "supplier", "procure", "subcontract", "outsourc", "buying",
      "external provider", "externally provided", "vendor"), "8.4",
     "control of externally provided processes, products and services"),
    (("sales", "contract", "quotation", "quote", "enquir", "inquir", "order review",
      "customer requirement", "tender", "offer"), "8.2",
     "requirements for products and services"),
    (("design", "development", "r&d"), "8.3", "design and development"),
    (("training", "competence", "competency", "skill", "qualification", "onboarding"), "7.2",
     "competence"),
    (("document", "record control", "records", "information control"), "7.5",
     "documented information"),
    (("final inspection", "release", "inspection", "testing", "verification"), "8.6",
     "release of products and services"),
    (("maintenance", "infrastructure", "facilit", "equipment"), "7.1.3", "infrastructure"),
    (("production", "manufactur", "machining", "assembly", "fabricat", "delivery",
      "dispatch", "service provision", "operations", "logistic", "warehouse", "store"),
     "8.5.1", "control of production and service provision"),
    (("planning", "objective", "risk"), "6", "planning"),
    (("improvement",), "10.3", "continual improvement"),
)
_GENERIC_CLAUSE = ("4.4", "the quality management system and its processes")


def process_clause(name: str, code: str = "", purpose: str = "") -> tuple[str, str]:
    """The ISO 9001 clause the steps of a process are audited against, and what it covers:
    from words of the process's name and code, else of its purpose; 4.4 (the process approach)
    for a process none of them tells (see :data:`_PROCESS_CLAUSES`)."""
    import re

    for text in (f"{name} {code}", purpose):
        words = " " + " ".join(re.findall(r"[\w&]+", (text or "").casefold())) + " "
        for keys, clause, what in _PROCESS_CLAUSES:
            if any(f" {k}" in words for k in keys):
                return clause, what
    return _GENERIC_CLAUSE


def generate_process_audit(ws: Workspace, process_id: int) -> Change:
    """An internal-audit template for one process, generated from its map: a question per
    step (done as mapped, by its role), per document a step uses, per record it produces, per
    risk of the process and its steps, and the process's indicators, grouped by section in
    that order. Steps cite the clause of the process's kind of work (:func:`process_clause`:
    purchasing 8.4, production 8.5.1, …). A later generation of the same process is a new
    version of the same family. ``result`` is the template's id."""
    with ws.session() as s:
        p = s.get(m.Process, process_id)
        if p is None:
            raise _err(f"Process {process_id} no longer exists.")
        label = " ".join(x for x in (p.code, p.name) if x)
        roles = dict(s.execute(select(m.Role.id, m.Role.name)).all())
        nodes = s.execute(select(m.ProcessNode).where(
            m.ProcessNode.process_id == process_id,
            m.ProcessNode.kind.in_(("step", "subprocess", "decision")))
            .order_by(m.ProcessNode.x, m.ProcessNode.y, m.ProcessNode.id)).scalars().all()
        node_ids = [n.id for n in nodes]
        links = s.execute(select(m.NodeDocument.node_id, m.NodeDocument.kind, m.Document.number,
                                 m.Document.title)
                          .join(m.Document, m.Document.id == m.NodeDocument.document_id)
                          .where(m.NodeDocument.node_id.in_(node_ids))
                          .order_by(m.Document.number)).all() if node_ids else []
        risks = s.execute(select(m.Risk.ref, m.Risk.title, m.Risk.controls).where(
            (m.Risk.process_id == process_id) | (m.Risk.node_id.in_(node_ids or [-1])),
            m.Risk.status != "closed").order_by(m.Risk.ref, m.Risk.id)).all()
        items: list[ItemSpec] = []
        roles_items: list[ItemSpec] = []
        clause, covers = process_clause(p.name or "", p.code or "", p.purpose or "")
        for n in nodes:
            name = (n.name or "").strip() or "(unnamed step)"
            if n.kind == "decision":
                items.append(ItemSpec("Steps", clause, f"Decision: {name}",
                                      "Is the decision made on the criteria the map and its "
                                      "procedure give? Look at two recent cases.",
                                      "Records of the decision and its criteria"))
                continue
            role = roles.get(n.role_id, "")
            who = f" by the {role}" if role else ""
            items.append(ItemSpec("Steps", clause, f"Step: {name}",
                                  f"Is “{name}” done as mapped{who}, meeting ISO 9001 {clause} "
                                  f"({covers})? Ask the person doing it to show a recent case.",
                                  (n.description or "").strip() or "A recent case of the step"))
            if role:
                roles_items.append(ItemSpec("Roles and competence", "7.2",
                                            f"Competence for “{name}”",
                                            f"Are the people who do “{name}” trained for the "
                                            f"{role} role, and are their records current?",
                                            "Training matrix; training records"))
        items += roles_items
        records: list[ItemSpec] = []
        seen: set[tuple[str, str]] = set()
        for _nid, kind, number, title in links:
            if (kind, number) in seen:
                continue
            seen.add((kind, number))
            doc = " ".join(x for x in (number, title) if x)
            if kind == "record":
                records.append(ItemSpec("Records", "7.5.3", f"Record: {doc}",
                                        f"Is {doc} filled in completely, kept and retrievable? "
                                        "Sample three.", "Completed records"))
            else:
                items.append(ItemSpec("Documents", "7.5.3", f"Document: {doc}",
                                      f"Is the current revision of {doc} available where the "
                                      "work is done, and do people follow it?",
                                      "Revision at the point of use compared with the register"))
        items += records
        for ref, title, controls in risks:
            r = " ".join(x for x in (ref, title) if x)
            items.append(ItemSpec("Risks", "6.1", f"Risk: {r}",
                                  "Are the controls of this risk in place and working?"
                                  + (f" Controls: {controls.strip()}" if controls.strip()
                                     else ""),
                                  "The controls seen working; treatment actions' status"))
        items.append(ItemSpec("Performance", "9.1.1", "Process indicators",
                              "Are the process's indicators measured, reviewed and acted on?"
                              + (f" Indicators: {p.kpis.strip()}" if p.kpis.strip() else ""),
                              "KPI charts; minutes of their review"))
        family = f"process-audit-{process_id}"
        prev = s.execute(select(m.ChecklistTemplate).where(
            m.ChecklistTemplate.family == family).order_by(m.ChecklistTemplate.id.desc())
        ).scalars().first()
        version = rules.next_version(prev.version) if prev is not None else "1"
        if prev is not None:
            prev.status = "superseded"
        tid = _new_template(s, TemplateSpec(
            family, f"Internal audit: {label}", version, "internal_audit", "ISO 9001:2015",
            f"Generated from the map of {label}: its steps, roles, documents, records and "
            "risks.", items, source="process_map"))
    return Change.of(s, result=tid)


# =========================================================================== runs


def _run_rows(c, stmt, today: dt.date) -> list[RunRow]:
    recs = c.execute(stmt).all()
    out: list[RunRow] = []
    if not recs:
        return out
    rid_list = [rec.id for rec in recs]
    answers: dict[int, list[rules.Answer]] = {i: [] for i in rid_list}
    for run_id, clause, result, weight, pdca in c.execute(
            select(m.Response.run_id, m.ChecklistItem.clause, m.Response.result,
                   m.ChecklistItem.weight, m.ChecklistItem.pdca)
            .join(m.ChecklistItem, m.ChecklistItem.id == m.Response.item_id)
            .where(m.Response.run_id.in_(rid_list))):
        answers[run_id].append(rules.Answer(clause, result, weight, pdca))
    fcount: dict[int, list[int]] = {i: [0, 0] for i in rid_list}
    for run_id, status in c.execute(select(m.Finding.run_id, m.Finding.status)
                                    .where(m.Finding.run_id.in_(rid_list))):
        fcount[run_id][0] += 1
        fcount[run_id][1] += status != "closed"
    for rec in recs:
        sc = rules.score(answers[rec.id])
        process = " ".join(x for x in (rec.process_code, rec.process_name) if x)
        out.append(RunRow(
            rec.id, rec.code, rec.title, rec.kind, rec.template_id, rec.template_name or "",
            rec.template_version, rec.scope, rec.auditor, rec.auditee, rec.process_id, process,
            rec.planned_on, rec.started_on, rec.completed_on, rec.stage, sc.total, sc.assessed,
            sc.percent, *fcount[rec.id],
            audit_state(rec.planned_on, rec.completed_on, today)))
    return out


def _plain_run_query():
    r, t = m.ChecklistRun, m.ChecklistTemplate
    return (select(r.id, r.code, r.title, r.kind, r.template_id, r.template_version, r.scope,
                   r.auditor, r.auditee, r.process_id, r.planned_on, r.started_on,
                   r.completed_on, r.stage, t.name.label("template_name"),
                   m.Process.name.label("process_name"), m.Process.code.label("process_code"))
            .outerjoin(t, t.id == r.template_id)
            .outerjoin(m.Process, m.Process.id == r.process_id))


def list_runs(ws: Workspace, today: dt.date | None = None) -> list[RunRow]:
    """Every run, newest plan first, with its progress, score and findings."""
    today = today or dt.date.today()
    r = m.ChecklistRun
    with ws.connect() as c:
        return _run_rows(c, _plain_run_query().order_by(r.planned_on.desc(), r.id.desc()),
                         today)


def get_runs(ws: Workspace, ids: Iterable[int], today: dt.date | None = None) -> list[RunRow]:
    today = today or dt.date.today()
    wanted = sorted(set(ids))
    with ws.connect() as c:
        return _run_rows(c, _plain_run_query().where(m.ChecklistRun.id.in_(wanted))
                         .order_by(m.ChecklistRun.id), today)


def find_run(ws: Workspace, code: str) -> int:
    """The run with the code printed on a blank (case and blanks ignored)."""
    key = "".join(code.split()).upper()
    with ws.connect() as c:
        got = c.execute(select(m.ChecklistRun.id).where(
            func.upper(m.ChecklistRun.code) == key)).scalar()
    if got is None:
        raise _err(f"No checklist run has the code “{code.strip()}”.")
    return got


def _next_code(s, kind: str, year: int) -> str:
    prefix = rules.run_code(kind, year, 0)[:-2]
    taken = s.execute(select(m.ChecklistRun.code).where(
        m.ChecklistRun.code.like(f"{prefix}%"))).scalars().all()
    nums = [int(c[len(prefix):]) for c in taken if c[len(prefix):].isdigit()]
    return rules.run_code(kind, year, (max(nums) + 1) if nums else 1)


def _clean_run(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        if k not in _RUN_FIELDS:
            raise _err(f"“{k.replace('_', ' ')}” of a checklist run cannot be edited.")
        if k == "stage" and v not in m.RUN_STAGES:
            raise _err(f"A run's stage is one of: {', '.join(m.RUN_STAGES)}.")
        if isinstance(v, str) and k not in ("planned_on", "started_on", "completed_on"):
            v = v.strip()
        out[k] = coerce(m.ChecklistRun, k, v)
    return out


def start_run(ws: Workspace, template_id: int, values: dict[str, Any] | None = None, *,
              today: dt.date | None = None) -> Change:
    """A run of a template (scope, dates, auditor, auditee, process in ``values``) with an
    empty response per item, a code and the template's version; ``result`` is its id."""
    today = today or dt.date.today()
    clean = _clean_run(values or {})
    with ws.session() as s:
        t = s.get(m.ChecklistTemplate, template_id)
        if t is None:
            raise _err(f"Checklist template {template_id} no longer exists.")
        if clean.get("process_id") is not None and s.get(m.Process, clean["process_id"]) is None:
            raise _err("That process no longer exists.")
        day = clean.get("planned_on") or clean.get("started_on") or today
        code = _next_code(s, t.kind, day.year)
        problem = rules.run_dates_problem(f"Run {code}", clean.get("started_on"),
                                          clean.get("completed_on"), today)
        if problem:
            raise _err(problem)
        run = m.ChecklistRun(template_id=t.id, kind=t.kind, template_version=t.version,
                             code=code,
                             title=clean.pop("title", "") or t.name,
                             stage=clean.pop("stage", "prepare"), **clean)
        s.add(run)
        s.flush()
        item_ids = s.execute(select(m.ChecklistItem.id).where(
            m.ChecklistItem.template_id == t.id).order_by(m.ChecklistItem.order,
                                                          m.ChecklistItem.id)).scalars().all()
        s.add_all([m.Response(run_id=run.id, item_id=i, result=None, evidence="", notes="",
                              answered_by="") for i in item_ids])
        rid = run.id
    return Change.of(s, result=rid)


def update_run(ws: Workspace, run_id: int, values: dict[str, Any], *,
               today: dt.date | None = None) -> Change:
    """Edit a run's fields; it is not completed before its start, and neither its start nor
    its completion lies after ``today``."""
    today = today or dt.date.today()
    clean = _clean_run(values)
    with ws.session() as s:
        run = s.get(m.ChecklistRun, run_id)
        if run is None:
            raise _err(f"Checklist run {run_id} no longer exists.")
        if "started_on" in clean or "completed_on" in clean:
            problem = rules.run_dates_problem(
                f"Run {run.code or run.id}", clean.get("started_on", run.started_on),
                clean.get("completed_on", run.completed_on), today)
            if problem:
                raise _err(problem)
        for k, v in clean.items():
            setattr(run, k, v)
    return Change.of(s)


def delete_run(ws: Workspace, run_id: int) -> Change:
    with ws.session() as s:
        run = s.get(m.ChecklistRun, run_id)
        if run is None:
            raise _err(f"Checklist run {run_id} no longer exists.")
        s.delete(run)
    return Change.of(s)


def run_items(ws: Workspace, run_id: int,
              response_ids: Iterable[int] | None = None) -> list[ItemRow]:
    """The items of a run in order with their answers and counts (what the run view shows);
    with ``response_ids``, only those (numbered as in the whole run): a view's refresh of the
    rows one answer touched."""
    i, r = m.ChecklistItem, m.Response
    with ws.connect() as c:
        stmt = (select(i.id, r.id, i.section, i.clause, i.title, i.guidance,
                       i.expected_evidence, i.weight, i.pdca, r.result, r.evidence, r.notes,
                       r.answered_at, r.answered_by)
                .join(r, r.item_id == i.id).where(r.run_id == run_id))
        if response_ids is None:
            recs = c.execute(stmt.order_by(i.order, i.id)).all()
            numbers = {x[1]: n for n, x in enumerate(recs, start=1)}
        else:
            wanted = sorted(set(response_ids))
            recs = c.execute(stmt.where(r.id.in_(wanted)).order_by(i.order, i.id)).all()
            order = c.execute(select(r.id).join(i, i.id == r.item_id)
                              .where(r.run_id == run_id).order_by(i.order, i.id)).scalars()
            numbers = {rid: n for n, rid in enumerate(order, start=1)}
        rids = [x[1] for x in recs]
        link_q = (select(m.EvidenceLink.response_id, func.count())
                  .join(r, r.id == m.EvidenceLink.response_id).where(r.run_id == run_id))
        find_q = select(m.Finding.response_id, func.count()).where(m.Finding.run_id == run_id)
        if response_ids is not None:
            link_q = link_q.where(r.id.in_(rids))
            find_q = find_q.where(m.Finding.response_id.in_(rids))
        links = dict(c.execute(link_q.group_by(m.EvidenceLink.response_id)).all())
        finds = dict(c.execute(find_q.group_by(m.Finding.response_id)).all())
    files = attachments.count_for(ws, "response", rids) if rids else {}
    return [ItemRow(numbers[rec[1]], *rec, links.get(rec[1], 0), files.get(rec[1], 0),
                    finds.get(rec[1], 0)) for rec in recs]


def answer(ws: Workspace, response_id: int, *, result: Any = ..., evidence: str | None = None,
           notes: str | None = None, user: str | None = None,
           now: dt.datetime | None = None) -> Change:
    """Set the result, evidence text and/or notes of one response (one small transaction).
    A changed result records who answered and when."""
    with ws.session() as s:
        resp = s.get(m.Response, response_id)
        if resp is None:
            raise _err(f"Response {response_id} no longer exists.")
        if result is not ...:
            try:
                result = rules.check_result(result)
            except rules.ChecklistRuleError as e:
                raise _err(str(e)) from None
            if resp.result != result:
                resp.result = result
                resp.answered_at = (now or dt.datetime.now()).replace(microsecond=0)
                resp.answered_by = user if user is not None else ws.user
        if evidence is not None and evidence != resp.evidence:
            resp.evidence = evidence
        if notes is not None and notes != resp.notes:
            resp.notes = notes
    return Change.of(s, result=response_id)


def enter_results(ws: Workspace, run_id: int, results: dict[int, str | None], *,
                  user: str | None = None, now: dt.datetime | None = None) -> Change:
    """Type back a printed blank: ``{item number: result or what was written}`` (numbers as
    printed, from 1), all in one transaction; ``result`` is the number of answers changed."""
    rows = run_items(ws, run_id)
    by_number = {r.number: r for r in rows}
    parsed = {}
    for n, text in results.items():
        if n not in by_number:
            raise _err(f"The run has no item {n}; it has items 1 to {len(rows)}.")
        try:
            parsed[n] = rules.parse_result(text) if text not in rules.STATES else text
        except rules.ChecklistRuleError as e:
            raise _err(f"Item {n}: {e}") from None
    stamp = (now or dt.datetime.now()).replace(microsecond=0)
    changed = 0
    with ws.session() as s:
        for n, res in parsed.items():
            resp = s.get(m.Response, by_number[n].response_id)
            if resp.result != res:
                resp.result = res
                resp.answered_at = stamp
                resp.answered_by = user if user is not None else ws.user
                changed += 1
    return Change.of(s, result=changed)


# =========================================================================== evidence


def _label(c, entity: str, rid: int) -> str | None:
    model = EVIDENCE_ENTITIES[entity]
    if entity == "training_record":
        row = c.execute(select(m.Person.name, m.Course.code, m.Course.title,
                               m.TrainingRecord.completed_on)
                        .join(m.Person, m.Person.id == m.TrainingRecord.person_id)
                        .join(m.Course, m.Course.id == m.TrainingRecord.course_id)
                        .where(m.TrainingRecord.id == rid)).first()
        if row is None:
            return None
        return f"{row[0]}: {row[1] or row[2]}" + (f" ({row[3]})" if row[3] else "")
    if entity == "revision":
        row = c.execute(select(m.Document.number, m.Revision.number)
                        .join(m.Document, m.Document.id == m.Revision.document_id)
                        .where(m.Revision.id == rid)).first()
        return None if row is None else f"{row[0]} rev. {row[1]}"
    cols = model.__table__.c
    pick = [cols[n] for n in ("number", "ref", "code") if n in cols][:1]
    pick += [cols[n] for n in ("title", "name") if n in cols][:1]
    row = c.execute(select(*pick).where(cols.id == rid)).first()
    if row is None:
        return None
    return " ".join(str(x) for x in row if x) or f"{entity.replace('_', ' ')} {rid}"


def evidence_candidates(ws: Workspace, entity: str) -> list[tuple[int, str]]:
    """The records of ``entity`` a response may name as evidence: (id, label), as
    :func:`evidence_for` labels them, in label order (what an evidence picker lists)."""
    if entity not in EVIDENCE_ENTITIES:
        raise _err(f"A “{entity.replace('_', ' ')}” cannot be linked as evidence.")
    model = EVIDENCE_ENTITIES[entity]
    with ws.connect() as c:
        if entity in ("training_record", "revision"):
            ids = c.execute(select(model.id)).scalars().all()
            out = [(i, _label(c, entity, i) or "") for i in ids]
        else:
            cols = model.__table__.c
            pick = [cols[n] for n in ("number", "ref", "code") if n in cols][:1]
            pick += [cols[n] for n in ("title", "name") if n in cols][:1]
            out = [(row[0], " ".join(str(x) for x in row[1:] if x)
                    or f"{entity.replace('_', ' ')} {row[0]}")
                   for row in c.execute(select(cols.id, *pick))]
    return sorted(out, key=lambda x: (x[1].casefold(), x[0]))


def add_evidence(ws: Workspace, response_id: int, entity: str, record_id: int,
                 note: str = "") -> Change:
    """Name a workspace record as evidence for a response; ``result`` is the link's id (an
    existing link to the same record is kept and its id returned)."""
    if entity not in EVIDENCE_ENTITIES:
        raise _err(f"A “{entity.replace('_', ' ')}” cannot be linked as evidence.")
    with ws.session() as s:
        if s.get(m.Response, response_id) is None:
            raise _err(f"Response {response_id} no longer exists.")
        if s.get(EVIDENCE_ENTITIES[entity], record_id) is None:
            raise _err(f"That {entity.replace('_', ' ')} no longer exists.")
        got = s.execute(select(m.EvidenceLink.id).where(
            m.EvidenceLink.response_id == response_id, m.EvidenceLink.entity == entity,
            m.EvidenceLink.record_id == record_id)).scalar()
        if got is None:
            link = m.EvidenceLink(response_id=response_id, entity=entity, record_id=record_id,
                                  note=note)
            s.add(link)
            s.flush()
            got = link.id
    return Change.of(s, result=got)


def remove_evidence(ws: Workspace, link_id: int) -> Change:
    with ws.session() as s:
        link = s.get(m.EvidenceLink, link_id)
        if link is None:
            raise _err("That evidence link no longer exists.")
        s.delete(link)
    return Change.of(s)


def evidence_for(ws: Workspace, response_id: int) -> list[EvidenceRow]:
    e = m.EvidenceLink
    with ws.connect() as c:
        links = c.execute(select(e.id, e.entity, e.record_id, e.note)
                          .where(e.response_id == response_id).order_by(e.id)).all()
        return [EvidenceRow(i, response_id, ent, rid,
                            (_label(c, ent, rid) if ent in EVIDENCE_ENTITIES else None)
                            or f"{ent.replace('_', ' ')} {rid}", note)
                for i, ent, rid, note in links]


def attach(ws: Workspace, response_id: int, source, *, name: str | None = None) -> Change:
    """Attach a file (a photo, a scan) to a response; see ``services.attachments.add``."""
    return attachments.add(ws, "response", response_id, source, name=name)


# =========================================================================== scores


def _answers(c, run_id: int) -> list[rules.Answer]:
    return [rules.Answer(cl, res, w, p, sec) for cl, res, w, p, sec in c.execute(
        select(m.ChecklistItem.clause, m.Response.result, m.ChecklistItem.weight,
               m.ChecklistItem.pdca, m.ChecklistItem.section)
        .join(m.ChecklistItem, m.ChecklistItem.id == m.Response.item_id)
        .where(m.Response.run_id == run_id).order_by(m.ChecklistItem.order))]


def previous_run(ws: Workspace, run_id: int) -> int | None:
    """The latest earlier run of the same template family (by start or planned day, then id),
    or None."""
    r, t = m.ChecklistRun, m.ChecklistTemplate
    with ws.connect() as c:
        rows = c.execute(select(r.id, r.started_on, r.planned_on, t.id, t.family)
                         .join(t, t.id == r.template_id)).all()
    fam = {rid: family_key(f, tid) for rid, _s, _p, tid, f in rows}
    when = {rid: (s or p or dt.date.min, rid) for rid, s, p, _t, _f in rows}
    if run_id not in fam:
        return None
    earlier = [rid for rid in fam if fam[rid] == fam[run_id] and when[rid] < when[run_id]]
    return max(earlier, key=when.__getitem__) if earlier else None


def run_scores(ws: Workspace, run_id: int, *, compare_with: int | None = ...) -> RunScores:
    """Scores of a run overall, per clause, chapter, PDCA phase and section, with the trend
    against the previous run of its family (or ``compare_with``; None: no comparison)."""
    with ws.connect() as c:
        answers = _answers(c, run_id)
    prev = previous_run(ws, run_id) if compare_with is ... else compare_with
    out = RunScores(rules.score(answers), rules.scores_by_clause(answers),
                    rules.scores_by_chapter(answers), rules.scores_by_pdca(answers),
                    rules.scores_by_section(answers), prev)
    if prev is not None:
        with ws.connect() as c:
            before = _answers(c, prev)
        out.chapter_trend = rules.trend(out.by_chapter, rules.scores_by_chapter(before))
        out.pdca_trend = rules.trend(out.by_pdca, rules.scores_by_pdca(before))
        out.overall_trend = rules.trend({"": out.overall}, {"": rules.score(before)})[""]
    return out


# =========================================================================== findings


def proposals(ws: Workspace, run_id: int) -> list[Proposal]:
    """The findings the answers of a run propose, for responses without a finding yet."""
    r, i = m.Response, m.ChecklistItem
    with ws.connect() as c:
        have = set(c.execute(select(m.Finding.response_id).where(
            m.Finding.run_id == run_id)).scalars())
        recs = c.execute(select(r.id, i.clause, i.title, r.result, r.evidence, r.notes)
                         .join(i, i.id == r.item_id).where(r.run_id == run_id)
                         .order_by(i.order, i.id)).all()
    out = []
    for rid, clause, title, result, evidence, notes in recs:
        kind = rules.proposed_finding_kind(result, notes)
        if kind is None or rid in have:
            continue
        text = "; ".join(x.strip() for x in (notes, evidence) if x and x.strip())
        out.append(Proposal(rid, clause, kind, f"{title}: {text}" if text else title))
    return out


def _clean_finding(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        if k not in _FINDING_FIELDS:
            raise _err(f"“{k.replace('_', ' ')}” of a finding cannot be edited.")
        if k == "kind" and v not in m.FINDING_KINDS:
            raise _err("A finding is a major or minor nonconformity, an observation or an "
                       "opportunity for improvement.")
        if k == "status" and v not in m.FINDING_STATUSES:
            raise _err("A finding is open or closed.")
        out[k] = coerce(m.Finding, k, v)
    return out


def add_finding(ws: Workspace, run_id: int, response_id: int | None = None,
                values: dict[str, Any] | None = None) -> Change:
    """A finding of a run, linked to a response (its clause and proposed kind by default);
    its reference is the run's code and a number ("IA26-03-F02"). ``result`` is its id."""
    clean = _clean_finding(values or {})
    if clean.get("status") == "closed":
        raise _err("A new finding is open; close it once it is dealt with.")
    with ws.session() as s:
        run = s.get(m.ChecklistRun, run_id)
        if run is None:
            raise _err(f"Checklist run {run_id} no longer exists.")
        if response_id is not None:
            resp = s.get(m.Response, response_id)
            if resp is None or resp.run_id != run_id:
                raise _err("That answer is not part of this run.")
            item = s.get(m.ChecklistItem, resp.item_id)
            clean.setdefault("clause", item.clause)
            clean.setdefault("kind", rules.proposed_finding_kind(resp.result, resp.notes)
                             or "observation")
            clean.setdefault("description", "; ".join(
                x.strip() for x in (resp.notes, resp.evidence) if x.strip()) or item.title)
        if not clean.get("ref"):
            prefix = f"{run.code or f'RUN{run.id}'}-F"
            taken = s.execute(select(m.Finding.ref).where(m.Finding.run_id == run_id)
                              ).scalars().all()
            nums = [int(x[len(prefix):]) for x in taken
                    if x.startswith(prefix) and x[len(prefix):].isdigit()]
            clean["ref"] = f"{prefix}{(max(nums) + 1) if nums else 1:02d}"
        f = m.Finding(run_id=run_id, response_id=response_id, status="open", **clean)
        s.add(f)
        s.flush()
        fid = f.id
    return Change.of(s, result=fid)


def _closure(s, f: m.Finding) -> list[str]:
    acts = s.execute(select(m.Action.status, m.Action.kind).where(
        m.Action.finding_id == f.id)).all()
    return rules.closure_problems(
        f.kind, correction=f.correction, root_cause=f.root_cause,
        actions=[rules.ActionState(st, k) for st, k in acts],
        effectiveness_check=f.effectiveness_check, effective=f.effective)


def update_finding(ws: Workspace, finding_id: int, values: dict[str, Any], *,
                   today: dt.date | None = None) -> Change:
    """Edit a finding. Closing it (status "closed") follows the ISO 9001 10.2 rule
    (``core.checklists.closure_problems``) and dates it; reopening clears the date."""
    today = today or dt.date.today()
    clean = _clean_finding(values)
    with ws.session() as s:
        f = s.get(m.Finding, finding_id)
        if f is None:
            raise _err(f"Finding {finding_id} no longer exists.")
        was = f.status
        for k, v in clean.items():
            setattr(f, k, v)
        if f.status == "closed":
            problems = _closure(s, f)
            if problems:
                raise _err(f"{f.ref or 'The finding'} cannot be closed yet:"
                           + "".join(f"\n• {p}" for p in problems))
            if was != "closed":
                f.closed_on = today
        elif f.closed_on is not None:
            f.closed_on = None
    return Change.of(s)


def add_action(ws: Workspace, finding_id: int, values: dict[str, Any] | None = None, *,
               today: dt.date | None = None) -> Change:
    """An action in the workspace-wide list raised from a finding (owner, due date… in
    ``values``, see ``services.actions``); ``result`` is its id."""
    return actions_service.add_action(ws, "finding", finding_id, values, today=today)


def findings(ws: Workspace, run_id: int | None = None) -> list[FindingRow]:
    """Findings (of one run, or all) with their item, action counts and what keeps each from
    closing."""
    f = m.Finding
    stmt = select(*f.__table__.c, m.ChecklistItem.title.label("item_title")).outerjoin(
        m.Response, m.Response.id == f.response_id).outerjoin(
        m.ChecklistItem, m.ChecklistItem.id == m.Response.item_id)
    acts_q = select(m.Action.finding_id, m.Action.status, m.Action.kind).where(
        m.Action.finding_id.is_not(None))
    if run_id is not None:
        stmt = stmt.where(f.run_id == run_id)
        acts_q = acts_q.join(f, f.id == m.Action.finding_id).where(f.run_id == run_id)
    with ws.connect() as c:
        recs = c.execute(stmt.order_by(f.run_id, f.ref, f.id)).all()
        acts: dict[int, list[tuple[str, str]]] = {}
        for fid, st, k in c.execute(acts_q):
            acts.setdefault(fid, []).append((st, k))
    out = []
    for x in recs:
        a = acts.get(x.id, [])
        effective = None if x.effective is None else bool(x.effective)
        out.append(FindingRow(
            x.id, x.run_id, x.response_id, x.ref, x.kind, x.clause, x.description,
            x.correction, x.root_cause, x.status, x.effectiveness_check, effective,
            x.closed_on, x.item_title or "", len(a),
            sum(st in actions_service.OPEN for st, _ in a),
            rules.closure_problems(x.kind, correction=x.correction, root_cause=x.root_cause,
                                   actions=[rules.ActionState(st, k) for st, k in a],
                                   effectiveness_check=x.effectiveness_check,
                                   effective=effective)))
    return out


# =========================================================================== programme


def _step_day(step: str, what: str, value: Any) -> dt.date | None:
    """``value`` as the step's done or planned day; a bad one is named in words."""
    try:
        return coerce(m.AuditStep, f"{what}_on", value)
    except RecordError:
        name = rules.STEP_NAMES.get(step, step.replace("_", " "))
        raise _err(f"“{value}” is not a date for the {name}'s {what} date.") from None


def set_step(ws: Workspace, run_id: int, step: str, *, done_on: Any = ...,
             planned_on: Any = ..., notes: str | None = None,
             today: dt.date | None = None) -> Change:
    """Record an ISO 19011 step of an audit (:data:`storage.models.AUDIT_STEPS`): the day it
    is planned or was done, notes. ``result`` is the step record's id. A planned day may lie
    ahead; a done day may not (after ``today``), nor break the steps' order
    (:func:`core.checklists.step_date_problem`)."""
    if step not in m.AUDIT_STEPS:
        raise _err(f"An audit step is one of: {', '.join(m.AUDIT_STEPS).replace('_', ' ')}.")
    today = today or dt.date.today()
    with ws.session() as s:
        if s.get(m.ChecklistRun, run_id) is None:
            raise _err(f"Checklist run {run_id} no longer exists.")
        rows = {r.step: r for r in s.execute(select(m.AuditStep)
                                             .where(m.AuditStep.run_id == run_id)).scalars()}
        row = rows.get(step)
        if done_on is not ...:
            day = _step_day(step, "done", done_on)
            problem = rules.step_date_problem(
                {st: r.done_on for st, r in rows.items() if st != step}, step, day, today)
            if problem:
                raise _err(problem)
        if planned_on is not ...:
            plan_day = _step_day(step, "planned", planned_on)
            problem = rules.step_plan_problem(
                {st: r.planned_on for st, r in rows.items() if st != step}, step, plan_day)
            if problem:
                raise _err(problem)
        if row is None:
            row = m.AuditStep(run_id=run_id, step=step, notes="")
            s.add(row)
        if done_on is not ...:
            row.done_on = day
        if planned_on is not ...:
            row.planned_on = plan_day
        if notes is not None:
            row.notes = notes
        s.flush()
        sid = row.id
    return Change.of(s, result=sid)


def audit_steps(ws: Workspace, run_id: int) -> list[AuditStepRow]:
    """Every ISO 19011 step of an audit in order (``id`` None: not recorded yet)."""
    a = m.AuditStep
    with ws.connect() as c:
        got = {r.step: r for r in c.execute(select(a).where(a.run_id == run_id))}
    return [AuditStepRow(st, got[st].id, got[st].planned_on, got[st].done_on, got[st].notes)
            if st in got else AuditStepRow(st, None, None, None, "") for st in m.AUDIT_STEPS]


def audit_state(planned_on: dt.date | None, completed_on: dt.date | None,
                today: dt.date) -> str:
    """An audit's state, the one the programme, the run list and the dashboard's audit tile
    all count by: *done* once its run is completed, *overdue* when its planned day has passed
    without completion, *planned* before that, *unplanned* without a day. A late ISO 19011
    step (the report, the follow-up…) does not change it: it is told apart in
    :attr:`ProgrammeEntry.late_steps` ("✓ done, its report overdue")."""
    return rules.programme_state(planned_on, completed_on, today)


def programme(ws: Workspace, year: int, today: dt.date | None = None) -> list[ProgrammeRow]:
    """The internal-audit programme of ``year``: every process (by code) with its audits
    planned in that year (planned / done / overdue), then audits of no process."""
    today = today or dt.date.today()
    r = m.ChecklistRun
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with ws.connect() as c:
        procs = c.execute(select(m.Process.id, m.Process.code, m.Process.name)
                          .where(m.Process.parent_id.is_(None))
                          .order_by(m.Process.code, m.Process.name, m.Process.id)).all()
        runs = c.execute(select(r.id, r.code, r.title, r.process_id, r.planned_on,
                                r.completed_on)
                         .where(r.kind == "internal_audit",
                                func.coalesce(r.planned_on, r.started_on).between(start, end))
                         .order_by(r.planned_on, r.id)).all()
        steps: dict[int, list[tuple[str, Any, Any]]] = {}
        if runs:
            a = m.AuditStep
            for run_id, st, planned, done in c.execute(
                    select(a.run_id, a.step, a.planned_on, a.done_on)
                    .where(a.run_id.in_([x.id for x in runs]))):
                steps.setdefault(run_id, []).append((st, planned, done))
    by_proc: dict[int | None, list[ProgrammeEntry]] = {}
    for rid, code, title, pid, planned, done in runs:
        late = rules.late_steps(steps.get(rid, ()), today)
        by_proc.setdefault(pid, []).append(ProgrammeEntry(
            rid, code, title, planned, done, audit_state(planned, done, today), late))
    out = [ProgrammeRow(pid, " ".join(x for x in (code, name) if x), by_proc.pop(pid, []))
           for pid, code, name in procs]
    for pid, audits in by_proc.items():  # a sub-process's audits, or none
        out.append(ProgrammeRow(pid, "", audits))
    return out
