"""Growth benchmark: how the importer's and renderer's time grows with odd inputs.

Run by hand from the repository root:

    .venv/bin/python bench/growth_bench.py [--min-kb 4] [--max-kb 256] [--cap 20]
                                           [--shapes NAME,...]

Each shape (a deep list, runs of brackets or emphasis marks, many headings,
a deep HTML page, link addresses and tags that never close, ...) is made at
sizes doubling from ``--min-kb`` to ``--max-kb`` and fed, one size at a time,
to:

- import: ``reader.library.importing.convert_bytes(data, Path(name))``, the
  file's bytes to Markdown;
- render: ``reader.rendering.render(markdown)``, Markdown to the shown HTML,
  text and outline; the Markdown is the file itself for a ``.md`` shape, else
  what the importer made of it (not timed);
- peer: plain Python-Markdown, ``markdown.markdown(markdown)`` on the same
  Markdown as render, measured in the same run.

Every measurement runs in a child process of its own, killed when it takes
longer than ``--cap`` seconds; a shape's larger sizes are then skipped for
that step. A step that raises is shown with its exception's name. A short
step is run again until a quarter of a second has gone, and its best time is
kept.

The table gives seconds per MB of input at each size (flat when the time is
linear) and the growth of the time per doubling of the size, taken over the
sizes measured from 16 KB on: 2.0x is linear, 4.0x quadratic. The last
column is render's time over the peer's at the largest size both finished.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

WORDS = (
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
)  # fmt: skip
STEPS = ("import", "render", "peer")
MIN_RUN_S = 0.25  # a step shorter than this is run again, its best time kept


def word(k: int) -> str:
    return WORDS[k % len(WORDS)]


def _fill(unit: Callable[[int], str], size: int) -> str:
    """Units 0, 1, 2, ... joined until the text is ``size`` characters or more."""
    out: list[str] = []
    n = k = 0
    while n < size:
        part = unit(k)
        out.append(part)
        n += len(part)
        k += 1
    return "".join(out)


def nested_brackets(size: int) -> str:
    k = size // 2
    return "[" * k + "x" + "]" * k + "\n"


def unclosed_brackets(size: int) -> str:
    return "[" * size + "\n"


def nested_emphasis(size: int) -> str:
    k = size // 2
    return "*" * k + "x" + "*" * k + "\n"


def deep_list(size: int) -> str:
    """Each item two spaces deeper than the one before: the depth grows as the root of the size."""
    return _fill(lambda k: "  " * k + f"- {word(k)}\n", size)


def one_line_list(size: int) -> str:
    return "- " * (size // 2) + "x\n"


def deep_quote(size: int) -> str:
    return ">" * size + " x\n"


def plain_lines(size: int) -> str:
    return _fill(lambda k: f"Line {k} says {word(k)} and {word(k + 3)} to the reader.\n", size)


def headings(size: int) -> str:
    return _fill(lambda k: f"## Heading {k} {word(k)}\n\n", size)


def links(size: int) -> str:
    return _fill(lambda k: f"[{word(k)} {k}](https://example.com/{k}) ", size) + "\n"


def long_line(size: int) -> str:
    return _fill(lambda k: f"{word(k)} ", size) + "\n"


def deep_html(size: int) -> str:
    """An article's prose, then a paragraph inside as many <div>s as the size allows."""
    k = size // 11
    prose = "".join("<p>" + " ".join(word(j + i) for j in range(40)) + ".</p>\n" for i in range(5))
    return (
        "<!DOCTYPE html><html><head><title>Deep page</title></head><body><article>"
        + "<h1>Deep page</h1>"
        + prose
        + "<div>" * k
        + "<p>the deepest words</p>"
        + "</div>" * k
        + "</article></body></html>\n"
    )


def table_rows(size: int) -> str:
    head = "| one | two | three |\n| --- | --- | --- |\n"
    return head + _fill(lambda k: f"| {word(k)} | {k} | {word(k + 1)} |\n", size)


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit)) + "\n"


def unclosed_link_address(size: int) -> str:
    return _repeat("[a](", size)


def unclosed_image_address(size: int) -> str:
    return _repeat("![a](", size)


def unclosed_link_title(size: int) -> str:
    return _repeat('[a](b "c) ', size)


def unclosed_tags(size: int) -> str:
    return _repeat("<a ", size)


def unclosed_tags_then_value(size: int) -> str:
    return "<a " * (size // 3) + "b='>\n"


def unclosed_block_tags(size: int) -> str:
    return _repeat("<div \n", size)


def unclosed_autolinks(size: int) -> str:
    return _repeat("<http://", size)


def unclosed_end_tags(size: int) -> str:
    return _repeat("</a \n", size)


def unclosed_instructions(size: int) -> str:
    return _repeat("<?\n<![CDATA[\n", size)


def nested_block_tags(size: int) -> str:
    return _repeat("<div>\n", size)


def escapes(size: int) -> str:
    return _repeat("\\", size)


def table_rows_under_headings(size: int) -> str:
    return _repeat("# a|\n", size)


def headings_underlined(size: int) -> str:
    """Lines each underlined as a heading, in one block (no blank line between)."""
    return _repeat("a\n-\n", size)


def code_spans(size: int) -> str:
    return _repeat("`a` ", size)


def unclosed_tags_page(size: int) -> str:
    """A page nested deeper than the parser goes, then "<a" that never closes."""
    return "<html><body>" + "<div>" * 300 + "<p>words</p>" + "<a" * (size // 2) + "\n"


@dataclass(frozen=True)
class Shape:
    name: str
    suffix: str
    make: Callable[[int], str]


SHAPES = (
    Shape("nested brackets", ".md", nested_brackets),
    Shape("unclosed brackets", ".md", unclosed_brackets),
    Shape("nested emphasis", ".md", nested_emphasis),
    Shape("deep list, indented", ".md", deep_list),
    Shape("deep list, one line", ".md", one_line_list),
    Shape("deep blockquote", ".md", deep_quote),
    Shape("plain text lines", ".txt", plain_lines),
    Shape("many headings", ".md", headings),
    Shape("many links", ".md", links),
    Shape("long single line", ".md", long_line),
    Shape("deep HTML", ".html", deep_html),
    Shape("table rows", ".md", table_rows),
    Shape("unclosed link address", ".md", unclosed_link_address),
    Shape("unclosed image address", ".md", unclosed_image_address),
    Shape("unclosed link title", ".md", unclosed_link_title),
    Shape("unclosed tags", ".md", unclosed_tags),
    Shape("unclosed tags then a value", ".md", unclosed_tags_then_value),
    Shape("unclosed block tags", ".md", unclosed_block_tags),
    Shape("unclosed autolinks", ".md", unclosed_autolinks),
    Shape("unclosed end tags", ".md", unclosed_end_tags),
    Shape("unclosed instructions", ".md", unclosed_instructions),
    Shape("nested block tags", ".md", nested_block_tags),
    Shape("line of escapes", ".md", escapes),
    Shape("one-column rows under headings", ".md", table_rows_under_headings),
    Shape("unclosed tags in a deep page", ".html", unclosed_tags_page),
    Shape("underlined headings in one block", ".md", headings_underlined),
    Shape("code spans on one line", ".md", code_spans),
)


# --- one measurement, in a child process -----------------------------------------


def _step(shape: Shape, size: int, step: str) -> Callable[[], object]:
    from reader.library.importing import convert_bytes

    data = shape.make(size).encode("utf-8")
    path = Path("growth" + shape.suffix)
    if step == "import":
        return lambda: convert_bytes(data, path)
    markdown_text = (
        data.decode("utf-8") if shape.suffix == ".md" else convert_bytes(data, path).markdown
    )
    if step == "render":
        from reader.rendering import render

        return lambda: render(markdown_text)
    import markdown

    return lambda: markdown.markdown(markdown_text)


def _measure(shape: Shape, size: int, step: str, out: Connection) -> None:
    sys.setrecursionlimit(1000)  # as the app runs, whatever the parent set
    try:
        run = _step(shape, size, step)
        best = math.inf
        spent = 0.0
        while spent < MIN_RUN_S:
            start = time.perf_counter()
            run()
            took = time.perf_counter() - start
            best = min(best, took)
            spent += took
        out.send(best)
    except BaseException as exc:
        out.send(type(exc).__name__)


def measure(shape: Shape, size: int, step: str, cap: float) -> float | str:
    """The step's best time in seconds; "timeout" or an exception's name when it fails."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_measure, args=(shape, size, step, send), daemon=True)
    child.start()
    send.close()
    result: float | str = "timeout"
    if receive.poll(cap):
        try:
            result = receive.recv()
        except EOFError:
            result = "crashed"
    child.kill()
    child.join()
    receive.close()
    return result


# --- the table ---------------------------------------------------------------------


def growth(times: dict[int, float]) -> str:
    """The time's growth per doubling of the size, over the sizes from 16 KB on."""
    sizes = sorted(s for s in times if s >= 16 * 1024) or sorted(times)
    if len(sizes) < 2:
        return "-"
    first, last = sizes[0], sizes[-1]
    doublings = math.log2(last / first)
    return f"{(times[last] / times[first]) ** (1 / doublings):.1f}x"


def cell(result: float | str | None, size: int) -> str:
    if result is None:
        return ""
    if isinstance(result, str):
        return result
    return f"{result / (size / 1024 / 1024):.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min-kb", type=int, default=4)
    parser.add_argument("--max-kb", type=int, default=256)
    parser.add_argument("--cap", type=float, default=20.0, help="seconds a step may take")
    parser.add_argument("--shapes", default="", help="comma-separated names (default: all)")
    args = parser.parse_args(argv)
    sizes = []
    size = args.min_kb * 1024
    while size <= args.max_kb * 1024:
        sizes.append(size)
        size *= 2
    # Loaded once here, so that each child (a fork) starts with them.
    import markdown  # noqa: F401
    import trafilatura  # noqa: F401

    import reader.library.importing
    import reader.rendering  # noqa: F401

    chosen = [s.strip() for s in args.shapes.split(",") if s.strip()]
    shapes = [s for s in SHAPES if not chosen or s.name in chosen]

    head = ["shape", "step", *(f"{s // 1024} KB" for s in sizes), "per doubling", "/ peer"]
    print(f"seconds per MB; a step is stopped after {args.cap:g} s\n")
    print("| " + " | ".join(head) + " |")
    print("|---|---|" + "---:|" * (len(head) - 2))
    for shape in shapes:
        results: dict[str, dict[int, float | str]] = {}
        for step in STEPS:
            results[step] = {}
            for size in sizes:
                result = measure(shape, size, step, args.cap)
                results[step][size] = result
                if isinstance(result, str):
                    break  # larger sizes take longer still, or fail the same way
        for step in STEPS:
            times = {s: t for s, t in results[step].items() if isinstance(t, float)}
            ratio = ""
            if step == "render":
                peer = results["peer"]
                both = [s for s in times if isinstance(peer.get(s), float)]
                if both:
                    at = max(both)
                    peer_time = peer[at]
                    assert isinstance(peer_time, float)
                    ratio = f"{times[at] / peer_time:.1f}x"
            row = [shape.name, step, *(cell(results[step].get(s), s) for s in sizes)]
            print("| " + " | ".join([*row, growth(times), ratio]) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
