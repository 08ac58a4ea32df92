"""The document register, declared with the table kit: its columns, its filters and its edit line.

The rows are ``services.documents.DocumentRow``; the status column shows the revision being
worked on beside the one in force (``DocumentRow.status_text``), the next review says "overdue"
in words as well as colour and a clock symbol, and a column marks documents whose signatures no
longer hold (a cross and words, not colour alone).
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


def signatures_text(r) -> str:
    return tr("✗ not valid") if r.invalid_signatures else ""


def signatures_tip(r) -> str | None:
    if not r.invalid_signatures:
        return None
    return tr("A signature of the revision in force or of the one being worked on no longer "
              "holds (its content changed after signing, or the signature record was "
              "altered). See the Revisions tab.")


class _Sample:
    next_review_on = dt.date(2026, 12, 31)
    review_state = "overdue"


def columns(people: Callable[[], list[Item]],
            processes: Callable[[], list[Item]]) -> tuple[Column, ...]:
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
        Column("invalid_signatures", tr("Signatures"), display=signatures_text,
               tip=signatures_tip, sort=lambda r: 0 if r.invalid_signatures else None,
               colour=lambda r, pal: (None, pal.overdue if r.invalid_signatures else None),
               tooltip=tr("Marks documents with a signature that no longer holds"),
               samples=lambda: [signatures_text(_Invalid())]),
        Column("origin", tr("Origin"), editor=TEXT, searchable=True, visible=False,
               tooltip=tr("Where an external document comes from")),
    )


class _Invalid:
    invalid_signatures = True


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


def make_model(controller: "WorkspaceController", people: Callable[[], list[Item]],
               processes: Callable[[], list[Item]], parent=None) -> RowModel:
    from ...services import documents

    def load(ids):
        ws = controller.workspace
        if ws is None:
            return []
        return documents.list_documents(ws) if ids is None else documents.get_documents(ws, ids)

    def commit(row, column: Column, value: Any) -> bool:
        label = tr("Rename document") if column.key == "title" else \
            tr("Change document {field}").format(field=column.title.lower())
        return controller.edit(label, lambda ws: documents.update_documents(
            ws, [row.id], {column.key: value})) is not None

    return RowModel(columns(people, processes), kind="document", load=load, commit=commit,
                    palette=Marks, reload_kinds={"person", "process"},
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
           "meaning_sentence", "meaning_words", "status_filter_items", "status_text",
           "status_words", "tr"]
