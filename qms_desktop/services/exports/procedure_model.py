"""What a Word procedure export holds: plain dataclasses, filled from the workspace by
``services.documents.procedure_export_data`` and written by ``exports.procedure_docx``.

Texts are as the user typed them; section texts are light Markdown (``core.richtext``).
Dates are ``datetime.date``; signature times are naive UTC plus the signer's local time text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SignatureLine:
    meaning: str                 # "authored" | "reviewed" | "approved"
    signer_name: str             # printed name
    user: str                    # account name
    signed_at_utc: dt.datetime | None   # naive, UTC (None: a signature that is missing)
    local_time: str              # ISO 8601 with offset, "" for old signatures
    valid: bool
    #: "" when valid, else why it no longer counts (shown on the export too)
    problem: str = ""


@dataclass(frozen=True)
class RevisionLine:
    number: str
    status: str                  # core.documents.STATUSES
    issued_on: dt.date | None
    effective_on: dt.date | None
    change_summary: str
    author: str
    reviewer: str
    approver: str


@dataclass(frozen=True)
class Section:
    key: str                     # core.documents.SECTION_KEYS or the document's own key
    title: str
    text: str                    # light Markdown


@dataclass(frozen=True)
class RiskLine:
    ref: str
    title: str
    kind: str                    # "threat" | "opportunity"
    rating: str                  # e.g. "12 High" or "RPN 160 · AP H"
    residual: str
    treatment: str


@dataclass(frozen=True)
class TrainingLine:
    course: str                  # code and title
    roles: str                   # roles that must complete it, comma-separated
    validity: str                # "24 months", "once"


@dataclass
class ProcedureExport:
    number: str
    title: str
    kind: str                    # core.documents.KINDS
    revision: str                # the revision exported
    status: str                  # that revision's status
    effective_on: dt.date | None
    owner: str
    process: str                 # "" when not linked
    organization: str
    next_review_on: dt.date | None
    sections: list[Section] = field(default_factory=list)
    signatures: list[SignatureLine] = field(default_factory=list)
    history: list[RevisionLine] = field(default_factory=list)
    #: the process map as PNG bytes at print resolution (None: no map or not rendered)
    map_png: bytes | None = None
    #: what the map shows (the process's name); the writer adds "Process map as of DATE"
    map_caption: str = ""
    risks: list[RiskLine] = field(default_factory=list)
    training: list[TrainingLine] = field(default_factory=list)
    #: records kept (from the map's record shapes and the Records section's own list)
    records: list[str] = field(default_factory=list)
    #: the audit chain's head hash and event number at export time
    audit_head: str = ""
    audit_event: int = 0
    exported_at: dt.datetime | None = None   # naive UTC
    exported_by: str = ""
    #: the day the live data was read (the map as drawn, risks, training); None: the day of
    #: ``exported_at``. The map is today's map, never a snapshot of the revision's.
    as_of: dt.date | None = None
    #: the last day the process map (its process, lanes, shapes, connectors) changed after
    #: the exported revision took effect; None: unchanged since (or not known)
    map_changed_on: dt.date | None = None
