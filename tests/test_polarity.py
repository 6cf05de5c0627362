"""Reading a general yes/no question's verdict off the quoted clauses (issue 20, step 1)."""

from __future__ import annotations

import pytest

from core.answers.evidence import EvidenceIndex
from core.answers.polarity import polarity

POLICY = """# Privacy Policy

## Children

We do not collect any information from users under 13 years old for the purposes of directing targeted
advertising.

## Friends

Additionally, with your explicit and informed consent, we may use your phone number to recommend you as a
friend to others.

## Marketing texts

We send promotional text messages to the number on your account unless you opt out by replying STOP.

## Tracking

Our websites currently do not respond to Do Not Track signals, but you may choose to opt out of
interest-based advertising in your cookie settings.

## Analytics

We share your browsing history with our analytics partners, and cookies can be disabled in your browser.

## Newsletter

Our newsletter covers product news and upcoming events in your city.

## Calls

When you record a call, we transcribe it on your device. We do not retain the recording on our servers.

## Offers

You agree to receive offers from us by text message to the number you gave us.

If you do not want promotional texts, you may opt out of such offers at any time in your settings.

## Sync

By default, the app enables syncing of your bookmarks across your devices.

## Students

Our services only collect the personal information from students that is needed to run the service. We
first require that the school obtain the consent of parents prior to collecting such information.

## Messages

We cannot access the content of your encrypted messages. Only you and the people you message can read
them.

## Your duties

You must not share other members' photos with advertisers or post them elsewhere.

## Retention

We keep your order history for seven years after your last order.
"""


def _verdict(question: str) -> str:
    hits = EvidenceIndex.of_text(POLICY).search(question, k=3)
    return polarity(question, hits, "Acme")


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        # the sentence that decides uses another verb than the question ("collect" for "use")
        ("Does Acme use data about players under 13 for targeted advertising?", "no"),
        ("Will Acme use our phone number to suggest us as a friend?", "with_consent"),
        ("Does Acme send us promotional texts?", "opt_out"),
        # the negation and the opt-out are in different clauses of one sentence
        ("Does Acme respond to Do Not Track signals?", "no"),
        # a question about the control itself: the opt-out is the answer, not a condition of it
        ("Can we opt out of promotional texts?", "yes"),
        ("Does Acme keep our order history?", "yes"),
        # a leading clause before the yes/no question; the clause says "retain" for "keep"
        ("When our staff record calls, does Acme keep the recording on its servers?", "no"),
        # the question asks for the condition, and another quoted clause states it
        ("Will Acme send us promotional offers by text unless we opt out?", "opt_out"),
        ("Does Acme send us promotional offers by text, and can we stop it?", "opt_out"),
        # on by default is on until turned off
        ("Does the Acme app sync our bookmarks?", "opt_out"),
        # "read" asked, "access" denied; the later "only you ... can read them" does not decide
        ("Can Acme read our encrypted messages?", "no"),
        # the next sentence conditions the practice it refers back to
        ("Does Acme collect personal information from our students?", "with_consent"),
        # a control of something else is no condition of the practice asked about
        ("Does Acme share our browsing history with analytics partners?", "yes"),
    ],
)
def test_the_deciding_clause_gives_the_verdict(question: str, verdict: str) -> None:
    assert _verdict(question) == verdict


def test_no_clause_naming_the_asked_words_is_unclear() -> None:
    assert _verdict("Does Acme encrypt our payment card numbers?") == "unclear"


def test_two_shared_nouns_without_the_asked_action_decide_nothing() -> None:
    assert _verdict("Does Acme sell news about events to advertisers?") == "unclear"


def test_a_clause_binding_the_customer_does_not_answer_what_the_vendor_does() -> None:
    assert _verdict("Does Acme share our members' photos with advertisers?") == "unclear"
    assert _verdict("Can we share other members' photos with advertisers?") == "no"


OTHER_POLICY = """# Privacy

## Signals

We do not currently respond to Do Not Track signals.

## Cookies

We use cookies to personalize ads. You can disable cookies in your browser settings.

## Transfers

Your information may be transferred to and processed in the United States.

## Selling

We may transfer your information to a buyer if we sell our business. We will never sell your data.

## Members

We honor the privacy of our members, and we DO NOT share member details with advertisers.

## Newsletter sign-up

If you buy a gift card from us, we will enroll you in our newsletter.

You can opt out of our newsletter at any time.

## Reassurance

You can rest assured that we never sell your browsing history.

## Logs

By default, we keep your chat logs for 30 days.

## Texts

Acme will only send customers text messages about offers if a customer specifically grants us permission.
"""


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Does Acme honor Do Not Track?", "no"),  # "respond" for "honor"
        ("Does Acme use cookies to personalize ads?", "opt_out"),  # the next sentence controls the same thing
        ("Can our data be transferred to the US?", "yes"),  # a passive question's verb; "information"
        ("Does Acme sell our data?", "no"),  # the question's own word beats a synonym
        ("Does Acme give member details to advertisers?", "no"),  # "give" asked, "share" denied
        ("Does Acme sell our browsing history?", "no"),  # "you can rest assured that we ..." is the vendor's
        ("Does Acme keep our chat logs?", "yes"),  # "by default" without a switch is no opt-out
        ("Will Acme send our staff text messages about offers?", "with_consent"),  # a customer's permission
        # the question asks for the condition ("unless they unsubscribe"); another clause states it
        (
            "If our staff buy gift cards, will Acme enroll them in its newsletter unless they unsubscribe?",
            "opt_out",
        ),
    ],
)
def test_verbs_nouns_and_next_sentences_of_plain_answers(question: str, verdict: str) -> None:
    hits = EvidenceIndex.of_text(OTHER_POLICY).search(question, k=3)
    assert polarity(question, hits, "Acme") == verdict


AGE_TERMS = (
    "# Terms\n\n## Eligibility\n\nAlthough we want everyone to enjoy Acme, you have to be at least 16 years "
    "old to use Acme. Users between 13 and 16 may use Acme Junior with a parent's consent.\n\n## Accounts\n\n"
    "You can create an account with your email address.\n"
)


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Can people under 16 use Acme?", "no"),  # an age limit at the age asked
        ("Can kids use Acme?", "no"),  # any limit keeps children out
        ("Can children under 13 sign up for Acme?", "no"),  # the limit is above the age asked
    ],
)
def test_an_age_limit_answers_who_may_use_the_service(question: str, verdict: str) -> None:
    hits = EvidenceIndex.of_text(AGE_TERMS).search(question, k=3)
    assert polarity(question, hits, "Acme") == verdict


def test_an_age_limit_below_the_age_asked_decides_nothing_by_itself() -> None:
    """ "under 18" when the limit is 16: some of them may, so the limit is not a no."""
    question = "Can people under 18 use Acme?"
    hits = EvidenceIndex.of_text(AGE_TERMS).search(question, k=3)
    assert polarity(question, hits, "Acme") != "no"


def test_e_mail_is_email_in_the_deciding_clause() -> None:
    """The question's "email" is the clause's "e-mail", so the clause that conditions it decides."""
    text = (
        "# Privacy\n\n## Email\n\nIf you signed up for our newsletter, we will send you the newsletter you "
        "requested. We may also send you other e-mail communications, such as information about our events "
        "(if you have opted in for this information.)\n"
    )
    question = "Will Acme email our staff about its events?"
    hits = EvidenceIndex.of_text(text).search(question, k=3)
    assert polarity(question, hits, "Acme") == "with_consent"


def test_a_clause_limited_to_a_region_answers_only_a_question_about_that_region() -> None:
    text = (
        "# Privacy\n\n## Voice\n\nWe will not share the voice recordings of EEA users with our partners.\n\n"
        "## Partners\n\nWe may share your voice recordings with our partners to improve their services.\n"
    )
    everyone = "Does Acme share our voice recordings with partners?"
    assert polarity(everyone, EvidenceIndex.of_text(text).search(everyone, k=3), "Acme") == "yes"
    eea = "Does Acme share the voice recordings of our EEA staff with partners?"
    assert polarity(eea, EvidenceIndex.of_text(text).search(eea, k=3), "Acme") == "no"
