"""The Teams adapter's Bot Framework stack, and the route that mounts it in the clausewatch server.

``CloudAdapter`` with configuration-based Bot Framework authentication checks the JWT on every request
to ``/api/messages`` (issuer, audience = our app id, signature against the Bot Framework's published
keys): a request with no token or a bad one gets 401 and reaches no handler. Without an app id the
endpoint is served only when ``CLAUSEWATCH_TEAMS_EMULATOR=true`` says so (local development with the Bot
Framework Emulator), and then it is open: anyone could make the bot post to a ``serviceUrl`` of their
choosing, which is why it is never the default and says so loudly in the log.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import aiohttp
import jwt
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import ActivityEventNames, ActivityTypes
from sqlalchemy.engine import Engine

from bots.server.background import BackgroundLoop
from bots.teams.bot import ClausewatchBot
from bots.teams.sender import UNREACHABLE, TeamsSender
from core.config import Settings
from core.errors import ClausewatchError

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"


class ConnectorUnreachable(Exception):
    """The reply to an activity could not reach the connector at its ``serviceUrl``: raised out of the
    turn so the request is answered 502 with one log line, not an apology that would fail the same way."""

    def __init__(self, service_url: str, error: Exception) -> None:
        super().__init__(
            f"the Bot Framework connector at {service_url} is unreachable ({type(error).__name__})"
        )


@dataclass(frozen=True)
class BotConfiguration:
    """The settings botbuilder's configuration-based authentication reads, by its own names."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None


@dataclass(frozen=True)
class Teams:
    """The Teams adapter: the Bot Framework adapter and bot that answer Teams, and the alert sender."""

    adapter: CloudAdapter
    bot: ClausewatchBot
    sender: TeamsSender

    def routes(self) -> list[web.RouteDef]:
        """``POST /api/messages``."""
        return [web.post(MESSAGES_PATH, self._handle)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Refuse what is not an activity (400) before botbuilder, which would answer it with a 500."""
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="activities are sent as application/json")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="malformed activity: the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return web.Response(status=400, text="malformed activity: no type")
        try:
            response = await self.adapter.process(request, self.bot)
        except jwt.PyJWTError as error:  # botbuilder reads the token before it checks it
            log.warning("Teams request with an unreadable token: %s", error)
            return web.Response(status=401, text="invalid Bot Framework token")
        except aiohttp.ClientError as error:  # the Bot Framework's signing keys could not be fetched
            log.error("cannot verify a Teams token now: %s", error)
            return web.Response(status=503, text="cannot verify the Bot Framework token now; retry later")
        except ConnectorUnreachable as error:
            log.warning("Teams: could not reply to a %s activity: %s", body["type"], error)
            return web.Response(status=502, text="could not reach the Bot Framework connector to reply")
        return response if response is not None else web.Response(status=201)


def build(engine: Engine, settings: Settings, commands: BackgroundLoop) -> Teams:
    """The Teams adapter for the settings; a contradictory setting is one clear error."""
    if settings.teams_app_id and not settings.teams_app_password:
        raise ClausewatchError("CLAUSEWATCH_TEAMS_APP_ID is set without CLAUSEWATCH_TEAMS_APP_PASSWORD")
    if not settings.teams_app_id:
        log.warning(
            "Teams runs in EMULATOR mode: /api/messages accepts unauthenticated requests. Never expose it; "
            "set CLAUSEWATCH_TEAMS_APP_ID and CLAUSEWATCH_TEAMS_APP_PASSWORD in production."
        )
    configuration = BotConfiguration(
        APP_ID=settings.teams_app_id,
        APP_PASSWORD=settings.teams_app_password,
        APP_TYPE="SingleTenant" if settings.teams_tenant_id else "MultiTenant",
        APP_TENANTID=settings.teams_tenant_id,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.teams_openid_metadata_url or None,
    )
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(configuration))
    adapter.on_turn_error = _on_error
    return Teams(
        adapter, ClausewatchBot(engine, settings, commands), TeamsSender(adapter, settings.teams_app_id)
    )


async def _on_error(turn_context: TurnContext, error: Exception) -> None:
    """A failure in a turn is logged; a user who wrote gets one line rather than silence. A proactive
    turn (an alert being delivered) has nobody to answer: the delivery worker retries it. A connector
    that cannot be reached gets no apology (it would fail the same way): see ``ConnectorUnreachable``."""
    activity = turn_context.activity
    proactive = (
        activity.type == ActivityTypes.event and activity.name == ActivityEventNames.continue_conversation
    )
    if isinstance(error, UNREACHABLE) and not proactive:
        raise ConnectorUnreachable(activity.service_url or "its serviceUrl", error) from error
    log.error("Teams turn failed: %s", error, exc_info=error)
    if not proactive:
        await turn_context.send_activity("Sorry, clausewatch failed to handle that; it has been logged.")
