"""The full-text index: the only module that imports whoosh.

Articles (and, beside them, bookmarked passages) are indexed with BM25F over a
boosted title, the body (exactly the plain text the reading view shows, with
character offsets kept in the postings), tags and notes. English stemming and
accent folding apply to every text field; unstemmed words are kept for
spelling suggestions.

The index is derived data: it is rebuilt from the library whenever it is
missing, of an older schema, or unreadable. A small manifest beside it maps
each document to the content hash it was indexed from, so a sync touches only
what changed.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # whoosh 2.7.4 has invalid escape sequences that Python 3.12+ warns about on compile.
    warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh(\..*)?")
    warnings.filterwarnings("ignore", category=SyntaxWarning, message=r".*invalid escape")
    from whoosh import index as whoosh_index
    from whoosh import qparser, query
    from whoosh.analysis import (
        CharsetFilter,
        LowercaseFilter,
        RegexTokenizer,
        StemFilter,
        StopFilter,
    )
    from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
    from whoosh.index import LockError
    from whoosh.scoring import BM25F
    from whoosh.support.charset import accent_map

from reader.errors import SearchIndexError

SCHEMA_VERSION = 1
ARTICLE = "article"
BOOKMARK = "bookmark"
SNIPPET_CHARS = 180
MAX_SNIPPETS = 2
BULK_THRESHOLD = 2000  # documents; larger builds use a helper process

Progress = Callable[[int, int], None]


def _analyzer() -> Any:
    return (
        RegexTokenizer(r"\w+(?:\.?\w+)*")
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter()
        | StemFilter(lang="en", cachesize=100_000)
    )


def make_schema() -> Schema:
    analyzer = _analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        article_id=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0, spelling=True),
        body=TEXT(analyzer=analyzer, stored=True, chars=True, spelling=True),
        note=TEXT(analyzer=analyzer, stored=True, chars=True, spelling=True),
        tags=KEYWORD(stored=True, lowercase=True, commas=True, scorable=True),
        base=NUMERIC(stored=True),
        extra=STORED(),
    )


@dataclass(frozen=True)
class IndexDoc:
    """One document of the index: an article, or a bookmarked passage."""

    doc_id: str
    kind: str
    article_id: str
    title: str
    body: str
    stamp: str  # changes whenever anything indexed here changes
    note: str = ""
    tags: tuple[str, ...] = ()
    base: int = 0  # where ``body`` starts in the article's shown text
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Snippet:
    """A stretch of the shown text with the matched words marked."""

    text: str
    highlights: tuple[tuple[int, int], ...]  # relative to ``text``
    start: int  # where ``text`` starts in the shown text (-1: from the note)

    def marked(self, open_: str, close: str, escape: Callable[[str], str] = str) -> str:
        out, at = [], 0
        for s, e in self.highlights:
            out.append(escape(self.text[at:s]))
            out.append(open_ + escape(self.text[s:e]) + close)
            at = e
        out.append(escape(self.text[at:]))
        return "".join(out)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    kind: str
    article_id: str
    title: str
    score: float
    snippets: tuple[Snippet, ...]
    offsets: tuple[tuple[int, int], ...]  # every match in the article's shown text
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.doc_id.split(":", 1)[1]

    def snippet_text(self, open_: str = "**", close: str = "**") -> str:
        return join_snippets(s.marked(open_, close) for s in self.snippets)


def join_snippets(parts: Iterable[str]) -> str:
    out = ""
    for part in parts:
        if out:
            out += " " if part.startswith("…") or out.endswith("…") else " … "
        out += part
    return out


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: tuple[Hit, ...]
    total: int
    corrected: str | None = None  # "Did you mean" / "Showing results for"
    used_correction: bool = False
    message: str | None = None  # a friendly word on a query that could not be read as written


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    notice: str | None = None


class SearchIndex:
    """A Whoosh index in ``path``; one searcher, refreshed after each commit."""

    def __init__(self, path: Path, *, lock_timeout: float = 5.0) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self.notice: str | None = None
        self._ix: Any = None
        self._searcher: Any = None
        self._manifest: dict[str, str] = {}
        self._lock = threading.RLock()
        self._parser = self._make_parser()
        self._open()

    # --- opening, faults -----------------------------------------------------

    @property
    def _version_file(self) -> Path:
        return self.path / "reader-index.json"

    @property
    def _manifest_file(self) -> Path:
        return self.path / "manifest.json"

    def _open(self) -> None:
        reason = self._problem()
        if reason is None:
            with _closing_abandoned_files():
                try:
                    self._ix = whoosh_index.open_dir(str(self.path), indexname="MAIN")
                    self._searcher = self._ix.searcher(weighting=BM25F())
                    self._searcher.doc_count()  # touch the segments: a damaged one fails here
                    self._manifest = self._read_manifest()
                    return
                except Exception as exc:  # whoosh has no common error type for damage
                    reason = f"the search index was unreadable ({type(exc).__name__}); rebuilt"
            self._discard()
        self._create()
        if reason:
            self.notice = reason

    def _problem(self) -> str | None:
        """Why the index on disk cannot be used as it is, or None if it can."""
        if not self.path.exists():
            return ""
        with _closing_abandoned_files():
            try:
                present = whoosh_index.exists_in(str(self.path), "MAIN")
            except Exception:
                present = True  # a table of contents that cannot be read: let open_dir fail
        if not present:
            return "the search index was missing and was rebuilt"
        try:
            version = json.loads(self._version_file.read_text())["schema"]
        except (OSError, ValueError, KeyError, TypeError):
            return "the search index had no version stamp and was rebuilt"
        if version != SCHEMA_VERSION:
            return "the search index was from another version and was rebuilt"
        return None

    def _discard(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = self._ix = None
        if self.path.exists():
            aside = self.path.with_name(self.path.name + f".broken-{int(time.time())}")
            try:
                self.path.replace(aside)
                shutil.rmtree(aside, ignore_errors=True)
            except OSError:
                shutil.rmtree(self.path, ignore_errors=True)

    def _create(self) -> None:
        try:
            if self.path.exists():
                self._discard()
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.create_in(str(self.path), self.schema, indexname="MAIN")
            self._version_file.write_text(json.dumps({"schema": SCHEMA_VERSION}))
        except OSError as exc:
            raise SearchIndexError(
                f"cannot create the search index in {self.path}: {exc}"
            ) from None
        self._manifest = {}
        self._write_manifest()
        self._searcher = self._ix.searcher(weighting=BM25F())

    def _read_manifest(self) -> dict[str, str]:
        try:
            data = json.loads(self._manifest_file.read_text())
            if isinstance(data, dict):
                return {str(k): str(v) for k, v in data.items()}
        except (OSError, ValueError):
            pass
        # Lost or damaged: read it back from the index itself.
        return {
            f["doc_id"]: f.get("extra", {}).get("stamp", "")
            for f in self._searcher.all_stored_fields()
        }

    def _write_manifest(self) -> None:
        tmp = self._manifest_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._manifest))
        os.replace(tmp, self._manifest_file)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def doc_count(self) -> int:
        with self._lock:
            return int(self._searcher.doc_count())

    def stamps(self) -> dict[str, str]:
        return dict(self._manifest)

    # --- writing -------------------------------------------------------------

    def sync(
        self,
        wanted: dict[str, str],
        load: Callable[[Sequence[str]], Iterable[IndexDoc]],
        progress: Progress | None = None,
        kinds: tuple[str, ...] = (ARTICLE, BOOKMARK),
    ) -> SyncReport:
        """Bring the documents of ``kinds`` in step with ``wanted`` (doc id -> stamp).

        ``load(ids)`` makes the documents to add or update; only those whose
        stamp changed are asked for.
        """
        report = SyncReport(notice=self.notice)
        self.notice = None
        have = {k: v for k, v in self._manifest.items() if k.split(":", 1)[0] in kinds}
        stale = [d for d, stamp in wanted.items() if have.get(d) != stamp]
        gone = [d for d in have if d not in wanted]
        if not stale and not gone:
            return report
        report.rebuilt = not self._manifest and len(stale) > 1
        with self._lock:
            writer = self._writer(bulk=len(stale) >= BULK_THRESHOLD)
            try:
                for d in gone:
                    writer.delete_by_term("doc_id", d)
                    report.removed += 1
                for n, doc in enumerate(load(stale)):
                    if progress:
                        progress(n, len(stale))
                    fields = _fields(doc)
                    if report.rebuilt:
                        writer.add_document(**fields)  # nothing to replace: skip the lookup
                    else:
                        writer.update_document(**fields)
                    if doc.doc_id in have:
                        report.updated += 1
                    else:
                        report.added += 1
                    self._manifest[doc.doc_id] = doc.stamp
                for d in gone:
                    self._manifest.pop(d, None)
                writer.commit(merge=len(stale) + len(gone) > 50)
            except BaseException:
                writer.cancel()
                self._manifest = self._read_manifest_after_failure()
                raise
            self._write_manifest()
            self._searcher = self._searcher.refresh()
        if progress:
            progress(len(stale), len(stale))
        return report

    def _read_manifest_after_failure(self) -> dict[str, str]:
        self._searcher = self._searcher.refresh()
        self._manifest_file.unlink(missing_ok=True)
        return self._read_manifest()

    def _writer(self, bulk: bool) -> Any:
        try:
            if bulk:
                return self._ix.writer(
                    procs=2, limitmb=128, multisegment=True, timeout=self.lock_timeout
                )
            return self._ix.writer(limitmb=64, timeout=self.lock_timeout)
        except LockError:
            raise SearchIndexError(
                "the search index is being written by another process; try again shortly"
            ) from None

    def rebuild(
        self,
        wanted: dict[str, str],
        load: Callable[[Sequence[str]], Iterable[IndexDoc]],
        progress: Progress | None = None,
    ) -> SyncReport:
        with self._lock:
            self._discard()
            self._create()
        report = self.sync(wanted, load, progress)
        report.rebuilt = True
        return report

    # --- searching -----------------------------------------------------------

    def _make_parser(self) -> Any:
        parser = qparser.MultifieldParser(
            ["title", "body", "note"], self.schema, group=qparser.AndGroup
        )
        parser.add_plugin(qparser.PlusMinusPlugin())
        parser.add_plugin(qparser.FieldAliasPlugin({"tags": ["tag"], "note": ["notes"]}))
        return parser

    def parse(self, text: str) -> tuple[Any, str | None]:
        """The query for ``text``; unreadable syntax falls back to its plain words."""
        message = None
        if text.count('"') % 2:
            message = "a quote is not closed; searching the words as they are"
            text = text.replace('"', " ")
        if text.count("(") != text.count(")"):
            message = "brackets do not pair up; searching the words as they are"
            text = text.replace("(", " ").replace(")", " ")
        try:
            q = self._parser.parse(text)
        except Exception:  # whoosh raises assorted errors on odd syntax
            words = " ".join(w for w in "".join(c if c.isalnum() else " " for c in text).split())
            q = self._parser.parse(words)
            message = "the query could not be read as written; searching its words"
        return q, message

    def search(self, text: str, limit: int = 20, kind: str | None = None) -> SearchResults:
        text = text.strip()
        if not text:
            return SearchResults(text, (), 0)
        q, message = self.parse(text)
        if q is query.NullQuery:
            return SearchResults(text, (), 0, message=message)
        filter_q = query.Term("kind", kind) if kind else None
        with self._lock:
            s = self._searcher
            results = s.search(q, limit=limit, filter=filter_q)
            hits = self._hits(results, q)
            total = len(results)
            corrected, used = None, False
            suggestion = self._correct(text, q)
            if suggestion is not None:
                corrected = suggestion
                if total == 0:
                    fixed, _ = self.parse(suggestion)
                    results = s.search(fixed, limit=limit, filter=filter_q)
                    hits = self._hits(results, fixed)
                    total = len(results)
                    used = True
        return SearchResults(text, tuple(hits), total, corrected, used, message)

    def _correct(self, text: str, q: Any) -> str | None:
        """The query with each word the index does not know replaced by its nearest word."""
        reader = self._searcher.reader()
        edits: dict[tuple[int, int], str] = {}
        for leaf in _positive_leaves(q):
            if not isinstance(leaf, query.Term) or leaf.fieldname not in _TEXT_FIELDS:
                continue
            if any(reader.doc_frequency(f, leaf.text) for f in _TEXT_FIELDS):
                continue
            start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
            if start is None or end is None or (start, end) in edits:
                continue
            word = text[start:end]
            best = self._suggest(word)
            if best is not None:
                edits[(start, end)] = best
        if not edits:
            return None
        out, at = [], 0
        for (start, end), replacement in sorted(edits.items()):
            out.append(text[at:start] + replacement)
            at = end
        out.append(text[at:])
        return "".join(out)

    def _suggest(self, word: str) -> str | None:
        """The indexed word nearest to ``word``: fewest edits, then most documents."""
        reader = self._searcher.reader()
        folded = "".join(accent_map.get(ord(c), c) for c in word.lower())
        if len(folded) < 3 or not folded.isalpha():
            return None
        maxdist = 1 if len(folded) <= 4 else 2
        best: tuple[int, int, str] | None = None
        for field_ in ("body", "title"):
            spell = self.schema[field_].spelling_fieldname(field_)
            for candidate in reader.terms_within(spell, folded, maxdist, prefix=1):
                distance = _edit_distance(folded, candidate)
                key = (distance, -reader.doc_frequency(spell, candidate), candidate)
                if distance <= maxdist and (best is None or key < best):
                    best = key
        return None if best is None else best[2]

    def _hits(self, results: Any, q: Any) -> list[Hit]:
        if not len(results):
            return []
        reader = self._searcher.reader()
        terms, phrases = _highlight_terms(q, reader)
        matches = _matches(reader, [r.docnum for r in results], terms, phrases)
        hits = []
        for r in results:
            fields = r.fields()
            base = int(fields.get("base") or 0)
            body_m = matches.get((r.docnum, "body"), [])
            note_m = matches.get((r.docnum, "note"), [])
            snippets = _snippets(fields.get("body", ""), body_m, base)
            if fields.get("kind") == BOOKMARK and note_m:
                snippets = snippets[:1] + _snippets(fields.get("note", ""), note_m, -1)[:1]
            if not snippets:
                snippets = _snippets(fields.get("body", ""), [(0, 0)], base)[:1]
            hits.append(
                Hit(
                    doc_id=fields["doc_id"],
                    kind=fields.get("kind", ARTICLE),
                    article_id=fields.get("article_id", ""),
                    title=fields.get("title", ""),
                    score=float(r.score or 0.0),
                    snippets=tuple(snippets),
                    offsets=tuple((base + s, base + e) for s, e in body_m),
                    note=fields.get("note", ""),
                    extra=dict(fields.get("extra") or {}),
                )
            )
        return hits


_TEXT_FIELDS = ("title", "body", "note")


@contextlib.contextmanager
def _closing_abandoned_files() -> Iterator[None]:
    """whoosh leaves files open when it fails to read a damaged index; close them quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        finally:
            gc.collect()


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _fields(doc: IndexDoc) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "kind": doc.kind,
        "article_id": doc.article_id,
        "title": doc.title,
        "body": doc.body,
        "note": doc.note,
        "tags": ",".join(doc.tags),
        "base": doc.base,
        "extra": {**doc.extra, "stamp": doc.stamp},
    }


def _positive_leaves(q: Any) -> Iterator[Any]:
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from _positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from _positive_leaves(child)


def _highlight_terms(
    q: Any, reader: Any
) -> tuple[set[tuple[str, bytes]], list[tuple[str, list[bytes]]]]:
    """Terms whose every occurrence is marked, and phrases marked only as phrases."""
    terms: set[tuple[str, bytes]] = set()
    phrases: list[tuple[str, list[bytes]]] = []
    for leaf in _positive_leaves(q):
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


def _matches(
    reader: Any,
    docnums: list[int],
    terms: set[tuple[str, bytes]],
    phrases: list[tuple[str, list[bytes]]],
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """Character spans of the matched terms in each hit, read from the postings."""
    order = sorted(docnums)
    wanted = set(docnums)
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
            if m.id() == d and d in wanted:
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


def _snippets(text: str, spans: list[tuple[int, int]], base: int) -> list[Snippet]:
    """Up to two windows of the text holding the most distinct matched words."""
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
        ws, we = _expand(text, s, e)
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


def _expand(text: str, s: int, e: int) -> tuple[int, int]:
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
