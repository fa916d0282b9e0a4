"""The full-text index: the only module that imports whoosh.

Articles (and, beside them, bookmarked passages) are indexed with BM25F over a
boosted title, the body (exactly the plain text the reading view shows, with
character offsets kept in the postings), tags and notes. English stemming and
accent folding apply to every text field; spelling suggestions come from the
indexed terms, shown as they are written in the texts.

The index is derived data: it is rebuilt from the library whenever it is
missing, of an older schema, or unreadable. A SQLite sidecar beside it keeps
each document's shown text (for snippets) and the stamp it was indexed from,
so a sync touches only what changed.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import re
import shutil
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# whoosh 2.7.4 has invalid escape sequences, which Python 3.12+ reports as
# SyntaxWarnings when it compiles whoosh's files. Silence those, for whoosh's
# files only (a compile warning names its file, hence the path pattern).
warnings.filterwarnings("ignore", category=SyntaxWarning, module=r".*[/\\]whoosh[/\\]")
warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh(\..*)?$")

from whoosh import formats, qparser, query
from whoosh import index as whoosh_index
from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb import compound as whoosh_compound
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.index import LockError
from whoosh.lang import stemmer_for_language
from whoosh.scoring import BM25F
from whoosh.support.charset import accent_map

from reader.errors import SearchIndexError

SCHEMA_VERSION = 5
ARTICLE = "article"
BOOKMARK = "bookmark"
SNIPPET_CHARS = 180
MAX_SNIPPETS = 2
BULK_THRESHOLD = 2000  # documents; larger builds use a helper process

Progress = Callable[[int, int], None]

# Postings blocks are stored uncompressed: zlib cost about a sixth of the build
# and of each query, for segment files nearly twice as large (176 MB against
# 92 MB for the 47 MB bench corpus).
_CODEC = W3Codec(compression=0)


class EnglishAnalyzer(Tokenizer):  # type: ignore[misc]
    """Words, lower-cased, accents folded, stop words dropped, Porter-stemmed: one pass.

    It gives the same tokens as whoosh's RegexTokenizer | LowercaseFilter |
    CharsetFilter(accent_map) | StopFilter | StemFilter chain, without a
    generator per stage, which makes indexing about twice as fast. Called
    with ``no_morph`` (for the spelling words) it leaves words unstemmed.
    """

    is_morph = True
    _WORDS = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)

    def __init__(self) -> None:
        self._stem = functools.lru_cache(maxsize=200_000)(stemmer_for_language("en"))
        self._terms: dict[str, str] = {}  # written word -> stem, "" for stop words
        self._plain: dict[str, str] = {}  # written word -> folded word, "" for stop words

    def stem(self, word: str) -> str:
        return str(self._stem(word))

    def __getstate__(self) -> dict[str, Any]:
        return {}  # the schema is pickled into the index; the cache is rebuilt on load

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Any]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = self._plain if no_morph else self._terms
        pos = start_pos
        matches = self._WORDS.finditer(value) if tokenize else [_Whole(value)]
        for m in matches:
            raw = m.group()
            term = terms.get(raw)
            if term is None:
                term = self._term(raw, no_morph)
            if not term:  # a stop word
                if removestops:
                    continue
                token.stopped = True
                token.text = self._fold(raw)
            else:
                token.stopped = False
                token.text = term
            token.boost = 1.0
            if keeporiginal:
                token.original = raw
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + m.start()
                token.endchar = start_char + m.end()
            yield token

    def postings(self, value: str) -> dict[str, list[tuple[int, int, int]]]:
        """Each indexed term of ``value`` with its (position, start, end) list.

        The indexing path: the same terms as ``__call__`` yields, gathered in
        one loop without a token object per word.
        """
        terms = self._terms
        found: dict[str, list[tuple[int, int, int]]] = {}
        pos = 0
        for m in self._WORDS.finditer(value):
            raw = m.group()
            term = terms.get(raw)
            if term is None:
                term = self._term(raw, False)
            if term:
                start = m.start()
                entry = (pos, start, start + len(raw))
                hits = found.get(term)
                if hits is None:
                    found[term] = [entry]
                else:
                    hits.append(entry)
                pos += 1
        return found

    @staticmethod
    def _fold(raw: str) -> str:
        word = raw.lower()
        return word if word.isascii() else word.translate(accent_map)

    def _term(self, raw: str, no_morph: bool) -> str:
        """The indexed form of a written word ("" for a stop word), remembered."""
        word = self._fold(raw)
        term = "" if len(word) < 2 or word in STOP_WORDS else word if no_morph else self.stem(word)
        cache = self._plain if no_morph else self._terms
        if len(cache) > 500_000:
            cache.clear()
        cache[raw] = term
        return term


class _TermCharacters(formats.Characters):  # type: ignore[misc]
    """whoosh's Characters postings, gathered by :meth:`EnglishAnalyzer.postings`."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        if not isinstance(analyzer, EnglishAnalyzer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for term, hits in analyzer.postings(value).items():
            yield term, len(hits), len(hits) * boost, encode(hits)


class _Whole:
    """A stand-in match for the whole value (``tokenize=False``)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


def _text_with_chars(analyzer: Any) -> Any:
    field_ = TEXT(analyzer=analyzer, chars=True)
    field_.format = _TermCharacters(field_boost=field_.format.field_boost)
    return field_


def make_schema() -> Schema:
    analyzer = EnglishAnalyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        article_id=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
        body=_text_with_chars(analyzer),
        note=_text_with_chars(analyzer),
        tags=KEYWORD(stored=True, lowercase=True, commas=True, scorable=True),
        base=NUMERIC(stored=True),
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
    total_exact: bool = True  # False: ``total`` is an estimate (large result sets)


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    notice: str | None = None


class _Texts:
    """The shown texts and stamps of the indexed documents, beside the Whoosh index.

    Whoosh keeps only small stored fields; snippets read the text from here,
    and a sync reads the stamps from here to see what changed.
    """

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
            " body TEXT NOT NULL, note TEXT NOT NULL)"
        )

    def stamps(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT doc_id, stamp FROM docs").fetchall())

    def texts(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc_id, body, note FROM docs WHERE doc_id IN ({marks})", list(doc_ids)
        )
        return {d: (b, n) for d, b, n in rows}

    def write(self, docs: Sequence[IndexDoc], gone: Sequence[str]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("DELETE FROM docs WHERE doc_id=?", [(d,) for d in gone])
            self.db.executemany(
                "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?)",
                [(d.doc_id, d.stamp, d.body, d.note) for d in docs],
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()


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
        self._manifest_generation = -1
        self._texts: _Texts | None = None
        self._lock = threading.RLock()
        self._parser = self._make_parser()
        self._analyzer = EnglishAnalyzer()
        self._open()

    # --- opening, faults -----------------------------------------------------

    @property
    def _version_file(self) -> Path:
        return self.path / "reader-index.json"

    @property
    def _texts_file(self) -> Path:
        return self.path / "texts.sqlite3"

    def _open(self) -> None:
        reason = self._problem()
        if reason is None:
            with _closing_abandoned_files():
                try:
                    self._ix = FileStorage(str(self.path)).open_index("MAIN")
                    self._searcher = self._ix.searcher(weighting=BM25F())
                    self._searcher.doc_count()  # touch the segments: a damaged one fails here
                    self._texts = _Texts(self._texts_file)
                    self._reload_manifest()
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
        if not self._texts_file.is_file():
            return "the search index had lost its texts and was rebuilt"
        return None

    def _discard(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        if self._texts is not None:
            self._texts.close()
        self._searcher = self._ix = self._texts = None
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
            self._ix = FileStorage(str(self.path)).create_index(self.schema, indexname="MAIN")
            self._version_file.write_text(json.dumps({"schema": SCHEMA_VERSION}))
        except OSError as exc:
            raise SearchIndexError(
                f"cannot create the search index in {self.path}: {exc}"
            ) from None
        self._texts = _Texts(self._texts_file)
        self._searcher = self._ix.searcher(weighting=BM25F())
        self._reload_manifest()

    def _reload_manifest(self) -> None:
        """Read the stamps of what the index holds, as of its latest generation."""
        assert self._texts is not None
        self._manifest_generation = self._ix.latest_generation()
        self._manifest = self._texts.stamps()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            if self._texts is not None:
                self._texts.close()
                self._texts = None

    def doc_count(self) -> int:
        with self._lock:
            return int(self._searcher.doc_count())

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
        with self._lock:
            assert self._texts is not None
            if self._ix.latest_generation() != self._manifest_generation:
                self._reload_manifest()  # another process has written since
            have = {k: v for k, v in self._manifest.items() if k.split(":", 1)[0] in kinds}
            stale = [d for d, stamp in wanted.items() if have.get(d) != stamp]
            gone = [d for d in have if d not in wanted]
            if not stale and not gone:
                return report
            writer = self._writer(bulk=len(stale) >= BULK_THRESHOLD)
            # The writer holds the lock now: the searcher, refreshed, sees what it starts from.
            self._searcher = self._searcher.refresh()
            fresh = self._searcher.doc_count_all() == 0  # nothing to replace or delete
            report.rebuilt = fresh and len(stale) > 1
            written: list[IndexDoc] = []
            try:
                delete = self._deleter(writer)
                for d in gone:
                    delete(d)
                # Feeding the documents is about four fifths of the work; the
                # commit is the rest, so the bar does not sit full meanwhile.
                steps = len(stale) + max(1, len(stale) // 4)
                for n, doc in enumerate(load(stale)):
                    if progress and n % 50 == 0:
                        progress(n, steps)
                    if not fresh:
                        delete(doc.doc_id)
                    writer.add_document(**_fields(doc))
                    written.append(doc)
                writer.commit()  # merges small segments, so their number stays low
            except BaseException:
                writer.cancel()
                raise
            # After the index: a crash in between leaves stale stamps, so the
            # next sync indexes those documents again; it never loses one.
            self._texts.write(written, gone)
            for d in gone:
                self._manifest.pop(d, None)
            for doc in written:
                if doc.doc_id in have:
                    report.updated += 1
                else:
                    report.added += 1
                self._manifest[doc.doc_id] = doc.stamp
            report.removed = len(gone)
            self._searcher = self._searcher.refresh()
            self._manifest_generation = self._ix.latest_generation()
        if progress:
            progress(1, 1)
        return report

    def _deleter(self, writer: Any) -> Callable[[str], None]:
        """A function deleting a document by id, through the searcher already open.

        ``update_document`` would open a second reader over every segment for
        each commit; the searcher knows the document numbers already, and it
        reads the same generation the writer starts from (we hold the lock).
        """
        if self._searcher.reader().generation() != writer.generation - 1:
            return lambda doc_id: writer.delete_by_term("doc_id", doc_id)
        searcher = self._searcher

        def delete(doc_id: str) -> None:
            for docnum in searcher.document_numbers(doc_id=doc_id):
                writer.delete_document(docnum)

        return delete

    def _writer(self, bulk: bool) -> Any:
        try:
            if bulk:
                return self._ix.writer(
                    procs=2,
                    limitmb=256,
                    multisegment=True,
                    codec=_CODEC,
                    timeout=self.lock_timeout,
                )
            return self._ix.writer(limitmb=256, codec=_CODEC, timeout=self.lock_timeout)
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
        parser = qparser.QueryParser("body", self.schema, group=qparser.AndGroup)
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
        return _expand_fields(q), message

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
            total, exact = _count(results, limit)
            corrected, used = None, False
            suggestion = self._correct(text, q)
            if suggestion is not None:
                corrected = suggestion
                if total == 0:
                    fixed, _ = self.parse(suggestion)
                    results = s.search(fixed, limit=limit, filter=filter_q)
                    hits = self._hits(results, fixed)
                    total, exact = _count(results, limit)
                    used = True
        return SearchResults(text, tuple(hits), total, corrected, used, message, exact)

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
        """The indexed word nearest to ``word``: fewest edits, then most documents.

        The index holds stems, so the candidates are the stems near the word's
        own stem; each is then shown in the written form, read from the texts,
        that is closest to what was typed ("enginee" -> "engine", not "engin").
        """
        reader = self._searcher.reader()
        folded = word.lower().translate(accent_map)
        if len(folded) < 3 or not folded.isalpha():
            return None
        maxdist = 1 if len(folded) <= 4 else 2
        target = self._analyzer.stem(folded)
        ranked = sorted(
            (distance, -reader.doc_frequency("body", term), term)
            for term, distance in _near_terms(reader, "body", target, maxdist)
        )
        best: tuple[int, int, int, str] | None = None
        for distance, neg_df, term in ranked[:4]:
            for surface in self._surface_forms(reader, term):
                d = _edit_distance(folded, surface, maxdist)
                if d <= maxdist:
                    key = (d, distance, neg_df, surface)
                    best = key if best is None or key < best else best
        return None if best is None else best[3]

    def _surface_forms(self, reader: Any, term: str, docs: int = 3) -> set[str]:
        """How ``term`` is written in the first few documents that have it."""
        assert self._texts is not None
        try:
            m = reader.postings("body", term)
        except Exception:
            return set()
        spans: dict[int, list[tuple[int, int]]] = {}
        while m.is_active() and len(spans) < docs:
            spans[m.id()] = [(s, e) for _p, s, e in m.value_as("characters")][:8]
            m.next()
        ids = {d: reader.stored_fields(d)["doc_id"] for d in spans}
        texts = self._texts.texts(list(ids.values()))
        forms: set[str] = set()
        for d, pairs in spans.items():
            body = texts.get(ids[d], ("", ""))[0]
            forms.update(body[s:e].lower().translate(accent_map) for s, e in pairs)
        return {f for f in forms if f.isalpha()}

    def _hits(self, results: Any, q: Any) -> list[Hit]:
        if not results.scored_length():
            return []
        reader = self._searcher.reader()
        terms, phrases = _highlight_terms(q, reader)
        matches = _matches(reader, [r.docnum for r in results], terms, phrases)
        stored = [r.fields() for r in results]
        assert self._texts is not None
        texts = self._texts.texts([f["doc_id"] for f in stored])
        hits = []
        for r, fields in zip(results, stored, strict=True):
            body, note = texts.get(fields["doc_id"], ("", ""))
            base = int(fields.get("base") or 0)
            body_m = matches.get((r.docnum, "body"), [])
            note_m = matches.get((r.docnum, "note"), [])
            snippets = _snippets(body, body_m, base)
            if fields.get("kind") == BOOKMARK and note_m:
                snippets = snippets[:1] + _snippets(note, note_m, -1)[:1]
            if not snippets:
                snippets = _snippets(body, [(0, 0)], base)[:1]
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


_TEXT_FIELDS = ("title", "body", "note")


class _MemoryReader:
    """A read-only file over a memoryview, without copying it."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), self._pos + n)
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def readline(self, *_: Any) -> bytes:
        at = bytes(self._buf[self._pos :]).find(b"\n")
        return self.read(-1 if at < 0 else at + 1)

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")

    def flush(self) -> None:
        pass


class _ZeroCopyBufferFile(BufferFile):  # type: ignore[misc]
    """whoosh's BufferFile copies the whole mapped file into a BytesIO on open.

    Opening a segment copies every term table it has, so each refresh after a
    commit cost a copy of the whole index. This reads the mapped memory in
    place; everything else is whoosh's own.
    """

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _MemoryReader(memoryview(buf))


whoosh_compound.BufferFile = _ZeroCopyBufferFile


def _expand_fields(q: Any) -> Any:
    """Search words in the shown text and in notes, and rank title matches higher.

    Unfielded words are parsed against ``body``. A document matches when the
    query matches its body or its note; words of the query found in its
    title add to its score without being required (the title is also the
    first line of the body). This costs far less than a per-word union of
    fields.
    """
    if q is query.NullQuery:
        return q

    in_body, in_note = _retarget(q, "body"), _retarget(q, "note")
    matched = in_body if in_note == in_body else query.Or([in_body, in_note])
    title_words = [
        query.Term("title", leaf.text)
        for leaf in _positive_leaves(q)
        if isinstance(leaf, query.Term) and leaf.fieldname == "body"
    ]
    title_words += [
        query.Phrase("title", leaf.words)
        for leaf in _positive_leaves(q)
        if isinstance(leaf, query.Phrase) and leaf.fieldname == "body"
    ]
    if not title_words:
        return matched
    return query.AndMaybe(matched, query.Or(title_words))


def _retarget(q: Any, fieldname: str, negated: bool = False) -> Any:
    """``q`` with its unfielded (body) words looked for in ``fieldname``.

    A negated word excludes a document that has it in its body or its note.
    """
    if isinstance(q, query.Not):
        return query.Not(_retarget(q.query, fieldname, True))
    if isinstance(q, (query.AndNot, query.AndMaybe)):
        b = _retarget(q.b, fieldname, negated or isinstance(q, query.AndNot))
        return type(q)(_retarget(q.a, fieldname, negated), b)
    if isinstance(q, query.compound.CompoundQuery):
        subs = [_retarget(sub, fieldname, negated) for sub in q.subqueries]
        return type(q)(subs, boost=q.boost)
    if getattr(q, "fieldname", None) != "body":
        return q
    if negated:
        other = q.copy()
        other.fieldname = "note"
        return query.Or([q, other])
    if fieldname == "body":
        return q
    moved = q.copy()
    moved.fieldname = fieldname
    return moved


def _count(results: Any, limit: int) -> tuple[int, bool]:
    """How many documents match: exact when whoosh knows it, else its estimate.

    Counting every match of a common word walks all its postings, which costs
    more than the search itself; the estimate is free.
    """
    if results.has_exact_length():
        return len(results), True
    if results.scored_length() < limit:  # fewer than asked for: every match was scored
        return results.scored_length(), True
    return max(int(results.estimated_length()), results.scored_length()), False


@contextlib.contextmanager
def _closing_abandoned_files() -> Iterator[None]:
    """whoosh leaves files open when it fails to read a damaged index; close them quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        finally:
            gc.collect()


def _edit_distance(a: str, b: str, limit: int = 1 << 30) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one); stops early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _near_terms(
    reader: Any, fieldname: str, target: str, maxdist: int
) -> Iterator[tuple[str, int]]:
    """Terms of ``fieldname`` within ``maxdist`` edits of ``target`` (same first letter)."""
    low, high = len(target) - maxdist, len(target) + maxdist
    for term in reader.expand_prefix(fieldname, target[:1]):
        if isinstance(term, bytes):
            term = term.decode("utf-8")
        if low <= len(term) <= high:
            distance = _edit_distance(target, term, maxdist)
            if distance <= maxdist:
                yield term, distance


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
