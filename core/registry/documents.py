"""The registry of tracked vendors and documents: track, untrack, list, and resolve a user's reference.

Users name documents the way they think of them ("zoom", "zoom/privacy-policy", "Zoom Privacy Policy",
a URL or an id), so resolution is forgiving but never guesses between two candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from core.errors import AmbiguousError, FetchError, NotFoundError, UsageError
from core.registry.names import resolve_vendor, slugify
from core.storage.models import Document, Vendor, Version

# Canonical document types, and the short names people type for them.
DOC_TYPES: dict[str, tuple[str, ...]] = {
    "Terms of Service": ("tos", "terms", "terms of use", "terms and conditions", "terms-of-service"),
    "Privacy Policy": ("privacy", "privacy notice", "privacy statement", "privacy-policy"),
    "AI Terms": ("ai", "ai terms", "ai policy", "ai-terms", "generative ai terms"),
    "Data Processing Addendum": ("dpa", "data processing agreement", "data-processing-addendum"),
    "Acceptable Use Policy": ("aup", "acceptable use", "acceptable-use-policy"),
    "Cookie Policy": ("cookies", "cookie policy", "cookie-policy"),
    "Developer Terms": ("developer terms", "api terms", "developer-terms"),
}


def canonical_doc_type(text: str) -> str:
    """Map what a user typed to a canonical type; other types are kept, title-cased."""
    wanted = text.strip().lower()
    if not wanted:
        raise UsageError("the document type is empty; e.g. --type 'Terms of Service'")
    for name, aliases in DOC_TYPES.items():
        if wanted == name.lower() or wanted in aliases:
            return name
    return " ".join(word[:1].upper() + word[1:] for word in text.split())


def check_url(url: str) -> str:
    """Accept only absolute http(s) URLs with a valid host; addresses are checked again at fetch time."""
    from core.pipeline.fetch import check_url as fetchable  # the HTTP client is imported only when needed

    try:
        return fetchable(url)
    except FetchError:
        raise UsageError(f"not an http(s) URL: {url!r}") from None


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


def get_or_create_vendor(session: Session, name: str) -> Vendor:
    """The vendor called ``name`` (matched by slug), created on first use."""
    slug = slugify(name)
    if not slug:
        raise UsageError("the vendor name is empty")
    vendor = session.exec(select(Vendor).where(Vendor.slug == slug)).first()
    if vendor is None:
        vendor = Vendor(name=name.strip(), slug=slug)
        session.add(vendor)
        session.flush()
    return vendor


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

    ``browser`` true renders the page in headless Chromium (text put in by JavaScript), false fetches it
    over HTTP; None keeps what the document had (HTTP for a new one), so re-tracking does not undo it.
    """
    url = check_url(url)
    doc_type = canonical_doc_type(doc_type)
    if interval_hours <= 0:
        raise UsageError("the check interval must be positive")
    vendor = get_or_create_vendor(session, vendor_name)
    slug = slugify(doc_type)
    doc = session.exec(select(Document).where(Document.vendor_id == vendor.id, Document.slug == slug)).first()
    if doc is None:
        assert vendor.id is not None
        doc = Document(vendor_id=vendor.id, doc_type=doc_type, slug=slug, url=url)
    select_css, remove_css = list(select_css or []), list(remove_css or [])
    fetch_with = doc.fetch_with if browser is None else ("browser" if browser else "http")
    if (doc.url, doc.select, doc.remove, doc.fetch_with) != (url, select_css, remove_css, fetch_with):
        doc.etag = doc.last_modified = None  # a new recipe must re-read the page, not get a 304
    doc.url, doc.active, doc.check_interval_hours, doc.fetch_with = url, True, interval_hours, fetch_with
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
    return doc.url.rstrip("/") == ref.rstrip("/")


def _is_type(doc: Document, typed: str) -> bool:
    """Whether ``typed`` names the document's type ("tos", "terms-of-service", "Terms of Service")."""
    return doc.slug in (slugify(typed), slugify(canonical_doc_type(typed)))
