"""What a worker process makes of one file: its Markdown, and the shown text rendered from it.

Both jobs take and return plain values, so they can run in another process
(see :mod:`reader.library.workers`). A conversion reads the file itself, so
the bytes of only the files being converted are in memory at a time.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reader.errors import ImportFailed
from reader.library.articles import (
    content_hash,
    count_words,
    readable,
    store_outline,
    text_hash,
)
from reader.library.importing import (
    MAX_BYTES,
    convert_bytes,
    has_metadata,
    metadata_path,
    parse_metadata,
)
from reader.library.importing.html import HTML_SUFFIXES, PageMetadata, page_images
from reader.rendering import render


@dataclass(frozen=True)
class Shown:
    """An article's shown text, made once at conversion."""

    text: str
    text_hash: str
    words: int
    renderer: str
    headings: str  # the section headings below the title, a line each, for the search index
    html: str = ""  # the HTML the reading view shows, made with the text
    outline: str = ""  # its headings, as stored (see reader.library.articles.store_outline)


@dataclass(frozen=True)
class Made:
    """What converting (or only rendering again) one file made."""

    title: str
    markdown: str
    shown: Shown
    page: PageMetadata
    content_hash: str = ""  # of the bytes converted (and their metadata file's)
    images: tuple[PurePosixPath, ...] = ()  # a saved page's own images, by their paths


def shown_text(markdown: str, renderer: str) -> Shown:
    made = render(markdown)
    headings = "\n".join(e.title for e in made.outline if e.level > 1)
    return Shown(
        made.text, text_hash(made.text), count_words(made.text), renderer, headings,
        made.html, store_outline(made.outline),
    )  # fmt: skip


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def convert_job(path: str, renderer: str) -> Made:
    """Read a file (and its metadata file), convert it and render the result.

    A title taken from a file name that is not UTF-8 is made readable, as the
    name is shown (see :func:`readable`); control characters in a title (which
    could drive the terminal it is printed on) become spaces.
    """
    source = Path(path)
    data, meta = read_file(source)
    converted = convert_bytes(data, source, parse_metadata(meta))
    title = " ".join(_CONTROL.sub(" ", readable(converted.title)).split()) or "Untitled"
    markdown = readable(converted.markdown)
    images = page_images(data, source) if source.suffix.lower() in HTML_SUFFIXES else []
    return Made(
        title,
        markdown,
        shown_text(markdown, renderer),
        converted.metadata,
        content_hash(data, meta),
        tuple(images),
    )


def render_job(markdown: str, title: str, page: PageMetadata, renderer: str) -> Made:
    """Render already converted Markdown again (the renderer changed)."""
    return Made(title, markdown, shown_text(markdown, renderer), page)


def read_file(path: Path) -> tuple[bytes, bytes]:
    """A file's bytes and its metadata file's ("" when it has none)."""
    data = read_source(path)
    return data, read_source(metadata_path(path)) if has_metadata(path) else b""


def read_source(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A file's bytes; a FIFO, device or socket, or a file over ``limit``, is refused.

    The file is opened without blocking and checked on the open file, so a
    FIFO put in its place after it was looked at cannot hang the import.
    """
    name = readable(path.name)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fh.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise ImportFailed(f"{name}: {file_kind(mode)}, not a file; only files are imported")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ImportFailed(f"{name}: larger than {limit // (1024 * 1024)} MB")
    return data


def file_kind(mode: int) -> str:
    """What a path that is no regular file is, in a few words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"
