"""The window's actions, menus and toolbar, built in one place."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow

from reader.ui.themes import THEMES


def shortcuts(*keys: QKeySequence | QKeySequence.StandardKey | str) -> list[QKeySequence]:
    """Key sequences without repeats: a platform's standard key often equals an explicit one
    (FindNext is F3 on X11), and a sequence bound twice triggers nothing."""
    unique: list[QKeySequence] = []
    for key in keys:
        seq = QKeySequence(key)
        if not seq.isEmpty() and all(seq != u for u in unique):
            unique.append(seq)
    return unique


@dataclass
class Actions:
    import_files: QAction
    import_bookmarks: QAction
    export_bookmarks: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    bookmark: QAction
    themes: QActionGroup
    bigger: QAction
    smaller: QAction
    outline: QAction
    focus_library: QAction
    search: QAction
    next_hit: QAction
    previous_hit: QAction
    ask_links: QAction
    original: QAction
    caret: QAction


def build_actions(window: QMainWindow, undo_stack: QUndoStack, outline: QAction) -> Actions:
    """Make the actions, and the menus and toolbar that show them."""
    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    import_files = QAction("&Import Files…", window)
    import_files.setShortcuts(shortcuts(QKeySequence.StandardKey.Open))
    import_bookmarks = QAction("Import &Bookmarks…", window)
    import_bookmarks.setToolTip("Merge bookmarks from a JSON-LD export or a backup")
    export_bookmarks = QAction("&Export Bookmarks…", window)
    quit_ = QAction("&Quit", window)
    quit_.setShortcuts(shortcuts(QKeySequence.StandardKey.Quit))
    file_menu.addAction(import_files)
    file_menu.addAction(import_bookmarks)
    file_menu.addAction(export_bookmarks)
    file_menu.addSeparator()
    file_menu.addAction(quit_)

    edit_menu = menu.addMenu("&Edit")
    undo = undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcuts(shortcuts(QKeySequence.StandardKey.Undo))
    redo = undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts(shortcuts(QKeySequence.StandardKey.Redo))
    bookmark = QAction("&Bookmark Passage…", window)
    bookmark.setShortcuts(shortcuts("Ctrl+D"))
    bookmark.setToolTip("Keep the selected passage, with a note (Ctrl+D)")
    edit_menu.addAction(undo)
    edit_menu.addAction(redo)
    edit_menu.addSeparator()
    edit_menu.addAction(bookmark)
    caret = QAction("Select with &Keyboard", window, checkable=True)
    caret.setShortcuts(shortcuts("F7"))
    caret.setToolTip("A text cursor in the article: arrow keys move it, Shift+arrows select (F7)")
    edit_menu.addAction(caret)

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.addAction(import_files)
    toolbar.addAction(bookmark)

    view_menu = menu.addMenu("&View")
    themes = QActionGroup(window)
    for name in THEMES:
        action = QAction(name.capitalize(), window, checkable=True)
        action.setData(name)
        themes.addAction(action)
        view_menu.addAction(action)
    view_menu.addSeparator()
    bigger = QAction("&Larger Text", window)
    bigger.setShortcuts(shortcuts(QKeySequence.StandardKey.ZoomIn))
    smaller = QAction("&Smaller Text", window)
    smaller.setShortcuts(shortcuts(QKeySequence.StandardKey.ZoomOut))
    view_menu.addAction(bigger)
    view_menu.addAction(smaller)
    view_menu.addSeparator()
    outline.setText("&Outline")
    outline.setShortcuts(shortcuts("Ctrl+Shift+O"))
    view_menu.addAction(outline)
    original = QAction("O&riginal Text", window, checkable=True)
    original.setShortcuts(shortcuts("Ctrl+U"))
    original.setToolTip("The article's file as it was, with what cleaning left out struck through")
    view_menu.addAction(original)
    view_menu.addSeparator()
    ask_links = QAction("Ask Before Opening &Links", window, checkable=True)
    ask_links.setToolTip("Unchecked: a clicked web or mail link is copied, never opened")
    view_menu.addAction(ask_links)

    go_menu = menu.addMenu("&Go")
    focus_library = QAction("&Library", window)
    focus_library.setShortcuts(shortcuts("Ctrl+L"))
    search = QAction("&Search Library…", window)
    search.setShortcuts(shortcuts("Ctrl+K", QKeySequence.StandardKey.Find))
    next_hit = QAction("&Next Hit", window)
    next_hit.setShortcuts(shortcuts("F3", QKeySequence.StandardKey.FindNext))
    previous_hit = QAction("&Previous Hit", window)
    previous_hit.setShortcuts(shortcuts("Shift+F3", QKeySequence.StandardKey.FindPrevious))
    for action in (focus_library, search, next_hit, previous_hit):
        go_menu.addAction(action)

    return Actions(
        import_files, import_bookmarks, export_bookmarks, quit_, undo, redo, bookmark, themes,
        bigger, smaller, outline, focus_library, search, next_hit, previous_hit, ask_links,
        original, caret,
    )  # fmt: skip
