"""The implementation roadmap page (see ``page.py``): the ten steps of implementing a QMS,
checked against the workspace by ``core/roadmap.py``, with the next action as a button."""

from .page import RoadmapPage

__all__ = ["RoadmapPage"]
