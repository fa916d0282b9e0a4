"""Where reader keeps user data, and where its bundled resources are.

Nothing here is a module-level setting: callers ask for a path and pass it on.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from reader.errors import DataDirError

APP_NAME = "reader"
DATA_DIR_ENV = "READER_DATA_DIR"


def default_data_dir() -> Path:
    """The platform's per-user application data folder.

    This is the folder Qt names ``QStandardPaths.AppDataLocation`` for an
    application called "reader" with no organisation, computed without Qt so
    the command line and the window agree on it.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_NAME


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data dir to use: an explicit one, else $READER_DATA_DIR, else the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def ensure_data_dir(path: Path) -> Path:
    """Create ``path`` if needed and check it can be read; raise DataDirError if not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirError(f"data dir {path} exists but is not a folder") from None
    except OSError as exc:
        raise DataDirError(f"cannot create data dir {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise DataDirError(f"data dir {path} exists but is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise DataDirError(f"data dir {path} cannot be read by this user")
    # A folder that cannot be written is still read: each store says what it cannot save.
    return path


def resources_dir() -> Path:
    """The bundled ``resources`` folder, installed or in a source checkout."""
    installed = Path(str(resources.files("reader"))) / "resources"
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    raise DataDirError("the bundled resources folder is missing from this installation")


def bundled_articles_dir() -> Path:
    return resources_dir() / "articles"
