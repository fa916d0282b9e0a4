"""Articles like a text: its distinctive words, looked for in the other articles.

The text (a whole article, a bookmarked passage and its note, a selection)
gives its key terms by whoosh's Bo1 model: words frequent in the text and rare
in the library. Only terms some other article holds are kept (a word of the
source alone finds nothing). The articles are ranked with BM25F by an OR of
those terms, each weighted by how distinctive it is, and listed as search hits,
their snippets marking the words they share with the text.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from whoosh import query

from reader.search.analysis import EnglishAnalyzer, is_compound
from reader.search.highlight import make_hits
from reader.search.index import SearchIndex
from reader.search.results import ARTICLE, Hit

KEY_TERMS = 24  # enough to catch what a long article is about; few enough to stay sharp
CANDIDATES = 3 * KEY_TERMS  # drawn before dropping the words no other article has
MAX_TEXT = 200_000  # characters of the text read for its terms (a book says it early)
MIN_SHARE = 0.15  # of the best score: weaker matches share a stray word, not a subject

# Words that say nothing of a subject (function words, and a few verbs and adjectives
# any text uses), beyond the few the index leaves out: in a small library they are
# not common enough for Bo1 to pass over.
_FUNCTION_WORDS = """
    about above after again against all also although am among another any anyone anything
    because been before being below between both but could did do does doing done down during
    each either else even ever every few first further had has having he her here hers herself
    him himself his how however i into its itself just last least less like made make many me
    might more most much must my myself never new no nor now off often once one only other others
    our ours ourselves out over own per quite rather really same she should since so some
    something still such than their theirs them themselves then there these they those though
    through thus too under until up upon very was way ways were what whatever where whether which
    while who whom whose why within without would yes yours yourself yourselves
    big get gets getting got good great help helps keep keeps kind lot lots need needs small
    take takes thing things use used uses using want wants well
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())


@dataclass(frozen=True)
class Related:
    """The articles most like a text, best first, and the words they were found by."""

    hits: tuple[Hit, ...]
    terms: tuple[str, ...]  # the words the hits share with it: most distinctive first, as written


def related_articles(
    index: SearchIndex, *, text: str, exclude_article: str | None = None, limit: int = 10
) -> Related:
    """The ``limit`` articles most like ``text``, never ``exclude_article`` (the source)."""
    text = text[:MAX_TEXT]
    if not text.strip() or limit < 1:
        return Related((), ())
    with index.reading() as (searcher, texts, analyzer):
        reader = searcher.reader()
        own: set[int] = set()
        mask = None
        if exclude_article:
            own = set(searcher.document_numbers(article_id=exclude_article))
            mask = query.Term("doc_id", f"{ARTICLE}:{exclude_article}")
        drawn = searcher.key_terms_from_text("body", text, numterms=CANDIDATES, normalize=False)
        quiet = _function_terms(analyzer)
        shared = [
            (t, w)
            for t, w in drawn
            if t not in quiet and not is_compound(t) and _held_elsewhere(reader, t, own)
        ]  # a compound's parts are terms too: counted once, by its parts
        terms = shared[:KEY_TERMS]
        if not terms:
            return Related((), ())
        top = max(w for _, w in terms) or 1.0
        q = query.Or([query.Term("body", t, boost=w / top) for t, w in terms])
        results = searcher.search(
            q, limit=limit, filter=query.Term("kind", ARTICLE), mask=mask, terms=True
        )
        hits = make_hits(results, q, reader, texts)
        floor = hits[0].score * MIN_SHARE if hits else 0.0
        hits = [h for h in hits if h.score >= floor]
        matched_in = {r["doc_id"]: r.matched_terms() for r in results}
        matched = {term for h in hits for _, term in matched_in.get(h.doc_id, ())}
        found = [t for t, _ in terms if reader.schema["body"].to_bytes(t) in matched]
        words = _as_written(analyzer, text, found)
    return Related(tuple(hits), tuple(words))


@functools.cache
def _function_terms(analyzer: EnglishAnalyzer) -> frozenset[str]:
    """:data:`FUNCTION_WORDS` as the index holds them (stemmed)."""
    return frozenset(analyzer.stem(w) for w in FUNCTION_WORDS)


def _held_elsewhere(reader: Any, term: str, own: set[int]) -> bool:
    """Whether a document other than the source's own ones has ``term`` in its body."""
    try:
        postings = reader.postings("body", term)
    except Exception:  # whoosh raises TermNotFound, or a reader error for an odd term
        return False
    while postings.is_active():
        if postings.id() not in own:
            return True
        postings.next()
    return False


def _as_written(analyzer: EnglishAnalyzer, text: str, terms: Iterable[str]) -> list[str]:
    """Each term as the text most often writes it (lower-case unless always capitalised)."""
    wanted = set(terms)
    forms: dict[str, Counter[str]] = {}
    for token in analyzer(text, keeporiginal=True):
        if token.text in wanted:
            forms.setdefault(token.text, Counter())[token.original] += 1
    out = []
    for term in terms:
        seen = forms.get(term)
        if not seen:
            out.append(term)
            continue
        lower = Counter[str]()
        for form, n in seen.items():
            lower[form.lower()] += n
        word = lower.most_common(1)[0][0]
        capitalised = all(not form.islower() for form in seen)
        out.append(max(seen, key=lambda f: seen[f]) if capitalised else word)
    return out
