"""Chat adapters: reviews of alerts, and the ids of events already handled.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["change.id"]),
        sa.ForeignKeyConstraint(["destination_id"], ["destination.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("change_id", "destination_id"),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_change_id"), ["change_id"], unique=False)
    op.create_table(
        "seen_event",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "event_id"),
    )
    with op.batch_alter_table("seen_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_event_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_event_seen_at"))
    op.drop_table("seen_event")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_change_id"))
    op.drop_table("review")
