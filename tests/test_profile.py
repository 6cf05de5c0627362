"""The AI data-use profile: deciding each point from real and written clauses, and storing it per text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import reading
from core.pipeline.history_import import import_history
from core.reading import profile as profiles
from core.reading.statements import clause_statements, statements
from core.storage.database import session_scope
from core.storage.models import Profile, Version
from core.text.clauses import segment


def _value(text: str, point: str = "customer_content_training") -> str:
    return profiles.compute(text).findings[point].value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Terms\n\nWe may use your content to train our machine learning models.", "yes"),
        ("# Terms\n\nWe do not use your content to train our AI models.", "no"),
        ("# Terms\n\nWe will not use your content to train AI models without your consent.", "with_consent"),
        (
            "# Terms\n\nWe may use your content to train our AI models. You can opt out of this use in your "
            "account settings.",
            "opt_out",
        ),
        ("# Terms\n\nWe store your content in the EU and delete it 30 days after you leave.", "not_stated"),
        (
            "# Terms\n\nWe may use your content to train our machine learning models.\n\n"
            "We never use your content to train AI models.",
            "unclear",
        ),
        (
            "# Terms\n\nWe may use your content to train our machine learning models.\n\n"
            "Notwithstanding the above, we will not use your files to train AI models without your consent.",
            "with_consent",
        ),
    ],
)
def test_customer_content_point(text: str, expected: str) -> None:
    assert _value(text) == expected


def test_points_are_kept_apart() -> None:
    text = (
        "# Terms\n\nWe do not use your content to train AI models.\n\n"
        "We use usage data to train and improve our machine learning models.\n\n"
        "We keep your prompts for 30 days and then delete them."
    )
    found = profiles.compute(text).findings
    assert found["customer_content_training"].value == "no"
    assert found["usage_data_training"].value == "yes"
    assert found["third_party_training"].value == "not_stated"
    assert found["control"].value == "no"
    assert found["input_retention"].value == "yes" and "30 days" in found["input_retention"].detail


def test_a_question_naming_data_is_decided_by_the_clauses_naming_it() -> None:
    found = statements(
        "# Terms\n\nYou grant us a license to use Customer Content for machine learning and AI training.\n\n"
        "We will not use audio, video or chat Customer Content to train AI models without your consent."
    )
    general = profiles.relevant_statements(found, "customer_content_training")
    chat = profiles.relevant_statements(found, "customer_content_training", frozenset({"inputs_outputs"}))
    assert profiles.decide(general)[0] == "unclear"
    assert profiles.decide(chat)[0] == "with_consent"


def test_a_question_naming_a_plan_is_decided_by_the_clauses_naming_it() -> None:
    found = statements(
        "# Privacy\n\nWe may use your conversations to train our models. You can opt out in Settings.\n\n"
        "By default, we do not train on any inputs or outputs from our products for business users, "
        "including Acme Team, Acme Enterprise, and the API.\n"
    )
    question = "Does Acme train on the prompts of our Acme Enterprise workspace?"
    plan = profiles.relevant_statements(found, "customer_content_training", question=question)
    assert profiles.decide(plan)[0] == "with_consent"  # off by default: only if turned on
    api = profiles.relevant_statements(found, "customer_content_training", question="Is API traffic used?")
    assert [s.sentence[:10] for s in api] == ["By default"]
    general = profiles.relevant_statements(found, "customer_content_training", question="Does Acme train?")
    assert len(general) == 2


def test_a_question_naming_a_kind_of_model_is_decided_by_the_clauses_naming_it() -> None:
    """ "large language models" (or "large-language models", "LLMs") is a scope like a plan: a denial for
    LLMs answers a question about LLMs, and a question about AI models in general still sees both."""
    found = statements(
        "# Privacy\n\nWe may use your personal information to train our artificial intelligence and machine "
        "learning models.\n\nWe use AI tools in our business, but we do not use Personal Information for the "
        "purpose of training large-language models.\n"
    )
    llm = profiles.relevant_statements(found, "customer_content_training", question="Train LLMs on it?")
    assert profiles.decide(llm)[0] == "no"
    general = profiles.relevant_statements(found, "customer_content_training", question="Do you train AI?")
    assert profiles.decide(general)[0] == "unclear"


def test_statements_limited_to_a_region_are_a_tier_of_their_own() -> None:
    found = statements(
        "# Privacy\n\nWe may use your voice recordings to train our speech models.\n\n"
        "We will not use the voice recordings of EEA and Brazilian users to train our models.\n"
    )
    relevant = profiles.relevant_statements(found, "customer_content_training")
    assert [(tier.name, tier.value) for tier in profiles.tiers(relevant)] == [(None, "yes"), ("EEA", "no")]
    eu = profiles.relevant_statements(found, "customer_content_training", question="What about EEA users?")
    assert profiles.decide(eu)[0] == "no"


def test_a_team_and_a_law_named_after_a_region_are_no_tiers() -> None:
    found = statements(
        "# Privacy\n\nWe may use your content to train our models.\n\nOur support team does not use your "
        "content to train our models.\n\nUnder the UK GDPR, we do not use your content to train our models.\n"
    )
    assert profiles.tiers(profiles.relevant_statements(found, "customer_content_training")) == []


def test_combining_documents() -> None:
    assert profiles.combine(["not_stated", "no"]) == "no"
    assert profiles.combine(["yes", "opt_out"]) == "opt_out"
    assert profiles.combine(["yes", "no"]) == "unclear"
    assert profiles.combine(["not_stated", "not_stated"]) == "not_stated"


@pytest.mark.parametrize(
    ("version", "content", "usage"),
    [
        ("2023-02-01", "not_stated", "not_stated"),
        ("2023-04-01", "yes", "yes"),
        ("2023-08-07", "with_consent", "yes"),
        ("2023-08-11", "no", "not_stated"),
    ],
)
def test_zoom_terms(corpus: Path, version: str, content: str, usage: str) -> None:
    found = profiles.compute((corpus / f"zoom/terms-of-service/{version}.md").read_text()).findings
    assert (found["customer_content_training"].value, found["usage_data_training"].value) == (content, usage)
    for finding in found.values():
        assert finding.value != "not_stated" or not finding.quotes  # silence is never backed by a quote


def test_profiles_are_stored_once_per_text_and_recomputed_when_the_reader_changes(
    engine: Engine, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_history(engine, corpus / "zoom/terms-of-service", vendor="Zoom", doc_type="tos")
    with Session(engine) as session:
        stored = session.exec(select(Profile)).all()
        assert len(stored) == 5  # computed as each version was imported
        latest = session.exec(select(Version).order_by(Version.effective_date.desc())).first()  # type: ignore[attr-defined]
        assert latest is not None
        row = session.get(Profile, latest.content_hash)
        assert row is not None and row.data["customer_content_training"]["value"] == "no"
    monkeypatch.setattr(reading, "READER_VERSION", reading.READER_VERSION + 1)
    monkeypatch.setattr(profiles, "_PARSED", type(profiles._PARSED)())  # a new process: nothing in memory
    with session_scope(engine) as session:
        version = session.get(Version, latest.id)
        assert version is not None
        assert (
            profiles.profile_of(session, version.content_hash).findings["customer_content_training"].value
            == "no"
        )
    with Session(engine) as session:
        row = session.get(Profile, latest.content_hash)
        assert row is not None and row.reader_version == reading.READER_VERSION


def test_a_profile_another_checker_saved_first_is_not_an_error(engine: Engine, corpus: Path) -> None:
    import_history(engine, corpus / "zoom/privacy-policy", vendor="Zoom", doc_type="privacy")
    with session_scope(engine) as session:
        version = session.exec(select(Version)).first()
        assert version is not None
        # the row exists (stored at import); saving it again as if new must not fail the transaction
        profiles._store(session, version.content_hash, profiles.compute("# x\n\nnothing"), None)
        assert session.get(Profile, version.content_hash) is not None


def test_a_stored_profile_reads_back_with_its_quotes_lead_ins() -> None:
    """The stored form keeps every quote's list lead-in, so a profile read from the database cites what a
    freshly computed one does."""
    text = (
        "# Terms\n\n## 4. Your content\n\nWe may use your content for the following purposes: (a) to provide"
        " the service; and (b) to train our artificial intelligence models.\n"
    )
    profile = profiles.compute(text)
    [quote] = profile.findings["customer_content_training"].quotes
    assert quote.context == "We may use your content for the following purposes:"
    stored = json.loads(json.dumps(profile.to_json()))
    assert profiles.AIProfile.from_json(stored) == profile


def test_every_citation_of_a_real_profile_is_read_as_its_point(corpus: Path) -> None:
    """Each quote a profile (and so the register) cites for a point is, read again from its clause, a
    statement of that point: no citation that does not support what it is cited for."""
    files = sorted(corpus.glob("changes/*/*/*.md")) + sorted(corpus.glob("zoom/*/*.md"))
    checked, wrong = 0, []
    for path in files:
        text = path.read_text()
        clauses = {clause.id: clause for clause in segment(text)}
        for point, finding in profiles.compute(text).findings.items():
            if point == "input_retention" or finding.value == "not_stated":
                continue
            for quote in finding.quotes:
                checked += 1
                read = [s for s in clause_statements(clauses[quote.clause_id]) if s.sentence == quote.text]
                if point == "control":
                    supports = [
                        s
                        for s in read
                        if s.condition in ("opt_out", "consent")
                        or (finding.value == "no" and s.condition == "always" and s.actor != "user")
                    ]
                else:
                    supports = profiles.relevant_statements(read, point)
                if not supports:
                    wrong.append((path.name, point, quote.text[:80]))
    assert checked > 300
    assert wrong == []
