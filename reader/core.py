"""ReaderCore: the one door of the window and the command line.

Every user action is a method here, opened from one data folder: the
library, the bookmarks and the search index behind it. The window and the CLI
import this module and the value types it returns, never the stores inside.

A core is used from one thread at a time; the window keeps one per lane of
background work (see ``reader.ui.operations``).
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.bookmarks import (
    Bookmark,
    BookmarkStore,
    UserArticle,
    export_json,
    export_markdown,
    hidden,
    normalise_tags,
    normalise_title,
    parse_annotations,
    removed_ids,
    shown_titles,
)
from reader.errors import (
    ArticleNotFound,
    ArticleUnreadable,
    BookmarkError,
    BookmarkNotFound,
    ReaderError,
    SearchIndexError,
)
from reader.library import (
    Article,
    ArticleInfo,
    ImportOutcome,
    Library,
    Limits,
    Listed,
    Pending,
    RefreshReport,
    Removal,
)
from reader.library.articles import readable
from reader.library.importing import Original, original_of
from reader.library.trash import empty_old, read_removal, removals
from reader.paths import ensure_data_dir
from reader.rendering import OutlineEntry, local_image, render
from reader.storage import write_atomic

if TYPE_CHECKING:
    # The search (whoosh) and the health check are loaded by the methods that use them:
    # a command that neither searches nor checks never loads them.
    from reader.doctor import Health
    from reader.search import Related, SearchIndex, SearchResults, SyncReport

Progress = Callable[[int, int], None]
MAX_IMAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    """Everything the reading view shows for one article."""

    info: ArticleInfo
    html: str
    text: str  # the document's text; every offset below points into it
    outline: tuple[OutlineEntry, ...]
    bookmarks: tuple[Bookmark, ...]
    position: int = 0  # where the user was in it: an offset into ``text``

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title

    def own_image(self, src: str) -> bytes | None:
        """The bytes of an image the article shows, if it is one of its own files.

        Its own files are those in its folder and below: no URL, no absolute
        path, no ``..`` and no link out of the folder; only a regular file (a
        FIFO or a device would hang or never end) no bigger than
        :data:`MAX_IMAGE_BYTES`. Anything else is None: a broken-image mark.
        """
        rel = local_image(src)
        if rel is None:
            return None
        try:
            root = Path(self.info.source).parent.resolve(strict=True)
            path = (root / rel).resolve(strict=True)
            if not path.is_relative_to(root):
                return None
            # Opened without blocking and checked on the open file: a FIFO put
            # in its place after the path was looked at cannot hang the view.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_IMAGE_BYTES:
                    return None
                data = fh.read(MAX_IMAGE_BYTES + 1)
        except (OSError, RuntimeError, ValueError):
            return None
        return data if len(data) <= MAX_IMAGE_BYTES else None


def _as_shown(info: ArticleInfo, user: UserArticle | None) -> ArticleInfo:
    """An article's entry with what the user set on it."""
    if user is None or not (user.title or user.tags):
        return info
    return replace(info, title=user.title or info.title, tags=user.tags, own_title=bool(user.title))


def _listed_as_shown(entry: Listed, user: UserArticle | None) -> Listed:
    """A listed article with what the user set on it, as :func:`_as_shown`."""
    if user is None or not (user.title or user.tags):
        return entry
    return entry._replace(title=user.title or entry.title, tags=user.tags)


def _failed_page(info: ArticleInfo) -> Page:
    source = readable(info.source)
    made = render(
        f"# {info.title}\n\nThis file could not be converted: {info.problem}.\n\n"
        f"It is `{source}`. Once it is mended or replaced it is read again;"
        " removed from the library folder, it leaves the list.\n"
    )
    return Page(info=info, html=made.html, text=made.text, outline=(), bookmarks=())


@dataclass(frozen=True)
class Removed:
    """An article the user removed: what undoing it needs."""

    article_id: str
    title: str
    trash: str = ""  # where its files wait, relative to the data folder ("": none moved)


@dataclass
class AnnotationImport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    detached: int = 0  # of those added: their passage was not found in the article
    problems: list[str] = field(default_factory=list)


class ReaderCore:
    def __init__(
        self,
        data_dir: Path,
        bundled_dir: Path | None,
        limits: Limits | None = None,
        index_wait: float = 5.0,
        writer: bool = True,
    ) -> None:
        """``limits``: what converting one file may take; ``index_wait``: how long a
        write to the search index waits for another process writing it; ``writer``
        False: a search index that cannot be used is reported, not made again."""
        self.data_dir = ensure_data_dir(data_dir)
        self.index_wait = index_wait
        self.writer = writer
        self._library = Library(
            self.data_dir, bundled_dir, limits, self.watched_folders, self._removed_ids
        )
        self._bookmarks = BookmarkStore(self.data_dir / "bookmarks.sqlite3")
        self._index: SearchIndex | None = None
        self.last_refresh = RefreshReport()

    def take_notices(self) -> list[str]:
        """What the user should be told since the last call (a restore, a rebuild…)."""
        taken = self._library.notices + self._bookmarks.notices
        self._library.notices.clear()
        self._bookmarks.notices.clear()
        return taken

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self._bookmarks.close()
        self._library.close()

    # --- library ---------------------------------------------------------------

    def _users(self) -> dict[str, UserArticle]:
        """What the user set on articles; nothing when the bookmarks cannot be read
        (the articles are listed as their files make them)."""
        try:
            return self._bookmarks.user_articles()
        except BookmarkError:
            return {}

    def _removed_ids(self) -> set[str]:
        """The ids of the articles the user removed: none is given to a new article."""
        return removed_ids(self._users())

    def articles(self) -> list[ArticleInfo]:
        """Every article: the bundled ones first, then the user's by date added; with the
        titles and tags the user gave them, and without those they removed."""
        users = self._users()
        gone = hidden(users)
        return [_as_shown(a, users.get(a.id)) for a in self._library.articles() if a.id not in gone]

    def listing(self) -> list[Listed]:
        """:meth:`articles` as a list shows them (id, title, words, file, date added,
        author, site, problem and tags): read from the catalog's listing alone."""
        users = self._users()
        gone = hidden(users)
        return [_listed_as_shown(a, users.get(a.id)) for a in self._library.listing()
                if a.id not in gone]  # fmt: skip

    def article(self, article_id: str) -> Article:
        self._not_removed(article_id)
        article = self._library.get(article_id)
        return replace(article, info=_as_shown(article.info, self._users().get(article_id)))

    def _not_removed(self, article_id: str) -> None:
        """Raise ArticleNotFound, saying how to put it back, for an article the user removed."""
        try:
            user = self._bookmarks.user_article(article_id)
        except BookmarkError:
            return
        if not user.removed or (user.trash and self._library.has(article_id)):
            return  # not removed, or its id was given to another article since
        raise ArticleNotFound(
            f"article {article_id} was removed; 'reader restore {article_id}' puts it back"
        )

    def titles(self) -> dict[str, str]:
        return shown_titles(self._library.titles(), self._users())

    # --- keeping the library: remove, retitle, tag ---------------------------

    def remove_article(self, article_id: str) -> Removed:
        """Take an article out of the library, so that it can be put back.

        A file of the library folder moves to the trash (kept 30 days); a
        bundled article, or one in a watched folder, is hidden. Its bookmarks
        stay, detached, until it is put back. Its title and tags are kept for
        then, and its id is given to no other article meanwhile.
        """
        info = self.info(article_id)
        if self._bookmarks.read_only is not None:  # the removal could not be kept
            raise BookmarkError(f"could not remove {info.title}: {self._bookmarks.read_only}")
        trash = ""
        if self._library.in_library_folder(article_id):  # else hidden: not the user's folder
            self._empty_trash()
            removal = self._library.remove(article_id)
            trash = removal.folder
            try:
                self._bookmarks.set_removed(article_id, removal.removed_at, trash)
            except BookmarkError:
                self._library.put_back(removal)  # not kept: not done
                raise
        else:
            self._bookmarks.set_removed(article_id, time.time())
        self.follow_bookmarks()
        return Removed(article_id, info.title, trash)

    def _empty_trash(self) -> None:
        """Delete removals older than the trash keeps, and forget them."""
        for removal in empty_old(self.data_dir):
            if self._bookmarks.user_article(removal.article_id).trash == removal.folder:
                self._bookmarks.set_removed(removal.article_id, 0.0)

    def removed(self) -> list[Removed]:
        """The articles the user removed that can be put back, newest first."""
        users = self._users()
        titles = self._library.titles()
        found: list[tuple[float, Removed]] = []
        for u in users.values():
            if u.removed and not u.trash:
                title = u.title or titles.get(u.article_id, u.article_id)
                found.append((u.removed, Removed(u.article_id, title, "")))
        for removal in removals(self.data_dir):
            user = users.get(removal.article_id)
            recorded = user is not None and user.trash == removal.folder
            if not recorded and self._library.has(removal.article_id):
                continue  # the id was given back to another article: put back by hand
            title = user.title if user is not None and user.title else removal.title
            found.append((removal.removed_at, Removed(removal.article_id, title, removal.folder)))
        found.sort(key=lambda pair: -pair[0])
        return [removed for _when, removed in found]

    def restore_article(self, article_id: str) -> str:
        """Put back an article the user removed, under its id; its bookmarks are found
        in it again. Returns the id."""
        user = self._bookmarks.user_article(article_id)
        folder = user.trash
        if not user.removed or not folder:
            # Its files may wait in the trash all the same (a removal that was not kept).
            waiting = [r for r in removals(self.data_dir) if r.article_id == article_id]
            if waiting and not self._library.has(article_id):
                folder = max(waiting, key=lambda r: r.removed_at).folder
            elif not user.removed:
                raise ArticleNotFound(f"article {article_id} was not removed")
        if folder:
            removal: Removal = read_removal(self.data_dir, folder)
            article_id = self._library.put_back(removal)
        self._bookmarks.set_removed(article_id, 0.0)
        self.follow_bookmarks()
        return article_id

    def retitle(self, article_id: str, title: str) -> ArticleInfo:
        """Give an article a title of the user's; "" gives it back the file's title.
        The user's title is kept however the file is converted later."""
        own = self._file_info(article_id).title
        user = self._bookmarks.user_article(article_id)
        title = normalise_title(title)
        self._bookmarks.set_user_article(replace(user, title="" if title == own else title))
        return self.info(article_id)

    def tag(
        self, article_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> ArticleInfo:
        """Add and remove an article's tags."""
        self.info(article_id)
        user = self._bookmarks.user_article(article_id)
        dropped = set(normalise_tags(remove))
        tags = [t for t in user.tags if t not in dropped]
        tags += [t for t in normalise_tags(add) if t not in tags]
        self._bookmarks.set_user_article(replace(user, tags=tuple(tags)))
        return self.info(article_id)

    def rename_tag(self, old: str, new: str) -> tuple[int, int]:
        """Rename a tag across the library, on articles and bookmarks alike (merged into
        ``new`` where that is there already); how many articles and bookmarks changed."""
        return self._bookmarks.rename_tag(old, new)

    def tags(self) -> dict[str, int]:
        """Every tag on an article in the library, with how many articles have it."""
        listed = self._library.titles()
        users = self._users()
        gone = hidden(users)
        counts: dict[str, int] = {}
        for article_id, user in users.items():
            if article_id in listed and article_id not in gone:
                for t in user.tags:
                    counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items()))

    def info(self, article_id: str) -> ArticleInfo:
        """An article's catalog entry as shown (one that could not be converted too)."""
        return _as_shown(self._file_info(article_id), self._users().get(article_id))

    def _file_info(self, article_id: str) -> ArticleInfo:
        """An article's catalog entry as its file makes it."""
        self._not_removed(article_id)
        return self._library.info(article_id)

    def original(self, article_id: str) -> Original:
        """The article's source as its file has it, and what cleaning left out of it."""
        article = self._library.get(article_id)
        return original_of(Path(article.info.source), article.text)

    def open_article(self, article_id: str) -> Page:
        """An article made ready to show: its HTML, shown text, outline and bookmarks.

        A file that could not be converted opens as a page saying why.
        """
        self._not_removed(article_id)
        user = self._users().get(article_id)
        try:
            article = self._library.get(article_id)
        except ArticleUnreadable:  # listed, but never converted
            failed = self._library.failed(article_id)
            assert failed is not None
            return _failed_page(_as_shown(failed, user))
        rendered = article.rendered
        return Page(
            info=_as_shown(article.info, user),
            html=rendered.html,
            text=article.text,
            outline=rendered.outline,
            bookmarks=tuple(self._bookmarks.entries(article_id)),
            position=min(self._library.position(article_id), len(article.text)),
        )

    def keep_position(self, article_id: str, position: int, fraction: float) -> bool:
        """Keep where the user is in an article (an offset into its shown text, and
        how far through it that is); False when the library cannot be written."""
        return self._library.set_position(article_id, position, fraction)

    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        """Catalog changed files, then follow every article's bookmarks."""
        report = self._library.refresh(progress)
        self.follow_bookmarks()
        self.last_refresh = report
        return report

    def catalogued(self) -> bool:
        """Whether the library folder has been catalogued at least once."""
        return self._library.catalogued()

    def pending(self) -> Pending:
        """What changed in the library folder since it was catalogued (nothing is read)."""
        return self._library.pending()

    def problems(self) -> list[ArticleInfo]:
        """The files that could not be converted, each with its reason."""
        return self._library.problems()

    # --- watched folders -------------------------------------------------------

    def watched_folders(self) -> list[Path]:
        """The folders whose articles are read where they are, besides the library folder."""
        return [Path(p) for p in self._bookmarks.folders()]

    def watch_folder(self, folder: Path, progress: Progress | None = None) -> RefreshReport:
        """Read a folder's articles where they are, and keep them in step with it."""
        if not folder.is_dir():
            raise ReaderError(f"{readable(str(folder))} is not a folder")
        folder = folder.resolve()  # a link is watched as the folder it leads to
        for ours in (self.data_dir.resolve(), (self.data_dir / "library").resolve()):
            if folder == ours or ours in folder.parents or folder in ours.parents:
                raise ReaderError(
                    f"{readable(str(folder))} holds the data folder or is in it; import its"
                    " articles instead, or watch a folder beside it"
                )
        if not self._bookmarks.add_folder(str(folder)):
            raise ReaderError(f"{readable(str(folder))} is watched already")
        return self.refresh(progress)

    def unwatch_folder(self, folder: Path, progress: Progress | None = None) -> RefreshReport:
        """Stop reading a folder: its articles leave the list (their files stay where
        they are) and their bookmarks stay, detached."""
        path = str(Path(os.path.abspath(folder)))
        if not self._bookmarks.remove_folder(path) and not self._bookmarks.remove_folder(
            str(Path(path).resolve())
        ):
            raise ReaderError(f"{readable(path)} is not watched")
        return self.refresh(progress)

    # --- health ----------------------------------------------------------------

    def check(self) -> Health:
        """What is wrong with the data folder, found without changing anything."""
        from reader.doctor import examine
        from reader.search import index_path, index_trouble

        trouble = index_trouble(index_path(self.data_dir))
        index = None if trouble is not None else self._open_index()
        return examine(self._library, self._bookmarks, index)

    def repair(self) -> list[str]:
        """Mend what can be mended; what was done, a line each."""
        from reader.search import index_path, index_trouble

        done: list[str] = []
        damage = self._library.mend_catalog()
        if damage:
            done.append(f"made the catalog again from the files (it was damaged: {damage})")
        retried = self._library.retry_problems()
        report = self.refresh()
        if retried:
            failing = {a.source for a in self._library.problems()}
            fixed = sum(1 for source in retried if source not in failing)
            done.append(f"tried {len(retried)} failed file(s) again: {fixed} converted")
        moved = len(report.added) + len(report.changed) + len(report.removed)
        if moved:
            done.append(f"catalogued {moved} file(s) changed in the library folder")
        trouble = index_trouble(index_path(self.data_dir))
        if self._index is not None and (trouble is not None or not self.writer):
            self._index.close()
            self._index = None  # opened again below, as a writer that mends it
        self.writer = True
        try:
            synced = self.sync_index(rebuild=trouble is not None)
        except SearchIndexError as exc:
            done.append(f"could not bring the search index in step: {exc}")
            return done
        if trouble is not None:
            done.append(f"rebuilt the search index ({trouble})")
        elif synced.added + synced.updated + synced.removed:
            n = synced.added + synced.updated + synced.removed
            done.append(f"brought {n} document(s) of the search index in step")
        return done

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> list[ImportOutcome]:
        """Import files into the library; bookmarks follow any article that changed.

        ``on_file(path)`` is told of each file as it is converted; once ``cancel``
        is set, the files converted are imported and the rest are left out.
        """
        outcomes = self._library.import_paths(paths, progress, cancel, on_file)
        self.follow_bookmarks()
        return outcomes

    def follow_bookmarks(self) -> list[Bookmark]:
        """Find bookmarks again where their article's shown text changed; detach orphans."""
        if self._bookmarks.read_only is not None:
            return []  # they stay where they were; the store said why at opening
        gone = hidden(self._users())
        hashes = {a: h for a, h in self._library.text_hashes().items() if a not in gone}
        moved: list[Bookmark] = []
        with self._bookmarks.batch():
            for article_id in sorted(self._bookmarks.stale(hashes)):
                _title, text = self._library.text(article_id)
                moved += self._bookmarks.reanchor(article_id, text, hashes[article_id])
            moved += self._bookmarks.detach_missing(set(hashes))
        return moved

    # --- bookmarks -------------------------------------------------------------

    def bookmarks(self, article_id: str | None = None) -> list[Bookmark]:
        """All bookmarks by date made, or one article's in the order of its text."""
        return self._bookmarks.entries(article_id)

    def bookmark(self, bookmark_id: str) -> Bookmark:
        return self._bookmarks.get(bookmark_id)

    def add_bookmark(
        self,
        article_id: str,
        start: int,
        end: int,
        note: str = "",
        color: str = "yellow",
        tags: tuple[str, ...] = (),
    ) -> Bookmark:
        """Keep ``text[start:end]`` of the article's shown text; committed when this returns."""
        article = self._library.get(article_id)
        return self._bookmarks.add(
            article_id, article.text, article.info.text_hash, start, end,
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
        """Keep the first occurrence of ``quote`` in the article."""
        article = self._library.get(article_id)
        return self._bookmarks.add_quote(
            article_id, article.text, article.info.text_hash, quote,
            note=note, color=color, tags=tags,
        )  # fmt: skip

    def update_bookmark(
        self,
        bookmark_id: str,
        *,
        note: str | None = None,
        color: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> Bookmark:
        return self._bookmarks.update(bookmark_id, note=note, color=color, tags=tags)

    def delete_bookmark(self, bookmark_id: str) -> Bookmark:
        """Remove a bookmark and return it as it was, so it can be restored."""
        return self._bookmarks.delete(bookmark_id)

    def restore_bookmark(self, bookmark: Bookmark) -> None:
        """Put back a bookmark as it was (undoing a change or a delete); it is found again in
        its article if that changed since."""
        self._bookmarks.put(bookmark)
        self.follow_bookmarks()

    def attach_bookmark(
        self, bookmark_id: str, start: int, end: int, text_hash: str | None = None
    ) -> Bookmark:
        """Point a bookmark at ``[start, end)`` of its article's shown text (a detached
        bookmark repaired by hand); with ``text_hash``, only if the text is still the one
        those positions were taken in."""
        article = self._library.get(self._bookmarks.get(bookmark_id).article_id)
        if text_hash is not None and text_hash != article.info.text_hash:
            raise BookmarkError(
                "the article changed since that place was shown; look at it again and attach"
            )
        return self._bookmarks.attach(bookmark_id, article.text, article.info.text_hash, start, end)

    def bookmarks_version(self) -> tuple[object, ...]:
        """A token that changes when the bookmarks were changed by anyone but this core
        (another window, the command line, a synced copy of the data folder)."""
        return self._bookmarks.version()

    def export_bookmarks(self, fmt: str) -> str:
        """Every bookmark as Markdown or as W3C Web Annotations (JSON-LD)."""
        return self._export(self._bookmarks.entries(), fmt)

    def _export(self, marks: list[Bookmark], fmt: str) -> str:
        export = export_markdown if fmt == "markdown" else export_json
        return export(marks, self.titles())

    def write_bookmarks(self, path: Path, fmt: str) -> int:
        """Export every bookmark to ``path``; returns how many were written."""
        marks = self._bookmarks.entries()
        try:
            write_atomic(path, self._export(marks, fmt).encode("utf-8"))
        except OSError as exc:
            raise BookmarkError(f"cannot write {path}: {exc.strerror or exc}") from None
        return len(marks)

    def import_bookmarks_file(self, path: Path) -> AnnotationImport:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise BookmarkError(f"cannot read {path}: {reason}") from None
        return self.import_bookmarks(text)

    def import_bookmarks(self, text: str) -> AnnotationImport:
        """Merge a JSON-LD export by id: new ones added, newer ones updated, none twice."""
        incoming, problems = parse_annotations(text)
        report = AnnotationImport(problems=problems)
        keep: list[Bookmark] = []
        added: set[str] = set()
        for b in incoming:
            try:
                existing: Bookmark | None = self._bookmarks.get(b.id)
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
                added.add(b.id)
            keep.append(b)
        self._bookmarks.put_many(keep)  # all or none
        if report.added:
            # New ones are found in their articles as they are now.
            moved = self.follow_bookmarks()
            report.detached = sum(1 for b in moved if b.id in added and b.detached)
        return report

    # --- search ----------------------------------------------------------------

    def _open_index(self) -> SearchIndex:
        from reader.search import SearchIndex, index_path

        if self._index is None:
            self._index = SearchIndex(
                index_path(self.data_dir), lock_timeout=self.index_wait, repair=self.writer
            )
        return self._index

    def sync_index(self, progress: Progress | None = None, rebuild: bool = False) -> SyncReport:
        """Bring the search index in step with the library and the bookmarks."""
        from reader.search import sync_index

        return sync_index(self._open_index(), self._library, self._bookmarks, progress, rebuild)

    def search(self, query: str, limit: int = 20, *, typing: bool = False) -> SearchResults:
        """The best ``limit`` hits for ``query``; ``typing``: its last word may be unfinished,
        and is corrected only when nothing is found."""
        return self._open_index().search(query, limit=limit, typing=typing)

    def related(
        self,
        article_id: str,
        bookmark_id: str | None = None,
        text: str | None = None,
        limit: int = 10,
    ) -> Related:
        """The articles most like an article, one of its bookmarks (the passage and its
        note) or a passage of its text; never the article itself. Searches the index as
        it is: bring it in step first (:meth:`sync_index`)."""
        from reader.search import related_articles

        if bookmark_id:
            self.check_target(article_id, bookmark_id)
            b = self._bookmarks.get(bookmark_id)
            text = "\n".join(part for part in (b.exact, b.note) if part)
        elif text is None:
            text = self._library.get(article_id).text
        else:
            self._library.get(article_id)  # an unknown article is told, not searched past
        return related_articles(
            self._open_index(), text=text, exclude_article=article_id, limit=limit
        )

    def check_target(self, article_id: str, bookmark_id: str | None) -> None:
        """Raise a ReaderError unless the article exists and holds the bookmark."""
        self._library.get(article_id)
        if bookmark_id:
            b = self._bookmarks.get(bookmark_id)
            if b.article_id != article_id:
                raise BookmarkError(f"bookmark {bookmark_id} belongs to article {b.article_id}")

    def index_size(self) -> int:
        """How many documents (articles and bookmarks) the index holds."""
        return self._open_index().doc_count()
