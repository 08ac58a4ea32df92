"""A checklist or a run for paper and spreadsheets: what every checklist export reads, and the
run as a formatted .xlsx.

* :func:`load_checklist` reads, once, everything a printed or exported checklist shows: the
  workspace's name, the template's name and version, the run (code, scope, auditors, dates),
  its items in order (for a blank, without answers), evidence links, scores with their rule,
  findings with their actions, the ISO 19011 steps, and the audit head read with it.
  ``ui/checklists/print.py`` (PDF, printing) and ``checklist_docx.py`` (Word) paint from it.
* :func:`checklist_ref` turns what a user typed on the command line (an id, ``template:3`` /
  ``run:2``, a run code, an exact name) into a template or a run.
* :func:`write_checklist_xlsx`: an "Items" sheet (no., section, clause, question, expected
  evidence, weight, result, evidence, notes, links, answered by and on), a "Findings" sheet
  (with their actions) and a "Summary" sheet (run details, score and its rule, scores per
  chapter or section, the audit head); header rows frozen, autofilters, one font family,
  every text through :mod:`~qms_desktop.services.exports.cells` (evidence typed as ``=1+1``
  stays text), saved atomically.

No Qt; openpyxl is imported lazily.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core import checklists as rules
from ..audit_trail import stamp_text
from .cells import MAX_CELL_TEXT, clean_text, needs_protection
from .risks_xlsx import _check_target, _footer_text, save_atomically

__all__ = ["ChecklistDoc", "DocFinding", "DocItem", "FONT_NAME", "RESULT_BOXES",
           "checklist_ref", "export_checklist_xlsx", "load_checklist", "result_key",
           "result_short", "write_checklist_xlsx"]

FONT_NAME = "Calibri"
#: the result boxes of a printed checklist: (result, short label)
RESULT_BOXES = (("conform", "C"), ("partial", "P"), ("nonconform", "NC"), ("na", "N/A"))
#: the key typed in Fast entry (and in the run view) for each result: "1" conform … "4" N/A
_KEY_OF = {v: k for k, v in rules.RESULT_KEYS.items()}
RESULT_LEGEND = " · ".join(f"{short} {_KEY_OF[r]} {rules.RESULT_LABELS[r].lower()}"
                           for r, short in RESULT_BOXES)
STEP_LABELS = {"plan": "Audit plan", "opening_meeting": "Opening meeting",
               "evidence": "Collecting evidence", "closing_meeting": "Closing meeting",
               "report": "Audit report", "follow_up": "Follow-up"}
KIND_LABELS = {"gap_analysis": "Gap analysis", "internal_audit": "Internal audit",
               "inspection": "Inspection"}


def result_key(result: str | None) -> str:
    """The digit that types ``result`` back in Fast entry (``core.checklists.RESULT_KEYS``):
    printed beside its tick box on a blank."""
    return _KEY_OF.get(result, "")


def result_short(result: str | None) -> str:
    """The result as printed in a box column ("C", "P", "NC", "N/A"; "" not assessed)."""
    return dict(RESULT_BOXES).get(result, "")


@dataclass
class DocItem:
    number: int
    section: str
    clause: str
    title: str
    guidance: str
    expected_evidence: str
    weight: float
    result: str | None = None
    evidence: str = ""
    notes: str = ""
    answered_by: str = ""
    answered_at: dt.datetime | None = None
    links: list[str] = field(default_factory=list)

    @property
    def question(self) -> str:
        """What the auditor asks: the item's guidance question (a catalogue item's title is
        only its clause's title, "Customer focus"), else its title."""
        return self.guidance.strip() or self.title

    @property
    def topic(self) -> str:
        """The item's title when :attr:`question` is something else ("" otherwise)."""
        return self.title if self.guidance.strip() and self.title != self.question else ""


@dataclass
class DocFinding:
    row: Any  # services.checklists.FindingRow
    actions: list[Any]  # services.actions.ActionRow


@dataclass
class ChecklistDoc:
    """Everything a printed or exported checklist shows, read once."""

    workspace: str
    template_name: str
    template_version: str
    standard: str
    kind: str
    blank: bool
    items: list[DocItem]
    head_hash: str
    head_event: int
    run: Any = None  # services.checklists.RunRow
    findings: list[DocFinding] = field(default_factory=list)
    scores: Any = None  # services.checklists.RunScores
    steps: list[Any] = field(default_factory=list)  # services.checklists.AuditStepRow
    printed_on: dt.date = field(default_factory=dt.date.today)

    @property
    def stamp(self) -> str:
        return stamp_text(self.head_hash, self.head_event)

    @property
    def title(self) -> str:
        """The template's name (the run's title when the run's template is gone)."""
        return self.template_name or (self.run.title if self.run else "") or "Checklist"

    @property
    def version_text(self) -> str:
        return f"version {self.template_version}" if self.template_version else ""

    @property
    def code(self) -> str:
        return self.run.code if self.run is not None else ""

    @property
    def completed(self) -> bool:
        """The run is completed (its stage complete or follow-up, or a completion day)."""
        r = self.run
        return r is not None and (r.stage in ("complete", "follow_up")
                                  or r.completed_on is not None)

    @property
    def status_text(self) -> str:
        """What the paper is: a blank, a completed run, or a run in progress with how many of
        its items are still open (never "completed" before the run is)."""
        if self.blank:
            return "Blank for the shop floor"
        if self.completed:
            return "Completed run"
        total = len(self.items)
        left = sum(it.result is None for it in self.items)
        if left:
            return f"Run in progress ({left} of {total} not yet assessed)"
        stage = (self.run.stage if self.run is not None else "").replace("_", " ")
        return f"Run in progress (all {total} assessed; {stage} stage)"

    def run_details(self) -> list[tuple[str, str]]:
        """(label, value) of the run, for the head of the first page ("" values kept so a
        blank has lines to fill in)."""
        r = self.run
        if r is None:
            return [("Scope", ""), ("Auditor(s)", ""), ("Auditee", ""), ("Date", "")]
        when = " · ".join(f"{k} {v.isoformat()}" for k, v in (
            ("planned", r.planned_on), ("started", r.started_on), ("completed", r.completed_on))
            if v is not None)
        out = [("Run", " ".join(x for x in (r.code, r.title) if x)),
               ("Kind", KIND_LABELS.get(r.kind, r.kind)), ("Scope", r.scope),
               ("Auditor(s)", r.auditor), ("Auditee", r.auditee)]
        if r.process:
            out.append(("Process", r.process))
        out.append(("Dates", when))
        return out


def _workspace_name(ws: Any) -> str:
    from sqlalchemy import select

    from ...storage import models as m

    with ws.connect() as c:
        org = c.execute(select(m.Organization.name).order_by(m.Organization.id).limit(1)
                        ).scalar()
    name = Path(str(ws.path)).name
    return f"{org} ({name})" if org else name


def checklist_ref(ws: Any, ref: str) -> tuple[str, int]:
    """("template", id) or ("run", id) for what a user typed: ``template:N`` / ``run:N``, a
    bare id (when only a template or only a run has it), a run code ("IA26-03"), a run's exact
    title or a template's exact name (its newest version). A ``RecordError`` with one sentence
    when nothing or several things match."""
    from .. import checklists
    from ..records import RecordError

    text = " ".join(str(ref).split())
    low = text.casefold()
    templates = checklists.list_templates(ws)
    runs = checklists.list_runs(ws)
    tids = {t.id for t in templates}
    rids = {r.id for r in runs}
    for prefix, kind, ids in (("template:", "template", tids), ("run:", "run", rids)):
        if low.startswith(prefix):
            num = low[len(prefix):].strip()
            if num.isdigit() and int(num) in ids:
                return kind, int(num)
            raise RecordError(f"There is no checklist {kind} with the id “{num}”.")
    if text.isdigit():
        n = int(text)
        if n in tids and n in rids:
            raise RecordError(f"{n} is the id of a template and of a run; write template:{n} "
                              f"or run:{n}.")
        if n in tids:
            return "template", n
        if n in rids:
            return "run", n
    key = "".join(text.split()).upper()
    got = [r.id for r in runs if r.code and r.code.upper() == key]
    if len(got) == 1:
        return "run", got[0]
    named = [t for t in templates if t.name.casefold() == low]
    titled = [r.id for r in runs if r.title.casefold() == low]
    if named and titled:
        raise RecordError(f"“{text}” names a template and a run; give the run's code or "
                          "template:ID instead.")
    if titled:
        if len(titled) > 1:
            raise RecordError(f"Several runs are called “{text}”; give the run's code instead.")
        return "run", titled[0]
    if named:
        families = {checklists.family_key(t.family, t.id) for t in named}
        if len(families) > 1:
            raise RecordError(f"Several templates are called “{text}”; give template:ID "
                              "instead.")
        return "template", max(t.id for t in named)
    raise RecordError(f"There is no checklist template or run “{text}” in this workspace "
                      "(give an id, a run code or the exact name).")


def load_checklist(ws: Any, template_id: int | None = None, run_id: int | None = None, *,
                   blank: bool | None = None, today: dt.date | None = None) -> ChecklistDoc:
    """A template's blank, a run's blank (with its code) or a run's completed form
    (``blank`` defaults to True for a template, False for a run)."""
    from .. import actions as actions_service
    from .. import checklists
    from ..audit_trail import head_stamp
    from ..records import RecordError

    if (template_id is None) == (run_id is None):
        raise RecordError("Choose a checklist template or a run to print.")
    blank = run_id is None if blank is None else blank
    head, n = head_stamp(ws)
    workspace = _workspace_name(ws)
    today = today or dt.date.today()
    if run_id is None:
        t = next((x for x in checklists.list_templates(ws) if x.id == template_id), None)
        if t is None:
            raise RecordError(f"Checklist template {template_id} no longer exists.")
        items = [DocItem(k, it["section"], it["clause"], it["title"], it["guidance"],
                         it["expected_evidence"], it["weight"])
                 for k, it in enumerate(checklists.template_items(ws, template_id), start=1)]
        return ChecklistDoc(workspace, t.name, t.version, t.standard, t.kind, True, items,
                            head, n, printed_on=today)
    runs = checklists.get_runs(ws, [run_id], today)
    if not runs:
        raise RecordError(f"Checklist run {run_id} no longer exists.")
    run = runs[0]
    standard = ""
    if run.template_id is not None:
        t = next((x for x in checklists.list_templates(ws) if x.id == run.template_id), None)
        standard = t.standard if t is not None else ""
    items = []
    for r in checklists.run_items(ws, run_id):
        it = DocItem(r.number, r.section, r.clause, r.title, r.guidance, r.expected_evidence,
                     r.weight)
        if not blank:
            it.result, it.evidence, it.notes = r.result, r.evidence, r.notes
            it.answered_by, it.answered_at = r.answered_by, r.answered_at
            if r.links:
                it.links = [e.label + (f" ({e.note})" if e.note else "")
                            for e in checklists.evidence_for(ws, r.response_id)]
        items.append(it)
    doc = ChecklistDoc(workspace, run.template_name, run.template_version, standard, run.kind,
                       blank, items, head, n, run=run, printed_on=today)
    if run.kind == "internal_audit":
        doc.steps = checklists.audit_steps(ws, run_id)
    if not blank:
        doc.scores = checklists.run_scores(ws, run_id)
        doc.findings = [DocFinding(f, actions_service.actions_for(ws, "finding", f.id, today))
                        for f in checklists.findings(ws, run_id)]
    return doc


# --------------------------------------------------------------------------- shared texts


def score_lines(doc: ChecklistDoc) -> list[tuple[str, str]]:
    """(label, text) of the scores of a completed run: overall, per chapter or per section,
    per PDCA phase; empty for a blank."""
    sc = doc.scores
    if sc is None:
        return []
    overall = sc.overall.text()
    if sc.overall_trend is not None:
        overall += f"; {sc.overall_trend:+.0f} points since the previous run"
    out = [("Score", overall)]
    chapters = {k: v for k, v in sc.by_chapter.items() if k and v.total}
    if chapters and doc.kind == "gap_analysis":
        out.append(("By chapter", " · ".join(
            f"{k}: {'–' if v.percent is None else f'{v.percent:.0f} %'}"
            for k, v in chapters.items())))
        pdca = {k: v for k, v in sc.by_pdca.items() if k and v.total}
        if pdca:
            out.append(("By PDCA phase", " · ".join(
                f"{k.capitalize()}: {'–' if v.percent is None else f'{v.percent:.0f} %'}"
                for k, v in pdca.items())))
    else:
        sections = {k: v for k, v in sc.by_section.items() if v.total}
        if len(sections) > 1:
            out.append(("By section", " · ".join(
                f"{k or '(no section)'}: {'–' if v.percent is None else f'{v.percent:.0f} %'}"
                for k, v in sections.items())))
    counts = sc.overall
    out.append(("Results", f"{counts.conform} conform, {counts.partial} partly conform, "
                           f"{counts.nonconform} nonconform, {counts.na} not applicable, "
                           f"{counts.open} not yet assessed"))
    out.append(("Rule", sc.rule))
    return out


def action_line(a: Any) -> str:
    """One action of a finding as one line: "A-012 Lock the cage — J. Doe, due 2026-12-01,
    open"."""
    who = ", ".join(x for x in (a.owner, f"due {a.due_date.isoformat()}" if a.due_date else "",
                                a.status.replace("_", " ")) if x)
    head = " ".join(x for x in (a.ref, a.title) if x)
    return f"{head} — {who}" if who else head


def finding_text(f: Any) -> str:
    """A finding's description with its correction and root cause, one paragraph each."""
    parts = [f.description]
    if f.correction:
        parts.append(f"Correction: {f.correction}")
    if f.root_cause:
        parts.append(f"Root cause: {f.root_cause}")
    if f.effectiveness_check:
        verdict = {True: "effective", False: "not effective"}.get(f.effective, "not judged")
        parts.append(f"Effectiveness: {f.effectiveness_check} ({verdict})")
    return "\n".join(p for p in parts if p)


def finding_status(f: Any) -> str:
    if f.status == "closed":
        return "closed" + (f" {f.closed_on.isoformat()}" if f.closed_on else "")
    return "open"


def answered_text(it: DocItem) -> str:
    when = it.answered_at.date().isoformat() if it.answered_at else ""
    return " ".join(x for x in (it.answered_by, when) if x)


# --------------------------------------------------------------------------- .xlsx


def _text_cell(sheet: Any, row: int, col: int, value: Any, **style: Any) -> Any:
    """Write ``value`` into a cell: text as plain text (quoted when a spreadsheet would read
    it as a formula or an error), never a formula."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, str):
        value = clean_text(value)
        if len(value) > MAX_CELL_TEXT:
            value = value[:MAX_CELL_TEXT - 1] + "…"
        if value:
            cell._value = value
            cell.data_type = "s"  # never "f"
            if needs_protection(value):
                cell.quotePrefix = True
    elif value is not None:
        cell.value = value
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def _table(sheet: Any, first_row: int, headers: list[tuple[str, float]], rows: list[list[Any]],
           *, head_font: Any, head_fill: Any, wrap: Any, body_font: Any, date_fmt: str) -> None:
    from openpyxl.utils import get_column_letter

    for col, (title, width) in enumerate(headers, start=1):
        _text_cell(sheet, first_row, col, title, font=head_font, fill=head_fill,
                   alignment=wrap)
        sheet.column_dimensions[get_column_letter(col)].width = width
    for r, values in enumerate(rows, start=first_row + 1):
        lines = 1  # office suites do not always grow a wrapped row: give it its height
        for v, (_t, width) in zip(values, headers):
            if isinstance(v, str) and v:
                per = max(4, int(width * 1.1) - 2)
                lines = max(lines, sum(-(-len(part) // per) or 1 for part in v.split("\n")))
        if lines > 1:
            sheet.row_dimensions[r].height = min(409, 15 * lines)
        for col, v in enumerate(values, start=1):
            cell = _text_cell(sheet, r, col, v, font=body_font, alignment=wrap)
            if isinstance(v, (dt.date, dt.datetime)):
                cell.number_format = date_fmt
    last = get_column_letter(len(headers))
    sheet.freeze_panes = f"A{first_row + 1}"
    sheet.auto_filter.ref = f"A{first_row}:{last}{first_row + max(1, len(rows))}"
    sheet.print_title_rows = f"{first_row}:{first_row}"


def _page_setup(sheet: Any, title: str, stamp: str) -> None:
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.paperSize = 8  # A3: twelve columns stay readable fitted to its width
    sheet.oddHeader.left.text = _footer_text(title)
    sheet.oddHeader.right.text = "Page &P of &N"
    sheet.oddFooter.left.text = _footer_text(stamp)
    sheet.oddFooter.left.size = 7
    for part in (sheet.oddHeader.left, sheet.oddHeader.right, sheet.oddFooter.left):
        part.font = FONT_NAME


def write_checklist_xlsx(doc: ChecklistDoc, path: str | Path) -> Path:
    """Write ``doc`` (see :func:`load_checklist`) as an .xlsx: Items, Findings and Summary
    sheets. Written to a temporary name and moved into place."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    _check_target(path)
    title = " · ".join(x for x in (doc.title, doc.version_text, doc.code) if x)
    wb = Workbook()
    body = Font(name=FONT_NAME, size=11)
    bold = Font(name=FONT_NAME, size=11, bold=True)
    head_font = Font(name=FONT_NAME, size=11, bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E78", bgColor="1F4E78")
    wrap = Alignment(wrap_text=True, vertical="top")
    opts = dict(head_font=head_font, head_fill=head_fill, wrap=wrap, body_font=body,
                date_fmt="yyyy-mm-dd")
    wb.properties.title = title
    wb.properties.creator = "QMS Workbench"

    items = wb.active
    items.title = "Items"
    _text_cell(items, 1, 1, f"{title} — {doc.workspace}",
               font=Font(name=FONT_NAME, size=13, bold=True))
    headers = [("No.", 6), ("Section", 22), ("Clause", 9), ("Topic", 22), ("Question", 48),
               ("Expected evidence", 34), ("Weight", 8), ("Result", 16), ("Evidence", 44),
               ("Notes", 30), ("Evidence links", 30), ("Answered by", 18), ("Answered on", 12)]
    rows = [[it.number, it.section, it.clause, it.topic, it.question, it.expected_evidence,
             it.weight,
             rules.RESULT_LABELS[it.result] if not doc.blank else "", it.evidence, it.notes,
             "\n".join(it.links), it.answered_by,
             it.answered_at.date() if it.answered_at else None] for it in doc.items]
    _table(items, 2, headers, rows, **opts)
    centre = Alignment(horizontal="center", vertical="top")
    for r in range(3, 3 + len(rows)):  # No. and Weight: centred, apart from the Section text
        for col in (1, 7):
            items.cell(row=r, column=col).alignment = centre
    _page_setup(items, title, doc.stamp)

    fs = wb.create_sheet("Findings")
    headers = [("Ref", 16), ("Kind", 24), ("Clause", 9), ("Item", 30), ("Description", 50),
               ("Correction", 34), ("Root cause", 34), ("Actions", 50), ("Status", 14)]
    rows = [[f.row.ref, f.row.kind_label, f.row.clause, f.row.item, f.row.description,
             f.row.correction, f.row.root_cause, "\n".join(action_line(a) for a in f.actions),
             finding_status(f.row)] for f in doc.findings]
    _table(fs, 1, headers, rows, **opts)
    _page_setup(fs, title, doc.stamp)

    sm = wb.create_sheet("Summary")
    sm.column_dimensions["A"].width = 20
    sm.column_dimensions["B"].width = 100
    lines: list[tuple[str, Any]] = [("Workspace", doc.workspace), ("Template", doc.title),
                                    ("Version", doc.template_version),
                                    ("Standard", doc.standard)]
    if doc.run is not None:
        lines.append(("Status", doc.status_text))
    lines += [(k, v) for k, v in doc.run_details() if v]
    lines += score_lines(doc)
    lines += [(STEP_LABELS.get(s.step, s.step),
               " · ".join(x for x in (f"planned {s.planned_on}" if s.planned_on else "",
                                      f"done {s.done_on}" if s.done_on else "", s.notes) if x))
              for s in doc.steps]
    lines += [("Audit head", doc.stamp), ("Exported", dt.datetime.now().strftime(
        "%Y-%m-%d %H:%M"))]
    for r, (k, v) in enumerate(lines, start=1):
        _text_cell(sm, r, 1, k, font=bold, alignment=wrap)
        _text_cell(sm, r, 2, v, font=body, alignment=wrap)
    _page_setup(sm, title, doc.stamp)
    return save_atomically(wb, path)


def export_checklist_xlsx(ws: Any, path: str | Path, template_id: int | None = None,
                          run_id: int | None = None, *, blank: bool | None = None) -> Path:
    return write_checklist_xlsx(load_checklist(ws, template_id, run_id, blank=blank), path)
