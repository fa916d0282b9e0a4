"""The one place an exception that escaped a slot ends up.

Qt calls slots from its event loop; an exception raised there would otherwise
be printed to a terminal nobody sees, and the action would silently do
nothing. :class:`ErrorReporter` logs it with its traceback and tells the user
in one line, with the traceback under "Show Details".
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from reader.errors import ReaderError

log = logging.getLogger("reader")


class ErrorReporter:
    """A ``sys.excepthook`` that shows what went wrong over ``parent``."""

    def __init__(self, parent: QWidget | None) -> None:
        self.parent = parent
        self.shown: list[QMessageBox] = []

    def install(self) -> None:
        sys.excepthook = self

    def __call__(
        self,
        kind: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("unexpected error", exc_info=(kind, exc, tb))
        if threading.current_thread() is not threading.main_thread():
            return  # widgets belong to the UI thread; the log has it
        if isinstance(exc, ReaderError):
            message = str(exc)
        else:
            message = f"Something went wrong and the last action did not finish: {exc}"
        box = QMessageBox(QMessageBox.Icon.Warning, "reader", message[:1].upper() + message[1:])
        box.setParent(self.parent, Qt.WindowType.Dialog)
        box.setDetailedText("".join(traceback.format_exception(kind, exc, tb)))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self.shown.remove(box))
        self.shown.append(box)
        box.open()
