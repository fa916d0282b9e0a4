"""What a worker process makes of one file: its Markdown, and the shown text rendered from it.

Both jobs take and return plain values, so they can run in another process
(see :mod:`reader.library.workers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reader.library.articles import count_words, readable, text_hash
from reader.library.importing import convert_bytes
from reader.library.importing.html import PageMetadata
from reader.rendering import render


@dataclass(frozen=True)
class Shown:
    """An article's shown text, made once at conversion."""

    text: str
    text_hash: str
    words: int
    renderer: str
    headings: str  # the section headings below the title, a line each, for the search index


@dataclass(frozen=True)
class Made:
    """What converting (or only rendering again) one file made."""

    title: str
    markdown: str
    shown: Shown
    page: PageMetadata


def shown_text(markdown: str, renderer: str) -> Shown:
    made = render(markdown)
    headings = "\n".join(e.title for e in made.outline if e.level > 1)
    return Shown(made.text, text_hash(made.text), count_words(made.text), renderer, headings)


def convert_job(data: bytes, path: str, metadata: dict[str, str], renderer: str) -> Made:
    """Convert a file's bytes and render the result.

    A title taken from a file name that is not UTF-8 is made readable, as the
    name is shown (see :func:`readable`).
    """
    converted = convert_bytes(data, Path(path), metadata)
    title, markdown = readable(converted.title), readable(converted.markdown)
    return Made(title, markdown, shown_text(markdown, renderer), converted.metadata)


def render_job(markdown: str, title: str, page: PageMetadata, renderer: str) -> Made:
    """Render already converted Markdown again (the renderer changed)."""
    return Made(title, markdown, shown_text(markdown, renderer), page)
