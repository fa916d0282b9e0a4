"""The ``reader`` command: no sub-command opens the window; sub-commands drive the core."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from reader import __version__
from reader.errors import ReaderError, SearchIndexError
from reader.library import Library
from reader.paths import bundled_articles_dir, resolve_data_dir
from reader.search import index_path, sync_articles
from reader.search_index import Hit, SearchIndex, SearchResults


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reader",
        description="An offline reader for articles. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the library, catalog, index and bookmarks live "
        "(default: $READER_DATA_DIR, else the platform's app data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="list the articles of the library")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser("show", help="print an article as the reading view shows it")
    p.add_argument("id")
    p.add_argument("--format", choices=("text", "markdown", "html"), default="text")

    p = sub.add_parser("import", help="copy .md/.markdown/.txt files or folders into the library")
    p.add_argument("paths", nargs="+", metavar="PATH", type=Path)

    p = sub.add_parser(
        "search",
        help="search the library; QUERY '-' reads one query per line from stdin",
        description='Words are ANDed; "exact phrases", OR, NOT or -word, title:, tag:, '
        "note:, prefix* work. '-' reads queries from stdin and writes one JSON line each.",
    )
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=_positive_int, default=10, metavar="N")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits")

    p = sub.add_parser("index", help="bring the search index up to date")
    p.add_argument("--rebuild", action="store_true", help="rebuild it from scratch")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def open_library(data_dir: str | None) -> Library:
    library = Library(resolve_data_dir(data_dir), bundled_articles_dir())
    library.refresh()
    return library


def cmd_list(library: Library, args: argparse.Namespace) -> int:
    infos = library.articles()
    if args.json:
        entries = [
            {"id": a.id, "title": a.title, "words": a.words, "source": a.source} for a in infos
        ]
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return 0
    width = max((len(a.id) for a in infos), default=2)
    for a in infos:
        print(f"{a.id:<{width}}  {a.words:>6} words  {a.minutes:>3} min  {a.title}")
    return 0


def cmd_show(library: Library, args: argparse.Namespace) -> int:
    article = library.get(args.id)
    if args.format == "markdown":
        sys.stdout.write(article.markdown)
    elif args.format == "html":
        sys.stdout.write(article.html + "\n")
    else:
        sys.stdout.write(article.text + "\n")
    return 0


def cmd_import(library: Library, args: argparse.Namespace) -> int:
    failed = False
    for outcome in library.import_paths(args.paths):
        if outcome.status == "imported":
            print(f"imported {outcome.path} as {outcome.article_id}: {outcome.message}")
        else:
            failed |= outcome.status == "failed"
            print(f"skipped {outcome.path}: {outcome.message}")
    return 1 if failed else 0


def open_index(library: Library, rebuild: bool = False) -> SearchIndex:
    """The search index, synced with the library; notices go to stderr."""
    index = SearchIndex(index_path(library.data_dir))
    try:
        report = sync_articles(index, library, rebuild=rebuild)
    except SearchIndexError as exc:  # another process is writing: search what is there
        print(f"reader: note: {exc}", file=sys.stderr)
        return index
    if report.notice:
        print(f"reader: note: {report.notice}", file=sys.stderr)
    return index


def hit_json(hit: Hit) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": hit.id,
        "kind": hit.kind,
        "title": hit.title,
        "score": round(hit.score, 4),
        "snippet": hit.snippet_text(),
        "offsets": [list(span) for span in hit.offsets],
    }
    if hit.kind != "article":
        entry["article"] = hit.article_id
    return entry


def results_json(results: SearchResults) -> dict[str, object]:
    return {
        "query": results.query,
        "total": results.total,
        "did_you_mean": results.corrected,
        "corrected": results.used_correction,
        "message": results.message,
        "hits": [hit_json(h) for h in results.hits],
    }


def cmd_search(library: Library, args: argparse.Namespace) -> int:
    index = open_index(library)
    try:
        if args.query == "-":
            for line in sys.stdin:
                if line.strip():
                    results = index.search(line.strip(), limit=args.limit)
                    print(json.dumps(results_json(results), ensure_ascii=False), flush=True)
            return 0
        results = index.search(args.query, limit=args.limit)
    finally:
        index.close()
    if results.message:
        print(f"reader: note: {results.message}", file=sys.stderr)
    if args.json:
        print(json.dumps([hit_json(h) for h in results.hits], ensure_ascii=False, indent=2))
        return 0
    if results.corrected and results.used_correction:
        print(f"No results for {results.query!r}. Showing results for: {results.corrected}")
    elif results.corrected:
        print(f"Did you mean: {results.corrected}")
    print(f"{results.total} result{'s' if results.total != 1 else ''}")
    for hit in results.hits:
        label = "" if hit.kind == "article" else f" [{hit.kind}]"
        print(f"\n{hit.score:6.2f}  {hit.id}{label}  {hit.title}")
        print(f"        {hit.snippet_text()}")
    return 0


def cmd_index(library: Library, args: argparse.Namespace) -> int:
    index = SearchIndex(index_path(library.data_dir))
    try:
        report = sync_articles(index, library, rebuild=args.rebuild)
        if report.notice:
            print(f"reader: note: {report.notice}", file=sys.stderr)
        verb = "rebuilt" if report.rebuilt else "updated"
        print(
            f"index {verb}: {report.added} added, {report.updated} changed, "
            f"{report.removed} removed; {index.doc_count()} documents"
        )
    finally:
        index.close()
    return 0


COMMANDS = {
    "list": cmd_list,
    "show": cmd_show,
    "import": cmd_import,
    "search": cmd_search,
    "index": cmd_index,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from reader.ui.app import run  # the window is the only part that needs Qt

        return run(args.data_dir)
    try:
        library = open_library(args.data_dir)
        try:
            return COMMANDS[args.command](library, args)
        finally:
            library.close()
    except ReaderError as exc:
        print(f"reader: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
