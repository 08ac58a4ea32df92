"""The kit's table model: service dataclass rows in an id-keyed row cache, never queried while
painting (the idea of Anki's browser table: the database is read when rows change, never from
``data()``).

* Columns are data (:class:`~.columns.Column`); ``data()`` looks the role's function up in a
  per-column table built once, so painting costs one dict lookup and one call per role.
* ``load(ids)`` returns the rows of those ids (ids it does not return are gone);
  ``load(None)`` returns every row. :meth:`RowModel.refresh_ids` takes a controller ``Change``
  and re-reads exactly the rows it names (inserting and removing rows as needed), or everything
  when the change touches ``reload_kinds`` (names shown in many rows, a setting that changes
  every row) or too many rows.
* Sorting happens here (one ``list.sort`` with the column's key; empty values last in both
  orders); the filter proxy forwards ``sort()`` to the model and only filters.
* An edit (``setData``) calls ``commit(row, column, value)``, which makes it one undo step
  through the controller; the controller's ``changed`` then brings the re-read row back.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from .columns import Column

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change

IdRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2

_D = Qt.ItemDataRole
_ROOT = QModelIndex()


def linked_ids(change: "Change", entity: str, fk: str,
               lookup: Callable[[set[int]], Iterable[Any] | None] | None = None
               ) -> set[int] | None:
    """Ids of the parent rows that ``change``'s rows of ``entity`` point to through ``fk`` (e.g.
    the risks whose actions changed: ``linked_ids(change, "action", "risk_id", …)``).
    Inserted and deleted rows carry their link; a changed link names both ends; for other
    updates ``lookup(ids)`` returns the current links of those rows (they still exist), or None
    when it cannot tell (too many): then so does this (None)."""
    out: set[int] = set()
    unknown: set[int] = set()
    changeset = getattr(change, "changeset", None)
    for op in changeset or ():
        if op.entity != entity:
            continue
        if op.op in ("insert", "delete"):
            value = (op.values or {}).get(fk)
            if value is not None:
                out.add(value)
        elif op.field == fk:
            out.update(v for v in (op.old, op.new) if v is not None)
        else:
            unknown.add(op.id)
    if unknown and lookup is not None:
        found = lookup(unknown)
        if found is None:
            return None
        out.update(v for v in found if v is not None)
    return out


class RowModel(QAbstractTableModel):
    """Rows (dataclasses with an ``id``) of entity ``kind`` shown in ``columns``.

    ``load(ids or None) -> rows``, ``commit(row, column, value) -> bool``; ``palette()`` makes
    the object passed to the columns' ``colour``/``symbol`` (rebuilt by :meth:`refresh_palette`).
    """

    #: above this many touched rows one full reload is cheaper than re-reading them
    targeted_limit = 200

    def __init__(self, columns: Sequence[Column], *, kind: str,
                 load: Callable[[Collection[int] | None], list] | None = None,
                 commit: Callable[[Any, Column, Any], bool] | None = None,
                 palette: Callable[[], Any] | None = None,
                 reload_kinds: Iterable[str] = (),
                 related: Callable[["Change"], Iterable[int] | None] | None = None,
                 order: Callable[[Any], Any] | None = attrgetter("id"),
                 parent=None):
        super().__init__(parent)
        self.columns: tuple[Column, ...] = tuple(columns)
        self.column_of = {c.key: i for i, c in enumerate(self.columns)}
        self.kind = kind
        self.load = load
        self.commit = commit
        self.palette_factory = palette
        self.palette = palette() if palette is not None else None
        #: kinds whose change reloads every row
        self.reload_kinds = frozenset(reload_kinds)
        #: ids of this model's rows affected by a change of other kinds (see linked_ids);
        #: None from it means "cannot tell": everything is re-read
        self.related = related
        #: the order of unsorted rows (None: as loaded)
        self.order = order
        self.read_only = False
        self._rows: list = []
        self._pos: dict[int, int] = {}
        self._hay: dict[int, str] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._search = [c.display_of() for c in self.columns if c.searchable]
        self._roles = [self._role_table(c) for c in self.columns]
        self._values = [c.value_of() for c in self.columns]

    def _role_table(self, c: Column) -> dict[int, Callable[[Any], Any]]:
        roles: dict[int, Callable[[Any], Any]] = {
            _D.DisplayRole: c.display_of(),
            _D.EditRole: c.value_of(),
            _D.AccessibleTextRole: c.spoken_of(),
            IdRole: lambda r: r.id,
            KeyRole: lambda r, k=c.key: k,
        }
        if c.tip is not None:
            roles[_D.ToolTipRole] = c.tip
        if c.align is not None:
            roles[_D.TextAlignmentRole] = lambda r, a=c.align: a
        if c.font is not None:
            roles[_D.FontRole] = c.font
        if c.colour is not None:
            colour = c.colour
            roles[_D.BackgroundRole] = lambda r: colour(r, self.palette)[0]
            roles[_D.ForegroundRole] = lambda r: colour(r, self.palette)[1]
        if c.symbol is not None:
            symbol = c.symbol
            roles[_D.DecorationRole] = lambda r: symbol(r, self.palette)
        return roles

    # ------------------------------------------------------------------ the cache
    @property
    def rows(self) -> list:
        return self._rows

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, rid: int) -> int | None:
        """The model row of id ``rid`` (None when it is not in the cache)."""
        return self._pos.get(rid)

    def get(self, rid: int) -> Any:
        """The cached row of id ``rid`` (None when there is none)."""
        i = self._pos.get(rid)
        return None if i is None else self._rows[i]

    def haystack(self, row: Any) -> str:
        """The row's searchable text, case-folded (cached until the row changes)."""
        text = self._hay.get(row.id)
        if text is None:
            text = "\n".join(f(row) for f in self._search).casefold()
            self._hay[row.id] = text
        return text

    def _reindex(self) -> None:
        self._pos = {r.id: i for i, r in enumerate(self._rows)}

    def set_rows(self, rows: Sequence[Any]) -> None:
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
        self._remove_positions([i for i, r in enumerate(self._rows) if r.id not in fresh])
        self._rows = [fresh[old.id] for old in self._rows]
        self._hay.clear()
        self._append([r for r in rows if r.id not in self._pos])
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))
        self._apply_sort()

    def update_rows(self, rows: Iterable[Any]) -> None:
        """Put re-read rows in place; new ones (a row added, or one brought back by undo) take
        their place in the sort order."""
        added = []
        last = len(self.columns) - 1
        for r in rows:
            i = self._pos.get(r.id)
            if i is None:
                added.append(r)
                continue
            self._rows[i] = r
            self._hay.pop(r.id, None)
            self.dataChanged.emit(self.index(i, 0), self.index(i, last))
        if added:
            self._append(added)
            self._apply_sort()

    def _append(self, rows: list) -> None:
        if rows:
            first = len(self._rows)
            self.beginInsertRows(_ROOT, first, first + len(rows) - 1)
            self._rows.extend(rows)
            self._reindex()
            self.endInsertRows()

    def remove_ids(self, ids: Iterable[int]) -> None:
        self._remove_positions(sorted(self._pos[i] for i in ids if i in self._pos))

    def _remove_positions(self, positions: list[int]) -> None:
        if not positions:
            return
        runs: list[list[int]] = []  # contiguous runs, removed from the bottom up
        for p in positions:
            if runs and p == runs[-1][1] + 1:
                runs[-1][1] = p
            else:
                runs.append([p, p])
        for first, last in reversed(runs):
            self.beginRemoveRows(_ROOT, first, last)
            for r in self._rows[first:last + 1]:
                self._hay.pop(r.id, None)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        self._reindex()

    # ------------------------------------------------------------------ refreshing
    def reload(self) -> None:
        """Re-read every row (``load(None)``); selection, sort and scroll are kept."""
        if self.load is not None:
            self.set_rows(self.load(None))

    def reload_ids(self, ids: Collection[int]) -> None:
        """Re-read the rows of ``ids``: changed ones in place, new ones added, gone ones
        removed."""
        if self.load is None or not ids:
            return
        rows = self.load(ids)
        found = {r.id for r in rows}
        self.remove_ids([i for i in ids if i not in found])
        self.update_rows(rows)

    def targeted_ids(self, change: "Change") -> set[int] | None:
        """The ids of this model's rows ``change`` affects, or None when everything must be
        re-read (a kind of ``reload_kinds``, or too many rows)."""
        if self.reload_kinds and change.touches(*self.reload_kinds):
            return None
        ids = set(change.ids_of(self.kind)) if change.touches(self.kind) else set()
        if self.related is not None:
            more = self.related(change)
            if more is None:
                return None
            ids |= set(more)
        return None if len(ids) > self.targeted_limit else ids

    def refresh_ids(self, change: "Change") -> set[int] | None:
        """Bring the cache up to date with ``change``: re-read only the rows it names, or every
        row when it must. Returns the ids re-read (None: everything was)."""
        ids = self.targeted_ids(change)
        if ids is None:
            self.reload()
        else:
            self.reload_ids(ids)
        return ids

    def refresh_palette(self) -> None:
        """Colours follow a palette change (dark mode switched while running)."""
        if self.palette_factory is not None:
            self.palette = self.palette_factory()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))

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
            if self.order is None:
                return
            ordered = sorted(self._rows, key=self.order)
        else:
            column, order = self._sort
            key = self.columns[column].sort_of()
            keyed = [(key(r), r) for r in self._rows]
            present = [kr for kr in keyed if kr[0] is not None]
            present.sort(key=lambda kr: kr[0], reverse=order == Qt.SortOrder.DescendingOrder)
            ordered = [kr[1] for kr in present] + [kr[1] for kr in keyed if kr[0] is None]
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
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
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
        if self.read_only or not column.editor or self.commit is None:
            return flags
        if column.editable is not None and not column.editable(self._rows[index.row()]):
            return flags
        return flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _D.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self._roles[index.column()].get(role)
        return None if f is None else f(self._rows[index.row()])

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = _D.EditRole) -> bool:
        if role != _D.EditRole or not index.isValid() or self.commit is None:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row = self._rows[index.row()]
        if isinstance(value, QDate):
            value = value.toPython() if value.isValid() else None
        current = self._values[index.column()](row)
        if value == current and type(value) is type(current):
            return False
        return bool(self.commit(row, self.columns[index.column()], value))

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def format_date(value) -> str:
        from .delegates import format_date

        return format_date(value)
