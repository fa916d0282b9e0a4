"""Search benchmark: reader's Whoosh index beside SQLite FTS5 on the same documents.

Run by hand:  .venv/bin/python bench/search_bench.py [--docs N]

The corpus is Debian's documentation (python3.11-doc, perl-doc, manpages,
manpages-dev), fetched with ``apt-get download`` into bench/corpus/ (ignored by
git) and cut into one document per section. Nobody here wrote it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.search import ARTICLE, IndexDoc, SearchIndex  # noqa: E402

CORPUS = HERE / "corpus"
RUNS = 7
PACKAGES = ("python3.11-doc", "perl-doc", "manpages", "manpages-dev")

QUERIES = [
    "file descriptor", "regular expression", "socket timeout", "unicode decode error",
    "thread lock", "signal handler", "environment variable", "list comprehension",
    "hash table", "memory allocation", "string formatting", "exception handling",
    "context manager", "garbage collection", "command line arguments", "standard output",
    "binary search", "sort order", "network interface", "shared memory", "child process",
    "exit status", "time zone", "locale encoding", "symbolic link", "file permissions",
    "buffer overflow", "default value", "iterator protocol", "abstract base class",
    "module import", "virtual environment", "json decode", "csv reader", "random number",
    "floating point", "integer division", "dictionary keys", '"regular expression"',
    '"file descriptor"', "mutex", "deprecated", "closure", "subroutine reference",
    "hash slice", "sprintf", "open2", "getaddrinfo", "pthread_create", "mmap",
    "utf-8 encoding", "signal mask", "semaphore", "zombie process", "daemon",
    "asyncio event loop", "decorator", "generator expression", "pickle protocol",
    "tempfile", "select poll", "errno", "setlocale", "strftime",
]  # fmt: skip


# --- corpus ------------------------------------------------------------------


class _HtmlSections(HTMLParser):
    """Text of a Sphinx page, one section per h1/h2/h3."""

    SKIP = frozenset({"script", "style", "nav", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self._skip = 0
        self._skip_tag = ""
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            self._skip += tag == self._skip_tag
            return
        cls = dict(attrs).get("class") or ""
        if tag in self.SKIP or any(c in cls for c in ("sphinxsidebar", "related", "footer")):
            self._skip, self._skip_tag = 1, tag
        elif tag in ("h1", "h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            self._skip -= tag == self._skip_tag
            return
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            title = " ".join("".join(self._heading).replace("¶", "").split())
            self.sections.append((title, []))
            self._heading = None
        elif tag in ("p", "li", "pre", "dt", "dd", "div", "tr"):
            self.sections[-1][1].append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading.append(data)
        else:
            self.sections[-1][1].append(data)


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _python_docs(root: Path) -> Iterator[tuple[str, str]]:
    for page in sorted(root.rglob("*.html")):
        parser = _HtmlSections()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for title, parts in parser.sections:
            body = _clean("".join(parts))
            if title and len(body) > 200:
                yield title, body


def _pods(root: Path) -> Iterator[tuple[str, str]]:
    for pod in sorted(root.rglob("*.pod")):
        text = pod.read_text(encoding="utf-8", errors="replace")
        for chunk in re.split(r"^=head[12] ", text, flags=re.MULTILINE)[1:]:
            title, _, body = chunk.partition("\n")
            body = re.sub(r"^=\w+.*$", "", body, flags=re.MULTILINE)
            body = re.sub(r"[A-Z]<+([^<>]*)>+", r"\1", body)
            body = _clean(body)
            if len(body) > 200:
                yield f"{pod.stem}: {title.strip()}", body


def _manpages(root: Path) -> Iterator[tuple[str, str]]:
    for page in sorted(root.rglob("*.gz")):
        if "/man/" not in str(page) or re.search(r"/man/[a-z]{2}[_/]", str(page)):
            continue
        try:
            text = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
        except OSError:
            continue
        name = page.name.removesuffix(".gz")
        for chunk in re.split(r"^\.SH ", text, flags=re.MULTILINE)[1:]:
            title, _, body = chunk.partition("\n")
            body = re.sub(r"^\.\S+\s?", "", body, flags=re.MULTILINE)
            body = re.sub(r"\\f[BIRP]|\\\(\w\w|\\-|\\&|\\e", " ", body)
            body = _clean(body)
            if len(body) > 200:
                yield f"{name}: {title.strip().strip(chr(34))}", body


def fetch_corpus() -> list[tuple[str, str]]:
    cache = CORPUS / "docs.jsonl"
    if cache.exists():
        return [tuple(json.loads(line)) for line in cache.open()]  # type: ignore[misc]
    debs = CORPUS / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    if not list(debs.glob("*.deb")):
        print("fetching", ", ".join(PACKAGES), "with apt-get download …", flush=True)
        subprocess.run(["apt-get", "download", *PACKAGES], cwd=debs, check=True)
    tree = CORPUS / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
    docs = list(_python_docs(tree)) + list(_pods(tree)) + list(_manpages(tree))
    with cache.open("w") as fh:
        for doc in docs:
            fh.write(json.dumps(doc) + "\n")
    return docs


# --- the two engines ---------------------------------------------------------


def whoosh_docs(corpus: Sequence[tuple[str, str]]) -> dict[str, IndexDoc]:
    out = {}
    for n, (title, body) in enumerate(corpus):
        doc_id = f"{ARTICLE}:d{n}"
        text = f"{title}\n{body}"
        out[doc_id] = IndexDoc(doc_id, ARTICLE, f"d{n}", title, text, stamp=str(hash(text)))
    return out


def build_whoosh(path: Path, docs: dict[str, IndexDoc]) -> SearchIndex:
    index = SearchIndex(path)

    def load(ids: Sequence[str]) -> Iterable[IndexDoc]:
        return (docs[i] for i in ids)

    index.sync({d.doc_id: d.stamp for d in docs.values()}, load)
    return index


FTS_SQL = (
    "SELECT rowid, title, snippet(docs, 1, '**', '**', '…', 24), bm25(docs, 3.0, 1.0) "
    "FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 1.0) LIMIT 10"
)


def build_fts(path: Path, corpus: Sequence[tuple[str, str]]) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')")
    with db:
        db.executemany(
            "INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)",
            ((n, t, f"{t}\n{b}") for n, (t, b) in enumerate(corpus)),
        )
    return db


def fts_query(text: str) -> str:
    """The same words ANDed (and phrases kept) in FTS5 syntax."""
    phrases = re.findall(r'"([^"]+)"', text)
    rest = re.sub(r'"[^"]+"', " ", text)
    words = re.findall(r"\w+", rest)
    return " ".join([f'"{p}"' for p in phrases] + [f'"{w}"' for w in words])


# --- measuring ---------------------------------------------------------------


def timed(fn: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000, result


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


COLD = """
import sys, time
sys.path.insert(0, {root!r})
engine, path, q = sys.argv[1:4]
if engine == "whoosh":
    from reader.search import SearchIndex
    from pathlib import Path
    t = time.perf_counter()
    ix = SearchIndex(Path(path)); r = ix.search(q, limit=10); n = len(r.hits)
else:
    import sqlite3
    t = time.perf_counter()
    db = sqlite3.connect(path); n = len(db.execute({sql!r}, (q,)).fetchall())
print((time.perf_counter() - t) * 1000, n)
"""


def cold(engine: str, path: Path, query: str) -> float:
    script = COLD.format(root=str(HERE.parent), sql=FTS_SQL)
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", script, engine, str(path), query],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        runs.append(float(out[0]))
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=0, help="use only the first N documents")
    args = parser.parse_args()
    corpus = fetch_corpus()
    if args.docs:
        corpus = corpus[: args.docs]
    work = Path(tempfile.mkdtemp(prefix="reader-bench-"))
    chars = sum(len(t) + len(b) for t, b in corpus)
    print(f"corpus: {len(corpus):,} documents, {chars / 1e6:.1f} M characters")

    docs = whoosh_docs(corpus)
    w_build, index = timed(build_whoosh, work / "whoosh", docs)
    f_build, db = timed(build_fts, work / "fts.sqlite3", corpus)
    assert isinstance(index, SearchIndex) and isinstance(db, sqlite3.Connection)

    # Each query runs RUNS times; its latency is the median of those runs, and
    # p50/p95 are taken over the queries (this machine's timer noise is large).
    w_times, f_times, w_hits, f_hits = [], [], 0, 0
    for q in QUERIES:  # warm both once
        index.search(q, limit=10)
        db.execute(FTS_SQL, (fts_query(q),)).fetchall()
    for q in QUERIES:
        w_runs, f_runs = [], []
        for _ in range(RUNS):
            ms, res = timed(index.search, q, 10)
            w_runs.append(ms)
            ms, rows = timed(lambda s: db.execute(FTS_SQL, (s,)).fetchall(), fts_query(q))
            f_runs.append(ms)
        w_hits += len(res.hits)  # type: ignore[attr-defined]
        f_hits += len(rows)  # type: ignore[arg-type]
        w_times.append(statistics.median(w_runs))
        f_times.append(statistics.median(f_runs))

    rng = random.Random(7)
    w_change, f_change = [], []
    for k in range(9):
        n = rng.randrange(len(corpus))
        word = f"zqxchange{k}"
        doc_id = f"{ARTICLE}:d{n}"
        old = docs[doc_id]
        new = IndexDoc(doc_id, ARTICLE, old.article_id, old.title, old.body + f"\n{word}",
                       stamp=f"changed{k}")  # fmt: skip
        docs[doc_id] = new

        def change_whoosh(new: IndexDoc = new, word: str = word) -> int:
            index.sync(
                {d.doc_id: d.stamp for d in docs.values()}, lambda ids: (docs[i] for i in ids)
            )
            return len(index.search(word).hits)

        def change_fts(n: int = n, new: IndexDoc = new, word: str = word) -> int:
            with db:
                db.execute("UPDATE docs SET body=? WHERE rowid=?", (new.body, n))
            return len(db.execute(FTS_SQL, (word,)).fetchall())

        ms, found = timed(change_whoosh)
        assert found == 1
        w_change.append(ms)
        ms, found = timed(change_fts)
        assert found == 1
        f_change.append(ms)
    index.close()
    db.close()

    w_cold = cold("whoosh", work / "whoosh", QUERIES[0])
    f_cold = cold("fts", work / "fts.sqlite3", fts_query(QUERIES[0]))

    rows = [
        ("full build (s)", w_build / 1000, f_build / 1000),
        ("query + snippets p50 (ms)", statistics.median(w_times), statistics.median(f_times)),
        ("query + snippets p95 (ms)", percentile(w_times, 95), percentile(f_times, 95)),
        ("one change -> searchable (ms)", statistics.median(w_change), statistics.median(f_change)),
        ("cold open + first query (ms)", w_cold, f_cold),
    ]
    print(f"{len(QUERIES)} queries, median of {RUNS} runs each; top-10 hits returned: "
          f"whoosh {w_hits}, fts5 {f_hits}")  # fmt: skip
    print("\n| measure | reader (Whoosh) | SQLite FTS5 | ratio |\n|---|---:|---:|---:|")
    for name, w, f in rows:
        print(f"| {name} | {w:,.2f} | {f:,.2f} | {w / f:,.1f}x |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
