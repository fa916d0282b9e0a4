"""The user's marks: bookmarks (the store, finding passages again in changed texts,
export and import), and the titles and tags they give articles."""

from reader.bookmarks.annotations import export_json, export_markdown, parse_annotations
from reader.bookmarks.model import (
    hidden,
    normalise_tags,
    normalise_title,
    removed_ids,
    shown_titles,
)
from reader.bookmarks.store import COLOR_HEX, COLORS, Bookmark, BookmarkStore, State, UserArticle

__all__ = [
    "COLORS",
    "COLOR_HEX",
    "Bookmark",
    "BookmarkStore",
    "State",
    "UserArticle",
    "export_json",
    "export_markdown",
    "hidden",
    "normalise_tags",
    "normalise_title",
    "parse_annotations",
    "removed_ids",
    "shown_titles",
]
