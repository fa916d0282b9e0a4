from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader.bookmarks.anchoring import Anchor, Lost, locate, selector_for
from reader.bookmarks.store import _MIGRATIONS, BookmarkStore
from reader.cli import main
from reader.core import ReaderCore
from reader.errors import QuoteNotFound
from tests.conftest import SEEDS

TEXT = (
    "Intro paragraph about rivers.\n"
    "The heron waited by the cold river for most of the grey afternoon.\n"
    "Closing words about the valley and the evening light."
)
QUOTE = "waited by the cold river for most of the grey afternoon"


def sel_of(text: str, quote: str):  # type: ignore[no-untyped-def]
    at = text.index(quote)
    return selector_for(text, at, at + len(quote))


def test_insertion_before_the_passage_moves_it() -> None:
    sel = sel_of(TEXT, QUOTE)
    new = "A brand new first line, added later.\n" + TEXT
    found = locate(new, sel)
    assert isinstance(found, Anchor) and found.verbatim
    assert new[found.start : found.end] == QUOTE


def test_insertion_inside_the_passage_is_matched_approximately() -> None:
    sel = sel_of(TEXT, QUOTE)
    new = TEXT.replace("the cold river", "the cold, slow river")
    found = locate(new, sel)
    assert isinstance(found, Anchor) and not found.verbatim
    assert (
        new[found.start : found.end]
        == "waited by the cold, slow river for most of the grey afternoon"
    )


def test_removed_passage_is_not_found() -> None:
    sel = sel_of(TEXT, QUOTE)
    new = TEXT.replace("The heron waited by the cold river for most of the grey afternoon.\n", "")
    assert isinstance(locate(new, sel), Lost)


def test_repeated_quote_prefers_its_own_context() -> None:
    quote = "the same words here"
    text = f"alpha one. {quote}. beta two. {quote}. gamma"
    second = text.rindex(quote)
    sel = selector_for(text, second, second + len(quote))
    # A long insertion between the two puts the first copy nearer the old position.
    new = text.replace(" beta two.", " " + "filler words " * 10 + "beta two.")
    assert abs(new.index(quote) - second) < abs(new.rindex(quote) - second)
    found = locate(new, sel)
    assert isinstance(found, Anchor)
    assert found.start == new.rindex(quote)


def user_article(core: ReaderCore, text: str, name: str = "river.md") -> str:
    path = (core.data_dir / "library") / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(os.stat(path).st_mtime_ns + 1_000_000_000,) * 2)
    core.refresh()
    return next(a.id for a in core.articles() if a.source == str(path))


def test_edits_of_the_article_reanchor_or_detach(core: ReaderCore) -> None:
    article_id = user_article(core, "# River Notes\n\n" + TEXT + "\n")
    b = core.add_bookmark_quote(article_id, QUOTE, note="herons!")
    path = (core.data_dir / "library") / "river.md"
    user_article(core, "# River Notes\n\nA new opening paragraph.\n\n" + TEXT + "\n")
    moved = core.bookmark(b.id)
    text = core.article(article_id).text
    assert moved.state == "anchored" and text[moved.start : moved.end] == QUOTE
    assert moved.start > b.start

    user_article(core, "# River Notes\n\nOnly other words now.\n")
    gone = core.bookmark(b.id)
    assert gone.state == "detached" and gone.exact == QUOTE and gone.note == "herons!"
    path.write_text("# River Notes\n\n" + TEXT + "\n")
    user_article(core, "# River Notes\n\n" + TEXT + "\n")
    assert core.bookmark(b.id).state == "anchored"


def test_rename_keeps_bookmarks(core: ReaderCore) -> None:
    article_id = user_article(core, "# River Notes\n\n" + TEXT + "\n")
    b = core.add_bookmark_quote(article_id, QUOTE)
    src = (core.data_dir / "library") / "river.md"
    src.rename((core.data_dir / "library") / "renamed-river.md")
    core.refresh()
    kept = core.bookmark(b.id)
    assert kept.article_id == article_id and kept.state == "anchored"
    assert core.article(article_id).info.source.endswith("renamed-river.md")


def test_deleted_article_leaves_bookmark_detached(core: ReaderCore) -> None:
    article_id = user_article(core, "# River Notes\n\n" + TEXT + "\n")
    b = core.add_bookmark_quote(article_id, QUOTE)
    ((core.data_dir / "library") / "river.md").unlink()
    core.refresh()
    assert core.bookmark(b.id).state == "detached"


def test_export_import_round_trip(core: ReaderCore, tmp_path: Path) -> None:
    b1 = core.add_bookmark_quote("backend-developer", "Imagine a magnificent skyscraper.",
                                 note="analogy", color="green", tags=("Teaching", "x"))  # fmt: skip
    b2 = core.add_bookmark_quote("empowering-national-progress", "Estonia’s digital ID system")
    exported = core.export_bookmarks("json")
    collection = json.loads(exported)
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 2
    items = collection["first"]["items"]
    assert collection["first"]["type"] == "AnnotationPage"
    assert items[0]["type"] == "Annotation"
    body = items[0]["body"]
    assert {"type": "TextualBody", "value": "analogy", "format": "text/plain",
            "purpose": "commenting"} in body  # fmt: skip
    target = items[0]["target"]
    assert target["type"] == "SpecificResource" and target["styleClass"] == "color-green"
    assert "stylesClass" not in items[0]
    selectors = {s["type"]: s for s in target["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == "Imagine a magnificent skyscraper."
    assert selectors["TextPositionSelector"]["start"] == b1.start

    other = ReaderCore(tmp_path / "other", SEEDS)
    other.refresh()
    report = other.import_bookmarks(exported)
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    again = other.import_bookmarks(exported)
    assert (again.added, again.unchanged) == (0, 2)
    got = {b.id: b for b in other.bookmarks()}
    assert set(got) == {b1.id, b2.id}
    assert got[b1.id].note == "analogy" and got[b1.id].color == "green"
    assert got[b1.id].tags == ("teaching", "x")
    assert (got[b1.id].start, got[b1.id].end) == (b1.start, b1.end)
    other.close()

    md = core.export_bookmarks("markdown")
    assert "## Backend Developer: The Unseen Architect of the Digital World" in md
    assert "> Imagine a magnificent skyscraper." in md
    assert "\nanalogy\n" in md
    assert f"`reader open backend-developer#{b1.id}`" in md  # opens the window at it


def test_quote_not_in_article(core: ReaderCore) -> None:
    with pytest.raises(QuoteNotFound):
        core.add_bookmark_quote("backend-developer", "words that are not there")


def test_corrupt_store_is_set_aside(data_dir: Path) -> None:
    (data_dir / "bookmarks.sqlite3").write_bytes(b"not a database at all" * 200)
    store = BookmarkStore(data_dir / "bookmarks.sqlite3")
    assert any("was damaged" in n and "no backup" in n for n in store.notices)
    assert store.entries() == []
    backups = list(data_dir.glob("bookmarks.sqlite3.damaged-*"))
    assert backups and backups[0].read_bytes().startswith(b"not a database")
    store.close()


KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from reader.core import ReaderCore
from reader.paths import bundled_articles_dir
core = ReaderCore(Path(sys.argv[1]), bundled_articles_dir())
core.refresh()
b = core.add_bookmark_quote("backend-developer", "Imagine a magnificent skyscraper.", note="kept")
print(b.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_killed_right_after_saving_loses_nothing(data_dir: Path) -> None:
    script = KILL_SCRIPT.format(root=str(Path(__file__).resolve().parent.parent))
    result = subprocess.run([sys.executable, "-c", script, str(data_dir)], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == -signal.SIGKILL
    saved_id = result.stdout.strip()
    store = BookmarkStore(data_dir / "bookmarks.sqlite3")
    assert store.get(saved_id).note == "kept"
    store.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_contract(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    d = ["--data-dir", str(data_dir)]
    code, out, _ = run(capsys, *d, "bookmarks", "add", "backend-developer",
                       "--quote", "Imagine a magnificent skyscraper.", "--note", "nice",
                       "--color", "blue")  # fmt: skip
    assert code == 0 and out.startswith("bookmarked ")
    code, out, _ = run(capsys, *d, "bookmarks", "list", "--json")
    entries = json.loads(out)
    assert len(entries) == 1
    e = entries[0]
    assert {k: e[k] for k in ("article", "quote", "note", "color", "tags", "state")} == {
        "article": "backend-developer", "quote": "Imagine a magnificent skyscraper.",
        "note": "nice", "color": "blue", "tags": [], "state": "anchored",
    }  # fmt: skip
    _, shown, _ = run(capsys, *d, "show", "backend-developer")
    assert shown[e["start"] : e["end"]] == "Imagine a magnificent skyscraper."

    code, _, err = run(capsys, *d, "bookmarks", "add", "backend-developer", "--quote", "nope nope")
    assert code == 1 and err.startswith("reader: error: the text 'nope nope' is not in")

    out_file = tmp_path / "marks.jsonld"
    assert run(capsys, *d, "bookmarks", "export", "--format", "json", "-o", str(out_file))[0] == 0
    code, out, _ = run(capsys, *d, "bookmarks", "import", str(out_file))
    assert code == 0 and out.strip() == "imported 0 new, 0 updated, 1 unchanged"
    _, md, _ = run(capsys, *d, "bookmarks", "export", "--format", "markdown")
    assert "> Imagine a magnificent skyscraper." in md


def test_search_finds_passages_and_notes(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    d = ["--data-dir", str(data_dir)]
    run(capsys, *d, "bookmarks", "add", "backend-developer", "--quote",
        "Imagine a magnificent skyscraper.", "--note", "pelican analogy")  # fmt: skip
    _, out, _ = run(capsys, *d, "search", "skyscraper", "--json")
    kinds = sorted(h["kind"] for h in json.loads(out))
    assert kinds == ["article", "bookmark"]
    _, out, _ = run(capsys, *d, "search", "note:pelican", "--json")
    hits = json.loads(out)
    assert [h["kind"] for h in hits] == ["bookmark"] and hits[0]["article"] == "backend-developer"
    _, out, _ = run(capsys, *d, "search", "note:skyscraper", "--json")
    assert json.loads(out) == []


def test_cli_open_rejects_unknown_targets_before_any_window(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    d = ["--data-dir", str(data_dir)]
    code, _, err = run(capsys, *d, "open", "no-such-article")
    assert code == 1 and err == "reader: error: no article with id 'no-such-article'\n"
    code, _, err = run(capsys, *d, "open", "backend-developer#no-such-bookmark")
    assert code == 1 and err == "reader: error: no bookmark with id 'no-such-bookmark'\n"


def test_bookmarks_from_before_kept_texts_are_followed_after_the_upgrade(data_dir: Path) -> None:
    """A store of the previous schema: its bookmarks stay where they are, and the text
    they are on is kept from the first refresh, so the next edit is followed."""
    core = ReaderCore(data_dir, None)
    article_id = user_article(core, "# River Notes\n\n" + TEXT + "\n")
    b = core.add_bookmark_quote(article_id, QUOTE, note="old")
    core.close()
    store = data_dir / "bookmarks.sqlite3"
    db = sqlite3.connect(store)
    row = db.execute(
        "SELECT id, article_id, created, updated, note, color, tags, exact, prefix, suffix,"
        ' start, "end", text_hash, state FROM bookmarks'
    ).fetchone()
    db.close()
    for leftover in data_dir.glob("bookmarks.sqlite3*"):
        leftover.unlink()
    db = sqlite3.connect(store)
    db.executescript(_MIGRATIONS[1] + ";" + _MIGRATIONS[2] + "; PRAGMA user_version=2;")
    db.execute("INSERT INTO bookmarks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
    db.commit()
    db.close()
    core = ReaderCore(data_dir, None)
    core.refresh()
    (kept,) = core.bookmarks()
    assert (kept.id, kept.note, kept.state, kept.start) == (b.id, "old", "anchored", b.start)
    db = sqlite3.connect(store)
    assert db.execute("SELECT hash FROM texts").fetchall() == [(kept.text_hash,)]
    db.close()
    path = data_dir / "library" / "river.md"
    path.write_text("# River Notes\n\nA new first line.\n\n" + TEXT + "\n", encoding="utf-8")
    core.refresh()
    moved = core.bookmark(b.id)
    assert core.article(article_id).text[moved.start : moved.end] == QUOTE
    core.close()
