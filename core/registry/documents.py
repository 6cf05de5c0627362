"""The registry of tracked documents: track, move, untrack, purge, list, and resolve a user's reference.

Users name documents the way they think of them ("zoom", "zoom/privacy-policy", "Zoom Privacy Policy",
a URL or an id), so resolution is forgiving but never guesses between two candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlmodel import Session, col, select

from core.errors import AmbiguousError, ClausewatchError, ConflictError, NotFoundError, UsageError
from core.registry.names import resolve_vendor, slugify
from core.registry.pages import canonical_doc_type, check_url
from core.registry.vendors import get_or_create_vendor, remove_if_unused, stored_vendor
from core.storage import blobs
from core.storage.models import Alert, Change, Document, Review, Vendor, Version


@dataclass(frozen=True)
class Tracked:
    """A document with its vendor and latest version, as ``list`` shows it."""

    document: Document
    vendor: Vendor
    latest: Version | None

    @property
    def ref(self) -> str:
        """The reference commands accept: ``vendor/type``."""
        return f"{self.vendor.slug}/{self.document.slug}"


def track(
    session: Session,
    url: str,
    vendor_name: str,
    doc_type: str,
    *,
    select_css: list[str] | None = None,
    remove_css: list[str] | None = None,
    interval_hours: float = 24.0,
    browser: bool | None = None,
) -> Document:
    """Start (or resume) tracking ``vendor_name``'s ``doc_type`` at ``url``; history is kept on re-track.

    Never re-points silently: the vendor's document of that type tracked at another URL is a
    ``ConflictError`` naming both (``move`` does it on purpose), and so is the URL tracked as another
    document, since two records of one page would judge each other's history. Selectors left None keep
    what the document had (re-tracking never drops a recipe silently). ``browser`` true renders the
    page in headless Chromium (text put in by JavaScript), false fetches it over HTTP; None keeps what the
    document had (HTTP for a new one), so re-tracking does not undo it."""
    url = check_url(url)
    doc_type = canonical_doc_type(doc_type)
    _check_recipe([*(select_css or []), *(remove_css or [])], interval_hours)
    vendor = get_or_create_vendor(session, vendor_name)
    doc = _document_of(session, vendor, doc_type)
    _refuse_tracked_elsewhere(session, url, doc)
    if doc is not None and doc.url and not same_url(doc.url, url):
        ref = f"{vendor.slug}/{doc.slug}"
        raise ConflictError(
            f"{ref} is tracked at {doc.url}, not {url}; to re-point it on purpose: "
            f"clausewatch track {url} --vendor {vendor.name!r} --type {doc.slug} --move"
        )
    found = doc or _new_document(vendor, doc_type, url)
    select = list(found.select) if select_css is None else list(select_css)
    remove = list(found.remove) if remove_css is None else list(remove_css)
    return _set_recipe(session, found, url, select, remove, interval_hours, browser)


def move(session: Session, ref: str, url: str) -> tuple[Tracked, str]:
    """Re-point the document ``ref`` names to ``url`` on purpose; returns it and its old URL.

    The next version is compared with nothing (``fresh_start``): the new page's text is no change of the
    old page's, so it is never judged as one or alerted on."""
    url = check_url(url)
    tracked = resolve(session, ref)
    doc, old_url = tracked.document, tracked.document.url
    _refuse_tracked_elsewhere(session, url, doc)
    if not same_url(old_url, url):
        doc.fresh_start = latest_version(session, doc.id or 0) is not None
    _set_recipe(session, doc, url, list(doc.select), list(doc.remove), doc.check_interval_hours)
    return tracked, old_url


def find(session: Session, vendor_name: str, doc_type: str) -> Tracked | None:
    """The document ``track`` would update for this vendor name and type, if any (the vendor matched as
    ``track`` matches it, so ``--move`` re-points the document ``track`` would refuse to)."""
    vendor = stored_vendor(session, vendor_name)
    doc = _document_of(session, vendor, canonical_doc_type(doc_type)) if vendor else None
    if vendor is None or doc is None:
        return None
    return Tracked(doc, vendor, latest_version(session, doc.id or 0))


def same_url(a: str, b: str) -> bool:
    """Whether two URLs are the same page for tracking: ``page_key`` of both is equal."""
    return page_key(a) == page_key(b)


_TRACKING_PREFIXES = ("utm_", "mc_")
_TRACKING_PARAMETERS = frozenset({"gclid", "fbclid", "msclkid", "ref"})


def page_key(url: str) -> str:
    """What makes a URL a page, for refusing one page tracked twice: host and path, and the query without
    tracking parameters. The scheme (http/https), a default port, case in the host, a fragment, repeated or
    trailing slashes make no other page."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PREFIXES) and key.lower() not in _TRACKING_PARAMETERS
    )
    return f"{host}{port}{path}" + (f"?{urlencode(query)}" if query else "")


def _check_recipe(selectors: list[str], interval_hours: float) -> None:
    """Refuse a recipe that could never work now, not at its first check."""
    from core.pipeline.extract import check_selectors

    if interval_hours <= 0:
        raise UsageError("the check interval must be positive")
    try:
        check_selectors(selectors)
    except ClausewatchError as exc:
        raise UsageError(str(exc)) from None


def _document_of(session: Session, vendor: Vendor, doc_type: str) -> Document | None:
    query = select(Document).where(Document.vendor_id == vendor.id, Document.slug == slugify(doc_type))
    return session.exec(query).first()


def _new_document(vendor: Vendor, doc_type: str, url: str) -> Document:
    assert vendor.id is not None
    return Document(vendor_id=vendor.id, doc_type=doc_type, slug=slugify(doc_type), url=url)


def _refuse_tracked_elsewhere(session: Session, url: str, doc: Document | None) -> None:
    """A page is one document: the same URL under another vendor or type is refused with its id."""
    for other, vendor in _documents(session, include_inactive=True):
        if same_url(other.url, url) and (doc is None or other.id != doc.id):
            raise ConflictError(
                f"{url} is already tracked as {vendor.slug}/{other.slug} (id {other.id}); "
                f"use that document, or `clausewatch vendor rename` / `vendor merge` if the name is wrong"
            )


def _set_recipe(
    session: Session,
    doc: Document,
    url: str,
    select_css: list[str],
    remove_css: list[str],
    interval: float,
    browser: bool | None = None,
) -> Document:
    fetch_with = doc.fetch_with if browser is None else ("browser" if browser else "http")
    if (doc.url, doc.select, doc.remove, doc.fetch_with) != (url, select_css, remove_css, fetch_with):
        doc.etag = doc.last_modified = doc.body_hash = None  # a new recipe must re-read the page
    doc.url, doc.active, doc.check_interval_hours, doc.fetch_with = url, True, interval, fetch_with
    doc.select, doc.remove = select_css, remove_css
    doc.next_check_at = None
    session.add(doc)
    session.flush()
    return doc


def untrack(session: Session, ref: str) -> Tracked:
    """Stop checking a document; its versions and changes stay for history and questions."""
    tracked = resolve(session, ref)
    tracked.document.active = False
    session.add(tracked.document)
    return tracked


@dataclass(frozen=True)
class Purged:
    """What ``purge`` deleted."""

    ref: str
    versions: int
    changes: int
    texts: int
    vendor_removed: bool


def purge(session: Session, ref: str) -> Purged:
    """Delete a document with every version, change and pending alert of it, the texts no other document
    stores, and its vendor if nothing else uses it. For a page tracked by mistake; ``untrack`` keeps
    history."""
    tracked = resolve(session, ref)
    doc_id = tracked.document.id or 0
    versions = list(session.exec(select(Version).where(Version.document_id == doc_id)).all())
    changes = list(session.exec(select(Change).where(Change.document_id == doc_id)).all())
    change_ids = [change.id for change in changes]
    for model in (Alert, Review):
        for row in session.exec(select(model).where(col(model.change_id).in_(change_ids))).all():
            session.delete(row)
    session.flush()
    for rows in (changes, versions):
        for row in rows:
            session.delete(row)
        session.flush()
    session.delete(tracked.document)
    session.flush()
    texts = blobs.sweep(session, {version.content_hash for version in versions})
    removed = remove_if_unused(session, tracked.vendor.id or 0)
    return Purged(tracked.ref, len(versions), len(changes), texts, removed)


def latest_version(session: Session, document_id: int) -> Version | None:
    """The newest version of a document, by effective date then insertion order."""
    query = (
        select(Version)
        .where(Version.document_id == document_id)
        .order_by(col(Version.effective_date).desc(), col(Version.id).desc())
    )
    return session.exec(query).first()


def _documents(session: Session, *, include_inactive: bool) -> list[tuple[Document, Vendor]]:
    query = select(Document, Vendor).join(Vendor, col(Document.vendor_id) == col(Vendor.id))
    if not include_inactive:
        query = query.where(Document.active == True)  # noqa: E712 (SQL expression)
    return [(doc, vendor) for doc, vendor in session.exec(query.order_by(Vendor.slug, Document.slug)).all()]


def list_tracked(session: Session, *, include_inactive: bool = False) -> list[Tracked]:
    """Every (active) document with its vendor and latest version, sorted by vendor then type."""
    rows = _documents(session, include_inactive=include_inactive)
    return [Tracked(doc, vendor, latest_version(session, doc.id or 0)) for doc, vendor in rows]


def resolve(session: Session, ref: str) -> Tracked:
    """Find the one document ``ref`` names: an id, a URL, or ``vendor/type`` or a vendor with one document,
    the vendor named as everywhere else (aliases, short names, a close spelling: ``names.resolve_vendor``).
    """
    ref = ref.strip()
    if ref.isdigit() or "://" in ref:
        candidates = [row for row in _documents(session, include_inactive=True) if _matches(*row, ref)]
    else:
        vendor_part, _, type_part = ref.partition("/")
        vendor_id = resolve_vendor(session, vendor_part)
        candidates = [
            row
            for row in _documents(session, include_inactive=True)
            if row[1].id == vendor_id and (not type_part or _is_type(row[0], type_part))
        ]
    found = [row for row in candidates if row[0].active] or candidates
    if len(found) == 1:
        doc, vendor = found[0]
        return Tracked(doc, vendor, latest_version(session, doc.id or 0))
    if not found:
        raise NotFoundError(f"no tracked document matches {ref!r}; `clausewatch list` shows what is tracked")
    names = ", ".join(f"{vendor.slug}/{doc.slug}" for doc, vendor in found)
    raise AmbiguousError(f"{ref!r} matches several documents: {names}; name one as vendor/type")


def _matches(doc: Document, vendor: Vendor, ref: str) -> bool:
    """Whether ``ref`` names this document by id or URL."""
    if ref.isdigit():
        return doc.id == int(ref)
    return same_url(doc.url, ref)


def _is_type(doc: Document, typed: str) -> bool:
    """Whether ``typed`` names the document's type ("tos", "terms-of-service", "Terms of Service")."""
    return doc.slug in (slugify(typed), slugify(canonical_doc_type(typed)))
