"""Typing back a printed blank (being built)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class FastEntry(QWidget):
    runOpened = Signal(int)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller

    def set_read_only(self, read_only):
        pass
