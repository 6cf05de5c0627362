"""The Teams app package: the manifest template ``templates/manifest.json`` (package data, so an installed
clausewatch builds it without a checkout) with the bot's ids and the privacy and terms pages' addresses
filled in, and its two icons, zipped for upload to Teams (admin center, or "Upload a custom app").

The icons are drawn here (a 192×192 colour square and a 32×32 white outline on transparency, the sizes
Teams requires) so the package needs no image files or imaging library.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from core.errors import UsageError

TEMPLATE = files("bots.teams") / "templates" / "manifest.json"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?$")
ACCENT = (0x1F, 0x4E, 0x79, 0xFF)


def build_package(
    app_id: str, host: str, out: Path, *, privacy_url: str, terms_url: str, template: Traversable = TEMPLATE
) -> Path:
    """Write the app package for the bot ``app_id`` served at ``host``; returns its path. Teams refuses a
    manifest whose privacy or terms address is not HTTPS, so that is checked here rather than on upload."""
    if not _GUID.match(app_id):
        raise UsageError(f"--app-id must be the bot's Microsoft App ID (a GUID), not {app_id!r}")
    if not _HOST.match(host):
        raise UsageError(f"--host must be a host name such as clausewatch.example.com, not {host!r}")
    for setting, url in (("CLAUSEWATCH_PRIVACY_URL", privacy_url), ("CLAUSEWATCH_TERMS_URL", terms_url)):
        if not url.startswith("https://"):
            raise UsageError(
                f"Teams needs an HTTPS address for the page {setting} names, not {url!r}: set "
                "CLAUSEWATCH_PUBLIC_URL to the server's public https:// address, or set that setting"
            )
    if not template.is_file():
        raise UsageError(f"the manifest template is missing at {template}")
    manifest = template.read_text()
    for name, value in (
        ("APP_ID", app_id),
        ("HOST", host),
        ("PRIVACY_URL", privacy_url),
        ("TERMS_URL", terms_url),
    ):
        manifest = manifest.replace(
            f"{{{{{name}}}}}", json.dumps(value)[1:-1]
        )  # a quote cannot break the JSON
    json.loads(manifest)  # a broken template fails here, not in Teams
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", manifest)
        package.writestr("color.png", _png(192, lambda x, y: ACCENT))
        package.writestr("outline.png", _png(32, _outline))
    return out


def _outline(x: int, y: int) -> tuple[int, int, int, int]:
    """A white square frame on transparency."""
    edge = x in (2, 3, 28, 29) or y in (2, 3, 28, 29)
    inside = 2 <= x <= 29 and 2 <= y <= 29
    return (255, 255, 255, 255) if edge and inside else (0, 0, 0, 0)


def _png(size: int, pixel: Callable[[int, int], tuple[int, int, int, int]]) -> bytes:
    """A square RGBA PNG whose pixels ``pixel(x, y)`` gives."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
