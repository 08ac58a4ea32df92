"""Context of the organization and the quality policy (ISO 9001 4.1–4.3, 5.2).

What the "Context & policy" page shows and edits, in one place:

* **The quality policy.** Once issued (:func:`issue_policy`) it is a controlled document of kind
  "policy" (``organization.policy_document_id``) whose text lives in its revisions like any
  procedure's: edited through ``documents.edit_section`` (editing the policy in force starts the
  next draft, the one in force stays) and approved through the documents workflow with
  e-signatures (``documents.sign``). Until then the organization's own ``quality_policy`` text
  is shown and edited (:func:`update_policy_text`). :class:`Policy` says which, with the
  revision in force, the one being worked on and its signatures, each checked
  (``documents.signature_checks``).
* **The scope** (4.3): its text and the requirements that do not apply, each with its
  justification. Only requirements that do not affect the ability to provide conforming
  products and services can be excluded (:data:`EXCLUDABLE`, :func:`exclusion_problem`).
* **Interested parties** (4.2) and **internal and external issues** (4.1), ordered lists
  (``position``); an issue may link to a risk of the register.
* **Climate change** (4.1/4.2 as amended in 2024): whether the organization determined it is a
  relevant issue — not yet determined (None), relevant, not relevant — and why.

Every writing function validates first (a sentence for the user when refused, nothing
written), writes in one unit of work and returns ``Change.of(s, result=...)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import func, select

from ..core.catalogue import Catalogue, load_catalogue
from ..storage import models as m
from ..storage.workspace import Workspace
from .records import Change, RecordError, coerce

#: categories of an issue of the organization's context (4.1), in the order offered
CATEGORIES = ("political", "economic", "social", "technological", "legal", "environmental",
              "climate", "market", "organisational", "people", "infrastructure", "other")
ISSUE_KINDS = m.ISSUE_KINDS
#: the clauses (with their sub-clauses) that an organization may determine do not apply to it:
#: requirements whose absence does not affect its ability to provide conforming products and
#: services — monitoring and measuring resources where no measurement verifies conformity,
#: design and development (build to print), property of customers or external providers, and
#: post-delivery activities. Context, leadership, planning, support otherwise, operational
#: planning, requirements, purchasing, production, release, nonconforming outputs, evaluation
#: and improvement always apply.
EXCLUDABLE = ("7.1.5", "8.3", "8.5.3", "8.5.5")
#: the rule as shown beside the exclusions
EXCLUSION_RULE = ("Only requirements that do not affect the ability to provide conforming "
                  "products and services may be excluded (ISO 9001 4.3): 7.1.5, 8.3, 8.5.3 or "
                  "8.5.5 and their sub-clauses, each with its justification.")
#: the key and title of the section holding the policy text in a policy document
POLICY_SECTION = "policy"
POLICY_TITLE = "Quality policy"

PARTY_FIELDS = ("name", "needs", "monitoring", "relevant", "reviewed_on")
ISSUE_FIELDS = ("kind", "category", "text", "effect", "risk_id", "reviewed_on")


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class PolicySignature:
    meaning: str
    signer_name: str
    signed_at: dt.datetime           # naive UTC
    local_time: str
    valid: bool
    problem: str = ""


@dataclass(slots=True)
class Policy:
    """The quality policy: a controlled document, or the organization's text until issued."""

    #: the legacy text of the organization (what a workspace without a policy document shows)
    legacy_text: str = ""
    document_id: int | None = None
    number: str = ""
    title: str = ""
    #: the register status ("draft", "in_review", "approved", "effective", "obsolete")
    status: str = ""
    #: the revision in force ("" when none), the day it took effect
    revision: str = ""
    in_force_id: int | None = None
    effective_on: dt.date | None = None
    #: the revision being worked on, if any
    pending: str = ""
    pending_id: int | None = None
    pending_status: str = ""
    #: the text shown: the revision being worked on, else the one in force
    text: str = ""
    #: the text of the revision in force ("" when none)
    text_in_force: str = ""
    #: signatures of the revision in force, then of the one being worked on
    signatures: list[PolicySignature] = field(default_factory=list)
    pending_signatures: list[PolicySignature] = field(default_factory=list)
    #: a signature of either revision is not valid (or one is missing)
    invalid_signatures: bool = False

    @property
    def controlled(self) -> bool:
        return self.document_id is not None

    @property
    def approved_by(self) -> PolicySignature | None:
        """The approval signature of the revision in force."""
        return next((s for s in reversed(self.signatures) if s.meaning == "approved"), None)


@dataclass(slots=True)
class ExclusionRow:
    id: int
    clause: str
    title: str                       # from the clause catalogue ("" if unknown)
    justification: str


@dataclass(slots=True)
class PartyRow:
    id: int
    name: str
    needs: str
    monitoring: str
    relevant: bool
    position: int
    reviewed_on: dt.date | None


@dataclass(slots=True)
class IssueRow:
    id: int
    kind: str
    category: str
    text: str
    effect: str
    risk_id: int | None
    risk_ref: str
    risk_title: str
    position: int
    reviewed_on: dt.date | None

    @property
    def risk(self) -> str:
        return " ".join(x for x in (self.risk_ref, self.risk_title) if x)


@dataclass(slots=True)
class Context:
    organization_id: int | None
    name: str
    scope: str
    policy: Policy
    exclusions: list[ExclusionRow]
    parties: list[PartyRow]
    issues: list[IssueRow]
    #: None: not yet determined; True / False: climate change is / is not a relevant issue
    climate_relevant: bool | None
    climate_note: str


# --------------------------------------------------------------------------- catalogue


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_catalogue()


def clause_title(number: str) -> str:
    cat = catalogue()
    return cat.clause(number).title if number in cat else ""


def _within(number: str, top: str) -> bool:
    return number == top or number.startswith(top + ".")


def excludable_clauses() -> list[tuple[str, str]]:
    """(number, title) of every clause that may be excluded, in the standard's order."""
    return [(c.number, c.title) for c in catalogue()
            if any(_within(c.number, x) for x in EXCLUDABLE)]


def exclusion_problem(clause: str) -> str:
    """Why ``clause`` cannot be excluded, or "" (the catalogue's numbers; pure)."""
    cat = catalogue()
    if not clause:
        return "Give the clause that does not apply, for example 8.3."
    if clause not in cat:
        return f"“{clause}” is not a clause of {cat.standard}; give its number, e.g. 8.3."
    if not any(_within(clause, x) for x in EXCLUDABLE):
        return (f"Clause {clause} ({cat.clause(clause).title}) cannot be excluded: only "
                "requirements that do not affect conformity of products and services may be "
                "(7.1.5, 8.3, 8.5.3, 8.5.5).")
    return ""


# --------------------------------------------------------------------------- reading


def _org_row(conn):
    o = m.Organization
    return conn.execute(select(o.id, o.name, o.scope, o.quality_policy, o.policy_document_id,
                               o.climate_relevant, o.climate_note)
                        .order_by(o.id).limit(1)).first()


def _section_text(secs) -> str:
    """The policy text of a revision: its policy section, else every section with text."""
    hit = next((x for x in secs if x.key == POLICY_SECTION), None)
    if hit is not None:
        return hit.text
    parts = [x for x in secs if x.text.strip()]
    if len(parts) == 1:
        return parts[0].text
    return "\n\n".join(f"### {x.title}\n\n{x.text}" for x in parts)


def _signatures(rev) -> list[PolicySignature]:
    return [PolicySignature(x.meaning, x.signer_name, x.signed_at, x.local_time, x.valid,
                            x.problem) for x in rev.signatures]


def get_policy(ws: Workspace) -> Policy:
    """The quality policy as the page shows it (see :class:`Policy`)."""
    from . import documents

    with ws.connect() as c:
        org = _org_row(c)
    policy = Policy(legacy_text=(org.quality_policy or "") if org else "")
    doc_id = org.policy_document_id if org else None
    if doc_id is None:
        policy.text = policy.legacy_text
        return policy
    rows = documents.get_documents(ws, [doc_id])
    if not rows:
        policy.text = policy.legacy_text
        return policy
    row = rows[0]
    revs = {r.id: r for r in documents.revisions(ws, doc_id)}
    policy.document_id = doc_id
    policy.number, policy.title, policy.status = row.number, row.title, row.status
    policy.revision, policy.in_force_id, policy.effective_on = (row.revision, row.in_force_id,
                                                                row.effective_on)
    policy.pending, policy.pending_id, policy.pending_status = (row.pending, row.pending_id,
                                                                row.pending_status)
    policy.invalid_signatures = row.invalid_signatures
    if row.in_force_id in revs:
        policy.signatures = _signatures(revs[row.in_force_id])
        policy.text_in_force = _section_text(documents.sections(ws, row.in_force_id))
    if row.pending_id in revs:
        policy.pending_signatures = _signatures(revs[row.pending_id])
    shown = row.pending_id or row.in_force_id or (max(revs) if revs else None)
    if shown == row.in_force_id:
        policy.text = policy.text_in_force
    elif shown is not None:
        policy.text = _section_text(documents.sections(ws, shown))
    return policy


def _exclusion_rows(conn, ids=None) -> list[ExclusionRow]:
    x = m.ScopeExclusion
    stmt = select(x.id, x.clause, x.justification)
    if ids is not None:
        stmt = stmt.where(x.id.in_(list(ids)))
    rows = [ExclusionRow(i, c or "", clause_title(c or ""), j or "")
            for i, c, j in conn.execute(stmt)]
    cat = catalogue()
    order = {c.number: n for n, c in enumerate(cat)}
    rows.sort(key=lambda r: (order.get(r.clause, len(order)), r.clause, r.id))
    return rows


def list_exclusions(ws: Workspace, ids: Iterable[int] | None = None) -> list[ExclusionRow]:
    """The scope's exclusions in the standard's order (only ``ids`` when given)."""
    with ws.connect() as c:
        return _exclusion_rows(c, ids)


def list_parties(ws: Workspace, ids: Iterable[int] | None = None) -> list[PartyRow]:
    """Interested parties by position (only ``ids`` when given)."""
    p = m.InterestedParty
    stmt = select(p.id, p.name, p.needs, p.monitoring, p.relevant, p.position,
                  p.reviewed_on).order_by(p.position, p.id)
    if ids is not None:
        stmt = stmt.where(p.id.in_(list(ids)))
    with ws.connect() as c:
        return [PartyRow(i, n or "", nd or "", mo or "", bool(rel) if rel is not None else True,
                         pos or 0, rev) for i, n, nd, mo, rel, pos, rev in c.execute(stmt)]


def list_issues(ws: Workspace, ids: Iterable[int] | None = None) -> list[IssueRow]:
    """Issues, internal ones first, each kind by position (only ``ids`` when given)."""
    i, r = m.ContextIssue, m.Risk
    stmt = (select(i.id, i.kind, i.category, i.text, i.effect, i.risk_id, r.ref, r.title,
                   i.position, i.reviewed_on)
            .outerjoin(r, r.id == i.risk_id))
    if ids is not None:
        stmt = stmt.where(i.id.in_(list(ids)))
    with ws.connect() as c:
        rows = [IssueRow(rid, k or "external", cat or "", t or "", e or "", risk, rref or "",
                         rtitle or "", pos or 0, rev)
                for rid, k, cat, t, e, risk, rref, rtitle, pos, rev in c.execute(stmt)]
    rows.sort(key=issue_order)
    return rows


def issue_order(row: IssueRow) -> tuple:
    """How issues stand: internal before external, then by position."""
    return (ISSUE_KINDS.index(row.kind) if row.kind in ISSUE_KINDS else len(ISSUE_KINDS),
            row.position, row.id)


def load_context(ws: Workspace) -> Context:
    """Everything the Context & policy page shows."""
    with ws.connect() as c:
        org = _org_row(c)
        exclusions = _exclusion_rows(c)
    return Context(
        organization_id=org.id if org else None, name=(org.name or "") if org else "",
        scope=(org.scope or "") if org else "", policy=get_policy(ws), exclusions=exclusions,
        parties=list_parties(ws), issues=list_issues(ws),
        climate_relevant=(None if org is None or org.climate_relevant is None
                          else bool(org.climate_relevant)),
        climate_note=(org.climate_note or "") if org else "")


def policy_candidates(ws: Workspace) -> list[tuple[int, str]]:
    """(id, "number title") of the documents of kind policy that are not obsolete: what may be
    linked as the quality policy (:func:`link_policy_document`)."""
    d = m.Document
    with ws.connect() as c:
        return [(i, " ".join(x for x in (n, t) if x)) for i, n, t in c.execute(
            select(d.id, d.number, d.title).where(d.kind == "policy", d.status != "obsolete")
            .order_by(d.number, d.id))]


# --------------------------------------------------------------------------- edits: organization


def _org(s) -> m.Organization:
    org = s.scalars(select(m.Organization).order_by(m.Organization.id).limit(1)).first()
    if org is None:
        org = m.Organization(name="", scope="", quality_policy="", sites="", climate_note="")
        s.add(org)
        s.flush()
    return org


def _text(model, name: str, value: Any) -> str:
    from .documents import sig_clean

    return coerce(model, name, sig_clean("" if value is None else str(value)))


def update_scope(ws: Workspace, text: str) -> Change:
    """The scope of the QMS (4.3): products, services, sites and boundaries, in words."""
    value = _text(m.Organization, "scope", text).strip()
    with ws.session() as s:
        org = _org(s)
        if org.scope != value:
            org.scope = value
    return Change.of(s)


def update_policy_text(ws: Workspace, text: str) -> Change:
    """The organization's own policy text — only while the policy is not yet a controlled
    document (after that its text is edited in its draft revision, :func:`edit_policy`)."""
    value = _text(m.Organization, "quality_policy", text).strip()
    with ws.session() as s:
        org = _org(s)
        if org.policy_document_id is not None:
            raise RecordError("The quality policy is a controlled document now: edit its text "
                              "there (a new draft revision), not the old text.")
        if org.quality_policy != value:
            org.quality_policy = value
    return Change.of(s)


def set_climate(ws: Workspace, relevant: bool | None, note: str | None = None) -> Change:
    """Whether climate change is a relevant issue (ISO 9001 4.1 as amended in 2024): None = not
    yet determined, True, False; ``note`` says why (None keeps the note)."""
    if relevant is not None and not isinstance(relevant, bool):
        raise RecordError("Climate change is relevant, not relevant, or not yet determined.")
    clean = None if note is None else _text(m.Organization, "climate_note", note).strip()
    with ws.session() as s:
        org = _org(s)
        if org.climate_relevant != relevant:
            org.climate_relevant = relevant
        if clean is not None and org.climate_note != clean:
            org.climate_note = clean
    return Change.of(s)


# --------------------------------------------------------------------------- edits: policy


def issue_policy(ws: Workspace, text: str, owner_id: int | None = None, *,
                 title: str = POLICY_TITLE, number: str | None = None,
                 change_summary: str = "First issue as a controlled document.") -> Change:
    """Make the quality policy a controlled document of kind "policy" (numbered by the
    workspace's scheme unless ``number`` is given) whose first draft holds ``text`` as its one
    section, and link it as the organization's policy. ``result`` is the document's id.
    Refused when the organization already has its policy document."""
    from . import documents

    text = documents.sig_clean(text or "").strip()
    if not text:
        raise RecordError("Write the quality policy first; an empty policy cannot be issued.")
    values: dict[str, Any] = {"kind": "policy", "title": title,
                              "number": (number or "").strip()
                              or documents.next_document_number(ws, "policy")}
    if owner_id is not None:
        values["owner_id"] = owner_id
    with ws.session() as s:
        org = _org(s)
        if org.policy_document_id is not None and \
                s.get(m.Document, org.policy_document_id) is not None:
            number_now = s.get(m.Document, org.policy_document_id).number
            raise RecordError(f"The quality policy is already the controlled document "
                              f"{number_now}; change it there.")
        did = documents.add_document_in(s, ws, values, change_summary=change_summary,
                                        sections=[(POLICY_SECTION, POLICY_TITLE, text)])
        org.policy_document_id = did
    return Change.of(s, result=did)


def link_policy_document(ws: Workspace, doc_id: int | None) -> Change:
    """Make an existing document of kind "policy" the organization's quality policy (None:
    unlink it; the document stays in the register)."""
    with ws.session() as s:
        org = _org(s)
        if doc_id is not None:
            doc = s.get(m.Document, doc_id)
            if doc is None:
                raise RecordError("This document no longer exists.")
            if doc.kind != "policy":
                raise RecordError(f"{doc.number} is not a policy; only a document of kind "
                                  "policy can hold the quality policy.")
        if org.policy_document_id != doc_id:
            org.policy_document_id = doc_id
    return Change.of(s, result=doc_id)


def edit_policy(ws: Workspace, text: str) -> Change:
    """Set the policy document's text (``documents.edit_section`` of its policy section: a new
    draft when the policy is in force). ``result`` is the draft's id."""
    from . import documents

    with ws.connect() as c:
        org = _org_row(c)
    if org is None or org.policy_document_id is None:
        raise RecordError("The quality policy is not a controlled document yet; issue it "
                          "first.")
    return documents.edit_section(ws, org.policy_document_id, POLICY_SECTION, text,
                                  title=POLICY_TITLE)


# --------------------------------------------------------------------------- edits: exclusions


def _clean_exclusion(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k == "clause":
            v = " ".join(str(v or "").split()).rstrip(".")
            problem = exclusion_problem(v)
            if problem:
                raise RecordError(problem)
        elif k == "justification":
            v = _text(m.ScopeExclusion, "justification", v).strip()
        else:
            raise RecordError(f"An exclusion has no field “{k}”.")
        out[k] = v
    return out


def _check_overlap(s, clause: str, own: int | None) -> None:
    for xid, other in s.execute(select(m.ScopeExclusion.id, m.ScopeExclusion.clause)):
        if xid == own:
            continue
        if other == clause:
            raise RecordError(f"Clause {clause} is already excluded.")
        if _within(clause, other):
            raise RecordError(f"Clause {clause} is part of {other}, which is already excluded.")
        if _within(other, clause):
            raise RecordError(f"Clause {other}, part of {clause}, is already excluded: change "
                              "that exclusion instead.")


def add_exclusion(ws: Workspace, clause: str, justification: str) -> Change:
    """Exclude a requirement from the scope with its justification; ``result`` is its id."""
    clean = _clean_exclusion({"clause": clause, "justification": justification})
    if not clean["justification"]:
        raise RecordError(f"Say why clause {clean['clause']} does not apply (its "
                          "justification).")
    with ws.session() as s:
        _check_overlap(s, clean["clause"], None)
        row = m.ScopeExclusion(**clean)
        s.add(row)
        s.flush()
        xid = row.id
    return Change.of(s, result=xid)


def update_exclusion(ws: Workspace, xid: int, values: dict[str, Any]) -> Change:
    clean = _clean_exclusion(values)
    with ws.session() as s:
        row = s.get(m.ScopeExclusion, xid)
        if row is None:
            raise RecordError("This exclusion no longer exists.")
        if "clause" in clean:
            _check_overlap(s, clean["clause"], xid)
        if "justification" in clean and not clean["justification"]:
            raise RecordError(f"An exclusion needs its justification: say why clause "
                              f"{clean.get('clause', row.clause)} does not apply.")
        for k, v in clean.items():
            if getattr(row, k) != v:
                setattr(row, k, v)
    return Change.of(s)


def delete_exclusions(ws: Workspace, ids: Iterable[int]) -> Change:
    return _delete(ws, m.ScopeExclusion, ids, "exclusion")


# --------------------------------------------------------------------------- edits: lists


def _delete(ws: Workspace, model, ids: Iterable[int], what: str) -> Change:
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError(f"Choose the {what}s to delete.")
    with ws.session() as s:
        for rid in ids:
            row = s.get(model, rid)
            if row is None:
                raise RecordError(f"This {what} no longer exists.")
            s.delete(row)
    return Change.of(s)


def _date(value: Any, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise RecordError(f"“{value}” is not a date ({label}).") from None


def _yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().casefold()
    if text in ("yes", "y", "true", "1", "relevant"):
        return True
    if text in ("no", "n", "false", "0", "not relevant", ""):
        return False
    raise RecordError(f"“{value}” is not yes or no.")


def _clean_party(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k not in PARTY_FIELDS:
            raise RecordError(f"An interested party has no field “{k}”.")
        if k == "relevant":
            v = _yes(v)
        elif k == "reviewed_on":
            v = _date(v, "reviewed on")
            if v is not None and v > today:
                raise RecordError("A review cannot be dated in the future.")
        else:
            v = _text(m.InterestedParty, k, v).strip()
            if k == "name" and not v:
                raise RecordError("An interested party needs a name.")
        out[k] = v
    return out


def _clean_issue(s, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k not in ISSUE_FIELDS:
            raise RecordError(f"An issue has no field “{k}”.")
        if k == "kind":
            if v not in ISSUE_KINDS:
                raise RecordError("An issue is internal or external.")
        elif k == "category":
            v = str(v or "").strip().casefold()
            if v and v not in CATEGORIES:
                raise RecordError(f"“{v}” is not a category of issue; choose one of: "
                                  f"{', '.join(CATEGORIES)}.")
        elif k == "risk_id":
            if v in (None, ""):
                v = None
            else:
                if isinstance(v, bool) or not isinstance(v, int) or s.get(m.Risk, v) is None:
                    raise RecordError("That risk is not in the register (any more).")
        elif k == "reviewed_on":
            v = _date(v, "reviewed on")
            if v is not None and v > today:
                raise RecordError("A review cannot be dated in the future.")
        else:
            v = _text(m.ContextIssue, k, v).strip()
            if k == "text" and not v:
                raise RecordError("An issue needs its description.")
        out[k] = v
    return out


def _next_position(s, model, *where) -> int:
    top = s.execute(select(func.max(model.position)).where(*where)).scalar()
    return 0 if top is None else top + 1


def add_party(ws: Workspace, values: dict[str, Any] | None = None, *,
              today: dt.date | None = None) -> Change:
    """A new interested party after the others; ``result`` is its id."""
    clean = _clean_party(dict(values or {}), today or dt.date.today())
    clean.setdefault("name", "New interested party")
    with ws.session() as s:
        row = m.InterestedParty(needs="", monitoring="", relevant=True,
                                position=_next_position(s, m.InterestedParty))
        for k, v in clean.items():
            setattr(row, k, v)
        s.add(row)
        s.flush()
        pid = row.id
    return Change.of(s, result=pid)


def update_parties(ws: Workspace, ids: Iterable[int], values: dict[str, Any], *,
                   today: dt.date | None = None) -> Change:
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the interested parties to change.")
    clean = _clean_party(values, today or dt.date.today())
    with ws.session() as s:
        for pid in ids:
            row = s.get(m.InterestedParty, pid)
            if row is None:
                raise RecordError("This interested party no longer exists.")
            for k, v in clean.items():
                if getattr(row, k) != v:
                    setattr(row, k, v)
    return Change.of(s)


def delete_parties(ws: Workspace, ids: Iterable[int]) -> Change:
    return _delete(ws, m.InterestedParty, ids, "interested party")


def add_issue(ws: Workspace, values: dict[str, Any] | None = None, *,
              today: dt.date | None = None) -> Change:
    """A new issue (external unless ``values`` say otherwise) after the others of its kind;
    ``result`` is its id."""
    values = dict(values or {})
    values.setdefault("kind", "external")
    values.setdefault("text", "New issue")
    with ws.session() as s:
        clean = _clean_issue(s, values, today or dt.date.today())
        row = m.ContextIssue(category="", effect="", position=_next_position(
            s, m.ContextIssue, m.ContextIssue.kind == clean["kind"]))
        for k, v in clean.items():
            setattr(row, k, v)
        s.add(row)
        s.flush()
        iid = row.id
    return Change.of(s, result=iid)


def update_issues(ws: Workspace, ids: Iterable[int], values: dict[str, Any], *,
                  today: dt.date | None = None) -> Change:
    """Set ``values`` on issues; an issue that changes kind goes to the end of its new kind."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise RecordError("Choose the issues to change.")
    with ws.session() as s:
        clean = _clean_issue(s, values, today or dt.date.today())
        for iid in ids:
            row = s.get(m.ContextIssue, iid)
            if row is None:
                raise RecordError("This issue no longer exists.")
            if "kind" in clean and clean["kind"] != row.kind:
                row.position = _next_position(s, m.ContextIssue,
                                              m.ContextIssue.kind == clean["kind"])
            for k, v in clean.items():
                if getattr(row, k) != v:
                    setattr(row, k, v)
            s.flush()
    return Change.of(s)


def link_issue_risk(ws: Workspace, issue_id: int, risk_id: int | None) -> Change:
    """Link an issue to a risk (or opportunity) of the register that addresses it (None:
    unlink)."""
    return update_issues(ws, [issue_id], {"risk_id": risk_id})


def delete_issues(ws: Workspace, ids: Iterable[int]) -> Change:
    return _delete(ws, m.ContextIssue, ids, "issue")


def _move(ws: Workspace, model, rid: int, step: int, what: str, *same) -> Change:
    if step not in (-1, 1):
        raise RecordError("An entry moves one place up or down.")
    with ws.session() as s:
        row = s.get(model, rid)
        if row is None:
            raise RecordError(f"This {what} no longer exists.")
        where = [getattr(model, c) == getattr(row, c) for c in same]
        siblings = list(s.scalars(select(model).where(*where).order_by(model.position,
                                                                        model.id)))
        i = next(n for n, x in enumerate(siblings) if x.id == rid)
        j = i + step
        if 0 <= j < len(siblings):
            siblings[i], siblings[j] = siblings[j], siblings[i]
            for n, x in enumerate(siblings):  # renumbered 0, 1, 2…: ties and gaps go
                if x.position != n:
                    x.position = n
    return Change.of(s)


def move_party(ws: Workspace, pid: int, step: int) -> Change:
    """Move an interested party one place up (-1) or down (+1); at the end nothing changes."""
    return _move(ws, m.InterestedParty, pid, step, "interested party")


def move_issue(ws: Workspace, iid: int, step: int) -> Change:
    """Move an issue one place up (-1) or down (+1) among the issues of its kind."""
    return _move(ws, m.ContextIssue, iid, step, "issue", "kind")


__all__ = ["CATEGORIES", "Context", "EXCLUDABLE", "EXCLUSION_RULE", "ExclusionRow",
           "ISSUE_KINDS", "IssueRow", "POLICY_SECTION", "PartyRow", "Policy",
           "PolicySignature", "add_exclusion", "add_issue", "add_party", "clause_title",
           "delete_exclusions", "delete_issues", "delete_parties", "edit_policy",
           "excludable_clauses", "exclusion_problem", "get_policy", "issue_policy",
           "link_issue_risk", "link_policy_document", "list_exclusions", "list_issues",
           "list_parties", "load_context", "move_issue", "move_party", "policy_candidates",
           "set_climate", "update_exclusion", "update_issues", "update_parties",
           "update_policy_text", "update_scope"]
