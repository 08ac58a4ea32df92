"""Checklists and internal-audit reports as Word documents (.docx, python-docx, imported lazily).

* :func:`write_checklist_docx`: a blank (for a template, or a run with its code) or a completed
  run as Word tables: no., clause, the item's question (its guidance, under its title) with
  expected evidence in small type, result boxes C / P / NC / N/A (☐, ☒ ticked; on a blank with
  the Fast entry digit beside each), evidence, signature; the header row repeats on every page
  (``w:tblHeader``) and no row splits across pages (``w:cantSplit``). A completed run adds its
  score with the rule, its findings and actions, its audit steps and the sign-off.
* :func:`write_audit_report_docx`: the internal audit's report — scope, criteria, dates,
  auditor(s), auditee, process, the ISO 19011 steps with their dates, the results summary with
  the score and its rule, every item assessed, the findings with their actions, sign-off.

Every page's header names the workspace, the template and its version (and the run code); the
footer holds the audit head and "Page X of Y" (Word fields, filled in by the word processor).
The content comes from ``checklist_xlsx.load_checklist``. No Qt.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ...core import checklists as rules
from .checklist_xlsx import (
    KIND_LABELS,
    RESULT_BOXES,
    RESULT_LEGEND,
    STEP_LABELS,
    ChecklistDoc,
    action_line,
    answered_text,
    finding_status,
    load_checklist,
    result_key,
    score_lines,
)
from .risks_xlsx import _check_target, save_atomically

__all__ = ["audit_report_refusal", "export_audit_report", "export_checklist_docx",
           "write_audit_report_docx", "write_checklist_docx"]

FONT_NAME = "Calibri"
HEAD_FILL = "DDE5EE"
SECTION_FILL = "EEEEEE"
#: item table columns (title, width in cm); the page is A4 portrait with 1.5 cm margins (18 cm)
ITEM_COLUMNS = (("No.", 0.9), ("Clause", 1.5), ("Question · expected evidence", 6.2),
                ("C", 0.9), ("P", 0.9), ("NC", 0.9), ("N/A", 0.9), ("Evidence", 3.9),
                ("Signature", 1.9))
FINDING_COLUMNS = (("Ref", 2.6), ("Kind", 2.4), ("Clause", 1.5), ("Finding", 5.8),
                   ("Actions", 4.2), ("Status", 1.5))
STEP_COLUMNS = (("Step", 4.0), ("Planned", 2.4), ("Done", 2.4), ("Notes", 9.2))
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _t(text: Any) -> str:
    """Text a .docx can hold (no control characters)."""
    return _XML_BAD.sub("", "" if text is None else str(text))


# --------------------------------------------------------------------------- docx helpers

class _Writer:
    def __init__(self, doc: ChecklistDoc, heading: str):
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm, Pt

        self.Cm, self.Pt = Cm, Pt
        self.d = Document()
        self.doc = doc
        style = self.d.styles["Normal"]
        style.font.name = FONT_NAME
        style.font.size = Pt(9.5)
        style.paragraph_format.space_after = Pt(2)
        for name in ("Heading 1", "Heading 2", "Title"):
            self.d.styles[name].font.name = FONT_NAME
        sec = self.d.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(sec, side, Cm(1.5))
        sec.top_margin = sec.bottom_margin = Cm(1.6)
        sec.header_distance = sec.footer_distance = Cm(0.8)
        self._header(heading)
        self._footer()
        self._properties(heading)

    def _properties(self, heading: str) -> None:
        """The Word file's properties (File ▸ Info): the run's auditor (for a blank, the
        organization) as author — never python-docx's defaults or the login — the export as
        the last change, and the audit trail's head in the comments."""
        doc, props = self.doc, self.d.core_properties
        run = doc.run
        # ``workspace`` is "Organization (file.qms)", or the file's name alone
        org = doc.workspace.rsplit(" (", 1)[0] if doc.workspace.endswith(")") else ""
        kind = KIND_LABELS.get(doc.kind, doc.kind.replace("_", " ").capitalize())
        what = doc.status_text
        props.author = _t((run.auditor if run is not None and run.auditor else "") or org
                          or "QMS Workbench")[:250]
        props.last_modified_by = "QMS Workbench"
        props.title = _t(heading + (f" — {doc.code}" if doc.code else ""))[:250]
        props.subject = _t(" · ".join(x for x in (kind, doc.code, what) if x))[:250]
        props.keywords = _t(", ".join(x for x in (doc.code, doc.title, doc.version_text,
                                                  doc.standard, kind, org) if x))[:250]
        props.category = _t(kind)[:250]
        props.content_status = _t(what)[:250]
        props.identifier = _t(doc.code)[:250]
        props.version = _t(doc.template_version)[:250]
        props.comments = _t(f"Exported by QMS Workbench · {doc.stamp}")[:250]
        props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(
            tzinfo=None, microsecond=0)   # naive UTC: written as UTC

    # header and footer ------------------------------------------------------------------
    def _header(self, heading: str) -> None:
        doc = self.doc
        p = self.d.sections[0].header.paragraphs[0]
        r = p.add_run(_t(heading))
        r.bold = True
        r.font.size = self.Pt(9)
        meta = " · ".join(x for x in (doc.version_text and f"Version {doc.template_version}",
                                      doc.standard, doc.workspace) if x)
        r = p.add_run("\n" + _t(meta))
        r.font.size = self.Pt(7.5)
        if doc.code:
            r = p.add_run(f"\nRun {doc.code}")
            r.bold = True
            r.font.size = self.Pt(9)

    def _field(self, paragraph: Any, code: str, shown: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        def add(kind: str) -> None:
            run = paragraph.add_run()
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)

        add("begin")
        run = paragraph.add_run()
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {code} "
        run._r.append(instr)
        add("separate")
        paragraph.add_run(shown)
        add("end")

    def _footer(self) -> None:
        p = self.d.sections[0].footer.paragraphs[0]
        r = p.add_run(_t(f"Printed {self.doc.printed_on.isoformat()} · {self.doc.stamp}"))
        r.font.size = self.Pt(7)
        p2 = self.d.sections[0].footer.add_paragraph()
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p2.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p2.add_run((self.doc.code + " · ") if self.doc.code else "")
        p2.add_run("Page ")
        self._field(p2, "PAGE", "1")
        p2.add_run(" of ")
        self._field(p2, "NUMPAGES", "1")
        for run in p2.runs:
            run.font.size = self.Pt(8)

    # blocks -----------------------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> None:
        self.d.add_heading(_t(text), level=level)

    def para(self, text: str, *, small: bool = False, italic: bool = False) -> None:
        p = self.d.add_paragraph()
        r = p.add_run(_t(text))
        r.italic = italic
        if small:
            r.font.size = self.Pt(8)

    def table(self, columns: tuple[tuple[str, float], ...], *, header: bool = True) -> Any:
        from docx.enum.table import WD_TABLE_ALIGNMENT

        t = self.d.add_table(rows=0, cols=len(columns))
        t.style = self.d.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        t._widths = [self.Cm(w) for _, w in columns]
        for col, width in zip(t.columns, t._widths):
            col.width = width  # the grid: what LibreOffice lays the table out by
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        t._tbl.tblPr.append(layout)
        margins = OxmlElement("w:tblCellMar")  # narrow cell margins: "7.1.5.2" fits its column
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), "57")
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        t._tbl.tblPr.append(margins)
        if header:
            row = self.row(t, [[(title, {"bold": True, "size": 7.5})] for title, _ in columns],
                           fill=HEAD_FILL)
            self.mark(row, "w:tblHeader")
        return t

    def mark(self, row: Any, tag: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn(tag)) is None:
            el = OxmlElement(tag)
            el.set(qn("w:val"), "true")
            tr_pr.append(el)

    def shade(self, cell: Any, fill: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shd)

    def row(self, table: Any, cells: list[Any], *, fill: str | None = None,
            merge: bool = False) -> Any:
        """A row of ``cells``: each a text or a list of (text, style) paragraphs (style keys:
        bold, size, italic, grey, centre). No row splits across pages."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import RGBColor

        row = table.add_row()
        self.mark(row, "w:cantSplit")
        widths = table._widths
        for cell, w in zip(row.cells, widths):
            cell.width = w
        targets = row.cells
        if merge:
            merged = row.cells[0].merge(row.cells[-1])
            targets = [merged]
        for cell, content in zip(targets, cells):
            if fill:
                self.shade(cell, fill)
            paras = [(content, {})] if isinstance(content, str) else content
            first = True
            for text, st in paras:
                if not text and not first:
                    continue
                p = cell.paragraphs[0] if first else cell.add_paragraph()
                first = False
                p.paragraph_format.space_after = self.Pt(1)
                if st.get("centre"):
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                r = p.add_run(_t(text))
                r.bold = st.get("bold")
                r.italic = st.get("italic")
                if st.get("size"):
                    r.font.size = self.Pt(st["size"])
                if st.get("grey"):
                    r.font.color.rgb = RGBColor(0x4A, 0x4A, 0x4A)
                if st.get("after"):  # a second run in the same paragraph (a box's digit)
                    text2, st2 = st["after"]
                    r2 = p.add_run(_t(text2))
                    r2.font.size = self.Pt(st2.get("size", 9.5))
                    if st2.get("grey"):
                        r2.font.color.rgb = RGBColor(0x4A, 0x4A, 0x4A)
        return row

    def pairs(self, lines: list[tuple[str, str]], *, blank_lines: bool = False) -> None:
        t = self.table((("", 3.4), ("", 14.6)), header=False)
        for label, value in lines:
            self.row(t, [[(label, {"bold": True})],
                         [(value or ("\u00a0" if blank_lines else ""), {})]])

    def save(self, path: Path) -> Path:
        return save_atomically(self.d, path, lambda tmp: self.d.save(str(tmp)))


# --------------------------------------------------------------------------- content blocks

def _items_table(w: _Writer, doc: ChecklistDoc) -> None:
    cols = list(ITEM_COLUMNS)
    if not doc.blank:
        cols[-1] = ("By, on", cols[-1][1])
    t = w.table(tuple(cols))
    for cell in t.rows[0].cells[3:7]:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    section = None
    for it in doc.items:
        if it.section and it.section != section:
            w.row(t, [[(it.section, {"bold": True})]], fill=SECTION_FILL, merge=True)
        section = it.section
        question = [(it.topic, {"bold": True, "size": 8.5})] if it.topic else []
        question.append((it.question, {}))
        if it.expected_evidence:
            question.append((f"Evidence: {it.expected_evidence}", {"size": 7.5, "grey": True}))
        boxes = [[("☒" if (not doc.blank and it.result == r) else "☐",
                   {"centre": True, "size": 12,
                    "after": (f" {result_key(r)}", {"size": 7.5, "grey": True})
                    if doc.blank else None})] for r, _ in RESULT_BOXES]
        if doc.blank:
            evidence: list = [("", {})]
            sign: list = [("", {})]
        else:
            evidence = [(it.evidence, {})]
            if it.notes:
                evidence.append((f"Note: {it.notes}", {"size": 7.5}))
            if it.links:
                evidence.append((f"Linked: {'; '.join(it.links)}", {"size": 7.5,
                                                                    "grey": True}))
            sign = [(answered_text(it), {"size": 7.5})]
        row = w.row(t, [[(str(it.number), {"bold": True})], it.clause, question, *boxes,
                        evidence, sign])
        if doc.blank:
            row.height = w.Cm(1.3)
    if not doc.items:
        w.row(t, ["This checklist has no items."], merge=True)


def _findings_table(w: _Writer, doc: ChecklistDoc) -> None:
    if not doc.findings:
        w.para("No findings were recorded.")
        return
    t = w.table(FINDING_COLUMNS)
    for f in doc.findings:
        fr = f.row
        text = [(fr.description, {})]
        for label, value in (("Correction", fr.correction), ("Root cause", fr.root_cause)):
            if value:
                text.append((f"{label}: {value}", {"size": 8}))
        if fr.effectiveness_check:
            verdict = {True: "effective", False: "not effective"}.get(fr.effective,
                                                                       "not judged")
            text.append((f"Effectiveness: {fr.effectiveness_check} ({verdict})",
                         {"size": 8}))
        if fr.closure_problems and fr.status != "closed":
            text.append((f"Before it can close: {' '.join(fr.closure_problems)}",
                         {"size": 7.5, "italic": True, "grey": True}))
        acts = [(action_line(a), {"size": 8}) for a in f.actions] or \
            [("(no action yet)", {"size": 8, "grey": True})]
        w.row(t, [[(fr.ref, {"bold": True})], fr.kind_label, fr.clause, text, acts,
                  finding_status(fr)])


def _steps_table(w: _Writer, doc: ChecklistDoc) -> None:
    t = w.table(STEP_COLUMNS)
    for s in doc.steps:
        w.row(t, [STEP_LABELS.get(s.step, s.step),
                  s.planned_on.isoformat() if s.planned_on else "",
                  s.done_on.isoformat() if s.done_on else "", s.notes])


def _sign_off(w: _Writer, doc: ChecklistDoc, *, lead: str = "Auditor") -> None:
    t = w.table((("", 9.0), ("", 9.0)), header=False)
    auditor = doc.run.auditor if doc.run else ""
    auditee = doc.run.auditee if doc.run else ""
    row = w.row(t, [[(lead, {"bold": True}), (auditor, {}),
                     ("Signature and date:", {"size": 8, "grey": True})],
                    [("Auditee", {"bold": True}), (auditee, {}),
                     ("Signature and date:", {"size": 8, "grey": True})]])
    row.height = w.Cm(2.6)


def write_checklist_docx(doc: ChecklistDoc, path: str | Path) -> Path:
    """Write ``doc`` (a blank or a completed run) as a .docx at ``path``."""
    path = Path(path)
    _check_target(path)
    heading = doc.title
    w = _Writer(doc, heading)
    w.heading(heading + (f" — {doc.code}" if doc.code else ""), 1)
    w.para(doc.status_text + (f" · {doc.version_text}" if doc.version_text else "")
           + f" · {doc.workspace}", small=True)
    w.pairs(doc.run_details(), blank_lines=True)
    if doc.blank:
        text = ("Tick one box per item: C conform, P partly conform, NC nonconform, N/A not "
                "applicable. Note the evidence you saw and sign each item. The digit beside each "
                "box is the key that types it back in Fast entry.")
        if doc.code:
            text += f" Type the results back under run code {doc.code} by item number."
        w.para(text, small=True, italic=True)
    else:
        w.heading("Results", 2)
        w.pairs(score_lines(doc))
    w.para(RESULT_LEGEND, small=True)
    _items_table(w, doc)
    if not doc.blank:
        w.heading("Findings", 2)
        _findings_table(w, doc)
        if doc.steps:
            w.heading("Audit steps (ISO 19011)", 2)
            _steps_table(w, doc)
    w.heading("Sign-off", 2)
    _sign_off(w, doc)
    return w.save(path)


def audit_report_refusal(code: str, kind: str) -> str:
    """Why a run that is not an internal audit gets no audit report (one sentence)."""
    what = KIND_LABELS.get(kind, kind).lower()
    return (f"{code or 'That run'} is {'an' if what[:1] in 'aeiou' else 'a'} {what}, not an "
            "internal audit; export it with “qms export checklist” instead of as an audit "
            "report.")


def write_audit_report_docx(doc: ChecklistDoc, path: str | Path) -> Path:
    """Write the report of an internal audit (``doc``: a completed run) as a .docx."""
    from ..records import RecordError

    if doc.run is None or doc.blank:
        raise RecordError("An audit report is written for a run, not for a blank checklist.")
    if doc.run.kind != "internal_audit":
        raise RecordError(audit_report_refusal(doc.run.code, doc.run.kind))
    if doc.run.started_on is None and all(it.result is None for it in doc.items):
        raise RecordError(f"{doc.run.code or 'That audit'} has not started (no start date and "
                          "no answer yet), so it has no audit report to write.")
    path = Path(path)
    _check_target(path)
    run = doc.run
    title = f"Internal audit report: {run.title or doc.title}"
    w = _Writer(doc, title)
    w.heading(title, 1)
    w.para(f"{run.code} · {KIND_LABELS.get(run.kind, run.kind)} · {doc.workspace}", small=True)
    w.heading("Audit", 2)
    criteria = " · ".join(x for x in (doc.standard, f"checklist “{doc.title}”"
                                      + (f" {doc.version_text}" if doc.version_text else ""))
                          if x)
    lines = [("Audit", " ".join(x for x in (run.code, run.title) if x)),
             ("Scope", run.scope), ("Criteria", criteria), ("Process", run.process),
             ("Auditor(s)", run.auditor), ("Auditee", run.auditee),
             ("Planned", run.planned_on.isoformat() if run.planned_on else ""),
             ("Conducted", run.started_on.isoformat() if run.started_on else ""),
             ("Completed", run.completed_on.isoformat() if run.completed_on else ""),
             ("Stage", run.stage.replace("_", " "))]
    w.pairs([(k, v or "—") for k, v in lines])
    w.heading("Audit steps (ISO 19011)", 2)
    if doc.steps:
        _steps_table(w, doc)
    else:
        w.para("No audit steps were recorded.")
    w.heading("Results summary", 2)
    w.pairs(score_lines(doc))
    sc = doc.scores
    if sc is not None and len([k for k, v in sc.by_section.items() if v.total]) > 1:
        t = w.table((("Section", 9.0), ("Score", 3.0), ("Assessed", 3.0), ("Not applicable",
                                                                          3.0)))
        for name, s in sc.by_section.items():
            if s.total:
                w.row(t, [name or "(no section)",
                          "–" if s.percent is None else f"{s.percent:.0f} %",
                          f"{s.assessed} of {s.total}", str(s.na)])
    w.heading("Items assessed", 2)
    t = w.table((("No.", 0.9), ("Clause", 1.5), ("Question", 6.6), ("Result", 2.6),
                 ("Evidence", 6.4)))
    for it in doc.items:
        ev = [(it.evidence, {})]
        if it.notes:
            ev.append((f"Note: {it.notes}", {"size": 8}))
        question = [(it.topic, {"bold": True, "size": 8.5})] if it.topic else []
        question.append((it.question, {}))
        w.row(t, [str(it.number), it.clause, question,
                  [(rules.RESULT_LABELS.get(it.result, ""),
                    {"bold": it.result in ("nonconform", "partial")})], ev])
    w.heading("Findings and actions", 2)
    _findings_table(w, doc)
    w.heading("Sign-off", 2)
    w.para("The audit team confirms that the findings above were presented and agreed at the "
           "closing meeting.", small=True)
    _sign_off(w, doc, lead="Lead auditor")
    return w.save(path)


# --------------------------------------------------------------------------- from a workspace

def export_checklist_docx(ws: Any, path: str | Path, template_id: int | None = None,
                          run_id: int | None = None, *, blank: bool | None = None,
                          today: dt.date | None = None) -> Path:
    return write_checklist_docx(load_checklist(ws, template_id, run_id, blank=blank,
                                               today=today), path)


def export_audit_report(ws: Any, run_id: int, path: str | Path, *,
                        today: dt.date | None = None) -> Path:
    return write_audit_report_docx(load_checklist(ws, run_id=run_id, blank=False, today=today),
                                   path)
