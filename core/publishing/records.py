"""The read-only API's records: documents, their versions, changes and AI data-use profiles as JSON, a page at
a time, for GRC tools that copy what clausewatch recorded.

Lists are paged by a cursor (``after``: the last id of the previous page, or for profiles the last vendor
name), not an offset, so walking a list while a check records a new change neither skips nor repeats one.
Changes come in the order the feed and ``changes`` show them (newest version first); the rest oldest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from core.alerts.signed_links import diff_url
from core.answers.register import vendor_profiles
from core.config import Settings
from core.errors import NotFoundError, UsageError
from core.pipeline.versions import versions_of
from core.reading.changes import change_label, change_view, list_changes
from core.registry.names import resolve_vendor
from core.storage.models import Change, Document, Vendor, Version

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page:
    """One page of a list: its records, and the cursor of the next page (None on the last)."""

    items: list[dict[str, Any]]
    after: str | None


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes a feed or a list shows: one vendor's or every vendor's, AI-training ones or all."""

    vendor: Vendor | None = None
    ai_only: bool = False

    @property
    def vendor_slug(self) -> str | None:
        """The vendor's slug, as ``list_changes`` takes it."""
        return self.vendor.slug if self.vendor else None

    def query(self) -> list[tuple[str, str]]:
        """The filter as query parameters, the vendor by slug: how a signed feed address writes it."""
        pairs = [("vendor", self.vendor.slug)] if self.vendor else []
        return pairs + ([("ai_only", "1")] if self.ai_only else [])

    def query_string(self) -> str:
        """``?vendor=acme&ai_only=1``, or nothing for every change."""
        return f"?{urlencode(self.query())}" if self.query() else ""


def change_filter(session: Session, vendor: str | None, ai_only: bool) -> ChangeFilter:
    """The filter a request names; an unknown vendor is an error listing close names, never every vendor."""
    found = session.get(Vendor, resolve_vendor(session, vendor)) if vendor else None
    return ChangeFilter(found, ai_only)


def check_limit(limit: int) -> int:
    """``limit`` if it is a page size the API serves, else an error saying which are."""
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _page(
    rows: Sequence[T], limit: int, record: Callable[[T], dict[str, Any]], cursor: Callable[[T], str]
) -> Page:
    """The first ``limit`` rows as records; ``rows`` holds one more when another page follows."""
    shown = rows[: check_limit(limit)]
    return Page([record(row) for row in shown], cursor(shown[-1]) if len(rows) > limit else None)


def documents_page(session: Session, *, limit: int = DEFAULT_LIMIT, after: int | None = None) -> Page:
    """Every document, tracked or no longer, in the order they were added."""
    query = select(Document, Vendor).join(Vendor, col(Document.vendor_id) == col(Vendor.id))
    if after is not None:
        query = query.where(col(Document.id) > after)
    rows = session.exec(query.order_by(col(Document.id)).limit(check_limit(limit) + 1)).all()
    return _page(rows, limit, lambda row: document_json(*row), lambda row: str(row[0].id))


def document_json(document: Document, vendor: Vendor) -> dict[str, Any]:
    """A document as the API lists it: what it is, where it is read, and how its last check went."""
    return {
        "id": document.id,
        "vendor": vendor.name,
        "vendor_slug": vendor.slug,
        "type": document.doc_type,
        "ref": f"{vendor.slug}/{document.slug}",
        "url": document.url,
        "active": document.active,
        "state": document.state,
        "last_checked_at": document.last_checked_at.isoformat() if document.last_checked_at else None,
    }


def versions_page(
    session: Session, document_id: int, *, limit: int = DEFAULT_LIMIT, after: int | None = None
) -> Page:
    """A document's versions, oldest first; ``after`` is a version id of that document."""
    if session.get(Document, document_id) is None:
        raise NotFoundError(f"no document {document_id}")
    versions = versions_of(session, document_id)
    start = 0
    if after is not None:
        ids = [version.id for version in versions]
        if after not in ids:
            raise UsageError(f"version {after} is not a version of document {document_id}")
        start = ids.index(after) + 1
    return _page(versions[start : start + limit + 1], limit, version_json, lambda version: str(version.id))


def version_json(version: Version) -> dict[str, Any]:
    """A version: the day it appeared, how it was obtained, and the hash of its text."""
    return {
        "id": version.id,
        "document_id": version.document_id,
        "effective_date": version.effective_date.isoformat(),
        "fetched_at": version.fetched_at.isoformat(),
        "source": version.source,
        "url": version.url,
        "title": version.title,
        "content_hash": version.content_hash,
    }


def changes_page(
    session: Session,
    settings: Settings,
    wanted: ChangeFilter,
    *,
    limit: int = DEFAULT_LIMIT,
    after: int | None = None,
) -> Page:
    """Recorded changes, newest version first, as the feed shows them."""
    rows = list_changes(
        session,
        vendor_slug=wanted.vendor_slug,
        ai_only=wanted.ai_only,
        after=after,
        limit=check_limit(limit) + 1,
    )
    return _page(
        rows,
        limit,
        lambda row: change_json(session, settings, row[0], row[1], row[2], row[3]),
        lambda row: str(row[0].id),
    )


def change_json(
    session: Session, settings: Settings, change: Change, document: Document, vendor: Vendor, new: Version
) -> dict[str, Any]:
    """A change's verdict, its clause counts, and a signed link to its full diff page."""
    return {
        "id": change.id,
        "vendor": vendor.name,
        "vendor_slug": vendor.slug,
        "document_id": document.id,
        "document": document.doc_type,
        "from_version_id": change.from_version_id,
        "to_version_id": change.to_version_id,
        "date": new.effective_date.isoformat(),
        "recorded_at": change.created_at.isoformat(),
        "kind": change.kind,
        "verdict": change_label(change),
        "ai_training_change": change.ai_training_change,
        "direction": change.direction,
        "actor": change.actor,
        "severity": change.severity,
        "summary": change.summary,
        "clauses_added": change.clauses_added,
        "clauses_removed": change.clauses_removed,
        "clauses_modified": change.clauses_modified,
        "reader": change.reader,
        "reader_version": change.reader_version,
        "diff_url": diff_url(session, settings, change.id or 0),
    }


def change_record(session: Session, settings: Settings, change_id: int) -> dict[str, Any]:
    """One change with its substantive clause pairs (before, after, word diff), as its diff page shows."""
    if session.get(Change, change_id) is None:
        raise NotFoundError(f"no change {change_id}")
    view = change_view(session, change_id)
    found = change_json(session, settings, view.change, view.document, view.vendor, view.new)
    return found | {"from_date": view.old.effective_date.isoformat(), "clauses": view.clauses}


def profiles_page(session: Session, *, limit: int = DEFAULT_LIMIT, after: str | None = None) -> Page:
    """The AI data-use register: every tracked vendor's profile, by vendor name."""
    entries = sorted(vendor_profiles(session), key=lambda entry: entry.vendor)
    entries = [entry for entry in entries if after is None or entry.vendor > after]
    return _page(entries[: limit + 1], limit, lambda entry: entry.to_json(), lambda entry: entry.vendor)


def profile_record(session: Session, vendor: str) -> dict[str, Any]:
    """One vendor's profile, as ``profile --format json`` prints it."""
    return vendor_profiles(session, vendor=vendor)[0].to_json()
