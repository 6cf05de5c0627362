"""The webhook destination: alerts POSTed as JSON to a URL (a chat bridge, a ticketing system, a SIEM).

The body is ``{"key", "text", "message"}``: the idempotency key, the plain-text rendering, and the
platform-neutral message (``core.messages.Message.to_json``). The key also goes in the
``Idempotency-Key`` header, so a receiver can drop a retried send it already accepted. The URL is the
destination's address; it is refused if it resolves to a private address, unless configured otherwise.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from types import TracebackType

import aiohttp
from yarl import URL

from core.alerts.delivery import DeadDestination, DeliveryFailed, Outgoing, RateLimited, Sent
from core.config import Settings
from core.errors import BlockedAddressError
from core.messages import Message
from core.pipeline.fetch import guarded_session, parse_networks, refuse_private_literal, retry_after_seconds

PLATFORM = "webhook"
RENDERED_CACHE = 64
"""Messages kept rendered as JSON per sender."""
GONE = {404, 410}
"""Answers that mean the receiver is gone for good; other 4xx mean it refuses us, also for good."""


class WebhookSender:
    """Posts alerts to webhook destinations; use as ``async with WebhookSender(settings) as sender``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._networks = parse_networks(settings.allowed_networks)
        self._session: aiohttp.ClientSession | None = None
        self._bodies: OrderedDict[int, tuple[Message, str]] = OrderedDict()

    async def __aenter__(self) -> WebhookSender:
        """Open one connection pool, guarded against private addresses unless they are allowed."""
        self._session = guarded_session(
            allow_private=self._settings.allow_private_urls,
            allowed_networks=self._networks,
            limit=self._settings.delivery_concurrency,
            timeout=self._settings.fetch_timeout,
            headers={aiohttp.hdrs.USER_AGENT: self._settings.user_agent},
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, outgoing: Outgoing) -> Sent:
        """POST the alert; map the answer to sent, retry later, rate-limited, or gone."""
        if self._session is None:
            raise RuntimeError("use the sender as an async context manager")
        body = '{"key": ' + json.dumps(outgoing.key) + ", " + self._rendered(outgoing.message)
        try:
            if not self._settings.allow_private_urls:
                refuse_private_literal(URL(outgoing.address), self._networks)
            async with self._session.post(
                outgoing.address,
                data=body,
                headers={"Content-Type": "application/json", "Idempotency-Key": outgoing.key},
                allow_redirects=False,
            ) as response:
                return await _interpret(response)
        except BlockedAddressError as blocked:
            raise DeadDestination(str(blocked)) from None
        except TimeoutError:
            raise DeliveryFailed(
                f"the webhook did not answer within {self._settings.fetch_timeout:g} s"
            ) from None
        except aiohttp.ClientError as error:
            raise DeliveryFailed(f"could not reach the webhook: {type(error).__name__}: {error}") from None

    def _rendered(self, message: Message) -> str:
        """The body after its key, rendered once per message: a fan-out sends one message many times."""
        cached = self._bodies.get(id(message))
        if cached is None or cached[0] is not message:
            rendered = json.dumps({"text": message.plain_text(), "message": message.to_json()})
            cached = self._bodies[id(message)] = (message, rendered[1:])
            while len(self._bodies) > RENDERED_CACHE:
                self._bodies.popitem(last=False)
        return cached[1]


async def _interpret(response: aiohttp.ClientResponse) -> Sent:
    status = response.status
    if 200 <= status < 300:
        return Sent(response.headers.get("X-Message-Id"))
    retry_after = retry_after_seconds(response.headers.get(aiohttp.hdrs.RETRY_AFTER))
    if status == 429:
        raise RateLimited("the webhook answered 429 Too Many Requests", retry_after or 1.0, "workspace")
    if status >= 500 or status == 408:
        raise DeliveryFailed(f"the webhook answered {status} {response.reason}", retry_after)
    gone = "is gone" if status in GONE else "refused the alert"
    raise DeadDestination(f"the webhook {gone}: {status} {response.reason}")
