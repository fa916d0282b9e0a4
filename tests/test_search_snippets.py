"""Snippets as a reader sees them: blocks kept apart, matches marked, tag hits named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.cli import main
from reader.core import ReaderCore
from reader.library.library import Library
from reader.search import ARTICLE, BOOKMARK, IndexDoc, SearchIndex
from reader.search.highlight import SNIPPET_CHARS, make_snippets

FILLER = " ".join(f"word{i}" for i in range(60))


def _span(text: str, word: str) -> tuple[int, int]:
    s = text.index(word)
    return s, s + len(word)


def marked(text: str, words: list[str], base: int = 0) -> list[str]:
    """The snippets of ``text`` for ``words``, each with its matches in [brackets]."""
    spans = sorted(_span(text, w) for w in words)
    return [s.marked("[", "]") for s in make_snippets(text, spans, base)]


# --- blocks --------------------------------------------------------------------


def test_a_heading_does_not_run_into_the_next_paragraph() -> None:
    text = f"{FILLER}.\nMicroservices\nEdge computing is redefining backend strategies. {FILLER}"
    (snippet,) = marked(text, ["Microservices", "Edge"])
    assert snippet.startswith("[Microservices] · [Edge] computing is redefining")
    assert "Microservices Edge" not in snippet


def test_a_match_in_a_long_enough_block_stays_in_its_block() -> None:
    text = f"{FILLER}.\nThe needle sits in a sentence of its own.\n{FILLER}."
    (snippet,) = marked(text, ["needle"])
    assert snippet == "The [needle] sits in a sentence of its own."


def test_a_lone_heading_takes_in_the_paragraph_after_it() -> None:
    text = (
        f"{FILLER}.\nConclusion\nBack-end developers are architects of the digital world. {FILLER}"
    )
    (snippet,) = make_snippets(text, [_span(text, "Conclusion")], base=500)
    assert snippet.text.startswith("Conclusion · Back-end developers are architects")
    assert snippet.text.endswith("…") and len(snippet.text) <= SNIPPET_CHARS + 10
    assert snippet.start == 500 + text.index("Conclusion")  # where the view scrolls to


def test_a_short_last_block_takes_in_the_block_before_it() -> None:
    text = f"Intro.\nThe paragraph before the last line says a good deal. {FILLER}\nThe end"
    (snippet,) = marked(text, ["end"])
    assert snippet.startswith("…") and snippet.endswith("word59 · The [end]")


def test_marks_and_start_stay_right_across_block_breaks() -> None:
    text = "Intro line here.\nAlpha\n\n  Beta gamma delta\n- Gamma item\nOmega"
    spans = sorted(_span(text, w) for w in ("Alpha", "Beta", "Gamma", "Omega"))
    (snippet,) = make_snippets(text, spans, base=100)
    assert snippet.text == "Intro line here. · Alpha · Beta gamma delta · - Gamma item · Omega"
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["Alpha", "Beta", "Gamma", "Omega"]
    assert snippet.start == 100
    assert snippet.marked("[", "]").count("·") == 4


def test_a_phrase_across_a_block_break_is_marked_on_each_side() -> None:
    text = f"{FILLER}.\nDigital\nInfrastructure is the road of today. {FILLER}"
    s = text.index("Digital")
    e = text.index("Infrastructure") + len("Infrastructure")
    (snippet,) = make_snippets(text, [(s, e)], base=0)
    assert snippet.marked("[", "]").startswith("[Digital] · [Infrastructure] is the road")


def test_overlapping_matches_are_marked_once() -> None:
    text = "Open the file read-only when sharing it."
    s = text.index("read-only")
    spans = [(s, s + 4), (s, s + 9), (s + 5, s + 9)]  # the compound and its parts
    (snippet,) = make_snippets(text, spans, base=0)
    assert snippet.marked("**", "**") == "Open the file **read-only** when sharing it."


# --- in the index, and printed -------------------------------------------------


def test_search_snippets_keep_headings_apart(index: SearchIndex, library: Library) -> None:
    (hit,) = [
        h
        for h in index.search("microservices edge").hits
        if h.article_id == "the-hidden-importance-of-backend"
    ]
    assert "**Microservices** · **Edge** computing is" in hit.snippet_text()
    text = library.get(hit.article_id).text
    first = hit.snippets[0]
    assert text[first.start :].startswith(first.text.removeprefix("…").split(" · ")[0])


@pytest.fixture
def tagged(tmp_path: Path) -> Iterator[SearchIndex]:
    docs = [
        IndexDoc("article:a", ARTICLE, "a", "Harbour Notes", "Harbour Notes\nBoats.", "1"),
        IndexDoc(
            "bookmark:m",
            BOOKMARK,
            "a",
            "Harbour Notes",
            "Boats.",
            "1",
            tags=("sailing", "history", "boats"),
            base=14,
        ),
    ]
    ix = SearchIndex(tmp_path / "index")
    ix.sync({d.doc_id: d.stamp for d in docs}, lambda ids: [d for d in docs if d.doc_id in ids])
    yield ix
    ix.close()


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("tag:sailing", "tag: sailing"),
        ("tag:history tag:sailing", "tag: sailing, history"),
        ("tag:hist*", "tag: history"),
    ],
)
def test_a_hit_on_its_tags_only_names_the_tags(tagged: SearchIndex, query: str, shown: str) -> None:
    (hit,) = tagged.search(query).hits
    assert hit.snippet_text() == shown
    assert hit.snippets[0].start == 14  # opening it shows the tagged passage


def test_a_hit_on_its_words_and_a_tag_shows_the_words(tagged: SearchIndex) -> None:
    hits = tagged.search("tag:sailing boats").hits
    assert [h.snippet_text() for h in hits] == ["**Boats**."]


def test_the_cli_prints_the_tags_without_empty_markers(
    core: ReaderCore, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    core.add_bookmark_quote("empowering-national-progress", "Kenya’s M-Pesa", tags=("fintech",))
    core.close()
    assert main(["--data-dir", str(data_dir), "search", "tag:fintech"]) == 0
    out = capsys.readouterr().out
    assert "tag: fintech" in out
    assert "****" not in out
