"""Undoable bookmark changes: each do, undo and redo is a core call in the READ lane.

Every change is kept as the bookmark before and after it (None when there
was none: before an add, after a delete). The first do is the change itself
(an add, an edit, a delete, an attach); undo puts back the state before, and
redo the state after, exactly as they were. The READ lane runs its work in
order, so an undo pressed before the change landed still runs after it, and
the state after is known by then.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from PySide6.QtGui import QUndoCommand

from reader.bookmarks import Bookmark
from reader.core import ReaderCore
from reader.ui.operations import Lane, Operations


class Kind(IntEnum):
    """What a command changes; consecutive note edits of one bookmark are one step."""

    OTHER = -1  # never merged
    NOTE = 1


class _After:
    """The bookmark after the change, filled in by the lane when the change is made."""

    bookmark: Bookmark | None = None


class BookmarkCommand(QUndoCommand):
    def __init__(
        self,
        ops: Operations,
        label: str,
        before: Bookmark | None,
        change: Callable[[ReaderCore], Bookmark | None],
        on_changed: Callable[[str], None],
        on_failed: Callable[[str], None],
        kind: Kind = Kind.OTHER,
    ) -> None:
        super().__init__(label)
        self.ops = ops
        self.before = before
        self.after = _After()
        self._change: Callable[[ReaderCore], Bookmark | None] | None = change
        self.on_changed = on_changed
        self.on_failed = on_failed
        self.kind = kind

    @property
    def bookmark_id(self) -> str | None:
        b = self.before or self.after.bookmark
        return b.id if b is not None else None

    def redo(self) -> None:
        change, self._change = self._change, None
        after = self.after
        before = self.before

        def run(core: ReaderCore, _p: object) -> None:
            if change is not None:
                after.bookmark = change(core)
            else:
                _put(core, after.bookmark, before)

        message = self.text() if change is None else _done(self.text())
        self._start(run, message)

    def undo(self) -> None:
        after, before = self.after, self.before

        def run(core: ReaderCore, _p: object) -> None:
            _put(core, before, after.bookmark)

        self._start(run, f"Undone: {self.text()[:1].lower()}{self.text()[1:]}")

    def _start(self, run: Callable[[ReaderCore, object], None], message: str) -> None:
        if self.isObsolete():
            return

        def failed(why: str) -> None:
            self.setObsolete(True)  # what it would put back is unknown: not offered again
            self.on_failed(why)

        self.ops.start(Lane.READ, run, lambda _none: self.on_changed(message), on_error=failed)

    def id(self) -> int:
        return int(self.kind)

    def mergeWith(self, other: QUndoCommand) -> bool:
        """A note typed in several saves is undone at once."""
        if not isinstance(other, BookmarkCommand) or other.bookmark_id != self.bookmark_id:
            return False
        self.after = other.after
        return True


def _put(core: ReaderCore, state: Bookmark | None, other: Bookmark | None) -> None:
    """Make the bookmark be ``state``: put back as it was, or removed when None."""
    if state is not None:
        core.restore_bookmark(state)
    elif other is not None:
        core.delete_bookmark(other.id)


def _done(label: str) -> str:
    return {
        "Add Bookmark": "Bookmark saved",
        "Delete Bookmark": "Bookmark deleted · Ctrl+Z to undo",
    }.get(label, f"{label} · saved")
