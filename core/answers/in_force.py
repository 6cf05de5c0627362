"""The stored versions a question is answered from: the vendors it names, and their documents in force.

A question is answered from what each named vendor's documents said on one day (today, or the day asked);
``InForce`` carries just what answers name and cite, read in one query of plain columns so the register
across every vendor stays fast.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.answers.questions import VendorName, closest, find_vendors, vendor_hint
from core.answers.result import Citation
from core.errors import AmbiguousError, NotFoundError
from core.registry.documents import slugify
from core.storage.models import Document, Vendor, Version


@dataclass(frozen=True)
class InForce:
    """One document's version in force on the day asked: what answers name and cite."""

    vendor_id: int
    vendor: str
    document: str
    version_date: date
    content_hash: str
    url: str | None

    @property
    def name(self) -> str:
        """How answers name it: "Zoom's Terms of Service (version of 2023-08-07)"."""
        return f"{self.vendor}'s {self.document} (version of {self.version_date})"

    def citation(
        self, quote: str, section: str | None, clause_id: str | None, context: str | None = None
    ) -> Citation:
        """A citation of a quote from this version."""
        return Citation(
            vendor=self.vendor,
            document=self.document,
            version_date=self.version_date,
            section=section,
            quote=quote,
            url=self.url,
            clause_id=clause_id,
            context=context,
        )


def vendor_names(session: Session) -> list[VendorName]:
    """Every vendor with the names a question may use for it."""
    vendors = session.exec(select(Vendor).order_by(Vendor.slug)).all()
    return [VendorName(v.id or 0, v.name, (v.slug.replace("-", " "),)) for v in vendors]


def resolve_vendor(session: Session, name: str) -> int:
    """The vendor ``--vendor`` names; a close spelling is accepted when it is unambiguous."""
    names = vendor_names(session)
    wanted = slugify(name)
    exact = [v.vendor_id for v in names if slugify(v.name) == wanted or wanted in map(slugify, v.aliases)]
    typed = {name.strip().lower(), slugify(name).replace("-", " ")}  # a typed name: short ones count too
    starting = [v.vendor_id for v in names if slugify(v.name).startswith(wanted + "-")]  # "acme": Acme Mail
    found = (
        exact or find_vendors(name, names) or starting or closest(typed, names, threshold=0.7, min_length=1)
    )
    if len(found) > 1:
        candidates = " or ".join(v.name for v in names if v.vendor_id in found)
        raise AmbiguousError(f"{name!r} could be {candidates}; name one of them")
    if not found:
        raise NotFoundError(f"no tracked vendor called {name!r}{vendor_hint(name, names)}")
    return found[0]


def in_force(
    session: Session, vendor_ids: Sequence[int], doc_types: Sequence[str], day: date
) -> list[InForce]:
    """The versions in force on ``day`` of the vendors' documents (of the named types, when any is named).

    One query of plain columns: the register reads every tracked document at once.
    """
    query = (
        sa_select(
            col(Vendor.id),
            col(Vendor.name),
            col(Document.id),
            col(Document.doc_type),
            col(Document.url),
            col(Version.effective_date),
            col(Version.content_hash),
            col(Version.url),
        )
        .select_from(Vendor)
        .join(Document, col(Document.vendor_id) == col(Vendor.id))
        .join(Version, col(Version.document_id) == col(Document.id))
        .where(col(Version.effective_date) <= day)
        .order_by(Vendor.slug, Document.slug, col(Version.effective_date).desc(), col(Version.id).desc())
    )
    if vendor_ids:
        query = query.where(col(Vendor.id).in_(list(vendor_ids)))
    found: dict[int, InForce] = {}
    for vendor_id, vendor, doc_id, doc_type, doc_url, day_of, content_hash, url in session.execute(query):
        if doc_id not in found:
            found[doc_id] = InForce(
                vendor_id or 0, vendor, doc_type, day_of, content_hash, url or doc_url or None
            )
    versions = list(found.values())
    if doc_types and any(item.document in doc_types for item in versions):
        versions = [item for item in versions if item.document in doc_types]
    return versions


def vendors_without_versions(session: Session, answered: Collection[int]) -> list[str]:
    """Tracked vendors other than ``answered`` (those with a version in force): a register lists them too."""
    query = (
        sa_select(col(Vendor.id), col(Vendor.name))
        .join(Document, col(Document.vendor_id) == col(Vendor.id))
        .where(col(Document.active))
        .distinct()
        .order_by(col(Vendor.name))
    )
    return [name for vendor_id, name in session.execute(query) if vendor_id not in answered]
