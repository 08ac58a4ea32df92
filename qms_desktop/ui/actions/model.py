"""The Actions table, declared with the kit: its columns, its filters and its one edit line."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication

from ..commands import field_edit_text
from ..table import CHOICE, COMBO, DATE, LONGTEXT, NONE, TEXT, Column, FilterProxy, Item, \
    RowModel, equals, flag, format_date, natural
from ..table.marks import Marks, due_text, late_tip

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("actions", text)


def status_items() -> list[Item]:
    return [(tr("Open"), "open", ""), (tr("In progress"), "in_progress", ""),
            (tr("Done"), "done", tr("Finished; its effect is still to be checked")),
            (tr("Verified"), "verified", tr("Closed: the check found it effective")),
            (tr("Cancelled"), "cancelled", "")]


def kind_items() -> list[Item]:
    return [(tr("Treatment"), "treatment", ""), (tr("Correction"), "correction", ""),
            (tr("Corrective"), "corrective", ""), (tr("Preventive"), "preventive", ""),
            (tr("Improvement"), "improvement", ""), (tr("Review"), "review", "")]


def source_items() -> list[Item]:
    return [(tr("Risk"), "risk", ""), (tr("Audit finding"), "finding", ""),
            (tr("Nonconformity"), "nonconformity", ""),
            (tr("Management review"), "review", ""), (tr("Stand-alone"), "", "")]


EFFECTIVE_ITEMS: Callable[[], list[Item]] = lambda: [  # noqa: E731
    ("—", None, tr("Not judged yet")), (tr("Effective"), True, ""),
    (tr("Not effective"), False, "")]


def _label(items: Callable[[], list[Item]]) -> Callable[[Any], str]:
    table = {value: label for label, value, _t in items()}
    return lambda value: table.get(value, value or "")


def effective_text(row) -> str:
    if row.effective is None:
        return tr("Check overdue") if row.check_overdue else ""
    return tr("Effective") if row.effective else tr("Not effective")


def columns(people: Callable[[], list[Item]]) -> tuple[Column, ...]:
    """The columns; ``people()`` gives the owner picker's items (read when an editor opens)."""
    status, kind, source = _label(status_items), _label(kind_items), _label(source_items)
    finished = lambda r: r.status in ("done", "verified")  # noqa: E731
    late = lambda r: r.overdue  # noqa: E731
    check_late = lambda r: r.check_overdue  # noqa: E731
    mark = lambda test: (lambda r, pal: (None, pal.overdue if test(r) else None))  # noqa: E731
    icon = lambda test: (lambda r, pal: pal.overdue_icon if test(r) else None)  # noqa: E731
    return (
        Column("ref", tr("ID"), sort=lambda r: natural(r.ref), editor=TEXT, searchable=True,
               samples=lambda: ["A-00000"]),
        Column("title", tr("Action"), editor=TEXT, searchable=True, width=260),
        Column("source_kind", tr("Source"), display=lambda r: source(r.source_kind),
               tooltip=tr("What raised the action"),
               samples=lambda: [tr("Management review")]),
        Column("source", tr("From"), searchable=True, width=220,
               tooltip=tr("The record that raised it (Ctrl+Enter opens it)"),
               tip=lambda r: r.source or tr("A stand-alone action")),
        Column("kind", tr("Kind"), editor=CHOICE, items=lambda r: kind_items(),
               display=lambda r: kind(r.kind), visible=False),
        Column("owner_id", tr("Owner"), editor=COMBO, items=lambda r: people(),
               display=lambda r: r.owner, sort=lambda r: r.owner.casefold() or None,
               searchable=True, width=140),
        Column("due_date", tr("Due"), editor=DATE, display=due_text(late), tip=late_tip(late),
               colour=mark(late), symbol=icon(late), icon=True,
               spoken=due_text(late), samples=lambda: [due_text(late)(_LATE_SAMPLE)]),
        Column("status", tr("Status"), editor=CHOICE, items=lambda r: status_items(),
               display=lambda r: tr("{status} · check overdue").format(status=status(r.status))
               if r.check_overdue else status(r.status),
               colour=mark(check_late), symbol=icon(check_late),
               tip=lambda r: tr("Its effectiveness check was due {date}.").format(
                   date=format_date(r.effectiveness_due)) if r.check_overdue else None,
               samples=lambda: [tr("{status} · check overdue").format(status=tr("Done"))]),
        Column("completed_on", tr("Completed"), editor=DATE, editable=finished,
               tooltip=tr("Set when the action is done")),
        Column("effectiveness_check", tr("Effectiveness check"), editor=LONGTEXT,
               searchable=True, width=220,
               tooltip=tr("How and when its effect is checked"), tip=lambda r:
               r.effectiveness_check or None),
        Column("effectiveness_due", tr("Check due"), editor=DATE, visible=False,
               display=due_text(check_late, lambda r: r.effectiveness_due),
               tip=late_tip(check_late, lambda r: r.effectiveness_due),
               colour=mark(check_late), symbol=icon(check_late)),
        Column("effective", tr("Effective?"), editor=CHOICE, items=lambda r: EFFECTIVE_ITEMS(),
               editable=finished, display=effective_text, colour=mark(check_late),
               symbol=icon(check_late), sort=lambda r: None if r.effective is None
               else not r.effective, tooltip=tr("The verdict of the effectiveness check")),
        Column("description", tr("Description"), editor=LONGTEXT, searchable=True,
               visible=False, width=260),
    )


class _LateSample:
    due_date = dt.date(2026, 12, 31)
    overdue = True


_LATE_SAMPLE = _LateSample()


def make_model(controller: "WorkspaceController", people: Callable[[], list[Item]],
               parent=None) -> RowModel:
    from ...services import actions

    def load(ids):
        ws = controller.workspace
        if ws is None:
            return []
        return actions.list_actions(ws) if ids is None else actions.get_actions(ws, ids)

    def commit(row, column: Column, value: Any) -> bool:
        return controller.edit(field_edit_text("action", column.key),
                               lambda ws: actions.update_actions(ws, [row.id],
                                                                 {column.key: value})) \
            is not None

    model = RowModel(columns(people), kind="action", load=load, commit=commit, palette=Marks,
                     reload_kinds={"person", "risk", "finding", "nonconformity",
                                   "management_review"}, parent=parent)
    return model


#: (status filter value, label): finished/unfinished groups, then each status
def status_filter_items() -> list[Item]:
    return [(tr("Any status"), None, ""), (tr("Not finished"), "unfinished",
                                            tr("Open or in progress")),
            (tr("Finished"), "finished", tr("Done or verified"))] + status_items()


def _status_test(value):
    if value is None:
        return None
    if value == "unfinished":
        return lambda r: r.status in ("open", "in_progress")
    if value == "finished":
        return lambda r: r.status in ("done", "verified")
    return lambda r: r.status == value


def make_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={
        "status": (None, _status_test),
        "owner": (None, equals(lambda r: r.owner_id)),
        "source_kind": (None, equals(lambda r: r.source_kind)),
        "overdue_only": (False, flag(lambda r: r.overdue or r.check_overdue)),
    })


__all__ = ["NONE", "columns", "make_model", "make_proxy", "source_items", "status_filter_items",
           "status_items"]
