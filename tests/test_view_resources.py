"""The reading view loads only the article's own images; links out are asked for."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QTextDocument
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from reader.core import Page, ReaderCore
from reader.rendering import render
from reader.ui.article_view import broken_image
from tests.conftest import OpenWindow, show

HOSTILE = [
    "/etc/passwd",
    "file:///etc/hostname",
    "../../etc/hostname",
    "/proc/self/environ",
    "/dev/zero",
    "pipe.png",  # a FIFO in the article's folder
    "evil.svg",  # an SVG naming another file, which Qt's SVG reader would load
    "escape.png",  # a link to a file outside the folder
    "http://example.org/tracker.png",
    "data:image/png;base64,iVBORw0KGgo=",
]
NOTE = "# Pictures\n\nMy own picture:\n\n![a dot](pics/dot.png)\n\n" + "".join(
    f'Picture {n}: <img src="{src}" width="100000" height="100000">\n\n'
    for n, src in enumerate(HOSTILE)
)


@pytest.fixture
def pictures(data_dir: Path) -> str:
    """An article beside its own image, a FIFO and a link out, refreshed into the library."""
    library = data_dir / "library"
    library.mkdir(exist_ok=True)
    (library / "pics").mkdir()
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(0xFF3366)
    assert image.save(str(library / "pics" / "dot.png"))
    os.mkfifo(library / "pipe.png")
    (library / "escape.png").symlink_to("/etc/hostname")
    (library / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="9" height="9"><image xlink:href="pipe.png" width="9" height="9"/></svg>'
    )
    shutil.copy(library / "pics" / "dot.png", library / "pics" / "dot2.png")
    (library / "pictures.md").write_text(NOTE)
    core = ReaderCore(data_dir, None)
    core.refresh()
    core.close()
    return "pictures"


def test_rendered_html_keeps_only_the_articles_own_image_sources() -> None:
    html = render(NOTE).html
    assert 'src="pics/dot.png"' in html
    for src in HOSTILE:
        if src not in ("pipe.png", "escape.png"):  # local names: refused when read
            assert src not in html
    assert "100000" not in html


def test_a_page_reads_its_own_image_and_nothing_else(data_dir: Path, pictures: str) -> None:
    core = ReaderCore(data_dir, None)
    page = core.open_article(pictures)
    own = page.own_image("pics/dot.png")
    assert own is not None and own.startswith(b"\x89PNG")
    for src in [*HOSTILE, "pics/../pics/dot.png", "pics/missing.png", "pictures.md"]:
        assert page.own_image(src) is None, src
    core.close()


def test_hostile_images_open_as_placeholders_and_the_own_image_shows(
    qtbot: QtBot, data_dir: Path, pictures: str, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, pictures)  # a read of /dev/zero or the FIFO would never return
    doc = window.view.document()
    kind = QTextDocument.ResourceType.ImageResource.value
    loaded = doc.resource(kind, QUrl("pics/dot.png"))
    assert isinstance(loaded, QImage) and loaded.width() == 4
    for src in HOSTILE:  # each answered with the mark, so Qt never reads the path itself
        answer = window.view.loadResource(kind, QUrl(src))
        assert isinstance(answer, QImage) and answer == broken_image(window.view.theme.muted), src
    assert window.view.page is not None
    assert window.view.toPlainText() == window.view.page.text  # one text, images and all


def test_a_clicked_link_is_asked_for_or_copied(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    window = open_window(data_dir)
    url = QUrl("https://example.org/some/page")
    window.view.anchorClicked.emit(url)
    box = window.link_box
    assert box is not None and box.isVisible()
    assert box.informativeText() == "https://example.org/some/page"
    assert opened == []  # nothing leaves the app before the user says so
    copy = next(b for b in box.buttons() if b.text() == "Copy Link")
    copy.click()
    assert QGuiApplication.clipboard().text() == "https://example.org/some/page"
    assert opened == []

    window.view.anchorClicked.emit(QUrl("mailto:someone@example.org"))
    box = window.link_box
    assert box is not None
    next(b for b in box.buttons() if b.text() == "Open").click()
    assert [u.toString() for u in opened] == ["mailto:someone@example.org"]

    window.commands.ask_links.setChecked(False)  # the user's choice: copy, never ask
    window.view.anchorClicked.emit(QUrl("https://example.org/other"))
    assert QGuiApplication.clipboard().text() == "https://example.org/other"
    assert len(opened) == 1 and "copied" in window.status_label.text()
    assert not window.settings.ask_before_links
    assert all(not w.isVisible() for w in window.findChildren(QMessageBox))


def test_an_error_while_loading_an_image_still_answers_with_the_mark(
    qtbot: QtBot,
    data_dir: Path,
    pictures: str,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, pictures)

    def broken(_page: Page, _src: str) -> bytes:
        raise UnicodeEncodeError("utf-8", "x", 0, 1, "a bug")

    monkeypatch.setattr(Page, "own_image", broken)
    kind = QTextDocument.ResourceType.ImageResource.value
    answer = window.view.document().resource(kind, QUrl("pics/dot2.png"))
    assert isinstance(answer, QImage) and answer == broken_image(window.view.theme.muted)
