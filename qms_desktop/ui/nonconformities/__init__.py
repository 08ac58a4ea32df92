"""The Nonconformities page (CAPA register with the 8D of the selected one); see ``page.py``."""

from .page import NonconformitiesPage

__all__ = ["NonconformitiesPage"]
