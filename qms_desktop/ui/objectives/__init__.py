"""The Objectives & KPIs page (see ``page.py``); built from the table kit (``ui/table``)."""

from .page import ObjectivesPage

__all__ = ["ObjectivesPage"]
