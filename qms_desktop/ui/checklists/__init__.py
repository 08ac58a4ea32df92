"""The Checklists & Audits page (see ``page.py``): runs of gap analyses and internal audits,
answered from the keyboard, typed back from printed blanks, findings that raise actions."""

from .page import ChecklistsPage

__all__ = ["ChecklistsPage"]
