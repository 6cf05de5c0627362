"""The AI data-use profile of a version: what its clauses allow to be done with data for AI training.

Procurement and security reviews ask the same things of every vendor: is our content used to train models, is
usage data, is data shared with others for their training, is there consent or an opt-out, how long are our
inputs kept, and may we train AI on the vendor's service or content. The profile answers each with a value and
the clauses that decide it, read from the version's AI-training statements (``core.reading.statements``) and,
for retention, the sentences that keep or delete data for a stated period. It is computed once per version
text and stored beside the text, so the register across every vendor and the questions about these points read
it instead of re-reading 90 KB of terms.

Deciding a point from several statements:
- a statement that overrides the others ("Notwithstanding the above, ...", "regardless of anything else")
  decides it when present;
- an opt-out anywhere makes the point ``opt_out``: the use is allowed by default, and denials beside it
  are carve-outs ("chats from Temporary Chat won't be used to train our models");
- a use that needs consent, beside denials, is ``with_consent`` (both say "not without your consent");
- a plain yes beside a plain no, or beside a use needing consent, is ``unclear``: both clauses are quoted.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import reading
from core.reading.statements import Statement, statements
from core.reading.verdicts import AnswerVerdict
from core.reading.vocabulary import (
    CONTENT_DATA,
    GENERIC_DATA,
    MODEL_KINDS,
    PLAN_WORDS,
    REGION_WORDS,
    USAGE_DATA,
)
from core.storage import blobs
from core.storage.database import session_scope
from core.storage.models import Profile, Version
from core.text.clauses import Clause, segment
from core.text.sentences import split_sentences

log = logging.getLogger(__name__)


FIELDS: dict[str, str] = {
    "customer_content_training": "Customer content used for training",
    "usage_data_training": "Usage or service-generated data used for training",
    "third_party_training": "Shared with third parties for training",
    "control": "Consent or opt-out mechanism",
    "input_retention": "Retention of inputs",
    "user_rules": "Users may train AI on the service or its content",
}

_OVERRIDE = re.compile(
    r"\b(?:notwithstanding|regardless of (?:anything|any other)|despite anything|in no event"
    r"|under no circumstances"
    r"|for the avoidance of doubt)\b",
    re.IGNORECASE,
)
_RETENTION = re.compile(
    r"\b(?:retain\w*|retention|stor(?:e|es|ed|age)|delet\w+|keep|kept|purg\w+)\b", re.IGNORECASE
)
_KEPT_DATA = re.compile(
    r"\b(?:data|content|information|prompts?|inputs?|outputs?|recordings?|messages?|chats?|conversations?"
    r"|logs?|files?|transcripts?|records?|account)\b",
    re.IGNORECASE,
)
_INPUTS = re.compile(
    r"\b(?:prompts?|inputs?|outputs?|content|recordings?|messages?|chats?|conversations?|files?|transcripts?)\b",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"\b(?:\d+|one|two|three|six|seven|ten|thirty|sixty|ninety)[- ](?:calendar |business )?"
    r"(?:days?|weeks?|months?|years?|hours?)\b|\bas long as\b|\buntil\b|\bno longer than\b|\bindefinitely\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence of one clause; ``context`` the words that introduce it (a list's lead-in)."""

    clause_id: str | None
    section: str | None
    text: str
    context: str | None = None


@dataclass(frozen=True)
class Finding:
    """One point of the profile: its value, a sentence saying it, and the clauses that decide it."""

    value: AnswerVerdict
    detail: str
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class AIProfile:
    """The five points of ``FIELDS`` for one version text."""

    findings: dict[str, Finding] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stored form: plain JSON, readable by any later reader of the same ``READER_VERSION``."""
        return {
            name: {
                "value": f.value,
                "detail": f.detail,
                "quotes": [
                    {"clause_id": q.clause_id, "section": q.section, "text": q.text, "context": q.context}
                    for q in f.quotes
                ],
            }
            for name, f in self.findings.items()
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AIProfile:
        """Rebuild a profile from ``to_json``'s form."""
        return cls(
            {
                name: Finding(
                    value=item["value"],
                    detail=item["detail"],
                    quotes=tuple(
                        Quote(q["clause_id"], q["section"], q["text"], q.get("context"))
                        for q in item["quotes"]
                    ),
                )
                for name, item in data.items()
            }
        )


def _condition(statement: Statement) -> str:
    return "never" if statement.condition == "prohibited" else statement.condition


def _value(conditions: set[str]) -> AnswerVerdict:
    """The value of a point whose deciding statements carry these conditions (see the module docstring)."""
    if conditions == {"always"}:
        return "yes"
    if conditions == {"never"}:
        return "no"
    if "opt_out" in conditions:
        return "opt_out"
    if "consent" in conditions and "always" not in conditions:
        return "with_consent"
    return "unclear"


_CONDITION_OF: dict[str, str] = {
    "yes": "always",
    "no": "never",
    "with_consent": "consent",
    "opt_out": "opt_out",
}


def combine(values: Iterable[AnswerVerdict]) -> AnswerVerdict:
    """One value from several documents' values of the same point (a silent document adds nothing)."""
    stated = [v for v in values if v != "not_stated"]
    if not stated:
        return "not_stated"
    if "unclear" in stated:
        return "unclear"
    return _value({_CONDITION_OF[v] for v in stated})


def decide(relevant: Sequence[Statement]) -> tuple[AnswerVerdict, list[Statement]]:
    """The value of one point from the statements about it, and those statements, deciding ones first."""
    if not relevant:
        return "not_stated", []
    overriding = [s for s in relevant if _OVERRIDE.search(s.text)]
    deciding = overriding or list(relevant)
    rest = [s for s in relevant if s not in deciding]
    return _value({_condition(s) for s in deciding}), deciding + rest


def relevant_statements(
    found: Iterable[Statement], point: str, data: frozenset[str] = frozenset(), question: str = ""
) -> list[Statement]:
    """The statements about one point (``FIELDS`` or ``user_rules``), narrowed to what a question names.

    ``data``: when a question names specific data ("chat", "recordings"), the statements naming that data
    decide it (a specific provision governs over a general one); statements about content in general
    decide only when none names it. ``question``: when it names a product
    or plan that statements are scoped to ("ChatGPT Enterprise"), the statements naming it most precisely
    decide.
    """
    if point == "user_rules":
        return _scoped([s for s in found if s.actor == "user"], question)
    found = [s for s in found if s.actor != "user"]
    if point == "customer_content_training":
        chosen = [s for s in found if s.actor == "vendor" and s.data & CONTENT_DATA]
        specific = data - GENERIC_DATA
        if specific:  # the specific provision governs its data; the general one only data it alone covers
            chosen = [s for s in chosen if s.data & specific] or chosen
        return _scoped(chosen, question)
    if point == "usage_data_training":
        return _scoped([s for s in found if s.actor == "vendor" and s.data & USAGE_DATA], question)
    if point == "third_party_training":
        return _scoped([s for s in found if s.actor == "third_party"], question)
    if point == "control":
        return _scoped([s for s in found if s.condition in ("opt_out", "consent")], question)
    raise ValueError(f"not a statement point: {point}")


_GENERIC_SCOPE = frozenset(
    [
        "customer",
        "customers",
        "user",
        "users",
        "your",
        "our",
        "the",
        "content",
        "data",
        "information",
        "personal",
        "services",
        "service",
        "by",
        "default",
        "as",
        "noted",
        "above",
        "and",
        "or",
        "of",
        "inputs",
        "outputs",
        "account",
    ]
)
"""Words of enumerated items that name data in general, not a product or plan ("Customer Content")."""


_NAME_RUN = re.compile(r"(?<!^)\b[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*)+")


def named_scopes(question: str) -> list[str]:
    """The products, plans, regions and model kinds a question names: runs of capitalised words ("ChatGPT
    Enterprise"), plan words ("API", "enterprise"), regions ("EU", "California") and ``MODEL_KINDS``."""
    names = [m.group(0).lower() for m in _NAME_RUN.finditer(question)]
    names += [w for w in re.findall(r"[a-z]+", question.lower()) if w in PLAN_WORDS | REGION_WORDS]
    names += [kind for kind, pattern in MODEL_KINDS.items() if pattern.search(question)]
    return list(dict.fromkeys(names))


def _says(name: str, text: str) -> bool:
    """Whether ``text`` (lower-cased) names a scope: a model kind however it is spelled, else the words."""
    kind = MODEL_KINDS.get(name)
    return bool(kind.search(text)) if kind else bool(re.search(rf"\b{re.escape(name)}\b", text))


def _scoped(chosen: list[Statement], question: str) -> list[Statement]:
    """The statements that name the longest product or plan the question names, if any does: in their
    enumerated scope, or in their own sentence and lead ("for business users, including ChatGPT
    Enterprise and the API")."""
    low = question.lower()
    names = named_scopes(question)
    best, matched = 0, []
    for statement in chosen:
        items = [item.partition(":")[2] for item in statement.scope]
        items = [item for item in items if not set(item.split()) <= _GENERIC_SCOPE]
        length = max(
            (len(i) for i in items if len(i) >= 4 and re.search(rf"\b{re.escape(i)}\b", low)), default=0
        )
        said = f"{statement.sentence} {statement.context or ''}".lower()
        length = max(length, max((len(n) for n in names if _says(n, said)), default=0))
        if length > best:
            best, matched = length, [statement]
        elif length == best and length:
            matched.append(statement)
    return matched or chosen


_TIER = re.compile(
    r"\b(?i:for|of|from|on|with|to|in)\s+(?i:our\s+|the\s+|your\s+)?(?P<name>(?:[A-Z][\w.+-]*\s+){0,2}"
    rf"(?i:{'|'.join(sorted(PLAN_WORDS))})"
    r"(?:\s+(?i:users?|customers?|accounts?|plans?|products?|services?|offerings?|tiers?|subscriptions?))?)\b"
    # a region: "of EEA and Brazilian users", "for users in the EU", "California residents"
    rf"|\b(?P<region>(?i:{'|'.join(sorted(REGION_WORDS))}))\b"
    r"(?!\s+(?i:gdpr|law|laws|act|data protection|privacy|addendum|representative))"  # "the UK GDPR" is a law
)


@dataclass(frozen=True)
class Tier:
    """What a point's statements say for one plan or product ("business users"), or for the rest."""

    name: str | None
    value: AnswerVerdict
    statements: tuple[Statement, ...]


def tiers(relevant: Sequence[Statement]) -> list[Tier]:
    """The point's statements grouped by the plan or product they name ("For business users, we do not
    ..."), when the groups say different things; [] when no plan is named or they all agree. The group
    naming none (``name`` None) is what applies elsewhere."""
    groups: dict[str | None, list[Statement]] = {}
    for statement in relevant:
        m = _TIER.search(f"{statement.context or ''} {statement.sentence}")
        name = (m["name"] or m["region"]).strip() if m else None
        groups.setdefault(name, []).append(statement)
    found = [Tier(name, decide(group)[0], tuple(group)) for name, group in groups.items()]
    if all(tier.name is None for tier in found) or len({tier.value for tier in found}) < 2:
        return []
    return sorted(found, key=lambda tier: tier.name is not None)


TOPICS: dict[str, str] = {
    "customer_content_training": "training AI on customer content",
    "usage_data_training": "training AI on usage or service-generated data",
    "third_party_training": "third parties training AI on the data",
    "control": "a consent or opt-out mechanism for AI training",
    "user_rules": "users training AI models on the service or its content",
}
"""What each statement point is about, as answers say it ("... says nothing about <topic>")."""

_DETAILS: dict[str, dict[str, str]] = {
    "customer_content_training": {
        "yes": "the terms allow customer content to be used to train AI models",
        "no": "the terms say customer content is not used to train AI models",
        "with_consent": "customer content is used to train AI models only with consent",
        "opt_out": "customer content may be used to train AI models unless the customer opts out",
        "unclear": "the terms say different things about training on customer content",
        "not_stated": "the terms say nothing about training AI on customer content",
    },
    "usage_data_training": {
        "yes": "usage or service-generated data may be used to train AI models",
        "no": "the terms say usage data is not used to train AI models",
        "with_consent": "usage data is used to train AI models only with consent",
        "opt_out": "usage data may be used to train AI models unless the customer opts out",
        "unclear": "the terms say different things about training on usage data",
        "not_stated": "the terms say nothing about training AI on usage or service-generated data",
    },
    "control": {
        "opt_out": "an opt-out from AI training is described",
        "with_consent": "AI training needs consent (opt-in), so there is nothing to opt out of",
        "no": "no consent or opt-out is stated for the AI training the terms allow",
        "not_stated": "the terms describe no AI training and no consent or opt-out for it",
        "unclear": "the terms say different things about consent and opt-out",
        "yes": "a consent or opt-out mechanism is described",
    },
    "user_rules": {
        "yes": "the terms allow users to use the service or its content to train AI models",
        "no": "the terms forbid using the service or its content to train AI models",
        "with_consent": "using the service or its content to train AI models needs the vendor's permission",
        "opt_out": "using the service or its content to train AI models is allowed unless the vendor objects",
        "unclear": "the terms say different things about users training AI models",
        "not_stated": "the terms say nothing about users training AI models on the service or its content",
    },
    "third_party_training": {
        "yes": "data may be shared with third parties who train AI models on it",
        "no": "the terms say third parties do not train AI models on the data",
        "with_consent": "third parties train AI models on the data only with consent",
        "opt_out": "third parties may train AI models on the data unless the customer opts out",
        "unclear": "the terms say different things about third parties training on the data",
        "not_stated": "the terms say nothing about third parties training AI on the data",
    },
}


def detail(point: str, value: AnswerVerdict) -> str:
    """The sentence that says a statement point's value."""
    return _DETAILS[point][value]


def _lead(statement: Statement, limit: int = 40) -> str | None:
    """The words introducing a list item (their last ``limit`` words): shown apart, never glued to a quote."""
    if not statement.context:
        return None
    words = statement.context.split()
    return " ".join(words) if len(words) <= limit else "\u2026 " + " ".join(words[-limit:])


def quotes_of(
    chosen: Sequence[Statement], headings: dict[str, str | None], limit: int = 3
) -> tuple[Quote, ...]:
    """Verbatim quotes of the statements, with their clause and section, duplicates dropped."""
    out: list[Quote] = []
    for s in chosen:
        quote = Quote(s.clause_id, headings.get(s.clause_id or ""), s.sentence, _lead(s))
        if quote not in out:
            out.append(quote)
    return tuple(out[:limit])


def read_point(
    found: Sequence[Statement],
    point: str,
    headings: dict[str, str | None],
    data: frozenset[str] = frozenset(),
    question: str = "",
) -> Finding:
    """One point read from a version's statements, narrowed to what a question names."""
    if point == "control":
        return _control(found, headings, question)
    value, chosen = decide(relevant_statements(found, point, data, question))
    return Finding(value, detail(point, value), quotes_of(chosen, headings))


def _control(found: Sequence[Statement], headings: dict[str, str | None], question: str = "") -> Finding:
    """Opt-out beats opt-in; training allowed with neither is "no" (no mechanism stated)."""
    mechanisms = relevant_statements(found, "control", question=question)
    opt_outs = [s for s in mechanisms if s.condition == "opt_out"]
    consents = [s for s in mechanisms if s.condition == "consent"]
    if opt_outs:
        return Finding("opt_out", detail("control", "opt_out"), quotes_of(opt_outs + consents, headings))
    if consents:
        return Finding("with_consent", detail("control", "with_consent"), quotes_of(consents, headings))
    allowed = [s for s in found if s.actor != "user" and s.condition == "always"]
    if allowed:
        return Finding(
            "no",
            detail("control", "no"),
            quotes_of(allowed, headings),
        )
    return Finding("not_stated", detail("control", "not_stated"))


def _retention(clauses: Sequence[Clause], headings: dict[str, str | None]) -> Finding:
    """Sentences that keep or delete data for a stated period, those about inputs and content first."""
    found: list[tuple[int, int, Quote]] = []
    for position, clause in enumerate(clauses):
        if clause.kind == "heading":
            continue
        for rank, sentence in _retention_sentences(clause.body):
            found.append((rank, position, Quote(clause.id, headings.get(clause.id), sentence)))
    if not found:
        return Finding("not_stated", "the terms state no retention period for inputs or content")
    quotes = [quote for _, _, quote in sorted(found, key=lambda item: (item[0], item[1]))[:2]]
    periods: list[str] = []
    for quote in quotes:
        for match in _PERIOD.finditer(quote.text):
            if match.group(0).lower() not in periods:
                periods.append(match.group(0).lower())
    return Finding("yes", "retention stated: " + ", ".join(periods[:4]), tuple(quotes))


@lru_cache(maxsize=50_000)
def _retention_sentences(body: str) -> tuple[tuple[int, str], ...]:
    """A clause's sentences that keep or delete data for a stated period, ranked (0: about inputs and
    content). Kept per clause text: a new version repeats almost every clause of the one before."""
    if not _RETENTION.search(body):
        return ()
    return tuple(
        (0 if _INPUTS.search(sentence) else 1, sentence)
        for sentence in split_sentences(body)
        if _RETENTION.search(sentence) and _PERIOD.search(sentence) and _KEPT_DATA.search(sentence)
    )


def headings_of(clauses: Sequence[Clause]) -> dict[str, str | None]:
    """Each clause's section heading by clause id, for citations."""
    return {c.id: c.heading or (c.path[-1] if c.path else None) for c in clauses}


def compute(
    text: str, clauses: Sequence[Clause] | None = None, found: Sequence[Statement] | None = None
) -> AIProfile:
    """Read the profile of one version text (its clauses and statements when the caller has them)."""
    clauses = list(clauses) if clauses is not None else segment(text)
    headings = headings_of(clauses)
    found = list(found) if found is not None else statements(clauses)
    findings: dict[str, Finding] = {}
    for point in (
        "customer_content_training",
        "usage_data_training",
        "third_party_training",
        "control",
        "user_rules",
    ):
        findings[point] = read_point(found, point, headings)
    findings["input_retention"] = _retention(clauses, headings)
    return AIProfile(findings)


def profile_of(session: Session, content_hash: str) -> AIProfile:
    """The profile of a version text: remembered, stored, or computed (and stored) when missing."""
    return profiles_of(session, [content_hash])[content_hash]


def profiles_of(session: Session, hashes: Sequence[str]) -> dict[str, AIProfile]:
    """The profiles of many version texts: from memory, then one query, then computed for the rest.

    A profile is a function of its text and ``READER_VERSION`` alone, so parsed profiles are kept in memory by
    text hash: the register reads every vendor's on each question.
    """
    wanted = sorted(set(hashes))
    version = reading.READER_VERSION
    found = {h: _PARSED[(h, version)] for h in wanted if (h, version) in _PARSED}
    missing = [h for h in wanted if h not in found]
    if missing:
        query = select(Profile.content_hash, Profile.reader_version, Profile.data).where(
            col(Profile.content_hash).in_(missing)
        )
        for content_hash, made_by, data in session.exec(query):
            if made_by == version:
                found[content_hash] = AIProfile.from_json(dict(data))
        for content_hash in missing:
            if content_hash not in found:  # never stored, or stored by an older reader
                found[content_hash] = ensure_stored(session, content_hash)
    for content_hash, profile in found.items():
        _remember(content_hash, profile)
    return found


_PARSED: OrderedDict[tuple[str, int], AIProfile] = OrderedDict()
_PARSED_SIZE = 8192


def _remember(content_hash: str, profile: AIProfile) -> None:
    """Keep a parsed profile in memory (the least recently read are dropped first)."""
    _PARSED[(content_hash, reading.READER_VERSION)] = profile
    _PARSED.move_to_end((content_hash, reading.READER_VERSION))
    while len(_PARSED) > _PARSED_SIZE:
        _PARSED.popitem(last=False)


def ensure_stored(
    session: Session, content_hash: str, *, text: str | None = None, profile: AIProfile | None = None
) -> AIProfile:
    """Make sure this database holds the text's current profile (memory may hold it from elsewhere);
    ``text``, when the caller has it in hand, saves reading it back, and ``profile``, computed already
    from that text (in a check worker), saves reading it at all."""
    row = session.get(Profile, content_hash)
    if row is not None and row.reader_version == reading.READER_VERSION:
        return AIProfile.from_json(row.data)
    profile = profile or _PARSED.get((content_hash, reading.READER_VERSION))
    profile = profile or compute(text if text is not None else blobs.get_text(session, content_hash))
    _store(session, content_hash, profile, row)
    _remember(content_hash, profile)
    return profile


def _store(session: Session, content_hash: str, profile: AIProfile, stored: Profile | None) -> None:
    """Save a profile; another process saving the same text's profile first is fine (same result)."""
    if stored is not None:
        stored.reader_version, stored.data = reading.READER_VERSION, profile.to_json()
        session.add(stored)
        session.flush()
        return
    try:
        with session.begin_nested():
            version = reading.READER_VERSION
            session.add(Profile(content_hash=content_hash, reader_version=version, data=profile.to_json()))
    except IntegrityError:
        pass  # computed concurrently by another checker


def store_profiles(engine: Engine, version_ids: Sequence[int]) -> None:
    """Compute new versions' profiles right after they are recorded, each in its own transaction.

    This runs after the version's own transaction has committed, so a failure here never loses a version:
    it is logged, and the profile is computed when first read instead.
    """
    for version_id in version_ids:
        try:
            with session_scope(engine) as session:
                version = session.get(Version, version_id)
                if version is not None:
                    ensure_stored(session, version.content_hash)
        except Exception:
            log.exception("computing the AI data-use profile of version %s failed", version_id)
