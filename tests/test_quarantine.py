"""One bad file never breaks the library: it is quarantined, with its reason, and
everything else goes on working."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from reader.cli import main
from reader.core import ReaderCore
from reader.errors import ArticleUnreadable, ImportFailed
from reader.library import Library, Limits
from reader.library.conversion import read_source
from reader.library.workers import Failed, Workers
from reader.ui.library_panel import ID_ROLE
from tests.conftest import SEEDS, OpenWindow
from tests.jobs import crash, recurse, sleep

NOTE = "# Harbour Notes\n\nThe gulls circled the harbour at low tide.\n"


def binary(path: Path) -> Path:
    path.write_bytes(b"\x00\x01\x02garbage\x00" * 200)
    return path


def test_a_file_that_fails_is_listed_with_its_reason_and_the_rest_works(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    core = ReaderCore(data_dir, SEEDS)
    library = data_dir / "library"
    (library / "harbour.md").write_text(NOTE, encoding="utf-8")
    binary(library / "broken-notes.txt")
    report = core.refresh()
    assert [p.name for p, _ in report.failed] == ["broken-notes.txt"]
    listed = {a.title: a for a in core.articles()}
    assert len(listed) == 7
    failed = listed["Broken Notes"]
    assert "binary file" in failed.problem and failed.words == 0
    assert core.open_article(listed["Harbour Notes"].id).text.startswith("Harbour Notes")
    with pytest.raises(ArticleUnreadable, match=r"Broken Notes could not be converted: .*binary"):
        core.article(failed.id)
    page = core.open_article(failed.id)  # in the window: a page saying why
    assert page.text.startswith("Broken Notes\nThis file could not be converted: a binary file")
    # Searching and bookmarking the rest are untouched.
    core.sync_index()
    assert [h.id for h in core.search("gulls").hits] == [listed["Harbour Notes"].id]
    core.close()

    assert main(["--data-dir", str(data_dir), "list", "--json"]) == 0
    entries = {e["id"]: e for e in json.loads(capsys.readouterr().out)}
    assert "binary file" in entries[failed.id]["problem"]
    assert "problem" not in entries[listed["Harbour Notes"].id]


def test_a_failed_file_is_tried_again_only_when_it_or_the_converter_changes(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(data_dir, None)
    bad = binary(lib.user_dir / "field-notes.txt")
    assert len(lib.refresh().failed) == 1
    again = lib.refresh()
    assert not again.failed and again.quarantined == 1 and not again.touched
    (failed_id,) = [a.id for a in lib.articles()]

    monkeypatch.setattr("reader.library.library.CONVERTER_VERSION", "a newer converter")
    assert len(lib.refresh().failed) == 1  # tried again with the new converter: still bad

    bad.write_text("Field notes from the marsh, written on a cold morning.\n", encoding="utf-8")
    os.utime(bad, ns=(1, 1))
    report = lib.refresh()
    assert report.added == [failed_id] and not report.failed  # the id it was listed by
    (info,) = lib.articles()
    assert info.problem == "" and info.words > 5
    lib.close()


def test_an_article_whose_file_stops_converting_keeps_its_text_and_bookmarks(
    data_dir: Path,
) -> None:
    core = ReaderCore(data_dir, None)
    path = data_dir / "library" / "harbour.md"
    path.write_text(NOTE, encoding="utf-8")
    core.refresh()
    (info,) = core.articles()
    mark = core.add_bookmark_quote(info.id, "low tide")
    binary(path)  # overwritten by something that is no article
    assert len(core.refresh().failed) == 1
    (after,) = core.articles()
    assert after.id == info.id and "binary file" in after.problem
    assert "low tide" in core.open_article(info.id).text  # the last text that converted
    assert core.bookmark(mark.id).state == "anchored"
    core.close()


def test_a_conversion_over_its_time_limit_is_given_up_and_only_it(data_dir: Path) -> None:
    lib = Library(data_dir, None, Limits(seconds=0.01, seconds_per_mb=0))
    # A few megabytes of text take far longer than a hundredth of a second.
    (lib.user_dir / "long.txt").write_text("A line of text to read.\n" * 150_000)
    report = lib.refresh()
    assert [(p.name, why) for p, why in report.failed] == [
        ("long.txt", "gave up converting it after 0.01 s")
    ]
    lib.limits = Limits()
    (lib.user_dir / "short.md").write_text(NOTE, encoding="utf-8")
    report = lib.refresh()
    assert len(report.added) == 1 and report.quarantined == 1
    lib.close()


def test_workers_survive_a_crash_a_recursion_and_a_hang() -> None:
    with Workers(2) as workers:
        stopped = Failed("the converter stopped (exit code 3)")
        assert dict(workers.run(crash, [((), 30.0), ((), 30.0)])) == {0: stopped, 1: stopped}
        assert dict(workers.run(recurse, [((), 30.0)])) == {
            0: Failed("nested too deeply to convert")
        }
        assert dict(workers.run(sleep, [((30.0,), 0.5), ((0.01,), 30.0)])) == {
            0: Failed("gave up converting it after 0.5 s"),
            1: "slept",
        }


def test_a_job_that_answered_in_time_counts_however_slow_its_caller(data_dir: Path) -> None:
    with Workers(2) as workers:
        answers = []
        for place, answer in workers.run(sleep, [((0.1,), 1.0), ((0.3,), 1.0)]):
            answers.append((place, answer))
            time.sleep(2)  # the caller busy with each answer, past the other's deadline
        assert sorted(answers) == [(0, "slept"), (1, "slept")]


def test_a_file_name_that_is_not_utf8_is_kept_and_read(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if sys.platform == "darwin":
        pytest.skip("macOS file systems take only UTF-8 names")
    name = os.fsdecode(b"caf\xe9 notes.txt")  # Latin-1
    source = tmp_path / name
    source.write_text("Notes from the café on the corner.\n", encoding="utf-8")
    assert main(["--data-dir", str(data_dir), "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "café notes.txt as " in out
    assert main(["--data-dir", str(data_dir), "list", "--json"]) == 0
    (entry,) = [e for e in json.loads(capsys.readouterr().out) if "caf" in e["source"]]
    assert entry["source"].endswith("/café notes.txt")
    core = ReaderCore(data_dir, SEEDS)
    assert "corner" in core.open_article(entry["id"]).text
    (data_dir / "library" / name).unlink()  # and it leaves the list when it is removed
    core.refresh()
    assert entry["id"] not in {a.id for a in core.articles()}
    core.close()


def test_fifos_are_refused_and_never_hang(data_dir: Path, tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    folder = tmp_path / "incoming"
    folder.mkdir()
    fifo = folder / "pipe.md"
    os.mkfifo(fifo)
    core = ReaderCore(data_dir, None)
    (outcome,) = core.import_paths([fifo])
    assert (
        outcome.status == "failed"
        and outcome.message == "a FIFO, not a file; only files are imported"
    )
    (outcome,) = core.import_paths([folder])  # met in a folder: passed over, and told
    assert (outcome.path, outcome.status) == (fifo, "skipped")
    assert outcome.message == "a FIFO, not a file; only files are imported"
    os.mkfifo(data_dir / "library" / "waiting.md")  # one in the library folder is passed over
    (data_dir / "library" / "harbour.md").write_text(NOTE, encoding="utf-8")
    report = core.refresh()
    assert len(report.added) == 1 and not report.failed
    core.close()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 300_000)
    with pytest.raises(ImportFailed, match=r"^huge.txt: larger than 1 MB$"):
        read_source(path, limit=1024 * 1024)
    assert read_source(path, limit=2 * 1024 * 1024) == b"word " * 300_000


def test_what_an_interrupted_write_left_is_removed_at_the_next_refresh(data_dir: Path) -> None:
    lib = Library(data_dir, None)
    old = lib.user_dir / ".harbour.md.k2j3h4ab.tmp"
    old.write_bytes(b"half a file")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    young = lib.user_dir / ".other.md.x8y7z6cd.tmp"  # may still be being written
    young.write_bytes(b"being written")
    own = lib.user_dir / ".drafts.tmp"  # a user's own file that only looks like one
    own.write_bytes(b"mine")
    os.utime(own, (time.time() - 3600, time.time() - 3600))
    lib.refresh()
    assert not old.exists() and young.exists() and own.exists()
    lib.close()


def test_the_window_lists_a_failed_file_with_its_reason(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow
) -> None:
    library = data_dir / "library"
    library.mkdir(parents=True, exist_ok=True)
    binary(library / "broken-notes.txt")
    (library / "harbour.md").write_text(NOTE, encoding="utf-8")
    window = open_window(data_dir)
    model = window.library_panel.model
    assert model.rowCount() == 7
    row = next(r for r in range(model.rowCount()) if "Broken" in model.index(r, 0).data())
    assert model.index(row, 0).data() == "⚠ Broken Notes"
    assert model.index(row, 1).data() == ""  # no words to count
    tip = model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "The file could not be converted: " in tip and "binary file" in tip
    with qtbot.waitSignal(window.page_shown, timeout=10_000):
        window.library_panel.select(model.index(row, 0).data(ID_ROLE))
    assert "This file could not be converted: a binary file" in window.view.toPlainText()
