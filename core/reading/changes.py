"""Recording and listing changes: the judged difference between two consecutive versions.

A change stores the verdict (``core.reading.judgment``), the rules version that made it
(``core.reading.READER_VERSION``) and its substantive aligned clause pairs, so everything downstream
(alerts, the diff page, chat and CLI ``diff``, questions about what changed) reads one record through
``change_view``/``view_between`` and quotes exactly what was added and removed, without re-running the diff.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from core import reading
from core.errors import UsageError
from core.pipeline.versions import version_text
from core.reading.judgment import Verdict, judge
from core.reading.statements import reader_name
from core.storage.models import Change, Document, Vendor, Version
from core.text.clauses import ClauseChange


def record_change(
    session: Session,
    doc: Document,
    previous: Version,
    version: Version,
    old: str,
    new: str,
    *,
    verdict: Verdict | None = None,
) -> Change:
    """Judge the change from ``previous`` to ``version`` (or take ``verdict``, judged already from the same
    texts, in a check worker) and store it with its clause pairs."""
    change = Change(document_id=doc.id or 0, from_version_id=previous.id or 0, to_version_id=version.id or 0)
    apply_verdict(change, verdict or judge(old, new))
    session.add(change)
    session.flush()
    return change


def apply_verdict(change: Change, verdict: Verdict) -> None:
    """Write ``verdict`` onto ``change``, stamped with the rules version that made it."""
    kinds = Counter(c.kind for c in verdict.clause_changes if c.substantive)
    change.kind = "substantive" if verdict.substantive else "cosmetic"
    change.clauses_added, change.clauses_removed = kinds["added"], kinds["removed"]
    change.clauses_modified = kinds["modified"]
    change.ai_training_change = verdict.ai_training_change
    change.direction, change.actor, change.severity = verdict.direction, verdict.actor, verdict.severity
    change.summary = verdict.explanation
    change.details = details_of(verdict)
    change.reader_version = reading.READER_VERSION
    change.reader = reader_name()


@dataclass(frozen=True)
class ChangeView:
    """The verdict of a change with everything that names or quotes it.

    The one reading of "what this change was judged" for the CLI, chat, alerts and the diff page, so they
    never disagree. ``change`` is the stored record, or (``change.id`` None) a difference between two
    versions that no recorded change connects, judged now and not stored.
    """

    change: Change
    document: Document
    vendor: Vendor
    old: Version
    new: Version

    @property
    def name(self) -> str:
        """ "Zoom Terms of Service"."""
        return f"{self.vendor.name} {self.document.doc_type}"

    @property
    def verdict(self) -> str:
        """ "AI-training change: expands (high)" or "substantive change (no AI-training language)"."""
        c = self.change
        if c.ai_training_change:
            return f"AI-training change: {c.direction} ({c.severity} severity)"
        return "substantive change, no AI-training language affected"

    @property
    def label(self) -> str:
        """The short verdict phrase ``history`` and ``diff`` show."""
        return change_label(self.change)

    @property
    def clauses(self) -> list[dict[str, Any]]:
        """The substantive clause pairs, as ``details_of`` stored them."""
        return list((self.change.details or {}).get("clauses", []))


def change_view(session: Session, change_id: int) -> ChangeView:
    """A recorded change with its document, vendor and both versions."""
    change = session.get(Change, change_id)
    assert change is not None, f"no change {change_id}"
    old, new = session.get(Version, change.from_version_id), session.get(Version, change.to_version_id)
    assert old is not None and new is not None
    return _view(session, change, old, new)


def view_between(session: Session, old: Version, new: Version) -> ChangeView:
    """The difference from ``old`` to ``new``: the recorded change when one connects them, else judged now."""
    change = change_into(session, new.id or 0)
    if change is None or change.from_version_id != old.id or change.details is None:
        change = Change(document_id=new.document_id, from_version_id=old.id or 0, to_version_id=new.id or 0)
        apply_verdict(change, judge(version_text(session, old), version_text(session, new)))
    return _view(session, change, old, new)


def _view(session: Session, change: Change, old: Version, new: Version) -> ChangeView:
    document = session.get(Document, change.document_id)
    assert document is not None
    vendor = session.get(Vendor, document.vendor_id)
    assert vendor is not None
    return ChangeView(change, document, vendor, old, new)


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
    after: int | None = None,
    limit: int | None = None,
) -> list[tuple[Change, Document, Vendor, Version]]:
    """Recorded changes, newest version first, with their document, vendor and new version.

    ``after`` (a change id) starts after that change in this order: the cursor of a paged list, which
    neither skips nor repeats a change when one is recorded between two pages.
    """
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
    if after is not None:
        query = query.where(_ordered_after(session, after))
    if limit is not None:
        query = query.limit(limit)
    return [tuple(row) for row in session.exec(query).all()]  # type: ignore[misc]


def _ordered_after(session: Session, change_id: int) -> ColumnElement[bool]:
    """The changes listed after ``change_id`` (newest version first, then newest id): an older version's,
    or the same day's with a smaller id."""
    day = session.exec(
        select(col(Version.effective_date))
        .join(Change, col(Change.to_version_id) == col(Version.id))
        .where(Change.id == change_id)
    ).first()
    if day is None:
        raise UsageError(f"no change {change_id} to list changes after")
    return or_(
        col(Version.effective_date) < day,
        and_(col(Version.effective_date) == day, col(Change.id) < change_id),
    )


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
