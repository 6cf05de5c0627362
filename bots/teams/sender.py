"""Delivering alerts to Teams conversations: the core delivery worker's ``Sender`` for ``teams``.

An alert is a proactive message: ``continue_conversation`` with the conversation reference stored when
the bot was added there. The worker owns retries and pacing, so this sender makes one attempt and tells
the worker what the connector said: 429 with its Retry-After, 403/404 (the bot was removed, the
conversation is gone) as a dead destination, anything else as a failure worth retrying.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference
from msrest.exceptions import ClientRequestError, DeserializationError, HttpOperationError

from bots.teams.cards import card
from core.alerts.delivery import DeadDestination, DeliveryFailed, Outgoing, RateLimited, Sent
from core.pipeline.fetch import retry_after_seconds

GONE = {403, 404}
"""The connector's answers when the bot is no longer in the conversation or it no longer exists."""
UNREACHABLE = (ClientRequestError, TimeoutError, OSError)
"""What botbuilder's HTTP client raises when the connector at a ``serviceUrl`` cannot be reached at all
(refused, unresolvable, timed out; msrest has already retried connecting three times)."""


class TeamsSender:
    """Posts alerts as Adaptive Cards to stored Teams conversations."""

    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self._adapter = adapter
        self._app_id = app_id

    async def send(self, outgoing: Outgoing) -> Sent:
        """Send the alert's card to the conversation; the activity id is the reference."""
        if not outgoing.reference:
            raise DeadDestination("no Teams conversation reference is stored for this destination")
        reference = ConversationReference().deserialize(outgoing.reference)
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card(outgoing.message)))
        activity.summary = outgoing.message.title[:200]
        outcome: dict[str, Any] = {}

        async def post(turn_context: TurnContext) -> None:
            # A new post in the channel, not a reply to the continuation activity botbuilder makes up.
            TurnContext.apply_conversation_reference(activity, reference)
            activity.reply_to_id = None
            connector = turn_context.turn_state[self._adapter.BOT_CONNECTOR_CLIENT_KEY]
            try:  # caught here: the adapter's turn-error handler would swallow it
                response = await connector.conversations.send_to_conversation(
                    reference.conversation.id, activity
                )
            except HttpOperationError as error:
                outcome["failure"] = _failure(error)
            except DeserializationError:  # a 5xx with a text or HTML body: msrest cannot read it
                outcome["failure"] = DeliveryFailed("the Teams connector answered with an error page")
            except UNREACHABLE as error:
                reason = f"could not reach the Teams connector: {type(error).__name__}"
                outcome["failure"] = DeliveryFailed(reason)
            else:
                outcome["id"] = response.id if response else None

        await self._adapter.continue_conversation(reference, post, self._app_id)
        if "failure" in outcome:
            raise outcome["failure"]
        if "id" not in outcome:  # the turn failed before the send and the adapter swallowed it: not sent
            raise DeliveryFailed("the Teams turn failed before the alert was sent (see the log)")
        return Sent(outcome["id"])


def _failure(error: HttpOperationError) -> Exception:
    """What the connector's answer means for delivery."""
    response = error.response
    status = response.status_code if response is not None else 0
    if status == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
        return RateLimited("the Teams connector answered 429", wait or 1.0, "workspace")
    if status in GONE:
        return DeadDestination(f"the Teams connector refused the alert: {status} {error.message}"[:300])
    return DeliveryFailed(f"the Teams connector answered {status}")
