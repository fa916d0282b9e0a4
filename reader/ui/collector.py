"""Garbage collected on the UI thread only.

Python collects reference cycles on whichever thread happens to allocate when a
generation is full. A cycle holding a Qt object (a closed dialog and the slot
that refers to it, say) collected on a worker thread destroys that object off
the thread it belongs to, and Qt aborts the process. While a window is open,
automatic collection is off, and a timer on the UI thread collects each
generation when Python would have.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class UiThreadCollector(QObject):
    """Collects garbage on the UI thread while any collector runs; the last to stop
    gives collection back to Python."""

    _running = 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._started = False

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        UiThreadCollector._running += 1
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        self._timer.stop()
        UiThreadCollector._running -= 1
        if UiThreadCollector._running == 0:
            gc.enable()

    def collect(self) -> None:
        """Collect the oldest generation past its threshold, as Python would have."""
        counts, limits = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > limits[generation]:
                gc.collect(generation)
                return
