"""The window on a library of thousands of articles."""

from __future__ import annotations

import random
from pathlib import Path

from reader.library.library import Library
from tests.conftest import OpenWindow

WORDS = [
    "river",
    "mountain",
    "reading",
    "quiet",
    "paper",
    "light",
    "window",
    "garden",
    "stone",
    "letter",
    "harbour",
]


def write_library(data_dir: Path, count: int) -> None:
    folder = data_dir / "library"
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(count)
    for n in range(count):
        paragraphs = (
            " ".join(rnd.choice(WORDS) for _ in range(30)).capitalize() + "." for _ in range(2)
        )
        text = f"# Article {n}: {rnd.choice(WORDS)} notes\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"article-{n:05}.md").write_text(text, encoding="utf-8")


def test_window_starts_on_five_thousand_new_articles(
    data_dir: Path, open_window: OpenWindow
) -> None:
    # Every file is new, so the startup refresh walks all 5,000 with progress.
    write_library(data_dir, 5000)
    window = open_window(data_dir, timeout=180_000)
    assert window.library_panel.model.article_count() == 5005  # with the five bundled ones
    window.library_panel.filter_edit.setText("Article 4999:")
    assert window.library_panel.model.shown_count() == 1
    assert window.view.page is not None


def test_a_catalogued_library_of_five_thousand_lists_at_once(
    data_dir: Path, open_window: OpenWindow
) -> None:
    write_library(data_dir, 5000)
    library = Library(data_dir, None)
    library.refresh()
    library.close()
    window = open_window(data_dir, timeout=180_000)
    assert window.library_panel.model.article_count() == 5005
