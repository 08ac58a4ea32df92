"""The nonconformities table, declared with the kit: columns, filters and the one edit line."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap

from ...core import capa
from ..commands import field_edit_text
from ..table import CHOICE, COMBO, DATE, TEXT, Column, FilterProxy, Item, RowModel, equals, \
    linked_ids, natural
from ..table.marks import Marks, due_text, late_tip

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("nonconformities", text)


def status_label(status: str) -> str:
    return {"open": tr("Open"), "contained": tr("Contained"),
            "investigating": tr("Investigating"), "action": tr("Corrective action"),
            "closed": tr("Closed")}.get(status, status)


def status_items() -> list[Item]:
    tips = {"open": tr("Recorded; nothing done yet"),
            "contained": tr("Containment or correction protects the customer"),
            "investigating": tr("The team looks for the root cause"),
            "action": tr("Corrective actions under way"),
            "closed": tr("Actions found effective (ISO 9001 10.2)")}
    return [(f"{capa.STATUS_SYMBOLS[s]} {status_label(s)}", s, tips[s])
            for s in capa.STATUSES]


def source_label(source: str) -> str:
    return {"customer complaint": tr("Customer complaint"), "internal audit": tr("Internal audit"),
            "process": tr("Process"), "supplier": tr("Supplier"),
            "other": tr("Other")}.get(source, source)


def source_items() -> list[Item]:
    return [(source_label(s), s, "") for s in capa.SOURCES]


def severity_items() -> list[Item]:
    return [(tr("Major"), "major", ""), (tr("Minor"), "minor", "")]


def status_filter_items() -> list[Item]:
    return [(tr("Any status"), None, ""),
            (tr("Not closed"), "unfinished", tr("Open, contained, investigating or under "
                                                 "corrective action")),
            (tr("Overdue"), "overdue", tr("Past their due date and not closed"))] + \
        status_items()


def _status_test(value):
    if value is None:
        return None
    if value == "unfinished":
        return lambda r: r.status != "closed"
    if value == "overdue":
        return lambda r: r.overdue
    return lambda r: r.status == value


#: (light, dark) colours of the status marks: grey-blue for progress, green for closed
STATUS_COLOURS = {"open": ("#B3261E", "#F2B8B5"), "contained": ("#8A5300", "#FFB870"),
                  "investigating": ("#6A4C93", "#D0BCFF"), "action": ("#1F5FAD", "#A8C8FF"),
                  "closed": ("#2E7D32", "#8BD88F")}


@lru_cache(maxsize=16)
def status_icon(status: str, dark: bool) -> QIcon:
    """A circle filled in quarters as the nonconformity moves on: the step by shape."""
    colour = QColor(STATUS_COLOURS.get(status, ("#555555", "#BBBBBB"))[dark])
    k = capa.status_index(status)
    pm = QPixmap(16, 16)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(colour, 1.5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    box = QRectF(2, 2, 12, 12)
    p.drawEllipse(box)
    if k:
        p.setBrush(colour)
        p.drawPie(box, 90 * 16, -int(360 * 16 * k / 4))
    p.end()
    return QIcon(pm)


class NcMarks(Marks):
    def __init__(self, dark: bool | None = None):
        super().__init__(dark)
        self.status = {s: QBrush(QColor(STATUS_COLOURS[s][self.dark])) for s in capa.STATUSES}

    def status_icon(self, status: str) -> QIcon:
        return status_icon(status, self.dark)


def actions_text(r) -> str:
    if not r.actions_total:
        return tr("none")
    return tr("{done}/{total} done").format(done=r.actions_done, total=r.actions_total)


def _bold_major(r):
    if r.severity != "major":
        return None
    f = QFont()
    f.setBold(True)
    return f


def columns(people: Callable[[], list[Item]], processes: Callable[[], list[Item]]
            ) -> tuple[Column, ...]:
    late = lambda r: r.overdue  # noqa: E731
    return (
        Column("ref", tr("ID"), sort=lambda r: natural(r.ref), editor=TEXT, searchable=True,
               samples=lambda: ["NC-00000"]),
        Column("title", tr("Title"), editor=TEXT, searchable=True, width=220,
               tip=lambda r: r.description or None),
        Column("source", tr("Source"), editor=CHOICE, items=lambda r: source_items(),
               display=lambda r: r.source_text, searchable=True, width=130,
               tip=lambda r: r.source_text),
        Column("severity", tr("Severity"), editor=CHOICE, items=lambda r: severity_items(),
               display=lambda r: tr("Major") if r.severity == "major" else tr("Minor"),
               font=_bold_major),
        Column("process_id", tr("Process"), editor=COMBO, items=lambda r: processes(),
               display=lambda r: r.process, sort=lambda r: r.process.casefold() or None,
               searchable=True, width=130),
        Column("owner_id", tr("Owner"), editor=COMBO, items=lambda r: people(),
               display=lambda r: r.owner, sort=lambda r: r.owner.casefold() or None,
               searchable=True, width=110),
        Column("detected_on", tr("Detected"), editor=DATE,
               tip=lambda r: tr("{n} days old").format(n=r.age_days)
               if r.age_days is not None else None),
        Column("due_date", tr("Due"), editor=DATE, display=due_text(late), tip=late_tip(late),
               colour=lambda r, pal: (None, pal.overdue if r.overdue else None),
               symbol=lambda r, pal: pal.overdue_icon if r.overdue else None, icon=True,
               spoken=due_text(late)),
        Column("status", tr("Status"), display=lambda r: status_label(r.status),
               colour=lambda r, pal: (None, pal.status.get(r.status)),
               symbol=lambda r, pal: pal.status_icon(r.status), icon=True,
               sort=lambda r: capa.status_index(r.status),
               tip=lambda r: "\n".join([tr("Before it can close:")] + [
                   "• " + tr(p) for p in r.closure_problems]) if r.closure_problems else None,
               tooltip=tr("Change it in the detail below: closing checks ISO 9001 10.2"),
               samples=lambda: [tr("Corrective action")]),
        Column("actions", tr("Actions"), display=actions_text,
               sort=lambda r: (r.actions_done / r.actions_total) if r.actions_total else None,
               tooltip=tr("Corrective actions done of those raised (cancelled ones left out)"),
               samples=lambda: [tr("10/10 done")]),
        Column("root_summary", tr("Root cause"), searchable=True, width=220, visible=False,
               tip=lambda r: r.root_summary or None),
        Column("description", tr("Description"), searchable=True, visible=False, width=260),
    )


def make_model(controller: "WorkspaceController", people, processes, parent=None) -> RowModel:
    from ...services import nonconformities as N

    def load(ids):
        ws = controller.workspace
        if ws is None:
            return []
        return N.list_nonconformities(ws, ids)

    def commit(row, column: Column, value: Any) -> bool:
        return controller.edit(field_edit_text("nonconformity", column.key),
                               lambda ws: N.update_nonconformities(ws, [row.id],
                                                                   {column.key: value})) \
            is not None

    def related(change):
        out: set[int] = set()
        for entity in ("action", "nc_cause"):
            if not change.touches(entity):
                continue
            ws = controller.workspace
            found = linked_ids(change, entity, "nonconformity_id",
                               lambda ids, e=entity: N.owners_of(ws, e, ids)
                               if ws is not None else None)
            if found is None:
                return None
            out |= found
        return out

    return RowModel(columns(people, processes), kind="nonconformity", load=load, commit=commit,
                    palette=NcMarks, reload_kinds={"person", "process", "finding"},
                    related=related, parent=parent)


class NcProxy(FilterProxy):
    """The kit's proxy; the filter bar's "source" widget filters ``nc_source`` (the proxy's
    own ``source()`` is its model)."""

    ALIASES = {"source": "nc_source"}

    def set_filters(self, **values: Any) -> None:
        super().set_filters(**{self.ALIASES.get(k, k): v for k, v in values.items()})


def make_proxy(parent=None) -> FilterProxy:
    return NcProxy(parent, filters={
        "status": (None, _status_test),
        "nc_source": (None, equals(lambda r: r.source)),
        "owner": (None, equals(lambda r: r.owner_id)),
        "severity": (None, equals(lambda r: r.severity)),
    })


__all__ = ["columns", "make_model", "make_proxy", "severity_items", "source_items",
           "status_filter_items", "status_items", "status_label", "tr"]
