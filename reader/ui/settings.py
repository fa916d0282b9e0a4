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
        return self._text("reading/theme", "light")

    @theme.setter
    def theme(self, name: str) -> None:
        self._qs.setValue("reading/theme", name)

    @property
    def font_px(self) -> int | None:
        value = self._qs.value("reading/font_px")
        try:
            return int(str(value)) if value is not None else None
        except ValueError:
            return None

    @font_px.setter
    def font_px(self, px: int) -> None:
        self._qs.setValue("reading/font_px", px)

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
