"""Selection by row id in a table-kit view (a view over a :class:`FilterProxy` of a
:class:`RowModel`): what every list page needs to read and restore the user's selection."""

from __future__ import annotations

from typing import Any, Iterable

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView

from .model import IdRole


def selected_ids(view: QAbstractItemView) -> list[int]:
    """The ids of the selected rows, top to bottom as shown."""
    rows = view.selectionModel().selectedRows()
    return [i.data(IdRole) for i in sorted(rows, key=lambda i: i.row())]


def current_row(view: QAbstractItemView, model) -> Any:
    """The row object of the view's current index (None when there is none)."""
    index = view.currentIndex()
    return model.get(index.data(IdRole)) if index.isValid() else None


def select_ids(view: QAbstractItemView, model, proxy, ids: Iterable[int], *,
               column: int = 0) -> None:
    """Select the rows ``ids`` (those shown; the first becomes current, in ``column``) and
    scroll them into sight."""
    sel = view.selectionModel()
    sel.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    first = True
    for rid in ids:
        pos = model.row_of(rid)
        if pos is None:
            continue
        index = proxy.mapFromSource(model.index(pos, column))
        if not index.isValid():
            continue
        if first:
            sel.setCurrentIndex(index, flags)
            first = False
        else:
            sel.select(index, flags)
        view.scrollTo(index)
