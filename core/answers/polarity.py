"""Reading a yes/no question's answer off the quoted sentences, or declining to.

A general question ("Does Zoom sell personal data?") gets yes, no, with_consent or opt_out only when a
quoted clause plainly states, denies or conditions the action asked about, its condition read as the
statement reader reads one (``core.reading.statements.practice_condition``); anything less is ``unclear``
and the reader reads the quotes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.answers.evidence import Hit, question_terms
from core.reading.statements import practice_condition
from core.reading.verdicts import AnswerVerdict
from core.reading.vocabulary import ACTION_SYNONYMS, NUMBER_WORDS, OBJECT_SYNONYMS, REGION_WORDS
from core.registry.names import name_like
from core.text.sentences import split_sentences

_YES_NO = re.compile(
    r"^(?:do|does|did|is|are|was|were|can|could|will|would|may|might|should|has|have|shall)\b", re.IGNORECASE
)
_NEGATION = re.compile(r"not|never|no|none|neither|nor|cannot")
_CONTRASTS = frozenset({"but", "however", "except", "although", "whereas", "unless"})
_CONDITIONS = frozenset({"if", "unless", "when", "whether", "where", "once"})
# "When our staff make calls, does Amazon keep ...?": the yes/no question after a leading clause
_LEADING_CLAUSE = re.compile(r"^[^,?]{3,120}?,\s*(?=\w)")
# "Can we opt out of ...?": a question about the control itself, not one that asks for the condition
_ABOUT_CONTROL = re.compile(
    r"^\W*(?:can|may|could|how (?:can|do))\s+(?:we|i|you|our|users?|customers?|members?)\b", re.IGNORECASE
)
# "By default, Alexa enables purchasing": on until turned off (not "By default, we keep logs for 30 days")
_BY_DEFAULT = re.compile(
    r"\bby default\b[^.;]{0,60}?\b(?:enabl\w*|activat\w*|turn\w* on|switch\w* on|opt\w* (?:you )?in)\b"
    r"|\b(?:enabled|on|activated) by default\b",
    re.IGNORECASE,
)
_DNT = re.compile(r"\bdo[- ]not[- ]track\b|\bdnt\b", re.IGNORECASE)
_DNT_ACTIONS = ("respond", "honor", "honour", "recogn", "support", "compli", "comply", "act", "process")
# "Can people under 18 use X?", "Can children sign up for X?": whether an age limit lets them
_AGE_USE = re.compile(
    r"\b(?:under|below|younger than)\s+(?:the age of\s+)?(?P<age>\d+)|\b(?:children|kids?|minors|teen\w*)\b",
    re.IGNORECASE,
)
# the people of that age are the question's subject: "Can people under 18 ...", "Are kids allowed to ..."
_PEOPLE_ASK = re.compile(
    r"^\W*(?:can|may|could|are|is|do|does)\s+(?:our\s+|a\s+|any\s+)?(?:people|users?|anyone|someone|children"
    r"|child|kids?|minors?|teen\w*|students?|we|employees|staff)\b",
    re.IGNORECASE,
)
_USE_VERB = re.compile(r"\b(?:use|sign up|register|join|create|open|have|hold|get)\b", re.IGNORECASE)
# "you have to be at least 18 years old to use Bumble", "not intended for children under 13"
_AGE_LIMIT = re.compile(
    r"\b(?:must|have to|need to|are required to|should)\s+be\s+(?:at least|over|older than|aged)\s+"
    r"(?:the age of\s+)?(?P<age>\d+)"
    r"|\bnot (?:intended|directed|designed|meant|allowed|permitted)\b[^.;]{0,40}?"
    r"\b(?:under|children|minors)\b"
    r"|\b(?:does not|do not|doesn't|don't) (?:allow|permit)\b[^.;]{0,40}?\b(?:under|children|minors)\b",
    re.IGNORECASE,
)
# whose practice: "Can we ...?" asks about us; "Does Acme ...?" about the vendor, which a clause binding
# the customer ("You may use Outputs ...", "You agree to ...") does not answer ("You acknowledge that we
# may ..." and "you agree that we ..." do: they describe the vendor's practice)
_ASKS_ABOUT_US = re.compile(r"^\W*\w+\s+(?:we|i|you|our|my|users?|customers?|members?|anyone|people)\b", re.I)
_BINDS_CUSTOMER = re.compile(
    r"^\W*(?:\(?[a-z0-9]{1,4}[.)]\s*)?(?:you|users?|customers?|licensees?|subscribers?)\s+(?:\w+ly\s+)?"
    r"(?:may|must|shall|agree(?! that)|represent|warrant|should|can|are responsible|are solely|will not"
    r"|may not|must not)\b",
    re.IGNORECASE,
)


def polarity(question: str, hits: list[Hit], vendor: str) -> AnswerVerdict:
    """The verdict a quote gives a yes/no question when it plainly states or denies what is asked; else
    unclear.

    The asked action is the first content word of the yes/no question, after any leading clause, that is
    not a name ("sell" in "Does Zoom sell personal data?"); the question's other words are its objects.
    The quoted clause that shares most of them decides (the action, or a synonym, counts twice; a clause
    without the action needs three of the objects, or half of them, and one with it needs one of them; a
    clause binding the customer never decides a question about the vendor): ``with_consent`` or
    ``opt_out`` when it conditions the practice as the statement reader reads conditions ("with your
    explicit consent", "you can opt out"), but not a control of something else ("cookies can be
    disabled"); else no when a negation governs its words (in the same clause, before them, and not in
    an "if ... not" condition); else opt_out when it is on "by default", yes otherwise. A question that
    asks for the condition ("... unless we opt out?") may take it from another quoted clause; a question
    about the control itself ("Can we opt out of ...?") is answered by the control's being there, not
    conditioned by it.
    """
    main = main_question(question)
    if main is None:
        return "unclear"
    names = " ".join([vendor, *name_like(question)])
    own = set(question_terms(names))
    terms = [term for term in question_terms(question) if term not in own]
    asked = [term for term in question_terms(main) if term not in own]
    if not terms or not asked:
        return "unclear"
    limited = _age_limit(main, hits)
    if limited is not None:
        return limited
    action = _passive_action(main, asked) or asked[0]
    objects = set(terms) - {action}
    actions = action_stems(action)
    if _DNT.search(question):
        # "Does X honor / stop tracking on / change anything for Do Not Track?": whether it responds to the
        # signal, however the question words it
        actions, objects = _DNT_ACTIONS, {"track", "signal"}
    best: tuple[float, int, list[str], int, str, str] | None = None
    clauses: list[str] = []
    asked_regions = _regions(question)
    about_vendor = not _ASKS_ABOUT_US.match(main)
    starts = {(h.passage.clause_index, h.passage.first_sentence): h.passage.text for h in hits}
    for order, hit in enumerate(hits):
        # the quote that continues this one in its clause, if another quote is the next sentence
        after = starts.get((hit.passage.clause_index, hit.passage.last_sentence + 1), "")
        for clause, following in _clauses(hit.passage.text, after):
            clauses.append(clause)  # any clause may state the condition ("you may opt out of ...")
            if about_vendor and _binds_customer(clause):
                continue  # but what the customer may or must do is not what the vendor does
            if (regions := _regions(clause)) and not regions & asked_regions:
                continue  # "... of EEA users" is a tier of its own, not the answer for everyone
            words = _words(clause)
            at = next((i for i, word in enumerate(words) if word.startswith(actions)), None)
            found = [
                i for i, word in enumerate(words) if any(word.startswith(_spellings(o)) for o in objects)
            ]
            shared = sum(_named(words, o) for o in objects)
            score = shared + (2 if at is not None else 0)
            if at is None and shared < max(3, (len(objects) + 1) // 2):
                continue
            if at is not None and objects and not shared:
                continue  # the asked verb about other things ("we share your browsing history")
            if score < 2 or (best is not None and (score, -order) <= best[:2]):
                continue
            best = (score, -order, words, at if at is not None else found[0], clause, following)
    if best is None:
        return "unclear"
    _, _, words, first, clause, following = best
    negated = _negated(words[:first]) or _denied_by_prefix(words, objects | {action})
    # a question about the control itself ("Can we opt out of ...?") is not conditioned by it
    about_control = practice_condition(question) is not None and bool(_ABOUT_CONTROL.match(question))
    condition = None if about_control else _condition(clause, objects)
    follows_on = bool(_REFERS_BACK.search(following)) or _shares(following, objects, 1)
    if condition is None and not negated and not about_control and follows_on:
        # "... only collect what is needed. We first require that the school obtain the consent of parents
        # prior to collecting such information.": the next sentence conditions the practice
        condition = _condition(following, objects)
    if condition is None and not negated and not about_control and _asks_condition(question):
        # the question asks for the condition ("... unless we opt out?"): another quoted clause about the
        # same things may state it ("you may opt out of such communications")
        condition = next(
            (c for other in clauses if _shares(other, objects, 1) and (c := _condition(other, objects))), None
        )
    if condition == "consent":
        return "with_consent"
    if condition == "opt_out":
        return "opt_out"
    if negated:
        return "no"
    # "By default, Alexa enables purchasing": on until turned off
    return "opt_out" if _BY_DEFAULT.search(clause) and not about_control else "yes"


def _age_limit(main: str, hits: list[Hit]) -> AnswerVerdict | None:
    """For "Can people under 18 use X?": no when a quoted clause sets an age limit at or above the age asked
    (or any limit, for "children"), with_consent when the clause lets them in with a parent's consent; None
    when the question is not about who may use the service or no quote sets a limit."""
    asked = _AGE_USE.search(main)
    if asked is None or not _USE_VERB.search(main) or not _PEOPLE_ASK.match(main):
        return None
    for hit in hits:
        for clause in split_sentences(hit.passage.text):
            limit = _AGE_LIMIT.search(clause)
            if limit is None:
                continue
            if asked["age"] and limit["age"] and int(asked["age"]) > int(limit["age"]):
                continue  # "under 18" when the limit is 13: some of them may
            return "with_consent" if practice_condition(clause) == "consent" else "no"
    return None


# "..., and can we stop it?", "or is it on until we opt out?", "do we have to opt in?"
_CONDITION_ASKED = re.compile(
    r"\b(?:and|or)\s+(?:can|may|could|how can|do)\s+(?:we|i|you|they|users?)\s+(?:stop|opt|turn|switch|refuse"
    r"|object|limit|disable|prevent|say no)\b|\bhave to opt[- ]?in\b|\bon (?:until|unless)\b"
    r"|\bunless (?:we|they|you|he|she|our \w+)\s+(?:\w+\s+)?(?:unsubscribe|opt|object|refuse|say no|switch"
    r"|turn)\w*\b",
    re.IGNORECASE,
)


def _binds_customer(clause: str) -> bool:
    """Whether the clause is a rule on the customer ("You must not share ..."), not the vendor's practice
    told to the customer ("You can rest assured that we never sell ...")."""
    m = _BINDS_CUSTOMER.match(clause)
    return m is not None and not re.search(
        r"\b(?:we|us|our)\b", clause[m.end() : m.end() + 40], re.IGNORECASE
    )


def _asks_condition(question: str) -> bool:
    """Whether the question asks for the practice's condition ("... unless we opt out?", "..., and can we
    stop it?") as well as for the practice."""
    return practice_condition(question) is not None or bool(_CONDITION_ASKED.search(question))


def main_question(question: str) -> str | None:
    """The yes/no question, after any leading clause ("If our members choose ..., is it ...?"); None when
    the question is not a yes/no one."""
    text = question.strip()
    if _YES_NO.match(text):
        return text
    rest = _LEADING_CLAUSE.sub("", text, count=1)
    return rest if rest != text and _YES_NO.match(rest) else None


def _spellings(stem: str) -> tuple[str, ...]:
    """An asked object's stem and its synonyms' stems (``OBJECT_SYNONYMS``: "data" is "information")."""
    return _stems_with(stem, OBJECT_SYNONYMS)


def action_stems(action: str) -> tuple[str, ...]:
    """The asked action's stem and its synonyms' stems (``ACTION_SYNONYMS``)."""
    return _stems_with(action, ACTION_SYNONYMS)


@lru_cache(maxsize=4096)
def _stems_with(stem: str, groups: tuple[frozenset[str], ...]) -> tuple[str, ...]:
    """``stem`` and the stems of every group of words it belongs to."""
    stems = {stem}
    for group in groups:
        group_stems = set(question_terms(" ".join(sorted(group))))
        if stem in group_stems:
            stems |= group_stems
    return tuple(sorted(stems))


def _named(words: list[str], stem: str) -> float:
    """How a clause's words name an asked object: 1 in the question's own word, 0.5 in a synonym
    ("information" for "data"), 0 not at all."""
    if any(word.startswith(stem) or (len(stem) >= 5 and word.startswith("un" + stem)) for word in words):
        return 1.0
    return 0.5 if any(word.startswith(_spellings(stem)) for word in words) else 0.0


def _shares(clause: str, objects: set[str], least: int = 2) -> bool:
    """Whether a clause names at least ``least`` of the asked objects (or all of them, if fewer)."""
    words = _words(clause)
    shared = sum(_named(words, o) > 0 for o in objects)
    return bool(objects) and shared >= min(least, len(objects))


_PASSIVE = re.compile(r"\b(?:be|been|being|is|are|was|were|get|gets)\s+(\w+(?:ed|en|wn))\b", re.IGNORECASE)


def _passive_action(main: str, asked: list[str]) -> str | None:
    """The verb of a passive question ("Can our data be transferred to the US?": "transfer"), whose first
    content word is its subject, not its action."""
    m = _PASSIVE.search(main)
    if m is None:
        return None
    stem = next(iter(question_terms(m[1])), None)
    return stem if stem in asked else None


def _condition(clause: str, objects: set[str]) -> str | None:
    """The clause's condition on the practice, unless it only controls something else."""
    condition = practice_condition(clause)
    if condition == "opt_out" and _controls_something_else(clause, objects):
        return None
    return condition


_PASSIVE_CONTROL = re.compile(
    r"\b([a-z]+)\s+(?:can|may)\s+(?:also\s+)?be\s+(?:turned off|switched off|toggled off|disabled|deactivated"
    r"|blocked|deleted|cleared|rejected)\b"
)
_ANAPHORS = frozenset(
    {"this", "it", "that", "which", "these", "they", "such", "use", "processing", "feature"}
)


def _controls_something_else(clause: str, objects: set[str]) -> bool:
    """Whether the clause's only control is of another thing than the one asked about: "... and cookies
    can be disabled in your browser" says nothing of whether the asked practice can be refused."""
    m = _PASSIVE_CONTROL.search(clause.lower())
    if m is None or practice_condition(clause[: m.start()] + clause[m.end() :]) is not None:
        return False
    subject = m[1]
    return subject not in _ANAPHORS and not any(subject.startswith(o) for o in objects)


def _words(text: str) -> list[str]:
    """A clause's words as the evidence index reads them: "e-mail" is "email", "thirteen" is "13"."""
    words = re.findall(r"[a-z0-9']+", text.lower().replace("e-mail", "email"))
    return [NUMBER_WORDS.get(word, word) for word in words]


_CLAUSE_BREAK = re.compile(r"[;:]\s|\s(?=(?:but|however|although|whereas|while)\b)|,\s+(?:and\s+)?(?=you\b)")


_REFERS_BACK = re.compile(r"\b(?:this|such|these|those|it|that information|so)\b", re.IGNORECASE)


def _clauses(text: str, after: str = "") -> list[tuple[str, str]]:
    """The clauses of a quote's sentences, each with the sentence after its own in the quote: a condition
    or negation is read in the clause it governs ("... do not respond to Do Not Track signals, you may
    choose to opt out of ..." is a no), or in the next sentence when that refers back to it."""
    sentences = split_sentences(text)
    following = [*sentences[1:], split_sentences(after)[0] if after else ""]
    return [
        (part, following[k])
        for k, sentence in enumerate(sentences)
        for part in _CLAUSE_BREAK.split(sentence)
        if part.strip()
    ]


def _regions(text: str) -> set[str]:
    """The regions a text names ("EEA", "California")."""
    return {word for word in _words(text) if word in REGION_WORDS}


def _denied_by_prefix(words: list[str], asked: set[str]) -> bool:
    """Whether the clause says the asked thing with a negating prefix: "unencrypted" for "encrypted",
    "unauthorized" for "authorized" (stems of five letters or more, so "un" + "der" is no denial)."""
    stems = [stem for stem in asked if len(stem) >= 5]
    return any(word.startswith("un") and word[2:].startswith(stem) for word in words for stem in stems)


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
