"""The page and the window as a reader meets them: themes, find, place, outline, keys."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPalette,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.paths import bundled_articles_dir
from reader.ui import screenshots, themes
from reader.ui.article_view import MIN_COLUMN_CHARS
from reader.ui.main_window import MainWindow
from reader.ui.outline import NO_HEADINGS
from reader.ui.themes import AA, THEMES, code_css, contrast
from tests.conftest import OpenWindow, settle, show

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
LONG = "the-role-of-the-backend"  # a bundled article with section headings


def _pairs(t: themes.Theme) -> list[tuple[str, str, str]]:
    """(what, foreground, background) for everything a reader reads, in one theme."""
    pairs = [
        ("body text", t.text, t.background),
        ("headings", t.heading, t.background),
        ("muted page text", t.muted, t.background),
        ("links", t.link, t.background),
        ("quotes", t.quote, t.background),
        ("inline code", t.text, t.code_background),
        ("a search hit in the page", t.text, t.hit),
        ("the current hit", t.text, t.hit_current),
        ("selected text", t.text, t.selection),
        ("panel text (snippets, notes)", t.ui_text, t.base),
        ("menus and tabs", t.ui_text, t.window),
        ("dates and counts in panels", t.ui_muted, t.base),
        ("a matched word in a snippet", t.ui_text, t.mark),
        ("a selected row", t.highlight_text, t.highlight),
        ("a selected row's rich text", t.ui_text, t.highlight),
        ("'detached'", t.danger, t.base),
    ]
    for colour, background in t.marks.items():
        pairs.append((f"a {colour} bookmark in the page", t.text, background))
        pairs.append((f"a {colour} bookmark's quote in the panel", t.ui_text, background))
    for css_class, colour in re.findall(
        r"\.codehilite \.([\w-]+) \{ color: (#[0-9a-f]{6})", code_css(t)
    ):
        pairs.append((f"code token .{css_class}", colour, t.code_background))
    return pairs


@pytest.mark.parametrize("name", sorted(THEMES))
def test_everything_read_has_aa_contrast_in_every_theme(name: str) -> None:
    theme = THEMES[name]
    low = [
        f"{what}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"
        for what, fg, bg in _pairs(theme)
        if contrast(fg, bg) < AA
    ]
    assert not low, low
    assert len(re.findall(r"color:", code_css(theme))) > 20  # code is coloured, not plain


def _all_keys(window: MainWindow) -> Counter[str]:
    keys: Counter[str] = Counter()
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            keys[seq.toString(QKeySequence.SequenceFormat.PortableText)] += 1
    return keys


def _action_for(window: MainWindow, key: str) -> QAction:
    found = [
        a
        for a in window.findChildren(QAction)
        if any(s == QKeySequence(key) for s in a.shortcuts())
    ]
    assert len(found) == 1, (key, [a.text() for a in found])
    return found[0]


def test_one_binding_per_key_and_the_keys_readers_expect(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    keys = _all_keys(window)
    assert not [k for k, n in keys.items() if n > 1], keys
    a = window.commands
    expected = {
        "Ctrl+F": a.find, "F3": a.next_hit, "Shift+F3": a.previous_hit, "Ctrl+K": a.search,
        "Ctrl+Shift+F": a.search, "Ctrl+=": a.bigger, "Ctrl+0": a.reset_size,
        "Ctrl+P": a.print_article, "Ctrl+Shift+T": a.next_theme, "F7": a.caret,
        "Ctrl+D": a.bookmark,
    }  # fmt: skip
    for key, action in expected.items():
        assert _action_for(window, key) is action, key


def test_the_system_theme_follows_the_desktop_live(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(data_dir)
    assert window.settings.theme == themes.SYSTEM  # the default
    monkeypatch.setattr(themes, "system_is_dark", lambda: True)
    hints = QGuiApplication.styleHints()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # as the desktop says it turned dark
    dark = THEMES["dark"]
    assert window.view.theme is dark
    palette = QApplication.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == dark.window
    assert palette.color(QPalette.ColorRole.Base).name() == dark.base
    assert palette.color(QPalette.ColorRole.Text).name() == dark.ui_text
    # a theme chosen by hand stays when the desktop changes
    next(x for x in window.commands.themes.actions() if x.data() == "sepia").trigger()
    monkeypatch.setattr(themes, "system_is_dark", lambda: False)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window.view.theme is THEMES["sepia"]
    window.commands.next_theme.trigger()  # sepia -> dark
    assert window.view.theme is dark and window.settings.theme == "dark"


def test_panels_and_highlights_take_the_themes_colours(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    core = ReaderCore(data_dir, bundled_articles_dir())
    core.refresh()
    core.add_bookmark_quote(LONG, "Backend developers", note="read again")
    core.close()
    window = open_window(data_dir, wait_for_index=True)
    show(qtbot, window, LONG)
    window.apply_theme_choice("dark")
    dark = THEMES["dark"]
    window.bookmarks_panel.refill()
    rows = window.bookmarks_panel.list
    labels = [_label_text(rows.itemWidget(rows.item(k))) for k in range(rows.count())]
    assert labels and all(dark.marks["yellow"] in label for label in labels)
    assert not any(light in " ".join(labels) for light in THEMES["light"].marks.values())
    marks = window.view.extraSelections()
    assert marks and marks[0].format.background().color().name() == dark.marks["yellow"]

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.search_panel.field.setText("backend")
    results = window.search_panel.results
    assert dark.mark in results.delegate.rich_text(results.row_index(0))


def _label_text(widget: QWidget) -> str:
    assert isinstance(widget, QLabel)
    return widget.text()


def _find_count(window: MainWindow) -> str:
    return window.find_bar.count.text()


def test_find_in_the_article_marks_every_match_and_steps_through_them(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, LONG)
    page = window.view.page
    assert page is not None
    total = len(re.findall("backend", page.text, re.IGNORECASE))
    assert total > 3
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible() and window.find_bar.field.hasFocus()
    qtbot.keyClicks(window.find_bar.field, "BACKEND")
    assert window.view.hit_count() == total
    assert _find_count(window) == f"1 of {total}"
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return)
    assert _find_count(window) == f"2 of {total}"
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_F3)
    assert _find_count(window) == f"3 of {total}"
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert _find_count(window) == f"2 of {total}"
    marked = window.view.extraSelections()  # the current match is marked
    assert marked[-1].cursor.selectedText().lower() == "backend"
    qtbot.keyClicks(window.find_bar.field, "zzz")
    assert _find_count(window) == "No matches" and window.view.hit_count() == 0
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible() and window.view.hit_count() == 0


def test_the_reading_place_is_kept_and_shown_in_the_library(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    window.resize(1000, 600)
    show(qtbot, window, LONG)
    bar = window.view.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    place = window.view.top_offset()
    assert place > 0
    window.keep_position()
    settle(qtbot, window)
    row = window.library_panel.model.row_of(LONG)
    read = window.library_panel.model.index(row, 3).data()
    assert re.fullmatch(r"\d+%", read), read
    window.close()

    again = open_window(data_dir)
    again.resize(1000, 600)
    assert again.view.page is not None and again.view.page.id == LONG
    assert abs(again.view.top_offset() - place) < 200  # the same lines, give or take one
    row = again.library_panel.model.row_of(LONG)
    assert again.library_panel.model.index(row, 3).data() == read


def test_the_outline_follows_the_section_in_view(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    window.outline_dock.show()
    show(qtbot, window, LONG)
    page = window.view.page
    assert page is not None
    sections = [e for e in page.outline if e.level > 1]
    assert len(sections) >= 3
    target = sections[2]
    window.view.scroll_to_top(target.offset + 1)
    qtbot.waitUntil(lambda: window.outline.current_anchor() == target.anchor, timeout=3000)
    item = window.outline.currentItem()
    assert item is not None and item.text().strip() == target.title  # whole, wrapped
    assert item.toolTip() == target.title
    window.view.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: window.outline.current_anchor() is None, timeout=3000)


def test_an_article_without_headings_says_so(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    user = data_dir / "library"
    user.mkdir(parents=True, exist_ok=True)
    (user / "note.md").write_text("# A note\n\nJust a paragraph, no sections.\n", encoding="utf-8")
    window = open_window(data_dir)
    show(qtbot, window, "a-note")
    assert window.outline.count() == 1
    item = window.outline.item(0)
    assert item is not None and item.text() == NO_HEADINGS


def _lines_end_at_word_boundaries(window: MainWindow) -> list[str]:
    broken = []
    block = window.view.document().begin()
    while block.isValid():
        layout: QTextLayout = block.layout()
        text = block.text()
        for k in range(layout.lineCount() - 1):
            line = layout.lineAt(k)
            end = line.textStart() + line.textLength()
            if 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
                broken.append(text[line.textStart() : end + 8])
        block = block.next()
    return broken


def test_a_narrow_window_keeps_a_readable_column(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    window.outline_dock.show()
    show(qtbot, window, LONG)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: not window.outline_dock.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: window.view.width() >= window.view.min_width() - 2, timeout=3000)
    metrics = window.view.fontMetrics()
    assert window.view.min_width() >= MIN_COLUMN_CHARS * metrics.averageCharWidth() * 0.8
    assert window.splitter.sizes()[0] > 0  # the sidebar still fits at 800 px

    window.resize(560, 600)
    qtbot.waitUntil(
        lambda: window.view.width() >= window.view.min_width() - 2, timeout=3000
    )  # the sidebar gave way
    assert window.splitter.sizes()[0] < 200
    assert not _lines_end_at_word_boundaries(window)  # no word is broken inside

    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.splitter.sizes()[0] >= 250, timeout=3000)
    qtbot.waitUntil(window.outline_dock.isVisible, timeout=3000)


def test_font_size_and_line_width_are_chosen_and_kept(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    assert "Charis SIL" in themes.load_bundled_fonts()
    window = open_window(data_dir)
    assert window.view.font_family == "Charis SIL"  # the bundled serif, on every machine
    usual = window.view.font_px
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font_px == usual + 1
    qtbot.keyClick(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font_px == usual
    sans = QFont("DejaVu Sans")
    sans.setPixelSize(20)
    window.set_reading_font(sans)
    wide = next(a for a in window.commands.columns.actions() if a.objectName() == "column-wide")
    wide.trigger()
    assert window.view.column_chars == 86
    window.close()

    again = open_window(data_dir)
    assert again.view.font_family == "DejaVu Sans" and again.view.font_px == 20
    assert again.view.column_chars == 86
    checked = [a.objectName() for a in again.commands.columns.actions() if a.isChecked()]
    assert checked == ["column-wide"]


def test_the_library_sort_is_kept(qtbot: QtBot, data_dir: Path, open_window: OpenWindow) -> None:
    window = open_window(data_dir)
    window.library_panel.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    first = window.library_panel.first_id()
    window.close()
    again = open_window(data_dir)
    header = again.library_panel.view.header()
    assert header.sortIndicatorSection() == 1
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert again.library_panel.first_id() == first


def test_help_lists_every_command_with_its_keys_and_says_what_reader_is(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    window = open_window(data_dir)
    qtbot.keyClick(window.view, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    assert table is not None
    rows = {}
    for k in range(table.rowCount()):
        name, keys = table.item(k, 0), table.item(k, 1)
        assert name is not None and keys is not None
        rows[name.text()] = keys.text()
    assert rows["Go ▸ Find in Article"] == QKeySequence("Ctrl+F").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert any(name.startswith("View ▸ Theme ▸ Next Theme") for name in rows)
    assert all(keys for keys in rows.values())
    window.commands.about.trigger()
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None and box.isVisible() and "reader" in box.text()
    box.close()


def test_the_article_is_exported_as_pdf_from_the_window(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, tmp_path: Path
) -> None:
    window = open_window(data_dir)
    show(qtbot, window, LONG)
    qtbot.keyClick(window.view, Qt.Key.Key_E, CTRL_SHIFT)
    dialog = window.findChild(QFileDialog, "pdfDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.close()
    target = tmp_path / "out" / "article.pdf"
    target.parent.mkdir()
    window.export_pdf_to(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert window.status_label.text().startswith("Exported article.pdf (")
    window.export_pdf_to(tmp_path / "missing" / "article.pdf")  # no such folder
    assert window.status_label.text().startswith("Not exported: ")
    assert not (tmp_path / "missing").exists()


def _lightness(path: Path) -> float:
    image = QImage(str(path))
    assert not image.isNull()
    step = 16
    values = [
        QColor(image.pixel(x, y)).lightnessF()
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    ]
    return sum(values) / len(values)


def test_the_readme_screenshots_are_made_from_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    written = screenshots.make(tmp_path)
    assert sorted(p.name for p in written) == [
        "bookmarks.png", "search.png", "window-dark.png", "window.png",
    ]  # fmt: skip
    assert _lightness(tmp_path / "window.png") > 0.8
    assert _lightness(tmp_path / "window-dark.png") < 0.25  # the whole window, not just the page
