"""The risk register editor: table model with a row cache, filter proxy, delegates, undo
commands, detail panel, heat maps, banding editor, bulk edit and the import wizard.

Register the page with ``PageSpec(..., factory="qms_desktop.ui.risks:RisksPage")``.
"""

from .page import RisksPage

__all__ = ["RisksPage"]
