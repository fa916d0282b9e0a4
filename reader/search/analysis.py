"""How text becomes index terms: the English analyzer and the index schema.

English stemming, accent folding and stop words apply to every text field;
the body and the note keep each term's character offsets in their postings,
so matches can be marked in the shown text.

A compound word (``read-only``, ``node.js``, ``C++``, ``e.g.``, ``x-y``) is
indexed twice over: as its parts, each a word of its own (so ``read only``
finds it), and as written, lower-cased and unstemmed (so ``read-only`` finds
it first, and ``C++`` or ``x-y``, whose parts are too short to index, can be
found at all). In a query a compound is one term; the query reader then looks
for it as written or as its parts in a row (see :mod:`~reader.search.query`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from whoosh import formats
from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

# A word, or a compound: words joined by hyphens (also the no-break hyphen U+2011),
# by dots inside the word (node.js, e.g.), and a word with + or # after it (C++,
# C#, F#; also the fullwidth plus U+FF0B). The query reader writes the no-break
# hyphen and the fullwidth plus, which whoosh's parser leaves alone.
WORDS = re.compile(r"\w+(?:(?:[-\u2011]|\.(?=\w))\w+)*(?:[+#\uff0b]+(?![\w+#\uff0b]))?", re.UNICODE)
_PART = re.compile(r"\w+", re.UNICODE)
_JOINER = re.compile(r"[-\u2011.+#\uff0b]")
TEXT_FIELDS = ("title", "headings", "body", "note")  # the fields this analyzer reads


def is_compound(raw: str) -> bool:
    """Whether a word from :data:`WORDS` is a compound (most words are plain)."""
    return not raw.isalnum() and _JOINER.search(raw) is not None


def fold(raw: str) -> str:
    """Lower-cased, accents folded."""
    word = raw.lower()
    return word if word.isascii() else word.translate(accent_map)


def compound_term(raw: str) -> str:
    """A compound as it is indexed: folded, unstemmed, one kind of hyphen and of plus."""
    return fold(raw.replace("\u2011", "-").replace("\uff0b", "+"))


class EnglishAnalyzer(Tokenizer):  # type: ignore[misc]
    """Words, lower-cased, accents folded, stop words dropped, Porter-stemmed: one pass.

    It gives the same tokens as whoosh's RegexTokenizer | LowercaseFilter |
    CharsetFilter(accent_map) | StopFilter | StemFilter chain, without a
    generator per stage, which makes indexing about twice as fast. Called
    with ``no_morph`` (for the spelling words) it leaves words unstemmed.
    """

    is_morph = True
    _WORDS = WORDS

    def __init__(self) -> None:
        self._stem = functools.lru_cache(maxsize=200_000)(stemmer_for_language("en"))
        self._terms: dict[str, str] = {}  # written word -> stem, "" for stop words
        self._plain: dict[str, str] = {}  # written word -> folded word, "" for stop words

    def stem(self, word: str) -> str:
        return str(self._stem(word))

    def __getstate__(self) -> dict[str, Any]:
        return {}  # the schema is pickled into the index; the cache is rebuilt on load

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Any]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        matches = self._WORDS.finditer(value) if tokenize else [_Whole(value)]
        for m in matches:
            raw = m.group()
            pieces: list[tuple[str, int, int, bool]] = []  # (written, start, end, as written)
            if tokenize and is_compound(raw):
                if mode != "query":  # a query looks for the compound or its parts itself
                    pieces += [(p.group(), m.start() + p.start(), m.start() + p.end(), False)
                               for p in _PART.finditer(raw)]  # fmt: skip
                pieces.append((raw, m.start(), m.end(), True))
            else:
                pieces.append((raw, m.start(), m.end(), False))
            last_part: int | None = None  # where the compound's last indexed part stands
            for written, start, end, whole in pieces:
                term = compound_term(written) if whole else self._word(written, no_morph)
                if not term:  # a stop word, or a letter alone
                    if removestops:
                        continue
                    token.stopped = True
                    token.text = self._fold(written)
                else:
                    token.stopped = False
                    token.text = term
                token.boost = 1.0
                if keeporiginal:
                    token.original = written
                if positions:
                    # the compound stands where its last part does, so a phrase
                    # that goes on after it still follows on
                    if whole and last_part is not None:
                        token.pos = last_part
                    else:
                        token.pos = last_part = pos
                        pos += 1
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token

    def postings(self, value: str) -> dict[str, list[tuple[int, int, int]]]:
        """Each indexed term of ``value`` with its (position, start, end) list.

        The indexing path: the same terms as ``__call__`` yields, gathered in
        one loop without a token object per word.
        """
        terms = self._terms
        found: dict[str, list[tuple[int, int, int]]] = {}
        pos = 0
        for m in self._WORDS.finditer(value):
            raw = m.group()
            if is_compound(raw):
                last = -1
                for p in _PART.finditer(raw):
                    term = self._word(p.group(), False)
                    if term:
                        start = m.start() + p.start()
                        found.setdefault(term, []).append((pos, start, start + len(p.group())))
                        last = pos
                        pos += 1
                if last < 0:
                    last = pos
                    pos += 1
                found.setdefault(compound_term(raw), []).append((last, m.start(), m.end()))
                continue
            known = terms.get(raw)
            term = self._term(raw, False) if known is None else known
            if term:
                start = m.start()
                entry = (pos, start, start + len(raw))
                hits = found.get(term)
                if hits is None:
                    found[term] = [entry]
                else:
                    hits.append(entry)
                pos += 1
        return found

    def _word(self, raw: str, no_morph: bool) -> str:
        terms = self._plain if no_morph else self._terms
        term = terms.get(raw)
        return self._term(raw, no_morph) if term is None else term

    def part_terms(self, compound: str) -> list[str] | None:
        """The indexed terms of a compound's parts, in order; None when a part is not
        indexed (a stop word, a letter or digit alone: ``T-shirt``, ``3.14``), for then
        the parts alone would find other things."""
        terms = [self._word(p.group(), False) for p in _PART.finditer(compound)]
        return terms if terms and all(terms) else None

    @staticmethod
    def _fold(raw: str) -> str:
        return fold(raw)

    def _term(self, raw: str, no_morph: bool) -> str:
        """The indexed form of a written word ("" for a stop word), remembered."""
        word = self._fold(raw)
        term = "" if len(word) < 2 or word in STOP_WORDS else word if no_morph else self.stem(word)
        cache = self._plain if no_morph else self._terms
        if len(cache) > 500_000:
            cache.clear()
        cache[raw] = term
        return term


class _TermCharacters(formats.Characters):  # type: ignore[misc]
    """whoosh's Characters postings, gathered by :meth:`EnglishAnalyzer.postings`."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        if not isinstance(analyzer, EnglishAnalyzer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for term, hits in analyzer.postings(value).items():
            yield term, len(hits), len(hits) * boost, encode(hits)


class _Whole:
    """A stand-in match for the whole value (``tokenize=False``)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


def _text_with_chars(analyzer: Any) -> Any:
    field_ = TEXT(analyzer=analyzer, chars=True)
    field_.format = _TermCharacters(field_boost=field_.format.field_boost)
    return field_


# Weights of a word found in a page's title and in its section headings, beside its
# body (measured on bench/search_quality.py's dev queries; see bench/README.md).
TITLE_BOOST = 3.0
HEADINGS_BOOST = 1.0


def make_schema() -> Schema:
    """The index's fields: a boosted title and headings, the body and note with offsets,
    tags, ids."""
    analyzer = EnglishAnalyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        article_id=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        headings=TEXT(analyzer=analyzer, field_boost=HEADINGS_BOOST),
        body=_text_with_chars(analyzer),
        note=_text_with_chars(analyzer),
        tags=KEYWORD(stored=True, lowercase=True, commas=True, scorable=True),
        base=NUMERIC(stored=True),
    )
