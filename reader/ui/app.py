"""Composition root: the operations, the settings and the window, made from one data dir."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

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


def run(
    data_dir_arg: str | None = None,
    article_id: str | None = None,
    bookmark_id: str | None = None,
) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    icon = resources_dir() / "icons" / "reader.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    data_dir = resolve_data_dir(data_dir_arg)
    try:
        window = build_window(data_dir)
    except ReaderError as exc:
        print(f"reader: error: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "reader", f"reader cannot start.\n\n{exc}")
        return 1
    ErrorReporter(window).install()
    window.show()
    if article_id:
        window.open_target(article_id, bookmark_id)
    window.load_library()
    code = app.exec()
    window.shutdown()
    return int(code)
