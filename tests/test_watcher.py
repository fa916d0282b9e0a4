"""The library folder watched: what another program writes there shows up on its own."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import reader.library.library as library_module
from reader import storage
from reader.core import ReaderCore
from reader.library import ArticleInfo
from reader.library.importing import SUPPORTED_SUFFIXES, is_article_name
from reader.search import Hit
from reader.ui.main_window import MainWindow
from reader.ui.search_panel import HIT_ROLE
from reader.ui.watcher import POLL_FILES, WATCHED_FILES, LibraryWatcher
from tests.conftest import OpenWindow, settle, show

WAIT = 10_000
RIVER = """# River notes

The first paragraph is about the weather over the quay.

The zanzibarine heron stood on one leg beside the ferry.
"""
PASSAGE = "The zanzibarine heron stood on one leg"


def listed(window: MainWindow) -> dict[str, ArticleInfo]:
    """The articles in the list, by the path of their file."""
    return {a.source: a for a in window.library_panel.model.articles()}


def wait_listed(qtbot: QtBot, window: MainWindow, path: Path) -> ArticleInfo:
    qtbot.waitUntil(lambda: str(path) in listed(window), timeout=WAIT)
    settle(qtbot, window)
    return listed(window)[str(path)]


def hits(window: MainWindow) -> list[str]:
    results = window.search_panel.results
    found = (results.row_index(n).data(HIT_ROLE) for n in range(results.count()))
    return [hit.article_id for hit in found if isinstance(hit, Hit)]


def search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.commands.search.trigger()
    with qtbot.waitSignal(window.search_finished, timeout=WAIT):
        qtbot.keyClicks(window.search_panel.field, text)


# --- the window ----------------------------------------------------------------


def test_a_file_written_from_outside_is_listed_and_found(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir, wait_for_index=True)
    search(qtbot, window, "zanzibarine")
    assert hits(window) == []
    path = data_dir / "library" / "river.md"
    path.write_text(RIVER, encoding="utf-8")  # as another program would
    info = wait_listed(qtbot, window, path)
    assert info.title == "River notes"
    # The search asked before is answered again once the index holds the file.
    qtbot.waitUntil(lambda: hits(window) == [info.id], timeout=WAIT)
    assert window.status_label.text().startswith("Library updated: 1 added")


def test_an_edited_file_is_shown_again_and_its_bookmark_follows(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    path = data_dir / "library" / "river.md"
    path.write_text(RIVER, encoding="utf-8")
    article_id = wait_listed(qtbot, window, path).id
    show(qtbot, window, article_id)
    mark = core.add_bookmark_quote(article_id, PASSAGE, note="heron")
    window.refresh_bookmarks()
    settle(qtbot, window)

    # Written over in place: the folder does not tell of it, the file does.
    inserted = "A new paragraph, put in before the others, moves every passage after it.\n\n"
    path.write_text(RIVER.replace("The first", inserted + "The first"), encoding="utf-8")
    page = window.view
    qtbot.waitUntil(
        lambda: page.page is not None and "new paragraph" in page.page.text, timeout=WAIT
    )
    settle(qtbot, window)
    assert page.page is not None and page.page.id == article_id
    text = page.page.text
    (moved,) = window.bookmarks_panel.items()
    assert moved.id == mark.id and not moved.detached
    assert moved.start == text.index(PASSAGE) > mark.start
    assert text[moved.start : moved.end] == PASSAGE
    assert any(s.cursor.selectedText() == PASSAGE for s in page.extraSelections())


def test_a_removed_file_leaves_the_list_and_its_bookmark_is_detached(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    path = data_dir / "library" / "river.md"
    path.write_text(RIVER, encoding="utf-8")
    article_id = wait_listed(qtbot, window, path).id
    core.add_bookmark_quote(article_id, PASSAGE)
    window.refresh_bookmarks()
    settle(qtbot, window)
    assert [b.detached for b in window.bookmarks_panel.items()] == [False]

    path.unlink()
    qtbot.waitUntil(lambda: str(path) not in listed(window), timeout=WAIT)
    qtbot.waitUntil(
        lambda: [b.detached for b in window.bookmarks_panel.items()] == [True], timeout=WAIT
    )
    assert [b.detached for b in core.bookmarks()] == [True]


def test_files_in_a_new_subfolder_are_noticed_and_leave_with_it(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    folder = data_dir / "library" / "trips" / "north"
    folder.mkdir(parents=True)
    path = folder / "river.md"
    path.write_text(RIVER, encoding="utf-8")
    wait_listed(qtbot, window, path)
    # A file added later in the new folder: it is watched now too.
    later = folder / "later.md"
    later.write_text("# Later\n\nWritten once the folder was watched.\n", encoding="utf-8")
    wait_listed(qtbot, window, later)

    shutil.rmtree(data_dir / "library" / "trips")
    qtbot.waitUntil(
        lambda: not {str(path), str(later)} & set(listed(window)),
        timeout=WAIT,
    )


def test_an_import_makes_at_most_one_refresh_after_it(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(data_dir)
    source = tmp_path / "to-import"
    source.mkdir()
    for n in range(20):
        (source / f"note-{n:02}.md").write_text(f"# Note {n}\n\nNumber {n}.\n", encoding="utf-8")
    refreshes: list[int] = []
    refresh = ReaderCore.refresh

    def counted(self: ReaderCore, progress: Callable[[int, int], None] | None = None) -> object:
        refreshes.append(1)
        return refresh(self, progress)

    monkeypatch.setattr(ReaderCore, "refresh", counted)
    # The copies land one by one, further apart than the watcher waits before it tells:
    # unheld, each would make a refresh of its own.

    def slow_write_new(path: Path, data: bytes, *, sync: bool = True) -> None:
        time.sleep(0.06)
        storage.write_new(path, data, sync=sync)

    monkeypatch.setattr(library_module, "write_new", slow_write_new)
    window.watcher.settle_ms = 20
    with qtbot.waitSignal(window.import_finished, timeout=60_000):
        window.import_files([source])
    settle(qtbot, window)
    qtbot.wait(1500)  # longer than the watcher waits before it tells
    settle(qtbot, window)
    assert len(refreshes) <= 1
    assert sum(1 for p in listed(window) if Path(p).name.startswith("note-")) == 20


# --- the watcher alone -----------------------------------------------------------


@pytest.fixture
def watched(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., LibraryWatcher]]:
    """Makes a watcher of ``tmp_path / "library"``; every one made stops at the end."""
    made: list[LibraryWatcher] = []

    def make(watched_files: int = WATCHED_FILES, poll_files: int = POLL_FILES) -> LibraryWatcher:
        watcher = LibraryWatcher(watched_files=watched_files, poll_files=poll_files)
        made.append(watcher)
        watcher.start(tmp_path / "library")
        qtbot.waitUntil(lambda: watcher.is_ready, timeout=WAIT)
        return watcher

    (tmp_path / "library").mkdir()
    yield make
    for watcher in made:
        watcher.stop()


def test_an_edit_is_noticed_by_the_poll_when_files_are_not_watched(
    qtbot: QtBot, tmp_path: Path, watched: Callable[..., LibraryWatcher]
) -> None:
    path = tmp_path / "library" / "a.md"
    path.write_text("# A\n\none\n", encoding="utf-8")
    watcher = watched(watched_files=0, poll_files=1)
    assert watcher.polled() == 1
    with qtbot.waitSignal(watcher.changed, timeout=WAIT):
        path.write_text("# A\n\none and two\n", encoding="utf-8")


def test_a_file_put_in_place_of_another_is_watched_in_its_turn(
    qtbot: QtBot, tmp_path: Path, watched: Callable[..., LibraryWatcher]
) -> None:
    path = tmp_path / "library" / "a.md"
    path.write_text("# A\n\none\n", encoding="utf-8")
    watcher = watched()
    assert watcher.polled() == 0
    with qtbot.waitSignal(watcher.changed, timeout=WAIT):
        replacement = path.with_name(".a.md.12345678.tmp")  # an atomic write
        replacement.write_text("# A\n\ntwo\n", encoding="utf-8")
        os.replace(replacement, path)
    with qtbot.waitSignal(watcher.changed, timeout=WAIT):
        path.write_text("# A\n\nthree, written in place\n", encoding="utf-8")


def test_hidden_and_other_files_are_not_told(
    qtbot: QtBot, tmp_path: Path, watched: Callable[..., LibraryWatcher]
) -> None:
    watcher = watched()
    with qtbot.assertNotEmitted(watcher.changed, wait=1500):
        temporary = tmp_path / "library" / ".a.md.abcdefgh.tmp"
        temporary.write_text("half written", encoding="utf-8")
        temporary.unlink()
        (tmp_path / "library" / "picture.png").write_bytes(b"not an article")


def test_changes_while_held_are_told_once_on_release(
    qtbot: QtBot, tmp_path: Path, watched: Callable[..., LibraryWatcher]
) -> None:
    watcher = watched()
    told: list[int] = []
    watcher.changed.connect(lambda: told.append(1))
    watcher.hold()
    for n in range(5):
        (tmp_path / "library" / f"n{n}.md").write_text(f"# {n}\n", encoding="utf-8")
        qtbot.wait(150)
    qtbot.wait(800)
    assert told == []
    watcher.release()
    qtbot.waitUntil(lambda: told == [1], timeout=WAIT)
    qtbot.wait(800)
    assert told == [1]
    # The files made while it was held are known from then on: an edit is told.
    (tmp_path / "library" / "n3.md").write_text("# 3\n\nmore words\n", encoding="utf-8")
    qtbot.waitUntil(lambda: told == [1, 1], timeout=WAIT)


@pytest.mark.parametrize(
    ("name", "read"),
    [("a.md", True), ("A.HTML", True), ("a.txt", True), ("page.htm", True), ("x.y.md", True),
     ("a.meta.json", False), (".a.md", False), (".a.md.abcdefgh.tmp", False), ("a.", False),
     ("a.md.", False), ("noext", False), ("a.png", False), ("a.md.tmp", False)],
)  # fmt: skip
def test_article_names_are_those_a_refresh_reads(name: str, read: bool) -> None:
    assert is_article_name(name) is read
    # The same as Path's reading of a suffix, which the library's listing used before.
    assert read is (Path(name).suffix.lower() in SUPPORTED_SUFFIXES
                    and not name.startswith(".") and not name.endswith(".meta.json"))  # fmt: skip


# The dialog is brought to the front, which the offscreen platform cannot do.
@pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$", extend=True)
def test_a_watched_folder_is_added_from_the_window_and_followed(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, open_window: OpenWindow
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "herons.md").write_text("# Herons\n\nTwo herons by the reeds.\n", encoding="utf-8")
    window = open_window(data_dir)
    window.commands.watched_folders.trigger()
    dialog = window.folders_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.empty.isVisible(), timeout=WAIT)

    dialog.watch_requested.emit(folder)  # as the folder chooser would
    info = wait_listed(qtbot, window, folder / "herons.md")
    assert info.title == "Herons"
    assert not any((data_dir / "library").iterdir())  # read where it is, not copied
    qtbot.waitUntil(lambda: dialog.list.count() == 1 and dialog.isEnabled(), timeout=WAIT)
    assert dialog.list.item(0).text() == str(folder)
    assert str(folder) in window.watcher.roots

    # Written by another program into the watched folder: listed and found.
    path = folder / "river.md"
    path.write_text(RIVER, encoding="utf-8")
    river = wait_listed(qtbot, window, path)
    search(qtbot, window, "zanzibarine")
    qtbot.waitUntil(lambda: hits(window) == [river.id], timeout=WAIT)

    dialog.list.setCurrentRow(0)
    dialog.stop_button.click()
    qtbot.waitUntil(lambda: path.as_posix() not in {a.source for a in listed(window).values()},
                    timeout=WAIT)  # fmt: skip
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=WAIT)
    assert path.is_file()  # its files stay where they are
    settle(qtbot, window)
    assert window.watcher.roots == [str(data_dir / "library")]


@pytest.mark.parametrize("added", [False, True], ids=["edited", "added"])
def test_what_changes_while_the_first_look_is_out_is_told(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, added: bool
) -> None:
    """The first look runs in a thread: a file added, and one edited, after it listed
    the folder and before it landed, are told all the same."""
    import reader.ui.watcher as watcher_module

    library = tmp_path / "library"
    below = library / "below"  # not watched until the look lands, unlike the library folder
    below.mkdir(parents=True)
    edited = below / "a.md"
    edited.write_text("# A\n\none\n", encoding="utf-8")
    first_look = watcher_module._first_look

    def look_then_change(roots: list[str]) -> dict[str, object]:
        seen = first_look(roots)
        time.sleep(0.05)  # a later modification time than the listing's
        edited.write_text("# A\n\none and two\n", encoding="utf-8")
        if added:
            (below / "b.md").write_text("# B\n", encoding="utf-8")
        return seen  # type: ignore[return-value]

    monkeypatch.setattr(watcher_module, "_first_look", look_then_change)
    watcher = LibraryWatcher(settle_ms=50)
    try:
        with qtbot.waitSignal(watcher.changed, timeout=WAIT):
            watcher.start(library)
        assert watcher.is_ready
        with qtbot.waitSignal(watcher.changed, timeout=WAIT):  # and it goes on watching
            (below / "c.md").write_text("# C\n", encoding="utf-8")
    finally:
        watcher.stop()


def test_a_first_look_of_an_earlier_start_is_dropped(qtbot: QtBot, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        (folder / f"{folder.name}.md").write_text("# A\n", encoding="utf-8")
    watcher = LibraryWatcher()
    try:
        watcher.start(first)
        watcher.start(second)  # before the first look of ``first`` landed
        qtbot.waitUntil(lambda: watcher.is_ready, timeout=WAIT)
        qtbot.wait(200)  # the first turn's look, if late, lands and is dropped
        assert watcher.folders() == [os.path.normpath(second)]
    finally:
        watcher.stop()
