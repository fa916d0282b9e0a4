"""Finding a bookmarked passage again in a text that may have changed.

A bookmark points into an article's shown text with two W3C Web Annotation
selectors: a TextQuoteSelector (the exact passage with some context before
and after) and a TextPositionSelector (its start and end). The store also
keeps the text the selectors were made on, so when the article changes the
two texts are compared (:class:`Change`) and the passage is followed through
the edit: untouched, it is where the edit moved it; edited, it is looked for
at its own place; removed, it is lost.

Without the old text (a bookmark imported from elsewhere) the selectors alone
decide (:func:`locate`):

1. the exact quote where it was;
2. the exact quote nearest its old place, its context deciding;
3. an approximate match (rapidfuzz), in which the old position and the
   surrounding context weigh as much as the quote.

When no candidate is clearly the passage (two fit about equally and neither
is at the old place) or none fits, the bookmark is lost: it is kept, detached,
with the candidates as suggestions, rather than guessed. The selectors alone
can still be fooled by what they cannot see: an identical copy of the passage
with the same context, or a look-alike standing where a removed passage was;
following the edit cannot.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass, replace
from itertools import accumulate, pairwise

from rapidfuzz import fuzz

CONTEXT = 32
MIN_QUOTE = 0.75  # an edited passage still has three quarters of its quote
ACCEPT = 0.72  # an approximate match scoring less is only a suggestion
MIN_FIT = 0.6  # below this likeness to the quote, a match is only a suggestion
AMBIGUOUS = 0.05  # two candidates whose fit differs by less are alike
MAX_EXACT = 2000  # occurrences of a quote weighed before giving up on the rest
MAX_PROBES = 48  # windows searched for an approximate match
SUGGESTIONS = 3
MAX_SLACK = 120  # the most characters an end is moved to fit (each try compares the quote)
LONG_QUOTE = 1_000  # longer quotes are not aligned character by character
REFINE = 20_000  # changed stretches up to this long are compared word by word
_WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_Block = tuple[int, int, int, int, bool]  # old start, old end, new start, new end, equal


@dataclass(frozen=True)
class Selector:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    verbatim: bool  # the quote was found as written (else only approximately)

    def selector(self, text: str) -> Selector:
        return selector_for(text, self.start, self.end)


@dataclass(frozen=True)
class Lost:
    """The passage is not clearly anywhere: these places look most like it."""

    suggestions: tuple[tuple[int, int], ...] = ()


Found = Anchor | Lost


def selector_for(text: str, start: int, end: int) -> Selector:
    return Selector(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
    )


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return float(fuzz.ratio(a, b)) / 100.0


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by halving (string compares run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _starts(pieces: list[str], base: int) -> list[int]:
    """Where each piece (a line, a word) starts, and where the last ends, from ``base``."""
    return list(accumulate(map(len, pieces), initial=base))


def _opcodes(a: list[str], b: list[str]) -> list[_Block]:
    """(i1, i2, j1, j2, equal) stretches turning pieces ``a`` (lines, words) into ``b``."""
    matches: list[tuple[int, int, int]] = []  # (i, j, size), in order
    _match(a, b, 0, len(a), 0, len(b), matches)
    ops: list[_Block] = []
    i = j = 0
    for mi, mj, size in matches:
        if i < mi or j < mj:
            ops.append((i, mi, j, mj, False))
        ops.append((mi, mi + size, mj, mj + size, True))
        i, j = mi + size, mj + size
    if i < len(a) or j < len(b):
        ops.append((i, len(a), j, len(b), False))
    return ops


def _match(
    a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int,
    out: list[tuple[int, int, int]],
) -> None:  # fmt: skip
    """Append the runs of equal pieces of ``a[i1:i2]`` and ``b[j1:j2]``, in order.

    Pieces (lines, words) found once in each are matched first, in order (the longest run of
    them that keeps its order), and grown into runs of equal lines; what is
    left between them is matched the same way, and difflib takes only what
    has no such line. So many edits far apart cost about as little as one.
    """
    if i1 >= i2 or j1 >= j2:
        return
    count_a, count_b = Counter(a[i1:i2]), Counter(b[j1:j2])
    only_in_b = {x: j for j, x in enumerate(b[j1:j2], j1) if count_b[x] == 1}
    pairs = [
        (i, only_in_b[x]) for i, x in enumerate(a[i1:i2], i1) if count_a[x] == 1 and x in only_in_b
    ]
    if not pairs:
        # Without junk, repeated items (blank lines, spaces) still match and keep the
        # pieces apart; past a size that would cost too much, difflib may drop them.
        small = (i2 - i1) * (j2 - j1) <= 4_000_000
        matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=not small)
        out.extend((i1 + i, j1 + j, n) for i, j, n in matcher.get_matching_blocks() if n)
        return
    i_end, j_end = i1, j1
    for i, j in _in_order(pairs):
        if i < i_end or j < j_end:
            continue  # inside a run already grown
        start_i, start_j = i, j
        while start_i > i_end and start_j > j_end and a[start_i - 1] == b[start_j - 1]:
            start_i, start_j = start_i - 1, start_j - 1
        _match(a, b, i_end, start_i, j_end, start_j, out)
        end_i, end_j = i + 1, j + 1
        while end_i < i2 and end_j < j2 and a[end_i] == b[end_j]:
            end_i, end_j = end_i + 1, end_j + 1
        out.append((start_i, start_j, end_i - start_i))
        i_end, j_end = end_i, end_j
    _match(a, b, i_end, i2, j_end, j2, out)


def _in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (ordered by i) whose j grow too."""
    js = [j for _i, j in pairs]
    if all(map(int.__lt__, js, js[1:])):
        return pairs  # nothing moved: all of them (the usual case)
    tails: list[int] = []  # j of the last pair of the best run of each length
    tail_at: list[int] = []  # index in pairs of that pair
    before = [-1] * len(pairs)
    for k, (_i, j) in enumerate(pairs):
        n = bisect.bisect_left(tails, j)
        if n == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[n], tail_at[n] = j, k
        before[k] = tail_at[n - 1] if n else -1
    run: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        run.append(pairs[k])
        k = before[k]
    return run[::-1]


class Change:
    """How ``old`` became ``new``: the stretches both share, found once per edit.

    The common beginning and end are cut off first (an edit is usually in one
    place); what is left is compared line by line, and changed lines word by
    word when a position in them is asked for. A changed stretch longer than
    REFINE is not compared word by word: a position in it is only estimated,
    and the passage is then found from its selectors near there.
    """

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        head = _common_prefix(old, new)
        head = old.rfind("\n", 0, head) + 1  # whole lines, so the diff sees them
        tail = _common_suffix(old, new, min(len(old), len(new)) - head)
        cut = old.find("\n", len(old) - tail)  # the first whole line in the common end
        tail = 0 if cut < 0 else len(old) - cut - 1
        old_mid = old[head : len(old) - tail].splitlines(keepends=True)
        new_mid = new[head : len(new) - tail].splitlines(keepends=True)
        old_at, new_at = _starts(old_mid, head), _starts(new_mid, head)
        blocks: list[_Block] = [(0, head, 0, head, True)]  # in characters, in order
        for i1, i2, j1, j2, equal in _opcodes(old_mid, new_mid):
            blocks.append((old_at[i1], old_at[i2], new_at[j1], new_at[j2], equal))
        blocks.append((len(old) - tail, len(old), len(new) - tail, len(new), True))
        self._blocks = [b for b in blocks if b[0] < b[1] or b[2] < b[3]]
        self._starts = [b[0] for b in self._blocks]
        self._new_starts = [b[2] for b in self._blocks]
        self._words: dict[int, list[_Block]] = {}

    def _refined(self, k: int) -> list[_Block]:
        """Block ``k``, and within changed lines what the words say: those around an edit
        are kept."""
        o1, o2, n1, n2, equal = self._blocks[k]
        if equal or o2 - o1 > REFINE or n2 - n1 > REFINE:
            return [self._blocks[k]]
        if k not in self._words:
            old_lines = self.old[o1:o2].splitlines(keepends=True)
            new_lines = self.new[n1:n2].splitlines(keepends=True)
            if len(old_lines) == len(new_lines):  # each line edited where it is
                bounds = list(zip(_starts(old_lines, o1), _starts(new_lines, n1), strict=True))
            else:
                bounds = [(o1, n1), (o2, n2)]
            self._words[k] = [
                block
                for (a1, b1), (a2, b2) in pairwise(bounds)
                for block in self._word_blocks(a1, a2, b1, b2)
            ]
        return self._words[k]

    def _word_blocks(self, o1: int, o2: int, n1: int, n2: int) -> list[_Block]:
        old_words, new_words = _WORD.findall(self.old[o1:o2]), _WORD.findall(self.new[n1:n2])
        old_at, new_at = _starts(old_words, o1), _starts(new_words, n1)
        return [
            (old_at[i1], old_at[i2], new_at[j1], new_at[j2], equal)
            for i1, i2, j1, j2, equal in _opcodes(old_words, new_words)
        ]

    def _block(self, pos: int) -> _Block:
        k = max(0, bisect.bisect_right(self._starts, pos) - 1)
        while k + 1 < len(self._blocks) and self._blocks[k][1] <= pos:
            k += 1  # past blocks that are only insertions
        for block in self._refined(k):
            if block[0] <= pos < block[1]:
                return block
        return self._blocks[k]

    def where(self, pos: int, end: bool = False) -> tuple[int, str]:
        """Where old ``pos`` is in the new text, and how that is known: "kept" (its
        character is unchanged), "changed" (it was in words the edit replaced) or
        "guessed" (in a changed stretch too long to compare word by word: only an
        estimate in proportion).

        An end is placed after the character before it. A start in changed words
        goes to the start of what replaced them, an end to the end of it.
        """
        at = pos - 1 if end and pos > 0 else pos
        o1, o2, n1, n2, equal = self._block(at)
        if equal:
            return n1 + at - o1 + (1 if end and pos > 0 else 0), "kept"
        if o2 - o1 <= REFINE and n2 - n1 <= REFINE:
            return (n2 if end else n1), "changed"
        return n1 + round((pos - o1) * (n2 - n1) / max(1, o2 - o1)), "guessed"

    def added(self, start: int, end: int) -> bool:
        """Whether new ``[start, end)`` is mostly text the edit put in (not text that was
        there before): where a passage that was moved can have gone."""
        k = max(0, bisect.bisect_right(self._new_starts, start) - 1)
        same = 0
        for _o1, _o2, n1, n2, equal in self._blocks[k:]:
            if n1 >= end:
                break
            if equal:
                same += max(0, min(n2, end) - max(n1, start))
        return same < (end - start) / 2

    def kept(self, start: int, end: int) -> int:
        """How many characters of old ``[start, end)`` are still in the new text."""
        count = 0
        for k in range(max(0, bisect.bisect_right(self._starts, start) - 1), len(self._blocks)):
            if self._blocks[k][0] >= end:
                break
            for o1, o2, _n1, _n2, equal in self._refined(k):
                if equal:
                    count += max(0, min(o2, end) - max(o1, start))
        return count


def follow(text: str, sel: Selector, change: Change | None) -> Found:
    """Where the passage ``sel`` points to is in ``text`` after ``change``.

    ``change`` is how the text the selectors were made on became ``text``;
    without it (or when it does not hold the quote) the selectors decide.
    """
    if not sel.exact:
        return Lost()
    if change is None or change.old[sel.start : sel.end] != sel.exact:
        return locate(text, sel)
    start, start_is = change.where(sel.start)
    end, end_is = change.where(sel.end, end=True)
    if start_is == end_is == "kept" and text[start:end] == sel.exact:
        return Anchor(start, end, True)  # untouched, wherever the edit moved it
    if "guessed" in (start_is, end_is):
        # Somewhere in a long rewritten stretch: the selectors decide, from about there.
        return locate(text, replace(sel, start=start, end=max(start, end)))
    n = len(sel.exact)
    kept = change.kept(sel.start, sel.end)
    if kept < n // 2 and end - start < n // 2:
        # Removed here. Only the very words elsewhere are the passage (it was
        # moved); anything merely alike is a neighbour, and only a suggestion.
        moved = locate(text, sel, approximate=False)
        if isinstance(moved, Anchor) and change.added(moved.start, moved.end):
            return moved
        return Lost(_top(text, _approximate(text, sel), sel))
    if start < end and (kept >= n // 2 or _similarity(text[start:end], sel.exact) >= MIN_QUOTE):
        return Anchor(start, end, False)  # edited in place: most of its words are still there
    # Changed past recognition where it was: the selectors decide, from where it
    # would be now; if they cannot, what now stands in its place is the first guess.
    found = locate(text, replace(sel, start=start, end=max(start, end)))
    if isinstance(found, Lost) and start < end:
        others = [s for s in found.suggestions if s[1] <= start or s[0] >= end]
        return Lost(_trimmed(text, [(start, end), *others])[:SUGGESTIONS])
    return found


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    quote: float  # similarity of the words found to the quote
    context: float  # of the text around them to the quote's context
    distance: int  # from the old start

    def fit(self) -> float:
        return 0.5 * self.quote + 0.5 * self.context

    def score(self, scale: int) -> float:
        """The quote weighs as much as its context and its place together."""
        closeness = 1.0 / (1.0 + self.distance / scale)
        return 0.5 * self.quote + 0.25 * self.context + 0.25 * closeness


def _context(text: str, sel: Selector, start: int, end: int) -> float:
    # As much as a selector holds: a short prefix was the start of the text.
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return 0.5 * _similarity(before, sel.prefix) + 0.5 * _similarity(after, sel.suffix)


def _near(sel: Selector) -> int:
    """How far from its old start a passage still counts as at its old place."""
    return 256 + len(sel.exact)


def _scale(sel: Selector) -> int:
    """The distance at which a candidate counts half as close: a passage's length."""
    return max(32, len(sel.exact))


def locate(text: str, sel: Selector, approximate: bool = True) -> Found:
    """Where ``sel`` points in ``text``, from the selectors alone."""
    if not sel.exact:
        return Lost()
    if 0 <= sel.start < sel.end <= len(text) and text[sel.start : sel.end] == sel.exact:
        return Anchor(sel.start, sel.end, True)
    n, near = len(sel.exact), _near(sel)
    exact = _occurrences(text, sel.exact, sel.start)
    for at in exact[:1]:  # the nearest: with all its context, at its old place, it is the one
        if abs(at - sel.start) <= near and _context(text, sel, at, at + n) == 1.0:
            return Anchor(at, at + n, True)
    cands = [
        _Candidate(at, at + n, 1.0, _context(text, sel, at, at + n), abs(at - sel.start))
        for at in exact
    ]
    if not approximate:
        return _choose(text, cands, sel) if cands else Lost()
    if cands and min(c.distance for c in cands) <= near:
        return _choose(text, cands, sel)
    # Copies far away, or none: the passage edited where it was may be nearer the truth.
    nearby = _approximate(text, sel)
    if not cands and _closed_up(text, sel):
        return Lost(_top(text, nearby, sel))  # what stood around it now stands together
    scale = _scale(sel)
    # The quote, its context and its place together decide; a quote changed this much
    # (MIN_FIT) is the passage only if its context and place vouch for it.
    good = [c for c in nearby if c.quote >= MIN_FIT and c.score(scale) >= ACCEPT]
    if not good and not cands:
        return Lost(_top(text, nearby, sel))
    return _choose(text, cands + good, sel)


def _choose(text: str, cands: list[_Candidate], sel: Selector) -> Found:
    """The candidate that is clearly the passage, or Lost with the likeliest ones."""
    near, scale = _near(sel), _scale(sel)
    ranked = sorted(cands, key=lambda c: (-c.score(scale), c.distance))
    best = ranked[0]
    rivals = [
        c
        for c in ranked[1:]
        if c.fit() >= best.fit() - AMBIGUOUS and (c.end <= best.start or c.start >= best.end)
    ]
    if rivals and best.distance > near:
        return Lost(_trimmed(text, [(c.start, c.end) for c in ranked[:SUGGESTIONS]]))
    return Anchor(best.start, best.end, best.quote == 1.0)


def _occurrences(text: str, needle: str, around: int) -> list[int]:
    """Starts of ``needle`` in ``text``, nearest ``around`` first (at most MAX_EXACT)."""
    found: list[int] = []
    at = text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    found.sort(key=lambda a: abs(a - around))  # the nearest first
    del found[MAX_EXACT:]
    return found


def _approximate(text: str, sel: Selector) -> list[_Candidate]:
    """Places resembling the quote: at its old place, and where pieces of it or its
    context still occur."""
    quote, n = sel.exact, len(sel.exact)
    piece = max(6, min(24, n // 3))
    seeds: list[int] = [sel.start]
    probes = [(quote[:piece], 0), (quote[(n - piece) // 2 :][:piece], (n - piece) // 2)]
    probes.append((quote[-piece:], n - piece))
    if sel.prefix:
        probes.append((sel.prefix[-16:], -min(16, len(sel.prefix))))
    if sel.suffix:
        probes.append((sel.suffix[:16], n))
    for probe, offset in probes:
        if len(probe.strip()) < 4:
            continue
        hits = _occurrences(text, probe, sel.start + offset)
        seeds += [at - offset for at in hits[: MAX_PROBES // len(probes) + 1]]
    # Aligning a long quote costs about its length squared: fewer places for long ones.
    most = max(4, min(MAX_PROBES, MAX_PROBES * 500 // max(n, 1)))
    seeds = sorted(set(seeds), key=lambda s: abs(s - sel.start))[:most]
    found: dict[int, _Candidate] = {}
    for s, e in _between_context(text, sel):
        found[s] = _Candidate(s, e, _similarity(text[s:e], quote), _context(text, sel, s, e),
                              abs(s - sel.start))  # fmt: skip
    slack = 8 + n // 8  # a window much wider would hold a neighbour more like the quote
    for seed in seeds:
        lo, hi = max(0, seed - slack), min(len(text), seed + n + slack)
        aligned = _align(text, sel, lo, hi)
        if aligned is None:
            continue
        q, s, e = aligned
        if any(abs(s - other) < max(8, n // 4) for other in found):
            continue
        found[s] = _Candidate(s, e, q, _context(text, sel, s, e), abs(s - sel.start))
    return list(found.values())


def _closed_up(text: str, sel: Selector) -> bool:
    """Whether the context before the passage, where it was, is now followed at once by
    the context after it: the passage was taken out."""
    if len(sel.prefix.strip()) < 8 or len(sel.suffix.strip()) < 8:
        return False
    near = _occurrences(text, sel.prefix, sel.start - len(sel.prefix))
    if not near:
        return False
    at = min(near, key=lambda a: abs(a + len(sel.prefix) - sel.start))
    if abs(at + len(sel.prefix) - sel.start) > _near(sel):
        return False
    after = at + len(sel.prefix)
    # The separator the passage shared with its context may be gone with it.
    lo, hi = max(0, after - 4), after + len(sel.exact) // 4 + len(sel.suffix)
    return text.find(sel.suffix, lo, hi) >= 0


def _between_context(text: str, sel: Selector) -> list[tuple[int, int]]:
    """Stretches that stand where the whole context before and after the quote still
    does: the passage itself, however its own words changed."""
    n = len(sel.exact)
    spans = []
    if len(sel.prefix.strip()) >= 8:
        for at in _occurrences(text, sel.prefix, sel.start - len(sel.prefix))[: MAX_PROBES // 4]:
            start = at + len(sel.prefix)
            end = text.find(sel.suffix, start + 1, start + 2 * n + 64) if sel.suffix else -1
            if end < 0:
                end = _best_end(text, sel, start, min(len(text), start + n), _slack(n), False)
            spans.append((start, end))
    if len(sel.suffix.strip()) >= 8:
        for end in _occurrences(text, sel.suffix, sel.end)[: MAX_PROBES // 4]:
            start = _best_end(text, sel, max(0, end - n), end, _slack(n), True)
            spans.append((start, end))
    return [(s, e) for s, e in spans if s < e]


def _align(text: str, sel: Selector, lo: int, hi: int) -> tuple[float, int, int] | None:
    """The stretch of ``text[lo:hi]`` most like the quote: (similarity, start, end)."""
    window = text[lo:hi]
    if not window.strip():
        return None
    quote = sel.exact
    if len(window) < len(quote):
        return _similarity(window, quote), lo, hi
    if len(quote) > LONG_QUOTE:
        # Aligning costs about the quote's length squared; a long quote is placed where
        # its seed says (the middle of the window), and its ends fitted below.
        start = lo + (len(window) - len(quote)) // 2
        end = start + len(quote)
    else:
        hit = fuzz.partial_ratio_alignment(quote, window)
        if hit is None:
            return None
        start, end = lo + hit.dest_start, lo + hit.dest_end
    start, end = _fit_ends(text, sel, start, end, lo, hi)
    return _similarity(text[start:end], quote), start, end


def _fit_ends(text: str, sel: Selector, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Move the ends of an aligned stretch to where the quote's context says it begins and
    ends, else to where the words fit best, so a longer or shorter edit is taken whole."""
    n = len(sel.exact)
    reach = min(n // 2, MAX_SLACK) + 16  # how far words put in or taken out may move an end
    fit = min(n // 4, MAX_SLACK) + 8  # how far an end is tried word by word
    head, tail = sel.prefix[-12:], sel.suffix[:12]
    head_at = text.rfind(head, max(0, start - reach - len(head)), start + reach)
    if len(head.strip()) >= 4 and head_at >= 0:
        start = head_at + len(head)
    else:
        start = _best_end(text, sel, start, end, fit, moving_start=True)
    tail_at = text.find(tail, max(start + 1, end - reach), end + reach + len(tail))
    if len(tail.strip()) >= 4 and tail_at >= 0:
        end = tail_at
    else:
        end = _best_end(text, sel, start, end, fit, moving_start=False)
    if end <= start:
        return start, min(len(text), start + n)
    return start, end


def _slack(n: int) -> int:
    return min(n // 2, MAX_SLACK) + 8


def _best_end(
    text: str, sel: Selector, start: int, end: int, slack: int, moving_start: bool
) -> int:
    """The start (or end) near where it is, between words, that makes the stretch most
    like the quote."""
    here = start if moving_start else end
    best = (_similarity(text[start:end], sel.exact), here)
    for at in range(max(0, here - slack), min(len(text), here + slack) + 1):
        inside_word = 0 < at < len(text) and not (text[at].isspace() or text[at - 1].isspace())
        if at == here or inside_word:
            continue  # only between words
        s, e = (at, end) if moving_start else (start, at)
        if e <= s:
            continue
        score = _similarity(text[s:e], sel.exact)
        if score > best[0]:
            best = (score, at)
    return best[1]


def _top(text: str, cands: list[_Candidate], sel: Selector) -> tuple[tuple[int, int], ...]:
    scale = _scale(sel)
    likely = [c for c in cands if c.quote >= 0.5]
    likely.sort(key=lambda c: -c.score(scale))
    return _trimmed(text, [(c.start, c.end) for c in likely[:SUGGESTIONS]])


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the spaces at its ends (empty if it held only those)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _trimmed(text: str, spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Spans without the spaces at their ends, none left empty."""
    return tuple((s, e) for s, e in (trim(text, *span) for span in spans) if s < e)
