"""Measuring the AI-training judgment against labelled changes.

A labelled folder holds ``labels.tsv`` (columns: document, before, after, ai_training_change yes/no,
direction, actor, evidence) and the version texts at ``<folder>/<document>/<stem>.<ext>``, where a stem
begins with the version's date (and may carry a suffix) and the extension is .md, .txt or .html. Every
text goes through the extraction stage, exactly as a fetched or imported version does, before it is judged.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UsageError
from core.pipeline.extract import SUFFIX_TYPES, extract
from core.reading.judgment import Verdict, judge


@dataclass(frozen=True)
class Case:
    """One labelled change between two versions of a document."""

    document: str
    before: str
    after: str
    expected: bool
    direction: str | None
    actor: str | None
    evidence: str
    old_text: str = field(repr=False)
    new_text: str = field(repr=False)
    capability: str = ""
    """What kind of language the case tests (an optional ``capability`` column), for figures per kind."""

    @property
    def name(self) -> str:
        return f"{self.document} {self.before} -> {self.after}"


@dataclass(frozen=True)
class CaseResult:
    """A case, the verdict it got, and how the verdict compares with the label."""

    case: Case
    verdict: Verdict
    seconds: float

    @property
    def got(self) -> bool:
        return self.verdict.ai_training_change

    @property
    def correct(self) -> bool:
        """Right yes/no, and for a yes the right direction."""
        if self.got != self.case.expected:
            return False
        return not self.case.expected or self.verdict.direction == self.case.direction

    @property
    def quote(self) -> str:
        """The decisive sentence of the verdict (added first)."""
        sentences = self.verdict.added or self.verdict.removed
        return sentences[0] if sentences else self.verdict.explanation


@dataclass(frozen=True)
class EvalReport:
    """Per-case results and totals."""

    results: list[CaseResult]
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    precision: float
    recall: float
    direction_accuracy: float
    actor_accuracy: float
    seconds: float

    @property
    def cases(self) -> int:
        return len(self.results)

    @property
    def exact(self) -> bool:
        """Every case right (yes/no, and direction for the yeses)."""
        return all(result.correct for result in self.results)

    def by_capability(self) -> dict[str, EvalReport]:
        """The figures of each kind of case the labels name (``capability`` column), by kind."""
        kinds = sorted({r.case.capability for r in self.results if r.case.capability})
        return {kind: report_of([r for r in self.results if r.case.capability == kind]) for kind in kinds}

    def totals(self) -> dict[str, float | int]:
        """The figures as plain JSON."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "direction_accuracy": round(self.direction_accuracy, 4),
            "actor_accuracy": round(self.actor_accuracy, 4),
            "cases": self.cases,
        }

    def summary(self) -> str:
        return (
            f"{self.cases} cases: precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"direction {self.direction_accuracy:.3f}, actor {self.actor_accuracy:.3f} "
            f"(TP {self.true_positives}, FP {self.false_positives}, FN {self.false_negatives}, "
            f"TN {self.true_negatives}; {self.seconds:.2f} s)"
        )


def _version_file(folder: Path, stem: str) -> Path:
    """The file of version ``stem``: ``stem.<ext>``, or the one file whose name starts with ``stem``."""
    exact = [folder / f"{stem}{suffix}" for suffix in SUFFIX_TYPES if (folder / f"{stem}{suffix}").is_file()]
    candidates = exact or sorted(p for p in folder.glob(f"{stem}*") if p.suffix.lower() in SUFFIX_TYPES)
    if len(candidates) != 1:
        raise UsageError(f"no single version file {stem}.md|.html|.txt in {folder}")
    return candidates[0]


def _read_version(folder: Path, stem: str) -> str:
    """The version's text as the tracking pipeline would store it."""
    path = _version_file(folder, stem)
    return extract(path.read_bytes(), SUFFIX_TYPES[path.suffix.lower()]).text


def _yes(value: str) -> bool:
    value = value.strip().lower()
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0"):
        return False
    raise UsageError(f"labels.tsv: ai_training_change must be yes or no, not {value!r}")


_REQUIRED = ("document", "before", "after", "ai_training_change")


def load_cases(folder: Path) -> list[Case]:
    """The labelled cases of ``folder/labels.tsv`` with their two versions' texts."""
    folder = Path(folder)
    if not (folder / "labels.tsv").is_file():
        raise UsageError(f"{folder} has no labels.tsv (document, before, after, ai_training_change, ...)")
    cases: list[Case] = []
    with (folder / "labels.tsv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            if any(row.get(column) is None for column in _REQUIRED):
                raise UsageError(f"labels.tsv line {number}: needs the columns {', '.join(_REQUIRED)}")
            document = row["document"].strip()
            base = folder / document
            cases.append(
                Case(
                    document=document,
                    before=row["before"].strip(),
                    after=row["after"].strip(),
                    expected=_yes(row["ai_training_change"]),
                    direction=(row.get("direction") or "").strip() or None,
                    actor=(row.get("actor") or "").strip() or None,
                    evidence=(row.get("evidence") or "").strip(),
                    old_text=_read_version(base, row["before"].strip()),
                    new_text=_read_version(base, row["after"].strip()),
                    capability=(row.get("capability") or "").strip(),
                )
            )
    if not cases:
        raise UsageError(f"{folder / 'labels.tsv'} lists no cases")
    return cases


def evaluate(
    cases: Iterable[Case],
    *,
    on_case: Callable[[CaseResult], None] | None = None,
    judge_fn: Callable[[str, str], Verdict] = judge,
) -> EvalReport:
    """Judge every case and compare with its label."""
    results: list[CaseResult] = []
    started = time.perf_counter()
    for case in cases:
        t0 = time.perf_counter()
        verdict = judge_fn(case.old_text, case.new_text)
        result = CaseResult(case, verdict, time.perf_counter() - t0)
        results.append(result)
        if on_case is not None:
            on_case(result)
    return report_of(results, time.perf_counter() - started)


def report_of(results: list[CaseResult], seconds: float | None = None) -> EvalReport:
    """The totals of judged cases: precision and recall of "is an AI-training change", and the direction
    and actor accuracy of the true positives."""
    tp = sum(r.got and r.case.expected for r in results)
    fp = sum(r.got and not r.case.expected for r in results)
    fn = sum(not r.got and r.case.expected for r in results)
    tn = sum(not r.got and not r.case.expected for r in results)
    positives = [r for r in results if r.got and r.case.expected]
    directed = [r for r in positives if r.case.direction]
    with_actor = [r for r in positives if r.case.actor]
    return EvalReport(
        results=results,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        true_negatives=tn,
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / (tp + fn) if tp + fn else 1.0,
        direction_accuracy=(
            sum(r.verdict.direction == r.case.direction for r in directed) / len(directed)
            if directed
            else 1.0
        ),
        actor_accuracy=sum(r.verdict.actor == r.case.actor for r in with_actor) / len(with_actor)
        if with_actor
        else 1.0,
        seconds=sum(r.seconds for r in results) if seconds is None else seconds,
    )
