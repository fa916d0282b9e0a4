"""Failures in the window reach the user: a bookmark not saved, an error in a slot."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.errors import BookmarkError
from reader.ui.bookmarks_panel import BookmarkDialog
from reader.ui.errors import ErrorReporter
from tests.conftest import OpenWindow, show
from tests.test_bookmarks_window import PASSAGE, select_text


def test_a_bookmark_not_saved_says_why_and_keeps_the_dialog(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, "backend-developer")
    select_text(window, PASSAGE)
    real_add = ReaderCore.add_bookmark

    def full_disk(*_args: object, **_kw: object) -> None:
        raise BookmarkError("could not save the bookmark: the disk is full; nothing was changed")

    monkeypatch.setattr(ReaderCore, "add_bookmark", full_disk)
    window.commands.bookmark.trigger()
    dialog = window.findChild(BookmarkDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.note.setPlainText("my own words about this passage")
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    save.click()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=10_000)
    assert "the disk is full" in dialog.problem.text().lower()
    assert dialog.isVisible() and save.isEnabled()
    assert dialog.note.toPlainText() == "my own words about this passage"

    monkeypatch.setattr(ReaderCore, "add_bookmark", real_add)  # space freed: try again
    with qtbot.waitSignal(window.bookmarks_shown, timeout=10_000):
        save.click()
    qtbot.waitUntil(lambda: window.findChild(BookmarkDialog) is None, timeout=5_000)
    notes = [b.note for b in window.bookmarks_panel.items()]
    assert notes == ["my own words about this passage"]


@pytest.mark.qt_no_exception_capture
def test_an_error_escaping_a_slot_is_shown_not_lost(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(data_dir)
    reporter = ErrorReporter(window)
    monkeypatch.setattr(sys, "excepthook", reporter)

    def broken_slot() -> None:
        raise ValueError("a bug in a slot")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: bool(reporter.shown), timeout=5_000)
    (box,) = reporter.shown
    assert box.isVisible() and "a bug in a slot" in box.text()
    assert "ValueError" in box.detailedText() and "broken_slot" in box.detailedText()
    assert window.isVisible()
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not reporter.shown, timeout=5_000)


def test_bookmarks_come_back_from_a_backup_through_the_window(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore, tmp_path: Path
) -> None:
    kept = core.add_bookmark_quote("backend-developer", PASSAGE, note="from the backup")
    (backup,) = (data_dir / "backups").glob("bookmarks-*.jsonld")
    saved = tmp_path / backup.name
    saved.write_bytes(backup.read_bytes())
    core.delete_bookmark(kept.id)
    window = open_window(data_dir)
    assert window.bookmarks_panel.items() == []
    with qtbot.waitSignal(window.bookmarks_shown, timeout=10_000):
        window.import_bookmarks_from(saved)
    assert [b.note for b in window.bookmarks_panel.items()] == ["from the backup"]
    assert "1 added" in window.status_label.text()
