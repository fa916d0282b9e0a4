"""The library catalog: a SQLite table of what is in the library.

It keeps, per article, its stable id, where it came from, its title, the hash
of its source, the Markdown it converted to, and the shown text rendered from
that Markdown with the text's hash and word count. A launch re-reads only files
whose stamp changed, re-parses only files whose content changed, and re-renders
only when the renderer changed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader import storage
from reader.errors import CatalogError
from reader.library.articles import ArticleInfo, Origin, pack_html
from reader.library.importing.html import PageMetadata

_MIGRATIONS = {
    # 1: the first catalog (made with IF NOT EXISTS, so a catalog from before
    # versions were kept in user_version takes this step as a no-op).
    1: """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS articles (
        id TEXT PRIMARY KEY,
        source_key TEXT NOT NULL UNIQUE,
        origin TEXT NOT NULL CHECK (origin IN ('bundled', 'user')),
        title TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        words INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        markdown TEXT NOT NULL,
        added_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS articles_hash ON articles (content_hash);
    """,
    # 2: the shown text is stored; rows from version 1 have none and are rendered
    # at the next refresh.
    2: """
    ALTER TABLE articles ADD COLUMN text TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN text_hash TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN renderer TEXT NOT NULL DEFAULT '';
    DELETE FROM meta WHERE key = 'schema';
    """,
    # 3: what a saved page says about itself (author, date, site, address).
    3: """
    ALTER TABLE articles ADD COLUMN author TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN published TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN site TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN url TEXT NOT NULL DEFAULT '';
    """,
    # 4: where the user is in each article: an offset into its shown text, and
    # how far through it that is (0..1) for the list.
    4: """
    CREATE TABLE IF NOT EXISTS reading (
        article_id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        fraction REAL NOT NULL,
        read_at REAL NOT NULL
    );
    """,
    # 5: the section headings the renderer found, for the search index; rows from
    # before have none until they are rendered again.
    5: """
    ALTER TABLE articles ADD COLUMN headings TEXT NOT NULL DEFAULT '';
    """,
    # 6: files that could not be converted, each with the one-line reason and the
    # stamps it failed with: it is tried again when the file or the converter changes.
    6: """
    CREATE TABLE IF NOT EXISTS problems (
        source_key TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        reason TEXT NOT NULL,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        converter TEXT NOT NULL,
        failed_at REAL NOT NULL
    );
    """,
    # 7: the HTML the reading view shows and its outline, made with the text at
    # conversion (zlib-compressed), so opening an article renders nothing; rows
    # from before have none and are rendered at opening until converted again.
    7: """
    ALTER TABLE articles ADD COLUMN html BLOB NOT NULL DEFAULT x'';
    ALTER TABLE articles ADD COLUMN outline TEXT NOT NULL DEFAULT '';
    """,
    # 8: what listing the library (in the window and the command line) and comparing
    # its files' stamps read, kept in an index of its own: a row holds an article's
    # texts, so reading these columns from the table reads the whole catalog, and
    # from this index a small part of it.
    8: """
    CREATE INDEX IF NOT EXISTS articles_listed ON articles (
        source_key, mtime_ns, size, renderer, id, origin, title, words, added_at, author, site,
        content_hash, text_hash, published, url
    );
    """,
}

_LISTED = (
    "id, source_key, origin, title, content_hash, text_hash, renderer, words, mtime_ns, size,"
    " added_at, author, published, site, url"
)


_PROBLEM_COLUMNS = (
    "source_key", "id", "title", "reason", "mtime_ns", "size", "converter", "failed_at",
)  # fmt: skip


class CatalogRow:
    """One row; ``markdown`` and ``text`` are "" when it was listed without them."""

    __slots__ = (
        "added_at",
        "author",
        "content_hash",
        "html",
        "id",
        "markdown",
        "mtime_ns",
        "origin",
        "outline",
        "progress",
        "published",
        "renderer",
        "site",
        "size",
        "source_key",
        "text",
        "text_hash",
        "title",
        "url",
        "words",
    )

    def __init__(self, row: sqlite3.Row) -> None:
        keys = row.keys()
        self.id: str = row["id"]
        self.source_key: str = row["source_key"]
        self.origin: Origin = row["origin"]
        self.title: str = row["title"]
        self.content_hash: str = row["content_hash"]
        self.text_hash: str = row["text_hash"]
        self.renderer: str = row["renderer"]
        self.words: int = row["words"]
        self.mtime_ns: int = row["mtime_ns"]
        self.size: int = row["size"]
        self.added_at: float = row["added_at"]
        self.markdown: str = row["markdown"] if "markdown" in keys else ""
        self.text: str = row["text"] if "text" in keys else ""
        # Kept packed: only opening the article unpacks it (Article.rendered).
        self.html: bytes = row["html"] if "html" in keys and row["html"] else b""
        self.outline: str = row["outline"] if "outline" in keys else ""
        self.author: str = row["author"]
        self.published: str = row["published"]
        self.site: str = row["site"]
        self.url: str = row["url"]
        self.progress: float = row["progress"] if "progress" in keys else 0.0

    def info(self, source: str, problem: str = "") -> ArticleInfo:
        return ArticleInfo(
            id=self.id,
            title=self.title,
            source=source,
            origin=self.origin,
            content_hash=self.content_hash,
            text_hash=self.text_hash,
            words=self.words,
            mtime_ns=self.mtime_ns,
            size=self.size,
            added_at=self.added_at,
            author=self.author,
            published=self.published,
            site=self.site,
            url=self.url,
            progress=self.progress,
            problem=problem,
        )


@dataclass(frozen=True)
class ProblemRow:
    """A file that could not be converted, and why."""

    source_key: str
    id: str
    title: str
    reason: str
    mtime_ns: int
    size: int
    converter: str  # the converter and renderer it failed with
    failed_at: float

    def same(self, st: os.stat_result, converter: str) -> bool:
        """Whether trying again would meet the same file with the same converter."""
        return (self.mtime_ns, self.size, self.converter) == (st.st_mtime_ns, st.st_size, converter)


class Catalog:
    """The catalog database in ``path``.

    A damaged file is set aside and a new one made (the catalog is made again
    from the files); a file that cannot be written is opened read-only, with
    :attr:`read_only` saying why. What the user should be told is added to
    :attr:`notices`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notices: list[str] = []
        self.read_only: str | None = None
        try:
            self._db = storage.open_database(path, _MIGRATIONS)
        except storage.NewerSchema as exc:
            raise CatalogError(f"catalog {path}: {exc}") from None
        except sqlite3.Error as exc:
            if storage.is_damaged(exc):
                self._db = self._start_again(exc)
            else:
                self._db = self._open_read_only(exc)
        self._identity = storage.identity(path)

    def _start_again(self, exc: sqlite3.Error) -> sqlite3.Connection:
        try:
            aside = storage.set_aside(self.path, "damaged")
        except OSError as err:
            raise CatalogError(
                f"catalog {self.path} is damaged and cannot be moved aside: {storage.reason(err)}"
            ) from None
        self.notices.append(
            f"the library catalog was damaged ({exc}); it was kept as {aside.name}"
            " and is made again from the files"
        )
        try:
            return storage.open_database(self.path, _MIGRATIONS)
        except sqlite3.Error as err:
            why = storage.reason(err, self.path)
            raise CatalogError(f"cannot open catalog {self.path}: {why}") from None

    def _open_read_only(self, trouble: sqlite3.Error) -> sqlite3.Connection:
        why = storage.reason(trouble, self.path)
        try:
            # Versions 4 to 6 only added reading places, headings and failed files,
            # which reading goes without.
            db = storage.open_readonly(self.path, max(_MIGRATIONS), readable_from=3)
        except sqlite3.Error:
            raise CatalogError(f"cannot open catalog {self.path}: {why}") from None
        self.read_only = why
        self.notices.append(
            f"the library catalog cannot be written ({why}); the library is shown as it was,"
            " and new or changed files are picked up once it can be written"
        )
        return db

    def start_again(self, exc: sqlite3.Error) -> None:
        """Set a catalog found damaged while in use aside, and begin a new one.

        If another process has already done so (the file at ``path`` is not
        the one this connection reads), the new file is only opened.
        """
        if storage.identity(self.path) not in (self._identity, None):
            new = storage.open_database(self.path, _MIGRATIONS)
            self.notices.append("the library catalog was damaged and was made again from the files")
        else:
            new = self._start_again(exc)  # the damaged file stays open until this worked
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._db = new
        self._identity = storage.identity(self.path)

    def try_writable(self) -> bool:
        """Open a read-only catalog for writing again, if it can be now."""
        if self.read_only is None:
            return True
        try:
            db = storage.open_database(self.path, _MIGRATIONS)
        except sqlite3.Error:
            return False
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._db, self.read_only = db, None
        self._identity = storage.identity(self.path)
        return True

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; reads made inside it see what it will write over."""
        with storage.transaction(self._db):
            yield

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def rows(self) -> list[CatalogRow]:
        """Every article's row, without its Markdown and text (``row`` has those).

        Read from the table itself, not from the listing index that holds the same
        columns: a refresh reads every row this way, and so finds a damaged page.
        """
        if not self._has_reading():
            cur = self._db.execute(
                f"SELECT {_LISTED} FROM articles NOT INDEXED ORDER BY origin, source_key"
            )
            return [CatalogRow(r) for r in cur]
        cur = self._db.execute(
            f"SELECT {_LISTED}, COALESCE(reading.fraction, 0.0) AS progress"
            " FROM articles NOT INDEXED"
            " LEFT JOIN reading ON reading.article_id = articles.id ORDER BY origin, source_key"
        )
        return [CatalogRow(r) for r in cur]

    def info_rows(self) -> list[tuple[Any, ...]]:
        """Each article's id, title, source key, origin, content hash, text hash, words,
        mtime_ns, size, date added, author, published, site, url and reading progress:
        an :class:`ArticleInfo`'s fields in their order, the source key for its path."""
        columns = (
            "id, title, source_key, origin, content_hash, text_hash, words, mtime_ns, size,"
            " added_at, author, published, site, url"
        )
        if not self._has_reading():
            return [(*r, 0.0) for r in self._tuples(f"SELECT {columns} FROM articles")]
        return self._tuples(
            f"SELECT {columns}, COALESCE(reading.fraction, 0.0) FROM articles"
            " LEFT JOIN reading ON reading.article_id = articles.id"
        ).fetchall()

    def stamps(self, renderer: str) -> dict[str, tuple[int, int, bool]]:
        """Each article's source key, with the stamp (mtime_ns, size) its file had when it
        was read and whether its text was made by ``renderer``."""
        cur = self._tuples(
            "SELECT source_key, mtime_ns, size, renderer = ? FROM articles", (renderer,)
        )
        return {key: (mtime_ns, size, bool(same)) for key, mtime_ns, size, same in cur}

    def content_hashes(self) -> dict[str, str]:
        """Each article's content hash (of the bytes it was read from), with its id."""
        sql = "SELECT content_hash, id FROM articles ORDER BY origin, source_key"
        return dict(self._tuples(sql))

    def ids_and_titles(self) -> dict[str, tuple[str, str]]:
        """Each article's source key, with its id and title."""
        cur = self._tuples("SELECT source_key, id, title FROM articles")
        return {key: (article_id, title) for key, article_id, title in cur}

    def listed(self) -> list[tuple[str, str, int, str, Origin, float, str, str]]:
        """Each article's id, title, words, source key, origin, date added, author and
        site: what a list of the library shows, without the rest of its row."""
        cur = self._tuples(
            "SELECT id, title, words, source_key, origin, added_at, author, site FROM articles"
        )
        return cur.fetchall()

    def _tuples(self, sql: str, parameters: tuple[object, ...] = ()) -> sqlite3.Cursor:
        """A query whose rows are plain tuples (quicker to make than sqlite3.Row)."""
        cur = self._db.cursor()
        cur.row_factory = None
        return cur.execute(sql, parameters)

    def _has_reading(self) -> bool:
        """Whether the reading places are kept: a catalog from before them, opened
        read-only, has none (a writable one was brought up to date on opening)."""
        if self.read_only is None:
            return True
        found = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='reading'"
        ).fetchone()
        return found is not None

    def position_of(self, article_id: str) -> int:
        """Where the user was in the article (an offset into its shown text); 0 if never read."""
        if not self._has_reading():
            return 0
        r = self._db.execute(
            "SELECT position FROM reading WHERE article_id=?", (article_id,)
        ).fetchone()
        return 0 if r is None else int(r["position"])

    def set_position(self, article_id: str, position: int, fraction: float) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT INTO reading VALUES (?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE"
                " SET position=excluded.position, fraction=excluded.fraction,"
                " read_at=excluded.read_at",
                (article_id, max(0, position), min(1.0, max(0.0, fraction)), time.time()),
            )

    def row(self, article_id: str) -> CatalogRow | None:
        r = self._db.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        return None if r is None else CatalogRow(r)

    def has(self, article_id: str) -> bool:
        found = self._db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone()
        return found is not None or self.problem(article_id) is not None

    def listed_row(self, article_id: str) -> CatalogRow | None:
        """An article's row without its Markdown, text and HTML."""
        r = self._db.execute(f"SELECT {_LISTED} FROM articles WHERE id=?", (article_id,)).fetchone()
        return None if r is None else CatalogRow(r)

    def row_by_key(self, source_key: str) -> CatalogRow | None:
        r = self._db.execute(
            f"SELECT {_LISTED} FROM articles WHERE source_key=?", (source_key,)
        ).fetchone()
        return None if r is None else CatalogRow(r)

    def markdown_of(self, source_key: str) -> str | None:
        r = self._db.execute(
            "SELECT markdown FROM articles WHERE source_key=?", (source_key,)
        ).fetchone()
        return None if r is None else str(r["markdown"])

    def text_of(self, article_id: str) -> tuple[str, str] | None:
        """An article's title and shown text, without its Markdown."""
        r = self._db.execute(
            "SELECT title, text FROM articles WHERE id=?", (article_id,)
        ).fetchone()
        return None if r is None else (str(r["title"]), str(r["text"]))

    def index_source_of(self, article_id: str) -> tuple[str, str, str] | None:
        """An article's title, shown text and section headings (a line each): what the
        search index takes. A read-only catalog from before the headings has none."""
        try:
            r = self._db.execute(
                "SELECT title, text, headings FROM articles WHERE id=?", (article_id,)
            ).fetchone()
        except sqlite3.OperationalError:
            if self.read_only is None:
                raise
            r = self._db.execute(
                "SELECT title, text, '' AS headings FROM articles WHERE id=?", (article_id,)
            ).fetchone()
        return None if r is None else (str(r["title"]), str(r["text"]), str(r["headings"]))

    def titles(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self._db.execute("SELECT id, title FROM articles")}

    def text_hashes(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self._db.execute("SELECT id, text_hash FROM articles")}

    def upsert(
        self,
        *,
        article_id: str,
        source_key: str,
        origin: Origin,
        title: str,
        content_hash: str,
        mtime_ns: int,
        size: int,
        markdown: str,
        text: str,
        text_hash: str,
        renderer: str,
        words: int,
        added_at: float | None = None,
        page: PageMetadata | None = None,
        headings: str = "",
        html: str = "",
        outline: str = "",
    ) -> None:
        page = page or PageMetadata()
        self._db.execute(
            """
            INSERT INTO articles (id, source_key, origin, title, content_hash, words,
                                  mtime_ns, size, markdown, added_at, text, text_hash, renderer,
                                  author, published, site, url, headings, html, outline)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                source_key=excluded.source_key, origin=excluded.origin, title=excluded.title,
                content_hash=excluded.content_hash, words=excluded.words,
                mtime_ns=excluded.mtime_ns, size=excluded.size, markdown=excluded.markdown,
                text=excluded.text, text_hash=excluded.text_hash, renderer=excluded.renderer,
                author=excluded.author, published=excluded.published, site=excluded.site,
                url=excluded.url, headings=excluded.headings, html=excluded.html,
                outline=excluded.outline
            """,
            (
                article_id,
                source_key,
                origin,
                title,
                content_hash,
                words,
                mtime_ns,
                size,
                markdown,
                added_at if added_at is not None else time.time(),
                text,
                text_hash,
                renderer,
                page.author,
                page.published,
                page.site,
                page.url,
                headings,
                pack_html(html),
                outline,
            ),
        )

    def _has_problems(self) -> bool:
        """Whether failed files are kept: a catalog from before them, opened read-only, has none."""
        if self.read_only is None:
            return True
        found = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='problems'"
        ).fetchone()
        return found is not None

    def problems(self) -> list[ProblemRow]:
        if not self._has_problems():
            return []
        cur = self._db.execute("SELECT * FROM problems ORDER BY source_key")
        return [ProblemRow(*(r[k] for k in _PROBLEM_COLUMNS)) for r in cur]

    def problem(self, article_id: str) -> ProblemRow | None:
        if not self._has_problems():
            return None
        r = self._db.execute("SELECT * FROM problems WHERE id=?", (article_id,)).fetchone()
        return None if r is None else ProblemRow(*(r[k] for k in _PROBLEM_COLUMNS))

    def set_problem(
        self,
        source_key: str,
        article_id: str,
        title: str,
        reason: str,
        mtime_ns: int,
        size: int,
        converter: str,
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO problems VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (source_key, article_id, title, reason, mtime_ns, size, converter, time.time()),
        )

    def delete_problem(self, source_key: str) -> None:
        self._db.execute("DELETE FROM problems WHERE source_key=?", (source_key,))

    def touch(self, article_id: str, mtime_ns: int, size: int) -> None:
        self._db.execute(
            "UPDATE articles SET mtime_ns=?, size=? WHERE id=?", (mtime_ns, size, article_id)
        )

    def delete(self, article_id: str) -> None:
        self._db.execute("DELETE FROM articles WHERE id=?", (article_id,))
