"""The check cycle: fetch, extract and record every due document, each in its own transaction.

This module only orchestrates the pipeline stages in their order (fetching -> extraction -> versions ->
changes -> alerts, then the AI data-use profile); a failure of one document is recorded on that document
and never stops the others. A change and its alerts are written in one transaction (the outbox).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import metrics
from core.alerts.outbox import enqueue
from core.config import Settings
from core.errors import ClausewatchError
from core.pipeline.browser import BrowserFetcher
from core.pipeline.fetch import Fetcher, FetchPolicy, FetchResult
from core.pipeline.prepare import Job, Prepared, Preparer
from core.pipeline.versions import Observation, Recorded, record, version_text
from core.reading import READER_VERSION
from core.reading.changes import record_change
from core.reading.profile import ensure_stored
from core.registry.documents import latest_version
from core.storage.database import session_scope
from core.storage.models import Document, Reading, Vendor, Version, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckReport:
    """The outcome of checking one document, for progress bars, logs and chat replies.

    ``status`` is ``not-modified``, ``error``, or a ``Recorded`` status (first, changed, flap, unchanged,
    suspect, junk).
    """

    document_id: int
    ref: str
    status: str
    message: str
    change_id: int | None = None

    @property
    def failed(self) -> bool:
        """Whether the document could not be read: an error, or a page that was not the document."""
        return self.status in ("error", "junk")

    def to_json(self) -> dict[str, object]:
        """The report as scripts read it (``check --json``)."""
        return {
            "document_id": self.document_id,
            "ref": self.ref,
            "status": self.status,
            "failed": self.failed,
            "message": self.message,
            "change_id": self.change_id,
        }


@dataclass(frozen=True)
class _Target:
    """What the fetch needs to know about a document, read before any network I/O."""

    id: int
    ref: str
    url: str
    fetch_with: str
    select: list[str]
    remove: list[str]
    etag: str | None
    last_modified: str | None
    body_hash: str | None


def _targets(session: Session, ids: Sequence[int]) -> list[_Target]:
    rows = session.exec(
        select(Document, Vendor)
        .join(Vendor, col(Document.vendor_id) == col(Vendor.id))
        .where(col(Document.id).in_(list(ids)))
        .order_by(col(Document.id))
    ).all()
    return [
        _Target(
            id=doc.id or 0,
            ref=f"{vendor.slug}/{doc.slug}",
            url=doc.url,
            fetch_with=doc.fetch_with,
            select=list(doc.select),
            remove=list(doc.remove),
            etag=doc.etag if doc.state == "ok" else None,
            last_modified=doc.last_modified if doc.state == "ok" else None,
            body_hash=doc.body_hash if doc.state == "ok" else None,
        )
        for doc, vendor in rows
    ]


async def check_documents(
    engine: Engine,
    settings: Settings,
    ids: Sequence[int],
    *,
    on_done: Callable[[CheckReport], None] | None = None,
    day: date | None = None,
) -> list[CheckReport]:
    """Check the documents ``ids`` concurrently (within the fetch policy's limits).

    ``day`` dates the versions found (default: today), for replaying a vendor's published history as
    the demo does."""
    with Session(engine) as session:
        targets = _targets(session, ids)

    preparer = Preparer(settings, len(targets))

    async def one(fetch: Callable[[_Target], Awaitable[FetchResult]], target: _Target) -> CheckReport:
        try:
            result = await fetch(target)
            report = _unchanged(engine, settings, target, result) or _process(
                engine, settings, target, result, await preparer.run(_job(engine, target, result)), day
            )
        except ClausewatchError as exc:
            report = _record_failure(engine, settings, target, str(exc))
        except Exception as exc:  # one document's surprise must never stop the others
            log.exception("checking %s failed", target.ref)
            report = _record_failure(engine, settings, target, f"unexpected {type(exc).__name__}: {exc}")
        metrics.CHECKS.labels(report.status).inc()
        if report.status == "error":
            metrics.FETCH_ERRORS.inc()
        if on_done is not None:
            on_done(report)
        return report

    async with AsyncExitStack() as stack:
        fetch = await _fetchers(stack, settings, targets)
        return list(await asyncio.gather(*(one(fetch, t) for t in targets)))


async def _fetchers(
    stack: AsyncExitStack, settings: Settings, targets: list[_Target]
) -> Callable[[_Target], Awaitable[FetchResult]]:
    """How each target is fetched: over HTTP, or rendered in Chromium for documents tracked ``--browser``.

    The browser fetcher is opened only when a target needs it, and launches Chromium only on its first page.
    """
    fetcher = await stack.enter_async_context(Fetcher(FetchPolicy.from_settings(settings)))
    browser = None
    if any(target.fetch_with == "browser" for target in targets):
        browser = await stack.enter_async_context(BrowserFetcher.from_settings(settings))

    def fetch(target: _Target) -> Awaitable[FetchResult]:
        if browser is not None and target.fetch_with == "browser":
            return browser.fetch(target.url)
        return fetcher.fetch(target.url, etag=target.etag, last_modified=target.last_modified)

    return fetch


def _unchanged(
    engine: Engine, settings: Settings, target: _Target, result: FetchResult
) -> CheckReport | None:
    """The report of a page known unchanged without reading it: a 304, or the very bytes of the latest
    version (``body_hash``); None when it must be read."""
    if result.not_modified:
        status, message = "not-modified", "not modified since the last check"
    elif _body_hash(result) == target.body_hash:
        status, message = "unchanged", "no change (the same page, byte for byte)"
    else:
        return None
    with session_scope(engine) as session:
        _reschedule(session, settings, target.id, state="ok")
    return CheckReport(target.id, target.ref, status, message)


def _body_hash(result: FetchResult) -> str:
    return hashlib.sha256(result.body).hexdigest()


def _job(engine: Engine, target: _Target, result: FetchResult) -> Job:
    """What ``prepare`` needs: the page, its recipe, and the latest version to judge it against."""
    with Session(engine) as session:
        latest = latest_version(session, target.id)
        text = version_text(session, latest) if latest else None
        reading = session.get(Reading, latest.content_hash) if latest else None
    known = reading.data if reading and reading.reader_version == READER_VERSION else None
    return Job(
        result.body,
        result.content_type,
        result.charset,
        tuple(target.select),
        tuple(target.remove),
        previous_hash=latest.content_hash if latest else None,
        previous_text=None if known else text,  # the worker reads the stored reading, not the text
        previous_reading=known,
    )


def _process(
    engine: Engine,
    settings: Settings,
    target: _Target,
    result: FetchResult,
    prepared: Prepared,
    day: date | None = None,
) -> CheckReport:
    """Record one prepared page in one transaction: the version, its judged change and alerts, its profile."""
    observation = Observation(
        text=prepared.text,
        title=prepared.title,
        digest=prepared.digest,
        url=result.url,
        etag=result.etag,
        last_modified=result.last_modified,
        effective_date=day,
    )
    with session_scope(engine) as session:
        # Lock the document so two checkers (processes or replicas) never record the same version twice.
        doc = session.get(Document, target.id, with_for_update=True)
        assert doc is not None
        flap_window = timedelta(hours=settings.flap_window_hours)
        outcome = record(session, doc, observation, flap_window=flap_window)
        change_id = _record_change(session, doc, outcome, prepared)
        doc.body_hash = _body_hash(result) if outcome.status in _AS_LATEST else None
        _reschedule(session, settings, target.id)
        if outcome.status in _NEW_VERSION and outcome.version is not None:
            _store_profile(session, outcome.version, prepared)
            _store_reading(session, outcome.version, prepared)
    return CheckReport(target.id, target.ref, outcome.status, _describe(outcome), change_id)


_NEW_VERSION = frozenset({"first", "changed", "flap"})
"""Outcomes that stored a version (whose profile is then read)."""
_AS_LATEST = _NEW_VERSION | {"unchanged"}
"""Outcomes after which the page read is the latest version's (its raw bytes may stand for it)."""


def _store_profile(session: Session, version: Version, prepared: Prepared) -> None:
    """The new version's AI data-use profile, as prepared (or read from the text in hand), in the version's
    transaction; a failure is logged and never loses the version (it is then computed when first read)."""
    try:
        with session.begin_nested():
            ensure_stored(session, version.content_hash, text=prepared.text, profile=prepared.profile)
    except Exception:
        log.exception("computing the AI data-use profile of version %s failed", version.id)


def _store_reading(session: Session, version: Version, prepared: Prepared) -> None:
    """Keep the new text's reading for judging the next change (once per text and rules version)."""
    if prepared.reading is None or prepared.digest != version.content_hash:
        return
    row = session.get(Reading, version.content_hash)
    if row is not None and row.reader_version == READER_VERSION:
        return
    try:
        with session.begin_nested():
            row = row or Reading(content_hash=version.content_hash, reader_version=READER_VERSION, data=b"")
            row.reader_version, row.data = READER_VERSION, prepared.reading
            session.add(row)
    except IntegrityError:
        pass  # stored concurrently by another checker: the same reading


def _record_change(session: Session, doc: Document, outcome: Recorded, prepared: Prepared) -> int | None:
    """Store the change into a new version, judged as prepared when it was judged against the version now
    before it (else judged here); alert on it unless the page only flipped back (``flap``)."""
    if outcome.status not in ("changed", "flap") or outcome.previous is None or outcome.version is None:
        return None
    verdict = prepared.verdict if prepared.judged_against == outcome.previous.content_hash else None
    old = "" if verdict else outcome.previous_text or version_text(session, outcome.previous)
    change = record_change(
        session, doc, outcome.previous, outcome.version, old, prepared.text, verdict=verdict
    )
    if outcome.status == "changed":
        enqueue(session, change, doc, outcome.version)
    return change.id


def _describe(outcome: Recorded) -> str:
    messages = {
        "first": "first version recorded",
        "changed": "new version recorded",
        "unchanged": "no change",
    }
    return outcome.reason or messages.get(outcome.status) or outcome.status


def _record_failure(engine: Engine, settings: Settings, target: _Target, message: str) -> CheckReport:
    """Note the error on the document; its versions are untouched."""
    with session_scope(engine) as session:
        doc = _reschedule(session, settings, target.id, state="error")
        doc.last_error = message
    return CheckReport(target.id, target.ref, "error", message)


def _reschedule(session: Session, settings: Settings, doc_id: int, *, state: str | None = None) -> Document:
    """Set the next check one interval ahead, give or take ``check_jitter`` of it (spreads bursts)."""
    doc = session.get(Document, doc_id)
    assert doc is not None
    now = utcnow()
    spread = 1 + random.uniform(-settings.check_jitter, settings.check_jitter)
    doc.last_checked_at = now
    doc.next_check_at = now + timedelta(hours=doc.check_interval_hours * spread)
    if state is not None:
        doc.state = state
        if state == "ok":
            doc.last_error = None
    session.add(doc)
    return doc
