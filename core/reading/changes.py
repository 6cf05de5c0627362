"""Recording and listing changes: the judged difference between two consecutive versions.

A change stores the verdict (``core.reading.judgment``) and its substantive aligned clause pairs, so
everything downstream (alerts, the diff page, questions about what changed) reads one record and quotes
exactly what was added and removed, without re-running the diff.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.reading.judgment import Verdict, judge
from core.storage.models import Change, Document, Vendor, Version
from core.text.clauses import ClauseChange


def record_change(
    session: Session, doc: Document, previous: Version, version: Version, old: str, new: str
) -> Change:
    """Judge the change from ``previous`` to ``version`` and store it with its clause pairs."""
    verdict = judge(old, new)
    kinds = Counter(c.kind for c in verdict.clause_changes if c.substantive)
    change = Change(
        document_id=doc.id or 0,
        from_version_id=previous.id or 0,
        to_version_id=version.id or 0,
        kind="substantive" if verdict.substantive else "cosmetic",
        clauses_added=kinds["added"],
        clauses_removed=kinds["removed"],
        clauses_modified=kinds["modified"],
        ai_training_change=verdict.ai_training_change,
        direction=verdict.direction,
        actor=verdict.actor,
        severity=verdict.severity,
        summary=verdict.explanation,
        details=details_of(verdict),
    )
    session.add(change)
    session.flush()
    return change


def details_of(verdict: Verdict) -> dict[str, Any]:
    """The JSON record of a verdict: decisive sentences and every substantive clause pair."""
    ai_ids = {c.id for c in verdict.ai_clause_changes}
    return {
        "added": verdict.added,
        "removed": verdict.removed,
        "clauses": [_clause_pair(c, c.id in ai_ids) for c in verdict.clause_changes if c.substantive],
        "cosmetic": sum(not c.substantive for c in verdict.clause_changes),
    }


def _clause_pair(change: ClauseChange, ai: bool) -> dict[str, Any]:
    clause = change.new or change.old
    return {
        "kind": change.kind,
        "id": change.id,
        "heading": clause.heading if clause else None,
        "old": change.old.text if change.old else None,
        "new": change.new.text if change.new else None,
        "diff": change.diff if change.kind == "modified" else None,
        "ai": ai,
    }


def list_changes(
    session: Session,
    *,
    document_id: int | None = None,
    vendor_slug: str | None = None,
    since: datetime | None = None,
    ai_only: bool = False,
    limit: int | None = None,
) -> list[tuple[Change, Document, Vendor, Version]]:
    """Recorded changes, newest version first, with their document, vendor and new version."""
    query = (
        select(Change, Document, Vendor, Version)
        .join(Document, col(Change.document_id) == col(Document.id))
        .join(Vendor, col(Document.vendor_id) == col(Vendor.id))
        .join(Version, col(Change.to_version_id) == col(Version.id))
        .order_by(col(Version.effective_date).desc(), col(Change.id).desc())
    )
    if document_id is not None:
        query = query.where(Change.document_id == document_id)
    if vendor_slug is not None:
        query = query.where(Vendor.slug == vendor_slug)
    if since is not None:
        query = query.where(col(Version.effective_date) >= since.date())
    if ai_only:
        query = query.where(Change.ai_training_change == True)  # noqa: E712 (SQL expression)
    if limit is not None:
        query = query.limit(limit)
    return [tuple(row) for row in session.exec(query).all()]  # type: ignore[misc]


def change_into(session: Session, version_id: int) -> Change | None:
    """The change that produced ``version_id``, if it was not a document's first version."""
    return session.exec(select(Change).where(Change.to_version_id == version_id)).first()


def verdict_label(
    ai_training_change: bool | None, direction: str | None, actor: str | None, severity: str | None
) -> str:
    """One phrase for a verdict: "AI training: expands (vendor, high)" or "no AI-training change"."""
    if ai_training_change is None:
        return "not judged"
    if not ai_training_change:
        return "no AI-training change"
    return f"AI training: {direction} ({actor}, {severity})"


def change_label(change: Change) -> str:
    """The verdict phrase of a stored change, with "cosmetic" for formatting-only changes."""
    if change.kind == "cosmetic":
        return "cosmetic only"
    return verdict_label(change.ai_training_change, change.direction, change.actor, change.severity)
