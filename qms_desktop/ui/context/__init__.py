"""The Context & policy page: quality policy, scope and exclusions, climate change, interested
parties, and internal and external issues (ISO 9001 4.1–4.3, 5.2)."""

from .page import ContextPage

__all__ = ["ContextPage"]
