"""The Slack adapter over real HTTP: the real clausewatch server with the real Bolt app, sent requests
shaped and signed exactly as Slack sends them, its Web API pointed at a local recording stand-in
(``tests.standins.slack``). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine
from sqlmodel import select, update

from bots.console.vendor_site import VendorSite
from bots.server.app import ADAPTERS, build_server
from bots.slack.blocks import escape, render, split
from bots.slack.sender import PLATFORM, SlackSender
from core.alerts.delivery import DeadDestination, Deliverer, DeliveryFailed, Outgoing, RateLimited
from core.alerts.subscriptions import Place, destination, subscribe
from core.config import Settings
from core.errors import ClausewatchError
from core.messages import Message, Quote
from core.pipeline.check import CheckReport, check_documents
from core.storage.database import read_scope, session_scope
from core.storage.models import Alert, AuditEntry, Destination, Review, utcnow
from tests.standins.slack import RecordingSlack

Serve = Callable[[web.Application], Awaitable[str]]
"""The ``serve`` fixture: start an app on a free port, get its URL."""
Track = Callable[[str], Awaitable[CheckReport]]
"""The ``track`` fixture: publish a text as Acme's terms and check it."""

SECRET = "test-signing-secret"
TEAM = "T1"
CHANNEL = "C100"
TERMS = """# Terms of Service

## 1. Your content

1.1 You own your content. We process it only to provide the service.

1.2 We do not use Customer Content to train artificial intelligence models.

## 2. Fees

2.1 Fees are due monthly.
"""
HOSTILE = TERMS.replace(
    "1.2 We do not use Customer Content to train artificial intelligence models.",
    "1.2 We may use Customer Content to train and improve our artificial intelligence models "
    "<!channel> <@U0BOSS> <https://evil.example|click here>.",
)


@dataclass
class Bot:
    """The running server and what it talks to."""

    url: str
    api: RecordingSlack
    engine: Engine
    settings: Settings
    http: aiohttp.ClientSession

    async def post(
        self, body: str, content_type: str, *, timestamp: int | None = None, **headers: str
    ) -> aiohttp.ClientResponse:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        return await self.http.post(
            f"{self.url}/slack/events",
            data=body.encode(),
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
                **headers,
            },
        )

    async def command(self, text: str, user: str = "U1", name: str = "r1") -> aiohttp.ClientResponse:
        """``/clausewatch text`` typed in #compliance."""
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "acme",
            "channel_id": CHANNEL,
            "channel_name": "compliance",
            "user_id": user,
            "user_name": "dana",
            "command": "/clausewatch",
            "text": text,
            "api_app_id": "A1",
            "response_url": self.api.response_url(name),
            "trigger_id": "1.2.3",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], event_id: str = "Ev1", **headers: str
    ) -> aiohttp.ClientResponse:
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
        return await self.post(json.dumps(body), "application/json", **headers)

    async def action(
        self, action_id: str, value: str, user: str = "U1", name: str = "a1"
    ) -> aiohttp.ClientResponse:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "acme"},
            "user": {"id": user, "username": "dana", "team_id": TEAM},
            "api_app_id": "A1",
            "channel": {"id": CHANNEL, "name": "compliance"},
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": CHANNEL},
            "message": {"ts": "1700000000.000100", "text": "alert"},
            "response_url": self.api.response_url(name),
            "trigger_id": "1.2.3",
            "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b1"}],
        }
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    def replies(self, name: str) -> list[dict[str, Any]]:
        return [r.body for r in self.api.responses if r.name == name]


@pytest.fixture
async def api() -> AsyncIterator[RecordingSlack]:
    api = await RecordingSlack(team_id=TEAM).start()
    yield api
    await api.stop()


def slack_settings(settings: Settings, api: RecordingSlack, **overrides: Any) -> Settings:
    values = {"slack_signing_secret": SECRET, "slack_bot_token": "xoxb-test", "slack_api_url": api.base_url}
    return settings.model_copy(update={**values, **overrides})


@pytest.fixture
async def bot(engine: Engine, settings: Settings, api: RecordingSlack, serve: Serve) -> AsyncIterator[Bot]:
    settings = slack_settings(settings, api)
    url = await serve(build_server(engine, settings, scheduler=False, delivery=False))
    async with aiohttp.ClientSession() as http:
        yield Bot(url, api, engine, settings, http)


def _texts(blocks: list[dict[str, Any]]) -> str:
    """Every text of a message's blocks, as one string."""
    return json.dumps(blocks)


async def test_url_verification_answers_the_challenge(bot: Bot) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    response = await bot.post(body, "application/json")
    assert response.status == 200
    assert (await response.json())["challenge"] == "c-123"


async def test_forged_or_stale_requests_get_401_and_nothing_is_done(bot: Bot) -> None:
    form = urlencode({"team_id": TEAM, "user_id": "U1", "command": "/clausewatch", "text": "help"})
    forged = await bot.http.post(
        f"{bot.url}/slack/events",
        data=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    stale = await bot.post(form, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60)
    unsigned = await bot.http.post(f"{bot.url}/slack/events", data=form)
    assert [forged.status, stale.status, unsigned.status] == [401, 401, 401]
    await asyncio.sleep(0.3)
    assert bot.api.calls == [] and bot.api.responses == []


async def test_slash_command_is_acknowledged_at_once_and_answered_after(bot: Bot) -> None:
    started = time.monotonic()
    response = await bot.command("help", name="help")
    acknowledged = time.monotonic() - started
    assert response.status == 200 and acknowledged < 3
    await bot.api.wait_for(lambda: bool(bot.replies("help")))
    [reply] = bot.replies("help")
    assert reply["response_type"] == "ephemeral"  # help is for the asker
    assert "clausewatch commands" in _texts(reply["blocks"]) and "subscribe" in reply["text"]


async def test_non_admin_track_is_refused_privately_and_audited(bot: Bot) -> None:
    await bot.command("track zoom", user="U2", name="track")
    await bot.api.wait_for(lambda: bool(bot.replies("track")))
    [reply] = bot.replies("track")
    assert reply["response_type"] == "ephemeral"
    assert "Only workspace admins" in reply["text"]
    assert [c.params["user"] for c in bot.api.calls_to("users.info")] == ["U2"]
    with read_scope(bot.engine) as session:
        entries = session.exec(select(AuditEntry)).all()
        assert [(e.platform, e.user_id, e.outcome) for e in entries] == [("slack", "U2", "refused")]


async def test_workspace_admin_subscribes_the_channel(
    bot: Bot, vendor_site: VendorSite, track: Track
) -> None:
    await track(TERMS)
    bot.api.admins.add("U1")
    await bot.command("subscribe acme --min-severity medium", name="sub")
    await bot.api.wait_for(lambda: bool(bot.replies("sub")))
    [reply] = bot.replies("sub")
    assert reply["response_type"] == "in_channel" and "Subscribed #compliance" in reply["text"]
    with read_scope(bot.engine) as session:
        [dest] = session.exec(select(Destination)).all()
        assert (dest.platform, dest.workspace, dest.address, dest.name) == (
            "slack",
            TEAM,
            CHANNEL,
            "#compliance",
        )


async def test_mention_is_answered_in_its_thread_without_the_mention(
    bot: Bot, vendor_site: VendorSite, track: Track
) -> None:
    await track(TERMS)
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> does Acme train AI on our content?",
        "ts": "1700000001.000200",
        "channel": CHANNEL,
        "event_ts": "1700000001.000200",
    }
    response = await bot.event(event)
    assert response.status == 200
    await bot.api.wait_for(lambda: bool(bot.api.calls_to("chat.postMessage")))
    [post] = bot.api.calls_to("chat.postMessage")
    assert post.params["channel"] == CHANNEL and post.params["thread_ts"] == "1700000001.000200"
    assert post.token == "xoxb-test"
    text = _texts(post.params["blocks"])
    assert "No" in text and "We do not use Customer Content to train artificial intelligence models" in text


async def test_a_retried_event_is_answered_once(bot: Bot) -> None:
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> help", "ts": "1.1", "channel": CHANNEL}
    first = await bot.event(event, event_id="EvSame")
    retried = await bot.event(
        event, event_id="EvSame", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert first.status == retried.status == 200
    await bot.api.wait_for(lambda: bool(bot.api.calls_to("chat.postEphemeral")))
    await asyncio.sleep(0.5)
    assert len(bot.api.calls_to("chat.postEphemeral")) == 1  # help goes to the asker alone, once


async def test_direct_message_is_answered_and_bot_messages_are_ignored(bot: Bot) -> None:
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "list", "ts": "2.1", "channel": "D1"}
    await bot.event(dm, event_id="EvDm")
    await bot.event({**dm, "bot_id": "B9", "ts": "2.2"}, event_id="EvBot")
    await bot.api.wait_for(lambda: bool(bot.api.calls_to("chat.postMessage")))
    await asyncio.sleep(0.3)
    [post] = bot.api.calls_to("chat.postMessage")
    assert post.params["channel"] == "D1" and "thread_ts" not in post.params


async def test_alert_delivered_escaped_then_marked_reviewed_in_place(
    bot: Bot, vendor_site: VendorSite, track: Track
) -> None:
    doc_id = (await track(TERMS)).document_id
    with session_scope(bot.engine) as session:
        subscribe(
            session, destination(session, Place(PLATFORM, TEAM, CHANNEL, "#compliance")), [], created_by="U1"
        )
    vendor_site.publish("/terms", HOSTILE)
    await check_documents(bot.engine, bot.settings, [doc_id])
    sender = SlackSender(bot.settings, None)
    assert await Deliverer(bot.engine, bot.settings, {PLATFORM: sender}).deliver_due() == 1
    [post] = bot.api.calls_to("chat.postMessage")
    sent = _texts(post.params["blocks"]) + post.params["text"]
    assert "<!channel>" not in sent and "<@U0BOSS>" not in sent and "<https://evil" not in sent
    assert "&lt;!channel&gt;" in sent and "&lt;@U0BOSS&gt;" in sent
    assert post.params["metadata"]["event_type"] == "clausewatch_alert"
    buttons = next(b for b in post.params["blocks"] if b["type"] == "actions")["elements"]
    reviewed = next(b for b in buttons if b["action_id"] == "mark_reviewed")

    response = await bot.action("mark_reviewed", reviewed["value"], name="review")
    assert response.status == 200
    await bot.api.wait_for(lambda: bool(bot.replies("review")))
    [replaced] = bot.replies("review")
    assert replaced["replace_original"] is True
    assert "Reviewed" in _texts(replaced["blocks"]) and "dana (U1)" in _texts(replaced["blocks"])
    assert "mark_reviewed" not in _texts(replaced["blocks"])
    with read_scope(bot.engine) as session:
        [review] = session.exec(select(Review)).all()
        assert (review.user_id, review.change_id) == ("U1", int(reviewed["value"]))


async def test_mute_button_needs_an_admin(bot: Bot, vendor_site: VendorSite, track: Track) -> None:
    await track(TERMS)
    await bot.action("mute_vendor", "acme", user="U2", name="mute")
    await bot.api.wait_for(lambda: bool(bot.replies("mute")))
    [reply] = bot.replies("mute")
    assert reply["response_type"] == "ephemeral" and "Only workspace admins" in reply["text"]
    bot.api.admins.add("U2")
    await bot.action("mute_vendor", "acme", user="U2", name="mute2")
    await bot.api.wait_for(lambda: bool(bot.replies("mute2")))
    assert "Muted Acme in #compliance" in bot.replies("mute2")[0]["text"]


async def test_app_home_shows_vendors_changes_and_subscriptions(
    bot: Bot, vendor_site: VendorSite, track: Track
) -> None:
    await track(TERMS)
    with session_scope(bot.engine) as session:
        subscribe(
            session, destination(session, Place(PLATFORM, TEAM, CHANNEL, "#compliance")), [], created_by="U1"
        )
    await bot.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}, event_id="EvHome"
    )
    await bot.api.wait_for(lambda: bool(bot.api.calls_to("views.publish")))
    [publish] = bot.api.calls_to("views.publish")
    view = publish.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = _texts(view["blocks"])
    assert view["type"] == "home" and "Tracked vendors (1)" in text and "Acme" in text
    assert "#compliance: every tracked vendor" in text


async def test_uninstall_stops_deliveries_to_the_workspace(
    bot: Bot, vendor_site: VendorSite, track: Track
) -> None:
    doc_id = (await track(TERMS)).document_id
    with session_scope(bot.engine) as session:
        subscribe(session, destination(session, Place(PLATFORM, TEAM, CHANNEL)), [], created_by="U1")
    await bot.event({"type": "app_uninstalled"}, event_id="EvGone")
    for _ in range(600):  # the event is acknowledged first and handled after (30 s on a loaded machine)
        with read_scope(bot.engine) as session:
            dest = session.exec(select(Destination)).one()
        if dest.state == "dead":
            break
        await asyncio.sleep(0.05)
    assert dest.state == "dead" and "uninstalled" in (dest.dead_reason or "")
    vendor_site.publish("/terms", HOSTILE)
    await check_documents(bot.engine, bot.settings, [doc_id])
    await Deliverer(bot.engine, bot.settings, {PLATFORM: SlackSender(bot.settings, None)}).deliver_due()
    assert bot.api.calls_to("chat.postMessage") == []
    with read_scope(bot.engine) as session:
        assert session.exec(select(Alert)).all() == []  # a dead destination gets no new alerts


async def test_sender_maps_rate_limits_and_removed_bots(settings: Settings, api: RecordingSlack) -> None:
    sender = SlackSender(slack_settings(settings, api), None)
    outgoing = Outgoing(PLATFORM, TEAM, CHANNEL, None, Message("Hello"), "clausewatch-1-1", attempt=1)
    api.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await sender.send(outgoing)
    assert limited.value.retry_after == 7
    api.fail("chat.postMessage", status=503)
    with pytest.raises(DeliveryFailed, match="503"):
        await sender.send(outgoing)
    api.fail("chat.postMessage", error="not_in_channel")
    with pytest.raises(DeadDestination):
        await sender.send(outgoing)


async def test_a_retried_send_does_not_post_twice(settings: Settings, api: RecordingSlack) -> None:
    sender = SlackSender(slack_settings(settings, api), None)
    first = Outgoing(PLATFORM, TEAM, CHANNEL, None, Message("Hello"), "clausewatch-1-1", attempt=1)
    sent = await sender.send(first)  # Slack took it; say the worker died before recording that
    again = await sender.send(Outgoing(**{**first.__dict__, "resend": True}))
    assert len(api.calls_to("chat.postMessage")) == 1
    assert again.message_ref == sent.message_ref


def test_long_replies_split_within_block_kit_limits() -> None:
    sentence = "The vendor may process Customer Content to provide the Services. "
    message = Message(
        "Answer", text=sentence * 120, quotes=tuple(Quote(sentence * 10, f"§ {i}") for i in range(60))
    )
    payloads = render(message)
    assert len(payloads) > 1
    for payload in payloads:
        assert len(payload["blocks"]) <= 50
        for block in payload["blocks"]:
            if "text" in block and block["text"]["type"] == "mrkdwn":
                assert len(block["text"]["text"]) <= 3000
    pieces = split(sentence * 120)
    assert all(piece.endswith("Services.") for piece in pieces)  # cut between sentences, never inside


def test_escape_neutralises_slack_markup() -> None:
    assert escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"


async def test_slack_needs_a_token_or_oauth_credentials(engine: Engine, settings: Settings) -> None:
    with pytest.raises(ClausewatchError, match="CLAUSEWATCH_SLACK_BOT_TOKEN"):
        build_server(
            engine,
            settings.model_copy(update={"slack_signing_secret": SECRET}),
            scheduler=False,
            delivery=False,
        )


async def test_slack_endpoints_are_not_served_without_a_signing_secret(
    engine: Engine, settings: Settings, serve: Serve
) -> None:
    url = await serve(build_server(engine, settings, scheduler=False, delivery=False))
    async with aiohttp.ClientSession() as http:
        assert (await http.post(f"{url}/slack/events", data="x")).status == 404
        assert (await http.get(f"{url}/healthz")).status == 200


@pytest.mark.parametrize("rotating", [False, True], ids=["plain", "rotating"])
async def test_oauth_install_stores_the_workspace_token(
    engine: Engine, settings: Settings, api: RecordingSlack, rotating: bool, serve: Serve
) -> None:
    """An install through /slack/install stores the workspace's token; with token rotation on, a token
    about to expire is refreshed before it is used."""
    api.rotate_tokens, api.token_lifetime = rotating, 600
    oauth = slack_settings(
        settings, api, slack_bot_token="", slack_client_id="111.222", slack_client_secret="shh"
    )
    app = build_server(engine, oauth, scheduler=False, delivery=False)
    url = await serve(app)
    async with aiohttp.ClientSession() as http:
        page = await http.get(f"{url}/slack/install")
        assert page.status == 200
        state = (await page.text()).split("state=")[1].split('"')[0].split("&")[0]
        # The state cookie is Secure (https in production); a browser on http would drop it.
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in page.cookies.items())
        done = await http.get(
            f"{url}/slack/oauth_redirect",
            params={"code": "c0de", "state": state},
            headers={"Cookie": cookie},
        )
        assert done.status == 200, await done.text()
        bot = Bot(url, api, engine, oauth, http)
        await bot.command("help", name="installed")
        await api.wait_for(lambda: bool(bot.replies("installed")))
    assert api.calls_to("oauth.v2.access")
    slack = app[ADAPTERS].slack
    assert slack is not None
    sender = slack.sender  # the worker's sender finds the installed workspace's token
    await sender.send(Outgoing(PLATFORM, TEAM, CHANNEL, None, Message("Hi"), "k", attempt=1))
    expected = "xoxb-rotated-" if rotating else f"xoxb-installed-{TEAM}"
    assert (api.calls_to("chat.postMessage")[-1].token or "").startswith(expected)
    with pytest.raises(DeadDestination, match="not installed"):
        await sender.send(Outgoing(PLATFORM, "T-other", CHANNEL, None, Message("Hi"), "k2", attempt=1))


async def test_malformed_signed_requests_get_400_and_nothing_is_done(bot: Bot) -> None:
    broken_json = await bot.post('{"type": "event_callback", "event": ', "application/json")
    broken_payload = await bot.post("payload=%7Bnot-json", "application/x-www-form-urlencoded")
    assert broken_json.status == broken_payload.status == 400
    await asyncio.sleep(0.3)
    assert bot.api.calls == [] and bot.api.responses == []


async def test_an_alert_whose_worker_died_after_slack_took_it_is_not_posted_again(
    bot: Bot, vendor_site: VendorSite, track: Track
) -> None:
    """The worker prepares and sends, Slack accepts, the worker dies before recording it; the next worker
    sees the send was started, finds the message in the channel's history and does not post it again."""
    doc_id = (await track(TERMS)).document_id
    with session_scope(bot.engine) as session:
        subscribe(session, destination(session, Place(PLATFORM, TEAM, CHANNEL)), [], created_by="U1")
    vendor_site.publish("/terms", HOSTILE)
    await check_documents(bot.engine, bot.settings, [doc_id])
    sender = SlackSender(bot.settings, None)
    dying = Deliverer(bot.engine, bot.settings, {PLATFORM: sender})
    claimed = dying._claim()
    with session_scope(bot.engine) as session:
        [(outgoing, _alert_ids)] = dying._prepare(session, claimed).values()
    assert not outgoing.resend
    await sender.send(outgoing)  # Slack has it; the worker dies here, before _settle
    with session_scope(bot.engine) as session:  # its lease runs out
        session.exec(update(Destination).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert await Deliverer(bot.engine, bot.settings, {PLATFORM: sender}).deliver_due() == 1
    assert len(bot.api.calls_to("chat.postMessage")) == 1
    assert bot.api.calls_to("conversations.history")
    with read_scope(bot.engine) as session:
        assert [a.state for a in session.exec(select(Alert)).all()] == ["sent"]
