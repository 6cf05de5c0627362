"""Making cosmetic noise invisible, so that only a change of words makes a new version.

Vendors' pages change in ways no reader would call a change: a CMS swaps spaces for no-break spaces, a
template re-indents a list or switches ``*`` bullets for ``-``, an editor bolds a word, a new converter
re-wraps paragraphs. Two forms deal with that:

- ``normalise`` is the *display* form that is stored and diffed: tidy, still readable Markdown;
- ``canonical`` is the *hash* form: additionally blind to emphasis, typography and line wrapping.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import OrderedDict

# Characters that change nothing a reader sees, mapped to what they mean: line breaks of every
# convention are '\n'; zero-width characters and soft hyphens (sprinkled by CMSs and copy-paste) are
# nothing; every other kind of horizontal space (no-break, thin, ideographic...) is a space. Tabs are
# expanded per line instead, because in list indentation a tab is worth up to four columns.
_REPLACEMENTS = {
    **dict.fromkeys("\r\v\f\u0085\u2028", "\n"),
    "\u2029": "\n\n",
    **dict.fromkeys("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff", ""),
    # control characters (terminal escapes among them) and bidirectional overrides are never content
    **dict.fromkeys([chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85))], ""),
    **dict.fromkeys([chr(c) for c in range(0x86, 0xA0)], ""),
    **dict.fromkeys("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", ""),
    **dict.fromkeys("\u00a0\u1680\u202f\u205f\u3000", " "),
    **dict.fromkeys([chr(code) for code in range(0x2000, 0x200B)], " "),
}
_REPLACEABLE = re.compile("[" + "".join(_REPLACEMENTS) + "]")

INDENT = 3
"""Spaces per list level: enough for the children of a ``1. `` item to nest under it in Markdown."""

_LIST_ITEM = re.compile(r"(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap> +)(?P<rest>\S.*)$")
_THEMATIC_BREAK = re.compile(r"(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$")
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+) *$")
_SINGLE_LINE_BLOCK = re.compile(r"#{1,6}(?: |$)|>|\||```|~~~")
_EMPTY_HEADING = re.compile(r"#{1,6} *$")
_SPACE_RUN = re.compile(" {2,}")
_TABLE_DELIMITER = re.compile(r"\|(?: *:?-+:? *\|)+$")


_RECENT: OrderedDict[str, str] = OrderedDict()
_RECENT_SIZE = 8


def normalise(text: str) -> str:
    """The stored display form: same words, same structure, none of the invisible or layout noise.

    Idempotent: ``normalise(normalise(x)) == normalise(x)``, so re-normalising stored text is harmless.
    It is also cheap: the last few results are remembered as their own normal forms, because one check
    normalises a page when extracting it and again when hashing and segmenting it (about 1 ms a time for a
    70 KB policy).
    """
    known = _RECENT.get(text)
    if known is not None:
        return known
    result = _normalise(text)
    for key in (text, result):
        _RECENT[key] = result
    while len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)
    return result


def _normalise(text: str) -> str:
    text = _REPLACEABLE.sub(lambda m: _REPLACEMENTS[m.group()], text.replace("\r\n", "\n"))
    lines = _setext_to_atx(_reindent(unicodedata.normalize("NFC", text).split("\n")))
    return "\n".join(_squeeze_blank_lines(lines))


def _reindent(lines: list[str]) -> list[str]:
    """Re-indent lists by their structure rather than by whatever columns the source used.

    A page that indents nested lists by 4 spaces and one that indents by 2, or bullets with ``*`` rather
    than ``-``, give the same text: each list level is indented by ``INDENT`` spaces, and a paragraph
    inside an item one level deeper than the item. Nesting is read as in CommonMark: a line belongs to an
    open item when indented to the item's content column (capped at ``INDENT``, so that "10. " items
    nest like "1. " ones), and a lazy continuation of a paragraph belongs to it too. Outside lists,
    leading spaces carry no meaning in legal text and are dropped.
    """
    out: list[str] = []
    open_items: list[tuple[int, int]] = []  # (source, output) content column of each open list item
    in_paragraph = False  # the previous line was paragraph text, which the next line may lazily continue
    for raw in lines:
        if "\t" in raw:
            raw = raw.expandtabs(4)
        stripped = raw.lstrip(" ")
        if not stripped or _EMPTY_HEADING.match(stripped):
            out.append("")
            in_paragraph = False
            continue
        width = len(raw) - len(stripped)
        item = None if _THEMATIC_BREAK.match(stripped) else _LIST_ITEM.match(stripped)
        if item or not in_paragraph or _starts_block(stripped):
            while open_items and open_items[-1][0] > width:
                open_items.pop()
        indent = open_items[-1][1] if open_items else 0
        if item:
            rest = _tidy(item["rest"])
            marker = _bullet(item["marker"], rest)
            gap = len(item["gap"])
            content = len(item["marker"]) + (gap if gap <= 4 else 1)
            open_items.append((width + min(content, INDENT), indent + INDENT))
            line = f"{marker} {rest}"
        else:
            line = rest = _tidy(stripped)
        out.append(" " * indent + line)
        in_paragraph = not _is_single_line_block(rest)
    return out


def _bullet(marker: str, rest: str) -> str:
    """``-`` for every bullet, unless that would make the item read as a horizontal rule (``* ---``)."""
    return "-" if marker in "*+" and not _THEMATIC_BREAK.match(f"- {rest}") else marker


def _tidy(line: str) -> str:
    """Collapse runs of spaces and drop trailing ones; in table rows also ignore column padding."""
    if "  " in line:
        line = _SPACE_RUN.sub(" ", line)
    line = line.rstrip(" ")
    if line.startswith("|") and _TABLE_DELIMITER.match(line):
        line = re.sub(r"-+", "---", line)
    return line


def _setext_to_atx(lines: list[str]) -> list[str]:
    """Turn ``Title`` over ``=====`` into ``# Title``: the underline's length is pure layout.

    Only a one-line, top-level paragraph is converted, so a multi-line paragraph is never split in two.
    """
    out: list[str] = []
    for line in lines:
        if (
            out
            and _SETEXT_UNDERLINE.match(line)
            and _is_plain_line(out[-1])
            and (len(out) == 1 or not out[-2])
        ):
            out[-1] = ("# " if line[0] == "=" else "## ") + out[-1]
        else:
            out.append(line)
    return out


def _is_plain_line(line: str) -> bool:
    """A top-level line of paragraph text: not blank, indented, a list item, heading, table or rule."""
    return bool(line) and line[0] != " " and not _starts_block(line)


def _starts_block(line: str) -> bool:
    """Whether a line begins its own block (list item, heading, table row, quote, fence or rule)."""
    return bool(_LIST_ITEM.match(line)) or _is_single_line_block(line)


def _is_single_line_block(line: str) -> bool:
    """Whether a line is a block by itself that the next line can never continue (heading, row, rule)."""
    return bool(
        _SINGLE_LINE_BLOCK.match(line) or _THEMATIC_BREAK.match(line) or _SETEXT_UNDERLINE.match(line)
    )


def _squeeze_blank_lines(lines: list[str]) -> list[str]:
    """At most one blank line between blocks and none around the text: more is only vertical layout."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    if out and not out[-1]:
        out.pop()
    return out


# Link destinations and bare URLs, kept verbatim by the clean-up passes below: a '_' in an address is part
# of it, and an address change is a real change. Each pass's leading lookahead lets the regex engine skip
# ordinary text quickly, and a pass is skipped altogether on a line without its trigger character.
_URL = (
    r"\]\(<[^>\n]*>\)|\]\([^)\s]*\)|<[a-z][a-z0-9+.-]*:[^>\s]*>|(?<![\w/])(?:https?|ftp|mailto):[^\s)\]>\\]+"
)
# Markup that shows no words: HTML line breaks (in table cells), links with no text or only an image, images.
_NO_WORDS = re.compile(
    r"<br\s*/?>|\[ *(?:!\[[^\]\n]*\]\([^)\n]*\) *)?\]\([^)\n]*\)|!\[[^\]\n]*\]\([^)\n]*\)", re.IGNORECASE
)
# Backslash escapes: converters differ in what they escape.
_ESCAPE = re.compile(rf"(?=[]<hfm\\])(?:(?P<url>{_URL})|\\(?P<escaped>[!-/:-@\[-`{{-~]))")
# Emphasis: a run of markers holding '**' is always markup; a single '*' or '_' (or '__') only where it opens
# before or closes after a non-space and is not between two word characters, so snake_case and 2*3 survive.
_EMPHASIS = re.compile(
    rf"(?=[]<hfm*_])(?:(?P<url>{_URL})|[*_]*\*\*[*_]*|(?<!\w)[*_]{{1,3}}(?=[^\s*_])|(?<=[^\s*_])[*_]{{1,3}}(?!\w))"
)
_INNER_SPACE_RUN = re.compile(r"(?<=\S) {2,}")
# Typographic quotes, dashes and ellipses are a style choice; their ASCII forms say the same thing.
_TYPOGRAPHY = {
    **dict.fromkeys("‘’‚‛′＇", "'"),
    **dict.fromkeys("“”„‟″＂«»", '"'),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
    "…": "...",
}
_TYPOGRAPHIC = re.compile("[" + "".join(_TYPOGRAPHY) + "]")


def canonical(text: str) -> str:
    """The hash form: ``normalise`` plus blindness to emphasis, typography, escapes and line wrapping.

    Each block (paragraph, list item, heading, table row) becomes exactly one line.

    Case, punctuation other than quotes and dashes, link targets and structure (headings, list items,
    paragraphs) all still count: those are things a reader could notice or a lawyer could care about.
    """
    plain = fold_typography(normalise(text))
    # Once each block is on one line, blank lines between blocks say nothing more (and whether a list
    # is "loose", with blank lines between its items, is only spacing).
    blocks = (_canonical_line(line) for line in _join_paragraph_lines(plain.split("\n")) if line)
    return "\n".join(block for block in blocks if block)


def _join_paragraph_lines(lines: list[str]) -> list[str]:
    """Join the lines of each paragraph (and list item) into one, so re-wrapping is not a change."""
    out: list[str] = []
    for line in lines:
        body = line.lstrip(" ")
        if (
            out
            and out[-1]
            and body
            and not _starts_block(body)
            and not _is_single_line_block(out[-1].lstrip(" "))
        ):
            out[-1] = f"{out[-1]} {body}"
        else:
            out.append(line)
    return out


def fold_typography(text: str) -> str:
    """Curly quotes, typographic dashes and ellipses in their ASCII forms."""
    return _TYPOGRAPHIC.sub(lambda m: _TYPOGRAPHY[m.group()], text) if not text.isascii() else text


def _canonical_line(line: str) -> str:
    """One joined line without wordless markup, escapes or emphasis; every rule reads ``---``."""
    if _THEMATIC_BREAK.match(line.lstrip(" ")):
        return "---"
    if "<" in line or "![" in line or "](" in line:
        line = _NO_WORDS.sub(" ", line)
    if "\\" in line:
        line = _ESCAPE.sub(lambda m: m["url"] or m["escaped"], line)
    if "*" in line or "_" in line:
        line = _EMPHASIS.sub(lambda m: m["url"] or "", line)
    if "  " in line:
        line = _INNER_SPACE_RUN.sub(" ", line)
    return line.rstrip(" ")


def content_hash(text: str) -> str:
    """SHA-256 (hex) of ``canonical(text)``: equal exactly when two texts differ only cosmetically."""
    return hashlib.sha256(canonical(text).encode("utf-8")).hexdigest()
