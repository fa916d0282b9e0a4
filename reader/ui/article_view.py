"""The reading view: one article in a centred column, with highlights.

Positions into the article's plain text (search hits, bookmarks) map one to
one onto the document, because the core's plain text is the document's text.
Qt counts in UTF-16 code units, Python in code points; :class:`TextMap`
converts where the text has characters outside the BMP.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import logging
import re
from dataclasses import dataclass, replace
from html import escape

from PySide6.QtCore import QByteArray, QPoint, Qt, QThread, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from reader.core import Page
from reader.library import ArticleInfo
from reader.ui.themes import (
    SERIF_FAMILIES,
    THEMES,
    Theme,
    document_css,
    em_per_line,
    first_family,
)

log = logging.getLogger(__name__)
COLUMN_CHARS = 70
MIN_COLUMN_CHARS = 42  # narrower than this, the panels beside the page give way
_WIDE = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 code units each
BODY_PX = 18


class TextMap:
    """Code-point offsets of the core's text <-> UTF-16 positions in Qt's document.

    The two texts are equal for everything the renderer produces (the tests
    hold them to it); if a document ever differs, offsets are carried across
    by aligning the two texts, so highlights stay on the right words.
    """

    def __init__(self, text: str, shown: str | None = None) -> None:
        self._wide = [m.start() for m in _WIDE.finditer(shown if shown is not None else text)]
        self.aligned = shown is None or shown == text
        self._blocks: list[tuple[int, int, int]] = []  # (core start, shown start, length)
        if shown is not None and not self.aligned:
            matcher = difflib.SequenceMatcher(None, text, shown, autojunk=False)
            self._blocks = [(a, b, n) for a, b, n in matcher.get_matching_blocks() if n]
        self._starts = ([a for a, _, _ in self._blocks], [b for _, b, _ in self._blocks])

    def _carry(self, offset: int, side: int) -> int:
        """``offset`` on one side (0 core, 1 shown) to the other, through the aligned blocks."""
        if self.aligned:
            return offset
        k = bisect.bisect_right(self._starts[side], offset) - 1
        if k < 0:
            return 0
        block = self._blocks[k]
        return block[1 - side] + min(offset - block[side], block[2])

    def to_qt(self, offset: int) -> int:
        shown = self._carry(offset, 0)
        return shown + bisect.bisect_left(self._wide, shown)

    def from_qt(self, position: int) -> int:
        shown = position
        for _ in range(3):  # converges at once for all but pathological texts
            shown = position - bisect.bisect_left(self._wide, shown)
        return self._carry(shown, 1)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@functools.cache
def broken_image(colour: str) -> QImage:
    """A small framed cross in ``colour``: an image that is not shown."""
    image = QImage(22, 22, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    pen = QPen(QColor(colour))
    pen.setWidthF(1.5)
    painter.setPen(pen)
    painter.drawRect(2, 2, 18, 18)
    painter.drawLine(7, 7, 15, 15)
    painter.drawLine(15, 7, 7, 15)
    painter.end()
    return image


def own_resource(page: Page | None, type_: int, name: QUrl | str) -> QImage | QByteArray:
    """What a document of ``page`` may load: only its own images, never the network or
    another file.

    Whatever is refused is answered, never left unanswered: Qt would otherwise
    read the path itself, as a file relative to the working folder. A refused
    or unreadable image is a null QImage (the caller shows what it likes in
    its place); anything but an image, nothing.
    """
    if type_ != QTextDocument.ResourceType.ImageResource.value:
        return QByteArray()
    try:
        url = QUrl(name)
        data = None
        if page is not None and not url.scheme() and not url.host():
            data = page.own_image(url.path(QUrl.ComponentFormattingOption.FullyEncoded))
        return QImage.fromData(data) if data else QImage()
    except Exception:  # never unanswered, whatever went wrong
        log.exception("image %s", name)
        return QImage()


class PageDocument(QTextDocument):
    """An article's document: it loads only the page's own images (:func:`own_resource`),
    and draws a refused one as a broken-image mark in ``muted``.

    It can be made on any thread (:func:`prepare_document`) and handed to the view.
    """

    def __init__(self, page: Page | None, muted: str) -> None:
        super().__init__()
        self.page = page
        self.muted = muted

    def loadResource(self, type_: int, name: QUrl | str) -> object:
        found = own_resource(self.page, type_, name)
        if isinstance(found, QImage) and found.isNull():
            return broken_image(self.muted)
        return found


@dataclass(frozen=True)
class Look:
    """What the view sets an article in: a document made in another look is not used."""

    font: QFont
    margin: float
    css: str
    muted: str


@dataclass(frozen=True)
class Prepared:
    """A page's document made ready off the UI thread, with its text map."""

    page_id: str
    document: PageDocument
    map: TextMap
    look: Look


def prepare_document(page: Page, look: Look, thread: QThread) -> Prepared:
    """Parse ``page``'s HTML into a document set in ``look``, on the calling thread, and
    hand the document to ``thread`` (the UI thread, which will show it).

    Parsing a long article takes a good part of its opening; laid out, it is not:
    the view lays the document out as it is shown, the first screen first.
    """
    doc = PageDocument(page, look.muted)
    doc.setUndoRedoEnabled(False)
    doc.setDefaultFont(look.font)
    doc.setDocumentMargin(look.margin)
    option = doc.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)  # never inside a word
    doc.setDefaultTextOption(option)
    doc.setDefaultStyleSheet(look.css)
    doc.setHtml(page.html)
    text_map = TextMap(page.text, doc.toPlainText())
    doc.moveToThread(thread)
    return Prepared(page.id, doc, text_map, look)


class ArticleView(QTextBrowser):
    """QTextBrowser showing an article; it loads nothing but the article's own images."""

    external_link = Signal(QUrl)
    hits_changed = Signal(int, int)  # the current match (-1: none chosen yet), how many

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleView")
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.anchorClicked.connect(self.on_anchor_clicked)
        self._page: Page | None = None
        self._top_block = 0  # the block at the top of the view when last asked
        self._nothing = ""  # what the page says while no article is shown
        self._original = False
        self._map = TextMap("")
        self._theme = THEMES["light"]
        self._font_px = BODY_PX
        self._hits: list[Span] = []
        self._current_hit = -1
        self._marks: list[tuple[Span, QColor]] = []
        self._flash: Span | None = None
        self._column_chars = COLUMN_CHARS
        # A document of the page's own, which loads only its images: the one the view is
        # given when an article opens is made the same way (prepare_document).
        self._document = PageDocument(None, self._theme.muted)
        self.setDocument(self._document)
        self.setWordWrapMode(QTextOption.WrapMode.WordWrap)  # never inside a word
        family = first_family(SERIF_FAMILIES)
        font = QFont(family)
        font.setPixelSize(self._font_px)
        self.document().setDefaultFont(font)
        self.document().setDocumentMargin(28)
        self.apply_theme(self._theme)

    # --- content -------------------------------------------------------------

    @property
    def page(self) -> Page | None:
        """The article shown, as the core made it ready."""
        return self._page

    def look(self) -> Look:
        """What an article is set in now: a document prepared in it can be shown as made."""
        doc = self.document()
        font = doc.defaultFont()
        css = document_css(self._theme, em_per_line(font))
        return Look(QFont(font), doc.documentMargin(), css, self._theme.muted)

    def show_page(self, page: Page, prepared: Prepared | None = None) -> None:
        """Show ``page``: in the document ``prepared`` for it off the UI thread if it was
        set in the look the view has now, else parsed here."""
        self._set_page(page)
        self._original = False
        self._top_block = 0
        self._hits, self._current_hit, self._marks, self._flash = [], -1, [], None
        if prepared is not None and prepared.page_id == page.id and prepared.look == self.look():
            self.setDocument(prepared.document)
            self._document = prepared.document  # kept: the view does not own it
            self._map = prepared.map
        else:
            self.document().setDefaultStyleSheet(
                document_css(self._theme, em_per_line(self.document().defaultFont()))
            )
            self.setHtml(page.html)
            self._map = TextMap(page.text, self.toPlainText())
        if not self._map.aligned:
            log.warning("article %s: shown text differs from its plain text", page.id)
        self._update_selections()
        self.verticalScrollBar().setValue(0)
        if page.position > 0:
            self.scroll_to_top(page.position)

    def _set_page(self, page: Page | None) -> None:
        """The page shown, whose images the document may load."""
        self._page = page
        self._document.page, self._document.muted = page, self._theme.muted

    def show_nothing(self, message: str = "") -> None:
        """No article: the page is empty but for ``message``, in the theme's quiet colour."""
        self._set_page(None)
        self._nothing = message
        self._original = False
        self._hits, self._current_hit, self._marks, self._flash = [], -1, [], None
        quiet = f"<p style='color:{self._theme.muted}; text-align:center'>{escape(message)}</p>"
        self.setHtml(quiet if message else "")
        self._map = TextMap("")
        self._update_selections()

    def retitled(self, info: ArticleInfo) -> None:
        """The article shown has a new title or tags: the page keeps its place."""
        if self._page is not None and self._page.id == info.id:
            self._page = replace(self._page, info=info)

    def show_original(self, page: Page, html: str) -> None:
        """The article's file as it was, in place of the article; nothing can be marked."""
        self._set_page(page)
        self._original = True
        self._hits, self._current_hit, self._marks, self._flash = [], -1, [], None
        self.setHtml(html)
        self._map = TextMap("")
        self._update_selections()
        self.verticalScrollBar().setValue(0)

    @property
    def showing_original(self) -> bool:
        return self._original

    def loadResource(self, type_: int, name: QUrl | str) -> object:
        """What the page's document loads (only its own images): the browser itself
        never reads a file."""
        return self._document.loadResource(type_, name)

    def set_caret_browsing(self, on: bool) -> None:
        """A text cursor the keyboard moves and selects with (Shift+arrows), or none."""
        flags = self.textInteractionFlags()
        keyboard = Qt.TextInteractionFlag.TextSelectableByKeyboard
        self.setTextInteractionFlags(flags | keyboard if on else flags & ~keyboard)
        if on:
            self.setFocus()

    def on_anchor_clicked(self, url: QUrl) -> None:
        if url.hasFragment() and not url.host() and not url.path():
            self.scrollToAnchor(url.fragment())
        elif url.scheme() in ("http", "https", "mailto"):
            self.external_link.emit(url)  # the window asks first, or copies it

    # --- look ----------------------------------------------------------------

    @property
    def theme(self) -> Theme:
        return self._theme

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setStyleSheet(
            f"QTextBrowser#articleView {{ background: {theme.background}; color: {theme.text};"
            f" selection-background-color: {theme.selection}; selection-color: {theme.text};"
            " border: none; }"
        )
        if self._page is not None:
            value = self.verticalScrollBar().value()
            page = self._page
            marks, hits, current = self._marks, self._hits, self._current_hit
            self.show_page(page)
            self._marks, self._hits, self._current_hit = marks, hits, current
            self._update_selections()
            self.verticalScrollBar().setValue(value)
        elif self._nothing:
            self.show_nothing(self._nothing)  # in the theme's quiet colour

    def set_font_family(self, family: str) -> None:
        font = self.document().defaultFont()
        font.setFamily(family)
        self.document().setDefaultFont(font)
        self._center_column()
        self.apply_theme(self._theme)  # the line height follows the font's own spacing

    @property
    def font_family(self) -> str:
        return self.document().defaultFont().family()

    def set_column_chars(self, chars: int) -> None:
        """The reading column's width, in average characters of the body font."""
        self._column_chars = max(MIN_COLUMN_CHARS, min(120, chars))
        self._center_column()

    @property
    def column_chars(self) -> int:
        return self._column_chars

    def min_width(self) -> int:
        """The narrowest the view can be and still hold a readable column."""
        return self._column_width(MIN_COLUMN_CHARS) + self.verticalScrollBar().sizeHint().width()

    def set_font_px(self, px: int) -> None:
        self._font_px = max(12, min(32, px))
        font = self.document().defaultFont()
        font.setPixelSize(self._font_px)
        self.document().setDefaultFont(font)
        self._center_column()

    @property
    def font_px(self) -> int:
        return self._font_px

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-set the column, keeping the line at the top of the view at the top."""
        place = self.top_offset() if self._page is not None and not self._original else None
        super().resizeEvent(event)
        self._center_column()
        if place:
            self.scroll_to_top(place)

    def _column_width(self, chars: int) -> int:
        metrics = QFontMetricsF(self.document().defaultFont())
        margin = int(self.document().documentMargin())
        return int(metrics.averageCharWidth() * chars) + 2 * margin

    def _center_column(self) -> None:
        """Keep a column of the chosen width (70 characters at first) in the middle of the view."""
        column = self._column_width(self._column_chars)
        spare = self.width() - self.verticalScrollBar().sizeHint().width() - column
        side = max(0, spare // 2)
        self.setViewportMargins(side, 0, side, 0)

    # --- highlights ----------------------------------------------------------

    def cursor_for(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def selected_span(self) -> Span | None:
        cursor = self.textCursor()
        if not cursor.hasSelection() or self._original:
            return None
        return Span(self._map.from_qt(cursor.selectionStart()),
                    self._map.from_qt(cursor.selectionEnd()))  # fmt: skip

    def set_hits(self, spans: list[Span]) -> None:
        self._hits = sorted(spans, key=lambda s: s.start)
        self._current_hit = -1
        self._update_selections()
        self.hits_changed.emit(-1, len(self._hits))

    def hit_count(self) -> int:
        return len(self._hits)

    def current_hit(self) -> int:
        return self._current_hit

    def go_to_hit(self, index: int) -> None:
        if not self._hits:
            return
        self._current_hit = index % len(self._hits)
        span = self._hits[self._current_hit]
        self._update_selections()
        self.scroll_to_span(span)
        self.hits_changed.emit(self._current_hit, len(self._hits))

    def next_hit(self) -> None:
        self.go_to_hit(self._current_hit + 1)

    def previous_hit(self) -> None:
        self.go_to_hit(self._current_hit - 1 if self._current_hit >= 0 else -1)

    def go_to_offset(self, offset: int) -> None:
        """Show the hit at or after ``offset`` as the current one."""
        for k, span in enumerate(self._hits):
            if span.end > offset:
                self.go_to_hit(k)
                return
        self.scroll_to_span(Span(offset, offset))

    def set_marks(self, marks: list[tuple[Span, QColor]]) -> None:
        self._marks = marks
        self._update_selections()

    def flash(self, span: Span | None) -> None:
        self._flash = span
        self._update_selections()

    def scroll_to_span(self, span: Span) -> None:
        """Scroll so the span starts a third of the way down the view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(span.start))
        rect = self.cursorRect(cursor)
        bar = self.verticalScrollBar()
        target = bar.value() + rect.top() - self.viewport().height() // 3
        bar.setValue(max(0, min(bar.maximum(), target)))

    # --- where the reader is ---------------------------------------------------

    def offset_at(self, point: QPoint) -> int:
        """The offset (into the page's text) of what is at ``point`` of the viewport, by
        Qt's hit test (right once the document is laid out whole)."""
        return self._map.from_qt(self.cursorForPosition(point).position())

    def top_offset(self) -> int:
        """The offset (into the page's text) of the first line in view."""
        found = self._line_at(self.verticalScrollBar().value())
        if found is None:
            return self._map.from_qt(max(self.document().characterCount() - 1, 0))
        start, _end = found
        return self._map.from_qt(start)

    def read_fraction(self) -> float:
        """How far through the article's text the bottom of the view is, 0..1."""
        page = self._page
        bottom = self.verticalScrollBar().value() + self.viewport().height() - 1
        found = self._line_at(bottom)
        if page is None or not page.text or found is None:
            return 1.0  # the end of the page is in view
        _start, end = found
        return min(1.0, self._map.from_qt(end) / len(page.text))

    def _line_at(self, y: int) -> tuple[int, int] | None:
        """Where the line at height ``y`` of the document begins and ends (Qt positions);
        None below the last line.

        Found block by block from the block found last (the view moves a little at
        a time), which lays the document out down to that line only: a long page
        goes on being laid out while it is read. (Qt's hit test answers wrongly
        until the whole document is laid out.)
        """
        doc = self.document()
        layout = doc.documentLayout()
        block = doc.findBlockByNumber(min(self._top_block, doc.blockCount() - 1))
        while block.previous().isValid() and layout.blockBoundingRect(block).top() > y:
            block = block.previous()
        while block.isValid():
            rect = layout.blockBoundingRect(block)
            if rect.bottom() > y:
                self._top_block = block.blockNumber()
                lines = block.layout()
                for n in range(lines.lineCount()):
                    line = lines.lineAt(n)
                    if rect.top() + line.y() + line.height() > y:
                        start = block.position() + line.textStart()
                        return start, start + line.textLength()
                return block.position(), block.position() + block.length() - 1
            block = block.next()
        return None

    def scroll_to_top(self, offset: int) -> None:
        """Scroll so the line holding ``offset`` is the first in view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(self._map.to_qt(offset), self.document().characterCount() - 1))
        bar = self.verticalScrollBar()
        target = bar.value() + self.cursorRect(cursor).top()  # laid out down to the line
        if target > bar.maximum():
            self.document().size()  # the rest laid out too: the scroll bar's whole range
        bar.setValue(max(0, min(bar.maximum(), target)))

    def _update_selections(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        for span, colour in self._marks:
            selections.append(self._selection(span, colour, underline=False))
        hit_colour = QColor(self._theme.hit)
        for k, span in enumerate(self._hits):
            colour = QColor(self._theme.hit_current) if k == self._current_hit else hit_colour
            selections.append(self._selection(span, colour, underline=False))
        if self._flash is not None:
            selections.append(self._selection(self._flash, QColor(self._theme.hit_current), True))
        self.setExtraSelections(selections)

    def _selection(self, span: Span, colour: QColor, underline: bool) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        sel.cursor = self.cursor_for(span.start, span.end)
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        if underline:
            fmt.setFontUnderline(True)
        sel.format = fmt
        return sel
