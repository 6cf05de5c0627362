"""Alerts remember that a send was started; Slack's OAuth installations and states live in our schema.

``alert.send_started_at`` lets a platform without idempotency keys (Slack) look for a message already
posted before it posts again after a crash. The Slack tables are slack_sdk's own (its SQLAlchemy
installation and OAuth state stores), created here rather than at start-up so that ``db upgrade`` owns
every table and replicas starting together never race to create them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slack_tables() -> sa.MetaData:
    metadata = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True))
    _slack_tables().create_all(op.get_bind())


def downgrade() -> None:
    _slack_tables().drop_all(op.get_bind())
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("send_started_at")
