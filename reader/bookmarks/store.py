"""The bookmark store: SQLite in the data dir, one transaction per change.

Each bookmark keeps where it points as W3C Web Annotation selectors (see
:mod:`reader.bookmarks.anchoring`) and the article's content hash when it last
anchored. When an article changes, :meth:`BookmarkStore.reanchor` finds its
bookmarks again; those that cannot be found stay, marked detached.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from reader import storage
from reader.bookmarks.anchoring import Selector, anchor, selector_for
from reader.errors import BookmarkError, BookmarkNotFound, QuoteNotFound

COLORS = ("yellow", "green", "blue", "pink", "purple")
COLOR_HEX = {
    "yellow": "#fff0a8",
    "green": "#c9f0c1",
    "blue": "#cde3ff",
    "pink": "#ffd3e2",
    "purple": "#e6d7ff",
}
State = Literal["anchored", "detached"]

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE bookmarks (
        id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        color TEXT NOT NULL DEFAULT 'yellow',
        tags TEXT NOT NULL DEFAULT '[]',
        exact TEXT NOT NULL,
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'anchored' CHECK (state IN ('anchored', 'detached'))
    );
    CREATE INDEX bookmarks_article ON bookmarks (article_id);
    """,
    # 2: a bookmark remembers the shown text it was anchored in, not the source
    # file; the old hashes match no text, so each bookmark is checked once.
    2: "ALTER TABLE bookmarks RENAME COLUMN content_hash TO text_hash",
}


@dataclass(frozen=True)
class Bookmark:
    id: str
    article_id: str
    created: float
    updated: float
    note: str
    color: str
    tags: tuple[str, ...]
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    text_hash: str  # of the shown text the selectors were made on
    state: State = "anchored"

    @property
    def selector(self) -> Selector:
        return Selector(self.exact, self.prefix, self.suffix, self.start, self.end)

    @property
    def detached(self) -> bool:
        return self.state == "detached"


def _row(r: sqlite3.Row) -> Bookmark:
    """A stored row; its columns are the Bookmark's fields, tags kept as JSON."""
    fields = dict(zip(r.keys(), r, strict=True))
    return Bookmark(**{**fields, "tags": tuple(json.loads(fields["tags"]))})


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for tag in tags:
        t = " ".join(tag.strip().lower().split())
        if t and t not in out:
            out.append(t)
    return tuple(out)


def check_color(color: str) -> str:
    if color not in COLORS:
        raise BookmarkError(f"unknown colour {color!r}; choose one of {', '.join(COLORS)}")
    return color


class BookmarkStore:
    """Bookmarks in ``path`` (SQLite, WAL). A damaged file is set aside, never lost."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notice: str | None = None
        try:
            self._db = self._open()
        except storage.NewerSchema as exc:
            raise BookmarkError(f"the bookmarks database is from a newer reader ({exc})") from None
        except sqlite3.Error as exc:
            if not storage.is_damaged(exc):
                # A locked, read-only or full disk: the file is kept as it is.
                raise BookmarkError(f"cannot open the bookmarks database: {exc}") from None
            aside = storage.set_aside(path, "unreadable")
            self.notice = (
                f"the bookmarks database could not be read ({exc}); it was kept as "
                f"{aside.name} and a new one was started"
            )
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        # synchronous=FULL: a saved bookmark survives a crash.
        return storage.open_database(self.path, _MIGRATIONS, "FULL", integrity_check=True)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    # --- reading -------------------------------------------------------------

    def entries(self, article_id: str | None = None) -> list[Bookmark]:
        if article_id is None:
            cur = self._db.execute("SELECT * FROM bookmarks ORDER BY created, id")
        else:
            cur = self._db.execute(
                "SELECT * FROM bookmarks WHERE article_id=? ORDER BY start, created",
                (article_id,),
            )
        return [_row(r) for r in cur]

    def get(self, bookmark_id: str) -> Bookmark:
        r = self._db.execute("SELECT * FROM bookmarks WHERE id=?", (bookmark_id,)).fetchone()
        if r is None:
            raise BookmarkNotFound(f"no bookmark with id {bookmark_id!r}")
        return _row(r)

    # --- changing ------------------------------------------------------------

    def add(
        self,
        article_id: str,
        text: str,
        text_hash: str,
        start: int,
        end: int,
        note: str = "",
        color: str = "yellow",
        tags: Iterable[str] = (),
    ) -> Bookmark:
        """Bookmark ``text[start:end]``; committed when this returns."""
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if not (0 <= start < end <= len(text)):
            raise BookmarkError("select some text to bookmark")
        sel = selector_for(text, start, end)
        now = time.time()
        bookmark = Bookmark(
            id=str(uuid.uuid4()),
            article_id=article_id,
            created=now,
            updated=now,
            note=note.strip(),
            color=check_color(color),
            tags=normalise_tags(tags),
            text_hash=text_hash,
            **asdict(sel),
        )
        self.put(bookmark)
        return bookmark

    def add_quote(
        self,
        article_id: str,
        text: str,
        text_hash: str,
        quote: str,
        **fields: Any,
    ) -> Bookmark:
        at = text.find(quote)
        if not quote.strip() or at < 0:
            raise QuoteNotFound(f"the text {quote!r} is not in article {article_id!r}")
        return self.add(article_id, text, text_hash, at, at + len(quote), **fields)

    def put(self, bookmark: Bookmark) -> None:
        """Insert or replace one bookmark, in one transaction."""
        values = {**asdict(bookmark), "tags": json.dumps(list(bookmark.tags))}
        columns = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join(f":{name}" for name in values)
        with storage.transaction(self._db) as db:
            db.execute(f"INSERT OR REPLACE INTO bookmarks ({columns}) VALUES ({marks})", values)

    def update(
        self,
        bookmark_id: str,
        *,
        note: str | None = None,
        color: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> Bookmark:
        with storage.transaction(self._db) as db:
            old = self.get(bookmark_id)
            new = replace(
                old,
                note=old.note if note is None else note.strip(),
                color=old.color if color is None else check_color(color),
                tags=old.tags if tags is None else normalise_tags(tags),
                updated=time.time(),
            )
            if new == replace(old, updated=new.updated):
                return old
            db.execute(
                "UPDATE bookmarks SET note=?, color=?, tags=?, updated=? WHERE id=?",
                (new.note, new.color, json.dumps(list(new.tags)), new.updated, new.id),
            )
        return new

    def delete(self, bookmark_id: str) -> Bookmark:
        """Remove a bookmark and return it, so the caller can offer undo."""
        with storage.transaction(self._db) as db:
            old = self.get(bookmark_id)
            db.execute("DELETE FROM bookmarks WHERE id=?", (bookmark_id,))
        return old

    # --- following the article ---------------------------------------------

    def reanchor(self, article_id: str, text: str, text_hash: str) -> list[Bookmark]:
        """Find the article's bookmarks again in its shown text; returns those that moved.

        Only bookmarks made on another text (or detached) are looked at.
        """
        changed: list[Bookmark] = []
        with storage.transaction(self._db) as db:
            for b in self.entries(article_id):
                if b.text_hash == text_hash and not b.detached:
                    continue
                found = anchor(text, b.selector)
                if found is None:
                    new = replace(b, state="detached", text_hash=text_hash)
                else:
                    new = replace(
                        b, text_hash=text_hash, state="anchored", **asdict(found.selector(text))
                    )
                db.execute(
                    """UPDATE bookmarks SET exact=?, prefix=?, suffix=?, start=?, "end"=?,
                       text_hash=?, state=? WHERE id=?""",
                    (new.exact, new.prefix, new.suffix, new.start, new.end,
                     new.text_hash, new.state, new.id),
                )  # fmt: skip
                changed.append(new)
        return changed

    def stale(self, text_hashes: dict[str, str]) -> set[str]:
        """Articles with a bookmark made on another text than theirs now, or detached."""
        rows = self._db.execute("SELECT article_id, text_hash, state FROM bookmarks")
        return {
            a
            for a, h, state in rows
            if a in text_hashes and (h != text_hashes[a] or state == "detached")
        }

    def detach_missing(self, article_ids: set[str]) -> list[Bookmark]:
        """Mark bookmarks of articles no longer in the library as detached (never delete)."""
        with storage.transaction(self._db) as db:
            gone = [b for b in self.entries() if b.article_id not in article_ids and not b.detached]
            for b in gone:
                db.execute("UPDATE bookmarks SET state='detached' WHERE id=?", (b.id,))
        return [replace(b, state="detached") for b in gone]
