"""How alike two texts are: the one measure behind clause pairing, statement matching and name look-ups.

It is the Indel (longest-common-subsequence) similarity from rapidfuzz, over characters for names and
over words for sentences: 1.0 for equal sequences, 0.0 for nothing in common. The same alignment gives the
word diffs of modified clauses (``edits``).
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


Edit = tuple[str, int, int, int, int]
"""An aligned stretch of two sequences: ``equal`` or ``replace`` (``delete``/``insert`` when one side is
empty), with the start and end of each side, as ``difflib`` gives them."""


def edits(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Edit]:
    """The longest-common-subsequence alignment of two sequences, each run of differences as one stretch
    (rapidfuzz's Indel opcodes, with a deletion and an insertion that meet merged into a replacement)."""
    out: list[Edit] = []
    for op in Indel.opcodes(a, b):
        stretch = (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
        if op.tag != "equal" and out and out[-1][0] != "equal":
            _, i1, _, j1, _ = out.pop()
            stretch = ("replace", i1, op.src_end, j1, op.dest_end)
        if stretch[0] != "equal":
            tag = "replace" if stretch[2] > stretch[1] and stretch[4] > stretch[3] else stretch[0]
            stretch = (tag, *stretch[1:])
        out.append(stretch)
    return out
