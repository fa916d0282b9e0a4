"""The outline: the headings of the article shown, in a dock beside it.

It follows the reader: the section the top of the page is in is the one
selected, as the page scrolls.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from reader.rendering import OutlineEntry

ANCHOR_ROLE = Qt.ItemDataRole.UserRole + 1
NO_HEADINGS = "This article has no headings."


class OutlineView(QTreeWidget):
    """Section headings, indented by level; activating one asks to go to its anchor."""

    anchor_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(14)
        self.setWordWrap(True)  # whole headings, on as many lines as they need
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemActivated.connect(self._on_item)
        self.itemClicked.connect(self._on_item)
        self._offsets: list[int] = []
        self._items: list[QTreeWidgetItem] = []

    def set_entries(self, entries: tuple[OutlineEntry, ...]) -> None:
        """Show the headings below the title (the level-1 heading is the article's title)."""
        self.clear()
        self._offsets, self._items = [], []
        for entry in entries:
            if entry.level == 1:
                continue
            item = QTreeWidgetItem(["    " * max(0, entry.level - 2) + entry.title])
            item.setData(0, ANCHOR_ROLE, entry.anchor)
            item.setToolTip(0, entry.title)
            self.addTopLevelItem(item)
            self._offsets.append(entry.offset)
            self._items.append(item)
        if not self._items:
            item = QTreeWidgetItem([NO_HEADINGS])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addTopLevelItem(item)

    def follow(self, offset: int) -> None:
        """Select the section that holds ``offset`` (the top of the page), quietly."""
        k = bisect.bisect_right(self._offsets, offset) - 1
        blocker = QSignalBlocker(self)
        try:
            if k < 0:
                self.setCurrentIndex(QModelIndex())
                self.clearSelection()
            elif self.currentItem() is not self._items[k]:
                self.setCurrentItem(self._items[k])
                self.scrollToItem(self._items[k])
        finally:
            blocker.unblock()

    def current_anchor(self) -> str | None:
        item = self.currentItem()
        anchor = item.data(0, ANCHOR_ROLE) if item is not None else None
        return str(anchor) if anchor else None

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        anchor = item.data(0, ANCHOR_ROLE)
        if anchor:
            self.anchor_activated.emit(str(anchor))
