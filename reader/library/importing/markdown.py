"""Markdown files: kept as written; the headline is the first level-1 heading."""

from __future__ import annotations

import re

from reader.library.importing.markup import escape_markdown

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(---|\.\.\.)\n", re.DOTALL)
_ATX_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_SETEXT_H1 = re.compile(r"^(\S[^\n]*)\n=+\s*$", re.MULTILINE)


def _clean_heading(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def convert(text: str) -> tuple[str | None, str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    title = None
    m = _FRONT_MATTER.match(text)
    if m:
        text = text[m.end() :]
        t = re.search(r"^title:\s*(.+?)\s*$", m.group(1), re.MULTILINE)
        if t:
            title = t.group(1).strip("'\"")
            text = with_title(text, title)
    if title is None:
        h1 = _ATX_H1.search(text) or _SETEXT_H1.search(text)
        if h1:
            title = _clean_heading(h1.group(1))
    return title, text.strip() + "\n"


def with_title(markdown: str, title: str) -> str:
    """Put ``title`` on top as a level-1 heading."""
    return f"# {escape_markdown(title)}\n\n{markdown.lstrip()}"
