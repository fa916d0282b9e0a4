"""Article values: what the catalog knows of an article, and the article itself."""

from __future__ import annotations

import hashlib
import json
import math
import re
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from slugify import slugify as transliterated_slug

from reader.rendering import OutlineEntry, Rendered, render

Origin = Literal["bundled", "user"]
WORDS_PER_MINUTE = 230
_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")


def content_hash(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def text_hash(text: str) -> str:
    """The hash of an article's shown text: bookmarks remember the text they were made on."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


_ESCAPED = re.compile("[\ud800-\udfff]")


def readable(text: str) -> str:
    """A file name (or a message naming one) as a person reads it.

    Python keeps a name whose bytes are not UTF-8 with each such byte as a lone
    surrogate, which cannot be stored or printed. Each is read as Windows-1252
    (the commonest such names are Latin-1: ``caf\\xe9.txt`` is "café.txt").
    """
    if not _ESCAPED.search(text):
        return text

    def byte(m: re.Match[str]) -> str:
        code = ord(m.group())
        if 0xDC80 <= code <= 0xDCFF:
            return bytes([code - 0xDC00]).decode("cp1252", errors="replace")
        return "\ufffd"

    return _ESCAPED.sub(byte, text)


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0


def slugify(title: str, max_len: int = 32) -> str:
    """'Backend Developer: The Unseen Architect' -> 'backend-developer'.

    A headline's main clause (before a colon) makes a short id that still reads.
    """
    head = re.split(r"[:|—–]\s", title, maxsplit=1)[0]
    if len(head.split()) >= 2:
        title = head
    # Any script, transliterated: "Москва" -> "moskva", "東京" -> "dong-jing".
    slug = transliterated_slug(title, max_length=max_len, word_boundary=True, save_order=True)
    return slug or "article"


@dataclass(frozen=True)
class ArticleInfo:
    """One catalog row."""

    id: str
    title: str
    source: str  # absolute path of the file the article was read from
    origin: Origin
    content_hash: str  # of the source file's bytes (and its metadata file)
    text_hash: str  # of the shown text
    words: int
    mtime_ns: int
    size: int
    added_at: float
    # What a saved page says about itself; "" for other articles.
    author: str = ""
    published: str = ""
    site: str = ""
    url: str = ""
    progress: float = 0.0  # how far the user has read, 0..1
    # Why the file could not be converted ("" when it was): an article never
    # converted has no text; one whose file no longer converts keeps its last.
    problem: str = ""
    tags: tuple[str, ...] = ()  # the user's
    own_title: bool = False  # the title is one the user gave it

    @property
    def minutes(self) -> int:
        return reading_minutes(self.words)


def pack_html(html: str) -> bytes:
    """HTML as the catalog keeps it: compressed (a fifth of its size, read in a millisecond)."""
    return zlib.compress(html.encode("utf-8", "surrogatepass"), 1) if html else b""


def unpack_html(stored: bytes) -> str:
    """Kept HTML; "" when there is none or it is unreadable (it is made again)."""
    if not stored:
        return ""
    try:
        return zlib.decompress(stored).decode("utf-8", "surrogatepass")
    except (zlib.error, UnicodeDecodeError):
        return ""


def store_outline(outline: tuple[OutlineEntry, ...]) -> str:
    """An outline as the catalog keeps it: JSON, an entry a list."""
    return json.dumps([[e.level, e.title, e.anchor, e.offset] for e in outline])


def load_outline(stored: str) -> tuple[OutlineEntry, ...] | None:
    """An outline the catalog kept; None if it is not readable."""
    try:
        return tuple(
            OutlineEntry(int(a), str(b), str(c), int(d)) for a, b, c, d in json.loads(stored)
        )
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class Article:
    """An article as the catalog keeps it: its Markdown and the shown text made from it.

    ``text`` is stored at conversion, and so are the HTML and the outline made
    with it (``stored_html`` and ``stored_outline``; "" for a row from before
    they were kept, whose are made from the Markdown when first asked for).
    """

    info: ArticleInfo
    markdown: str
    text: str  # the plain text the reading view shows: the app's one coordinate system
    stored_html: bytes = b""  # packed, as the catalog keeps it
    stored_outline: str = ""

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title

    @cached_property
    def rendered(self) -> Rendered:
        html = unpack_html(self.stored_html)
        outline = load_outline(self.stored_outline)
        if html and outline is not None:
            return Rendered(html, self.text, outline)
        return render(self.markdown)

    @property
    def html(self) -> str:
        return self.rendered.html
