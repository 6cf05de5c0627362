"""Rendering vendors' pages in headless Chromium, for terms whose text is put in by JavaScript.

The page's document is fetched by the HTTP fetcher, so its limits, redirect checks and errors are exactly
fetch.py's; only then is it handed to Chromium (Debian's, driven by Playwright), which never reaches the
network itself. Every request the page makes (scripts, XHR, frames, its own navigations) is routed to a
guarded aiohttp session: each hop is checked by the SSRF guard and bodies are size-capped. Whatever
Playwright cannot route (WebSockets, preconnects) meets a proxy that is not there. The rendered DOM comes
back as an ordinary ``FetchResult``, so extraction, the page check and recording are unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING

import aiohttp
from yarl import URL

from core.config import Settings
from core.errors import BlockedAddressError, ClausewatchError, FetchError
from core.pipeline.fetch import (
    REDIRECT_STATUSES,
    Fetcher,
    FetchPolicy,
    FetchResult,
    checked_url,
    guarded_session,
    read_body,
    redirect_target,
    too_large,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Playwright, ProxySettings, Request, Route

log = logging.getLogger(__name__)

MISSING = (
    "the browser fetcher needs Playwright and Chromium: install clausewatch[browser] and Debian's chromium"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Chromium sends whatever escapes routing here, loopback included, and fails: port 9 (discard) is not served.
BLACK_HOLE: ProxySettings = {"server": "http://127.0.0.1:9", "bypass": "<-loopback>"}
# What a page's text can depend on; images, fonts, media, beacons and the like are not loaded at all.
LOADED_TYPES = frozenset({"document", "script", "stylesheet", "xhr", "fetch"})
# Set by the client per connection, or by aiohttp itself (it decodes what it asks for).
PER_CONNECTION = frozenset(
    {"host", "connection", "keep-alive", "content-length", "transfer-encoding", "upgrade"}
)
UNSENT_HEADERS = PER_CONNECTION | {"accept-encoding"}
UNPASSED_HEADERS = PER_CONNECTION | {"content-encoding"}


def _sent_headers(headers: dict[str, str]) -> dict[str, str]:
    """The page's request headers worth repeating; HTTP/2 pseudo-headers and per-connection ones are not."""
    return {
        name: value
        for name, value in headers.items()
        if not name.startswith(":") and name not in UNSENT_HEADERS
    }


def _passed_headers(response: aiohttp.ClientResponse) -> dict[str, str]:
    """The response headers Chromium gets; the body is already decoded, so its encoding and length are not.

    Repeated headers are joined the way Playwright reads them: Set-Cookie by newlines, the others by commas.
    """
    passed: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        if key in UNPASSED_HEADERS:
            continue
        joiner = "\n" if key == "set-cookie" else ", "
        passed[key] = f"{passed[key]}{joiner}{value}" if key in passed else value
    return passed


def _content_type(document: FetchResult) -> str:
    """The document's Content-Type as the HTTP fetcher read it, so Chromium decodes it the same way."""
    charset = f"; charset={document.charset}" if document.charset else ""
    return document.content_type + charset


class _PageRoutes:
    """Answers every request of one page: the document from the HTTP fetch, the rest through the guard."""

    def __init__(self, document: FetchResult, session: aiohttp.ClientSession, policy: FetchPolicy) -> None:
        self._document: FetchResult | None = document
        self._session = session
        self._policy = policy

    async def handle(self, route: Route) -> None:
        """Fulfil or abort one request; nothing is ever continued to Chromium's own network stack."""
        request = route.request
        document = self._document
        if document is not None and request.is_navigation_request() and request.frame.parent_frame is None:
            self._document = None  # the first top-level navigation is goto's; later ones are the page's own
            await route.fulfill(
                status=document.status, body=document.body, content_type=_content_type(document)
            )
            return
        if request.resource_type not in LOADED_TYPES:
            await route.abort("blockedbyclient")
            return
        try:
            status, headers, body = await self._forward(request)
        except (ClausewatchError, aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.info("browser: not loading %s: %s", request.url, error)
            await route.abort("blockedbyclient" if isinstance(error, BlockedAddressError) else "failed")
            return
        await route.fulfill(status=status, headers=headers, body=body)

    async def _forward(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        """Make the page's request with the guarded session, following redirects here, each hop checked.

        Why here: Chromium would follow a redirect it was given on its own, past the route handler.
        """
        policy = self._policy
        method, data = request.method, request.post_data_buffer
        headers = _sent_headers(await request.all_headers())
        url = checked_url(request.url, policy)
        for _hop in range(policy.max_redirects + 1):
            async with self._session.request(
                method, url, headers=headers, data=data, allow_redirects=False
            ) as response:
                if response.status not in REDIRECT_STATUSES:
                    body = await read_body(url, response, policy.max_bytes)
                    return response.status, _passed_headers(response), body
                target = redirect_target(url, response)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, data = "GET", None  # as browsers do
            url = checked_url(target, policy)
        raise FetchError(f"too many redirects (more than {policy.max_redirects}) fetching {request.url}")


class BrowserFetcher:
    """Fetches pages and renders them in one headless Chromium, launched on first use, a fresh context each.

    Use as ``async with BrowserFetcher(policy) as browser: await browser.fetch(url)``. PDFs and plain text
    need no rendering and come back from the HTTP fetch as they are.
    """

    def __init__(self, policy: FetchPolicy, *, chromium: str = "/usr/bin/chromium", pages: int = 2) -> None:
        self._policy = policy
        self._chromium = chromium
        self._pages = asyncio.Semaphore(pages)
        self._launching = asyncio.Lock()
        self._fetcher = Fetcher(policy)
        self._session: aiohttp.ClientSession | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> BrowserFetcher:
        """The fetch policy of the settings, their Chromium and how many pages it renders at once."""
        return cls(
            FetchPolicy.from_settings(settings),
            chromium=settings.chromium_path,
            pages=settings.browser_concurrency,
        )

    async def __aenter__(self) -> BrowserFetcher:
        """Open the HTTP fetcher and the guarded session for pages' requests; Chromium waits for a page."""
        policy = self._policy
        await self._fetcher.__aenter__()
        self._session = guarded_session(
            allow_private=policy.allow_private,
            allowed_networks=policy.allowed_networks,
            limit=policy.concurrency,
            timeout=policy.timeout,
            headers={aiohttp.hdrs.USER_AGENT: policy.user_agent},
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close Chromium, Playwright's driver and the sessions."""
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._fetcher.__aexit__(exc_type, exc, traceback)

    async def fetch(self, url: str) -> FetchResult:
        """Fetch ``url`` and, if it is HTML, the DOM Chromium renders from it (UTF-8, no validators).

        No validators: scripts can change the text while the document itself is unchanged, so a 304 would
        prove nothing.
        """
        document = await self._fetcher.fetch(url)
        if document.content_type != "text/html":
            return document
        async with self._pages:
            html = await self._render(await self._launched(), document)
        body = html.encode()
        if len(body) > self._policy.max_bytes:
            raise too_large(URL(document.url), self._policy.max_bytes)
        return FetchResult(document.url, document.status, "text/html", "utf-8", body, None, None)

    async def _launched(self) -> Browser:
        """The Chromium of this fetcher, launched by the first page that needs it."""
        async with self._launching:
            if self._browser is None:
                self._browser = await self._launch()
            return self._browser

    async def _launch(self) -> Browser:
        """Start Playwright's driver and Debian's Chromium (no browser download), or say what is missing."""
        try:
            from playwright.async_api import Error, async_playwright
        except ImportError:
            raise FetchError(f"{MISSING} (Playwright is not installed)") from None
        self._playwright = await async_playwright().start()
        try:
            return await self._playwright.chromium.launch(
                executable_path=self._chromium,
                args=list(FLAGS),
                proxy=BLACK_HOLE,
                timeout=self._policy.timeout * 1000,
            )
        except Error as error:
            raise FetchError(f"{MISSING} ({error.message.splitlines()[0]})") from None

    async def _render(self, browser: Browser, document: FetchResult) -> str:
        """Render the fetched document in a fresh context (no cookies, storage or cache from other pages)."""
        assert self._session is not None, "use the BrowserFetcher as an async context manager"
        context = await browser.new_context(
            user_agent=self._policy.user_agent, service_workers="block", accept_downloads=False
        )
        try:
            await context.route("**/*", _PageRoutes(document, self._session, self._policy).handle)
            return await self._load(await context.new_page(), document.url)
        finally:
            await context.close()

    async def _load(self, page: Page, url: str) -> str:
        """Load the page, let its requests settle within the fetch timeout, and read the DOM.

        A page that never goes quiet (polling, analytics) is read as it stands when the time is up.
        """
        from playwright.async_api import Error
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._policy.timeout
        try:
            await page.goto(url, wait_until="load", timeout=self._policy.timeout * 1000)
            remaining = deadline - loop.time()
            if remaining > 0:
                with suppress(PlaywrightTimeout):
                    await page.wait_for_load_state("networkidle", timeout=remaining * 1000)
            return await page.content()
        except PlaywrightTimeout:
            raise FetchError(f"timed out after {self._policy.timeout:g} s rendering {url}") from None
        except Error as error:
            raise FetchError(f"could not render {url}: {error.message.splitlines()[0]}") from None
