"""Core messages as Adaptive Cards: the one place that knows Teams' card layout and size limit.

Everything in a ``Message`` is plain text, much of it from vendors' pages, and an Adaptive Card's
TextBlock reads a subset of Markdown: ``[click](https://evil)`` would become a link and ``<at>`` markup a
mention. So every piece is escaped (a backslash before each Markdown character, ``<`` and ``>`` as
entities) before it goes in; no link, mention or formatting can come out of a vendor's text.

Teams refuses a message over about 28 KB; a card that would be larger loses quotes from the end and says
so, pointing at the full diff.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.messages import Message, Quote

CARD_BYTES = 26_000
"""The most a card may take, under Teams' ~28 KB message limit with room for the activity around it."""
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.4"
_INLINE = re.compile(r"([\\`*_\[\]~])")
"""Characters that make emphasis, code or links anywhere in a line."""
_LINE_START = re.compile(r"^(\s*)([#+-]|\d+\.)", re.MULTILINE)
"""Markers that make a heading or a list only at the start of a line."""


def escape(text: str) -> str:
    """Text made inert for Adaptive Card Markdown: no link, mention or formatting. Only what can build
    structure is escaped, since some Teams clients show every backslash."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(_escaped_marker, text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _escaped_marker(match: re.Match[str]) -> str:
    """``1.`` becomes ``1\\.`` (CommonMark escapes an ordered list's dot), ``-`` becomes ``\\-``."""
    indent, marker = match[1], match[2]
    return f"{indent}{marker[:-1]}\\." if marker.endswith(".") else f"{indent}\\{marker}"


def card(message: Message) -> dict[str, Any]:
    """The message as an Adaptive Card, trimmed of quotes if it would exceed Teams' size limit."""
    quotes = list(message.quotes)
    while True:
        built = _card(message, quotes, trimmed=len(quotes) < len(message.quotes))
        if len(json.dumps(built).encode()) <= CARD_BYTES or not quotes:
            return built
        quotes.pop()


def _card(message: Message, quotes: list[Quote], trimmed: bool) -> dict[str, Any]:
    body: list[dict[str, Any]] = [_text(message.title, weight="Bolder", size="Medium")]
    if message.text:
        body.append(_text(message.text))
    if message.fields:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": escape(f.name), "value": escape(f.value)} for f in message.fields],
            }
        )
    if message.items:
        body.append(_text("\n".join(f"- {escape(item)}" for item in message.items), escaped=True))
    for quote in quotes:
        body.append(_quote(quote))
    if trimmed:
        body.append(
            _text(
                f"{len(message.quotes) - len(quotes)} more quoted clauses are in the full diff.", italic=True
            )
        )
    if message.links:
        body.append(
            _text(
                " · ".join(f"[{escape(link.label)}]({_url(link.url)})" for link in message.links),
                escaped=True,
            )
        )
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "actions": [_action(b.label, b.action, b.value) for b in message.buttons],
        "msteams": {"width": "Full"},
    }


def _text(text: str, *, escaped: bool = False, italic: bool = False, **style: str) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "TextBlock",
        "text": text if escaped else escape(text),
        "wrap": True,
        **style,
    }
    if italic:
        block["isSubtle"] = True
    return block


def _quote(quote: Quote) -> dict[str, Any]:
    """A quote in an emphasised container, under its label."""
    items = [_text(quote.label, weight="Bolder", size="Small")] if quote.label else []
    return {"type": "Container", "style": "emphasis", "items": [*items, _text(quote.text)]}


def _action(label: str, action: str, value: str) -> dict[str, Any]:
    """``open_url`` opens the page; the others come back as a message whose ``value`` names them."""
    if action == "open_url":
        return {"type": "Action.OpenUrl", "title": label, "url": value}
    return {"type": "Action.Submit", "title": label, "data": {"clausewatch_action": action, "value": value}}


def _url(url: str) -> str:
    """A link target that cannot close the Markdown link early."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
