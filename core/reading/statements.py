"""Reading AI-training language: which data, whose training, under which condition.

A document is read clause by clause and sentence by sentence. A sentence (or one item of an enumerated
sentence, read together with the words that introduce it) is AI-training language when it has an *anchor*:

- a training verb or noun (train, re-train, fine-tune, tune; "model training", "training data") whose object
  or neighbourhood is a machine-learning artefact (model, algorithm, AI, machine learning, LLM...), and
  that is not the training of people ("training of our teams", "training programs");
- a development verb or noun (develop, improve, build, enhance, refine...) whose *object* is an AI
  artefact ("develop or improve large language models", "improve the AI Service"), in a sentence that uses
  data or content; AI as the instrument ("we use AI to improve our services") is not training;
- machine learning or artificial intelligence named as a *purpose* of using data ("license ... for ...
  machine learning, artificial intelligence, training").

Each anchor is then read into a ``Statement``: the categories of data it concerns, the actor whose
training it governs (the vendor; third parties the data is shared with or who train on it; users and
customers when the sentence is a rule on them), the condition (always, with consent, unless opted out,
never, prohibited) from negation within the anchor's clause, consent and opt-out phrases, and a coarse
purpose. Two sentences with different words and equal statements say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, Protocol

from core.reading.vocabulary import CATEGORIES, MEDIA
from core.text.clauses import Clause, segment
from core.text.sentences import split_sentences

Actor = Literal["vendor", "third_party", "user"]
Condition = Literal["always", "opt_out", "consent", "never", "prohibited"]

_PERMISSIVENESS: dict[str, int] = {"always": 3, "opt_out": 2, "consent": 1, "never": 0, "prohibited": 0}


@dataclass(frozen=True)
class Statement:
    """What one sentence says about training AI on data.

    ``data``: categories of data concerned (see ``core.reading.vocabulary``); ``actor``: whose training the
    statement governs; ``purpose``: "train" or "competing_models" (training models that compete with the
    service); ``condition``: always / opt_out (unless opted out) / consent (only with consent) / never
    (a commitment not to) / prohibited (a rule forbidding users or others); ``negated``: whether the
    sentence denies or forbids the training. ``sentence`` is the sentence read (``context`` the words that
    introduce it, for list items and enumerations), ``clause_id`` its clause anchor, ``scope`` the named
    items it enumerates (products, services, named data categories) as "<list>:<item>", which bound where
    it applies. ``objects`` are the training sentence's own objects, as "data:<item>" (the data it uses),
    "excl:<item>" (data it carves out) and "only:limited" (a data object limited by "only"/"solely");
    ``reach`` how far the models it trains extend: 0 named models, 1 all of the vendor's ("our other
    products"), 2 any ("any AI technology"). A version's statements are the input of its AI data-use profile.
    """

    data: frozenset[str]
    actor: Actor
    purpose: str
    condition: Condition
    sentence: str
    clause_id: str | None = None
    negated: bool = False
    context: str | None = None
    scope: frozenset[str] = field(default=frozenset(), compare=False)
    objects: frozenset[str] = field(default=frozenset(), compare=False)
    reach: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[str, str, frozenset[str], str]:
        """The meaning: two statements with equal keys say the same thing.

        Polarity is not part of it: "will not use ... without your consent" and "will use ... only with
        your consent" say the same; "never" and "always" already carry it.
        """
        return (self.actor, self.condition, self.data, self.purpose)

    @property
    def permissiveness(self) -> int:
        """How much training the statement allows: 3 always, 2 unless opted out, 1 with consent, 0 never."""
        return _PERMISSIVENESS[self.condition]

    @property
    def text(self) -> str:
        """The sentence with the words that introduce it."""
        return f"{self.context} {self.sentence}" if self.context else self.sentence

    @property
    def norm(self) -> str:
        """The words of ``text``, lower-cased, without punctuation or link targets: for exact comparison."""
        return normalised_words(self.text)


# ----------------------------------------------------------------------------------------------------
# Vocabulary. General domain lexicons (machine learning, data, consent), not phrases of any document.

# Case-sensitive abbreviations, rewritten to unambiguous lower-case tokens before matching.
_ABBREVIATIONS = re.compile(r"\b(?:A\.I\.|AI|GenAI|ML|LLMs?|NLP)(?![\w.])|\bA\.I\.")
_ABBREVIATION_TOKENS = {"ML": "mlterm", "NLP": "mlterm"}

_AI_CORE = (
    r"(?:aiterm|genaiterm|mlterm|llmterm|artificial[- ]intelligence|machine[- ]learning|deep[- ]learning"
    r"|neural[- ]net\w*|large[- ]language|language[- ]models?|foundation(?:al)?[- ]models?"
    r"|frontier[- ]models?"
    r"|generative[- ]models?|multimodal[- ]models?|diffusion[- ]models?|chat-?bots?|computer vision"
    r"|natural language processing|speech recognition|llms?)"
)
_AI_CORE_RE = re.compile(rf"\b{_AI_CORE}\b")
_MODELS = re.compile(r"\bmodels?\b")
_PASSIVE_SUBJECT = re.compile(
    rf"(?:\bmodels?|\b{_AI_CORE}(?:\s+(?:systems?|technolog\w+|tools?))?)\s+"
    r"(?:is|are|was|were|(?:will|may|can|could|would) be|ha(?:s|ve) been)\s+(?:\w+ly\s+)?$"
)
_MODEL = re.compile(r"\bmodels?\b|\balgorithm\w*|\bclassifiers?\b|\bneural\b")
# "models" that are not machine-learning models
_NON_ML_MODEL = re.compile(
    r"\b(?:business|role|device|hardware|car|vehicle|phone|product|pricing|revenue|operating|subscription"
    r"|delivery|service|3d|3-d|financial|fashion|cost|governance|engagement|partnership|licensing"
    r"|distribution|data|care|staffing|cooperation|economic|physical|new|latest|older|other)\s+models?\b"
    r"|\bmodels? of (?:our |the |your )?(?:devices?|products?|vehicles?|cars?|phones?|hardware)\b"
    r"|\bmodels?\s+(?:numbers?|years?|names?|accounts?|programs?|release|applications?)\b"
)
_TRAIN = re.compile(r"\b(?:re-?|pre-?)?train(?:s|ed|ing|ings)?\b|\bfine[- ]?tun\w+|\btun(?:e|es|ed|ing)\b")
_TRAINING_DATA = re.compile(r"\btraining[- ](?:data(?:sets?)?|sets?|corpus|corpora|datasets?|examples)\b")
_LEARN_FROM = re.compile(
    r"\blearn(?:s|ed|ing)? from (?:\w+\s){0,3}?(?:data|content|information|inputs?|conversations?"
    r"|interactions?"
    r"|feedback|usage|behaviou?r|activity|prompts?|posts?)\b"
)
_TRAINED_ON = re.compile(
    r"trained (?:on|using|with) (?:\w+\s){0,3}?(?:data|content|information|inputs?|conversations?|posts?"
    r"|text|images?)\b"
    # "we do not train on any inputs or outputs": training on data, said of the vendor or its models
    r"|trains? on (?:\w+\s){0,3}?(?:data|content|inputs?|outputs?|conversations?|prompts?|chats?"
    r"|posts?|images?)\b"
)
# "Our staff are trained on data protection": people are trained, not models
_PEOPLE_TRAINED = re.compile(
    r"\b(?:staff|employees?|personnel|workforce|workers|contractors|agents|representatives|moderators"
    r"|reviewers|managers|members of staff|team members|people)\s+(?:\w+\s+){0,3}?(?:are|is|were|get|gets"
    r"|receive|must be|will be|have been)\s+(?:\w+\s+)?$"
)
_TRAINS_ON_SUBJECT = re.compile(
    r"\b(?:we|our models?|it|they)\s+(?:(?:do|does|will|would|may|can|could|also|not|never|don't|won't"
    r"|doesn't|only|currently|further)\s+){0,3}$"
)
_USE_TO_TRAIN = re.compile(
    r"\b(?:use[sd]?|using)\b[^.;:]{0,120}?\b(?:data|content|information|inputs?|outputs?|prompts?"
    r"|conversations?|chats?"
    r"|posts?|messages?|feedback|interactions?|recordings?|it|them"
    r"|this)\b[^.;:]{0,80}?\bto (?:help (?:us )?)?(?:re-?)?train$"
)
_OBJECT_END = re.compile(
    r"\b(?:to|by|for|so|which|that|using|through|in order|with|via|from|of (?:our|your|the) devices?)\b|[:;.]"
)
_DEVELOP = re.compile(
    r"\b(?:develop(?:s|ed|ing|ment)?|improv(?:e|es|ed|ing|ement)|build(?:s|ing)?|enhanc(?:e|es|ed|ing|ement)"
    r"|refin(?:e|es|ed|ing|ement)|optimi[sz](?:e|es|ed|ing|ation)|advanc(?:e|es|ed|ing|ement)"
    r"|creat(?:e|es|ed|ing|ion)|teach(?:es|ing)?)\b"
)
_PEOPLE = re.compile(
    r"^(?:\W*(?:of|for|our|your|its|their|the|all|new|and|any|other|internal|customer|support|sales|service"
    r"|care|relevant|to|in|on|how)\b)*\W*(?:staff|employees?|personnel|teams?|workforce|workers|"
    r"representatives|agents|moderators|reviewers|people|students|learners|instructors|volunteers|"
    r"contractors|members|managers|drivers|couriers|professionals|physicians|doctors|nurses|colleagues|"
    r"trainers|trainees)\b"
)
_COURSE = re.compile(
    r"^\W*(?:and\s+)?(?:programs?|programmes?|courses?|sessions?|materials?|events?|certifications?|webinars?"
    r"|videos?|modules?|records?|opportunit\w+|platforms?|classes|academy|curricul\w*|requirements?"
    r"|and (?:education|educational|development|learning|awareness|certification|presentations?))\b"
)
# words that carve data or a purpose out of what a sentence says ("excluding model training")
_CARVE_OUT = r"excluding|except(?:\s+for)?|other than|not including|apart from|with the exception of"
_EXCLUDING = re.compile(rf"\b(?:{_CARVE_OUT})\W+(?:\w+\W+){{0,2}}$")
_PURPOSE = re.compile(
    r"\bfor\b(?:(?!\b(?:to|by|with|that|which|who|using)\b)[^.;:()])*?\b(?P<ai>machine learning"
    r"|artificial intelligence"
    r"|aiterm|mlterm)\b(?=\s*(?:[,;.)(]|$|\b(?:and|or|purposes?|research|development|training)\b))"
)
_DATA_NOUNS = re.compile(
    r"\b(?:data|information|content|inputs?|outputs?|prompts?|conversations?|chats?|messages?|posts?"
    r"|materials?"
    r"|recordings?|transcripts?|images?|photos?|videos?|audio|voice|files?|documents?|code|text|feedback"
    r"|interactions?|queries|responses|usage|telemetry|metadata|submissions?|uploads?)\b"
)
_DATA_FRAME = re.compile(
    r"\b(?:data|information|content|inputs?|outputs?|prompts?|conversations?|chats?|messages?|posts?"
    r"|materials?"
    r"|recordings?|transcripts?|images?|photos?|videos?|audio|voice|files?|documents?|code|text|feedback"
    r"|interactions?|queries|responses|usage|telemetry|metadata|submissions?|uploads?)\b"
    r"|\b(?:use|uses|used|using|process\w*|collect\w*|share[sd]?|sharing|analy[sz]\w*|licen[cs]\w*)\b"
)

_BARE_CONTENT = re.compile(r"\bcontent\b")
"""Bare "content": what the more specific categories are made of (see ``_data``)."""

_NEGATION = re.compile(
    r"\b(?:not|never|no|cannot|neither|nor|no longer)\b|n't\b|\bprohibit\w*|\bforbid\w*|\brefrain\w*"
    r"|\bmay only\b.{0,40}\bsolely\b"
    # verbs that carry the negation: "we exclude X from training", "X is kept out of the data we train on"
    # (the verb, not the participle: "all posts, excluding posts from minors, train ..." is no negation)
    r"|\bexclude[sd]?\b[^.;]{0,120}?\bfrom\b(?=\s*$|[^.;]{0,40}\b(?:train\w*|models?|datasets?|data"
    r"|learning|aiterm|mlterm)\b)"
    r"|\b(?:kept|keeps?|left|leaves?) out\b"
    r"|\bwithh[oe]ld\w*"
)
_NOT_NEGATION = re.compile(
    r"\b(?:not limited to|without limitation|whether or not|not only|no later than|no less than|no more than"
    r"|no additional|not be liable|at no (?:cost|charge))\b"
    r"|\b(?:that|which|who)\s+(?:is|are|was|were)\s+not\b(?:\s+[\w-]+){0,3}"
    # a relative clause's own negation: "Content that does not contain personal data"
    r"|\b(?:that|which)\s+(?:does|do|did)\s+not\s+(?:contain|include|identify|reveal|relate|constitute)\w*\b"
    r"|\b(?:if|when|where|once|unless|should) (?:you|users?|customers?)\b[^,;]*?(?:\bnot\b|n't\b)[^,;]*"
)
_BOUNDARY = re.compile(
    r"[;:]\s|\.\s|\bbut\b(?! not limited)|\bhowever\b(?!,)|\b(?:although|though|whereas|except that"
    r"|provided(?: that)?"
    r"|notwithstanding)\b"
    r"|,\s+(?:and|or|so|while)\s+(?=(?:we|you|they|it|users?|customers?|third parties)\b)"
)
# a word of the setting named between a split phrasal verb ("turn the Photo Sharing control off")
_SETTING_NAME = r"(?:\s+(?!(?:and|or|to|from|between|in|into)\b)[\w\"'\u201c\u201d-]+)"
# who may switch the practice on or off: the user, or the administrator or organisation the user belongs to
_WHO_CONTROLS = (
    r"(?:you|your (?:\w+ ){0,2}?(?:administrators?|admins?|organi[sz]ation|employer|account owner"
    r"|workspace owner)|an? (?:administrator|admin))"
)
_CONSENT = re.compile(
    r"\bwithout\b(?:\W+\w+){0,5}?\W+(?:consent|permission|authori[sz]ation|instructions?|approval|agreement"
    r"|opt[- ]?in|affirmative)"
    r"|\b(?:with|upon|subject to|based on|where we have|if you (?:have )?(?:give|given|provide|grant)\w*)\b"
    r"(?:\W+\w+){0,4}?\W+(?:consent|permission|authori[sz]ation)"
    r"|\bif you (?:have )?(?:opt(?:ed)?[- ]in|consent(?:ed)?|agreed?"
    r"|choose to (?:share|allow|enable|participate|opt in|contribute))"
    # "only ... if a customer specifically grants us permission"
    r"|\bif (?:an? |the )?(?:customers?|users?|members?|parents?|guardians?)\s+(?:\w+ly\s+)?"
    r"(?:give|grant|provide)s?\b(?:\W+\w+){0,3}?\W+(?:consent|permission|authori[sz]ation)"
    r"|\bonly (?:if|when|where|with|after) (?:you|customers?|users?|the account owner)|\bopt[- ]?in\b"
    r"|\bif (?:enabled|authorized|you enable|you allow|you choose)|\bunless (?:authorized|instructed"
    rf"|{_WHO_CONTROLS} (?:\w+ly )?(?:(?:instruct|permit|allow|direct|ask|request|tell|elect|enable)\w*"
    r"|opt[- ]?in\b))"
    r"|\b(?:except|unless|other than)\b(?:\W+\w+){0,4}?\W+you (?:have )?(?:\w+ly )?"
    r"(?:consent|agree|opt(?:ed)?[- ]?in|instruct|permit|allow|choose to (?:share|allow|opt in|participate))"
    # settings: "if you turn on X", "if you switch the setting on", "only when X is switched on"
    rf"|\b(?:if|when|once|after) you (?:turn|switch|toggle){_SETTING_NAME}{{0,4}}?\s+on\b"
    r"|\bonly (?:if|when|where|once|after|for (?:[\w-]+ ){1,3}(?:where|whose|that|who))\b[^.;]{0,80}?"
    r"\b(?:is|are|has been|have been)\s+"
    r"(?:switched|turned|toggled) on\b"
    r"|\b(?:is|are) (?:switched |turned |set to )?off by default\b"
)
# Consent that conditions only the clause it is written in: "By default, Acme does not delete your files,
# and we use them to train" trains always; "we obtain your consent before sharing it" is about sharing
_CLAUSE_CONSENT = re.compile(
    # "we first require that the institution obtain the consent of parents", "after obtaining your consent"
    r"\b(?:obtain(?:s|ed|ing)?|seek(?:s|ing)?|sought|get(?:s|ting)?|ask(?:s|ing)? for"
    r"|requir(?:e|es|ed|ing))\s+"
    r"(?:(?:the|your|their|its|prior|explicit|express|verifiable|parental|affirmative|written|opt-in)\s+){0,3}"
    r"consent\b"
    # "By default, we do not train on ...": not unless turned on
    r"|\bby default,? (?:we|it|they|[\w-]+) (?:do(?:es)? not|will not|won't|don't|doesn't|never|are not"
    r"|is not)\b"
)
_OPT_OUT = re.compile(
    rf"\bopt(?:s|ed|ing)?[- ]?out\b|\bunless {_WHO_CONTROLS}\b(?:\W+\w+){{0,4}}?\W+"
    r"(?:object|disable|turn|decline|withdraw)"
    r"|\b(?:can|may) (?:(?:choose|ask|request|elect) to |also |always |at any time )?"
    r"(?:turn off|switch off|disable|object|withdraw|decline|exclude|limit|restrict|stop|opt[- ]?out"
    r"|instruct\b(?:\W+\w+){0,3}\W+not)"
    r"|\bif you do(?: not|n't) want\b|\bif you (?:turn off|disable|switch off|deactivate|toggle off)\b"
    rf"|\b(?:if|when|once) you (?:turn|switch|toggle){_SETTING_NAME}{{1,4}}?\s+off\b"
    rf"|\b(?:can|may) (?:always |at any time )?(?:turn|switch|toggle){_SETTING_NAME}{{1,4}}?\s+off\b"
    r"|\b(?:can|may) (?:choose|control|decide|manage) whether\b"
    r"|\b(?:is|are) (?:switched |turned |set to )?on by default\b"
    r"|\b(?:turned off|deactivated|disabled) the\b|\bright to object\b"
    r"|\b(?:can|may) be (?:turned off|switched off|toggled off|disabled|deactivated)\b"
)
_EVEN_IF = re.compile(r"\beven (?:if|when|after|though) you\b(?:\W+\w+){0,3}?\W+opt")

_USER = (
    r"(?:you|users?|customers?|licensees?|developers?|subscribers?|sellers?|merchants?|members?|end users?"
    r"|anyone|any person|no one|visitors?|clients?|participants?|partners?|buyers?|persons?)"
)
_USER_RULE = re.compile(
    rf"\b{_USER}\b(?:\s+(?:and|or|&)\s+(?:your|their)\s+[\w-]+(?:\s+users?)?)?"
    r"(?:\s+(?:may|shall|must|will|agree|should|can|do|are|is|might)(?:\s+(?:and|or)\s+(?:may|shall|must"
    r"|will|agree|should|can))*)"
    r"(?:\s+(?:and\s+)?(?:may|shall|must|will|should|can))?\s+(?:not|never)\b"
    rf"|\b{_USER}\s+(?:may|shall|must|will|should|can)n't\b|\byou agree (?:that you will |to )?not\b"
    rf"|\b{_USER}\s+(?:will|shall|must|should|agrees? to)\s+refrain\b"
    rf"|\b{_USER}\s+(?:also\s+)?(?:aren't|isn't|are not|is not)\s+(?:allowed|permitted|authori[sz]ed)\b"
    rf"|\b{_USER}\s+(?:won't|cannot|can't)\b|^\W*(?:do not|don't|never|not)\b|\bneither you\b"
    rf"|\bno (?:one|person)\b|\bno (?:user|customer)s?\s+(?:may|shall|will|can|is allowed)\b"
    rf"|\b{_USER}\s+(?:are|is)\s+(?:\w+ly\s+)?(?:prohibited|forbidden|not permitted)"
)
_PASSIVE_RULE = re.compile(
    r"\b(?:is|are)\s+(?:\w+ly\s+)?(?:prohibited|forbidden|not permitted|not allowed)|\bprohibited (?:uses?"
    r"|activities|conduct)\b"
)
_EXCEPTION_LEAD = re.compile(
    r"\b(?:except|excepting|other than|save|apart from)\b(?:\s+(?:for|as follows|in the following"
    r" (?:cases|circumstances)|where|when))?\s*:?\s*$"
)
_PROHIBITED_AFTER = re.compile(
    r".*?\b(?:is|are)\s+(?:\w+ly\s+)?(?:prohibited|forbidden|not permitted|not allowed|disallowed)\b"
)
# "As explained in section 4, we use ...": a restatement of a practice the document states elsewhere
_RESTATEMENT = re.compile(
    r"^\W*(?:as|like)\s+(?:(?:we\s+)?(?:explained|described|set out|noted|stated|detailed|mentioned|outlined"
    r"|said))\s+(?:above|below|earlier|elsewhere|(?:in|under)\s+(?:section|clause|paragraph|part|article"
    r"|the\s+(?:[\w\"'\u201c\u201d-]+\s+){1,4}?section)\b)",
    re.IGNORECASE,
)
_POINTER = re.compile(
    r"^\W*(?:for (?:more|further|additional) (?:information|details)|to learn more|learn more|read more"
    r"|find out more"
    r"|more information|(?:please )?(?:see|read|visit|refer to|review|click|check out) (?:our|the|this"
    r"|these|here))\b",
    re.IGNORECASE,
)
# "We have updated this policy to explain how we use ...": the update is announced, the practice is stated
# where the policy states it (an update "to allow us to ..." does state one, and is read)
_ANNOUNCEMENT = re.compile(
    r"^\W*(?:(?:on|as of|effective|since)\s+[\w ,]{3,30}?,?\s+)?"
    r"(?:we(?:'ve| have)?|this|these|our)\b(?:\s+[\w-]+){0,4}?\s+(?:updated|revised|changed|amended"
    r"|update[sd]?|clarified|refreshed)\b[^.;]{0,80}?\bto (?:better )?(?:explain|describe|clarify|tell you"
    r"|inform you|provide (?:more )?(?:information|detail|details|transparency)|make (?:it )?clear(?:er)?)\b",
    re.IGNORECASE,
)
# "AI models are trained on large datasets": how AI works in general, said of no one's practice
_GENERIC_SUBJECT = re.compile(
    r"^\W*(?:(?:many|most|some|all|modern|such|these|typical|generative|large|language|foundation|ai|aiterm"
    r"|genaiterm|machine[- ]learning|mlterm|neural)\s+)*(?:models?|systems?|llms?|llmterm|aiterm|mlterm"
    r"|machine learning|artificial intelligence|algorithms?|neural networks?)\b"
)
_PARTY_WORDS = re.compile(
    r"\b(?:we|us|our|ours|you|your|yours|customers?|users?|members?|clients?|subscribers?|account holders?"
    r"|third parties|partners?|providers?)\b"
)
_DEFINITION = re.compile(
    r"^\W*[\"\u201c][^\"\u201d]{1,60}[\"\u201d]\s+(?:means|refers to|shall mean|has the meaning)\b",
    re.IGNORECASE,
)
_LEGAL_BASIS = re.compile(
    r"\b(consent|legitimate interests?|contract(?:ual)?|legal obligations?|vital interests?"
    r"|public (?:interest|task)"
    r"|scientific research|performance of)\b"
)
_USER_PERMISSION = re.compile(
    rf"\b{_USER}\s+(?:may|can|are (?:free|permitted|allowed) to)\s+"
    r"(?!(?:\w+\s+){0,2}(?:limit|restrict|control|manage|opt|object|stop|prevent|exclude|disable|turn|switch"
    r"|choose|decide|withdraw|ask|request|review|change)\b)"
    r"(?:\w+\s+){0,3}(?:use|train|fine-tune)"
)
_THIRD = (
    r"(?:third[- ]part(?:y|ies)(?:[- ][\w-]+){0,2}|partners?|collaborators?|(?:service |ai |chatbot "
    r"|model )?providers?"
    r"|vendors?|recipients?|affiliates?|companies|advertisers?|researchers?|others|subprocessors?"
    r"|processors?)"
)
_SHARE = re.compile(
    rf"(?<!screen )\b(?:shar(?:e|es|ed|ing)|disclos\w+|sell(?:s|ing)?|sold|licen[cs](?:e|es|ed|ing)"
    rf"|transfer\w*"
    rf"|sen[dt]|mak\w+ available|giv\w+ access)\b[^.;]{{0,160}}?\b(?:to|with)\s+"
    rf"(?:(?!(?:train|use|develop|improve|build|help)\b)[\w-]+,?\s+){{0,4}}?{_THIRD}\b"
)
_THIRD_SUBJECT = re.compile(
    rf"(?<!from )(?<!from the )\b{_THIRD}\b(?:\s+[\w'-]+){{0,8}}?\s+(?:may|can|will|could|to)\s+(?:also\s+)?"
    r"(?:use|train|develop|improve)"
    rf"|\bby (?:our |such |these |those )?{_THIRD}\b|\btheir (?:own )?(?:[\w-]+ ){{0,3}}(?:models|purposes)\b"
    rf"|^\W*(?:our |the |such |these |those |some )?{_THIRD}\b"
)
_VENDOR_SUBJECT = re.compile(
    r"\b(?:we|us|We|Us)\b|^\W*(?!(?i:if|when|where|unless|in|for|to|as|once|even|you|your|they|it|users?|customers?|the"
    r"|this|these"
    r"|such|any|all|our|each|some|third|other|data|personal|information|content|partners?|providers?|vendors?"
    r"|advertisers?|affiliates?|recipients?|researchers?|companies|developers?|others)\b)[A-Z][\w.&'-]*"
    r"(?:\s[A-Z][\w.&'-]*){0,2}\s+(?:\w+ly\s+)?(?:may|will|does|do|shall|can|would|might|is|has|[a-z]+s)\b"
)
_COMPETING = re.compile(r"\bcompet\w*")
# A named organisation, as a sentence names a partner: "OpenAI", "Acme Labs", "Google Cloud".
_NAME = (
    r"(?!(?:We|You|Our|Your|The|This|These|Such|Any|All|If|When)\b)[A-Z][\w.&'-]+"
    r"(?:\s+(?:[A-Z][\w.&'-]*|AI))*"
)
# "We work with X", "X powers ...", "we share ... with X": a party the rest of the paragraph may speak of.
_INTRODUCED = re.compile(
    r"\b(?:work(?:s|ed|ing)?|partner(?:s|ed|ing)?|contract(?:s|ed)?|collaborat\w+|integrat\w+) with\s+"
    rf"(?P<a>{_NAME})"
    r"|\b(?:powered|provided|supplied|operated|hosted) by\s+" + rf"(?P<b>{_NAME})"
    r"|\b(?:shar\w+|disclos\w+|sen[dt]s?|send(?:s|ing)|provid\w+|transfer\w*|pass\w*)\b[^.;]{0,80}?"
    r"\b(?:with|to)\s+(?:(?:third[- ]party|external|trusted) (?:\w+ )?(?:providers?|partners?|services?),?\s+"
    r"(?:such as|like|including)\s+)?"
    rf"(?P<c>{_NAME})"
)
# "... with OpenAI, which may use them to train its models": the named party is the relative clause's
# subject.
_NAMED_TRAINS = re.compile(rf"\b(?:with|to|by)\s+{_NAME}\s*,?\s+(?:which|who)\b")
_PARTY_PRONOUN = re.compile(
    r"^\W*(?:(?:however|also|in addition|additionally|further(?:more)?),?\s+)?(?:they|these (?:providers"
    r"|partners|companies|third parties)|such (?:providers|partners|third parties)"
    r"|the (?:provider|partner)s?)\b"
)
_ANAPHORA = re.compile(
    r"\b(?:this|such|that|these|those)\s+(?:use|uses|processing|training|purposes?|activit\w+|practice)\b"
    r"|\bthis (?:happens|applies|is done)\b|\bwe (?:only )?do (?:this|so)\b"
    r"|\b(?:this|the|that)\s+(?:setting|control|option|toggle|switch|preference)\b"
    r"|\b(?:opt|object)(?:[- ]?out)? (?:of|from|to) (?:it|this|that|them)\b"
    r"|\b(?:turn|switch|toggle)\s+(?:it|this|that|them)\s+off\b"
    r"|\b(?:exclude|remove|withhold)\b[^.;]{0,60}\bfrom\s+(?:training|this|that|such|being used)\b"
    r"|\bopt(?:[- ]?out)\s+(?:at any time|(?:in|via|through|from)\s+(?:your|the)\s+(?:\w+\s+)?settings)\b",
    re.IGNORECASE,
)
_EXAMPLES = re.compile(
    r"\((?:such as|e\.g\.?|for example|for instance|like)\b[^)]*\)"
    r"|(?<=[\w)])\s*,?\s*\b(?:such as|e\.g\.|for example|for instance)\b[^.;:()]*?"
    r"(?=[.;:)]|,?\s+(?:as well as|and also|plus)\b|$)"
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_WORDS = re.compile(r"\w+")
_CUE_ABBREVIATION = re.compile(r"\b(?:A\.?I|ML|NLP|GenAI)\b")
_REFERS_BACK = re.compile(r"\b(?:this|that|such|these|those|the same|said)\s+$")
"""Words before "training" that point back to a practice already stated ("stop ... for this training")."""
_ML_HEADING = re.compile(r"\b(?:models?|model training|algorithms?)\b")


def _has_cue(text: str) -> bool:
    """A cheap test that a text may speak of AI or training at all (most clauses do not)."""
    low = text.lower()
    if (
        "train" in low
        or "model" in low
        or "learning" in low
        or "artificial" in low
        or "algorithm" in low
        or "tune" in low
        or "tuning" in low
        or "neural" in low
        or "llm" in low
        or "generative" in low
        or "intelligen" in low
        or "recognition" in low
        or "computer vision" in low
        or "chatbot" in low
        or "chat bot" in low
        or "natural language" in low
    ):
        return True
    return ("AI" in text or "ML" in text or "NLP" in text) and bool(_CUE_ABBREVIATION.search(text))


_ENUMERATOR = re.compile(r"(?:(?<=\s)|^)\((?:[a-z]|[ivxl]{1,5}|\d{1,2})\)\s")


def normalised_words(text: str) -> str:
    """Lower-case words without punctuation or link targets: two texts equal here read the same."""
    return " ".join(_WORDS.findall(_LINK.sub(lambda m: m.group(1) or "", text).lower()))


def _lower(text: str) -> str:
    """Lower-case analysis form with link targets dropped and AI abbreviations made unambiguous."""
    return _analysed(text).lower()


def _analysed(text: str) -> str:
    """``_lower`` before lower-casing: the same offsets, with the capitals of names kept."""
    text = _LINK.sub(lambda m: m.group(1) or "", text)

    def token(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in _ABBREVIATION_TOKENS:
            return _ABBREVIATION_TOKENS[word]
        if word.startswith("LLM"):
            return "llmterm"
        if word == "GenAI":
            return "genaiterm"
        return "aiterm"

    return _ABBREVIATIONS.sub(token, text)


@dataclass(frozen=True)
class Unit:
    """A sentence, or one item of an enumerated sentence, with the words that govern it."""

    body: str
    lead: str  # introducing words (a list item's lead, an enumeration's opening), may be ""
    row: bool = False  # a whole table row (its cells are read together, the legal basis among them)


class UnitReader(Protocol):
    """Reads a unit into statements instead of the rules (``core.reading.readers``)."""

    name: str

    def read(
        self, unit: Unit, clause_id: str | None, rules: Callable[[], list[Statement]]
    ) -> list[Statement]:
        """The unit's statements; ``rules()`` is the deterministic reading, the fallback."""
        ...


_reader: UnitReader | None = None
"""The reader in use; None: the rules."""


def use_reader(reader: UnitReader | None) -> None:
    """Read with ``reader`` from now on (None: the rules), forgetting readings made by another."""
    global _reader
    _reader = reader
    _read_clause.cache_clear()


def reader_name() -> str:
    """Which reader makes the statements: "rules" or "model:<name>", stamped on every verdict."""
    return _reader.name if _reader is not None else "rules"


# a bullet inside a table cell, after the segmenter joined the cell's lines: "..., * to improve ..."
_CELL_BULLET = re.compile(r"(?:^|,)\s*[*\u2022-]\s+")


def _units(clause_text: str, lead: str | None, kind: str) -> list[Unit]:
    if kind == "row":
        return _row_units(clause_text, lead)
    units: list[Unit] = []
    for sentence in split_sentences(clause_text):
        markers = list(_ENUMERATOR.finditer(sentence))
        if len(markers) >= 2:
            opening = sentence[: markers[0].start()].strip()
            items = [
                sentence[
                    m.start() : (markers[k + 1].start() if k + 1 < len(markers) else len(sentence))
                ].strip()
                for k, m in enumerate(markers)
            ]
            governing = f"{lead} {opening}".strip() if lead else opening
            if opening and _has_cue(opening):
                units.append(Unit(opening, lead or ""))
            units.extend(Unit(item, governing) for item in items)
        else:
            units.append(Unit(sentence, lead or ""))
    return units


def _row_units(row: str, columns: str | None) -> list[Unit]:
    """A table row is one unit, its cells read together; a row whose cells hold bulleted lists (a purposes
    table: "The purposes are: * to provide ..., * to improve our models ...") is read bullet by bullet,
    each with its cell's opening words as its lead, since a whole row of lists is not one sentence."""
    units: list[Unit] = []
    kept: list[str] = []
    for cell in row.split("|"):
        parts = _CELL_BULLET.split(cell)
        items = [part.strip(" ,") for part in parts[1:] if part.strip(" ,")]
        # bullets that are sentences (purposes) are read one by one; short ones (data categories: "Inputs",
        # "Technical Information") stay in the row, which they describe
        if len(items) < 2 or sum(len(item.split()) for item in items) < 6 * len(items):
            kept.append(cell)
            continue
        opening = parts[0].strip(" ,")
        units += [Unit(item, opening) for item in items]
    if not units:
        return [Unit(row, columns or "", row=True)]
    rest = "|".join(kept)
    return [Unit(rest, columns or "", row=True), *units] if normalised_words(rest) else units


# ----------------------------------------------------------------------------------------------------
# Anchors


@dataclass(frozen=True)
class _Anchor:
    start: int  # offset in the analysed (lower-case) body
    kind: Literal["train", "develop", "purpose"]


def _token_window(low: str, start: int, end: int, before: int, after: int) -> str:
    left = low[:start].split()[-before:] if before else []
    right = low[end:].split()[:after]
    return " ".join([*left, low[start:end], *right])


_ILLUSTRATION = re.compile(r"\b(?:including|such as|e\.g\.|for example|in particular)\b")


def _illustrated_as_ai(low: str, end: int) -> bool:
    """Whether what is trained is illustrated as AI later in its clause ("train any application, software
    or data models, including but not limited to generative artificial intelligence")."""
    tail = re.split(r"[.;]", low[end : end + 240], maxsplit=1)[0]
    m = _ILLUSTRATION.search(tail)
    return m is not None and bool(_AI_CORE_RE.search(tail[m.end() : m.end() + 100]))


def _ml_model_near(low: str, start: int, end: int, before: int, after: int) -> bool:
    near = _token_window(low, start, end, before, after)
    return bool(_MODEL.search(near)) and not _NON_ML_MODEL.search(near)


_SKILL = re.compile(
    r"\bhow to\b|\bteach(?:es|ing)?\b(?:\s+[\w-]+){0,3}?\s+(?:how )?to\b"
    r"|\blearn(?:s|ed|ing)?\s+(?:how )?to\b"
)


_SKILL_NOT = re.compile(
    r"\b(?:opt|object|stop|prevent|control|turn|switch|disable|manage|change|limit|withdraw|delete|request"
    r"|we|us|use[sd]?|using|shar\w+)\b"
)


def _skill(low: str, start: int) -> bool:
    """Whether the verb at ``start`` is a skill taught or learnt ("teaches students how to build and train
    models", "learn to fine-tune a model"): a description of a course, not of a practice."""
    head = low[:start]
    cut = max(head.rfind("."), head.rfind(";"), head.rfind(":"))
    window = " ".join(head[cut + 1 :].split()[-10:])
    m = _SKILL.search(window)
    # "how to opt out of us using your data to train ..." is about the practice, not a skill
    return m is not None and not _SKILL_NOT.search(window[m.end() :])


def _trains_on_data(low: str, start: int, end: int) -> bool:
    """Whether the training words at ``start`` train on data named in their own clause, and are not a
    reference back to a practice already stated ("stop using it for this training")."""
    if _REFERS_BACK.search(low[:start]):
        return False
    own_clause = _segment_before(low, start) + " " + _clause_after(low, end)
    return bool(_DATA_NOUNS.search(own_clause))


_AI_DEVELOPMENT = re.compile(
    r"\b(?:aiterm|mlterm|genaiterm|llmterm|machine learning|artificial intelligence|models?|algorithms?)\s+"
    r"(?:development|training|improvement)\b"
    r"|\b(?:development|training|improvement) of (?:our |the |new )?(?:aiterm|mlterm|genaiterm|llmterm"
    r"|machine learning|artificial intelligence|models?|algorithms?)\b"
)


# "We may process your data ... for the following purposes:", "... namely:": its items are purposes of
# processing data
_LEAD_ENDS_IN_PURPOSES = re.compile(
    r"\b(?:purposes?|namely|including|such as|to)\W*$|\bpurposes?\b[^.;:]{0,200}:\s*$"
)
_PROCESSES_DATA = re.compile(
    r"\b(?:process\w*|use[sd]?|using|collect\w*|disclos\w*)\b[^.;]{0,200}?\b(?:data|information|content)\b"
)


def _purpose_lead(low_lead: str) -> bool:
    """Whether a lead-in processes data for the purposes it lists ("We may process your data for these
    purposes, namely:"); only its last 300 characters are read, so a long lead costs no more than a short
    one (a nested scan of the whole lead took minutes on a 20 KB one)."""
    tail = re.split(r"[.;]\s", low_lead[-300:])[-1]
    return bool(_LEAD_ENDS_IN_PURPOSES.search(tail)) and (
        bool(_PROCESSES_DATA.search(tail)) or "purpose" in tail
    )


def _anchors(low: str, ai_context: bool = False, data_lead: bool = False) -> list[_Anchor]:
    """Where the text speaks of training AI, earliest first; under a heading about AI or models
    (``ai_context``), training on data is machine learning even when the sentence does not say so
    ("we use your feedback to train our software tools"). After a lead-in that processes data for the
    purposes it lists (``data_lead``: "We may process your data for these purposes, namely:"), an item
    that names AI development as a purpose ("Research, including fostering AI development") is one."""
    anchors: list[_Anchor] = []
    for m in _TRAIN.finditer(low):
        after = low[m.end() : m.end() + 120]
        if (
            _skill(low, m.start())
            or _PEOPLE.match(after)
            or _PEOPLE_TRAINED.search(low[max(0, m.start() - 80) : m.start()])
            or _COURSE.match(after)
            or _EXCLUDING.search(low[max(0, m.start() - 40) : m.start()])
        ):
            continue
        word = m.group(0)
        if word.startswith("tun"):  # "tune" alone is ambiguous: only with a model or algorithm as object
            if _MODEL.search(" ".join(after.split()[:5])):
                anchors.append(_Anchor(m.start(), "train"))
            continue
        if (
            _AI_CORE_RE.search(_token_window(low, m.start(), m.end(), 12, 12))
            or _TRAINING_DATA.match(low, m.start())
            or _ml_model_near(low, m.start(), m.end(), 3, 6)
            or _illustrated_as_ai(low, m.end())
            # fine-tuning, pre-training, and training on data are machine-learning notions
            or (word.startswith(("fine", "pre")) and _DATA_FRAME.search(low))
            or (
                _TRAINED_ON.match(low, m.start())
                and (
                    word.startswith("trained")
                    or _TRAINS_ON_SUBJECT.search(low[max(0, m.start() - 40) : m.start()])
                )
            )
            or _USE_TO_TRAIN.search(low[: m.end()][-160:])
            or (ai_context and _trains_on_data(low, m.start(), m.end()))
        ):
            anchors.append(_Anchor(m.start(), "train"))
    for m in _LEARN_FROM.finditer(low):
        if _AI_CORE_RE.search(_token_window(low, m.start(), m.end(), 12, 12)):
            anchors.append(_Anchor(m.start(), "train"))
    for m in _DEVELOP.finditer(low):
        obj = " ".join(low[m.end() : m.end() + 160].split()[:10])
        # the object must be an AI artefact, reached before another phrase starts (AI as instrument is not)
        obj = _OBJECT_END.split(obj, maxsplit=1)[0]
        hit = _AI_CORE_RE.search(obj) or (None if _NON_ML_MODEL.search(obj) else _MODELS.search(obj))
        if hit is None:
            # passive: "our models are developed using ..." has the artefact before the verb
            before = " ".join(low[: m.start()].split()[-5:]) + " "
            if not _PASSIVE_SUBJECT.search(before):
                continue
        elif _EXCLUDING.search(obj[: hit.start()]):
            continue
        if (
            _EXCLUDING.search(low[max(0, m.start() - 40) : m.start()])
            or not _DATA_NOUNS.search(low)
            or _skill(low, m.start())
        ):
            continue
        anchors.append(_Anchor(m.start(), "develop"))
    if not anchors:
        for m in _PURPOSE.finditer(low):
            if data_lead or _DATA_FRAME.search(low[: m.start()]):
                anchors.append(_Anchor(m.start("ai"), "purpose"))
    if not anchors and data_lead:
        anchors += [
            _Anchor(m.start(), "purpose")
            for m in _AI_DEVELOPMENT.finditer(low)
            # not "business model development", not "(excluding model training)"
            if not _NON_ML_MODEL.search(low[max(0, m.start() - 30) : m.end()])
            and not _EXCLUDING.search(low[max(0, m.start() - 40) : m.start()])
        ]
    return sorted(anchors, key=lambda anchor: anchor.start)


def is_ai_training(sentence: str) -> bool:
    """Whether a sentence says something about training AI / machine-learning models on data or content."""
    return bool(_has_cue(sentence)) and bool(_anchors(_lower(sentence)))


# ----------------------------------------------------------------------------------------------------
# Reading a unit into a statement


def _segment_before(low: str, position: int) -> str:
    """The clause the anchor sits in, from its last boundary up to the anchor."""
    head = low[:position]
    cut = 0
    for m in _BOUNDARY.finditer(head):
        cut = m.end()
    return head[cut:]


def _clause_after(low: str, position: int) -> str:
    """The rest of the anchor's clause, up to the next boundary."""
    tail = low[position:]
    m = _BOUNDARY.search(tail)
    return tail[: m.start()] if m else tail


def _anchor_clause(low: str, position: int) -> str:
    """The whole clause the anchor sits in, between the boundaries before and after it."""
    return _segment_before(low, position) + _clause_after(low, position)


def _negated(segment: str) -> bool:
    cleaned = _NOT_NEGATION.sub(" ", segment)
    return bool(_NEGATION.search(cleaned))


def _data(low: str) -> frozenset[str]:
    """Categories of the data a statement concerns; illustrations ("such as ...", "e.g. ...") are not read:
    they exemplify the data named before them."""
    low = _EXAMPLES.sub(" ", low)
    found: set[str] = {c.name for c in CATEGORIES if c.pattern is not None and c.pattern.search(low)}
    # bare "content" and "information" are what the more specific categories are made of
    own = {"inputs_outputs", "public_content", "customer_content", *MEDIA}
    if _BARE_CONTENT.search(low) and not found & own:
        found.add("customer_content")
    generic_only = not re.search(
        r"\bpersonal\b|\byour (?:information|data)|\binformation (?:about|from) you", low
    )
    if "personal_data" in found and found - {"personal_data"} and generic_only:
        found.discard("personal_data")
    return frozenset(found) or frozenset({"unspecified"})


def practice_condition(sentence: str) -> Literal["consent", "opt_out"] | None:
    """The condition a sentence puts on the practice it states, read as the statements read it: only
    with consent ("with your explicit consent", "unless you direct us"), unless opted out ("you can
    opt out", "you may object"), or none. For answers about practices other than AI training."""
    low = _lower(sentence)
    if _CONSENT.search(low) or _CLAUSE_CONSENT.search(low):
        return "consent"
    if _OPT_OUT.search(low):
        return "opt_out"
    return None


def data_categories(text: str) -> frozenset[str]:
    """The data categories a phrase names (e.g. a question's "our chat content"), read like a statement's."""
    return _data(_lower(text))


def _list_items(text: str) -> set[str]:
    """Short capitalised items of the enumerations in ``text`` (products, services, named data categories)."""
    items: set[str] = set()
    for raw in re.split(r"[,:;]\s*", text):
        item = re.sub(r"^(?:and|or)\s+", "", raw.strip(" .;*"))
        words = item.split()
        if len(words) > 5:  # "... for Product Alpha": the name that ends the phrase opens the list
            tail: list[str] = []
            for word in reversed(words):
                if word[:1].isupper() or (tail and word in ("of", "for", "and", "&", "on")):
                    tail.insert(0, word)
                else:
                    break
            while tail and not tail[0][:1].isupper():
                tail.pop(0)
            words = tail
            item = " ".join(words)
        if 0 < len(words) <= 5 and item[:1].isupper() and not _AI_CORE_RE.search(_lower(item)):
            items.add(item.lower())
    return items


def _scope(text: str, row: bool) -> frozenset[str]:
    """The enumerations that bound where a statement applies, as "<list>:<item>" (a row: one list per cell).

    In a table row the first cell is the purpose and legal-basis cells are not scope; the other cells
    (typically the categories of data used) are.
    """
    if not row:
        items = _list_items(text)
        return frozenset(f"0:{item}" for item in items) if len(items) >= 3 else frozenset()
    named: set[str] = set()
    cells = [cell for cell in text.split("|") if cell.strip()]
    for k, cell in enumerate(cells[1:], start=1):
        if _LEGAL_BASIS.search(cell.lower()):
            continue
        named.update(f"{k}:{item}" for item in _list_items(cell))
    return frozenset(named)


# The training sentence's own objects: the data it uses, what it carves out, and the models it trains.
_USE_VERB = re.compile(r"\b(?:use[sd]?|using|process(?:es|ed|ing)?|rely on|draw on|learn from)\b")
_LIMITED = re.compile(r"\b(?:only|solely|exclusively)\b")
# a carve-out of data: "excluding X", "but we exclude X" (not "except as described", "except where you ...")
_EXCLUSION = re.compile(
    rf"\b(?:{_CARVE_OUT}|exclude[sd]?|(?:does|do|will) not (?:include|cover))\b"
    r"(?!\s+(?:as|where|if|when|to the extent|that|unless|in|with|by)\b)"
)
# where a carve-out ends: the sentence goes on with its own subject or verb ("..., excluding X, to train")
_CARVE_END = re.compile(r"[.;]|,\s+(?:we|you|they|it|to|which|who|but|unless|if|when|and we)\b")
_ITEM_SPLIT = re.compile(r"\s*[,;()]\s*|\s+(?:and|or|as well as|&)\s+")
_ITEM_NOISE = re.compile(
    r"^(?:(?:the|your|our|its|their|any|all|such|a|an|of|also|other|only|solely|exclusively|both|either"
    r"|including|we|us|you|use|that)\s+)+"
    r"|\s+(?:in (?:a )?(?:de-identified|aggregated|pseudonymi[sz]ed|anonymi[sz]ed) form|to|for|from)$"
)
_TARGET_END = re.compile(
    r"[,;:.]|\b(?:at|unless|if|when|where|without|until|once|after|before|provided|subject|using|with)\b"
)
# "any", "all", "new" reach only when they modify the trained artefact ("any AI technology"), not another
# object of the clause ("models that do not identify any individual")
_UNBOUNDED = re.compile(
    r"\b(?:any|all|other|new|future)\b(?:\s+(?:of|the|our|its|other|new|future|[\w-]+)){0,3}?\s+"
    r"(?:models?|services?|products?|features?|tools?|technolog\w+|systems?|offerings?|algorithms?"
    r"|applications?|apps?|aiterm|mlterm|llmterm|genaiterm)\b"
)
_REACH_END = re.compile(r"\b(?:that|which|who|whose)\b")
_OWN = re.compile(r"\b(?:we|our|ours|us)\b")


def _items(phrase: str) -> set[str]:
    """The data a phrase enumerates, each reduced to its head words ("your posts" -> "posts")."""
    found: set[str] = set()
    for raw in _ITEM_SPLIT.split(_EXAMPLES.sub(" ", phrase)):
        item = _ITEM_NOISE.sub("", raw.strip(" .*-"))
        if (
            0 < len(item.split()) <= 6
            and item not in ("and", "or", "in", "form")
            and re.search(r"[a-z]{3}", item)
        ):
            found.add(item)
    return found


def _objects(low: str, anchor: int) -> frozenset[str]:
    """The data objects of the training words at ``anchor``: what the clause says it uses ("use X to
    train"), whether "only" limits it, and what it excludes ("but we exclude X")."""
    objects: set[str] = set()
    head = _segment_before(low, anchor)
    uses = list(_USE_VERB.finditer(head))
    if uses:
        # "use X to train ...", "use X for training ...": the object ends where the purpose begins
        phrase = re.split(r"\b(?:to|for)\b", head[uses[-1].end() :], maxsplit=1)[0]
        phrase = _without_exclusions(phrase)  # "all chats, excluding X, to train": X is not used
        if _LIMITED.search(phrase):
            objects.add("only:limited")
        objects.update(f"data:{item}" for item in _items(phrase))
    for m in _EXCLUSION.finditer(low):
        carved = _CARVE_END.split(low[m.end() :], maxsplit=1)[0]
        # "exclude X from training": X ends at the purpose ("data from minors" is one item)
        carved = re.split(
            r"\bfrom\b(?=\s+(?:[\w-]+\s+){0,2}?(?:train\w*|models?|datasets?|data|learning|aiterm|mlterm)\b)"
            r"|\b(?:in|when)\b",
            carved,
            maxsplit=1,
        )[0]
        objects.update(f"excl:{item}" for item in _items(carved))
    return frozenset(objects)


def _without_exclusions(low: str) -> str:
    """The text without the data it carves out ("..., but we exclude health orders"): not data it uses."""
    out, last = [], 0
    for m in _EXCLUSION.finditer(low):
        if m.start() < last:
            continue
        out.append(low[last : m.start()])
        end = _CARVE_END.search(low, m.end())
        last = end.start() if end else len(low)
    return " ".join([*out, low[last:]])


def _reach(low: str, anchor: int) -> int:
    """How far the models trained extend: 2 any ("any AI technology"), 1 all of the vendor's own ("any
    other AI service we offer", "our other products"), 0 the models the sentence names."""
    target = _TARGET_END.split(_clause_after(low, anchor)[:200], maxsplit=1)[0]
    target = _REACH_END.split(target, maxsplit=1)[0]
    if not _UNBOUNDED.search(target):
        return 0
    return 1 if _OWN.search(target) else 2


def _row_condition(row: str) -> Condition | None:
    """A table row's legal-basis cell: consent is a condition only when it is the sole legal basis."""
    for cell in row.split("|"):
        low = cell.lower()
        bases = set(_LEGAL_BASIS.findall(low))
        if bases:
            return "consent" if bases == {"consent"} else None
    return None


_SHARE_NEGATED = re.compile(r"\b(?:not|never|no longer|neither|nor)\b|n't\b")


def _shared_with_third_parties(whole: str, anchor: int) -> bool:
    """Whether the text shares the data with third parties: a separate promise after the training words
    ("..., and does not disclose them to third parties") is not sharing, and leaves the training the
    vendor's own; a negated sharing that governs the training ("we do not share it for AI training") is."""
    for m in _SHARE.finditer(whole):
        before = " ".join(whole[: m.start()].split()[-3:])
        if m.start() < anchor or not _SHARE_NEGATED.search(before):
            return True
    return False


_NOUN_MODIFIER = re.compile(
    r"\b(?P<noun>[A-Za-z][\w-]*)\s+(?:that\s+|which\s+)?(?:we|you)\s+"
    r"(?!(?:may|will|can|shall|must|do|does|might|would|could|are|have|also|never|not)\b)[a-z]+\b"
)
_NOT_NOUNS = frozenset(
    ("and", "or", "but", "if", "when", "where", "unless", "that", "because", "as", "so", "then", "while")
)


# a sentence that opens with a prepositional phrase: "Together with our partners we use ..." has "we" as
# its subject, after the phrase
_LEADING_PHRASE = re.compile(
    r"^\W*(?:together with|along with|alongside|with|jointly with|in (?:partnership|collaboration"
    r"|cooperation|conjunction) with|through|via)\b[^,.;]*$",
    re.IGNORECASE,
)


def _without_noun_modifiers(text: str) -> str:
    """The text without relative clauses that only describe data ("the summaries we generate", "the
    files you upload"): their "we" is not the subject of the sentence."""

    def strip(m: re.Match[str]) -> str:
        main_clause = m["noun"].lower() in _NOT_NOUNS or _LEADING_PHRASE.match(text[: m.end("noun")])
        return m[0] if main_clause else m["noun"]

    return _NOUN_MODIFIER.sub(strip, text)


# "the models you fine-tune", "You own any fine-tuned models you create": the customer trains
_CUSTOMER_TRAINS = re.compile(
    r"\b(?:you|customers?|users?|developers?)\s+(?:(?:may|can|could|have|has|had|choose|want|wish|decide|elect"
    r"|will|also|then|yourself|themselves)\s+){0,2}(?:to\s+)?$"
)
# "Customer retains ownership of models fine-tuned on Customer Data": who owns a trained model, no practice
_OWNERSHIP = re.compile(
    r"\b(?:own|owns|ownership|belong(?:s|ing)? to|(?:are|is|remain) (?:yours|the customer's)|proprietary to"
    r"|available only to you|exclusive(?:ly)? (?:to|for) you)\b"
)
_PARTICIPLE_ANCHOR = re.compile(r"(?:fine-?tuned|trained|pre-?trained|customi[sz]ed)\b")


def _actor(negated: bool, governing: str, whole: str, low_body: str, body: str, anchor: int) -> Actor:
    if negated and _USER_RULE.search(governing):
        return "user"
    if _CUSTOMER_TRAINS.search(governing[-40:]) and not _VENDOR_SUBJECT.search(governing):
        return "user"
    if not negated and _USER_PERMISSION.search(governing) and not _VENDOR_SUBJECT.search(governing):
        return "user"
    if _shared_with_third_parties(whole, anchor):
        return "third_party"
    if (_THIRD_SUBJECT.search(low_body) or _THIRD_SUBJECT.search(governing)) and not _VENDOR_SUBJECT.search(
        _without_noun_modifiers(body.split(":")[0])
    ):
        return "third_party"
    if negated and _PASSIVE_RULE.search(governing):
        return "user"
    return "vendor"


def introduced_parties(text: str) -> frozenset[str]:
    """The organisations a paragraph introduces as partners, providers or recipients of data."""
    return frozenset(
        name for m in _INTRODUCED.finditer(_analysed(text)) if (name := m["a"] or m["b"] or m["c"])
    )


def _another_party_trains(body: str, anchor: int, parties: frozenset[str]) -> bool:
    """Whether the training is another organisation's: one the sentence names as the recipient that
    trains ("share your prompts with OpenAI, which may use them to train its models"), or one the
    paragraph introduced and the sentence is about ("We work with Acme Labs. They may use ...")."""
    cased = _analysed(body)
    if _NAMED_TRAINS.search(cased[:anchor]):
        return True
    if not parties:
        return False
    low = cased.lower()
    return bool(_PARTY_PRONOUN.match(low)) or any(cased.lstrip(" *").startswith(name) for name in parties)


def _main_anchor(anchors: list[_Anchor], body: str, low_body: str) -> _Anchor:
    """The anchor that frames the statement: the earliest, unless it is part of a capitalised name (a
    product, an add-on, a programme called "... Training ...") and a later anchor is not."""
    cased = _analysed(body)
    if len(cased) != len(low_body):
        return anchors[0]

    def named(anchor: _Anchor) -> bool:
        word = cased[anchor.start : anchor.start + 1]
        before = cased[: anchor.start].split()
        # capitalised in the middle of a sentence: a word of a name
        return word.isupper() and bool(before) and not before[-1].endswith((".", ":", "!", "?"))

    if not named(anchors[0]):
        return anchors[0]
    return next((a for a in anchors if not named(a)), anchors[0])


def _read(
    unit: Unit,
    clause_id: str | None,
    row: bool = False,
    ai_context: bool = False,
    parties: frozenset[str] = frozenset(),
) -> list[Statement]:
    body = unit.body.strip()
    if not row and (
        body.endswith("?")
        or _POINTER.match(body)
        or _DEFINITION.match(body)
        or _ANNOUNCEMENT.match(body)
        or _RESTATEMENT.match(body)
        or len(normalised_words(body).split()) < 5
    ):
        # questions, pointers to other pages, definitions, announcements of an update, restatements of
        # a practice stated elsewhere, link labels and fragments state no practice
        return []
    low_body = _lower(body)
    if not row and _GENERIC_SUBJECT.match(low_body) and not _PARTY_WORDS.search(low_body):
        return []  # how AI works in general, not whose data trains what
    low_lead = _lower(unit.lead) if unit.lead and not row else ""
    # a row of a purposes table, like an item of a lead-in that processes data, names purposes of processing
    anchors = _anchors(low_body, ai_context, row or _purpose_lead(low_lead))
    if not anchors:
        return []
    if (
        not row
        and _OWNERSHIP.search(low_body)
        and all(_PARTICIPLE_ANCHOR.match(low_body, a.start) for a in anchors)
    ):
        return []  # who owns the models trained or fine-tuned, not whose data trains them
    # a table's column names are context for people, not words of the row: they name every row's columns
    whole = f"{low_lead} {low_body}" if low_lead else low_body
    anchor = _main_anchor(anchors, body, low_body)
    # negation and modality are read in the anchor's own clause; for an item that begins with the
    # anchor's clause, the words that introduce the item ("You may not:") govern it
    segment_text = _segment_before(low_body, anchor.start)
    lead_segment = ""
    # "will not use Customer Data to train models, except:": each item is an exception, a permission of its
    # own, and the lead's negation and data do not govern it
    exception = bool(low_lead) and bool(_EXCEPTION_LEAD.search(low_lead))
    if low_lead and not exception:
        lead = low_lead.rstrip().rstrip(":")
        lead_segment = _segment_before(lead + " ", len(lead))
    starts_item = len(segment_text) == anchor.start
    governing = f"{lead_segment} {segment_text}" if lead_segment and starts_item else segment_text
    negated = _negated(governing)
    prohibited_after = not negated and bool(_PROHIBITED_AFTER.match(_clause_after(low_body, anchor.start)))
    if prohibited_after:  # "scraping content for AI training is prohibited"
        negated = True
        governing = f"{governing} {_clause_after(low_body, anchor.start)}"
    anchor_in_whole = anchor.start + (len(low_lead) + 1 if low_lead else 0)
    actor = _actor(negated, governing, whole, low_body, body, anchor_in_whole)
    if actor == "vendor" and _another_party_trains(body, anchor.start, parties):
        actor = "third_party"

    condition: Condition
    if actor == "user":
        condition = "prohibited" if negated else "always"
        data = frozenset({"service_outputs" if re.search(r"\boutputs?\b", whole) else "service_content"})
    else:
        data = _data(_without_exclusions(low_body if exception else whole))
        if _EVEN_IF.search(whole):
            condition = "always"
        elif (
            _CONSENT.search(whole)
            or _CLAUSE_CONSENT.search(_anchor_clause(low_body, anchor.start))
            or (row and _row_condition(body) == "consent")
        ):
            condition = "consent"
        elif _OPT_OUT.search(whole):
            condition = "opt_out"
        else:
            condition = "never" if negated else "always"
    purpose = "competing_models" if _COMPETING.search(whole) else "train"
    return [
        Statement(
            data=data,
            actor=actor,
            purpose=purpose,
            condition=condition,
            sentence=body,
            clause_id=clause_id,
            negated=negated,
            context=unit.lead or None,
            scope=_scope(f"{unit.lead} {body}" if unit.lead else body, row),
            objects=frozenset() if row else _objects(low_body, anchor.start),
            reach=0 if row else _reach(low_body, anchor.start),
        )
    ]


@lru_cache(maxsize=50_000)
def _read_clause(
    text: str, lead: str | None, kind: str, clause_id: str | None, ai_context: bool = False
) -> tuple[Statement, ...]:
    out: list[Statement] = []
    previous_read = False
    parties = introduced_parties(text)
    for unit in _units(text, lead, kind):
        read = _read_unit(unit, clause_id, unit.row, ai_context, parties) if _has_cue(unit.body) else []
        if (
            not read
            and previous_read
            and out[-1].condition in ("always", "opt_out")
            and _ANAPHORA.search(unit.body)
        ):
            # "You can opt out of this use in your settings." conditions the statement just made;
            # "This setting is off by default." makes a control an opt-in
            low = _lower(unit.body)
            condition: Condition | None = (
                "consent"
                if _CONSENT.search(low) or _CLAUSE_CONSENT.search(low)
                else "opt_out"
                if _OPT_OUT.search(low)
                else None
            )
            if condition is not None and _PERMISSIVENESS[condition] < out[-1].permissiveness:
                last = out[-1]
                out[-1] = replace(last, condition=condition, sentence=f"{last.sentence} {unit.body}")
                continue
        out.extend(read)
        previous_read = bool(read)
    return tuple(out)


def _read_unit(
    unit: Unit, clause_id: str | None, row: bool, ai_context: bool, parties: frozenset[str]
) -> list[Statement]:
    def rules() -> list[Statement]:
        return _read(unit, clause_id, row, ai_context, parties)

    return rules() if _reader is None else _reader.read(unit, clause_id, rules)


def clause_statements(clause: Clause) -> tuple[Statement, ...]:
    """The AI-training statements of one clause (headings, including a clause's own title, state nothing)."""
    if clause.kind == "heading":
        return ()
    text = clause.body
    if clause.heading and text.startswith(clause.heading):
        text = text[len(clause.heading) :].lstrip(" .:-")
    # The cue test comes before the cache: a few substring tests cost less than a cache entry, and most
    # clauses never mention AI (caching them kept every clause text of a check cycle alive, ~13 MB).
    faq = _faq_answer(clause, text)
    if faq is not None:
        return faq
    if not _has_cue(text):
        return ()
    return _read_clause(text, clause.lead, clause.kind, clause.id, _about_ai(clause.path))


# An FAQ's terse answer to its question heading: "No.", "Yes, ...", "By default, we do not."
_TERSE_ANSWER = re.compile(
    r"^\W*(?:(?P<no>no(?=\W*(?:[.,;!]|$))|never(?=\W*(?:[.,;!]|$))|(?P<off>not by default\b)"
    r"|(?:by default,?\s+)?(?:we|it|they)\s+(?:do|does|will)\s+not"
    r"(?=\W*(?:[.;,]|$))|(?:by default,?\s+)?(?:we|it|they)\s+(?:don't|doesn't|won't)(?=\W*(?:[.;,]|$)))"
    r"|(?P<yes>yes\b))",
    re.IGNORECASE,
)
_YES_NO_QUESTION = re.compile(
    r"^\W*(?P<aux>do|does|did|will|would|can|could|may|is|are)\s+(?P<rest>.+?)\s*\?\s*$", re.IGNORECASE
)
_PARTICIPLE = re.compile(r"\b\w+(?:ed|en|wn)\b")


def _declarative(question: str, negative: bool) -> str | None:
    """The statement a yes/no question heading asks about, said or denied: "Does Acme train its models on
    my data?" + no -> "Acme does not train its models on my data."; "Is my data used ...?" + yes -> "my
    data is used ..."; "you" asked of the vendor is "we"."""
    m = _YES_NO_QUESTION.match(question)
    if m is None:
        return None
    aux, rest = m["aux"].lower(), m["rest"]
    rest = re.sub(r"^(?:you|we)\b", "We", rest, flags=re.IGNORECASE)
    rest = re.sub(r"^I\b", "You", rest)  # "Can I use outputs to train my models?": the user asks about us
    rest = re.sub(r"\b(?:my|our)\b", "your", rest)  # the asker's data is "your" data
    if aux in ("is", "are"):
        participle = _PARTICIPLE.search(rest)
        if participle is None:
            return None
        subject, predicate = rest[: participle.start()].strip(), rest[participle.start() :]
    else:
        words = rest.split(" ", 1)
        if len(words) < 2:
            return None
        subject, predicate = words[0], words[1]
        if subject[:1].islower() and subject.lower() not in ("it", "they"):  # "Does my data ...": no subject
            return None
    return f"{subject} {aux} {'not ' if negative else ''}{predicate}."


def _faq_answer(clause: Clause, text: str) -> tuple[Statement, ...] | None:
    """The statements of an FAQ answer that answers its question heading tersely ("## Does Acme train its
    models on my data? / By default, we do not."): the heading's question, said or denied, conditioned as
    the answer conditions it, and quoted as the answer with the question as its context. None when the
    clause is no such answer (an answer that says it in full is read as any other clause)."""
    question = clause.heading or ""
    m = _TERSE_ANSWER.match(text) if question.rstrip().endswith("?") else None
    if m is None:
        return None
    first = split_sentences(text)[0] if text.strip() else text
    if is_ai_training(first):
        return None
    declarative = _declarative(question.strip(), negative=m["no"] is not None)
    if declarative is None or not _has_cue(declarative):
        return None
    read = _read_clause(declarative, None, "paragraph", clause.id, True)
    condition = "consent" if m["off"] else practice_condition(text)  # "Not by default.": off until turned on
    out = []
    for statement in read:
        changed = replace(statement, sentence=first, context=question.strip())
        if condition == "consent" or (condition == "opt_out" and statement.condition == "always"):
            changed = replace(changed, condition=condition)
        out.append(changed)
    return tuple(out)


def _about_ai(path: tuple[str, ...]) -> bool:
    """Whether a heading of the clause's path is about AI or models ("AI Features", "Model training")."""
    return any(_AI_CORE_RE.search(_lower(title)) or _ML_HEADING.search(title.lower()) for title in path)


_DEFINES = re.compile(
    r"^\W*[\"\u201c]?(?P<term>[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){0,3})[\"\u201d]?\s+"
    r"(?P<verb>means|refers to|shall mean|is defined as|includes|consists of|does not include|excludes)\b"
)
_DEFINITION_WORDS = (
    " means",
    " refers to",
    " shall mean",
    " is defined as",
    " include",
    " consists of",
    " excludes",
)


@dataclass(frozen=True)
class Definition:
    """What a version says a defined term ("Usage Data") covers: its defining sentences and their data."""

    term: str
    sentences: tuple[str, ...]
    clause_id: str | None
    data: frozenset[str]


_TERM = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){0,3}")


def terms_used(sentences: Iterable[str]) -> frozenset[str]:
    """The capitalised names the sentences use ("We use Usage Data to ..."): the terms a definition may
    give the meaning of (a sentence's first word is capitalised anyway, and names nothing)."""
    return frozenset(m.group(0) for sentence in sentences for m in _TERM.finditer(sentence))


def definitions(clauses: Iterable[Clause], terms: frozenset[str]) -> dict[str, Definition]:
    """What a version defines ``terms`` to cover, each with the data categories of its definition: what a
    training clause that uses the term is about, so that widening the definition widens the clause.
    Only clauses that name one of ``terms`` are read, which keeps this off the judgment's hot path."""
    found: dict[str, tuple[list[str], str | None, list[str], list[str]]] = {}
    for clause in clauses:
        # substring tests on the raw text (``body`` strips the number, by a regular expression, each time)
        text = clause.text
        if clause.kind == "heading" or not any(word in text for word in _DEFINITION_WORDS):
            continue
        if not any(term in text for term in terms):
            continue
        for sentence in split_sentences(clause.body):
            m = _DEFINES.match(sentence)
            if m is None or m["term"] not in terms:
                continue
            said, clause_id, covers, carves = found.setdefault(m["term"], ([], clause.id, [], []))
            said.append(sentence)
            rest = _lower(sentence[m.end() :])
            (carves if m["verb"] in ("does not include", "excludes") else covers).append(rest)
    out: dict[str, Definition] = {}
    for term, (said, clause_id, covers, carves) in found.items():
        data = _data(_without_exclusions(" ".join(covers))) if covers else frozenset()
        carved = _data(" ".join(carves)) if carves else frozenset()
        out[term] = Definition(term, tuple(said), clause_id, frozenset(data - carved - {"unspecified"}))
    return out


def statements(text_or_clauses: str | Sequence[Clause] | Iterable[Clause]) -> list[Statement]:
    """Every AI-training statement of a version (its text, or its clauses), in document order."""
    clauses = segment(text_or_clauses) if isinstance(text_or_clauses, str) else text_or_clauses
    out: list[Statement] = []
    for clause in clauses:
        out.extend(clause_statements(clause))
    return out
