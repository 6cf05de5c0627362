"""What an answer is: a verdict, the text a person reads, and verbatim quotes with where they come from.

Every way of answering (the extractive answerer, the optional language model, the profile register) returns
these types, and every edge (CLI, console chat, Slack, Teams) renders them; nothing else crosses over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from core.reading.verdicts import AnswerVerdict


@dataclass(frozen=True)
class Citation:
    """A verbatim quote from one clause of one version, with what a reader needs to check it."""

    vendor: str
    document: str
    version_date: date
    section: str | None
    quote: str
    url: str | None = None
    clause_id: str | None = None
    context: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The citation as ``ask --json`` and the adapters carry it (``context``: a list item's lead-in)."""
        return {
            "vendor": self.vendor,
            "document": self.document,
            "version_date": self.version_date.isoformat(),
            "section": self.section,
            "quote": self.quote,
            "url": self.url,
            "clause_id": self.clause_id,
            "context": self.context,
        }


@dataclass(frozen=True)
class Source:
    """A retrieved clause shown to a language model: it must cite ``id`` and may quote only ``text``."""

    id: str
    text: str
    citation: Citation


@dataclass
class Answer:
    """The reply to one question.

    ``verdict`` is the yes/no reading of the question (``unclear`` when the quotes answer an open question or
    the terms conflict; ``not_stated`` when the terms are silent, with no citations). ``note`` tells the
    reader how the answer was made when that matters (e.g. the language model failed and the extractive
    answer stands). ``lines`` holds one line per vendor for questions asked across vendors.
    """

    question: str
    verdict: AnswerVerdict
    answer: str
    citations: list[Citation] = field(default_factory=list)
    note: str | None = None
    method: Literal["extractive", "language_model", "profile", "changes"] = "extractive"
    lines: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The answer as one JSON object (``ask --json`` prints it as its last line)."""
        return {
            "question": self.question,
            "verdict": self.verdict,
            "answer": self.answer,
            "citations": [citation.to_json() for citation in self.citations],
            "note": self.note,
            "method": self.method,
            "lines": self.lines,
        }
