"""The search index: one whoosh index on disk, kept whole, written and searched.

:class:`SearchIndex` composes the package: the schema from
:mod:`~reader.search.analysis`, the texts sidecar from
:mod:`~reader.search.texts`, queries from :mod:`~reader.search.query`,
corrections from :mod:`~reader.search.spelling` and hits from
:mod:`~reader.search.highlight`. Articles and bookmarked passages are ranked
with BM25F.

The index is derived data: it is rebuilt from the library whenever it is
missing, of an older schema, or unreadable. The sidecar keeps each
document's stamp, so a sync touches only what changed.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import index as whoosh_index
from whoosh import query
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.scoring import BM25F
from whoosh.writing import CLEAR

from reader.errors import SearchIndexError
from reader.search import whoosh_setup
from reader.search.analysis import EnglishAnalyzer, make_schema
from reader.search.highlight import make_hits, make_snippets
from reader.search.query import Parser, near_words
from reader.search.ranking import ask_for, rerank_near
from reader.search.results import (
    ARTICLE,
    BOOKMARK,
    Hit,
    IndexDoc,
    Progress,
    SearchResults,
    SyncReport,
)
from reader.search.spelling import Speller
from reader.search.texts import Texts

# The schema is pickled into the index, naming the analyzer's classes by their
# module: moving those is a new version too (6: they moved to analysis.py; 7: compound
# words are indexed as written beside their parts; 8: section headings are a field;
# 9: the headings are the renderer's, from the catalog).
SCHEMA_VERSION = 9
BULK_THRESHOLD = 2000  # documents; larger builds use a helper process
FEW = 10  # with fewer pages holding every word, pages with some of them follow
VERSION_FILE = "reader-index.json"  # the index's schema version, beside whoosh's files
TEXTS_FILE = "texts.sqlite3"  # the shown texts and stamps (search/texts.py)
COMMON_WORDS_READ = 2000  # texts read at most for a query of words too common to index

# Postings blocks are stored uncompressed: zlib cost about a sixth of the build
# and of each query, for segment files nearly twice as large (176 MB against
# 92 MB for the 47 MB bench corpus).
_CODEC = W3Codec(compression=0)


class _Found(NamedTuple):
    hits: list[Hit]
    total: int
    exact: bool
    corrected: str | None
    used_correction: bool
    message: str | None


class SearchIndex:
    """A Whoosh index in ``path``; one searcher, refreshed after each commit."""

    def __init__(self, path: Path, *, lock_timeout: float = 5.0, repair: bool = True) -> None:
        """``repair``: make an index that cannot be used again (a writer's part); without
        it, such an index is reported (SearchIndexError) and left as it is, since it may
        be one another process is making this moment."""
        whoosh_setup.install()
        self.path = path
        self.lock_timeout = lock_timeout
        self.repair = repair
        self.schema = make_schema()
        self.notice: str | None = None
        self._ix: Any = None
        self._searcher: Any = None
        self._manifest: dict[str, str] = {}
        self._manifest_generation = -1
        self._texts: Texts | None = None
        self._lock = threading.RLock()
        self._parser = Parser(self.schema)
        self._analyzer = EnglishAnalyzer()
        self._open()

    # --- opening, faults -----------------------------------------------------

    @property
    def _version_file(self) -> Path:
        return self.path / VERSION_FILE

    @property
    def _texts_file(self) -> Path:
        return self.path / TEXTS_FILE

    def _open(self) -> None:
        reason = self._problem()
        if reason and not self.repair:
            why = reason.removesuffix(" and was rebuilt")
            raise SearchIndexError(f"{why}; 'reader index --rebuild' makes it again")
        if reason is not None and self.read_only:
            why = reason.removesuffix(" and was rebuilt") or "there is no search index"
            raise SearchIndexError(f"{why}, and its folder {self.path.parent} cannot be written")
        if reason is None:
            with _closing_abandoned_files():
                try:
                    self._ix = FileStorage(str(self.path)).open_index("MAIN")
                    self._searcher = self._ix.searcher(weighting=BM25F())
                    self._searcher.doc_count()  # touch the segments: a damaged one fails here
                    self._texts = Texts(self._texts_file, read_only=self.read_only)
                    self._reload_manifest()
                    return
                except Exception as exc:  # whoosh has no common error type for damage
                    if self.read_only or not self.repair:
                        self.close()
                        where = (
                            "its folder cannot be written"
                            if self.read_only
                            else ("'reader index --rebuild' makes it again")
                        )
                        raise SearchIndexError(
                            f"the search index cannot be read ({type(exc).__name__}); {where}"
                        ) from None
                    reason = f"the search index was unreadable ({type(exc).__name__}); rebuilt"
                    gc.collect()  # while ResourceWarnings are quiet
            self._discard()
        self._create()
        if reason:
            self.notice = reason

    @property
    def read_only(self) -> bool:
        """Whether the index cannot be written here (a read-only data folder): it is
        then searched as it is, and never made again."""
        folder = self.path if self.path.exists() else self.path.parent
        return not os.access(folder, os.W_OK)

    def _problem(self) -> str | None:
        """Why the index on disk cannot be used as it is, or None if it can."""
        return _stored_problem(self.path)

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
        self._texts = Texts(self._texts_file)
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

    def lag(self, wanted: dict[str, str]) -> int:
        """How many documents a sync with ``wanted`` would add, change or remove."""
        with self._lock:
            if self._ix.latest_generation() != self._manifest_generation:
                self._reload_manifest()
            stale = sum(1 for d, stamp in wanted.items() if self._manifest.get(d) != stamp)
            return stale + sum(1 for d in self._manifest if d not in wanted)

    # --- writing -------------------------------------------------------------

    def sync(
        self,
        wanted: dict[str, str],
        load: Callable[[Sequence[str]], Iterable[IndexDoc]],
        progress: Progress | None = None,
        kinds: tuple[str, ...] = (ARTICLE, BOOKMARK),
        clear: bool = False,
    ) -> SyncReport:
        """Bring the documents of ``kinds`` in step with ``wanted`` (doc id -> stamp).

        ``load(ids)`` makes the documents to add or update; only those whose
        stamp changed are asked for, or every one with ``clear``, which makes
        the index anew: searches in other processes answer from the index as
        it was until the new one is committed whole (in this one, they wait).
        """
        report = SyncReport(notice=self.notice)
        self.notice = None
        with self._lock:
            assert self._texts is not None
            if self._ix.latest_generation() != self._manifest_generation:
                self._reload_manifest()  # another process has written since
            have = {k: v for k, v in self._manifest.items() if k.split(":", 1)[0] in kinds}
            if self.read_only:
                raise SearchIndexError(f"the search index in {self.path} cannot be written")
            stale = [d for d, stamp in wanted.items() if clear or have.get(d) != stamp]
            gone = [d for d in have if d not in wanted]
            if not stale and not gone and not clear:
                return report
            writer = self._writer(bulk=len(stale) >= BULK_THRESHOLD)
            # The writer holds the lock now: the searcher, refreshed, sees what it starts from.
            self._searcher = self._searcher.refresh()
            # Nothing to replace or delete: a new index, or one cleared at the commit.
            fresh = clear or self._searcher.doc_count_all() == 0
            report.rebuilt = fresh and len(stale) > 1
            written: list[IndexDoc] = []
            try:
                delete = self._deleter(writer)
                for d in [] if clear else gone:
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
                # Merging small segments keeps their number low; CLEAR drops every
                # segment from before this writer instead.
                if clear:
                    writer.commit(mergetype=CLEAR)
                else:
                    writer.commit()
            except BaseException:
                writer.cancel()
                raise
            # After the index: a crash in between leaves stale stamps, so the
            # next sync indexes those documents again; it never loses one.
            self._texts.write(written, gone)
            for d in gone:
                self._manifest.pop(d, None)
            for doc in written:
                if doc.doc_id in have and not clear:
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
        """Make the index anew from ``load``; other processes search what it held meanwhile."""
        report = self.sync(wanted, load, progress, clear=True)
        report.rebuilt = True
        return report

    # --- searching -----------------------------------------------------------

    @contextlib.contextmanager
    def reading(self) -> Iterator[tuple[Any, Texts, EnglishAnalyzer]]:
        """The searcher, the shown texts and the analyzer, held for one look.

        For searches built outside this class (related documents, say); the
        index is not refreshed or rewritten while they are held.
        """
        with self._lock:
            assert self._texts is not None
            yield self._searcher, self._texts, self._analyzer

    def search(
        self, text: str, limit: int = 20, kind: str | None = None, *, typing: bool = False
    ) -> SearchResults:
        """The best ``limit`` hits for ``text`` (of one ``kind`` if given), with a correction
        of the words the index does not know. ``typing``: the last word may be unfinished,
        so it is corrected only when nothing is found."""
        text = text.strip()
        if not text:
            return SearchResults(text, (), 0)
        q, message = self._parser.parse(text)
        if q is query.NullQuery:
            hits, total, exact = self._common_words(text, limit, kind)
            return SearchResults(text, tuple(hits), total, message=message, total_exact=exact)
        filter_q = query.Term("kind", kind) if kind else None
        with self._lock:
            assert self._texts is not None
            speller = Speller(self._searcher.reader(), self._texts, self._analyzer)
            found = self._found(text, q, limit, filter_q, speller.correct(text, q, typing=typing))
            if typing and not found.hits:
                # Nothing at all, even for some of the words: the last word is looked at too.
                suggestion = speller.correct(text, q)
                if suggestion is not None:
                    found = self._found(text, q, limit, filter_q, suggestion)
        hits, total, exact, corrected, used, loose_message = found
        return SearchResults(
            text, tuple(hits), total, corrected, used, message or loose_message, exact
        )

    def _found(
        self, text: str, q: Any, limit: int, filter_q: Any, suggestion: str | None
    ) -> _Found:
        """The hits of ``q``, or of ``suggestion`` when ``q`` finds nothing; then, when few
        pages have every word, the pages with some of them. The lock is held."""
        hits, total, exact = self._ranked(q, limit, filter_q)
        used, searched, message = False, text, None
        if suggestion is not None and total == 0:  # the correction's pages
            fixed, _ = self._parser.parse(suggestion)
            hits, total, exact = self._ranked(fixed, limit, filter_q)
            used, searched = True, suggestion
        if total < min(limit, FEW):
            # Few pages have every word: the pages with some of them follow.
            loose = self._parser.parse_any(searched)
            if loose is not None:
                # The pages already listed are masked out, so only the rest are
                # scored and given snippets.
                listed = query.Or([query.Term("doc_id", h.doc_id) for h in hits])
                extra, more_total, more_exact = self._ranked(
                    loose, limit - len(hits), filter_q, mask=listed if hits else None
                )
                if extra and not hits:
                    message = "no article has all the words; these have some"
                hits += extra
                if more_total:
                    total, exact = total + more_total, exact and more_exact
        return _Found(hits, total, exact, suggestion, used, message)

    def _ranked(
        self, q: Any, limit: int, filter_q: Any, mask: Any = None
    ) -> tuple[list[Hit], int, bool]:
        """The best ``limit`` hits of ``q``, the words close together ranked higher; how
        many documents match, and whether that count is exact. The lock is held."""
        s = self._searcher
        near = near_words(q)
        results = s.search(q, limit=ask_for(limit, near), filter=filter_q, mask=mask)
        total, exact = _count(results, ask_for(limit, near))
        best = rerank_near(s, results, near, limit)
        assert self._texts is not None
        return make_hits(best, q, s.reader(), self._texts), total, exact

    def _common_words(self, text: str, limit: int, kind: str | None) -> tuple[list[Hit], int, bool]:
        """The documents whose shown text has the query's words in a row, for a query of
        words too common to index ("to be or not to be"), most occurrences first; and how
        many there are (exact unless more than :data:`COMMON_WORDS_READ` texts had to
        be read, which is where it stops)."""
        words = _PLAIN_WORD.findall(text)
        if not words:
            return [], 0, True
        pattern = re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)
        found: list[tuple[int, str, str, str, list[tuple[int, int]]]] = []
        with self._lock:
            assert self._texts is not None
            read = 0
            for doc_id, body, note in self._texts.containing(words, COMMON_WORDS_READ + 1):
                read += 1
                if read > COMMON_WORDS_READ:
                    break
                spans = [m.span() for m in pattern.finditer(body)]
                if spans:
                    found.append((-len(spans), doc_id, body, note, spans))
            found.sort()
            hits: list[Hit] = []
            for count, doc_id, body, note, spans in found:
                if len(hits) == limit:
                    break
                fields = self._searcher.document(doc_id=doc_id)
                if fields is None or (kind and fields.get("kind") != kind):
                    continue
                base = int(fields.get("base") or 0)
                hits.append(
                    Hit(
                        doc_id=doc_id,
                        kind=fields.get("kind", ARTICLE),
                        article_id=fields.get("article_id", ""),
                        title=fields.get("title", ""),
                        score=float(-count),
                        snippets=tuple(make_snippets(body, spans, base)),
                        offsets=tuple((base + s, base + e) for s, e in spans),
                        note=note,
                    )
                )
        return hits, len(found), read <= COMMON_WORDS_READ


_PLAIN_WORD = re.compile(r"\w+")


def _stored_problem(path: Path) -> str | None:
    """Why the index in ``path`` cannot be used as it is ("" when there is none), or None."""
    if not path.exists():
        return ""
    with _closing_abandoned_files():
        try:
            present = whoosh_index.exists_in(str(path), "MAIN")
        except Exception:
            present = True  # a table of contents that cannot be read: let open_dir fail
            gc.collect()  # while ResourceWarnings are quiet
    if not present:
        return "the search index was missing and was rebuilt"
    try:
        version = json.loads((path / VERSION_FILE).read_text())["schema"]
    except (OSError, ValueError, KeyError, TypeError):
        return "the search index had no version stamp and was rebuilt"
    if version != SCHEMA_VERSION:
        return "the search index was from another version and was rebuilt"
    if not (path / TEXTS_FILE).is_file():
        return "the search index had lost its texts and was rebuilt"
    return None


def index_trouble(path: Path) -> str | None:
    """What is wrong with the index in ``path`` (None: nothing), found without changing it."""
    whoosh_setup.install()
    problem = _stored_problem(path)
    if problem == "":
        return "there is no search index yet"
    if problem is not None:
        return problem.removesuffix(" and was rebuilt")
    with _closing_abandoned_files():
        try:
            ix = FileStorage(str(path)).open_index("MAIN")
            with ix.searcher() as searcher:
                searcher.doc_count()
        except Exception as exc:  # whoosh has no common error type for damage
            gc.collect()  # while ResourceWarnings are quiet
            return f"the search index is unreadable ({type(exc).__name__})"
    return None


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
        "headings": "\n".join(doc.headings),
    }


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
    """whoosh leaves files open when it fails to read a damaged index; close them quietly.

    Only a failure leaves such files, so only a failure pays for a collection
    (a full one holds every thread for tens of milliseconds).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        except BaseException:
            gc.collect()
            raise
