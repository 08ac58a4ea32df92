"""The table-editor kit: what every list editor (risks, processes, actions, …) is built from.

A page declares its columns as data and gets a model, a filter proxy, delegates, a saved column
layout and a detail panel that all behave the same::

    from qms_desktop.ui.table import (COMBO, DATE, TEXT, Column, ColumnLayout, DetailPanel,
                                      FilterProxy, RowModel, TableDelegate, equals)

    columns = (
        Column("ref", tr("ID"), sort=lambda r: natural(r.ref), searchable=True),
        Column("title", tr("Title"), editor=TEXT, searchable=True, width=220),
        Column("owner_id", tr("Owner"), editor=COMBO, display=lambda r: r.owner,
               sort=lambda r: r.owner.casefold() or None, items=lambda r: people_items()),
        Column("due_date", tr("Due"), editor=DATE, tip=lambda r: ...,
               colour=lambda r, pal: (None, pal.overdue if r.overdue else None),
               symbol=lambda r, pal: pal.overdue_icon() if r.overdue else None),
    )
    model = RowModel(columns, kind="action",
                     load=lambda ids: actions.list_actions(ws, ids),   # ids None: every row
                     commit=lambda row, col, value: controller.edit(
                         tr("Change action"), lambda ws: records.update_field(
                             ws, "action", row.id, col.key, value)),
                     reload_kinds={"person"})        # a name shown in many rows
    proxy = FilterProxy(filters={"owner": (None, equals(lambda r: r.owner_id))})
    proxy.setSourceModel(model)
    view.setModel(proxy)
    view.setItemDelegate(TableDelegate(view))
    layout = ColumnLayout(view, model, "actions")     # column choice/order/width in Settings
    layout.restore()
    controller.changed.connect(model.refresh_ids)   # re-reads only the rows the Change names

Pieces:

* :class:`Column` (``columns.py``) — key, title, and optional functions of the row for the
  value, display, sort key, editor kind + items, alignment, tooltip, colour (background,
  foreground) with a ``symbol`` icon that says the same without colour, font, spoken text;
  ``searchable`` columns feed the text search; ``samples`` size the default width.
* :class:`RowModel` (``model.py``) — the id-keyed row cache (never queries while painting),
  sorting in the model (``order``: how unsorted rows stand, by id unless None = as loaded),
  ``refresh_ids(change)`` / ``reload()`` / ``reload_ids(ids)``,
  ``linked_ids`` for rows affected through a foreign key (the risks whose actions changed).
  ``IdRole`` gives a cell's row id, ``KeyRole`` its column key.
* :class:`FilterProxy` (``proxy.py``) — text search over the searchable columns plus named
  filters (``equals``, ``flag`` or any factory); ``visible_rows``, ``filtered_rows``.
* Delegates (``delegates.py``) — :class:`TableDelegate` picks the editor from the column:
  ``CHOICE`` and ``COMBO`` (searchable) combos, ``RATING`` (``rating_items({1: "Rare"…})``),
  ``DATE`` (may be empty), ``LONGTEXT`` (Ctrl+Enter commits), ``TEXT``; the same widgets
  (:class:`ValueCombo`, :class:`DateEditor`, :class:`TextBox`) serve panels and dialogs.
* :class:`ColumnLayout` (``layout.py``) — column choice, order and width kept through the
  typed ``Settings``; a header context menu to choose columns.
* ``selection`` (``selection.py``) — ``selected_ids(view)``, ``current_row(view, model)``,
  ``select_ids(view, model, proxy, ids)``: reading and restoring a selection by row id.
* :class:`DetailPanel` (``detail.py``) — binds editors to fields of one row: text commits after
  a pause and on focus out (``FieldBinding`` → ``controller.edit_field``), picks commit at once;
  it never calls back into its page.

Every edit is one ``controller.edit(label, lambda ws: service(ws, …))`` line; the controller's
``changed`` Change (kinds and ids from the transaction) is all a view needs to refresh.
"""

from .columns import CENTER, CHOICE, COMBO, DATE, LONGTEXT, RATING, RIGHT, TEXT, Column, Item, \
    natural
from .delegates import (
    DateEditor,
    TableDelegate,
    TextBox,
    ValueCombo,
    compact,
    edit_triggers,
    editor_value,
    format_date,
    make_editor,
    rating_items,
    set_editor_value,
)
from .detail import DetailPanel
from .layout import ColumnLayout
from .model import IdRole, KeyRole, RowModel, linked_ids
from .proxy import NONE, FilterProxy, equals, flag

__all__ = ["CENTER", "CHOICE", "COMBO", "Column", "ColumnLayout", "DATE", "DateEditor",
           "DetailPanel", "FilterProxy", "IdRole", "Item", "KeyRole", "LONGTEXT", "NONE", "RATING",
           "RIGHT", "RowModel", "TEXT", "TableDelegate", "TextBox", "ValueCombo", "compact",
           "edit_triggers", "editor_value", "equals", "flag", "format_date", "linked_ids",
           "make_editor", "natural", "rating_items", "set_editor_value"]
