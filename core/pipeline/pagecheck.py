"""Recognising fetched pages that are not the document: error pages, bot challenges, cookie walls, logins.

Such a page must never become a "new version" (and the real one an "old" version): the next good fetch
would then look like the whole document was deleted and re-added. Vendors are never named here; the
signals are the stock phrases these pages are made of, weighed against how much real prose surrounds
them. A policy that mentions passwords, cookies or 404 errors buries those phrases in thousands of words
of sentences; a login form or a "Just a moment..." page is little else.
"""

from __future__ import annotations

import re
from itertools import islice

from core.text.normalise import canonical

# Stock phrases by kind of page, matched line by line on the canonical text (one line per paragraph, plain
# quotes, no emphasis), lower-cased and without link targets. Order matters only to break ties.
_SIGNALS: dict[str, tuple[str, ...]] = {
    "bot challenge": (
        r"just a moment",
        r"checking (?:if the site connection is secure|your browser)",
        r"(?:enable|turn on) (?:javascript|cookies)",
        r"javascript is (?:disabled|required|not enabled)",
        r"captcha",
        r"verify (?:that )?(?:you are|you're) (?:a )?human",
        r"are you a (?:robot|human)",
        r"not a robot",
        r"unusual traffic",
        r"ddos",
        r"cloudflare",
        r"ray id",
        r"press (?:and|&) hold",
        r"security check",
        r"attention required",
        r"security of your connection",
        r"pardon our interruption",
        r"human verification",
    ),
    "error page": (
        r"(?<![+\d])40[34]",
        r"not found",
        r"page you(?:'re| are)? (?:were )?looking for",
        r"(?:does not|doesn't|no longer) exists?",
        r"something went wrong",
        r"an error (?:has )?occurred",
        r"(?:error|http) 50[0234]|50[0234](?= (?:error|internal|bad|service))",
        r"internal server error",
        r"service (?:is )?(?:temporarily )?unavailable",
        r"bad gateway",
        r"gateway time-?out",
        r"access (?:is )?denied",
        r"forbidden",
        r"(?:don't|do not) have permission to access",
        r"try again later",
        r"(?:go|back|return) (?:back )?to (?:the )?home ?page|back to home",
        r"oops",
        r"we can(?:'t|not) find",
    ),
    "cookie wall": (
        r"(?:accept|reject|allow|refuse|deny) all",
        r"(?:accept|agree to) (?:the use of )?(?:all )?cookies",
        r"(?:accept|agree) (?:and|&) (?:continue|close|proceed)",
        r"(?:manage|customi[sz]e) (?:your )?(?:cookie |privacy |consent )?"
        r"(?:settings|preferences|choices|options)",
        r"cookie (?:preferences|settings|consent)",
        r"consent preferences",
        r"preference cent(?:er|re)",
        r"we use cookies",
        r"(?:site|website) uses cookies",
        r"we and our (?:partners|vendors)",
        r"store and/or access information on a device",
        r"personali[sz]ed (?:ads|advertising)",
        r"(?:strictly )?necessary cookies",
        r"by clicking \W?(?:accept|agree|i agree|ok)",
        r"(?:save|confirm) (?:my )?(?:preferences|settings|choices)",
    ),
    "login page": (
        r"sign in",
        r"log ?in",
        r"sign up",
        r"create (?:an |your )?account",
        r"(?:forgot|reset) (?:your )?password",
        r"password",
        r"username",
        r"remember me",
        r"keep me (?:signed|logged) in",
        r"continue with (?:google|apple|facebook|microsoft|email|phone|sso)",
        r"(?:don't|do not|already) have an account",
        r"enter your (?:email|password|phone|username)",
        r"phone number",
        r"email address",
    ),
}
_PATTERNS = {
    reason: re.compile(r"\b(?:" + "|".join(phrases) + r")\b") for reason, phrases in _SIGNALS.items()
}

# A stock phrase on a line of its own (a button, a heading, a form label) is what junk pages are made of;
# inside a sentence it may be a policy talking about passwords or cookies, and weighs much less. A title
# counts as a line of its own.
_LABEL_WEIGHT = 4
_SENTENCE_WEIGHT = 1
# A page is junk when its phrases score at least _MIN_SCORE (say a heading and a sentence that both read
# as an error) and one point per _WORDS_PER_POINT words of prose, plus a small cushion so that a thin page
# is judged by its phrases. Real documents in the test corpus short enough to be scored stay below one
# point per 90 words; junk pages run from one point per 4 words (a consent gate's paragraphs) to no prose.
_MIN_SCORE = 5
_WORDS_PER_POINT = 6
_PROSE_CUSHION = 12
# Beyond this much prose a page is a document whatever it mentions.
_MAX_JUNK_PROSE = 1500
# Fewer words than this is nothing at all (a heading over an empty container, say).
_MIN_WORDS = 5
# A line reads as a sentence when it has this many words and sentence punctuation.
_SENTENCE_MIN_WORDS = 8

_LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
_WORD = re.compile(r"[^\W\d_]+")
_PROSE_PUNCTUATION = re.compile(r"[.!?;:](?:\s|$)")


# A redirect stub ("Redirecting to https://...", "This page has moved") is a few words around a link; a
# document that mentions redirects says much more.
_REDIRECT = re.compile(
    r"\b(?:redirecting|(?:you are being|you will be|will be) redirected|if you are not redirected"
    r"|(?:this )?(?:page|document|content) has (?:been )?moved|moved (?:permanently|temporarily))\b"
)
_STUB_WORDS = 40


def junk_reason(text: str, title: str | None = None) -> str | None:
    """Why ``text`` is clearly not a legal document ("error page", "login page"...), or None if it may be.

    Only clear cases are flagged: a false alarm would freeze a real document's history, while a missed
    glitch is still caught by the shrink check when versions are recorded.
    """
    if _prose_words(_plain(text).split("\n")) > _MAX_JUNK_PROSE:
        return None  # decided without the canonical form: joining wrapped lines only adds prose
    plain = _plain(canonical(text))
    if len(list(islice(_WORD.finditer(plain), _MIN_WORDS))) < _MIN_WORDS:
        return "empty page"
    if _REDIRECT.search(plain) and len(list(islice(_WORD.finditer(plain), _STUB_WORDS))) < _STUB_WORDS:
        return "redirect page"
    lines = plain.split("\n")
    prose = _prose_words(lines)
    if prose > _MAX_JUNK_PROSE:
        return None
    scores = dict.fromkeys(_PATTERNS, 0)
    for line in [*lines, _plain(canonical(title or ""))]:
        weight = _SENTENCE_WEIGHT if _is_sentence(line) else _LABEL_WEIGHT
        for reason, pattern in _PATTERNS.items():
            scores[reason] += weight * len(pattern.findall(line))
    reason, score = max(scores.items(), key=lambda item: item[1])
    return reason if score >= _MIN_SCORE and score * _WORDS_PER_POINT >= prose + _PROSE_CUSHION else None


def _plain(text: str) -> str:
    """Lower-cased text without link targets (a URL containing "login" or "404" says nothing)."""
    return _LINK_TARGET.sub("]", text).lower()


def _is_sentence(line: str) -> bool:
    """Whether a line reads as prose rather than as a label, button or list entry."""
    return len(line.split()) >= _SENTENCE_MIN_WORDS and bool(_PROSE_PUNCTUATION.search(line))


def _prose_words(lines: list[str]) -> int:
    """Words in lines that read as sentences, counted up to just past ``_MAX_JUNK_PROSE``.

    Junk pages are made of labels, buttons and lists (a country picker, a footer of links); documents
    are made of sentences. Counting only sentence words keeps a long list from passing for a document.
    """
    total = 0
    for line in lines:
        if _is_sentence(line):
            total += len(line.split())
            if total > _MAX_JUNK_PROSE:
                break
    return total


# ----------------------------------------------------------------------------------------------------
# Another document at the same address

_TITLE = re.compile(r"^(?:#{1,2} +(?P<atx>.+?) *#*|(?P<setext>\S.*)\n(?:=+|-+) *)$", re.MULTILINE)
_TITLE_GENERIC = frozenset(
    {"a", "an", "the", "of", "and", "for", "to", "our", "your", "its", "policy", "policies", "terms"}
    | {"notice", "statement", "agreement", "conditions", "llc", "inc", "ltd"}
)
"""Title words every legal page shares: "Cookie Policy" and "Privacy Policy" differ by what is left."""
_SHARED_PARAGRAPHS = 0.1
"""Versions of one document keep at least this share of their paragraphs word for word, even across
rewrites; two documents of one vendor share little beyond a contact address."""
_PARAGRAPH_WORDS = 8


def other_document(old_text: str, new_text: str) -> str | None:
    """Why ``new_text`` is another document than ``old_text`` rather than its next version, or None.

    Both signals must agree: a different title and almost no paragraph in common. A rewrite keeps its
    title; a retitled document keeps paragraphs.
    """
    old_title, new_title = _title(old_text), _title(new_text)
    if not old_title or not new_title or _same_subject(old_title, new_title):
        return None
    old_paragraphs, new_paragraphs = _paragraphs(old_text), _paragraphs(new_text)
    fewer = min(len(old_paragraphs), len(new_paragraphs))
    if not fewer or len(old_paragraphs & new_paragraphs) / fewer >= _SHARED_PARAGRAPHS:
        return None
    return f"the page now shows another document ({old_title!r} became {new_title!r})"


def _title(text: str) -> str:
    match = _TITLE.search(text[:2000])
    return " ".join(_WORD.findall((match["atx"] or match["setext"]).lower())) if match else ""


def _same_subject(a: str, b: str) -> bool:
    """Whether two titles name the same subject: the words of one (beyond the generic ones) are all in
    the other ("Terms of Use" and "Fox News Network LLC Terms of Use Agreement"), or neither has any."""
    wa, wb = set(a.split()) - _TITLE_GENERIC, set(b.split()) - _TITLE_GENERIC
    return not wa or not wb or wa <= wb or wb <= wa


def _paragraphs(text: str) -> set[str]:
    found = set()
    for line in _plain(text).split("\n"):
        words = _WORD.findall(line.lower())
        if len(words) >= _PARAGRAPH_WORDS:
            found.add(" ".join(words))
    return found
