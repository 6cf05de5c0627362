"""Every change verdict and profile says which rules version made it.

``change.reader_version`` and ``change.reader`` (which statement reader: rules or a model) are new
(existing verdicts are left NULL: made before rules were stamped, so stale); ``profile.algorithm``, the profile reader's own revision, becomes ``profile.reader_version``, the
one version covering the AI-language reading, judgment and profile (``core.reading.READER_VERSION``).
``document.pending_count`` was never used and goes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reader_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reader", sa.String(), nullable=True))
        batch_op.create_index("ix_change_reader_version", ["reader_version"])
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.alter_column("algorithm", new_column_name="reader_version", existing_type=sa.Integer())
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("pending_count")


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_count", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.alter_column("reader_version", new_column_name="algorithm", existing_type=sa.Integer())
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_reader_version")
        batch_op.drop_column("reader")
        batch_op.drop_column("reader_version")
