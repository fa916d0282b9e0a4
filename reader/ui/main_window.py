"""The main window: the library, search and bookmarks beside the reading view.

Its parts are made in ``__init__`` and their signals wired in
``_connect_signals``, the one place where who talks to whom is written. Every
core call goes through :class:`~reader.ui.operations.Operations`, off the UI
thread; the slots named ``on_…_ready`` take the answers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
    QTextDocument,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QFontDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader import __version__
from reader.bookmarks import Bookmark
from reader.core import AnnotationImport, Page, ReaderCore
from reader.errors import ReaderError
from reader.library import ArticleInfo, ImportOutcome, RefreshReport
from reader.library.articles import readable
from reader.library.importing import SUPPORTED_SUFFIXES, Original
from reader.rendering import original_html
from reader.search import Hit, Related, SearchResults, SyncReport
from reader.ui import article_dialogs
from reader.ui.actions import build_actions
from reader.ui.article_view import BODY_PX, ArticleView, Prepared, Span, prepare_document
from reader.ui.bookmarks_panel import BOOKMARK_ROLE, BookmarkDialog, BookmarksPanel
from reader.ui.collector import UiThreadCollector
from reader.ui.find_bar import FindBar, find_all
from reader.ui.folders_dialog import FoldersDialog
from reader.ui.import_panel import (
    DROPPED_TEXT,
    DropRouter,
    ImportDetails,
    ImportJob,
    ImportSummary,
    ProgressStrip,
    Summary,
    summarize,
    write_note,
)
from reader.ui.library_panel import LibraryPanel, fold_tag
from reader.ui.operations import Lane, Operations
from reader.ui.outline import OutlineView
from reader.ui.printing import article_document, bookmark_marks, print_document, write_pdf
from reader.ui.progress import Latest, Progress
from reader.ui.related_panel import RelatedPanel, Source
from reader.ui.search_panel import SearchPanel
from reader.ui.settings import WindowSettings
from reader.ui.themes import (
    CHOICES,
    SERIF_FAMILIES,
    SYSTEM,
    first_family,
    palette,
    resolve,
)
from reader.ui.undo import (
    ArticleCommand,
    BookmarkCommand,
    CoreCall,
    Kind,
    Memo,
    added,
    attached,
    deleted,
)
from reader.ui.watcher import LibraryWatcher

SEARCH_LIMIT = 30
RELATED_LIMIT = 12
PROGRESS_MIN_STEPS = 100  # smaller jobs end before a bar could tell anything


ARTICLE_PATTERNS = " ".join(f"*{suffix}" for suffix in sorted(SUPPORTED_SUFFIXES))
WATCH_MS = 500  # how often the bookmarks are checked for changes made elsewhere
POSITION_MS = 1000  # how long the page rests before where the reader is, is kept
SIDEBAR_WIDTH = 300  # the sidebar's width when it comes back after giving way
BookmarksRead = tuple[tuple[object, ...], list[Bookmark], dict[str, str]]  # version, all, titles
T = TypeVar("T")


class MainWindow(QMainWindow):
    library_loaded = Signal()  # the list shows the catalog after the startup refresh
    library_updated = Signal()  # a change in the library folder is shown (list, page, marks)
    index_ready = Signal()  # the search index holds what the library holds
    search_finished = Signal(SearchResults)
    page_shown = Signal(str)  # an article id
    bookmarks_shown = Signal()  # the bookmarks panel and highlights are up to date
    # From an import's worker thread: the import (by number) has a report to take.
    # Crossing to the UI thread, it is the only way in.
    import_progressed = Signal(int)
    import_finished = Signal()  # an import ended and its summary is shown

    def __init__(
        self,
        ops: Operations,
        settings: WindowSettings,
        parent: QWidget | None = None,
        backups_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.settings = settings
        self.backups_dir = backups_dir  # where Import Bookmarks looks first
        self.setWindowTitle("reader")
        self.resize(1280, 820)
        self._pending_target: tuple[str, str | None] | None = None
        self._pending_hit: Hit | None = None
        self._pending_span: Span | None = None
        self._from_related: str | None = None  # an article opened from the Related list
        self._menu_target: str | None = None  # the row a context menu is open for
        self.folders_dialog: FoldersDialog | None = None
        self._removing: set[str] = set()  # articles whose remove has not landed yet
        # What to say once an article (by id) is shown, in place of its length.
        self._said_with_page: tuple[str, str] | None = None

        self.library_panel = LibraryPanel(self)
        self.search_panel = SearchPanel(settings, self)
        self.bookmarks_panel = BookmarksPanel(self)
        self.related_panel = RelatedPanel(self)
        self.sidebar = QTabWidget(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setDocumentMode(True)
        self.sidebar.addTab(self.library_panel, "Library")
        self.sidebar.addTab(self.search_panel, "Search")
        self.sidebar.addTab(self.bookmarks_panel, "Bookmarks")
        self.sidebar.addTab(self.related_panel, "Related")
        self.view = ArticleView(self)
        self.find_bar = FindBar(self)
        reading = _stacked(self, self.view, self.find_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(reading)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 940])
        self.splitter.setCollapsible(0, True)  # the sidebar gives way to a narrow page
        self.splitter.setCollapsible(1, False)
        self.import_summary = ImportSummary(self)
        self.import_details: ImportDetails | None = None
        self.setCentralWidget(_stacked(self, self.splitter, self.import_summary))
        self._gave_way: set[str] = set()  # "outline", "sidebar": hidden for a narrow window
        self._theme_choice = SYSTEM
        self.shortcuts_dialog: QDialog | None = None

        self.outline = OutlineView(self)
        self.outline_dock = QDockWidget("Outline", self)
        self.outline_dock.setObjectName("outlineDock")
        self.outline_dock.setWidget(self.outline)
        self.outline_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.outline_dock)
        self.outline_dock.hide()

        self.status_label = QLabel(self)
        self.progress_strip = ProgressStrip(self)
        self.progress = self.progress_strip.bar
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress_strip)
        self._imports: list[ImportJob] = []  # started and not yet answered, oldest first
        self._import_numbers = itertools.count(1)

        self.undo_stack = QUndoStack(self)
        self.link_box: QMessageBox | None = None  # the open "Open link?" question
        self.commands = build_actions(self, self.undo_stack, self.outline_dock.toggleViewAction())
        # Bookmarks changed by another process (the command line, another window, a
        # synced copy of the data folder) show up here: the store is asked twice a second.
        self._bookmarks_version: tuple[object, ...] | None = None
        self.collector = UiThreadCollector(self)
        self.collector.start()
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(WATCH_MS)
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(1600)
        self._position_timer = QTimer(self)
        self._position_timer.setSingleShot(True)
        self._position_timer.setInterval(POSITION_MS)
        # Files added, changed or removed in the library folder by anyone (another
        # program, the command line) are catalogued and shown within a second.
        self.watcher = LibraryWatcher(self)
        self._articles: list[ArticleInfo] = []  # the catalog as the list shows it
        self._shut = False  # shutdown() was called: nothing more is watched
        self._connect_signals()
        self._take_drops()
        self._restore_view_settings()

    # --- wiring ----------------------------------------------------------------

    def _connect_signals(self) -> None:
        a = self.commands
        a.import_files.triggered.connect(self.on_import_triggered)
        a.import_folder.triggered.connect(self.on_import_folder_triggered)
        a.cancel_import.triggered.connect(self.cancel_imports)
        self.progress_strip.cancel_requested.connect(self.cancel_imports)
        self.import_progressed.connect(self.on_import_progressed)
        self.import_summary.details_requested.connect(self.show_import_details)
        a.export_bookmarks.triggered.connect(self.on_export_triggered)
        a.import_bookmarks.triggered.connect(self.on_import_bookmarks_triggered)
        a.quit.triggered.connect(self.close)
        a.bookmark.triggered.connect(self.on_bookmark_triggered)
        a.themes.triggered.connect(self.on_theme_triggered)
        a.next_theme.triggered.connect(self.on_next_theme)
        a.bigger.triggered.connect(lambda: self.on_font_step(+1))
        a.smaller.triggered.connect(lambda: self.on_font_step(-1))
        a.reset_size.triggered.connect(lambda: self.on_font_step(0))
        a.font.triggered.connect(self.on_font_triggered)
        a.columns.triggered.connect(self.on_column_triggered)
        a.focus_library.triggered.connect(self.on_focus_library)
        a.search.triggered.connect(self.on_search_triggered)
        a.find.triggered.connect(self.on_find_triggered)
        a.next_hit.triggered.connect(self.view.next_hit)
        a.previous_hit.triggered.connect(self.view.previous_hit)
        a.print_article.triggered.connect(self.on_print_triggered)
        a.export_pdf.triggered.connect(self.on_export_pdf_triggered)
        a.shortcuts_help.triggered.connect(self.show_shortcuts)
        a.about.triggered.connect(self.show_about)
        self.find_bar.text_changed.connect(self.on_find_text)
        self.find_bar.next_requested.connect(self.view.next_hit)
        self.find_bar.previous_requested.connect(self.view.previous_hit)
        self.find_bar.closed.connect(self.on_find_closed)
        self.view.hits_changed.connect(self.find_bar.show_count)
        self.view.verticalScrollBar().valueChanged.connect(self.on_page_scrolled)
        self._position_timer.timeout.connect(self.keep_position)
        self.library_panel.view.header().sortIndicatorChanged.connect(
            lambda column, order: self.settings.set_library_sort(
                column, order == Qt.SortOrder.DescendingOrder
            )
        )
        self.library_panel.columns_changed.connect(self.on_library_columns_changed)
        hints = QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(self.on_color_scheme_changed)
        a.ask_links.toggled.connect(self.on_ask_links_toggled)
        a.original.toggled.connect(self.on_original_toggled)
        self.view.external_link.connect(self.on_external_link)

        self.ops.failed.connect(self.on_operation_failed)
        self.ops.progress.connect(self.on_operation_progress)
        self.ops.notice.connect(self.on_notice)

        self.library_panel.article_selected.connect(self.open_article)
        self.search_panel.query_changed.connect(self.on_query_changed)
        self.search_panel.hit_activated.connect(self.on_hit_activated)
        self.search_finished.connect(self.search_panel.show_results)
        self.bookmarks_panel.bookmark_activated.connect(self.show_bookmark)
        self.bookmarks_panel.bookmark_edited.connect(self.on_bookmark_edited)
        self.bookmarks_panel.delete_requested.connect(self.on_delete_requested)
        self.bookmarks_panel.attach_requested.connect(self.on_attach_requested)
        self.bookmarks_panel.attach_to_selection_requested.connect(
            self.on_attach_to_selection_requested
        )
        self.bookmarks_panel.place_shown.connect(self.on_place_shown)
        self.outline.anchor_activated.connect(self.view.scrollToAnchor)
        a.more_like.triggered.connect(self.on_more_like_triggered)
        self.related_panel.hit_activated.connect(self.on_related_activated)
        self.related_panel.source_activated.connect(self.on_related_source_activated)
        self.sidebar.currentChanged.connect(lambda _index: self.refresh_related())
        self.page_shown.connect(self.on_page_shown_for_related)
        self.index_ready.connect(self.on_index_ready_for_related)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self.on_view_context_menu)
        self._flash_timer.timeout.connect(lambda: self.view.flash(None))
        self._watch_timer.timeout.connect(self.check_bookmarks_version)
        self.watcher.changed.connect(self.on_library_changed)
        a.caret.toggled.connect(self.view.set_caret_browsing)
        a.watched_folders.triggered.connect(self.on_watched_folders_triggered)
        a.remove_article.triggered.connect(self.on_remove_triggered)
        a.rename_article.triggered.connect(self.on_rename_triggered)
        a.tag_article.triggered.connect(self.on_tags_triggered)
        a.rename_tag.triggered.connect(self.on_rename_tag_triggered)
        a.show_in_folder.triggered.connect(self.on_show_in_folder_triggered)
        self.library_panel.view.addAction(a.remove_article)  # its keys work in the list only
        self.library_panel.menu_requested.connect(self.on_library_menu)
        self.library_panel.view.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.update_article_actions()
        )

    def say(self, message: str) -> None:
        self.status_label.setText(message[:1].upper() + message[1:])

    def on_operation_failed(self, message: str) -> None:
        self.end_progress()
        self.say(message)

    def on_operation_progress(self, label: str, done: int, total: int) -> None:
        """A long job's counts (checking the library, indexing); an import's come first."""
        if self._imports:
            return
        if total >= PROGRESS_MIN_STEPS and done < total:
            self.progress_strip.report(f"{label} {done:,} of {total:,}", done, total)
        else:
            self.progress_strip.finish()

    def end_progress(self) -> None:
        """A job ended: its counts go, unless an import is still running."""
        if not self._imports:
            self.progress_strip.finish()

    def on_notice(self, notice: str) -> None:
        QMessageBox.warning(self, "reader", notice[:1].upper() + notice[1:] + ".")

    # --- library ---------------------------------------------------------------

    def load_library(self) -> None:
        """Show the catalog at once, then bring it in step with the files off the UI thread;
        from then on the library folder is watched."""
        self.say("Checking the library…")
        self._watch_timer.start()
        self.check_bookmarks_version()  # what is there now, to tell changes from

        def check_files() -> None:
            if self._shut:
                return
            # The watch begins while the startup refresh runs (it holds the watcher):
            # what changes from then on is caught up by one refresh after it.
            self.ops.start(Lane.READ, _folders_to_watch, self.watch_library, key="library-folder")
            self._start_library(lambda core, p: core.refresh(p), self.on_refresh_ready,
                                label="Checking files")  # fmt: skip

        def listed(articles: list[ArticleInfo]) -> None:
            self.on_articles_ready(articles)
            check_files()

        def unlisted(message: str) -> None:
            self.say(message)
            check_files()

        # The catalog is listed first, alone: the files are checked once it is shown.
        # Without a key, so that no later listing drops it (the lane answers in turn).
        self.ops.start(Lane.READ, lambda core, _p: core.articles(), listed, on_error=unlisted)

    def on_articles_changed_elsewhere(self, articles: list[ArticleInfo]) -> None:
        if articles != self._articles:
            self.on_articles_ready(articles)
            page = self.view.page
            listed = {a.id: a for a in articles}
            if page is not None and page.id in listed:
                now = listed[page.id]
                if (now.title, now.tags) != (page.info.title, page.info.tags):
                    self.on_article_info(now)

    def rewatch(self, folders: list[Path]) -> None:
        """Watch these folders, if they are not the ones watched: the change is caught
        up by a refresh."""
        if [os.path.normpath(f) for f in folders] != self.watcher.roots and not self._shut:
            self.watch_library(folders)
            self.on_library_changed()

    def watch_library(self, folders: list[Path]) -> None:
        """Watch the library folder and the folders the user added."""
        if not self._shut:
            self.watcher.start(*folders)

    # --- watched folders ----------------------------------------------------------

    def on_watched_folders_triggered(self) -> None:
        """The folders whose articles are read where they are: listed, added, let go."""
        if self.folders_dialog is None:
            self.folders_dialog = FoldersDialog(self)
            self.folders_dialog.watch_requested.connect(self.watch_folder)
            self.folders_dialog.stop_requested.connect(self.stop_watching)
        dialog = self.folders_dialog
        self.ops.start(Lane.READ, lambda core, _p: core.watched_folders(), dialog.set_folders,
                       key="watched-folders")  # fmt: skip
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def watch_folder(self, folder: Path) -> None:
        self._change_folders(lambda core, p: core.watch_folder(folder, p),
                             f"Reading {readable(folder.name)}")  # fmt: skip

    def stop_watching(self, folder: Path) -> None:
        self._change_folders(lambda core, p: core.unwatch_folder(folder, p),
                             f"Letting go of {readable(folder.name)}")  # fmt: skip

    def _change_folders(
        self, fn: Callable[[ReaderCore, Progress], RefreshReport], label: str
    ) -> None:
        def done(report: RefreshReport) -> None:
            self.on_refresh_ready(report, watched=True)
            # What changed between that refresh and the new watch is caught by another.
            self.ops.start(Lane.READ, _folders_to_watch, self.rewatch)
            if self.folders_dialog is not None:
                dialog = self.folders_dialog
                self.ops.start(Lane.READ, lambda core, _p: core.watched_folders(),
                               dialog.set_folders)  # fmt: skip

        def failed(message: str) -> None:
            self.end_progress()
            self.on_operation_failed(message)
            if self.folders_dialog is not None:
                dialog = self.folders_dialog
                self.ops.start(Lane.READ, lambda core, _p: core.watched_folders(),
                               dialog.set_folders)  # fmt: skip

        self._start_library(fn, done, label=label, on_error=failed)

    def _start_library(
        self,
        fn: Callable[[ReaderCore, Progress], T],
        on_done: Callable[[T], None],
        *,
        label: str = "",
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``fn`` in the LIBRARY lane, the watcher held until it is answered: what the
        job writes to the library folder (an import's copies) is not told as a change,
        and what others change meanwhile is told once, after it."""
        self.watcher.hold()

        def done(result: T) -> None:
            try:
                on_done(result)
            finally:
                self.watcher.release()

        def failed(message: str) -> None:
            try:
                if on_error is not None:
                    on_error(message)
                else:
                    self.ops.failed.emit(message)
            finally:
                self.watcher.release()

        # No key: an answer dropped as superseded would leave the watcher held. Nor is
        # one needed: while a refresh waits or runs the watcher is held, so the changes
        # noticed meanwhile make one refresh after it, never a queue of them.
        self.ops.start(Lane.LIBRARY, fn, done, label=label, on_error=failed)

    def on_library_changed(self) -> None:
        """Files came, changed or went in the library folder: catalog them and show it."""
        self._start_library(lambda core, p: core.refresh(p),
                            lambda report: self.on_refresh_ready(report, watched=True),
                            label="Checking files")  # fmt: skip

    def on_articles_ready(self, articles: list[ArticleInfo]) -> None:
        had_rows = self.library_panel.model.article_count() > 0
        self._articles = articles
        self.library_panel.set_articles(articles)
        if not had_rows and articles:
            self._open_initial_article()
        self.update_article_actions()

    def on_refresh_ready(self, report: RefreshReport, *, watched: bool = False) -> None:
        """A refresh's report: at startup, or (``watched``) after the library folder changed."""
        self.end_progress()

        def finish(articles: list[ArticleInfo] | None) -> None:
            page = self.view.page
            if watched and not report.touched and articles == self._articles:
                return  # nothing new: the change was catalogued already, and is shown
            if articles is not None:  # the catalog changed: show it as it is now
                self.on_articles_ready(articles)
            if self._pending_target is not None:
                self._open_pending_target()
            elif page is not None and (page.id in report.changed or _changed_under(page, articles)):
                self.open_article(page.id)
            self.refresh_bookmarks()
            parts = [f"{self.library_panel.model.article_count():,} articles"]
            if watched and (what := _what_changed(report)):
                parts.insert(0, f"Library updated: {what}")
            if report.failed:
                path, reason = report.failed[0]
                name = readable(path.name)
                parts.append(f"{len(report.failed)} could not be read ({name}: {reason})")
            self.say(" · ".join(parts))
            if watched:
                self.library_updated.emit()
            else:
                self.library_loaded.emit()
            self.sync_index()

        if report.touched or watched:
            # A watched change is shown even when the report has none: another process
            # (``reader import``) may have catalogued it first.
            self.ops.start(Lane.READ, lambda core, _p: core.articles(), finish, key="articles")
        else:
            # The list shown at launch is current; wait only for it to be shown.
            self.ops.start(Lane.READ, lambda _core, _p: None, finish, key="articles-shown")

    def _open_initial_article(self) -> None:
        if self._open_pending_target():
            return
        last = self.settings.last_article
        if not (last and self.library_panel.select(last)):
            first = self.library_panel.first_id()
            if first:
                self.library_panel.select(first)

    def on_import_triggered(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", str(Path.home()), f"Articles ({ARTICLE_PATTERNS})"
        )
        if files:
            self.import_files([Path(f) for f in files])

    def on_import_folder_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of articles",
                                                  str(Path.home()))  # fmt: skip
        if folder:
            self.import_files([Path(folder)])

    def import_text(self, text: str) -> None:
        """Import a text (dropped or pasted) as a note, titled from its first line."""
        if not text.strip():
            self.say("Nothing to import: the text dropped is empty")
            return
        folder = tempfile.TemporaryDirectory(prefix="reader-note-")
        try:
            note = write_note(text, Path(folder.name))
        except OSError as exc:
            folder.cleanup()
            self.say(f"The note could not be written: {exc.strerror or exc}")
            return
        self.import_files([note], notes={note: DROPPED_TEXT}, folders=[folder])

    def import_files(
        self,
        paths: list[Path],
        *,
        notes: dict[Path, str] | None = None,
        folders: list[tempfile.TemporaryDirectory[str]] | None = None,
    ) -> ImportJob:
        """Import files and folders off the UI thread, with counts and Cancel while it runs
        and a summary that stays once it ends."""
        job = ImportJob(next(self._import_numbers), list(paths), notes=notes or {},
                        folders=folders or [])  # fmt: skip
        self._imports.append(job)
        self.commands.cancel_import.setEnabled(True)
        if job is self._imports[0]:
            self.progress_strip.report("Importing…", 0, 0, cancellable=True)
        reports = Latest[tuple[int, int, str]](lambda: self.import_progressed.emit(job.number))
        job.reports = reports

        def run(core: ReaderCore, _p: object) -> list[ImportOutcome] | None:
            if job.cancel.is_set():
                return None  # cancelled while it waited for the one before it
            files = 0
            converted = 0

            def progress(done: int, steps: int) -> None:
                nonlocal files
                files = max(steps - 1, 0)  # the last step is the catalog's commit

            def on_file(path: Path) -> None:
                nonlocal converted
                converted += 1
                with contextlib.suppress(RuntimeError):  # the window is gone
                    reports.put((converted, max(files, converted), job.name_of(path)))

            return core.import_paths(job.paths, progress, job.cancel, on_file)

        self._start_library(
            run, lambda outcomes: self.on_import_ready(job, outcomes),
            on_error=lambda message: self.on_import_failed(job, message),
        )  # fmt: skip
        return job

    def on_import_progressed(self, number: int) -> None:
        job = next((j for j in self._imports if j.number == number), None)
        report = job.reports.take() if job is not None and job.reports is not None else None
        if report is None or job is not self._imports[0]:
            return
        done, total, name = report
        if job.cancel.is_set():
            self.progress_strip.cancelling(f"Cancelling — finishing {name}")
            return
        self.progress_strip.report(
            f"Importing {done:,} of {total:,} — {name}", done, total, cancellable=True
        )

    def cancel_imports(self) -> None:
        """Stop the import running (what it converted is kept) and those waiting for it."""
        if not self._imports:
            return
        for job in self._imports:
            job.cancel.set()
        self.progress_strip.cancelling("Cancelling…")

    def _end_import(self, job: ImportJob) -> None:
        job.clean_up()
        if job in self._imports:
            self._imports.remove(job)
        self.commands.cancel_import.setEnabled(bool(self._imports))
        if self._imports:
            self.progress_strip.report("Importing…", 0, 0, cancellable=True)
        else:
            self.progress_strip.finish()

    def on_import_failed(self, job: ImportJob, message: str) -> None:
        """Nothing was imported (the catalog cannot be written, say): told until dismissed."""
        self._end_import(job)
        self.show_import_summary(summarize([]), f"Nothing imported: {message}")
        self.import_finished.emit()

    def on_import_ready(self, job: ImportJob, outcomes: list[ImportOutcome] | None) -> None:
        self._end_import(job)
        if outcomes is None:  # cancelled before it began
            # Told, unless the summary of the import cancelled with it is shown.
            if not self._imports and self.import_summary.isHidden():
                self.show_import_summary(summarize([]), "Import cancelled · nothing imported")
            self.import_finished.emit()
            return
        summary = summarize(outcomes, job)
        imported = [o for o in outcomes if o.status == "imported"]
        last_id = imported[-1].article_id if imported else None

        def shown(articles: list[ArticleInfo]) -> None:
            self.on_articles_ready(articles)
            if last_id:
                self.library_panel.select(last_id)
            self.show_import_summary(summary)
            self.import_finished.emit()

        self.ops.start(Lane.READ, lambda core, _p: core.articles(), shown, key="articles")
        if imported:
            self.sync_index()

    def show_import_summary(self, summary: Summary, text: str | None = None) -> None:
        if text is not None:
            summary = Summary(text, summary.problems, summary.imported)
        self.import_summary.show_summary(summary)
        if self.import_details is not None and self.import_details.isVisible():
            self.import_details.show_summary(summary)

    def show_import_details(self) -> None:
        """The files the last import left out, and why, in a window beside this one."""
        summary = self.import_summary.summary
        if summary is None:
            return
        if self.import_details is None:
            self.import_details = ImportDetails(self)
        self.import_details.show_summary(summary)
        self.import_details.show()
        self.import_details.activateWindow()

    # --- drops -----------------------------------------------------------------

    def _take_drops(self) -> None:
        """Files and folders dropped anywhere on the window are imported, and so is a text
        dropped anywhere but on a text field (a note). The article view passes its drops up."""
        self.setAcceptDrops(True)
        self.view.setAcceptDrops(False)
        self.view.viewport().setAcceptDrops(False)
        router = DropRouter(self._on_drag, self.dropEvent, self)
        for widget in self.findChildren(QWidget):
            if widget is not self and widget.acceptDrops():
                widget.installEventFilter(router)

    def _dropped(self, event: QDropEvent) -> tuple[list[Path], str]:
        """The local files and folders dropped, else a text from outside the window."""
        mime = event.mimeData()
        if mime.hasUrls():
            return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()], ""
        if mime.hasText() and event.source() is None:  # not a selection dragged in here
            return [], mime.text()
        return [], ""

    def _on_drag(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        paths, text = self._dropped(event)
        if paths or text.strip() or event.mimeData().hasUrls():  # a web link: told why not
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._on_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._on_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths, text = self._dropped(event)
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)
        elif text.strip():
            event.acceptProposedAction()
            self.import_text(text)
        elif event.mimeData().hasUrls():
            event.acceptProposedAction()
            self.say("Web links are not fetched: save the page, then drop the file here")
        else:
            event.ignore()

    # --- reading ---------------------------------------------------------------

    def open_article(self, article_id: str) -> None:
        """Show an article: made ready off the UI thread, shown when it lands."""
        if self.library_panel.current_id() != article_id and self.library_panel.select(article_id):
            return  # selecting the row comes back here through article_selected
        look, ui_thread = self.view.look(), self.thread()

        def read(core: ReaderCore, _p: object) -> tuple[Page, Prepared]:
            page = core.open_article(article_id)
            return page, prepare_document(page, look, ui_thread)  # parsed here, not on the UI

        self.ops.start(Lane.READ, read, lambda made: self.on_page_ready(*made), key="open")

    def on_original_toggled(self, on: bool) -> None:
        """Show the article's file as it was (what cleaning left out struck), or the article."""
        page = self.view.page
        if page is None or on == self.view.showing_original:
            return
        if not on:
            self.on_page_ready(page)
            return
        article_id = page.id

        def shown(original: Original) -> None:
            current = self.view.page
            if (
                current is None
                or current.id != article_id
                or not self.commands.original.isChecked()
            ):
                return  # another article, or the toggle went off meanwhile
            self.view.show_original(current, original_html(original.text, set(original.removed_at)))
            n = len(original.removed_at)
            lines = f"{n:,} line{'s' if n != 1 else ''}"
            self.say(f"original text · {lines} left out, struck through" if n else
                     "original text · nothing was left out")  # fmt: skip

        self.ops.start(Lane.READ, lambda core, _p: core.original(article_id), shown, key="original")

    def on_page_ready(self, page: Page, prepared: Prepared | None = None) -> None:
        if self.commands.original.isChecked():
            self.commands.original.blockSignals(True)
            self.commands.original.setChecked(False)  # a new article opens as the article
            self.commands.original.blockSignals(False)
        shown = self.view.page
        if shown is not None and shown.id != page.id:
            self.keep_position()  # where the reader left the article before
        self.view.show_page(page, prepared)
        self.outline.set_entries(page.outline)
        # Where it opens (a long page is laid out as it is shown: asking the view would
        # lay it out whole at once).
        self.outline.follow(page.position)
        if self.find_bar.isVisible():
            self.on_find_text(self.find_bar.field.text())
        self._show_marks(page.bookmarks)
        self.setWindowTitle(f"{page.title} — reader")
        self.settings.last_article = page.id
        info = page.info
        said, self._said_with_page = self._said_with_page, None
        if said is not None and said[0] == page.id:
            self.say(said[1])
        elif info.problem and not info.words:
            self.say(f"could not be converted: {info.problem}")
        else:
            self.say(f"{info.words:,} words · about {info.minutes} min")
        if self._pending_hit is not None and self._pending_hit.article_id == page.id:
            self._go_to_hit(self._pending_hit)
        if self._pending_span is not None:
            self._go_to_span(self._pending_span)
        self._pending_hit = self._pending_span = None
        self.update_article_actions()
        self.page_shown.emit(page.id)

    def open_target(self, article_id: str, bookmark_id: str | None) -> None:
        """Open an article (at a bookmark) once the library has loaded."""
        self._pending_target = (article_id, bookmark_id)
        if self.library_panel.model.info(article_id) is not None:
            self._open_pending_target()

    def _open_pending_target(self) -> bool:
        if self._pending_target is None:
            return False
        article_id, bookmark_id = self._pending_target
        self._pending_target = None
        if bookmark_id:
            self.ops.start(
                Lane.READ, lambda core, _p: core.bookmark(bookmark_id), self.show_bookmark
            )
            self.bookmarks_panel.select(bookmark_id)
        else:
            self.open_article(article_id)
        return True

    def on_theme_triggered(self, action: QAction) -> None:
        self.apply_theme_choice(str(action.data()))

    def on_next_theme(self) -> None:
        self.apply_theme_choice(CHOICES[(CHOICES.index(self._theme_choice) + 1) % len(CHOICES)])

    def on_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._theme_choice == SYSTEM:
            self.apply_theme_choice(SYSTEM)

    def apply_theme_choice(self, choice: str) -> None:
        """Colour the whole window (palette, panels, page) in a theme, and remember it."""
        self._theme_choice = choice if choice in CHOICES else SYSTEM
        for action in self.commands.themes.actions():
            action.setChecked(action.data() == self._theme_choice)
        theme = resolve(self._theme_choice)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if app.style().name().lower() != "fusion":
                app.setStyle("Fusion")  # the style that draws every widget from the palette
            app.setPalette(palette(theme))
        self.view.apply_theme(theme)
        self.search_panel.apply_theme(theme)
        self.bookmarks_panel.apply_theme(theme)
        self.related_panel.apply_theme(theme)
        page = self.view.page
        if page is not None and not self.view.showing_original:
            self._show_marks(self.bookmarks_panel.article_marks(page.id))
        self.settings.theme = self._theme_choice

    def on_font_step(self, step: int) -> None:
        """One pixel larger or smaller; 0 back to the usual size."""
        self.view.set_font_px(self.view.font_px + step if step else BODY_PX)
        self.settings.font_px = self.view.font_px

    def on_font_triggered(self) -> None:
        dialog = QFontDialog(self.view.document().defaultFont(), self)
        dialog.setObjectName("fontDialog")
        dialog.setOption(QFontDialog.FontDialogOption.DontUseNativeDialog)
        dialog.fontSelected.connect(self.set_reading_font)
        dialog.open()

    def set_reading_font(self, font: QFont) -> None:
        """The reading font's family and size, kept for the next launch."""
        self.view.set_font_family(font.family())
        if font.pixelSize() > 0:
            self.view.set_font_px(font.pixelSize())
        elif font.pointSizeF() > 0:
            self.view.set_font_px(round(font.pointSizeF() * 96 / 72))
        self.settings.font_family = font.family()
        self.settings.font_px = self.view.font_px

    def on_column_triggered(self, action: QAction) -> None:
        self.view.set_column_chars(int(action.data()))
        self.settings.column_chars = self.view.column_chars
        self._give_way()

    # --- paper -------------------------------------------------------------------

    def paper_document(self) -> QTextDocument | None:
        """The article shown, for paper: light colours, the reading font, marks if wanted."""
        page = self.view.page
        if page is None:
            return None
        marks = []
        if self.commands.print_marks.isChecked():
            marks = bookmark_marks(self.bookmarks_panel.article_marks(page.id))
        return article_document(page, font=self.view.document().defaultFont(), marks=marks)

    def on_print_triggered(self) -> None:
        document = self.paper_document()
        if document is not None and print_document(document, self):
            self.say("Sent to the printer")

    def on_export_pdf_triggered(self) -> None:
        page = self.view.page
        if page is None:
            return
        dialog = QFileDialog(self, "Export as PDF", str(Path.home() / f"{page.id}.pdf"))
        dialog.setObjectName("pdfDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("PDF (*.pdf)")
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(lambda name: self.export_pdf_to(Path(name)))
        dialog.open()

    def export_pdf_to(self, path: Path) -> None:
        """Write the article shown to a PDF at ``path``; a failure is said in one line."""
        document = self.paper_document()
        if document is None:
            return
        try:
            pages = write_pdf(document, path, document.metaInformation(
                QTextDocument.MetaInformation.DocumentTitle))  # fmt: skip
        except ReaderError as exc:
            self.say(f"Not exported: {exc}")
            return
        self.say(f"Exported {path.name} ({pages} page{'s' if pages != 1 else ''})")

    # --- find in the article ---------------------------------------------------

    def on_find_triggered(self) -> None:
        selected = self.view.textCursor().selectedText().strip()
        before = self.find_bar.field.text()
        self.find_bar.open_bar(selected if 0 < len(selected) <= 80 else "")
        if self.find_bar.field.text() == before:  # else its change has found it already
            self.on_find_text(before)

    def on_find_text(self, text: str) -> None:
        page = self.view.page
        if page is None or self.view.showing_original:
            self.find_bar.show_count(-1, 0)
            return
        self.view.set_hits([Span(s, e) for s, e in find_all(page.text, text)])
        if self.view.hit_count():
            self.view.go_to_offset(self.view.top_offset())

    def on_find_closed(self) -> None:
        self.view.set_hits([])
        self.view.setFocus()

    # --- where the reader is ---------------------------------------------------

    def on_page_scrolled(self, _value: int) -> None:
        page = self.view.page
        if page is not None and not self.view.showing_original:
            self._position_timer.start()
            self.outline.follow(self.view.top_offset())

    def keep_position(self) -> None:
        """Keep where the reader is in the article shown (off the UI thread)."""
        self._position_timer.stop()
        page = self.view.page
        if page is None or self.view.showing_original:
            return
        article_id, offset, fraction = page.id, self.view.top_offset(), self.view.read_fraction()
        self.library_panel.model.set_progress(article_id, fraction)
        self.ops.start(
            Lane.READ, lambda core, _p: core.keep_position(article_id, offset, fraction),
            lambda _kept: None, key=f"position:{article_id}",
            on_error=lambda _message: None,  # a read-only library keeps no place; not worth a word
        )  # fmt: skip

    # --- a narrow window ---------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The splitter is sized now, even before the window is shown, so what gives way
        # is decided on the width it will have.
        central = self.centralWidget()
        if central is not None and (layout := central.layout()) is not None:
            layout.setGeometry(central.rect())
        self._give_way()

    def _give_way(self) -> None:
        """Hide the outline, then the sidebar, when the page would be narrower than readable;
        bring them back when there is room again. One step per call: the layout settles,
        and the next step is looked at then."""
        need = self.view.min_width()
        room = self.splitter.width() - self.splitter.handleWidth()
        sidebar = self.splitter.sizes()[0] if self.splitter.count() else 0
        changed = True
        if self.outline_dock.isVisible() and room - sidebar < need:
            self._gave_way.add("outline")
            self.outline_dock.hide()
        elif sidebar and room - sidebar < need:
            self._gave_way.add("sidebar")
            keep = room - need if room - need >= self.sidebar.minimumSizeHint().width() else 0
            self.splitter.setSizes([keep, room - keep])
        elif "sidebar" in self._gave_way and room - sidebar - need >= SIDEBAR_WIDTH + 40:
            self._gave_way.discard("sidebar")
            self.splitter.setSizes([SIDEBAR_WIDTH, room - SIDEBAR_WIDTH])
        elif (
            "outline" in self._gave_way
            and "sidebar" not in self._gave_way
            and room - sidebar - need >= self.outline_dock.width() + 40
        ):
            self._gave_way.discard("outline")
            self.outline_dock.show()
        else:
            changed = False
        if changed:
            QTimer.singleShot(0, self._give_way)

    # --- help ------------------------------------------------------------------

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every menu command with its keys, in menu order."""
        rows = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if not isinstance(menu, QMenu):
                continue
            stack = [(menu_action.text().replace("&", ""), a) for a in menu.actions()]
            while stack:
                path, action = stack.pop(0)
                sub = action.menu()
                if isinstance(sub, QMenu):
                    name = f"{path} ▸ {action.text().replace('&', '')}"
                    stack[0:0] = [(name, a) for a in sub.actions()]
                    continue
                if action.isSeparator() or not action.text():
                    continue
                native = QKeySequence.SequenceFormat.NativeText
                keys = ", ".join(k.toString(native) for k in action.shortcuts())
                if keys and action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
                    keys += " (in the library list)"  # Remove Article: text fields keep them
                text = action.text().replace("&", "").rstrip("…")
                rows.append((f"{path} ▸ {text}", keys))
        return rows

    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard Shortcuts: every command and its keys, in a window of its own."""
        if self.shortcuts_dialog is None:
            dialog = QDialog(self)
            dialog.setObjectName("shortcutsDialog")
            dialog.setWindowTitle("Keyboard Shortcuts")
            rows = [r for r in self.shortcut_rows() if r[1]]
            rows += [
                ("Article ▸ Move the text cursor (after F7)", "Arrow keys"),
                ("Article ▸ Select with the keyboard (after F7)", "Shift+Arrow keys"),
                ("Find bar ▸ Next / previous match", "Enter, Shift+Enter"),
                ("Find bar ▸ Close", "Esc"),
            ]
            table = QTableWidget(len(rows), 2, dialog)
            table.setObjectName("shortcutsTable")
            table.setHorizontalHeaderLabels(["Command", "Keys"])
            table.verticalHeader().hide()
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            for k, (name, keys) in enumerate(rows):
                table.setItem(k, 0, QTableWidgetItem(name))
                table.setItem(k, 1, QTableWidgetItem(keys))
            table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            table.resizeColumnToContents(1)
            layout = QVBoxLayout(dialog)
            layout.addWidget(table)
            dialog.resize(560, 520)
            self.shortcuts_dialog = dialog
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.activateWindow()

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setObjectName("aboutBox")
        box.setWindowTitle("About reader")
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setText(f"<b>reader</b> {__version__}")
        box.setInformativeText(
            "An offline reader for articles: your saved pages, notes and Markdown, "
            "set as a calm page, searched in milliseconds, with the passages you keep.<br><br>"
            "It never reaches the network. The reading font is Charis SIL "
            "(SIL Open Font License 1.1)."
        )
        box.open()

    # --- search ----------------------------------------------------------------

    def on_focus_library(self) -> None:
        self.sidebar.setCurrentWidget(self.library_panel)
        self.library_panel.view.setFocus()

    def on_search_triggered(self) -> None:
        self.sidebar.setCurrentWidget(self.search_panel)
        self.search_panel.focus_field()

    def sync_index(self, *, quiet: bool = False) -> None:
        """Bring the index in step; ``quiet``: what the status bar says stays (what the
        user just did and how to undo it), unless the index has something to tell."""
        self.ops.start(
            Lane.INDEX, lambda core, p: core.sync_index(p),
            lambda report: self.on_index_synced(report, quiet=quiet), label="Indexing",
        )  # fmt: skip

    def on_index_synced(self, report: SyncReport, *, quiet: bool = False) -> None:
        self.end_progress()
        if report.notice:
            self.say(report.notice)
        elif not quiet and report.added + report.updated + report.removed > 1:
            # a single document (a bookmark just saved) needs no word of its own
            self.say(f"Search index updated ({report.added + report.updated} documents indexed)")
        self.index_ready.emit()
        if self.search_panel.current_query():
            self.on_query_changed(self.search_panel.current_query())

    def on_query_changed(self, text: str) -> None:
        typing = self.search_panel.still_typing(text)
        self.ops.start(
            Lane.INDEX, lambda core, _p: core.search(text, SEARCH_LIMIT, typing=typing),
            self.search_finished.emit, key="search",
        )  # fmt: skip

    def on_hit_activated(self, hit: Hit) -> None:
        page = self.view.page
        if page is not None and page.id == hit.article_id:
            self._go_to_hit(hit)
            return
        self._pending_hit = hit
        self.open_article(hit.article_id)

    def _go_to_hit(self, hit: Hit) -> None:
        spans = [Span(s, e) for s, e in hit.offsets]
        self.view.set_hits(spans)
        target = hit.snippets[0].start if hit.snippets and hit.snippets[0].start >= 0 else 0
        self.view.go_to_offset(target)
        self.say(
            f"{len(spans)} match{'es' if len(spans) != 1 else ''} · F3 next, Shift+F3 previous"
        )

    # --- related articles ------------------------------------------------------

    def on_more_like_triggered(self) -> None:
        """The articles like the selected passage, else like the bookmark chosen in the
        Bookmarks tab (when that tab is shown), else like the article."""
        page = self.view.page
        selected = self.view.textCursor().selectedText().replace("\u2029", "\n").strip()
        bookmark = self._chosen_bookmark()
        if page is not None and selected:
            source = Source(page.id, page.title, passage=selected)
        elif bookmark is not None:
            title = self._title_of(bookmark.article_id)
            source = Source(bookmark.article_id, title, bookmark.id, bookmark.exact)
        elif page is not None:
            source = Source(page.id, page.title)
        else:
            self.say("Open an article first.")
            return
        self.related_panel.set_source(source)
        if self.sidebar.currentWidget() is not self.related_panel:
            self.sidebar.setCurrentWidget(self.related_panel)  # which asks for the list
        else:
            self.refresh_related()

    def _chosen_bookmark(self) -> Bookmark | None:
        if self.sidebar.currentWidget() is not self.bookmarks_panel:
            return None
        item = self.bookmarks_panel.list.currentItem()
        chosen = item.data(BOOKMARK_ROLE) if item is not None else None
        return chosen if isinstance(chosen, Bookmark) else None

    def _title_of(self, article_id: str) -> str:
        info = self.library_panel.model.info(article_id)
        return info.title if info is not None else article_id

    def refresh_related(self) -> None:
        """Find the articles like the Related tab's source, if the tab is shown and its list
        is not up to date; off the UI thread, in the lane that keeps the index."""
        panel = self.related_panel
        source = panel.source()
        if source is None or self.sidebar.currentWidget() is not panel or not panel.needs_results():
            return
        panel.show_busy()

        def find(core: ReaderCore, _p: object) -> Related:
            if source.is_article:
                return core.related(source.article_id, limit=RELATED_LIMIT)
            if source.bookmark_id:
                return core.related(source.article_id, source.bookmark_id, limit=RELATED_LIMIT)
            return core.related(source.article_id, text=source.passage, limit=RELATED_LIMIT)

        self.ops.start(
            Lane.INDEX, find, lambda found: panel.show_related(source, found), key="related",
            on_error=lambda message: panel.show_failure(source, message),
        )  # fmt: skip

    def on_page_shown_for_related(self, article_id: str) -> None:
        """Another article opened: the list is of the articles like it, unless it was opened
        from the list (which stays, to go on from)."""
        from_list, self._from_related = self._from_related == article_id, None
        page = self.view.page
        if from_list or page is None or page.id != article_id:
            return
        self.related_panel.set_source(Source(page.id, page.title))
        self.refresh_related()

    def on_index_ready_for_related(self) -> None:
        self.related_panel.invalidate()
        self.refresh_related()

    def on_related_activated(self, hit: Hit) -> None:
        self._from_related = hit.article_id
        self.open_article(hit.article_id)

    def on_related_source_activated(self, article_id: str) -> None:
        page = self.view.page
        if page is None or page.id != article_id:
            self._from_related = article_id
            self.open_article(article_id)

    # --- bookmarks -------------------------------------------------------------

    def on_view_context_menu(self, pos: QPoint) -> None:
        menu = self.view.createStandardContextMenu()
        menu.addSeparator()
        menu.addAction(self.commands.bookmark)
        menu.addAction(self.commands.more_like)
        self.commands.bookmark.setEnabled(self.view.selected_span() is not None)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        self.commands.bookmark.setEnabled(True)

    def on_bookmark_triggered(self) -> None:
        span = self.view.selected_span()
        page = self.view.page
        if span is None or page is None:
            self.say("Select a passage in the article first.")
            return
        dialog = BookmarkDialog(page.text[span.start : span.end].strip(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def saved() -> None:
            if shiboken6.isValid(dialog):  # closed while saving: nothing to tell it
                dialog.saved()

        def failed(message: str) -> None:
            if shiboken6.isValid(dialog):
                dialog.failed(message)
            else:
                self.on_bookmark_failed(message)

        def save(note: str, color: str, tags: tuple[str, ...]) -> None:
            self._keep(page.id, span, note, color, tags, saved, failed)

        dialog.save_requested.connect(save)
        dialog.open()

    def bookmark_selection(
        self, note: str = "", color: str = "yellow", tags: tuple[str, ...] = ()
    ) -> bool:
        """Keep the selected passage; the status bar says so once it is committed."""
        span = self.view.selected_span()
        page = self.view.page
        if span is None or page is None:
            return False
        self._keep(page.id, span, note, color, tags, lambda: None, self.on_bookmark_failed)
        return True

    def _keep(
        self,
        article_id: str,
        span: Span,
        note: str,
        color: str,
        tags: tuple[str, ...],
        on_saved: Callable[[], None],
        on_failed: Callable[[str], None],
    ) -> None:
        def add(core: ReaderCore) -> Bookmark:
            return core.add_bookmark(article_id, span.start, span.end, note, color, tags)

        def changed(message: str) -> None:
            on_saved()
            self.on_bookmarks_changed(message)

        do, undo = added(Memo(), add)
        self.undo_stack.push(
            BookmarkCommand(self.ops, "Add Bookmark", "", do, undo, changed, on_failed)
        )

    def on_bookmark_failed(self, message: str) -> None:
        QMessageBox.warning(self, "Bookmark", message[:1].upper() + message[1:])

    def on_bookmarks_changed(self, message: str) -> None:
        self.say(message)
        self.refresh_bookmarks()
        self.sync_index()

    def check_bookmarks_version(self) -> None:
        def answer(version: tuple[object, ...]) -> None:
            if self._bookmarks_version is None:
                self._bookmarks_version = version
            elif version != self._bookmarks_version:
                self.refresh_bookmarks()  # not yet shown: it takes the new version
                # Titles, tags, removals and watched folders are kept with the bookmarks:
                # another window or the command line may have changed them.
                self.ops.start(Lane.READ, lambda core, _p: core.articles(),
                               self.on_articles_changed_elsewhere, key="articles")  # fmt: skip
                self.ops.start(Lane.READ, _folders_to_watch, self.rewatch, key="library-folder")

        self.ops.start(
            Lane.READ, lambda core, _p: core.bookmarks_version(), answer,
            key="bookmarks-version", on_error=lambda _why: None,
        )  # fmt: skip

    def refresh_bookmarks(self) -> None:
        """Show every bookmark in the panel, and the open article's in the text."""

        def read(core: ReaderCore, _p: object) -> BookmarksRead:
            return core.bookmarks_version(), core.bookmarks(), core.titles()

        self.ops.start(Lane.READ, read, self.on_bookmarks_ready, key="bookmarks")

    def on_bookmarks_ready(self, answer: BookmarksRead) -> None:
        version, marks, titles = answer
        # What is shown is this version: the watch asks again only for a later one. A
        # version changed elsewhere (another process, re-anchoring) goes to the index too.
        seen, self._bookmarks_version = self._bookmarks_version, version
        if seen is not None and seen != version:
            self.sync_index()
        page = self.view.page
        self.bookmarks_panel.set_bookmarks(marks, titles, page.id if page else None)
        if page is not None:
            self._show_marks([b for b in marks if b.article_id == page.id])
        self.bookmarks_shown.emit()

    def _show_marks(self, marks: tuple[Bookmark, ...] | list[Bookmark]) -> None:
        self.view.set_marks(
            [
                (Span(b.start, b.end), QColor(self.view.theme.marks[b.color]))
                for b in marks
                if not b.detached
            ]
        )

    def show_bookmark(self, bookmark: Bookmark) -> None:
        if bookmark.detached:
            self.say("This passage is no longer in the article (detached).")
        span = None if bookmark.detached else Span(bookmark.start, bookmark.end)
        page = self.view.page
        if page is not None and page.id == bookmark.article_id:
            if span is not None:
                self._go_to_span(span)
            return
        self._pending_span = span
        self.open_article(bookmark.article_id)

    def _go_to_span(self, span: Span) -> None:
        self.view.scroll_to_span(span)
        self.view.flash(span)
        self._flash_timer.start()

    def on_bookmark_edited(self, b: Bookmark, note: str, color: str, tags: list[str]) -> None:
        """An edit in the panel; undone by setting back only what it changed."""
        note_changed, color_changed = note != b.note, color != b.color
        tags_changed = tuple(tags) != b.tags
        edits = {"Edit Note": note_changed, "Change Colour": color_changed}
        edits["Change Tags"] = tags_changed
        changed = [label for label, yes in edits.items() if yes]
        label = changed[0] if len(changed) == 1 else "Edit Bookmark"
        kind = Kind.NOTE if label == "Edit Note" else Kind.OTHER

        def setting(note: str | None, color: str | None, tags: Iterable[str] | None) -> CoreCall:
            return lambda core: core.update_bookmark(b.id, note=note, color=color, tags=tags)

        do = setting(note if note_changed else None, color if color_changed else None,
                     tags if tags_changed else None)  # fmt: skip
        undo = setting(b.note if note_changed else None, b.color if color_changed else None,
                       b.tags if tags_changed else None)  # fmt: skip
        self._push(label, b.id, do, undo, kind)

    def on_delete_requested(self, bookmark: Bookmark) -> None:
        self._push("Delete Bookmark", bookmark.id, *deleted(Memo(), bookmark.id))

    def on_attach_requested(
        self, bookmark: Bookmark, start: int, end: int, text_hash: str | None = None
    ) -> None:
        """Attach to ``[start, end)`` of the article's text whose hash is ``text_hash`` (the
        text the suggestion or the selection was made in: refused if it changed since)."""
        made_in = bookmark.seen_hash if text_hash is None else text_hash

        def attach(core: ReaderCore) -> Bookmark:
            return core.attach_bookmark(bookmark.id, start, end, made_in)

        self._push("Attach Bookmark", bookmark.id, *attached(Memo(), bookmark.id, attach))

    def on_attach_to_selection_requested(self, bookmark: Bookmark) -> None:
        span, page = self.view.selected_span(), self.view.page
        if span is None or page is None or page.id != bookmark.article_id:
            self.say("Select the passage in the bookmark's article first, then attach it.")
            if page is None or page.id != bookmark.article_id:
                self.open_article(bookmark.article_id)
            return
        self.on_attach_requested(bookmark, span.start, span.end, page.info.text_hash)

    def on_place_shown(self, article_id: str, start: int, end: int) -> None:
        """Show a place suggested for a detached bookmark, without attaching it."""
        page = self.view.page
        if page is not None and page.id == article_id:
            self._go_to_span(Span(start, end))
            return
        self._pending_span = Span(start, end)
        self.open_article(article_id)

    def _push(
        self, label: str, bookmark_id: str, do: CoreCall, undo: CoreCall, kind: Kind = Kind.OTHER
    ) -> None:
        command = BookmarkCommand(
            self.ops, label, bookmark_id, do, undo, self.on_bookmarks_changed,
            self.on_bookmark_failed, kind,
        )  # fmt: skip
        self.undo_stack.push(command)

    def on_export_triggered(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export bookmarks", str(Path.home() / "bookmarks.md"),
            "Markdown (*.md);;Web Annotations JSON-LD (*.jsonld *.json)",
        )  # fmt: skip
        if not path:
            return
        json_chosen = "json" in chosen.lower() or path.endswith((".json", ".jsonld"))
        fmt = "json" if json_chosen else "markdown"
        self.ops.start(
            Lane.READ, lambda core, _p: core.write_bookmarks(Path(path), fmt),
            lambda n: self.say(f"{n} bookmarks exported to {path}"),
        )  # fmt: skip

    def on_import_bookmarks_triggered(self) -> None:
        backups = self.backups_dir
        start = backups if backups is not None and backups.is_dir() else Path.home()
        path, _ = QFileDialog.getOpenFileName(
            self, "Import bookmarks", str(start),
            "Web Annotations JSON-LD (*.jsonld *.json);;All files (*)",
        )  # fmt: skip
        if path:
            self.import_bookmarks_from(Path(path))

    def import_bookmarks_from(self, path: Path) -> None:
        """Merge a JSON-LD export or backup by id; the status bar says what it did."""

        def done(report: AnnotationImport) -> None:
            message = (
                f"Bookmarks imported from {path.name}: {report.added} added, "
                f"{report.updated} updated, {report.unchanged} already here"
            )
            if report.detached:
                message += f"; {report.detached} detached (their passage was not found)"
            if report.problems:
                message += f"; {len(report.problems)} skipped ({report.problems[0]})"
            self.on_bookmarks_changed(message)

        self.ops.start(
            Lane.READ, lambda core, _p: core.import_bookmarks_file(path), done,
            on_error=self.on_bookmark_failed,
        )  # fmt: skip

    # --- the Article menu: remove, rename, tags, show in folder -------------------

    def article_target(self) -> ArticleInfo | None:
        """What the Article menu acts on: the row a context menu is open for, else the row
        selected in the list, else the article open; None if it is not listed."""
        article_id = self._menu_target or self.library_panel.current_id()
        if article_id is None and (page := self.view.page) is not None:
            article_id = page.id
        return self.library_panel.model.info(article_id) if article_id else None

    def update_article_actions(self) -> None:
        a = self.commands
        there = self.article_target() is not None
        for action in (a.remove_article, a.rename_article, a.tag_article, a.show_in_folder):
            action.setEnabled(there)
        a.rename_tag.setEnabled(bool(self.library_panel.tag_counts()))

    def article_menu(self) -> QMenu:
        """The menu of a row of the library list."""
        a = self.commands
        menu = QMenu(self)
        menu.setObjectName("articleMenu")
        for action in (a.rename_article, a.tag_article, a.rename_tag, None, a.show_in_folder,
                       None, a.remove_article):  # fmt: skip
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def on_library_menu(self, article_id: str, where: QPoint) -> None:
        self._menu_target = article_id
        self.update_article_actions()
        menu = self.article_menu()
        try:
            menu.exec(where)
        finally:
            self._menu_target = None
            menu.deleteLater()
            self.update_article_actions()

    def _run_library(
        self, call: CoreCall, on_done: Callable[[object], None], on_failed: Callable[[str], None]
    ) -> None:
        """An article change that moves files: in the LIBRARY lane, the watcher held."""
        self._start_library(lambda core, _p: call(core), on_done, on_error=on_failed)

    def _undo_keys(self) -> str:
        return self.commands.undo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)

    def on_remove_triggered(self) -> None:
        """Remove the article (its file goes to the trash); Edit ▸ Undo puts it back."""
        info = self.article_target()
        if info is None or info.id in self._removing:
            return  # a second Delete before the first landed
        article_id, title = info.id, info.title
        self._removing.add(article_id)

        def done(_result: object, forward: bool) -> None:
            self._removing.discard(article_id)
            if forward:
                keys = self._undo_keys()
                self.on_article_removed(article_id, f"Removed “{title}”"
                                        + (f" · {keys} puts it back" if keys else ""))  # fmt: skip
            else:
                self.on_article_restored(article_id, f"“{title}” is back")

        def remove(core: ReaderCore) -> object:
            return core.remove_article(article_id)

        def restore(core: ReaderCore) -> object:
            return core.restore_article(article_id)

        def failed(message: str) -> None:
            self._removing.discard(article_id)
            self.on_operation_failed(message)

        self.undo_stack.push(ArticleCommand(
            self._run_library, "Remove Article", remove, restore, done, failed,
        ))  # fmt: skip

    def on_article_removed(self, article_id: str, message: str) -> None:
        """The list without it, its bookmarks detached; if it was open, the next one is."""
        page = self.view.page
        was_open = page is not None and page.id == article_id
        after = self.library_panel.neighbour_id(article_id) if was_open else None

        def shown(articles: list[ArticleInfo]) -> None:
            self.on_articles_ready(articles)
            page = self.view.page
            if was_open and (page is None or page.id == article_id):
                panel = self.library_panel
                shown_next = panel.row_shown(after) if after else False
                next_id = after if shown_next else panel.first_id()
                if next_id and panel.select(next_id, clear_filter=False):
                    self._said_with_page = (next_id, message)  # said once it is shown
                    return
                self.show_no_article()
            self.say(message)

        # No key: the answer is always taken, the lane keeps the order.
        self.ops.start(Lane.READ, lambda core, _p: core.articles(), shown)
        self.refresh_bookmarks()
        self.sync_index(quiet=True)

    def on_article_restored(self, article_id: str, message: str) -> None:
        """The article back in the list, and open again."""

        def shown(articles: list[ArticleInfo]) -> None:
            self.on_articles_ready(articles)
            if self.library_panel.model.info(article_id) is None:
                self.say(message)
                return
            self._said_with_page = (article_id, message)
            self.open_article(article_id)  # with its bookmarks, found in it again

        self.ops.start(Lane.READ, lambda core, _p: core.articles(), shown)
        self.refresh_bookmarks()
        self.sync_index(quiet=True)

    def show_no_article(self) -> None:
        """The empty page: no article is left to show (or the filter shows none)."""
        none_left = self.library_panel.model.article_count() == 0
        self.view.show_nothing("No articles yet: File ▸ Import Files… brings some in"
                               if none_left else "Choose an article in the list")  # fmt: skip
        self.outline.set_entries(())
        self.setWindowTitle("reader")
        self.update_article_actions()

    def on_rename_triggered(self) -> None:
        """A title of the user's for the article; an empty one gives back the file's."""
        info = self.article_target()
        if info is None:
            return
        typed = article_dialogs.ask_title(self, info.title, file_title=not info.own_title)
        if typed is None or typed == info.title or (not typed and not info.own_title):
            return
        article_id, before = info.id, info.title if info.own_title else ""

        def done(result: object, forward: bool) -> None:
            if isinstance(result, ArticleInfo):
                self.on_article_info(result)
                title = result.title
                self.say(f"Title back to “{title}”" if not forward
                         else f"Renamed “{title}”" if result.own_title
                         else f"The file's title again: “{title}”")  # fmt: skip

        def retitle(title: str) -> CoreCall:
            return lambda core: core.retitle(article_id, title)

        self.undo_stack.push(ArticleCommand(
            self._run_library, "Rename Article", retitle(typed), retitle(before), done,
            self.on_operation_failed,
        ))  # fmt: skip

    def on_tags_triggered(self) -> None:
        """The article's tags, typed with the library's tags to complete them."""
        info = self.article_target()
        if info is None:
            return
        known = self.library_panel.tag_counts()
        tags = article_dialogs.ask_tags(self, info.title, info.tags, known)
        if tags is None:
            return
        new = tuple(t for t in tags if t not in info.tags)
        gone = tuple(t for t in info.tags if t not in tags)
        if not new and not gone:
            return
        article_id = info.id

        def done(result: object, forward: bool) -> None:
            if isinstance(result, ArticleInfo):
                self.on_article_info(result)
                title, tags = result.title, ", ".join(result.tags)
                back = "" if forward else " back to"
                self.say(f"Tags of “{title}”{back}: {tags}" if tags
                         else f"“{title}” has no tags {'now' if forward else 'again'}")  # fmt: skip

        def tagging(add: tuple[str, ...], remove: tuple[str, ...]) -> CoreCall:
            return lambda core: core.tag(article_id, add=add, remove=remove)

        self.undo_stack.push(ArticleCommand(
            self._run_library, "Change Article Tags", tagging(new, gone), tagging(gone, new), done,
            self.on_operation_failed,
        ))  # fmt: skip

    def on_article_info(self, info: ArticleInfo) -> None:
        """An article's new title or tags, shown wherever it shows: the list, the window's
        title, the bookmarks, the search results and the Related tab."""
        self.library_panel.update_article(info)
        self._articles = [info if a.id == info.id else a for a in self._articles]
        page = self.view.page
        if page is not None and page.id == info.id:
            self.view.retitled(info)
            self.setWindowTitle(f"{info.title} — reader")
        source = self.related_panel.source()
        if source is not None and source.article_id == info.id and source.title != info.title:
            self.related_panel.set_source(dataclasses.replace(source, title=info.title))
        self.update_article_actions()
        self.refresh_bookmarks()
        self.sync_index(quiet=True)

    def on_rename_tag_triggered(self) -> None:
        """Rename a tag on every article and bookmark; a name in use merges the two."""
        counts = self.library_panel.tag_counts()
        if not counts:
            self.say("No article has a tag yet: Article ▸ Tags… gives it some")
            return
        asked = self.library_panel.filter_tags()
        target = self.article_target()
        folded = {fold_tag(t): t for t in counts}
        chosen = (
            folded.get(asked[0]) if len(asked) == 1
            else target.tags[0] if target is not None and target.tags else None
        )  # fmt: skip
        answer = article_dialogs.ask_tag_rename(self, counts, chosen)
        if answer is None:
            return
        old, new = answer

        def done(changed: tuple[int, int]) -> None:
            articles, marks = changed
            if self.library_panel.filter_tags() == (fold_tag(old),):
                self.library_panel.filter_by_tag(new)  # the filter follows the tag
            self.ops.start(Lane.READ, lambda core, _p: core.articles(), self.on_articles_ready)
            self.refresh_bookmarks()
            self.sync_index(quiet=True)
            parts = [f"{articles:,} article{'s' if articles != 1 else ''}"]
            if marks:
                parts.append(f"{marks:,} bookmark{'s' if marks != 1 else ''}")
            self.say(f"Tag “{old}” is “{new}” now · {', '.join(parts)}")

        self.ops.start(Lane.READ, lambda core, _p: core.rename_tag(old, new), done)

    def on_show_in_folder_triggered(self) -> None:
        info = self.article_target()
        if info is None:
            return
        folder = Path(info.source).parent
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.say(f"The folder could not be opened: {readable(str(folder))}")

    # --- links out of the app ----------------------------------------------------

    def on_ask_links_toggled(self, ask: bool) -> None:
        self.settings.ask_before_links = ask

    def on_external_link(self, url: QUrl) -> None:
        """A clicked web or mail link: ask first, with the address shown, or copy it."""
        address = url.toString()
        if not self.settings.ask_before_links:
            self.copy_link(address)
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Open link", "", parent=self)
        box.setText("Open this link outside reader?")
        box.setInformativeText(address)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        opener = box.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
        copier = box.addButton("Copy Link", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(copier)
        # Wide enough that an address wraps only when it is long.
        box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 26em; }")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.link_box = box

        def chosen(button: QAbstractButton) -> None:
            if button is opener:
                QDesktopServices.openUrl(url)
            elif button is copier:
                self.copy_link(address)

        box.buttonClicked.connect(chosen)
        box.open()

    def copy_link(self, address: str) -> None:
        QGuiApplication.clipboard().setText(address)
        self.say(f"Link copied: {address}")

    # --- state -----------------------------------------------------------------

    def _restore_view_settings(self) -> None:
        self.apply_theme_choice(self.settings.theme)
        self.view.set_font_family(self.settings.font_family or first_family(SERIF_FAMILIES))
        font_px = self.settings.font_px
        if font_px is not None:
            self.view.set_font_px(font_px)
        if (chars := self.settings.column_chars) is not None:
            self.view.set_column_chars(chars)
        for action in self.commands.columns.actions():
            action.setChecked(action.data() == self.view.column_chars)
        if (columns := self.settings.library_columns) is not None:
            self.library_panel.show_columns(columns)
        if (sort := self.settings.library_sort) is not None:
            column, descending = sort
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            self.library_panel.view.sortByColumn(column, order)
        self.commands.ask_links.setChecked(self.settings.ask_before_links)

    def on_library_columns_changed(self) -> None:
        self.settings.library_columns = self.library_panel.shown_columns()

    def restore_geometry(self) -> None:
        if (geometry := self.settings.geometry) is not None:
            self.restoreGeometry(geometry)
        if (state := self.settings.window_state) is not None:
            self.restoreState(state)
        if (splitter := self.settings.splitter) is not None:
            self.splitter.restoreState(splitter)

    def save_state(self) -> None:
        self.settings.save_layout(self.saveGeometry(), self.saveState(), self.splitter.saveState())

    def shutdown(self) -> None:
        """Let background work finish and close the cores; safe to call twice. An import
        running is cancelled: what it converted is kept."""
        self._watch_timer.stop()
        self._shut = True
        self.watcher.stop()
        for job in self._imports:
            job.cancel.set()
        self.ops.shutdown()
        for job in self._imports:
            job.clean_up()
        self.collector.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.keep_position()
        self.save_state()
        self.shutdown()
        super().closeEvent(event)


def _folders_to_watch(core: ReaderCore, _progress: Progress) -> list[Path]:
    """The library folder, then the folders the user watches."""
    return [core.data_dir / "library", *core.watched_folders()]


def _changed_under(page: Page, articles: list[ArticleInfo] | None) -> bool:
    """Whether the catalog holds another text for the article shown than the page has."""
    info = next((a for a in articles or () if a.id == page.id), None)
    shown = page.info
    return info is not None and (info.content_hash, info.text_hash, info.problem) != (
        shown.content_hash,
        shown.text_hash,
        shown.problem,
    )


def _what_changed(report: RefreshReport) -> str:
    counts = (
        (len(report.added), "added"),
        (len(report.changed), "changed"),
        (len(report.removed), "removed"),
        (len(report.renamed), "renamed"),
    )
    return ", ".join(f"{n:,} {what}" for n, what in counts if n)


def _stacked(parent: QWidget, main: QWidget, below: QWidget) -> QWidget:
    """``main``, taking the height there is, over ``below``, edge to edge."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(main, 1)
    layout.addWidget(below)
    return box
