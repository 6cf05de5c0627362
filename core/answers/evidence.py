"""Evidence selection: the 1-3 verbatim quotes of a document that best answer a question.

Design (docs/research/qa-evidence-selection.md, reimplemented on bm25s and extended):

- Candidate units are every sentence of a clause and every window of 2-3 adjacent sentences of the same
  clause, so a quote is always verbatim from one clause. Sentences are split on end punctuation except
  after abbreviations (e.g., Inc., U.S., initials); run-ons over 60 words are cut at semicolons; pieces
  under 6 words ("1.", titles, list lead-ins) are attached to the next sentence.
- Scoring is Okapi BM25 (bm25s, Lucene IDF, k1 2.0, b 0.75) with per-document IDF over Snowball stems
  (PyStemmer) without stopwords. Three indexes share one vocabulary: units, whole clauses and headings.
- The query has three parts, each scored separately and normalised by its maximum: the question's own
  content stems (question boilerplate such as "company", "website", "you" dropped), weight 1, scaled
  down by the square root of the share of them the document contains at all; a general privacy
  synonym map, weight 0.3; question-type cues ("how long" -> retention/period/days, "share" -> third
  parties/affiliates, "opt out" -> unsubscribe/settings, AI training -> model/machine learning ...),
  weight 0.7.
- A unit's score is its own score times a prior, plus 0.4 x its clause's score plus 0.2 x its heading's
  score (the clause heading, or an inline lead such as "Cookies:"). The prior divides by
  1 + 0.1 x the unit's sentence offset in its clause (answers cluster in a paragraph's opening
  sentences) and by 0.985 per extra sentence (the knob that holds quotes under 45 words).
- The top k units are returned best first, no two sharing a sentence; ties go in document order. A
  unit must match some query term itself, so a question with nothing in the document gets [].

Measured on PolicyQA dev (../shared/corpus/qa/policyqa-dev, score.py's rule; tuned on the dev half), this
module alone (``clausewatch eval-qa``, which also drops the vendor's own name from the question and
imports each policy as a tracked document, measures all 3,809 at 0.224 / 0.393 / 44.3 words; the
halves below were measured with 0.99 per extra sentence, at 0.226 / 0.384 / 45.3 words):

    half                  hit@1  hit@3  words/quote
    dev (1,875 q)         0.251  0.411  45.7
    test (1,934 q)        0.203  0.382  44.1
    all (3,809 q)         0.227  0.396  44.9
    (research prototype: all 0.222 / 0.388 at 44.6 words; sentence BM25 baseline 0.236 at 26 words)

All 3,809 questions over the 20 documents take about 3 s including indexing; 1,000 questions over 50
documents about 1 s. A 64 KB policy indexes in about 13-15 ms (see benchmarks/questions.py for 1,000
documents), and a query's p95 is about 1 ms. Output is identical under any PYTHONHASHSEED. Further
lexical features (coverage bonus, penalties for units without content words, adaptive windows, per-clause
caps, BM25 variants) measured flat at equal quote length; hit@3 grows with quote length along one curve.
So did, in December 2026, a logistic reranker of the top 20 units (BM25 parts, rank, coverage, length,
heading overlap, and question type x unit features such as lists, periods, "you can", negation), trained on
one half of the policies and measured on the other: 0.420 / 0.366 hit@3 against 0.416 / 0.381 for this
ranking, by choosing longer quotes (51 and 65 words); and capping windows at 25-40 content words traced
the same curve (0.335 at 33 words, 0.367 at 40). It is not shipped.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import bm25s
import numpy as np
import numpy.typing as npt
import Stemmer

from core.reading.vocabulary import NUMBER_WORDS
from core.text.clauses import Clause, segment
from core.text.sentences import sentence_spans

# ----------------------------------------------------------------------------------------------------
# Tuning (measured on the PolicyQA dev half; see the module docstring)

K1 = 2.0
B = 0.75
SYNONYM_WEIGHT = 0.3
CUE_WEIGHT = 0.7
CLAUSE_WEIGHT = 0.4
HEADING_WEIGHT = 0.2
FAQ_HEADING_WEIGHT = 0.6
FAQ_MATCH = 0.5
POSITION_DECAY = 0.1
COVERAGE_EXPONENT = 0.5
WINDOW_GAIN = 0.985
MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 60
MAX_WINDOW = 3
_CACHE_SIZE = 1024


def _words(text: str) -> frozenset[str]:
    """A word list written as running text, one entry per whitespace-separated word."""
    return frozenset(text.split())


# ----------------------------------------------------------------------------------------------------
# Vocabulary: general English stopwords, question boilerplate, privacy synonyms and question-type cues.

_STOPWORDS = _words(
    """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves shall may might must also etc us
    """
)
"""Function words: they carry no topic, and in a policy they are on every line."""

_BOILERPLATE = _words(
    """
    company companies website websites site sites user users app apps ever kind kinds type types way
    ways please tell know explain mean happen happens
    """
)
"""Words every question uses to address the vendor ("does the company/website/you ..."): not its topic."""

_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("collect", "gather", "obtain", "receive", "acquire", "record", "capture"),
    ("share", "disclose", "sell", "rent", "trade", "lease", "transfer", "provide", "release"),
    ("retain", "keep", "store", "preserve", "hold", "archive"),
    ("delete", "remove", "erase", "destroy", "deactivate", "close", "cancel"),
    ("opt", "unsubscribe", "choice", "choose", "preference", "decline", "withdraw", "refuse"),
    ("cookie", "beacon", "pixel", "tag", "tracking", "gif", "flash", "track"),
    ("child", "children", "minor", "kid", "age", "13", "parent", "teen"),
    ("security", "secure", "encrypt", "encryption", "safeguard", "protect", "protection", "ssl", "firewall"),
    ("change", "update", "amend", "modify", "revise", "revision"),
    ("notify", "notice", "notification", "inform", "post", "alert"),
    ("access", "view", "review", "correct", "edit", "inspect", "copy"),
    ("advertising", "advertisement", "ad", "ads", "advertiser", "marketing", "promotional", "targeted"),
    ("location", "geolocation", "gps", "geographic", "whereabouts"),
    ("contact", "email", "phone", "telephone", "mail", "address"),
    ("third", "partner", "affiliate", "vendor", "provider", "contractor", "subsidiary", "sponsor"),
    ("use", "process", "utilize", "employ", "purpose"),
    ("consent", "permission", "agree", "authorize", "approval"),
    ("law", "legal", "subpoena", "court", "enforcement", "regulation", "comply", "government", "police"),
    ("international", "country", "countries", "abroad", "outside", "jurisdiction", "border"),
    ("aggregate", "anonymous", "anonymized", "identified", "statistical", "analytics", "statistics"),
    ("payment", "credit", "card", "billing", "financial", "purchase", "transaction"),
    ("account", "register", "registration", "profile", "sign", "login", "password"),
    ("social", "facebook", "twitter", "plugin", "widget", "network"),
    ("merger", "acquisition", "bankruptcy", "reorganization", "successor", "asset"),
    ("communication", "newsletter", "message", "promotion", "offer", "mailing"),
    ("health", "medical", "sensitive", "biometric", "genetic", "patient"),
    ("device", "browser", "ip", "identifier", "computer", "mobile"),
    ("survey", "contest", "sweepstakes", "promotion", "feedback"),
    ("personal", "personally", "identifiable", "pii"),
    ("train", "training", "model", "algorithm", "learning", "ai", "artificial", "intelligence"),
)
"""General privacy/data-use word groups: a question word pulls in its group at a lower weight."""

_CUES: tuple[tuple[str, str], ...] = (
    (r"how long|retain|retention|keep|store|storage", "retain retention period days months years necessary"),
    (r"share|shar|disclos|third part|sell|sold|rent|give|others", "third parties partners affiliates share"),
    (
        r"opt.?out|unsubscribe|stop receiv|choice|choose|control|turn off",
        "opt out unsubscribe settings link preferences choose manage click",
    ),
    (r"child|kid|minor|\bage\b|teen", "children under 13 parent age minors"),
    (r"cookie|track|beacon|pixel", "cookies tracking technologies web beacons browser"),
    (r"secur|protect|safe|breach|encrypt", "security safeguards measures protect encryption"),
    (r"change|update|amend|modif|revis", "changes update revise post notify effective"),
    (r"delete|remov|eras|deactivat|close", "delete remove account request deactivate"),
    (r"access|edit|correct|review|view", "access correct update review account"),
    (r"contact|reach|question|complain", "contact us email address questions"),
    (
        r"why|purpose|reason|for what|how .*use|use .*for",
        "use purposes provide improve personalize order help better understand",
    ),
    (
        r"what .*(?:information|data)|which .*(?:information|data)|collect",
        "name email address collect include",
    ),
    (r"advertis|\bads?\b|marketing|promot", "advertising advertisers ads interests targeted"),
    (r"\blaw|legal|government|police|court|subpoena", "law legal process comply subpoena enforcement"),
    (r"do not track|dnt", "do not track dnt signals respond browser"),
    (r"consent|permission|agree|allow", "consent permission agree ask authorize without"),
    (
        r"\btrain|\bai\b|artificial intelligence|machine learning|model|algorithm",
        "train model artificial intelligence machine learning algorithm",
    ),
)
"""Question-type cues: what an answer to this kind of question says, in general policy vocabulary."""

# ----------------------------------------------------------------------------------------------------
# Text: tokens and sentences

_WORD = re.compile(r"[a-z0-9]+")
_WORD_OR_BREAK = re.compile(r"[a-z0-9]+|\n")
_STOPWORD, _BREAK = -1, -2
_STEMMER = Stemmer.Stemmer("english")
_LONG_SPLIT = re.compile(r";\s+")
_INLINE_HEADING = re.compile(r"([^.:?!]{3,80}[:?])\s+[A-Z]")
_INLINE_HEADING_WORDS = 10


def _stems(text: str, drop: frozenset[str] = _STOPWORDS) -> list[str]:
    """Snowball stems of the words of ``text`` that are not in ``drop``, in order (repeats kept)."""
    words = [w for w in _WORD.findall(text.lower().replace("e-mail", "email")) if w not in drop]
    return list(_STEMMER.stemWords([NUMBER_WORDS.get(w, w) for w in words]))


def _word_count(text: str) -> int:
    """Words for the sentence-length limits: whitespace-separated pieces (4x cheaper than a regex)."""
    return len(text.split())


def quote_spans(text: str) -> list[tuple[int, int]]:
    """The quotable pieces of ``text`` as (start, end) offsets: its sentences, verbatim, made quotable.

    A sentence of more than ``MAX_SENTENCE_WORDS`` words (a run-on list) is cut again at semicolons, so
    quotes stay short. A piece of fewer than ``MIN_SENTENCE_WORDS`` words ("1.", a title, a list lead-in)
    is joined to the next one (to the previous one at the end), since alone it answers nothing.
    """
    spans = [piece for start, end in sentence_spans(text) for piece in _split_long(text, start, end)]
    return _join_fragments(text, spans)


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at semicolons; a sentence of normal length is kept whole."""
    if _word_count(text[start:end]) <= MAX_SENTENCE_WORDS:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    for match in _LONG_SPLIT.finditer(text, start, end):
        pieces.append((start, match.start() + 1))
        start = match.end()
    pieces.append((start, end))
    return pieces


def _join_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Attach pieces shorter than ``MIN_SENTENCE_WORDS`` words to the following piece (or the previous)."""
    joined: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in spans:
        if pending is not None:
            start, pending = pending, None
        if _word_count(text[start:end]) < MIN_SENTENCE_WORDS:
            pending = start
            continue
        joined.append((start, end))
    if pending is not None:
        if joined:
            joined[-1] = (joined[-1][0], spans[-1][1])
        else:
            joined.append((pending, spans[-1][1]))
    return joined


# ----------------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class _Query:
    """A question as weighted parts: its own content stems, their synonyms and its question-type cues."""

    content: tuple[str, ...]
    parts: tuple[tuple[float, tuple[str, ...]], ...]


def question_terms(question: str) -> list[str]:
    """The question's content-word stems, without stopwords and question boilerplate, in order, unique."""
    return list(_query(question).content)


@lru_cache(maxsize=4096)
def _query(question: str) -> _Query:
    content = tuple(dict.fromkeys(_stems(question, _STOPWORDS | _BOILERPLATE)))
    own = set(content)
    synonyms: dict[str, None] = {}
    for stem in content:
        for group in _SYNONYM_STEMS.get(stem, ()):
            synonyms.update((s, None) for s in group if s not in own)
    lowered = question.lower()
    cues: dict[str, None] = {}
    for pattern, stems in _CUE_STEMS:
        if pattern.search(lowered):
            cues.update((s, None) for s in stems if s not in own and s not in synonyms)
    parts = ((1.0, content), (SYNONYM_WEIGHT, tuple(synonyms)), (CUE_WEIGHT, tuple(cues)))
    return _Query(content, tuple(part for part in parts if part[1]))


def _synonym_stems() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each stem of the synonym map with the groups it belongs to (stemmed)."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for group in _SYNONYMS:
        stems = tuple(dict.fromkeys(_STEMMER.stemWords(list(group))))
        for stem in stems:
            table.setdefault(stem, []).append(stems)
    return {stem: tuple(groups) for stem, groups in table.items()}


_SYNONYM_STEMS = _synonym_stems()
_CUE_STEMS = tuple((re.compile(pattern), tuple(dict.fromkeys(_stems(words)))) for pattern, words in _CUES)

# ----------------------------------------------------------------------------------------------------
# The index


@dataclass(frozen=True)
class Passage:
    """A quotable unit: verbatim sentences from one clause."""

    text: str
    clause_id: str
    section: str | None
    clause_index: int
    first_sentence: int
    last_sentence: int


@dataclass(frozen=True)
class Hit:
    """A passage with its score and the question's own content stems it contains."""

    passage: Passage
    score: float
    matched: frozenset[str]


_IntArray = npt.NDArray[np.int32]
_FloatArray = npt.NDArray[np.float32]


class _VectorisedBM25(bm25s.BM25):
    """bm25s's index, built with whole-array numpy operations instead of a Python loop per unit.

    bm25s names ``build_index_from_ids`` as the hook for building its index differently; its scoring and
    retrieval are unchanged. A document has thousands of short units (sentences and windows), for which
    bm25s's per-document ``Counter`` dominated: this builds the same Lucene-BM25 matrix (tested against
    bm25s's own) about ten times faster.
    """

    def build_index_from_ids(
        self,
        unique_token_ids: list[int],
        corpus_token_ids: list[list[int]],
        show_progress: bool = False,
        leave_progress: bool = False,
    ) -> dict[str, object]:
        self.nonoccurrence_array = None  # Lucene BM25 has no non-occurrence term (bm25s reads this)
        n_docs, n_vocab = len(corpus_token_ids), len(unique_token_ids)
        lengths = np.fromiter((len(doc) for doc in corpus_token_ids), dtype=np.int64, count=n_docs)
        tokens = np.fromiter(chain.from_iterable(corpus_token_ids), dtype=np.int64, count=int(lengths.sum()))
        docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        keys, tf = np.unique(tokens * n_docs + docs, return_counts=True)  # sorted by token, then unit
        vocab_ids, doc_ids = np.divmod(keys, n_docs)
        df = np.bincount(vocab_ids, minlength=n_vocab)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        norm = self.k1 * ((1 - self.b) + self.b * lengths[doc_ids] / max(lengths.mean(), 1e-9))
        indptr = np.zeros(n_vocab + 1, dtype=self.int_dtype)
        np.cumsum(df, out=indptr[1:])
        return {
            "data": (idf[vocab_ids] * tf / (norm + tf)).astype(self.dtype),
            "indices": doc_ids.astype(self.int_dtype),
            "indptr": indptr,
            "num_docs": n_docs,
        }


def _bm25(corpus: list[list[int]], vocab: dict[str, int]) -> bm25s.BM25:
    """A bm25s index (Lucene BM25) over token-id lists that share the document's vocabulary."""
    index = _VectorisedBM25(k1=K1, b=B, method="lucene", idf_method="lucene")
    index.index((corpus, vocab), create_empty_token=False, show_progress=False)
    return index


class EvidenceIndex:
    """A document's quotable units (sentences and windows of adjacent sentences), indexed for BM25.

    Three bm25s indexes share one vocabulary (so one list of token ids queries all three): units, clauses
    and clause headings. Per unit only small arrays are kept (first and last sentence, clause, position
    prior); sentence offsets locate the verbatim text of the few units that are returned.
    """

    def __init__(self, clauses: Sequence[Clause]) -> None:
        self._clauses = tuple(clauses)
        self._vocab: dict[str, int] = {}
        quotable: list[int] = []
        sentence_clause: list[int] = []
        spans: list[tuple[int, int]] = []
        headings: list[str] = []
        faq: list[bool] = []  # a clause under a question heading: an FAQ answer
        sentences: list[str] = []
        for position, clause in enumerate(self._clauses):
            if clause.kind == "heading":
                continue
            quotable.append(position)
            headings.append(_heading(clause))
            faq.append((clause.heading or "").rstrip().endswith("?"))
            for start, end in quote_spans(clause.text):
                sentence_clause.append(len(quotable) - 1)
                spans.append((start, end))
                sentences.append(clause.text[start:end])
        heading_docs = self._ids(headings)
        sentence_docs = self._ids(sentences)
        clause_docs: list[list[int]] = [[] for _ in quotable]  # a clause's words are its sentences' words
        for clause_number, ids in zip(sentence_clause, sentence_docs, strict=True):
            clause_docs[clause_number] += ids
        self._quotable = np.asarray(quotable, dtype=np.int32)
        self._sentence_clause = np.asarray(sentence_clause, dtype=np.int32)
        self._spans = np.asarray(spans, dtype=np.int32).reshape(-1, 2)
        self._first, self._last, self._prior, unit_docs = _units(sentence_clause, sentence_docs)
        self._unit_clause = self._sentence_clause[self._first]
        searchable = bool(self._vocab) and any(unit_docs)
        self._units = _bm25(unit_docs, self._vocab) if searchable else None
        self._clause_index = _bm25(clause_docs, self._vocab) if searchable else None
        self._heading_index = _bm25(heading_docs, self._vocab) if searchable and any(heading_docs) else None
        # an FAQ's question heading ("Does Acme train its models on my data?") says what its answer answers
        self._heading_weight = np.where(faq, FAQ_HEADING_WEIGHT, HEADING_WEIGHT).astype(np.float32)
        self._faq = np.asarray(faq, dtype=bool)
        self._headings = headings
        clause_start = np.full(len(quotable), len(sentence_clause), dtype=np.int32)
        np.minimum.at(clause_start, self._sentence_clause, np.arange(len(sentence_clause), dtype=np.int32))
        self._opens = self._first == clause_start[self._unit_clause]  # the unit opens its clause

    def _ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text's stems, growing the shared vocabulary.

        All texts are tokenised in one pass and each distinct word is stemmed once: per-text work was
        most of the cost of indexing a document's thousand sentences. A line break separates the texts.
        """
        if not texts:
            return []
        vocab = self._vocab
        joined = "\n".join(text.replace("\n", " ") for text in texts)
        words = _WORD_OR_BREAK.findall(joined.lower().replace("e-mail", "email"))
        distinct = [word for word in dict.fromkeys(words) if word != "\n"]
        word_ids = {"\n": _BREAK}
        numbers = [NUMBER_WORDS.get(word, word) for word in distinct]  # "thirteen" is "13"
        for word, stem in zip(distinct, _STEMMER.stemWords(numbers), strict=True):
            word_ids[word] = _STOPWORD if word in _STOPWORDS else vocab.setdefault(stem, len(vocab))
        out: list[list[int]] = [[]]
        for token in map(word_ids.__getitem__, words):
            if token >= 0:
                out[-1].append(token)
            elif token == _BREAK:
                out.append([])
        return out

    @classmethod
    def of_text(cls, text: str) -> EvidenceIndex:
        """The index of a document's text, segmented into clauses; the last few hundred are memoised.

        Keyed on a digest of the text, so the memo holds no second copy of each document.
        """
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        index = _MEMO.get(key)
        if index is None:
            index = cls(segment(text))
            _MEMO[key] = index
            if len(_MEMO) > _CACHE_SIZE:
                _MEMO.popitem(last=False)
        else:
            _MEMO.move_to_end(key)
        return index

    @property
    def clauses(self) -> Sequence[Clause]:
        """The clauses the index was built from, in document order."""
        return self._clauses

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The ``k`` best passages for ``question``, best first, no two sharing a sentence.

        Empty when no unit contains any of the question's terms, synonyms or cue words: a clause or
        heading match alone never makes a unit quotable, except the opening of an FAQ answer whose question
        heading shares most of the question's words ("Does Acme train on my data?" / "By default, we do
        not.").
        """
        if self._units is None or self._clause_index is None or k <= 0:
            return []
        query = _query(question)
        unit_score = np.zeros(len(self._first), dtype=np.float32)
        context = np.zeros(len(self._quotable), dtype=np.float32)
        faq_match = np.zeros(len(self._quotable), dtype=np.float32)
        for weight, stems in query.parts:
            token_ids = [self._vocab[stem] for stem in stems if stem in self._vocab]
            if not token_ids:
                continue
            if stems is query.content:
                # the document lacks some of the question's own words: lean more on synonyms and cues
                weight *= (len(token_ids) / len(stems)) ** COVERAGE_EXPONENT
            unit_score += weight * _normalised(self._units.get_scores_from_ids(token_ids))
            context += weight * CLAUSE_WEIGHT * _normalised(self._clause_index.get_scores_from_ids(token_ids))
            if self._heading_index is not None:
                heading_score = self._heading_index.get_scores_from_ids(token_ids)
                context += weight * self._heading_weight * _normalised(heading_score)
                if stems is query.content:
                    faq_match = np.where(self._faq, _normalised(heading_score), 0.0).astype(np.float32)
        answers = self._opens & (faq_match[self._unit_clause] >= FAQ_MATCH)
        # a terse answer ("By default, we do not.") scores as if it said its question heading's words
        terse = answers & (unit_score == 0)
        unit_score = np.where(terse, faq_match[self._unit_clause], unit_score).astype(np.float32)
        candidates = np.flatnonzero((unit_score > 0) | answers)
        if not len(candidates):
            return []
        final = unit_score[candidates] * self._prior[candidates] + context[self._unit_clause[candidates]]
        ranked = np.lexsort((self._last[candidates], self._first[candidates], -final))
        return self._pick(candidates[ranked].tolist(), final[ranked].tolist(), query.content, k)

    def _pick(self, units: list[int], scores: list[float], content: tuple[str, ...], k: int) -> list[Hit]:
        """Take units best first, skipping any that shares a sentence with one already taken.

        Without this, the top three are one good sentence and the two windows around it: one answer.
        """
        hits: list[Hit] = []
        used: set[int] = set()
        for unit, score in zip(units, scores, strict=True):
            first, last = int(self._first[unit]), int(self._last[unit])
            if not used.isdisjoint(range(first, last + 1)):
                continue
            used.update(range(first, last + 1))
            passage = self._passage(first, last)
            words = _stems(passage.text)
            clause = int(self._unit_clause[unit])
            if self._faq[clause] and self._opens[unit]:
                words += _stems(self._headings[clause])  # an FAQ answer answers its question heading
            hits.append(Hit(passage, score, frozenset(content).intersection(words)))
            if len(hits) == k:
                break
        return hits

    def _passage(self, first: int, last: int) -> Passage:
        """The verbatim text of sentences ``first``..``last`` (one clause) and where it comes from."""
        position = int(self._quotable[self._sentence_clause[first]])
        clause = self._clauses[position]
        text = clause.text[int(self._spans[first, 0]) : int(self._spans[last, 1])]
        return Passage(text, clause.id, clause.heading, position, first, last)


_MEMO: OrderedDict[bytes, EvidenceIndex] = OrderedDict()


def _heading(clause: Clause) -> str:
    """The clause's heading, or its inline lead ("Cookies: We use ...", "What do we collect? We ...").

    Extracted policies often run the heading into the paragraph; its words then say what the whole
    paragraph is about, which is what the heading bonus is for.
    """
    if clause.heading:
        return clause.heading
    lead = _INLINE_HEADING.match(clause.text)
    return lead.group(1) if lead and len(lead.group(1).split()) <= _INLINE_HEADING_WORDS else ""


def _units(
    sentence_clause: list[int], sentence_docs: list[list[int]]
) -> tuple[_IntArray, _IntArray, _FloatArray, list[list[int]]]:
    """Every sentence and every window of 2..``MAX_WINDOW`` adjacent sentences of one clause.

    Returns each unit's first and last sentence, its prior and its token ids. The prior favours units
    that open their clause: a paragraph's first sentences state its practice, and answers are
    over-represented there (a third of PolicyQA answers in clauses of four or more sentences are in the
    first one). It also discounts each extra sentence slightly, which sets the mean quote length.
    """
    first: list[int] = []
    last: list[int] = []
    prior: list[float] = []
    docs: list[list[int]] = []
    offset = 0
    for start, clause in enumerate(sentence_clause):
        offset = offset + 1 if start and sentence_clause[start - 1] == clause else 0
        tokens: list[int] = []
        for end in range(start, min(start + MAX_WINDOW, len(sentence_docs))):
            if sentence_clause[end] != clause:
                break
            tokens = tokens + sentence_docs[end]
            first.append(start)
            last.append(end)
            prior.append(WINDOW_GAIN ** (end - start) / (1.0 + POSITION_DECAY * offset))
            docs.append(tokens)
    return (
        np.asarray(first, dtype=np.int32),
        np.asarray(last, dtype=np.int32),
        np.asarray(prior, dtype=np.float32),
        docs,
    )


def _normalised(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Scores divided by their maximum, so query parts and collections mix on one scale."""
    top = float(scores.max(initial=0.0))
    return scores / top if top > 0 else scores
