"""Rolling backups of the bookmarks, from which a lost store is restored.

After every change the store writes all its bookmarks to today's backup file
(``bookmarks-YYYY-MM-DD.jsonld``, a W3C Web Annotation collection), whole or
not at all; the newest few days are kept. The files are JSON a user can
read, and the window's Import Bookmarks takes them too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reader import storage
from reader.bookmarks.annotations import backup_json, parse_backup
from reader.bookmarks.model import Bookmark, UserArticle
from reader.errors import BookmarkError

log = logging.getLogger(__name__)

KEEP = 7  # days of backups kept
_NAME = re.compile(r"^bookmarks-(\d{4}-\d{2}-\d{2})\.jsonld$")


@dataclass(frozen=True)
class Backup:
    path: Path
    day: str  # YYYY-MM-DD
    bookmarks: list[Bookmark]
    articles: list[UserArticle]
    folders: list[str]


class Backups:
    """The backup files in ``folder``, newest first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        found = [p for p in self.folder.iterdir() if _NAME.match(p.name)]
        return sorted(found, key=lambda p: p.name, reverse=True)

    def latest(self) -> Backup | None:
        """The newest backup (by the day in its name) that can be read whole.

        Unreadable ones are passed over, so a file cut short by a crash falls
        back to the day before.
        """
        for path in self.files():
            try:
                marks, articles, folders = parse_backup(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError, BookmarkError) as exc:
                log.warning("bookmark backup %s is unreadable: %s", path, exc)
                continue
            match = _NAME.match(path.name)
            assert match is not None
            return Backup(path, match.group(1), marks, articles, folders)
        return None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise backups across processes: the last to write read the latest state.

        On POSIX an advisory lock; elsewhere only the atomic replace holds.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+b") as fh:
            if os.name == "posix":
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            yield

    def write(
        self,
        bookmarks: Iterable[Bookmark],
        articles: Iterable[UserArticle] = (),
        folders: Iterable[str] = (),
    ) -> Path:
        """Write today's backup of ``bookmarks``, what the user set on ``articles`` and
        the ``folders`` they watch, and drop the oldest beyond :data:`KEEP`."""
        day = time.strftime("%Y-%m-%d")
        target = self.folder / f"bookmarks-{day}.jsonld"
        storage.write_atomic(target, backup_json(bookmarks, articles, folders).encode("utf-8"))
        for old in self.files()[KEEP:]:
            old.unlink(missing_ok=True)
        return target
