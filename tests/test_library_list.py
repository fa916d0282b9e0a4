"""The library list as a reader sees it: row heights, columns, sorting, the empty list, size."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from reader.library import ArticleInfo
from reader.ui.library_panel import ID_ROLE, NO_ARTICLES, NO_MATCH, LibraryModel, LibraryPanel
from tests.conftest import OpenWindow

LONG = (
    "Why the night ferry was cancelled, and what the council plans to do about the "
    "long winter timetable that leaves the island without a crossing after dark"
)


def info(article_id: str, title: str, **values: object) -> ArticleInfo:
    fields: dict[str, object] = {
        "source": f"/library/{article_id}.md", "origin": "user", "content_hash": "",
        "text_hash": "", "words": 1000, "mtime_ns": 0, "size": 0, "added_at": time.time(),
    }  # fmt: skip
    fields.update(values)
    return ArticleInfo(id=article_id, title=title, **fields)  # type: ignore[arg-type]


def panel_with(qtbot: QtBot, articles: list[ArticleInfo], width: int = 340) -> LibraryPanel:
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.resize(width, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_articles(articles)
    return panel


def shown_ids(panel: LibraryPanel) -> list[str]:
    return [panel.proxy.index(r, 0).data(ID_ROLE) for r in range(panel.proxy.rowCount())]


def row_height(panel: LibraryPanel, article_id: str) -> int:
    row = panel.model.row_of(article_id)
    return panel.view.visualRect(panel.proxy.mapFromSource(panel.model.index(row, 0))).height()


def test_a_short_title_takes_one_line_and_a_long_one_more(qtbot: QtBot) -> None:
    panel = panel_with(qtbot, [info("short", "Tides"), info("long", LONG)])
    line = panel.view.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: row_height(panel, "short") > 0)
    short = row_height(panel, "short")
    assert line <= short < 2 * line
    long = row_height(panel, "long")
    assert long >= short + line  # two lines or three
    assert long < short + 3 * line  # never more than three
    # A wider column gives the long title fewer lines.
    panel.resize(2400, 600)
    qtbot.waitUntil(lambda: row_height(panel, "long") < long)
    assert row_height(panel, "long") == short


def test_source_and_added_show_what_the_article_holds(qtbot: QtBot) -> None:
    today = datetime.now().replace(hour=12, minute=0)
    articles = [
        info("site", "A", site="The Coastal Gazette", author="Ines Varga", added_at=time.time()),
        info("author", "B", author="Tom Ek", added_at=(today - timedelta(days=1)).timestamp()),
        info("neither", "C", origin="bundled", added_at=datetime(2021, 3, 5, 12).timestamp()),
    ]
    panel = panel_with(qtbot, articles)
    model = panel.model
    source = LibraryModel.COLUMNS.index("Source")
    added = LibraryModel.COLUMNS.index("Added")
    cells = {
        model.index(r, 0).data(ID_ROLE): (
            model.index(r, source).data(),
            model.index(r, added).data(),
        )
        for r in range(model.rowCount())
    }
    assert cells == {
        "site": ("The Coastal Gazette", "Today"),
        "author": ("Tom Ek", "Yesterday"),
        "neither": ("", "5 Mar 2021"),
    }
    tip = model.index(model.row_of("site"), 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Ines Varga · The Coastal Gazette" in tip


def test_the_list_shows_title_time_and_read_and_the_user_picks_more(qtbot: QtBot) -> None:
    panel = panel_with(qtbot, [info("a", "A")])
    assert panel.shown_columns() == ["Title", "Time", "Read"]
    panel.show_columns(["Source", "Added", "Read"])
    assert panel.shown_columns() == ["Title", "Source", "Added", "Read"]


def test_each_column_sorts_the_rows_both_ways(qtbot: QtBot) -> None:
    day = 86400.0
    now = time.time()
    articles = [
        info("b", "beta", words=300, progress=1.0, site="Nature Notes", added_at=now - 3 * day,
             tags=("birds",)),
        info("a", "Alpha", words=9000, progress=0.0, author="Zed", added_at=now - day,
             tags=("zoology",)),
        info("c", "gamma", words=50, progress=0.4, site="Atlas", added_at=now - 9 * day),
    ]  # fmt: skip
    panel = panel_with(qtbot, articles)
    expected = {
        "Title": ["a", "b", "c"],
        "Words": ["c", "b", "a"],
        "Time": ["c", "b", "a"],
        "Read": ["a", "c", "b"],
        "Source": ["c", "b", "a"],
        "Added": ["c", "b", "a"],
        "Tags": ["b", "a", "c"],  # tagged articles first
    }
    panel.select("b")
    for column, name in enumerate(LibraryModel.COLUMNS):
        panel.view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        assert shown_ids(panel) == expected[name], name
        panel.view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        assert shown_ids(panel) == expected[name][::-1], name
        assert panel.current_id() == "b"  # the selection moves with its row
    panel.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert shown_ids(panel) == ["b", "a", "c"]  # the library's own order


def test_a_row_read_further_moves_when_the_list_is_sorted_by_read(qtbot: QtBot) -> None:
    panel = panel_with(qtbot, [info("a", "A"), info("b", "B")])
    panel.model.set_progress("b", 0.5)  # read while the list is in the library's order
    read = LibraryModel.COLUMNS.index("Read")
    assert panel.model.index(panel.model.row_of("b"), read).data() == "50%"
    panel.view.sortByColumn(LibraryModel.COLUMNS.index("Read"), Qt.SortOrder.DescendingOrder)
    assert shown_ids(panel) == ["b", "a"]
    panel.model.set_progress("a", 1.0)
    assert shown_ids(panel) == ["a", "b"]


def test_a_filter_that_hides_every_row_says_so(qtbot: QtBot) -> None:
    articles = [info("a", "Harbour ferry returns"), info("b", "Bread", site="Kitchen Notes")]
    panel = panel_with(qtbot, articles)
    assert panel.empty_message() == ""
    qtbot.keyClicks(panel.filter_edit, "zzz")
    assert panel.proxy.rowCount() == 0
    assert panel.empty_message() == NO_MATCH == "No articles match"
    assert panel.empty_label.isVisible()
    panel.filter_edit.clear()
    assert panel.proxy.rowCount() == 2
    assert panel.empty_message() == "" and not panel.empty_label.isVisible()
    qtbot.keyClicks(panel.filter_edit, "kitchen")  # a site is looked in too
    assert shown_ids(panel) == ["b"]


def test_an_empty_library_says_so_once_it_is_listed(qtbot: QtBot) -> None:
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    assert panel.empty_message() == ""  # not listed yet: nothing to say
    panel.set_articles([])
    assert panel.empty_message() == NO_ARTICLES


def test_ten_thousand_rows_are_all_reachable(qtbot: QtBot) -> None:
    articles = [
        info(f"n{k}", f"Article {k}: " + "long title words " * (k % 7), words=100 + k)
        for k in range(10_000)
    ]
    panel = panel_with(qtbot, articles)
    assert panel.model.rowCount() == panel.proxy.rowCount() == 10_000
    panel.view.setFocus()
    panel.select("n0")
    qtbot.keyClick(panel.view, Qt.Key.Key_End)
    assert panel.current_id() == "n9999"
    rect = panel.view.visualRect(panel.view.currentIndex())
    assert panel.view.viewport().rect().intersects(rect)
    panel.select("n5000")
    assert panel.view.viewport().rect().intersects(panel.view.visualRect(panel.view.currentIndex()))
    panel.view.sortByColumn(LibraryModel.COLUMNS.index("Words"), Qt.SortOrder.DescendingOrder)
    assert panel.first_id() == "n9999" and panel.current_id() == "n5000"
    panel.filter_edit.setText("Article 9998:")
    assert shown_ids(panel) == ["n9998"]


def test_the_columns_chosen_are_kept_across_restarts(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    assert window.library_panel.shown_columns() == ["Title", "Time", "Read"]
    window.library_panel.show_columns(["Title", "Added", "Words"])
    window.library_panel.columns_changed.emit()  # as the header's menu does
    window.close()
    again = open_window(data_dir)
    assert again.library_panel.shown_columns() == ["Title", "Added", "Words"]


def test_a_list_reloaded_under_a_filter_keeps_the_filter(qtbot: QtBot) -> None:
    harbour, marsh = info("harbour", "Harbour notes"), info("marsh", "Marsh notes")
    panel = panel_with(qtbot, [harbour, marsh])
    panel.filter_edit.setText("harbour")
    assert panel.select("harbour")
    # The open article is retitled on disk and the list is loaded again (the watcher):
    panel.set_articles([info("harbour", "Quay log"), marsh])
    assert panel.filter_edit.text() == "harbour" and shown_ids(panel) == []
    assert panel.empty_message() == NO_MATCH
