"""Rules version stamps: every verdict and profile says which rules made it, and ``rejudge`` brings stale
ones up to date without alerting anyone again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bots.console.vendor_site import VendorSite
from core import reading
from core.config import Settings
from core.reading import rejudging
from core.reading.changes import change_view, view_between
from core.storage.database import session_scope
from core.storage.models import Alert, Change, Profile
from tests.standins.chat_api import RecordingAPI
from tests.test_alerts import AI_EXPANDS, _change, _deliver, _subscribe, _tracked, chat_api  # noqa: F401
from tests.test_cli import Cli


def _the_change(engine: Engine) -> Change:
    with Session(engine) as session:
        [change] = session.exec(select(Change)).all()
        return change


def _as_if_made_by_older_rules(engine: Engine, change_id: int) -> None:
    """What a database looks like after an upgrade that raised READER_VERSION: a verdict the old rules got
    wrong, and profiles stamped with the old version."""
    with session_scope(engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        change.direction, change.summary, change.reader_version = "restricts", "old rules", None
        for profile in session.exec(select(Profile)).all():
            profile.reader_version = reading.READER_VERSION - 1
            session.add(profile)
        session.add(change)


async def test_rejudge_recomputes_stale_verdicts_and_profiles_without_alerting(
    engine: Engine,
    settings: Settings,
    vendor_site: VendorSite,
    chat_api: RecordingAPI,  # noqa: F811
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "C1")
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    await _deliver(engine, settings)
    change = _the_change(engine)
    assert change.reader_version == reading.READER_VERSION and change.direction == "expands"
    with Session(engine) as session:
        assert not rejudging.stale(session)
    _as_if_made_by_older_rules(engine, change.id or 0)
    with Session(engine) as session:
        assert rejudging.stale(session) == rejudging.Stale(changes=1, profiles=2)
        todo = rejudging.changes_to_rejudge(session, [doc_id], force=False)

    [result] = rejudging.rejudge(engine, todo)

    assert result.moved and "restricts" in result.before and "expands" in result.after
    rejudged = _the_change(engine)
    assert rejudged.direction == "expands" and rejudged.reader_version == reading.READER_VERSION
    with Session(engine) as session:
        assert not rejudging.stale(session)
        assert rejudging.changes_to_rejudge(session, None, force=False) == []
        assert rejudging.changes_to_rejudge(session, None, force=True) == [change.id]
        assert len(session.exec(select(Alert)).all()) == 1  # the one alert of the original check
    await _deliver(engine, settings)
    assert len(chat_api.messages("C1")) == 1


async def test_cli_chat_alerts_and_diff_page_read_one_verdict(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    """A stored verdict is what every edge shows, even when today's rules would judge otherwise."""
    doc_id = await _tracked(engine, settings, vendor_site)
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    change = _the_change(engine)
    _as_if_made_by_older_rules(engine, change.id or 0)
    with Session(engine) as session:
        stored = change_view(session, change.id or 0)
        old, new = stored.old, stored.new
        between = view_between(session, old, new)
    assert stored.change.direction == between.change.direction == "restricts"
    assert between.change.id == change.id


async def test_db_upgrade_counts_stale_verdicts_and_rejudge_fixes_them(
    tmp_path: Path, vendor_site: VendorSite
) -> None:
    cli = Cli(tmp_path)
    vendor_site.publish("/terms", "# Terms\n\nWe do not use Customer Content to train AI models.\n")
    await cli("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos")
    vendor_site.publish("/terms", "# Terms\n\nWe may use Customer Content to train AI models.\n")
    await cli("check", "--all")
    out, _ = await cli("db", "upgrade")
    assert "older rules" not in out
    url = cli.env["CLAUSEWATCH_DATABASE_URL"]
    from core.storage.database import open_engine

    engine = open_engine(url)
    with session_scope(engine) as session:
        session.exec(select(Change)).one().reader_version = None
    engine.dispose()

    out, _ = await cli("db", "upgrade")
    assert "1 change verdicts and 0 profiles were made by older rules" in out
    _, err = await cli("rejudge", ok=False)
    assert "name the documents to rejudge, or use --all" in err
    out, _ = await cli("rejudge", "--all", "--json")
    assert out.startswith("{") and '"rejudged": 1' in out and '"moved": []' in out
    out, _ = await cli("rejudge", "acme")
    assert "rejudged 0 changes" in out
    engine = open_engine(url)
    with Session(engine) as session:
        assert session.exec(select(col(Change.reader_version))).one() == reading.READER_VERSION
    engine.dispose()
