"""Storage on both backends: migrations, content-addressed compressed blobs, version ordering."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core.pipeline.versions import Observation, record_imported, version_at, versions_of
from core.registry import documents
from core.storage import blobs, database
from core.storage.models import Blob, Vendor, Version
from core.text.normalise import content_hash


def test_migrations_are_current_and_idempotent(engine: Engine) -> None:
    assert database.current_revision(engine) == database.head_revision()
    database.upgrade(engine)
    assert database.current_revision(engine) == database.head_revision()


def test_the_known_head_is_the_newest_migration_script() -> None:
    """``HEAD_REVISION`` spares every start-up an Alembic import; it must move with each new migration."""
    assert database.head_revision() == database.script_head_revision()


def test_an_empty_database_has_no_revision(tmp_path: Path) -> None:
    assert database.current_revision(database.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")) is None


def test_identical_texts_are_stored_once(engine: Engine) -> None:
    with database.session_scope(engine) as session:
        text = "# Terms\n\nYou agree to these terms."
        digest = content_hash(text)
        blobs.put_text(session, digest, text)
        blobs.put_text(session, digest, text)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Blob)).one() == 1
        assert blobs.get_text(session, digest) == text


def test_near_versions_are_stored_as_small_deltas(engine: Engine, corpus: Path) -> None:
    """500 versions of a 95 KB document must cost far less than 500 x 95 KB."""
    base = (corpus / "zoom/terms-of-service/2023-04-01.md").read_text(encoding="utf-8")
    with database.session_scope(engine) as session:
        previous = None
        for n in range(60):
            text = base.replace("Zoom Video Communications", f"Zoom Video Communications (rev {n})", 1)
            digest = content_hash(text)
            blobs.put_text(session, digest, text, near=previous)
            previous = digest
    with Session(engine) as session:
        stored = session.exec(select(func.sum(func.length(Blob.data)))).one()
        raw = session.exec(select(func.sum(Blob.size))).one()
        assert blobs.get_text(session, previous or "").count("(rev 59)") == 1
    assert raw > 60 * 90_000
    assert stored < raw / 100, f"{stored:,} bytes stored for {raw:,} bytes of text"


def test_versions_are_ordered_by_date_and_found_by_date(engine: Engine) -> None:
    with database.session_scope(engine) as session:
        doc = documents.track(session, "https://example.com/terms", "Example", "terms")
        previous = None
        for day, text in [(date(2023, 1, 1), "one"), (date(2023, 6, 1), "two"), (date(2024, 1, 1), "three")]:
            body = f"# Terms\n\nThis is version {text} of our terms of service."
            outcome = record_imported(
                session, doc, Observation(body, source="imported", effective_date=day), previous
            )
            previous = outcome.version
    with Session(engine) as session:
        versions = versions_of(session, doc.id or 0)
        assert [v.effective_date.year for v in versions] == [2023, 2023, 2024]
        in_force = version_at(session, doc.id or 0, date(2023, 12, 31))
        assert in_force is not None and in_force.effective_date == date(2023, 6, 1)
        assert version_at(session, doc.id or 0, date(2022, 1, 1)) is None
        assert session.exec(select(func.count()).select_from(Version)).one() == 3


def test_a_reading_transaction_does_not_block_a_writer(engine: Engine) -> None:
    """Questions read in a deferred transaction on SQLite, so a check cycle can record meanwhile."""
    with database.read_scope(engine) as reader:
        reader.exec(select(Vendor)).all()
        with database.session_scope(engine) as writer:
            writer.add(Vendor(name="Acme", slug="acme"))
    with Session(engine) as session:
        assert session.exec(select(Vendor)).one().slug == "acme"
