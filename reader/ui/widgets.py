"""Small helpers shared by the panels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem


def fit_item_widgets(view: QListWidget, items: Iterable[QListWidgetItem] | None = None) -> None:
    """Size rich-text item widgets to the list's width, so they wrap instead of clipping."""
    scrollbar = view.verticalScrollBar().sizeHint().width()
    width = max(160, view.viewport().width() - scrollbar - 4)
    targets = items if items is not None else (view.item(k) for k in range(view.count()))
    for item in targets:
        widget = view.itemWidget(item)
        if widget is not None:
            widget.setFixedWidth(width)
            # a wrapped label's height follows its width; sizeHint() does not ask
            height = widget.heightForWidth(width)
            item.setSizeHint(QSize(width, height if height > 0 else widget.sizeHint().height()))


class _Refit(QObject):
    def __init__(self, view: QListWidget) -> None:
        super().__init__(view)
        self.view = view
        self._width = -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.view.viewport().width() != self._width:
            self._width = self.view.viewport().width()
            fit_item_widgets(self.view)
        return False


def refit_on_resize(view: QListWidget) -> None:
    """Keep the item widgets of ``view`` fitted to its width as it is resized."""
    view.viewport().installEventFilter(_Refit(view))


def add_rich_item(view: QListWidget, rich_text: str, role: int, data: Any) -> QListWidgetItem:
    """Append an item drawn as wrapped rich text, carrying ``data`` under ``role``."""
    label = QLabel(rich_text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setContentsMargins(6, 6, 6, 6)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    item = QListWidgetItem(view)
    item.setData(role, data)
    view.setItemWidget(item, label)
    fit_item_widgets(view, [item])
    return item
