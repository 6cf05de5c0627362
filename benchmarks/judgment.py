"""Benchmark: the cost of judging a change (issue: clause-level diff and AI-training judgment).

Targets: processing one changed version of the 95 KB Zoom Terms of Service (segment, align, judge, store)
median under 20 ms on one core; eval-changes over 200 pairs under 20 s.

    python benchmarks/judgment.py [--corpus ../shared/corpus] [--repeat 15]

"Cold" clears the segmentation and clause-reading caches before every run, as for a document seen for the
first time; "warm" keeps them, as in the check cycle, where the old version was read when it was new.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from core.pipeline.versions import Observation, record_imported
from core.reading import statements as ailanguage
from core.reading.changes import record_change
from core.reading.evaluation import evaluate, load_cases
from core.registry.documents import track
from core.storage import database
from core.text import clauses

ROOT = Path(__file__).resolve().parents[1]


def clear_caches() -> None:
    """Forget every segmented text and read clause."""
    clauses._segment_cached.cache_clear()
    ailanguage._read_clause.cache_clear()


def time_zoom_changes(corpus: Path, repeat: int, cold: bool) -> list[float]:
    """Milliseconds to record each changed Zoom ToS version (judge and store), ``repeat`` times."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((corpus / "zoom/terms-of-service").glob("*.md"))]
    engine = database.open_engine(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    timings = []
    for run in range(repeat):
        with database.session_scope(engine) as session:
            doc = track(session, f"https://example.com/terms/{run}", f"Vendor {run}", "tos")
            previous = record_imported(session, doc, Observation(texts[0], source="imported"), None).version
            for old, new in itertools.pairwise(texts):
                assert previous is not None
                version = record_imported(session, doc, Observation(new, source="imported"), previous).version
                assert version is not None
                if cold:
                    clear_caches()
                started = time.perf_counter()
                record_change(session, doc, previous, version, old, new)
                timings.append((time.perf_counter() - started) * 1000)
                previous = version
    return timings


def time_eval(folders: list[Path], pairs: int, before_each: Callable[[], None]) -> tuple[float, int]:
    """Seconds to judge ``pairs`` labelled pairs (cycling through the shared sets)."""
    cases = [case for folder in folders for case in load_cases(folder)]
    chosen = [cases[i % len(cases)] for i in range(pairs)]
    started = time.perf_counter()
    evaluate(chosen, on_case=lambda _result: before_each())
    return time.perf_counter() - started, len(cases)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print("judging one changed version of the 95 KB Zoom ToS (segment, align, judge, store), 1 core")
    for cold in (True, False):
        timings = time_zoom_changes(args.corpus, args.repeat, cold)
        label = "cold caches" if cold else "warm caches"
        print(
            f"  {label}: median {statistics.median(timings):.1f} ms, p90 "
            f"{statistics.quantiles(timings, n=10)[-1]:.1f} ms over {len(timings)} changes "
            "(target median < 20 ms)"
        )
    seconds, unique = time_eval([args.corpus, args.corpus / "changes"], 200, clear_caches)
    print(
        f"eval over 200 pairs ({unique} distinct real pairs, caches cleared per pair): "
        f"{seconds:.1f} s (target < 20 s)"
    )


if __name__ == "__main__":
    main()
