"""Alerts end to end over real HTTP: a change recorded by a check, its outbox rows, and their delivery to a
local chat API that records what it received. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from bots.console.vendor_site import VendorSite
from bots.webhook.sender import PLATFORM, WebhookSender
from core.alerts.delivery import Deliverer
from core.alerts.subscriptions import Place, destination, subscribe, unsubscribe
from core.config import Settings
from core.pipeline.check import check_documents
from core.pipeline.history_import import import_history
from core.registry import documents
from core.storage.database import session_scope
from core.storage.models import Alert, Destination, Vendor, utcnow
from tests.standins.chat_api import RecordingAPI

TERMS = """# Terms of Service

Effective Date: March 1, 2024

## 1. Your content

1.1 You own your content. We process it only to provide the service.

1.2 We do not use Customer Content to train artificial intelligence models.

## 2. Fees

2.1 Fees are due monthly. Late payments incur interest at 1% per month.
"""
AI_EXPANDS = TERMS.replace(
    "1.2 We do not use Customer Content to train artificial intelligence models.",
    "1.2 We may use Customer Content to train and improve our artificial intelligence models.",
)
FEES_ONLY = TERMS.replace("1% per month", "2% per month")


@pytest.fixture
async def chat_api() -> AsyncIterator[RecordingAPI]:
    api = await RecordingAPI(timeout_seconds=3).start()
    yield api
    await api.stop()


async def _tracked(engine: Engine, settings: Settings, site: VendorSite, text: str = TERMS) -> int:
    site.publish("/terms", text)
    with session_scope(engine) as session:
        doc_id = documents.track(session, site.url("/terms"), "Acme", "Terms of Service").id or 0
    await check_documents(engine, settings, [doc_id])
    return doc_id


def _subscribe(engine: Engine, api: RecordingAPI, channel: str, **options: str) -> int:
    with session_scope(engine) as session:
        dest = destination(session, Place(PLATFORM, "ws1", api.url("ws1", channel)))
        vendor = session.exec(select(Vendor)).first()
        assert vendor is not None
        subscribe(session, dest, [vendor], created_by="U1", **options)  # type: ignore[arg-type]
        return dest.id or 0


async def _change(engine: Engine, settings: Settings, site: VendorSite, doc_id: int, text: str) -> None:
    site.publish("/terms", text)
    await check_documents(engine, settings, [doc_id])


async def _deliver(engine: Engine, settings: Settings, rounds: int = 1) -> Deliverer:
    async with WebhookSender(settings) as sender:
        deliverer = Deliverer(engine, settings, {PLATFORM: sender})
        for _ in range(rounds):
            await deliverer.deliver_due()
    return deliverer


def _alerts(engine: Engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.exec(select(Alert).order_by(col(Alert.id))).all())


async def test_ai_change_alert_says_what_changed(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "C1")
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    assert [a.state for a in _alerts(engine)] == ["pending"]  # written with the change

    await _deliver(engine, settings)

    [posted] = chat_api.messages("C1")
    message = posted.body["message"]
    assert message["kind"] == "alert"
    assert "Acme Terms of Service" in message["title"] and "expands" in message["title"]
    fields = {f["name"]: f["value"] for f in message["fields"]}
    assert fields["Effective"] == "2024-03-01"
    assert "expands" in fields["Verdict"]
    quotes = {q["label"]: q["text"] for q in message["quotes"]}
    assert "We may use Customer Content to train" in quotes["Added"]
    assert "We do not use Customer Content" in quotes["Removed"]
    assert "Customer content used for training: No → Yes" in message["items"]
    assert [link["label"] for link in message["links"]] == ["Source", "Full diff"]
    assert f"/changes/{_alerts(engine)[0].change_id}?expires=" in message["links"][1]["url"]
    assert {b["action"] for b in message["buttons"]} == {"open_url", "mark_reviewed", "mute_vendor"}
    assert posted.key == posted.body["key"] and _alerts(engine)[0].state == "sent"


async def test_non_ai_changes_only_reach_all_changes_subscriptions(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "ai-only")
    _subscribe(engine, chat_api, "everything", changes="all")
    _subscribe(engine, chat_api, "high-only", min_severity="high")
    await _change(engine, settings, vendor_site, doc_id, FEES_ONLY)
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS.replace("1% per month", "2% per month"))
    await _deliver(engine, settings, rounds=3)

    assert len(chat_api.messages("ai-only")) == 1
    assert [len(chat_api.messages("everything")), len(chat_api.messages("high-only"))] == [2, 1]
    titles = [p.body["message"]["title"] for p in chat_api.messages("everything")]
    assert "no AI-training language" in titles[0] and "AI-training change" in titles[1]


async def test_cosmetic_changes_and_imported_history_never_alert(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI, tmp_path: Path
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "C1", changes="all")
    await _change(engine, settings, vendor_site, doc_id, TERMS.replace("## 2. Fees", "## 3. Fees"))
    folder = tmp_path / "history"
    folder.mkdir()
    for day, text in (("2020-01-01", TERMS), ("2021-01-01", AI_EXPANDS), ("2022-01-01", FEES_ONLY)):
        (folder / f"{day}.md").write_text(text)
    import_history(engine, folder, vendor="Acme", doc_type="Privacy Policy")
    assert _alerts(engine) == []


async def test_a_flaky_destination_gets_everything_once_and_in_order(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    settings = settings.model_copy(update={"fetch_timeout": 0.5, "delivery_max_backoff_seconds": 0.05})
    doc_id = await _tracked(engine, settings, vendor_site)
    dest_id = _subscribe(engine, chat_api, "flaky", changes="all")
    texts = [FEES_ONLY, AI_EXPANDS, TERMS.replace("monthly", "quarterly")]
    for text in texts:
        await _change(engine, settings, vendor_site, doc_id, text)
    chat_api.fail("flaky", "500", "429:1", "timeout", "503")

    deliverer = await _until_delivered(engine, settings, expected=3)

    keys = [p.key for p in chat_api.messages("flaky")]
    assert keys == [a.key for a in _alerts(engine)]  # every alert once, oldest first
    assert deliverer.stats.failed == 3 and deliverer.stats.rate_limited == 1
    with Session(engine) as session:
        dest = session.get(Destination, dest_id)
        assert dest is not None and dest.state == "active" and dest.lease_owner is None


async def _until_delivered(engine: Engine, settings: Settings, expected: int) -> Deliverer:
    """Deliver round after round (waiting out backoffs) until ``expected`` alerts are sent."""
    async with WebhookSender(settings) as sender:
        deliverer = Deliverer(engine, settings, {PLATFORM: sender})
        for _ in range(200):
            await deliverer.deliver_due()
            if sum(a.state == "sent" for a in _alerts(engine)) == expected:
                return deliverer
            _due_now(engine)
    raise AssertionError(f"not delivered: {[(a.state, a.last_error) for a in _alerts(engine)]}")


def _due_now(engine: Engine) -> None:
    """Skip the waiting part of a backoff (Retry-After included) instead of sleeping through it."""
    with session_scope(engine) as session:
        session.exec(update(Destination).values(next_attempt_at=None))


async def test_a_retried_send_is_not_posted_twice(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "C1")
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    await _deliver(engine, settings)
    # A worker that died after the post but before committing "sent" leaves the alert pending:
    with session_scope(engine) as session:
        session.exec(update(Alert).values(state="pending", sent_at=None))
    await _deliver(engine, settings)

    assert len(chat_api.messages("C1")) == 1 and chat_api.duplicates == 1
    assert [a.state for a in _alerts(engine)] == ["sent"]


async def test_a_removed_bot_marks_the_destination_dead(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    dest_id = _subscribe(engine, chat_api, "gone")
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    chat_api.fail("gone", "410")
    await _deliver(engine, settings, rounds=2)

    with Session(engine) as session:
        dest = session.get(Destination, dest_id)
        assert dest is not None and dest.state == "dead"
        assert "410" in (dest.dead_reason or "")
    [alert] = _alerts(engine)
    assert alert.state == "dead" and chat_api.requests == 1  # no retries after that
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS.replace("monthly", "yearly"))
    assert len(_alerts(engine)) == 1  # dead destinations get no new alerts


async def test_digest_gathers_the_days_changes_into_one_message(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "daily", changes="all", digest="daily")
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS.replace("monthly", "yearly"))
    await _deliver(engine, settings)
    assert chat_api.posted == []  # not before the day is over
    assert all(a.not_before > utcnow() for a in _alerts(engine))

    with session_scope(engine) as session:
        session.exec(update(Alert).values(not_before=utcnow() - timedelta(seconds=1)))
    await _deliver(engine, settings)
    [posted] = chat_api.messages("daily")
    assert posted.body["message"]["kind"] == "digest"
    assert posted.body["message"]["title"] == "Daily clausewatch digest: 2 changes"
    assert [a.state for a in _alerts(engine)] == ["sent", "sent"]


async def test_unsubscribing_cancels_pending_alerts(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "C1")
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    with session_scope(engine) as session:
        dest = destination(session, Place(PLATFORM, "ws1", chat_api.url("ws1", "C1")))
        assert unsubscribe(session, dest, []) == 1
    await _deliver(engine, settings)
    assert chat_api.posted == [] and [a.state for a in _alerts(engine)] == ["cancelled"]


async def test_private_webhook_addresses_are_refused_unless_allowed(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    dest_id = _subscribe(engine, chat_api, "C1")
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    await _deliver(engine, settings.model_copy(update={"allow_private_urls": False}))
    with Session(engine) as session:
        dest = session.get(Destination, dest_id)
        assert dest is not None and dest.state == "dead" and "127.0.0.1" in (dest.dead_reason or "")
    assert chat_api.posted == []


async def test_unsubscribing_one_vendor_keeps_alerts_an_every_vendor_subscription_wants(
    engine: Engine, settings: Settings, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    doc_id = await _tracked(engine, settings, vendor_site)
    _subscribe(engine, chat_api, "C1")
    with session_scope(engine) as session:
        dest = destination(session, Place(PLATFORM, "ws1", chat_api.url("ws1", "C1")))
        subscribe(session, dest, [], created_by="U1")  # every vendor, too
    await _change(engine, settings, vendor_site, doc_id, AI_EXPANDS)
    with session_scope(engine) as session:
        dest = destination(session, Place(PLATFORM, "ws1", chat_api.url("ws1", "C1")))
        vendor = session.exec(select(Vendor)).first()
        assert vendor is not None and unsubscribe(session, dest, [vendor]) == 1
    await _deliver(engine, settings)
    assert len(chat_api.messages("C1")) == 1 and [a.state for a in _alerts(engine)] == ["sent"]
