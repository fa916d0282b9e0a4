"""The Article menu in the window: remove (and undo), rename, tags, rename a tag, the folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication, QCompleter, QMenu, QWidget
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.ui import article_dialogs
from reader.ui.library_panel import TAGS_ROLE
from reader.ui.main_window import MainWindow
from tests.conftest import OpenWindow, settle, show

WAIT = 10_000
RIVER = """# River notes

The first paragraph is about the weather over the quay.

The zanzibarine heron stood on one leg beside the ferry.
"""
PASSAGE = "The zanzibarine heron stood on one leg"
BUNDLED = 5


def listed(window: MainWindow) -> dict[str, str]:
    """The articles in the list: title by id."""
    return {a.id: a.title for a in window.library_panel.model.articles()}


def shown_ids(window: MainWindow) -> list[str]:
    model = window.library_panel.model
    return [model.article(r).id for r in range(model.shown_count())]


def tags_shown(window: MainWindow, article_id: str) -> str:
    model = window.library_panel.model
    return str(model.index(model.row_of(article_id), 0).data(TAGS_ROLE))


def river(core: ReaderCore) -> tuple[Path, str]:
    """A note in the library folder, catalogued, with a bookmark on it."""
    path = core.data_dir / "library" / "river.md"
    path.write_text(RIVER, encoding="utf-8")
    core.refresh()
    article_id = next(a.id for a in core.articles() if a.source == str(path))
    core.add_bookmark_quote(article_id, PASSAGE, note="heron")
    return path, article_id


def patch_dialog(
    monkeypatch: pytest.MonkeyPatch, name: str, answer: object
) -> list[tuple[object, ...]]:
    """Answer one of the Article menu's dialogs with ``answer``; what it was asked, kept."""
    asked: list[tuple[object, ...]] = []

    def ask(*args: object, **kwargs: object) -> object:
        asked.append(args[1:] + tuple(kwargs.values()))
        return answer

    monkeypatch.setattr(article_dialogs, name, ask)
    return asked


def wait_for(qtbot: QtBot, window: MainWindow, done: Callable[[], bool]) -> None:
    qtbot.waitUntil(done, timeout=WAIT)
    settle(qtbot, window)


def test_a_removed_article_leaves_the_list_and_undo_puts_it_back(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    path, article_id = river(core)
    window = open_window(data_dir)
    show(qtbot, window, article_id)
    assert window.library_panel.current_id() == article_id
    assert [b.detached for b in window.bookmarks_panel.items()] == [False]

    # Delete in the list removes the article selected; pressed again before that lands,
    # it is not removed twice.
    window.library_panel.view.setFocus()
    qtbot.keyClick(window.library_panel.view, Qt.Key.Key_Delete)
    qtbot.keyClick(window.library_panel.view, Qt.Key.Key_Delete)
    wait_for(qtbot, window, lambda: article_id not in listed(window))
    assert window.undo_stack.count() == 1
    qtbot.waitUntil(lambda: [b.detached for b in window.bookmarks_panel.items()] == [True])
    assert not path.exists()
    page = window.view.page
    assert page is not None and page.id != article_id  # another article is shown
    assert window.status_label.text().startswith("Removed “River notes”")
    assert "puts it back" in window.status_label.text()

    window.undo_stack.undo()
    wait_for(qtbot, window, lambda: article_id in listed(window))
    qtbot.waitUntil(lambda: [b.detached for b in window.bookmarks_panel.items()] == [False])
    assert path.read_text(encoding="utf-8") == RIVER  # the file is home again
    assert listed(window)[article_id] == "River notes"
    qtbot.waitUntil(lambda: window.view.page is not None and window.view.page.id == article_id)
    (mark,) = core.bookmarks(article_id)
    assert not mark.detached and mark.exact == PASSAGE
    assert window.status_label.text() == "“River notes” is back"

    window.undo_stack.redo()  # removed again
    wait_for(qtbot, window, lambda: article_id not in listed(window))
    assert not path.exists()


def test_the_last_article_removed_leaves_an_empty_page_and_nothing_to_act_on(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    a = window.commands
    for left in range(BUNDLED - 1, -1, -1):
        assert a.remove_article.isEnabled()
        a.remove_article.trigger()  # bundled articles are hidden
        wait_for(qtbot, window, lambda: len(listed(window)) == left)  # noqa: B023 (waited for here)
    assert window.view.page is None
    assert window.windowTitle() == "reader"
    assert "No articles yet" in window.view.toPlainText()
    for action in (a.remove_article, a.rename_article, a.tag_article, a.show_in_folder):
        assert not action.isEnabled()

    window.undo_stack.undo()
    wait_for(qtbot, window, lambda: len(listed(window)) == 1)
    qtbot.waitUntil(lambda: window.view.page is not None)
    assert a.remove_article.isEnabled()


def test_rename_shows_the_new_title_in_the_list_and_the_window_title(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    core: ReaderCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _path, article_id = river(core)
    window = open_window(data_dir)
    show(qtbot, window, article_id)
    asked = patch_dialog(monkeypatch, "ask_title", "Harbour log")
    window.commands.rename_article.trigger()
    assert asked == [("River notes", True)]  # prefilled with the title shown
    wait_for(qtbot, window, lambda: listed(window)[article_id] == "Harbour log")
    assert window.windowTitle() == "Harbour log — reader"
    assert window.view.page is not None and window.view.page.title == "Harbour log"
    assert window.bookmarks_panel.items()  # the bookmarks panel is told too
    assert window.status_label.text() == "Renamed “Harbour log”"

    patch_dialog(monkeypatch, "ask_title", "")  # empty: the file's own title
    window.commands.rename_article.trigger()
    wait_for(qtbot, window, lambda: listed(window)[article_id] == "River notes")
    assert window.windowTitle() == "River notes — reader"

    window.undo_stack.undo()
    wait_for(qtbot, window, lambda: listed(window)[article_id] == "Harbour log")
    assert window.status_label.text() == "Title back to “Harbour log”"


def test_tags_show_in_the_list_and_tag_name_filters_by_them(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    core: ReaderCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _path, article_id = river(core)
    core.tag("backend-developer", add=["work"])
    window = open_window(data_dir)
    show(qtbot, window, article_id)
    panel = window.library_panel
    row = panel.index_of(article_id)
    untagged_height = panel.view.visualRect(row).height()

    asked = patch_dialog(monkeypatch, "ask_tags", ("ferries", "Winter Walks"))
    window.commands.tag_article.trigger()
    assert asked == [("River notes", (), {"work": 1})]
    wait_for(qtbot, window, lambda: tags_shown(window, article_id) == "ferries · winter walks")
    assert panel.view.visualRect(row).height() > untagged_height  # a line for the tags
    assert window.status_label.text() == "Tags of “River notes”: ferries, winter walks"

    panel.filter_edit.setText("tag:ferries")
    assert shown_ids(window) == [article_id]
    panel.filter_edit.setText('river tag:"winter walks"')  # with words, a tag of two words
    assert shown_ids(window) == [article_id]
    panel.filter_edit.setText("tag:ferries backend")
    assert shown_ids(window) == []
    panel.filter_edit.setText("tag:work")
    assert shown_ids(window) == ["backend-developer"]

    # The tag button lists the tags with their counts, and fills the filter.
    assert panel.tag_button.isVisibleTo(panel)
    panel.tag_menu.aboutToShow.emit()
    items = [a.text() for a in panel.tag_menu.actions() if a.text()]
    assert items == ["All Articles", "ferries\t1", "winter walks\t1", "work\t1"]
    panel.filter_edit.setText("river")
    panel.filter_by_tag("winter walks")
    assert panel.filter_edit.text() == 'tag:"winter walks" river'
    assert shown_ids(window) == [article_id]
    panel.filter_by_tag(None)
    assert panel.filter_edit.text() == "river"

    window.undo_stack.undo()
    wait_for(qtbot, window, lambda: tags_shown(window, article_id) == "")


def test_rename_tag_renames_it_in_the_list(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    core: ReaderCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core.tag("backend-developer", add=["ferries", "work"])
    core.tag("the-role-of-the-backend", add=["ferries"])
    window = open_window(data_dir)
    window.library_panel.filter_edit.setText("tag:ferries")
    assert len(shown_ids(window)) == 2
    asked = patch_dialog(monkeypatch, "ask_tag_rename", ("ferries", "boats"))
    window.commands.rename_tag.trigger()
    assert asked == [({"ferries": 2, "work": 1}, "ferries")]  # the tag filtered by comes first
    wait_for(qtbot, window, lambda: tags_shown(window, "the-role-of-the-backend") == "boats")
    assert tags_shown(window, "backend-developer") == "boats · work"
    assert window.library_panel.filter_edit.text() == "tag:boats"  # the filter follows
    assert len(shown_ids(window)) == 2
    assert window.library_panel.tag_counts() == {"boats": 2, "work": 1}
    assert window.status_label.text() == "Tag “ferries” is “boats” now · 2 articles"


def test_delete_in_the_filter_field_deletes_text_not_an_article(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    field = window.library_panel.filter_edit
    field.setFocus()
    qtbot.keyClicks(field, "the role")
    qtbot.keyClick(field, Qt.Key.Key_Home)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert field.text() == "he role"
    qtbot.keyClick(field, Qt.Key.Key_End)
    qtbot.keyClick(field, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "he "  # the word before the cursor
    settle(qtbot, window)
    assert window.undo_stack.count() == 0
    assert len(listed(window)) == BUNDLED


def test_keys_and_the_row_menu(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    a = window.commands
    assert a.rename_article.shortcut() == QKeySequence("F2")
    assert a.tag_article.shortcut() == QKeySequence("Ctrl+T")
    assert QKeySequence("Del") in a.remove_article.shortcuts()
    assert a.remove_article.shortcutContext() == Qt.ShortcutContext.WidgetShortcut
    menu = window.article_menu()
    assert [x.text() for x in menu.actions() if x.text()] == [
        "Re&name…", "&Tags…", "Rename Ta&g…", "Show in &Folder", "&Remove Article",
    ]  # fmt: skip
    titles = [m.title() for m in window.menuBar().findChildren(type(menu)) if m.title()]
    assert titles.index("&Article") == titles.index("&Edit") + 1


def test_show_in_folder_opens_the_folder_of_the_articles_file(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    core: ReaderCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, article_id = river(core)
    window = open_window(data_dir)
    show(qtbot, window, article_id)
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    window.commands.show_in_folder.trigger()
    assert [u.toLocalFile() for u in opened] == [str(path.parent)]


def test_a_remove_and_its_undo_make_at_most_one_refresh_each(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    core: ReaderCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _path, article_id = river(core)
    window = open_window(data_dir)
    show(qtbot, window, article_id)
    refreshes: list[int] = []
    refresh = ReaderCore.refresh

    def counted(self: ReaderCore, progress: Callable[[int, int], None] | None = None) -> object:
        refreshes.append(1)
        return refresh(self, progress)

    monkeypatch.setattr(ReaderCore, "refresh", counted)
    window.commands.remove_article.trigger()
    wait_for(qtbot, window, lambda: article_id not in listed(window))
    message = window.status_label.text()
    qtbot.wait(1500)  # longer than the watcher waits before it tells
    settle(qtbot, window)
    assert len(refreshes) <= 1
    assert window.status_label.text() == message  # not talked over by a refresh
    refreshes.clear()
    window.undo_stack.undo()
    wait_for(qtbot, window, lambda: article_id in listed(window))
    qtbot.wait(1500)
    settle(qtbot, window)
    assert len(refreshes) <= 1


# A menu shown offscreen raises itself and grabs the keyboard, which the platform cannot.
@pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard)$", extend=True
)
def test_the_row_menu_acts_on_the_row_right_clicked(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, "backend-developer")
    asked = patch_dialog(monkeypatch, "ask_title", "")  # cancelled-like: nothing changes
    panel = window.library_panel
    row = panel.index_of("the-role-of-the-backend")
    where = panel.view.visualRect(row).center()

    def choose_rename() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        (rename,) = [a for a in menu.actions() if a.text() == "Re&name…"]
        assert rename.isEnabled()
        rename.trigger()
        menu.close()

    QTimer.singleShot(200, choose_rename)
    panel._row_menu(where)  # as a right-click there asks
    assert asked == [("The Role of the Backend Developer", True)]
    assert window.article_target() is not None


@pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard)$", extend=True
)
def test_the_tags_field_completes_the_tag_being_typed(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    field = article_dialogs.tags_field(parent, ["history"], {"ferries": 2, "history": 1})
    assert field.text() == "history, "  # ready for one more
    parent.show()
    field.setFocus()
    field.end(False)
    qtbot.keyClicks(field, "Fe")
    completer = field.findChild(QCompleter)
    assert isinstance(completer, QCompleter)
    assert completer.completionCount() == 1 and completer.currentCompletion() == "ferries"
    completer.activated.emit("ferries")  # chosen in its list
    assert field.text() == "history, ferries, "


def test_undoing_a_remove_then_a_rename_takes_both_back_in_turn(
    qtbot: QtBot,
    data_dir: Path,
    open_window: OpenWindow,
    core: ReaderCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _path, article_id = river(core)
    window = open_window(data_dir)
    show(qtbot, window, article_id)
    patch_dialog(monkeypatch, "ask_title", "Mine")
    window.library_panel.view.setFocus()
    window.commands.rename_article.trigger()
    wait_for(qtbot, window, lambda: listed(window).get(article_id) == "Mine")
    window.library_panel.view.setFocus()
    qtbot.keyClick(window.library_panel.view, Qt.Key.Key_Delete)
    wait_for(qtbot, window, lambda: article_id not in listed(window))

    window.undo_stack.undo()
    window.undo_stack.undo()  # at once: the rename is taken back after the article is back
    wait_for(qtbot, window, lambda: listed(window).get(article_id) == "River notes")
    settle(qtbot, window)
    assert window.undo_stack.index() == 0
    assert core.info(article_id).title == "River notes"


def test_titles_and_removals_made_elsewhere_are_shown(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, core: ReaderCore
) -> None:
    window = open_window(data_dir)
    first, second = list(listed(window))[:2]
    core.retitle(first, "Retitled elsewhere")  # as the command line would
    core.remove_article(second)
    wait_for(qtbot, window, lambda: listed(window).get(first) == "Retitled elsewhere")
    wait_for(qtbot, window, lambda: second not in listed(window))
