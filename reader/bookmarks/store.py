"""The bookmark store: SQLite in the data dir, one transaction per change.

Each bookmark keeps where it points as W3C Web Annotation selectors (see
:mod:`reader.bookmarks.anchoring`) and the hash of the shown text it was
anchored in; that text is kept too (compressed, once per article version).
When an article changes, :meth:`BookmarkStore.reanchor` follows its bookmarks
through the edit; those that cannot be found stay, detached, with suggestions.

The bookmarks are the one thing the app cannot make again, so the store
never takes trouble for damage: only a file SQLite reports as malformed is set
aside; a full disk, a read-only file or an I/O error is reported as what it
is, with the file untouched, and the store is opened read-only if it can be.
After every change all bookmarks go to a rolling backup
(:mod:`reader.bookmarks.backup`); a store found missing, emptied or damaged is
filled again from the newest backup, and says so.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from reader import storage
from reader.bookmarks.anchoring import Anchor, Change, follow, selector_for, trim
from reader.bookmarks.backup import Backups
from reader.bookmarks.model import (
    COLOR_HEX,
    COLORS,
    Bookmark,
    State,
    UserArticle,
    check_color,
    from_row,
    normalise_tags,
    user_article_from_row,
)
from reader.errors import BookmarkError, BookmarkNotFound, QuoteNotFound

__all__ = ["COLORS", "COLOR_HEX", "Bookmark", "BookmarkStore", "State", "UserArticle"]

log = logging.getLogger(__name__)

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
    # 3: the texts bookmarks were made on, so an edit can be followed through; a
    # detached bookmark's suggestions; the text each bookmark was last looked for in.
    3: """
    CREATE TABLE texts (hash TEXT PRIMARY KEY, body BLOB NOT NULL);
    ALTER TABLE bookmarks ADD COLUMN suggestions TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE bookmarks ADD COLUMN seen_hash TEXT NOT NULL DEFAULT '';
    """,
    # 4: what the user set on whole articles: a title of their own, tags, and
    # whether they removed the article (and where its files went); the folders
    # whose articles they read in place.
    4: """
    CREATE TABLE folders (path TEXT PRIMARY KEY, added REAL NOT NULL);
    CREATE TABLE articles (
        article_id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        removed REAL NOT NULL DEFAULT 0,
        trash TEXT NOT NULL DEFAULT '',
        updated REAL NOT NULL
    );
    """,
}


_MISSING = "the bookmarks database was missing"


class BookmarkStore:
    """Bookmarks in ``path`` (SQLite, WAL), backed up to ``backups`` after every change."""

    def __init__(self, path: Path, backups: Path | None = None) -> None:
        self.path = path
        self.backups = Backups(backups or path.parent / "backups")
        self.notices: list[str] = []  # for the user, taken by the core
        self.read_only: str | None = None  # why nothing can be saved, when that is so
        self._batch = 0
        self._dirty = False
        self._backup_failing = False
        lost = self._why_lost()
        try:
            self._db = self._open()
        except storage.NewerSchema as exc:
            raise BookmarkError(f"the bookmarks database is from a newer reader ({exc})") from None
        except sqlite3.Error as exc:
            if storage.is_damaged(exc):
                try:
                    aside = storage.set_aside(path, "damaged")
                except OSError as err:
                    raise BookmarkError(
                        f"the bookmarks database is damaged and cannot be moved aside: "
                        f"{storage.reason(err)}"
                    ) from None
                lost = f"the bookmarks database was damaged ({exc}); it was kept as {aside.name}"
                self._db = self._open_or_fail()
            else:
                self._db = self._open_read_only(exc, lost)
                lost = None
        self._identity = storage.identity(path)
        if lost:
            self._restore(lost)

    def _open(self) -> sqlite3.Connection:
        # synchronous=FULL: a saved bookmark survives a crash.
        return storage.open_database(self.path, _MIGRATIONS, "FULL", integrity_check=True)

    def _open_or_fail(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.Error as exc:
            raise BookmarkError(
                f"cannot open the bookmarks database {self.path}: {storage.reason(exc, self.path)}"
            ) from None

    def _open_read_only(self, trouble: sqlite3.Error, lost: str | None) -> sqlite3.Connection:
        """Trouble around a sound file (full disk, read-only, I/O): read it as it is.

        A store that is missing where nothing can be written is read from the
        newest backup, in memory.
        """
        why = storage.reason(trouble, self.path)
        try:
            if lost == _MISSING:
                db = storage.connect(Path(":memory:"))
                storage.migrate(db, _MIGRATIONS)
                backup = self.backups.latest()
                with storage.transaction(db):
                    for b in backup.bookmarks if backup is not None else ():
                        _insert(db, b)
                    for u in backup.articles if backup is not None else ():
                        _insert_article(db, u)
                    for folder in backup.folders if backup is not None else ():
                        _insert_folder(db, folder)
            else:
                # From before 4 it lacks only what the user set on articles: read as none.
                db = storage.open_readonly(self.path, max(_MIGRATIONS), readable_from=3)
        except sqlite3.Error:
            raise BookmarkError(f"cannot open the bookmarks database {self.path}: {why}") from None
        self.read_only = why
        where = "from their backup" if lost == _MISSING else "; nothing in the file was changed"
        self.notices.append(f"bookmarks can be read but not saved: {why} ({self.path}){where}")
        return db

    def _why_lost(self) -> str | None:
        """Why the store may have lost bookmarks before it is opened, if it looks so."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return _MISSING
        except OSError:
            return None
        return "the bookmarks database was empty (0 bytes)" if size == 0 else None

    def _restore(self, lost: str) -> None:
        """Fill a store found missing, emptied or damaged from the newest readable backup.

        The store is checked for bookmarks under the write lock, so a store
        another process has filled meanwhile is left as it is.
        """
        backup = self.backups.latest()
        if backup is None and self.backups.files():
            self.notices.append(
                f"{lost}, and no backup in {self.backups.folder} could be read;"
                " a new bookmarks database was started"
            )
            return
        if backup is None or not (backup.bookmarks or backup.articles or backup.folders):
            if lost != _MISSING:  # a first start has no backup and nothing to say
                self.notices.append(lost + "; no backup was found, so a new one was started")
            return
        try:
            with storage.transaction(self._db) as db:
                if db.execute(
                    "SELECT 1 FROM bookmarks UNION ALL SELECT 1 FROM articles"
                    " UNION ALL SELECT 1 FROM folders LIMIT 1"
                ).fetchone():
                    return
                for b in backup.bookmarks:
                    _insert(db, b)
                for u in backup.articles:
                    _insert_article(db, u)
                for folder in backup.folders:
                    _insert_folder(db, folder)
        except sqlite3.Error as exc:
            raise BookmarkError(
                f"bookmarks could not be restored from {backup.path}: {storage.reason(exc)}"
            ) from None
        n = len(backup.bookmarks)
        what = f"{n} bookmark{'s' if n != 1 else ''}"
        if backup.articles:
            what += f", the titles and tags of {len(backup.articles)} article(s)"
        if backup.folders:
            what += f", {len(backup.folders)} watched folder(s)"
        self.notices.append(
            f"{lost}; restored {what} from the backup of {backup.day} ({backup.path.name})"
        )

    def _reopen(self) -> None:
        """Open the file again: it can be written now, or another process replaced it."""
        was_memory = self.read_only is not None and not self.path.exists()
        lost = self._why_lost()
        try:
            db = self._open()
        except sqlite3.Error:
            return  # still as it was; the caller says why
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._db = db
        self.read_only = None
        self._identity = storage.identity(self.path)
        if lost or was_memory:
            self._restore(lost or _MISSING)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    # --- writing, backed up ----------------------------------------------------

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; a failure says what could not be done and why."""
        if self.read_only is not None or storage.identity(self.path) != self._identity:
            self._reopen()
        if self.read_only is not None:
            raise BookmarkError(f"could not {what}: {self.read_only} ({self.path})")
        before = self._db.total_changes
        try:
            with storage.transaction(self._db) as db:
                yield db
        except sqlite3.Error as exc:
            raise BookmarkError(
                f"could not {what}: {storage.reason(exc, self.path)}; nothing was changed"
            ) from None
        self._dirty = self._dirty or self._db.total_changes != before
        if self._batch == 0 and self._dirty:
            self._back_up()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Many changes, one backup at the end."""
        self._batch += 1
        try:
            yield
        finally:
            self._batch -= 1
            if self._batch == 0 and self._dirty:
                self._back_up()

    def _back_up(self) -> None:
        """Write every bookmark to today's backup; a failure is logged, not raised.

        The change itself is committed by then; a backup that cannot be
        written (a full disk) is tried again at the next change.
        """
        try:
            with self.backups.locked():
                self.backups.write(self.entries(), self.user_articles().values(), self.folders())
        except (OSError, BookmarkError) as exc:
            why = storage.reason(exc, self.backups.folder / "x")
            log.warning("bookmarks backup not written: %s", why)
            if not self._backup_failing:
                self.notices.append(
                    f"the bookmarks backup could not be written ({why}); your bookmarks are"
                    " saved, and the backup is tried again at the next change"
                )
            self._backup_failing = True
            return
        self._dirty = self._backup_failing = False

    # --- reading -------------------------------------------------------------

    def _query(self, sql: str, params: tuple[str, ...] = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            why = storage.reason(exc, self.path)
            raise BookmarkError(f"could not read the bookmarks: {why}") from None

    def entries(self, article_id: str | None = None) -> list[Bookmark]:
        if article_id is None:
            rows = self._query("SELECT * FROM bookmarks ORDER BY created, id")
        else:
            rows = self._query(
                "SELECT * FROM bookmarks WHERE article_id=? ORDER BY start, created",
                (article_id,),
            )
        return [from_row(r) for r in rows]

    def get(self, bookmark_id: str) -> Bookmark:
        found = self._query("SELECT * FROM bookmarks WHERE id=?", (bookmark_id,))
        r = found[0] if found else None
        if r is None:
            raise BookmarkNotFound(f"no bookmark with id {bookmark_id!r}")
        return from_row(r)

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
        start, end = trim(text, start, end)
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
            seen_hash=text_hash,
            **asdict(sel),
        )
        with self._writing("save the bookmark") as db:
            _insert(db, bookmark)
            _keep_text(db, text_hash, text)
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
        self.put_many([bookmark])

    def put_many(self, bookmarks: Iterable[Bookmark]) -> None:
        """Insert or replace bookmarks, all in one transaction."""
        with self._writing("save the bookmark") as db:
            for bookmark in bookmarks:
                _insert(db, bookmark)

    def update(
        self,
        bookmark_id: str,
        *,
        note: str | None = None,
        color: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> Bookmark:
        with self._writing("change the bookmark") as db:
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

    def attach(self, bookmark_id: str, text: str, text_hash: str, start: int, end: int) -> Bookmark:
        """Point a bookmark at ``text[start:end]`` (a detached one repaired by hand)."""
        start, end = trim(text, start, end)
        if not (0 <= start < end <= len(text)):
            raise BookmarkError("select the passage to attach the bookmark to")
        with self._writing("attach the bookmark") as db:
            new = replace(
                self.get(bookmark_id),
                **asdict(selector_for(text, start, end)),
                text_hash=text_hash,
                seen_hash=text_hash,
                state="anchored",
                suggestions=(),
                updated=time.time(),
            )
            _insert(db, new)
            _keep_text(db, text_hash, text)
        return new

    def delete(self, bookmark_id: str) -> Bookmark:
        """Remove a bookmark and return it, so the caller can offer undo."""
        with self._writing("delete the bookmark") as db:
            old = self.get(bookmark_id)
            db.execute("DELETE FROM bookmarks WHERE id=?", (bookmark_id,))
        return old

    # --- what the user set on articles ---------------------------------------

    def _has(self, table: str) -> bool:
        """Whether the store has ``table`` (one opened read-only may be from before it)."""
        found = self._query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,))
        return bool(found)

    def user_articles(self) -> dict[str, UserArticle]:
        """Every article the user retitled, tagged or removed, by id."""
        if self.read_only is not None and not self._has("articles"):
            return {}
        rows = self._query("SELECT * FROM articles")
        return {r["article_id"]: user_article_from_row(r) for r in rows}

    def user_article(self, article_id: str) -> UserArticle:
        if self.read_only is not None and not self._has("articles"):
            return UserArticle(article_id)
        rows = self._query("SELECT * FROM articles WHERE article_id=?", (article_id,))
        return user_article_from_row(rows[0]) if rows else UserArticle(article_id)

    def set_user_article(self, article: UserArticle) -> UserArticle:
        """Keep what the user set on an article (nothing set: the row goes)."""
        article = replace(article, tags=normalise_tags(article.tags), updated=time.time())
        with self._writing("save the article's title and tags") as db:
            if article.empty:
                db.execute("DELETE FROM articles WHERE article_id=?", (article.article_id,))
            else:
                _insert_article(db, article)
        return article

    def set_removed(self, article_id: str, removed: float, trash: str = "") -> None:
        """Mark an article removed (``removed`` its time, ``trash`` where its files went)
        or not (0), leaving what else the user set on it as it is now."""
        with self._writing("keep the removal") as db:
            row = db.execute("SELECT * FROM articles WHERE article_id=?", (article_id,)).fetchone()
            user = UserArticle(article_id) if row is None else user_article_from_row(row)
            user = replace(user, removed=removed, trash=trash, updated=time.time())
            if user.empty:
                db.execute("DELETE FROM articles WHERE article_id=?", (article_id,))
            else:
                _insert_article(db, user)

    def rename_tag(self, old: str, new: str) -> tuple[int, int]:
        """Rename a tag on every article and bookmark (merging it into ``new`` where that
        is there already), in one transaction; how many articles and bookmarks changed."""
        (old_tag,) = normalise_tags([old]) or ("",)
        (new_tag,) = normalise_tags([new]) or ("",)
        if not old_tag or not new_tag:
            raise BookmarkError("a tag needs a name")
        now = time.time()
        articles = bookmarks = 0
        with self._writing("rename the tag") as db:
            for r in db.execute("SELECT * FROM articles").fetchall():
                u = user_article_from_row(r)
                if old_tag in u.tags:
                    tags = normalise_tags(new_tag if t == old_tag else t for t in u.tags)
                    _insert_article(db, replace(u, tags=tags, updated=now))
                    articles += 1
            for r in db.execute("SELECT * FROM bookmarks").fetchall():
                b = from_row(r)
                if old_tag in b.tags:
                    tags = normalise_tags(new_tag if t == old_tag else t for t in b.tags)
                    db.execute(
                        "UPDATE bookmarks SET tags=?, updated=? WHERE id=?",
                        (json.dumps(list(tags)), now, b.id),
                    )
                    bookmarks += 1
        return articles, bookmarks

    def folders(self) -> list[str]:
        """The folders whose articles the user reads in place, in the order added."""
        if self.read_only is not None and not self._has("folders"):
            return []
        rows = self._query("SELECT path FROM folders ORDER BY added, path")
        return [_folder_name(r[0]) for r in rows]

    def add_folder(self, path: str) -> bool:
        """Watch a folder; False when it was watched already."""
        with self._writing("watch the folder") as db:
            if db.execute("SELECT 1 FROM folders WHERE path=?", (_folder_key(path),)).fetchone():
                return False
            _insert_folder(db, path)
        return True

    def remove_folder(self, path: str) -> bool:
        """Stop watching a folder; False when it was not watched."""
        with self._writing("stop watching the folder") as db:
            gone = db.execute("DELETE FROM folders WHERE path=?", (_folder_key(path),)).rowcount
        return gone > 0

    # --- following the article ---------------------------------------------

    def reanchor(self, article_id: str, text: str, text_hash: str) -> list[Bookmark]:
        """Follow the article's bookmarks into its shown text now; returns those that
        moved or were detached.

        Only bookmarks not yet looked for in this text are looked at. Each is
        followed through the change from the text it was made on, when that
        text is kept, else found from its selectors. The looking is done before
        the write lock is taken; a bookmark changed meanwhile (by another
        window or process) is left for the next time.
        """
        marks = [b for b in self.entries(article_id) if b.seen_hash != text_hash]
        if not marks:
            return []
        planned: list[tuple[Bookmark, Bookmark]] = []
        changes: dict[str, Change | None] = {}
        for b in marks:
            if b.text_hash == text_hash and not b.detached:
                planned.append((b, replace(b, seen_hash=text_hash)))
                continue
            if b.text_hash not in changes:
                old = self._text(b.text_hash)
                changes[b.text_hash] = None if old is None else Change(old, text)
            found = follow(text, b.selector, changes[b.text_hash])
            if isinstance(found, Anchor):
                new = replace(
                    b, **asdict(found.selector(text)), text_hash=text_hash, state="anchored",
                    suggestions=(),
                )  # fmt: skip
            else:
                # The selectors stay as they were, on the text they were made on.
                places = tuple((s, e, _excerpt(text[s:e])) for s, e in found.suggestions)
                new = replace(b, state="detached", suggestions=places)
            planned.append((b, replace(new, seen_hash=text_hash)))
        changed: list[Bookmark] = []
        with self._writing("find bookmarks again") as db:
            for b, new in planned:
                row = db.execute("SELECT * FROM bookmarks WHERE id=?", (b.id,)).fetchone()
                if row is None or from_row(row) != b:
                    continue  # changed meanwhile: looked at again next time
                _insert(db, new)
                if (new.start, new.end, new.state) != (b.start, b.end, b.state):
                    changed.append(new)
            _keep_text(db, text_hash, text)
            db.execute("DELETE FROM texts WHERE hash NOT IN (SELECT text_hash FROM bookmarks)")
        return changed

    def _text(self, text_hash: str) -> str | None:
        """The text bookmarks were made on, if it is kept (else the selectors find them)."""
        try:
            row = self._db.execute("SELECT body FROM texts WHERE hash=?", (text_hash,)).fetchall()
        except sqlite3.Error as exc:
            raise BookmarkError(f"could not read the bookmarks: {storage.reason(exc)}") from None
        if not row:
            return None
        try:
            return zlib.decompress(row[0][0]).decode("utf-8", "surrogatepass")
        except (zlib.error, UnicodeDecodeError):
            return None

    def stale(self, text_hashes: dict[str, str]) -> set[str]:
        """Articles with a bookmark not yet looked for in the article's text as it is now."""
        rows = self._query("SELECT DISTINCT article_id, seen_hash FROM bookmarks")
        return {a for a, seen in rows if a in text_hashes and seen != text_hashes[a]}

    def version(self) -> tuple[object, ...]:
        """Changes whenever another connection or process changed the bookmarks, or the
        file was replaced (a synced copy); a replaced file is opened again."""
        if storage.identity(self.path) != self._identity:
            self._reopen()
        try:
            # fetchall: a statement left unfinished would hold its snapshot, and the
            # number with it.
            ((data_version,),) = self._db.execute("PRAGMA data_version").fetchall()
        except sqlite3.Error as exc:
            raise BookmarkError(f"could not read the bookmarks: {storage.reason(exc)}") from None
        return (self._identity, data_version)

    def detach_missing(self, article_ids: set[str]) -> list[Bookmark]:
        """Mark bookmarks of articles no longer in the library as detached (never delete)."""
        rows = self._query("SELECT DISTINCT article_id FROM bookmarks WHERE state='anchored'")
        if all(r[0] in article_ids for r in rows):
            return []
        with self._writing("detach bookmarks") as db:
            gone = [b for b in self.entries() if b.article_id not in article_ids and not b.detached]
            for b in gone:
                db.execute(
                    "UPDATE bookmarks SET state='detached', seen_hash='' WHERE id=?", (b.id,)
                )
        return [replace(b, state="detached") for b in gone]


def _excerpt(words: str, most: int = 240) -> str:
    return words if len(words) <= most else words[: most - 1] + "…"


def _keep_text(db: sqlite3.Connection, text_hash: str, text: str) -> None:
    """Keep the text bookmarks were made on, once per version of an article."""
    if db.execute("SELECT 1 FROM texts WHERE hash=?", (text_hash,)).fetchone() is None:
        body = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        db.execute("INSERT INTO texts (hash, body) VALUES (?, ?)", (text_hash, body))


def _folder_key(path: str) -> str | bytes:
    """A folder's path as stored: its bytes when it is not UTF-8 (a name Python keeps
    with lone surrogates, which SQLite cannot store as text)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def _folder_name(stored: str | bytes) -> str:
    return os.fsdecode(stored) if isinstance(stored, bytes) else stored


def _insert_folder(db: sqlite3.Connection, path: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO folders (path, added) VALUES (?, ?)",
        (_folder_key(path), time.time()),
    )


def _insert_article(db: sqlite3.Connection, article: UserArticle) -> None:
    values = {**asdict(article), "tags": json.dumps(list(article.tags))}
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(f":{name}" for name in values)
    db.execute(f"INSERT OR REPLACE INTO articles ({columns}) VALUES ({marks})", values)


def _insert(db: sqlite3.Connection, bookmark: Bookmark) -> None:
    values = {
        **asdict(bookmark),
        "tags": json.dumps(list(bookmark.tags)),
        "suggestions": json.dumps([list(span) for span in bookmark.suggestions]),
    }
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(f":{name}" for name in values)
    db.execute(f"INSERT OR REPLACE INTO bookmarks ({columns}) VALUES ({marks})", values)
