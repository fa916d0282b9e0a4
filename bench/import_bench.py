"""Import benchmark: reader's article importer on real saved web pages, beside trafilatura.

Run by hand:  .venv/bin/python bench/import_bench.py [--way html|text|both] [--limit N]
                  [--jobs N] [--worst N] [--corpus PATH]

The corpus is trafilatura's evaluation set, kept outside the repository in
../shared/corpora/web-pages (never copy it in; see its README.md): 445 gzipped
saved pages and cases.json, which names for each page its headline and the
snippets its article text must contain ("with") and the site furniture it must
not ("without"). Nobody here wrote it.

Each page is imported two ways, and each way is scored on the text reader shows
(rendering.render(markdown).text):

- saved page: the page's .html bytes through reader.library.importing.convert_bytes;
- scraped text: the whole visible text of the page's <body> as a scraper gives it,
  menus and footers included, one block per line (see scrape below), written as
  UTF-8 and imported through the same convert_bytes as a .txt file.

Peers and the floor are measured in the same run: trafilatura.extract on the
.html bytes with its defaults (its title from trafilatura.extract_metadata), and
the scraped text with no cleaning at all.

Scoring as the corpus README says, the way trafilatura scores itself: a "with"
snippet found in the output is a true positive, one missing a false negative; a
"without" snippet found is a false positive, one absent a true negative;
precision, recall and F1 over all snippets of all pages. Output and snippets are
compared after collapsing white space, case-sensitively. "title = headline"
counts the pages whose title equals the case's title after normalising both
(Unicode NFKC, one kind of quote and dash, collapsed white space, casefolded,
surrounding punctuation stripped); pages without a title are not judged.

A failure is a page that gave no text: reader's ImportFailed, any other
exception (never fatal; each type is listed once at the end), or trafilatura
returning nothing. It scores as an empty output. "seconds" is the time spent in
the method summed over pages (text and title together), whatever --jobs is.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import logging
import multiprocessing
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

import charset_normalizer
import lxml.html
import trafilatura
from lxml import etree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.errors import ImportFailed  # noqa: E402
from reader.library.importing import convert_bytes  # noqa: E402
from reader.rendering import render  # noqa: E402

CORPUS = HERE.parents[1] / "shared" / "corpora" / "web-pages"
T = TypeVar("T")

# The methods, in table order: (key, way, label).
HTML, TRAFILATURA, TEXT, FLOOR = "html", "trafilatura", "text", "floor"
METHODS = (
    (HTML, "saved page", "reader (.html)"),
    (TRAFILATURA, "saved page", f"trafilatura {version('trafilatura')}"),
    (TEXT, "scraped text", "reader (.txt)"),
    (FLOOR, "scraped text", "no cleaning (floor)"),
)
TITLED = frozenset({HTML, TRAFILATURA, TEXT})


def quiet() -> None:
    """Silence the libraries that log every page they find little in."""
    for name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


# --- corpus ------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    file: str  # in pages/, without the .gz
    title: str
    with_: tuple[str, ...]
    without: tuple[str, ...]


def load_cases(corpus: Path) -> list[Case]:
    data = json.loads((corpus / "cases.json").read_text(encoding="utf-8"))
    return [
        Case(
            file=item["file"],
            title=(item.get("title") or "").strip(),
            with_=tuple(s for s in item.get("with", []) if collapse(s)),
            without=tuple(s for s in item.get("without", []) if collapse(s)),
        )
        for item in data.values()
    ]


# --- the whole visible text, as a scraper gives it ---------------------------

SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "iframe",
    "legend", "li", "main", "menu", "nav", "noframes", "ol", "optgroup", "option", "p", "pre",
    "section", "select", "summary", "table", "tbody", "textarea", "tfoot", "thead", "tr", "ul",
})  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
_CELL = "\x00"  # a cell boundary until its line is written; the page's own NULs are dropped
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# Browsers read these labels as windows-1252 (the WHATWG encoding standard).
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})


def decode_page(data: bytes) -> tuple[str, str]:
    """The page's text and how it was read: a BOM, valid UTF-8, the declared charset, a guess."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8 BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16 BOM"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    match = _CHARSET.search(data[:65536])
    if match:
        label = match.group(1).decode("ascii", "replace").lower()
        try:
            text = data.decode("cp1252" if label in _AS_CP1252 else label, "replace")
            return text, f"{label} (declared)"
        except LookupError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best), f"{best.encoding} (guessed)"
    return data.decode("cp1252", "replace"), "cp1252 (fallback)"


class _Lines:
    """Text collected into lines: a block ends its line, a cell adds a tab within it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pre = 0  # inside how many <pre>, whose line ends are kept
        self._parts: list[str] = []

    def add(self, text: str | None) -> None:
        if not text:
            return
        if not self.pre:
            self._parts.append(text)
            return
        first, *rest = text.split("\n")
        self._parts.append(first)
        for line in rest:
            self.end()
            self._parts.append(line)

    def cell(self) -> None:
        if self._parts:
            self._parts.append(_CELL)

    def end(self) -> None:
        cells = (" ".join(cell.split()) for cell in "".join(self._parts).split(_CELL))
        line = "\t".join(cell for cell in cells if cell)
        if line:
            self.lines.append(line)
        self._parts = []


def _name(node: etree._Element) -> str | None:
    """An element's lower-case local name; None for comments, processing instructions, entities."""
    tag = node.tag
    if not isinstance(tag, str):
        return None
    return tag.rpartition("}")[2].rpartition(":")[2].lower()


@dataclass(frozen=True)
class Scraped:
    text: str
    encoding: str
    has_body: bool


def scrape(data: bytes) -> Scraped:
    """The whole visible text of a page's body, one block per line."""
    html, encoding = decode_page(data)
    # The HTML parser drops NUL characters; libxml2 would make each one a U+FFFD.
    html = _XML_DECLARATION.sub("", html.replace("\x00", ""), count=1)
    root = lxml.html.document_fromstring(html)
    bodies = root.xpath("//body")
    body = bodies[0] if bodies else root
    out = _Lines()
    out.add(body.text)
    # Depth-first without recursion: saved pages nest deeper than Python's stack allows.
    stack: list[tuple[etree._Element, bool]] = [(child, False) for child in reversed(body)]
    while stack:
        node, leaving = stack.pop()
        name = _name(node)
        if leaving:
            if name == "pre":
                out.pre -= 1
            if name in BLOCK_TAGS:
                out.end()
            out.add(node.tail)
            continue
        if name is None or name in SKIP_TAGS:
            out.add(node.tail)
            continue
        if name in BLOCK_TAGS or name == "br":
            out.end()
        elif name in CELL_TAGS:
            out.cell()
        if name == "pre":
            out.pre += 1
        out.add(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    out.end()
    return Scraped("\n".join(out.lines), encoding, bool(bodies))


# --- the methods -------------------------------------------------------------


def run_reader(data: bytes, name: str) -> tuple[str | None, str]:
    """reader's import of a file: its title and the text the reading view shows."""
    converted = convert_bytes(data, Path(name))
    return converted.title, render(converted.markdown).text


def run_trafilatura(data: bytes) -> tuple[str | None, str]:
    tree = trafilatura.load_html(data)
    if tree is None:
        return None, ""
    text = trafilatura.extract(tree, output_format="txt")  # works on a copy of the tree
    return trafilatura.extract_metadata(tree).title, text or ""


# --- scoring -----------------------------------------------------------------


def collapse(text: str) -> str:
    return " ".join(text.split())


_UNIFY = str.maketrans(
    dict.fromkeys("“”„‟«»″〝〞＂", '"') | dict.fromkeys("‘’‚‛‹›′`´", "'")
    | dict.fromkeys("‐‑‒–—―−", "-")
)  # fmt: skip


def title_key(title: str) -> str:
    """A title as compared: one kind of quote and dash, spacing collapsed, casefolded, unframed."""
    text = collapse(unicodedata.normalize("NFKC", title).translate(_UNIFY).casefold())
    start, end = 0, len(text)
    while start < end and _framing(text[start]):
        start += 1
    while end > start and _framing(text[end - 1]):
        end -= 1
    return text[start:end]


def _framing(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


@dataclass(frozen=True)
class Failure:
    kind: str  # "ImportFailed", "no text" or an exception's type
    message: str


@dataclass(frozen=True)
class Outcome:
    """One method on one page."""

    score: Score
    lost: tuple[str, ...]  # "with" snippets missing from the text
    kept: tuple[str, ...]  # "without" snippets found in it
    title_ok: bool | None  # None: not judged
    failure: Failure | None
    seconds: float


def attempt(fn: Callable[[], T]) -> tuple[T | None, Failure | None, float]:
    """fn's result, or the failure it raised; and the time it took."""
    start = time.perf_counter()
    try:
        result, failure = fn(), None
    except ImportFailed as exc:
        result, failure = None, Failure("ImportFailed", str(exc))
    except Exception as exc:  # a benchmark counts every crash and carries on
        result, failure = None, Failure(type(exc).__name__, str(exc) or repr(exc))
    return result, failure, time.perf_counter() - start


def judge(
    case: Case,
    method: str,
    got: tuple[str | None, str] | None,
    failure: Failure | None,
    seconds: float,
) -> Outcome:
    """Score a method's (title, text) on a page; a failure scores as empty output."""
    title, text = got or (None, "")
    if failure is None and not text.strip():
        failure = Failure("no text", "")
    shown = collapse(text)
    lost = tuple(s for s in case.with_ if collapse(s) not in shown)
    kept = tuple(s for s in case.without if collapse(s) in shown)
    score = Score(
        tp=len(case.with_) - len(lost), fn=len(lost), fp=len(kept), tn=len(case.without) - len(kept)
    )
    title_ok = None
    if method in TITLED and case.title:
        title_ok = title is not None and title_key(title) == title_key(case.title)
    return Outcome(score, lost, kept, title_ok, failure, seconds)


@dataclass(frozen=True)
class PageResult:
    case: Case
    outcomes: dict[str, Outcome]
    encoding: str  # how the scraper decoded the page
    has_body: bool
    replacements: int  # U+FFFD in the scraped text
    absent: tuple[tuple[str, str], ...]  # "with" snippets not in the scraped text, and why


def run_page(corpus: Path, ways: frozenset[str], case: Case) -> PageResult:
    data = gzip.decompress((corpus / "pages" / f"{case.file}.gz").read_bytes())
    outcomes: dict[str, Outcome] = {}
    if HTML in ways:
        got, failure, seconds = attempt(lambda: run_reader(data, case.file))
        outcomes[HTML] = judge(case, HTML, got, failure, seconds)
    got, failure, seconds = attempt(lambda: run_trafilatura(data))
    outcomes[TRAFILATURA] = judge(case, TRAFILATURA, got, failure, seconds)
    page, failure, seconds = attempt(lambda: scrape(data))
    scraped = page.text if page else ""
    outcomes[FLOOR] = judge(case, FLOOR, (None, scraped), failure, seconds)
    if TEXT in ways:
        got, failure, seconds = attempt(lambda: run_reader(scraped.encode("utf-8"), "x.txt"))
        outcomes[TEXT] = judge(case, TEXT, got, failure, seconds)
    return PageResult(
        case,
        outcomes,
        encoding=page.encoding if page else "?",
        has_body=page.has_body if page else False,
        replacements=scraped.count("\ufffd"),
        absent=tuple((s, why_absent(s, scraped, data)) for s in outcomes[FLOOR].lost),
    )


def why_absent(snippet: str, scraped: str, data: bytes) -> str:
    """Why a "with" snippet is not in the scraped text, as far as a look can tell."""
    wanted = collapse(snippet)
    if wanted in collapse(unicodedata.normalize("NFC", scraped)):
        return "there once NFC-normalised"
    if wanted in collapse(scraped.replace("\u00ad", "")):
        return "there without its soft hyphens"
    if wanted in collapse(decode_page(data)[0]):
        return "only in markup (script, noscript, attribute)"
    return "not in the page as written (entities, tags inside)"


# --- report ------------------------------------------------------------------


@dataclass
class Tally:
    score: Score = field(default_factory=Score)
    titles_ok: int = 0
    titles_judged: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # the first page of each failure kind
    seconds: float = 0.0

    def add(self, file: str, outcome: Outcome) -> None:
        self.score.add(outcome.score)
        if outcome.title_ok is not None:
            self.titles_judged += 1
            self.titles_ok += outcome.title_ok
        if outcome.failure:
            kind = outcome.failure.kind
            self.failures[kind] += 1
            self.examples.setdefault(kind, f"{file}: {_reason(outcome.failure, file)}")
        self.seconds += outcome.seconds


def _reason(failure: Failure, file: str) -> str:
    """An ImportFailed message without the file name it starts with."""
    return failure.message.removeprefix(f"{file}: ").removeprefix("x.txt: ")


def table(rows: Sequence[Sequence[str]]) -> str:
    """An aligned Markdown table; columns after the second are numbers, right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(cells: Sequence[str]) -> str:
        padded = (
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|" + "|".join("-" * (w + 1) + (":" if i >= 2 else "-") for i, w in enumerate(widths)) + "|"
    )
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def report(results: Sequence[PageResult], wall: float, jobs: int) -> None:
    tallies: dict[str, Tally] = {}
    for result in results:
        for method, outcome in result.outcomes.items():
            tallies.setdefault(method, Tally()).add(result.case.file, outcome)
    n_with = sum(len(r.case.with_) for r in results)
    n_without = sum(len(r.case.without) for r in results)
    titled = sum(1 for r in results if r.case.title)
    print(f"{len(results)} pages, {n_with:,} 'with' and {n_without:,} 'without' snippets; "
          f"titles judged on {titled} pages ({len(results) - titled} have none); "
          f"{wall:.1f} s wall with {jobs} jobs")  # fmt: skip
    base = tallies[TRAFILATURA].score.f1
    rows = [["way", "method", "precision", "recall", "F1", "F1 vs trafilatura",
             "title = headline", "failures", "seconds"]]  # fmt: skip
    for method, way, label in METHODS:
        if method not in tallies:
            continue
        t = tallies[method]
        titles = "—"
        if method in TITLED and t.titles_judged:
            titles = f"{t.titles_ok}/{t.titles_judged} ({t.titles_ok / t.titles_judged:.1%})"
        rows.append([
            way, label, f"{t.score.precision:.3f}", f"{t.score.recall:.3f}", f"{t.score.f1:.3f}",
            f"{t.score.f1 / base:.2f}" if base else "—", titles, str(t.failures.total()),
            f"{t.seconds:.1f}",
        ])  # fmt: skip
    print()
    print(table(rows))

    print("\nfailures (scored as empty output):")
    for method, _, label in METHODS:
        failed = tallies.get(method)
        if not failed or not failed.failures:
            continue
        for kind, count in failed.failures.most_common():
            print(f"  {label}: {count} × {kind} (first: {failed.examples[kind]})"[:200])
        if failed.failures["ImportFailed"]:
            reasons = Counter(
                _reason(f, r.case.file)
                for r in results
                if (f := r.outcomes[method].failure) and f.kind == "ImportFailed"
            )
            for reason, count in reasons.most_common(5):
                print(f"    {count} × {reason}")
    oddities(results)


def oddities(results: Sequence[PageResult]) -> None:
    print("\ncorpus notes (the scraper's view):")
    decoded = Counter(r.encoding for r in results)
    not_utf8 = [r for r in results if r.encoding not in ("utf-8", "utf-8 BOM")]
    print("  decoded as:", ", ".join(f"{enc} {n}" for enc, n in decoded.most_common()))
    if not_utf8:
        print("  not valid UTF-8:", ", ".join(f"{r.case.file} ({r.encoding})" for r in not_utf8))
    for label, pages in (
        ("U+FFFD in the visible text", [r for r in results if r.replacements]),
        ("no <body>", [r for r in results if not r.has_body]),
        ("no visible text", [r for r in results if r.outcomes[FLOOR].failure]),
    ):
        if pages:
            print(f"  {label}: " + ", ".join(r.case.file for r in pages))
    absent: dict[str, list[str]] = {}
    for r in results:
        for _, reason in r.absent:
            absent.setdefault(reason, []).append(r.case.file)
    total = sum(len(files) for files in absent.values())
    print(f"  'with' snippets not in the visible text at all: {total} "
          "(no way of the scraped text can find them)")  # fmt: skip
    for reason, files in sorted(absent.items()):
        print(f"    {reason}: " + ", ".join(f"{file} {n}" for file, n in Counter(files).items()))


def worst(results: Sequence[PageResult], n: int) -> None:
    """The pages where reader's scraped-text import lost the most, and kept the most chrome."""
    pages = [r for r in results if TEXT in r.outcomes]
    if not pages:
        print("\n--worst needs the scraped-text way (--way text or both)")
        return

    def missed(r: PageResult) -> tuple[int, int]:
        lost, absent = r.outcomes[TEXT].lost, set(r.outcomes[FLOOR].lost)
        return sum(s not in absent for s in lost), len(lost)

    def show(r: PageResult, snippets: Iterable[str], mark: set[str]) -> None:
        out = r.outcomes[TEXT]
        fail = f"  [{out.failure.kind}: {_reason(out.failure, r.case.file)}]" if out.failure else ""
        print(f"  {r.case.file}{fail}")
        for s in snippets:
            print(f"      {'*' if s in mark else ' '} {collapse(s)!r}")

    print(f"\nreader (.txt), most 'with' snippets lost ({n} pages; * = not in the scraped text):")
    by_lost = sorted(pages, key=lambda r: (*(-k for k in missed(r)), r.case.file))
    for r in by_lost[:n]:
        if r.outcomes[TEXT].lost:
            show(r, r.outcomes[TEXT].lost, set(r.outcomes[FLOOR].lost))
    print(f"\nreader (.txt), most 'without' snippets kept ({n} pages):")
    by_kept = sorted(pages, key=lambda r: (-len(r.outcomes[TEXT].kept), r.case.file))
    for r in by_kept[:n]:
        if r.outcomes[TEXT].kept:
            show(r, r.outcomes[TEXT].kept, set())


# --- main --------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="default: %(default)s")
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--way", choices=("html", "text", "both"), default="both")
    parser.add_argument("--worst", type=int, default=0, metavar="N",
                        help="list the N pages the scraped-text import does worst on")  # fmt: skip
    args = parser.parse_args()
    quiet()
    cases = load_cases(args.corpus)
    if args.limit:
        cases = cases[: args.limit]
    ways = frozenset({HTML, TEXT} if args.way == "both" else {args.way})
    work = partial(run_page, args.corpus, ways)
    jobs = max(1, min(args.jobs, len(cases)))
    start = time.perf_counter()
    if jobs == 1:
        results = [work(case) for case in cases]
    else:
        # spawn: each worker imports reader and trafilatura itself, sharing nothing.
        with multiprocessing.get_context("spawn").Pool(jobs, initializer=quiet) as pool:
            results = []
            for done, result in enumerate(pool.imap(work, cases, chunksize=1), 1):
                results.append(result)
                if done % 50 == 0:
                    print(f"{done}/{len(cases)} pages", file=sys.stderr, flush=True)
    wall = time.perf_counter() - start
    report(results, wall, jobs)
    if args.worst:
        worst(results, args.worst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
