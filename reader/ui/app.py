"""Composition root: the operations, the settings and the window, made from one data dir."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from reader import __version__
from reader.core import ReaderCore
from reader.errors import ReaderError
from reader.paths import (
    APP_NAME,
    bundled_articles_dir,
    ensure_data_dir,
    resolve_data_dir,
    resources_dir,
)
from reader.ui.errors import ErrorReporter
from reader.ui.instance import InstanceServer, claim, server_name
from reader.ui.main_window import MainWindow
from reader.ui.operations import Operations
from reader.ui.settings import WindowSettings


def build_window(data_dir: Path) -> MainWindow:
    """Everything the window needs, made from one data dir. Raises ReaderError."""
    ensure_data_dir(data_dir)
    bundled = bundled_articles_dir()

    def core_factory() -> ReaderCore:
        return ReaderCore(data_dir, bundled)

    # Window state lives beside the library, so --data-dir isolates it too.
    settings = WindowSettings(data_dir / "state.ini")
    window = MainWindow(Operations(core_factory), settings, backups_dir=data_dir / "backups")
    window.ops.setParent(window)
    window.restore_geometry()
    return window


def bring_forward(window: QWidget) -> None:
    """Show the window over the others, restored if it was minimised, and give it the focus."""
    if window.isMinimized():
        window.setWindowState(
            (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
    window.show()
    window.raise_()
    window.activateWindow()


class LaterLaunches(QObject):
    """What a later ``reader`` or ``reader open`` on the same data dir asks of this window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)  # goes with the window, and its connection with it
        self._window = window

    @Slot(object, object)
    def on_request(self, article_id: object, bookmark_id: object) -> None:
        bring_forward(self._window)
        if isinstance(article_id, str):
            self._window.open_target(
                article_id, bookmark_id if isinstance(bookmark_id, str) else None
            )


def answer_requests(server: InstanceServer, window: MainWindow) -> None:
    """Let later launches bring ``window`` forward and open what they were asked to."""
    server.request.connect(LaterLaunches(window).on_request)


def run(
    data_dir_arg: str | None = None,
    article_id: str | None = None,
    bookmark_id: str | None = None,
) -> int:
    """Open the window, or hand the request to the one already open on this data dir."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)  # matches reader.desktop (install-desktop) on Wayland
    app.setApplicationVersion(__version__)
    icon = resources_dir() / "icons" / "reader.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    data_dir = resolve_data_dir(data_dir_arg)
    # No events are handled before app.exec(), so a request that comes while the
    # window is being built waits for it.
    server = claim(server_name(data_dir), article_id, bookmark_id)
    if server is None:  # the window already open on this data dir took the request
        return 0
    try:
        window = build_window(data_dir)
    except ReaderError as exc:
        server.close()
        print(f"reader: error: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "reader", f"reader cannot start.\n\n{exc}")
        return 1
    ErrorReporter(window).install()
    answer_requests(server, window)
    window.show()
    if article_id:
        window.open_target(article_id, bookmark_id)
    window.load_library()
    code = app.exec()
    server.close()
    window.shutdown()
    return int(code)
