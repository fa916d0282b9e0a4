"""Anchoring benchmark: every bookmark of a 1 MB article found again after an edit.

Run by hand from the repository root:

    .venv/bin/python -m bench.anchor_bench [--bookmarks N] [--seed S] [--repeat K]
        [--old-limit K] [--old-timeout S] [--size CHARS] [--edits N]

Two texts of about a million characters:

- essay: generated paragraphs that look alike ("Paragraph N talks about topic
  N % 50 ..."), three sentences each, the second and third repeated word for
  word in many other paragraphs;
- docs: the plain text files under /usr/share/common-licenses and
  /usr/share/doc (gzipped ones decompressed), whole, in sorted path order,
  separated by a blank line. Nobody here wrote them; nothing is copied.

On each, N bookmarks are placed on whole sentences (essay) or whole lines
(docs), one in each N-th of the text (seeded). Three edits, each measured
apart, each knowing where every bookmark must land:

- word + insert: one word of one bookmarked passage replaced, and a line
  inserted near the start (everything after it moves);
- paragraph deleted: the paragraph holding one bookmark taken out (its
  bookmarks must be lost);
- many small edits: random words across the text replaced.

Methods, on the same edit in the same run:

- follow: ``Change(old, new)`` built once, then ``follow`` for every bookmark
  (the build counted in the time);
- locate: ``locate`` for every bookmark, from its selectors alone;
- old: ``old_anchor``, the method before (reader/bookmarks/anchoring.py at
  335bda6, copied below), on at most --old-limit bookmarks: the edited and
  removed ones first, then untouched ones spread evenly. Its all-bookmarks
  time is extrapolated from those (mean of the measured touched ones times
  the touched, the same for the untouched).

A bookmark is correct when it lands exactly on the span expected, or is lost
when its passage was removed; wrong when it lands anywhere else; lost when it
is lost although its passage is still there.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import re
import signal
import statistics
import sys
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reader.bookmarks.anchoring import (  # noqa: E402
    Anchor,
    Change,
    Lost,
    Selector,
    follow,
    locate,
    selector_for,
)

GOAL_MS = 50.0  # all bookmarks of a 1 MB article
SEED = 20261128
DOC_ROOTS = (Path("/usr/share/common-licenses"), Path("/usr/share/doc"))
MARKUP = frozenset({".html", ".htm", ".xml", ".xhtml", ".css", ".js", ".json", ".svg"})
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
WORD = re.compile(r"\b[A-Za-z]{3,}\b")
SENTENCE = re.compile(r"[A-Z][^.\n]*\.")
LINE = re.compile(r"[^\n]+")
REPLACEMENTS = ("altered", "changed", "different", "revised", "another", "rewritten")
INSERTED = "This sentence was inserted near the start of the article after it was bookmarked.\n"

Span = tuple[int, int]


# --- the method before ---------------------------------------------------------
# reader/bookmarks/anchoring.py at 335bda6: its anchor() and helpers, unchanged but
# for names and type annotations.

OLD_MIN_QUOTE_SIMILARITY = 0.65
OLD_ACCEPT_SCORE = 0.6


def _old_similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _old_occurrences(text: str, needle: str) -> list[int]:
    found: list[int] = []
    at = text.find(needle)
    while at >= 0 and needle:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def old_anchor(text: str, sel: Selector) -> Anchor | None:
    """Where ``sel`` points in ``text`` now, or None if it cannot be found."""
    if not sel.exact:
        return None
    if text[sel.start : sel.end] == sel.exact:
        return Anchor(sel.start, sel.end, True)
    exact = _old_occurrences(text, sel.exact)
    if exact:

        def rank(at: int) -> tuple[float, int]:
            end = at + len(sel.exact)
            context = _old_similarity(text[max(0, at - len(sel.prefix)) : at], sel.prefix)
            context += _old_similarity(text[end : end + len(sel.suffix)], sel.suffix)
            return (-context, abs(at - sel.start))

        at = min(exact, key=rank)
        return Anchor(at, at + len(sel.exact), True)
    return _old_approximate(text, sel)


def _old_approximate(text: str, sel: Selector) -> Anchor | None:
    """Best region of ``text`` resembling the quote, found from pieces of it."""
    quote = sel.exact
    n = len(quote)
    piece = max(8, min(24, n // 3))
    probes = {
        0: quote[:piece],
        n - piece: quote[-piece:],
        max(0, n // 2 - piece // 2): quote[n // 2 - piece // 2 : n // 2 - piece // 2 + piece],
    }
    starts: set[int] = set()
    ends: set[int] = set()
    for offset, probe in probes.items():
        if len(probe) < 4:
            continue
        for at in _old_occurrences(text, probe):
            starts.add(max(0, at - offset))
            ends.add(min(len(text), at - offset + n))
            if offset == 0:
                starts.add(at)
            if offset == n - piece:
                ends.add(at + piece)
    if sel.prefix:
        for at in _old_occurrences(text, sel.prefix[-16:]):
            starts.add(at + min(16, len(sel.prefix)))
    if sel.suffix:
        for at in _old_occurrences(text, sel.suffix[:16]):
            ends.add(at)
    best: tuple[float, int, int] | None = None
    for s in starts:
        for e in ends:
            if not (s < e <= s + 2 * n + 64):
                continue
            quote_sim = _old_similarity(text[s:e], quote)
            if quote_sim < OLD_MIN_QUOTE_SIMILARITY:
                continue
            prefix_sim = _old_similarity(text[max(0, s - len(sel.prefix)) : s], sel.prefix)
            suffix_sim = _old_similarity(text[e : e + len(sel.suffix)], sel.suffix)
            distance = abs(s - sel.start) / max(len(text), 1)
            score = 0.6 * quote_sim + 0.15 * prefix_sim + 0.15 * suffix_sim + 0.1 * (1 - distance)
            if best is None or score > best[0]:
                best = (score, s, e)
    if best is None or best[0] < OLD_ACCEPT_SCORE:
        return None
    _, s, e = best
    return Anchor(s, e, False)


# --- texts -----------------------------------------------------------------------


def essay(size: int) -> str:
    """Paragraphs that look alike: the second and third sentences recur word for word."""
    fillers = ("filler", "plain", "quiet", "usual", "spare")
    paras: list[str] = []
    total, n = 0, 0
    while total < size:
        n += 1
        topic = n % 50
        para = (
            f"Paragraph {n} talks about topic {topic} with some {fillers[n % 5]} words to make "
            f"it longer. The {fillers[n % 3]} part of topic {topic} is the same as in the other "
            f"paragraphs. It ends with a {fillers[n % 4]} note."
        )
        paras.append(para)
        total += len(para) + 2
    return "\n\n".join(paras)


def _plain_text(path: Path) -> str | None:
    name = path.name.removesuffix(".gz")
    if Path(name).suffix.lower() in MARKUP:
        return None
    try:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        text = data.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip() or CONTROL.search(text):
        return None
    return text


def docs(size: int) -> tuple[str, int]:
    """The plain text files under DOC_ROOTS in sorted path order, up to ``size`` characters
    (cut at a line end); and how many files that is."""
    paths = sorted(p for root in DOC_ROOTS if root.is_dir() for p in root.rglob("*"))
    seen: set[Path] = set()
    parts: list[str] = []
    total = 0
    for path in paths:
        if not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        text = _plain_text(path)
        if text is None:
            continue
        parts.append(text)
        total += len(text) + 2
        if total >= size:
            break
    joined = "\n\n".join(parts)
    if len(joined) > size:
        joined = joined[: joined.rfind("\n", 0, size)]
    return joined, len(parts)


# --- bookmarks and edits -----------------------------------------------------------


def units(text: str, pattern: re.Pattern[str]) -> list[Span]:
    """Whole sentences or lines, without their surrounding blanks, of some length."""
    spans = []
    for m in pattern.finditer(text):
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        end = m.end() - len(m.group()) + len(m.group().rstrip())
        if end - start >= 24 and len(WORD.findall(text[start:end])) >= 3:
            spans.append((start, end))
    return spans


def place(text: str, candidates: Sequence[Span], n: int, rng: Random) -> list[Span]:
    """One bookmark on a unit starting in each n-th of the text."""
    starts = [s for s, _ in candidates]
    chosen = []
    for k in range(n):
        lo = bisect_left(starts, k * len(text) // n)
        hi = bisect_left(starts, (k + 1) * len(text) // n)
        if lo < hi:
            chosen.append(candidates[rng.randrange(lo, hi)])
    return chosen


@dataclass(frozen=True)
class Edit:
    name: str
    new: str
    expected: list[Span | None]  # where each bookmark must land, None: removed
    touched: frozenset[int]  # bookmarks whose words were changed or removed
    note: str


def apply(
    text: str, edits: Sequence[tuple[int, int, str]], marks: Sequence[Span]
) -> tuple[str, list[Span | None], frozenset[int]]:
    """``text`` with the non-overlapping ``edits`` (start, end, replacement) made, where
    each mark must land, and which marks they changed.

    A mark inside a removed stretch is gone; any other start moves with the edits that
    end at or before it, any other end with those that end at or before it (a word
    replaced at a mark's edge is part of the mark).
    """
    edits = sorted(edits)
    pieces, at = [], 0
    for lo, hi, insert in edits:
        pieces += [text[at:lo], insert]
        at = hi
    pieces.append(text[at:])

    def moved(pos: int) -> int:
        return pos + sum(len(ins) - (hi - lo) for lo, hi, ins in edits if hi <= pos)

    expected: list[Span | None] = []
    touched = set()
    for k, (start, end) in enumerate(marks):
        if any(lo <= start and end <= hi and not ins for lo, hi, ins in edits):
            expected.append(None)
            touched.add(k)
            continue
        expected.append((moved(start), moved(end)))
        if any(lo < end and hi > start for lo, hi, _ in edits):
            touched.add(k)
    return "".join(pieces), expected, frozenset(touched)


def _other_word(word: str, rng: Random) -> str:
    return rng.choice([w for w in REPLACEMENTS if w != word.lower()])


def word_and_insert(text: str, marks: Sequence[Span], rng: Random) -> Edit:
    k = rng.randrange(len(marks))
    start, end = marks[k]
    word = rng.choice(list(WORD.finditer(text, start, end)))
    near = len(text) // 100
    line = text.index("\n", near) + 1
    while text[line] == "\n":
        line += 1
    edits = [(word.start(), word.end(), _other_word(word.group(), rng)), (line, line, INSERTED)]
    new, expected, touched = apply(text, edits, marks)
    note = f"bookmark {k}: {word.group()!r} replaced; a line inserted at {line:,}"
    return Edit("word + insert", new, expected, touched, note)


def paragraph_deleted(text: str, marks: Sequence[Span], rng: Random) -> Edit:
    """The paragraph (between blank lines) holding a bookmark, with the blank lines after it."""
    for k in rng.sample(range(len(marks)), len(marks)):
        start, end = marks[k]
        begin = text.rfind("\n\n", 0, start)
        begin = 0 if begin < 0 else begin + 2
        stop = text.find("\n\n", end)
        stop = len(text) if stop < 0 else stop
        while stop < len(text) and text[stop] == "\n":
            stop += 1
        if stop - begin <= 4000:
            break
    new, expected, touched = apply(text, [(begin, stop, "")], marks)
    gone = ", ".join(str(i) for i in sorted(touched))
    note = f"{stop - begin:,} characters at {begin:,} taken out, bookmark(s) {gone} in them"
    return Edit("paragraph deleted", new, expected, touched, note)


def small_edits(text: str, marks: Sequence[Span], rng: Random, count: int) -> Edit:
    words = rng.sample(list(WORD.finditer(text)), count)
    edits = [(w.start(), w.end(), _other_word(w.group(), rng)) for w in words]
    new, expected, touched = apply(text, edits, marks)
    inside = ", ".join(str(i) for i in sorted(touched)) or "none"
    note = f"{count} words replaced; bookmarks with a word replaced: {inside}"
    return Edit("many small edits", new, expected, touched, note)


# --- measuring -----------------------------------------------------------------


Found = Span | None | str  # a span, None when lost, "timeout" when the old method gave up


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def _answer(found: Anchor | Lost | None) -> Span | None:
    return (found.start, found.end) if isinstance(found, Anchor) else None


@dataclass
class Row:
    text: str
    edit: str
    method: str
    total_ms: float
    per_ms: float
    correct: int
    wrong: int
    lost: int
    judged: int
    extrapolated: str = ""  # how the total was reached, when not measured whole


@dataclass(frozen=True)
class Miss:
    text: str
    edit: str
    method: str
    mark: int
    quote: str
    expected: Span | None
    got: Found


def judge(
    row: Row, answers: dict[int, Found], edit: Edit, sels: Sequence[Selector], misses: list[Miss]
) -> None:
    for k, got in answers.items():
        want = edit.expected[k]
        if got == want:
            row.correct += 1
            continue
        if got is None or got == "timeout":
            row.lost += 1
        else:
            row.wrong += 1
        misses.append(Miss(row.text, row.edit, row.method, k, sels[k].exact, want, got))
    row.judged = len(answers)


def run_new(batch: Callable[[], list[Span | None]], repeat: int) -> tuple[float, list[Span | None]]:
    times, answers = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        answers = batch()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), answers


def measure(
    label: str, edit: Edit, old: str, sels: Sequence[Selector], args: argparse.Namespace
) -> tuple[list[Row], list[Miss]]:
    new, n = edit.new, len(sels)
    misses: list[Miss] = []
    rows: list[Row] = []

    def with_change() -> list[Span | None]:
        change = Change(old, new)
        return [_answer(follow(new, sel, change)) for sel in sels]

    def alone() -> list[Span | None]:
        return [_answer(locate(new, sel)) for sel in sels]

    for method, batch in (("new: Change + follow", with_change), ("new: locate", alone)):
        ms, spans = run_new(batch, args.repeat)
        row = Row(label, edit.name, method, ms, ms / n, 0, 0, 0, 0)
        judge(row, dict(enumerate(spans)), edit, sels, misses)
        rows.append(row)

    touched = sorted(edit.touched)[: args.old_limit]
    rest = [k for k in range(n) if k not in edit.touched]
    room = max(0, args.old_limit - len(touched))
    spread = [rest[i * len(rest) // room] for i in range(room)] if room and rest else []
    times: dict[int, float] = {}
    answers: dict[int, Found] = {}
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for k in touched + spread:
            t = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.old_timeout)
            try:
                answers[k] = _answer(old_anchor(new, sels[k]))
            except _Timeout:
                answers[k] = "timeout"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            times[k] = (time.perf_counter() - t) * 1000
    finally:
        signal.signal(signal.SIGALRM, previous)
    total = 0.0
    for group, count in ((touched, len(edit.touched)), (spread, len(rest))):
        if group:
            total += statistics.mean(times[k] for k in group) * count
    timed_out = sum(1 for a in answers.values() if a == "timeout")
    how = f"extrapolated from {len(answers)} measured"
    if timed_out:
        how += f", {timed_out} cut at {args.old_timeout:g} s"
    row = Row(label, edit.name, "old: anchor (difflib)", total, total / n, 0, 0, 0, 0, how)
    judge(row, answers, edit, sels, misses)
    rows.append(row)
    return rows, misses


def fmt_ms(ms: float) -> str:
    return f"{ms:,.1f}" if ms >= 10 else f"{ms:,.2f}" if ms >= 0.1 else f"{ms:.3f}"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.2g}x" if ratio < 0.1 else f"{ratio:,.2f}x"


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| text | edit | method | all bookmarks (ms) | per bookmark (ms) | correct | wrong "
        "| lost | time ÷ old | ≤ 50 ms |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    old = {(r.text, r.edit): r.total_ms for r in rows if r.extrapolated}
    for r in rows:
        total = fmt_ms(r.total_ms)
        if r.extrapolated:
            total = f"{total} ({r.extrapolated})"
        base = old.get((r.text, r.edit), 0.0)
        ratio = fmt_ratio(r.total_ms / base) if base else "–"
        goal = "–" if r.extrapolated else ("yes" if r.total_ms <= GOAL_MS else "no")
        lines.append(
            f"| {r.text} | {r.edit} | {r.method} | {total} | {fmt_ms(r.per_ms)} "
            f"| {r.correct}/{r.judged} | {r.wrong} | {r.lost} | {ratio} | {goal} |"
        )
    return "\n".join(lines)


def describe(miss: Miss) -> str:
    quote = miss.quote if len(miss.quote) <= 70 else miss.quote[:67] + "..."
    want = "lost" if miss.expected is None else f"{miss.expected[0]:,}-{miss.expected[1]:,}"
    got = miss.got if isinstance(miss.got, str) else "lost" if miss.got is None else (
        f"{miss.got[0]:,}-{miss.got[1]:,}")  # fmt: skip
    return (
        f"- {miss.text}, {miss.edit}, {miss.method}: bookmark {miss.mark} {quote!r}: "
        f"expected {want}, got {got}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog="Run from the repository root: python -m bench.anchor_bench",
    )
    add = parser.add_argument
    add("--bookmarks", type=int, default=100, help="on each text (%(default)s)")
    add("--seed", type=int, default=SEED, help="(%(default)s)")
    add("--repeat", type=int, default=5, help="runs of each new method, median (%(default)s)")
    add(
        "--old-limit",
        type=int,
        default=10,
        metavar="K",
        help="old method: bookmarks timed (%(default)s)",
    )
    add(
        "--old-timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="old method: s per bookmark (%(default)s)",
    )
    add("--size", type=int, default=1_000_000, help="characters in each text (%(default)s)")
    add("--edits", type=int, default=50, help="words replaced in many small edits (%(default)s)")
    add("--text", choices=("essay", "docs", "both"), default="both")
    args = parser.parse_args()

    texts: list[tuple[str, str, re.Pattern[str]]] = []
    if args.text in ("essay", "both"):
        body = essay(args.size)
        texts.append(("essay", body, SENTENCE))
        print(f"essay: {len(body):,} characters, look-alike paragraphs, bookmarks on sentences")
    if args.text in ("docs", "both"):
        body, files = docs(args.size)
        texts.append(("docs", body, LINE))
        print(f"docs: {len(body):,} characters from {files} files under "
              f"{' and '.join(map(str, DOC_ROOTS))}, bookmarks on lines")  # fmt: skip

    rows: list[Row] = []
    misses: list[Miss] = []
    wall = time.perf_counter()
    for t, (label, text, pattern) in enumerate(texts):
        rng = Random(args.seed + t)
        marks = place(text, units(text, pattern), args.bookmarks, rng)
        sels = [selector_for(text, s, e) for s, e in marks]
        edits = [
            word_and_insert(text, marks, Random(rng.random())),
            paragraph_deleted(text, marks, Random(rng.random())),
            small_edits(text, marks, Random(rng.random()), args.edits),
        ]
        for edit in edits:
            for k, want in enumerate(edit.expected):
                if k not in edit.touched:
                    assert want is not None and edit.new[want[0] : want[1]] == sels[k].exact
            print(f"{label}, {edit.name}: {len(marks)} bookmarks; {edit.note}", flush=True)
            got, missed = measure(label, edit, text, sels, args)
            rows += got
            misses += missed
    print(f"\nnew methods: median of {args.repeat} runs; old method: one run; "
          f"wall {time.perf_counter() - wall:,.0f} s\n")  # fmt: skip
    print(table(rows))
    if misses:
        print("\nNot correct:")
        for miss in misses:
            print(describe(miss))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
