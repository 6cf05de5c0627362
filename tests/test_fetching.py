"""Tests for the fetching stage, against real aiohttp servers on 127.0.0.1 started by each test."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from pytest_aiohttp import AiohttpServer

from core.errors import BlockedAddressError, ClausewatchError, FetchError, UnsupportedContentError
from core.pipeline import fetch as fetching
from core.pipeline.fetch import (
    Fetcher,
    FetchPolicy,
    GuardedResolver,
    blocked_reason,
    ip_literal,
    retry_after_seconds,
    sniff_content_type,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Local test servers are private addresses, so most tests opt in; the SSRF tests build their own policy.
LOCAL = FetchPolicy(timeout=2.0, retries=2, backoff=0.01, allow_private=True)


@dataclass
class Served:
    """A running test server and what it saw."""

    base: str
    requests: list[web.Request]

    @property
    def hits(self) -> int:
        """How many requests reached the server."""
        return len(self.requests)


@pytest.fixture
def serve(aiohttp_server: AiohttpServer) -> Callable[..., Awaitable[Served]]:
    """Start a server whose routes map paths to handlers; every request is recorded before handling."""

    async def start(routes: dict[str, Handler], **kwargs: Any) -> Served:
        requests: list[web.Request] = []

        def recorded(handler: Handler) -> Handler:
            async def handle(request: web.Request) -> web.StreamResponse:
                requests.append(request)
                return await handler(request)

            return handle

        app = web.Application()
        for path, handler in routes.items():
            app.router.add_get(path, recorded(handler))
        server = await aiohttp_server(app, **kwargs)
        return Served(base=str(server.make_url("")).rstrip("/"), requests=requests)

    return start


async def fetch(url: str, policy: FetchPolicy = LOCAL, **kwargs: str) -> fetching.FetchResult:
    """Fetch one URL with a fresh fetcher."""
    async with Fetcher(policy) as fetcher:
        return await fetcher.fetch(url, **kwargs)


def html(
    text: str = "<html><body>Terms</body></html>",
    *,
    charset: str | None = None,
    headers: dict[str, str] | None = None,
) -> Handler:
    """A handler answering with a fixed HTML page."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(text=text, content_type="text/html", charset=charset, headers=headers)

    return handle


def statuses(*codes: int, headers: dict[str, str] | None = None) -> Handler:
    """A handler answering with the given statuses in turn, then 200 with a page."""
    remaining = list(codes)

    async def handle(request: web.Request) -> web.StreamResponse:
        if remaining:
            return web.Response(status=remaining.pop(0), text="error", headers=headers)
        return web.Response(text="<html>ok</html>", content_type="text/html")

    return handle


def assert_one_line(error: Exception) -> None:
    """User-facing messages are single lines without exception reprs."""
    message = str(error)
    assert message
    assert "\n" not in message
    assert "Error(" not in message
    assert "ConnectionKey" not in message


# --- Successful fetches --------------------------------------------------------------------------------


async def test_fetches_html_with_charset_and_validators(serve: Callable[..., Awaitable[Served]]) -> None:
    headers = {"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"}
    served = await serve({"/terms": html("<html>Café</html>", charset="iso-8859-1", headers=headers)})

    result = await fetch(f"{served.base}/terms")

    assert result.status == 200
    assert result.url == f"{served.base}/terms"
    assert result.content_type == "text/html"
    assert result.charset == "iso-8859-1"
    assert result.body == "<html>Café</html>".encode("iso-8859-1")
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 01 May 2024 10:00:00 GMT"
    assert not result.not_modified


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("application/xhtml+xml", "text/html"),
        ("application/pdf", "application/pdf"),
        ("text/plain", "text/plain"),
        ("text/markdown", "text/plain"),
        ("TEXT/HTML", "text/html"),
    ],
)
async def test_normalises_supported_content_types(
    serve: Callable[..., Awaitable[Served]], declared: str, expected: str
) -> None:
    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"content", headers={"Content-Type": declared})

    served = await serve({"/": handle})

    result = await fetch(f"{served.base}/")

    assert result.content_type == expected
    assert result.charset is None
    assert result.body == b"content"


async def test_sends_user_agent_and_accept(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": html()})

    await fetch(f"{served.base}/", replace(LOCAL, user_agent="clausewatch-test/1.0 (+https://example.org)"))

    request = served.requests[0]
    assert request.headers["User-Agent"] == "clausewatch-test/1.0 (+https://example.org)"
    accept = request.headers["Accept"]
    assert accept.startswith("text/html")
    assert "application/pdf" in accept
    assert "text/plain" in accept


async def test_conditional_get_returns_304(serve: Callable[..., Awaitable[Served]]) -> None:
    async def handle(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(text="<html>new</html>", content_type="text/html", headers={"ETag": '"v2"'})

    served = await serve({"/": handle})
    since = "Wed, 01 May 2024 10:00:00 GMT"

    unchanged = await fetch(f"{served.base}/", etag='"v1"', last_modified=since)
    changed = await fetch(f"{served.base}/", etag='"v0"')

    assert unchanged.status == 304
    assert unchanged.not_modified
    assert unchanged.body == b""
    assert unchanged.etag == '"v1"'
    assert unchanged.last_modified == since
    assert served.requests[0].headers["If-Modified-Since"] == since
    assert changed.status == 200
    assert changed.etag == '"v2"'


async def test_unconditional_get_sends_no_validators(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": html()})

    await fetch(f"{served.base}/")

    assert "If-None-Match" not in served.requests[0].headers
    assert "If-Modified-Since" not in served.requests[0].headers


@asynccontextmanager
async def raw_server(payload: bytes) -> AsyncIterator[str]:
    """A bare TCP server sending a fixed HTTP response, for responses aiohttp.web will not produce."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(payload)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\n  <!DOCTYPE html><html></html>", "text/html"),
        (b"Terms of service\n", "text/plain"),
    ],
)
async def test_sniffs_missing_content_type(body: bytes, expected: str) -> None:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    async with raw_server(head + body) as url:
        result = await fetch(url)

    assert result.content_type == expected
    assert result.charset is None
    assert result.body == body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"%PDF-1.4", "application/pdf"),
        (b"\xef\xbb\xbf<HTML lang=en>", "text/html"),
        (b"<!doctype html>", "text/html"),
        (b"<p>fragment</p>", "text/plain"),
        (b"", "text/plain"),
    ],
)
def test_sniff_content_type(body: bytes, expected: str) -> None:
    assert sniff_content_type(body) == expected


# --- Redirects -------------------------------------------------------------------------------------------


def redirect(location: str, status: int = 302) -> Handler:
    """A handler redirecting to ``location``."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handle


async def test_follows_redirect_chain_to_final_url(serve: Callable[..., Awaitable[Served]]) -> None:
    async def to_absolute(request: web.Request) -> web.StreamResponse:
        return web.Response(status=301, headers={"Location": f"{request.url.origin()}/final?x=1"})

    served = await serve({"/start": redirect("/middle", 307), "/middle": to_absolute, "/final": html()})

    result = await fetch(f"{served.base}/start", etag='"v1"')

    assert result.url == f"{served.base}/final?x=1"
    assert result.status == 200
    assert [r.path for r in served.requests] == ["/start", "/middle", "/final"]
    assert all(r.headers.get("If-None-Match") == '"v1"' for r in served.requests)


async def test_redirect_loop_raises_fetch_error(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/a": redirect("/b"), "/b": redirect("/a")})

    with pytest.raises(FetchError, match="too many redirects") as caught:
        await fetch(f"{served.base}/a", replace(LOCAL, max_redirects=3))

    assert served.hits == 4
    assert_one_line(caught.value)


async def test_redirect_limit_allows_exactly_max_redirects(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/1": redirect("/2"), "/2": redirect("/3"), "/3": html()})

    result = await fetch(f"{served.base}/1", replace(LOCAL, max_redirects=2))

    assert result.url.endswith("/3")


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.org/terms"])
async def test_redirect_to_other_scheme_is_refused(
    serve: Callable[..., Awaitable[Served]], location: str
) -> None:
    served = await serve({"/": redirect(location)})

    with pytest.raises(FetchError, match="not an absolute http"):
        await fetch(f"{served.base}/")

    assert served.hits == 1


async def test_redirect_without_location_is_an_error(serve: Callable[..., Awaitable[Served]]) -> None:
    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(status=302)

    served = await serve({"/": handle})

    with pytest.raises(FetchError, match="without a Location header"):
        await fetch(f"{served.base}/")


@pytest.mark.parametrize(
    "url", ["ftp://example.org/terms", "file:///etc/passwd", "/relative/path", "http://"]
)
async def test_rejects_non_http_urls(url: str) -> None:
    with pytest.raises(FetchError):
        await fetch(url)


# --- Retries ---------------------------------------------------------------------------------------------


async def test_retries_500_then_succeeds(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": statuses(500)})

    result = await fetch(f"{served.base}/")

    assert result.status == 200
    assert served.hits == 2


async def test_gives_up_after_retries(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": statuses(502, 502, 502, 502)})

    with pytest.raises(FetchError) as caught:
        await fetch(f"{served.base}/", replace(LOCAL, retries=2))

    assert str(caught.value) == f"HTTP 502 from {served.base}/"
    assert served.hits == 3


async def test_404_is_not_retried(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/terms": statuses(404, 404, 404)})

    with pytest.raises(FetchError) as caught:
        await fetch(f"{served.base}/terms")

    assert str(caught.value) == f"HTTP 404 from {served.base}/terms"
    assert served.hits == 1


async def test_honours_short_retry_after(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": statuses(503, headers={"Retry-After": "1"})})
    loop = asyncio.get_running_loop()
    started = loop.time()

    result = await fetch(f"{served.base}/")

    assert result.status == 200
    assert served.hits == 2
    assert loop.time() - started >= 1.0


async def test_long_retry_after_gives_up_at_once(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": statuses(429, headers={"Retry-After": "3600"})})

    with pytest.raises(FetchError, match="HTTP 429 from"):
        await fetch(f"{served.base}/")

    assert served.hits == 1


async def test_timeout_is_retried_then_reported(serve: Callable[..., Awaitable[Served]]) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(2)
        return web.Response(text="late")

    served = await serve({"/": slow})

    with pytest.raises(FetchError, match=r"timed out after 0.2 s fetching http://127\.0\.0\.1") as caught:
        await fetch(f"{served.base}/", replace(LOCAL, timeout=0.2, retries=1))

    assert served.hits == 2
    assert_one_line(caught.value)


def free_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_error_is_retried_and_reported_in_one_line() -> None:
    port = free_port()

    with pytest.raises(FetchError) as caught:
        await fetch(f"http://127.0.0.1:{port}/", replace(LOCAL, retries=1))

    assert str(caught.value).startswith(f"could not fetch http://127.0.0.1:{port}/: could not connect")
    assert "Connection refused" in str(caught.value)
    assert_one_line(caught.value)


async def test_unresolvable_host_is_reported_in_one_line() -> None:
    with pytest.raises(FetchError, match=r"could not resolve nonexistent\.invalid") as caught:
        await fetch("http://nonexistent.invalid/", replace(LOCAL, retries=0))

    assert_one_line(caught.value)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nshort", "cut off"),
        (b"HELLO\r\n\r\n", "invalid response (Bad status line)"),
    ],
)
async def test_broken_responses_are_reported_in_one_line(payload: bytes, reason: str) -> None:
    async with raw_server(payload) as url:
        with pytest.raises(FetchError) as caught:
            await fetch(url, replace(LOCAL, retries=1))

    assert str(caught.value).startswith(f"could not fetch {url}: ")
    assert reason in str(caught.value)
    assert_one_line(caught.value)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_tls_failure_is_not_retried(serve: Callable[..., Awaitable[Served]], tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    served = await serve({"/": html()}, ssl=context)

    with pytest.raises(
        FetchError, match=r"TLS error fetching https://127\.0\.0\.1.*CERTIFICATE_VERIFY_FAILED"
    ) as e:
        await fetch(f"{served.base}/")

    assert served.hits == 0
    assert_one_line(e.value)


# --- Size and type limits --------------------------------------------------------------------------------


async def test_rejects_declared_length_over_limit(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": html("x" * 5000)})

    with pytest.raises(UnsupportedContentError, match=r"larger than 0\.000954 MB"):
        await fetch(f"{served.base}/", replace(LOCAL, max_bytes=1000))

    assert served.hits == 1


async def test_stops_streamed_body_over_limit(serve: Callable[..., Awaitable[Served]]) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(100):
            await response.write(b"x" * 1024)
        return response

    served = await serve({"/": endless})

    with pytest.raises(UnsupportedContentError, match=r"larger than 0\.00977 MB") as caught:
        await fetch(f"{served.base}/", replace(LOCAL, max_bytes=10 * 1024))

    assert_one_line(caught.value)


async def test_body_exactly_at_limit_is_accepted(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": html("x" * 1000)})

    result = await fetch(f"{served.base}/", replace(LOCAL, max_bytes=1000))

    assert len(result.body) == 1000


async def test_rejects_unsupported_content_type(serve: Callable[..., Awaitable[Served]]) -> None:
    async def png(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\x89PNG\r\n", content_type="image/png")

    served = await serve({"/logo.png": png})

    with pytest.raises(UnsupportedContentError) as caught:
        await fetch(f"{served.base}/logo.png")

    assert str(caught.value) == f"{served.base}/logo.png is image/png, not HTML, PDF or plain text"
    assert served.hits == 1


# --- Concurrency -----------------------------------------------------------------------------------------


async def test_per_host_limit_is_shared_across_fetches(serve: Callable[..., Awaitable[Served]]) -> None:
    in_flight = 0
    peak = 0

    async def slow(request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return web.Response(text="<html>ok</html>", content_type="text/html")

    served = await serve({"/": slow})

    async with Fetcher(replace(LOCAL, per_host=2, concurrency=10)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(f"{served.base}/") for _ in range(6)))

    assert [r.status for r in results] == [200] * 6
    assert peak == 2


async def test_fetch_outside_context_manager_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="async context manager"):
        await Fetcher(LOCAL).fetch("http://example.org/")


# --- SSRF guard ------------------------------------------------------------------------------------------

GUARDED = replace(LOCAL, allow_private=False, retries=2)


async def test_private_ip_literal_is_refused_with_explanation() -> None:
    with pytest.raises(BlockedAddressError) as caught:
        await fetch("http://10.0.0.1/terms", GUARDED)

    assert str(caught.value) == (
        "refusing to fetch http://10.0.0.1/terms: 10.0.0.1 is a private address; "
        "set CLAUSEWATCH_ALLOW_PRIVATE_URLS=true to allow it"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "127.1", "2130706433", "0x7f.0.0.1"])
async def test_loopback_literals_are_refused_without_hitting_the_server(
    serve: Callable[..., Awaitable[Served]], host: str
) -> None:
    served = await serve({"/": html()})
    port = served.base.rsplit(":", 1)[1]

    with pytest.raises(BlockedAddressError, match="is a loopback address"):
        await fetch(f"http://{host}:{port}/", GUARDED)

    assert served.hits == 0


async def test_hostname_resolving_to_loopback_is_refused(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": html()})
    port = served.base.rsplit(":", 1)[1]
    url = f"http://localhost:{port}/terms"

    with pytest.raises(BlockedAddressError) as caught:
        await fetch(url, GUARDED)

    message = str(caught.value)
    assert message.startswith(f"refusing to fetch {url}: ")
    assert "is a loopback address; set CLAUSEWATCH_ALLOW_PRIVATE_URLS=true" in message
    assert served.hits == 0


async def test_allow_private_reaches_local_servers(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": html()})
    port = served.base.rsplit(":", 1)[1]

    result = await fetch(f"http://localhost:{port}/", replace(GUARDED, allow_private=True))

    assert result.status == 200


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "private"),
        ("192.168.1.20", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:a9fe:a9fe::", "link-local"),
        ("64:ff9b::a00:1", "private"),
    ],
)
def test_blocked_reason_names_the_kind(address: str, kind: str) -> None:
    parsed = ipaddress.ip_address(address)

    reason = blocked_reason(parsed)

    assert reason is not None
    assert reason.startswith(f"{parsed} ")
    assert reason.endswith(f" {kind} address")


def test_blocked_reason_shows_the_ipv4_behind_a_mapped_address() -> None:
    mapped = ipaddress.ip_address("::ffff:10.0.0.1")

    assert blocked_reason(mapped) == f"{mapped} (10.0.0.1) is a private address"


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_blocked_reason_allows_public_addresses(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("::1", "::1"),
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("example.org", None),
        ("localhost", None),
    ],
)
def test_ip_literal(host: str, expected: str | None) -> None:
    address = ip_literal(host)

    assert (str(address) if address else None) == expected


class StaticResolver(AbstractResolver):
    """Answers every name from a fixed table, standing in for DNS."""

    table: ClassVar[dict[str, list[str]]] = {}
    lookups: ClassVar[list[str]] = []
    closed: ClassVar[bool] = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        if host not in self.table:
            raise OSError(f"unknown host {host}")
        return [
            ResolveResult(hostname=host, host=address, port=port, family=family, proto=0, flags=0)
            for address in self.table[host]
        ]

    async def close(self) -> None:
        type(self).closed = True


async def test_resolver_passes_public_answers_through() -> None:
    StaticResolver.table = {"vendor.example": ["93.184.216.34", "2606:2800:220:1::1"]}
    resolver = GuardedResolver(StaticResolver())

    results = await resolver.resolve("vendor.example", 443)

    assert [r["host"] for r in results] == ["93.184.216.34", "2606:2800:220:1::1"]
    assert all(r["port"] == 443 for r in results)


async def test_resolver_refuses_if_any_answer_is_private() -> None:
    StaticResolver.table = {"rebind.example": ["93.184.216.34", "10.1.2.3"]}
    resolver = GuardedResolver(StaticResolver())

    with pytest.raises(BlockedAddressError, match=r"rebind\.example: 10\.1\.2\.3 is a private address"):
        await resolver.resolve("rebind.example", 80)


async def test_resolver_close_closes_the_wrapped_resolver() -> None:
    StaticResolver.closed = False

    await GuardedResolver(StaticResolver()).close()

    assert StaticResolver.closed


async def test_default_resolver_blocks_localhost() -> None:
    resolver = GuardedResolver()
    try:
        with pytest.raises(BlockedAddressError, match="is a loopback address"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()


# The operator allows only 127.0.0.1 (where the local "vendor" listens); names come from StaticResolver in
# place of DNS, so every other address still goes through the real check.
VENDOR_ONLY = replace(LOCAL, allow_private=False, allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))


async def fetch_via_dns(url: str, policy: FetchPolicy = VENDOR_ONLY) -> fetching.FetchResult:
    """Fetch one URL with names resolved by ``StaticResolver``."""
    async with Fetcher(policy, dns=StaticResolver()) as fetcher:
        return await fetcher.fetch(url)


@pytest.fixture
def vendor_dns() -> None:
    StaticResolver.table = {"vendor.example": ["127.0.0.1"], "intranet.example": ["10.1.2.3"]}
    StaticResolver.lookups = []


@pytest.mark.usefixtures("vendor_dns")
async def test_public_vendor_is_fetched_through_the_guard(serve: Callable[..., Awaitable[Served]]) -> None:
    served = await serve({"/": html()})
    port = served.base.rsplit(":", 1)[1]

    result = await fetch_via_dns(f"http://vendor.example:{port}/")

    assert result.url == f"http://vendor.example:{port}/"
    assert served.hits == 1


@pytest.mark.usefixtures("vendor_dns")
@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://intranet.example/", "10.1.2.3 is a private address"),
    ],
)
async def test_redirect_to_private_address_is_refused_at_the_hop(
    serve: Callable[..., Awaitable[Served]], location: str, reason: str
) -> None:
    served = await serve({"/": redirect(location)})
    port = served.base.rsplit(":", 1)[1]

    with pytest.raises(BlockedAddressError) as caught:
        await fetch_via_dns(f"http://vendor.example:{port}/")

    assert str(caught.value) == (
        f"refusing to fetch {location}: {reason}; set CLAUSEWATCH_ALLOW_PRIVATE_URLS=true to allow it"
    )
    assert served.hits == 1


def test_allowed_networks_are_parsed_or_refused_clearly() -> None:
    assert fetching.parse_networks(" 10.1.0.0/16, 127.0.0.1 ,") == (
        ipaddress.ip_network("10.1.0.0/16"),
        ipaddress.ip_network("127.0.0.1/32"),
    )
    with pytest.raises(ClausewatchError, match="'intranet' is not a CIDR network"):
        fetching.parse_networks("intranet")


@pytest.mark.usefixtures("vendor_dns")
async def test_blocked_address_is_not_retried() -> None:
    with pytest.raises(
        BlockedAddressError, match=r"^refusing to fetch http://intranet\.example/: 10\.1\.2\.3"
    ):
        await fetch_via_dns("http://intranet.example/", replace(VENDOR_ONLY, retries=3))

    assert StaticResolver.lookups == ["intranet.example"]


# --- Small parsers ---------------------------------------------------------------------------------------


def test_retry_after_seconds() -> None:
    now = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)

    assert retry_after_seconds("5", now) == 5.0
    assert retry_after_seconds("Wed, 01 May 2024 10:00:20 GMT", now) == 20.0
    assert retry_after_seconds("Wed, 01 May 2024 09:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


# --- Politeness ----------------------------------------------------------------------------------------


async def test_requests_to_one_host_are_spaced_by_the_host_interval(
    serve: Callable[..., Awaitable[Served]],
) -> None:
    started: list[float] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        started.append(asyncio.get_running_loop().time())
        return web.Response(text="<html>ok</html>", content_type="text/html")

    served = await serve({"/{page}": handle})
    async with Fetcher(replace(LOCAL, host_interval=0.2)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(f"{served.base}/p{i}") for i in range(4)))
    # Starts are spaced by the client; arrivals jitter with the machine's load (one late arrival shortens
    # the next gap), so the spacing shows in the span of the four and in no two arriving together.
    gaps = [b - a for a, b in itertools.pairwise(started)]
    assert len(started) == 4 and started[-1] - started[0] >= 3 * 0.2 * 0.9 and min(gaps) >= 0.1
