"""Readers read and writers take turns: any number of reader processes at once
never lose what one of them reported done, and reading changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.cli import main
from reader.core import ReaderCore
from reader.library import Library
from reader.search import SearchIndex, index_path, sync_index
from tests.conftest import SEEDS
from tests.test_faults import ReadOnly

ARTICLE_ID = "backend-developer"


def reader(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "reader", "--data-dir", str(data_dir), *args]


def notes(folder: Path, label: str, count: int) -> Path:
    """``count`` notes named n1.md … (the same names in every folder), each with its own word."""
    folder.mkdir()
    for i in range(1, count + 1):
        (folder / f"n{i}.md").write_text(
            f"# {label} note {i}\n\nThe word here is {label}{i}word.\n", encoding="utf-8"
        )
    return folder


def test_two_imports_and_a_bookmark_writer_at_once_lose_nothing(
    data_dir: Path, tmp_path: Path
) -> None:
    assert main(["--data-dir", str(data_dir), "list"]) == 0  # the library is set up
    first, second = notes(tmp_path / "a", "alpha", 25), notes(tmp_path / "b", "beta", 25)
    imports = [
        subprocess.Popen(reader(data_dir, "import", str(folder)), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for folder in (first, second)
    ]  # fmt: skip
    marked: list[str] = []
    for i in range(6):
        done = subprocess.run(
            reader(data_dir, "bookmarks", "add", ARTICLE_ID, "--quote", "API", "--note", f"n{i}"),
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        marked += re.findall(r"^bookmarked (\S+)", done.stdout, re.MULTILINE)
    reported: dict[str, str] = {}
    for process in imports:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0 and "Traceback" not in err, err
        for path, article_id in re.findall(r"^imported (\S+) as (\S+):", out, re.MULTILINE):
            reported[path] = article_id
    assert len(reported) == 50 and len(set(reported.values())) == 50
    assert len(marked) == 6

    core = ReaderCore(data_dir, SEEDS)
    assert len(core.articles()) == 55
    for path, article_id in reported.items():  # what was reported imported is what is stored
        word = re.search(r"\w+word", Path(path).read_text()).group()  # type: ignore[union-attr]
        assert word in core.open_article(article_id).text
    assert {b.id for b in core.bookmarks()} == set(marked)
    assert [h.id for h in core.search("beta17word").hits] == [reported[str(second / "n17.md")]]
    core.close()


def test_a_search_during_a_rebuild_answers_from_the_index_as_it_was(
    data_dir: Path, tmp_path: Path
) -> None:
    library = Library(data_dir, SEEDS)
    library.import_paths([notes(tmp_path / "notes", "gamma", 120)])
    writer = SearchIndex(index_path(data_dir))
    sync_index(writer, library)
    before = [h.id for h in writer.search("scalability").hits]
    assert before
    seen: list[list[str]] = []

    def search_meanwhile(done: int, total: int) -> None:
        if 0 < done < total:  # documents written, not yet committed
            other = SearchIndex(index_path(data_dir), repair=False)  # a search just started
            seen.append([h.id for h in other.search("scalability").hits])
            other.close()

    report = sync_index(writer, library, progress=search_meanwhile, rebuild=True)
    assert report.rebuilt and seen and all(ids == before for ids in seen)
    assert [h.id for h in writer.search("scalability").hits] == before
    writer.close()
    library.close()


def test_two_rebuilds_at_once_both_finish(data_dir: Path) -> None:
    assert main(["--data-dir", str(data_dir), "index"]) == 0
    runs = [
        subprocess.Popen(reader(data_dir, "index", "--rebuild"), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0 and "Traceback" not in err, err
        assert out.startswith("index rebuilt: 5 added")
    done = subprocess.run(reader(data_dir, "search", "scalability", "--json"),
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert json.loads(done.stdout)


def fingerprint(data_dir: Path) -> dict[str, str]:
    """Every file of the data folder with a hash of its bytes."""
    return {
        str(p.relative_to(data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and not p.name.endswith("-shm")  # SQLite's shared memory for readers
    }


def test_reading_commands_write_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data_dir)]
    assert main([*d, "bookmarks", "add", ARTICLE_ID, "--quote", "API"]) == 0
    capsys.readouterr()
    before = fingerprint(data_dir)
    time.sleep(0.01)
    for args in (["list"], ["show", ARTICLE_ID], ["search", "api"], ["bookmarks", "list"],
                 ["related", ARTICLE_ID], ["doctor"]):  # fmt: skip
        assert main([*d, *args]) == 0, args
    assert fingerprint(data_dir) == before

    # A file put in the library folder by hand is told of, and catalogued by a writer.
    (data_dir / "library" / "harbour.md").write_text("# Harbour\n\nGulls at low tide.\n")
    capsys.readouterr()
    assert main([*d, "list"]) == 0
    out, err = capsys.readouterr()
    assert "Harbour" not in out and "files not catalogued yet (1 new)" in err
    assert main([*d, "refresh"]) == 0
    assert capsys.readouterr().out.startswith("library refreshed: 1 added")
    assert main([*d, "search", "gulls", "--json"]) == 0
    assert [h["title"] for h in json.loads(capsys.readouterr().out)] == ["Harbour"]


def test_doctor_finds_and_mends(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data_dir)]
    assert main([*d, "index"]) == 0
    capsys.readouterr()
    assert main([*d, "doctor"]) == 0
    assert capsys.readouterr().out == "everything is in order\n"

    library = data_dir / "library"
    (library / "broken.txt").write_bytes(b"\x00\x01" * 500)
    assert main([*d, "refresh"]) == 1  # the failed file is told
    (library / "late.md").write_text("# Late\n\nWritten by hand.\n")
    debris = library / ".late.md.a1b2c3d4.tmp"
    debris.write_bytes(b"half")
    os.utime(debris, (time.time() - 7200, time.time() - 7200))
    capsys.readouterr()
    assert main([*d, "doctor"]) == 1
    out = capsys.readouterr().out
    assert "library: files not catalogued yet: 1 new" in out
    assert re.search(r"library: could not convert .*broken\.txt: .*binary file", out)
    assert "library: 1 file(s) left by interrupted writes" in out
    assert "--repair" in out

    assert main([*d, "doctor", "--repair"]) == 1  # the broken file is still there
    out = capsys.readouterr().out
    assert "repaired: tried 1 failed file(s) again: 0 converted" in out
    assert "repaired: catalogued 1 file(s) changed in the library folder" in out
    assert not debris.exists()
    assert out.splitlines()[-1].startswith("library: could not convert")
    (library / "broken.txt").unlink()
    assert main([*d, "refresh"]) == 0
    capsys.readouterr()
    assert main([*d, "doctor"]) == 0


def test_a_read_only_data_folder_is_listed_shown_and_searched(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = ["--data-dir", str(data_dir)]
    assert main([*d, "bookmarks", "add", ARTICLE_ID, "--quote", "API"]) == 0
    ro = ReadOnly(data_dir, tmp_path)
    try:
        capsys.readouterr()
        r = ["--data-dir", str(ro.data)]
        assert main([*r, "list", "--json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 5
        assert main([*r, "show", ARTICLE_ID]) == 0
        assert "API" in capsys.readouterr().out
        assert main([*r, "search", "scalability", "--json"]) == 0
        out, err = capsys.readouterr()
        assert json.loads(out) and "Traceback" not in err
        assert main([*r, "bookmarks", "list", "--json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 1
    finally:
        ro.close()
