"""The tables. Times are timezone-aware UTC throughout (SQLModel stores and returns them in UTC).

A version's text lives in ``Blob`` keyed by its content hash, so identical texts are stored once and
near-identical ones as small zstd deltas (see ``core.storage.blobs``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC now: the one clock every table uses."""
    return datetime.now(UTC)


class Vendor(SQLModel, table=True):
    """A company whose documents are tracked; ``slug`` is how commands name it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    slug: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """One tracked legal document of a vendor at one URL, with its extraction recipe and check state.

    ``state`` is ``new`` until the first good fetch, then ``ok``; ``suspect`` while a doubtful fetch awaits
    confirmation (``pending_hash``); ``error`` when the last check failed (``last_error`` says why).
    Untracking sets ``active`` false and keeps the history.
    """

    __table_args__ = (UniqueConstraint("vendor_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    doc_type: str
    slug: str
    url: str
    select: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    remove: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    check_interval_hours: float = 24.0
    active: bool = True
    state: str = "new"
    last_error: str | None = None
    last_checked_at: datetime | None = None
    next_check_at: datetime | None = Field(default=None, index=True)
    etag: str | None = None
    last_modified: str | None = None
    pending_hash: str | None = None
    pending_reason: str | None = None
    pending_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Blob(SQLModel, table=True):
    """A version text, zstd-compressed; ``base_hash`` names the keyframe it is a delta against, if any."""

    hash: str = Field(primary_key=True, max_length=64)
    codec: str
    base_hash: str | None = Field(default=None, foreign_key="blob.hash")
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Version(SQLModel, table=True):
    """One state of a document: a text (by hash) and when and how it was obtained.

    ``effective_date`` is the day the version appeared: the fetch day, or for imported history the date in
    the file name. Versions of a document are ordered by (``effective_date``, ``id``).
    """

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    content_hash: str = Field(foreign_key="blob.hash", index=True, max_length=64)
    fetched_at: datetime = Field(default_factory=utcnow)
    effective_date: date
    source: str = "fetched"
    url: str | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None


class Change(SQLModel, table=True):
    """A recorded difference between two consecutive versions and its AI-training verdict.

    ``kind`` is ``substantive`` or ``cosmetic`` (only renumbering, moves or formatting). ``details`` holds
    the aligned clause pairs (see ``core.changes.details_of``) so alerts, diff pages and answers can quote
    exactly what was added and removed.
    """

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    from_version_id: int = Field(foreign_key="version.id")
    to_version_id: int = Field(foreign_key="version.id")
    kind: str = "substantive"
    created_at: datetime = Field(default_factory=utcnow, index=True)
    clauses_added: int = 0
    clauses_removed: int = 0
    clauses_modified: int = 0
    ai_training_change: bool | None = Field(default=None, index=True)
    direction: str | None = None
    actor: str | None = None
    severity: str | None = None
    summary: str | None = None
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Profile(SQLModel, table=True):
    """A version text's AI data-use profile (``core.profile``), keyed by the text's hash like its blob.

    ``algorithm`` is the profile reader's revision: a stored profile from an older reader is recomputed.
    """

    content_hash: str = Field(primary_key=True, foreign_key="blob.hash", max_length=64)
    algorithm: int
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow)
