"""Delivering alerts to Slack channels: the core delivery worker's ``Sender`` for the ``slack`` platform.

The worker owns retries, ordering and pacing, so this sender makes one attempt per send and tells the
worker what Slack said: ``ratelimited`` (429) with its Retry-After, a removed bot or uninstalled app as a
dead destination, anything else as a failure worth retrying. Connection errors are retried once by
slack_sdk's handler; a 429 is not retried here, since the worker paces the whole workspace from it.

Slack has no idempotency key, so each part of an alert carries its key in the message's metadata. A
retried send first reads the channel's recent history and skips the parts Slack already has: a worker
that crashed after Slack accepted a message but before it recorded that does not post it twice.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import render
from core.alerts.delivery import DeadDestination, DeliveryFailed, Outgoing, RateLimited, Sent
from core.config import Settings
from core.pipeline.fetch import retry_after_seconds

PLATFORM = "slack"
EVENT_TYPE = "clausewatch_alert"
"""The metadata event type that marks our alerts in a channel's history."""
HISTORY_LOOKBACK = 100
"""Messages of a channel's history searched for an alert already posted, before a retried send."""
GONE = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "team_access_not_granted",
        "not_authed",
        "restricted_action",
    }
)
"""Errors that mean this channel will never take our messages again (bot removed, app uninstalled)."""


class SlackSender:
    """Posts alerts as Block Kit messages with the workspace's bot token."""

    def __init__(self, settings: Settings, installations: AsyncInstallationStore | None) -> None:
        self._settings = settings
        self._installations = installations
        self._rotator = (
            AsyncTokenRotator(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                client=self._client(None),
            )
            if installations
            else None
        )

    def _client(self, token: str | None) -> AsyncWebClient:
        return AsyncWebClient(
            token=token,
            base_url=self._settings.slack_api_url,
            timeout=int(self._settings.fetch_timeout),
            retry_handlers=[AsyncConnectionErrorRetryHandler()],
        )

    async def send(self, outgoing: Outgoing) -> Sent:
        """Post every part of the alert not yet in the channel; the first part's ``ts`` is the reference."""
        client = self._client(await self._token(outgoing.workspace))
        parts = render(outgoing.message)
        keys = [f"{outgoing.key}:{index}" for index in range(len(parts))]
        try:
            posted = await self._posted(client, outgoing.address) if outgoing.resend else {}
            for key, part in zip(keys, parts, strict=True):
                if key not in posted:
                    response = await client.chat_postMessage(
                        channel=outgoing.address,
                        text=part["text"],
                        blocks=part["blocks"],
                        metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
                        unfurl_links=False,
                        unfurl_media=False,
                    )
                    posted[key] = str(response.get("ts") or "")
        except SlackApiError as error:
            raise _failure(error) from None
        except (TimeoutError, OSError) as error:
            raise DeliveryFailed(f"could not reach Slack: {type(error).__name__}: {error}") from None
        return Sent(posted.get(keys[0]) or None)

    async def _token(self, team_id: str) -> str:
        """The bot token for a workspace: the configured one, or its installation's, rotated if expiring."""
        if self._installations is None:
            return self._settings.slack_bot_token
        bot = await self._installations.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise DeadDestination(f"clausewatch is not installed in Slack workspace {team_id}")
        if self._rotator is not None and bot.bot_refresh_token:
            rotated = await self._rotator.perform_bot_token_rotation(bot=bot)
            if rotated is not None:
                await self._installations.async_save_bot(rotated)
                bot = rotated
        return bot.bot_token or ""

    @staticmethod
    async def _posted(client: AsyncWebClient, channel: str) -> dict[str, str]:
        """Keys of our alert parts among the channel's recent messages, with their ``ts``."""
        history = await client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
        found = {}
        for message in history.get("messages") or []:
            metadata: dict[str, Any] = message.get("metadata") or {}
            if metadata.get("event_type") == EVENT_TYPE:
                found[str(metadata.get("event_payload", {}).get("key"))] = str(message.get("ts"))
        return found


def _failure(error: SlackApiError) -> Exception:
    """What a Slack error means for delivery."""
    status = error.response.status_code
    code = error.response.get("error") if isinstance(error.response.data, dict) else None
    if status == 429 or code == "ratelimited":
        headers = error.response.headers
        retry_after = retry_after_seconds(headers.get("Retry-After") or headers.get("retry-after")) or 1.0
        return RateLimited("Slack answered 429 ratelimited", retry_after, "workspace")
    if code in GONE:
        return DeadDestination(f"Slack refused the alert: {code}")
    return DeliveryFailed(f"Slack answered {status} {code or 'without a JSON body'}")
