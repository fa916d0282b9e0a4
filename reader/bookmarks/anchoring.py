"""Finding a bookmarked passage again in a text that may have changed.

A bookmark points into an article's shown text with two W3C Web Annotation
selectors: a TextQuoteSelector (the exact passage with some context before
and after) and a TextPositionSelector (its start and end). When the text
changes, the passage is looked for as

1. the exact quote where it was;
2. the exact quote nearest its old position (context breaking ties);
3. an approximate match, scored on the quote, its context and its position.

When none is good enough the bookmark is detached: kept, with its quote, and
never silently dropped.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 32
MIN_QUOTE_SIMILARITY = 0.65
ACCEPT_SCORE = 0.6


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
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _occurrences(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0 and needle:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def anchor(text: str, sel: Selector) -> Anchor | None:
    """Where ``sel`` points in ``text`` now, or None if it cannot be found."""
    if not sel.exact:
        return None
    if text[sel.start : sel.end] == sel.exact:
        return Anchor(sel.start, sel.end, True)
    exact = _occurrences(text, sel.exact)
    if exact:

        def rank(at: int) -> tuple[float, int]:
            end = at + len(sel.exact)
            context = _similarity(text[max(0, at - len(sel.prefix)) : at], sel.prefix)
            context += _similarity(text[end : end + len(sel.suffix)], sel.suffix)
            return (-context, abs(at - sel.start))

        at = min(exact, key=rank)
        return Anchor(at, at + len(sel.exact), True)
    return _approximate(text, sel)


def _approximate(text: str, sel: Selector) -> Anchor | None:
    """Best region of ``text`` resembling the quote, found from pieces of it."""
    quote = sel.exact
    n = len(quote)
    piece = max(8, min(24, n // 3))
    probes = {0: quote[:piece], n - piece: quote[-piece:], max(0, n // 2 - piece // 2):
              quote[n // 2 - piece // 2 : n // 2 - piece // 2 + piece]}  # fmt: skip
    starts: set[int] = set()
    ends: set[int] = set()
    for offset, probe in probes.items():
        if len(probe) < 4:
            continue
        for at in _occurrences(text, probe):
            starts.add(max(0, at - offset))
            ends.add(min(len(text), at - offset + n))
            if offset == 0:
                starts.add(at)
            if offset == n - piece:
                ends.add(at + piece)
    # The context can find a passage whose own words all changed a little.
    if sel.prefix:
        for at in _occurrences(text, sel.prefix[-16:]):
            starts.add(at + min(16, len(sel.prefix)))
    if sel.suffix:
        for at in _occurrences(text, sel.suffix[:16]):
            ends.add(at)
    best: tuple[float, int, int] | None = None
    for s in starts:
        for e in ends:
            if not (s < e <= s + 2 * n + 64):
                continue
            quote_sim = _similarity(text[s:e], quote)
            if quote_sim < MIN_QUOTE_SIMILARITY:
                continue
            prefix_sim = _similarity(text[max(0, s - len(sel.prefix)) : s], sel.prefix)
            suffix_sim = _similarity(text[e : e + len(sel.suffix)], sel.suffix)
            distance = abs(s - sel.start) / max(len(text), 1)
            score = 0.6 * quote_sim + 0.15 * prefix_sim + 0.15 * suffix_sim + 0.1 * (1 - distance)
            if best is None or score > best[0]:
                best = (score, s, e)
    if best is None or best[0] < ACCEPT_SCORE:
        return None
    _, s, e = best
    return Anchor(s, e, False)
