"""Reading what was typed into a whoosh query.

Words are ANDed and looked for in the shown text and in notes; ``+``/``-``,
``OR``/``NOT``, quoted phrases, ``title:``, ``tag:`` and ``note:`` work as in
whoosh. Words found in a document's title add to its score. A query whose
quotes or brackets do not pair up, or that whoosh cannot read, falls back to
its plain words, with a message saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import qparser, query
from whoosh.fields import Schema


class Parser:
    """Turns query text into a whoosh query over the index's ``schema``."""

    def __init__(self, schema: Schema) -> None:
        parser = qparser.QueryParser("body", schema, group=qparser.AndGroup)
        parser.add_plugin(qparser.PlusMinusPlugin())
        parser.add_plugin(qparser.FieldAliasPlugin({"tags": ["tag"], "note": ["notes"]}))
        self._parser = parser

    def parse(self, text: str) -> tuple[Any, str | None]:
        """The query for ``text``; unreadable syntax falls back to its plain words."""
        message = None
        if text.count('"') % 2:
            message = "a quote is not closed; searching the words as they are"
            text = text.replace('"', " ")
        if text.count("(") != text.count(")"):
            message = "brackets do not pair up; searching the words as they are"
            text = text.replace("(", " ").replace(")", " ")
        try:
            q = self._parser.parse(text)
        except Exception:  # whoosh raises assorted errors on odd syntax
            words = " ".join(w for w in "".join(c if c.isalnum() else " " for c in text).split())
            q = self._parser.parse(words)
            message = "the query could not be read as written; searching its words"
        return _expand_fields(q), message


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
    """Search words in the shown text and in notes, and rank title matches higher.

    Unfielded words are parsed against ``body``. A document matches when the
    query matches its body or its note; words of the query found in its
    title add to its score without being required (the title is also the
    first line of the body). This costs far less than a per-word union of
    fields.
    """
    if q is query.NullQuery:
        return q

    in_body, in_note = _retarget(q, "body"), _retarget(q, "note")
    matched = in_body if in_note == in_body else query.Or([in_body, in_note])
    title_words = [
        query.Term("title", leaf.text)
        for leaf in positive_leaves(q)
        if isinstance(leaf, query.Term) and leaf.fieldname == "body"
    ]
    title_words += [
        query.Phrase("title", leaf.words)
        for leaf in positive_leaves(q)
        if isinstance(leaf, query.Phrase) and leaf.fieldname == "body"
    ]
    if not title_words:
        return matched
    return query.AndMaybe(matched, query.Or(title_words))


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
