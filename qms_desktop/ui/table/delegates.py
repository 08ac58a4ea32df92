"""Editors shared by tables, detail panels and dialogs: choices (plain or searchable), dates that
may be empty, ratings with their labels, multi-line text — and :class:`TableDelegate`, which picks
the editor from the column's ``editor`` kind.

The same widgets serve the table, the detail panel and bulk-edit dialogs, so a value reads and is
picked the same way everywhere. Combos commit as soon as a value is picked in their popup;
multi-line text commits with Ctrl+Enter (Enter adds a line) or when left.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Mapping, Sequence

from PySide6.QtCore import QDate, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from .columns import CHOICE, COMBO, DATE, LONGTEXT, RATING, Item

NONE_ITEM: Item = ("—", None, "")


def rating_items(labels: Mapping[int, str], none_tip: str = "") -> list[Item]:
    """Items of a rating picker: "—" (not rated) then "n – label" for each rating."""
    return [("—", None, none_tip)] + [(f"{n} – {text}", n, text)
                                      for n, text in sorted(labels.items())]


class ValueCombo(QComboBox):
    """A combo box of (label, value, tooltip) items with value() / set_value(); ``searchable``
    lets the user type to find an item (any part of its label). ``picked`` is emitted when an
    item is chosen in the popup (not while typing)."""

    picked = Signal()

    def __init__(self, items: Sequence[Item], parent: QWidget | None = None, *,
                 searchable: bool = False):
        super().__init__(parent)
        self._values: list[Any] = []
        self.set_items(items)
        if searchable:
            self.setEditable(True)
            self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = self.completer()
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._popup = False
        self.activated.connect(self._activated)

    def showPopup(self) -> None:  # noqa: N802
        self._popup = True
        super().showPopup()

    def hidePopup(self) -> None:  # noqa: N802
        super().hidePopup()
        # ``activated`` follows in the same call when an item was chosen in the popup
        QTimer.singleShot(0, self._popup_closed)

    def _popup_closed(self) -> None:
        self._popup = False

    def _activated(self, _index: int) -> None:
        if self._popup:  # chosen in the popup (not by typing): commit at once
            self._popup = False
            self.picked.emit()

    def set_items(self, items: Sequence[Item]) -> None:
        current = self.value() if self._values else None
        self.blockSignals(True)
        self.clear()
        self.addItems([label for label, _v, _t in items])
        self._values = [value for _l, value, _t in items]
        for i, (_label, value, tip) in enumerate(items):
            if tip:
                self.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
            if value is not None:  # findData() works too
                self.setItemData(i, value, Qt.ItemDataRole.UserRole)
        self.set_value(current)
        self.blockSignals(False)
        longest = max((label for label, _v, _t in items), key=len, default="")
        self.view().setMinimumWidth(min(self.fontMetrics().horizontalAdvance(longest) + 40,
                                        720))

    def value(self) -> Any:
        i = self.currentIndex()
        if self.isEditable():
            text = self.currentText().strip()
            if i < 0 or self.itemText(i) != text:
                i = self.findText(text, Qt.MatchFlag.MatchFixedString)
        return self._values[i] if 0 <= i < len(self._values) else None

    def set_value(self, value: Any) -> None:
        for i, v in enumerate(self._values):
            if v == value and type(v) is type(value):
                self.setCurrentIndex(i)
                return
        self.setCurrentIndex(0 if self._values else -1)  # "—" when offered, else the first


@lru_cache(maxsize=1)
def date_format() -> str:
    """The user's short date format with a four-digit year (ISO 8601 in the C locale)."""
    from PySide6.QtCore import QLocale

    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return "yyyy-MM-dd"
    fmt = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:
        fmt = fmt.replace("yy", "yyyy")
    return fmt


def format_date(value: dt.date | None) -> str:
    """A date for display in the user's format ("" for None)."""
    if value is None:
        return ""
    return QDate(value.year, value.month, value.day).toString(date_format())


class DateEditor(QDateEdit):
    """A date that may be empty: the minimum date stands for "no date" (shown as —); Delete or
    Backspace on the whole field empties it."""

    NONE = QDate(1900, 1, 1)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setMinimumDate(self.NONE)
        self.setSpecialValueText("—")
        self.setDisplayFormat(date_format())
        self.setDate(self.NONE)

    def value(self) -> dt.date | None:
        d = self.date()
        return None if d == self.NONE or not d.isValid() else d.toPython()

    def set_value(self, value: dt.date | None) -> None:
        self.setDate(self.NONE if value is None else QDate(value.year, value.month, value.day))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and \
                (self.lineEdit().selectedText() == self.lineEdit().text() or
                 self.date() == self.NONE):
            self.setDate(self.NONE)
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self.date() == self.NONE:  # open the calendar on today, not on 1900
            self.calendarWidget().setSelectedDate(QDate.currentDate())
        super().mousePressEvent(event)


class TextBox(QPlainTextEdit):
    """Multi-line text; Tab moves on, and ``left`` is emitted when the user leaves it."""

    left = Signal()

    def __init__(self, parent: QWidget | None = None, lines: int = 0):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        if lines:
            self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.left.emit()


def compact(combo: QComboBox, chars: int) -> QComboBox:
    """Keep a combo narrow (its popup still shows long labels in full)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def make_editor(kind: str, parent: QWidget, items: Sequence[Item] = ()) -> QWidget:
    """The editor widget of an editor kind (``columns.TEXT``, ``CHOICE``…)."""
    if kind == RATING:
        combo = ValueCombo(items, parent)
        return compact(combo, 16) if len(items) > 6 else combo
    if kind == CHOICE:
        return ValueCombo(items, parent)
    if kind == COMBO:
        return compact(ValueCombo(items, parent, searchable=True), 18)
    if kind == DATE:
        return DateEditor(parent)
    if kind == LONGTEXT:
        return TextBox(parent)
    return QLineEdit(parent)


def editor_value(editor: QWidget) -> Any:
    if isinstance(editor, (ValueCombo, DateEditor)):
        return editor.value()
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    if isinstance(editor, QLineEdit):
        return editor.text()
    raise TypeError(type(editor).__name__)


def set_editor_value(editor: QWidget, value: Any) -> None:
    if isinstance(editor, (ValueCombo, DateEditor)):
        editor.set_value(value)
    elif isinstance(editor, QPlainTextEdit):
        editor.setPlainText(value or "")
    elif isinstance(editor, QLineEdit):
        editor.setText("" if value is None else str(value))


def source_of(index: QModelIndex | QPersistentModelIndex):
    """(the RowModel, its Column, the row) of a view index (through any proxies)."""
    model = index.model()
    while hasattr(model, "sourceModel"):
        index = model.mapToSource(index)
        model = model.sourceModel()
    return model, model.columns[index.column()], model.row_at(index.row())


class TableDelegate(QStyledItemDelegate):
    """Editors for a RowModel's cells, chosen from the column's ``editor`` kind and ``items``;
    a combo commits as soon as a value is picked, multi-line text with Ctrl+Enter."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        _model, column, row = source_of(index)
        items = column.items(row) if column.items is not None else ()
        editor = make_editor(column.editor, parent, items)
        if isinstance(editor, ValueCombo):
            editor.picked.connect(lambda e=editor: self._commit_and_close(e))
        editor.setAutoFillBackground(True)
        return editor

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget,  # noqa: N802
                      index: QModelIndex | QPersistentModelIndex) -> None:
        set_editor_value(editor, index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor: QWidget, model, index) -> None:  # noqa: N802
        model.setData(index, editor_value(editor), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                             index: QModelIndex | QPersistentModelIndex) -> None:
        rect = option.rect
        if isinstance(editor, QPlainTextEdit):
            rect = rect.adjusted(0, 0, max(0, 260 - rect.width()),
                                 editor.fontMetrics().height() * 4)
        elif isinstance(editor, (ValueCombo, DateEditor)):
            hint = editor.sizeHint()
            rect = rect.adjusted(0, 0, max(0, min(hint.width(), 240) - rect.width()), 0)
        editor.setGeometry(rect)

    def eventFilter(self, editor, event) -> bool:  # noqa: N802
        # Ctrl+Enter commits a multi-line text (plain Enter adds a line)
        if isinstance(editor, QPlainTextEdit) and event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._commit_and_close(editor)
            return True
        return super().eventFilter(editor, event)


def edit_triggers() -> QAbstractItemView.EditTrigger:
    """Edit on double-click, F2, typing, or a click on the current cell."""
    t = QAbstractItemView.EditTrigger
    return t.DoubleClicked | t.EditKeyPressed | t.AnyKeyPressed | t.SelectedClicked


__all__ = ["DateEditor", "NONE_ITEM", "TableDelegate", "TextBox", "ValueCombo", "compact",
           "date_format", "edit_triggers", "editor_value", "format_date", "make_editor",
           "rating_items", "set_editor_value", "source_of"]
