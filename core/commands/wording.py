"""Small wording helpers for replies: counts people read, and quotes short enough for a chat."""

from __future__ import annotations

QUOTE_CHARS = 600
"""The longest quote a chat reply shows; the full text is a command (or a link) away."""


def plural(count: int, noun: str) -> str:
    """Count a noun: "1 document", "3 documents"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to ``limit`` characters at a word, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip() + "\u2026"
