"""What a bookmark is: the value the store keeps and every layer passes around."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from reader.bookmarks.anchoring import Selector
from reader.errors import BookmarkError

COLORS = ("yellow", "green", "blue", "pink", "purple")
COLOR_HEX = {
    "yellow": "#fff0a8",
    "green": "#c9f0c1",
    "blue": "#cde3ff",
    "pink": "#ffd3e2",
    "purple": "#e6d7ff",
}
State = Literal["anchored", "detached"]


@dataclass(frozen=True)
class Bookmark:
    id: str
    article_id: str
    created: float
    updated: float
    note: str
    color: str
    tags: tuple[str, ...]
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    text_hash: str  # of the shown text the selectors were made on
    state: State = "anchored"
    # Where a detached bookmark's passage may be now: (start, end, the words there)
    # in the article's text.
    suggestions: tuple[tuple[int, int, str], ...] = ()
    seen_hash: str = ""  # of the text it was last looked for in

    @property
    def selector(self) -> Selector:
        return Selector(self.exact, self.prefix, self.suffix, self.start, self.end)

    @property
    def detached(self) -> bool:
        return self.state == "detached"


@dataclass(frozen=True)
class UserArticle:
    """What the user set on an article: their title, their tags, and whether they
    removed it. The library makes everything else again from the files; this it
    cannot, so it is kept with the bookmarks (and backed up with them)."""

    article_id: str
    title: str = ""  # "": the title the article's file gives
    tags: tuple[str, ...] = ()
    removed: float = 0.0  # when the user removed it; 0: it is in the library
    # Where a removed article's files were put, relative to the data folder
    # ("": none were moved, as for a bundled article).
    trash: str = ""
    updated: float = 0.0

    @property
    def empty(self) -> bool:
        """Nothing set: the article is as its file makes it."""
        return not (self.title or self.tags or self.removed)


def user_article_from_row(r: sqlite3.Row) -> UserArticle:
    fields = dict(zip(r.keys(), r, strict=True))
    return UserArticle(**{**fields, "tags": tuple(json.loads(fields["tags"]))})


def shown_titles(titles: dict[str, str], users: dict[str, UserArticle]) -> dict[str, str]:
    """The articles' titles as shown: the user's where they gave one."""
    return {a: users[a].title if a in users and users[a].title else t for a, t in titles.items()}


def removed_ids(users: dict[str, UserArticle]) -> set[str]:
    """Articles the user removed, hidden or waiting in the trash."""
    return {a for a, u in users.items() if u.removed}


def hidden(users: dict[str, UserArticle]) -> set[str]:
    """Articles the user removed whose files stay where they are (bundled ones)."""
    return {a for a, u in users.items() if u.removed and not u.trash}


def normalise_title(title: str) -> str:
    """A title as the user typed it, on one line."""
    return " ".join(title.split())


def from_row(r: sqlite3.Row) -> Bookmark:
    """A stored row; its columns are the Bookmark's fields, tags kept as JSON."""
    fields = dict(zip(r.keys(), r, strict=True))
    spans = read_suggestions(json.loads(fields["suggestions"] or "[]"))
    return Bookmark(**{**fields, "tags": tuple(json.loads(fields["tags"])), "suggestions": spans})


def read_suggestions(data: object) -> tuple[tuple[int, int, str], ...]:
    """Suggested places as stored: ``[start, end, words]`` each. They can always be found
    again, so anything else in the list is left out rather than refused."""
    spans = []
    for item in data if isinstance(data, list) else ():
        if isinstance(item, list) and len(item) in (2, 3):
            start, end, *words = item
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
                spans.append((start, end, str(words[0]) if words else ""))
    return tuple(spans)


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for tag in tags:
        t = " ".join(tag.strip().lower().split())
        if t and t not in out:
            out.append(t)
    return tuple(out)


def check_color(color: str) -> str:
    if color not in COLORS:
        raise BookmarkError(f"unknown colour {color!r}; choose one of {', '.join(COLORS)}")
    return color
