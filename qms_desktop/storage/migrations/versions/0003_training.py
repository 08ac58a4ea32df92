"""Training records: leavers and managers, role assignments over time, course provider and
revision, grace periods, the result of a training.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

``person_role`` loses its one-row-per-person-and-role rule: a role may be held again later, as
another dated row. Existing rows keep their values; the new text columns are filled with their
defaults ("internal", "passed").
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as b:
        b.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        b.add_column(sa.Column("manager_id", sa.Integer(), nullable=True))
        b.create_index(b.f("ix_person_manager_id"), ["manager_id"], unique=False)
        b.create_foreign_key(
            b.f("fk_person_manager_id_person"), "person", ["manager_id"], ["id"],
            initially="DEFERRED", deferrable=True)
    with op.batch_alter_table("person_role") as b:
        b.drop_constraint("uq_person_role_person_id", type_="unique")
        b.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        b.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
    with op.batch_alter_table("course") as b:
        b.add_column(sa.Column("provider", sa.String(length=20), nullable=False,
                               server_default="internal"))
        b.add_column(sa.Column("revised_on", sa.Date(), nullable=True))
    with op.batch_alter_table("role_course") as b:
        b.add_column(sa.Column("grace_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("training_record") as b:
        b.add_column(sa.Column("result", sa.String(length=20), nullable=False,
                               server_default="passed"))


def downgrade() -> None:
    with op.batch_alter_table("training_record") as b:
        b.drop_column("result")
    with op.batch_alter_table("role_course") as b:
        b.drop_column("grace_days")
    with op.batch_alter_table("course") as b:
        b.drop_column("revised_on")
        b.drop_column("provider")
    with op.batch_alter_table("person_role") as b:
        b.drop_column("valid_to")
        b.drop_column("valid_from")
        b.create_unique_constraint("uq_person_role_person_id", ["person_id", "role_id"])
    with op.batch_alter_table("person") as b:
        b.drop_constraint("fk_person_manager_id_person", type_="foreignkey")
        b.drop_index("ix_person_manager_id")
        b.drop_column("manager_id")
        b.drop_column("left_on")
