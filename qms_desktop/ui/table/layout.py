"""Column choice, order and width of a table view, kept in the typed ``Settings``.

``ColumnLayout(view, model, "risks", default=(...))`` restores the saved layout (or the
default: ``default`` keys, else the columns marked ``visible``), saves it shortly after the user
moves or resizes a header section, and offers a menu (the header's context menu, or any
``QMenu`` through :meth:`fill_menu`) to show/hide columns and reset them.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QMenu, QTableView

from .columns import Column
from .model import RowModel


def tr(text: str) -> str:
    return QCoreApplication.translate("table", text)


class ColumnLayout(QObject):
    def __init__(self, view: QTableView, model: RowModel, name: str, *,
                 default: Sequence[str] | None = None, settings=None):
        super().__init__(view)
        self.view = view
        self.model = model
        self.name = name
        self.default = tuple(default) if default is not None else tuple(
            c.key for c in model.columns if c.visible)
        self._settings = settings
        header = view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self.save)
        header.sectionMoved.connect(lambda *_a: self._timer.start())
        header.sectionResized.connect(lambda *_a: self._timer.start())

    def settings(self):
        from ..settings import Settings

        return self._settings if self._settings is not None else Settings()

    # ------------------------------------------------------------------ layout
    def column_layout(self) -> list[tuple[str, int]]:
        """(key, width) of the visible columns in their on-screen order."""
        header = self.view.horizontalHeader()
        out = []
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if not header.isSectionHidden(logical):
                out.append((self.model.columns[logical].key, header.sectionSize(logical)))
        return out

    def apply(self, layout: Sequence[tuple[str, int]]) -> None:
        """Show the columns of ``layout`` in its order and widths (empty: the default)."""
        header = self.view.horizontalHeader()
        column_of = self.model.column_of
        keys = [k for k, _w in layout if k in column_of]
        widths = {k: w for k, w in layout if k in column_of}
        if not keys:
            keys = [k for k in self.default if k in column_of]
            widths = {}
        header.blockSignals(True)
        try:
            shown = set(keys)
            for logical, column in enumerate(self.model.columns):
                header.setSectionHidden(logical, column.key not in shown)
            for visual, key in enumerate(keys):
                logical = column_of[key]
                header.moveSection(header.visualIndex(logical), visual)
                header.resizeSection(logical, max(24, int(widths.get(key) or 0)
                                                  or self.default_width(self.model.columns[logical])))
        finally:
            header.blockSignals(False)

    def default_width(self, column: Column) -> int:
        """A width that shows the header and the column's ``samples`` unclipped (in the user's
        font), else the column's preset width."""
        view = self.view
        header = view.horizontalHeader()
        style = view.style()
        pad = 2 * style.pixelMetric(style.PixelMetric.PM_FocusFrameHMargin, None, view) + 10
        title = header.fontMetrics().horizontalAdvance(column.title) + pad + 10  # sort arrow
        if column.samples is None:
            return max(title, column.width)
        fm = view.fontMetrics()
        content = max((fm.horizontalAdvance(t) for t in column.samples()), default=0) + pad
        if column.icon:
            size = view.iconSize().width()
            content += (size if size > 0 else 16) + 6
        return max(title, content)

    def set_visible(self, logical: int, visible: bool) -> None:
        header = self.view.horizontalHeader()
        if not visible and header.count() - header.hiddenSectionCount() <= 1:
            return  # keep at least one column
        header.setSectionHidden(logical, not visible)
        if visible and header.sectionSize(logical) < 20:
            header.resizeSection(logical, self.default_width(self.model.columns[logical]))
        self.save()

    # ------------------------------------------------------------------ settings
    def save(self) -> None:
        self._timer.stop()
        self.settings().set_column_layout(self.name, self.column_layout())

    def restore(self) -> None:
        self.apply(self.settings().column_layout(self.name))

    def reset(self) -> None:
        self.apply([])
        self.save()

    # ------------------------------------------------------------------ menu
    def fill_menu(self, menu: QMenu) -> None:
        menu.clear()
        header = self.view.horizontalHeader()
        for i, column in enumerate(self.model.columns):
            text = column.title if not column.tooltip or column.tooltip == column.title \
                else f"{column.title} — {column.tooltip}"
            a = menu.addAction(text)
            a.setCheckable(True)
            a.setChecked(not header.isSectionHidden(i))
            a.toggled.connect(lambda on, i=i: self.set_visible(i, on))
        menu.addSeparator()
        menu.addAction(tr("Reset columns"), self.reset)

    def _header_menu(self, pos) -> None:
        menu = QMenu(self.view)
        self.fill_menu(menu)
        menu.exec(self.view.horizontalHeader().mapToGlobal(pos))
