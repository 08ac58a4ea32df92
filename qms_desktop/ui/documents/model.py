"""The document register, declared with the table kit: its columns, its filters and its edit line.

The rows are ``services.documents.DocumentRow``; the status column shows the revision being
worked on beside the one in force (``DocumentRow.status_text``), the next review says "overdue"
in words as well as colour and a clock symbol, and the Signatures column says in words whether
the signatures of the revision in force and of the one being worked on hold ("✓ valid",
"✗ not valid" with a colour, "— none yet"): never blank, which would read as "unsigned".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication

from ..table import CHOICE, COMBO, DATE, NONE, TEXT, Column, FilterProxy, Item, RowModel, \
    equals, flag, format_date, linked_ids, natural
from ..table.marks import Marks, late_tip

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("documents", text)


def kind_items() -> list[Item]:
    from ...core.documents import KINDS

    words = {"procedure": tr("Procedure"), "work_instruction": tr("Work instruction"),
             "form": tr("Form"), "policy": tr("Policy"), "manual": tr("Manual"),
             "record": tr("Records list"), "external": tr("External document")}
    return [(words.get(k, k), k, "") for k in KINDS]


def status_words() -> dict[str, str]:
    return {"draft": tr("Draft"), "in_review": tr("In review"), "approved": tr("Approved"),
            "effective": tr("Effective"), "obsolete": tr("Obsolete")}


def meaning_words() -> dict[str, str]:
    return {"authored": tr("Authored"), "reviewed": tr("Reviewed"), "approved": tr("Approved")}


def meaning_sentence(meaning: str) -> str:
    """What a signature with ``meaning`` says, in words (shown before signing)."""
    return {"authored": tr("I wrote this revision and submit it for review."),
            "reviewed": tr("I reviewed this revision and found it fit for approval."),
            "approved": tr("I approve this revision for use.")}.get(meaning, meaning)


def status_text(r) -> str:
    """The register status in the user's language, with the revision being worked on."""
    words = status_words()
    text = words.get(r.status, r.status)
    if r.pending and r.pending_status and r.status == "effective":
        text = tr("{status} · rev. {rev} {pending}").format(
            status=text, rev=r.pending, pending=words.get(r.pending_status,
                                                          r.pending_status).lower())
    return text


def review_text(r) -> str:
    date = format_date(r.next_review_on)
    if r.review_state == "overdue":
        return tr("{date} · overdue").format(date=date)
    if r.review_state == "due_soon":
        return tr("{date} · due soon").format(date=date)
    return date


def review_tip(r) -> str | None:
    if r.review_state == "overdue":
        return late_tip(lambda _r: True, lambda x: x.next_review_on)(r)
    if r.review_state == "due_soon":
        return tr("The periodic review is due within 30 days.")
    if r.next_review_on is None and r.status == "effective":
        return tr("No periodic review is planned (no review period).")
    return None


def signature_state(r, signed: Callable[[Any], bool] = lambda r: True) -> str:
    """"invalid" (a signature no longer holds), "valid" (every signature holds) or "none" (the
    revision in force and the one being worked on have no signatures); ``signed(row)`` tells
    whether they have any."""
    if r.invalid_signatures:
        return "invalid"
    return "valid" if signed(r) else "none"


def signatures_text(r, signed: Callable[[Any], bool] = lambda r: True) -> str:
    """The Signatures cell in words: blank would read as "unsigned"."""
    state = signature_state(r, signed)
    if state == "none" and getattr(r, "status", "") in ("effective", "obsolete"):
        return tr("— approved outside")  # registered or approved on paper, not e-signed
    return {"invalid": tr("✗ not valid"), "valid": tr("✓ valid"),
            "none": tr("— none yet")}[state]


def signatures_tip(r, signed: Callable[[Any], bool] = lambda r: True) -> str | None:
    state = signature_state(r, signed)
    if state == "valid":
        return tr("Every signature of the revision in force and of the one being worked on "
                  "holds. See the Revisions tab.")
    if state == "none":
        return tr("The revision in force and the one being worked on have no electronic "
                  "signatures yet (a document approved on paper before e-signatures shows "
                  "this too).")
    return tr("A signature of the revision in force or of the one being worked on no longer "
              "holds (its content changed after signing, or the signature record was "
              "altered). See the Revisions tab.")


class _Sample:
    next_review_on = dt.date(2026, 12, 31)
    review_state = "overdue"


def columns(people: Callable[[], list[Item]],
            processes: Callable[[], list[Item]],
            signed: Callable[[Any], bool] = lambda r: True) -> tuple[Column, ...]:
    """The register's columns; ``signed(row)``: whether the document's revision in force or
    the one being worked on has any signature (for the Signatures column)."""
    kind_label = {v: label for label, v, _t in kind_items()}
    overdue = lambda r: r.review_state == "overdue"  # noqa: E731
    return (
        Column("number", tr("Number"), editor=TEXT, sort=lambda r: natural(r.number),
               searchable=True, samples=lambda: ["SOP-000", "POL-000"]),
        Column("title", tr("Title"), editor=TEXT, searchable=True, width=250,
               tip=lambda r: r.title or None),
        Column("kind", tr("Kind"), editor=CHOICE, items=lambda r: kind_items(),
               display=lambda r: kind_label.get(r.kind, r.kind), searchable=True,
               samples=lambda: [tr("Work instruction")]),
        Column("owner_id", tr("Owner"), editor=COMBO, items=lambda r: people(),
               display=lambda r: r.owner, sort=lambda r: r.owner.casefold() or None,
               searchable=True, width=120),
        Column("process_id", tr("Process"), editor=COMBO, items=lambda r: processes(),
               display=lambda r: r.process, sort=lambda r: r.process.casefold() or None,
               searchable=True, width=150, visible=False),
        Column("status", tr("Status"), display=status_text, searchable=True,
               tooltip=tr("The status of the revision in force, and of a revision being "
                          "worked on"),
               samples=lambda: [tr("Effective · rev. B in review")]),
        Column("revision", tr("Rev."), display=lambda r: r.revision or "—",
               sort=lambda r: natural(r.revision) if r.revision else None,
               tooltip=tr("The revision in force"), samples=lambda: ["AA"]),
        Column("effective_on", tr("Effective"), display=lambda r: format_date(r.effective_on),
               tooltip=tr("The day the revision in force took effect"),
               samples=lambda: [format_date(dt.date(2026, 12, 31))]),
        Column("review_months", tr("Review every"), editor=TEXT,
               display=lambda r: tr("{n} months").format(n=r.review_months)
               if r.review_months else "",
               tooltip=tr("The review period in months (empty: no periodic review)"),
               visible=False),
        Column("next_review_on", tr("Next review"), editor=DATE, display=review_text,
               tip=review_tip, spoken=review_text,
               colour=lambda r, pal: (None, pal.overdue if overdue(r) else None),
               symbol=lambda r, pal: pal.overdue_icon if overdue(r) else None, icon=True,
               samples=lambda: [review_text(_Sample())]),
        Column("invalid_signatures", tr("Signatures"),
               display=lambda r: signatures_text(r, signed),
               tip=lambda r: signatures_tip(r, signed),
               sort=lambda r: {"invalid": 0, "none": 1, "valid": 2}[signature_state(r, signed)],
               colour=lambda r, pal: (None, pal.overdue if r.invalid_signatures else None),
               tooltip=tr("Whether the signatures of the revision in force and of the one "
                          "being worked on still hold"),
               samples=lambda: [signatures_text(_Invalid()), signatures_text(_Valid()),
                                signatures_text(_Valid(), lambda r: False)]),
        Column("origin", tr("Origin"), editor=TEXT, searchable=True, visible=False,
               tooltip=tr("Where an external document comes from")),
    )


class _Invalid:
    invalid_signatures = True


class _Valid:
    invalid_signatures = False


#: the columns shown until the user chooses (they fit a 1280 px window beside the navigation)
DEFAULT_COLUMNS = ("number", "title", "kind", "owner_id", "status", "revision",
                   "next_review_on", "invalid_signatures")


def related_documents(controller: "WorkspaceController") -> Callable[["Change"], set[int] | None]:
    """The ids of documents a change of their revisions, sections, signatures or files
    affects (their status, revision in force and signature marks come from those)."""

    def lookup(table):
        def get(ids: set[int]):
            from sqlalchemy import select

            from ...storage import models as m

            ws = controller.workspace
            if ws is None:
                return None
            model = getattr(m, table)
            col = model.revision_id if table == "DocumentSection" else model.document_id
            with ws.connect() as c:
                return list(c.execute(select(col).where(model.id.in_(list(ids)))).scalars())
        return get

    def related(change: "Change") -> set[int] | None:
        docs: set[int] = set()
        rids: set[int] = set()
        if change.touches("revision"):
            found = linked_ids(change, "revision", "document_id", lookup("Revision"))
            if found is None:
                return None
            docs |= found
        if change.touches("document_section"):
            found = linked_ids(change, "document_section", "revision_id",
                               lookup("DocumentSection"))
            if found is None:
                return None
            rids |= found
        for op in getattr(change, "changeset", None) or ():
            if op.entity in ("signature", "attachment"):
                values = op.values or {}
                if op.op in ("insert", "delete") and values.get("entity") == "revision":
                    rids.add(values.get("record_id"))
                elif op.op == "update":
                    return None  # rare: re-read everything
        rids.discard(None)
        if rids:
            ws = controller.workspace
            if ws is None:
                return None
            from sqlalchemy import select

            from ...storage import models as m

            with ws.connect() as c:
                docs |= set(c.execute(select(m.Revision.document_id)
                                      .where(m.Revision.id.in_(list(rids)))).scalars())
        return docs

    return related


def signed_revisions(ws, rows) -> set[int]:
    """The ids of the revisions in force or being worked on of ``rows`` that carry at least
    one signature (valid or not)."""
    from sqlalchemy import select

    from ...storage import models as m

    rids = {rid for r in rows for rid in (r.in_force_id, r.pending_id) if rid}
    if not rids:
        return set()
    s = m.Signature
    with ws.connect() as c:
        return set(c.execute(select(s.record_id).distinct()
                             .where(s.entity == "revision", s.record_id.in_(list(rids))))
                   .scalars())


def make_model(controller: "WorkspaceController", people: Callable[[], list[Item]],
               processes: Callable[[], list[Item]], parent=None) -> RowModel:
    from ...services import documents

    #: revision ids with signatures, for the rows loaded (kept up to date by ``load``)
    signed_ids: set[int] = set()

    def signed(r) -> bool:
        return r.in_force_id in signed_ids or r.pending_id in signed_ids

    def load(ids):
        ws = controller.workspace
        if ws is None:
            return []
        rows = documents.list_documents(ws) if ids is None else \
            documents.get_documents(ws, ids)
        found = signed_revisions(ws, rows)
        if ids is None:
            signed_ids.clear()
        else:
            signed_ids.difference_update(rid for r in rows for rid in (r.in_force_id,
                                                                       r.pending_id) if rid)
        signed_ids.update(found)
        return rows

    def commit(row, column: Column, value: Any) -> bool:
        label = tr("Rename document") if column.key == "title" else \
            tr("Change document {field}").format(field=column.title.lower())
        return controller.edit(label, lambda ws: documents.update_documents(
            ws, [row.id], {column.key: value})) is not None

    return RowModel(columns(people, processes, signed), kind="document", load=load,
                    commit=commit, palette=Marks, reload_kinds={"person", "process"},
                    related=related_documents(controller),
                    order=lambda r: (natural(r.number), r.id), parent=parent)


def status_filter_items() -> list[Item]:
    words = status_words()
    return [(tr("Any status"), None, ""),
            (tr("Being revised"), "pending",
             tr("A revision is a draft, in review or approved"))] + [
        (words[s], s, tr("In force, or a revision being worked on, with this status"))
        for s in ("draft", "in_review", "approved", "effective", "obsolete")]


def _status_test(value):
    if value is None:
        return None
    if value == "pending":
        return lambda r: bool(r.pending_status)
    return lambda r: r.status == value or r.pending_status == value


def make_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={
        "status": (None, _status_test),
        "kind": (None, equals(lambda r: r.kind)),
        "owner": (None, equals(lambda r: r.owner_id)),
        "review_overdue": (False, flag(lambda r: r.review_state == "overdue")),
    })


__all__ = ["DEFAULT_COLUMNS", "NONE", "columns", "kind_items", "make_model", "make_proxy",
           "meaning_sentence", "meaning_words", "signature_state", "signatures_text",
           "status_filter_items", "status_text",
           "status_words", "tr"]
