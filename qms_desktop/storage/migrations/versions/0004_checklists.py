"""Checklists, gap analyses and internal audits: sections, weights and PDCA phases of items,
template families and sources, run codes and the template version a run used, who answered a
response and when, evidence links to workspace records, the ISO 19011 steps of an audit, and
the effectiveness check and closure of a finding.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

Existing rows get the new columns' defaults: a template's ``family`` stays "" (it is its own
family until a new version is made), items weigh 1 with no section or PDCA phase of their own
(the clause's chapter gives one), runs have no code yet.
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["checklist_run.id"],
                                name=op.f("fk_audit_step_run_id_checklist_run"),
                                initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_step")),
        sa.UniqueConstraint("run_id", "step", name=op.f("uq_audit_step_run_id")),
    )
    op.create_index(op.f("ix_audit_step_run_id"), "audit_step", ["run_id"], unique=False)
    op.create_table(
        "evidence_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name=op.f("fk_evidence_link_response_id_response"),
                                initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_link")),
    )
    op.create_index("ix_evidence_link_record", "evidence_link", ["entity", "record_id"],
                    unique=False)
    op.create_index(op.f("ix_evidence_link_response_id"), "evidence_link", ["response_id"],
                    unique=False)
    with op.batch_alter_table("checklist_template") as b:
        b.add_column(sa.Column("family", sa.String(length=60), nullable=False,
                               server_default=""))
        b.add_column(sa.Column("source", sa.String(length=20), nullable=False,
                               server_default="user"))
        b.create_index(b.f("ix_checklist_template_family"), ["family"], unique=False)
    with op.batch_alter_table("checklist_item") as b:
        b.add_column(sa.Column("section", sa.String(length=200), nullable=False,
                               server_default=""))
        b.add_column(sa.Column("weight", sa.Float(), nullable=False, server_default="1.0"))
        b.add_column(sa.Column("pdca", sa.String(length=8), nullable=False, server_default=""))
    with op.batch_alter_table("checklist_run") as b:
        b.add_column(sa.Column("code", sa.String(length=20), nullable=False, server_default=""))
        b.add_column(sa.Column("template_version", sa.String(length=20), nullable=False,
                               server_default=""))
        b.create_index(b.f("ix_checklist_run_code"), ["code"], unique=False)
    with op.batch_alter_table("response") as b:
        b.add_column(sa.Column("answered_at", sa.DateTime(), nullable=True))
        b.add_column(sa.Column("answered_by", sa.String(length=120), nullable=False,
                               server_default=""))
    with op.batch_alter_table("finding") as b:
        b.add_column(sa.Column("effectiveness_check", sa.Text(), nullable=False,
                               server_default=""))
        b.add_column(sa.Column("effective", sa.Boolean(), nullable=True))
        b.add_column(sa.Column("closed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding") as b:
        b.drop_column("closed_on")
        b.drop_column("effective")
        b.drop_column("effectiveness_check")
    with op.batch_alter_table("response") as b:
        b.drop_column("answered_by")
        b.drop_column("answered_at")
    with op.batch_alter_table("checklist_run") as b:
        b.drop_index("ix_checklist_run_code")
        b.drop_column("template_version")
        b.drop_column("code")
    with op.batch_alter_table("checklist_item") as b:
        b.drop_column("pdca")
        b.drop_column("weight")
        b.drop_column("section")
    with op.batch_alter_table("checklist_template") as b:
        b.drop_index("ix_checklist_template_family")
        b.drop_column("source")
        b.drop_column("family")
    op.drop_index(op.f("ix_evidence_link_response_id"), table_name="evidence_link")
    op.drop_index("ix_evidence_link_record", table_name="evidence_link")
    op.drop_table("evidence_link")
    op.drop_index(op.f("ix_audit_step_run_id"), table_name="audit_step")
    op.drop_table("audit_step")
