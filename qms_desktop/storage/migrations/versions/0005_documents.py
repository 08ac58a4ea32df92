"""Controlled documents: review periods and origin of documents, reviewer and effective day of
revisions, a revision's text as sections, the workspace's signing users, and signatures bound to
their signer's account with local time and a seal.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

Existing rows get the new columns' defaults: documents have no periodic review yet and no
origin, revisions no reviewer or effective day (their ``issued_on`` stays the day of issue), and
signatures made before this revision have no account, local time or seal (the app shows them as
"signed before content binding"). A revision without section rows still reads the document's
``purpose``, ``scope`` and ``body``, so no text is moved and no row is written here.
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("rights", sa.String(length=60), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_app_user_person_id_person"),
                                initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_index(op.f("ix_app_user_person_id"), "app_user", ["person_id"], unique=False)
    op.create_table(
        "document_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("generated", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["revision.id"],
                                name=op.f("fk_document_section_revision_id_revision"),
                                initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_section")),
    )
    op.create_index(op.f("ix_document_section_revision_id"), "document_section",
                    ["revision_id"], unique=False)
    with op.batch_alter_table("document") as b:
        b.add_column(sa.Column("review_months", sa.Integer(), nullable=True))
        b.add_column(sa.Column("next_review_on", sa.Date(), nullable=True))
        b.add_column(sa.Column("origin", sa.String(length=200), nullable=False,
                               server_default=""))
    with op.batch_alter_table("revision") as b:
        b.add_column(sa.Column("reviewer", sa.String(length=200), nullable=False,
                               server_default=""))
        b.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
    with op.batch_alter_table("signature") as b:
        b.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("local_time", sa.String(length=40), nullable=False,
                               server_default=""))
        b.add_column(sa.Column("seal", sa.String(length=64), nullable=False, server_default=""))
        b.create_foreign_key(b.f("fk_signature_user_id_app_user"), "app_user", ["user_id"],
                             ["id"], initially="DEFERRED", deferrable=True)
        b.create_index(b.f("ix_signature_user_id"), ["user_id"], unique=False)
        b.create_index("ix_signature_record", ["entity", "record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signature") as b:
        b.drop_index("ix_signature_record")
        b.drop_index("ix_signature_user_id")
        b.drop_constraint("fk_signature_user_id_app_user", type_="foreignkey")
        b.drop_column("seal")
        b.drop_column("local_time")
        b.drop_column("user_id")
    with op.batch_alter_table("revision") as b:
        b.drop_column("effective_on")
        b.drop_column("reviewer")
    with op.batch_alter_table("document") as b:
        b.drop_column("origin")
        b.drop_column("next_review_on")
        b.drop_column("review_months")
    op.drop_index(op.f("ix_document_section_revision_id"), table_name="document_section")
    op.drop_table("document_section")
    op.drop_index(op.f("ix_app_user_person_id"), table_name="app_user")
    op.drop_table("app_user")
