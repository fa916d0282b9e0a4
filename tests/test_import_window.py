"""Importing from the window: drops of files, folders and text, progress, Cancel, summary."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QTreeWidget, QWidget
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.library import ImportOutcome
from reader.ui.import_panel import write_note
from reader.ui.main_window import MainWindow
from reader.ui.progress import Latest
from tests.conftest import OpenWindow, settle

SEEDED = 5  # the bundled articles every new library starts with


def note(path: Path, title: str, body: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = body or f"A few plain sentences about {title.lower()}, enough to read as a note."
    path.write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    return path


def mime_of(paths: list[Path] | None = None, text: str | None = None) -> QMimeData:
    mime = QMimeData()
    if paths is not None:
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    if text is not None:
        mime.setText(text)
    return mime


def drop_on(widget: QWidget, mime: QMimeData) -> bool:
    """Drag ``mime`` over ``widget`` and drop it there, the way Qt does: the events go
    to the nearest widget (``widget`` or one it is in) that takes drops. Whether the drop
    was taken."""
    target: QWidget | None = widget
    while target is not None and not target.acceptDrops():
        target = target.parentWidget()
    assert target is not None
    pos = QPoint(5, 5)
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), actions, mime, buttons, keys)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def finish(qtbot: QtBot, window: MainWindow, start: Callable[[], object]) -> None:
    """Start an import and wait until its summary is shown and the window has settled."""
    with qtbot.waitSignal(window.import_finished, timeout=20_000):
        start()
    settle(qtbot, window)


def listed(window: MainWindow) -> set[str]:
    model = window.library_panel.model
    return {model.article(row).id for row in range(model.rowCount())}


def test_files_dropped_anywhere_are_imported(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, tmp_path: Path
) -> None:
    window = open_window(data_dir)
    first = note(tmp_path / "in" / "harbour.md", "The Harbour Reopens")
    second = note(tmp_path / "in" / "orchard.md", "An Orchard in Winter")
    # Dropped on the article: the page passes the drop to the window.
    assert window.view.viewport().acceptDrops() is False
    finish(qtbot, window, lambda: drop_on(window.view.viewport(), mime_of([first])))
    assert window.library_panel.model.rowCount() == SEEDED + 1
    assert window.import_summary.text() == "Imported “The Harbour Reopens”"
    # Dropped on a text field: a file is imported, not typed into the field.
    field = window.search_panel.field
    finish(qtbot, window, lambda: drop_on(field, mime_of([second])))
    assert field.text() == ""
    assert window.library_panel.model.rowCount() == SEEDED + 2
    assert window.view.page is not None and window.view.page.title == "An Orchard in Winter"


def test_a_dropped_folder_is_imported_and_a_dropped_text_becomes_a_note(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(data_dir)
    folder = tmp_path / "notes"
    for name in ("tide tables", "salt marsh birds", "lighthouse keepers"):
        note(folder / f"{name.replace(' ', '-')}.md", name.title())
    (folder / "inside").mkdir()
    note(folder / "inside" / "ferry.md", "The Night Ferry")
    finish(qtbot, window, lambda: drop_on(window, mime_of([folder])))
    assert window.library_panel.model.rowCount() == SEEDED + 4
    assert window.import_summary.text() == "Imported 4 of 4 files"

    notes_dir = tmp_path / "scratch"
    notes_dir.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(notes_dir))
    text = (
        "Things to pack for the island: the whole list\n"
        "- a *warm* coat & boots\n"
        "    2. <maps> of the_coast [north]\n\n"
        "# tide times, 1999. and #tags\n"
    )
    with qtbot.waitSignal(window.page_shown, timeout=20_000):
        finish(qtbot, window, lambda: drop_on(window.view, mime_of(text=text)))
    page = window.view.page
    assert page is not None
    assert page.title == "Things to pack for the island"
    shown = page.text.split()
    assert all(word in shown for word in text.split()), (text.split(), shown)
    assert window.library_panel.model.rowCount() == SEEDED + 5
    assert not list(notes_dir.iterdir())  # the note's own folder is gone once imported


def test_a_web_link_or_blank_text_dropped_imports_nothing(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    link = QMimeData()
    link.setUrls([QUrl("https://example.org/a-page.html")])
    assert drop_on(window.view, link)
    assert "Web links are not fetched" in window.status_label.text()
    assert not drop_on(window.view, mime_of(text="  \n "))
    settle(qtbot, window)
    assert window.library_panel.model.rowCount() == SEEDED
    assert not window.import_summary.isVisible()


def test_a_note_keeps_its_lines_and_every_word(tmp_path: Path) -> None:
    path = write_note("  first line\r\nsecond *line*\n\n\n1. third\n", tmp_path)
    assert path.suffix == ".md" and path.parent == tmp_path
    assert path.read_text(encoding="utf-8") == "first line  \nsecond \\*line\\*\n\n\n1\\. third\n"


def test_import_folder_asks_for_a_folder(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(data_dir)
    folder = tmp_path / "chosen"
    note(folder / "a.md", "Chosen Folder Note")
    monkeypatch.setattr(
        "reader.ui.main_window.QFileDialog.getExistingDirectory",
        lambda *_args: str(folder),
    )
    finish(qtbot, window, window.commands.import_folder.trigger)
    assert window.library_panel.model.rowCount() == SEEDED + 1
    assert window.commands.import_folder.shortcuts()


def test_a_cancelled_import_keeps_what_it_converted_and_tells_the_rest(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "many"
    for i in range(60):
        note(folder / f"note-{i:02}.md", f"Generated Note Number {i}")
    window = open_window(data_dir)
    before = listed(window)
    real = ReaderCore.import_paths

    def held(
        core: ReaderCore,
        paths: list[Path],
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> list[ImportOutcome]:
        """Each file, once told, waits for Cancel: the test cancels after the first."""
        assert cancel is not None and on_file is not None

        def told(path: Path) -> None:
            on_file(path)
            cancel.wait(20)

        return real(core, paths, progress, cancel, told)

    monkeypatch.setattr(ReaderCore, "import_paths", held)
    strip = window.progress_strip
    with qtbot.waitSignal(window.import_finished, timeout=30_000):
        window.import_files([folder])
        qtbot.waitUntil(lambda: strip.isVisible() and "Importing 1 of 60" in strip.text())
        assert strip.cancel_button.isVisible() and window.commands.cancel_import.isEnabled()
        strip.cancel_button.click()
    settle(qtbot, window)
    assert not strip.isVisible() and not window.commands.cancel_import.isEnabled()
    text = window.import_summary.text()
    said = r"Import cancelled · imported (\d+) of 60 files · (\d+) not imported"
    found = re.fullmatch(said, text)
    assert found, text
    imported, left = int(found[1]), int(found[2])
    assert imported >= 1 and imported + left == 60
    added = listed(window) - before
    assert len(added) == imported and len(listed(window)) == len(before) + imported
    copies = [p for p in (data_dir / "library").rglob("*") if p.is_file()]
    assert len(copies) == imported  # nothing half-written is left in the library folder
    window.import_summary.details_button.click()
    assert window.import_details is not None
    problems = window.import_details.findChild(QTreeWidget, "importProblems")
    assert problems is not None and problems.topLevelItemCount() == left
    item = problems.topLevelItem(0)
    assert item is not None and item.text(1) == "Not imported: the import was cancelled"


def test_the_summary_stays_and_details_tell_each_problem(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, tmp_path: Path
) -> None:
    window = open_window(data_dir)
    good = note(tmp_path / "in" / "good.md", "A Good Note")
    binary = tmp_path / "in" / "photo.txt"
    binary.write_bytes(b"\x89PNG\x00\x01\x02" * 300)
    finish(qtbot, window, lambda: window.import_files([good, binary]))
    summary = window.import_summary
    assert summary.text() == "Imported 1 of 2 files · 1 failed"
    assert summary.details_button.isVisible()
    window.say("Something else to say")
    window.open_article("the-role-of-the-backend")
    settle(qtbot, window)
    assert summary.isVisible() and summary.text() == "Imported 1 of 2 files · 1 failed"

    summary.details_button.click()
    details = window.import_details
    assert details is not None and details.isVisible() and not details.isModal()
    problems = details.findChild(QTreeWidget, "importProblems")
    assert problems is not None and problems.topLevelItemCount() == 1
    item = problems.topLevelItem(0)
    assert item is not None
    assert item.text(0) == "photo.txt" and item.text(2) == str(binary.parent)
    assert item.text(1).startswith("Failed: ") and "binary file" in item.text(1)
    assert details.lines() == [f"{binary} — {item.text(1)}"]
    details.close()
    summary.dismiss_button.click()
    assert not summary.isVisible()


def test_index_builds_show_counts_without_cancel(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    strip = window.progress_strip
    window.on_operation_progress("Indexing", 120, 400)
    qtbot.waitUntil(strip.isVisible)
    assert strip.text() == "Indexing 120 of 400" and not strip.cancel_button.isVisible()
    assert window.progress.value() == 120 and window.progress.maximum() == 400
    window.on_operation_progress("Indexing", 400, 400)
    assert not strip.isVisible()


def test_reports_from_a_worker_wake_the_window_once_and_the_newest_is_shown() -> None:
    woken: list[int] = []
    latest = Latest[tuple[int, str]](lambda: woken.append(1))
    for n in range(1, 500):
        latest.put((n, f"file-{n}.md"))
    assert woken == [1]  # one signal waits to be handled, however many reports came
    assert latest.take() == (499, "file-499.md")
    latest.put((500, "file-500.md"))
    assert woken == [1, 1] and latest.take() == (500, "file-500.md")
