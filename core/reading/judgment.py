"""Judging a change: does it move AI-training language, which way, for whom, and how much.

The two versions are segmented and aligned (``core.text.clauses``) for the record, and read into AI-training
statements (``core.reading.statements``). The judgment compares the two *sets* of statements:

1. a statement whose sentence (with its introducing words) is in both versions is unchanged, wherever it
   sits: moved, duplicated or renumbered text is not a change;
2. a changed sentence whose statement has the same meaning (actor, condition, data, purpose) as a
   statement it replaces is a rewording; if only its enumerated scope grew or shrank (a product added to
   the list a permission applies to), the permission grew or shrank;
3. a near-verbatim copy of a statement already in the other version (a policy that carries an upcoming
   and a current version) is not a change;
4. what remains is the delta: a replaced statement with another condition (never -> with consent ->
   unless opted out -> always) or with more or less data, an added or a removed permission, commitment or
   prohibition. Its direction is from the point of view of AI training becoming more permitted
   (``expands``) or less (``restricts``).

A new version that lost most of the document (an error or login page captured instead of the policy) is
not a judgment about AI terms, whatever AI sentences it no longer carries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from core.pipeline.pagecheck import junk_reason, other_document
from core.reading.profile import FIELDS, decide, relevant_statements
from core.reading.statements import Statement, definitions, statements, terms_used
from core.reading.vocabulary import SENSITIVE_DATA
from core.text.clauses import Clause, ClauseChange, align, segment
from core.text.similarity import word_similarity, words_kept

Direction = Literal["expands", "restricts", "mixed", "neutral"]
Severity = Literal["high", "medium", "low", "none"]

_ACTOR_ORDER = ("third_party", "vendor", "user")
LOST_DOCUMENT_RATIO = 0.3
"""A new version with fewer than this share of the old version's words lost the document, not terms."""
_MIN_WORDS_FOR_LOSS = 300
_REWRITE_SIMILARITY = 0.7
"""Word similarity above which a changed statement is the rewrite of a removed one, whatever it now says."""
_SAME_CLAUSE_SIMILARITY = 0.55
"""The same, for two statements of the same clause."""


@dataclass(frozen=True)
class Delta:
    """One change of meaning: a statement added, removed, or replaced by one that says otherwise."""

    direction: Direction
    actor: str
    added: Statement | None
    removed: Statement | None
    reason: str


@dataclass(frozen=True)
class Verdict:
    """The judgment of one change between two versions.

    ``added``/``removed`` quote the decisive sentences; ``clause_changes`` are all the clause-level
    differences (cosmetic ones have ``substantive=False``); ``deltas`` the statement-level changes that
    decided the verdict.
    """

    ai_training_change: bool
    direction: Direction | None
    actor: str | None
    severity: Severity
    explanation: str
    added: list[str]
    removed: list[str]
    clause_changes: list[ClauseChange]
    deltas: list[Delta] = field(default_factory=list)
    substantive: bool = True

    @property
    def ai_clause_changes(self) -> list[ClauseChange]:
        """The clause changes that carry the statement changes: what an alert should quote and diff."""
        new_ids = {d.added.clause_id for d in self.deltas if d.added is not None}
        old_ids = {d.removed.clause_id for d in self.deltas if d.removed is not None}
        return [
            change
            for change in self.clause_changes
            if change.substantive
            and (
                (change.new is not None and change.new.id in new_ids)
                or (change.old is not None and change.old.id in old_ids)
            )
        ]


def judge(old_text: str, new_text: str) -> Verdict:
    """Judge the change from ``old_text`` to ``new_text`` (Markdown-like text of two versions)."""
    return judge_clauses(segment(old_text), segment(new_text))


def judge_clauses(
    old: list[Clause],
    new: list[Clause],
    *,
    old_statements: list[Statement] | None = None,
    new_statements: list[Statement] | None = None,
) -> Verdict:
    """Judge the change between two segmented versions (with their statements when the caller has them:
    stored with the old version, carried over for unchanged clauses; ``core.reading.stored``)."""
    changes = align(old, new)
    substantive = [change for change in changes if change.substantive]
    if not substantive:
        return Verdict(
            False,
            None,
            None,
            "none",
            "No substantive change: only renumbering, moved clauses or formatting.",
            [],
            [],
            changes,
            substantive=False,
        )
    glitch = _lost_document(old, new)
    if glitch:
        return Verdict(
            False, None, None, "none", f"Not judged as a change of terms: {glitch}.", [], [], changes
        )
    old_statements = statements(old) if old_statements is None else old_statements
    new_statements = statements(new) if new_statements is None else new_statements
    deltas = compare(old_statements, new_statements) + definition_deltas(
        old, new, old_statements, new_statements
    )
    if not deltas:
        return Verdict(
            False,
            None,
            None,
            "none",
            "Substantive change, but no change in what the document says about training AI on data.",
            [],
            [],
            changes,
        )
    direction, actor = _overall(deltas)
    decisive = [d for d in deltas if direction in ("mixed", "neutral") or d.direction == direction] or deltas
    explanation = _explain(direction, actor, decisive)
    moved = profile_moves(old_statements, new_statements)
    against = [point for point, way in moved.items() if way != direction]
    if direction in ("expands", "restricts") and against and len(against) == len(moved):
        # every profile point that moved went the other way: the statements and the profile disagree,
        # so say so rather than pick one ("No -> Yes" is never announced as "restricts")
        direction = "mixed"
        decisive = deltas
        explanation += " The AI data-use profile moved the other way on: " + ", ".join(against) + "."
    added = _unique(d.added.sentence for d in decisive if d.added)
    removed = _unique(d.removed.sentence for d in decisive if d.removed)
    return Verdict(
        True,
        direction,
        actor,
        _severity(direction, decisive),
        explanation,
        added,
        removed,
        changes,
        deltas,
    )


# ----------------------------------------------------------------------------------------------------
# Comparing the statement sets


def _dedupe(items: list[Statement]) -> list[Statement]:
    seen: set[tuple[str, tuple[object, ...]]] = set()
    out: list[Statement] = []
    for item in items:
        marker = (item.norm, item.key)
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


def compare(old: list[Statement], new: list[Statement]) -> list[Delta]:
    """The changes of meaning between the statements of an old and a new version."""
    old_norms = {s.norm for s in old}
    new_norms = {s.norm for s in new}
    added = _dedupe([s for s in new if s.norm not in old_norms])
    unchanged = [s for s in new if s.norm in old_norms]
    removed = _dedupe([s for s in old if s.norm not in new_norms])
    deltas: list[Delta] = []

    # a sentence rewritten in place: pair it with its old text first, then compare meanings, so that two
    # rewritten sentences that swapped meanings do not cancel out as rewordings of each other
    pairs = sorted(
        (
            (score, j, i)
            for j, a in enumerate(added)
            for i, r in enumerate(removed)
            if a.actor == r.actor and a.purpose == r.purpose
            for score in (word_similarity(a.norm, r.norm),)
            if score >= _REWRITE_SIMILARITY
            or (score >= _SAME_CLAUSE_SIMILARITY and a.clause_id is not None and a.clause_id == r.clause_id)
        ),
        key=lambda t: -t[0],
    )
    paired_added: set[int] = set()
    paired_removed: set[int] = set()
    for score, j, i in pairs:
        if j in paired_added or i in paired_removed:
            continue
        a, r = added[j], removed[i]
        if a.key == r.key:
            if score < 0.6:
                continue  # left to the matching of meanings below
            scope_delta = _scope_delta(r, a)
            if scope_delta:
                deltas.append(scope_delta)
        else:
            replaced = _replacement(r, a)
            if replaced:
                deltas.append(replaced)
        paired_added.add(j)
        paired_removed.add(i)
    added = [a for j, a in enumerate(added) if j not in paired_added]
    removed = [r for i, r in enumerate(removed) if i not in paired_removed]

    # same meaning, other words: a rewording (possibly of the enumerated scope)
    matched_removed: set[int] = set()
    rest_added: list[Statement] = []
    for a in added:
        same = [(i, r) for i, r in enumerate(removed) if r.key == a.key]
        if not same:
            rest_added.append(a)
            continue
        score, i, r = max(((word_similarity(a.norm, r.norm), i, r) for i, r in same), key=lambda t: t[0])
        matched_removed.add(i)
        if score >= 0.6 or _extends(a.norm, r.norm):
            scope_delta = _scope_delta(r, a)
            if scope_delta:
                deltas.append(scope_delta)
    rest_removed = [r for i, r in enumerate(removed) if i not in matched_removed]

    # near-verbatim copies of statements the other version still carries
    rest_added = [a for a in rest_added if not _has_copy(a, old)]
    rest_removed = [r for r in rest_removed if not _has_copy(r, new)]

    # replaced by a statement that says otherwise
    used: set[int] = set()
    for a in rest_added:
        best: tuple[float, int] | None = None
        for i, r in enumerate(rest_removed):
            if i in used or r.actor != a.actor or r.purpose != a.purpose:
                continue
            score = word_similarity(a.norm, r.norm)
            if a.data == r.data and "unspecified" not in a.data:
                score += 0.3
            close = score >= 0.5 or bool(a.data & r.data and a.clause_id == r.clause_id)
            if close and (best is None or score > best[0]):
                best = (score, i)
        if best is None:
            conditioned = _conditions_unchanged(a, unchanged, added=True)
            if conditioned is not False:
                if conditioned is not None:
                    deltas.append(conditioned)
                continue
            direction: Direction = "restricts" if a.negated else "expands"
            what = (
                "prohibition"
                if a.actor == "user" and a.negated
                else "commitment"
                if a.negated
                else "permission"
            )
            deltas.append(Delta(direction, a.actor, a, None, f"new {what}"))
            continue
        used.add(best[1])
        replaced = _replacement(rest_removed[best[1]], a)
        if replaced:
            deltas.append(replaced)
    for i, r in enumerate(rest_removed):
        if i in used:
            continue
        conditioned = _conditions_unchanged(r, unchanged, added=False)
        if conditioned is not False:
            if conditioned is not None:
                deltas.append(conditioned)
            continue
        direction = "expands" if r.negated else "restricts"
        what = (
            "prohibition" if r.actor == "user" and r.negated else "commitment" if r.negated else "permission"
        )
        deltas.append(Delta(direction, r.actor, None, r, f"{what} removed"))
    return deltas


def definition_deltas(
    old_clauses: list[Clause], new_clauses: list[Clause], old_st: list[Statement], new_st: list[Statement]
) -> list[Delta]:
    """An unchanged training statement whose defined term ("We use Usage Data to train ...") now covers
    more data (or less) applies to more (or less): the definition's change is the statement's."""
    old_norms = {s.norm for s in old_st}
    unchanged = [s for s in new_st if s.norm in old_norms]
    terms = terms_used(s.sentence for s in unchanged)
    if not terms:
        return []
    old, new = definitions(old_clauses, terms), definitions(new_clauses, terms)
    deltas: list[Delta] = []
    for term, after in new.items():
        before = old.get(term)
        if before is None or not (before.data < after.data or after.data < before.data):
            continue
        wider = before.data < after.data
        term_re = re.compile(rf"\b{re.escape(term)}\b")
        statement = next((s for s in unchanged if term_re.search(s.sentence)), None)
        if statement is None:
            continue
        direction: Direction = "expands" if wider != (statement.permissiveness == 0) else "restricts"
        said = [s for s in after.sentences if s not in before.sentences] or list(after.sentences)
        gone = [s for s in before.sentences if s not in after.sentences] or list(before.sentences)
        deltas.append(
            Delta(
                direction,
                statement.actor,
                replace(statement, sentence=said[-1], clause_id=after.clause_id),
                replace(statement, sentence=gone[-1], clause_id=before.clause_id),
                f'definition of "{term}" {"widened" if wider else "narrowed"}, which '
                f"\u201c{statement.sentence[:120]}\u201d uses",
            )
        )
    return deltas


def _conditions_unchanged(
    statement: Statement, unchanged: list[Statement], added: bool
) -> Delta | Literal[False] | None:
    """An added (removed) statement that puts a condition on (takes one off) a permission both versions carry.

    "You can turn this off in Settings" next to an unchanged "We use your posts to train our models" is a
    control added to the permission, not a new permission: less permissive than the unchanged statement
    (same actor and purpose, overlapping data), it restricts training when added and expands it when
    removed; as permissive and about no more data, it only repeats the unchanged one (``None``: no change).
    ``False`` when no unchanged statement bears on it.
    """
    related = [
        u
        for u in unchanged
        if u.actor == statement.actor
        and u.purpose == statement.purpose
        and u.data & statement.data
        and "unspecified" not in u.data | statement.data
    ]
    if not related:
        return False
    if any(statement.permissiveness < u.permissiveness for u in related):
        direction: Direction = "restricts" if added else "expands"
        what = "control added to" if added else "control removed from"
        return Delta(
            direction,
            statement.actor,
            statement if added else None,
            None if added else statement,
            f"{what} an unchanged permission ({statement.condition})",
        )
    if any(statement.permissiveness == u.permissiveness and statement.data <= u.data for u in related):
        return None
    return False


def _extends(one: str, other: str) -> bool:
    """Whether one sentence is the other with words added ("..., except classification models"): a
    longer sentence that keeps nine in ten of the shorter one's words, in order, rewrites it, however much
    it adds (the same words in another order are another sentence)."""
    return words_kept(one, other) >= 0.9


def _has_copy(statement: Statement, others: list[Statement]) -> bool:
    return any(o.key == statement.key and word_similarity(statement.norm, o.norm) >= 0.85 for o in others)


_NARROWING_LISTS = ("excl", "only")
"""Object lists whose growth narrows a statement: data carved out, and "only" limiting the data."""


def _scope_delta(old: Statement, new: Statement, objects_only: bool = False) -> Delta | None:
    """A same-meaning statement that applies to more (or less): its enumerations, its own data objects
    and the reach of the models it trains.

    Each list is compared on its own; one that both gained and lost items was reorganised (merged
    categories, a renamed product) and decides nothing. Data carved out ("but we exclude ...") or limited
    by "only" narrows. Wider on one list and narrower on another is mixed. ``objects_only``: between two
    statements about different data categories, only the sentences' own objects are comparable.
    """
    old_items = old.objects if objects_only else old.scope | old.objects
    new_items = new.objects if objects_only else new.scope | new.objects
    wider: list[str] = []
    narrower: list[str] = []
    if not any(i.startswith("data:") for i in old.objects) or not any(
        i.startswith("data:") for i in new.objects
    ):
        # a sentence whose data object was not found ("X is kept out of the data we use to train")
        # cannot be compared object by object
        old_items = frozenset(i for i in old_items if not i.startswith(("data:", "only:")))
        new_items = frozenset(i for i in new_items if not i.startswith(("data:", "only:")))
    for k in sorted({item.split(":", 1)[0] for item in old_items | new_items}):
        before = {i.split(":", 1)[1] for i in old_items if i.split(":", 1)[0] == k}
        after = {i.split(":", 1)[1] for i in new_items if i.split(":", 1)[0] == k}
        gained, lost = sorted(after - before), sorted(before - after)
        if bool(gained) == bool(lost):
            continue
        grew = bool(gained) != (k in _NARROWING_LISTS)
        # a carve-out reads as one: "except X" when it was added, "without X" (no longer carved) when lost
        label = ("except " if gained else "without ") if k == "excl" else ""
        (wider if grew else narrower).extend(f"{label}{i}" for i in gained or lost)
    if new.reach != old.reach:
        (wider if new.reach > old.reach else narrower).append("the models trained")
    if not wider and not narrower:
        return None
    if wider and narrower:
        return Delta(
            "mixed",
            new.actor,
            new,
            old,
            f"scope widened ({', '.join(wider)}) and narrowed ({', '.join(narrower)})",
        )
    # a wider permission expands training; a wider commitment or prohibition restricts it
    direction: Direction = "expands" if bool(wider) != (new.permissiveness == 0) else "restricts"
    items = ", ".join(wider or narrower)
    return Delta(direction, new.actor, new, old, f"scope {'widened' if wider else 'narrowed'}: {items}")


def _replacement(old: Statement, new: Statement) -> Delta | None:
    """A statement rewritten to say otherwise: its condition moved, or its data widened or narrowed; a
    condition and data that moved opposite ways ("we now also use your emails, and you may object to the
    use of call recordings") make the rewrite mixed."""
    data_way: Direction | None = None
    comparable = new.data > old.data or old.data > new.data
    if comparable and "unspecified" not in new.data | old.data:
        more = new.data > old.data
        data_way = "expands" if more == (new.permissiveness > 0 or old.permissiveness > 0) else "restricts"
    if new.permissiveness != old.permissiveness:
        direction: Direction = "expands" if new.permissiveness > old.permissiveness else "restricts"
        reason = f"condition {old.condition} -> {new.condition}"
        if data_way is not None and data_way != direction:
            return Delta(
                "mixed", new.actor, new, old, f"{reason}, and data {'widened' if more else 'narrowed'}"
            )
        return Delta(direction, new.actor, new, old, reason)
    if data_way is not None:
        return Delta(data_way, new.actor, new, old, "data " + ("widened" if more else "narrowed"))
    return _scope_delta(old, new, objects_only=True)


_PROFILE_ORDER = {"no": 0, "with_consent": 1, "opt_out": 2, "yes": 3}
"""The profile values that say how much training a point allows (unclear and not stated say nothing)."""
_TRAINING_POINTS = ("customer_content_training", "usage_data_training", "third_party_training")


def profile_moves(old: list[Statement], new: list[Statement]) -> dict[str, Direction]:
    """The AI data-use profile points whose value moved decisively, and which way ("No" -> "Yes" expands).

    A move counts when it leaves or reaches "no", or skips a step ("with consent" -> "yes"): one step
    between allowed values ("yes" -> "opt out" when an opt-out is added beside wider data) is what the
    statements read more finely than the profile, which has one value per point.
    """
    moved: dict[str, Direction] = {}
    for point in _TRAINING_POINTS:
        before = _PROFILE_ORDER.get(decide(relevant_statements(old, point))[0])
        after = _PROFILE_ORDER.get(decide(relevant_statements(new, point))[0])
        if before is None or after is None or before == after:
            continue
        if 0 in (before, after) or abs(after - before) >= 2:
            moved[FIELDS[point]] = "expands" if after > before else "restricts"
    return moved


def materiality(delta: Delta) -> int:
    """How much a change of meaning weighs: who is bound, whose data, and how far the condition moved.

    The customer's or people's data weighs twice usage data; the vendor's and third parties' training
    twice a rule on users; a condition that moves from "always" to "never" three times one that moves a
    step (opt-out to consent). So one material expansion is not outvoted by two cosmetic restrictions.
    """
    statement = delta.added or delta.removed
    assert statement is not None
    data = 2 if statement.data & SENSITIVE_DATA else 1
    bound = 1 if delta.actor == "user" else 2
    if delta.added and delta.removed:
        step = abs(delta.added.permissiveness - delta.removed.permissiveness) or 1
    else:
        step = max(statement.permissiveness, 2)  # a permission by its reach; a commitment or a ban: 2
    return data * bound * step


def _overall(deltas: list[Delta]) -> tuple[Direction, str]:
    votes: Counter[str] = Counter()
    for delta in deltas:
        # a mixed change of meaning weighs on both sides
        for side in ("expands", "restricts") if delta.direction == "mixed" else (delta.direction,):
            votes[side] += materiality(delta)
    expands, restricts = votes["expands"], votes["restricts"]
    direction: Direction
    if expands and restricts:
        if expands >= 2 * restricts:
            direction = "expands"
        elif restricts >= 2 * expands:
            direction = "restricts"
        else:
            direction = "mixed"
    elif expands:
        direction = "expands"
    elif restricts:
        direction = "restricts"
    else:
        direction = "neutral"
    relevant = {d.actor for d in deltas if direction in ("mixed", "neutral") or d.direction == direction}
    # data leaving for third parties' own training outweighs the vendor's, which outweighs rules on users
    actor = next(a for a in _ACTOR_ORDER if a in relevant)
    return direction, actor


def _severity(direction: Direction, decisive: list[Delta]) -> Severity:
    if direction == "neutral":
        return "low"
    if all(d.actor == "user" for d in decisive):
        return "low"
    if direction in ("expands", "mixed"):
        for d in decisive:
            s = d.added or d.removed
            if s is None or d.actor == "user" or d.direction != "expands":
                continue
            if s.data & SENSITIVE_DATA and (d.added is None or d.added.condition in ("always", "opt_out")):
                return "high"
    return "medium"


def _quote(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def _explain(direction: Direction, actor: str, decisive: list[Delta]) -> str:
    who = {"vendor": "the vendor", "third_party": "third parties", "user": "users/customers"}.get(
        actor, actor
    )
    parts = [f"AI-training language {direction} ({who})."]
    for d in decisive[:4]:
        line = f"{d.reason[:1].upper()}{d.reason[1:]}"
        if d.added is not None:
            line += f": + {_quote(d.added.sentence)}"
        if d.removed is not None:
            line += f"{':' if d.added is None else ';'} - {_quote(d.removed.sentence)}"
        parts.append(line)
    if len(decisive) > 4:
        parts.append(f"(and {len(decisive) - 4} more)")
    return " ".join(parts)


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


# ----------------------------------------------------------------------------------------------------
# Capture glitches


def _word_count(clauses: list[Clause]) -> int:
    """Roughly: six characters a word is close enough to compare two versions of one document."""
    return sum(len(c.text) for c in clauses) // 6


def _lost_document(old: list[Clause], new: list[Clause]) -> str | None:
    """Why the new version is not the document any more (an error, login or empty page, or another
    document shown at the same address), or None."""
    other = other_document(_as_text(old), _as_text(new))
    if other:
        return other
    old_words, new_words = _word_count(old), _word_count(new)
    if old_words >= _MIN_WORDS_FOR_LOSS and new_words < LOST_DOCUMENT_RATIO * old_words:
        return f"the new version lost most of the document ({new_words} of {old_words} words)"
    if new_words < old_words / 2:
        reason = junk_reason("\n\n".join(c.text for c in new))
        if reason:
            return f"the new version looks like a capture glitch ({reason})"
    return None


def _as_text(clauses: list[Clause]) -> str:
    """The clauses as paragraphs again, headings marked, for the page checks that read a text."""
    return "\n\n".join(f"# {c.text}" if c.kind == "heading" else c.text for c in clauses)
