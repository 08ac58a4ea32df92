"""The process list as a table model: a row cache of ``ProcessRow`` s, never queried while painting.

Edits (code, name, owner, status, purpose) are pushed as undoable field edits through the
controller; the page reloads the rows when the controller reports the change, and the model
updates the rows in place (a reset only when processes were added or removed).
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QStyledItemDelegate, QWidget

if TYPE_CHECKING:  # pragma: no cover
    from ...services.processes import ProcessRow
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("processes", text)


def status_labels() -> dict[str, str]:
    return {"draft": tr("Draft"), "active": tr("Active"), "under_review": tr("Under review"),
            "retired": tr("Retired")}


#: (field, editable) in column order
COLUMNS = (("code", True), ("name", True), ("owner_role_id", True), ("status", True),
           ("steps", False), ("risks", False), ("documents", False), ("inputs", False),
           ("outputs", False), ("purpose", True))

ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: the stored value of a cell (ids for the owner), for delegates
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2


def headers() -> dict[str, str]:
    return {"code": tr("Code"), "name": tr("Name"), "owner_role_id": tr("Owner"),
            "status": tr("Status"), "steps": tr("Steps"), "risks": tr("Risks"),
            "documents": tr("Documents"), "inputs": tr("Inputs"), "outputs": tr("Outputs"),
            "purpose": tr("Purpose")}


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ProcessTableModel(QAbstractTableModel):
    def __init__(self, controller: "WorkspaceController | None" = None, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.rows: list["ProcessRow"] = []
        self._headers = headers()
        self._status = status_labels()
        self.roles: list[tuple[int, str]] = []
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- loading
    def set_rows(self, rows: list["ProcessRow"]) -> None:
        """Show ``rows``: changed rows are updated in place; a different set of processes
        resets the model."""
        if [r.id for r in rows] != [r.id for r in self.rows]:
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()
            return
        names = [f.name for f in fields(rows[0])] if rows else []
        for i, (old, new) in enumerate(zip(self.rows, rows)):
            if any(getattr(old, n) != getattr(new, n) for n in names):
                self.rows[i] = new
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def set_roles(self, roles: list[tuple[int, str]]) -> None:
        self.roles = list(roles)

    def row_of(self, pid: int) -> int:
        for i, r in enumerate(self.rows):
            if r.id == pid:
                return i
        return -1

    def process_at(self, row: int) -> "ProcessRow | None":
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # -- Qt
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._headers[COLUMNS[section][0]]
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section][0] in (
                    "steps", "risks", "documents"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or not (
                0 <= index.column() < len(COLUMNS)):
            return None
        r = self.rows[index.row()]
        field = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if field == "owner_role_id":
                return r.owner_role
            if field == "status":
                return self._status.get(r.status, r.status)
            value = getattr(r, field)
            return _one_line(value) if isinstance(value, str) else value
        if role == Qt.ItemDataRole.EditRole:
            if field == "owner_role_id":
                return r.owner_role_id
            return getattr(r, field)
        if role == VALUE_ROLE:
            return getattr(r, field)
        if role == ID_ROLE:
            return r.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if field in ("purpose", "inputs", "outputs", "name"):
                return getattr(r, field) or None
            if field == "status" and r.status == "under_review":
                return tr("The process is being reviewed; its map may change.")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and field in ("steps", "risks", "documents"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and r.status in ("draft", "retired"):
            return self._italic
        if role == Qt.ItemDataRole.ForegroundRole and r.status == "retired":
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        editable = COLUMNS[index.column()][1] if 0 <= index.column() < len(COLUMNS) else False
        if editable and self.controller is not None and not self.controller.read_only:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.controller is None:
            return False
        ws = self.controller.workspace
        if ws is None:
            return False
        r = self.rows[index.row()]
        field = COLUMNS[index.column()][0]
        if not COLUMNS[index.column()][1]:
            return False
        old = getattr(r, field)
        if isinstance(value, str) and field != "purpose":
            value = value.strip()
        if field == "name" and not value:
            from ..errors import show_error

            show_error(None, tr("A process needs a name; type one or press Escape."))
            return False
        if value == old:
            return False
        from ..commands import FieldEditCommand

        cmd = FieldEditCommand(ws, "process", r.id, field, old, value)
        ok = self.controller.push(cmd)
        cmd.seal()
        return ok


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor for owner (roles) and status cells."""

    def __init__(self, model: ProcessTableModel, parent=None):
        super().__init__(parent)
        self.model = model

    def _choices(self, field: str) -> list[tuple[Any, str]]:
        if field == "status":
            return list(status_labels().items())
        return [(None, tr("(none)"))] + list(self.model.roles)

    def createEditor(self, parent: QWidget, option, index):  # noqa: N802 (Qt's name)
        field = COLUMNS[index.column()][0]
        if field not in ("status", "owner_role_id"):
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        for value, label in self._choices(field):
            combo.addItem(label, value)
        return combo

    def setEditorData(self, editor, index) -> None:  # noqa: N802 (Qt's name)
        if isinstance(editor, QComboBox):
            value = index.data(Qt.ItemDataRole.EditRole)
            i = editor.findData(value) if value is not None else 0
            editor.setCurrentIndex(max(i, 0))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:  # noqa: N802 (Qt's name)
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)
