"""The Objectives & KPIs tables, declared with the kit: the objectives (with their on/off-target
status readable without colour) and the measurements of the selected one."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QBrush, QColor

from ...core import kpi
from ...core.palette import LEVEL_COLOURS
from ..commands import field_edit_text
from ..table import CHOICE, COMBO, DATE, RIGHT, TEXT, Column, FilterProxy, Item, RowModel, \
    equals, natural
from ..table.marks import Marks, due_text, late_tip

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("objectives", text)


#: the fill/text pair of each status: the risk levels' green, amber and orange
_LEVEL = {kpi.ON: "low", kpi.NEAR: "medium", kpi.OFF: "high"}


class KpiMarks(Marks):
    """The overdue marks plus a (fill, text) brush pair per KPI status, light or dark."""

    def __init__(self, dark: bool | None = None):
        super().__init__(dark)
        self.status: dict[str, tuple[QBrush, QBrush]] = {
            s: (QBrush(QColor(LEVEL_COLOURS[self.dark][lv][0])),
                QBrush(QColor(LEVEL_COLOURS[self.dark][lv][1]))) for s, lv in _LEVEL.items()}

    def colours(self, status: str, late: bool = False) -> tuple[Any, Any]:
        pair = self.status.get(status)
        if pair is None:
            return (None, self.overdue if late else self.muted)
        return pair


def kind_items() -> list[Item]:
    return [(tr("Objective"), "objective", tr("A target to reach by a due date (SMART)")),
            (tr("KPI"), "kpi", tr("An indicator followed without end"))]


def status_items() -> list[Item]:
    return [(tr("Active"), "active", tr("Followed and measured")),
            (tr("Achieved"), "achieved", tr("Reached for good")),
            (tr("Dropped"), "dropped", tr("No longer followed"))]


def direction_items() -> list[Item]:
    return [(tr("higher is better"), ">=", tr("On target at or above the target")),
            (tr("lower is better"), "<=", tr("On target at or below the target"))]


def frequency_items() -> list[Item]:
    return [(tr("Weekly"), "weekly", ""), (tr("Monthly"), "monthly", ""),
            (tr("Quarterly"), "quarterly", ""), (tr("Yearly"), "yearly", "")]


def category_items() -> list[Item]:
    return [("—", "", tr("No category")), (tr("Customer"), "customer", ""),
            (tr("Process"), "process", ""), (tr("Supplier"), "supplier", ""),
            (tr("Quality"), "quality", ""), (tr("Resources"), "resources", "")]


def kpi_labels() -> dict[str, str]:
    return {kpi.ON: tr("on target"), kpi.NEAR: tr("near target"), kpi.OFF: tr("off target"),
            kpi.NONE: tr("not measured")}


def status_filter_items() -> list[Item]:
    labels = kpi_labels()
    return [(tr("Any status"), None, "")] + [
        (f"{kpi.SYMBOLS[s]} {labels[s].capitalize()}", s, "") for s in kpi.STATUSES] + [
        (tr("Late"), "late", tr("The latest measurement is older than the frequency allows"))]


def kind_filter_items() -> list[Item]:
    return [(tr("Objectives and KPIs"), None, "")] + [(label, v, t) for label, v, t in
                                                       kind_items()]


def kpi_text(row) -> str:
    """"✓ on target", "✗ off target · late": the symbol and the words say what the colour
    says."""
    text = f"{kpi.SYMBOLS[row.kpi.status]} {kpi_labels()[row.kpi.status]}"
    if row.kpi.late:
        text += " " + tr("· late")
    if row.status != "active":
        text += f" ({_label(status_items)(row.status).lower()})"
    return text


def day_text(day: dt.date) -> str:
    """"30 Sep 2026": a date no one reads the wrong way round."""
    return f"{day.day} {day:%b %Y}"


def late_text(row) -> str:
    """"late: last measured 30 Sep 2026; measured monthly" ("" when not late)."""
    if not row.kpi.late or row.kpi.measured_on is None:
        return ""
    return tr("late: last measured {date}; measured {freq}").format(
        date=day_text(row.kpi.measured_on),
        freq=_label(frequency_items)(row.frequency).lower())


def kpi_tip(row) -> str:
    lines = [row.kpi.rule] if row.kpi.rule else []
    late = late_text(row)
    if late:
        lines.append(late[0].upper() + late[1:] + ".")
    return "\n".join(lines)


def latest_text(row) -> str:
    if row.kpi.value is None:
        return ""
    from ..table import format_date

    return f"{kpi.fmt(row.kpi.value, row.unit)} · {format_date(row.kpi.measured_on)}"


def _label(items: Callable[[], list[Item]]) -> Callable[[Any], str]:
    table = {value: label for label, value, _t in items()}
    return lambda value: table.get(value, value or "")


_RANK = {kpi.OFF: 0, kpi.NEAR: 1, kpi.ON: 2, kpi.NONE: 3}


def columns(people: Callable[[], list[Item]], processes: Callable[[], list[Item]]
            ) -> tuple[Column, ...]:
    kind, category, frequency = _label(kind_items), _label(category_items), \
        _label(frequency_items)
    late = lambda r: r.overdue  # noqa: E731
    return (
        Column("ref", tr("ID"), sort=lambda r: natural(r.ref), editor=TEXT, searchable=True,
               samples=lambda: ["OBJ-000"]),
        Column("title", tr("Title"), editor=TEXT, searchable=True, width=240,
               tip=lambda r: r.measure or None),
        Column("kind", tr("Kind"), editor=CHOICE, items=lambda r: kind_items(),
               display=lambda r: kind(r.kind), samples=lambda: [tr("Objective")]),
        Column("owner_id", tr("Owner"), editor=COMBO, items=lambda r: people(),
               display=lambda r: r.owner, sort=lambda r: r.owner.casefold() or None,
               searchable=True, width=130),
        Column("process_id", tr("Process"), editor=COMBO, items=lambda r: processes(),
               display=lambda r: r.process, sort=lambda r: r.process.casefold() or None,
               searchable=True, width=140),
        Column("target", tr("Target"), display=lambda r: r.target_text, align=RIGHT,
               sort=lambda r: r.target, tip=lambda r: r.kpi.rule or None, searchable=True,
               samples=lambda: ["≥ 1,200 ppm"]),
        Column("latest", tr("Latest"), value=lambda r: r.kpi.value, display=latest_text,
               sort=lambda r: r.kpi.measured_on, align=RIGHT,
               tip=lambda r: tr("{n} measurements").format(n=r.measurement_count),
               samples=lambda: ["1,234 ppm · 30/11/2026"]),
        Column("kpi", tr("Status"), value=lambda r: r.kpi.status, display=kpi_text,
               sort=lambda r: (_RANK[r.kpi.status], not r.kpi.late), tip=kpi_tip,
               colour=lambda r, pal: pal.colours(r.kpi.status, r.kpi.late),
               symbol=lambda r, pal: pal.overdue_icon if r.kpi.late else None, icon=True,
               samples=lambda: ["≈ near target · late"]),
        Column("due_date", tr("Due"), editor=DATE, display=due_text(late), tip=late_tip(late),
               colour=lambda r, pal: (None, pal.overdue if late(r) else None),
               symbol=lambda r, pal: pal.overdue_icon if late(r) else None, icon=True),
        Column("category", tr("Category"), editor=CHOICE, items=lambda r: category_items(),
               display=lambda r: category(r.category) if r.category else "", visible=False),
        Column("frequency", tr("Frequency"), editor=CHOICE, items=lambda r: frequency_items(),
               display=lambda r: frequency(r.frequency), visible=False),
        Column("measure", tr("Measure"), searchable=True, visible=False, width=220),
        Column("unit", tr("Unit"), editor=TEXT, searchable=True, visible=False,
               samples=lambda: ["ppm"]),
    )


def make_model(controller: "WorkspaceController", people: Callable[[], list[Item]],
               processes: Callable[[], list[Item]], parent=None) -> RowModel:
    from ...services import objectives

    def load(ids):
        ws = controller.workspace
        if ws is None:
            return []
        return objectives.list_objectives(ws, ids)

    def commit(row, column: Column, value: Any) -> bool:
        return controller.edit(field_edit_text("objective", column.key),
                               lambda ws: objectives.update_objectives(ws, [row.id],
                                                                       {column.key: value})) \
            is not None

    def related(change):
        # a measurement added, changed or deleted changes its objective's status
        from ..table import linked_ids

        return linked_ids(change, "measurement", "objective_id",
                          lambda ids: _objectives_of(controller, ids))

    return RowModel(columns(people, processes), kind="objective", load=load, commit=commit,
                    palette=KpiMarks, reload_kinds={"person", "process"}, related=related,
                    parent=parent)


def _objectives_of(controller, ids) -> list[int] | None:
    from sqlalchemy import select

    from ...storage import models as m

    ws = controller.workspace
    if ws is None or len(ids) > 500:
        return None
    with ws.connect() as c:
        return list(c.execute(select(m.Measurement.objective_id)
                              .where(m.Measurement.id.in_(list(ids)))).scalars())


def _status_test(value):
    if value is None:
        return None
    if value == "late":
        return lambda r: r.kpi.late
    return lambda r: r.kpi.status == value


def make_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={
        "status": (None, _status_test),
        "kind": (None, equals(lambda r: r.kind)),
        "owner": (None, equals(lambda r: r.owner_id)),
    })


# --------------------------------------------------------------------------- measurements


def measurement_columns(unit: Callable[[], str]) -> tuple[Column, ...]:
    labels = kpi_labels()
    return (
        Column("measured_on", tr("Date"), editor=DATE, sort=lambda r: r.measured_on,
               samples=lambda: ["30/11/2026"]),
        Column("value", tr("Value"), editor=TEXT, align=RIGHT,
               value=lambda r: _plain_number(r.value),
               display=lambda r: kpi.fmt(r.value, unit()), sort=lambda r: r.value,
               samples=lambda: ["1,234.56 ppm"]),
        Column("status", tr("Against target"), value=lambda r: r.status,
               display=lambda r: f"{kpi.SYMBOLS[r.status]} {labels[r.status]}",
               colour=lambda r, pal: pal.colours(r.status),
               samples=lambda: ["≈ near target"]),
        Column("note", tr("Note"), editor=TEXT, searchable=True, width=260),
    )


def _plain_number(value: float | None) -> str:
    from ...services.objectives import text_value

    return text_value(value)


def warn_measurement(controller: "WorkspaceController", mid: int) -> str:
    """Say on the status bar when measurement ``mid`` as stored looks wrong (dated after
    today, 120 %, a negative count); the value stays: it is a note, not a refusal."""
    from ...services import objectives

    ws = controller.workspace
    if ws is None:
        return ""
    text = objectives.measurement_warning_of(ws, mid)
    if text:
        controller.notice.emit(tr("Check this measurement: {warning}").format(warning=text))
    return text


def make_measurement_model(controller: "WorkspaceController", objective: Callable[[], Any],
                           parent=None) -> RowModel:
    """The measurements of ``objective()`` (the row shown), oldest first."""
    from ...services import objectives

    def load(ids):
        ws, row = controller.workspace, objective()
        if ws is None or row is None:
            return []
        rows = objectives.measurements(ws, row.id)
        return rows if ids is None else [r for r in rows if r.id in set(ids)]

    def commit(row, column: Column, value: Any) -> bool:
        label = tr("Change measurement date") if column.key == "measured_on" else \
            tr("Change measurement value") if column.key == "value" else \
            tr("Change measurement note")
        if controller.edit(label, lambda ws: objectives.update_measurement(
                ws, row.id, {column.key: value})) is None:
            return False
        warn_measurement(controller, row.id)
        return True

    unit = lambda: getattr(objective(), "unit", "") or ""  # noqa: E731
    return RowModel(measurement_columns(unit), kind="measurement", load=load, commit=commit,
                    palette=KpiMarks, reload_kinds={"objective"},
                    order=lambda r: (r.measured_on or dt.date.min, r.id), parent=parent)


__all__ = ["KpiMarks", "columns", "make_measurement_model", "make_model", "make_proxy",
           "status_filter_items", "tr"]
