"""The window's remembered state, typed: one place names every key of state.ini."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 12


class WindowSettings:
    """Window size and layout, reading preferences, last article, recent searches."""

    def __init__(self, path: Path) -> None:
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def _text(self, key: str, default: str = "") -> str:
        value = self._qs.value(key, default)
        return value if isinstance(value, str) else default

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) else None

    @property
    def theme(self) -> str:
        return self._text("reading/theme", "system")

    @theme.setter
    def theme(self, name: str) -> None:
        self._qs.setValue("reading/theme", name)

    @property
    def font_px(self) -> int | None:
        return self._int("reading/font_px")

    @font_px.setter
    def font_px(self, px: int) -> None:
        self._qs.setValue("reading/font_px", px)

    def _int(self, key: str) -> int | None:
        value = self._qs.value(key)
        try:
            return int(str(value)) if value is not None else None
        except ValueError:
            return None

    @property
    def font_family(self) -> str:
        """The reading font's family; "" for the bundled serif."""
        return self._text("reading/font_family")

    @font_family.setter
    def font_family(self, family: str) -> None:
        self._qs.setValue("reading/font_family", family)

    @property
    def column_chars(self) -> int | None:
        """The reading column's width in characters."""
        return self._int("reading/column_chars")

    @column_chars.setter
    def column_chars(self, chars: int) -> None:
        self._qs.setValue("reading/column_chars", chars)

    @property
    def library_sort(self) -> tuple[int, bool] | None:
        """The library list's sort column and whether it is descending."""
        column = self._int("library/sort_column")
        if column is None:
            return None
        return column, self._text("library/sort_order") == "descending"

    def set_library_sort(self, column: int, descending: bool) -> None:
        self._qs.setValue("library/sort_column", column)
        self._qs.setValue("library/sort_order", "descending" if descending else "ascending")

    @property
    def library_columns(self) -> list[str] | None:
        """The library list's columns the user chose to show, by name; None: not chosen."""
        if not self._qs.contains("library/columns"):
            return None
        return [c for c in self._text("library/columns").split(",") if c]

    @library_columns.setter
    def library_columns(self, names: list[str]) -> None:
        self._qs.setValue("library/columns", ",".join(names))

    @property
    def ask_before_links(self) -> bool:
        """Ask before a clicked link opens the browser; otherwise the link is copied."""
        return self._text("links/external", "ask") != "copy"

    @ask_before_links.setter
    def ask_before_links(self, ask: bool) -> None:
        self._qs.setValue("links/external", "ask" if ask else "copy")

    @property
    def last_article(self) -> str:
        return self._text("reading/last_article")

    @last_article.setter
    def last_article(self, article_id: str) -> None:
        self._qs.setValue("reading/last_article", article_id)

    @property
    def recent_searches(self) -> list[str]:
        value = self._qs.value("search/recent", [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def clear_recent_searches(self) -> None:
        self._qs.setValue("search/recent", [])

    def remember_search(self, text: str) -> None:
        if text:
            items = [text] + [r for r in self.recent_searches if r != text]
            self._qs.setValue("search/recent", items[:MAX_RECENT])

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @property
    def splitter(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    def save_layout(self, geometry: QByteArray, state: QByteArray, splitter: QByteArray) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)
        self._qs.setValue("window/splitter", splitter)
        self._qs.sync()
