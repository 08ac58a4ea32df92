"""Attachments: files stored in the workspace, content deduplicated by SHA-256.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05

``attachment_blob`` holds each distinct content once; ``attachment`` links a file name, media
type and size to any record as (entity, record_id). The blob column is a plain binary column here
(the models wrap its values for the audit trail, which changes nothing in the database).
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment_blob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_blob")),
        sa.UniqueConstraint("sha256", name=op.f("uq_attachment_blob_sha256")),
    )
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_id"], ["attachment_blob.id"],
            name=op.f("fk_attachment_blob_id_attachment_blob"),
            initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    op.create_index(op.f("ix_attachment_blob_id"), "attachment", ["blob_id"], unique=False)
    op.create_index("ix_attachment_owner", "attachment", ["entity", "record_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_attachment_owner", table_name="attachment")
    op.drop_index(op.f("ix_attachment_blob_id"), table_name="attachment")
    op.drop_table("attachment")
    op.drop_table("attachment_blob")
