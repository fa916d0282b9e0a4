"""A bookmark stays on the words the user marked, or says honestly that it lost them.

Generated texts are built the way look-alikes occur in real articles: runs of
near-identical paragraphs, list items and table rows. Each property edits the
text and checks where the bookmark lands.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.bookmarks.anchoring import (
    Anchor,
    Change,
    Lost,
    _opcodes,
    follow,
    locate,
    selector_for,
)

WORDS = ["river", "stone", "quiet", "number", "filler", "topic", "the", "of", "light", "table"]

Edits = list[tuple[int, int, str]]
UNIT_SHAPES = {
    "paragraph": (
        "Paragraph {i} talks about topic {i} with some {w} words to make it longer.",
        "\n\n",
    ),
    "list item": ("- Step {i}: set the {w} option and check topic {i} again", "\n"),
    "table row": ("| {i} | {w} | value {i} | same cell |", "\n"),
}


@dataclass
class Doc:
    units: list[str]
    sep: str

    @property
    def text(self) -> str:
        return self.sep.join(self.units)

    def span(self, k: int) -> tuple[int, int]:
        start = sum(len(u) + len(self.sep) for u in self.units[:k])
        return start, start + len(self.units[k])


@st.composite
def docs(draw: st.DrawFn) -> Doc:
    shape, sep = UNIT_SHAPES[draw(st.sampled_from(sorted(UNIT_SHAPES)))]
    n = draw(st.integers(5, 40))
    # Near-identical: the same template, the same filler word in most units.
    common = draw(st.sampled_from(WORDS))
    units = [
        shape.format(i=i + 1, w=draw(st.sampled_from([common, common, common, *WORDS])))
        for i in range(n)
    ]
    return Doc(units, sep)


def random_words(draw: st.DrawFn, most: int) -> str:
    words = draw(st.lists(st.sampled_from([*WORDS, "Paragraph", "Step", "|", "-", "\n"]),
                          min_size=1, max_size=most))  # fmt: skip
    return " ".join(words)


@st.composite
def edits_outside(draw: st.DrawFn) -> tuple[Doc, int, Edits]:
    """A document, a bookmarked unit and up to three edits that do not touch it."""
    doc = draw(docs())
    k = draw(st.integers(0, len(doc.units) - 1))
    start, end = doc.span(k)
    n = len(doc.text)
    edits = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()) and start > 0:
            lo = draw(st.integers(0, start - 1))
            hi = draw(st.integers(lo, min(start - 1, lo + 60)))
        elif end < n - 1:
            lo = draw(st.integers(end + 1, n - 1))
            hi = draw(st.integers(lo, min(n, lo + 60)))
        else:
            continue
        edits.append((lo, hi, random_words(draw, 8)))
    return doc, k, edits


def apply(text: str, start: int, end: int, edits: Edits) -> tuple[str, int]:
    """The edited text, and where the passage starting at ``start`` is in it.

    Edits are applied from the end so earlier positions stay valid; any that
    overlap an earlier-applied one are dropped.
    """
    shift, last = 0, len(text) + 1
    for lo, hi, insert in sorted(edits, reverse=True):
        if hi > last or (lo < end and hi > start):
            continue
        text = text[:lo] + insert + text[hi:]
        last = lo
        if hi <= start:
            shift += len(insert) - (hi - lo)
    return text, start + shift


@settings(max_examples=300, deadline=None)
@given(edits_outside())
def test_edits_outside_a_passage_never_move_it(case: tuple[Doc, int, Edits]) -> None:
    doc, k, edits = case
    old = doc.text
    start, end = doc.span(k)
    sel = selector_for(old, start, end)
    new, expected = apply(old, start, end, edits)
    found = follow(new, sel, Change(old, new))
    assert found == Anchor(expected, expected + end - start, True)


@settings(max_examples=300, deadline=None)
@given(edits_outside())
def test_from_its_selectors_alone_a_passage_is_never_put_on_other_words(
    case: tuple[Doc, int, Edits],
) -> None:
    """An imported bookmark has no old text: it may lose its place, never take another's."""
    doc, k, edits = case
    old = doc.text
    start, end = doc.span(k)
    new, expected = apply(old, start, end, edits)
    found = locate(new, selector_for(old, start, end))
    assert isinstance(found, Lost) or found == Anchor(expected, expected + end - start, True)


@st.composite
def edits_inside(draw: st.DrawFn) -> tuple[Doc, int, int, str]:
    """A document, a bookmarked unit, and one of its words replaced."""
    doc = draw(docs())
    k = draw(st.integers(0, len(doc.units) - 1))
    words = doc.units[k].split(" ")
    w = draw(st.integers(0, len(words) - 1))
    replacement = draw(st.sampled_from(["changed", "a new word", "x", "replaced words here"]))
    return doc, k, w, replacement


@settings(max_examples=300, deadline=None)
@given(edits_inside())
def test_a_small_edit_inside_keeps_the_passage_in_place(case: tuple[Doc, int, int, str]) -> None:
    doc, k, w, replacement = case
    old = doc.text
    start, end = doc.span(k)
    sel = selector_for(old, start, end)
    words = doc.units[k].split(" ")
    words[w] = replacement
    edited = Doc([*doc.units[:k], " ".join(words), *doc.units[k + 1 :]], doc.sep)
    new = edited.text
    want = edited.span(k)
    # Followed through the edit: the whole edited passage, the new words included.
    assert follow(new, sel, Change(old, new)) == Anchor(*want, False)
    # From the selectors alone: on the edited unit and no other, at least half of it.
    # A short table row with a word changed may be too unlike its quote to say.
    found = locate(new, sel)
    if isinstance(found, Lost) and len(doc.units[k]) < 50:
        return
    assert isinstance(found, Anchor), found
    assert want[0] <= found.start < found.end <= want[1]
    assert found.end - found.start >= 0.5 * (want[1] - want[0])


@settings(max_examples=300, deadline=None)
@given(docs(), st.data())
def test_removing_a_passage_detaches_it(doc: Doc, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(doc.units) - 1))
    old = doc.text
    start, end = doc.span(k)
    sel = selector_for(old, start, end)
    new = Doc(doc.units[:k] + doc.units[k + 1 :], doc.sep).text
    found = follow(new, sel, Change(old, new))
    assert isinstance(found, Lost)
    # Its look-alike neighbours are offered, never taken.
    assert all(new[s:e] != sel.exact for s, e in found.suggestions)
    # From the selectors alone: its context closed up where it was.
    alone = locate(new, sel)
    assert isinstance(alone, Lost) or (len(sel.prefix) < 8 or len(sel.suffix) < 8), alone


def test_thirty_similar_paragraphs_one_word_changed_in_the_seventeenth() -> None:
    paras = [f"Paragraph {i} talks about topic {i} with some filler words." for i in range(1, 31)]
    old = "\n\n".join(paras)
    start = old.index(paras[16])
    sel = selector_for(old, start, start + len(paras[16]))
    new = old.replace("topic 17 with some", "topic 17 with many")
    found = follow(new, sel, Change(old, new))
    assert isinstance(found, Anchor)
    assert new[found.start : found.end] == paras[16].replace("some", "many")


def test_a_passage_moved_elsewhere_is_followed() -> None:
    paras = [f"Section {i}: {w} notes." for i, w in enumerate(WORDS, 1)]
    old = "\n\n".join(paras)
    start = old.index(paras[3])
    sel = selector_for(old, start, start + len(paras[3]))
    moved = [*paras[:3], *paras[4:], paras[3]]
    new = "\n\n".join(moved)
    assert follow(new, sel, Change(old, new)) == Anchor(new.index(paras[3]), len(new), True)


def test_two_equal_candidates_far_from_the_old_place_are_suggestions_not_a_guess() -> None:
    old = "Intro.\n\n" + "A line that repeats.\n\n" * 2 + "Tail."
    sel = selector_for(old, old.index("A line"), old.index("A line") + len("A line that repeats."))
    # The passage is gone from its place; the same words now stand twice, far away.
    new = "x" * 2000 + "\n\nA line that repeats.\n\n" + "y" * 2000 + "\n\nA line that repeats."
    found = locate(new, sel)
    assert isinstance(found, Lost)
    assert len(found.suggestions) == 2


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a\n", "b\n", "c\n", "\n", "d\n", "e\n"]), max_size=40),
    st.lists(st.sampled_from(["a\n", "b\n", "c\n", "\n", "f\n", "g\n"]), max_size=40),
)
def test_the_line_comparison_accounts_for_every_line(a: list[str], b: list[str]) -> None:
    """Stretches cover both texts in order, and those said equal are."""
    ops = _opcodes(a, b)
    i = j = 0
    for i1, i2, j1, j2, equal in ops:
        assert (i1, j1) == (i, j)
        if equal:
            assert a[i1:i2] == b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))


def _words(rng: random.Random, count: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join(
        "".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(count)
    )


def test_a_replace_all_over_a_long_text_moves_no_bookmark_onto_other_words() -> None:
    """Every paragraph changed at once (dashes made typographic): the text is long enough
    that it must be compared paragraph by paragraph, and every passage stays on its words."""
    rng = random.Random(2)
    paras = [_words(rng, 30).replace(" a", " -- a") + " -- end" for _ in range(300)]
    old = "\n\n".join(paras) + "\n"
    new = old.replace("--", "\u2014")
    change = Change(old, new)
    checked = 0
    for para in paras[::7]:
        start = old.index(para) + para.index(" ") + 1
        end = start + para[para.index(" ") + 1 :].index(" --")
        if "--" in old[start:end]:
            continue
        found = follow(new, selector_for(old, start, end), change)
        assert isinstance(found, Anchor) and new[found.start : found.end] == old[start:end]
        checked += 1
    assert checked >= 20


def test_a_bookmark_in_one_very_long_changed_line_stays_on_its_words() -> None:
    """A line longer than is compared word by word, with a clause added before the passage."""
    rng = random.Random(3)
    line = _words(rng, 4000)
    old = "Title\n\n" + line + "\n"
    start = old.index(" ", 14_000) + 1
    end = old.index(" ", start + 200)
    new = old[:9_000] + "a clause put in here, " + old[9_000:]
    found = follow(new, selector_for(old, start, end), Change(old, new))
    assert isinstance(found, Anchor)
    assert (found.start, found.end) == (start + 22, end + 22)
