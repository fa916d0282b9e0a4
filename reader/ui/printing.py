"""Articles on paper: a document laid out in pages, written to a PDF or sent to a printer.

The document is laid out as on screen, in the reading view's pixels, and each
page is drawn scaled to paper: the reading size (18 px) prints at 11 pt and
headings, margins and code keep their proportions to it. Fonts are laid out
with their design metrics, so the lines break the same at any resolution.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from reader import __version__
from reader.bookmarks import Bookmark
from reader.core import Page
from reader.errors import ReaderError
from reader.paths import APP_NAME
from reader.storage import reason, write_atomic
from reader.ui.article_view import BODY_PX, TextMap, own_resource
from reader.ui.themes import SERIF_FAMILIES, THEMES, Theme, document_css, em_per_line, first_family

log = logging.getLogger(__name__)

PT_PER_PX = 11 / BODY_PX  # the reading size prints at 11 pt
MARGIN_MM = 18.0
PDF_DPI = 300
_SCREEN_DPI = 96  # what a point-sized font is taken to mean in the view's pixels
LEADING_EM = 1.45  # from one line of body text to the next, in ems: a book's spacing

Mark = tuple[int, int, QColor]


class ExportError(ReaderError):
    """An article cannot be written to a PDF or printed; the message says why."""


class PaperDocument(QTextDocument):
    """A QTextDocument of one article that loads nothing but the article's own images.

    Whatever is refused is answered, never left unanswered (Qt would then read
    the path itself, as a file relative to the working folder): a refused or
    unreadable image is a transparent pixel, so nothing is printed for it.
    """

    def __init__(self, page: Page) -> None:
        super().__init__()
        self._page = page

    @property
    def page(self) -> Page:
        return self._page

    def loadResource(self, type_: int, name: QUrl | str) -> object:
        found = own_resource(self._page, type_, name)
        return _nothing() if isinstance(found, QImage) and found.isNull() else found


def _nothing() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    return image


def paper_font(font: QFont | None) -> QFont:
    """The body font in the view's pixels: the reading view's serif at its size by default."""
    if font is None:
        chosen = QFont(first_family(SERIF_FAMILIES))
        chosen.setPixelSize(BODY_PX)
        return chosen
    chosen = QFont(font)
    if chosen.pixelSize() <= 0:
        chosen.setPixelSize(max(1, round(chosen.pointSizeF() * _SCREEN_DPI / 72)))
    return chosen


def article_document(
    page: Page,
    *,
    theme: Theme = THEMES["light"],
    font: QFont | None = None,
    marks: Sequence[Mark] = (),
) -> QTextDocument:
    """The article as a document for paper, with ``marks`` painted on its text.

    It is styled as the reading view styles it in ``theme`` (the light one:
    paper is white), with lines :data:`LEADING_EM` apart, as paper is read
    closer than a screen; ``font`` is the body font, whose size in pixels
    scales the print as it does the screen. Each mark is ``(start, end,
    colour)`` in code points of ``page.text``, painted as a character
    background, so it prints.
    """
    body = paper_font(font)
    doc = PaperDocument(page)
    doc.setUndoRedoEnabled(False)
    doc.setUseDesignMetrics(True)
    doc.setDocumentMargin(0)  # the page's margins are the paper's
    doc.setDefaultFont(body)
    doc.setDefaultStyleSheet(document_css(theme, em_per_line(body), leading=LEADING_EM))
    doc.setHtml(page.html)
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, page.title)
    paint_marks(doc, page.text, marks)
    return doc


def paint_marks(doc: QTextDocument, text: str, marks: Sequence[Mark]) -> None:
    """Merge a background colour into the characters of each mark.

    Offsets count code points of ``text``, the core's plain text of the
    article; the document counts UTF-16 units, so they go through a TextMap.
    """
    if not marks:
        return
    positions = TextMap(text, doc.toPlainText())
    last = doc.characterCount() - 1
    for start, end, colour in marks:
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        cursor = QTextCursor(doc)
        cursor.setPosition(min(last, positions.to_qt(start)))
        cursor.setPosition(min(last, positions.to_qt(end)), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        cursor.mergeCharFormat(fmt)


def paper_layout() -> QPageLayout:
    """A4, portrait, with margins wide enough for any printer's unprintable edge."""
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        margins,
        QPageLayout.Unit.Millimeter,
    )


def _fit_images(doc: QTextDocument, width: float, height: float) -> None:
    """Shrink images larger than a page's text area to fit in it; they keep their shape
    and their resolution, being drawn smaller rather than resampled."""
    kind = QTextDocument.ResourceType.ImageResource.value
    shrunk: list[tuple[int, int, QTextImageFormat]] = []
    block = doc.begin()
    while block.isValid():
        pieces = block.begin()
        while not pieces.atEnd():
            fragment = pieces.fragment()
            pieces += 1
            if not fragment.charFormat().isImageFormat():
                continue
            fmt = fragment.charFormat().toImageFormat()
            w, h = fmt.width(), fmt.height()
            if w <= 0 or h <= 0:  # the HTML left a side to the image's own size
                loaded = doc.resource(kind, QUrl(fmt.name()))
                if not isinstance(loaded, QImage) or loaded.isNull():
                    continue
                if w <= 0 and h <= 0:
                    w, h = loaded.width(), loaded.height()
                elif w <= 0:
                    w = loaded.width() * h / loaded.height()
                else:
                    h = loaded.height() * w / loaded.width()
            scale = min(width / w, height / h)
            if scale < 1:
                fmt.setWidth(w * scale)
                fmt.setHeight(h * scale)
                shrunk.append((fragment.position(), fragment.length(), fmt))
        block = block.next()
    for position, length, fmt in shrunk:  # changed once the walk is over
        cursor = QTextCursor(doc)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(fmt)


def paint_pages(
    doc: QTextDocument, device: QPagedPaintDevice, pages: Iterable[int] | None = None
) -> int:
    """Lay ``doc`` out in the device's pages and draw them; returns how many it has.

    ``pages`` are the 0-based pages to draw (default: all). Raises ExportError
    if the device cannot be painted on.
    """
    paint = device.pageLayout().paintRect(QPageLayout.Unit.Point)
    width, height = paint.width() / PT_PER_PX, paint.height() / PT_PER_PX
    doc.setPageSize(QSizeF(width, height))
    _fit_images(doc, width, height)
    count = doc.pageCount()
    chosen = [k for k in (range(count) if pages is None else pages) if 0 <= k < count]
    scale_x = device.logicalDpiX() / 72 * PT_PER_PX
    scale_y = device.logicalDpiY() / 72 * PT_PER_PX
    painter = QPainter()
    if not painter.begin(device):
        raise ExportError("the pages cannot be drawn: the printer or file did not open")
    try:
        for n, k in enumerate(chosen):
            if n and not device.newPage():
                raise ExportError("the printer did not take another page")
            painter.save()
            painter.scale(scale_x, scale_y)
            painter.translate(0, -k * height)
            doc.drawContents(painter, QRectF(0, k * height, width, height))
            painter.restore()
    finally:
        painter.end()
    return count


def write_pdf(document: QTextDocument, path: Path, title: str) -> int:
    """Write ``document`` to a PDF at ``path`` (A4); returns its number of pages.

    The PDF is made in memory and the file replaced whole, so a failed export
    leaves nothing half-written, and no file where there was none. Raises
    ExportError with a one-line reason.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(paper_layout())
    writer.setTitle(title)
    writer.setCreator(f"{APP_NAME} {__version__}")
    count = paint_pages(document, writer)
    buffer.close()
    try:
        write_atomic(path, bytes(buffer.data().data()))
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {reason(exc)}") from None
    return count


def print_document(document: QTextDocument, parent: QWidget | None) -> bool:
    """Ask which printer and pages in the print dialog, then print; False if cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(paper_layout())
    title = document.metaInformation(QTextDocument.MetaInformation.DocumentTitle)
    printer.setDocName(title or APP_NAME)
    printer.setCreator(f"{APP_NAME} {__version__}")
    dialog = QPrintDialog(printer, parent)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintSelection, False)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, False)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        pages: range | None = None
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            pages = range(printer.fromPage() - 1, max(printer.fromPage(), printer.toPage()))
        paint_pages(document, printer, pages)
    finally:
        dialog.deleteLater()
    return True


def bookmark_marks(bookmarks: Iterable[Bookmark], theme: Theme = THEMES["light"]) -> list[Mark]:
    """The attached bookmarks' passages, in their colours on ``theme``, to paint on paper."""
    return [(b.start, b.end, QColor(theme.marks[b.color])) for b in bookmarks if not b.detached]


def export_pdf(page: Page, path: Path, *, marks: bool = False) -> int:
    """The command line's export: ``page`` in the light theme to a PDF at ``path``, with
    its bookmarked passages marked if ``marks``.

    Needs no window: a QGuiApplication is made if there is none (the caller
    chooses its platform).
    """
    _app = QGuiApplication.instance() or QGuiApplication([APP_NAME])  # held while drawing
    painted = bookmark_marks(page.bookmarks) if marks else []
    return write_pdf(article_document(page, marks=painted), path, page.title)
