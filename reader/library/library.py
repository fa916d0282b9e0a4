"""The library: bundled articles plus the user's own, kept in step with the catalog."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Concatenate, Literal, ParamSpec, TypeVar

from reader import storage
from reader.errors import ArticleNotFound, CatalogError, ImportFailed
from reader.library.articles import (
    Article,
    ArticleInfo,
    Origin,
    content_hash,
    count_words,
    slugify,
    text_hash,
)
from reader.library.catalog import Catalog, CatalogRow
from reader.library.importing import (
    CONVERTER_VERSION,
    METADATA_SUFFIX,
    convert_bytes,
    is_supported,
    metadata_path,
    read_metadata,
)
from reader.library.importing.html import HTML_SUFFIXES, PageMetadata, page_images
from reader.paths import ensure_data_dir
from reader.rendering import render, renderer_stamp
from reader.storage import write_atomic

Progress = Callable[[int, int], None]
P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    key: str
    path: Path
    origin: Origin


@dataclass
class RefreshReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.renamed)


@dataclass(frozen=True)
class _Text:
    """An article's shown text, made once at conversion."""

    text: str
    text_hash: str
    words: int
    renderer: str
    headings: str  # the section headings below the title, a line each, for the search index


def _rendered(markdown: str, renderer: str) -> _Text:
    made = render(markdown)
    headings = "\n".join(e.title for e in made.outline if e.level > 1)
    return _Text(made.text, text_hash(made.text), count_words(made.text), renderer, headings)


@dataclass(frozen=True)
class _Prepared:
    """A source read (and converted, and rendered) before the catalog is locked."""

    source: Source
    stat: os.stat_result
    content_hash: str
    title: str
    markdown: str
    rendered: _Text | None  # None: the content is unchanged, only the file's stamp moved
    page: PageMetadata = field(default_factory=PageMetadata)


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
    """

    def __init__(self, data_dir: Path, bundled_dir: Path | None) -> None:
        self.data_dir = ensure_data_dir(data_dir)
        self.bundled_dir = bundled_dir
        self.user_dir = self.data_dir / "library"
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
        origin, _, rel = key.partition(":")
        base = self.bundled_dir if origin == "bundled" else self.user_dir
        return (base or self.user_dir) / rel

    def _info(self, row: CatalogRow) -> ArticleInfo:
        return row.info(str(self._path_of(row.source_key)))

    @_catalogued
    def articles(self) -> list[ArticleInfo]:
        """Bundled articles first, in their shipped order, then the user's by date added."""
        rows = self.catalog.rows()
        rows.sort(key=lambda r: (r.origin != "bundled", r.added_at if r.origin == "user" else 0,
                                 r.source_key))  # fmt: skip
        return [self._info(r) for r in rows]

    @_catalogued
    def get(self, article_id: str) -> Article:
        row = self.catalog.row(article_id)
        if row is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return Article(self._info(row), row.markdown, row.text)

    @_catalogued
    def text(self, article_id: str) -> tuple[str, str]:
        """An article's title and shown text (its Markdown is not read)."""
        found = self.catalog.text_of(article_id)
        if found is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return found

    @_catalogued
    def index_source(self, article_id: str) -> tuple[str, str, list[str]]:
        """An article's title, shown text and section headings, for the search index."""
        found = self.catalog.index_source_of(article_id)
        if found is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
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

    # --- keeping the catalog in step with the files ---------------------------

    def sources(self) -> list[Source]:
        found: list[Source] = []
        if self.bundled_dir is not None and self.bundled_dir.is_dir():
            for p in sorted(self.bundled_dir.iterdir()):
                if p.is_file() and is_supported(p):
                    found.append(Source(f"bundled:{p.name}", p, "bundled"))
        if not self.user_dir.is_dir():
            return found
        for p in sorted(self.user_dir.rglob("*")):
            if p.is_file() and is_supported(p) and not is_page_folder_file(p, self.user_dir):
                rel = p.relative_to(self.user_dir).as_posix()
                found.append(Source(f"user:{rel}", p, "user"))
        return found

    @_catalogued
    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        """Bring the catalog in step with the files; see :meth:`_refresh`."""
        return self._refresh(progress)

    def _refresh(self, progress: Progress | None) -> RefreshReport:
        """Bring the catalog in step with the files; only changed files are parsed.

        Files are read, converted and rendered before the catalog's write lock
        is taken; under the lock the rows are read again and a result is
        written only over the row it was made from, so another process's
        refresh or import in the meantime is never undone.
        """
        report = RefreshReport()
        if not self.catalog.try_writable():
            return report  # shown as it was; the catalog said why at opening
        sources = self.sources()
        before = {r.source_key: r for r in self.catalog.rows()}
        version_ok = self.catalog.get_meta("converter") == CONVERTER_VERSION
        renderer = renderer_stamp()
        prepared: list[_Prepared] = []
        for n, src in enumerate(sources):
            if progress:
                progress(n, len(sources))
            row = before.get(src.key)
            try:
                item = self._prepare(src, row, version_ok, renderer)
            except ImportFailed as exc:
                report.failed.append((src.path, str(exc)))
                continue
            except OSError as exc:
                report.failed.append((src.path, f"{src.path.name}: {exc.strerror or exc}"))
                continue
            if item is None:
                report.unchanged += 1
            else:
                prepared.append(item)
        seen = {src.key for src in sources}
        with self.catalog.transaction():
            rows = {r.source_key: r for r in self.catalog.rows()}
            taken = {r.id for r in rows.values()}
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
                    if row.text_hash != item.rendered.text_hash:
                        report.changed.append(row.id)
                    else:
                        report.unchanged += 1
            # A row whose file was not seen is gone only if its file is gone now:
            # another process may have imported it after the folder was listed.
            vanished = {
                k: r for k, r in rows.items() if k not in seen and not self._path_of(k).exists()
            }
            for item in new:
                digest = item.content_hash
                twin = next((r for r in vanished.values() if r.content_hash == digest), None)
                if twin is not None:
                    # Same content under a new name: a rename or move keeps its id.
                    del vanished[twin.source_key]
                    self._store(twin.id, item, twin.added_at)
                    report.renamed.append(twin.id)
                    continue
                article_id = _unique_id(slugify(item.title), taken)
                taken.add(article_id)
                self._store(article_id, item, None)
                report.added.append(article_id)
            for r in vanished.values():
                self.catalog.delete(r.id)
                report.removed.append(r.id)
            self.catalog.set_meta("converter", CONVERTER_VERSION)
        if progress:
            progress(len(sources), len(sources))
        return report

    def _prepare(
        self, src: Source, row: CatalogRow | None, version_ok: bool, renderer: str
    ) -> _Prepared | None:
        """What to write for one source, or None when its row is up to date."""
        st = src.path.stat()
        same_file = row is not None and (row.mtime_ns, row.size) == (st.st_mtime_ns, st.st_size)
        data = meta_bytes = b""
        if row is not None and same_file:
            digest = row.content_hash  # the file's stamp vouches for its content
        else:
            data, meta_bytes = self._read(src.path)
            digest = content_hash(data, meta_bytes)
        if row is not None and version_ok and row.content_hash == digest:
            if row.renderer != renderer:  # the same Markdown, shown anew
                markdown = self.catalog.markdown_of(src.key) or ""
                made = _rendered(markdown, renderer)
                page = PageMetadata(row.author, row.published, row.site, row.url)
                return _Prepared(src, st, digest, row.title, markdown, made, page)
            return None if same_file else _Prepared(src, st, digest, row.title, "", None)
        if same_file:  # only the converter changed: the file was not read yet
            data, meta_bytes = self._read(src.path)
        converted = convert_bytes(data, src.path, read_metadata(src.path))
        made = _rendered(converted.markdown, renderer)
        return _Prepared(
            src, st, digest, converted.title, converted.markdown, made, converted.metadata
        )

    @staticmethod
    def _read(path: Path) -> tuple[bytes, bytes]:
        data = path.read_bytes()
        meta = metadata_path(path)
        return data, meta.read_bytes() if meta.is_file() else b""

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
        )

    # --- importing the user's files ------------------------------------------

    @_catalogued
    def import_paths(
        self, paths: Iterable[Path], progress: Progress | None = None
    ) -> list[ImportOutcome]:
        """Copy supported files (or folders of them) into the library and catalog them.

        Each file is converted once, by the catalog refresh; a copy that does
        not convert is removed again and reported with the reason.
        """
        if not self.catalog.try_writable():
            why = self.catalog.read_only
            raise ImportFailed(
                f"nothing can be imported: the library catalog cannot be written ({why})"
            )
        if not self.user_dir.is_dir():
            raise ImportFailed(f"nothing can be imported: {self.user_dir} is not a folder")
        outcomes: list[ImportOutcome | None] = []  # None: copied, decided after the refresh
        copied: dict[int, tuple[Path, Path]] = {}  # outcome slot -> (original, copy)
        known = {r.content_hash: r.id for r in self.catalog.rows()}
        own_folders: set[Path] = set()  # folders this import made for saved pages
        for path, named in _expand(paths):
            if not path.exists():
                outcomes.append(ImportOutcome(path, "failed", "no such file"))
                continue
            if not is_supported(path):
                reason = f"unsupported file type {path.suffix or '(none)'}"
                # Named on its own, it failed; met in a folder, it is passed over.
                outcomes.append(ImportOutcome(path, "failed" if named else "skipped", reason))
                continue
            try:
                data, meta_bytes = self._read(path)
            except OSError as exc:
                outcomes.append(ImportOutcome(path, "failed", f"cannot read: {exc.strerror}"))
                continue
            digest = content_hash(data, meta_bytes)
            if digest in known:
                msg = f"already in the library as {known[digest]}"
                outcomes.append(ImportOutcome(path, "skipped", msg, known[digest]))
                continue
            images = page_images(data, path) if path.suffix.lower() in HTML_SUFFIXES else []
            if images:
                # A page with its images gets a folder of its own, so the paths
                # it names them by stay as they were.
                target = _free_name(self.user_dir, path.stem) / path.name
                own_folders.add(target.parent)
            else:
                target = _free_name(self.user_dir, path.name)
            try:
                if images:
                    target.parent.mkdir()
                    for rel in images:
                        copy = target.parent.joinpath(*rel.parts)
                        copy.parent.mkdir(parents=True, exist_ok=True)
                        write_atomic(copy, path.parent.joinpath(*rel.parts).read_bytes())
                write_atomic(target, data)
                if meta_bytes:
                    write_atomic(metadata_path(target), meta_bytes)
            except OSError as exc:
                _remove_copy(target, own_folders)
                reason = f"cannot copy into the library: {storage.reason(exc, target)}"
                outcomes.append(ImportOutcome(path, "failed", reason))
                continue
            known[digest] = "(this import)"
            copied[len(outcomes)] = (path, target)
            outcomes.append(None)
        if copied:
            try:
                report = self._refresh(progress)
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
            by_key = {r.source_key: r for r in self.catalog.rows()}
            for slot, (original, target) in copied.items():
                row = by_key.get(f"user:{target.relative_to(self.user_dir).as_posix()}")
                if row is not None:
                    outcomes[slot] = ImportOutcome(original, "imported", row.title, row.id)
                    continue
                _remove_copy(target, own_folders)
                reason = failed.get(target, "could not be catalogued")
                reason = reason.removeprefix(f"{target.name}: ")
                outcomes[slot] = ImportOutcome(original, "failed", reason)
        return [o for o in outcomes if o is not None]


def _remove_copy(target: Path, own_folders: set[Path]) -> None:
    """Remove a copy that did not import; and the folder made for it, if this import made one."""
    for path in (target, metadata_path(target)):
        with contextlib.suppress(OSError):  # the next refresh reports a copy that stayed
            path.unlink(missing_ok=True)
    if target.parent in own_folders:  # a saved page's own folder, with its images
        shutil.rmtree(target.parent, ignore_errors=True)


def is_page_folder_file(path: Path, root: Path) -> bool:
    """A file inside a saved page's "NAME_files" folder, with NAME.html beside that folder."""
    for folder in path.parents:
        if folder == root or root not in folder.parents:
            return False
        if folder.name.endswith("_files"):
            stem = folder.name.removesuffix("_files")
            if any((folder.parent / (stem + s)).is_file() for s in HTML_SUFFIXES):
                return True
    return False


def _expand(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Each file to import, and whether it was named itself (not found in a folder)."""
    for p in paths:
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.name.startswith(".") or is_page_folder_file(child, p):
                    continue
                if child.is_file() and not child.name.endswith(METADATA_SUFFIX):
                    yield child, False
        else:
            yield p, True


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target
