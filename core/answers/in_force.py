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
from sqlmodel import Session, col

from core.answers.result import Citation
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
