"""The Processes page: process list, turtle/SIPOC panel and the map editor.

Register it with ``PageSpec("processes", ..., factory="qms_desktop.ui.processes:ProcessesPage")``.
"""

from .page import ProcessesPage

__all__ = ["ProcessesPage"]
