"""Recording and listing changes between consecutive versions of a document."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core.diffing import diff_texts
from core.storage.models import Change, Document, Version


def record_change(
    session: Session, doc: Document, previous: Version, version: Version, old: str, new: str
) -> Change:
    """Store the change from ``previous`` to ``version`` with its line counts."""
    diff = diff_texts(old, new)
    change = Change(
        document_id=doc.id or 0,
        from_version_id=previous.id or 0,
        to_version_id=version.id or 0,
        kind="substantive",
        added_lines=len(diff.added),
        removed_lines=len(diff.removed),
    )
    session.add(change)
    session.flush()
    return change


def changes_of(
    session: Session, document_id: int | None = None, *, since: datetime | None = None
) -> list[Change]:
    """Recorded changes, newest first, optionally for one document or since a time."""
    query = select(Change).order_by(col(Change.created_at).desc(), col(Change.id).desc())
    if document_id is not None:
        query = query.where(Change.document_id == document_id)
    if since is not None:
        query = query.where(col(Change.created_at) >= since)
    return list(session.exec(query).all())


def change_into(session: Session, version_id: int) -> Change | None:
    """The change that produced ``version_id``, if it was not a document's first version."""
    return session.exec(select(Change).where(Change.to_version_id == version_id)).first()
