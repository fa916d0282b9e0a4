"""Reading what was typed into a whoosh query.

Words are ANDed and looked for in the shown text and in notes; ``+``/``-``,
``OR``/``NOT``, quoted phrases, ``title:``, ``tag:`` and ``note:`` work as in
whoosh. Words found in a document's title add to its score. A query whose
quotes or brackets do not pair up, or that whoosh cannot read, falls back to
its plain words, with a message saying so.

Query text never surprises:

- ``AND``, ``OR`` and ``NOT`` are operators only between words; a query that
  would only exclude (``NOT null``, ``IS NOT NULL``, whose ``is`` is too
  common to index) searches its words instead;
- a compound (``read-only``, ``node.js``, ``C++``, ``e.g.``) is one word, found
  as written or as its parts in a row (``read only``), never read as
  ``read -only``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh import qparser, query
from whoosh.fields import Schema

from reader.search.analysis import TEXT_FIELDS, WORDS, EnglishAnalyzer, is_compound

_OPERATORS = r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b"
_OPERATOR = re.compile(_OPERATORS)
_SYNTAX = re.compile(r'["()*:]|(^|\s)[-+]|' + _OPERATORS)  # what plain words have not
NEAR_SLOP = 3  # words at most this many places apart count as close together
NEAR_BOOST = 1.0


class Parser:
    """Turns query text into a whoosh query over the index's ``schema``."""

    def __init__(self, schema: Schema) -> None:
        parser = qparser.QueryParser("body", schema, group=qparser.AndGroup)
        parser.add_plugin(qparser.PlusMinusPlugin())
        parser.add_plugin(qparser.FieldAliasPlugin({"tags": ["tag"], "note": ["notes"]}))
        self._parser = parser
        # Any of the words, a page with more of them first (whoosh's OR bonus).
        self._any = qparser.QueryParser("body", schema, group=qparser.OrGroup.factory(0.9))
        analyzer = schema["body"].analyzer  # the index's own, with its caches
        assert isinstance(analyzer, EnglishAnalyzer)
        self._analyzer = analyzer

    def parse_any(self, text: str) -> Any | None:
        """The query for pages with some of the words, for plain words only; else None.

        Quotes, operators, signs and fields say what the user wants; plain
        words may be looked for one by one once too few pages have them all.
        """
        if _SYNTAX.search(text) or len(text.split()) < 2:
            return None
        try:
            q = self._any.parse(_keep_compounds(text))
        except Exception:  # whoosh raises assorted errors on odd syntax
            return None
        if q is query.NullQuery or len(list(positive_leaves(q))) < 2:
            return None
        return _expand_fields(self._compounds(q))

    def parse(self, text: str) -> tuple[Any, str | None]:
        """The query for ``text``; unreadable syntax falls back to its plain words."""
        message = None
        if text.count('"') % 2:
            message = "a quote is not closed; searching the words as they are"
            text = text.replace('"', " ")
        if text.count("(") != text.count(")"):
            message = "brackets do not pair up; searching the words as they are"
            text = text.replace("(", " ").replace(")", " ")
        text = _keep_compounds(text)
        try:
            q = self._parser.parse(text)
        except Exception:  # whoosh raises assorted errors on odd syntax
            words = " ".join(w for w in "".join(c if c.isalnum() else " " for c in text).split())
            q = self._parser.parse(words)
            message = "the query could not be read as written; searching its words"
        if q is query.NullQuery or not any(True for _ in positive_leaves(q)):
            # Nothing to look for, only to leave out (or a lone "-word"): search the words.
            q = self._parser.parse(_as_words(text))
        return _expand_fields(self._compounds(q)), message

    def _compounds(self, q: Any) -> Any:
        """Each compound term looked for as written, or as its parts in a row."""
        if isinstance(q, query.Term) and q.fieldname not in TEXT_FIELDS:
            return _as_typed(q)  # a tag is matched as written, hyphens and pluses included
        if isinstance(q, query.Term) and is_compound(q.text):
            parts = self._analyzer.part_terms(q.text)
            if parts is None:
                return q
            by_parts = (
                query.Term(q.fieldname, parts[0])
                if len(parts) == 1
                else query.Phrase(q.fieldname, parts)
            )
            return query.Or([q, by_parts], boost=q.boost)
        if isinstance(q, query.Phrase) and q.fieldname in TEXT_FIELDS:
            words: list[str] = []
            for word in q.words:
                parts = self._analyzer.part_terms(word) if is_compound(word) else None
                words.extend(parts or [word])
            return query.Phrase(q.fieldname, words, slop=q.slop, boost=q.boost)
        if isinstance(q, query.Not):
            return query.Not(self._compounds(q.query))
        if isinstance(q, (query.AndNot, query.AndMaybe)):
            return type(q)(self._compounds(q.a), self._compounds(q.b))
        if isinstance(q, query.compound.CompoundQuery):
            return type(q)([self._compounds(sub) for sub in q.subqueries], boost=q.boost)
        return q


def _keep_compounds(text: str) -> str:
    """Compounds in a form whoosh's parser leaves whole (it reads ``read-only`` as ``read``
    without ``only``, and ``C++`` as ``C``): no-break hyphens, fullwidth pluses. The
    analyzer reads both forms alike."""
    return WORDS.sub(
        lambda m: (
            m.group().replace("-", "\u2011").replace("+", "\uff0b")
            if is_compound(m.group())
            else m.group()
        ),
        text,
    )


def _as_typed(term: Any) -> Any:
    """A term of another field with the compound marks :func:`_keep_compounds` wrote undone."""
    if isinstance(term.text, str) and ("\u2011" in term.text or "\uff0b" in term.text):
        term = term.copy()
        term.text = term.text.replace("\u2011", "-").replace("\uff0b", "+")
    return term


def _as_words(text: str) -> str:
    """The query's words with its operators and signs taken as words."""
    words = _OPERATOR.sub(lambda m: m.group().lower(), text)
    return " ".join(w.lstrip("+-") for w in words.split() if w.lstrip("+-"))


def positive_leaves(q: Any) -> Iterator[Any]:
    """The words and phrases of ``q`` that a document is searched for (not the negated ones)."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from positive_leaves(child)


def _expand_fields(q: Any) -> Any:
    """Search words in the shown text and in notes; rank title and heading matches higher.

    Unfielded words are parsed against ``body``. A document matches when the
    query matches its body or its note; words of the query found in its
    title or its section headings add to its score without being required
    (the title and the headings are in the body too). This costs far less
    than a per-word union of fields. The words close together rank higher
    too, but only among the best pages (:func:`near_words`).
    """
    if q is query.NullQuery:
        return q

    in_body, in_note = _retarget(q, "body"), _retarget(q, "note")
    matched = in_body if in_note == in_body else query.Or([in_body, in_note])
    boosts = [
        query.Term(field, leaf.text)
        for leaf in positive_leaves(q)
        if isinstance(leaf, query.Term) and leaf.fieldname == "body"
        for field in ("title", "headings")
    ]
    boosts += [
        query.Phrase("title", leaf.words)
        for leaf in positive_leaves(q)
        if isinstance(leaf, query.Phrase) and leaf.fieldname == "body"
    ]
    if not boosts:
        return matched
    return query.AndMaybe(matched, query.Or(boosts))


def near_words(q: Any) -> list[str]:
    """The body words of ``q`` whose closeness adds to a page's score, if there are two or more.

    Close together means in the order typed, each at most :data:`NEAR_SLOP`
    places after the one before. Scoring closeness over every page that has
    the words costs more than the search (two common words match most of a
    large library), so it reorders only the best pages by words alone
    (:func:`reader.search.ranking.rerank_near`).
    """
    near = [
        leaf.text
        for leaf in positive_leaves(q)
        if isinstance(leaf, query.Term) and leaf.fieldname == "body" and not is_compound(leaf.text)
    ]
    return near if len(near) >= 2 else []


def _retarget(q: Any, fieldname: str, negated: bool = False) -> Any:
    """``q`` with its unfielded (body) words looked for in ``fieldname``.

    A negated word excludes a document that has it in its body or its note.
    """
    if isinstance(q, query.Not):
        return query.Not(_retarget(q.query, fieldname, True))
    if isinstance(q, (query.AndNot, query.AndMaybe)):
        b = _retarget(q.b, fieldname, negated or isinstance(q, query.AndNot))
        return type(q)(_retarget(q.a, fieldname, negated), b)
    if isinstance(q, query.compound.CompoundQuery):
        subs = [_retarget(sub, fieldname, negated) for sub in q.subqueries]
        return type(q)(subs, boost=q.boost)
    if getattr(q, "fieldname", None) != "body":
        return q
    if negated:
        other = q.copy()
        other.fieldname = "note"
        return query.Or([q, other])
    if fieldname == "body":
        return q
    moved = q.copy()
    moved.fieldname = fieldname
    return moved
