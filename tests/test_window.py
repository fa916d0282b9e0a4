from __future__ import annotations

import gc
import sys
import threading
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.paths import default_data_dir
from reader.rendering import render
from reader.ui.article_view import ArticleView, TextMap
from reader.ui.collector import UiThreadCollector
from tests.conftest import OpenWindow, show


def test_five_rows_and_first_article_open(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    assert window.library_panel.model.article_count() == 5
    article = window.view.page
    assert article is not None
    assert article.title.startswith("Empowering National Progress")
    assert window.view.toPlainText() == article.text


def test_selecting_rows_shows_articles(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    view = window.library_panel.view
    view.setFocus()
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert window.view.page is not None
    assert window.view.page.title == "Why Back-End Developers Remain Irreplaceable"
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_End)
    assert window.view.page.title.startswith("Backend Developer: The Unseen Architect")
    assert "Backend Developer: The Unseen Architect" in window.windowTitle()


def test_filter_narrows_the_list(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    qtbot.keyClicks(window.library_panel.filter_edit, "hidden")
    assert window.library_panel.model.shown_count() == 1


def test_state_is_restored_after_restart(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    window.resize(760, 560)
    window.splitter.setSizes([240, 520])
    show(qtbot, window, "the-role-of-the-backend")
    sizes = window.splitter.sizes()
    window.close()

    again = open_window(data_dir)
    assert again.view.page is not None
    assert again.view.page.id == "the-role-of-the-backend"
    assert again.size().width() == 760 and again.size().height() == 560
    assert again.splitter.sizes() == sizes


def test_every_seed_shows_exactly_the_core_text(qtbot: QtBot, core: ReaderCore) -> None:
    view = ArticleView()
    qtbot.addWidget(view)
    for info in core.articles():
        page = core.open_article(info.id)
        view.show_page(page)
        assert view.toPlainText() == page.text


RICH = """# Title *with* emphasis

A paragraph with `code`, **bold** and a [link](http://example.invalid).
Second line   of it &amp; an entity &lt;tag&gt;.

- one
- two
    - nested
1. first
2. second

> A quote.
>
> Its second paragraph.

```python
def f(x):

    return x  # comment
```

| a | b |
|---|---|
| 1 |   |

---

Hard break<br>
then emoji 🚀 and more.
"""


def test_rich_markdown_text_matches_qt(qtbot: QtBot) -> None:
    view = ArticleView()
    qtbot.addWidget(view)
    rendered = render(RICH)
    view.setHtml(rendered.html)
    assert view.toPlainText() == rendered.text


def test_offsets_map_across_wide_characters(qtbot: QtBot) -> None:
    text = "a🚀b😀c"
    mapping = TextMap(text)
    assert [mapping.to_qt(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert [mapping.from_qt(mapping.to_qt(i)) for i in range(len(text) + 1)] == list(range(6))


def test_default_data_dir_is_qts_app_data_location(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    old_name, old_org = app.applicationName(), app.organizationName()
    app.setApplicationName("reader")
    app.setOrganizationName("")
    try:
        location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    finally:
        app.setApplicationName(old_name)
        app.setOrganizationName(old_org)
    assert Path(location) == default_data_dir()


@pytest.mark.parametrize("theme", ["sepia", "dark"])
def test_theme_choice_persists(
    qtbot: QtBot, data_dir: Path, theme: str, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    action = next(a for a in window.commands.themes.actions() if a.data() == theme)
    action.trigger()
    window.close()
    again = open_window(data_dir)
    assert again.view.theme.name == theme


def test_text_map_carries_offsets_across_a_differing_document() -> None:
    core = "alpha\nbeta gamma\ndelta"
    shown = "alpha\n\nbeta gamma\ndelta"  # a stray empty block after the first line
    mapping = TextMap(core, shown)
    start = core.index("gamma")
    assert shown[mapping.to_qt(start) : mapping.to_qt(start + 5)] == "gamma"
    assert mapping.from_qt(shown.index("delta")) == core.index("delta")


def test_garbage_is_collected_on_the_ui_thread_while_a_window_is_open(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    assert not gc.isenabled()  # no worker thread collects a cycle holding a Qt object
    collected_on: list[str] = []

    class Cycle(QObject):
        def __del__(self) -> None:
            collected_on.append(threading.current_thread().name)

    cycle = Cycle()
    cycle.me = cycle  # type: ignore[attr-defined]
    gone = weakref.ref(cycle)
    del cycle
    junk = [[n] for n in range(5000)]  # past the youngest generation's threshold
    qtbot.waitUntil(lambda: gone() is None, timeout=5000)
    del junk
    assert collected_on == [threading.main_thread().name]
    window.close()
    window.shutdown()
    assert gc.isenabled()


def test_the_oldest_objects_are_walked_again_only_once_memory_has_grown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As Python itself does: with little new since the last full collection, the
    middle generation is collected instead (a full one walks every object in a large
    library, on the UI thread)."""
    collected: list[int] = []
    blocks = [1_000_000]

    def collect(generation: int = 2) -> int:
        collected.append(generation)
        return 0

    monkeypatch.setattr(gc, "get_count", lambda: (0, 0, 11))
    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(sys, "getallocatedblocks", lambda: blocks[0])
    monkeypatch.setattr(UiThreadCollector, "_blocks", 0)
    collector = UiThreadCollector()
    collector.collect()  # the first: a full collection, and memory in use noted
    blocks[0] = 1_100_000  # a tenth more
    collector.collect()
    blocks[0] = 1_300_000  # three tenths more than after the full collection
    collector.collect()
    assert collected == [2, 1, 2]
