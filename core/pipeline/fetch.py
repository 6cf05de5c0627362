"""Fetching vendors' pages over HTTP with aiohttp: the first stage of the pipeline.

Vendors' URLs are typed in by users, so every response is treated as hostile: time, size and redirects are
bounded, only document-like content is accepted, and addresses inside our own network are unreachable
(SSRF) unless the operator opts in. Every failure is a ``FetchError`` with one line a user can act on.
Later stages only see ``FetchResult``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import random
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from core.config import Settings
from core.errors import BlockedAddressError, ClausewatchError, FetchError, UnsupportedContentError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ACCEPT = (
    "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,text/markdown;q=0.8,*/*;q=0.1"
)
# Declared types we accept, mapped to the three kinds the extraction stage knows how to read.
CONTENT_TYPES = {
    "text/html": "text/html",
    "application/xhtml+xml": "text/html",
    "application/pdf": "application/pdf",
    "text/plain": "text/plain",
    "text/markdown": "text/plain",
}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 30.0
CHUNK_SIZE = 64 * 1024
SNIFF_BYTES = 1024
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners for one fetcher; built from Settings so operators tune them by env var."""

    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 0.5
    per_host: int = 4
    host_interval: float = 0.0
    concurrency: int = 32
    user_agent: str = "clausewatch/0.1"
    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """Copy the fetch-related settings."""
        return cls(
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            retries=settings.fetch_retries,
            per_host=settings.fetch_per_host,
            host_interval=settings.fetch_host_interval,
            concurrency=settings.fetch_concurrency,
            user_agent=settings.user_agent,
            allow_private=settings.allow_private_urls,
            allowed_networks=parse_networks(settings.allowed_networks),
        )


@dataclass(frozen=True)
class FetchResult:
    """What the server sent: ``status`` is 200 with a body, or 304 (unchanged, empty body)."""

    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True when a conditional GET said the page has not changed."""
        return self.status == 304


# --- The SSRF guard -------------------------------------------------------------------------------------


def _effective_address(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address really leads to (IPv4-mapped, 6to4, NAT64), else the address itself.

    Why: ``::ffff:10.0.0.1`` reaches 10.0.0.1, but Python before 3.13 classifies it by its IPv6 form.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _address_kind(address: IPAddress) -> str | None:
    """Name the kind of non-public address this is ("private", "loopback"...), or None for a public one.

    Why several checks: ``is_global`` alone lets multicast and IPv6 site-local addresses through.
    """
    checks = [
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("non-public", not address.is_global),
    ]
    return next((kind for kind, matches in checks if matches), None)


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """The comma-separated CIDR networks of ``CLAUSEWATCH_ALLOWED_NETWORKS``, or a clear error."""
    networks = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ClausewatchError(f"CLAUSEWATCH_ALLOWED_NETWORKS: {item!r} is not a CIDR network") from None
    return tuple(networks)


def blocked_reason(address: IPAddress, allowed: tuple[IPNetwork, ...] = ()) -> str | None:
    """Say why fetching from this address is refused ("10.0.0.1 is a private address"), or None if allowed.

    ``allowed`` networks are reachable even when private: an operator's intranet vendor mirror, say, without
    opening the cloud metadata service or the rest of the network.
    """
    effective = _effective_address(address)
    kind = _address_kind(effective)
    if kind is None or any(effective in network for network in allowed):
        return None
    shown = str(address) if effective == address else f"{address} ({effective})"
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{shown} is {article} {kind} address"


def ip_literal(host: str) -> IPAddress | None:
    """The address a URL host names directly, including legacy IPv4 forms like ``127.1`` or ``2130706433``.

    Why: aiohttp connects to IP literals without asking the resolver, so they need their own check, and the
    C library accepts shorthand IPv4 forms that ``ipaddress`` does not parse.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _refusal(target: str, reason: str) -> str:
    """The user-facing sentence for a blocked fetch; it names the setting that lifts the block."""
    return f"refusing to fetch {target}: {reason}; set CLAUSEWATCH_ALLOW_PRIVATE_URLS=true to allow it"


class _BlockedHost(BlockedAddressError):
    """Raised by the resolver, which knows the host but not the URL; ``Fetcher`` re-raises it with the URL."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(_refusal(host, reason))
        self.reason = reason


class GuardedResolver(AbstractResolver):
    """Resolves names like aiohttp does, but refuses any answer containing a non-public address.

    Why a resolver: the connector connects to exactly the addresses returned here, so the address that was
    checked is the address that is used; checking in a separate lookup would let DNS rebinding slip through.
    """

    def __init__(self, inner: AbstractResolver | None = None, allowed: tuple[IPNetwork, ...] = ()) -> None:
        self._inner = inner if inner is not None else DefaultResolver()
        self._allowed = allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` and raise ``BlockedAddressError`` if any of its addresses is not public."""
        results = await self._inner.resolve(host, port, family)
        for result in results:
            reason = blocked_reason(ipaddress.ip_address(result["host"]), self._allowed)
            if reason is not None:
                raise _BlockedHost(host, reason)
        return results

    async def close(self) -> None:
        """Release the wrapped resolver."""
        await self._inner.close()


# --- Reading responses ------------------------------------------------------------------------------------


class _Transient(Exception):
    """A failure worth retrying (5xx, 429, timeout, broken connection); never escapes ``Fetcher``."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _parse_url(text: str | URL) -> URL:
    """Parse an absolute http(s) URL, or raise ``FetchError``; other schemes could read local files.

    The host must also encode (IDNA): a name like ``a..b`` would otherwise fail deep inside aiohttp.
    """
    try:
        url = URL(text)
        if url.raw_host:
            url.raw_host.encode("idna")
    except (ValueError, UnicodeError):
        raise FetchError(f"not a valid URL: {text}") from None
    if url.scheme not in ("http", "https") or not url.raw_host:
        raise FetchError(f"not an absolute http(s) URL: {text}")
    return url


def guarded_session(
    *,
    allow_private: bool,
    allowed_networks: tuple[IPNetwork, ...],
    limit: int,
    timeout: float,
    headers: dict[str, str],
    dns: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """A client session whose connector refuses private addresses after DNS, unless they are allowed.

    Everything clausewatch requests from a URL someone else chose (vendors' pages, webhook destinations)
    goes through one of these; IP literals need ``refuse_private_literal`` as well.
    """
    resolver = dns if allow_private else GuardedResolver(dns, allowed_networks)
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, resolver=resolver),
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers=headers,
    )


def refuse_private_literal(url: URL, allowed: tuple[IPNetwork, ...]) -> None:
    """Refuse a URL whose host is a non-public IP literal, which a connector reaches without resolving."""
    address = ip_literal(url.raw_host or "")
    reason = None if address is None else blocked_reason(address, allowed)
    if reason is not None:
        raise BlockedAddressError(_refusal(str(url), reason))


def checked_url(target: str | URL, policy: FetchPolicy) -> URL:
    """Parse a URL and refuse a non-public IP literal: aiohttp connects to those without resolving.

    Every hop of every request is checked with this (redirects included), before any connection.
    """
    url = _parse_url(target)
    if not policy.allow_private:
        refuse_private_literal(url, policy.allowed_networks)
    return url


def check_url(text: str) -> str:
    """``text`` if it is a fetchable absolute http(s) URL, else ``FetchError`` saying why."""
    return str(_parse_url(text.strip()))


def sniff_content_type(body: bytes) -> str:
    """Guess the type of a body served without a Content-Type, from its first bytes."""
    if body.startswith(b"%PDF-"):
        return "application/pdf"
    head = body.removeprefix(b"\xef\xbb\xbf").lstrip()[:SNIFF_BYTES].lower()
    if head.startswith((b"<html", b"<!doctype html")):
        return "text/html"
    return "text/plain"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks us to wait (delta-seconds or HTTP date); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _declared_type(url: URL, response: aiohttp.ClientResponse) -> str | None:
    """The normalised declared content type, None if the server sent none, or refuse an unsupported one."""
    if not response.headers.get(aiohttp.hdrs.CONTENT_TYPE, "").strip():
        return None
    mimetype = response.content_type
    if mimetype not in CONTENT_TYPES:
        raise UnsupportedContentError(f"{url} is {mimetype}, not HTML, PDF or plain text")
    return CONTENT_TYPES[mimetype]


def too_large(url: URL, max_bytes: int) -> UnsupportedContentError:
    """The error for a body over the limit, in megabytes because that is how the setting reads."""
    return UnsupportedContentError(f"{url} is larger than {max_bytes / 2**20:.3g} MB")


async def read_body(url: URL, response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """Read the body in chunks and stop past ``max_bytes``: Content-Length can be absent or wrong."""
    if response.content_length is not None and response.content_length > max_bytes:
        raise too_large(url, max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise too_large(url, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def redirect_target(url: URL, response: aiohttp.ClientResponse) -> URL:
    """Where a redirect points, resolved against the current URL; the caller re-checks it before use."""
    location = response.headers.get(aiohttp.hdrs.LOCATION)
    if not location:
        raise FetchError(f"HTTP {response.status} from {url} without a Location header")
    try:
        return url.join(URL(location))
    except ValueError:
        raise FetchError(f"HTTP {response.status} from {url} redirects to an invalid URL") from None


async def _read_document(url: URL, response: aiohttp.ClientResponse, max_bytes: int) -> FetchResult:
    """Turn a 2xx response into a ``FetchResult``, refusing unsupported types before reading the body."""
    declared = _declared_type(url, response)
    body = await read_body(url, response, max_bytes)
    return FetchResult(
        url=str(url),
        status=response.status,
        content_type=declared or sniff_content_type(body),
        charset=response.charset if declared else None,
        body=body,
        etag=response.headers.get(aiohttp.hdrs.ETAG),
        last_modified=response.headers.get(aiohttp.hdrs.LAST_MODIFIED),
    )


def _unchanged(url: URL, response: aiohttp.ClientResponse, sent: dict[str, str]) -> FetchResult:
    """A 304 result; validators the server did not repeat stay as sent, so callers can store them blindly."""
    return FetchResult(
        url=str(url),
        status=304,
        content_type="",
        charset=None,
        body=b"",
        etag=response.headers.get(aiohttp.hdrs.ETAG, sent.get(aiohttp.hdrs.IF_NONE_MATCH)),
        last_modified=response.headers.get(
            aiohttp.hdrs.LAST_MODIFIED, sent.get(aiohttp.hdrs.IF_MODIFIED_SINCE)
        ),
    )


async def _interpret(
    url: URL, response: aiohttp.ClientResponse, sent: dict[str, str], max_bytes: int
) -> FetchResult | URL:
    """Classify one response: a result, a redirect target to follow, a transient failure or a final one."""
    status = response.status
    if status == 304:
        return _unchanged(url, response, sent)
    if status in REDIRECT_STATUSES:
        return redirect_target(url, response)
    if status == 429 or status >= 500:
        retry_after = response.headers.get(aiohttp.hdrs.RETRY_AFTER)
        wait = retry_after_seconds(retry_after) if status in RETRY_AFTER_STATUSES else None
        raise _Transient(f"HTTP {status} from {url}", wait)
    if not 200 <= status < 300:
        raise FetchError(f"HTTP {status} from {url}")
    return await _read_document(url, response, max_bytes)


def _one_line(text: str) -> str:
    """Collapse whitespace so a message never spans lines in logs or chat."""
    return " ".join(text.split())


def _describe(error: aiohttp.ClientError) -> str:
    """A short reason for a connection failure; aiohttp's own messages span lines and embed reprs."""
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"could not resolve {error.host}"
    if isinstance(error, aiohttp.ClientConnectorError):
        reason = os.strerror(error.errno) if error.errno else "connection failed"
        return f"could not connect to {error.host}:{error.port} ({reason})"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    if isinstance(error, aiohttp.ClientPayloadError):
        return "the response body was cut off or malformed"
    if isinstance(error, aiohttp.ClientResponseError):
        detail = error.message.splitlines()[0].rstrip(":") if error.message else "unreadable"
        return f"the server sent an invalid response ({detail})"
    return _one_line(str(error)) or type(error).__name__


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Validators from the last fetch, so an unchanged page costs a 304 instead of a full download."""
    headers: dict[str, str] = {}
    if etag:
        headers[aiohttp.hdrs.IF_NONE_MATCH] = etag
    if last_modified:
        headers[aiohttp.hdrs.IF_MODIFIED_SINCE] = last_modified
    return headers


# --- The fetcher ------------------------------------------------------------------------------------------


class Fetcher:
    """Fetches pages politely and safely; one instance shares its connections and per-host limits.

    Use as ``async with Fetcher(policy) as fetcher: await fetcher.fetch(url)``. ``dns`` replaces the system
    resolver under the address guard (tests, or a deployment with its own DNS client).
    """

    def __init__(self, policy: FetchPolicy, dns: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._dns = dns
        self._session: aiohttp.ClientSession | None = None
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._host_next: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        """Open the session; the guarded resolver is installed unless private addresses are allowed."""
        policy = self._policy
        self._session = guarded_session(
            allow_private=policy.allow_private,
            allowed_networks=policy.allowed_networks,
            limit=policy.concurrency,
            timeout=policy.timeout,
            headers={aiohttp.hdrs.USER_AGENT: policy.user_agent, aiohttp.hdrs.ACCEPT: ACCEPT},
            dns=self._dns,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch ``url``, conditionally if validators are given; a 304 comes back as ``not_modified``.

        Redirects are followed here, not by aiohttp, so every hop gets the scheme and address checks.
        """
        headers = _conditional_headers(etag, last_modified)
        target: str | URL = url
        for _hop in range(self._policy.max_redirects + 1):
            outcome = await self._fetch_with_retries(checked_url(target, self._policy), headers)
            if isinstance(outcome, FetchResult):
                return outcome
            target = outcome
        raise FetchError(f"too many redirects (more than {self._policy.max_redirects}) fetching {url}")

    async def _fetch_with_retries(self, url: URL, headers: dict[str, str]) -> FetchResult | URL:
        """Request ``url`` until it succeeds, fails for good, or the retries run out."""
        attempt = 0
        while True:
            try:
                return await self._attempt(url, headers)
            except _Transient as failure:
                delay = self._retry_delay(attempt, failure.retry_after)
                if delay is None:
                    raise FetchError(str(failure)) from None
            await asyncio.sleep(delay)
            attempt += 1

    def _retry_delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Exponential backoff with jitter (so fetchers do not retry in lockstep), or None to give up.

        A Retry-After longer than ``MAX_RETRY_AFTER`` means giving up now: the next check cycle will come back
        later anyway, and holding a check cycle for minutes would delay every other document.
        """
        if attempt >= self._policy.retries or (retry_after or 0.0) > MAX_RETRY_AFTER:
            return None
        backoff = self._policy.backoff * 2**attempt * random.uniform(1.0, 1.25)
        return max(backoff, retry_after or 0.0)

    async def _attempt(self, url: URL, headers: dict[str, str]) -> FetchResult | URL:
        """One request, holding a slot for its host so no vendor sees more than ``per_host`` connections."""
        if self._session is None:
            raise RuntimeError("use the Fetcher as an async context manager: async with Fetcher(policy) as f")
        async with self._host_slot(url.raw_host or ""):
            await self._space(url.raw_host or "")
            try:
                async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                    return await _interpret(url, response, headers, self._policy.max_bytes)
            except _BlockedHost as blocked:
                raise BlockedAddressError(_refusal(str(url), blocked.reason)) from None
            except TimeoutError:
                raise _Transient(f"timed out after {self._policy.timeout:g} s fetching {url}") from None
            except aiohttp.ClientSSLError as error:
                reason = _one_line(str(error.os_error)) or "handshake failed"
                raise FetchError(f"TLS error fetching {url}: {reason}") from None
            except aiohttp.ClientError as error:
                raise _Transient(f"could not fetch {url}: {_describe(error)}") from None
            except (ValueError, UnicodeError) as error:  # a URL aiohttp cannot request, e.g. from a redirect
                raise FetchError(f"cannot request {url}: {_one_line(str(error))}") from None

    async def _space(self, host: str) -> None:
        """Wait so requests to one host start at least ``host_interval`` seconds apart (politeness)."""
        if self._policy.host_interval <= 0:
            return
        now = asyncio.get_running_loop().time()
        start = max(now, self._host_next.get(host, now))
        self._host_next[host] = start + self._policy.host_interval
        await asyncio.sleep(start - now)

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        """The semaphore shared by all fetches to ``host``, created on first use."""
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self._policy.per_host)
        return slot
