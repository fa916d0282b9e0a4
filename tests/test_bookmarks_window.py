from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from reader.bookmarks import COLOR_HEX
from reader.core import ReaderCore
from reader.ui.main_window import MainWindow
from tests.conftest import OpenWindow, settle, show

PASSAGE = "Imagine a magnificent skyscraper."


def select_text(window: MainWindow, text: str) -> None:
    view = window.view
    assert view.page is not None
    start = view.page.text.index(text)
    cursor = view.cursor_for(start, start + len(text))
    view.setTextCursor(cursor)


def highlighted(window: MainWindow) -> list[tuple[str, str]]:
    return [
        (s.cursor.selectedText(), s.format.background().color().name())
        for s in window.view.extraSelections()
    ]


def test_bookmark_survives_a_restart(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    show(qtbot, window, "backend-developer")
    select_text(window, PASSAGE)
    with qtbot.waitSignal(window.bookmarks_shown, timeout=10_000):
        assert window.bookmark_selection(note="analogy", color="green", tags=("teaching",))
    assert window.status_label.text() == "Bookmark saved"
    assert (PASSAGE, COLOR_HEX["green"]) in highlighted(window)
    window.close()

    again = open_window(data_dir)
    assert again.view.page is not None and again.view.page.id == "backend-developer"
    assert (PASSAGE, COLOR_HEX["green"]) in highlighted(again)
    listed = again.bookmarks_panel.items()
    assert [(b.exact, b.note, b.tags) for b in listed] == [(PASSAGE, "analogy", ("teaching",))]


def test_activating_a_bookmark_opens_its_passage(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    window.resize(760, 560)
    b = core.add_bookmark_quote("empowering-national-progress", "Kenya’s M-Pesa")
    show(qtbot, window, "backend-developer")
    window.refresh_bookmarks()
    settle(qtbot, window)
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        window.bookmarks_panel.on_item_activated(window.bookmarks_panel.list.item(0))
    view = window.view
    assert view.page is not None and view.page.id == b.article_id
    cursor = QTextCursor(view.document())
    cursor.setPosition(b.start)
    rect = view.cursorRect(cursor)
    assert 0 <= rect.top() < view.viewport().height()
    assert view.verticalScrollBar().value() > 0
    assert any(text == "Kenya’s M-Pesa" and s_underlined for text, s_underlined in (
        (s.cursor.selectedText(), s.format.fontUnderline()) for s in view.extraSelections()
    ))  # fmt: skip


def test_delete_and_undo(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    b = core.add_bookmark_quote("backend-developer", PASSAGE, note="keep me")
    window.refresh_bookmarks()
    settle(qtbot, window)
    window.bookmarks_panel.select(b.id)
    window.bookmarks_panel.delete_button.click()
    settle(qtbot, window)
    assert core.bookmarks() == []
    assert window.bookmarks_panel.items() == []
    window.commands.undo.trigger()
    settle(qtbot, window)
    restored = core.bookmarks()
    assert [(x.id, x.note) for x in restored] == [(b.id, "keep me")]
    assert [x.id for x in window.bookmarks_panel.items()] == [b.id]


def test_edit_in_place(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    b = core.add_bookmark_quote("backend-developer", PASSAGE)
    window.refresh_bookmarks()
    settle(qtbot, window)
    panel = window.bookmarks_panel
    panel.select(b.id)
    panel.note_edit.setPlainText("a new note")
    panel.tags_edit.setText("one, two")
    panel.save_edits()
    settle(qtbot, window)
    stored = core.bookmark(b.id)
    assert (stored.note, stored.tags) == ("a new note", ("one", "two"))


def test_filters(qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore) -> None:
    window = open_window(data_dir)
    core.add_bookmark_quote("backend-developer", PASSAGE, note="n", color="blue")
    core.add_bookmark_quote("empowering-national-progress", "Kenya’s M-Pesa")
    show(qtbot, window, "backend-developer")
    window.refresh_bookmarks()
    settle(qtbot, window)
    panel = window.bookmarks_panel
    assert len(panel.items()) == 2
    panel.has_note.setChecked(True)
    assert [b.exact for b in panel.items()] == [PASSAGE]
    panel.has_note.setChecked(False)
    panel.scope.setCurrentIndex(1)  # this article
    assert [b.exact for b in panel.items()] == [PASSAGE]
    panel.scope.setCurrentIndex(0)
    panel.text_filter.setText("pesa")
    assert [b.exact for b in panel.items()] == ["Kenya’s M-Pesa"]


def test_open_target_goes_to_the_bookmark(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    b = core.add_bookmark_quote("empowering-national-progress", "Kenya’s M-Pesa")
    window = open_window(data_dir, before_load=lambda w: w.open_target(b.article_id, b.id))
    assert window.view.page is not None and window.view.page.id == b.article_id
    qtbot.waitUntil(lambda: window.view.verticalScrollBar().value() > 0)


def test_delete_key_removes_and_ctrl_z_restores(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    b = core.add_bookmark_quote("backend-developer", PASSAGE)
    window.refresh_bookmarks()
    settle(qtbot, window)
    window.sidebar.setCurrentWidget(window.bookmarks_panel)
    panel = window.bookmarks_panel
    panel.select(b.id)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    settle(qtbot, window)
    assert core.bookmarks() == []
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert [x.id for x in core.bookmarks()] == [b.id]
