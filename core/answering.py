"""Answering a question about tracked terms: quoted, dated, and plain about silence.

``ask`` reads the question (``core.questions``), finds the versions in force on the date asked (today by
default) and answers from the right source:
- AI-training questions from the versions' AI data-use profiles (``core.profile``), narrowed to the data
  the question names;
- questions across vendors ("which of our vendors may train on customer content?") from every vendor's
  profile, one line each;
- "what changed" questions from the recorded changes (``core.changes``);
- every other question from the best sentences of the documents (``core.evidence``).

The answer is extractive and deterministic. ``answer`` then lets a configured language model reword it
from the same clauses (``core.synthesis``), keeping the extractive answer whenever the model's is invalid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from rapidfuzz import fuzz
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import profile as profiles
from core.ailanguage import split_sentences, statements
from core.answers import VERDICT_LABELS, Answer, AnswerVerdict, Citation, Source
from core.changes import list_changes
from core.clauses import segment
from core.config import Settings
from core.documents import slugify
from core.errors import NotFoundError, UsageError
from core.evidence import EvidenceIndex, Hit, question_terms
from core.questions import Question, VendorName, find_vendors, name_like, read
from core.storage import blobs
from core.storage.database import read_scope
from core.storage.models import Document, Vendor, Version
from core.synthesis import synthesise

_YES_NO = re.compile(
    r"^(?:do|does|did|is|are|was|were|can|could|will|would|may|might|should|has|have|shall)\b", re.IGNORECASE
)
_NEGATION = re.compile(r"not|never|no|none|neither|nor|cannot")
_CONTRASTS = frozenset({"but", "however", "except", "although", "whereas", "unless"})
_CONDITIONS = frozenset({"if", "unless", "when", "whether", "where", "once"})
_POINT_TOPICS = {
    "customer_content_training": "training AI on customer content",
    "usage_data_training": "training AI on usage or service-generated data",
    "third_party_training": "third parties training AI on the data",
    "control": "a consent or opt-out mechanism for AI training",
    "user_rules": "users training AI models on the service or its content",
}


@dataclass(frozen=True)
class InForce:
    """One document's version in force on the day asked: what answers name and cite."""

    vendor_id: int
    vendor: str
    document: str
    version_date: date
    content_hash: str
    url: str | None

    @property
    def name(self) -> str:
        """How answers name it: "Zoom's Terms of Service (version of 2023-08-07)"."""
        return f"{self.vendor}'s {self.document} (version of {self.version_date})"

    def citation(
        self, quote: str, section: str | None, clause_id: str | None, context: str | None = None
    ) -> Citation:
        """A citation of a quote from this version."""
        return Citation(
            vendor=self.vendor,
            document=self.document,
            version_date=self.version_date,
            section=section,
            quote=quote,
            url=self.url,
            clause_id=clause_id,
            context=context,
        )


@dataclass
class Reply:
    """An extractive answer and the clauses it was made from (what a language model may be shown)."""

    answer: Answer
    sources: list[Source]


def vendor_names(session: Session) -> list[VendorName]:
    """Every vendor with the names a question may use for it."""
    vendors = session.exec(select(Vendor).order_by(Vendor.slug)).all()
    return [VendorName(v.id or 0, v.name, (v.slug.replace("-", " "),)) for v in vendors]


def _resolve_vendor(session: Session, name: str) -> int:
    """The vendor ``--vendor`` names; a close spelling is accepted when it is unambiguous."""
    names = vendor_names(session)
    wanted = slugify(name)
    exact = [v.vendor_id for v in names if slugify(v.name) == wanted or wanted in map(slugify, v.aliases)]
    found = exact or find_vendors(name, names) or _closest(name, names)
    if len(found) != 1:
        known = ", ".join(v.name for v in names[:12]) or "none yet"
        raise NotFoundError(f"no tracked vendor called {name!r} (tracked: {known})")
    return found[0]


def _closest(name: str, names: Sequence[VendorName]) -> list[int]:
    """The one vendor spelled closest to ``name``: a typed vendor name, so short names count too."""
    scored = sorted(
        (
            (fuzz.ratio(slugify(name), slugify(candidate)), v.vendor_id)
            for v in names
            for candidate in (v.name, *v.aliases)
        ),
        reverse=True,
    )
    if not scored or scored[0][0] < 70:
        return []
    ties = {vendor_id for score, vendor_id in scored if score == scored[0][0]}
    return list(ties) if len(ties) == 1 else []


def _in_force(
    session: Session, vendor_ids: Sequence[int], doc_types: Sequence[str], day: date
) -> list[InForce]:
    """The versions in force on ``day`` of the vendors' documents (of the named types, when any is named).

    One query of plain columns: the register reads every tracked document at once.
    """
    query = (
        sa_select(
            col(Vendor.id),
            col(Vendor.name),
            col(Document.id),
            col(Document.doc_type),
            col(Document.url),
            col(Version.effective_date),
            col(Version.content_hash),
            col(Version.url),
        )
        .select_from(Vendor)
        .join(Document, col(Document.vendor_id) == col(Vendor.id))
        .join(Version, col(Version.document_id) == col(Document.id))
        .where(col(Version.effective_date) <= day)
        .order_by(Vendor.slug, Document.slug, col(Version.effective_date).desc(), col(Version.id).desc())
    )
    if vendor_ids:
        query = query.where(col(Vendor.id).in_(list(vendor_ids)))
    found: dict[int, InForce] = {}
    for vendor_id, vendor, doc_id, doc_type, doc_url, day_of, content_hash, url in session.execute(query):
        if doc_id not in found:
            found[doc_id] = InForce(
                vendor_id or 0, vendor, doc_type, day_of, content_hash, url or doc_url or None
            )
    versions = list(found.values())
    if doc_types and any(item.document in doc_types for item in versions):
        versions = [item for item in versions if item.document in doc_types]
    return versions


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
    question = read(text, vendor_names(session), as_of or today)  # "this month" of the day asked
    if vendor is not None:
        question = replace(question, vendor_ids=(_resolve_vendor(session, vendor),))
    if as_of is not None:
        question = replace(question, as_of=as_of)
    day = question.as_of or today
    if vendor is None and question.unknown and question.kind != "register":
        known = ", ".join(v.name for v in vendor_names(session)[:12]) or "none yet"
        raise NotFoundError(f"{question.unknown[0]!r} is not a tracked vendor (tracked: {known})")
    if question.kind == "changes":
        return _changes(session, question, as_of or today)
    if not question.vendor_ids and question.kind in ("ai", "register"):
        return _register(session, question, day)
    if not question.vendor_ids:
        names = vendor_names(session)
        if len(names) != 1:
            known = ", ".join(v.name for v in names[:12]) or "none yet; track one first"
            raise UsageError(f"which vendor? Name one in the question or with --vendor (tracked: {known})")
        question = replace(question, vendor_ids=(names[0].vendor_id,))
    versions = _in_force(session, question.vendor_ids, question.doc_types, day)
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
        topic = _POINT_TOPICS[point]
        sentences.append(
            f"{' and '.join(silent)} {'say' if len(silent) > 1 else 'says'} nothing about {topic}."
        )
    cited = [(item, quote) for item, _, quotes in results for quote in quotes]
    also, more = _other_points(session, versions, point)
    answer = " ".join([_label(verdict, point), *sentences, *also])
    if verdict == "not_stated":  # silent on what was asked: no quote may suggest otherwise
        return Reply(Answer(question.text, verdict, answer, method="profile"), [])
    citations = _unique_citations(cited + more)
    sources = [Source(f"S{n}", c.quote, c) for n, c in enumerate(citations[:6], start=1)]
    return Reply(Answer(question.text, verdict, answer, citations[:3], method="profile"), sources)


def _unique_citations(quoted: list[tuple[InForce, profiles.Quote]]) -> list[Citation]:
    """Citations of the quotes, the same sentence (e.g. repeated in two sections) cited once."""
    return _unique([item.citation(q.text, q.section, q.clause_id, q.context) for item, q in quoted])


def _label(verdict: AnswerVerdict, point: str) -> str:
    """The answer's first words: the verdict, or for an opt-out question "No opt-out is stated."."""
    if point == "control" and verdict == "no":
        return "No opt-out is stated."
    return f"{VERDICT_LABELS[verdict]}."


def _point_of(
    session: Session,
    item: InForce,
    point: str,
    question: Question,
    stored: dict[str, profiles.AIProfile] | None = None,
    *,
    narrow: bool = True,
) -> tuple[AnswerVerdict, tuple[profiles.Quote, ...]]:
    """A point's value and quotes for one version: from its stored profile, unless the question narrows it.

    A question that names specific data ("our chat messages") or a product or plan ("ChatGPT Enterprise"),
    or asks about the rules on users, is answered from the version's statements read for it. ``stored``
    holds profiles already read (the register reads every vendor's in one query); ``narrow`` false keeps
    to the stored profile whatever the question names.
    """
    if point in profiles.FIELDS and not (narrow and _narrows(question, item.vendor)):
        profile = (stored or {}).get(item.content_hash) or profiles.profile_of(session, item.content_hash)
        found = profile.findings[point]
        return found.value, found.quotes
    clauses = segment(blobs.get_text(session, item.content_hash))
    headings = profiles.headings_of(clauses)
    found = profiles.read_point(statements(clauses), point, headings, question.data, question.text)
    return found.value, found.quotes


def _narrows(question: Question, vendor: str) -> bool:
    """Whether a question names specific data or a name other than its vendor's (a product, a plan)."""
    if question.data - profiles.GENERIC_DATA:
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


def _register(session: Session, question: Question, day: date) -> Reply:
    """One line per vendor for a question asked across every tracked vendor."""
    point = question.point or "customer_content_training"
    versions = _in_force(session, (), question.doc_types, day)
    if not versions:
        raise NotFoundError("no tracked documents yet; track a vendor first")
    stored = profiles.profiles_of(session, [item.content_hash for item in versions])
    by_vendor: dict[int, list[InForce]] = {}
    for item in versions:
        by_vendor.setdefault(item.vendor_id, []).append(item)
    lines: list[str] = []
    citations: list[Citation] = []
    verdicts: list[AnswerVerdict] = []
    for (
        items
    ) in by_vendor.values():  # from stored profiles only: re-reading 1,000 documents would take seconds
        results = [_point_of(session, item, point, question, stored, narrow=False) for item in items]
        value = profiles.combine(v for v, _ in results)
        verdicts.append(value)
        first = next(
            ((item, quotes[0]) for item, (_, quotes) in zip(items, results, strict=True) if quotes), None
        )
        line = f"{items[0].vendor}: {VERDICT_LABELS[value]}"
        if first is not None:
            item, quote = first
            citations.append(item.citation(quote.text, quote.section, quote.clause_id, quote.context))
            where = quote.section or quote.clause_id
            line += f" ({item.document}, {item.version_date}, {where})"
        lines.append(line)
    permissive = [v for v in verdicts if v in ("yes", "opt_out", "with_consent", "unclear")]
    verdict: AnswerVerdict = "yes" if permissive else "no" if "no" in verdicts else "not_stated"
    lines += [f"{name}: no stored version yet" for name in _vendors_without_versions(session, by_vendor, day)]
    topic = _POINT_TOPICS.get(point, "AI training")
    answer = f"{len(permissive)} of {len(lines)} vendors' terms allow or may allow {topic}:\n" + "\n".join(
        lines
    )
    return Reply(Answer(question.text, verdict, answer, citations, method="profile", lines=lines), [])


def _vendors_without_versions(session: Session, answered: dict[int, list[InForce]], day: date) -> list[str]:
    """Tracked vendors with no version in force that day: a register must not silently leave them out."""
    query = (
        sa_select(col(Vendor.id), col(Vendor.name))
        .join(Document, col(Document.vendor_id) == col(Vendor.id))
        .where(col(Document.active))
        .distinct()
        .order_by(col(Vendor.name))
    )
    return [name for vendor_id, name in session.execute(query) if vendor_id not in answered]


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
    own = {term for item in versions for term in question_terms(item.vendor)}
    asked = set(question_terms(question.text)) - own
    chosen = [row for row in hits if row[3].matched & asked][:3]
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
    if _addresses(best, asked):
        verdict = _polarity(question.text, [row[3] for row in chosen], first.vendor)
        lead = (
            f"{VERDICT_LABELS[verdict]}, by the quote below."
            if verdict in ("yes", "no")
            else "The terms say:"
        )
    else:
        verdict, lead = "unclear", "The terms do not answer this directly; the closest clause:"
    answer = f"{lead} From {first.name}: \u201c{best.passage.text}\u201d"
    return Reply(Answer(question.text, verdict, answer, citations), sources)


_HOW_LONG = re.compile(r"\bhow long\b|\bretention\b|\bretain", re.IGNORECASE)


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


def _addresses(hit: Hit, asked: set[str]) -> bool:
    """Whether a quote shares most of the question's own words, so it answers rather than merely relates.

    Quotes sharing fewer are still shown (on PolicyQA, requiring most words halves hit@3), but the answer
    says they are only the closest clauses and gives no yes or no.
    """
    return bool(asked) and len(hit.matched & asked) * 2 > len(asked)


def _polarity(question: str, hits: list[Hit], vendor: str) -> AnswerVerdict:
    """Yes or no for a yes/no question when a quote plainly states or denies what is asked; else unclear.

    The asked action is the question's first content word that is not a name ("sell" in "Does Zoom sell
    personal data?"). Among the quoted sentences that contain it, the one sharing most of the question's
    other words decides: no when a negation governs the action (in the same clause, before it, and not in
    an "if ... not" condition), yes otherwise. No quoted sentence naming the action means ``unclear``.
    """
    if not _YES_NO.match(question.strip()):
        return "unclear"
    names = " ".join([vendor, *name_like(question)])
    own = set(question_terms(names))
    terms = [term for term in question_terms(question) if term not in own]
    if not terms:
        return "unclear"
    action, objects = terms[0], set(terms[1:])
    best: tuple[int, int, bool] | None = None
    for order, hit in enumerate(hits):
        for sentence in split_sentences(hit.passage.text):
            words = re.findall(r"[a-z0-9']+", sentence.lower())
            at = next((i for i, word in enumerate(words) if word.startswith(action)), None)
            if at is None:
                continue
            overlap = sum(1 for o in objects if any(word.startswith(o) for word in words))
            candidate = (overlap, -order, _negated(words[:at]))
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return "unclear"
    return "no" if best[2] else "yes"


def _negated(before: list[str]) -> bool:
    """Whether the words before an action, back to the start of its clause, deny it."""
    for position in range(len(before) - 1, -1, -1):
        if before[position] in _CONTRASTS:
            before = before[position + 1 :]
            break
    for position, word in enumerate(before):
        denies = _NEGATION.fullmatch(word) or word.endswith("n't")
        if denies and not _CONDITIONS & set(before[max(0, position - 4) : position]):
            return True
    return False


# --- With the optional language model -----------------------------------------------------------------


async def answer(
    engine: Engine,
    settings: Settings,
    text: str,
    *,
    vendor: str | None = None,
    as_of: date | None = None,
) -> Answer:
    """``ask``, then a configured language model's rewording of the same clauses (validated)."""
    with read_scope(engine) as session:
        reply = ask(session, text, vendor=vendor, as_of=as_of)
    if not settings.llm_enabled or not reply.sources:
        return reply.answer
    return await synthesise(text, reply.sources, reply.answer, settings)


# --- The register: every vendor's profile ---------------------------------------------------------------


@dataclass(frozen=True)
class VendorProfile:
    """A vendor's AI data-use profile over its documents in force: per point, a value and citations."""

    vendor: str
    versions: list[InForce]
    values: dict[str, AnswerVerdict]
    details: dict[str, str]
    citations: dict[str, list[Citation]]

    def to_json(self) -> dict[str, object]:
        """One register entry as ``profile --format json`` prints it."""
        return {
            "vendor": self.vendor,
            "documents": [
                {
                    "document": i.document,
                    "version_date": i.version_date.isoformat(),
                    "url": i.url,
                }
                for i in self.versions
            ],
            "profile": {
                point: {
                    "label": profiles.FIELDS[point],
                    "value": self.values[point],
                    "detail": self.details[point],
                    "citations": [c.to_json() for c in self.citations[point]],
                }
                for point in profiles.FIELDS
            },
        }


def vendor_profiles(
    session: Session, *, vendor: str | None = None, as_of: date | None = None
) -> list[VendorProfile]:
    """The profile of one vendor, or the register of every tracked vendor, as of a day (today)."""
    day = as_of or datetime.now(UTC).date()
    vendor_ids = (_resolve_vendor(session, vendor),) if vendor else ()
    by_vendor: dict[int, list[InForce]] = {}
    for item in _in_force(session, vendor_ids, (), day):
        by_vendor.setdefault(item.vendor_id, []).append(item)
    if vendor and not by_vendor:
        raise NotFoundError(
            f"{vendor!r} has no stored version in force on {day}; run `clausewatch check` first"
        )
    found = [_vendor_profile(session, items) for items in by_vendor.values()]
    if vendor is None:  # the register lists every tracked vendor, with or without a version yet
        found += [_no_version(name) for name in _vendors_without_versions(session, by_vendor, day)]
    return found


def _no_version(vendor: str) -> VendorProfile:
    """A register row for a tracked vendor with no version in force: every point not stated, and why."""
    return VendorProfile(
        vendor,
        [],
        {point: "not_stated" for point in profiles.FIELDS},
        {point: "no stored version yet" for point in profiles.FIELDS},
        {point: [] for point in profiles.FIELDS},
    )


def _vendor_profile(session: Session, items: list[InForce]) -> VendorProfile:
    values: dict[str, AnswerVerdict] = {}
    details: dict[str, str] = {}
    citations: dict[str, list[Citation]] = {}
    stored = profiles.profiles_of(session, [item.content_hash for item in items])
    found = [(item, stored[item.content_hash]) for item in items]
    for point in profiles.FIELDS:
        findings = [(item, p.findings[point]) for item, p in found]
        stated = [(item, f) for item, f in findings if f.value != "not_stated"]
        if point == "input_retention":
            values[point] = "yes" if stated else "not_stated"
        else:
            values[point] = profiles.combine(f.value for _, f in findings)
        details[point] = (
            "; ".join(f"{item.document}: {f.detail}" for item, f in stated) or findings[0][1].detail
        )
        citations[point] = [
            item.citation(q.text, q.section, q.clause_id, q.context) for item, f in stated for q in f.quotes
        ][:3]
    return VendorProfile(items[0].vendor, items, values, details, citations)
