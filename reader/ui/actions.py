"""The window's actions, menus and toolbar, built in one place."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow

from reader.ui.themes import CHOICES, SYSTEM


def shortcuts(*keys: QKeySequence | QKeySequence.StandardKey | str) -> list[QKeySequence]:
    """Key sequences without repeats: a platform's standard key often equals an explicit one
    (FindNext is F3 on X11), and a sequence bound twice triggers nothing."""
    unique: list[QKeySequence] = []
    for key in keys:
        seq = QKeySequence(key)
        if not seq.isEmpty() and all(seq != u for u in unique):
            unique.append(seq)
    return unique


THEME_LABELS = {SYSTEM: "&Follow System", "light": "&Light", "sepia": "S&epia", "dark": "&Dark"}
COLUMNS = {"narrow": ("&Narrow Column", 58, "Alt+1"), "medium": ("&Medium Column", 70, "Alt+2"),
           "wide": ("&Wide Column", 86, "Alt+3")}  # fmt: skip


@dataclass
class Actions:
    import_files: QAction
    import_folder: QAction
    cancel_import: QAction
    watched_folders: QAction
    import_bookmarks: QAction
    export_bookmarks: QAction
    print_article: QAction
    export_pdf: QAction
    print_marks: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    bookmark: QAction
    themes: QActionGroup
    next_theme: QAction
    bigger: QAction
    smaller: QAction
    reset_size: QAction
    font: QAction
    columns: QActionGroup
    outline: QAction
    focus_library: QAction
    search: QAction
    find: QAction
    next_hit: QAction
    previous_hit: QAction
    more_like: QAction
    ask_links: QAction
    original: QAction
    caret: QAction
    shortcuts_help: QAction
    about: QAction
    remove_article: QAction
    rename_article: QAction
    tag_article: QAction
    rename_tag: QAction
    show_in_folder: QAction


def build_actions(window: QMainWindow, undo_stack: QUndoStack, outline: QAction) -> Actions:
    """Make the actions, and the menus and toolbar that show them."""
    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    import_files = QAction("&Import Files…", window)
    import_files.setShortcuts(shortcuts(QKeySequence.StandardKey.Open))
    import_files.setToolTip("Import articles: Markdown, text and saved web pages (Ctrl+O)")
    import_folder = QAction("Import &Folder…", window)
    import_folder.setShortcuts(shortcuts("Ctrl+Alt+O"))
    import_folder.setToolTip("Import every article in a folder and the folders inside it")
    cancel_import = QAction("&Cancel Import", window)
    cancel_import.setShortcuts(shortcuts("Esc"))
    cancel_import.setToolTip("Stop the import: what is already converted is kept (Esc)")
    cancel_import.setEnabled(False)  # while an import runs
    watched_folders = QAction("&Watched Folders…", window)
    watched_folders.setToolTip(
        "Folders whose articles are read where they are, without copying them, and followed"
        " as their files change"
    )
    import_bookmarks = QAction("Import &Bookmarks…", window)
    import_bookmarks.setShortcuts(shortcuts("Ctrl+Shift+I"))
    import_bookmarks.setToolTip("Merge bookmarks from a JSON-LD export or a backup")
    export_bookmarks = QAction("&Export Bookmarks…", window)
    export_bookmarks.setShortcuts(shortcuts("Ctrl+Shift+B"))
    print_article = QAction("&Print…", window)
    print_article.setShortcuts(shortcuts(QKeySequence.StandardKey.Print))
    export_pdf = QAction("Export as P&DF…", window)
    export_pdf.setShortcuts(shortcuts("Ctrl+Shift+E"))
    print_marks = QAction("&Mark Bookmarks on Paper", window, checkable=True)
    print_marks.setChecked(True)
    print_marks.setToolTip("Printed and exported pages show the bookmarked passages marked")
    quit_ = QAction("&Quit", window)
    quit_.setShortcuts(shortcuts(QKeySequence.StandardKey.Quit))
    file_menu.addAction(import_files)
    file_menu.addAction(import_folder)
    file_menu.addAction(watched_folders)
    file_menu.addAction(cancel_import)
    file_menu.addAction(import_bookmarks)
    file_menu.addAction(export_bookmarks)
    file_menu.addSeparator()
    file_menu.addAction(print_article)
    file_menu.addAction(export_pdf)
    file_menu.addAction(print_marks)
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

    article_menu = menu.addMenu("&Article")
    remove_article = QAction("&Remove Article", window)
    # Only where the list has the focus: in a text field these keys delete text.
    remove_article.setShortcuts(shortcuts(QKeySequence.StandardKey.Delete, "Ctrl+Backspace"))
    remove_article.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    remove_article.setToolTip(
        "Take the article out of the library: its file waits in the trash, Edit ▸ Undo "
        "puts it back (Delete in the library list)"
    )
    rename_article = QAction("Re&name…", window)
    rename_article.setShortcuts(shortcuts("F2"))
    rename_article.setToolTip("Give the article a title of your own (F2)")
    tag_article = QAction("&Tags…", window)
    tag_article.setShortcuts(shortcuts("Ctrl+T"))
    tag_article.setToolTip("The article's tags; filter the list by one with tag:name (Ctrl+T)")
    rename_tag = QAction("Rename Ta&g…", window)
    rename_tag.setToolTip("Rename a tag on every article and bookmark that has it")
    show_in_folder = QAction("Show in &Folder", window)
    show_in_folder.setToolTip("Open the folder the article's file is in")
    for action in (remove_article, rename_article, tag_article, rename_tag, show_in_folder):
        action.setEnabled(False)  # until there is an article
    article_menu.addAction(rename_article)
    article_menu.addAction(tag_article)
    article_menu.addAction(rename_tag)
    article_menu.addSeparator()
    article_menu.addAction(show_in_folder)
    article_menu.addSeparator()
    article_menu.addAction(remove_article)

    view_menu = menu.addMenu("&View")
    theme_menu = view_menu.addMenu("&Theme")
    themes = QActionGroup(window)
    for name in CHOICES:
        action = QAction(THEME_LABELS[name], window, checkable=True)
        action.setData(name)
        themes.addAction(action)
        theme_menu.addAction(action)
    theme_menu.addSeparator()
    next_theme = QAction("&Next Theme", window)
    next_theme.setShortcuts(shortcuts("Ctrl+Shift+T"))
    theme_menu.addAction(next_theme)
    bigger = QAction("&Larger Text", window)
    bigger.setShortcuts(shortcuts(QKeySequence.StandardKey.ZoomIn, "Ctrl+="))
    smaller = QAction("&Smaller Text", window)
    smaller.setShortcuts(shortcuts(QKeySequence.StandardKey.ZoomOut))
    reset_size = QAction("&Actual Size", window)
    reset_size.setShortcuts(shortcuts("Ctrl+0"))
    font = QAction("Reading &Font…", window)
    font.setShortcuts(shortcuts("Ctrl+Shift+R"))
    view_menu.addAction(bigger)
    view_menu.addAction(smaller)
    view_menu.addAction(reset_size)
    view_menu.addAction(font)
    column_menu = view_menu.addMenu("Line &Width")
    columns = QActionGroup(window)
    for key, (label, chars, keys) in COLUMNS.items():
        action = QAction(label, window, checkable=True)
        action.setShortcuts(shortcuts(keys))
        action.setData(chars)
        action.setObjectName(f"column-{key}")
        columns.addAction(action)
        column_menu.addAction(action)
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
    search.setShortcuts(shortcuts("Ctrl+K", "Ctrl+Shift+F"))
    find = QAction("&Find in Article…", window)
    find.setShortcuts(shortcuts(QKeySequence.StandardKey.Find))
    next_hit = QAction("&Next Match", window)
    next_hit.setShortcuts(shortcuts("F3", QKeySequence.StandardKey.FindNext))
    previous_hit = QAction("&Previous Match", window)
    previous_hit.setShortcuts(shortcuts("Shift+F3", QKeySequence.StandardKey.FindPrevious))
    for action in (focus_library, search, find, next_hit, previous_hit):
        go_menu.addAction(action)
    go_menu.addSeparator()
    more_like = QAction("&More Like This", window)
    more_like.setShortcuts(shortcuts("Ctrl+Shift+M"))
    more_like.setToolTip(
        "The articles most like the selected passage, else the bookmark chosen in the "
        "Bookmarks tab, else the article (Ctrl+Shift+M)"
    )
    go_menu.addAction(more_like)

    help_menu = menu.addMenu("&Help")
    shortcuts_help = QAction("&Keyboard Shortcuts", window)
    shortcuts_help.setShortcuts(shortcuts(QKeySequence.StandardKey.HelpContents))
    about = QAction("&About reader", window)
    help_menu.addAction(shortcuts_help)
    help_menu.addAction(about)

    return Actions(
        import_files, import_folder, cancel_import, watched_folders, import_bookmarks,
        export_bookmarks,
        print_article, export_pdf, print_marks,
        quit_,
        undo, redo, bookmark, themes, next_theme, bigger, smaller, reset_size, font, columns,
        outline, focus_library, search, find, next_hit, previous_hit, more_like, ask_links,
        original,
        caret, shortcuts_help, about,
        remove_article, rename_article, tag_article, rename_tag, show_in_folder,
    )  # fmt: skip
