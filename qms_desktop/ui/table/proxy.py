"""The kit's filter proxy: a text search over the model's searchable columns plus named filters,
combined into one predicate over the cached rows (no ``lessThan``, no role look-ups).

Filters are declared as ``name -> (default, factory)``; ``factory(value)`` returns a test of a
row, or None when that value does not filter (``equals`` makes the usual one)::

    proxy = FilterProxy(filters={"owner": (None, equals(lambda r: r.owner_id)),
                                 "overdue_only": (False, lambda on: (lambda r: r.overdue)
                                                  if on else None)})
    proxy.set_filters(text="supplier", owner=12)

The current values are attributes (``proxy.owner``). Sorting is forwarded to the source model.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

Test = Callable[[Any], bool]
Factory = Callable[[Any], Test | None]

#: the value of an ``equals`` filter that keeps rows with no value ("No owner")
NONE = -1


def equals(get: Callable[[Any], Any]) -> Factory:
    """A filter keeping rows whose ``get(row)`` equals the value (``NONE``: is None)."""
    def factory(value: Any) -> Test | None:
        if value is None:
            return None
        wanted = None if value == NONE else value
        return lambda r: get(r) == wanted
    return factory


def flag(test: Test) -> Factory:
    """A check-box filter: on keeps the rows passing ``test``."""
    return lambda on: test if on else None


class FilterProxy(QSortFilterProxyModel):
    NONE = NONE

    def __init__(self, parent=None, *, filters: dict[str, tuple[Any, Factory]] | None = None):
        super().__init__(parent)
        self.setDynamicSortFilter(False)  # an edited row stays in view until filters change
        self._factories: dict[str, tuple[Any, Factory]] = {"text": ("", self._text_test)}
        self._factories.update(filters or {})
        self._tests: dict[str, Test] = {}
        for name, (default, _f) in self._factories.items():
            setattr(self, name, default)
        self._pred: Test | None = None
        self._src = None

    def setSourceModel(self, model) -> None:  # noqa: N802
        self._src = model  # read per row while filtering: no Qt call for it
        super().setSourceModel(model)

    def source(self):
        return self._src

    # ------------------------------------------------------------------ filters
    def _text_test(self, text: str) -> Test | None:
        terms = (text or "").casefold().split()
        if not terms:
            return None
        hay = self.source().haystack
        return lambda r: all(t in hay(r) for t in terms)

    def set_filters(self, **values: Any) -> None:
        """Change several filters at once (one re-filter)."""
        changed = False
        for name, value in values.items():
            if name not in self._factories:
                raise TypeError(f"unknown filter {name!r}")
            if getattr(self, name) != value or type(getattr(self, name)) is not type(value):
                setattr(self, name, value)
                test = self._factories[name][1](value)
                if test is None:
                    self._tests.pop(name, None)
                else:
                    self._tests[name] = test
                changed = True
        if changed:
            self.beginFilterChange()
            self._pred = self.predicate()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def clear_filters(self) -> None:
        self.set_filters(**{name: default for name, (default, _f) in self._factories.items()})

    @property
    def active(self) -> bool:
        return self._pred is not None

    def predicate(self, *, without: tuple[str, ...] = ()) -> Test | None:
        """The combined test of the filters in force, leaving out ``without`` (None: nothing
        filters)."""
        tests = [t for name, t in self._tests.items() if name not in without]
        if not tests:
            return None
        if len(tests) == 1:
            return tests[0]
        return lambda r: all(t(r) for t in tests)

    def filterAcceptsRow(self, source_row: int,  # noqa: N802
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        pred = self._pred
        return pred is None or pred(self._src._rows[source_row])

    # ------------------------------------------------------------------ rows
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)

    def row_at(self, proxy_row: int) -> Any:
        return self.source().row_at(self.mapToSource(self.index(proxy_row, 0)).row())

    def visible_rows(self) -> list:
        """The rows shown, in view order."""
        return [self.row_at(i) for i in range(self.rowCount())]

    def filtered_rows(self, *, without: tuple[str, ...] = ()) -> list:
        """The source rows passing every filter except ``without``, in model order."""
        pred = self.predicate(without=without)
        rows = self.source().rows
        return list(rows) if pred is None else [r for r in rows if pred(r)]
