"""The library list: title, word count and reading time, sortable and filterable."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from reader.library import ArticleInfo
from reader.library.articles import readable

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


class LibraryModel(QAbstractTableModel):
    COLUMNS = ("Title", "Words", "Time", "Read")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ArticleInfo] = []

    def set_articles(self, articles: list[ArticleInfo]) -> None:
        self.beginResetModel()
        self._rows = list(articles)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft if section == 0 else Qt.AlignmentFlag.AlignRight
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if a.problem and not a.words:  # never converted: nothing to count
                return (f"⚠ {a.title}", "", "", "")[col]
            title = f"⚠ {a.title}" if a.problem else a.title
            return (title, f"{a.words:,}", f"{a.minutes} min", read_label(a.progress))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            read = f" · {round(a.progress * 100)}% read" if a.progress > 0 else ""
            about = f"{a.words:,} words · about {a.minutes} min{read}"
            tip = f"{a.title}\n{about}\n{readable(a.source)}"
            if a.problem:
                kept = "\nShown as it was last converted." if a.words else ""
                tip += f"\nThe file could not be converted: {a.problem}{kept}"
            return tip
        if role == Qt.ItemDataRole.TextAlignmentRole and col:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return a.id
        if role == SORT_ROLE:
            return (a.title.casefold(), a.words, a.words, a.progress)[col]
        return None

    def row_of(self, article_id: str) -> int:
        return next((k for k, a in enumerate(self._rows) if a.id == article_id), -1)

    def set_progress(self, article_id: str, progress: float) -> None:
        """Show how far an article has been read, without listing everything again."""
        row = self.row_of(article_id)
        if row >= 0 and self._rows[row].progress != progress:
            self._rows[row] = replace(self._rows[row], progress=progress)
            index = self.index(row, self.COLUMNS.index("Read"))
            self.dataChanged.emit(index, index)


def read_label(progress: float) -> str:
    """ "" for an article not opened, "42%" part-way, "✓" read to the end."""
    if progress <= 0:
        return ""
    return "✓" if progress >= 0.98 else f"{max(1, round(progress * 100))}%"


class TitleDelegate(QStyledItemDelegate):
    """Titles on up to two lines, so headlines can be read in a narrow list."""

    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        height = option.fontMetrics.lineSpacing() * 2 + 2 * self.PAD
        return QSize(option.rect.width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = opt.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        metrics = opt.fontMetrics
        lines: list[str] = []
        words = text.split()
        while words and len(lines) < 2:
            line = words.pop(0)
            while words and metrics.horizontalAdvance(line + " " + words[0]) <= rect.width():
                line += " " + words.pop(0)
            lines.append(line)
        if words and lines:
            lines[-1] = metrics.elidedText(
                lines[-1] + " " + " ".join(words), Qt.TextElideMode.ElideRight, rect.width()
            )
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(opt.palette.color(role))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         "\n".join(lines))  # fmt: skip
        painter.restore()


class LibraryFilter(QSortFilterProxyModel):
    """Filters on title; sorts by library order, title, words or time."""

    def __init__(self) -> None:
        super().__init__()
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(0)
        self.setSortRole(SORT_ROLE)


class LibraryPanel(QWidget):
    article_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LibraryModel()
        self.proxy = LibraryFilter()
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter articles")
        self.filter_edit.setClearButtonEnabled(True)
        self.view = QTreeView(self)
        self.view.setObjectName("libraryList")
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setItemDelegateForColumn(0, TitleDelegate(self.view))
        self.view.setAlternatingRowColors(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font: sizing to contents would read every row's
        # text on each reset of a list of thousands, on the UI thread.
        metrics = self.view.fontMetrics()
        for column, label, widest in ((1, "Words", "000,000"), (2, "Time", "000 min"),
                                      (3, "Read", "100%")):  # fmt: skip
            width = max(metrics.horizontalAdvance(label) + 22, metrics.horizontalAdvance(widest))
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width + 12)
        header.setSortIndicatorShown(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)

        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.view.selectionModel().currentRowChanged.connect(self.on_current_row_changed)

    def set_articles(self, articles: list[ArticleInfo]) -> None:
        """Replace the list, keeping the current article selected without announcing it."""
        current = self.current_id()
        self.model.set_articles(articles)
        if current:
            selection = self.view.selectionModel()
            selection.blockSignals(True)
            try:
                self.select(current)
            finally:
                selection.blockSignals(False)

    def on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.article_selected.emit(current.data(ID_ROLE))

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select(self, article_id: str) -> bool:
        row = self.model.row_of(article_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
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
