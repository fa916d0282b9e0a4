"""The search package's parts, each on its own: snippets, spelling, queries, texts, whoosh setup."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query

from reader.search import ARTICLE, BOOKMARK, IndexDoc, SearchIndex
from reader.search.analysis import make_schema
from reader.search.highlight import MAX_SNIPPETS, SNIPPET_CHARS, expand_window, make_snippets
from reader.search.query import Parser, positive_leaves
from reader.search.ranking import in_order_near
from reader.search.spelling import edit_distance, near_terms
from reader.search.texts import Texts

ROOT = Path(__file__).resolve().parent.parent


# --- snippets ----------------------------------------------------------------


def _span(text: str, word: str, start: int = 0) -> tuple[int, int]:
    s = text.index(word, start)
    return s, s + len(word)


def test_window_stays_in_its_paragraph_on_word_boundaries() -> None:
    middle = " ".join(f"word{i}" for i in range(200))
    text = f"Before.\n{middle} needle {middle}\nAfter."
    s, e = _span(text, "needle")
    ws, we = expand_window(text, s, e)
    assert ws <= s and e <= we
    assert SNIPPET_CHARS - 20 <= we - ws <= SNIPPET_CHARS
    assert text[ws - 1] == " " and text[we] == " "  # whole words only
    assert "\n" not in text[ws:we]
    # More room after the match than before it.
    assert we - e > s - ws


def test_window_of_a_short_paragraph_is_the_paragraph() -> None:
    text = "One short line.\nThe needle is here.\nAnother line."
    s, e = _span(text, "needle")
    ws, we = expand_window(text, s, e)
    assert text[ws:we] == "The needle is here."


def test_snippet_marks_the_words_and_knows_where_it_starts() -> None:
    words = " ".join(f"w{i}" for i in range(300))
    text = f"{words} needle {words}"
    s, e = _span(text, "needle")
    (snippet,) = make_snippets(text, [(s, e)], base=1000)
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    ((hs, he),) = snippet.highlights
    assert snippet.text[hs:he] == "needle"
    window_start = s - (hs - 1)  # one character of leading ellipsis
    assert snippet.start == 1000 + window_start
    assert snippet.marked("[", "]").count("[needle]") == 1


def test_far_apart_matches_make_two_snippets_at_most() -> None:
    filler = " ".join(f"f{i}" for i in range(150))
    text = f"alpha {filler} beta {filler} gamma {filler} delta"
    spans = [_span(text, w) for w in ("alpha", "beta", "gamma", "delta")]
    snippets = make_snippets(text, spans, base=0)
    assert len(snippets) == MAX_SNIPPETS
    marked = [sn.text[a:b] for sn in snippets for a, b in sn.highlights]
    assert len(marked) == 2 and set(marked) < {"alpha", "beta", "gamma", "delta"}
    assert snippets[0].start < snippets[1].start  # in the order of the text


def test_windows_with_most_distinct_words_win() -> None:
    filler = " ".join(f"f{i}" for i in range(150))
    text = f"cat cat cat {filler} cat dog {filler} cat cat {filler} end"
    groups = [text.index("cat cat cat"), text.index("cat dog"), text.rindex("cat cat")]
    spans = [
        (g + k, g + k + 3) for g in groups for k in (0, 4, 8) if text[g + k : g + k + 3] == "cat"
    ]
    spans.append(_span(text, "dog"))
    spans.sort()
    first, second = make_snippets(text, spans, base=0)
    # "cat dog" (two distinct words) is taken first, then the three cats over
    # the last two; the snippets come in the order of the text.
    assert first.start <= groups[0] < groups[1] - 100 < second.start <= groups[1]
    assert second.start + len(second.text) < groups[2]
    assert [first.text[a:b] for a, b in first.highlights] == ["cat"] * 3
    assert [second.text[a:b] for a, b in second.highlights] == ["cat", "dog"]


def test_newlines_are_flattened_and_notes_have_no_start() -> None:
    text = "a note\nwith needle"
    (snippet,) = make_snippets(text, [_span(text, "needle")], base=-1)
    assert snippet.start == -1
    assert "\n" not in snippet.text
    assert make_snippets("", [(0, 0)], base=0) == []


# --- spelling ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("search", "serch", 1),
        ("estonia", "estnoia", 1),  # an adjacent swap counts one
        ("ca", "abc", 3),  # not the unrestricted Damerau distance (2)
        ("same", "same", 0),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_edit_distance_stops_past_its_limit() -> None:
    assert edit_distance("abcdef", "uvwxyz", limit=2) == 3
    assert edit_distance("a", "abcdefgh", limit=1) == 2
    assert edit_distance("search", "serch", limit=1) == 1


class _Terms:
    """The one part of a whoosh reader that near_terms uses."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms

    def expand_prefix(self, fieldname: str, prefix: str) -> Iterator[bytes]:
        assert fieldname == "body"
        return (t.encode() for t in self.terms if t.startswith(prefix))


def test_near_terms_share_the_first_letter_and_stay_within_reach() -> None:
    reader = _Terms(["engin", "engine", "enginee", "energi", "angin", "en", "engineering"])
    found = dict(near_terms(reader, "body", "engin", 1))
    assert found == {"engin": 0, "engine": 1}
    found = dict(near_terms(reader, "body", "engin", 2))
    assert found == {"engin": 0, "engine": 1, "enginee": 2}


# --- queries -----------------------------------------------------------------


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(make_schema())


def words(q: object) -> set[str]:
    """The single words a query looks for (not its phrases)."""
    return {leaf.text for leaf in positive_leaves(q) if isinstance(leaf, query.Term)}


def test_unreadable_queries_fall_back_with_a_message(parser: Parser) -> None:
    q, message = parser.parse('"digital infrastructure')
    assert message and "quote" in message
    assert words(q) == {
        "digit",
        "infrastructur",
    }
    q, message = parser.parse("(backend developer")
    assert message and "brackets" in message
    assert words(q) == {
        "backend",
        "develop",
    }
    assert parser.parse("backend developer")[1] is None


def test_negated_words_are_not_searched_for(parser: Parser) -> None:
    q, _ = parser.parse("estonia -tallinn")
    leaves = list(positive_leaves(q))
    assert {leaf.text for leaf in leaves} == {"estonia"}
    assert {leaf.fieldname for leaf in leaves} == {"body", "note", "title", "headings"}


@pytest.fixture
def small_index(tmp_path: Path) -> Iterator[SearchIndex]:
    docs = [
        IndexDoc("article:a", ARTICLE, "a", "Harbour Notes", "Boats in the harbour.", "1"),
        IndexDoc("article:b", ARTICLE, "b", "Lighthouses", "A harbour with a lighthouse.", "1"),
        IndexDoc(
            "bookmark:m", BOOKMARK, "a", "Harbour Notes", "Boats", "1", note="ferry timetable"
        ),
        IndexDoc("bookmark:n", BOOKMARK, "b", "Lighthouses", "harbour", "1", note="closed ferry"),
    ]
    ix = SearchIndex(tmp_path / "index")
    ix.sync({d.doc_id: d.stamp for d in docs}, lambda ids: [d for d in docs if d.doc_id in ids])
    yield ix
    ix.close()


def test_words_are_found_in_notes_and_negations_look_there_too(small_index: SearchIndex) -> None:
    found = {h.doc_id for h in small_index.search("ferry").hits}
    assert found == {"bookmark:m", "bookmark:n"}
    found = {h.doc_id for h in small_index.search("harbour -closed").hits}
    assert found == {"article:a", "article:b"}
    note_snippet = small_index.search("timetable").hits[0].snippets[-1]
    assert note_snippet.start == -1 and "**timetable**" in note_snippet.marked("**", "**")


def test_title_words_rank_higher_without_being_required(small_index: SearchIndex) -> None:
    results = small_index.search("lighthouse", kind=ARTICLE)
    assert [h.doc_id for h in results.hits] == ["article:b"]
    results = small_index.search("harbour", kind=ARTICLE)
    assert [h.doc_id for h in results.hits] == ["article:a", "article:b"]  # "Harbour" in a's title


# --- closeness ---------------------------------------------------------------


@pytest.fixture
def ferry_index(tmp_path: Path) -> Iterator[SearchIndex]:
    filler = " ".join(["weather"] * 30)
    bodies = {
        "far": f"The ferry left at noon. {filler} The timetable was posted later.",
        "close": f"{filler} The ferry timetable changes in winter. {filler}",
        "backwards": f"{filler} The timetable of the ferry changes in winter. {filler}",
        "other": "Lighthouses stand on the cliffs.",
    }
    docs = [IndexDoc(f"article:{k}", ARTICLE, k, k, body, "1") for k, body in bodies.items()]
    ix = SearchIndex(tmp_path / "index")
    ix.sync({d.doc_id: d.stamp for d in docs}, lambda ids: [d for d in docs if d.doc_id in ids])
    yield ix
    ix.close()


def test_the_words_close_together_and_in_order_rank_first(ferry_index: SearchIndex) -> None:
    ranked = [h.article_id for h in ferry_index.search("ferry timetable").hits]
    assert ranked[0] == "close"
    assert set(ranked) == {"close", "far", "backwards"}
    # Scores stay in order after the reranking, and a closer page scores more.
    scores = [h.score for h in ferry_index.search("ferry timetable").hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]


@given(
    st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=6), min_size=2, max_size=4),
    st.integers(1, 4),
)
def test_closeness_is_a_chain_of_positions_each_a_few_places_on(
    positions: list[list[int]], slop: int
) -> None:
    def chained(at: int, rest: list[list[int]]) -> bool:
        return not rest or any(1 <= p - at <= slop and chained(p, rest[1:]) for p in rest[0])

    expected = any(chained(p, positions[1:]) for p in positions[0])
    assert in_order_near(positions, slop) == expected


def test_a_half_typed_last_word_is_not_corrected_while_there_are_hits(
    small_index: SearchIndex,
) -> None:
    asked = small_index.search("harbour boatt")  # as Enter asks: every word is finished
    assert asked.corrected == "harbour boats" and asked.used_correction
    typing = small_index.search("harbour boatt", typing=True)
    assert typing.corrected is None  # the pages with "harbour" meanwhile
    assert {h.article_id for h in typing.hits} == {"a", "b"}
    # A finished word is corrected while the next one is typed ...
    assert small_index.search("harbuor boatt", typing=True).corrected == "harbour boatt"
    # ... and the last word too when nothing at all is found without it.
    assert small_index.search("boatt", typing=True).corrected == "boats"


# --- texts -------------------------------------------------------------------


def _doc(doc_id: str, stamp: str, body: str, note: str = "") -> IndexDoc:
    return IndexDoc(doc_id, ARTICLE, doc_id, doc_id, body, stamp, note=note)


def test_texts_keep_stamps_and_texts(tmp_path: Path) -> None:
    texts = Texts(tmp_path / "texts.sqlite3")
    texts.write([_doc("a", "1", "alpha"), _doc("b", "1", "beta", note="n")], [])
    texts.write([_doc("b", "2", "beta two")], ["a"])
    assert texts.stamps() == {"b": "2"}
    assert texts.texts(["a", "b"]) == {"b": ("beta two", "")}
    assert texts.texts([]) == {}
    assert texts.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    texts.close()
    again = Texts(tmp_path / "texts.sqlite3")
    assert again.stamps() == {"b": "2"}
    again.close()


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    texts = Texts(tmp_path / "texts.sqlite3")
    texts.write([_doc("a", "1", "alpha")], [])
    broken = _doc("c", "1", None)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        texts.write([_doc("b", "1", "beta"), broken], ["a"])
    assert not texts.db.in_transaction
    assert texts.stamps() == {"a": "1"}
    texts.close()


# --- whoosh setup ------------------------------------------------------------


def test_install_is_idempotent_and_reads_like_whoosh() -> None:
    from whoosh.filedb import compound
    from whoosh.filedb.structfile import BufferFile

    from reader.search import whoosh_setup

    whoosh_setup.install()
    installed = compound.BufferFile
    whoosh_setup.install()
    assert compound.BufferFile is installed is whoosh_setup.ZeroCopyBufferFile
    assert installed.__mro__[1] is BufferFile

    data = b"first line\nsecond\n" + bytes(range(256)) * 4
    ours, theirs = installed(memoryview(data), name="x"), BufferFile(data, name="x")
    for f in (ours, theirs):
        f.seek(3)
    assert ours.read(5) == theirs.read(5)
    assert ours.readline() == theirs.readline()
    assert ours.tell() == theirs.tell()
    ours.seek(-4, 2)
    theirs.seek(-4, 2)
    assert ours.read() == theirs.read()
    ours.seek(20)
    theirs.seek(20)
    assert ours.read_varint() == theirs.read_varint()
    assert ours.read_int() == theirs.read_int()
    assert ours.get(30, 10) == theirs.get(30, 10) == data[30:40]
    assert ours.subset(11, 6).read() == b"second"


_IMPORT_CHECK = textwrap.dedent(
    """
    import json, sys, tempfile, warnings
    from pathlib import Path

    filter_at_whoosh_import = []

    class Spy:
        def find_spec(self, name, path=None, target=None):
            if name == "whoosh":
                filter_at_whoosh_import.append(any(
                    f[2] is SyntaxWarning and f[3] is not None and f[3].match("whoosh.lang")
                    for f in warnings.filters
                ))
            return None

    sys.meta_path.insert(0, Spy())
    import reader.search
    from whoosh.filedb import compound, structfile
    on_import = compound.BufferFile is structfile.BufferFile

    warnings.filterwarnings("error", category=SyntaxWarning, append=True)
    def warns(filename):
        try:
            warnings.warn_explicit("invalid escape", SyntaxWarning, filename, 1, registry={})
        except SyntaxWarning:
            return True
        return False
    whoosh_file = warns("/usr/lib/python3/site-packages/whoosh/lang/porter.py")
    other_file = warns("/usr/lib/python3/site-packages/other/porter.py")

    with tempfile.TemporaryDirectory() as d:
        reader.search.SearchIndex(Path(d) / "index").close()
    print(json.dumps({
        "filter_at_whoosh_import": filter_at_whoosh_import,
        "untouched_on_import": on_import,
        "installed_by_index": compound.BufferFile.__name__,
        "whoosh_file_warns": whoosh_file,
        "other_file_warns": other_file,
    }))
    """
)


def test_importing_the_package_changes_whoosh_only_where_it_must() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seen = json.loads(out)
    assert seen["filter_at_whoosh_import"] == [True]  # the filter came first
    assert seen["untouched_on_import"] is True
    assert seen["installed_by_index"] == "ZeroCopyBufferFile"
    assert seen["whoosh_file_warns"] is False
    assert seen["other_file_warns"] is True  # the filter is whoosh's only
