"""Claiming due checks: each document to exactly one worker, and next checks spread by jitter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from bots.console.vendor_site import VendorSite
from core.config import Settings
from core.pipeline.scheduler import check_due, claim_due
from core.registry import documents
from core.storage.database import session_scope
from core.storage.models import Document, utcnow


def _track(engine: Engine, site: VendorSite, count: int) -> list[int]:
    with session_scope(engine) as session:
        ids = []
        for i in range(count):
            site.publish(f"/d{i}", f"# Terms\n\n1. Document {i} governs your use of the service.\n")
            ids.append(documents.track(session, site.url(f"/d{i}"), f"Vendor {i}", "tos").id or 0)
        return ids


def test_claims_never_overlap_and_push_the_claimed_documents_a_lease_ahead(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    ids = _track(engine, vendor_site, 7)
    settings = settings.model_copy(update={"check_batch": 3})
    first, second, third = (claim_due(engine, settings) for _ in range(3))
    assert len(first) == 3 and len(second) == 3 and len(third) == 1
    assert sorted(first + second + third) == sorted(ids)
    assert claim_due(engine, settings) == []
    with Session(engine) as session:
        due = session.exec(select(Document.next_check_at)).all()
    assert all(
        d is not None and d > utcnow() + timedelta(seconds=settings.check_lease_seconds - 60) for d in due
    )


async def test_checked_documents_spread_over_their_interval(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    _track(engine, vendor_site, 20)
    settings = settings.model_copy(update={"check_jitter": 0.1})
    reports = await check_due(engine, settings)
    assert sorted(r.status for r in reports) == ["first"] * 20
    with Session(engine) as session:
        hours = [
            (doc.next_check_at - doc.last_checked_at).total_seconds() / 3600
            for doc in session.exec(select(Document)).all()
            if doc.next_check_at and doc.last_checked_at
        ]
    assert all(24 * 0.9 <= h <= 24 * 1.1 for h in hours)
    assert max(hours) - min(hours) > 0.5, "not all at the same moment"
    assert await check_due(engine, settings) == []  # nothing is due any more


async def test_a_lapsed_lease_makes_the_document_due_again(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    [doc_id] = _track(engine, vendor_site, 1)
    assert claim_due(engine, settings) == [doc_id]  # ...and the worker dies before checking it
    with session_scope(engine) as session:
        session.exec(update(Document).where(col(Document.id) == doc_id).values(next_check_at=utcnow()))
    assert [r.document_id for r in await check_due(engine, settings)] == [doc_id]
