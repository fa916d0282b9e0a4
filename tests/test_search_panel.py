from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, Qt
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.search import ARTICLE, BOOKMARK, Hit, SearchResults, Snippet
from reader.ui.main_window import MainWindow
from reader.ui.search_panel import DEBOUNCE_MS, HIT_ROLE, RECENT_ROLE, SearchPanel
from reader.ui.settings import WindowSettings
from reader.ui.themes import THEMES
from tests.conftest import OpenWindow, settle, show

DISPLAY = Qt.ItemDataRole.DisplayRole


def ready_window(open_window: OpenWindow, data_dir: Path) -> MainWindow:
    return open_window(data_dir, wait_for_index=True)


def type_query(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.commands.search.trigger()
    assert window.sidebar.currentWidget() is window.search_panel
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_panel.field, text)


def test_typing_shows_hits_with_highlighted_snippets(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    type_query(qtbot, window, "estonia")
    qtbot.waitUntil(lambda: window.search_panel.results.count() == 1)
    results = window.search_panel.results
    row = results.row_index(0)
    hit = row.data(Qt.ItemDataRole.UserRole + 1)
    assert isinstance(hit, Hit) and hit.article_id == "empowering-national-progress"
    assert "<b style='background-color:#ffe58a'>Estonia</b>" in results.delegate.rich_text(row)
    assert "1 result" in window.search_panel.status.text()


def test_activating_a_hit_scrolls_to_the_highlighted_words(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    window.resize(760, 560)
    type_query(qtbot, window, "kenya")
    qtbot.waitUntil(lambda: window.search_panel.results.count() == 1)
    show(qtbot, window, "backend-developer")  # the hit is in another article
    qtbot.keyClick(window.search_panel.field, Qt.Key.Key_Return)
    settle(qtbot, window)
    view = window.view
    assert view.page is not None and view.page.id == "empowering-national-progress"
    assert view.hit_count() >= 1 and view.current_hit() == 0
    selections = view.extraSelections()
    assert [s.cursor.selectedText() for s in selections] == ["Kenya"]
    rect = view.cursorRect(selections[0].cursor)
    assert 0 <= rect.top() < view.viewport().height()  # the hit is on screen
    assert view.verticalScrollBar().value() > 0  # it was far down the article


def test_next_and_previous_hit(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = ready_window(open_window, data_dir)
    type_query(qtbot, window, "backend")
    qtbot.waitUntil(lambda: window.search_panel.results.count() > 0)
    qtbot.keyClick(window.search_panel.field, Qt.Key.Key_Return)
    settle(qtbot, window)
    view = window.view
    first = view.current_hit()
    assert view.hit_count() > 1
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert view.current_hit() == (first + 1) % view.hit_count()
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert view.current_hit() == (first - 1) % view.hit_count()


def test_typo_offers_did_you_mean_and_recent_searches(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    type_query(qtbot, window, "serch enginee")
    qtbot.waitUntil(lambda: window.search_panel.results.count() >= 1)
    assert listed_hits(window)[0].article_id == "backend-developer"
    # The last word may be half typed ("enginee|r"): only the words before it are corrected.
    assert "search enginee" in window.search_panel.status.text()
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_panel.field, " ")  # the word is finished
    assert "search engine" in window.search_panel.status.text()
    assert "search enginee" not in window.search_panel.status.text()
    qtbot.keyClick(window.search_panel.field, Qt.Key.Key_Return)
    window.search_panel.field.clear()
    assert window.search_panel.recent() == ["serch enginee"]
    assert window.search_panel.results.row_index(0).data(DISPLAY).endswith("serch enginee")


# --- Enter opens the typed query's first hit -----------------------------------


def listed_hits(window: MainWindow) -> list[Hit]:
    results = window.search_panel.results
    return [results.row_index(k).data(HIT_ROLE) for k in range(results.count())]


def test_enter_right_after_typing_opens_the_typed_query_not_a_recent_search(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    panel = window.search_panel
    show(qtbot, window, "the-role-of-the-backend")
    type_query(qtbot, window, "kenya")
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    settle(qtbot, window)
    panel.field.clear()
    assert panel.results.row_index(0).data(RECENT_ROLE) == "kenya"

    with qtbot.waitSignal(window.page_shown, timeout=10_000) as opened:
        qtbot.keyClicks(panel.field, "unseen architect")
        # Enter comes before the typing pauses: the recent searches are still listed.
        assert panel.results.row_index(0).data(RECENT_ROLE) == "kenya"
        qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert panel.field.text() == "unseen architect"
    first = listed_hits(window)[0]
    assert opened.args == [first.article_id] == ["backend-developer"]
    assert window.view.page is not None and window.view.page.id == "backend-developer"
    assert panel.recent()[0] == "unseen architect"


def test_enter_right_after_typing_opens_the_typed_query_not_the_stale_first_hit(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    panel = window.search_panel
    show(qtbot, window, "the-role-of-the-backend")
    type_query(qtbot, window, "kenya")
    qtbot.waitUntil(lambda: panel.results.count() == 1)

    with qtbot.waitSignal(window.page_shown, timeout=10_000) as opened:
        panel.field.selectAll()
        qtbot.keyClicks(panel.field, "unseen architect")
        # The hit of "kenya" is still listed when Enter is pressed.
        assert [h.article_id for h in listed_hits(window)] == ["empowering-national-progress"]
        qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert opened.args == [listed_hits(window)[0].article_id] == ["backend-developer"]
    assert window.view.page is not None and window.view.page.id == "backend-developer"


def test_typing_after_enter_cancels_the_opening(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    panel = window.search_panel
    show(qtbot, window, "backend-developer")
    window.commands.search.trigger()
    qtbot.keyClicks(panel.field, "kenya")
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.field, "s")  # still typing: Enter no longer stands
    qtbot.keyClick(panel.field, Qt.Key.Key_Backspace)
    qtbot.waitUntil(
        lambda: [h.article_id for h in listed_hits(window)] == ["empowering-national-progress"]
    )
    qtbot.wait(3 * DEBOUNCE_MS)
    settle(qtbot, window)
    assert window.view.page is not None and window.view.page.id == "backend-developer"
    assert panel.field.text() == "kenya"


def test_enter_on_a_query_without_results_says_so_and_opens_nothing(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    panel = window.search_panel
    show(qtbot, window, "backend-developer")
    window.commands.search.trigger()
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(panel.field, "zebra xylophone")
        qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert panel.results.count() == 0
    assert "Nothing to open: no results for “zebra xylophone”" in panel.status.text()
    assert window.view.page is not None and window.view.page.id == "backend-developer"


# --- snippets in the list -------------------------------------------------------


def test_a_snippet_keeps_a_heading_apart_from_the_next_paragraph(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    type_query(qtbot, window, "microservices edge")
    qtbot.waitUntil(lambda: window.search_panel.results.count() >= 1)
    hits = listed_hits(window)
    k = [h.article_id for h in hits].index("the-hidden-importance-of-backend")
    results = window.search_panel.results
    text = results.delegate.rich_text(results.row_index(k))
    mark = f"<b style='background-color:{window.search_panel.theme.mark}'>"
    assert f"{mark}Microservices</b> · {mark}Edge</b> computing is" in text


def test_a_bookmark_found_by_its_tag_shows_the_tag(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    core.add_bookmark_quote(
        "empowering-national-progress", "Kenya’s M-Pesa", tags=("fintech", "africa")
    )
    window = ready_window(open_window, data_dir)
    type_query(qtbot, window, "tag:fintech")
    qtbot.waitUntil(lambda: window.search_panel.results.count() == 1)
    results = window.search_panel.results
    text = results.delegate.rich_text(results.row_index(0))
    assert "tag: fintech" in text and "<b style" not in text
    assert "· bookmark" in text


# --- recent searches --------------------------------------------------------------


def test_recent_searches_can_be_cleared(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = ready_window(open_window, data_dir)
    panel = window.search_panel
    type_query(qtbot, window, "estonia")
    qtbot.waitUntil(lambda: panel.results.count() == 1)
    assert not panel.clear_button.isVisible()  # results are listed, not the recent searches
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    settle(qtbot, window)
    panel.field.clear()
    assert panel.results.row_index(0).data(RECENT_ROLE) == "estonia"
    assert panel.clear_button.isVisible()

    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert panel.results.count() == 0
    assert panel.status.text() == "Type to search every article."
    assert not panel.clear_button.isVisible()
    window.settings.save_layout(window.saveGeometry(), window.saveState(), QByteArray())
    assert WindowSettings(data_dir / "state.ini").recent_searches == []  # as read next time


# --- the list of hits -------------------------------------------------------------


def make_hit(article_id: str, title: str, text: str, marked: str, kind: str = ARTICLE) -> Hit:
    """A hit whose one snippet is ``text``, with ``marked`` marked in it."""
    at = text.index(marked)
    match = (at, at + len(marked))
    return Hit(f"{kind}:{article_id}", kind, article_id, title, 1.0, (Snippet(text, (match,), at),),
               (match,))  # fmt: skip


@pytest.fixture
def panel(qtbot: QtBot, tmp_path: Path) -> SearchPanel:
    """The search panel on its own, shown, with nothing listening to it."""
    panel = SearchPanel(WindowSettings(tmp_path / "state.ini"))
    qtbot.addWidget(panel)
    panel.resize(320, 480)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def listed_text(panel: SearchPanel) -> list[str]:
    results = panel.results
    return [results.row_index(k).data(DISPLAY) for k in range(results.count())]


def test_an_answer_to_a_query_typed_past_is_never_painted(qtbot: QtBot, panel: SearchPanel) -> None:
    panel.field.setText("kenya")
    current = SearchResults("kenya", (make_hit("a", "Mobile money", "Kenya pays", "Kenya"),), 1)
    panel.show_results(current)
    results = panel.results
    results.viewport().repaint()
    shown = results.viewport().grab().toImage()
    painted = results.delegate.laid_out_rows()
    stale = SearchResults(
        "keny",
        (make_hit("b", "Tea from Kenya", "Kenyan tea", "Keny"),
         make_hit("c", "Highlands", "Kenya’s hills", "Keny")),
        2,
    )  # fmt: skip
    panel.show_results(stale)  # the answer to what was typed before "kenya"
    results.viewport().repaint()
    qtbot.wait(10)  # the event loop turns: nothing comes of the stale answer later either
    assert results.hits() == list(current.hits)
    assert listed_text(panel) == ["Mobile money\nKenya pays"]
    assert results.currentRow() == 0
    assert "1 result" in panel.status.text()
    assert results.delegate.laid_out_rows() == painted == [0]
    assert results.viewport().grab().toImage() == shown  # drawn as it was


def test_the_hits_are_listed_with_their_title_and_snippet_text(
    qtbot: QtBot, panel: SearchPanel
) -> None:
    article = make_hit("a", "Mobile money", "…Kenya’s M-Pesa lets people pay…", "Kenya")
    passage = make_hit("b", "Mobile money", "M-Pesa, from Kenya", "Kenya", kind=BOOKMARK)
    panel.field.setText("kenya")
    panel.show_results(SearchResults("kenya", (article, passage), 2))
    model = panel.results.model()
    assert model.rowCount() == 2
    first, second = model.index(0, 0), model.index(1, 0)
    assert first.data(DISPLAY) == "Mobile money\n…Kenya’s M-Pesa lets people pay…"
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == first.data(DISPLAY)
    assert first.data(Qt.ItemDataRole.ToolTipRole) == "Mobile money"
    assert first.data(HIT_ROLE) is article
    assert second.data(DISPLAY) == "Mobile money · bookmark\nM-Pesa, from Kenya"
    # the matched word is marked in the theme's colour, and again in another theme
    delegate = panel.results.delegate
    assert f"<b style='background-color:{THEMES['light'].mark}'>Kenya</b>" in delegate.rich_text(
        first
    )
    panel.results.setCurrentRow(1)
    panel.apply_theme(THEMES["dark"])
    assert delegate.laid_out_rows() == []  # each row is laid out again, in the new colours
    assert f"<b style='background-color:{THEMES['dark'].mark}'>Kenya</b>" in delegate.rich_text(
        first
    )
    assert panel.results.currentRow() == 1  # the row chosen stays chosen
    assert panel.results.hits() == [article, passage]


def test_keys_and_clicks_open_a_hit(qtbot: QtBot, panel: SearchPanel) -> None:
    hits = tuple(make_hit(f"a{k}", f"Article {k}", f"Kenya, part {k}", "Kenya") for k in range(3))
    panel.field.setText("kenya")
    panel.show_results(SearchResults("kenya", hits, 3))
    results = panel.results
    opened: list[Hit] = []
    panel.hit_activated.connect(opened.append)
    results.setFocus()
    qtbot.keyClick(results, Qt.Key.Key_Down)
    assert results.currentRow() == 1
    qtbot.keyClick(results, Qt.Key.Key_Return)
    assert opened == [hits[1]]
    rect = results.visualRect(results.row_index(2))
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened[-1] == hits[2] and results.currentRow() == 2
    panel.field.setFocus()
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)  # the results of what is typed are listed
    assert opened[-1] == hits[2]  # the current hit, not the first
    assert panel.recent() == ["kenya"]


def test_a_long_snippet_wraps_to_the_lists_width(qtbot: QtBot, panel: SearchPanel) -> None:
    text = "…" + " ".join(["backend developers keep the databases fast"] * 10) + "…"
    panel.field.setText("databases")
    panel.show_results(SearchResults("databases", (make_hit("a", "Speed", text, "databases"),), 1))
    results = panel.results

    def row_at(width: int) -> tuple[int, int]:
        panel.resize(width, 480)
        qtbot.waitUntil(lambda: abs(results.viewport().width() - (width - 12)) < 30)
        rect = results.visualRect(results.row_index(0))
        return rect.width(), rect.height()

    wide_width, wide = row_at(720)
    narrow_width, narrow = row_at(260)
    assert narrow_width < wide_width
    assert narrow_width <= results.viewport().width()  # the row never runs past the list
    assert narrow > wide * 2  # the snippet wraps on many more lines
    assert row_at(720) == (wide_width, wide)  # it flows back when the list is wide again
