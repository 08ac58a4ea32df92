"""The workspace data model (SQLAlchemy 2, typed mappings).

Every table has an integer primary key ``id`` so the audit trail can name any record as
(entity, id). Columns are dialect-neutral (SQLite file or PostgreSQL server). Enumerations are
plain strings validated in ``core``/``services``; the allowed values live next to the model as
tuples so the UI can offer them.

Schema changes go through Alembic revisions in ``storage/migrations/versions`` (see
ARCHITECTURE.md); ``tests/unit/test_migrations.py`` fails when this file and the migrations
disagree.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    #: tables whose changes are recorded in the audit trail (all but the trail itself)
    __audited__ = True


def fk(target: str, *, nullable: bool = True, ondelete: str = "SET NULL", index: bool = True):
    """A foreign key, checked at commit (deferred), whose delete rule the ORM applies.

    ``ondelete`` is enforced by the audit layer (``storage.audit``) through the ORM, not by the
    database, so rows removed or cleared by a cascade get their own audit events:
    ``CASCADE`` deletes dependants, ``SET NULL`` clears the reference, ``RESTRICT`` refuses.
    """
    rule = {"CASCADE": "cascade", "SET NULL": "set_null", "RESTRICT": "restrict"}[ondelete]
    return mapped_column(
        ForeignKey(target, deferrable=True, initially="DEFERRED", info={"on_delete": rule}),
        nullable=nullable,
        index=index,
    )


# --------------------------------------------------------------------------- organisation

class Setting(Base):
    """Workspace-wide settings (key -> JSON text), e.g. the risk banding."""

    __tablename__ = "setting"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Organization(Base):
    __tablename__ = "organization"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text, default="")
    quality_policy: Mapped[str] = mapped_column(Text, default="")
    sites: Mapped[str] = mapped_column(Text, default="")
    #: the controlled document (kind "policy") that holds the approved quality policy
    policy_document_id: Mapped[int | None] = fk("document.id")
    #: ISO 9001 4.1 as amended in 2024: whether climate change is a relevant issue (None = not
    #: yet determined) and why
    climate_relevant: Mapped[bool | None] = mapped_column(Boolean)
    climate_note: Mapped[str] = mapped_column(Text, default="")


#: ISO 9001 4.1: kinds of issues of the organization's context
ISSUE_KINDS = ("internal", "external")


class ContextIssue(Base):
    """An internal or external issue relevant to the organization's purpose (ISO 9001 4.1)."""

    __tablename__ = "context_issue"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="external")
    #: e.g. political, economic, social, technological, legal, environmental, climate
    category: Mapped[str] = mapped_column(String(30), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    #: how it affects the QMS (a risk or an opportunity, in words)
    effect: Mapped[str] = mapped_column(Text, default="")
    risk_id: Mapped[int | None] = fk("risk.id")
    position: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)


class InterestedParty(Base):
    """A party whose needs and expectations bear on the QMS (ISO 9001 4.2)."""

    __tablename__ = "interested_party"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    #: how the organization follows them (surveys, contracts, meetings)
    monitoring: Mapped[str] = mapped_column(Text, default="")
    relevant: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)


class ScopeExclusion(Base):
    """A requirement of the standard that does not apply, with its justification (4.3)."""

    __tablename__ = "scope_exclusion"
    id: Mapped[int] = mapped_column(primary_key=True)
    clause: Mapped[str] = mapped_column(String(20), default="")
    justification: Mapped[str] = mapped_column(Text, default="")


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    employee_no: Mapped[str] = mapped_column(String(40), default="")
    department: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    hired_on: Mapped[dt.date | None] = mapped_column(Date)
    #: the day they left (a leaver keeps their records but leaves the training matrix)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    manager_id: Mapped[int | None] = fk("person.id")


class Role(Base):
    __tablename__ = "role"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class PersonRole(Base):
    """A person holds a role from ``valid_from`` to ``valid_to`` (both inclusive, open when
    empty); the same role may be held again later, as another row."""

    __tablename__ = "person_role"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = fk("person.id", nullable=False, ondelete="CASCADE")
    role_id: Mapped[int] = fk("role.id", nullable=False, ondelete="CASCADE")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


# --------------------------------------------------------------------------- processes

PROCESS_STATUSES = ("draft", "active", "under_review", "retired")


class Process(Base):
    __tablename__ = "process"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(200), index=True)
    owner_role_id: Mapped[int | None] = fk("role.id")
    purpose: Mapped[str] = mapped_column(Text, default="")
    suppliers: Mapped[str] = mapped_column(Text, default="")
    inputs: Mapped[str] = mapped_column(Text, default="")
    outputs: Mapped[str] = mapped_column(Text, default="")
    customers: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    kpis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    parent_id: Mapped[int | None] = fk("process.id")
    #: JSON text: document-level data kept for BPMN round trips (definitions, pools, ...)
    map_extra: Mapped[str] = mapped_column(Text, default="")


class ProcessLane(Base):
    __tablename__ = "process_lane"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = fk("process.id", nullable=False, ondelete="CASCADE")
    key: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    role_id: Mapped[int | None] = fk("role.id")
    order: Mapped[int] = mapped_column(Integer, default=0)
    x: Mapped[float] = mapped_column(Float, default=0.0)
    y: Mapped[float] = mapped_column(Float, default=0.0)
    w: Mapped[float] = mapped_column(Float, default=0.0)
    h: Mapped[float] = mapped_column(Float, default=0.0)
    extra: Mapped[str] = mapped_column(Text, default="")


class ProcessNode(Base):
    __tablename__ = "process_node"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = fk("process.id", nullable=False, ondelete="CASCADE")
    key: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(30), default="step")
    bpmn_type: Mapped[str] = mapped_column(String(60), default="")
    name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    lane_id: Mapped[int | None] = fk("process_lane.id")
    parent_node_id: Mapped[int | None] = fk("process_node.id")
    role_id: Mapped[int | None] = fk("role.id")
    subprocess_id: Mapped[int | None] = fk("process.id")
    duration_minutes: Mapped[float | None] = mapped_column(Float)
    x: Mapped[float] = mapped_column(Float, default=0.0)
    y: Mapped[float] = mapped_column(Float, default=0.0)
    w: Mapped[float] = mapped_column(Float, default=120.0)
    h: Mapped[float] = mapped_column(Float, default=60.0)
    extra: Mapped[str] = mapped_column(Text, default="")


class ProcessEdge(Base):
    __tablename__ = "process_edge"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = fk("process.id", nullable=False, ondelete="CASCADE")
    key: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20), default="sequence")
    source_id: Mapped[int] = fk("process_node.id", nullable=False, ondelete="CASCADE")
    target_id: Mapped[int] = fk("process_node.id", nullable=False, ondelete="CASCADE")
    label: Mapped[str] = mapped_column(Text, default="")
    condition: Mapped[str] = mapped_column(Text, default="")
    #: JSON list of [x, y] points
    waypoints: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[str] = mapped_column(Text, default="")


NODE_LINK_KINDS = ("document", "record")


class NodeDocument(Base):
    """A step's link to a controlled document or a record it produces."""

    __tablename__ = "node_document"
    __table_args__ = (UniqueConstraint("node_id", "document_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = fk("process_node.id", nullable=False, ondelete="CASCADE")
    document_id: Mapped[int] = fk("document.id", nullable=False, ondelete="CASCADE")
    kind: Mapped[str] = mapped_column(String(20), default="document")


class NodeObjective(Base):
    __tablename__ = "node_objective"
    __table_args__ = (UniqueConstraint("node_id", "objective_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = fk("process_node.id", nullable=False, ondelete="CASCADE")
    objective_id: Mapped[int] = fk("objective.id", nullable=False, ondelete="CASCADE")


# --------------------------------------------------------------------------- risks & actions

RISK_KINDS = ("risk", "opportunity")
RISK_STATUSES = ("open", "treating", "monitoring", "closed")
RISK_METHODS = ("5x5", "fmea", "both")


class Risk(Base):
    __tablename__ = "risk"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), index=True, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="risk")
    category: Mapped[str] = mapped_column(String(120), default="")
    process_id: Mapped[int | None] = fk("process.id")
    node_id: Mapped[int | None] = fk("process_node.id")
    cause: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = fk("person.id")
    controls: Mapped[str] = mapped_column(Text, default="")
    treatment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    identified_on: Mapped[dt.date | None] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10), default="5x5")
    inherent_likelihood: Mapped[int | None] = mapped_column(Integer)
    inherent_impact: Mapped[int | None] = mapped_column(Integer)
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_impact: Mapped[int | None] = mapped_column(Integer)
    failure_mode: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int | None] = mapped_column(Integer)
    occurrence: Mapped[int | None] = mapped_column(Integer)
    detection: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")


class RiskRating(Base):
    """History of ratings: every re-rating after actions keeps the earlier ones."""

    __tablename__ = "risk_rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = fk("risk.id", nullable=False, ondelete="CASCADE")
    rated_on: Mapped[dt.date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20), default="residual")
    likelihood: Mapped[int | None] = mapped_column(Integer)
    impact: Mapped[int | None] = mapped_column(Integer)
    severity: Mapped[int | None] = mapped_column(Integer)
    occurrence: Mapped[int | None] = mapped_column(Integer)
    detection: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


ACTION_KINDS = ("treatment", "correction", "corrective", "preventive", "improvement", "review")
ACTION_STATUSES = ("open", "in_progress", "done", "verified", "cancelled")


class Action(Base):
    """An action, shared by risks, audit findings, nonconformities and management reviews."""

    __tablename__ = "action"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), index=True, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="corrective")
    owner_id: Mapped[int | None] = fk("person.id")
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    effectiveness_check: Mapped[str] = mapped_column(Text, default="")
    effectiveness_due: Mapped[dt.date | None] = mapped_column(Date)
    effective: Mapped[bool | None] = mapped_column(Boolean)
    risk_id: Mapped[int | None] = fk("risk.id", ondelete="CASCADE")
    finding_id: Mapped[int | None] = fk("finding.id", ondelete="CASCADE")
    nonconformity_id: Mapped[int | None] = fk("nonconformity.id", ondelete="CASCADE")
    review_id: Mapped[int | None] = fk("management_review.id", ondelete="CASCADE")


NC_STATUSES = ("open", "contained", "investigating", "action", "closed")
NC_SOURCES = ("customer complaint", "internal audit", "process", "supplier", "other")
NC_SEVERITIES = ("major", "minor")
#: the 6M categories of an Ishikawa (fishbone) diagram
CAUSE_CATEGORIES = ("man", "machine", "method", "material", "measurement", "environment")
CAUSE_METHODS = ("why", "fishbone")


class Nonconformity(Base):
    __tablename__ = "nonconformity"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    detected_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(60), default="")
    process_id: Mapped[int | None] = fk("process.id")
    correction: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    severity: Mapped[str] = mapped_column(String(10), default="minor")
    owner_id: Mapped[int | None] = fk("person.id")
    #: the internal-audit finding it was raised from
    finding_id: Mapped[int | None] = fk("finding.id")
    reported_by: Mapped[str] = mapped_column(String(200), default="")
    customer: Mapped[str] = mapped_column(String(200), default="")
    supplier: Mapped[str] = mapped_column(String(200), default="")
    #: 8D D1: the team, one name per line
    team: Mapped[str] = mapped_column(Text, default="")
    #: 8D D3: containment to protect the customer until corrected
    containment: Mapped[str] = mapped_column(Text, default="")
    #: 8D D7: what keeps it from recurring elsewhere (systemic prevention)
    prevention: Mapped[str] = mapped_column(Text, default="")
    #: ISO 9001 10.2.1 d): the review of the effectiveness of the corrective actions
    effectiveness_check: Mapped[str] = mapped_column(Text, default="")
    effective: Mapped[bool | None] = mapped_column(Boolean)
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    verified_by: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)


class NcCause(Base):
    """A cause of a nonconformity: a step of its 5 Whys chain or a bone of its fishbone."""

    __tablename__ = "nc_cause"
    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = fk("nonconformity.id", nullable=False, ondelete="CASCADE")
    method: Mapped[str] = mapped_column(String(10), default="why")
    #: one of CAUSE_CATEGORIES for a fishbone cause, "" for a why
    category: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    #: marked as (one of) the root cause(s)
    is_root: Mapped[bool] = mapped_column(Boolean, default=False)


# --------------------------------------------------------------------------- documents

DOCUMENT_KINDS = ("manual", "policy", "procedure", "work_instruction", "form", "record",
                  "external")
#: a revision's life, in order; a document's status is that of its newest live revision
DOCUMENT_STATUSES = ("draft", "in_review", "approved", "effective", "obsolete")
#: the sections of a procedure, in order (a document may add its own after them)
SECTION_KEYS = ("purpose", "scope", "definitions", "responsibilities", "procedure", "records",
                "references")


class Document(Base):
    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), index=True, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(30), default="procedure")
    owner_id: Mapped[int | None] = fk("person.id")
    process_id: Mapped[int | None] = fk("process.id")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    current_revision: Mapped[str] = mapped_column(String(20), default="")
    #: before revision 0005 a document's text lived here; a revision without section rows
    #: still reads it (purpose, scope, body as the Procedure section)
    purpose: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    #: months between periodic reviews (None = no periodic review)
    review_months: Mapped[int | None] = mapped_column(Integer)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date)
    #: for external documents: who issues it and its own reference (e.g. "DIN EN 10204:2005")
    origin: Mapped[str] = mapped_column(String(200), default="")


class Revision(Base):
    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = fk("document.id", nullable=False, ondelete="CASCADE")
    number: Mapped[str] = mapped_column(String(20), default="")
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    change_summary: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    approver: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    reviewer: Mapped[str] = mapped_column(String(200), default="")
    #: the day it took effect (``issued_on`` is the day it was approved for issue)
    effective_on: Mapped[dt.date | None] = mapped_column(Date)


class DocumentSection(Base):
    """One section of a revision's text (Purpose, Scope, …, or one of the document's own).

    ``text`` is light Markdown (paragraphs, **bold**, *italic*, lists, pipe tables).
    ``generated`` is the text last generated from the process map for this section ("" when
    written by hand), so regenerating can tell the user's edits from the map's changes.
    """

    __tablename__ = "document_section"
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = fk("revision.id", nullable=False, ondelete="CASCADE")
    key: Mapped[str] = mapped_column(String(30), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    generated: Mapped[str] = mapped_column(Text, default="")


#: what a user may sign as
USER_RIGHTS = ("authored", "reviewed", "approved")


class AppUser(Base):
    """Someone who signs electronically in this workspace. ``password_hash`` is
    ``core.signatures.hash_password``'s text (scrypt, salted); passwords are never stored."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    person_id: Mapped[int | None] = fk("person.id")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    #: comma-separated ``USER_RIGHTS`` this user may sign with
    rights: Mapped[str] = mapped_column(String(60), default="authored,reviewed,approved")
    #: may add users and change their rights
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


SIGNATURE_MEANINGS = ("authored", "reviewed", "approved")


class Signature(Base):
    """An electronic signature bound to one record's content (hash of its values).

    Named generically as (``entity``, ``record_id``) like :class:`Attachment`; the audit layer
    deletes these rows with their owner (a draft revision deleted takes its signatures)."""

    __tablename__ = "signature"
    __table_args__ = (Index("ix_signature_record", "entity", "record_id"),)
    __owner_columns__ = ("entity", "record_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    meaning: Mapped[str] = mapped_column(String(20))
    signer_name: Mapped[str] = mapped_column(String(200))
    user: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    record_hash: Mapped[str] = mapped_column(String(64))
    #: the signer's account (None for signatures made before revision 0005)
    user_id: Mapped[int | None] = fk("app_user.id", ondelete="RESTRICT")
    #: the signing time as the signer's clock showed it, ISO 8601 with its UTC offset
    local_time: Mapped[str] = mapped_column(String(40), default="")
    #: ``core.signatures.seal`` over the signature's own fields and ``record_hash``
    seal: Mapped[str] = mapped_column(String(64), default="")


# --------------------------------------------------------------------------- training

#: how a course is delivered (its method)
COURSE_KINDS = ("read_and_understood", "classroom", "on_the_job", "external")
COURSE_PROVIDERS = ("internal", "external")
TRAINING_RESULTS = ("passed", "attended", "failed")


class Course(Base):
    __tablename__ = "course"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(30), default="classroom")
    #: months a completion stays valid; None = does not expire
    validity_months: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = fk("document.id")
    provider: Mapped[str] = mapped_column(String(20), default="internal")
    #: marked revised on this day: completions before it are due again
    revised_on: Mapped[dt.date | None] = mapped_column(Date)


class RoleCourse(Base):
    """A training requirement: people holding the role must complete the course."""

    __tablename__ = "role_course"
    __table_args__ = (UniqueConstraint("role_id", "course_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = fk("role.id", nullable=False, ondelete="CASCADE")
    course_id: Mapped[int] = fk("course.id", nullable=False, ondelete="CASCADE")
    #: days a new holder of the role (or everyone, after a revision) has to complete it
    grace_days: Mapped[int | None] = mapped_column(Integer)


class TrainingRecord(Base):
    __tablename__ = "training_record"
    __table_args__ = (Index("ix_training_person_course", "person_id", "course_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = fk("person.id", nullable=False, ondelete="CASCADE", index=False)
    course_id: Mapped[int] = fk("course.id", nullable=False, ondelete="CASCADE")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    trainer: Mapped[str] = mapped_column(String(200), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    document_revision: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(String(20), default="passed")


# --------------------------------------------------------------------------- checklists & audits

CHECKLIST_KINDS = ("gap_analysis", "internal_audit", "inspection")
RUN_STAGES = ("initiate", "prepare", "conduct", "report", "complete", "follow_up")
RESPONSE_RESULTS = ("conform", "partial", "nonconform", "na")
FINDING_KINDS = ("major", "minor", "observation", "ofi")
FINDING_STATUSES = ("open", "closed")
#: where a template came from: shipped with the app, generated from a process map, made here
TEMPLATE_SOURCES = ("catalogue", "process_map", "user")
#: the ISO 19011 steps tracked per audit, in order
AUDIT_STEPS = ("plan", "opening_meeting", "evidence", "closing_meeting", "report", "follow_up")


class ChecklistTemplate(Base):
    __tablename__ = "checklist_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(20), default="1")
    standard: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(20), default="gap_analysis")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    #: versions of one template share it (a new version is a new row with the same family)
    family: Mapped[str] = mapped_column(String(60), index=True, default="")
    source: Mapped[str] = mapped_column(String(20), default="user")


class ChecklistItem(Base):
    __tablename__ = "checklist_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = fk("checklist_template.id", nullable=False, ondelete="CASCADE")
    order: Mapped[int] = mapped_column(Integer, default=0)
    clause: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str] = mapped_column(Text, default="")
    expected_evidence: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str] = mapped_column(String(200), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    #: "plan", "do", "check", "act" or "" (then taken from the clause's chapter)
    pdca: Mapped[str] = mapped_column(String(8), default="")


class ChecklistRun(Base):
    __tablename__ = "checklist_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int | None] = fk("checklist_template.id")
    kind: Mapped[str] = mapped_column(String(20), default="gap_analysis")
    title: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    auditor: Mapped[str] = mapped_column(String(200), default="")
    auditee: Mapped[str] = mapped_column(String(200), default="")
    process_id: Mapped[int | None] = fk("process.id")
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20), default="initiate")
    #: short code printed on blank checklists, typed back to find the run
    code: Mapped[str] = mapped_column(String(20), index=True, default="")
    #: the template version the run was made from (runs keep theirs)
    template_version: Mapped[str] = mapped_column(String(20), default="")


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("run_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = fk("checklist_run.id", nullable=False, ondelete="CASCADE")
    item_id: Mapped[int] = fk("checklist_item.id", nullable=False, ondelete="CASCADE")
    result: Mapped[str | None] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_by: Mapped[str] = mapped_column(String(120), default="")


class EvidenceLink(Base):
    """A workspace record (a document, a training record, a risk, a map step…) named as
    evidence for a response, as (``entity``, ``record_id``) like :class:`Attachment`; the link
    goes with the response and with the record it names (``__owner_columns__``)."""

    __tablename__ = "evidence_link"
    __table_args__ = (Index("ix_evidence_link_record", "entity", "record_id"),)
    __owner_columns__ = ("entity", "record_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = fk("response.id", nullable=False, ondelete="CASCADE")
    entity: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class AuditStep(Base):
    """One ISO 19011 step of an audit (:data:`AUDIT_STEPS`) and the day it was done."""

    __tablename__ = "audit_step"
    __table_args__ = (UniqueConstraint("run_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = fk("checklist_run.id", nullable=False, ondelete="CASCADE")
    step: Mapped[str] = mapped_column(String(20))
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")


class Finding(Base):
    __tablename__ = "finding"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = fk("checklist_run.id", nullable=False, ondelete="CASCADE")
    response_id: Mapped[int | None] = fk("response.id")
    ref: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20), default="observation")
    clause: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    correction: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: how the effect of the corrective actions was checked (ISO 9001 10.2), and the verdict
    effectiveness_check: Mapped[str] = mapped_column(Text, default="")
    effective: Mapped[bool | None] = mapped_column(Boolean)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)


# --------------------------------------------------------------------------- objectives & review

OBJECTIVE_KINDS = ("objective", "kpi")
#: ">=" higher is better, "<=" lower is better
OBJECTIVE_DIRECTIONS = (">=", "<=")
OBJECTIVE_FREQUENCIES = ("weekly", "monthly", "quarterly", "yearly")
OBJECTIVE_CATEGORIES = ("customer", "process", "supplier", "quality", "resources")
#: a management review pack's sections, in order: the inputs of ISO 9001 9.3.2, then the
#: outputs of 9.3.3
REVIEW_INPUTS = ("previous_actions", "context", "customer", "objectives", "processes",
                 "nonconformities", "monitoring", "audits", "suppliers", "resources", "risks",
                 "improvement")
REVIEW_OUTPUTS = ("decision", "resource_need", "improvement_action")


class Objective(Base):
    __tablename__ = "objective"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    process_id: Mapped[int | None] = fk("process.id")
    owner_id: Mapped[int | None] = fk("person.id")
    target: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(2), default=">=")
    frequency: Mapped[str] = mapped_column(String(20), default="monthly")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    #: "objective" (SMART, with a due date) or "kpi" (an indicator followed without end)
    kind: Mapped[str] = mapped_column(String(10), default="objective")
    #: how it is measured (the formula or source, in words)
    measure: Mapped[str] = mapped_column(Text, default="")
    #: what the review pack files it under: customer, process, supplier, quality, resources
    category: Mapped[str] = mapped_column(String(20), default="")
    baseline: Mapped[float | None] = mapped_column(Float)
    #: how far from the target still counts as "near" (in the KPI's unit); None = no band
    tolerance: Mapped[float | None] = mapped_column(Float)
    started_on: Mapped[dt.date | None] = mapped_column(Date)


class Measurement(Base):
    __tablename__ = "measurement"
    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = fk("objective.id", nullable=False, ondelete="CASCADE")
    measured_on: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")


class ManagementReview(Base):
    __tablename__ = "management_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    held_on: Mapped[dt.date | None] = mapped_column(Date)
    chair: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")
    inputs: Mapped[str] = mapped_column(Text, default="")
    outputs: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    #: the period the review looks back on
    period_from: Mapped[dt.date | None] = mapped_column(Date)
    period_to: Mapped[dt.date | None] = mapped_column(Date)


class ReviewItem(Base):
    """One entry of a management review pack: an input (ISO 9001 9.3.2) collected from the
    workspace and edited in the meeting, or an output (9.3.3: a decision, a resource need, an
    improvement). ``generated`` is the text last collected, so collecting again never
    overwrites what the team wrote."""

    __tablename__ = "review_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = fk("management_review.id", nullable=False, ondelete="CASCADE")
    section: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    generated: Mapped[str] = mapped_column(Text, default="")
    #: the figures behind the text (JSON), kept so the pack reads as it was on the day
    figures: Mapped[str] = mapped_column(Text, default="")


# --------------------------------------------------------------------------- attachments

class BlobContent:
    """The bytes of one stored file, as the ``attachment_blob.data`` column hands them out.

    Not ``bytes`` on purpose: the audit trail encodes unknown values with ``str()``
    (``core.audit_chain.encode_value``), and ``str()`` of this is ``"sha256:<hex>"`` computed
    from the bytes themselves. So an event records the content's hash instead of the content
    (a 25 MB scan does not become 50 MB of hex in the trail), and ``qms verify``, which
    re-encodes the stored value, re-hashes the stored bytes: content changed outside the
    application no longer matches its insert event.
    """

    __slots__ = ("data", "_sha256")

    def __init__(self, data: bytes):
        self.data = bytes(data)
        self._sha256: str | None = None

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.data).hexdigest()
        return self._sha256

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other) -> bool:
        if isinstance(other, BlobContent):
            return self.data == other.data
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __str__(self) -> str:
        return "sha256:" + self.sha256

    def __repr__(self) -> str:
        return f"<BlobContent {len(self.data)} bytes sha256:{self.sha256[:12]}>"


class HashedBlob(TypeDecorator):
    """A binary column whose Python values are :class:`BlobContent` (see there why)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, bytes):
            return value
        if isinstance(value, BlobContent):
            return value.data
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        raise TypeError(f"attachment content must be bytes, not {type(value).__name__}")

    def process_result_value(self, value, dialect):
        return None if value is None else BlobContent(value)

    @property
    def python_type(self):
        return BlobContent


class AttachmentBlob(Base):
    """The content of attached files, stored once per distinct content (SHA-256).

    Rows are written and removed only by ``services.attachments``: a blob is added with its
    first attachment and removed with its last one. ``data`` is deferred so looking a blob up
    by hash never loads the bytes.
    """

    __tablename__ = "attachment_blob"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[BlobContent] = mapped_column(HashedBlob(), deferred=True)


class Attachment(Base):
    """A file attached to any record, named generically as (``entity``, ``record_id``) like
    :class:`Signature`: every module reuses it without a column of its own.

    There is no foreign key to the owner: ``__owner_columns__`` names the owner columns, and the
    audit layer deletes these rows with their owner (with events, so undo brings them back).
    """

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "entity", "record_id"),)
    #: (kind column, id column) naming the owning record; rows go when their owner is deleted
    __owner_columns__ = ("entity", "record_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    blob_id: Mapped[int] = fk("attachment_blob.id", nullable=False, ondelete="RESTRICT")
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(120), default="")


# --------------------------------------------------------------------------- audit trail

class AuditEvent(Base):
    """Append-only, hash-chained record of every insert, update and delete.

    One event per changed field for updates; one event per record for inserts (``new`` holds
    every value as canonical JSON) and deletes (``old`` holds them). ``hash`` covers this event's
    content and ``prev_hash``, so changing or removing any event breaks the chain.
    """

    __tablename__ = "audit_event"
    __audited__ = False
    __table_args__ = (Index("ix_audit_entity_record", "entity", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(String(32))
    user: Mapped[str] = mapped_column(String(120))
    op: Mapped[str] = mapped_column(String(6))
    entity: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(60), default="")
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def audited_tables():
    """Tables whose rows the audit trail covers, in dependency order."""
    return [t for t in Base.metadata.sorted_tables if t.name != AuditEvent.__tablename__]


def model_for_table(name: str):
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == name:
            return mapper.class_
    raise KeyError(name)
