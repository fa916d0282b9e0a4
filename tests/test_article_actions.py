"""Keeping a library: removing and putting back, retitling and tagging, in the core and the CLI."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from reader.bookmarks import BookmarkStore
from reader.cli import main
from reader.core import ReaderCore
from reader.errors import ArticleNotFound, BookmarkError, ReaderError
from reader.library import trash
from tests.conftest import SEEDS

DATA = Path(__file__).parent / "data"
NOTE = (
    "# Harbour notes\n\nThe boats came in at low tide, and the gulls followed them along "
    "the wall. Nobody on the quay had seen a catch like it.\n"
)


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def noted(tmp_path: Path, data_dir: Path) -> tuple[ReaderCore, str]:
    """A core with the bundled articles and one note of the user's, imported."""
    source = tmp_path / "harbour.md"
    source.write_text(NOTE, encoding="utf-8")
    core = ReaderCore(data_dir, SEEDS)
    (outcome,) = core.import_paths([source])
    assert outcome.article_id is not None
    return core, outcome.article_id


def ids(core: ReaderCore) -> list[str]:
    return [a.id for a in core.articles()]


def test_a_removed_article_comes_back_with_its_bookmarks(
    noted: tuple[ReaderCore, str], data_dir: Path
) -> None:
    core, article_id = noted
    mark = core.add_bookmark_quote(article_id, "low tide", note="the tide")
    file = data_dir / "library" / "harbour.md"

    removed = core.remove_article(article_id)
    assert article_id not in ids(core)
    assert not file.exists()  # out of the library folder, into the trash
    assert (data_dir / removed.trash / "files" / "harbour.md").is_file()
    assert core.bookmark(mark.id).detached  # kept, detached
    with pytest.raises(ArticleNotFound, match="reader restore"):
        core.open_article(article_id)
    core.sync_index()
    assert article_id not in [h.article_id for h in core.search("gulls").hits]

    assert core.restore_article(article_id) == article_id
    assert article_id in ids(core) and file.is_file()
    back = core.bookmark(mark.id)
    assert not back.detached and back.note == "the tide"
    page = core.open_article(article_id)
    assert page.text[back.start : back.end] == "low tide"
    core.sync_index()
    assert [h.article_id for h in core.search("gulls").hits] == [article_id]
    assert not (data_dir / "trash").exists() or not any((data_dir / "trash").iterdir())
    core.close()


def test_a_bundled_article_is_hidden_and_shown_again(core: ReaderCore) -> None:
    first = core.articles()[0]
    mark = core.add_bookmark_quote(first.id, first.title.split()[0])
    core.remove_article(first.id)
    assert first.id not in ids(core)
    assert first.source and Path(first.source).is_file()  # the shipped file is untouched
    assert core.bookmark(mark.id).detached
    core.sync_index()
    assert all(h.article_id != first.id for h in core.search(first.title).hits)
    core.restore_article(first.id)
    assert ids(core)[0] == first.id
    assert not core.bookmark(mark.id).detached


def test_a_saved_page_goes_with_its_images_and_comes_back_whole(
    core: ReaderCore, data_dir: Path
) -> None:
    (outcome,) = core.import_paths([DATA / "pages" / "harbour-news.html"])
    assert outcome.article_id is not None
    before = sorted(p.relative_to(data_dir) for p in (data_dir / "library").rglob("*"))
    core.remove_article(outcome.article_id)
    assert not any(p.is_file() for p in (data_dir / "library").rglob("*"))
    core.restore_article(outcome.article_id)
    assert sorted(p.relative_to(data_dir) for p in (data_dir / "library").rglob("*")) == before
    page = core.open_article(outcome.article_id)
    assert any(page.own_image(src) for src in _image_sources(page.html))


def _image_sources(html: str) -> list[str]:
    import re

    return re.findall(r'<img[^>]* src="([^"]+)"', html)


def test_a_file_that_could_not_be_converted_can_be_removed(
    core: ReaderCore, data_dir: Path
) -> None:
    bad = data_dir / "library" / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02" * 400)
    core.refresh()
    (failed,) = [a for a in core.articles() if a.problem]
    core.remove_article(failed.id)
    assert failed.id not in ids(core) and not bad.exists()
    core.restore_article(failed.id)
    assert bad.exists() and failed.id in ids(core)


def test_a_removed_articles_id_is_given_to_no_other_so_it_can_come_back(
    noted: tuple[ReaderCore, str], tmp_path: Path
) -> None:
    core, article_id = noted
    core.tag(article_id, ["sea"])
    mark = core.add_bookmark_quote(article_id, "low tide")
    core.remove_article(article_id)
    other = tmp_path / "other" / "harbour.md"
    other.parent.mkdir()
    other.write_text(NOTE.replace("gulls", "terns"), encoding="utf-8")
    (outcome,) = core.import_paths([other])
    assert outcome.article_id not in (None, article_id)  # the same title, another id
    assert {a.id: a.tags for a in core.articles()}[outcome.article_id] == ()
    assert core.bookmark(mark.id).detached  # not found in the newcomer

    core.restore_article(article_id)
    shown = {a.id: a.tags for a in core.articles()}
    assert shown[article_id] == ("sea",) and outcome.article_id in shown
    assert not core.bookmark(mark.id).detached
    # Put back beside the newcomer's file of the same name.
    assert (core.data_dir / "library" / "harbour-2.md").read_text(encoding="utf-8") == NOTE


def test_a_removal_that_cannot_be_kept_is_not_done(
    noted: tuple[ReaderCore, str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core, article_id = noted

    def refused(*_args: object) -> None:
        raise BookmarkError("could not keep the removal: database or disk is full")

    monkeypatch.setattr(BookmarkStore, "set_removed", refused)
    with pytest.raises(BookmarkError, match="disk is full"):
        core.remove_article(article_id)
    assert (data_dir / "library" / "harbour.md").read_text(encoding="utf-8") == NOTE
    assert article_id in ids(core)
    assert not any((data_dir / "trash").iterdir())


def test_files_in_the_trash_without_their_record_can_still_be_put_back(
    noted: tuple[ReaderCore, str], data_dir: Path
) -> None:
    core, article_id = noted
    core.remove_article(article_id)
    core.close()
    # As if the process had been killed between moving the files and keeping that it did.
    store = BookmarkStore(data_dir / "bookmarks.sqlite3")
    store.set_removed(article_id, 0.0)
    store.close()
    again = ReaderCore(data_dir, SEEDS)
    assert [r.article_id for r in again.removed()] == [article_id]
    assert again.restore_article(article_id) == article_id
    assert article_id in ids(again)
    again.close()


def test_only_what_goes_with_an_article_leaves_its_folder(core: ReaderCore, data_dir: Path) -> None:
    research = data_dir / "library" / "research"
    (research / ".git").mkdir(parents=True)
    (research / ".git" / "HEAD").write_text("ref: main\n", encoding="utf-8")
    (research / "figure.pdf").write_bytes(b"%PDF-1.4")
    (research / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (research / "paper.md").write_text(
        "# Paper\n\nThe findings.\n\n![The marsh](photo.png)\n", encoding="utf-8"
    )
    core.refresh()
    core.remove_article("paper")
    left = sorted(p.relative_to(research).as_posix() for p in research.rglob("*"))
    assert left == [".git", ".git/HEAD", "figure.pdf"]  # the page and its image went
    core.restore_article("paper")
    assert (research / "photo.png").is_file() and (research / "paper.md").is_file()


def test_old_removals_are_emptied_from_the_trash(
    noted: tuple[ReaderCore, str], data_dir: Path
) -> None:
    core, article_id = noted
    removed = core.remove_article(article_id)
    assert trash.empty_old(data_dir) == []
    assert [r.article_id for r in trash.empty_old(data_dir, days=0)] == [article_id]
    assert not (data_dir / removed.trash).exists()
    with pytest.raises(ArticleNotFound, match="no longer in the trash"):
        core.restore_article(article_id)
    assert core.removed() == []


def test_the_users_title_survives_edits_and_a_converter_upgrade(
    noted: tuple[ReaderCore, str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core, article_id = noted
    info = core.retitle(article_id, "  Low   tide at the harbour ")
    assert info.title == "Low tide at the harbour" and info.own_title

    monkeypatch.setattr("reader.library.library.CONVERTER_VERSION", "a newer converter")
    core.refresh()  # converted again: the row is made anew
    file = data_dir / "library" / "harbour.md"
    file.write_text(NOTE.replace("# Harbour notes", "# Harbour notes, revised"), encoding="utf-8")
    os.utime(file, ns=(1, 1))
    core.refresh()
    assert core.article(article_id).markdown.startswith("# Harbour notes, revised")
    titles = {a.id: a.title for a in core.articles()}
    assert titles[article_id] == "Low tide at the harbour"
    assert core.open_article(article_id).title == "Low tide at the harbour"

    core.sync_index()
    (hit,) = core.search("title:harbour").hits
    assert hit.title == "Low tide at the harbour"
    assert [h.article_id for h in core.search("low tide harbour").hits][:1] == [article_id]

    info = core.retitle(article_id, "")  # the file's title again
    assert info.title == "Harbour notes, revised" and not info.own_title


def test_tags_are_added_removed_renamed_and_searched(noted: tuple[ReaderCore, str]) -> None:
    core, article_id = noted
    bundled = core.articles()[0].id
    core.tag(article_id, ["Sea", "to  read"])
    core.tag(bundled, ["to read"])
    mark = core.add_bookmark_quote(article_id, "low tide", tags=("sea",))
    assert core.tags() == {"sea": 1, "to read": 2}
    core.tag(article_id, remove=["TO READ"])
    assert core.tags() == {"sea": 1, "to read": 1}

    core.sync_index()
    found = {(h.kind, h.article_id) for h in core.search("tag:sea").hits}
    assert found == {("article", article_id), ("bookmark", article_id)}

    assert core.rename_tag("sea", "coast") == (1, 1)
    assert core.tags() == {"coast": 1, "to read": 1}
    assert core.bookmark(mark.id).tags == ("coast",)
    core.sync_index()
    assert not core.search("tag:sea").hits
    assert {h.kind for h in core.search("tag:coast").hits} == {"article", "bookmark"}

    core.tag(bundled, ["coast"])
    assert core.rename_tag("to read", "coast") == (1, 0)  # merged, not twice
    assert core.articles()[0].tags == ("coast",)


def test_titles_and_tags_come_back_from_the_backup(
    noted: tuple[ReaderCore, str], data_dir: Path
) -> None:
    core, article_id = noted
    core.retitle(article_id, "Gulls")
    core.tag(article_id, ["sea"])
    core.close()
    (data_dir / "bookmarks.sqlite3").unlink()
    again = ReaderCore(data_dir, SEEDS)
    assert any("titles and tags of 1 article" in n for n in again.take_notices())
    info = {a.id: a for a in again.articles()}[article_id]
    assert (info.title, info.tags) == ("Gulls", ("sea",))
    again.close()


def test_the_backup_holds_tags_as_tagging_annotations(
    noted: tuple[ReaderCore, str], data_dir: Path
) -> None:
    core, article_id = noted
    core.tag(article_id, ["sea"])
    core.close()
    (backup,) = (data_dir / "backups").glob("bookmarks-*.jsonld")
    items = json.loads(backup.read_text(encoding="utf-8"))["first"]["items"]
    (tagging,) = [i for i in items if i["motivation"] == "tagging"]
    assert tagging["target"] == f"urn:x-reader:article:{article_id}"
    assert tagging["body"] == [{"type": "TextualBody", "value": "sea", "purpose": "tagging"}]
    # Importing the backup as bookmarks passes over what is not a bookmark, quietly.
    again = ReaderCore(data_dir, SEEDS)
    assert again.import_bookmarks(backup.read_text(encoding="utf-8")).problems == []
    again.close()


def test_the_command_line_keeps_the_library(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "harbour.md"
    source.write_text(NOTE, encoding="utf-8")
    assert run(capsys, data_dir, "import", str(source))[0] == 0
    code, out, _ = run(capsys, data_dir, "tag", "harbour-notes", "+Sea", "to read", "-nothing")
    assert (code, out) == (0, "harbour-notes: sea, to read\n")
    assert run(capsys, data_dir, "tag", "harbour-notes", "-to read")[1] == "harbour-notes: sea\n"
    code, out, _ = run(capsys, data_dir, "retitle", "harbour-notes", "Gulls at low tide")
    assert (code, out) == (0, "harbour-notes: Gulls at low tide\n")

    listed = json.loads(run(capsys, data_dir, "list", "--json", "--tag", "SEA")[1])
    assert [(e["id"], e["title"], e["tags"]) for e in listed] == [
        ("harbour-notes", "Gulls at low tide", ["sea"])
    ]
    assert "sea" in run(capsys, data_dir, "list")[1]
    assert run(capsys, data_dir, "tags")[1] == "     1  sea\n"
    hits = json.loads(run(capsys, data_dir, "search", "tag:sea", "--json")[1])
    assert [h["id"] for h in hits] == ["harbour-notes"]

    code, out, _ = run(capsys, data_dir, "tags", "--rename", "sea", "coast")
    assert code == 0 and "1 article(s)" in out
    assert json.loads(run(capsys, data_dir, "search", "tag:coast", "--json")[1])

    code, out, err = run(capsys, data_dir, "remove", "harbour-notes", "no-such-article")
    assert code == 1 and "reader restore harbour-notes" in out and "no-such-article" in err
    assert "harbour-notes" not in run(capsys, data_dir, "list")[1]
    hits = json.loads(run(capsys, data_dir, "search", "gulls", "--json")[1])
    assert "harbour-notes" not in [h["id"] for h in hits]
    assert run(capsys, data_dir, "restore")[1].startswith("harbour-notes  Gulls at low tide")
    code, out, _ = run(capsys, data_dir, "restore", "harbour-notes")
    assert (code, out) == (0, "put back harbour-notes: Gulls at low tide\n")
    hits = json.loads(run(capsys, data_dir, "search", "gulls", "--json")[1])
    assert [h["id"] for h in hits] == ["harbour-notes"]


def test_reading_the_tags_writes_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    run(capsys, data_dir, "list")
    store = data_dir / "bookmarks.sqlite3"
    stamp = store.stat().st_mtime_ns
    data_dir.chmod(0o555)
    try:
        for args in (("tags",), ("restore",), ("tag", "backend-developer")):
            code, _out, err = run(capsys, data_dir, *args)
            assert (code, err) == (0, ""), args
    finally:
        data_dir.chmod(0o755)
    assert store.stat().st_mtime_ns == stamp


def test_a_watched_folder_is_read_in_place_and_followed(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "notes"
    (folder / "deeper").mkdir(parents=True)
    (folder / "herons.md").write_text("# Herons\n\nTwo herons stood by the reeds.\n", "utf-8")
    (folder / "deeper" / "otter.txt").write_text("Otter\n\nAn otter crossed at dusk.\n", "utf-8")
    core = ReaderCore(data_dir, None)
    report = core.watch_folder(folder)
    assert sorted(report.added) == ["herons", "otter"]
    assert not any((data_dir / "library").iterdir())  # nothing copied
    mark = core.add_bookmark_quote("herons", "by the reeds")

    (folder / "herons.md").write_text("# Herons\n\nTwo grey herons stood by the reeds.\n", "utf-8")
    (folder / "deeper" / "otter.txt").unlink()
    report = core.refresh()
    assert (report.changed, report.removed) == (["herons"], ["otter"])
    moved = core.bookmark(mark.id)
    assert core.article("herons").text[moved.start : moved.end] == "by the reeds"

    core.remove_article("herons")  # hidden: the user's own file stays where it is
    assert (folder / "herons.md").is_file() and ids(core) == []
    core.restore_article("herons")
    assert ids(core) == ["herons"]

    away = tmp_path / "away"
    folder.rename(away)  # an unplugged disk: the articles stay listed, bookmarks anchored
    assert core.refresh().removed == [] and ids(core) == ["herons"]
    assert not core.bookmark(mark.id).detached
    away.rename(folder)

    with pytest.raises(ReaderError, match="watched already"):
        core.watch_folder(folder)
    with pytest.raises(ReaderError, match="data folder"):
        core.watch_folder(data_dir.parent)
    assert core.unwatch_folder(folder).removed == ["herons"]
    assert ids(core) == [] and (folder / "herons.md").is_file()
    assert core.bookmark(mark.id).detached
    core.close()


def test_watch_from_the_command_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "herons.md").write_text("# Herons\n\nTwo herons stood by the reeds.\n", "utf-8")
    code, out, _ = run(capsys, data_dir, "watch", str(folder))
    assert (code, out) == (0, f"watching {folder}: 1 article(s) added\n")
    assert run(capsys, data_dir, "watch")[1] == f"{folder}\n"
    hits = json.loads(run(capsys, data_dir, "search", "herons", "--json")[1])
    assert [h["id"] for h in hits] == ["herons"]
    (folder / "kingfisher.md").write_text("# Kingfisher\n\nA flash of blue.\n", "utf-8")
    _code, _out, err = run(capsys, data_dir, "list")
    assert "1 new" in err  # told, and catalogued by the next writing command
    assert run(capsys, data_dir, "refresh")[1].startswith("library refreshed: 1 added")
    assert "Kingfisher" in run(capsys, data_dir, "list")[1]
    code, out, _ = run(capsys, data_dir, "watch", "--stop", str(folder))
    assert (code, out) == (0, f"stopped watching {folder}: 2 article(s) left the list\n")


def test_the_doctor_does_not_count_a_removed_articles_bookmarks_as_lost(
    noted: tuple[ReaderCore, str],
) -> None:
    core, article_id = noted
    core.add_bookmark_quote(article_id, "low tide")
    core.remove_article(article_id)
    assert not [f for f in core.check().findings if "detached" in f.text]
    core.close()


def test_a_library_folder_on_another_disk_is_removed_from_and_put_back(
    noted: tuple[ReaderCore, str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core, article_id = noted
    mark = core.add_bookmark_quote(article_id, "low tide")

    def across_disks(_source: object, _target: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "rename", across_disks)
    core.remove_article(article_id)
    assert not (data_dir / "library" / "harbour.md").exists()
    core.restore_article(article_id)
    assert (data_dir / "library" / "harbour.md").read_text(encoding="utf-8") == NOTE
    assert not core.bookmark(mark.id).detached
    core.close()


def test_giving_the_same_title_twice_keeps_it(noted: tuple[ReaderCore, str]) -> None:
    core, article_id = noted
    core.retitle(article_id, "Mine")
    info = core.retitle(article_id, "Mine")
    assert (info.title, info.own_title) == ("Mine", True)
    info = core.retitle(article_id, "Harbour notes")  # the file's own title
    assert (info.title, info.own_title) == ("Harbour notes", False)


def test_a_link_to_the_data_folder_is_not_watched(data_dir: Path, tmp_path: Path) -> None:
    core = ReaderCore(data_dir, None)
    link = tmp_path / "link"
    link.symlink_to(data_dir.parent, target_is_directory=True)
    with pytest.raises(ReaderError, match="holds the data folder"):
        core.watch_folder(link)
    core.close()


def test_a_folder_whose_name_is_not_utf8_is_watched(data_dir: Path, tmp_path: Path) -> None:
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))
    folder.mkdir()
    (folder / "note.md").write_text("# Café notes\n\nThe terrace at noon.\n", "utf-8")
    core = ReaderCore(data_dir, None)
    assert core.watch_folder(folder).added == ["cafe-notes"]
    assert core.watched_folders() == [folder]
    core.close()
    (data_dir / "bookmarks.sqlite3").unlink()
    again = ReaderCore(data_dir, None)  # the store made again from its backup
    assert again.watched_folders() == [folder]
    again.unwatch_folder(folder)
    assert again.articles() == []
    again.close()


def test_the_command_line_tags_and_puts_back_a_file_that_failed(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    run(capsys, data_dir, "list")
    (data_dir / "library" / "broken.txt").write_bytes(b"\x00\x01\x02" * 400)
    run(capsys, data_dir, "refresh")
    failed = next(
        e for e in json.loads(run(capsys, data_dir, "list", "--json")[1]) if "problem" in e
    )
    assert run(capsys, data_dir, "tag", failed["id"], "+fix")[0] == 0
    assert run(capsys, data_dir, "tag", failed["id"])[1] == f"{failed['id']}: fix\n"
    assert run(capsys, data_dir, "remove", failed["id"])[0] == 0
    code, out, err = run(capsys, data_dir, "restore", failed["id"])
    assert (code, err) == (0, "") and out.startswith(f"put back {failed['id']}")


def test_the_command_line_tells_a_tag_from_an_option(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    with pytest.raises(SystemExit) as shown:
        run(capsys, data_dir, "tag", "backend-developer", "--help")
    assert shown.value.code == 0 and "usage: reader tag ID" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        run(capsys, data_dir, "tag", "backend-developer", "--data-dir", "x")
    assert refused.value.code == 2 and "is not a tag" in capsys.readouterr().err


def test_a_move_to_another_disk_that_fails_leaves_the_article_whole(
    core: ReaderCore, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (outcome,) = core.import_paths([DATA / "pages" / "harbour-news.html"])
    assert outcome.article_id is not None
    library = data_dir / "library"
    before = {p.relative_to(library): p.read_bytes() for p in library.rglob("*") if p.is_file()}
    copy = trash._copy
    copies: list[Path] = []

    def across_disks(_source: object, _target: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    def copy_then_fail(source: Path, target: Path) -> None:
        copies.append(source)
        if len(copies) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        copy(source, target)

    monkeypatch.setattr(os, "rename", across_disks)
    monkeypatch.setattr(trash, "_copy", copy_then_fail)
    with pytest.raises(ReaderError, match="the disk is full"):
        core.remove_article(outcome.article_id)
    after = {p.relative_to(library): p.read_bytes() for p in library.rglob("*") if p.is_file()}
    assert after == before and outcome.article_id in ids(core)
    assert not any((data_dir / "trash").iterdir())


def test_a_title_given_up_for_a_tag_of_the_same_words_is_indexed_anew(
    noted: tuple[ReaderCore, str],
) -> None:
    core, article_id = noted
    core.retitle(article_id, "sea")
    core.sync_index()
    assert not core.search("tag:sea").hits
    core.retitle(article_id, "")
    core.tag(article_id, ["sea"])
    core.sync_index()
    assert [h.article_id for h in core.search("tag:sea").hits] == [article_id]
    core.close()
