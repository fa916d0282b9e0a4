"""From whoosh results to hits: the matched words marked, and snippets around them.

The matched words' character spans are read from the postings (the body and
the note keep offsets), phrases are marked only where their words follow one
another, and each hit gets up to two windows of its shown text holding the
most distinct matched words.
"""

from __future__ import annotations

from typing import Any

from whoosh import query

from reader.search.query import positive_leaves
from reader.search.results import ARTICLE, BOOKMARK, Hit, Snippet
from reader.search.texts import Texts

SNIPPET_CHARS = 180
MAX_SNIPPETS = 2


def make_hits(results: Any, q: Any, reader: Any, texts: Texts) -> list[Hit]:
    """A :class:`Hit` for each scored result of ``q``, with its snippets and match offsets."""
    if not results.scored_length():
        return []
    terms, phrases = highlight_terms(q, reader)
    matches = match_spans(reader, [r.docnum for r in results], terms, phrases)
    stored = [r.fields() for r in results]
    shown = texts.texts([f["doc_id"] for f in stored])
    hits = []
    for r, fields in zip(results, stored, strict=True):
        body, note = shown.get(fields["doc_id"], ("", ""))
        base = int(fields.get("base") or 0)
        body_m = matches.get((r.docnum, "body"), [])
        note_m = matches.get((r.docnum, "note"), [])
        snippets = make_snippets(body, body_m, base)
        if fields.get("kind") == BOOKMARK and note_m:
            snippets = snippets[:1] + make_snippets(note, note_m, -1)[:1]
        if not snippets:
            snippets = make_snippets(body, [(0, 0)], base)[:1]
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


def make_snippets(text: str, spans: list[tuple[int, int]], base: int) -> list[Snippet]:
    """Up to two windows of the text holding the most distinct matched words.

    ``spans`` are sorted (start, end) pairs in ``text``; ``base`` is where
    ``text`` starts in the shown text (-1: it is a note).
    """
    if not text:
        return []
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
    out = []
    for s, e in sorted(chosen):
        ws, we = expand_window(text, s, e)
        inside = tuple((a - ws, b - ws) for a, b in spans if a >= ws and b <= we)
        fragment = text[ws:we]
        lead = "…" if ws > 0 and text[ws - 1] not in "\n" else ""
        tail = "…" if we < len(text) and text[we] not in "\n" else ""
        flat = fragment.replace("\n", " ")
        shift = len(lead)
        out.append(
            Snippet(
                lead + flat + tail,
                tuple((a + shift, b + shift) for a, b in inside),
                (base + ws) if base >= 0 else -1,
            )
        )
    return out


def expand_window(text: str, s: int, e: int) -> tuple[int, int]:
    """Widen [s, e) to about SNIPPET_CHARS, on word boundaries, within its paragraph."""
    room = max(0, SNIPPET_CHARS - (e - s))
    ws = max(0, s - room // 3)
    we = min(len(text), e + room - (s - ws))
    para_start = text.rfind("\n", 0, s) + 1
    para_end = text.find("\n", e)
    if para_end < 0:
        para_end = len(text)
    ws, we = max(ws, para_start), min(we, para_end)
    if ws > para_start:
        space = text.find(" ", ws, s)
        ws = space + 1 if space >= 0 else ws
    if we < para_end:
        space = text.rfind(" ", e, we)
        we = space if space >= 0 else we
    return ws, we
