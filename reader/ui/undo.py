"""Undoable bookmark changes: each redo and undo is a core call in the READ lane."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from reader.bookmarks import Bookmark
from reader.ui.operations import Lane, Operations


class DeleteBookmark(QUndoCommand):
    """Deleting a bookmark; undone by putting it back as it was.

    The READ lane runs its work in order, so an undo pressed before the
    delete landed still runs after it.
    """

    def __init__(
        self, ops: Operations, bookmark: Bookmark, on_changed: Callable[[str], None]
    ) -> None:
        super().__init__("Delete Bookmark")
        self.ops = ops
        self.bookmark = bookmark
        self.on_changed = on_changed

    def redo(self) -> None:
        bookmark_id = self.bookmark.id
        self.ops.start(
            Lane.READ,
            lambda core, _p: core.delete_bookmark(bookmark_id),
            lambda _b: self.on_changed("Bookmark deleted · Ctrl+Z to undo"),
        )

    def undo(self) -> None:
        bookmark = self.bookmark
        self.ops.start(
            Lane.READ,
            lambda core, _p: core.restore_bookmark(bookmark),
            lambda _none: self.on_changed("Bookmark restored"),
        )
