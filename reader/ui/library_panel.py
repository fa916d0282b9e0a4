"""The library list: title, source, date added, length and how far read; sortable and filterable.

One model and one tree view: the model holds every article, and its rows are the
ones the filter keeps, in the order asked for; the view is told of them a
thousand at a time, as it scrolls to them, so a list of twenty thousand
articles is as quick to show, to filter and to sort as a list of five. Rows are
as tall as their title needs (one line, or up to three with the last one
elided), and a line more for the article's tags; their heights are asked for
only for the rows shown, and the lines of each title are remembered per column
width.

The filter looks for its words in the title, site, author and tags; ``tag:name``
(``tag:"two words"``) keeps only the articles with that tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
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
TAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # the tags as the title cell shows them ("": none)
SHAPE_ROLE = Qt.ItemDataRole.UserRole + 3  # (title, tags): what a title cell's height needs

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


LONG_LIST = 200  # articles: more than a window shows, whatever its height


class LibraryModel(QAbstractTableModel):
    """Every article of the library, and as rows the ones the filter keeps, in the order asked for.

    The rows are lists of indices into the articles: sorting orders them by keys
    made once per column, and filtering looks in case-folded text and tag sets
    made once per list, so either is one layout change whatever the size of the
    list. The view is told of the rows a batch at a time, as it is scrolled to the
    last one it was told of (``rowCount``): it lays out only those, not every row
    of a list of thousands.
    """

    COLUMNS = ("Title", "Words", "Time", "Read", "Source", "Added", "Tags")
    BATCH = 1_000  # rows the view is told of at a time

    def __init__(self) -> None:
        super().__init__()
        self._articles: list[ArticleInfo] = []  # in the library's order
        self._place: dict[str, int] = {}  # where each article is in _articles, by id
        self._order: tuple[int, bool] = (-1, False)  # column sorted by (-1: none), descending
        self._sorted: list[int] | None = None  # _articles' indices in that order, made when asked
        self._needle = ""  # the words the filter looks for, case-folded
        self._tags: tuple[str, ...] = ()  # the tags it asks for, folded
        self._folded: list[str] | None = None  # what the filter's words match, per article
        self._tag_sets: list[frozenset[str]] | None = None  # each article's tags, folded
        self._rows: list[int] = []  # the rows: _articles' indices the filter keeps, in order
        self._row_of: dict[str, int] | None = None  # each row's article id -> row, when asked
        self._told = 0  # how many rows the view has been told of (the first ones)

    # --- the articles --------------------------------------------------------

    def set_articles(self, articles: list[ArticleInfo]) -> None:
        self.beginResetModel()
        self._articles = list(articles)
        self._place = {a.id: k for k, a in enumerate(self._articles)}
        self._sorted = None
        self._folded = self._tag_sets = None
        self._rows = self._arranged()
        self._row_of = None
        self._told = min(len(self._rows), self.BATCH)
        self.endResetModel()

    def article_count(self) -> int:
        """How many articles the list holds, shown or not."""
        return len(self._articles)

    def articles(self) -> list[ArticleInfo]:
        """Every article the list holds, in the library's order, shown or not."""
        return list(self._articles)

    def info(self, article_id: str) -> ArticleInfo | None:
        """The article with this id, shown or not; None if the list does not hold it."""
        place = self._place.get(article_id)
        return None if place is None else self._articles[place]

    def tag_counts(self) -> dict[str, int]:
        """Every tag in the list with how many articles have it, by name."""
        counts: dict[str, int] = {}
        for a in self._articles:
            for t in a.tags:
                counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items()))

    def update_article(self, info: ArticleInfo) -> bool:
        """Show an article's new title or tags, without listing everything again; False if
        the list does not hold it. It moves to its place if the rows are sorted by title or
        tags, and shows or goes if the filter's answer for it changes."""
        place = self._place.get(info.id)
        if place is None:
            return False
        info = replace(info, progress=self._articles[place].progress)  # the list's is the latest
        self._articles[place] = info
        if self._folded is not None:
            self._folded[place] = _filter_text(info)
        if self._tag_sets is not None:
            self._tag_sets[place] = _tag_set(info)
        if self._order[0] in (TITLE, TAGS):
            self._sorted = None
        row = self.row_of(info.id)
        if self._sorted is None or (row >= 0) != self._keeps(place):
            self._rearrange(keep_told=True)
        elif row < self._told:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        return True

    def set_progress(self, article_id: str, progress: float) -> None:
        """Show how far an article has been read, without listing everything again."""
        place = self._place.get(article_id)
        if place is None or self._articles[place].progress == progress:
            return
        self._articles[place] = replace(self._articles[place], progress=progress)
        if self._order[0] == READ:
            self._sorted = None
            self._rearrange(keep_told=True)  # it moves to its place, as a sorted list keeps it
            return
        row = self.row_of(article_id)
        if 0 <= row < self._told:
            index = self.index(row, READ)
            self.dataChanged.emit(index, index)

    # --- the rows: filtered and sorted --------------------------------------

    def shown_count(self) -> int:
        """How many rows the filter keeps (the view may not have been told of them all)."""
        return len(self._rows)

    def article(self, row: int) -> ArticleInfo:
        """The article of a row the filter keeps (``0 <= row < shown_count()``)."""
        return self._articles[self._rows[row]]

    def row_of(self, article_id: str) -> int:
        """The row of an article; -1 if the list does not hold it or the filter hides it."""
        if self._row_of is None:
            articles = self._articles
            self._row_of = {articles[k].id: row for row, k in enumerate(self._rows)}
        return self._row_of.get(article_id, -1)

    def set_filter(self, text: str) -> bool:
        """Keep the rows whose title, site, author or tags hold the words of ``text``, and
        that have every tag it asks for (tag:name); False if that keeps the same rows."""
        needle, tags = read_filter(text)
        if (needle, tags) == (self._needle, self._tags):
            return False
        self._needle, self._tags = needle, tags
        self._rearrange(keep_told=False)
        return True

    def filter_tags(self) -> tuple[str, ...]:
        """The tags the filter asks for, case-folded."""
        return self._tags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column`` (-1: the library's order), keeping the selection.

        The rows move in one layout change, sorted by keys made once, rather than
        compared pair by pair through the model, which takes most of a second at
        ten thousand rows.
        """
        wanted = (column, order == Qt.SortOrder.DescendingOrder)
        if wanted != self._order:
            self._order = wanted
            self._sorted = None
            self._rearrange(keep_told=True)

    def sort_order(self) -> tuple[int, bool]:
        """The column the rows are sorted by (-1: none) and whether descending."""
        return self._order

    def _arranged(self) -> list[int]:
        """The articles the filter keeps, in the order asked for; ties keep the library's."""
        if self._sorted is None:
            column, descending = self._order
            every = range(len(self._articles))
            if column < 0:
                self._sorted = list(every)
            else:
                keys = sort_keys(self._articles, column)
                self._sorted = sorted(every, key=keys.__getitem__, reverse=descending)
        rows = self._sorted
        if self._tags:
            sets, tags = self.tag_sets(), self._tags
            rows = [k for k in rows if sets[k].issuperset(tags)]
        if self._needle:
            folded, needle = self.folded(), self._needle
            rows = [k for k in rows if needle in folded[k]]
        return rows

    def _keeps(self, place: int) -> bool:
        """Whether the filter keeps the article at ``place`` in the library's order."""
        if self._tags and not self.tag_sets()[place].issuperset(self._tags):
            return False
        return not self._needle or self._needle in self.folded()[place]

    def _rearrange(self, *, keep_told: bool) -> None:
        """Make the rows again, in one layout change: the rows the view keeps (the current
        one, the selected one) follow their article, or go if the filter hides it or it is
        past the rows told. The view is told of as many rows as before (``keep_told``),
        else of the first batch."""
        self.layoutAboutToBeChanged.emit()
        before = self._rows
        self._rows = self._arranged()
        self._row_of = None
        told = self._told if keep_told else self.BATCH
        self._told = min(len(self._rows), max(told, self.BATCH))
        kept = self.persistentIndexList()
        if kept:
            now = {k: row for row, k in enumerate(self._rows)}
            moved = []
            for index in kept:
                row = now.get(before[index.row()], -1)
                found = 0 <= row < self._told
                moved.append(self.createIndex(row, index.column()) if found else QModelIndex())
            self.changePersistentIndexList(kept, moved)
        self.layoutChanged.emit()

    def folded(self) -> list[str]:
        """Each article's title, site, author and tags, case-folded: what a filter looks in."""
        if self._folded is None:
            self._folded = [_filter_text(a) for a in self._articles]
        return self._folded

    def tag_sets(self) -> list[frozenset[str]]:
        """Each article's tags, folded: what a filter's tag:name looks in."""
        if self._tag_sets is None:
            self._tag_sets = [_tag_set(a) for a in self._articles]
        return self._tag_sets

    # --- the rows the view is told of ---------------------------------------
    # Told by the list's view as it is scrolled to its end, not through canFetchMore:
    # a tree view asks fetchMore on each layout, and measures the height of every
    # row down to the last one told to decide whether to ask.

    def fetch_more(self) -> None:
        """Tell the view of a batch more rows, if the filter keeps more."""
        self._tell(self._told + self.BATCH)

    def fetch_to(self, row: int) -> QModelIndex:
        """The index of ``row``, the view told of the rows up to it and a batch beyond (so
        that the rows after it are there to scroll to)."""
        if row >= self._told:
            self._tell(row + self.BATCH)
        return self.index(row, 0)

    def fetch_all(self) -> None:
        """Tell the view of every row the filter keeps."""
        self._tell(len(self._rows))

    def all_told(self) -> bool:
        """Whether the view has been told of every row the filter keeps."""
        return self._told == len(self._rows)

    def _tell(self, count: int) -> None:
        count = min(count, len(self._rows))
        if count > self._told:
            self.beginInsertRows(QModelIndex(), self._told, count - 1)
            self._told = count
            self.endInsertRows()

    # --- the model as the view reads it -------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Asked for each row the view lays out: one call here, not rowCount and columnCount.
        if 0 <= row < self._told and 0 <= column < len(self.COLUMNS) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """The rows the view has been told of (``shown_count`` for all the filter keeps)."""
        return 0 if parent.isValid() else self._told

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
        row, col = index.row(), index.column()
        if not (index.isValid() and row < self._told):
            return None
        a = self._articles[self._rows[row]]
        if role == Qt.ItemDataRole.DisplayRole:
            return _shown_title(a) if col == TITLE else self._detail(a, col)
        if role == ID_ROLE:
            return a.id
        if role == TAGS_ROLE:
            return tags_label(a)
        if role == SHAPE_ROLE:
            return _shown_title(a), tags_label(a)
        if role == Qt.ItemDataRole.TextAlignmentRole and col != TITLE:
            side = Qt.AlignmentFlag.AlignRight if is_number(col) else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(a)
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


def _shown_title(a: ArticleInfo) -> str:
    return f"⚠ {a.title}" if a.problem else a.title


def _filter_text(a: ArticleInfo) -> str:
    return f"{a.title}\n{a.site}\n{a.author}\n{' '.join(a.tags)}".casefold()


def _tag_set(a: ArticleInfo) -> frozenset[str]:
    return frozenset(fold_tag(t) for t in a.tags)


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


class LibraryView(QTreeView):
    """The list's tree view. It asks the model for more rows when scrolled to the end of
    the ones it was told of; End, and a title typed to jump to, reach every row the filter
    keeps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Looked at once the scrolling is done and the rows laid out.
        self._at_end = QTimer(self)
        self._at_end.setSingleShot(True)
        self._at_end.setInterval(0)
        self._at_end.timeout.connect(self._fetch_if_at_end)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    def _library(self) -> LibraryModel | None:
        model = self.model()
        return model if isinstance(model, LibraryModel) else None

    def dataChanged(
        self,
        topLeft: QModelIndex | QPersistentModelIndex,
        bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """A change beside the titles (how far an article is read) is drawn again where it
        shows. Qt's own handling finds the row's place, which for a row far above the
        rows shown costs the height of every row in between (a second at 20,000)."""
        if topLeft.column() > TITLE and bottomRight.column() > TITLE:
            self.viewport().update()
            return
        super().dataChanged(topLeft, bottomRight, list(roles))

    def _on_scrolled(self, value: int) -> None:
        if value == self.verticalScrollBar().maximum():
            self._at_end.start()

    def _fetch_if_at_end(self) -> None:
        model = self._library()
        if model is None or model.all_told():
            return
        self.executeDelayedItemsLayout()
        bar = self.verticalScrollBar()
        if bar.value() == bar.maximum():
            model.fetch_more()

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        far = cursorAction in (
            QAbstractItemView.CursorAction.MoveHome,
            QAbstractItemView.CursorAction.MoveEnd,
        )
        model = self._library()
        if cursorAction == QAbstractItemView.CursorAction.MoveEnd and model is not None:
            model.fetch_all()
        index = super().moveCursor(cursorAction, modifiers)
        if far and index.isValid():
            self.scrollTo(index)  # before it is current: see LibraryPanel.select
            self.forget_far_current()
        return index

    def in_view(self, row: int) -> bool:
        """Whether ``row`` is among the rows shown (scrolled by rows: the scroll bar's value
        is the top row, its page step about how many fit)."""
        bar = self.verticalScrollBar()
        return bar.value() <= row < bar.value() + bar.pageStep()

    def forget_far_current(self) -> None:
        """Drop the current row and the selection without repainting them, if the current
        row is out of view: the view would find its place row by row from the top row
        shown, asking the height of every row in between."""
        current = self.currentIndex()
        if current.isValid() and not self.in_view(current.row()):
            selection = self.selectionModel()
            selection.blockSignals(True)
            try:
                selection.clear()
            finally:
                selection.blockSignals(False)

    def keyboardSearch(self, search: str) -> None:
        model = self._library()
        if model is not None:
            model.fetch_all()
        super().keyboardSearch(search)


class LibraryPanel(QWidget):
    article_selected = Signal(str)
    columns_changed = Signal()  # the user showed or hid a column
    menu_requested = Signal(str, QPoint)  # an article's row was right-clicked: its id, where

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LibraryModel()
        self._listed = False  # set_articles has been called: an empty list means no articles
        self._tag_counts: dict[str, int] = {}
        # The article current before the rows were made again, and whether its row was in
        # view; and the one current until the filter hid it, selected again once shown.
        self._kept: tuple[str | None, bool] = (None, False)
        self._hidden: str | None = None
        self._current_in_view = False  # the rows were made again with the current one in view

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
        self.view = LibraryView(self)
        self.view.setObjectName("libraryList")
        self.view.setModel(self.model)
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

        self.filter_edit.textChanged.connect(self._on_filter_text)
        self.view.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        self.model.layoutAboutToBeChanged.connect(self._note_current)
        self.model.layoutChanged.connect(self._keep_current)
        for signal in (self.model.modelReset, self.model.layoutChanged):
            signal.connect(self._show_empty_message)

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
        if self.model.shown_count() > 0:
            message = ""
        elif self.model.article_count() > 0:
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
        # A long list always has its scroll bar: one appearing once the rows are laid
        # out would narrow the titles, and every row would be laid out again.
        long = len(articles) > LONG_LIST
        self.view.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOn if long else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self._lay_out_rows()  # at the width left beside it, while the rows are the old ones
        self.model.set_articles(articles)
        self._show_tag_button()
        if current:
            self._select_quietly(current, scroll=True)  # the user's filter stays
        self._show_empty_message()

    def update_article(self, info: ArticleInfo) -> None:
        """Show an article's new title or tags in its row."""
        if self.model.update_article(info):
            self._show_tag_button()
            self.view.doItemsLayout()  # its row may take a line more, or one less

    def on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._hidden = None
            self.article_selected.emit(current.data(ID_ROLE))

    def current_id(self) -> str | None:
        """The article chosen in the list: the current row's, else the one whose row the
        filter hid once chosen (current again when shown again); None if none."""
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else self._hidden

    def select(self, article_id: str, *, clear_filter: bool = True) -> bool:
        """Make the article the current row; one the filter hides clears the filter, or
        (``clear_filter`` False) is not selected."""
        row = self.model.row_of(article_id)
        if row < 0:
            if not clear_filter or self.model.info(article_id) is None:
                return False
            self.filter_edit.clear()
            row = self.model.row_of(article_id)
        index = self.model.fetch_to(row)  # the view is told of the rows up to it
        # Scrolled to first: the view finds a row's place from the top row shown, so a
        # row far below it would cost the height of every row in between; and so would
        # repainting a current row left far above.
        self.view.scrollTo(index)
        self.view.forget_far_current()
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def index_of(self, article_id: str) -> QModelIndex:
        """The index of the article's row in the view (told of the rows up to it); invalid
        if the list does not hold it or the filter hides it."""
        row = self.model.row_of(article_id)
        return self.model.fetch_to(row) if row >= 0 else QModelIndex()

    def first_id(self) -> str | None:
        return self.model.article(0).id if self.model.shown_count() > 0 else None

    def row_shown(self, article_id: str) -> bool:
        """Whether the article is listed and the filter shows it."""
        return self.model.row_of(article_id) >= 0

    def neighbour_id(self, article_id: str) -> str | None:
        """The article listed after ``article_id`` (else before it): the one to show once
        it is gone; the first one listed if it is not shown."""
        row = self.model.row_of(article_id)
        if row < 0:
            return self.first_id()
        for near in (row + 1, row - 1):
            if 0 <= near < self.model.shown_count():
                return self.model.article(near).id
        return None

    def _select_quietly(self, article_id: str, *, scroll: bool) -> bool:
        """Make the article the current row without announcing it, if the filter shows it;
        else keep it to select once the filter shows it again."""
        row = self.model.row_of(article_id)
        if row < 0:
            self._hidden = article_id if self.model.info(article_id) is not None else None
            return False
        self._hidden = None
        index = self.model.fetch_to(row)
        if scroll:
            self.view.scrollTo(index)
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        try:
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            selection.blockSignals(False)
        return True

    def _note_current(self) -> None:
        """Before the rows are made again (filtered, sorted): the article current, and
        whether its row is in view."""
        current = self.view.currentIndex()
        if current.isValid():
            self._kept = (current.data(ID_ROLE), self.view.in_view(current.row()))
        else:  # the one the filter hid shows in view once it is shown again
            self._kept = (self._hidden, True)

    def _keep_current(self) -> None:
        """After the rows are made again: the article current before stays current if the
        filter shows it, and a row that was in view stays in view."""
        article_id, in_view = self._kept
        self._kept = (None, False)
        current = self.view.currentIndex()
        if article_id is None:
            kept = False
        elif current.isValid() and current.data(ID_ROLE) == article_id:
            kept = True
            if in_view:
                self.view.scrollTo(current)
        else:  # hidden by the filter, or past the rows the view is told of
            kept = self._select_quietly(article_id, scroll=in_view)
        self._current_in_view = kept and in_view

    def _on_filter_text(self, text: str) -> None:
        """The rows the filter keeps, from the top unless the current row stays in view."""
        if self.model.set_filter(text) and not self._current_in_view:
            self.view.scrollToTop()

    def _row_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.menu_requested.emit(index.data(ID_ROLE), self.view.viewport().mapToGlobal(pos))

    # --- tags ----------------------------------------------------------------

    def tag_counts(self) -> dict[str, int]:
        """Every tag in the list with how many articles have it, by name."""
        return self._tag_counts

    def filter_tags(self) -> tuple[str, ...]:
        """The tags the filter asks for, case-folded."""
        return self.model.filter_tags()

    def _show_tag_button(self) -> None:
        self._tag_counts = self.model.tag_counts()
        self.tag_button.setVisible(bool(self._tag_counts))

    def _fill_tag_menu(self) -> None:
        """The tags with how many articles have each; the one chosen fills the filter."""
        self.tag_menu.clear()
        asked = self.model.filter_tags()
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
