"""The README's screenshots, made from the real window on the bundled articles.

    QT_QPA_PLATFORM=offscreen python -m reader.ui.screenshots resources/screenshots

Writes window.png (light), window-dark.png, search.png and bookmarks.png. It
works in a data folder of its own, made and removed here, so the user's
library is never touched.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from reader.core import ReaderCore
from reader.paths import bundled_articles_dir
from reader.ui.app import build_window
from reader.ui.main_window import MainWindow

ARTICLE = "the-role-of-the-backend"
SIZE = (1280, 800)


def _pump(app: QApplication, seconds: float, until: Callable[[], object] | None = None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            return
        time.sleep(0.01)


def _window(app: QApplication, data: Path, theme: str) -> MainWindow:
    window = build_window(data)
    window.resize(*SIZE)
    window.show()
    window.load_library()
    _pump(app, 20, lambda: not window.ops.busy() and window.view.page is not None)
    window.apply_theme_choice(theme)
    window.open_article(ARTICLE)
    _pump(app, 5, lambda: window.view.page is not None and window.view.page.id == ARTICLE)
    _pump(app, 0.5)
    return window


def make(out: Path) -> list[Path]:
    """Write the screenshots into ``out``; the paths written."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="reader-shots-") as tmp:
        data = Path(tmp) / "data"
        core = ReaderCore(data, bundled_articles_dir())
        core.refresh()
        core.add_bookmark_quote(
            ARTICLE, "Backend developers", note="The heart of the argument.", color="yellow"
        )
        core.add_bookmark_quote(ARTICLE, "scalability", color="green", tags=("architecture",))
        core.tag(ARTICLE, ["architecture", "careers"])
        core.tag("backend-developer", ["careers"])
        core.close()
        for theme, name in (("light", "window.png"), ("dark", "window-dark.png")):
            window = _window(app, data, theme)
            window.grab().save(str(out / name))
            written.append(out / name)
            if theme == "light":
                window.commands.search.trigger()
                window.search_panel.field.setText("database scalability")
                _pump(app, 5, window.search_panel.results.count)
                window.search_panel.on_return_pressed()  # the first result, opened at its hit
                _pump(app, 1.5)
                window.grab().save(str(out / "search.png"))
                written.append(out / "search.png")
                window.sidebar.setCurrentWidget(window.bookmarks_panel)
                window.open_article(ARTICLE)
                _pump(app, 2)
                marks = window.bookmarks_panel.items()
                if marks:
                    window.bookmarks_panel.list.setCurrentRow(0)
                    window.show_bookmark(marks[0])
                _pump(app, 1)
                window.grab().save(str(out / "bookmarks.png"))
                written.append(out / "bookmarks.png")
            window.close()
            window.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("resources") / "screenshots"
    for path in make(out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
