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
- **Polite under rate limits**: a 429's Retry-After holds that destination back; with ``scope`` workspace
  it also pauses the workspace in this worker, which from then on paces that workspace to the budget the
  429 revealed (the sends accepted in the last Retry-After seconds) instead of bursting into the limit
  again. Other failures back off exponentially with jitter.
- **Cheap fan-out**: the destinations leased in one round move in lockstep, one transaction preparing
  every one's next message and one settling every outcome, so a change sent to thousands of channels
  costs a few transactions per ``delivery_concurrency`` channels. The price: a step waits for its
  slowest send before its destinations' next messages. Waits for a rate limit are bounded so the lease
  outlives wait and send; a send that would wait longer is handed back to try later, never doubled.
- **Dead destinations stop**: a sender that learns the bot was removed or the workspace uninstalled raises
  ``DeadDestination``; the destination and its pending alerts are marked with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import socket
import uuid
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import takewhile
from typing import Any, Literal, Protocol

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, exists, func, or_, select, update

from core.alerts.outbox import compose
from core.alerts.subscriptions import mark_dead
from core.config import Settings
from core.messages import Message
from core.storage.database import session_scope
from core.storage.models import Alert, Destination, utcnow
from core.waiting import idle

log = logging.getLogger(__name__)

BATCH = 50
"""The most alerts one digest message gathers."""
COMPOSED_CACHE = 256
"""Composed messages kept per worker, by change: one change fans out to many destinations."""
PACE_MEMORY = 600.0
"""Seconds a workspace's learned budget is kept after its last 429 (another worker may have left)."""


@dataclass
class _Pace:
    """What this worker has learned of one workspace's rate limit, from its 429s alone.

    At a 429 the budget is taken to be the sends the workspace accepted in the last Retry-After seconds
    (the window); from then on a send waits until fewer than that many were accepted in the trailing
    window or are in flight. Acceptance is stamped when the answer arrives, after the platform counted
    the send, so a paced send never lands inside the platform's window early.
    """

    paused_until: float = 0.0
    budget: int | None = None
    window: float = 1.0
    learned_at: float = 0.0
    in_flight: int = 0
    next_start: float = 0.0
    accepted: deque[float] = field(default_factory=deque)
    answered: asyncio.Condition = field(default_factory=asyncio.Condition)

    def hold(self, now: float) -> float | None:
        """None when a send may start now; else when it may (``math.inf``: when an in-flight send answers).

        Starting a send reserves its slot, spreading the budget evenly over the window, since a burst
        would only queue at the platform and come back late.
        """
        if self.paused_until > now:
            return self.paused_until
        if self.budget is not None and now - self.learned_at > PACE_MEMORY:
            self.budget = None
        if self.budget is None:
            return None
        if now < self.next_start:
            return self.next_start
        recent = self.recent(now, self.window)
        if recent + self.in_flight < self.budget:
            self.next_start = max(now, self.next_start) + self.window / self.budget / 2
            return None
        if recent >= self.budget:
            return self.accepted[-self.budget] + self.window
        return math.inf

    def recent(self, now: float, window: float) -> int:
        """Sends accepted in the last ``window`` seconds."""
        cutoff = now - window
        return sum(1 for _ in takewhile(lambda at: at > cutoff, reversed(self.accepted)))

    def note_accepted(self, now: float) -> None:
        self.accepted.append(now)
        horizon = now - max(self.window, 60.0)
        while self.accepted and self.accepted[0] < horizon:
            self.accepted.popleft()


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
    resend: bool = False
    """A send of these alerts was started before and may have reached the platform (the worker died, or a
    429 cut a multi-part message short): a platform with no idempotency key looks before posting."""


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
        self._paces: dict[tuple[str, str], _Pace] = {}
        self._composed: OrderedDict[tuple[str | int, ...], Message] = OrderedDict()

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
        """One round: lease destinations with due alerts and drain them; returns destinations served.

        The round's destinations move in lockstep: one transaction prepares the next message of every
        one of them, the messages go out concurrently, one transaction records every outcome. A fan-out
        to thousands of channels costs a few transactions per ``delivery_concurrency`` channels, not two
        per channel. A round ends after half a lease, handing its destinations back so that channels
        with long backlogs take turns with the others.
        """
        claimed = self._claim()
        if not claimed:
            return 0
        loop = asyncio.get_running_loop()
        round_ends = loop.time() + self.settings.delivery_lease_seconds / 2
        active = claimed
        try:
            while active:
                with session_scope(self.engine) as session:
                    batch = self._prepare(session, active)
                deadline = loop.time() + self._wait_limit()
                outcomes = await asyncio.gather(*(self._attempt(*step, deadline) for step in batch.values()))
                with session_scope(self.engine) as session:
                    active = self._settle(session, list(zip(batch.items(), outcomes, strict=True)))
                if active and loop.time() > round_ends:
                    self._hand_back(active)
                    break
        except Exception:  # the alerts stay pending; hold these destinations back a little
            log.exception("delivering to destinations %s failed", claimed)
            self._hand_back(claimed, delay=self.backoff(1))
            return 0
        return len(claimed)

    def _wait_limit(self) -> float:
        """How long a send may wait for its workspace's rate limit: its lease must outlast wait and send."""
        return max(1.0, self.settings.delivery_lease_seconds - self.settings.fetch_timeout - 5.0)

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
            select(Destination.id)
            .where(
                col(Destination.state) == "active",
                col(Destination.platform).in_(list(self.senders)),
                or_(col(Destination.lease_until).is_(None), col(Destination.lease_until) < now),
                or_(col(Destination.next_attempt_at).is_(None), col(Destination.next_attempt_at) <= now),
                due,
            )
            .order_by(
                col(Destination.next_attempt_at).is_not(None),
                col(Destination.next_attempt_at),
                col(Destination.id),
            )
            .limit(max(1, self.settings.delivery_concurrency))
            .with_for_update(skip_locked=True)
        )
        with session_scope(self.engine) as session:
            ids = [dest_id for dest_id in session.exec(query).all() if dest_id is not None]
            if ids:
                session.exec(
                    update(Destination)
                    .where(col(Destination.id).in_(ids))
                    .values(lease_until=self._lease_end(), lease_owner=self.name)
                )
            return ids

    def _lease_end(self) -> datetime:
        return utcnow() + timedelta(seconds=self.settings.delivery_lease_seconds)

    async def _attempt(self, outgoing: Outgoing, alert_ids: list[int], deadline: float) -> Sent | Exception:
        """Send one message; the failure, if any, is returned for ``_settle`` to record."""
        pace = self._paces.setdefault((outgoing.platform, outgoing.workspace), _Pace())
        held = await self._wait_for_workspace(pace, deadline)
        if held:  # not within this lease: the destination tries again later, without using an attempt
            return RateLimited("held back by the workspace's rate limit", held, "destination")
        pace.in_flight += 1
        try:
            sent = await self.senders[outgoing.platform].send(outgoing)
            pace.note_accepted(asyncio.get_running_loop().time())
            return sent
        except RateLimited as limited:
            self._throttle(pace, limited)
            return limited
        except (DeliveryFailed, DeadDestination) as failure:
            return failure
        except Exception as exc:  # an adapter bug: keep the alert, back off, log loudly
            log.exception("sending alerts %s failed unexpectedly", alert_ids)
            return DeliveryFailed(f"unexpected {type(exc).__name__}: {exc}")
        finally:
            pace.in_flight -= 1
            async with pace.answered:
                pace.answered.notify_all()

    def _settle(
        self,
        session: Session,
        outcomes: list[tuple[tuple[int, tuple[Outgoing, list[int]]], Sent | Exception]],
    ) -> list[int]:
        """Record every outcome of a step, in its own transaction; returns the destinations to go on with."""
        now = utcnow()
        sent = [
            {"b_id": alert_id, "b_ref": outcome.message_ref}
            for (_, (_, alert_ids)), outcome in outcomes
            if isinstance(outcome, Sent)
            for alert_id in alert_ids
        ]
        if sent:
            table = Alert.__table__  # type: ignore[attr-defined]
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("b_id"), table.c.state == "pending")
                .values(state="sent", sent_at=now, message_ref=bindparam("b_ref"), last_error=None),
                sent,
            )
            self.stats.sent += len(sent)
        onward = []
        for (dest_id, (_, alert_ids)), outcome in outcomes:
            if isinstance(outcome, Sent):
                onward.append(dest_id)
            elif isinstance(outcome, DeadDestination):
                log.warning("destination %s is gone: %s", dest_id, outcome)
                self.stats.dead += 1
                mark_dead(session, dest_id, str(outcome))
            else:
                assert isinstance(outcome, DeliveryFailed)
                self._failed(session, dest_id, alert_ids, outcome)
                self._release(session, [dest_id])
        return onward

    def _prepare(self, session: Session, dest_ids: list[int]) -> dict[int, tuple[Outgoing, list[int]]]:
        """The next message of each destination (its oldest due alert, or a digest of due alerts).

        Destinations with nothing due get their lease back; those that died meanwhile, or whose lease
        expired and went to another worker, are left alone.
        """
        query = select(Destination).where(col(Destination.id).in_(dest_ids)).with_for_update()
        dests = {
            dest.id: dest
            for dest in session.exec(query).all()
            if dest.id is not None and dest.state == "active" and dest.lease_owner == self.name
        }
        heads = self._due_heads(session, list(dests)) if dests else {}
        idle = [dest_id for dest_id in dests if dest_id not in heads]
        if idle:
            session.exec(
                update(Destination)
                .where(col(Destination.id).in_(idle), col(Destination.lease_owner) == self.name)
                .values(lease_until=None, lease_owner=None, next_attempt_at=None)
            )
        if heads:
            session.exec(
                update(Destination)
                .where(col(Destination.id).in_(list(heads)), col(Destination.lease_owner) == self.name)
                .values(lease_until=self._lease_end())
            )
        prepared = {}
        for dest_id, head in heads.items():
            try:
                prepared[dest_id] = self._outgoing(session, dests[dest_id], self._group(session, head))
            except Exception as exc:  # one alert that cannot be composed must not stop the others
                log.exception("composing alert %s failed", head.id)
                self._failed(session, dest_id, [head.id or 0], DeliveryFailed(f"cannot compose: {exc}"))
                self._release(session, [dest_id])
        starting = [alert_id for _, alert_ids in prepared.values() for alert_id in alert_ids]
        if starting:  # committed before the sends, so a send a crash interrupts is known as one next time
            session.exec(update(Alert).where(col(Alert.id).in_(starting)).values(send_started_at=utcnow()))
        return prepared

    @staticmethod
    def _due_heads(session: Session, dest_ids: list[int]) -> dict[int, Alert]:
        """Each destination's oldest due alert: one row per destination, however long its backlog."""
        oldest = (
            select(func.min(Alert.id))
            .where(
                col(Alert.destination_id).in_(dest_ids),
                col(Alert.state) == "pending",
                col(Alert.not_before) <= utcnow(),
            )
            .group_by(col(Alert.destination_id))
        )
        heads = session.exec(select(Alert).where(col(Alert.id).in_(oldest))).all()
        return {alert.destination_id: alert for alert in heads}

    @staticmethod
    def _group(session: Session, head: Alert) -> list[Alert]:
        """The alerts one message carries: the head alone, or the alerts of its digest period.

        A period's alerts all exist once it is over, so a retried digest carries the same alerts and the
        same idempotency key.
        """
        if head.digest == "none":
            return [head]
        query = (
            select(Alert)
            .where(
                col(Alert.destination_id) == head.destination_id,
                col(Alert.state) == "pending",
                col(Alert.digest) == head.digest,
                col(Alert.not_before) == head.not_before,
            )
            .order_by(col(Alert.id))
            .limit(BATCH)
        )
        return list(session.exec(query).all())

    def _outgoing(
        self, session: Session, dest: Destination, group: list[Alert]
    ) -> tuple[Outgoing, list[int]]:
        outgoing = Outgoing(
            platform=dest.platform,
            workspace=dest.workspace,
            address=dest.address,
            reference=dest.reference,
            message=self._compose(session, group),
            key=group[0].key if len(group) == 1 else f"{group[0].key}+{len(group)}",
            attempt=max(a.attempts for a in group) + 1,
            resend=any(a.send_started_at is not None for a in group),
        )
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

    async def _wait_for_workspace(self, pace: _Pace, deadline: float) -> float:
        """Wait while the workspace is paused or at its budget; 0.0 when the send may start, else the
        seconds still to wait when that would pass ``deadline``."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            until = pace.hold(now)
            if until is None:
                return 0.0
            if until > deadline:
                return max(1.0, until - now) if until != math.inf else 1.0
            if until == math.inf:
                async with pace.answered:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(pace.answered.wait(), deadline - now)
            else:
                await asyncio.sleep(until - now)

    def _throttle(self, pace: _Pace, limited: RateLimited) -> None:
        self.stats.rate_limited += 1
        if limited.scope == "workspace":
            now = asyncio.get_running_loop().time()
            window = limited.retry_after or 1.0
            pace.budget, pace.window, pace.learned_at = max(1, pace.recent(now, window)), window, now
            pace.paused_until = max(pace.paused_until, now + window)

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

    def _release(self, session: Session, dest_ids: list[int]) -> None:
        """Give the leases back so the destinations' next due alerts can be taken by any worker."""
        session.exec(
            update(Destination)
            .where(col(Destination.id).in_(dest_ids), col(Destination.lease_owner) == self.name)
            .values(lease_until=None, lease_owner=None)
        )

    def _hand_back(self, dest_ids: list[int], delay: float = 0.0) -> None:
        """Give leases back, the destinations going behind the others (and ``delay`` seconds out)."""
        try:
            with session_scope(self.engine) as session:
                session.exec(
                    update(Destination)
                    .where(col(Destination.id).in_(dest_ids), col(Destination.lease_owner) == self.name)
                    .values(
                        lease_until=None,
                        lease_owner=None,
                        next_attempt_at=utcnow() + timedelta(seconds=delay),
                    )
                )
        except Exception:  # the leases expire by themselves
            log.exception("handing back destinations %s failed", dest_ids)
