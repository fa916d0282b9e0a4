"""The command line starts quickly: it loads only what a command uses, lists the library
from the catalog's listing, and tells what changed in the library folder from the
files' names and stamps."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.cli import main
from reader.core import ReaderCore
from reader.library import Library, Pending
from reader.library.catalog import Catalog
from reader.rendering import renderer_stamp
from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("whoosh", "markdown", "pygments", "trafilatura", "nh3", "PySide6")


def loaded_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after running ``code``."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    last = done.stdout.strip().splitlines()[-1]
    return {name.partition(".")[0] for name in json.loads(last)}


def test_importing_the_cli_loads_no_library_it_does_not_need() -> None:
    loaded = loaded_after("import reader.cli")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_listing_and_showing_load_no_search(data_dir: Path) -> None:
    assert main(["--data-dir", str(data_dir), "refresh"]) == 0  # catalogued, indexed
    for command in ("list", "list --json", "show backend-developer", "bookmarks list"):
        args = ["--data-dir", str(data_dir), *command.split()]
        loaded = loaded_after(
            "import contextlib, io\nfrom reader.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main({args!r}) == 0"
        )
        assert "whoosh" not in loaded, command
        assert loaded.isdisjoint({"trafilatura", "lxml", "PySide6"}), command


def test_searching_still_loads_the_search(data_dir: Path) -> None:
    assert main(["--data-dir", str(data_dir), "refresh"]) == 0
    args = ["--data-dir", str(data_dir), "search", "backend"]
    loaded = loaded_after(
        "import contextlib, io\nfrom reader.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main({args!r}) == 0"
    )
    assert "whoosh" in loaded and "PySide6" not in loaded


# --- the list, from the catalog's listing -------------------------------------


def test_the_listing_is_the_articles_as_listed(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = data_dir / "library"
    (library / "notes" / "deep").mkdir(parents=True)
    (library / "notes" / "deep" / "tide.md").write_text("# Tide Tables\n\nLow at noon.\n")
    (library / "notes" / "gulls.txt").write_text("Gulls circle the harbour at dawn.\n")
    (library / "notes-b.md").write_text("# Notes B\n\nA file beside the folder.\n")
    (library / os.fsdecode(b"caf\xe9.md")).write_text("# Caf\n\nA name that is not UTF-8.\n")
    (library / "broken.txt").write_bytes(b"\x00\x01" * 500)
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "far.md").write_text("# Far Away\n\nRead where it is.\n")
    core = ReaderCore(data_dir, SEEDS)
    try:
        core.refresh()
        core.watch_folder(watched)
        gulls = next(a.id for a in core.articles() if a.source.endswith("gulls.txt"))
        core.retitle(gulls, "Gulls at Dawn")
        core.tag("tide-tables", add=["sea", "to read"])
        core.remove_article("backend-developer")  # bundled: hidden
        core.remove_article("notes-b")  # moved to the trash
        listed = core.listing()
        articles = core.articles()
    finally:
        core.close()
    fields = ("id", "title", "words", "source", "origin", "added_at", "author", "site",
              "problem", "tags", "minutes")  # fmt: skip
    assert [[getattr(a, f) for f in fields] for a in listed] == [
        [getattr(a, f) for f in fields] for a in articles
    ]
    ids = [a.id for a in listed]
    assert "backend-developer" not in ids and "notes-b" not in ids
    assert {"tide-tables", gulls, "far-away", "broken-txt"} <= set(ids)
    assert next(a.title for a in listed if a.id == gulls) == "Gulls at Dawn"
    assert any(a.problem for a in listed) and any(a.tags for a in listed)
    assert any("\udce9" in a.source for a in listed)  # the name that is not UTF-8

    # The command prints them as it always did, run on its own as in a call.
    assert main(["--data-dir", str(data_dir), "list"]) == 0
    printed = capsys.readouterr().out
    alone = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), "list"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        check=True,
    )
    assert alone.stdout == printed.encode("utf-8", "surrogateescape")
    out = printed.splitlines()
    assert [line.split()[0] for line in out] == ids
    tide = next(line for line in out if line.startswith("tide-tables"))
    assert tide.endswith("Tide Tables  [sea, to read]")
    assert any("[could not be converted: " in line for line in out)


def test_the_listing_reads_a_catalog_without_its_listing_index(data_dir: Path) -> None:
    lib = Library(data_dir, SEEDS)
    lib.refresh()
    with_index = (lib.listing(), lib.catalog.stamps(renderer_stamp()))
    # As version 7 left it (a catalog from before, opened read-only, has none).
    lib.catalog._db.executescript("DROP INDEX articles_listed; PRAGMA user_version = 7;")
    assert (lib.listing(), lib.catalog.stamps(renderer_stamp())) == with_index
    lib.close()
    # Opened again, the catalog is brought up to date.
    catalog = Catalog(data_dir / "catalog.sqlite3")
    found = catalog._db.execute(
        "SELECT 1 FROM sqlite_master WHERE type='index' AND name='articles_listed'"
    ).fetchone()
    catalog.close()
    assert found is not None


def test_the_files_are_found_in_the_order_of_their_paths(empty_library: Library) -> None:
    root = empty_library.user_dir
    for rel in ("b.md", "a.md", "a-b.md", "a/z.md", "a/b/c.md", "a b/x.md", "A.md", "a/a.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"# {rel}\n\nText.\n")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "h.md").write_text("# Hidden folder\n\nListed in the library.\n")
    (root / ".dot.md").write_text("# A hidden file\n\nNot an article.\n")
    (root / "a" / "notes.pdf").write_bytes(b"%PDF-1.4")
    found = [s.key.removeprefix("user:") for s in empty_library.sources()]
    assert found == sorted(found, key=lambda rel: rel.split("/"))
    assert set(found) == {"b.md", "a.md", "a-b.md", "a/z.md", "a/b/c.md", "a b/x.md", "A.md",
                          "a/a.md", ".hidden/h.md"}  # fmt: skip


# --- what changed in the library folder ----------------------------------------


@pytest.fixture
def catalogued(data_dir: Path) -> Library:
    library = data_dir / "library"
    (library / "sub").mkdir(parents=True)
    (library / "one.md").write_text("# One\n\nThe first.\n")
    (library / "sub" / "two.md").write_text("# Two\n\nThe second.\n")
    lib = Library(data_dir, SEEDS)
    lib.refresh()
    assert not lib.pending()
    return lib


def test_a_file_added_is_told(catalogued: Library) -> None:
    (catalogued.user_dir / "sub" / "three.md").write_text("# Three\n\nNew.\n")
    (catalogued.user_dir / "four.txt").write_text("Four, new too.\n")
    assert catalogued.pending() == Pending(new=2)
    catalogued.refresh()
    assert not catalogued.pending()
    catalogued.close()


def test_a_file_changed_in_place_is_told(catalogued: Library) -> None:
    path = catalogued.user_dir / "sub" / "two.md"
    st = path.stat()
    with path.open("r+") as f:  # written over where it is: its folder does not change
        f.write("# Tw0")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert path.stat().st_size == st.st_size
    assert catalogued.pending() == Pending(changed=1)
    catalogued.refresh()
    assert not catalogued.pending()
    catalogued.close()


def test_a_file_that_grew_is_told_though_its_time_is_kept(catalogued: Library) -> None:
    path = catalogued.user_dir / "one.md"
    st = path.stat()
    path.write_text("# One\n\nThe first, and more.\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # a copy that kept the time
    assert catalogued.pending() == Pending(changed=1)
    catalogued.close()


def test_a_file_removed_or_moved_is_told(catalogued: Library) -> None:
    (catalogued.user_dir / "one.md").unlink()
    assert catalogued.pending() == Pending(gone=1)
    (catalogued.user_dir / "sub" / "two.md").rename(catalogued.user_dir / "two.md")
    assert catalogued.pending() == Pending(new=1, gone=2)
    catalogued.refresh()
    assert not catalogued.pending()
    catalogued.close()


def test_a_folder_removed_is_told(catalogued: Library) -> None:
    (catalogued.user_dir / "sub" / "two.md").unlink()
    (catalogued.user_dir / "sub").rmdir()
    assert catalogued.pending() == Pending(gone=1)
    catalogued.close()


def test_what_is_not_an_article_is_not_told(catalogued: Library) -> None:
    user = catalogued.user_dir
    (user / ".one.md.a1b2c3d4.tmp").write_text("half")
    (user / "notes.pdf").write_bytes(b"%PDF-1.4")
    (user / "one.meta.json").write_text('{"title": "Given"}')  # beside an article: read with it
    (user / "page_files").mkdir()
    (user / "page_files" / "x.png").write_bytes(b"\x89PNG")
    assert not catalogued.pending()
    catalogued.close()


def test_a_watched_folder_is_looked_at_too(data_dir: Path, tmp_path: Path) -> None:
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "far.md").write_text("# Far\n\nAway.\n")
    core = ReaderCore(data_dir, SEEDS)
    core.refresh()
    core.watch_folder(watched)
    assert not core.pending()
    (watched / "near.md").write_text("# Near\n\nBy.\n")
    (watched / "far.md").write_text("# Far\n\nFurther away now.\n")
    assert core.pending() == Pending(new=1, changed=1)
    core.close()


def test_an_older_renderer_is_told(catalogued: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reader.library.library.renderer_stamp", lambda: "a newer renderer")
    assert catalogued.pending() == Pending(outdated=7)  # the 5 bundled and the 2 files
    catalogued.close()


def test_a_failed_file_is_told_again_only_once_changed(catalogued: Library) -> None:
    broken = catalogued.user_dir / "broken.txt"
    broken.write_bytes(b"\x00\x01" * 500)
    assert catalogued.pending() == Pending(new=1)
    catalogued.refresh()  # it fails, and is quarantined
    assert not catalogued.pending()
    time.sleep(0.01)
    broken.write_bytes(b"\x00\x01" * 501)
    assert catalogued.pending() == Pending(new=1)
    catalogued.close()


def test_the_reading_commands_tell_and_search_finds_once_catalogued(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = ["--data-dir", str(data_dir)]
    assert main([*d, "refresh"]) == 0
    capsys.readouterr()
    library = data_dir / "library"
    (library / "harbour.md").write_text("# Harbour\n\nGulls at low tide.\n")
    for command in (["list"], ["search", "gulls"]):
        assert main([*d, *command]) == 0
        out, err = capsys.readouterr()
        assert "Harbour" not in out, command
        assert "files not catalogued yet (1 new); 'reader refresh' catalogs them" in err
    assert main([*d, "refresh"]) == 0
    capsys.readouterr()
    assert main([*d, "search", "gulls", "--json"]) == 0
    out, err = capsys.readouterr()
    assert [h["title"] for h in json.loads(out)] == ["Harbour"] and err == ""

    (library / "harbour.md").write_text("# Harbour\n\nGulls and terns at low tide.\n")
    (library / "cove.md").write_text("# Cove\n\nTerns nest here.\n")
    assert main([*d, "list"]) == 0
    assert "files not catalogued yet (1 new, 1 changed)" in capsys.readouterr().err
    bay = tmp_path / "bay.md"
    bay.write_text("# Bay\n\nTerns fish in the bay.\n")
    assert main([*d, "import", str(bay)]) == 0  # a writer catalogs the folder too
    capsys.readouterr()
    assert main([*d, "search", "terns", "--json"]) == 0
    out, err = capsys.readouterr()
    assert {h["title"] for h in json.loads(out)} == {"Harbour", "Cove", "Bay"} and err == ""


def test_the_files_are_compared_with_the_stamps_the_catalog_kept(catalogued: Library) -> None:
    stamps = catalogued.catalog.stamps(renderer_stamp())
    assert set(stamps) == {k for k, _path, _origin in catalogued._source_paths()}
    with sqlite3.connect(catalogued.catalog.path) as db:
        db.execute("UPDATE articles SET mtime_ns = mtime_ns + 1 WHERE source_key = 'user:one.md'")
    assert catalogued.pending() == Pending(changed=1)
    catalogued.close()
