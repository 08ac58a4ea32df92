"""The cockpit: the organization's context (issues, interested parties, scope exclusions, the
policy as a controlled document, climate change per ISO 9001 Amendment 1:2024), SMART objectives
and KPIs, nonconformities with their causes (5 Whys and fishbone) and effectiveness check, and
management review packs made of items.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

Existing rows get the new columns' defaults: objectives become "objective" kind without a
measure text, band or baseline; nonconformities are "minor", with no 8D fields and no
effectiveness check (a closed one stays closed: the rule applies when closing from now on);
reviews have no period. The organization's ``quality_policy`` text stays where it is until the
user issues it as a controlled document. No row is written here.
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"),
                                   initially="DEFERRED", deferrable=True)


def upgrade() -> None:
    op.create_table(
        "context_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("effect", sa.Text(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        _fk("context_issue", "risk_id", "risk"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_context_issue")),
    )
    op.create_index(op.f("ix_context_issue_risk_id"), "context_issue", ["risk_id"], unique=False)
    op.create_table(
        "interested_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("monitoring", sa.Text(), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interested_party")),
    )
    op.create_table(
        "scope_exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clause", sa.String(length=20), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scope_exclusion")),
    )
    op.create_table(
        "nc_cause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonconformity_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_root", sa.Boolean(), nullable=False),
        _fk("nc_cause", "nonconformity_id", "nonconformity"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nc_cause")),
    )
    op.create_index(op.f("ix_nc_cause_nonconformity_id"), "nc_cause", ["nonconformity_id"],
                    unique=False)
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("generated", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        _fk("review_item", "review_id", "management_review"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
    )
    op.create_index(op.f("ix_review_item_review_id"), "review_item", ["review_id"],
                    unique=False)
    with op.batch_alter_table("organization") as b:
        b.add_column(sa.Column("policy_document_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("climate_relevant", sa.Boolean(), nullable=True))
        b.add_column(sa.Column("climate_note", sa.Text(), nullable=False, server_default=""))
        b.create_foreign_key(b.f("fk_organization_policy_document_id_document"), "document",
                             ["policy_document_id"], ["id"], initially="DEFERRED",
                             deferrable=True)
        b.create_index(b.f("ix_organization_policy_document_id"), ["policy_document_id"],
                       unique=False)
    with op.batch_alter_table("objective") as b:
        b.add_column(sa.Column("kind", sa.String(length=10), nullable=False,
                               server_default="objective"))
        b.add_column(sa.Column("measure", sa.Text(), nullable=False, server_default=""))
        b.add_column(sa.Column("category", sa.String(length=20), nullable=False,
                               server_default=""))
        b.add_column(sa.Column("baseline", sa.Float(), nullable=True))
        b.add_column(sa.Column("tolerance", sa.Float(), nullable=True))
        b.add_column(sa.Column("started_on", sa.Date(), nullable=True))
    with op.batch_alter_table("nonconformity") as b:
        b.add_column(sa.Column("severity", sa.String(length=10), nullable=False,
                               server_default="minor"))
        b.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("finding_id", sa.Integer(), nullable=True))
        for name in ("reported_by", "customer", "supplier", "verified_by"):
            b.add_column(sa.Column(name, sa.String(length=200), nullable=False,
                                   server_default=""))
        for name in ("team", "containment", "prevention", "effectiveness_check"):
            b.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        b.add_column(sa.Column("effective", sa.Boolean(), nullable=True))
        for name in ("verified_on", "due_date", "closed_on"):
            b.add_column(sa.Column(name, sa.Date(), nullable=True))
        b.create_foreign_key(b.f("fk_nonconformity_owner_id_person"), "person", ["owner_id"],
                             ["id"], initially="DEFERRED", deferrable=True)
        b.create_foreign_key(b.f("fk_nonconformity_finding_id_finding"), "finding",
                             ["finding_id"], ["id"], initially="DEFERRED", deferrable=True)
        b.create_index(b.f("ix_nonconformity_owner_id"), ["owner_id"], unique=False)
        b.create_index(b.f("ix_nonconformity_finding_id"), ["finding_id"], unique=False)
    with op.batch_alter_table("management_review") as b:
        b.add_column(sa.Column("period_from", sa.Date(), nullable=True))
        b.add_column(sa.Column("period_to", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("management_review") as b:
        b.drop_column("period_to")
        b.drop_column("period_from")
    with op.batch_alter_table("nonconformity") as b:
        b.drop_index(b.f("ix_nonconformity_finding_id"))
        b.drop_index(b.f("ix_nonconformity_owner_id"))
        b.drop_constraint(b.f("fk_nonconformity_finding_id_finding"), type_="foreignkey")
        b.drop_constraint(b.f("fk_nonconformity_owner_id_person"), type_="foreignkey")
        for name in ("closed_on", "due_date", "verified_on", "effective", "effectiveness_check",
                     "prevention", "containment", "team", "verified_by", "supplier",
                     "customer", "reported_by", "finding_id", "owner_id", "severity"):
            b.drop_column(name)
    with op.batch_alter_table("objective") as b:
        for name in ("started_on", "tolerance", "baseline", "category", "measure", "kind"):
            b.drop_column(name)
    with op.batch_alter_table("organization") as b:
        b.drop_index(b.f("ix_organization_policy_document_id"))
        b.drop_constraint(b.f("fk_organization_policy_document_id_document"),
                          type_="foreignkey")
        for name in ("climate_note", "climate_relevant", "policy_document_id"):
            b.drop_column(name)
    for table in ("review_item", "nc_cause", "scope_exclusion", "interested_party",
                  "context_issue"):
        op.drop_table(table)
