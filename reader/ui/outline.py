"""The outline: the headings of the article shown, in a dock beside it.

It follows the reader: the section the top of the page is in is the one
selected, as the page scrolls. Each heading is shown whole, on as many lines
as the dock's width needs.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from reader.rendering import OutlineEntry

ANCHOR_ROLE = Qt.ItemDataRole.UserRole + 1
NO_HEADINGS = "This article has no headings."


class OutlineView(QListWidget):
    """Section headings, indented by level; activating one asks to go to its anchor."""

    anchor_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)  # whole headings, on as many lines as they need
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)  # wrapped again as the dock resizes
        self.setSpacing(2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemActivated.connect(self._on_item)
        self.itemClicked.connect(self._on_item)
        self._offsets: list[int] = []
        self._items: list[QListWidgetItem] = []

    def set_entries(self, entries: tuple[OutlineEntry, ...]) -> None:
        """Show the headings below the title (the level-1 heading is the article's title)."""
        self.clear()
        self._offsets, self._items = [], []
        for entry in entries:
            if entry.level == 1:
                continue
            item = QListWidgetItem("    " * max(0, entry.level - 2) + entry.title, self)
            item.setData(ANCHOR_ROLE, entry.anchor)
            item.setToolTip(entry.title)
            self._offsets.append(entry.offset)
            self._items.append(item)
        if not self._items:
            item = QListWidgetItem(NO_HEADINGS, self)
            item.setFlags(Qt.ItemFlag.NoItemFlags)

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
        anchor = item.data(ANCHOR_ROLE) if item is not None else None
        return str(anchor) if anchor else None

    def _on_item(self, item: QListWidgetItem) -> None:
        anchor = item.data(ANCHOR_ROLE)
        if anchor:
            self.anchor_activated.emit(str(anchor))
