"""A filter bar: a search box and choice/check-box filters bound to a :class:`~.proxy.FilterProxy`'s
named filters, so a page only says which filters it offers::

    bar = FilterBar(proxy, tr("Search…"), parent)
    bar.add_choice("status", [(tr("Any status"), None, ""), …])
    bar.add_flag("overdue_only", tr("&Overdue only"))
    bar.changed.connect(update_count)

Each widget changes its filter; :meth:`clear` resets them all at once (one re-filter), and
:meth:`set_items` refills a choice keeping what was chosen when it is still offered.
"""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QWidget

from .columns import Item
from .delegates import ValueCombo, compact
from .proxy import NONE, FilterProxy


class FilterBar(QWidget):
    #: a filter changed (the proxy has re-filtered)
    changed = Signal()

    def __init__(self, proxy: FilterProxy, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.proxy = proxy
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.apply(text=text))
        self.widgets: dict[str, QWidget] = {"text": self.search}
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.search, 3)

    def add_choice(self, name: str, items: Sequence[Item], *, searchable: bool = False,
                   chars: int = 14) -> ValueCombo:
        combo = compact(ValueCombo(items, self, searchable=searchable), chars)
        combo.currentIndexChanged.connect(lambda _i: self.apply(**{name: combo.value()}))
        return self._add(name, combo)

    def add_flag(self, name: str, text: str, tip: str = "") -> QCheckBox:
        box = QCheckBox(text, self)
        box.setToolTip(tip)
        box.toggled.connect(lambda on: self.apply(**{name: on}))
        return self._add(name, box)

    def _add(self, name: str, widget: QWidget):
        self.widgets[name] = widget
        self.row.addWidget(widget)
        return widget

    def apply(self, **values: Any) -> None:
        """Set filters (by name) — from code or from the widgets — and show them in the
        widgets, so a filtered list opened from elsewhere says what it is filtered by."""
        for name, value in values.items():
            widget = self.widgets.get(name)
            if widget is None:
                continue
            widget.blockSignals(True)
            try:
                if isinstance(widget, QLineEdit):
                    if widget.text() != (value or ""):
                        widget.setText(value or "")
                elif isinstance(widget, QCheckBox):
                    widget.setChecked(bool(value))
                elif widget.value() != value:
                    widget.set_value(value)
            finally:
                widget.blockSignals(False)
        self.proxy.set_filters(**values)
        self.changed.emit()

    def set_items(self, name: str, items: Sequence[Item]) -> None:
        """New items for a choice; the filter follows when its value is no longer offered."""
        combo = self.widgets[name]
        combo.blockSignals(True)
        combo.set_items(items)
        combo.blockSignals(False)
        if combo.value() != getattr(self.proxy, name):
            self.apply(**{name: combo.value()})

    def clear(self) -> None:
        """Every filter back to "everything" (one re-filter)."""
        for w in self.widgets.values():
            w.blockSignals(True)
        try:
            for w in self.widgets.values():
                if isinstance(w, QLineEdit):
                    w.clear()
                elif isinstance(w, QCheckBox):
                    w.setChecked(False)
                else:
                    w.set_value(None)
        finally:
            for w in self.widgets.values():
                w.blockSignals(False)
        self.proxy.clear_filters()
        self.changed.emit()


def owner_filter_items(people: Sequence[Item], rows: Sequence[Any]) -> list[Item]:
    """The items of an owner filter: any owner, no owner, then every person — the workspace's
    people (``people``: a picker's items, its first one "nobody") and any owner a row names
    that is no longer among them — by name."""
    named = {i: label for label, i, _t in list(people)[1:]}
    named.update((r.owner_id, r.owner) for r in rows if r.owner_id is not None)
    tr = QCoreApplication.translate
    return [(tr("table", "Any owner"), None, ""), (tr("table", "No owner"), NONE, "")] + sorted(
        ((n, i, "") for i, n in named.items()), key=lambda it: it[0].casefold())
