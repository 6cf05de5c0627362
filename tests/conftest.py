"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, the shared corpus, a vendor site.

Storage tests take the ``engine`` fixture and so run on both backends. PostgreSQL is at
``CLAUSEWATCH_TEST_POSTGRES_URL`` (default: the local server, database ``test``); each test gets its own
schema. Locally an unreachable server skips those tests; under ``CI=true`` it fails them instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy
from aiohttp import web
from sqlalchemy.engine import Engine

from bots.console.vendor_site import VendorSite
from core.config import Settings
from core.pipeline.check import CheckReport, check_documents
from core.registry import documents
from core.storage import database
from core.storage.database import session_scope
from tests.cli_runner import Cli

POSTGRES_URL = os.environ.get("CLAUSEWATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CORPUS = Path(os.environ.get("CLAUSEWATCH_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))


def _postgres_admin() -> Engine:
    engine = database.make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("select 1"))
    except sqlalchemy.exc.OperationalError as exc:
        message = f"PostgreSQL unreachable at {POSTGRES_URL}: {str(exc.orig).strip()[:200]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(message)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        database.upgrade(database.make_engine(url))
        yield url
        return
    admin = _postgres_admin()
    schema = f"cw_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f"create schema {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    database.upgrade(database.make_engine(url))
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f"drop schema {schema} cascade"))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the fresh database."""
    engine = database.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for the fresh database, with loopback fetching allowed and quick fetch limits."""
    return Settings(
        database_url=database_url,
        allow_private_urls=True,
        fetch_timeout=5,
        fetch_retries=0,
        fetch_host_interval=0,
    )


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real terms (../shared/corpus)."""
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing at {CORPUS}; set CLAUSEWATCH_CORPUS")
    return CORPUS


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The ``clausewatch`` command with its own SQLite database, allowed to fetch the local test sites."""
    return Cli(tmp_path)


@pytest.fixture
async def vendor_site() -> AsyncIterator[VendorSite]:
    """A running local vendor site."""
    site = await VendorSite().start()
    yield site
    await site.stop()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[web.Application], Awaitable[str]]]:
    """Start an aiohttp application on a free loopback port and return its base URL; all are stopped
    (with their cleanup hooks) when the test ends."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in reversed(runners):
        await runner.cleanup()


@pytest.fixture
def track(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> Callable[[str], Awaitable[CheckReport]]:
    """Publish a text as Acme's Terms of Service on the local vendor site and check it: the first call
    starts tracking the page, later ones publish a new text and check again. Returns the check's report."""
    tracked: list[int] = []

    async def publish_and_check(text: str) -> CheckReport:
        vendor_site.publish("/terms", text)
        if not tracked:
            with session_scope(engine) as session:
                doc = documents.track(session, vendor_site.url("/terms"), "Acme", "Terms of Service")
                tracked.append(doc.id or 0)
        [report] = await check_documents(engine, settings, tracked)
        return report

    return publish_and_check
