"""The register's table model (a row cache that never queries while painting) and its filter
proxy.

The model holds ``services.risks.RiskRow`` dataclasses, computed scores included; painting,
sorting and filtering read that cache only. Edits go to ``committer(ids, values)`` (the page
pushes an undo command); the page then hands back the re-read rows (:meth:`update_rows`) or a
full list (:meth:`set_rows`), which is merged in place so selection and scroll survive.

Sorting happens in the model (one Python ``list.sort`` with a key, milliseconds for thousands of
rows) rather than through ``lessThan`` calls; the proxy forwards ``sort()`` to it and only
filters.
"""

from __future__ import annotations

import datetime as dt
import re
from operator import attrgetter
from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from ...core.risk import (
    DETECTION_HELP,
    LEVELS,
    METHODS,
    OCCURRENCE_HELP,
    SEVERITY_HELP,
    STATUSES,
)
from ...services.risks import RiskRow
from . import style
from .delegates import format_date
from .columns import (
    ACTIONS,
    AP,
    CHOICE,
    DATE,
    LEVEL,
    LINK,
    LONGTEXT,
    NUMBER,
    RATING5,
    RATING10,
    TEXT,
    Column,
    all_columns,
)

IdRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2

_D = Qt.ItemDataRole
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_SEARCHED = ("ref", "title", "category", "process", "step", "cause", "effect", "owner",
             "controls", "treatment", "failure_mode", "notes")
_searched = attrgetter(*_SEARCHED)
_HELP10 = {"severity": SEVERITY_HELP, "occurrence": OCCURRENCE_HELP, "detection": DETECTION_HELP}
_AP_RANK = {"H": 3, "M": 2, "L": 1}
_LEVEL_RANK = {name: i for i, name in enumerate(LEVELS)}
_STATUS_RANK = {name: i for i, name in enumerate(STATUSES)}
_METHOD_RANK = {name: i for i, name in enumerate(METHODS)}
_DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(text.casefold()))


def applies(row: RiskRow, column: Column) -> bool:
    """Whether ``column``'s scoring method is the one (or one of those) ``row`` uses."""
    method = column.method
    return not method or row.method == "both" or row.method == method


def _sort_key(column: Column) -> Callable[[RiskRow], Any]:
    """A key giving None for empty values (which always sort last)."""
    attr, kind = column.attr, column.kind
    if column.key == "ref":
        return lambda r: _natural(r.ref) if r.ref else None
    if kind in (TEXT, LONGTEXT, LINK):
        return lambda r: getattr(r, attr).casefold() or None
    if kind == LEVEL:
        return lambda r: _LEVEL_RANK.get(getattr(r, attr))
    if kind == AP:
        return lambda r: _AP_RANK.get(r.ap)
    if kind == ACTIONS:
        return lambda r: (r.overdue_actions, r.open_actions) if r.open_actions else None
    if kind == CHOICE:
        rank = {"status": _STATUS_RANK, "method": _METHOD_RANK}.get(column.key)
        if rank:
            return lambda r: rank.get(getattr(r, attr), len(rank))
        return lambda r: getattr(r, attr) or None
    return lambda r: getattr(r, attr)


class RiskTableModel(QAbstractTableModel):
    """Rows of the register; one column per :func:`columns.all_columns` entry."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns: tuple[Column, ...] = all_columns()
        self.column_of = {c.key: i for i, c in enumerate(self.columns)}
        self._rows: list[RiskRow] = []
        self._pos: dict[int, int] = {}
        self._hay: dict[int, str] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.palette = style.Palette()
        self.locale = QLocale()
        self.read_only = False
        #: called with (ids, {field: value}) to make an edit; returns True when it was made
        self.committer: Callable[[list[int], dict[str, Any]], bool] | None = None

    # ------------------------------------------------------------------ cache
    @property
    def rows(self) -> list[RiskRow]:
        return self._rows

    def row_at(self, row: int) -> RiskRow:
        return self._rows[row]

    def row_of(self, rid: int) -> int | None:
        return self._pos.get(rid)

    def risk(self, rid: int) -> RiskRow | None:
        i = self._pos.get(rid)
        return None if i is None else self._rows[i]

    def haystack(self, row: RiskRow) -> str:
        """The row's searchable text, lower-cased (cached until the row changes)."""
        text = self._hay.get(row.id)
        if text is None:
            text = "\n".join(_searched(row)).casefold()
            self._hay[row.id] = text
        return text

    def _reindex(self) -> None:
        self._pos = {r.id: i for i, r in enumerate(self._rows)}

    def set_rows(self, rows: Sequence[RiskRow]) -> None:
        """Replace the cache with ``rows``; rows kept keep their place, selection and scroll."""
        if not self._rows or not rows:
            self.beginResetModel()
            self._rows = list(rows)
            self._hay.clear()
            self._reindex()
            self._apply_sort(reset=True)
            self.endResetModel()
            return
        fresh = {r.id: r for r in rows}
        gone = [i for i, r in enumerate(self._rows) if r.id not in fresh]
        self._remove_positions(gone)
        for i, old in enumerate(self._rows):
            self._rows[i] = fresh[old.id]
        self._hay.clear()
        added = [r for r in rows if r.id not in self._pos]
        if added:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._rows.extend(added)
            self._reindex()
            self.endInsertRows()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))
        self._apply_sort()

    def update_rows(self, rows: Iterable[RiskRow]) -> None:
        """Put re-read rows in place (new ones are appended; use :meth:`remove_ids` for gone)."""
        added = []
        for r in rows:
            i = self._pos.get(r.id)
            if i is None:
                added.append(r)
                continue
            self._rows[i] = r
            self._hay.pop(r.id, None)
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))
        if added:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._rows.extend(added)
            self._reindex()
            self.endInsertRows()

    def remove_ids(self, ids: Iterable[int]) -> None:
        self._remove_positions(sorted(self._pos[i] for i in ids if i in self._pos))

    def _remove_positions(self, positions: list[int]) -> None:
        if not positions:
            return
        # contiguous runs, removed from the bottom up
        runs: list[list[int]] = []
        for p in positions:
            if runs and p == runs[-1][1] + 1:
                runs[-1][1] = p
            else:
                runs.append([p, p])
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            for r in self._rows[first:last + 1]:
                self._hay.pop(r.id, None)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        self._reindex()

    # ------------------------------------------------------------------ sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = None if column < 0 or column >= len(self.columns) else (column, order)
        self._apply_sort()

    @property
    def sort_spec(self) -> tuple[int, Qt.SortOrder] | None:
        return self._sort

    def _apply_sort(self, reset: bool = False) -> None:
        if not self._rows:
            return
        if self._sort is None:
            ordered = sorted(self._rows, key=lambda r: r.id)
        else:
            column, order = self._sort
            key = _sort_key(self.columns[column])
            keyed = [(key(r), r) for r in self._rows]
            present = [kr for kr in keyed if kr[0] is not None]
            missing = [kr[1] for kr in keyed if kr[0] is None]
            present.sort(key=lambda kr: kr[0], reverse=order == Qt.SortOrder.DescendingOrder)
            ordered = [kr[1] for kr in present] + missing
        if reset:
            self._rows = ordered
            self._reindex()
            return
        if all(a is b for a, b in zip(ordered, self._rows)):
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._rows[i.row()].id if 0 <= i.row() < len(self._rows) else None
                   for i in old]
        self._rows = ordered
        self._reindex()
        new = [self.index(self._pos[rid], i.column()) if rid in self._pos else QModelIndex()
               for rid, i in zip(old_ids, old)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _D.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == _D.DisplayRole:
            return column.title
        if role == _D.ToolTipRole:
            return column.tooltip or column.title
        if role == KeyRole:
            return column.key
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        column = self.columns[index.column()]
        if self.read_only or not column.editable:
            return flags
        if column.key == "node_id" and self._rows[index.row()].process_id is None:
            return flags  # choose a process first
        return flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _D.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == _D.DisplayRole:
            return self.display(row, column)
        if role == _D.EditRole:
            return self.edit_value(row, column)
        if role == _D.BackgroundRole:
            if column.kind == LEVEL and applies(row, column):
                return self.palette.level_colours(getattr(row, column.key))[0]
            if column.kind == AP and applies(row, column):
                return self.palette.ap_colours(row.ap)[0]
            return None
        if role == _D.ForegroundRole:
            return self._foreground(row, column)
        if role == _D.DecorationRole:
            return self._decoration(row, column)
        if role == _D.TextAlignmentRole:
            if column.kind in (RATING5, RATING10, NUMBER):
                return _CENTER
            return None
        if role == _D.ToolTipRole:
            return self.tooltip(row, column)
        if role == _D.AccessibleTextRole:
            text = self.display(row, column)
            if column.key in ("review_date", "ref") and row.review_overdue:
                text = style.tr("{text}, review overdue").format(text=text)
            return text
        if role == IdRole:
            return row.id
        if role == KeyRole:
            return column.key
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = _D.EditRole) -> bool:
        if role != _D.EditRole or not index.isValid() or self.committer is None:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if isinstance(value, QDate):
            value = value.toPython() if value.isValid() else None
        if value == self.edit_value(row, column):
            return False
        return bool(self.committer([row.id], {column.key: value}))

    # ------------------------------------------------------------------ presentation
    def edit_value(self, row: RiskRow, column: Column) -> Any:
        return getattr(row, column.key) if column.kind != ACTIONS else row.open_actions

    def format_date(self, value: dt.date | None) -> str:
        return format_date(value)

    def display(self, row: RiskRow, column: Column) -> str:
        kind = column.kind
        value = getattr(row, column.attr) if kind != ACTIONS else None
        if kind in (TEXT, LINK):
            return value or ""
        if kind == LONGTEXT:
            return value.replace("\n", " · ") if value else ""
        if kind in (RATING5, RATING10, NUMBER):
            return "" if value is None else str(value)
        if kind == DATE:
            return self.format_date(value)
        if kind == LEVEL:
            return style.level_label(value) if value else ""
        if kind == AP:
            return style.ap_label(value) if value else ""
        if kind == CHOICE:
            if column.key == "status":
                return style.status_label(value)
            if column.key == "method":
                return style.method_label(value)
            return style.kind_label(value)
        if kind == ACTIONS:
            if not row.open_actions:
                return ""
            if row.overdue_actions:
                return style.tr("{n} open · {m} overdue").format(n=row.open_actions,
                                                                m=row.overdue_actions)
            return style.tr("{n} open").format(n=row.open_actions)
        return "" if value is None else str(value)

    def _foreground(self, row: RiskRow, column: Column) -> Any:
        if not applies(row, column):
            return self.palette.muted
        kind = column.kind
        if kind == LEVEL:
            return self.palette.level_colours(getattr(row, column.key))[1]
        if kind == AP:
            return self.palette.ap_colours(row.ap)[1]
        if column.key == "review_date" and row.review_overdue:
            return self.palette.overdue
        if kind == ACTIONS and row.overdue_actions:
            return self.palette.overdue
        return None

    def _decoration(self, row: RiskRow, column: Column) -> Any:
        kind = column.kind
        if kind == LEVEL:
            level = getattr(row, column.key)
            return self.palette.level_icon(level) if level and applies(row, column) else None
        if kind == AP:
            return self.palette.ap_icon(row.ap) if row.ap and applies(row, column) else None
        if column.key == "review_date" and row.review_overdue:
            return self.palette.overdue_icon()
        if kind == ACTIONS and row.overdue_actions:
            return self.palette.overdue_icon()
        if column.key == "ref" and row.overdue:
            return self.palette.overdue_icon()
        return None

    def tooltip(self, row: RiskRow, column: Column) -> str | None:
        if not applies(row, column):
            return style.tr("Not used: this risk is scored with {method} only. Change its "
                            "method to use these ratings too.").format(
                method=style.method_label(row.method))
        kind = column.kind
        value = getattr(row, column.key) if kind not in (ACTIONS,) else None
        if kind == RATING5 and value is not None:
            label = (style.likelihood_label(value) if column.key.endswith("likelihood")
                     else style.impact_label(value))
            return f"{value} – {label}"
        if kind == RATING10 and value is not None:
            return f"{value} – {_HELP10[column.key].get(value, '')}"
        if column.key == "review_date" and row.review_overdue:
            return style.tr("The review is overdue (due {date}).").format(
                date=self.format_date(row.review_date))
        if column.key == "ref" and row.overdue:
            parts = []
            if row.review_overdue:
                parts.append(style.tr("the review is overdue"))
            if row.overdue_actions:
                parts.append(style.tr("{n} treatment action(s) overdue").format(
                    n=row.overdue_actions))
            return style.tr("Overdue: {what}.").format(what="; ".join(parts))
        if kind == ACTIONS and row.open_actions:
            return self.display(row, column)
        if kind == LONGTEXT and value:
            return value
        if kind == LEVEL and value:
            score = row.inherent_score if column.key.startswith("inherent") else \
                row.residual_score
            return style.tr("{level} (score {score})").format(level=style.level_label(value),
                                                              score=score)
        return None

    def refresh_palette(self) -> None:
        """Colours follow a palette change (dark mode switched while running)."""
        self.palette = style.Palette()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))


class RiskFilterProxy(QSortFilterProxyModel):
    """Filters by text, owner, process, level (or AP), overdue and a heat-map cell; sorting is
    forwarded to the source model."""

    #: sentinel for "no owner"/"no process" in the owner and process filters
    NONE = -1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDynamicSortFilter(False)  # an edited row stays in view until filters change
        self.text = ""
        self.owner: int | None = None
        self.process: int | None = None
        self.level: str | None = None  # a level, "high+" (high or critical), or "ap:H"...
        self.overdue_only = False
        self.cell: tuple[str, int, int] | None = None  # (stage, likelihood, impact)
        self._pred: Callable[[RiskRow], bool] | None = None

    def source(self) -> RiskTableModel:
        return self.sourceModel()  # type: ignore[return-value]

    # ------------------------------------------------------------------ filters
    def set_filters(self, **values: Any) -> None:
        """Change several filters at once (text, owner, process, level, overdue_only, cell)."""
        changed = False
        for name, value in values.items():
            if name not in ("text", "owner", "process", "level", "overdue_only", "cell"):
                raise TypeError(f"unknown filter {name!r}")
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed = True
        if changed:
            self.beginFilterChange()
            self._pred = self.predicate()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def clear_filters(self) -> None:
        self.set_filters(text="", owner=None, process=None, level=None, overdue_only=False,
                         cell=None)

    @property
    def active(self) -> bool:
        return self._pred is not None

    def predicate(self, *, with_cell: bool = True) -> Callable[[RiskRow], bool] | None:
        """The combined test for the filters in force (None when nothing filters)."""
        tests: list[Callable[[RiskRow], bool]] = []
        terms = self.text.casefold().split()
        if terms:
            hay = self.source().haystack
            tests.append(lambda r: all(t in hay(r) for t in terms))
        if self.owner is not None:
            owner = None if self.owner == self.NONE else self.owner
            tests.append(lambda r: r.owner_id == owner)
        if self.process is not None:
            process = None if self.process == self.NONE else self.process
            tests.append(lambda r: r.process_id == process)
        if self.level:
            level = self.level
            if level == "high+":
                tests.append(lambda r: r.level in ("high", "critical"))
            elif level.startswith("ap:"):
                ap = level[3:]
                tests.append(lambda r: r.ap == ap)
            else:
                tests.append(lambda r: r.level == level)
        if self.overdue_only:
            tests.append(lambda r: r.review_overdue or r.overdue_actions > 0)
        if with_cell and self.cell is not None:
            stage, lk, im = self.cell
            a, b = f"{stage}_likelihood", f"{stage}_impact"
            tests.append(lambda r: getattr(r, a) == lk and getattr(r, b) == im)
        if not tests:
            return None
        if len(tests) == 1:
            return tests[0]
        return lambda r: all(t(r) for t in tests)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        pred = self._pred
        return pred is None or pred(self.source()._rows[source_row])

    # ------------------------------------------------------------------ rows
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)

    def risk_at(self, proxy_row: int) -> RiskRow:
        return self.source().row_at(self.mapToSource(self.index(proxy_row, 0)).row())

    def visible_rows(self) -> list[RiskRow]:
        """The rows shown, in view order."""
        src = self.source()
        return [src.row_at(self.mapToSource(self.index(i, 0)).row())
                for i in range(self.rowCount())]

    def chart_rows(self) -> list[RiskRow]:
        """Rows passing every filter except the heat-map cell (what the heat maps count)."""
        pred = self.predicate(with_cell=False)
        rows = self.source().rows
        return list(rows) if pred is None else [r for r in rows if pred(r)]
