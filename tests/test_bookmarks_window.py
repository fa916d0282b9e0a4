from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from reader.bookmarks.store import COLOR_HEX
from reader.ui.main_window import MainWindow
from tests.conftest import OpenWindow

PASSAGE = "Imagine a magnificent skyscraper."


def select_text(window: MainWindow, text: str) -> None:
    view = window.view
    assert view.article is not None
    start = view.article.text.index(text)
    cursor = view.cursor_for(start, start + len(text))
    view.setTextCursor(cursor)


def highlighted(window: MainWindow) -> list[tuple[str, str]]:
    return [
        (s.cursor.selectedText(), s.format.background().color().name())
        for s in window.view.extraSelections()
    ]


def test_bookmark_survives_a_restart(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    window.open_article("backend-developer")
    select_text(window, PASSAGE)
    saved = window.bookmark_selection(note="analogy", color="green", tags=("teaching",))
    assert saved is not None
    assert (PASSAGE, COLOR_HEX["green"]) in highlighted(window)
    window.close()

    again = open_window(data_dir)
    assert again.view.article is not None and again.view.article.id == "backend-developer"
    assert (PASSAGE, COLOR_HEX["green"]) in highlighted(again)
    listed = again.bookmarks_panel.items()
    assert [(b.exact, b.note, b.tags) for b in listed] == [(PASSAGE, "analogy", ("teaching",))]


def test_activating_a_bookmark_opens_its_passage(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    window.resize(760, 560)
    b = window.core.add_bookmark_quote("empowering-national-progress", "Kenya’s M-Pesa")
    window.open_article("backend-developer")
    window.refresh_bookmarks()
    window.bookmarks_panel.on_item_activated(window.bookmarks_panel.list.item(0))
    view = window.view
    assert view.article is not None and view.article.id == b.article_id
    cursor = QTextCursor(view.document())
    cursor.setPosition(b.start)
    rect = view.cursorRect(cursor)
    assert 0 <= rect.top() < view.viewport().height()
    assert view.verticalScrollBar().value() > 0
    assert any(text == "Kenya’s M-Pesa" and s_underlined for text, s_underlined in (
        (s.cursor.selectedText(), s.format.fontUnderline()) for s in view.extraSelections()
    ))  # fmt: skip


def test_delete_and_undo(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    b = window.core.add_bookmark_quote("backend-developer", PASSAGE, note="keep me")
    window.refresh_bookmarks()
    window.bookmarks_panel.select(b.id)
    window.bookmarks_panel.delete_button.click()
    assert window.core.bookmarks.entries() == []
    assert window.bookmarks_panel.items() == []
    window.undo_action.trigger()
    restored = window.core.bookmarks.entries()
    assert [(x.id, x.note) for x in restored] == [(b.id, "keep me")]
    assert [x.id for x in window.bookmarks_panel.items()] == [b.id]


def test_edit_in_place(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    b = window.core.add_bookmark_quote("backend-developer", PASSAGE)
    window.refresh_bookmarks()
    panel = window.bookmarks_panel
    panel.select(b.id)
    panel.note_edit.setPlainText("a new note")
    panel.tags_edit.setText("one, two")
    panel.save_edits()
    stored = window.core.bookmarks.get(b.id)
    assert (stored.note, stored.tags) == ("a new note", ("one", "two"))


def test_filters(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    window.core.add_bookmark_quote("backend-developer", PASSAGE, note="n", color="blue")
    window.core.add_bookmark_quote("empowering-national-progress", "Kenya’s M-Pesa")
    window.open_article("backend-developer")
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
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    b = window.core.add_bookmark_quote("empowering-national-progress", "Kenya’s M-Pesa")
    window.close()
    again = open_window(data_dir, before_load=lambda w: w.open_target(b.article_id, b.id))
    assert again.view.article is not None and again.view.article.id == b.article_id
    qtbot.waitUntil(lambda: again.view.verticalScrollBar().value() > 0)


def test_delete_key_removes_and_ctrl_z_restores(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    from PySide6.QtCore import Qt

    window = open_window(data_dir)
    b = window.core.add_bookmark_quote("backend-developer", PASSAGE)
    window.refresh_bookmarks()
    window.sidebar.setCurrentWidget(window.bookmarks_panel)
    panel = window.bookmarks_panel
    panel.select(b.id)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert window.core.bookmarks.entries() == []
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [x.id for x in window.core.bookmarks.entries()] == [b.id]
