"""The browser fetcher in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against
real local sites: a terms page whose text only JavaScript puts in, recorded through the real check cycle,
and the SSRF guard on every request such a page makes.

The vendor site is on 127.0.0.1; an "internal" site on 127.0.0.2 stands for the network the guard keeps
pages out of (``CLAUSEWATCH_ALLOWED_NETWORKS=127.0.0.1/32`` opens only the vendor). Locally without
Chromium or Playwright the tests are skipped; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.config import Settings
from core.errors import BlockedAddressError, FetchError, UnsupportedContentError
from core.pipeline.browser import BrowserFetcher
from core.pipeline.check import check_documents
from core.pipeline.extract import extract
from core.pipeline.fetch import Fetcher, FetchPolicy
from core.pipeline.versions import version_text
from core.registry import documents
from core.storage.database import session_scope
from core.storage.models import Document, Version

CHROMIUM = "/usr/bin/chromium"
CLAUSES = [
    "1. Acceptance. By using the service you agree to these terms, which form a binding agreement between "
    "you and Acme Corporation.",
    "2. Your content. You own the content you upload. We process it only to provide and secure the service "
    "and never sell it to anyone.",
    "3. Artificial intelligence. We do not use customer content to train artificial intelligence models "
    "without your prior written consent.",
    "4. Fees. Fees are due monthly in advance. Late payments incur interest at one percent per month.",
]
SHELL = """<!doctype html><html><head><title>Acme Terms of Service</title>
<script src="/app.js"></script></head><body><h1>Acme Terms of Service</h1><main id="terms"></main>
{extra}</body></html>"""
# Fetches the clauses (XHR) and writes them in; also tries the internal site, directly and via a redirect.
APP_JS = """
fetch('/clauses.json').then(r => r.json()).then(clauses => {
  const main = document.getElementById('terms');
  for (const text of clauses) { const p = document.createElement('p'); p.textContent = text; main.append(p); }
});
fetch('%(internal)s/secret').catch(() => {});
fetch('/to-internal').catch(() => {});
"""
# A consent banner where the terms should be (on the real sites: until someone clicks).
WALL = """<!doctype html><html><head><title>Acme Terms of Service</title></head><body>
<script>document.body.innerHTML = `<div><p>We use cookies</p><p>We and our partners store and/or
access information on a device, such as cookies, for personalised ads.</p><button>Accept all</button>
<button>Reject all</button><button>Manage preferences</button></div>`;</script></body></html>"""
BIG = "<script>document.getElementById('terms').textContent = 'All rights reserved. '.repeat(5000);</script>"


def _require_browser() -> None:
    """Skip without Chromium or Playwright, except under CI, where the browser tests must run."""
    missing = [
        what
        for what, present in (
            ("chromium", shutil.which(CHROMIUM) is not None),
            ("playwright", importlib.util.find_spec("playwright") is not None),
        )
        if not present
    ]
    if not missing:
        return
    reason = f"the browser fetcher needs chromium and playwright; missing: {', '.join(missing)}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI=true: .ci/run installs Debian's chromium; pip install -e '.[dev]')")
    pytest.skip(reason + " (apt-get install chromium)")


@dataclass
class Site:
    """A running site and the paths it was asked for."""

    url: str
    hits: list[str] = field(default_factory=list)


async def _start(host: str, routes: dict[str, str], runners: list[web.AppRunner]) -> Site:
    """Serve ``routes`` (path -> body; content type from the extension) on ``host``, recording hits."""
    site = Site("")

    async def answer(request: web.Request) -> web.StreamResponse:
        site.hits.append(request.path)
        body = routes[request.path]
        if body.startswith("redirect:"):
            raise web.HTTPFound(body.removeprefix("redirect:"))
        kind = {"js": "text/javascript", "json": "application/json", "txt": "text/plain"}
        return web.Response(text=body, content_type=kind.get(request.path.rpartition(".")[2], "text/html"))

    app = web.Application()
    for path in routes:
        app.router.add_get(path, answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, 0).start()
    runners.append(runner)
    site.url = f"http://{host}:{runner.addresses[0][1]}"
    return site


@dataclass
class Sites:
    vendor: Site
    internal: Site


@pytest.fixture
async def sites() -> AsyncIterator[Sites]:
    """The internal site on 127.0.0.2 and the vendor's on 127.0.0.1, whose pages try to reach it."""
    runners: list[web.AppRunner] = []
    internal = await _start("127.0.0.2", {"/secret": "internal data"}, runners)
    vendor = await _start(
        "127.0.0.1",
        {
            "/terms": SHELL.format(extra=""),
            "/app.js": APP_JS.replace("%(internal)s", internal.url),
            "/clauses.json": json.dumps(CLAUSES),
            "/to-internal": f"redirect:{internal.url}/secret",
            "/wall": WALL,
            "/big": SHELL.format(extra=BIG),
            "/hop": f"redirect:{internal.url}/secret",
            "/plain.txt": "\n\n".join(CLAUSES),
        },
        runners,
    )
    yield Sites(vendor, internal)
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
def guarded(settings: Settings) -> Settings:
    """The test settings with the SSRF guard on and only the vendor's address opened."""
    return settings.model_copy(update={"allow_private_urls": False, "allowed_networks": "127.0.0.1/32"})


def _track(engine: Engine, url: str, *, browser: bool) -> int:
    with session_scope(engine) as session:
        return documents.track(session, url, "Acme", "Terms of Service", browser=browser).id or 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_terms_written_by_javascript_are_recorded_with_the_browser(
    engine: Engine, guarded: Settings, sites: Sites
) -> None:
    _require_browser()
    doc_id = _track(engine, sites.vendor.url + "/terms", browser=True)
    [report] = await check_documents(engine, guarded, [doc_id])
    assert report.status == "first", report.message
    with Session(engine) as session:
        [version] = session.exec(select(Version).where(Version.document_id == doc_id)).all()
        text = version_text(session, version)
    assert version.title == "Acme Terms of Service"
    assert all(clause.split(". ", 1)[1] in text for clause in CLAUSES)
    assert {"/terms", "/app.js", "/clauses.json", "/to-internal"} <= set(sites.vendor.hits)
    assert sites.internal.hits == []  # neither the script's request nor its redirect got there

    async with Fetcher(FetchPolicy.from_settings(guarded)) as fetcher:
        served = await fetcher.fetch(sites.vendor.url + "/terms")
    served_text = extract(served.body, served.content_type, charset=served.charset).text
    assert "Acme Terms of Service" in served_text and not any(clause[3:] in served_text for clause in CLAUSES)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_cookie_wall_drawn_by_javascript_is_not_recorded(
    engine: Engine, guarded: Settings, sites: Sites
) -> None:
    _require_browser()
    doc_id = _track(engine, sites.vendor.url + "/wall", browser=True)
    [report] = await check_documents(engine, guarded, [doc_id])
    assert report.status == "junk" and "cookie wall" in report.message, report.message
    with Session(engine) as session:
        assert session.exec(select(Version).where(Version.document_id == doc_id)).all() == []
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.fetch_with == "browser"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_private_addresses_are_refused_before_any_connection(settings: Settings, sites: Sites) -> None:
    _require_browser()
    closed = settings.model_copy(update={"allow_private_urls": False})
    policy = FetchPolicy.from_settings(closed)
    for url in (sites.vendor.url + "/terms", sites.vendor.url.replace("127.0.0.1", "localhost") + "/terms"):
        async with Fetcher(policy) as fetcher:
            with pytest.raises(BlockedAddressError) as over_http:
                await fetcher.fetch(url)
        async with BrowserFetcher.from_settings(closed) as browser:
            with pytest.raises(BlockedAddressError) as in_browser:
                await browser.fetch(url)
        assert str(in_browser.value) == str(over_http.value)
        assert "CLAUSEWATCH_ALLOW_PRIVATE_URLS" in str(in_browser.value)
    assert sites.vendor.hits == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_redirect_into_a_disallowed_network_is_refused(guarded: Settings, sites: Sites) -> None:
    _require_browser()
    async with BrowserFetcher.from_settings(guarded) as browser:
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.2 is a loopback address"):
            await browser.fetch(sites.vendor.url + "/hop")
    assert sites.vendor.hits == ["/hop"] and sites.internal.hits == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_rendered_page_is_size_capped(guarded: Settings, sites: Sites) -> None:
    _require_browser()
    small = guarded.model_copy(update={"fetch_max_bytes": 50_000})
    async with BrowserFetcher.from_settings(small) as browser:
        with pytest.raises(UnsupportedContentError, match=r"/big is larger than 0\.0477 MB"):
            await browser.fetch(sites.vendor.url + "/big")  # served: 300 bytes; rendered: 100 kB
        rendered = await browser.fetch(sites.vendor.url + "/terms")
    assert rendered.content_type == "text/html" and len(rendered.body) < 50_000


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_plain_text_is_not_rendered_and_a_missing_chromium_is_named(
    guarded: Settings, sites: Sites
) -> None:
    _require_browser()
    policy = FetchPolicy.from_settings(guarded)
    async with BrowserFetcher(policy, chromium="/nonexistent/chromium") as browser:
        plain = await browser.fetch(sites.vendor.url + "/plain.txt")  # no browser needed, none launched
        assert plain.content_type == "text/plain" and plain.body.decode().startswith("1. Acceptance")
        with pytest.raises(FetchError, match=r"install clausewatch\[browser\] and Debian's chromium"):
            await browser.fetch(sites.vendor.url + "/terms")
