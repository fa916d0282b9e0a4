"""Fixtures shared by the tests: data folders, a library, a core, and windows."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from reader.core import ReaderCore
from reader.library.library import Library
from reader.paths import bundled_articles_dir
from reader.search import SearchIndex, index_path, sync_index
from reader.ui.app import build_window
from reader.ui.main_window import MainWindow

SEEDS = bundled_articles_dir()

OpenWindow = Callable[..., MainWindow]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def library(data_dir: Path) -> Iterator[Library]:
    lib = Library(data_dir, SEEDS)
    lib.refresh()
    yield lib
    lib.close()


@pytest.fixture
def empty_library(data_dir: Path) -> Iterator[Library]:
    lib = Library(data_dir, None)
    lib.refresh()
    yield lib
    lib.close()


@pytest.fixture
def index(library: Library) -> Iterator[SearchIndex]:
    """The search index of the bundled library."""
    ix = SearchIndex(index_path(library.data_dir))
    sync_index(ix, library)
    yield ix
    ix.close()


@pytest.fixture
def core(data_dir: Path) -> Iterator[ReaderCore]:
    c = ReaderCore(data_dir, SEEDS)
    c.refresh()
    yield c
    c.close()


def settle(qtbot: QtBot, window: MainWindow, timeout: int = 20_000) -> None:
    """Wait until every operation the window started has been answered."""
    qtbot.waitUntil(lambda: not window.ops.busy(), timeout=timeout)


def show(qtbot: QtBot, window: MainWindow, article_id: str) -> None:
    """Open an article and wait until it is shown."""
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        window.open_article(article_id)
    settle(qtbot, window)


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[OpenWindow]:
    """Opens the window on a data dir and waits for its library (or its index).

    Every window opened is closed at the end of the test, so its background
    work ends with the test.
    """
    opened: list[MainWindow] = []

    def open_(
        data_dir: Path,
        wait_for_index: bool = False,
        timeout: int = 20_000,
        before_load: Callable[[MainWindow], None] | None = None,
    ) -> MainWindow:
        window = build_window(data_dir)
        opened.append(window)
        window.show()
        # No window manager runs on Xvfb: activate the window, or its shortcuts never fire.
        with qtbot.waitActive(window):
            window.activateWindow()
        if before_load is not None:
            before_load(window)
        signal = window.index_ready if wait_for_index else window.library_loaded
        with qtbot.waitSignal(signal, timeout=timeout):
            window.load_library()
        settle(qtbot, window, timeout)
        return window

    yield open_
    while opened:
        window = opened.pop()
        window.close()
        window.shutdown()
        window.deleteLater()
