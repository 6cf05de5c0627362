"""Clauses: a version cut into addressable pieces, and two versions aligned clause by clause.

``segment`` reads the Markdown-like text that extraction produces ('#' headings, bold or upper-case pseudo
headings, numbered sections such as "10.2", list items, table rows, paragraphs) into ``Clause`` objects with
a stable anchor. ``align`` pairs the clauses of two versions so that what a reader would not call a change
(renumbering "10.2" -> "11.2", a section moved elsewhere, re-wrapped lines, emphasis, typography) is reported
as cosmetic, and a clause whose words changed is ONE modification carrying a word-level diff.

Alignment is linear in practice: clauses are first paired by an exact hash of their text (then by a hash of
their bare words), and only the leftovers are fuzzily compared, each against a bounded set of candidates
drawn from an inverted index of their rarer words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain
from typing import Literal

from core.text import similarity as alike
from core.text.normalise import fold_typography, normalise

ChangeKind = Literal["added", "removed", "modified", "moved", "renumbered"]


@dataclass(frozen=True)
class Clause:
    """One addressable piece of a version: a paragraph, a list item, a table row or a heading.

    ``id`` is a stable anchor: the section number when the clause has one ("10.2", "D.4"), otherwise the
    slug of its nearest heading and its position under it ("data-use/3"). ``path`` is the heading path.
    ``text`` is the clause's words in canonical form (no emphasis, plain quotes, one line). ``lead`` is
    the sentence that introduces a list item ("You agree that you will not:"), which governs its meaning.
    """

    id: str
    path: tuple[str, ...]
    heading: str | None
    number: str | None
    text: str
    kind: Literal["heading", "paragraph", "item", "row"] = "paragraph"
    level: int = 0
    lead: str | None = None

    @cached_property
    def body(self) -> str:
        """The text without its leading section number or list marker."""
        return _strip_number(self.text)

    @cached_property
    def words(self) -> str:
        """The body's words, lower-cased, without punctuation: what alignment compares."""
        return " ".join(_WORD.findall(self.body.lower()))


@dataclass(frozen=True)
class ClauseChange:
    """One difference between two versions, with the clauses on both sides so alerts can quote them.

    ``added_words``/``removed_words`` are the inserted and deleted runs of a word-level diff (for an added
    or removed clause, its whole text); ``diff`` renders the word diff as ``[-removed-]{+added+}``.
    Renumbered and moved clauses and changes of punctuation, case or spacing only are not ``substantive``.
    """

    kind: ChangeKind
    old: Clause | None
    new: Clause | None
    added_words: tuple[str, ...] = ()
    removed_words: tuple[str, ...] = ()
    diff: str = ""
    substantive: bool = True
    similarity: float = field(default=1.0, compare=False)

    @property
    def id(self) -> str:
        """The anchor of the clause in the new version (or the old one when it was removed)."""
        clause = self.new or self.old
        assert clause is not None
        return clause.id


# ----------------------------------------------------------------------------------------------------
# Segmentation

# Glyphs some pages use as visual bullets or padding; they carry no words.
_GLYPHS = ("⠀", "●")
_EMPHASIS = re.compile(
    r"(?=[]h\\*_])(?:(?P<url>\]\([^)\s]*\)|https?://\S+)|\\(?P<escaped>[!-/:-@\[-`{-~])"
    r"|(?<![\w*])[*_]{1,3}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,3}(?![\w*]))"
)
_LIST_ITEM = re.compile(r"(?P<marker>[-*+]|\d{1,9}[.)])(?: +(?P<rest>.*))?$")
_ATX = re.compile(r"(#{1,6})(?: +(.*?))?(?: +#+)? *$")
_THEMATIC_BREAK = re.compile(r"(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$")
_TABLE_DELIMITER = re.compile(r"\|?(?: *:?-+:? *\|)+(?: *:?-+:? *)?$")
_WHOLLY_BOLD = re.compile(r"^(?:\*\*|__)(?P<inner>[^*_]+?)(?:\*\*|__)[.:]?$")
_BOLD_LEAD = re.compile(r"^(?:\*\*|__)(?P<inner>[^*_\n]{2,120}?)(?:\*\*|__)\s*[.:]?\s+(?=\S)")
_SECTION_NUMBER = re.compile(
    r"^(?:(?:section|article|clause|§)\s*)?"
    r"(?P<num>\d{1,3}(?:\.\d{1,3})+\.?|[A-Z]\.\d{1,3}(?:\.\d{1,3})*\.?|\d{1,3}[.)]|\(?[a-z]\)|\([ivxl]{1,5}\)|[ivxl]{1,5}\))"
    r"\s+(?=\S)",
    re.IGNORECASE,
)
_ENUMERATOR = re.compile(r"\(?(?:[a-z]|[ivxl]{1,5}|\d{1,2})\)$")
"""A sub-paragraph's own marker ("(a)", "ii)"), as opposed to a section number ("4.2")."""
_HEADER_ROW = re.compile(r"^\|?(?:\s*(?:\*\*|__)[^|*_]+(?:\*\*|__)\s*\|)+\s*$")
"""A row whose every cell is bold: the column names, when a page leaves the Markdown header row empty."""
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_SLUG = re.compile(r"[^a-z0-9]+")
_BR = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


def _plain(text: str) -> str:
    """Canonical words of a block: plain typography, no emphasis or escapes, single spaces.

    A leaner cousin of ``normalise.canonical``'s line cleaning: clause keys only need the words, so it
    skips the link and HTML handling that the content hash needs (segmenting a 95 KB text is 3x faster).
    """
    if not text.isascii():
        text = fold_typography(text)
        for glyph in _GLYPHS:
            if glyph in text:
                text = text.replace(glyph, " ")
    if "**" in text:
        text = text.replace("**", "")
    if "*" in text or "_" in text or "\\" in text:
        text = _EMPHASIS.sub(lambda m: m["url"] or m["escaped"] or "", text)
    return _SPACES.sub(" ", text).strip() if "  " in text else text.strip()


def _strip_number(text: str) -> str:
    match = _SECTION_NUMBER.match(text)
    return text[match.end() :] if match else text


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:40] or "section"


@dataclass
class _Block:
    kind: Literal["heading", "paragraph", "item", "row"]
    lines: list[str]
    level: int = 0
    heading_level: int = 0
    marker: str | None = None
    header: bool = False


def _blocks(text: str) -> list[_Block]:
    """Group the display-form lines into blocks: headings, list items, table rows and paragraphs."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for line in normalise(text).split("\n"):
        body = line.lstrip(" ")
        if not body:
            current = None
            continue
        indent = len(line) - len(body)
        atx = _ATX.match(body) if body[0] == "#" else None
        if atx:
            blocks.append(_Block("heading", [atx.group(2) or ""], heading_level=len(atx.group(1))))
            current = None
            continue
        if body[0] == "|":
            if not _TABLE_DELIMITER.match(body):
                blocks.append(_Block("row", [body]))
            elif blocks and blocks[-1].kind == "row":
                blocks[-1].header = True  # the row above a delimiter names the columns
            current = None
            continue
        if _THEMATIC_BREAK.match(body):
            current = None
            continue
        item = _LIST_ITEM.match(body)
        if item:
            marker = item["marker"]
            current = _Block("item", [item["rest"] or ""], level=indent // 3, marker=marker)
            blocks.append(current)
            continue
        if current is not None:
            current.lines.append(body)
            continue
        current = _Block("paragraph", [body], level=indent // 3)
        blocks.append(current)
    return blocks


def _pseudo_heading(display: str, plain: str, kind: str) -> bool:
    """A short block that is wholly bold or upper-case and does not read as a sentence."""
    if not plain or len(plain) > 120 or kind == "row":
        return False
    words = plain.split()
    if len(words) > 14 or plain[-1] in ".;,":
        return False
    letters = [c for c in plain if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return True
    return bool(_WHOLLY_BOLD.match(display))


def segment(text: str) -> list[Clause]:
    """Cut a version into clauses in document order, each with a stable anchor and its heading path.

    Results are memoised for the last few texts: a version is segmented as the new side of one change
    and again as the old side of the next.
    """
    return list(_segment_cached(text))


@lru_cache(maxsize=4)
def _segment_cached(text: str) -> tuple[Clause, ...]:
    return tuple(_segment(text))


def _segment(text: str) -> list[Clause]:
    clauses: list[Clause] = []
    headings: list[tuple[int, str]] = []  # (level, title) stack; pseudo headings sit at level 7
    counters: Counter[str] = Counter()
    used: set[str] = set()
    last_by_level: dict[int, str] = {}  # the latest clause text at each list level, for leads
    previous_plain = ""
    columns: str | None = None  # the header row of the table being read
    numbered: dict[str, str] = {}  # the text of each numbered paragraph, for its sub-paragraphs' lead
    for block in _blocks(text):
        display = " ".join(block.lines).strip()
        if block.kind == "row":
            display = _BR.sub(", ", display)
        plain = _plain(display)
        if not plain or not _WORD.search(plain):
            continue
        kind = block.kind
        level = block.heading_level
        if kind != "heading" and _pseudo_heading(display, plain, kind):
            kind, level = "heading", 7
        if kind == "heading":
            title = _strip_number(plain).strip(" .:") or plain
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, title))
            last_by_level.clear()
            if level == 1:
                numbered.clear()  # a new document part numbers its paragraphs afresh
            previous_plain = ""
        path = tuple(title for _, title in headings)
        number_match = _SECTION_NUMBER.match(plain)
        number = number_match["num"].rstrip(".") if number_match else None
        if number is None and block.marker and block.marker[0].isdigit():
            number = block.marker.rstrip(".)")
        heading: str | None = path[-1] if path else None
        if kind != "heading":
            bold = _BOLD_LEAD.match(display) if display[:2] in ("**", "__") else None
            if bold:
                inner = _strip_number(_plain(bold["inner"])).strip(" .:")
                if inner and len(inner.split()) <= 12:
                    heading = inner
        lead = None
        if kind == "item":
            lead = last_by_level.get(block.level - 1) if block.level else None
            if lead is None and previous_plain.endswith(":"):
                lead = previous_plain
        elif (
            kind == "paragraph"
            and previous_plain.endswith(":")
            and (block.level > 0 or (number_match is not None and _ENUMERATOR.match(number_match["num"])))
        ):
            lead = previous_plain  # "(a) ...", "(ii) ..." or an indented paragraph continues "...:"
        elif kind == "row":
            header = block.header or _HEADER_ROW.match(display) is not None
            columns = plain if header else columns
            lead = None if header else columns
        if lead is None and kind == "paragraph" and number and "." in number:
            # "5.2.6 use API Data to ..." continues "5.2 ... you must not:", after any number of siblings
            parent = numbered.get(number.rsplit(".", 1)[0], "")
            lead = parent if parent.endswith(":") else None
        if number and kind == "paragraph":
            if number in numbered:
                numbered.clear()  # numbering restarts (an annex, a second document): old leads are gone
            numbered[number] = plain
        anchor = _anchor(number, path, counters)
        if anchor in used:
            n = 2
            while f"{anchor}~{n}" in used:
                n += 1
            anchor = f"{anchor}~{n}"
        used.add(anchor)
        clauses.append(
            Clause(
                id=anchor,
                path=path,
                heading=heading,
                number=number,
                text=plain,
                kind=kind,
                level=block.level,
                lead=lead,
            )
        )
        if kind == "item":
            last_by_level[block.level] = plain
            for deeper in [lvl for lvl in last_by_level if lvl > block.level]:
                del last_by_level[deeper]
        elif kind == "paragraph":
            if block.level == 0 and lead is None:
                last_by_level.clear()
                previous_plain = plain
        else:
            # a heading ending in a colon ("3. Without our consent, you also aren't allowed to:")
            # introduces the list under it
            previous_plain = plain if kind == "heading" and plain.endswith(":") else ""
        if kind != "row":
            columns = None
    return clauses


def _anchor(number: str | None, path: tuple[str, ...], counters: Counter[str]) -> str:
    if number and ("." in number or number[0].isalpha()) and not number.startswith("("):
        return number
    base = _slug(path[-1]) if path else "top"
    counters[base] += 1
    return f"{base}/{counters[base]}"


# ----------------------------------------------------------------------------------------------------
# Alignment


def _exact_key(clause: Clause) -> str:
    return f"{clause.kind == 'heading'}|{clause.body}"


def _loose_key(clause: Clause) -> str:
    return clause.words


def _tokens(text: str) -> list[str]:
    return text.split()


def word_diff(old: str, new: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Word-level diff: the inserted runs, the deleted runs and a ``[-old-]{+new+}`` rendering."""
    a, b = _tokens(old), _tokens(new)
    # edits are local: diff only what lies between the common beginning and end
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    added: list[str] = []
    removed: list[str] = []
    parts: list[str] = [" ".join(a[:head])] if head else []
    for op, i1, i2, j1, j2 in alike.edits(a[head : len(a) - tail], b[head : len(b) - tail]):
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if op == "equal":
            parts.append(" ".join(a[i1:i2]))
            continue
        if i2 > i1:
            run = " ".join(a[i1:i2])
            removed.append(run)
            parts.append(f"[-{run}-]")
        if j2 > j1:
            run = " ".join(b[j1:j2])
            added.append(run)
            parts.append(f"{{+{run}+}}")
    if tail:
        parts.append(" ".join(a[len(a) - tail :]))
    return tuple(added), tuple(removed), " ".join(parts)


WORD_DIFF = re.compile(r"\[-(?P<removed>.*?)-\]|\{\+(?P<added>.*?)\+\}", re.DOTALL)
"""A run of a ``word_diff`` rendering: ``[-removed-]`` or ``{+added+}``."""


def diff_runs(diff: str) -> list[tuple[str, str]]:
    """A ``word_diff`` rendering as ``(kind, text)`` runs, kind ``same``, ``removed`` or ``added``, for
    whoever lays it out (terminal colours, HTML ``del``/``ins``)."""
    runs, last = [], 0
    for match in WORD_DIFF.finditer(diff):
        if match.start() > last:
            runs.append(("same", diff[last : match.start()]))
        kind = "removed" if match["removed"] is not None else "added"
        runs.append((kind, match[kind]))
        last = match.end()
    return [*runs, ("same", diff[last:])] if last < len(diff) else runs


def _longest_increasing(indices: list[int]) -> set[int]:
    """Positions (into ``indices``) of one longest strictly increasing subsequence."""
    import bisect

    tails: list[int] = []
    tails_at: list[int] = []
    parent = [-1] * len(indices)
    for pos, value in enumerate(indices):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tails_at.append(pos)
        else:
            tails[k] = value
            tails_at[k] = pos
        parent[pos] = tails_at[k - 1] if k else -1
    keep: set[int] = set()
    pos = tails_at[-1] if tails_at else -1
    while pos >= 0:
        keep.add(pos)
        pos = parent[pos]
    return keep


FUZZY_THRESHOLD = 0.5
"""Word-sequence similarity above which two leftover clauses are one modified clause."""
_MAX_CANDIDATES = 4
_MAX_POSTING = 40


def align(old: list[Clause], new: list[Clause]) -> list[ClauseChange]:
    """The differences between two segmented versions, in the new version's order.

    Clauses with the same text are paired first (a changed number makes them ``renumbered``, a changed
    order ``moved``; neither is substantive), then clauses with the same words up to case and punctuation
    (``modified``, not substantive), then the leftovers by word-sequence similarity (``modified`` with a
    word diff). What remains is ``removed`` or ``added``.
    """
    pairs: dict[int, int] = {}  # old index -> new index
    kinds: dict[int, str] = {}
    for key_fn, label in ((_exact_key, "exact"), (_loose_key, "loose")):
        waiting: dict[str, list[int]] = defaultdict(list)
        taken = set(pairs.values())
        for j, clause in enumerate(new):
            if j not in taken:
                waiting[key_fn(clause)].append(j)
        for i, clause in enumerate(old):
            if i in pairs:
                continue
            queue = waiting.get(key_fn(clause))
            if queue:
                pairs[i] = queue.pop(0)
                kinds[i] = label
        if len(pairs) == len(old) or len(pairs) == len(new):
            break
    covered_old, covered_new = _split_and_merged(old, new, pairs, kinds)
    similarity: dict[int, float] = {}
    _fuzzy_pairs(old, new, pairs, similarity, covered_old, covered_new)

    ordered = sorted(pairs)
    in_order = _longest_increasing([pairs[i] for i in ordered])
    moved = {ordered[p] for p in range(len(ordered)) if p not in in_order}

    changes: list[tuple[float, ClauseChange]] = []
    for i, j in pairs.items():
        a, b = old[i], new[j]
        kind = kinds.get(i, "fuzzy")
        if kind == "exact":
            if i in moved:
                changes.append((j, ClauseChange("moved", a, b, substantive=False)))
            elif a.number != b.number and (a.number or b.number):
                changes.append((j, ClauseChange("renumbered", a, b, substantive=False)))
            continue
        if kind == "split":
            rendering = "(paragraphs split or joined)"
            changes.append((j, ClauseChange("modified", a, b, diff=rendering, substantive=False)))
            continue
        added, removed, rendering = word_diff(a.body, b.body)
        substantive = kind != "loose"
        changes.append(
            (
                j,
                ClauseChange(
                    "modified",
                    a,
                    b,
                    added_words=added,
                    removed_words=removed,
                    diff=rendering,
                    substantive=substantive,
                    similarity=similarity.get(i, 1.0),
                ),
            )
        )
    paired_new = set(pairs.values()) | covered_new
    for j, clause in enumerate(new):
        if j not in paired_new:
            changes.append((j, ClauseChange("added", None, clause, added_words=(clause.text,))))
    # a removed clause sorts just after the new clause that follows its last paired predecessor
    last_new = -1.0
    for i, clause in enumerate(old):
        if i in pairs:
            last_new = pairs[i]
        elif i not in covered_old:
            changes.append(
                (last_new + 0.5, ClauseChange("removed", clause, None, removed_words=(clause.text,)))
            )
    changes.sort(key=lambda item: item[0])
    return [change for _, change in changes]


def _split_and_merged(
    old: list[Clause], new: list[Clause], pairs: dict[int, int], kinds: dict[int, str]
) -> tuple[set[int], set[int]]:
    """Pair a clause with two consecutive leftovers on the other side that together have its words.

    A paragraph cut in two (or two joined) is layout, not a change. The first of the two is paired, the
    second is covered (reported by no change). Returns the covered old and new indices.
    """
    covered_old: set[int] = set()
    covered_new: set[int] = set()
    left_old = [i for i in range(len(old)) if i not in pairs]
    taken = set(pairs.values())
    left_new = [j for j in range(len(new)) if j not in taken]
    if not left_old or not left_new:
        return covered_old, covered_new
    key_old = {i: _loose_key(old[i]) for i in left_old}
    key_new = {j: _loose_key(new[j]) for j in left_new}
    joined_new = {f"{key_new[j]} {key_new[j + 1]}": j for j in left_new if j + 1 in key_new}
    for i in left_old:
        first = joined_new.get(key_old[i])
        if first is not None and first not in taken and first + 1 not in taken:
            pairs[i] = first
            kinds[i] = "split"
            taken.update((first, first + 1))
            covered_new.add(first + 1)
    joined_old = {f"{key_old[i]} {key_old[i + 1]}": i for i in left_old if i + 1 in key_old}
    for j in left_new:
        if j in taken:
            continue
        start = joined_old.get(key_new[j])
        if (
            start is not None
            and start not in pairs
            and start + 1 not in pairs
            and not {start, start + 1} & covered_old
        ):
            pairs[start] = j
            kinds[start] = "split"
            taken.add(j)
            covered_old.add(start + 1)
    return covered_old, covered_new


def _fuzzy_pairs(
    old: list[Clause],
    new: list[Clause],
    pairs: dict[int, int],
    similarity: dict[int, float],
    covered_old: set[int],
    covered_new: set[int],
) -> None:
    """Pair leftover clauses by word similarity, each against a bounded set of indexed candidates.

    Candidates share rare words (an inverted index over the leftovers); they are ranked by word-set
    overlap and only the best few are compared word-sequence against word-sequence.
    """
    left_old = [i for i in range(len(old)) if i not in pairs and i not in covered_old]
    taken = set(pairs.values()) | covered_new
    left_new = [j for j in range(len(new)) if j not in taken]
    if not left_old or not left_new:
        return
    tokens_new = {j: _loose_key(new[j]).split() for j in left_new}
    sets_new = {j: set(words) for j, words in tokens_new.items()}
    postings: dict[str, list[int]] = defaultdict(list)
    for j, new_words in sets_new.items():
        for word in new_words:
            postings[word].append(j)
    # where each leftover sits between anchored pairs, to prefer candidates in the same gap
    anchor_of_new: dict[int, int] = {}
    last = -1
    reverse = {j: i for i, j in pairs.items()}
    for j in range(len(new)):
        if j in reverse:
            last = reverse[j]
        anchor_of_new[j] = last
    scored: list[tuple[float, int, int]] = []
    last_old_anchor = -1
    for i in range(len(old)):
        if i in pairs:
            last_old_anchor = i
            continue
        if i in covered_old:
            continue
        words = _loose_key(old[i]).split()
        if not words:
            continue
        word_set = set(words)
        present = sorted((len(postings[word]), word) for word in word_set if word in postings)
        # rare words vote; if there are none, the three rarest (bounded) do; one count over all the votes
        counts = Counter(
            chain.from_iterable(
                postings[word][: 5 * _MAX_POSTING]
                for rank, (df, word) in enumerate(present)
                if df <= _MAX_POSTING or rank < 3
            )
        )
        ranked = sorted(
            (
                (len(word_set & sets_new[j]) / max(len(word_set), len(sets_new[j])), j)
                for j, _ in counts.most_common(3 * _MAX_CANDIDATES)
            ),
            reverse=True,
        )
        for overlap, j in ranked[:_MAX_CANDIDATES]:
            if overlap < FUZZY_THRESHOLD * 0.8:
                break
            if overlap >= 0.95 and ranked[0][1] == j:
                score = overlap  # nearly the same words: no need for the sequence comparison
            else:
                score = alike.similarity(tokens_new[j], words, cutoff=FUZZY_THRESHOLD)
            if score >= FUZZY_THRESHOLD:
                bonus = 0.05 if anchor_of_new[j] == last_old_anchor else 0.0
                scored.append((score + bonus, i, j))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    used_new: set[int] = set()
    for score, i, j in scored:
        if i in pairs or j in used_new:
            continue
        pairs[i] = j
        used_new.add(j)
        similarity[i] = min(score, 1.0)
