"""Running core calls off the UI thread; results come back as signals."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from reader.errors import ReaderError


class WorkerSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)


class Worker(QRunnable):
    """Runs ``fn(progress)`` on the thread pool.

    ``fn`` gets a callable ``progress(done, total)``; its return value is
    emitted with ``finished``, a :class:`ReaderError` message with ``failed``.
    """

    def __init__(self, fn: Callable[[Callable[[int, int], None]], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = WorkerSignals()
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            try:
                result = self.fn(self._progress)
            except ReaderError as exc:
                self.signals.failed.emit(str(exc))
            except Exception as exc:  # a bug: report it, keep the window alive
                traceback.print_exc()
                self.signals.failed.emit(f"unexpected error: {exc}")
            else:
                self.signals.finished.emit(result)
        except RuntimeError:
            pass  # the window that asked for this is gone: nobody to tell

    def _progress(self, done: int, total: int) -> None:
        with contextlib.suppress(RuntimeError):
            self.signals.progress.emit(done, total)


def start(
    fn: Callable[[Callable[[int, int], None]], Any],
    on_finished: Callable[[Any], None],
    on_failed: Callable[[str], None],
    on_progress: Callable[[int, int], None] | None = None,
    pool: QThreadPool | None = None,
) -> Worker:
    worker = Worker(fn)
    worker.signals.finished.connect(on_finished)
    worker.signals.failed.connect(on_failed)
    if on_progress is not None:
        worker.signals.progress.connect(on_progress)
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker
