"""Segmenting versions into clauses and aligning two versions clause by clause."""

from __future__ import annotations

import random

from core.text.clauses import Clause, align, segment, word_diff

TERMS = """# Terms of Service

Effective date: 1 March 2024.

## 1. ACCOUNTS

**1.1 Registration.** You must provide accurate information when you register.

**1.2 Security.** You are responsible for keeping your password secret.

## 2. CONTENT

**2.1 Your Content.** You retain ownership of the content you upload to the Services.

**2.2 License.** You grant us a license to host and display your content to operate the Services.

You agree that you will not:

- copy or resell the Services;
- use the Services to send spam.

## 3. GENERAL

| Purpose | Data |
| --- | --- |
| Provide the Services | Account data |

**3.1 Governing law.** These terms are governed by the laws of Ireland.
"""


def _by_id(clauses: list[Clause]) -> dict[str, Clause]:
    return {c.id: c for c in clauses}


def test_segment_reads_structure_numbers_and_leads() -> None:
    clauses = segment(TERMS)
    by_id = _by_id(clauses)
    assert by_id["1.1"].number == "1.1"
    assert by_id["1.1"].heading == "Registration"
    assert by_id["1.1"].path == ("Terms of Service", "ACCOUNTS")
    assert by_id["2.2"].text.startswith("2.2 License. You grant us")  # emphasis removed
    items = [c for c in clauses if c.kind == "item"]
    assert [c.body for c in items] == ["copy or resell the Services;", "use the Services to send spam."]
    assert all(c.lead == "You agree that you will not:" for c in items)
    rows = [c for c in clauses if c.kind == "row"]
    assert len(rows) == 2  # header and one row; the delimiter row is not a clause
    assert len({c.id for c in clauses}) == len(clauses)  # anchors are unique


def test_segment_pseudo_headings_and_anchor_slugs() -> None:
    text = "1. **DATA USAGE**\n\nWe keep data for one year.\n\nWe delete it afterwards.\n"
    clauses = segment(text)
    assert clauses[0].kind == "heading"
    assert clauses[1].path == ("DATA USAGE",)
    assert [c.id for c in clauses[1:]] == ["data-usage/2", "data-usage/3"]


def test_identical_versions_have_no_differences() -> None:
    assert align(segment(TERMS), segment(TERMS)) == []


def test_renumbering_is_cosmetic() -> None:
    new = TERMS.replace("1.1 Registration", "4.1 Registration").replace("1.2 Security", "4.2 Security")
    changes = align(segment(TERMS), segment(new))
    assert {c.kind for c in changes} == {"renumbered"}
    assert not any(c.substantive for c in changes)
    assert {(c.old.id, c.new.id) for c in changes if c.old and c.new} == {("1.1", "4.1"), ("1.2", "4.2")}


def test_moved_section_is_cosmetic() -> None:
    old = segment(TERMS)
    section = "**3.1 Governing law.** These terms are governed by the laws of Ireland.\n"
    moved = TERMS.replace(section, "").replace("## 2. CONTENT", section + "\n## 2. CONTENT")
    changes = align(old, segment(moved))
    assert changes, "a move is reported"
    assert all(not c.substantive for c in changes)
    assert any(c.kind == "moved" and c.new is not None and c.new.id == "3.1" for c in changes)


def test_rewrapping_and_emphasis_are_invisible() -> None:
    rewrapped = TERMS.replace(
        "You retain ownership of the content you upload to the Services.",
        "You retain *ownership* of the content\nyou upload to the Services.",
    ).replace("’", "'")
    assert align(segment(TERMS), segment(rewrapped)) == []


def test_punctuation_only_change_is_not_substantive() -> None:
    new = TERMS.replace("keeping your password secret.", "keeping your password secret;")
    (change,) = align(segment(TERMS), segment(new))
    assert change.kind == "modified"
    assert not change.substantive


def test_modified_clause_is_one_modification_with_word_diff() -> None:
    new = TERMS.replace(
        "to host and display your content to operate the Services.",
        "to host, display and analyse your content to operate and improve the Services.",
    )
    changes = align(segment(TERMS), segment(new))
    assert len(changes) == 1
    (change,) = changes
    assert change.kind == "modified" and change.substantive
    assert change.old is not None and change.new is not None and change.old.id == change.new.id == "2.2"
    assert "analyse" in " ".join(change.added_words)
    assert "improve" in " ".join(change.added_words)
    assert change.removed_words
    assert "{+" in change.diff and "[-" in change.diff


def test_added_and_removed_clauses() -> None:
    new = TERMS.replace(
        "**1.2 Security.** You are responsible for keeping your password secret.\n",
        "**1.2 Age.** You must be at least 16 years old to use the Services.\n",
    )
    changes = align(segment(TERMS), segment(new))
    kinds = sorted(c.kind for c in changes)
    assert kinds == ["added", "removed"]
    added = next(c for c in changes if c.kind == "added")
    assert added.new is not None and "16 years" in added.added_words[0]


def test_renumbered_and_modified_together() -> None:
    new = TERMS.replace(
        "**2.2 License.** You grant us a license", "**3.2 License.** You grant us a worldwide license"
    )
    changes = [c for c in align(segment(TERMS), segment(new)) if c.substantive]
    assert len(changes) == 1
    assert changes[0].kind == "modified"
    assert changes[0].added_words == ("worldwide",)


def test_word_diff_rendering() -> None:
    added, removed, rendering = word_diff("we may use your data", "we will not use your data")
    assert added == ("will not",)
    assert removed == ("may",)
    assert rendering == "we [-may-] {+will not+} use your data"


def test_alignment_of_a_large_moved_and_reworded_document() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(3000)]
    paragraphs = [
        f"Clause {i}. The party shall deliver {' '.join(rng.choices(vocabulary, k=25))} within {i % 30} days."
        for i in range(1500)
    ]
    old_text = "\n\n".join(paragraphs)
    changed = list(paragraphs)
    for i in range(0, 1500, 10):  # one clause in ten reworded
        changed[i] = changed[i].replace("shall deliver", "must promptly deliver")
    new_text = "\n\n".join(changed[700:] + changed[:700])  # and half the document moved
    old, new = segment(old_text), segment(new_text)
    changes = align(old, new)
    modified = [c for c in changes if c.kind == "modified"]
    assert len(modified) == 150
    assert all(c.old is not None and c.new is not None and c.old.number == c.new.number for c in modified)


def test_paragraph_split_or_joined_is_cosmetic() -> None:
    old = TERMS
    new = TERMS.replace(
        "You retain ownership of the content you upload to the Services.",
        "You retain ownership of the content.\n\nYou upload it to the Services.",
    )
    split = "You retain ownership of the content. You upload it to the Services."
    joined = TERMS.replace("You retain ownership of the content you upload to the Services.", split)
    for a, b in ((joined, new), (new, joined)):
        changes = align(segment(a), segment(b))
        assert len(changes) == 1 and not changes[0].substantive, changes
    assert any(c.substantive for c in align(segment(old), segment(new)))  # words did change


def test_table_rows_carry_their_column_names_and_sub_paragraphs_their_lead_in() -> None:
    text = (
        "Intro:\n\n|  |  |  |\n| --- | --- | --- |\n| **Purpose** | **Data** | **Basis** |\n"
        "| To train models | Content | Consent |\n\n| A | B |\n|---|---|\n| x y z | w |\n\n"
        "We will not use your data, except:\n\n(a) to provide the service; or\n\n"
        "(b) where the law requires it.\n"
    )
    leads = {c.text: c.lead for c in segment(text)}
    assert leads["| To train models | Content | Consent |"] == "| Purpose | Data | Basis |"
    assert leads["| x y z | w |"] == "| A | B |"
    assert leads["| A | B |"] is None
    assert leads["(a) to provide the service; or"] == "We will not use your data, except:"
    assert leads["(b) where the law requires it."] == "We will not use your data, except:"
