"""A local "vendor website" serving terms as HTML pages, for the demo, tests and benchmarks.

Each page is Markdown rendered to HTML inside realistic site chrome (navigation, cookie banner, footer),
published at a path and replaceable at any time, with ETag support so conditional GETs are exercised.
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script>window.analytics = {{}};</script><style>body {{ font-family: sans-serif; }}</style></head>
<body>
<nav><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/legal">Legal</a></nav>
<div id="cookie-banner" class="cookie-consent">We use cookies. <button>Accept all cookies</button></div>
<main>{body}</main>
<footer>Copyright the vendor. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def render_page(markdown: str, title: str = "Legal") -> bytes:
    """A full HTML page around the rendered Markdown, as a vendor's site would serve it."""
    return PAGE.format(title=html.escape(title), body=_MARKDOWN.render(markdown)).encode("utf-8")


@dataclass
class VendorSite:
    """An aiohttp site on 127.0.0.1 whose pages can be published and replaced while it runs."""

    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    path_hits: Counter[str] = field(default_factory=Counter)
    _runner: web.AppRunner | None = None
    port: int = 0

    def publish(self, path: str, markdown: str, title: str = "Legal") -> None:
        """Serve ``markdown`` rendered as HTML at ``path`` from now on."""
        self.publish_raw(path, render_page(markdown, title))

    def publish_raw(self, path: str, body: bytes, content_type: str = "text/html") -> None:
        """Serve ``body`` as is at ``path`` (an error page, a PDF, a cookie wall...)."""
        self.pages[path] = (body, content_type)

    def redirect(self, path: str, location: str) -> None:
        """Answer ``path`` with a 302 to ``location`` (a moved page, or a hostile one)."""
        self.redirects[path] = location

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this site."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        self.path_hits[request.path] += 1
        if request.path in self.redirects:
            return web.Response(status=302, headers={"Location": self.redirects[request.path]})
        page = self.pages.get(request.path)
        if page is None:
            return web.Response(status=404, text="Page not found", content_type="text/html")
        body, content_type = page
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": content_type})

    async def start(self, port: int = 0) -> VendorSite:
        """Listen on 127.0.0.1 (a free port unless one is given)."""
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close the listening socket."""
        if self._runner is not None:
            await self._runner.cleanup()
