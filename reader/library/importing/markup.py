"""Small Markdown helpers shared by the importers."""

from __future__ import annotations

import re

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape_inline(text: str) -> str:
    """Escape the characters Markdown reads inside a line (emphasis, code, links, HTML)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def escape_line_start(text: str) -> str:
    """Escape what would start a block at the head of a line ("# ", "> ", "- ", "1999.")."""
    m = _LINE_START.match(text)
    if m:
        lead, token = m.group(1), m.group(2)
        # "1999." stays a year, "#" stays a hash: escape what would start a block
        token = token[:-1] + "\\" + token[-1] if token[0].isdigit() else "\\" + token
        text = lead + token + text[m.end() :]
    return text


def escape_markdown(text: str) -> str:
    """Escape ``text`` so Python-Markdown shows it exactly as written."""
    return escape_line_start(escape_inline(text))
