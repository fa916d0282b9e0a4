"""The library: bundled articles plus the user's own, kept in step with the catalog."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reader.errors import ArticleNotFound, ImportFailed
from reader.library.articles import Article, ArticleInfo, Origin, content_hash, count_words, slugify
from reader.library.catalog import Catalog, CatalogRow
from reader.library.importing import (
    CONVERTER_VERSION,
    Converted,
    convert_bytes,
    is_supported,
    metadata_path,
    read_metadata,
)
from reader.paths import ensure_data_dir
from reader.rendering import plain_text

Progress = Callable[[int, int], None]


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
class ImportOutcome:
    path: Path
    status: Literal["imported", "skipped", "failed"]
    message: str
    article_id: str | None = None


class Library:
    """Articles from the bundled folder and the user's library folder.

    ``data_dir`` holds the catalog and the user's ``library/`` folder;
    ``bundled_dir`` is the read-only folder of articles that ship with the app.
    """

    def __init__(self, data_dir: Path, bundled_dir: Path | None) -> None:
        self.data_dir = ensure_data_dir(data_dir)
        self.bundled_dir = bundled_dir
        self.user_dir = self.data_dir / "library"
        self.user_dir.mkdir(exist_ok=True)
        self.catalog = Catalog(self.data_dir / "catalog.sqlite3")

    def close(self) -> None:
        self.catalog.close()

    # --- reading -------------------------------------------------------------

    def _path_of(self, key: str) -> Path:
        origin, _, rel = key.partition(":")
        base = self.bundled_dir if origin == "bundled" else self.user_dir
        return (base or self.user_dir) / rel

    def _info(self, row: CatalogRow) -> ArticleInfo:
        return row.info(str(self._path_of(row.source_key)))

    def articles(self) -> list[ArticleInfo]:
        """Bundled articles first, in their shipped order, then the user's by date added."""
        rows = self.catalog.rows()
        rows.sort(key=lambda r: (r.origin != "bundled", r.added_at if r.origin == "user" else 0,
                                 r.source_key))  # fmt: skip
        return [self._info(r) for r in rows]

    def get(self, article_id: str) -> Article:
        row = self.catalog.row(article_id)
        if row is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return Article(self._info(row), row.markdown)

    def __iter__(self) -> Iterator[Article]:
        for info in self.articles():
            yield self.get(info.id)

    # --- keeping the catalog in step with the files ---------------------------

    def sources(self) -> list[Source]:
        found: list[Source] = []
        if self.bundled_dir is not None and self.bundled_dir.is_dir():
            for p in sorted(self.bundled_dir.iterdir()):
                if p.is_file() and is_supported(p):
                    found.append(Source(f"bundled:{p.name}", p, "bundled"))
        for p in sorted(self.user_dir.rglob("*")):
            if p.is_file() and is_supported(p):
                rel = p.relative_to(self.user_dir).as_posix()
                found.append(Source(f"user:{rel}", p, "user"))
        return found

    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        """Bring the catalog in step with the files; only changed files are parsed."""
        report = RefreshReport()
        sources = self.sources()
        rows = {r.source_key: r for r in self.catalog.rows()}
        version_ok = self.catalog.get_meta("converter") == CONVERTER_VERSION
        taken = self.catalog.ids()
        new: list[tuple[Source, os.stat_result, str, Converted]] = []
        seen: set[str] = set()
        with self.catalog.transaction():
            for n, src in enumerate(sources):
                if progress:
                    progress(n, len(sources))
                seen.add(src.key)
                row = rows.get(src.key)
                try:
                    st = src.path.stat()
                    if (
                        row
                        and version_ok
                        and (row.mtime_ns, row.size) == (st.st_mtime_ns, st.st_size)
                    ):
                        report.unchanged += 1
                        continue
                    data, meta_bytes = self._read(src.path)
                    digest = content_hash(data, meta_bytes)
                    if row and version_ok and row.content_hash == digest:
                        self.catalog.touch(row.id, st.st_mtime_ns, st.st_size)
                        report.unchanged += 1
                        continue
                    converted = convert_bytes(data, src.path, read_metadata(src.path))
                except ImportFailed as exc:
                    report.failed.append((src.path, str(exc)))
                    continue
                except OSError as exc:
                    report.failed.append((src.path, f"{src.path.name}: {exc.strerror or exc}"))
                    continue
                if row is not None:
                    self._store(row.id, src, st, digest, converted, row.added_at)
                    if row.content_hash != digest:
                        report.changed.append(row.id)
                    else:
                        report.unchanged += 1
                else:
                    new.append((src, st, digest, converted))
            vanished = {k: r for k, r in rows.items() if k not in seen}
            for src, st, digest, converted in new:
                twin = next((r for r in vanished.values() if r.content_hash == digest), None)
                if twin is not None:
                    # Same content under a new name: a rename or move keeps its id.
                    del vanished[twin.source_key]
                    self._store(twin.id, src, st, digest, converted, twin.added_at)
                    report.renamed.append(twin.id)
                    continue
                article_id = _unique_id(slugify(converted.title), taken)
                taken.add(article_id)
                self._store(article_id, src, st, digest, converted, None)
                report.added.append(article_id)
            for r in vanished.values():
                self.catalog.delete(r.id)
                report.removed.append(r.id)
            self.catalog.set_meta("converter", CONVERTER_VERSION)
        if progress:
            progress(len(sources), len(sources))
        return report

    @staticmethod
    def _read(path: Path) -> tuple[bytes, bytes]:
        data = path.read_bytes()
        meta = metadata_path(path)
        return data, meta.read_bytes() if meta.is_file() else b""

    def _store(
        self,
        article_id: str,
        src: Source,
        st: os.stat_result,
        digest: str,
        converted: Converted,
        added_at: float | None,
    ) -> None:
        self.catalog.upsert(
            article_id=article_id,
            source_key=src.key,
            origin=src.origin,
            title=converted.title,
            content_hash=digest,
            words=count_words(plain_text(converted.markdown)),
            mtime_ns=st.st_mtime_ns,
            size=st.st_size,
            markdown=converted.markdown,
            added_at=added_at,
        )

    # --- importing the user's files ------------------------------------------

    def import_paths(self, paths: Iterable[Path]) -> list[ImportOutcome]:
        """Copy supported files (or folders of them) into the library and catalog them.

        Each file is converted once, by the catalog refresh; a copy that does
        not convert is removed again and reported with the reason.
        """
        outcomes: list[ImportOutcome | None] = []  # None: copied, decided after the refresh
        copied: dict[int, tuple[Path, Path]] = {}  # outcome slot -> (original, copy)
        known = {r.content_hash: r.id for r in self.catalog.rows()}
        for path in _expand(paths):
            if not path.exists():
                outcomes.append(ImportOutcome(path, "failed", "no such file"))
                continue
            if not is_supported(path):
                reason = f"unsupported file type {path.suffix or '(none)'}"
                outcomes.append(ImportOutcome(path, "failed", reason))
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
            target = _free_name(self.user_dir, path.name)
            write_atomic(target, data)
            if meta_bytes:
                write_atomic(metadata_path(target), meta_bytes)
            known[digest] = "(this import)"
            copied[len(outcomes)] = (path, target)
            outcomes.append(None)
        if copied:
            report = self.refresh()
            failed = {p: reason for p, reason in report.failed}
            by_key = {r.source_key: r for r in self.catalog.rows()}
            for slot, (original, target) in copied.items():
                row = by_key.get(f"user:{target.relative_to(self.user_dir).as_posix()}")
                if row is not None:
                    outcomes[slot] = ImportOutcome(original, "imported", row.title, row.id)
                    continue
                target.unlink(missing_ok=True)
                metadata_path(target).unlink(missing_ok=True)
                reason = failed.get(target, "could not be catalogued")
                reason = reason.removeprefix(f"{target.name}: ")
                outcomes[slot] = ImportOutcome(original, "failed", reason)
        return [o for o in outcomes if o is not None]


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and is_supported(child):
                    yield child
        else:
            yield p


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


def write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
