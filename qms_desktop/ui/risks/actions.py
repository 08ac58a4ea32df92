"""The treatment actions of one risk: a table model over ``services.risks.ActionRow`` and its
delegate (owner picker, due date, status, effectiveness check)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QStyledItemDelegate, QWidget

from ...services.risks import ActionRow
from . import style
from .columns import CHOICE, DATE, LINK, TEXT
from .delegates import Choices, ValueCombo, editor_value, format_date, make_editor, \
    set_editor_value

_D = Qt.ItemDataRole


@dataclass(frozen=True)
class ActionColumn:
    key: str
    title: str
    kind: str
    editable: bool = True
    #: field name for the editor's items (action statuses and "effective" have their own)
    items: str = ""


def action_columns() -> tuple[ActionColumn, ...]:
    return (
        ActionColumn("ref", style.tr("ID"), TEXT, False),
        ActionColumn("title", style.tr("Action"), TEXT),
        ActionColumn("owner_id", style.tr("Owner"), LINK),
        ActionColumn("due_date", style.tr("Due"), DATE),
        ActionColumn("status", style.tr("Status"), CHOICE, items="action_status"),
        ActionColumn("completed_on", style.tr("Completed"), DATE, False),
        ActionColumn("effectiveness_check", style.tr("Effectiveness check"), TEXT),
        ActionColumn("effective", style.tr("Effective?"), CHOICE, items="effective"),
    )


class ActionTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns = action_columns()
        self.rows: list[ActionRow] = []
        self.palette = style.Palette()
        self.read_only = False
        #: called with (action id, field, value) to make an edit; True when it was made
        self.committer: Callable[[int, str, Any], bool] | None = None

    def set_rows(self, rows: list[ActionRow]) -> None:
        if [r.id for r in rows] == [r.id for r in self.rows]:
            self.rows = list(rows)
            if rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(rows) - 1, len(self.columns) - 1))
            return
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _D.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _D.DisplayRole and \
                0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if not self.read_only and self.columns[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    @staticmethod
    def _date(value: dt.date | None) -> str:
        return format_date(value)

    def display(self, row: ActionRow, column: ActionColumn) -> str:
        value = getattr(row, column.key)
        if column.key == "owner_id":
            return row.owner
        if column.kind == DATE:
            return self._date(value)
        if column.key == "status":
            return style.action_status_label(value)
        if column.key == "effective":
            return "" if value is None else (style.tr("Effective") if value
                                             else style.tr("Not effective"))
        return value or ""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _D.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == _D.DisplayRole:
            return self.display(row, column)
        if role == _D.EditRole:
            return getattr(row, column.key)
        if role == _D.ForegroundRole and row.overdue and column.key in ("due_date", "ref"):
            return self.palette.overdue
        if role == _D.DecorationRole and row.overdue and column.key == "due_date":
            return self.palette.overdue_icon()
        if role == _D.ToolTipRole:
            if row.overdue and column.key in ("due_date", "ref"):
                return style.tr("Overdue: due {date} and not done yet.").format(
                    date=self._date(row.due_date))
            if column.kind == TEXT and getattr(row, column.key):
                return getattr(row, column.key)
        if role == _D.AccessibleTextRole:
            text = self.display(row, column)
            if row.overdue and column.key == "due_date":
                text = style.tr("{text}, overdue").format(text=text)
            return text
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = _D.EditRole) -> bool:
        if role != _D.EditRole or not index.isValid() or self.committer is None:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if isinstance(value, QDate):
            value = value.toPython() if value.isValid() else None
        if value == getattr(row, column.key) and type(value) is type(getattr(row, column.key)):
            return False
        return bool(self.committer(row.id, column.key, value))


class ActionDelegate(QStyledItemDelegate):
    def __init__(self, choices: Choices, parent: QWidget | None = None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        column = index.model().columns[index.column()]
        editor = make_editor(column.kind, column.items or column.key, parent, self.choices)
        if isinstance(editor, ValueCombo):
            editor.picked.connect(lambda e=editor: self._commit_and_close(e))
        editor.setAutoFillBackground(True)
        return editor

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor, index) -> None:
        set_editor_value(editor, index.data(_D.EditRole))

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor_value(editor), _D.EditRole)


def status_change(old: ActionRow, new_status: str, today: dt.date | None = None
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old values, new values) for setting an action's status: completing it dates it,
    reopening it clears the completion date."""
    finished = ("done", "verified")
    old_values = {"status": old.status, "completed_on": old.completed_on}
    new_values: dict[str, Any] = {"status": new_status}
    if new_status in finished and old.status not in finished:
        new_values["completed_on"] = old.completed_on or today or dt.date.today()
    elif new_status not in finished and old.completed_on is not None:
        new_values["completed_on"] = None
    else:
        new_values["completed_on"] = old.completed_on
    return old_values, new_values
