"""Article values: what the catalog knows of an article, and the article itself."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from reader.rendering import Rendered, render

Origin = Literal["bundled", "user"]
WORDS_PER_MINUTE = 230
_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")


def content_hash(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0


def slugify(title: str, max_len: int = 32) -> str:
    """'Backend Developer: The Unseen Architect' -> 'backend-developer'.

    A headline's main clause (before a colon) makes a short id that still reads.
    """
    head = re.split(r"[:|—–]\s", title, maxsplit=1)[0]
    if len(head.split()) >= 2:
        title = head
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug or "article"


@dataclass(frozen=True)
class ArticleInfo:
    """One catalog row."""

    id: str
    title: str
    source: str  # absolute path of the file the article was read from
    origin: Origin
    content_hash: str
    words: int
    mtime_ns: int
    size: int
    added_at: float

    @property
    def minutes(self) -> int:
        return reading_minutes(self.words)


@dataclass(frozen=True)
class Article:
    info: ArticleInfo
    markdown: str

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title

    @cached_property
    def rendered(self) -> Rendered:
        return render(self.markdown)

    @property
    def text(self) -> str:
        """The plain text the reading view shows: the app's one coordinate system."""
        return self.rendered.text

    @property
    def html(self) -> str:
        return self.rendered.html
