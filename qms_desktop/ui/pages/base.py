"""What every page shares: access to the controller and refresh-on-change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:  # pragma: no cover
    from ...services.records import Change
    from ...storage.workspace import Workspace
    from ..controller import WorkspaceController
    from . import PageSpec


def heading(text: str, scale: float = 1.6, parent: QWidget | None = None) -> QLabel:
    """A title label whose size follows the user's font (no pixel sizes: scales at 200%)."""
    label = QLabel(text, parent)
    f = QFont(label.font())
    f.setPointSizeF(f.pointSizeF() * scale if f.pointSizeF() > 0 else 14 * scale)
    f.setBold(True)
    label.setFont(f)
    label.setWordWrap(True)
    return label


class Page(QWidget):
    """A navigation page.

    ``kinds`` are the entity kinds (table names) the page shows; ``None`` means it depends on
    every change (e.g. counts, the audit trail). A change that touches them marks the page stale;
    a visible page refreshes at once, a hidden one when it is shown next.
    """

    kinds: frozenset[str] | None = None

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.spec = spec
        self._stale = True
        controller.opened.connect(self._on_opened)
        controller.closed.connect(self._on_closed)
        controller.changed.connect(self._on_changed)

    @property
    def workspace(self) -> "Workspace | None":
        return self.controller.workspace

    # -- for subclasses
    def refresh(self) -> None:
        """Reload what the page shows from the services."""

    def workspace_opened(self, ws: "Workspace") -> None:
        """A workspace was opened (the page may be hidden)."""

    def workspace_closed(self) -> None:
        """The workspace was closed: drop everything that came from it."""

    def search_widget(self) -> QWidget | None:
        """The page's search box (Edit ▸ Find focuses it), if it has one."""
        return None

    # -- plumbing
    def touches(self, change: "Change") -> bool:
        return self.kinds is None or change.touches(*self.kinds)

    def _on_opened(self, ws) -> None:
        self._stale = True
        self.workspace_opened(ws)
        if self.isVisible():
            self._refresh_now()

    def _on_closed(self) -> None:
        self._stale = True
        self.workspace_closed()

    def _on_changed(self, change) -> None:
        if not self.touches(change):
            return
        self._stale = True
        if self.isVisible():
            self._refresh_now()

    def _refresh_now(self) -> None:
        self._stale = False
        if self.controller.workspace is not None:
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self._refresh_now()
