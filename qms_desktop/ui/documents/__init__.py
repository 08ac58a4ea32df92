"""The Documents page (see ``page.py``): the register of controlled documents, built from the
table kit (``ui/table``), with revisions, electronic signatures and signing users."""

from .page import DocumentsPage

__all__ = ["DocumentsPage"]
