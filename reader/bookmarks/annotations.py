"""Bookmarks out and in: Markdown, and JSON-LD in the W3C Web Annotation model.

The JSON-LD export is an ``AnnotationCollection`` whose one page holds every
bookmark as an ``Annotation``: the note and tags are ``TextualBody`` bodies,
the target is a ``SpecificResource`` (the article, the colour as its
``styleClass``, a quote and a position selector). A backup adds, under the
``reader:`` prefix, what the model has no word for: whether the bookmark is
detached (with the places suggested for it), the hash of the text it was
anchored in and of the text it was last looked for in. A backup also keeps
what the user set on whole articles: each article's tags as a ``tagging``
annotation whose target is the article, with the user's title and whether
they removed it under ``reader:``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from reader.bookmarks.model import (
    COLORS,
    Bookmark,
    UserArticle,
    normalise_tags,
    normalise_title,
    read_suggestions,
)
from reader.errors import BookmarkError

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
READER_TERMS = {"reader": "urn:x-reader:terms:"}
# What a malformed annotation raises on the way through (a string where a
# list was, a list where an object was…): it is skipped, or the file refused.
_UNREADABLE = (BookmarkError, TypeError, ValueError, AttributeError, KeyError, IndexError)
SOURCE_PREFIX = "urn:x-reader:article:"
ID_PREFIX = "urn:uuid:"
ARTICLE_ID_PREFIX = "urn:x-reader:article-settings:"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ts(text: Any, default: float) -> float:
    if not isinstance(text, str):
        return default
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return default


def to_annotation(b: Bookmark, article_title: str | None = None) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if b.note:
        body.append(
            {
                "type": "TextualBody",
                "value": b.note,
                "format": "text/plain",
                "purpose": "commenting",
            }
        )
    body.extend({"type": "TextualBody", "value": t, "purpose": "tagging"} for t in b.tags)
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": SOURCE_PREFIX + b.article_id,
        "styleClass": f"color-{b.color}",
        "selector": [
            {"type": "TextQuoteSelector", "exact": b.exact, "prefix": b.prefix, "suffix": b.suffix},
            {"type": "TextPositionSelector", "start": b.start, "end": b.end},
        ],
    }
    if article_title:
        target["label"] = article_title  # rdfs:label: the article it is in, for people
    return {
        "@context": CONTEXT,
        "id": ID_PREFIX + b.id,
        "type": "Annotation",
        "motivation": "highlighting" if not b.note else "commenting",
        "created": _iso(b.created),
        "modified": _iso(b.updated),
        "body": body,
        "target": target,
    }


def _collection(
    items: list[dict[str, Any]],
    context: Any,
    indent: int | None = 2,
    extra: dict[str, Any] | None = None,
) -> str:
    for item in items:
        del item["@context"]  # said once, by the collection
    collection = {
        "@context": context,
        "type": "AnnotationCollection",
        "label": "Bookmarks",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
        **(extra or {}),
    }
    return json.dumps(collection, ensure_ascii=False, indent=indent) + "\n"


def export_json(bookmarks: Iterable[Bookmark], titles: dict[str, str]) -> str:
    """A W3C ``AnnotationCollection`` of every bookmark (JSON-LD)."""
    return _collection([to_annotation(b, titles.get(b.article_id)) for b in bookmarks], CONTEXT)


def article_annotation(u: UserArticle) -> dict[str, Any]:
    """What the user set on an article, as an annotation of the whole article."""
    item: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{ARTICLE_ID_PREFIX}{u.article_id}",
        "type": "Annotation",
        "motivation": "tagging" if u.tags else "editing",
        "modified": _iso(u.updated),
        "body": [{"type": "TextualBody", "value": t, "purpose": "tagging"} for t in u.tags],
        "target": SOURCE_PREFIX + u.article_id,
        "reader:times": [u.updated],
    }
    if u.title:
        item["reader:title"] = u.title
    if u.removed:
        item["reader:removed"] = u.removed
        item["reader:trash"] = u.trash
    return item


def _is_article_item(item: dict[str, Any]) -> bool:
    """An annotation of a whole article (its target is the article itself, no passage)."""
    target = item.get("target")
    return isinstance(target, str) and target.startswith(SOURCE_PREFIX)


def _user_article(item: dict[str, Any]) -> UserArticle:
    bodies = item.get("body") or []
    if isinstance(bodies, dict):
        bodies = [bodies]
    tags = [str(b.get("value", "")) for b in bodies if isinstance(b, dict)]
    times = item.get("reader:times")
    updated = float(times[0]) if isinstance(times, list) and times else _ts(item.get("modified"), 0)
    return UserArticle(
        article_id=str(item["target"]).removeprefix(SOURCE_PREFIX),
        title=normalise_title(str(item.get("reader:title") or "")),
        tags=normalise_tags(tags),
        removed=float(item.get("reader:removed") or 0),
        trash=str(item.get("reader:trash") or ""),
        updated=updated,
    )


def backup_json(
    bookmarks: Iterable[Bookmark], articles: Iterable[UserArticle] = (), folders: Iterable[str] = ()
) -> str:
    """An export that gives back every bookmark exactly, state and text hash included,
    what the user set on articles, and the folders they watch."""
    items = []
    for b in bookmarks:
        item = to_annotation(b)
        item["reader:state"] = b.state
        item["reader:textHash"] = b.text_hash
        item["reader:seenHash"] = b.seen_hash
        if b.suggestions:
            item["reader:suggestions"] = [list(span) for span in b.suggestions]
        item["reader:times"] = [b.created, b.updated]  # to the microsecond
        items.append(item)
    items += [article_annotation(u) for u in articles]
    # Compact: written after every change, and the C encoder runs only without indent.
    # A folder name that is not UTF-8 is kept as its bytes, %-escaped.
    watched = [quote(os.fsencode(f), safe="/") for f in folders]
    return _collection(items, [CONTEXT, READER_TERMS], indent=None,
                       extra={"reader:watched": watched})  # fmt: skip


def parse_backup(text: str) -> tuple[list[Bookmark], list[UserArticle], list[str]]:
    """The bookmarks, article settings and watched folders of a :func:`backup_json`
    file; raises BookmarkError if any is unreadable."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BookmarkError(f"not JSON: {exc}") from None
    out = []
    articles = []
    for item in _items(data):
        try:
            if _is_article_item(item):
                articles.append(_user_article(item))
                continue
            b = from_annotation(item)
            state = item.get("reader:state")
            times = item.get("reader:times")
            if isinstance(times, list) and len(times) == 2:
                b = replace(b, created=float(times[0]), updated=float(times[1]))
            b = replace(
                b,
                state=state if state in ("anchored", "detached") else "anchored",
                text_hash=str(item.get("reader:textHash", "")),
                seen_hash=str(item.get("reader:seenHash", "")),
                suggestions=read_suggestions(item.get("reader:suggestions")),
            )
        except _UNREADABLE as exc:
            raise BookmarkError(f"an annotation is unreadable: {exc}") from None
        out.append(b)
    watched = data.get("reader:watched") if isinstance(data, dict) else None
    watched = watched if isinstance(watched, list) else None
    folders = [os.fsdecode(unquote_to_bytes(str(f))) for f in watched or () if f]
    return out, articles, folders


def export_markdown(bookmarks: Iterable[Bookmark], titles: dict[str, str]) -> str:
    """Grouped by article: each passage as a quote, its note under it, where it came from,
    and the command that opens the window at it."""
    groups: dict[str, list[Bookmark]] = {}
    for b in bookmarks:
        groups.setdefault(b.article_id, []).append(b)
    out = ["# Bookmarks", ""]
    for article_id, items in groups.items():
        out += [f"## {titles.get(article_id, article_id)}", "", f"`reader open {article_id}`", ""]
        for b in sorted(items, key=lambda x: x.start):
            out += ["> " + line if line else ">" for line in b.exact.splitlines()]
            out.append("")
            if b.note:
                out += [b.note, ""]
            where = f"*{article_id}, characters {b.start}–{b.end}"
            where += f", {b.color}" + (f", tags: {', '.join(b.tags)}" if b.tags else "")
            where += f", saved {_iso(b.created)[:10]}"
            where += " — detached: the passage is no longer in the article*" if b.detached else "*"
            out += [f"{where} · `reader open {article_id}#{b.id}`", ""]
    return "\n".join(out).rstrip() + "\n"


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if isinstance(data, dict):
        if data.get("type") == "Annotation":
            return [data]
        for key in ("items", "first"):
            if key in data:
                return _items(data[key])
    raise BookmarkError("not a W3C Web Annotation document (no annotations found)")


def from_annotation(a: dict[str, Any], now: float | None = None) -> Bookmark:
    now = now or time.time()
    raw_id = str(a.get("id") or "")
    if not raw_id:
        raise BookmarkError("an annotation has no id")
    target = a.get("target")
    if isinstance(target, list):
        target = target[0] if target else None
    if not isinstance(target, dict) or not str(target.get("source", "")).startswith(SOURCE_PREFIX):
        raise BookmarkError(f"annotation {raw_id}: its target is not a reader article")
    selectors = target.get("selector") or []
    if isinstance(selectors, dict):
        selectors = [selectors]
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
    position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), None)
    if quote is None or not quote.get("exact"):
        raise BookmarkError(f"annotation {raw_id}: no TextQuoteSelector")
    bodies = a.get("body") or []
    if isinstance(bodies, dict):
        bodies = [bodies]
    note = "\n".join(
        str(b.get("value", ""))
        for b in bodies
        if isinstance(b, dict) and b.get("purpose", "commenting") != "tagging"
    )
    tags = [
        str(b.get("value", ""))
        for b in bodies
        if isinstance(b, dict) and b.get("purpose") == "tagging"
    ]
    # The colour is the target's styleClass; exports before the collection format
    # put it on the annotation, spelt "stylesClass".
    style = target.get("styleClass") or a.get("styleClass") or a.get("stylesClass") or ""
    color = str(style).removeprefix("color-")
    start = int(position.get("start", 0)) if position else 0
    end = int(position.get("end", start + len(quote["exact"]))) if position else len(quote["exact"])
    created = _ts(a.get("created"), now)
    return Bookmark(
        id=raw_id.removeprefix(ID_PREFIX),
        article_id=str(target["source"]).removeprefix(SOURCE_PREFIX),
        created=created,
        updated=_ts(a.get("modified"), created),
        note=note.strip(),
        color=color if color in COLORS else "yellow",
        tags=normalise_tags(tags),
        exact=str(quote["exact"]),
        prefix=str(quote.get("prefix", "")),
        suffix=str(quote.get("suffix", "")),
        start=start,
        end=end,
        text_hash="",  # unknown: re-anchored against the article as it is now
        state="anchored",
    )


def parse_annotations(text: str) -> tuple[list[Bookmark], list[str]]:
    """Bookmarks read from a JSON-LD export, and one line per annotation skipped."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BookmarkError(f"not JSON: {exc}") from None
    out, problems = [], []
    for item in _items(data):
        if _is_article_item(item):
            continue  # an article's tags and title, from a backup: not a bookmark
        try:
            out.append(from_annotation(item))
        except _UNREADABLE as exc:
            problems.append(str(exc))
    return out, problems
