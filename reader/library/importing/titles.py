"""Titles for articles whose text carries no headline."""

from __future__ import annotations

import re
from pathlib import Path

_HEXISH = re.compile(r"^[0-9a-f]{6,}$|^\d+$", re.IGNORECASE)
_CLAUSE = re.compile(r"(?<=[a-z0-9])[,;:—–]\s|\s[—–-]\s")
_MD_NOISE = re.compile(r"[\\*_`#>\[\]]")


def title_from_filename(path: Path) -> str | None:
    """'notes-on_rust.txt' -> 'Notes on Rust'; None for names that are not words."""
    stem = path.name
    for suffix in reversed(path.suffixes):
        stem = stem.removesuffix(suffix)
    tokens = [t for t in re.split(r"[\s_\-.]+", stem) if t]
    if not tokens or any(_HEXISH.match(t) for t in tokens):
        return None
    alpha = [t for t in tokens if t.isalpha()]
    if len(alpha) < 2:
        return None
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "to", "for", "with", "vs"}
    out = []
    for k, t in enumerate(tokens):
        if t.isupper() or any(c.isupper() for c in t[1:]):
            out.append(t)
        elif k and t.lower() in small:
            out.append(t.lower())
        else:
            out.append(t[:1].upper() + t[1:])
    return " ".join(out)


def derive_title(markdown: str, max_words: int = 9) -> str:
    """A headline-like title from the first sentence of the text.

    The first clause is taken when it is long enough to say something;
    otherwise the sentence is shortened at a word boundary with an ellipsis.
    """
    first = ""
    for line in markdown.splitlines():
        if line.startswith(("```", "~~~")):
            continue
        line = _MD_NOISE.sub("", line).replace("&amp;", "&").replace("&lt;", "<").strip()
        if line:
            first = line
            break
    if not first:
        return "Untitled"
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".!? ")
    clause = _CLAUSE.split(sentence, maxsplit=1)[0].strip()
    words = clause.split()
    if 3 <= len(words) <= max_words:
        text = clause
    else:
        words = sentence.split()
        text = " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")
    return (text[:1].upper() + text[1:]) or "Untitled"
