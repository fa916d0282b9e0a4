"""Bookmarks: the store, finding passages again in changed texts, export and import."""

from reader.bookmarks.annotations import export_json, export_markdown, parse_annotations
from reader.bookmarks.store import COLOR_HEX, COLORS, Bookmark, BookmarkStore, State

__all__ = [
    "COLORS",
    "COLOR_HEX",
    "Bookmark",
    "BookmarkStore",
    "State",
    "export_json",
    "export_markdown",
    "parse_annotations",
]
