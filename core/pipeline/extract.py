"""Turning a fetched body (HTML, PDF, plain text) into Markdown-like text: the second pipeline stage.

The output keeps what a lawyer reads (headings, numbered sections, lists, paragraphs, tables, link
targets) and leaves out what changes without the document changing: scripts, site navigation, footers,
cookie banners, form widgets and images. It is normalised (``core.text.normalise``) so every later stage sees
one stable form.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import html_to_markdown
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from core.errors import ExtractionError
from core.text.normalise import normalise

# File suffixes of stored or imported versions, and the content type ``extract`` reads them as.
SUFFIX_TYPES = {
    ".md": "text/plain",
    ".markdown": "text/plain",
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class Extracted:
    """The document's text and the page's title (used by ``core.pipeline.pagecheck`` to spot error pages)."""

    text: str
    title: str | None


def extract(
    body: bytes,
    content_type: str,
    *,
    charset: str | None = None,
    select: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> Extracted:
    """Extract the normalised text of a fetched ``body``.

    ``content_type`` is ``text/html``, ``application/pdf`` or ``text/plain`` (Markdown counts as plain
    text). For HTML, ``remove`` drops elements matching those CSS selectors and ``select`` keeps only the
    elements matching these; without ``select`` the main content is found heuristically and site chrome
    and consent banners are dropped (with it, the caller's selectors are taken at their word).
    Raises ``ExtractionError`` for an unreadable body, a ``select`` selector that matches nothing, or a
    page with no text at all.
    """
    kind = content_type.split(";")[0].strip().lower()
    title: str | None = None
    if kind == "text/html":
        raw, title = _html_text(_decode_html(body, charset), select, remove)
    elif kind == "application/pdf":
        raw, title = _pdf_text(body)
    elif kind == "text/plain":
        raw = _decode(body, charset)
    else:
        raise ExtractionError(f"cannot extract text from content of type {content_type!r}")
    text = normalise(raw)
    if not any(char.isalnum() for char in text):
        raise ExtractionError("the page has no text (it may be empty or need JavaScript to show anything)")
    return Extracted(text=text, title=title or _first_heading(text))


# ----------------------------------------------------------------------------------------- decoding

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)


def _decode(body: bytes, charset: str | None, fallback: str | None = None) -> str:
    """Decode with a byte-order mark, else the declared charset, else ``fallback``, else UTF-8.

    Undecodable bytes become U+FFFD rather than an error: one bad byte must not lose a whole document.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    return body.decode(_known_encoding(charset) or _known_encoding(fallback) or "utf-8", errors="replace")


def _known_encoding(label: str | None) -> str | None:
    """Python's name for a charset label, or None if unknown.

    Pages labelled Latin-1 or ASCII are decoded as Windows-1252, as browsers do: that is what such
    pages really are, and it keeps their curly quotes readable.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in {"iso8859-1", "ascii"} else name


def _decode_html(body: bytes, charset: str | None) -> str:
    """Decode HTML using the HTTP charset, else the page's own ``<meta charset>``, else UTF-8."""
    declared = _META_CHARSET.search(body[:4096])
    return _decode(body, charset, declared.group(1).decode("ascii") if declared else None)


# --------------------------------------------------------------------------------------------- HTML

# Never part of a document's text: code, embedded objects and form widgets. Submit and reset buttons go
# too, but not other buttons: policies often use buttons as the clickable headings of accordions.
_NEVER_TEXT = (
    "script, style, noscript, template, svg, iframe, frame, object, embed, canvas, audio, video, "
    "input, select, textarea, datalist, output, meter, progress, button[type=submit], button[type=reset]"
)
# Site chrome around the document. Header and footer elements count only when not inside a sectioning
# element: an article's own header holds its title and date, which belong to the document.
_CHROME = (
    "nav, aside, [role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=search]"
)
_SITE_HEADERS = "header, footer"
_SECTIONING = frozenset({"article", "main", "section"})
# Consent-management widgets, recognised by their id/class names: a consent platform's own SDK names, or a
# generic cookie/consent name with a banner-like suffix on an element holding a button. A bare "cookie" or
# "consent" is not enough: a privacy policy may well have a section with id="cookies".
_CONSENT_PLATFORMS = (
    "onetrust",
    "optanon",
    "cookiebot",
    "cookieyes",
    "didomi",
    "usercentrics",
    "trustarc",
    "osano",
    "qc-cmp",
)
_CMP_NAME = re.compile("|".join(_CONSENT_PLATFORMS), re.IGNORECASE)
_BANNER_CANDIDATES = ", ".join(
    f"[{attr}*={word} i]"
    for attr in ("id", "class")
    for word in ("cookie", "consent", "gdpr", *_CONSENT_PLATFORMS)
)
_BANNER_NAME = re.compile(
    r"(?:cookie|consent|gdpr)s?[-_]?(?:banner|bar|notice|notification|popup|pop-up|modal|dialog|overlay|wall"
    r"|prompt|alert|consent|message|box|container|layer|window|manager|sdk|root|wrapper)"
    r"|(?:banner|notice|popup|modal|dialog|overlay)[-_]?(?:cookie|consent|gdpr)",
    re.IGNORECASE,
)
_CONTROLS = "button, [role=button]"
# Main-content candidates are trusted only when one of them holds most of the page's text; and nothing
# that holds most of it is ever taken for a banner.
_MAIN_CANDIDATES = "main, [role=main], article"
_MAJORITY = 0.5

_CONVERSION = html_to_markdown.ConversionOptions(
    heading_style="atx",
    bullets="-",
    # Deep enough to nest under any item marker up to "99. "; normalise() then re-indents to the minimum.
    list_indent_width=4,
    strong_em_symbol="*",
    wrap=False,
    skip_images=True,
    compact_tables=True,
    autolinks=False,
    expand_abbreviations=False,
    extract_metadata=False,
    # Its own clean-up would drop any <form>, and some sites wrap the whole page in one; ours is above.
    preprocessing=html_to_markdown.PreprocessingOptions(enabled=False),
    # Text hidden behind a collapsed accordion or inactive tab is still part of the document.
    hidden_content="reachable",
)


def _html_text(html: str, select: Sequence[str], remove: Sequence[str]) -> tuple[str, str | None]:
    """Markdown of the document's part of the page, and the page's ``<title>``."""
    tree = LexborHTMLParser(html)
    document = tree.root
    if document is None:
        return "", None
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node else None
    _drop(_css(document, _NEVER_TEXT))
    for selector in remove:
        _drop(_css(document, selector))
    roots = _selected(document, select) if select else [_main_content(tree.body or document)]
    for root in roots:
        _clean_links(root)
    converted = html_to_markdown.convert("".join(root.html or "" for root in roots), _CONVERSION)
    return converted.content or "", title or None


def check_selectors(selectors: Iterable[str]) -> None:
    """Refuse a malformed CSS selector when it is given (``track --select``), not at the first check."""
    empty = LexborHTMLParser("<html></html>").root
    assert empty is not None
    for selector in selectors:
        if not selector.strip():
            raise ExtractionError("a CSS selector is empty")
        _css(empty, selector)


def _css(node: LexborNode, selector: str) -> list[LexborNode]:
    """``node.css(selector)``, with a malformed selector reported as a user-facing error."""
    try:
        return node.css(selector)
    except SelectolaxError as exc:
        raise ExtractionError(f"selector {selector!r} is not valid CSS") from exc


def _drop(nodes: Iterable[LexborNode]) -> None:
    """Remove nodes (and everything inside them) from the tree."""
    for node in nodes:
        node.decompose()


def _selected(document: LexborNode, select: Sequence[str]) -> list[LexborNode]:
    """The outermost elements matching any of ``select``, in document order.

    Every selector must match: a selector that stops matching means the vendor redesigned the page,
    and silently extracting less would look like clauses were deleted.
    """
    for selector in select:
        if not _css(document, selector):
            raise ExtractionError(f"selector {selector!r} matched nothing on the page")
    matches = _css(document, ", ".join(select))
    chosen = {node.mem_id for node in matches}
    return [node for node in matches if not any(a.mem_id in chosen for a in _ancestors(node))]


def _ancestors(node: LexborNode) -> Iterable[LexborNode]:
    """The node's parent, grandparent and so on up to the document."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _main_content(body: LexborNode) -> LexborNode:
    """The element holding the document: a dominant main/article element, else the body.

    Chrome (navigation, site header and footer, asides, consent banners) is removed from it either way.
    """
    total = _text_size(body)
    _drop(node for node in _css(body, _BANNER_CANDIDATES) if _is_banner(node, total))
    # Nested candidates (an article inside main) can all hold the majority; the outermost loses least.
    root = next((node for node in _css(body, _MAIN_CANDIDATES) if _text_size(node) > _MAJORITY * total), body)
    _drop(_css(root, _CHROME))
    _drop(
        node for node in _css(root, _SITE_HEADERS) if not any(a.tag in _SECTIONING for a in _ancestors(node))
    )
    return root


def _is_banner(node: LexborNode, page_size: int) -> bool:
    """Whether an element is named like a consent banner, acts like one and is small enough to be one."""
    names = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
    if _text_size(node) > _MAJORITY * page_size:
        return False
    return bool(_CMP_NAME.search(names)) or (
        bool(_BANNER_NAME.search(names)) and node.css_first(_CONTROLS) is not None
    )


def _text_size(node: LexborNode) -> int:
    """Characters of visible text, ignoring whitespace (which varies with markup indentation)."""
    return len("".join(node.text().split()))


def _clean_links(root: LexborNode) -> None:
    """Keep real links; turn script links into plain text and drop links left with no text.

    A ``javascript:`` or bare ``#`` target is a widget, not an address a reader could follow, and an
    image-only link has nothing to show once images are dropped.
    """
    for link in _css(root, "a[href]"):
        href = (link.attributes.get("href") or "").strip().lower()
        if not link.text().strip():
            link.decompose()
        elif href.startswith("javascript:") or href in {"", "#"}:
            link.unwrap()


# ---------------------------------------------------------------------------------------------- PDF


def _pdf_text(body: bytes) -> tuple[str, str | None]:
    """The text of every page, re-flowed into paragraphs, and the PDF's title if it declares one."""
    from pypdf import PdfReader  # imported on the first PDF: it costs 20 MB that HTML pages never need

    # pypdf raises many exception types on malformed files; all mean the same thing to the user.
    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except Exception as exc:
        raise ExtractionError(f"the PDF could not be read ({exc})") from exc
    return "\n\n".join(_reflow(page) for page in pages), (title or "").strip() or None


def _reflow(page: str) -> str:
    """Join lines that PDF layout broke mid-sentence, so each paragraph is one line of text.

    A line continues the previous one when it starts in lower case and the previous line did not end a
    sentence; anything else (headings, numbered clauses, bullets) starts a new paragraph.
    """
    paragraphs: list[str] = []
    for line in (raw.strip() for raw in page.splitlines()):
        if line and paragraphs and paragraphs[-1] and line[0].islower() and paragraphs[-1][-1] not in ".!?:;":
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


# -------------------------------------------------------------------------------------------- title

_HEADING = re.compile(r"^#{1,6} +(.+)$", re.MULTILINE)


def _first_heading(text: str) -> str | None:
    """The first heading's text: a stand-in title for pages and files that declare none."""
    match = _HEADING.search(text)
    return match.group(1).strip("#* ") if match else None
