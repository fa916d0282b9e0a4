from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from reader import __version__
from reader.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "list", "--json")
    assert code == 0
    entries = json.loads(out)
    assert len(entries) == 5
    assert set(entries[0]) == {"id", "title", "words", "source", "added", "site", "author", "tags"}
    assert Path(entries[0]["source"]).is_file()
    assert entries[4]["title"] == "Backend Developer: The Unseen Architect of the Digital World"
    datetime.fromisoformat(entries[0]["added"])


def test_list_sorts(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    note = tmp_path / "zebra.md"
    note.write_text("# Zebra Crossings\n\nA short note on zebra crossings.\n")
    run(capsys, "--data-dir", str(data_dir), "import", str(note))
    listed = {}
    for order in ("library", "added", "title", "words"):
        code, out, _ = run(capsys, "--data-dir", str(data_dir), "list", "--json", "--sort", order)
        assert code == 0
        listed[order] = json.loads(out)
    assert listed["library"][-1]["title"] == "Zebra Crossings"  # the user's after the bundled
    assert listed["added"][0]["title"] == "Zebra Crossings"  # newest first
    titles = [e["title"] for e in listed["title"]]
    assert titles == sorted(titles, key=str.casefold)
    words = [e["words"] for e in listed["words"]]
    assert words == sorted(words, reverse=True)


def test_show_formats(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "show", "backend-developer")
    assert code == 0
    assert out.startswith("Backend Developer: The Unseen Architect of the Digital World\n")
    assert "Lorem" not in out
    _, md, _ = run(capsys, "--data-dir", str(data_dir), "show", "backend-developer",
                   "--format", "markdown")  # fmt: skip
    assert md.startswith("# Backend Developer")
    _, html, _ = run(capsys, "--data-dir", str(data_dir), "show", "backend-developer",
                     "--format", "html")  # fmt: skip
    assert html.startswith('<h1 id="backend-developer')


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, "--data-dir", str(data_dir), "show", "no-such-article")
    assert code == 1 and out == ""
    assert err == "reader: error: no article with id 'no-such-article'\n"
    with pytest.raises(SystemExit) as info:
        main(["--data-dir", str(data_dir), "list", "--bogus"])
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_import_lines_and_exit_code(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    good = tmp_path / "my-trip-notes.txt"
    good.write_text("We walked along the river for most of the afternoon and saw herons.\n")
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "import", str(good))
    assert code == 0
    assert out.startswith(f"imported {good} as my-trip-notes: My Trip Notes")
    bad = tmp_path / "empty.md"
    bad.write_text("")
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "import", str(good), str(bad))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"skipped {good}: already in the library")
    assert lines[1] == f"failed {bad}: the file is empty"
    _, out, _ = run(capsys, "--data-dir", str(data_dir), "list", "--json")
    assert len(json.loads(out)) == 6


def test_a_folder_import_sums_up_what_it_passed_over_and_refuses_binaries(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "trip.txt").write_text("We walked along the river and saw herons by the weir.\n")
    for name in ("a.png", "b.png", "c.pdf"):
        (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "import", str(folder))
    assert code == 0  # passing over pictures is no failure
    assert out.splitlines()[-1] == "3 skipped (not articles): 2 .png, 1 .pdf"
    binary = tmp_path / "dump.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "import", str(binary))
    assert code == 1
    assert out.strip() == f"failed {binary}: a binary file (it has NUL bytes), not text"
    controls = tmp_path / "controls.txt"
    controls.write_bytes(bytes(range(1, 32)) * 40 + b"some text")
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "import", str(controls))
    assert code == 1
    assert "a binary file" in out and len(out.strip().splitlines()) == 1


def test_env_var_and_version(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READER_DATA_DIR", str(data_dir))
    code, _, _ = run(capsys, "list")
    assert code == 0 and (data_dir / "catalog.sqlite3").is_file()
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out == f"reader {__version__}\n"


def test_unusable_data_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--data-dir", str(blocker), "list")
    assert code == 1
    assert err == f"reader: error: data dir {blocker} exists but is not a folder\n"


def test_python_dash_m_runs_without_qt(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reader", "--data-dir", str(data_dir), "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(result.stdout.splitlines()) == 5
    assert "PySide6" not in result.stderr  # the core and CLI never import Qt
    # Listing converts nothing: the article extractor, slow to import, is not loaded.
    assert "trafilatura" not in result.stderr
