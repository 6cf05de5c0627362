"""Vendor names: how people write them, and the one resolver every command and question uses.

People type vendor names the way they say them: "Zoom's", "zooms terms", "Gogle", "Mistral" for Mistral AI.
A name written as one (capitalised or possessive) is matched first, by whole words with possessives and a
plural "s" dropped, then by a close spelling; a lower-case common word ("a box", "other vendors") is a
vendor only when it is spelled exactly as one and nothing else in the text is. It never guesses between two
vendors that match equally well, and a name that matches no vendor is an error that lists close matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from core.errors import AmbiguousError, NotFoundError
from core.reading.vocabulary import COMPANY_WORDS
from core.storage.models import Vendor
from core.text.similarity import similarity


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: the form used in document references."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class VendorName:
    """A vendor and every name it goes by (its name, its slug, catalog aliases)."""

    vendor_id: int
    name: str
    aliases: tuple[str, ...] = ()


_WORD = re.compile(r"[a-z0-9]+(?:[.&+][a-z0-9]+)*")
_NOT_NAMES = frozenset(
    {
        "ai",
        "ml",
        "llm",
        "llms",
        "genai",
        "api",
        "apis",
        "i",
        "eu",
        "eea",
        "uk",
        "us",
        "usa",
        "gdpr",
        "ccpa",
        "cpra",
        "hipaa",
        "customer",
        "customers",
        "content",
        "data",
        "service",
        "services",
        "terms",
        "privacy",
        "policy",
        "statement",
        "notice",
        "agreement",
        "personal",
        "information",
        "user",
        "users",
        "input",
        "inputs",
        "output",
        "outputs",
        "account",
        "do",
        "not",
        "track",
        "generated",
        "enterprise",
        "business",
        "which",
        "what",
        "does",
        "can",
        "is",
        "are",
        "how",
        "when",
        "where",
        "who",
        "why",
        "will",
    }
)


def _words(text: str) -> list[str]:
    """The question's words, lower-cased, with possessives dropped ("Zoom's" -> "zoom")."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("'s", "").replace("s'", "s"))


def _grams(words: list[str]) -> set[str]:
    """Words and two- and three-word phrases, each also without a plural "s" ("zooms terms")."""
    grams = {" ".join(words[i : i + n]) for n in (3, 2, 1) for i in range(len(words) - n + 1)}
    return grams | {g[:-1] for g in grams if g.endswith("s") and len(g) > 3}


def name_like(text: str) -> list[str]:
    """Words written as names: capitalised after the first word, or possessive ("Slack's").

    Defined terms and acronyms of legal and AI writing ("Customer Content", "GDPR", "AI") are not names.
    """
    tokens = re.findall(r"[\w.&+-]+(?:['\u2019]s?)?", text)
    found = []
    for position, token in enumerate(tokens):
        bare = re.sub(r"['\u2019]s?$", "", token).strip(".")
        possessive = bare != token.strip(".")
        capitalised = position > 0 and bare[:1].isupper()
        if bare and (possessive or capitalised) and bare.lower() not in _NOT_NAMES:
            found.append(bare)
    return found


def find_vendors(text: str, vendors: Sequence[VendorName]) -> list[int]:
    """The vendors a question names.

    A name written as one (capitalised or possessive) counts first; then a lower-case word spelled exactly
    as a vendor ("does zoom train on our data"), so "Zoom" wins over "a box" in "Does Zoom keep files in a
    box?"; then a close spelling of a written name or of a longer word ("salesfroce"), never of a short
    common word ("other" is not Otter). A short name ("Together" for "Together AI", "Box" for "Box Inc.")
    is often an everyday word, so it counts only when written as a name.
    """
    names = name_like(text)
    strong = _grams(_words(" ".join(names)))
    matched = [v.vendor_id for v in vendors if spellings(v) & strong]
    if matched:
        return matched
    weak = _grams(_words(text))
    matched = [v.vendor_id for v in vendors if spellings(v, short=False) & weak]
    if matched:
        return matched
    long_words = {g for g in weak if len(g) >= 6 and " " not in g}
    return closest(strong, vendors) or closest(long_words, vendors, short=False)


def spellings(vendor: VendorName, short: bool = True) -> set[str]:
    """How a question may write the vendor: its name, aliases, slug, and (``short``) its short name
    ("Mistral" for "Mistral AI", "Acme" for "Acme Labs Inc.") when what is dropped only says it is a
    company."""
    names = {n.lower() for n in (vendor.name, *vendor.aliases)} | {slugify(vendor.name).replace("-", " ")}
    if not short:
        return names
    for name in list(names):
        words = name.split()
        while len(words) > 1 and words[-1].strip(",") in COMPANY_WORDS:
            words.pop()
        names.add(" ".join(words).strip(","))
    return names


def close_names(name: str, vendors: Sequence[VendorName], limit: int = 3) -> list[str]:
    """The tracked vendors spelled most like ``name``, for an error that says what was meant."""
    typed = name.strip().lower()
    scored = sorted(
        ((max(similarity(typed, s) for s in spellings(v)), v.name) for v in vendors), key=lambda t: -t[0]
    )
    return [vendor for score, vendor in scored[:limit] if score >= 0.5]


def vendor_hint(name: str, vendors: Sequence[VendorName]) -> str:
    """What to add to "no tracked vendor called 'Zooom'": "; did you mean Zoom? (tracked: ...)", so an
    unknown name is an error that says what was meant, never an answer about another vendor."""
    near = close_names(name, vendors)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    known = ", ".join(v.name for v in vendors[:12]) or "none yet"
    return f"{hint} (tracked: {known})"


def closest(
    grams: set[str],
    vendors: Sequence[VendorName],
    *,
    threshold: float = 0.85,
    min_length: int = 4,
    short: bool = True,
) -> list[int]:
    """The one vendor the grams misspell: names of ``min_length`` letters or more, at least ``threshold``
    alike (``core.text.similarity``).

    Nothing when two vendors are equally close: a misspelling is never resolved by a guess.
    """
    scored: list[tuple[float, int]] = []
    for vendor in vendors:
        best = max(
            (
                similarity(name, gram)
                for name in spellings(vendor, short)
                if len(name) >= min_length
                for gram in grams
            ),
            default=0.0,
        )
        if best >= threshold:
            scored.append((best, vendor.vendor_id))
    if not scored:
        return []
    top = max(score for score, _ in scored)
    winners = [vendor_id for score, vendor_id in scored if score == top]
    return winners if len(winners) == 1 else []


def vendor_names(session: Session) -> list[VendorName]:
    """Every vendor with the names a question may use for it."""
    vendors = session.exec(select(Vendor).order_by(Vendor.slug)).all()
    return [VendorName(v.id or 0, v.name, (v.slug.replace("-", " "),)) for v in vendors]


def resolve_vendor(session: Session, name: str) -> int:
    """The vendor ``--vendor`` names; a close spelling is accepted when it is unambiguous."""
    names = vendor_names(session)
    wanted = slugify(name)
    exact = [v.vendor_id for v in names if slugify(v.name) == wanted or wanted in map(slugify, v.aliases)]
    typed = {name.strip().lower(), slugify(name).replace("-", " ")}  # a typed name: short ones count too
    starting = [v.vendor_id for v in names if slugify(v.name).startswith(wanted + "-")]  # "acme": Acme Mail
    found = (
        exact or find_vendors(name, names) or starting or closest(typed, names, threshold=0.7, min_length=1)
    )
    if len(found) > 1:
        candidates = " or ".join(v.name for v in names if v.vendor_id in found)
        raise AmbiguousError(f"{name!r} could be {candidates}; name one of them")
    if not found:
        raise NotFoundError(f"no tracked vendor called {name!r}{vendor_hint(name, names)}")
    return found[0]
