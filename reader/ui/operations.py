"""Core calls off the UI thread, answered on the UI thread.

Work runs in lanes, each a single worker thread with a core of its own, so a
core is only ever used by one thread at a time:

- ``LIBRARY``: refreshing the catalog and importing files (long);
- ``READ``: opening articles and everything about bookmarks (short);
- ``INDEX``: keeping the search index in step and searching.

:meth:`Operations.start` takes ``fn(core, progress) -> T`` and
``on_done(T)``: the result travels back typed, as a closure, and the one
signal between the threads carries only a ticket number. One rule drops
superseded answers: an operation started with a ``key`` is answered only if
no later operation with the same key was started meanwhile, and is not run
at all if one was started before it began (a search typed past while the
lane was busy).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import traceback
from collections.abc import Callable
from enum import Enum
from typing import TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal

from reader.core import ReaderCore
from reader.errors import ReaderError
from reader.ui.progress import Progress, throttled

T = TypeVar("T")


def _nothing() -> None:
    """The answer of work not run."""


class Lane(Enum):
    LIBRARY = "library"
    READ = "read"
    INDEX = "index"


class _Lane:
    """One worker thread and the core it alone uses."""

    def __init__(self, parent: QObject) -> None:
        self.pool = QThreadPool(parent)
        self.pool.setMaxThreadCount(1)
        self.core: ReaderCore | None = None


class Operations(QObject):
    """Runs core calls in lanes; answers, failures and progress come back as signals."""

    failed = Signal(str)  # a one-line message for the status bar
    progress = Signal(str, int, int)  # what is running, done, total
    notice = Signal(str)  # something the user should know (a damaged file set aside)
    _landed = Signal(int)

    def __init__(self, core_factory: Callable[[], ReaderCore], parent: QObject | None = None):
        super().__init__(parent)
        self._core_factory = core_factory
        self._lanes = {lane: _Lane(self) for lane in Lane}
        self._tickets = itertools.count(1)
        self._latest: dict[str, int] = {}
        self._answers: dict[int, Callable[[], None]] = {}
        self._answers_lock = threading.Lock()
        self._cores_lock = threading.Lock()  # cores are opened one at a time
        self._unanswered = 0
        self._landed.connect(self._on_landed)

    def start(
        self,
        lane: Lane,
        fn: Callable[[ReaderCore, Progress], T],
        on_done: Callable[[T], None],
        *,
        key: str | None = None,
        label: str = "",
        on_error: Callable[[str], None] | None = None,
    ) -> int:
        """Run ``fn`` in ``lane``; ``on_done(result)`` is called on the UI thread."""
        ticket = next(self._tickets)
        self._unanswered += 1
        if key is not None:
            self._latest[key] = ticket
        worker = self._lanes[lane]

        def superseded() -> bool:
            return key is not None and self._latest.get(key) != ticket

        def fail(message: str) -> None:
            if superseded():
                return
            if on_error is not None:
                on_error(message)
            else:
                self.failed.emit(message)

        def report(done: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the window is gone
                self.progress.emit(label, done, total)

        def run() -> None:
            # Asked again before this one began: nobody waits for it.
            answer = _nothing if superseded() else attempt()
            with self._answers_lock:
                self._answers[ticket] = answer
            with contextlib.suppress(RuntimeError):  # the window is gone: nobody to tell
                self._landed.emit(ticket)

        def attempt() -> Callable[[], None]:
            answer: Callable[[], None]
            try:
                core = self._core_of(worker)
                result = fn(core, throttled(report))
            except ReaderError as exc:
                message = str(exc)
                answer = lambda: fail(message)  # noqa: E731
            except Exception as exc:  # a bug: report it, keep the window alive
                traceback.print_exc()
                message = f"unexpected error: {exc}"
                answer = lambda: fail(message)  # noqa: E731
            else:

                def answer() -> None:
                    if not superseded():
                        on_done(result)

            self._tell(worker.core)
            return answer

        worker.pool.start(run)
        return ticket

    def _core_of(self, worker: _Lane) -> ReaderCore:
        if worker.core is None:
            with self._cores_lock:
                worker.core = self._core_factory()
        return worker.core

    def _tell(self, core: ReaderCore | None) -> None:
        """Pass on what the core has to tell the user (a restore, a rebuild…)."""
        for notice in core.take_notices() if core is not None else ():
            with contextlib.suppress(RuntimeError):  # the window is gone
                self.notice.emit(notice)

    def _on_landed(self, ticket: int) -> None:
        with self._answers_lock:
            answer = self._answers.pop(ticket, None)
        if answer is not None:
            self._unanswered -= 1
            answer()

    def busy(self) -> bool:
        """Whether an operation started has not been answered yet."""
        return self._unanswered > 0

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for every lane to finish its work; False if one did not in time."""
        return all(worker.pool.waitForDone(msecs) for worker in self._lanes.values())

    def shutdown(self) -> None:
        """Let running work finish, then close every lane's core; safe to call twice."""
        self.wait()
        for worker in self._lanes.values():
            if worker.core is not None:
                worker.core.close()
                worker.core = None
