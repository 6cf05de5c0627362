"""How alike two texts are: the one measure behind clause pairing, statement matching and name look-ups.

It is the Indel (longest-common-subsequence) similarity from rapidfuzz, over characters for names and
over words for sentences: 1.0 for equal sequences, 0.0 for nothing in common.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import Indel


def similarity(a: Sequence[Hashable], b: Sequence[Hashable], cutoff: float = 0.0) -> float:
    """Indel similarity of two sequences (strings: characters; lists: words); 0.0 below ``cutoff``."""
    return Indel.normalized_similarity(a, b, score_cutoff=cutoff)


def word_similarity(a: str, b: str) -> float:
    """Similarity of two sentences word by word, so a changed word costs the same whatever its length."""
    return similarity(a.split(), b.split())


def words_kept(a: str, b: str) -> float:
    """Share of the shorter sentence's words that the longer one keeps, in their order: how much of it a
    rewrite that only adds words ("..., except classification models") still says."""
    one, other = a.split(), b.split()
    if not one or not other:
        return 0.0
    common = (len(one) + len(other) - Indel.distance(one, other)) / 2
    return common / min(len(one), len(other))


def closest(word: str, names: Iterable[str], cutoff: float) -> str | None:
    """The name most like ``word`` (case-insensitive), if any is at least ``cutoff`` alike."""
    match = process.extractOne(
        word.lower(), list(names), scorer=Indel.normalized_similarity, score_cutoff=cutoff
    )
    return match[0] if match else None
