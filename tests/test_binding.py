"""The Qt binding keeps Python's reference counts (PySide6 6.12.0 on 3.11 did not)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Run in a child process: a leaking binding ends in a fatal abort, which would
# take the whole test run down with it.
_CHECK = """
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QProgressBar

app = QApplication([])

class Emitter(QObject):
    changed = Signal(int)

emitter = Emitter()
emitter.changed.connect(lambda value: None)
bar = QProgressBar()
true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
for n in range(CALLS):
    emitter.changed.emit(n)
    bar.setValue(n % 100)
    bar.setVisible(False)
    bar.setObjectName("bar")
print(sys.getrefcount(True) - true_before, sys.getrefcount(None) - none_before)
"""
CALLS = 300  # a leaking binding loses 300 references to True, 900 to None


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="True and None are immortal from Python 3.12 on"
)
def test_signals_and_void_calls_keep_reference_counts() -> None:
    child = subprocess.run(
        [sys.executable, "-c", _CHECK.replace("CALLS", str(CALLS))],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert child.returncode == 0, f"the binding aborted the interpreter: {child.stderr[-400:]}"
    true_delta, none_delta = (int(x) for x in child.stdout.split())
    # A few references come and go with the objects made; a leak loses one per call.
    assert true_delta > -20, f"{-true_delta} references to True lost in {CALLS} emits"
    assert none_delta > -20, f"{-none_delta} references to None lost in {CALLS * 3} calls"
