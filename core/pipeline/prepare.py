"""The CPU stages of a check, apart from the database: extract the page, hash it, judge it against the
latest version and read its AI data-use profile, in worker processes when a round has many documents.

``prepare`` is a pure function of its job (bytes and texts in, texts and readings out), so it runs the same
inline or in a process pool; the check (``core.pipeline.check``) keeps every database read and write in the
parent process, which is what SQLite's single writer and the outbox's one transaction per change need.
What a worker judged is used only when the version it was judged against is still the latest when the
parent records it; otherwise the parent judges again.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from core.config import Settings
from core.pipeline.extract import extract
from core.pipeline.pagecheck import junk_reason
from core.reading import stored
from core.reading.judgment import Verdict, judge_clauses
from core.reading.profile import AIProfile, compute
from core.text.clauses import segment
from core.text.normalise import content_hash

MIN_BATCH = 8
"""Fewer documents than this are prepared inline: starting workers costs more than they would save."""


@dataclass(frozen=True)
class Job:
    """One fetched page and what it is compared with: the latest version's hash and text, if any."""

    body: bytes
    content_type: str
    charset: str | None
    select: tuple[str, ...]
    remove: tuple[str, ...]
    previous_hash: str | None = None
    previous_text: str | None = None
    previous_reading: bytes | None = None
    """The previous version's stored reading (``core.reading.stored``), so it is not read again."""


@dataclass(frozen=True)
class Prepared:
    """A page read: its text and title, its content hash, and (when it is a new text, not junk) its change
    judged against the job's previous text and its profile."""

    text: str
    title: str | None
    digest: str
    judged_against: str | None = None
    verdict: Verdict | None = None
    profile: AIProfile | None = None
    reading: bytes | None = None
    """The new text's reading, to store with its version."""


def prepare(job: Job) -> Prepared:
    """Extract, hash, and, for a new text, judge and profile it (extraction errors propagate)."""
    extracted = extract(job.body, job.content_type, charset=job.charset, select=job.select, remove=job.remove)
    digest = content_hash(extracted.text)
    if digest == job.previous_hash or junk_reason(extracted.text, extracted.title):
        return Prepared(extracted.text, extracted.title, digest)
    before = stored.decode(job.previous_reading) if job.previous_reading is not None else None
    if before is None and job.previous_text is not None:
        before = stored.read(segment(job.previous_text))
    reading = stored.read(segment(extracted.text), before)  # unchanged clauses keep their statements
    found = stored.flat(reading)
    verdict = None
    if before is not None:
        verdict = judge_clauses(
            before[0], reading[0], old_statements=stored.flat(before), new_statements=found
        )
    return Prepared(
        extracted.text,
        extracted.title,
        digest,
        judged_against=job.previous_hash if verdict is not None else None,
        verdict=verdict,
        profile=compute(extracted.text, reading[0], found),
        reading=stored.encode(reading),
    )


def workers(settings: Settings) -> int:
    """How many processes prepare pages: ``CLAUSEWATCH_CHECK_WORKERS`` (0: one per core); one when a
    language model reads statements, since its client lives in this process."""
    if settings.reader != "rules":
        return 1
    return settings.check_workers or os.cpu_count() or 1


class Preparer:
    """Runs ``prepare`` for one round of checks: in the shared process pool when the round is large enough
    and more than one worker is configured, else inline on the caller's thread."""

    def __init__(self, settings: Settings, documents: int) -> None:
        count = workers(settings)
        self._pool = _pool(count) if count > 1 and documents >= MIN_BATCH else None

    async def run(self, job: Job) -> Prepared:
        """The prepared page; a worker that died is replaced and the page prepared inline."""
        if self._pool is None:
            return prepare(job)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, prepare, job)
        except BrokenProcessPool:
            _discard_pool()
            return prepare(job)


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(count: int) -> Executor:
    """The process pool of ``count`` workers, started once and kept for later rounds (a scheduler checks
    a batch every poll); forkserver, so workers never inherit the event loop's threads or connections."""
    if count not in _POOLS:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        _POOLS[count] = ProcessPoolExecutor(max_workers=count, mp_context=context)
    return _POOLS[count]


def _discard_pool() -> None:
    for pool in _POOLS.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _POOLS.clear()


@atexit.register
def _shutdown() -> None:
    for pool in _POOLS.values():
        pool.shutdown(wait=True, cancel_futures=True)
    _POOLS.clear()
