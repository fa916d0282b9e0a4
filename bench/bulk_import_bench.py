"""Bulk import benchmark: the search benchmark's 20,644 documents imported as files from
the window, then indexed; SQLite FTS5 building the same texts is the peer.

Run by hand from the repository root:

    .venv/bin/python -m bench.bulk_import_bench [--docs N] [--runs K]

The documents are the sections of Debian's ``python3.11-doc``, ``perl-doc``,
``manpages`` and ``manpages-dev`` that ``bench.search_bench`` cuts (fetched
with ``apt-get download`` into ``bench/corpus/``, ignored by git), written as
one ``.txt`` file each (title line, then the text) into a temporary folder.
For each run, on a fresh data folder with the window open and idle:

1. **import**: ``MainWindow.import_files`` of every file, to ``import_finished``:
   how long, how many progress reports the window showed, and the longest
   stall of the UI thread (5 ms heartbeat) while it ran;
2. **the import landing**: the longest stall from the last progress report
   to 300 ms after ``import_finished`` (the list shown with every article);
3. **index**: from ``import_finished`` to the index holding every article
   (``index_ready``, nothing pending);
4. **FTS5**: in the same run, an ``INSERT`` of the same titles and texts into an
   FTS5 table (``porter unicode61``) in one transaction.

Every figure is printed per run beside its goal, and the median.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QTimer, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.search_bench import build_fts, fetch_corpus  # noqa: E402
from bench.stall_bench import (  # noqa: E402
    close_window,
    idle,
    open_window,
    prepare,
    quiet_offscreen,
    wait_until,
)
from reader.ui.main_window import MainWindow  # noqa: E402

TICK_MS = 5
TAIL_S = 0.3


def write_files(folder: Path, corpus: Sequence[tuple[str, str]]) -> list[Path]:
    """One ``.txt`` file a document: its title on the first line, then its text."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (title, body) in enumerate(corpus):
        path = folder / f"doc-{n:05d}.txt"
        path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        paths.append(path)
    return paths


def fts_build(corpus: Sequence[tuple[str, str]], folder: Path) -> float:
    """Seconds to build the search benchmark's FTS5 table of the same texts."""
    path = folder / "fts.sqlite3"
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    build_fts(path, corpus).close()
    return time.perf_counter() - start


class Heartbeat:
    """Ticks every 5 ms on the UI thread; the gaps between ticks are stalls."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self.timer.start()

    def longest(self, start: float, end: float) -> float:
        inside = [t for t in self.ticks if start <= t <= end]
        gaps = [(b - a) * 1000 for a, b in itertools.pairwise(inside)]
        return max(gaps, default=0.0)


def run_once(paths: list[Path], root: Path) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(prefix="bulk-", dir=root))
    prepare(data_dir)
    window: MainWindow = open_window(data_dir)
    finished: list[float] = []
    reports: list[float] = []
    ready: list[float] = []
    window.import_finished.connect(lambda: finished.append(time.perf_counter()))
    window.import_progressed.connect(lambda _n: reports.append(time.perf_counter()))
    beat = Heartbeat()
    start = time.perf_counter()
    window.import_files(list(paths))
    wait_until(lambda: bool(finished), 3600)
    window.index_ready.connect(lambda: ready.append(time.perf_counter()))
    wait_until(lambda: bool(ready) and idle(window), 3600)
    end = time.perf_counter()
    wait_until(lambda: time.perf_counter() - end > TAIL_S)
    last_report = max((t for t in reports if t <= finished[0]), default=start)
    figures = {
        "import (s)": finished[0] - start,
        "progress reports shown": float(len([t for t in reports if t <= finished[0]])),
        "UI frozen during the import, longest (ms)": beat.longest(start, last_report),
        "UI frozen when the import lands, longest (ms)": beat.longest(
            last_report, finished[0] + TAIL_S
        ),
        "then index (s)": ready[-1] - finished[0],
        "UI frozen while indexing, longest (ms)": beat.longest(finished[0] + TAIL_S, end),
    }
    rows = window.library_panel.model.article_count()
    close_window(window)
    shutil.rmtree(data_dir, ignore_errors=True)
    figures["articles listed"] = float(rows)
    return figures


GOALS = {
    "import (s)": "≤ 60",
    "progress reports shown": "throughout",
    "UI frozen during the import, longest (ms)": "≤ 50",
    "UI frozen when the import lands, longest (ms)": "≤ 50",
    "then index (s)": "",
    "index ÷ FTS5 build": "≤ 12×",
    "UI frozen while indexing, longest (ms)": "≤ 50",
    "FTS5 build (s)": "",
    "articles listed": "",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=0, help="only the first N documents")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    qInstallMessageHandler(quiet_offscreen)
    app = QApplication.instance() or QApplication([])
    corpus = fetch_corpus()
    if args.docs:
        corpus = corpus[: args.docs]
    root = Path(tempfile.mkdtemp(prefix="bulk-import-bench-"))
    try:
        paths = write_files(root / "files", corpus)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{len(paths):,} files, {size:.1f} MB; {os.cpu_count()} cores", flush=True)
        runs: list[dict[str, float]] = []
        for n in range(args.runs):
            figures = run_once(paths, root)
            figures["FTS5 build (s)"] = fts_build(corpus, root)
            figures["index ÷ FTS5 build"] = figures["then index (s)"] / figures["FTS5 build (s)"]
            runs.append(figures)
            print(f"run {n + 1}: " + ", ".join(f"{k} {v:.3g}" for k, v in figures.items()),
                  flush=True)  # fmt: skip
        head = " | ".join(f"run {n + 1}" for n in range(len(runs)))
        print(f"\n| measure | {head} | median | goal |")
        print("|---|" + "---:|" * (len(runs) + 1) + "---|")
        for name, goal in GOALS.items():
            values = [r[name] for r in runs]
            cells = " | ".join(f"{v:.3g}" for v in values)
            print(f"| {name} | {cells} | {statistics.median(values):.3g} | {goal} |")
        del app
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
