"""Reading a yes/no question's answer off the quoted sentences, or declining to.

A general question ("Does Zoom sell personal data?") gets yes or no only when a quoted sentence plainly
states or denies the action asked about; anything less is ``unclear`` and the reader reads the quotes.
"""

from __future__ import annotations

import re

from core.answers.evidence import Hit, question_terms
from core.answers.questions import name_like
from core.answers.result import AnswerVerdict
from core.text.sentences import split_sentences

_YES_NO = re.compile(
    r"^(?:do|does|did|is|are|was|were|can|could|will|would|may|might|should|has|have|shall)\b", re.IGNORECASE
)
_NEGATION = re.compile(r"not|never|no|none|neither|nor|cannot")
_CONTRASTS = frozenset({"but", "however", "except", "although", "whereas", "unless"})
_CONDITIONS = frozenset({"if", "unless", "when", "whether", "where", "once"})


def polarity(question: str, hits: list[Hit], vendor: str) -> AnswerVerdict:
    """Yes or no for a yes/no question when a quote plainly states or denies what is asked; else unclear.

    The asked action is the question's first content word that is not a name ("sell" in "Does Zoom sell
    personal data?"). Among the quoted sentences that contain it, the one sharing most of the question's
    other words decides: no when a negation governs the action (in the same clause, before it, and not in
    an "if ... not" condition), yes otherwise. No quoted sentence naming the action means ``unclear``.
    """
    if not _YES_NO.match(question.strip()):
        return "unclear"
    names = " ".join([vendor, *name_like(question)])
    own = set(question_terms(names))
    terms = [term for term in question_terms(question) if term not in own]
    if not terms:
        return "unclear"
    action, objects = terms[0], set(terms[1:])
    best: tuple[int, int, bool] | None = None
    for order, hit in enumerate(hits):
        for sentence in split_sentences(hit.passage.text):
            words = re.findall(r"[a-z0-9']+", sentence.lower())
            at = next((i for i, word in enumerate(words) if word.startswith(action)), None)
            if at is None:
                continue
            overlap = sum(1 for o in objects if any(word.startswith(o) for word in words))
            candidate = (overlap, -order, _negated(words[:at]))
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return "unclear"
    return "no" if best[2] else "yes"


def _negated(before: list[str]) -> bool:
    """Whether the words before an action, back to the start of its clause, deny it."""
    for position in range(len(before) - 1, -1, -1):
        if before[position] in _CONTRASTS:
            before = before[position + 1 :]
            break
    for position, word in enumerate(before):
        denies = _NEGATION.fullmatch(word) or word.endswith("n't")
        if denies and not _CONDITIONS & set(before[max(0, position - 4) : position]):
            return True
    return False
