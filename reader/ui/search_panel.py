"""The search panel: a query field, results as you type, recent searches."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.search import Hit, SearchResults, join_snippets
from reader.ui.settings import WindowSettings
from reader.ui.themes import THEMES, Theme
from reader.ui.widgets import add_rich_item, refit_on_resize

DEBOUNCE_MS = 150
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
RECENT_ROLE = Qt.ItemDataRole.UserRole + 2


class SearchPanel(QWidget):
    query_changed = Signal(str)  # debounced
    hit_activated = Signal(object)  # Hit

    def __init__(self, settings: WindowSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.theme = THEMES["light"]
        self._shown: SearchResults | None = None
        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Search the library  (Ctrl+K)")
        self.field.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setOpenExternalLinks(False)
        self.results = QListWidget(self)
        self.results.setObjectName("searchResults")
        self.results.setWordWrap(True)
        self.results.setSpacing(2)
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        refit_on_resize(self.results)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addWidget(self.field)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)

        self.field.textChanged.connect(self.on_text_changed)
        self.field.returnPressed.connect(self.on_return_pressed)
        self._timer.timeout.connect(self.on_timer_timeout)
        self.results.itemActivated.connect(self.on_item_activated)
        self.results.itemClicked.connect(self.on_item_activated)
        self.status.linkActivated.connect(self.on_status_link)
        self.show_recent()

    # --- input ---------------------------------------------------------------

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def on_text_changed(self, text: str) -> None:
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()
            self.show_recent()

    def on_timer_timeout(self) -> None:
        self.query_changed.emit(self.field.text().strip())

    def on_return_pressed(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.query_changed.emit(self.field.text().strip())
        item = self.results.currentItem() or self.results.item(0)
        if item is not None:
            self.on_item_activated(item)

    def on_status_link(self, link: str) -> None:
        if link.startswith("query:"):
            self.field.setText(link.removeprefix("query:"))

    # --- results -------------------------------------------------------------

    def apply_theme(self, theme: Theme) -> None:
        """Colour the results in ``theme``: what is listed is shown again in it."""
        self.theme = theme
        if self._shown is not None and self._shown.query == self.current_query():
            current = self.results.currentRow()
            self.show_results(self._shown)
            self.results.setCurrentRow(current)

    def current_query(self) -> str:
        return self.field.text().strip()

    def show_results(self, results: SearchResults) -> None:
        if results.query != self.current_query():
            return  # an answer to a query the user has typed past
        self._shown = results
        self.results.clear()
        parts = []
        if results.corrected:
            link = html.escape(results.corrected, quote=True)
            offer = f'Did you mean: <a href="query:{link}">{html.escape(results.corrected)}</a>?'
            if results.used_correction:
                offer = (
                    f"No results for “{html.escape(results.query)}”. {offer} Showing its results."
                )
            parts.append(offer)
        if results.message:
            parts.append(html.escape(results.message[:1].upper() + results.message[1:]) + ".")
        count = results.total
        about = "" if results.total_exact else "about "
        parts.append(f"{about}{count:,} result{'s' if count != 1 else ''}")
        self.status.setText("<br>".join(parts))
        for hit in results.hits:
            self._add_hit(hit)
        if results.hits:
            self.results.setCurrentRow(0)

    def _add_hit(self, hit: Hit) -> None:
        t = self.theme
        badge = f" <span style='color:{t.ui_muted}'>· bookmark</span>"
        if hit.kind == "article":
            badge = ""
        snippet = join_snippets(
            s.marked(f"<b style='background-color:{t.mark}'>", "</b>", html.escape)
            for s in hit.snippets
        )
        item = add_rich_item(
            self.results,
            f"<div style='margin:2px'><b>{html.escape(hit.title)}</b>{badge}"
            f"<div>{snippet}</div></div>",
            HIT_ROLE,
            hit,
        )
        item.setToolTip(hit.title)

    def on_item_activated(self, item: QListWidgetItem) -> None:
        hit = item.data(HIT_ROLE)
        if hit is not None:
            self.remember(self.current_query())
            self.hit_activated.emit(hit)
            return
        recent = item.data(RECENT_ROLE)
        if recent:
            self.field.setText(recent)

    # --- recent searches -----------------------------------------------------

    def recent(self) -> list[str]:
        return self.settings.recent_searches

    def remember(self, text: str) -> None:
        self.settings.remember_search(text)

    def show_recent(self) -> None:
        self.results.clear()
        recent = self.recent()
        self.status.setText("Recent searches" if recent else "Type to search every article.")
        for text in recent:
            item = QListWidgetItem(f"↺  {text}", self.results)
            item.setData(RECENT_ROLE, text)
