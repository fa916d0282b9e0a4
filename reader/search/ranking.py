"""Closeness in the ranking: the best pages by their words, reordered by how near the words are.

A page whose words stand close together, in the order typed, answers a
query better than one that has them far apart: it gains the score of those
words once more, as whoosh's ``Phrase(slop=NEAR_SLOP)`` would give it. Asking
whoosh for that over every match walks the positions of every page that has
all the words, which for two common words in a large library is most of it,
and costs more than the search. Here only the best pages by their words,
:data:`RERANKED` times as many as the hits asked for, are looked at: a page
further down would need its words close together and a score near theirs to
come up, and is left where it is. Measured on the search quality benchmark,
the ranking is as good as scoring every match, or slightly better.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reader.search.query import NEAR_BOOST, NEAR_SLOP

RERANKED = 3  # times the hits asked for: the best pages by their words whose closeness is scored


class Ranked(list[Any]):
    """Hits of a search, reordered: what :func:`reader.search.highlight.make_hits` reads."""

    def scored_length(self) -> int:
        return len(self)


def ask_for(limit: int, near: Sequence[str]) -> int:
    """How many of the best pages to ask whoosh for, to return ``limit`` of them."""
    return limit * RERANKED if near else limit


def rerank_near(searcher: Any, results: Any, near: Sequence[str], limit: int) -> Any:
    """The first ``limit`` of ``results``, reordered with the score of ``near`` words
    close together added; ``results`` itself when there is nothing to reorder."""
    if not near or not results.scored_length():
        return results
    hits = [*iter(results)]  # list(results) would count every match first
    bonus = _closeness(searcher, sorted(hit.docnum for hit in hits), near)
    for hit in hits:
        hit.score = (hit.score or 0.0) + NEAR_BOOST * bonus.get(hit.docnum, 0.0)
    hits.sort(key=lambda hit: (-hit.score, hit.docnum))
    return Ranked(hits[:limit])


def _closeness(searcher: Any, docnums: list[int], words: Sequence[str]) -> dict[int, float]:
    """For each of ``docnums`` (ascending) whose body has ``words`` close together, in
    order, the score of those words there."""
    from whoosh import query

    context = searcher.context(weighting=searcher.weighting)
    matchers = []
    for word in words:
        m = query.Term("body", word).matcher(searcher, context)
        if not m.is_active():
            return {}
        matchers.append(m)
    found: dict[int, float] = {}
    for docnum in docnums:
        score, positions = 0.0, []
        for m in matchers:
            if m.is_active() and m.id() < docnum:
                m.skip_to(docnum)
            if not m.is_active() or m.id() != docnum:
                break
            score += m.score()
            positions.append(m.value_as("positions"))
        else:
            if in_order_near(positions, NEAR_SLOP):
                found[docnum] = score
    return found


def in_order_near(positions: Sequence[Sequence[int]], slop: int) -> bool:
    """Whether one position can be taken from each list, in order, each 1 to ``slop``
    places after the one before."""
    reachable = sorted(set(positions[0]))
    for following in positions[1:]:
        nxt = []
        i = 0
        for p in sorted(following):
            while i < len(reachable) and reachable[i] < p - slop:
                i += 1
            if i < len(reachable) and reachable[i] <= p - 1:
                nxt.append(p)
        if not nxt:
            return False
        reachable = nxt
    return True
