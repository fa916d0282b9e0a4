"""The questions the Article menu asks: a title, an article's tags, a tag's new name.

Each ``ask_…`` shows its dialog and waits for it; None when it is cancelled.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reader.bookmarks.model import normalise_tags, normalise_title
from reader.ui.bookmarks_panel import split_tags


def ask_title(parent: QWidget, title: str, file_title: bool) -> str | None:
    """The title typed for an article shown as ``title`` ("": the file's own title);
    ``file_title``: ``title`` is the file's already."""
    dialog = QInputDialog(parent)
    dialog.setObjectName("renameDialog")
    dialog.setWindowTitle("Rename Article")
    hint = "" if file_title else " (leave it empty for the file's own title)"
    dialog.setLabelText(f"Title{hint}:")
    dialog.setTextValue(title)
    dialog.resize(max(dialog.sizeHint().width(), 460), dialog.sizeHint().height())
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return normalise_title(dialog.textValue())
    finally:
        dialog.deleteLater()


class TagCompleter(QCompleter):
    """Completes the tag typed after the last comma of a line of tags; the tags before
    it stay as they are."""

    def __init__(self, tags: list[str], field: QLineEdit) -> None:
        super().__init__(tags, field)  # a list model of its own
        self._field = field
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setWidget(field)  # not the field's own completer, which would replace the line
        self.activated.connect(self._insert)
        field.textEdited.connect(self._complete)

    def _typed(self) -> str:
        return self._field.text().rsplit(",", 1)[-1].strip()

    def _complete(self, _text: str) -> None:
        typed = self._typed()
        if typed:
            self.setCompletionPrefix(typed)
        if typed and self.completionCount():
            self.complete()
        elif (popup := self.popup()) is not None:
            popup.hide()

    def _insert(self, tag: str) -> None:
        text = self._field.text()
        head = text.rsplit(",", 1)[0].strip() if "," in text else ""
        self._field.setText(f"{head}, {tag}, " if head else f"{tag}, ")


def tags_field(parent: QWidget, tags: list[str], known: dict[str, int]) -> QLineEdit:
    """A line of comma-separated tags, completing those the library has."""
    field = QLineEdit("".join(f"{t}, " for t in tags), parent)  # ready for one more
    field.setPlaceholderText("comma, separated, tags")
    TagCompleter(list(known), field)
    return field


def _known(known: dict[str, int]) -> str:
    if not known:
        return "No article has a tag yet."
    shown = list(known.items())[:12]
    more = f", and {len(known) - len(shown):,} more" if len(known) > len(shown) else ""
    return "In the library: " + ", ".join(f"{t} ({n:,})" for t, n in shown) + more


def ask_tags(
    parent: QWidget, title: str, tags: tuple[str, ...], known: dict[str, int]
) -> tuple[str, ...] | None:
    """The tags the user gives the article titled ``title``, which has ``tags``; ``known``:
    every tag in the library with how many articles have it."""
    dialog = QDialog(parent)
    dialog.setObjectName("tagsDialog")
    dialog.setWindowTitle("Tags")
    heading = QLabel(f"Tags of “{title}”, separated by commas:", dialog)
    heading.setWordWrap(True)
    heading.setTextFormat(Qt.TextFormat.PlainText)
    field = tags_field(dialog, list(tags), known)
    field.setObjectName("tagsField")
    hint = QLabel(_known(known), dialog)
    hint.setWordWrap(True)
    hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(heading)
    layout.addWidget(field)
    layout.addWidget(hint)
    layout.addWidget(buttons)
    dialog.resize(440, dialog.sizeHint().height())
    field.setFocus()

    def to_the_end() -> None:  # not the whole line selected, which a key would replace
        field.deselect()
        field.end(False)

    QTimer.singleShot(0, field, to_the_end)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return normalise_tags(split_tags(field.text()))
    finally:
        dialog.deleteLater()


def ask_tag_rename(
    parent: QWidget, known: dict[str, int], chosen: str | None = None
) -> tuple[str, str] | None:
    """A tag of ``known`` (``chosen`` first) and its new name; a name the library has
    already merges the two."""
    dialog = QDialog(parent)
    dialog.setObjectName("renameTagDialog")
    dialog.setWindowTitle("Rename Tag")
    combo = QComboBox(dialog)
    for tag, count in known.items():
        combo.addItem(f"{tag} ({count:,})", tag)
    if chosen in known:
        combo.setCurrentIndex(list(known).index(chosen))
    field = QLineEdit(dialog)
    field.setPlaceholderText("new name")
    completer = QCompleter(list(known), field)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    field.setCompleter(completer)
    note = QLabel(dialog)
    note.setWordWrap(True)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText("Rename")

    def check() -> None:
        old = str(combo.currentData())
        (new,) = normalise_tags([field.text()]) or ("",)
        ok.setEnabled(bool(new) and new != old)
        if new and new != old and new in known:
            n = known[new]
            note.setText(f"“{new}” is a tag already ({n:,} article{'s' if n != 1 else ''}): "
                         "the two become one.")  # fmt: skip
        else:
            note.setText("Bookmarks with the tag are renamed too.")

    combo.currentIndexChanged.connect(lambda _i: check())
    field.textChanged.connect(lambda _t: check())
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout()
    form.addRow("Tag", combo)
    form.addRow("New name", field)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(note)
    layout.addWidget(buttons)
    check()
    dialog.resize(400, dialog.sizeHint().height())
    field.setFocus()
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        (new,) = normalise_tags([field.text()]) or ("",)
        return (str(combo.currentData()), new) if new else None
    finally:
        dialog.deleteLater()
