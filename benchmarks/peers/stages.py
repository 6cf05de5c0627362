"""What one changed page costs clausewatch, stage by stage: the floor under the peer comparison's docs/s.

``run.py`` measures whole processes; this script says where a changed page's CPU goes, so the gap to a
docs/s target can be read against what each stage costs. It renders the peer benchmark's pages (every
labelled AI-training pair of the shared corpus, version 1 and version 2, as ``peer_site.py`` serves them)
and times each stage of a check on them, in one process. Caches are as a check meets them: every cache is
cleared before each page, so nothing is reused across pages (the pages repeat 24 texts), and within a page
a stage reuses only what the check itself reuses (the new text's normal form, the new side's readings):

- extract: HTML to normalised text (selectolax, html_to_markdown, ``core.text.normalise``);
- hash, compress: the content hash and the zstd delta the version is stored as;
- segment old, segment new: cutting both versions into clauses;
- align: pairing the clauses and their word diffs;
- judge: reading both sides' AI-training statements and comparing them (after alignment);
- profile: the new version's AI data-use profile.

It also times interpreter start-up with the check's imports, which every process pays once.

    python benchmarks/peers/stages.py [--rounds 3] [--peer-docs-per-second 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from peer_site import DEFAULT_CORPUS, load_pairs, page_markdown

from bots.console.vendor_site import render_page
from core.pipeline import extract as extraction
from core.reading import judgment, profile
from core.reading import statements as ailanguage
from core.storage import blobs
from core.text import clauses, normalise

T = TypeVar("T")
STAGES = ("extract", "hash", "compress", "segment old", "segment new", "align", "judge", "profile")


def cold() -> None:
    """Forget everything a stage could reuse from an earlier one."""
    clauses._segment_cached.cache_clear()
    ailanguage._read_clause.cache_clear()
    normalise._RECENT.clear()


def timed(times: dict[str, list[float]], stage: str, work: Callable[[], T]) -> T:
    """Run ``work`` and add its milliseconds to ``times[stage]``."""
    started = time.perf_counter()
    result = work()
    times[stage].append((time.perf_counter() - started) * 1000)
    return result


def measure_page(times: dict[str, list[float]], old_html: bytes, new_html: bytes) -> None:
    """Time each stage of checking one page that changed from ``old_html`` to ``new_html``."""
    old = extraction.extract(old_html, "text/html").text
    cold()  # the old text comes from storage in a check: nothing about it is in memory
    new = timed(times, "extract", lambda: extraction.extract(new_html, "text/html").text)
    timed(times, "hash", lambda: normalise.content_hash(new))
    timed(times, "compress", lambda: blobs._compress(new.encode(), old.encode()))
    old_clauses = timed(times, "segment old", lambda: clauses._segment(old))
    new_clauses = timed(times, "segment new", lambda: clauses._segment(new))
    timed(times, "align", lambda: clauses.align(old_clauses, new_clauses))
    timed(times, "judge", lambda: judgment.judge_clauses(old_clauses, new_clauses))
    times["judge"][-1] -= times["align"][-1]  # judge_clauses aligns again: count alignment once
    timed(times, "profile", lambda: profile.compute(new, new_clauses))


def start_up_ms() -> float:
    """Wall milliseconds of a fresh interpreter importing the check cycle (median of three)."""
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import core.pipeline.check"], check=True, cwd=HERE.parents[1])
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="times each page is measured")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--peer-docs-per-second",
        type=float,
        default=None,
        help="the peer's changed-pass rate from run.py, to print the per-page budget of a 10x target",
    )
    parser.add_argument("--pages", type=int, default=400, help="pages of the run.py pass the budget is for")
    args = parser.parse_args()

    pairs = load_pairs(args.corpus, "ai")
    pages = [
        (render_page(page_markdown(pairs, n, 1), "terms"), render_page(page_markdown(pairs, n, 2), "terms"))
        for n in range(len(pairs))
    ]
    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for _ in range(args.rounds):
        for old_html, new_html in pages:
            measure_page(times, old_html, new_html)
    start_up = start_up_ms()

    print(f"one changed page: {len(pages)} changes x {args.rounds} rounds, caches as in a check")
    print(f"{'stage':14s} {'median ms':>10s} {'mean ms':>9s}")
    for stage in STAGES:
        print(f"{stage:14s} {statistics.median(times[stage]):10.2f} {statistics.mean(times[stage]):9.2f}")
    per_page = sum(statistics.mean(times[stage]) for stage in STAGES)
    print(f"{'all stages':14s} {'':10s} {per_page:9.2f}  (storage and fetching not included)")
    print(f"start-up with imports: {start_up:.0f} ms")
    print(f"one core, these stages only: {1000 / per_page:.1f} pages/s")
    if args.peer_docs_per_second:
        target = 10 * args.peer_docs_per_second
        budget = (args.pages / target * 1000 - start_up) / args.pages
        print(
            f"10x {args.peer_docs_per_second:g} docs/s = {target:g} docs/s: {args.pages} pages in "
            f"{args.pages / target:.2f} s, leaving {budget:.2f} ms a page after start-up "
            f"(these stages take {per_page:.2f} ms on one core, {per_page / 2:.2f} ms split over two)"
        )


if __name__ == "__main__":
    main()
