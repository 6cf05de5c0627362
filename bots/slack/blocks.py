"""Core messages as Block Kit: the one place that knows Slack's layout and limits.

Everything in a ``Message`` is plain text, much of it copied from vendors' pages, so every piece is
escaped for mrkdwn (``&``, ``<``, ``>``) before it is laid out: ``<!channel>``, ``<!here>`` or
``<@U123>`` inside a vendor's terms can never ping anyone, nor ``<https://evil|click>`` make a link.
(Messages are posted without ``link_names``, so a bare "@channel" stays text too.)

Slack's limits are kept by splitting, never by cutting mid-sentence: a text section holds 3,000
characters, a message 50 blocks; a longer reply becomes several messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from core.messages import Button, Message, Quote, clip

Block = dict[str, Any]

SECTION_CHARS = 3000
"""The most characters in one section's text."""
FIELD_CHARS = 2000
"""The most characters in one section field."""
FIELDS_PER_SECTION = 10
HEADER_CHARS = 150
BUTTON_CHARS = 75
CONTEXT_ELEMENTS = 10
MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
FALLBACK_CHARS = 3000
"""The notification text: Slack shows it where blocks cannot be (notifications, old clients)."""

_BREAKS = (re.compile(r"\n"), re.compile(r"(?<=[.!?;:])\s"), re.compile(r"\s"))
"""Where a long text may be split, best first: between lines, after a sentence, between words."""


def escape(text: str) -> str:
    """Text made inert for mrkdwn: no mention, channel ping or link can come out of it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link whose label and address cannot break out of the ``<url|label>`` form."""
    return f"<{escape(url).replace('|', '%7C')}|{escape(label).replace('|', '¦')}>"


def split(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, split at the best break before the limit."""
    pieces, text = [], text.strip()
    while len(text) > limit:
        cut = _cut(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def _cut(text: str, limit: int) -> int:
    for pattern in _BREAKS:
        found = [m.end() for m in pattern.finditer(text, 0, limit + 1) if m.end() > limit // 3]
        if found:
            return found[-1]
    return limit - 5 if "&" in text[limit - 5 : limit] else limit  # keep an escaped entity whole


def render(message: Message) -> list[dict[str, Any]]:
    """The message as one or more ``{"text", "blocks"}`` payloads for ``chat.postMessage`` or ``respond``."""
    blocks = list(_blocks(message))
    text = escape(clip(message.plain_text(), FALLBACK_CHARS))
    return [
        {"text": text, "blocks": blocks[start : start + MESSAGE_BLOCKS]}
        for start in range(0, len(blocks), MESSAGE_BLOCKS)
    ]


def home_view(sections: Iterable[Message]) -> dict[str, Any]:
    """The App Home tab: each section under a header, within the 100 blocks a view may hold."""
    blocks: list[Block] = []
    for section in sections:
        blocks += [*_blocks(section, header=True), {"type": "divider"}]
    return {"type": "home", "blocks": blocks[: HOME_BLOCKS - 1] if len(blocks) > HOME_BLOCKS else blocks}


def _blocks(message: Message, header: bool | None = None) -> Iterator[Block]:
    """The blocks of a message: title, text, fields, items, quotes, links, buttons, in that order."""
    if header if header is not None else message.kind in ("alert", "digest"):
        yield {"type": "header", "text": _plain(clip(message.title, HEADER_CHARS))}
    else:
        yield from _sections(f"*{escape(message.title)}*")
    if message.text:
        yield from _sections(escape(message.text))
    for start in range(0, len(message.fields), FIELDS_PER_SECTION):
        fields = message.fields[start : start + FIELDS_PER_SECTION]
        yield {
            "type": "section",
            "fields": [_mrkdwn(clip(f"*{escape(f.name)}*\n{escape(f.value)}", FIELD_CHARS)) for f in fields],
        }
    if message.items:
        yield from _sections("\n".join(f"• {escape(item)}" for item in message.items))
    for quote in message.quotes:
        yield from _quote(quote)
    if message.links:
        elements = [_mrkdwn(link(item.url, item.label)) for item in message.links]
        for start in range(0, len(elements), CONTEXT_ELEMENTS):
            yield {"type": "context", "elements": elements[start : start + CONTEXT_ELEMENTS]}
    if message.buttons:
        yield {"type": "actions", "elements": [_button(button) for button in message.buttons]}


def _sections(mrkdwn: str) -> Iterator[Block]:
    for piece in split(mrkdwn):
        yield {"type": "section", "text": _mrkdwn(piece)}


def _quote(quote: Quote) -> Iterator[Block]:
    """A quote as a mrkdwn block quote, under its label (linked to its page when it has one)."""
    label = escape(quote.label) if quote.label else ""
    if label and quote.url:
        label = link(quote.url, quote.label)
    for index, piece in enumerate(split(escape(quote.text), SECTION_CHARS - len(label) - 10)):
        quoted = "\n".join(f"&gt; {line}" for line in piece.splitlines() or [""])
        yield {"type": "section", "text": _mrkdwn(f"*{label}*\n{quoted}" if label and index == 0 else quoted)}


def _button(button: Button) -> Block:
    """A link button for ``open_url``; otherwise one whose action and value come back in ``block_actions``."""
    element: Block = {
        "type": "button",
        "text": _plain(clip(button.label, BUTTON_CHARS)),
        "action_id": button.action,
    }
    if button.action == "open_url":
        element["url"] = button.value
    else:
        element["value"] = button.value
    if button.action == "mark_reviewed":
        element["style"] = "primary"
    return element


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}


def _mrkdwn(text: str) -> dict[str, Any]:
    """mrkdwn text with Slack's own parsing of bare names and links off: what we escaped stays text."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}
