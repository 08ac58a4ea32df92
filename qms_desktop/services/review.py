"""Management review (ISO 9001 9.3): packs whose inputs collect themselves.

A review (``management_review``) looks back on a period (``period_from`` … ``period_to``). Its
pack is a list of ``review_item`` rows:

* one **input** per section of :data:`INPUTS` (the inputs of 9.3.2, in the standard's order),
  collected from the workspace by :func:`collect_inputs` — a few plain queries per section,
  light Markdown (``core.richtext``) stating the facts, and the numbers behind them as JSON
  (``figures``; for KPIs and objectives the measured points too, so the pack's charts are
  redrawn as they were on the day). ``generated`` keeps the text last collected: an item whose
  ``text`` differs from it was edited by the team, and :func:`refresh_inputs` leaves it alone;
* **outputs** (9.3.3, sections :data:`OUTPUTS`: decisions, resource needs, improvement
  actions), added by :func:`add_output`. An output normally becomes an action of the review
  (``action.review_id``; kind :data:`OUTPUT_ACTION_KIND`) that the Actions page lists; its
  id is kept in the item's figures (``{"action_id": …}``). A decision that needs no action
  (:data:`NO_CHANGES`) is an output without one.

Closing (:func:`close_review`, status ``held``) needs the day it was held (not in the future),
the chair and at least one output — "no changes needed" is an output too, but not beside another
decision — and every output that becomes an action needs an owner and a due date. A held
review is the record of the day: its inputs, outputs and header are refused
(:func:`held_sentence`: "The review of 7 Aug 2026 has been held: reopen it to change it."),
except its minutes; its outputs' actions are followed up on the Actions page.
:func:`reopen_review` sets it back to planned; :func:`complete_review` marks it completed
once every output's action is finished (done, verified or cancelled) — then the minutes are
closed too.

Collecting again (:func:`refresh_inputs`) never overwrites an edited input; when the text
collected has changed since, the fresh text and figures are kept beside it
(``figures["fresh"]``, :attr:`ItemRow.stale`) until the team takes them
(:func:`take_collected`) or keeps its text (:func:`keep_edited`).

Every writer returns ``Change.of(s, result=…)`` from one ``ws.session()``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import and_, func, or_, select

from ..core.dates import stored_date as _date
from ..core import kpi
from ..storage import models as m
from ..storage.workspace import Workspace
from . import actions as actions_service
from .records import Change, RecordError, coerce, next_free_ref

INPUTS = m.REVIEW_INPUTS
OUTPUTS = m.REVIEW_OUTPUTS
STATUSES = ("planned", "held", "completed")
#: statuses of a review whose meeting took place (its pack is the record of the day)
CLOSED = ("held", "completed")

#: section → (ISO 9001 clause, title)
SECTION_TITLES: dict[str, tuple[str, str]] = {
    "previous_actions": ("9.3.2 a)", "Status of actions from previous management reviews"),
    "context": ("9.3.2 b)", "Changes in external and internal issues"),
    "customer": ("9.3.2 c) 1)", "Customer satisfaction and feedback from interested parties"),
    "objectives": ("9.3.2 c) 2)", "Extent to which quality objectives have been met"),
    "processes": ("9.3.2 c) 3)", "Process performance and conformity of products and services"),
    "nonconformities": ("9.3.2 c) 4)", "Nonconformities and corrective actions"),
    "monitoring": ("9.3.2 c) 5)", "Monitoring and measurement results"),
    "audits": ("9.3.2 c) 6)", "Audit results"),
    "suppliers": ("9.3.2 c) 7)", "Performance of external providers"),
    "resources": ("9.3.2 d)", "Adequacy of resources"),
    "risks": ("9.3.2 e)", "Effectiveness of actions taken to address risks and opportunities"),
    "improvement": ("9.3.2 f)", "Opportunities for improvement"),
    "decision": ("9.3.3", "Decisions"),
    "resource_need": ("9.3.3 c)", "Resource needs"),
    "improvement_action": ("9.3.3 a)", "Improvement actions"),
}
#: the kind of action an output becomes (``storage.models.ACTION_KINDS``)
OUTPUT_ACTION_KIND = {"decision": "review", "resource_need": "review",
                      "improvement_action": "improvement"}
#: the decision that the QMS needs no change (an output without an action)
NO_CHANGES = "No changes to the quality management system are needed."
#: most records named one by one in a section's bullets (the rest are counted)
MAX_LISTED = 8
#: most points of a KPI kept in the figures (the run chart's window)
MAX_POINTS = 24


def section_title(section: str) -> str:
    return SECTION_TITLES.get(section, ("", section.replace("_", " ").capitalize()))[1]


def section_clause(section: str) -> str:
    return SECTION_TITLES.get(section, ("", ""))[0]


# =========================================================================== rows


@dataclass(slots=True)
class CollectedInput:
    """One input section as collected: light Markdown and the numbers behind it."""

    text: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ItemRow:
    id: int
    review_id: int
    section: str
    position: int
    text: str
    generated: str
    figures: dict[str, Any]
    # an output's action (None for inputs and outputs without one)
    action_id: int | None = None
    action_ref: str = ""
    action_status: str = ""
    owner_id: int | None = None
    owner: str = ""
    due_date: dt.date | None = None
    overdue: bool = False

    @property
    def is_output(self) -> bool:
        return self.section in OUTPUTS

    @property
    def edited(self) -> bool:
        """The team changed the text collected (inputs only)."""
        return not self.is_output and self.text != self.generated

    @property
    def title(self) -> str:
        return section_title(self.section)

    @property
    def stale(self) -> bool:
        """An edited input whose text collected has changed since it was edited (collected
        again: the fresh text is :attr:`fresh_text`)."""
        return self.edited and bool(self.fresh_text) and self.fresh_text != self.generated

    @property
    def fresh_text(self) -> str:
        f = self.figures.get("fresh")
        return str(f.get("text") or "") if isinstance(f, dict) else ""

    @property
    def fresh_on(self) -> str:
        f = self.figures.get("fresh")
        return str(f.get("collected_on") or "") if isinstance(f, dict) else ""

    @property
    def edited_on(self) -> str:
        """The day the team last edited the text (ISO), "" when not known."""
        return str(self.figures.get("edited_on") or "")

    @property
    def no_changes(self) -> bool:
        """The decision that the QMS needs no change (an output without an action)."""
        return (self.section == "decision" and self.action_id is None
                and " ".join(self.text.split()) == NO_CHANGES)


@dataclass(slots=True)
class ReviewRow:
    id: int
    title: str
    held_on: dt.date | None
    chair: str
    attendees: str
    minutes: str
    status: str
    period_from: dt.date | None
    period_to: dt.date | None
    outputs: int = 0
    actions: int = 0
    open_actions: int = 0
    edited: int = 0

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def period(self) -> str:
        a = self.period_from.isoformat() if self.period_from else "…"
        b = self.period_to.isoformat() if self.period_to else "…"
        return f"{a} – {b}"


@dataclass(slots=True)
class Review:
    row: ReviewRow
    items: list[ItemRow]
    actions: list[actions_service.ActionRow]

    def inputs(self) -> list[ItemRow]:
        order = {s: i for i, s in enumerate(INPUTS)}
        return sorted((i for i in self.items if not i.is_output),
                      key=lambda i: (order.get(i.section, 99), i.position, i.id))

    def outputs(self) -> list[ItemRow]:
        order = {s: i for i, s in enumerate(OUTPUTS)}
        return sorted((i for i in self.items if i.is_output),
                      key=lambda i: (order.get(i.section, 99), i.position, i.id))

    def item(self, section: str) -> ItemRow | None:
        return next((i for i in self.items if i.section == section), None)


@dataclass(slots=True)
class RefreshReport:
    """What collecting again did: sections replaced, kept (edited by the team), added; of the
    kept ones, those whose text collected has changed since (``stale``)."""

    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        if not self.kept:
            return "Every input was collected again."
        names = ", ".join(section_title(s) for s in self.kept)
        text = (f"Collected again; {len(self.kept)} edited input"
                f"{'s were' if len(self.kept) != 1 else ' was'} kept as the team wrote "
                f"{'them' if len(self.kept) != 1 else 'it'}: {names}.")
        if self.stale:
            text += (" The figures changed since the team's text was written in: "
                     + ", ".join(section_title(s) for s in self.stale)
                     + " — compare and take the collected text where it is better.")
        return text


# =========================================================================== helpers


def _loads(text: str | None) -> dict[str, Any]:
    try:
        v = json.loads(text or "{}")
    except ValueError:
        return {}
    return v if isinstance(v, dict) else {}


def _dumps(figures: dict[str, Any]) -> str:
    return json.dumps(figures, sort_keys=True, ensure_ascii=False, default=str)


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _md(text: Any) -> str:
    """User text safe inside light Markdown (one line, markup characters escaped)."""
    s = " ".join(str(text or "").split())
    out = []
    for ch in s:
        if ch in "\\*_`|[]#":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _in(column, lo: dt.date, hi: dt.date):
    return and_(column.is_not(None), column >= lo, column <= hi)


def _bullets(lines: list[str], total: int | None = None) -> str:
    out = [f"- {x}" for x in lines[:MAX_LISTED]]
    more = (total if total is not None else len(lines)) - min(len(lines), MAX_LISTED)
    if more > 0:
        out.append(f"- … and {more:,} more")
    return "\n".join(out)


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _stop(text: str) -> str:
    """``text`` ending in a full stop (none added after one already there, or after ? or !)."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…" else text + "."


def _day_words(day: dt.date | None) -> str:
    """"7 Aug 2026"."""
    return f"{day.day} {day.strftime('%b %Y')}" if day else "an unknown day"


@dataclass(slots=True)
class _Period:
    lo: dt.date
    hi: dt.date
    today: dt.date
    review_id: int | None

    @property
    def words(self) -> str:
        return f"from {self.lo.isoformat()} to {self.hi.isoformat()}"


# --------------------------------------------------------------------------- KPIs


def _kpis(c, p: _Period, where) -> list[dict[str, Any]]:
    """Objectives / KPIs matching ``where`` with their status at the end of the period and
    their latest points (the run chart's data)."""
    o = m.Objective
    rows = c.execute(select(o.id, o.ref, o.title, o.kind, o.category, o.unit, o.target,
                            o.direction, o.tolerance, o.frequency, o.status, o.due_date)
                     .where(where, o.status != "retired").order_by(o.ref, o.id)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    points: dict[int, list[tuple[dt.date, float]]] = {i: [] for i in ids}
    ms = m.Measurement
    for oid, day, value in c.execute(
            select(ms.objective_id, ms.measured_on, ms.value)
            .where(ms.objective_id.in_(ids), ms.measured_on <= p.hi)
            .order_by(ms.measured_on, ms.id)):
        d = _date(day)
        if d is not None and value is not None:
            points[oid].append((d, float(value)))
    out = []
    for r in rows:
        pts = points[r.id][-MAX_POINTS:]
        st = kpi.kpi_status(r.direction or ">=", r.target, r.tolerance, pts,
                            frequency=r.frequency or "monthly", unit=r.unit or "",
                            today=min(p.hi, p.today))
        out.append({
            "id": r.id, "ref": r.ref or "", "title": r.title or "", "kind": r.kind or "",
            "category": r.category or "", "unit": r.unit or "", "target": r.target,
            "direction": r.direction or ">=", "tolerance": r.tolerance,
            "status": st.status, "late": st.late, "latest": st.value,
            "latest_on": st.measured_on.isoformat() if st.measured_on else None,
            "in_period": sum(1 for d, _v in pts if d >= p.lo),
            "points": [[d.isoformat(), v] for d, v in pts]})
    return out


def _kpi_line(k: dict[str, Any]) -> str:
    name = " ".join(x for x in (_md(k["ref"]), _md(k["title"])) if x)
    sym = kpi.SYMBOLS.get(k["status"], "")
    label = kpi.LABELS.get(k["status"], k["status"])
    if k["latest"] is None:
        return f"{sym} {name}: not measured yet"
    sign = "≥" if k["direction"] != kpi.LOWER else "≤"
    target = f" (target {sign} {kpi.fmt(k['target'], k['unit'])})" if k["target"] is not None \
        else ""
    late = ", measurement late" if k["late"] else ""
    return (f"{sym} {name}: {kpi.fmt(k['latest'], k['unit'])} on {k['latest_on']}{target} "
            f"— **{label}**{late}")


def _kpi_counts(kpis: list[dict[str, Any]]) -> dict[str, int]:
    n = Counter(k["status"] for k in kpis)
    out = {s: n.get(s, 0) for s in kpi.STATUSES}
    out["late"] = sum(1 for k in kpis if k["late"])
    return out


def _kpi_summary(kpis: list[dict[str, Any]], what: str) -> str:
    n = _kpi_counts(kpis)
    parts = [f"{n[kpi.ON]} on target", f"{n[kpi.NEAR]} near", f"{n[kpi.OFF]} off target"]
    if n[kpi.NONE]:
        parts.append(f"{n[kpi.NONE]} not measured")
    text = f"{_plural(len(kpis), what)}: " + ", ".join(parts) + "."
    if n["late"]:
        text += f" {n['late']} with a late measurement."
    return text


def _kpi_block(kpis: list[dict[str, Any]], what: str, none: str) -> str:
    if not kpis:
        return none
    return _join(_kpi_summary(kpis, what), _bullets([_kpi_line(k) for k in kpis]))


def _category(*cats: str):
    return m.Objective.category.in_(cats)


# =========================================================================== sections


def _previous_review(c, p: _Period) -> Any:
    r = m.ManagementReview
    stmt = select(r.id, r.title, r.held_on, r.status).where(r.held_on.is_not(None),
                                                             r.held_on <= p.hi)
    if p.review_id is not None:
        stmt = stmt.where(r.id != p.review_id)
    return c.execute(stmt.order_by(r.held_on.desc(), r.id.desc()).limit(1)).first()


def _previous_actions(ws, c, p: _Period) -> CollectedInput:
    prev = _previous_review(c, p)
    if prev is None:
        return CollectedInput("No earlier management review is recorded, so there are no "
                              "actions from a previous review to report.", {"review_id": None})
    rows = actions_service.actions_for(ws, "review", prev.id, today=p.today)
    held = _date(prev.held_on)
    head = f"The previous review, {_md(prev.title) or 'untitled'}, was held on {_d(held)}."
    figures: dict[str, Any] = {"review_id": prev.id, "review_title": prev.title or "",
                               "held_on": _d(held), "total": len(rows)}
    if not rows:
        return CollectedInput(head + " It raised no actions.", figures)
    n = Counter(a.status for a in rows)
    done = n["done"] + n["verified"]
    late = sum(1 for a in rows if a.overdue)
    figures.update(by_status=dict(n), finished=done, overdue=late,
                   actions=[{"ref": a.ref, "title": a.title, "status": a.status,
                             "owner": a.owner, "due": _d(a.due_date)} for a in rows])
    summary = (f"{head} It raised {_plural(len(rows), 'action')}: {done} finished "
               f"({n['verified']} verified effective), {n['open'] + n['in_progress']} still open"
               + (f", {late} of them overdue" if late else "")
               + (f", {n['cancelled']} cancelled" if n["cancelled"] else "") + ".")
    lines = []
    for a in rows:
        status = a.status.replace("_", " ")
        extra = [f"owner {_md(a.owner)}" if a.owner else "", f"due {_d(a.due_date)}"]
        lines.append(f"{_md(a.ref)} {_md(a.title)} — **{status}**"
                     + (" (overdue)" if a.overdue else "")
                     + f" ({', '.join(x for x in extra if x)})")
    return CollectedInput(_join(summary, _bullets(lines)), figures)


def _context(ws, c, p: _Period) -> CollectedInput:
    ev = m.AuditEvent
    lo, hi = p.lo.isoformat(), (p.hi + dt.timedelta(days=1)).isoformat()
    tables = ("context_issue", "interested_party", "organization", "scope_exclusion")
    changed: dict[str, dict[str, set[int]]] = {t: {"insert": set(), "update": set(),
                                                   "delete": set()} for t in tables}
    org_fields: set[str] = set()
    for entity, rid, op, fld in c.execute(
            select(ev.entity, ev.record_id, ev.op, ev.field)
            .where(ev.entity.in_(tables), ev.at >= lo, ev.at < hi)):
        if op in changed[entity]:
            changed[entity][op].add(rid)
        if entity == "organization" and op == "update":
            org_fields.add(fld)
    for t in tables:  # made and changed in the period: counted as made
        changed[t]["update"] -= changed[t]["insert"]
        changed[t]["insert"] -= changed[t]["delete"]
        changed[t]["update"] -= changed[t]["delete"]
    ci, ip = m.ContextIssue, m.InterestedParty
    issues = c.execute(select(ci.id, ci.kind, ci.category, ci.text)
                       .order_by(ci.kind, ci.position, ci.id)).all()
    parties = c.execute(select(ip.id, ip.name, ip.relevant)
                        .order_by(ip.position, ip.id)).all()
    org = c.execute(select(m.Organization.climate_relevant, m.Organization.climate_note)
                    .order_by(m.Organization.id).limit(1)).first()
    kinds = Counter(i.kind for i in issues)
    figures: dict[str, Any] = {
        "issues": len(issues), "external": kinds.get("external", 0),
        "internal": kinds.get("internal", 0), "parties": len(parties),
        "relevant_parties": sum(1 for x in parties if x.relevant),
        **{f"{t}_{op}": len(v) for t in tables for op, v in changed[t].items()},
        "organization_fields": sorted(org_fields),
        "climate_relevant": None if org is None else org.climate_relevant}
    parts = []
    lines = []
    by_id = {i.id: i for i in issues}
    for op, verb in (("insert", "added"), ("update", "changed")):
        for rid in sorted(changed["context_issue"][op]):
            i = by_id.get(rid)
            if i is not None:
                lines.append(f"{verb.capitalize()} {i.kind} issue"
                             + (f" ({_md(i.category)})" if i.category else "")
                             + f": {_md(i.text)}")
    pby = {x.id: x for x in parties}
    for op, verb in (("insert", "added"), ("update", "changed")):
        for rid in sorted(changed["interested_party"][op]):
            x = pby.get(rid)
            if x is not None:
                lines.append(f"{verb.capitalize()} interested party: {_md(x.name)}")
    removed = len(changed["context_issue"]["delete"])
    removed_p = len(changed["interested_party"]["delete"])
    if removed:
        lines.append(f"{_plural(removed, 'issue')} removed")
    if removed_p:
        lines.append(f"{_plural(removed_p, 'interested party', 'interested parties')} removed")
    scope = sum(len(v) for v in changed["scope_exclusion"].values())
    if scope:
        lines.append(f"Scope exclusions changed ({_plural(scope, 'change')})")
    shown = {"scope": "scope", "quality_policy": "quality policy", "name": "name",
             "sites": "sites", "policy_document_id": "policy document",
             "climate_relevant": "climate change determination",
             "climate_note": "climate change note"}
    of = [shown[f] for f in sorted(org_fields) if f in shown]
    if of:
        lines.append("The organization's " + ", ".join(of) + " changed")
    if lines:
        parts.append(f"Changes recorded {p.words}:")
        parts.append(_bullets(lines))
    else:
        parts.append(f"No internal or external issues or interested parties were added or "
                     f"changed {p.words}.")
    if issues or parties:
        parts.append(f"The register holds {_plural(kinds.get('external', 0), 'external issue')}"
                     f", {_plural(kinds.get('internal', 0), 'internal issue')} and "
                     f"{_plural(len(parties), 'interested party', 'interested parties')} "
                     f"({figures['relevant_parties']} relevant).")
    else:
        parts.append("No context issues or interested parties are recorded yet (ISO 9001 4.1, "
                     "4.2).")
    if org is None or org.climate_relevant is None:
        parts.append("Climate change: **not yet determined** whether it is a relevant issue "
                     "(ISO 9001 4.1 as amended in 2024).")
    else:
        word = "relevant" if org.climate_relevant else "not relevant"
        note = f" — {_md(org.climate_note)}" if (org.climate_note or "").strip() else ""
        parts.append(_stop(f"Climate change: determined **{word}**{note}"))
    return CollectedInput(_join(*parts), figures)


def _ncs(c, p: _Period, source: str | None = None):
    n = m.Nonconformity
    stmt = select(n.id, n.ref, n.title, n.source, n.severity, n.status, n.customer, n.supplier,
                  n.detected_on, n.closed_on, n.effective).where(_in(n.detected_on, p.lo, p.hi))
    if source is not None:
        stmt = stmt.where(n.source == source)
    return c.execute(stmt.order_by(n.detected_on, n.id)).all()


def _nc_line(x, who: str = "") -> str:
    status = (x.status or "").replace("_", " ")
    party = f" ({_md(who)})" if who else ""
    return (f"{_md(x.ref)} {_md(x.title)}{party} — {x.severity or 'minor'}, **{status}**, "
            f"detected {_d(_date(x.detected_on))}")


def _customer(ws, c, p: _Period) -> CollectedInput:
    ncs = _ncs(c, p, "customer complaint")
    kpis = _kpis(c, p, _category("customer"))
    closed = sum(1 for x in ncs if x.status == "closed")
    who = Counter((x.customer or "").strip() or "(customer not named)" for x in ncs)
    figures = {"complaints": len(ncs), "closed": closed, "open": len(ncs) - closed,
               "by_customer": dict(who), "kpis": kpis}
    if ncs:
        complaints = _join(
            f"{_plural(len(ncs), 'customer complaint')} recorded {p.words} "
            f"({closed} closed, {len(ncs) - closed} open), from "
            + ", ".join(f"{_md(k)} ({v})" for k, v in who.most_common(5)) + ".",
            _bullets([_nc_line(x, x.customer) for x in ncs]))
    else:
        complaints = f"No customer complaints were recorded {p.words}."
    return CollectedInput(_join(complaints, _kpi_block(
        kpis, "customer KPI", "No customer KPIs (category “customer”) are defined.")), figures)


def _objectives(ws, c, p: _Period) -> CollectedInput:
    kpis = _kpis(c, p, m.Objective.kind == "objective")
    figures = {"objectives": kpis, **_kpi_counts(kpis)}
    if not kpis:
        return CollectedInput("No quality objectives are defined (ISO 9001 6.2).", figures)
    met = figures[kpi.ON]
    head = (f"{met} of {_plural(len(kpis), 'quality objective')} met at the end of the "
            f"period ({figures[kpi.NEAR]} near, {figures[kpi.OFF]} off target"
            + (f", {figures[kpi.NONE]} not measured" if figures[kpi.NONE] else "") + ").")
    return CollectedInput(_join(head, _bullets([_kpi_line(k) for k in kpis])), figures)


def _processes(ws, c, p: _Period) -> CollectedInput:
    pr = m.Process
    statuses = Counter(s for (s,) in c.execute(select(pr.status)))
    mapped = c.execute(select(func.count(func.distinct(m.ProcessNode.process_id)))).scalar() or 0
    kpis = _kpis(c, p, _category("process", "quality"))
    total = sum(statuses.values())
    figures = {"processes": total, "by_status": dict(statuses), "mapped": mapped,
               "kpis": kpis}
    if total:
        head = (f"{_plural(total, 'process', 'processes')} ({statuses.get('active', 0)} active"
                + (f", {statuses.get('draft', 0)} draft" if statuses.get("draft") else "")
                + (f", {statuses.get('under_review', 0)} under review"
                   if statuses.get("under_review") else "")
                + f"); {mapped} of them mapped.")
    else:
        head = "No processes are recorded yet (ISO 9001 4.4)."
    return CollectedInput(_join(head, _kpi_block(
        kpis, "process and quality KPI",
        "No process or product-quality KPIs (category “process” or “quality”) are defined.")),
        figures)


def _nonconformities(ws, c, p: _Period) -> CollectedInput:
    ncs = _ncs(c, p)
    n = m.Nonconformity
    a = m.Action
    closed_in = c.execute(select(func.count()).select_from(n)
                          .where(_in(n.closed_on, p.lo, p.hi))).scalar() or 0
    # open at the end of the period: detected by then, not closed by then
    open_now = c.execute(select(func.count()).select_from(n).where(
        or_(n.detected_on.is_(None), n.detected_on <= p.hi),
        or_(and_(n.status != "closed", n.closed_on.is_(None)), n.closed_on > p.hi))
    ).scalar() or 0
    acts = c.execute(select(a.status, a.due_date, a.effective)
                     .where(a.nonconformity_id.is_not(None))).all()
    ca_open = sum(1 for x in acts if x.status in actions_service.OPEN)
    ca_late = sum(1 for x in acts if x.status in actions_service.OPEN
                  and _date(x.due_date) is not None and _date(x.due_date) < p.today)
    eff = Counter({True: "effective", False: "not effective"}.get(x.effective, "not judged")
                  for x in acts if x.status in actions_service.FINISHED)
    src = Counter(x.source or "other" for x in ncs)
    sev = Counter(x.severity or "minor" for x in ncs)
    figures = {"raised": len(ncs), "by_source": dict(src), "by_severity": dict(sev),
               "closed_in_period": closed_in, "open_now": open_now,
               "corrective_open": ca_open, "corrective_overdue": ca_late,
               "effectiveness": dict(eff)}
    if ncs:
        head = (f"{_plural(len(ncs), 'nonconformity', 'nonconformities')} recorded {p.words} "
                f"({sev.get('major', 0)} major, {sev.get('minor', 0)} minor); by source: "
                + ", ".join(f"{_md(k)} {v}" for k, v in src.most_common()) + ".")
        body = _bullets([_nc_line(x) for x in ncs])
    else:
        head, body = f"No nonconformities were recorded {p.words}.", ""
    tail = (f"{closed_in} closed in the period; {open_now} open at its end. Corrective "
            "actions now: "
            f"{ca_open} open" + (f", {ca_late} overdue" if ca_late else "")
            + (("; finished ones " + ", ".join(f"{v} {k}" for k, v in eff.most_common()))
               if eff else "") + ".")
    if not ncs and not open_now and not acts:
        tail = ""
    return CollectedInput(_join(head, body, tail), figures)


def _training(ws, p: _Period) -> dict[str, Any] | None:
    from . import training

    s = training.summary(ws, min(p.hi, p.today))
    if not s.required:
        return None
    return {"required": s.required, "compliant": s.compliant, "percent": round(s.percent, 1),
            "expiring": s.expiring, "expired": s.expired, "missing": s.missing,
            "late": s.late}


def _training_text(t: dict[str, Any] | None) -> str:
    if t is None:
        return "No training requirements are defined, so training compliance is not measured."
    return (f"Training compliance: {t['percent']:.1f} % ({t['compliant']:,} of "
            f"{t['required']:,} required trainings current; {t['expired']:,} expired, "
            f"{t['missing']:,} missing, {t['expiring']:,} expiring soon).")


def _monitoring(ws, c, p: _Period, cache: dict) -> CollectedInput:
    kpis = _kpis(c, p, m.Objective.kind == "kpi")
    t = cache.setdefault("training", _training(ws, p))
    measured = sum(k["in_period"] for k in kpis)
    figures = {"kpis": kpis, **_kpi_counts(kpis), "measurements": measured, "training": t}
    block = _kpi_block(kpis, "KPI", "No KPIs (indicators followed without an end date) are "
                                    "defined.")
    if kpis:
        block = _join(f"{_plural(measured, 'measurement')} taken {p.words}.", block)
    return CollectedInput(_join(block, _training_text(t)), figures)


def _audits(ws, c, p: _Period) -> CollectedInput:
    from . import checklists

    r, f = m.ChecklistRun, m.Finding
    when = func.coalesce(r.completed_on, r.started_on, r.planned_on)
    runs = c.execute(select(r.id, r.code, r.title, r.stage, r.started_on, r.completed_on,
                            r.planned_on)
                     .where(r.kind == "internal_audit", _in(when, p.lo, p.hi))
                     .order_by(when, r.id)).all()
    run_ids = [x.id for x in runs]
    finds = c.execute(select(f.run_id, f.kind, f.status).where(f.run_id.in_(run_ids))).all() \
        if run_ids else []
    kinds = Counter(x.kind for x in finds)
    open_all = c.execute(select(func.count()).select_from(f).join(r, r.id == f.run_id).where(
        or_(when.is_(None), when <= p.hi),
        or_(and_(f.status != "closed", f.closed_on.is_(None)), f.closed_on > p.hi))
    ).scalar() or 0
    gap = c.execute(select(r.id, r.title, r.completed_on, r.started_on)
                    .where(r.kind == "gap_analysis")
                    .order_by(func.coalesce(r.completed_on, r.started_on).desc(), r.id.desc())
                    .limit(1)).first()
    gap_fig = None
    if gap is not None:
        sc = checklists.run_scores(ws, gap.id)
        pct = sc.overall.percent
        gap_fig = {"run_id": gap.id, "title": gap.title or "",
                   "percent": None if pct is None else round(pct, 1),
                   "assessed": sc.overall.assessed, "items": sc.overall.total,
                   "trend": sc.overall_trend,
                   "chapters": {k: (None if v.percent is None else round(v.percent, 1))
                                for k, v in sc.by_chapter.items()}}
    figures = {"audits": len(runs), "findings": dict(kinds), "open_findings": open_all,
               "gap_analysis": gap_fig}
    if runs:
        labels = {"major": ("major nonconformity", "major nonconformities"),
                  "minor": ("minor nonconformity", "minor nonconformities"),
                  "observation": ("observation", "observations"),
                  "ofi": ("opportunity for improvement", "opportunities for improvement")}
        found = ", ".join(_plural(kinds.get(k, 0), *labels[k]) for k in labels)
        lines = []
        per_run = Counter(x.run_id for x in finds)
        for x in runs:
            day = _date(x.completed_on) or _date(x.started_on) or _date(x.planned_on)
            lines.append(f"{_run_name(x.code, x.title)} — {x.stage.replace('_', ' ')}, "
                         f"{_d(day)}, {_plural(per_run.get(x.id, 0), 'finding')}")
        head = _join(f"{_plural(len(runs), 'internal audit')} {p.words}: {found}.",
                     _bullets(lines))
    else:
        head = f"No internal audits took place {p.words}."
    tail = (f"{_plural(open_all, 'audit finding')} open at the end of the period."
            if open_all or runs else "")
    if gap_fig is not None:
        pct = gap_fig["percent"]
        gap_text = (f"Latest gap analysis, {_md(gap_fig['title'])}: "
                    + (f"{pct:.1f} % conformity" if pct is not None else "not scored yet")
                    + f" ({gap_fig['assessed']} of {gap_fig['items']} items assessed).")
    else:
        gap_text = "No gap analysis has been run."
    return CollectedInput(_join(head, tail, gap_text), figures)


def _run_name(code: str | None, title: str | None) -> str:
    """"IA26-03 Order to delivery": the run's code once, even when its title starts with the
    same code written another way ("IA-2026-03 Order to delivery")."""
    import re

    code, title = (code or "").strip(), " ".join((title or "").split())
    norm = lambda t: re.sub(r"[^A-Z0-9]", "", t.upper())  # noqa: E731
    first, _sp, rest = title.partition(" ")
    if code and first:
        a, b = norm(first), norm(code)
        letters = len(a) - len(a.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        short_year = a[:letters] + a[letters + 2:] if a[letters:letters + 2] == "20" else a
        if b in (a, short_year):
            title = rest
    return " ".join(x for x in (_md(code), _md(title)) if x)


def _suppliers(ws, c, p: _Period) -> CollectedInput:
    ncs = _ncs(c, p, "supplier")
    kpis = _kpis(c, p, _category("supplier"))
    who = Counter((x.supplier or "").strip() or "(supplier not named)" for x in ncs)
    figures = {"nonconformities": len(ncs), "by_supplier": dict(who), "kpis": kpis}
    if ncs:
        text = _join(f"{_plural(len(ncs), 'supplier nonconformity', 'supplier nonconformities')}"
                     f" recorded {p.words}, from "
                     + ", ".join(f"{_md(k)} ({v})" for k, v in who.most_common(5)) + ".",
                     _bullets([_nc_line(x, x.supplier) for x in ncs]))
    else:
        text = f"No nonconformities of external providers were recorded {p.words}."
    return CollectedInput(_join(text, _kpi_block(
        kpis, "supplier KPI", "No supplier KPIs (category “supplier”) are defined.")), figures)


def _open_resource_needs(c, p: _Period) -> list[dict[str, Any]]:
    it, a = m.ReviewItem, m.Action
    stmt = select(it.id, it.review_id, it.text, it.figures).where(it.section == "resource_need")
    if p.review_id is not None:
        stmt = stmt.where(it.review_id != p.review_id)
    rows = c.execute(stmt.order_by(it.id)).all()
    ids = {r.id: _loads(r.figures).get("action_id") for r in rows}
    want = [x for x in ids.values() if isinstance(x, int)]
    status = dict(c.execute(select(a.id, a.status).where(a.id.in_(want))).all()) if want else {}
    out = []
    for r in rows:
        aid = ids[r.id]
        st = status.get(aid) if isinstance(aid, int) else None
        if st is None or st in actions_service.OPEN:
            out.append({"item_id": r.id, "text": (r.text or "").split("\n", 1)[0],
                        "status": st or "no action"})
    return out


def _resources(ws, c, p: _Period, cache: dict) -> CollectedInput:
    pe = m.Person
    active = c.execute(select(func.count()).select_from(pe).where(
        pe.active.is_(True), or_(pe.left_on.is_(None), pe.left_on > p.hi))).scalar() or 0
    joined = c.execute(select(func.count()).select_from(pe)
                       .where(_in(pe.hired_on, p.lo, p.hi))).scalar() or 0
    left = c.execute(select(func.count()).select_from(pe)
                     .where(_in(pe.left_on, p.lo, p.hi))).scalar() or 0
    t = cache.setdefault("training", _training(ws, p))
    needs = _open_resource_needs(c, p)
    kpis = _kpis(c, p, _category("resources"))
    figures = {"people": active, "joined": joined, "left": left, "training": t,
               "open_resource_needs": needs, "kpis": kpis}
    if active or joined or left:
        people = (f"{_plural(active, 'person', 'people')} active at the end of the period; "
                  f"{joined} joined and {left} left {p.words}.")
    else:
        people = "No people are recorded yet."
    if needs:
        need_text = _join(f"{_plural(len(needs), 'resource need')} from earlier reviews still "
                          "open:", _bullets([f"{_md(n['text'])} — {n['status'].replace('_', ' ')}"
                                             for n in needs]))
    else:
        need_text = "No resource needs from earlier reviews are still open."
    kpi_text = _kpi_block(kpis, "resources KPI", "") if kpis else ""
    return CollectedInput(_join(people, _training_text(t), need_text, kpi_text), figures)


def _risks(ws, c, p: _Period) -> CollectedInput:
    from ..core import risk as risk_rules
    from . import risks as risks_service

    a = m.Action
    # the dashboard's rule: open entries by current level, risks and opportunities apart
    n = risks_service.level_counts(risks_service.list_risks(ws, p.today))
    levels, opp_levels = n.risks, n.opportunities
    kinds = Counter({"risk": n.open_risks, "opportunity": n.open_opportunities})
    kinds += Counter()  # drop zeros: "no open risks or opportunities" when both are 0
    unrated = levels.get("", 0) + opp_levels.get("", 0)
    acts = c.execute(select(a.status, a.effective, a.completed_on, a.due_date)
                     .where(a.risk_id.is_not(None))).all()
    done = [x for x in acts if x.status in actions_service.FINISHED
            and (_date(x.completed_on) is None or p.lo <= _date(x.completed_on) <= p.hi)]
    eff = Counter({True: "effective", False: "not effective"}.get(x.effective, "not judged")
                  for x in done)
    open_ = sum(1 for x in acts if x.status in actions_service.OPEN)
    late = sum(1 for x in acts if x.status in actions_service.OPEN
               and _date(x.due_date) is not None and _date(x.due_date) < p.today)
    order = list(risk_rules.LEVELS)
    figures = {"by_level": {k: levels.get(k, 0) for k in order},
               "opportunities_by_level": {k: opp_levels.get(k, 0) for k in order},
               "risks": kinds.get("risk", 0), "opportunities": kinds.get("opportunity", 0),
               "unrated": unrated, "basis": risks_service.LEVEL_BASIS,
               "actions_done": len(done), "effectiveness": dict(eff),
               "actions_open": open_, "actions_overdue": late}
    if not kinds:
        return CollectedInput("No open risks or opportunities are recorded (ISO 9001 6.1).",
                              figures)
    lv = ", ".join(f"{levels.get(k, 0)} {risk_rules.LEVEL_LABELS[k].lower()}"
                   for k in reversed(order))
    head = (f"{_plural(kinds.get('risk', 0), 'open risk')} "
            f"{risks_service.LEVEL_BASIS}: {lv}"
            + (f"; {levels.get('', 0)} not rated on the 5×5 matrix" if levels.get("") else "")
            + ". "
            + f"{_plural(kinds.get('opportunity', 0), 'open opportunity', 'open opportunities')}.")
    if done:
        acts_text = (f"{_plural(len(done), 'risk action')} finished {p.words}: "
                     f"{eff.get('effective', 0)} judged effective, "
                     f"{eff.get('not effective', 0)} not effective, "
                     f"{eff.get('not judged', 0)} not judged yet.")
    else:
        acts_text = f"No actions on risks were finished {p.words}."
    acts_text += f" {open_} still open" + (f", {late} overdue." if late else ".")
    return CollectedInput(_join(head, acts_text), figures)


def _improvement(ws, c, p: _Period) -> CollectedInput:
    rk, f, a = m.Risk, m.Finding, m.Action
    opps = c.execute(select(rk.ref, rk.title, rk.status)
                     .where(rk.kind == "opportunity", rk.status != "closed")
                     .order_by(rk.ref, rk.id)).all()
    ofis = c.execute(select(f.ref, f.description, f.status)
                     .where(f.kind == "ofi", f.status != "closed").order_by(f.id)).all()
    impr = c.execute(select(func.count()).select_from(a).where(
        a.kind == "improvement", a.status.in_(actions_service.FINISHED),
        _in(a.completed_on, p.lo, p.hi))).scalar() or 0
    figures = {"opportunities": len(opps), "ofis": len(ofis), "improvements_done": impr}
    parts = []
    if opps:
        parts += [f"{_plural(len(opps), 'open opportunity', 'open opportunities')} in the risk "
                  "register:", _bullets([f"{_md(o.ref)} {_md(o.title)} — {o.status}"
                                         for o in opps])]
    if ofis:
        parts += [f"{_plural(len(ofis), 'opportunity', 'opportunities')} for improvement from "
                  "audits still open:",
                  _bullets([f"{_md(o.ref)} {_md((o.description or '').split(chr(10))[0])}"
                            for o in ofis])]
    if not opps and not ofis:
        parts.append("No open opportunities are recorded in the risk register or from audits.")
    parts.append(f"{_plural(impr, 'improvement action')} finished {p.words}.")
    return CollectedInput(_join(*parts), figures)


_SECTIONS = {
    "previous_actions": _previous_actions, "context": _context, "customer": _customer,
    "objectives": _objectives, "processes": _processes, "nonconformities": _nonconformities,
    "monitoring": _monitoring, "audits": _audits, "suppliers": _suppliers,
    "resources": _resources, "risks": _risks, "improvement": _improvement,
}


def collect_inputs(ws: Workspace, period_from: dt.date | str | None,
                   period_to: dt.date | str | None, today: dt.date | None = None, *,
                   review_id: int | None = None,
                   sections: Iterable[str] | None = None) -> dict[str, CollectedInput]:
    """The inputs of ISO 9001 9.3.2 for the period, section by section (:data:`INPUTS`
    order). ``review_id`` is the review being prepared (left out of "previous review")."""
    today = today or dt.date.today()
    hi = _date(period_to) or today
    lo = _date(period_from) or dt.date(hi.year - 1, hi.month, min(hi.day, 28))
    if lo > hi:
        raise RecordError("The review period must start before it ends.")
    p = _Period(lo, hi, today, review_id)
    wanted = list(sections) if sections is not None else list(INPUTS)
    out: dict[str, CollectedInput] = {}
    cache: dict[str, Any] = {}
    with ws.connect() as c:
        for s in INPUTS:
            if s not in wanted:
                continue
            fn = _SECTIONS[s]
            if s in ("monitoring", "resources"):
                got = fn(ws, c, p, cache)
            else:
                got = fn(ws, c, p)
            got.figures.setdefault("period", [lo.isoformat(), hi.isoformat()])
            out[s] = got
    return out


# =========================================================================== queries


def _review_rows(c, where=None) -> list[ReviewRow]:
    r, it, a = m.ManagementReview, m.ReviewItem, m.Action
    stmt = select(r.id, r.title, r.held_on, r.chair, r.attendees, r.minutes, r.status,
                  r.period_from, r.period_to)
    if where is not None:
        stmt = stmt.where(where)
    rows = c.execute(stmt.order_by(r.held_on.is_(None).desc(), r.held_on.desc(),
                                   r.id.desc())).all()
    ids = [x.id for x in rows]
    if not ids:
        return []
    outs = dict(c.execute(select(it.review_id, func.count()).where(
        it.review_id.in_(ids), it.section.in_(OUTPUTS)).group_by(it.review_id)).all())
    edited = dict(c.execute(select(it.review_id, func.count()).where(
        it.review_id.in_(ids), it.section.in_(INPUTS), it.text != it.generated)
        .group_by(it.review_id)).all())
    acts: dict[int, list[str]] = {}
    for rid, st in c.execute(select(a.review_id, a.status).where(a.review_id.in_(ids))):
        acts.setdefault(rid, []).append(st)
    return [ReviewRow(x.id, x.title or "", _date(x.held_on), x.chair or "", x.attendees or "",
                      x.minutes or "", x.status or "planned", _date(x.period_from),
                      _date(x.period_to), outs.get(x.id, 0), len(acts.get(x.id, [])),
                      sum(1 for s in acts.get(x.id, []) if s in actions_service.OPEN),
                      edited.get(x.id, 0))
            for x in rows]


def list_reviews(ws: Workspace) -> list[ReviewRow]:
    """Every management review, the latest first (planned ones, without a date, on top)."""
    with ws.connect() as c:
        return _review_rows(c)


def get_reviews(ws: Workspace, ids: Iterable[int]) -> list[ReviewRow]:
    ids = list(ids)
    with ws.connect() as c:
        return _review_rows(c, m.ManagementReview.id.in_(ids)) if ids else []


def _items(c, review_id: int, today: dt.date) -> list[ItemRow]:
    it, a, pe = m.ReviewItem, m.Action, m.Person
    out = []
    for x in c.execute(select(it.id, it.review_id, it.section, it.position, it.text,
                              it.generated, it.figures).where(it.review_id == review_id)
                       .order_by(it.position, it.id)):
        out.append(ItemRow(x.id, x.review_id, x.section or "", x.position or 0, x.text or "",
                           x.generated or "", _loads(x.figures)))
    want = {i.figures.get("action_id"): i for i in out if i.is_output
            and isinstance(i.figures.get("action_id"), int)}
    if want:
        for aid, ref, status, owner_id, owner, due in c.execute(
                select(a.id, a.ref, a.status, a.owner_id, pe.name, a.due_date)
                .outerjoin(pe, pe.id == a.owner_id).where(a.id.in_(list(want)))):
            i = want[aid]
            i.action_id, i.action_ref, i.action_status = aid, ref or "", status or ""
            i.owner_id, i.owner, i.due_date = owner_id, owner or "", _date(due)
            i.overdue = actions_service.is_overdue(status, i.due_date, today)
    return out


def get_review(ws: Workspace, review_id: int, today: dt.date | None = None) -> Review:
    """A review with its items (inputs and outputs) and its actions."""
    today = today or dt.date.today()
    with ws.connect() as c:
        rows = _review_rows(c, m.ManagementReview.id == review_id)
        if not rows:
            raise RecordError(f"Management review {review_id} no longer exists.")
        items = _items(c, review_id, today)
    return Review(rows[0], items, actions_service.actions_for(ws, "review", review_id, today))


def find_review(ws: Workspace, text: str) -> ReviewRow:
    """A review by id or exact title (case-insensitive)."""
    rows = list_reviews(ws)
    key = str(text).strip()
    if key.isdigit():
        for r in rows:
            if r.id == int(key):
                return r
    hits = [r for r in rows if r.title.strip().casefold() == key.casefold()]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise RecordError(f"{len(hits)} management reviews are titled “{text}”; give the id.")
    raise RecordError(f"No management review has the id or title “{text}”.")


def default_period(ws: Workspace, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A new review's period: from the day after the latest review's period end (else twelve
    months back) to today."""
    today = today or dt.date.today()
    r = m.ManagementReview
    with ws.connect() as c:
        last = c.execute(select(func.max(r.period_to)).where(r.period_to <= today)).scalar()
    last = _date(last)
    if last is not None and last < today:
        return last + dt.timedelta(days=1), today
    return _months_back(today, 12) + dt.timedelta(days=1), today


def _months_back(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    y, mo = divmod(total, 12)
    import calendar

    return dt.date(y, mo + 1, min(day.day, calendar.monthrange(y, mo + 1)[1]))


def default_title(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return f"Management review {today.strftime('%B %Y')}"


# =========================================================================== edits

_REVIEW_FIELDS = ("title", "held_on", "chair", "attendees", "minutes", "status", "period_from",
                  "period_to")


def _clean_review(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        if k not in _REVIEW_FIELDS:
            raise RecordError(f"“{k.replace('_', ' ')}” of a management review cannot be "
                              "edited here.")
        if k == "status":
            if v not in STATUSES:
                raise RecordError("A review's status must be one of: " + ", ".join(STATUSES)
                                  + ".")
            out[k] = v
            continue
        if isinstance(v, dt.datetime):
            v = v.date()
        if isinstance(v, str) and k in ("held_on", "period_from", "period_to"):
            v = v.strip()
        out[k] = coerce(m.ManagementReview, k, "" if v is None and k not in (
            "held_on", "period_from", "period_to") else v)
        if k == "title":
            out[k] = (out[k] or "").strip()
            if not out[k]:
                raise RecordError("A management review needs a title.")
    return out


#: action statuses that count as finished for completing a review
DONE_FOR_REVIEW = (*actions_service.FINISHED, "cancelled")


def held_sentence(status: str, held_on: dt.date | None) -> str:
    """Why a held (or completed) review refuses a change, in one sentence."""
    word = "completed" if status == "completed" else "held"
    return f"The review of {_day_words(held_on)} has been {word}: reopen it to change it."


def _require_open(r: m.ManagementReview | None, *, minutes: bool = False) -> None:
    """Refuse changing a held review (its minutes excepted) or a completed one."""
    if r is None:
        raise RecordError("That management review no longer exists.")
    if r.status == "completed" or (r.status in CLOSED and not minutes):
        raise RecordError(held_sentence(r.status, _date(r.held_on)))


def _check_review(r: m.ManagementReview, today: dt.date) -> None:
    if r.period_from and r.period_to and r.period_from > r.period_to:
        raise RecordError("The review period must start before it ends.")
    if r.held_on and r.held_on > today and r.status in CLOSED:
        raise RecordError("A review cannot have been held in the future.")


def _put_inputs(s, review_id: int, got: dict[str, CollectedInput]) -> None:
    for pos, section in enumerate(INPUTS):
        if section in got:
            g = got[section]
            s.add(m.ReviewItem(review_id=review_id, section=section, position=pos, text=g.text,
                               generated=g.text, figures=_dumps(g.figures)))


def create_review(ws: Workspace, title: str, period_from: dt.date | str | None,
                  period_to: dt.date | str | None, held_on: dt.date | str | None = None,
                  chair: str = "", attendees: str = "", *,
                  today: dt.date | None = None) -> Change:
    """A planned review with one input item per section, collected now; ``result`` is its id."""
    today = today or dt.date.today()
    clean = _clean_review({"title": title, "period_from": period_from, "period_to": period_to,
                           "held_on": held_on, "chair": chair, "attendees": attendees})
    if clean["period_to"] is None:
        clean["period_to"] = today
    if clean["period_from"] is None:
        clean["period_from"] = _months_back(clean["period_to"], 12) + dt.timedelta(days=1)
    got = collect_inputs(ws, clean["period_from"], clean["period_to"], today)
    with ws.session() as s:
        r = m.ManagementReview(status="planned", inputs="", outputs="", minutes="", **clean)
        _check_review(r, today)
        s.add(r)
        s.flush()
        rid = r.id
        # "previous review" must not be this one: it was collected before it existed
        _put_inputs(s, rid, got)
    return Change.of(s, result=rid)


def refresh_inputs(ws: Workspace, review_id: int, *, today: dt.date | None = None) -> Change:
    """Collect the inputs again; items whose text the team edited (text ≠ generated) keep
    it. ``result`` is a :class:`RefreshReport`."""
    today = today or dt.date.today()
    with ws.connect() as c:
        r = c.execute(select(m.ManagementReview.status, m.ManagementReview.period_from,
                             m.ManagementReview.period_to, m.ManagementReview.held_on)
                      .where(m.ManagementReview.id == review_id)).first()
    if r is None:
        raise RecordError(f"Management review {review_id} no longer exists.")
    if r.status in CLOSED:
        raise RecordError(held_sentence(r.status, _date(r.held_on)))
    got = collect_inputs(ws, _date(r.period_from), _date(r.period_to), today,
                         review_id=review_id)
    report = RefreshReport()
    with ws.session() as s:
        items = {i.section: i for i in s.execute(select(m.ReviewItem).where(
            m.ReviewItem.review_id == review_id, m.ReviewItem.section.in_(INPUTS))).scalars()}
        for pos, section in enumerate(INPUTS):
            g = got[section]
            i = items.get(section)
            if i is None:
                s.add(m.ReviewItem(review_id=review_id, section=section, position=pos,
                                   text=g.text, generated=g.text, figures=_dumps(g.figures)))
                report.added.append(section)
            elif (i.text or "") == (i.generated or ""):
                if i.text != g.text:
                    i.text = g.text
                if i.generated != g.text:
                    i.generated = g.text
                figs = _dumps(g.figures)
                if i.figures != figs:
                    i.figures = figs
                report.replaced.append(section)
            else:
                report.kept.append(section)
                figs = _loads(i.figures)
                if g.text != (i.generated or ""):
                    figs["fresh"] = {"text": g.text, "figures": g.figures,
                                     "collected_on": today.isoformat()}
                    report.stale.append(section)
                else:
                    figs.pop("fresh", None)
                text = _dumps(figs)
                if i.figures != text:
                    i.figures = text
    return Change.of(s, result=report)


def _input_item(s, item_id: int) -> m.ReviewItem:
    i = s.get(m.ReviewItem, item_id)
    if i is None:
        raise RecordError("That item of the review no longer exists.")
    if i.section not in INPUTS:
        raise RecordError("Only an input of the pack is collected.")
    _require_open(s.get(m.ManagementReview, i.review_id))
    return i


def take_collected(ws: Workspace, item_id: int) -> Change:
    """Replace an edited input by the text collected last (:attr:`ItemRow.fresh_text`) with its
    figures: the team's text goes (undo brings it back)."""
    with ws.session() as s:
        i = _input_item(s, item_id)
        figs = _loads(i.figures)
        fresh = figs.get("fresh")
        if not isinstance(fresh, dict) or not fresh.get("text"):
            raise RecordError("This input has not been collected again since it was edited; "
                              "use “Collect inputs again” first.")
        i.text = i.generated = str(fresh["text"])
        i.figures = _dumps(dict(fresh.get("figures") or {}))
    return Change.of(s)


def keep_edited(ws: Workspace, item_id: int, *, today: dt.date | None = None) -> Change:
    """Keep the team's text of an input although the text collected changed: the warning goes,
    the pack says the figures are those as edited."""
    today = today or dt.date.today()
    with ws.session() as s:
        i = _input_item(s, item_id)
        figs = _loads(i.figures)
        fresh = figs.pop("fresh", None)
        if not isinstance(fresh, dict):
            return Change.of(s)
        i.generated = str(fresh.get("text") or "")
        figs["kept_on"] = str(fresh.get("collected_on") or today.isoformat())
        i.figures = _dumps(figs)
    return Change.of(s)


def update_review(ws: Workspace, review_id: int, values: dict[str, Any], *,
                  today: dt.date | None = None) -> Change:
    """Set header fields (title, held on, chair, attendees, minutes, period, status)."""
    today = today or dt.date.today()
    clean = _clean_review(values)
    if clean.get("status") in CLOSED:
        raise RecordError("Close the review with “Close review”, which checks it is complete.")
    with ws.session() as s:
        r = s.get(m.ManagementReview, review_id)
        if r is None:
            raise RecordError(f"Management review {review_id} no longer exists.")
        changing = {k for k, v in clean.items() if getattr(r, k) != v}
        if changing:
            _require_open(r, minutes=changing == {"minutes"})
        for k, v in clean.items():
            if getattr(r, k) != v:
                setattr(r, k, v)
        _check_review(r, today)
        if r.status in CLOSED and (not r.held_on or not (r.chair or "").strip()):
            raise RecordError("A held review keeps the day it was held and its chair.")
    return Change.of(s)


def close_problems(ws: Workspace, review_id: int, today: dt.date | None = None) -> list[str]:
    """What keeps the review from being closed (empty: it can be)."""
    today = today or dt.date.today()
    with ws.connect() as c:
        mr = m.ManagementReview
        r = c.execute(select(mr.held_on, mr.chair).where(mr.id == review_id)).first()
        if r is None:
            return [f"Management review {review_id} no longer exists."]
        outs = c.execute(select(func.count()).select_from(m.ReviewItem).where(
            m.ReviewItem.review_id == review_id, m.ReviewItem.section.in_(OUTPUTS))).scalar()
    problems = []
    held = _date(r.held_on)
    if held is None:
        problems.append("Enter the day the review was held.")
    elif held > today:
        problems.append("The day it was held cannot lie in the future.")
    if not (r.chair or "").strip():
        problems.append("Enter who chaired the review.")
    if not outs:
        problems.append("Record at least one output: a decision, a resource need or an "
                        "improvement action — or the decision that no changes are needed.")
        return problems
    outputs = get_review(ws, review_id, today).outputs()
    if any(o.no_changes for o in outputs) and \
            any(o.section == "decision" and not o.no_changes for o in outputs):
        problems.append("“No changes needed” cannot stand beside another decision: delete one "
                        "of them.")
    missing = []
    for o in outputs:
        if o.action_id is None:
            continue
        lack = [w for w, bad in (("no owner", o.owner_id is None),
                                 ("no due date", o.due_date is None)) if bad]
        if lack:
            name = _short(o.text)
            missing.append(f"{name} ({o.action_ref}): {', '.join(lack)}" if o.action_ref
                           else f"{name}: {', '.join(lack)}")
    if missing:
        problems.append("Give every output that becomes an action an owner and a due date: "
                        + "; ".join(missing) + ".")
    return problems


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def unfinished_actions(ws: Workspace, review_id: int, today: dt.date | None = None) -> str:
    """"A-062 (in progress) and A-065 (open, overdue) are not finished." — the outputs' actions
    that keep the review from being completed ("" when every one is done, verified or
    cancelled)."""
    rows = [o for o in get_review(ws, review_id, today).outputs()
            if o.action_id is not None and o.action_status not in DONE_FOR_REVIEW]
    if not rows:
        return ""
    names = [f"{o.action_ref} ({o.action_status.replace('_', ' ')}"
             + (", overdue" if o.overdue else "") + ")" for o in rows]
    return f"{_and(names)} {'is' if len(rows) == 1 else 'are'} not finished."


def close_review(ws: Workspace, review_id: int, status: str = "held", *,
                 today: dt.date | None = None) -> Change:
    """Mark the review held (or completed): it needs the day, the chair and an output, every
    output's action an owner and a due date; completed also needs every such action finished."""
    today = today or dt.date.today()
    if status not in CLOSED:
        raise RecordError("A review is closed as held or completed.")
    problems = close_problems(ws, review_id, today)
    if problems:
        raise RecordError("The review cannot be closed yet: " + " ".join(problems))
    if status == "completed":
        late = unfinished_actions(ws, review_id, today)
        if late:
            raise RecordError("The review cannot be marked completed: " + late)
    with ws.session() as s:
        r = s.get(m.ManagementReview, review_id)
        if r is None:
            raise RecordError(f"Management review {review_id} no longer exists.")
        r.status = status
    return Change.of(s)


def complete_review(ws: Workspace, review_id: int, *, today: dt.date | None = None) -> Change:
    """Held → completed, once every output's action is finished (done, verified, cancelled)."""
    today = today or dt.date.today()
    with ws.connect() as c:
        status = c.execute(select(m.ManagementReview.status)
                           .where(m.ManagementReview.id == review_id)).scalar()
    if status is None:
        raise RecordError(f"Management review {review_id} no longer exists.")
    if status == "completed":
        raise RecordError("The review is already completed.")
    if status != "held":
        raise RecordError("Close the review (“Close review…”) before marking it completed.")
    return close_review(ws, review_id, "completed", today=today)


def reopen_review(ws: Workspace, review_id: int) -> Change:
    """One step back: held → planned (inputs, outputs and header can change again, inputs be
    collected again); completed → held."""
    with ws.session() as s:
        r = s.get(m.ManagementReview, review_id)
        if r is None:
            raise RecordError(f"Management review {review_id} no longer exists.")
        if r.status not in CLOSED:
            raise RecordError("The review has not been held yet, so it is open already.")
        r.status = "held" if r.status == "completed" else "planned"
    return Change.of(s)


def delete_review(ws: Workspace, review_id: int) -> Change:
    """Delete a review with its items and its actions."""
    with ws.session() as s:
        r = s.get(m.ManagementReview, review_id)
        if r is None:
            raise RecordError(f"Management review {review_id} no longer exists.")
        s.delete(r)
    return Change.of(s)


def update_item(ws: Workspace, item_id: int, text: str | None = None, *,
                owner_id: Any = ..., due_date: Any = ..., section: str | None = None,
                today: dt.date | None = None) -> Change:
    """Edit an item's text (an output's action takes the new first line as its title), and an
    output's owner, due date or section (its action's kind follows)."""
    today = today or dt.date.today()
    values: dict[str, Any] = {}
    if owner_id is not ...:
        values["owner_id"] = actions_service.clean_value("owner_id", owner_id)
    if due_date is not ...:
        values["due_date"] = actions_service.clean_value("due_date", due_date)
    with ws.session() as s:
        i = s.get(m.ReviewItem, item_id)
        if i is None:
            raise RecordError("That item of the review no longer exists.")
        _require_open(s.get(m.ManagementReview, i.review_id))
        output = i.section in OUTPUTS
        if (values or section is not None) and not output:
            raise RecordError("Only an output has an owner, a due date or a kind.")
        if section is not None:
            if section not in OUTPUTS:
                raise RecordError("An output is a decision, a resource need or an improvement "
                                  "action.")
            if i.section != section:
                i.section = section
        if text is not None:
            text = str(text)
            if output and not text.strip():
                raise RecordError("An output needs its text.")
            if i.text != text:
                i.text = text
                if not output:
                    figs = _loads(i.figures)
                    if figs.get("edited_on") != today.isoformat():
                        figs["edited_on"] = today.isoformat()
                        i.figures = _dumps(figs)
        aid = _loads(i.figures).get("action_id") if output else None
        a = s.get(m.Action, aid) if isinstance(aid, int) else None
        if a is not None:
            if text is not None:
                title = _title(text)
                if a.title != title:
                    a.title = title
            if section is not None and a.kind != OUTPUT_ACTION_KIND[section]:
                a.kind = OUTPUT_ACTION_KIND[section]
            if "owner_id" in values:
                actions_service._check_owner(s, values["owner_id"])
                if a.owner_id != values["owner_id"]:
                    a.owner_id = values["owner_id"]
            if "due_date" in values and a.due_date != values["due_date"]:
                a.due_date = values["due_date"]
        elif values:
            raise RecordError("This output has no action, so it has no owner or due date.")
    return Change.of(s)


def _short(text: str, limit: int = 60) -> str:
    """An output named in a sentence: its first line in quotes, cut at ``limit``."""
    line = _title(text)
    return f"“{line if len(line) <= limit else line[:limit - 1] + '…'}”"


def _title(text: str) -> str:
    line = " ".join(str(text).strip().split("\n", 1)[0].split())
    return line if len(line) <= 200 else line[:199] + "…"


def add_output(ws: Workspace, review_id: int, section: str, text: str, *,
               owner_id: int | None = None, due_date: dt.date | str | None = None,
               make_action: bool = True, today: dt.date | None = None) -> Change:
    """An output of the review (9.3.3); with ``make_action`` it becomes an action of the review
    (kind :data:`OUTPUT_ACTION_KIND`, listed on the Actions page). ``result`` is the item's id."""
    today = today or dt.date.today()
    if section not in OUTPUTS:
        raise RecordError("An output is a decision, a resource need or an improvement action.")
    text = str(text or "").strip()
    if not text:
        raise RecordError("An output needs its text.")
    owner = actions_service.clean_value("owner_id", owner_id)
    due = actions_service.clean_value("due_date", due_date)
    if not make_action and (owner is not None or due is not None):
        raise RecordError("An output without an action has no owner or due date.")
    no_changes = section == "decision" and not make_action and \
        " ".join(text.split()) == NO_CHANGES
    with ws.session() as s:
        r = s.get(m.ManagementReview, review_id)
        if r is None:
            raise RecordError("That management review no longer exists, so no output can be "
                              "added to it.")
        _require_open(r)
        decisions = s.execute(select(m.ReviewItem).where(
            m.ReviewItem.review_id == review_id, m.ReviewItem.section == "decision")).scalars()
        plain = [d for d in decisions if " ".join((d.text or "").split()) == NO_CHANGES
                 and not isinstance(_loads(d.figures).get("action_id"), int)]
        if no_changes:
            others = s.execute(select(func.count()).select_from(m.ReviewItem).where(
                m.ReviewItem.review_id == review_id, m.ReviewItem.section == "decision")
            ).scalar() - len(plain)
            if plain:
                raise RecordError("The decision that no changes are needed is recorded "
                                  "already.")
            if others:
                raise RecordError("“No changes needed” cannot stand beside the decisions "
                                  "recorded: delete them first, or leave it out.")
        elif section == "decision":
            for d in plain:  # a real decision replaces "no changes needed" (same undo step)
                s.delete(d)
        pos = s.execute(select(func.coalesce(func.max(m.ReviewItem.position), 100)).where(
            m.ReviewItem.review_id == review_id)).scalar() + 1
        figures: dict[str, Any] = {}
        if make_action:
            actions_service._check_owner(s, owner)
            a = m.Action(ref=next_free_ref(s.connection(), m.Action.ref, "A-"),
                         title=_title(text), description=text if "\n" in text else "",
                         kind=OUTPUT_ACTION_KIND[section], status="open", owner_id=owner,
                         due_date=due, effectiveness_check="", review_id=review_id)
            s.add(a)
            s.flush()
            figures["action_id"] = a.id
        i = m.ReviewItem(review_id=review_id, section=section, position=max(pos, 101),
                         text=text, generated="", figures=_dumps(figures))
        s.add(i)
        s.flush()
        iid = i.id
    return Change.of(s, result=iid)


def delete_output(ws: Workspace, item_id: int) -> Change:
    """Remove an output and its action, unless the action is already done (then it stays)."""
    with ws.session() as s:
        i = s.get(m.ReviewItem, item_id)
        if i is None:
            raise RecordError("That output no longer exists.")
        if i.section not in OUTPUTS:
            raise RecordError("The inputs of the pack cannot be removed; edit their text "
                              "instead.")
        _require_open(s.get(m.ManagementReview, i.review_id))
        aid = _loads(i.figures).get("action_id")
        a = s.get(m.Action, aid) if isinstance(aid, int) else None
        if a is not None:
            if a.status in actions_service.FINISHED:
                raise RecordError(f"The action {a.ref} of this output is already "
                                  f"{a.status}; the output stays as its record.")
            s.delete(a)
        s.delete(i)
    return Change.of(s)


__all__ = [
    "CLOSED", "CollectedInput", "INPUTS", "ItemRow", "NO_CHANGES", "OUTPUTS",
    "OUTPUT_ACTION_KIND", "RefreshReport", "Review", "ReviewRow", "SECTION_TITLES", "STATUSES",
    "DONE_FOR_REVIEW", "add_output", "close_problems", "close_review", "collect_inputs",
    "complete_review", "create_review", "held_sentence", "keep_edited", "reopen_review",
    "take_collected", "unfinished_actions",
    "default_period", "default_title", "delete_output", "delete_review", "find_review",
    "get_review", "get_reviews", "list_reviews", "refresh_inputs", "section_clause",
    "section_title", "update_item", "update_review",
]
