"""Undo commands of the process list that the generic record commands do not cover."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from ..commands import RecordCommand

if TYPE_CHECKING:  # pragma: no cover
    from ...services.records import Change, Deleted
    from ...storage.workspace import Workspace


def tr(text: str) -> str:
    return QCoreApplication.translate("processes", text)


class AddProcessCommand(RecordCommand):
    """A new process (with a unique name); undo deletes it, redo brings the same one back."""

    def __init__(self, ws: "Workspace", values: dict | None = None):
        super().__init__(ws, tr("Add process"))
        self.values = dict(values or {})
        self.process_id: int | None = None
        self._deleted: "Deleted | None" = None

    def apply(self) -> "Change":
        from ...services import processes, records

        if self._deleted is not None:
            change = records.restore(self.ws, self._deleted)
            self._deleted = None
            return change
        values = dict(self.values)
        values["name"] = processes.unique_name(self.ws, values.get("name") or tr("New process"))
        self.values = values
        self.process_id, change = processes.add_process(self.ws, values)
        return change

    def revert(self) -> "Change":
        from ...services import records

        self._deleted = records.delete(self.ws, "process", self.process_id)
        return self._deleted.change()


class DuplicateProcessCommand(RecordCommand):
    """A copy of a process with its whole map; undo deletes the copy."""

    def __init__(self, ws: "Workspace", process_id: int, name: str = ""):
        super().__init__(ws, tr("Duplicate “{name}”").format(name=name) if name
                         else tr("Duplicate process"))
        self.source_id = process_id
        self.process_id: int | None = None
        self._deleted: "Deleted | None" = None

    def apply(self) -> "Change":
        from ...services import processes, records

        if self._deleted is not None:
            change = records.restore(self.ws, self._deleted)
            self._deleted = None
            return change
        self.process_id, change = processes.duplicate_process(self.ws, self.source_id)
        return change

    def revert(self) -> "Change":
        from ...services import records

        self._deleted = records.delete(self.ws, "process", self.process_id)
        return self._deleted.change()
