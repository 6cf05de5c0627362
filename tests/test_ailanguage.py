"""Reading AI-training language into statements: negation, consent, opt-out, actors, and what is not."""

from __future__ import annotations

import pytest

from core.reading.statements import Statement, is_ai_training, statements
from core.text.sentences import split_sentences


def _one(sentence: str) -> Statement:
    found = statements(sentence)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "actor", "condition", "data"),
    [
        # the vendor's own training, and its conditions
        ("We may use your content to train our AI models.", "vendor", "always", {"customer_content"}),
        ("We use your conversations to improve our models.", "vendor", "always", {"inputs_outputs"}),
        ("We leverage aggregated usage data for model training.", "vendor", "always", {"usage_data"}),
        (
            "We use publicly available information to train our models.",
            "vendor",
            "always",
            {"public_content"},
        ),
        (
            "We may use voice recordings to improve our speech recognition.",
            "vendor",
            "always",
            {"audio_voice"},
        ),
        ("We use your feedback to fine-tune our assistant.", "vendor", "always", {"feedback"}),
        (
            "Customer acknowledges that Company may use Usage Data to improve the Services, including to "
            "train "
            "machine learning algorithms.",
            "vendor",
            "always",
            {"usage_data"},
        ),
        ("Our models are developed using data you provide.", "vendor", "always", {"personal_data"}),
        (
            "We will only use your content to train our models if you opt in.",
            "vendor",
            "consent",
            {"customer_content"},
        ),
        (
            "We will not use your Content to train AI models without your explicit permission.",
            "vendor",
            "consent",
            {"customer_content"},
        ),
        (
            "We do not use your content to train our models, except where you have explicitly consented.",
            "vendor",
            "consent",
            {"customer_content"},
        ),
        (
            "Your data is used to train our models unless you object in your settings.",
            "vendor",
            "opt_out",
            None,
        ),
        (
            "You can opt out of having your data used to train our models in Settings.",
            "vendor",
            "opt_out",
            None,
        ),
        (
            "If you do not want us to use your Content to train our models, you can opt out in your "
            "account settings.",
            "vendor",
            "opt_out",
            {"customer_content"},
        ),
        (
            "If you turn off Model Improvement, your new conversations won't be used to train our models.",
            "vendor",
            "opt_out",
            {"inputs_outputs"},
        ),
        ("We do not use Customer Data to train our models.", "vendor", "never", {"customer_content"}),
        (
            "Customer Data will never be used to train generative AI models.",
            "vendor",
            "never",
            {"customer_content"},
        ),
        ("No Customer Content is used to train AI models.", "vendor", "never", {"customer_content"}),
        (
            "We use AI tools in our operations, but we do not use Personal Information for training large "
            "language "
            "models.",
            "vendor",
            "never",
            {"personal_data"},
        ),
        (
            "We do not sell your health data, and we do not use it to train artificial intelligence models.",
            "vendor",
            "never",
            None,
        ),
        # third parties training on the data
        (
            "We may share your personal information with partners who may use it to train their own AI "
            "models.",
            "third_party",
            "always",
            {"personal_data"},
        ),
        (
            "If you do not opt out, recipients of the information may use it to train their artificial "
            "intelligence "
            "models.",
            "third_party",
            "opt_out",
            None,
        ),
        (
            "We do not sell or share your personal data with third parties for AI training.",
            "third_party",
            "never",
            {"personal_data"},
        ),
        # rules on users and others training AI with the service
        (
            "You may not use the Services or any Output to develop models that compete with us.",
            "user",
            "prohibited",
            None,
        ),
        ("Do not use our content to train artificial intelligence.", "user", "prohibited", None),
        ("Scraping content for AI training is prohibited.", "user", "prohibited", None),
        (
            "Customer shall not use Output to train any machine learning model.",
            "user",
            "prohibited",
            {"service_outputs"},
        ),
        (
            "You will not use any content from the Site to create, train, or improve any artificial "
            "intelligence system.",
            "user",
            "prohibited",
            {"service_content"},
        ),
        ("You may use Outputs to train your own models.", "user", "always", {"service_outputs"}),
    ],
)
def test_reads_statements(sentence: str, actor: str, condition: str, data: set[str] | None) -> None:
    statement = _one(sentence)
    assert statement.actor == actor
    assert statement.condition == condition
    if data is not None:
        assert statement.data == frozenset(data)
    assert is_ai_training(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # staff, courses and people
        "Our employees receive regular privacy training.",
        "We train our staff on data protection.",
        "Train your team with our courses.",
        "We offer training courses on machine learning.",
        "Sign up for our AI training webinar.",
        "We may use your information to provide customer service training.",
        # AI without training
        "We use machine learning to detect fraud.",
        "Our AI features generate summaries of your meetings.",
        "These tools may use artificial intelligence to process Customer Content solely to provide the "
        "features.",
        "We use AI to improve our services and develop new features.",
        "We may use AI models provided by third parties to power features.",
        "The AI model may produce inaccurate outputs.",
        "Content generated by AI must be labeled as such.",
        "Do not use the services to deceive anyone into thinking AI-generated content was created by a "
        "human.",
        "We may make automated decisions using algorithms.",
        "We have developed matching algorithms to predict your compatibility with other users.",
        # no model in sight, or not a machine-learning model
        "We use your information to improve our services.",
        "Please provide your device model and serial number.",
        "Our business model relies on advertising.",
        "The vehicle model and year are collected to provide service.",
        "We use cookies to improve our recommendation algorithms.",
        # references and questions state nothing
        "For more information on how we train our models, see our Help Center.",
        "Do we use your data to train our models?",
        # an excluded purpose
        "| To improve the Services (excluding model training) | Technical Information "
        "| Legitimate interests |",
    ],
)
def test_not_ai_training(sentence: str) -> None:
    assert statements(sentence) == []


def test_negation_is_read_in_the_anchor_clause_only() -> None:
    statement = _one("We do not sell your data, but we use it to train our AI models.")
    assert statement.condition == "always" and not statement.negated
    statement = _one(
        "We may use and store AI Content that is not personal data to develop and improve our AI "
        "technologies."
    )
    assert statement.condition == "always"


def test_list_item_is_governed_by_its_lead() -> None:
    text = (
        "You agree that you will not:\n\n"
        "- resell the Services;\n"
        "- use the Services to train machine learning models.\n"
    )
    (statement,) = statements(text)
    assert statement.actor == "user" and statement.condition == "prohibited"
    assert statement.context == "You agree that you will not:"


def test_enumerated_items_are_read_with_their_opening() -> None:
    text = (
        "You shall not and you shall not attempt to: (a) reverse engineer the API; (b) sell access to the "
        "API; "
        "or (c) use the API or API Content to fine-tune or train a foundation model."
    )
    (statement,) = statements(text)
    assert statement.actor == "user" and statement.condition == "prohibited"
    assert statement.sentence.startswith("(c)")


def test_a_condition_in_the_next_sentence_applies() -> None:
    (statement,) = statements(
        "We use your data to train our AI models. You can opt out of this use in your settings."
    )
    assert statement.condition == "opt_out"


def test_legal_basis_column_of_a_table() -> None:
    only_consent = "| To train our advertising models | Content Data, Interaction Data | Consent |"
    assert _one(only_consent).condition == "consent"
    several = "| To train our models | Inputs and Outputs | Consent, Legitimate interests |"
    assert _one(several).condition == "always"


def test_rewordings_read_the_same() -> None:
    a = _one(
        "Zoom will not use audio, video or chat Customer Content to train our artificial intelligence "
        "models without your consent."
    )
    b = _one(
        "Without your consent, we will not use audio, video, or chat Customer Content to train our AI models."
    )
    assert a.key == b.key


def test_scope_holds_enumerated_names() -> None:
    text = (
        "You agree and instruct that for Product Alpha, Product Beta, and Product Gamma: (a) we may use "
        "and store "
        "AI Content processed by those services to develop and improve the applicable AI Service; and (b) we "
        "may retain it."
    )
    (statement,) = statements(text)
    assert {"0:product alpha", "0:product beta", "0:product gamma"} <= statement.scope


def test_split_sentences_keeps_abbreviations() -> None:
    text = "We work with Acme Inc. and others, e.g. partners in the U.S. on models. We train them. Really?"
    assert split_sentences(text) == [
        "We work with Acme Inc. and others, e.g. partners in the U.S. on models.",
        "We train them.",
        "Really?",
    ]


# settings-style consent and opt-out
@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("If you switch on Share Clips, we use your clips to train our vision models.", "consent"),
        ('When you toggle "Improve the Assistant" on, your chats are used to train our models.', "consent"),
        ("Only once Research Mode is turned on do we use your sketches to train our models.", "consent"),
        ("If you switch the Learning option off, we stop using your notes to train our models.", "opt_out"),
        (
            "You can decide whether your reviews are used to train our machine learning models with the "
            "Review Sharing setting.",
            "opt_out",
        ),
        (
            "You can decide whether your reviews are used to train our machine learning models with the "
            "Review Sharing setting. This setting is off by default.",
            "consent",
        ),
        (
            "We use your recipes to train our AI models. You can change this option at any time; the option "
            "is on by default.",
            "opt_out",
        ),
        (
            "We use your recipes to train our AI models. The toggle is switched off by default.",
            "consent",
        ),
    ],
)
def test_settings_controls(text: str, condition: str) -> None:
    assert _one(text).condition == condition


def test_finer_data_categories() -> None:
    assert _one("We use your voice commands to train our AI models.").data == {"audio_voice"}
    assert _one("We use your photos and videos to train our AI models.").data == {"images", "video"}
    assert _one("We use call transcripts to train our AI models.").data == {"text_transcripts"}
    assert _one("We use sensor readings and vehicle data to train our machine learning models.").data == {
        "sensor_vehicle"
    }
    assert _one("We use your heart-rate data to train our machine learning models.").data == {"health_data"}


def test_negated_sharing_does_not_make_a_third_party_actor() -> None:
    found = _one(
        "Acme does not use your files to train its models, and does not disclose them to outside model "
        "providers."
    )
    assert found.actor == "vendor"
    assert found.condition == "never"


@pytest.mark.parametrize(
    "sentence",
    [
        "The workshop teaches apprentices how to gather data and build, train and evaluate neural networks.",
        "In this course you learn to fine-tune language models on your own data.",
        "Our bootcamp teaches engineers to develop machine learning models from public data.",
    ],
)
def test_skills_taught_are_not_practices(sentence: str) -> None:
    assert statements(sentence) == []


def test_a_capitalised_name_does_not_frame_the_statement() -> None:
    found = _one(
        "Where your plan includes the Model Training Pack, you may use the Stock Files to train machine "
        "learning models."
    )
    assert found.actor == "user"


def test_how_to_control_the_practice_is_still_read() -> None:
    found = _one("This page explains how to stop us using your sketches to train our AI models.")
    assert found.actor == "vendor"


def test_a_split_phrasal_verb_does_not_span_a_conjunction() -> None:
    found = _one("When you switch devices or log on, we use your sketches to train our AI models.")
    assert found.condition == "always"


def test_every_data_category_has_a_role_a_label_and_a_way_to_be_found() -> None:
    """The vocabulary is one registry: every category is in a profile role, named, and either found by
    its pattern or assigned by a rule of the reader."""
    from typing import get_args

    from core.reading import vocabulary

    assert set(vocabulary.DATA_CATEGORIES) == set(get_args(vocabulary.DataName))
    for category in vocabulary.CATEGORIES:
        assert category.role in get_args(vocabulary.Role), category.name
        assert category.label, category.name
    by_rule = {c.name for c in vocabulary.CATEGORIES if c.pattern is None}
    assert by_rule == {"service_content", "service_outputs", "unspecified"}
    assert vocabulary.CONTENT_DATA | vocabulary.USAGE_DATA | {"service_content", "service_outputs"} == set(
        vocabulary.DATA_CATEGORIES
    )
    for words in vocabulary.QUESTION_WORDS.values():
        assert words <= set(vocabulary.DATA_CATEGORIES)


def _read(text: str) -> list[tuple[str, str]]:
    return [(s.actor, s.condition) for s in statements(text)]


def test_enumerated_sub_paragraphs_are_governed_by_their_lead_in() -> None:
    """ "(a) ..." paragraphs after "You agree not to:" are rules on users, like list items."""
    text = (
        "# Acceptable use\n\nYou agree not to:\n\n(a) reverse engineer the Services;\n\n"
        "(b) use the Services or any Output to train artificial intelligence models.\n"
    )
    [statement] = statements(text)
    assert (statement.actor, statement.condition) == ("user", "prohibited")
    assert statement.context == "You agree not to:"


def test_a_heading_about_ai_makes_training_on_data_machine_learning() -> None:
    sentence = "We analyse your feedback and support tickets to train our software tools."
    assert _read(f"# Terms\n\n## Artificial intelligence\n\n{sentence}\n") == [("vendor", "always")]
    assert _read(f"# Terms\n\n## Support\n\n{sentence}\n") == []
    referring_back = (
        "# Terms\n\n## AI\n\nWe use your posts to train our AI models. If you turn the control off, we will "
        "stop using your content for this training; training that has already taken place is not affected.\n"
    )
    assert [s.condition for s in statements(referring_back)] == ["opt_out"]


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("We may use your prompts to train our models. You can turn this off in Settings.", "opt_out"),
        (
            "We use your recordings to improve our speech recognition models. You can exclude your "
            "recordings from training in Settings.",
            "opt_out",
        ),
        ("You can limit the use of your content to train our AI models in Settings.", "opt_out"),
        ("We do not use your files to train AI models unless you direct us to do so.", "consent"),
        ("We may use your chats to train our AI models, unless you opt out in your settings.", "opt_out"),
        # the administrator or organisation controls it for the user
        (
            "We use the files you upload to train our models, unless your administrator turns this off.",
            "opt_out",
        ),
        ("We do not use your content to train AI models unless your organization enables it.", "consent"),
        ("We may use your recordings to train our speech models if you have opted in.", "consent"),
    ],
)
def test_conditions_in_their_many_forms(text: str, condition: str) -> None:
    assert _read(text) == [("vendor", condition)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We share your prompts with OpenAI, which may use them to train its models.", "third_party"),
        (
            "We work with Anthropic to provide AI features. Anthropic does not use your data to train its "
            "models.",
            "third_party",
        ),
        ("We partner with Acme Labs. They may use your recordings to train voice models.", "third_party"),
        ("We use data we license from data brokers to train our machine learning models.", "vendor"),
        ("Zoom does not use your audio, video or chat content to train its AI models.", "vendor"),
        ("We use Google Cloud to host the service. We do not use your content to train models.", "vendor"),
    ],
)
def test_whose_models_are_trained(text: str, expected: str) -> None:
    assert [s.actor for s in statements(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "We have updated this Privacy Policy to explain how we use your data to train our AI models.",
        "AI models are trained on large datasets to recognise patterns.",
        "Large language models such as Claude are trained on a variety of content.",
    ],
)
def test_mentions_state_no_practice(text: str) -> None:
    assert statements(text) == []


def test_an_update_that_allows_a_practice_states_it() -> None:
    assert _read("We have updated our Terms to allow us to use your content to train our AI models.") == [
        ("vendor", "always")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "On 3 March 2025 we updated this notice to explain how our models are trained.",
        "As described in section 6, we use your call recordings to train our speech models.",
        "As we explained above, your photos may be used to train our image models.",
    ],
)
def test_dated_announcements_and_restatements_state_no_practice(text: str) -> None:
    assert statements(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We send call audio to our transcription partners. They may use the audio to train their own "
            "speech models.",
            "third_party",
        ),
        ("(c) research labs, who may use the reports we compile to train their own models.", "third_party"),
        ("We also use the sensor data we receive from partners to train our forecasting models.", "vendor"),
    ],
)
def test_whose_models_when_a_relative_clause_names_us(text: str, expected: str) -> None:
    assert [s.actor for s in statements(text)] == [expected]


def test_the_training_sentence_own_objects_are_its_scope() -> None:
    [narrow] = statements("We use your reviews to train the models that rank restaurants.")
    [wide] = statements(
        "We use your reviews and your private notes to train the models that rank restaurants."
    )
    assert {"data:reviews"} == {o for o in narrow.objects if o.startswith("data:")}
    assert {"data:reviews", "data:private notes"} <= wide.objects
    [only] = statements("We use only your star ratings, in aggregated form, to train our ranking algorithms.")
    assert "only:limited" in only.objects
    [carved] = statements(
        "We use your purchases to train our recommendation models, but we exclude prescription orders."
    )
    assert "excl:prescription orders" in carved.objects
    assert "health_data" not in carved.data  # data carved out is not data used


@pytest.mark.parametrize(
    ("target", "reach"),
    [
        ("the models that rank restaurants", 0),
        ("the machine learning models behind our other products", 1),
        ("Dinely Assist and any other AI feature we offer", 1),
        ("Dinely Assist and any AI technology", 2),
    ],
)
def test_how_far_the_trained_models_reach(target: str, reach: int) -> None:
    [statement] = statements(f"We may use your reviews to train and improve {target}.")
    assert statement.reach == reach


def test_an_exception_lead_in_makes_its_items_permissions() -> None:
    text = (
        "# AI\n\nWe will not use Customer Data to train machine learning models, except:\n\n"
        "- anonymised traffic counts, which we may use to tune our routing algorithms.\n"
    )
    statement = statements(text)[-1]
    assert (statement.condition, statement.negated) == ("always", False)
    assert "customer_content" not in statement.data  # the lead's data does not govern the exception


def test_numbered_sub_paragraphs_are_governed_by_their_parent() -> None:
    text = (
        "# Developer terms\n\n4.1 You must keep your keys secret.\n\n4.2 You must not:\n\n"
        "4.2.1 resell the API;\n\n4.2.2 cache API responses for more than a day;\n\n"
        "4.2.3 use API responses to train machine learning models.\n"
    )
    [statement] = statements(text)
    assert (statement.actor, statement.condition) == ("user", "prohibited")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a participle carve-out is not a negation of the training
        (
            "We use all posts, excluding posts from users under 18, to train our AI models.",
            ("vendor", "always"),
        ),
        ("We exclude your health records from the data we train our AI models on.", ("vendor", "never")),
        # a leading "except as / where" is not a carve-out of data
        ("Except where you opt out, we use your messages to train our AI models.", ("vendor", "opt_out")),
        # "US" is a country, not "us"; a main-clause "we" after a prepositional phrase is the subject
        ("Our partners in the US may use your data to train their AI models.", ("third_party", "always")),
        ("Together with our partners we use your data to train our AI models.", ("vendor", "always")),
        # a restatement drops only a pointer to another section; "as described in this policy" states it
        (
            "As described in this policy, we use your voice recordings to train our speech models.",
            ("vendor", "always"),
        ),
    ],
)
def test_readings_the_review_found_wrong(text: str, expected: tuple[str, str]) -> None:
    assert _read(text) == [expected]


def test_a_leading_exception_carves_out_no_data() -> None:
    [statement] = statements(
        "Except as described in this policy, we use your conversations to train our AI models."
    )
    assert not {o for o in statement.objects if o.startswith("excl:")}
    assert statement.data == frozenset({"inputs_outputs"})


def test_reach_counts_only_words_that_modify_the_models() -> None:
    [statement] = statements("We use your reviews to train models that do not identify any individual.")
    assert statement.reach == 0
    [statement] = statements("We use your reviews to train all of our models and new AI services.")
    assert statement.reach == 1


def test_a_restarted_numbering_does_not_inherit_an_old_lead() -> None:
    text = (
        "# Terms\n\n5.2 You must not:\n\n5.2.1 resell the service.\n\n"
        "# Annex\n\n5.2 Our commitments are as follows.\n\n"
        "5.2.1 We may use your usage data to train our machine learning models.\n"
    )
    [statement] = statements(text)
    assert (statement.actor, statement.condition) == ("vendor", "always")


def test_what_is_trained_may_be_illustrated_as_ai_later_in_the_clause() -> None:
    text = (
        "# Acceptable use\n\n### Without our written consent, you aren't allowed to:\n\n"
        "* develop or train any application, software, code, or data models, including but not limited to "
        "generative artificial intelligence models.\n"
    )
    assert _read(text) == [("user", "prohibited")]
    assert statements("We train data models, such as the schemas of your tables.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "we train on <data>" is machine learning; "by default, we do not" is off until turned on
        ("By default, we do not train on any inputs or outputs from our business products.", "consent"),
        ("We train on public posts and licensed content.", "always"),
    ],
)
def test_training_on_data_said_of_us(text: str, expected: str) -> None:
    assert [s.condition for s in statements(text)] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # consent asked for another practice, in another clause, does not condition the training
        ("By default, Acme does not delete your files, and we use them to train our models.", "always"),
        ("We use your prompts to train models, and we obtain your consent before selling them.", "always"),
        # in the training's own clause it does
        ("We will not use your content to train models without first obtaining your consent.", "consent"),
        ("We will seek your consent before using your content to train our AI models.", "consent"),
        ("By default, we do not use your conversations to train our models.", "consent"),
    ],
)
def test_consent_asked_for_conditions_only_its_own_clause(text: str, expected: str) -> None:
    assert [s.condition for s in statements(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    ["Our staff are trained on data protection rules.", "All employees are regularly trained on privacy."],
)
def test_people_trained_on_a_topic_are_not_ai_training(text: str) -> None:
    assert statements(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the customer fine-tunes, or owns what was fine-tuned: not the vendor's training
        ("You own any fine-tuned models you create using the Services.", []),
        ("Customer retains all ownership of models fine-tuned on Customer Data.", []),
        (
            "Any model that you fine-tune with your training data is available only to you.",
            [("user", "always")],
        ),
        ("We may use your data to train models that we own.", [("vendor", "always")]),
        ("Customer Content is not used to train our models.", [("vendor", "never")]),
        # a relative clause's negation is not the sentence's
        (
            "We may use Content that does not contain personal data to train our machine learning models.",
            [("vendor", "always")],
        ),
        ("We use the recordings you upload to train our speech models.", [("vendor", "always")]),
    ],
)
def test_whose_fine_tuning(text: str, expected: list[tuple[str, str]]) -> None:
    assert _read(text) == expected


def test_obtaining_consent_is_a_condition() -> None:
    text = "We may use your recordings to train our speech models after obtaining your explicit consent."
    assert _read(text) == [("vendor", "consent")]


def test_an_ai_purpose_listed_under_a_lead_that_processes_data_is_a_practice() -> None:
    text = (
        "# Data\n\nWe may further process personal data in your uploads for compatible purposes, namely:\n\n"
        "* operation of the service;\n\n* research and development, including fostering AI development.\n"
    )
    [statement] = statements(text)
    assert (statement.actor, statement.condition) == ("vendor", "always")
    assert "personal_data" in statement.data  # the lead's data is what the purpose uses
    assert statements("# Values\n\nWhat we stand for:\n\n* responsible AI development.\n") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# Help\n\n## Does Acme use my data to train its models?\n\nBy default, we do not. "
            "Administrators can opt their workspace in.\n",
            [("vendor", "consent")],
        ),
        ("# FAQ\n\n## Do you train AI models on my chats?\n\nNo.\n", [("vendor", "never")]),
        (
            "# FAQ\n\n## Is my chat content used to train AI models?\n\nYes, unless you opt out.\n",
            [("vendor", "opt_out")],
        ),
        # a full answer is read as it stands; a terse answer to a question about something else says nothing
        (
            "# FAQ\n\n## Does Acme train on my files?\n\nNo, we do not use your files to train AI models.\n",
            [("vendor", "never")],
        ),
        ("# FAQ\n\n## Do you sell my data?\n\nNo.\n", []),
    ],
)
def test_a_terse_faq_answer_answers_its_question_heading(text: str, expected: list[tuple[str, str]]) -> None:
    assert _read(text) == expected
    for statement in statements(text):
        if len(statement.sentence.split()) < 10:  # a terse answer is quoted with its question
            assert statement.context and statement.context.endswith("?")


def test_a_purposes_table_row_naming_model_development_is_read() -> None:
    text = (
        "# Privacy\n\n| Purpose | Data we use | Legal basis |\n| --- | --- | --- |\n"
        "| Business model development | Usage data | Legitimate interests |\n"
        "| Research and model development | Usage data | Consent |\n"
    )
    [statement] = statements(text)
    assert (statement.condition, statement.data) == ("consent", frozenset({"usage_data"}))


def test_a_table_cell_of_bulleted_purposes_is_read_bullet_by_bullet() -> None:
    text = (
        "# Privacy\n\n| Purposes | Legal basis |\n| --- | --- |\n"
        "| The purposes are:<br><br>*   to provide our services and administer your account.<br>"
        "*   to improve our services and train our machine learning models to detect fraud.<br>"
        "*   to send you offers about products that may interest you. "
        "| We rely on your consent for certain optional features, such as targeted advertising. |\n"
        "| To improve the services (including model training) | <br>*   Inputs<br>*   Feedback "
        "| Legitimate interests |\n"
    )
    found = statements(text)
    assert [(s.condition, s.context) for s in found] == [
        (
            "always",
            "The purposes are:",
        ),  # the bullet, with its cell's opening; the consent is for other features
        ("always", "| Purposes | Legal basis |"),  # a row whose bullets are data categories stays a row
    ]
    assert found[0].sentence.startswith("to improve our services and train")
    assert "feedback" in found[1].data


def test_messages_are_what_a_question_about_messages_asks() -> None:
    [statement] = statements("We don't train AI models on your messages.")
    assert statement.data == frozenset({"inputs_outputs"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the second review's findings
        ("We also conduct annual training on data security for everyone who handles customer content.", []),
        (
            "Enterprise customers, who do not have their content used to train our AI models, pay more.",
            [("vendor", "never")],
        ),
        ("# FAQ\n\n## Can I use Acme outputs to train my own AI models?\n\nYes.\n", [("user", "always")]),
        (
            "# FAQ\n\n## Does Acme train on my data?\n\nNo human reviewer reads your chats. We use them to "
            "train our models.\n",
            [("vendor", "always")],
        ),
        ("# FAQ\n\n## Does Acme train on my data?\n\nNot by default.\n", [("vendor", "consent")]),
    ],
)
def test_readings_the_second_review_found_wrong(text: str, expected: list[tuple[str, str]]) -> None:
    assert _read(text) == expected


def test_a_long_lead_in_is_read_in_linear_time() -> None:
    import time

    lead = "We may process and use your personal data " + "and other content, " * 2000
    started = time.perf_counter()
    statements(f"# X\n\n{lead}namely:\n\n* research, including fostering AI development.\n")
    assert time.perf_counter() - started < 1.0  # a nested scan of the lead took minutes
