"""The two facts a tracked page is given: its document type and its http(s) address.

Document types have canonical names ("Terms of Service") and the short names people type ("tos"); an
address is checked to be an absolute http(s) URL when it is given (private addresses are refused again at
fetch time, after DNS). The registry, the catalog and the question reader share these.
"""

from __future__ import annotations

from core.errors import FetchError, UsageError

# Canonical document types, and the short names people type for them.
DOC_TYPES: dict[str, tuple[str, ...]] = {
    "Terms of Service": ("tos", "terms", "terms of use", "terms and conditions", "terms-of-service"),
    "Privacy Policy": ("privacy", "privacy notice", "privacy statement", "privacy-policy"),
    "AI Terms": ("ai", "ai terms", "ai policy", "ai-terms", "generative ai terms"),
    "Data Processing Addendum": ("dpa", "data processing agreement", "data-processing-addendum"),
    "Acceptable Use Policy": ("aup", "acceptable use", "acceptable-use-policy"),
    "Cookie Policy": ("cookies", "cookie policy", "cookie-policy"),
    "Developer Terms": ("developer terms", "api terms", "developer-terms"),
}


def canonical_doc_type(text: str) -> str:
    """Map what a user typed to a canonical type; other types are kept, title-cased."""
    wanted = text.strip().lower()
    if not wanted:
        raise UsageError("the document type is empty; e.g. --type 'Terms of Service'")
    for name, aliases in DOC_TYPES.items():
        if wanted == name.lower() or wanted in aliases:
            return name
    return " ".join(word[:1].upper() + word[1:] for word in text.split())


def check_url(url: str) -> str:
    """Accept only absolute http(s) URLs with a valid host; addresses are checked again at fetch time."""
    from core.pipeline.fetch import check_url as fetchable  # the HTTP client is imported only when needed

    try:
        return fetchable(url)
    except FetchError:
        raise UsageError(f"not an http(s) URL: {url!r}") from None
