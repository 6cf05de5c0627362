"""Answering a question about tracked terms: quoted, dated, and plain about silence.

``ask`` reads the question (``core.answers.questions``), finds the versions in force on the date asked
(today by default) and answers from the right source:
- AI-training questions from the versions' AI data-use profiles (``core.reading.profile``), narrowed to
  the data the question names;
- questions across vendors ("which of our vendors may train on customer content?") from the register
  (``core.answers.register``), one line per vendor;
- "what changed" questions from the recorded changes (``core.reading.changes``);
- every other question from the best sentences of the documents (``core.answers.evidence``), with a yes or no
  only when a quote plainly gives one (``core.answers.polarity``).

The answer is extractive and deterministic. ``answer`` then lets a configured language model reword it from
the same clauses (``core.answers.synthesis``), keeping the extractive answer whenever the model's is invalid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import metrics
from core.answers.evidence import EvidenceIndex, Hit, question_terms
from core.answers.in_force import InForce, in_force
from core.answers.polarity import action_stems, main_question, polarity
from core.answers.questions import Question, read
from core.answers.register import register_answer
from core.answers.result import Answer, Citation, Source
from core.answers.synthesis import Reread, synthesise
from core.config import Settings
from core.errors import NotFoundError, UsageError
from core.reading import profile as profiles
from core.reading.changes import list_changes
from core.reading.statements import statements
from core.reading.verdicts import VERDICT_LABELS, AnswerVerdict
from core.reading.vocabulary import GENERIC_DATA
from core.registry.names import name_like, resolve_vendor, vendor_hint, vendor_names
from core.storage import blobs
from core.storage.database import read_scope
from core.storage.models import Vendor
from core.text.clauses import segment


@dataclass
class Reply:
    """An extractive answer and the clauses it was made from (what a language model may be shown), with
    the deterministic reading of any of them alone (what checks a model's pick of the deciding clauses)."""

    answer: Answer
    sources: list[Source]
    reread: Reread | None = field(default=None, compare=False)


def ask(
    session: Session,
    text: str,
    *,
    vendor: str | None = None,
    as_of: date | None = None,
    today: date | None = None,
) -> Reply:
    """Answer ``text`` from the stored versions; ``vendor`` and ``as_of`` override what the text says."""
    if not text.strip():
        raise UsageError('ask needs a question, e.g. ask "Does Zoom use our content to train AI?"')
    today = today or datetime.now(UTC).date()
    names = vendor_names(session)
    question = read(text, names, as_of or today)  # "this month" of the day asked
    if vendor is not None:
        question = replace(question, vendor_ids=(resolve_vendor(session, vendor),))
    if as_of is not None:
        question = replace(question, as_of=as_of)
    day = question.as_of or today
    if vendor is None and question.unknown and question.kind != "register":
        raise NotFoundError(
            f"{question.unknown[0]!r} is not a tracked vendor{vendor_hint(question.unknown[0], names)}"
        )
    if question.kind == "changes":
        return _changes(session, question, as_of or today)
    if not question.vendor_ids and question.kind in ("ai", "register"):
        return Reply(register_answer(session, question, day), [])
    if not question.vendor_ids:
        if len(names) != 1:
            known = ", ".join(v.name for v in names[:12]) or "none yet; track one first"
            raise UsageError(f"which vendor? Name one in the question or with --vendor (tracked: {known})")
        question = replace(question, vendor_ids=(names[0].vendor_id,))
    versions = in_force(session, question.vendor_ids, question.doc_types, day)
    if not versions:
        when = f" on {question.as_of}" if question.as_of else ""
        raise NotFoundError(f"no stored version of that vendor's documents was in force{when}")
    if question.kind in ("ai", "register"):
        return _ai_answer(session, question, versions)
    return _general(question, versions, session)


# --- AI-training questions --------------------------------------------------------------------------


def _ai_answer(session: Session, question: Question, versions: list[InForce]) -> Reply:
    """Answer from the profile point asked about, then what the versions say on the other training points."""
    point = question.point or "customer_content_training"
    results = [(item, *_point_of(session, item, point, question)) for item in versions]
    verdict = profiles.combine(value for _, value, _ in results)
    sentences = [
        f"{item.name}: {profiles.detail(point, value)}."
        for item, value, _ in results
        if value != "not_stated"
    ]
    silent = [item.name for item, value, _ in results if value == "not_stated"]
    if silent:
        topic = profiles.TOPICS[point]
        sentences.append(
            f"{' and '.join(silent)} {'say' if len(silent) > 1 else 'says'} nothing about {topic}."
        )
    cited = [(item, quote) for item, _, quotes in results for quote in quotes]
    tiered = _tiers(session, versions, point, question) if verdict != "not_stated" else ([], [])
    sentences += tiered[0]
    cited = tiered[1] + cited
    also, more = _other_points(session, versions, point)
    answer = " ".join([_label(verdict, point), *sentences, *also])
    if verdict == "not_stated":
        # no statement the reader recognises: a clause retrieval finds that plainly answers, in training
        # words ("we will not use your voice recordings for training"), still answers; else silence, and
        # no quote may suggest otherwise
        found = _general(question, versions, session)
        quotes = [c.quote for c in found.answer.citations]
        if found.answer.verdict in _PLAIN and quotes and _TRAINING_WORDS.search(quotes[0]):
            return found
        return Reply(Answer(question.text, verdict, answer, method="profile"), [])
    citations = _unique_citations(cited + more)
    sources = [Source(f"S{n}", c.quote, c) for n, c in enumerate(citations[:6], start=1)]

    def reread(texts: Sequence[str]) -> AnswerVerdict:
        """The asked point as the statements of these quotes alone decide it."""
        found = statements("\n\n".join(texts))
        return profiles.read_point(found, point, {}, question.data, question.text).value

    extractive = Answer(question.text, verdict, answer, citations[:3], method="profile")
    return Reply(extractive, sources, reread)


def _tiers(
    session: Session, versions: list[InForce], point: str, question: Question
) -> tuple[list[str], list[tuple[InForce, profiles.Quote]]]:
    """When the question names no plan or product and the versions' statements differ by the plans they
    name ("For business users, we do not ..."), a sentence saying so and a quote for each plan."""
    if point not in profiles.FIELDS or point == "control" or profiles.named_scopes(question.text):
        return [], []
    sentences: list[str] = []
    quoted: list[tuple[InForce, profiles.Quote]] = []
    for item in versions:
        clauses = segment(blobs.get_text(session, item.content_hash))
        relevant = profiles.relevant_statements(statements(clauses), point, question.data)
        found = profiles.tiers(relevant)
        if not found:
            continue
        parts = [f"{t.name or 'otherwise'}: {VERDICT_LABELS[t.value].lower()}" for t in found]
        sentences.append(f"{item.name}: it depends on the plan or product ({'; '.join(parts)}).")
        headings = profiles.headings_of(clauses)
        quoted += [(item, profiles.quotes_of(t.statements[:1], headings)[0]) for t in found]
    return sentences, quoted


_PLAIN = ("yes", "no", "with_consent", "opt_out")
_TRAINING_WORDS = re.compile(r"\btrain(?:s|ed|ing)?\b|\bmachine learning\b", re.IGNORECASE)


def _unique_citations(quoted: list[tuple[InForce, profiles.Quote]]) -> list[Citation]:
    """Citations of the quotes, the same sentence (e.g. repeated in two sections) cited once."""
    return _unique([item.citation(q.text, q.section, q.clause_id, q.context) for item, q in quoted])


def _label(verdict: AnswerVerdict, point: str) -> str:
    """The answer's first words: the verdict, or for an opt-out question "No opt-out is stated."."""
    if point == "control" and verdict == "no":
        return "No opt-out is stated."
    return f"{VERDICT_LABELS[verdict]}."


def _point_of(
    session: Session, item: InForce, point: str, question: Question
) -> tuple[AnswerVerdict, tuple[profiles.Quote, ...]]:
    """A point's value and quotes for one version: from its stored profile, unless the question narrows it.

    A question that names specific data ("our chat messages") or a product or plan ("ChatGPT Enterprise")
    is answered from the version's statements read for it.
    """
    if point in profiles.FIELDS and not _narrows(question, item.vendor):
        found = profiles.profile_of(session, item.content_hash).findings[point]
        return found.value, found.quotes
    clauses = segment(blobs.get_text(session, item.content_hash))
    headings = profiles.headings_of(clauses)
    found = profiles.read_point(statements(clauses), point, headings, question.data, question.text)
    return found.value, found.quotes


def _narrows(question: Question, vendor: str) -> bool:
    """Whether a question names specific data or a name other than its vendor's (a product, a plan)."""
    if question.data - GENERIC_DATA or profiles.named_scopes(question.text):
        return True
    vendor_words = {word.lower() for word in re.findall(r"\w+", vendor)}
    return any(not set(re.findall(r"\w+", n.lower())) <= vendor_words for n in name_like(question.text))


def _other_points(
    session: Session, versions: list[InForce], asked: str
) -> tuple[list[str], list[tuple[InForce, profiles.Quote]]]:
    """What the versions say on the other training points: a sentence each (with its section) and quotes."""
    sentences: list[str] = []
    quoted: list[tuple[InForce, profiles.Quote]] = []
    for point in ("customer_content_training", "usage_data_training", "third_party_training"):
        if point == asked:
            continue
        findings = [
            (item, profiles.profile_of(session, item.content_hash).findings[point]) for item in versions
        ]
        value = profiles.combine(finding.value for _, finding in findings)
        if value != "not_stated":
            where = next((f"{q.section or q.clause_id}" for _, f in findings for q in f.quotes), None)
            sentences.append(
                f"Also: {profiles.detail(point, value)}" + (f" (\u00a7 {where})." if where else ".")
            )
            quoted += [(item, quote) for item, finding in findings for quote in finding.quotes]
    return sentences, quoted


# --- What changed -----------------------------------------------------------------------------------


def _changes(session: Session, question: Question, today: date) -> Reply:
    """The recorded changes of the named vendors (or all) since the period asked (30 days by default)."""
    since = question.since or date.fromordinal(today.toordinal() - 30)
    start = datetime.combine(since, datetime.min.time())
    slugs = _vendor_slugs(session, question.vendor_ids)
    targets: list[str | None] = [*slugs] or [None]
    rows = [row for slug in targets for row in list_changes(session, vendor_slug=slug, since=start)]
    if question.until is not None:
        rows = [row for row in rows if row[3].effective_date <= question.until]
    rows.sort(key=lambda row: (row[3].effective_date, row[0].id or 0), reverse=True)
    if not rows:
        who = ", ".join(slugs) or "any tracked vendor"
        period = f"between {since} and {question.until}" if question.until else f"since {since}"
        answer = f"No. No change to the documents of {who} has been recorded {period}."
        return Reply(Answer(question.text, "no", answer, method="changes"), [])
    lines: list[str] = []
    citations: list[Citation] = []
    for change, doc, vendor, version in rows[:10]:
        verdict = (
            "AI-training change, " + (change.direction or "") if change.ai_training_change else change.kind
        )
        summary = change.summary or ""
        lines.append(f"{version.effective_date} {vendor.name} {doc.doc_type}: {verdict}. {summary}".rstrip())
        for pair in (change.details or {}).get("clauses", []):
            if pair.get("ai") and pair.get("new") and len(citations) < 3:
                citations.append(
                    Citation(
                        vendor.name,
                        doc.doc_type,
                        version.effective_date,
                        pair.get("heading"),
                        pair["new"],
                        version.url or doc.url or None,
                        pair.get("id"),
                    )
                )
    more = f"\n(and {len(rows) - 10} more)" if len(rows) > 10 else ""
    period = f"between {since} and {question.until}" if question.until else f"since {since}"
    answer = f"Yes. {len(rows)} change(s) recorded {period}:\n" + "\n".join(lines) + more
    return Reply(Answer(question.text, "yes", answer, citations, method="changes", lines=lines), [])


def _vendor_slugs(session: Session, vendor_ids: Sequence[int]) -> list[str]:
    return [v.slug for v in (session.get(Vendor, vid) for vid in vendor_ids) if v is not None]


# --- Everything else: the deciding sentences ----------------------------------------------------------


def _general(question: Question, versions: list[InForce], session: Session) -> Reply:
    """The best 1-3 quotes across the vendor's documents; silence when none shares the question's words."""
    hits: list[tuple[float, int, InForce, Hit]] = []
    for order, item in enumerate(versions):
        index = EvidenceIndex.of_text(blobs.get_text(session, item.content_hash))
        hits += [(hit.score, order, item, hit) for hit in index.search(question.text, k=3)]
    hits.sort(key=lambda row: (-row[0], row[1]))
    own = {term for item in versions for term in _vendor_terms(item.vendor, question.text)}
    asked = set(question_terms(question.text)) - own
    chosen = _quotable(hits, asked)
    if not chosen:
        names = "; ".join(item.name for item in versions)
        terms = ", ".join(question_terms(question.text)) or "its words"
        answer = f"Not stated. No clause of {names} addresses this (searched for: {terms})."
        return Reply(Answer(question.text, "not_stated", answer), [])
    citations = _retention_citations(session, question, versions)
    for _, _, item, hit in chosen:
        citations.append(item.citation(hit.passage.text, hit.passage.section, hit.passage.clause_id))
    citations = _unique(citations)[:3]
    sources = [Source(f"S{n}", c.quote, c) for n, c in enumerate(citations, start=1)]
    first, best = chosen[0][2], chosen[0][3]
    must_share = _asked_terms(question.text, own)

    def verdict_of(quoted: list[Hit]) -> AnswerVerdict:
        """The verdict the quotes give: a yes or no only when one of them mostly answers the question."""
        if not any(_addresses(hit, must_share) for hit in quoted):
            return "unclear"
        return polarity(question.text, quoted, first.vendor)

    verdict = verdict_of([row[3] for row in chosen])
    if any(_addresses(row[3], must_share) for row in chosen):
        lead = (
            f"{VERDICT_LABELS[verdict]}, by the quote below."
            if verdict in ("yes", "no")
            else "The terms say:"
        )
    else:
        lead = "The terms do not answer this directly; the closest clause:"
    answer = f"{lead} From {first.name}: \u201c{best.passage.text}\u201d"

    def reread(texts: Sequence[str]) -> AnswerVerdict:
        """The verdict these quotes alone give, read as the quotes above were."""
        return verdict_of([row[3] for row in chosen if row[3].passage.text in texts])

    return Reply(Answer(question.text, verdict, answer, citations), sources, reread)


_HOW_LONG = re.compile(r"\bhow long\b|\bretention\b|\bretain", re.IGNORECASE)


def _quotable(
    hits: list[tuple[float, int, InForce, Hit]], asked: set[str]
) -> list[tuple[float, int, InForce, Hit]]:
    """The three quotes to give, best first: those sharing the question's own words, then those that match
    by synonyms or cue words alone ("retain" for "keep"); none when no quote shares the question's words.

    A quote matched only by the vendor's name is never one. Synonym-only quotes rank after the others so a
    cue word ("machine-readable" for machine learning) cannot push the sentence that answers out of the
    three; on PolicyQA keeping them lifts hit@3 by a point.
    """
    shares = [bool(row[3].matched & asked) for row in hits]
    if not any(shares):
        return []
    kept = [
        (not shared, n)
        for n, (row, shared) in enumerate(zip(hits, shares, strict=True))
        if shared or not row[3].matched
    ]
    return [hits[n] for _, n in sorted(kept)[:3]]


def _retention_citations(session: Session, question: Question, versions: list[InForce]) -> list[Citation]:
    """For "how long ..." questions, the profile's first retention sentence (one stating a period) first."""
    if not _HOW_LONG.search(question.text):
        return []
    stored = profiles.profiles_of(session, [item.content_hash for item in versions])
    return [
        item.citation(q.text, q.section, q.clause_id, q.context)
        for item in versions
        for q in stored[item.content_hash].findings["input_retention"].quotes
    ][:1]


def _unique(citations: list[Citation]) -> list[Citation]:
    """Citations without repeats of the same words (one sentence found by two routes)."""
    seen: set[str] = set()
    out = []
    for citation in citations:
        key = " ".join(citation.quote.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(citation)
    return out


_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)*")


def _vendor_terms(vendor: str, question: str) -> list[str]:
    """The question's words that name the vendor: its name's, and a capitalised run the question writes
    for a vendor known by its domain ("Internet Brands" for internetbrands.com)."""
    compact = re.sub(r"[^a-z0-9]", "", vendor.lower())
    named: list[str] = []
    for run in _CAPITALISED_RUN.finditer(question):
        words = run.group(0).split()
        spans = [(start, end) for start in range(len(words)) for end in range(len(words), start, -1)]
        for start, end in spans:  # the leftmost, longest run of words that spells the name
            joined = re.sub(r"[^a-z0-9]", "", "".join(words[start:end]).lower())
            if len(joined) >= 4 and compact.startswith(joined):
                named += words[start:end]
                break
    return question_terms(" ".join([vendor, *named]))


def _asked_terms(text: str, own: set[str]) -> set[str]:
    """The words a quote must share to answer: those of the yes/no question after any leading clause
    ("When our staff make calls, does X keep the audio?" asks about keeping audio), without the vendor's."""
    main = main_question(text) or text
    return set(question_terms(main)) - own or set(question_terms(text)) - own


def _addresses(hit: Hit, asked: set[str]) -> bool:
    """Whether a quote shares at least half of the question's own words (a verb by its synonyms: "retain"
    for "keep"), so it answers rather than merely relates.

    A word with a negating prefix shares the word ("unencrypted" answers "encrypted"). Quotes sharing fewer
    are still shown (on PolicyQA, requiring most words halves hit@3), but the answer
    says they are only the closest clauses and gives no yes or no.
    """
    if not asked:
        return False
    stems = set(question_terms(hit.passage.text))
    shared = sum(
        1
        for term in asked
        if term in hit.matched or stems.intersection(action_stems(term)) or f"un{term}" in stems
    )
    return shared * 2 >= len(asked)


# --- With the optional language model -----------------------------------------------------------------


async def answer(
    engine: Engine,
    settings: Settings,
    text: str,
    *,
    vendor: str | None = None,
    as_of: date | None = None,
    today: date | None = None,
) -> Answer:
    """``ask``, then a configured language model's rewording of the same clauses (validated)."""
    with metrics.ANSWER_SECONDS.time():
        with read_scope(engine) as session:
            reply = ask(session, text, vendor=vendor, as_of=as_of, today=today)
        if not settings.llm_enabled or not reply.sources:
            return reply.answer
        return await synthesise(text, reply.sources, reply.answer, settings, reply.reread)


# --- The register: every vendor's profile ---------------------------------------------------------------
