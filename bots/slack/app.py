"""The Slack adapter's Bolt app, and the routes that mount it in the clausewatch aiohttp server.

Bolt verifies every request (the signing secret, with its 5-minute timestamp window: a forged or stale
request gets 401 and reaches no listener), answers ``url_verification``, and authorises each request
with a token: the configured bot token (one workspace) or, with a client id and secret, the token stored
when the workspace installed the app (``/slack/install`` → ``/slack/oauth_redirect``), rotated when it
is about to expire. Events, slash commands and interactivity all arrive at ``/slack/events``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bots.server.background import BackgroundLoop
from bots.slack.installations import InstallationStore, StateStore
from bots.slack.listeners import Listeners
from bots.slack.sender import PLATFORM, SlackSender
from core.commands.duplicate_events import first_delivery
from core.config import Settings
from core.errors import ClausewatchError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SCOPES = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "users:read",
)
"""The bot scopes the app asks for; ``deploy/slack/manifest.yml`` lists the same."""


@dataclass(frozen=True)
class Slack:
    """The Slack adapter: the Bolt app that answers Slack, and the sender that delivers alerts."""

    app: AsyncApp
    sender: SlackSender

    def routes(self) -> list[web.RouteDef]:
        """``POST /slack/events``, and with OAuth ``GET /slack/install`` and ``/slack/oauth_redirect``."""
        routes = [web.post(EVENTS_PATH, self._handle)]
        flow = self.app.oauth_flow
        if flow is not None:
            routes += [
                web.get(flow.install_path, self._install),
                web.get(flow.redirect_uri_path, self._callback),
            ]
        return routes

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
        except ValueError:  # Bolt parses the body before it checks the signature: JSON that is not JSON
            return web.Response(status=400, text="malformed request body")
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def _install(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        return await to_aiohttp_response(
            await self.app.oauth_flow.handle_installation(await to_bolt_request(request))
        )

    async def _callback(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        return await to_aiohttp_response(
            await self.app.oauth_flow.handle_callback(await to_bolt_request(request))
        )


def build(engine: Engine, settings: Settings, commands: BackgroundLoop) -> Slack:
    """The Slack adapter for the settings; a missing or contradictory setting is one clear error.

    Commands run on ``commands``, off the server's loop, so acknowledgements never wait for them."""
    oauth = bool(settings.slack_client_id or settings.slack_client_secret)
    if oauth and not (settings.slack_client_id and settings.slack_client_secret):
        raise ClausewatchError(
            "set both CLAUSEWATCH_SLACK_CLIENT_ID and CLAUSEWATCH_SLACK_CLIENT_SECRET for OAuth"
        )
    if not oauth and not settings.slack_bot_token:
        raise ClausewatchError(
            "Slack is on (CLAUSEWATCH_SLACK_SIGNING_SECRET is set) but has no token: set "
            "CLAUSEWATCH_SLACK_BOT_TOKEN for one workspace, or CLAUSEWATCH_SLACK_CLIENT_ID and "
            "CLAUSEWATCH_SLACK_CLIENT_SECRET to install it in many"
        )
    installations = InstallationStore(settings.slack_client_id, engine) if oauth else None
    client = AsyncWebClient(
        token=None if oauth else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )
    app = AsyncApp(
        signing_secret=settings.slack_signing_secret,
        client=client,
        installation_store=installations,
        oauth_settings=_oauth_settings(engine, settings, installations) if installations else None,
        name="clausewatch",
    )
    app.middleware(_once_per_event(engine))
    Listeners(engine, settings, installations, commands).register(app)
    return Slack(app, SlackSender(settings, installations))


def _oauth_settings(
    engine: Engine, settings: Settings, installations: InstallationStore
) -> AsyncOAuthSettings:
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(SCOPES),
        installation_store=installations,
        state_store=StateStore(engine),
        redirect_uri=f"{settings.public_url.rstrip('/')}/slack/oauth_redirect",
    )


def _once_per_event(engine: Engine) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt middleware dropping an event Slack redelivers (``X-Slack-Retry-Num``) once it was handled:
    it is acknowledged, and nobody gets a second answer."""

    async def once(body: dict[str, object], next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not await asyncio.to_thread(
            first_delivery, engine, PLATFORM, event_id
        ):
            log.info("Slack redelivered event %s; it was handled already", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return None

    return once
