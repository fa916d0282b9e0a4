"""Judged search-quality benchmark: how well reader's search ranks the right pages.

Run by hand:

    .venv/bin/python bench/search_quality.py [--split dev|test|all] [--limit-queries N]
                                             [--seed S] [--docs-only] [--show-misses N]

The corpus is Debian's ``python3.11-doc`` package (fetched with ``apt-get download``
into bench/corpus/, which git ignores): one document per HTML page, its title the
page's <h1> and its text the visible main text of the page (the Sphinx "body" div).
Nobody here wrote it, and nobody here judged it either: the judgments are the
documentation's own general index (genindex-all.html). An index entry such as
"garbage collection" is a query, and the pages its links point to are the pages
relevant to it (grade 2 for links the index marks as main entries, 1 otherwise).

Each query is also asked with one typing mistake (one deletion, insertion,
substitution or transposition of letters in its longest word of five letters or
more), to see how much of the ranking survives a slip of the finger.

Engines, on the same documents in the same run:

- reader: ``SearchIndex`` built in a temporary folder, asked ``search(text, 10)``,
  ranked as its hits come; it measures whatever parsing and ranking the package has
  when the script runs;
- SQLite FTS5 (``porter unicode61``, ``bm25()`` with the title weighted 10x), the
  words ANDed (FTS5's default), and a second row with the words ORed;
- textbook BM25 (k1=1.2, b=0.75), the words ORed over title and text as one field,
  lower-cased ``\\w+`` words less a small list of stop words, with an "s" stemmer.

Printed: MRR@10 and nDCG@10 (gain 2^grade - 1) over the queries, clean and with
the typo, the typo/clean ratio of MRR, and the median time per query; with --split
all, the same run's dev and test halves too. --show-misses N lists queries another
engine answers in its top 10 and reader does not. The rules that turn index entries
into queries, and measured results, are in bench/README.md ("Search quality benchmark").
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import math
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import lxml.html

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.search import ARTICLE, IndexDoc, SearchIndex  # noqa: E402

CORPUS = HERE / "corpus"
PACKAGE = "python3.11-doc"
HTML = Path("usr/share/doc/python3.11/html")
LIMIT = 10
MAX_QUERIES = 1000
DEFAULT_SEED = 20261127

# Pages that are not documents a reader would read: indexes, tables of contents,
# the search page, and Sphinx's own folders.
SKIP_DIRS = frozenset({"_static", "_sources", "_images", "_downloads"})
SKIP_PAGES = re.compile(r"^(genindex.*|search|index|contents|py-modindex)\.html$")


# --- corpus ------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    path: str  # relative to the HTML root, e.g. "library/re.html"
    title: str
    text: str  # the shown text: the main text, starting with the <h1>
    headings: tuple[str, ...] = ()  # the <h2>…<h6> section headings, as reader indexes them


def html_root() -> Path:
    """The python3.11-doc HTML tree, downloaded and unpacked once under bench/corpus/."""
    own = CORPUS / "quality"
    # bench/search_bench.py unpacks the same package into bench/corpus/tree.
    for tree in (CORPUS / "tree", own / "tree"):
        if (tree / HTML / "genindex-all.html").exists():
            return tree / HTML
    debs = sorted((CORPUS / "debs").glob(f"{PACKAGE}_*.deb")) + sorted(own.glob(f"{PACKAGE}_*.deb"))
    if not debs:
        own.mkdir(parents=True, exist_ok=True)
        print(f"fetching {PACKAGE} with apt-get download …", flush=True)
        subprocess.run(["apt-get", "download", PACKAGE], cwd=own, check=True)
        debs = sorted(own.glob(f"{PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(own / "tree")], check=True)
    return own / "tree" / HTML


class _MainText(HTMLParser):
    """The first <h1> and the visible text of a Sphinx page's "body" div."""

    BLOCK = frozenset(
        {"p", "li", "pre", "dt", "dd", "div", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6",
         "table", "section", "blockquote", "ul", "ol", "dl"}
    )  # fmt: skip
    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.headings: list[str] = []
        self._heading: list[str] | None = None
        self._depth = 0  # open divs inside the body div (0: outside it)
        self._hidden = 0
        self._in_h1 = False
        self._seen_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._depth:
            classes = (dict(attrs).get("class") or "").split()
            if tag == "div" and "body" in classes:
                self._depth = 1
            return
        if tag == "div":
            self._depth += 1
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "h1" and not self._seen_h1:
            self._in_h1 = self._seen_h1 = True
        elif tag in ("h2", "h3", "h4", "h5", "h6"):
            self._heading = []
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "div":
            self._depth -= 1
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "h1":
            self._in_h1 = False
        elif tag in ("h2", "h3", "h4", "h5", "h6") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).replace("¶", " ").split()))
            self._heading = None
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._depth or self._hidden:
            return
        self.parts.append(data)
        if self._in_h1:
            self.title_parts.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _clean(text: str) -> str:
    lines = (" ".join(line.replace("¶", " ").split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def load_pages(root: Path) -> list[Page]:
    pages = []
    for file in sorted(root.rglob("*.html")):
        rel = file.relative_to(root)
        if SKIP_DIRS.intersection(rel.parts) or SKIP_PAGES.match(rel.name):
            continue
        parser = _MainText()
        parser.feed(file.read_text(encoding="utf-8", errors="replace"))
        parser.close()
        title = _clean("".join(parser.title_parts)).replace("\n", " ")
        text = _clean("".join(parser.parts))
        if title and text:
            headings = tuple(h for h in parser.headings if h)
            pages.append(Page(rel.as_posix(), title, text, headings))
    return pages


# --- judgments and queries ---------------------------------------------------


@dataclass
class Query:
    text: str
    relevant: dict[str, int]  # page path -> grade (2: a main entry's link, 1: other links)
    typo: str = ""

    @property
    def split(self) -> str:
        digest = hashlib.sha256(self.text.casefold().encode()).digest()
        return "dev" if digest[0] % 2 == 0 else "test"


def _words(text: str) -> list[str]:
    """A term's words: parenthesised qualifiers and possessives dropped, then runs of
    letters, digits and underscores, the underscores around them stripped ("__init__"
    -> "init"), less the words of one character (the "u" of "-u")."""
    while True:
        dropped = re.sub(r"\([^()]*\)", " ", text)
        if dropped == text:
            break
        text = dropped
    text = re.sub(r"['’]s\b", "", text).replace("'", "").replace("’", "")
    return [w for w in (m.strip("_") for m in re.findall(r"\w+", text)) if len(w) > 1]


def _links(li: lxml.html.HtmlElement) -> tuple[str, list[tuple[str, bool]]]:
    """An index entry's own term and its links (target page, marked as main entry)."""
    anchors = li.xpath("./a")
    term = anchors[0].text_content() if anchors else li.text or ""
    links = [(a.get("href", ""), bool(a.xpath("./strong"))) for a in anchors]
    return " ".join(term.split()), links


def index_entries(root: Path) -> Iterable[tuple[str, list[tuple[str, bool]]]]:
    """(entry text, links) for every entry and sub-entry of the general index.

    A sub-entry is read with its parent's term in front ("gc" > "module" gives
    "gc module"); a parent whose term has no letter at all (an operator such as
    "!=" or "# (hash)") is left out with its sub-entries.
    """
    tree = lxml.html.parse(str(root / "genindex-all.html"))
    for li in tree.xpath('//table[contains(@class, "genindextable")]//td/ul/li'):
        term, links = _links(li)
        if not any(c.isalpha() for c in " ".join(_words(term))):
            continue
        yield term, links
        for sub in li.xpath("./ul/li"):
            sub_term, sub_links = _links(sub)
            yield f"{term} {sub_term}", sub_links


def build_queries(root: Path, pages: set[str]) -> tuple[list[Query], Counter[str]]:
    """Every eligible query, in a fixed order, and why the other entries were left out."""
    found: dict[str, Query] = {}
    why: Counter[str] = Counter()
    for term, links in index_entries(root):
        words = _words(term)
        if len(words) < 2:
            why["fewer than two words"] += 1
            continue
        if not any(len(w) >= 5 and w.isalpha() for w in words):
            why["no word of 5+ letters (for the typo)"] += 1
            continue
        relevant: dict[str, int] = {}
        for href, main in links:
            page = href.partition("#")[0]
            if page in pages:
                relevant[page] = max(relevant.get(page, 0), 2 if main else 1)
        if not relevant:
            why["no linked page in the corpus"] += 1
            continue
        text = " ".join(words)
        key = text.casefold()
        if key in found:
            why["duplicate (judgments merged)"] += 1
            for page, grade in relevant.items():
                found[key].relevant[page] = max(found[key].relevant.get(page, 0), grade)
        else:
            found[key] = Query(text, relevant)
    return sorted(found.values(), key=lambda q: q.text.casefold()), why


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def with_typo(text: str, seed: int) -> str:
    """The query with one edit in its longest word of 5+ letters (the first such, on a tie).

    The edit (deletion, insertion, substitution or transposition) and its place come
    from a generator seeded by the seed and the query, so a query's typo does not
    depend on which other queries are asked.
    """
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    at = max(candidates, key=lambda i: (len(words[i]), -i))
    word = words[at]
    rng = random.Random(f"{seed}:{text}")
    while True:
        kind = rng.choice(("delete", "insert", "substitute", "transpose"))
        i = rng.randrange(len(word))
        if kind == "delete":
            typo = word[:i] + word[i + 1 :]
        elif kind == "insert":
            typo = word[:i] + rng.choice(LETTERS) + word[i:]
        elif kind == "substitute":
            typo = word[:i] + rng.choice(LETTERS.replace(word[i].lower(), "")) + word[i + 1 :]
        else:
            i = min(i, len(word) - 2)
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if typo.casefold() != word.casefold():
            break
    words[at] = typo
    return " ".join(words)


def pick_queries(eligible: Sequence[Query], seed: int, split: str, limit: int) -> list[Query]:
    chosen = random.Random(seed).sample(list(eligible), min(MAX_QUERIES, len(eligible)))
    if split != "all":
        chosen = [q for q in chosen if q.split == split]
    if limit:
        chosen = chosen[:limit]
    for q in chosen:
        q.typo = with_typo(q.text, seed)
    return chosen


# --- engines -----------------------------------------------------------------

Engine = Callable[[str], list[str]]  # query -> page paths, best first


def reader_engine(work: Path, pages: Sequence[Page]) -> tuple[Engine, SearchIndex]:
    docs = {}
    for n, page in enumerate(pages):
        doc_id = f"{ARTICLE}:p{n}"
        stamp = hashlib.sha1(page.text.encode()).hexdigest()
        docs[doc_id] = IndexDoc(
            doc_id, ARTICLE, f"p{n}", page.title, page.text, stamp=stamp, headings=page.headings
        )
    index = SearchIndex(work / "index")

    def load(ids: Sequence[str]) -> Iterable[IndexDoc]:
        return (docs[i] for i in ids)

    index.sync({d.doc_id: d.stamp for d in docs.values()}, load)

    def search(text: str) -> list[str]:
        ranked: list[str] = []
        for hit in index.search(text, LIMIT).hits:
            page = pages[int(hit.article_id[1:])].path
            if hit.kind == ARTICLE and page not in ranked:
                ranked.append(page)
        return ranked

    return search, index


FTS_SQL = "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 10.0, 1.0) LIMIT ?"


def fts_engines(pages: Sequence[Page]) -> tuple[Engine, Engine, sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')")
    with db:
        db.executemany(
            "INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)",
            ((n, p.title, p.text) for n, p in enumerate(pages)),
        )

    def run(text: str, joiner: str) -> list[str]:
        words = ['"' + w.replace('"', '""') + '"' for w in re.findall(r"\w+", text)]
        if not words:
            return []
        rows = db.execute(FTS_SQL, (joiner.join(words), LIMIT)).fetchall()
        return [pages[rowid].path for (rowid,) in rows]

    return (lambda t: run(t, " ")), (lambda t: run(t, " OR ")), db


STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have",
    "if", "in", "into", "is", "it", "its", "no", "not", "of", "on", "or", "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to", "was", "were", "which",
    "will", "with",
})  # fmt: skip


def _s_stem(word: str) -> str:
    """Harman's "S" stemmer: plurals only (queries -> query, classes -> classe)."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def bm25_terms(text: str) -> list[str]:
    return [_s_stem(w) for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS]


@dataclass
class BM25:
    """Okapi BM25 over one field, the query's terms ORed."""

    k1: float = 1.2
    b: float = 0.75
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)

    def add(self, texts: Iterable[str]) -> None:
        grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for n, text in enumerate(texts):
            terms = bm25_terms(text)
            self.lengths.append(len(terms))
            for term, tf in Counter(terms).items():
                grouped[term].append((n, tf))
        self.postings = dict(grouped)

    def search(self, text: str, limit: int) -> list[int]:
        n_docs = len(self.lengths)
        avgdl = sum(self.lengths) / n_docs
        scores: dict[int, float] = defaultdict(float)
        for term in set(bm25_terms(text)):
            posting = self.postings.get(term, [])
            idf = math.log(1 + (n_docs - len(posting) + 0.5) / (len(posting) + 0.5))
            for doc, tf in posting:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc] / avgdl)
                scores[doc] += idf * tf * (self.k1 + 1) / (tf + norm)
        return heapq.nsmallest(limit, scores, key=lambda d: (-scores[d], d))


def bm25_engine(pages: Sequence[Page]) -> Engine:
    bm25 = BM25()
    # The shown text starts with the title: title and text as one field.
    bm25.add(p.text for p in pages)
    return lambda text: [pages[d].path for d in bm25.search(text, LIMIT)]


# --- metrics -----------------------------------------------------------------


def reciprocal_rank(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    for i, page in enumerate(ranked[:LIMIT]):
        if relevant.get(page, 0) > 0:
            return 1 / (i + 1)
    return 0.0


def ndcg(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    def dcg(grades: Iterable[int]) -> float:
        return sum(((1 << g) - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:LIMIT])
    return dcg(relevant.get(p, 0) for p in ranked[:LIMIT]) / ideal if ideal else 0.0


@dataclass
class Run:
    name: str
    clean: list[list[str]] = field(default_factory=list)
    typo: list[list[str]] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)


def run_engine(name: str, engine: Engine, queries: Sequence[Query]) -> Run:
    run = Run(name)
    engine(queries[0].text)  # warm: the first search opens what it needs
    for q in queries:
        for text, out in ((q.text, run.clean), (q.typo, run.typo)):
            start = time.perf_counter()
            out.append(engine(text))
            run.ms.append((time.perf_counter() - start) * 1000)
    return run


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def scores(
    run: Run, queries: Sequence[Query], split: str = "all"
) -> tuple[float, float, float, float]:
    """MRR@10 and nDCG@10, clean and with the typo, over the queries of a split."""
    keep = [n for n, q in enumerate(queries) if split in ("all", q.split)]
    return (
        mean(reciprocal_rank(run.clean[n], queries[n].relevant) for n in keep),
        mean(ndcg(run.clean[n], queries[n].relevant) for n in keep),
        mean(reciprocal_rank(run.typo[n], queries[n].relevant) for n in keep),
        mean(ndcg(run.typo[n], queries[n].relevant) for n in keep),
    )


def sources_digest() -> str:
    """A short digest of reader/search/*.py, to tell which ranking a table measured."""
    digest = hashlib.sha256()
    for file in sorted((HERE.parent / "reader" / "search").glob("*.py")):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]


def show_misses(
    runs: Sequence[Run], queries: Sequence[Query], titles: dict[str, str], count: int
) -> None:
    """Queries the other engines answer within the top 10 and reader does not."""
    reader, others = runs[0], runs[1:]
    for kind in ("clean", "typo"):
        missed = []
        for n, q in enumerate(queries):
            mine = getattr(reader, kind)[n]
            if reciprocal_rank(mine, q.relevant):
                continue
            found = {r.name: reciprocal_rank(getattr(r, kind)[n], q.relevant) for r in others}
            if max(found.values()) > 0:
                missed.append((-max(found.values()), n, found))
        missed.sort()
        print(f"\n{kind}: {len(missed)} queries found in the top {LIMIT} by another engine, "
              f"not by reader; the first {min(count, len(missed))}:")  # fmt: skip
        for _, n, found in missed[:count]:
            q = queries[n]
            asked = q.text if kind == "clean" else q.typo
            ranks = ", ".join(f"{name} #{round(1 / rr)}" for name, rr in found.items() if rr)
            wanted = ", ".join(sorted(q.relevant, key=lambda p: -q.relevant[p])[:3])
            top = "; ".join(f"{p} ({titles[p]})" for p in getattr(reader, kind)[n][:3])
            print(f"- {asked!r} -> {wanted}  [{ranks}]\n    reader: {top or '(no hits)'}")


# --- main --------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit-queries", type=int, default=0, metavar="N",
                        help="ask only the first N sampled queries")  # fmt: skip
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="seed of the query sample and the typos")  # fmt: skip
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all",
                        help="half of the queries (by a hash of their text), or all")  # fmt: skip
    parser.add_argument("--docs-only", action="store_true",
                        help="print the corpus and judgment statistics and stop")  # fmt: skip
    parser.add_argument("--show-misses", type=int, default=0, metavar="N",
                        help="list N queries other engines find and reader does not")  # fmt: skip
    args = parser.parse_args()

    print(f"reader/search sources {sources_digest()}, {time.strftime('%Y-%m-%d')}")
    root = html_root()
    pages = load_pages(root)
    chars = sum(len(p.text) for p in pages)
    print(f"corpus: {len(pages)} pages of {PACKAGE}, {chars / 1e6:.1f} M characters")
    eligible, why = build_queries(root, {p.path for p in pages})
    left_out = ", ".join(f"{n} {reason}" for reason, n in why.most_common())
    print(f"judgments: {len(eligible)} eligible index entries (left out: {left_out})")
    queries = pick_queries(eligible, args.seed, args.split, args.limit_queries)
    judged = mean(len(q.relevant) for q in queries)
    mains = mean(sum(g == 2 for g in q.relevant.values()) for q in queries)
    print(f"queries: {len(queries)}, split {args.split}, seed {args.seed}; "
          f"{judged:.2f} judged pages per query ({mains:.2f} of grade 2)")  # fmt: skip
    if args.docs_only or not queries:
        return 0

    with tempfile.TemporaryDirectory(prefix="reader-quality-") as tmp:
        start = time.perf_counter()
        reader, index = reader_engine(Path(tmp), pages)
        builds = [f"reader {time.perf_counter() - start:.1f} s"]
        start = time.perf_counter()
        fts_and, fts_or, db = fts_engines(pages)
        builds.append(f"FTS5 {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        bm25 = bm25_engine(pages)
        builds.append(f"BM25 {time.perf_counter() - start:.1f} s")
        print("index build:", ", ".join(builds))
        try:
            runs = [
                run_engine("reader", reader, queries),
                run_engine("FTS5 bm25, words ANDed", fts_and, queries),
                run_engine("FTS5 bm25, words ORed", fts_or, queries),
                run_engine("BM25 k1=1.2 b=0.75, words ORed", bm25, queries),
            ]
        finally:
            index.close()
            db.close()

    print(
        "\n| engine | MRR@10 clean | nDCG@10 clean | MRR@10 typo | nDCG@10 typo "
        "| typo/clean | ms/query (median) |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    table = {r.name: scores(r, queries) for r in runs}
    for run in runs:
        mrr, nd, mrr_t, nd_t = table[run.name]
        ratio = mrr_t / mrr if mrr else 0.0
        print(f"| {run.name} | {mrr:.3f} | {nd:.3f} | {mrr_t:.3f} | {nd_t:.3f} | {ratio:.2f} "
              f"| {statistics.median(run.ms):.2f} |")  # fmt: skip
    if args.split == "all":
        # The same run's halves, for comparing a ranking tuned on dev with test.
        for half in ("dev", "test"):
            count = sum(q.split == half for q in queries)
            for run in runs:
                mrr, nd, mrr_t, nd_t = scores(run, queries, half)
                ratio = mrr_t / mrr if mrr else 0.0
                print(f"| {run.name} ({half}, {count} queries) | {mrr:.3f} | {nd:.3f} "
                      f"| {mrr_t:.3f} | {nd_t:.3f} | {ratio:.2f} | |")  # fmt: skip
    fts = [v for name, v in table.items() if name.startswith("FTS5")]
    print(f"\ntarget (best FTS5 MRR@10 + 0.02): clean {max(v[0] for v in fts) + 0.02:.3f}, "
          f"typo {max(v[2] for v in fts) + 0.02:.3f}")  # fmt: skip
    if args.show_misses:
        show_misses(runs, queries, {p.path: p.title for p in pages}, args.show_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
