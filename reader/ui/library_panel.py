"""The library list: title, source, date added, length and how far read; sortable and filterable.

One model, one filter-and-sort proxy and one tree view: a list of ten thousand
articles is as quick to show and to filter as a list of five. Rows are as tall
as their title needs (one line, or up to three with the last one elided), and
a line more for the article's tags; their heights are asked for only for the
rows shown, and the lines of each title are remembered per column width.

The filter looks for its words in the title, site, author and tags; ``tag:name``
(``tag:"two words"``) keeps only the articles with that tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from reader.bookmarks import normalise_tags
from reader.library import ArticleInfo
from reader.library.articles import readable

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
TAGS_ROLE = Qt.ItemDataRole.UserRole + 3  # the tags as the title cell shows them ("": none)
SHAPE_ROLE = Qt.ItemDataRole.UserRole + 4  # (title, tags): what a title cell's height needs

AnyIndex = QModelIndex | QPersistentModelIndex

# Logical columns; their numbers are what the window keeps as the sort column.
TITLE, WORDS, TIME, READ, SOURCE, ADDED, TAGS = range(7)
# The order they are shown in, and the ones shown until the user picks others.
SHOWN_ORDER = (TITLE, SOURCE, TAGS, ADDED, WORDS, TIME, READ)
DEFAULT_SHOWN = frozenset({TITLE, TIME, READ})

NO_MATCH = "No articles match"
NO_ARTICLES = "No articles yet"

TAG_SEPARATOR = " · "
# tag:name, or tag:"two words" (the closing quote may not be typed yet)
_TAG_TERM = re.compile(r'(?<!\S)tag:(?:"([^"]*)"?|(\S*))', re.IGNORECASE)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def read_label(progress: float) -> str:
    """ "" for an article not opened, "42%" part-way, "✓" read to the end."""
    if progress <= 0:
        return ""
    return "✓" if progress >= 0.98 else f"{max(1, round(progress * 100))}%"


def fold_tag(tag: str) -> str:
    """A tag as it is kept (lower case, single spaces): what the filter compares."""
    return next(iter(normalise_tags([tag])), "")


def tag_term(tag: str) -> str:
    """``tag`` as the filter reads it: tag:name, or tag:"two words"."""
    return f'tag:"{tag}"' if any(c.isspace() or c == '"' for c in tag) else f"tag:{tag}"


def read_filter(text: str) -> tuple[str, tuple[str, ...]]:
    """The words a filter looks for (case-folded) and the tags it asks for."""
    tags: list[str] = []

    def take(m: re.Match[str]) -> str:
        tag = fold_tag(m.group(1) if m.group(1) is not None else m.group(2))
        if tag and tag not in tags:
            tags.append(tag)
        return " "

    words = _TAG_TERM.sub(take, text)
    return " ".join(words.split()).casefold(), tuple(tags)


def with_tag(text: str, tag: str | None) -> str:
    """The filter ``text`` asking for ``tag`` in place of the tags it asked for (None: none)."""
    words = " ".join(_TAG_TERM.sub(" ", text).split())
    return f"{tag_term(tag)} {words}".strip() if tag else words


def tags_label(info: ArticleInfo) -> str:
    return TAG_SEPARATOR.join(info.tags)


def source_label(info: ArticleInfo) -> str:
    """Where an article comes from: its site, else its author, else nothing."""
    return info.site or info.author


def added_label(added_at: float, today: date | None = None) -> str:
    """ "Today", "Yesterday", "27 Nov" this year, "27 Nov 2025" before it; "" if unknown."""
    if added_at <= 0:
        return ""
    day = datetime.fromtimestamp(added_at).date()
    today = date.today() if today is None else today
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    short = f"{day.day} {MONTHS[day.month - 1]}"
    return short if day.year == today.year else f"{short} {day.year}"


class LibraryModel(QAbstractTableModel):
    COLUMNS = ("Title", "Words", "Time", "Read", "Source", "Added", "Tags")

    def __init__(self) -> None:
        super().__init__()
        self._library: list[ArticleInfo] = []  # in the library's order
        self._rows: list[ArticleInfo] = []  # in the order shown
        self._titles: list[str] = []
        self._keys: dict[int, list[Any]] = {}  # sort keys of _rows per column, made when asked
        self._folded: list[str] | None = None  # what a filter matches, per row
        self._tag_sets: list[frozenset[str]] | None = None  # each row's tags, folded
        self._order: tuple[int, bool] = (-1, False)  # column sorted by (-1: none), descending

    def set_articles(self, articles: list[ArticleInfo]) -> None:
        self.beginResetModel()
        self._library = list(articles)
        self._arrange()
        self.endResetModel()

    def _arrange(self) -> None:
        """Put the rows in the order asked for; ties keep the library's order."""
        column, descending = self._order
        rows = self._library
        if column >= 0:
            keys = sort_keys(rows, column)
            rows = [rows[k] for k in sorted(range(len(rows)), key=keys.__getitem__,
                                            reverse=descending)]  # fmt: skip
        self._rows = rows
        self._titles = [_shown_title(a) for a in rows]
        self._keys.clear()
        self._folded = self._tag_sets = None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column`` (-1: the library's order), keeping the selection.

        The rows move in one layout change, sorted by keys made once, rather than
        compared pair by pair through the model, which takes most of a second at
        ten thousand rows.
        """
        wanted = (column, order == Qt.SortOrder.DescendingOrder)
        if wanted != self._order:
            self._order = wanted
            self._rearrange()

    def sort_order(self) -> tuple[int, bool]:
        """The column the rows are sorted by (-1: none) and whether descending."""
        return self._order

    def _rearrange(self) -> None:
        self.layoutAboutToBeChanged.emit()
        before = self._rows
        self._arrange()
        row_now = {a.id: k for k, a in enumerate(self._rows)}
        kept = self.persistentIndexList()
        moved = [self.index(row_now[before[i.row()].id], i.column()) for i in kept]
        self.changePersistentIndexList(kept, moved)
        self.layoutChanged.emit()

    def article(self, row: int) -> ArticleInfo:
        return self._rows[row]

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Asked for each row the filter maps: one call here, not rowCount and columnCount.
        if 0 <= row < len(self._rows) and 0 <= column < len(self.COLUMNS) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight if is_number(section) else Qt.AlignmentFlag.AlignLeft
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._titles[row] if col == TITLE else self._detail(self._rows[row], col)
        if role == SORT_ROLE:
            keys = self._keys.get(col)
            if keys is None:
                keys = self._keys[col] = sort_keys(self._rows, col)
            return keys[row]
        if role == ID_ROLE:
            return self._rows[row].id
        if role == TAGS_ROLE:
            return tags_label(self._rows[row])
        if role == SHAPE_ROLE:
            return self._titles[row], tags_label(self._rows[row])
        if role == Qt.ItemDataRole.TextAlignmentRole and col != TITLE:
            side = Qt.AlignmentFlag.AlignRight if is_number(col) else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(self._rows[row])
        return None

    @staticmethod
    def _detail(a: ArticleInfo, col: int) -> str:
        if col == SOURCE:
            return source_label(a)
        if col == ADDED:
            return added_label(a.added_at)
        if col == TAGS:
            return ", ".join(a.tags)
        if a.problem and not a.words:  # never converted: nothing to count
            return ""
        if col == WORDS:
            return f"{a.words:,}"
        if col == TIME:
            return f"{a.minutes} min"
        return read_label(a.progress)

    @staticmethod
    def _tooltip(a: ArticleInfo) -> str:
        read = f" · {round(a.progress * 100)}% read" if a.progress > 0 else ""
        about = f"{a.words:,} words · about {a.minutes} min{read}"
        byline = " · ".join(part for part in (a.author, a.site, a.published) if part)
        tip = a.title + (f"\n{byline}" if byline else "") + f"\n{about}"
        tip += f"\nTags: {', '.join(a.tags)}" if a.tags else ""
        tip += f"\nAdded {added_label(a.added_at)}" if a.added_at > 0 else ""
        tip += f"\n{readable(a.source)}"
        if a.problem:
            kept = "\nShown as it was last converted." if a.words else ""
            tip += f"\nThe file could not be converted: {a.problem}{kept}"
        return tip

    def folded(self) -> list[str]:
        """Each row's title, site, author and tags, case-folded: what a filter looks in."""
        if self._folded is None:
            self._folded = [
                f"{a.title}\n{a.site}\n{a.author}\n{' '.join(a.tags)}".casefold()
                for a in self._rows
            ]
        return self._folded

    def tag_sets(self) -> list[frozenset[str]]:
        """Each row's tags, case-folded: what a filter's tag:name looks in."""
        if self._tag_sets is None:
            self._tag_sets = [frozenset(fold_tag(t) for t in a.tags) for a in self._rows]
        return self._tag_sets

    def tag_counts(self) -> dict[str, int]:
        """Every tag in the list with how many articles have it, by name."""
        counts: dict[str, int] = {}
        for a in self._library:
            for t in a.tags:
                counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items()))

    def row_of(self, article_id: str) -> int:
        return next((k for k, a in enumerate(self._rows) if a.id == article_id), -1)

    def update_article(self, info: ArticleInfo) -> bool:
        """Show an article's new title or tags in its row, without listing everything
        again; False if it is not listed."""
        row = self.row_of(info.id)
        if row < 0:
            return False
        info = replace(info, progress=self._rows[row].progress)  # the list's is the latest
        self._put(row, info)
        self._titles[row] = _shown_title(info)
        self._folded = self._tag_sets = None
        if self._order[0] in (TITLE, TAGS):
            self._rearrange()  # it moves to its place, as a sorted list keeps it
        else:
            self._keys.clear()
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        return True

    def _put(self, row: int, info: ArticleInfo) -> None:
        self._rows[row] = info
        if self._library is not self._rows:  # sorted: the library's order is a list of its own
            place = next(k for k, a in enumerate(self._library) if a.id == info.id)
            self._library[place] = info

    def set_progress(self, article_id: str, progress: float) -> None:
        """Show how far an article has been read, without listing everything again."""
        row = self.row_of(article_id)
        if row < 0 or self._rows[row].progress == progress:
            return
        self._put(row, replace(self._rows[row], progress=progress))
        if self._order[0] == READ:
            self._rearrange()  # it moves to its place, as a sorted list keeps it
        else:
            self._keys.pop(READ, None)
            index = self.index(row, READ)
            self.dataChanged.emit(index, index)


def _shown_title(a: ArticleInfo) -> str:
    return f"⚠ {a.title}" if a.problem else a.title


def sort_keys(rows: list[ArticleInfo], column: int) -> list[Any]:
    """Each row's key for sorting by ``column``."""
    if column == TITLE:
        return [a.title.casefold() for a in rows]
    if column in (WORDS, TIME):
        return [a.words for a in rows]
    if column == READ:
        return [a.progress for a in rows]
    if column == SOURCE:  # articles with a source first, then those without
        return [(not s, s) for s in (source_label(a).casefold() for a in rows)]
    if column == TAGS:  # tagged articles first, then the others
        return [(not a.tags, ", ".join(a.tags).casefold()) for a in rows]
    return [a.added_at for a in rows]


def is_number(column: int) -> bool:
    return column in (WORDS, TIME, READ)


class LibraryFilter(QSortFilterProxyModel):
    """Keeps the rows whose title, site, author or tags hold the filter's words, and that
    have every tag it asks for (tag:name).

    Sorting is handed to the model, which orders its rows in one step; the
    filter looks in case-folded text the model makes once per list.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(0)
        self.setSortRole(SORT_ROLE)
        self._needle = ""
        self._tags: tuple[str, ...] = ()
        self._library: LibraryModel | None = None

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        assert isinstance(model, LibraryModel)
        self._library = model
        super().setSourceModel(model)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._library is not None:
            self._library.sort(column, order)

    def set_text(self, text: str) -> None:
        needle, tags = read_filter(text)
        if (needle, tags) == (self._needle, self._tags):
            return
        if not hasattr(self, "beginFilterChange"):  # Qt before 6.9
            self._needle, self._tags = needle, tags
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()
        self._needle, self._tags = needle, tags
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def text(self) -> str:
        return self._needle

    def tags(self) -> tuple[str, ...]:
        """The tags the filter asks for, case-folded."""
        return self._tags

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        library = self._library
        if library is None:
            return True
        if self._tags and not library.tag_sets()[source_row].issuperset(self._tags):
            return False
        return not self._needle or self._needle in library.folded()[source_row]


def utf16_slice(text: str, start: int, length: int) -> str:
    """``text[start:start + length]`` counted in UTF-16 units, as Qt counts."""
    if text.isascii():
        return text[start : start + length]
    units = text.encode("utf-16-le")
    return units[2 * start : 2 * (start + length)].decode("utf-16-le", errors="ignore")


def wrap_title(text: str, font: QFont, width: int, max_lines: int = 3) -> tuple[str, ...]:
    """A title's lines at ``width``: as many as it needs up to ``max_lines``, the last elided."""
    metrics = QFontMetrics(font)
    if width <= 0 or metrics.horizontalAdvance(text) <= width:
        return (text,)
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    spans: list[tuple[int, int]] = []
    layout.beginLayout()
    while len(spans) < max_lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    if not spans:
        return (text,)
    lines = [utf16_slice(text, start, length).strip() for start, length in spans]
    start = spans[-1][0]
    rest = utf16_slice(text, start, len(text.encode("utf-16-le")) // 2 - start).strip()
    if rest != lines[-1]:  # more than fits: the last line ends with an ellipsis
        lines[-1] = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return tuple(line for line in lines if line) or (text,)


def tag_font(font: QFont) -> QFont:
    """The smaller font of the tags under a title."""
    small = QFont(font)
    if font.pixelSize() > 0:
        small.setPixelSize(max(9, round(font.pixelSize() * 0.88)))
    else:
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.88))
    return small


class TitleDelegate(QStyledItemDelegate):
    """Titles on as many lines as they need, up to three, in the title column's width; the
    article's tags on a quieter line under it (unless the Tags column shows them)."""

    PAD_X = 6
    PAD_Y = 6
    MAX_LINES = 3
    TAG_GAP = 1  # between the title and its tags

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self._view = view
        self._lines: dict[str, tuple[str, ...]] = {}
        self._for: tuple[int, str] = (-1, "")  # the width and font the lines were made for
        self._heights_for: tuple[str, int, int] = ("", 0, 0)  # a font's key, its heights

    def text_width(self) -> int:
        return self._view.header().sectionSize(TITLE) - 2 * self.PAD_X

    def lines(self, text: str, font: QFont, width: int) -> tuple[str, ...]:
        made_for = (width, font.key())
        if made_for != self._for or len(self._lines) > 50_000:
            self._lines.clear()
            self._for = made_for
        lines = self._lines.get(text)
        if lines is None:
            lines = self._lines[text] = wrap_title(text, font, width, self.MAX_LINES)
        return lines

    def tags_under_title(self) -> bool:
        return self._view.header().isSectionHidden(TAGS)

    def _tags(self, index: AnyIndex) -> str:
        tags = index.data(TAGS_ROLE) if self.tags_under_title() else ""
        return tags if isinstance(tags, str) else ""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        # Asked for every row above the one scrolled to: one data() call, and the
        # heights of a line and of the tags' line kept per font.
        shape = index.data(SHAPE_ROLE)
        text, tags = shape if isinstance(shape, tuple) else ("", "")
        width = self.text_width()
        font = option.font
        count = len(self.lines(text, font, width))
        line, tag_line = self._heights(font)
        height = count * line + 2 * self.PAD_Y
        if tags and self.tags_under_title():
            height += tag_line
        return QSize(width, height)

    def _heights(self, font: QFont) -> tuple[int, int]:
        """A line's height in ``font``, and the tags' line's (with its gap)."""
        key = font.key()
        if key != self._heights_for[0]:
            line = QFontMetrics(font).lineSpacing()
            tag_line = QFontMetrics(tag_font(font)).lineSpacing() + self.TAG_GAP
            self._heights_for = (key, line, tag_line)
        return self._heights_for[1], self._heights_for[2]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = opt.rect.adjusted(self.PAD_X, self.PAD_Y, -self.PAD_X, -self.PAD_Y)
        lines = self.lines(text, opt.font, rect.width())
        spacing = opt.fontMetrics.lineSpacing()
        tags = self._tags(index)
        _line, tag_line = self._heights(opt.font)
        tag_height = tag_line if tags else 0
        shown = min(len(lines), max(1, (rect.height() - tag_height) // spacing))
        top = rect.top() + (rect.height() - shown * spacing - tag_height) // 2
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(opt.palette.color(role))
        painter.setFont(opt.font)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for k in range(shown):
            line = QRect(rect.left(), top + k * spacing, rect.width(), spacing)
            painter.drawText(line, flags, lines[k])
        if tags:
            quiet = QPalette.ColorRole.PlaceholderText
            painter.setPen(opt.palette.color(role if selected else quiet))
            small = tag_font(opt.font)  # only for a row with tags
            painter.setFont(small)
            metrics = QFontMetrics(small)
            line = QRect(rect.left(), top + shown * spacing + self.TAG_GAP, rect.width(),
                         tag_line - self.TAG_GAP)  # fmt: skip
            elided = metrics.elidedText(tags, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(line, flags, elided)
        painter.restore()


class DetailDelegate(QStyledItemDelegate):
    """The columns beside the title, in the palette's quieter text colour."""

    NO_HEIGHT = QSize(0, 0)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        # One line, never taller than the title beside it, in a column whose width is
        # set: nothing to measure (asked for every row above the one scrolled to).
        return self.NO_HEIGHT

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().initStyleOption(option, index)
        muted = option.palette.color(QPalette.ColorRole.PlaceholderText)
        option.palette.setColor(QPalette.ColorRole.Text, muted)


class LibraryPanel(QWidget):
    article_selected = Signal(str)
    columns_changed = Signal()  # the user showed or hid a column
    menu_requested = Signal(str, QPoint)  # an article's row was right-clicked: its id, where

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LibraryModel()
        self.proxy = LibraryFilter()
        self.proxy.setSourceModel(self.model)
        self._listed = False  # set_articles has been called: an empty list means no articles
        self._tag_counts: dict[str, int] = {}

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter articles")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(
            "Words in the title, site, author or tags; tag:name keeps the articles with that tag"
        )
        self.tag_button = QToolButton(self)
        self.tag_button.setObjectName("tagFilterButton")
        self.tag_button.setText("Tags")
        self.tag_button.setToolTip("Show the articles with one tag")
        self.tag_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.tag_button.setAutoRaise(True)
        self.tag_menu = QMenu(self.tag_button)
        self.tag_menu.aboutToShow.connect(self._fill_tag_menu)
        self.tag_button.setMenu(self.tag_menu)
        self.tag_button.hide()  # until an article has a tag
        self.view = QTreeView(self)
        self.view.setObjectName("libraryList")
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setIndentation(0)
        # Rows differ in height, so the view asks each shown row's height; scrolling
        # by rows keeps it from asking every row's to size the scroll bar.
        self.view.setUniformRowHeights(False)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.title_delegate = TitleDelegate(self.view)
        self.view.setItemDelegate(DetailDelegate(self.view))
        self.view.setItemDelegateForColumn(TITLE, self.title_delegate)
        self.view.setAlternatingRowColors(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._row_menu)
        self._setup_header()

        self.empty_label = QLabel(self.view.viewport())
        self.empty_label.setObjectName("libraryEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.hide()
        overlay = QVBoxLayout(self.view.viewport())
        overlay.setContentsMargins(12, 12, 12, 12)
        overlay.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        filter_row = QHBoxLayout()
        filter_row.setContentsMargins(0, 0, 0, 0)
        filter_row.setSpacing(4)
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.tag_button)
        layout.addLayout(filter_row)
        layout.addWidget(self.view)

        # Rows are laid out again, once, after the title column changes width.
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self._lay_out_rows)
        self._title_width = -1

        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.view.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        for signal in (self.proxy.modelReset, self.proxy.layoutChanged):
            signal.connect(self._show_empty_message)
        self.proxy.rowsInserted.connect(self._show_empty_message)
        self.proxy.rowsRemoved.connect(self._show_empty_message)

    def _setup_header(self) -> None:
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setFirstSectionMovable(False)
        for visual, logical in enumerate(SHOWN_ORDER):
            header.moveSection(header.visualIndex(logical), visual)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        # Widths from the font: sizing to contents would read every row's text on
        # each reset of a list of thousands, on the UI thread.
        metrics = self.view.fontMetrics()
        room = metrics.horizontalAdvance("M") * 2  # for the sort arrow
        widest = {WORDS: "000,000", TIME: "000 min", READ: "100%", SOURCE: "Example Weekly",
                  ADDED: "30 Sep 2026", TAGS: "history, ferries"}  # fmt: skip
        for column, sample in widest.items():
            label = self.model.COLUMNS[column]
            width = max(metrics.horizontalAdvance(label) + room, metrics.horizontalAdvance(sample))
            mode = (
                QHeaderView.ResizeMode.Interactive
                if column in (SOURCE, TAGS)
                else QHeaderView.ResizeMode.Fixed
            )
            header.setSectionResizeMode(column, mode)
            header.resizeSection(column, width + 10)
            header.setSectionHidden(column, column not in DEFAULT_SHOWN)
        header.setSortIndicatorShown(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.sectionResized.connect(self._on_section_resized)

    # --- columns -------------------------------------------------------------

    def shown_columns(self) -> list[str]:
        """The names of the columns shown, in the order shown."""
        header = self.view.header()
        logical = (header.logicalIndex(v) for v in range(header.count()))
        return [self.model.COLUMNS[c] for c in logical if not header.isSectionHidden(c)]

    def show_columns(self, names: Iterable[str]) -> None:
        """Show these columns (by name) and hide the others; the title is always shown."""
        wanted = set(names) | {self.model.COLUMNS[TITLE]}
        header = self.view.header()
        for column, name in enumerate(self.model.COLUMNS):
            header.setSectionHidden(column, name not in wanted)
        self._lay_out_rows(again=True)

    def _column_menu(self, pos: QPoint) -> None:
        header = self.view.header()
        menu = QMenu(self)
        for column in SHOWN_ORDER[1:]:
            action = menu.addAction(self.model.COLUMNS[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(self._toggler(column))
        menu.exec(header.mapToGlobal(pos))
        menu.deleteLater()

    def _toggler(self, column: int) -> Callable[[bool], None]:
        def toggle(shown: bool) -> None:
            self.view.header().setSectionHidden(column, not shown)
            if column == TAGS:  # the tags go from under the titles to their column, or back
                self._lay_out_rows(again=True)
            self.columns_changed.emit()

        return toggle

    def _on_section_resized(self, logical: int, _old: int, _new: int) -> None:
        if logical == TITLE:
            self._relayout.start()

    def _lay_out_rows(self, again: bool = False) -> None:
        width = self.title_delegate.text_width()
        if width != self._title_width or again:
            self._title_width = width
            self.view.doItemsLayout()  # rows ask their height again, as they are shown

    # --- the empty list ------------------------------------------------------

    def empty_message(self) -> str:
        """What the list says instead of rows ("" while it shows some)."""
        return "" if self.empty_label.isHidden() else self.empty_label.text()

    def _show_empty_message(self) -> None:
        if self.proxy.rowCount() > 0:
            message = ""
        elif self.model.rowCount() > 0:
            message = NO_MATCH
        else:
            message = NO_ARTICLES if self._listed else ""
        self.empty_label.setText(message)
        self.empty_label.setHidden(not message)

    # --- rows ----------------------------------------------------------------

    def set_articles(self, articles: list[ArticleInfo]) -> None:
        """Replace the list, keeping the current article selected without announcing it."""
        current = self.current_id()
        self._listed = True
        self.model.set_articles(articles)
        self._show_tag_button()
        if current:
            selection = self.view.selectionModel()
            selection.blockSignals(True)
            try:
                self.select(current, clear_filter=False)  # the user's filter stays
            finally:
                selection.blockSignals(False)
        self._show_empty_message()

    def update_article(self, info: ArticleInfo) -> None:
        """Show an article's new title or tags in its row."""
        if self.model.update_article(info):
            self._show_tag_button()
            self.view.doItemsLayout()  # its row may take a line more, or one less

    def on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.article_selected.emit(current.data(ID_ROLE))

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select(self, article_id: str, *, clear_filter: bool = True) -> bool:
        """Make the article the current row; one the filter hides clears the filter, or
        (``clear_filter`` False) is not selected."""
        row = self.model.row_of(article_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            if not clear_filter:
                return False
            self.filter_edit.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
        return True

    def first_id(self) -> str | None:
        index = self.proxy.index(0, 0)
        return index.data(ID_ROLE) if index.isValid() else None

    def row_shown(self, article_id: str) -> bool:
        """Whether the article is listed and the filter shows it."""
        row = self.model.row_of(article_id)
        return row >= 0 and self.proxy.mapFromSource(self.model.index(row, 0)).isValid()

    def neighbour_id(self, article_id: str) -> str | None:
        """The article listed after ``article_id`` (else before it): the one to show once
        it is gone; the first one listed if it is not shown."""
        row = self.model.row_of(article_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
        if not index.isValid():
            return self.first_id()
        for near in (index.row() + 1, index.row() - 1):
            found = self.proxy.index(near, 0)
            if found.isValid():
                return found.data(ID_ROLE)
        return None

    def _row_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.menu_requested.emit(index.data(ID_ROLE), self.view.viewport().mapToGlobal(pos))

    # --- tags ----------------------------------------------------------------

    def tag_counts(self) -> dict[str, int]:
        """Every tag in the list with how many articles have it, by name."""
        return self._tag_counts

    def _show_tag_button(self) -> None:
        self._tag_counts = self.model.tag_counts()
        self.tag_button.setVisible(bool(self._tag_counts))

    def _fill_tag_menu(self) -> None:
        """The tags with how many articles have each; the one chosen fills the filter."""
        self.tag_menu.clear()
        asked = self.proxy.tags()
        one = QActionGroup(self.tag_menu)  # one choice: drawn as radio buttons
        every = QAction("All Articles", one, checkable=True, checked=not asked)
        every.triggered.connect(lambda: self.filter_by_tag(None))
        self.tag_menu.addAction(every)
        self.tag_menu.addSeparator()
        for tag, count in self._tag_counts.items():
            # the count sits on the right
            action = QAction(f"{tag}\t{count:,}", one, checkable=True,
                             checked=asked == (fold_tag(tag),))  # fmt: skip
            action.triggered.connect(lambda _checked=False, t=tag: self.filter_by_tag(t))
            self.tag_menu.addAction(action)

    def filter_by_tag(self, tag: str | None) -> None:
        """Show the articles with ``tag`` (None: with any tags), keeping the words typed."""
        self.filter_edit.setText(with_tag(self.filter_edit.text(), tag))
