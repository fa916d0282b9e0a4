"""Keeping the search index in step with the library and the bookmarks.

An article is indexed from its stored shown text, and its stamp is the hash
of that text: whatever changes the text (an edit, a new converter or Markdown
library), the article is indexed again. So does a title or tags the user gives
it (kept with the bookmarks), which are indexed in place of the file's title.
An article the user removed is not indexed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from reader.bookmarks import (
    Bookmark,
    BookmarkStore,
    UserArticle,
    hidden,
    removed_ids,
    shown_titles,
)
from reader.errors import ArticleNotFound
from reader.library import Library
from reader.search.index import SearchIndex
from reader.search.results import ARTICLE, BOOKMARK, IndexDoc, Progress, SyncReport


def index_path(data_dir: Path) -> Path:
    return data_dir / "index"


def bookmark_stamp(b: Bookmark, title: str) -> str:
    return f"{b.updated}:{b.start}:{b.end}:{b.state}:{title}"


def bookmark_doc(b: Bookmark, title: str) -> IndexDoc:
    return IndexDoc(
        doc_id=f"{BOOKMARK}:{b.id}",
        kind=BOOKMARK,
        article_id=b.article_id,
        title=title,
        body=b.exact,
        note=b.note,
        tags=b.tags,
        base=b.start,
        stamp=bookmark_stamp(b, title),
    )


def sync_index(
    index: SearchIndex,
    library: Library,
    bookmarks: BookmarkStore | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> SyncReport:
    """Bring the index in step: only documents whose stamp changed are (re)indexed."""
    users = bookmarks.user_articles() if bookmarks is not None else {}
    titles = shown_titles(library.titles(), users)
    marks = {b.id: b for b in bookmarks.entries()} if bookmarks is not None else {}
    wanted = _wanted(library, marks, titles, users)

    def load(ids: Sequence[str]) -> Iterable[IndexDoc]:
        return _load(library, marks, titles, users, wanted, ids)

    if rebuild:
        return index.rebuild(wanted, load, progress)
    kinds = (ARTICLE, BOOKMARK) if bookmarks is not None else (ARTICLE,)
    return index.sync(wanted, load, progress, kinds=kinds)


def index_lag(index: SearchIndex, library: Library, bookmarks: BookmarkStore) -> int:
    """How many documents the index is behind the library and the bookmarks by."""
    marks = {b.id: b for b in bookmarks.entries()}
    users = bookmarks.user_articles()
    return index.lag(_wanted(library, marks, shown_titles(library.titles(), users), users))


def _article_stamp(text_hash: str, user: UserArticle | None) -> str:
    if user is None or not (user.title or user.tags):
        return text_hash
    what = "\n".join([user.title, *user.tags]).encode("utf-8", "surrogatepass")
    return f"{text_hash}:{hashlib.sha256(what).hexdigest()[:16]}"


def _wanted(
    library: Library,
    marks: dict[str, Bookmark],
    titles: dict[str, str],
    users: dict[str, UserArticle],
) -> dict[str, str]:
    """Every document the index should hold, with its stamp."""
    gone = hidden(users)
    wanted = {
        f"{ARTICLE}:{a}": _article_stamp(h, users.get(a))
        for a, h in library.text_hashes().items()
        if a not in gone
    }
    removed = removed_ids(users)
    for b in marks.values():
        if b.article_id in removed:
            continue  # found again, and indexed, once the article is put back
        wanted[f"{BOOKMARK}:{b.id}"] = bookmark_stamp(b, titles.get(b.article_id, b.article_id))
    return wanted


def _load(
    library: Library,
    marks: dict[str, Bookmark],
    titles: dict[str, str],
    users: dict[str, UserArticle],
    wanted: dict[str, str],
    ids: Sequence[str],
) -> Iterator[IndexDoc]:
    for doc_id in ids:
        kind, _, key = doc_id.partition(":")
        if kind == ARTICLE:
            try:
                title, text, headings = library.index_source(key)
            except ArticleNotFound:
                continue  # removed since the stamps were read
            user = users.get(key) or UserArticle(key)
            # The user's title is searched as a note is: the file's title is in the text.
            yield IndexDoc(
                doc_id, ARTICLE, key, user.title or title, text, stamp=wanted[doc_id],
                note=user.title, tags=user.tags, headings=tuple(headings),
            )  # fmt: skip
        elif key in marks:
            b = marks[key]
            yield bookmark_doc(b, titles.get(b.article_id, b.article_id))
