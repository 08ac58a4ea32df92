"""Editors for the register's cells: ratings with their labels and help texts, enum combos,
dates that may be empty, and person/process/step pickers.

The same editor widgets serve the table (through :class:`RiskDelegate`), the detail panel and
the bulk-edit dialog, so a rating reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Callable, Sequence

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

from ...core.risk import DETECTION_HELP, KINDS, METHODS, OCCURRENCE_HELP, SEVERITY_HELP, STATUSES
from . import style
from .columns import CHOICE, DATE, LINK, LONGTEXT, RATING5, RATING10

HELP10 = {"severity": SEVERITY_HELP, "occurrence": OCCURRENCE_HELP, "detection": DETECTION_HELP}
ACTION_STATUSES = ("open", "in_progress", "done", "verified", "cancelled")


def rating_items(field: str) -> list[tuple[str, int | None, str]]:
    """(label, value, tooltip) items of a rating picker for ``field``."""
    items: list[tuple[str, int | None, str]] = [("—", None, style.tr("Not rated"))]
    if field in HELP10:
        help_ = HELP10[field]
        for n in range(1, 11):
            items.append((f"{n} – {help_[n]}", n, help_[n]))
        return items
    label = style.likelihood_label if field.endswith("likelihood") else style.impact_label
    for n in range(1, 6):
        items.append((f"{n} – {label(n)}", n, label(n)))
    return items


def choice_items(field: str) -> list[tuple[str, Any, str]]:
    if field == "kind":
        return [(style.kind_label(k), k, "") for k in KINDS]
    if field == "status":
        return [(style.status_label(s), s, "") for s in STATUSES]
    if field == "method":
        return [(style.method_label(m), m, "") for m in METHODS]
    if field == "action_status":
        return [(style.action_status_label(s), s, "") for s in ACTION_STATUSES]
    if field == "effective":
        return [("—", None, style.tr("Not checked yet")), (style.tr("Effective"), True, ""),
                (style.tr("Not effective"), False, "")]
    raise KeyError(field)


class ValueCombo(QComboBox):
    """A combo box of (label, value, tooltip) items with value() / set_value()."""

    picked = Signal()

    def __init__(self, items: Sequence[tuple[str, Any, str]], parent: QWidget | None = None, *,
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

    def set_items(self, items: Sequence[tuple[str, Any, str]]) -> None:
        current = self.value() if self._values else None
        self.blockSignals(True)
        self.clear()
        self.addItems([label for label, _v, _t in items])
        self._values = [value for _l, value, _t in items]
        for i, (_label, _value, tip) in enumerate(items):
            if tip:
                self.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
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
        self.setDisplayFormat(self._format())
        self.setDate(self.NONE)

    @staticmethod
    def _format() -> str:
        return date_format()

    def value(self) -> dt.date | None:
        d = self.date()
        return None if d == self.NONE or not d.isValid() else d.toPython()

    def set_value(self, value: dt.date | None) -> None:
        if value is None:
            self.setDate(self.NONE)
        else:
            self.setDate(QDate(value.year, value.month, value.day))

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


class Choices:
    """People, processes and steps offered by the pickers (re-read when those change)."""

    def __init__(self, lookups: Callable[[], dict], steps: Callable[[int], list]):
        self._lookups = lookups
        self._steps = steps
        self._cache: dict | None = None
        self._step_cache: dict[int, list] = {}
        #: grows whenever the choices may have changed (editors holding a list compare it)
        self.version = 0

    def invalidate(self) -> None:
        self._cache = None
        self._step_cache.clear()
        self.version += 1

    def items(self, field: str, process_id: int | None = None) -> list[tuple[str, Any, str]]:
        none = [("—", None, "")]
        if field == "node_id":
            if process_id is None:
                return none
            steps = self._step_cache.get(process_id)
            if steps is None:
                steps = self._steps(process_id)
                self._step_cache[process_id] = steps
            return none + [(c.name, c.id, "") for c in steps]
        if self._cache is None:
            self._cache = self._lookups()
        return none + [(c.name, c.id, "") for c in self._cache.get(field, [])]


def make_editor(kind: str, field: str, parent: QWidget, choices: Choices | None = None,
                process_id: int | None = None) -> QWidget:
    """The editor widget for a field of ``kind`` (a column kind)."""
    if kind in (RATING5, RATING10):
        combo = ValueCombo(rating_items(field), parent)
        if kind == RATING10:  # long help texts: the popup shows them in full
            _compact(combo, 16)
        return combo
    if kind == CHOICE:
        return ValueCombo(choice_items(field), parent)
    if kind == LINK:
        items = choices.items(field, process_id) if choices is not None else [("—", None, "")]
        return _compact(ValueCombo(items, parent, searchable=True), 18)
    if kind == DATE:
        return DateEditor(parent)
    if kind == LONGTEXT:
        editor = QPlainTextEdit(parent)
        editor.setTabChangesFocus(True)
        return editor
    return QLineEdit(parent)


def _compact(combo: QComboBox, chars: int) -> QComboBox:
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


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


class RiskDelegate(QStyledItemDelegate):
    """Editors for the register table, chosen from the column's kind; combos commit as soon as
    a value is picked."""

    def __init__(self, choices: Choices, parent: QWidget | None = None):
        super().__init__(parent)
        self.choices = choices

    def _column(self, index: QModelIndex | QPersistentModelIndex):
        model = index.model()
        while hasattr(model, "sourceModel"):
            index = model.mapToSource(index)
            model = model.sourceModel()
        return model, model.columns[index.column()], model.row_at(index.row())

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        _model, column, row = self._column(index)
        editor = make_editor(column.kind, column.key, parent, self.choices, row.process_id)
        if isinstance(editor, ValueCombo):
            editor.picked.connect(lambda e=editor: self._commit_and_close(e))
        editor.setAutoFillBackground(True)
        return editor

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        set_editor_value(editor, index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor: QWidget, model, index) -> None:
        model.setData(index, editor_value(editor), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,
                             index: QModelIndex | QPersistentModelIndex) -> None:
        rect = option.rect
        if isinstance(editor, QPlainTextEdit):
            rect = rect.adjusted(0, 0, max(0, 260 - rect.width()), editor.fontMetrics().height()
                                 * 4)
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
    t = QAbstractItemView.EditTrigger
    return t.DoubleClicked | t.EditKeyPressed | t.AnyKeyPressed | t.SelectedClicked

