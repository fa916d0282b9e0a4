"""Small Markdown helpers shared by the importers."""

from __future__ import annotations

import re

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape_markdown(text: str) -> str:
    """Escape ``text`` so Python-Markdown shows it exactly as written."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    m = _LINE_START.match(text)
    if m:
        lead, token = m.group(1), m.group(2)
        # "1999." stays a year, "#" stays a hash: escape what would start a block
        token = token[:-1] + "\\" + token[-1] if token[0].isdigit() else "\\" + token
        text = lead + token + text[m.end() :]
    return text
