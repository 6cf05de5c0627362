"""Destinations and their subscriptions: who wants to hear about which vendor's changes, and how.

A destination is a channel or conversation on one platform, named the way that platform names it. Its
subscriptions say which vendors (or all of them), which changes (AI-training only, the default, or every
substantive change), the lowest AI severity worth a message, and whether to send each change at once or
gather them in a daily or weekly digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, or_, select, update

from core.errors import UsageError
from core.storage.models import Alert, Change, Destination, Document, Subscription, Vendor, utcnow

Changes = Literal["ai", "all", "none"]
"""AI-training changes only, every substantive change, or none: a vendor muted in one conversation."""
SEVERITIES = ("low", "medium", "high")
DIGESTS = ("none", "daily", "weekly")
ALL_VENDORS = "*"


@dataclass(frozen=True)
class Place:
    """A destination as an adapter names it: platform, workspace (team/tenant) and address (channel id)."""

    platform: str
    workspace: str
    address: str
    name: str | None = None
    reference: dict[str, Any] | None = None


def destination(session: Session, place: Place) -> Destination:
    """The destination for ``place``, created on first use and brought back to life if it had died.

    Called by ``subscribe``, and by the chat adapters when the bot is added to a conversation, so a
    reinstalled bot delivers again and the stored conversation reference stays fresh.
    """
    dest = find_destination(session, place)
    if dest is None:
        dest = Destination(platform=place.platform, workspace=place.workspace, address=place.address)
    dest.workspace = place.workspace
    dest.name = place.name or dest.name
    dest.reference = place.reference or dest.reference
    if dest.state == "dead":
        dest.state, dest.dead_reason, dest.dead_at, dest.next_attempt_at = "active", None, None, None
    session.add(dest)
    session.flush()
    return dest


def find_destination(session: Session, place: Place) -> Destination | None:
    """The stored destination for ``place``, if the bot has heard from it before."""
    return session.exec(
        select(Destination).where(
            Destination.platform == place.platform, Destination.address == place.address
        )
    ).first()


def subscribe(
    session: Session,
    dest: Destination,
    vendors: Sequence[Vendor],
    *,
    changes: Changes = "ai",
    min_severity: str = "low",
    digest: str = "none",
    created_by: str,
) -> list[Subscription]:
    """Subscribe ``dest`` to ``vendors`` (none: every vendor); an existing subscription is updated."""
    if min_severity not in SEVERITIES:
        raise UsageError(f"--min-severity takes one of {', '.join(SEVERITIES)}, not {min_severity!r}")
    if digest not in DIGESTS:
        raise UsageError(f"--digest takes daily or weekly, not {digest!r}")
    assert dest.id is not None
    result = []
    wanted: list[Vendor | None] = [*vendors] or [None]
    for vendor in wanted:
        target = str(vendor.id) if vendor else ALL_VENDORS
        query = select(Subscription).where(
            Subscription.destination_id == dest.id, Subscription.target == target
        )
        sub = session.exec(query).first() or Subscription(
            destination_id=dest.id,
            vendor_id=vendor.id if vendor else None,
            target=target,
            created_by=created_by,
        )
        sub.changes, sub.min_severity, sub.digest = changes, min_severity, digest
        session.add(sub)
        result.append(sub)
    session.flush()
    return result


def mute(session: Session, dest: Destination, vendors: Sequence[Vendor], *, created_by: str) -> None:
    """No alerts about ``vendors`` in ``dest``, even under its every-vendor subscription: each vendor's own
    subscription becomes a mute (keeping its other settings for ``unmute``), and their alerts still
    waiting to be sent there are cancelled."""
    assert dest.id is not None
    own = session.exec(
        select(Subscription).where(
            Subscription.destination_id == dest.id, col(Subscription.vendor_id).in_([v.id for v in vendors])
        )
    ).all()
    by_vendor = {sub.vendor_id: sub for sub in own}
    for vendor in vendors:
        sub = by_vendor.get(vendor.id) or Subscription(
            destination_id=dest.id, vendor_id=vendor.id, target=str(vendor.id), created_by=created_by
        )
        sub.changes = "none"  # min_severity and digest stay, for unmute
        session.add(sub)
    session.flush()
    waiting = (
        select(Alert)
        .join(Change, col(Alert.change_id) == col(Change.id))
        .join(Document, col(Change.document_id) == col(Document.id))
        .where(
            Alert.destination_id == dest.id,
            Alert.state == "pending",
            col(Document.vendor_id).in_([v.id for v in vendors]),
        )
    )
    for alert in session.exec(waiting).all():
        alert.state, alert.last_error = "cancelled", "the vendor was muted here"
        session.add(alert)


def unmute(session: Session, dest: Destination, vendors: Sequence[Vendor]) -> int:
    """Lift mutes; returns how many. The vendor then follows the every-vendor subscription when there is
    one, else its own subscription comes back for AI-training changes, with the settings it had."""
    every = session.exec(
        select(Subscription).where(Subscription.destination_id == dest.id, Subscription.target == ALL_VENDORS)
    ).first()
    muted = session.exec(
        select(Subscription).where(
            Subscription.destination_id == dest.id,
            Subscription.changes == "none",
            col(Subscription.vendor_id).in_([v.id for v in vendors]),
        )
    ).all()
    for sub in muted:
        if every is not None:
            session.delete(sub)
        else:
            sub.changes = "ai"
            session.add(sub)
    session.flush()
    return len(muted)


def wants(sub: Subscription, change: Change) -> bool:
    """Whether a subscription asks for this (substantive) change: AI-training changes of at least its
    ``min_severity``; other changes only with ``--all-changes``."""
    if sub.changes == "none":
        return False
    if change.ai_training_change:
        return _rank(change.severity) >= _rank(sub.min_severity)
    return sub.changes == "all"


def _rank(severity: str | None) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def unsubscribe(session: Session, dest: Destination, vendors: Sequence[Vendor]) -> int:
    """Remove ``dest``'s subscriptions to ``vendors`` (none: all of them); returns how many.

    Their pending alerts go to a remaining subscription that still wants them ("every vendor" after
    ``unsubscribe zoom``), and are cancelled otherwise.
    """
    query = select(Subscription).where(Subscription.destination_id == dest.id)
    if vendors:
        query = query.where(col(Subscription.vendor_id).in_([v.id for v in vendors]))
    subs = list(session.exec(query).all())
    for sub in subs:
        session.delete(sub)
    session.flush()
    removed = [s.id for s in subs]
    pending = select(Alert).where(col(Alert.subscription_id).in_(removed), col(Alert.state) == "pending")
    for alert in session.exec(pending).all():
        _reassign(session, alert)
    return len(subs)


def _reassign(session: Session, alert: Alert) -> None:
    """Hand an alert to the destination's remaining subscription for its vendor, or cancel it."""
    change = session.get(Change, alert.change_id)
    doc = session.get(Document, change.document_id) if change else None
    query = select(Subscription).where(
        Subscription.destination_id == alert.destination_id,
        or_(
            col(Subscription.vendor_id) == (doc.vendor_id if doc else None),
            col(Subscription.vendor_id).is_(None),
        ),
    )
    keeper = next((s for s in session.exec(query).all() if change and wants(s, change)), None)
    if keeper is None:
        alert.state, alert.last_error = "cancelled", "unsubscribed before delivery"
    else:
        alert.subscription_id = keeper.id
    session.add(alert)


def subscriptions_of(session: Session, dest: Destination) -> list[tuple[Subscription, Vendor | None]]:
    """A destination's subscriptions with their vendors (None for every vendor), all-vendors first."""
    rows = session.exec(
        select(Subscription, Vendor)
        .join(Vendor, col(Subscription.vendor_id) == col(Vendor.id), isouter=True)
        .where(Subscription.destination_id == dest.id)
        .order_by(col(Subscription.vendor_id).is_not(None), col(Vendor.slug))
    ).all()
    return [(sub, vendor) for sub, vendor in rows]


def describe(sub: Subscription, vendor: Vendor | None) -> str:
    """One line a person reads: "Zoom: AI-training changes of medium severity or more, daily digest"."""
    who = vendor.name if vendor else "every tracked vendor"
    if sub.changes == "none":
        return f"{who}: muted, no alerts (`unmute` lifts it)"
    what = "every substantive change" if sub.changes == "all" else "AI-training changes"
    if sub.min_severity != "low":
        what += f" of {sub.min_severity} severity or more"
    when = "at once" if sub.digest == "none" else f"{sub.digest} digest"
    return f"{who}: {what}, {when}"


def mark_dead(session: Session, destination_id: int, reason: str) -> None:
    """Stop delivering to a destination (bot removed, workspace uninstalled), saying why.

    Its pending alerts are kept, marked ``dead`` with the reason, so an admin can see what was missed.
    """
    dest = session.get(Destination, destination_id)
    if dest is None or dest.state == "dead":
        return
    dest.state, dest.dead_reason, dest.dead_at = "dead", reason, utcnow()
    dest.lease_until = dest.lease_owner = None
    session.add(dest)
    session.exec(
        update(Alert)
        .where(col(Alert.destination_id) == destination_id, col(Alert.state) == "pending")
        .values(state="dead", last_error=reason)
    )


def mark_workspace_dead(session: Session, platform: str, workspace: str, reason: str) -> int:
    """Stop delivering to every destination of a workspace (the app was uninstalled); returns how many."""
    query = select(Destination.id).where(
        Destination.platform == platform, Destination.workspace == workspace, Destination.state != "dead"
    )
    ids = [dest_id for dest_id in session.exec(query).all() if dest_id is not None]
    for dest_id in ids:
        mark_dead(session, dest_id, reason)
    return len(ids)
