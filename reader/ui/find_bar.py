"""Find in the open article: a bar under the page, "3 of 12", Enter / F3 / Esc."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

MAX_MATCHES = 10_000


def find_all(text: str, needle: str) -> list[tuple[int, int]]:
    """Where ``needle`` occurs in ``text``, ignoring case: (start, end) code-point offsets."""
    needle = needle.strip()
    if not needle:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in needle.split()), re.IGNORECASE)
    out = []
    for m in pattern.finditer(text):
        out.append((m.start(), m.end()))
        if len(out) >= MAX_MATCHES:
            break
    return out


class FindBar(QWidget):
    """The find field and its count; the window does the finding and the stepping."""

    text_changed = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.field = QLineEdit(self)
        self.field.setObjectName("findField")
        self.field.setPlaceholderText("Find in article")
        self.field.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setObjectName("findCount")
        self.count.setMinimumWidth(90)
        previous = QToolButton(self)
        previous.setText("▲")
        previous.setToolTip("Previous match (Shift+F3, Shift+Enter)")
        following = QToolButton(self)
        following.setText("▼")
        following.setToolTip("Next match (F3, Enter)")
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(close)
        self.field.textChanged.connect(self.text_changed)
        previous.clicked.connect(self.previous_requested)
        following.clicked.connect(self.next_requested)
        close.clicked.connect(self.close_bar)
        self.field.installEventFilter(self)
        self.hide()

    def open_bar(self, text: str = "") -> None:
        self.show()
        if text:
            self.field.setText(text)
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def close_bar(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()

    def show_count(self, current: int, total: int) -> None:
        """ "3 of 12", "12 matches" before one is chosen, or "No matches"."""
        if not self.field.text().strip():
            self.count.setText("")
        elif total == 0:
            self.count.setText("No matches")
        elif current < 0:
            self.count.setText(f"{total:,} match{'es' if total != 1 else ''}")
        else:
            self.count.setText(f"{current + 1:,} of {total:,}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                (self.previous_requested if shift else self.next_requested).emit()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
