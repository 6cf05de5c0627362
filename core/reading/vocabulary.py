"""The vocabulary of data categories: the one registry of what kinds of data the reading recognises.

Each category has its name (the value stored in statements and profiles), a label for people, its role
in the AI data-use profile, the pattern that finds it in a lower-cased, analysed sentence (``None``: it
is assigned by a rule, not found by words), and the words of a question that name it. Statements,
judgment, profile and question parsing all read these; none keeps a list of its own.

To add a category or a phrasing, see ``core/reading/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

DataName = Literal[
    "customer_content",
    "personal_data",
    "inputs_outputs",
    "usage_data",
    "public_content",
    "audio_voice",
    "images",
    "video",
    "text_transcripts",
    "sensor_vehicle",
    "health_data",
    "feedback",
    "service_content",
    "service_outputs",
    "unspecified",
]
Role = Literal["content", "usage", "service"]
"""In the profile: the customer's or people's data ("our data" to a reviewer), usage or service-generated
data, or the vendor's own service and its outputs (what a rule on users protects)."""


@dataclass(frozen=True)
class DataCategory:
    """One kind of data, as every stage reads it."""

    name: DataName
    label: str
    role: Role
    pattern: re.Pattern[str] | None
    media: bool = False
    """Recorded media or text: a bare "content" beside it is that media, not customer content."""
    generic: bool = False
    """So broad that a question naming a narrower category should not be answered from it alone."""
    question_words: tuple[str, ...] = ()
    """Words of a question that name this category although its pattern does not match them."""


# Most specific first; each is a general noun class of the privacy and terms domain.
CATEGORIES: tuple[DataCategory, ...] = (
    DataCategory(
        "inputs_outputs",
        "prompts, inputs and outputs",
        "content",
        re.compile(
            r"\b(?:prompts?|inputs?|outputs?|responses|conversations?|chats?|chat (?:sessions?|logs?|history)"
            r"|(?:your|chat|direct|private|in-app) messages?"
            r"|queries|completions?|ai[- ]content|aiterm[- ](?:inputs?|outputs?|content)|generated content"
            r"|chatbot data|interactions? with (?:our |the )?(?:aiterm|chat-?bots?|assistants?|agents?))\b"
        ),
        media=False,
        generic=False,
        question_words=("meeting", "meetings", "message", "messages"),
    ),
    DataCategory(
        "customer_content",
        "customer content",
        "content",
        re.compile(
            r"\b(?:customer|user|member|client|your|creator)[- ](?:content|data|inputs?|materials?|files?"
            r"|submissions?)"
            r"|\bcontent (?:that )?you (?:provide|upload|submit|post|create|share|make)"
            r"|\buser[- ]generated content|\bcontent you\b|\b(?:files|documents|repositories|source code"
            r"|e-?mails|uploads|submissions"
            r"|attachments|whiteboards?|communications(?:-like)? content|uploaded content)\b"
        ),
        media=False,
        generic=True,
        question_words=("meeting", "meetings", "email", "emails"),
    ),
    DataCategory(
        "personal_data",
        "personal data",
        "content",
        re.compile(
            r"\bpersonal(?:ly identifiable)? (?:data|information)|\byour (?:information|data|personal)"
            r"|\binformation (?:about|from|that) you|\bdata (?:about|from) you|\binformation (?:we"
            r"|that we) (?:collect|receive)"
            r"|\binformation (?:that )?(?:individuals|you) provide|\buser data|\bpersonal\b|\bidentit\w+"
            r"|\bcontact (?:data|information)"
            r"|\baccount (?:creation )?(?:data|information)|\binformation\b|\bdata\b"
        ),
        media=False,
        generic=True,
        question_words=(),
    ),
    DataCategory(
        "usage_data",
        "usage data",
        "usage",
        re.compile(
            r"\b(?:usage|telemetry|diagnostic|service generated|activity|interaction|technical|log|device"
            r"|connection"
            r"|analytics|behavio(?:u)?ral|inferred|geolocation|location)[- ](?:data|information)"
            r"|\bmetadata\b|\blogs\b|\bhow you (?:use|interact)"
        ),
        media=False,
        generic=False,
        question_words=(),
    ),
    DataCategory(
        "public_content",
        "public content",
        "content",
        re.compile(
            r"\bpublic(?:ly)?[- ](?:posts?|content|information|data|available|profiles?)|\bposts?\b"
            r"|\btweets?\b"
            r"|\bpublicly\b"
        ),
        media=False,
        generic=False,
        question_words=(),
    ),
    DataCategory(
        "audio_voice",
        "audio and voice",
        "content",
        re.compile(
            r"\b(?:voices?|audio|(?:voice|audio|call|sound) recordings?|speech|utterances?|voice commands?)\b"
            r"|\brecordings? of (?:your |the )?(?:voice|calls?|speech|conversations?)"
        ),
        media=True,
        generic=False,
        question_words=("meeting", "meetings", "call", "calls", "recording", "recordings"),
    ),
    DataCategory(
        "images",
        "images",
        "content",
        re.compile(
            r"\b(?:images?|imagery|photos?|photographs?|pictures?|selfies?|artworks?|illustrations?)\b"
        ),
        media=True,
        generic=False,
        question_words=(),
    ),
    DataCategory(
        "video",
        "video",
        "content",
        re.compile(
            r"\b(?:videos?|footage|video recordings?|screen[- ](?:sharing|recordings?)|livestreams?)\b"
        ),
        media=True,
        generic=False,
        question_words=("meeting", "meetings", "call", "calls", "recording", "recordings"),
    ),
    DataCategory(
        "text_transcripts",
        "text and transcripts",
        "content",
        re.compile(
            r"\b(?:transcripts?|transcriptions?|captions?|comments?|texts?|written content|summaries)\b"
        ),
        media=True,
        generic=False,
        question_words=(),
    ),
    DataCategory(
        "sensor_vehicle",
        "sensor and vehicle data",
        "content",
        re.compile(
            r"\b(?:sensors?|telematics|lidar|radar)\b|\b(?:driving|vehicle|car|sensor|camera|telemetry)[- ]"
            r"(?:data|information|readings?|signals?)"
        ),
        media=False,
        generic=False,
        question_words=(),
    ),
    DataCategory(
        "health_data",
        "health data",
        "content",
        re.compile(
            r"\b(?:health|medical|biometric|genetic|clinical)\b"
            r"|\b(?:fitness|sleep|heart[- ]rate|wellness)[- ](?:data|information|readings?|metrics)"
        ),
        media=False,
        generic=False,
        question_words=(),
    ),
    DataCategory(
        "feedback",
        "feedback",
        "usage",
        re.compile(r"\b(?:feedback|ratings?|thumbs)\b"),
        media=False,
        generic=False,
        question_words=(),
    ),
    DataCategory("service_content", "the service's content", "service", None),
    DataCategory("service_outputs", "the service's outputs", "service", None),
    DataCategory("unspecified", "unspecified data", "content", None, generic=True),
)

BY_NAME: dict[str, DataCategory] = {category.name: category for category in CATEGORIES}
DATA_CATEGORIES: tuple[str, ...] = tuple(BY_NAME)
CONTENT_DATA = frozenset(c.name for c in CATEGORIES if c.role == "content")
"""Data that is the customer's or about people: "our data" in a reviewer's question."""
USAGE_DATA = frozenset(c.name for c in CATEGORIES if c.role == "usage")
SENSITIVE_DATA = CONTENT_DATA
"""Data about people or their own content: training on it weighs more than on usage or service data."""
MEDIA = frozenset(c.name for c in CATEGORIES if c.media)
GENERIC_DATA = frozenset(c.name for c in CATEGORIES if c.generic)
QUESTION_WORDS: dict[str, frozenset[str]] = {
    word: frozenset(c.name for c in CATEGORIES if word in c.question_words)
    for word in sorted({w for c in CATEGORIES for w in c.question_words})
}
"""A question's word -> the categories it names ("meeting": audio, video, chat and customer content)."""


def label(name: str) -> str:
    """How a category is named to people."""
    return BY_NAME[name].label


# fmt: off
COMPANY_WORDS: frozenset[str] = frozenset({
    "ai", "inc", "inc.", "labs", "llc", "ltd", "ltd.", "corp", "corp.", "corporation", "technologies",
    "technology", "group", "co", "co.", "company", "gmbh", "sa", "plc", "software", "systems", "holdings",
})
# fmt: on
"""Words after a company's name that only say it is a company: "Mistral AI" is asked about as "Mistral"."""

# fmt: off
ACTION_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"keep", "retain", "store", "hold", "preserve", "archive"}),
    frozenset({"share", "disclose", "transfer", "pass", "hand", "give"}),
    frozenset({"collect", "gather", "obtain", "capture", "record"}),
    frozenset({"send", "deliver", "transmit"}),
    frozenset({"use", "process", "utilize", "utilise"}),
    frozenset({"delete", "erase", "remove", "destroy"}),
    frozenset({"access", "read", "view", "see", "review"}),
    frozenset({"honor", "honour", "respond", "respect"}),
)
# fmt: on
"""Verbs a clause may use for the action a question asks about ("keep" answered by "we do not retain"); a
question's "sell" is not "share": the law tells them apart."""

MODEL_KINDS: dict[str, re.Pattern[str]] = {
    "large language models": re.compile(r"\blarge[- ]language[- ]models?\b|\bllms?\b", re.IGNORECASE),
    "generative ai": re.compile(r"\bgenerative (?:ai|artificial intelligence)\b", re.IGNORECASE),
    "foundation models": re.compile(r"\bfoundation(?:al)? models?\b", re.IGNORECASE),
    "facial recognition": re.compile(r"\bfac(?:e|ial) recognition\b", re.IGNORECASE),
}
"""Kinds of model a question may name: a statement naming the same kind governs it ("we do not use Personal
Information for training large language models" answers a question about LLMs, not one about AI models)."""

# fmt: off
PLAN_WORDS: frozenset[str] = frozenset({
    "enterprise", "business", "api", "education", "edu", "consumer",
    "consumers", "developer", "developers", "government", "commercial", "workspace", "workspaces",
})
# fmt: on
"""Words that name a plan or tier ("ChatGPT Enterprise", "the API"): a question naming one is answered by
the statements that name it. ("Pro", "Plus", "Free" count only inside a capitalised name: "for free" is no
tier; nor is "team", which names people more often than a plan.)"""

# fmt: off
OBJECT_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"data", "information", "info"}),
    frozenset({"kids", "children", "child", "minors"}),
)
# fmt: on
"""Nouns a clause may use for what a question asks about ("our data" answered by "your information")."""

# fmt: off
_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)
# fmt: on
NUMBER_WORDS: dict[str, str] = {word: str(number) for number, word in enumerate(_NUMBERS)} | {
    "thirty": "30",
    "sixty": "60",
    "ninety": "90",
}
"""Numbers written out, read as digits: "under the age of thirteen" answers "under 13"."""

# fmt: off
REGION_WORDS: frozenset[str] = frozenset({
    "eu", "eea", "uk", "europe", "european", "california", "californian", "brazil", "brazilian", "canada",
    "canadian", "switzerland", "swiss", "india", "japan", "korea", "australia", "china", "virginia",
    "colorado", "texas",
})
# fmt: on
"""Words that name a region a clause may be limited to ("users in the EEA", "California residents")."""
