"""Where a multi-workspace Slack app keeps its installations (bot tokens) and OAuth states: our database.

slack_sdk ships SQLAlchemy stores; they are synchronous, and Bolt's ``AsyncApp`` wants asynchronous
ones, so each call runs in a worker thread on the project's own engine (PostgreSQL or SQLite) instead of
a second, asynchronous engine and driver for the same database. Their tables (``slack_bots``,
``slack_installations``, ``slack_oauth_states``) are slack_sdk's, created by migration 0007.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine

STATE_SECONDS = 600
"""How long an install link is valid: long enough to read the consent screen."""


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, run off the event loop."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.sync = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)

    @property
    def logger(self) -> logging.Logger:
        """slack_sdk's logger for the store."""
        return self.sync.logger

    async def async_save(self, installation: Installation) -> None:
        """Store a new or refreshed installation (token rotation saves here too)."""
        await asyncio.to_thread(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        """Store a bot installation."""
        await asyncio.to_thread(self.sync.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        """The bot installed in a workspace, if any."""
        return await asyncio.to_thread(
            self.sync.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The newest installation in a workspace (of one user, if named)."""
        return await asyncio.to_thread(
            self.sync.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's bot (tokens revoked)."""
        await asyncio.to_thread(self.sync.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget a workspace's installations (app uninstalled)."""
        await asyncio.to_thread(
            self.sync.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class StateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store, run off the event loop: any replica can finish an install
    that another one started."""

    def __init__(self, engine: Engine) -> None:
        self.sync = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)

    @property
    def logger(self) -> logging.Logger:
        """slack_sdk's logger for the store."""
        return self.sync.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state value for an install link."""
        return await asyncio.to_thread(self.sync.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        """Whether the state is one we issued and has not expired; it cannot be used twice."""
        return await asyncio.to_thread(self.sync.consume, state)
