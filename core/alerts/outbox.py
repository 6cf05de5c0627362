"""Alerts: which destinations hear about a recorded change, and what the message says.

``enqueue`` runs inside the transaction that records the change (the transactional outbox): the change
and its alerts commit together or not at all, so a crash can neither lose an alert nor send one for a
change that was rolled back. The delivery worker (``core.alerts.delivery``) sends them later.

Who hears what:
- AI-training changes go to subscriptions whose ``min_severity`` they reach;
- other substantive changes go only to subscriptions that asked for every change (``--all-changes``);
- cosmetic changes (renumbering, re-wrapping) and imported history go nowhere: importing five years of
  a vendor's versions must never flood a channel;
- a destination gets one alert per change, even if two of its subscriptions match.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, or_, select

from core.alerts.signed_links import diff_url
from core.alerts.subscriptions import wants
from core.config import Settings
from core.messages import QUOTE_CHARS, Button, Field, Link, Message, Quote, clip
from core.pipeline.effective_date import stated_date
from core.pipeline.versions import version_text
from core.reading.changes import ChangeView, change_view
from core.reading.profile import FIELDS, profiles_of
from core.reading.verdicts import VERDICT_LABELS
from core.storage.models import Alert, Change, Destination, Document, Subscription, Version, utcnow

MAX_QUOTES = 5
"""Added and removed sentences quoted in one alert (each); the full diff link has the rest."""


def enqueue(session: Session, change: Change, document: Document, version: Version) -> int:
    """Create the alerts for a change just recorded, in the caller's transaction; returns how many."""
    if change.kind != "substantive" or version.source == "imported":
        return 0
    now = utcnow()
    rows = [
        {
            "change_id": change.id,
            "destination_id": sub.destination_id,
            "subscription_id": sub.id,
            "key": f"clausewatch-{change.id}-{sub.destination_id}",
            "state": "pending",
            "digest": sub.digest,
            "not_before": digest_due(now, sub.digest),
            "attempts": 0,
            "created_at": now,
        }
        for sub in _matching(session, change, document.vendor_id)
    ]
    if rows:
        session.execute(insert(Alert), rows)
    return len(rows)


def _matching(session: Session, change: Change, vendor_id: int) -> list[Subscription]:
    """One subscription per live destination that wants this change; a vendor's own beats "every vendor"."""
    query = (
        select(Subscription)
        .join(Destination, col(Subscription.destination_id) == col(Destination.id))
        .where(
            Destination.state == "active",
            or_(col(Subscription.vendor_id) == vendor_id, col(Subscription.vendor_id).is_(None)),
        )
        .order_by(col(Subscription.vendor_id).is_(None), col(Subscription.id))
    )
    chosen: dict[int, Subscription] = {}
    for sub in session.exec(query):
        chosen.setdefault(sub.destination_id, sub)
    return [sub for sub in chosen.values() if wants(sub, change)]


def digest_due(now: datetime, digest: str) -> datetime:
    """When an alert may go: now, or at the end of the current UTC day or ISO week for a digest."""
    if digest == "none":
        return now
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=UTC)
    if digest == "daily":
        return midnight
    return midnight + timedelta(days=(6 - now.weekday()))


def compose(session: Session, settings: Settings, alerts: Sequence[Alert]) -> Message:
    """The message for a destination's due alerts: one change in full, or several as a digest."""
    views = [change_view(session, alert.change_id) for alert in alerts]
    data: dict[str, Any] = {"change_ids": [v.change.id for v in views]}
    if len(views) == 1 and alerts[0].digest == "none":
        return _alert(session, settings, views[0], data)
    return _digest(session, settings, views, alerts[0].digest, data)


def change_alert(
    session: Session, settings: Settings, change_id: int, reviewed: Field | None = None
) -> Message:
    """The alert of one change as a channel sees it; ``reviewed`` says who reviewed it there, and then
    the alert no longer offers "Mark reviewed"."""
    return _alert(session, settings, change_view(session, change_id), {"change_ids": [change_id]}, reviewed)


def _alert(
    session: Session,
    settings: Settings,
    view: ChangeView,
    data: dict[str, Any],
    reviewed: Field | None = None,
) -> Message:
    change, details = view.change, view.change.details or {}
    stated = stated_date(version_text(session, view.new))
    fields = [
        Field("Vendor", view.vendor.name),
        Field("Document", view.document.doc_type),
        Field("Version", view.new.effective_date.isoformat()),
        *([Field(stated.label, stated.day.isoformat())] if stated else []),
        Field("Verdict", view.verdict),
        Field(
            "Clauses",
            f"{change.clauses_added} added, {change.clauses_removed} removed, "
            f"{change.clauses_modified} modified",
        ),
        *([reviewed] if reviewed else []),
    ]
    quotes = [Quote(_one_line(s), "Added") for s in details.get("added", [])[:MAX_QUOTES]]
    quotes += [Quote(_one_line(s), "Removed") for s in details.get("removed", [])[:MAX_QUOTES]]
    diff = diff_url(session, settings, change.id or 0)
    return Message(
        title=f"{view.name} changed: {view.verdict}",
        text=change.summary or "",
        kind="alert",
        fields=tuple(fields),
        items=tuple(profile_delta(session, view.old, view.new)),
        quotes=tuple(quotes),
        links=(Link("Source", view.document.url), Link("Full diff", diff)),
        buttons=(
            Button("View full diff", "open_url", diff),
            *(() if reviewed else (Button("Mark reviewed", "mark_reviewed", str(change.id)),)),
            Button("Mute this vendor here", "mute_vendor", view.vendor.slug),
        ),
        data={**data, "vendor": view.vendor.slug, "severity": change.severity},
    )


def profile_delta(session: Session, old: Version, new: Version) -> list[str]:
    """The AI data-use profile points that moved: "Customer content used for training: Only with consent
    → No"."""
    if old.content_hash == new.content_hash:
        return []
    profiles = profiles_of(session, [old.content_hash, new.content_hash])
    before, after = profiles[old.content_hash].findings, profiles[new.content_hash].findings
    return [
        f"{label}: {VERDICT_LABELS[before[point].value]} → {VERDICT_LABELS[after[point].value]}"
        for point, label in FIELDS.items()
        if point in before and point in after and before[point].value != after[point].value
    ]


def _digest(
    session: Session, settings: Settings, views: list[ChangeView], digest: str, data: dict[str, Any]
) -> Message:
    period = {"daily": "Daily", "weekly": "Weekly"}.get(digest, "Recent")
    plural = "s" if len(views) != 1 else ""
    return Message(
        title=f"{period} clausewatch digest: {len(views)} change{plural}",
        kind="digest",
        items=tuple(
            f"{v.name} ({v.new.effective_date.isoformat()}): {v.verdict}"
            + (f": {_one_line(v.change.summary, 200)}" if v.change.summary else "")
            for v in views
        ),
        links=tuple(
            Link(
                f"{v.name} {v.new.effective_date.isoformat()}", diff_url(session, settings, v.change.id or 0)
            )
            for v in views
        ),
        data=data,
    )


def _one_line(text: str, limit: int = QUOTE_CHARS) -> str:
    """A sentence from a document on one line, clipped for a chat message."""
    return clip(" ".join(text.split()), limit)
