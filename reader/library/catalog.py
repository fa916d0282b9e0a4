"""The library catalog: a SQLite table of what is in the library.

It keeps, per article, its stable id, where it came from, its title, content
hash, word count and file stamp, and the Markdown it converted to, so a
launch re-reads only files whose stamp changed and re-parses only files whose
content changed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reader.errors import CatalogError
from reader.library.articles import ArticleInfo, Origin

SCHEMA_VERSION = 1

_SCHEMA = """
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
"""


class CatalogRow:
    __slots__ = (  # markdown is "" when the row was listed without it
        "added_at",
        "content_hash",
        "id",
        "markdown",
        "mtime_ns",
        "origin",
        "size",
        "source_key",
        "title",
        "words",
    )

    def __init__(self, row: sqlite3.Row) -> None:
        self.id: str = row["id"]
        self.source_key: str = row["source_key"]
        self.origin: Origin = row["origin"]
        self.title: str = row["title"]
        self.content_hash: str = row["content_hash"]
        self.words: int = row["words"]
        self.mtime_ns: int = row["mtime_ns"]
        self.size: int = row["size"]
        # `in` on a sqlite3.Row looks at values, so ask its keys
        self.markdown: str = row["markdown"] if "markdown" in row.keys() else ""  # noqa: SIM118
        self.added_at: float = row["added_at"]

    def info(self, source: str) -> ArticleInfo:
        return ArticleInfo(
            id=self.id,
            title=self.title,
            source=source,
            origin=self.origin,
            content_hash=self.content_hash,
            words=self.words,
            mtime_ns=self.mtime_ns,
            size=self.size,
            added_at=self.added_at,
        )


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            # The catalog is rebuilt from the files; keep the broken one for inspection.
            aside = path.with_name(path.name + f".corrupt-{int(time.time())}")
            try:
                path.replace(aside)
            except OSError as exc:
                raise CatalogError(f"catalog {path} is unreadable: {exc}") from None
            try:
                self._db = self._open(path)
            except sqlite3.DatabaseError as exc:
                raise CatalogError(f"cannot open catalog {path}: {exc}") from None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        except sqlite3.OperationalError as exc:
            raise CatalogError(f"cannot open catalog {path}: {exc}") from None
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is None:
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        return db

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def rows(self) -> list[CatalogRow]:
        """Every article's row, without its Markdown (``row`` has that)."""
        cur = self._db.execute(
            "SELECT id, source_key, origin, title, content_hash, words, mtime_ns, size, added_at"
            " FROM articles ORDER BY origin, source_key"
        )
        return [CatalogRow(r) for r in cur]

    def row(self, article_id: str) -> CatalogRow | None:
        r = self._db.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        return None if r is None else CatalogRow(r)

    def ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM articles")}

    def upsert(
        self,
        *,
        article_id: str,
        source_key: str,
        origin: Origin,
        title: str,
        content_hash: str,
        words: int,
        mtime_ns: int,
        size: int,
        markdown: str,
        added_at: float | None = None,
    ) -> None:
        self._db.execute(
            """
            INSERT INTO articles (id, source_key, origin, title, content_hash, words,
                                  mtime_ns, size, markdown, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                source_key=excluded.source_key, origin=excluded.origin, title=excluded.title,
                content_hash=excluded.content_hash, words=excluded.words,
                mtime_ns=excluded.mtime_ns, size=excluded.size, markdown=excluded.markdown
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
            ),
        )

    def touch(self, article_id: str, mtime_ns: int, size: int) -> None:
        self._db.execute(
            "UPDATE articles SET mtime_ns=?, size=? WHERE id=?", (mtime_ns, size, article_id)
        )

    def delete(self, article_id: str) -> None:
        self._db.execute("DELETE FROM articles WHERE id=?", (article_id,))
