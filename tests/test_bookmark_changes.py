"""Every bookmark change can be undone and redone, a detached bookmark can be repaired,
and a change made elsewhere shows up in the running window."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from reader.bookmarks import Bookmark
from reader.core import ReaderCore
from reader.errors import BookmarkError
from reader.ui.bookmarks_panel import BookmarksPanel
from reader.ui.main_window import MainWindow
from tests.conftest import OpenWindow, settle, show
from tests.test_bookmarks_window import PASSAGE, select_text

ARTICLE = "backend-developer"


def kept(b: Bookmark) -> tuple[object, ...]:
    """What the user sees of a bookmark (its times aside)."""
    return (b.id, b.note, b.color, b.tags, b.exact, b.start, b.end, b.state)


def state(core: ReaderCore) -> list[tuple[object, ...]]:
    return sorted(kept(b) for b in core.bookmarks())


def undo_redo(
    qtbot: QtBot, window: MainWindow, core: ReaderCore, before: list[tuple[object, ...]]
) -> None:
    """Undo brings back ``before``; redo the state after; the panel shows each."""
    after = state(core)
    assert after != before
    for action, want in ((window.commands.undo, before), (window.commands.redo, after),
                         (window.commands.undo, before)):  # fmt: skip
        action.trigger()
        settle(qtbot, window)
        assert state(core) == want
        shown = sorted(kept(b) for b in window.bookmarks_panel.items())
        assert shown == want


def edit_in_panel(window: MainWindow, b: Bookmark, edit: Callable[[MainWindow], None]) -> None:
    panel = window.bookmarks_panel
    panel.select(b.id)
    edit(window)
    panel.save_edits()


EDITS: dict[str, Callable[[MainWindow], None]] = {
    "note": lambda w: w.bookmarks_panel.note_edit.setPlainText("a changed note"),
    "colour": lambda w: w.bookmarks_panel.color_edit.setCurrentIndex(2),
    "tags": lambda w: w.bookmarks_panel.tags_edit.setText("one, two"),
}


@pytest.mark.parametrize("what", sorted(EDITS))
def test_an_edit_is_undone_and_redone(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore, what: str
) -> None:
    b = core.add_bookmark_quote(ARTICLE, PASSAGE, note="first note", tags=("old",))
    window = open_window(data_dir)
    before = state(core)
    edit_in_panel(window, b, EDITS[what])
    settle(qtbot, window)
    undo_redo(qtbot, window, core, before)


def test_adding_is_undone_and_redone(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, ARTICLE)
    select_text(window, PASSAGE)
    assert window.bookmark_selection(note="kept")
    settle(qtbot, window)
    assert [b.exact for b in core.bookmarks()] == [PASSAGE]
    undo_redo(qtbot, window, core, [])
    assert window.commands.redo.text() == "&Redo Add Bookmark"


def test_deleting_is_undone_and_redone(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    b = core.add_bookmark_quote(ARTICLE, PASSAGE, note="keep me")
    window = open_window(data_dir)
    before = state(core)
    window.bookmarks_panel.select(b.id)
    window.bookmarks_panel.delete_button.click()
    settle(qtbot, window)
    undo_redo(qtbot, window, core, before)


def test_a_note_typed_in_several_saves_is_one_undo(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    b = core.add_bookmark_quote(ARTICLE, PASSAGE, note="start")
    window = open_window(data_dir)
    before = state(core)
    panel = window.bookmarks_panel
    panel.select(b.id)
    for text in ("start, then", "start, then more", "start, then more words"):
        panel.note_edit.setPlainText(text)
        panel.save_edits()
        settle(qtbot, window)
    assert core.bookmark(b.id).note == "start, then more words"
    window.commands.undo.trigger()
    settle(qtbot, window)
    assert state(core) == before


def note_library(core: ReaderCore, text: str) -> str:
    path = core.data_dir / "library" / "steps.md"
    path.write_text(text, encoding="utf-8")
    core.refresh()
    return next(a.id for a in core.articles() if a.source == str(path))


STEPS = [f"Step {i} talks about topic {i} with some filler words." for i in range(1, 31)]


def detached_bookmark(core: ReaderCore) -> Bookmark:
    """A bookmark on step 17 of a note, and the step then deleted from the file."""
    article_id = note_library(core, "# Steps\n\n" + "\n\n".join(STEPS) + "\n")
    b = core.add_bookmark_quote(article_id, STEPS[16], note="the seventeenth")
    (core.data_dir / "library" / "steps.md").write_text(
        "# Steps\n\n" + "\n\n".join(STEPS[:16] + STEPS[17:]) + "\n", encoding="utf-8"
    )
    core.refresh()
    lost = core.bookmark(b.id)
    assert lost.detached
    return lost


def test_a_deleted_passage_detaches_with_its_look_alikes_as_suggestions(core: ReaderCore) -> None:
    lost = detached_bookmark(core)
    assert (lost.exact, lost.note) == (STEPS[16], "the seventeenth")
    words = [w for _s, _e, w in lost.suggestions]
    assert STEPS[17] in words and STEPS[15] in words
    text = core.article(lost.article_id).text
    assert all(text[s:e] == w for s, e, w in lost.suggestions)


def test_an_edit_inside_a_passage_keeps_the_bookmark_on_it(core: ReaderCore) -> None:
    article_id = note_library(core, "# Steps\n\n" + "\n\n".join(STEPS) + "\n")
    b = core.add_bookmark_quote(article_id, STEPS[16])
    edited = STEPS[16].replace("filler", "useful")
    (core.data_dir / "library" / "steps.md").write_text(
        "# Steps\n\n" + "\n\n".join([*STEPS[:16], edited, *STEPS[17:]]) + "\n", encoding="utf-8"
    )
    core.refresh()
    moved = core.bookmark(b.id)
    assert moved.state == "anchored"
    assert core.article(article_id).text[moved.start : moved.end] == edited


def test_a_detached_bookmark_is_attached_to_a_suggestion_and_that_is_undone(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore, tmp_path: Path
) -> None:
    lost = detached_bookmark(core)
    window = open_window(data_dir)
    window.resize(1100, 760)
    panel = window.bookmarks_panel
    window.sidebar.setCurrentWidget(panel)
    panel.select(lost.id)
    assert panel.repair.isVisibleTo(window) and "Detached" in panel.repair_label.text()
    offered = [panel.suggestions.itemText(k) for k in range(panel.suggestions.count())]
    assert f"“{STEPS[15]}”" in offered
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        panel.on_suggestion_chosen(offered.index(f"“{STEPS[15]}”"))
    settle(qtbot, window)
    window.grab().save(str(tmp_path / "detached.png"))
    before = state(core)
    panel.suggestions.setCurrentIndex(offered.index(f"“{STEPS[15]}”"))
    panel.attach_here.click()
    settle(qtbot, window)
    attached = core.bookmark(lost.id)
    assert (attached.state, attached.exact, attached.note) == (
        "anchored",
        STEPS[15],
        "the seventeenth",
    )
    assert not panel.repair.isVisibleTo(window)
    undo_redo(qtbot, window, core, before)


def test_a_detached_bookmark_is_attached_to_the_selection(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    lost = detached_bookmark(core)
    window = open_window(data_dir)
    show(qtbot, window, lost.article_id)
    select_text(window, STEPS[18])
    window.bookmarks_panel.select(lost.id)
    window.bookmarks_panel.attach_selection.click()
    settle(qtbot, window)
    assert (core.bookmark(lost.id).state, core.bookmark(lost.id).exact) == ("anchored", STEPS[18])


def test_a_bookmark_added_by_the_command_line_shows_up_in_the_running_window(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, ARTICLE)
    assert window.bookmarks_panel.items() == []
    subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), "bookmarks", "add",
         ARTICLE, "--quote", PASSAGE, "--note", "from the shell"],
        check=True, capture_output=True,
    )  # fmt: skip
    # The window asks the store every half second; no refresh is triggered here.
    qtbot.waitUntil(lambda: len(window.bookmarks_panel.items()) == 1, timeout=5_000)
    (b,) = window.bookmarks_panel.items()
    assert (b.exact, b.note) == (PASSAGE, "from the shell")
    assert any(s.cursor.selectedText() == PASSAGE for s in window.view.extraSelections())


def test_a_passage_is_selected_and_bookmarked_with_the_keyboard(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, ARTICLE)
    view = window.view
    window.commands.caret.trigger()  # F7
    assert (
        view.hasFocus()
        or view.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    assert view.page is not None
    start = view.page.text.index(PASSAGE)
    view.setTextCursor(view.cursor_for(start, start))
    for _ in range(len("Imagine")):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    span = view.selected_span()
    assert span is not None and view.page.text[span.start : span.end] == "Imagine"
    assert window.bookmark_selection(note="by keyboard")
    settle(qtbot, window)
    assert [(b.exact, b.note) for b in core.bookmarks()] == [("Imagine", "by keyboard")]


def test_undo_after_a_failed_change_does_not_put_back_anything(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    core: ReaderCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: said.append(text))
    b = core.add_bookmark_quote(ARTICLE, PASSAGE)
    window = open_window(data_dir)
    gone = replace(b, id="no-such-bookmark")
    window.on_delete_requested(gone)  # deleting what is not there fails, and says so
    settle(qtbot, window)
    assert said == ["No bookmark with id 'no-such-bookmark'"]
    window.commands.undo.trigger()
    settle(qtbot, window)
    assert [x.id for x in core.bookmarks()] == [b.id]
    assert not window.commands.undo.isEnabled()


def test_a_note_being_typed_survives_refreshes(qtbot: QtBot) -> None:
    """The list is read again at any moment (a save landing, a change elsewhere): what
    is typed stays, and is saved whole."""
    b = Bookmark(id="1", article_id="a", created=0, updated=0, note="", color="yellow",
                 tags=(), exact="quote", prefix="", suffix="", start=0, end=5,
                 text_hash="h")  # fmt: skip
    panel = BookmarksPanel()
    qtbot.addWidget(panel)
    saved: list[str] = []
    panel.bookmark_edited.connect(lambda _b, note, _c, _t: saved.append(note))
    panel.set_bookmarks([b], {"a": "A"}, "a")
    panel.select("1")
    panel.note_edit.setPlainText("abc")
    panel.set_bookmarks([b], {"a": "A"}, "a")  # read before the save landed
    assert panel.note_edit.toPlainText() == "abc"
    panel.note_edit.moveCursor(QTextCursor.MoveOperation.End)
    panel.note_edit.insertPlainText("d")
    panel.set_bookmarks([b], {"a": "A"}, "a")
    assert panel.note_edit.toPlainText() == "abcd"
    assert saved == ["abc", "abcd"]
    panel.set_bookmarks([replace(b, note="abcd")], {"a": "A"}, "a")  # the save landed
    assert panel.note_edit.toPlainText() == "abcd"
    # A change made elsewhere, with nothing unsaved here, is shown.
    panel.set_bookmarks([replace(b, note="from elsewhere")], {"a": "A"}, "a")
    assert panel.note_edit.toPlainText() == "from elsewhere"


def test_undoing_a_note_edit_after_the_article_changed_keeps_the_bookmark_where_it_went(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    article_id = note_library(core, "# Steps\n\n" + "\n\n".join(STEPS) + "\n")
    b = core.add_bookmark_quote(article_id, STEPS[16], note="first")
    window = open_window(data_dir)
    edit_in_panel(window, b, lambda w: w.bookmarks_panel.note_edit.setPlainText("second"))
    settle(qtbot, window)
    # The step is moved to the end of the file; the bookmark follows it there.
    moved = [*STEPS[:16], *STEPS[17:], STEPS[16]]
    (core.data_dir / "library" / "steps.md").write_text(
        "# Steps\n\n" + "\n\n".join(moved) + "\n", encoding="utf-8"
    )
    core.refresh()
    there = core.bookmark(b.id)
    text = core.article(article_id).text
    assert text[there.start : there.end] == STEPS[16] and there.start > b.start
    window.commands.undo.trigger()
    settle(qtbot, window)
    after = core.bookmark(b.id)
    assert (after.note, after.start, after.end, after.state) == (
        "first", there.start, there.end, "anchored",
    )  # fmt: skip


def test_attaching_to_a_place_shown_before_the_article_changed_is_refused(
    core: ReaderCore,
) -> None:
    lost = detached_bookmark(core)
    start, end, _words = lost.suggestions[0]
    path = core.data_dir / "library" / "steps.md"
    path.write_text("# Steps\n\nA preface.\n\n" + path.read_text(encoding="utf-8")[9:])
    core.refresh()
    with pytest.raises(BookmarkError, match="changed since"):
        core.attach_bookmark(lost.id, start, end, lost.seen_hash)
    assert core.bookmark(lost.id).detached
