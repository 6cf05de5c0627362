"""The Atom feed of changes and the read-only JSON API, over real HTTP on a free port, on SQLite and
PostgreSQL: Atom that parses, the vendor and AI-only filters, vendors' text escaped, paged lists, and who
may read them (the API token, signed feed addresses, off without a token)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.engine import Engine

from bots.console.vendor_site import VendorSite
from bots.server.app import build_server
from core.config import Settings
from core.pipeline.check import check_documents
from core.publishing.feed import feed_url
from core.registry import documents
from core.storage.database import session_scope
from tests.test_server import CHANGED, TERMS

Serve = Callable[[web.Application], Awaitable[str]]
TOKEN = "test-token-0123456789"
ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://clausewatch.example"
"""The server's public address: links it makes start with it, as behind a reverse proxy."""
GLOBEX = TERMS.replace("1% per month", "1.5% per month")


@dataclass
class Site:
    """A running server whose database holds two vendors' changes."""

    url: str
    settings: Settings
    http: aiohttp.ClientSession
    acme: list[int]
    """Acme's changes, in the order recorded: an AI-training one, then one about fees."""
    globex: int
    """Globex's one change, about fees."""

    async def get(self, address: str, token: str | None = TOKEN) -> aiohttp.ClientResponse:
        """GET a path, or an address the server made, with the bearer token (or none)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.get(self.url + address.removeprefix(PUBLIC), headers=headers)

    async def json(self, path: str) -> Any:
        response = await self.get(path)
        assert response.status == 200, await response.text()
        return await response.json()


async def _changes(
    engine: Engine, settings: Settings, vendor_site: VendorSite, vendor: str, texts: list[str]
) -> list[int]:
    """``vendor``'s terms tracked and checked once per text: the ids of the changes recorded."""
    path = f"/{vendor.lower()}/terms"
    with session_scope(engine) as session:
        doc_id = documents.track(session, vendor_site.url(path), vendor, "Terms of Service").id or 0
    changes = []
    for text in texts:
        vendor_site.publish(path, text)
        [report] = await check_documents(engine, settings, [doc_id])
        if report.change_id is not None:
            changes.append(report.change_id)
    return changes


@pytest.fixture
async def site(
    engine: Engine, settings: Settings, vendor_site: VendorSite, serve: Serve
) -> AsyncIterator[Site]:
    acme = await _changes(
        engine, settings, vendor_site, "Acme", [TERMS, CHANGED, CHANGED.replace("2% per", "3% per")]
    )
    [globex] = await _changes(engine, settings, vendor_site, "Globex", [TERMS, GLOBEX])
    settings = settings.model_copy(update={"api_token": TOKEN, "public_url": PUBLIC})
    url = await serve(build_server(engine, settings, scheduler=False, delivery=False))
    async with aiohttp.ClientSession() as http:
        yield Site(url, settings, http, acme, globex)


def _signed(site: Site, engine: Engine, vendor: str | None = None, ai_only: bool = False) -> str:
    with session_scope(engine) as session:
        return feed_url(session, site.settings, vendor, ai_only)


async def _entries(site: Site, address: str) -> list[ET.Element]:
    """The entries of the feed at ``address``, checked to be well-formed Atom with what Atom requires."""
    response = await site.get(address, token=None)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(await response.read())
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author/" + ATOM + "name"):
        assert feed.find(ATOM + required) is not None, required
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated", "link", "content"):
            assert (entry.findtext(ATOM + required) or entry.find(ATOM + required)) is not None, required
    return entries


async def test_the_feed_is_atom_with_every_change_newest_first_linking_to_its_diff(
    site: Site, engine: Engine
) -> None:
    entries = await _entries(site, _signed(site, engine))
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert ids == [f"{PUBLIC}/changes/{change}" for change in (site.globex, site.acme[1], site.acme[0])]
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles[0] == "Globex/Terms of Service: no AI-training change"
    assert titles[2].startswith("Acme/Terms of Service: AI training: expands")
    assert all(entry.findtext(f"{ATOM}updated", "").endswith("T00:00:00Z") for entry in entries)
    link = entries[2].find(f"{ATOM}link")
    assert link is not None and "/changes/" in link.get("href", "") and "sig=" in link.get("href", "")
    page = await site.get(link.get("href", ""), token=None)
    assert page.status == 200 and "AI training" in await page.text()


async def test_vendors_text_is_escaped_in_the_feed(site: Site, engine: Engine) -> None:
    response = await site.get(_signed(site, engine, "acme", ai_only=True), token=None)
    body = await response.text()
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    [entry] = ET.fromstring(body).findall(f"{ATOM}entry")
    assert "<script>alert(1)</script>" in entry.findtext(f"{ATOM}content", "")


async def test_the_feed_filters_by_vendor_and_ai_training(site: Site, engine: Engine) -> None:
    acme = await _entries(site, _signed(site, engine, "Acme"))
    assert [e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1] for e in acme] == [str(c) for c in site.acme[::-1]]
    ai = await _entries(site, _signed(site, engine, ai_only=True))
    assert [e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1] for e in ai] == [str(site.acme[0])]
    unknown = await site.get("/feeds/changes.atom?vendor=Gloria")
    assert unknown.status == 404 and "did you mean Globex?" in await unknown.text()
    by_token = await site.get("/feeds/changes.atom?vendor=globex")
    assert by_token.status == 200 and (await by_token.text()).count("<entry>") == 1


async def test_a_signed_feed_address_is_valid_only_as_made(site: Site, engine: Engine) -> None:
    address = _signed(site, engine, "acme", ai_only=True)
    assert address.startswith(f"{PUBLIC}/feeds/changes.atom?vendor=acme&ai_only=1&sig=")
    sig = address.rsplit("=", 1)[1]
    tampered = address[:-1] + ("0" if address[-1] != "0" else "1")
    other_vendor = address.replace("vendor=acme", "vendor=globex")
    all_changes = address.replace("&ai_only=1", "")
    not_ascii = "/feeds/changes.atom?sig=caf%C3%A9"
    addresses = (tampered, other_vendor, all_changes, not_ascii)
    statuses = [(await site.get(address, token=None)).status for address in addresses]
    assert statuses == [401, 401, 401, 401]
    assert (await site.get(f"/feeds/changes.atom?sig={sig}", token=TOKEN)).status == 401  # no rescue
    assert (await site.get("/feeds/changes.atom", token=None)).status == 401
    assert (await site.get("/feeds/changes.atom", token="wrong")).status == 401
    assert (await site.get("/feeds/changes.atom")).status == 200


async def test_the_api_pages_through_documents_versions_and_changes(site: Site) -> None:
    first = await site.json("/api/v1/documents?limit=1")
    assert [doc["vendor"] for doc in first["items"]] == ["Acme"] and first["next"].startswith(PUBLIC)
    second = await site.json(first["next"])
    assert [doc["ref"] for doc in second["items"]] == ["globex/terms-of-service"] and second["next"] is None

    acme_id = first["items"][0]["id"]
    versions = await site.json(f"/api/v1/documents/{acme_id}/versions")
    assert len(versions["items"]) == 3 and versions["next"] is None
    first_version = versions["items"][0]["id"]
    later = await site.json(f"/api/v1/documents/{acme_id}/versions?limit=2&after={first_version}")
    assert later["items"] == versions["items"][1:] and later["next"] is None

    walked, path = [], "/api/v1/changes?limit=2"
    while path:
        page = await site.json(path)
        walked += [change["id"] for change in page["items"]]
        path = page["next"]
    assert walked == [site.globex, site.acme[1], site.acme[0]]

    ai = await site.json("/api/v1/changes?vendor=acme&ai_only=1")
    assert [change["id"] for change in ai["items"]] == [site.acme[0]]
    assert ai["items"][0]["ai_training_change"] is True and "sig=" in ai["items"][0]["diff_url"]
    one = await site.json(f"/api/v1/changes/{site.acme[0]}")
    assert one["verdict"].startswith("AI training: expands") and any(c["ai"] for c in one["clauses"])


async def test_the_api_serves_profiles(site: Site) -> None:
    register = await site.json("/api/v1/profiles?limit=1")
    assert [entry["vendor"] for entry in register["items"]] == ["Acme"] and "after=Acme" in register["next"]
    rest = await site.json(register["next"])
    assert [entry["vendor"] for entry in rest["items"]] == ["Globex"] and rest["next"] is None
    acme = await site.json("/api/v1/profiles/acme")
    assert acme["profile"]["customer_content_training"]["value"] == "yes"


async def test_api_errors_are_json_with_their_status(site: Site) -> None:
    cases = {
        "/api/v1/changes?limit=0": 400,
        "/api/v1/changes?limit=many": 400,
        "/api/v1/changes?after=999999": 400,
        "/api/v1/changes?vendor=Gloria": 404,
        "/api/v1/changes/999999": 404,
        "/api/v1/documents/999999/versions": 404,
        "/api/v1/profiles/Gloria": 404,
        "/api/v1/nothing-here": 404,
    }
    for path, status in cases.items():
        response = await site.get(path)
        assert response.status == status, path
        assert set(await response.json()) == {"error"}, path
    assert "did you mean Globex?" in (await (await site.get("/api/v1/profiles/Gloria")).json())["error"]


async def test_the_api_needs_the_token_and_only_reads(site: Site) -> None:
    missing = await site.get("/api/v1/documents", token=None)
    wrong = await site.get("/api/v1/documents", token="not-the-token")
    assert [missing.status, wrong.status] == [401, 401]
    assert missing.headers["WWW-Authenticate"].startswith("Bearer") and "error" in await wrong.json()
    authorised = {"Authorization": f"Bearer {TOKEN}"}
    posted = await site.http.post(f"{site.url}/api/v1/documents", headers=authorised)
    assert posted.status == 405 and "GET" in posted.headers["Allow"] and "error" in await posted.json()
    deleted = await site.http.delete(f"{site.url}/api/v1/changes/{site.globex}")
    assert deleted.status == 401  # the token is checked before anything else


async def test_without_a_token_feeds_and_api_are_off(
    engine: Engine, settings: Settings, serve: Serve
) -> None:
    url = await serve(build_server(engine, settings, scheduler=False, delivery=False))
    with session_scope(engine) as session:
        address = feed_url(session, settings.model_copy(update={"public_url": url}))
    async with aiohttp.ClientSession() as http:
        feed = await http.get(address)
        api = await http.get(f"{url}/api/v1/changes", headers={"Authorization": "Bearer "})
        assert [feed.status, api.status] == [404, 404]
        assert "CLAUSEWATCH_API_TOKEN" in await feed.text()
        assert "CLAUSEWATCH_API_TOKEN" in (await api.json())["error"]
