"""Benchmark: answering questions with 1,000 tracked documents and no language model.

Targets (issue: question answering): p95 under 200 ms per question, index build under 30 s, peak memory
under 1 GB. The documents are real terms and privacy policies from the shared corpus (each made distinct),
tracked as 500 vendors with two documents each on a fresh SQLite database. "Index build" is the evidence
index of every document (segmenting, sentence splitting, stemming, the bm25s indexes). AI data-use
profiles are computed as each version is recorded (by the check cycle, see check_cycle.py) and stored, so
they are timed separately here. Questions are a fixed mix: AI-training and opt-out questions naming a
vendor, general data-use questions naming a vendor, and register questions across every vendor.

    python benchmarks/questions.py [--docs 1000] [--questions 400] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from core.answers.answering import ask
from core.answers.evidence import EvidenceIndex
from core.pipeline.versions import Observation, record, version_text
from core.reading.profile import store_profiles
from core.registry import documents
from core.storage import database
from core.storage.models import Version

ROOT = Path(__file__).resolve().parents[1]
SYLLABLES = [
    "zen",
    "tri",
    "ca",
    "lo",
    "ra",
    "vex",
    "mo",
    "ly",
    "qua",
    "nor",
    "pix",
    "el",
    "da",
    "ta",
    "ko",
    "fi",
]
AI_QUESTIONS = [
    "Does {v} use our content to train AI models?",
    "Can we opt out of {v} using our data for machine learning?",
    "Does {v} share our data with third parties to train their models?",
    "Is usage data used by {v} to train AI?",
]
GENERAL_QUESTIONS = [
    "Does {v} share our data with advertisers?",
    "How long does {v} keep personal data?",
    "Does {v} sell personal information?",
    "How can we delete our account with {v}?",
    "Does {v} use cookies for tracking?",
    "Where does {v} store our data?",
]
REGISTER_QUESTIONS = [
    "Which of our vendors may train on customer content?",
    "Which vendors allow AI training?",
]


def corpus_texts(corpus: Path) -> list[str]:
    """Every real terms or policy text of the corpus over 2 KB."""
    paths = [p for p in sorted(corpus.glob("**/*")) if p.suffix in (".md", ".txt") and p.name != "README.md"]
    return [t for t in (p.read_text(encoding="utf-8") for p in paths) if len(t) > 2000]


def vendor_names(count: int) -> list[str]:
    """Distinct pronounceable vendor names, fixed by the seed."""
    rng, names = random.Random(7), set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize())
    return sorted(names)


def populate(url: str, texts: list[str], docs: int) -> list[str]:
    """Track ``docs`` documents of ``docs // 2`` vendors with one version each; returns the vendor names."""
    engine = database.open_engine(url)
    vendors = vendor_names(docs // 2)
    with database.session_scope(engine) as session:
        for n in range(docs):
            vendor, kind = vendors[n // 2], ("tos", "privacy")[n % 2]
            doc = documents.track(session, f"https://{vendor.lower()}.example/{kind}", vendor, kind)
            text = f"# {vendor} {kind}\n\n" + texts[n % len(texts)]
            record(session, doc, Observation(text), flap_window=timedelta(hours=1))
    engine.dispose()
    return vendors


def build_indexes(url: str) -> tuple[float, float]:
    """Build every document's evidence index and every version's profile; returns both times.

    One pass, as a check cycle does it: a text is segmented once, for its index and then its profile.
    """
    engine = database.open_engine(url)
    evidence_s = profiles_s = 0.0
    with Session(engine) as session:
        versions = list(session.exec(select(Version)).all())
    for version in versions:
        started = time.perf_counter()
        with Session(engine) as session:  # closed before the profile's own write transaction
            EvidenceIndex.of_text(version_text(session, version))
        evidence_s += time.perf_counter() - started
        started = time.perf_counter()
        store_profiles(engine, [version.id or 0])
        profiles_s += time.perf_counter() - started
    engine.dispose()
    return profiles_s, evidence_s


def questions(vendors: list[str], count: int) -> list[tuple[str, str]]:
    """A fixed mix: 40% AI-training, 50% general data use, 10% register; each names a random vendor."""
    rng = random.Random(11)
    out = []
    for n in range(count):
        vendor = rng.choice(vendors)
        if n % 10 == 9:
            out.append(("register", rng.choice(REGISTER_QUESTIONS)))
        elif n % 2:
            out.append(("ai", rng.choice(AI_QUESTIONS).format(v=vendor)))
        else:
            out.append(("general", rng.choice(GENERAL_QUESTIONS).format(v=vendor)))
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    texts = corpus_texts(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        started = time.perf_counter()
        vendors = populate(url, texts, args.docs)
        stored_s = time.perf_counter() - started
        profiles_s, evidence_s = build_indexes(url)
        engine = database.open_engine(url)
        timings: dict[str, list[float]] = defaultdict(list)
        with Session(engine) as session:
            for kind, text in questions(vendors, args.questions):
                started = time.perf_counter()
                ask(session, text)
                timings[kind].append(time.perf_counter() - started)
        engine.dispose()
    every = [t for values in timings.values() for t in values]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"question answering with {args.docs} documents ({len(vendors)} vendors) on SQLite, no language model"
    )
    print(f"storing the documents (setup, not a target): {stored_s:.1f} s")
    print(f"evidence index build, every document: {evidence_s:.1f} s (target < 30 s)")
    print(f"AI data-use profiles, every version: {profiles_s:.1f} s (computed as versions are recorded)")
    print(f"{'kind':10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in [*sorted(timings.items()), ("all", every)]:
        p50, p95 = percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000
        print(f"{kind:10} {len(values):>5} {p50:>8.1f} {p95:>8.1f} {max(values) * 1000:>8.1f}")
    p95_all = percentile(every, 0.95) * 1000
    print(f"mean {statistics.mean(every) * 1000:.1f} ms per question")
    print(f"peak memory: {peak_mb:.0f} MB (target < 1024 MB)")
    print(f"p95 {p95_all:.1f} ms (target < 200 ms); index build {evidence_s:.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
