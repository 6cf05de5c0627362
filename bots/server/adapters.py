"""The chat platforms this installation is configured for, built once from the settings.

The server mounts their routes and the worker delivers through their senders, so a platform is switched
on in one place: its settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy.engine import Engine

from bots.server.background import BackgroundLoop
from bots.slack.app import Slack
from bots.slack.app import build as build_slack
from bots.slack.sender import PLATFORM as SLACK
from bots.teams.app import Teams
from bots.teams.app import build as build_teams
from bots.teams.bot import PLATFORM as TEAMS
from core.alerts.delivery import Sender
from core.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Adapters:
    """The configured platform adapters (None: that platform is off), and the loop their commands run on."""

    slack: Slack | None = None
    teams: Teams | None = None
    commands: BackgroundLoop = field(default_factory=lambda: BackgroundLoop("clausewatch-commands"))

    def routes(self) -> list[web.RouteDef]:
        """The HTTP endpoints the platforms call."""
        return [*(self.slack.routes() if self.slack else []), *(self.teams.routes() if self.teams else [])]

    def senders(self) -> dict[str, Sender]:
        """The delivery worker's senders, by platform."""
        senders: dict[str, Sender] = {SLACK: self.slack.sender} if self.slack else {}
        return senders | ({TEAMS: self.teams.sender} if self.teams else {})


def load(engine: Engine, settings: Settings) -> Adapters:
    """Build every platform whose settings switch it on; a broken configuration raises one clear error.
    Each platform's state is logged, with the setting that decides it, so an operator whose bot stays
    silent sees why at start-up."""
    commands = BackgroundLoop("clausewatch-commands")
    slack = build_slack(engine, settings, commands) if settings.slack_enabled else None
    teams = build_teams(engine, settings, commands) if settings.teams_enabled else None
    log.info("%s", slack_state(settings))
    log.info("%s", teams_state(settings))
    return Adapters(slack=slack, teams=teams, commands=commands)


def slack_state(settings: Settings) -> str:
    """Whether Slack is on, how it is reached and how it authenticates, or which setting would turn it on."""
    if not settings.slack_enabled:
        return "Slack off: CLAUSEWATCH_SLACK_SIGNING_SECRET is not set"
    tokens = "OAuth installs (/slack/install)" if settings.slack_client_id else "one workspace's bot token"
    connection = "Socket Mode" if settings.slack_app_token else "HTTP events at /slack/events"
    return f"Slack on: {connection}, {tokens}"


def teams_state(settings: Settings) -> str:
    """Whether Teams is on and with which authentication, or which setting would turn it on."""
    if settings.teams_app_id:
        tenancy = f"single-tenant {settings.teams_tenant_id}" if settings.teams_tenant_id else "multi-tenant"
        return f"Teams on: /api/messages, tokens checked for app {settings.teams_app_id} ({tenancy})"
    if settings.teams_emulator:
        return "Teams on: /api/messages in EMULATOR mode, unauthenticated"
    return "Teams off: CLAUSEWATCH_TEAMS_APP_ID is not set (nor CLAUSEWATCH_TEAMS_EMULATOR)"
