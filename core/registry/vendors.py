"""Vendors as records: created on first use, renamed, merged.

A vendor is what people subscribe to and ask about, so renaming keeps its id (subscriptions follow), and
merging moves the other record's documents and subscriptions onto one vendor before removing it. Name
*resolution* (aliases, typos) is ``core.registry.names``; this module changes what is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core.alerts.subscriptions import SEVERITIES
from core.errors import ConflictError, UsageError
from core.registry.names import VendorName, resolve_vendor, slugify, spellings, vendor_names
from core.storage.models import Document, Subscription, Vendor


def get_or_create_vendor(session: Session, name: str) -> Vendor:
    """The vendor called ``name`` (``stored_vendor``), created on first use."""
    vendor = stored_vendor(session, name)
    if vendor is None:
        vendor = Vendor(name=name.strip(), slug=slugify(name))
        session.add(vendor)
        session.flush()
    return vendor


def stored_vendor(session: Session, name: str) -> Vendor | None:
    """The stored vendor a name given to ``track`` or an import means: matched by slug, else the one stored
    vendor that is the same company under another spelling (``same_company``); None if there is none."""
    slug = slugify(name)
    if not slug:
        raise UsageError("the vendor name is empty")
    return session.exec(select(Vendor).where(Vendor.slug == slug)).first() or same_company(session, name)


def same_company(session: Session, name: str) -> Vendor | None:
    """The stored vendor ``name`` names under another spelling, never by a guess: a name that differs only
    by company words ("Mistral" for "Mistral AI", "Acme" for "Acme Inc."). None when no vendor, or more
    than one, matches."""
    given = spellings(VendorName(0, name.strip()))
    found = [v for v in vendor_names(session) if spellings(v) & given]
    return session.get(Vendor, found[0].vendor_id) if len(found) == 1 else None


def stored_name(session: Session, names: Sequence[str]) -> str | None:
    """The name of the one stored vendor that is already known by one of ``names`` (a catalog entry's name
    and aliases), so tracking a catalog vendor adds to the vendor imported under its full name."""
    slugs = {slugify(name) for name in names}
    found = session.exec(select(Vendor).where(col(Vendor.slug).in_(slugs))).all()
    return found[0].name if len(found) == 1 else None


def named(session: Session, name: str) -> Vendor:
    """The stored vendor ``name`` resolves to (aliases, short names, close spellings), or an error."""
    vendor = session.get(Vendor, resolve_vendor(session, name))
    assert vendor is not None
    return vendor


def rename(session: Session, name: str, new_name: str) -> tuple[str, Vendor]:
    """Give the vendor ``name`` resolves to the name ``new_name``; returns its old name and the vendor.

    Its references change with it (``acme/terms-of-service`` becomes ``acme-inc/terms-of-service``); its id,
    and so every subscription to it, stays."""
    vendor = named(session, name)
    slug = slugify(new_name)
    if not slug:
        raise UsageError("the new vendor name is empty")
    taken = session.exec(select(Vendor).where(Vendor.slug == slug, Vendor.id != vendor.id)).first()
    if taken is not None:
        raise ConflictError(
            f"{taken.name!r} already exists; to make one vendor of the two: "
            f"clausewatch vendor merge {vendor.slug} {taken.slug}"
        )
    old = vendor.name
    vendor.name, vendor.slug = new_name.strip(), slug
    session.add(vendor)
    session.flush()
    return old, vendor


@dataclass(frozen=True)
class Merged:
    """What ``merge`` moved from the vendor it removed."""

    removed: str
    into: Vendor
    documents: int
    subscriptions: int


def merge(session: Session, name: str, into_name: str) -> Merged:
    """Move every document and subscription of vendor ``name`` onto ``into_name``, then remove ``name``.

    Refused when both have a document of one type: which history is the real one is for a person to say
    (``untrack --purge`` the wrong one first)."""
    source, target = named(session, name), named(session, into_name)
    if source.id == target.id:
        raise UsageError(f"{name!r} and {into_name!r} are the same vendor ({source.name})")
    docs = list(session.exec(select(Document).where(Document.vendor_id == source.id)).all())
    kept = set(session.exec(select(Document.slug).where(Document.vendor_id == target.id)).all())
    both = sorted(doc.slug for doc in docs if doc.slug in kept)
    if both:
        raise ConflictError(
            f"both vendors have {', '.join(both)}; purge the wrong one first "
            f"(clausewatch untrack {source.slug}/{both[0]} --purge)"
        )
    for doc in docs:
        doc.vendor_id = target.id or 0
        session.add(doc)
    subscriptions = _move_subscriptions(session, source, target)
    session.flush()
    session.delete(source)
    session.flush()
    return Merged(source.name, target, len(docs), subscriptions)


def _move_subscriptions(session: Session, source: Vendor, target: Vendor) -> int:
    """Point subscriptions to ``source`` at ``target``; where a place subscribed to both, its subscription
    to ``target`` takes the broader of the two (every change over AI-only, the lower severity), so the
    merge never silences what either asked for."""
    subs = list(session.exec(select(Subscription).where(Subscription.vendor_id == source.id)).all())
    existing = session.exec(select(Subscription).where(Subscription.vendor_id == target.id)).all()
    kept = {sub.destination_id: sub for sub in existing}
    for sub in subs:
        other = kept.get(sub.destination_id)
        if other is None:
            sub.vendor_id, sub.target = target.id, str(target.id)
            session.add(sub)
            continue
        other.changes = max(other.changes, sub.changes, key=_BREADTH.index)
        other.min_severity = min(other.min_severity, sub.min_severity, key=SEVERITIES.index)
        session.add(other)
        session.delete(sub)
    return len(subs)


_BREADTH = ("none", "ai", "all")
"""Subscriptions' ``changes``, narrowest first."""


def remove_if_unused(session: Session, vendor_id: int) -> bool:
    """Remove a vendor left with no documents and no subscriptions (after a purge); True if removed."""
    vendor = session.get(Vendor, vendor_id)
    has_documents = session.exec(select(Document.id).where(Document.vendor_id == vendor_id)).first()
    subscribed = session.exec(select(Subscription.id).where(Subscription.vendor_id == vendor_id)).first()
    if vendor is None or has_documents is not None or subscribed is not None:
        return False
    session.delete(vendor)
    session.flush()
    return True
