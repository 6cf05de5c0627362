"""The full-diff page as a person sees it: the real server, a signed link, and a real headless Chromium
that loads it, dumps the DOM it rendered and takes a screenshot (kept in the test's folder).

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it when missing). Locally
without it the test is skipped; under ``CI=true`` it fails instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy.engine import Engine

from bots.server.app import build_server
from core.alerts.signed_links import diff_url
from core.config import Settings
from core.pipeline.check import CheckReport
from core.storage.database import session_scope

Serve = Callable[[web.Application], Awaitable[str]]
"""The ``serve`` fixture: start an app on a free port, get its URL."""

BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
TERMS = """# Terms of Service

## 4. Customer Content

4.1 You own your Customer Content.

4.2 We do not use Customer Content to train artificial intelligence models.

## 9. Fees

9.1 Fees are due monthly. Late payments incur interest of 1% per month.
"""
CHANGED = TERMS.replace(
    "4.2 We do not use Customer Content to train artificial intelligence models.",
    "4.2 You agree that we may use Customer Content and Service Generated Data to train and tune our "
    "artificial intelligence models.",
).replace("1% per month", "1.5% per month")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing: .ci/run installs Debian's chromium package", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium)")


async def _browse(chromium: str, url: str, out: Path, *args: str) -> bytes:
    process = await asyncio.create_subprocess_exec(
        chromium,
        *BROWSER_FLAGS,
        f"--user-data-dir={out / 'profile'}",
        *args,
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), 90)
    return stdout


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_diff_page_renders_in_chromium(
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    serve: Serve,
    track: Callable[[str], Awaitable[CheckReport]],
) -> None:
    chromium = _chromium()
    base = await serve(build_server(engine, settings, scheduler=False, delivery=False))
    await track(TERMS)
    report = await track(CHANGED)
    with session_scope(engine) as session:
        link = diff_url(session, settings.model_copy(update={"public_url": base}), report.change_id or 0)

    dom = (await _browse(chromium, link, tmp_path, "--dump-dom")).decode()
    shot = tmp_path / "diff-page.png"
    await _browse(chromium, link, tmp_path, f"--screenshot={shot}", "--window-size=1280,1100")
    assert "<h1>Acme Terms of Service</h1>" in dom
    assert 'class="badge">AI training</span>' in dom
    assert dom.index("AI training</span>") < dom.index("1.5%")  # AI-training clauses come first
    assert "<ins>" in dom and "<del>" in dom
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")
