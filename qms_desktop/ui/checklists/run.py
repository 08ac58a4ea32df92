"""The open run: its items, answered from the keyboard (being built)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTableView, QWidget


class RunView(QWidget):
    openRecord = Signal(str, int)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.run_id = None
        self.table = QTableView(self)

    def set_run(self, run_id):
        self.run_id = run_id

    def refresh(self):
        pass

    def on_change(self, change):
        pass
