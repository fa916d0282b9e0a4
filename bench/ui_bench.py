"""Large-library benchmark: what the user waits for with 20,000 articles, beside 5.

Run by hand from the repository root:

    .venv/bin/python -m bench.ui_bench [--articles N] [--runs K] [--keep DIR]

Two data folders are made with text generated here (``bench.stall_bench``'s
fixed-seed generator): the bundled articles plus N Markdown articles, and the
bundled articles alone, the peer. Each also holds a 9 KB and a 200 KB
article. Both are catalogued and indexed first, as a previous session would
have left them (not measured; ``--keep DIR`` keeps them for the next run).
Then, for each, ``--runs`` times:

1. launch: from ``build_window`` to the list holding every article with the
   row selected at start painted (the list's view is told of its rows a batch
   at a time, as it scrolls, so not every row is laid out), and the longest
   stall of the UI thread (5 ms heartbeat) until the refresh made at start has
   landed, and a second after;
2. search as you type: queries typed into the search field a letter every
   120 ms; from the last letter to the results listed for it, less the
   150 ms the field waits for typing to stop (p50 and p95 over the queries);
3. building the result list: ``SearchPanel.show_results`` of 30 hits, alone and
   with the first paint of the rows it shows;
4. opening the 9 KB and the 200 KB article: ``open_article`` to ``page_shown``;
5. ``reader list`` and ``reader search socket`` as commands, and
   ``import reader.cli`` in a fresh interpreter (less an empty one's start).

Every figure is the median of the runs, each printed beside the goals of the
"fast at 20,000 articles" issue.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QTimer, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.stall_bench import (  # noqa: E402
    LONG_ARTICLE_CHARS,
    SEED,
    Words,
    close_window,
    idle,
    long_article,
    measure,
    open_window,
    prepare,
    quiet_offscreen,
    small_article,
    wait_until,
    write_library,
)
from reader.core import ReaderCore  # noqa: E402
from reader.paths import bundled_articles_dir  # noqa: E402
from reader.search import SearchResults  # noqa: E402
from reader.ui.app import build_window  # noqa: E402
from reader.ui.main_window import MainWindow  # noqa: E402
from reader.ui.operations import Lane  # noqa: E402
from reader.ui.search_panel import DEBOUNCE_MS  # noqa: E402

TYPING_MS = 120  # between two letters
QUERIES = (
    "harbour", "reading slowly", "interpreter", "socket timeout", "the module",
    "default value", "python", "exception handling", "file system", "unicode",
)  # fmt: skip
GOALS = {
    "launch → list painted with all rows (s)": "≤ 0.7",
    "UI frozen during launch, longest (ms)": "≤ 50",
    "last keystroke → results, p50 (ms)": "",
    "last keystroke → results, p95 (ms)": "≤ 50",
    "building 30 result items (ms)": "≤ 5",
    "building 30 result items and painting them (ms)": "",
    "open a 9 KB article (ms)": "≤ 50",
    "open a 200 KB article (ms)": "≤ 150",
    "`reader list` (s)": "≤ 0.3",
    "`reader search socket` (s)": "≤ 0.3",
    "`import reader.cli` (ms)": "≤ 150",
}


@dataclass
class Library:
    data_dir: Path
    articles: int  # listed, the bundled ones included
    medium_id: str  # the 9 KB article
    long_id: str  # the 200 KB article
    figures: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.figures.setdefault(name, []).append(value)


def make_library(folder: Path, articles: int, sources: Path) -> Library:
    """A data folder with ``articles`` generated articles and the two to open, catalogued
    and indexed; made once, kept in ``folder``."""
    medium, long_md = sources / "medium-article.md", sources / "long-article.md"
    if not medium.exists():
        sources.mkdir(parents=True, exist_ok=True)
        words = Words(SEED + 3)
        medium.write_text(small_article(words, 0, 1450, 1550, markdown=True), encoding="utf-8")
        long_md.write_text(long_article(words.reseed(SEED + 1), LONG_ARTICLE_CHARS), "utf-8")
    marker = folder / "ready"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_library(folder / "library", Words(SEED), articles)
        _count, ids = prepare(folder, [medium, long_md])
        marker.write_text("\n".join(ids), encoding="utf-8")
    medium_id, long_id = marker.read_text(encoding="utf-8").split()
    core = ReaderCore(folder, bundled_articles_dir(), writer=False)
    count = len(core.articles())
    core.close()
    return Library(folder, count, medium_id, long_id)


# --- the window --------------------------------------------------------------------


def launch(lib: Library) -> None:
    made: list[MainWindow] = []
    loaded: list[bool] = []
    listed: list[float] = []
    started = [0.0]

    def start() -> None:
        started[0] = time.perf_counter()
        window = build_window(lib.data_dir)
        made.append(window)
        window.library_loaded.connect(lambda: loaded.append(True))
        window.show()
        window.load_library()

    def done() -> bool:
        window = made[0]
        panel = window.library_panel
        if not listed and panel.model.article_count() == lib.articles and panel.current_id():
            panel.view.viewport().repaint()  # the selected row painted, as the screen would
            listed.append(time.perf_counter() - started[0])
        return bool(loaded) and bool(listed)  # the refresh at start has landed, and is shown

    stalls = measure("launch", start, done, tail_s=1.0)
    lib.add("launch → list painted with all rows (s)", listed[0])
    lib.add("UI frozen during launch, longest (ms)", stalls.longest)
    close_window(made[0])


def type_queries(window: MainWindow, lib: Library) -> None:
    """Each query typed a letter at a time; from its last letter to its results listed."""
    window.search_panel.field.clear()
    window.commands.search.trigger()
    arrived: dict[str, float] = {}

    def listed(results: SearchResults) -> None:  # after the panel's own slot has listed them
        arrived.setdefault(results.query, time.perf_counter())

    window.search_finished.connect(listed)
    latencies: list[float] = []
    for query in QUERIES:
        window.search_panel.field.clear()
        _settle(window)
        arrived.clear()
        last = [0.0]
        letters = list(range(1, len(query) + 1))

        def next_letter(
            letters: list[int] = letters, query: str = query, last: list[float] = last
        ) -> None:
            n = letters.pop(0)
            window.search_panel.field.setText(query[:n])
            if letters:
                QTimer.singleShot(TYPING_MS, next_letter)
            else:
                last[0] = time.perf_counter()

        next_letter()
        wait_until(lambda query=query: query in arrived, 60)  # type: ignore[misc]
        latencies.append((arrived[query] - last[0]) * 1000 - DEBOUNCE_MS)
    window.search_finished.disconnect(listed)
    latencies.sort()
    lib.add("last keystroke → results, p50 (ms)", statistics.median(latencies))
    lib.add("last keystroke → results, p95 (ms)", latencies[round(0.95 * (len(latencies) - 1))])


def build_results(window: MainWindow, lib: Library) -> None:
    """The result list of 30 hits built, as when they arrive (the panel's own slot);
    the small library has fewer to list."""
    found: list[SearchResults] = []

    def search(core: ReaderCore, _progress: object) -> SearchResults:
        # The word with the most hits, 30 in a large library (a small one has fewer).
        found = [core.search(word, 30) for word in ("value", "function", "object", "module")]
        return max(found, key=lambda results: len(results.hits))

    window.ops.start(Lane.INDEX, search, found.append)
    wait_until(lambda: bool(found))
    query = found[0].query
    panel = window.search_panel
    panel.field.blockSignals(True)  # typed without searching: the answer is at hand
    panel.field.setText(query)
    panel.field.blockSignals(False)
    times, painted = [], []
    for _ in range(5):
        _turn_events(0.3)  # the list before laid out whole, as between two answers
        start = time.perf_counter()
        panel.show_results(found[0])
        built = time.perf_counter()
        panel.results.viewport().repaint()  # the rows shown laid out and painted
        times.append((built - start) * 1000)
        painted.append((time.perf_counter() - start) * 1000)
    lib.add("building 30 result items (ms)", statistics.median(times))
    lib.add("building 30 result items and painting them (ms)", statistics.median(painted))


def _turn_events(seconds: float) -> None:
    """Let the event loop run for ``seconds`` (posted layout and paint work is done)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.005)


def open_articles(window: MainWindow, lib: Library) -> None:
    shown: list[str] = []
    window.page_shown.connect(shown.append)
    for name, article_id in (("open a 9 KB article (ms)", lib.medium_id),
                             ("open a 200 KB article (ms)", lib.long_id)):  # fmt: skip
        first = lib.medium_id if article_id != lib.medium_id else lib.long_id
        window.open_article(first)  # another one open, as when the user moves on
        wait_until(lambda first=first: _showing(window, first))  # type: ignore[misc]
        _settle(window)
        shown.clear()
        start = time.perf_counter()
        window.open_article(article_id)
        wait_until(lambda article_id=article_id: article_id in shown, 60)  # type: ignore[misc]
        lib.add(name, (time.perf_counter() - start) * 1000)
        _settle(window)
    window.page_shown.disconnect(shown.append)


def _settle(window: MainWindow) -> None:
    """Wait for the window's work to be answered, for at most a few seconds: its check
    for bookmarks changed elsewhere, every half second, may keep it from ever being idle."""
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: idle(window), 5)


def _showing(window: MainWindow, article_id: str) -> bool:
    page = window.view.page
    return page is not None and page.id == article_id


# --- the command line ----------------------------------------------------------------


def _seconds(args: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def command_line(lib: Library) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    python = sys.executable
    reader = [python, "-m", "reader", "--data-dir", str(lib.data_dir)]
    lib.add("`reader list` (s)", _seconds([*reader, "list"], env))
    lib.add("`reader search socket` (s)", _seconds([*reader, "search", "socket"], env))
    empty = min(_seconds([python, "-c", "pass"], env) for _ in range(3))
    loaded = min(_seconds([python, "-c", "import reader.cli"], env) for _ in range(3))
    lib.add("`import reader.cli` (ms)", (loaded - empty) * 1000)


# --- report ------------------------------------------------------------------------


def run_once(lib: Library) -> None:
    launch(lib)
    window = open_window(lib.data_dir)
    try:
        type_queries(window, lib)
        build_results(window, lib)
        open_articles(window, lib)
    finally:
        close_window(window)
    command_line(lib)


def table(big: Library, small: Library) -> str:
    lines = [
        f"| what the user does | {big.articles:,} articles | {small.articles:,} articles"
        " | ratio | goal at 20,000 |",
        "|---|---:|---:|---:|---|",
    ]
    for name, goal in GOALS.items():
        a, b = statistics.median(big.figures[name]), statistics.median(small.figures[name])
        ratio = f"{a / b:.1f}x" if b > 0 else "–"
        spread = f" ({min(big.figures[name]):.3g}–{max(big.figures[name]):.3g})"
        lines.append(f"| {name} | {a:.3g}{spread if len(big.figures[name]) > 1 else ''}"
                     f" | {b:.3g} | {ratio} | {goal} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=20_000, help="generated articles")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the data folders here, for the next run")
    args = parser.parse_args(argv)
    qInstallMessageHandler(quiet_offscreen)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    root = args.keep or Path(tempfile.mkdtemp(prefix="reader-ui-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        big = make_library(root / f"library-{args.articles}", args.articles, root / "sources")
        small = make_library(root / "library-0", 0, root / "sources")
        print(f"libraries ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        for n in range(args.runs):
            for lib in (big, small):
                run_once(lib)
            print(f"run {n + 1} of {args.runs} done", file=sys.stderr)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{os.cpu_count()} cores, Python {platform.python_version()}, Qt offscreen;"
          f" median of {args.runs} runs (range over the runs)\n")  # fmt: skip
    print(table(big, small))
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
