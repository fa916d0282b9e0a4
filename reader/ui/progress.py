"""Progress passed on in proportion to time, not to the number of steps."""

from __future__ import annotations

import time
from collections.abc import Callable

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
