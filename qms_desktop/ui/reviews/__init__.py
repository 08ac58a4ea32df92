"""The Management review page (ISO 9001 9.3): packs whose inputs fill themselves."""

from .page import ReviewsPage

__all__ = ["ReviewsPage"]
