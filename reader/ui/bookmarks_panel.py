"""Bookmarks: the dialog to keep a passage, and the panel that lists them."""

from __future__ import annotations

import html
import time
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from reader.bookmarks import COLOR_HEX, COLORS, Bookmark
from reader.bookmarks.model import normalise_tags
from reader.ui.themes import THEMES, Theme
from reader.ui.widgets import add_rich_item, refit_on_resize

BOOKMARK_ROLE = Qt.ItemDataRole.UserRole + 1


def color_icon(name: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(COLOR_HEX[name]))
    return QIcon(pix)


def color_combo(parent: QWidget, with_any: bool = False) -> QComboBox:
    combo = QComboBox(parent)
    if with_any:
        combo.addItem("Any colour", "")
    for name in COLORS:
        combo.addItem(color_icon(name), name.capitalize(), name)
    return combo


def split_tags(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


class BookmarkDialog(QDialog):
    """Note, colour and tags for a passage being kept.

    Save asks for the bookmark to be kept (:attr:`save_requested`); the dialog
    closes once :meth:`saved` says it is, and stays open with the reason and
    everything typed when :meth:`failed` says it could not be.
    """

    save_requested = Signal(str, str, tuple)  # note, colour, tags

    def __init__(self, quote: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bookmark passage")
        shown = quote if len(quote) <= 280 else quote[:279] + "…"
        passage = QLabel(f"<i>“{html.escape(shown)}”</i>")
        passage.setWordWrap(True)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText("A note (optional)")
        self.note.setTabChangesFocus(True)
        self.color = color_combo(self)
        self.tags = QLineEdit(self)
        self.tags.setPlaceholderText("comma, separated, tags")
        form = QFormLayout()
        form.addRow("Note", self.note)
        form.addRow("Colour", self.color)
        form.addRow("Tags", self.tags)
        self.problem = QLabel(self)
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._problem_icon = QLabel(self)
        self._problem_icon.setPixmap(warning.pixmap(24, 24))
        self._problem_row = QWidget(self)
        row = QHBoxLayout(self._problem_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._problem_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.problem, 1)
        self._problem_row.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.request_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(passage)
        layout.addLayout(form)
        layout.addWidget(self._problem_row)
        layout.addWidget(self.buttons)
        self.resize(460, 320)

    def values(self) -> tuple[str, str, tuple[str, ...]]:
        return self.note.toPlainText(), str(self.color.currentData()), split_tags(self.tags.text())

    def request_save(self) -> None:
        self.buttons.setEnabled(False)
        self._problem_row.hide()
        self.save_requested.emit(*self.values())

    def saved(self) -> None:
        self.accept()

    def failed(self, message: str) -> None:
        """Say why the bookmark was not kept; what was typed stays to try again."""
        why = message.removeprefix("could not save the bookmark: ")
        self.problem.setText(f"<b>Not saved.</b> {html.escape(why[:1].upper() + why[1:])}")
        self._problem_row.show()
        self.buttons.setEnabled(True)


class BookmarksPanel(QWidget):
    bookmark_activated = Signal(Bookmark)
    bookmark_edited = Signal(Bookmark, str, str, list)  # as it is; new note, colour, tags
    delete_requested = Signal(Bookmark)
    # A detached bookmark repaired: to a suggested place (start, end), or to the selection.
    attach_requested = Signal(Bookmark, int, int)
    attach_to_selection_requested = Signal(Bookmark)
    place_shown = Signal(str, int, int)  # article id, start, end: a suggestion, to look at

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = THEMES["light"]
        self._all: list[Bookmark] = []
        self._titles: dict[str, str] = {}
        self._current_article: str | None = None
        self._editing: str | None = None
        self._loaded: tuple[str, str, tuple[str, ...]] = ("", "", ())
        self._saving_values: tuple[str, str, tuple[str, ...]] | None = None  # sent, not seen
        self._saving = False

        self.scope = QComboBox(self)
        self.scope.addItem("All bookmarks", "all")
        self.scope.addItem("This article", "article")
        self.sort = QComboBox(self)
        self.sort.addItem("By article", "article")
        self.sort.addItem("Newest first", "date")
        self.color_filter = color_combo(self, with_any=True)
        self.has_note = QCheckBox("Has a note", self)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText("Filter bookmarks")
        self.text_filter.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("bookmarkList")
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        refit_on_resize(self.list)
        self.empty = QLabel("Select text in an article and press Ctrl+D to keep it here.", self)
        self.empty.setWordWrap(True)

        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setPlaceholderText("Note")
        self.note_edit.setMaximumHeight(90)
        self.color_edit = color_combo(self)
        self.tags_edit = QLineEdit(self)
        self.tags_edit.setPlaceholderText("Tags")
        self.delete_button = QPushButton("Delete", self)
        self.repair = self._repair_row()
        self.editor = QWidget(self)
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.repair)
        editor_layout.addWidget(self.note_edit)
        row = QHBoxLayout()
        row.addWidget(self.color_edit)
        row.addWidget(self.tags_edit, 1)
        row.addWidget(self.delete_button)
        editor_layout.addLayout(row)
        self.editor.setEnabled(False)

        filters = QHBoxLayout()
        filters.addWidget(self.scope)
        filters.addWidget(self.sort)
        filters2 = QHBoxLayout()
        filters2.addWidget(self.color_filter)
        filters2.addWidget(self.has_note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addWidget(self.text_filter)
        layout.addLayout(filters)
        layout.addLayout(filters2)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.editor)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
        self._connect_signals()

    def _repair_row(self) -> QWidget:
        """For a detached bookmark: where its passage may be now, and how to attach it."""
        box = QWidget(self)
        box.setObjectName("repair")
        self.repair_label = QLabel(box)
        self.repair_label.setWordWrap(True)
        self.suggestions = QComboBox(box)
        self.suggestions.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.suggestions.setMinimumContentsLength(12)
        self.attach_here = QPushButton("Attach Here", box)
        self.attach_here.setToolTip("Attach the bookmark to the suggested passage")
        self.attach_selection = QPushButton("Attach to Selection", box)
        self.attach_selection.setToolTip(
            "Attach the bookmark to the passage selected in the article"
        )
        row = QHBoxLayout()
        row.addWidget(self.suggestions, 1)
        row.addWidget(self.attach_here)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.repair_label)
        layout.addLayout(row)
        layout.addWidget(self.attach_selection, 0, Qt.AlignmentFlag.AlignLeft)
        box.hide()
        return box

    def _connect_signals(self) -> None:
        for combo in (self.scope, self.sort, self.color_filter):
            combo.currentIndexChanged.connect(self.refill)
        self.has_note.toggled.connect(self.refill)
        self.text_filter.textChanged.connect(self.refill)
        self.list.itemActivated.connect(self.on_item_activated)
        self.list.itemDoubleClicked.connect(self.on_item_activated)
        self.list.currentItemChanged.connect(self.on_current_item_changed)
        self.note_edit.textChanged.connect(self._save_timer.start)
        self.tags_edit.editingFinished.connect(self.save_edits)
        self.color_edit.activated.connect(self.save_edits)
        self._save_timer.timeout.connect(self.save_edits)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        self.suggestions.activated.connect(self.on_suggestion_chosen)
        self.attach_here.clicked.connect(self.on_attach_here_clicked)
        self.attach_selection.clicked.connect(self.on_attach_selection_clicked)

    # --- content -------------------------------------------------------------

    def set_bookmarks(
        self, bookmarks: list[Bookmark], titles: dict[str, str], current_article: str | None
    ) -> None:
        self.save_edits()  # typed but not yet saved: kept, before the list changes under it
        self._all, self._titles, self._current_article = bookmarks, titles, current_article
        self._refill(reload=True)

    def visible(self) -> list[Bookmark]:
        marks = list(self._all)
        if self.scope.currentData() == "article":
            marks = [b for b in marks if b.article_id == self._current_article]
        color = self.color_filter.currentData()
        if color:
            marks = [b for b in marks if b.color == color]
        if self.has_note.isChecked():
            marks = [b for b in marks if b.note]
        needle = self.text_filter.text().strip().casefold()
        if needle:
            marks = [
                b
                for b in marks
                if needle in b.exact.casefold()
                or needle in b.note.casefold()
                or needle in " ".join(b.tags)
                or needle in self._titles.get(b.article_id, "").casefold()
            ]
        if self.sort.currentData() == "date":
            marks.sort(key=lambda b: -b.created)
        else:
            marks.sort(key=lambda b: (self._titles.get(b.article_id, "~"), b.start))
        return marks

    def apply_theme(self, theme: Theme) -> None:
        """Colour the list in ``theme``: the bookmarks are listed again in it."""
        self.theme = theme
        self._refill(reload=True)

    def article_marks(self, article_id: str) -> list[Bookmark]:
        """The bookmarks of one article, as last read."""
        return [b for b in self._all if b.article_id == article_id]

    def refill(self, *_changed: object) -> None:
        self._refill(reload=False)

    def _refill(self, reload: bool) -> None:
        """List the bookmarks the filters let through, keeping the one being edited.

        On ``reload`` (the bookmarks were read again) the editor keeps what is
        typed in it; it shows the stored values only when they changed without
        it (an undo, another window) and nothing unsaved is in it.
        """
        if not reload:
            self.save_edits()  # what is typed is kept, even if the filters now hide it
        keep = self._editing
        self.list.blockSignals(True)
        self.list.clear()
        for b in self.visible():
            self._add_item(b)
        self.empty.setVisible(not self._all)
        kept = None
        for k in range(self.list.count()):
            item = self.list.item(k)
            if item.data(BOOKMARK_ROLE).id == keep:
                self.list.setCurrentItem(item)
                kept = item.data(BOOKMARK_ROLE)
                break
        self.list.blockSignals(False)
        if kept is None:
            self._load_editor(None)
            return
        if reload:
            stored = (kept.note, kept.color, kept.tags)
            if stored == self._saving_values:
                self._saving_values = None  # the last save has landed
            waiting = self._saving_values is not None  # the list was read before it
            if not waiting and stored != self._loaded and self._typed() == self._loaded:
                self._load_editor(kept)
            self._show_repair(kept)

    def _typed(self) -> tuple[str, str, tuple[str, ...]]:
        return (
            self.note_edit.toPlainText().strip(),
            str(self.color_edit.currentData()),
            normalise_tags(split_tags(self.tags_edit.text())),  # as the store keeps them
        )

    def _add_item(self, b: Bookmark) -> None:
        quote = b.exact if len(b.exact) <= 220 else b.exact[:219] + "…"
        title = html.escape(self._titles.get(b.article_id, b.article_id))
        when = time.strftime("%d %b %Y", time.localtime(b.created))
        t = self.theme
        state = f" · <span style='color:{t.danger}'>detached</span>" if b.detached else ""
        note = f"<div>{html.escape(b.note)}</div>" if b.note else ""
        tags = f" · {html.escape(', '.join(b.tags))}" if b.tags else ""
        add_rich_item(
            self.list,
            f"<div style='background-color:{t.marks[b.color]}'>“{html.escape(quote)}”</div>"
            f"{note}<div style='color:{t.ui_muted}; font-size:small'>"
            f"{title} · {when}{tags}{state}</div>",
            BOOKMARK_ROLE,
            b,
        )

    def items(self) -> list[Bookmark]:
        return [self.list.item(k).data(BOOKMARK_ROLE) for k in range(self.list.count())]

    def select(self, bookmark_id: str) -> None:
        for k in range(self.list.count()):
            if self.list.item(k).data(BOOKMARK_ROLE).id == bookmark_id:
                self.list.setCurrentRow(k)
                return

    # --- editing -------------------------------------------------------------

    def on_current_item_changed(self, item: QListWidgetItem | None, _prev: object) -> None:
        self.save_edits()
        self._load_editor(item.data(BOOKMARK_ROLE) if item is not None else None)

    def _load_editor(self, b: Bookmark | None) -> None:
        self._editing = None
        for w in (self.note_edit, self.tags_edit, self.color_edit):
            w.blockSignals(True)
        self.note_edit.setPlainText(b.note if b else "")
        self.tags_edit.setText(", ".join(b.tags) if b else "")
        self.color_edit.setCurrentIndex(COLORS.index(b.color) if b else 0)
        for w in (self.note_edit, self.tags_edit, self.color_edit):
            w.blockSignals(False)
        self._loaded = self._typed()  # what the bookmark holds, as the editor shows it
        self._saving_values = None
        self.editor.setEnabled(b is not None)
        self._show_repair(b)
        self._editing = b.id if b else None

    def _show_repair(self, b: Bookmark | None) -> None:
        self.repair.setVisible(b is not None and b.detached)
        if b is None or not b.detached:
            return
        self.suggestions.clear()
        for start, end, words in b.suggestions:
            shown = words if len(words) <= 90 else words[:89] + "…"
            self.suggestions.addItem(f"“{shown}”", (start, end))
        has = bool(b.suggestions)
        self.suggestions.setVisible(has)
        self.attach_here.setVisible(has)
        self.repair_label.setText(
            "<b>Detached.</b> The passage is no longer in the article as it was. "
            + (
                "Select where it is now and attach it."
                if not has
                else "It may be this:"
                if len(b.suggestions) == 1
                else "It may be one of these:"
            )
        )

    def on_suggestion_chosen(self, index: int) -> None:
        b = self._editing_bookmark()
        place = self.suggestions.itemData(index)
        if b is not None and place is not None:
            self.place_shown.emit(b.article_id, *place)

    def on_attach_here_clicked(self) -> None:
        b = self._editing_bookmark()
        place = self.suggestions.currentData()
        if b is not None and place is not None:
            self.attach_requested.emit(b, *place)

    def on_attach_selection_clicked(self) -> None:
        if (b := self._editing_bookmark()) is not None:
            self.attach_to_selection_requested.emit(b)

    def save_edits(self) -> None:
        self._save_timer.stop()
        if self._editing is None or self._saving:
            return
        current = self._editing_bookmark()
        if current is None:
            return
        typed = self._typed()
        if typed != self._loaded:
            # Edited from what the editor last showed or saved (the list may not
            # have the last save yet).
            note, color, tags = self._loaded
            before = replace(current, note=note, color=color, tags=tags)
            self._loaded = self._saving_values = typed
            self._saving = True
            try:
                self.bookmark_edited.emit(before, typed[0], typed[1], list(typed[2]))
            finally:
                self._saving = False

    def on_item_activated(self, item: QListWidgetItem) -> None:
        self.bookmark_activated.emit(item.data(BOOKMARK_ROLE))

    def _editing_bookmark(self) -> Bookmark | None:
        return next((b for b in self._all if b.id == self._editing), None)

    def on_delete_clicked(self) -> None:
        if (b := self._editing_bookmark()) is not None:
            self.delete_requested.emit(b)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        deleting = event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        if deleting and self.list.hasFocus() and (b := self._editing_bookmark()) is not None:
            self.delete_requested.emit(b)
            return
        super().keyPressEvent(event)
