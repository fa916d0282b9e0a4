"""One text: the shown text is stored at conversion, and bookmarks follow it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reader.cli import main
from reader.core import ReaderCore
from reader.library import Library
from reader.library.library import Limits
from reader.rendering import Rendered, render
from reader.ui.article_view import ArticleView
from tests.conftest import SEEDS

NOTE = "# River Notes\n\nA heron stood in the cold river at dawn.\n\nThe mist lifted by noon.\n"


def write_note(core: ReaderCore, text: str = NOTE) -> str:
    path = core.data_dir / "library" / "river.md"
    path.write_text(text, encoding="utf-8")
    core.refresh()
    return next(a.id for a in core.articles() if a.source == str(path))


def test_shown_text_is_stored_and_matches_the_rendering(core: ReaderCore) -> None:
    article_id = write_note(core)
    article = core.article(article_id)
    assert article.text == render(article.markdown).text
    assert core.open_article(article_id).text == article.text
    assert article.info.words == 16


def test_a_renderer_upgrade_reanchors_bookmarks(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = ReaderCore(data_dir, SEEDS, Limits(isolated=False))  # the patched renderer runs here
    article_id = write_note(core)
    mark = core.add_bookmark_quote(article_id, "cold river")

    # A new Markdown library puts a line above the text: the source file is the same.
    def upgraded(source: str) -> Rendered:
        old = render(source)
        return Rendered(old.html, "Preface added by the new renderer\n" + old.text, old.outline)

    monkeypatch.setattr("reader.library.conversion.render", upgraded)
    monkeypatch.setattr("reader.library.library.renderer_stamp", lambda: "a newer renderer")
    report = core.refresh()
    assert article_id in report.changed
    text = core.article(article_id).text
    moved = core.bookmark(mark.id)
    assert moved.state == "anchored"
    assert text[moved.start : moved.end] == "cold river"
    assert moved.start == mark.start + len("Preface added by the new renderer\n")
    core.close()


def test_refresh_renders_each_article_once(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(source: str) -> Rendered:
        calls.append(source)
        return render(source)

    monkeypatch.setattr("reader.library.conversion.render", counting)
    library = Library(data_dir, SEEDS, Limits(isolated=False))
    library.refresh()
    assert len(calls) == 5
    library.refresh()
    assert len(calls) == 5
    library.close()


def test_a_catalog_from_before_the_stored_text_keeps_its_ids(data_dir: Path) -> None:
    path = data_dir / "catalog.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema', '1'), ('converter', 'old');
        CREATE TABLE articles (
            id TEXT PRIMARY KEY, source_key TEXT NOT NULL UNIQUE,
            origin TEXT NOT NULL CHECK (origin IN ('bundled', 'user')),
            title TEXT NOT NULL, content_hash TEXT NOT NULL, words INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, markdown TEXT NOT NULL,
            added_at REAL NOT NULL);
        """
    )
    db.execute(
        "INSERT INTO articles VALUES ('my-own-id', 'bundled:000_2fb20787f0a067f5.txt',"
        " 'bundled', 'Old', 'x', 1, 0, 0, 'old', 0)"
    )
    db.commit()
    db.close()
    library = Library(data_dir, SEEDS)
    report = library.refresh()
    assert "my-own-id" in report.changed
    article = library.get("my-own-id")
    assert article.text and article.info.words > 300
    library.close()


def test_export_to_a_missing_folder_is_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "dir" / "x.json"
    code = main(["--data-dir", str(data_dir), "bookmarks", "export", "--format", "json",
                 "-o", str(target)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("reader: error: cannot write") and len(err.splitlines()) == 1


def test_a_locked_or_failing_database_is_never_set_aside(
    core: ReaderCore, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import storage
    from reader.bookmarks import BookmarkStore
    from reader.errors import BookmarkError, CatalogError
    from reader.library.catalog import Catalog

    kept = core.add_bookmark_quote("backend-developer", "Imagine a magnificent skyscraper.")
    core.close()

    def busy(*_args: object, **_kwargs: object) -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(storage, "migrate", busy)
    # Opened read-only, saying why: what is there can still be read.
    busy_store = BookmarkStore(data_dir / "bookmarks.sqlite3")
    assert any("locked" in n for n in busy_store.notices)
    assert [b.id for b in busy_store.entries()] == [kept.id]
    with pytest.raises(BookmarkError, match="could not delete the bookmark: database is locked"):
        busy_store.delete(kept.id)
    busy_store.close()
    busy_catalog = Catalog(data_dir / "catalog.sqlite3")
    assert busy_catalog.read_only and len(busy_catalog.rows()) == 5
    busy_catalog.close()
    monkeypatch.setattr(storage, "open_readonly", busy)
    with pytest.raises(BookmarkError, match="locked"):
        BookmarkStore(data_dir / "bookmarks.sqlite3")
    with pytest.raises(CatalogError, match="locked"):
        Catalog(data_dir / "catalog.sqlite3")
    monkeypatch.undo()
    assert not list(data_dir.glob("*.damaged-*"))
    store = BookmarkStore(data_dir / "bookmarks.sqlite3")
    assert [b.id for b in store.entries()] == [kept.id]
    store.close()


# Each construct the reading view draws in a box or nests, alone and after a paragraph.
CONSTRUCTS = {
    "a table with aligned columns": (
        "| Name | Kind | Price |\n|:-----|:----:|------:|\n| Apple | fruit | 1.20 |\n"
        "| Leek |  | 12.50 |\n"
    ),
    "a code block": "```python\ndef greet(name):\n\n    return name  # hello\n```\n\nAfter it.\n",
    "an indented code block": "    first line\n      second line\n\nAfter it.\n",
    "a quote": "> A quote.\n>\n> Its second paragraph.\n\nAfter it.\n",
    "nested quotes": "> Outer words.\n>\n> > Inner words.\n",
    "a list nested by two spaces": "- fruit\n  - apple\n    - pippin\n  - pear\n- leek\n",
    "a list nested by three spaces": "1. first\n   - detail\n   - more\n2. second\n",
    "a list nested by four spaces": "- fruit\n    - apple\n        - pippin\n- leek\n",
    "a quote holding a list": "> Points:\n>\n> - one\n>   - one and a half\n> - two\n",
    "a list holding a quote": "- Said:\n\n  > Words said.\n\n- Done.\n",
    "code inside a list": "1. Install it:\n\n       pip install reader\n\n2. Run it.\n",
    "code inside a quote": "> Run:\n>\n>     reader --help\n",
    "a quote ending in code, then a table": (
        "> Run:\n>\n>     reader --help\n\n| a | b |\n|---|---|\n|   | 2 |\n\n---\n\nEnd.\n"
    ),
}


@pytest.mark.parametrize("before", ["", "A paragraph before.\n\n"], ids=["first", "after text"])
@pytest.mark.parametrize("markdown", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_each_construct_shows_exactly_the_core_text(
    qtbot: QtBot, markdown: str, before: str
) -> None:
    view = ArticleView()
    qtbot.addWidget(view)
    rendered = render(before + markdown)
    view.setHtml(rendered.html)
    assert view.toPlainText() == rendered.text


def test_all_constructs_together_show_exactly_the_core_text(qtbot: QtBot) -> None:
    view = ArticleView()
    qtbot.addWidget(view)
    rendered = render("\n\n".join(CONSTRUCTS.values()))
    view.setHtml(rendered.html)
    assert view.toPlainText() == rendered.text
