"""Checklist templates shipped with the application (data; see services/checklists.py)."""
