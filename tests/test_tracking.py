"""The check cycle end to end over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bots.console.vendor_site import VendorSite, render_page
from core.alerts import subscriptions
from core.config import Settings
from core.pipeline import prepare
from core.pipeline.check import check_documents
from core.pipeline.scheduler import due_document_ids
from core.pipeline.versions import versions_of
from core.registry import documents
from core.storage import database
from core.storage.models import Alert, Blob, Change, Document, Profile, Version

TERMS = """# Terms of Service

## 1. Your content

1.1 You own your content. We process it only to provide the service.

## 2. Fees

2.1 Fees are due monthly. Late payments incur interest at 1% per month.
"""


def _track(engine: Engine, site: VendorSite, path: str = "/terms", vendor: str = "Acme") -> int:
    with database.session_scope(engine) as session:
        return documents.track(session, site.url(path), vendor, "Terms of Service").id or 0


async def _first_version(engine: Engine, settings: Settings, site: VendorSite, text: str = TERMS) -> int:
    """Publish ``text``, track the page and record its first version; returns the document id."""
    site.publish("/terms", text)
    doc_id = _track(engine, site)
    await check_documents(engine, settings, [doc_id])
    return doc_id


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _doc(engine: Engine, doc_id: int) -> Document:
    with Session(engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc


async def test_first_check_then_change_then_unchanged(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    vendor_site.publish("/terms", TERMS)
    doc_id = _track(engine, vendor_site)
    [first] = await check_documents(engine, settings, [doc_id])
    assert first.status == "first"
    vendor_site.publish("/terms", TERMS.replace("1% per month", "2% per month"))
    [second] = await check_documents(engine, settings, [doc_id])
    assert second.status == "changed" and second.change_id is not None
    [third] = await check_documents(engine, settings, [doc_id])
    assert third.status == "not-modified"  # the site's ETag answered 304
    assert _count(engine, Version) == 2 and _count(engine, Change) == 1
    with Session(engine) as session:
        change = session.get(Change, second.change_id)
        assert change is not None and change.kind == "substantive"
        assert (change.clauses_added, change.clauses_removed, change.clauses_modified) == (0, 0, 1)
        assert change.ai_training_change is False
        [clause] = (change.details or {})["clauses"]
        assert clause["id"] == "2.1" and "[-1%-]{+2%+}" in clause["diff"].replace(" ", "")
    assert _doc(engine, doc_id).state == "ok"


async def test_cosmetic_changes_make_no_version(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    doc_id = await _first_version(engine, settings, vendor_site)
    cosmetic = TERMS.replace("You own your content", "You **own** your content").replace("\n\n", "\n\n\n")
    vendor_site.publish("/terms", cosmetic.replace("Fees are due", "Fees\u00a0are\u200b due"))
    [report] = await check_documents(engine, settings, [doc_id])
    assert report.status == "unchanged"
    assert _count(engine, Version) == 1


async def test_cookie_wall_and_error_pages_are_never_versions(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    doc_id = await _first_version(engine, settings, vendor_site)
    wall = (
        b"<html><body><h1>We value your privacy</h1><p>We use cookies to improve your experience.</p>"
        b"<button>Accept all cookies</button><button>Manage cookie preferences</button></body></html>"
    )
    vendor_site.publish_raw("/terms", wall)
    [report] = await check_documents(engine, settings, [doc_id])
    assert report.status == "junk"
    assert _doc(engine, doc_id).state == "suspect"
    del vendor_site.pages["/terms"]
    [report] = await check_documents(engine, settings, [doc_id])
    assert report.status == "error" and "404" in report.message
    assert _doc(engine, doc_id).state == "error"
    assert _count(engine, Version) == 1
    vendor_site.publish("/terms", TERMS)
    [report] = await check_documents(engine, settings, [doc_id])
    assert report.status == "unchanged" and _doc(engine, doc_id).state == "ok"


async def test_sudden_shrink_waits_for_confirmation(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    doc_id = await _first_version(engine, settings, vendor_site, TERMS * 3)
    vendor_site.publish("/terms", TERMS)
    [held] = await check_documents(engine, settings, [doc_id])
    assert held.status == "suspect" and "shrank" in held.message
    assert _count(engine, Version) == 1
    [confirmed] = await check_documents(engine, settings, [doc_id])
    assert confirmed.status == "changed"
    assert _count(engine, Version) == 2


COOKIES = """# Cookie Policy

Last updated: May 1, 2024

We use cookies and similar technologies to remember your preferences and keep you signed in.

You can block or delete cookies in your browser settings at any time without affecting your account.

Some cookies are set by analytics providers that help us understand how visitors use the site.
"""


async def test_another_document_at_the_same_address_is_held_and_never_judged_as_a_change(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    doc_id = await _first_version(engine, settings, vendor_site)
    vendor_site.publish("/terms", COOKIES)
    [held] = await check_documents(engine, settings, [doc_id])
    assert held.status == "suspect" and "another document" in held.message
    assert _count(engine, Version) == 1 and _doc(engine, doc_id).state == "suspect"
    [confirmed] = await check_documents(engine, settings, [doc_id])  # the vendor really moved it
    assert confirmed.status == "changed"
    with Session(engine) as session:
        [change] = session.exec(select(Change)).all()
    assert not change.ai_training_change and "another document" in (change.summary or "")


async def test_the_same_bytes_without_validators_cost_a_hash(
    engine: Engine, settings: Settings, serve: Callable[[web.Application], Awaitable[str]]
) -> None:
    """A 200 with no ETag or Last-Modified: identical bytes are known unchanged before any extraction;
    other bytes of the same text are extracted and found unchanged; a new recipe reads the page again."""
    body = {"html": render_page(TERMS)}

    async def page(_request: web.Request) -> web.Response:
        return web.Response(body=body["html"], content_type="text/html")

    app = web.Application()
    app.router.add_get("/terms", page)
    url = await serve(app) + "/terms"
    with database.session_scope(engine) as session:
        doc_id = documents.track(session, url, "Acme", "tos").id or 0
    [first] = await check_documents(engine, settings, [doc_id])
    [same] = await check_documents(engine, settings, [doc_id])
    assert first.status == "first" and same.status == "unchanged" and "byte for byte" in same.message
    body["html"] = render_page(TERMS).replace(b"<main", b"<!-- build 2 --><main")
    [cosmetic] = await check_documents(engine, settings, [doc_id])
    assert cosmetic.status == "unchanged" and "byte for byte" not in cosmetic.message
    with database.session_scope(engine) as session:
        documents.track(session, url, "Acme", "tos", select_css=["main"])
    [again] = await check_documents(engine, settings, [doc_id])
    assert again.status == "unchanged" and "byte for byte" not in again.message
    assert _count(engine, Version) == 1


async def test_a_large_round_is_prepared_in_worker_processes_with_the_same_results(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    """Extraction, judgment and profiles of a round of 8 pages run in 2 worker processes; what is stored
    is what the inline path stores (verdicts, profiles, one version each)."""
    pooled = settings.model_copy(update={"check_workers": 2})
    ids = []
    for n in range(prepare.MIN_BATCH):
        vendor_site.publish(f"/t{n}", TERMS.replace("Fees", f"Fees of plan {n}"))
        with database.session_scope(engine) as session:
            ids.append(documents.track(session, vendor_site.url(f"/t{n}"), f"Vendor {n}", "tos").id or 0)
    first = await check_documents(engine, pooled, ids)
    assert {r.status for r in first} == {"first"}
    for n in range(prepare.MIN_BATCH):
        text = (
            TERMS.replace("Fees", f"Fees of plan {n}") + "\n## 3. AI\n\n3.1 We may use your content to train "
        )
        vendor_site.publish(f"/t{n}", text + "our artificial intelligence models.\n")
    second = await check_documents(engine, pooled, ids)
    assert {r.status for r in second} == {"changed"}
    with Session(engine) as session:
        changes = session.exec(select(Change)).all()
        assert len(changes) == prepare.MIN_BATCH
        assert all(c.ai_training_change and c.direction == "expands" for c in changes)
    assert _count(engine, Profile) == 2 * prepare.MIN_BATCH
    assert prepare._POOLS  # the round really went to the workers


async def test_a_revert_is_a_version_and_a_flip_back_alerts_no_one(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    doc_id = await _first_version(engine, settings, vendor_site)
    with database.session_scope(engine) as session:
        place = subscriptions.Place("webhook", "local", "https://hooks.example/x")
        subscriptions.subscribe(
            session, subscriptions.destination(session, place), [], changes="all", created_by="test"
        )
    vendor_site.publish("/terms", TERMS.replace("monthly", "yearly"))
    [changed] = await check_documents(engine, settings, [doc_id])
    assert changed.status == "changed" and _count(engine, Alert) == 1
    vendor_site.publish("/terms", TERMS)  # withdrawn within the flap window
    [report] = await check_documents(engine, settings, [doc_id])
    assert report.status == "flap" and "recorded, not alerted" in report.message
    assert _count(engine, Version) == 3 and _count(engine, Change) == 2 and _count(engine, Alert) == 1
    with Session(engine) as session:
        versions = versions_of(session, doc_id)
        latest = documents.latest_version(session, doc_id)
    assert latest is not None and latest.id == versions[-1].id  # what the page says now is the latest
    assert versions[-1].content_hash == versions[0].content_hash  # pointing at the text already stored
    assert _count(engine, Blob) == 2
    [again] = await check_documents(engine, settings, [doc_id])
    assert again.status in ("unchanged", "not-modified")
    vendor_site.publish("/terms", TERMS.replace("monthly", "yearly"))
    window_over = settings.model_copy(update={"flap_window_hours": 0})
    [settled] = await check_documents(engine, window_over, [doc_id])
    assert settled.status == "changed" and _count(engine, Alert) == 2
    assert _count(engine, Version) == 4


async def test_refuses_private_addresses_unless_allowed(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    vendor_site.publish("/terms", TERMS)
    doc_id = _track(engine, vendor_site)
    strict = settings.model_copy(update={"allow_private_urls": False})
    [report] = await check_documents(engine, strict, [doc_id])
    assert report.status == "error" and "CLAUSEWATCH_ALLOW_PRIVATE_URLS" in report.message
    assert vendor_site.hits == 0


async def test_unsupported_content_is_a_recorded_error(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    vendor_site.publish_raw("/terms", b"\x89PNG\r\n", "image/png")
    doc_id = _track(engine, vendor_site)
    [report] = await check_documents(engine, settings, [doc_id])
    assert report.status == "error" and "image/png" in report.message
    assert _doc(engine, doc_id).last_error == report.message


async def test_real_zoom_sequence_is_tracked(
    engine: Engine, settings: Settings, vendor_site: VendorSite, corpus: Path
) -> None:
    doc_id = _track(engine, vendor_site)
    statuses = []
    for path in sorted((corpus / "zoom/terms-of-service").glob("*.md")):
        vendor_site.publish("/terms", path.read_text(encoding="utf-8"))
        [report] = await check_documents(engine, settings, [doc_id])
        statuses.append(report.status)
    assert statuses == ["first", "changed", "changed", "changed", "changed"]
    with Session(engine) as session:
        assert due_document_ids(session) == []
        changes = session.exec(select(Change).order_by(Change.id)).all()
        verdicts = [(c.ai_training_change, c.direction, c.actor) for c in changes]
    assert verdicts == [
        (True, "expands", "vendor"),
        (False, None, None),
        (True, "restricts", "vendor"),
        (True, "restricts", "vendor"),
    ]
    assert any("Service Generated Data" in s for s in (changes[0].details or {})["added"])


async def test_renumbering_is_a_cosmetic_change(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    doc_id = await _first_version(engine, settings, vendor_site)
    renumbered = TERMS.replace("## 1. Your content", "## 2. Your content").replace("1.1 You", "2.1 You")
    renumbered = renumbered.replace("## 2. Fees", "## 3. Fees").replace("2.1 Fees", "3.1 Fees")
    vendor_site.publish("/terms", renumbered)
    [report] = await check_documents(engine, settings, [doc_id])
    assert report.status == "changed"
    with Session(engine) as session:
        change = session.get(Change, report.change_id)
        assert change is not None and change.kind == "cosmetic" and change.ai_training_change is False


async def test_concurrent_checkers_record_each_version_once(
    engine: Engine, settings: Settings, database_url: str, vendor_site: VendorSite
) -> None:
    """Two `clausewatch check --all` processes at once: every new version is stored once, nothing crashes."""
    ids = []
    for n in range(20):
        vendor_site.publish(f"/terms/{n}", TERMS.replace("Fees", f"Fees of plan {n}"))
        with database.session_scope(engine) as session:
            ids.append(documents.track(session, vendor_site.url(f"/terms/{n}"), f"Vendor {n}", "tos").id or 0)
    await check_documents(engine, settings, ids)
    for n in range(20):
        vendor_site.publish(f"/terms/{n}", TERMS.replace("Fees", f"Fees of plan {n}").replace("1%", "3%"))
    env = {**os.environ, "CLAUSEWATCH_DATABASE_URL": database_url, "CLAUSEWATCH_ALLOW_PRIVATE_URLS": "true"}
    command = [sys.executable, "-c", "from bots.console.cli import main; main()", "check", "--all"]
    processes = [
        await asyncio.create_subprocess_exec(*command, env=env, stdout=PIPE, stderr=PIPE) for _ in range(2)
    ]
    results = [await process.communicate() for process in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    assert _count(engine, Version) == 40 and _count(engine, Change) == 20


async def test_a_hostile_document_never_stops_the_others(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    vendor_site.publish("/good", TERMS)
    vendor_site.redirect("/evil", "http://a..b/")
    good, evil = _track(engine, vendor_site, "/good"), _track(engine, vendor_site, "/evil", "Evil")
    reports = {r.document_id: r for r in await check_documents(engine, settings, [good, evil])}
    assert reports[good].status == "first", reports[good].message
    assert reports[evil].status == "error" and "not a valid URL" in reports[evil].message
    assert _doc(engine, evil).state == "error"
