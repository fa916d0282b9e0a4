"""The main window: library list beside the reading view, an outline, menus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QKeySequence,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from reader.bookmarks.store import COLOR_HEX, Bookmark
from reader.core import ReaderCore
from reader.errors import ReaderError
from reader.library.articles import Article
from reader.library.library import ImportOutcome, RefreshReport
from reader.search.index import Hit, SearchIndex, SearchResults, SyncReport
from reader.ui import workers
from reader.ui.article_view import ArticleView, Span
from reader.ui.bookmarks_panel import BookmarkDialog, BookmarksPanel
from reader.ui.library_panel import LibraryPanel
from reader.ui.search_panel import SearchPanel
from reader.ui.themes import THEMES

ANCHOR_ROLE = Qt.ItemDataRole.UserRole + 1


class MainWindow(QMainWindow):
    library_loaded = Signal()
    index_ready = Signal()
    search_finished = Signal(object)

    def __init__(
        self,
        core: ReaderCore,
        settings: QSettings,
        core_factory: Callable[[], ReaderCore],
        index_factory: Callable[[], SearchIndex],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.core = core
        self.library = core.library
        self.settings = settings
        self._core_factory = core_factory
        self._jobs = workers.JobRunner(QThreadPool(self), self)
        # The index is used from one thread only, in the order work was asked for.
        index_pool = QThreadPool(self)
        index_pool.setMaxThreadCount(1)
        self._index_jobs = workers.JobRunner(index_pool, self)
        self._index_factory = index_factory
        self._index: SearchIndex | None = None
        self._search_seq = 0
        self.setWindowTitle("reader")
        self.resize(1280, 820)

        self.library_panel = LibraryPanel(self)
        self.view = ArticleView(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.search_panel = SearchPanel(settings, self)
        self.sidebar = QTabWidget(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setDocumentMode(True)
        self.sidebar.addTab(self.library_panel, "Library")
        self.sidebar.addTab(self.search_panel, "Search")
        self.bookmarks_panel = BookmarksPanel(self)
        self.sidebar.addTab(self.bookmarks_panel, "Bookmarks")
        self.undo_stack = QUndoStack(self)
        self._pending_target: tuple[str, str | None] | None = None
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(1600)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 940])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.outline = QTreeWidget(self)
        self.outline.setHeaderHidden(True)
        self.outline.setRootIsDecorated(False)
        self.outline.setIndentation(14)
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
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)

        self._build_actions()
        self._connect_signals()
        self._restore_view_settings()

    # --- construction --------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.import_action = QAction("&Import Files…", self)
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        file_menu.addAction(self.import_action)
        self.export_action = QAction("&Export Bookmarks…", self)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.quit_action)

        edit_menu = menu.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self.bookmark_action = QAction("&Bookmark Passage…", self)
        self.bookmark_action.setShortcut(QKeySequence("Ctrl+D"))
        self.bookmark_action.setToolTip("Keep the selected passage, with a note (Ctrl+D)")
        edit_menu.addAction(self.bookmark_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.import_action)
        toolbar.addAction(self.bookmark_action)

        view_menu = menu.addMenu("&View")
        self.theme_group = QActionGroup(self)
        for name in THEMES:
            action = QAction(name.capitalize(), self, checkable=True)
            action.setData(name)
            self.theme_group.addAction(action)
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.bigger_action = QAction("&Larger Text", self)
        self.bigger_action.setShortcut(QKeySequence.StandardKey.ZoomIn)
        self.smaller_action = QAction("&Smaller Text", self)
        self.smaller_action.setShortcut(QKeySequence.StandardKey.ZoomOut)
        view_menu.addAction(self.bigger_action)
        view_menu.addAction(self.smaller_action)
        view_menu.addSeparator()
        self.outline_action = self.outline_dock.toggleViewAction()
        self.outline_action.setText("&Outline")
        self.outline_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        view_menu.addAction(self.outline_action)

        go_menu = menu.addMenu("&Go")
        self.library_focus_action = QAction("&Library", self)
        self.library_focus_action.setShortcut(QKeySequence("Ctrl+L"))
        go_menu.addAction(self.library_focus_action)
        self.search_action = QAction("&Search Library…", self)
        self.search_action.setShortcuts(
            [QKeySequence("Ctrl+K"), QKeySequence(QKeySequence.StandardKey.Find)]
        )
        go_menu.addAction(self.search_action)
        self.next_hit_action = QAction("&Next Hit", self)
        self.next_hit_action.setShortcuts(
            [QKeySequence("F3"), QKeySequence(QKeySequence.StandardKey.FindNext)]
        )
        self.previous_hit_action = QAction("&Previous Hit", self)
        self.previous_hit_action.setShortcuts(
            [QKeySequence("Shift+F3"), QKeySequence(QKeySequence.StandardKey.FindPrevious)]
        )
        go_menu.addAction(self.next_hit_action)
        go_menu.addAction(self.previous_hit_action)

    def _connect_signals(self) -> None:
        self.library_panel.article_selected.connect(self.on_article_selected)
        self.import_action.triggered.connect(self.on_import_triggered)
        self.quit_action.triggered.connect(self.close)
        self.theme_group.triggered.connect(self.on_theme_triggered)
        self.bigger_action.triggered.connect(lambda: self.on_font_step(+1))
        self.smaller_action.triggered.connect(lambda: self.on_font_step(-1))
        self.outline.itemActivated.connect(self.on_outline_activated)
        self.outline.itemClicked.connect(self.on_outline_activated)
        self.library_focus_action.triggered.connect(self.on_library_focus)
        self.search_action.triggered.connect(self.on_search_action)
        self.next_hit_action.triggered.connect(self.view.next_hit)
        self.previous_hit_action.triggered.connect(self.view.previous_hit)
        self.search_panel.query_changed.connect(self.on_query_changed)
        self.search_panel.hit_activated.connect(self.on_hit_activated)
        self.search_finished.connect(self.search_panel.show_results)
        self.bookmark_action.triggered.connect(self.on_bookmark_action)
        self.export_action.triggered.connect(self.on_export_action)
        self.view.customContextMenuRequested.connect(self.on_view_context_menu)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.bookmarks_panel.bookmark_activated.connect(self.on_bookmark_activated)
        self.bookmarks_panel.bookmark_edited.connect(self.on_bookmark_edited)
        self.bookmarks_panel.delete_requested.connect(self.on_delete_requested)
        self._flash_timer.timeout.connect(lambda: self.view.flash(None))

    # --- bookmarks -------------------------------------------------------------

    def on_view_context_menu(self, pos: QPoint) -> None:
        menu = self.view.createStandardContextMenu()
        menu.addSeparator()
        menu.addAction(self.bookmark_action)
        self.bookmark_action.setEnabled(self.view.selected_span() is not None)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        self.bookmark_action.setEnabled(True)

    def on_bookmark_action(self) -> None:
        span = self.view.selected_span()
        article = self.view.article
        if span is None or article is None:
            self.status_label.setText("Select a passage in the article first.")
            return
        dialog = BookmarkDialog(article.text[span.start : span.end].strip(), self)
        if dialog.exec() != BookmarkDialog.DialogCode.Accepted:
            return
        note, color, tags = dialog.values()
        self.bookmark_selection(note, color, tags)

    def bookmark_selection(
        self, note: str = "", color: str = "yellow", tags: tuple[str, ...] = ()
    ) -> Bookmark | None:
        """Keep the selected passage; it is committed before this returns."""
        span = self.view.selected_span()
        article = self.view.article
        if span is None or article is None:
            return None
        try:
            bookmark = self.core.add_bookmark(article.id, span.start, span.end, note, color, tags)
        except ReaderError as exc:
            QMessageBox.warning(self, "Bookmark", str(exc))
            return None
        self.status_label.setText("Bookmark saved")
        self.refresh_bookmarks()
        self.sync_index()
        return bookmark

    def refresh_bookmarks(self) -> None:
        article = self.view.article
        current = article.id if article else None
        marks = self.core.bookmarks.entries()
        self.bookmarks_panel.set_bookmarks(marks, self.core.titles(), current)
        if article is not None:
            self.view.set_marks(
                [
                    (Span(b.start, b.end), QColor(COLOR_HEX[b.color]))
                    for b in marks
                    if b.article_id == article.id and not b.detached
                ]
            )

    def on_bookmark_activated(self, bookmark: object) -> None:
        assert isinstance(bookmark, Bookmark)
        self.show_bookmark(bookmark)

    def show_bookmark(self, bookmark: Bookmark) -> None:
        if self.open_article(bookmark.article_id) is None:
            return
        if bookmark.detached:
            self.status_label.setText("This passage is no longer in the article (detached).")
            return
        span = Span(bookmark.start, bookmark.end)
        self.view.scroll_to_span(span)
        self.view.flash(span)
        self._flash_timer.start()

    def on_bookmark_edited(self, bookmark_id: str, note: str, color: str, tags: object) -> None:
        tag_list = [str(t) for t in tags] if isinstance(tags, (list, tuple)) else []
        try:
            self.core.bookmarks.update(bookmark_id, note=note, color=color, tags=tag_list)
        except ReaderError as exc:
            self.status_label.setText(str(exc))
            return
        self.status_label.setText("Bookmark saved")
        self.refresh_bookmarks()
        self.sync_index()

    def on_delete_requested(self, bookmark_id: str) -> None:
        self.undo_stack.push(_DeleteBookmark(self, bookmark_id))

    def on_export_action(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export bookmarks", str(Path.home() / "bookmarks.md"),
            "Markdown (*.md);;Web Annotations JSON-LD (*.jsonld *.json)",
        )  # fmt: skip
        if not path:
            return
        fmt = (
            "json"
            if "json" in chosen.lower() or path.endswith((".json", ".jsonld"))
            else "markdown"
        )
        from reader.library.library import write_atomic

        write_atomic(Path(path), self.core.export_bookmarks(fmt).encode("utf-8"))
        self.status_label.setText(f"Bookmarks exported to {path}")

    def open_target(self, article_id: str, bookmark_id: str | None) -> None:
        """Open an article (at a bookmark) now, or once the library has loaded."""
        self._pending_target = (article_id, bookmark_id)
        if self.library_panel.model.row_of(article_id) >= 0:
            self._open_pending_target()

    def _open_pending_target(self) -> bool:
        if self._pending_target is None:
            return False
        article_id, bookmark_id = self._pending_target
        self._pending_target = None
        if bookmark_id:
            try:
                self.show_bookmark(self.core.bookmarks.get(bookmark_id))
                self.bookmarks_panel.select(bookmark_id)
                return True
            except ReaderError as exc:
                self.status_label.setText(str(exc))
        return self.open_article(article_id) is not None

    # --- search --------------------------------------------------------------

    def on_library_focus(self) -> None:
        self.sidebar.setCurrentWidget(self.library_panel)
        self.library_panel.view.setFocus()

    def on_search_action(self) -> None:
        self.sidebar.setCurrentWidget(self.search_panel)
        self.search_panel.focus_field()

    def _index_job(
        self,
        fn: Callable[[SearchIndex, Callable[[int, int], None]], object],
        on_finished: Callable[[object], None],
    ) -> None:
        """Run ``fn(index, progress)`` on the index thread (opening the index first)."""

        def job(progress: Callable[[int, int], None]) -> object:
            if self._index is None:
                self._index = self._index_factory()
            return fn(self._index, progress)

        self._index_jobs.start(job, on_finished, self.on_worker_failed, self.on_worker_progress)

    def sync_index(self) -> None:
        factory = self._core_factory

        def sync(index: SearchIndex, progress: Callable[[int, int], None]) -> SyncReport:
            core = factory()
            try:
                return core.sync_index(index, progress)
            finally:
                core.close()

        self._index_job(sync, self.on_index_synced)

    def on_index_synced(self, report: object) -> None:
        assert isinstance(report, SyncReport)
        self.progress.hide()
        if report.notice:
            self.status_label.setText(report.notice[:1].upper() + report.notice[1:])
        elif report.added + report.updated + report.removed > 1:
            # a single document (a bookmark just saved) needs no word of its own
            self.status_label.setText(f"Search index updated ({self._index_doc_count()} documents)")
        self.index_ready.emit()
        if self.search_panel.current_query():
            self.on_query_changed(self.search_panel.current_query())

    def _index_doc_count(self) -> int:
        return self._index.doc_count() if self._index is not None else 0

    def on_query_changed(self, text: str) -> None:
        self._search_seq += 1
        seq = self._search_seq

        def search(index: SearchIndex, _progress: Callable[[int, int], None]) -> object:
            return (seq, index.search(text, limit=30))

        self._index_job(search, self.on_search_answer)

    def on_search_answer(self, answer: object) -> None:
        if not isinstance(answer, tuple):
            return
        seq, results = answer
        if seq == self._search_seq and isinstance(results, SearchResults):
            self.search_finished.emit(results)

    def on_hit_activated(self, hit: object) -> None:
        assert isinstance(hit, Hit)
        article = self.open_article(hit.article_id)
        if article is None:
            return
        spans = [Span(s, e) for s, e in hit.offsets]
        self.view.set_hits(spans)
        target = hit.snippets[0].start if hit.snippets and hit.snippets[0].start >= 0 else 0
        self.view.go_to_offset(target)
        self.status_label.setText(
            f"{len(spans)} match{'es' if len(spans) != 1 else ''} · F3 next, Shift+F3 previous"
        )

    # --- library -------------------------------------------------------------

    def load_library(self) -> None:
        """Show the catalog at once, then bring it in step with the files off the UI thread."""
        self.library_panel.set_articles(self.library.articles())
        if self.library_panel.model.rowCount():
            self._open_initial_article()
        self.status_label.setText("Checking the library…")
        factory = self._core_factory

        def refresh(progress: Callable[[int, int], None]) -> RefreshReport:
            core = factory()
            try:
                return core.refresh(progress)
            finally:
                core.close()

        self._start(refresh, self.on_refresh_finished)

    def _start(
        self,
        fn: Callable[[Callable[[int, int], None]], object],
        on_finished: Callable[[object], None],
    ) -> None:
        self._jobs.start(fn, on_finished, self.on_worker_failed, self.on_worker_progress)

    def on_worker_progress(self, done: int, total: int) -> None:
        # Small jobs end before a bar could tell anything; large ones show it.
        self.progress.setVisible(total >= 100 and done < total)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def on_worker_failed(self, message: str) -> None:
        self.progress.hide()
        self.status_label.setText(message)

    def on_refresh_finished(self, report: object) -> None:
        assert isinstance(report, RefreshReport)
        self.progress.hide()
        had_rows = self.library_panel.model.rowCount() > 0
        self.library_panel.set_articles(self.library.articles())
        if not had_rows:
            self._open_initial_article()
        elif self._pending_target is not None:
            self._open_pending_target()
        elif self.view.article is not None and self.view.article.id in report.changed:
            self.open_article(self.view.article.id)
        self.refresh_bookmarks()
        count = self.library_panel.model.rowCount()
        parts = [f"{count} articles"]
        if report.failed:
            parts.append(f"{len(report.failed)} could not be read: {report.failed[0][1]}")
        self.status_label.setText(" · ".join(parts))
        self.library_loaded.emit()
        self.sync_index()

    def _open_initial_article(self) -> None:
        if self._open_pending_target():
            return
        last = self.settings.value("reading/last_article", "", type=str)
        if not (isinstance(last, str) and last and self.library_panel.select(last)):
            first = self.library_panel.first_id()
            if first:
                self.library_panel.select(first)

    def on_import_triggered(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", str(Path.home()), "Articles (*.md *.markdown *.txt)"
        )
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(self, paths: list[Path]) -> None:
        factory = self._core_factory

        def run(_progress: Callable[[int, int], None]) -> list[ImportOutcome]:
            core = factory()
            try:
                return core.import_paths(paths)
            finally:
                core.close()

        self.status_label.setText(f"Importing {len(paths)} file(s)…")
        self._start(run, self.on_import_finished)

    def on_import_finished(self, outcomes: object) -> None:
        assert isinstance(outcomes, list)
        self.library_panel.set_articles(self.library.articles())
        imported = [o for o in outcomes if o.status == "imported"]
        problems = [o for o in outcomes if o.status != "imported"]
        self.status_label.setText(f"Imported {len(imported)} of {len(outcomes)} file(s)")
        self.sync_index()
        if imported:
            last_id = imported[-1].article_id
            if last_id:
                self.library_panel.select(last_id)
        if problems:
            QMessageBox.information(
                self,
                "Import",
                "\n".join(f"{o.path.name}: {o.message}" for o in problems),
            )

    # --- reading -------------------------------------------------------------

    def on_article_selected(self, article_id: str) -> None:
        self.open_article(article_id)

    def open_article(self, article_id: str) -> Article | None:
        try:
            article = self.library.get(article_id)
        except ReaderError as exc:
            self.status_label.setText(str(exc))
            return None
        if self.library_panel.current_id() != article_id:
            self.library_panel.select(article_id)  # re-enters through the selection signal
            return article
        self.view.show_article(article)
        self._fill_outline(article)
        self.refresh_bookmarks()
        self.setWindowTitle(f"{article.title} — reader")
        self.settings.setValue("reading/last_article", article_id)
        info = article.info
        self.status_label.setText(f"{info.words:,} words · about {info.minutes} min")
        return article

    def _fill_outline(self, article: Article) -> None:
        self.outline.clear()
        for entry in article.rendered.outline:
            if entry.level == 1:
                continue
            item = QTreeWidgetItem([entry.title])
            item.setData(0, ANCHOR_ROLE, entry.anchor)
            if entry.level > 2:
                item.setText(0, "    " * (entry.level - 2) + entry.title)
            self.outline.addTopLevelItem(item)

    def on_outline_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        anchor = item.data(0, ANCHOR_ROLE)
        if anchor:
            self.view.scrollToAnchor(anchor)

    def on_theme_triggered(self, action: QAction) -> None:
        name = action.data()
        self.view.apply_theme(THEMES[name])
        self.settings.setValue("reading/theme", name)

    def on_font_step(self, step: int) -> None:
        self.view.set_font_px(self.view.font_px + step)
        self.settings.setValue("reading/font_px", self.view.font_px)

    # --- state ---------------------------------------------------------------

    def _restore_view_settings(self) -> None:
        theme = self.settings.value("reading/theme", "light", type=str)
        if theme not in THEMES:
            theme = "light"
        for action in self.theme_group.actions():
            action.setChecked(action.data() == theme)
        self.view.apply_theme(THEMES[theme])
        font_px = self.settings.value("reading/font_px", self.view.font_px, type=int)
        self.view.set_font_px(font_px if isinstance(font_px, int) else self.view.font_px)

    def restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    def shutdown(self) -> None:
        """Let background work finish and close the index; safe to call twice."""
        self._jobs.wait(30_000)
        self._index_jobs.wait(30_000)
        if self._index is not None:
            self._index.close()
            self._index = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.shutdown()
        super().closeEvent(event)


class _DeleteBookmark(QUndoCommand):
    """Deleting a bookmark, undone by putting it back as it was."""

    def __init__(self, window: MainWindow, bookmark_id: str) -> None:
        super().__init__("Delete Bookmark")
        self.window = window
        self.bookmark_id = bookmark_id
        self.deleted: Bookmark | None = None

    def redo(self) -> None:
        self.deleted = self.window.core.bookmarks.delete(self.bookmark_id)
        self.window.status_label.setText("Bookmark deleted · Ctrl+Z to undo")
        self.window.refresh_bookmarks()
        self.window.sync_index()

    def undo(self) -> None:
        if self.deleted is not None:
            self.window.core.bookmarks.put(self.deleted)
            self.window.status_label.setText("Bookmark restored")
            self.window.refresh_bookmarks()
            self.window.sync_index()
