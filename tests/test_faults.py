"""Faults around the data folder never cost a bookmark.

For each fault (a full disk, read-only files, a store truncated, deleted or
garbled, a damaged catalog) the bookmarks afterwards equal the bookmarks
before. A full disk and read-only files are real where this machine lets the
test mount a small tmpfs; SQLite's own "disk full" is injected everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reader import storage
from reader.bookmarks import Bookmark, BookmarkStore, UserArticle
from reader.bookmarks.backup import KEEP, Backups
from reader.core import ReaderCore
from reader.errors import BookmarkError, ImportFailed
from reader.library.catalog import Catalog
from tests.conftest import SEEDS

QUOTES = [
    "Imagine a magnificent skyscraper.",
    "API",
    "database",
    "server",
    "scalability",
    "performance",
]


def make_bookmarks(core: ReaderCore, n: int = 12) -> list[Bookmark]:
    """``n`` bookmarks with long notes, so the store spans several database pages."""
    for i in range(n):
        quote = QUOTES[i % len(QUOTES)]
        core.add_bookmark_quote(
            "backend-developer", quote, note=f"note {i} " + "words " * 150, tags=(f"t{i}",)
        )
    return core.bookmarks()


@pytest.fixture
def marked(data_dir: Path) -> list[Bookmark]:
    """A data folder holding 12 bookmarks (and their backup), every store closed."""
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    marks = make_bookmarks(core)
    core.close()
    return marks


def bookmarks_in(data_dir: Path) -> tuple[list[Bookmark], list[str]]:
    core = ReaderCore(data_dir, SEEDS)
    try:
        core.refresh()
        return core.bookmarks(), core.take_notices()
    finally:
        core.close()


# --- a store lost or damaged is filled again from the backup -------------------


def test_a_store_truncated_to_nothing_is_restored(data_dir: Path, marked: list[Bookmark]) -> None:
    (data_dir / "bookmarks.sqlite3").write_bytes(b"")
    after, notices = bookmarks_in(data_dir)
    assert after == marked
    assert any("empty (0 bytes)" in n and "restored 12 bookmarks" in n for n in notices)


def test_a_deleted_store_is_restored(data_dir: Path, marked: list[Bookmark]) -> None:
    (data_dir / "bookmarks.sqlite3").unlink()
    after, notices = bookmarks_in(data_dir)
    assert after == marked
    assert any("was missing" in n and "restored 12 bookmarks" in n for n in notices)


def test_a_store_garbled_in_the_middle_is_set_aside_and_restored(
    data_dir: Path, marked: list[Bookmark]
) -> None:
    path = data_dir / "bookmarks.sqlite3"
    data = bytearray(path.read_bytes())
    assert len(data) > 12 * 1024
    data[4096 : 4096 + 8192] = os.urandom(8192)
    path.write_bytes(bytes(data))
    after, notices = bookmarks_in(data_dir)
    assert after == marked
    assert any("was damaged" in n and "restored 12 bookmarks" in n for n in notices)
    (aside,) = data_dir.glob("bookmarks.sqlite3.damaged-*")
    assert aside.read_bytes() == bytes(data)  # kept as it was found


def test_an_emptied_store_is_refilled_but_deleting_every_bookmark_is_kept(
    data_dir: Path, marked: list[Bookmark]
) -> None:
    core = ReaderCore(data_dir, SEEDS)
    for b in marked:
        core.delete_bookmark(b.id)
    core.close()
    after, notices = bookmarks_in(data_dir)
    assert after == [] and notices == []  # the user's own deletions stay deleted


def test_restored_backup_keeps_detached_bookmarks_detached(data_dir: Path) -> None:
    core = ReaderCore(data_dir, SEEDS)
    (data_dir / "library" / "note.md").write_text("# A note\n\nA passage worth keeping.\n")
    core.refresh()
    b = core.add_bookmark_quote("a-note", "worth keeping")
    (data_dir / "library" / "note.md").unlink()
    core.refresh()
    before = core.bookmarks()
    assert core.bookmark(b.id).detached
    core.close()
    (data_dir / "bookmarks.sqlite3").unlink()
    after, _ = bookmarks_in(data_dir)
    assert after == before


def test_backups_keep_the_newest_days(data_dir: Path, marked: list[Bookmark]) -> None:
    backups = Backups(data_dir / "backups")
    (today,) = backups.files()
    for day in range(1, 12):
        (data_dir / "backups" / f"bookmarks-2020-01-{day:02}.jsonld").write_text("[]")
    backups.write(marked)
    kept = backups.files()
    assert len(kept) == KEEP and kept[0] == today
    assert backups.latest() is not None and backups.latest().bookmarks == marked  # type: ignore[union-attr]


def test_an_unreadable_newest_backup_falls_back_to_the_one_before(
    data_dir: Path, marked: list[Bookmark]
) -> None:
    backups = data_dir / "backups"
    (today,) = Backups(backups).files()
    shutil.copy(today, backups / "bookmarks-2020-01-01.jsonld")
    today.write_text('{"type": "AnnotationCollection", "first": {"items": [')  # cut short
    (data_dir / "bookmarks.sqlite3").unlink()
    after, notices = bookmarks_in(data_dir)
    assert after == marked
    assert any("2020-01-01" in n for n in notices)


# --- trouble is not damage: the file is kept, the reason given ------------------


def test_sqlite_disk_full_keeps_every_bookmark(data_dir: Path, marked: list[Bookmark]) -> None:
    store = BookmarkStore(data_dir / "bookmarks.sqlite3")
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count={pages}")  # SQLite's own SQLITE_FULL from here
    with pytest.raises(BookmarkError, match="could not save the bookmark: the disk is full"):
        for i in range(20):
            store.put(replace(marked[0], id=f"x{i}", note="more words " * 400))
    store.close()
    after, notices = bookmarks_in(data_dir)
    assert after[: len(marked)] == marked
    assert not list(data_dir.glob("*.damaged-*")) and notices == []


def test_a_library_path_that_is_a_file_is_reported(data_dir: Path) -> None:
    (data_dir / "library").write_text("not a folder")
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    assert len(core.articles()) == 5
    assert any("is not a folder" in n for n in core.take_notices())
    with pytest.raises(ImportFailed, match="is not a folder"):
        core.import_paths([SEEDS / "backend-developer.txt"])
    core.close()


def test_a_catalog_garbled_in_the_middle_is_made_again(data_dir: Path, tmp_path: Path) -> None:
    core = ReaderCore(data_dir, SEEDS)
    for i in range(40):
        note = tmp_path / f"note-{i}.md"
        note.write_text(f"# Note {i}\n\n" + f"Paragraph {i} of the user's own words. " * 200)
        core.import_paths([note])
    b = core.add_bookmark_quote("note-7", "Paragraph 7 of the user's own words.")
    core.close()
    path = data_dir / "catalog.sqlite3"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 8192] = os.urandom(8192)
    path.write_bytes(bytes(data))
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    assert len(core.articles()) == 45
    assert core.open_article("note-7").text.count("Paragraph 7") == 200
    assert core.bookmark(b.id) == b
    assert any("catalog was damaged" in n for n in core.take_notices())
    assert list(data_dir.glob("catalog.sqlite3.damaged-*"))
    core.close()


# --- a real small disk and real read-only files ----------------------------------


def _mount(args: list[str]) -> bool:
    try:
        done = subprocess.run(args, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs, where this machine allows mounting one."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.name != "posix" or not _mount(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)]
    ):
        pytest.skip("cannot mount a small file system here")
    try:
        yield disk
    finally:
        _mount(["umount", "-l", str(disk)])


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    return filler


def test_a_full_disk_keeps_every_bookmark_and_says_so(small_disk: Path) -> None:
    data_dir = small_disk / "data"
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    before = make_bookmarks(core)
    core.close()
    filler = fill(small_disk)

    core = ReaderCore(data_dir, SEEDS)  # opens, read-only where it must
    core.refresh()
    assert core.bookmarks() == before
    assert any("disk is full" in n for n in core.take_notices())
    with pytest.raises(BookmarkError, match="disk is full"):
        core.add_bookmark_quote("backend-developer", "scalability")
    with pytest.raises(ImportFailed, match="disk is full"):
        core.import_paths([SEEDS / "backend-developer.txt"])
    core.close()
    assert not list(data_dir.glob("*.damaged-*"))

    filler.unlink()
    after, notices = bookmarks_in(data_dir)
    assert after == before and notices == []
    core = ReaderCore(data_dir, SEEDS)
    core.add_bookmark_quote("backend-developer", "scalability")
    assert len(core.bookmarks()) == len(before) + 1
    core.close()


def test_a_disk_filling_up_during_import_is_one_line_per_file(
    small_disk: Path, tmp_path: Path
) -> None:
    data_dir = small_disk / "data"
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    before = make_bookmarks(core, 3)
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "A long text that will not fit. " * 200_000)
    outcome = core.import_paths([big])
    assert [o.status for o in outcome] == ["failed"]
    assert "disk is full" in outcome[0].message
    assert not any(p.name.startswith("big") for p in (data_dir / "library").iterdir())
    assert core.bookmarks() == before and len(core.articles()) == 5
    core.close()


def test_copies_that_cannot_be_synced_to_disk_are_taken_back(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copies an import makes are synced together before they are catalogued; if
    that fails (a disk full once the written data is flushed), none of them stays."""
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    files = []
    for n in range(3):
        path = tmp_path / f"note-{n}.md"
        path.write_text(f"# Note {n}\n\nA harbour, a ferry, a tide table {n}.\n")
        files.append(path)

    def full(_paths: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "sync_files", full)
    outcome = core.import_paths(files)
    assert [o.status for o in outcome] == ["failed"] * 3
    assert all("disk is full" in o.message for o in outcome)
    assert not any(p.name.startswith("note-") for p in (data_dir / "library").iterdir())
    assert len(core.articles()) == 5
    monkeypatch.undo()
    assert [o.status for o in core.import_paths(files)] == ["imported"] * 3  # as it was
    core.close()


class ReadOnly:
    """A copy of a data folder that cannot be written, until :meth:`writable`."""

    def __init__(self, source: Path, tmp_path: Path) -> None:
        self.root = tmp_path / "ro"
        self.root.mkdir()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            mount = ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(self.root)]
            if not _mount(mount):
                pytest.skip("cannot make read-only files here")
        self.data = self.root / "data"
        shutil.copytree(source, self.data)
        if self.as_root:
            if not _mount(["mount", "-o", "remount,ro", str(self.root)]):
                self.close()
                pytest.skip("cannot make read-only files here")
        else:
            for p in [*self.data.rglob("*"), self.data]:
                p.chmod(0o444 if p.is_file() else 0o555)

    def writable(self) -> None:
        if self.as_root:
            assert _mount(["mount", "-o", "remount,rw", str(self.root)])
        else:
            for p in [self.data, *self.data.rglob("*")]:
                p.chmod(0o755 if p.is_dir() else 0o644)

    def close(self) -> None:
        if self.as_root:
            _mount(["umount", "-l", str(self.root)])
        else:
            self.writable()


@pytest.fixture
def read_only(data_dir: Path, marked: list[Bookmark], tmp_path: Path) -> Iterator[ReadOnly]:
    """The data folder with 12 bookmarks, copied where it cannot be written."""
    ro = ReadOnly(data_dir, tmp_path)
    try:
        yield ro
    finally:
        ro.close()


@pytest.fixture
def read_only_data(read_only: ReadOnly) -> Path:
    return read_only.data


def test_a_read_only_store_is_read_and_never_changed(
    read_only_data: Path, marked: list[Bookmark]
) -> None:
    path = read_only_data / "bookmarks.sqlite3"
    original = path.read_bytes()
    store = BookmarkStore(path)
    assert store.entries() == marked
    assert any("can be read but not saved" in n for n in store.notices)
    with pytest.raises(BookmarkError, match="could not delete the bookmark"):
        store.delete(marked[0].id)
    store.close()
    assert path.read_bytes() == original


def test_a_read_only_catalog_still_lists_the_library(read_only_data: Path) -> None:
    path = read_only_data / "catalog.sqlite3"
    original = path.read_bytes()
    catalog = Catalog(path)
    assert catalog.read_only and len(catalog.rows()) == 5
    assert any("cannot be written" in n for n in catalog.notices)
    catalog.close()
    assert path.read_bytes() == original


def test_a_read_only_catalog_from_before_reading_places_still_opens_articles(
    data_dir: Path, marked: list[Bookmark], tmp_path: Path
) -> None:
    with contextlib.closing(sqlite3.connect(data_dir / "catalog.sqlite3")) as db:
        db.executescript("DROP TABLE reading; PRAGMA user_version = 3;")  # as version 3 left it
    ro = ReadOnly(data_dir, tmp_path)
    try:
        core = ReaderCore(ro.data, SEEDS)
        articles = core.articles()
        assert len(articles) == 5 and all(a.progress == 0.0 for a in articles)
        page = core.open_article(articles[0].id)
        assert page.position == 0 and page.text
        assert core.keep_position(page.id, 10, 0.5) is False  # kept nowhere, and no error
        core.close()
    finally:
        ro.close()


def test_a_read_only_store_from_before_article_settings_still_opens(
    data_dir: Path, marked: list[Bookmark], tmp_path: Path
) -> None:
    with contextlib.closing(sqlite3.connect(data_dir / "bookmarks.sqlite3")) as db:
        # As version 3 left it: no titles, tags or watched folders of the user's.
        db.executescript("DROP TABLE articles; DROP TABLE folders; PRAGMA user_version = 3;")
    ro = ReadOnly(data_dir, tmp_path)
    try:
        core = ReaderCore(ro.data, SEEDS)
        assert core.bookmarks() == marked
        assert len(core.articles()) == 5 and core.tags() == {}
        assert core.watched_folders() == []
        with pytest.raises(BookmarkError, match="could not remove"):
            core.remove_article(core.articles()[0].id)
        core.close()
    finally:
        ro.close()


def test_set_aside_never_overwrites(tmp_path: Path) -> None:
    from reader.storage import set_aside

    path = tmp_path / "x.sqlite3"
    names = set()
    for i in range(3):
        path.write_bytes(f"copy {i}".encode())
        names.add(set_aside(path, "damaged"))
    assert len(names) == 3
    assert sorted(p.read_bytes() for p in names) == [b"copy 0", b"copy 1", b"copy 2"]


def test_backups_are_taken_in_one_transaction_per_batch(
    data_dir: Path, marked: list[Bookmark], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BookmarkStore(data_dir / "bookmarks.sqlite3")
    writes: list[int] = []
    real = store.backups.write

    def counting(
        bookmarks: list[Bookmark], articles: Iterable[UserArticle] = (), folders: Iterable[str] = ()
    ) -> Path:
        writes.append(len(list(bookmarks)))
        return real(bookmarks, articles, folders)

    monkeypatch.setattr(store.backups, "write", counting)
    with store.batch():
        for b in marked[:3]:
            store.delete(b.id)
    assert writes == [9]
    store.update(marked[5].id, note="changed")
    store.update(marked[5].id, note="changed")  # no change, no backup
    assert writes == [9, 9]
    store.close()


def test_a_read_only_data_folder_still_lists_articles_and_bookmarks(
    read_only_data: Path, marked: list[Bookmark], capsys: pytest.CaptureFixture[str]
) -> None:
    from reader.cli import main

    assert main(["--data-dir", str(read_only_data), "bookmarks", "list", "--json"]) == 0
    out, err = capsys.readouterr()
    assert [b["id"] for b in json.loads(out)] == [b.id for b in marked]
    assert "can be read but not saved" in err and "Traceback" not in err
    assert main(["--data-dir", str(read_only_data), "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5
    code = main(["--data-dir", str(read_only_data), "bookmarks", "add", "backend-developer",
                 "--quote", "API"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and err.splitlines()[-1].startswith("reader: error: could not save")


def test_a_read_only_store_saves_again_once_it_can(
    read_only: ReadOnly, marked: list[Bookmark]
) -> None:
    store = BookmarkStore(read_only.data / "bookmarks.sqlite3")
    with pytest.raises(BookmarkError, match="could not save"):
        store.add_quote("backend-developer", "API here", "h", "API")
    read_only.writable()  # space freed, permissions mended: no restart needed
    added = store.add_quote("backend-developer", "API here", "h", "API")
    assert store.entries() == [*marked, added]
    store.close()


def test_a_missing_store_in_a_read_only_folder_is_read_from_its_backup(
    data_dir: Path, marked: list[Bookmark], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reader.cli import main

    (data_dir / "bookmarks.sqlite3").unlink()
    ro = ReadOnly(data_dir, tmp_path)
    try:
        assert main(["--data-dir", str(ro.data), "bookmarks", "list", "--json"]) == 0
        out, err = capsys.readouterr()
        assert [b["id"] for b in json.loads(out)] == [b.id for b in marked]
        assert "from their backup" in err
    finally:
        ro.close()


def test_a_failed_backup_never_brings_back_a_deleted_bookmark(
    data_dir: Path, marked: list[Bookmark], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BookmarkStore(data_dir / "bookmarks.sqlite3")

    def full(*_lists: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.backups, "write", full)
    for b in marked:
        store.delete(b.id)
    assert [n for n in store.notices if "backup could not be written" in n]
    assert len(store.notices) == 1  # said once, not at every change
    store.close()
    after, notices = bookmarks_in(data_dir)
    assert after == [] and notices == []


def test_an_unreadable_backup_is_said_and_never_a_traceback(
    data_dir: Path, marked: list[Bookmark], capsys: pytest.CaptureFixture[str]
) -> None:
    from reader.cli import main

    (today,) = Backups(data_dir / "backups").files()
    data = json.loads(today.read_text())
    data["first"]["items"][0]["reader:times"] = ["not a time", 1]
    data["first"]["items"][1]["target"]["selector"] = ["not a selector"]
    today.write_text(json.dumps(data))
    (data_dir / "bookmarks.sqlite3").unlink()
    assert main(["--data-dir", str(data_dir), "bookmarks", "list", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == [] and "no backup in" in err and "could be read" in err
    assert "Traceback" not in err


def test_a_store_replaced_by_another_process_is_written_where_it_is_now(
    data_dir: Path, marked: list[Bookmark]
) -> None:
    path = data_dir / "bookmarks.sqlite3"
    first = BookmarkStore(path)
    first.entries()
    os.replace(path, data_dir / "elsewhere.sqlite3")  # another process set it aside
    second = BookmarkStore(path)  # ...and filled a new one from the backup
    assert second.entries() == marked
    added = first.add_quote("backend-developer", "API here", "h", "API")
    assert BookmarkStore(path).entries() == [*marked, added]
    first.close()
    second.close()


def test_a_file_written_whole_has_the_permissions_a_file_gets(tmp_path: Path) -> None:
    """An export or a copy is readable as any new file is, not private to the writer."""
    target = tmp_path / "export.md"
    storage.write_atomic(target, b"first")
    assert target.stat().st_mode & 0o777 == 0o666 & ~storage._UMASK
    target.chmod(0o640)
    storage.write_atomic(target, b"second")  # a file replaced keeps its permissions
    assert target.stat().st_mode & 0o777 == 0o640 and target.read_bytes() == b"second"
