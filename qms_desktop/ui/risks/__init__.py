"""The risk register editor, built from the table kit (``ui/table``): the register's columns,
model and filters, the detail panel with ratings and actions, heat maps, the banding editor, bulk
edit and the import wizard.

Register the page with ``PageSpec(..., factory="qms_desktop.ui.risks:RisksPage")``.
"""

from .page import RisksPage

__all__ = ["RisksPage"]
