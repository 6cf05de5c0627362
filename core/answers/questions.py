"""Reading a question: which vendors and documents it is about, as of when, and what kind of answer it wants.

The vendors are found as every command finds them (``core.registry.names``): a name written as one first,
then an exact lower-case spelling, then a close one; a written name that matches no vendor is reported in
``Question.unknown`` rather than ignored.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from core.errors import UsageError
from core.reading.statements import data_categories
from core.reading.vocabulary import QUESTION_WORDS
from core.registry.names import VendorName, find_vendors, name_like
from core.registry.pages import DOC_TYPES
from core.text import dates

Kind = Literal["ai", "register", "changes", "general"]
Point = Literal[
    "customer_content_training", "usage_data_training", "third_party_training", "control", "user_rules"
]


@dataclass(frozen=True)
class Question:
    """What ``read`` understood: the original text plus the parts answering needs.

    ``unknown`` holds the names the question writes that match no tracked vendor ("Slack's", "Zooom").
    """

    text: str
    kind: Kind
    vendor_ids: tuple[int, ...] = ()
    doc_types: tuple[str, ...] = ()
    as_of: date | None = None
    since: date | None = None
    until: date | None = None
    point: Point | None = None
    data: frozenset[str] = field(default_factory=frozenset)
    unknown: tuple[str, ...] = ()


_AI = re.compile(
    r"\b(?:a\.?i\.?|artificial intelligence|machine[- ]learning|ml|llms?|gen ?ai|genai|models?|algorithms?"
    r"|fine[- ]?tun\w*|neural)\b"
    r"|\btrain(?:s|ed|ing)?\s+(?:(?:its|their|our|your|the|own|ai|models?)\s+){0,2}on\b"  # not "its staff"
    # "use our recordings for training": data used for training is machine learning
    r"|\b(?:use[sd]?|using)\b[^?]{1,60}?\bfor (?:training|train)\b",
    re.IGNORECASE,
)
# AI as the vendor's tool ("Does X use AI to write its articles?", "produced with AI tools"): a question
# about a practice, answered from the clauses like any other, unless it also asks about training
_AI_TOOL = re.compile(
    r"\b(?:use[sd]?|using|with|by|through|via)\s+(?:\w+\s+){0,2}?(?:a\.?i\.?|artificial intelligence|gen ?ai"
    r"|generative ai)(?:\s+(?:tools?|systems?|software|technology))?\s+(?:to|for|in|when)\b"
    r"|\b(?:produced|generated|written|created|made|edited)\s+(?:\w+\s+){0,2}?(?:with|by|using)\s+(?:a\.?i\.?"
    r"|artificial intelligence|gen ?ai|generative ai)\b|\bai[- ](?:generated|written|assisted)\b",
    re.IGNORECASE,
)
_TRAINING = re.compile(r"\btrain\w*|\blearn\w*|\bfine[- ]?tun\w*|\bmodels?\b|\bdevelop\w*|\bimprov\w*", re.I)
_FOR_AI = re.compile(
    r"\b(?:for|into|in|to|about|on|regarding)\s+(?:(?:an?|any|the|their|its|our)\s+)?(?:a\.?i\.?"
    r"|artificial intelligence|machine[- ]learning|ml|gen ?ai|generative ai|llms?)\b"
    r"(?!\s+(?:prompt|assistant|builder|chat|feature|search))",
    re.IGNORECASE,
)


def _about_training(text: str) -> bool:
    """Whether an AI question asks about training on data or rules on users' AI use: "train", "models",
    "for AI", "into a generative AI tool" do; "Does the AI Prompt Builder pass our data to OpenAI?" (a
    product named AI) and "Does X use AI to write its articles?" (AI as the vendor's tool) do not."""
    if _TRAINING.search(text) or _USER_RULE.search(text):
        return True
    return bool(_FOR_AI.search(text)) and not _AI_TOOL.search(text)


_REGISTER = re.compile(
    r"\b(?:which|what|list|any|all)\b(?:\s+\w+){0,3}?\s+(?:vendors|companies|suppliers|providers|tools|services"
    r"|apps)\b|\bacross (?:all )?(?:our |the )?vendors\b",
    re.IGNORECASE,
)
_CHANGES = re.compile(
    r"\b(?:what|anything|which|has|have|did|was|were)\b[^?]*\b(?:changed|updated|modified|rewritten|revised)\b"
    r"|\bwhat'?s new\b|\b(?:recent|latest) (?:changes|updates|revisions)\b"
    r"|\b(?:changes|updates|revisions)\b[^?]*\b(?:recently|this (?:week|month|year)"
    r"|(?:last|past) (?:week|month|year)|since"
    r"|in (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})\b",
    re.IGNORECASE,
)
# "Can we ...?", "May Acme customers ...?", "Are developers allowed ...?": a user or customer is the subject
# right after the verb (a name or "also" between); "Is the data we upload used ...?" asks about the vendor
_USER_RULE = re.compile(
    r"\b(?:(?:can|may|could)\s+(?:(?!(?:the|a|an|this|that|these|those|any|all|my|your|their|its)\b)\w+\s+){0,2}?"
    r"|(?:are|is)\s+)(?:we|i|you|our (?:team|staff|company|employees|engineers"
    r"|developers|lawyers|analysts|students)|developers?|users?|customers?|sellers?|partners?"
    r"|anyone|others|people)\s+(?:\w+\s+){0,2}?(?:allowed|permitted|use|train|scrape|crawl|collect|build"
    r"|develop|fine[- ]?tune|paste|feed|upload|copy|take|input|submit|put)\b"
    r"|\ballow(?:s|ed)?\b[^?]*\b(?:us|users?|developers?|customers?|anyone|scraping|collecting|crawling|mining)\b",
    re.IGNORECASE,
)
_IF_CHANGED = re.compile(
    r"\b(?:if|when|whenever|once|before|after)\b[^?]*\b(?:change[ds]?|update[ds]?|modif\w+|revise[ds]?)\b",
    re.IGNORECASE,
)
_OPT_OUT = re.compile(
    r"\bopt(?:[- ]?out|ing out)\b|\bturn (?:it |this )?off\b|\bdisable\b|\bconsent\b|\bopt[- ]?in\b"
    r"|\b(?:stop|prevent|object to|exclude|refuse)\b",
    re.IGNORECASE,
)
_THIRD_PARTY = re.compile(
    r"\bthird[- ]part(?:y|ies)\b|\bpartners?\b|\bsell\b|\bshar(?:e|es|ed|ing) .*\b(?:with|to)\b",
    re.IGNORECASE,
)
_USAGE = re.compile(
    r"\b(?:usage|telemetry|diagnostic|service[- ]generated|metadata|analytics|log) (?:data|information)?\b"
    r"|\bmetadata\b|\btelemetry\b",
    re.IGNORECASE,
)
_CONTENT_WORDS = re.compile(
    r"\b(?:content|data|information|meetings?|chats?|messages?|recordings?|calls?|files?|documents?|prompts?"
    r"|inputs?|outputs?|conversations?|emails?|transcripts?|audio|video|voice|images?|photos?|code)\b",
    re.IGNORECASE,
)
_SINCE = re.compile(r"\b(?:since|after|from)\b", re.IGNORECASE)


def _dates(text: str) -> list[tuple[int, date, bool]]:
    """Dates the text names, with their position and whether they name a whole month.

    A date that cannot be read is an error rather than ignored: answering for today instead of the day
    asked would quote the wrong version.
    """
    slashed = dates.SLASHED.search(text)
    if slashed:
        raise UsageError(f"{slashed.group(0)!r} is ambiguous; write dates as YYYY-MM-DD")
    found = dates.dates_in(text) or dates.months_in(text)
    for written in found:
        if written.day is None:
            raise UsageError(f"{written.written!r} is not a valid date; write dates as YYYY-MM-DD")
    return [(w.start, w.day, w.whole_month) for w in found if w.day is not None]


def _period_start(text: str, today: date) -> date | None:
    """The start of "this month", "this week", "last month", "recently" and friends."""
    low = text.lower()
    if "this month" in low:
        return today.replace(day=1)
    if "last month" in low or "past month" in low:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if "this week" in low:
        return today - timedelta(days=today.weekday())
    if "last week" in low or "past week" in low:
        return today - timedelta(days=7)
    if "this year" in low:
        return today.replace(month=1, day=1)
    if "today" in low:
        return today
    return None


def _doc_types(text: str) -> tuple[str, ...]:
    low = text.lower()
    found = []
    for name, aliases in DOC_TYPES.items():
        spelled = (
            name.lower(),
            *(a for a in aliases if (len(a) > 3 and " " in a) or a in ("privacy", "cookies")),
        )
        if any(re.search(rf"\b{re.escape(a)}\b", low) for a in spelled):
            found.append(name)
    return tuple(found)


def _point(text: str) -> Point | None:
    """Which point of the AI data-use profile (or the rules on users) an AI question asks about."""
    if _OPT_OUT.search(text):
        return "control"
    if _USER_RULE.search(text):
        return "user_rules"
    if _THIRD_PARTY.search(text):
        return "third_party_training"
    if _USAGE.search(text):
        return "usage_data_training"
    if _CONTENT_WORDS.search(text):
        return "customer_content_training"
    return None


def _data(text: str) -> frozenset[str]:
    """The data categories a question names, read with the statements' own lexicon."""
    words = _CONTENT_WORDS.findall(text)
    if not words:
        return frozenset()
    found = set(data_categories(text)) - {"unspecified"}
    for word in words:
        found |= QUESTION_WORDS.get(word.lower(), frozenset())
    return frozenset(found)


def read(text: str, vendors: Sequence[VendorName], today: date) -> Question:
    """Understand ``text``: its vendors, document types, dates and kind."""
    text = " ".join(text.split())
    dates = _dates(text)
    since = _period_start(text, today)
    as_of: date | None = None
    if dates:
        position, day, whole_month = dates[0]
        if _SINCE.search(text[max(0, position - 8) : position]):
            since = day
        elif whole_month:
            as_of = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        else:
            as_of = day
    vendor_ids = tuple(find_vendors(text, vendors))
    kind: Kind
    until: date | None = None
    if _CHANGES.search(text) and not _IF_CHANGED.search(text):
        kind = "changes"
        if as_of is not None and dates[0][2]:  # "what changed in August 2023": that month
            since, until, as_of = as_of.replace(day=1), as_of, None
        elif as_of is not None:  # "what changed on 2023-08-07": that day
            since, until, as_of = as_of, as_of, None
    elif _REGISTER.search(text) and _AI.search(text):
        kind = "register"
    elif _AI.search(text) and _about_training(text):
        kind = "ai"
    else:
        kind = "general"
    point = _point(text) if kind in ("ai", "register") else None
    unknown = () if vendor_ids else tuple(dict.fromkeys(name_like(text)))
    return Question(
        text, kind, vendor_ids, _doc_types(text), as_of, since, until, point, _data(text), unknown
    )
