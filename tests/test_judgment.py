"""Judging changes: rewording vs change of meaning, direction, actor, capture glitches, explanations."""

from __future__ import annotations

import pytest

from core.reading.judgment import judge

POLICY = """# Privacy Policy

## 1. Information we collect

We collect your name, email address and payment details when you create an account.

## 2. How we use information

We use your information to provide and improve our services.

{ai}

## 3. Sharing

We share information with service providers who process it on our behalf.

## 4. Your rights

You may request access to or deletion of your personal information at any time. We will respond within
thirty days, and we may ask you to verify your identity before we act on a request.
"""


def _judge(old_ai: str, new_ai: str):  # type: ignore[no-untyped-def]
    return judge(POLICY.format(ai=old_ai), POLICY.format(ai=new_ai))


@pytest.mark.parametrize(
    ("old", "new", "direction", "actor"),
    [
        (
            "We may use your content to train our models.",
            "We may use your content to train our models, but only with your consent.",
            "restricts",
            "vendor",
        ),
        (
            "We use your data to train our AI models unless you opt out in your settings.",
            "We use your data to train our AI models.",
            "expands",
            "vendor",
        ),
        (
            "We use your data to train our AI models.",
            "We use your data to train our AI models. You can opt out of this use in your settings.",
            "restricts",
            "vendor",
        ),
        ("", "We do not use your content to train generative AI models.", "restricts", "vendor"),
        ("We do not use your content to train generative AI models.", "", "expands", "vendor"),
        (
            "We never use your messages to train AI models.",
            "We will not use your messages to train AI models without your consent.",
            "expands",
            "vendor",
        ),
        (
            "We do not use your content to train our models.",
            "We may use your content to train our models.",
            "expands",
            "vendor",
        ),
        (
            "We use your prompts to train our models.",
            "We use your prompts and uploaded files to train our models.",
            "expands",
            "vendor",
        ),
        (
            "We only use your conversations to train our models if you opt in.",
            "We use your conversations to train our models unless you opt out.",
            "expands",
            "vendor",
        ),
        (
            "",
            "We may share your personal information with partners who may use it to train their own AI "
            "models.",
            "expands",
            "third_party",
        ),
        (
            "",
            "You may not use the Services or any content to train machine learning models.",
            "restricts",
            "user",
        ),
        (
            "You may not use the Services or any content to train machine learning models.",
            "",
            "expands",
            "user",
        ),
    ],
)
def test_changes_of_meaning(old: str, new: str, direction: str, actor: str) -> None:
    verdict = _judge(old, new)
    assert verdict.ai_training_change, verdict.explanation
    assert verdict.direction == direction
    assert verdict.actor == actor
    assert verdict.added or verdict.removed
    assert verdict.severity in ("high", "medium", "low")
    quoted = (verdict.added + verdict.removed)[0]
    assert quoted in verdict.explanation


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "We may use your content to train our AI models.",
            "Your content may be used to train our artificial intelligence models.",
        ),
        (
            "Acme does not use Customer Data to train AI models.",
            "Acme Inc. does not use Customer Data to train AI models.",
        ),
        (
            "We use your content to train our models.",
            "We use your content (such as photos and posts) to train our models.",
        ),
        (
            "Read how [we use data to train our models](https://a.example/x) in our help center.",
            "Read how [we use data to train our models](https://b.example/y) in our help center.",
        ),
        ("", "Our employees receive annual training on data protection."),
        ("", "We use artificial intelligence to generate summaries of your meetings."),
        ("", "We collect your device model and operating system version."),
        ("", "We use feedback to improve our products and services."),
        ("", "We may use automated decision-making, including machine learning, to detect fraud."),
    ],
)
def test_no_ai_training_change(old: str, new: str) -> None:
    verdict = _judge(old, new)
    assert not verdict.ai_training_change, verdict.explanation
    assert verdict.direction is None and verdict.actor is None and verdict.severity == "none"


def test_a_changed_clause_carries_its_aligned_pair() -> None:
    verdict = _judge(
        "We may use your content to train our models.", "We do not use your content to train our models."
    )
    assert verdict.ai_training_change and verdict.direction == "restricts"
    modified = [c for c in verdict.clause_changes if c.kind == "modified"]
    assert len(modified) == 1
    assert modified[0].removed_words == ("may",) and modified[0].added_words == ("do not",)
    assert verdict.ai_clause_changes == modified


def test_moved_ai_clause_is_not_a_change() -> None:
    ai = "We may use your content to train our AI models.\n\n"
    old = POLICY.format(ai=ai)
    new = POLICY.format(ai="").replace("## 4. Your rights", ai + "## 4. Your rights")
    verdict = judge(old, new)
    assert not verdict.ai_training_change
    assert not verdict.substantive


def test_duplicated_policy_version_is_not_a_change() -> None:
    current = POLICY.format(ai="We may use your content to train our AI models unless you opt out.")
    upcoming = current.replace("# Privacy Policy", "# Upcoming Privacy Policy (effective next month)")
    verdict = judge(current, current + "\n\n" + upcoming)
    assert not verdict.ai_training_change


def test_capture_glitch_is_not_a_judgment() -> None:
    old = POLICY.format(ai="We may use your content to train our AI models.") * 3
    login = "# Sign in\n\nPlease log in to continue.\n\n[Forgot password?](https://example.com/reset)\n"
    verdict = judge(old, login)
    assert not verdict.ai_training_change
    assert "login page" in verdict.explanation


def test_new_version_that_lost_most_of_the_document_is_not_a_judgment() -> None:
    old = POLICY.format(ai="We may use your content to train our AI models.") * 6
    verdict = judge(old, "# Privacy Policy\n\nWe collect your name.\n")
    assert not verdict.ai_training_change
    assert "lost most of the document" in verdict.explanation


def test_scope_of_a_permission_widens() -> None:
    old = (
        "You agree and instruct that for Product Alpha, Product Beta, and Product Gamma: (a) we may use "
        "and store "
        "AI Content processed by those services to develop and improve the applicable AI Service; and (b) "
        "we may "
        "retain it for thirty days."
    )
    new = old.replace("and Product Gamma:", "Product Gamma, and Product Delta:")
    verdict = _judge(old, new)
    assert verdict.ai_training_change and verdict.direction == "expands" and verdict.actor == "vendor"
    assert "product delta" in verdict.explanation


def test_enumeration_reorganised_is_not_a_change() -> None:
    row = (
        "| To train our advertising models "
        "| Account Data, Content Data, Device Data, Inferred Data "
        "| Consent |"
    )
    new = row.replace("Device Data, Inferred Data", "Inferred Information")
    verdict = _judge(row, new)
    assert not verdict.ai_training_change


def test_only_cosmetic_changes() -> None:
    old = POLICY.format(ai="We may use your content to train our AI models.")
    new = old.replace("## 3. Sharing", "## 5. Sharing").replace("We may use", "We  may\nuse")
    verdict = judge(old, new)
    assert not verdict.ai_training_change and not verdict.substantive


def test_ai_paragraph_split_in_two_is_cosmetic() -> None:
    one = "We may use your content to train our AI models. We may also share it with our partners."
    two = "We may use your content to train our AI models.\n\nWe may also share it with our partners."
    verdict = _judge(one, two)
    assert not verdict.ai_training_change and not verdict.substantive


def test_swapped_rewrites_do_not_cancel_out() -> None:
    old = (
        "We use your call recordings to train our speech models.\n\n"
        "We do not use your chat logs for model training."
    )
    new = (
        "We no longer use your call recordings to train our speech models.\n\n"
        "We may use anonymised chat logs to train and improve our language models."
    )
    verdict = _judge(old, new)
    assert verdict.ai_training_change
    assert verdict.direction == "mixed"


def test_a_control_added_to_an_unchanged_permission_restricts() -> None:
    permission = "We use your photos and captions to train our AI models."
    control = (
        "You can decide whether your photos are used to train our AI models with the Photo Sharing setting."
    )
    verdict = _judge(permission, f"{permission}\n\n{control}")
    assert verdict.ai_training_change
    assert verdict.direction == "restricts"
    verdict = _judge(f"{permission}\n\n{control}", permission)
    assert verdict.direction == "expands"


def test_repeating_an_unchanged_permission_is_not_a_change() -> None:
    permission = "We use your photos and captions to train our AI models."
    repeat = "In short, your photos may be used to train our artificial intelligence systems."
    verdict = _judge(permission, f"{permission}\n\n{repeat}")
    assert not verdict.ai_training_change, verdict.explanation


def test_more_kinds_of_media_widen_the_data() -> None:
    verdict = _judge(
        "We use your voice commands to improve our speech recognition models.",
        "We use your voice commands, together with dashcam images and driving data, to train our "
        "speech recognition and driver-assistance models.",
    )
    assert verdict.ai_training_change
    assert verdict.direction == "expands"


def test_a_course_about_training_models_is_not_a_change() -> None:
    verdict = _judge("", "The programme teaches students how to clean data and train their own models.")
    assert not verdict.ai_training_change, verdict.explanation


def test_the_profile_points_a_change_moves() -> None:
    from core.reading.judgment import profile_moves
    from core.reading.statements import statements

    old = statements("We do not use your content to train our AI models.")
    new = statements("We may use your content to train our AI models unless you opt out in Settings.")
    assert profile_moves(old, new) == {"Customer content used for training": "expands"}
    assert profile_moves(new, old) == {"Customer content used for training": "restricts"}
    assert profile_moves(old, old) == {}


def test_one_material_expansion_outweighs_two_slight_restrictions() -> None:
    """Direction is weighed, not counted: the customer's content going from never to always outweighs two
    steps toward consent on usage data."""
    old = (
        "We do not use your content to train our AI models.\n\n"
        "We may use usage data to train our models unless you opt out.\n\n"
        "We may use feedback to train our models unless you opt out.\n"
    )
    new = (
        "We may use your content to train our AI models.\n\n"
        "We use usage data to train our models only with your consent.\n\n"
        "We use feedback to train our models only with your consent.\n"
    )
    verdict = judge(old, new)
    assert verdict.ai_training_change and verdict.direction == "expands"


@pytest.mark.parametrize(
    ("old", "new", "direction"),
    [
        (
            "We use your reviews to train the models that rank restaurants.",
            "We use your reviews and your private notes to train the models that rank restaurants.",
            "expands",
        ),
        (
            "We use your reviews, photos and visit history to train the models that rank restaurants.",
            "We use only your star ratings, in aggregated form, to train the models that rank restaurants.",
            "restricts",
        ),
        (
            "We use your purchases to train our recommendation models.",
            "We use your purchases and your searches to train our recommendation models, but we exclude "
            "prescription orders and the accounts of minors.",
            "mixed",
        ),
        (
            "Unless you opt out, we may use your reviews to train Assist and any other AI tool we offer.",
            "Unless you opt out, we may use your reviews to train Assist and any AI technology.",
            "expands",
        ),
    ],
)
def test_scope_from_the_training_sentence_own_objects(old: str, new: str, direction: str) -> None:
    verdict = _judge(old, new)
    assert (verdict.ai_training_change, verdict.direction) == (True, direction)


DEFINED = """# Privacy Policy

## Definitions

- "Activity Data" means information about how you use the app, such as the screens you open.{more}

## How we use data

We use Activity Data to train the machine learning models that suggest workouts.

## Contact

Write to privacy@example.com.
"""


def test_a_widened_definition_widens_the_training_clause_that_uses_it() -> None:
    old = DEFINED.format(more="")
    wider = DEFINED.format(more=" It also includes the voice notes you record in the app.")
    narrower_def = DEFINED.replace(
        "such as the screens you open.", "such as the screens you open, and the voice notes you record."
    ).format(more=" Activity Data does not include the voice notes you record.")
    grown = judge(old, wider.replace("It also includes", "Activity Data includes"))
    assert (grown.ai_training_change, grown.direction) == (True, "expands")
    assert grown.added == ["Activity Data includes the voice notes you record in the app."]
    shrunk = judge(DEFINED.format(more=" Activity Data includes the voice notes you record."), narrower_def)
    assert shrunk.ai_training_change and shrunk.direction == "restricts"


def test_one_profile_step_does_not_overrule_a_wider_permission() -> None:
    """Much wider data, and an opt-out stated in another section: the profile moves "yes" -> "opt out",
    one step, and the statements, which read the data too, decide."""
    verdict = _judge(
        "When you make a photo public, you allow us to use it to train our image recognition models.",
        "You allow us to use the photos and videos you store with us, public or private, to train our image "
        "recognition models.\n\n## Your choices\n\nYou can turn off AI training at any time in Settings.",
    )
    assert (verdict.ai_training_change, verdict.direction) == (True, "expands")


def test_a_rewrite_whose_condition_and_data_move_apart_is_mixed() -> None:
    verdict = _judge(
        "We use your call recordings to train the machine learning models behind Insights.",
        "We use your call recordings and your emails to train the machine learning models behind Insights, "
        "unless you opt out in Settings.",
    )
    assert (verdict.ai_training_change, verdict.direction) == (True, "mixed")
