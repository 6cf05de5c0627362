"""What the bot does with each kind of Teams activity; every one is a call on the core and a reply.

- A message (an @mention in a channel, or a personal or group chat): the text without the mention is a
  command or a question; the answer is an Adaptive Card in reply (in the thread, for a channel).
- A card's ``Action.Submit`` ("Mark reviewed", "Mute this vendor here") comes back as a message whose
  ``value`` names the action: its core command runs, and a reviewed alert's card is updated in place.
- The bot added to a team or chat (``conversationUpdate`` / ``installationUpdate`` add): the
  conversation reference is stored, so alerts can be sent there later, and the person who installed it
  becomes a clausewatch admin of the tenant. Removed: that conversation gets no more alerts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount
from sqlalchemy.engine import Engine

from bots.server.background import BackgroundLoop
from bots.server.replying import reply_to
from bots.teams.cards import card
from core.alerts.subscriptions import Place, destination, find_destination, mark_dead
from core.commands import Context, action_command
from core.commands.duplicate_events import first_delivery
from core.config import Settings
from core.messages import Message
from core.registry import admins
from core.registry.admins import Caller
from core.storage.database import session_scope

log = logging.getLogger(__name__)

PLATFORM = "teams"


class ClausewatchBot(ActivityHandler):
    """The Teams bot: translates activities into core commands and replies into Adaptive Cards."""

    def __init__(self, engine: Engine, settings: Settings, commands: BackgroundLoop) -> None:
        self.engine = engine
        self.settings = settings
        self.commands = commands

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A typed command or question, or a card button pressed."""
        activity = turn_context.activity
        delivery = f"{_conversation_id(activity)}/{activity.id}"
        if activity.id and not await asyncio.to_thread(first_delivery, self.engine, PLATFORM, delivery):
            return  # the Bot Framework redelivered an activity we answered already
        value = activity.value if isinstance(activity.value, dict) else {}
        command = action_command(str(value.get("clausewatch_action", "")), str(value.get("value", "")))
        text = command or TurnContext.remove_recipient_mention(activity) or ""
        if not command and value:
            return  # a submit from a card we did not send
        reply = await self._run(text.strip(), activity)
        attachment = MessageFactory.attachment(CardFactory.adaptive_card(card(reply)))
        if reply.replaces and command and activity.reply_to_id:  # a card's button: update that card
            attachment.id = activity.reply_to_id
            await turn_context.update_activity(attachment)
        else:
            await turn_context.send_activity(attachment)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """The bot joined a team or chat: remember where it is and who put it there."""
        if any(member.id == turn_context.activity.recipient.id for member in members_added):
            await asyncio.to_thread(self._installed, turn_context.activity)

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """The bot was removed: that conversation gets no more alerts."""
        if any(member.id == turn_context.activity.recipient.id for member in members_removed):
            reason = "the bot was removed from this Teams conversation"
            await asyncio.to_thread(self._removed, turn_context.activity, reason)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """The app was installed: as when the bot joins, off the server's loop."""
        await asyncio.to_thread(self._installed, turn_context.activity)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        """The app was uninstalled: that conversation gets no more alerts."""
        reason = "the clausewatch app was uninstalled from this Teams conversation"
        await asyncio.to_thread(self._removed, turn_context.activity, reason)

    def _installed(self, activity: Activity) -> None:
        """Store the conversation reference and seed the admin list with the installer (in a thread:
        the database may wait for a writer)."""
        place = _place(activity)
        installer = _caller(activity)
        with session_scope(self.engine) as session:
            destination(session, place)
            admins.seed_installer(session, installer)
        log.info("Teams: installed in %s (tenant %s)", place.address, place.workspace)

    def _removed(self, activity: Activity, reason: str) -> None:
        """Mark the conversation's destination dead (in a thread, like ``_installed``)."""
        with session_scope(self.engine) as session:
            dest = find_destination(session, _place(activity))
            if dest is not None and dest.id is not None:
                mark_dead(session, dest.id, reason)

    async def _run(self, text: str, activity: Activity) -> Message:
        context = Context(self.engine, self.settings, _caller(activity), _place(activity))
        return await reply_to(self.commands, context, text)


def _caller(activity: Activity) -> Caller:
    """The sender, known by their Azure AD object id (stable across chats), in their tenant."""
    sender = activity.from_property or ChannelAccount()
    return Caller(
        PLATFORM,
        _tenant(activity),
        sender.aad_object_id or sender.id or "",
        user_name=sender.name,
    )


def _place(activity: Activity) -> Place:
    """Where alerts for this conversation go: the channel (not the thread), with how to post there."""
    reference = TurnContext.get_conversation_reference(activity)
    conversation_id = _conversation_id(activity)
    reference.conversation.id = conversation_id
    reference.activity_id = None
    channel = (activity.channel_data or {}).get("channel") or {}
    return Place(
        PLATFORM,
        _tenant(activity),
        conversation_id,
        name=channel.get("name") or getattr(activity.conversation, "name", None),
        reference=reference.serialize(),
    )


def _conversation_id(activity: Activity) -> str:
    """The conversation without a thread's ``;messageid=…`` suffix."""
    return (activity.conversation.id or "").split(";messageid=")[0]


def _tenant(activity: Activity) -> str:
    data: dict[str, Any] = activity.channel_data or {}
    return (data.get("tenant") or {}).get("id") or getattr(activity.conversation, "tenant_id", None) or ""
