"""The library list as a reader sees it: row heights, columns, sorting, the empty list, size."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from reader.library import ArticleInfo
from reader.ui.library_panel import (
    ID_ROLE,
    NO_ARTICLES,
    NO_MATCH,
    READ,
    LibraryModel,
    LibraryPanel,
)
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
    """The articles the filter keeps, in the order shown."""
    return [panel.model.article(r).id for r in range(panel.model.shown_count())]


def told_ids(panel: LibraryPanel) -> list[str]:
    """The articles of the rows the view has been told of, read through the view's model."""
    model = panel.view.model()
    return [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())]


def row_height(panel: LibraryPanel, article_id: str) -> int:
    return panel.view.visualRect(panel.index_of(article_id)).height()


def in_view(panel: LibraryPanel, article_id: str) -> bool:
    rect = panel.view.visualRect(panel.index_of(article_id))
    return rect.isValid() and panel.view.viewport().rect().intersects(rect)


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
    assert panel.model.shown_count() == 0 and told_ids(panel) == []
    assert panel.empty_message() == NO_MATCH == "No articles match"
    assert panel.empty_label.isVisible()
    panel.filter_edit.clear()
    assert shown_ids(panel) == told_ids(panel) == ["a", "b"]
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
    assert panel.model.article_count() == panel.model.shown_count() == 10_000
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


# --- a large list: the view is told of its rows a batch at a time ---------------------

LARGE = 20_000


def large_list() -> list[ArticleInfo]:
    """Twenty thousand articles: every third tagged "ferries", every fifth about a harbour,
    their lengths in no order (and some alike)."""
    return [
        info(f"n{k}", f"Article {k}: {'harbour ' if k % 5 == 0 else ''}notes",
             words=100 + (k * 7919) % 5000, tags=("ferries",) if k % 3 == 0 else ())
        for k in range(LARGE)
    ]  # fmt: skip


def test_the_lazy_model_shows_every_row(qtbot: QtBot) -> None:
    articles = large_list()
    ids = [a.id for a in articles]
    panel = panel_with(qtbot, articles)
    model = panel.model
    assert model.article_count() == model.shown_count() == LARGE
    assert 0 < model.rowCount() < LARGE  # the view is told of a first batch
    assert told_ids(panel) == ids[: model.rowCount()]

    # Dragged to the end of the scroll bar, again and again: more rows each time, to the last.
    bar = panel.view.verticalScrollBar()

    def drag_to_the_end() -> None:
        told = model.rowCount()
        qtbot.waitUntil(lambda: bar.value() < bar.maximum())  # laid out: more to scroll to
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda: model.rowCount() > told)

    while model.rowCount() < LARGE:
        drag_to_the_end()
    assert told_ids(panel) == ids  # every article is a row of the view, in order
    qtbot.waitUntil(lambda: bar.value() < bar.maximum())
    bar.setValue(bar.maximum())
    assert in_view(panel, ids[-1])

    # Page Down goes on past the first batch, as the rows come.
    panel.set_articles(articles)
    panel.view.setFocus()
    panel.select(ids[0])
    first_batch = model.rowCount()
    for _ in range(first_batch):
        qtbot.keyClick(panel.view, Qt.Key.Key_PageDown)
        qtbot.wait(1)
        if model.row_of(panel.current_id() or "") > first_batch:
            break
    assert model.row_of(panel.current_id() or "") > first_batch
    assert in_view(panel, panel.current_id() or "")

    # End goes to the last article, from a list told of its first batch only.
    panel.set_articles(articles)
    panel.select(ids[1])
    assert model.rowCount() < LARGE
    with qtbot.waitSignal(panel.article_selected) as chosen:
        qtbot.keyClick(panel.view, Qt.Key.Key_End)
    assert chosen.args == [ids[-1]] and panel.current_id() == ids[-1]
    assert in_view(panel, ids[-1])
    assert told_ids(panel) == ids
    qtbot.keyClick(panel.view, Qt.Key.Key_Home)
    assert panel.current_id() == ids[0] and in_view(panel, ids[0])


def test_selecting_the_last_article_of_a_large_list_makes_it_current_and_visible(
    qtbot: QtBot,
) -> None:
    panel = panel_with(qtbot, large_list())
    # As at launch: the article last read, at the end of the list, is selected.
    with qtbot.waitSignal(panel.article_selected) as chosen:
        assert panel.select("n19999")
    assert chosen.args == ["n19999"]
    assert panel.current_id() == "n19999" and in_view(panel, "n19999")
    selected = panel.view.selectionModel().selectedRows()
    assert [i.data(ID_ROLE) for i in selected] == ["n19999"]
    # Back to one in the middle, and to the first: each current, in view, alone selected.
    for article_id in ("n10000", "n0", "n19998"):
        assert panel.select(article_id)
        assert panel.current_id() == article_id and in_view(panel, article_id)
        selected = panel.view.selectionModel().selectedRows()
        assert [i.data(ID_ROLE) for i in selected] == [article_id]
    assert panel.neighbour_id("n19998") == "n19999"
    assert panel.neighbour_id("n19999") == "n19998"


def test_filtering_and_sorting_a_large_list_keep_the_right_rows_order_and_selection(
    qtbot: QtBot,
) -> None:
    articles = large_list()
    panel = panel_with(qtbot, articles)
    panel.select("n15000")  # tagged, and about a harbour
    opened: list[str] = []
    panel.article_selected.connect(opened.append)

    def prefix_told() -> bool:  # the view's rows are the first of the rows shown, in order
        return told_ids(panel) == shown_ids(panel)[: panel.model.rowCount()]

    panel.filter_edit.setText("tag:ferries HARBOUR")
    kept = [a for a in articles if "ferries" in a.tags and "harbour" in a.title]
    assert shown_ids(panel) == [a.id for a in kept] and prefix_told()
    assert panel.current_id() == "n15000" and in_view(panel, "n15000")

    words = LibraryModel.COLUMNS.index("Words")
    panel.view.sortByColumn(words, Qt.SortOrder.DescendingOrder)
    by_words = sorted(kept, key=lambda a: a.words, reverse=True)  # ties in the library's order
    assert shown_ids(panel) == [a.id for a in by_words] and prefix_told()
    assert panel.current_id() == "n15000" and in_view(panel, "n15000")

    panel.filter_edit.clear()
    every = sorted(articles, key=lambda a: a.words, reverse=True)
    assert shown_ids(panel) == [a.id for a in every] and prefix_told()
    assert panel.current_id() == "n15000" and in_view(panel, "n15000")

    panel.filter_edit.setText("article 1999")  # n1999 and n19990 to n19999
    assert set(shown_ids(panel)) == {"n1999", *(f"n{k}" for k in range(19990, 20000))}
    assert shown_ids(panel) == [a.id for a in every if a.id in set(shown_ids(panel))]

    panel.filter_edit.clear()
    panel.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert shown_ids(panel) == [a.id for a in articles] and prefix_told()
    assert panel.current_id() == "n15000" and in_view(panel, "n15000")
    assert opened == []  # the article stayed the one chosen: no other was opened


def test_a_filter_that_hides_the_current_article_and_is_then_cleared_shows_it_again(
    qtbot: QtBot,
) -> None:
    articles = large_list()
    panel = panel_with(qtbot, articles)
    panel.select("n19001")  # not tagged
    opened: list[str] = []
    panel.article_selected.connect(opened.append)

    panel.filter_edit.setText("tag:ferries")
    assert shown_ids(panel) == [f"n{k}" for k in range(0, LARGE, 3)]
    assert not panel.row_shown("n19001") and not panel.view.currentIndex().isValid()
    assert panel.current_id() == "n19001"  # still the one chosen, though its row is hidden
    panel.filter_edit.setText("tag:ferries harbour")  # typed on: still hidden
    panel.set_articles(articles)  # and the list loaded again meanwhile
    assert panel.current_id() == "n19001" and not panel.view.currentIndex().isValid()

    panel.filter_edit.clear()
    assert panel.current_id() == "n19001" and in_view(panel, "n19001")
    selected = panel.view.selectionModel().selectedRows()
    assert [i.data(ID_ROLE) for i in selected] == ["n19001"]
    assert opened == []  # it stayed open: no other article was opened, nor it again

    # One chosen while the filter hides the first is the one kept.
    panel.filter_edit.setText("harbour")
    assert not panel.view.currentIndex().isValid()
    assert panel.select("n15")
    panel.filter_edit.clear()
    assert panel.current_id() == "n15" and opened == ["n15"]


class Painted(QObject):
    """Counts the paint events of a widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_how_far_an_article_is_read_shows_in_its_row_wherever_the_list_is(
    qtbot: QtBot,
) -> None:
    panel = panel_with(qtbot, large_list())
    assert panel.select("n19999")  # the list at its end, as after opening the last article
    read = panel.model.index(panel.model.row_of("n19999"), READ)
    qtbot.wait(50)  # the list painted
    painted = Painted(panel.view.viewport())
    panel.model.set_progress("n19999", 0.5)  # in view: drawn again
    qtbot.waitUntil(lambda: painted.count > 0, timeout=3000)
    assert read.data() == "50%"
    panel.model.set_progress("n0", 0.25)  # far above the rows shown
    assert panel.select("n0")
    assert panel.model.index(panel.model.row_of("n0"), READ).data() == "25%"
