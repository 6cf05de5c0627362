"""A version text's reading (clauses and AI-training statements), stored when it is recorded.

``reading`` is keyed by the text's hash like ``profile``, with the ``reader_version`` that made it, so the
next change is judged without reading the old text again (``core.reading.stored``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reading",
        sa.Column("content_hash", sa.String(length=64), sa.ForeignKey("blob.hash"), primary_key=True),
        sa.Column("reader_version", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reading")
