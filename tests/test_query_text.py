"""Query text that never surprises: operators, exclusions, compounds, common words."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from reader.library.library import Library
from reader.search import ARTICLE, IndexDoc, SearchIndex

DOCS = {
    "written": "The file is opened read-only by default, so nothing is changed.",
    "apart": "You can read only what the page shows you.",
    "scattered": "Only after that, read the rest of the manual.",
    "node": "Install Node.js first, then the packages.",
    "node-apart": "The node js bindings wrap the library.",
    "cpp": "The engine is written in C++ for speed.",
    "c": "The kernel is written in C for speed.",
    "csharp": "The tools are written in C# and run everywhere.",
    "eg": "Many formats, e.g. PNG and JPEG, are read.",
    "null": "A column that IS NOT NULL must have a value.",
    "xy": "Switch the plotter to x-y mode before drawing.",
    "mode": "The drawing mode is chosen in the menu.",
    "cats": "Cats sleep most of the day.",
    "pizza": "Pizza is baked in a very hot oven.",
    "both": "Cats do not eat pizza.",
    "tee": "Wear a T-shirt today.",
    "shirt": "A shirt is ironed.",
    "pi": "Pi is about 3.14 in the exercises.",
    "fourteen": "14 people came.",
}


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    ix = SearchIndex(tmp_path / "index")
    docs = {k: IndexDoc(k, ARTICLE, k, k.title(), body, stamp="1") for k, body in DOCS.items()}
    docs["tagged"] = IndexDoc(
        "tagged", ARTICLE, "tagged", "Tagged", "Notes on permissions.", "1", tags=("read-only",)
    )

    def load(ids: Sequence[str]) -> list[IndexDoc]:
        return [docs[i] for i in ids]

    ix.sync({k: "1" for k in docs}, load)
    yield ix
    ix.close()


def found(index: SearchIndex, text: str) -> list[str]:
    return [h.article_id for h in index.search(text, limit=50).hits]


def test_a_hyphenated_word_is_found_as_written_first_and_by_its_parts(index: SearchIndex) -> None:
    hits = found(index, "read-only")
    assert hits[0] == "written"  # as written, and its parts in a row
    assert "apart" in hits  # "read only", in a row
    assert "scattered" not in hits  # both words, but not together: not the compound
    assert found(index, "read only")[:2] in (["written", "apart"], ["apart", "written"])


def test_read_only_is_never_read_as_read_without_only(index: SearchIndex) -> None:
    assert "written" in found(index, "read-only")
    assert found(index, "-read-only")[0] == "written"  # an exclusion alone: its words
    assert "written" not in found(index, "file -read-only")


def test_dotted_and_symbol_words_are_found(index: SearchIndex) -> None:
    assert found(index, "node.js")[0] == "node"
    assert "node-apart" in found(index, "node.js")
    assert found(index, "C++") == ["cpp"]  # not the page about C
    assert found(index, "C#") == ["csharp"]
    assert found(index, "e.g.") == ["eg"]


def test_a_compound_whose_part_is_too_short_to_index_is_found_only_as_written(
    index: SearchIndex,
) -> None:
    assert found(index, "T-shirt") == ["tee"]  # not every page with "shirt"
    assert found(index, "3.14") == ["pi"]  # not "14 people came"


def test_a_hyphenated_tag_is_matched_as_written(index: SearchIndex) -> None:
    assert found(index, "tag:read-only") == ["tagged"]


def test_a_short_hyphenated_word_is_found_with_the_rest_of_the_query(index: SearchIndex) -> None:
    assert found(index, "x-y mode")[0] == "xy"
    assert found(index, "x-y mode") == ["xy", "mode"]  # "mode" alone only after it


def test_a_query_that_would_only_exclude_searches_its_words(index: SearchIndex) -> None:
    assert found(index, "IS NOT NULL") == ["null"]  # not every page without "null"
    assert found(index, "NOT null") == ["null"]
    assert set(found(index, "-cats")) == {"cats", "both"}


def test_pages_with_some_of_the_words_follow_those_with_all(index: SearchIndex) -> None:
    hits = found(index, "cats pizza")
    assert hits[0] == "both"  # every word
    assert set(hits[1:]) == {"cats", "pizza"}  # then some of them
    assert index.search("cats pizza").message is None
    assert found(index, '"cats pizza"') == []  # a phrase asks for exactly that


def test_a_query_of_only_common_words_finds_them_in_a_row(index: SearchIndex) -> None:
    results = index.search("is not null")  # every word too common to index but "null"
    assert [h.article_id for h in results.hits] == ["null"]
    # "the" and "of" are both in "the rest of the manual", but never "the of" in a row
    assert found(index, "the of") == []
    results = index.search("of the")  # nothing but common words: read from the texts
    assert {h.article_id for h in results.hits} == {"cats", "scattered"}
    assert all("**of the**" in h.snippet_text() for h in results.hits)


def test_operators_count_only_between_words(index: SearchIndex) -> None:
    assert set(found(index, "cats AND")) == {"cats", "both"}
    assert set(found(index, "OR pizza")) == {"pizza", "both"}
    assert set(found(index, "cats OR pizza")) == {"cats", "pizza", "both"}
    assert found(index, "cats AND pizza") == ["both"]
    assert found(index, "cats NOT pizza") == ["cats"]
    assert found(index, "cats -pizza") == ["cats"]


def test_the_compound_is_marked_whole_in_the_snippet(index: SearchIndex) -> None:
    hit = index.search("read-only").hits[0]
    assert hit.article_id == "written"
    start, end = hit.offsets[0]
    assert DOCS["written"][start:end] == "read-only"  # one mark, the compound and its parts
    assert "**read-only**" in hit.snippet_text()


def test_a_section_heading_ranks_a_page_above_a_passing_mention(tmp_path: Path) -> None:
    filler = " ".join(["The rest of the page is about other things entirely."] * 6)
    body = f"Intro. Garbage collection. {filler}"
    docs = [
        IndexDoc("article:h", ARTICLE, "h", "Notes", body, "1", headings=("Garbage collection",)),
        IndexDoc("article:m", ARTICLE, "m", "Notes", body, "1"),
    ]
    ix = SearchIndex(tmp_path / "index")
    ix.sync({d.doc_id: "1" for d in docs}, lambda ids: [d for d in docs if d.doc_id in ids])
    try:
        assert [h.article_id for h in ix.search("garbage collection").hits] == ["h", "m"]
    finally:
        ix.close()


def test_the_index_takes_the_headings_the_reading_view_shows(library: Library) -> None:
    for info in library.articles():
        _title, _text, headings = library.index_source(info.id)
        outline = library.get(info.id).rendered.outline
        assert headings == [e.title for e in outline if e.level > 1]
    assert any(library.index_source(i.id)[2] for i in library.articles())  # some have them
