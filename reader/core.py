"""The library, the bookmarks and the search index, opened from one data dir.

The CLI and the window both work through this object, so what one can do the
other can too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from reader.bookmarks.annotations import export_json, export_markdown, parse_annotations
from reader.bookmarks.store import Bookmark, BookmarkStore
from reader.errors import ArticleNotFound, BookmarkNotFound
from reader.library.library import ImportOutcome, Library, RefreshReport
from reader.paths import ensure_data_dir
from reader.search.index import Progress, SearchIndex, SyncReport
from reader.search.sync import index_path, sync_index


@dataclass
class AnnotationImport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


class ReaderCore:
    def __init__(self, data_dir: Path, bundled_dir: Path | None) -> None:
        self.data_dir = ensure_data_dir(data_dir)
        self.library = Library(self.data_dir, bundled_dir)
        self.bookmarks = BookmarkStore(self.data_dir / "bookmarks.sqlite3")
        self.notices: list[str] = [self.bookmarks.notice] if self.bookmarks.notice else []

    def close(self) -> None:
        self.bookmarks.close()
        self.library.close()

    # --- library ---------------------------------------------------------------

    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        """Catalog changed files, then follow every article's bookmarks."""
        report = self.library.refresh(progress)
        self.follow_bookmarks()
        return report

    def import_paths(self, paths: Iterable[Path]) -> list[ImportOutcome]:
        """Import files into the library; bookmarks follow any article that changed."""
        outcomes = self.library.import_paths(paths)
        self.follow_bookmarks()
        return outcomes

    def follow_bookmarks(self) -> list[Bookmark]:
        """Re-anchor bookmarks whose article changed; detach those whose article is gone."""
        infos = {a.id: a for a in self.library.articles()}
        moved: list[Bookmark] = []
        for article_id in {b.article_id for b in self.bookmarks.entries()}:
            info = infos.get(article_id)
            if info is None:
                continue
            stale = [
                b
                for b in self.bookmarks.entries(article_id)
                if b.content_hash != info.content_hash or b.detached
            ]
            if stale:
                article = self.library.get(article_id)
                moved += self.bookmarks.reanchor(article_id, article.text, info.content_hash)
        moved += self.bookmarks.detach_missing(set(infos))
        return moved

    # --- bookmarks -------------------------------------------------------------

    def add_bookmark(
        self,
        article_id: str,
        start: int,
        end: int,
        note: str = "",
        color: str = "yellow",
        tags: tuple[str, ...] = (),
    ) -> Bookmark:
        article = self.library.get(article_id)
        return self.bookmarks.add(
            article_id, article.text, article.info.content_hash, start, end,
            note=note, color=color, tags=tags,
        )  # fmt: skip

    def add_bookmark_quote(
        self,
        article_id: str,
        quote: str,
        note: str = "",
        color: str = "yellow",
        tags: tuple[str, ...] = (),
    ) -> Bookmark:
        article = self.library.get(article_id)
        return self.bookmarks.add_quote(
            article_id, article.text, article.info.content_hash, quote,
            note=note, color=color, tags=tags,
        )  # fmt: skip

    def titles(self) -> dict[str, str]:
        return {a.id: a.title for a in self.library.articles()}

    def export_bookmarks(self, fmt: str) -> str:
        marks = self.bookmarks.entries()
        if fmt == "markdown":
            return export_markdown(marks, self.titles())
        return export_json(marks, self.titles())

    def import_bookmarks(self, text: str) -> AnnotationImport:
        """Merge a JSON-LD export by id: new ones added, newer ones updated, none twice."""
        incoming, problems = parse_annotations(text)
        report = AnnotationImport(problems=problems)
        for b in incoming:
            try:
                existing: Bookmark | None = self.bookmarks.get(b.id)
            except BookmarkNotFound:
                existing = None
            if existing is not None:
                if b.updated <= existing.updated:
                    report.unchanged += 1
                    continue
                b = replace(existing, note=b.note, color=b.color, tags=b.tags, updated=b.updated)
                report.updated += 1
            else:
                report.added += 1
            self.bookmarks.put(b)
            if existing is None:
                self._anchor_imported(b)
        return report

    def _anchor_imported(self, b: Bookmark) -> None:
        try:
            article = self.library.get(b.article_id)
        except ArticleNotFound:
            self.bookmarks.detach_missing(set(self.titles()))
            return
        self.bookmarks.reanchor(b.article_id, article.text, article.info.content_hash)

    # --- search ----------------------------------------------------------------

    def open_index(self) -> SearchIndex:
        return SearchIndex(index_path(self.data_dir))

    def sync_index(
        self, index: SearchIndex, progress: Progress | None = None, rebuild: bool = False
    ) -> SyncReport:
        return sync_index(index, self.library, self.bookmarks, progress, rebuild)
