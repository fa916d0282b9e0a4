"""UI stall benchmark: how long the window's UI thread stops answering while it works.

Run by hand from the repository root:

    .venv/bin/python -m bench.stall_bench [--articles N] [--files N] [--runs K]

A heartbeat QTimer on the UI thread fires every 5 ms and records the time of
each tick; the gap between two ticks is how long the UI thread could not
answer (input, paint, timers). Each scenario runs in a fresh data dir under the
system's temp folder, on text generated here with a fixed seed:

1. launch: build the window and load a catalogued, indexed library;
2. open a long article (~200 KB of Markdown) until ``page_shown``;
3. import a few thousand small files until the window is idle again
   (copy + catalog + index sync);
4. rebuild the search index from the window until idle.

As a peer, the same run measures one ``QTextBrowser.setHtml()`` of the long
article's HTML done on the UI thread: what any Qt reader pays to show it.
"""

from __future__ import annotations

import argparse
import collections
import keyword
import math
import os
import random
import re
import shutil
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import (  # noqa: E402
    QCoreApplication,
    QEvent,
    QEventLoop,
    QMessageLogContext,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QTextBrowser  # noqa: E402

from reader.core import ReaderCore  # noqa: E402
from reader.paths import bundled_articles_dir  # noqa: E402
from reader.ui.app import build_window  # noqa: E402
from reader.ui.main_window import MainWindow  # noqa: E402
from reader.ui.operations import Lane  # noqa: E402

TICK_MS = 5  # the heartbeat's interval
GOAL_MS = 50.0  # longest stall the UI thread may have
WARMUP_S = 0.05  # heartbeat ticks before the action starts
TAIL_S = 0.3  # ticks after the answer: the layout and paint that follow it count too
SEED = 20261121
LONG_ARTICLE_CHARS = 200_000


# --- generated text ------------------------------------------------------------


class Words:
    """English words, drawn with their real frequencies, from Python's own documentation.

    The vocabulary is the prose of the interpreter's help topics and the
    docstrings of its standard library: a few thousand distinct words with a
    natural spread of common and rare ones.
    """

    WORD = re.compile(r"(?<![\w.])[A-Za-z][a-z]{1,14}(?![\w(])")
    DOCSTRING = re.compile(r'"""(.*?)"""', re.S)

    def __init__(self, seed: int) -> None:
        counts: collections.Counter[str] = collections.Counter()
        for chunk in self._prose():
            counts.update(w.lower() for w in self.WORD.findall(chunk))
        self.words = sorted(w for w, n in counts.items() if n >= 2)
        weights = [counts[w] for w in self.words]
        self._cum = list(_accumulate(weights))
        self.rnd = random.Random(seed)

    @classmethod
    def _prose(cls) -> list[str]:
        chunks: list[str] = []
        try:
            from pydoc_data.topics import topics

            chunks += topics.values()
        except ImportError:
            pass
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        skip = {"test", "tests", "site-packages", "idlelib", "lib2to3", "dist-packages"}
        for path in sorted(stdlib.rglob("*.py")):
            if skip.isdisjoint(path.relative_to(stdlib).parts):
                source = path.read_text(encoding="utf-8", errors="replace")
                chunks += (m.group(1) for m in cls.DOCSTRING.finditer(source))
        return chunks

    def reseed(self, seed: int) -> Words:
        """Draw from a fresh generator, so each part of the corpus is the same whatever its size."""
        self.rnd = random.Random(seed)
        return self

    def take(self, n: int) -> list[str]:
        return self.rnd.choices(self.words, cum_weights=self._cum, k=n)

    def phrase(self, lo: int, hi: int) -> str:
        return " ".join(self.take(self.rnd.randint(lo, hi)))

    def title(self) -> str:
        return " ".join(w.capitalize() for w in self.take(self.rnd.randint(3, 7)))

    def sentence(self) -> str:
        words = self.take(self.rnd.randint(6, 22))
        if len(words) > 10 and self.rnd.random() < 0.4:
            words[self.rnd.randint(3, len(words) - 4)] += ","
        return " ".join(words).capitalize() + self.rnd.choice(".....?!")

    def paragraph(self, lo: int = 2, hi: int = 7, markup: bool = False) -> str:
        text = " ".join(self.sentence() for _ in range(self.rnd.randint(lo, hi)))
        if markup:
            words = text.split(" ")
            for _ in range(self.rnd.randint(0, 3)):
                k = self.rnd.randrange(len(words))
                if words[k].isalpha():
                    words[k] = self.rnd.choice(("*{}*", "**{}**", "`{}`")).format(words[k])
            text = " ".join(words)
        return text

    def bullets(self, ordered: bool) -> str:
        items = [self.phrase(3, 14) for _ in range(self.rnd.randint(3, 8))]
        return "\n".join(f"{k}. {t}" if ordered else f"- {t}" for k, t in enumerate(items, 1))


def _accumulate(values: Sequence[int]) -> list[int]:
    total, out = 0, []
    for v in values:
        total += v
        out.append(total)
    return out


def code_block(words: Words, lines: int) -> str:
    rnd = words.rnd
    names = [w for w in words.take(lines * 2) if not keyword.iskeyword(w)] or ["value"]
    body = [f"def {rnd.choice(names)}_{rnd.choice(names)}(items, limit=10):"]
    body.append(f'    """{words.sentence()}"""')
    body.append("    found = []")
    for _ in range(lines - 4):
        a, b, n = rnd.choice(names), rnd.choice(names), rnd.randint(1, 999)
        choices = (
            f"    {a} = {{item.{b}: item for item in items if item.{b} > {n}}}",
            f"    for {a} in sorted(items, key=len):",
            f"        found.append(({a}, {n}))  # {words.phrase(2, 6)}",
            "    if len(found) > limit:\n        return found[:limit]",
            f'    log.debug("{words.phrase(2, 5)} %s", {a})',
        )
        body.append(rnd.choice(choices))
    body.append("    return found")
    return "```python\n" + "\n".join(body) + "\n```"


def long_article(words: Words, chars: int) -> str:
    """A Markdown article of about ``chars`` characters: sections, lists, one code block."""
    parts = [f"# {words.title()}", words.paragraph(3, 6, markup=True)]
    size = sum(len(p) for p in parts)
    section = 0
    while size < chars:
        section += 1
        block: list[str] = [f"## {section}. {words.title()}"]
        for sub in range(words.rnd.randint(1, 3)):
            if sub:
                block.append(f"### {section}.{sub} {words.title()}")
            for _ in range(words.rnd.randint(2, 5)):
                block.append(words.paragraph(3, 8, markup=True))
            if words.rnd.random() < 0.5:
                block.append(words.bullets(ordered=words.rnd.random() < 0.3))
        if section == 3:
            block.append(code_block(words, 40))
        parts += block
        size += sum(len(p) + 2 for p in block)
    return "\n\n".join(parts) + "\n"


def small_article(words: Words, n: int, lo: int, hi: int, markdown: bool) -> str:
    """A short article of about ``lo``..``hi`` words, Markdown or plain text."""
    title = f"{words.title()} {n}"
    target = words.rnd.randint(lo, hi)
    paragraphs: list[str] = []
    count = 0
    while count < target:
        p = words.paragraph(1, 5, markup=markdown)
        paragraphs.append(p)
        count += p.count(" ") + 1
        if markdown and words.rnd.random() < 0.15:
            paragraphs.append(words.bullets(ordered=False))
        if markdown and words.rnd.random() < 0.1:
            paragraphs.append(f"## {words.title()}")
    if markdown:
        return f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n"
    return f"{title}\n\n" + "\n\n".join(paragraphs) + "\n"


def write_library(folder: Path, words: Words, count: int) -> None:
    """``count`` user articles in a data dir's library folder (Markdown, 150-700 words)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = small_article(words, n, 150, 700, markdown=True)
        (folder / f"article-{n:05}.md").write_text(text, encoding="utf-8")


def write_import_files(folder: Path, words: Words, count: int) -> list[Path]:
    """``count`` small files to import: two thirds Markdown, one third plain text."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for n in range(count):
        markdown = n % 3 != 2
        path = folder / f"note-{n:05}.{'md' if markdown else 'txt'}"
        path.write_text(small_article(words, n, 40, 400, markdown), encoding="utf-8")
        paths.append(path)
    return paths


# --- measuring -------------------------------------------------------------------


@dataclass
class Stalls:
    scenario: str
    gaps_ms: list[float]
    wall_s: float

    @property
    def longest(self) -> float:
        return max(self.gaps_ms, default=0.0)

    @property
    def p99(self) -> float:
        ordered = sorted(self.gaps_ms)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] if ordered else 0.0

    @property
    def over_goal(self) -> int:
        return sum(g > GOAL_MS for g in self.gaps_ms)


def measure(
    scenario: str,
    action: Callable[[], None],
    done: Callable[[], bool],
    timeout_s: float = 300.0,
    tail_s: float = TAIL_S,
) -> Stalls:
    """Run ``action`` on the UI thread under a heartbeat until ``done()``, plus a short tail.

    Gaps are counted from the tick that starts the action (so its own time is
    the first gap) to the end of the tail. Wall time runs from the action's
    start to the tick that first sees ``done()``.
    """
    loop = QEventLoop()
    ticks: list[float] = []
    started = time.perf_counter()
    t0: float | None = None
    t_done: float | None = None
    first = 0
    failure: BaseException | None = None

    def tick() -> None:
        nonlocal t0, t_done, first, failure
        now = time.perf_counter()
        ticks.append(now)
        try:
            if t0 is None:
                if now - started >= WARMUP_S:
                    t0, first = now, len(ticks) - 1
                    action()
            elif t_done is None:
                if done():
                    t_done = now
                elif now - t0 > timeout_s:
                    raise TimeoutError(f"{scenario}: not done after {timeout_s:.0f} s")
            elif now - t_done >= tail_s:
                loop.quit()
        except BaseException as exc:
            failure = exc
            loop.quit()

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(TICK_MS)
    heartbeat.timeout.connect(tick)
    heartbeat.start()
    loop.exec()
    heartbeat.stop()
    if failure is not None:
        raise failure
    assert t0 is not None and t_done is not None
    gaps = [(b - a) * 1000 for a, b in zip(ticks[first:], ticks[first + 1 :], strict=False)]
    return Stalls(scenario, gaps, t_done - t0)


def wait_until(condition: Callable[[], bool], timeout_s: float = 300.0) -> None:
    """Run the event loop until ``condition()`` holds (not measured)."""
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    poll = QTimer()
    poll.setInterval(10)

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError(f"not done after {timeout_s:.0f} s")


def idle(window: MainWindow) -> bool:
    return not window.ops.busy()


def open_window(data_dir: Path) -> MainWindow:
    """A window on ``data_dir`` with its library loaded and nothing pending (not measured)."""
    window = build_window(data_dir)
    loaded: list[bool] = []
    window.library_loaded.connect(lambda: loaded.append(True))
    window.show()
    window.load_library()
    wait_until(lambda: bool(loaded) and idle(window))
    return window


def close_window(window: MainWindow) -> None:
    window.close()  # saves its state and lets background work finish
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def prepare(data_dir: Path, import_paths: Sequence[Path] = ()) -> tuple[int, list[str]]:
    """Catalog and index a data dir as a previous session would have left it.

    Returns how many articles the library holds, and the ids of those
    imported from ``import_paths``.
    """
    core = ReaderCore(data_dir, bundled_articles_dir())
    try:
        core.refresh()
        outcomes = core.import_paths(import_paths) if import_paths else []
        core.sync_index()
        count = len(core.articles())
    finally:
        core.close()
    ids = [o.article_id for o in outcomes if o.article_id and o.status == "imported"]
    if len(ids) != len(import_paths):
        raise RuntimeError(f"prepare: {len(ids)} of {len(import_paths)} files imported")
    return count, ids


# --- scenarios -------------------------------------------------------------------


@dataclass
class Corpus:
    library: Path  # a data dir: the bundled articles + N user articles, catalogued and indexed
    articles: int  # in that library, the bundled ones included
    bundled: int
    long_md: Path
    import_files: list[Path]
    vocabulary: int  # distinct words the text was drawn from


def make_corpus(root: Path, articles: int, files: int) -> Corpus:
    words = Words(SEED)
    library = root / "library-template"
    write_library(library / "library", words.reseed(SEED), articles)
    count, _ = prepare(library)
    long_md = root / "sources" / "long-article.md"
    long_md.parent.mkdir(parents=True)
    long_md.write_text(long_article(words.reseed(SEED + 1), LONG_ARTICLE_CHARS), encoding="utf-8")
    import_files = write_import_files(root / "sources" / "import", words.reseed(SEED + 2), files)
    bundled = count - articles
    return Corpus(library, count, bundled, long_md, import_files, len(words.words))


def fresh_dir(root: Path, name: str, template: Path | None = None) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root))
    if template is None:
        return path
    path.rmdir()
    shutil.copytree(template, path)  # copy2 keeps the files' mtimes: the catalog is current
    return path


def launch(root: Path, corpus: Corpus) -> Stalls:
    data_dir = fresh_dir(root, "launch", corpus.library)
    made: list[MainWindow] = []
    loaded: list[bool] = []

    def start() -> None:
        window = build_window(data_dir)
        made.append(window)
        window.library_loaded.connect(lambda: loaded.append(True))
        window.show()
        window.load_library()

    result = measure(
        f"launch ({corpus.articles:,} articles)", start,
        lambda: bool(loaded) and idle(made[0]),
    )  # fmt: skip
    rows = made[0].library_panel.model.article_count()
    if rows != corpus.articles:
        raise RuntimeError(f"launch: the list shows {rows} articles")
    close_window(made[0])
    shutil.rmtree(data_dir)
    return result


def open_long(root: Path, corpus: Corpus) -> tuple[Stalls, Stalls]:
    """The long article opened from the window, and the peer setHtml of the same HTML."""
    data_dir = fresh_dir(root, "open")
    _, (long_id,) = prepare(data_dir, [corpus.long_md])
    window = open_window(data_dir)
    shown: list[str] = []
    window.page_shown.connect(shown.append)
    kb = corpus.long_md.stat().st_size / 1000
    result = measure(
        f"open a long article ({kb:.0f} KB)", lambda: window.open_article(long_id),
        lambda: long_id in shown,
    )  # fmt: skip
    page = window.view.page
    assert page is not None and page.id == long_id
    html, size = page.html, window.view.size()
    close_window(window)
    shutil.rmtree(data_dir)

    browser = QTextBrowser()
    browser.resize(size)
    browser.show()
    wait_until(browser.isVisible)
    peer = measure("peer: QTextBrowser.setHtml, same HTML", lambda: browser.setHtml(html),
                   lambda: True)  # fmt: skip
    browser.close()
    browser.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return result, peer


def import_many(root: Path, corpus: Corpus) -> Stalls:
    data_dir = fresh_dir(root, "import")
    prepare(data_dir)
    window = open_window(data_dir)
    paths = list(corpus.import_files)
    result = measure(
        f"import {len(paths):,} files", lambda: window.import_files(paths),
        lambda: idle(window),
    )  # fmt: skip
    rows = window.library_panel.model.article_count()
    if rows != len(paths) + corpus.bundled:
        raise RuntimeError(f"import: the list shows {rows} articles")
    close_window(window)
    shutil.rmtree(data_dir)
    return result


def rebuild_index(root: Path, corpus: Corpus) -> Stalls:
    data_dir = fresh_dir(root, "rebuild", corpus.library)
    window = open_window(data_dir)

    def start() -> None:
        window.ops.start(
            Lane.INDEX, lambda core, p: core.sync_index(p, rebuild=True),
            window.on_index_synced, label="Indexing",
        )  # fmt: skip

    result = measure(f"rebuild the index ({corpus.articles:,} articles)", start,
                     lambda: idle(window))  # fmt: skip
    close_window(window)
    shutil.rmtree(data_dir)
    return result


# --- report ----------------------------------------------------------------------


def quiet_offscreen(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages on stderr, less the offscreen platform's one about size hints."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def table(results: Sequence[Stalls], peer: Stalls) -> str:
    head = (
        "| scenario | longest stall (ms) | p99 gap (ms) | gaps > 50 ms | wall (s) "
        "| goal ≤ 50 ms met? |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---|"]
    for r in results:
        met = "yes" if r.longest <= GOAL_MS else "no"
        lines.append(
            f"| {r.scenario} | {r.longest:.1f} | {r.p99:.1f} | {r.over_goal} "
            f"| {r.wall_s:.2f} | {met} |"
        )
    lines.append(
        f"| {peer.scenario} | {peer.longest:.1f} | {peer.p99:.1f} | {peer.over_goal} | – | – |"
    )
    opened = next(r for r in results if r.scenario.startswith("open"))
    ratio = opened.longest / peer.longest if peer.longest else math.inf
    lines.append("")
    lines.append(f"open a long article, longest stall / peer setHtml stall: {ratio:.2f}x")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--articles", type=int, default=2000,
        help="user articles in the catalogued library (launch, rebuild)",
    )  # fmt: skip
    parser.add_argument("--files", type=int, default=3000, help="files to import")
    parser.add_argument("--runs", type=int, default=1, help="times to run every scenario")
    args = parser.parse_args(argv)

    qInstallMessageHandler(quiet_offscreen)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="reader-stall-bench-") as tmp:
        root = Path(tmp)
        if root.resolve().is_relative_to(REPO):
            raise SystemExit("the temp folder is inside the repository; set TMPDIR elsewhere")
        t = time.perf_counter()
        print(f"generating {args.articles:,} articles, a long article and {args.files:,} files…")
        corpus = make_corpus(root, args.articles, args.files)
        print(f"  ready in {time.perf_counter() - t:.1f} s ({corpus.vocabulary:,}-word vocabulary)")
        for run in range(1, args.runs + 1):
            results = [launch(root, corpus)]
            opened, peer = open_long(root, corpus)
            results.append(opened)
            results.append(import_many(root, corpus))
            results.append(rebuild_index(root, corpus))
            print(f"\nrun {run} of {args.runs} (heartbeat every {TICK_MS} ms)\n")
            print(table(results, peer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
