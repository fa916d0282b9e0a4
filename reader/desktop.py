"""reader on a freedesktop.org desktop: its menu entry and icon, and whether a display is there.

Nothing here imports Qt: the command line installs the entry, and says there is
no display to open the window on, before Qt is ever loaded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reader.errors import ReaderError
from reader.paths import APP_NAME, resources_dir
from reader.storage import reason, write_atomic

NO_DISPLAY = (
    "reader: no display to show the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
    "the command line works without one: reader list, reader search WORDS, reader show ID"
)
# Characters the desktop entry spec reserves in an Exec argument: one holding any is quoted.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


class DesktopError(ReaderError):
    """The menu entry or its icon cannot be written or removed."""


def missing_display(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """The one line to print when the window has nothing to open on, else None.

    Only where windows need an X or Wayland server (Linux, the BSDs): with
    neither DISPLAY nor WAYLAND_DISPLAY set, and no Qt platform chosen by hand
    (offscreen, vnc, eglfs ... need neither), Qt would abort with a message
    about a missing plugin library that does not name the cause.
    """
    env = os.environ if environ is None else environ
    system = sys.platform if platform is None else platform
    if system in ("win32", "cygwin", "darwin"):
        return None
    if any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return None
    return NO_DISPLAY


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset, empty or not absolute (as the
    XDG base directory spec says to treat it)."""
    env = os.environ if environ is None else environ
    value = env.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


@dataclass(frozen=True)
class Installation:
    """Where the menu entry and the icon go."""

    entry: Path
    icon: Path

    @classmethod
    def under(cls, data: Path) -> Installation:
        return cls(
            entry=data / "applications" / f"{APP_NAME}.desktop",
            icon=data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_NAME}.svg",
        )

    @property
    def files(self) -> tuple[Path, Path]:
        return (self.entry, self.icon)


def launcher() -> list[str]:
    """The command a menu runs: the ``reader`` script beside this Python (a virtual
    environment's bin folder, where a menu's PATH does not reach), else ``python -m
    reader``; both absolute, so the entry works whatever PATH the menu has."""
    python = Path(os.path.abspath(sys.executable))
    script = python.parent / APP_NAME
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [str(python), "-m", APP_NAME]


def quote_arg(arg: str) -> str:
    """One Exec argument, quoted as the desktop entry spec asks: in double quotes when it
    holds a reserved character, with ``"`` ````` ``$`` ``\\`` escaped inside, and ``%``
    doubled (a lone one would be taken for a field code)."""
    if arg and not _RESERVED.intersection(arg):
        quoted = arg
    else:
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        quoted = f'"{inner}"'
    return quoted.replace("%", "%%")


def string_value(text: str) -> str:
    """A desktop entry string value: backslash and control characters escaped."""
    escapes = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return "".join(escapes.get(c, c) for c in text)


def desktop_entry(command: Sequence[str]) -> str:
    """The text of reader's menu entry, launching ``command``."""
    exec_line = " ".join(quote_arg(arg) for arg in command)
    lines = [
        "[Desktop Entry]",
        "Version=1.1",  # Keywords came in 1.1; validators still in use reject 1.5
        "Type=Application",
        f"Name={APP_NAME}",
        "GenericName=Article Reader",
        "Comment=Read, search and bookmark your articles offline",
        "Keywords=articles;reading;bookmarks;highlights;offline;",
        f"TryExec={string_value(command[0])}",
        f"Exec={string_value(exec_line)}",
        f"Icon={APP_NAME}",
        "Terminal=false",
        "Categories=Office;Viewer;",
        # The window's X11 class is the application name the window gives Qt.
        f"StartupWMClass={APP_NAME}",
    ]
    return "\n".join(lines) + "\n"


def install(data: Path | None = None, command: Sequence[str] | None = None) -> list[str]:
    """Write the menu entry and the icon under ``data`` (default: $XDG_DATA_HOME).

    Returns one line per file for the user. A file already as it should be is
    left alone, so installing twice changes nothing. Raises DesktopError.
    """
    where = Installation.under(data if data is not None else data_home())
    try:
        entry = desktop_entry(command if command is not None else launcher()).encode("utf-8")
    except UnicodeEncodeError:
        raise DesktopError(
            "the path of this Python is not valid UTF-8; a menu entry cannot name it"
        ) from None
    icon_source = resources_dir() / "icons" / f"{APP_NAME}.svg"
    try:
        icon = icon_source.read_bytes()
    except OSError as exc:
        raise DesktopError(f"cannot read the icon {icon_source}: {reason(exc)}") from None
    said: list[str] = []
    for path, data_bytes in ((where.entry, entry), (where.icon, icon)):
        try:
            if path.is_file() and path.read_bytes() == data_bytes:
                said.append(f"unchanged {path}")
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data_bytes)
        except OSError as exc:
            raise DesktopError(f"cannot write {path}: {reason(exc)}") from None
        said.append(f"wrote {path}")
    return said


def remove(data: Path | None = None) -> list[str]:
    """Remove the menu entry and the icon; one line per file. Raises DesktopError."""
    where = Installation.under(data if data is not None else data_home())
    said: list[str] = []
    for path in where.files:
        try:
            path.unlink()
        except FileNotFoundError:
            said.append(f"not installed: {path}")
        except OSError as exc:
            raise DesktopError(f"cannot remove {path}: {reason(exc)}") from None
        else:
            said.append(f"removed {path}")
    return said
