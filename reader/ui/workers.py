"""Running core calls off the UI thread; results come back on the UI thread."""

from __future__ import annotations

import contextlib
import itertools
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from reader.errors import ReaderError

ProgressFn = Callable[[int, int], None]
Job = Callable[[ProgressFn], Any]
PROGRESS_INTERVAL = 0.1  # seconds between two progress signals of one job


def throttled(report: ProgressFn, interval: float = PROGRESS_INTERVAL) -> ProgressFn:
    """``report``, passed on at most once per ``interval`` (and always at the end).

    Progress then costs the UI thread a few signals a second, however many
    files a job walks through.
    """
    last = -interval

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= total or now - last >= interval:
            last = now
            report(done, total)

    return progress


class JobRunner(QObject):
    """Runs jobs on a thread pool and calls their callbacks on the UI thread.

    A job is a plain callable ``fn(progress)``; it never touches Qt objects.
    Its outcome travels back through this object's own signals, which live on
    the UI thread, keyed by a job number: no per-job Qt object whose lifetime
    would have to outlast the thread that ran it.
    """

    _finished = Signal(int, object)
    _failed = Signal(int, str)
    _progress = Signal(int, int, int)

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self._numbers = itertools.count(1)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None], Callable[[str], None], ProgressFn | None]
        ] = {}
        self._finished.connect(self._on_finished)
        self._failed.connect(self._on_failed)
        self._progress.connect(self._on_progress)

    def start(
        self,
        fn: Job,
        on_finished: Callable[[Any], None],
        on_failed: Callable[[str], None],
        on_progress: ProgressFn | None = None,
    ) -> int:
        number = next(self._numbers)
        self._callbacks[number] = (on_finished, on_failed, on_progress)

        def emit_progress(done: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the window is gone
                self._progress.emit(number, done, total)

        progress = throttled(emit_progress)

        def run() -> None:
            try:
                try:
                    result = fn(progress)
                except ReaderError as exc:
                    self._failed.emit(number, str(exc))
                except Exception as exc:  # a bug: report it, keep the window alive
                    traceback.print_exc()
                    self._failed.emit(number, f"unexpected error: {exc}")
                else:
                    self._finished.emit(number, result)
            except RuntimeError:
                pass  # the window that asked for this is gone: nobody to tell

        self.pool.start(run)
        return number

    def wait(self, msecs: int) -> bool:
        return bool(self.pool.waitForDone(msecs))

    def _on_finished(self, number: int, result: object) -> None:
        callbacks = self._callbacks.pop(number, None)
        if callbacks is not None:
            callbacks[0](result)

    def _on_failed(self, number: int, message: str) -> None:
        callbacks = self._callbacks.pop(number, None)
        if callbacks is not None:
            callbacks[1](message)

    def _on_progress(self, number: int, done: int, total: int) -> None:
        callbacks = self._callbacks.get(number)
        if callbacks is not None and callbacks[2] is not None:
            callbacks[2](done, total)
