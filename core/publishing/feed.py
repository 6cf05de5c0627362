"""The Atom feed of recorded changes (every vendor's, one vendor's, or AI-training ones only), for people who
follow clausewatch in a feed reader.

Feed readers cannot send a token, so a feed is also reachable at a signed address (``feed_url``): the link
secret's signature of exactly that path and query, which any other vendor or filter voids. Each entry links
to the change's diff page with a signed, expiring link like an alert's, made afresh each time the feed is
read. Vendors' text goes through ElementTree, which escapes it, after dropping the characters XML cannot
carry, so a vendor's page never makes the feed ill-formed.
"""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree as ET

from sqlmodel import Session

from core.alerts.signed_links import diff_url, link_key, path_signature
from core.config import Settings
from core.publishing.records import ChangeFilter, change_filter
from core.reading.changes import change_label, list_changes

FEED_PATH = "/feeds/changes.atom"
FEED_ENTRIES = 50
"""The newest changes a feed holds; a reader that polls daily never misses one."""
ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def feed_url(session: Session, settings: Settings, vendor: str | None = None, ai_only: bool = False) -> str:
    """The signed address of a feed under the public URL, to paste into a feed reader; the vendor is
    resolved as commands resolve it (an unknown name is an error listing close ones)."""
    wanted = change_filter(session, vendor, ai_only)
    sig = path_signature(link_key(session, settings), FEED_PATH, wanted.query())
    separator = "&" if wanted.query() else "?"
    return f"{settings.public_url.rstrip('/')}{FEED_PATH}{wanted.query_string()}{separator}sig={sig}"


def changes_feed(session: Session, settings: Settings, wanted: ChangeFilter, self_url: str) -> bytes:
    """The feed's XML: the newest changes ``wanted`` selects, newest version first; ``self_url`` is the
    address it was read at."""
    rows = list_changes(session, vendor_slug=wanted.vendor_slug, ai_only=wanted.ai_only, limit=FEED_ENTRIES)
    public = settings.public_url.rstrip("/")
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "id", f"{public}{FEED_PATH}{wanted.query_string()}")
    _text(feed, "title", _title(wanted))
    _text(feed, "updated", _instant(rows[0][3].effective_date if rows else date(1970, 1, 1)))
    _text(ET.SubElement(feed, "author"), "name", "clausewatch")
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    for change, document, vendor, version in rows:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", f"{public}/changes/{change.id}")
        _text(entry, "title", f"{vendor.name}/{document.doc_type}: {change_label(change)}")
        _text(entry, "updated", _instant(version.effective_date))
        link = diff_url(session, settings, change.id or 0)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
        _text(entry, "content", change.summary or change_label(change), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _title(wanted: ChangeFilter) -> str:
    """ "clausewatch: Acme AI-training changes"."""
    kind = "AI-training changes" if wanted.ai_only else "changes"
    return f"clausewatch: {wanted.vendor.name} {kind}" if wanted.vendor else f"clausewatch: {kind}"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> None:
    """A child element holding ``text``, without the characters XML 1.0 forbids."""
    ET.SubElement(parent, tag, attributes).text = _NOT_XML.sub("", text)


def _instant(day: date) -> str:
    """A version's day as the RFC 3339 instant Atom's ``updated`` needs (its start, in UTC)."""
    return f"{day.isoformat()}T00:00:00Z"
