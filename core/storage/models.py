"""The tables. Times are timezone-aware UTC throughout (SQLModel stores and returns them in UTC).

A version's text lives in ``Blob`` keyed by its content hash, so identical texts are stored once and
near-identical ones as small zstd deltas (see ``core.storage.blobs``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
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
    Untracking sets ``active`` false and keeps the history. ``fresh_start``: the document was moved to
    another page, so its next version is compared with nothing. ``fetch_with`` is ``http`` (the page as
    served) or ``browser`` (rendered by headless Chromium, for pages whose text is put in by JavaScript).
    ``body_hash`` is the hash of the raw page last read as the latest version: the same bytes again are
    known unchanged without extracting them.
    """

    __table_args__ = (UniqueConstraint("vendor_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    doc_type: str
    slug: str
    url: str
    fetch_with: str = "http"
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
    fresh_start: bool = False
    body_hash: str | None = Field(default=None, max_length=64)
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

    ``kind`` is ``substantive`` or ``cosmetic`` (only renumbering, moves or formatting). ``details`` holds the
    aligned clause pairs (see ``core.reading.changes.details_of``) so alerts, diff pages and answers can quote
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
    reader_version: int | None = Field(default=None, index=True)
    """The rules version that made the verdict (``core.reading.READER_VERSION``); None: before 0008."""
    reader: str | None = None
    """Which statement reader made it: "rules" or "model:<model name>" (``core.reading.readers``)."""


class Profile(SQLModel, table=True):
    """A version text's AI data-use profile (``core.reading.profile``), keyed by the text's hash like its
    blob.

    ``reader_version`` is the rules version that made it (``core.reading.READER_VERSION``): a stored
    profile from older rules is recomputed when read.
    """

    content_hash: str = Field(primary_key=True, foreign_key="blob.hash", max_length=64)
    reader_version: int
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow)


class Reading(SQLModel, table=True):
    """A version text's clauses and AI-training statements (``core.reading.stored``), keyed by the text's
    hash, so the next change is judged without reading the old text again; ``reader_version`` as for
    ``Profile`` (one from older rules is ignored)."""

    content_hash: str = Field(primary_key=True, foreign_key="blob.hash", max_length=64)
    reader_version: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CatalogEntry(SQLModel, table=True):
    """A vendor an admin added to the catalog; it overrides a shipped entry of the same name.

    ``documents`` is a list of ``{"type", "url", "select", "remove"}`` objects, as in the shipped file.
    """

    __tablename__ = "catalog_entry"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    slug: str = Field(unique=True)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    documents: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    added_by: str
    added_at: datetime = Field(default_factory=utcnow)


class WorkspaceAdmin(SQLModel, table=True):
    """A user clausewatch itself treats as an admin in one workspace (Slack) or team/tenant (Teams)."""

    __tablename__ = "workspace_admin"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    workspace: str
    user_id: str
    added_by: str
    added_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """One admin action, allowed or refused: who, where, what they typed, and what happened."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    platform: str
    workspace: str
    user_id: str
    user_name: str | None = None
    action: str
    command: str
    outcome: str
    detail: str | None = None


class Destination(SQLModel, table=True):
    """Where alerts go: one channel or conversation on one platform.

    ``reference`` is what the platform needs to post there later (a Teams conversation reference; empty
    for Slack). A ``dead`` destination (bot removed, workspace uninstalled) gets nothing more and
    ``dead_reason`` says why. ``lease_until``/``lease_owner`` let exactly one delivery worker at a time
    send to it, which keeps its alerts in order; ``next_attempt_at`` holds it back after a failure.
    """

    __table_args__ = (UniqueConstraint("platform", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    workspace: str
    address: str
    name: str | None = None
    reference: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    state: str = "active"
    dead_reason: str | None = None
    dead_at: datetime | None = None
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    lease_owner: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Subscription(SQLModel, table=True):
    """A destination's wish to hear about one vendor (or, with ``vendor_id`` None, every vendor).

    ``changes`` is ``ai`` (AI-training changes only, the default) or ``all`` (every substantive change);
    ``min_severity`` filters AI changes; ``digest`` is ``none``, ``daily`` or ``weekly``. ``target`` is the
    vendor id as text or ``*``, so one destination has at most one subscription per vendor.
    """

    __table_args__ = (UniqueConstraint("destination_id", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    destination_id: int = Field(foreign_key="destination.id", index=True)
    vendor_id: int | None = Field(default=None, foreign_key="vendor.id")
    target: str
    changes: str = "ai"
    min_severity: str = "low"
    digest: str = "none"
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)


class Alert(SQLModel, table=True):
    """One change to tell one destination about: a row of the transactional outbox.

    Created in the transaction that records the change, so a change is never recorded without its alerts.
    ``state`` goes ``pending`` -> ``sent`` (or ``dead`` when the destination died, ``cancelled`` when the
    subscription went away first). ``key`` is the idempotency key every send carries, so a send retried
    after a crash is recognised, not posted twice. Digest alerts wait until ``not_before``, the end of their
    day or week, and go out together. ``message_ref`` is the platform's id of the posted message.
    """

    __table_args__ = (
        UniqueConstraint("change_id", "destination_id"),
        Index("ix_alert_destination_state", "destination_id", "state"),  # the delivery claim's lookup
    )

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", index=True)
    destination_id: int = Field(foreign_key="destination.id")
    subscription_id: int | None = None
    key: str = Field(unique=True, max_length=64)
    state: str = "pending"
    digest: str = "none"
    not_before: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    send_started_at: datetime | None = None
    message_ref: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    """Someone in a channel marked a change's alert as reviewed: who, and when.

    One per change and destination: the first reviewer is the one the alert shows.
    """

    __table_args__ = (UniqueConstraint("change_id", "destination_id"),)

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", index=True)
    destination_id: int = Field(foreign_key="destination.id")
    user_id: str
    user_name: str | None = None
    at: datetime = Field(default_factory=utcnow)


class SeenEvent(SQLModel, table=True):
    """An event a chat platform delivered, by its own id, so a redelivery is not handled twice.

    Slack redelivers an event it thinks was lost (``X-Slack-Retry-Num``); every replica sees this table,
    so the retry is dropped whichever replica it reaches.
    """

    __tablename__ = "seen_event"

    platform: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = Field(default_factory=utcnow, index=True)


class AppSecret(SQLModel, table=True):
    """A secret the installation makes for itself, shared by every replica (the link-signing key)."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True)
    value: str
