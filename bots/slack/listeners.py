"""What the bot does with each kind of Slack request; every one is a call on the core and a reply.

- ``/clausewatch <command>``: acknowledged at once (Slack allows 3 seconds), run afterwards by a lazy
  listener, answered through the command's ``response_url``.
- ``app_mention`` and direct messages: the text after the mention is a command or a question; the
  answer goes in the thread (errors and refusals only to the asker).
- ``block_actions``: the alert buttons "Mark reviewed" and "Mute this vendor here" run the core command
  behind them; the reviewed alert replaces the one the button was on.
- ``app_home_opened``: the App Home tab shows the core overview.
- ``app_uninstalled`` / ``tokens_revoked``: the workspace's channels get no more alerts.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bots.server.background import BackgroundLoop
from bots.server.replying import reply_to
from bots.slack.blocks import home_view, render
from bots.slack.sender import PLATFORM
from core.alerts.subscriptions import Place, mark_workspace_dead
from core.commands import Context, action_command, needs_admin
from core.config import Settings
from core.messages import Message
from core.registry.admins import Caller
from core.registry.overview import overview
from core.storage.database import read_scope, session_scope

log = logging.getLogger(__name__)

COMMAND = "/clausewatch"


class Listeners:
    """The Slack listeners, sharing the database, settings and (multi-workspace) installation store."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        installations: AsyncInstallationStore | None,
        commands: BackgroundLoop,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.installations = installations
        self.commands = commands

    def register(self, app: AsyncApp) -> None:
        """Attach every listener to the Bolt app."""
        app.command(COMMAND)(ack=_ack, lazy=[self.slash_command])
        app.event("app_mention")(self.mention)
        app.event("message")(self.direct_message)  # Bolt matches on type only: the listener checks the rest
        for action in ("mark_reviewed", "mute_vendor"):
            app.action(action)(ack=_ack, lazy=[self.button])
        app.action("open_url")(_ack)  # a link button: Slack opens it, we only acknowledge
        app.event("app_home_opened")(self.home_opened)
        app.event("app_uninstalled")(self.uninstalled)
        app.event("tokens_revoked")(self.tokens_revoked)

    async def slash_command(
        self, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """Run ``/clausewatch <text>`` and answer through ``response_url``."""
        text = command.get("text") or ""
        caller = await self._caller(
            client, command["team_id"], command["user_id"], command.get("user_name"), text
        )
        place = Place(PLATFORM, command["team_id"], command["channel_id"], name=_channel_name(command))
        await _respond(respond, await self._run(text, caller, place))

    async def mention(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        """An @mention in a channel: answer in its thread."""
        thread = event.get("thread_ts") or event["ts"]
        await self._converse(event, body, client, _without_mention(event.get("text") or "", context), thread)

    async def direct_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        """A direct message to the bot: answer in the conversation (in the thread, if it was in one)."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # channel messages (mentions come as app_mention), edits, joins, bots: no answer
        await self._converse(
            event, body, client, _without_mention(event.get("text") or "", context), event.get("thread_ts")
        )

    async def _converse(
        self,
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        text: str,
        thread: str | None,
    ) -> None:
        team = body.get("team_id") or event.get("team") or ""
        caller = await self._caller(client, team, event["user"], None, text)
        place = Place(PLATFORM, team, event["channel"])
        reply = await self._run(text, caller, place)
        for part in render(reply):
            if reply.private:
                await client.chat_postEphemeral(
                    channel=event["channel"], user=event["user"], thread_ts=thread, **part
                )
            else:
                await client.chat_postMessage(
                    channel=event["channel"], thread_ts=thread, unfurl_links=False, **part
                )

    async def button(
        self, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """An alert's button: run its command; a reviewed alert replaces the message it was on."""
        command = action_command(action["action_id"], action.get("value") or "")
        if command is None:
            return
        user, channel = body["user"], body.get("channel") or {}
        team = (body.get("team") or {}).get("id") or user.get("team_id", "")
        caller = await self._caller(
            client, team, user["id"], user.get("username") or user.get("name"), command
        )
        place = Place(PLATFORM, team, channel.get("id", ""), name=_channel_name(channel))
        await _respond(respond, await self._run(command, caller, place))

    async def home_opened(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        """Publish the App Home tab: tracked vendors at a glance, recent changes, subscriptions."""
        if event.get("tab", "home") != "home":
            return
        sections = await asyncio.to_thread(_overview, self.engine, body.get("team_id") or "")
        await client.views_publish(user_id=event["user"], view=home_view(sections))

    async def uninstalled(self, body: dict[str, Any]) -> None:
        """The app was removed from the workspace: forget its tokens and stop its deliveries."""
        await self._forget(body.get("team_id") or "", "the Slack app was uninstalled from the workspace")

    async def tokens_revoked(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        """A revoked bot token means the bot can post nothing more there; a user token alone does not."""
        if (event.get("tokens") or {}).get("bot"):
            await self._forget(body.get("team_id") or "", "the Slack bot token was revoked")

    async def _forget(self, team: str, reason: str) -> None:
        if self.installations is not None:
            await self.installations.async_delete_all(enterprise_id=None, team_id=team)
        stopped = await asyncio.to_thread(_stop_workspace, self.engine, team, reason)
        log.warning("Slack workspace %s: %s; %d channels get no more alerts", team, reason, stopped)

    async def _caller(
        self, client: AsyncWebClient, team: str, user_id: str, user_name: str | None, text: str
    ) -> Caller:
        """The person, asking Slack whether they administer the workspace only when the command needs it."""
        admin = needs_admin(text) and await _workspace_admin(client, user_id)
        return Caller(PLATFORM, team, user_id, user_name=user_name, platform_admin=admin)

    async def _run(self, text: str, caller: Caller, place: Place) -> Message:
        return await reply_to(self.commands, Context(self.engine, self.settings, caller, place), text)


def _overview(engine: Engine, team: str) -> list[Message]:
    with read_scope(engine) as session:
        return overview(session, PLATFORM, team)


def _stop_workspace(engine: Engine, team: str, reason: str) -> int:
    with session_scope(engine) as session:
        return mark_workspace_dead(session, PLATFORM, team, reason)


async def _workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    """Whether Slack says the user is a workspace admin or owner (False when Slack cannot tell us)."""
    try:
        user = (await client.users_info(user=user_id)).get("user") or {}
    except SlackApiError as error:
        log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
        return False
    return any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner"))


async def _respond(respond: AsyncRespond, reply: Message) -> None:
    """Answer through ``response_url``: only to the asker when private, in place of the alert when it
    replaces one, else in the channel."""
    for index, part in enumerate(render(reply)):
        if reply.replaces and index == 0:
            await respond(replace_original=True, **part)
        else:
            kind = "ephemeral" if reply.private else "in_channel"
            await respond(response_type=kind, replace_original=False, **part)


def _without_mention(text: str, context: Any) -> str:
    """The text after the bot's own @mention (other mentions, e.g. ``admins add @dana``, are kept)."""
    bot = context.get("bot_user_id") if context else None
    if not bot:
        return text.strip()
    return re.sub(rf"<@{re.escape(bot)}(\|[^>]*)?>", " ", text, count=1).strip()


def _channel_name(source: dict[str, Any]) -> str | None:
    name = source.get("channel_name") or source.get("name")
    return f"#{name}" if name and name not in ("directmessage", "privategroup") else None


async def _ack(ack: AsyncAck) -> None:
    await ack()
