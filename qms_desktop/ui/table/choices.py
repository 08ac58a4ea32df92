"""What every list page needs beside its table: the owner and process pickers' items, and a
command (a QAction with an optional shortcut that works while the table has focus).

Pages keep the items until the next refresh (``None`` = read again), so a picker never queries
while it paints::

    def people_items(self):
        if self._people is None:
            self._people = people_items(self.workspace)
        return self._people
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from .columns import Item

if TYPE_CHECKING:
    from ...storage.workspace import Workspace


def tr(text: str) -> str:
    return QCoreApplication.translate("table", text)


def people_items(ws: "Workspace | None", none_text: str | None = None) -> list[Item]:
    """"—" then the active people by name (the people an action, objective or nonconformity
    can be given to)."""
    from ...services.actions import owners

    people = owners(ws) if ws is not None else []
    return [("—", None, tr("Nobody yet") if none_text is None else none_text)] + [
        (p.name, p.id, "") for p in people]


def process_items(ws: "Workspace | None", none_text: str | None = None) -> list[Item]:
    """"—" then the processes by code and name ("CP-02 Production")."""
    from ...services.processes import list_processes

    rows = list_processes(ws) if ws is not None else []
    return [("—", None, tr("Not linked to a process") if none_text is None else none_text)] + [
        (" ".join(x for x in (getattr(p, "code", "") or "", p.name) if x), p.id, "")
        for p in rows]


def command(owner: QWidget, text: str, slot: Callable[[], object],
            key: QKeySequence | QKeySequence.StandardKey | str | None = None, *,
            tip: str = "", status_tip: bool = False) -> QAction:
    """A QAction owned by ``owner`` that calls ``slot()``; with ``key``, a shortcut active while
    ``owner`` or a child of it has focus (so Delete in a table deletes rows, not text)."""
    action = QAction(text, owner)
    action.setToolTip(tip)
    if status_tip:
        action.setStatusTip(tip)
    if key is not None:
        action.setShortcut(key)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        owner.addAction(action)
    action.triggered.connect(lambda _c=False: slot())
    return action
