"""A version's reading stored with it is exactly what reading the text again gives, and a change judged
from it is the change judged from the texts."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bots.console.vendor_site import VendorSite
from core.config import Settings
from core.pipeline.check import check_documents
from core.reading import READER_VERSION, stored
from core.reading.changes import details_of
from core.reading.judgment import judge, judge_clauses
from core.reading.statements import statements
from core.registry import documents
from core.storage import database
from core.storage.models import Change, Reading
from core.text.clauses import segment


def test_a_stored_reading_is_the_reading_of_the_text(corpus: Path) -> None:
    texts = sorted(corpus.glob("**/*.md"))
    assert len(texts) > 150
    for path in texts:
        clauses = segment(path.read_text(encoding="utf-8"))
        again = stored.decode(stored.encode(stored.read(clauses)))
        assert again[0] == clauses and stored.flat(again) == statements(clauses), path


def test_a_change_judged_from_the_stored_reading_is_the_change_judged_from_the_texts(corpus: Path) -> None:
    folder = corpus / "zoom" / "terms-of-service"
    versions = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
    for old, new in pairwise(versions):
        blob = stored.encode(stored.read(segment(old)))
        before = stored.decode(blob)
        carried = stored.read(segment(new), before)  # unchanged clauses keep their stored statements
        assert stored.flat(carried) == statements(segment(new))
        from_reading = judge_clauses(
            before[0], carried[0], old_statements=stored.flat(before), new_statements=stored.flat(carried)
        )
        assert details_of(from_reading) == details_of(judge(old, new))
        assert len(blob) < len(old.encode()) / 2


async def test_the_check_stores_each_new_versions_reading_and_judges_the_next_change_from_it(
    engine: Engine, settings: Settings, vendor_site: VendorSite, corpus: Path
) -> None:
    folder = corpus / "zoom" / "terms-of-service"
    versions = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))][-3:]
    vendor_site.publish("/terms", versions[0])
    with database.session_scope(engine) as session:
        doc_id = documents.track(session, vendor_site.url("/terms"), "Zoom", "tos").id or 0
    await check_documents(engine, settings, [doc_id])
    for text in versions[1:]:
        vendor_site.publish("/terms", text)
        [report] = await check_documents(engine, settings, [doc_id])
        assert report.status == "changed"
    with Session(engine) as session:
        readings = session.exec(select(Reading)).all()
        assert len(readings) == 3 and {r.reader_version for r in readings} == {READER_VERSION}
        changes = session.exec(select(Change).order_by(Change.id)).all()
    directions = [c.direction for c in changes]
    assert directions == ["restricts", "restricts"]  # the Zoom August 2023 rewrites, as judged from texts
