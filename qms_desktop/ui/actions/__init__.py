"""The workspace-wide Actions page (see ``page.py``); built from the table kit (``ui/table``)."""

from .page import ActionsPage

__all__ = ["ActionsPage"]
