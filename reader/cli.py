"""The ``reader`` command: no sub-command opens the window; sub-commands drive the core."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from reader import __version__
from reader.errors import ReaderError
from reader.library import Library
from reader.paths import bundled_articles_dir, resolve_data_dir


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
    return parser


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


COMMANDS = {"list": cmd_list, "show": cmd_show, "import": cmd_import}


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
