"""The Management review page's tables, declared with the kit: the reviews and one review's
outputs (decisions, resource needs, improvement actions and their actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication

from ..table import CHOICE, COMBO, DATE, TEXT, Column, FilterProxy, Item, RowModel, equals, \
    format_date
from ..table.marks import Marks, due_text, late_tip

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("reviews", text)


def status_items() -> list[Item]:
    return [(tr("Planned"), "planned", tr("Being prepared; its inputs can be collected again")),
            (tr("Held"), "held", tr("The meeting took place; the pack is its record")),
            (tr("Completed"), "completed", tr("Held, and its outputs followed up"))]


def output_items() -> list[Item]:
    return [(tr("Decision"), "decision", tr("A decision on the QMS or its changes")),
            (tr("Resource need"), "resource_need", tr("People, infrastructure, budget")),
            (tr("Improvement action"), "improvement_action",
             tr("An opportunity for improvement to act on"))]


ACTION_STATUS = lambda: {"open": tr("Open"), "in_progress": tr("In progress"),  # noqa: E731
                         "done": tr("Done"), "verified": tr("Verified"),
                         "cancelled": tr("Cancelled")}


def _label(items: Callable[[], list[Item]]) -> Callable[[Any], str]:
    table = {value: label for label, value, _t in items()}
    return lambda value: table.get(value, value or "")


def review_columns() -> tuple[Column, ...]:
    status = _label(status_items)
    return (
        Column("title", tr("Review"), searchable=True, width=220),
        Column("held_on", tr("Held on")),
        Column("period", tr("Period"), display=lambda r: tr("{a} – {b}").format(
            a=format_date(r.period_from) or "…", b=format_date(r.period_to) or "…"),
               sort=lambda r: (r.period_from, r.period_to)),
        Column("status", tr("Status"), display=lambda r: status(r.status)),
        Column("outputs", tr("Outputs"), tooltip=tr("Decisions, resource needs and "
                                                    "improvement actions recorded"),
               tip=lambda r: tr("{n} actions, {open} still open").format(
                   n=r.actions, open=r.open_actions)),
        Column("chair", tr("Chair"), searchable=True, visible=False),
    )


def make_review_model(controller: "WorkspaceController", parent=None) -> RowModel:
    from ...services import review

    def load(ids):
        ws = controller.workspace
        if ws is None:
            return []
        return review.list_reviews(ws) if ids is None else review.get_reviews(ws, ids)

    return RowModel(review_columns(), kind="management_review", load=load,
                    reload_kinds={"review_item", "action"}, order=None, parent=parent)


def make_review_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={"status": (None, equals(lambda r: r.status))})


def output_columns(people: Callable[[], list[Item]]) -> tuple[Column, ...]:
    section = _label(output_items)
    has_action = lambda r: r.action_id is not None  # noqa: E731
    late = lambda r: r.overdue  # noqa: E731
    mark = lambda r, pal: (None, pal.overdue if r.overdue else None)  # noqa: E731
    icon = lambda r, pal: pal.overdue_icon if r.overdue else None  # noqa: E731
    return (
        Column("section", tr("Output"), editor=CHOICE, items=lambda r: output_items(),
               display=lambda r: section(r.section), samples=lambda: [tr("Improvement action")]),
        Column("text", tr("Text"), editor=TEXT, searchable=True, width=300),
        Column("action_ref", tr("Action"), tooltip=tr("The action it became (Actions page)"),
               display=lambda r: r.action_ref or "—", samples=lambda: ["A-0000"]),
        Column("owner_id", tr("Owner"), editor=COMBO, items=lambda r: people(),
               display=lambda r: r.owner, editable=has_action, width=130),
        Column("due_date", tr("Due"), editor=DATE, display=due_text(late), tip=late_tip(late),
               colour=mark, symbol=icon, icon=True, editable=has_action),
        Column("action_status", tr("Status"), display=lambda r: ACTION_STATUS().get(
            r.action_status, r.action_status) if r.action_id else tr("no action")),
    )


def make_output_model(controller: "WorkspaceController", people: Callable[[], list[Item]],
                      review_id: Callable[[], int | None], parent=None) -> RowModel:
    from ...services import review

    def load(ids):
        ws, rid = controller.workspace, review_id()
        if ws is None or rid is None:
            return []
        try:
            rows = review.get_review(ws, rid).outputs()
        except Exception:  # the review went (undo of its creation): nothing to show
            return []
        return rows if ids is None else [r for r in rows if r.id in set(ids)]

    def commit(row, column: Column, value: Any) -> bool:
        iid = row.id
        if column.key == "text":
            fn = lambda ws: review.update_item(ws, iid, value)  # noqa: E731
        elif column.key == "section":
            fn = lambda ws: review.update_item(ws, iid, section=value)  # noqa: E731
        elif column.key == "owner_id":
            fn = lambda ws: review.update_item(ws, iid, owner_id=value)  # noqa: E731
        else:
            fn = lambda ws: review.update_item(ws, iid, due_date=value)  # noqa: E731
        return controller.edit(tr("Change review output"), fn) is not None

    return RowModel(output_columns(people), kind="review_item", load=load, commit=commit,
                    palette=Marks, reload_kinds={"action", "person", "management_review"},
                    order=None, parent=parent)
