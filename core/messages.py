"""Platform-neutral messages: what a command reply or an alert says, before any adapter renders it.

Core never writes Block Kit, Adaptive Cards or terminal markup. It fills a ``Message`` with plain text
(never markup: every adapter escapes it for its own format, since much of it comes from vendors' pages),
and each adapter turns it into its platform's layout. ``plain_text`` is the one fallback rendering, used
for notifications, the webhook destination and logs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["info", "error", "refused", "alert", "digest"]


@dataclass(frozen=True)
class Field:
    """A short labelled value (vendor, verdict, severity...)."""

    name: str
    value: str


@dataclass(frozen=True)
class Quote:
    """Text quoted verbatim from a vendor's document, with where it comes from.

    ``label`` says what the quote is ("Added", "Removed", or the citation "Zoom Terms of Service,
    2023-08-07, § 10.4").
    """

    text: str
    label: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Link:
    """A link the reader may follow (the source page, the full diff)."""

    label: str
    url: str


@dataclass(frozen=True)
class Button:
    """An action the reader can take from the message; adapters send ``action`` and ``value`` back."""

    label: str
    action: str
    value: str


@dataclass(frozen=True)
class Message:
    """One reply or alert. ``private`` asks the adapter to show it only to the person who asked;
    ``replaces`` to put it in place of the message whose button was pressed (an alert marked reviewed)."""

    title: str
    text: str = ""
    kind: Kind = "info"
    fields: tuple[Field, ...] = ()
    items: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    links: tuple[Link, ...] = ()
    buttons: tuple[Button, ...] = ()
    private: bool = False
    replaces: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON object of every part, for the webhook destination and ``--json`` output."""
        return asdict(self)

    def plain_text(self) -> str:
        """The whole message as plain text lines, in the order adapters lay it out."""
        lines = [self.title]
        if self.text:
            lines.append(self.text)
        lines += [f"{f.name}: {f.value}" for f in self.fields]
        lines += [f"- {item}" for item in self.items]
        for quote in self.quotes:
            lines.append(f"{quote.label}: “{quote.text}”" if quote.label else f"“{quote.text}”")
        lines += [f"{link.label}: {link.url}" for link in self.links]
        return "\n".join(lines)


QUOTE_CHARS = 600
"""The longest quote a reply or alert shows; the full text is a command (or a link) away."""


def plural(count: int, noun: str) -> str:
    """Count a noun: "1 document", "3 documents"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to ``limit`` characters at a word, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip() + "\u2026"


def error(text: str, usage: str | None = None) -> Message:
    """A one-line explanation, with the usage line when the command was mistyped."""
    return Message(title=text, text=f"Usage: {usage}" if usage else "", kind="error", private=True)
