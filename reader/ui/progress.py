"""Progress passed on in proportion to time, not to the number of steps."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
Progress = Callable[[int, int], None]
INTERVAL = 0.1  # seconds between two reports


def throttled(report: Progress, interval: float = INTERVAL) -> Progress:
    """``report``, passed on at most once per ``interval`` (and always at the end).

    A job walking 20,000 files then costs the UI thread a few signals a
    second, whatever the binding does with each.
    """
    last = -interval

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= total or now - last >= interval:
            last = now
            report(done, total)

    return progress


class Latest(Generic[T]):
    """The latest report of a worker thread, taken by the UI thread when it gets to it.

    ``put`` keeps the report and calls ``wake`` (which emits a signal) only when
    the report before it has been taken: the worker never waits, the UI thread is
    not flooded however fast the reports come, and it always shows the newest one,
    even when the work then stalls on one large file.
    """

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._lock = threading.Lock()
        self._value: T | None = None
        self._waiting = False

    def put(self, value: T) -> None:
        with self._lock:
            self._value = value
            wake, self._waiting = not self._waiting, True
        if wake:
            self._wake()

    def take(self) -> T | None:
        with self._lock:
            self._waiting = False
            return self._value
