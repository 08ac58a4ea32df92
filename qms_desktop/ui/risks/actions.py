"""The treatment actions of one risk: the kit's ``RowModel`` over ``services.actions.ActionRow``
(owner picker, due date with the overdue mark, status, effectiveness check), in due-date order.
The rules of a status change (completion dates, the effectiveness check) live in
``services.actions``."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable

from ..table import CHOICE, COMBO, DATE, TEXT, Column, RowModel, format_date
from . import style
from .delegates import Choices, choice_items

tr = style.tr


def action_columns(choices: Choices) -> tuple[Column, ...]:
    overdue = attrgetter("overdue")
    statuses, effective = choice_items("action_status"), choice_items("effective")
    late = lambda r, pal: (None, pal.overdue if r.overdue else None)  # noqa: E731
    late_tip = lambda r: tr("Overdue: due {date} and not done yet.").format(  # noqa: E731
        date=format_date(r.due_date)) if r.overdue else None
    return (
        Column("ref", tr("ID"), colour=late, tip=late_tip),
        Column("title", tr("Action"), editor=TEXT, tip=lambda r: r.title or None),
        Column("owner_id", tr("Owner"), editor=COMBO, display=attrgetter("owner"),
               items=lambda r: choices.items("owner_id")),
        Column("due_date", tr("Due"), editor=DATE, colour=late, tip=late_tip,
               symbol=lambda r, pal: pal.overdue_icon() if overdue(r) else None,
               spoken=lambda r: tr("{text}, overdue").format(text=format_date(r.due_date))
               if r.overdue else format_date(r.due_date)),
        Column("status", tr("Status"), editor=CHOICE, items=lambda r: statuses,
               display=lambda r: style.action_status_label(r.status)),
        Column("completed_on", tr("Completed")),
        Column("effectiveness_check", tr("Effectiveness check"), editor=TEXT,
               tip=lambda r: r.effectiveness_check or None),
        Column("effective", tr("Effective?"), editor=CHOICE, items=lambda r: effective),
    )


class ActionTableModel(RowModel):
    """The shown risk's actions (the panel gives them with ``set_rows``)."""

    def __init__(self, choices: Choices, commit: Callable[[Any, Column, Any], bool],
                 parent=None):
        super().__init__(action_columns(choices), kind="action", commit=commit,
                         palette=style.Palette, order=None, parent=parent)
