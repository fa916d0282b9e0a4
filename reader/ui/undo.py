"""Undoable changes: each do, undo and redo is a core call in a lane.

Bookmark changes run in the READ lane; article changes (removing one, its
title, its tags) in the lane the window gives them, the one that moves files
for a remove.

A change is a pair of core calls, one that makes it and one that takes it
back, each on the bookmark as it is stored when it runs: undoing a colour
change sets the colour back and touches nothing else (not the note another
window changed meanwhile, nor a position the bookmark was moved to since).
What only the lane knows (the id of a bookmark just added, the row a delete
took away) is kept in a :class:`Memo` the calls share. The READ lane runs its
work in order, so an undo pressed before the change landed still runs after
it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from PySide6.QtGui import QUndoCommand

from reader.bookmarks import Bookmark
from reader.core import ReaderCore
from reader.ui.operations import Lane, Operations

CoreCall = Callable[[ReaderCore], object]
# How an article change runs: the call, what to do with its result, what to do on failure.
Run = Callable[[CoreCall, Callable[[object], None], Callable[[str], None]], None]


class Kind(IntEnum):
    """What a command changes; consecutive note edits of one bookmark are one step."""

    OTHER = -1  # never merged
    NOTE = 1


class Memo:
    """What the lane learns while making a change, for taking it back."""

    bookmark: Bookmark | None = None


class BookmarkCommand(QUndoCommand):
    def __init__(
        self,
        ops: Operations,
        label: str,
        bookmark_id: str,
        do: CoreCall,
        undo: CoreCall,
        on_changed: Callable[[str], None],
        on_failed: Callable[[str], None],
        kind: Kind = Kind.OTHER,
    ) -> None:
        super().__init__(label)
        self.ops = ops
        self.bookmark_id = bookmark_id
        self._do, self._undo = do, undo
        self.on_changed = on_changed
        self.on_failed = on_failed
        self.kind = kind
        self._done_once = False

    def redo(self) -> None:
        message = self.text() if self._done_once else _done(self.text())
        self._done_once = True
        self._start(self._do, message)

    def undo(self) -> None:
        self._start(self._undo, f"Undone: {self.text()[:1].lower()}{self.text()[1:]}")

    def _start(self, call: CoreCall, message: str) -> None:
        if self.isObsolete():
            return

        def failed(why: str) -> None:
            self.setObsolete(True)  # its state is not known: not offered again
            self.on_failed(why)

        self.ops.start(
            Lane.READ, lambda core, _p: call(core), lambda _none: self.on_changed(message),
            on_error=failed,
        )  # fmt: skip

    def id(self) -> int:
        return int(self.kind)

    def mergeWith(self, other: QUndoCommand) -> bool:
        """A note typed in several saves is undone at once: back to the note before the
        first, forward to the note after the last."""
        if not isinstance(other, BookmarkCommand) or other.bookmark_id != self.bookmark_id:
            return False
        self._do = other._do
        return True


class ArticleCommand(QUndoCommand):
    """A change to an article. ``on_done(result, forward)`` takes the core call's answer:
    ``forward`` for the change made (or made again), not for it taken back."""

    def __init__(
        self,
        run: Run,
        label: str,
        do: CoreCall,
        undo: CoreCall,
        on_done: Callable[[object, bool], None],
        on_failed: Callable[[str], None],
    ) -> None:
        super().__init__(label)
        self.run = run
        self._do, self._undo = do, undo
        self.on_done = on_done
        self.on_failed = on_failed

    def redo(self) -> None:
        self._start(self._do, forward=True)

    def undo(self) -> None:
        self._start(self._undo, forward=False)

    def _start(self, call: CoreCall, *, forward: bool) -> None:
        if self.isObsolete():
            return

        def failed(why: str) -> None:
            self.setObsolete(True)  # its state is not known: not offered again
            self.on_failed(why)

        self.run(call, lambda result: self.on_done(result, forward), failed)


def added(memo: Memo, add: Callable[[ReaderCore], Bookmark]) -> tuple[CoreCall, CoreCall]:
    """Adding: undone by deleting it (the row is kept), redone by putting that row back."""

    def do(core: ReaderCore) -> None:
        if memo.bookmark is None:
            memo.bookmark = add(core)
        else:
            core.restore_bookmark(memo.bookmark)

    def undo(core: ReaderCore) -> None:
        if memo.bookmark is not None:
            memo.bookmark = core.delete_bookmark(memo.bookmark.id)

    return do, undo


def deleted(memo: Memo, bookmark_id: str) -> tuple[CoreCall, CoreCall]:
    """Deleting: undone by putting back the row as the delete found it."""

    def do(core: ReaderCore) -> None:
        memo.bookmark = core.delete_bookmark(bookmark_id)

    def undo(core: ReaderCore) -> None:
        if memo.bookmark is not None:
            core.restore_bookmark(memo.bookmark)

    return do, undo


def attached(
    memo: Memo, bookmark_id: str, attach: Callable[[ReaderCore], Bookmark]
) -> tuple[CoreCall, CoreCall]:
    """Attaching a detached bookmark: undone by putting back the row as it was before."""

    def do(core: ReaderCore) -> None:
        memo.bookmark = core.bookmark(bookmark_id)
        attach(core)

    def undo(core: ReaderCore) -> None:
        if memo.bookmark is not None:
            core.restore_bookmark(memo.bookmark)

    return do, undo


def _done(label: str) -> str:
    return {
        "Add Bookmark": "Bookmark saved",
        "Delete Bookmark": "Bookmark deleted · Ctrl+Z to undo",
    }.get(label, f"{label} · saved")
