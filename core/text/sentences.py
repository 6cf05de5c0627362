"""Sentences: the one splitter every stage uses, so a passage cut here is read there the same way.

A sentence ends at ``.``, ``!`` or ``?`` (closing quotes and brackets included) before white space and a
capital or digit. An abbreviation ("e.g.", "Inc.", "U.S.", a single initial) does not end one, nor does a
short section number ("1.2.").
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATED = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|inc|ltd|llc|co|corp|no|nos|vs|u\.s|u\.k|e\.u|mr|mrs|ms|dr|st|sec|art|para|approx"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|fig|ref|cf|incl|dept|govt|jr|sr)|\b[A-Za-z])\.$",
    re.IGNORECASE,
)
_SECTION_NUMBER = re.compile(r"\d\.$")
_SECTION_NUMBER_CHARS = 12
"""A piece this short ending in a digit and a full stop is a section number ("12.3."), not a sentence."""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets in ``text``, verbatim: ``text[start:end]`` is one sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + 1
        if _ABBREVIATED.search(text[max(start, end - 8) : end]) or _is_section_number(text[start:end]):
            continue
        spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings, stripped of surrounding white space."""
    return [piece for start, end in sentence_spans(text) if (piece := text[start:end].strip())]


def _is_section_number(piece: str) -> bool:
    piece = piece.strip()
    return len(piece) < _SECTION_NUMBER_CHARS and bool(_SECTION_NUMBER.search(piece[-4:]))
