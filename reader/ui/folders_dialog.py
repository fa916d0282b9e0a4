"""The folders whose articles are read where they are: listed, added and let go.

The dialog only asks; the window runs the change in the library lane and
gives the dialog the folders as they are after it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.library.articles import readable


class FoldersDialog(QDialog):
    """Watched folders: their articles are listed, searched and bookmarked like the
    library's own, and followed as their files change."""

    watch_requested = Signal(Path)
    stop_requested = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Watched Folders")
        self.setObjectName("foldersDialog")
        about = QLabel(
            "The articles in these folders, and the folders in them, are read where they"
            " are, without copying them: a file added, changed or removed there shows in"
            " the library. A folder that is away keeps its articles listed until it is back."
        )
        about.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("watchedFolders")
        self.empty = QLabel("No folder is watched.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.add_button = QPushButton("&Watch Folder…")
        self.stop_button = QPushButton("&Stop Watching")
        self.stop_button.setToolTip(
            "Its articles leave the library; their files stay, and their bookmarks wait,"
            " detached, in case it is watched again"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.add_button.clicked.connect(self._ask_for_folder)
        self.stop_button.clicked.connect(self._stop_current)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(560, 320)
        self.set_folders([])

    def set_folders(self, folders: list[Path]) -> None:
        """Show the folders watched now (and take the buttons back from a change in flight)."""
        self.list.clear()
        for folder in folders:
            away = "" if folder.is_dir() else "   (not there now)"
            item = QListWidgetItem(readable(str(folder)) + away)
            item.setData(Qt.ItemDataRole.UserRole, str(folder))
            self.list.addItem(item)
        if folders:
            self.list.setCurrentRow(0)
        self.list.setVisible(bool(folders))
        self.empty.setVisible(not folders)
        self.setEnabled(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.stop_button.setEnabled(self.list.currentItem() is not None)

    def _ask_for_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Watch Folder", str(Path.home()))
        if folder:
            self.setEnabled(False)  # until the window says the change is done
            self.watch_requested.emit(Path(folder))

    def _stop_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.setEnabled(False)
            self.stop_requested.emit(Path(item.data(Qt.ItemDataRole.UserRole)))
