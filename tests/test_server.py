"""``clausewatch serve`` over real HTTP on a free port: liveness, readiness, Prometheus metrics, request
ids, and the signed full-diff page an alert links to. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import select

from bots.server import policy_pages
from bots.server.app import build_server, logs
from core.alerts.signed_links import diff_url, link_key, signature
from core.config import Settings
from core.pipeline.check import CheckReport
from core.storage import database
from core.storage.database import read_scope, session_scope
from core.storage.models import Change
from tests import processes

Serve = Callable[[web.Application], Awaitable[str]]
"""The ``serve`` fixture: start an app on a free port, get its URL."""
Track = Callable[[str], Awaitable[CheckReport]]
"""The ``track`` fixture: publish a text as Acme's terms and check it."""

TERMS = """# Terms of Service

## 1. Your content

1.1 You own your content. We process it only to provide the service.

1.2 We do not use Customer Content to train artificial intelligence models.

## 2. Fees

2.1 Fees are due monthly. Late payments incur interest of 1% per month.
"""
CHANGED = TERMS.replace(
    "1.2 We do not use Customer Content to train artificial intelligence models.",
    "1.2 We may use Customer Content to train our artificial intelligence models <script>alert(1)</script>.",
).replace("1% per month", "2% per month")


@dataclass
class Server:
    url: str
    engine: Engine
    settings: Settings
    http: aiohttp.ClientSession


@pytest.fixture
async def server(engine: Engine, settings: Settings, serve: Serve) -> AsyncIterator[Server]:
    url = await serve(build_server(engine, settings, scheduler=False, delivery=False))
    settings = settings.model_copy(update={"public_url": url})
    async with aiohttp.ClientSession() as http:
        yield Server(url, engine, settings, http)


async def _change(track: Track) -> int:
    """Acme's terms tracked, then changed: the recorded change."""
    await track(TERMS)
    report = await track(CHANGED)
    assert report.change_id is not None
    return report.change_id


async def test_health_and_readiness(server: Server) -> None:
    health = await server.http.get(f"{server.url}/healthz")
    ready = await server.http.get(f"{server.url}/readyz")
    assert health.status == 200 and ready.status == 200
    assert (await ready.json())["schema"] == database.head_revision()


async def test_readiness_fails_when_the_schema_is_behind(server: Server) -> None:
    with server.engine.begin() as connection:
        connection.execute(sqlalchemy.text("update alembic_version set version_num = '0004'"))
    ready = await server.http.get(f"{server.url}/readyz")
    assert ready.status == 503 and "clausewatch db upgrade" in (await ready.json())["database"]


async def test_readiness_fails_when_the_database_is_unreachable(settings: Settings, serve: Serve) -> None:
    gone = database.make_engine("postgresql://nobody@127.0.0.1:1/none")
    url = await serve(build_server(gone, settings, scheduler=False, delivery=False))
    async with aiohttp.ClientSession() as http:
        ready = await http.get(f"{url}/readyz")
        assert ready.status == 503 and (await ready.json())["status"] == "unavailable"
        assert (await http.get(f"{url}/healthz")).status == 200  # alive, just not ready


async def test_metrics_count_checks_changes_and_alerts(server: Server, track: Track) -> None:
    await _change(track)
    response = await server.http.get(f"{server.url}/metrics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert "clausewatch_changes_total 1.0" in text and "clausewatch_ai_changes_total 1.0" in text
    assert re.search(r'clausewatch_checks_total\{outcome="changed"\} [1-9]', text)
    assert 'clausewatch_alerts{state="pending"} 0.0' in text
    assert "clausewatch_answer_seconds_bucket" in text and "clausewatch_fetch_errors_total" in text


async def test_request_ids_are_echoed_and_logged_as_json(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    given = await server.http.get(f"{server.url}/healthz", headers={"X-Request-Id": "req-123"})
    made = await server.http.get(f"{server.url}/healthz")
    assert given.headers["X-Request-Id"] == "req-123"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])
    formatter = logs.JsonFormatter()
    token = logs.REQUEST_ID.set("req-9")
    try:
        line = formatter.format(logs.logging.LogRecord("x", 20, __file__, 1, "hello %s", ("there",), None))
    finally:
        logs.REQUEST_ID.reset(token)
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "INFO",
        "logger": "x",
        "message": "hello there",
        "request_id": "req-9",
    }


async def test_diff_page_needs_a_valid_unexpired_signature(server: Server, track: Track) -> None:
    change_id = await _change(track)
    with session_scope(server.engine) as session:
        link = diff_url(session, server.settings, change_id)
        key = link_key(session, server.settings)
    page = await server.http.get(link)
    assert page.status == 200 and page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    body = await page.text()
    assert "AI training" in body and "<script>" not in body and "&lt;script&gt;" in body
    assert "<ins>may</ins>" in body or "<ins>" in body
    assert "Customer content used for training: No → Yes" in body

    bare = await server.http.get(f"{server.url}/changes/{change_id}")
    forged = await server.http.get(link.replace(f"/changes/{change_id}?", f"/changes/{change_id + 1}?"))
    expired = await server.http.get(
        f"{server.url}/changes/{change_id}?expires=1000&sig={signature(key, change_id, 1000)}"
    )
    assert [bare.status, forged.status, expired.status] == [403, 403, 403]
    assert "expired" in await expired.text()
    before = await server.http.get(link.replace("?", "/before?"))
    assert before.status == 200 and "We do not use Customer Content" in await before.text()


async def test_the_signing_key_is_made_once_and_shared(server: Server) -> None:
    with session_scope(server.engine) as session:
        first = link_key(session, server.settings)
    with session_scope(server.engine) as session:
        assert link_key(session, server.settings) == first
    configured = server.settings.model_copy(update={"link_secret": "from-the-environment"})
    with read_scope(server.engine) as session:
        assert link_key(session, configured) == b"from-the-environment"
        assert session.exec(select(Change)).all() == []


async def test_privacy_and_terms_pages_say_what_is_kept_and_escape_it(
    engine: Engine, settings: Settings, serve: Serve
) -> None:
    configured = settings.model_copy(
        update={"link_ttl_days": 7, "llm_model": "<b>gpt</b>", "llm_base_url": "http://llm.internal/v1"}
    )
    url = await serve(build_server(engine, configured, scheduler=False, delivery=False))
    async with aiohttp.ClientSession() as http:
        privacy, terms = await http.get(f"{url}/privacy"), await http.get(f"{url}/terms")
        assert (privacy.status, terms.status) == (200, 200)
        assert privacy.headers["Content-Type"].startswith("text/html")
        assert privacy.headers["Content-Security-Policy"].startswith("default-src 'none'")
        page, terms_text = await privacy.text(), await terms.text()
    assert "1 day, then deleted" in page  # the duplicate-event ids' period, from the code's constant
    assert "each link expires after 7 days" in page
    assert "&lt;b&gt;gpt&lt;/b&gt;" in page and "<b>gpt</b>" not in page
    assert "http://llm.internal/v1" in page
    assert "not legal advice" in terms_text


def test_the_privacy_page_accounts_for_every_table(engine: Engine, settings: Settings) -> None:
    tables = set(sqlalchemy.inspect(engine).get_table_names()) - {"alembic_version"}
    described = [table for record in policy_pages.records(settings) for table in record.tables]
    assert len(described) == len(set(described))
    assert set(described) == tables, "a table was added or renamed: say in policy_pages what it keeps"
    assert "No language model is configured" in policy_pages.privacy_page(settings)


@pytest.mark.parametrize(
    ("command", "probe", "settings", "says"),
    [
        (
            ("serve",),
            "/readyz",
            {"teams_emulator": "true", "public_url": "https://cw.example.com"},
            [
                "Slack off: CLAUSEWATCH_SLACK_SIGNING_SECRET is not set",
                "Teams on: /api/messages in EMULATOR mode, unauthenticated",
                "serving on http://127.0.0.1:{port} (public URL https://cw.example.com); "
                "scheduler on, delivery on",
                "worker starting: scheduler on, delivery on to webhook, teams",
                "SIGTERM received: shutting down "
                "(requests in flight get 30 s, the worker finishes its round)",
                "serve stopped",
            ],
        ),
        (
            ("worker", "--metrics-port", "{port}", "--no-scheduler"),
            "/metrics",
            {},
            [
                "Slack off: CLAUSEWATCH_SLACK_SIGNING_SECRET is not set",
                "Teams off: CLAUSEWATCH_TEAMS_APP_ID is not set (nor CLAUSEWATCH_TEAMS_EMULATOR)",
                "operator endpoints (/healthz, /readyz, /metrics) on http://127.0.0.1:{port}",
                "worker starting: scheduler off, delivery on to webhook",
                "SIGTERM received: finishing the round in progress, then stopping",
            ],
        ),
    ],
    ids=["serve", "worker"],
)
async def test_processes_log_what_is_on_and_stop_gracefully_on_sigterm(
    tmp_path: Path, command: tuple[str, ...], probe: str, settings: dict[str, str], says: list[str]
) -> None:
    """``serve`` (its own port) and ``worker --metrics-port`` say at start-up what is on and where, answer,
    then on SIGTERM say so and exit 0, logging JSON only and no traceback."""
    running = await processes.start(tmp_path, *command, **settings)
    await running.answers(probe)
    lines = await running.stop()
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    port = running.url.rsplit(":", 1)[1]
    messages = [line["message"] for line in lines]
    expected = [said.format(port=port) for said in says]
    said = [message for message in messages if message in expected]
    # The server and its worker start on threads of their own, so their start-up lines may come in either
    # order; the shutdown lines come after all of them, in order.
    shutdown = [i for i, message in enumerate(expected) if message.startswith(("SIGTERM", "serve stopped"))]
    assert sorted(said) == sorted(expected), messages
    assert said[shutdown[0] :] == expected[shutdown[0] :], messages


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"CLAUSEWATCH_DATABASE_URL": "not a url"}, "CLAUSEWATCH_DATABASE_URL is not a database URL"),
        ({"CLAUSEWATCH_SLACK_SIGNING_SECRET": "s"}, "CLAUSEWATCH_SLACK_BOT_TOKEN"),
        ({"CLAUSEWATCH_LOG_FORMAT": "xml"}, "CLAUSEWATCH_LOG_FORMAT is text or json"),
        ({"CLAUSEWATCH_PORT": "abc"}, "CLAUSEWATCH_PORT: Input should be a valid integer"),
        ({"CLAUSEWATCH_TEAMS_APP_ID": "x"}, "CLAUSEWATCH_TEAMS_APP_PASSWORD"),
    ],
)
def test_configuration_errors_stop_start_up_with_one_line(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    base = {**os.environ, "CLAUSEWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "COLUMNS": "300"}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("clausewatch")), "serve"],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ") and says in done.stderr
