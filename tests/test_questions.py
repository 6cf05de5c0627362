"""Reading questions: vendors by name, possessive, plural and typo; dates; the kind of answer wanted."""

from __future__ import annotations

from datetime import date

import pytest

from core.answers.questions import read
from core.errors import UsageError
from core.registry.names import VendorName, find_vendors, vendor_hint

VENDORS = [
    VendorName(1, "Zoom", ("zoom",)),
    VendorName(2, "Slack", ("slack",)),
    VendorName(3, "Google Workspace", ("google workspace", "google")),
    VendorName(4, "Otter.ai", ("otter ai", "otter")),
    VendorName(5, "Salesforce", ("salesforce",)),
]
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Does Zoom train on our content?", [1]),
        ("what do zooms terms say about AI", [1]),
        ("Is Zoom's privacy policy clear on retention?", [1]),
        ("Can we opt out of Slack using our data for AI?", [2]),
        ("Does Google Workspace use our docs?", [3]),
        ("Does otter.ai keep recordings?", [4]),
        ("does salesfroce train models on CRM data", [5]),
        ("How long is chat data retained?", []),
    ],
)
def test_vendors_are_found_by_name_possessive_plural_and_typo(question: str, expected: list[int]) -> None:
    assert find_vendors(question, VENDORS) == expected


def test_a_typo_never_guesses_between_two_vendors() -> None:
    vendors = [VendorName(1, "Acmes", ()), VendorName(2, "Acmez", ())]
    assert find_vendors("does acmex train AI", vendors) == []


@pytest.mark.parametrize(
    ("question", "kind", "point"),
    [
        ("Does Zoom use our meeting content to train AI?", "ai", "customer_content_training"),
        ("Can we opt out of Slack using our data for AI?", "ai", "control"),
        ("Does Zoom share data with third parties to train their models?", "ai", "third_party_training"),
        ("Is usage data used for machine learning?", "ai", "usage_data_training"),
        ("Can we paste Zoom transcripts into a generative AI tool?", "ai", "user_rules"),
        ("Can our team take Slack exports and use them to train our own model?", "ai", "user_rules"),
        ("Are we allowed to scrape Slack messages to train a model?", "ai", "user_rules"),
        ("May Zoom customers use outputs to train their own models?", "ai", "user_rules"),
        # the data "we upload" is the object, the vendor's practice the question
        ("Is the data we upload to Zoom used to train AI?", "ai", "customer_content_training"),
        ("Can the files we upload to Slack be used to train AI?", "ai", "customer_content_training"),
        ("Which of our vendors may train on customer content?", "register", "customer_content_training"),
        ("What changed in Zoom's terms this month?", "changes", None),
        ("Does Zoom share our data with advertisers?", "general", None),
        ("How long is chat data retained?", "general", None),
        # AI as the vendor's tool, not as what our data trains
        ("Does Zoom use AI to write its meeting summaries?", "general", None),
        ("Will Slack tell us when a message was generated with AI tools?", "general", None),
        ("Does Zoom use AI tools to improve its models with our data?", "ai", "customer_content_training"),
        # a product named AI is not a question about training
        ("When we use the Zoom AI Companion, does Zoom pass our data to OpenAI?", "general", None),
        ("Does Zoom use our content for AI?", "ai", "customer_content_training"),
    ],
)
def test_kind_and_point(question: str, kind: str, point: str | None) -> None:
    read_ = read(question, VENDORS, TODAY)
    assert (read_.kind, read_.point) == (kind, point)


@pytest.mark.parametrize(
    ("question", "as_of"),
    [
        ("What did Zoom's terms say about AI on 2023-08-01?", date(2023, 8, 1)),
        ("What did Zoom say about AI on August 1, 2023?", date(2023, 8, 1)),
        ("What did Zoom say about AI on 1st August 2023?", date(2023, 8, 1)),
        ("What did Zoom say about AI in August 2023?", date(2023, 8, 31)),
        ("Does Zoom train AI?", None),
    ],
)
def test_dates(question: str, as_of: date | None) -> None:
    assert read(question, VENDORS, TODAY).as_of == as_of


def test_change_periods() -> None:
    this_month = read("What changed in Zoom's terms this month?", VENDORS, TODAY)
    assert (this_month.since, this_month.until) == (date(2026, 11, 1), None)
    august = read("What changed in Zoom's terms in August 2023?", VENDORS, TODAY)
    assert (august.since, august.until, august.as_of) == (date(2023, 8, 1), date(2023, 8, 31), None)
    since = read("What has changed for Slack since 2024-01-15?", VENDORS, TODAY)
    assert since.since == date(2024, 1, 15)


def test_named_data_categories() -> None:
    assert {"audio_voice", "video"} <= read("Are meeting recordings used to train AI?", VENDORS, TODAY).data
    assert "inputs_outputs" in read("Does Slack train models on our chat messages?", VENDORS, TODAY).data
    assert read("Does Zoom train AI?", VENDORS, TODAY).data == frozenset()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which other vendors may train on customer content?", []),  # "other" is not Otter
        ("Does Zoom keep our files in a box?", [1]),
        ("Is Zooom training AI on our calls?", [1]),
        ("Does Slacks policy allow AI training?", [2]),
    ],
)
def test_common_words_are_not_vendors(question: str, expected: list[int]) -> None:
    vendors = [*VENDORS, VendorName(6, "Box", ("box",)), VendorName(7, "Otter", ("otter",))]
    assert find_vendors(question, vendors) == expected


def test_unknown_names_are_kept_for_a_clear_error() -> None:
    question = read("Does Dropbox use our files to train AI?", VENDORS, TODAY)
    assert question.vendor_ids == () and question.unknown == ("Dropbox",)
    assert read("Which vendors may train on Customer Content?", VENDORS, TODAY).unknown == ()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("What did Zoom say on 2023-02-30?", "'2023-02-30' is not a valid date"),
        ("What did Zoom say in May 0000?", "is not a valid date"),
        ("What did Zoom say on 8/1/2023?", "'8/1/2023' is ambiguous"),
    ],
)
def test_unreadable_dates_are_errors_not_today(question: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        read(question, VENDORS, TODAY)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How will Zoom notify us if the terms have changed?", "general"),
        ("What happens to our data if Zoom's terms are updated?", "general"),
        ("Does Zoom train its staff on data protection?", "general"),
        ("Does Zoom train on our data?", "ai"),
        ("What changed in Zoom's terms on 2023-08-07?", "changes"),
    ],
)
def test_conditional_changes_and_staff_training_are_general(question: str, kind: str) -> None:
    assert read(question, VENDORS, TODAY).kind == kind


def test_a_company_short_name_finds_it() -> None:
    vendors = [*VENDORS, VendorName(8, "Mistral AI", ()), VendorName(9, "Acme Labs Inc.", ())]
    assert find_vendors("Does Mistral train on our prompts?", vendors) == [8]
    assert find_vendors("Can Acme use our files for AI?", vendors) == [9]


def test_a_short_name_that_is_an_everyday_word_counts_only_written_as_a_name() -> None:
    vendors = [VendorName(1, "Together AI", ()), VendorName(2, "Box Inc.", ()), VendorName(3, "Scale AI", ())]
    assert find_vendors("Do they keep our data together with other data for AI training?", vendors) == []
    assert find_vendors("Is our data used to scale their AI models?", vendors) == []
    assert find_vendors("Does Together train on our prompts?", vendors) == [1]
    assert find_vendors("Does Box use our files for AI?", vendors) == [2]
    assert find_vendors("does together ai train on prompts", vendors) == [1]


def test_an_unknown_name_is_told_what_was_meant() -> None:
    assert vendor_hint("Slak", VENDORS).startswith("; did you mean Slack?")
    assert vendor_hint("Penguin Mail", VENDORS) == (
        " (tracked: Zoom, Slack, Google Workspace, Otter.ai, Salesforce)"
    )
    assert vendor_hint("Anyone", []) == " (tracked: none yet)"


def test_data_used_for_training_is_an_ai_question() -> None:
    assert read("Does Acme use our voice recordings for training?", VENDORS, date(2026, 1, 1)).kind == "ai"
    assert read("Does Acme train its staff on privacy?", VENDORS, date(2026, 1, 1)).kind == "general"
