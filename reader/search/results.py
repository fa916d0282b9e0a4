"""What the search takes in and hands out, as plain values (no whoosh here).

An :class:`IndexDoc` is one document to index (an article or a bookmarked
passage); a search answers with :class:`SearchResults`, whose hits carry
snippets of the shown text; a sync answers with a :class:`SyncReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

ARTICLE = "article"
BOOKMARK = "bookmark"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexDoc:
    """One document of the index: an article, or a bookmarked passage."""

    doc_id: str
    kind: str
    article_id: str
    title: str
    body: str
    stamp: str  # changes whenever anything indexed here changes
    note: str = ""
    tags: tuple[str, ...] = ()
    base: int = 0  # where ``body`` starts in the article's shown text
    headings: tuple[str, ...] = ()  # an article's section headings, below its title


@dataclass(frozen=True)
class Snippet:
    """A stretch of the shown text with the matched words marked, on one line.

    Where it crosses from one block of the text to the next, ``text`` shows
    " · " in place of the line break. A hit found by its tags alone has the
    line "tag: name, name" instead, nothing marked, starting where its
    passage does.
    """

    text: str
    highlights: tuple[tuple[int, int], ...]  # relative to ``text``
    start: int  # where ``text`` starts in the shown text (-1: from the note)

    def marked(self, open_: str, close: str, escape: Callable[[str], str] = str) -> str:
        """``text`` with each matched stretch between ``open_`` and ``close``, escaped."""
        out, at = [], 0
        for s, e in self.highlights:
            if e <= s:
                continue  # nothing to mark: no empty markers
            out.append(escape(self.text[at:s]))
            out.append(open_ + escape(self.text[s:e]) + close)
            at = e
        out.append(escape(self.text[at:]))
        return "".join(out)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    kind: str
    article_id: str
    title: str
    score: float
    snippets: tuple[Snippet, ...]
    offsets: tuple[tuple[int, int], ...]  # every match in the article's shown text
    note: str = ""

    @property
    def id(self) -> str:
        return self.doc_id.split(":", 1)[1]

    def snippet_text(self, open_: str = "**", close: str = "**") -> str:
        return join_snippets(s.marked(open_, close) for s in self.snippets)


def join_snippets(parts: Iterable[str]) -> str:
    out = ""
    for part in parts:
        if out:
            out += " " if part.startswith("…") or out.endswith("…") else " … "
        out += part
    return out


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: tuple[Hit, ...]
    total: int
    corrected: str | None = None  # "Did you mean" / "Showing results for"
    used_correction: bool = False
    message: str | None = None  # a friendly word on a query that could not be read as written
    total_exact: bool = True  # False: ``total`` is an estimate (large result sets)


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    notice: str | None = None
