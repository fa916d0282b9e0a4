"""The library: bundled articles plus the user's own, kept in step with the catalog."""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import shutil
import sqlite3
import stat
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Concatenate, Literal, NamedTuple, ParamSpec, TypeVar
from urllib.parse import quote, unquote_to_bytes

from reader import storage
from reader.errors import (
    ArticleNotFound,
    ArticleUnreadable,
    CatalogError,
    ImportFailed,
    ReaderError,
)
from reader.library import trash
from reader.library.articles import (
    Article,
    ArticleInfo,
    Origin,
    content_hash,
    readable,
    reading_minutes,
    slugify,
    unpack_html,
)
from reader.library.catalog import Catalog, CatalogRow, ProblemRow
from reader.library.conversion import (
    Made,
    Shown,
    convert_job,
    file_kind,
    read_file,
    read_source,
    render_job,
)
from reader.library.importing import (
    CONVERTER_VERSION,
    METADATA_SUFFIX,
    is_article_name,
    is_page_folder_file,
    is_supported,
    metadata_path,
)
from reader.library.importing.html import PageMetadata
from reader.library.importing.titles import title_from_filename
from reader.library.trash import Removal
from reader.paths import ensure_data_dir
from reader.rendering import image_sources, local_image, render, renderer_stamp
from reader.storage import write_new

if TYPE_CHECKING:
    from reader.library.workers import Failed

Progress = Callable[[int, int], None]
P = ParamSpec("P")
T = TypeVar("T")


CANCELLED = "the import was cancelled"
# A temporary file older than this was left by a process killed mid-write.
DEBRIS_AGE_S = 15 * 60


def _default_workers() -> int:
    from reader.library.workers import default_count  # multiprocessing: loaded to convert

    return default_count()


@dataclass(frozen=True)
class Limits:
    """What converting one file may take before it is given up (and quarantined)."""

    seconds: float = 30.0  # for any file,
    seconds_per_mb: float = 15.0  # and this much more for each megabyte of it
    workers: int = field(default_factory=_default_workers)
    isolated: bool = True  # in worker processes; False: in this one, with no time limit

    def time_for(self, size: int) -> float:
        return self.seconds + self.seconds_per_mb * size / (1024 * 1024)


@dataclass(frozen=True)
class Source:
    key: str
    path: Path
    origin: Origin


def source_key(origin: str, rel: str) -> str:
    """The catalog's key for a file: ``origin:relative/path``. A name that is not
    UTF-8 (kept by Python as lone surrogates, which SQLite cannot store) is kept
    as its bytes, %-escaped, under ``origin-bytes:``."""
    if rel.isascii():
        return f"{origin}:{rel}"
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return f"{origin}-bytes:{quote(os.fsencode(rel), safe='/')}"
    return f"{origin}:{rel}"


def _key_parts(key: str) -> tuple[str, str]:
    origin, _, rel = key.partition(":")
    if origin.endswith("-bytes"):
        return origin.removesuffix("-bytes"), os.fsdecode(unquote_to_bytes(rel))
    return origin, rel


@dataclass
class RefreshReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)  # newly, with the reason
    quarantined: int = 0  # files that failed before and are not tried again until they change

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.renamed or self.failed)


@dataclass(frozen=True)
class Pending:
    """What a refresh would do, found by looking at the files' names and stamps only."""

    new: int = 0
    changed: int = 0
    gone: int = 0
    outdated: int = 0  # made by an older converter or renderer

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.gone or self.outdated)

    def describe(self) -> str:
        parts = [
            f"{n} {what}"
            for n, what in (
                (self.new, "new"),
                (self.changed, "changed"),
                (self.gone, "removed"),
                (self.outdated, "made by an older reader"),
            )
            if n
        ]
        return ", ".join(parts)


class Listed(NamedTuple):
    """An article as a list of the library shows it: what :meth:`Library.listing` reads."""

    id: str
    title: str
    words: int
    source: str  # absolute path of its file
    origin: Origin
    added_at: float
    author: str = ""
    site: str = ""
    problem: str = ""  # why its file could not be converted ("" when it was)
    tags: tuple[str, ...] = ()  # the user's

    @property
    def minutes(self) -> int:
        return reading_minutes(self.words)


@dataclass(frozen=True)
class _Prepared:
    """A source read (and converted, and rendered) before the catalog is locked."""

    source: Source
    stat: os.stat_result
    content_hash: str
    title: str
    markdown: str
    rendered: Shown | None  # None: the content is unchanged, only the file's stamp moved
    page: PageMetadata = field(default_factory=PageMetadata)


@dataclass(frozen=True, eq=False)
class _Job:
    """A source to convert or render in a worker, before the catalog is locked."""

    source: Source
    stat: os.stat_result
    content_hash: str  # of the file as it was looked at; the job says what it converted
    fn: Callable[..., Made]
    args: tuple[object, ...]
    limit: float  # the seconds it may take


def _stamp(row: CatalogRow | None) -> tuple[str, int, int, str] | None:
    if row is None:
        return None
    return (row.content_hash, row.mtime_ns, row.size, row.renderer)


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    status: Literal["imported", "skipped", "failed"]
    message: str
    article_id: str | None = None


Method = Callable[Concatenate["Library", P], T]


def _catalogued(method: Method[P, T]) -> Method[P, T]:
    """Run a method over the catalog; a catalog found damaged on the way is made again.

    The catalog is derived from the files, so whatever part of it is damaged,
    it is set aside, made again by a refresh, and the method runs once more.
    Any other database trouble (a full disk, say) becomes a one-line CatalogError.
    """

    @functools.wraps(method)
    def run(lib: Library, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(lib, *args, **kwargs)
        except sqlite3.Error as exc:
            if not storage.is_damaged(exc):
                raise _trouble(exc, lib.catalog.path) from None
            try:
                lib._start_again(exc)
            except sqlite3.Error as err:
                raise _trouble(err, lib.catalog.path) from None
        try:
            return method(lib, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _trouble(exc, lib.catalog.path) from None

    return run


def _trouble(exc: sqlite3.Error, path: Path) -> CatalogError:
    return CatalogError(f"the library catalog could not be used: {storage.reason(exc, path)}")


class Library:
    """Articles from the bundled folder and the user's library folder.

    ``data_dir`` holds the catalog and the user's ``library/`` folder;
    ``bundled_dir`` is the read-only folder of articles that ship with the app.
    Files are converted under ``limits``; one that fails is quarantined: listed
    with its reason, and not tried again until it or the converter changes.
    """

    def __init__(
        self,
        data_dir: Path,
        bundled_dir: Path | None,
        limits: Limits | None = None,
        watched: Callable[[], list[Path]] | None = None,
        reserved: Callable[[], set[str]] | None = None,
    ) -> None:
        """``watched``: the folders outside the library folder whose articles are read
        in place; ``reserved``: ids no new article may take (those of articles the user
        removed, which may be put back). Both are asked for at each look at the files."""
        self.data_dir = ensure_data_dir(data_dir)
        self.watched = watched or list
        self.reserved = reserved or set
        self.bundled_dir = bundled_dir
        self.user_dir = self.data_dir / "library"
        self.limits = limits or Limits()
        self.catalog = Catalog(self.data_dir / "catalog.sqlite3")
        self.notices = self.catalog.notices  # for the user, taken by the core
        try:
            self.user_dir.mkdir(exist_ok=True)
        except FileExistsError:
            pass  # a file in its place: said just below
        except OSError as exc:
            self.notices.append(f"the library folder {self.user_dir}: {storage.reason(exc)}")
        if self.user_dir.exists() and not self.user_dir.is_dir():
            self.notices.append(
                f"{self.user_dir} is not a folder, so only the bundled articles are shown;"
                " move it away to keep your own articles there"
            )

    def _start_again(self, exc: sqlite3.Error) -> None:
        self.catalog.start_again(exc)
        self._refresh(None)

    def close(self) -> None:
        self.catalog.close()

    # --- reading -------------------------------------------------------------

    def _path_of(self, key: str) -> Path:
        origin, rel = _key_parts(key)
        if origin == "watched":
            return Path(rel)  # absolute
        base = self.bundled_dir if origin == "bundled" else self.user_dir
        return (base or self.user_dir) / rel

    def _source_namer(self) -> Callable[[str], str]:
        """A function giving the path of the file a catalog key names, as
        ``str(self._path_of(key))`` has it, without a Path made for each file: each
        folder's path is made once, and a file's name is put after it."""
        folders: dict[str, str] = {}  # a key up to its file's name -> its folder, and a sep

        def folder_of(head: str) -> str:
            origin, colon, _rel = head.partition(":")
            if not colon or origin.endswith("-bytes"):
                return ""  # made by _path_of each time
            made = str(self._path_of(head + "x").parent)
            return made if made.endswith(os.sep) else made + os.sep

        def source(key: str) -> str:
            cut = key.rfind("/") + 1 or key.find(":") + 1
            head, name = key[:cut], key[cut:]
            folder = folders.get(head)
            if folder is None:
                folder = folders[head] = folder_of(head)
            if not folder or name in ("", "."):  # a Path would drop such a name
                return str(self._path_of(key))
            return folder + name

        return source

    def _info(self, row: CatalogRow, problem: str = "") -> ArticleInfo:
        return row.info(str(self._path_of(row.source_key)), problem)

    def _problem_info(self, p: ProblemRow) -> ArticleInfo:
        origin, _rel = _key_parts(p.source_key)
        return ArticleInfo(
            id=p.id,
            title=p.title,
            source=str(self._path_of(p.source_key)),
            origin="bundled" if origin == "bundled" else "user",
            content_hash="",
            text_hash="",
            words=0,
            mtime_ns=p.mtime_ns,
            size=p.size,
            added_at=p.failed_at,
            problem=p.reason,
        )

    @_catalogued
    def articles(self) -> list[ArticleInfo]:
        """Bundled articles first, in their shipped order, then the user's by date added.

        A file that could not be converted is listed too, with its ``problem``;
        an article whose file no longer converts keeps its last text, with the problem.
        """
        problems = {p.source_key: p for p in self.catalog.problems()}
        source = self._source_namer()
        # Made from plain tuples, with each folder's path made once: a Path and a row
        # object for each of 20,000 articles took most of the list's half a second.
        infos = [
            ArticleInfo(article_id, title, source(key), origin, content, text, words, mtime,
                        size, added, author, published, site, url, progress,
                        _reason(problems.pop(key, None)) if problems else "")
            for (article_id, title, key, origin, content, text, words, mtime, size, added,
                 author, published, site, url, progress) in self.catalog.info_rows()
        ]  # fmt: skip
        infos += [self._problem_info(p) for p in problems.values()]
        infos.sort(key=_in_library_order)
        return infos

    @_catalogued
    def listing(self) -> list[Listed]:
        """The articles as :meth:`articles` lists them, in its order, with only what a
        list shows of each: read in one query of the catalog's listing, which leaves
        the articles' texts unread."""
        problems = {p.source_key: p for p in self.catalog.problems()}
        source = self._source_namer()
        found = [
            Listed(article_id, title, words, source(key), origin, added_at, author, site,
                   _reason(problems.pop(key, None)) if problems else "")
            for article_id, title, words, key, origin, added_at, author, site
            in self.catalog.listed()
        ]  # fmt: skip
        for p in problems.values():
            info = self._problem_info(p)
            found.append(Listed(p.id, p.title, 0, info.source, info.origin, p.failed_at,
                                problem=p.reason))  # fmt: skip
        found.sort(key=_in_library_order)
        return found

    @_catalogued
    def get(self, article_id: str) -> Article:
        row = self.catalog.row(article_id)
        if row is None:
            raise self._missing(article_id)
        return Article(self._info(row), row.markdown, row.text, row.html, row.outline)

    @_catalogued
    def has(self, article_id: str) -> bool:
        """Whether an article (or a file that could not be converted) is listed by this id."""
        return self.catalog.has(article_id)

    @_catalogued
    def info(self, article_id: str) -> ArticleInfo:
        """An article's catalog entry, or a failed file's, without reading its text."""
        row = self.catalog.listed_row(article_id)
        p = self.catalog.problem(article_id)
        if row is not None:
            return self._info(row, _reason(p))  # as listed: with its problem, if it has one
        if p is None:
            raise self._missing(article_id)
        return self._problem_info(p)

    @_catalogued
    def failed(self, article_id: str) -> ArticleInfo | None:
        """The file listed as ``article_id`` that could not be converted (None: none is)."""
        p = self.catalog.problem(article_id)
        return None if p is None else self._problem_info(p)

    def _missing(self, article_id: str) -> ArticleNotFound:
        p = self.catalog.problem(article_id)
        if p is not None:
            return ArticleUnreadable(f"{p.title} could not be converted: {p.reason}")
        return ArticleNotFound(f"no article with id {article_id!r}")

    @_catalogued
    def text(self, article_id: str) -> tuple[str, str]:
        """An article's title and shown text (its Markdown is not read)."""
        found = self.catalog.text_of(article_id)
        if found is None:
            raise self._missing(article_id)
        return found

    @_catalogued
    def index_source(self, article_id: str) -> tuple[str, str, list[str]]:
        """An article's title, shown text and section headings, for the search index."""
        found = self.catalog.index_source_of(article_id)
        if found is None:
            raise self._missing(article_id)
        title, text, headings = found
        return title, text, headings.splitlines()

    @_catalogued
    def position(self, article_id: str) -> int:
        """Where the user was in an article: an offset into its shown text."""
        return self.catalog.position_of(article_id)

    @_catalogued
    def set_position(self, article_id: str, position: int, fraction: float) -> bool:
        """Keep where the user is in an article; False when the catalog cannot be written."""
        if not self.catalog.try_writable():
            return False
        self.catalog.set_position(article_id, position, fraction)
        return True

    @_catalogued
    def titles(self) -> dict[str, str]:
        return self.catalog.titles()

    @_catalogued
    def text_hashes(self) -> dict[str, str]:
        return self.catalog.text_hashes()

    @_catalogued
    def problems(self) -> list[ArticleInfo]:
        """The files that could not be converted, each with its reason."""
        rows = {r.source_key: r for r in self.catalog.rows()}
        return [
            self._info(rows[p.source_key], p.reason)
            if p.source_key in rows
            else self._problem_info(p)
            for p in self.catalog.problems()
        ]

    # --- keeping the catalog in step with the files ---------------------------

    def sources(self) -> list[Source]:
        return [Source(key, Path(path), origin) for key, path, origin in self._source_paths()]

    def _source_paths(self) -> list[tuple[str, str, Origin]]:
        """Each article file's catalog key, path and origin: the bundled ones, the library
        folder's, then the watched folders'. Only names are looked at (no file's stamp)."""
        found: list[tuple[str, str, Origin]] = []
        if self.bundled_dir is not None and self.bundled_dir.is_dir():
            for p in sorted(self.bundled_dir.iterdir()):
                if p.is_file() and is_supported(p):
                    found.append((source_key("bundled", p.name), str(p), "bundled"))
        if self.user_dir.is_dir():
            files = _article_paths(self.user_dir)
            found += [(source_key("user", rel), path, "user") for rel, path in files]
        keys: set[str] | None = None  # made once a watched folder is there
        for root in self._roots() or ():
            if not root.is_dir():
                continue  # away (an unplugged disk): its articles stay listed, see _gone
            if keys is None:
                keys = {key for key, _path, _origin in found}
            # A hidden folder (.git, say) is no one's reading.
            for _rel, path in _article_paths(root, hidden_folders=False):
                key = source_key("watched", path)
                if key not in keys:  # a folder inside another watched one
                    keys.add(key)
                    found.append((key, path, "user"))
        return found

    def _roots(self) -> list[Path] | None:
        """The watched folders; None when they cannot be known (their list is unreadable)."""
        try:
            return self.watched()
        except ReaderError:
            return None

    def _gone(self, key: str, roots: list[Path] | None) -> bool:
        """Whether a file the catalog lists, not found in the folders, has left the library.

        A file in a folder no longer watched has; one in a watched folder that is
        away (an unplugged disk) has not, so its bookmarks are not detached.
        """
        origin, rel = _key_parts(key)
        if origin == "watched":
            if roots is None:
                return False  # which folders are watched is not known now: kept
            path = Path(rel)
            root = next((r for r in roots if r in path.parents), None)
            if root is None:
                return True
            if not _present(root):
                return False
        return not self._path_of(key).exists()

    @_catalogued
    def in_library_folder(self, article_id: str) -> bool:
        """Whether an article's file is in the library folder (it is moved when removed)."""
        row = self.catalog.listed_row(article_id)
        key = row.source_key if row is not None else None
        if key is None:
            problem = self.catalog.problem(article_id)
            key = problem.source_key if problem is not None else ""
        return _key_parts(key)[0] == "user"

    @_catalogued
    def catalogued(self) -> bool:
        """Whether the files have been catalogued at least once."""
        return self.catalog.get_meta("converter") is not None

    def converter_stamp(self) -> str:
        """What a conversion depends on: the converters' version and the renderer's."""
        return f"{CONVERTER_VERSION};{renderer_stamp()}"

    @_catalogued
    def pending(self) -> Pending:
        """What a refresh would do, from the files' names and stamps alone (nothing is read).

        The folders are listed by name, each file's stamp is looked up (a stat) and
        compared with the one the catalog kept: only what a refresh compares is read
        from the catalog, not its rows.
        """
        sources = self._source_paths()
        stamps = self.catalog.stamps(renderer_stamp())
        problems = {p.source_key: p for p in self.catalog.problems()}
        version_ok = self.catalog.get_meta("converter") == CONVERTER_VERSION
        stamp = self.converter_stamp()
        new = changed = outdated = listed = 0
        for key, path, _origin in sources:
            try:
                st = os.stat(path)
            except OSError:
                continue
            kept = stamps.get(key)
            if problems and (problem := problems.get(key)) and problem.same(st, stamp):
                continue  # quarantined until it or the converter changes
            if kept is None:
                new += 1
                continue
            listed += 1
            if kept[0] != st.st_mtime_ns or kept[1] != st.st_size:
                changed += 1
            elif not version_ok or not kept[2]:
                outdated += 1
        gone = 0
        if listed < len(stamps):  # some of the catalog's files were not found
            unseen = stamps.keys() - {key for key, _path, _origin in sources}
            roots = self._roots()
            gone = sum(1 for k in unseen if self._gone(k, roots))
        return Pending(new, changed, gone, outdated)

    @_catalogued
    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        """Bring the catalog in step with the files; see :meth:`_refresh`."""
        return self._refresh(progress)

    def _refresh(
        self,
        progress: Progress | None,
        premade: dict[str, Made] | None = None,
        wanted: dict[str, tuple[str, float]] | None = None,
    ) -> RefreshReport:
        """Bring the catalog in step with the files; only changed files are parsed.

        Files are read, converted and rendered (in worker processes, under the
        limits) before the catalog's write lock is taken; under the lock the
        rows are read again and a result is written only over the row it was
        made from, so another process's refresh or import in the meantime is
        never undone. With nothing to change, nothing is written. A file that
        fails is quarantined. ``premade``: an import's copies, converted already
        (key -> what was made of them); a copy that fails after all is not
        quarantined (the import removes it). ``wanted``: the id and date added a
        new file is catalogued with, if that id is free (an article put back).
        """
        premade = premade or {}
        report = RefreshReport()
        if not self.catalog.try_writable():
            return report  # shown as it was; the catalog said why at opening
        self._clear_debris()
        sources = self.sources()
        before = {r.source_key: r for r in self.catalog.rows()}
        problems_before = {p.source_key: p for p in self.catalog.problems()}
        version_ok = self.catalog.get_meta("converter") == CONVERTER_VERSION
        renderer, stamp = renderer_stamp(), self.converter_stamp()
        prepared: list[_Prepared] = []
        jobs: list[_Job] = []
        failures: list[tuple[Source, os.stat_result | None, str]] = []
        cured: set[str] = set()  # keys whose problem is gone: they converted this time
        total = len(sources)
        for n, src in enumerate(sources):
            if progress and n % 50 == 0:
                progress(n, total * 2)
            row = before.get(src.key)
            problem = problems_before.get(src.key)
            try:
                st = src.path.stat()
                if problem is not None and problem.same(st, stamp):
                    report.quarantined += 1
                    continue
                item = self._prepare(src, row, version_ok, renderer)
                ready = premade.get(src.key)
                # An import's copy, as it was converted (and not changed since):
                if isinstance(item, _Job) and ready and item.content_hash == ready.content_hash:
                    item = _Prepared(src, item.stat, ready.content_hash, ready.title,
                                     ready.markdown, ready.shown, ready.page)  # fmt: skip
            except ImportFailed as exc:
                failures.append((src, _stat_or_none(src.path), _told(str(exc), src.path)))
                continue
            except OSError as exc:
                reason = f"cannot read: {storage.reason(exc)}"
                failures.append((src, _stat_or_none(src.path), _told(reason, src.path)))
                continue
            if item is None:
                report.unchanged += 1
                if problem is not None:
                    cured.add(src.key)
            elif isinstance(item, _Job):
                jobs.append(item)
            else:
                prepared.append(item)
                if problem is not None:
                    cured.add(src.key)
        from reader.library.workers import Failed

        for n, (job, made) in enumerate(self._run(jobs), start=1):
            if progress:
                progress(total + n * total // max(1, len(jobs)), total * 2)
            if isinstance(made, Failed):
                failures.append((job.source, job.stat, _told(made.reason, job.source.path)))
                continue
            digest = made.content_hash or job.content_hash  # rendering only: the same bytes
            prepared.append(
                _Prepared(job.source, job.stat, digest, made.title, made.markdown, made.shown,
                          made.page)
            )  # fmt: skip
            if job.source.key in problems_before:
                cured.add(job.source.key)
        seen = {src.key for src in sources}
        roots = self._roots()
        quarantine = [f for f in failures if f[0].key not in premade]
        for src, _st, reason in failures:
            report.failed.append((src.path, reason))
        something = (
            prepared or quarantine or cured or not version_ok
            or any(k not in seen and self._gone(k, roots) for k in before)
            or any(k not in seen and self._gone(k, roots) for k in problems_before)
        )  # fmt: skip
        if something:
            self._commit(report, prepared, quarantine, cured, seen, before, stamp, wanted or {})
        if progress:
            progress(total * 2, total * 2)
        return report

    def _commit(
        self,
        report: RefreshReport,
        prepared: list[_Prepared],
        quarantine: list[tuple[Source, os.stat_result | None, str]],
        cured: set[str],
        seen: set[str],
        before: dict[str, CatalogRow],
        stamp: str,
        wanted: dict[str, tuple[str, float]],
    ) -> None:
        """Write what a refresh made, in one short transaction."""
        with self.catalog.transaction():
            rows = {r.source_key: r for r in self.catalog.rows()}
            problems = {p.source_key: p for p in self.catalog.problems()}
            taken = {r.id for r in rows.values()} | {p.id for p in problems.values()}
            # A new article takes no id of one removed: it could not be put back.
            listed, taken = taken, taken | self.reserved()
            new: list[_Prepared] = []
            for item in prepared:
                row = rows.get(item.source.key)
                if _stamp(row) != _stamp(before.get(item.source.key)):
                    report.unchanged += 1  # another process wrote this row meanwhile
                elif row is None:
                    new.append(item)
                elif item.rendered is None:
                    self.catalog.touch(row.id, item.stat.st_mtime_ns, item.stat.st_size)
                    report.unchanged += 1
                else:
                    self._store(row.id, item, row.added_at)
                    self.catalog.delete_problem(item.source.key)  # it converts now
                    if row.text_hash != item.rendered.text_hash:
                        report.changed.append(row.id)
                    else:
                        report.unchanged += 1
            # A row whose file was not seen is gone only if its file is gone now:
            # another process may have imported it after the folder was listed.
            roots = self._roots()
            vanished = {k: r for k, r in rows.items() if k not in seen and self._gone(k, roots)}
            by_content: dict[str, list[CatalogRow]] = {}
            for r in vanished.values():
                by_content.setdefault(r.content_hash, []).append(r)
            for item in new:
                self.catalog.delete_problem(item.source.key)  # it converts now
                twins = by_content.get(item.content_hash)
                if twins:
                    # Same content under a new name: a rename or move keeps its id.
                    twin = twins.pop()
                    del vanished[twin.source_key]
                    self._store(twin.id, item, twin.added_at)
                    report.renamed.append(twin.id)
                    continue
                problem = problems.get(item.source.key)
                want = wanted.get(item.source.key)
                if want is not None and want[0] not in listed:  # put back: its id as it was
                    article_id, added_at = want
                    taken.add(article_id)
                    self._store(article_id, item, added_at)
                    report.added.append(article_id)
                    continue
                if problem is not None:  # a file that failed before: the id it was listed by
                    article_id = problem.id
                else:
                    article_id = _unique_id(slugify(item.title), taken)
                    taken.add(article_id)
                self._store(article_id, item, None)
                report.added.append(article_id)
            for r in vanished.values():
                self.catalog.delete(r.id)
                report.removed.append(r.id)
            for key in cured:
                self.catalog.delete_problem(key)
            for key in problems:
                if key not in seen and self._gone(key, roots):
                    self.catalog.delete_problem(key)
            for src, st, reason in quarantine:
                row = rows.get(src.key)
                if _stamp(row) != _stamp(before.get(src.key)):
                    continue  # another process wrote this row meanwhile: its result stands
                old = problems.get(src.key)
                if row is not None:
                    article_id, title = row.id, row.title
                elif old is not None:
                    article_id, title = old.id, old.title
                elif src.key in wanted and wanted[src.key][0] not in listed:  # put back
                    article_id = wanted[src.key][0]
                    title = readable(title_from_filename(src.path) or src.path.name)
                    taken.add(article_id)
                else:
                    title = readable(title_from_filename(src.path) or src.path.name)
                    article_id = _unique_id(slugify(title), taken)
                    taken.add(article_id)
                self.catalog.set_problem(
                    src.key, article_id, title, reason,
                    st.st_mtime_ns if st else 0, st.st_size if st else 0, stamp,
                )  # fmt: skip
            self.catalog.set_meta("converter", CONVERTER_VERSION)

    def _run(self, jobs: list[_Job]) -> Generator[tuple[_Job, Made | Failed], None, None]:
        """Each job's result, as it finishes: in worker processes, each under its time limit."""
        if not jobs:
            return
        from reader.library.workers import Workers

        count = min(self.limits.workers, len(jobs))
        with Workers(count, isolated=self.limits.isolated) as workers:
            runs = [((j.fn, j.args), j.limit) for j in jobs]
            for place, made in workers.run(_job_runner, runs):
                yield jobs[place], made

    def _clear_debris(self) -> None:
        """Remove what a process killed mid-write left in the library folder."""
        if not self.user_dir.is_dir():
            return
        for path in storage.stale_temporary_files(self.user_dir, DEBRIS_AGE_S):
            with contextlib.suppress(OSError):
                path.unlink()

    def _prepare(
        self, src: Source, row: CatalogRow | None, version_ok: bool, renderer: str
    ) -> _Prepared | _Job | None:
        """What to do for one source: nothing (None: its row is up to date), a new
        stamp only, or a job converting or rendering it."""
        st = src.path.stat()
        same_file = row is not None and (row.mtime_ns, row.size) == (st.st_mtime_ns, st.st_size)
        if row is not None and same_file:
            digest = row.content_hash  # the file's stamp vouches for its content
        else:
            digest = content_hash(*read_file(src.path))  # read to be hashed, not kept
        if row is not None and version_ok and row.content_hash == digest:
            if row.renderer != renderer:  # the same Markdown, shown anew
                markdown = self.catalog.markdown_of(src.key) or ""
                page = PageMetadata(row.author, row.published, row.site, row.url)
                limit = self.limits.time_for(len(markdown))
                return _Job(src, st, digest, render_job, (markdown, row.title, page, renderer),
                            limit)  # fmt: skip
            return None if same_file else _Prepared(src, st, digest, row.title, "", None)
        return self._conversion(src, st, digest, renderer)

    def _conversion(self, src: Source, st: os.stat_result, digest: str, renderer: str) -> _Job:
        """The job converting a file; the worker reads it."""
        args = (str(src.path), renderer)
        return _Job(src, st, digest, convert_job, args, self.limits.time_for(st.st_size))

    def _store(self, article_id: str, item: _Prepared, added_at: float | None) -> None:
        assert item.rendered is not None
        self.catalog.upsert(
            article_id=article_id,
            source_key=item.source.key,
            origin=item.source.origin,
            title=item.title,
            content_hash=item.content_hash,
            mtime_ns=item.stat.st_mtime_ns,
            size=item.stat.st_size,
            markdown=item.markdown,
            text=item.rendered.text,
            text_hash=item.rendered.text_hash,
            renderer=item.rendered.renderer,
            words=item.rendered.words,
            headings=item.rendered.headings,
            added_at=added_at,
            page=item.page,
            html=item.rendered.html,
            outline=item.rendered.outline,
        )

    @_catalogued
    def retry_problems(self) -> list[str]:
        """Forget which files failed, so the next refresh tries each again; their paths."""
        if not self.catalog.try_writable():
            return []
        with self.catalog.transaction():
            keys = [p.source_key for p in self.catalog.problems()]
            for key in keys:
                self.catalog.delete_problem(key)
        return [str(self._path_of(key)) for key in keys]

    def mend_catalog(self) -> str | None:
        """Make the catalog again from the files if SQLite finds it damaged; what was wrong."""
        damage = storage.quick_check(self.catalog.path)
        if damage is not None:
            self._start_again(storage.Damaged(damage))
        return damage

    # --- removing and putting back -------------------------------------------

    @_catalogued
    def remove(self, article_id: str) -> Removal:
        """Move a user article's files to the trash and take it out of the catalog.

        A file that could not be converted is removed the same way.
        """
        if not self.catalog.try_writable():
            raise CatalogError(f"nothing can be removed: {self.catalog.read_only}")
        row = self.catalog.row(article_id)
        problem = self.catalog.problem(article_id)
        if row is not None:
            key, title, added_at = row.source_key, row.title, row.added_at
        elif problem is not None:
            key, title, added_at = problem.source_key, problem.title, problem.failed_at
        else:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        if _key_parts(key)[0] != "user":
            raise ImportFailed(f"{title} is not in the library folder")
        source = self._path_of(key)
        images = [] if row is None else self._own_images(source, row.html, row.markdown)
        removal = trash.move_to_trash(
            self.data_dir, self.user_dir, source, article_id, title, added_at, images
        )
        with self.catalog.transaction():
            self.catalog.delete(article_id)
            self.catalog.delete_problem(key)
        return removal

    def _own_images(self, source: Path, html: bytes, markdown: str) -> list[Path]:
        """The files of the article's folder that it shows as images (from its HTML as
        kept, else made again from its Markdown)."""
        found = []
        for src in image_sources(unpack_html(html) or render(markdown).html):
            rel = local_image(src)
            if rel is not None:
                found.append(source.parent / rel)
        return found

    @_catalogued
    def put_back(self, removal: Removal) -> str:
        """Move a removed article's files home and catalog it under its id; the id.
        Refused while another article is listed under that id."""
        if not self.catalog.try_writable():
            raise CatalogError(f"nothing can be put back: {self.catalog.read_only}")
        if self.catalog.has(removal.article_id):
            where = self.data_dir / removal.folder / "files"
            raise ImportFailed(
                f"cannot put {removal.title} back: another article is listed as"
                f" {removal.article_id} now (its files are in {where})"
            )
        path = trash.put_back(self.data_dir, self.user_dir, removal)
        key = self._key_of(path)
        self._refresh(None, wanted={key: (removal.article_id, removal.added_at)})
        row = self.catalog.row_by_key(key)
        if row is not None:
            return row.id
        problem = {p.source_key: p for p in self.catalog.problems()}.get(key)
        if problem is not None:
            return problem.id
        raise ArticleNotFound(f"{removal.title} was put back but could not be catalogued")

    # --- importing the user's files ------------------------------------------

    @_catalogued
    def import_paths(
        self,
        paths: Iterable[Path],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> list[ImportOutcome]:
        """Copy supported files (or folders of them) into the library and catalog them.

        Each file is converted once, before it is copied; one that does not
        convert is not copied, and is reported with the reason. A copy never
        replaces a file: each takes a name no other file (nor another process's
        copy) has. ``on_file(path)`` is told of each file as it is converted.
        Once ``cancel`` is set, no more files are converted: those converted
        are copied and catalogued, the rest are reported not imported.
        """
        if not self.catalog.try_writable():
            why = self.catalog.read_only
            raise ImportFailed(
                f"nothing can be imported: the library catalog cannot be written ({why})"
            )
        if not self.user_dir.is_dir():
            raise ImportFailed(f"nothing can be imported: {self.user_dir} is not a folder")
        from reader.library.workers import Failed, one_line

        outcomes: list[ImportOutcome | None] = []  # None: decided once converted
        reads: dict[int, tuple[Path, os.stat_result, str]] = {}  # slot -> (path, stat, digest)
        known = self.catalog.content_hashes()
        first_of: dict[str, int] = {}  # digest -> the slot of the first file with those bytes
        twins: dict[int, tuple[Path, int]] = {}  # slot -> (its path, an earlier same file's slot)
        for path, named in _expand(paths):
            if cancel is not None and cancel.is_set():  # before the files were all read
                outcomes.append(ImportOutcome(path, "skipped", CANCELLED))
                continue
            if not os.path.lexists(path):
                outcomes.append(ImportOutcome(path, "failed", "no such file"))
                continue
            kind = _not_a_file(path)
            if kind is not None:  # a FIFO or device would hang the read, or never end
                reason = f"{kind}, not a file; only files are imported"
                outcomes.append(ImportOutcome(path, "failed" if named else "skipped", reason))
                continue
            if not is_supported(path):
                reason = f"unsupported file type {readable(path.suffix) or '(none)'}"
                # Named on its own, it failed; met in a folder, it is passed over.
                outcomes.append(ImportOutcome(path, "failed" if named else "skipped", reason))
                continue
            try:
                st = path.stat()
                digest = content_hash(*read_file(path))  # read to be hashed, not kept
            except ImportFailed as exc:
                outcomes.append(ImportOutcome(path, "failed", _told(str(exc), path)))
                continue
            except OSError as exc:
                reason = f"cannot read: {storage.reason(exc)}"
                outcomes.append(ImportOutcome(path, "failed", reason))
                continue
            if digest in known:
                msg = f"already in the library as {known[digest]}"
                outcomes.append(ImportOutcome(path, "skipped", msg, known[digest]))
                continue
            if digest in first_of:  # the same bytes twice in this import: told once it ends
                twins[len(outcomes)] = (path, first_of[digest])
            else:
                first_of[digest] = len(outcomes)
                reads[len(outcomes)] = (path, st, digest)
            outcomes.append(None)
        # Converted before anything is copied: a file that does not convert never
        # enters the library folder, and one copied in has its catalog entry made.
        premade: dict[str, Made] = {}
        copied: dict[int, tuple[Path, Path]] = {}  # outcome slot -> (original, copy)
        own_folders: set[Path] = set()  # folders this import made for saved pages
        renderer = renderer_stamp()
        jobs = {
            slot: self._conversion(Source("", path, "user"), st, digest, renderer)
            for slot, (path, st, digest) in reads.items()
        }
        slot_of = {id(job): slot for slot, job in jobs.items()}
        steps = len(jobs) + 1  # the catalog's commit is the last step
        with contextlib.closing(self._run(list(jobs.values()))) as results:
            for n, (job, made) in enumerate(results, start=1):
                slot, path = slot_of[id(job)], job.source.path
                if isinstance(made, Failed):
                    outcomes[slot] = ImportOutcome(path, "failed", _told(made.reason, path))
                else:
                    try:
                        target = self._copy_converted(path, made, own_folders)
                    except ImportFailed as exc:
                        outcomes[slot] = ImportOutcome(path, "failed", _told(str(exc), path))
                    except OSError as exc:
                        reason = f"cannot copy into the library: {storage.reason(exc)}"
                        outcomes[slot] = ImportOutcome(path, "failed", reason)
                    else:
                        copied[slot] = (path, target)
                        premade[self._key_of(target)] = made
                if progress:
                    progress(n, steps)
                if on_file:
                    on_file(path)
                if cancel is not None and cancel.is_set():
                    break  # the workers still converting are stopped as this is left
        for slot, (path, _st, _digest) in reads.items():
            if outcomes[slot] is None and slot not in copied:
                outcomes[slot] = ImportOutcome(path, "skipped", CANCELLED)
        if copied:
            try:
                storage.sync_files(target for _original, target in copied.values())
            except OSError as exc:
                for slot, (original, target) in copied.items():
                    _remove_copy(target, own_folders)
                    reason = f"cannot copy into the library: {storage.reason(exc)}"
                    outcomes[slot] = ImportOutcome(original, "failed", reason)
                return [o for o in outcomes if o is not None]
            try:
                report = self._refresh(None, premade)
            except sqlite3.Error as exc:
                if storage.is_damaged(exc):
                    raise  # made again by @_catalogued, which runs the import once more
                for slot, (original, target) in copied.items():
                    _remove_copy(target, own_folders)
                    outcomes[slot] = ImportOutcome(
                        original, "failed", str(_trouble(exc, self.catalog.path))
                    )
                return [o for o in outcomes if o is not None]
            failed = {p: reason for p, reason in report.failed}
            by_key = self.catalog.ids_and_titles()
            for slot, (original, target) in copied.items():
                found = by_key.get(self._key_of(target))
                if found is not None:
                    article_id, title = found
                    outcomes[slot] = ImportOutcome(original, "imported", title, article_id)
                    continue
                _remove_copy(target, own_folders)
                reason = failed.get(target, "could not be catalogued")
                outcomes[slot] = ImportOutcome(original, "failed", reason)
        for slot, (path, first) in twins.items():
            done = outcomes[first]
            assert done is not None
            same = one_line(readable(done.path.name))
            if done.status == "imported":
                msg = f"the same as {same}, imported as {done.article_id}"
                outcomes[slot] = ImportOutcome(path, "skipped", msg, done.article_id)
            elif done.message == CANCELLED:
                outcomes[slot] = ImportOutcome(path, "skipped", CANCELLED)
            else:
                outcomes[slot] = ImportOutcome(
                    path, "failed", f"the same as {same}: {done.message}"
                )
        if progress:
            progress(steps, steps)
        return [o for o in outcomes if o is not None]

    def _copy_converted(self, path: Path, made: Made, own_folders: set[Path]) -> Path:
        """Copy a converted file into the library, if it is still the file converted; the
        copy is synced to disk later, with the others (:func:`storage.sync_files`)."""
        data, meta_bytes = read_file(path)
        if content_hash(data, meta_bytes) != made.content_hash:
            raise ImportFailed("it changed while it was imported; import it again")
        return self._copy_in(path, data, meta_bytes, made.images, own_folders, sync=False)

    def _key_of(self, copy: Path) -> str:
        return source_key("user", copy.relative_to(self.user_dir).as_posix())

    def _copy_in(
        self,
        path: Path,
        data: bytes,
        meta_bytes: bytes,
        images: tuple[PurePosixPath, ...],
        own_folders: set[Path],
        *,
        sync: bool = True,
    ) -> Path:
        """Copy a file into the library under a name nobody has; return the copy.

        A name is taken only by creating it, so two imports of the same name at
        once (from two processes) both land, under two names.
        """
        for n in itertools.count(1):
            if images:
                # A page with its images gets a folder of its own, so the paths
                # it names them by stay as they were.
                folder = self.user_dir / _numbered(path.stem, "", n)
                try:
                    folder.mkdir()
                except FileExistsError:
                    continue
                own_folders.add(folder)
                target = folder / path.name
            else:
                target = self.user_dir / _numbered(path.stem, path.suffix, n)
                if os.path.lexists(metadata_path(target)):
                    continue  # the metadata of another article, which this would take
            try:
                for rel in images:
                    copy = target.parent.joinpath(*rel.parts)
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    storage.write_atomic(copy, read_source(path.parent.joinpath(*rel.parts)))
                write_new(target, data, sync=sync)
            except FileExistsError:
                continue
            except OSError:
                _remove_copy(target, own_folders)
                raise
            if meta_bytes:
                try:
                    storage.write_atomic(metadata_path(target), meta_bytes)
                except OSError:
                    _remove_copy(target, own_folders)
                    raise
            return target
        raise AssertionError("unreachable")


def _in_library_order(a: ArticleInfo | Listed) -> tuple[bool, float, str]:
    """Where an article is listed: the bundled ones first, by file, then the user's by
    date added."""
    return a.origin != "bundled", a.added_at if a.origin == "user" else 0.0, a.source


def _job_runner(fn: Callable[..., Made], args: tuple[object, ...]) -> Made:
    return fn(*args)


def _told(reason: str, path: Path) -> str:
    """Why a file failed as the user is told it, beside its name: without the name the
    converters begin with, on one line, every name in it readable."""
    from reader.library.workers import one_line

    reason = readable(reason).removeprefix(f"{readable(path.name)}: ")
    return one_line(reason)


def _reason(problem: ProblemRow | None) -> str:
    return "" if problem is None else problem.reason


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _remove_copy(target: Path, own_folders: set[Path]) -> None:
    """Remove a copy that did not import; and the folder made for it, if this import made one."""
    for path in (target, metadata_path(target)):
        with contextlib.suppress(OSError):  # the next refresh reports a copy that stayed
            path.unlink(missing_ok=True)
    if target.parent in own_folders:  # a saved page's own folder, with its images
        shutil.rmtree(target.parent, ignore_errors=True)


def _expand(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Each file to import (and each FIFO, device or socket, to be told of), and whether
    it was named itself (not found in a folder)."""
    for p in paths:
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.name.startswith(".") or is_page_folder_file(child, p):
                    continue
                if child.is_dir() or child.name.endswith(METADATA_SUFFIX):
                    continue
                if child.is_file() or _not_a_file(child) is not None:
                    yield child, False
        else:
            yield p, True


def _not_a_file(path: Path) -> str | None:
    """What ``path`` is when it exists but is neither a file nor a folder, else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else file_kind(mode)


def _article_files(root: Path, hidden_folders: bool = True) -> list[tuple[str, Path]]:
    """The article files in ``root`` and the folders below it (not into linked folders,
    nor a saved page's own ``NAME_files``), in the order of their paths; each with its
    path relative to ``root``, with ``/``."""
    return [(rel, Path(path)) for rel, path in _article_paths(root, hidden_folders)]


def _article_paths(root: Path, hidden_folders: bool = True) -> list[tuple[str, str]]:
    """:func:`_article_files`, each file's path as a string.

    Walked with ``os.scandir``, whose entries know their type: of 20,000 files
    only the names are looked at, which is several times quicker than a Path
    and a stat each. Each folder's entries are taken in the order of their
    names, a folder's files where its name comes: the order of the paths' parts.
    """
    found: list[tuple[str, str]] = []  # (the path relative to root, the path)
    todo: list[tuple[str, Iterator[tuple[str, str, bool]]]] = [
        ("", iter(_folder_entries(str(root), hidden_folders)))
    ]
    while todo:
        prefix, entries = todo[-1]
        for name, path, is_folder in entries:
            if is_folder:
                todo.append((f"{prefix}{name}/", iter(_folder_entries(path, hidden_folders))))
                break
            found.append((prefix + name, path))
        else:
            todo.pop()
    return [
        (rel, path) for rel, path in found
        if "_files" not in rel or not is_page_folder_file(Path(path), root)
    ]  # fmt: skip


def _folder_entries(folder: str, hidden_folders: bool) -> list[tuple[str, str, bool]]:
    """The article files and the folders (not linked ones) in a folder, by name: each
    with its path and whether it is a folder; nothing when it cannot be read."""
    found: list[tuple[str, str, bool]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if hidden_folders or not name.startswith("."):
                            found.append((name, entry.path, True))
                    elif is_article_name(name) and entry.is_file():
                        found.append((name, entry.path, False))
                except OSError:
                    continue  # gone meanwhile
    except OSError:
        return []
    found.sort(key=itemgetter(0))
    return found


def _present(root: Path) -> bool:
    """Whether a watched folder is there: a folder with something in it (an empty one
    may be the mount point of a disk that is away)."""
    try:
        with os.scandir(root) as entries:
            return next(entries, None) is not None
    except OSError:
        return False


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _numbered(stem: str, suffix: str, n: int) -> str:
    """'notes', '.md', 1 -> 'notes.md'; 2 -> 'notes-2.md'."""
    return f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}"
