from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reader.cli import main
from reader.errors import SearchIndexError
from reader.library.library import Library
from reader.search import SCHEMA_VERSION, SearchIndex, index_path, sync_index


def ids(results: object) -> list[str]:
    return [h.article_id for h in results.hits]  # type: ignore[attr-defined]


def test_title_matches_rank_first(index: SearchIndex) -> None:
    results = index.search("unseen architect")
    assert ids(results)[0] == "backend-developer"
    results = index.search("irreplaceable")
    assert ids(results)[0] == "why-back-end-developers-remain"


def test_words_are_anded_and_stemmed(index: SearchIndex) -> None:
    assert ids(index.search("estonia")) == ["empowering-national-progress"]
    # no article has both: those with one of them follow, and the query says so
    loose = index.search("estonia skyscraper")
    assert "empowering-national-progress" in ids(loose)
    assert loose.message and "all the words" in loose.message
    anded = ids(index.search("backend estonia"))
    assert anded[0] == "empowering-national-progress"  # the one with both comes first
    both = set(ids(index.search("securing")))
    assert both >= set(ids(index.search("secure")))


def test_phrase_marks_only_the_phrase(index: SearchIndex, library: Library) -> None:
    results = index.search('"digital infrastructure"')
    assert ids(results) == ["empowering-national-progress"]
    text = library.get("empowering-national-progress").text
    hit = results.hits[0]
    assert [text[s:e].lower() for s, e in hit.offsets] == ["digital infrastructure"] * len(
        hit.offsets
    )


def test_offsets_point_into_the_shown_text(index: SearchIndex, library: Library) -> None:
    for hit in index.search("backend").hits:
        text = library.get(hit.article_id).text
        assert hit.offsets
        assert all(text[s:e].lower().startswith("backend") for s, e in hit.offsets)
        assert "**backend**" in hit.snippet_text().lower()


def test_fields_or_not_prefix(index: SearchIndex) -> None:
    assert ids(index.search("title:unseen")) == ["backend-developer"]
    assert "backend-developer" not in ids(index.search("title:backend -unseen"))
    assert "backend-developer" not in ids(index.search("title:backend NOT unseen"))
    assert set(ids(index.search("estonia OR skyscraper"))) == {
        "empowering-national-progress",
        "backend-developer",
    }
    assert len(ids(index.search("microserv*"))) >= 2


def test_accents_fold(index: SearchIndex) -> None:
    assert ids(index.search("éstonia")) == ["empowering-national-progress"]


def test_typos_still_find_and_suggest(index: SearchIndex) -> None:
    results = index.search("serch enginee")
    assert results.corrected == "search engine"
    assert results.used_correction and ids(results)[0] == "backend-developer"  # both words
    results = index.search("estnia")
    assert results.corrected == "estonia"
    assert ids(results) == ["empowering-national-progress"]


def test_bad_syntax_gets_a_message_and_results(index: SearchIndex) -> None:
    results = index.search('"digital infrastructure')
    assert results.message and "quote" in results.message
    assert ids(results)
    results = index.search("(backend AND")
    assert results.message
    assert ids(results)


def test_incremental_updates(library: Library, index: SearchIndex, tmp_path: Path) -> None:
    note = library.user_dir / "kiwi.md"
    note.write_text("# Kiwi Orchard Notes\n\nThe kiwifruit vines need a trellis.\n")
    library.refresh()
    report = sync_index(index, library)
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert ids(index.search("trellis")) == ["kiwi-orchard-notes"]

    note.write_text("# Kiwi Orchard Notes\n\nThe vines now climb a pergola.\n")
    os.utime(note, ns=(1, 1))
    library.refresh()
    report = sync_index(index, library)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert ids(index.search("trellis")) == []
    assert ids(index.search("pergola")) == ["kiwi-orchard-notes"]

    note.unlink()
    library.refresh()
    report = sync_index(index, library)
    assert report.removed == 1
    assert ids(index.search("pergola")) == []
    assert index.doc_count() == 5


def test_stale_schema_is_rebuilt(library: Library) -> None:
    path = index_path(library.data_dir)
    ix = SearchIndex(path)
    sync_index(ix, library)
    ix.close()
    (path / "reader-index.json").write_text(json.dumps({"schema": SCHEMA_VERSION - 1}))
    ix = SearchIndex(path)
    report = sync_index(ix, library)
    assert report.notice and "another version" in report.notice
    assert report.added == 5
    assert ids(ix.search("estonia")) == ["empowering-national-progress"]
    ix.close()


def test_corrupted_index_is_rebuilt(library: Library) -> None:
    path = index_path(library.data_dir)
    ix = SearchIndex(path)
    sync_index(ix, library)
    ix.close()
    for f in path.glob("*.seg"):
        f.write_bytes(b"garbage" * 10)
    for f in path.glob("_MAIN_*.toc"):
        f.write_bytes(b"\x00garbage")
    ix = SearchIndex(path)
    assert ix.notice and "rebuilt" in ix.notice
    sync_index(ix, library)
    assert ids(ix.search("estonia")) == ["empowering-national-progress"]
    ix.close()


def _hold_lock(
    path: str, ready: multiprocessing.synchronize.Event, done: multiprocessing.synchronize.Event
) -> None:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(path, indexname="MAIN")
    writer = ix.writer()
    ready.set()
    done.wait(30)
    writer.cancel()


def test_locked_index_still_answers_and_writers_time_out(library: Library) -> None:
    path = index_path(library.data_dir)
    ix = SearchIndex(path, lock_timeout=0.3)
    sync_index(ix, library)
    ctx = multiprocessing.get_context("spawn")
    ready, done = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(path), ready, done))
    holder.start()
    try:
        assert ready.wait(30)
        other = SearchIndex(path, lock_timeout=0.3)  # a second process's view
        assert ids(other.search("estonia")) == ["empowering-national-progress"]
        (library.user_dir / "new.md").write_text("# New Note\n\nAbout lighthouses.\n")
        library.refresh()
        with pytest.raises(SearchIndexError, match="another process"):
            sync_index(other, library)
        assert ids(other.search("estonia")) == ["empowering-national-progress"]
        other.close()
    finally:
        done.set()
        holder.join(30)
    assert sync_index(ix, library).added == 1
    assert ids(ix.search("lighthouses")) == ["new-note"]
    ix.close()


def test_searching_while_another_thread_writes(library: Library) -> None:
    path = index_path(library.data_dir)
    writer_ix = SearchIndex(path)
    sync_index(writer_ix, library)
    reader_ix = SearchIndex(path)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(5):
                (library.user_dir / f"w{n}.md").write_text(f"# Note {n}\n\nWords {n} here.\n")
                lib = Library(library.data_dir, library.bundled_dir)
                lib.refresh()
                sync_index(writer_ix, lib)
                lib.close()
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=write)
    t.start()
    while t.is_alive():
        assert ids(reader_ix.search("estonia")) == ["empowering-national-progress"]
    t.join()
    assert not errors
    reader_ix.close()
    writer_ix.close()


def test_cli_search_contract(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    assert main(["--data-dir", str(data_dir), "search", "estonia", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 1
    hit = hits[0]
    assert {"id", "title", "score", "snippet", "offsets"} <= set(hit)
    assert hit["id"] == "empowering-national-progress"
    assert "**Estonia**’s" in hit["snippet"]
    assert main(["--data-dir", str(data_dir), "show", hit["id"]]) == 0
    shown = capsys.readouterr().out
    s, e = hit["offsets"][0]
    assert shown[s:e] == "Estonia"


def test_cli_search_stdin_and_index(data_dir: Path) -> None:
    cmd = [sys.executable, "-m", "reader", "--data-dir", str(data_dir)]
    out = subprocess.run(
        [*cmd, "search", "-"], input="estonia\nserch enginee\n\n", capture_output=True,
        text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert len(out) == 2
    first, second = (json.loads(line) for line in out)
    assert first["hits"][0]["id"] == "empowering-national-progress"
    assert second["did_you_mean"] == "search engine"
    result = subprocess.run([*cmd, "index", "--rebuild"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("index rebuilt: 5 added")


def test_one_pass_analyzer_matches_whooshs_filter_chain(library: Library) -> None:
    """Word by word the analyzer is whoosh's usual chain; a compound adds itself as written."""
    from whoosh.analysis import (
        CharsetFilter,
        LowercaseFilter,
        RegexTokenizer,
        StemFilter,
        StopFilter,
    )
    from whoosh.support.charset import accent_map

    from reader.search.analysis import EnglishAnalyzer, compound_term, is_compound

    chain = (
        RegexTokenizer(r"\w+")
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter()
        | StemFilter(lang="en")
    )
    ours = EnglishAnalyzer()
    texts = [library.text(a.id)[1] for a in library.articles()]
    texts.append(
        "Café Über naïve e.g. U.S.A. the A I 3.14 x_y ÆON THE read-only C++ node.js café-crème"
    )
    for text in texts:
        expected = [(t.text, t.startchar, t.endchar) for t in chain(text, chars=True)]
        tokens = [(t.text, t.startchar, t.endchar) for t in ours(text, chars=True)]
        assert [t for t in tokens if not is_compound(t[0])] == expected
        written = {
            (t, s, e) for t, s, e in tokens if is_compound(t)
        }  # each compound, lower-cased and unstemmed, over its whole span
        assert all(compound_term(text[s:e]) == t for t, s, e in written)
        # the index's postings are the tokens' terms, places and spans, compounds included
        places: dict[str, list[tuple[int, int, int]]] = {}
        for t in ours(text, positions=True, chars=True):
            places.setdefault(t.text, []).append((t.pos, t.startchar, t.endchar))
        assert ours.postings(text) == places
        assert [t.text for t in ours(text, no_morph=True) if not is_compound(t.text)] == [
            t.text for t in chain(text, no_morph=True)
        ]
        grouped = {k: [(s, e) for _, s, e in v] for k, v in ours.postings(text).items()}
        by_term: dict[str, list[tuple[int, int]]] = {}
        for term, s, e in sorted(expected + list(written), key=lambda x: (x[1], -x[2])):
            by_term.setdefault(term, []).append((s, e))
        assert {k: sorted(v) for k, v in grouped.items()} == {
            k: sorted(v) for k, v in by_term.items()
        }
