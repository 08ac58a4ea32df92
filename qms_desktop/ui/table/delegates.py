"""Editors shared by tables, detail panels and dialogs: choices (plain or searchable), dates that
may be empty, ratings with their labels, multi-line text — and :class:`TableDelegate`, which picks
the editor from the column's ``editor`` kind.

The same widgets serve the table, the detail panel and bulk-edit dialogs, so a value reads and is
picked the same way everywhere. Combos commit as soon as a value is picked in their popup;
multi-line text commits with Ctrl+Enter (Enter adds a line) or when left.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Mapping, Sequence

from PySide6.QtCore import QCoreApplication, QDate, QEvent, QModelIndex, QPersistentModelIndex, \
    QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPalette, QPixmap, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QFrame,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...core.dates import DMY, MDY, DateRead, read_date, slash_parts

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


def tr(text: str) -> str:
    return QCoreApplication.translate("table", text)


def date_order() -> str:
    """"dmy" or "mdy": which comes first in the user's short date format (for slash dates)."""
    fmt = date_format()
    d, m = fmt.find("d"), fmt.find("M")
    return DMY if 0 <= d < m else MDY


def slash_order() -> str | None:
    """The order typed slash dates are read in: the user's day/month order, or None when the
    display format is year first (ISO, the C locale) and so has none — then a slash date is
    read either way when only one way is a date (20/01/2027 is 20 January) and refused when
    both are (03/04/2027)."""
    fmt = date_format()
    y, d, m = fmt.find("y"), fmt.find("d"), fmt.find("M")
    if 0 <= y < min(d, m):
        return None
    return date_order()


_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _examples() -> str:
    """"2026-12-05" or "12/5/2026 or 2026-12-05": today in the user's format and ISO (once
    when they are the same)."""
    today = dt.date.today()
    shown, iso = format_date(today), today.isoformat()
    return iso if shown == iso else tr("{example} or {iso}").format(example=shown, iso=iso)


def _slash_problem(text: str, first: int, second: int, year: int, order: str | None) -> str:
    """The sentence for a slash date that cannot be read, said for a form field."""
    if order is None:
        if first <= 12 and second <= 12:  # both ways are dates
            a, b = dt.date(year, second, first), dt.date(year, first, second)
            return tr("“{text}” could be {a} or {b}: type it as {a_iso} or {b_iso}.").format(
                text=text, a=f"{a.day} {a.strftime('%B')}", b=f"{b.day} {b.strftime('%B')}",
                a_iso=a.isoformat(), b_iso=b.isoformat())
        return ""
    way = tr("day/month/year") if order == DMY else tr("month/day/year")
    month = second if order == DMY else first
    if month > 12:
        return tr("“{text}” is not a date written {way} (there is no month {month}); type it "
                  "as {examples}.").format(text=text, way=way, month=month,
                                           examples=_examples())
    return ""


def read_typed_date(text: str) -> DateRead:
    """What a date typed by the user reads as: the user's own format first, then everything
    :func:`core.dates.read_date` knows (ISO 2027-01-20, 20.01.2027 day first, "20 Jan
    2027"…), slash dates in the user's day/month order (:func:`slash_order`; under an ISO
    display either way when only one is a date). A bare number (other than 20270120) is
    refused: "15" is not the 15th of some month and never Excel's serial 15."""
    text = " ".join(text.split())
    if not text:
        return DateRead(None)
    q = QDate.fromString(text, date_format())
    if q.isValid():
        return DateRead(q.toPython())
    if _BARE_NUMBER.fullmatch(text) and not (len(text) == 8 and text.isdigit()):
        return DateRead(None, tr("“{text}” is not a date; type it as {examples}.")
                        .format(text=text, examples=_examples()))
    order = slash_order()
    got = read_date(text, order=order)
    if got.problem:
        parts = slash_parts(text)
        match = _YEAR_AT_END.search(text)
        if parts is not None and match is not None:
            year = int(match[1])
            year += (2000 if year < 30 else 1900) if len(match[1]) == 2 else 0
            problem = _slash_problem(text, parts[0], parts[1], year, order)
            if problem:
                return DateRead(None, problem, ambiguous=order is None)
    return got


_YEAR_AT_END = re.compile(r"[/-](\d{2}|\d{4})(?:\s.*)?$")


def _calendar_icon(widget: QWidget) -> QIcon:
    """A small calendar drawn in the widget's text colour (no icon theme needed)."""
    size = 16
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    colour = widget.palette().color(QPalette.ColorRole.Text)
    p = QPainter(pix)
    p.setPen(colour)
    p.drawRect(1, 3, 13, 11)
    p.fillRect(1, 3, 14, 3, colour)
    p.drawLine(4, 1, 4, 3)
    p.drawLine(11, 1, 11, 3)
    for x in (4, 7, 10):
        for y in (8, 11):
            p.fillRect(x, y, 2, 2, colour)
    p.end()
    return QIcon(pix)


def tell(widget: QWidget, text: str) -> None:
    """Show a one-sentence message at ``widget`` (a tooltip) and in its window's status bar."""
    bar = getattr(widget.window(), "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 10000)
    QToolTip.showText(widget.mapToGlobal(QPoint(0, widget.height())), text, widget)


class DateEditor(QAbstractSpinBox):
    """A date that may be empty, typed as text or picked in a calendar (the button at its right,
    or Alt+Down / F4).

    Typed text is read by :func:`read_typed_date` (the user's format, ISO yyyy-mm-dd and the
    other ways :mod:`core.dates` reads) when the user presses Enter or leaves the field, and
    then shown in the user's format. Text that is not a real date ("2027-02-31") is **refused**:
    the field is marked (property ``invalid``, red) with the reason as its tooltip, ``refused``
    is emitted with that sentence, and :meth:`value` keeps the last date that was accepted —
    it never becomes another date. Up/Down step a day (starting from today in an empty field);
    an empty field shows "—" (or :meth:`setSpecialValueText`); emptying the text empties it.
    A click into a field that was not being edited selects its text, so typing replaces it.

    ``dateChanged(value)`` follows :meth:`set_value`, Up/Down and a calendar pick (typed text
    is taken by whoever listens to ``editingFinished``, as with a line edit); ``picked`` follows
    a calendar pick."""

    #: what :meth:`date` gives for an empty field (QDateEdit's "minimum date" of the old editor)
    NONE = QDate(1900, 1, 1)

    dateChanged = Signal(object)  # noqa: N815 (Qt's name) — a datetime.date or None
    picked = Signal()
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._value: dt.date | None = None
        self._tip = ""
        self._refused_text: str | None = None
        self._popup: QFrame | None = None
        self.calendar: QCalendarWidget | None = None
        #: a date is required (emptying is refused with ``_required_why``)
        self.required = False
        self._required_why = ""
        #: the first and last day allowed (None: no bound) and why, said when refused
        self.earliest: dt.date | None = None
        self.latest: dt.date | None = None
        self._early_why = self._late_why = ""
        self.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel never grabs it in passing
        edit = self.lineEdit()
        edit.setPlaceholderText("—")
        self.calendar_action = edit.addAction(_calendar_icon(self),
                                              QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip(tr("Pick the day in a calendar (Alt+Down)"))
        self.calendar_action.triggered.connect(self.show_calendar)
        edit.textEdited.connect(self._edited)
        self.setProperty("invalid", False)

    # ------------------------------------------------------------------ rules
    def set_required(self, required: bool = True, why: str = "") -> None:
        """A date must be given: emptying the field is refused with ``why`` (a sentence)."""
        self.required = required
        self._required_why = why

    def set_latest(self, day: dt.date | None, why: str = "") -> None:
        """Days after ``day`` are refused with ``why`` (a sentence; "{day}" is replaced by the
        typed day and "{latest}" by ``day``, both in the user's format). None: no bound."""
        self.latest = day
        self._late_why = why

    def set_earliest(self, day: dt.date | None, why: str = "") -> None:
        """Days before ``day`` are refused with ``why`` (as :meth:`set_latest`)."""
        self.earliest = day
        self._early_why = why

    def read(self, text: str) -> DateRead:
        """What ``text`` reads as in this field: :func:`read_typed_date`, then the field's
        rules (required, earliest, latest) — a day they do not allow is refused, never moved."""
        got = read_typed_date(text)
        if got.problem:
            return got
        day = got.date
        if day is None:
            if self.required:
                return DateRead(None, self._required_why or
                                tr("A date is required here; type one or pick it in the "
                                   "calendar."))
            return got
        if self.latest is not None and day > self.latest:
            why = self._late_why or tr("{day} is after {latest}, the last day allowed here.")
            return DateRead(None, why.format(day=format_date(day),
                                             latest=format_date(self.latest)))
        if self.earliest is not None and day < self.earliest:
            why = self._early_why or tr("{day} is before {earliest}, the first day allowed "
                                        "here.")
            return DateRead(None, why.format(day=format_date(day),
                                             earliest=format_date(self.earliest)))
        return got

    # ------------------------------------------------------------------ value
    def value(self) -> dt.date | None:
        """The date the text reads as (None when empty); while the text is no date or one the
        field's rules refuse (see :attr:`problem`), the last date accepted."""
        got = self.read(self.text())
        return self._value if got.problem else got.date

    def set_value(self, value: dt.date | None) -> None:
        """Show ``value`` (None: empty), dropping any refused text."""
        if isinstance(value, dt.datetime):
            value = value.date()
        self._show(value)
        self._unmark()
        self._set(value)

    @property
    def problem(self) -> str:
        """Why the text is not a date this field takes ("" when it is one, or is empty and may
        be)."""
        return self.read(self.text()).problem

    def accept_text(self) -> bool:
        """Read what was typed: a date (or nothing) is taken and shown in the user's format —
        True; anything else marks the field, says why (``refused``, once per text) — False."""
        got = self.read(self.text())
        if got.problem:
            if self._refused_text != self.text():
                self._refused_text = self.text()
                self._mark(got.problem)
                self.refused.emit(got.problem)
            return False
        self._unmark()
        self._value = got.date
        if self.text() != format_date(got.date):
            self._show(got.date)
        return True

    def _set(self, value: dt.date | None) -> None:
        changed = value != self._value
        self._value = value
        if changed:
            self.dateChanged.emit(value)

    def _show(self, value: dt.date | None) -> None:
        self.lineEdit().setText(format_date(value))

    # the QDateEdit calls that callers of the old editor made
    def date(self) -> QDate:
        v = self.value()
        return self.NONE if v is None else QDate(v.year, v.month, v.day)

    def setDate(self, date: "QDate | dt.date") -> None:  # noqa: N802
        if isinstance(date, dt.date):
            self.set_value(date)
            return
        self.set_value(None if date == self.NONE or not date.isValid() else date.toPython())

    def minimumDate(self) -> QDate:  # noqa: N802
        return self.NONE

    def setSpecialValueText(self, text: str) -> None:  # noqa: N802
        """What an empty field shows (a placeholder; typing replaces it)."""
        self.lineEdit().setPlaceholderText(text)

    def specialValueText(self) -> str:  # noqa: N802
        return self.lineEdit().placeholderText()

    # ------------------------------------------------------------------ invalid mark
    def setToolTip(self, text: str) -> None:  # noqa: N802
        self._tip = text
        if not self.property("invalid"):
            super().setToolTip(text)

    def _mark(self, problem: str) -> None:
        self.setProperty("invalid", True)
        super().setToolTip(problem + (f"\n{self._tip}" if self._tip else ""))
        pal = self.lineEdit().palette()
        pal.setColor(QPalette.ColorRole.Base, QColor("#fde2e1"))
        pal.setColor(QPalette.ColorRole.Text, QColor("#8a1010"))
        self.lineEdit().setPalette(pal)
        if self.isVisible():
            tell(self, problem)

    def _unmark(self) -> None:
        self._refused_text = None
        if self.property("invalid"):
            self.setProperty("invalid", False)
            super().setToolTip(self._tip)
            self.lineEdit().setPalette(QPalette())  # the inherited colours again

    def _edited(self, text: str) -> None:
        if self.property("invalid") and not self.read(text).problem:
            self._unmark()  # corrected: the mark goes as soon as it reads

    # ------------------------------------------------------------------ QAbstractSpinBox
    def validate(self, text: str, pos: int):  # any text may be typed; it is read on Enter
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        return text

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802
        if self.isReadOnly():
            return QAbstractSpinBox.StepEnabledFlag.StepNone
        return (QAbstractSpinBox.StepEnabledFlag.StepUpEnabled |
                QAbstractSpinBox.StepEnabledFlag.StepDownEnabled)

    def stepBy(self, steps: int) -> None:  # noqa: N802
        """Up/Down: a day later/earlier (within the field's earliest/latest); in an empty
        field, today."""
        got = self.read(self.text())
        base = self._value if got.problem else got.date
        value = dt.date.today() if base is None else base + dt.timedelta(days=steps)
        if self.latest is not None:
            value = min(value, self.latest)
        if self.earliest is not None:
            value = max(value, self.earliest)
        self._show(value)
        self._unmark()
        self._set(value)
        self.selectAll()

    def clear(self) -> None:
        self.set_value(None)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_F4 or (key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and
                                    event.modifiers() & Qt.KeyboardModifier.AltModifier):
            self.show_calendar()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_text()
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        if event.reason() == Qt.FocusReason.MouseFocusReason:
            # after the click has placed the cursor: the whole date, so typing replaces it
            QTimer.singleShot(0, self, self.selectAll)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.accept_text()
        super().focusOutEvent(event)  # editingFinished

    def wheelEvent(self, event) -> None:  # noqa: N802
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # scrolling the panel over it does not change the date

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = self.fontMetrics()
        text = max((format_date(dt.date(2026, 12, 28)), self.specialValueText()),
                   key=fm.horizontalAdvance)
        hint = super().sizeHint()
        width = fm.horizontalAdvance(text) + 16 + 4 * 6  # the text, the calendar button, frame
        return QSize(max(width, 90), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    # ------------------------------------------------------------------ calendar
    def show_calendar(self) -> None:
        """Open the calendar on the field's date (today when empty or not a date)."""
        if self.isReadOnly() or not self.isEnabled():
            return
        if self._popup is None:
            self._popup = QFrame(self, Qt.WindowType.Popup)
            self._popup.setFrameShape(QFrame.Shape.StyledPanel)
            lay = QVBoxLayout(self._popup)
            lay.setContentsMargins(0, 0, 0, 0)
            self.calendar = QCalendarWidget(self._popup)
            self.calendar.setVerticalHeaderFormat(
                QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
            lay.addWidget(self.calendar)
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
        first = self.earliest or dt.date(1752, 9, 14)
        last = self.latest or dt.date(9999, 12, 31)
        self.calendar.setDateRange(QDate(first.year, first.month, first.day),
                                   QDate(last.year, last.month, last.day))
        day = min(max(self.value() or dt.date.today(), first), last)
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self._popup.adjustSize()
        pos = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry()
        size = self._popup.sizeHint()
        pos.setX(max(screen.left(), min(pos.x(), screen.right() - size.width())))
        if pos.y() + size.height() > screen.bottom():
            pos.setY(self.mapToGlobal(QPoint(0, 0)).y() - size.height())
        self._popup.move(pos)
        self._popup.show()
        self.calendar.setFocus()

    def _picked(self, date: QDate) -> None:
        value = date.toPython()
        self._show(value)
        self._unmark()
        self._set(value)  # dateChanged while the calendar has the focus: panels commit
        if self._popup is not None:
            self._popup.hide()
        self.picked.emit()


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
        if isinstance(editor, (ValueCombo, DateEditor)):
            editor.picked.connect(lambda e=editor: self._commit_and_close(e))
        editor.setAutoFillBackground(True)
        return editor

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget,  # noqa: N802
                      index: QModelIndex | QPersistentModelIndex) -> None:
        set_editor_value(editor, index.data(Qt.ItemDataRole.EditRole))
        if isinstance(editor, DateEditor):
            editor.selectAll()  # a key that opened the editor replaces the date

    def setModelData(self, editor: QWidget, model, index) -> None:  # noqa: N802
        if isinstance(editor, DateEditor) and not editor.accept_text():
            tell(editor.parentWidget() or editor, editor.problem)  # refused: nothing stored
            return
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
        # a date that cannot be read keeps its editor open, marked, on Enter or Tab
        if isinstance(editor, DateEditor) and event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab,
                                Qt.Key.Key_Backtab) and not editor.accept_text():
            return True
        return super().eventFilter(editor, event)


def edit_triggers() -> QAbstractItemView.EditTrigger:
    """Edit on double-click, F2, typing, or a click on the current cell."""
    t = QAbstractItemView.EditTrigger
    return t.DoubleClicked | t.EditKeyPressed | t.AnyKeyPressed | t.SelectedClicked


__all__ = ["DateEditor", "NONE_ITEM", "TableDelegate", "TextBox", "ValueCombo", "compact",
           "date_format", "date_order", "edit_triggers", "editor_value", "format_date",
           "make_editor", "rating_items", "read_typed_date", "set_editor_value", "slash_order",
           "source_of",
           "tell"]
