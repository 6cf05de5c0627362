"""Answering from stored versions: Zoom's real 2023 terms at each date, and every kind of question."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_aiohttp import AiohttpServer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.answers.answering import answer, ask
from core.answers.register import vendor_profiles
from core.config import Settings
from core.errors import NotFoundError, UsageError
from core.pipeline.history_import import import_history
from core.pipeline.versions import Observation, record
from core.registry import documents
from core.storage.database import session_scope
from tests.standins.chat_model import chat_completions_app

CONTENT_QUESTION = "Does Zoom use customer content to train AI?"


@pytest.fixture
def zoom(engine: Engine, corpus: Path) -> Engine:
    """Zoom's five 2023 Terms of Service and three Privacy Policy versions, imported as history."""
    import_history(engine, corpus / "zoom/terms-of-service", vendor="Zoom", doc_type="tos")
    import_history(engine, corpus / "zoom/privacy-policy", vendor="Zoom", doc_type="privacy")
    return engine


def _track(engine: Engine, url: str, vendor: str, doc_type: str, text: str) -> None:
    """Track one document of ``vendor`` and record ``text`` as its version."""
    with session_scope(engine) as session:
        doc = documents.track(session, url, vendor, doc_type)
        record(session, doc, Observation(text), flap_window=timedelta(hours=1))


def _ask(engine: Engine, question: str, **options: Any) -> Any:
    with Session(engine) as session:
        return ask(session, question, **options).answer


@pytest.mark.parametrize(
    ("day", "verdict", "quoted"),
    [
        ("2023-03-01", "not_stated", None),
        ("2023-05-01", "yes", "Service Generated Data"),
        ("2023-08-08", "with_consent", "will not use audio, video or chat Customer Content"),
        ("2023-08-12", "no", "Zoom does not use any of your audio, video, chat"),
    ],
)
def test_zoom_at_each_2023_date(zoom: Engine, day: str, verdict: str, quoted: str | None) -> None:
    result = _ask(zoom, CONTENT_QUESTION, as_of=date.fromisoformat(day))
    assert result.verdict == verdict
    if quoted is None:
        assert result.citations == []
        assert "says nothing" in result.answer and "version of 2023-02-01" in result.answer
        return
    assert any(quoted in c.quote for c in result.citations)
    assert 1 <= len(result.citations) <= 3
    for citation in result.citations:
        assert citation.version_date <= date.fromisoformat(day)
        assert citation.vendor == "Zoom" and citation.section


def test_the_august_7_clause_is_quoted_for_chat_content(zoom: Engine) -> None:
    result = _ask(zoom, "Does Zoom use our chat messages to train its AI models?", as_of=date(2023, 8, 8))
    assert result.verdict == "with_consent"
    first = result.citations[0]
    assert first.version_date == date(2023, 8, 7) and first.document == "Terms of Service"
    assert first.quote.startswith("Notwithstanding the above, Zoom will not use audio, video or chat")


def test_time_travel_in_the_question_and_typos(zoom: Engine) -> None:
    result = _ask(zoom, "What did zooms terms say about AI on 2023-08-01?")
    assert result.verdict == "yes"
    assert {c.version_date for c in result.citations} == {date(2023, 7, 28)}
    assert "usage or service-generated data" in result.answer


def test_opt_out_question(zoom: Engine) -> None:
    result = _ask(zoom, "Can we opt out of Zoom using our data for AI?", as_of=date(2023, 8, 8))
    assert result.verdict == "with_consent"
    result = _ask(zoom, "Can we opt out of Zoom using our data for AI?", as_of=date(2023, 5, 1))
    assert result.verdict == "no" and result.answer.startswith("No opt-out is stated.")


def test_general_questions_quote_the_deciding_sentences(zoom: Engine) -> None:
    result = _ask(zoom, "Does Zoom share our data with advertisers?")
    # "To opt out of our use of third-party cookies that share data with these partners, visit ...": the
    # partners receive the data unless one opts out of those cookies
    assert result.verdict == "opt_out"
    assert any("advertising" in c.quote.lower() for c in result.citations)
    retention = _ask(zoom, "How long is personal data retained?")
    assert retention.verdict == "unclear" and retention.answer.startswith("The terms say:")
    assert any("retain" in c.quote.lower() for c in retention.citations)
    children = _ask(zoom, "Does Zoom allow children under 16 to sign up?")
    assert children.verdict == "no"
    assert any("under the age of 16" in c.quote for c in children.citations)


def test_silence_is_said_plainly_and_nothing_is_invented(zoom: Engine) -> None:
    result = _ask(zoom, "Does Zoom vaccinate penguins?")
    assert result.verdict == "not_stated" and result.citations == []
    assert result.answer.startswith("Not stated.")
    loose = _ask(zoom, "Does Zoom accept cryptocurrency payments from Antarctica?")
    assert loose.verdict == "unclear" and loose.answer.startswith("The terms do not answer this directly")


def test_changes_this_month_and_in_a_month(zoom: Engine) -> None:
    august = _ask(zoom, "What changed in Zoom's terms in August 2023?")
    assert august.verdict == "yes" and "between 2023-08-01 and 2023-08-31" in august.answer
    assert any("AI-training change, restricts" in line for line in august.lines)
    assert all("2023-08" in line for line in august.lines)
    assert any("Zoom does not use" in c.quote for c in august.citations)
    now = _ask(zoom, "What changed in Zoom's terms this month?")
    assert now.verdict == "no" and "No change" in now.answer


def test_which_vendors_may_train_one_line_each(zoom: Engine) -> None:
    with session_scope(zoom) as session:
        doc = documents.track(session, "https://acme.example/terms", "Acme", "tos")
        text = "# Terms\n\nWe may use your content to train our models. You can opt out of this in settings."
        record(session, doc, Observation(text), flap_window=timedelta(hours=1))
        quiet = documents.track(session, "https://quiet.example/terms", "Quiet", "tos")
        record(
            session, quiet, Observation("# Terms\n\nWe store data in the EU."), flap_window=timedelta(hours=1)
        )
    result = _ask(zoom, "Which of our vendors may train on customer content?")
    assert result.verdict == "yes"
    assert result.lines[0].startswith("Acme: Yes, unless you opt out")
    assert result.lines[1].startswith("Quiet: Not stated")
    assert result.lines[2].startswith("Zoom: No")
    assert len(result.lines) == 3 and result.answer.startswith("1 of 3 vendors")


def test_register_profiles(zoom: Engine) -> None:
    with Session(zoom) as session:
        [entry] = vendor_profiles(session, vendor="zoom", as_of=date(2023, 8, 8))
    data = entry.to_json()
    assert data["vendor"] == "Zoom"
    assert {d["document"] for d in data["documents"]} == {"Terms of Service", "Privacy Policy"}
    # "Notwithstanding the above, Zoom will not use audio, video or chat Customer Content ... without your
    # consent" overrides the general licence of the same terms
    assert data["profile"]["customer_content_training"]["value"] == "with_consent"
    assert data["profile"]["usage_data_training"]["value"] == "yes"
    assert data["profile"]["control"]["value"] == "with_consent"
    assert data["profile"]["usage_data_training"]["citations"][0]["version_date"] == "2023-08-07"


@pytest.mark.parametrize(
    ("question", "options", "error", "message"),
    [
        ("", {}, UsageError, "ask needs a question"),
        (
            "Does Zoom train AI?",
            {"vendor": "Nobody Inc"},
            NotFoundError,
            "no tracked vendor called 'Nobody Inc'",
        ),
        ("Does Zoom train AI?", {"as_of": date(2001, 1, 1)}, NotFoundError, "in force on 2001-01-01"),
    ],
)
def test_clear_errors(
    zoom: Engine, question: str, options: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        _ask(zoom, question, **options)


def test_which_vendor_when_several_and_none_named(zoom: Engine) -> None:
    with session_scope(zoom) as session:
        doc = documents.track(session, "https://acme.example/terms", "Acme", "tos")
        text = "# Terms\n\nWe keep server logs for 30 days."
        record(session, doc, Observation(text), flap_window=timedelta(hours=1))
    with pytest.raises(UsageError, match=r"which vendor\? .*Acme, Zoom"):
        _ask(zoom, "How long do you keep server logs?")
    assert _ask(zoom, "How long do you keep server logs?", vendor="acme").citations[0].vendor == "Acme"


async def test_a_language_model_rewords_from_the_same_clauses(
    zoom: Engine, database_url: str, aiohttp_server: AiohttpServer
) -> None:
    seen: list[dict[str, Any]] = []

    async def reply(body: dict[str, Any], headers: Mapping[str, str]) -> str:
        seen.append(body)
        sources = json.loads(body["messages"][1]["content"].split("<sources>")[1].split("</sources>")[0])
        first = sources[0]
        content = {
            "verdict": "with_consent",
            "answer": "Only if you consent: Zoom's terms of 7 August 2023 need consent for chat content.",
            "citations": [{"id": first["id"], "quote": first["text"][:60]}],
        }
        return json.dumps(content)

    server = await aiohttp_server(chat_completions_app(reply))
    settings = Settings(database_url=database_url, llm_model="m", llm_base_url=str(server.make_url("/v1")))
    result = await answer(
        zoom, settings, "Does Zoom use our chat messages to train AI?", as_of=date(2023, 8, 8)
    )
    assert result.method == "language_model" and result.verdict == "with_consent"
    assert result.citations[0].version_date == date(2023, 8, 7)
    assert "Notwithstanding" in seen[0]["messages"][1]["content"]
    assert "Notwithstanding" not in seen[0]["messages"][0]["content"]


def test_a_plain_clause_in_training_words_answers_when_no_statement_is_read(engine: Engine) -> None:
    """Bare "training" is not read as AI training by the statements (staff are trained too), but a
    retrieved clause that plainly answers the asked question in training words still answers it."""
    text = (
        "# Privacy\n\n## Voice\n\nWe will not use your voice recordings from private rooms for "
        "training or product improvement.\n\n## Retention\n\nWe keep invoices for seven years.\n"
    )
    _track(engine, "https://tunely.example/privacy", "Tunely", "privacy", text)
    answer = _ask(engine, "Does Tunely use our voice recordings from private rooms for training?")
    assert answer.verdict == "no"
    assert "for training or product improvement" in answer.citations[0].quote
    silent = _ask(engine, "Does Tunely use our invoices to train AI models?")
    assert silent.verdict == "not_stated" and silent.citations == []


def test_a_leading_clause_and_a_synonym_do_not_hide_a_plain_answer(engine: Engine) -> None:
    """ "When ..., does X keep ...?" is answered by "We do not retain ...": the yes/no question after the
    leading clause, its verb by a synonym."""
    text = (
        "# Privacy\n\n## Calls\n\nWhen enabled, we encrypt your calls in transit. We do not retain the "
        "audio or any information about the content of your calls.\n\n## Contacts\n\nWe import and "
        "store your contacts to improve your experience.\n"
    )
    _track(engine, "https://callbox.example/privacy", "Callbox", "privacy", text)
    answer = _ask(engine, "When our staff make Callbox calls, does Callbox keep the audio of those calls?")
    assert answer.verdict == "no"
    assert "We do not retain the audio" in answer.citations[0].quote


def test_a_clause_matched_by_a_synonym_alone_is_still_quoted(engine: Engine) -> None:
    """Sentences sharing the question's words come first, but one that answers in other words ("retain" for
    "keep") still fills a place among the three quotes; a vendor's name alone never makes a quote."""
    text = (
        "# Privacy\n\n## Help\n\nYou can search our help centre at any time.\n\n## Orders\n\n"
        "Your history page lists the orders you placed with Quickfind.\n\n## Records\n\n"
        "We retain records of what you look up for 30 days.\n\n## About\n\nQuickfind is a company "
        "based in Oslo, and Quickfind is proud of Quickfind.\n"
    )
    _track(engine, "https://quickfind.example/privacy", "Quickfind", "privacy", text)
    answer = _ask(engine, "Does Quickfind keep my search history?")
    quotes = [citation.quote for citation in answer.citations]
    assert "We retain records of what you look up for 30 days." in quotes
    assert not any(quote.startswith("Quickfind is a company") for quote in quotes)


def test_a_negating_prefix_answers_no(engine: Engine) -> None:
    """ "unencrypted" denies "encrypted": the clause both answers the question and says no."""
    text = (
        "# Pharmacy terms\n\n## Orders\n\nYou may order prescription products through Medbox Rx.\n\n"
        "## Notifications\n\nYou agree that Medbox may send you unencrypted SMS messages and notifications "
        "about the prescriptions you order.\n"
    )
    _track(engine, "https://medbox.example/terms", "Medbox", "tos", text)
    answer = _ask(engine, "Are Medbox Rx prescription notifications sent to us encrypted?")
    assert answer.verdict == "no"
    assert any("unencrypted SMS messages" in citation.quote for citation in answer.citations)


async def test_a_model_may_pick_the_deciding_clause_only_as_the_rules_read_it(
    engine: Engine, database_url: str, aiohttp_server: AiohttpServer
) -> None:
    """With CLAUSEWATCH_LLM_PICK_CLAUSES the model names the clauses that decide; its verdict stands only
    if the rules, reading just those clauses, give it too."""
    text = (
        "# Privacy\n\n## Selling\n\nWe never sell your email address to advertisers.\n\n"
        "## Partners\n\nWe share your email address with our delivery partners to send your receipts.\n"
    )
    _track(engine, "https://mailbird.example/privacy", "Mailbird", "privacy", text)
    claims: list[str] = []

    async def reply(body: dict[str, Any], headers: Mapping[str, str]) -> str:
        sources = json.loads(body["messages"][1]["content"].split("<sources>")[1].split("</sources>")[0])
        chosen = next(s for s in sources if s["text"].startswith("We never sell"))
        content = {
            "verdict": claims[-1],
            "answer": "As the selling clause says.",
            "citations": [{"id": chosen["id"], "quote": chosen["text"]}],
            "deciding": [chosen["id"]],
        }
        return json.dumps(content)

    server = await aiohttp_server(chat_completions_app(reply))
    settings = Settings(
        database_url=database_url,
        llm_model="m",
        llm_base_url=str(server.make_url("/v1")),
        llm_pick_clauses=True,
    )
    question = "Does Mailbird sell our email address to advertisers?"
    claims.append("no")
    agreed = await answer(engine, settings, question)
    assert (agreed.method, agreed.verdict) == ("language_model", "no")
    claims.append("yes")
    refused = await answer(engine, settings, question)
    assert refused.method != "language_model" and refused.verdict == "no"
    assert "read as 'no'" in (refused.note or "")


def test_when_plans_differ_and_the_question_names_none_both_are_said_and_quoted(engine: Engine) -> None:
    text = (
        "# Privacy\n\n## Training\n\nWe may use your conversations to train our models, unless you opt "
        "out in Settings.\n\n## Business\n\nFor business users, we do not use your content to train our "
        "models.\n"
    )
    _track(engine, "https://chatly.example/privacy", "Chatly", "privacy", text)
    general = _ask(engine, "Does Chatly train its models on our content?")
    assert "it depends on the plan or product (otherwise: yes, unless you opt out; business users: no)" in (
        general.answer
    )
    quotes = [c.quote for c in general.citations]
    assert any(q.startswith("We may use") for q in quotes) and any(
        q.startswith("For business") for q in quotes
    )
    business = _ask(engine, "Does Chatly train on the content of our business users?")
    assert business.verdict == "no" and "depends on the plan" not in business.answer


def test_a_terse_faq_answer_decides_and_is_quoted_with_its_question(engine: Engine) -> None:
    text = (
        "# Privacy FAQ\n\n## What do you collect?\n\nWe collect your name and email address.\n\n"
        "## Does Helpful use my data to train its models?\n\nBy default, we do not. Administrators can "
        "opt their workspace in.\n"
    )
    _track(engine, "https://helpful.example/faq", "Helpful", "privacy", text)
    answer = _ask(engine, "Does Helpful train its models on our data?")
    assert answer.verdict == "with_consent"
    [cited] = [c for c in answer.citations if c.quote == "By default, we do not."]
    assert cited.context == "Does Helpful use my data to train its models?"


def test_a_vendor_known_by_its_domain_is_not_part_of_what_is_asked(engine: Engine) -> None:
    """ "Internet Brands" in the question names internetbrands.com: its words are not the question's topic,
    so the Do Not Track clause answers it, however the question words the response to the signal."""
    text = (
        "# Privacy\n\n## Cookies\n\nWe use cookies and other tracking technologies to recognize you.\n\n"
        "## Do Not Track\n\nWe do not currently respond to Do Not Track browser signals.\n"
    )
    _track(engine, "https://internetbrands.example/privacy", "internetbrands.com", "privacy", text)
    answer = _ask(
        engine,
        "Will Internet Brands stop tracking our staff if their browsers send a Do Not Track signal?",
        vendor="internetbrands.com",
    )
    assert answer.verdict == "no"
