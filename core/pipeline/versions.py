"""Deciding whether a fetched text is a new version, and recording it: the third pipeline stage.

The rules that keep history clean:
- cosmetic differences never make a version (the hash is over ``normalise.canonical``);
- a page that is not the document (error page, cookie wall, login, bot challenge) is never recorded;
- a text that suddenly shrinks by more than half is held as *suspect* and recorded only when the next
  fetch returns the same text again;
- a return to an earlier text is a version like any other (pointing at the text already stored), so the
  latest version is always what the page says now; when the page flips back to a text it showed within
  the flap window (A/B tests, stale caches) the change is recorded and judged but alerts no one;
- a document moved to another page (``fresh_start``) starts a fresh line: its next text is compared with
  nothing, since another page's text is no change of this one;
- nothing is ever deleted because a vendor's site misbehaves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from core.errors import NotFoundError, UsageError
from core.pipeline.pagecheck import junk_reason, other_document
from core.registry.documents import latest_version
from core.storage import blobs
from core.storage.models import Blob, Document, Version, utcnow
from core.text.normalise import content_hash

SHRINK_LIMIT = 0.5
MOVED = "moved"
"""The source of the first version after ``track --move``: a fresh line, compared with nothing before it."""


@dataclass(frozen=True)
class Observation:
    """A text obtained for a document, by fetching or by importing history."""

    text: str
    title: str | None = None
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    source: str = "fetched"
    effective_date: date | None = None
    digest: str | None = None
    """The text's content hash when the caller computed it already (a check worker)."""


@dataclass(frozen=True)
class Recorded:
    """What ``record`` decided. ``status`` is one of:

    ``first`` (first version stored, or the first at a document's new page), ``changed`` (new version
    after ``previous``), ``flap`` (a new version after ``previous`` that returns to a text shown within the
    flap window: judged, never alerted), ``unchanged``, ``suspect`` (held for confirmation), ``junk`` (not
    the document; ignored). ``reason`` explains the last three.
    """

    status: str
    version: Version | None = None
    previous: Version | None = None
    reason: str | None = None
    previous_text: str | None = None
    """The previous version's text when ``record`` had to read it, so the change is judged without
    reading it again."""


def record(session: Session, doc: Document, obs: Observation, *, flap_window: timedelta) -> Recorded:
    """Apply the rules above to ``obs`` and store a new version when it is one."""
    junk = junk_reason(obs.text, obs.title)
    if junk:
        return _hold(
            doc, "junk", f"the page looked like {_article(junk)}, not the document; nothing recorded"
        )
    digest = obs.digest or content_hash(obs.text)
    latest = latest_version(session, doc.id or 0)
    if latest is not None and latest.content_hash == digest:
        _settle(doc, obs)
        return Recorded("unchanged", version=latest)
    if doc.fresh_start:
        version = _store(session, doc, replace(obs, source=MOVED), digest, None)
        _settle(doc, obs)
        return Recorded("first", version=version, reason="first version at the document's new address")
    flap = (
        latest is not None and obs.source == "fetched" and _seen_recently(session, doc, digest, flap_window)
    )
    before: str | None = None
    if latest is not None and obs.source == "fetched" and not flap:
        doubt = _shrink_doubt(session, latest, obs.text)
        if doubt is None:
            before = version_text(session, latest)
            doubt = other_document(before, obs.text)
        if doubt and doc.pending_hash != digest:
            doc.pending_hash, doc.pending_reason = digest, doubt
            return _hold(doc, "suspect", doubt + "; waiting for the next fetch to confirm")
    version = _store(session, doc, obs, digest, latest)
    _settle(doc, obs)
    if flap:
        reason = "the page flipped back to a text it showed recently: recorded, not alerted"
        return Recorded("flap", version=version, previous=latest, reason=reason)
    status = "first" if latest is None else "changed"
    return Recorded(status, version=version, previous=latest, previous_text=before)


def record_imported(session: Session, doc: Document, obs: Observation, previous: Version | None) -> Recorded:
    """Store one file of imported history after ``previous`` (the version imported before it).

    History is trusted as published, so only pages that are not the document are refused; the document's
    check state is left alone.
    """
    junk = junk_reason(obs.text, obs.title)
    if junk:
        return Recorded("junk", reason=f"looks like {_article(junk)}, not the document")
    digest = content_hash(obs.text)
    if previous is not None and previous.content_hash == digest:
        return Recorded("unchanged", version=previous)
    version = _store(session, doc, obs, digest, previous)
    return Recorded("first" if previous is None else "changed", version=version, previous=previous)


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _hold(doc: Document, status: str, reason: str) -> Recorded:
    """Mark the document suspect without touching its history or its validators."""
    doc.state, doc.last_error = "suspect", reason
    if status == "junk":
        doc.pending_hash = doc.pending_reason = None
    return Recorded(status, reason=reason)


def _settle(doc: Document, obs: Observation) -> None:
    """The document is known good again: clear doubts, keep the validators for conditional GETs."""
    doc.state, doc.last_error, doc.fresh_start = "ok", None, False
    doc.pending_hash = doc.pending_reason = None
    if obs.source == "fetched":
        doc.etag, doc.last_modified = obs.etag, obs.last_modified


def _seen_recently(session: Session, doc: Document, digest: str, window: timedelta) -> bool:
    since = utcnow() - window
    query = select(Version.id).where(
        Version.document_id == doc.id,
        Version.content_hash == digest,
        Version.source == "fetched",
        col(Version.fetched_at) >= since,
    )
    return session.exec(query).first() is not None


def _shrink_doubt(session: Session, latest: Version, text: str) -> str | None:
    """A reason to doubt ``text`` when it is less than half the size of the latest version."""
    blob = session.get(Blob, latest.content_hash)
    before = blob.size if blob else 0
    after = len(text.encode("utf-8"))
    if before and after < SHRINK_LIMIT * before:
        return f"the text shrank from {before:,} to {after:,} bytes"
    return None


def _store(session: Session, doc: Document, obs: Observation, digest: str, latest: Version | None) -> Version:
    blobs.put_text(session, digest, obs.text, near=latest.content_hash if latest else None)
    now = utcnow()
    version = Version(
        document_id=doc.id or 0,
        content_hash=digest,
        fetched_at=now,
        effective_date=obs.effective_date or now.date(),
        source=obs.source,
        url=obs.url,
        title=obs.title,
        etag=obs.etag,
        last_modified=obs.last_modified,
    )
    session.add(version)
    session.flush()
    return version


def version_text(session: Session, version: Version) -> str:
    """The stored text of ``version``."""
    return blobs.get_text(session, version.content_hash)


def versions_of(session: Session, document_id: int) -> list[Version]:
    """All versions of a document, oldest first."""
    query = (
        select(Version)
        .where(Version.document_id == document_id)
        .order_by(col(Version.effective_date), col(Version.id))
    )
    return list(session.exec(query).all())


def version_at(session: Session, document_id: int, when: date | datetime) -> Version | None:
    """The version in force on ``when``: the newest one that appeared on or before that day."""
    day = when.date() if isinstance(when, datetime) else when
    query = (
        select(Version)
        .where(Version.document_id == document_id, col(Version.effective_date) <= day)
        .order_by(col(Version.effective_date).desc(), col(Version.id).desc())
    )
    return session.exec(query).first()


VersionRef = date | int
"""How people pick a version: the one in force on a date, or a document's own number (``v3``: the third)."""

_NUMBERED = re.compile(r"^[vV](\d+)$")


def parse_version_ref(text: str, option: str) -> VersionRef:
    """``v3`` or ``YYYY-MM-DD`` as typed after ``option``; anything else is a ``UsageError`` saying so."""
    text = text.strip()
    if match := _NUMBERED.match(text):
        return int(match.group(1))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} takes a version as v3 or a date as YYYY-MM-DD, not {text!r}") from None


def version_by_ref(session: Session, document_id: int, ref: VersionRef) -> Version | None:
    """The version ``ref`` picks: ``v3`` counts the document's versions from 1, oldest first; a date picks
    the one in force that day."""
    if isinstance(ref, date):
        return version_at(session, document_id, ref)
    versions = versions_of(session, document_id)
    return versions[ref - 1] if 1 <= ref <= len(versions) else None


def version_number(session: Session, version: Version) -> int:
    """The version's number within its document (``v1`` is the oldest)."""
    return _order(versions_of(session, version.document_id), version) + 1


def _order(versions: list[Version], version: Version) -> int:
    """Where ``version`` stands among its document's versions, oldest first (0 for ``v1``)."""
    return [v.id for v in versions].index(version.id)


def _describe_ref(ref: VersionRef | None) -> str:
    return "today" if ref is None else f"v{ref}" if isinstance(ref, int) else f"on or before {ref}"


def versions_to_compare(
    session: Session, document_id: int, start: VersionRef | None, end: VersionRef | None
) -> tuple[Version, Version]:
    """The versions ``diff`` compares: ``start`` (default: the one before the other) and ``end`` (default:
    the latest), each a number or the version in force on a date. Raises ``NotFoundError`` saying which is
    missing."""
    new = (
        version_by_ref(session, document_id, end)
        if end is not None
        else version_at(session, document_id, date.max)
    )
    if new is None:
        raise NotFoundError(f"no version {_describe_ref(end)}")
    if start is not None:
        old = version_by_ref(session, document_id, start)
        if old is None:
            raise NotFoundError(f"no version {_describe_ref(start)}")
        versions = versions_of(session, document_id)
        if _order(versions, old) > _order(versions, new):
            raise UsageError(
                f"{_describe_ref(start)} is newer than {_describe_ref(end)}: name the older first"
            )
        if old.id == new.id:
            raise NotFoundError(
                f"{_describe_ref(start)} and {_describe_ref(end)} are the same version: nothing to compare"
            )
        return old, new
    versions = versions_of(session, document_id)
    index = _order(versions, new)
    if index == 0:
        raise NotFoundError(f"there is no version before {new.effective_date} to compare with")
    if new.source == MOVED:
        raise NotFoundError(
            f"v{index + 1} is the first version at the document's new address, so no change leads to it; "
            f"name both versions (--from v{index} --to v{index + 1}) to compare the two pages anyway"
        )
    return versions[index - 1], new
