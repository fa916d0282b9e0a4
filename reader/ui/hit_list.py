"""Search hits in a list: a model holding them, a delegate drawing them, the view showing them.

A hit is drawn as its title in bold (and "· bookmark" in the muted colour for a
bookmarked passage), then its snippets with the matched words marked in the
theme's ``mark`` colour, wrapped to the list's width. A row's rich text is laid
out by a :class:`QTextDocument` made when the row is first sized or painted and
kept for it; the documents are dropped when the hits or the theme change, so
listing hits does nothing per row. The same list can show plain rows instead
(the recent searches), each carrying a value under :data:`VALUE_ROLE`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from reader.search import ARTICLE, Hit, Snippet, join_snippets
from reader.ui.themes import Theme

AnyIndex = QModelIndex | QPersistentModelIndex

HIT_ROLE = Qt.ItemDataRole.UserRole + 1  # a hit's row: the Hit
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2  # a plain row: the value it stands for
SNIPPETS_ROLE = Qt.ItemDataRole.UserRole + 3  # a hit's row: the snippets it shows
BADGE = "bookmark"  # after the title of a hit that is not a whole article


@dataclass(frozen=True)
class Entry:
    """A plain row: the text shown, and the value it stands for."""

    text: str
    value: object


def hit_html(hit: Hit, snippets: Sequence[Snippet], theme: Theme) -> str:
    """A hit as rich text: its title, its badge, and ``snippets`` with the matches marked."""
    badge = "" if hit.kind == ARTICLE else f" <span style='color:{theme.ui_muted}'>· {BADGE}</span>"
    snippet = join_snippets(
        s.marked(f"<b style='background-color:{theme.mark}'>", "</b>", html.escape)
        for s in snippets
    )
    title = html.escape(hit.title)
    return f"<div style='margin:2px'><b>{title}</b>{badge}<div>{snippet}</div></div>"


def hit_text(hit: Hit, snippets: Sequence[Snippet]) -> str:
    """A hit as plain text: its title (and badge) on one line, its snippets on the next."""
    badge = "" if hit.kind == ARTICLE else f" · {BADGE}"
    snippet = join_snippets(s.text for s in snippets)
    return f"{hit.title}{badge}\n{snippet}" if snippet else f"{hit.title}{badge}"


class HitListModel(QAbstractListModel):
    """The rows of a hit list: search hits, or plain entries. Setting them is a reset."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[Hit, ...] | tuple[Entry, ...] = ()
        self._snippets: int | None = None  # how many of a hit's snippets are shown (None: all)

    def set_hits(self, hits: Sequence[Hit], snippets: int | None = None) -> None:
        """List ``hits``, each with its first ``snippets`` snippets (or all of them)."""
        self.beginResetModel()
        self._rows = tuple(hits)
        self._snippets = snippets
        self.endResetModel()

    def set_entries(self, entries: Sequence[Entry]) -> None:
        self.beginResetModel()
        self._rows = tuple(entries)
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries(())

    def hit(self, row: int) -> Hit | None:
        found = self._rows[row] if 0 <= row < len(self._rows) else None
        return found if isinstance(found, Hit) else None

    def hits(self) -> list[Hit]:
        return [row for row in self._rows if isinstance(row, Hit)]

    def shown_snippets(self, hit: Hit) -> tuple[Snippet, ...]:
        return hit.snippets[: self._snippets]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if isinstance(row, Hit):
            return self._hit_data(row, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text
        return row.value if role == VALUE_ROLE else None

    def _hit_data(self, hit: Hit, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return hit_text(hit, self.shown_snippets(hit))
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.title
        if role == HIT_ROLE:
            return hit
        if role == SNIPPETS_ROLE:
            return self.shown_snippets(hit)
        return None


class HitDelegate(QStyledItemDelegate):
    """Draws a hit's row from its rich text, wrapped to the view's width; plain rows as usual.

    Each hit's row is laid out by a document of its own, made when the row is first
    sized or painted and kept, wrapped at the last width asked, until :meth:`clear`.
    The documents dropped are filled again for the rows to come rather than destroyed
    at once, so dropping them costs nothing per row.
    """

    PAD = 6  # around a row's text
    MIN_ROW_WIDTH = 160
    GAP = 4  # between a row and the scroll bar's room
    SPARE = 100  # documents kept for reuse, at most

    def __init__(self, view: QListView, theme: Theme) -> None:
        super().__init__(view)
        self._view = view
        self._theme = theme
        self._documents: dict[int, QTextDocument] = {}  # by row
        self._spare: list[QTextDocument] = []  # dropped, to be filled again
        self._font_key = ""

    @property
    def theme(self) -> Theme:
        return self._theme

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.clear()

    def clear(self) -> None:
        """Drop the rows' documents: the hits or the look changed."""
        self._spare.extend(self._documents.values())
        del self._spare[self.SPARE :]
        self._documents = {}

    def laid_out_rows(self) -> list[int]:
        """The rows a document was made for since the last :meth:`clear`."""
        return sorted(self._documents)

    def row_width(self) -> int:
        """A hit's row's width: the view's, less room for its scroll bar."""
        scrollbar = self._view.verticalScrollBar().sizeHint().width()
        return max(self.MIN_ROW_WIDTH, self._view.viewport().width() - scrollbar - self.GAP)

    def rich_text(self, index: AnyIndex) -> str:
        """What a hit's row shows, as rich text in the theme's colours ("" for a plain row)."""
        hit = index.data(HIT_ROLE)
        if not isinstance(hit, Hit):
            return ""
        return hit_html(hit, index.data(SNIPPETS_ROLE) or (), self._theme)

    def document(self, index: AnyIndex, font: QFont) -> QTextDocument:
        """The row's laid-out rich text, made the first time it is asked for."""
        if font.key() != self._font_key:
            self.clear()
            self._font_key = font.key()
        doc = self._documents.get(index.row())
        if doc is None:
            doc = self._documents[index.row()] = self._make_document(index, font)
        width = self.row_width() - 2 * self.PAD
        if doc.textWidth() != width:
            doc.setTextWidth(width)
        return doc

    def _make_document(self, index: AnyIndex, font: QFont) -> QTextDocument:
        doc = self._spare.pop() if self._spare else QTextDocument()
        doc.setUndoRedoEnabled(False)
        doc.setDocumentMargin(0)
        doc.setDefaultFont(font)
        doc.setHtml(self.rich_text(index))
        return doc

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        if index.data(HIT_ROLE) is None:
            return super().sizeHint(option, index)
        doc = self.document(index, option.font)
        height = math.ceil(doc.size().height()) + 2 * self.PAD
        return QSize(self.row_width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if index.data(HIT_ROLE) is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # the background, selection and focus only: the text is drawn below
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        self._draw_text(painter, opt, self.document(index, opt.font))

    def _draw_text(self, painter: QPainter, opt: QStyleOptionViewItem, doc: QTextDocument) -> None:
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = opt.palette  # the text colour, on a selected row too
        painter.save()
        painter.setClipRect(opt.rect)
        painter.translate(opt.rect.left() + self.PAD, opt.rect.top() + self.PAD)
        doc.documentLayout().draw(painter, context)
        painter.restore()


class HitList(QListView):
    """A list of search hits (or of plain entries), each hit's row wrapped to the width.

    Rows are laid out a batch at a time, the first batch when they are first shown
    or a row is made current, the rest as the event loop turns.
    """

    BATCH = 8  # rows laid out at once: about a screenful

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hit_model = HitListModel(self)
        self.delegate = HitDelegate(self, theme)
        self.setModel(self.hit_model)
        self.setItemDelegate(self.delegate)
        self.hit_model.modelAboutToBeReset.connect(self.delegate.clear)
        self.setWordWrap(True)
        self.setSpacing(2)
        self.setUniformItemSizes(False)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(self.BATCH)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._width = -1  # the viewport's width the rows were laid out for

    # --- rows ------------------------------------------------------------------

    def set_hits(self, hits: Sequence[Hit], snippets: int | None = None) -> None:
        self.hit_model.set_hits(hits, snippets)

    def set_entries(self, entries: Sequence[Entry]) -> None:
        self.hit_model.set_entries(entries)

    def clear(self) -> None:
        self.hit_model.clear()

    def count(self) -> int:
        return self.hit_model.rowCount()

    def row_index(self, row: int) -> QModelIndex:
        return self.hit_model.index(row, 0)

    def hit(self, row: int) -> Hit | None:
        return self.hit_model.hit(row)

    def hits(self) -> list[Hit]:
        return self.hit_model.hits()

    def currentRow(self) -> int:
        current = self.currentIndex()
        return current.row() if current.isValid() else -1

    def setCurrentRow(self, row: int) -> None:
        """Make ``row`` current, the rows down to it laid out first so it can be scrolled to."""
        batch = self.batchSize()
        self.setBatchSize(max(batch, row + 1))
        self.setCurrentIndex(self.row_index(row))
        self.setBatchSize(batch)

    # --- look ------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Draw the rows in ``theme`` from now on."""
        self.delegate.set_theme(theme)
        self.viewport().update()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.viewport().width() != self._width:
            self._width = self.viewport().width()
            self.scheduleDelayedItemsLayout()  # the rows wrap again at the new width
        return super().viewportEvent(event)
