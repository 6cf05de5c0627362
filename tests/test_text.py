"""The text primitives every stage shares: sentences, dates, similarity."""

from __future__ import annotations

from datetime import date

import pytest

from core.text import dates
from core.text.sentences import sentence_spans, split_sentences
from core.text.similarity import closest, similarity, word_similarity, words_kept


def test_sentences_keep_abbreviations_initials_and_section_numbers() -> None:
    text = "Acme Inc. (the U.S. company) may, e.g., process data. 1.2. We do not sell it! Do we? Yes."
    assert split_sentences(text) == [
        "Acme Inc. (the U.S. company) may, e.g., process data.",
        "1.2. We do not sell it!",
        "Do we?",
        "Yes.",
    ]


def test_sentence_spans_are_verbatim_offsets() -> None:
    text = 'He said "stop." Then we left.  '
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ['He said "stop.', "Then we left."]


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("August 11, 2023", date(2023, 8, 11)),
        ("Aug. 11 2023", date(2023, 8, 11)),
        ("3rd of April 2023", date(2023, 4, 3)),
        ("11 Sept 2023", date(2023, 9, 11)),
        ("2023-08-01", date(2023, 8, 1)),
        ("February 30, 2024", None),
    ],
)
def test_written_days(written: str, day: date | None) -> None:
    found = dates.dates_in(f"as of {written}.")
    assert [(w.written, w.day) for w in found] == [(written, day)]


def test_months_alone_are_whole_months_and_slashed_dates_are_spotted() -> None:
    assert [(w.day, w.whole_month) for w in dates.months_in("in March 2023")] == [(date(2023, 3, 1), True)]
    assert dates.dates_in("in March 2023") == []
    assert dates.SLASHED.search("on 8/1/2023")


def test_similarity_over_characters_and_words() -> None:
    assert similarity("zoom", "zoom") == 1.0
    assert similarity("zooom", "zoom") == pytest.approx(0.889, abs=0.001)
    assert similarity("zooom", "loom", cutoff=0.7) == 0.0
    assert word_similarity("we may train models", "we may not train models") == pytest.approx(8 / 9)
    assert closest("Lsit", ["list", "history"], cutoff=0.6) == "list"  # case-insensitive, 0.75 alike
    assert closest("quit", ["list", "history"], cutoff=0.6) is None
    assert closest("lst", ["list", "history"], cutoff=0.6) == "list"


def test_words_kept_counts_the_shorter_sentence_in_order() -> None:
    short = "we use your posts to train our models"
    assert words_kept(short, short + " except classification models") == 1.0
    assert words_kept(short, "to train our models we use your posts") == pytest.approx(4 / 8)
    assert words_kept("", short) == 0.0
