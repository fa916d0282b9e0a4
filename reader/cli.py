"""The ``reader`` command: no sub-command opens the window; sub-commands drive the core.

Only what reading the command line takes is imported with this module; the core,
and through it the library, the bookmarks and the search, once a command runs,
each part by the commands that use it.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from reader import __version__
from reader.errors import ReaderError, SearchIndexError

if TYPE_CHECKING:
    from reader.bookmarks import Bookmark
    from reader.core import ReaderCore
    from reader.library import Listed
    from reader.search import Hit, SearchResults


class _Colors:
    """A bookmark's colours, for ``--color``: read from the bookmarks when first looked at."""

    def __contains__(self, value: object) -> bool:
        from reader.bookmarks import COLORS

        return value in COLORS

    def __iter__(self) -> Iterator[str]:
        from reader.bookmarks import COLORS

        return iter(COLORS)


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
    p.add_argument(
        "--sort",
        choices=("library", "added", "title", "words"),
        default="library",
        help="the library's order (the bundled articles, then yours as added; the default),"
        " newest first, by title, or longest first",
    )
    p.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="only articles with this tag"
    )

    p = sub.add_parser(
        "remove",
        help="take articles out of the library ('reader restore' puts them back)",
        description="A file of the library folder moves to the trash in the data folder, where "
        "it is kept 30 days; a bundled article is hidden. Bookmarks stay, detached, and come "
        "back with the article.",
    )
    p.add_argument("ids", nargs="+", metavar="ID")
    p = sub.add_parser(
        "restore",
        help="put back a removed article; with no ID, list those that can be put back",
    )
    p.add_argument("id", nargs="?", metavar="ID")
    p = sub.add_parser(
        "retitle",
        help="give an article a title of your own ('' gives back the file's title)",
        description="Your title is shown, searched and exported in place of the one found in "
        "the file, and stays however the file is converted later.",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("title", metavar="TITLE")
    p = sub.add_parser(
        "tag",
        usage="reader tag ID [+TAG | -TAG | TAG]...",
        help="add (+name or name) and remove (-name) an article's tags; none: print them",
        description="Tags are found by 'reader search tag:name' and 'reader list --tag name'. "
        "A tag with spaces is quoted: reader tag ID '+to read'.",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("changes", nargs=argparse.REMAINDER, metavar="[+|-]TAG")
    p = sub.add_parser(
        "watch",
        help="read a folder's articles where they are, kept in step with it; no DIR: list them",
        description="The articles of a watched folder (and the folders in it) are listed, "
        "searched and bookmarked like the library's own, but stay where they are: a file "
        "added, changed or removed there is followed. A folder that is away (an unplugged "
        "disk) keeps its articles listed until it is back.",
    )
    p.add_argument("folder", nargs="?", type=Path, metavar="DIR")
    p.add_argument(
        "--stop", action="store_true",
        help="stop watching DIR: its articles leave the list, their files stay",
    )  # fmt: skip
    p = sub.add_parser("tags", help="list the tags of the library's articles, or rename one")
    p.add_argument(
        "--rename", nargs=2, metavar=("OLD", "NEW"),
        help="rename a tag on every article and bookmark (merged where NEW is there already)",
    )  # fmt: skip

    sub.add_parser(
        "refresh",
        help="catalog the files added, changed or removed in the library folder by hand",
        description="Reads what changed in the library folder since it was last catalogued "
        "(the reading commands only say so), and brings the search index in step.",
    )

    p = sub.add_parser(
        "doctor",
        help="check the catalog, the bookmarks and the index; list files that failed",
        description="Checks the catalog, the bookmarks database and the search index, and lists "
        "the files that could not be converted, with why. --repair catalogs what changed, "
        "tries the failed files again, removes what interrupted writes left behind and "
        "brings the index in step (rebuilding it if it is damaged).",
    )
    p.add_argument("--repair", action="store_true", help="mend what can be mended")

    p = sub.add_parser("show", help="print an article as the reading view shows it")
    p.add_argument("id")
    p.add_argument(
        "--format",
        choices=("text", "markdown", "html", "original", "removed"),
        default="text",
        help="text as shown (default), its Markdown or HTML, the file's original text, "
        "or the lines cleaning left out of it",
    )

    p = sub.add_parser(
        "import", help="copy articles (Markdown, text, saved web pages) or folders into the library"
    )
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

    p = sub.add_parser(
        "related",
        help="the articles most like an article, or like a bookmarked passage and its note",
        description="Finds the articles that share the most distinctive words of the article "
        "(or of the bookmark's passage and note), best first; never the article itself.",
    )
    p.add_argument("target", metavar="ID[#BOOKMARK_ID]")
    p.add_argument("--limit", type=_positive_int, default=10, metavar="N")
    p.add_argument("--json", action="store_true", help="print a JSON array of hits")

    p = sub.add_parser("index", help="bring the search index up to date")
    p.add_argument("--rebuild", action="store_true", help="rebuild it from scratch")

    p = sub.add_parser("open", help="open the window at an article or a bookmarked passage")
    p.add_argument("target", metavar="ARTICLE_ID[#BOOKMARK_ID]")

    p = sub.add_parser(
        "export",
        help="write an article to a PDF (A4), for reading on paper",
        description="Writes the article as the reading view shows it, in the light theme. "
        "Needs no display.",
    )
    p.add_argument("id")
    p.add_argument("--pdf", required=True, type=Path, metavar="FILE", help="the PDF to write")
    p.add_argument(
        "--marks", action="store_true", help="paint the bookmarked passages in their colours"
    )

    p = sub.add_parser(
        "install-desktop",
        help="add reader to the desktop's application menu (freedesktop.org)",
        description="Writes reader.desktop and the icon under $XDG_DATA_HOME "
        "(default ~/.local/share), launching this installation of reader.",
    )
    p.add_argument("--remove", action="store_true", help="remove the menu entry and the icon")

    bm = sub.add_parser("bookmarks", help="list, add, export and import bookmarks")
    bsub = bm.add_subparsers(dest="bookmarks_command", metavar="ACTION", parser_class=_Parser)
    bsub.required = True
    p = bsub.add_parser("list", help="every bookmark, with where it points now")
    p.add_argument("--json", action="store_true")
    p = bsub.add_parser("add", help="bookmark the first occurrence of a passage")
    p.add_argument("article_id", metavar="ARTICLE_ID")
    p.add_argument("--quote", required=True, metavar="TEXT")
    p.add_argument("--note", default="", metavar="N")
    p.add_argument("--color", default="yellow", choices=_Colors(), metavar="C")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", dest="tags")
    p = bsub.add_parser("delete", help="delete a bookmark")
    p.add_argument("bookmark_id", metavar="BOOKMARK_ID")
    p = bsub.add_parser("export", help="Markdown, or JSON-LD (W3C Web Annotations)")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.add_argument("-o", "--output", type=Path, metavar="FILE")
    p = bsub.add_parser("import", help="merge a JSON-LD export by id")
    p.add_argument("file", type=Path, metavar="FILE")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# Commands that only read: they never write to the data folder (but on its very
# first use, when there is no catalog yet), so they work on a read-only one and
# never wait for a writer.
# doctor --repair writes, but only once it has looked, as a writer would.
READING = frozenset({"list", "show", "search", "related", "export", "doctor"})
READING_WITHOUT_ARGUMENTS = frozenset({"tags", "restore", "tag", "watch"})  # they list
READING_BOOKMARKS = frozenset({"list", "export"})


def note(text: str) -> None:
    print(f"reader: note: {text}", file=sys.stderr)


# How long a command writing the index waits for another process writing it (a
# rebuild of a large library, say), before it says so.
INDEX_WAIT_S = 300.0


def open_core(
    data_dir: str | None, write: bool = True, tell: bool = True, settle: bool = False
) -> ReaderCore:
    """The core; a writing command first catalogs what changed in the library folder,
    a reading one tells of it (with ``tell``).

    ``settle``: this process runs the one command and ends, so what is loaded by
    now lives as long as it does. It is set apart from what the garbage collector
    looks at (``gc.freeze``): a command making rows by the thousand would have the
    collector go over every object of the modules again and again.
    """
    from reader.core import ReaderCore
    from reader.paths import bundled_articles_dir, resolve_data_dir

    core = ReaderCore(
        resolve_data_dir(data_dir), bundled_articles_dir(), index_wait=INDEX_WAIT_S, writer=write
    )
    if settle:
        gc.freeze()
    try:
        if write or not core.catalogued():
            core.refresh()
        elif tell:
            pending = core.pending()
            if pending:
                note(f"the library folder has files not catalogued yet ({pending.describe()});"
                     " 'reader refresh' catalogs them")  # fmt: skip
    finally:
        for notice in core.take_notices():
            note(notice)
    return core


def shown_path(path: Path | str) -> str:
    """A path to print on one line: a name that is not UTF-8 is read as the user would
    read it, and a control character in it (a newline, say) is shown escaped."""
    from reader.library.articles import readable

    return shown(readable(str(path)))


def shown(text: str) -> str:
    """A text from a file (a title, a snippet) to print: its control characters escaped,
    so none can break the line or drive the terminal."""
    return _CONTROL.sub(_escaped, text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escaped(m: re.Match[str]) -> str:
    return repr(m.group())[1:-1]


_SORTS: dict[str, Callable[[Listed], Any]] = {
    "added": lambda a: -a.added_at,
    "title": lambda a: a.title.casefold(),
    "words": lambda a: -a.words,
}


def _when(stamp: float) -> str | None:
    """A time as ISO 8601 (UTC), or None when it is not known."""
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds") if stamp > 0 else None


def cmd_list(core: ReaderCore, args: argparse.Namespace) -> int:
    infos = core.listing()
    if args.tag:
        from reader.bookmarks import normalise_tags

        wanted = set(normalise_tags(args.tag))
        infos = [a for a in infos if wanted.issubset(a.tags)]
    if args.sort in _SORTS:
        infos.sort(key=_SORTS[args.sort])  # stable: ties keep the library's order
    if args.json:
        from reader.library.articles import readable

        entries = []
        for a in infos:
            entry: dict[str, object] = {
                "id": a.id, "title": a.title, "words": a.words, "source": readable(a.source),
                "added": _when(a.added_at),
                "site": a.site, "author": a.author, "tags": list(a.tags),
            }  # fmt: skip
            if a.problem:
                entry["problem"] = a.problem
            entries.append(entry)
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return 0
    width = max((len(a.id) for a in infos), default=2)
    lines = []
    for a in infos:
        line = f"{a.id:<{width}}  {a.words:>6} words  {a.minutes:>3} min  {shown(a.title)}"
        if a.tags:
            line += f"  [{shown(', '.join(a.tags))}]"
        if a.problem:
            line += f"  [could not be converted: {shown(a.problem)}]"
        lines.append(line + "\n")
    sys.stdout.writelines(lines)  # a line each, as print writes them, in one go
    return 0


def cmd_remove(core: ReaderCore, args: argparse.Namespace) -> int:
    failed = False
    for article_id in args.ids:
        try:
            removed = core.remove_article(article_id)
        except ReaderError as exc:
            print(f"reader: error: {exc}", file=sys.stderr)
            failed = True
            continue
        print(f"removed {removed.article_id}: {shown(removed.title)}"
              f" ('reader restore {removed.article_id}' puts it back)")  # fmt: skip
    sync_after_writing(core)
    return 1 if failed else 0


def cmd_restore(core: ReaderCore, args: argparse.Namespace) -> int:
    if args.id is None:
        removed = core.removed()
        if not removed:
            print("nothing removed can be put back")
        width = max((len(r.article_id) for r in removed), default=2)
        for r in removed:
            print(f"{r.article_id:<{width}}  {shown(r.title)}")
        return 0
    article_id = core.restore_article(args.id)
    print(f"put back {article_id}: {shown(core.info(article_id).title)}")
    sync_after_writing(core)
    return 0


def cmd_retitle(core: ReaderCore, args: argparse.Namespace) -> int:
    info = core.retitle(args.id, args.title)
    print(f"{info.id}: {shown(info.title)}" + ("" if info.own_title else " (the file's title)"))
    sync_after_writing(core)
    return 0


def cmd_tag(core: ReaderCore, args: argparse.Namespace) -> int:
    add = [c.removeprefix("+") for c in args.changes if not c.startswith("-")]
    remove = [c[1:] for c in args.changes if c.startswith("-")]
    info = core.tag(args.id, add, remove) if args.changes else core.info(args.id)
    print(f"{info.id}: {shown(', '.join(info.tags)) if info.tags else '(no tags)'}")
    if args.changes:
        sync_after_writing(core)
    return 0


def cmd_watch(core: ReaderCore, args: argparse.Namespace) -> int:
    if args.folder is None:
        if args.stop:
            raise ReaderError("name the folder to stop watching: reader watch --stop DIR")
        folders = core.watched_folders()
        if not folders:
            print("no folder is watched; 'reader watch DIR' reads a folder's articles in place")
        for folder in folders:
            print(shown_path(folder) + ("" if folder.is_dir() else "  [not there now]"))
        return 0
    if args.stop:
        report = core.unwatch_folder(args.folder)
        print(f"stopped watching {shown_path(args.folder)}: {len(report.removed)} article(s)"
              " left the list")  # fmt: skip
    else:
        report = core.watch_folder(args.folder)
        print(f"watching {shown_path(args.folder)}: {len(report.added)} article(s) added")
        if not report.added and not report.failed:
            from reader.library.importing import SUPPORTED_SUFFIXES

            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            print(f"no article was found there yet (articles are {kinds} files);"
                  " those added later are read as they come")  # fmt: skip
    for path, reason in report.failed:
        print(f"failed {shown_path(path)}: {reason}")
    sync_after_writing(core)
    return 0


def cmd_tags(core: ReaderCore, args: argparse.Namespace) -> int:
    if args.rename:
        old, new = args.rename
        articles, bookmarks = core.rename_tag(old, new)
        print(f"renamed {shown(old)} to {shown(new)} on {articles} article(s)"
              f" and {bookmarks} bookmark(s)")  # fmt: skip
        sync_after_writing(core)
        return 0
    for tag, count in core.tags().items():
        print(f"{count:>6}  {shown(tag)}")
    return 0


def cmd_refresh(core: ReaderCore, args: argparse.Namespace) -> int:
    # open_core has catalogued the folder already; this tells what it found.
    report = core.last_refresh
    counted = (
        (report.added, "added"), (report.changed, "changed"),
        (report.renamed, "moved"), (report.removed, "removed"),
    )  # fmt: skip
    parts = [f"{len(items)} {what}" for items, what in counted]
    print(f"library refreshed: {', '.join(parts)}; {report.unchanged} unchanged")
    for path, reason in report.failed:
        print(f"failed {shown_path(path)}: {reason}")
    if report.quarantined:
        print(f"{report.quarantined} file(s) that failed before were not tried again"
              " (see 'reader doctor')")  # fmt: skip
    sync_after_writing(core)
    return 1 if report.failed else 0


def cmd_show(core: ReaderCore, args: argparse.Namespace) -> int:
    if args.format in ("original", "removed"):
        original = core.original(args.id)
        if args.format == "original":
            sys.stdout.write(original.text.rstrip("\n") + "\n")
        else:
            sys.stdout.writelines(line + "\n" for line in original.removed)
        return 0
    article = core.article(args.id)
    if args.format == "markdown":
        sys.stdout.write(article.markdown)
    elif args.format == "html":
        sys.stdout.write(article.html + "\n")
    else:
        sys.stdout.write(article.text + "\n")
    return 0


def cmd_import(core: ReaderCore, args: argparse.Namespace) -> int:
    failed = False
    passed_over: Counter[str] = Counter()  # files of other types met in a folder
    for outcome in core.import_paths(args.paths):
        if outcome.status == "imported":
            what = shown(outcome.message)
            print(f"imported {shown_path(outcome.path)} as {outcome.article_id}: {what}")
        elif outcome.status == "skipped" and outcome.message.startswith("unsupported"):
            passed_over[outcome.path.suffix.lower() or "(no type)"] += 1
        else:
            failed |= outcome.status == "failed"
            word = "failed" if outcome.status == "failed" else "skipped"
            print(f"{word} {shown_path(outcome.path)}: {shown(outcome.message)}")
    if passed_over:
        kinds = ", ".join(f"{n} {suffix}" for suffix, n in passed_over.most_common())
        print(f"{passed_over.total()} skipped (not articles): {kinds}")
    sync_after_writing(core)
    return 1 if failed else 0


def sync_after_writing(core: ReaderCore) -> None:
    """Bring the index in step after a change, so the reading commands find it."""
    try:
        report = core.sync_index()
    except SearchIndexError as exc:
        note(f"{exc}; the next change or 'reader index' brings the index in step")
        return
    if report.notice:
        note(report.notice)


def ready_for_search(core: ReaderCore) -> None:
    """Searching reads the index as the last change left it; only an index with nothing
    in it yet (a new data folder, or one set aside as damaged) is built first."""
    if core.index_size() == 0:
        sync_after_writing(core)


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
        entry["note"] = hit.note
    return entry


def results_json(results: SearchResults) -> dict[str, object]:
    return {
        "query": results.query,
        "total": results.total,
        "total_exact": results.total_exact,
        "did_you_mean": results.corrected,
        "showing_suggestion": results.used_correction,
        "message": results.message,
        "hits": [hit_json(h) for h in results.hits],
    }


def cmd_search(core: ReaderCore, args: argparse.Namespace) -> int:
    ready_for_search(core)
    if args.query == "-":
        for line in sys.stdin:
            if line.strip():
                results = core.search(line.strip(), limit=args.limit)
                print(json.dumps(results_json(results), ensure_ascii=False), flush=True)
        return 0
    results = core.search(args.query, limit=args.limit)
    if results.message:
        print(f"reader: note: {results.message}", file=sys.stderr)
    if args.json:
        print(json.dumps([hit_json(h) for h in results.hits], ensure_ascii=False, indent=2))
        return 0
    if results.corrected and results.used_correction:
        print(f"No results for {results.query!r}. Did you mean: {results.corrected}?"
              " Showing its results.")  # fmt: skip
    elif results.corrected:
        print(f"Did you mean: {results.corrected}?")
    about = "" if results.total_exact else "about "
    print(f"{about}{results.total:,} result{'s' if results.total != 1 else ''}")
    for hit in results.hits:
        label = "" if hit.kind == "article" else f" [{hit.kind}]"
        print(f"\n{hit.score:6.2f}  {hit.id}{label}  {shown(hit.title)}")
        print(f"        {shown(hit.snippet_text())}")
    return 0


def cmd_related(core: ReaderCore, args: argparse.Namespace) -> int:
    article_id, _, bookmark_id = args.target.partition("#")
    core.check_target(article_id, bookmark_id or None)  # told before the index is touched
    ready_for_search(core)
    found = core.related(article_id, bookmark_id or None, limit=args.limit)
    if args.json:
        print(json.dumps([hit_json(h) for h in found.hits], ensure_ascii=False, indent=2))
        return 0
    count = len(found.hits)
    words = ", ".join(found.terms[:8]) + (", …" if len(found.terms) > 8 else "")
    print(f"{count} related article{'s' if count != 1 else ''}"
          + (f"; words in common: {words}" if found.terms else ""))  # fmt: skip
    for hit in found.hits:
        print(f"\n{hit.score:6.2f}  {hit.id}  {shown(hit.title)}")
        print(f"        {shown(hit.snippet_text())}")
    return 0


def cmd_index(core: ReaderCore, args: argparse.Namespace) -> int:
    report = core.sync_index(rebuild=args.rebuild)
    if report.notice:
        print(f"reader: note: {report.notice}", file=sys.stderr)
    verb = "rebuilt" if report.rebuilt else "updated"
    print(
        f"index {verb}: {report.added} added, {report.updated} changed, "
        f"{report.removed} removed; {core.index_size()} documents"
    )
    return 0


def bookmark_json(b: Bookmark) -> dict[str, object]:
    return {
        "id": b.id,
        "article": b.article_id,
        "quote": b.exact,
        "note": b.note,
        "color": b.color,
        "tags": list(b.tags),
        "start": b.start,
        "end": b.end,
        "state": b.state,
        "suggestions": [{"start": s, "end": e, "text": w} for s, e, w in b.suggestions],
        "created": b.created,
        "updated": b.updated,
    }


def cmd_bookmarks(core: ReaderCore, args: argparse.Namespace) -> int:
    action = args.bookmarks_command
    if action == "list":
        marks = core.bookmarks()
        if args.json:
            print(json.dumps([bookmark_json(b) for b in marks], ensure_ascii=False, indent=2))
            return 0
        for b in marks:
            state = "" if b.state == "anchored" else "  [detached]"
            quote = shown(b.exact if len(b.exact) <= 70 else b.exact[:69] + "…")
            print(f"{b.id}  {b.article_id} {b.start}-{b.end}  {b.color}{state}\n    “{quote}”")
            if b.note:
                print(f"    {shown(b.note)}")
            for start, end, words in b.suggestions:
                there = shown(words if len(words) <= 60 else words[:59] + "…")
                print(f"    may be now at {start}-{end}: “{there}”")
        return 0
    if action == "add":
        b = core.add_bookmark_quote(args.article_id, args.quote, args.note, args.color,
                                    tuple(args.tags))  # fmt: skip
        print(f"bookmarked {b.id} in {b.article_id} at {b.start}-{b.end}")
        sync_after_writing(core)
        return 0
    if action == "delete":
        b = core.delete_bookmark(args.bookmark_id)
        print(f"deleted {b.id}")
        sync_after_writing(core)
        return 0
    if action == "export":
        if args.output is None:
            sys.stdout.write(core.export_bookmarks(args.format))
        else:
            count = core.write_bookmarks(args.output, args.format)
            print(f"wrote {count} bookmarks to {args.output}")
        return 0
    report = core.import_bookmarks_file(args.file)
    sync_after_writing(core)
    for problem in report.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(
        f"imported {report.added} new, {report.updated} updated, {report.unchanged} unchanged"
        + (f"; {report.detached} of the new are detached (passage not found)"
           if report.detached else "")
    )  # fmt: skip
    return 1 if report.problems else 0


def cmd_open(core: ReaderCore, args: argparse.Namespace) -> int:
    article_id, _, bookmark_id = args.target.partition("#")
    core.check_target(article_id, bookmark_id or None)  # a clear error before any window opens
    core.close()
    from reader.ui.app import run

    return run(args.data_dir, article_id, bookmark_id or None)


def cmd_export(core: ReaderCore, args: argparse.Namespace) -> int:
    page = core.open_article(args.id)  # an unknown id is told before Qt is loaded
    core.close()
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a PDF needs no display
    from reader.ui.printing import export_pdf

    count = export_pdf(page, args.pdf, marks=args.marks)
    print(f"wrote {args.pdf} ({count} page{'s' if count != 1 else ''})")
    return 0


def cmd_install_desktop(args: argparse.Namespace) -> int:
    if sys.platform in ("win32", "cygwin", "darwin"):
        raise ReaderError("install-desktop is for Linux and BSD desktops (freedesktop.org menus)")
    from reader import desktop

    for line in desktop.remove() if args.remove else desktop.install():
        print(line)
    return 0


def cmd_doctor(core: ReaderCore, args: argparse.Namespace) -> int:
    if args.repair:
        for line in core.repair():
            print(f"repaired: {line}")
    health = core.check()
    for finding in health.findings:
        print(f"{finding.part}: {finding.text}")
    if not health.findings:
        print("everything is in order")
        return 0
    if not args.repair and health.mendable:
        print("'reader doctor --repair' mends what can be mended")
    return 1


COMMANDS = {
    "list": cmd_list,
    "refresh": cmd_refresh,
    "remove": cmd_remove,
    "restore": cmd_restore,
    "retitle": cmd_retitle,
    "tag": cmd_tag,
    "tags": cmd_tags,
    "watch": cmd_watch,
    "doctor": cmd_doctor,
    "show": cmd_show,
    "import": cmd_import,
    "search": cmd_search,
    "related": cmd_related,
    "index": cmd_index,
    "bookmarks": cmd_bookmarks,
    "open": cmd_open,
    "export": cmd_export,
}


def _check_tag_changes(parser: argparse.ArgumentParser, changes: list[str]) -> None:
    """``reader tag ID`` takes ``-name`` as a tag to remove; help and options are not."""
    if "-h" in changes or "--help" in changes:
        parser.parse_args(["tag", "--help"])  # prints the help and exits
    option = next((c for c in changes if c.startswith("--")), None)
    if option is not None:
        parser.error(
            f"tag: {option} is not a tag; options go before the command"
            " (reader --data-dir DIR tag ID +name)"
        )


def _only_reads(args: argparse.Namespace) -> bool:
    """``tags`` without --rename, ``restore`` and ``watch`` without an argument, ``tag``
    without changes."""
    if args.command == "tags":
        return not args.rename
    if args.command == "restore":
        return args.id is None
    if args.command == "watch":
        return args.folder is None
    return not args.changes


def main(argv: Sequence[str] | None = None) -> int:
    # A character that cannot be printed (a file name that is not UTF-8, say) is
    # shown escaped rather than ending the command.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "tag":
        _check_tag_changes(parser, args.changes)
    if args.command in (None, "open"):
        from reader import desktop

        no_display = desktop.missing_display()
        if no_display:  # told now: Qt would abort naming a missing library instead
            print(no_display, file=sys.stderr)
            return 2
    if args.command is None:
        from reader.ui.app import run  # the window is the only part that needs Qt

        return run(args.data_dir)
    try:
        if args.command == "install-desktop":  # needs no library
            return cmd_install_desktop(args)
        reads = (
            args.command in READING
            or (args.command == "bookmarks" and args.bookmarks_command in READING_BOOKMARKS)
            or (args.command in READING_WITHOUT_ARGUMENTS and _only_reads(args))
        )
        # doctor tells what changed in the library folder itself, and --repair catalogs it.
        core = open_core(
            args.data_dir, write=not reads, tell=args.command != "doctor", settle=argv is None
        )
        try:
            return COMMANDS[args.command](core, args)
        finally:
            core.close()
    except ReaderError as exc:
        print(f"reader: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
