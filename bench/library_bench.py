"""Library list benchmark: the list of 10,000 articles beside the list of 5, in one run.

Run by hand from the repository root:

    .venv/bin/python -m bench.library_bench [--articles N] [--runs K]

A ``LibraryPanel`` the size of the window's sidebar is shown offscreen and
given made-up articles (titles of one to twenty words, sites and authors, dates
over two years, some read, most tagged), generated here with a fixed seed. Measured, each
time until the panel is painted again (``grab()``):

1. list: ``set_articles`` on a new panel and its first paint;
2. a keystroke in the filter field, typing words (and a ``tag:name``) letter
   by letter (p50/p95 over every letter of every word), and clearing the field;
3. a click on each column's header: the list sorted by it;
4. going to the last row: select it and scroll it into view.

The same run measures a list of 5 articles as the peer; the ratio is what
10,000 articles cost over 5.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reader.library import ArticleInfo  # noqa: E402
from reader.ui.library_panel import LibraryModel, LibraryPanel  # noqa: E402

SIZE = (340, 760)
WORDS = (
    "harbour", "ferry", "winter", "repairs", "council", "budget", "river", "light", "stone",
    "garden", "notes", "typography", "software", "design", "calm", "interfaces", "consensus",
    "algorithms", "engineering", "history", "paperclip", "lighthouse", "keeper", "migration",
    "marshes", "reading", "slowly", "plain", "text", "signalling", "timetables", "network",
    "radio", "workshop", "fourier", "sourdough", "mountains", "quiet", "week", "city",
    "trains", "late", "small", "tools", "sharp", "edges", "notebook", "years",
)  # fmt: skip
SITES = ("The Coastal Gazette", "Nature Notes", "Engineering at Example", "Plain Words", "")
AUTHORS = ("Ines Varga", "Tom Ek", "Priya Nair", "", "")
TAGS = ("ferries", "to read", "history", "kitchen", "work", "island life", "nature", "code")
TYPED = ("harbour", "typography", "consensus", "lighthouse", "signalling", "zebra", "tag:ferries")


def articles(count: int, seed: int = 10) -> list[ArticleInfo]:
    rnd = random.Random(seed)
    now = time.time()
    made = []
    for k in range(count):
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.choice((1, 2, 3, 5, 8, 12, 20))))
        words = rnd.randint(80, 12_000)
        made.append(
            ArticleInfo(
                id=f"article-{k}", title=f"{title.capitalize()} {k}", source=f"/l/a-{k}.md",
                origin="user", content_hash="", text_hash="", words=words, mtime_ns=0,
                size=words * 6, added_at=now - rnd.uniform(0, 2 * 365 * 86400),
                author=rnd.choice(AUTHORS), site=rnd.choice(SITES),
                progress=rnd.choice((0.0, 0.0, 0.0, 0.3, 0.7, 1.0)),
                tags=tuple(rnd.sample(TAGS, rnd.choice((0, 0, 1, 1, 2, 3)))),
            )
        )  # fmt: skip
    return made


def app() -> QApplication:
    made = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(made, QApplication)
    return made


def painted(panel: LibraryPanel) -> None:
    """Handle what is pending (and what that posts), then paint the panel as the screen would."""
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    panel.grab()


def timed(action: Callable[[], object]) -> float:
    """Milliseconds from ``action`` until the panel it changed is painted."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def new_panel() -> LibraryPanel:
    panel = LibraryPanel()
    panel.resize(*SIZE)
    panel.show()
    QCoreApplication.processEvents()
    return panel


def close(panel: LibraryPanel) -> None:
    panel.close()
    panel.deleteLater()
    QCoreApplication.processEvents()


def measure(rows: list[ArticleInfo], runs: int) -> dict[str, float]:
    result: dict[str, float] = {}
    lists = []
    for _ in range(runs):
        panel = new_panel()

        def show(p: LibraryPanel = panel) -> None:
            p.set_articles(rows)
            painted(p)

        lists.append(timed(show))
        close(panel)
    result["list + first paint (ms)"] = statistics.median(lists)

    panel = new_panel()
    panel.set_articles(rows)
    painted(panel)
    keys: list[float] = []
    clears: list[float] = []
    for _ in range(runs):
        for word in TYPED:
            for n in range(1, len(word) + 1):

                def key(text: str = word[:n]) -> None:
                    panel.filter_edit.setText(text)
                    painted(panel)

                keys.append(timed(key))

            def clear() -> None:
                panel.filter_edit.clear()
                painted(panel)

            clears.append(timed(clear))
    keys.sort()
    result["filter keystroke p50 (ms)"] = statistics.median(keys)
    result["filter keystroke p95 (ms)"] = keys[min(len(keys) - 1, round(0.95 * len(keys)))]
    result["clear the filter (ms)"] = statistics.median(clears)

    header = panel.view.header()
    for column, name in enumerate(LibraryModel.COLUMNS):
        sorts = []
        for _ in range(runs):
            panel.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
            painted(panel)

            def sort(c: int = column) -> None:
                panel.view.sortByColumn(c, Qt.SortOrder.AscendingOrder)
                painted(panel)

            sorts.append(timed(sort))
        shown = "" if not header.isSectionHidden(column) else " (hidden)"
        result[f"sort by {name}{shown} (ms)"] = statistics.median(sorts)

    last = rows[-1].id
    ends = []
    for _ in range(runs):
        panel.select(rows[0].id)
        painted(panel)

        def to_end() -> None:
            panel.select(last)
            painted(panel)

        ends.append(timed(to_end))
    assert panel.current_id() == last
    result["select + show the last row (ms)"] = statistics.median(ends)
    close(panel)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    app()
    many = measure(articles(args.articles), args.runs)
    few = measure(articles(5), args.runs)
    python = platform.python_version()
    print(f"{os.cpu_count()} cores, Python {python}, Qt offscreen, panel {SIZE[0]}x{SIZE[1]}")
    print()
    print(f"| measure | {args.articles:,} articles | 5 articles | ratio |")
    print("|---|---:|---:|---:|")
    for name, value in many.items():
        peer = few[name]
        ratio = f"{value / peer:.1f}x" if peer > 0 else "-"
        print(f"| {name} | {value:.1f} | {peer:.1f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
