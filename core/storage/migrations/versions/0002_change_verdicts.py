"""Changes carry clause counts instead of line counts, and a JSON record of their aligned clauses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change") as batch:
        batch.drop_column("added_lines")
        batch.drop_column("removed_lines")
        batch.add_column(sa.Column("clauses_added", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("clauses_removed", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("clauses_modified", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_change_ai_training_change", ["ai_training_change"])


def downgrade() -> None:
    with op.batch_alter_table("change") as batch:
        batch.drop_index("ix_change_ai_training_change")
        batch.drop_column("clauses_modified")
        batch.drop_column("clauses_removed")
        batch.drop_column("clauses_added")
        batch.add_column(sa.Column("added_lines", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("removed_lines", sa.Integer(), nullable=False, server_default="0"))
