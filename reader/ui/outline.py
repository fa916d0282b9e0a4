"""The outline: the headings of the article shown, in a dock beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from reader.rendering import OutlineEntry

ANCHOR_ROLE = Qt.ItemDataRole.UserRole + 1


class OutlineView(QTreeWidget):
    """Section headings, indented by level; activating one asks to go to its anchor."""

    anchor_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(14)
        self.itemActivated.connect(self._on_item)
        self.itemClicked.connect(self._on_item)

    def set_entries(self, entries: tuple[OutlineEntry, ...]) -> None:
        """Show the headings below the title (the level-1 heading is the article's title)."""
        self.clear()
        for entry in entries:
            if entry.level == 1:
                continue
            item = QTreeWidgetItem(["    " * max(0, entry.level - 2) + entry.title])
            item.setData(0, ANCHOR_ROLE, entry.anchor)
            self.addTopLevelItem(item)

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        anchor = item.data(0, ANCHOR_ROLE)
        if anchor:
            self.anchor_activated.emit(str(anchor))
