from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from reader.core import ReaderCore
from reader.library import Library
from reader.paths import bundled_articles_dir

SEEDS = bundled_articles_dir()


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
def core(data_dir: Path) -> Iterator[ReaderCore]:
    c = ReaderCore(data_dir, SEEDS)
    c.refresh()
    yield c
    c.close()
