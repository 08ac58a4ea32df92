"""Controlled documents (ISO 9001 7.5): the register, revisions, sections, signing users and
electronic signatures.

The rules are in ``core.documents`` (a revision's life, who may sign) and ``core.signatures``
(password hashes, content hashes, seals). This module reads and writes them:

* **The register** (:func:`list_documents`, :func:`add_document`, :func:`update_documents`):
  number (``next_document_number`` follows the workspace's scheme), title, kind, owner, process,
  review period and next review; the status and revision shown are those of the revision in
  force, with any revision being worked on beside them.
* **Revisions**: a document has at most one revision being worked on (draft, in review or
  approved). Editing a section of a document whose newest revision is effective starts a new
  draft (:func:`edit_section`); the effective one stays in force until the draft is made
  effective (:func:`make_effective`), which makes it obsolete. Only a draft's text changes.
* **Sections** (:class:`SectionRow`): light Markdown per section. A revision without section
  rows (written before schema 0005) reads the document's ``purpose``, ``scope`` and ``body``.
* **Users and signatures**: :func:`add_user` (the first user needs no one's approval and
  becomes the administrator; later ones need an administrator's password), :func:`sign`
  (password re-entered; *authored* submits a draft for review, *reviewed* records the review,
  *approved* approves it). A signature stores the content hash of the revision it signs
  (:func:`revision_hash`: its number, change summary, sections and attached files), the
  signer's printed name, UTC and local time, meaning and a seal; :func:`signature_checks`
  tells which still hold. Signing is refused on a read-only workspace (every write is).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import select

from ..core import documents as rules
from ..core import signatures as sig
from ..storage import models as m
from ..storage.workspace import Workspace
from .records import Change, RecordError

SCHEME_KEY = "documents.numbering"
REVIEWABLE = ("procedure", "work_instruction", "policy", "manual")
#: kinds that get the standard sections when created
SECTIONED = ("procedure", "work_instruction", "policy", "manual")


class SigningError(RecordError):
    """A signature refused (wrong password, no right, wrong state); a sentence for the user."""


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class SignatureRow:
    id: int
    record_id: int
    meaning: str
    signer_name: str
    user: str
    user_id: int | None
    signed_at: dt.datetime           # naive UTC
    local_time: str
    valid: bool = False
    problem: str = ""

    @property
    def meaning_text(self) -> str:
        return sig.MEANING_TEXT.get(self.meaning, self.meaning)


@dataclass(slots=True)
class SectionRow:
    id: int | None                   # None: read from the document row (before schema 0005)
    key: str
    title: str
    position: int
    text: str
    generated: str = ""


@dataclass(slots=True)
class RevisionRow:
    id: int
    document_id: int
    number: str
    status: str
    issued_on: dt.date | None
    effective_on: dt.date | None
    change_summary: str
    author: str
    reviewer: str
    approver: str
    signatures: list[SignatureRow] = field(default_factory=list)
    #: meanings this revision should hold but does not (a signature removed or moved outside
    #: the app; ``core.documents.missing_signatures``)
    missing: list[str] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        return rules.STATUS_TEXT.get(self.status, self.status)

    @property
    def signatures_valid(self) -> bool:
        return all(s.valid for s in self.signatures) and not self.missing

    @property
    def missing_text(self) -> list[str]:
        return [rules.MISSING_TEXT[x] + ": it was removed outside the app."
                for x in self.missing]


@dataclass(slots=True)
class DocumentRow:
    id: int
    number: str
    title: str
    kind: str
    owner_id: int | None
    owner: str
    process_id: int | None
    process: str
    status: str                      # the register status (see module docstring)
    revision: str                    # the revision in force ("" when none)
    effective_on: dt.date | None
    pending_id: int | None           # the revision being worked on
    pending: str                     # its number
    pending_status: str
    review_months: int | None
    next_review_on: dt.date | None
    review_state: str                # core.documents.review_state
    origin: str
    in_force_id: int | None = None
    #: some signature of the revision in force or the pending one no longer holds
    invalid_signatures: bool = False

    @property
    def kind_text(self) -> str:
        return rules.KIND_TEXT.get(self.kind, self.kind)

    @property
    def status_text(self) -> str:
        text = rules.STATUS_TEXT.get(self.status, self.status)
        if self.pending and self.pending_status and self.status == "effective":
            text += f" · rev. {self.pending} {rules.STATUS_TEXT[self.pending_status].lower()}"
        return text

    @property
    def name(self) -> str:
        return " ".join(x for x in (self.number, self.title) if x)


@dataclass(slots=True)
class UserRow:
    id: int
    username: str
    full_name: str
    person_id: int | None
    rights: tuple[str, ...]
    is_admin: bool
    active: bool
    has_password: bool


# --------------------------------------------------------------------------- reading


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _doc_rows(conn, ids: Iterable[int] | None, today: dt.date) -> list[DocumentRow]:
    d = m.Document
    stmt = (select(d.id, d.number, d.title, d.kind, d.owner_id, m.Person.name, d.process_id,
                   m.Process.name, d.status, d.review_months, d.next_review_on, d.origin)
            .outerjoin(m.Person, m.Person.id == d.owner_id)
            .outerjoin(m.Process, m.Process.id == d.process_id)
            .order_by(d.number, d.id))
    if ids is not None:
        ids = list(ids)
        stmt = stmt.where(d.id.in_(ids))
    docs = conn.execute(stmt).all()
    doc_ids = [r[0] for r in docs]
    revs: dict[int, list] = {}
    if doc_ids:
        for r in conn.execute(select(m.Revision.id, m.Revision.document_id, m.Revision.number,
                                     m.Revision.status, m.Revision.effective_on,
                                     m.Revision.issued_on)
                              .where(m.Revision.document_id.in_(doc_ids))
                              .order_by(m.Revision.id)):
            revs.setdefault(r[1], []).append(r)
    out = []
    for (did, number, title, kind, owner_id, owner, pid, pname, status, months, nxt,
         origin) in docs:
        in_force = pending = None
        for r in revs.get(did, []):
            if r[3] == "effective":
                in_force = r
            elif r[3] in rules.PENDING:
                pending = r
        reg_status = status
        if in_force is not None:
            reg_status = "effective"
        elif pending is not None:
            reg_status = pending[3]
        elif revs.get(did):
            reg_status = "obsolete"
        out.append(DocumentRow(
            id=did, number=number, title=title, kind=kind, owner_id=owner_id, owner=owner or "",
            process_id=pid, process=pname or "", status=reg_status,
            revision=in_force[2] if in_force else "",
            effective_on=(in_force[4] or in_force[5]) if in_force else None,
            pending_id=pending[0] if pending else None, pending=pending[2] if pending else "",
            pending_status=pending[3] if pending else "", review_months=months,
            next_review_on=nxt, review_state=rules.review_state(nxt, today)
            if reg_status == "effective" else "",
            origin=origin or "", in_force_id=in_force[0] if in_force else None))
    if out:
        rids = [r.in_force_id for r in out if r.in_force_id] + [r.pending_id for r in out
                                                                 if r.pending_id]
        checks = _checks(conn, rids)
        bad = {rid for rid, states in checks.items() if any(not ok for ok, _ in states.values())}
        statuses = {rid: st for rid, st in conn.execute(
            select(m.Revision.id, m.Revision.status).where(m.Revision.id.in_(rids)))}
        bad |= {rid for rid, miss in _missing(conn, statuses).items() if miss}
        for r in out:
            r.invalid_signatures = bool({r.in_force_id, r.pending_id} & bad)
    return out


def _signed_in_app(conn, rids: Iterable[int]) -> set[int]:
    """Revisions the audit trail says were signed in the app (a bound signature was ever
    added to them), whatever became of those rows since."""
    wanted = set(rids)
    out: set[int] = set()
    if not wanted:
        return out
    e = m.AuditEvent
    for (new,) in conn.execute(select(e.new).where(e.entity == "signature",
                                                  e.op == "insert")):
        try:
            v = json.loads(new or "")
        except ValueError:
            continue
        if isinstance(v, dict) and v.get("entity") == "revision" and v.get("seal") \
                and v.get("record_id") in wanted:
            out.add(v["record_id"])
    return out


def _missing(conn, statuses: dict[int, str]) -> dict[int, list[str]]:
    """revision id → the meanings it should hold but does not (see ``core.documents``)."""
    if not statuses:
        return {}
    present: dict[int, set[str]] = {}
    for rid, meaning in conn.execute(select(m.Signature.record_id, m.Signature.meaning).where(
            m.Signature.entity == "revision", m.Signature.record_id.in_(list(statuses)))):
        present.setdefault(rid, set()).add(meaning)
    signed = _signed_in_app(conn, statuses)
    return {rid: rules.missing_signatures(st, present.get(rid, set()), rid in signed)
            for rid, st in statuses.items()}


def list_documents(ws: Workspace, today: dt.date | None = None) -> list[DocumentRow]:
    with ws.connect() as c:
        return _doc_rows(c, None, _today(today))


def get_documents(ws: Workspace, ids: Iterable[int], today: dt.date | None = None
                  ) -> list[DocumentRow]:
    with ws.connect() as c:
        return _doc_rows(c, ids, _today(today))


def get_document(ws: Workspace, doc_id: int) -> DocumentRow:
    rows = get_documents(ws, [doc_id])
    if not rows:
        raise RecordError("This document no longer exists.")
    return rows[0]


def find_document(ws: Workspace, ref: str) -> DocumentRow:
    """A document by id or by its exact number or title (case-insensitive)."""
    rows = list_documents(ws)
    key = ref.strip().casefold()
    for r in rows:
        if str(r.id) == ref.strip() or r.number.casefold() == key:
            return r
    hits = [r for r in rows if r.title.casefold() == key]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise RecordError(f"{len(hits)} documents are titled “{ref}”; give the number.")
    raise RecordError(f"There is no document “{ref}” (give its number, e.g. SOP-007).")


def _sections(conn, rid: int) -> list[SectionRow]:
    rows = conn.execute(select(m.DocumentSection.id, m.DocumentSection.key,
                               m.DocumentSection.title, m.DocumentSection.position,
                               m.DocumentSection.text, m.DocumentSection.generated)
                        .where(m.DocumentSection.revision_id == rid)
                        .order_by(m.DocumentSection.position, m.DocumentSection.id)).all()
    if rows:
        return [SectionRow(*r) for r in rows]
    doc = conn.execute(select(m.Document.purpose, m.Document.scope, m.Document.body)
                       .join(m.Revision, m.Revision.document_id == m.Document.id)
                       .where(m.Revision.id == rid)).first()
    if doc is None:
        return []
    legacy = [("purpose", doc[0]), ("scope", doc[1]), ("procedure", doc[2])]
    return [SectionRow(None, k, rules.SECTION_TITLES[k], i, t or "")
            for i, (k, t) in enumerate(legacy) if t]


def sections(ws: Workspace, revision_id: int) -> list[SectionRow]:
    with ws.connect() as c:
        return _sections(c, revision_id)


def _content(conn, rid: int) -> dict:
    rev = conn.execute(select(m.Revision.number, m.Revision.change_summary,
                              m.Revision.document_id).where(m.Revision.id == rid)).first()
    if rev is None:
        raise RecordError("This revision no longer exists.")
    files = sorted(conn.execute(select(m.Attachment.sha256).where(
        m.Attachment.entity == "revision", m.Attachment.record_id == rid)).scalars())
    return {"document": rev[2], "revision": rev[0], "change_summary": rev[1],
            "sections": [[s.key, s.title, s.text] for s in _sections(conn, rid)],
            "files": files}


def revision_hash(ws: Workspace, rid: int) -> str:
    """The hash a signature on revision ``rid`` is bound to, from its content now."""
    with ws.connect() as c:
        return sig.content_hash("revision", rid, _content(c, rid))


def _expected_seal(row) -> str:
    return sig.seal(entity=row.entity, record_id=row.record_id, meaning=row.meaning,
                    user=row.user, signer_name=row.signer_name, signed_at=row.signed_at,
                    record_hash=row.record_hash)


def _checks(conn, rids: Iterable[int]) -> dict[int, dict[int, tuple[bool, str]]]:
    """revision id → {signature id → (valid, reason)}."""
    rids = sorted(set(rids))
    out: dict[int, dict[int, tuple[bool, str]]] = {}
    if not rids:
        return out
    s = m.Signature
    rows = conn.execute(select(s.id, s.entity, s.record_id, s.meaning, s.user, s.signer_name,
                               s.signed_at, s.record_hash, s.seal)
                        .where(s.entity == "revision", s.record_id.in_(rids))).all()
    hashes: dict[int, str] = {}
    for row in rows:
        rid = row.record_id
        if rid not in hashes:
            try:
                hashes[rid] = sig.content_hash("revision", rid, _content(conn, rid))
            except RecordError:
                hashes[rid] = ""
        st = sig.signature_state(stored_hash=row.record_hash, current_hash=hashes[rid],
                                 stored_seal=row.seal, expected_seal=_expected_seal(row))
        out.setdefault(rid, {})[row.id] = (st.valid, st.reason)
    return out


def signature_checks(ws: Workspace, ids: Iterable[int] | None = None
                     ) -> dict[int, tuple[bool, str]]:
    """Signature id → (still valid, why not) for the signatures ``ids`` (all when None)."""
    with ws.connect() as c:
        stmt = select(m.Signature.record_id).where(m.Signature.entity == "revision")
        if ids is not None:
            stmt = stmt.where(m.Signature.id.in_(list(ids)))
        rids = set(c.execute(stmt).scalars())
        out: dict[int, tuple[bool, str]] = {}
        for per in _checks(c, rids).values():
            out.update(per)
        if ids is not None:
            want = set(ids)
            out = {k: v for k, v in out.items() if k in want}
        return out


def _signature_rows(conn, rids: list[int]) -> dict[int, list[SignatureRow]]:
    s = m.Signature
    checks = _checks(conn, rids)
    out: dict[int, list[SignatureRow]] = {}
    if not rids:
        return out
    for r in conn.execute(select(s.id, s.record_id, s.meaning, s.signer_name, s.user, s.user_id,
                                 s.signed_at, s.local_time)
                          .where(s.entity == "revision", s.record_id.in_(rids))
                          .order_by(s.signed_at, s.id)):
        ok, why = checks.get(r[1], {}).get(r[0], (False, ""))
        out.setdefault(r[1], []).append(SignatureRow(*r, valid=ok, problem=why))
    return out


def revisions(ws: Workspace, doc_id: int) -> list[RevisionRow]:
    """A document's revisions, newest first, with their signatures and whether they hold."""
    with ws.connect() as c:
        rows = c.execute(select(m.Revision.id, m.Revision.document_id, m.Revision.number,
                                m.Revision.status, m.Revision.issued_on, m.Revision.effective_on,
                                m.Revision.change_summary, m.Revision.author,
                                m.Revision.reviewer, m.Revision.approver)
                         .where(m.Revision.document_id == doc_id)
                         .order_by(m.Revision.id.desc())).all()
        sigs = _signature_rows(c, [r[0] for r in rows])
        missing = _missing(c, {r[0]: r[3] for r in rows})
    return [RevisionRow(*r, signatures=sigs.get(r[0], []), missing=missing.get(r[0], []))
            for r in rows]


def get_revision(ws: Workspace, rid: int) -> RevisionRow:
    with ws.connect() as c:
        did = c.execute(select(m.Revision.document_id).where(m.Revision.id == rid)).scalar()
    if did is None:
        raise RecordError("This revision no longer exists.")
    return next(r for r in revisions(ws, did) if r.id == rid)


# --------------------------------------------------------------------------- numbering


def numbering(ws: Workspace) -> tuple[str, dict[str, str]]:
    """The workspace's numbering scheme and prefix per kind."""
    with ws.connect() as c:
        text = c.execute(select(m.Setting.value).where(m.Setting.key == SCHEME_KEY)).scalar()
    scheme, prefixes = rules.DEFAULT_SCHEME, dict(rules.DEFAULT_PREFIXES)
    if text:
        try:
            data = json.loads(text)
            if isinstance(data.get("scheme"), str) and not rules.scheme_problem(data["scheme"]):
                scheme = data["scheme"]
            prefixes.update({k: str(v) for k, v in (data.get("prefixes") or {}).items()
                             if k in rules.KINDS})
        except (ValueError, AttributeError):
            pass
    return scheme, prefixes


def set_numbering(ws: Workspace, scheme: str, prefixes: dict[str, str] | None = None) -> Change:
    problem = rules.scheme_problem(scheme)
    if problem:
        raise RecordError(problem)
    pre = dict(rules.DEFAULT_PREFIXES)
    for k, v in (prefixes or {}).items():
        v = str(v).strip()
        if k not in rules.KINDS:
            raise RecordError(f"“{k}” is not a kind of document.")
        if not v or len(v) > 12 or any(ch.isspace() for ch in v):
            raise RecordError(f"The prefix for {rules.KIND_TEXT[k].lower()}s must be 1 to 12 "
                              "characters without spaces.")
        pre[k] = v
    value = json.dumps({"scheme": scheme, "prefixes": pre}, sort_keys=True)
    with ws.session() as s:
        row = s.scalars(select(m.Setting).where(m.Setting.key == SCHEME_KEY)).first()
        if row is None:
            s.add(m.Setting(key=SCHEME_KEY, value=value))
        elif row.value != value:
            row.value = value
    return Change.of(s)


def next_document_number(ws: Workspace, kind: str) -> str:
    scheme, prefixes = numbering(ws)
    with ws.connect() as c:
        used = list(c.execute(select(m.Document.number)).scalars())
    return rules.next_number(used, kind, scheme, prefixes)


# --------------------------------------------------------------------------- register edits

DOC_FIELDS = ("number", "title", "kind", "owner_id", "process_id", "review_months",
              "next_review_on", "origin")


def _clean_doc(s, values: dict[str, Any], doc_id: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k not in DOC_FIELDS:
            raise RecordError(f"A document has no field “{k}”.")
        if k in ("number", "title", "origin"):
            v = " ".join(str(v or "").split())
            if k == "title" and not v:
                raise RecordError("A document needs a title.")
            if k == "number":
                if not v:
                    raise RecordError("A document needs a number.")
                if len(v) > 40:
                    raise RecordError("A document number has at most 40 characters.")
                clash = s.execute(select(m.Document.id).where(
                    m.Document.number == v, m.Document.id != (doc_id or -1))).first()
                if clash is None:
                    clash = next((d for d in s.execute(select(m.Document.id, m.Document.number))
                                  if d[1].casefold() == v.casefold() and d[0] != doc_id), None)
                if clash is not None:
                    raise RecordError(f"Another document already has the number {v}.")
        elif k == "kind":
            if v not in rules.KINDS:
                raise RecordError(f"“{v}” is not a kind of document.")
        elif k in ("owner_id", "process_id"):
            if v in ("", None):
                v = None
            else:
                model = m.Person if k == "owner_id" else m.Process
                if s.get(model, int(v)) is None:
                    raise RecordError("The chosen owner or process no longer exists.")
                v = int(v)
        elif k == "review_months":
            if v in ("", None, 0):
                v = None
            else:
                try:
                    v = int(v)
                except (TypeError, ValueError):
                    raise RecordError("The review period is a number of months.") from None
                if not 1 <= v <= 120:
                    raise RecordError("The review period is 1 to 120 months.")
        elif k == "next_review_on":
            if v in ("", None):
                v = None
            elif isinstance(v, str):
                try:
                    v = dt.date.fromisoformat(v)
                except ValueError:
                    raise RecordError("The next review date is not a date.") from None
        out[k] = v
    return out


def _standard_sections(s, rid: int, kind: str) -> None:
    if kind not in SECTIONED:
        return
    for i, key in enumerate(rules.SECTION_KEYS):
        s.add(m.DocumentSection(revision_id=rid, key=key, title=rules.SECTION_TITLES[key],
                                position=i, text="", generated=""))


def _author_name(s, ws: Workspace) -> str:
    """The full name of the app user named like the computer's login; "" when there is none
    (never the login itself: the authored signature fills the name in)."""
    u = s.execute(select(m.AppUser.full_name).where(m.AppUser.username == ws.user)).scalar()
    return u or ""


def add_document(ws: Workspace, values: dict[str, Any], *, change_summary: str = "First issue."
                 ) -> Change:
    """A new document with its first draft revision (standard sections for procedures, work
    instructions, policies and manuals); a missing number follows the scheme. ``result`` is
    the document's id."""
    values = dict(values)
    kind = values.setdefault("kind", "procedure")
    if not str(values.get("number") or "").strip():
        values["number"] = next_document_number(ws, kind)
    with ws.session() as s:
        did = add_document_in(s, ws, values, change_summary=change_summary)
    return Change.of(s, result=did)


def add_document_in(s, ws: Workspace, values: dict[str, Any], *,
                    change_summary: str = "First issue.",
                    sections: Iterable[tuple[str, str, str]] | None = None) -> int:
    """:func:`add_document` inside the caller's unit of work ``s`` (a service that makes a
    document together with records of its own, in one transaction); ``values`` must hold the
    number (see :func:`next_document_number`). ``sections`` — (key, title, text) — replace the
    standard sections of the first draft. Returns the document's id."""
    values = dict(values)
    kind = values.setdefault("kind", "procedure")
    if kind in REVIEWABLE:
        values.setdefault("review_months", rules.DEFAULT_REVIEW_MONTHS)
    clean = _clean_doc(s, values, None)
    if "title" not in clean:
        raise RecordError("A document needs a title.")
    doc = m.Document(status="draft", current_revision="", **clean)
    s.add(doc)
    s.flush()
    rev = m.Revision(document_id=doc.id, number="A", status="draft",
                     change_summary=change_summary, author=_author_name(s, ws))
    s.add(rev)
    s.flush()
    if sections is None:
        _standard_sections(s, rev.id, kind)
    else:
        for i, (key, title, text) in enumerate(sections):
            s.add(m.DocumentSection(revision_id=rev.id, key=key, title=title, position=i,
                                    text=sig_clean(text), generated=""))
    return doc.id


def update_documents(ws: Workspace, ids: Iterable[int], values: dict[str, Any]) -> Change:
    """Change register fields of documents (number, title, kind, owner, process, review
    period, next review, origin). The text lives in revisions (:func:`edit_section`)."""
    ids = list(ids)
    with ws.session() as s:
        if "number" in values and len(ids) > 1:
            raise RecordError("Each document has its own number; change them one at a time.")
        for did in ids:
            doc = s.get(m.Document, did)
            if doc is None:
                raise RecordError("This document no longer exists.")
            for k, v in _clean_doc(s, values, did).items():
                setattr(doc, k, v)
    return Change.of(s)


def delete_documents(ws: Workspace, ids: Iterable[int]) -> Change:
    """Delete documents that never took effect (mistakes); a document that was in force is
    withdrawn instead (:func:`withdraw`), so its history stays."""
    with ws.session() as s:
        for did in ids:
            doc = s.get(m.Document, did)
            if doc is None:
                continue
            used = s.execute(select(m.Revision.number).where(
                m.Revision.document_id == did,
                m.Revision.status.in_(("effective", "obsolete", "approved")))).first()
            if used is not None:
                raise RecordError(f"{doc.number} has been approved or in force, so it stays on "
                                  "record; withdraw it to make it obsolete.")
            s.delete(doc)
    return Change.of(s)


# --------------------------------------------------------------------------- revisions & text


def _pending(s, doc_id: int) -> m.Revision | None:
    return s.scalars(select(m.Revision).where(m.Revision.document_id == doc_id,
                                              m.Revision.status.in_(rules.PENDING))
                     .order_by(m.Revision.id.desc())).first()


def _in_force(s, doc_id: int) -> m.Revision | None:
    return s.scalars(select(m.Revision).where(m.Revision.document_id == doc_id,
                                              m.Revision.status == "effective")
                     .order_by(m.Revision.id.desc())).first()


def _copy_sections(s, src_rid: int | None, dst_rid: int, kind: str) -> None:
    if src_rid is None:
        _standard_sections(s, dst_rid, kind)
        return
    rows = _sections(s.connection(), src_rid)
    if not rows:
        _standard_sections(s, dst_rid, kind)
        return
    for i, r in enumerate(rows):
        s.add(m.DocumentSection(revision_id=dst_rid, key=r.key, title=r.title, position=i,
                                text=r.text, generated=r.generated))


def _start_draft(s, ws: Workspace, doc: m.Document, summary: str = "") -> m.Revision:
    base = _in_force(s, doc.id) or s.scalars(
        select(m.Revision).where(m.Revision.document_id == doc.id)
        .order_by(m.Revision.id.desc())).first()
    numbers = list(s.execute(select(m.Revision.number).where(
        m.Revision.document_id == doc.id).order_by(m.Revision.id)).scalars())
    rev = m.Revision(document_id=doc.id, number=rules.next_revision_number(numbers),
                     status="draft", change_summary=summary, author=_author_name(s, ws))
    s.add(rev)
    s.flush()
    _copy_sections(s, base.id if base else None, rev.id, doc.kind)
    return rev


def start_revision(ws: Workspace, doc_id: int, change_summary: str = "") -> Change:
    """A new draft revision copying the text in force; ``result`` is its id. Refused while
    another revision is being worked on."""
    with ws.session() as s:
        doc = s.get(m.Document, doc_id)
        if doc is None:
            raise RecordError("This document no longer exists.")
        p = _pending(s, doc_id)
        if p is not None:
            raise RecordError(f"Revision {p.number} of {doc.number} is already "
                              f"{rules.STATUS_TEXT[p.status].lower()}; finish it first.")
        rid = _start_draft(s, ws, doc, change_summary).id
    return Change.of(s, result=rid)


def _draft_for_edit(s, ws: Workspace, doc_id: int) -> m.Revision:
    doc = s.get(m.Document, doc_id)
    if doc is None:
        raise RecordError("This document no longer exists.")
    p = _pending(s, doc_id)
    if p is None:
        if _in_force(s, doc_id) is None and s.execute(select(m.Revision.id).where(
                m.Revision.document_id == doc_id)).first() is not None and doc.status == "obsolete":
            raise RecordError(f"{doc.number} is withdrawn; it can no longer be changed.")
        return _start_draft(s, ws, doc)
    if p.status != "draft":
        raise RecordError(f"Revision {p.number} of {doc.number} is "
                          f"{rules.STATUS_TEXT[p.status].lower()}; return it to draft to change "
                          "it.")
    return p


def _materialise(s, rid: int) -> list[m.DocumentSection]:
    rows = s.scalars(select(m.DocumentSection).where(m.DocumentSection.revision_id == rid)
                     .order_by(m.DocumentSection.position, m.DocumentSection.id)).all()
    if rows:
        return list(rows)
    out = []
    for r in _sections(s.connection(), rid):
        sec = m.DocumentSection(revision_id=rid, key=r.key, title=r.title, position=r.position,
                                text=r.text, generated="")
        s.add(sec)
        out.append(sec)
    s.flush()
    return out


def edit_section(ws: Workspace, doc_id: int, key: str, text: str, *,
                 title: str | None = None) -> Change:
    """Set the text of section ``key`` of the document's draft — started from the revision in
    force when there is none (so editing an effective document starts a new revision). A key
    the draft lacks is added at the end. ``result`` is the draft's id."""
    text = sig_clean(text)
    with ws.session() as s:
        rev = _draft_for_edit(s, ws, doc_id)
        secs = _materialise(s, rev.id)
        hit = next((x for x in secs if x.key == key), None)
        if hit is None:
            hit = m.DocumentSection(revision_id=rev.id, key=key,
                                    title=title or rules.SECTION_TITLES.get(key, key),
                                    position=(max((x.position for x in secs), default=-1) + 1),
                                    text="", generated="")
            s.add(hit)
        if hit.text != text:
            hit.text = text
        if title is not None and title.strip() and hit.title != title.strip():
            hit.title = title.strip()[:200]
        rid = rev.id
    return Change.of(s, result=rid)


def add_section(ws: Workspace, doc_id: int, title: str) -> Change:
    """A section of the document's own after the others; ``result`` is its key."""
    title = " ".join(title.split())
    if not title:
        raise RecordError("A section needs a title.")
    with ws.session() as s:
        rev = _draft_for_edit(s, ws, doc_id)
        secs = _materialise(s, rev.id)
        n = 1
        keys = {x.key for x in secs}
        while f"custom-{n}" in keys:
            n += 1
        key = f"custom-{n}"
        s.add(m.DocumentSection(revision_id=rev.id, key=key, title=title[:200],
                                position=max((x.position for x in secs), default=-1) + 1,
                                text="", generated=""))
    return Change.of(s, result=key)


def remove_section(ws: Workspace, doc_id: int, key: str) -> Change:
    with ws.session() as s:
        rev = _draft_for_edit(s, ws, doc_id)
        for x in _materialise(s, rev.id):
            if x.key == key:
                s.delete(x)
    return Change.of(s)


def update_revision(ws: Workspace, rid: int, values: dict[str, Any]) -> Change:
    """Change a draft's number, change summary or author."""
    with ws.session() as s:
        rev = s.get(m.Revision, rid)
        if rev is None:
            raise RecordError("This revision no longer exists.")
        if rev.status != "draft":
            raise RecordError(f"Revision {rev.number} is {rules.STATUS_TEXT[rev.status].lower()};"
                              " only a draft can change.")
        for k, v in values.items():
            if k not in ("number", "change_summary", "author"):
                raise RecordError(f"A revision's “{k}” is not edited here.")
            v = str(v or "").strip()
            if k == "number":
                if not v or len(v) > 20:
                    raise RecordError("A revision number has 1 to 20 characters.")
                if s.execute(select(m.Revision.id).where(
                        m.Revision.document_id == rev.document_id, m.Revision.number == v,
                        m.Revision.id != rid)).first():
                    raise RecordError(f"This document already has a revision {v}.")
            setattr(rev, k, v)
    return Change.of(s)


def delete_revision(ws: Workspace, rid: int) -> Change:
    """Discard a draft (never a revision that was reviewed or in force)."""
    with ws.session() as s:
        rev = s.get(m.Revision, rid)
        if rev is None:
            raise RecordError("This revision no longer exists.")
        if rev.status != "draft":
            raise RecordError("Only a draft can be discarded.")
        others = s.execute(select(m.Revision.id).where(m.Revision.document_id == rev.document_id,
                                                       m.Revision.id != rid)).first()
        if others is None:
            raise RecordError("This is the document's only revision; delete the document "
                              "instead.")
        s.delete(rev)
    return Change.of(s)


def return_to_draft(ws: Workspace, rid: int, reason: str = "") -> Change:
    """Send a revision in review or approved back to draft. Its signatures stay on record and
    stop holding as soon as its content changes — a ``reason`` is added to its change summary,
    which is part of that content."""
    with ws.session() as s:
        rev = s.get(m.Revision, rid)
        if rev is None:
            raise RecordError("This revision no longer exists.")
        rev.status = rules.next_status(rev.status, "return")
        if reason.strip():
            rev.change_summary = (rev.change_summary + f"\nReturned to draft: {reason.strip()}"
                                  ).strip()
        _sync_document(s, rev.document_id)
    return Change.of(s)


def make_effective(ws: Workspace, rid: int, on: dt.date | None = None,
                   today: dt.date | None = None) -> Change:
    """Put an approved revision in force on ``on`` (today by default; not a later day); the
    revision in force before it becomes obsolete; the next review is set from the review
    period."""
    today = _today(today)
    on = on or today
    if on > today:
        raise RecordError("A revision takes effect today or on a past day; make it effective "
                          "on the day it applies.")
    with ws.session() as s:
        rev = s.get(m.Revision, rid)
        if rev is None:
            raise RecordError("This revision no longer exists.")
        new = rules.next_status(rev.status, "make_effective")
        old = _in_force(s, rev.document_id)
        if old is not None and (old.effective_on or old.issued_on) and \
                on < (old.effective_on or old.issued_on):
            raise RecordError(f"Revision {old.number} took effect on "
                              f"{(old.effective_on or old.issued_on).isoformat()}; the new one "
                              "cannot take effect before it.")
        if old is not None:
            old.status = rules.next_status(old.status, "supersede")
        rev.status = new
        rev.effective_on = on
        if rev.issued_on is None:
            rev.issued_on = on
        doc = s.get(m.Document, rev.document_id)
        nxt = rules.next_review(on, doc.review_months)
        if doc.next_review_on != nxt:
            doc.next_review_on = nxt
        _sync_document(s, rev.document_id)
    return Change.of(s)


def withdraw(ws: Workspace, doc_id: int) -> Change:
    """Make a document obsolete: its revision in force stops being in force."""
    with ws.session() as s:
        doc = s.get(m.Document, doc_id)
        if doc is None:
            raise RecordError("This document no longer exists.")
        cur = _in_force(s, doc_id)
        if cur is None:
            raise RecordError(f"{doc.number} has no revision in force to withdraw.")
        p = _pending(s, doc_id)
        if p is not None:
            raise RecordError(f"Revision {p.number} is {rules.STATUS_TEXT[p.status].lower()}; "
                              "discard or finish it first.")
        cur.status = rules.next_status("effective", "withdraw")
        doc.next_review_on = None
        _sync_document(s, doc_id)
        doc.status = "obsolete"
    return Change.of(s)


def mark_reviewed(ws: Workspace, doc_id: int, today: dt.date | None = None) -> Change:
    """Record a periodic review that changed nothing: the next review moves on one period."""
    today = _today(today)
    with ws.session() as s:
        doc = s.get(m.Document, doc_id)
        if doc is None:
            raise RecordError("This document no longer exists.")
        if _in_force(s, doc_id) is None:
            raise RecordError(f"{doc.number} has no revision in force to review.")
        doc.next_review_on = rules.next_review(today, doc.review_months or
                                               rules.DEFAULT_REVIEW_MONTHS)
    return Change.of(s)


def _sync_document(s, doc_id: int) -> None:
    """Keep the document row's status and revision in force in step with its revisions."""
    s.flush()
    doc = s.get(m.Document, doc_id)
    cur = _in_force(s, doc_id)
    p = _pending(s, doc_id)
    status = "effective" if cur else (p.status if p else "obsolete")
    number = cur.number if cur else ""
    if doc.status != status:
        doc.status = status
    if doc.current_revision != number:
        doc.current_revision = number


def sig_clean(text: str) -> str:
    """Text as stored: no control characters but tab and newline, newlines normalised."""
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)


# --------------------------------------------------------------------------- users


def _user_row(u) -> UserRow:
    return UserRow(u.id, u.username, u.full_name, u.person_id,
                   tuple(x for x in u.rights.split(",") if x), bool(u.is_admin), bool(u.active),
                   bool(u.password_hash))


def list_users(ws: Workspace) -> list[UserRow]:
    with ws.connect() as c:
        return [_user_row(u) for u in c.execute(select(m.AppUser.__table__)
                                                .order_by(m.AppUser.username))]


def has_users(ws: Workspace) -> bool:
    with ws.connect() as c:
        return c.execute(select(m.AppUser.id)).first() is not None


def _check_admin(s, admin: tuple[str, str] | None) -> None:
    if admin is None:
        raise SigningError("An administrator must confirm with their password.")
    u = s.scalars(select(m.AppUser).where(m.AppUser.username == admin[0])).first()
    if u is None or not u.active or not u.is_admin or not sig.check_password(admin[1],
                                                                           u.password_hash):
        raise SigningError("The administrator's user name or password is wrong.")


def _rights(rights: Iterable[str]) -> str:
    out = []
    for r in rights:
        if r not in sig.MEANINGS:
            raise RecordError(f"“{r}” is not a signing right.")
        if r not in out:
            out.append(r)
    return ",".join(x for x in sig.MEANINGS if x in out)


def add_user(ws: Workspace, username: str, full_name: str, password: str, *,
             rights: Iterable[str] = sig.MEANINGS, is_admin: bool = False,
             person_id: int | None = None, admin: tuple[str, str] | None = None) -> Change:
    """A signing user. The workspace's first user is its administrator and needs no
    confirmation; every later one needs an administrator's user name and password."""
    username = username.strip()
    full_name = " ".join(full_name.split())
    if not username or len(username) > 120 or any(ch.isspace() for ch in username):
        raise RecordError("A user name has 1 to 120 characters and no spaces.")
    if not full_name:
        raise RecordError("Give the user's full name as it should appear on signatures.")
    problem = sig.password_problem(password, username=username)
    if problem:
        raise RecordError(problem)
    pw = sig.hash_password(password)
    with ws.session() as s:
        first = s.execute(select(m.AppUser.id)).first() is None
        if not first:
            _check_admin(s, admin)
        if any(u.casefold() == username.casefold()
               for u in s.execute(select(m.AppUser.username)).scalars()):
            raise RecordError(f"There is already a user {username}.")
        if person_id is not None and s.get(m.Person, person_id) is None:
            raise RecordError("The chosen person no longer exists.")
        u = m.AppUser(username=username, full_name=full_name, person_id=person_id,
                      password_hash=pw, rights=_rights(rights), is_admin=is_admin or first,
                      active=True)
        s.add(u)
        s.flush()
        uid = u.id
    return Change.of(s, result=uid)


def update_user(ws: Workspace, uid: int, values: dict[str, Any], *,
                admin: tuple[str, str]) -> Change:
    """Change a user's full name, rights, administrator flag or active flag (an administrator
    confirms). The last active administrator stays one."""
    with ws.session() as s:
        _check_admin(s, admin)
        u = s.get(m.AppUser, uid)
        if u is None:
            raise RecordError("This user no longer exists.")
        for k, v in values.items():
            if k == "full_name":
                v = " ".join(str(v).split())
                if not v:
                    raise RecordError("Give the user's full name.")
                u.full_name = v
            elif k == "rights":
                u.rights = _rights(v)
            elif k in ("is_admin", "active"):
                setattr(u, k, bool(v))
            elif k == "person_id":
                u.person_id = v
            else:
                raise RecordError(f"A user's “{k}” is not edited here.")
        s.flush()
        if s.execute(select(m.AppUser.id).where(m.AppUser.is_admin.is_(True),
                                                m.AppUser.active.is_(True))).first() is None:
            raise RecordError("The workspace needs at least one active administrator.")
    return Change.of(s)


def set_password(ws: Workspace, uid: int, new_password: str, *, old_password: str | None = None,
                 admin: tuple[str, str] | None = None) -> Change:
    """A user changes their own password (with the old one) or an administrator resets it."""
    with ws.session() as s:
        u = s.get(m.AppUser, uid)
        if u is None:
            raise RecordError("This user no longer exists.")
        if old_password is not None:
            if not sig.check_password(old_password, u.password_hash):
                raise SigningError("The current password is wrong.")
        else:
            _check_admin(s, admin)
        problem = sig.password_problem(new_password, username=u.username)
        if problem:
            raise RecordError(problem)
        u.password_hash = sig.hash_password(new_password)
    return Change.of(s)


def authenticate(ws: Workspace, username: str, password: str) -> UserRow:
    """The user when the password is right, else :class:`SigningError`."""
    with ws.connect() as c:
        u = c.execute(select(m.AppUser.__table__).where(
            m.AppUser.username == username.strip())).first()
    if u is None or not sig.check_password(password, u.password_hash):
        raise SigningError("The user name or password is wrong.")
    if not u.active:
        raise SigningError(f"The account {u.username} is inactive.")
    return _user_row(u)


def default_username(ws: Workspace) -> str:
    """The signing user to suggest: the one named like the computer's user, else the only one."""
    users = [u for u in list_users(ws) if u.active]
    for u in users:
        if u.username.casefold() == ws.user.casefold():
            return u.username
    return users[0].username if len(users) == 1 else ""


# --------------------------------------------------------------------------- signing


def signing_blocker(ws: Workspace, rid: int, meaning: str) -> str:
    """Why no signing user can sign revision ``rid`` as ``meaning`` — asked before any password
    (see :func:`core.documents.nobody_can_sign`); "" when someone can."""
    with ws.connect() as conn:
        rev = conn.execute(select(m.Revision.status).where(m.Revision.id == rid)).first()
        if rev is None:
            return "This revision no longer exists."
        checks = _checks(conn, [rid]).get(rid, {})
        signed = [rules.Signed(r.meaning, r.user) for r in conn.execute(
            select(m.Signature.id, m.Signature.meaning, m.Signature.user).where(
                m.Signature.entity == "revision", m.Signature.record_id == rid))
            if checks.get(r.id, (False, ""))[0]]
    signers = [rules.Signer(u.username, u.full_name, u.rights, u.active)
               for u in list_users(ws)]
    return rules.nobody_can_sign(meaning=meaning, status=rev.status, signed=signed,
                                 signers=signers)


def sign(ws: Workspace, rid: int, meaning: str, username: str, password: str, *,
         now: dt.datetime | None = None, local: dt.datetime | None = None) -> Change:
    """Sign revision ``rid`` as ``meaning`` after checking the password again.

    *authored* submits the draft for review, *reviewed* records the reviewer, *approved*
    approves it (issued on that day). ``result`` is the signature's id."""
    if meaning not in sig.MEANINGS:
        raise SigningError(f"“{meaning}” is not a meaning of a signature.")
    if ws.read_only:
        raise SigningError("The workspace is open read-only, so nothing can be signed.")
    user = authenticate(ws, username, password)
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(
        tzinfo=None, microsecond=0)
    with ws.session() as s:
        rev = s.get(m.Revision, rid)
        if rev is None:
            raise SigningError("This revision no longer exists.")
        conn = s.connection()
        current = sig.content_hash("revision", rid, _content(conn, rid))
        checks = _checks(conn, [rid]).get(rid, {})
        signed = [rules.Signed(r.meaning, r.user) for r in s.scalars(
            select(m.Signature).where(m.Signature.entity == "revision",
                                      m.Signature.record_id == rid))
            if checks.get(r.id, (False, ""))[0]]
        problem = rules.signing_problem(meaning=meaning, status=rev.status, user=user.username,
                                        rights=user.rights, active=user.active, signed=signed,
                                        name=user.full_name)
        if problem:
            raise SigningError(problem)
        if meaning == "authored":
            sections = _sections(conn, rid)
            if not any(x.text.strip() for x in sections) and s.execute(select(
                    m.Attachment.id).where(m.Attachment.entity == "revision",
                                           m.Attachment.record_id == rid)).first() is None:
                raise SigningError("This draft has no text and no source file; write it "
                                   "before submitting it for review.")
        row = m.Signature(entity="revision", record_id=rid, meaning=meaning,
                          signer_name=user.full_name, user=user.username, user_id=user.id,
                          signed_at=now, record_hash=current,
                          local_time=sig.local_time_text(now, local))
        row.seal = _expected_seal(row)
        s.add(row)
        if meaning == "authored":
            rev.status = rules.next_status(rev.status, "submit")
            rev.author = user.full_name
        elif meaning == "reviewed":
            rev.reviewer = user.full_name
        else:
            rev.status = rules.next_status(rev.status, "approve")
            rev.approver = user.full_name
            rev.issued_on = now.date()
        _sync_document(s, rev.document_id)
        s.flush()
        sid = row.id
    return Change.of(s, result=sid)


# --------------------------------------------------------------------------- generation


def generate_preview(ws: Workspace, doc_id: int):
    """What regenerating the document's sections from its process map would do, section by
    section (``core.procedure_merge``), without writing anything."""
    from ..core.procedure_merge import merge_regenerated
    from .procedure_gen import generate_sections

    doc = get_document(ws, doc_id)
    if doc.process_id is None:
        raise RecordError(f"{doc.number} is not linked to a process; choose its process first.")
    fresh = generate_sections(ws, doc.process_id)
    rid = doc.pending_id or doc.in_force_id
    current = sections(ws, rid) if rid else []
    return merge_regenerated([(x.key, x.text, x.generated) for x in current], fresh)


def apply_generated(ws: Workspace, doc_id: int, chosen: dict[str, tuple[str, str]]) -> Change:
    """Write generated sections into the document's draft (started if needed): ``chosen`` maps
    a section key to (text to keep, generated text to remember as the new baseline)."""
    with ws.session() as s:
        rev = _draft_for_edit(s, ws, doc_id)
        secs = {x.key: x for x in _materialise(s, rev.id)}
        pos = max((x.position for x in secs.values()), default=-1) + 1
        for key, (text, generated) in chosen.items():
            x = secs.get(key)
            if x is None:
                x = m.DocumentSection(revision_id=rev.id, key=key,
                                      title=rules.SECTION_TITLES.get(key, key),
                                      position=rules.SECTION_KEYS.index(key)
                                      if key in rules.SECTION_KEYS else pos, text="",
                                      generated="")
                pos += 1
                s.add(x)
            text, generated = sig_clean(text), sig_clean(generated)
            if x.text != text:
                x.text = text
            if x.generated != generated:
                x.generated = generated
        rid = rev.id
    return Change.of(s, result=rid)


# --------------------------------------------------------------------------- export data


def procedure_export_data(ws: Workspace, doc_id: int, revision_id: int | None = None, *,
                          map_png: Callable[[int], bytes | None] | None = None,
                          now: dt.datetime | None = None):
    """Everything the Word export of one document shows (``exports.procedure_model``): the
    revision in force (or ``revision_id``; else the one being worked on), its signatures with
    their state, history, sections, the process map image (``map_png(process_id)``), linked
    risks, required training, records kept and the audit head."""
    from .exports import procedure_model as pm

    doc = get_document(ws, doc_id)
    revs = revisions(ws, doc_id)
    if not revs:
        raise RecordError(f"{doc.number} has no revision to export.")
    rid = revision_id or doc.in_force_id or doc.pending_id or revs[0].id
    rev = next((r for r in revs if r.id == rid), None)
    if rev is None:
        raise RecordError("That revision does not belong to this document.")
    secs = sections(ws, rev.id)
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    effective_on = rev.effective_on or (rev.issued_on if rev.status in (
        "effective", "obsolete") else None)
    with ws.connect() as c:
        org = c.execute(select(m.Organization.name)).scalar() or ""
        head = c.execute(select(m.AuditEvent.id, m.AuditEvent.hash)
                         .order_by(m.AuditEvent.id.desc()).limit(1)).first()
        changed = None
        if doc.process_id is not None and effective_on is not None:
            changed = _map_changed_after(c, doc.process_id, rev.id, effective_on)
    risks_out, training_out, records_out = [], [], []
    if doc.process_id is not None:
        risks_out, training_out, records_out = _process_lines(ws, doc.process_id, pm)
    png = None
    if map_png is not None and doc.process_id is not None:
        png = map_png(doc.process_id)
    # a copy of a revision shows the revisions up to it, never the drafts that came later
    upto = revs[next(k for k, r in enumerate(revs) if r.id == rev.id):]
    return pm.ProcedureExport(
        number=doc.number, title=doc.title, kind=doc.kind, revision=rev.number,
        status=rev.status, effective_on=effective_on,
        owner=doc.owner, process=doc.process, organization=org,
        next_review_on=doc.next_review_on,
        sections=[pm.Section(x.key, x.title, x.text) for x in secs],
        signatures=[pm.SignatureLine(x.meaning, x.signer_name, x.user, x.signed_at,
                                     x.local_time, x.valid, x.problem)
                    for x in rev.signatures] + [
            pm.SignatureLine(meaning, "—", "", None, "", False,
                             rules.MISSING_TEXT[meaning] + ": it was removed outside the app.")
            for meaning in rev.missing],
        history=[pm.RevisionLine(r.number, r.status, r.issued_on, r.effective_on,
                                 r.change_summary, r.author, r.reviewer, r.approver)
                 for r in reversed(upto)],
        map_png=png, map_caption=doc.process if png else "",
        risks=risks_out, training=training_out, records=records_out,
        audit_head=head[1] if head else "", audit_event=head[0] if head else 0,
        exported_at=now.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0),
        exported_by=ws.user, as_of=now.astimezone().date(),
        map_changed_on=changed)


#: the tables whose rows make up a process map (with the process row itself)
_MAP_ENTITIES = ("process_node", "process_edge", "process_lane")


def _map_changed_after(conn, process_id: int, rid: int, effective_on: dt.date) -> dt.date | None:
    """The day of the last audited change to the process map after revision ``rid`` took
    effect (the process row, its current lanes, shapes and connectors, and any of them
    deleted since), else None. "After" is after the audit event that made the revision
    effective (a revision recorded as effective with an earlier date was approved over the
    map as it then stood) and not before its effective day; a revision that was entered as
    effective (registered files) counts from the day after its effective day."""
    from sqlalchemy import func as sa_func

    ae = m.AuditEvent
    made = conn.execute(select(sa_func.max(ae.id)).where(
        ae.entity == "revision", ae.record_id == rid, ae.field == "status",
        ae.new == json.dumps("effective"))).scalar()
    if made:   # after the event that made it effective, and not before its effective day
        after = (ae.id > made, ae.at >= effective_on.isoformat())
    else:      # entered as effective (registered files): after its effective day
        after = (ae.at >= (effective_on + dt.timedelta(days=1)).isoformat(),)
    ids = {"process": [process_id]}
    for entity, model in zip(_MAP_ENTITIES, (m.ProcessNode, m.ProcessEdge, m.ProcessLane)):
        ids[entity] = list(conn.execute(select(model.id).where(
            model.process_id == process_id)).scalars())
    times = [conn.execute(select(sa_func.max(ae.at)).where(
        ae.entity.in_(_MAP_ENTITIES), ae.op == "delete", *after,
        sa_func.json_extract(ae.old, "$.process_id") == process_id)).scalar()]
    for entity, wanted in ids.items():
        for k in range(0, len(wanted), 500):
            times.append(conn.execute(select(sa_func.max(ae.at)).where(
                ae.entity == entity, ae.record_id.in_(wanted[k:k + 500]), *after)).scalar())
    last = max((t for t in times if t), default=None)
    if last is None:
        return None
    when = dt.datetime.fromisoformat(last.replace("Z", "+00:00"))
    return when.astimezone().date()


def _rating(level: str, score: int | None, rpn: int | None, ap: str) -> str:
    parts = []
    if score is not None:
        parts.append(f"{score} {level.capitalize()}".strip())
    elif level:
        parts.append(level.capitalize())
    if rpn is not None:
        parts.append(f"RPN {rpn}" + (f" · AP {ap}" if ap else ""))
    return " · ".join(parts)


def _process_lines(ws: Workspace, process_id: int, pm) -> tuple[list, list, list]:
    """Risks (open ones on the process or its steps), required training (courses of the
    map's roles and of the procedures its steps use) and records (record shapes and forms
    linked as records) — read the way the generated text reads them (``procedure_gen``)."""
    from .procedure_gen import load_source

    all_risks = _all_risks(ws)
    src = load_source(ws, process_id, risk_rows=all_risks)
    wanted = {x.id for x in src.risks}
    by_id = {r.id: r for r in all_risks if r.id in wanted}
    risks_out = []
    for x in src.risks:
        r = by_id.get(x.id)
        if r is None:
            continue
        risks_out.append(pm.RiskLine(
            ref=r.ref, title=r.title, kind=r.kind,
            rating=_rating(r.inherent_level, r.inherent_score, r.rpn, r.ap) or x.rating,
            residual=_rating(r.residual_level, r.residual_score, None, ""),
            treatment=r.treatment or r.controls or ""))
    lane_roles = {n.get("role_id") for n in src.map.nodes if n.get("role_id")}
    lane_roles |= {ln.get("role_id") for ln in src.map.lanes if ln.get("role_id")}
    courses: dict[int, tuple[object, set[str]]] = {}
    used_docs = {d.id for links in src.links.values() for d, _k in links}
    for rid in sorted(x for x in lane_roles if x):
        for course in src.role_courses.get(rid, []):
            if course.document_id is not None and course.document_id not in used_docs:
                continue  # training on another procedure: that procedure names it
            courses.setdefault(course.id, (course, set()))[1].add(src.roles.get(rid, ""))
    for links in src.links.values():
        for doc_ref, _kind in links:
            for course in src.doc_courses.get(doc_ref.id, []):
                courses.setdefault(course.id, (course, set()))
    validity = {}
    if courses:
        with ws.connect() as c:
            validity = dict(c.execute(select(m.Course.id, m.Course.validity_months)
                                      .where(m.Course.id.in_(list(courses)))).all())
    training_out = [pm.TrainingLine(
        course=" ".join(x for x in (course.code, course.title) if x),
        roles=", ".join(sorted(r for r in roles if r)) or "everyone who uses the procedure",
        validity=f"{validity[course.id]} months" if validity.get(course.id) else "once")
        for course, roles in sorted(courses.values(), key=lambda t: (t[0].code, t[0].title))]
    records_out: list[str] = []
    for n in src.map.nodes:
        linked = src.links.get(n["id"], [])
        if n.get("kind") == "record" or any(k == "record" for _d, k in linked) or (
                n.get("kind") == "document" and any(d.kind in ("form", "record")
                                                    for d, _k in linked)):
            names = [" ".join(x for x in (d.number, d.title) if x) for d, _k in linked]
            text = n.get("name") or ""
            if names:
                text = f"{text} ({', '.join(names)})" if text else ", ".join(names)
            if text and text not in records_out:
                records_out.append(text)
    return risks_out, training_out, records_out


#: the register as last read, with the workspace and audit head it was read at: a manual of
#: 400 procedures reads 5,000 risks once, not 800 times
_RISKS_READ: dict[str, tuple] = {}


def _all_risks(ws: Workspace) -> list:
    from sqlalchemy import func

    from . import risks as risk_service

    with ws.connect() as c:
        head = c.execute(select(func.max(m.AuditEvent.id))).scalar() or 0
    key = (id(ws), str(ws.path), head)
    got = _RISKS_READ.get("rows")
    if got is not None and got[0] == key:
        return got[1]
    rows = risk_service.list_risks(ws)
    _RISKS_READ["rows"] = (key, rows)
    return rows


# --------------------------------------------------------------------------- registering files


def register_files(ws: Workspace, paths: Iterable[str | Path], *, import_sections: bool = True,
                   skip: Iterable[str] = (), kind: str | None = None,
                   owner_id: int | None = None, process_id: int | None = None,
                   today: dt.date | None = None) -> Change:
    """Register existing Word files as controlled documents, all or nothing.

    Each file becomes a document whose revision (read from the file, else "A") is in force
    from ``today`` — it was approved outside the app, which its change summary says — keeps
    the file as its source and, with ``import_sections``, takes the file's headings as
    sections. Files named in ``skip`` are left out. A file that cannot be read, or whose
    number is already registered, refuses the whole registration with every reason.
    ``result`` is the new documents' ids in file order."""
    from . import attachments
    from .imports.docx_procedure import read_procedure

    today = _today(today)
    skip = set(skip)
    items, problems = [], []
    for p in paths:
        p = Path(p)
        if p.name in skip:
            continue
        try:
            info = read_procedure(p)
            _shown, data = attachments._read_source(p, None, attachments.DEFAULT_MAX_BYTES)
        except (ValueError, OSError) as e:
            problems.append(f"{p.name}: {e}")
            continue
        items.append((p, info, data))
    if not items and not problems:
        raise RecordError("There is no Word file to register.")
    with ws.session() as s:
        used = {n.casefold() for n in s.execute(select(m.Document.number)).scalars()}
        scheme, prefixes = numbering(ws)
        # the same file registered before (its content is some revision's source)
        known = {sha: (num, rev) for sha, num, rev in s.execute(
            select(m.Attachment.sha256, m.Document.number, m.Revision.number)
            .join(m.Revision, m.Revision.id == m.Attachment.record_id)
            .join(m.Document, m.Document.id == m.Revision.document_id)
            .where(m.Attachment.entity == "revision"))}
        seen: dict[str, str] = {}
        for p, info, data in items:
            number = (info.number or "").strip()[:40]
            digest = hashlib.sha256(data).hexdigest()
            if digest in known:
                num, rev = known[digest]
                problems.append(f"{p.name}: this file is already registered as {num} rev. {rev}")
            elif digest in seen:
                problems.append(f"{p.name}: the same file as {seen[digest]}")
            elif number and number.casefold() in used:
                problems.append(f"{p.name}: the number {number} is already registered")
            elif number:
                used.add(number.casefold())
            seen.setdefault(digest, p.name)
        if problems:
            raise RecordError("Nothing was registered. " + "; ".join(problems)
                              + ". Leave these files out to register the others.")
        ids = []
        for p, info, data in items:
            k = kind or (info.kind if info.kind in rules.KINDS else "procedure")
            number = (info.number or "").strip()[:40]
            if not number:
                number = rules.next_number(list(used), k, scheme, prefixes)
                used.add(number.casefold())
            doc = m.Document(number=number, title=" ".join((info.title or p.stem).split())[:500],
                             kind=k, owner_id=owner_id, process_id=process_id,
                             status="effective", current_revision="",
                             review_months=rules.DEFAULT_REVIEW_MONTHS if k in REVIEWABLE
                             else None)
            s.add(doc)
            s.flush()
            rev = m.Revision(document_id=doc.id, number=(info.revision or "A").strip()[:20] or "A",
                             status="effective", issued_on=today, effective_on=today,
                             change_summary=f"Registered from {p.name}; approved outside "
                                            "QMS Workbench.",
                             author=_author_name(s, ws))
            s.add(rev)
            s.flush()
            if import_sections:
                for i, (key, title, text) in enumerate(info.sections):
                    s.add(m.DocumentSection(revision_id=rev.id, key=key, title=title[:200],
                                            position=i, text=sig_clean(text), generated=""))
            attachments.add_in(s, ws, "revision", rev.id, p.name, data)
            doc.next_review_on = rules.next_review(today, doc.review_months)
            _sync_document(s, doc.id)
            ids.append(doc.id)
    return Change.of(s, result=ids)
