"""A page for a module whose editor is not built yet: it says what the module will hold."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .base import Page, heading


def tr(text: str) -> str:
    return QCoreApplication.translate("PlaceholderPage", text)


def count_phrase(key: str, n: int) -> str:
    """“12 risks” / “1 risk” for an overview count key (translated, locale digits)."""
    num = QLocale().toString(n)
    phrases = {
        "people": (tr("{n} person"), tr("{n} people")),
        "roles": (tr("{n} role"), tr("{n} roles")),
        "processes": (tr("{n} process"), tr("{n} processes")),
        "process_steps": (tr("{n} process step"), tr("{n} process steps")),
        "risks": (tr("{n} risk"), tr("{n} risks")),
        "actions": (tr("{n} action"), tr("{n} actions")),
        "courses": (tr("{n} course"), tr("{n} courses")),
        "training_records": (tr("{n} training record"), tr("{n} training records")),
        "checklist_templates": (tr("{n} checklist template"), tr("{n} checklist templates")),
        "checklist_runs": (tr("{n} gap analysis or audit"), tr("{n} gap analyses and audits")),
        "findings": (tr("{n} finding"), tr("{n} findings")),
        "documents": (tr("{n} document"), tr("{n} documents")),
        "objectives": (tr("{n} objective"), tr("{n} objectives")),
        "nonconformities": (tr("{n} nonconformity"), tr("{n} nonconformities")),
        "management_reviews": (tr("{n} management review"), tr("{n} management reviews")),
        "context_issues": (tr("{n} context issue"), tr("{n} context issues")),
        "interested_parties": (tr("{n} interested party"), tr("{n} interested parties")),
        "audit_events": (tr("{n} audit event"), tr("{n} audit events")),
    }
    words = key.replace("_", " ")
    one, many = phrases.get(key, ("{n} " + words, "{n} " + words))
    return (one if n == 1 else many).format(n=num)


class PlaceholderPage(Page):
    def __init__(self, controller, spec, parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        lay = QVBoxLayout(self)
        lay.addWidget(heading(spec.title, parent=self))
        self.coming = QLabel(tr("This module is not built yet. It will hold:"), self)
        self.coming.setWordWrap(True)
        lay.addWidget(self.coming)
        self.description = QLabel(spec.description, self)
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.description)
        self.holding = QLabel(self)
        self.holding.setWordWrap(True)
        lay.addWidget(self.holding)
        lay.addStretch(1)
        self.holding.hide()

    def refresh(self) -> None:
        ov = self.controller.current_overview()
        if ov is None or not self.spec.counts:
            self.holding.hide()
            return
        parts = [count_phrase(k, ov.counts.get(k, 0)) for k in self.spec.counts]
        self.holding.setText(tr("The workspace already holds {items}.").format(
            items=QLocale().createSeparatedList(parts)))
        self.holding.show()

    def workspace_closed(self) -> None:
        self.holding.hide()
