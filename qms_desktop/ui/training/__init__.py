"""The Training page: the competence matrix, people, courses and records."""

from .page import TrainingPage

__all__ = ["TrainingPage"]
