"""The table-editor kit (ui/table): the row model over real service rows (qtmodeltester, refresh
from the controller's Change only for the ids it names, sorting with empty values last), the
filter proxy, the delegates, the column layout kept in Settings and the detail-panel base."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView

from qms_desktop.services import actions, records
from qms_desktop.ui.table import (
    CHOICE,
    DATE,
    TEXT,
    Column,
    ColumnLayout,
    DateEditor,
    DetailPanel,
    FilterProxy,
    RowModel,
    TableDelegate,
    ValueCombo,
    equals,
    flag,
    linked_ids,
)

pytestmark = pytest.mark.usefixtures("shown")


@dataclass
class PersonRow:
    id: int
    name: str
    department: str
    hired_on: dt.date | None


def load_people(ws, ids):
    out = []
    for rid in (ids if ids is not None else _all_ids(ws)):
        try:
            r = records.get(ws, "person", rid)
        except records.RecordError:
            continue
        out.append(PersonRow(r["id"], r["name"], r["department"], r["hired_on"]))
    return out


def _all_ids(ws):
    from sqlalchemy import select

    from qms_desktop.storage import models as m

    with ws.connect() as c:
        return list(c.execute(select(m.Person.id)).scalars())


def columns():
    return (
        Column("name", "Name", editor=TEXT, searchable=True),
        Column("department", "Department", editor=CHOICE, searchable=True,
               items=lambda r: [("—", "", ""), ("Quality", "Quality", ""),
                                ("Production", "Production", "")]),
        Column("hired_on", "Hired", editor=DATE, samples=lambda: ["12/31/2026"]),
    )


@pytest.fixture
def people(ws):
    ids = [records.create(ws, "person", {"name": n, "department": d}).result
           for n, d in (("Ada", "Quality"), ("Ben", ""), ("Cy", "Production"))]
    return ids


@pytest.fixture
def model(controller, ws, people):
    loads = []

    def load(ids):
        loads.append(None if ids is None else sorted(ids))
        return load_people(ws, ids)

    def commit(row, column, value):
        return controller.edit("Change person", lambda w: records.update_field(
            w, "person", row.id, column.key, value))

    m = RowModel(columns(), kind="person", load=load, commit=commit)
    m.loads = loads
    m.reload()
    controller.changed.connect(m.refresh_ids)
    return m


def test_model_passes_qtmodeltester_and_never_loads_while_painting(model, qtmodeltester, qtbot):
    qtmodeltester.check(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    n = len(model.loads)
    view.viewport().repaint()
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                         Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole):
                model.index(r, c).data(role)
    assert len(model.loads) == n


def test_edit_refreshes_only_the_named_rows_and_undo_follows(model, controller, people):
    ada = people[0]
    index = model.index(model.row_of(ada), model.column_of["name"])
    model.loads.clear()
    assert model.setData(index, "Ada King")
    assert model.loads == [[ada]]  # only that row was re-read
    assert index.data() == "Ada King"
    assert not model.setData(index, "Ada King")  # unchanged: no step
    controller.undo()
    assert model.get(ada).name == "Ada"
    # a created and a deleted row come and go through the same refresh
    new = controller.edit("Add person", lambda w: records.create(w, "person", {"name": "Dee"}))
    assert model.get(new).name == "Dee" and model.rowCount() == 4
    controller.edit("Delete person", lambda w: records.delete(w, "person", people[1]))
    assert model.get(people[1]) is None and model.rowCount() == 3
    controller.undo()
    assert model.get(people[1]).name == "Ben"


def test_reload_kinds_and_the_targeted_limit_reload_everything(model, controller, people):
    model.reload_kinds = frozenset({"organization"})
    model.loads.clear()
    controller.edit("x", lambda w: records.create(w, "role", {"name": "Welder"}))
    assert model.loads == []  # nothing of ours changed
    from qms_desktop.storage.changes import Change

    assert model.targeted_ids(Change({"organization": frozenset({1})})) is None
    model.targeted_limit = 0
    controller.edit("x", lambda w: records.update_field(w, "person", people[0], "name", "A"))
    assert model.loads == [None]


def test_sort_keeps_empty_values_last_and_selection(model, people):
    dept = model.column_of["department"]
    model.sort(dept, Qt.SortOrder.AscendingOrder)
    assert [r.department for r in model.rows] == ["Production", "Quality", ""]
    model.sort(dept, Qt.SortOrder.DescendingOrder)
    assert [r.department for r in model.rows] == ["Quality", "Production", ""]
    model.sort(-1)
    assert [r.id for r in model.rows] == sorted(people)


def test_filter_proxy_text_and_named_filters(model, qtmodeltester):
    proxy = FilterProxy(filters={"dept": (None, equals(lambda r: r.department or None))})
    proxy.setSourceModel(model)
    proxy.set_filters(text="QUAL")
    assert [r.name for r in proxy.visible_rows()] == ["Ada"]
    proxy.set_filters(text="", dept=proxy.NONE)
    assert [r.name for r in proxy.visible_rows()] == ["Ben"]
    assert proxy.active and [r.name for r in proxy.filtered_rows(without=("dept",))] == \
        ["Ada", "Ben", "Cy"]
    qtmodeltester.check(proxy)
    proxy.clear_filters()
    assert proxy.rowCount() == 3 and not proxy.active
    with pytest.raises(TypeError):
        proxy.set_filters(colour="red")


def test_filter_bar_shows_filters_set_from_code(model, qtbot):
    """A list opened already filtered (from a dashboard card) shows its filters in the bar."""
    from qms_desktop.ui.table.filterbar import FilterBar

    proxy = FilterProxy(filters={"dept": (None, equals(lambda r: r.department or None)),
                                 "flagged": (False, flag(lambda r: bool(r.department)))})
    proxy.setSourceModel(model)
    bar = FilterBar(proxy, "Search")
    qtbot.addWidget(bar)
    dept = bar.add_choice("dept", [("Any", None, ""), ("Quality", "Quality", "")])
    box = bar.add_flag("flagged", "With a department")
    bar.apply(text="a", dept="Quality", flagged=True)
    assert bar.search.text() == "a" and dept.value() == "Quality" and box.isChecked()
    assert [r.name for r in proxy.visible_rows()] == ["Ada"]
    bar.apply(dept=None, flagged=False)
    assert dept.value() is None and not box.isChecked()
    box.setChecked(True)  # the widgets still drive the filters
    assert proxy.flagged is True


def test_delegate_editors_follow_the_column(model, qtbot, controller, people):
    from PySide6.QtWidgets import QStyleOptionViewItem

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = TableDelegate(view)
    view.setItemDelegate(delegate)
    row = model.row_of(people[0])
    editor = delegate.createEditor(view.viewport(), QStyleOptionViewItem(),
                                   model.index(row, model.column_of["department"]))
    assert isinstance(editor, ValueCombo) and editor.count() == 3
    delegate.setEditorData(editor, model.index(row, model.column_of["department"]))
    assert editor.value() == "Quality"
    editor.set_value("Production")
    delegate.setModelData(editor, model, model.index(row, model.column_of["department"]))
    assert records.get(controller.workspace, "person", people[0])["department"] == "Production"
    date = delegate.createEditor(view.viewport(), QStyleOptionViewItem(),
                                 model.index(row, model.column_of["hired_on"]))
    assert isinstance(date, DateEditor) and date.value() is None
    date.set_value(dt.date(2024, 3, 1))
    delegate.setModelData(date, model, model.index(row, model.column_of["hired_on"]))
    assert model.get(people[0]).hired_on == dt.date(2024, 3, 1)
    assert model.index(row, model.column_of["hired_on"]).data() == "3/1/2024"  # en_US


def test_column_layout_is_kept_in_settings(model, qtbot):
    from qms_desktop.ui.settings import Settings

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    layout = ColumnLayout(view, model, "people", default=("name", "hired_on"))
    layout.restore()
    assert [k for k, _w in layout.column_layout()] == ["name", "hired_on"]
    layout.set_visible(model.column_of["department"], True)
    header = view.horizontalHeader()
    header.moveSection(header.visualIndex(model.column_of["department"]), 0)
    layout.save()
    saved = Settings().column_layout("people")
    assert [k for k, _w in saved] == ["department", "name", "hired_on"]
    view2 = QTableView()
    qtbot.addWidget(view2)
    view2.setModel(model)
    again = ColumnLayout(view2, model, "people", default=("name", "hired_on"))
    again.restore()
    assert again.column_layout() == saved
    again.reset()
    assert [k for k, _w in again.column_layout()] == ["name", "hired_on"]
    Settings().qsettings.setValue("people/columns", "not json")
    assert Settings().column_layout("people") == []  # unusable: the default


def test_detail_panel_commits_on_pause_and_on_leaving(controller, ws, people, qtbot):
    panel = DetailPanel(controller, "person")
    qtbot.addWidget(panel)
    name = panel.bind("name", QLineEdit(panel))
    dept = panel.bind("department", ValueCombo([("—", "", ""), ("Quality", "Quality", ""),
                                                ("Sales", "Sales", "")], panel))
    other = QLineEdit(panel)
    panel.show()
    panel.show_row(load_people(ws, [people[1]])[0])
    assert name.text() == "Ben" and controller.undo_stack.count() == 0  # loading: no step
    name.setFocus()
    name.end(False)
    qtbot.keyClicks(name, "jamin")
    assert panel.bindings["name"].pending
    qtbot.waitUntil(lambda: records.get(ws, "person", people[1])["name"] == "Benjamin")
    other.setFocus()  # leaving seals the step
    dept.set_value("Sales")
    dept.activated.emit(dept.currentIndex())
    assert records.get(ws, "person", people[1])["department"] == "Sales"
    assert controller.undo_stack.count() == 2
    controller.undo()
    controller.undo()
    assert records.get(ws, "person", people[1])["name"] == "Ben"


def test_linked_ids_reads_links_from_the_change(controller, ws):
    from qms_desktop.services import risks

    rid = controller.edit("r", lambda w: risks.add_risk(w, {"title": "A"}))
    other = controller.edit("r", lambda w: risks.add_risk(w, {"title": "B"}))
    seen = []
    controller.changed.connect(seen.append)
    aid = controller.edit("a", lambda w: actions.add_action(w, "risk", rid, {"title": "Fix"}))
    assert linked_ids(seen[-1], "action", "risk_id") == {rid}
    controller.edit("m", lambda w: records.update_field(w, "action", aid, "risk_id", other))
    assert linked_ids(seen[-1], "action", "risk_id") == {rid, other}
    controller.edit("t", lambda w: records.update_field(w, "action", aid, "title", "Fixed"))
    assert linked_ids(seen[-1], "action", "risk_id") == set()  # no lookup given
    assert linked_ids(seen[-1], "action", "risk_id",
                      lambda ids: [records.get(ws, "action", i)["risk_id"] for i in ids]) \
        == {other}
