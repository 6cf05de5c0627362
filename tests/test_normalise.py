"""Cosmetic noise must never make a new version, and a changed word always must."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.text.normalise import _normalise, canonical, content_hash, normalise

CORPUS = Path(os.environ.get("CLAUSEWATCH_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
CORPUS_FILES = sorted(CORPUS.glob("**/*.md")) if CORPUS.is_dir() else []

POLICY = """\
# Privacy Policy

Last updated: 1 May 2024

## 1. What we collect

We collect the **information you give us** when you create an account, and
information about how you use the Services (see [our cookie notice](https://example.com/cookie_notice)).

- Account data, such as your name and email address.
- Usage data:
  - pages you visit;
  - features you use.

## 2. How we use it

We use it to provide the Services - it's that simple. We do not sell your data.
"""


def test_normalise_cleans_invisible_and_layout_noise() -> None:
    messy = (
        "\n\n\r\nA\u00a0sentence\u200b with\u2009odd   spaces.\u00ad  \r\n\n\n\n\nNext\ufeff paragraph.\t\n\n"
    )
    assert normalise(messy) == "A sentence with odd spaces.\n\nNext paragraph."


def test_normalise_composes_unicode() -> None:
    assert normalise("Cafe\u0301") == "Caf\u00e9"


def test_normalise_reindents_lists_by_level() -> None:
    four_spaces = "*   one\n    +   two\n        1.  three\n\n            still three\n*   four"
    assert normalise(four_spaces) == "- one\n   - two\n      1. three\n\n         still three\n- four"
    assert normalise("- one\n  - two\n    1. three\n\n       still three\n- four") == normalise(four_spaces)


def test_normalise_keeps_text_that_only_looks_indented_out_of_lists() -> None:
    # One space is not enough to continue "4.   " (content column 5): the clause is its own paragraph.
    assert normalise("4.   **License.**\n\n **4.1 Grant.** You grant us a licence.") == (
        "4. **License.**\n\n**4.1 Grant.** You grant us a licence."
    )


def test_normalise_turns_setext_headings_into_atx() -> None:
    assert normalise("Terms\n=====\n\nIntro\n-------\n\ntext") == "# Terms\n\n## Intro\n\ntext"


def test_normalise_ignores_table_padding() -> None:
    padded = "| Data  | Purpose      |\n|:------|-------------:|\n| Email | Alerts       |"
    assert normalise(padded) == "| Data | Purpose |\n|:---|---:|\n| Email | Alerts |"


def test_normalise_keeps_structure_and_words() -> None:
    assert normalise(POLICY) == POLICY.strip().replace("\n  - ", "\n   - ")


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(POLICY.replace("**information you give us**", "information you give us"), id="emphasis"),
        pytest.param(POLICY.replace("We do not sell", "We do *not* sell"), id="italic"),
        pytest.param(POLICY.replace("\n  - ", "\n    * ").replace("\n- ", "\n*   "), id="reindented-list"),
        pytest.param(
            POLICY.replace("We use it", "We\u00a0use\u200b it").replace(
                "Privacy Policy", "Privacy\u00a0Policy"
            ),
            id="nbsp-zero-width",
        ),
        pytest.param(
            POLICY.replace("account, and\ninformation", "account,\nand information"), id="rewrapped"
        ),
        pytest.param(POLICY.replace("create an account, and\n", "create an account, and "), id="unwrapped"),
        pytest.param(POLICY.replace("\n", "\r\n"), id="crlf"),
        pytest.param(POLICY.replace("\n\n", "\n\n\n\n") + "\n\n\n", id="blank-lines"),
        pytest.param(POLICY.replace("it's", "it’s").replace(" - ", " – "), id="typography"),
        pytest.param(POLICY.replace("# Privacy Policy\n", "Privacy Policy\n=============\n"), id="setext"),
        pytest.param(POLICY.replace("address.\n- Usage", "address.\n\n- Usage"), id="loose-list"),
        pytest.param(
            POLICY.replace("## 2. How we use it\n\n", "## 2. How we use it\n"), id="heading-spacing"
        ),
        pytest.param(
            POLICY.replace("address.", "address.  ").replace("Last updated:", "Last   updated:"), id="spaces"
        ),
    ],
)
def test_cosmetic_changes_keep_the_hash(variant: str) -> None:
    assert content_hash(variant) == content_hash(POLICY)


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(POLICY.replace("We do not sell", "We may sell"), id="word"),
        pytest.param(POLICY.replace("cookie_notice", "privacy_notice"), id="link-url"),
        pytest.param(POLICY.replace("- Usage data:", "- Usage data;"), id="punctuation"),
        pytest.param(POLICY.replace("## 2. How", "## 3. How"), id="renumbered"),
        pytest.param(POLICY.replace("- Account data", "Account data"), id="list-item-to-paragraph"),
    ],
)
def test_real_changes_change_the_hash(variant: str) -> None:
    assert content_hash(variant) != content_hash(POLICY)


def test_canonical_drops_emphasis_but_not_underscores_in_words_or_urls() -> None:
    text = "Use **_snake_case_** names, 2*3 and a * b; see [**terms**](https://x.example/a_b_) and https://y.example/__c__"
    assert (
        canonical(text)
        == "Use snake_case names, 2*3 and a * b; see [terms](https://x.example/a_b_) and https://y.example/__c__"
    )


def test_canonical_folds_typography_escapes_and_wordless_markup() -> None:
    text = "“Quoted” — it’s 1\\. here… ![logo](a.png) cell<br>break [](https://x.example)"
    assert canonical(text) == '"Quoted" - it\'s 1. here... cell break'


def test_canonical_treats_every_rule_alike() -> None:
    assert canonical("a\n\n* * *\n\nb") == canonical("a\n\n___\n\nb") == "a\n---\nb"


def test_content_hash_is_sha256_hex() -> None:
    digest = content_hash(POLICY)
    assert len(digest) == 64 and int(digest, 16) >= 0


@pytest.mark.parametrize(
    "text",
    [
        "* ---\n  text",
        "+\n\u00a0*\u0301---e",
        "Title\n---\n---\n\n- a\n lazy\n    - b",
        "|a|\n|-|\n- |\n\t* tabbed\n\t\t+ deeper",
        "1. a\n\n   10. b\n\n        c\n\n> quote\n    > indented",
    ],
)
def test_normalise_is_idempotent_on_awkward_markdown(text: str) -> None:
    # the uncached form: normalise() remembers its results as fixed points, which this property justifies
    once = _normalise(text)
    assert _normalise(once) == once


@pytest.mark.skipif(not CORPUS_FILES, reason="shared corpus not available")
def test_normalise_is_idempotent_on_the_corpus() -> None:
    for path in CORPUS_FILES:
        once = _normalise(path.read_text(encoding="utf-8"))
        assert _normalise(once) == once, path


def test_control_characters_and_bidi_overrides_are_dropped() -> None:
    text = "We may use \x1b[8mhidden\x1b[0m data.\x07 Title\x1b]0;X\x07 \u202eevil\u202c end"
    assert normalise(text) == "We may use [8mhidden[0m data. Title]0;X evil end"
