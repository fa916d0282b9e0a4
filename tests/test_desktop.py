"""reader on the desktop: the menu entry and its icon, and launching with no display."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__, desktop
from reader.cli import main
from reader.paths import resources_dir

ROOT = Path(__file__).resolve().parent.parent
ENTRY = Path("applications") / "reader.desktop"
ICON = Path("icons") / "hicolor" / "scalable" / "apps" / "reader.svg"
linux_only = pytest.mark.skipif(
    sys.platform in ("win32", "cygwin", "darwin"), reason="freedesktop.org desktops only"
)


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    share = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(share))
    return share


@linux_only
def test_install_desktop_writes_the_entry_and_the_icon_once(
    capsys: pytest.CaptureFixture[str], xdg: Path, data_dir: Path
) -> None:
    assert main(["--data-dir", str(data_dir), "install-desktop"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote {xdg / ENTRY}", f"wrote {xdg / ICON}"]
    entry = read_entry(xdg / ENTRY)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "reader"
    assert entry["GenericName"] == "Article Reader"
    assert entry["Icon"] == "reader"
    assert entry["Terminal"] == "false"
    assert entry["Categories"] == "Office;Viewer;"
    assert entry["StartupWMClass"] == "reader"
    assert entry["Comment"]
    program = shlex.split(entry["Exec"])[0]
    assert Path(program).is_absolute() and os.access(program, os.X_OK)
    assert (xdg / ICON).read_bytes() == (resources_dir() / "icons" / "reader.svg").read_bytes()

    made = {p: p.stat().st_mtime_ns for p in (xdg / ENTRY, xdg / ICON)}
    assert main(["install-desktop"]) == 0  # again: nothing to do
    out = capsys.readouterr().out.splitlines()
    assert out == [f"unchanged {xdg / ENTRY}", f"unchanged {xdg / ICON}"]
    assert {p: p.stat().st_mtime_ns for p in made} == made

    assert main(["install-desktop", "--remove"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"removed {xdg / ENTRY}", f"removed {xdg / ICON}"]
    assert not (xdg / ENTRY).exists() and not (xdg / ICON).exists()
    assert main(["install-desktop", "--remove"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"not installed: {xdg / ENTRY}", f"not installed: {xdg / ICON}"]


@linux_only
def test_the_menu_command_starts_this_reader(capsys: pytest.CaptureFixture[str], xdg: Path) -> None:
    assert main(["install-desktop"]) == 0
    capsys.readouterr()
    command = shlex.split(read_entry(xdg / ENTRY)["Exec"])
    assert command[0] == read_entry(xdg / ENTRY)["TryExec"]
    # A menu starts it from another folder, with a PATH that lacks the virtual environment
    # and no PYTHONPATH: it runs the installed reader.
    env = {k: v for k, v in os.environ.items() if k not in ("PATH", "PYTHONPATH")}
    env["PATH"] = "/usr/bin:/bin"
    result = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, env=env, cwd=xdg, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"reader {__version__}"


def test_exec_arguments_are_quoted_as_the_desktop_entry_spec_says() -> None:
    assert desktop.quote_arg("/usr/bin/reader") == "/usr/bin/reader"
    assert desktop.quote_arg("/opt/my apps/reader") == '"/opt/my apps/reader"'
    assert desktop.quote_arg('/x/$HOME/"a"/`b`') == '"/x/\\$HOME/\\"a\\"/\\`b\\`"'
    assert desktop.quote_arg("/x/100%/reader") == "/x/100%%/reader"  # never a field code
    # A backslash is escaped by the quoting, and again as a string value.
    entry = desktop.desktop_entry(["/opt/a\\b c/python", "-m", "reader"])
    assert 'Exec="/opt/a\\\\\\\\b c/python" -m reader\n' in entry
    assert "TryExec=/opt/a\\\\b c/python\n" in entry


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
@pytest.mark.parametrize(
    "command", [None, ["/opt/my apps/bin/python3", "-m", "reader"], ["/opt/100% $x/reader"]]
)
def test_the_entry_passes_desktop_file_validate(tmp_path: Path, command: list[str] | None) -> None:
    desktop.install(tmp_path, command)
    result = subprocess.run(
        ["desktop-file-validate", str(tmp_path / ENTRY)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_xdg_data_home_is_used_only_when_absolute(tmp_path: Path) -> None:
    default = Path.home() / ".local" / "share"
    assert desktop.data_home({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path
    assert desktop.data_home({"XDG_DATA_HOME": "relative/share"}) == default
    assert desktop.data_home({"XDG_DATA_HOME": ""}) == default
    assert desktop.data_home({}) == default


@linux_only
def test_an_unwritable_place_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "share"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["install-desktop"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"reader: error: cannot write {blocker / ENTRY}: ")
    assert len(err.splitlines()) == 1
    assert blocker.read_text() == "a file where the folder should be"


# --- no display ------------------------------------------------------------------


def test_a_display_is_needed_only_on_x11_and_wayland_systems() -> None:
    assert desktop.missing_display({}, "linux") == desktop.NO_DISPLAY
    assert desktop.missing_display({"DISPLAY": ""}, "freebsd14") == desktop.NO_DISPLAY
    assert desktop.missing_display({"DISPLAY": ":0"}, "linux") is None
    assert desktop.missing_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert desktop.missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert desktop.missing_display({}, "darwin") is None
    assert desktop.missing_display({}, "win32") is None


def no_display_env(data_dir: Path) -> dict[str, str]:
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["READER_DATA_DIR"] = str(data_dir)
    return env


@linux_only
@pytest.mark.parametrize("args", [[], ["open", "backend-developer"]])
def test_the_window_without_a_display_says_so_in_one_line_before_loading_qt(
    data_dir: Path, args: list[str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=no_display_env(data_dir),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert not any("PySide6" in line for line in lines)  # Qt was never loaded
    told = [line for line in lines if not line.startswith("import time:")]
    assert told == [desktop.NO_DISPLAY]


@linux_only
def test_the_command_line_needs_no_display(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reader", "show", "backend-developer"],
        capture_output=True,
        text=True,
        env=no_display_env(data_dir),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Backend Developer: The Unseen Architect")
