"""Measuring question answering on a folder of documents and questions with gold evidence (``eval-qa``).

The folder holds ``questions.jsonl``: one object per line with ``id``, ``question``, ``document`` (a path
relative to the folder of a .txt, .md or .html file), and optionally ``vendor``, ``as_of`` (YYYY-MM-DD),
``gold`` (evidence texts: deciding sentences or answer spans) and ``verdict``. Each distinct document is
imported into a throwaway SQLite database as a tracked document's version, and every question is answered
through ``core.answers.answering.ask`` with ``--vendor``, exactly as ``clausewatch ask --vendor`` does.

A document named ``YYYY-MM-DD*.ext`` is a dated version: its vendor defaults to the folder two levels up and
its type to its own folder (``zoom/terms-of-service/2023-04-01.md``), so several dated files make one
document's history and ``as_of`` picks among them. Other documents are in force from 1970-01-01.

Scoring follows ``shared/corpus/qa/score.py``: a quote covers a gold text when it holds at least 80% of its
words; gold texts under 3 words count only when no longer one exists; hit@k is over the first k quotes.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from core.answers.answering import ask
from core.errors import ClausewatchError, UsageError
from core.pipeline.extract import SUFFIX_TYPES
from core.pipeline.history_import import DATED_FILE, history_file, import_files
from core.registry.names import slugify
from core.registry.pages import DOC_TYPES, canonical_doc_type
from core.storage.database import open_engine, session_scope

_TOKEN = re.compile(r"[a-z0-9]+")
_UNDATED = date(1970, 1, 1)


@dataclass(frozen=True)
class QACase:
    """One question of the evaluation set."""

    id: str
    question: str
    document: Path
    vendor: str
    doc_type: str
    effective: date
    as_of: date | None = None
    gold: tuple[str, ...] = ()
    verdict: str | None = None


@dataclass
class QAResult:
    """What the answerer said for one case."""

    case: QACase
    verdict: str
    evidence: list[str]
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The predictions-file line: ``id``, ``verdict``, ``evidence``; ``error`` when it failed (then
        the verdict is ``unclear`` and the evidence empty)."""
        line: dict[str, Any] = {"id": self.case.id, "verdict": self.verdict, "evidence": self.evidence}
        if self.error:
            line["error"] = self.error
        return line


@dataclass
class QAReport:
    """Totals over every case (hits only over cases with gold, verdict accuracy over cases with a verdict)."""

    results: list[QAResult] = field(default_factory=list)
    seconds: float = 0.0

    def _with_gold(self) -> list[QAResult]:
        return [r for r in self.results if r.case.gold]

    def hit_at(self, k: int) -> float:
        """The share of gold-bearing questions with a gold text covered by one of the first ``k`` quotes."""
        scored = self._with_gold()
        return sum(hit(r.evidence[:k], r.case.gold) for r in scored) / len(scored) if scored else 0.0

    @property
    def mean_quote_words(self) -> float:
        """Mean over questions of the mean quote length in words (0 for a question answered with silence)."""
        if not self.results:
            return 0.0
        per_question = [
            sum(len(_tokens(e)) for e in r.evidence[:3]) / max(1, len(r.evidence[:3])) for r in self.results
        ]
        return sum(per_question) / len(per_question)

    @property
    def verdict_accuracy(self) -> float | None:
        """The share of questions with a gold verdict that got it; None when none has one."""
        judged = [r for r in self.results if r.case.verdict]
        return sum(r.verdict == r.case.verdict for r in judged) / len(judged) if judged else None

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.error)

    def totals(self) -> dict[str, Any]:
        """The figures ``eval-qa --json`` prints as its last line (hits are null when nothing has gold)."""
        accuracy = self.verdict_accuracy
        scored = bool(self._with_gold())
        return {
            "questions": len(self.results),
            "with_gold": len(self._with_gold()),
            "hit_at_1": round(self.hit_at(1), 4) if scored else None,
            "hit_at_3": round(self.hit_at(3), 4) if scored else None,
            "mean_quote_words": round(self.mean_quote_words, 1),
            "verdict_accuracy": None if accuracy is None else round(accuracy, 4),
            "with_verdict": sum(1 for r in self.results if r.case.verdict),
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
        }

    def summary(self) -> str:
        """One line a person reads."""
        t = self.totals()
        accuracy = (
            "n/a" if t["verdict_accuracy"] is None else f"{t['verdict_accuracy']:.3f} of {t['with_verdict']}"
        )
        hits = "n/a" if t["hit_at_1"] is None else f"hit@1 {t['hit_at_1']:.3f}  hit@3 {t['hit_at_3']:.3f}"
        return (
            f"{t['questions']} questions: evidence {hits} "
            f"(of {t['with_gold']} with gold)  quote {t['mean_quote_words']} words  "
            f"verdict accuracy {accuracy}  "
            f"errors {t['errors']}  {t['seconds']} s"
        )


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def covers(quote: str, gold: str) -> bool:
    """Whether ``quote`` holds at least 80% of ``gold``'s words (score.py's rule)."""
    have, want = set(_tokens(quote)), _tokens(gold)
    return bool(want) and sum(token in have for token in want) / len(want) >= 0.8


def hit(quotes: list[str], gold: tuple[str, ...]) -> bool:
    """Whether a quote covers a gold text; gold texts under 3 words count only when no longer one exists."""
    answers = [g for g in gold if len(_tokens(g)) >= 3] or [max(gold, key=lambda g: len(_tokens(g)))]
    return any(covers(quote, answer) for quote in quotes for answer in answers)


def _doc_type(path: Path, dated: bool) -> str:
    """The document's type: its folder for dated versions, else its name or its opening words."""
    known = {alias for name, aliases in DOC_TYPES.items() for alias in (name.lower(), *aliases)}
    for candidate in ([path.parent.name] if dated else []) + [path.stem]:
        if candidate.lower().replace("_", "-") in known:
            return canonical_doc_type(candidate.lower().replace("_", "-"))
    opening = path.read_text(errors="replace")[:400].lower()
    if "privacy" in opening:
        return "Privacy Policy"
    if "terms" in opening:
        return "Terms of Service"
    return canonical_doc_type(path.stem.replace("-", " "))


CORPUS_PREFIX = "corpus:"
"""A ``document`` written ``corpus:zoom/...`` is a file of the shared corpus, wherever that is here."""


def _document_path(folder: Path, document: str, corpus: Path | None, line_no: int) -> Path:
    if not document.startswith(CORPUS_PREFIX):
        return (folder / document).resolve()
    if corpus is None:
        raise UsageError(
            f"questions.jsonl line {line_no}: {document} is in the shared corpus; "
            "pass --corpus PATH or set CLAUSEWATCH_CORPUS"
        )
    return (corpus / document.removeprefix(CORPUS_PREFIX)).resolve()


def _case(folder: Path, line_no: int, item: dict[str, Any], corpus: Path | None) -> QACase:
    for key in ("id", "question", "document"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise UsageError(f"questions.jsonl line {line_no}: {key!r} is missing or not a string")
    path = _document_path(folder, item["document"], corpus, line_no)
    if path.suffix.lower() not in SUFFIX_TYPES or not path.is_file():
        raise UsageError(
            f"questions.jsonl line {line_no}: {item['document']} is not a .txt, .md or .html file"
        )
    dated = DATED_FILE.match(path.name)
    vendor = item.get("vendor") or (path.parent.parent.name if dated else path.stem)
    try:
        as_of = date.fromisoformat(item["as_of"]) if item.get("as_of") else None
        effective = date.fromisoformat(dated.group(1)) if dated else _UNDATED
    except ValueError as exc:
        raise UsageError(f"questions.jsonl line {line_no}: {exc}") from None
    gold = item.get("gold") or []
    if not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
        raise UsageError(f"questions.jsonl line {line_no}: 'gold' must be a list of strings")
    return QACase(
        id=item["id"],
        question=item["question"],
        document=path,
        vendor=vendor,
        doc_type=_doc_type(path, bool(dated)),
        effective=effective,
        as_of=as_of,
        gold=tuple(g for g in gold if _tokens(g)),
        verdict=item.get("verdict"),
    )


def load_questions(folder: Path, corpus: Path | None = None) -> list[QACase]:
    """The cases of ``folder/questions.jsonl``; a malformed line is an error naming the line. Documents
    written ``corpus:<path>`` are read from ``corpus``, the shared corpus."""
    source = folder / "questions.jsonl"
    if not source.is_file():
        raise UsageError(f"{source} not found; eval-qa needs a folder with questions.jsonl")
    cases = []
    for line_no, line in enumerate(source.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"questions.jsonl line {line_no}: not JSON ({exc.msg})") from None
        cases.append(_case(folder, line_no, item, corpus))
    if not cases:
        raise UsageError(f"{source} holds no questions")
    return _separate_undated(cases)


def _separate_undated(cases: list[QACase]) -> list[QACase]:
    """Two undated files of one vendor and type are two documents, not two versions of one day."""
    files: dict[tuple[str, str], set[Path]] = {}
    for case in cases:
        if case.effective == _UNDATED:
            files.setdefault((slugify(case.vendor), case.doc_type), set()).add(case.document)
    return [
        replace(case, doc_type=f"{case.doc_type} ({case.document.stem})")
        if len(files.get((slugify(case.vendor), case.doc_type), ())) > 1
        else case
        for case in cases
    ]


def evaluate_qa(cases: list[QACase], on_case: Callable[[QAResult], None] | None = None) -> QAReport:
    """Import the cases' documents into a throwaway database and answer every question."""
    started = time.perf_counter()
    report = QAReport()
    with tempfile.TemporaryDirectory(prefix="clausewatch-eval-qa-") as tmp:
        engine = open_engine(f"sqlite:///{Path(tmp) / 'eval.sqlite3'}")
        try:
            _import(engine, cases)
            with session_scope(engine) as session:
                for case in cases:
                    try:
                        reply = ask(session, case.question, vendor=case.vendor, as_of=case.as_of)
                        result = QAResult(
                            case, reply.answer.verdict, [c.quote for c in reply.answer.citations]
                        )
                    except ClausewatchError as exc:
                        result = QAResult(case, "unclear", [], str(exc))
                    report.results.append(result)
                    if on_case is not None:
                        on_case(result)
        finally:
            engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def _import(engine: Any, cases: list[QACase]) -> None:
    """Each (vendor, type) becomes one document whose versions are its distinct files."""
    groups: dict[tuple[str, str], set[tuple[date, Path]]] = {}
    names: dict[str, str] = {}
    for case in cases:  # "acme.com" and "acme-com" are one vendor, as everywhere else
        vendor = names.setdefault(slugify(case.vendor), case.vendor)
        groups.setdefault((vendor, case.doc_type), set()).add((case.effective, case.document))
    for (vendor, doc_type), files in groups.items():
        history = [history_file(day, path) for day, path in sorted(files)]
        report = import_files(engine, history, vendor=vendor, doc_type=doc_type)
        if report.skipped:
            name, reason = report.skipped[0]
            raise UsageError(f"cannot import {name} as {vendor}'s {doc_type}: {reason}")
