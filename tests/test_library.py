from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from reader.errors import ArticleNotFound, DataDirError
from reader.library import importing
from reader.library.library import ImportOutcome, Library, Limits
from tests.conftest import SEEDS

ARTICLE = "# {title}\n\nA first paragraph about {title}, with enough words to count.\n"


def write(path: Path, title: str) -> Path:
    path.write_text(ARTICLE.format(title=title), encoding="utf-8")
    return path


def test_bundled_articles_are_catalogued_with_titles_and_counts(library: Library) -> None:
    infos = library.articles()
    assert len(infos) == 5
    assert all(a.origin == "bundled" and a.words > 300 for a in infos)
    assert len({a.id for a in infos}) == 5
    assert infos[0].title.startswith("Empowering National Progress")


def spy_on_conversions(library: Library, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Count the files converted (in this process, so the spy sees them)."""
    library.limits = Limits(isolated=False)
    calls: list[Path] = []
    real = importing.convert_bytes

    def spy(data: bytes, path: Path, metadata: dict[str, str] | None = None) -> object:
        calls.append(path)
        return real(data, path, metadata)

    monkeypatch.setattr("reader.library.conversion.convert_bytes", spy)
    return calls


def test_second_refresh_parses_nothing(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = spy_on_conversions(library, monkeypatch)
    report = library.refresh()
    assert report.unchanged == 5 and not report.touched
    assert calls == []


def test_edit_remove_and_rename_are_noticed(empty_library: Library) -> None:
    lib = empty_library
    a = write(lib.user_dir / "alpha.md", "Alpha Article")
    b = write(lib.user_dir / "beta.md", "Beta Article")
    report = lib.refresh()
    assert sorted(report.added) == ["alpha-article", "beta-article"]

    a.write_text(ARTICLE.format(title="Alpha Article") + "\nMore text.\n", encoding="utf-8")
    os.utime(a, ns=(1, 1))
    report = lib.refresh()
    assert report.changed == ["alpha-article"]
    assert "More text." in lib.get("alpha-article").text

    moved = lib.user_dir / "sub" / "renamed.md"
    moved.parent.mkdir()
    b.rename(moved)
    report = lib.refresh()
    assert report.renamed == ["beta-article"] and not report.removed
    assert lib.get("beta-article").info.source == str(moved)

    a.unlink()
    report = lib.refresh()
    assert report.removed == ["alpha-article"]
    with pytest.raises(ArticleNotFound):
        lib.get("alpha-article")


def test_converter_change_reparses(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reader.library.library.CONVERTER_VERSION", "next")
    calls = spy_on_conversions(library, monkeypatch)
    report = library.refresh()
    assert len(calls) == 5
    assert report.unchanged == 5  # same content: re-parsed, same result, same ids
    assert library.catalog.get_meta("converter") == "next"


def test_import_copies_catalogs_and_reports(empty_library: Library, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    good = write(src / "good.md", "Good One")
    (src / "notes.txt").write_text("Field Notes\n\n" + "Words in a sentence here. " * 5)
    (src / "empty.txt").write_text("")
    (src / "image.png").write_bytes(b"\x89PNG")
    outcomes = empty_library.import_paths([src, good, tmp_path / "missing.md", src / "image.png"])
    status = [(o.path.name, o.status) for o in outcomes]
    assert ("good.md", "imported") in status
    assert ("notes.txt", "imported") in status
    assert ("empty.txt", "failed") in status
    assert ("missing.md", "failed") in status
    assert ("image.png", "failed") in status
    assert ("good.md", "skipped") in status  # the same file twice is not a duplicate
    titles = {a.title for a in empty_library.articles()}
    assert titles == {"Good One", "Field Notes"}
    assert (empty_library.user_dir / "good.md").read_text() == good.read_text()
    assert not (empty_library.user_dir / "empty.txt").exists()  # a failed copy is not kept
    names = [o.path.name for o in outcomes]  # in the order given, folders expanded in place
    assert names == [
        "empty.txt",
        "good.md",
        "image.png",
        "notes.txt",
        "good.md",
        "missing.md",
        "image.png",
    ]
    # Met in a folder, a file of another type is passed over; named, it failed.
    assert [o.status for o in outcomes if o.path.name == "image.png"] == ["skipped", "failed"]


def test_corrupt_catalog_is_set_aside_and_rebuilt(data_dir: Path) -> None:
    (data_dir / "catalog.sqlite3").write_bytes(b"this is not a database" * 100)
    lib = Library(data_dir, SEEDS)
    lib.refresh()
    assert len(lib.articles()) == 5
    assert list(data_dir.glob("catalog.sqlite3.damaged-*"))
    lib.close()
    sqlite3.connect(data_dir / "catalog.sqlite3").execute("SELECT 1 FROM articles").close()


def test_unusable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataDirError, match="not a folder"):
        Library(blocker, SEEDS)
    with pytest.raises(DataDirError, match="cannot create"):
        Library(blocker / "below", SEEDS)


def test_a_refresh_converting_files_does_not_lock_out_another_import(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are converted before the catalog is locked, and what another process
    wrote meanwhile is kept."""
    first, second = Library(data_dir, SEEDS), Library(data_dir, None)
    incoming = write(tmp_path / "incoming.md", "Written Meanwhile")
    real_prepare = Library._prepare
    outcomes: list[ImportOutcome] = []

    def prepare_and_let_another_import(self: Library, *args: object) -> object:
        if self is first and not outcomes:
            outcomes.extend(second.import_paths([incoming]))  # would wait for the lock
        return real_prepare(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Library, "_prepare", prepare_and_let_another_import)
    report = first.refresh()
    assert [o.status for o in outcomes] == ["imported"]
    assert len(report.added) == 5 and not report.removed
    titles = sorted(a.title for a in first.articles())
    assert titles.count("Written Meanwhile") == 1 and len(titles) == 6
    first.close()
    second.close()


def test_the_same_file_twice_in_one_import_is_imported_once(
    empty_library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    first = write(folder / "a.md", "Twice Told")
    (folder / "b.md").write_bytes(first.read_bytes())
    (folder / "c.txt").write_bytes(b"\x00\x01" * 400)
    (folder / "d.txt").write_bytes(b"\x00\x01" * 400)
    outcomes = empty_library.import_paths([folder])
    told = [(o.path.name, o.status, o.message) for o in outcomes]
    assert told[0] == ("a.md", "imported", "Twice Told")
    assert told[1] == ("b.md", "skipped", "the same as a.md, imported as twice-told")
    assert told[2][:2] == ("c.txt", "failed") and "binary file" in told[2][2]
    assert told[3] == ("d.txt", "failed", f"the same as c.txt: {told[2][2]}")
    assert [a.id for a in empty_library.articles()] == ["twice-told"]


def test_a_cancelled_import_keeps_what_it_finished_and_nothing_half_made(
    empty_library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(40):
        write(folder / f"note-{i:02}.md", f"Note Number {i}")
    cancel = threading.Event()
    told: list[Path] = []

    def on_file(path: Path) -> None:
        told.append(path)
        if len(told) == 3:
            cancel.set()

    outcomes = empty_library.import_paths([folder], cancel=cancel, on_file=on_file)
    imported = [o for o in outcomes if o.status == "imported"]
    left = [o for o in outcomes if o.status != "imported"]
    assert len(outcomes) == 40 and 3 <= len(imported) < 40
    assert all(o.message == "the import was cancelled" for o in left)
    listed = {a.id for a in empty_library.articles()}
    assert listed == {o.article_id for o in imported}
    # Only what was imported is in the library folder: nothing half-written.
    names = sorted(p.name for p in empty_library.user_dir.iterdir())
    assert names == sorted(o.path.name for o in imported)
