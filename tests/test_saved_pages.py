"""Saved web pages and the user's own texts: golden conversions, import, the original text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reader.cli import main
from reader.core import ReaderCore
from reader.library.importing import convert_file, original_of
from reader.rendering import original_html, render
from tests.conftest import SEEDS, OpenWindow, settle, show

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
PAGES = DATA / "pages"


# One behaviour each: an input file and the Markdown expected from it.
@pytest.mark.parametrize(
    "source",
    [
        GOLDEN / "meeting-note.txt",  # a note: title, wrapped paragraphs, a list, a last line
        GOLDEN / "release-notes.txt",  # setext headings, items wrapped under their marker
        GOLDEN / "plain-readme.txt",  # a plain-text README: sections, a command, a list
        PAGES / "harbour-news.html",  # a news page: metadata, image on disk, table, quote
        PAGES / "blog-code.html",  # a blog post: a code block, inline code, a numbered list
    ],
    ids=lambda p: p.name,
)
def test_golden_conversion(source: Path) -> None:
    expected = (GOLDEN / (source.stem + ".expected.md")).read_text(encoding="utf-8")
    assert convert_file(source).markdown == expected


def test_a_saved_page_is_the_article_alone_with_its_metadata() -> None:
    converted = convert_file(PAGES / "harbour-news.html")
    assert converted.title == "Harbour ferry returns after winter repairs"
    page = converted.metadata
    assert (page.author, page.site, page.published) == (
        "Ines Varga",
        "The Coastal Gazette",
        "2025-03-14",
    )
    assert page.url == "https://gazette.example.org/local/harbour-ferry-returns"
    shown = render(converted.markdown).text
    for furniture in ("Most read", "Subscribe", "3 comments", "All rights reserved", "Weather"):
        assert furniture not in shown
    assert "Ines Varga · The Coastal Gazette · 2025-03-14" in shown  # under the headline
    assert "| The Coastal Gazette" not in converted.title


def test_a_page_complete_is_imported_with_its_own_images_only(
    core: ReaderCore, data_dir: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "downloads"
    shutil.copytree(PAGES, saved)
    outcomes = core.import_paths([saved / "harbour-news.html"])
    assert [o.status for o in outcomes] == ["imported"]
    folder = data_dir / "library" / "harbour-news"
    assert (folder / "harbour-news.html").is_file()
    assert (folder / "harbour-news_files" / "ferry.png").is_file()
    assert not (folder / "harbour-news_files" / "style.css").exists()  # only what it shows
    page = core.open_article(outcomes[0].article_id or "")
    assert page.info.author == "Ines Varga" and page.info.site == "The Coastal Gazette"
    assert page.own_image("harbour-news_files/ferry.png") is not None
    assert 'src="harbour-news_files/ferry.png"' in page.html
    # A refresh finds one article there, not the folder's files as articles of their own.
    core.refresh()
    assert sum(1 for a in core.articles() if a.origin == "user") == 1


def test_a_folder_of_saved_pages_imports_each_page_once(core: ReaderCore, tmp_path: Path) -> None:
    saved = tmp_path / "downloads"
    shutil.copytree(PAGES, saved)
    (saved / "harbour-news_files" / "frame.html").write_text("<p>an embedded frame</p>")
    outcomes = core.import_paths([saved])
    imported = sorted(o.path.name for o in outcomes if o.status == "imported")
    assert imported == ["blog-code.html", "harbour-news.html"]
    assert not [o for o in outcomes if o.status == "failed"]


def test_titles_in_other_scripts_get_readable_ids(core: ReaderCore, tmp_path: Path) -> None:
    notes = []
    for name, title in [
        ("a.txt", "Москва весной"),
        ("b.txt", "東京の夜"),
        ("c.txt", "Ελληνικά νέα"),
    ]:
        path = tmp_path / name
        path.write_text(f"{title}\n\nA first paragraph of the note, long enough to be prose.\n")
        notes.append(path)
    ids = [o.article_id for o in core.import_paths(notes)]
    assert ids == ["moskva-vesnoi", "dong-jing-noye", "ellenika-nea"]


def test_show_original_and_removed(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    def run(*args: str) -> str:
        assert main(["--data-dir", str(data_dir), *args]) == 0
        return capsys.readouterr().out

    seed = next(p for p in sorted(SEEDS.iterdir()) if "Scroll to Top" in p.read_text("utf-8"))
    listed = json.loads(run("list", "--json"))
    article_id = next(a["id"] for a in listed if a["source"] == str(seed))
    original = run("show", article_id, "--format", "original")
    assert original.strip() == seed.read_text(encoding="utf-8").strip()
    removed = run("show", article_id, "--format", "removed").splitlines()
    assert "Broadcast| Connect| Grow" in removed and "Scroll to Top" in removed
    shown = run("show", article_id)
    assert all(line not in shown for line in removed if len(line) > 20)
    # A note loses nothing, so nothing is listed as removed.
    note = tmp_path / "note.txt"
    note.write_text((GOLDEN / "meeting-note.txt").read_text(encoding="utf-8"))
    run("import", str(note))
    assert run("show", "team-sync-14-march", "--format", "removed") == ""


def test_view_original_text_strikes_what_was_left_out(
    qtbot: QtBot, open_window: OpenWindow, data_dir: Path
) -> None:
    seed = next(p for p in sorted(SEEDS.iterdir()) if "Scroll to Top" in p.read_text("utf-8"))
    reader_core = ReaderCore(data_dir, SEEDS)
    reader_core.refresh()
    article_id = next(a.id for a in reader_core.articles() if a.source == str(seed))
    reader_core.close()
    window = open_window(data_dir)
    show(qtbot, window, article_id)
    article_text = window.view.toPlainText()
    window.commands.original.trigger()
    qtbot.waitUntil(lambda: window.view.showing_original, timeout=10_000)
    settle(qtbot, window)
    html = window.view.toHtml()
    assert "Scroll to Top" in window.view.toPlainText()
    assert "line-through" in html  # what cleaning left out is struck
    assert "left out" in window.status_label.text()
    window.view.selectAll()
    assert window.view.selected_span() is None  # nothing is bookmarked in the original
    window.commands.original.trigger()
    qtbot.waitUntil(lambda: not window.view.showing_original, timeout=10_000)
    assert window.view.toPlainText() == article_text


def test_a_failed_import_named_like_the_library_folder_removes_only_itself(
    core: ReaderCore, data_dir: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.md"
    mine.write_text("# Mine\n\nA note of my own, kept in the library.\n")
    core.import_paths([mine])
    bad = tmp_path / "library.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    assert [o.status for o in core.import_paths([bad])] == ["failed"]
    assert (data_dir / "library" / "mine.md").is_file()


def test_images_are_copied_only_from_the_page_folder_itself(
    core: ReaderCore, data_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes((PAGES / "harbour-news_files" / "ferry.png").read_bytes())
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "page_files").symlink_to(outside)  # a link out of the page's folder
    body = "<p>" + "A paragraph of the saved page, long enough to be its article. " * 5 + "</p>"
    (saved / "page.html").write_text(
        f"<html><head><title>Linked</title></head><body><article><h1>Linked</h1>{body}"
        '<img src="page_files/secret.png"><img src="..%2Foutside%2Fsecret.png">'
        "</article></body></html>"
    )
    assert [o.status for o in core.import_paths([saved / "page.html"])] == ["imported"]
    assert not list((data_dir / "library").rglob("secret.png"))


def test_a_page_without_a_declared_charset_is_read_as_utf8_everywhere(tmp_path: Path) -> None:
    body = "<p>Die Straße nach München war lang, und wir fuhren über die Brücke am Morgen.</p>"
    page = tmp_path / "p.html"
    page.write_bytes(
        f"<html><head><title>Über München</title></head><body><article><h1>Über München</h1>"
        f"{body}</article></body></html>".encode()
    )
    converted = convert_file(page)
    original = original_of(page, render(converted.markdown).text)
    assert "Die Straße nach München" in original.text
    assert original.removed == []


def test_the_import_dialog_offers_saved_pages(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(data_dir)
    offered: list[str] = []

    def choose(_parent: object, _title: str, _folder: str, filters: str) -> tuple[list[str], str]:
        offered.append(filters)
        return [str(PAGES / "blog-code.html")], filters

    monkeypatch.setattr("reader.ui.main_window.QFileDialog.getOpenFileNames", choose)
    window.on_import_triggered()
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 6, timeout=20_000)
    settle(qtbot, window)
    assert "*.html" in offered[0] and "*.md" in offered[0] and "*.txt" in offered[0]


def test_a_line_kept_once_and_dropped_once_is_struck_where_it_was_dropped(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.txt"
    body = (
        "The harbour reopened on Monday after three weeks of repairs to the old sea wall. "
        "Fishing boats were the first to come back, followed by the ferry."
    )
    page.write_text(f"Share this\n{body}\nShare this\n", encoding="utf-8")
    original = original_of(page, f"Share this\n{body}")  # the first one was kept
    assert original.removed_at == (2,)
    shown = original_html(original.text, set(original.removed_at)).splitlines()
    assert shown[0] == "<p>Share this</p>"  # kept: plain
    assert shown[2] == '<p class="removed"><s>Share this</s></p>'  # dropped: struck
    assert original.removed == ["Share this"]
