"""An article is rendered once, when its file is converted: opening it renders nothing."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

import reader.rendering as rendering
from reader.core import Page, ReaderCore
from reader.rendering import Rendered, render
from reader.ui.article_view import ArticleView, PageDocument, prepare_document
from reader.ui.main_window import MainWindow
from tests.conftest import SEEDS, OpenWindow, show


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


PIECES = [
    "# Harbour\n",
    "## Harbour\n",  # the same heading again: its id depends on what came before in this text only
    "Plain words with *emphasis* and `code`.\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "```python\nprint('ferry')\n```\n",
    "1. one\n2. two\n   - deeper\n",
    "> a quote\n> with two lines\n",
    "<div><span>raw html</span></div>\n",
    "A [link](https://example.org) and ![an image](ferry.png).\n",
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
)
def test_an_article_renders_the_same_whatever_was_rendered_before(
    before: list[str], article: list[str]
) -> None:
    """The converter is kept and reset between articles: nothing of one reaches the next."""
    text = "\n".join(article)
    render("\n".join(before))
    after_another = render(text)
    with_a_new_converter = _fresh_render(text)
    assert after_another.html == with_a_new_converter.html
    assert after_another.outline == with_a_new_converter.outline


def _fresh_render(text: str) -> Rendered:
    rendering._converters.md = None  # the next render makes a converter anew
    return render(text)


# --- the window: the document made off the UI thread is the one shown ----------


LONG = "the-role-of-the-backend"  # a bundled article with section headings


def test_an_opened_article_shows_the_document_made_off_the_ui_thread(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, "backend-developer")

    def parsed_here(_view: ArticleView, _html: str) -> None:
        raise AssertionError("the page was parsed on the UI thread")

    monkeypatch.setattr(ArticleView, "setHtml", parsed_here)
    show(qtbot, window, LONG)
    doc = window.view.document()
    assert isinstance(doc, PageDocument) and doc.page is not None and doc.page.id == LONG
    assert doc.thread() is window.thread()
    page = window.view.page
    assert page is not None and doc.toPlainText() == page.text  # one text, one map
    monkeypatch.undo()
    # Made in another look (the theme changed before it landed), it is not used.
    look = window.view.look()
    prepared = prepare_document(page, look, window.thread())
    window.apply_theme_choice("dark")
    window.view.show_page(page, prepared)
    assert window.view.document() is not prepared.document
    assert window.view.look().css in window.view.document().defaultStyleSheet()


@pytest.fixture
def long_page(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> tuple[MainWindow, Page]:
    """A window showing the long bundled article, and its page."""
    window = open_window(data_dir)
    window.resize(900, 500)
    show(qtbot, window, LONG)
    page = window.view.page
    assert page is not None
    return window, page


def test_the_line_at_the_top_is_found_while_the_page_is_still_being_laid_out(
    long_page: tuple[MainWindow, Page],
) -> None:
    window, page = long_page
    view = window.view
    found, expected = [], []
    for fraction in (0.0, 0.3, 0.6, 0.9):
        target = int(len(page.text) * fraction)
        # Shown anew, with no turn of the event loop: only what is asked for is laid out.
        view.show_page(page, prepare_document(page, view.look(), window.thread()))
        view.scroll_to_top(target)
        found.append(view.top_offset())
        view.document().size()  # laid out whole: Qt's hit test is right from now on
        expected.append(view.offset_at(QPoint(0, 0)))
    assert found == expected
    assert found == sorted(found) and found[-1] > found[0]


def test_how_far_the_page_is_read_is_told_without_laying_it_out_whole(
    long_page: tuple[MainWindow, Page],
) -> None:
    window, page = long_page
    view = window.view
    view.show_page(page, prepare_document(page, view.look(), window.thread()))
    at_top = view.read_fraction()  # the first screen laid out, the rest not yet
    assert 0 < at_top < 0.5
    view.document().size()
    bar = view.verticalScrollBar()
    fractions = []
    for value in (0, bar.maximum() // 2, bar.maximum()):
        bar.setValue(value)
        fractions.append(view.read_fraction())
    assert fractions[0] == at_top and fractions[0] < fractions[1] < fractions[2] == 1.0
