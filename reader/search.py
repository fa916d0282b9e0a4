"""Keeping the search index in step with the library (and, later, bookmarks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from reader.articles import Article
from reader.errors import ArticleNotFound
from reader.importing import CONVERTER_VERSION
from reader.library import Library
from reader.search_index import ARTICLE, IndexDoc, Progress, SearchIndex, SyncReport


def index_path(data_dir: Path) -> Path:
    return data_dir / "index"


def article_doc(article: Article) -> IndexDoc:
    return IndexDoc(
        doc_id=f"{ARTICLE}:{article.id}",
        kind=ARTICLE,
        article_id=article.id,
        title=article.title,
        body=article.text,
        stamp=article_stamp(article.info.content_hash),
    )


def article_stamp(content_hash: str) -> str:
    return f"{content_hash}:{CONVERTER_VERSION}"


def _load_articles(library: Library, ids: Sequence[str]) -> Iterator[IndexDoc]:
    for doc_id in ids:
        try:
            yield article_doc(library.get(doc_id.split(":", 1)[1]))
        except ArticleNotFound:
            continue


def sync_articles(
    index: SearchIndex, library: Library, progress: Progress | None = None, rebuild: bool = False
) -> SyncReport:
    wanted = {f"{ARTICLE}:{a.id}": article_stamp(a.content_hash) for a in library.articles()}

    def load(ids: Sequence[str]) -> Iterable[IndexDoc]:
        return _load_articles(library, ids)

    if rebuild:
        return index.rebuild(wanted, load, progress)
    return index.sync(wanted, load, progress, kinds=(ARTICLE,))
