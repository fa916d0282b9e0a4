"""Garbage collected on the UI thread only.

Python collects reference cycles on whichever thread happens to allocate when a
generation is full. A cycle holding a Qt object (a closed dialog and the slot
that refers to it, say) collected on a worker thread destroys that object off
the thread it belongs to, and Qt aborts the process. While a window is open,
automatic collection is off, and a timer on the UI thread collects each
generation when Python would have.

Python collects the oldest generation only once the objects that lived long
enough to reach it have grown by a quarter since its last collection (else a
large heap would be walked over and over). The count it keeps for that is not
exposed; the memory blocks allocated (``sys.getallocatedblocks``) stand in for
it here.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class UiThreadCollector(QObject):
    """Collects garbage on the UI thread while any collector runs; the last to stop
    gives collection back to Python."""

    _running = 0
    _blocks = 0  # memory blocks in use after the last full collection

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
                if generation == 2 and not self._grown():
                    generation = 1  # too little is new to walk every object for it
                gc.collect(generation)
                if generation == 2:
                    UiThreadCollector._blocks = sys.getallocatedblocks()
                return

    @staticmethod
    def _grown() -> bool:
        """Whether memory in use has grown by a quarter since the last full collection."""
        return sys.getallocatedblocks() > UiThreadCollector._blocks * 5 // 4
