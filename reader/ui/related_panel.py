"""The Related tab: the articles most like the one shown, or like a passage of it.

It lists what the core's ``related`` found for a :class:`Source` (an article, a
bookmarked passage, a selected passage): each article's title and a short
snippet with the words it shares marked. A heading says what the list is like,
with a link back to that article.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from reader.search import Hit, Related
from reader.ui.hit_list import HIT_ROLE as HIT_ROLE  # a hit's row: the Hit
from reader.ui.hit_list import HitList
from reader.ui.themes import THEMES, Theme

QUOTE_CHARS = 90  # of a passage, in the heading
SHOWN_TERMS = 8  # shared words named under the heading


@dataclass(frozen=True)
class Source:
    """What the list is like: an article, one of its bookmarks, or a passage of it."""

    article_id: str
    title: str
    bookmark_id: str | None = None
    passage: str = ""  # the bookmark's quote or the selected text; "" for the whole article

    @property
    def is_article(self) -> bool:
        return not self.bookmark_id and not self.passage


class RelatedPanel(QWidget):
    hit_activated = Signal(object)  # Hit
    source_activated = Signal(str)  # an article id: the heading's link back to the source

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = THEMES["light"]
        self._source: Source | None = None
        self._shown: tuple[Source, Related] | None = None  # the results listed, and for what
        self._fresh = False  # the results listed answer the source as the index is now
        self.heading = QLabel(self)
        self.heading.setObjectName("relatedHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setOpenExternalLinks(False)
        self.status = QLabel(self)
        self.status.setObjectName("relatedStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.results = HitList(self.theme, self)
        self.results.setObjectName("relatedResults")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)

        self.results.activated.connect(self.on_item_activated)
        self.results.clicked.connect(self.on_item_activated)
        self.heading.linkActivated.connect(self.on_heading_link)
        self._show_heading()
        self.status.setText("Open an article to see the articles most like it.")

    # --- what it is like -------------------------------------------------------

    def source(self) -> Source | None:
        return self._source

    def set_source(self, source: Source) -> None:
        """List the articles like ``source`` from now on (the answer comes later)."""
        if source != self._source:
            self._source = source
            self._fresh = False
            self._show_heading()

    def needs_results(self) -> bool:
        """Whether the list does not yet answer the source as the index is now."""
        return self._source is not None and not self._fresh

    def invalidate(self) -> None:
        """The index changed: what is listed stays, until it is found again."""
        self._fresh = False

    def show_busy(self) -> None:
        if self._shown is None or self._shown[0] != self._source:
            self.results.clear()
            self.status.setText(self._muted("Looking for articles like it…"))

    def show_failure(self, source: Source, message: str) -> None:
        """Say why nothing could be found for ``source``; asked again only for another."""
        if source != self._source:
            return
        self._shown = None
        self._fresh = True
        self.results.clear()
        self.status.setText(html.escape(message[:1].upper() + message[1:]) + ".")

    def show_related(self, source: Source, found: Related) -> None:
        """List what was found for ``source``; an answer for an earlier source is dropped."""
        if source != self._source:
            return
        current = self.results.currentRow() if self._shown and self._shown[0] == source else -1
        self._shown = (source, found)
        self._fresh = True
        self._fill(current)

    # --- look ------------------------------------------------------------------

    def apply_theme(self, theme: Theme) -> None:
        """Colour the list in ``theme``: what is listed is shown again in it."""
        self.theme = theme
        self._show_heading()
        self.results.set_theme(theme)
        if self._shown is not None and self._shown[0] == self._source:
            self._show_terms()

    def _muted(self, text: str) -> str:
        return f"<span style='color:{self.theme.ui_muted}'>{text}</span>"

    def _show_heading(self) -> None:
        s = self._source
        if s is None:
            self.heading.setText("<b>Related articles</b>")
            return
        href = html.escape(f"article:{s.article_id}", quote=True)
        link = f"<a href='{href}' style='color:{self.theme.link}'>"
        title = f"{link}{html.escape(s.title)}</a>"
        if s.is_article:
            self.heading.setText(f"<b>More like</b> {title}")
            return
        quote = " ".join(s.passage.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1].rstrip() + "…"
        what = "your bookmark" if s.bookmark_id else "the passage"
        self.heading.setText(
            f"<b>More like {what}</b> <i>“{html.escape(quote)}”</i><br>"
            + self._muted("in ")
            + title
        )

    def _fill(self, current: int) -> None:
        assert self._shown is not None
        self._show_terms()
        self.results.set_hits(self._shown[1].hits, snippets=1)
        if 0 <= current < self.results.count():  # the row chosen stays chosen; none at first
            self.results.setCurrentRow(current)

    def _show_terms(self) -> None:
        """Say which words the listed articles share with the source (or that none do)."""
        assert self._shown is not None
        source, found = self._shown
        if found.terms:
            shown = ", ".join(html.escape(w) for w in found.terms[:SHOWN_TERMS])
            more = "…" if len(found.terms) > SHOWN_TERMS else ""
            self.status.setText(self._muted(f"Words in common: {shown}{more}"))
        else:
            what = "article" if source.is_article else "passage"
            self.status.setText(
                self._muted(f"No other article has much in common with this {what}.")
            )

    # --- going to them -----------------------------------------------------------

    def hits(self) -> list[Hit]:
        return self.results.hits()

    def on_item_activated(self, row: QModelIndex | QPersistentModelIndex) -> None:
        hit = row.data(HIT_ROLE)
        if hit is not None:
            self.hit_activated.emit(hit)

    def on_heading_link(self, link: str) -> None:
        if link.startswith("article:"):
            self.source_activated.emit(link.removeprefix("article:"))
