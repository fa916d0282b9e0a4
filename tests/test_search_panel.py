from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from reader.search import Hit
from reader.ui.main_window import MainWindow
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
    qtbot.waitUntil(lambda: window.search_panel.results.count() == 1)
    assert "search engine" in window.search_panel.status.text()
    qtbot.keyClick(window.search_panel.field, Qt.Key.Key_Return)
    window.search_panel.field.clear()
    assert window.search_panel.recent() == ["serch enginee"]
    assert window.search_panel.results.item(0).text().endswith("serch enginee")
