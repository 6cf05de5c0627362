"""A document says how it is fetched: ``http`` (as served) or ``browser`` (rendered by headless Chromium).

``document.fetch_with`` is new; existing documents keep being fetched over HTTP.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fetch_with", sa.String(), nullable=False, server_default="http"))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("fetch_with")
