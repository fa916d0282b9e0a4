"""What is wrong with a data folder, and mending what can be mended (``reader doctor``).

Looking writes nothing beyond what opening a data folder always may (a store
SQLite reports damaged when it is opened is set aside and made again, and
said so): the catalog, the bookmarks and the search index are read as they
are. Mending makes the catalog again from the files if SQLite finds it
damaged, catalogs what changed in the library folder, tries the files that
failed again, removes what interrupted writes left behind, and brings the
index in step, rebuilding it when it cannot be used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reader import storage
from reader.bookmarks import BookmarkStore, removed_ids
from reader.library import Library
from reader.library.articles import readable
from reader.library.library import DEBRIS_AGE_S
from reader.search import SearchIndex, index_lag, index_path, index_trouble

Part = Literal["catalog", "library", "bookmarks", "index"]


@dataclass(frozen=True)
class Finding:
    part: Part
    text: str
    mendable: bool  # whether --repair can mend it


@dataclass
class Health:
    findings: list[Finding] = field(default_factory=list)

    @property
    def mendable(self) -> bool:
        return any(f.mendable for f in self.findings)

    def add(self, part: Part, text: str, mendable: bool = True) -> None:
        self.findings.append(Finding(part, text, mendable))


def examine(library: Library, bookmarks: BookmarkStore, index: SearchIndex | None) -> Health:
    """Every problem found, without changing anything. ``index``: the index if it opened."""
    health = Health()
    _catalog(library, health)
    _bookmarks(bookmarks, health)
    trouble = index_trouble(index_path(library.data_dir))
    if trouble is not None:
        health.add("index", trouble)
    elif index is not None:
        lag = index_lag(index, library, bookmarks)
        if lag:
            health.add("index", f"{lag} document(s) are not in step with the library")
    return health


def _catalog(library: Library, health: Health) -> None:
    result = storage.quick_check(library.catalog.path)
    if result is not None:
        health.add("catalog", f"damaged ({result}); a repair makes it again from the files")
    if library.catalog.read_only:
        health.add("catalog", f"cannot be written: {library.catalog.read_only}", mendable=False)
    pending = library.pending()
    if pending:
        health.add("library", f"files not catalogued yet: {pending.describe()}")
    for info in library.problems():
        # Tried again by a repair, but only a changed file or converter can mend it.
        health.add(
            "library",
            f"could not convert {readable(info.source)}: {info.problem}",
            mendable=False,
        )
    debris = storage.stale_temporary_files(library.user_dir, DEBRIS_AGE_S)
    if debris:
        health.add("library", f"{len(debris)} file(s) left by interrupted writes")


def _bookmarks(bookmarks: BookmarkStore, health: Health) -> None:
    result = storage.quick_check(bookmarks.path)
    if result is not None:
        health.add(
            "bookmarks",
            f"damaged ({result}); set aside and restored from a backup when next opened",
            mendable=False,
        )
    if bookmarks.read_only:
        health.add("bookmarks", f"cannot be written: {bookmarks.read_only}", mendable=False)
    removed = removed_ids(bookmarks.user_articles())
    detached = [b for b in bookmarks.entries() if b.detached and b.article_id not in removed]
    if detached:  # those of a removed article wait for it to be put back
        ids = ", ".join(b.id for b in detached[:5]) + (", …" if len(detached) > 5 else "")
        health.add(
            "bookmarks",
            f"{len(detached)} detached (their passage is no longer in the article): {ids};"
            " attach them again in the window's Bookmarks panel",
            mendable=False,
        )
