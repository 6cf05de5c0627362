"""Importing dated history, alone and before versions that were fetched later."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.pipeline.history_import import import_history
from core.pipeline.versions import Observation, record, versions_of
from core.registry import documents
from core.storage import database
from core.storage.models import Change, Version


def test_import_zoom_history(engine: Engine, corpus: Path) -> None:
    report = import_history(
        engine, corpus / "zoom/terms-of-service", vendor="Zoom", doc_type="Terms of Service"
    )
    assert (report.imported, report.skipped) == (5, [])
    with Session(engine) as session:
        versions = versions_of(session, 1)
        assert versions[0].effective_date == date(2023, 2, 1)
        assert all(v.source == "imported" for v in versions)
        assert len(session.exec(select(Change)).all()) == 4


def test_import_adds_only_older_history_and_links_it(engine: Engine, tmp_path: Path) -> None:
    with database.session_scope(engine) as session:
        doc = documents.track(session, "https://example.com/privacy", "Example", "privacy")
        obs = Observation("# Privacy\n\nWe keep logs for 30 days. Contact privacy@example.com.")
        record(session, doc, obs, flap_window=timedelta(hours=1))
    (tmp_path / "2020-01-01.md").write_text(
        "# Privacy\n\nWe keep logs for 7 days. Contact privacy@example.com."
    )
    (tmp_path / "2020-01-01-copy.md").write_text(
        "# Privacy\n\nWe keep logs for 7 days. Contact privacy@example.com."
    )
    (tmp_path / "2999-01-01.md").write_text("# Privacy\n\nFrom the future.")
    stored = "# Privacy\n\nWe keep logs for 30 days. Contact privacy@example.com."
    (tmp_path / "2021-01-01.md").write_text(stored)
    (tmp_path / "notes.txt").write_text("ignored: no date")
    report = import_history(engine, tmp_path, vendor="Example", doc_type="Privacy Policy")
    assert report.imported == 1 and report.unchanged == 2  # a copy, and the text already stored
    assert report.skipped == [] and report.already == 1  # not older than what is stored
    with Session(engine) as session:
        versions = session.exec(select(Version).order_by(Version.effective_date)).all()
        assert [v.source for v in versions] == ["imported", "fetched"]
        [change] = session.exec(select(Change)).all()
        assert (change.from_version_id, change.to_version_id) == (versions[0].id, versions[1].id)
