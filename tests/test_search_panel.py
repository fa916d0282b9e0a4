from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.search import Hit
from reader.ui.main_window import MainWindow
from reader.ui.search_panel import DEBOUNCE_MS, HIT_ROLE, RECENT_ROLE
from reader.ui.settings import WindowSettings
from tests.conftest import OpenWindow, settle, show


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
    item = window.search_panel.results.item(0)
    hit = item.data(Qt.ItemDataRole.UserRole + 1)
    assert isinstance(hit, Hit) and hit.article_id == "empowering-national-progress"
    label = window.search_panel.results.itemWidget(item)
    assert isinstance(label, QLabel)
    assert "<b style='background-color:#ffe58a'>Estonia</b>" in label.text()
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
    assert "search engine" in window.search_panel.status.text()
    qtbot.keyClick(window.search_panel.field, Qt.Key.Key_Return)
    window.search_panel.field.clear()
    assert window.search_panel.recent() == ["serch enginee"]
    assert window.search_panel.results.item(0).text().endswith("serch enginee")


# --- Enter opens the typed query's first hit -----------------------------------


def listed_hits(window: MainWindow) -> list[Hit]:
    results = window.search_panel.results
    return [results.item(k).data(HIT_ROLE) for k in range(results.count())]


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
    assert panel.results.item(0).data(RECENT_ROLE) == "kenya"

    with qtbot.waitSignal(window.page_shown, timeout=10_000) as opened:
        qtbot.keyClicks(panel.field, "unseen architect")
        # Enter comes before the typing pauses: the recent searches are still listed.
        assert panel.results.item(0).data(RECENT_ROLE) == "kenya"
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
    label = results.itemWidget(results.item(k))
    assert isinstance(label, QLabel)
    mark = f"<b style='background-color:{window.search_panel.theme.mark}'>"
    assert f"{mark}Microservices</b> · {mark}Edge</b> computing is" in label.text()


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
    label = results.itemWidget(results.item(0))
    assert isinstance(label, QLabel)
    assert "tag: fintech" in label.text() and "<b style" not in label.text()
    assert "· bookmark" in label.text()


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
    assert panel.results.item(0).data(RECENT_ROLE) == "estonia"
    assert panel.clear_button.isVisible()

    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert panel.results.count() == 0
    assert panel.status.text() == "Type to search every article."
    assert not panel.clear_button.isVisible()
    window.settings.save_layout(window.saveGeometry(), window.saveState(), QByteArray())
    assert WindowSettings(data_dir / "state.ini").recent_searches == []  # as read next time
