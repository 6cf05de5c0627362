"""The verdicts a reading gives a question or a profile point, and how people are told them.

The profile decides each AI-training point as one of these, and every answer (extractive, register, the
optional model) carries one; they live with the reading so that no stage before answering depends on it.
"""

from __future__ import annotations

from typing import Literal

AnswerVerdict = Literal["yes", "no", "with_consent", "opt_out", "not_stated", "unclear"]
VERDICTS: tuple[AnswerVerdict, ...] = ("yes", "no", "with_consent", "opt_out", "not_stated", "unclear")

VERDICT_LABELS: dict[AnswerVerdict, str] = {
    "yes": "Yes",
    "no": "No",
    "with_consent": "Only with consent",
    "opt_out": "Yes, unless you opt out",
    "not_stated": "Not stated",
    "unclear": "Unclear",
}
