"""Keeping the search index in step with the library and the bookmarks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from reader.bookmarks.store import Bookmark, BookmarkStore
from reader.errors import ArticleNotFound, BookmarkNotFound
from reader.library.articles import Article
from reader.library.importing import CONVERTER_VERSION
from reader.library.library import Library
from reader.search.index import ARTICLE, BOOKMARK, IndexDoc, Progress, SearchIndex, SyncReport


def index_path(data_dir: Path) -> Path:
    return data_dir / "index"


def article_stamp(content_hash: str) -> str:
    return f"{content_hash}:{CONVERTER_VERSION}"


def article_doc(article: Article) -> IndexDoc:
    return IndexDoc(
        doc_id=f"{ARTICLE}:{article.id}",
        kind=ARTICLE,
        article_id=article.id,
        title=article.title,
        body=article.text,
        stamp=article_stamp(article.info.content_hash),
    )


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
    titles = {a.id: a.title for a in library.articles()}
    wanted = {f"{ARTICLE}:{a.id}": article_stamp(a.content_hash) for a in library.articles()}
    marks = {b.id: b for b in bookmarks.entries()} if bookmarks is not None else {}
    for b in marks.values():
        wanted[f"{BOOKMARK}:{b.id}"] = bookmark_stamp(b, titles.get(b.article_id, b.article_id))

    def load(ids: Sequence[str]) -> Iterable[IndexDoc]:
        return _load(library, marks, titles, ids)

    if rebuild:
        return index.rebuild(wanted, load, progress)
    kinds = (ARTICLE, BOOKMARK) if bookmarks is not None else (ARTICLE,)
    return index.sync(wanted, load, progress, kinds=kinds)


def _load(
    library: Library, marks: dict[str, Bookmark], titles: dict[str, str], ids: Sequence[str]
) -> Iterator[IndexDoc]:
    for doc_id in ids:
        kind, _, key = doc_id.partition(":")
        try:
            if kind == ARTICLE:
                yield article_doc(library.get(key))
            elif key in marks:
                b = marks[key]
                yield bookmark_doc(b, titles.get(b.article_id, b.article_id))
            else:
                raise BookmarkNotFound(key)
        except (ArticleNotFound, BookmarkNotFound):
            continue
