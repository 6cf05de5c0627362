"""The delivery worker: sends the alert outbox through whichever adapter owns each destination.

Guarantees, and how they are kept:
- **Nothing lost**: an alert stays ``pending`` until its send succeeded and that was committed; a crash
  anywhere before that leaves it pending, and the next worker sends it.
- **Nothing posted twice**: every send carries the alert's idempotency key. If a worker dies after the
  platform accepted a message but before it committed ``sent``, the retry carries the same key and the
  adapter (or the platform) recognises it.
- **In order per destination**: a worker leases a whole destination (row lock with ``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, the BEGIN IMMEDIATE write lock on SQLite) and sends its due alerts oldest first;
  a failed head alert holds back the ones behind it.
- **Exactly one worker per destination**: the lease (``lease_until``) expires, so a dead worker's
  destinations are picked up by the others.
- **Polite under rate limits**: a 429's Retry-After pauses that destination, or with ``scope`` workspace
  every destination of that workspace, in this worker; other failures back off exponentially with jitter.
- **Dead destinations stop**: a sender that learns the bot was removed or the workspace uninstalled raises
  ``DeadDestination``; the destination and its pending alerts are marked with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, exists, or_, select, update

from core.alerts import compose
from core.config import Settings
from core.messages import Message
from core.storage.database import session_scope
from core.storage.models import Alert, Destination, utcnow
from core.subscriptions import mark_dead
from core.waiting import idle

log = logging.getLogger(__name__)

BATCH = 50
"""Due alerts of one destination read per round; a digest gathers all due alerts of its round."""
COMPOSED_CACHE = 256
"""Composed messages kept per worker, by change: one change fans out to many destinations."""


@dataclass(frozen=True)
class Outgoing:
    """One message for one destination, as a sender receives it."""

    platform: str
    workspace: str
    address: str
    reference: dict[str, Any] | None
    message: Message
    key: str
    attempt: int


@dataclass(frozen=True)
class Sent:
    """A successful send; ``message_ref`` is the platform's id of the posted message, if it has one."""

    message_ref: str | None = None


class DeliveryFailed(Exception):
    """A send failed in a way worth retrying (5xx, timeout, connection refused)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class RateLimited(DeliveryFailed):
    """HTTP 429: wait ``retry_after`` seconds before the next send to this destination or workspace."""

    def __init__(self, reason: str, retry_after: float, scope: Literal["destination", "workspace"]) -> None:
        super().__init__(reason, retry_after)
        self.scope = scope


class DeadDestination(Exception):
    """The destination can never be delivered to again (bot removed, channel archived, app uninstalled)."""


class Sender(Protocol):
    """What an adapter implements to deliver alerts to its platform's destinations."""

    async def send(self, outgoing: Outgoing) -> Sent:
        """Post the message; raise ``DeliveryFailed``, ``RateLimited`` or ``DeadDestination`` on failure."""
        ...


@dataclass
class DeliveryStats:
    """What one worker has done, for logs, metrics and tests."""

    sent: int = 0
    failed: int = 0
    rate_limited: int = 0
    dead: int = 0


def worker_id() -> str:
    """A name for this worker, unique across hosts and restarts, shown on the leases it holds."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Deliverer:
    """Delivers due alerts for the platforms it has senders for; run one or many, in any processes."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        senders: Mapping[str, Sender],
        *,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.senders = dict(senders)
        self.name = name or worker_id()
        self.stats = DeliveryStats()
        self._paused: dict[tuple[str, str], float] = {}
        self._composed: OrderedDict[tuple[str | int, ...], Message] = OrderedDict()
        self._slots = asyncio.Semaphore(max(1, settings.delivery_concurrency))

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set, polling for due alerts when idle."""
        while not stop.is_set():
            try:
                busy = await self.deliver_due()
            except Exception:  # a database hiccup must not end the worker; the next round retries
                log.exception("delivery round failed")
                busy = 0
            if not busy:
                await idle(stop, self.settings.delivery_poll_seconds)

    async def deliver_due(self) -> int:
        """One round: lease destinations with due alerts and drain each; returns destinations served."""
        claimed = self._claim()
        await asyncio.gather(*(self._serve(dest_id) for dest_id in claimed))
        return len(claimed)

    def _claim(self) -> list[int]:
        """Lease up to ``delivery_concurrency`` idle destinations that have due alerts."""
        if not self.senders:
            return []
        now = utcnow()
        due = exists().where(
            col(Alert.destination_id) == col(Destination.id),
            col(Alert.state) == "pending",
            col(Alert.not_before) <= now,
        )
        query = (
            select(Destination)
            .where(
                col(Destination.state) == "active",
                col(Destination.platform).in_(list(self.senders)),
                or_(col(Destination.lease_until).is_(None), col(Destination.lease_until) < now),
                or_(col(Destination.next_attempt_at).is_(None), col(Destination.next_attempt_at) <= now),
                due,
            )
            .order_by(col(Destination.id))
            .limit(max(1, self.settings.delivery_concurrency))
            .with_for_update(skip_locked=True)
        )
        with session_scope(self.engine) as session:
            destinations = list(session.exec(query).all())
            for dest in destinations:
                dest.lease_until, dest.lease_owner = self._lease_end(), self.name
                session.add(dest)
            return [dest.id for dest in destinations if dest.id is not None]

    def _lease_end(self) -> datetime:
        return utcnow() + timedelta(seconds=self.settings.delivery_lease_seconds)

    async def _serve(self, dest_id: int) -> None:
        """Send a leased destination's due messages in order, until none are due or one fails.

        Each database step is one transaction that also prepares the next step (marking a message sent
        reads the next one; finding nothing due gives the lease back), so a fan-out to thousands of
        channels costs two short transactions per channel.
        """
        async with self._slots:
            try:
                with session_scope(self.engine) as session:
                    prepared = self._prepare(session, dest_id)
                while prepared is not None:
                    outcome = await self._attempt(*prepared)
                    with session_scope(self.engine) as session:
                        prepared = self._settle(session, dest_id, prepared[1], outcome)
            except Exception:  # never leave a lease held for nothing; the alerts stay pending
                log.exception("delivering to destination %s failed", dest_id)
                self._release_quietly(dest_id)

    async def _attempt(self, outgoing: Outgoing, alert_ids: list[int]) -> Sent | Exception:
        """Send one message; the failure, if any, is returned for ``_settle`` to record."""
        await self._wait_for_workspace(outgoing)
        try:
            return await self.senders[outgoing.platform].send(outgoing)
        except RateLimited as limited:
            self._throttle(outgoing, limited)
            return limited
        except (DeliveryFailed, DeadDestination) as failure:
            return failure
        except Exception as exc:  # an adapter bug: keep the alert, back off, log loudly
            log.exception("sending alerts %s failed unexpectedly", alert_ids)
            return DeliveryFailed(f"unexpected {type(exc).__name__}: {exc}")

    def _settle(
        self, session: Session, dest_id: int, alert_ids: list[int], outcome: Sent | Exception
    ) -> tuple[Outgoing, list[int]] | None:
        """Record a send's outcome; after a success, prepare the destination's next message."""
        if isinstance(outcome, Sent):
            session.exec(
                update(Alert)
                .where(col(Alert.id).in_(alert_ids), col(Alert.state) == "pending")
                .values(state="sent", sent_at=utcnow(), message_ref=outcome.message_ref, last_error=None)
            )
            self.stats.sent += len(alert_ids)
            return self._prepare(session, dest_id)
        if isinstance(outcome, DeadDestination):
            log.warning("destination %s is gone: %s", dest_id, outcome)
            self.stats.dead += 1
            mark_dead(session, dest_id, str(outcome))
            return None
        assert isinstance(outcome, DeliveryFailed)
        self._failed(session, dest_id, alert_ids, outcome)
        self._release(session, dest_id)
        return None

    def _prepare(self, session: Session, dest_id: int) -> tuple[Outgoing, list[int]] | None:
        """The next message (the oldest due alert, or a digest of due alerts), or None and the lease back."""
        dest = session.get(Destination, dest_id)
        if dest is None or dest.state != "active" or dest.lease_owner != self.name:
            return None  # died meanwhile, or our lease expired and another worker has it
        query = (
            select(Alert)
            .where(
                col(Alert.destination_id) == dest_id,
                col(Alert.state) == "pending",
                col(Alert.not_before) <= utcnow(),
            )
            .order_by(col(Alert.id))
            .limit(BATCH)
        )
        due = list(session.exec(query).all())
        if not due:
            dest.lease_until = dest.lease_owner = dest.next_attempt_at = None
            session.add(dest)
            return None
        group = [due[0]] if due[0].digest == "none" else [a for a in due if a.digest == due[0].digest]
        outgoing = Outgoing(
            platform=dest.platform,
            workspace=dest.workspace,
            address=dest.address,
            reference=dest.reference,
            message=self._compose(session, group),
            key=group[0].key if len(group) == 1 else f"{group[0].key}+{len(group)}",
            attempt=max(a.attempts for a in group) + 1,
        )
        dest.lease_until = self._lease_end()
        session.add(dest)
        return outgoing, [a.id for a in group if a.id is not None]

    def _compose(self, session: Session, group: list[Alert]) -> Message:
        """Compose once per change: a fan-out to thousands of channels sends the same message."""
        cache_key: tuple[str | int, ...] = (group[0].digest, *(a.change_id for a in group))
        message = self._composed.get(cache_key)
        if message is None:
            message = self._composed[cache_key] = compose(session, self.settings, group)
            while len(self._composed) > COMPOSED_CACHE:
                self._composed.popitem(last=False)
        return message

    async def _wait_for_workspace(self, outgoing: Outgoing) -> None:
        """Hold a send while its workspace is paused by an earlier 429."""
        until = self._paused.get((outgoing.platform, outgoing.workspace))
        if until is not None:
            delay = until - asyncio.get_running_loop().time()
            if delay > 0:
                await asyncio.sleep(delay)

    def _throttle(self, outgoing: Outgoing, limited: RateLimited) -> None:
        self.stats.rate_limited += 1
        if limited.scope == "workspace":
            until = asyncio.get_running_loop().time() + (limited.retry_after or 0.0)
            key = (outgoing.platform, outgoing.workspace)
            self._paused[key] = max(until, self._paused.get(key, 0.0))

    def _failed(self, session: Session, dest_id: int, alert_ids: list[int], failure: DeliveryFailed) -> None:
        """Keep the alerts pending, note why, and hold the destination back before the next try.

        A 429 is not a failure of the destination: it waits its Retry-After without using up an attempt.
        """
        counts = not isinstance(failure, RateLimited)
        reason = str(failure)
        self.stats.failed += counts
        alerts = list(session.exec(select(Alert).where(col(Alert.id).in_(alert_ids))).all())
        attempts = max((a.attempts for a in alerts), default=0) + counts
        for alert in alerts:
            alert.attempts += counts
            alert.last_error = reason[:500]
            session.add(alert)
        if attempts >= self.settings.delivery_max_attempts:
            mark_dead(session, dest_id, f"gave up after {attempts} failed attempts; last: {reason}")
            self.stats.dead += 1
            return
        delay = failure.retry_after if failure.retry_after is not None else self.backoff(attempts)
        session.exec(
            update(Destination)
            .where(col(Destination.id) == dest_id)
            .values(next_attempt_at=utcnow() + timedelta(seconds=delay))
        )
        log.warning("delivery to destination %s failed (%s); next try in %.1f s", dest_id, reason, delay)

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with jitter: about 1, 2, 4 ... seconds, capped by the settings."""
        cap = self.settings.delivery_max_backoff_seconds
        return float(min(cap, 2 ** max(0, attempts - 1) * random.uniform(0.8, 1.2)))

    def _release(self, session: Session, dest_id: int) -> None:
        """Give the lease back so the destination's next due alerts can be taken by any worker."""
        session.exec(
            update(Destination)
            .where(col(Destination.id) == dest_id, col(Destination.lease_owner) == self.name)
            .values(lease_until=None, lease_owner=None)
        )

    def _release_quietly(self, dest_id: int) -> None:
        try:
            with session_scope(self.engine) as session:
                self._release(session, dest_id)
        except Exception:  # the lease expires by itself
            log.exception("releasing destination %s failed", dest_id)
