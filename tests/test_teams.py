"""The Teams adapter over real HTTP: the real clausewatch server with the real botbuilder stack, sent
activities shaped as Teams sends them, with ``serviceUrl`` pointing at a local stand-in for the Bot
Framework connector (``tests.standins.teams``) that records what the bot sends back. Runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import select

from bots.console.vendor_site import VendorSite
from bots.server.app import ADAPTERS, build_server
from bots.teams.bot import PLATFORM
from bots.teams.cards import CARD_BYTES, card, escape
from bots.teams.package import build_package
from core.alerts.delivery import DeadDestination, Deliverer, DeliveryFailed, Outgoing, RateLimited
from core.config import Settings
from core.errors import ClausewatchError
from core.messages import Message, Quote
from core.pipeline.check import CheckReport, check_documents
from core.storage.database import read_scope
from core.storage.models import Alert, Destination, Review, WorkspaceAdmin
from tests import processes
from tests.standins.teams import RecordingTeams

Serve = Callable[[web.Application], Awaitable[str]]
"""The ``serve`` fixture: start an app on a free port, get its URL."""
Track = Callable[[str], Awaitable[CheckReport]]
"""The ``track`` fixture: publish a text as Acme's terms and check it."""

ROOT = Path(__file__).resolve().parents[1]

TENANT = "tenant-1"
CHANNEL = "19:chan@thread.tacv2"
BOT = {"id": "28:bot-id", "name": "clausewatch"}
INSTALLER = {"id": "29:installer", "name": "Ina", "aadObjectId": "aad-ina"}
STRANGER = {"id": "29:stranger", "name": "Sam", "aadObjectId": "aad-sam"}
TERMS = """# Terms of Service

## 1. Your content

1.1 You own your content. We process it only to provide the service.

1.2 We do not use Customer Content to train artificial intelligence models.
"""
HOSTILE = TERMS.replace(
    "1.2 We do not use Customer Content to train artificial intelligence models.",
    "1.2 We may use Customer Content to train our artificial intelligence models "
    "[click here](https://evil.example) <at>Boss</at>.",
)
_ids = itertools.count(1)


@dataclass
class Bot:
    url: str
    api: RecordingTeams
    engine: Engine
    settings: Settings
    http: aiohttp.ClientSession
    app: web.Application

    def activity(self, kind: str, sender: dict[str, str] = INSTALLER, **fields: Any) -> dict[str, Any]:
        """An activity as Teams sends it for the #compliance channel of one team."""
        activity_id = f"17000000{next(_ids):05d}"
        return {
            "type": kind,
            "id": activity_id,
            "serviceUrl": self.api.url,
            "channelId": "msteams",
            "from": sender,
            "recipient": BOT,
            "conversation": {
                "isGroup": True,
                "conversationType": "channel",
                "id": f"{CHANNEL};messageid={activity_id}",
                "tenantId": TENANT,
            },
            "channelData": {
                "team": {"id": "19:team@thread.tacv2", "name": "Legal"},
                "channel": {"id": CHANNEL, "name": "compliance"},
                "tenant": {"id": TENANT},
            },
            **fields,
        }

    def message(self, text: str, sender: dict[str, str] = INSTALLER, **fields: Any) -> dict[str, Any]:
        mention = "<at>clausewatch</at>"
        return self.activity(
            "message",
            sender,
            text=f"{mention} {text}",
            entities=[{"type": "mention", "mentioned": BOT, "text": mention}],
            **fields,
        )

    async def post(self, activity: dict[str, Any] | str, **headers: str) -> aiohttp.ClientResponse:
        body = activity if isinstance(activity, str) else json.dumps(activity)
        return await self.http.post(
            f"{self.url}/api/messages", data=body, headers={"Content-Type": "application/json", **headers}
        )

    async def install(self) -> None:
        added = self.activity("conversationUpdate", membersAdded=[BOT])
        added["channelData"]["eventType"] = "teamMemberAdded"
        assert (await self.post(added)).status in (200, 201)

    def replies(self) -> list[str]:
        """Every card the bot sent, as JSON text."""
        return [json.dumps(body) for body in self.api.activities()]


@pytest.fixture
async def api() -> AsyncIterator[RecordingTeams]:
    api = await RecordingTeams().start()
    yield api
    await api.stop()


@pytest.fixture
async def bot(engine: Engine, settings: Settings, api: RecordingTeams, serve: Serve) -> AsyncIterator[Bot]:
    settings = settings.model_copy(update={"teams_emulator": True})
    app = build_server(engine, settings, scheduler=False, delivery=False)
    url = await serve(app)
    async with aiohttp.ClientSession() as http:
        yield Bot(url, api, engine, settings, http, app)


def _deliverer(bot: Bot) -> Deliverer:
    teams = bot.app[ADAPTERS].teams
    assert teams is not None
    return Deliverer(bot.engine, bot.settings, {PLATFORM: teams.sender})


async def test_mention_is_stripped_and_answered_with_a_card(bot: Bot) -> None:
    response = await bot.post(bot.message("help"))
    assert response.status in (200, 201)
    await bot.api.wait_for(lambda: bool(bot.api.activities()))
    [reply] = bot.api.activities()
    content = reply["attachments"][0]
    assert content["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "clausewatch commands" in json.dumps(content["content"])


async def test_install_stores_the_channel_and_seeds_the_installer_as_admin(bot: Bot) -> None:
    await bot.install()
    with read_scope(bot.engine) as session:
        [dest] = session.exec(select(Destination)).all()
        [admin] = session.exec(select(WorkspaceAdmin)).all()
    assert (dest.platform, dest.workspace, dest.address, dest.name) == (
        PLATFORM,
        TENANT,
        CHANNEL,
        "compliance",
    )
    assert dest.reference and dest.reference["serviceUrl"] == bot.api.url
    assert (admin.workspace, admin.user_id) == (TENANT, "aad-ina")


async def test_strangers_are_refused_admin_commands(bot: Bot) -> None:
    await bot.install()
    await bot.post(bot.message("track zoom", STRANGER))
    await bot.api.wait_for(lambda: bool(bot.api.activities()))
    assert "Only workspace admins" in bot.replies()[0]


async def test_proactive_alert_then_mark_reviewed_updates_the_card(
    bot: Bot, vendor_site: VendorSite, track: Track
) -> None:
    doc_id = (await track(TERMS)).document_id
    await bot.install()
    await bot.post(bot.message("subscribe acme"))
    await bot.api.wait_for(lambda: bool(bot.api.activities()))
    assert "Subscribed compliance" in bot.replies()[0]

    vendor_site.publish("/terms", HOSTILE)
    await check_documents(bot.engine, bot.settings, [doc_id])
    assert await _deliverer(bot).deliver_due() == 1
    alert = next(s for s in bot.api.sent if s.method == "POST" and s.conversation_id == CHANNEL)
    text = json.dumps(alert.body)
    assert "[click here](https://evil.example)" not in text and "<at>Boss</at>" not in text
    assert "\\\\[click here\\\\]" in text and "&lt;at&gt;Boss&lt;/at&gt;" in text
    actions = alert.body["attachments"][0]["content"]["actions"]
    review = next(a for a in actions if a.get("data", {}).get("clausewatch_action") == "mark_reviewed")

    with read_scope(bot.engine) as session:
        posted_id = session.exec(select(Alert.message_ref)).one()  # the id the connector gave the alert
    assert posted_id
    press = bot.activity("message", INSTALLER, value=review["data"], replyToId=posted_id)
    assert (await bot.post(press)).status in (200, 201)
    await bot.api.wait_for(lambda: bool(bot.api.updates()))
    [update] = bot.api.updates()
    assert update.activity_id == posted_id and "Reviewed" in json.dumps(update.body)
    with read_scope(bot.engine) as session:
        [row] = session.exec(select(Review)).all()
    assert row.user_id == "aad-ina"

    # the same command typed in the alert's thread answers there; only a card's button replaces a card
    replies_before = len(bot.api.activities())
    await bot.post(bot.message(f"review {review['data']['value']}", replyToId=posted_id))
    await bot.api.wait_for(lambda: len(bot.api.activities()) > replies_before)
    assert len(bot.api.updates()) == 1


async def test_removed_bot_gets_no_more_alerts(bot: Bot, vendor_site: VendorSite, track: Track) -> None:
    doc_id = (await track(TERMS)).document_id
    await bot.install()
    await bot.post(bot.message("subscribe"))
    await bot.api.wait_for(lambda: bool(bot.api.activities()))
    removed = bot.activity("installationUpdate", action="remove")
    assert (await bot.post(removed)).status in (200, 201)
    with read_scope(bot.engine) as session:
        dest = session.exec(select(Destination)).one()
    assert dest.state == "dead"
    vendor_site.publish("/terms", HOSTILE)
    await check_documents(bot.engine, bot.settings, [doc_id])
    sent_before = len(bot.api.sent)
    await _deliverer(bot).deliver_due()
    assert len(bot.api.sent) == sent_before


async def test_malformed_activities_get_400_and_nothing_is_stored(bot: Bot) -> None:
    assert (await bot.post('{"type": "message", ')).status == 400
    assert (await bot.post(json.dumps(["not", "an", "activity"]))).status == 400
    assert (await bot.post(json.dumps({"text": "no type"}))).status == 400
    plain = await bot.http.post(f"{bot.url}/api/messages", data="hi", headers={"Content-Type": "text/plain"})
    assert plain.status == 415
    with read_scope(bot.engine) as session:
        assert session.exec(select(Destination)).all() == []
    assert bot.api.sent == []


async def test_with_an_app_id_requests_need_a_valid_token(
    engine: Engine, settings: Settings, api: RecordingTeams, serve: Serve
) -> None:
    secured = settings.model_copy(
        update={"teams_app_id": "00000000-0000-0000-0000-000000000001", "teams_app_password": "pw"}
    )
    url = await serve(build_server(engine, secured, scheduler=False, delivery=False))
    async with aiohttp.ClientSession() as http:
        activity = json.dumps(
            {
                "type": "message",
                "text": "help",
                "serviceUrl": api.url,
                "channelId": "msteams",
                "conversation": {"id": CHANNEL},
                "from": INSTALLER,
                "recipient": BOT,
            }
        )
        none = await http.post(
            f"{url}/api/messages", data=activity, headers={"Content-Type": "application/json"}
        )
        bad = await http.post(
            f"{url}/api/messages",
            data=activity,
            headers={"Content-Type": "application/json", "Authorization": "Bearer not.a.jwt"},
        )
        assert [none.status, bad.status] == [401, 401]
    assert api.sent == []


async def test_teams_is_not_served_without_an_app_id_or_emulator_mode(
    engine: Engine, settings: Settings, serve: Serve
) -> None:
    url = await serve(build_server(engine, settings, scheduler=False, delivery=False))
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{url}/api/messages", json={"type": "message"})
        assert response.status == 404


async def test_an_app_id_needs_its_password(engine: Engine, settings: Settings) -> None:
    with pytest.raises(ClausewatchError, match="CLAUSEWATCH_TEAMS_APP_PASSWORD"):
        build_server(
            engine, settings.model_copy(update={"teams_app_id": "x"}), scheduler=False, delivery=False
        )


async def test_sender_maps_429_and_removed_bots(bot: Bot) -> None:
    await bot.install()
    with read_scope(bot.engine) as session:
        reference = session.exec(select(Destination)).one().reference
    outgoing = Outgoing(PLATFORM, TENANT, CHANNEL, reference, Message("Hello"), "k1", attempt=1)
    teams = bot.app[ADAPTERS].teams
    assert teams is not None
    bot.api.fail(status=429, retry_after=4)
    with pytest.raises(RateLimited) as limited:
        await teams.sender.send(outgoing)
    assert limited.value.retry_after == 4
    bot.api.fail(status=500)  # a plain-text error page, which msrest cannot deserialise
    with pytest.raises(DeliveryFailed, match="error page"):
        await teams.sender.send(outgoing)
    bot.api.fail(status=403)
    with pytest.raises(DeadDestination):
        await teams.sender.send(outgoing)
    sent = await teams.sender.send(outgoing)
    assert sent.message_ref


def test_cards_stay_under_the_size_limit_and_escape_markdown() -> None:
    big = Message("Alert", quotes=tuple(Quote("word " * 400, f"§ {i}") for i in range(40)))
    built = card(big)
    assert len(json.dumps(built).encode()) <= CARD_BYTES
    assert "more quoted clauses are in the full diff" in json.dumps(built)
    assert escape("[a](b) <at>x</at> 2.5%") == "\\[a\\](b) &lt;at&gt;x&lt;/at&gt; 2.5%"
    assert escape("- item\n1. first\n# head") == "\\- item\n1\\. first\n\\# head"


async def test_a_redelivered_message_is_answered_once(bot: Bot) -> None:
    message = bot.message("help")
    await bot.post(message)
    await bot.post(message)
    await bot.api.wait_for(lambda: bool(bot.api.activities()))
    await asyncio.sleep(0.3)
    assert len(bot.api.activities()) == 1


APP_ID = "0a1b2c3d-0000-4000-8000-000000000001"
PAGES = {"privacy_url": "https://bot.example.com/privacy", "terms_url": "https://bot.example.com/terms"}


def test_app_package_has_the_ids_and_icons(tmp_path: Path) -> None:
    out = build_package(APP_ID, "bot.example.com", tmp_path / "app.zip", **PAGES)
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        sizes = [struct.unpack(">II", package.read(name)[16:24]) for name in ("color.png", "outline.png")]
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["bot.example.com"]
    assert (manifest["developer"]["privacyUrl"], manifest["developer"]["termsOfUseUrl"]) == (
        PAGES["privacy_url"],
        PAGES["terms_url"],
    )
    assert {c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]} >= {
        "help",
        "track",
        "subscribe",
    }
    assert sizes == [(192, 192), (32, 32)]
    with pytest.raises(ClausewatchError, match="GUID"):
        build_package("not-a-guid", "bot.example.com", tmp_path / "bad.zip", **PAGES)
    with pytest.raises(ClausewatchError, match=r"HTTPS address .* CLAUSEWATCH_PRIVACY_URL"):
        build_package(
            APP_ID, "bot.example.com", tmp_path / "bad.zip", **PAGES | {"privacy_url": "http://x/p"}
        )


def test_teams_package_runs_from_an_installed_wheel_outside_the_checkout(tmp_path: Path) -> None:
    """The template is package data: the wheel alone, installed elsewhere and run from an unrelated folder,
    builds the package, with the privacy and terms pages at the public URL (or the settings naming them)."""
    wheels, site, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    [wheel] = wheels.glob("clausewatch-*.whl")
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    # The installed copy comes first on the path, ahead of the editable install of this checkout.
    program = (
        f"import sys; sys.path.insert(0, {str(site)!r}); import bots; "
        f"assert bots.__file__.startswith({str(site)!r}), bots.__file__; "
        "from bots.console.cli import main; main()"
    )
    env = {
        **os.environ,
        "CLAUSEWATCH_PUBLIC_URL": "https://bot.example.com/",
        "CLAUSEWATCH_TERMS_URL": "https://example.org/legal/terms",
    }
    done = subprocess.run(
        [sys.executable, "-c", program, "teams-package", "--app-id", APP_ID],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(work / "clausewatch-teams.zip") as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["validDomains"] == ["bot.example.com"]
    assert manifest["developer"]["privacyUrl"] == "https://bot.example.com/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://example.org/legal/terms"


async def test_an_unreachable_service_url_is_one_log_line_and_a_502(tmp_path: Path) -> None:
    """The real ``serve`` process (botbuilder and all) answers a message whose ``serviceUrl`` refuses
    connections: botbuilder's retries and the failed reply are one warning, the request a 502, and the log
    holds no traceback (``processes.stop`` checks that)."""
    running = await processes.start(tmp_path, "serve", teams_emulator="true")
    await running.answers("/healthz")
    closed = f"http://127.0.0.1:{processes.free_port()}/"
    activity = {
        "type": "message",
        "id": "1700000099999",
        "text": "help",
        "serviceUrl": closed,
        "channelId": "msteams",
        "from": INSTALLER,
        "recipient": BOT,
        "conversation": {"id": "a:personal-chat", "conversationType": "personal", "tenantId": TENANT},
    }
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        response = await http.post(
            f"{running.url}/api/messages", json=activity, headers={"X-Request-Id": "unreachable-1"}
        )
        took = time.monotonic() - started
        assert response.status == 502, await response.text()
    lines = await running.stop()
    [line] = [line for line in lines if line.get("request_id") == "unreachable-1"]
    assert line["level"] == "WARNING" and line["logger"] == "bots.teams.app"
    assert f"the Bot Framework connector at {closed} is unreachable (ClientRequestError)" in line["message"]
    assert not [line for line in lines if "error" in line or line["level"] in ("ERROR", "CRITICAL")]
    assert took < 30  # botbuilder's own connect retries (about 5 s), once: no second attempt to apologise
