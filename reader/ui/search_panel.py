"""The search panel: a query field, results as you type, recent searches.

Enter runs the typed query and opens its first hit as soon as the results of
exactly that query are in; typing again cancels that.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from reader.search import SearchResults
from reader.ui.hit_list import HIT_ROLE as HIT_ROLE  # a hit's row: the Hit
from reader.ui.hit_list import VALUE_ROLE, Entry, HitList
from reader.ui.settings import WindowSettings
from reader.ui.themes import THEMES, Theme

DEBOUNCE_MS = 150
RECENT_ROLE = VALUE_ROLE  # a recent search's row: the query


class SearchPanel(QWidget):
    """The search tab: a query field, the hits of what is typed, or the recent searches."""

    query_changed = Signal(str)  # debounced
    hit_activated = Signal(object)  # Hit

    def __init__(self, settings: WindowSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.theme = THEMES["light"]
        self._shown: SearchResults | None = None
        self._open_first_of: str | None = None  # the query Enter asked to open, until it answers
        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Search the library  (Ctrl+K)")
        self.field.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setOpenExternalLinks(False)
        self.results = HitList(self.theme, self)
        self.results.setObjectName("searchResults")
        self.clear_button = QPushButton("Clear recent searches", self)
        self.clear_button.setObjectName("clearRecentSearches")
        self.clear_button.setFlat(True)
        self.clear_button.setToolTip("Forget the searches listed here")
        self.clear_button.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addWidget(self.field)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignLeft)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)

        self.field.textChanged.connect(self.on_text_changed)
        self.field.returnPressed.connect(self.on_return_pressed)
        self._timer.timeout.connect(self.on_timer_timeout)
        self.results.activated.connect(self.on_item_activated)
        self.results.clicked.connect(self.on_item_activated)
        self.status.linkActivated.connect(self.on_status_link)
        self.clear_button.clicked.connect(self.clear_recent)
        self.show_recent()

    # --- input ---------------------------------------------------------------

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def on_text_changed(self, text: str) -> None:
        self._open_first_of = None  # typing again cancels what Enter asked for
        if text.strip():
            self.clear_button.hide()
            self._timer.start()
        else:
            self._timer.stop()
            self.show_recent()

    def on_timer_timeout(self) -> None:
        self.query_changed.emit(self.current_query())

    def still_typing(self, query: str) -> bool:
        """Whether the last word of ``query`` may be unfinished: typing paused on it, with
        no space after it and no Enter (a half-typed word is not corrected then)."""
        return (
            query == self.current_query()
            and self._open_first_of != query
            and not self.field.text()[-1:].isspace()
        )

    def on_return_pressed(self) -> None:
        """Open the typed query's first hit: now if its results are listed, else once they are."""
        query = self.current_query()
        if not query:  # the recent searches are listed: take one back into the field
            row = self._chosen_row()
            if row.isValid():
                self.on_item_activated(row)
            return
        if not self._timer.isActive() and self._shown is not None and self._shown.query == query:
            self._open_first(self._shown)
            return
        self._timer.stop()
        self._open_first_of = query
        self.query_changed.emit(query)

    def _open_first(self, results: SearchResults) -> None:
        """Open the current hit of ``results`` (the first, unless another was chosen)."""
        row = self._chosen_row()
        if results.hits and row.data(HIT_ROLE) is not None:
            self.on_item_activated(row)
        else:
            self.status.setText(
                self._status_html(results)
                + f"<br>Nothing to open: no results for “{html.escape(results.query)}”."
            )

    def _chosen_row(self) -> QModelIndex:
        """The current row, or the first (invalid if nothing is listed)."""
        current = self.results.currentIndex()
        return current if current.isValid() else self.results.row_index(0)

    def on_status_link(self, link: str) -> None:
        if link.startswith("query:"):
            self.field.setText(link.removeprefix("query:"))

    # --- results -------------------------------------------------------------

    def apply_theme(self, theme: Theme) -> None:
        """Colour the results in ``theme``: what is listed is drawn again in it."""
        self.theme = theme
        self.results.set_theme(theme)

    def current_query(self) -> str:
        return self.field.text().strip()

    def show_results(self, results: SearchResults) -> None:
        """List ``results`` if they answer what is typed; open the first hit if Enter asked."""
        if results.query != self.current_query():
            return  # an answer to a query the user has typed past
        self._list(results)
        if self._open_first_of == results.query:
            self._open_first_of = None
            self._open_first(results)

    def _list(self, results: SearchResults) -> None:
        self._shown = results
        self.clear_button.hide()
        self.status.setText(self._status_html(results))
        self.results.set_hits(results.hits)
        if results.hits:
            self.results.setCurrentRow(0)

    def _status_html(self, results: SearchResults) -> str:
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
        return "<br>".join(parts)

    def on_item_activated(self, row: QModelIndex | QPersistentModelIndex) -> None:
        """Open a hit's row, or take a recent search's back into the field."""
        hit = row.data(HIT_ROLE)
        if hit is not None:
            self.remember(self.current_query())
            self.hit_activated.emit(hit)
            return
        recent = row.data(RECENT_ROLE)
        if recent:
            self.field.setText(recent)

    # --- recent searches -----------------------------------------------------

    def recent(self) -> list[str]:
        return self.settings.recent_searches

    def remember(self, text: str) -> None:
        self.settings.remember_search(text)

    def clear_recent(self) -> None:
        """Forget the recent searches, in the settings too."""
        self.settings.clear_recent_searches()
        if not self.current_query():
            self.show_recent()
            self.field.setFocus(Qt.FocusReason.OtherFocusReason)  # the button is gone

    def show_recent(self) -> None:
        self._shown = None
        recent = self.recent()
        self.status.setText("Recent searches" if recent else "Type to search every article.")
        self.results.set_entries([Entry(f"↺  {text}", text) for text in recent])
        self.clear_button.setVisible(bool(recent))
