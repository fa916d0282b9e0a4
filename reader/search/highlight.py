"""From whoosh results to hits: the matched words marked, and snippets around them.

The matched words' character spans are read from the postings (the body and
the note keep offsets), phrases are marked only where their words follow one
another, and each hit gets up to two windows of its shown text holding the
most distinct matched words. A window keeps the text's blocks apart (" · "
where it crosses a line break); a hit found by its tags alone names them.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh import query

from reader.search.query import positive_leaves
from reader.search.results import ARTICLE, BOOKMARK, Hit, Snippet
from reader.search.texts import Texts

SNIPPET_CHARS = 180
MAX_SNIPPETS = 2
MIN_CONTEXT_WORDS = 3  # fewer words than this beside a match in its block: the window goes on
BLOCK_BREAK = " · "  # shown where a snippet crosses from one block of the text to the next

_BREAK = re.compile(r"[^\S\n]*\n\s*")
_WORD = re.compile(r"\w+")
_WHITESPACE = re.compile(r"\s+")


def make_hits(results: Any, q: Any, reader: Any, texts: Texts) -> list[Hit]:
    """A :class:`Hit` for each scored result of ``q``, with its snippets and match offsets."""
    if not results.scored_length():
        return []
    terms, phrases = highlight_terms(q, reader)
    tags_asked, tags_found = tag_terms(q, reader)
    matches = match_spans(reader, [r.docnum for r in results], terms, phrases)
    stored = [r.fields() for r in results]
    shown = texts.texts([f["doc_id"] for f in stored])
    hits = []
    for r, fields in zip(results, stored, strict=True):
        body, note = shown.get(fields["doc_id"], ("", ""))
        base = int(fields.get("base") or 0)
        body_m = merge_spans(matches.get((r.docnum, "body"), []))
        note_m = merge_spans(matches.get((r.docnum, "note"), []))
        snippets = make_snippets(body, body_m, base)
        if fields.get("kind") == BOOKMARK and note_m:
            snippets = snippets[:1] + make_snippets(note, note_m, -1)[:1]
        tags = [t for t in str(fields.get("tags") or "").split(",") if t]
        if not snippets and tags_asked and tags:
            snippets = [tag_snippet(tags, tags_found, base)]
        if not snippets:
            snippets = opening_snippet(body, base)
        hits.append(
            Hit(
                doc_id=fields["doc_id"],
                kind=fields.get("kind", ARTICLE),
                article_id=fields.get("article_id", ""),
                title=fields.get("title", ""),
                score=float(r.score or 0.0),
                snippets=tuple(snippets),
                offsets=tuple((base + s, base + e) for s, e in body_m),
                note=note,
            )
        )
    return hits


def highlight_terms(
    q: Any, reader: Any
) -> tuple[set[tuple[str, bytes]], list[tuple[str, list[bytes]]]]:
    """Terms whose every occurrence is marked, and phrases marked only as phrases."""
    terms: set[tuple[str, bytes]] = set()
    phrases: list[tuple[str, list[bytes]]] = []
    for leaf in positive_leaves(q):
        if isinstance(leaf, query.Phrase) and leaf.slop > 1:
            # words near one another, not in a row: each is marked where it is
            if leaf.fieldname in ("body", "note", "title"):
                to_bytes = reader.schema["body"].to_bytes
                terms.update(
                    ("body" if leaf.fieldname == "title" else leaf.fieldname, to_bytes(w))
                    for w in leaf.words
                )
            continue
        if isinstance(leaf, query.Phrase):
            field_ = leaf.fieldname
            if field_ in ("body", "note"):
                words = [reader.schema[field_].to_bytes(w) for w in leaf.words]
                phrases.append((field_, words))
            elif field_ == "title":
                words = [reader.schema["body"].to_bytes(w) for w in leaf.words]
                phrases.append(("body", words))
            continue
        try:
            found = leaf.existing_terms(reader, expand=True)
        except Exception:
            continue
        for fieldname, text in found:
            if fieldname in ("body", "note"):
                terms.add((fieldname, text))
            elif fieldname == "title":
                terms.add(("body", text))  # the title is the first line of the shown text
    return terms, phrases


def tag_terms(q: Any, reader: Any) -> tuple[bool, set[str]]:
    """Whether ``q`` looks for tags, and the tags it finds (lower-cased)."""
    asked = False
    found: set[str] = set()
    for leaf in positive_leaves(q):
        if getattr(leaf, "fieldname", None) != "tags":
            continue
        asked = True
        try:
            terms = leaf.existing_terms(reader, expand=True)
        except Exception:
            continue
        for fieldname, text in terms:
            if fieldname == "tags":
                found.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    return asked, found


def tag_snippet(tags: list[str], found: set[str], base: int) -> Snippet:
    """The snippet of a hit found by its tags only: "tag: name, name".

    It names the tags the query found, or all of them when which is unknown;
    it starts where the tagged passage does, so opening the hit shows the passage.
    """
    named = [t for t in tags if t.lower() in found] or tags
    return Snippet("tag: " + ", ".join(named), (), base)


def match_spans(
    reader: Any,
    docnums: list[int],
    terms: set[tuple[str, bytes]],
    phrases: list[tuple[str, list[bytes]]],
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """Character spans of the matched terms in each hit, read from the postings."""
    order = sorted(docnums)
    spans: dict[tuple[int, str], set[tuple[int, int]]] = {}

    def postings(fieldname: str, text: bytes) -> dict[int, list[tuple[int, int, int]]]:
        out: dict[int, list[tuple[int, int, int]]] = {}
        try:
            m = reader.postings(fieldname, text)
        except Exception:
            return out
        for d in order:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                out[d] = [(p, s, e) for p, s, e in m.value_as("characters")]
        return out

    for fieldname, text in terms:
        for d, chars in postings(fieldname, text).items():
            spans.setdefault((d, fieldname), set()).update((s, e) for _, s, e in chars)
    for fieldname, words in phrases:
        per_word = [postings(fieldname, w) for w in words]
        if not per_word:
            continue
        for d in per_word[0]:
            if not all(d in pw for pw in per_word):
                continue
            positions = [{p: (s, e) for p, s, e in pw[d]} for pw in per_word]
            for p, (s, _e) in positions[0].items():
                if all(p + k in positions[k] for k in range(1, len(positions))):
                    end = positions[-1][p + len(positions) - 1][1]
                    spans.setdefault((d, fieldname), set()).add((s, end))
    return {k: sorted(v) for k, v in spans.items()}


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` sorted, those that overlap or touch made one (a compound and its parts)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def split_at_blocks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` cut where they cross a line break of ``text``: each block marked on its own."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while (cut := text.find("\n", s, e)) >= 0:
            end = cut
            while end > s and text[end - 1].isspace():
                end -= 1
            if end > s:
                out.append((s, end))
            s = cut + 1
            while s < e and text[s].isspace():
                s += 1
        if s < e:
            out.append((s, e))
    return out


def make_snippets(text: str, spans: list[tuple[int, int]], base: int) -> list[Snippet]:
    """Up to two windows of the text holding the most distinct matched words.

    ``spans`` are sorted (start, end) pairs in ``text``; ``base`` is where
    ``text`` starts in the shown text (-1: it is a note). Where a window
    crosses from one block of the text to the next (a line break), it shows
    :data:`BLOCK_BREAK` instead of running the two together.
    """
    if not text:
        return []
    spans = split_at_blocks(text, merge_spans(spans))
    chosen: list[tuple[int, int]] = []
    remaining = list(spans)
    while remaining and len(chosen) < MAX_SNIPPETS:
        best, best_score = None, (-1, -1)
        j = 0
        for i, (s, _e) in enumerate(remaining):
            j = max(j, i)
            while j + 1 < len(remaining) and remaining[j + 1][1] - s <= SNIPPET_CHARS:
                j += 1
            window = remaining[i : j + 1]
            score = (len({text[a:b].lower() for a, b in window}), len(window))
            if score > best_score:
                best, best_score = (i, j), score
        if best is None:
            break
        i, j = best
        lo, hi = remaining[i][0], remaining[j][1]
        chosen.append((lo, hi))
        remaining = [
            sp for sp in remaining if sp[1] < lo - SNIPPET_CHARS or sp[0] > hi + SNIPPET_CHARS
        ]
    return [_snippet(text, spans, s, e, base) for s, e in sorted(chosen)]


def opening_snippet(text: str, base: int) -> list[Snippet]:
    """The opening of ``text``, nothing marked: for a hit with no match to show."""
    return [_snippet(text, [], 0, 0, base)] if text.strip() else []


def _snippet(text: str, spans: list[tuple[int, int]], s: int, e: int, base: int) -> Snippet:
    """The window of ``text`` around [s, e), on one line, with ``spans`` marked."""
    ws, we = expand_window(text, s, e)
    inside = [(a - ws, b - ws) for a, b in spans if ws <= a < b <= we]
    flat, moved = flatten_blocks(text[ws:we], inside)
    lead = "…" if text[text.rfind("\n", 0, ws) + 1 : ws].strip() else ""
    block_end = text.find("\n", we)
    tail = "…" if text[we : block_end if block_end >= 0 else len(text)].strip() else ""
    shift = len(lead)
    return Snippet(
        lead + flat + tail,
        tuple((a + shift, b + shift) for a, b in moved),
        (base + ws) if base >= 0 else -1,
    )


def flatten_blocks(
    fragment: str, spans: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """``fragment`` on one line, each line break shown as :data:`BLOCK_BREAK`; ``spans`` moved."""
    pieces: list[str] = []
    breaks: list[tuple[int, int, int]] = []  # (start, end) in the fragment, start in the line
    at = length = 0
    for m in _BREAK.finditer(fragment):
        pieces.append(fragment[at : m.start()])
        length += m.start() - at
        breaks.append((m.start(), m.end(), length))
        pieces.append(BLOCK_BREAK)
        length += len(BLOCK_BREAK)
        at = m.end()
    pieces.append(fragment[at:])

    def move(p: int) -> int:
        shift = 0
        for start, end, new in breaks:
            if p <= start:
                break
            if p < end:
                return new + min(p - start, len(BLOCK_BREAK))
            shift = new + len(BLOCK_BREAK) - end
        return p + shift

    return "".join(pieces), [(move(a), move(b)) for a, b in spans]


def expand_window(text: str, s: int, e: int) -> tuple[int, int]:
    """Widen [s, e) to about SNIPPET_CHARS, on word boundaries.

    The window stays within the blocks (lines) holding [s, e) when they give
    it at least MIN_CONTEXT_WORDS words around it. A match in a shorter block
    (a heading, a brief list item) takes in the blocks after it, or before it
    at the end of the text.
    """
    first = text.rfind("\n", 0, s) + 1
    last = text.find("\n", e)
    if last < 0:
        last = len(text)
    room = max(0, SNIPPET_CHARS - (e - s))
    around = len(_WORD.findall(text, first, s)) + len(_WORD.findall(text, e, last))
    if around >= MIN_CONTEXT_WORDS:
        lo, hi = first, last
        ws = max(lo, s - room // 3)
    else:
        lo, hi = 0, len(text)
        ws = first
    we = min(hi, e + room - (s - ws))
    if we == hi and ws > lo:  # room left over at the end: give it to the start
        ws = max(lo, min(ws, we - SNIPPET_CHARS))
    if ws > lo and not text[ws - 1].isspace():  # a word cut: start after it
        gap = _WHITESPACE.search(text, ws, s)
        ws = gap.end() if gap is not None else ws
    while ws < s and text[ws].isspace():
        ws += 1
    if we < hi and not text[we].isspace():  # a word cut: end before it
        cut = max(text.rfind(" ", e, we), text.rfind("\n", e, we))
        we = cut if cut >= 0 else we
    while we > max(ws, e) and text[we - 1].isspace():
        we -= 1
    return ws, we
