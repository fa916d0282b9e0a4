"""What an import shows: its progress, the summary it ends with, and the files it left out.

- :class:`ProgressStrip` sits in the status bar: what runs, with counts and the
  file at hand, a bar, and Cancel for the work that can be cancelled. It shows
  only when the work outlasts a glance, so a quick import does not flicker.
- :class:`ImportSummary` is the line an import ends with ("Imported 380 of 400
  files · 12 skipped · 8 failed"). It stays until it is dismissed: the status
  messages that follow do not replace it.
- :class:`ImportDetails` lists each file not imported and why, in a window of
  its own that leaves the main window usable.
- :class:`DropRouter` passes the files dropped on a text field to the window,
  which imports them; text dropped on a field stays the field's.
- :func:`write_note` makes a dropped text a Markdown file, imported like any other.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.library import ImportOutcome
from reader.library.articles import readable
from reader.library.importing.markup import escape_markdown
from reader.library.library import CANCELLED
from reader.ui.progress import Latest

APPEAR_MS = 300  # work that ends sooner shows no bar
MAX_LISTED = 2000  # problems listed in Details; more would keep the window from opening at once

DROPPED_TEXT = "Dropped text"  # how a dropped text's note is named in the details


# --- what an import did ------------------------------------------------------------------


@dataclass
class ImportJob:
    """One import: its files, the way to cancel it, and the notes made for it."""

    number: int
    paths: list[Path]
    cancel: threading.Event = field(default_factory=threading.Event)
    # From its worker thread: files converted, of how many, and the last one's name.
    reports: Latest[tuple[int, int, str]] | None = None
    notes: dict[Path, str] = field(default_factory=dict)  # a note's file -> its name shown
    folders: list[tempfile.TemporaryDirectory[str]] = field(default_factory=list)

    def name_of(self, path: Path) -> str:
        return self.notes.get(path, readable(path.name))

    def clean_up(self) -> None:
        """Remove the folders its notes were written in (their copies are in the library)."""
        while self.folders:
            self.folders.pop().cleanup()


@dataclass(frozen=True)
class Problem:
    """A file not imported: its name, where it is, and why (one line)."""

    name: str
    folder: str
    status: str  # "failed" or "skipped"
    reason: str

    @property
    def line(self) -> str:
        return f"{self.name} — {self.what}"

    @property
    def what(self) -> str:
        if self.reason == CANCELLED:
            return "Not imported: the import was cancelled"
        return f"{self.status.capitalize()}: {self.reason}"


@dataclass(frozen=True)
class Summary:
    """How an import ended, in one line, and the files it did not import."""

    text: str
    problems: tuple[Problem, ...] = ()
    imported: int = 0


def _files(n: int) -> str:
    return f"{n:,} file{'s' if n != 1 else ''}"


def summarize(outcomes: Sequence[ImportOutcome], job: ImportJob | None = None) -> Summary:
    """The line an import ends with, and its problems: failed files first."""
    imported = [o for o in outcomes if o.status == "imported"]
    cancelled = [o for o in outcomes if o.status == "skipped" and o.message == CANCELLED]
    skipped = [o for o in outcomes if o.status == "skipped" and o.message != CANCELLED]
    failed = [o for o in outcomes if o.status == "failed"]
    if not outcomes:
        return Summary("Nothing imported: no files were found")
    if len(outcomes) == 1 and imported:
        text = f"Imported “{imported[0].message}”"
    else:
        text = f"Imported {len(imported):,} of {_files(len(outcomes))}"
    parts = [text]
    if cancelled:
        parts[0] = f"Import cancelled · {text[:1].lower()}{text[1:]}"
        parts.append(f"{len(cancelled):,} not imported")
    if skipped:
        parts.append(f"{len(skipped):,} skipped")
    if failed:
        parts.append(f"{len(failed):,} failed")

    def problem(o: ImportOutcome) -> Problem:
        name = job.name_of(o.path) if job is not None else readable(o.path.name)
        folder = "" if job is not None and o.path in job.notes else readable(str(o.path.parent))
        reason = " ".join(o.message.split()) or "no reason given"
        return Problem(name, folder, o.status, reason)

    problems = tuple(problem(o) for o in (*failed, *skipped, *cancelled))
    return Summary(" · ".join(parts), problems, len(imported))


def write_note(text: str, folder: Path, when: dt.datetime | None = None) -> Path:
    """Write a dropped text into ``folder`` as a Markdown note; the file written.

    Every line is shown as it was written: nothing in it is read as Markdown,
    and each line ends where it ended. The file's name says nothing, so the
    importer titles the note from its first line.
    """
    when = when or dt.datetime.now()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    out: list[str] = []
    for k, line in enumerate(lines):
        # Indentation would make a code block, where the escapes would show.
        line = escape_markdown(line.strip())
        follows = k + 1 < len(lines) and lines[k + 1].strip()
        out.append(f"{line}  " if line and follows else line)  # a hard line break
    path = folder / f"note-{when:%Y%m%d-%H%M%S}.md"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


# --- the progress strip ------------------------------------------------------------------


class ProgressStrip(QWidget):
    """What runs, with counts, a bar and (for an import) Cancel; kept in the status bar."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressStrip")
        self.label = QLabel(self)
        self.label.setObjectName("progressLabel")
        self.label.setMinimumWidth(220)
        self.label.setMaximumWidth(420)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("progressBar")
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.bar.setMaximumHeight(12)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop the import: what is already converted is kept")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(10)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._text = ""
        self._appear = QTimer(self)
        self._appear.setSingleShot(True)
        self._appear.setInterval(APPEAR_MS)
        self._appear.timeout.connect(self.show)
        self._cancelling = False  # Cancel was pressed for the work shown
        self.hide()

    def report(self, text: str, done: int, total: int, *, cancellable: bool = False) -> None:
        """Show ``text`` and the bar at ``done`` of ``total`` (0: not known yet)."""
        self._text = text
        self._fit_text()
        self.label.setToolTip(text)
        self.bar.setRange(0, max(total, 0))
        self.bar.setValue(min(done, total) if total > 0 else 0)
        self.cancel_button.setVisible(cancellable)
        if cancellable and not self._cancelling:
            self.cancel_button.setEnabled(True)
        if not self.isVisible() and not self._appear.isActive():
            self._appear.start()

    def cancelling(self, text: str) -> None:
        """Cancel was asked: say so until the work ends."""
        self._text = text
        self._fit_text()
        self._cancelling = True
        self.cancel_button.setEnabled(False)

    def finish(self) -> None:
        self._appear.stop()
        self.hide()
        self._cancelling = False
        self.cancel_button.setEnabled(True)

    def showing(self) -> bool:
        """Whether the strip is shown or about to be."""
        return self.isVisible() or self._appear.isActive()

    def text(self) -> str:
        return self._text

    def _fit_text(self) -> None:
        width = self.label.maximumWidth()
        shown = self.label.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideMiddle, width)
        self.label.setText(shown)


# --- the summary -------------------------------------------------------------------------


class ImportSummary(QFrame):
    """The line an import ended with, above the status bar until it is dismissed."""

    details_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importSummary")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Plain)
        rule.setForegroundRole(QPalette.ColorRole.Mid)
        self.label = QLabel(self)
        self.label.setObjectName("importSummaryText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Details…", self)
        self.details_button.setObjectName("importDetailsButton")
        self.details_button.setToolTip("Each file not imported, and why")
        self.details_button.setAutoDefault(False)
        self.details_button.clicked.connect(self.details_requested)
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setObjectName("importSummaryDismiss")
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip("Dismiss")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        row = QHBoxLayout()
        row.setContentsMargins(12, 5, 6, 5)
        row.setSpacing(12)
        row.addWidget(self.label, 1)
        row.addWidget(self.details_button)
        row.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(rule)
        layout.addLayout(row)
        self.summary: Summary | None = None
        self.hide()

    def show_summary(self, summary: Summary) -> None:
        self.summary = summary
        self.label.setText(summary.text)
        self.details_button.setVisible(bool(summary.problems))
        self.show()

    def dismiss(self) -> None:
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class ImportDetails(QDialog):
    """Each file an import left out, where it is and why; beside the window, not over it."""

    COLUMNS = ("File", "What happened", "Folder")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDetails")
        self.setWindowTitle("Import details")
        self.setModal(False)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("importProblems")
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(list(self.COLUMNS))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton("Copy List", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)
        self._problems: tuple[Problem, ...] = ()

    def show_summary(self, summary: Summary) -> None:
        self._problems = summary.problems
        self.heading.setText(summary.text)
        self.tree.clear()
        items = []
        for p in summary.problems[:MAX_LISTED]:
            item = QTreeWidgetItem([p.name, p.what, p.folder])
            for column, tip in enumerate((f"{p.folder}/{p.name}" if p.folder else p.name,
                                          p.what, p.folder)):  # fmt: skip
                item.setToolTip(column, tip)
            items.append(item)
        more = len(summary.problems) - MAX_LISTED
        if more > 0:  # the whole list is one Copy List away
            items.append(QTreeWidgetItem(["", f"… and {more:,} more (Copy List has them all)", ""]))
        self.tree.addTopLevelItems(items)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), 260))
        self.tree.setColumnWidth(2, 220)

    def lines(self) -> list[str]:
        """The problems as text: the file's path, then why."""
        return [f"{p.folder}/{p.name} — {p.what}" if p.folder else p.line for p in self._problems]

    def copy(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.lines()) + "\n")


# --- drops -------------------------------------------------------------------------------


class DropRouter(QObject):
    """Passes files dropped on a text field to the window: fields take text, not files."""

    def __init__(
        self,
        takes: Callable[[QDragEnterEvent | QDragMoveEvent], None],
        drops: Callable[[QDropEvent], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._takes = takes
        self._drops = drops

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDropEvent) and any(
            url.isLocalFile() for url in event.mimeData().urls()
        ):
            if event.type() == QEvent.Type.Drop:
                self._drops(event)
            elif isinstance(event, (QDragEnterEvent, QDragMoveEvent)):
                self._takes(event)
            return True
        return False
