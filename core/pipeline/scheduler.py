"""The scheduler: which documents to check now, claimed so that exactly one worker checks each.

Several replicas may run the scheduler against one PostgreSQL database with no coordinator of their own:
a claim selects due documents ``FOR UPDATE SKIP LOCKED`` (on SQLite the BEGIN IMMEDIATE write lock does
the same for processes on one host) and pushes their ``next_check_at`` a lease ahead in the same
transaction, so no other replica sees them as due. After the check, ``core.pipeline.check`` sets the real next
time, one interval ahead with jitter, so documents tracked together spread out over the interval instead
of being fetched in one burst forever. If the worker dies mid-check, the lease runs out and the document
is due again. Per-host politeness is the fetcher's (``fetch_per_host``, ``fetch_host_interval``),
within one batch of checks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.engine import Engine
from sqlmodel import Session, and_, col, or_, select

from core.config import Settings
from core.pipeline.check import CheckReport, check_documents
from core.storage.database import session_scope
from core.storage.models import Document, utcnow
from core.waiting import idle

log = logging.getLogger(__name__)


def _due(now: datetime) -> ColumnElement[bool]:
    """Active documents whose next check time has come (or was never set)."""
    return and_(
        col(Document.active).is_(True),
        or_(col(Document.next_check_at).is_(None), col(Document.next_check_at) <= now),
    )


def due_document_ids(session: Session) -> list[int]:
    """The documents due now, unclaimed (to count them; ``claim_due`` takes them)."""
    return [
        doc_id for doc_id in session.exec(select(Document.id).where(_due(utcnow()))) if doc_id is not None
    ]


Leases = dict[int, tuple[datetime | None, datetime]]
"""Claimed documents: id -> (next check time before the claim, the lease set)."""


def claim_due(engine: Engine, settings: Settings) -> list[int]:
    """Claim up to ``check_batch`` due active documents, the longest overdue first."""
    return list(_claim_due(engine, settings))


def _claim_due(engine: Engine, settings: Settings) -> Leases:
    now = utcnow()
    query = (
        select(Document)
        .where(_due(now))
        .order_by(col(Document.next_check_at).is_not(None), col(Document.next_check_at), col(Document.id))
        .limit(settings.check_batch)
        .with_for_update(skip_locked=True)
    )
    with session_scope(engine) as session:
        return _lease_all(session, settings, list(session.exec(query).all()))


def _lease_all(session: Session, settings: Settings, docs: list[Document]) -> Leases:
    leases: Leases = {}
    until = utcnow() + _lease(settings)
    for doc in docs:
        leases[doc.id or 0] = (doc.next_check_at, until)
        doc.next_check_at = until
        session.add(doc)
    return leases


def release(engine: Engine, leases: Leases) -> int:
    """Give back claims that were never checked (Ctrl-C, a stopped worker): each document gets back its
    next check time, instead of waiting out the lease as if a worker had died. Returns how many."""
    if not leases:
        return 0
    released = 0
    with session_scope(engine) as session:
        query = select(Document).where(col(Document.id).in_(list(leases))).with_for_update()
        for doc in session.exec(query).all():
            before, until = leases[doc.id or 0]
            if _naive(doc.next_check_at) == _naive(until):  # still our lease: no check has rescheduled it
                doc.next_check_at = before
                session.add(doc)
                released += 1
    return released


def _lease(settings: Settings) -> timedelta:
    """How long a claimed check may take before another worker may take the document over."""
    return timedelta(seconds=settings.check_lease_seconds)


def claim(engine: Engine, settings: Settings, ids: Sequence[int]) -> Leases:
    """Claim named documents for a check asked for now (``check zoom``), due or not."""
    with session_scope(engine) as session:
        query = select(Document).where(col(Document.id).in_(list(ids))).with_for_update()
        return _lease_all(session, settings, list(session.exec(query).all()))


def _naive(moment: datetime | None) -> datetime | None:
    """UTC without a zone: SQLite gives stored times back naive, PostgreSQL aware."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment and moment.tzinfo else moment


async def _check_leased(
    engine: Engine,
    settings: Settings,
    leases: Leases,
    on_done: Callable[[CheckReport], None] | None,
) -> list[CheckReport]:
    """Check the leased documents; whatever is interrupted before its check ends is released."""
    pending = dict(leases)

    def done(report: CheckReport) -> None:
        pending.pop(report.document_id, None)
        if on_done is not None:
            on_done(report)

    try:
        return await check_documents(engine, settings, list(leases), on_done=done)
    finally:
        if pending:
            log.info("released %d unchecked documents", release(engine, pending))


async def check_now(
    engine: Engine,
    settings: Settings,
    ids: Sequence[int],
    *,
    on_done: Callable[[CheckReport], None] | None = None,
) -> list[CheckReport]:
    """Check the documents ``ids`` at once, claimed so the scheduler does not check them alongside."""
    return await _check_leased(engine, settings, claim(engine, settings, ids), on_done)


async def check_due(
    engine: Engine,
    settings: Settings,
    *,
    on_done: Callable[[CheckReport], None] | None = None,
    stop: asyncio.Event | None = None,
) -> list[CheckReport]:
    """Check every document due now, batch by batch, sharing them with any other worker doing the same;
    ``stop`` ends it after the current batch."""
    reports: list[CheckReport] = []
    while not (stop and stop.is_set()) and (leases := _claim_due(engine, settings)):
        reports += await _check_leased(engine, settings, leases, on_done)
    return reports


async def run_scheduler(engine: Engine, settings: Settings, stop: asyncio.Event) -> None:
    """Check due documents in batches until ``stop`` is set, polling when nothing is due."""
    while not stop.is_set():
        try:
            leases = _claim_due(engine, settings)
            if leases:
                await _check_leased(engine, settings, leases, None)
        except Exception:  # a database hiccup must not end the scheduler; the next round retries
            log.exception("scheduler round failed")
            leases = {}
        if not leases:
            await idle(stop, settings.scheduler_poll_seconds)
