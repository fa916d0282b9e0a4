"""Typo correction: "Did you mean", from the words the index holds.

Each query word the index does not know is replaced by the nearest indexed
word (fewest edits, then most documents), shown as it is written in the
texts rather than as its stem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import query
from whoosh.support.charset import accent_map

from reader.search.analysis import TEXT_FIELDS, EnglishAnalyzer
from reader.search.query import positive_leaves
from reader.search.texts import Texts


class Speller:
    """Suggestions from one index ``reader``, written as in its ``texts``."""

    def __init__(self, reader: Any, texts: Texts, analyzer: EnglishAnalyzer) -> None:
        self.reader = reader
        self.texts = texts
        self.analyzer = analyzer

    def correct(self, text: str, q: Any, *, typing: bool = False) -> str | None:
        """The query with each word the index does not know replaced by its nearest word.

        ``typing``: the last word is still being typed, so it is left as it is
        (a word half typed is rarely in the index, and rarely a typo).
        """
        edits: dict[tuple[int, int], str] = {}
        for leaf in positive_leaves(q):
            if not isinstance(leaf, query.Term) or leaf.fieldname not in TEXT_FIELDS:
                continue
            start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
            if start is None or end is None or (start, end) in edits:
                continue
            if typing and end >= len(text.rstrip()):
                continue
            if any(self.reader.doc_frequency(f, leaf.text) for f in TEXT_FIELDS):
                continue
            word = text[start:end]
            best = self.suggest(word)
            if best is not None:
                edits[(start, end)] = best
        if not edits:
            return None
        out, at = [], 0
        for (start, end), replacement in sorted(edits.items()):
            out.append(text[at:start] + replacement)
            at = end
        out.append(text[at:])
        return "".join(out)

    def suggest(self, word: str) -> str | None:
        """The indexed word nearest to ``word``: fewest edits, then most documents.

        The index holds stems, so the candidates are the stems near the word's
        own stem; each is then shown in the written form, read from the texts,
        that is closest to what was typed ("enginee" -> "engine", not "engin").
        """
        reader = self.reader
        folded = word.lower().translate(accent_map)
        if len(folded) < 3 or not folded.isalpha():
            return None
        maxdist = 1 if len(folded) <= 4 else 2
        target = self.analyzer.stem(folded)
        ranked = sorted(
            (distance, -reader.doc_frequency("body", term), term)
            for term, distance in near_terms(reader, "body", target, maxdist)
        )
        best: tuple[int, int, int, str] | None = None
        for distance, neg_df, term in ranked[:4]:
            for surface in self._surface_forms(term):
                d = edit_distance(folded, surface, maxdist)
                if d <= maxdist:
                    key = (d, distance, neg_df, surface)
                    best = key if best is None or key < best else best
        return None if best is None else best[3]

    def _surface_forms(self, term: str, docs: int = 3) -> set[str]:
        """How ``term`` is written in the first few documents that have it."""
        reader = self.reader
        try:
            m = reader.postings("body", term)
        except Exception:
            return set()
        spans: dict[int, list[tuple[int, int]]] = {}
        while m.is_active() and len(spans) < docs:
            spans[m.id()] = [(s, e) for _p, s, e in m.value_as("characters")][:8]
            m.next()
        ids = {d: reader.stored_fields(d)["doc_id"] for d in spans}
        texts = self.texts.texts(list(ids.values()))
        forms: set[str] = set()
        for d, pairs in spans.items():
            body = texts.get(ids[d], ("", ""))[0]
            forms.update(body[s:e].lower().translate(accent_map) for s, e in pairs)
        return {f for f in forms if f.isalpha()}


def edit_distance(a: str, b: str, limit: int = 1 << 30) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one); stops early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def near_terms(reader: Any, fieldname: str, target: str, maxdist: int) -> Iterator[tuple[str, int]]:
    """Terms of ``fieldname`` within ``maxdist`` edits of ``target`` (same first letter)."""
    low, high = len(target) - maxdist, len(target) + maxdist
    for term in reader.expand_prefix(fieldname, target[:1]):
        if isinstance(term, bytes):
            term = term.decode("utf-8")
        if low <= len(term) <= high:
            distance = edit_distance(target, term, maxdist)
            if distance <= maxdist:
                yield term, distance
