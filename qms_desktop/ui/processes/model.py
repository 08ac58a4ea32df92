"""The process list: the table kit's ``RowModel`` over ``ProcessRow`` s (never queried while
painting). Code, name, owner, status and purpose are edited in place, each edit one undo step;
drafts and retired processes read in italics (retired ones greyed)."""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ..table import CHOICE, RIGHT, TEXT, Column, IdRole, RowModel

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("processes", text)


def status_labels() -> dict[str, str]:
    return {"draft": tr("Draft"), "active": tr("Active"), "under_review": tr("Under review"),
            "retired": tr("Retired")}


ID_ROLE = IdRole


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _long(key: str, title: str, width: int, **kw) -> Column:
    get = attrgetter(key)
    return Column(key, title, width=width, searchable=True, display=lambda r: _one_line(get(r)),
                  tip=lambda r: get(r) or None, **kw)


def process_columns(model: "ProcessTableModel") -> tuple[Column, ...]:
    labels = status_labels()
    statuses = [(text, value, "") for value, text in labels.items()]
    italic = QFont()
    italic.setItalic(True)
    columns = (
        Column("code", tr("Code"), width=70, editor=TEXT, searchable=True),
        Column("name", tr("Name"), width=220, editor=TEXT, searchable=True,
               tip=lambda r: r.name or None),
        Column("owner_role_id", tr("Owner"), width=160, editor=CHOICE, searchable=True,
               display=attrgetter("owner_role"),
               sort=lambda r: r.owner_role.casefold() or None,
               items=lambda r: [(tr("(none)"), None, "")] + [(n, i, "") for i, n in model.roles]),
        Column("status", tr("Status"), width=100, editor=CHOICE, items=lambda r: statuses,
               display=lambda r: labels.get(r.status, r.status), searchable=True,
               tip=lambda r: tr("The process is being reviewed; its map may change.")
               if r.status == "under_review" else None),
        Column("steps", tr("Steps"), width=60, align=RIGHT),
        Column("risks", tr("Risks"), width=60, align=RIGHT),
        Column("documents", tr("Documents"), width=80, align=RIGHT),
        _long("inputs", tr("Inputs"), 170),
        _long("outputs", tr("Outputs"), 170),
        _long("purpose", tr("Purpose"), 300, editor=TEXT),
    )
    # drafts and retired processes in italics, retired ones greyed, in every column
    font = lambda r: italic if r.status in ("draft", "retired") else None  # noqa: E731
    colour = lambda r, pal: (None, pal if r.status == "retired" else None)  # noqa: E731
    return tuple(replace(c, font=font, colour=colour) for c in columns)


#: (field, editable) in column order
COLUMNS = (("code", True), ("name", True), ("owner_role_id", True), ("status", True),
           ("steps", False), ("risks", False), ("documents", False), ("inputs", False),
           ("outputs", False), ("purpose", True))


def _greyed() -> QBrush:
    return QBrush(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))


class ProcessTableModel(RowModel):
    """Every process; edits go through ``controller`` as one undo step each."""

    def __init__(self, controller: "WorkspaceController | None" = None, parent=None):
        self.roles: list[tuple[int, str]] = []
        super().__init__(process_columns(self), kind="process", load=self._load,
                         commit=self._commit, palette=_greyed,
                         reload_kinds={"role", "risk", "document", "process_node"},
                         order=None, parent=parent)
        self.controller = controller
        if controller is not None:
            self.read_only = controller.read_only

    def set_roles(self, roles: list[tuple[int, str]]) -> None:
        self.roles = list(roles)

    def _load(self, ids) -> list:
        from ...services.processes import list_processes

        ws = self.controller.workspace if self.controller is not None else None
        if ws is None:
            return []
        rows = list_processes(ws)
        return rows if ids is None else [r for r in rows if r.id in ids]

    def _commit(self, row: Any, column: Column, value: Any) -> bool:
        from ...services import records
        from ..commands import field_edit_text

        if self.controller is None or self.controller.workspace is None:
            return False
        if isinstance(value, str) and column.key != "purpose":
            value = value.strip()
        if column.key == "name" and not value:
            from ..errors import show_error

            show_error(None, tr("A process needs a name; type one or press Escape."))
            return False
        if value == getattr(row, column.key):
            return False
        rid, key = row.id, column.key
        ok = self.controller.edit(field_edit_text("process", key),
                                  lambda ws: records.update_field(ws, "process", rid, key, value))
        return bool(ok)

    def flags(self, index):
        if self.controller is not None:
            self.read_only = self.controller.read_only
        return super().flags(index)

    def process_at(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None
