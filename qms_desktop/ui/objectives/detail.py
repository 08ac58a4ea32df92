"""The SMART fields of the selected objective or KPI, bound with the kit's ``DetailPanel``:
text commits after a pause and when left, picks at once — every edit through
``services.objectives.update_objectives`` (which validates), one undo step each."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from ...core import kpi
from ..binding import FieldBinding
from ..commands import field_edit_text, field_merge_key
from ..table import DetailPanel, Item, TextBox, compact
from ..table.delegates import DateEditor, ValueCombo
from .model import category_items, direction_items, frequency_items, kind_items, \
    status_items, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

NUMBER_FIELDS = ("target", "tolerance", "baseline")


def _service():
    from ...services import objectives

    return objectives


class _Binding(FieldBinding):
    """A text field of an objective written through the objectives service (which reads
    "95,3" and refuses an empty title); while typing, a value it would refuse waits quietly
    until the user leaves the field."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._timer.timeout.disconnect()
        self._timer.timeout.connect(self._quiet_flush)

    def _quiet_flush(self) -> None:
        try:
            _service().clean_value(self.field, self.text())
        except Exception:  # noqa: BLE001 - refused values wait for the user to leave the field
            return
        self.flush()

    def flush(self) -> None:
        self._timer.stop()
        ws = self.controller.workspace
        if self.rid is None or ws is None:
            return
        new = self.text()
        if new == self.committed:
            return
        old, rid, field = self.committed, self.rid, self.field
        self.committed = new
        ok = self.controller.edit(field_edit_text("objective", field),
                                  lambda ws: _service().update_objectives(ws, [rid],
                                                                          {field: new}),
                                  merge_key=field_merge_key("objective", rid, field))
        if ok is None:
            self.committed = old
            self.set_record(self.rid, old)


class ObjectiveDetail(DetailPanel):
    def __init__(self, controller: "WorkspaceController", people: Callable[[], list[Item]],
                 processes: Callable[[], list[Item]], parent: QWidget | None = None):
        super().__init__(controller, "objective", parent)
        self.people, self.processes = people, processes
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form = form

        def line(field: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit(self)
            edit.setPlaceholderText(placeholder)
            return self.bind(field, edit)

        def choice(field: str, items: list[Item], searchable: bool = False) -> ValueCombo:
            combo = compact(ValueCombo(items, self, searchable=searchable), 14)
            return self.bind(field, combo)

        self.title = line("title", tr("What is to be reached"))
        self.kind = choice("kind", kind_items())
        self.measure = self.bind("measure", TextBox(self, lines=2))
        self.measure.setPlaceholderText(tr("How it is measured: the formula and the source"))
        self.target = line("target", tr("e.g. 95"))
        self.unit = line("unit", tr("%, ppm, days…"))
        self.direction = choice("direction", direction_items())
        self.tolerance = line("tolerance", tr("How far from the target is still near"))
        self.baseline = line("baseline", tr("Where it started"))
        self.frequency = choice("frequency", frequency_items())
        self.owner = choice("owner_id", [("—", None, "")], searchable=True)
        self.process = choice("process_id", [("—", None, "")], searchable=True)
        self.due = self.bind("due_date", DateEditor(self))
        self.started = self.bind("started_on", DateEditor(self))
        self.category = choice("category", category_items())
        self.state = choice("status", status_items())
        self.description = self.bind("description", TextBox(self, lines=3))
        self.description.setPlaceholderText(tr("Why it matters, the plan to reach it (what, "
                                               "who, resources, by when)"))
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setObjectName("objectiveStatus")
        for label, widget in (
                (tr("&Title"), self.title), (tr("&Kind"), self.kind),
                (tr("&Measure"), self.measure), (tr("Tar&get"), self.target),
                (tr("&Unit"), self.unit), (tr("&Direction"), self.direction),
                (tr("T&olerance"), self.tolerance), (tr("&Baseline"), self.baseline),
                (tr("&Frequency"), self.frequency), (tr("O&wner"), self.owner),
                (tr("&Process"), self.process), (tr("D&ue date"), self.due),
                (tr("&Started"), self.started), (tr("&Category"), self.category),
                (tr("St&atus"), self.state), (tr("Descr&iption"), self.description)):
            form.addRow(label, widget)
        form.insertRow(0, tr("Now"), self.status_label)

    def bind(self, field: str, editor: QWidget) -> QWidget:
        if isinstance(editor, (QLineEdit, QPlainTextEdit)):
            self.editors[field] = editor
            self.bindings[field] = _Binding(self.controller, editor, self.entity, field)
            return editor
        return super().bind(field, editor)

    def refill_choices(self) -> None:
        """The owner and process pickers' items (after people or processes changed)."""
        self.owner.set_items(self.people())
        self.process.set_items(self.processes())
        if self.row is not None:
            self._load("owner_id", self.owner, self.row.owner_id)
            self._load("process_id", self.process, self.row.process_id)

    def value_of(self, row: Any, field: str) -> Any:
        if field in NUMBER_FIELDS:
            from ...services.objectives import text_value

            return text_value(getattr(row, field))
        return getattr(row, field)

    def commit_value(self, field: str, value: Any) -> bool:
        rid = self.row.id
        ok = self.controller.edit(field_edit_text("objective", field),
                                  lambda ws: _service().update_objectives(ws, [rid],
                                                                          {field: value}))
        if ok is not None:
            self.controller.flush_undo_merges()
        return ok is not None

    def fill(self, row: Any) -> None:
        if row is None:
            self.status_label.setText("")
            return
        from .model import kpi_text, late_text

        st = row.kpi
        words = kpi_text(row)
        if st.value is not None:
            words += " — " + tr("latest {value} on {date}").format(
                value=kpi.fmt(st.value, row.unit), date=st.measured_on.isoformat())
        rule = st.rule
        late = late_text(row)
        if late:  # what "late" means, in words on the page (not only in a tooltip)
            rule += " " + late[0].upper() + late[1:] + "."
        self.status_label.setText(f"<b>{escape(words)}</b><br>{escape(rule)}")
