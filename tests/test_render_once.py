"""An article is rendered once, when its file is converted: opening it renders nothing."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from reader.core import ReaderCore
from reader.rendering import render
from tests.conftest import SEEDS


def test_opening_an_article_shows_what_was_made_at_conversion(
    core: ReaderCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = core.articles()[0]
    fresh = render(core.article(article.id).markdown)

    def refused(_markdown: str) -> None:
        raise AssertionError("rendered again at opening")

    monkeypatch.setattr("reader.library.articles.render", refused)
    page = core.open_article(article.id)
    assert page.html == fresh.html
    assert page.outline == fresh.outline and page.outline
    assert page.text == fresh.text


def test_a_row_from_before_the_html_was_kept_is_rendered_at_opening(data_dir: Path) -> None:
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    article = core.articles()[0]
    made = core.open_article(article.id)
    core.close()
    with contextlib.closing(sqlite3.connect(data_dir / "catalog.sqlite3")) as db:
        db.execute("UPDATE articles SET html = x'', outline = ''")
        db.commit()
    again = ReaderCore(data_dir, SEEDS)
    page = again.open_article(article.id)
    assert (page.html, page.outline, page.text) == (made.html, made.outline, made.text)
    again.close()
